"""Document-feature matrices (quanteda's dfm): sparse counts with unit metadata.

``dfm(corpus, unit=...)`` tokenizes with :func:`corpuskit.tokenizer.tokenize` (the
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
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.preprocessing import normalize as normalize_rows  # tokenizer.normalize normalizes text

from .chunks import Merger, concat_docvars, is_streaming, prepare_chunk, release_memory, run_chunks
from .clean import split_lines
from .errors import ParameterError
from .periods import assign_periods, period_labels
from .tokenizer import (TOKEN_RE, Pattern, Tokens, check_remove_punct, is_number, normalize, sentence_spans, stemmer,
                        stop_set, tokenize)

__all__ = ["DFM", "dfm", "units", "unit_texts", "UNITS"]

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


def units(corpus, unit: str = "document", window: int = 3, text: bool = True) -> pd.DataFrame:
    """The modeled units of a corpus: unit_id, id, unit (index in document), start, end, text.

    Offsets are into each document's clean text. ``text=False`` leaves out the text
    column (the units' texts are then :func:`unit_texts` of the table).

    >>> units(corpus, "sentence", text=False).columns.tolist()
    ['unit_id', 'id', 'unit', 'start', 'end']
    """
    if unit not in UNITS:
        raise ParameterError(f"unit={unit!r}: choose one of {', '.join(UNITS)}")
    if unit == "window" and (not isinstance(window, (int, np.integer)) or window < 1):
        raise ParameterError(f"window={window!r}: the number of sentences per window must be a positive integer")
    ids = corpus.docvars["id"].tolist()
    rows = []
    for doc_id, doc_text in zip(ids, corpus.iter_texts()):
        for k, (s, e) in enumerate(_unit_spans(doc_text, unit, window)):
            row = (f"{doc_id}#{k}" if unit != "document" else doc_id, doc_id, k, s, e)
            rows.append(row + (doc_text[s:e],) if text else row)
    cols = ["unit_id", "id", "unit", "start", "end"] + (["text"] if text else [])
    df = pd.DataFrame(rows, columns=cols)
    return df.astype({"unit_id": "string", "id": "string", **({"text": "string"} if text else {})})


def unit_texts(corpus, table: pd.DataFrame) -> Iterable[str]:
    """The texts of a :func:`units` table's rows, one at a time, cut from the corpus's clean texts.

    Counting from this generator rather than a text column keeps one copy of the corpus's
    text in memory: on all 10,952 UN General Debate statements (199 MB) the text column and
    its list cost 950 MB of peak memory (benchmarks/NOTES.md).

    >>> t = units(corpus, "sentence", text=False)
    >>> next(iter(unit_texts(corpus, t))) == units(corpus, "sentence")["text"].iat[0]
    True
    """
    doc_of = dict(zip(corpus.docvars["id"].tolist(), corpus.iter_texts()))
    for doc_id, s, e in zip(table["id"].tolist(), table["start"].tolist(), table["end"].tolist()):
        doc_text = doc_of[doc_id]
        # a whole-document unit is the document's string itself, not a copy
        yield doc_text if s == 0 and e == len(doc_text) else doc_text[s:e]


@dataclass
class DFM:
    """A document-feature matrix: ``counts`` (units × features, CSR), ``features``, ``docvars``.

    ``docvars`` has one row per unit: unit_id, id (its document), unit, start,
    end, n_tokens and the document's date, date_end, date_precision, year (plus
    any other document metadata). ``weighting`` says what the cells hold.

    Example
    -------
    >>> m = dfm(corpus, unit="sentence", stop_words="english")
    >>> m
    <DFM 132 units × 1099 features, count, 98.6% sparse>
    >>> m.trim(min_docfreq=2).tfidf().counts.shape
    (132, 281)
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
        if mask.all():  # nothing dropped: the counts are shared, not copied (a DFM is never changed in place)
            return self._with()
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
            hit |= pat.word_match(0, self.features.astype(str))
        return self.select_features(~hit if remove else hit)

    def subset(self, mask: Iterable[bool]) -> "DFM":
        """Keep the units where ``mask`` is true."""
        mask = np.asarray(list(mask), dtype=bool)
        return self._with(counts=self.counts[np.flatnonzero(mask)], docvars=self.docvars[mask])

    def group(self, by: str = "id", *, origin: "str | pd.Timestamp | None" = None) -> "DFM":
        """Sum the rows within groups: ``"id"`` (units back to documents), a docvars
        column, or a period (``"year"``, ``"decade"``, ``"5Y"`` …, binned from ``origin`` as everywhere:
        :func:`corpuskit.periods.assign_periods`; rows are labeled like ``"2010–2019"``).

        >>> g = dfm(corpus).group("decade")
        >>> g.docvars[["unit_id", "n_tokens"]]
              unit_id  n_tokens
        0  2000–2009       439
        1  2020–2029      3369
        """
        self._require_counts("group")
        dv = self.docvars
        if by in dv.columns:
            keys = dv[by].astype(str).to_numpy()
        else:
            keys = period_labels(assign_periods(dv["date"], by, precision=dv.get("date_precision"), origin=origin))
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

    def tfidf(self, norm: str | None = "l2", smooth_idf: bool = True, sublinear_tf: bool = False,
              dtype="float64") -> "DFM":
        """TF-IDF weighting, exactly scikit-learn's ``TfidfTransformer`` with these options
        (``dtype="float32"``: the values in float32, half the memory, rounded to float32).

        The same steps as ``TfidfTransformer.transform`` (float values, log for
        ``sublinear_tf``, times the idf of each value's column, rows normalized in
        place), but the result shares the counts' ``indices`` and ``indptr``: on a
        large corpus only the values are a new array (tests compare with
        ``TfidfTransformer``).
        """
        self._require_counts("tfidf")
        c = self.counts
        tr = TfidfTransformer(norm=norm, smooth_idf=smooth_idf, sublinear_tf=sublinear_tf).fit(c)
        try:
            ok = np.dtype(dtype) in (np.float64, np.float32)
        except TypeError:  # not a dtype at all ("foo")
            ok = False
        if not ok:
            raise ParameterError(f"dtype={dtype!r}: use 'float64' or 'float32'")
        data = c.data.astype(dtype)
        if sublinear_tf:
            np.log(data, data)
            data += 1.0
        step = 1 << 24  # the idf gather in blocks: no second array of the full size
        for a in range(0, len(data), step):
            data[a:a + step] *= tr.idf_[c.indices[a:a + step]]
        weighted = sp.csr_matrix((data, c.indices, c.indptr), shape=c.shape, copy=False)
        if norm is not None:
            weighted = normalize_rows(weighted, norm=norm, copy=False)
        out = self._with(counts=weighted, weighting="tfidf")
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


def _analyzer(text: str, stop_words, stem: bool, ngrams, min_len: int, remove_numbers: bool) -> list[str]:
    return tokenize(text, stop_words=stop_words, stem=stem, ngrams=ngrams, min_len=min_len,
                    remove_numbers=remove_numbers)


def dfm(corpus, unit: str = "document", *, window: int = 3, stop_words: str | Iterable[str] | None = None,
        stem: bool = False, ngrams: int | Sequence[int] = 1, min_len: int = 1, remove_numbers: bool = False,
        remove_punct: bool = True, n_jobs: int | None = None, chunk_size: int | None = None,
        progress: bool | None = None, dtype=np.int64) -> DFM:
    """Count features per unit of a corpus.

    Parameters
    ----------
    corpus : a Corpus, its :class:`~corpuskit.tokenizer.Tokens` (a document dfm of unigrams is counted from
        them), or a :class:`~corpuskit.stream.StreamingCorpus` (counted chunk by chunk).
    unit : "document", "paragraph" (non-blank line), "sentence" or "window"
        (``window`` consecutive sentences of one document).
    stop_words : None (default, as quanteda), "english" (scikit-learn's list), "english_extended" (that list
        with contractions and honorifics) or a collection, e.g. ``ck.stop_words("english_extended",
        add=["applause"])``.
    stem : Snowball (Porter 2) stemming.
    remove_numbers : drop tokens that are digits only ("000", "1990"; quanteda's ``remove_numbers``).
    remove_punct : must be True: corpuskit's tokens never hold punctuation (quanteda's option, for parity).
    ngrams : 1, or e.g. (1, 2) for unigrams and bigrams joined with "_".
    n_jobs : count chunks of documents in this many joblib worker processes
        (-1: all cores) and merge the chunk vocabularies and counts exactly: the
        features, counts and docvars equal the single-process result.
    chunk_size : documents per chunk (default 1000; a StreamingCorpus uses its own).
    progress : a tqdm progress bar; None (default) shows it only on a terminal.
    dtype : the counts' dtype, ``np.int64`` (default, as scikit-learn's CountVectorizer) or
        ``np.int32``, which halves the matrix's values on a large corpus (a cell is one unit's
        count of one feature, far below 2**31).

    Example
    -------
    >>> import corpuskit as ck
    >>> m = ck.dfm(ck.load_corpus("seeds"), unit="sentence", stop_words="english")
    >>> m.counts.shape, m.features[:3].tolist()
    ((132, 1099), ['0', '000', '1'])
    >>> m.docvars[["unit_id", "id", "unit", "n_tokens", "year"]].head(3)
      unit_id   id  unit  n_tokens  year
    0   000#0  000     0        19  2006
    1   000#1  000     1        13  2006
    2   000#2  000     2         4  2006
    >>> ck.dfm(ck.stream_corpus("archive/*.jsonl"), n_jobs=-1)
    <DFM 5 units × 1252 features, count, 71.3% sparse>
    """

    dtype = check_dtype(dtype)
    check_remove_punct(remove_punct)
    stop_set(stop_words)  # an unknown list name is reported here, not as an empty vocabulary
    if isinstance(corpus, Tokens):
        if unit == "document" and ngrams in (1, (1,), [1]) and n_jobs is None and chunk_size is None:
            # counted from the tokens as they are (the chunked path's counting, so the same matrix)
            if len(corpus) == 0:
                raise ParameterError("the corpus has no text to count (no units)")
            merger = Merger(dtype)
            merger.add(count_tokenized(corpus, stop_words=stop_words, stem=stem, min_len=min_len,
                                       remove_numbers=remove_numbers))
            return finish_dfm(merger, corpus.docvars, dict(unit=unit, window=window, stop_words=stop_words, stem=stem,
                                                        ngrams=ngrams, remove_numbers=remove_numbers))
        corpus = corpus.corpus  # other units re-split the texts
    if n_jobs is not None or chunk_size is not None or not hasattr(corpus, "documents"):
        return _chunked_dfm(corpus, unit, window=window, stop_words=stop_words, stem=stem, ngrams=ngrams,
                            min_len=min_len, remove_numbers=remove_numbers, n_jobs=n_jobs, chunk_size=chunk_size, progress=progress, dtype=dtype)
    u = units(corpus, unit, window, text=False)
    if len(u) == 0:
        raise ParameterError("the corpus has no text to count (no units)")
    analyzer = partial(_analyzer, stop_words=stop_words, stem=stem, ngrams=ngrams, min_len=min_len,
                       remove_numbers=remove_numbers)
    vec = CountVectorizer(analyzer=analyzer, dtype=dtype)
    try:
        counts = vec.fit_transform(unit_texts(corpus, u))
    except ValueError:
        raise ParameterError("the vocabulary is empty after tokenizing (every token was a stop word "
                             "or the texts have no words); relax stop_words or min_len") from None
    counts = sp.csr_matrix(counts)
    counts.sort_indices()
    dv = corpus.docvars
    merged = u.merge(dv, on="id", how="left", sort=False)
    if ngrams in (1, (1,)):
        merged["n_tokens"] = np.asarray(counts.sum(axis=1)).ravel().astype(int)
    else:  # n_tokens counts unigrams, whatever features are counted
        merged["n_tokens"] = [len(tokenize(t, stop_words=stop_words, stem=stem, min_len=min_len,
                                           remove_numbers=remove_numbers)) for t in unit_texts(corpus, u)]
    return DFM(counts, vec.get_feature_names_out(), merged, "count",
               meta={"unit": unit, "window": window, "stop_words": stop_words, "stem": stem, "ngrams": ngrams,
                     "remove_numbers": remove_numbers})


# ---------------------------------------------------------------------------- chunked / parallel counting
_DTYPES = (np.int64, np.int32)


def check_dtype(dtype) -> type:
    """The count dtype ``dtype=`` names (np.int64 or np.int32), or a ParameterError naming it."""
    try:
        given = np.dtype(dtype)
    except TypeError:
        given = None
    for d in _DTYPES:
        if given == d:
            return d
    raise ParameterError(f"dtype={dtype!r}: use np.int64 (default) or np.int32 for the counts")


def check_unit(unit: str, window) -> None:
    """Raise a ParameterError naming ``unit``/``window`` unless they are a known unit and a positive window."""
    if unit not in UNITS:
        raise ParameterError(f"unit={unit!r}: choose one of {', '.join(UNITS)}")
    if unit == "window" and (not isinstance(window, (int, np.integer)) or window < 1):
        raise ParameterError(f"window={window!r}: the number of sentences per window must be a positive integer")


def count_texts(ids: Sequence[str], texts: Sequence[str], unit: str = "document", *, window: int = 3,
                stop_words=None, stem: bool = False, ngrams: int | Sequence[int] = 1,
                min_len: int = 1, remove_numbers: bool = False) -> dict:
    """Count the units of some documents with a chunk-local vocabulary.

    Returns ``units`` (unit_id, id, unit, start, end), ``features`` (chunk
    vocabulary, object array), ``counts`` (CSR, int64) and ``n_tokens``. The
    tokens are those of :func:`corpuskit.tokenizer.tokenize`; for unigrams the stop
    words, ``min_len`` and stemming are applied once per distinct word rather
    than per token (the same result, computed over the vocabulary).
    """
    uid, udoc, uk, us, ue, utext = [], [], [], [], [], []
    for doc_id, text in zip(ids, texts):
        for k, (s, e) in enumerate(_unit_spans(text, unit, window)):
            uid.append(f"{doc_id}#{k}" if unit != "document" else doc_id)
            udoc.append(doc_id)
            uk.append(k)
            us.append(s)
            ue.append(e)
            utext.append(text[s:e] if unit != "document" else text)
    table = pd.DataFrame({"unit_id": uid, "id": udoc, "unit": np.asarray(uk, dtype=np.int64),
                          "start": np.asarray(us, dtype=np.int64), "end": np.asarray(ue, dtype=np.int64)})
    ns = (ngrams,) if isinstance(ngrams, (int, np.integer)) else tuple(ngrams)
    unigram = ns == (1,)
    if unigram:
        toks = [TOKEN_RE.findall(normalize(t)) for t in utext]
    else:
        toks = [tokenize(t, stop_words=stop_words, stem=stem, ngrams=ngrams, min_len=min_len,
                         remove_numbers=remove_numbers) for t in utext]
    lengths = np.fromiter((len(t) for t in toks), dtype=np.int64, count=len(toks))
    flat = [w for t in toks for w in t]
    codes, feats = pd.factorize(np.asarray(flat, dtype=object))
    feats = np.asarray(feats, dtype=object)
    rows = np.repeat(np.arange(len(toks)), lengths)
    m = sp.csr_matrix((np.ones(len(codes), dtype=np.int64), (rows, codes)), shape=(len(toks), len(feats)))
    if unigram:
        m, feats = _filter_features(m, feats, stop_words, stem, min_len, remove_numbers)
        n_tokens = np.asarray(m.sum(axis=1)).ravel().astype(np.int64)
    else:  # n_tokens counts unigrams, whatever features are counted
        n_tokens = np.fromiter((len(tokenize(t, stop_words=stop_words, stem=stem, min_len=min_len,
                                             remove_numbers=remove_numbers)) for t in utext), np.int64, len(utext))
    return {"units": table, "features": feats, "counts": sp.csr_matrix(m), "n_tokens": n_tokens}


def _filter_features(m: sp.csr_matrix, feats: np.ndarray, stop_words, stem: bool, min_len: int,
                     remove_numbers: bool = False):
    """Unigram counts with stop words, short words and numbers dropped and words stemmed, applied once per
    distinct word of the vocabulary rather than per token (the same result)."""
    stop = stop_set(stop_words)
    if stop or min_len > 1 or remove_numbers:
        keep = np.fromiter((w not in stop and len(w) >= min_len for w in feats), bool, len(feats))
        if remove_numbers:
            keep &= ~is_number(feats)
        idx = np.flatnonzero(keep)
        m, feats = m[:, idx], feats[idx]
    if stem:
        st = stemmer()
        stem_codes, feats = pd.factorize(np.asarray([st.stem(w) for w in feats], dtype=object))
        feats = np.asarray(feats, dtype=object)
        m = sp.csr_matrix((m.data, stem_codes[m.indices], m.indptr), shape=(m.shape[0], len(feats)))
        m.sum_duplicates()
    return m, feats


def count_tokenized(tk: Tokens, *, stop_words=None, stem: bool = False, min_len: int = 1,
                    remove_numbers: bool = False) -> dict:
    """:func:`count_texts` for whole documents and unigrams, from a :class:`~corpuskit.tokenizer.Tokens`
    instead of tokenizing again (``tests/test_fast_paths.py`` checks the counts equal
    :func:`count_texts`'s).

    >>> count_tokenized(ck.tokens(corpus), stop_words="english")["counts"].shape
    (5, 1099)
    """
    n = len(tk)
    feats = np.asarray(tk.vocabulary, dtype=object)
    m = sp.csr_matrix((np.ones(len(tk.codes), dtype=np.int64), (tk.doc, tk.codes)), shape=(n, len(feats)))
    m, feats = _filter_features(m, feats, stop_words, stem, min_len, remove_numbers)
    ids = tk.ids
    table = pd.DataFrame({"unit_id": ids, "id": ids, "unit": np.zeros(n, np.int64),
                          "start": np.zeros(n, np.int64),
                          "end": np.fromiter(map(len, tk.texts), np.int64, n)})
    return {"units": table, "features": feats, "counts": sp.csr_matrix(m),
            "n_tokens": np.asarray(m.sum(axis=1)).ravel().astype(np.int64)}


def _dfm_worker(raw, prep: dict, **opts):
    if raw[0] == "texts":
        ids, texts, dv = raw[1], raw[2], None
    else:
        chunk, problems = prepare_chunk(raw, **prep)
        if problems:
            return None, problems, []
        ids, texts, dv = chunk.ids, list(chunk.iter_texts()), chunk.docvars
    res = count_texts(ids, texts, **opts)
    res["docvars"] = dv
    return res, [], list(ids)


def _chunked_dfm(corpus, unit: str, *, window: int, stop_words, stem: bool, ngrams, min_len: int,
                 remove_numbers: bool, n_jobs: int | None, chunk_size: int | None, progress: bool | None, dtype=np.int64) -> DFM:
    check_unit(unit, window)
    if chunk_size is not None and (isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer))
                                   or chunk_size < 1):
        raise ParameterError(f"chunk_size={chunk_size!r}: use a positive number of documents per chunk")
    if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or n_jobs == 0):
        raise ParameterError(f"n_jobs={n_jobs!r}: use a positive number of processes, or -1 for all cores")
    streaming = is_streaming(corpus)
    opts = dict(unit=unit, window=window, stop_words=stop_words, stem=stem, ngrams=ngrams, min_len=min_len,
                remove_numbers=remove_numbers)
    merger = Merger(dtype)
    for res in run_chunks(corpus, _dfm_worker, opts, n_jobs=n_jobs, progress=progress, chunk_size=chunk_size,
                          desc="dfm", texts_only=True):
        merger.add(res)
    if streaming:
        dv = concat_docvars(merger.docvars)
        corpus.set_docvars(dv)  # the pass that counted also read every document's metadata
    else:
        dv = corpus.docvars
    return finish_dfm(merger, dv, opts)


def finish_dfm(merger: Merger, dv: pd.DataFrame, opts: dict) -> DFM:
    """The DFM from merged chunk counts and the documents' docvars."""
    u = (pd.concat(merger.units, ignore_index=True) if merger.units
         else pd.DataFrame(columns=["unit_id", "id", "unit", "start", "end"]))
    if len(u) == 0:
        raise ParameterError("the corpus has no text to count (no units)")
    counts, features = merger.matrix()
    if len(features) == 0:
        raise ParameterError("the vocabulary is empty after tokenizing (every token was a stop word "
                             "or the texts have no words); relax stop_words or min_len")
    u = u.astype({"unit_id": "string", "id": "string"})
    merged = u.merge(dv, on="id", how="left", sort=False)
    merged["n_tokens"] = np.concatenate(merger.n_tokens).astype(int)
    meta = {k: opts[k] for k in ("unit", "window", "stop_words", "stem", "ngrams")}
    meta["remove_numbers"] = opts.get("remove_numbers", False)
    out = DFM(counts, features, merged, "count", meta=meta)
    # the merger is spent: its chunk pieces go, and the heap they fragmented goes back to the OS
    merger.units.clear(), merger.n_tokens.clear(), merger.docvars.clear()
    release_memory()
    return out
