"""Frame dictionaries, frame scores per document or sentence, and frame prevalence over time.

A frame dictionary maps frame names to entries (words, globs, multiword
phrases), as quanteda's ``dictionary()``. It is loaded from the corpuskit YAML
format (with a documented header), from quanteda-style YAML dictionaries as
they are (nested keys flatten to ``"parent.child"``), from a CSV with columns
``frame,pattern``, or from a Python dict. corpuskit ships one dictionary, the
rearmament frames, used only when asked for by name (``dictionary="rearmament"``):
like quanteda's ``dfm_lookup``, scoring needs a dictionary and has no default.

Counting (dictionary content analysis, e.g. Laver & Garry 2000; quanteda's
``tokens_lookup``):

* Entries match the tokens of :func:`corpuskit.tokenizer.tokenize` (entries are
  normalized the same way, via :class:`corpuskit.tokenizer.Pattern`); a phrase
  matches consecutive tokens of one sentence, never across sentences.
* Overlapping matches: the longest match wins, then the leftmost, and a token
  is covered at most once per frame. With ``nested_scope="dictionary"`` (the
  default) a longer entry also beats a shorter entry of *another* frame nested
  inside it ("chinese aircraft carrier" is a threat hit, not also an "aircraft
  carrier" capability hit); ``nested_scope="frame"`` applies longest-match only
  within each frame (quanteda's default).
* A term listed under two frames (a span matched with the same extent by
  entries of two frames) counts once for EACH frame, at full weight: frames are
  overlapping lenses, not exclusive categories, and splitting a hit 1/k would
  make one frame's score depend on which other frames the dictionary contains.
  ``Dictionary.duplicates()`` lists such terms.

Scores are hits per 1,000 tokens (``per=1000``) or raw hit counts
(``per=None``). :func:`frame_prevalence` turns hit counts
into each frame's share of all frame hits per period with a bootstrap CI, via
:func:`corpuskit.periods.period_shares`.
"""
from __future__ import annotations

import os
import warnings
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from .corpus import Corpus
from .dictionary import Dictionary, Matches, load_dictionary, match_entries, warn_unmatched
from .errors import ParameterError
from .periods import assign_periods, period_labels, period_shares
from .tokenizer import Tokens, tokens

__all__ = ["score_frames", "frame_prevalence", "frame_terms"]

_OUTPUT_COLUMNS = {"id", "date", "date_mid", "year", "n_tokens", "sentence", "start", "end"}


# ============================================================================ token stream
def _sentence_counts(tk: Tokens, mt: Matches, n_frames: int) -> np.ndarray:
    """Hits per sentence × frame (dense: sentences × a handful of frames)."""
    S = len(tk.sents)
    if len(mt.start) == 0 or S == 0:
        return np.zeros((S, n_frames), dtype=np.int64)
    flat = tk.sent[mt.start] * n_frames + mt.frame
    return np.bincount(flat, minlength=S * n_frames).reshape(S, n_frames).astype(np.int64)


# ============================================================================ public scoring
def score_frames(corpus: "Corpus | Tokens", dictionary: "str | os.PathLike | Mapping | Dictionary | None" = None,
                 unit: str = "document", *, per: float | None = 1000,
                 nested_scope: str = "dictionary") -> pd.DataFrame:
    """Frame hits per document (or sentence), per ``per`` tokens.

    Parameters
    ----------
    corpus : a corpuskit Corpus, or its :class:`~corpuskit.tokenizer.Tokens` (tokenized once, shared).
    dictionary : anything :func:`load_dictionary` accepts (required; ``None`` raises): a path,
        a dict, a Dictionary or a packaged name such as ``"rearmament"``.
    unit : ``"document"`` (one row per document) or ``"sentence"`` (one row per
        sentence that has tokens, ``sentence`` indexed as in :func:`corpuskit.tokenizer.sentences`).
    per : hits per this many tokens (default 1,000); ``None`` gives raw hit counts.
    nested_scope : ``"dictionary"`` (default) or ``"frame"``; see the module docstring.

    Returns
    -------
    DataFrame with id, date, date_mid, year, n_tokens (for sentences also
    sentence, start, end: offsets in the clean text), then one column per frame
    in dictionary order. A document without tokens has NaN rates (a warning
    names it); so does an entry that matches no token (:func:`frame_terms` lists them). ``.attrs["corpuskit"]`` records unit, per, frames and the
    dictionary's name and version (:func:`frame_prevalence` reads it).
    Sentence counts add up to document counts exactly, because phrases never
    match across sentences.

    Example
    -------
    >>> f = score_frames(ck.load_corpus("seeds"), "rearmament")
    >>> f[["id", "year", "n_tokens", "threat.china", "deterrence"]].round(2)
        id  year  n_tokens  threat.china  deterrence
    0  000  2006       439          0.00        0.00
    1  001  2021       927          6.47        6.47
    2  002  2023       867          1.15        1.15
    3  003  2024       900          2.22        6.67
    4  004  2021       675         16.30        1.48
    """
    if unit not in ("document", "sentence"):
        raise ParameterError(f"unit={unit!r}: use 'document' or 'sentence'")
    if per is not None and (not isinstance(per, (int, float, np.integer, np.floating)) or not per > 0):
        raise ParameterError(f"per={per!r}: pass a positive number of tokens (1000 for hits per 1,000 tokens) "
                             "or None for raw counts")
    tk = tokens(corpus)
    if len(tk) == 0:  # the wording of dfm() and TopicModel
        raise ParameterError("corpus has no documents: frame scoring needs texts (did between() or subset() "
                             "select nothing?)")
    d = load_dictionary(dictionary, param="dictionary")
    clash = sorted(_OUTPUT_COLUMNS.intersection(d.keys()))
    if clash:
        raise ParameterError(f"dictionary frame name(s) {', '.join(map(repr, clash))} collide with output "
                             "columns; rename the frame(s)")
    mt = match_entries(tk, d, nested_scope)
    warn_unmatched(d, mt, len(tk), "score_frames")
    frames = d.keys()
    sc = _sentence_counts(tk, mt, len(frames))
    dv = tk.docvars
    if unit == "document":
        counts = np.zeros((len(dv), len(frames)), dtype=np.int64)
        np.add.at(counts, tk.sents["doc"].to_numpy(), sc)
        n_tok = np.bincount(tk.sents["doc"].to_numpy(), weights=tk.sents["n_tokens"].to_numpy(),
                            minlength=len(dv)).astype(np.int64)
        out = dv[["id", "date", "date_mid", "year"]].copy()
        out["n_tokens"] = n_tok
    else:
        # one row per sentence that has tokens (one without cannot hold a hit)
        has = tk.sents["n_tokens"].to_numpy() > 0
        counts = sc[has]
        sents = tk.sents[has]
        n_tok = sents["n_tokens"].to_numpy().astype(np.int64)
        doc = sents["doc"].to_numpy()
        out = pd.DataFrame({"id": dv["id"].to_numpy()[doc], "sentence": sents["sentence"].to_numpy(),
                            "start": sents["start"].to_numpy(), "end": sents["end"].to_numpy(),
                            "date": dv["date"].to_numpy()[doc], "date_mid": dv["date_mid"].to_numpy()[doc],
                            "year": dv["year"].to_numpy()[doc], "n_tokens": n_tok})
        out["id"] = out["id"].astype("string")
    if per is None:
        values = counts
    else:
        empty = n_tok == 0
        if empty.any():
            warnings.warn(f"documents without tokens get NaN frame rates: {', '.join(out['id'][empty].astype(str))}",
                          UserWarning, stacklevel=2)
        with np.errstate(invalid="ignore", divide="ignore"):
            values = counts / np.where(empty, np.nan, n_tok)[:, None] * per
    fr = pd.DataFrame(values, columns=frames, index=out.index)
    out = pd.concat([out, fr], axis=1)
    out.attrs["corpuskit"] = {"kind": "frames", "unit": unit, "per": per, "frames": list(frames),
                              "dictionary": d.name, "version": d.version, "nested_scope": nested_scope}
    return out


def frame_terms(corpus: "Corpus | Tokens", dictionary: "str | os.PathLike | Mapping | Dictionary | None" = None,
                frame: str | Sequence[str] | None = None, *, by_document: bool = False,
                include_unmatched: bool = True, nested_scope: str = "dictionary") -> pd.DataFrame:
    """Which entries matched, as what text, how often: the dictionary's audit trail.

    Counts are hits after overlap resolution (what :func:`score_frames` counts).

    Returns frame, entry, match (the matched tokens, normalized), matched, count, n_docs
    (plus id when ``by_document=True``), sorted by frame (dictionary order) and
    count. An entry that never matched is a row of its own (``include_unmatched=True``, the
    default, as quanteda keeps zero-count features): count 0, match ``<NA>`` and matched False
    when it matches no token at all (a warning names it); matched True when every match went to a
    longer entry (overlap resolution). ``include_unmatched=False`` keeps only the hits.

    Example
    -------
    >>> frame_terms(corpus, "rearmament", frame="deterrence").head()
            frame                  entry                  match  matched  count  n_docs
    0  deterrence                deterr*             deterrence     True      3       1
    1  deterrence              retaliat*            retaliation     True      2       1
    2  deterrence                deterr*               deterred     True      1       1
    3  deterrence                deterr*              deterring     True      1       1
    4  deterrence  integrated deterrence  integrated deterrence     True      1       1
    """
    d = load_dictionary(dictionary, param="dictionary")
    frames = d.keys()
    if frame is None:
        wanted = frames
    else:
        wanted = [frame] if isinstance(frame, str) else list(frame)
        bad = [f for f in wanted if f not in d]
        if bad:
            raise ParameterError(f"frame={bad[0]!r} is not in the dictionary; frames: {', '.join(frames)}")
    tk = tokens(corpus)
    mt = match_entries(tk, d, nested_scope)
    warn_unmatched(d, mt, len(tk), "frame_terms")
    comp = d.compiled()
    ids = tk.docvars["id"].astype(str).to_numpy()
    texts = np.empty(len(mt.start), dtype=object)
    for L in np.unique(mt.length):
        sel = np.flatnonzero(mt.length == L)
        idx = mt.start[sel][:, None] + np.arange(L)
        words = tk.vocabulary[tk.codes[idx]]
        texts[sel] = [" ".join(w) for w in words]
    hits = pd.DataFrame({"frame": [frames[f] for f in mt.frame], "entry": [comp[e][3] for e in mt.entry],
                         "entry_order": mt.entry, "match": texts,
                         "id": ids[tk.doc[mt.start]] if len(mt.start) else []})
    keys = ["frame", "entry", "entry_order", "match"] + (["id"] if by_document else [])
    if len(hits):
        out = hits.groupby(keys, sort=False).agg(count=("id", "size"), n_docs=("id", "nunique")).reset_index()
    else:
        out = pd.DataFrame(columns=keys + ["count", "n_docs"])
    if include_unmatched:
        matched = set(out["entry_order"].tolist())
        extra = [{"frame": frames[fi], "entry": e, "entry_order": gi, "match": pd.NA, "count": 0, "n_docs": 0}
                 for gi, (fi, _, _, e) in enumerate(comp) if gi not in matched]
        if extra:
            out = pd.concat([out, pd.DataFrame(extra)], ignore_index=True)
    out = out[out["frame"].isin(wanted)]
    # matched tokens at all (a count of 0 can also mean every match went to a longer entry)
    out["matched"] = ~out["entry_order"].isin(mt.unmatched.tolist())
    out["frame_order"] = out["frame"].map({f: i for i, f in enumerate(frames)})
    out = out.sort_values(["frame_order", "count", "entry_order", "match"], ascending=[True, False, True, True],
                          kind="stable").drop(columns=["frame_order", "entry_order"]).reset_index(drop=True)
    out["count"] = out["count"].astype(int)
    out["n_docs"] = out["n_docs"].astype(int)
    cols = ["frame", "entry", "match"] + (["id"] if by_document else []) + ["matched", "count", "n_docs"]
    return out[cols].astype({c: "string" for c in cols if c in ("frame", "entry", "match", "id")})


# ============================================================================ prevalence
def frame_prevalence(frames, by: str = "year", *, origin: "str | pd.Timestamp | None" = None,
                     dictionary: "str | os.PathLike | Mapping | Dictionary | None" = None,
                     n_boot: int = 1000, level: float = 0.95, random_state: int | None = None,
                     per: "float | None | str" = "auto", nested_scope: str = "dictionary") -> pd.DataFrame:
    """Each frame's share of all frame hits per period, with a bootstrap CI.

    Parameters
    ----------
    frames : a corpus (scored per sentence here, with ``dictionary``, which is then required), or the
        output of :func:`score_frames`. Pass sentence-level
        scores (``unit="sentence"``): where a period has a single document, the
        CI can then resample that document's sentences; from document-level
        scores such a period gets no CI (``ci_basis="none"`` and a note).
    by, origin : period ("year", "decade", "month", "5Y", ...) and where a multi-unit bin starts
        (default: calendar bins, decades 1790–1799), as in every function that groups by time
        (:func:`corpuskit.periods.assign_periods`); labels show the whole bin ("2010–2019").
    n_boot, level, random_state : bootstrap settings (same seed -> same table).
    per : the ``per`` the scores were computed with; ``"auto"`` reads it from
        the table's ``attrs`` (set by score_frames).

    Returns
    -------
    A long table from :func:`corpuskit.periods.period_shares`: period,
    period_start, period_end, period_mid, frame, share, ci_low, ci_high, n_docs,
    n_units, ci_basis ("documents": resampled documents; "units": one document,
    resampled sentences, which are not independent, so that interval is too
    narrow for inference about the period; "none"), plus hits (this frame's
    hits), n_hits (all frame hits in the period) and note. Periods with no
    documents are rows with n_docs=0 and NaN. A period with documents but no
    frame hits has share NaN (0/0: no frame is present to have a share) and
    the note says so; shares are never silently 0 or NaN.

    Example
    -------
    >>> p = frame_prevalence(ck.load_corpus("seeds"), dictionary="rearmament", by="year", random_state=0)
    >>> p.columns.tolist()
    ['period', 'period_start', 'period_end', 'period_mid', 'frame', 'share', 'ci_low', 'ci_high', 'n_docs',
     'n_units', 'ci_basis', 'hits', 'n_hits', 'note']
    >>> p.query("frame == 'deterrence' and n_docs > 0")[["period", "share", "ci_low", "ci_high", "n_docs"]].round(3)
        period  share  ci_low  ci_high  n_docs
    9     2006  0.000   0.000    0.000       1
    159   2021  0.086   0.024    0.150       2
    179   2023  0.034   0.000    0.091       1
    189   2024  0.100   0.032    0.185       1
    """
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise ParameterError(f"n_boot={n_boot!r}: pass a positive integer number of bootstrap resamples")
    if not isinstance(level, (float, int)) or not 0 < level < 1:
        raise ParameterError(f"level={level!r}: pass a confidence level between 0 and 1, e.g. 0.95")
    if not isinstance(frames, pd.DataFrame):
        frames = score_frames(frames, dictionary, unit="sentence", per=None, nested_scope=nested_scope)
    elif dictionary is not None:
        raise ParameterError("dictionary= is used only when frames is a corpus; this table is already scored")
    meta = frames.attrs.get("corpuskit", {})
    for col in ("id", "date", "n_tokens"):
        if col not in frames.columns:
            raise ParameterError(f"frames has no {col!r} column: pass the output of score_frames (or a corpus)")
    if len(frames) == 0:
        raise ParameterError("frames has no rows: no documents or sentences to aggregate (did a filter "
                             "select nothing?)")
    cols = [c for c in meta.get("frames", []) if c in frames.columns]
    if not cols:
        cols = [c for c in frames.columns if c not in _OUTPUT_COLUMNS and pd.api.types.is_numeric_dtype(frames[c])]
    if not cols:
        raise ParameterError("frames has no frame columns: pass the output of score_frames (or a corpus)")
    if per == "auto":
        if "per" not in meta:
            raise ParameterError("per='auto' needs the table score_frames returned (its attrs record per); "
                                 "pass per=1000 (score_frames' default) or per=None for raw counts")
        per = meta["per"]
    values = frames[cols].to_numpy(dtype=float)
    n_tok = frames["n_tokens"].to_numpy(dtype=float)
    if per is not None:
        values = np.rint(values * n_tok[:, None] / per)
    values = np.where(n_tok[:, None] == 0, 0.0, values)  # no tokens, no hits (rates there are NaN)
    if np.isnan(values).any():
        r, c = np.argwhere(np.isnan(values))[0]
        raise ParameterError(f"frames has a missing value in column {cols[c]!r} (id {frames['id'].iat[r]!r}); "
                             "frame counts must be complete")
    if (values < 0).any():
        raise ParameterError("frames has negative frame scores; pass hit counts or rates from score_frames")
    unit = meta.get("unit", "sentence" if "sentence" in frames.columns else "document")
    periods = assign_periods(frames["date"], by, origin=origin)
    # periods without hits get NaN shares and CIs (period_shares warns of nothing); `note` says why
    out = period_shares(values, frames["id"].astype(str).to_numpy(), periods, list(cols),
                        n_boot=n_boot, level=level, random_state=random_state)
    out = out.rename(columns={"category": "frame"})
    labels = period_labels(periods)
    hits = pd.DataFrame(values, columns=cols).groupby(labels).sum()
    out["hits"] = [hits.at[p, f] if p in hits.index else 0.0 for p, f in zip(out["period"], out["frame"])]
    out["n_hits"] = out["period"].map(hits.sum(axis=1)).fillna(0.0)
    out["hits"] = out["hits"].astype(int)
    out["n_hits"] = out["n_hits"].astype(int)

    def note(row) -> str:
        if row["n_docs"] == 0:
            return "no documents in this period"
        if row["n_hits"] == 0:
            return f"no frame hits in {row['n_docs']} document(s): share undefined"
        if row["ci_basis"] == "documents" and row["n_docs"] < 5:
            return (f"only {row['n_docs']} documents: the bootstrap over so few documents is coarse "
                    "(it can only recombine them)")
        if row["ci_basis"] == "units":
            return ("one document: CI resamples its sentences, which are not independent "
                    "(an interval for this text, not for the period)")
        if row["ci_basis"] == "none":
            return ("one document scored as a whole: no CI (score per sentence, unit='sentence')"
                    if unit == "document" else "one sentence: no CI")
        return ""

    out["note"] = out.apply(note, axis=1).astype("string")
    out["frame"] = out["frame"].astype("string")
    return out
