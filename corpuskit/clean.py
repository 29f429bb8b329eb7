"""Separate an article's body from scraped page furniture, losslessly.

Cleaning never rewrites text. It decides which character spans of the raw text
are furniture and records each removal (document, span, text, rule); the clean
text is the concatenation of the kept raw spans, so

    clean text + removals  ==  raw text          (reassemble(); tested with hypothesis)

General rules decide what they can (each a line-level test, applied to every
document alike); an explicit per-document override in the metadata decides the
rest (``body_start`` / ``body_end``: markers where the body begins or ends).

Rules (names as recorded in ``Removal.rule``)::

    ``bom``              a byte-order mark at the start of the text.
    ``repeated_line``    a line (of at least ``min_repeat_chars`` non-space
                         characters) that already occurred earlier in the document and
                         is furniture, not prose repeated on purpose: either it is not
                         a complete sentence (a duplicated deck or teaser; not in prose
                         hard-wrapped at a fixed width, where fragments recur by
                         chance), or it is in a block of at least ``min_block_lines``
                         consecutive lines that repeats an earlier block (a speech
                         pasted twice). A sentence a speaker repeats for effect (a
                         refrain) stays.
    ``ellipsis_teaser``  a line of at most ``max_teaser_chars`` characters ending in
                         an ellipsis ("..." or "…") and of 8 words or more, in the page
                         furniture before or after the body (see below): a deck,
                         teasers of other articles (not "Mr. President…").
                         Inside the body such a line stays: a speaker's or a letter's
                         sentence may trail off, and some speeches do it line after line.
    ``page_header``      a scanned page header: a line that is only a page number
                         ("31" or "41/51") and a UN document number ("06-53615"), in
                         either order, or the document-symbol line "17-29597 (E)
                         *1729597*"; and such a header glued to the start of a line of
                         prose ("17-29813 11/28 of public funds…": only the header goes).
    ``url_encoded``      a line with at least ``min_url_escapes`` percent-escapes
                         (``%20``) making up a visible share of it: "Sources:" lines
                         of URL fragments.
    ``other_language``   a short line whose function words are those of another
                         language (French, German, Spanish, Italian, Portuguese or
                         Dutch) and not English, in the furniture before or after the
                         body: login banners and the like (a French quotation inside a
                         speech stays).
    custom rules         ``Cleaner(custom_rules={"name": regex})``: a line in which the regular
                         expression matches (``re.search`` on the stripped line) is removed
                         wherever it stands, recorded under ``name`` like a built-in rule.
    ``body_start`` /     everything before the ``body_start`` marker or after the end
    ``body_end``         of the ``body_end`` marker (metadata override).

The furniture before and after the body is the run of lines from the first
(and back from the last) non-blank line in which every line is a teaser, an
other-language line or removed by a rule that holds anywhere (repeated line,
URL fragments, page header). A removal covers the line with its line
terminator. Overlapping removals are merged and their rules joined with ``+``.
"""
from __future__ import annotations

import itertools
import operator
import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import pandas as pd
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from .errors import ParameterError

__all__ = ["Cleaner", "CleanResult", "Removal", "reassemble", "split_lines", "DEFAULT_RULES"]

DEFAULT_RULES = ("bom", "repeated_line", "ellipsis_teaser", "url_encoded", "other_language", "page_header")
_RESERVED_RULES = DEFAULT_RULES + ("body_start", "body_end")

# Every line boundary str.splitlines() knows: \n \r \r\n \v \f \x1c \x1d \x1e \x85 \u2028 \u2029.
LINE_END = re.compile(r"\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_ELLIPSIS_END = re.compile(r"(?:\.\.\.|…)\s*$")
# prose ends a line with . ! ? , ; or : (not an ellipsis), perhaps inside closing quotes or brackets;
# a salutation a speaker repeats ("Excellencies, Ladies and Gentlemen,") is prose too
_CLOSERS = "\"'”’)]"
_SENTENCE_END = re.compile(rf"(?<!\.\.)(?<!…)[.!?,;:][{re.escape(_CLOSERS)}]*\s*$")
# a teaser or deck summarizes a story in a sentence; a salutation that trails off ("Mr. President…",
# 2 words) opens a speech
_MIN_TEASER_WORDS = 8
_PAGE_NO = r"\d{1,4}(?:/\d{1,4})?"
_UN_DOC = r"\d{2}-\d{5}"
_PAGE_HEADER_LINE = re.compile(rf"\s*(?:{_PAGE_NO}\s+{_UN_DOC}|{_UN_DOC}\s+{_PAGE_NO}|{_UN_DOC}\s+\(E\)\s+\*\d{{7}}\*)\s*")
# glued to prose, only the specific "document number, page of pages" form is taken
_PAGE_HEADER_PREFIX = re.compile(rf"{_UN_DOC} \d{{1,4}}/\d{{1,4}} (?=\S)")
_URL_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")

# High-frequency function words that are not English words. Deliberately small and
# unambiguous (no "a", "de" in names is tolerated because two hits are required).
_FOREIGN_FUNCTION_WORDS = frozenset("""
vous nous êtes etes pas une les des est sont avec pour dans sur qui que ne n' connecté connecte
votre vos cette mais aussi très plus être été ou où
der die das und ist nicht ein eine mit für auf dem den des sie wir ich sind wird oder auch
el la los las del por para con una es que está están pero más como su sus se
il di che per sono della dei gli nel questo anche
não uma com para os as em do da dos das você está
het een van niet zijn voor met op ook maar wij jullie
""".split())


def _sentence_end(stripped: str) -> bool:
    """``_SENTENCE_END.search(stripped)`` for a stripped line, run on its last characters only.

    A match is the line's last punctuation mark before its closing quotes and brackets (nothing
    else may follow it), and its look-behinds see the two characters before that mark: searching
    that tail gives the same answer without the regex engine trying every position of a long line.
    """
    end = len(stripped.rstrip(_CLOSERS))
    return _SENTENCE_END.search(stripped, max(end - 3, 0)) is not None


def split_lines(text: str) -> list[tuple[int, int, int]]:
    """Lines of ``text`` as (start, end_of_content, end_with_terminator) offsets.

    Uses the same line boundaries as ``str.splitlines``.
    """
    # str.splitlines splits on exactly LINE_END's terminators; the lengths of the lines with
    # and without their terminators give every offset without a Python step per line
    full = text.splitlines(keepends=True)
    if not full:
        return []
    ends = list(itertools.accumulate(map(len, full)))
    starts = [0] + ends[:-1]
    return list(zip(starts, map(operator.add, starts, map(len, text.splitlines())), ends))


@dataclass(frozen=True)
class Removal:
    """One removed span of a document's raw text."""

    doc_id: str
    start: int
    end: int
    text: str
    rule: str


@dataclass
class CleanResult:
    """Kept spans and removals of one document; ``text`` is the clean text."""

    raw: str
    kept: list[tuple[int, int]]
    removals: list[Removal]
    text: str = field(init=False)

    def __post_init__(self) -> None:
        self.text = "".join(self.raw[s:e] for s, e in self.kept)

    def clean_to_raw(self, offset: int, side: str = "start") -> int:
        """Map an offset in the clean text to the raw text.

        At a seam between two kept spans, ``side="start"`` gives the start of the
        later span (for a span's start), ``side="end"`` the end of the earlier one.
        """
        if not 0 <= offset <= len(self.text):
            raise IndexError(f"offset {offset} is outside the clean text ({len(self.text)} characters)")
        pos = 0
        for s, e in self.kept:
            n = e - s
            if offset < pos + n or (side == "end" and offset == pos + n):
                return s + (offset - pos)
            pos += n
        return self.kept[-1][1] if self.kept else 0


def reassemble(clean: CleanResult) -> str:
    """Rebuild the raw text from the kept spans and the recorded removals."""
    pieces = [(s, clean.raw[s:e]) for s, e in clean.kept]
    pieces += [(r.start, r.text) for r in clean.removals]
    return "".join(t for _, t in sorted(pieces, key=lambda p: p[0]))


def _is_other_language(line: str) -> bool:
    # a body paragraph has more than 41 words in its first 400 characters: it is too long,
    # and the rest of the line need not be scanned (a word cut at 400 is still one match)
    found = _WORD.findall(line, 0, 400)
    if len(found) > 41:
        return False
    if len(line) > 400:
        found = _WORD.findall(line)
    if not 2 <= len(found) <= 40:
        return False
    words = [w.casefold() for w in found]
    foreign = sum(w in _FOREIGN_FUNCTION_WORDS or w.split("'")[0] + "'" in _FOREIGN_FUNCTION_WORDS
                  for w in words)
    english = sum(w in ENGLISH_STOP_WORDS for w in words)
    return foreign >= 2 and foreign > 2 * english


class Cleaner:
    """Rule-based, lossless separation of article body from page furniture.

    Parameters
    ----------
    rules : sequence of rule names, default all of ``DEFAULT_RULES``.
    min_repeat_chars : a repeated line must have at least this many non-space characters.
    min_block_lines : consecutive repeated lines that count as a repeated block (a text
        pasted twice), removed even when each line is a complete sentence.
    max_teaser_chars : an ellipsis-ending line longer than this is kept (a body paragraph
        that happens to end in "..." is long; a teaser is a sentence or two).
    min_url_escapes : percent-escapes a line needs to count as URL fragments.
    custom_rules : {name: regular expression}; a line the expression matches is removed and recorded
        under ``name`` (``Cleaner(custom_rules={"nav": r"^Share this"})``).

    Example
    -------
    >>> r = Cleaner().clean("Body text.\\nMore from us: the minister flew to Kyiv to talk about...\\n", doc_id="a")
    >>> r.text, [x.rule for x in r.removals]
    ('Body text.\\n', ['ellipsis_teaser'])
    """

    def __init__(self, rules: Sequence[str] = DEFAULT_RULES, min_repeat_chars: int = 20,
                 max_teaser_chars: int = 400, min_url_escapes: int = 3, min_block_lines: int = 3,
                 custom_rules: Mapping[str, str] | None = None):
        unknown = set(rules) - set(DEFAULT_RULES)
        if unknown:
            raise ParameterError(f"rules={sorted(unknown)!r}: unknown cleaning rule; choose from {list(DEFAULT_RULES)}")
        if isinstance(min_block_lines, bool) or not isinstance(min_block_lines, int) or min_block_lines < 2:
            raise ParameterError(f"min_block_lines={min_block_lines!r}: use a whole number of lines, 2 or more")
        self.rules = tuple(rules)
        self.custom_rules = dict(custom_rules or {})
        self._custom = []
        for name, pattern in self.custom_rules.items():
            if not isinstance(name, str) or not re.fullmatch(r"\w[\w.-]*", name) or name in _RESERVED_RULES:
                raise ParameterError(f"custom_rules: rule name {name!r} must be a word (letters, digits, _ . -) "
                                     f"other than the built-in rules {', '.join(_RESERVED_RULES)}")
            try:
                self._custom.append((name, re.compile(pattern)))
            except (re.error, TypeError) as exc:
                raise ParameterError(f"custom_rules[{name!r}]={pattern!r} is not a regular expression: {exc}") from None
        self._order = {r: i for i, r in enumerate(DEFAULT_RULES + tuple(self.custom_rules))}
        self.min_repeat_chars = min_repeat_chars
        self.max_teaser_chars = max_teaser_chars
        self.min_url_escapes = min_url_escapes
        self.min_block_lines = min_block_lines

    def __repr__(self) -> str:
        return (f"Cleaner(rules={self.rules!r}, min_repeat_chars={self.min_repeat_chars}, "
                f"max_teaser_chars={self.max_teaser_chars}, min_url_escapes={self.min_url_escapes}, "
                f"min_block_lines={self.min_block_lines}"
                + (f", custom_rules={self.custom_rules!r})" if self.custom_rules else ")"))

    def _line_rules(self, stripped: str) -> list[str]:
        """The rules that decide on a line by itself, wherever it stands."""
        rules = []
        if "url_encoded" in self.rules and "%" in stripped:  # no escape without a percent sign
            escapes = _URL_ESCAPE.findall(stripped)
            if len(escapes) >= self.min_url_escapes and 3 * len(escapes) >= 0.05 * len(stripped):
                rules.append("url_encoded")
        if "page_header" in self.rules and _PAGE_HEADER_LINE.fullmatch(stripped):
            rules.append("page_header")
        rules += [name for name, pattern in self._custom if pattern.search(stripped)]
        return rules

    def _edge_rules(self, stripped: str) -> list[str]:
        """The rules that hold only in the furniture before or after the body."""
        rules = []
        if ("ellipsis_teaser" in self.rules and len(stripped) <= self.max_teaser_chars
                and _ELLIPSIS_END.search(stripped) and len(stripped.split()) >= _MIN_TEASER_WORDS):
            rules.append("ellipsis_teaser")
        if "other_language" in self.rules and _is_other_language(stripped):
            rules.append("other_language")
        return rules

    def _repeated(self, keys: list[str], removable: list[bool], sentence: list[bool]) -> list[bool]:
        """Which lines repeat earlier ones and are furniture (see ``repeated_line``).

        ``keys`` are the normalized non-blank lines; ``removable`` says which are long enough to
        remove; short lines still continue a repeated block.
        """
        seen: dict[str, list[int]] = {}
        run: dict[int, int] = {}  # earlier line j -> length of the repeated block ending at (this line, j)
        in_block = [False] * len(keys)
        repeated = [False] * len(keys)
        for i, key in enumerate(keys):
            earlier = seen.get(key)
            if earlier is None:  # most lines occur once: no block runs through them
                seen[key] = [i]
                run = {}
                continue
            repeated[i] = True
            # the most recent copies suffice to find a block; bounding them keeps a line repeated
            # thousands of times linear
            run = {j: run.get(j - 1, 0) + 1 for j in earlier[-16:]}
            longest = max(run.values(), default=0)
            if longest >= self.min_block_lines:
                for k in range(i - longest + 1, i + 1):
                    in_block[k] = True
            earlier.append(i)
        return [r and m and (b or not s) for r, m, b, s in zip(repeated, removable, in_block, sentence)]

    def clean(self, raw: str, doc_id: str = "", body_start: str | None = None,
              body_end: str | None = None) -> CleanResult:
        """Clean one document's raw text.

        ``body_start`` / ``body_end`` are literal markers (metadata overrides):
        text before the first occurrence of ``body_start`` and after the end of
        the first occurrence of ``body_end`` is furniture. A marker that does not
        occur raises ``ValueError`` naming it.
        """
        spans: list[tuple[int, int, str]] = []
        if "bom" in self.rules and raw.startswith("\ufeff"):
            spans.append((0, 1, "bom"))
        if body_start:
            i = raw.find(body_start)
            if i < 0:
                raise ValueError(f"body_start marker {body_start!r} does not occur in the text")
            if i > 0:
                spans.append((0, i, "body_start"))
        if body_end:
            i = raw.find(body_end)
            if i < 0:
                raise ValueError(f"body_end marker {body_end!r} does not occur in the text")
            j = i + len(body_end)
            m = LINE_END.match(raw, j)  # the marker's own line terminator stays with the body
            if m:
                j = m.end()
            if j < len(raw):
                spans.append((j, len(raw), "body_end"))
        # the non-blank lines: the rules that look at neighbours (runs, blocks) skip blank lines
        lines = [(start, end, raw[start:cend].strip()) for start, cend, end in split_lines(raw)]
        lines = [(start, end, text) for start, end, text in lines if text]
        texts = [t for _, _, t in lines]
        rules: list[list[str]] = [self._line_rules(t) for t in texts]
        if "repeated_line" in self.rules:
            # each line with its whitespace runs as one space (" ".join(t.split())); a printable line
            # (every whitespace but " " is a control or separator character, so not printable) without
            # a double space is already so: most lines skip the split
            spaced = [t if t.isprintable() and "  " not in t else " ".join(t.split()) for t in texts]
            keys = "\n".join(spaced).casefold().split("\n")  # no line holds a "\n": one casefold call
            removable = [len(t) - t.count(" ") >= self.min_repeat_chars for t in spaced]
            sentence = [_sentence_end(t) for t in texts]
            if _wrapped(texts, sentence):
                # a line of wrapped prose is rarely a sentence, and a fragment such as "the international
                # community and the" recurs by chance: only whole repeated blocks count there
                sentence = [True] * len(texts)
            for i, hit in enumerate(self._repeated(keys, removable, sentence)):
                if hit:
                    rules[i].insert(0, "repeated_line")
        # the edge rules decide only in the runs of furniture before and after the body: they are
        # computed for the lines those runs reach (half of cleaning's time went to every line's)
        edge: dict[int, list[str]] = {}
        for order in (range(len(texts)), range(len(texts) - 1, -1, -1)):  # before the body, then after it
            for i in order:
                if i not in edge:
                    edge[i] = self._edge_rules(texts[i])
                if not (edge[i] or rules[i]):
                    break
                rules[i] += [r for r in edge[i] if r not in rules[i]]
        for (start, end, text), line_rules in zip(lines, rules):
            if line_rules:
                spans.append((start, end, "+".join(sorted(line_rules, key=self._order.__getitem__))))
            elif "page_header" in self.rules:
                m = _PAGE_HEADER_PREFIX.match(raw, start)
                if m:
                    spans.append((start, m.end(), "page_header"))
        return _result(raw, doc_id, spans)


def hard_wrapped(text: str, lines: list[tuple[int, int, int]] | None = None) -> bool:
    r"""Whether ``text`` is prose wrapped at a fixed width (scanned records), not a line per paragraph.

    At least 10 non-blank lines, fewer than half ending like a sentence (``.!?,;:``), a median
    line of at most 100 characters. The tokenizer then reads a line break inside a paragraph as a
    space (a sentence goes on across it), and ``repeated_line`` counts only whole repeated blocks.
    ``lines``: ``split_lines(text)`` when the caller has it already.

    >>> hard_wrapped("The United Nations has\nbeen a pathway towards\npeace.\n" * 4)
    True
    >>> hard_wrapped("One paragraph a line.\n" * 12)
    False
    """
    texts = [t for t in (text[a:c].strip() for a, c, _ in (split_lines(text) if lines is None else lines)) if t]
    # _wrapped's test with the cheap parts first and the sentence-end count stopped once it reaches
    # half the lines (the tokenizer asks for every text it splits: same answer)
    if len(texts) < 10 or sorted(map(len, texts))[len(texts) // 2] > 100:
        return False
    half, n = 0.5 * len(texts), 0
    for t in texts:
        if _sentence_end(t):
            n += 1
            if n >= half:
                return False
    return True


def _wrapped(texts: list[str], sentence: list[bool]) -> bool:
    if len(texts) < 10:
        return False
    lengths = sorted(map(len, texts))
    return sum(sentence) < 0.5 * len(texts) and lengths[len(lengths) // 2] <= 100


def _result(raw: str, doc_id: str, spans: Iterable[tuple[int, int, str]]) -> CleanResult:
    merged: list[list] = []
    for s, e, rule in sorted(spans):
        if merged and s < merged[-1][1]:
            last = merged[-1]
            last[1] = max(last[1], e)
            for r in rule.split("+"):
                if r not in last[2]:
                    last[2].append(r)
        else:
            merged.append([s, e, rule.split("+")])
    removals = [Removal(doc_id, s, e, raw[s:e], "+".join(rules)) for s, e, rules in merged if e > s]
    kept, pos = [], 0
    for r in removals:
        if r.start > pos:
            kept.append((pos, r.start))
        pos = r.end
    if pos < len(raw):
        kept.append((pos, len(raw)))
    return CleanResult(raw, kept, removals)


def no_cleaning(raw: str, doc_id: str = "") -> CleanResult:
    """The identity cleaning: everything kept, nothing removed."""
    return CleanResult(raw, [(0, len(raw))] if raw else [], [])


def removals_frame(removals: Iterable[Removal]) -> pd.DataFrame:
    """Removals as a DataFrame: id, start, end, n_chars, rule, text."""
    rows = [{"id": r.doc_id, "start": r.start, "end": r.end, "n_chars": r.end - r.start,
             "rule": r.rule, "text": r.text} for r in removals]
    df = pd.DataFrame(rows, columns=["id", "start", "end", "n_chars", "rule", "text"])
    return df.astype({"id": "string", "start": "int64", "end": "int64", "n_chars": "int64",
                      "rule": "string", "text": "string"})
