"""Target and cue lexicons, target sentences, negation, and lexicon stance scores.

The lexicon method is dictionary-based stance detection with target attachment (cf. the
target-dependent features of Jiang et al. 2011, ACL, and Mohammad et al. 2016, SemEval Task 6): a cue
counts only in a target sentence and only when it attaches to a matched target term, in the same clause
or within ``window`` tokens; a cue inside a negation scope (NLTK's ``mark_negation``, Das & Chen 2001)
is flipped.

>>> load_target(["self defen?e force*", "article 9"]).to_dict()
{'target': ['self defen?e force*', 'article 9']}
"""
from __future__ import annotations

import os
import pathlib
import re
from functools import lru_cache
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from .. import _compat
from ..errors import ParameterError
from ..dictionary import Dictionary, DictionaryError, Matches, load_dictionary, match_entries, missing_source
from ..tokenizer import Tokens, token_spans, tokens

__all__ = ["PACKAGED_TARGETS", "PACKAGED_CUES", "load_target", "load_cues", "TargetTokens",
           "lexicon_matches", "target_sentences", "target_table", "lexicon_scores", "document_stance"]

PACKAGED_TARGETS = {"rearmament": "rearmament_target.yml"}
PACKAGED_CUES = {"rearmament": "stance_cues.yml"}


# Clause boundaries: these characters between two tokens, or a token that opens a contrastive or
# subordinate clause. mark_negation's scope ends at a clause boundary (its own rule ends it only at
# . : ; ! ?, which would let "not" in one clause flip a cue in the next one after a comma).
_CLAUSE_CHARS = re.compile(r"[,;:.!?()\[\]\u2014\u2013]|\s-\s")
_CLAUSE_WORDS = frozenset({"but", "while", "whereas", "although", "though", "however"})


# ============================================================================ lexicons
def _load_lexicon(source, packaged: Mapping[str, str], name: str, kind: str, key: str) -> Dictionary:
    if source is None:
        raise ParameterError(missing_source(name, kind, packaged))
    if isinstance(source, Dictionary):
        return source
    if isinstance(source, (list, tuple)):
        return Dictionary({name: list(source)}, name=name, source=f"{name} list", kind=kind, key=key,
                          where={(name, i): f"{name} list, item {i + 1}" for i in range(len(source))})
    if isinstance(source, (str, os.PathLike)) and not pathlib.Path(source).is_file() and source not in packaged:
        raise DictionaryError(f"{name} {str(source)!r}: no such file (packaged {kind}s: {', '.join(packaged)})")
    if isinstance(source, (str, os.PathLike, Mapping)):
        return load_dictionary(source, kind=kind, key=key, packaged=packaged, param=name)
    raise ParameterError(f"{name}={type(source).__name__}: pass a path to a YAML/CSV lexicon, a dict, a list of "
                         f"entries, a Dictionary, or a packaged name ({', '.join(map(repr, packaged))})")


def load_target(source: "str | os.PathLike | Mapping | Sequence[str] | Dictionary | None" = None
                ) -> Dictionary:
    """Load a target lexicon: words, globs (``rearm*``) and phrases (``"article 9"``) naming the target.

    ``source`` (required; ``None`` raises, naming what to pass): ``"rearmament"`` (the packaged lexicon
    of Japan's military and defense posture, asked for by name), a ``.yml``/``.csv`` path or dict in any layout :func:`corpuskit.dictionary.load_dictionary`
    reads (keys are facets of the target), a plain list of entries (one facet ``"target"``), or a
    :class:`~corpuskit.dictionary.Dictionary`. A malformed file raises
    :class:`~corpuskit.dictionary.DictionaryError` naming the file and line.

    >>> load_target(["self defen?e force*", "article 9"]).to_dict()
    {'target': ['self defen?e force*', 'article 9']}
    """
    return _load_lexicon(source, PACKAGED_TARGETS, "target", "target lexicon", "facet")


def load_cues(source: "str | os.PathLike | Mapping | Dictionary | None" = None) -> Dictionary:
    """Load a stance cue lexicon: classes ``favor``/``against`` (or nested ``favor.necessity`` ...).

    Same sources and errors as :func:`load_target` (no plain list: a cue needs a polarity). A class
    whose first name part is not ``favor`` or ``against`` raises DictionaryError naming it and where
    it is defined; so does a lexicon without any favor or without any against class.

    >>> load_cues({"favor": ["must", "strengthen*"], "against": ["provoc*"]}).keys()
    ['favor', 'against']
    """
    if isinstance(source, (list, tuple)):
        raise ParameterError("cues=list: a cue needs a polarity; pass {'favor': [...], 'against': [...]} or a file")
    d = _load_lexicon(source, PACKAGED_CUES, "cues", "cue lexicon", "cue class")
    for cls in d.keys():
        if cls.split(".")[0] not in ("favor", "against"):
            loc = d.where_of(cls)
            raise DictionaryError(f"{loc}: cue class {cls!r} must be 'favor' or 'against' or nested under one "
                                  "(e.g. 'favor.necessity'); rename or move it")
    pols = {c.split(".")[0] for c in d.keys()}
    if pols != {"favor", "against"}:
        missing = ({"favor", "against"} - pols).pop()
        raise DictionaryError(f"{d.source}: the cue lexicon has no {missing!r} class; give both 'favor' and "
                              "'against' cues")
    return d





class TargetTokens:
    """The target sentences of a :class:`~corpuskit.tokenizer.Tokens` and their tokens, which cue matching,
    negation scope and clause marks read.

    Target terms are found by the one :class:`~corpuskit.tokenizer.Matcher` over the Tokens (its
    vocabulary -> positions index gives the positions of each entry's head word, so only sentences
    holding one are looked at); a target sentence is one with a match. Its tokens are the Tokens' own
    (``codes``/``vocab``/``seg``: the sentence row in ``tokens.sents``), with character offsets and
    clause ids (``clause``, never decreasing) found for these sentences only.

    >>> tt = TargetTokens(tokens(ck.load_corpus("seeds")), load_target("rearmament"))
    >>> len(tt.rows)
    78
    """

    def __init__(self, tk: Tokens, lex: Dictionary):
        self.tokens = tk
        mt = match_entries(tk, lex, "dictionary")
        rows = np.unique(tk.sent[mt.start]).astype(np.int64)
        # a sentence's tokens are one run of the stream: the runs of the target sentences, joined
        first = np.searchsorted(tk.sent, rows, side="left")
        n = np.searchsorted(tk.sent, rows, side="right") - first
        pos = (np.repeat(first - np.cumsum(np.r_[0, n[:-1]]), n) + np.arange(int(n.sum()))).astype(np.int64)
        self.rows, self.pos = rows, pos
        self.codes, self.vocab, self.seg = tk.codes[pos], tk.vocabulary, tk.sent[pos]
        self.doc = tk.doc[pos]
        self.texts = tk.texts
        self.sents = _sentence_rows(tk, rows)
        sents = tk.sents
        words = self.vocab[self.codes].tolist()
        starts, ends, bounds = [], [], []
        p = 0
        for r, d, s0, e0, k in zip(rows.tolist(), sents["doc"].to_numpy()[rows].tolist(),
                                   sents["start"].to_numpy()[rows].tolist(), sents["end"].to_numpy()[rows].tolist(),
                                   n.tolist()):
            text = self.texts[d]
            t, s, e = token_spans(text[s0:e0])
            if t != words[p:p + k]:
                raise RuntimeError(f"document {d}, sentence row {r}: its tokens differ from token_spans of its "
                                   "text; please report this text")
            s, e = s + s0, e + s0
            # clause boundary before token j: clause punctuation between token j-1 and j
            punct = _clause_marks(text, s0, e0)
            b = np.zeros(k, bool)
            if k > 1:
                b[1:] = np.searchsorted(punct, s[1:]) > np.searchsorted(punct, e[:-1])
            starts.append(s)
            ends.append(e)
            bounds.append(b)
            p += k
        z = np.zeros(0, np.int64)
        self.start = np.concatenate(starts) if starts else z
        self.end = np.concatenate(ends) if ends else z
        boundary = np.concatenate(bounds) if bounds else np.zeros(0, bool)
        first_tok = np.ones(len(pos), bool)
        first_tok[1:] = self.seg[1:] != self.seg[:-1]
        word_b = np.fromiter((w in _CLAUSE_WORDS for w in words), bool, len(words))
        self.clause = np.cumsum(boundary | first_tok | word_b)
        # the target matches, at their positions in this stream
        self.target_matches = Matches(np.searchsorted(pos, mt.start).astype(np.int64), mt.length, mt.frame,
                                      mt.entry)


def _sentence_rows(tk: Tokens, rows: np.ndarray) -> pd.DataFrame:
    """Rows ``rows`` of the sentence table (:func:`corpuskit.tokenizer.sentences`' columns), indexed by row."""
    s = tk.sents
    d = s["doc"].to_numpy()[rows]
    st, en = s["start"].to_numpy()[rows], s["end"].to_numpy()[rows]
    dv = tk.docvars
    docs = getattr(tk.corpus, "documents", None)
    raw_s = raw_e = None
    if docs is not None:
        raw_s = np.array([docs[i].cleaned.clean_to_raw(a) for i, a in zip(d.tolist(), st.tolist())], np.int64)
        raw_e = np.array([docs[i].cleaned.clean_to_raw(b, "end") for i, b in zip(d.tolist(), en.tolist())],
                         np.int64)
    df = pd.DataFrame({"id": dv["id"].to_numpy()[d], "date": dv["date"].to_numpy()[d],
                       "year": dv["year"].to_numpy()[d], "sentence": s["sentence"].to_numpy()[rows],
                       "start": st, "end": en, "raw_start": raw_s, "raw_end": raw_e,
                       "text": [tk.texts[i][a:b] for i, a, b in zip(d.tolist(), st.tolist(), en.tolist())]},
                      index=pd.Index(rows, name="seg"))
    return df.astype({"id": "string", "text": "string"})


def _clause_marks(text: str, start: int = 0, end: int | None = None) -> np.ndarray:
    """Offsets of clause punctuation (``_CLAUSE_CHARS``) in ``text[start:end]``."""
    it = _CLAUSE_CHARS.finditer(text, start, len(text) if end is None else end)
    return np.fromiter((m.start() for m in it), np.int64)


def lexicon_matches(stream: TargetTokens, lex: Dictionary, mt: "Matches | None" = None) -> pd.DataFrame:
    """Matches after longest-match resolution (``mt``, or those of ``lex`` in ``stream``): start, length,
    class, entry, sentence row, matched text."""
    if mt is None:
        mt = match_entries(stream, lex, "dictionary")
    keys = lex.keys()
    comp = lex.compiled()
    start, length = mt.start, mt.length
    last = start + length - 1
    doc = stream.doc[start]
    text = [stream.texts[d][stream.start[a]:stream.end[b]] for d, a, b in zip(doc, start, last)]
    return pd.DataFrame({"start": start, "length": length, "cls": [keys[f] for f in mt.frame],
                         "entry": [comp[e][3] for e in mt.entry], "seg": stream.seg[start] if len(start) else [],
                         "text": [" ".join(t.split()) for t in text]})


def _join(values) -> str:
    return "; ".join(dict.fromkeys(values))


def target_sentences(corpus, target: "str | os.PathLike | Mapping | Sequence[str] | Dictionary | None" = None
                     ) -> pd.DataFrame:
    """The sentences of ``corpus`` that speak of the target (at least one target-lexicon match).

    Sentences are those of :func:`corpuskit.tokenizer.sentences` (Punkt within lines); entries match
    normalized tokens within one sentence, longest match first (:func:`corpuskit.frames.score_frames`
    rules), so "self defense forces" is one term, not also "defense".

    Returns one row per target sentence: id, date, sentence (index within the document), text,
    start, end (offsets in the clean text), raw_start, raw_end (offsets in the raw file), terms
    (matched text, "; "-joined, in order of appearance), entries (the lexicon entries that matched),
    facets, n_terms. A corpus with no target sentence gives an empty table with these columns.
    ``corpus`` may be a :class:`~corpuskit.tokenizer.Tokens` (read as given; otherwise built once).

    ``target`` is required (anything :func:`load_target` accepts, e.g. the packaged ``"rearmament"``).

    >>> target_sentences(ck.load_corpus("seeds"), "rearmament")[["id", "sentence", "terms"]].head(2)
        id  sentence                                    terms
    0  000         0  security umbrella; re-arm; re-interp...
    1  000         3                     military; rearmament
    """
    lex = load_target(target)
    stream = TargetTokens(tokens(corpus), lex)
    return target_table(stream, lexicon_matches(stream, lex, stream.target_matches))[0]


def target_table(stream: TargetTokens, m: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The target-sentence table and, aligned with it, each row's sentence row in ``stream.sents``."""
    cols = ["id", "date", "sentence", "text", "start", "end", "raw_start", "raw_end", "terms", "entries", "facets",
            "n_terms"]
    s = stream.sents
    if len(m) == 0:
        out = s.iloc[:0].copy()
        for c in ("terms", "entries", "facets"):
            out[c] = pd.Series(dtype="string")
        out["n_terms"] = pd.Series(dtype="int64")
        return out[cols].reset_index(drop=True), np.zeros(0, np.int64)
    m = m.sort_values(["seg", "start"], kind="stable")
    # per sentence, the distinct values in order ("; "-joined): runs of equal seg after the sort
    seg = m["seg"].to_numpy()
    cut = np.flatnonzero(np.r_[True, seg[1:] != seg[:-1], True])
    runs = list(zip(cut[:-1].tolist(), cut[1:].tolist()))
    vals = {c: m[c].tolist() for c in ("text", "entry", "cls")}
    agg = pd.DataFrame({"terms": [_join(vals["text"][a:b]) for a, b in runs],
                        "entries": [_join(vals["entry"][a:b]) for a, b in runs],
                        "facets": [_join(vals["cls"][a:b]) for a, b in runs],
                        "n_terms": np.diff(cut)}, index=pd.Index(seg[cut[:-1]], name="seg"))
    out = s.loc[agg.index, cols[:8]].copy()
    for c in agg.columns:
        out[c] = agg[c].to_numpy()
    out = out.astype({"terms": "string", "entries": "string", "facets": "string", "n_terms": "int64"})
    return out.reset_index(drop=True), agg.index.to_numpy(dtype=np.int64)


# ============================================================================ lexicon scoring
@lru_cache(maxsize=1)
def _negation_res() -> tuple["re.Pattern", "re.Pattern"]:
    from nltk.sentiment import util
    # NLTK's own pattern strings, compiled with the stdlib engine instead of nltk.redos
    # (a timeout wrapper around the third-party regex engine, several times slower)
    return re.compile(util.NEGATION, re.VERBOSE), re.compile(util.CLAUSE_PUNCT)


def _mark_negation(doc: list[str]) -> list[str]:
    """``nltk.sentiment.util.mark_negation(doc, shallow=True)`` (Das & Chen 2001 scope rule):
    words after a negation up to clause punctuation get "_NEG"; ``doc`` is changed in place."""
    neg_re, punct_re = _negation_res()
    neg_scope = False
    for i, word in enumerate(doc):
        if neg_re.search(word):
            if not neg_scope:
                neg_scope = True
                continue
            doc[i] += "_NEG"
        elif neg_scope and punct_re.search(word):
            neg_scope = False
        elif neg_scope:
            doc[i] += "_NEG"
    return doc


def _negation_marker():
    """``_mark_negation``, or NLTK's own ``mark_negation`` if what it copies moved (warned once)."""
    if _compat.fast_path("negation"):
        return _mark_negation
    from nltk.sentiment.util import mark_negation
    return lambda doc: mark_negation(doc, shallow=True)


def _negated(stream: TargetTokens, rows: np.ndarray) -> np.ndarray:
    """Token mask: inside a negation scope (mark_negation, with clause boundaries as its full stops)."""

    mark = _negation_marker()
    neg = np.zeros(len(stream.codes), bool)
    words = stream.vocab[stream.codes] if len(stream.codes) else np.zeros(0, dtype=object)
    seg_start = np.searchsorted(stream.seg, rows, side="left")
    seg_end = np.searchsorted(stream.seg, rows, side="right")
    for a, b in zip(seg_start, seg_end):  # one mark_negation call per target sentence
        w = list(words[a:b])
        # "not only ... but also" is not a negation; "cannot" is one (mark_negation's list lacks it)
        w = ["not-only" if t == "not" and k + 1 < len(w) and w[k + 1] == "only" else
             "can't" if t == "cannot" else t for k, t in enumerate(w)]
        marked: list[str] = []
        where: list[int] = []
        for k, t in enumerate(w):
            if k > 0 and stream.clause[a + k] != stream.clause[a + k - 1]:
                marked.append(".")
            marked.append(t)
            where.append(len(marked) - 1)
        out = mark(marked)
        neg[a:b] = [out[i].endswith("_NEG") for i in where]
    return neg


def lexicon_scores(stream: TargetTokens, tgt: pd.DataFrame, targets: pd.DataFrame, rows: np.ndarray,
                    cues: Dictionary, window: int) -> pd.DataFrame:
    cm = lexicon_matches(stream, cues)
    cm = cm[np.isin(cm["seg"].to_numpy(), rows)].reset_index(drop=True)
    # negation is only read at cue starts: mark it in the sentences that have a cue
    neg = _negated(stream, np.unique(cm["seg"].to_numpy(np.int64)))
    pol = np.where(cm["cls"].str.split(".").str[0].to_numpy() == "favor", 1, -1) if len(cm) else np.zeros(0, int)
    n_fav = dict.fromkeys(rows.tolist(), 0)
    n_ag = dict.fromkeys(rows.tolist(), 0)
    used: dict[int, list[str]] = {r: [] for r in rows.tolist()}
    # target matches of each sentence, in table order (as groupby("seg") would give them)
    tseg = tgt["seg"].to_numpy()
    o = np.argsort(tseg, kind="stable")
    ts_all = tgt["start"].to_numpy()[o]
    te_all = (tgt["start"].to_numpy() + tgt["length"].to_numpy() - 1)[o]
    useg, first = np.unique(tseg[o], return_index=True)
    bounds = np.append(first, len(o))
    tstarts = {int(k): (ts_all[bounds[j]:bounds[j + 1]], te_all[bounds[j]:bounds[j + 1]]) for j, k in enumerate(useg)}
    cm_seg, cm_start, cm_len = (cm[c].to_numpy(np.int64).tolist() for c in ("seg", "start", "length"))
    cm_text = cm["text"].tolist()
    for i in range(len(cm)):  # loops over cue matches in target sentences (few), not tokens
        seg, a = cm_seg[i], cm_start[i]
        b = a + cm_len[i] - 1
        ts, te = tstarts[seg]
        dist = np.maximum(np.maximum(ts - b, a - te), 0)
        # clause ids never decrease along the stream, so the cue's clauses are one range
        ca, cb = stream.clause[a], stream.clause[b]
        cs, ce = stream.clause[ts], stream.clause[te]
        same_clause = ((cs >= ca) & (cs <= cb)) | ((ce >= ca) & (ce <= cb))
        if not ((dist <= window) | same_clause).any():
            continue
        p = int(pol[i])
        # negated when a negator BEFORE the cue scopes over its first token; a negator inside the cue
        # ("cannot afford") is part of the cue's meaning, not a flip
        flipped = bool(neg[a])
        if flipped:
            p = -p
        if p > 0:
            n_fav[seg] += 1
        else:
            n_ag[seg] += 1
        used[seg].append(f"{cm_text[i]}({'+' if p > 0 else '-'}{', negated' if flipped else ''})")
    f = np.array([n_fav[r] for r in rows], dtype=np.int64)
    a_ = np.array([n_ag[r] for r in rows], dtype=np.int64)
    tot = f + a_
    score = np.divide(f - a_, tot, out=np.zeros(len(rows), float), where=tot > 0)
    out = targets.copy()
    out["label"] = np.where(score > 0, "favor", np.where(score < 0, "against", "none"))
    out["score"] = score
    out["n_favor"], out["n_against"] = f, a_
    out["cues"] = ["; ".join(used[r]) for r in rows]
    return out.astype({"label": "string", "cues": "string"})


# ============================================================================ documents
def document_stance(scores: pd.DataFrame, docvars: pd.DataFrame | None = None, *, n_boot: int = 1000,
                    level: float = 0.95, random_state: int | None = None, method: str | None = None) -> pd.DataFrame:
    """Mean sentence score per document with a percentile bootstrap CI over the document's sentences.

    ``scores``: sentence-level stance (id, score), e.g. ``score_stance(..., unit="sentence")`` or
    :func:`cross_fit_stance`. ``docvars``: the corpus docvars, so that documents without target
    sentences get an explicit row (n_sentences=0, stance NaN, ci_basis "no target sentences")
    rather than disappearing; without it only documents in ``scores`` appear.

    ci_basis: "sentences" (percentile bootstrap, Efron & Tibshirani 1993, resampling the document's
    target sentences; they are not independent, so the CI is optimistic), "single sentence" (one
    target sentence: stance is its score, no CI, ci_low/ci_high NaN) or "no target sentences".
    """
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise ParameterError(f"n_boot={n_boot!r}: pass a positive number of bootstrap replicates, e.g. 1000")
    if not 0 < level < 1:
        raise ParameterError(f"level={level!r}: pass a confidence level between 0 and 1, e.g. 0.95")
    for c in ("id", "score"):
        if c not in scores.columns:
            raise ParameterError(f"scores: needs column {c!r} (sentence-level stance scores)")
    if scores["score"].isna().any():
        raise ParameterError(f"scores: {int(scores['score'].isna().sum())} sentence score(s) are NaN; drop or "
                             "rescore them first")
    if docvars is None:
        first = scores.drop_duplicates("id")
        docvars = first[[c for c in ("id", "date", "date_mid", "year") if c in first.columns]]
    rng = np.random.default_rng(random_state)
    ids = scores["id"].astype(str).to_numpy()
    vals = scores["score"].to_numpy(dtype=float)
    alpha = (1 - level) / 2
    rows = []
    # each document's sentence scores, found by one sort instead of a scan per document
    codes, uniq = pd.factorize(ids)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniq) + 1))
    by_doc = {u: vals[order[bounds[k]:bounds[k + 1]]] for k, u in enumerate(uniq)}
    empty = np.empty(0)
    for d in docvars["id"].astype(str):  # one bootstrap per document, vectorized over replicates
        v = by_doc.get(d, empty)
        n = len(v)
        if n == 0:
            rows.append((np.nan, np.nan, np.nan, 0, "no target sentences"))
        elif n == 1:
            rows.append((float(v[0]), np.nan, np.nan, 1, "single sentence"))
        else:
            means = v[rng.integers(0, n, size=(n_boot, n))].mean(axis=1)
            lo, hi = np.quantile(means, [alpha, 1 - alpha])
            rows.append((float(v.mean()), float(lo), float(hi), n, "sentences"))
    keep = [c for c in ("id", "date", "date_mid", "year") if c in docvars.columns]
    out = docvars[keep].reset_index(drop=True).copy()
    res = pd.DataFrame(rows, columns=["stance", "ci_low", "ci_high", "n_sentences", "ci_basis"])
    out = pd.concat([out, res], axis=1)
    out["n_sentences"] = out["n_sentences"].astype("int64")
    out["ci_basis"] = out["ci_basis"].astype("string")
    out["id"] = out["id"].astype("string")
    if method is not None:
        out["method"] = pd.Series([method] * len(out), dtype="string")
    out.attrs["corpuskit"] = {"kind": "stance", "level": "document", "n_boot": n_boot, "ci_level": level,
                              "random_state": random_state}
    return out


