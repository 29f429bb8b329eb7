"""Keyness: which words carry the difference between two corpora ("Fightin' Words").

Monroe, B. L., Colaresi, M. P., & Quinn, K. M. (2008). Fightin' Words: Lexical
feature selection and evaluation for identifying the content of political
conflict. *Political Analysis* 16(4), 372-403, section 3.5: the log-odds ratio
with an informative Dirichlet prior.

For word w with counts y_aw, y_bw, totals n_a, n_b and prior α_w (α_0 = Σ α_w):

    δ_w = log[(y_aw + α_w) / (n_a + α_0 - y_aw - α_w)] - log[(y_bw + α_w) / (n_b + α_0 - y_bw - α_w)]
    σ²_w ≈ 1 / (y_aw + α_w) + 1 / (y_bw + α_w)
    z_w = δ_w / σ_w

Positive z: more typical of corpus a; negative: of corpus b.

The prior α_w is a distribution over the vocabulary scaled to α_0 pseudo-tokens:

* ``prior="pooled"`` (default): the pooled counts of both corpora,
  α_w = α_0 (y_aw + y_bw) / (n_a + n_b);
* a background corpus, DFM, mapping term -> count, or count array aligned with
  the output vocabulary (``keyness_vocabulary``): α_w = α_0 c_w / Σ c. Words of
  a or b missing from the background get the count of a word seen once
  (c_w = 1) before scaling, so every α_w > 0 (a zero prior would make δ
  infinite for a word absent from one side); the ``in_prior`` column flags them.
  Background-only words keep their share of α_0 (they are words neither side
  used) but are not rows of the output;
* ``prior="uniform"``: α_w = α_0 / V (the uninformative Dirichlet prior).

``alpha_0`` is the strength of the prior in pseudo-tokens. The default 500 is a
prior worth about one op-ed: it shrinks the log-odds of words seen a handful
of times in a small corpus, and matters little for corpora of tens of thousands
of words. ``alpha_0=None`` uses the prior counts unscaled (α_w = c_w; for
"uniform", α_w = 1, Laplace smoothing).
"""
from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .matrix import DFM, dfm
from .errors import ParameterError
from .tokenizer import is_number, stop_set

__all__ = ["keyness", "DEFAULT_ALPHA_0"]

DEFAULT_ALPHA_0 = 500.0


def _as_counts(x, name: str, stop_words, stem: bool, remove_numbers: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(features, summed counts) of a corpus or DFM."""
    if isinstance(x, DFM):
        if x.weighting != "count":
            raise ParameterError(f"{name} is a weighted DFM ({x.weighting}); keyness needs raw counts")
        m = x
        if stop_words is not None or remove_numbers:
            keep = ~np.isin(m.features.astype(str), list(stop_set(stop_words)))
            if remove_numbers:
                keep &= ~is_number(m.features)
            m = m.select_features(keep)
    elif hasattr(x, "iter_texts") and hasattr(x, "docvars"):
        if len(x) == 0:
            raise ParameterError(f"{name} is an empty corpus; keyness needs text on both sides")
        m = dfm(x, stop_words=stop_words, stem=stem, remove_numbers=remove_numbers)
    else:
        raise ParameterError(f"{name}={type(x).__name__}: pass a corpuskit Corpus or DFM")
    counts = np.asarray(sp.csr_matrix(m.counts).sum(axis=0)).ravel().astype(float)
    feats = np.asarray(m.features, dtype=str)
    if counts.sum() <= 0:
        raise ParameterError(f"{name} has no tokens after stop-word removal; keyness needs text on both sides")
    return feats, counts


def _align(feats: np.ndarray, counts: np.ndarray, vocab: np.ndarray) -> np.ndarray:
    out = np.zeros(len(vocab))
    out[np.searchsorted(vocab, feats)] = counts
    return out


def keyness(corpus_a, corpus_b, prior="pooled", alpha_0: float | None = DEFAULT_ALPHA_0, *,
            stop_words: str | Iterable[str] | None = None, stem: bool = False,
            min_count: int = 1, remove_numbers: bool = False) -> pd.DataFrame:
    """Fightin' Words keyness of corpus a against corpus b (Monroe, Colaresi & Quinn 2008, sec. 3.5).

    Parameters
    ----------
    corpus_a, corpus_b : corpuskit Corpus objects (tokenized with
        :func:`corpuskit.matrix.dfm`: lowercase, punctuation dropped) or DFMs of raw counts.
    prior : ``"pooled"`` (default), ``"uniform"``, or a background: a Corpus,
        a DFM, a mapping term -> count (a pandas Series works) or an array of
        counts aligned with the sorted union vocabulary of a and b. See the module docstring.
    alpha_0 : the prior's total in pseudo-tokens (default 500); ``None`` uses the
        prior counts as they are.
    stop_words : removed before counting (so they are not in n_a, n_b);
        ``None`` (default) keeps every word, as the paper does: the prior already
        keeps frequent function words from dominating.
    stem : Snowball stemming (only when corpora are given, not DFMs).
    remove_numbers : drop tokens that are digits only ("000"), as :func:`corpuskit.matrix.dfm`.
    min_count : keep words with count_a + count_b >= min_count in the output.
        Filtering happens after estimation; it does not change any word's z.

    Returns
    -------
    DataFrame, one row per word of a or b: term, count_a, count_b, prior (α_w),
    in_prior (False where the background lacked the word), delta (log-odds
    ratio), se, z; sorted by z descending (positive = more a), ties by term.

    Example
    -------
    >>> k = keyness(corpus.subset(["000"]), corpus.subset(["001", "002", "003", "004"]))
    >>> k.head(5).round(2)
             term  count_a  count_b  prior  in_prior  delta    se     z
    0        chen        4        0   0.53      True   3.57  1.46  2.45
    1         bid        3        1   0.53      True   2.26  0.97  2.33
    2      recent        3        0   0.39      True   3.57  1.68  2.12
    3  government        3        3   0.79      True   1.42  0.73  1.95
    4         his        3        3   0.79      True   1.42  0.73  1.95
    >>> k.tail(5)[::-1].round(2)
           term  count_a  count_b  prior  in_prior  delta    se     z
    1251   this        0       25   3.28      True  -0.74  0.58 -1.27
    1250  which        0       21   2.76      True  -0.74  0.64 -1.16
    1249  tokyo        0       20   2.63      True  -0.74  0.65 -1.14
    1248   with        2       44   6.04      True  -0.42  0.38 -1.10
    1247     by        0       17   2.23      True  -0.74  0.71 -1.05
    """
    if alpha_0 is not None and (not isinstance(alpha_0, (int, float, np.integer, np.floating))
                                or not np.isfinite(alpha_0) or alpha_0 <= 0):
        raise ParameterError(f"alpha_0={alpha_0!r}: pass a positive number of prior pseudo-tokens "
                             "(default 500), or None to use the prior counts unscaled")
    if not isinstance(min_count, (int, np.integer)) or min_count < 0:
        raise ParameterError(f"min_count={min_count!r}: pass a non-negative integer")
    fa, ca = _as_counts(corpus_a, "corpus_a", stop_words, stem, remove_numbers)
    fb, cb = _as_counts(corpus_b, "corpus_b", stop_words, stem, remove_numbers)
    vocab = np.union1d(fa, fb)
    if len(vocab) < 2:
        raise ParameterError("keyness needs at least two distinct words across the two corpora")
    ya, yb = _align(fa, ca, vocab), _align(fb, cb, vocab)
    na, nb = ya.sum(), yb.sum()
    in_prior = np.ones(len(vocab), dtype=bool)
    extra = 0.0  # prior mass of background-only words (part of alpha_0, not output rows)

    if isinstance(prior, str):
        if prior == "pooled":
            c = ya + yb
        elif prior == "uniform":
            c = np.ones(len(vocab))
        else:
            raise ParameterError(f"prior={prior!r}: use 'pooled', 'uniform', or pass a background Corpus, DFM, "
                                 "mapping term -> count, or count array")
    else:
        if isinstance(prior, np.ndarray) or isinstance(prior, (list, tuple)):
            c = np.asarray(prior, dtype=float)
            if c.ndim != 1 or len(c) != len(vocab):
                raise ParameterError(f"prior is an array of length {len(c)}, but the union vocabulary of a and b "
                                     f"has {len(vocab)} words; pass a mapping term -> count instead, or an "
                                     "array aligned with that sorted vocabulary")
        else:
            if isinstance(prior, (Mapping, pd.Series)):
                ser = pd.Series(prior, dtype=float)
                fbg, cbg = ser.index.astype(str).to_numpy(), ser.to_numpy(dtype=float)
                if ser.index.has_duplicates:
                    raise ParameterError("prior has duplicate terms; sum their counts first")
            else:
                fbg, cbg = _as_counts(prior, "prior", stop_words, stem, remove_numbers)
            if not np.all(np.isfinite(cbg)) or (cbg < 0).any():
                raise ParameterError("prior counts must be finite and non-negative")
            pos = np.searchsorted(vocab, fbg)
            found = (pos < len(vocab)) & (vocab[np.minimum(pos, len(vocab) - 1)] == fbg)
            c = np.zeros(len(vocab))
            c[pos[found]] = cbg[found]
            extra = float(cbg[~found].sum())
        if not np.all(np.isfinite(c)) or (c < 0).any():
            raise ParameterError("prior counts must be finite and non-negative")
        in_prior = c > 0
        # A word the background never saw gets the count of a word seen once (see module docstring).
        c = np.where(in_prior, c, 1.0)

    total = c.sum() + extra
    scale = 1.0 if alpha_0 is None else alpha_0 / total
    a = c * scale
    a0 = total * scale
    delta = (np.log(ya + a) - np.log(na + a0 - ya - a)) - (np.log(yb + a) - np.log(nb + a0 - yb - a))
    se = np.sqrt(1.0 / (ya + a) + 1.0 / (yb + a))
    out = pd.DataFrame({"term": vocab, "count_a": ya.astype(np.int64), "count_b": yb.astype(np.int64),
                        "prior": a, "in_prior": in_prior, "delta": delta, "se": se, "z": delta / se})
    out = out[(out["count_a"] + out["count_b"]) >= min_count]
    out = out.sort_values(["z", "term"], ascending=[False, True], kind="stable").reset_index(drop=True)
    out["term"] = out["term"].astype("string")
    out.attrs["corpuskit"] = {"kind": "keyness", "n_a": int(na), "n_b": int(nb), "alpha_0": float(a0),
                              "prior": prior if isinstance(prior, str) else "background"}
    return out
