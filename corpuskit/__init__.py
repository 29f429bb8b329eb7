"""corpuskit: dated news corpora — lossless cleaning, tokens, topics, stance and framing shift.

>>> import corpuskit as ck
>>> corpus = ck.load_corpus("seeds")          # doctest: +SKIP
"""
from .clean import Cleaner, reassemble
from .corpus import Corpus, Document, load_corpus
from .dfm import DFM, dfm, units
from .errors import CorpusError, CorpuskitError, ParameterError
from .tokens import kwic, sentences, tokenize, tokens

__version__ = "0.1.0"

__all__ = ["Cleaner", "Corpus", "DFM", "dfm", "units", "CorpusError", "CorpuskitError", "Document", "ParameterError", "kwic",
           "load_corpus", "reassemble", "sentences", "tokenize", "tokens", "__version__"]
