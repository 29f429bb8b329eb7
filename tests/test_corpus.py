"""Corpus API: constructors, frames, selection by date intervals, periods, duplicates."""
import json
import warnings

import numpy as np
import pandas as pd
import pytest

import corpuskit as ck
from corpuskit.periods import parse_date, period_shares, assign_periods


def test_to_frame_columns_and_dtypes(seeds):
    df = seeds.to_frame()
    for col in ["id", "date", "year", "title", "text", "raw_text", "date_precision", "date_evidence"]:
        assert col in df.columns
    assert df["id"].dtype == "string" and df["date"].dtype == "datetime64[us]"
    assert (df["raw_text"].str.len() >= df["text"].str.len()).all()
    assert len(seeds) == 5 and [d.id for d in seeds] == df["id"].tolist()


def test_ids_stay_strings(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("id,date,text\n007,2021,Bond.\n0,2021,Zero.\n", encoding="utf-8")
    c = ck.Corpus.from_csv(p)
    assert c.ids == ["007", "0"] and c.to_frame()["id"].tolist() == ["007", "0"]


def test_between_selects_by_interval_overlap(seeds):
    assert seeds.between("2021", "2021").ids == ["001", "004"]
    assert seeds.between("2024-12-20", "2025").ids == ["003"]   # month-precision date overlaps
    assert seeds.between("2023-01-14", "2024-11-30").ids == []
    assert seeds.between(None, "2006-07-15").ids == ["000"]
    assert seeds.between("2022").ids == ["002", "003"]


def test_periods_and_groupby(seeds):
    p = seeds.periods("year")
    assert p.astype(str).tolist() == ["2006", "2021", "2023", "2024", "2021"]
    groups = [(str(k), c.ids) for k, c in seeds.groupby("year")]
    assert groups == [("2006", ["000"]), ("2021", ["001", "004"]), ("2023", ["002"]), ("2024", ["003"])]
    assert [str(k) for k, _ in seeds.groupby("5Y")] == ["2005", "2020"]  # calendar bins 2005-2009, 2020-2024
    assert [str(k) for k, _ in seeds.groupby("5Y", origin="2006")] == ["2006", "2021"]


def test_grouping_finer_than_precision_warns(seeds):
    with pytest.warns(UserWarning, match="finer than some documents' date precision"):
        seeds.periods("day")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        seeds.periods("month")  # 002 is day-precise, others month: no warning


def test_parse_date_intervals():
    d = parse_date("2024-12")
    assert (d.start, d.end, d.precision) == (pd.Timestamp("2024-12-01"), pd.Timestamp("2024-12-31"), "month")
    assert parse_date("2024-02-29").precision == "day"
    for bad in ["2023-02-29", "2021-13", "21", "2021/01/01"]:
        with pytest.raises(ValueError, match=bad.replace("/", ".")):
            parse_date(bad)


def test_from_csv_with_mapping_and_encoding(tmp_path):
    p = tmp_path / "news.csv"
    p.write_bytes("key,published,body,headline\nx1,2020-05,Caf\xe9 text.,H\xe9\n".encode("latin-1"))
    c = ck.Corpus.from_csv(p, id="key", date="published", text="body", columns={"headline": "title"},
                           encoding="latin-1")
    df = c.to_frame()
    assert df.loc[0, ["id", "title", "text"]].tolist() == ["x1", "H\xe9", "Caf\xe9 text."]
    assert df.loc[0, "date_precision"] == "month"


def test_from_jsonl(tmp_path):
    p = tmp_path / "news.jsonl"
    recs = [{"doc": "1", "date": "2019", "content": "One.", "outlet": "A"},
            {"doc": "2", "date": "2020-01-02", "content": "Two: a teaser of another story that the site shows under it...\nBody.", "outlet": "B"}]
    p.write_text("\n".join(json.dumps(r) for r in recs), encoding="utf-8")
    c = ck.load_corpus(p, id="doc", text="content")
    assert c.ids == ["1", "2"] and c.to_frame()["outlet"].tolist() == ["A", "B"]
    assert c["2"].text == "Body."  # cleaning is on by default
    assert ck.load_corpus(p, id="doc", text="content", clean=False)["2"].text.startswith("Two: a teaser")


def test_cleaning_can_be_switched_off(seeds):
    raw = ck.load_corpus("seeds", clean=False)
    assert all(d.text == d.raw for d in raw) and len(raw.removals()) == 0
    assert len(seeds.removals()) == 14


def test_subfolders_are_not_documents(make_folder):
    d = make_folder({"a.txt": "A."}, "id,date\na,2021\n")
    (d / "annotations").mkdir()
    (d / "annotations" / "x.txt").write_text("not a doc", encoding="utf-8")
    assert ck.load_corpus(d).ids == ["a"]


def test_state_of_the_union_loads_as_it_is(sotu):
    df = sotu.to_frame()
    assert len(sotu) == 233 and df["year"].min() == 1790 and df["year"].max() == 2021
    assert df.set_index("id").loc["1959-Eisenhower", "date_precision"] == "day"
    assert (df["date_precision"] == "year").sum() == 231
    assert len(sotu.removals()) == 0  # nothing in a clean speech corpus looks like furniture


def test_duplicates_finds_syndicated_copy():
    body = " ".join(f"word{i}" for i in range(200))
    c = ck.Corpus.from_records([
        {"id": "a", "date": "2021", "text": body},
        {"id": "b", "date": "2021", "text": "Syndicated. " + body + " Extra line."},
        {"id": "c", "date": "2021", "text": "A different article altogether with other words in it."}])
    d = c.duplicates(threshold=0.8)
    assert d[["id_a", "id_b"]].values.tolist() == [["a", "b"]]
    # a has 196 5-shingles; b has 203 tokens, so 199, sharing all 196 of a's: 196 / 199
    assert d["jaccard"].iloc[0] == pytest.approx(196 / 199)


def test_period_shares_hand_computed():
    # two docs in 2021 (bootstrap over docs), one doc with two units in 2023 (over units)
    vals = np.array([[1.0, 0.0], [0.0, 1.0], [3.0, 1.0], [1.0, 3.0]])
    docs = np.array(["a", "b", "c", "c"])
    periods = assign_periods(pd.Series(pd.to_datetime(["2021-01-01", "2021-06-01", "2023-01-01", "2023-01-01"])))
    t = period_shares(vals, docs, periods, ["x", "y"], n_boot=500, random_state=0)
    assert t["period"].unique().tolist() == ["2021", "2022", "2023"]
    r21 = t[(t.period == "2021") & (t.category == "x")].iloc[0]
    assert r21.share == 0.5 and r21.ci_basis == "documents" and r21.n_docs == 2
    assert r21.ci_low == 0.0 and r21.ci_high == 1.0
    r22 = t[t.period == "2022"]
    assert (r22.n_docs == 0).all() and r22.share.isna().all()
    r23 = t[(t.period == "2023") & (t.category == "x")].iloc[0]
    assert r23.share == 0.5 and r23.ci_basis == "units" and r23.n_units == 2
    assert r23.ci_low == 0.25 and r23.ci_high == 0.75
    t2 = period_shares(vals, docs, periods, ["x", "y"], n_boot=500, random_state=0)
    pd.testing.assert_frame_equal(t, t2)
