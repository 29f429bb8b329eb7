r"""Sentences, tokens and keyword-in-context: the one tokenizing path of corpuskit.

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
* numbers are kept (``Article 9``, ``2 percent``); punctuation is dropped;
* scanning artefacts are read as what was meant (``repair``): punctuation mis-decoded from UTF-8
  (``â€œ`` -> “, ``â€™`` -> ’, ``â€`` -> ”) and an apostrophe mis-decoded as ``í`` or ``â`` where the
  pattern is unambiguous (``Japanís``/``Japanâs`` -> ``japan``, ``donít`` -> ``don't``, ``weíre``,
  ``leadersí``; names such as ``Bogotá``, ``Côte``, ``Asís`` or ``Saíd`` keep their letters); and a
  hyphen at a line end inside a sentence is the hyphen written on one line (``non-\nproliferation``
  -> ``nonproliferation``, ``Secretary-\nGeneral`` -> ``secretary``, ``general``, ``peace-\nkeeping``
  -> ``peace``, ``keeping`` as ``peace-keeping``), except before a bare suffix, a word broken in
  two (``Organi-\nzation`` -> ``organization``). The UN's scanned records keep compound hyphens at
  line ends (68 of the 69 in ungd_japan; ``man-|kind`` is the one word break), so joining every one
  would make "secretarygeneral". The stored text is never changed: tokens keep their raw offsets, and a joined
  token spans the line break.
"""
from __future__ import annotations

import fnmatch
import re
import warnings
from functools import lru_cache
from typing import Iterable, Iterator, Sequence

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from . import _compat
from .clean import hard_wrapped, split_lines
from .errors import ParameterError

__all__ = ["normalize", "tokenize", "tokenize_spans", "token_spans", "sentences", "sentence_spans", "tokens", "Tokens",
           "clean_to_raw", "kwic",
           "ABBREVIATIONS", "HYPHEN_PREFIXES", "stop_words", "STOP_LISTS", "CONTRACTIONS", "HONORIFICS",
           "is_number", "Pattern", "Matcher",
           "VALUETYPES", "check_valuetype", "regex_hint"]

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
TOKEN_RE = re.compile(TOKEN_PATTERN)
_TOKEN_SPLIT = re.compile("(" + TOKEN_PATTERN + ")")
# tokens and the separators between pieces (a control character: a line break inside a piece is text)
_SEP = "\x1f"
# TOKEN_PATTERN over a text whose "_" were made spaces: there \w is [^\W_] (a faster test), and
# possessive repeats (a maximal word run never needs to give back a character) skip backtracking
_MARK_TOKEN = re.compile(_SEP + r"|\w++(?:'\w++)*+")
# The word runs of the raw text (with inner apostrophes): a token spans the runs holding its first
# and last character (token_spans).
_PIECE_SPLIT = re.compile(r"([^\W_]+(?:['\u2019\u2018\u02bc][^\W_]+)*)")


# Scanning artefacts (issue 14), read at tokenization. UTF-8 punctuation read as cp1252: ’ ‘ “ – — and
# ” (whose last byte cp1252 lacks: kept as U+009D or lost).
_CP1252 = {"™": "\u2019", "˜": "\u2018", "œ": "\u201c", "“": "\u2013", "”": "\u2014",
           "\x9d": "\u201d", "": "\u201d"}
# An apostrophe mis-decoded as í or â, only where nothing else is likely: before a final s after 3+
# letters (Japanís; not Asís), before n't's t (donít), after a pronoun before 're 've 'll 'd 'm
# (weíre; not Saíd), and after a plural's s (leadersí).
_MISDECODED = re.compile(
    r"â€(?P<cp>[™˜œ“”\x9d]?)"
    r"|(?<=[^\W\d_]{3})[íâ](?=s(?![^\W_]))"
    r"|(?<=[^\W\d_]n)[íâ](?=t(?![^\W_]))"
    r"|\b(?P<pro>i|we|you|they|he|she|it|that|there|who|what)[íâ](?=(?:s|re|ve|ll|d|m)(?![^\W_]))"
    r"|(?<=[^\W\d_]{2}s)[íâ](?![^\W_])", re.IGNORECASE)
# A hyphen at a line end between letters; the continuation decides (see the module docstring).
# (the hyphen first, its letter checked behind it: a literal first character lets re skip ahead, about 30x
# faster over UN text than a pattern opening with the lookbehind; same matches)
_LINE_HYPHEN = re.compile(r"-(?<=[^\W\d_]-)[ \t]*(?:\r\n|\n|\r)[ \t]*(?=(?P<cont>[^\W\d_]+))")
# Bare suffixes, never words of their own: a word broken in two before one is joined without the hyphen.
WORD_BREAK_SUFFIXES = frozenset("""
tion tions sion sions ation ations ization izations isation isations zation zations ment ments ness
ity ities ing ings ance ances ence ences ious ous ive ively ical ically ular ible ibly ably ized ised
izing ising ously ities bility bilities lity ional ionally
""".split())


def _repair_one(m: re.Match) -> str:
    if m.group(0).startswith("-"):
        return "" if m.group("cont").lower() in WORD_BREAK_SUFFIXES else "-"
    if m.group(0).startswith(("â€", "Â€")):
        return _CP1252[m.group("cp")]
    return (m.group("pro") or "") + "\u2019"


def repair(text: str, join_lines: bool = True) -> tuple[str, np.ndarray | None]:
    """``text`` with scanning artefacts read as meant (module docstring), and where each character of
    the result (and its end) came from in ``text``: None when nothing changed (the usual case).
    ``join_lines=False`` leaves line-end hyphens (a line break that ends a sentence).

    >>> repair("Japanís Organi-\\nzation")[0]
    'Japan’s Organization'
    """
    spots = []
    if ("â" in text or "í" in text or "Â" in text or "Í" in text):
        spots = [m for m in _MISDECODED.finditer(text)]
    if join_lines and "-" in text and ("\n" in text or "\r" in text):
        spots += list(_LINE_HYPHEN.finditer(text))
    if not spots:
        return text, None
    spots.sort(key=lambda m: m.start())
    parts, src, last = [], [], 0
    for m in spots:
        a, b = m.span()
        if a < last:  # overlapping matches cannot occur (disjoint characters); kept safe
            continue
        rep = _repair_one(m)
        parts += [text[last:a], rep]
        src += [np.arange(last, a), np.full(len(rep), a)]
        last = b
    parts.append(text[last:])
    src += [np.arange(last, len(text) + 1)]
    return "".join(parts), np.concatenate(src).astype(np.int64, copy=False)


def normalize(text: str) -> str:
    """The analysis form of a text (see module docstring); not used for storage.

    >>> normalize("Japan’s re-arm")
    'japan rearm'
    """
    t = repair(text.lower())[0]
    # str.replace per character is much faster than str.translate with a dict (same result)
    for a, b in _REPLACE:
        if a in t:
            t = t.replace(a, b)
    t = _JOIN_HYPHEN.sub("", t)  # == _JOIN.sub(r"\1", t), several times faster
    return _POSSESSIVE.sub("", t)


#: Contractions as the tokenizer leaves them: an apostrophe inside a word is kept ("don't"), a
#: final "'s" is dropped as a possessive ("it's" -> "it", already a stop word), so the forms
#: left are n't, 're, 've, 'll, 'd and 'm (and the mis-decoded "donít" becomes "don't" first).
CONTRACTIONS = frozenset("""
ain't aren't can't couldn't didn't doesn't don't hadn't hasn't haven't isn't mightn't mustn't needn't shan't
shouldn't wasn't weren't won't wouldn't
i'm we're you're they're who're what're
i've we've you've they've could've would've should've might've must've who've
i'll we'll you'll he'll she'll it'll they'll that'll there'll who'll
i'd we'd you'd he'd she'd it'd they'd that'd there'd who'd
ma'am y'all
""".split())
#: Honorifics and titles before a name (lower case, without the period).
HONORIFICS = frozenset("mr mrs ms messrs mme mlle dr prof hon rev jr sr".split())
#: the named stop lists: "english" is scikit-learn's list (318 words); "english_extended" adds
#: CONTRACTIONS and HONORIFICS (the default of a study file).
STOP_LISTS = ("english", "english_extended")


@lru_cache(maxsize=32)
def _named_stop_words(name: str) -> frozenset[str]:
    if name == "english":
        return frozenset(ENGLISH_STOP_WORDS)
    if name == "english_extended":
        return frozenset(ENGLISH_STOP_WORDS) | CONTRACTIONS | HONORIFICS
    raise ParameterError(f"stop_words={name!r}: use one of {', '.join(map(repr, STOP_LISTS))}, None, "
                         "or pass a collection of words")


def stop_words(name: str | None = "english", add: Iterable[str] = (), remove: Iterable[str] = ()) -> frozenset[str]:
    """Stop words by name, with words added or removed (quanteda's ``c(stopwords("en"), ...)``).

    ``"english"`` is scikit-learn's list (no NLTK data needed); ``"english_extended"`` adds the
    contractions (``CONTRACTIONS``: "don't", "we're", ...) and honorifics (``HONORIFICS``: "mr", "dr",
    ...) as the tokenizer leaves them. ``add``/``remove`` words are normalized like the text. The
    result is a frozenset, which every ``stop_words=`` argument takes.

    >>> "applause" in stop_words("english_extended", add=["Applause"]), "mr" in stop_words("english")
    (True, False)
    """
    base = frozenset() if name is None else _named_stop_words(name)
    if isinstance(add, str) or isinstance(remove, str):
        raise ParameterError(f"add={add!r}, remove={remove!r}: give lists of words, e.g. add=['applause']")
    if not add and not remove:
        return base
    plus = frozenset(w for a in add for w in TOKEN_RE.findall(normalize(a)))
    minus = frozenset(w for a in remove for w in TOKEN_RE.findall(normalize(a)))
    return (base | plus) - minus


def stop_set(stop: str | Iterable[str] | None) -> frozenset[str]:
    """The stop words ``stop_words=`` names ("english", "english_extended", None) or a collection of them,
    normalized.

    >>> sorted(stop_set(["The", "of"]))
    ['of', 'the']
    """
    if stop is None or isinstance(stop, str):
        return stop_words(stop)
    return frozenset(normalize(w) for w in stop)


def is_number(words: np.ndarray) -> np.ndarray:
    """Boolean mask of the words that are numbers only ("000", "1990"; not "1990s" or "9th"), as
    quanteda's ``remove_numbers``. "1,000" is two tokens, "1" and "000", both numbers.

    >>> is_number(np.array(["000", "1990s", "9"], dtype=object)).tolist()
    [True, False, True]
    """
    return np.fromiter((w.isdigit() for w in words), bool, len(words))


def check_remove_punct(remove_punct: bool) -> None:
    """``remove_punct=True`` is what corpuskit's tokens always are: words and numbers, no punctuation."""
    if remove_punct is not True:
        raise ParameterError(f"remove_punct={remove_punct!r}: corpuskit's tokens never hold punctuation (they "
                             "are words and numbers); leave remove_punct=True and read punctuation in kwic context")


@lru_cache(maxsize=1)
def stemmer():
    """The one English Snowball stemmer (NLTK), built once."""
    from nltk.stem.snowball import SnowballStemmer
    return SnowballStemmer("english")


def tokenize(text: str, stop_words: str | Iterable[str] | None = None, stem: bool = False,
             ngrams: int | Sequence[int] = 1, min_len: int = 1, remove_numbers: bool = False,
             remove_punct: bool = True) -> list[str]:
    """Tokens of one text, normalized; optional stop words, numbers removed, Snowball stemming, n-grams.

    N-grams are joined with ``_`` and built after stop-word removal (as quanteda's
    ``tokens_ngrams`` on removed tokens). ``remove_numbers`` drops tokens that are digits only
    (:func:`is_number`); punctuation is never a token (``remove_punct`` must be True).

    >>> tokenize("Japan’s plan to re-arm, Article 9.")
    ['japan', 'plan', 'to', 'rearm', 'article', '9']
    >>> tokenize("$1,000 for Article 9", remove_numbers=True)
    ['for', 'article']
    """
    check_remove_punct(remove_punct)
    toks = TOKEN_RE.findall(normalize(text))
    stop = stop_set(stop_words)
    if stop or min_len > 1 or remove_numbers:
        toks = [t for t in toks if t not in stop and len(t) >= min_len and not (remove_numbers and t.isdigit())]
    if stem:
        st = stemmer()
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


def token_spans(text: str, join_lines: bool = True) -> tuple[list[str], np.ndarray, np.ndarray]:
    """``tokenize_spans`` as (tokens, starts, ends) arrays.

    Scanning artefacts are read as meant (``repair()``, in the module docstring) and the spans are
    those of ``text`` itself: a line-end hyphenation joined into one token spans the line break.
    ``join_lines=False`` reads a line break as the end of a sentence (a :class:`Tokens` of text that
    is not hard-wrapped).

    >>> token_spans("Japan's re-arm")[0]
    ['japan', 'rearm']
    """
    fixed, src = repair(text, join_lines)
    toks, starts, ends = _token_spans(fixed)
    if src is not None and len(toks):
        starts, ends = src[starts], src[ends - 1] + 1
    return toks, starts, ends


def _token_spans(text: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    # The tokens are those of normalize over the whole (repaired) text, so they are tokenize's by
    # construction: normalize's steps after repair are run here keeping, for each character, its
    # offset in ``text`` (lower case and the quote/hyphen translation keep offsets; the dropped prefix
    # hyphens and possessives are deleted from the map). A token then spans the pieces of ``text``
    # (_PIECE_SPLIT: word runs with inner apostrophes) holding its first and last character:
    # "Japan's" -> japan spans "Japan's", "non-co-operation" -> noncooperation spans all of it.
    # split() with a capturing group gives gap, match, gap, ...: the running sum of the part lengths
    # is every match's offset, without a Python call per match.
    low = text.lower()
    if len(low) != len(text):  # a character whose lower case is longer ("İ" -> "i̇"): map each one
        low_src = np.repeat(np.arange(len(text)), [len(ch.lower()) for ch in text])
    else:
        low_src = None
    t = low
    for a, b in _REPLACE:
        if a in t:
            t = t.replace(a, b)
    drop = []
    if "-" in t:
        drop = [m.start() for m in _JOIN_HYPHEN.finditer(t)]
        if drop:
            t = _JOIN_HYPHEN.sub("", t)
    keep = np.delete(np.arange(len(low) + 1), drop) if drop else None
    if "'s" in t:
        poss = [m.start() for m in _POSSESSIVE.finditer(t)]
        if poss:
            t = _POSSESSIVE.sub("", t)
            at = np.asarray(poss)
            keep = np.delete(np.arange(len(low) + 1) if keep is None else keep, np.r_[at, at + 1])
    parts = _TOKEN_SPLIT.split(t)
    if len(parts) == 1:
        return [], np.zeros(0, np.int64), np.zeros(0, np.int64)
    ends = np.cumsum(np.fromiter(map(len, parts), np.int64, len(parts)))
    first, last = ends[0:-1:2], ends[1::2] - 1  # each token's first and last character in t
    if keep is not None:
        first, last = keep[first], keep[last]
    if low_src is not None:
        first, last = low_src[first], low_src[last]
    pp = _PIECE_SPLIT.split(text)
    pends = np.cumsum(np.fromiter(map(len, pp), np.int64, len(pp)))
    pstarts, pstops = pends[0:-1:2], pends[1::2]
    return parts[1::2], pstarts[np.searchsorted(pstarts, first, "right") - 1], \
        pstops[np.searchsorted(pstarts, last, "right") - 1]


def _tokenize_flat(pieces: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """All tokens of ``[tokenize(p) for p in pieces]`` (object array) and the count per piece.

    One ``normalize`` and one ``findall`` over the pieces joined by a separator (``_SEP``, a
    control character) instead of one per piece: ``normalize`` sees it as it sees the start or end
    of a string (a non-word, non-cased character that no repair reads across: a line-end hyphen
    needs a real line break), tokens never hold one, and the separators found by the same
    ``findall`` say which piece each token came from. A piece holding the separator itself takes
    the per-piece path.
    """
    if not pieces:
        return np.zeros(0, dtype=object), np.zeros(0, np.int64)
    joined = _SEP.join(pieces)
    if joined.count(_SEP) != len(pieces) - 1:
        per = [TOKEN_RE.findall(normalize(p)) for p in pieces]
        toks = np.empty(sum(map(len, per)), dtype=object)
        toks[:] = [t for ts in per for t in ts]
        return toks, np.fromiter(map(len, per), np.int64, len(per))
    norm = normalize(joined)
    items = _MARK_TOKEN.findall(norm.replace("_", " ") if "_" in norm else norm)
    arr = np.empty(len(items), dtype=object)
    arr[:] = items
    mark = arr == _SEP
    piece = np.cumsum(mark)[~mark]
    return arr[~mark], np.bincount(piece, minlength=len(pieces)).astype(np.int64, copy=False)


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
            m = simple_break.match(text)
            if m is not None and m.group(1).lower() not in abbrev:
                # "peace. We": the first token is the word with its period (letters only: not an
                # initial, a number or an ellipsis; no ". . ." after it), a second token follows, and
                # a word that is no abbreviation ends the sentence: the loop below returns True at once
                return True
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
    simple_break = re.compile(r"([^\W\d_]{2,})\.\s+[^.\s]")
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
    r"""Sentence (start, end) offsets in ``text``.

    A line break ends a sentence, except in prose hard-wrapped at a fixed width
    (:func:`corpuskit.clean.hard_wrapped`, e.g. the UN's scanned records), where only a blank
    line does and a sentence runs on across line breaks.

    >>> sentence_spans("Japan will contribute. It will not.\nA heading")
    [(0, 22), (23, 35), (36, 45)]
    """
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
    # a paragraph of wrapped lines: each line break counts as spaces (same length, same offsets); done
    # once over the text (a unit ends before a line terminator, so its slice of ``flat`` is the same)
    flat = text
    for ch in _LINE_END_CHARS:  # LINE_END's characters ("\r\n" is two), each made one space
        if ch in flat:
            flat = flat.replace(ch, " ")
    for start, cend in _units(text):
        line = flat[start:cend]
        if not line.strip():
            continue
        if start:
            spans += [(start + s, start + e) for s, e in split(tok, line)]
        else:
            spans += split(tok, line)
    return spans


def _units(text: str) -> Iterator[tuple[int, int]]:
    """The spans sentences are split in: lines, or paragraphs (runs of non-blank lines) of wrapped prose."""
    lines = split_lines(text)
    if not hard_wrapped(text, lines):
        yield from ((start, cend) for start, cend, _ in lines)
        return
    para = None
    for start, cend, _ in lines:
        if not text[start:cend].strip():
            if para is not None:
                yield para
            para = None
        else:
            para = (start, cend) if para is None else (para[0], cend)
    if para is not None:
        yield para


def _span_tokenize(tok, line: str) -> list[tuple[int, int]]:
    """NLTK's public ``span_tokenize``: the fallback of ``_line_spans``."""
    return list(tok.span_tokenize(line))


_LINE_END_CHARS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
# the characters re_boundary_realignment (LangVars in _punkt) can start with
_CLOSERS = frozenset("\"')]}\u2018\u2019\u201c\u201d\xab\xbb")


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
    # (the context, NLTK's word before + the mark + after_tok, is one slice: after_tok is a
    # look-ahead right after the one-character mark; the last space is found without slicing)
    cands = []
    prev, p_start, p_stop = None, 0, 0
    tab = "\t" in line
    for m in lv.period_context_re().finditer(line):
        ms = m.start()
        j = line.rfind(" ", p_stop, ms)
        if tab:
            j = max(j, line.rfind("\t", p_stop, ms))
        i = j + 1 if j > p_stop else p_start
        if prev is not None and p_stop <= i:
            cands.append((prev, line[p_start:prev.end("after_tok")]))
        prev, p_start, p_stop = m, i, ms
    if prev is not None:
        cands.append((prev, line[p_start:prev.end("after_tok")]))
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
        # the realignment pattern opens with a closing mark: test its first character before slicing
        m = realign_re.match(line[a2:b2]) if line[a2:a2 + 1] in _CLOSERS else None
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


def clean_to_raw(kept: Sequence[tuple[int, int]], offsets: np.ndarray, side: str = "start") -> np.ndarray:
    """:meth:`corpuskit.clean.CleanResult.clean_to_raw` for an array of offsets at once.

    ``kept``: the cleaner's kept raw spans, in order; the clean text is their concatenation.
    """
    offsets = np.asarray(offsets, dtype=np.int64)
    if not len(kept):
        return np.zeros(len(offsets), np.int64)
    ks = np.fromiter((a for a, _ in kept), np.int64, len(kept))
    ke = np.fromiter((b for _, b in kept), np.int64, len(kept))
    cum = np.concatenate([[0], np.cumsum(ke - ks)])
    # the kept span holding each offset; at a seam, "start" takes the later span, "end" the earlier
    k = np.searchsorted(cum[1:], offsets, side="right" if side == "start" else "left")
    past = k >= len(kept)
    kc = np.minimum(k, len(kept) - 1)
    return np.where(past, ke[-1], ks[kc] + offsets - cum[kc])


def _stable_order(codes: np.ndarray, n_values: int) -> np.ndarray:
    """``np.argsort(codes, kind="stable")`` for codes in ``[0, n_values)``: as uint16 when they fit, where
    numpy's stable sort is a radix sort (about 5x faster on a chunk's 1.5 million tokens; same order).

    >>> _stable_order(np.array([2, 0, 2, 1]), 3).tolist()
    [1, 3, 0, 2]
    """
    codes = np.asarray(codes)
    if len(codes) and n_values <= 1 << 16:
        codes = codes.astype(np.uint16)
    return np.argsort(codes, kind="stable").astype(np.int64, copy=False)


def _align(found: list[str], starts: np.ndarray, ends: np.ndarray, want: list[str], doc: int
           ) -> tuple[np.ndarray, np.ndarray]:
    """The spans of ``want`` (a document's tokens, sentence by sentence) among ``found`` (its tokens
    with spans, from the whole text): extra found tokens are skipped. Both are normalize's tokens
    (token_spans reads normalize's own result), so they differ only if normalize read across a
    sentence boundary; no document of the UN General Debate corpus (10,952), the State of the Union
    or the seeds needs this. A sentence starting with a possessive ("U.S.S.R." / "'s economy") is
    dropped alike in both."""
    keep = np.zeros(len(found), bool)
    j = 0
    for k, w in enumerate(want):
        while j < len(found) and found[j] != w:
            j += 1
        if j == len(found):
            raise RuntimeError(f"document {doc}: token {k} ({w!r}) has no span; please report this text")
        keep[j] = True
        j += 1
    return starts[keep], ends[keep]


class Tokens:
    """A corpus tokenized once (quanteda's ``tokens``): what dfm, kwic, frames and stance read.

    Built by :func:`tokens`. Holds, as flat numpy arrays with per-document offsets:

    * ``codes`` (token -> vocabulary id) over ``vocabulary`` (object array of str, in order of
      first appearance), ``doc_ptr`` (document ``i``'s tokens are ``doc_ptr[i]:doc_ptr[i + 1]``);
    * ``start``/``end``: each token's character span in the clean text, and ``raw_start``/
      ``raw_end`` in the raw text (mapped through the cleaner's kept spans; None when the corpus
      has no raw texts), so KWIC hits and gold spans map back to the raw files;
    * ``sent`` (token -> row of :meth:`sentences`; Punkt within lines, as
      :func:`sentence_spans`) and ``line`` (token -> line of its document: a paragraph);
    * ``docvars``, the clean ``texts`` and ``corpus`` (the source);
    * an index from vocabulary id to token positions (:meth:`positions`, CSR-style), built on
      first use, so a lookup does not scan the tokens.

    Tokens are those of :func:`tokenize` (no stop words, stems or n-grams: those are dfm options).

    >>> toks = tokens(ck.load_corpus("seeds"))
    >>> len(toks), toks.ntoken()[:3], toks[0][:4]
    (5, array([439, 927, 867]), ['one', 'outcome', 'of', 'the'])
    >>> toks.sentences()[["id", "sentence", "start", "end", "n_tokens", "text"]].head(3)
        id  sentence  start  end  n_tokens                                     text
    0  000         0      0  227        37  One outcome of the recent North Kore...
    1  000         1    228  348        19  Two recent Nelson Reports, based on ...
    2  000         2    349  383         6       Citing a reader, the Report notes:
    """

    def __init__(self, corpus):
        if not (hasattr(corpus, "iter_texts") and hasattr(corpus, "docvars")):
            raise ParameterError(f"corpus={type(corpus).__name__}: pass a corpuskit Corpus (anything with "
                                 "docvars and iter_texts()), e.g. ck.load_corpus('seeds')")
        self.corpus = corpus
        self.docvars = corpus.docvars.reset_index(drop=True)
        self.texts = list(corpus.iter_texts())
        # each sentence tokenized on its own (one normalize call per document): sentences break at
        # whitespace, so these are the document's tokens (tests compare with token_spans), and
        # the character offsets, which scoring does not need, are found only when first read
        toks, n_sent, s_doc, s_start, s_end = [], [], [], [], []
        for i, text in enumerate(self.texts):
            sp = sentence_spans(text)
            t, n = _tokenize_flat([text[x:y] for x, y in sp])
            toks.append(t)
            n_sent.append(n)
            s_doc.append(np.full(len(sp), i, np.int64))
            s_start.append(np.fromiter((x for x, _ in sp), np.int64, len(sp)))
            s_end.append(np.fromiter((y for _, y in sp), np.int64, len(sp)))
        z = np.zeros(0, np.int64)
        cat = lambda parts: np.concatenate(parts) if parts else z  # noqa: E731
        sd, n_tok = cat(s_doc), cat(n_sent)
        arr = np.concatenate(toks) if toks else np.zeros(0, dtype=object)
        if len(arr):
            codes, vocab = pd.factorize(arr)
            self.codes, self.vocabulary = np.asarray(codes, np.int64), np.asarray(vocab, dtype=object)
        else:
            self.codes, self.vocabulary = z, np.zeros(0, dtype=object)
        self.sent = np.repeat(np.arange(len(sd)), n_tok).astype(np.int64, copy=False)
        self.doc = sd[self.sent] if len(sd) else z
        self.doc_ptr = np.concatenate([[0], np.cumsum(np.bincount(self.doc, minlength=len(self.texts)))]).astype(
            np.int64)
        self._sents = pd.DataFrame({"doc": sd, "sentence": np.arange(len(sd)) - np.searchsorted(sd, sd),
                                    "start": cat(s_start), "end": cat(s_end), "n_tokens": n_tok.astype(np.int64)})
        self._spans: dict[str, np.ndarray] | None = None
        self._order: np.ndarray | None = None
        self._ptr: np.ndarray | None = None

    # -- character offsets, found on first use ----------------------------------------------
    def _offsets(self) -> dict[str, np.ndarray]:
        if self._spans is None:
            starts, ends, lines = [], [], []
            for i, text in enumerate(self.texts):
                # a line-end hyphen is joined where a sentence runs across the line break (hard-wrapped
                # prose, sentence_spans); elsewhere a line break ends the sentence, as in __init__
                t, a, b = token_spans(text, join_lines=_LINE_HYPHEN.search(text) is not None and hard_wrapped(text))
                k0, k1 = self.doc_ptr[i], self.doc_ptr[i + 1]
                want = self.vocabulary[self.codes[k0:k1]].tolist()
                if t != want:
                    a, b = _align(t, a, b, want, i)
                starts.append(a)
                ends.append(b)
                ls = np.fromiter((x for x, _, _ in split_lines(text)), np.int64)
                lines.append(np.searchsorted(ls, a, side="right") - 1)
            z = np.zeros(0, np.int64)
            sp = {"start": np.concatenate(starts) if starts else z, "end": np.concatenate(ends) if ends else z,
                  "line": np.concatenate(lines) if lines else z}
            docs = getattr(self.corpus, "documents", None)
            if docs is not None:
                rs, re_ = [], []
                for i, d in enumerate(docs):
                    a, b = self.doc_ptr[i], self.doc_ptr[i + 1]
                    rs.append(clean_to_raw(d.cleaned.kept, sp["start"][a:b]))
                    re_.append(clean_to_raw(d.cleaned.kept, sp["end"][a:b], "end"))
                sp["raw_start"] = np.concatenate(rs) if rs else z
                sp["raw_end"] = np.concatenate(re_) if re_ else z
            self._spans = sp
        return self._spans

    @property
    def start(self) -> np.ndarray:
        """Each token's start in its clean text."""
        return self._offsets()["start"]

    @property
    def end(self) -> np.ndarray:
        """Each token's end in its clean text."""
        return self._offsets()["end"]

    @property
    def raw_start(self) -> np.ndarray | None:
        """Each token's start in its raw text (None without raw texts)."""
        return self._offsets().get("raw_start")

    @property
    def raw_end(self) -> np.ndarray | None:
        """Each token's end in its raw text (None without raw texts)."""
        return self._offsets().get("raw_end")

    @property
    def line(self) -> np.ndarray:
        """Each token's line (paragraph) within its document."""
        return self._offsets()["line"]

    # -- quanteda's accessors ------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.texts)

    def __repr__(self) -> str:
        return f"<Tokens {len(self)} documents, {len(self.codes)} tokens, {len(self.vocabulary)} types>"

    def __getitem__(self, i: int) -> list[str]:
        """Document ``i``'s tokens."""
        if not -len(self) <= i < len(self):
            raise IndexError(f"document {i} is out of range ({len(self)} documents)")
        i %= len(self)
        return self.vocabulary[self.codes[self.doc_ptr[i]:self.doc_ptr[i + 1]]].tolist()

    def iter_texts(self) -> Iterator[str]:
        """The clean texts (so a Tokens can stand where a corpus is read)."""
        return iter(self.texts)

    @property
    def ids(self) -> list[str]:
        return self.docvars["id"].astype(str).tolist()

    def to_lists(self) -> list[list[str]]:
        """Every document's tokens, as lists of str."""
        words = self.vocabulary[self.codes].tolist()
        p = self.doc_ptr.tolist()
        return [words[a:b] for a, b in zip(p[:-1], p[1:])]

    def ntoken(self) -> np.ndarray:
        """Tokens per document."""
        return np.diff(self.doc_ptr)

    def sentences(self) -> pd.DataFrame:
        """One row per sentence: as :func:`sentences` (id, date, year, sentence, start, end, raw_start,
        raw_end, text) plus doc (document position) and n_tokens."""
        s = self._sents
        d = s["doc"].to_numpy()
        dv = self.docvars
        texts = [self.texts[i][a:b] for i, a, b in zip(d.tolist(), s["start"].tolist(), s["end"].tolist())]
        docs = getattr(self.corpus, "documents", None)
        raw_s = raw_e = None
        if docs is not None:
            st, en = s["start"].to_numpy(), s["end"].to_numpy()
            bounds = np.searchsorted(d, np.arange(len(docs) + 1))
            raw_s = np.concatenate([clean_to_raw(docs[i].cleaned.kept, st[bounds[i]:bounds[i + 1]])
                                    for i in range(len(docs))] or [np.zeros(0, np.int64)])
            raw_e = np.concatenate([clean_to_raw(docs[i].cleaned.kept, en[bounds[i]:bounds[i + 1]], "end")
                                    for i in range(len(docs))] or [np.zeros(0, np.int64)])
        df = pd.DataFrame({"id": dv["id"].to_numpy()[d], "date": dv["date"].to_numpy()[d],
                           "year": dv["year"].to_numpy()[d], "sentence": s["sentence"].to_numpy(),
                           "start": s["start"].to_numpy(), "end": s["end"].to_numpy(),
                           "raw_start": raw_s, "raw_end": raw_e, "text": texts,
                           "doc": d, "n_tokens": s["n_tokens"].to_numpy()})
        return df.astype({"id": "string", "text": "string"})

    @property
    def sents(self) -> pd.DataFrame:
        """The sentence table as the matchers read it: doc, sentence, start, end, n_tokens."""
        return self._sents

    def positions(self, word_id: int) -> np.ndarray:
        """Token positions of vocabulary id ``word_id`` (from the index, no scan)."""
        order, ptr = self.index()
        return order[ptr[word_id]:ptr[word_id + 1]]

    def index(self) -> tuple[np.ndarray, np.ndarray]:
        """The vocabulary -> positions index: ``order[ptr[i]:ptr[i + 1]]`` are id ``i``'s tokens."""
        if self._order is None:
            self._order = _stable_order(self.codes, len(self.vocabulary))
            self._ptr = np.concatenate([[0], np.cumsum(np.bincount(self.codes, minlength=len(self.vocabulary)))])
        return self._order, self._ptr

    def matcher(self, valuetype: str = "glob", within: str = "sentence") -> "Matcher":
        """The :class:`Matcher` over these tokens: phrases within a sentence or a document."""
        seg = self.sent if within == "sentence" else self.doc
        order, ptr = self.index()
        return Matcher(self.codes, self.vocabulary, seg, valuetype, order=order, ptr=ptr)


def tokens(corpus) -> Tokens:
    """Tokenize a corpus (or a streamed chunk) once: a :class:`Tokens` (quanteda's ``tokens()``).

    A :class:`Tokens` is returned as it is; a corpus that keeps its tokens (``Corpus.tokens()``, built
    once and rebuilt when its documents change) gives those, so repeated ``kwic`` calls reuse one index.

    >>> toks = tokens(ck.load_corpus("seeds"))
    >>> toks
    <Tokens 5 documents, 3808 tokens, 1252 types>
    """
    if isinstance(corpus, Tokens):
        return corpus
    kept = getattr(corpus, "tokens", None)
    if callable(kept):
        return kept()
    return Tokens(corpus)


# ---------------------------------------------------------------------------- patterns & KWIC
@lru_cache(maxsize=4096)
def _glob_re(word: str) -> re.Pattern:
    return re.compile(fnmatch.translate(word))


class Pattern:
    """A word, glob (``rearm*``), regex or fixed word, or a multiword phrase (``"Article 9"``).

    ``valuetype`` is quanteda's: ``"glob"`` (default) normalizes each word of the pattern like the
    text (so ``re-arm*`` and ``rearm*`` are the same pattern) and matches it with shell-style
    globbing; ``"fixed"`` normalizes it and matches the word exactly; ``"regex"`` splits the pattern
    at whitespace and matches each part with ``re.search`` (case-insensitive) on the tokens.

    >>> Pattern("Re-arm*").words, Pattern("^arm(s|ed)$", valuetype="regex").words
    (['rearm*'], ['^arm(s|ed)$'])
    """

    def __init__(self, pattern: str, valuetype: str = "glob"):
        self.valuetype = check_valuetype(valuetype)
        if valuetype == "regex":
            words = pattern.split()
            for w in words:
                try:
                    re.compile(w)
                except re.error as exc:
                    raise ParameterError(f"pattern {pattern!r}: {w!r} is not a regular expression ({exc}); "
                                         "fix it or use valuetype='glob'") from None
        elif valuetype == "fixed":
            words = TOKEN_RE.findall(normalize(pattern))
        else:
            words = TOKEN_RE.findall(normalize(pattern.replace("*", "STARGLOB").replace("?", "QMGLOB")))
            words = [w.replace("starglob", "*").replace("qmglob", "?") for w in words]
        if not words:
            raise ParameterError(f"pattern {pattern!r} has no word characters")
        self.pattern = pattern
        self.words = words
        self._exact = [valuetype == "fixed" or (valuetype == "glob" and not any(ch in w for ch in "*?["))
                       for w in words]

    def __repr__(self) -> str:
        return f"Pattern({self.pattern!r})"

    def word_match(self, k: int, vocab: np.ndarray) -> np.ndarray:
        """Boolean mask: the words of ``vocab`` that word ``k`` of the pattern matches."""
        w = self.words[k]
        if self._exact[k]:
            return vocab == w
        if self.valuetype == "regex":
            rx = re.compile(w, re.IGNORECASE)
            return np.fromiter((rx.search(v) is not None for v in vocab), bool, len(vocab))
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
            ok = self.word_match(k, vocab)[inv]
            hit &= ok[k:len(toks) - n + 1 + k]
        return [(int(i), int(i) + n) for i in np.flatnonzero(hit)]


#: quanteda's pattern value types: shell-style globs, regular expressions, fixed (literal) words.
VALUETYPES = ("glob", "regex", "fixed")

# what only a regular expression writes: anchors, groups, alternation, escapes, counts, ".*"/".+"
_REGEX_ONLY = re.compile(r"[\^$\\()|{}+]|\.[*+?]")


def regex_hint(pattern: str, valuetype: str) -> str | None:
    """A warning's text when a glob pattern looks like a regular expression (``^immig.*``), else None.

    >>> regex_hint("^immig.*", "glob") is not None, regex_hint("immig*", "glob")
    (True, None)
    """
    if valuetype != "glob" or not _REGEX_ONLY.search(pattern):
        return None
    return (f"pattern {pattern!r} looks like a regular expression but is read as a glob (valuetype='glob', "
            "where only * ? [ ] are special); pass valuetype='regex'")


def check_valuetype(valuetype: str) -> str:
    """``valuetype`` if it is one of :data:`VALUETYPES`, else a ParameterError naming it."""
    if valuetype not in VALUETYPES:
        raise ParameterError(f"valuetype={valuetype!r}: use 'glob' (default), 'regex' or 'fixed'")
    return valuetype


class Matcher:
    """Finds pattern matches in a token stream with numpy: the one matcher of corpuskit.

    ``codes`` (token -> vocabulary id), ``vocab`` (the vocabulary) and ``seg`` (token -> segment:
    a sentence for dictionaries, a document for KWIC); a phrase matches consecutive tokens of one
    segment. Pattern words (normalized as the text, :class:`Pattern`) match vocabulary words by
    ``valuetype``: ``"glob"`` (shell-style, whole word), ``"regex"`` (``re.search``, case-insensitive,
    quanteda's rule) or ``"fixed"`` (the word itself).

    >>> m = Matcher(np.array([0, 1, 0]), np.array(["war", "peace"], dtype=object), np.zeros(3, int))
    >>> m.find(["war"]).tolist()
    [0, 2]
    """

    def __init__(self, codes: np.ndarray, vocab: np.ndarray, seg: np.ndarray, valuetype: str = "glob",
                 order: np.ndarray | None = None, ptr: np.ndarray | None = None):
        self.codes, self.vocab, self.seg = codes, vocab, seg
        self.valuetype = check_valuetype(valuetype)
        self.n = len(codes)
        self.index = {w: i for i, w in enumerate(vocab)}
        self.vocab_str = np.asarray(vocab, dtype=str) if len(vocab) else np.zeros(0, dtype=str)
        # token positions of each vocabulary id (CSR: positions order[ptr[i]:ptr[i + 1]]), given or built
        self.order = _stable_order(codes, len(vocab)) if order is None else order
        self.ptr = (np.concatenate([[0], np.cumsum(np.bincount(codes, minlength=len(vocab)))])
                    if ptr is None else ptr)
        self._ids: dict[str, np.ndarray] = {}
        self._masks: dict[str, np.ndarray] = {}
        self._sorted: np.ndarray | None = None
        self._order_str = np.zeros(0, np.int64)

    def ids(self, w: str) -> np.ndarray:
        """Vocabulary ids matching one pattern word."""
        if w not in self._ids:
            if self.valuetype == "regex":
                rx = re.compile(w, re.IGNORECASE)
                out = np.flatnonzero(np.fromiter((rx.search(v) is not None for v in self.vocab_str), bool,
                                                 len(self.vocab_str)))
            elif self.valuetype == "fixed" or not any(c in w for c in "*?["):
                i = self.index.get(w)
                out = np.array([i] if i is not None else [], dtype=np.int64)
            else:
                # the words starting with the glob's literal head are one run of the sorted vocabulary
                head = re.split(r"[*?\[]", w, maxsplit=1)[0]
                cand = self._prefixed(head)
                if not (w.endswith("*") and len(head) == len(w) - 1):
                    rx = _glob_re(w)
                    cand = cand[np.fromiter((rx.match(v) is not None for v in self.vocab_str[cand]), bool,
                                            len(cand))]
                out = np.sort(cand)
            self._ids[w] = out
        return self._ids[w]

    def _prefixed(self, head: str) -> np.ndarray:
        """Vocabulary ids of the words starting with ``head`` (any order)."""
        if not head:
            return np.arange(len(self.vocab_str))
        if self._sorted is None:
            self._order_str = np.argsort(self.vocab_str, kind="stable")
            self._sorted = self.vocab_str[self._order_str]
        # every word starting with head sorts at or after head and before head + U+10FFFF
        lo, hi = np.searchsorted(self._sorted, [head, head + "\U0010ffff"])
        return self._order_str[lo:hi]

    def mask(self, w: str) -> np.ndarray:
        """Boolean mask over the vocabulary: the words matching pattern word ``w``."""
        if w not in self._masks:
            m = np.zeros(len(self.vocab), dtype=bool)
            m[self.ids(w)] = True
            self._masks[w] = m
        return self._masks[w]

    def find(self, words: Sequence[str]) -> np.ndarray:
        """Start positions (sorted) of the token sequence ``words`` within one segment."""
        ids = self.ids(words[0])
        if len(ids) == 0:
            return np.zeros(0, np.int64)
        if len(ids) > 64:
            pos = np.flatnonzero(self.mask(words[0])[self.codes])
        else:
            pos = np.concatenate([self.order[self.ptr[i]:self.ptr[i + 1]] for i in ids])
        codes, seg = self.codes, self.seg
        for k in range(1, len(words)):
            p = pos + k
            ok = p < self.n
            pos, p = pos[ok], p[ok]
            pos = pos[(seg[p] == seg[pos]) & self.mask(words[k])[codes[p]]]
            if len(pos) == 0:
                break
        return np.sort(pos)


def kwic(corpus, pattern: str | Sequence[str], window: int = 5, valuetype: str = "glob") -> pd.DataFrame:
    """Keyword in context: every match of ``pattern`` with ``window`` tokens each side.

    ``corpus``: a corpus or a :class:`Tokens` (matches come from its index, no scan).
    ``pattern`` is a word, a glob (``"rearm*"`` also finds "re-arm") or a phrase
    (``"Article 9"``), or a list of them; ``valuetype="regex"`` or ``"fixed"`` reads each
    word as a regular expression or a literal word (:class:`Pattern`). Context is cut from
    the clean text at token boundaries, so it shows the words as written.

    Returns id, date, year, pattern, start, end (offsets in the clean text), raw_start,
    raw_end (in the raw text; <NA> without raw texts), pre, keyword, post. A pattern that matches
    nothing is named in a warning, and so is a glob that looks like a regex (``^immig.*``).

    >>> kwic(corpus, "rearm*", window=4)[["id", "pre", "keyword", "post"]]
        id                          pre     keyword                               post
    0  000           they prod Japan to      re-arm  and re-interpret its Constitution
    1  000  actions would further the “  rearmament                of Japan” so called
    """
    patterns = [pattern] if isinstance(pattern, str) else list(pattern)
    compiled = [Pattern(p, valuetype) for p in patterns]
    for p in patterns:
        hint = regex_hint(p, valuetype)
        if hint:
            warnings.warn(f"kwic: {hint}", UserWarning, stacklevel=2)
    toks = tokens(corpus)
    m = toks.matcher(valuetype, within="document")
    dv = toks.docvars
    ids, dates, years = dv["id"].to_numpy(), dv["date"].to_numpy(), dv["year"].to_numpy()
    ptr = toks.doc_ptr
    parts, unmatched = [], []
    for pat in compiled:
        pos = m.find(pat.words)
        if not len(pos):
            unmatched.append(pat.pattern)
            continue
        last = pos + len(pat.words) - 1
        d = toks.doc[pos]
        s, e = toks.start[pos], toks.end[last]
        lo = toks.start[np.maximum(ptr[d], pos - window)]
        hi = toks.end[np.minimum(ptr[d + 1], last + 1 + window) - 1]
        texts = [toks.texts[i] for i in d.tolist()]
        parts.append(pd.DataFrame({
            "id": ids[d], "date": dates[d], "year": years[d], "pattern": pat.pattern, "start": s, "end": e,
            "raw_start": toks.raw_start[pos] if toks.raw_start is not None else pd.NA,
            "raw_end": toks.raw_end[last] if toks.raw_end is not None else pd.NA,
            "pre": [" ".join(t[a:b].split()) for t, a, b in zip(texts, lo.tolist(), s.tolist())],
            "keyword": [" ".join(t[a:b].split()) for t, a, b in zip(texts, s.tolist(), e.tolist())],
            "post": [" ".join(t[a:b].split()) for t, a, b in zip(texts, e.tolist(), hi.tolist())]}))
    if unmatched:  # never silent: a typo or a wrong valuetype looks like an absent word
        warnings.warn(f"kwic: {len(unmatched)} of {len(compiled)} pattern(s) match nothing in these {len(toks)} "
                      f"documents ({valuetype}): {', '.join(map(repr, unmatched))}", UserWarning, stacklevel=2)
    cols = ["id", "date", "year", "pattern", "start", "end", "raw_start", "raw_end", "pre", "keyword", "post"]
    df = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    df = df.drop_duplicates(subset=["id", "start", "end", "pattern"])
    df = df.sort_values(["date", "id", "start"], kind="stable").reset_index(drop=True)
    df["raw_start"] = df["raw_start"].astype("Int64")
    df["raw_end"] = df["raw_end"].astype("Int64")
    return df[cols].astype({"id": "string", "pattern": "string", "pre": "string", "keyword": "string",
                            "post": "string"})
