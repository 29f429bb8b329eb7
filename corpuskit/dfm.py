"""Document-feature matrices (quanteda's dfm): sparse counts with unit metadata.

``dfm(corpus, unit=...)`` tokenizes with :func:`corpuskit.tokens.tokenize` (the
one tokenizing path) and counts features per unit: a whole document, a
paragraph (a non-blank line: files differ in whether paragraphs are separated by
blank lines or single newlines, so every non-blank line counts), a sentence, or
a window of ``window`` consecutive sentences within a document.

The matrix is a ``scipy.sparse.csr_matrix`` and stays sparse through every
operation (trim, group, tf-idf weighting, selection).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .clean import split_lines
from .errors import ParameterError
from .periods import assign_periods
from .tokens import Pattern, sentence_spans, tokenize

__all__ = ["DFM", "dfm", "units", "UNITS"]

UNITS = ("document", "paragraph", "sentence", "window")


def _unit_spans(text: str, unit: str, window: int) -> list[tuple[int, int]]:
    if unit == "document":
        return [(0, len(text))]
    if unit == "paragraph":
        return [(s, e) for s, e, _ in split_lines(text) if text[s:e].strip()]
    sents = sentence_spans(text)
    if unit == "sentence":
        return sents
    return [(sents[i][0], sents[min(i + window, len(sents)) - 1][1]) for i in range(0, len(sents), window)]


def units(corpus, unit: str = "document", window: int = 3) -> pd.DataFrame:
    """The modeled units of a corpus: unit_id, id, unit (index in document), start, end, text.

    Offsets are into each document's clean text.
    """
    if unit not in UNITS:
        raise ParameterError(f"unit={unit!r}: choose one of {', '.join(UNITS)}")
    if unit == "window" and (not isinstance(window, (int, np.integer)) or window < 1):
        raise ParameterError(f"window={window!r}: the number of sentences per window must be a positive integer")
    dv = corpus.docvars
    rows = []
    for i, text in enumerate(corpus.iter_texts()):
        doc_id = dv["id"].iat[i]
        for k, (s, e) in enumerate(_unit_spans(text, unit, window)):
            rows.append((f"{doc_id}#{k}" if unit != "document" else doc_id, doc_id, k, s, e, text[s:e]))
    df = pd.DataFrame(rows, columns=["unit_id", "id", "unit", "start", "end", "text"])
    return df.astype({"unit_id": "string", "id": "string", "text": "string"})


@dataclass
class DFM:
    """A document-feature matrix: ``counts`` (units × features, CSR), ``features``, ``docvars``.

    ``docvars`` has one row per unit: unit_id, id (its document), unit, start,
    end, n_tokens and the document's date, date_end, date_precision, year (plus
    any other document metadata). ``weighting`` says what the cells hold.

    Example
    -------
    >>> m = dfm(corpus, unit="sentence", stop_words="english")   # doctest: +SKIP
    >>> m.trim(min_docfreq=2).tfidf().counts.shape                # doctest: +SKIP
    """

    counts: sp.csr_matrix
    features: np.ndarray
    docvars: pd.DataFrame
    weighting: str = "count"
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.counts = sp.csr_matrix(self.counts)
        self.features = np.asarray(self.features, dtype=object)
        if self.counts.shape != (len(self.docvars), len(self.features)):
            raise ValueError(f"counts shape {self.counts.shape} does not match "
                             f"{len(self.docvars)} units × {len(self.features)} features")

    def __repr__(self) -> str:
        n, p = self.counts.shape
        dens = self.counts.nnz / max(n * p, 1)
        return f"<DFM {n} units × {p} features, {self.weighting}, {100 * (1 - dens):.1f}% sparse>"

    @property
    def shape(self) -> tuple[int, int]:
        return self.counts.shape

    def get_feature_names_out(self) -> np.ndarray:
        return self.features.copy()

    def _with(self, counts=None, features=None, docvars=None, weighting=None) -> "DFM":
        return replace(self, counts=self.counts if counts is None else counts,
                       features=self.features if features is None else features,
                       docvars=self.docvars if docvars is None else docvars.reset_index(drop=True),
                       weighting=self.weighting if weighting is None else weighting, meta=dict(self.meta))

    def _require_counts(self, op: str) -> None:
        if self.weighting != "count":
            raise ParameterError(f"{op} needs raw counts, but this dfm is weighted ({self.weighting}); "
                                 f"call {op} before weighting")

    # -- feature statistics -------------------------------------------------------------
    def termfreq(self) -> np.ndarray:
        return np.asarray(self.counts.sum(axis=0)).ravel()

    def docfreq(self) -> np.ndarray:
        return np.diff(self.counts.tocsc().indptr)

    def topfeatures(self, n: int = 10) -> pd.Series:
        """The ``n`` most frequent features (ties broken alphabetically)."""
        tf = self.termfreq()
        order = np.lexsort((self.features, -tf))[:n]
        return pd.Series(tf[order], index=self.features[order], name="frequency")

    # -- operations ----------------------------------------------------------------------
    def select_features(self, mask: np.ndarray) -> "DFM":
        mask = np.asarray(mask, dtype=bool)
        return self._with(counts=self.counts[:, np.flatnonzero(mask)], features=self.features[mask])

    def trim(self, min_termfreq: int = 1, min_docfreq: int | float = 1, max_docfreq: int | float = 1.0,
             max_features: int | None = None) -> "DFM":
        """Drop rare and common features (``float`` docfreqs are proportions of units)."""
        n = self.counts.shape[0]
        tf, df = self.termfreq(), self.docfreq()
        lo = min_docfreq * n if isinstance(min_docfreq, float) else min_docfreq
        hi = max_docfreq * n if isinstance(max_docfreq, float) else max_docfreq
        mask = (tf >= min_termfreq) & (df >= lo) & (df <= hi)
        if max_features is not None and mask.sum() > max_features:
            order = np.lexsort((self.features, -tf))
            keep = order[mask[order]][:max_features]
            mask = np.zeros_like(mask)
            mask[keep] = True
        return self.select_features(mask)

    def select(self, patterns: str | Sequence[str], remove: bool = False) -> "DFM":
        """Keep (or with ``remove=True`` drop) features matching words or globs."""
        pats = [patterns] if isinstance(patterns, str) else list(patterns)
        hit = np.zeros(len(self.features), dtype=bool)
        for p in pats:
            pat = Pattern(p)
            if len(pat.words) != 1:
                # n-gram features are joined with "_"
                pat = Pattern("_".join(pat.words))
            hit |= pat._word_match(0, self.features.astype(str))
        return self.select_features(~hit if remove else hit)

    def subset(self, mask: Iterable[bool]) -> "DFM":
        """Keep the units where ``mask`` is true."""
        mask = np.asarray(list(mask), dtype=bool)
        return self._with(counts=self.counts[np.flatnonzero(mask)], docvars=self.docvars[mask])

    def group(self, by: str = "id") -> "DFM":
        """Sum the rows within groups: ``"id"`` (units back to documents), a docvars
        column, or a period (``"year"``, ``"month"``, ``"5Y"`` …)."""
        self._require_counts("group")
        dv = self.docvars
        if by in dv.columns:
            keys = dv[by].astype(str).to_numpy()
        else:
            keys = np.asarray(assign_periods(dv["date"], by, precision=dv.get("date_precision")).astype(str))
        labels, inv = np.unique(keys, return_inverse=True)
        # keep first-appearance order (document order for "id", time order for periods)
        first = np.array([np.flatnonzero(inv == g)[0] for g in range(len(labels))])
        order = np.argsort(first, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        g = sp.csr_matrix((np.ones(len(keys)), (rank[inv], np.arange(len(keys)))), shape=(len(labels), len(keys)))
        counts = (g @ self.counts).astype(self.counts.dtype)
        rep = dv.iloc[first[order]].copy()
        rep["n_tokens"] = np.bincount(rank[inv], weights=dv["n_tokens"].to_numpy(), minlength=len(labels)).astype(int)
        if by != "id" and by not in dv.columns:
            rep["period"] = labels[order]
        rep["unit_id"] = labels[order]
        rep["unit"] = 0
        return self._with(counts=sp.csr_matrix(counts), docvars=rep)

    def tfidf(self, norm: str | None = "l2", smooth_idf: bool = True, sublinear_tf: bool = False) -> "DFM":
        """TF-IDF weighting, exactly scikit-learn's ``TfidfTransformer`` with these options."""
        self._require_counts("tfidf")
        from sklearn.feature_extraction.text import TfidfTransformer
        tr = TfidfTransformer(norm=norm, smooth_idf=smooth_idf, sublinear_tf=sublinear_tf)
        weighted = tr.fit_transform(self.counts)
        out = self._with(counts=sp.csr_matrix(weighted), weighting="tfidf")
        out.meta["idf"] = tr.idf_
        return out

    def proportions(self) -> "DFM":
        """Each row divided by its total (rows that are all zero stay zero)."""
        tot = np.asarray(self.counts.sum(axis=1)).ravel().astype(float)
        inv = np.divide(1.0, tot, out=np.zeros_like(tot), where=tot > 0)
        return self._with(counts=sp.csr_matrix(sp.diags(inv) @ self.counts), weighting="proportion")

    def to_frame(self) -> pd.DataFrame:
        """A (sparse-backed) DataFrame: one row per unit, one column per feature."""
        df = pd.DataFrame.sparse.from_spmatrix(self.counts, columns=list(self.features))
        df.index = pd.Index(self.docvars["unit_id"], name="unit_id")
        return df


def _analyzer(text: str, stop_words, stem: bool, ngrams, min_len: int) -> list[str]:
    return tokenize(text, stop_words=stop_words, stem=stem, ngrams=ngrams, min_len=min_len)


def dfm(corpus, unit: str = "document", *, window: int = 3, stop_words: str | Iterable[str] | None = None,
        stem: bool = False, ngrams: int | Sequence[int] = 1, min_len: int = 1) -> DFM:
    """Count features per unit of a corpus.

    Parameters
    ----------
    unit : "document", "paragraph" (non-blank line), "sentence" or "window"
        (``window`` consecutive sentences of one document).
    stop_words : None (default, as quanteda), "english" (scikit-learn's list) or a collection.
    stem : Snowball (Porter 2) stemming.
    ngrams : 1, or e.g. (1, 2) for unigrams and bigrams joined with "_".

    Example
    -------
    >>> import corpuskit as ck
    >>> m = ck.dfm(ck.load_corpus("seeds"), unit="sentence", stop_words="english")  # doctest: +SKIP
    """
    from sklearn.feature_extraction.text import CountVectorizer

    u = units(corpus, unit, window)
    if len(u) == 0:
        raise ParameterError("the corpus has no text to count (no units)")
    analyzer = partial(_analyzer, stop_words=stop_words, stem=stem, ngrams=ngrams, min_len=min_len)
    vec = CountVectorizer(analyzer=analyzer, dtype=np.int64)
    try:
        counts = vec.fit_transform(u["text"].tolist())
    except ValueError:
        raise ParameterError("the vocabulary is empty after tokenizing (every token was a stop word "
                             "or the texts have no words); relax stop_words or min_len") from None
    counts = sp.csr_matrix(counts)
    counts.sort_indices()
    dv = corpus.docvars
    merged = u.drop(columns="text").merge(dv, on="id", how="left", sort=False)
    if ngrams in (1, (1,)):
        merged["n_tokens"] = np.asarray(counts.sum(axis=1)).ravel().astype(int)
    else:  # n_tokens counts unigrams, whatever features are counted
        merged["n_tokens"] = [len(tokenize(t, stop_words=stop_words, stem=stem, min_len=min_len)) for t in u["text"]]
    return DFM(counts, vec.get_feature_names_out(), merged, "count",
               meta={"unit": unit, "window": window, "stop_words": stop_words, "stem": stem, "ngrams": ngrams})
