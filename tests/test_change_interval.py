"""Change-point location intervals (bootstrap over documents) and serial correlation of period series:
a replicate checked by hand, the batched code against a plain loop, known breaks on synthetic series,
and the Durbin–Watson/ACF numbers against hand computations and their exact identity."""
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from corpuskit.errors import ParameterError
from corpuskit.shift import (_boot_locations, change_point_interval, change_points, period_means,
                             serial_correlation)


class FixedDraws:
    """A stand-in Generator: the bootstrap's index draws and tie-breaking uniforms, chosen by hand."""

    def __init__(self, idx, u):
        self.idx, self.u = np.asarray(idx), np.asarray(u, dtype=float)

    def integers(self, low, high, size):
        assert size == self.idx.shape and high > self.idx.max()
        return self.idx

    def random(self, n):
        return self.u[:n]


def test_replicates_by_hand():
    # six years 2000-2005, one document each: 0, 0, 0, 1, 1, 1; min_size 1 (candidates: right part from 2001..2005)
    vals, pos = np.array([0, 0, 0, 1, 1, 1.0]), np.arange(6)
    idx = [[0, 1, 1, 4, 4, 5],   # drawn years 2000, 2001, 2004, 2005 (means 0, 0, 1, 1): the split between 2001
                                 # and 2004 scores 2*2/4*1^2 = 1 at candidates 2002, 2003 and 2004 alike (the same
                                 # partition), 2001 and 2005 score 1*3/4*(2/3)^2 = 1/3: tied 2002, 2003, 2004;
                                 # u = 0.5 -> floor(0.5 * 3) = 1 -> the second: 2003
           [0, 1, 2, 3, 4, 5],   # every year: only 2003 scores 3*3/6*1 = 1.5
           [2, 2, 2, 2, 2, 2],   # one year drawn: no split has a year on each side -> NaN
           [5, 4, 3, 0, 1, 2]]   # every year, in another order: 2003
    locs = _boot_locations(pos, vals, 6, 1, 4, FixedDraws(idx, [0.5, 0.99, 0.0, 0.0]))
    np.testing.assert_array_equal(locs, [3, 3, np.nan, 3])
    locs = _boot_locations(pos, vals, 6, 1, 1, FixedDraws(idx[:1], [0.0]))
    assert locs.tolist() == [2]  # u = 0 -> the first tied candidate, 2002
    locs = _boot_locations(pos, vals, 6, 1, 1, FixedDraws(idx[:1], [0.999]))
    assert locs.tolist() == [4]  # the last, 2004


def _loop_locations(pos, vals, length, min_size, idx, u):
    """The same bootstrap written plainly: per replicate, period means of the drawn documents, each candidate."""
    out = []
    for row, ur in zip(idx, u):
        drawn = pd.Series(vals[row]).groupby(pos[row]).mean()
        stats = {}
        for k in range(min_size, length - min_size + 1):
            left, right = drawn[drawn.index < k], drawn[drawn.index >= k]
            if len(left) and len(right):
                n1, n2 = len(left), len(right)
                stats[k] = n1 * n2 / (n1 + n2) * (left.mean() - right.mean()) ** 2
        if not stats:
            out.append(np.nan)
            continue
        top = max(stats.values())
        tied = [k for k, s in stats.items() if s == top]
        out.append(tied[int(np.floor(ur * len(tied)))])
    return np.array(out, dtype=float)


def test_batched_bootstrap_equals_a_plain_loop():
    rng = np.random.default_rng(5)
    length = 20
    pos = np.repeat(np.arange(length), rng.integers(1, 3, length))
    vals = np.where(pos >= 12, 1.0, 0.0) + rng.normal(0, 0.4, len(pos))
    got = _boot_locations(pos, vals, length, 3, 400, np.random.default_rng(9))
    draws = np.random.default_rng(9)
    idx = draws.integers(0, len(pos), size=(400, len(pos)))  # one batch: the draws, then the uniforms
    u = draws.random(400)
    ref = _loop_locations(pos, vals, length, 3, idx, u)
    np.testing.assert_array_equal(got, ref)  # every replicate, tie-breaks included
    assert len(set(got)) > 3  # the replicates do disagree: the test compares more than one location


def yearly(jump, sd=0.5, per_year=1, seed=0, change=1990):
    rng = np.random.default_rng(seed)
    years = np.repeat(np.arange(1957, 2025), per_year)
    return pd.DataFrame({"id": [f"d{i}" for i in range(len(years))], "date": years.astype(str),
                         "stance": np.where(years >= change, jump, 0.0) + rng.normal(0, sd, len(years))})


def test_first_rows_are_change_points_of_the_yearly_means():
    df = yearly(1.0)
    out = change_point_interval(df, min_size=5, n_boot=200, random_state=0)
    series = period_means(df, n_boot=1).set_index("period")["mean"]
    ref = change_points(series, min_size=5, random_state=0)
    pd.testing.assert_frame_equal(out[list(ref.columns)], ref)
    assert list(out.columns) == ["value"] + list(ref.columns) + [
        "n_docs", "label_ci_low", "label_ci_high", "ci_level", "share_at_label", "n_boot_valid"]
    first = out.iloc[0]
    assert first["label"] == "1990" and first["significant"] and first["n_docs"] == 68
    assert first["label_ci_low"] <= "1990" <= first["label_ci_high"]


def test_interval_covers_a_known_break_and_narrows_with_a_larger_jump():
    # three statements a year, noise sd 0.5, a step at 1990 of 0.6 or 2.0; eight independent series each
    widths, shares = {0.6: [], 2.0: []}, {0.6: [], 2.0: []}
    for seed in range(8):
        for jump in widths:
            r = change_point_interval(yearly(jump, per_year=3, seed=seed), min_size=5, n_boot=300,
                                      random_state=seed).iloc[0]
            assert int(r["label_ci_low"]) <= 1990 <= int(r["label_ci_high"]), (seed, jump)
            assert r["label"] == "1990" or jump < 1  # a small jump's best split may miss by a year
            assert r["n_boot_valid"] == 300
            widths[jump].append(int(r["label_ci_high"]) - int(r["label_ci_low"]))
            shares[jump].append(r["share_at_label"])
    assert np.mean(widths[2.0]) < np.mean(widths[0.6]) and max(widths[2.0]) <= 2
    assert np.mean(shares[2.0]) > np.mean(shares[0.6])


def test_noise_free_step_puts_every_replicate_in_the_gap_around_the_break():
    # one document a year, no noise: a replicate can only be unsure where years around 1990 were not drawn,
    # so the interval is a few years wide, symmetric in distribution, and every location is a candidate
    r = change_point_interval(yearly(1.0, sd=0.0), min_size=5, n_boot=2000, random_state=1).iloc[0]
    assert r["label"] == "1990" and r["p_value"] < 0.01
    assert 1986 <= int(r["label_ci_low"]) < 1990 < int(r["label_ci_high"]) <= 1994
    assert 0.5 < r["share_at_label"] < 0.75  # 1990 and 1989 both drawn (0.63^2), plus ties resolved to 1990


def test_several_values_and_a_missing_year():
    df = yearly(1.0).assign(frame=lambda d: np.random.default_rng(1).uniform(0, 1, len(d)))
    df = df[df["date"] != "1975"]  # an empty year is left out of the series
    out = change_point_interval(df, value=["stance", "frame"], min_size=5, n_boot=100, random_state=0)
    assert out["value"].iloc[0] == "stance" and set(out["value"]) == {"stance", "frame"}
    assert not out.loc[out["value"] == "frame", "significant"].any()
    assert "1975" not in set(out["label"]) | set(out["label_ci_low"]) | set(out["label_ci_high"])


# ---------------------------------------------------------------- serial correlation
def test_serial_correlation_by_hand_without_eras():
    # x = 1, 2, 4, 3, 5: mean 3, c = -2, -1, 1, 0, 2, sum c^2 = 10
    # lag-1 products 2, -1, 0, 0 -> r1 = 1/10; differences 1, 2, -1, 2 -> DW = 10/10; n_eff = 5 * 0.9 / 1.1
    s = pd.Series([1, 2, 4, 3, 5.0], index=["2000", "2001", "2002", "2003", "2004"], name="stance")
    r = serial_correlation(s).iloc[0]
    assert (r["series"], r["n"], r["n_pairs"], r["n_eras"]) == ("stance", 5, 4, 1)
    assert (r["r1"], r["r1_resid"], r["durbin_watson"], r["n_eff"]) == pytest.approx((0.1, 0.1, 1.0, 5 * 0.9 / 1.1))


def test_serial_correlation_by_hand_with_eras():
    # eras 2000-2002 (mean 7/3) and 2003-2005 (mean 5): residuals -4/3, -1/3, 5/3, -2, 0, 2
    x = [1, 2, 4, 3, 5, 7]
    e = [Fraction(-4, 3), Fraction(-1, 3), Fraction(5, 3), Fraction(-2), Fraction(0), Fraction(2)]
    ss = sum(v * v for v in e)                                       # 114/9
    lag = sum(a * b for a, b in zip(e, e[1:]))                       # -31/9
    dw = sum((b - a) ** 2 for a, b in zip(e, e[1:])) / ss            # 238/114
    s = pd.Series(x, index=pd.Index([2000, 2001, 2002, 2003, 2004, 2005]), dtype=float)
    r = serial_correlation(s, eras={"a": "2000:2002", "b": "2003:2005"}).iloc[0]
    assert (ss, lag) == (Fraction(114, 9), Fraction(-31, 9))
    assert r["r1_resid"] == pytest.approx(float(lag / ss)) and r["durbin_watson"] == pytest.approx(float(dw))
    assert r["n_eras"] == 2 and r["n_eff"] == 6  # negative r1: capped at n
    c = np.array(x) - np.mean(x)
    assert r["r1"] == pytest.approx(np.correlate(c, c, "full")[len(c)] / (c @ c))  # the ACF's lag 1


def test_durbin_watson_identity_and_ar1_recovery():
    rng = np.random.default_rng(0)
    n, rho = 3000, 0.6
    eps = rng.normal(0, 1, n)
    x = np.empty(n)
    x[0] = eps[0]
    for t in range(1, n):
        x[t] = rho * x[t - 1] + eps[t]
    years = pd.period_range("1000", periods=n, freq="Y")
    frame = pd.DataFrame({"ar1": x, "white": eps}, index=years)
    out = serial_correlation(frame).set_index("series")
    assert out.loc["ar1", "r1"] == pytest.approx(rho, abs=0.04) and abs(out.loc["white", "r1"]) < 0.04
    assert out.loc["ar1", "n_eff"] == pytest.approx(n * (1 - rho) / (1 + rho), rel=0.12)
    # DW = 2 - 2 r1 - (e_1^2 + e_n^2) / sum e^2 exactly (expand the squared differences)
    e = x - x.mean()
    assert out.loc["ar1", "durbin_watson"] == pytest.approx(2 - 2 * out.loc["ar1", "r1_resid"]
                                                            - (e[0] ** 2 + e[-1] ** 2) / (e @ e), rel=1e-12)


def test_a_missing_period_breaks_its_lags_and_errors_name_the_period():
    s = pd.Series([1.0, 2.0, np.nan, 3.0, 5.0, 4.0], index=[str(y) for y in range(2000, 2006)])
    r = serial_correlation(s).iloc[0]
    assert (r["n"], r["n_pairs"]) == (5, 3)
    c = np.array([1, 2, 3, 5, 4.0]) - 3
    assert r["r1"] == pytest.approx((c[0] * c[1] + c[2] * c[3] + c[3] * c[4]) / (c @ c))
    with pytest.raises(ParameterError, match=r"period '2005' lies in no era of \['a'\]"):
        serial_correlation(s, eras={"a": "2000:2004"})
    with pytest.raises(ParameterError, match="not in increasing time order"):
        serial_correlation(s.iloc[::-1])
    with pytest.raises(ParameterError, match=r"series index value 'x' is not a period or date"):
        serial_correlation(pd.Series([1.0, 2, 3], index=["x", "y", "z"]))
