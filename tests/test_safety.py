"""Nothing overflows, crashes on empty input, or blows up (memory, YAML aliases, numpy warnings)."""
import json
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest

import corpuskit as ck
from corpuskit.errors import CorpuskitError
from corpuskit.dictionary import DictionaryError
from corpuskit.shift import _boot_diff, change_points, permutation_pvalue, stance_shift


def data(seed: int, nx: int, ny: int, shift: float):
    r = np.random.default_rng(seed)
    return r.normal(0, 1, nx), r.normal(shift, 1, ny)


# ---------------------------------------------------------------------------- permutation test at any n
def test_permutation_pvalue_of_600_a_side_does_not_overflow():
    res = permutation_pvalue(np.zeros(600), np.ones(600), random_state=0)
    assert res["p_value"] == 1 / 10000 and res["p_min"] == 1 / 10000 and res["n_relabelings"] == 9999
    # C(1200, 600) is about 3.97e+359: more than a float holds, so it is written from its log
    assert res["p_method"] == "monte carlo (9999 random relabelings of 3.97e+359)"
    json.dumps(res | {"statistic": float(res["statistic"])}, allow_nan=False)


def test_permutation_pvalue_of_10000_a_side_is_fast_and_bounded_in_memory():
    x, y = data(0, 10_000, 10_000, 0.05)
    tracemalloc.start()
    t0 = time.perf_counter()
    res = permutation_pvalue(x, y, random_state=0)
    elapsed = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 10, elapsed  # about 1 s on one core; one array of every relabeling would be 1.6 GB
    assert peak < 150e6, peak
    assert res["p_value"] < 0.01  # a shift of 0.05 sd over 10,000 values a side is detectable
    assert res["p_method"].startswith("monte carlo (9999 random relabelings of 2.25e+6018")
    json.dumps(res | {"statistic": float(res["statistic"])}, allow_nan=False)


def test_exact_test_with_one_value_against_50000_enumerates_the_small_side():
    x, y = data(1, 1, 50_000, 0.0)
    tracemalloc.start()
    res = permutation_pvalue([10.0], y)  # C(50001, 1) relabelings: the one value is the most extreme
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert res["exact"] and res["n_relabelings"] == 50_001
    assert res["p_value"] == pytest.approx(1 / 50_001)
    assert peak < 150e6, peak  # every relabeling as an index array would be 20 GB


@pytest.mark.parametrize("seed, nx, ny, shift, kw, expected", [
    (1, 6, 7, 0.5, {}, 0.44114219114219116),                      # exact
    (2, 1, 40, 0.5, {}, 0.7560975609756098),                      # exact, unequal sides
    (3, 30, 48, 0.3, dict(random_state=0), 0.723),                # monte carlo, one batch
    (4, 450, 520, 0.1, dict(random_state=3), 0.3233),
    (5, 200, 300, 0.1, dict(random_state=7, alternative="less"), 0.9927),
    (6, 300, 2900, 0.1, dict(random_state=5, alternative="greater"), 0.0725),  # several batches, same draws
])
def test_permutation_pvalues_of_existing_designs_do_not_move(seed, nx, ny, shift, kw, expected):
    x, y = data(seed, nx, ny, shift)
    assert permutation_pvalue(x, y, **kw)["p_value"] == expected


def test_change_points_and_bootstrap_unchanged_by_batching():
    x, y = data(7, 400, 400, 0.2)
    cp = change_points(np.r_[x, y], random_state=1, n_perm=999)
    assert cp[["position", "p_value"]].values.tolist() == [[556, 0.006], [34, 0.296], [784, 0.219]]
    assert _boot_diff(x, y, 2000, 0.95, np.random.default_rng(9)) == (0.0720236071086827, 0.32479903780507224)
    x, y = data(8, 2500, 2500, 0.1)  # 999 orders of 5,000 values: several batches
    cp = change_points(np.r_[x, y], random_state=2, n_perm=999)
    assert cp[["position", "p_value"]].values.tolist() == [[2501, 0.001], [5, 0.105], [4246, 0.583]]


def test_stance_shift_on_600_sentences_a_side():
    n = 600
    scores = pd.DataFrame({"id": ["a"] * n + ["b"] * n, "date": ["2006"] * n + ["2021"] * n,
                           "score": np.r_[np.zeros(n), np.ones(n)]})
    out = stance_shift(scores, before="2006", after="2021", unit="sentences", n_boot=200, random_state=0)
    assert out["p_value"].iat[0] == 1 / 10000 and out["estimate"].iat[0] == 1.0
    assert out["p_method"].iat[0] == "monte carlo (9999 random relabelings of 3.97e+359)"
    json.dumps(out.iloc[0].to_dict(), allow_nan=False, default=float)


def test_count_format_matches_float_format_and_goes_beyond_floats():
    from corpuskit.shift import _format_count

    for n in (5, 1716, 182_000_000_000, 3 * 10 ** 299 + 7):
        assert _format_count(n) == f"{n:.3g}"
    assert _format_count(10 ** 400) == "1e+400"
    assert _format_count(9996 * 10 ** 400) == "1e+404"  # rounds up to the next power of ten
    assert _format_count(1234 * 10 ** 500) == "1.23e+503"


# ---------------------------------------------------------------------------- empty input
@pytest.fixture(scope="module")
def small():
    return ck.Corpus.from_records([{"id": "a", "date": "2006-07", "text": "The war came. Peace was far."},
                                   {"id": "b", "date": "2021", "text": "War again, and warships. No peace."}])


@pytest.mark.parametrize("call", [
    lambda c: ck.score_frames(c, {"war": ["war*"]}),
    lambda c: ck.score_frames(c, {"war": ["war*"]}, unit="sentence"),
    lambda c: ck.score_frames(c, {"war": ["war*"]}, per=None),
    lambda c: ck.frame_prevalence(c, dictionary={"war": ["war*"]}),
])
def test_frames_on_an_empty_corpus_say_so(small, call):
    empty = small.between("1990", "1995")
    assert len(empty) == 0
    with pytest.raises(CorpuskitError, match=r"^corpus has no documents: frame scoring needs texts") as exc:
        call(empty)
    assert "\n" not in str(exc.value)


def test_frame_prevalence_of_an_empty_score_table_says_so(small):
    scores = ck.score_frames(small, {"war": ["war*"]}, unit="sentence")
    with pytest.raises(CorpuskitError, match="frames has no rows"):
        ck.frame_prevalence(scores[scores["n_tokens"] < 0])


# ---------------------------------------------------------------------------- YAML aliases
def _laughs() -> str:
    """The "billion laughs" pattern: each level aliases the one above ten times (10^5 frames from ~1 KB)."""
    lines = ["l0: &l0 {x: [war]}"]
    for i in range(1, 6):
        lines.append(f"l{i}: &l{i} {{" + ", ".join(f"k{j}: *l{i - 1}" for j in range(10)) + "}")
    return "\n".join(lines) + "\n"


def test_yaml_dictionary_with_aliases_is_refused_with_file_and_line(tmp_path):
    path = tmp_path / "laughs.yml"
    path.write_text(_laughs(), encoding="utf-8")
    t0 = time.perf_counter()
    with pytest.raises(DictionaryError) as exc:
        ck.load_dictionary(path)
    assert time.perf_counter() - t0 < 1
    msg = str(exc.value)
    assert msg.startswith(f"{path}, line 2, column 14: YAML alias *l0")
    assert "write the value out in full" in msg and "\n" not in msg


@pytest.mark.parametrize("loader", [ck.load_target, ck.load_cues])
def test_stance_lexicons_refuse_aliases_too(tmp_path, loader):
    path = tmp_path / "lexicon.yml"
    path.write_text("favor: &f [support, welcome]\nagainst: *f\n", encoding="utf-8")
    with pytest.raises(DictionaryError, match=rf"^{path}, line 2, column 10: YAML alias \*f"):
        loader(path)


def test_yaml_anchor_without_alias_still_loads(tmp_path):
    path = tmp_path / "anchor.yml"
    path.write_text("war: &w [war*, warship]\npeace: [peace]\n", encoding="utf-8")
    assert ck.load_dictionary(path).to_dict() == {"war": ["war*", "warship"], "peace": ["peace"]}


# ---------------------------------------------------------------------------- no numpy warnings on tiny input
def _tiny_cases():
    from corpuskit import plots
    from corpuskit.periods import assign_periods, period_shares
    from corpuskit.shift import period_means, trend

    one = ck.Corpus.from_records([{"id": "a", "date": "2006-07", "text": "The war came."}])
    same = ck.Corpus.from_records([{"id": "a", "date": "2006-07", "text": "The war came."},
                                   {"id": "b", "date": "2006-09", "text": "Peace now."}])
    d = {"war": ["war*"], "peace": ["peace"]}
    p2 = assign_periods(pd.Series(pd.to_datetime(["2006-01-01", "2006-02-01"])))
    s1 = pd.DataFrame({"id": ["a"], "date": ["2006"], "stance": [0.5]})
    s2 = pd.DataFrame({"id": ["a", "b"], "date": ["2006", "2021"], "score": [0.5, 0.2]})
    dv = one.docvars
    return {
        "period_shares, no amounts in a period": lambda: period_shares(
            np.zeros((2, 2)), np.array(["a", "b"]), p2, ["x", "y"], n_boot=20),
        "period_shares, one unit without amounts": lambda: period_shares(
            np.zeros((2, 2)), np.array(["a", "a"]), p2, ["x", "y"], n_boot=20),
        "period_shares, no units": lambda: period_shares(
            np.zeros((0, 2)), np.array([], dtype=str), pd.PeriodIndex([], freq="Y"), ["x", "y"], n_boot=20),
        "assign_periods, no dates": lambda: assign_periods(pd.Series([], dtype="datetime64[us]"), "5Y"),
        "frame_prevalence, one document": lambda: ck.frame_prevalence(one, dictionary=d, n_boot=20),
        "frame_prevalence, no hits": lambda: ck.frame_prevalence(same, dictionary={"x": ["zzz"]}, n_boot=20),
        "frame_prevalence, documents scored whole": lambda: ck.frame_prevalence(ck.score_frames(same, d), n_boot=20),
        "score_frames, one document": lambda: ck.score_frames(one, d, unit="sentence"),
        "period_means, one document": lambda: period_means(s1, n_boot=20),
        "trend, one sentence a period": lambda: trend(s2, n_boot=20),
        "stance_shift, one sentence a side": lambda: stance_shift(s2, before="2006", after="2021", n_boot=20),
        "permutation_pvalue, one value a side": lambda: permutation_pvalue([1.0], [1.0]),
        "change_points, two values": lambda: change_points(pd.Series([0.0, 1.0]), min_size=1),
        "change_points, constant": lambda: change_points(pd.Series([1.0] * 4), min_size=1),
        "keyness, one word against one": lambda: ck.keyness(one, same),
        "plot_prevalence, one period": lambda: drawn(plots.plot_prevalence(
            ck.frame_prevalence(one, dictionary=d, n_boot=20), category="frame", label=None)),
        "plot_keyness, one term a side": lambda: drawn(plots.plot_keyness(
            pd.DataFrame({"term": ["war", "peace"], "z": [2.5, -2.5]}), labels=("1066", "2263"))),
        "plot_timeline, one document": lambda: drawn(plots.plot_timeline(dv)),
        "plot_stance, one unscored document": lambda: drawn(plots.plot_stance(pd.DataFrame(
            {"id": dv["id"], "date_mid": dv["date_mid"], "stance": [np.nan], "ci_low": [np.nan],
             "ci_high": [np.nan], "method": "lexicon"}))),
        "plot_wordfish, one document": lambda: drawn(plots.plot_wordfish(
            pd.DataFrame({"id": dv["id"], "date_mid": dv["date_mid"], "theta": [0.0]}))),
    }


def drawn(fig):
    import io

    fig.savefig(io.BytesIO(), format="png", dpi=40)
    return fig


@pytest.mark.parametrize("name", list(_tiny_cases()))
def test_tiny_input_raises_no_numpy_warning(name):
    call = _tiny_cases()[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning, numpy's RuntimeWarnings above all
        # except the one a tiny corpus is meant to raise: dictionary entries that match nothing are reported
        warnings.filterwarnings("ignore", message=r"score_frames: .* match nothing", category=UserWarning)
        call()


# ---------------------------------------------------------------------------- bootstrap of a large period
def _period_data(n_docs: int, k: int, seed: int):
    from corpuskit.periods import assign_periods

    r = np.random.default_rng(seed)
    dates = pd.Series(pd.to_datetime(["2006-03-01"] * n_docs + ["2007-05-01"] * 5))
    vals = r.poisson(2.0, size=(n_docs + 5, k)).astype(float)
    ids = np.array([f"d{i}" for i in range(n_docs)] + ["one"] * 5)
    return vals, ids, assign_periods(dates)


def test_period_shares_bootstrap_in_batches_draws_as_before():
    from corpuskit.periods import period_shares

    vals, ids, periods = _period_data(3000, 5, 11)  # 500 x 3000 x 5 resampled values: several batches
    out = period_shares(vals, ids, periods, list("abcde"), n_boot=500, random_state=4)
    # computed by the one-array implementation (before batching)
    assert out["ci_low"].tolist()[:2] == [0.1919351079643528, 0.19261169781101226]
    assert out["ci_high"].tolist()[-2:] == [0.3361559139784945, 0.19642857142857142]


def test_period_shares_of_20000_documents_in_bounded_memory():
    from corpuskit.periods import period_shares

    vals, ids, periods = _period_data(20_000, 10, 12)
    tracemalloc.start()
    out = period_shares(vals, ids, periods, [f"c{i}" for i in range(10)], n_boot=500, random_state=0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 150e6, peak  # one array of the resamples would be 0.8 GB
    assert out.loc[out["period"] == "2006", "ci_basis"].eq("documents").all()


def test_change_points_of_a_long_series_in_bounded_memory():
    x, y = data(9, 10_000, 10_000, 1.0)
    tracemalloc.start()
    t0 = time.perf_counter()
    cp = change_points(np.r_[x, y], n_perm=999, alpha=0.01, random_state=0)
    elapsed = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert cp["position"].iat[0] == pytest.approx(10_000, abs=50) and cp["significant"].iat[0]
    assert peak < 400e6, peak  # 999 orders of 20,000 values in one array would be about 1 GB
    assert elapsed < 60, elapsed


def test_period_shares_over_centuries_by_day_visits_only_periods_with_units():
    from corpuskit.periods import assign_periods, period_shares

    dates = pd.Series([np.datetime64(d, "us") for d in ["1800-01-01", "1800-06-01", "1900-03-02", "2020-12-31"]])
    t0 = time.perf_counter()
    out = period_shares(np.ones((4, 10)), np.array(list("abcd")), assign_periods(dates, "day"), list(range(10)),
                        n_boot=100, random_state=0)
    assert time.perf_counter() - t0 < 3  # 80,719 days x 10 categories; a loop over every period took 5.5 s
    assert len(out) == 807_190 and int((out["n_docs"] > 0).sum()) == 40
    assert out.loc[out["n_docs"] > 0, "share"].eq(0.1).all() and out["ci_basis"].eq("none").all()
