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

import bisect
from dataclasses import dataclass
import os
import pathlib
import re
from functools import lru_cache
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from .. import _compat
from ..clean import split_lines
from ..errors import ParameterError
from ..dictionary import Dictionary, DictionaryError, load_dictionary, match_entries
from ..tokenizer import Tokens, normalize, sentence_spans, token_spans
from ..tokenizer import sentences as sentences_table

__all__ = ["PACKAGED_TARGETS", "PACKAGED_CUES", "load_target", "load_cues", "SentenceStream", "target_stream",
           "lexicon_matches", "target_sentences", "Tokenized", "as_corpus", "target_table", "lexicon_scores", "document_stance"]

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
        source = "rearmament"
    if isinstance(source, Dictionary):
        return source
    if isinstance(source, (list, tuple)):
        return Dictionary({name: list(source)}, name=name, source=f"{name} list", kind=kind, key=key,
                          where={(name, i): f"{name} list, item {i + 1}" for i in range(len(source))})
    if isinstance(source, (str, os.PathLike)) and not pathlib.Path(source).is_file() and source not in packaged:
        raise DictionaryError(f"{name} {str(source)!r}: no such file (packaged {kind}s: {', '.join(packaged)})")
    if isinstance(source, (str, os.PathLike, Mapping)):
        return load_dictionary(source, kind=kind, key=key, packaged=packaged)
    raise ParameterError(f"{name}={type(source).__name__}: pass a path to a YAML/CSV lexicon, a dict, a list of "
                         f"entries, a Dictionary, or None for the packaged rearmament {kind}")


def load_target(source: "str | os.PathLike | Mapping | Sequence[str] | Dictionary | None" = None
                ) -> Dictionary:
    """Load a target lexicon: words, globs (``rearm*``) and phrases (``"article 9"``) naming the target.

    ``source``: ``None``/``"rearmament"`` (the packaged lexicon of Japan's military and defense
    posture), a ``.yml``/``.csv`` path or dict in any layout :func:`corpuskit.dictionary.load_dictionary`
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



@dataclass
class Tokenized:
    """The token stream :func:`~corpuskit.dictionary.match_entries` reads: vocabulary codes, the
    sentence row of each token (``seg``), the sentence table."""

    codes: np.ndarray
    vocab: np.ndarray
    seg: np.ndarray
    sents: pd.DataFrame
    n_docs: int


def as_corpus(corpus):
    """The corpus behind a :class:`~corpuskit.tokens.Tokens` (stance reads sentences and raw offsets
    of candidate lines only, its speed path), or ``corpus`` itself."""
    return corpus.corpus if isinstance(corpus, Tokens) else corpus


class SentenceStream:
    """Every sentence's tokens as one stream: codes/vocab/seg for frames' matcher, plus offsets."""

    def __init__(self, corpus, only: "re.Pattern | None" = None, hits: "list[list[bool]] | None" = None):
        """``only``: tokenize just the lines whose normalized text this regex finds (``_head_regex``):
        the others cannot hold a match of its lexicon (``hits``: per document, whether it finds
        one in each line, if already known). Sentences, their indices and every
        result for target sentences stay the same (clauses never cross sentences)."""
        if not (hasattr(corpus, "iter_texts") and hasattr(corpus, "docvars")):
            raise ParameterError(f"corpus={type(corpus).__name__}: pass a corpuskit Corpus, e.g. "
                                 "ck.load_corpus('seeds') or Corpus.from_records([...])")
        sents = sentences_table(corpus)
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
                tk, s, e = token_spans(text)
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
        self.tk = Tokenized(self.codes, self.vocab, self.seg, sents, len(dv))
        self.texts = list(corpus.iter_texts())


def _clause_marks(text: str, start: int = 0, end: int | None = None) -> np.ndarray:
    """Offsets of clause punctuation (``_CLAUSE_CHARS``) in ``text[start:end]``."""
    it = _CLAUSE_CHARS.finditer(text, start, len(text) if end is None else end)
    return np.fromiter((m.start() for m in it), np.int64)


def _line_hits(text: str, rx: "re.Pattern") -> list[bool]:
    """Whether ``rx`` finds something in each line of ``normalize(text)``."""
    return [rx.search(n) is not None for n in normalize(text).splitlines()]


def _line_token_spans(text: str, rx: "re.Pattern", hits: list[bool] | None = None
                      ) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """``token_spans(text)`` restricted to the sentences where ``rx`` finds a head, and the
    clause punctuation of those sentences (the only punctuation that can separate two of their
    tokens within a sentence); ``hits``: ``_line_hits(text, rx)`` if known.

    Only the sentences of lines with a hit are searched (sentences never cross lines), and a
    sentence is searched on its own normalized text: sentences break at whitespace, where
    normalizing and tokenizing see a boundary either way.
    """
    lines = split_lines(text)
    hits = _line_hits(text, rx) if hits is None else hits
    if len(hits) != len(lines):  # normalize keeps line breaks; if not, tokenize everything
        return (*token_spans(text), _clause_marks(text))
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
            tk, s, e = token_spans(text[s0:e0])
            toks += tk
            starts.append(s + s0)
            ends.append(e + s0)
            marks.append(_clause_marks(text, s0, e0))
    if not starts:
        z = np.zeros(0, np.int64)
        return [], z, z, z
    return toks, np.concatenate(starts), np.concatenate(ends), np.concatenate(marks)


def _head_regex(lex: Dictionary) -> "re.Pattern | None":
    """A regex that finds, in normalized text, every place a match of ``lex`` can be; None when
    an entry starts with a glob (a match could start anywhere).

    Each entry becomes its words in a row, separated by non-token characters: an exact word is
    the whole token, a glob word its literal head (``defen?e`` -> ``defen``) then any token
    characters; from a word starting with a glob on, the rest of the entry is left out. Tokens
    are maximal runs of word characters (and inner apostrophes) in the normalized text, so every
    match is found (the regex may find more: it ignores sentence boundaries).
    """
    if lex.valuetype == "regex":  # a regex can match anywhere
        return None
    alts = set()
    for _, _, words, _ in lex.compiled():
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


def _candidates(corpus, lex: Dictionary):
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


def target_stream(corpus, lex: Dictionary) -> SentenceStream:
    """The stream of the documents and lines of ``corpus`` that can hold a match of ``lex``."""
    sub, hits = _candidates(corpus, lex)
    return SentenceStream(sub, only=_head_regex(lex), hits=hits)


def lexicon_matches(stream: SentenceStream, lex: Dictionary) -> pd.DataFrame:
    """Matches after longest-match resolution: start, length, class, entry, sentence row, matched text."""
    mt = match_entries(stream.tk, lex, "dictionary")
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
    stream = target_stream(as_corpus(corpus), lex)
    return target_table(stream, lexicon_matches(stream, lex))[0]


def target_table(stream: SentenceStream, m: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
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


def _negated(stream: SentenceStream, rows: np.ndarray) -> np.ndarray:
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


def lexicon_scores(stream: SentenceStream, tgt: pd.DataFrame, targets: pd.DataFrame, rows: np.ndarray,
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


