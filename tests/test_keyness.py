"""Fightin' Words keyness (Monroe, Colaresi & Quinn 2008, sec. 3.5) against hand computations."""
import math

import numpy as np
import pandas as pd
import pytest

import corpuskit as ck
from corpuskit.matrix import dfm
from corpuskit.errors import ParameterError
from corpuskit.textstat import keyness


@pytest.fixture
def ab():
    # a: war x3, peace x1 (n_a = 4); b: war x1, peace x2, trade x3 (n_b = 6)
    a = ck.Corpus.from_records([{"id": "a1", "date": "2000", "text": "War war. War peace."}])
    b = ck.Corpus.from_records([{"id": "b1", "date": "2001", "text": "War peace peace."},
                                {"id": "b2", "date": "2001", "text": "Trade trade trade."}])
    return a, b


def test_pooled_prior_by_hand(ab):
    k = keyness(*ab, alpha_0=10).set_index("term")
    # Pooled counts war 4, peace 3, trade 3 (total 10), scaled to alpha_0 = 10: alpha = 4, 3, 3.
    # war:   delta = log((3+4)/(4+10-3-4)) - log((1+4)/(6+10-1-4)) = log(7/7) - log(5/11)
    d_war = math.log(7 / 7) - math.log(5 / 11)
    z_war = d_war / math.sqrt(1 / 7 + 1 / 5)
    # peace: delta = log((1+3)/(4+10-1-3)) - log((2+3)/(6+10-2-3)) = log(4/10) - log(5/11)
    d_peace = math.log(4 / 10) - math.log(5 / 11)
    z_peace = d_peace / math.sqrt(1 / 4 + 1 / 5)
    # trade: delta = log((0+3)/(4+10-0-3)) - log((3+3)/(6+10-3-3)) = log(3/11) - log(6/10)
    d_trade = math.log(3 / 11) - math.log(6 / 10)
    z_trade = d_trade / math.sqrt(1 / 3 + 1 / 6)
    assert k.loc["war", "delta"] == pytest.approx(d_war, abs=1e-12)
    assert k.loc["war", "z"] == pytest.approx(z_war, abs=1e-12)
    assert k.loc["peace", "z"] == pytest.approx(z_peace, abs=1e-12)
    assert k.loc["trade", "z"] == pytest.approx(z_trade, abs=1e-12)
    assert k.loc["trade", "se"] == pytest.approx(math.sqrt(1 / 3 + 1 / 6), abs=1e-12)
    assert k["prior"].tolist() == pytest.approx([4, 3, 3])
    assert (k["count_a"].tolist(), k["count_b"].tolist()) == ([3, 1, 0], [1, 2, 3])
    assert list(k.index) == ["war", "peace", "trade"]  # sorted by z, positive = more a
    assert list(keyness(*ab).columns) == ["term", "count_a", "count_b", "prior", "in_prior", "delta", "se", "z"]


def test_symmetry_and_scale(ab):
    a, b = ab
    k1 = keyness(a, b).set_index("term")
    k2 = keyness(b, a).set_index("term")
    assert np.allclose(k1["z"], -k2.loc[k1.index, "z"])
    # alpha_0=None: the pooled counts themselves are the prior (alpha_0 = n_a + n_b = 10), same as alpha_0=10 here
    assert np.allclose(keyness(a, b, alpha_0=None)["z"], keyness(a, b, alpha_0=10)["z"])
    # a stronger prior shrinks |delta|
    weak, strong = keyness(a, b, alpha_0=1).set_index("term"), keyness(a, b, alpha_0=1000).set_index("term")
    assert (strong["delta"].abs() < weak["delta"].abs()).all()


def test_background_prior_against_the_formula(ab):
    a, b = ab
    bg = {"war": 10, "peace": 5, "army": 5}   # "trade" is missing, "army" is background-only
    k = keyness(a, b, prior=bg, alpha_0=42).set_index("term")
    # counts c: war 10, peace 5, trade -> 1 (missing: a word seen once), army 5 (kept in alpha_0, not a row)
    total = 10 + 5 + 1 + 5
    alpha = {w: 42 * c / total for w, c in {"war": 10, "peace": 5, "trade": 1}.items()}
    y_a, y_b, n_a, n_b, a0 = {"war": 3, "peace": 1, "trade": 0}, {"war": 1, "peace": 2, "trade": 3}, 4, 6, 42
    for w in ["war", "peace", "trade"]:
        aw = alpha[w]
        d = (math.log((y_a[w] + aw) / (n_a + a0 - y_a[w] - aw))
             - math.log((y_b[w] + aw) / (n_b + a0 - y_b[w] - aw)))
        z = d / math.sqrt(1 / (y_a[w] + aw) + 1 / (y_b[w] + aw))
        assert k.loc[w, "prior"] == pytest.approx(aw, abs=1e-12)
        assert k.loc[w, "delta"] == pytest.approx(d, abs=1e-12)
        assert k.loc[w, "z"] == pytest.approx(z, abs=1e-12)
    assert "army" not in k.index
    assert k["in_prior"].to_dict() == {"war": True, "peace": True, "trade": False}
    # the same background as a corpus, a DFM, a Series: same numbers
    bgc = ck.Corpus.from_records([{"id": "g", "date": "1999", "text": " ".join(["war"] * 10 + ["peace"] * 5 + ["army"] * 5)}])
    for prior in (bgc, dfm(bgc), pd.Series(bg)):
        assert np.allclose(keyness(a, b, prior=prior, alpha_0=42).set_index("term").loc[k.index, "z"], k["z"])
    # an array aligned with the sorted union vocabulary (peace, trade, war); zeros are floored the same way
    arr = keyness(a, b, prior=np.array([5.0, 0.0, 10.0]), alpha_0=16 * 42 / 21)
    assert np.allclose(arr.set_index("term").loc[k.index, "z"], keyness(
        a, b, prior={"war": 10, "peace": 5}, alpha_0=16 * 42 / 21).set_index("term").loc[k.index, "z"])


def test_uniform_prior_by_hand(ab):
    k = keyness(*ab, prior="uniform", alpha_0=None).set_index("term")   # Laplace: alpha_w = 1, alpha_0 = 3
    d = math.log((0 + 1) / (4 + 3 - 0 - 1)) - math.log((3 + 1) / (6 + 3 - 3 - 1))
    assert k.loc["trade", "delta"] == pytest.approx(d, abs=1e-12)


def test_corpus_and_dfm_inputs_agree_and_stop_words(ab):
    a, b = ab
    assert keyness(dfm(a), dfm(b)).equals(keyness(a, b))
    c1 = ck.Corpus.from_records([{"id": "x", "date": "2000", "text": "The war and the army."}])
    c2 = ck.Corpus.from_records([{"id": "y", "date": "2000", "text": "The peace and the trade."}])
    k = keyness(c1, c2, stop_words="english")
    assert "the" not in set(k["term"]) and "and" not in set(k["term"])
    assert k.attrs["corpuskit"]["n_a"] == 2
    assert keyness(dfm(c1), dfm(c2), stop_words="english").equals(k)
    assert len(keyness(c1, c2, min_count=2)) == 2   # only "the" (4) and "and" (2) reach 2 in total


def test_errors_name_the_parameter(ab):
    a, b = ab
    with pytest.raises(ParameterError, match="prior='flat'"):
        keyness(a, b, prior="flat")
    with pytest.raises(ParameterError, match="alpha_0=0"):
        keyness(a, b, alpha_0=0)
    with pytest.raises(ParameterError, match="array of length 2.*3 words"):
        keyness(a, b, prior=np.array([1.0, 2.0]))
    with pytest.raises(ParameterError, match="weighted"):
        keyness(dfm(a).tfidf(), b)
    with pytest.raises(ParameterError, match="corpus_b=str"):
        keyness(a, "text")
    with pytest.raises(ParameterError, match="min_count=-1"):
        keyness(a, b, min_count=-1)
    with pytest.raises(ParameterError, match="non-negative"):
        keyness(a, b, prior={"war": -1})


def test_seeds_2006_against_2021_2024(seeds):
    before, after = seeds.subset(["000"]), seeds.subset(["001", "002", "003", "004"])
    k = keyness(before, after)
    assert k["z"].is_monotonic_decreasing
    assert k.attrs["corpuskit"]["n_a"] == 439 and k.attrs["corpuskit"]["n_b"] == 3369
    assert k["prior"].sum() == pytest.approx(500)  # pooled prior: alpha_0 spread over the words of a and b
    top_a = k.head(15)
    assert (top_a["z"] > 0).all() and (top_a["count_a"] > 0).all()
    assert keyness(before, after).equals(k)
