"""Lossless cleaning: rules on small inputs, and the reassembly invariant under hypothesis."""
import pytest
from hypothesis import given, settings, strategies as st

from corpuskit.clean import Cleaner, reassemble, split_lines
from corpuskit.errors import ParameterError


def rules_of(result):
    return [(r.rule, r.text) for r in result.removals]


def test_repeated_line_removes_later_copies_only():
    text = "A deck line that repeats itself here\nBody paragraph one.\nA deck line that repeats itself here\n"
    r = Cleaner().clean(text, "d")
    assert rules_of(r) == [("repeated_line", "A deck line that repeats itself here\n")]
    assert r.text == "A deck line that repeats itself here\nBody paragraph one.\n"
    assert (r.removals[0].start, r.removals[0].end) == (57, 94)


def test_short_repeated_lines_are_kept():
    text = "About Tokyo\nx\nAbout Tokyo\n"
    assert Cleaner().clean(text).removals == []


def test_ellipsis_teaser_and_length_limit():
    teaser = "North Korea on Monday fired a missile that flew before landing in waters between..."
    long_para = "word " * 100 + "and so on..."
    r = Cleaner().clean(f"Body.\n{teaser}\n{long_para}\n")
    assert rules_of(r) == [("ellipsis_teaser", teaser + "\n")]
    r2 = Cleaner().clean("Body.\nOther story \u2026\n")
    assert rules_of(r2) == [("ellipsis_teaser", "Other story \u2026\n")]


def test_url_encoded_fragments():
    line = "Sources:,the%20contested%20South%20China%20Sea.&text=Both"
    r = Cleaner().clean(f"Body with 100% of it.\n{line}")
    assert rules_of(r) == [("url_encoded", line)]


def test_other_language_needs_foreign_function_words():
    r = Cleaner().clean("Vous n'\u00eates pas connect\u00e9\nAbout Tokyo\nTaiwan Strait Tensions\n")
    assert rules_of(r) == [("other_language", "Vous n'\u00eates pas connect\u00e9\n")]
    assert "About Tokyo" in r.text and "Taiwan Strait Tensions" in r.text


def test_overlapping_removals_are_merged_with_both_rules():
    teaser = "The same teaser about another story entirely..."
    r = Cleaner().clean(f"{teaser}\nBody.\n{teaser}\n")
    assert [x.rule for x in r.removals] == ["ellipsis_teaser", "repeated_line+ellipsis_teaser"]
    r2 = Cleaner().clean("Body line.\nTail to cut\nmore tail", body_end="Body line.")
    assert rules_of(r2) == [("body_end", "Tail to cut\nmore tail")]


def test_body_markers_keep_marker_and_error_when_absent():
    r = Cleaner().clean("Login here\nBy A. Writer. Text.\nTranslated by X\nOther article.",
                        body_start="By A. Writer", body_end="Translated by X")
    assert r.text == "By A. Writer. Text.\nTranslated by X\n"
    assert [x.rule for x in r.removals] == ["body_start", "body_end"]
    with pytest.raises(ValueError, match="'Not there'"):
        Cleaner().clean("text", body_end="Not there")


def test_removal_shorter_than_a_line():
    r = Cleaner().clean("Login banner. By A. Writer. Text.", body_start="By A. Writer")
    assert r.removals[0].text == "Login banner. " and r.text == "By A. Writer. Text."


def test_bom_is_a_recorded_removal():
    r = Cleaner().clean("\ufeffHello.\n")
    assert rules_of(r) == [("bom", "\ufeff")] and r.text == "Hello.\n"


def test_rules_can_be_switched_off_and_unknown_rules_named():
    teaser = "Other story..."
    assert Cleaner(rules=()).clean(teaser).text == teaser
    with pytest.raises(ParameterError, match="'typo'"):
        Cleaner(rules=("typo",))


def test_clean_to_raw_offsets():
    raw = "teaser one...\nKeep this.\nteaser two...\nAnd this."
    r = Cleaner().clean(raw)
    assert r.text == "Keep this.\nAnd this."
    i = r.text.index("And")
    assert raw[r.clean_to_raw(i):r.clean_to_raw(i) + 3] == "And"
    j = r.text.index("\n") + 1  # end of the first kept span, start of the second
    assert raw[r.clean_to_raw(0):r.clean_to_raw(j, "end")] == "Keep this.\n"
    assert raw[r.clean_to_raw(j):r.clean_to_raw(len(r.text), "end")] == "And this."


SEPARATORS = ["\n", "\r", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
line_text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["Vous n'\u00eates pas connect\u00e9", "Other story...", "a%20b%20c%20d",
                     "A deck line that repeats itself here", "\ufeff", "", "   "]))
documents = st.lists(st.tuples(line_text, st.sampled_from(SEPARATORS + [""])), max_size=25).map(
    lambda parts: "".join(a + b for a, b in parts))


@settings(deadline=None, max_examples=300)
@given(raw=st.one_of(documents, st.text()), bom=st.booleans(), marker=st.sampled_from([None, "a", "\n", "..."]))
def test_clean_text_plus_removals_reassemble_raw_exactly(raw, bom, marker):
    raw = ("\ufeff" if bom else "") + raw
    kwargs = {}
    if marker and marker in raw:
        kwargs = {"body_end": marker}
    r = Cleaner().clean(raw, "doc", **kwargs)
    assert reassemble(r) == raw
    assert r.text == "".join(raw[s:e] for s, e in r.kept)
    spans = sorted([(s, e) for s, e in r.kept] + [(x.start, x.end) for x in r.removals])
    pos = 0
    for s, e in spans:  # kept and removed spans tile the raw text without overlap
        assert s == pos and e > s
        pos = e
    assert pos == len(raw)
    for x in r.removals:
        assert raw[x.start:x.end] == x.text


@settings(deadline=None, max_examples=200)
@given(st.lists(st.tuples(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20),
                          st.sampled_from(SEPARATORS)), max_size=10))
def test_split_lines_agrees_with_str_splitlines(parts):
    text = "".join(a + b for a, b in parts)
    ours = [text[s:c] for s, c, _ in split_lines(text)]
    assert ours == text.splitlines()
