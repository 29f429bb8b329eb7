"""Supervised stance classification of short texts: word + character n-grams and a linear model.

The features and model follow the strongest linear baseline of the SemEval-2016
stance task: Mohammad, S. M., Kiritchenko, S., Sobhani, P., Zhu, X., & Cherry, C.
(2016). SemEval-2016 Task 6: Detecting Stance in Tweets. *Proceedings of
SemEval-2016*, 31-41 (and Mohammad, Sobhani & Kiritchenko 2017, *ACM TOIT* 17(3)
26). Their linear SVM on word 1-3-gram and character 2-5-gram features
outscored every participating system. Here those features are TF-IDF weighted
with sublinear term frequency (``1 + log tf``, close to the paper's presence
features but keeping repetition) and L2-normalised per block; the SVM uses
balanced class weights (stance data are skewed) and chooses C by an inner
stratified cross-validation on macro-F1.

Probabilities for the SVM come from Platt's sigmoid (Platt, J. 1999.
Probabilistic outputs for support vector machines. *Advances in Large Margin
Classifiers*, 61-74) fitted per class on the *out-of-fold* decision values of
the inner cross-validation at the chosen C, then normalised (one-vs-rest, as in
Zadrozny & Elkan 2002): scikit-learn's ``CalibratedClassifierCV(method="sigmoid",
ensemble=False)`` on the inner folds. The out-of-fold values of the search come
from ``cross_val_predict``; C is chosen on the pooled out-of-fold predictions,
not by ``GridSearchCV``, whose mean of per-fold scores is a different criterion
(the fold-wise macro-F1 of small folds is noisy; Forman & Scholz 2010, SIGKDD
Explorations 12(1), recommend pooling).

Speed (measured on 2 shared cores): fitting, with the 5 x 5 inner CV over C,
took 1.4 s CPU for 1,000 State of the Union sentences (40 words on average),
10 s for 5,000, and 2.8 s for 5,000 short synthetic sentences, before the
calibration moved to ``CalibratedClassifierCV``, which refits the chosen C's 5
folds (31 fits instead of 26 with the default grid). liblinear's dual
coordinate descent (LinearSVC) was the fastest solver on these sparse n-gram
matrices: 0.1-0.5 s per fit on 4,000 sentences at C <= 1, against 0.8-4 s for
saga and newton-cg logistic regression and 3-17 s for lbfgs.

>>> gold = ck.read_gold("seeds/annotations/gold.csv")
>>> texts, labels = gold["sentence"].tolist(), gold["label"].tolist()
>>> clf = StanceClassifier(random_state=0).fit(texts, labels)
>>> clf.classes_.tolist()
['against', 'favor', 'none']
>>> scores = pd.Series(clf.stance_score(texts))   # P(favor) - P(against), here in sample
>>> scores.groupby(labels).mean().round(2)
against   -0.90
favor      0.96
none       0.00
dtype: float64
"""
from __future__ import annotations

import time
import warnings
from copy import deepcopy
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, cohen_kappa_score, f1_score
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, cross_val_predict
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from .errors import ParameterError

__all__ = ["StanceClassifier", "LABEL_SCORES", "stance_features"]

#: The stance labels and the score each maps to (score = P(favor) - P(against) for a classifier);
#: the one mapping corpuskit.stance uses too.
LABEL_SCORES: dict[str, float] = {"favor": 1.0, "against": -1.0, "none": 0.0}
# Regularisation grids (log-spaced). For the SVM on L2-normalised TF-IDF blocks, C > 1
# makes liblinear slow (5x the time of C=1 at C=10) and gained nothing in a held-out
# check (SOTU sentences, macro-F1 0.759 at C=1, 0.757 at C=10); the logistic loss
# needs weaker regularisation for a comparable fit. The fallback Cs are mid-grid.
_DEFAULT_CS = {"svm": (0.01, 0.03, 0.1, 0.3, 1.0), "logistic": (0.3, 1.0, 3.0, 10.0, 30.0)}
_FALLBACK_C = {"svm": 0.3, "logistic": 10.0}
# Keeps single letters ("I", "a") and digits; the char_wb block sees punctuation.
_TOKEN_PATTERN = r"(?u)\b\w+\b"


def stance_features(word_ngram_range: tuple[int, int] = (1, 3), char_ngram_range: tuple[int, int] = (2, 5),
                    min_df: int | float = 1, sublinear_tf: bool = True, lowercase: bool = True) -> FeatureUnion:
    """The (unfitted) feature extractor of :class:`StanceClassifier`.

    Word n-gram and character n-gram (within word boundaries, ``char_wb``) TF-IDF
    blocks side by side. Exposed so a reference model can be built on exactly
    the same features.
    """
    word = TfidfVectorizer(analyzer="word", ngram_range=tuple(word_ngram_range), min_df=min_df,
                           sublinear_tf=sublinear_tf, lowercase=lowercase, token_pattern=_TOKEN_PATTERN)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(char_ngram_range), min_df=min_df,
                           sublinear_tf=sublinear_tf, lowercase=lowercase)
    return FeatureUnion([("word", word), ("char", char)])


def _check_texts(texts, name: str = "texts") -> list[str]:
    if isinstance(texts, (str, bytes)):
        raise ParameterError(f"{name} is a single string ({str(texts)[:40]!r}); pass a list of texts")
    if isinstance(texts, pd.DataFrame):
        raise ParameterError(f"{name} is a DataFrame; pass one column of texts, e.g. df['sentence']")
    try:
        seq = list(texts)
    except TypeError:
        raise ParameterError(f"{name}={texts!r} is not a list of texts") from None
    for i, t in enumerate(seq):
        if not isinstance(t, str):
            raise ParameterError(f"{name}[{i}] is {t!r} ({type(t).__name__}), not a string: "
                                 "drop or fill missing texts before fitting")
    if not seq:
        raise ParameterError(f"{name} is empty: pass at least one text")
    return seq


def _check_labels(labels, n: int) -> np.ndarray:
    if isinstance(labels, (str, bytes)):
        raise ParameterError(f"labels is a single string ({labels!r}); pass one label per text")
    y = np.asarray(list(labels), dtype=object)
    if len(y) != n:
        raise ParameterError(f"labels has {len(y)} entries but texts has {n}: pass one label per text")
    for i, v in enumerate(y):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            raise ParameterError(f"labels[{i}] is missing ({v!r}): drop unlabeled texts before fitting")
    kinds = {type(v) for v in y}
    if len(kinds) > 1:
        raise ParameterError(f"labels mix types ({', '.join(sorted(k.__name__ for k in kinds))}): "
                             "use one type, e.g. strings 'favor'/'against'/'none'")
    y = np.asarray(y.tolist())
    classes = np.unique(y)
    if len(classes) < 2:
        raise ParameterError(f"labels has a single class {classes.tolist()[0]!r}: a classifier needs at least two")
    return y


class _WarmPath(ClassifierMixin, BaseEstimator):
    """A logistic model fitted along an ascending C grid, each fit starting from the previous one.

    ``predict`` gives one column per C, so one ``cross_val_predict`` covers the whole grid.
    The regularisation path (Friedman, Hastie & Tibshirani 2010) takes fewer Newton steps
    than cold starts: 2.5 s against 5.1 s CPU for the default grid on 450 short synthetic
    sentences (one measurement on shared cores), with the same scores and probabilities.
    """

    def __init__(self, model=None, Cs: Sequence[float] = ()):
        self.model = model
        self.Cs = Cs

    def fit(self, X, y) -> "_WarmPath":
        m = clone(self.model).set_params(warm_start=True)
        self.models_ = [deepcopy(m.set_params(C=c).fit(X, y)) for c in self.Cs]
        self.classes_ = self.models_[0].classes_
        return self

    def predict(self, X) -> np.ndarray:
        return np.column_stack([m.predict(X) for m in self.models_])


class StanceClassifier(ClassifierMixin, BaseEstimator):
    """Stance of short texts toward a target, learned from labeled examples.

    Mohammad et al. (2016)'s SVM on word 1-3-grams and character 2-5-grams
    (module docstring), TF-IDF weighted, class-balanced, with C chosen by an
    inner stratified k-fold cross-validation on macro-F1 (pooled out-of-fold
    predictions; ties go to the smaller C). The inner CV has
    ``n_splits = min(cv, smallest class count)`` folds, at least 2.

    Fallback: if some class has a single example, no stratified split exists;
    the model is fitted with a fixed C (``C`` if given, else 0.3 for the SVM, 10 for
    the logistic model), a ``UserWarning`` says so, ``cv_n_splits_`` is 0, and
    SVM probabilities come from a sigmoid fitted to the *training* decision
    values (overconfident; ``calibration_`` says "in-sample").

    Parameters
    ----------
    model : "svm" (LinearSVC, squared hinge, liblinear's dual coordinate descent;
        default: the fastest solver on sparse n-grams, 0.1-0.5 s per fit on 4,000
        sentences) or "logistic" (multinomial LogisticRegression, newton-cg with
        warm starts along the C grid and tol 1e-6; native probabilities, but
        about 10x slower: 14 s CPU vs 1.4 s for 1,000 State of the Union sentences).
    C : fixed regularisation (skips the search; probabilities are still
        calibrated out of fold). None: choose from ``Cs``.
    Cs : grid for C; None uses the model's default grid.
    cv : maximum number of inner folds.
    scoring : "f1_macro" or "accuracy", the criterion for choosing C.
    word_ngram_range, char_ngram_range, min_df, sublinear_tf, lowercase :
        feature settings (:func:`stance_features`).
    class_weight : "balanced" (default) or None or a dict.
    stance_map : label -> score for :meth:`stance_score`; None means
        ``{'favor': 1, 'against': -1, 'none': 0}`` (labels matched case-insensitively).
    n_jobs : processes for the inner folds (joblib; None = 1). Results do not depend on it.
    random_state : seeds the inner fold shuffle and liblinear.

    Attributes
    ----------
    classes_, C_, cv_scores_ (DataFrame: C, score), cv_n_splits_, features_ (fitted
    FeatureUnion), model_ (fitted linear model, trained on the label codes 0..k-1, i.e.
    positions in ``classes_``), calibrated_ (SVM: the fitted ``CalibratedClassifierCV``),
    calibration_, n_features_, fit_time_ (seconds).

    Internally the labels are coded 0..k-1: scikit-learn's ``cross_val_predict`` and
    ``CalibratedClassifierCV`` code them so for decision values, and a ``class_weight``
    dict keyed by the labels would then match no class; it is re-keyed to the codes.

    The feature vocabulary and IDF are learned once from all training texts
    (no labels involved) before the inner CV, which keeps fitting fast; the
    held-out fold's unlabeled texts thus shape the IDF weights of the inner CV
    slightly, as in transductive TF-IDF.

    >>> clf = StanceClassifier(random_state=0).fit(["we must arm", "arms are a danger"] * 3,
    ...                                            ["favor", "against"] * 3)
    >>> clf.classes_.tolist()
    ['against', 'favor']
    """

    def __init__(self, model: str = "svm", C: float | None = None, Cs: Sequence[float] | None = None,
                 cv: int = 5, scoring: str = "f1_macro", word_ngram_range: tuple[int, int] = (1, 3),
                 char_ngram_range: tuple[int, int] = (2, 5), min_df: int | float = 1, sublinear_tf: bool = True,
                 lowercase: bool = True, class_weight: str | dict | None = "balanced",
                 stance_map: Mapping[str, float] | None = None, n_jobs: int | None = None,
                 random_state: int | None = None):
        self.model = model
        self.C = C
        self.Cs = Cs
        self.cv = cv
        self.scoring = scoring
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.lowercase = lowercase
        self.class_weight = class_weight
        self.stance_map = stance_map
        self.n_jobs = n_jobs
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.input_tags.one_d_array = True
        return tags

    # ------------------------------------------------------------------ helpers
    def _validate_params(self) -> tuple[list[float], str]:
        if self.model not in ("svm", "logistic"):
            raise ParameterError(f"model={self.model!r}: use 'svm' or 'logistic'")
        if self.scoring not in ("f1_macro", "accuracy"):
            raise ParameterError(f"scoring={self.scoring!r}: use 'f1_macro' or 'accuracy'")
        if not isinstance(self.cv, (int, np.integer)) or isinstance(self.cv, bool) or self.cv < 2:
            raise ParameterError(f"cv={self.cv!r}: use an integer >= 2 (the most inner folds)")
        if self.C is not None:
            if not np.isscalar(self.C) or not np.isfinite(self.C) or self.C <= 0:
                raise ParameterError(f"C={self.C!r}: use a positive number, or None to choose it by CV")
            return [float(self.C)], self.model
        cs = _DEFAULT_CS[self.model] if self.Cs is None else self.Cs
        try:
            cs = [float(c) for c in cs]
        except (TypeError, ValueError):
            raise ParameterError(f"Cs={self.Cs!r}: use a list of positive numbers") from None
        if not cs or any(not np.isfinite(c) or c <= 0 for c in cs):
            raise ParameterError(f"Cs={self.Cs!r}: use a non-empty list of positive numbers")
        return sorted(set(cs)), self.model

    def _make_model(self, C: float):
        """The linear model at C, for labels coded 0..k-1 (positions in ``classes_``)."""
        cw = self.class_weight
        if isinstance(cw, Mapping):
            missing = [c for c in self.classes_.tolist() if c not in cw]
            if missing:
                raise ParameterError(f"class_weight has no weight for class(es) {missing!r}: cover "
                                     f"{self.classes_.tolist()!r}, or use 'balanced'")
            cw = {i: cw[c] for i, c in enumerate(self.classes_.tolist())}
        if self.model == "svm":
            return LinearSVC(C=C, class_weight=cw, random_state=self.random_state, max_iter=5000)
        # tol 1e-6: at sklearn's 1e-4 newton-cg stops early enough that probabilities move by
        # up to 0.1 between warm and cold starts at the same C (measured); 1e-6 agrees to 3e-4.
        return LogisticRegression(C=C, class_weight=cw, solver="newton-cg", tol=1e-6, max_iter=1000)

    def _oof_predictions(self, X, codes, folds, cs) -> list[np.ndarray]:
        """Pooled out-of-fold label codes for each C (each fold's model trained on the other folds)."""
        # Processes (joblib's default backend), not threads: liblinear draws from C's global
        # rand(), which concurrent threads share, so threaded fits are not reproducible (measured).
        if self.model == "logistic":
            path = _WarmPath(self._make_model(cs[0]), cs)
            return list(cross_val_predict(path, X, codes, cv=folds, n_jobs=self.n_jobs).reshape(len(codes), -1).T)
        out = []
        for c in cs:
            d = cross_val_predict(self._make_model(c), X, codes, cv=folds, method="decision_function",
                                  n_jobs=self.n_jobs)
            # LinearSVC.predict from its decision values
            out.append((d > 0).astype(int) if d.ndim == 1 else d.argmax(axis=1))
        return out

    def _score(self, y, pred) -> float:
        if self.scoring == "accuracy":
            return accuracy_score(y, pred)
        return f1_score(y, pred, average="macro")

    # ------------------------------------------------------------------ API
    def fit(self, texts: Iterable[str], labels: Iterable) -> "StanceClassifier":
        """Learn features, choose C by inner CV, fit the model and its calibration."""
        t0 = time.perf_counter()
        cs, _ = self._validate_params()
        texts = _check_texts(texts)
        y = _check_labels(labels, len(texts))
        self.classes_, counts = np.unique(y, return_counts=True)
        self.features_ = stance_features(self.word_ngram_range, self.char_ngram_range, self.min_df,
                                         self.sublinear_tf, self.lowercase)
        try:
            X = self.features_.fit_transform(texts)
        except ValueError as exc:  # e.g. empty vocabulary
            raise ParameterError(f"texts give no features ({exc}): are they empty or min_df={self.min_df!r} too high?") from None
        self.n_features_ = X.shape[1]
        codes = np.searchsorted(self.classes_, y)
        smallest = int(counts.min())
        n_splits = min(int(self.cv), smallest)
        folds = None
        if n_splits < 2:
            small = self.classes_[counts == smallest].tolist()
            self.C_ = float(self.C) if self.C is not None else _FALLBACK_C[self.model]
            warnings.warn(f"class {small[0]!r} has 1 example: no cross-validation possible; fitted with fixed "
                          f"C={self.C_} and in-sample (overconfident) probabilities. Code more examples.",
                          UserWarning, stacklevel=2)
            self.cv_n_splits_ = 0
            self.cv_scores_ = pd.DataFrame({"C": [self.C_], "score": [np.nan]})
        else:
            self.cv_n_splits_ = n_splits
            folds = list(StratifiedKFold(n_splits, shuffle=True, random_state=self.random_state).split(X, y))
            scores = [self._score(codes, pred) for pred in self._oof_predictions(X, codes, folds, cs)]
            self.cv_scores_ = pd.DataFrame({"C": cs, "score": scores})
            # First maximum in ascending C: the most regularised of the best.
            self.C_ = cs[int(np.argmax(scores))]
        if self.model == "svm":
            if folds is None:
                self.model_ = self._make_model(self.C_).fit(X, codes)
                # A frozen model's fit is a no-op: one "fold" with every text on both sides gives the
                # in-sample decision values without the stratified split (which warns on a 1-example class)
                everyone = np.arange(len(codes))
                cal = CalibratedClassifierCV(FrozenEstimator(self.model_), method="sigmoid",
                                             cv=[(everyone, everyone)])
                self.calibration_ = "in-sample Platt sigmoid (overconfident)"
            else:
                # refits the C_ folds of the search (k extra fits) to get their decision values
                cal = CalibratedClassifierCV(self._make_model(self.C_), method="sigmoid", ensemble=False,
                                             cv=folds, n_jobs=self.n_jobs)
                self.calibration_ = f"Platt sigmoid on out-of-fold decision values ({self.cv_n_splits_} folds)"
            self.calibrated_ = cal.fit(X, codes)
            if folds is not None:
                self.model_ = cal.calibrated_classifiers_[0].estimator  # fitted on all texts
        else:
            self.model_ = self._make_model(self.C_).fit(X, codes)
            self.calibration_ = "native (multinomial logistic)"
            if hasattr(self, "calibrated_"):
                del self.calibrated_  # from an earlier SVM fit
        self.fit_time_ = time.perf_counter() - t0
        return self

    def _transform(self, texts) -> "np.ndarray":
        check_is_fitted(self, "model_")
        return self.features_.transform(_check_texts(texts))

    def decision_function(self, texts: Iterable[str]) -> np.ndarray:
        """Signed distances to the hyperplanes ((n,) when binary, positive = ``classes_[1]``)."""
        X = self._transform(texts)  # checks fitted first
        return self.model_.decision_function(X)

    def predict(self, texts: Iterable[str]) -> np.ndarray:
        """The class with the largest decision value."""
        X = self._transform(texts)  # checks fitted first
        return self.classes_[self.model_.predict(X)]

    def predict_proba(self, texts: Iterable[str]) -> np.ndarray:
        """Class probabilities, columns in ``classes_`` order, rows summing to 1.

        For the SVM these are calibrated separately from the decision values, so
        on near-ties their argmax can differ from :meth:`predict` (as with
        scikit-learn's ``SVC(probability=True)``).
        """
        X = self._transform(texts)
        if self.model == "svm":
            return self.calibrated_.predict_proba(X)
        return self.model_.predict_proba(X)

    def stance_score(self, texts: Iterable[str]) -> np.ndarray:
        """Expected stance sum_k P(k) * map(k); with the default map, P(favor) - P(against), in [-1, 1]."""
        check_is_fitted(self, "model_")
        smap = LABEL_SCORES if self.stance_map is None else self.stance_map
        norm = {str(k).strip().lower(): float(v) for k, v in dict(smap).items()}
        missing = [c for c in self.classes_.tolist() if str(c).strip().lower() not in norm]
        if missing:
            raise ParameterError(f"stance_map has no score for class(es) {missing!r}: pass "
                                 f"stance_map={{label: score, ...}} covering {self.classes_.tolist()!r}")
        w = np.array([norm[str(c).strip().lower()] for c in self.classes_])
        return self.predict_proba(texts) @ w

    def cross_validated_scores(self, texts: Iterable[str], labels: Iterable, groups: Iterable | None = None,
                               n_splits: int = 5, random_state: int | None = 0) -> dict:
        """Out-of-fold accuracy, macro-F1 and Cohen's kappa of this configuration.

        Stratified k-fold (``StratifiedGroupKFold`` when ``groups`` are given,
        e.g. document ids, so sentences of one article never sit on both sides);
        ``n_splits`` is capped at the smallest class count (and the number of
        groups). Each fold fits a clone of this estimator, with its own inner
        CV for C. Headline figures pool the out-of-fold predictions; ``per_fold``
        has fold-wise figures (kappa is NaN in a fold whose test part holds a
        single class, where it is undefined).

        A class with a single example cannot be stratified; it is kept (a
        warning and ``note`` say so), so the scores count it as missed, which is
        what a classifier trained on such data would do.

        Returns a dict: accuracy, macro_f1, kappa, baseline_accuracy (the
        majority class share), n, n_splits, splitter, note, per_fold (DataFrame:
        fold, n_train, n_test, C, accuracy, macro_f1, kappa), predictions.
        """
        texts = _check_texts(texts)
        y = _check_labels(labels, len(texts))
        if not isinstance(n_splits, (int, np.integer)) or isinstance(n_splits, bool) or n_splits < 2:
            raise ParameterError(f"n_splits={n_splits!r}: use an integer >= 2")
        classes, counts = np.unique(y, return_counts=True)
        notes = []
        singles = classes[counts < 2].tolist()
        if (counts >= 2).sum() < 2:  # else some training fold would hold a single class
            raise ParameterError(f"cross-validation needs >= 2 examples of at least two classes "
                                 f"(counts: {dict(zip(classes.tolist(), counts.tolist()))}): code more examples")
        if singles:
            # Kept, not dropped: out of fold a one-example class is never learned, and the scores show it.
            notes.append(f"class(es) {singles!r} have 1 example: never in a training fold with its own test "
                         "example, so always missed out of fold; folds that train on it use the fixed-C fallback")
            warnings.warn(f"cross_validated_scores: {notes[-1]}", UserWarning, stacklevel=2)
        k = min(int(n_splits), int(counts[counts >= 2].min()))
        if k < int(n_splits):
            notes.append(f"n_splits capped at {k} (smallest class with >= 2 examples)")
        if groups is not None:
            g = np.asarray(list(groups))
            if len(g) != len(y):
                raise ParameterError(f"groups has {len(g)} entries but texts has {len(y)}: pass one group per text")
            n_groups = len(np.unique(g))
            if n_groups < 2:
                raise ParameterError(f"groups has a single group {g[0]!r}: grouped cross-validation needs >= 2")
            if n_groups < k:
                k = n_groups
                notes.append(f"n_splits capped at {k} (number of groups)")
            splitter = StratifiedGroupKFold(k, shuffle=True, random_state=random_state)
        else:
            g = None
            splitter = StratifiedKFold(k, shuffle=True, random_state=random_state)
        X = np.asarray(texts, dtype=object)
        pred = np.empty(len(y), dtype=y.dtype)
        rows = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # kappa of a one-class fold
            warnings.simplefilter("ignore", UserWarning)  # fallback and sparse-class fold warnings, noted above
            for i, (tr, te) in enumerate(splitter.split(X, y, g)):
                est = clone(self).fit(list(X[tr]), y[tr])
                pred[te] = est.predict(list(X[te]))
                rows.append({"fold": i, "n_train": len(tr), "n_test": len(te), "C": est.C_,
                             "accuracy": accuracy_score(y[te], pred[te]),
                             "macro_f1": f1_score(y[te], pred[te], average="macro"),
                             "kappa": cohen_kappa_score(y[te], pred[te])})
        return {"accuracy": float(accuracy_score(y, pred)), "macro_f1": float(f1_score(y, pred, average="macro")),
                "kappa": float(cohen_kappa_score(y, pred)), "baseline_accuracy": float(counts.max() / len(y)),
                "n": len(y), "n_splits": k, "splitter": type(splitter).__name__, "note": "; ".join(notes),
                "per_fold": pd.DataFrame(rows), "predictions": pred}
