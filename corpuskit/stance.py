"""Stance toward a target: target sentences, a stance cue lexicon, document scores with CIs, gold codes.

Pipeline (any target, any cue lexicon, any corpus; the Japanese rearmament study ships as package data):

1. :func:`target_sentences` finds the sentences that speak of the target with a target lexicon of
   words, globs and multiword phrases (``corpuskit/data/rearmament_target.yml``; :func:`load_target`).
2. :func:`score_stance` scores each target sentence favor / against / none with a score in [-1, 1],
   either from a stance cue lexicon (``method="lexicon"``, ``corpuskit/data/stance_cues.yml``;
   :func:`load_cues`) or from a supervised classifier trained on coded sentences
   (``method="classifier"``), and averages them per document with a bootstrap CI.
   :func:`cross_fit_stance` gives out-of-fold classifier scores so that no sentence is scored by a
   model trained on it.
3. Gold standard helpers for researchers who code their own sentences: :func:`sentence_hash`,
   :func:`read_gold`, :func:`check_gold`, :func:`attach_gold`, :func:`sample_for_coding`,
   :func:`agreement` (accuracy, macro-F1, Cohen's kappa).

The lexicon method is dictionary-based stance detection with target attachment (cf. the
target-dependent features of Jiang et al. 2011, "Target-dependent Twitter sentiment classification",
ACL, and the stance task of Mohammad et al. 2016, SemEval Task 6): a cue counts only in a target
sentence and only when it attaches to a matched target term, in the same clause or within ``window``
tokens; a cue inside a negation scope (NLTK's ``mark_negation``, Das & Chen 2001) is flipped.

Lexicon files use the corpuskit dictionary layout of :func:`corpuskit.frames.load_dictionary` (a
header, then ``frames:`` whose keys are target facets or cue classes), so a malformed file raises an
error naming the file and line. Cue classes must be named ``favor``/``against`` or nested under
them (``favor.necessity``): the first name part gives the polarity.
"""
from __future__ import annotations

import bisect
import csv
import hashlib
import io
import os
import pathlib
import re
import warnings
from functools import lru_cache
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .clean import split_lines
from .errors import CorpuskitError, ParameterError
from .frames import DictionaryError, FrameDictionary, _match, _Tokenized, load_dictionary
from .tokens import sentences as _sentences
from .tokens import _token_spans

__all__ = ["LABELS", "LABEL_SCORES", "GoldError", "load_target", "load_cues", "sentence_hash", "target_sentences",
           "score_stance", "cross_fit_stance", "document_stance", "read_gold", "check_gold", "attach_gold",
           "sample_for_coding", "agreement"]

#: The stance labels, and the score each maps to (score = P(favor) - P(against) for a classifier).
LABELS = ("favor", "against", "none")
LABEL_SCORES = {"favor": 1.0, "against": -1.0, "none": 0.0}
PACKAGED_TARGETS = {"rearmament": "rearmament_target.yml"}
PACKAGED_CUES = {"rearmament": "stance_cues.yml"}
GOLD_COLUMNS = ("id", "start", "end", "sentence_hash", "sentence", "label")

# Clause boundaries: these characters between two tokens, or a token that opens a contrastive or
# subordinate clause. mark_negation's scope ends at a clause boundary (its own rule ends it only at
# . : ; ! ?, which would let "not" in one clause flip a cue in the next one after a comma).
_CLAUSE_CHARS = re.compile(r"[,;:.!?()\[\]\u2014\u2013]|\s-\s")
_CLAUSE_WORDS = frozenset({"but", "while", "whereas", "although", "though", "however"})


class GoldError(CorpuskitError):
    """A gold standard that cannot be used: the message names the file, row, column and value."""


# ============================================================================ lexicons
def _load_lexicon(source, packaged: Mapping[str, str], kind: str, unit: str) -> FrameDictionary:
    if source is None:
        source = "rearmament"
    if isinstance(source, FrameDictionary):
        return source
    try:
        if isinstance(source, (list, tuple)):
            return FrameDictionary({kind: list(source)}, name=kind, source=f"{kind} list",
                                   where={(kind, i): f"{kind} list, item {i + 1}" for i in range(len(source))})
        if isinstance(source, (str, os.PathLike)) and not pathlib.Path(source).is_file():
            if isinstance(source, str) and source in packaged:
                from .frames import _packaged

                return _packaged(packaged[source])
            raise DictionaryError(f"{kind} {str(source)!r}: no such file (packaged {kind} lexicons: "
                                  f"{', '.join(packaged)})")
        if isinstance(source, (str, os.PathLike, Mapping)):
            return load_dictionary(source)
    except DictionaryError as exc:
        # the frames loader speaks of frames; here they are target facets or cue classes
        msg = re.sub(r"\bframes\b", unit + "s", re.sub(r"\bframe\b", unit, str(exc)))
        raise DictionaryError(msg.replace("the dictionary is empty", f"the {kind} lexicon is empty")) from None
    raise ParameterError(f"{kind}={type(source).__name__}: pass a path to a YAML/CSV lexicon, a dict, a list of "
                         f"entries, a FrameDictionary, or None for the packaged rearmament {kind} lexicon")


def load_target(source: "str | os.PathLike | Mapping | Sequence[str] | FrameDictionary | None" = None
                ) -> FrameDictionary:
    """Load a target lexicon: words, globs (``rearm*``) and phrases (``"article 9"``) naming the target.

    ``source``: ``None``/``"rearmament"`` (the packaged lexicon of Japan's military and defense
    posture), a ``.yml``/``.csv`` path or dict in any layout :func:`corpuskit.frames.load_dictionary`
    reads (keys are facets of the target), a plain list of entries (one facet ``"target"``), or a
    :class:`~corpuskit.frames.FrameDictionary`. A malformed file raises
    :class:`~corpuskit.frames.DictionaryError` naming the file and line.

    >>> load_target(["self defen?e force*", "article 9"]).to_dict()
    {'target': ['self defen?e force*', 'article 9']}
    """
    return _load_lexicon(source, PACKAGED_TARGETS, "target", "facet")


def load_cues(source: "str | os.PathLike | Mapping | FrameDictionary | None" = None) -> FrameDictionary:
    """Load a stance cue lexicon: classes ``favor``/``against`` (or nested ``favor.necessity`` ...).

    Same sources and errors as :func:`load_target` (no plain list: a cue needs a polarity). A class
    whose first name part is not ``favor`` or ``against`` raises DictionaryError naming it and where
    it is defined; so does a lexicon without any favor or without any against class.

    >>> load_cues({"favor": ["must", "strengthen*"], "against": ["provoc*"]}).keys()
    ['favor', 'against']
    """
    if isinstance(source, (list, tuple)):
        raise ParameterError("cues=list: a cue needs a polarity; pass {'favor': [...], 'against': [...]} or a file")
    d = _load_lexicon(source, PACKAGED_CUES, "cues", "cue class")
    for cls in d.keys():
        if cls.split(".")[0] not in ("favor", "against"):
            loc = d._lines.get((cls, 0), d.source)
            raise DictionaryError(f"{loc}: cue class {cls!r} must be 'favor' or 'against' or nested under one "
                                  "(e.g. 'favor.necessity'); rename or move it")
    pols = {c.split(".")[0] for c in d.keys()}
    if pols != {"favor", "against"}:
        missing = ({"favor", "against"} - pols).pop()
        raise DictionaryError(f"{d.source}: the cue lexicon has no {missing!r} class; give both 'favor' and "
                              "'against' cues")
    return d


# ============================================================================ tokens and targets
def sentence_hash(text: str) -> str:
    """SHA-1 (hex) of the whitespace-normalized text: a sentence's identity across re-splitting.

    >>> sentence_hash("Japan  rearms.\\n") == sentence_hash("Japan rearms.")
    True
    """
    if not isinstance(text, str):
        raise ParameterError(f"sentence_hash: text {text!r} is not a string")
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()


class _Stream:
    """Every sentence's tokens as one stream: codes/vocab/seg for frames' matcher, plus offsets."""

    def __init__(self, corpus, only: "re.Pattern | None" = None, hits: "list[list[bool]] | None" = None):
        """``only``: tokenize just the lines whose normalized text this regex finds (``_head_regex``):
        the others cannot hold a match of its lexicon (``hits``: per document, whether it finds
        one in each line, if already known). Sentences, their indices and every
        result for target sentences stay the same (clauses never cross sentences)."""
        if not (hasattr(corpus, "iter_texts") and hasattr(corpus, "docvars")):
            raise ParameterError(f"corpus={type(corpus).__name__}: pass a corpuskit Corpus, e.g. "
                                 "ck.load_corpus('seeds') or Corpus.from_records([...])")
        sents = _sentences(corpus)
        dv = corpus.docvars.reset_index(drop=True)
        pos = {k: i for i, k in enumerate(dv["id"].astype(str))}
        sents["doc"] = sents["id"].astype(str).map(pos).astype("int64")
        toks: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        docs: list[int] = []
        bounds: list[np.ndarray] = []
        for i, text in enumerate(corpus.iter_texts()):
            if only is None:
                tk, s, e = _token_spans(text)
                punct = None
            else:
                tk, s, e, punct = _line_token_spans(text, only, None if hits is None else hits[i])
            toks += tk
            sp = tk
            starts.append(s)
            ends.append(e)
            docs.append(np.full(len(sp), i, np.int64))
            # clause boundary before token k: punctuation between token k-1 and k (not before the first)
            b = np.zeros(len(sp), bool)
            if len(sp) > 1:
                if punct is None:
                    punct = _clause_marks(text)
                b[1:] = np.searchsorted(punct, s[1:]) > np.searchsorted(punct, e[:-1])
            bounds.append(b)
        self.start = np.concatenate(starts) if starts else np.zeros(0, np.int64)
        self.end = np.concatenate(ends) if ends else np.zeros(0, np.int64)
        self.doc = np.concatenate(docs) if docs else np.zeros(0, np.int64)
        # sentence row of each token: the last sentence of the same document starting at or before it
        key_s = sents["doc"].to_numpy() * (1 << 32) + sents["start"].to_numpy()
        key_t = self.doc * (1 << 32) + self.start
        seg = np.searchsorted(key_s, key_t, side="right") - 1
        inside = (seg >= 0) & (sents["doc"].to_numpy()[np.clip(seg, 0, None)] == self.doc) & (
            self.end <= sents["end"].to_numpy()[np.clip(seg, 0, None)])
        keep = np.flatnonzero(inside)
        self.start, self.end, self.doc, seg = self.start[keep], self.end[keep], self.doc[keep], seg[keep]
        tokarr = np.asarray(toks, dtype=object)[keep] if toks else np.zeros(0, dtype=object)
        if len(tokarr):
            codes, vocab = pd.factorize(tokarr)
            vocab = np.asarray(vocab, dtype=object)
        else:
            codes, vocab = np.zeros(0, np.int64), np.zeros(0, dtype=object)
        self.codes = np.asarray(codes, dtype=np.int64)
        self.vocab = vocab
        self.seg = seg.astype(np.int64)
        boundary = np.concatenate(bounds)[keep] if bounds else np.zeros(0, bool)
        first = np.ones(len(seg), bool)
        first[1:] = seg[1:] != seg[:-1]
        word_b = np.isin(vocab[self.codes], list(_CLAUSE_WORDS)) if len(vocab) else np.zeros(0, bool)
        self.clause = np.cumsum(boundary | first | word_b)
        sents["n_tokens"] = np.bincount(self.seg, minlength=len(sents)) if len(sents) else []
        self.sents = sents
        self.docvars = dv
        self.tk = _Tokenized(self.codes, self.vocab, self.seg, sents, len(dv))
        self.texts = list(corpus.iter_texts())


def _clause_marks(text: str, start: int = 0, end: int | None = None) -> np.ndarray:
    """Offsets of clause punctuation (``_CLAUSE_CHARS``) in ``text[start:end]``."""
    it = _CLAUSE_CHARS.finditer(text, start, len(text) if end is None else end)
    return np.fromiter((m.start() for m in it), np.int64)


def _line_hits(text: str, rx: "re.Pattern") -> list[bool]:
    """Whether ``rx`` finds something in each line of ``normalize(text)``."""
    from .tokens import normalize
    return [rx.search(n) is not None for n in normalize(text).splitlines()]


def _line_token_spans(text: str, rx: "re.Pattern", hits: list[bool] | None = None
                      ) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """``_token_spans(text)`` restricted to the sentences where ``rx`` finds a head, and the
    clause punctuation of those sentences (the only punctuation that can separate two of their
    tokens within a sentence); ``hits``: ``_line_hits(text, rx)`` if known.

    Only the sentences of lines with a hit are searched (sentences never cross lines), and a
    sentence is searched on its own normalized text: sentences break at whitespace, where
    normalizing and tokenizing see a boundary either way.
    """
    from .tokens import normalize, sentence_spans
    lines = split_lines(text)
    hits = _line_hits(text, rx) if hits is None else hits
    if len(hits) != len(lines):  # normalize keeps line breaks; if not, tokenize everything
        return (*_token_spans(text), _clause_marks(text))
    toks: list[str] = []
    starts, ends, marks = [], [], []
    spans = None
    for (a, b, _), hit in zip(lines, hits):
        if not hit:
            continue
        if spans is None:
            spans = sentence_spans(text)
            firsts = [p for p, _ in spans]
        k = bisect.bisect_left(firsts, a)
        while k < len(spans) and spans[k][0] < b:
            s0, e0 = spans[k]
            k += 1
            if rx.search(normalize(text[s0:e0])) is None:
                continue
            tk, s, e = _token_spans(text[s0:e0])
            toks += tk
            starts.append(s + s0)
            ends.append(e + s0)
            marks.append(_clause_marks(text, s0, e0))
    if not starts:
        z = np.zeros(0, np.int64)
        return [], z, z, z
    return toks, np.concatenate(starts), np.concatenate(ends), np.concatenate(marks)


def _head_regex(lex: FrameDictionary) -> "re.Pattern | None":
    """A regex that finds, in normalized text, every place a match of ``lex`` can be; None when
    an entry starts with a glob (a match could start anywhere).

    Each entry becomes its words in a row, separated by non-token characters: an exact word is
    the whole token, a glob word its literal head (``defen?e`` -> ``defen``) then any token
    characters; from a word starting with a glob on, the rest of the entry is left out. Tokens
    are maximal runs of word characters (and inner apostrophes) in the normalized text, so every
    match is found (the regex may find more: it ignores sentence boundaries).
    """
    alts = set()
    for _, _, words, _ in lex._compiled():
        parts = []
        for w in words:
            head = re.split(r"[*?\[]", w, maxsplit=1)[0]
            if not head:
                break
            parts.append(re.escape(w) + r"(?![^\W_])" if head == w else re.escape(head) + r"(?:[^\W_]|')*")
        if not parts:
            return None
        alts.add(r"[\W_]+".join(parts))
    # grouped by first character (always a literal word character): re tries a few branches
    # per position instead of every entry
    groups: dict[str, list[str]] = {}
    for a in sorted(alts, key=len, reverse=True):
        groups.setdefault(a[0], []).append(a[1:])
    body = "|".join(re.escape(c) + "(?:" + "|".join(g) + ")" for c, g in sorted(groups.items()))
    return re.compile(r"(?<![^\W_])(?:" + body + ")")


def _candidates(corpus, lex: FrameDictionary):
    """The documents that can hold a match of ``lex`` (a Corpus subset, or ``corpus`` itself) and
    their ``_line_hits`` (None when not computed).

    A document where ``_head_regex`` finds nothing has no match and no target sentence:
    skipping it before sentence splitting and tokenizing changes no result. Documents are kept whole, so sentence indices are unchanged. At least one document is kept, so an empty
    result has the same columns and dtypes as before.
    """
    if not hasattr(corpus, "subset") or not hasattr(corpus, "documents") or len(corpus) == 0:
        return corpus, None
    rx = _head_regex(lex)
    if rx is None:
        return corpus, None
    hits = [_line_hits(t, rx) for t in corpus.iter_texts()]
    keep = [any(h) for h in hits]
    if all(keep):
        return corpus, hits
    if not any(keep):
        keep[0] = True
    return corpus.subset(keep), [h for h, k in zip(hits, keep) if k]


def _target_stream(corpus, lex: FrameDictionary) -> _Stream:
    """The stream of the documents and lines of ``corpus`` that can hold a match of ``lex``."""
    sub, hits = _candidates(corpus, lex)
    return _Stream(sub, only=_head_regex(lex), hits=hits)


def _matches(stream: _Stream, lex: FrameDictionary) -> pd.DataFrame:
    """Matches after longest-match resolution: start, length, class, entry, sentence row, matched text."""
    mt = _match(stream.tk, lex, "dictionary")
    keys = lex.keys()
    comp = lex._compiled()
    start, length = mt.start, mt.length
    last = start + length - 1
    doc = stream.doc[start]
    text = [stream.texts[d][stream.start[a]:stream.end[b]] for d, a, b in zip(doc, start, last)]
    return pd.DataFrame({"start": start, "length": length, "cls": [keys[f] for f in mt.frame],
                         "entry": [comp[e][3] for e in mt.entry], "seg": stream.seg[start] if len(start) else [],
                         "text": [" ".join(t.split()) for t in text]})


def _join(values) -> str:
    return "; ".join(dict.fromkeys(values))


def target_sentences(corpus, target: "str | os.PathLike | Mapping | Sequence[str] | FrameDictionary | None" = None
                     ) -> pd.DataFrame:
    """The sentences of ``corpus`` that speak of the target (at least one target-lexicon match).

    Sentences are those of :func:`corpuskit.tokens.sentences` (Punkt within lines); entries match
    normalized tokens within one sentence, longest match first (:func:`corpuskit.frames.score_frames`
    rules), so "self defense forces" is one term, not also "defense".

    Returns one row per target sentence: id, date, sentence (index within the document), text,
    start, end (offsets in the clean text), raw_start, raw_end (offsets in the raw file), terms
    (matched text, "; "-joined, in order of appearance), entries (the lexicon entries that matched),
    facets, n_terms. A corpus with no target sentence gives an empty table with these columns.

    >>> target_sentences(ck.load_corpus("seeds"))[["id", "sentence", "terms"]].head(2)  # doctest: +SKIP
    """
    lex = load_target(target)
    stream = _target_stream(corpus, lex)
    return _target_table(stream, _matches(stream, lex))[0]


def _target_table(stream: _Stream, m: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
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
    from . import _compat
    if _compat.fast_path("negation"):
        return _mark_negation
    from nltk.sentiment.util import mark_negation
    return lambda doc: mark_negation(doc, shallow=True)


def _negated(stream: _Stream, rows: np.ndarray) -> np.ndarray:
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


def _lexicon_scores(stream: _Stream, tgt: pd.DataFrame, targets: pd.DataFrame, rows: np.ndarray,
                    cues: FrameDictionary, window: int) -> pd.DataFrame:
    cm = _matches(stream, cues)
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


# ============================================================================ classifier scoring
def _labels_table(labels, where: str = "labels") -> tuple[list[str], list[str]]:
    if not isinstance(labels, pd.DataFrame):
        raise ParameterError(f"{where}={type(labels).__name__}: pass a DataFrame with a 'label' column and a "
                             "'sentence' (or 'text') column, e.g. ck.read_gold('seeds/annotations/gold.csv')")
    tcol = "sentence" if "sentence" in labels.columns else "text" if "text" in labels.columns else None
    if tcol is None or "label" not in labels.columns:
        raise ParameterError(f"{where}: needs columns 'label' and 'sentence' (or 'text'); found "
                             f"{', '.join(map(str, labels.columns))}")
    lab = labels["label"].astype(str).tolist()
    _check_labels(lab, where)
    if len(lab) == 0:
        raise ParameterError(f"{where}: no labeled sentences to train on")
    if len(set(lab)) < 2:
        raise ParameterError(f"{where}: every label is {lab[0]!r}; a classifier needs at least two classes")
    return labels[tcol].astype(str).tolist(), lab


def _check_labels(lab: Sequence[str], where: str, allowed: Sequence[str] = LABELS) -> None:
    for i, v in enumerate(lab):
        if v not in allowed:
            raise GoldError(f"{where}, row {i + 1}: label {v!r} is not one of {', '.join(allowed)}; recode it")


def _default_model(random_state: int | None = None):
    try:
        from .classifier import StanceClassifier
    except ImportError as exc:  # pragma: no cover - depends on the installed corpuskit
        raise ParameterError(f"model=None needs corpuskit.classifier.StanceClassifier ({exc}); pass any "
                             "scikit-learn classifier with fit/predict_proba/classes_ as model=") from None
    return StanceClassifier(random_state=random_state)  # seeded: the same random_state, the same scores


def _proba_scores(model, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """score = P(favor) - P(against) and the most probable label, from any fitted sklearn-like model."""
    if len(texts) == 0:
        return np.zeros(0), np.zeros(0, dtype=object)
    P = np.asarray(model.predict_proba(list(texts)), dtype=float)
    classes = [str(c) for c in model.classes_]
    bad = [c for c in classes if c not in LABELS]
    if bad:
        raise ParameterError(f"model.classes_ contains {bad[0]!r}; stance labels are {', '.join(LABELS)}")
    col = {c: j for j, c in enumerate(classes)}
    pf = P[:, col["favor"]] if "favor" in col else 0.0
    pa = P[:, col["against"]] if "against" in col else 0.0
    return np.asarray(pf - pa, dtype=float) + 0.0, np.asarray(classes, dtype=object)[P.argmax(1)]


# ============================================================================ documents
def document_stance(scores: pd.DataFrame, docvars: pd.DataFrame | None = None, *, n_boot: int = 1000,
                    level: float = 0.95, random_state: int | None = None, method: str | None = None) -> pd.DataFrame:
    """Mean sentence score per document with a percentile bootstrap CI over the document's sentences.

    ``scores``: sentence-level stance (id, score), e.g. ``score_stance(..., level="sentence")`` or
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


# ============================================================================ public scoring
def score_stance(corpus, method: str = "lexicon", level: str = "document",
                 target: "str | os.PathLike | Mapping | Sequence[str] | FrameDictionary | None" = None,
                 cues: "str | os.PathLike | Mapping | FrameDictionary | None" = None, model=None,
                 labels: pd.DataFrame | None = None, n_boot: int = 1000, random_state: int | None = None,
                 window: int = 8) -> pd.DataFrame:
    """Stance of each target sentence or document toward the target, in [-1, 1].

    Parameters
    ----------
    method : ``"lexicon"`` (default; no labels needed: the cue lexicon, see the module docstring and
        ``corpuskit/data/stance_cues.yml``) or ``"classifier"``: ``model`` (any scikit-learn-like
        estimator with ``fit(texts, labels)``, ``predict_proba``, ``classes_``; default
        ``corpuskit.classifier.StanceClassifier``) is fitted on ``labels`` (a DataFrame with
        ``sentence``/``text`` and ``label`` in favor/against/none, e.g. :func:`read_gold`) and scores
        each target sentence P(favor) - P(against). Sentences in ``labels`` are scored in-sample:
        use :func:`cross_fit_stance` to score the coded sentences themselves.
    level : ``"sentence"`` (one row per target sentence: id, date, sentence, text, label, score,
        then raw_start, raw_end, terms and, for the lexicon, n_favor, n_against, cues) or
        ``"document"`` (:func:`document_stance`: one row per document of the corpus, including
        documents without target sentences).
    target, cues : anything :func:`load_target` / :func:`load_cues` accept (None: packaged lexicons).
    window : a cue attaches to a target term in its clause or within this many tokens of it.
    n_boot, random_state : bootstrap settings for document CIs (same seed, same table).

    Example
    -------
    >>> ck.score_stance(ck.load_corpus("seeds"), random_state=1)[["id", "stance", "ci_low", "ci_high"]]  # doctest: +SKIP
    """
    if method not in ("lexicon", "classifier"):
        raise ParameterError(f"method={method!r}: use 'lexicon' or 'classifier'")
    if level not in ("document", "sentence"):
        raise ParameterError(f"level={level!r}: use 'document' or 'sentence'")
    if not isinstance(window, (int, np.integer)) or window < 0:
        raise ParameterError(f"window={window!r}: pass a number of tokens >= 0")
    tlex = load_target(target)
    stream = _target_stream(corpus, tlex)
    tm = _matches(stream, tlex)
    targets, rows = _target_table(stream, tm)
    if method == "lexicon":
        sent = _lexicon_scores(stream, tm, targets, rows, load_cues(cues), window)
    else:
        if labels is None:
            raise ParameterError("method='classifier' needs labels= (a DataFrame with sentence and label, e.g. "
                                 "ck.read_gold(...)) to train on")
        X, y = _labels_table(labels)
        model = _default_model(random_state) if model is None else model
        model.fit(X, y)
        sent = targets.copy()
        score, lab = _proba_scores(model, sent["text"].astype(str).tolist())
        sent["label"] = pd.array(lab if len(lab) else [], dtype="string")
        sent["score"] = score
    sent["id"] = sent["id"].astype("string")
    lead = ["id", "date", "sentence", "text", "label", "score"]
    sent = sent[lead + [c for c in sent.columns if c not in lead]].reset_index(drop=True)
    sent.attrs["corpuskit"] = {"kind": "stance", "level": "sentence", "method": method,
                               "target": tlex.name, "target_version": tlex.version}
    if level == "sentence":
        return sent
    out = document_stance(sent, corpus.docvars.reset_index(drop=True), n_boot=n_boot, random_state=random_state, method=method)
    out.attrs["corpuskit"].update(method=method, target=tlex.name, target_version=tlex.version)
    return out


def cross_fit_stance(corpus, gold: pd.DataFrame, model=None, n_splits: int = 5, groups: str | None = "id",
                     random_state: int | None = None, *, level: str = "sentence",
                     target: "str | os.PathLike | Mapping | Sequence[str] | FrameDictionary | None" = None,
                     n_boot: int = 1000) -> pd.DataFrame:
    """Out-of-fold classifier stance for every target sentence: no sentence is scored by a model trained on it.

    The gold rows that match sentences of ``corpus`` (:func:`attach_gold`, by span or hash) are split
    into folds: ``groups="id"`` holds out whole documents (GroupKFold with min(n_splits, n_docs)
    folds: sentences of one article are not independent, so this is the honest estimate);
    ``groups=None`` uses StratifiedKFold (shuffled with ``random_state``), with as many folds as the
    smallest class allows (at least 2; KFold when a class has a single sentence). Each fold's model
    (a ``sklearn.base.clone`` of ``model``) is trained on the other folds' gold sentences and scores
    the held-out target sentences. Target sentences that are not in the gold standard are scored by a
    model trained on all gold sentences (fold = -1).

    Returns the sentence-level table of :func:`score_stance` plus ``gold`` (the gold label or <NA>)
    and ``fold``; with ``level="document"`` the :func:`document_stance` of those scores.
    """
    from sklearn.base import clone
    from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold

    if groups not in ("id", None):
        raise ParameterError(f"groups={groups!r}: use 'id' (hold out whole documents) or None (stratified folds)")
    if level not in ("document", "sentence"):
        raise ParameterError(f"level={level!r}: use 'document' or 'sentence'")
    if not isinstance(n_splits, (int, np.integer)) or n_splits < 2:
        raise ParameterError(f"n_splits={n_splits!r}: pass an integer >= 2")
    model = _default_model(random_state) if model is None else model
    stream = _Stream(corpus)
    tm = _matches(stream, load_target(target))
    targets, _ = _target_table(stream, tm)
    allsent = stream.sents.copy()
    att = attach_gold(allsent, gold)
    coded = att[att["gold_label"].notna()].reset_index(drop=True)
    if len(coded) == 0:
        raise GoldError("gold: no gold row matches a sentence of the corpus (by span or hash); check ids and "
                        "spans with ck.check_gold(gold, corpus)")
    X = coded["text"].astype(str).to_numpy(dtype=object)
    y = coded["gold_label"].astype(str).to_numpy(dtype=object)
    _check_labels(list(y), "gold")
    if groups == "id":
        g = coded["id"].astype(str).to_numpy()
        k = min(n_splits, len(np.unique(g)))
        if k < 2:
            raise ParameterError("groups='id': the gold sentences come from one document; use groups=None")
        splits = list(GroupKFold(n_splits=k).split(X, y, g))
        basis = f"GroupKFold by document, {k} folds"
    else:
        smallest = int(pd.Series(y).value_counts().min())
        k = max(2, min(n_splits, smallest))
        if smallest >= 2:
            splits = list(StratifiedKFold(n_splits=k, shuffle=True, random_state=random_state).split(X, y))
            basis = f"StratifiedKFold, {k} folds"
        else:
            splits = list(KFold(n_splits=min(n_splits, len(y)), shuffle=True, random_state=random_state).split(X))
            basis = f"KFold, {len(splits)} folds (a class has one sentence: no stratification)"
    key = coded["id"].astype(str) + ":" + coded["sentence"].astype(str)
    fold_of = {}
    score_of: dict[str, float] = {}
    label_of: dict[str, str] = {}
    tkey = (targets["id"].astype(str) + ":" + targets["sentence"].astype(str)).to_numpy()
    for f, (tr, te) in enumerate(splits):
        if len(set(y[tr])) < 2:
            raise ParameterError(f"fold {f + 1}: the training sentences have a single class; use fewer folds "
                                 "or groups=None")
        m = clone(model).fit(list(X[tr]), list(y[tr]))
        held = set(key.iloc[te])
        sel = np.flatnonzero(np.isin(tkey, list(held)))
        s, lab = _proba_scores(m, targets["text"].astype(str).to_numpy()[sel].tolist())
        for j, i in enumerate(sel):
            fold_of[tkey[i]], score_of[tkey[i]], label_of[tkey[i]] = f, float(s[j]), str(lab[j])
    rest = [i for i, t in enumerate(tkey) if t not in fold_of]
    if rest:
        m = clone(model).fit(list(X), list(y))
        s, lab = _proba_scores(m, targets["text"].astype(str).to_numpy()[rest].tolist())
        for j, i in enumerate(rest):
            fold_of[tkey[i]], score_of[tkey[i]], label_of[tkey[i]] = -1, float(s[j]), str(lab[j])
    out = targets.copy()
    out["label"] = pd.array([label_of[t] for t in tkey], dtype="string")
    out["score"] = np.array([score_of[t] for t in tkey], dtype=float)
    gl = dict(zip(key, coded["gold_label"].astype(str)))
    out["gold"] = pd.array([gl.get(t, pd.NA) for t in tkey], dtype="string")
    out["fold"] = np.array([fold_of[t] for t in tkey], dtype=np.int64)
    out["id"] = out["id"].astype("string")
    lead = ["id", "date", "sentence", "text", "label", "score"]
    out = out[lead + [c for c in out.columns if c not in lead]].reset_index(drop=True)
    out.attrs["corpuskit"] = {"kind": "stance", "level": "sentence", "method": "classifier (cross-fitted)",
                              "folds": basis}
    if level == "sentence":
        return out
    doc = document_stance(out, stream.docvars, n_boot=n_boot, random_state=random_state, method="classifier")
    doc.attrs["corpuskit"]["folds"] = basis
    return doc


# ============================================================================ gold standard
def read_gold(path: "str | os.PathLike") -> pd.DataFrame:
    """Read a gold-standard CSV (id, start, end, sentence_hash, sentence, label [, target, rationale ...]).

    Checks every row: id non-empty (kept as a string, "000" stays "000"), start/end integers with
    0 <= start < end, label in favor/against/none, a 40-hex sentence_hash, no span coded twice. A
    problem raises :class:`GoldError` naming the file, line, column and value.

    >>> gold = read_gold("seeds/annotations/gold.csv")   # doctest: +SKIP
    """
    p = pathlib.Path(path)
    if not p.is_file():
        raise GoldError(f"{p}: no such gold file")
    data = p.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise GoldError(f"{p}, line {line}: not valid UTF-8; save the file as UTF-8") from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise GoldError(f"{p}: empty file; write a header {','.join(GOLD_COLUMNS)}")
    header = [h.strip() for h in header]
    missing = [c for c in GOLD_COLUMNS if c not in header]
    if missing:
        raise GoldError(f"{p}, line 1: missing column(s) {', '.join(missing)}; the header needs "
                        f"{','.join(GOLD_COLUMNS)}")
    rows, lines = [], []
    seen: dict[tuple[str, int, int], int] = {}
    for row in reader:
        line = reader.line_num
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise GoldError(f"{p}, line {line}: {len(row)} fields, the header has {len(header)}; quote fields "
                            "that contain commas")
        r = dict(zip(header, row))
        if not r["id"].strip():
            raise GoldError(f"{p}, line {line}, column id: empty id; give the document id")
        for c in ("start", "end"):
            v = r[c].strip()
            if not re.fullmatch(r"\d+", v):
                raise GoldError(f"{p}, line {line}, column {c}: {v!r} is not a non-negative integer offset")
        s, e = int(r["start"]), int(r["end"])
        if s >= e:
            raise GoldError(f"{p}, line {line}: start {s} >= end {e}; the span must be non-empty")
        if r["label"] not in LABELS:
            raise GoldError(f"{p}, line {line}, column label: {r['label']!r} is not one of {', '.join(LABELS)}")
        if not re.fullmatch(r"[0-9a-f]{40}", r["sentence_hash"]):
            raise GoldError(f"{p}, line {line}, column sentence_hash: {r['sentence_hash']!r} is not a sha1 hex "
                            "digest; use ck.sentence_hash(sentence)")
        k = (r["id"], s, e)
        if k in seen:
            raise GoldError(f"{p}, line {line}: span {r['id']}:{s}-{e} is already coded on line {seen[k]}")
        seen[k] = line
        rows.append(r)
        lines.append(line)
    if not rows:
        raise GoldError(f"{p}: a header but no coded rows")
    df = pd.DataFrame(rows, columns=header)
    df["start"] = df["start"].astype("int64")
    df["end"] = df["end"].astype("int64")
    df["line"] = np.asarray(lines, dtype=np.int64)
    df.attrs["source"] = str(p)
    return df.astype({c: "string" for c in header if c not in ("start", "end")})


def check_gold(gold: pd.DataFrame, corpus, *, strict: bool = False) -> pd.DataFrame:
    """Check that each gold row's span still holds its sentence in the RAW text of ``corpus``.

    Returns one row per gold row: id, start, end, status ("ok", "unknown id", "span out of range",
    "hash mismatch") and found_hash (the hash of the raw span now). ``strict=True`` raises
    :class:`GoldError` at the first problem, naming the gold file/line, the id, span and value.
    """
    raws = {d.id: d.raw for d in corpus}
    src = gold.attrs.get("source", "gold")
    status, found = [], []
    for i, r in enumerate(gold.itertuples(index=False)):
        raw = raws.get(str(r.id))
        if raw is None:
            st, h = "unknown id", None
        elif r.end > len(raw):
            st, h = "span out of range", None
        else:
            h = sentence_hash(raw[r.start:r.end])
            st = "ok" if h == r.sentence_hash else "hash mismatch"
        status.append(st)
        found.append(h)
        if strict and st != "ok":
            line = getattr(r, "line", i + 2)
            raise GoldError(f"{src}, line {line}: id {r.id!r} span {r.start}-{r.end}: {st} (stored hash "
                            f"{r.sentence_hash}, raw text now {h}); re-anchor the row or recode it")
    return pd.DataFrame({"id": gold["id"].astype("string").to_numpy(), "start": gold["start"].to_numpy(),
                         "end": gold["end"].to_numpy(), "status": pd.array(status, dtype="string"),
                         "found_hash": pd.array(found, dtype="string")})


def attach_gold(sentences: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """Join gold labels onto a sentence table by raw span, else by sentence hash.

    ``sentences`` needs id, text and raw_start/raw_end (as :func:`corpuskit.tokens.sentences` and
    :func:`target_sentences` give). A sentence takes the gold row with the same id and raw span
    (``gold_matched_by="span"``); failing that, the gold row of the same id whose hash equals the
    hash of its text (``"hash"``: survives a change of cleaning that moves offsets); else no label
    (``gold_label`` <NA>, ``gold_matched_by="unmatched"``): never dropped. Adds gold_label,
    gold_target (when the gold has a target column) and gold_matched_by.
    """
    need = [c for c in ("id", "text", "raw_start", "raw_end") if c not in sentences.columns]
    if need:
        raise ParameterError(f"sentences: missing column(s) {', '.join(need)}; pass ck.sentences(corpus) or "
                             "ck.target_sentences(corpus)")
    for c in ("id", "start", "end", "sentence_hash", "label"):
        if c not in gold.columns:
            raise ParameterError(f"gold: missing column {c!r}; read it with ck.read_gold(path)")
    g = gold.assign(id=gold["id"].astype(str))
    extra = ["target"] if "target" in g.columns else []
    out = sentences.copy()
    key_id = out["id"].astype(str)
    span = pd.MultiIndex.from_arrays([g["id"], g["start"].astype("int64"), g["end"].astype("int64")])
    sidx = pd.Series(np.arange(len(g)), index=span)
    sidx = sidx[~sidx.index.duplicated()]
    raw_s = pd.to_numeric(out["raw_start"], errors="coerce").fillna(-1).astype("int64")
    raw_e = pd.to_numeric(out["raw_end"], errors="coerce").fillna(-1).astype("int64")
    by_span = sidx.reindex(pd.MultiIndex.from_arrays([key_id, raw_s, raw_e])).to_numpy()
    hidx = pd.Series(np.arange(len(g)), index=pd.MultiIndex.from_arrays([g["id"], g["sentence_hash"].astype(str)]))
    hidx = hidx[~hidx.index.duplicated()]
    hashes = [sentence_hash(t) for t in out["text"].astype(str)]
    by_hash = hidx.reindex(pd.MultiIndex.from_arrays([key_id, pd.Index(hashes)])).to_numpy()
    pick = np.where(~np.isnan(by_span), by_span, by_hash)
    how = np.where(~np.isnan(by_span), "span", np.where(~np.isnan(by_hash), "hash", "unmatched"))
    ok = ~np.isnan(pick)
    pi = np.where(ok, pick, 0).astype(np.int64)
    labels = g["label"].astype(str).to_numpy(dtype=object)[pi]
    out["gold_label"] = pd.array(np.where(ok, labels, None), dtype="string")
    if extra:
        tg = g["target"].astype(str).to_numpy(dtype=object)[pi]
        out["gold_target"] = pd.array(np.where(ok, tg, None), dtype="string")
    out["gold_matched_by"] = pd.array(how, dtype="string")
    return out


def sample_for_coding(sentences: pd.DataFrame, n: int, by: str | None = "id", *,
                      random_state: int | None = None) -> pd.DataFrame:
    """A stratified random sample of sentences to hand-code, as a gold-format coding sheet.

    Allocation is proportional to stratum size (column ``by``; ``None`` = simple random sample),
    rounded by largest remainder (Hamilton), so the sheet has exactly ``n`` rows (or all sentences
    when ``n`` exceeds them); sampling within strata is without replacement. Returns id, start, end
    (raw span), sentence_hash, sentence, label (empty), rationale (empty), plus ``by``: write it out
    with ``to_csv`` and code the label column (favor/against/none) by the codebook.
    """
    need = [c for c in ("id", "text", "raw_start", "raw_end") if c not in sentences.columns]
    if need:
        raise ParameterError(f"sentences: missing column(s) {', '.join(need)}; pass ck.target_sentences(corpus)")
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ParameterError(f"n={n!r}: pass a positive number of sentences to sample")
    if by is not None and by not in sentences.columns:
        raise ParameterError(f"by={by!r} is not a column of sentences; columns: {', '.join(map(str, sentences.columns))}")
    rng = np.random.default_rng(random_state)
    df = sentences.reset_index(drop=True)
    n = min(n, len(df))
    strata = df[by].astype(str) if by is not None else pd.Series(["all"] * len(df))
    sizes = strata.value_counts(sort=False).sort_index()
    quota = sizes.to_numpy() * n / sizes.sum()
    take = np.floor(quota).astype(int)
    rem = n - take.sum()
    order = np.lexsort((np.arange(len(quota)), -(quota - take)))
    take[order[:rem]] += 1
    picked = []
    for s, k in zip(sizes.index, take):
        idx = np.flatnonzero(strata.to_numpy() == s)
        picked.append(rng.choice(idx, size=int(k), replace=False))
    sel = np.sort(np.concatenate(picked)) if picked else np.zeros(0, int)
    sub = df.iloc[sel]
    out = pd.DataFrame({"id": sub["id"].astype("string").to_numpy(), "start": sub["raw_start"].to_numpy(),
                        "end": sub["raw_end"].to_numpy(),
                        "sentence_hash": [sentence_hash(t) for t in sub["text"].astype(str)],
                        "sentence": [" ".join(t.split()) for t in sub["text"].astype(str)],
                        "label": "", "rationale": ""})
    if by is not None and by != "id":
        out[by] = sub[by].to_numpy()
    return out.reset_index(drop=True)


def agreement(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str] = LABELS) -> dict[str, Any]:
    """Agreement of predicted with gold labels: n, accuracy, macro_f1, kappa, per_class, confusion.

    kappa is Cohen's (1960): (p_o - p_e) / (1 - p_e), p_e from the two marginals; it is undefined
    (NaN, with a warning) only when both sequences use one and the same label throughout.
    macro_f1 averages per-class F1 over the labels that occur in gold or predicted (scikit-learn's
    f1_score(average="macro") convention); a class never predicted has precision 0.
    per_class: DataFrame label, precision, recall, f1, support. confusion: DataFrame gold x predicted
    over ``labels``.

    >>> agreement(["favor", "none", "none"], ["favor", "none", "favor"])["accuracy"]
    0.6666666666666666
    """
    g = [str(x) for x in (gold.tolist() if hasattr(gold, "tolist") else gold)]
    p = [str(x) for x in (predicted.tolist() if hasattr(predicted, "tolist") else predicted)]
    if len(g) != len(p):
        raise ParameterError(f"gold has {len(g)} labels, predicted {len(p)}; pass aligned label sequences")
    if len(g) == 0:
        raise ParameterError("gold and predicted are empty; nothing to compare")
    labels = list(labels)
    _check_labels(g, "gold", labels)
    _check_labels(p, "predicted", labels)
    idx = {lab: i for i, lab in enumerate(labels)}
    L = len(labels)
    C = np.bincount(np.array([idx[x] for x in g]) * L + np.array([idx[x] for x in p]), minlength=L * L).reshape(L, L)
    n = C.sum()
    po = np.trace(C) / n
    pe = float((C.sum(1) * C.sum(0)).sum()) / n ** 2
    if pe == 1:  # both raters used one and the same label throughout: kappa is 0/0
        warnings.warn("agreement: gold and predicted use a single, identical label; Cohen's kappa is undefined "
                      "(NaN)", UserWarning, stacklevel=2)
        kappa = float("nan")
    else:
        kappa = (po - pe) / (1 - pe)
    tp = np.diag(C).astype(float)
    pred_n, true_n = C.sum(0).astype(float), C.sum(1).astype(float)
    prec = np.divide(tp, pred_n, out=np.zeros(L), where=pred_n > 0)
    rec = np.divide(tp, true_n, out=np.zeros(L), where=true_n > 0)
    f1 = np.divide(2 * prec * rec, prec + rec, out=np.zeros(L), where=(prec + rec) > 0)
    present = (pred_n + true_n) > 0
    per = pd.DataFrame({"label": labels, "precision": prec, "recall": rec, "f1": f1,
                        "support": true_n.astype(int)}).astype({"label": "string"})
    conf = pd.DataFrame(C, index=pd.Index(labels, name="gold"), columns=pd.Index(labels, name="predicted"))
    return {"n": int(n), "accuracy": float(po), "macro_f1": float(f1[present].mean()), "kappa": float(kappa),
            "per_class": per, "confusion": conf}
