"""Streaming corpora agree with in-memory corpora; bad rows are named."""
import functools
import json

import numpy as np
import pandas as pd
import pytest

import corpuskit as ck
from corpuskit.matrix import dfm
from corpuskit.errors import CorpusError, ParameterError
from corpuskit.stream import period_counts, stream_corpus

from conftest import SEEDS, SOTU, sotu_sample


@pytest.fixture(scope="module")
def sotu_small():
    """25 State of the Union addresses as an in-memory corpus and as records (raw texts)."""
    return sotu_sample(25)


def _write(tmp_path, recs, fmt):
    if fmt == "jsonl":
        p = tmp_path / "c.jsonl"
        p.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    elif fmt == "csv":
        p = tmp_path / "c.csv"
        pd.DataFrame(recs).to_csv(p, index=False)
    elif fmt == "parquet":
        p = tmp_path / "c.parquet"
        pd.DataFrame(recs).to_parquet(p, row_group_size=7)
    return p


def _same_docvars(a: pd.DataFrame, b: pd.DataFrame) -> None:
    cols = ["id", "date", "date_end", "date_mid", "date_precision", "year"]
    pd.testing.assert_frame_equal(a[cols].reset_index(drop=True), b[cols].reset_index(drop=True))


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_streamed_texts_and_dfm_equal_in_memory(tmp_path, sotu_small, fmt):
    mem, recs = sotu_small
    sc = stream_corpus(_write(tmp_path, recs, fmt), chunk_size=4)
    assert list(sc.iter_texts()) == list(mem.iter_texts())
    assert list(sc.iter_texts(raw=True)) == list(mem.iter_texts(raw=True))
    _same_docvars(sc.docvars, mem.docvars)
    a = dfm(mem, stop_words="english")
    b = dfm(stream_corpus(_write(tmp_path, recs, fmt), chunk_size=4), stop_words="english")
    assert b.features.tolist() == a.features.tolist()
    assert (a.counts != b.counts).nnz == 0
    assert b.docvars["n_tokens"].tolist() == a.docvars["n_tokens"].tolist()
    # tf-idf: the same counts through the same transformer, so equal to float rounding (1e-12)
    np.testing.assert_allclose(b.tfidf().counts.toarray(), a.tfidf().counts.toarray(), rtol=0, atol=1e-12)


def test_streamed_folder_equals_load_corpus():
    mem = ck.load_corpus(SEEDS)
    sc = stream_corpus(SEEDS, chunk_size=2)
    assert sc.ids == mem.ids == ["000", "001", "002", "003", "004"]
    assert list(sc.iter_texts()) == list(mem.iter_texts())  # same Cleaner, same overrides
    pd.testing.assert_frame_equal(sc.docvars, mem.docvars)
    a, b = dfm(mem, unit="sentence"), dfm(sc, unit="sentence", n_jobs=2)
    assert b.features.tolist() == a.features.tolist() and (a.counts != b.counts).nnz == 0
    pd.testing.assert_frame_equal(a.docvars, b.docvars)


def test_glob_and_list_of_files_concatenate_in_order(tmp_path, sotu_small):
    mem, recs = sotu_small
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _write(tmp_path / "a", recs[:10], "jsonl")
    _write(tmp_path / "b", recs[10:], "csv")
    sc = stream_corpus([tmp_path / "a" / "*.jsonl", tmp_path / "b" / "c.csv"], chunk_size=3)
    assert sc.ids == mem.ids
    assert len(sc) == 25


def test_period_counts_incremental_equal_whole(sotu_small, tmp_path):
    mem, recs = sotu_small
    sc = stream_corpus(_write(tmp_path, recs, "jsonl"), chunk_size=3)
    got = period_counts(sc, by="decade")
    from corpuskit.tokenizer import tokenize
    dv = mem.docvars
    from corpuskit.periods import assign_periods, period_labels
    per = period_labels(assign_periods(dv["date"], "decade"))
    exp = pd.DataFrame({"period": per, "n_docs": 1, "n_chars": [len(t) for t in mem.iter_texts()],
                        "n_tokens": [len(tokenize(t)) for t in mem.iter_texts()]}).groupby("period").sum()
    assert got["period"].tolist() == exp.index.tolist()
    assert got["n_docs"].tolist() == exp["n_docs"].tolist()
    assert got["n_tokens"].tolist() == exp["n_tokens"].tolist()
    assert got["n_chars"].tolist() == exp["n_chars"].tolist()
    assert got["n_docs"].sum() == 25 and got["period"].tolist() == ["1790–1799", "1800–1809", "1810–1819"]
    # in parallel and on the in-memory corpus: the same table
    pd.testing.assert_frame_equal(period_counts(mem, by="decade", n_jobs=2, chunk_size=4), got)


def test_map_chunks_frames_equal_whole_corpus(tmp_path):
    mem = ck.load_corpus(SEEDS)
    sc = stream_corpus(SEEDS, chunk_size=2)
    whole = ck.score_frames(mem, "rearmament")
    parts = sc.map_chunks(functools.partial(ck.score_frames, dictionary="rearmament"))
    pd.testing.assert_frame_equal(parts, whole)


def test_bad_jsonl_line_is_named(tmp_path):
    p = tmp_path / "bad.jsonl"
    p.write_text('{"id": "a", "date": "2020", "text": "Fine text."}\n\n{"id": "b", "date": "2020-13", "text": "x"}\n')
    with pytest.raises(CorpusError, match=r"bad.jsonl line 3: id 'b': date '2020-13'"):
        list(stream_corpus(p).iter_texts())
    p.write_text('{"id": "a", "date": "2020", "text": "Fine."}\n{"id": "b", "date": "2020"\n')
    with pytest.raises(CorpusError, match=r"bad.jsonl line 2: not valid JSON"):
        dfm(stream_corpus(p), n_jobs=2)


def test_bad_csv_and_parquet_rows_are_named(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text('id,date,text\na,2020,"ok text"\nb,2020,""\n')
    with pytest.raises(CorpusError, match=r"bad.csv line 3: id 'b': the text is empty"):
        stream_corpus(p).docvars
    p.write_text('id,date,body\na,2020,"ok text"\n')
    with pytest.raises(CorpusError, match=r"bad.csv line 1: missing column\(s\) 'text'"):
        stream_corpus(p).docvars
    assert stream_corpus(p, text="body").ids == ["a"]
    q = tmp_path / "bad.parquet"
    pd.DataFrame({"id": ["a", "b", "c"], "date": ["2020", "2021", "20x1"], "text": ["one", "two", "three"]}).to_parquet(q)
    with pytest.raises(CorpusError, match=r"bad.parquet row 3: id 'c': date '20x1'"):
        stream_corpus(q, chunk_size=2).docvars


def test_duplicate_ids_across_chunks_and_files(tmp_path):
    p = tmp_path / "dup.jsonl"
    p.write_text('{"id": "a", "date": "2020", "text": "One."}\n{"id": "b", "date": "2020", "text": "Two."}\n'
                 '{"id": "a", "date": "2021", "text": "Three."}\n')
    with pytest.raises(CorpusError, match=r"id 'a': duplicate id"):
        list(stream_corpus(p, chunk_size=1).iter_chunks())
    with pytest.raises(CorpusError, match=r"duplicate id"):
        dfm(stream_corpus(p, chunk_size=1), n_jobs=2)


def test_bad_parameters(tmp_path):
    with pytest.raises(ParameterError, match="chunk_size=0"):
        stream_corpus(SEEDS, chunk_size=0)
    with pytest.raises(ParameterError, match="format='xml'"):
        stream_corpus(SEEDS, format="xml")
    with pytest.raises(ParameterError, match="matches no file"):
        stream_corpus(str(tmp_path / "*.jsonl"))
    (tmp_path / "x.txt").write_text("hi")
    with pytest.raises(CorpusError, match=r"x.txt: suffix '.txt'"):
        stream_corpus(tmp_path / "x.txt")


def test_fast_punkt_gives_nltk_spans():
    """The speed fix in tokens._punkt (stdlib re instead of nltk.redos) keeps every sentence span."""
    import nltk.tokenize.punkt as P
    from corpuskit.clean import split_lines
    from corpuskit.tokenizer import _punkt, _punkt_nltk
    fast = _punkt()
    assert fast._lang_vars.re_boundary_realignment.pattern == P.PunktLanguageVars.re_boundary_realignment.pattern
    for name in ("_RE_ELLIPSIS", "_RE_NUMERIC", "_RE_INITIAL", "_RE_ALPHA"):
        assert getattr(fast._Token, name).pattern == getattr(P.PunktToken, name).pattern
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")) + sorted(SOTU.glob("*.txt"))[:60]]
    texts.append('He said "Stop." Then... it ended. Mr. Abe met Gen. X on Aug. 2. 3.5 percent! (Really?) ‘Yes.’ «Non.» A--B.')
    lines = [t[s:e] for t in texts for s, e, _ in split_lines(t) if t[s:e].strip()]
    assert len(lines) > 100
    assert [list(fast.span_tokenize(x)) for x in lines] == [list(_punkt_nltk().span_tokenize(x)) for x in lines]


def test_scan_one_pass_equals_separate_passes(tmp_path, sotu_small):
    from corpuskit.stream import scan
    mem, recs = sotu_small
    sc = stream_corpus(_write(tmp_path, recs, "jsonl"), chunk_size=6)
    m, out = scan(sc, {"frames": functools.partial(ck.score_frames, dictionary="rearmament")}, dfm={"stop_words": "english"}, n_jobs=2)
    ref = dfm(mem, stop_words="english")
    assert m.features.tolist() == ref.features.tolist() and (m.counts != ref.counts).nnz == 0
    _same_docvars(m.docvars, ref.docvars)
    whole = ck.score_frames(mem, "rearmament")
    pd.testing.assert_frame_equal(out["frames"][whole.columns[:5]], whole[whole.columns[:5]])
    np.testing.assert_allclose(out["frames"].iloc[:, 5:].to_numpy(float), whole.iloc[:, 5:].to_numpy(float))
    assert out["frames"].attrs["corpuskit"]["kind"] == "frames"
    m2, out2 = scan(mem, {"frames": functools.partial(ck.score_frames, dictionary="rearmament")}, dfm=None, chunk_size=10)
    assert m2 is None and len(out2["frames"]) == 25
    with pytest.raises(ParameterError, match="unknown option"):
        scan(mem, dfm={"stopwords": "english"})


@pytest.mark.parametrize("count", ["dfm", "scan"])
def test_the_counting_pass_stores_the_docvars_without_another_pass(tmp_path, sotu_small, count, monkeypatch):
    mem, recs = sotu_small
    sc = stream_corpus(_write(tmp_path, recs, "jsonl"), chunk_size=4)
    dfm(sc) if count == "dfm" else ck.scan(sc, dfm={})
    # a second pass over the sources would go through iter_chunks: it must not be needed
    monkeypatch.setattr(type(sc), "iter_chunks", lambda self: pytest.fail("docvars read the sources again"))
    _same_docvars(sc.docvars, mem.docvars)
    assert "25 documents" in repr(sc)


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_scan_says_each_warning_once_for_the_whole_pass(n_jobs):
    # per chunk, the frame dictionary's unmatched entries were one warning per chunk (a thousand at
    # a million documents); scan names an entry once, and only if no chunk matched it
    import warnings
    from corpuskit.dictionary import UnmatchedEntriesWarning
    from corpuskit.stream import scan
    corpus = ck.load_corpus(SEEDS)
    frames = functools.partial(ck.score_frames, dictionary="rearmament")
    with pytest.warns(UserWarning) as whole:
        ck.score_frames(corpus, "rearmament")
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        _, out = scan(stream_corpus(SEEDS, chunk_size=1), {"frames": frames}, n_jobs=n_jobs)
    unmatched = [w.message for w in said if isinstance(w.message, UnmatchedEntriesWarning)]
    assert len(unmatched) == 1  # not one per chunk (5 chunks here)
    expected = [w.message for w in whole if isinstance(w.message, UnmatchedEntriesWarning)][0]
    assert unmatched[0].unmatched == expected.unmatched and unmatched[0].n_docs == 5
    assert str(unmatched[0]) == str(expected)  # the same line as on the whole corpus at once
    pd.testing.assert_frame_equal(out["frames"].reset_index(drop=True),
                                  ck.score_frames(corpus, "rearmament").reset_index(drop=True), check_dtype=False)
