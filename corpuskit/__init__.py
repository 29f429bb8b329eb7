"""corpuskit: dated news corpora — lossless cleaning, tokens, topics, stance and framing shift.

>>> import corpuskit as ck
>>> corpus = ck.load_corpus("seeds")
>>> corpus
<Corpus 'seeds': 5 documents, 2006-07-01 to 2024-12-31>
"""
from .clean import Cleaner, reassemble
from .corpus import Corpus, Document, load_corpus
from .matrix import DFM, dfm, units
from .errors import CorpusError, CorpuskitError, ParameterError
from .dictionary import Dictionary, DictionaryError, load_dictionary
from .frames import frame_prevalence, frame_terms, score_frames
from .textstat import keyness
from .classifier import StanceClassifier
from .shift import (change_point_interval, change_points, compare_eras, era_robustness, excluded_documents, holm_adjust,
                    period_means, permutation_pvalue, serial_correlation, stance_shift, trend)
from .dask_backend import dask_dfm, dask_period_counts
from .stream import StreamingCorpus, period_counts, scan, stream_corpus
from .scaling import Wordfish, Wordscores, wordfish, wordscores
from .stance import (GoldError, LABELS, agreement, attach_gold, check_gold, cross_fit_stance, document_stance,
                     load_cues, load_target, read_gold, sample_for_coding, score_stance, sentence_hash,
                     target_detection, target_sentences)
from .coherence import topic_coherence
from .topics import TopicModel, select_n_topics
from .tokenizer import Tokens, kwic, sentences, stop_words, tokenize, tokens
from . import plots
from .version import __version__

__all__ = ["StanceClassifier", "change_points", "period_means", "permutation_pvalue", "stance_shift", "trend",
           "change_point_interval", "compare_eras", "era_robustness", "excluded_documents", "holm_adjust",
           "serial_correlation",
           "StreamingCorpus", "period_counts", "scan", "stream_corpus", "dask_dfm", "dask_period_counts",
           "Wordfish", "Wordscores", "wordfish", "wordscores",
           "GoldError", "LABELS", "agreement", "attach_gold", "check_gold", "cross_fit_stance",
           "document_stance", "load_cues", "load_target", "read_gold", "sample_for_coding", "score_stance",
           "sentence_hash", "target_detection", "target_sentences",
           "Dictionary", "DictionaryError", "frame_prevalence", "frame_terms",
           "load_dictionary", "score_frames", "keyness", "TopicModel", "select_n_topics", "topic_coherence",
           "Cleaner", "Corpus", "DFM", "dfm", "units", "CorpusError", "CorpuskitError", "Document", "ParameterError", "kwic",
           "load_corpus", "reassemble", "sentences", "stop_words", "tokenize", "tokens", "Tokens", "plots", "__version__"]
