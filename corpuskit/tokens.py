"""Sentences, tokens and keyword-in-context: the one tokenizing path of corpuskit.

Nothing here needs downloaded NLTK data. Sentences come from NLTK's Punkt
algorithm with no trained model, given a list of common abbreviations (so
"Aug. 2" does not end a sentence), applied within each line (a line break
always ends a sentence). Tokens come from one regular expression applied to a
normalized copy of the text; the stored text is never changed.

Normalization for analysis (``normalize``):
* lower case; curly apostrophes and quotes become straight ones;
* a hyphen after a common prefix is dropped (``re-arm`` -> ``rearm``,
  ``re-interpret`` -> ``reinterpret``); other hyphens separate words
  (``US-Japan`` -> ``us``, ``japan``), so multiword patterns match either form;
* a possessive ``'s`` is dropped (``Japan's`` -> ``japan``);
* numbers are kept (``Article 9``, ``2 percent``); punctuation is dropped.
"""
from __future__ import annotations

import fnmatch
import re
from functools import lru_cache
from typing import Iterable, Iterator, Sequence

import numpy as np
import pandas as pd

from . import _compat
from .clean import split_lines
from .errors import ParameterError

__all__ = ["normalize", "tokenize", "tokenize_spans", "token_spans", "sentences", "sentence_spans", "tokens", "kwic",
           "ABBREVIATIONS", "HYPHEN_PREFIXES", "stop_words", "Pattern"]

# Lower-case, without the final period. Month and title abbreviations, states, common news usage.
ABBREVIATIONS = frozenset("""
jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun
mr mrs ms dr prof gen lt col maj capt sgt adm cmdr sen rep gov pres amb st jr sr rev hon
u.s u.k u.n e.u u.s.a p.m a.m i.e e.g etc vs approx no nos fig vol dept est inc ltd co corp
ala ariz calif colo conn fla ga ill ind kan ky la md mass mich minn miss mo mont neb nev okla ore pa
tenn tex va vt wash wis wyo
""".split())

# Conservative on purpose: "un-"/"ex-"/"self-" are left out ("UN-led", "Self-Defense Forces").
HYPHEN_PREFIXES = ("re", "pre", "non", "anti", "co", "counter", "post", "semi", "pro", "multi")

_TRANSLATE = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"',
                            "\u2010": "-", "\u2011": "-", "\u2012": "-"})
_REPLACE = tuple((chr(k), v) for k, v in _TRANSLATE.items())
_JOIN = re.compile(r"\b(" + "|".join(HYPHEN_PREFIXES) + r")-(?=[^\W\d_])")
# The same rule matched from the hyphen (a literal first character lets re skip ahead fast):
# a hyphen preceded by a prefix at a word start and followed by a letter is dropped.
_JOIN_HYPHEN = re.compile(r"-(?:" + "|".join(rf"(?<=\b{p}-)" for p in HYPHEN_PREFIXES) + r")(?=[^\W\d_])")
_POSSESSIVE = re.compile(r"'s\b")
TOKEN_PATTERN = r"[^\W_]+(?:'[^\W_]+)*"
_TOKEN = re.compile(TOKEN_PATTERN)
_MARK_TOKEN = re.compile(r"\n|" + TOKEN_PATTERN)  # tokens and the line breaks between pieces
# The same tokens found in the raw (un-normalized) text, so each keeps its character span.
_SPAN_TOKEN = re.compile(r"(?:\b(?:" + "|".join(HYPHEN_PREFIXES) + r")[-\u2010\u2011\u2012](?=[^\W\d_]))?"
                         r"[^\W_]+(?:['\u2019\u2018\u02bc][^\W_]+)*", re.IGNORECASE)
_SPAN_SPLIT = re.compile("(" + _SPAN_TOKEN.pattern + ")", re.IGNORECASE)


def normalize(text: str) -> str:
    """The analysis form of a text (see module docstring); not used for storage.

    >>> normalize("Japan’s re-arm")
    "japan rearm"
    """
    t = text.lower()
    # str.replace per character is much faster than str.translate with a dict (same result)
    for a, b in _REPLACE:
        if a in t:
            t = t.replace(a, b)
    t = _JOIN_HYPHEN.sub("", t)  # == _JOIN.sub(r"\1", t), several times faster
    return _POSSESSIVE.sub("", t)


@lru_cache(maxsize=8)
def stop_words(name: str | None = "english") -> frozenset[str]:
    """Stop words by name: ``"english"`` is scikit-learn's list (no NLTK data needed)."""
    if name is None:
        return frozenset()
    if name == "english":
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
        return frozenset(ENGLISH_STOP_WORDS)
    raise ParameterError(f"stop_words={name!r}: use 'english', None, or pass a collection of words")


def _stopset(stop: str | Iterable[str] | None) -> frozenset[str]:
    if stop is None or isinstance(stop, str):
        return stop_words(stop)
    return frozenset(normalize(w) for w in stop)


@lru_cache(maxsize=1)
def _stemmer():
    from nltk.stem.snowball import SnowballStemmer
    return SnowballStemmer("english")


def tokenize(text: str, stop_words: str | Iterable[str] | None = None, stem: bool = False,
             ngrams: int | Sequence[int] = 1, min_len: int = 1) -> list[str]:
    """Tokens of one text, normalized; optional stop words, Snowball stemming, n-grams.

    N-grams are joined with ``_`` and built after stop-word removal (as quanteda's
    ``tokens_ngrams`` on removed tokens).

    >>> tokenize("Japan’s plan to re-arm, Article 9.")
    ['japan', 'plan', 'to', 'rearm', 'article', '9']
    """
    toks = _TOKEN.findall(normalize(text))
    stop = _stopset(stop_words)
    if stop or min_len > 1:
        toks = [t for t in toks if t not in stop and len(t) >= min_len]
    if stem:
        st = _stemmer()
        toks = [st.stem(t) for t in toks]
    ns = (ngrams,) if isinstance(ngrams, int) else tuple(ngrams)
    if ns == (1,):
        return toks
    out: list[str] = []
    for n in ns:
        if n == 1:
            out += toks
        else:
            out += ["_".join(toks[i:i + n]) for i in range(len(toks) - n + 1)]
    return out


def tokenize_spans(text: str) -> list[tuple[str, int, int]]:
    """Tokens with their character spans in ``text`` (same tokens as ``tokenize``)."""
    toks, starts, ends = token_spans(text)
    return list(zip(toks, starts.tolist(), ends.tolist()))


def token_spans(text: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """``tokenize_spans`` as (tokens, starts, ends) arrays."""
    # split() with a capturing group gives gap, match, gap, ... so the running sum of the
    # part lengths is every match's offset, without a Python call per match
    parts = _SPAN_SPLIT.split(text)
    if len(parts) == 1:
        return [], np.zeros(0, np.int64), np.zeros(0, np.int64)
    ends = np.cumsum(np.fromiter(map(len, parts), np.int64, len(parts)))
    pieces = parts[1::2]
    starts, stops = ends[0:-1:2], ends[1::2]
    toks, n = _tokenize_flat(pieces)
    return toks.tolist(), np.repeat(starts, n), np.repeat(stops, n)


def _tokenize_flat(pieces: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """All tokens of ``[tokenize(p) for p in pieces]`` (object array) and the count per piece.

    One ``normalize`` and one ``findall`` over the pieces joined by line breaks instead of
    one per piece: ``normalize`` sees a line break as it sees the start or end of a string
    (a non-word, non-cased character), tokens never hold one, and the line breaks found by
    the same ``findall`` say which piece each token came from. A piece holding a line break
    itself takes the per-piece path.
    """
    if not pieces:
        return np.zeros(0, dtype=object), np.zeros(0, np.int64)
    joined = "\n".join(pieces)
    if joined.count("\n") != len(pieces) - 1:
        per = [_TOKEN.findall(normalize(p)) for p in pieces]
        toks = np.empty(sum(map(len, per)), dtype=object)
        toks[:] = [t for ts in per for t in ts]
        return toks, np.fromiter(map(len, per), np.int64, len(per))
    items = _MARK_TOKEN.findall(normalize(joined))
    arr = np.empty(len(items), dtype=object)
    arr[:] = items
    mark = arr == "\n"
    piece = np.cumsum(mark)[~mark]
    return arr[~mark], np.bincount(piece, minlength=len(pieces)).astype(np.int64)


def _tokenize_pieces(pieces: list[str]) -> list[list[str]]:
    """``[tokenize(p) for p in pieces]`` with one ``normalize`` call (see ``_tokenize_flat``)."""
    toks, n = _tokenize_flat(pieces)
    flat = toks.tolist()
    bounds = np.concatenate([[0], np.cumsum(n)]).tolist()
    return [flat[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


# ---------------------------------------------------------------------------- sentences
@lru_cache(maxsize=1)
def _punkt():
    from nltk.tokenize.punkt import PunktLanguageVars, PunktParameters, PunktSentenceTokenizer, PunktToken

    # NLTK >= 3.9.3 runs every Punkt regex through the third-party ``regex`` engine
    # under a timeout (nltk.redos), several times slower than ``re`` on news text.
    # Our patterns are Punkt's own fixed ones, not caller-supplied, so the stdlib
    # engine compiles the same pattern strings; tests check identical spans.
    class LangVars(PunktLanguageVars):
        re_boundary_realignment = re.compile(
            r'["\')\]}\u2018\u2019\u201c\u201d\xab\xbb]+?(?:\s+|(?=--)|$)', re.MULTILINE)

        def _word_tokenizer_re(self):
            try:
                return self._re_word_tokenizer
            except AttributeError:
                self._re_word_tokenizer = re.compile(self._word_tokenize_fmt % {
                    "NonWord": self._re_non_word_chars, "MultiChar": self._re_multi_char_punct,
                    "WordStart": self._re_word_start}, re.UNICODE | re.VERBOSE)
                return self._re_word_tokenizer

        def period_context_re(self):
            try:
                return self._re_period_context
            except AttributeError:
                self._re_period_context = re.compile(self._period_context_fmt % {
                    "NonWord": self._re_non_word_chars, "SentEndChars": self._re_sent_end_chars},
                    re.UNICODE | re.VERBOSE)
                return self._re_period_context

    non_punct = re.compile(r"[^\W\d]", re.UNICODE)

    class Token(PunktToken):
        _RE_ELLIPSIS = re.compile(r"\.\.+$")
        _RE_NUMERIC = re.compile(r"^-?[\.,]?\d[\d,\.-]*\.?$")
        _RE_INITIAL = re.compile(r"[^\W\d]\.$", re.UNICODE)
        _RE_ALPHA = re.compile(r"[^\W\d]+$", re.UNICODE)

        @property
        def is_non_punct(self):
            return non_punct.search(self.type)

    class Tokenizer(PunktSentenceTokenizer):
        # With fixed parameters (no training, no orthographic context) whether a candidate
        # context ("said. The") holds a break depends on that short string alone, and news
        # repeats contexts a lot: memoizing skips most token annotation (same result).
        def text_contains_sentbreak(self, text: str) -> bool:
            try:
                return self._memo[text]
            except KeyError:
                if len(self._memo) > 200_000:
                    self._memo.clear()
                out = self._memo[text] = self._sentbreak(text)
                return out

        def _sentbreak(self, text: str) -> bool:
            """NLTK's ``text_contains_sentbreak`` for our fixed parameters, without token objects.

            No collocations, sentence starters or orthographic context are learned, so the
            orthographic heuristic never says "starts a sentence" and only says "does not"
            before punctuation or a lower-case word; the rest is the first-pass annotation
            (Kiss & Strunk 2006, as implemented in nltk.tokenize.punkt).
            """
            if "\n" in text:  # several lines: NLTK's own path
                return super().text_contains_sentbreak(text)
            if not text.strip():
                return False
            toks = self._lang_vars.word_tokenize(text)
            n = len(toks)
            for i in range(n - 1):  # a break on the last token does not count
                tok = toks[i]
                if tok in _SENT_END:
                    return True
                if not tok.endswith(".") or tok_ellipsis.match(tok) or tok.endswith(".."):
                    continue
                w = tok[:-1].lower()
                if w in abbrev or w.split("-")[-1] in abbrev:
                    continue  # an abbreviation: never made a break again (see docstring)
                typ = tok_numeric.sub("##number##", tok.lower())
                if len(typ) > 1 and typ[-1] == ".":
                    typ = typ[:-1]
                initial = tok_initial.match(tok) is not None
                if initial or typ == "##number##":
                    nxt = toks[i + 1]
                    if nxt in _PUNCT or nxt[0].islower() or (initial and nxt[0].isupper()):
                        continue
                return True
            return False

    _SENT_END = (".", "?", "!")
    _PUNCT = tuple(";:,.!?")
    tok_ellipsis, tok_numeric, tok_initial = Token._RE_ELLIPSIS, Token._RE_NUMERIC, Token._RE_INITIAL
    abbrev = frozenset(ABBREVIATIONS)

    params = PunktParameters()
    params.abbrev_types = set(ABBREVIATIONS)
    tok = Tokenizer(params, lang_vars=LangVars(), token_cls=Token)
    tok._memo = {}
    return tok


@lru_cache(maxsize=1)
def _punkt_nltk():
    """NLTK's Punkt exactly as shipped (the reference for ``_punkt``; used in tests)."""
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer
    params = PunktParameters()
    params.abbrev_types = set(ABBREVIATIONS)
    return PunktSentenceTokenizer(params)


_SPAN_CACHE: dict[str, list[tuple[int, int]]] = {}
_SPAN_CACHE_SIZE = 4096


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence (start, end) offsets in ``text``; a line break always ends a sentence."""
    # frames and stance split the same chunk of texts one after the other: keep the
    # latest texts' spans (a copy is returned, so callers cannot alter the cache)
    hit = _SPAN_CACHE.get(text)
    if hit is not None:
        return list(hit)
    spans = _sentence_spans(text)
    if len(_SPAN_CACHE) >= _SPAN_CACHE_SIZE:
        _SPAN_CACHE.pop(next(iter(_SPAN_CACHE)))
    _SPAN_CACHE[text] = spans
    return list(spans)


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    # the fast Punkt relies on NLTK's private steps: if they moved, NLTK's own (warned once by _compat)
    fast = _compat.fast_path("punkt")
    tok = _punkt() if fast else _punkt_nltk()
    split = _line_spans if fast else _span_tokenize
    spans = []
    for start, cend, _ in split_lines(text):
        line = text[start:cend]
        if not line.strip():
            continue
        for s, e in split(tok, line):
            spans.append((start + s, start + e))
    return spans


def _span_tokenize(tok, line: str) -> list[tuple[int, int]]:
    """NLTK's public ``span_tokenize``: the fallback of ``_line_spans``."""
    return list(tok.span_tokenize(line))


def _line_spans(tok, line: str) -> list[tuple[int, int]]:
    """``list(tok.span_tokenize(line))`` for one line, NLTK's three steps in one loop.

    NLTK's ``_match_potential_end_contexts``, ``_slices_from_text`` and
    ``_realign_boundaries`` (nltk.tokenize.punkt, 3.9) run as chained generators over
    slice objects and look for the last whitespace character by character; the same
    steps on plain offsets are about twice as fast (``tests/test_fast_paths.py`` compares
    the spans with NLTK's). A line holds no line terminators, so its only
    ``string.whitespace`` characters are spaces and tabs.
    """
    lv = tok._lang_vars
    # candidate breaks and their contexts, overlapping candidates dropped (NLTK's rule)
    cands = []
    prev, p_start, p_stop = None, 0, 0
    for m in lv.period_context_re().finditer(line):
        ms = m.start()
        before = line[p_stop:ms]
        i = max(before.rfind(" "), before.rfind("\t"))
        i = i + p_stop + 1 if i > 0 else p_start
        if prev is not None and p_stop <= i:
            cands.append((prev, line[p_start:p_stop] + prev.group() + prev.group("after_tok")))
        prev, p_start, p_stop = m, i, ms
    if prev is not None:
        cands.append((prev, line[p_start:p_stop] + prev.group() + prev.group("after_tok")))
    slices = []
    last = 0
    for m, ctx in cands:
        if tok.text_contains_sentbreak(ctx):
            slices.append((last, m.end()))
            last = m.start("next_tok") if m.group("next_tok") else m.end()
    slices.append((last, len(line.rstrip())))
    # closing punctuation after a break moves to the sentence before it
    out = []
    realign = 0
    realign_re = lv.re_boundary_realignment
    n = len(slices)
    for k in range(n):
        a, b = slices[k][0] + realign, slices[k][1]
        if k + 1 == n:
            if a < b:
                out.append((a, b))
            continue
        a2, b2 = slices[k + 1]
        m = realign_re.match(line[a2:b2])
        if m:
            out.append((a, a2 + len(m.group(0).rstrip())))
            realign = m.end()
        else:
            realign = 0
            if a < b:
                out.append((a, b))
    return out


def sentences(corpus, raw_offsets: bool = True) -> pd.DataFrame:
    """One row per sentence of the clean texts.

    Columns: id, date, year, sentence (index within the document), start, end
    (offsets in the clean text), raw_start, raw_end (offsets in the raw text, so
    annotations survive cleaning changes), text.
    """
    dv = corpus.docvars
    docs = getattr(corpus, "documents", None)
    doc_index, starts, ends, texts, raw_s, raw_e = [], [], [], [], [], []
    for i, text in enumerate(corpus.iter_texts()):
        spans = sentence_spans(text)
        cleaned = docs[i].cleaned if (docs is not None and raw_offsets) else None
        doc_index += [i] * len(spans)
        for s, e in spans:
            starts.append(s)
            ends.append(e)
            texts.append(text[s:e])
            if cleaned is not None:
                raw_s.append(cleaned.clean_to_raw(s))
                raw_e.append(cleaned.clean_to_raw(e, "end"))
    di = np.asarray(doc_index, dtype=np.intp)
    # per-document sentence index: position minus the position of the document's first sentence
    first = np.searchsorted(di, di, side="left") if len(di) else di
    df = pd.DataFrame({"id": dv["id"].to_numpy()[di], "date": dv["date"].to_numpy()[di],
                       "year": dv["year"].to_numpy()[di], "sentence": np.arange(len(di)) - first,
                       "start": starts, "end": ends,
                       "raw_start": raw_s if len(raw_s) == len(di) else None,
                       "raw_end": raw_e if len(raw_e) == len(di) else None, "text": texts})
    return df.astype({"id": "string", "text": "string"})


def tokens(corpus, stop_words: str | Iterable[str] | None = None, stem: bool = False,
           ngrams: int | Sequence[int] = 1) -> dict[str, list[str]]:
    """Tokens of each document, keyed by id (quanteda's ``tokens()``)."""
    return {i: tokenize(t, stop_words=stop_words, stem=stem, ngrams=ngrams)
            for i, t in zip(corpus.docvars["id"], corpus.iter_texts())}


# ---------------------------------------------------------------------------- patterns & KWIC
@lru_cache(maxsize=4096)
def _glob_re(word: str) -> re.Pattern:
    return re.compile(fnmatch.translate(word))


class Pattern:
    """A word, glob (``rearm*``) or multiword phrase (``"Article 9"``), matched on normalized tokens.

    Each word of the pattern is normalized like the text (so ``re-arm*`` and
    ``rearm*`` are the same pattern), then matched with shell-style globbing.
    """

    def __init__(self, pattern: str):
        words = _TOKEN.findall(normalize(pattern.replace("*", "STARGLOB").replace("?", "QMGLOB")))
        words = [w.replace("starglob", "*").replace("qmglob", "?") for w in words]
        if not words:
            raise ParameterError(f"pattern {pattern!r} has no word characters")
        self.pattern = pattern
        self.words = words
        self._exact = [not any(ch in w for ch in "*?[") for w in words]

    def __repr__(self) -> str:
        return f"Pattern({self.pattern!r})"

    def _word_match(self, k: int, vocab: np.ndarray) -> np.ndarray:
        w = self.words[k]
        if self._exact[k]:
            return vocab == w
        rx = _glob_re(w)
        return np.fromiter((rx.match(v) is not None for v in vocab), bool, len(vocab))

    def find(self, toks: Sequence[str]) -> list[tuple[int, int]]:
        """Token index ranges [i, j) where the pattern matches."""
        if len(toks) < len(self.words):
            return []
        vocab, inv = np.unique(np.asarray(toks, dtype=object).astype(str), return_inverse=True)
        n = len(self.words)
        hit = np.ones(len(toks) - n + 1, dtype=bool) if len(toks) >= n else np.zeros(0, bool)
        for k in range(n):
            ok = self._word_match(k, vocab)[inv]
            hit &= ok[k:len(toks) - n + 1 + k]
        return [(int(i), int(i) + n) for i in np.flatnonzero(hit)]


def kwic(corpus, pattern: str | Sequence[str], window: int = 5) -> pd.DataFrame:
    """Keyword in context: every match of ``pattern`` with ``window`` tokens each side.

    ``pattern`` is a word, a glob (``"rearm*"`` also finds "re-arm") or a phrase
    (``"Article 9"``), or a list of them. Context is cut from the clean text at
    token boundaries, so it shows the words as written.

    Returns id, date, year, pattern, start, end (offsets in the clean text),
    pre, keyword, post.

    >>> kwic(corpus, "rearm*", window=4)   # doctest: +SKIP
    """
    patterns = [pattern] if isinstance(pattern, str) else list(pattern)
    compiled = [Pattern(p) for p in patterns]
    dv = corpus.docvars
    rows = []
    for i, text in enumerate(corpus.iter_texts()):
        spans = tokenize_spans(text)
        toks = [t for t, _, _ in spans]
        for pat in compiled:
            for a, b in pat.find(toks):
                s, e = spans[a][1], spans[b - 1][2]
                lo = spans[max(0, a - window)][1]
                hi = spans[min(len(spans), b + window) - 1][2]
                rows.append({"id": dv["id"].iat[i], "date": dv["date"].iat[i], "year": dv["year"].iat[i],
                             "pattern": pat.pattern, "start": s, "end": e,
                             "pre": " ".join(text[lo:s].split()), "keyword": " ".join(text[s:e].split()),
                             "post": " ".join(text[e:hi].split())})
    cols = ["id", "date", "year", "pattern", "start", "end", "pre", "keyword", "post"]
    df = pd.DataFrame(rows, columns=cols)
    df = df.drop_duplicates(subset=["id", "start", "end", "pattern"])
    return df.sort_values(["date", "id", "start"], kind="stable").reset_index(drop=True).astype(
        {"id": "string", "pattern": "string", "pre": "string", "keyword": "string", "post": "string"})
