"""Document-feature matrices: counts by hand, tf-idf against scikit-learn, grouping, trimming."""
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

import corpuskit as ck
from corpuskit.matrix import dfm, units
from corpuskit.errors import ParameterError


@pytest.fixture
def tiny():
    return ck.Corpus.from_records([
        {"id": "a", "date": "2020", "text": "Japan rearms. Japan's budget grows.\nNew line here."},
        {"id": "b", "date": "2021-05", "text": "China objects. Japan re-arms anyway."},
    ])


def test_counts_by_hand(tiny):
    m = dfm(tiny)
    assert sp.issparse(m.counts)
    f = list(m.features)
    assert f == sorted(f)
    row_a = dict(zip(f, m.counts.toarray()[0]))
    assert row_a["japan"] == 2 and row_a["rearms"] == 1 and row_a["budget"] == 1 and row_a["line"] == 1
    row_b = dict(zip(f, m.counts.toarray()[1]))
    assert row_b["rearms"] == 1 and row_b["china"] == 1 and row_b["japan"] == 1
    assert m.docvars["n_tokens"].tolist() == [8, 5]


def test_units(tiny):
    assert units(tiny, "sentence")["unit_id"].tolist() == ["a#0", "a#1", "a#2", "b#0", "b#1"]
    assert units(tiny, "paragraph")["text"].tolist() == ["Japan rearms. Japan's budget grows.", "New line here.",
                                                           "China objects. Japan re-arms anyway."]
    w = units(tiny, "window", window=2)
    assert w["text"].tolist()[0] == "Japan rearms. Japan's budget grows."
    assert len(w) == 3
    with pytest.raises(ParameterError, match="unit='chapter'"):
        units(tiny, "chapter")


@pytest.mark.parametrize("unit", ["document", "paragraph", "sentence", "window"])
def test_unit_texts_are_the_text_column(tiny, unit):
    # dfm counts from unit_texts (one copy of the text in memory); it must give the column's texts
    from corpuskit.matrix import unit_texts
    full = units(tiny, unit, window=2)
    table = units(tiny, unit, window=2, text=False)
    assert "text" not in table.columns
    pd.testing.assert_frame_equal(table, full.drop(columns="text"))
    assert list(unit_texts(tiny, table)) == full["text"].tolist()
    # the counts are those of a CountVectorizer fed the column's texts
    m = dfm(tiny, unit, window=2)
    from sklearn.feature_extraction.text import CountVectorizer
    ref = CountVectorizer(analyzer=lambda t: ck.tokenize(t)).fit(full["text"].tolist())
    assert m.features.tolist() == ref.get_feature_names_out().tolist()
    assert (m.counts != ref.transform(full["text"].tolist())).nnz == 0


def test_group_sums_units_back_to_documents(tiny):
    s = dfm(tiny, "sentence")
    g = s.group("id")
    d = dfm(tiny, "document")
    assert g.docvars["id"].tolist() == ["a", "b"]
    assert (g.counts != d.counts).nnz == 0
    assert g.docvars["n_tokens"].tolist() == d.docvars["n_tokens"].tolist()
    y = d.group("year")
    assert y.docvars["unit_id"].tolist() == ["2020", "2021"]


def test_tfidf_equals_scikit_learn(seeds):
    from corpuskit.tokenizer import tokenize
    m = dfm(seeds).tfidf()
    ref = TfidfVectorizer(analyzer=tokenize).fit(list(seeds.iter_texts()))
    x = ref.transform(list(seeds.iter_texts()))
    assert list(ref.get_feature_names_out()) == list(m.features)
    assert abs(x - m.counts).max() < 1e-12
    with pytest.raises(ParameterError, match="weighted"):
        m.group("id")


def test_trim_and_select(seeds):
    m = dfm(seeds, stop_words="english")
    t = m.trim(min_docfreq=5)
    assert set(t.features) >= {"japan", "security"} and (t.docfreq() == 5).all()
    top = m.trim(max_features=3)
    assert list(top.features) == sorted(["japan", "taiwan", "china"])
    sel = m.select(["rearm*", "constitution*"])
    assert set(sel.features) == {"rearm", "rearmament", "constitution", "constitutional"}
    assert "japan" not in m.select("jap*", remove=True).features


def test_empty_vocabulary_is_a_clear_error():
    c = ck.Corpus.from_records([{"id": "a", "date": "2020", "text": "the and of"}])
    with pytest.raises(ParameterError, match="vocabulary is empty"):
        dfm(c, stop_words="english")


SPEECH = ("Mr. Speaker, we're spending $1,000 in 1990 and 2,000 in the 1990s. We don't stop; it's the 9th year. "
          "(Applause.)")


def test_remove_numbers_drops_digit_tokens_on_every_path():
    c = ck.Corpus.from_records([{"id": "a", "date": "2020", "text": SPEECH},
                                {"id": "b", "date": "2021", "text": "Dr. Smith wrote 000 and 12 words."}])
    full = dfm(c)
    assert {"1", "000", "1990", "2", "12"} <= set(full.features)
    want = sorted(set(full.features) - {"1", "000", "1990", "2", "12"})
    assert "1990s" in want and "9th" in want  # a number with letters is a word
    for m in (dfm(c, remove_numbers=True), dfm(ck.tokens(c), remove_numbers=True),
              dfm(c, remove_numbers=True, chunk_size=1)):
        assert sorted(m.features) == want
        assert m.docvars["n_tokens"].tolist() == [len(ck.tokenize(SPEECH, remove_numbers=True)), 5]
        assert m.meta["remove_numbers"] is True
    bi = dfm(c, ngrams=2, remove_numbers=True)
    assert "000_in" not in set(bi.features) and "spending_in" in set(bi.features)  # n-grams after removal
    k = ck.keyness(c.subset([True, False]), c.subset([False, True]), remove_numbers=True)
    assert not set(k["term"]) & {"1", "000", "1990", "12"}


def test_remove_punct_is_what_tokens_are_and_false_says_so():
    assert ck.tokenize(SPEECH, remove_punct=True) == ck.tokenize(SPEECH)
    c = ck.Corpus.from_records([{"id": "a", "date": "2020", "text": SPEECH}])
    with pytest.raises(ParameterError, match=r"remove_punct=False: corpuskit's tokens never hold punctuation"):
        dfm(c, remove_punct=False)


def test_extended_stop_list_covers_contractions_and_honorifics_and_takes_user_words():
    c = ck.Corpus.from_records([{"id": "a", "date": "2020", "text": SPEECH}])
    old = set(dfm(c, stop_words="english").features)
    assert {"mr", "we're", "don't", "applause"} <= old  # what issue 13 saw pass scikit-learn's list
    new = set(dfm(c, stop_words="english_extended").features)
    assert old - new == {"mr", "we're", "don't"}
    mine = ck.stop_words("english_extended", add=["Applause"])
    assert set(dfm(c, stop_words=mine).features) == new - {"applause"}
    assert ck.stop_words("english", remove=["the"]) == ck.stop_words("english") - {"the"}
    with pytest.raises(ParameterError, match="stop_words='smart': use one of 'english', 'english_extended'"):
        dfm(c, stop_words="smart")
    # every contraction and honorific is a word the tokenizer can produce, and none is in the old list
    for w in ck.tokenizer.CONTRACTIONS | ck.tokenizer.HONORIFICS:
        assert ck.tokenize(w) == [w] and w not in ck.stop_words("english")


def test_topic_models_and_streamed_counts_take_remove_numbers(tmp_path):
    recs = [{"id": f"d{i}", "date": str(2000 + i),
             "text": f"In {1990 + i} we spent 1,000 dollars on {w} and {w} again. Budget {i} of 000 items."}
            for i, w in enumerate(["farms", "roads", "ships", "farms", "roads", "ships"])]
    c = ck.Corpus.from_records(recs)
    tm = ck.TopicModel(n_topics=2, random_state=0, unit="document", remove_numbers=True).fit(c)
    assert not [f for f in tm.feature_names_ if f.isdigit()] and "farms" in set(tm.feature_names_)
    with pytest.raises(ParameterError, match="counted with remove_numbers=False but this TopicModel uses True"):
        ck.TopicModel(n_topics=2, random_state=0, unit="document", remove_numbers=True).fit(dfm(c, stop_words="english"))
    import json
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in recs) + "\n", encoding="utf-8")
    m, _ = ck.scan(ck.stream_corpus(path), {}, dfm={"remove_numbers": True, "stop_words": "english"})
    assert sorted(m.features) == sorted(dfm(c, remove_numbers=True, stop_words="english").features)
