"""Stance toward a target: target sentences, a stance cue lexicon, document scores with CIs, gold codes.

Pipeline (any target, any cue lexicon, any corpus; the Japanese rearmament study's lexicons ship as
package data, used only when asked for by name, ``target="rearmament", cues="rearmament"``: a
call without a lexicon raises, naming what to pass, instead of scoring a corpus with them):

1. :func:`target_sentences` finds the sentences that speak of the target with a target lexicon of
   words, globs and multiword phrases (e.g. ``corpuskit/data/rearmament_target.yml``; :func:`load_target`).
2. :func:`score_stance` scores each target sentence favor / against / none with a score in [-1, 1],
   either from a stance cue lexicon (``method="lexicon"``, ``corpuskit/data/stance_cues.yml``;
   :func:`load_cues`) or from a supervised classifier trained on coded sentences
   (``method="classifier"``), and averages them per document with a bootstrap CI.
   :func:`cross_fit_stance` gives out-of-fold classifier scores so that no sentence is scored by a
   model trained on it.
3. Gold standard helpers for researchers who code their own sentences: :func:`sentence_hash`,
   :func:`read_gold`, :func:`check_gold`, :func:`attach_gold`, :func:`sample_for_coding`, :func:`target_detection`,
   :func:`agreement` (accuracy, macro-F1, Cohen's kappa).

The lexicon method is dictionary-based stance detection with target attachment (cf. the
target-dependent features of Jiang et al. 2011, "Target-dependent Twitter sentiment classification",
ACL, and the stance task of Mohammad et al. 2016, SemEval Task 6): a cue counts only in a target
sentence and only when it attaches to a matched target term, in the same clause or within ``window``
tokens; a cue inside a negation scope (NLTK's ``mark_negation``, Das & Chen 2001) is flipped.

Lexicon files use the corpuskit dictionary layout of :func:`corpuskit.dictionary.load_dictionary` (a
header, then ``frames:`` whose keys are target facets or cue classes), so a malformed file raises an
error naming the file and line. Cue classes must be named ``favor``/``against`` or nested under
them (``favor.necessity``): the first name part gives the polarity.

Modules: :mod:`~corpuskit.stance.gold` (gold standard, agreement), :mod:`~corpuskit.stance.lexicon`
(lexicons, target sentences, negation, lexicon scores, document aggregation),
:mod:`~corpuskit.stance.crossfit` (classifier glue, cross-fitting), :mod:`~corpuskit.stance.score`
(:func:`score_stance`).
"""
from ..classifier import LABEL_SCORES
from .crossfit import cross_fit_stance
from .gold import (GOLD_COLUMNS, LABELS, GoldError, agreement, attach_gold, check_gold, read_gold,
                   sample_for_coding, sentence_hash, target_detection)
from .lexicon import PACKAGED_CUES, PACKAGED_TARGETS, document_stance, load_cues, load_target, target_sentences
from .score import score_stance

__all__ = ["LABELS", "LABEL_SCORES", "GoldError", "load_target", "load_cues", "sentence_hash", "target_sentences",
           "score_stance", "cross_fit_stance", "document_stance", "read_gold", "check_gold", "attach_gold",
           "sample_for_coding", "agreement", "target_detection"]
