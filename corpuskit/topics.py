"""Topic models over time: TF-IDF + NMF (or LDA) on units of text, prevalence with CIs.

``TopicModel`` fits scikit-learn's NMF (Lee & Seung 1999; coordinate descent,
Cichocki & Phan 2009), MiniBatchNMF or LatentDirichletAllocation (Blei, Ng &
Jordan 2003; online variational Bayes, Hoffman, Blei & Bach 2010) on a
:func:`corpuskit.matrix.dfm` of the corpus, and reports tidy pandas DataFrames:
top terms, document topics, prevalence by period with bootstrap CIs, the units
that best show a topic, a topic's terms period by period, and coherence
(:mod:`corpuskit.coherence`, equal to gensim's).

``select_n_topics`` compares numbers of topics by coherence, diversity and the
stability of Greene, O'Callaghan & Cunningham (2014), "How many topics?
Stability analysis for topic models", ECML PKDD, LNCS 8724, 498-513.
"""
from __future__ import annotations

import io
import json
import pickletools
import pathlib
import warnings
import zipfile
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from sklearn.base import BaseEstimator, clone
from sklearn.decomposition import NMF, LatentDirichletAllocation, MiniBatchNMF
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.utils.validation import check_is_fitted
from tqdm import tqdm  # text bar: tqdm.auto would need ipywidgets in notebooks

try:  # scikit-learn's error for a bad estimator parameter value (private module, so guarded)
    from sklearn.utils._param_validation import InvalidParameterError
except ImportError:  # pragma: no cover
    InvalidParameterError = ValueError

from ._nmf import ThreadedNMF, lean_mean
from .coherence import MEASURES, topic_coherence
from .matrix import DFM, UNITS, dfm, unit_texts, units
from .errors import CorpuskitError, ParameterError
from .periods import assign_periods, period_labels, period_shares
from .tokenizer import tokenize
from .version import __version__

__all__ = ["TopicModel", "select_n_topics", "average_jaccard", "ranking_agreement", "METHODS"]

METHODS = ("nmf", "lda", "minibatch-nmf")
_NMF_INITS = ("random", "nndsvd", "nndsvda", "nndsvdar")
# Below this many documents, "auto" models windows of sentences instead of documents.
AUTO_MIN_DOCUMENTS = 100
_DEFAULT_MAX_ITER = {"nmf": 1000, "minibatch-nmf": 200, "lda": 50}
_FORMAT = "corpuskit.TopicModel"
_FORMAT_VERSION = 3  # format 1 was a pickle, which load refuses; format 2 held the units' texts
_SEED_MAX = np.iinfo(np.int32).max  # as scikit-learn draws seeds for sub-estimators


def _check_corpus(corpus) -> None:
    if not all(hasattr(corpus, a) for a in ("docvars", "iter_texts", "__len__")):
        raise ParameterError(f"corpus={type(corpus).__name__}: pass a corpuskit Corpus "
                             "(ck.load_corpus, Corpus.from_records, ...)")
    if len(corpus) == 0:
        raise ParameterError("corpus has no documents: a topic model needs texts")


def _need_corpus(corpus, method: str) -> None:
    if corpus is None:
        raise ParameterError(f"corpus=None: {method} needs the texts, and the model keeps none; pass corpus= "
                             "(the corpus the model was fit on)")


def _is_int(x) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def _check_positive_int(name: str, value, minimum: int = 1) -> None:
    if not _is_int(value) or value < minimum:
        raise ParameterError(f"{name}={value!r}: use an integer >= {minimum}")


def _check_df(name: str, value) -> None:
    ok = (_is_int(value) and value >= 0) or (isinstance(value, float) and 0.0 <= value <= 1.0)
    if not ok:
        raise ParameterError(f"{name}={value!r}: use a count of units (int >= 0) or a proportion (float in [0, 1])")


def _check_random_state(value) -> None:
    """An integer seed or None (prevalence's bootstrap)."""
    if value is not None and not _is_int(value):
        raise ParameterError(f"random_state={value!r}: use None or an integer seed")


def _check_model_random_state(value) -> None:
    """None, an integer seed, a numpy RandomState or a numpy Generator (a model's fit)."""
    if value is None or isinstance(value, (np.random.RandomState, np.random.Generator)):
        return
    if not _is_int(value) or not 0 <= value <= 2**32 - 1:
        raise ParameterError(f"random_state={value!r}: use None, an integer seed in [0, 2**32 - 1], "
                             "a np.random.RandomState or a np.random.Generator")


def _seed(random_state) -> int | None:
    """The integer seed a fit uses: the int itself, or one drawn from a RandomState or Generator
    (which advances it, so a second fit with the same object differs, as in scikit-learn)."""
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(_SEED_MAX))
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(_SEED_MAX))
    return None if random_state is None else int(random_state)


def _proportions(w: np.ndarray, x: sp.csr_matrix) -> np.ndarray:
    """The estimator's units × components weights ``w`` of input ``x`` as proportions, rows summing to 1."""
    w[np.diff(x.indptr) == 0] = 0.0  # LDA gives empty units the prior; they carry no topic
    tot = w.sum(axis=1, keepdims=True)
    return np.divide(w, tot, out=np.zeros_like(w, dtype=float), where=tot > 0)


def _align(counts: sp.csr_matrix, names: Sequence[str], vocabulary: np.ndarray) -> sp.csr_matrix:
    """``counts`` with its columns moved to the positions of their names in ``vocabulary``;
    columns not in it are dropped."""
    at = pd.Index(vocabulary).get_indexer(pd.Index(names))
    keep = np.flatnonzero(at >= 0)
    move = sp.csr_matrix((np.ones(len(keep)), (keep, at[keep])), shape=(len(at), len(vocabulary)))
    out = sp.csr_matrix(counts @ move)
    out.eliminate_zeros()
    out.sort_indices()
    return out


class TopicModel(BaseEstimator):
    """A topic model of a dated corpus (scikit-learn estimator conventions).

    Parameters
    ----------
    n_topics : number of topics k.
    method : "nmf" (TF-IDF + NMF, default), "lda" (term counts + LDA) or
        "minibatch-nmf" (TF-IDF + MiniBatchNMF, for large corpora; never chosen
        automatically).
    unit : what one modeled text is: "document", "paragraph" (non-blank line),
        "sentence", "window" (``window`` consecutive sentences of a document) or
        "auto": windows of ``window`` sentences when the corpus has fewer than
        100 documents (few documents give NMF too few samples), whole documents
        otherwise. The rule uses only the number of documents, never paragraph
        breaks, which differ between files. The resolved unit is ``unit_``.
    window : sentences per window.
    init : NMF initialization: "nndsvdar" (default: NNDSVD with its zeros filled
        by small random values, so ``random_state`` matters), "nndsvda",
        "nndsvd" (deterministic: ignores the seed) or "random". Not used by LDA.
    random_state : None, an integer seed, a ``np.random.RandomState`` or a
        ``np.random.Generator``. scikit-learn's estimators take no Generator, so
        ``fit`` turns a RandomState or Generator into one integer seed drawn from
        it (``seed_``); the object advances, so fitting twice with the same object
        gives two different models, as scikit-learn does with a RandomState. The
        same corpus, parameters and integer seed give identical results, and so
        do two Generators made from the same seed.
    stop_words : "english" (scikit-learn's list), "english_extended" (with contractions and honorifics),
        None or a collection of words (``ck.stop_words("english_extended", add=[...])``).
    remove_numbers : drop tokens that are digits only ("000"; :func:`corpuskit.matrix.dfm`).
    ngram_range : (min_n, max_n) of the features, e.g. (1, 2) adds bigrams.
    min_df, max_df : drop features in fewer / more units than this (int: units;
        float: proportion of units), as scikit-learn's vectorizers.
    max_features : keep only the most frequent features.
    stem : Snowball stemming.
    max_iter : solver iterations (default: 1000 for NMF, 200 for MiniBatchNMF,
        50 for LDA: each is a full pass over the corpus).
    alpha_W, l1_ratio : NMF regularization (scikit-learn's ``alpha_W``, ``l1_ratio``).
    labels : topic labels to use instead of the automatic ones (k strings).
    estimator_kwargs : further keyword arguments for the scikit-learn estimator
        (e.g. ``{"doc_topic_prior": 0.1}`` for LDA).
    n_jobs : threads for ``method="nmf"`` (None: 1, -1: all cores). The coordinate-descent
        solver runs its sparse products and coordinate updates by row blocks on threads
        (``corpuskit._nmf.ThreadedNMF``) and gives the same factors as scikit-learn's NMF.
        MiniBatchNMF and LDA ignore it.
    dtype : ``"float64"`` (default) or ``"float32"``: the float type of the matrix the estimator
        factorizes (tf-idf values for NMF, counts for LDA), and so of its solver. float32 halves
        the memory of those values; the fitted topics agree with float64's within the tolerance
        ``tests/test_topics.py`` asserts on the State of the Union (the same top ten terms in
        the same topic order; proportions within 1e-4, measured up to 7e-6), not bit for bit;
        benchmarks/NOTES.md gives the differences on 100,000 articles. Outputs (``components_``, ``unit_topics_``) are float64.

    Attributes
    ----------
    unit_ : the unit that was modeled.
    dfm_ : the :class:`~corpuskit.matrix.DFM` of counts the model was fit on
        (after ``min_df``/``max_df``/``max_features``), one row per unit.
    feature_names_ : the vocabulary (also ``get_feature_names_out()``).
    components_ : topics × features weights (NMF's H or LDA's topic-word pseudo-counts).
    unit_topics_ : units × topics proportions; each row sums to 1, except units
        with no feature left after filtering, whose row is all zero (they carry
        no topic and no weight anywhere). From the estimator's ``fit_transform``:
        for LDA equal to ``transform`` of the modeled units; for NMF and
        MiniBatchNMF the W of the fit's last iteration, which their ``transform``
        (which solves for W with the topics fixed) approaches but does not equal.
    labels_ : one label per topic, "<k>_<three top terms>" unless set.
    seed_ : the integer seed the estimator was given (None if ``random_state`` is None).
    topic_order_ : the estimator's component behind each topic.
    estimator_ : the fitted scikit-learn estimator.
    docvars_ : the documents' metadata.

    The model keeps no texts (it is not as large as its corpus): :meth:`units`
    is the table of the modeled units, with their texts when given the corpus.

    Topics are numbered by prevalence over the whole corpus (topic 0 has the
    largest token-weighted share).

    Example
    -------
    >>> import corpuskit as ck
    >>> tm = ck.TopicModel(n_topics=4, random_state=0).fit(ck.load_corpus("seeds"))
    >>> tm.top_terms(3).round(3)
        topic                       label  rank        term  weight
    0       0         0_korea_north_south     1       korea   0.029
    1       0         0_korea_north_south     2       north   0.023
    2       0         0_korea_north_south     3       south   0.018
    3       1     1_taiwan_japan_military     1      taiwan   0.030
    4       1     1_taiwan_japan_military     2       japan   0.020
    5       1     1_taiwan_japan_military     3    military   0.017
    6       2      2_defense_strategy_new     1     defense   0.015
    7       2      2_defense_strategy_new     2    strategy   0.014
    8       2      2_defense_strategy_new     3         new   0.012
    9       3  3_japanese_chen_government     1    japanese   0.020
    10      3  3_japanese_chen_government     2        chen   0.020
    11      3  3_japanese_chen_government     3  government   0.017
    >>> tm.prevalence(by="year", random_state=0).columns.tolist()
    ['period', 'period_start', 'period_end', 'period_mid', 'topic', 'label', 'share', 'ci_low', 'ci_high',
     'n_docs', 'n_units', 'ci_basis']
    >>> tm.transform(ck.load_corpus("news.csv", text="body")).shape
    (46, 4)
    """

    def __init__(self, n_topics: int = 10, method: str = "nmf", unit: str = "auto", window: int = 3,
                 init: str = "nndsvdar",
                 random_state: int | np.random.RandomState | np.random.Generator | None = None, stop_words="english",
                 ngram_range: tuple[int, int] = (1, 1), min_df: int | float = 1, max_df: int | float = 1.0,
                 max_features: int | None = None, stem: bool = False, max_iter: int | None = None,
                 alpha_W: float = 0.0, l1_ratio: float = 0.0, labels: Sequence[str] | None = None,
                 estimator_kwargs: Mapping | None = None, n_jobs: int | None = None, remove_numbers: bool = False,
                 dtype: str = "float64"):
        self.n_topics = n_topics
        self.method = method
        self.unit = unit
        self.window = window
        self.init = init
        self.random_state = random_state
        self.stop_words = stop_words
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.stem = stem
        self.max_iter = max_iter
        self.alpha_W = alpha_W
        self.l1_ratio = l1_ratio
        self.labels = labels
        self.estimator_kwargs = estimator_kwargs
        self.n_jobs = n_jobs
        self.remove_numbers = remove_numbers
        self.dtype = dtype

    # ------------------------------------------------------------------ validation
    def _validate(self) -> None:
        _check_positive_int("n_topics", self.n_topics)
        if self.method not in METHODS:
            raise ParameterError(f"method={self.method!r}: use one of {', '.join(map(repr, METHODS))}")
        if self.unit != "auto" and self.unit not in UNITS:
            raise ParameterError(f"unit={self.unit!r}: use 'auto' or one of {', '.join(map(repr, UNITS))}")
        _check_positive_int("window", self.window)
        if self.method != "lda" and self.init not in _NMF_INITS:
            raise ParameterError(f"init={self.init!r}: use one of {', '.join(map(repr, _NMF_INITS))}")
        _check_model_random_state(self.random_state)
        ng = self.ngram_range
        if (not isinstance(ng, (tuple, list)) or len(ng) != 2 or not all(_is_int(v) for v in ng)
                or not 1 <= ng[0] <= ng[1]):
            raise ParameterError(f"ngram_range={ng!r}: use (min_n, max_n) with 1 <= min_n <= max_n, e.g. (1, 2)")
        _check_df("min_df", self.min_df)
        _check_df("max_df", self.max_df)
        if self.max_features is not None:
            _check_positive_int("max_features", self.max_features)
        if self.max_iter is not None:
            _check_positive_int("max_iter", self.max_iter)
        for name in ("alpha_W", "l1_ratio"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)) or v < 0:
                raise ParameterError(f"{name}={v!r}: use a non-negative number")
        if self.l1_ratio > 1:
            raise ParameterError(f"l1_ratio={self.l1_ratio!r}: use a number in [0, 1]")
        if self.n_jobs is not None and (not _is_int(self.n_jobs) or self.n_jobs == 0):
            raise ParameterError(f"n_jobs={self.n_jobs!r}: use None, a positive number of threads or -1 for all cores")
        if not isinstance(self.dtype, str) or self.dtype not in ("float64", "float32"):
            raise ParameterError(f"dtype={self.dtype!r}: use 'float64' (default) or 'float32' (half the memory)")
        if self.estimator_kwargs is not None and not isinstance(self.estimator_kwargs, Mapping):
            raise ParameterError(f"estimator_kwargs={self.estimator_kwargs!r}: use a dict of keyword arguments")

    def _resolve_unit(self, n_documents: int) -> str:
        if self.unit != "auto":
            return self.unit
        return "window" if n_documents < AUTO_MIN_DOCUMENTS else "document"

    # ------------------------------------------------------------------ fitting
    def _count(self, corpus, unit: str) -> DFM:
        """The untrimmed count dfm of the corpus."""
        lo, hi = self.ngram_range
        return dfm(corpus, unit, window=self.window, stop_words=self.stop_words, stem=self.stem,
                   ngrams=tuple(range(lo, hi + 1)), remove_numbers=self.remove_numbers)

    def _unit_tokens(self, corpus, unit: str) -> list[list[str]]:
        """Each unit's tokens, the model's way (the reference texts of coherence)."""
        return [tokenize(t, stop_words=self.stop_words, stem=self.stem, remove_numbers=self.remove_numbers)
                for t in unit_texts(corpus, units(corpus, unit, self.window, text=False))]

    def _estimator(self, seed: int | None):
        kw = dict(self.estimator_kwargs or {})
        max_iter = self.max_iter or _DEFAULT_MAX_ITER[self.method]
        if self.method == "lda":
            kw.setdefault("learning_method", "batch")
            cls = LatentDirichletAllocation
            args = dict(n_components=self.n_topics, max_iter=max_iter, random_state=seed, **kw)
        else:
            cls = NMF if self.method == "nmf" else MiniBatchNMF
            args = dict(n_components=self.n_topics, init=self.init, max_iter=max_iter,
                        random_state=seed, alpha_W=self.alpha_W, l1_ratio=self.l1_ratio, **kw)
            if self.method == "nmf" and self.n_jobs not in (None, 1):
                cls = ThreadedNMF
                args["n_jobs"] = self.n_jobs
        try:
            return cls(**args)
        except TypeError as exc:
            raise ParameterError(f"estimator_kwargs={self.estimator_kwargs!r}: {exc}") from None

    def _fit_counts(self, full: DFM) -> "TopicModel":
        """Trim, weight and factorize a count dfm (one row per unit)."""
        return self._fit_trimmed(self._trim(full))

    def _trim(self, full: DFM) -> DFM:
        """The count dfm with ``min_df``/``max_df``/``max_features`` applied (errors when too little is left)."""
        n_units = full.shape[0]
        if self.n_topics > n_units:
            raise ParameterError(f"n_topics={self.n_topics} is larger than the number of units ({n_units} "
                                 f"{full.meta.get('unit', 'unit')}s); use fewer topics or a smaller unit")
        trimmed = full.trim(min_docfreq=self.min_df, max_docfreq=self.max_df, max_features=self.max_features)
        p = trimmed.shape[1]
        if p == 0:
            raise ParameterError(f"the vocabulary is empty after filtering with min_df={self.min_df!r}, "
                                 f"max_df={self.max_df!r}, max_features={self.max_features!r} "
                                 f"on {n_units} units; relax them")
        if self.n_topics > p:
            raise ParameterError(f"n_topics={self.n_topics} is larger than the vocabulary ({p} features after "
                                 "filtering); use fewer topics or relax min_df/max_df/max_features")
        return trimmed

    def _fit_trimmed(self, trimmed: DFM) -> "TopicModel":
        """Weight and factorize a trimmed count dfm; set the fitted attributes."""
        x = self._input_matrix(trimmed)
        seed = _seed(self.random_state)
        est = self._estimator(seed)
        try:
            # lean_mean: scikit-learn's NNDSVD start takes the matrix's mean; scipy's copies the matrix
            w = est.fit_transform(lean_mean(x) if self.method != "lda" else x)
        except InvalidParameterError as exc:  # a bad value passed through estimator_kwargs
            raise ParameterError(f"estimator_kwargs={self.estimator_kwargs!r}: {exc}") from None
        theta = _proportions(w, x)
        tokens = trimmed.docvars["n_tokens"].to_numpy(dtype=float)
        order = np.argsort(-(theta.T @ tokens), kind="stable")
        self.estimator_ = est
        self.seed_ = seed
        self.topic_order_ = order
        self.dfm_ = trimmed
        self.feature_names_ = trimmed.get_feature_names_out()
        self.components_ = np.asarray(est.components_, dtype=float)[order]
        self.unit_topics_ = theta[:, order]
        self.n_topics_ = self.n_topics
        self.labels_ = self._auto_labels()
        if self.labels is not None:
            self.labels_ = self._checked_labels(self.labels)
        return self

    def _input_matrix(self, counts: DFM) -> sp.csr_matrix:
        if self.method == "lda":
            return sp.csr_matrix(counts.counts, dtype=self.dtype)
        return counts.tfidf(dtype=self.dtype).counts

    def fit(self, corpus, y=None) -> "TopicModel":
        """Fit the model to a corpus, or to a count :class:`~corpuskit.matrix.DFM` already made
        (e.g. by a streamed :func:`corpuskit.stream.scan`), with the same result as fitting
        the corpus it counts; ``y`` is ignored. Returns the model.

        A DFM must hold raw counts made with this model's unit, stop_words, stem and
        ngram_range.

        >>> m = ck.dfm(corpus, stop_words="english", n_jobs=2)
        >>> tm = ck.TopicModel(n_topics=3, unit="document", random_state=0).fit(m)
        >>> tm.unit_topics_.shape
        (5, 3)
        """
        self._validate()
        if isinstance(corpus, DFM):
            return self._fit_dfm(corpus)
        _check_corpus(corpus)
        unit = self._resolve_unit(len(corpus))
        # the untrimmed counts are freed here, before the tf-idf values and the factorization allocate
        self._fit_trimmed(self._trim(self._count(corpus, unit)))
        return self._fitted_on(corpus, unit)

    def fit_transform(self, corpus, y=None) -> np.ndarray:
        """Fit the model and return ``unit_topics_``: the modeled units' topic proportions
        (units × topics).

        >>> theta = ck.TopicModel(n_topics=4, random_state=0).fit_transform(corpus)
        >>> theta.shape
        (46, 4)
        """
        return self.fit(corpus, y).unit_topics_.copy()

    def transform(self, corpus) -> np.ndarray:
        """Topic proportions of new documents: an array of units × topics (columns in topic
        order, rows summing to 1; all zero for a unit without any of the model's features).

        ``corpus`` is a Corpus (split into the model's ``unit_``, tokenized its way) or a count
        :class:`~corpuskit.matrix.DFM` made with the model's stop_words, stem and ngram_range
        (any unit). Features are matched by name; words the model does not know are ignored.
        The input is weighted as in the fit (TF-IDF with the fitted idf for NMF, counts for
        LDA) and the fitted estimator's ``transform`` solves for the proportions (for LDA the
        fitted corpus gives back ``unit_topics_``; see there). :meth:`units` (or ``ck.dfm``)
        names the rows.

        >>> theta = tm.transform(ck.load_corpus("news.csv", text="body"))
        >>> theta.shape, theta[:2].round(2)
        ((46, 4), array([[0.97, 0.  , 0.  , 0.03],
               [0.16, 0.35, 0.05, 0.43]]))
        """
        check_is_fitted(self)
        if isinstance(corpus, DFM):
            self._check_dfm_settings(corpus, check_unit=False)
            m = corpus
        else:
            _check_corpus(corpus)
            m = self._count(corpus, self.unit_)
        counts = _align(m.counts, m.get_feature_names_out(), self.feature_names_)
        if self.method == "lda":
            x = sp.csr_matrix(counts, dtype=self.dtype)
        else:  # the fit's weighting: DFM.tfidf is TfidfTransformer, here with the fitted idf
            x = sp.csr_matrix(TfidfTransformer().fit(self.dfm_.counts).transform(counts), dtype=self.dtype)
        return _proportions(self.estimator_.transform(x), x)[:, self.topic_order_]

    def _check_dfm_settings(self, m: DFM, check_unit: bool = True) -> None:
        if m.weighting != "count":
            raise ParameterError(f"corpus: the DFM holds {m.weighting!r} weights; use raw counts "
                                 "(TopicModel weights them itself)")
        meta = m.meta
        lo, hi = self.ngram_range
        want = {"stop_words": self.stop_words, "stem": self.stem, "ngrams": tuple(range(lo, hi + 1)),
                "remove_numbers": self.remove_numbers}
        if check_unit:
            want = {"unit": meta.get("unit") if self.unit == "auto" else self.unit, **want}
        got = dict(meta, remove_numbers=meta.get("remove_numbers", False), ngrams=(meta.get("ngrams"),) if isinstance(meta.get("ngrams"), (int, np.integer))
                   else tuple(meta.get("ngrams") or ()))
        for k, v in want.items():
            if got.get(k) != v:
                raise ParameterError(f"corpus: the DFM was counted with {k}={got.get(k)!r} but this TopicModel "
                                     f"uses {v!r}; count with the model's settings or change the model's")
        if check_unit and meta.get("unit") == "window" and meta.get("window") != self.window:
            raise ParameterError(f"corpus: the DFM was counted with window={meta.get('window')!r} but this "
                                 f"TopicModel uses window={self.window!r}")

    def _fit_dfm(self, m: DFM) -> "TopicModel":
        self._check_dfm_settings(m)
        dv = m.docvars
        unit_cols = {"unit_id", "unit", "start", "end", "n_tokens"}
        docs = dv.drop_duplicates("id")[[c for c in dv.columns if c not in unit_cols]]
        return self._fit_with(docs, m.meta["unit"], m)

    def _fit_with(self, corpus, unit: str, full: DFM) -> "TopicModel":
        self._fit_counts(full)
        return self._fitted_on(corpus, unit)

    def _fitted_on(self, corpus, unit: str) -> "TopicModel":
        """Record the unit and the documents' metadata of a fit."""
        self.unit_ = unit
        dvs = corpus if isinstance(corpus, pd.DataFrame) else corpus.docvars
        self.docvars_ = dvs.reset_index(drop=True).copy()
        return self

    # ------------------------------------------------------------------ labels
    def _top_indices(self, k: int, n: int) -> np.ndarray:
        w = self.components_[k]
        order = np.lexsort((self.feature_names_, -w))
        return order[w[order] > 0][:n]

    def _auto_labels(self) -> list[str]:
        return [f"{k}_" + "_".join(self.feature_names_[self._top_indices(k, 3)]) for k in range(len(self.components_))]

    def _checked_labels(self, labels) -> list[str]:
        k = len(self.components_)
        given = labels
        if isinstance(labels, Mapping):
            new = list(self.labels_)
            for key, val in labels.items():
                t = self._topic_index(key)
                new[t] = val
            labels = new
        try:
            labels = None if isinstance(labels, str) else list(labels)
        except TypeError:
            labels = None
        if labels is None or len(labels) != k or not all(isinstance(x, str) and x for x in labels):
            raise ParameterError(f"labels={given!r}: give {k} non-empty strings (one per topic) or a dict {{topic: label}}")
        if len(set(labels)) != k:
            raise ParameterError(f"labels={given!r}: labels must be distinct")
        return labels

    def set_labels(self, labels: Sequence[str] | Mapping[int, str]) -> "TopicModel":
        """Name the topics: a list of k labels or a dict ``{topic: label}``; returns the model."""
        check_is_fitted(self)
        self.labels_ = self._checked_labels(labels)
        return self

    def _topic_index(self, topic) -> int:
        k = len(self.components_)
        if _is_int(topic) and 0 <= topic < k:
            return int(topic)
        if isinstance(topic, str) and hasattr(self, "labels_") and topic in self.labels_:
            return self.labels_.index(topic)
        raise ParameterError(f"topic={topic!r}: use a topic number 0..{k - 1} or one of the labels_")

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The vocabulary the topics are defined on."""
        check_is_fitted(self)
        return np.asarray(self.feature_names_, dtype=object).copy()

    # ------------------------------------------------------------------ results
    def topic_word(self) -> np.ndarray:
        """Topics × features: each topic's weights normalized to sum to 1."""
        check_is_fitted(self)
        s = self.components_.sum(axis=1, keepdims=True)
        return np.divide(self.components_, s, out=np.zeros_like(self.components_), where=s > 0)

    def top_terms(self, n: int = 10) -> pd.DataFrame:
        """The ``n`` top terms of each topic.

        Columns: topic, label, rank (1 = top), term, weight (the term's share
        of the topic's word weights; ties broken alphabetically; terms with
        zero weight are left out).
        """
        check_is_fitted(self)
        _check_positive_int("n", n)
        tw = self.topic_word()
        rows = []
        for k in range(len(tw)):
            for r, j in enumerate(self._top_indices(k, n), start=1):
                rows.append((k, self.labels_[k], r, self.feature_names_[j], tw[k, j]))
        df = pd.DataFrame(rows, columns=["topic", "label", "rank", "term", "weight"])
        return df.astype({"topic": int, "rank": int, "label": "string", "term": "string", "weight": float})

    def _topic_columns(self) -> list[str]:
        return [f"topic_{k}" for k in range(len(self.components_))]

    def document_topics(self) -> pd.DataFrame:
        """Topic proportions per document, from its units weighted by their tokens.

        Columns: id, date, year, n_tokens (tokens in the document's units that
        carry topics: the weight behind the proportions), then ``topic_0`` …
        ``topic_{k-1}`` (proportions summing to 1; all zero for a document with
        no modeled tokens). ``attrs["labels"]`` maps columns to ``labels_``.
        """
        check_is_fitted(self)
        dv = self.docvars_
        u = self.dfm_.docvars
        doc = pd.Index(dv["id"].astype(str)).get_indexer(u["id"].astype(str))
        tokens = u["n_tokens"].to_numpy(dtype=float) * (self.unit_topics_.sum(axis=1) > 0)
        g = sp.csr_matrix((tokens, (doc, np.arange(len(doc)))), shape=(len(dv), len(doc)))
        mass = np.asarray(g @ self.unit_topics_)
        tot = mass.sum(axis=1, keepdims=True)
        props = np.divide(mass, tot, out=np.zeros_like(mass), where=tot > 0)
        out = pd.DataFrame({"id": dv["id"].astype("string"), "date": dv["date"], "year": dv["year"],
                            "n_tokens": np.asarray(g.sum(axis=1)).ravel().astype(int)})
        cols = self._topic_columns()
        out = pd.concat([out, pd.DataFrame(props, columns=cols)], axis=1)
        out.attrs["labels"] = dict(zip(cols, self.labels_))
        return out

    def prevalence(self, by: str = "year", n_boot: int = 1000, level: float = 0.95,
                   random_state: int | None = None, *, origin: "str | pd.Timestamp | None" = None) -> pd.DataFrame:
        """Each topic's share of the modeled tokens per period, with a bootstrap CI.

        Uses :func:`corpuskit.periods.period_shares` with values = unit topic
        proportions and weights = unit tokens: a period's share of topic k is
        sum(tokens × proportion_k) / sum(tokens) over its units. The CI resamples
        documents where a period has two or more, units where it has one
        (``ci_basis`` says which). Every period from the first to the last is a
        row; periods without documents have n_docs = 0 and NaN share and CI.
        Periods whose documents have no modeled tokens (e.g. every word is a stop
        word) count those documents in n_docs and n_units but have NaN share and
        CI too: there is no weight to share out.

        ``by``: "year", "decade", "month", … or a pandas period alias ("5Y"); ``origin``: where a
        multi-unit bin starts (default: calendar bins, decades 1790–1799), as everywhere
        (:func:`corpuskit.periods.assign_periods`); a label shows the whole bin ("2010–2019").

        Columns: period, period_start, period_end, period_mid, topic, label,
        share, ci_low, ci_high, n_docs, n_units, ci_basis.
        """
        check_is_fitted(self)
        _check_positive_int("n_boot", n_boot)
        if not isinstance(level, float) or not 0 < level < 1:
            raise ParameterError(f"level={level!r}: use a confidence level between 0 and 1, e.g. 0.95")
        _check_random_state(random_state)
        dv = self.dfm_.docvars
        periods = assign_periods(dv["date"], by, precision=dv.get("date_precision"), origin=origin)
        k = len(self.components_)
        out = period_shares(self.unit_topics_, dv["id"].to_numpy(), periods, list(range(k)),
                            weights=dv["n_tokens"].to_numpy(dtype=float), n_boot=n_boot, level=level,
                            random_state=random_state)
        out = out.rename(columns={"category": "topic"})
        out["topic"] = out["topic"].astype(int)
        out.insert(out.columns.get_loc("topic") + 1, "label", pd.array([self.labels_[t] for t in out["topic"]],
                                                                         dtype="string"))
        out["period"] = out["period"].astype("string")
        out["ci_basis"] = out["ci_basis"].astype("string")
        return out

    def units(self, corpus=None) -> pd.DataFrame:
        """The modeled units and their topics: one row per unit of the fit.

        Columns: unit_id, id, unit, start, end (offsets into the document's clean
        text), date, year, n_tokens (tokens after stop-word removal: the unit's
        weight), then ``text`` when ``corpus`` (the corpus the model was fit on) is
        given, then ``topic_0`` … ``topic_{k-1}`` (``unit_topics_``). The model keeps
        no texts: they are cut from ``corpus`` by the units' offsets.

        >>> tm.units(corpus).sort_values("topic_0")[["unit_id", "id", "start", "end", "topic_0", "topic_1"]].tail(3)
           unit_id   id  start   end  topic_0  topic_1
        34   003#8  003   4174  4722      1.0      0.0
        36  003#10  003   5123  5643      1.0      0.0
        35   003#9  003   4723  5122      1.0      0.0
        """
        check_is_fitted(self)
        dv = self.dfm_.docvars
        out = dv[["unit_id", "id", "unit", "start", "end", "date", "year", "n_tokens"]].reset_index(drop=True)
        if corpus is not None:
            out["text"] = self._unit_texts(corpus, out)
        cols = self._topic_columns()
        out = pd.concat([out, pd.DataFrame(self.unit_topics_, columns=cols)], axis=1)
        out.attrs["labels"] = dict(zip(cols, self.labels_))
        return out

    def _unit_texts(self, corpus, u: pd.DataFrame) -> pd.Series:
        """The texts of the units ``u`` (id, start, end), cut from ``corpus``."""
        _check_corpus(corpus)
        texts = dict(zip(corpus.docvars["id"].astype(str), corpus.iter_texts()))
        ids = u["id"].astype(str).tolist()
        missing = sorted(set(ids) - set(texts))
        if missing:
            raise ParameterError(f"corpus: has no document {missing[0]!r} of the {len(set(ids))} the model was "
                                 "fit on; pass the corpus the model was fit on")
        spans = zip(ids, u["start"].tolist(), u["end"].tolist())
        out = [texts[i][int(a):int(b)] if pd.notna(a) and pd.notna(b) else None for i, a, b in spans]
        return pd.Series(out, index=u.index, dtype="string")

    def representative_units(self, topic: int | str, n: int = 5, corpus=None) -> pd.DataFrame:
        """The ``n`` units with the largest proportion of ``topic`` (a number or label), with
        their texts cut from ``corpus`` (the corpus the model was fit on; required, as the
        model keeps no texts).

        Ties go to the longer unit. Columns: topic, rank, unit_id, id, date,
        weight (the unit's proportion of the topic), text.

        >>> tm.representative_units(0, n=3, corpus=corpus).round(2)
           topic  rank unit_id   id       date  weight                                     text
        0      0     1  003#10  003 2024-12-01     1.0  But the impeachment of South Korean ...
        1      0     2   003#8  003 2024-12-01     1.0  Much of North Korea’s strategy will ...
        2      0     3   003#9  003 2024-12-01     1.0  If Tokyo can learn to trust South Ko...
        """
        check_is_fitted(self)
        t = self._topic_index(topic)
        _check_positive_int("n", n)
        _need_corpus(corpus, "representative_units")
        dv = self.dfm_.docvars
        w = self.unit_topics_[:, t]
        order = np.lexsort((np.arange(len(w)), -dv["n_tokens"].to_numpy(), -w))
        order = order[w[order] > 0][:n]
        u = dv.iloc[order].reset_index(drop=True)
        return pd.DataFrame({"topic": t, "rank": np.arange(1, len(order) + 1), "unit_id": u["unit_id"].to_numpy(),
                             "id": u["id"].to_numpy(), "date": u["date"].to_numpy(), "weight": w[order],
                             "text": self._unit_texts(corpus, u).to_numpy()}
                            ).astype({"unit_id": "string", "id": "string", "text": "string"})

    def _responsibility(self, t: int) -> sp.csr_matrix:
        """Units × features: the part of each cell of the model's input the model assigns to topic t.

        For a cell x_ut, topic t's part is x_ut · θ_ut H_tw / Σ_j θ_uj H_jw
        (the reconstruction's share; scaling a unit's row of W does not change it).
        """
        x = self._input_matrix(self.dfm_).tocoo()
        h = self.components_ if self.method != "lda" else self.topic_word()
        theta = self.unit_topics_
        rows, cols, data = x.row, x.col, x.data
        part = np.zeros(len(data))
        step = max(1, 2_000_000 // max(1, theta.shape[1]))  # bound memory: nnz chunk × k
        for a in range(0, len(data), step):
            r, c = rows[a:a + step], cols[a:a + step]
            num = theta[r, t] * h[t, c]
            den = np.einsum("ij,ji->i", theta[r], h[:, c])
            part[a:a + step] = data[a:a + step] * np.divide(num, den, out=np.zeros_like(num), where=den > 0)
        return sp.csr_matrix((part, (rows, cols)), shape=x.shape)

    def topic_evolution(self, topic: int | str, by: str = "year", n: int = 10, *,
                        origin: "str | pd.Timestamp | None" = None) -> pd.DataFrame:
        """How a topic's top terms change from period to period.

        For each period, every term's weight in the model input (TF-IDF for NMF,
        counts for LDA) in the period's units is split among topics in
        proportion to the model's reconstruction (x_uw · θ_ut H_tw / Σ_j θ_uj H_jw),
        topic t's parts are summed over the period's units and normalized to sum
        to 1. Periods where the topic has no weight have no rows.

        Columns: period, rank, term, weight.
        """
        check_is_fitted(self)
        t = self._topic_index(topic)
        _check_positive_int("n", n)
        dv = self.dfm_.docvars
        periods = assign_periods(dv["date"], by, precision=dv.get("date_precision"), origin=origin)
        labels = period_labels(periods)
        uniq = list(period_labels(pd.PeriodIndex(sorted(set(periods)), freq=periods.freq)))
        index = {p: i for i, p in enumerate(uniq)}
        g = sp.csr_matrix((np.ones(len(labels)), ([index[p] for p in labels], np.arange(len(labels)))),
                          shape=(len(uniq), len(labels)))
        mass = sp.csr_matrix(g @ self._responsibility(t))
        rows = []
        for i, p in enumerate(uniq):
            row = mass.getrow(i)
            tot = row.sum()
            if tot <= 0:
                continue
            idx, val = row.indices, row.data / tot
            keep = val > 0
            idx, val = idx[keep], val[keep]
            order = np.lexsort((self.feature_names_[idx], -val))[:n]
            for r, j in enumerate(order, start=1):
                rows.append((p, r, self.feature_names_[idx[j]], val[j]))
        df = pd.DataFrame(rows, columns=["period", "rank", "term", "weight"])
        return df.astype({"period": "string", "rank": int, "term": "string", "weight": float})

    # ------------------------------------------------------------------ coherence
    def reference_texts(self, corpus) -> list[list[str]]:
        """The token stream of each unit of ``corpus`` cut the model's way (its ``unit_``
        and ``window``), tokenized the model's way (lower case, stop words removed,
        stemmed if ``stem``), unigrams, every token kept (no min_df/max_df filtering).
        For the corpus the model was fit on, the reference corpus of :meth:`coherence`.

        >>> texts = tm.reference_texts(corpus)
        >>> len(texts), texts[0][:5]
        (46, ['outcome', 'recent', 'north', 'korean', 'missile'])
        """
        check_is_fitted(self)
        _need_corpus(corpus, "reference_texts")
        _check_corpus(corpus)
        return self._unit_tokens(corpus, self.unit_)

    def _texts(self, texts) -> list[list[str]]:
        if texts is None:
            raise ParameterError("texts=None: coherence needs reference texts, and the model keeps none; pass "
                                 "texts= (the corpus the model was fit on, or a list of token lists)")
        if hasattr(texts, "iter_texts"):
            return self.reference_texts(texts)
        if isinstance(texts, str) or not all(isinstance(t, (list, tuple)) for t in texts):
            raise ParameterError(f"texts={type(texts).__name__}: pass a Corpus or a list of token lists")
        return [list(t) for t in texts]

    def coherence(self, measure: str = "c_npmi", top_n: int = 10, texts=None, window_size: int | None = None,
                  windows: str = "gensim") -> pd.DataFrame:
        """Coherence of each topic's ``top_n`` terms (:func:`corpuskit.coherence.topic_coherence`).

        ``measure``: "c_npmi" (NPMI over sliding windows of ``window_size``
        tokens, default 10) or "u_mass" (log conditional probability over texts).
        ``texts`` (required: the model keeps no texts) is the reference corpus:
        a Corpus, cut into the model's units and tokenized its way
        (:meth:`reference_texts`; for the corpus the model was fit on, c_npmi
        windows never cross a unit boundary and u_mass counts co-occurrence in
        units), or a list of token lists (e.g. one per document). The numbers
        equal gensim 4.4's CoherenceModel for the same texts and top terms
        (``windows="gensim"``; see :mod:`corpuskit.coherence`). An n-gram top
        term counts as present in a window or text when all its words are.

        >>> tm.coherence("c_npmi", texts=corpus).round(3)
           topic                       label  coherence
        0      0         0_korea_north_south     -0.121
        1      1     1_taiwan_japan_military      0.015
        2      2      2_defense_strategy_new      0.063
        3      3  3_japanese_chen_government      0.069

        Columns: topic, label, coherence; ``attrs["mean"]`` is the mean over topics.
        A degenerate topic with fewer than 2 terms of positive weight (k too large
        for the corpus) has NaN coherence, is left out of the mean, and a warning
        names it.
        """
        check_is_fitted(self)
        if measure not in MEASURES:
            raise ParameterError(f"measure={measure!r}: use one of {', '.join(map(repr, MEASURES))}")
        _check_positive_int("top_n", top_n, minimum=2)
        topics = [list(self.feature_names_[self._top_indices(k, top_n)]) for k in range(len(self.components_))]
        ok = np.array([len(t) >= 2 for t in topics])
        if not ok.any():
            raise ParameterError(f"no topic has 2 or more terms with weight (top_n={top_n}); coherence is undefined")
        values = np.full(len(topics), np.nan)
        values[ok] = topic_coherence([t for t, good in zip(topics, ok) if good], self._texts(texts), measure,
                                     window_size=window_size, windows=windows)
        if not ok.all():
            warnings.warn(f"topic(s) {', '.join(map(str, np.flatnonzero(~ok)))} have fewer than 2 terms with "
                          "weight: their coherence is NaN and left out of the mean (fewer topics may suit "
                          "this corpus)", UserWarning, stacklevel=2)
        df = pd.DataFrame({"topic": np.arange(len(topics)), "label": pd.array(self.labels_, dtype="string"),
                           "coherence": values})
        df.attrs.update({"mean": float(values[ok].mean()), "measure": measure, "top_n": top_n,
                         "window_size": (10 if window_size is None else window_size) if measure == "c_npmi" else None,
                         "windows": windows})
        return df

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | pathlib.Path) -> pathlib.Path:
        """Save the fitted model as one data-only zip file; returns the path.

        The file holds ``.npy`` arrays (written without pickle) and a
        ``model.json`` of metadata: the format and corpuskit versions, the
        parameters, the vocabulary, idf, topics (``components_``), the fitted
        estimator's arrays (what its ``transform`` needs), the tokenizer and dfm
        options, the modeled units' counts, topic proportions and dates, the
        documents' metadata and the labels: everything :meth:`transform` needs.
        No texts: the model keeps none (pass the corpus to the methods that
        show them). Reading it never runs code, and the same model gives the
        same bytes.

        A model fit with a RandomState or Generator is saved with the integer seed
        drawn from it (``seed_``) as its ``random_state``, so the loaded model's
        parameters refit the same model.

        >>> tm.save("model.zip")
        PosixPath('model.zip')
        """
        check_is_fitted(self)
        path = pathlib.Path(path)
        _write_model(self, path)
        return path

    @classmethod
    def load(cls, path: str | pathlib.Path) -> "TopicModel":
        """Load a model written by :meth:`save`, without running any code from the file.

        Arrays are read with ``allow_pickle=False`` and metadata as JSON; shapes and
        types are checked. A pickle (such as a file saved by corpuskit before
        format 2), a damaged file, a file of another format version, or an entry
        holding Python objects raises CorpuskitError naming the file; a file saved
        by another corpuskit version gives a warning.

        ``estimator_`` is rebuilt from its saved parameters and fitted arrays (enough
        for its ``transform``), so the loaded model's :meth:`transform` gives what the saved one did.

        >>> path = tm.save("model.zip")
        >>> loaded = ck.TopicModel.load(path)
        >>> np.allclose(loaded.transform(corpus), tm.transform(corpus))
        True
        """
        return _read_model(cls, pathlib.Path(path))


# ---------------------------------------------------------------------- model files
# A model file is a zip of model.json and arrays/<name>.npy entries. Nothing in it is
# ever unpickled: arrays are numbers (the kinds below), strings are UTF-8 bytes with
# offsets, and everything else is JSON. Version 1 was a pickle and is refused.
_ARRAY_KINDS = "biufMm"  # bool, int, uint, float, datetime64, timedelta64: never object or void
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # a fixed time: the same model gives the same bytes
_TAGS = ("tuple", "set", "frozenset", "dict", "ndarray")
_MASKED = ("Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64", "Float32", "Float64", "boolean")


class _Damaged(Exception):
    """A model file that is not what model.json says (the loader adds the file name)."""


class _Refused(Exception):
    """A model file entry that could run code if read the usual way."""


def _one_line(exc: BaseException) -> str:
    return " ".join(f"{type(exc).__name__}: {exc}".split())


class _Arrays:
    """The arrays of a model file being written, each listed in model.json with its dtype and shape."""

    def __init__(self):
        self.arrays: dict[str, np.ndarray] = {}

    def put(self, name: str, a) -> str:
        a = np.asarray(a)
        if a.dtype.kind not in _ARRAY_KINDS:  # pragma: no cover - every caller passes numbers
            raise CorpuskitError(f"internal error: {name} has dtype {a.dtype}, which a model file cannot hold")
        self.arrays[name] = a
        return name

    def strings(self, name: str, values, missing: np.ndarray | None = None) -> dict:
        """Strings as UTF-8 bytes (``name/data``) and their ``name/offsets``; ``name/missing`` marks NA."""
        values = list(values)
        if missing is not None and missing.any():
            values = ["" if m else v for v, m in zip(values, missing)]
            self.put(f"{name}/missing", np.asarray(missing, dtype=bool))
        encoded = [v.encode("utf-8", "surrogatepass") for v in values]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
        self.put(f"{name}/data", np.frombuffer(b"".join(encoded), dtype=np.uint8))
        self.put(f"{name}/offsets", offsets)
        return {"strings": name, "n": len(encoded), "missing": bool(missing is not None and missing.any())}

    def listing(self) -> dict:
        return {name: {"dtype": a.dtype.str, "shape": list(a.shape)} for name, a in self.arrays.items()}


def _unsaveable(where: str, value) -> ParameterError:
    return ParameterError(f"TopicModel.save: {where}={value!r} cannot go in a model file; use numbers, strings "
                          "and lists, tuples, sets or dicts of them")


def _encode(value, where: str, arrays: _Arrays | None = None):
    """A JSON value for ``value``; tuples, sets and dicts without string keys are tagged
    (``{"tuple": [...]}``) so they come back as they were."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, list):
        return [_encode(v, f"{where}[{i}]", arrays) for i, v in enumerate(value)]
    if isinstance(value, tuple):
        return {"tuple": [_encode(v, f"{where}[{i}]", arrays) for i, v in enumerate(value)]}
    if isinstance(value, (set, frozenset)):
        items = sorted((_encode(v, where, arrays) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
        return {"frozenset" if isinstance(value, frozenset) else "set": items}
    if isinstance(value, Mapping):
        if all(isinstance(k, str) for k in value) and not (len(value) == 1 and next(iter(value)) in _TAGS):
            return {k: _encode(v, f"{where}[{k!r}]", arrays) for k, v in value.items()}  # readable JSON
        return {"dict": [[_encode(k, where, arrays), _encode(v, f"{where}[{k!r}]", arrays)] for k, v in value.items()]}
    if arrays is not None and isinstance(value, np.ndarray) and value.dtype.kind in _ARRAY_KINDS:
        return {"ndarray": arrays.put(where, value)}
    raise _unsaveable(where, value)


def _decode(value, arrays: "_Reader | None" = None):
    if isinstance(value, list):
        return [_decode(v, arrays) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) != 1 or next(iter(value)) not in _TAGS:  # a dict with string keys
        return {k: _decode(v, arrays) for k, v in value.items()}
    tag, items = next(iter(value.items()))
    if tag == "ndarray":
        if arrays is None:
            raise _Damaged(f"model.json has an array where none belongs ({items!r})")
        return arrays.get(items)
    if tag == "dict":
        return {_decode(k, arrays): _decode(v, arrays) for k, v in items}
    return {"tuple": tuple, "set": set, "frozenset": frozenset}[tag](_decode(v, arrays) for v in items)


def _put_series(arrays: _Arrays, name: str, s: pd.Series, where: str, omit: bool = False) -> dict:
    """One column: its dtype in JSON, its values as arrays (none if ``omit``: the column comes back all NA)."""
    dtype = s.dtype
    missing = s.isna().to_numpy(dtype=bool)
    if isinstance(dtype, pd.StringDtype):
        na = getattr(dtype, "na_value", pd.NA)
        spec = {"kind": "string", "storage": dtype.storage, "na": "NA" if na is pd.NA else "nan"}
    elif isinstance(dtype, pd.CategoricalDtype):
        cats = pd.Series(dtype.categories)
        return {"kind": "category", "ordered": bool(dtype.ordered), "n_categories": len(cats),
                "categories": _put_series(arrays, f"{name}/categories", cats, f"{where} categories"),
                "codes": arrays.put(f"{name}/codes", s.cat.codes.to_numpy())}
    elif isinstance(dtype, np.dtype) and dtype.kind in _ARRAY_KINDS:
        return {"kind": "numpy", "values": arrays.put(name, s.to_numpy())}
    elif isinstance(s.array, (pd.arrays.IntegerArray, pd.arrays.FloatingArray, pd.arrays.BooleanArray)):
        values = s.to_numpy(dtype=dtype.numpy_dtype, na_value=dtype.numpy_dtype.type(0))
        return {"kind": "masked", "dtype": str(dtype), "values": arrays.put(f"{name}/values", values),
                "missing": arrays.put(f"{name}/missing", missing)}
    elif dtype == object and all(isinstance(v, str) for v in s[~missing]):
        kinds = {"None" if v is None else "NA" if v is pd.NA else "nan" for v in s[missing]}
        if len(kinds) > 1:
            raise _unsaveable(where, f"a column mixing missing values {sorted(kinds)}")
        spec = {"kind": "object", "na": kinds.pop() if kinds else "None"}
    else:
        raise ParameterError(f"TopicModel.save: {where} has dtype {dtype}, which a model file cannot hold; "
                             "convert it to strings or numbers (e.g. .astype('string')) before fitting")
    if omit:
        return {**spec, "omitted": True}
    return {**spec, **arrays.strings(name, s.to_numpy(dtype=object), missing)}


def _put_frame(arrays: _Arrays, name: str, df: pd.DataFrame, omit: Sequence[str] = ()) -> dict:
    index = df.index
    default = isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1
    return {"n": len(df),
            "index": None if default else _put_series(arrays, f"{name}/index", index.to_series(), f"{name} index"),
            "index_name": _encode(index.name, f"{name} index name"),
            "columns": [{"name": _encode(c, f"{name} column name"),
                         **_put_series(arrays, f"{name}/{i}", df[c], f"{name} column {c!r}", omit=c in omit)}
                        for i, c in enumerate(df.columns)]}


def _string_dtype(storage: str, na: str):
    na_value = pd.NA if na == "NA" else np.nan
    try:
        return pd.StringDtype(storage=storage, na_value=na_value)
    except ImportError:  # saved with pyarrow strings, read where pyarrow is missing
        return pd.StringDtype(storage="python", na_value=na_value)


class _Reader:
    """Reads the arrays of an open model file, checking each against model.json before and after."""

    def __init__(self, zf: zipfile.ZipFile, listing):
        if not isinstance(listing, dict):
            raise _Damaged("model.json has no list of arrays")
        self.zf, self.listing = zf, listing

    def get(self, name: str, kind: str | None = None, shape: tuple | None = None) -> np.ndarray:
        entry = f"arrays/{name}.npy"
        spec = self.listing.get(name) if isinstance(name, str) else None
        if not isinstance(spec, dict):
            raise _Damaged(f"array {name} is not listed in model.json")
        try:
            raw = self.zf.read(entry)
        except KeyError:
            raise _Damaged(f"{entry} is missing") from None
        fh = io.BytesIO(raw)
        version = np.lib.format.read_magic(fh)
        if version == (1, 0):
            _, _, dtype = np.lib.format.read_array_header_1_0(fh)
        elif version == (2, 0):
            _, _, dtype = np.lib.format.read_array_header_2_0(fh)
        else:
            raise _Damaged(f"{entry} is a .npy of version {version}, which corpuskit does not write")
        if dtype.hasobject:
            raise _Refused(f"entry {entry} holds Python objects (a pickle), which can run code; corpuskit model "
                           "files hold only numbers and text, so it was not loaded: refit the model and save it again")
        if dtype.kind not in _ARRAY_KINDS:
            raise _Damaged(f"{entry} has dtype {dtype}, which corpuskit does not write")
        a = np.load(io.BytesIO(raw), allow_pickle=False)
        if a.dtype.str != spec.get("dtype"):
            raise _Damaged(f"{entry} has dtype {a.dtype}, model.json says {np.dtype(spec.get('dtype'))}")
        if list(a.shape) != spec.get("shape"):
            raise _Damaged(f"{entry} has shape {a.shape}, model.json says {tuple(spec.get('shape'))}")
        if kind is not None and a.dtype.kind not in kind:
            raise _Damaged(f"{entry} has dtype {a.dtype}")
        if shape is not None and a.shape != tuple(shape):
            raise _Damaged(f"{entry} has shape {a.shape}, the model needs {tuple(shape)}")
        return a

    def strings(self, spec: dict) -> list:
        name, n = spec["strings"], spec["n"]
        data, offsets = self.get(f"{name}/data", "u"), self.get(f"{name}/offsets", "i", (n + 1,))
        if data.ndim != 1 or offsets[0] != 0 or offsets[-1] != len(data) or (np.diff(offsets) < 0).any():
            raise _Damaged(f"the strings {name} do not match their offsets")
        buf = data.tobytes()
        out = [buf[a:b].decode("utf-8", "surrogatepass") for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist())]
        if spec.get("missing"):
            for i in np.flatnonzero(self.get(f"{name}/missing", "b", (n,))):
                out[i] = None
        return out

    def series(self, spec: dict, n: int) -> pd.Series:
        kind = spec.get("kind")
        if kind == "numpy":
            return pd.Series(self.get(spec["values"], _ARRAY_KINDS, (n,)))
        if kind == "masked":
            if spec.get("dtype") not in _MASKED:
                raise _Damaged(f"model.json has a column of unknown dtype {spec.get('dtype')!r}")
            values = pd.Series(self.get(spec["values"], "biuf", (n,))).astype(spec["dtype"])
            return values.mask(self.get(spec["missing"], "b", (n,)))
        if kind == "category":
            cats = self.series(spec["categories"], spec["n_categories"])
            codes = self.get(spec["codes"], "i", (n,))
            if len(codes) and (codes.min() < -1 or codes.max() >= len(cats)):
                raise _Damaged("a categorical column has codes outside its categories")
            return pd.Series(pd.Categorical.from_codes(codes, categories=cats, ordered=spec["ordered"]))
        if kind not in ("string", "object"):
            raise _Damaged(f"model.json has a column of unknown kind {kind!r}")
        values = [None] * n if spec.get("omitted") else self.strings(spec)
        if len(values) != n:
            raise _Damaged(f"a column has {len(values)} values, the table {n} rows")
        if kind == "string":
            return pd.Series(values, dtype=_string_dtype(spec["storage"], spec["na"]))
        na = {"None": None, "NA": pd.NA, "nan": np.nan}[spec["na"]]
        return pd.Series([na if v is None else v for v in values], dtype=object)

    def frame(self, spec: dict) -> pd.DataFrame:
        n = spec["n"]
        names = [_decode(c["name"]) for c in spec["columns"]]
        cols = [self.series(c, n) for c in spec["columns"]]
        index = pd.RangeIndex(n) if spec["index"] is None else pd.Index(self.series(spec["index"], n))
        df = pd.DataFrame(dict(zip(range(len(cols)), cols)), index=pd.RangeIndex(n))
        df.columns = pd.Index(names) if names else df.columns
        df.index = index.rename(_decode(spec["index_name"]))
        return df


def _estimator_state(est, arrays: _Arrays) -> dict:
    """The fitted estimator's attributes (not its parameters, which the model's rebuild)."""
    params = est.get_params(deep=False)
    state = {}
    for key, value in sorted(vars(est).items()):
        if key in params:
            continue
        if isinstance(value, np.ndarray) and value.dtype.kind in _ARRAY_KINDS:
            state[key] = {"array": arrays.put(f"estimator/{key}", value)}
        elif isinstance(value, np.random.RandomState):  # LDA's random_state_: kept to continue fitting
            name, keys, pos, has_gauss, gauss = value.get_state(legacy=True)
            state[key] = {"random_state": [name, arrays.put(f"estimator/{key}", keys), pos, has_gauss, gauss]}
        elif value is None or isinstance(value, (bool, int, float, str, np.integer, np.floating, np.bool_)):
            state[key] = {"value": _encode(value, f"estimator_.{key}")}
    return {"class": type(est).__name__, "attributes": state}


def _set_estimator_state(est, spec: dict, arrays: _Reader) -> None:
    if type(est).__name__ != spec.get("class"):
        raise _Damaged(f"model.json says the estimator is {spec.get('class')!r}, the parameters give "
                       f"{type(est).__name__!r}")
    for key, value in spec["attributes"].items():
        if not (isinstance(key, str) and key.isidentifier() and not key.startswith("__")):
            raise _Damaged(f"model.json names an estimator attribute {key!r}")
        if "array" in value:
            setattr(est, key, arrays.get(value["array"]))
        elif "random_state" in value:
            name, keys, pos, has_gauss, gauss = value["random_state"]
            rs = np.random.RandomState()
            rs.set_state((name, arrays.get(keys, "u", (624,)), pos, has_gauss, gauss))
            setattr(est, key, rs)
        else:
            setattr(est, key, _decode(value["value"]))


def _put_csr(arrays: _Arrays, name: str, m: sp.csr_matrix) -> dict:
    return {"shape": list(m.shape), "data": arrays.put(f"{name}/data", m.data),
            "indices": arrays.put(f"{name}/indices", m.indices), "indptr": arrays.put(f"{name}/indptr", m.indptr)}


def _get_csr(arrays: _Reader, name: str, spec: dict) -> sp.csr_matrix:
    try:
        shape = tuple(int(v) for v in spec["shape"])
        m = sp.csr_matrix((arrays.get(spec["data"], "biuf"), arrays.get(spec["indices"], "i"),
                           arrays.get(spec["indptr"], "i")), shape=shape)
        m.check_format(full_check=True)
    except _Damaged:
        raise
    except (ValueError, TypeError, IndexError) as exc:
        raise _Damaged(f"the sparse matrix {name} is inconsistent: {_one_line(exc)}") from None
    return m


def _looks_like_pickle(path: pathlib.Path) -> bool:
    """Whether the file parses as a pickle's opcodes up to STOP (parsed only: pickletools runs nothing)."""
    with path.open("rb") as fh:
        head = fh.read(1 << 20)
    if len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5:  # PROTO opcode of protocols 2-5
        return True
    try:
        return [op.name for op, _, _ in pickletools.genops(head)][-1] == "STOP"
    except Exception:  # not opcodes, or cut off before STOP
        return False


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _write_model(model: TopicModel, path: pathlib.Path) -> None:
    arrays = _Arrays()
    m = model.dfm_
    idf = None
    if model.method != "lda":  # what TF-IDF weighting of new documents needs
        idf = arrays.put("idf", TfidfTransformer().fit(m.counts).idf_)
    meta = {
        "format": _FORMAT, "format_version": _FORMAT_VERSION, "corpuskit_version": __version__,
        "params": _encode(dict(model.get_params(deep=False), random_state=model.seed_), "TopicModel parameter"),
        "fitted": {"unit_": model.unit_, "n_topics_": int(model.n_topics_), "labels_": list(model.labels_),
                   "seed_": model.seed_},
        "topic_order_": arrays.put("topic_order_", np.asarray(model.topic_order_, dtype=np.int64)),
        "features": {"n": len(model.feature_names_),
                     **arrays.strings("feature_names_", [str(f) for f in model.feature_names_])},
        "idf": idf,
        "components_": arrays.put("components_", model.components_),
        "unit_topics_": arrays.put("unit_topics_", model.unit_topics_),
        "estimator": _estimator_state(model.estimator_, arrays),
        "dfm": {"weighting": m.weighting, "meta": _encode(m.meta, "dfm_.meta", arrays),
                "counts": _put_csr(arrays, "dfm/counts", m.counts),
                "docvars": _put_frame(arrays, "dfm/docvars", m.docvars)},
        "docvars_": _put_frame(arrays, "docvars_", model.docvars_),
    }
    meta["arrays"] = arrays.listing()
    part = path.with_name(path.name + ".part")  # written aside, so a failed save leaves no half file
    try:
        with zipfile.ZipFile(part, "w", allowZip64=True) as zf:
            zf.writestr(_zip_info("model.json"), json.dumps(meta, indent=1).encode("utf-8"))
            for name, a in arrays.arrays.items():
                with zf.open(_zip_info(f"arrays/{name}.npy"), "w", force_zip64=True) as fh:
                    np.save(fh, a, allow_pickle=False)
        part.replace(path)
    finally:
        part.unlink(missing_ok=True)


def _read_model(cls, path: pathlib.Path) -> TopicModel:
    if not path.is_file():
        raise CorpuskitError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise CorpuskitError(f"{path}: not a saved TopicModel (an empty file)")
    if not zipfile.is_zipfile(path):
        if _looks_like_pickle(path):
            raise CorpuskitError(f"{path}: is a Python pickle, which can run code, so it was not opened; corpuskit "
                                 "model files are zip archives written by TopicModel.save — refit the model and "
                                 "save it again")
        raise CorpuskitError(f"{path}: not a saved TopicModel (not a zip archive: another kind of file, or a "
                             "model file cut short); save the model again with TopicModel.save")
    try:
        with zipfile.ZipFile(path) as zf:
            try:
                raw = zf.read("model.json")
            except KeyError:
                raise CorpuskitError(f"{path}: not a saved TopicModel (a zip archive without model.json)") from None
            try:
                meta = json.loads(raw.decode("utf-8"))
            except ValueError as exc:
                raise _Damaged(f"model.json is not JSON: {_one_line(exc)}") from None
            if not isinstance(meta, dict) or meta.get("format") != _FORMAT:
                fmt = meta.get("format") if isinstance(meta, dict) else None
                raise CorpuskitError(f"{path}: not a saved TopicModel (model.json says format {fmt!r})")
            if meta.get("format_version") != _FORMAT_VERSION:
                raise CorpuskitError(f"{path}: saved in TopicModel file format {meta.get('format_version')!r}, "
                                     f"this corpuskit reads format {_FORMAT_VERSION}; refit the model and save it "
                                     "again")
            model = _rebuild(cls, meta, _Reader(zf, meta.get("arrays")))
    except CorpuskitError:
        raise
    except _Refused as exc:
        raise CorpuskitError(f"{path}: {exc}") from None
    except _Damaged as exc:
        raise CorpuskitError(f"{path}: damaged TopicModel file ({exc}); refit the model and save it again") from None
    except Exception as exc:  # any other failure to read a part means the file is not what it says
        raise CorpuskitError(f"{path}: damaged TopicModel file ({_one_line(exc)}); refit the model and save it "
                             "again") from None
    if meta.get("corpuskit_version") != __version__:
        warnings.warn(f"{path} was saved by corpuskit {meta.get('corpuskit_version')}, this is "
                      f"{__version__}; results may differ from a refit", UserWarning, stacklevel=3)
    return model


def _rebuild(cls, meta: dict, arrays: _Reader) -> TopicModel:
    """The fitted model from an open model file, every shape checked against the others."""
    def need(ok: bool, what: str) -> None:
        if not ok:
            raise _Damaged(what)

    try:
        model = cls(**_decode(meta["params"]))
        model._validate()
    except (TypeError, ParameterError) as exc:
        raise _Damaged(f"the parameters in model.json are not valid: {_one_line(exc)}") from None
    fitted = meta["fitted"]
    k, labels = fitted["n_topics_"], fitted["labels_"]
    need(_is_int(k) and k >= 1, f"n_topics_={k!r}")
    need(isinstance(labels, list) and len(labels) == k and all(isinstance(x, str) for x in labels),
         f"labels_ is not {k} strings")
    need(fitted["unit_"] in UNITS, f"unit_={fitted['unit_']!r}")
    features = np.asarray(arrays.strings(meta["features"]), dtype=object)
    p = len(features)
    need(all(f is not None for f in features), "the vocabulary has missing terms")
    counts = _get_csr(arrays, "dfm/counts", meta["dfm"]["counts"])
    n = counts.shape[0]
    need(counts.shape[1] == p, f"the counts have {counts.shape[1]} columns, the vocabulary {p} terms")
    if meta.get("idf") is not None:
        arrays.get(meta["idf"], "f", (p,))
    components = arrays.get(meta["components_"], "f", (k, p))
    unit_topics = arrays.get(meta["unit_topics_"], "f", (n, k))
    dm = meta["dfm"]
    docvars = arrays.frame(dm["docvars"])
    docs = arrays.frame(meta["docvars_"])
    need(len(docvars) == n, f"the unit table has {len(docvars)} rows, the counts {n}")
    order = arrays.get(meta["topic_order_"], "i", (k,))
    need(sorted(order.tolist()) == list(range(k)), "topic_order_ is not an order of the topics")
    seed = fitted.get("seed_")
    need(seed is None or _is_int(seed), f"seed_={seed!r}")
    need({"id", "date", "n_tokens"} <= set(docvars.columns), "dfm_.docvars lacks a column it needs")
    need({"id", "date", "year"} <= set(docs.columns), "docvars_ lacks a column it needs")
    need({"unit_id", "unit", "start", "end", "year"} <= set(docvars.columns), "dfm_.docvars lacks a column it needs")
    need(bool(pd.Index(docvars["id"].astype(str)).isin(docs["id"].astype(str)).all()),
         "dfm_.docvars has documents that docvars_ lacks")
    model.dfm_ = DFM(counts, features, docvars, dm["weighting"], _decode(dm["meta"], arrays))
    model.feature_names_ = features.copy()
    model.components_ = components
    model.unit_topics_ = unit_topics
    model.n_topics_ = k
    model.labels_ = labels
    model.unit_ = fitted["unit_"]
    model.seed_ = seed
    model.topic_order_ = order
    model.docvars_ = docs
    try:
        est = model._estimator(seed)
    except CorpuskitError as exc:
        raise _Damaged(f"the estimator's parameters are not valid: {exc}") from None
    _set_estimator_state(est, meta["estimator"], arrays)
    need(getattr(est, "components_", np.zeros((k, p))).shape == (k, p), "the estimator's components_ do not fit")
    model.estimator_ = est
    return model


# ---------------------------------------------------------------------- choosing k
def average_jaccard(a: Sequence[str], b: Sequence[str], depth: int | None = None) -> float:
    """Average Jaccard of two ranked lists (Greene et al. 2014): the mean over
    d = 1..t of the Jaccard index of their top-d items, t = ``depth`` (default:
    the longer list's length).

    >>> average_jaccard(["a", "b"], ["b", "a"])  # (0 + 1) / 2
    0.5
    """
    t = max(len(a), len(b)) if depth is None else depth
    if t == 0:
        return 0.0
    total = 0.0
    for d in range(1, t + 1):
        sa, sb = set(a[:d]), set(b[:d])
        union = sa | sb
        total += len(sa & sb) / len(union) if union else 0.0
    return total / t


def ranking_agreement(reference: Sequence[Sequence[str]], other: Sequence[Sequence[str]],
                      depth: int | None = None) -> float:
    """Agreement of two sets of k ranked term lists: topics matched one-to-one
    by the Hungarian algorithm to maximize average Jaccard, then the mean AJ
    of the matched pairs (Greene et al. 2014)."""
    if len(reference) != len(other) or not reference:
        raise ParameterError(f"ranking_agreement: both sets need the same number (>0) of topics, "
                             f"got {len(reference)} and {len(other)}")
    sim = np.array([[average_jaccard(r, o, depth) for o in other] for r in reference])
    rows, cols = linear_sum_assignment(sim, maximize=True)
    return float(sim[rows, cols].mean())


def _topic_lists(model: TopicModel, n: int) -> list[list[str]]:
    return [list(model.feature_names_[model._top_indices(k, n)]) for k in range(len(model.components_))]


RECOMMENDATION_RULE = ("the k with the highest stability; any k whose stability is within one standard error "
                       "(over the runs) of that maximum counts as tied, and among tied ks the one with the "
                       "highest mean c_npmi coherence is recommended (then the smaller k)")


def _recommend(table: pd.DataFrame) -> int:
    """Apply RECOMMENDATION_RULE to a table with k, coherence, stability, stability_se."""
    best = table["stability"].idxmax()
    tied = table[table["stability"] >= table.at[best, "stability"] - table.at[best, "stability_se"]]
    return int(tied.sort_values(["coherence", "k"], ascending=[False, True], kind="stable")["k"].iloc[0])


def select_n_topics(corpus, ks: Iterable[int] = range(2, 11), n_runs: int = 10, subsample: float = 0.8,
                    top_n: int = 10, random_state: int | np.random.RandomState | np.random.Generator | None = None,
                    **model_params) -> pd.DataFrame:
    """Compare numbers of topics k by coherence, diversity and stability.

    For each k a reference model is fit on all units (``TopicModel(n_topics=k,
    random_state=random_state, **model_params)``), and ``n_runs`` models on
    random subsamples of ``subsample`` × the units (without replacement) with
    random initialization (``init="random"``; a deterministic init would make
    runs agree trivially). Each run's top-``top_n`` term lists are compared with
    the reference's by Hungarian-matched average Jaccard (Greene, O'Callaghan &
    Cunningham 2014).

    Returns one row per k: k, coherence (mean c_npmi of the reference model's
    top ``top_n`` terms, :meth:`TopicModel.coherence`), diversity (unique terms
    / all terms among the top-``top_n`` lists; Dieng, Ruiz & Blei 2020),
    stability (mean agreement over the runs), stability_se (its standard
    error), recommended (bool).

    Recommendation rule (fixed in advance): the k with the highest stability;
    any k whose stability is within one standard error (over the runs) of that
    maximum counts as tied, and among tied ks the one with the highest mean
    c_npmi coherence is recommended (then the smaller k). Stored in
    ``attrs["recommended_k"]`` and ``attrs["rule"]``. A UserWarning names the k
    and the grid when the recommended k is the largest (or the smallest, above
    1) of ``ks``: the best k may lie beyond the grid, so extend ``ks``.

    ``random_state``: None, an integer seed, or a ``np.random.RandomState`` /
    ``np.random.Generator``, from which one integer seed is drawn (as
    :class:`TopicModel` does); the same integer seed gives the same table.

    Example
    -------
    >>> table = select_n_topics(ck.load_corpus("seeds"), ks=range(2, 9), random_state=0)
    >>> table.attrs["recommended_k"]
    3
    >>> table.columns.tolist()
    ['k', 'coherence', 'diversity', 'stability', 'stability_se', 'recommended']
    """

    ks = list(ks)
    if not ks or not all(_is_int(k) and k >= 1 for k in ks) or len(set(ks)) != len(ks):
        raise ParameterError(f"ks={ks!r}: give distinct integers >= 1, e.g. range(2, 11)")
    _check_positive_int("n_runs", n_runs)
    if not isinstance(subsample, float) or not 0 < subsample <= 1:
        raise ParameterError(f"subsample={subsample!r}: use a proportion of units in (0, 1], e.g. 0.8")
    _check_positive_int("top_n", top_n, minimum=2)
    _check_model_random_state(random_state)
    if "n_topics" in model_params:
        raise ParameterError("n_topics: select_n_topics sets it from ks; leave it out of the model parameters")
    base_seed = _seed(random_state)
    try:
        base = TopicModel(random_state=base_seed, **model_params)
    except TypeError as exc:
        raise ParameterError(f"select_n_topics got an unknown model parameter ({exc})") from None
    base._validate()
    _check_corpus(corpus)
    unit = base._resolve_unit(len(corpus))
    full = base._count(corpus, unit)
    texts = base._unit_tokens(corpus, unit)
    n_units = full.shape[0]
    n_sub = max(1, int(round(subsample * n_units)))
    rows = []
    for k in tqdm(ks, desc="select_n_topics", disable=None):
        ref = clone(base).set_params(n_topics=k)._fit_with(corpus, unit, full)
        ref_lists = _topic_lists(ref, top_n)
        coh = ref.coherence("c_npmi", top_n=top_n, texts=texts).attrs["mean"]
        terms = [t for lst in ref_lists for t in lst]
        diversity = len(set(terms)) / len(terms)
        # one stream per k, so a k's row does not depend on which other ks are compared
        rng = np.random.default_rng(None if base_seed is None else [base_seed, k])
        agreements = []
        for _ in range(n_runs):
            mask = np.zeros(n_units, dtype=bool)
            mask[rng.choice(n_units, size=n_sub, replace=False)] = True
            seed = int(rng.integers(0, 2**31 - 1))
            params = {"random_state": seed}
            if ref.method != "lda":
                params["init"] = "random"
            run = clone(ref).set_params(**params)._fit_counts(full.subset(mask))
            agreements.append(ranking_agreement(ref_lists, _topic_lists(run, top_n), depth=top_n))
        agreements = np.asarray(agreements)
        se = float(agreements.std(ddof=1) / np.sqrt(n_runs)) if n_runs > 1 else 0.0
        rows.append({"k": k, "coherence": coh, "diversity": diversity, "stability": float(agreements.mean()),
                     "stability_se": se})
    table = pd.DataFrame(rows)
    chosen = _recommend(table)
    table["recommended"] = table["k"] == chosen
    # A recommendation at the edge of the grid is a maximum of the grid, not necessarily of k: say so
    # (below k=1 there is nothing to extend to; a grid of one k chooses nothing).
    if len(ks) >= 2 and (chosen == max(ks) or chosen == min(ks) > 1):
        edge = "largest" if chosen == max(ks) else "smallest"
        warnings.warn(f"select_n_topics: the recommended k={chosen} is the {edge} k of the grid ks={sorted(ks)}; "
                      "the best k may lie beyond the grid; extend ks", UserWarning, stacklevel=2)
    table.attrs.update({"recommended_k": chosen, "rule": RECOMMENDATION_RULE, "top_n": top_n, "n_runs": n_runs,
                        "subsample": subsample, "unit": unit})
    return table
