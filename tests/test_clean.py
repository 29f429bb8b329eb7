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
    other = "By A. Writer Over the past two decades, ties have evolved into one of the most..."
    long_para = "word " * 100 + "and so on..."
    r = Cleaner().clean(f"Body.\n{long_para}\n{teaser}\n{other}\n")  # teasers after the body
    assert rules_of(r) == [("ellipsis_teaser", teaser + "\n"), ("ellipsis_teaser", other + "\n")]
    assert Cleaner().clean(f"Body.\n{teaser}\n{other}\nMore body.\n").removals == []  # inside the body
    tail = "Other story: the minister flew to Kyiv to talk about \u2026"
    r2 = Cleaner().clean(f"Body.\n{tail}\n")  # the last line: a trailing teaser
    assert rules_of(r2) == [("ellipsis_teaser", tail + "\n")]
    assert Cleaner().clean("Mr. President\u2026\nMembers of the Assembly \u2026\nWe meet in hard times.\n").removals == []
    r3 = Cleaner().clean(f"{teaser}\nBody.\n")  # the first line: a deck
    assert rules_of(r3) == [("ellipsis_teaser", teaser + "\n")]


def test_an_ellipsis_inside_prose_is_kept():
    # an 1820s-style speech: one sentence trailing off between paragraphs, and a quoted letter
    speech = ("Fellow-citizens of the Senate and House of Representatives:\n"
              "The state of our affairs abroad gives cause for reflection, and yet…\n"
              "I turn now to the condition of the Treasury, which is sound.\n"
              "He wrote to me: \"My dear Sir, the frontier is quiet, though the winter...\"\n"
              "Such is the news from the West, and it is good.\n")
    assert Cleaner().clean(speech).removals == []


def test_a_speech_that_trails_off_line_after_line_is_kept():
    # as a 2024 General Debate statement is transcribed: phrases ending in an ellipsis, runs of them
    speech = ("Mr President, Your Excellencies,\n\nI address the General Assembly today…\n\n"
              "As someone with a deep belief in the principles of this body...\n\nAnd the value of cooperation.\n"
              "It has weakened the cause of cooperation…\nSowed division between north and south...\n"
              "And turned the geopolitical dial…\nAway from the rule of law…\nTowards peace.\n\nThank you.\n")
    assert Cleaner().clean(speech).removals == []


def test_a_french_quotation_inside_a_speech_is_kept_and_a_banner_before_it_is_not():
    quote = "“Qu’on ne saurait changer sans lui faire une injure.”"
    text = f"Vous n'êtes pas connecté\nThe President said, recalling Montesquieu:\n{quote}\nThat is our view.\n"
    assert rules_of(Cleaner().clean(text)) == [("other_language", "Vous n'êtes pas connecté\n")]


def test_a_chance_repeat_in_hard_wrapped_prose_is_kept():
    wrapped = "\n".join(f"line {i} of wrapped prose in which the international" if i in (3, 12) else
                        f"line {i} of wrapped prose, where a sentence runs on and" for i in range(20)) + "\n"
    assert Cleaner().clean(wrapped.replace("line 3 of", "this is").replace("line 12 of", "this is")).removals == []


def test_a_refrain_is_kept_and_a_pasted_twice_speech_is_not():
    salutation = "Excellencies, Ladies and Gentlemen,"
    assert Cleaner().clean(f"{salutation}\nWe meet today.\n{salutation}\nWe part today.\n").removals == []
    refrain = "And I will propose these measures to the 90th Congress."
    paras = [f"Paragraph {i} of the address says something about policy number {i}." for i in range(5)]
    speech = "\n".join(f"{p}\n{refrain}" for p in paras) + "\n"
    assert Cleaner().clean(speech).removals == []  # a sentence repeated for effect stays
    doubled = speech + speech
    r = Cleaner().clean(doubled)
    assert r.text == speech and {x.rule for x in r.removals} == {"repeated_line"}
    assert sum(x.end - x.start for x in r.removals) == len(speech)


def test_page_headers_of_scanned_un_records():
    text = ("of the United Nations and declared\n31 06-53615 \nJapan's firm resolve.\n"
            "06-53615 32\nMore text.\n15-29431 41/51\n42/51 15-29431\n17-29597 (E) *1729597*\n"
            "17-29813 11/28 of public funds, including our own.\nIn 1945, 31 06-53615 is not a header here.\n")
    r = Cleaner().clean(text)
    assert rules_of(r) == [("page_header", "31 06-53615 \n"), ("page_header", "06-53615 32\n"),
                           ("page_header", "15-29431 41/51\n"), ("page_header", "42/51 15-29431\n"),
                           ("page_header", "17-29597 (E) *1729597*\n"), ("page_header", "17-29813 11/28 ")]
    assert "of public funds, including our own." in r.text and "is not a header here" in r.text


def test_url_encoded_fragments():
    line = "Sources:,the%20contested%20South%20China%20Sea.&text=Both"
    r = Cleaner().clean(f"Body with 100% of it.\n{line}")
    assert rules_of(r) == [("url_encoded", line)]


def test_other_language_needs_foreign_function_words():
    r = Cleaner().clean("Vous n'\u00eates pas connect\u00e9\nAbout Tokyo\nTaiwan Strait Tensions\n")
    assert rules_of(r) == [("other_language", "Vous n'\u00eates pas connect\u00e9\n")]
    assert "About Tokyo" in r.text and "Taiwan Strait Tensions" in r.text


def test_overlapping_removals_are_merged_with_both_rules():
    teaser = "The same teaser about another story entirely, told in a sentence or two..."
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
    teaser = "Other story: the minister flew to Kyiv to talk about..."
    assert Cleaner().clean(teaser).text == "" and Cleaner(rules=()).clean(teaser).text == teaser
    with pytest.raises(ParameterError, match="'typo'"):
        Cleaner(rules=("typo",))


def test_clean_to_raw_offsets():
    t = "a teaser of another story that the site shows under every article..."
    raw = f"{t} one\u2026\nKeep this.\nAnd this.\n{t} two...\n{t} three..."
    r = Cleaner().clean(raw)
    assert r.text == "Keep this.\nAnd this.\n"
    i = r.text.index("And")
    assert raw[r.clean_to_raw(i):r.clean_to_raw(i) + 3] == "And"
    j = r.text.index("\n") + 1  # end of the first kept span, start of the second
    assert raw[r.clean_to_raw(0):r.clean_to_raw(j, "end")] == "Keep this.\n"
    assert raw[r.clean_to_raw(j):r.clean_to_raw(len(r.text), "end")] == "And this.\n"


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


def test_real_corpora_lose_only_their_furniture():
    import corpuskit as ck
    from conftest import ROOT, SEEDS, SOTU

    seeds = ck.load_corpus(SEEDS).removals()
    assert seeds.groupby("id")["rule"].apply(list).to_dict() == {
        "001": ["url_encoded"],
        "003": ["ellipsis_teaser", "other_language", "repeated_line+ellipsis_teaser", "ellipsis_teaser",
                "ellipsis_teaser", "repeated_line+ellipsis_teaser"] + ["ellipsis_teaser"] * 6,
        "004": ["body_end"]}
    assert seeds["n_chars"].sum() == 277 + 1628 + 2477
    assert len(ck.load_corpus(SOTU).removals()) == 0  # the page-header and other rules remove nothing there
    ungd = ck.load_corpus(ROOT / "notebooks" / "data" / "ungd_japan").removals()
    assert ungd[ungd["rule"] == "page_header"].groupby("id").size().to_dict() == {
        "JPN_61_2006": 3, "JPN_63_2008": 2, "JPN_64_2009": 3, "JPN_65_2010": 4, "JPN_66_2011": 4, "JPN_70_2015": 3}
    others = ungd[ungd["rule"] != "page_header"]
    assert others[["id", "rule", "text"]].values.tolist() == [["JPN_70_2015", "repeated_line", "A/70/PV.16 29/09/2015\n"]]


# ---------------------------------------------------------------------------- fast paths (issue 15)
# Each is checked against the plain computation it replaces: the regex search over the whole line,
# " ".join(line.split()).casefold() as the repeat key, and the edge rules on every line.
import re as _re  # noqa: E402

from corpuskit import clean as _clean  # noqa: E402

_ENDINGS = ["", ".", "a.", "a..", "a...", "a…", "a….", "a.\"", "a.”)", "a.) )", "a?'", "a:]", "…",
            "a ,", "x.\")]’", "..", "a.. .", "word", "a.)x", "So it ends...\"", "no; \"", "1.)", "a.\u2019"]


@pytest.mark.parametrize("line", _ENDINGS + [e.strip() for e in _ENDINGS] + ["Long " * 50 + "end."])
def test_sentence_end_equals_the_regex_search(line):
    line = line.strip()
    assert _clean._sentence_end(line) == bool(_clean._SENTENCE_END.search(line)), line


@given(st.text(alphabet=st.sampled_from(list("ab .…!?,;:\"'”’)]\u00a0")), max_size=12))
@settings(max_examples=300, deadline=None)
def test_sentence_end_equals_the_regex_search_on_any_ending(line):
    line = line.strip()
    assert _clean._sentence_end(line) == bool(_clean._SENTENCE_END.search(line))


@pytest.mark.parametrize("space", ["\t", "\u00a0", "\u3000", "\u2003", "\x1f", "  \t ", "  ", "\u200a"])
def test_repeat_key_joins_any_whitespace_as_str_split_does(space):
    # a deck whose second copy has other whitespace inside is still the same line (and long enough)
    deck = f"A DECK line{space}that repeats itself here"
    text = f"{deck}\nBody paragraph one.\n{deck.replace(space, ' ').lower()}\n"
    r = Cleaner().clean(text, "d")
    assert rules_of(r) == [("repeated_line", deck.replace(space, " ").lower() + "\n")]
    assert " ".join(deck.split()).casefold() == deck.replace(space, " ").lower()


def test_non_space_characters_decide_removable_as_before():
    # 19 non-space characters spread by odd whitespace: too short to remove (min_repeat_chars=20)
    short = "abcd\u00a0efgh\tijkl\u3000mnop qrs"
    assert len("".join(short.split())) == 19
    assert Cleaner().clean(f"{short}\nBody.\n{short}\n").removals == []
    assert rules_of(Cleaner(min_repeat_chars=19).clean(f"{short}\nBody.\n{short}\n")) == [
        ("repeated_line", short + "\n")]


def test_edge_rules_run_only_on_the_furniture_runs(monkeypatch):
    calls = []
    real = Cleaner._edge_rules
    monkeypatch.setattr(Cleaner, "_edge_rules", lambda self, s: calls.append(s) or real(self, s))
    teaser = "North Korea on Monday fired a missile that flew before landing in waters between..."
    body = [f"Body paragraph number {i} of the speech." for i in range(50)]
    r = Cleaner().clean("\n".join([teaser] + body + [teaser.replace("North", "South")]) + "\n", "d")
    assert [x.rule for x in r.removals] == ["ellipsis_teaser", "ellipsis_teaser"]
    # the teaser and the first body line from the front, the same from the back: not the 50 body lines
    assert len(calls) == 4


def test_every_whitespace_but_the_space_is_not_printable():
    # the repeat key skips " ".join(line.split()) for printable lines without a double space
    import sys
    spaces = [chr(i) for i in range(sys.maxunicode + 1) if chr(i).isspace()]
    assert len(spaces) > 20 and [c for c in spaces if c.isprintable()] == [" "]


def test_casefold_of_joined_lines_equals_each_line_casefolded():
    # the repeat keys casefold a document's lines joined by "\n" in one call: casefold has no context
    # (unlike lower()'s final sigma) and never makes a "\n"
    import sys
    every = "".join(chr(i) for i in range(sys.maxunicode + 1) if not 0xD800 <= i < 0xE000 and i != 10)
    assert every.casefold() == "".join(c.casefold() for c in every) and "\n" not in every.casefold()
    lines = ["ΟΔΟΣ ΣΑΣ", "Straße", "İstanbul"]
    assert "\n".join(lines).casefold().split("\n") == [t.casefold() for t in lines]
