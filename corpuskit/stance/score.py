"""``score_stance``: target sentences scored by the cue lexicon or a classifier, per sentence or document.

>>> scores = ck.score_stance(ck.load_corpus("seeds"), target="rearmament", cues="rearmament", random_state=1)
>>> scores.columns.tolist()
['id', 'date', 'date_mid', 'year', 'stance', 'ci_low', 'ci_high', 'n_sentences', 'ci_basis', 'method']
"""
from __future__ import annotations

import os
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..dictionary import Dictionary
from .crossfit import default_model, labels_table, proba_scores
from ..tokenizer import Tokens, tokens
from .lexicon import TargetTokens, document_stance, lexicon_matches, lexicon_scores, load_cues, load_target, target_table

__all__ = ["score_stance"]


# ============================================================================ public scoring
def score_stance(corpus: "Corpus | Tokens", method: str = "lexicon", unit: str = "document",
                 target: "str | os.PathLike | Mapping | Sequence[str] | Dictionary | None" = None,
                 cues: "str | os.PathLike | Mapping | Dictionary | None" = None, model=None,
                 labels: pd.DataFrame | None = None, n_boot: int = 1000, random_state: int | None = None,
                 window: int = 8) -> pd.DataFrame:
    """Stance of each target sentence or document toward the target, in [-1, 1].

    Parameters
    ----------
    corpus : a corpuskit Corpus (or streamed chunk), tokenized once with :func:`corpuskit.tokenizer.tokens`,
        or its :class:`~corpuskit.tokenizer.Tokens`, read as given (the streamed pass hands each chunk's).
        Target sentences are found from the Tokens' vocabulary index; only their tokens are scored.
    method : ``"lexicon"`` (default; no labels needed: the cue lexicon, see the module docstring and
        ``corpuskit/data/stance_cues.yml``) or ``"classifier"``: ``model`` (any scikit-learn-like
        estimator with ``fit(texts, labels)``, ``predict_proba``, ``classes_``; default
        ``corpuskit.classifier.StanceClassifier``) is fitted on ``labels`` (a DataFrame with
        ``sentence``/``text`` and ``label`` in favor/against/none, e.g. :func:`read_gold`) and scores
        each target sentence P(favor) - P(against). Sentences in ``labels`` are scored in-sample:
        use :func:`cross_fit_stance` to score the coded sentences themselves.
    unit : the unit of analysis, ``"sentence"`` (one row per target sentence: id, date, sentence, text, label, score,
        then raw_start, raw_end, terms and, for the lexicon, n_favor, n_against, cues) or
        ``"document"`` (:func:`document_stance`: one row per document of the corpus, including
        documents without target sentences).
    target, cues : anything :func:`load_target` / :func:`load_cues` accept; both required for the lexicon
        method (``None`` raises; the packaged ones are asked for by name: ``target="rearmament",
        cues="rearmament"``), ``target`` also for the classifier.
    window : a cue attaches to a target term in its clause or within this many tokens of it.
    n_boot, random_state : bootstrap settings for document CIs (same seed, same table).

    Example
    -------
    >>> ck.score_stance(ck.load_corpus("seeds"), target="rearmament", cues="rearmament",
    ...                 random_state=1)[["id", "stance", "ci_low", "ci_high", "n_sentences"]].round(3)
        id  stance  ci_low  ci_high  n_sentences
    0  000   0.333   0.000    0.667            9
    1  001   0.158  -0.053    0.368           19
    2  002   0.294   0.059    0.588           17
    3  003   0.033  -0.200    0.250           20
    4  004   0.462   0.229    0.769           13
    """
    if method not in ("lexicon", "classifier"):
        raise ParameterError(f"method={method!r}: use 'lexicon' or 'classifier'")
    if unit not in ("document", "sentence"):
        raise ParameterError(f"unit={unit!r}: use 'document' or 'sentence'")
    if not isinstance(window, (int, np.integer)) or window < 0:
        raise ParameterError(f"window={window!r}: pass a number of tokens >= 0")
    tlex = load_target(target)
    cue_lex = load_cues(cues) if method == "lexicon" else None  # a missing lexicon fails before tokenizing
    tk = tokens(corpus)
    stream = TargetTokens(tk, tlex)
    tm = lexicon_matches(stream, tlex, stream.target_matches)
    targets, rows = target_table(stream, tm)
    if method == "lexicon":
        sent = lexicon_scores(stream, tm, targets, rows, cue_lex, window)
    else:
        if labels is None:
            raise ParameterError("method='classifier' needs labels= (a DataFrame with sentence and label, e.g. "
                                 "ck.read_gold(...)) to train on")
        X, y = labels_table(labels)
        model = default_model(random_state) if model is None else model
        model.fit(X, y)
        sent = targets.copy()
        score, lab = proba_scores(model, sent["text"].astype(str).tolist())
        sent["label"] = pd.array(lab if len(lab) else [], dtype="string")
        sent["score"] = score
    sent["id"] = sent["id"].astype("string")
    lead = ["id", "date", "sentence", "text", "label", "score"]
    sent = sent[lead + [c for c in sent.columns if c not in lead]].reset_index(drop=True)
    sent.attrs["corpuskit"] = {"kind": "stance", "unit": "sentence", "method": method,
                               "target": tlex.name, "target_version": tlex.version}
    if unit == "sentence":
        return sent
    out = document_stance(sent, tk.docvars, n_boot=n_boot, random_state=random_state, method=method)
    out.attrs["corpuskit"].update(method=method, target=tlex.name, target_version=tlex.version)
    return out


