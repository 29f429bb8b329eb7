"""Stance shift: hand-computed permutation tests, scipy reference, trend = polyfit, change points."""
import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from corpuskit.errors import ParameterError
from corpuskit.shift import (change_points, excluded_documents, period_means, permutation_pvalue, stance_shift,
                             trend)

SEED_DATES = {"000": "2006-07", "001": "2021-08", "002": "2023-01-13", "003": "2024-12", "004": "2021-08"}


def doc_frame(values, dates=None):
    ids = [f"{i:03d}" for i in range(len(values))]
    dates = dates or [SEED_DATES[i] for i in ids]
    return pd.DataFrame({"id": ids, "date": dates, "stance": values})


def sentence_frame(per_doc: dict, dates: dict):
    rows = [{"id": d, "date": dates[d], "sentence": k, "score": s}
            for d, scores in per_doc.items() for k, s in enumerate(scores)]
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- permutation test by hand
def test_two_vs_two_enumerated_by_hand():
    before, after = [0.0, 0.2], [0.6, 1.0]
    # The 6 ways to choose which 2 of {0, .2, .6, 1} are "after", and mean(after) - mean(before):
    by_hand = {(0.0, 0.2): 0.1 - 0.8, (0.0, 0.6): 0.3 - 0.6, (0.0, 1.0): 0.5 - 0.4,
               (0.2, 0.6): 0.4 - 0.5, (0.2, 1.0): 0.6 - 0.3, (0.6, 1.0): 0.8 - 0.1}
    observed = by_hand[(0.6, 1.0)]
    two_sided = sum(abs(v) >= abs(observed) - 1e-12 for v in by_hand.values()) / 6
    greater = sum(v >= observed - 1e-12 for v in by_hand.values()) / 6
    assert (two_sided, greater) == (2 / 6, 1 / 6)
    r = permutation_pvalue(before, after)
    assert r["p_value"] == pytest.approx(two_sided) and r["exact"] and r["n_relabelings"] == 6
    assert r["p_min"] == pytest.approx(2 / 6)  # the mirror relabeling always ties two-sided
    assert r["statistic"] == pytest.approx(0.7)
    g = permutation_pvalue(before, after, alternative="greater")
    assert g["p_value"] == pytest.approx(greater) and g["p_min"] == pytest.approx(1 / 6)
    assert permutation_pvalue(before, after, alternative="less")["p_value"] == pytest.approx(1.0)


def test_one_vs_four_documents_floor_is_one_fifth():
    df = doc_frame([-0.5, 0.2, 0.4, 0.6, 0.3])
    res = stance_shift(df, before=("2006", "2006"), after=("2021", "2024"), random_state=0).iloc[0]
    assert res["basis"] == "documents" and (res["n_before"], res["n_after"]) == (1, 4)
    assert res["p_min"] == pytest.approx(0.2) and res["p_value"] == pytest.approx(0.2)
    assert res["p_method"] == "exact (5 relabelings)"
    assert res["estimate"] == pytest.approx(np.mean([0.2, 0.4, 0.6, 0.3]) + 0.5)
    assert "fewer than 2 documents on a side" in res["note"]


@pytest.mark.parametrize("alternative", ["greater", "less"])
def test_matches_scipy_exact_one_sided(alternative):
    rng = np.random.default_rng(1)
    x, y = rng.normal(0, 1, 5), rng.normal(0.8, 1, 7)
    ref = stats.permutation_test((y, x), lambda a, b: a.mean() - b.mean(), permutation_type="independent",
                                 n_resamples=np.inf, alternative=alternative)
    ours = permutation_pvalue(x, y, alternative=alternative)
    assert ours["exact"] and ours["n_relabelings"] == 792
    assert ours["p_value"] == pytest.approx(ref.pvalue, abs=1e-12)


def test_matches_scipy_exact_two_sided_on_absolute_difference():
    rng = np.random.default_rng(2)
    x, y = rng.normal(0, 1, 6), rng.normal(1, 1, 6)
    ref = stats.permutation_test((y, x), lambda a, b: abs(a.mean() - b.mean()), permutation_type="independent",
                                 n_resamples=np.inf, alternative="greater")
    assert permutation_pvalue(x, y)["p_value"] == pytest.approx(ref.pvalue, abs=1e-12)


def scipy_pvalue(x, y, alternative, **kw):
    """scipy's p of mean(after) - mean(before); two-sided as |difference| with "greater" (ours)."""
    if alternative == "two-sided":
        return stats.permutation_test((y, x), lambda a, b, axis: abs(a.mean(axis) - b.mean(axis)),
                                      vectorized=True, alternative="greater", **kw).pvalue
    return stats.permutation_test((y, x), lambda a, b, axis: a.mean(axis) - b.mean(axis),
                                  vectorized=True, alternative=alternative, **kw).pvalue


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
@pytest.mark.parametrize("nx,ny", [(2, 3), (3, 9), (7, 7), (2, 60)])
def test_exact_path_equals_scipy_on_unequal_sizes_and_ties(nx, ny, alternative):
    # scores on a coarse grid, as lexicon stance is: many relabelings tie with the observed difference
    rng = np.random.default_rng(nx * 100 + ny)
    x, y = rng.integers(-4, 5, nx) / 4, rng.integers(-3, 6, ny) / 4
    ours = permutation_pvalue(x, y, alternative=alternative)
    assert ours["exact"]
    assert ours["p_value"] == scipy_pvalue(x, y, alternative, n_resamples=np.inf)


def test_monte_carlo_two_sided_equals_scipy_with_equal_sizes_draw_for_draw():
    # 9999 orders of 1,000 values come in several batches; scipy draws them one rng.permutation at a time.
    # With equal sizes its first group (before, data order x, y) is our after group: |difference| is equal.
    rng = np.random.default_rng(11)
    x, y = rng.normal(0, 1, 500), rng.normal(0.1, 1, 500)
    ours = permutation_pvalue(x, y, random_state=np.random.default_rng(4))
    ref = stats.permutation_test((x, y), lambda a, b, axis: abs(a.mean(axis) - b.mean(axis)), vectorized=True,
                                 alternative="greater", n_resamples=9999, rng=np.random.default_rng(4))
    assert not ours["exact"] and ours["p_value"] == ref.pvalue


def test_monte_carlo_with_unequal_sizes_is_a_different_draw_than_scipys():
    # scipy gives the first len(before) positions of each order to before, we give the first len(after) to
    # after: the same orders, other groups (why the seed study keeps its own path; see permutation_pvalue)
    rng = np.random.default_rng(12)
    x, y = rng.normal(0, 1, 9), rng.normal(0.1, 1, 69)
    ours = permutation_pvalue(x, y, random_state=0)["p_value"]
    ref = scipy_pvalue(x, y, "two-sided", n_resamples=9999, rng=np.random.default_rng(0))
    assert ours != ref and ours == pytest.approx(ref, abs=4 * np.sqrt(ref * (1 - ref) / 9999))


def test_scipy_refuses_one_value_on_a_side_which_the_seed_study_has():
    with pytest.raises(ValueError, match="two or more"):
        scipy_pvalue(np.array([0.1]), np.array([0.2, 0.3, 0.5, 0.4]), "two-sided", n_resamples=np.inf)
    assert permutation_pvalue([0.1], [0.2, 0.3, 0.5, 0.4])["p_method"] == "exact (5 relabelings)"


def test_monte_carlo_is_b_plus_one_over_m_plus_one_and_near_exact():
    rng = np.random.default_rng(3)
    x, y = rng.normal(0, 1, 6), rng.normal(0.7, 1, 6)
    exact = permutation_pvalue(x, y)["p_value"]
    mc = permutation_pvalue(x, y, max_exact=10, n_perm=19999, random_state=0)
    assert not mc["exact"] and mc["p_method"].startswith("monte carlo (19999")
    b = mc["p_value"] * 20000 - 1
    assert b == pytest.approx(round(b))  # p = (b + 1) / (m + 1)
    assert mc["p_value"] == pytest.approx(exact, abs=5 * np.sqrt(exact * (1 - exact) / 19999))  # 5 SE
    assert mc["p_min"] == pytest.approx(2 / 924)  # the design's floor (6 vs 6, two-sided), above 1/(m+1)
    assert permutation_pvalue(x, y, max_exact=10, n_perm=99)["p_min"] == pytest.approx(1 / 100)


# ---------------------------------------------------------------- stance_shift
def test_sentence_basis_when_a_side_has_one_document():
    dates = {"000": "2006-07", "001": "2021-08", "002": "2023-01-13"}
    df = sentence_frame({"000": [-0.5, -0.25, 0.0], "001": [0.5, 0.25], "002": [1.0, np.nan]}, dates)
    res = stance_shift(df, before="2006", after=("2021", "2024"), random_state=0).iloc[0]
    assert res["basis"] == "sentences" and (res["n_before"], res["n_after"]) == (3, 3)
    assert (res["n_docs_before"], res["n_docs_after"]) == (1, 2)
    assert res["estimate"] == pytest.approx(np.mean([0.5, 0.25, 1.0]) - np.mean([-0.5, -0.25, 0.0]))
    assert res["p_method"] == "exact (20 relabelings)" and res["p_min"] == pytest.approx(2 / 20)
    assert res["p_value"] == pytest.approx(2 / 20)  # the 3 largest all after: only it and its mirror
    assert res["p_min_documents"] == pytest.approx(1 / 3)
    assert "not independent" in res["note"]
    assert res["n_excluded_sentences"] == 1 and "dropped 1 sentence row(s) without a score" in res["note"]
    forced = stance_shift(df, before="2006", after=("2021", "2024"), unit="documents", random_state=0).iloc[0]
    assert forced["basis"] == "documents" and forced["n_after"] == 2
    assert forced["estimate"] == pytest.approx(np.mean([0.375, 1.0]) - (-0.25))


def test_document_basis_bootstrap_and_determinism():
    vals = [0.1, 0.3, -0.2, 0.5, 0.6, 0.7]
    dates = ["2006", "2007", "2008", "2021", "2022", "2023"]
    df = doc_frame(vals, dates)
    a = stance_shift(df, before=("2006", "2010"), after=("2020", "2024"), n_boot=4000, random_state=5)
    b = stance_shift(df, before=("2006", "2010"), after=("2020", "2024"), n_boot=4000, random_state=5)
    pd.testing.assert_frame_equal(a, b)
    r = a.iloc[0]
    assert r["basis"] == "documents" and r["p_method"] == "exact (20 relabelings)"
    assert r["estimate"] == pytest.approx((0.5 + 0.6 + 0.7) / 3 - (0.1 + 0.3 - 0.2) / 3)
    # Bootstrap bounds lie between the extreme possible resample means.
    assert min(vals[3:]) - max(vals[:3]) <= r["ci_low"] < r["estimate"] < r["ci_high"] <= max(vals[3:]) - min(vals[:3])
    assert r["p_value"] == pytest.approx(2 / 20)


def test_degenerate_sides_give_a_point_interval_and_say_so():
    df = doc_frame([0.5, 0.2], ["2006", "2021"])
    r = stance_shift(df, before="2006", after="2021", random_state=0).iloc[0]
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((-0.3, -0.3))
    assert r["p_value"] == 1.0 and r["p_min"] == 1.0 and "held fixed" in r["note"]


def test_unscored_documents_are_excluded_and_counted():
    df = doc_frame([-0.5, 0.2, np.nan, 0.6, 0.3])
    r = stance_shift(df, before="2006", after=("2021", "2024"), random_state=0).iloc[0]
    assert r["n_after"] == 3 and r["n_excluded"] == 1 and "excluded_ids" not in r.index
    assert "excluded 1 document(s) without a score: their ids are in excluded_documents(" in r["note"]
    assert "002" not in r["note"]  # ids are a table of their own, not a cell (issue 13)
    table = excluded_documents(df, {"before": "2006", "after": ("2021", "2024")})
    assert table.to_dict("records") == [{"id": "002", "date": "2023-01-13", "period": "after"}]
    assert excluded_documents(df)[["id", "period"]].values.tolist() == [["002", ""]]
    assert (r["mean_before"], r["mean_after"]) == pytest.approx((-0.5, np.mean([0.2, 0.6, 0.3])))
    assert np.isfinite([r["estimate"], r["ci_low"], r["ci_high"], r["p_value"]]).all()


@pytest.mark.parametrize("kwargs,match", [
    ({"before": ("1990", "1995"), "after": ("2021", "2024")}, r"before=\('1990', '1995'\) contains no documents \(scores span 2006-07"),
    ({"before": "2006", "after": ("2021", "2024"), "unit": "paragraphs"}, "unit='paragraphs'"),
    ({"before": ("2006", "2022"), "after": ("2021", "2024")}, "overlap"),
    ({"before": "2006", "after": ("2024", "2021")}, "start is after end"),
    ({"before": "2006", "after": "2021-13"}, "'2021-13'"),
    ({"before": "2006", "after": ("2021", "2024"), "unit": "sentences"}, "needs sentence-level scores"),
    ({"before": "2006", "after": ("2021", "2024"), "alternative": "bigger"}, "alternative='bigger'"),
    ({"before": "2006", "after": ("2021", "2024"), "n_boot": 0}, "n_boot=0"),
])
def test_bad_input_names_the_value(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        stance_shift(doc_frame([-0.5, 0.2, 0.4, 0.6, 0.3]), **kwargs)


@pytest.mark.parametrize("call,match", [
    (lambda df: stance_shift(df, before="2006", after="2021", ci=0.9),
     r"stance_shift\(ci=0.9\): the confidence level is now level=, e.g. level=0.9"),
    (lambda df: stance_shift(df, before="2006", after="2021", level="documents"),
     r"stance_shift\(level='documents'\): the unit of analysis is now unit=, e.g. unit='documents'"),
    (lambda df: period_means(df, ci=0.9), r"period_means\(ci=0.9\): the confidence level is now level="),
    (lambda df: trend(df, ci=0.8), r"trend\(ci=0.8\): the confidence level is now level=, e.g. level=0.8"),
    (lambda df: stance_shift(df, before="2006", after="2021", level=1.5), r"level=1.5: use a confidence level"),
])
def test_old_keywords_name_the_new_one(call, match):
    with pytest.raises(ParameterError, match=match) as err:
        call(doc_frame([-0.5, 0.2, 0.4, 0.6, 0.3], ["2006", "2021", "2021", "2022", "2023"]))
    assert "\n" not in str(err.value)


def test_other_unknown_keywords_are_type_errors():
    with pytest.raises(TypeError, match="unexpected keyword argument 'n_bootstrap'"):
        period_means(doc_frame([0.1, 0.2]), n_bootstrap=10)


def test_level_is_the_confidence_level_of_every_interval():
    df = doc_frame([-0.5, 0.2, 0.1, 0.4, 0.6, 0.3, 0.9], ["2006", "2006", "2007", "2021", "2022", "2022", "2023"])
    wide = stance_shift(df, before=("2006", "2007"), after=("2021", "2023"), level=0.99, random_state=0).iloc[0]
    narrow = stance_shift(df, before=("2006", "2007"), after=("2021", "2023"), level=0.5, random_state=0).iloc[0]
    assert wide["ci_level"] == 0.99 and wide["ci_low"] < narrow["ci_low"] < narrow["ci_high"] < wide["ci_high"]
    pm = period_means(df, level=0.5, random_state=0).set_index("period")
    assert pm.loc["2022", "ci_high"] - pm.loc["2022", "ci_low"] < 0.3  # the 50% interval of {0.6, 0.3}
    assert trend(df, level=0.8, random_state=0)["ci_level"].iat[0] == 0.8


def test_bad_frames():
    with pytest.raises(ParameterError, match="no column 'date'"):
        stance_shift(pd.DataFrame({"id": ["a"], "stance": [0.1]}), before="2006", after="2021")
    with pytest.raises(ParameterError, match="none of its 1 documents has a score"):
        stance_shift(doc_frame([np.nan, 0.2, 0.4, 0.6, 0.3]), before="2006", after=("2021", "2024"))
    with pytest.raises(ParameterError, match=r"row 1 \(id '001'\): date is missing"):
        stance_shift(doc_frame([0.1, 0.2], [pd.Timestamp("2006-01-01"), pd.NaT]), before="2006", after="2021")
    ts = doc_frame([0.1, 0.3, 0.5, 0.6], list(pd.to_datetime(["2006-07-01", "2006-08-01", "2021-08-01", "2024-12-01"])))
    assert stance_shift(ts, before="2006", after=("2021", "2024"), random_state=0)["estimate"].iloc[0] == pytest.approx(0.35)
    with pytest.raises(ParameterError, match=r"row 1 \(id '001'\): date '21/08/2021'"):
        stance_shift(doc_frame([0.1, 0.2], ["2006", "21/08/2021"]), before="2006", after="2021")


# ---------------------------------------------------------------- periods and trend
def test_period_means_by_hand():
    df = sentence_frame({"a": [0.1, 0.3], "b": [0.2], "c": [0.3], "d": [0.5, 0.7, 0.9], "e": [np.nan]},
                        {"a": "2006-03", "b": "2006-07", "c": "2006", "d": "2008-01-02", "e": "2008-05"})
    pm = period_means(df, n_boot=500, random_state=0).set_index("period")
    assert pm.index.tolist() == ["2006", "2007", "2008"]
    assert pm.loc["2006", "mean"] == pytest.approx((0.2 + 0.2 + 0.3) / 3)  # document means, not sentences
    assert pm.loc["2006", "n_docs"] == 3 and pm.loc["2006", "ci_basis"] == "documents"
    assert 0.2 <= pm.loc["2006", "ci_low"] <= pm.loc["2006", "ci_high"] <= 0.3
    assert pm.loc["2007", "n_docs"] == 0 and np.isnan(pm.loc["2007", "mean"]) and pm.loc["2007", "ci_basis"] == "none"
    assert pm.loc["2008", "mean"] == pytest.approx(0.7) and pm.loc["2008", "ci_basis"] == "sentences"
    assert pm.loc["2008", "n_excluded"] == 1 and pm.loc["2008", "n_sentences"] == 3


def test_trend_slope_equals_polyfit_on_period_means():
    rng = np.random.default_rng(4)
    years = np.repeat(np.arange(2000, 2012), 4)
    vals = -0.5 + 0.08 * (years - 2000) + rng.normal(0, 0.1, len(years))
    df = doc_frame(list(vals), [str(y) for y in years])
    t = trend(df, n_boot=2000, random_state=0).iloc[0]
    means = pd.Series(vals).groupby(years).mean()
    slope = np.polyfit(means.index.to_numpy(dtype=float), means.to_numpy(), 1)[0]
    assert t["slope"] == pytest.approx(slope, abs=1e-12)
    assert t["ci_low"] < 0.08 < t["ci_high"] and t["ci_high"] - t["ci_low"] < 0.05
    assert (t["n_periods"], t["n_docs"], t["n_single_doc_periods"]) == (12, 48, 0)
    t2 = trend(df, n_boot=2000, random_state=0)
    pd.testing.assert_frame_equal(trend(df, n_boot=2000, random_state=0), t2)


def test_trend_with_one_document_per_period_resamples_documents_not_period_means():
    # issue 12: one document a year gave a zero-width interval (period means held fixed). Now documents are
    # drawn across periods: a replicate's slope is that of the periods it drew, here by hand
    # {2006, 2008}: 0.05, {2008, 2010}: 0.2, {2006, 2010} or all three: 0.125 (6, 6, 12 of the 24 draws of
    # three documents that reach 2 periods; the other 3 of 27 reach one period and have no slope).
    df = doc_frame([0.0, 0.1, 0.5], ["2006", "2008", "2010"])
    t = trend(df, random_state=0).iloc[0]
    assert t["slope"] == pytest.approx(np.polyfit([2006, 2008, 2010], [0.0, 0.1, 0.5], 1)[0])
    assert (t["ci_low"], t["ci_high"]) == pytest.approx((0.05, 0.2))
    n_none = int(t["note"].split(" of 2000 resamples")[0])
    assert n_none == pytest.approx(2000 / 9, abs=4 * np.sqrt(2000 / 9 * 8 / 9))
    assert t["n_single_doc_periods"] == 3 and t["n_empty_periods"] == 2
    with pytest.raises(ParameterError, match="at least 2 periods; by='year' gives 1"):
        trend(doc_frame([0.1, 0.2], ["2006-01", "2006-05"]))
    with pytest.raises(ParameterError, match="by='fortnight'"):
        trend(df, by="fortnight")


def test_trend_by_year_one_address_a_year_has_an_honest_interval():
    rng = np.random.default_rng(8)
    years = np.arange(1990, 2020)
    df = doc_frame(list(0.01 * (years - 1990) + rng.normal(0, 0.1, len(years))), [str(y) for y in years])
    t = trend(df, random_state=0).iloc[0]
    assert t["ci_low"] < 0.01 < t["ci_high"] and t["ci_low"] < t["slope"] < t["ci_high"]
    assert 0.002 < t["ci_high"] - t["ci_low"] < 0.02 and t["note"] == ""


# ---------------------------------------------------------------- change points
def test_change_point_exact_by_hand():
    # [0,0,0,1,1,1]: the best split (k=3) has B = 3*3/6 * 1^2 = 1.5; among the 720 orders only those with
    # the three 0s (or the three 1s) first reach it: 2 * 3! * 3! = 72, p = 0.1.
    res = change_points([0, 0, 0, 1, 1, 1.0], alpha=0.2)
    top = res.iloc[0]
    assert (top["position"], top["statistic"], top["p_value"]) == (3, pytest.approx(1.5), pytest.approx(0.1))
    assert top["p_method"] == "exact (720 orders)" and top["significant"]
    hand = sum(1 for p in itertools.permutations([0, 0, 0, 1, 1, 1]) if set(p[:3]) == {0} or set(p[:3]) == {1})
    assert hand / 720 == pytest.approx(top["p_value"])
    assert len(res) == 1  # halves of 3 < 2 * min_size are not tested further


def test_change_point_found_at_true_location_and_not_in_noise():
    years = pd.Index(range(2000, 2030), name="year")
    n_false = 0
    for seed in range(20):
        rng = np.random.default_rng(seed)
        step = pd.Series(np.r_[rng.normal(0, 0.2, 18), rng.normal(1, 0.2, 12)], index=years)
        res = change_points(step, random_state=seed, max_exact=1)
        top = res.iloc[0]
        assert (top["label"], top["position"], top["depth"], top["significant"]) == (2018, 18, 0, True)
        assert top["p_value"] == pytest.approx(1 / 1000)  # no random order beats the true split
        n_false += int(res["significant"].sum()) - 1
    # Further splits inside the flat halves are type I errors (alpha per test, about 2 tests per series).
    assert n_false <= 6
    flat = pd.Series(np.random.default_rng(99).normal(0, 0.2, 30), index=years)
    res = change_points(flat, random_state=0)
    assert len(res) == 1 and not res["significant"].any() and res["p_value"].iloc[0] > 0.05
    # Over many flat series the first test rejects at about the nominal rate.
    rejections = sum(change_points(np.random.default_rng(s).normal(0, 1, 20), n_perm=199,
                                   random_state=s)["significant"].iloc[0] for s in range(100, 160))
    assert rejections <= 9  # Binomial(60, 0.05): P(X > 9) < 0.003


def test_change_point_bad_input():
    with pytest.raises(ParameterError, match=r"value at 2 is nan"):
        change_points([0.1, 0.2, np.nan, 0.3])
    with pytest.raises(ParameterError, match="series has 3 values; a split needs at least 2 \\* min_size = 4"):
        change_points([0.1, 0.2, 0.3])
    with pytest.raises(ParameterError, match="min_size=0"):
        change_points([0.1, 0.2, 0.3, 0.4], min_size=0)


def test_trend_resamples_documents_then_their_sentences():
    df = sentence_frame({"a": [0.0, 0.2, -0.2], "b": [0.1, 0.3, 0.2], "c": [0.5, 0.4, 0.9]},
                        {"a": "2006", "b": "2008", "c": "2010-03"})
    t = trend(df, random_state=0).iloc[0]
    means = [0.0, 0.2, 0.6]
    assert t["slope"] == pytest.approx(np.polyfit([2006.5, 2008.5, 2010.5], means, 1)[0])
    assert t["ci_low"] < t["slope"] < t["ci_high"]
    # one sentence per document: the clustered draws are the document draws, number for number
    one = sentence_frame({d: [v] for d, v in zip("abcdef", [0.1, 0.0, 0.3, 0.2, 0.6, 0.4])},
                         dict(zip("abcdef", ["2006", "2006", "2008", "2008", "2010", "2010"])))
    docs = one.rename(columns={"score": "stance"}).drop(columns="sentence")
    pd.testing.assert_frame_equal(trend(one, random_state=3), trend(docs, random_state=3))
    # the same document means with spread-out sentences: the within-document variation widens the interval
    spread = sentence_frame({d: [v - 0.3, v + 0.3] for d, v in zip("abcdef", [0.1, 0.0, 0.3, 0.2, 0.6, 0.4])},
                            dict(zip("abcdef", ["2006", "2006", "2008", "2008", "2010", "2010"])))
    a, b = trend(docs, random_state=3).iloc[0], trend(spread, random_state=3).iloc[0]
    assert a["slope"] == pytest.approx(b["slope"])
    assert b["ci_high"] - b["ci_low"] > 1.5 * (a["ci_high"] - a["ci_low"])


# ---------------------------------------------------------------- clustered sentence bootstrap
def test_cluster_with_one_sentence_per_document_is_the_sentence_bootstrap_draw_for_draw():
    # cluster_resamples with one unit per cluster draws exactly what bootstrap_means draws
    per_doc = {f"d{i}": [v] for i, v in enumerate([0.1, -0.3, 0.5, 0.2, 0.9, 0.4, -0.1])}
    dates = {d: ("2006" if i < 3 else "2022") for i, d in enumerate(per_doc)}
    df = sentence_frame(per_doc, dates)
    kw = dict(before="2006", after="2021:2024", unit="sentences", n_boot=500, random_state=4)
    a, b = stance_shift(df, cluster=False, **kw), stance_shift(df, **kw)  # clustered is the default
    assert (a["ci_low"].iat[0], a["ci_high"].iat[0]) == (b["ci_low"].iat[0], b["ci_high"].iat[0])
    assert a["estimate"].iat[0] == b["estimate"].iat[0] and a["p_value"].iat[0] == b["p_value"].iat[0]
    assert "cluster=True" in b["note"].iat[0] and "cluster=True" not in a["note"].iat[0]


def test_cluster_widens_the_interval_when_sentences_share_their_document():
    # every sentence of a document has the document's value: 8 sentences are one observation, not eight
    per_doc = {f"d{i}": [v] * 8 for i, v in enumerate([-0.4, 0.0, 0.4, -0.2, 0.6, 0.2, 1.0])}
    dates = {d: ("2006" if i < 3 else "2022") for i, d in enumerate(per_doc)}
    df = sentence_frame(per_doc, dates)
    kw = dict(before="2006", after="2021:2024", unit="sentences", n_boot=2000, random_state=0)
    naive, clustered = stance_shift(df, cluster=False, **kw).iloc[0], stance_shift(df, **kw).iloc[0]
    width = lambda r: r["ci_high"] - r["ci_low"]
    assert naive["estimate"] == clustered["estimate"]
    assert width(clustered) > 1.8 * width(naive)
    with pytest.raises(ParameterError, match="cluster='yes'"):
        stance_shift(df, cluster="yes", **kw)
    # with documents as the unit, cluster changes nothing
    docs = {k: stance_shift(df, before="2006", after="2022", unit="documents", n_boot=200, random_state=0,
                            cluster=k) for k in (False, True)}
    pd.testing.assert_frame_equal(docs[False], docs[True])
