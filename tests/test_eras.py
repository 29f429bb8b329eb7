"""Era comparisons: Holm's adjustment by hand and by its definition, compare_eras = stance_shift per pair,
the robustness table = compare_eras on hand-moved eras, excluded documents in their own table."""
import itertools
import pathlib

import numpy as np
import pandas as pd
import pytest

import corpuskit as ck
from corpuskit.errors import ParameterError
from corpuskit.figures import Study, step_shift
from corpuskit.shift import (compare_eras, era_robustness, excluded_documents, holm_adjust, permutation_pvalue,
                             stance_shift)
from corpuskit.study import StudySpec

ERAS = {"early": "1957:1989", "middle": ("1990", "2012"), "late": "2013:2024"}


def yearly(seed=0, steps=(0.0, 0.3, 0.6)):
    """One document a year, 1957-2024, stance stepping up at 1990 and 2013, and a frame share of noise."""
    rng = np.random.default_rng(seed)
    years = np.arange(1957, 2025)
    level = np.select([years < 1990, years < 2013], steps[:2], steps[2])
    return pd.DataFrame({"id": [f"doc{y}" for y in years], "date": years.astype(str),
                         "stance": level + rng.normal(0, 0.3, len(years)), "peace": rng.uniform(0, 1, len(years))})


# ---------------------------------------------------------------- Holm
def test_holm_by_hand():
    # m = 4 (NaN is not a hypothesis): sorted 0.01, 0.03, 0.04, 0.20 times 4, 3, 2, 1 = 0.04, 0.09, 0.08, 0.20;
    # step-down keeps the running maximum: 0.04, 0.09, 0.09, 0.20
    got = holm_adjust([0.01, 0.04, 0.03, 0.20, np.nan])
    np.testing.assert_allclose(got[:4], [0.04, 0.09, 0.09, 0.20])
    assert np.isnan(got[4])
    np.testing.assert_allclose(holm_adjust([0.5, 0.6]), [1.0, 1.0])  # capped at 1
    assert holm_adjust([]).shape == (0,)


def test_holm_rejects_exactly_what_the_step_down_procedure_rejects():
    # Holm (1979): reject H_(1..i) while p_(j) <= alpha / (m - j + 1); the adjusted p is the smallest such alpha
    rng = np.random.default_rng(3)
    for _ in range(50):
        p = np.round(rng.uniform(0, 0.2, rng.integers(1, 12)), 3)  # rounding makes ties
        adj = holm_adjust(p)
        order = np.argsort(p, kind="stable")
        m = len(p)
        for alpha in (0.01, 0.02, 0.05, 0.1, 0.2):
            rejected = np.zeros(m, dtype=bool)
            for j, i in enumerate(order):
                if p[i] > alpha / (m - j):
                    break
                rejected[i] = True
            assert (adj <= alpha + 1e-12).tolist() == rejected.tolist(), (p, alpha)


def test_holm_errors_name_the_value():
    with pytest.raises(ParameterError, match=r"p_values\[1\] = 1.5: p-values lie in \[0, 1\]"):
        holm_adjust([0.1, 1.5])
    with pytest.raises(ParameterError, match=r"shape \(2, 2\)"):
        holm_adjust([[0.1, 0.2], [0.3, 0.4]])


# ---------------------------------------------------------------- compare_eras
def test_each_row_is_stance_shift_and_the_family_is_holm_adjusted():
    df = yearly()
    out = compare_eras(df, ERAS, value=["stance", "peace"], n_boot=300, random_state=4)
    assert list(out.columns) == ["value", "era_a", "era_b", "span_a", "span_b", "n_a", "n_b", "mean_a", "mean_b",
                                 "difference", "ci_low", "ci_high", "ci_level", "p_value", "p_method", "p_min",
                                 "p_holm", "n_excluded", "note"]
    assert out[["value", "era_a", "era_b"]].values.tolist() == [
        [v, a, b] for v in ("stance", "peace") for a, b in itertools.combinations(ERAS, 2)]
    assert out.attrs["family_size"] == 6
    np.testing.assert_allclose(out["p_holm"], holm_adjust(out["p_value"]))
    years = df["date"].astype(int)
    for r in out.itertuples():
        spans = {"early": (1957, 1989), "middle": (1990, 2012), "late": (2013, 2024)}
        x = df.loc[years.between(*spans[r.era_a]), r.value].to_numpy()
        y = df.loc[years.between(*spans[r.era_b]), r.value].to_numpy()
        assert (r.n_a, r.n_b) == (len(x), len(y))
        assert (r.mean_a, r.mean_b, r.difference) == pytest.approx((x.mean(), y.mean(), y.mean() - x.mean()))
        alone = stance_shift(df, before=ERAS[r.era_a], after=ERAS[r.era_b], unit="documents", value=r.value,
                             n_boot=300, random_state=4).iloc[0]
        assert (r.ci_low, r.ci_high, r.p_value) == (alone["ci_low"], alone["ci_high"], alone["p_value"])
        assert r.ci_low <= r.difference <= r.ci_high
    assert out.loc[0, "span_b"] == "1990–2012" and out.loc[0, "p_value"] < 0.01  # a real step: detected
    assert (out.loc[out["value"] == "peace", "p_holm"] > 0.05).all()             # noise: not, after Holm


def test_small_eras_use_the_exact_document_level_test():
    df = pd.DataFrame({"id": list("abcdef"), "date": ["2000", "2001", "2002", "2010", "2011", "2012"],
                       "stance": [0.1, 0.0, 0.2, 0.5, 0.9, 0.4]})
    out = compare_eras(df, {"then": "2000:2005", "now": "2010:2015"}, random_state=0).iloc[0]
    ref = permutation_pvalue([0.1, 0.0, 0.2], [0.5, 0.9, 0.4])
    assert out["p_method"] == "exact (20 relabelings)" and out["p_value"] == ref["p_value"] == pytest.approx(2 / 20)
    assert out["p_holm"] == out["p_value"] and out["value"] == "stance"


def test_pairs_and_unscored_documents():
    df = yearly()
    df.loc[[0, 40], "stance"] = np.nan  # 1957 (early) and 1997 (middle) have no score
    out = compare_eras(df, ERAS, pairs=[("early", "late")], n_boot=50, random_state=0)
    assert len(out) == 1 and (out.at[0, "n_a"], out.at[0, "n_excluded"]) == (32, 1)
    assert out.attrs["family_size"] == 1 and out.at[0, "p_holm"] == out.at[0, "p_value"]
    table = excluded_documents(df, ERAS)
    assert table.values.tolist() == [["doc1957", "1957", "early"], ["doc1997", "1997", "middle"]]


@pytest.mark.parametrize("kwargs,match", [
    (dict(eras={"only": "1957:2024"}), r"eras=\{'only': '1957:2024'\}: pass at least two named eras"),
    (dict(eras=ERAS, pairs=[("early", "later")]), r"pairs: \('early', 'later'\) is not a pair of two different eras"),
    (dict(eras=ERAS, value=["stance", "tone"]), r"value='tone' is not a column of scores"),
    (dict(eras={"a": "1957:1999", "b": "1990:2024"}), r"overlap: use disjoint periods"),
    (dict(eras={"a": "1957:1989", "b": "1990:20x"}), r"eras\['b'\]='1990:20x'"),
])
def test_compare_eras_errors(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        compare_eras(yearly(), n_boot=10, **kwargs)


# ---------------------------------------------------------------- robustness
def test_robustness_rows_are_compare_eras_on_hand_moved_eras():
    df = yearly(1)
    kw = dict(value=["stance", "peace"], n_boot=100, n_perm=999, random_state=2)
    out = era_robustness(df, ERAS, **kw)
    assert list(out.columns[:3]) == ["boundary", "boundary_date", "shift"]
    assert out[["boundary", "boundary_date", "shift"]].drop_duplicates().values.tolist() == [
        ["none", "", 0], ["early|middle", "1990", -2], ["early|middle", "1990", 2],
        ["middle|late", "2013", -2], ["middle|late", "2013", 2]]
    assert len(out) == 5 * 6
    moved = {("early|middle", -2): {"early": "1957:1987", "middle": "1988:2012", "late": "2013:2024"},
             ("middle|late", 2): {"early": "1957:1989", "middle": "1990:2014", "late": "2015:2024"},
             ("none", 0): ERAS}
    for (boundary, shift), eras in moved.items():
        got = out[(out["boundary"] == boundary) & (out["shift"] == shift)].drop(
            columns=["boundary", "boundary_date", "shift"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(got, compare_eras(df, eras, **kw))  # incl. p_holm within the run
    row = out[(out["boundary"] == "early|middle") & (out["shift"] == 2) & (out["era_a"] == "early")
              & (out["era_b"] == "middle") & (out["value"] == "stance")].iloc[0]
    assert (row["span_a"], row["span_b"], row["n_a"], row["n_b"]) == ("1957–1991", "1992–2012", 35, 21)


def test_robustness_steps_of_one_year_and_errors():
    df = yearly()
    out = era_robustness(df, {"a": "1957:1989", "b": "1990:2024"}, shifts=range(-2, 3), n_boot=20, n_perm=99,
                         random_state=0)
    assert out["shift"].tolist() == [0, -2, -1, 1, 2]
    assert out["n_a"].tolist() == [33, 31, 32, 34, 35]
    with pytest.raises(ParameterError, match=r"shift \+5 of the boundary a\|b leaves era 'b' empty"):
        era_robustness(df, {"a": "1957:1989", "b": "1990:1993"}, shifts=[5], n_boot=10)
    with pytest.raises(ParameterError, match=r"shifts=\[1.5\]: give whole years"):
        era_robustness(df, ERAS, shifts=[1.5], n_boot=10)


def test_public_names():
    for name in ("compare_eras", "era_robustness", "holm_adjust", "excluded_documents", "change_point_interval",
                 "serial_correlation"):
        assert name in ck.__all__ and callable(getattr(ck, name))


def test_the_study_runner_keeps_excluded_ids_out_of_summary_cells():
    dates = {"a": "2006-07", "b": "2006-09", "c": "2021-08", "d": "2022-01", "e": "2023-03"}
    docs = pd.DataFrame({"id": list(dates), "date": list(dates.values()), "stance": [0.1, np.nan, 0.5, np.nan, 0.7],
                         "method": "lexicon"})
    sents = pd.DataFrame({"id": ["a", "a", "c", "e", "e"], "date": [dates[i] for i in ("a", "a", "c", "e", "e")],
                          "score": [0.1, 0.1, 0.5, 0.6, 0.8], "method": "lexicon"})
    spec = StudySpec(name="t", corpus=pathlib.Path("."), eras={"then": ("2006", "2006"), "now": ("2021", "2024")},
                     comparisons=[("then", "now")], n_boot=20)
    study = Study(corpus=None, spec=spec, results={"stance_documents": docs, "stance_sentences": sents})
    step_shift(study)
    assert study.results["stance_shift_excluded"].values.tolist() == [["b", "2006-09", "then", "lexicon"],
                                                                       ["d", "2022-01", "now", "lexicon"]]
    note = study.summary["shift"]["lexicon"]["documents"]["note"]
    assert "excluded 2 document(s) without a score: their ids are in excluded_documents(" in note
    assert "b, d" not in note  # what the note listed before: every id, joined in one cell
