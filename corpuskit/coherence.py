"""Topic coherence (c_npmi, u_mass) from sparse co-occurrence counts.

The measures follow Röder, Both & Hinneburg (2015), "Exploring the space of
topic coherence measures" (WSDM), and Mimno et al. (2011), "Optimizing semantic
coherence in topic models" (EMNLP), and reproduce gensim 4.4's
``CoherenceModel`` numbers for the same token streams and top-term lists:

* ``c_npmi``: boolean sliding windows of ``window_size`` tokens (default 10)
  over each text; a text shorter than the window is one window (an empty text
  too: it counts in the number of windows N). For every ordered pair of
  distinct top terms (one-one segmentation),
  NPMI = log((P(wi, wj) + eps) / (P(wi) P(wj))) / -log(P(wi, wj) + eps), with
  P = window counts / N and eps = 1e-12; a topic's coherence is the mean.
* ``u_mass``: boolean document counts D; for every pair of top terms wi ranked
  below wj (one-preceding segmentation), log((D(wi, wj)/N + eps) / (D(wj)/N)),
  N the number of texts; a topic's coherence is the mean.

Window counting. gensim 4.4's ``WordOccurrenceAccumulator`` updates the set of
words in a window incrementally: when the window slides, the token leaving it is
removed from the set even if it occurs again inside the window. So a word that
repeats within ``window_size`` tokens is dropped from the following windows until
a fresh occurrence enters. ``windows="gensim"`` (default) reproduces these counts
exactly, so numbers are comparable with published gensim results;
``windows="exact"`` counts a word in every window that contains it (the
definition in Röder et al.). Both are computed from a sparse boolean
windows × terms matrix X (co-occurrence = XᵀX), without a Python loop over tokens.

N-gram top terms (features joined with ``_`` or given as tuples) count as
present in a window or text when all their words are present there; this keeps
the windows defined on the unigram token stream.
"""
from __future__ import annotations

import itertools
from typing import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .errors import ParameterError

__all__ = ["topic_coherence", "boolean_windows", "boolean_documents", "MEASURES", "EPSILON"]

MEASURES = ("c_npmi", "u_mass")
# gensim.topic_coherence.direct_confirmation_measure.EPSILON (Röder et al. 2015)
EPSILON = 1e-12
_WINDOWS = ("gensim", "exact")


def _term_words(term: str | Sequence[str]) -> tuple[str, ...]:
    if isinstance(term, str):
        return tuple(w for w in term.split("_") if w)
    return tuple(term)


def _flatten(texts: Sequence[Sequence[str]], words: pd.Index) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Word ids (-1 for other tokens), each token's text index, and text lengths."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    flat = np.fromiter(itertools.chain.from_iterable(texts), dtype=object, count=int(lengths.sum()))
    ids = words.get_indexer(flat) if len(flat) else np.zeros(0, dtype=np.int64)
    text_of = np.repeat(np.arange(len(texts)), lengths)
    return ids.astype(np.int64), text_of, lengths


def boolean_windows(texts: Sequence[Sequence[str]], words: Sequence[str], window_size: int = 10,
                    windows: str = "gensim") -> sp.csr_matrix:
    """A sparse 0/1 matrix: one row per sliding window, one column per word of ``words``.

    A text of L tokens gives max(L - window_size + 1, 1) windows, in text order.
    ``windows="exact"``: a word is in every window that contains one of its
    occurrences. ``windows="gensim"``: as gensim 4.4's accumulator (see the module
    docstring): an occurrence at position p enters at window max(0, p - s + 1)
    and is dropped after the window that starts at the first occurrence of the
    same word at or after that window's start.

    >>> boolean_windows([["a", "b", "a", "c"]], ["a", "c"], window_size=2, windows="exact").toarray()
    array([[1, 0],
           [1, 0],
           [1, 1]], dtype=int8)
    """
    if windows not in _WINDOWS:
        raise ParameterError(f"windows={windows!r}: use 'gensim' (gensim 4.4's counts) or 'exact'")
    if not isinstance(window_size, (int, np.integer)) or isinstance(window_size, bool) or window_size < 1:
        raise ParameterError(f"window_size={window_size!r}: the sliding window must be a positive number of tokens")
    vocab = pd.Index(list(words))
    ids, text_of, lengths = _flatten(texts, vocab)
    n_win = np.maximum(lengths - window_size + 1, 1)
    win_offset = np.concatenate([[0], np.cumsum(n_win)[:-1]])
    tok_offset = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    hit = np.flatnonzero(ids >= 0)
    shape = (int(n_win.sum()), len(vocab))
    if len(hit) == 0:
        return sp.csr_matrix(shape, dtype=np.int8)
    word, doc = ids[hit], text_of[hit]
    pos = hit - tok_offset[doc]  # position within its text
    first = np.maximum(pos - window_size + 1, 0)  # first window that contains the occurrence
    if windows == "exact":
        last = pos
    else:
        # The first occurrence of the same word (same text) at or after `first`;
        # occurrences are already sorted by (text, position), so sort stably by word.
        order = np.lexsort((pos, word, doc))
        key_doc, key_word, key_pos = doc[order], word[order], pos[order]
        group = np.r_[0, np.cumsum((np.diff(key_doc) != 0) | (np.diff(key_word) != 0))]
        # positions are < 2**40, so group * 2**40 + position is a sortable key
        key = group.astype(np.int64) * (1 << 40) + key_pos
        inv = np.empty_like(order)
        inv[order] = np.arange(len(order))
        g = group[inv]
        idx = np.searchsorted(key, g.astype(np.int64) * (1 << 40) + first, side="left")
        last = key_pos[idx]
    last = np.minimum(last, n_win[doc] - 1)
    span = last - first + 1
    rows = np.repeat(win_offset[doc] + first - np.cumsum(np.r_[0, span[:-1]]), span) + np.arange(span.sum())
    cols = np.repeat(word, span)
    x = sp.csr_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=shape)
    x.sum_duplicates()
    x.data[:] = 1
    return x


def boolean_documents(texts: Sequence[Sequence[str]], words: Sequence[str]) -> sp.csr_matrix:
    """A sparse 0/1 matrix: one row per text, one column per word (is the word in the text)."""
    vocab = pd.Index(list(words))
    ids, text_of, _ = _flatten(texts, vocab)
    keep = ids >= 0
    x = sp.csr_matrix((np.ones(int(keep.sum()), dtype=np.int8), (text_of[keep], ids[keep])),
                      shape=(len(texts), len(vocab)))
    x.sum_duplicates()
    x.data[:] = 1
    return x


def _term_matrix(x: sp.csr_matrix, words: pd.Index, terms: list[tuple[str, ...]]) -> sp.csr_matrix:
    """Presence of each term (all its words present) from word presence ``x``."""
    rows = np.concatenate([words.get_indexer(t) for t in terms])
    cols = np.repeat(np.arange(len(terms)), [len(t) for t in terms])
    m = sp.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(len(words), len(terms)))
    t = sp.csr_matrix(x.astype(np.int32) @ m)
    need = np.array([len(w) for w in terms])
    t.data = (t.data == need[t.indices]).astype(np.int32)
    t.eliminate_zeros()
    return t


def topic_coherence(topics: Sequence[Sequence[str | Sequence[str]]], texts: Sequence[Sequence[str]],
                    measure: str = "c_npmi", window_size: int | None = None,
                    windows: str = "gensim") -> np.ndarray:
    """Coherence of each topic (a ranked list of top terms) on reference ``texts`` (token lists).

    Returns one value per topic (the mean over its term pairs). See the module
    docstring for the definitions; ``window_size`` defaults to 10 for c_npmi
    (gensim's default) and is not used by u_mass.

    >>> texts = [["a", "b"], ["a", "b"], ["c"], ["a", "c"]]
    >>> round(float(topic_coherence([["a", "b"]], texts, "u_mass")[0]), 4)  # log((2/4)/(3/4))
    -0.4055
    """
    if measure not in MEASURES:
        raise ParameterError(f"measure={measure!r}: use one of {', '.join(MEASURES)}")
    topics = [[_term_words(t) for t in topic] for topic in topics]
    for i, topic in enumerate(topics):
        if len(topic) < 2:
            raise ParameterError(f"topic {i} has {len(topic)} top term(s); coherence needs at least 2 (raise top_n)")
        if any(len(t) == 0 for t in topic):
            raise ParameterError(f"topic {i} has an empty top term")
    terms = sorted({t for topic in topics for t in topic})
    term_index = {t: j for j, t in enumerate(terms)}
    words = pd.Index(sorted({w for t in terms for w in t}))
    if measure == "c_npmi":
        x = boolean_windows(texts, words, 10 if window_size is None else window_size, windows)
    else:
        x = boolean_documents(texts, words)
    n = float(x.shape[0])
    if n == 0:
        raise ParameterError("texts is empty: coherence needs reference texts")
    present = _term_matrix(x, words, terms)
    co = (present.T @ present).toarray().astype(np.float64)  # terms × terms, small
    count = np.diag(co).copy()
    missing = [" ".join(t) for t, c in zip(terms, count) if c == 0]
    if missing:
        raise ParameterError(f"top term(s) {', '.join(map(repr, missing[:5]))} never occur in the reference texts; "
                             "pass texts that contain them")
    out = np.empty(len(topics))
    for i, topic in enumerate(topics):
        j = np.array([term_index[t] for t in topic])
        c = co[np.ix_(j, j)]
        p = count[j] / n
        pij = c / n
        with np.errstate(divide="ignore", invalid="ignore"):
            if measure == "c_npmi":
                pmi = np.log((pij + EPSILON) / np.outer(p, p))
                vals = pmi / -np.log(pij + EPSILON)
                vals = vals[~np.eye(len(j), dtype=bool)]
            else:
                # pairs (w', w*) with w' ranked below w* (gensim's s_one_pre): row i > column j
                lower = np.tril_indices(len(j), k=-1)
                vals = np.log((pij[lower] + EPSILON) / p[lower[1]])
        out[i] = vals.mean()
    return out
