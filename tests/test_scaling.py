"""Wordfish and Wordscores: hand computations, quanteda's published LBG-example output, bad input.

References: quanteda.textmodels' reference pages print ``textmodel_wordfish(data_dfm_lbgexample,
dir = c(1, 5))`` and ``predict(textmodel_wordscores(data_dfm_lbgexample, c(seq(-1.5, 1.5, .75), NA)))``;
``data_dfm_lbgexample`` is ``tests/data/lbg2003_example/dfm.csv`` (a copy of the shared corpus; its README lists
the Wordscores values).
"""
import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import corpuskit as ck
from corpuskit.matrix import DFM
from corpuskit.errors import ParameterError
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import estimator_checks as ec

from corpuskit.scaling import Wordfish, Wordscores, _log_posterior, _theta_se, wordfish, wordscores

from conftest import ROOT

LBG = ROOT / "tests" / "data" / "lbg2003_example" / "dfm.csv"


@pytest.fixture(scope="module")
def lbg():
    d = pd.read_csv(LBG, index_col=0)
    dv = pd.DataFrame({"unit_id": d.index.astype(str), "id": d.index.astype(str),
                       "date": pd.to_datetime(["2003-01-01"] * len(d)).astype("datetime64[us]")})
    return DFM(sp.csr_matrix(d.to_numpy()), d.columns.to_numpy(), dv)


@pytest.fixture(scope="module")
def tiny_corpus():
    texts = ["war army army navy budget", "army budget budget peace", "peace treaty peace talks budget",
             "talks treaty peace peace dialogue"]
    return ck.Corpus.from_records([{"id": f"d{i}", "date": f"20{10 + i}", "text": t} for i, t in enumerate(texts)])


# ------------------------------------------------------------------------------ Wordfish
def test_log_posterior_by_hand():
    Y = sp.csr_matrix(np.array([[2.0, 0.0], [1.0, 3.0]]))
    alpha, psi = np.array([0.0, 0.5]), np.array([0.2, -0.1])
    beta, theta = np.array([1.0, -2.0]), np.array([-1.0, 1.0])
    prec = np.array([0.0, 0.0, 1 / 9, 1.0])
    # eta_ij = alpha_i + psi_j + beta_j theta_i: [[-0.8, 1.9], [1.7, -1.6]]
    eta = np.array([[-0.8, 1.9], [1.7, -1.6]])
    loglik = (2 * -0.8 - math.exp(-0.8)) + (0 - math.exp(1.9)) + (1.7 - math.exp(1.7)) + (3 * -1.6 - math.exp(-1.6))
    penalty = 0.5 * (1 / 9) * (1 + 4) + 0.5 * 1.0 * (1 + 1)
    assert np.allclose(eta, alpha[:, None] + psi[None, :] + theta[:, None] * beta[None, :])
    assert _log_posterior(Y, alpha, psi, beta, theta, prec) == pytest.approx(loglik - penalty, rel=1e-12)


def test_theta_se_is_inverse_of_the_documents_2x2_information():
    rng = np.random.default_rng(0)
    alpha, psi = rng.normal(size=3), rng.normal(size=4)
    beta, theta = rng.normal(size=4), rng.normal(size=3)
    prec = np.array([0.0, 0.0, 1 / 9, 1.0])
    Y = sp.csr_matrix(rng.poisson(2.0, size=(3, 4)).astype(float))
    se = _theta_se(alpha, psi, beta, theta, prec)
    # numerical Hessian of the log-posterior in (alpha_0, theta_0), word parameters fixed
    h = 1e-4

    def lp(a0, t0):
        a, t = alpha.copy(), theta.copy()
        a[0], t[0] = a0, t0
        return _log_posterior(Y, a, psi, beta, t, prec)

    a0, t0 = alpha[0], theta[0]
    haa = (lp(a0 + h, t0) - 2 * lp(a0, t0) + lp(a0 - h, t0)) / h ** 2
    htt = (lp(a0, t0 + h) - 2 * lp(a0, t0) + lp(a0, t0 - h)) / h ** 2
    hat = (lp(a0 + h, t0 + h) - lp(a0 + h, t0 - h) - lp(a0 - h, t0 + h) + lp(a0 - h, t0 - h)) / (4 * h ** 2)
    cov = np.linalg.inv(-np.array([[haa, hat], [hat, htt]]))
    assert se[0] == pytest.approx(math.sqrt(cov[1, 1]), rel=1e-4)


def test_wordfish_reproduces_quanteda_on_the_lbg_example(lbg):
    """quanteda.textmodels: textmodel_wordfish(data_dfm_lbgexample, dir = c(1, 5)) (1-based dir)."""
    m = Wordfish(dir=(0, 4)).fit(lbg)
    theta = [-1.29056981, -0.61643907, 0.03350982, 0.70961244, 1.52333687, -0.35945025]
    se = [0.01448422, 0.01059613, 0.01085375, 0.01214106, 0.01744178, 0.01070073]
    alpha = [-4.558205, 1.303010, 3.307253, 1.688789, -4.270413, 2.529567]
    assert m.theta_ == pytest.approx(theta, abs=5e-8)
    assert m.se_theta_ == pytest.approx(se, abs=5e-8)
    assert m.alpha_ == pytest.approx(alpha, abs=5e-6)
    feat = m.feature_table(sort=False).set_index("feature")
    assert feat.loc["A", "beta"] == pytest.approx(-8.4452617, abs=5e-7)
    assert feat.loc["A", "psi"] == pytest.approx(-6.6414630, abs=5e-7)
    assert feat.loc["ZG", "beta"] == pytest.approx(11.4115094, abs=5e-7)
    assert feat.loc["N", "psi"] == pytest.approx(0.1109961, abs=5e-7)
    assert m.converged_ and m.n_iter_ < 100
    # quanteda's interval = theta ± qnorm(0.975) se
    assert m.ci_low_[0] == pytest.approx(-1.31895837, abs=5e-8)
    assert m.ci_high_[5] == pytest.approx(-0.33847721, abs=5e-8)


def test_dir_flips_the_sign_and_resolves_ids(lbg):
    a = Wordfish(dir=(0, 4)).fit(lbg)
    b = Wordfish(dir=("R5", "R1")).fit(lbg)
    assert b.theta_ == pytest.approx(-a.theta_, abs=1e-12)
    assert b.beta_ == pytest.approx(-a.beta_, abs=1e-12)
    assert b.se_theta_ == pytest.approx(a.se_theta_, abs=1e-12)
    assert b.theta_[4] < b.theta_[0]
    t = Wordfish(dir=("R1", "R5")).fit(lbg).to_frame()
    assert t.columns.tolist() == ["id", "date", "theta", "se", "ci_low", "ci_high", "se_basis"]
    assert t["id"].tolist() == ["R1", "R2", "R3", "R4", "R5", "V1"]
    assert (t["se_basis"] == "hessian").all()


def test_same_fit_from_dense_sparse_and_dfm(lbg):
    dense = lbg.counts.toarray()
    a = Wordfish(dir=(0, 4)).fit(dense)
    b = Wordfish(dir=(0, 4)).fit(sp.csr_matrix(dense))
    c = Wordfish(dir=(0, 4)).fit(lbg)
    assert np.array_equal(a.theta_, b.theta_) and np.array_equal(a.theta_, c.theta_)


def test_zero_count_features_are_dropped(lbg):
    counts = sp.hstack([lbg.counts, sp.csr_matrix((6, 1))]).tocsr()
    m2 = DFM(counts, np.append(lbg.features, "never"), lbg.docvars)
    m = Wordfish(dir=(0, 4)).fit(m2)
    assert list(m.dropped_features_) == ["never"]
    assert "never" not in set(m.features_)
    assert m.theta_ == pytest.approx(Wordfish(dir=(0, 4)).fit(lbg).theta_, abs=1e-12)


def test_wordfish_on_a_corpus(tiny_corpus):
    t = wordfish(tiny_corpus, dir=("d0", "d3"))
    assert t["id"].tolist() == ["d0", "d1", "d2", "d3"]
    assert t["date"].dt.year.tolist() == [2010, 2011, 2012, 2013]
    assert t["theta"].iloc[0] < t["theta"].iloc[3]
    assert t["theta"].mean() == pytest.approx(0, abs=1e-12)
    assert t["theta"].std() == pytest.approx(1, abs=1e-12)
    assert np.isfinite(t[["theta", "se", "ci_low", "ci_high"]].to_numpy()).all()
    assert (t["ci_low"] < t["theta"]).all() and (t["theta"] < t["ci_high"]).all()


def test_bootstrap_is_deterministic(lbg):
    a = Wordfish(dir=(0, 4), se="bootstrap", n_boot=60, random_state=3).fit(lbg)
    b = Wordfish(dir=(0, 4), se="bootstrap", n_boot=60, random_state=3).fit(lbg)
    assert np.array_equal(a.boot_theta_, b.boot_theta_)
    assert a.boot_theta_.shape == (60, 6)
    assert a.se_basis_.startswith("parametric bootstrap")
    assert np.all(a.se_theta_ > 0) and np.all((a.ci_low_ <= a.theta_) & (a.theta_ <= a.ci_high_))
    # se is the sd of the sign-aligned replicates; the interval their 2.5/97.5 percentiles
    assert a.se_theta_ == pytest.approx(a.boot_theta_.std(axis=0, ddof=1))
    assert a.ci_high_ == pytest.approx(np.percentile(a.boot_theta_, 97.5, axis=0))
    c = Wordfish(dir=(0, 4), se="bootstrap", n_boot=60, random_state=4).fit(lbg)
    assert not np.array_equal(a.boot_theta_, c.boot_theta_)
    assert np.array_equal(a.theta_, c.theta_)


def test_seeds_positions(seeds):
    t = wordfish(seeds, dir=("000", "003"))
    assert t["id"].tolist() == ["000", "001", "002", "003", "004"]
    assert t.set_index("id").loc["000", "theta"] < t.set_index("id").loc["003", "theta"]
    assert (t["se"] > 0).all() and np.isfinite(t["se"]).all()


def test_state_of_the_union_positions_track_time(sotu):
    """Face validity on a long real corpus: 233 addresses, 1790-2021. The first dimension is mostly
    vocabulary change over two centuries (measured Spearman with year 0.92)."""
    from scipy.stats import spearmanr
    t = wordfish(sotu, dir=("1790-Washington", "2021-Biden"))
    assert spearmanr(t["theta"], t["date"].dt.year).statistic >= 0.85
    assert t["se"].between(0, 0.1).all()


# ------------------------------------------------------------------------------ Wordscores
def test_wordscores_by_hand():
    # two references, three words; F_wr: r1 = (2/4, 2/4, 0), r2 = (1/4, 1/4, 2/4)
    X = np.array([[2.0, 2.0, 0.0], [1.0, 1.0, 2.0]])
    ws = Wordscores().fit(X, [-1.0, 1.0])
    # P_w,r1 = 0.5/0.75 = 2/3 for words 0, 1: S = -2/3 + 1/3 = -1/3; word 2 only in r2: S = 1
    assert ws.wordscores_ == pytest.approx([-1 / 3, -1 / 3, 1.0])
    score, se = ws.set_params(se=True).predict(np.array([[1.0, 0.0, 1.0]]))
    assert score == pytest.approx([1 / 3])
    # sqrt(0.5 (-1/3 - 1/3)^2 + 0.5 (1 - 1/3)^2) / sqrt(2)
    assert se == pytest.approx([math.sqrt(0.5 * (2 / 3) ** 2 + 0.5 * (2 / 3) ** 2) / math.sqrt(2)])


def test_wordscores_reproduce_lbg_2003_and_quanteda(lbg):
    y = [-1.5, -0.75, 0.0, 0.75, 1.5, np.nan]
    ws = Wordscores().fit(lbg, y)
    raw, se = ws.set_params(se=True).predict(lbg)
    assert round(raw[5], 2) == -0.45                    # LBG 2003, Table/worked example (rounded)
    assert raw[5] == pytest.approx(-0.4480591, abs=5e-8)  # quanteda's predict()
    assert se[5] == pytest.approx(0.011897667, abs=5e-10)
    assert raw[:5] == pytest.approx([-1.317931, -0.7395598, 0.0, 0.7395598, 1.317931], abs=5e-7)
    assert se[:5] == pytest.approx([0.006699613, 0.011433605, 0.012005250, 0.011433605, 0.006699613], abs=5e-10)
    lbg_fit = ws.set_params(rescaling="lbg", se=False).predict(lbg)
    assert lbg_fit == pytest.approx([-1.58967683, -0.88488724, 0.01632248, 0.91753220, 1.62232179, -0.52967149],
                                    abs=5e-9)
    mv = ws.set_params(rescaling="mv").predict(lbg)
    assert mv == pytest.approx([-1.5, -0.8417280, 0.0, 0.8417280, 1.5, -0.5099572], abs=5e-8)
    t = wordscores(lbg, {"R1": -1.5, "R2": -0.75, "R3": 0, "R4": 0.75, "R5": 1.5})
    v1 = t.set_index("id").loc["V1"]
    assert (v1["ci_low"], v1["ci_high"]) == pytest.approx((-0.47137808, -0.42474008), abs=5e-9)
    t = wordscores(lbg, {"R1": -1.5, "R2": -0.75, "R3": 0, "R4": 0.75, "R5": 1.5}, rescaling="lbg")
    v1 = t.set_index("id").loc["V1"]
    # quanteda: predict(tmod, se.fit = TRUE, interval = "confidence", rescaling = "lbg")
    assert (v1["score"], v1["ci_low"], v1["ci_high"]) == pytest.approx((-0.52967149, -0.55808746, -0.5012555),
                                                                       abs=5e-8)
    assert t.columns.tolist() == ["id", "date", "score", "se", "ci_low", "ci_high", "is_reference", "rescaling"]
    assert t["is_reference"].tolist() == [True] * 5 + [False]


def test_wordscores_match_features_by_name(lbg):
    ws = Wordscores().fit(lbg.subset([True] * 5 + [False]), [-1.5, -0.75, 0, 0.75, 1.5])
    v1 = lbg.subset([False] * 5 + [True])
    rev = DFM(v1.counts[:, ::-1], v1.features[::-1], v1.docvars)
    assert ws.predict(rev) == pytest.approx([-0.4480591], abs=5e-8)


def test_wordscores_on_a_corpus(tiny_corpus):
    t = wordscores(tiny_corpus, {"d0": -1.0, "d3": 1.0}, rescaling="mv")
    s = t.set_index("id")["score"]
    assert s["d0"] == pytest.approx(-1.0) and s["d3"] == pytest.approx(1.0)
    assert s["d0"] < s["d1"] < s["d2"] < s["d3"]



def test_wordscores_on_a_corpus_whose_other_documents_use_words_no_reference_has(seeds):
    # the seeds: 000 and 003 as references; 001, 002 and 004 use words neither reference has (crashed with
    # a matmul shape error before the references' raw scores were taken over the scored features only)
    t = wordscores(seeds, {"000": -1.0, "003": 1.0}, rescaling="mv").set_index("id")
    assert t.loc["000", "score"] == pytest.approx(-1.0) and t.loc["003", "score"] == pytest.approx(1.0)
    assert t["score"].notna().all() and t.loc[["001", "002", "004"], "is_reference"].eq(False).all()
    raw = wordscores(seeds, {"000": -1.0, "003": 1.0}).set_index("id")["score"]
    assert raw["000"] < raw["003"]

# ------------------------------------------------------------------------------ bad input
def test_bad_input_wordfish(lbg):
    with pytest.raises(ParameterError, match=r"dir\[1\]: no document with id 'R9'"):
        Wordfish(dir=("R1", "R9")).fit(lbg)
    with pytest.raises(ParameterError, match=r"dir\[0\]: position 7 is out of range"):
        Wordfish(dir=(7, 1)).fit(lbg)
    with pytest.raises(ParameterError, match="dir='R1': name two documents"):
        Wordfish(dir="R1").fit(lbg)
    with pytest.raises(ParameterError, match="two different documents"):
        Wordfish(dir=(1, 1)).fit(lbg)
    with pytest.raises(ParameterError, match="has no document ids"):
        Wordfish(dir=("R1", "R5")).fit(lbg.counts)
    with pytest.raises(ParameterError, match="1 document"):
        Wordfish(dir=(0, 0)).fit(lbg.counts[:1])
    zero = sp.vstack([lbg.counts, sp.csr_matrix((1, lbg.counts.shape[1]))]).tocsr()
    with pytest.raises(ParameterError, match="document.* 6 have no tokens"):
        Wordfish().fit(zero)
    with pytest.raises(ParameterError, match="se='sandwich'"):
        Wordfish(se="sandwich").fit(lbg)
    with pytest.raises(ParameterError, match=r"priors=\(3, 1\)"):
        Wordfish(priors=(3, 1)).fit(lbg)
    with pytest.raises(ParameterError, match="weighted"):
        Wordfish().fit(lbg.proportions())
    with pytest.raises(ParameterError, match="corpus_or_dfm"):
        wordfish("not a corpus")


def test_bad_input_wordscores(lbg):
    ws = Wordscores().fit(lbg, [-1.5, -0.75, 0, 0.75, 1.5, np.nan])
    with pytest.raises(ParameterError, match="rescaling='zscore'"):
        ws.set_params(rescaling="zscore").predict(lbg)
    with pytest.raises(ParameterError, match="at least 2 reference texts"):
        Wordscores().fit(lbg, [1.0] + [np.nan] * 5)
    with pytest.raises(ParameterError, match="y has 2 scores for 6 documents"):
        Wordscores().fit(lbg, [1.0, 2.0])
    with pytest.raises(ParameterError, match=r"reference_scores\['R2'\]=nan"):
        wordscores(lbg, {"R1": -1, "R2": float("nan")})
    with pytest.raises(ParameterError, match="no document with id 'X1'"):
        wordscores(lbg, {"R1": -1, "X1": 1})
    with pytest.raises(ParameterError, match="needs at least two texts"):
        ws.set_params(rescaling="lbg").predict(lbg.subset([False] * 5 + [True]))
    unscorable = DFM(sp.csr_matrix(np.array([[3.0]])), np.array(["unseen"]), lbg.docvars.iloc[:1])
    with pytest.raises(ParameterError, match="R1 contain no scored word"):
        ws.set_params(rescaling="none").predict(unscorable)
    with pytest.raises(ParameterError, match="rescaling='zscore'"):  # checked in fit, before any work
        Wordscores(rescaling="zscore").fit(lbg, [-1.5, -0.75, 0, 0.75, 1.5, np.nan])
    with pytest.raises(ParameterError, match="level=1.5"):
        Wordscores(level=1.5).fit(lbg, [-1.5, -0.75, 0, 0.75, 1.5, np.nan])
    with pytest.raises(ParameterError, match="smooth=-1"):
        Wordscores(smooth=-1).fit(lbg, [-1.5, -0.75, 0, 0.75, 1.5, np.nan])


# ------------------------------------------------------------------------------ scikit-learn estimators
REFS = [-1.5, -0.75, 0, 0.75, 1.5, np.nan]


@pytest.mark.parametrize("est", [Wordfish(dir=("R1", "R5"), priors=(9.0, 9.0, 2.0, 1.0), se="bootstrap", n_boot=30,
                                          random_state=1, level=0.9),
                                 Wordscores(smooth=0.5, rescaling="mv", se=True, level=0.9)],
                         ids=["Wordfish", "Wordscores"])
def test_clone_gives_an_unfitted_estimator_with_equal_params(lbg, est):
    fitted = clone(est).fit(lbg, REFS)
    c = clone(fitted)
    assert c.get_params() == est.get_params() == fitted.get_params()
    assert not [a for a in vars(c) if a.endswith("_")]  # no fit state copied
    with pytest.raises(NotFittedError):
        c.feature_table()
    # the clone refits to the same numbers
    if isinstance(est, Wordfish):
        assert np.array_equal(c.fit(lbg).theta_, fitted.theta_)
        assert np.array_equal(c.boot_theta_, fitted.boot_theta_)
    else:
        assert np.array_equal(c.fit(lbg, REFS).predict(lbg)[0], fitted.predict(lbg)[0])


@pytest.mark.parametrize("cls", [Wordfish, Wordscores])
def test_get_params_set_params_round_trip(cls):
    est = cls()
    params = est.get_params()
    assert set(params) == {"Wordfish": {"dir", "priors", "tol", "max_iter", "se", "n_boot", "random_state", "level"},
                           "Wordscores": {"smooth", "rescaling", "se", "level"}}[cls.__name__]
    other = cls().set_params(**{"level": 0.8, "se": params["se"]})
    assert other.get_params() == {**params, "level": 0.8}
    assert cls().set_params(**other.get_params()).get_params() == other.get_params()
    # parameters are stored as given: no validation or conversion in __init__
    odd = cls(level="not a number")
    assert odd.level == "not a number"
    with pytest.raises(ParameterError, match="level='not a number'"):
        odd.fit(np.eye(4) + 1, [0.0, 1.0, np.nan, np.nan])


def test_not_fitted_is_sklearns_error(lbg):
    for call in (lambda: Wordfish().to_frame(), lambda: Wordfish().feature_table(),
                 lambda: Wordscores().predict(lbg), lambda: Wordscores().feature_table()):
        with pytest.raises(NotFittedError, match=r"This (Wordfish|Wordscores) instance is not fitted yet"):
            call()


def test_old_predict_keywords_say_where_they_went(lbg):
    ws = Wordscores().fit(lbg, REFS)
    with pytest.raises(ParameterError, match=r"predict\(rescaling='mv'\): rescaling is now a Wordscores parameter; "
                                             r"set it in the constructor, Wordscores\(rescaling='mv'\)"):
        ws.predict(lbg, rescaling="mv")
    with pytest.raises(ParameterError, match=r"predict\(se=True\).*set_params\(se=True\)"):
        ws.predict(lbg, se=True)
    with pytest.raises(ParameterError, match=r"unexpected argument sample_weight=1"):
        ws.predict(lbg, sample_weight=1)


def test_rescaling_set_after_fit_needs_no_refit(lbg):
    ws = Wordscores().fit(lbg, REFS)
    v1 = ws.set_params(rescaling="lbg").predict(lbg)[5]
    assert v1 == pytest.approx(-0.52967149, abs=5e-9)
    assert Wordscores(rescaling="lbg").fit(lbg, REFS).predict(lbg)[5] == v1


def test_refit_without_bootstrap_drops_the_old_replicates(lbg):
    m = Wordfish(dir=(0, 4), se="bootstrap", n_boot=20, random_state=0).fit(lbg)
    assert m.boot_theta_.shape == (20, 6)
    m.set_params(se="hessian").fit(lbg)
    assert not hasattr(m, "boot_theta_") and m.se_basis_ == "hessian"


@pytest.mark.parametrize("check", [ec.check_no_attributes_set_in_init, ec.check_estimator_repr,
                                   ec.check_get_params_invariance, ec.check_set_params,
                                   ec.check_parameters_default_constructible,
                                   ec.check_do_not_raise_errors_in_init_or_set_params,
                                   ec.check_estimator_cloneable, ec.check_valid_tag_types])
@pytest.mark.parametrize("cls", [Wordfish, Wordscores])
def test_sklearn_api_checks(check, cls):
    check(cls.__name__, cls())


def test_wordfish_refits_show_a_progress_bar_only_on_a_terminal(tiny_corpus, capsys, monkeypatch):
    import sys
    X = ck.dfm(tiny_corpus)
    Wordfish(dir=(0, 3), se="bootstrap", n_boot=20, random_state=0).fit(X)
    assert "Wordfish refits" not in capsys.readouterr().err  # captured stderr is not a terminal: quiet
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    Wordfish(dir=(0, 3), se="bootstrap", n_boot=20, random_state=0).fit(X)
    assert "Wordfish refits" in capsys.readouterr().err
