"""Sentences, tokens, KWIC: no NLTK data, normalization for analysis only."""
import os
import subprocess
import sys

import pytest

import corpuskit as ck
from corpuskit.tokens import Pattern, normalize, sentence_spans, tokenize, tokenize_spans


def test_sentences_respect_abbreviations_and_line_breaks():
    text = "Kishi spoke on Aug. 2 to the FT. He warned of China.\nA crosshead\nNext para. Second."
    got = [text[s:e] for s, e in sentence_spans(text)]
    assert got == ["Kishi spoke on Aug. 2 to the FT.", "He warned of China.", "A crosshead", "Next para.", "Second."]


def test_seed_sentence_with_aug_2_is_whole(seeds):
    s = ck.sentences(seeds)
    hit = s[s["text"].str.contains("published on Aug. 2")]
    assert len(hit) == 1 and hit["text"].iloc[0].endswith("Taiwan\u2019s survival.")
    row = hit.iloc[0]
    assert seeds[row["id"]].raw[row["raw_start"]:row["raw_end"]] == row["text"]


def test_raw_offsets_of_sentences_after_removals(seeds):
    s = ck.sentences(seeds)
    for row in s[s["id"] == "003"].itertuples():
        assert seeds["003"].raw[row.raw_start:row.raw_end] == row.text


def test_tokenize_normalizes_for_analysis_only():
    assert tokenize("Japan\u2019s plan to re-arm and re-interpret Article 9; US-Japan ties.") == [
        "japan", "plan", "to", "rearm", "and", "reinterpret", "article", "9", "us", "japan", "ties"]
    assert tokenize("Self-Defense Forces couldn\u2019t") == ["self", "defense", "forces", "couldn't"]
    assert tokenize("The rearmament of Japan", stop_words="english") == ["rearmament", "japan"]
    assert tokenize("defenses defended", stem=True) == ["defens", "defend"]
    assert tokenize("a b c", ngrams=(1, 2)) == ["a", "b", "c", "a_b", "b_c"]


def test_span_tokens_agree_with_fast_tokens(seeds, sotu):
    texts = list(seeds.iter_texts()) + [next(sotu.subset(["1946-Truman"]).iter_texts())]
    for text in texts:
        assert [t for t, _, _ in tokenize_spans(text)] == tokenize(text)


def test_kwic_glob_finds_hyphenated_and_phrases(seeds):
    k = ck.kwic(seeds, "rearm*", window=3)
    assert k["keyword"].tolist() == ["re-arm", "rearmament"]
    assert k["id"].tolist() == ["000", "000"]
    assert k["pre"].iloc[0] == "they prod Japan to" or k["pre"].iloc[0].endswith("Japan to")
    a9 = ck.kwic(seeds, "Article 9")
    assert a9[["id", "keyword"]].values.tolist() == [["002", "Article 9"]]
    multi = ck.kwic(seeds, ["counterattack", "constitution*"])
    assert set(multi["pattern"]) == {"counterattack", "constitution*"}
    assert (multi["pattern"] == "counterattack").sum() == 3


def test_pattern_longer_than_text_finds_nothing():
    assert Pattern("first island chain").find(["first", "island"]) == []
    assert Pattern("japan").find([]) == []


def test_pattern_multiword_glob():
    assert Pattern("self-defense forc*").find(tokenize("the Self-Defense Forces and self defence")) == [(1, 4)]


def test_no_nltk_data_is_needed(tmp_path):
    code = (
        "import nltk; nltk.data.path[:] = []\n"
        "import os; os.environ['NLTK_DATA'] = ''\n"
        "import corpuskit as ck\n"
        "c = ck.load_corpus('seeds')\n"
        "assert len(ck.sentences(c)) > 100\n"
        "assert len(ck.kwic(c, 'rearm*')) == 2\n"
        "from corpuskit.dfm import dfm\n"
        "assert dfm(c, 'sentence', stop_words='english', stem=True).shape[0] > 100\n"
        "print('ok')\n")
    env = dict(os.environ, NLTK_DATA=str(tmp_path), HOME=str(tmp_path))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                       cwd=os.path.dirname(os.path.dirname(__file__)))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"
