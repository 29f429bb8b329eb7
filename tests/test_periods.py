"""One meaning of a period: every function that groups by time gives the same bins and labels."""
import collections
import pathlib
import re

import numpy as np
import pandas as pd
import pytest

import corpuskit as ck
from corpuskit.periods import assign_periods, parse_span, period_labels
from corpuskit.shift import change_points, period_means, stance_shift, trend
from corpuskit.stream import period_counts

# 1789 (the first State of the Union's year) to 2020, uneven gaps, so a bin anchored on the first date differs
YEARS = [1789, 1790, 1794, 1795, 1799, 1800, 1803, 1850, 1861, 1864, 1918, 1941, 1945, 1989, 1990, 1999,
         2000, 2001, 2008, 2009, 2010, 2019, 2020]
WORDS = ["war army navy", "trade tariff market", "school health family", "peace treaty navy"]


@pytest.fixture(scope="module")
def speeches():
    recs = [{"id": f"s{i:02d}", "date": f"{y}-0{1 + i % 9}-1{i % 9}",
             "text": f"The war came. {WORDS[i % 4]} {WORDS[(i + 1) % 4]}. The nation spoke of {WORDS[(i + 2) % 4]}."}
            for i, y in enumerate(YEARS)]
    return ck.Corpus.from_records(recs, name="speeches")


def expected(origin: int) -> collections.Counter:
    """Documents per bin, by arithmetic on years: bins of 10 years starting at origin + 10k."""
    start = [origin + (y - origin) // 10 * 10 for y in YEARS]
    return collections.Counter(f"{s}–{s + 9}" for s in start)


def bins_of_every_function(corpus, **kw) -> dict[str, collections.Counter]:
    """Documents per period label from each function that groups by time (empty periods dropped)."""
    stance = pd.DataFrame({"id": corpus.ids, "date": corpus.docvars["date"].astype(str),
                           "stance": np.linspace(-0.5, 0.5, len(corpus))})
    counts = lambda t, col="n_docs": collections.Counter({p: int(n) for p, n in zip(t["period"], t[col]) if n > 0})
    fp = ck.frame_prevalence(corpus, dictionary={"war": ["war"], "navy": ["navy"]}, by="decade", n_boot=20,
                             random_state=0, **kw)
    model = ck.TopicModel(n_topics=2, random_state=0, min_df=1).fit(corpus)
    tp = model.prevalence(by="decade", n_boot=20, random_state=0, **kw)
    pm = period_means(stance, by="decade", n_boot=20, random_state=0, **kw)
    g = ck.dfm(corpus).group("decade", **kw)
    labels_corpus = period_labels(pd.PeriodIndex(corpus.periods("decade", **kw)))
    grouped = {period_labels(pd.PeriodIndex([p]))[0]: len(c) for p, c in corpus.groupby("decade", **kw)}
    return {
        "assign_periods": collections.Counter(period_labels(assign_periods(corpus.docvars["date"], "decade", **kw))),
        "Corpus.periods": collections.Counter(labels_corpus),
        "Corpus.groupby": collections.Counter(grouped),
        "frame_prevalence": counts(fp[fp["frame"] == "war"]),
        "TopicModel.prevalence": counts(tp[tp["topic"] == 0]),
        "period_means": counts(pm),
        "period_counts": counts(period_counts(corpus, by="decade", **kw)),
        "period_counts, in chunks": counts(period_counts(corpus, by="decade", n_jobs=1, chunk_size=5, **kw)),
        "DFM.group": collections.Counter(dict(zip(g.docvars["period"].astype(str),
                                                  np.asarray(g.counts.sum(axis=1)).ravel() > 0))),
    }


@pytest.mark.parametrize("origin", [None, "1785"])
def test_every_function_bins_decades_alike(speeches, origin):
    kw = {} if origin is None else {"origin": origin}
    want = expected(1780 if origin is None else 1785)
    got = bins_of_every_function(speeches, **kw)
    for name, bins in got.items():
        if name == "DFM.group":  # a group row per non-empty period (its value: has counts)
            assert set(bins) == set(want), name
        else:
            assert bins == want, name
    # calendar decades: 1789 is in 1780–1789, not in a bin starting at the first date
    first, last = ("1780–1789", "2020–2029") if origin is None else ("1785–1794", "2015–2024")
    assert sorted(want)[0] == first and sorted(want)[-1] == last
    # trend fits one mean per non-empty period of the same bins
    stance = pd.DataFrame({"id": speeches.ids, "date": speeches.docvars["date"].astype(str),
                           "stance": np.linspace(-0.5, 0.5, len(speeches))})
    assert trend(stance, by="decade", n_boot=20, random_state=0, **kw)["n_periods"].iat[0] == len(want)
    pm = period_means(stance, by="decade", n_boot=20, random_state=0, **kw).dropna(subset=["mean"])
    cp = change_points(pm.set_index("period")["mean"], min_size=2, random_state=0)
    assert cp["segment_start"].iat[0] == first and cp["segment_end"].iat[-1] == last


def test_labels_show_the_whole_bin():
    d = pd.Series(pd.to_datetime(["2006-05-01", "2013-02-01", "2024-11-30"]))
    assert period_labels(assign_periods(d, "year")).tolist() == ["2006", "2013", "2024"]
    assert period_labels(assign_periods(d, "decade")).tolist() == ["2000–2009", "2010–2019", "2020–2029"]
    assert period_labels(assign_periods(d, "5Y", origin="2001")).tolist() == ["2006–2010", "2011–2015",
                                                                              "2021–2025"]
    assert period_labels(assign_periods(d, "month")).tolist() == ["2006-05", "2013-02", "2024-11"]
    assert period_labels(assign_periods(d, "3M")).tolist() == ["2006-04–2006-06", "2013-01–2013-03",
                                                               "2024-10–2024-12"]
    with pytest.raises(ck.ParameterError, match=r"origin='the 1780s'"):
        assign_periods(d, "decade", origin="the 1780s")


def test_a_span_reads_like_the_cli_everywhere(speeches):
    assert parse_span("1990:1999") == (pd.Timestamp("1990-01-01"), pd.Timestamp("1999-12-31"), "1990–1999")
    assert parse_span("2006")[2] == "2006" and parse_span(("2021", "2024"))[2] == "2021–2024"
    for bad in ("1990:", "1990:1995:1999", "199x:2000"):
        with pytest.raises(ck.ParameterError, match=re.escape(f"before={bad!r}")):
            parse_span(bad, "before")
    stance = pd.DataFrame({"id": speeches.ids, "date": speeches.docvars["date"].astype(str),
                           "stance": np.linspace(-0.5, 0.5, len(speeches))})
    by_string = stance_shift(stance, before="1789:1805", after="1990:2020", n_boot=50, random_state=0)
    by_tuple = stance_shift(stance, before=("1789", "1805"), after=("1990", "2020"), n_boot=50, random_state=0)
    pd.testing.assert_frame_equal(by_string, by_tuple)
    assert by_string["after"].iat[0] == "1990–2020" and by_string["n_docs_after"].iat[0] == 9
    assert speeches.between("1990:1999").ids == speeches.between("1990", "1999").ids
    assert speeches.between("1990:1999").docvars["year"].tolist() == [1990, 1999]


def test_one_binning_implementation():
    # every function above bins through corpuskit.periods; no other module makes periods of its own
    pkg = pathlib.Path(ck.__file__).parent
    own = [f"{p.relative_to(pkg)}" for p in pkg.rglob("*.py") if p.name != "periods.py"
           and re.search(r"\.to_period\(|period_range\(|PeriodIndex\.from_ordinals", p.read_text(encoding="utf-8"))]
    assert own == []
