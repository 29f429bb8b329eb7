"""StanceClassifier: sklearn compatibility, hand-checkable behaviour, equality with plain sklearn."""
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import f1_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import LinearSVC
from sklearn.utils import estimator_checks as ec

from corpuskit.classifier import StanceClassifier, stance_features
from corpuskit.errors import ParameterError

FILLER = ("the government said today that japan and its partners will review the plan for next year "
          "officials in tokyo discussed budget forces policy region security").split()
FAVOR = ["must strengthen", "rightly supports", "is necessary for", "welcome the buildup", "should bolster"]
AGAINST = ["dangerously provokes", "is reckless", "threatens peace", "oppose the buildup", "violates the constitution"]
NONE_ = ["reported on", "met to discuss", "published figures on", "scheduled talks about", "listed details of"]


def toy(n_per_class=20, classes=("favor", "against", "none"), seed=0):
    """Sentences of random filler around one class cue phrase: separable by the cues."""
    rng = np.random.default_rng(seed)
    cues = {"favor": FAVOR, "against": AGAINST, "none": NONE_}
    texts, labels = [], []
    for c in classes:
        for _ in range(n_per_class):
            words = list(rng.choice(FILLER, size=8))
            words.insert(int(rng.integers(0, 8)), cues[c][int(rng.integers(0, 5))])
            texts.append(" ".join(words))
            labels.append(c)
    order = rng.permutation(len(texts))
    return [texts[i] for i in order], np.array(labels)[order]


@pytest.fixture(scope="module")
def data():
    return toy(20)


@pytest.fixture(scope="module")
def fitted(data):
    return StanceClassifier(random_state=0).fit(*data)


def test_learns_separable_problem(fitted):
    test_x, test_y = toy(10, seed=1)
    assert (fitted.predict(test_x) == test_y).mean() == 1.0
    assert fitted.classes_.tolist() == ["against", "favor", "none"]
    assert fitted.cv_n_splits_ == 5 and fitted.C_ in fitted.cv_scores_["C"].tolist()
    s = fitted.stance_score(test_x)
    assert (s[test_y == "favor"] > 0.3).all() and (s[test_y == "against"] < -0.3).all()
    assert np.abs(s[test_y == "none"]).max() < 0.5


def test_stance_score_is_p_favor_minus_p_against(fitted):
    x, _ = toy(3, seed=2)
    p = fitted.predict_proba(x)
    cls = fitted.classes_.tolist()
    np.testing.assert_allclose(fitted.stance_score(x), p[:, cls.index("favor")] - p[:, cls.index("against")])
    # Upper-case labels map too, and a custom map is honoured.
    up = StanceClassifier(random_state=0, stance_map={"FAVOR": 2, "AGAINST": -2, "NONE": 0})
    t, y = toy(6)
    up.fit(t, np.char.upper(y.astype(str)))
    p = up.predict_proba(x)
    c = up.classes_.tolist()
    np.testing.assert_allclose(up.stance_score(x), 2 * p[:, c.index("FAVOR")] - 2 * p[:, c.index("AGAINST")])


@pytest.mark.parametrize("model", ["svm", "logistic"])
@pytest.mark.parametrize("classes", [("favor", "against"), ("favor", "against", "none")])
def test_probabilities_sum_to_one(model, classes):
    x, y = toy(8, classes=classes)
    clf = StanceClassifier(model=model, random_state=0).fit(x, y)
    p = clf.predict_proba(toy(4, seed=3)[0])
    assert p.shape == (12, len(classes))  # toy(4) has 3 cue classes x 4 sentences
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert ((p >= 0) & (p <= 1)).all()
    d = clf.decision_function(x)
    assert d.shape == ((len(x),) if len(classes) == 2 else (len(x), len(classes)))


def test_deterministic_with_random_state(data):
    a = StanceClassifier(random_state=3).fit(*data)
    b = StanceClassifier(random_state=3).fit(*data)
    x = toy(5, seed=4)[0]
    np.testing.assert_array_equal(a.predict_proba(x), b.predict_proba(x))
    assert a.C_ == b.C_ and a.cv_scores_.equals(b.cv_scores_)
    threaded = StanceClassifier(random_state=3, n_jobs=2).fit(*data)
    np.testing.assert_array_equal(threaded.predict_proba(x), a.predict_proba(x))


def test_pickle_roundtrip(fitted):
    import pickle
    x = toy(3, seed=9)[0]
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.predict_proba(x), fitted.predict_proba(x))


def test_clone_get_set_params(fitted):
    c = clone(fitted)
    assert c.get_params() == fitted.get_params()
    assert not hasattr(c, "model_")
    c.set_params(C=0.5, word_ngram_range=(1, 2))
    assert c.get_params()["C"] == 0.5 and c.word_ngram_range == (1, 2)


@pytest.mark.parametrize("check", [ec.check_no_attributes_set_in_init, ec.check_mixin_order,
                                   ec.check_estimator_repr, ec.check_get_params_invariance,
                                   ec.check_set_params, ec.check_parameters_default_constructible,
                                   ec.check_do_not_raise_errors_in_init_or_set_params,
                                   ec.check_estimator_cloneable, ec.check_valid_tag_types])
def test_sklearn_api_checks(check):
    # The data-driven checks feed numeric 2-D arrays, which a text model cannot take
    # (sklearn skips them for estimators tagged two_d_array=False); these are the API ones.
    check("StanceClassifier", StanceClassifier())


def test_pipeline_and_grid_search(data):
    x, y = data
    pipe = Pipeline([("lower", FunctionTransformer(lambda t: [s.lower() for s in t])),
                     ("clf", StanceClassifier(random_state=0))])
    gs = GridSearchCV(pipe, {"clf__C": [0.01, 1.0], "clf__char_ngram_range": [(2, 5), (3, 4)]}, cv=3)
    gs.fit(x, y)
    assert gs.best_params_["clf__C"] in (0.01, 1.0)
    assert len(gs.cv_results_["mean_test_score"]) == 4
    upper = [s.upper() for s in toy(5, seed=5)[0]]
    assert (gs.predict(upper) == toy(5, seed=5)[1]).mean() == 1.0  # the lowercasing step ran
    assert gs.score(x, y) == 1.0


@pytest.mark.parametrize("model,ref", [
    ("svm", lambda C: LinearSVC(C=C, class_weight="balanced", random_state=0, max_iter=5000)),
    ("logistic", lambda C: LogisticRegression(C=C, class_weight="balanced", solver="newton-cg", tol=1e-6,
                                              max_iter=1000))])
def test_equals_plain_sklearn_at_fixed_C(model, ref):
    x, y = toy(12)
    x_new = toy(10, seed=7)[0]
    clf = StanceClassifier(model=model, C=0.2, random_state=0).fit(x, y)
    feats = stance_features().fit(x)
    plain = ref(0.2).fit(feats.transform(x), y)
    np.testing.assert_array_equal(clf.predict(x_new), plain.predict(feats.transform(x_new)))
    np.testing.assert_allclose(clf.decision_function(x_new), plain.decision_function(feats.transform(x_new)))
    if model == "logistic":
        np.testing.assert_allclose(clf.predict_proba(x_new), plain.predict_proba(feats.transform(x_new)))


def test_svm_probabilities_equal_sklearn_calibration():
    """Platt calibration on the inner-CV out-of-fold values = CalibratedClassifierCV(ensemble=False)."""
    for classes in [("favor", "against"), ("favor", "against", "none")]:
        x, y = toy(10, classes=classes)
        # Noisy labels so the out-of-fold decision values are not separable.
        y = y.copy()
        y[:4] = y[4:8]
        x_new = toy(6, classes=classes, seed=8)[0]
        clf = StanceClassifier(C=0.3, cv=4, random_state=0).fit(x, y)
        X = stance_features().fit_transform(x)
        cal = CalibratedClassifierCV(LinearSVC(C=0.3, class_weight="balanced", random_state=0, max_iter=5000),
                                     method="sigmoid", ensemble=False,
                                     cv=StratifiedKFold(4, shuffle=True, random_state=0)).fit(X, y)
        # the classifier calls CalibratedClassifierCV itself (on label codes), so the numbers are the same
        np.testing.assert_allclose(clf.predict_proba(x_new), cal.predict_proba(clf.features_.transform(x_new)),
                                   rtol=0, atol=1e-15)


def noisy(n_per_class=10, seed=5):
    x, y = toy(n_per_class)
    y = y.copy()
    rng = np.random.default_rng(seed)
    flip = rng.choice(len(y), len(y) // 3, replace=False)
    y[flip] = rng.permutation(y[flip])
    return x, y


def test_c_is_chosen_on_pooled_out_of_fold_macro_f1():
    """cv_scores_ = macro-F1 of the pooled cross_val_predict predictions (not GridSearchCV's mean of folds)."""
    x, y = noisy()
    clf = StanceClassifier(cv=4, random_state=0).fit(x, y)
    X = stance_features().fit_transform(x)
    folds = StratifiedKFold(4, shuffle=True, random_state=0)
    pooled = [f1_score(y, cross_val_predict(LinearSVC(C=c, class_weight="balanced", random_state=0, max_iter=5000),
                                            X, y, cv=folds), average="macro") for c in clf.cv_scores_["C"]]
    np.testing.assert_allclose(clf.cv_scores_["score"], pooled, rtol=0, atol=1e-15)
    assert len(set(np.round(pooled, 6))) > 1  # the grid is not all ties, so the choice is tested
    assert clf.C_ == clf.cv_scores_["C"][int(np.argmax(pooled))]


@pytest.mark.parametrize("model", ["svm", "logistic"])
def test_class_weight_dict_keyed_by_labels(model):
    # scikit-learn's cross_val_predict and CalibratedClassifierCV code the labels 0..k-1,
    # where a dict keyed by label names would match nothing
    x, y = noisy()
    x_new = toy(3, seed=6)[0]
    even = StanceClassifier(model=model, random_state=0, class_weight={"favor": 1, "against": 1, "none": 1}).fit(x, y)
    none = StanceClassifier(model=model, random_state=0, class_weight=None).fit(x, y)
    np.testing.assert_allclose(even.predict_proba(x_new), none.predict_proba(x_new), rtol=0, atol=1e-12)
    assert even.cv_scores_.equals(none.cv_scores_)
    heavy = StanceClassifier(model=model, random_state=0, class_weight={"favor": 1, "against": 5, "none": 1},
                             C=1.0).fit(x, y)
    assert not np.allclose(heavy.decision_function(x_new), none.set_params(C=1.0).fit(x, y).decision_function(x_new))
    with pytest.raises(ParameterError, match=r"class_weight has no weight for class\(es\) \['none'\]"):
        StanceClassifier(model=model, class_weight={"favor": 1, "against": 1}).fit(x, y)


def test_not_fitted_is_sklearns_error():
    clf = StanceClassifier()
    for method in (clf.predict, clf.predict_proba, clf.decision_function, clf.stance_score):
        with pytest.raises(NotFittedError, match="This StanceClassifier instance is not fitted yet"):
            method(["a text"])


def test_inner_folds_adapt_to_smallest_class():
    x, y = toy(7, classes=("favor", "against"))
    keep = np.r_[np.flatnonzero(y == "favor"), np.flatnonzero(y == "against")[:3]]
    clf = StanceClassifier(random_state=0).fit([x[i] for i in keep], y[keep])
    assert clf.cv_n_splits_ == 3
    keep = np.r_[np.flatnonzero(y == "favor"), np.flatnonzero(y == "against")[:1]]
    with pytest.warns(UserWarning, match="class 'against' has 1 example"):
        clf = StanceClassifier(random_state=0).fit([x[i] for i in keep], y[keep])
    assert clf.cv_n_splits_ == 0 and clf.C_ == 0.3 and "in-sample" in clf.calibration_
    np.testing.assert_allclose(clf.predict_proba(x).sum(axis=1), 1.0)
    # in-sample Platt: the sigmoid fitted to the final model's own training decision values
    xs, ys = [x[i] for i in keep], y[keep]
    X = stance_features().fit_transform(xs)
    svm = LinearSVC(C=0.3, class_weight="balanced", random_state=0, max_iter=5000).fit(X, ys)
    with warnings.catch_warnings():  # its default 5-fold split warns about the 1-example class
        warnings.simplefilter("ignore", UserWarning)
        cal = CalibratedClassifierCV(FrozenEstimator(svm), method="sigmoid").fit(X, ys)
    np.testing.assert_allclose(clf.predict_proba(x), cal.predict_proba(clf.features_.transform(x)), rtol=0, atol=1e-15)
    # one warning, ours: no stratified split is attempted (scikit-learn's would warn about the class too)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        StanceClassifier(random_state=0).fit(xs, ys)
    assert [str(w.message)[:30] for w in caught] == ["class 'against' has 1 example:"]


def test_cross_validated_scores(data):
    x, y = data
    groups = np.repeat(np.arange(12), 5)
    res = StanceClassifier(random_state=0, Cs=[0.1, 1.0]).cross_validated_scores(x, y, groups=groups, n_splits=5)
    assert res["splitter"] == "StratifiedGroupKFold" and res["n_splits"] == 5
    pred = res["predictions"]
    assert res["accuracy"] == pytest.approx((pred == y).mean())
    assert res["per_fold"]["n_test"].sum() == len(y)
    assert res["accuracy"] >= 0.9 and res["kappa"] >= 0.85
    assert res["baseline_accuracy"] == pytest.approx(1 / 3)
    # Hand check of kappa on the pooled predictions: (p_o - p_e) / (1 - p_e).
    po = (pred == y).mean()
    pe = sum((y == c).mean() * (pred == c).mean() for c in np.unique(y))
    assert res["kappa"] == pytest.approx((po - pe) / (1 - pe))
    # Groups cap the folds: 3 groups -> 3 folds, no group split across train and test.
    res3 = StanceClassifier(random_state=0, Cs=[1.0]).cross_validated_scores(x, y, groups=np.arange(60) % 3)
    assert res3["n_splits"] == 3 and res3["note"] == "n_splits capped at 3 (number of groups)"


def test_cross_validated_scores_keeps_a_one_example_class():
    x, y = toy(6)
    keep = np.r_[np.flatnonzero(y != "against"), np.flatnonzero(y == "against")[:1]]
    x, y = [x[i] for i in keep], y[keep]
    with pytest.warns(UserWarning, match=r"class\(es\) \['against'\] have 1 example"):
        res = StanceClassifier(random_state=0, Cs=[1.0]).cross_validated_scores(x, y, n_splits=5)
    assert res["n_splits"] == 5 and res["n"] == 13
    lone = int(np.flatnonzero(y == "against")[0])
    assert res["predictions"][lone] != "against"  # never learned out of fold, and counted as a miss
    assert res["accuracy"] <= 12 / 13
    with pytest.raises(ParameterError, match=r"at least two classes \(counts: \{'against': 1, 'favor': 6\}\)"):
        StanceClassifier().cross_validated_scores(x[:7], ["favor"] * 6 + ["against"])


@pytest.mark.parametrize("call,match", [
    (lambda c: c.fit(["a b", "c d", "e f"], ["favor", "against"]), "labels has 2 entries but texts has 3"),
    (lambda c: c.fit(["a b", "c d"], ["favor", "favor"]), "single class 'favor'"),
    (lambda c: c.fit(["a b", None, "e f"], ["favor", "against", "favor"]), r"texts\[1\] is None"),
    (lambda c: c.fit(["a b", 3.5], ["favor", "against"]), r"texts\[1\] is 3.5 \(float\)"),
    (lambda c: c.fit("one text", ["favor"]), "single string"),
    (lambda c: c.fit(["a b", "c d"], ["favor", np.nan]), r"labels\[1\] is missing"),
    (lambda c: c.set_params(model="bert").fit(["a b", "c d"], ["x", "y"]), "model='bert'"),
    (lambda c: c.set_params(C=-1).fit(["a b", "c d"], ["x", "y"]), "C=-1"),
    (lambda c: c.set_params(Cs=[]).fit(["a b", "c d"], ["x", "y"]), r"Cs=\[\]"),
])
def test_errors_name_the_value(call, match):
    with pytest.raises(ParameterError, match=match):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            call(StanceClassifier())


def test_stance_score_needs_mapped_classes():
    x, y = toy(5, classes=("favor", "against"))
    y = np.where(y == "favor", "pro", "contra")
    clf = StanceClassifier(random_state=0).fit(x, y)
    with pytest.raises(ParameterError, match=r"no score for class\(es\) \['contra', 'pro'\]"):
        clf.stance_score(x)
    clf.set_params(stance_map={"pro": 1, "contra": -1})
    assert clf.stance_score(x).shape == (10,)


def test_sotu_era_sentences_beat_majority_baseline(sotu):
    """Realistic text (not stance): State of the Union sentences, era of the address, grouped by address."""
    from corpuskit.tokenizer import sentence_spans
    dv = sotu.docvars
    rng = np.random.default_rng(0)
    texts, labels, groups = [], [], []
    for text, year, did in zip(sotu.iter_texts(), dv["year"], dv["id"]):
        spans = sentence_spans(text)
        for s, e in (spans[i] for i in rng.choice(len(spans), size=min(3, len(spans)), replace=False)):
            texts.append(text[s:e])
            labels.append("before 1900" if year < 1900 else "1900-1959" if year < 1960 else "1960 on")
            groups.append(did)
    res = StanceClassifier(random_state=0).cross_validated_scores(texts, labels, groups=groups, n_splits=3)
    assert res["n"] > 600
    assert res["accuracy"] > res["baseline_accuracy"] + 0.15
    assert res["macro_f1"] > 0.6
