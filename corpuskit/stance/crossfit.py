"""Classifier stance: the glue to any scikit-learn-like classifier, and out-of-fold (cross-fitted) scores.

>>> scores = cross_fit_stance(corpus, ck.read_gold("seeds/annotations/gold.csv"), random_state=0,
...                           target="rearmament")
>>> scores.shape, scores.columns.tolist()
((78, 16), ['id', 'date', 'sentence', 'text', 'label', 'score', 'start', 'end', 'raw_start', 'raw_end',
 'terms', 'entries', 'facets', 'n_terms', 'gold', 'fold'])
>>> pd.crosstab(scores["gold"], scores["label"])
label  favor  none
gold
favor      1    25
none       1    51
"""
from __future__ import annotations

import os
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold

from ..classifier import StanceClassifier
from ..errors import ParameterError
from ..dictionary import Dictionary
from .gold import LABELS, GoldError, attach_gold, check_labels
from ..tokenizer import tokens
from .lexicon import TargetTokens, document_stance, lexicon_matches, load_target, target_table

__all__ = ["labels_table", "default_model", "proba_scores", "cross_fit_stance"]


# ============================================================================ classifier scoring
def labels_table(labels, where: str = "labels") -> tuple[list[str], list[str]]:
    if not isinstance(labels, pd.DataFrame):
        raise ParameterError(f"{where}={type(labels).__name__}: pass a DataFrame with a 'label' column and a "
                             "'sentence' (or 'text') column, e.g. ck.read_gold('seeds/annotations/gold.csv')")
    tcol = "sentence" if "sentence" in labels.columns else "text" if "text" in labels.columns else None
    if tcol is None or "label" not in labels.columns:
        raise ParameterError(f"{where}: needs columns 'label' and 'sentence' (or 'text'); found "
                             f"{', '.join(map(str, labels.columns))}")
    lab = labels["label"].astype(str).tolist()
    check_labels(lab, where)
    if len(lab) == 0:
        raise ParameterError(f"{where}: no labeled sentences to train on")
    if len(set(lab)) < 2:
        raise ParameterError(f"{where}: every label is {lab[0]!r}; a classifier needs at least two classes")
    return labels[tcol].astype(str).tolist(), lab



def default_model(random_state: int | None = None):
    return StanceClassifier(random_state=random_state)  # seeded: the same random_state, the same scores


def proba_scores(model, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """score = P(favor) - P(against) and the most probable label, from any fitted sklearn-like model."""
    if len(texts) == 0:
        return np.zeros(0), np.zeros(0, dtype=object)
    P = np.asarray(model.predict_proba(list(texts)), dtype=float)
    classes = [str(c) for c in model.classes_]
    bad = [c for c in classes if c not in LABELS]
    if bad:
        raise ParameterError(f"model.classes_ contains {bad[0]!r}; stance labels are {', '.join(LABELS)}")
    col = {c: j for j, c in enumerate(classes)}
    pf = P[:, col["favor"]] if "favor" in col else 0.0
    pa = P[:, col["against"]] if "against" in col else 0.0
    return np.asarray(pf - pa, dtype=float) + 0.0, np.asarray(classes, dtype=object)[P.argmax(1)]


def cross_fit_stance(corpus, gold: pd.DataFrame, model=None, n_splits: int = 5, groups: str | None = "id",
                     random_state: int | None = None, *, unit: str = "sentence",
                     target: "str | os.PathLike | Mapping | Sequence[str] | Dictionary | None" = None,
                     n_boot: int = 1000) -> pd.DataFrame:
    """Out-of-fold classifier stance for every target sentence: no sentence is scored by a model trained on it.

    The gold rows that match sentences of ``corpus`` (:func:`attach_gold`, by span or hash) are split
    into folds: ``groups="id"`` holds out whole documents (GroupKFold with min(n_splits, n_docs)
    folds: sentences of one article are not independent, so this is the honest estimate);
    ``groups=None`` uses StratifiedKFold (shuffled with ``random_state``), with as many folds as the
    smallest class allows (at least 2; KFold when a class has a single sentence). Each fold's model
    (a ``sklearn.base.clone`` of ``model``) is trained on the other folds' gold sentences and scores
    the held-out target sentences. Target sentences that are not in the gold standard are scored by a
    model trained on all gold sentences (fold = -1).

    ``target`` is required (anything :func:`load_target` accepts, e.g. ``"rearmament"``).

    Returns the sentence-level table of :func:`score_stance` plus ``gold`` (the gold label or <NA>)
    and ``fold``; with ``unit="document"`` the :func:`document_stance` of those scores.
    """
    if groups not in ("id", None):
        raise ParameterError(f"groups={groups!r}: use 'id' (hold out whole documents) or None (stratified folds)")
    if unit not in ("document", "sentence"):
        raise ParameterError(f"unit={unit!r}: use 'document' or 'sentence'")
    if not isinstance(n_splits, (int, np.integer)) or n_splits < 2:
        raise ParameterError(f"n_splits={n_splits!r}: pass an integer >= 2")
    tlex = load_target(target)
    model = default_model(random_state) if model is None else model
    tk = tokens(corpus)
    stream = TargetTokens(tk, tlex)
    targets, _ = target_table(stream, lexicon_matches(stream, tlex, stream.target_matches))
    allsent = tk.sentences()
    att = attach_gold(allsent, gold)
    coded = att[att["gold_label"].notna()].reset_index(drop=True)
    if len(coded) == 0:
        raise GoldError("gold: no gold row matches a sentence of the corpus (by span or hash); check ids and "
                        "spans with ck.check_gold(gold, corpus)")
    X = coded["text"].astype(str).to_numpy(dtype=object)
    y = coded["gold_label"].astype(str).to_numpy(dtype=object)
    check_labels(list(y), "gold")
    if groups == "id":
        g = coded["id"].astype(str).to_numpy()
        k = min(n_splits, len(np.unique(g)))
        if k < 2:
            raise ParameterError("groups='id': the gold sentences come from one document; use groups=None")
        splits = list(GroupKFold(n_splits=k).split(X, y, g))
        basis = f"GroupKFold by document, {k} folds"
    else:
        smallest = int(pd.Series(y).value_counts().min())
        k = max(2, min(n_splits, smallest))
        if smallest >= 2:
            splits = list(StratifiedKFold(n_splits=k, shuffle=True, random_state=random_state).split(X, y))
            basis = f"StratifiedKFold, {k} folds"
        else:
            splits = list(KFold(n_splits=min(n_splits, len(y)), shuffle=True, random_state=random_state).split(X))
            basis = f"KFold, {len(splits)} folds (a class has one sentence: no stratification)"
    key = coded["id"].astype(str) + ":" + coded["sentence"].astype(str)
    fold_of = {}
    score_of: dict[str, float] = {}
    label_of: dict[str, str] = {}
    tkey = (targets["id"].astype(str) + ":" + targets["sentence"].astype(str)).to_numpy()
    for f, (tr, te) in enumerate(splits):
        if len(set(y[tr])) < 2:
            raise ParameterError(f"fold {f + 1}: the training sentences have a single class; use fewer folds "
                                 "or groups=None")
        m = clone(model).fit(list(X[tr]), list(y[tr]))
        held = set(key.iloc[te])
        sel = np.flatnonzero(np.isin(tkey, list(held)))
        s, lab = proba_scores(m, targets["text"].astype(str).to_numpy()[sel].tolist())
        for j, i in enumerate(sel):
            fold_of[tkey[i]], score_of[tkey[i]], label_of[tkey[i]] = f, float(s[j]), str(lab[j])
    rest = [i for i, t in enumerate(tkey) if t not in fold_of]
    if rest:
        m = clone(model).fit(list(X), list(y))
        s, lab = proba_scores(m, targets["text"].astype(str).to_numpy()[rest].tolist())
        for j, i in enumerate(rest):
            fold_of[tkey[i]], score_of[tkey[i]], label_of[tkey[i]] = -1, float(s[j]), str(lab[j])
    out = targets.copy()
    out["label"] = pd.array([label_of[t] for t in tkey], dtype="string")
    out["score"] = np.array([score_of[t] for t in tkey], dtype=float)
    gl = dict(zip(key, coded["gold_label"].astype(str)))
    out["gold"] = pd.array([gl.get(t, pd.NA) for t in tkey], dtype="string")
    out["fold"] = np.array([fold_of[t] for t in tkey], dtype=np.int64)
    out["id"] = out["id"].astype("string")
    lead = ["id", "date", "sentence", "text", "label", "score"]
    out = out[lead + [c for c in out.columns if c not in lead]].reset_index(drop=True)
    out.attrs["corpuskit"] = {"kind": "stance", "unit": "sentence", "method": "classifier (cross-fitted)",
                              "folds": basis}
    if unit == "sentence":
        return out
    doc = document_stance(out, tk.docvars, n_boot=n_boot, random_state=random_state, method="classifier")
    doc.attrs["corpuskit"]["folds"] = basis
    return doc


