"""``corpuskit figures``: run a study (:mod:`corpuskit.study`) and write its figures and summary.json.

A study file names the corpus, eras, comparisons, lexicons and settings; the run is a list of steps; each computes library results (DataFrames) and
draws them with :mod:`corpuskit.plots`, the same functions the notebooks call.
Output: ``<out>/<name>.png`` and ``.svg`` per figure, plus ``summary.json``
with every number the README quotes and a ``provenance`` block (corpuskit version, sha256 of the
study file, of each lexicon, dictionary and gold file used, and one of the corpus's metadata and texts).
Everything is written to a temporary
folder first and moved into place only when all steps succeeded, so a failure
never leaves half-written output.

Determinism: BLAS is limited to one thread (threadpoolctl), every random step
takes ``random_state``, plotted values are rounded and file metadata carries
no dates or versions — so running twice gives byte-identical files in the
pinned environment (``constraints.txt``).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import pathlib
import re
import shutil
import sys
import warnings
from importlib import resources
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.metrics import cohen_kappa_score
from threadpoolctl import threadpool_limits
from tqdm import tqdm  # text bar: tqdm.auto would need ipywidgets in notebooks

from . import periods, plots
from .classifier import LABEL_SCORES
from .clean import Cleaner
from .corpus import load_corpus
from .dictionary import PACKAGED_DICTIONARIES
from .errors import CorpuskitError
from .frames import frame_prevalence, load_dictionary, score_frames
from .matrix import dfm
from .tokenizer import tokens
from .outputs import check_conflicts, check_out_dir, commit_outputs, staging_dir
from .scaling import Wordfish
from .shift import (change_point_interval, compare_eras, era_robustness, excluded_documents, period_means,
                    serial_correlation, stance_shift)
from .stance import (agreement, attach_gold, cross_fit_stance, document_stance, read_gold, score_stance,
                     target_detection)
from .stance.lexicon import PACKAGED_CUES, PACKAGED_TARGETS
from .study import StudyError, StudySpec, init_study_text, load_study, parse_span
from .textstat import keyness
from .topics import TopicModel, select_n_topics
from .version import __version__

__all__ = ["Study", "run_study", "run_study_file", "provenance", "add_figures_command"]

FORMATS = ("png", "svg")


@dataclass
class Study:
    """Results, figures and summary numbers of one run of the study."""

    corpus: Any
    spec: StudySpec
    results: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def random_state(self) -> int:
        return self.spec.random_state


def _num(x: Any, digits: int = 3) -> Any:
    """JSON-safe rounded number (None for NaN)."""
    if x is None:
        return None
    if isinstance(x, (np.integer, int)):
        return int(x)
    x = float(x)
    return None if not np.isfinite(x) else round(x, digits)


def _comparisons(study: Study) -> list[tuple[str, tuple[str, str], str, tuple[str, str]]]:
    """(name, span) of the two eras of each comparison, in the study's order."""
    eras = study.spec.eras
    return [(a, eras[a], b, eras[b]) for a, b in study.spec.comparisons]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def comparison_figure(i: int, a: str, b: str) -> str:
    """The keyness figure's name of comparison ``i`` (the first keeps the name ``keyness``)."""
    return "keyness" if i == 0 else f"keyness_{_slug(a)}_vs_{_slug(b)}"


# --------------------------------------------------------------------------- steps
def step_corpus(study: Study) -> None:
    corpus = study.corpus
    dv = corpus.docvars
    rem = corpus.removals()
    study.figures["corpus_timeline"] = plots.plot_timeline(dv, date_label=study.spec.date_label)
    study.summary["corpus"] = {
        "n_documents": len(corpus),
        "documents": [{"id": r.id, "date": str(r.date.date()), "precision": r.date_precision,
                       "removals": int((rem["id"] == r.id).sum()),
                       "chars_removed": int(rem.loc[rem["id"] == r.id, "n_chars"].sum())}
                      for r in dv.itertuples()],
        "years": sorted({int(y) for y in dv["year"]}),
    }


def step_frames(study: Study) -> None:
    dictionary = _frames_dictionary(study.spec)  # levels: 1 scores threat.china, threat.north_korea... as "threat"
    per_doc = score_frames(study.corpus, dictionary)
    prev = frame_prevalence(study.corpus, dictionary=dictionary, by=study.spec.period,
                            random_state=study.random_state)
    study.results["frames_per_document"] = per_doc
    study.results["frame_prevalence"] = prev
    study.figures["frames_over_time"] = plots.plot_prevalence(
        prev, category="frame", label=None, ylabel="share of all frame hits (%)", date_label=_period_label(study.spec))
    has = prev[prev["n_docs"] > 0]
    study.summary["frames"] = {
        "dictionary": {"name": dictionary.name, "version": dictionary.version, "n_frames": len(dictionary)},
        "per_document_per_1000_tokens": {
            r["id"]: {f: _num(r[f], 1) for f in dictionary.keys()} for _, r in per_doc.iterrows()},
        f"share_by_{study.spec.period}": {
            f"{r.period}:{r.frame}": {"share": _num(r.share), "ci_low": _num(r.ci_low), "ci_high": _num(r.ci_high),
                                      "n_docs": int(r.n_docs), "ci_basis": r.ci_basis}
            for r in has.itertuples()},
    }
    if study.spec.frame_precision is not None:
        study.summary["frames"]["precision"] = frame_precision(study.spec.frame_precision, dictionary.keys())


def frame_precision(path: pathlib.Path, frames: list[str]) -> dict:
    """Precision per frame from judged dictionary hits: a CSV with a ``frame`` and a ``relevant`` (yes/no)
    column, one row per hit drawn at random and judged in context against the codebook."""
    try:
        judged = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise StudyError(f"{path}: no such file (frames.precision_check); give the judged hits or drop the key") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:  # one line naming the file, never a traceback
        raise StudyError(f"{path}: not a readable UTF-8 CSV ({str(exc).splitlines()[0]}); check its quoting") from None
    missing = [c for c in ("frame", "relevant") if c not in judged.columns]
    if missing:
        raise StudyError(f"{path}: missing column(s) {', '.join(missing)}; the file needs frame and relevant (yes/no)")
    bad = judged[~judged["relevant"].isin(["yes", "no"])]
    if len(bad):
        raise StudyError(f"{path}, row {bad.index[0] + 2}: relevant={bad['relevant'].iloc[0]!r}; write yes or no")
    unknown = sorted(set(judged["frame"]) - set(frames))
    if unknown:
        raise StudyError(f"{path}: frame {unknown[0]!r} is not in the dictionary; frames: {', '.join(frames)}")
    out = {}
    for f in frames:
        j = judged[judged["frame"] == f]
        if len(j):
            yes = int((j["relevant"] == "yes").sum())
            out[f] = {"n_judged": int(len(j)), "n_relevant": yes, "precision": _num(yes / len(j))}
    return out


def step_topics(study: Study) -> None:
    spec = study.spec
    params = {"unit": spec.topic_unit, "stop_words": _stop_words(spec), "remove_numbers": spec.remove_numbers}
    selection = select_n_topics(study.corpus, ks=spec.k, random_state=study.random_state, **params)
    k = int(selection.loc[selection["recommended"], "k"].iloc[0])
    model = TopicModel(n_topics=k, random_state=study.random_state, **params).fit(study.corpus)
    prev = model.prevalence(by=study.spec.period, random_state=study.random_state)
    terms = model.top_terms(10)
    coh = model.coherence("c_npmi", texts=study.corpus)
    study.results.update({"k_selection": selection, "topic_prevalence": prev, "top_terms": terms,
                          "document_topics": model.document_topics(), "coherence": coh})
    study.figures["topics_choice_of_k"] = plots.plot_k_selection(selection)
    study.figures["topics_over_time"] = plots.plot_prevalence(prev, category="topic", label="label",
                                                                date_label=_period_label(study.spec))
    has = prev[prev["n_docs"] > 0]
    study.summary["topics"] = {
        "unit": model.unit_, "n_units": int(model.unit_topics_.shape[0]), "k": k,
        "rule": selection.attrs.get("rule", ""),
        "selection": [{"k": int(r.k), "coherence": _num(r.coherence), "diversity": _num(r.diversity),
                       "stability": _num(r.stability), "stability_se": _num(r.stability_se),
                       "recommended": bool(r.recommended)} for r in selection.itertuples()],
        "topics": [{"topic": int(t), "label": model.labels_[t],
                    "top_terms": terms.loc[terms["topic"] == t, "term"].tolist(),
                    "c_npmi": _num(coh.loc[coh["topic"] == t, "coherence"].iloc[0])} for t in range(k)],
        "mean_c_npmi": _num(coh.attrs.get("mean", coh["coherence"].mean())),
        f"prevalence_by_{study.spec.period}": {f"{r.period}:{r.topic}": {"share": _num(r.share), "ci_low": _num(r.ci_low),
                                                         "ci_high": _num(r.ci_high), "n_docs": int(r.n_docs),
                                                         "ci_basis": r.ci_basis} for r in has.itertuples()},
    }


def _period_label(spec: StudySpec) -> str:
    """The date axis of a per-period figure: the study's wording, and the period when it is not a year."""
    return spec.date_label if spec.period == "year" else f"{spec.date_label}, per {spec.period}"


def _stop_words(spec: StudySpec):
    return list(spec.stop_words) if isinstance(spec.stop_words, tuple) else spec.stop_words


def _record_comparison(study: Study, i: int, key: str, value: Any) -> None:
    """The first comparison's block stays at the top level (the README quotes its keys); with several
    comparisons every one is also listed under ``comparisons``."""
    if i == 0:
        study.summary[key] = value
    if len(study.spec.comparisons) > 1:
        a, b = study.spec.comparisons[i]
        study.summary.setdefault("comparisons", {}).setdefault(f"{a} vs {b}", {"a": a, "b": b})[key] = value


def step_keyness(study: Study) -> None:
    for i, (name_a, span_a, name_b, span_b) in enumerate(_comparisons(study)):
        a, b = study.corpus.between(*span_a), study.corpus.between(*span_b)
        for side_name, side, label in (("before", a, name_a), ("after", b, name_b)):
            if len(side) == 0:
                dv = study.corpus.docvars
                raise CorpuskitError(f"{side_name} period {label} holds no documents (the corpus runs "
                                     f"{dv['date'].min():%Y-%m-%d} to {dv['date_end'].max():%Y-%m-%d}); choose "
                                     f"periods with the study's eras or --before / --after")
        stop = _stop_words(study.spec)
        table = keyness(a, b, stop_words=stop, remove_numbers=study.spec.remove_numbers)
        study.results["keyness" if i == 0 else f"keyness {name_a} vs {name_b}"] = table
        labels = (name_a, name_b)
        study.figures[comparison_figure(i, name_a, name_b)] = plots.plot_keyness(table, n=15, labels=labels)
        top = lambda t: [{"term": r.term, "z": _num(r.z, 2), "count_a": int(r.count_a), "count_b": int(r.count_b)}
                         for r in t.itertuples()]
        _record_comparison(study, i, "keyness", {
            "a": labels[0], "b": labels[1], "stop_words": stop, "n_a_docs": len(a), "n_b_docs": len(b),
            "top_a": top(table.head(15)), "top_b": top(table.tail(15).iloc[::-1]),
            "z_threshold": 1.96, "n_abs_z_over_1_96": int((table["z"].abs() > 1.96).sum())})


def _stance_rows(doc: pd.DataFrame) -> dict:
    return {r.id: {"stance": _num(r.stance), "ci_low": _num(r.ci_low), "ci_high": _num(r.ci_high),
                   "n_sentences": int(r.n_sentences), "ci_basis": str(r.ci_basis)} for r in doc.itertuples()}


def _agreement(gold, predicted) -> dict:
    a = agreement(list(gold), list(predicted))
    return {"n": a["n"], "accuracy": _num(a["accuracy"]), "macro_f1": _num(a["macro_f1"]), "kappa": _num(a["kappa"])}


def _intercoder(first: pd.DataFrame, second: pd.DataFrame, where) -> dict:
    """Agreement of two independent codings of the same sentences (matched by id and raw span)."""
    both = first.merge(second, on=["id", "start", "end"], suffixes=("_1", "_2"))
    if len(both) < len(second):
        raise CorpuskitError(f"{where}: {len(second) - len(both)} of its {len(second)} sentences are not in the "
                             "gold file (matched by id, start, end); code sentences of the gold sample")
    out = {"labels": _agreement(both["label_1"], both["label_2"])}
    if "target_1" in both and "target_2" in both:
        t1, t2 = both["target_1"].astype(str), both["target_2"].astype(str)
        out["target"] = {"n": int(len(both)), "agreement": _num((t1 == t2).mean()),
                         "kappa": _num(cohen_kappa_score(t1, t2))}
    return out


def step_stance(study: Study) -> None:
    """Stance per article by the lexicon, the out-of-fold classifier and the hand codes, side by side."""


    corpus, rs, spec = study.corpus, study.random_state, study.spec
    dv = corpus.docvars
    lex = score_stance(corpus, method="lexicon", unit="sentence", target=spec.target, cues=spec.cues)
    sentences = {"lexicon": lex}
    summary: dict[str, Any] = {"n_target_sentences": {d: int((lex["id"] == d).sum()) for d in dv["id"]}}
    if spec.gold is not None:
        gold = read_gold(spec.gold)
        coded = gold[gold["target"].astype(str) == "yes"] if "target" in gold.columns else gold
        dates = dv.set_index("id")["date"]
        sentences["hand-coded"] = coded.assign(score=coded["label"].map(LABEL_SCORES).astype(float),
                                               date=coded["id"].map(dates))
        with warnings.catch_warnings(record=True) as caught:  # kept in summary.json, not printed per fold
            warnings.simplefilter("always")
            sentences["classifier"] = clf = cross_fit_stance(corpus, gold, groups="id", random_state=rs,
                                                                      target=spec.target)
        summary["classifier_notes"] = sorted({str(w.message) for w in caught})
        lg = attach_gold(lex, gold)
        on = lg["gold_label"].notna()
        cg = clf[clf["gold"].notna()]
        td = target_detection(lex, gold) if "target" in gold.columns else None
        summary.update({
            "gold": {"n_coded": len(gold), "n_target": len(coded),
                     "labels": {k: int((coded["label"] == k).sum()) for k in LABEL_SCORES}},
            "target_detection": {"found": len(lex), "found_coded": td["n_found_coded"],
                                 "on_target_by_gold": td["n_found_on_target"], "precision": _num(td["precision"]),
                                 "recall": _num(td["recall"]),
                                 "weighted": "weight" in gold.columns} if td else None,
            "agreement_lexicon": _agreement(lg.loc[on, "gold_label"], lg.loc[on, "label"]),
            "agreement_classifier_leave_one_article_out": _agreement(cg["gold"], cg["label"]),
        })
        if spec.second_coding is not None:
            summary["intercoder"] = _intercoder(gold, read_gold(spec.second_coding), spec.second_coding)
    table = pd.concat([document_stance(t, dv, n_boot=spec.n_boot, random_state=rs, method=m)
                       for m, t in sentences.items()], ignore_index=True)
    study.results["stance_sentences"] = pd.concat(
        [t[["id", "date", "score"]].assign(method=m) for m, t in sentences.items()], ignore_index=True)
    study.results["stance_documents"] = table
    study.figures["stance_by_method"] = plots.plot_stance(table, method="method", date_label=spec.date_label)
    summary["documents"] = {m: _stance_rows(table[table["method"] == m]) for m in dict.fromkeys(table["method"])}
    summary["n_boot"] = spec.n_boot
    study.summary["stance"] = summary


def step_wordfish(study: Study) -> None:
    """Wordfish positions oriented from the earliest to the latest document, compared with the lexicon."""


    dv = study.corpus.docvars.sort_values(["date", "id"])
    direction = (str(dv["id"].iloc[0]), str(dv["id"].iloc[-1]))
    X = dfm(study.corpus)  # quanteda's defaults for Wordfish: lower case, no punctuation, stop words kept
    model = Wordfish(dir=direction).fit(X)  # quanteda's Hessian SEs, drawn in the figure
    # the paper's parametric bootstrap, as a check: on five documents it shows bias the Hessian cannot
    refits = study.spec.wordfish_refits
    # refits: 0 skips the check (a long corpus, where the Hessian SEs are the interval to read)
    boot = (Wordfish(dir=direction, se="bootstrap", n_boot=refits, random_state=study.random_state).fit(X)
            if refits else None)
    table = model.to_frame()
    table = table.merge(study.corpus.docvars[["id", "date_mid"]], on="id", how="left")
    study.results["wordfish"] = table
    study.figures["wordfish"] = plots.plot_wordfish(table, date_label=study.spec.date_label)
    feats = model.feature_table()
    out = {"dir": list(direction), "n_features": int(len(feats)), "converged": bool(model.converged_),
           "documents": {r.id: {"theta": _num(r.theta), "se": _num(r.se), "ci_low": _num(r.ci_low),
                                "ci_high": _num(r.ci_high)} for r in table.itertuples()},
           "n_boot": refits,
           "top_negative_beta": feats.nsmallest(10, "beta")["feature"].tolist(),
           "top_positive_beta": feats.nlargest(10, "beta")["feature"].tolist()}
    if boot is not None:
        for r, bse, bl, bh in zip(table.itertuples(), boot.se_theta_, boot.ci_low_, boot.ci_high_):
            out["documents"][r.id].update({"se_bootstrap": _num(bse), "boot_ci_low": _num(bl), "boot_ci_high": _num(bh)})
        out["n_bootstrap_intervals_excluding_theta"] = int(
            ((boot.ci_low_ > model.theta_) | (boot.ci_high_ < model.theta_)).sum())
    out["spearman_theta_date"] = _num(spearmanr(table["theta"], table["date_mid"].astype("int64")).statistic)
    docs = study.results.get("stance_documents")
    if docs is not None:  # theta is a latent position, not a stance: compare by sign and rank only
        lex = docs[docs["method"] == "lexicon"].set_index("id")["stance"]
        joined = table.set_index("id")["theta"].to_frame().join(lex).dropna()
        out["spearman_theta_lexicon_stance"] = _num(spearmanr(joined["theta"], joined["stance"]).statistic)
    study.summary["wordfish"] = out


def _shift_row(r: pd.Series) -> dict:
    return {"estimate": _num(r["estimate"]), "ci_low": _num(r["ci_low"]), "ci_high": _num(r["ci_high"]),
            "p_value": _num(r["p_value"]), "p_method": str(r["p_method"]), "p_min": _num(r["p_min"], 4),
            "basis": str(r["basis"]), "n_before": int(r["n_before"]), "n_after": int(r["n_after"]),
            "note": str(r["note"])}


def step_shift(study: Study) -> None:
    """Each comparison's stance shift (e.g. 2006 → 2021–2024) by each method, with documents and with
    sentences as units."""

    docs, sents = study.results["stance_documents"], study.results["stance_sentences"]
    rows, excluded = [], []
    for i, (name_a, span_a, name_b, span_b) in enumerate(_comparisons(study)):
        out: dict[str, Any] = {"before": name_a, "after": name_b}
        for m in dict.fromkeys(docs["method"]):
            kw = dict(before=span_a, after=span_b, n_boot=study.spec.n_boot, random_state=study.random_state)
            by_doc = stance_shift(docs[docs["method"] == m], unit="documents", **kw)
            by_sent = stance_shift(sents[sents["method"] == m], unit="sentences", **kw)
            # the documents each shift leaves out (n_excluded), one row each rather than ids in a cell
            excluded.append(excluded_documents(docs[docs["method"] == m], {name_a: span_a, name_b: span_b})
                            .assign(method=m))
            out[m] = {"documents": _shift_row(by_doc.iloc[0]), "sentences": _shift_row(by_sent.iloc[0])}
            rows += [by_doc.assign(method=m, before_era=name_a, after_era=name_b),
                     by_sent.assign(method=m, before_era=name_a, after_era=name_b)]
        _record_comparison(study, i, "shift", out)
    if rows:
        study.results["stance_shift"] = pd.concat(rows, ignore_index=True)
        study.results["stance_shift_excluded"] = pd.concat(excluded, ignore_index=True)


# ---------------------------------------------------------------- eras, change points, length, beside
def _frames_dictionary(spec: StudySpec):
    dictionary = load_dictionary(spec.frames)
    if spec.frame_levels is not None:
        dictionary = dictionary.collapse(spec.frame_levels)
    return dictionary


def _frame_shares(corpus, dictionary) -> pd.DataFrame:
    """Per document: id, date and, per frame, the share of its sentences with a hit of the frame (a rate,
    so a long statement does not count more than a short one)."""
    fs = score_frames(corpus, dictionary, unit="sentence", per=None)
    frames = fs.attrs["corpuskit"]["frames"]
    share = (fs[frames] > 0).astype(float).groupby(fs["id"].astype(str), sort=False).mean()
    dv = corpus.docvars
    out = pd.DataFrame({"id": dv["id"].astype(str).to_numpy(), "date": dv["date"].to_numpy()})
    return out.join(share, on="id")


def _document_values(study: Study) -> tuple[pd.DataFrame, list[str]]:
    """One row per document: the lexicon stance (when the stance step ran) and each frame's sentence share."""
    if "document_values" in study.results:
        docs = study.results["document_values"]
        return docs, [c for c in docs.columns if c not in ("id", "date")]
    docs = _frame_shares(study.corpus, _frames_dictionary(study.spec))
    stance = study.results.get("stance_documents")
    if stance is not None:
        lex = stance[stance["method"] == "lexicon"].assign(id=lambda d: d["id"].astype(str)).set_index("id")["stance"]
        docs.insert(2, "stance", docs["id"].map(lex).astype(float))
    study.results["document_values"] = docs
    return docs, [c for c in docs.columns if c not in ("id", "date")]


def step_eras(study: Study) -> None:
    """Every pair of eras compared on stance and each frame's share (Holm over the family), the same
    with each era boundary moved, and the serial correlation of each yearly series."""
    spec, rs = study.spec, study.random_state
    docs, values = _document_values(study)
    kw = dict(value=values, pairs=spec.comparisons or None, n_boot=spec.n_boot, n_perm=spec.n_perm, random_state=rs)
    table = compare_eras(docs, spec.eras, **kw)
    study.results["era_comparisons"] = table
    study.figures["era_comparisons"] = plots.plot_era_comparisons(table)
    out: dict[str, Any] = {"family_size": int(len(table)), "n_boot": spec.n_boot, "n_perm": spec.n_perm,
                           "values": values, "comparisons": {
        f"{r.value}: {r.era_a} vs {r.era_b}": {
            "mean_a": _num(r.mean_a), "mean_b": _num(r.mean_b), "difference": _num(r.difference),
            "ci_low": _num(r.ci_low), "ci_high": _num(r.ci_high), "p_value": _num(r.p_value, 4),
            "p_holm": _num(r.p_holm, 4), "n_a": int(r.n_a), "n_b": int(r.n_b)} for r in table.itertuples()}}
    out["n_holm_significant"] = int((table["p_holm"] < 0.05).sum())
    if spec.robustness_years:
        k = spec.robustness_years
        rob = era_robustness(docs, spec.eras, shifts=(-k, k), **kw)
        study.results["era_robustness"] = rob
        base = rob[rob["shift"] == 0].set_index(["value", "era_a", "era_b"])
        moved = rob[rob["shift"] != 0]
        # a comparison is robust when its Holm verdict at 0.05 is the same under every moved boundary
        verdict = {key: bool(base.loc[key, "p_holm"] < 0.05) for key in base.index}
        flips = [r for r in moved.itertuples() if (r.value, r.era_a, r.era_b) in verdict
                 and bool(r.p_holm < 0.05) != verdict[(r.value, r.era_a, r.era_b)]]
        out["robustness"] = {"shift_years": k, "n_runs": int(moved[["boundary", "shift"]].drop_duplicates().shape[0]),
                             "n_verdict_changes": len(flips),
                             "changes": sorted({f"{r.value}: {r.era_a} vs {r.era_b} ({r.boundary} {r.shift:+d})"
                                                for r in flips})}
    series = pd.DataFrame({v: period_means(docs, by=spec.period, value=v, n_boot=1, random_state=0)
                           .set_index("period")["mean"] for v in values})
    serial = serial_correlation(series, eras=spec.eras)
    study.results["serial_correlation"] = serial
    out["serial_correlation"] = {r.series: {"r1_resid": _num(r.r1_resid), "durbin_watson": _num(r.durbin_watson),
                                            "n": int(r.n), "n_eff": _num(r.n_eff, 1)} for r in serial.itertuples()}
    study.summary["eras"] = out


def step_change_points(study: Study) -> None:
    """Change points of each yearly series (stance, frame shares), with a bootstrap interval for the year."""
    spec, rs = study.spec, study.random_state
    docs, values = _document_values(study)
    table = change_point_interval(docs, by=spec.period, value=values, min_size=spec.cp_min_size,
                                  n_boot=spec.cp_n_boot, random_state=rs)
    series = pd.concat([period_means(docs, by=spec.period, value=v, n_boot=1, random_state=0)
                        .query("n_docs > 0")[["period", "mean"]].assign(value=v) for v in values], ignore_index=True)
    series["period"] = series["period"].astype(str)
    study.results["change_points"] = table
    study.figures["change_points"] = plots.plot_change_points(series, table, date_label=spec.date_label)
    sig = table[table["significant"]]
    study.summary["change_points"] = {
        "min_size": spec.cp_min_size, "n_boot": spec.cp_n_boot, "by": spec.period,
        "found": {v: [{"year": str(r.label), "ci_low": str(r.label_ci_low), "ci_high": str(r.label_ci_high),
                       "p_value": _num(r.p_value, 4), "mean_left": _num(r.mean_left), "mean_right": _num(r.mean_right),
                       "share_at_label": _num(r.share_at_label)}
                      for r in sig[sig["value"] == v].sort_values("label").itertuples()] for v in values},
        "first_split": {v: {"year": str(r.label), "ci_low": str(r.label_ci_low), "ci_high": str(r.label_ci_high),
                            "p_value": _num(r.p_value, 4)}
                        for v in values for r in table[(table["value"] == v) & (table["depth"] == 0)].itertuples()}}


def step_length(study: Study) -> None:
    """Tokens per document over time (rates elsewhere correct for it), coloured by a document variable."""
    spec = study.spec
    tk = tokens(study.corpus)
    dv = study.corpus.docvars
    table = dv.assign(n_tokens=np.diff(tk.doc_ptr).astype(np.int64))
    if spec.length_by is not None and spec.length_by not in table.columns:
        raise StudyError(f"{spec.path or 'the study'}: length_by: {spec.length_by!r} is not a document variable; "
                         f"choose from {', '.join(c for c in dv.columns if c not in ('id', 'date'))}")
    study.results["document_length"] = table
    study.figures["document_length"] = plots.plot_document_length(table, by=spec.length_by,
                                                                   date_label=spec.date_label)
    out: dict[str, Any] = {"documents": {str(r.id): int(r.n_tokens) for r in table.itertuples()},
                           "spearman_tokens_date": _num(spearmanr(table["n_tokens"],
                                                                  table["date_mid"].astype("int64")).statistic)}
    if spec.length_by is not None:
        col = table[spec.length_by].astype("string").fillna("not recorded").replace("", "not recorded")
        out["by"] = {"variable": spec.length_by, "counts": {str(k): int(v) for k, v in col.value_counts().items()}}
    study.summary["document_length"] = out


def step_beside(study: Study) -> None:
    """The study's frames dictionary on a second corpus and on this one, year by year."""
    spec = study.spec
    if spec.beside_corpus is None:
        raise StudyError(f"{spec.path or 'the study'}: figure beside needs beside.corpus (a second corpus); "
                         "give one or drop the figure")
    dictionary = _frames_dictionary(spec)
    other = load_corpus(spec.beside_corpus)
    years = spec.beside_years or sorted({int(y) for y in other.docvars["year"]})
    rows = []
    for label, corpus in ((spec.beside_label, other), (spec.title or spec.name, study.corpus)):
        for y in years:
            sub = corpus.between(str(y), str(y))
            if len(sub) == 0:
                continue
            fs = score_frames(sub, dictionary, unit="sentence", per=None)
            frames = fs.attrs["corpuskit"]["frames"]
            share = (fs[frames] > 0).mean()
            rows += [{"source": label, "year": y, "category": f, "share": float(share[f]), "n_docs": len(sub),
                      "n_sentences": int(len(fs))} for f in frames]
    table = pd.DataFrame(rows, columns=["source", "year", "category", "share", "n_docs", "n_sentences"])
    study.results["beside"] = table
    study.figures["beside"] = plots.plot_beside(table)
    study.summary["beside"] = {
        "label": spec.beside_label, "years": list(spec.beside_years),
        "shares": {f"{r.source} {r.year}: {r.category}": _num(r.share) for r in table.itertuples()},
        "n_docs": {f"{r.source} {r.year}": int(r.n_docs) for r in table.drop_duplicates(["source", "year"]).itertuples()}}


# the figures each step draws, so --out can be checked before any work (a test keeps this true)
STEP_FIGURES: dict[str, tuple[str, ...]] = {
    "corpus": ("corpus_timeline",), "topics": ("topics_choice_of_k", "topics_over_time"),
    "frames": ("frames_over_time",), "keyness": ("keyness",), "stance": ("stance_by_method",), "shift": (),
    "wordfish": ("wordfish",), "eras": ("era_comparisons",), "change_points": ("change_points",),
    "length": ("document_length",), "beside": ("beside",)}

STEPS: list[tuple[str, Callable[[Study], None]]] = [("corpus", step_corpus), ("topics", step_topics),
                                                    ("frames", step_frames), ("keyness", step_keyness),
                                                    ("stance", step_stance), ("shift", step_shift),
                                                    ("wordfish", step_wordfish), ("eras", step_eras),
                                                    ("change_points", step_change_points), ("length", step_length),
                                                    ("beside", step_beside)]


# calls that predate study files ran the seed study's lexicons; they are named here, asked for by name
_SEED_LEXICONS = {"frames": "rearmament", "frame_levels": 1, "target": "rearmament", "cues": "rearmament"}


def steps_to_run(spec: StudySpec) -> list[str]:
    """The steps the study's figures need (the shift runs with the stance when there are comparisons)."""
    names = [name for name, _ in STEPS
             if set(STEP_FIGURES.get(name, ())) & set(spec.figures) or (name not in STEP_FIGURES)]
    if "stance_by_method" in spec.figures and spec.comparisons:
        names.append("shift")
    return [name for name, _ in STEPS if name in names]


def spec_figures(spec: StudySpec) -> list[str]:
    """The figures a run of ``spec`` draws (one keyness figure per comparison)."""
    run = steps_to_run(spec)
    names = [f for name, _ in STEPS if name in run for f in STEP_FIGURES.get(name, ()) if f != "keyness"]
    if "keyness" in run:
        names += [comparison_figure(i, a, b) for i, (a, b) in enumerate(spec.comparisons)]
    return names


def check_spec(spec: StudySpec) -> None:
    """What a study needs before any work: lexicons for the figures it asks for, comparisons for keyness."""
    where = spec.path or "the study"
    run = steps_to_run(spec)
    if "frames" in run and spec.frames is None:
        raise StudyError(f"{where}: figure frames_over_time needs frames.dictionary (a dictionary file); "
                         "give one or drop the figure")
    if "stance" in run and (spec.target is None or spec.cues is None):
        raise StudyError(f"{where}: figure stance_by_method needs stance.target and stance.cues (lexicon files); "
                         "give them or drop the figure")
    for step, fig in (("eras", "era_comparisons"), ("change_points", "change_points"), ("beside", "beside")):
        if step in run and spec.frames is None:
            raise StudyError(f"{where}: figure {fig} needs frames.dictionary (a dictionary file); give one or drop "
                             "the figure")
    if "eras" in run and len(spec.eras) < 2:
        raise StudyError(f"{where}: figure era_comparisons needs at least two eras; add eras or drop the figure")
    if "keyness" in run and not spec.comparisons:
        raise StudyError(f"{where}: figure keyness needs at least one comparison of two eras; add comparisons "
                         "or drop the figure")


def run_study(corpus, random_state: int = 0, steps: list[str] | None = None, gold=None,
              before: tuple[str, str] = ("2006", "2006"), after: tuple[str, str] = ("2021", "2024"),
              spec: StudySpec | None = None) -> Study:
    """Run a study's steps on a corpus; returns results, figures and summary numbers.

    ``spec`` (:func:`corpuskit.study.load_study`) holds every setting. Without it, the settings of a call
    that predates study files: the seed study's lexicons asked for by name, ``gold`` (a hand-coded gold
    standard, :func:`corpuskit.read_gold` format) and one comparison ``before`` → ``after``.

    >>> study = run_study(corpus, spec=load_study("seeds/study.yml"), steps=["corpus", "keyness"])
    >>> sorted(study.figures), sorted(study.results)
    (['corpus_timeline', 'keyness'], ['keyness'])
    """
    if spec is None:
        eras = {_span_label(tuple(before)): tuple(before), _span_label(tuple(after)): tuple(after)}
        spec = StudySpec(name="study", corpus=pathlib.Path("."), gold=None if gold is None else pathlib.Path(gold),
                         eras=eras, comparisons=[tuple(eras)], random_state=random_state, **_SEED_LEXICONS)
    study = Study(corpus, spec)
    run = steps_to_run(spec) if steps is None else steps
    todo = [(name, fn) for name, fn in STEPS if name in run]
    with threadpool_limits(limits=1):  # identical float summation order on every run
        # disable=None: quiet when stderr is not a terminal (logs, CI)
        for name, fn in tqdm(todo, desc=f"study {spec.name}", unit="step", disable=None):
            fn(study)
    return study


def _span_label(span: tuple[str, str]) -> str:
    """'2006' for ('2006', '2006'), '2021–2024' for ('2021', '2024'): the label periods.parse_span gives."""
    return periods.parse_span(span)[2]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _resource_hash(value, packaged: dict[str, str], base: pathlib.Path | None) -> dict[str, str] | None:
    """{source, sha256} of a lexicon: a packaged one by name, a file by its path relative to the study."""
    if value is None:
        return None
    if isinstance(value, str) and value in packaged:
        data = resources.files("corpuskit").joinpath("data", packaged[value]).read_bytes()
        return {"source": f"packaged:{value}", "sha256": _sha256(data)}
    path = pathlib.Path(value)
    try:
        shown = path.resolve().relative_to(base).as_posix() if base is not None else path.name
    except ValueError:
        shown = path.name
    return {"source": shown, "sha256": _sha256(path.read_bytes())}


def corpus_sha256(corpus, path: "str | pathlib.Path | None" = None) -> str:
    """One sha256 of a corpus's metadata and texts: the metadata file (a folder's metadata.csv, or the
    corpus file) and every document's id and raw text in corpus order."""
    h = hashlib.sha256()
    if path is not None:
        path = pathlib.Path(path)
        meta = path / "metadata.csv" if path.is_dir() else path
        if meta.is_file():
            h.update(meta.read_bytes())
    for doc in corpus:
        h.update(f"\0{doc.id}\0".encode("utf-8"))
        h.update(doc.raw.encode("utf-8"))
    return h.hexdigest()


def provenance(spec: StudySpec, corpus) -> dict[str, Any]:
    """What a summary.json was made from: corpuskit's version and sha256s of the study file, lexicons,
    dictionary, gold codes and corpus.

    >>> provenance(load_study("seeds/study.yml"), corpus)["corpuskit"]
    '0.2.0'
    """
    base = spec.path.resolve().parent if spec.path is not None else None
    used = set(steps_to_run(spec))
    out: dict[str, Any] = {"corpuskit": __version__,
                           "corpus": {"sha256": corpus_sha256(corpus, spec.corpus), "n_documents": len(corpus)}}
    if spec.path is not None:
        out["study"] = {"source": spec.path.name, "sha256": _sha256(spec.path.read_bytes())}
    lexicons = {
        "frames": _resource_hash(spec.frames, PACKAGED_DICTIONARIES, base) if "frames" in used else None,
        "target": _resource_hash(spec.target, PACKAGED_TARGETS, base) if "stance" in used else None,
        "cues": _resource_hash(spec.cues, PACKAGED_CUES, base) if "stance" in used else None,
        "gold": _resource_hash(spec.gold, {}, base) if "stance" in used else None}
    out["lexicons"] = {k: v for k, v in lexicons.items() if v is not None}
    return out


def load_spec_corpus(spec: StudySpec):
    """The study's corpus, cleaned with its rules (built-in and custom)."""
    return load_corpus(spec.corpus, clean=Cleaner(rules=spec.cleaning_rules, custom_rules=spec.custom_rules))


def run_study_file(path: "str | pathlib.Path") -> Study:
    """Load a study file, its corpus, and run it; the summary carries its provenance.

    >>> study = run_study_file("seeds/study.yml")
    >>> sorted(study.figures)
    ['corpus_timeline', 'frames_over_time', 'keyness', 'stance_by_method', 'topics_choice_of_k',
     'topics_over_time', 'wordfish']
    >>> sorted(study.summary)
    ['corpus', 'frames', 'keyness', 'provenance', 'shift', 'stance', 'topics', 'wordfish']
    """
    spec = load_study(path)
    return _run(spec)


def _run(spec: StudySpec) -> Study:
    check_spec(spec)
    corpus = load_spec_corpus(spec)
    study = run_study(corpus, spec=spec)
    study.summary["provenance"] = provenance(spec, corpus)
    return study


def write_outputs(study: Study, out: pathlib.Path, formats=FORMATS, force: bool = False) -> list[pathlib.Path]:
    """Write figures and summary.json into ``out``, all or nothing, touching only files corpuskit wrote.

    ``out`` keeps a manifest of what the run wrote (:mod:`corpuskit.outputs`): a file the manifest does not
    list is never replaced or removed, a listed file the user changed is not overwritten (``force``
    overrides both, for the files this run writes), and stale outputs of an earlier run go only if listed.
    """
    out = check_out_dir(out)
    check_conflicts(out, planned_names(study.figures, formats), force=force)
    staged = staging_dir(out)
    try:
        for name, fig in study.figures.items():
            plots.save_figure(fig, staged / name, formats)
        (staged / "summary.json").write_text(json.dumps(study.summary, indent=2, sort_keys=True,
                                                        ensure_ascii=False) + "\n", encoding="utf-8")
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    written, kept = commit_outputs(out, staged, force=force)
    for name in kept:
        print(f"corpuskit: kept {out / name}: an earlier run wrote it and it has changed since", file=sys.stderr)
    return written


def planned_names(figures, formats=FORMATS) -> list[str]:
    """The file names a run with these figure names and formats writes."""
    return [f"{name}.{fmt}" for name in figures for fmt in formats] + ["summary.json"]


def _formats(text: str) -> tuple[str, ...]:
    formats = tuple(f.strip() for f in text.split(","))
    bad = [f for f in formats if f not in ("png", "svg", "pdf")]
    if bad or not formats:
        raise CorpuskitError(f"--formats {text!r}: {', '.join(map(repr, bad)) or 'nothing'} is not a format; "
                             "use a comma-separated list of png, svg, pdf")
    return formats


SEED_STUDY = pathlib.Path("seeds") / "study.yml"  # the study `corpuskit figures` runs in the repository


def spec_from_args(args: argparse.Namespace) -> tuple[StudySpec, pathlib.Path]:
    """The study the command line asks for, with its flags applied, and the output folder.

    ``--study PATH`` runs that file into ``figures/<name>/``; no ``--study`` runs ``seeds/study.yml``
    into ``figures/``. ``--corpus`` swaps in another corpus (with its ``annotations/gold.csv`` if it has
    one) and ``--before``/``--after`` make the one comparison: an ad-hoc study on the chosen study's
    settings. Flags override the study's fields.
    """
    if args.study is None and not SEED_STUDY.is_file():
        raise StudyError(f"no study given and no {SEED_STUDY} here; pass --study PATH (write one with "
                         "`corpuskit init-study CORPUS`)")
    spec = load_study(args.study or SEED_STUDY)
    out = pathlib.Path(args.out) if args.out else (pathlib.Path("figures") / spec.name if args.study
                                                   else pathlib.Path("figures"))
    if args.corpus is not None:
        if args.study is None and pathlib.Path(args.corpus).resolve() != spec.corpus.resolve():
            # the trap: the seed study's rearmament lexicons scored on someone else's corpus
            print(f"corpuskit: note: --corpus runs {SEED_STUDY}'s settings and lexicons on {args.corpus}; write a "
                  f"study for it with `corpuskit init-study {args.corpus}`", file=sys.stderr)
        spec.corpus = pathlib.Path(args.corpus)
        gold = spec.corpus / "annotations" / "gold.csv"
        spec.gold = gold if gold.is_file() else None
    if args.before is not None or args.after is not None:
        if (args.before is None or args.after is None) and not spec.comparisons:
            raise StudyError("--before/--after: the study has no comparison to complete; give both")
        # one flag alone replaces that side of the study's first comparison
        a = parse_span(args.before, "--before") if args.before is not None else spec.eras[spec.comparisons[0][0]]
        b = parse_span(args.after, "--after") if args.after is not None else spec.eras[spec.comparisons[0][1]]
        spec.eras = {_span_label(a): a, _span_label(b): b}
        spec.comparisons = [(_span_label(a), _span_label(b))]
    if args.random_state is not None:
        spec.random_state = args.random_state
    if args.n_boot is not None:
        spec.n_boot = args.n_boot
    if args.refits is not None:
        spec.wordfish_refits = args.refits
    return spec, out


def _figures(args: argparse.Namespace) -> int:
    # every check that needs no work comes first: a bad --out fails at once, not after the study
    formats = _formats(args.formats)
    spec, out_arg = spec_from_args(args)
    out = check_out_dir(out_arg)
    check_spec(spec)
    check_conflicts(out, planned_names(spec_figures(spec), formats), force=args.force)
    study = _run(spec)
    files = write_outputs(study, out, formats=formats, force=args.force)
    print(f"wrote {len(files)} files to {out_arg}: {len(study.figures)} figures × "
          f"{args.formats.replace(',', ' + ')}, summary.json")
    return 0


def _init_study(args: argparse.Namespace) -> int:
    corpus = pathlib.Path(args.corpus)
    if not corpus.exists():
        raise StudyError(f"{corpus}: no such corpus folder or file; pass a folder with metadata.csv or a "
                         ".csv/.jsonl/.parquet file")
    folder = pathlib.Path(args.out) if args.out else (corpus if corpus.is_dir() else corpus.parent)
    files = init_study_text(corpus, folder)
    existing = [name for name in files if (folder / name).exists()]
    if existing:
        raise StudyError(f"{folder / existing[0]} exists; init-study never overwrites a file: remove it or "
                         "pass --out to write elsewhere")
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    print(f"wrote {folder / 'study.yml'} and empty lexicons {', '.join(n for n in files if n != 'study.yml')}: "
          f"fill them in, then run `corpuskit figures --study {folder / 'study.yml'}`")
    return 0


def add_figures_command(sub) -> None:
    p = sub.add_parser("figures", help="run a study: every figure and summary.json (default: seeds/study.yml)",
                       description="Run a study file and write every figure (PNG for viewing, SVG for papers) and "
                                   "summary.json with every number the README quotes and the run's provenance. "
                                   "Without --study, runs seeds/study.yml into figures/. Byte-identical on every "
                                   "run in the pinned environment. Flags override the study's fields.")
    p.add_argument("--study", default=None, help="study file (YAML); default: seeds/study.yml into figures/")
    p.add_argument("--out", default=None, help="output folder (default: figures/<study name>/ with --study, "
                                               "else figures)")
    p.add_argument("--corpus", default=None, help="run the study on another corpus folder or file")
    p.add_argument("--random-state", type=int, default=None, help="seed of every random step (default: the study's)")
    p.add_argument("--n-boot", type=int, default=None, help="bootstrap draws of stance CIs and shifts")
    p.add_argument("--refits", type=int, default=None, help="Wordfish parametric bootstrap refits")
    p.add_argument("--before", default=None, help="first era compared (keyness, stance shift): a date or "
                                                  "START:END; replaces the study's comparisons")
    p.add_argument("--after", default=None, help="second era compared: a date or START:END")
    p.add_argument("--formats", default=",".join(FORMATS), help="comma-separated: png,svg,pdf (default: png,svg)")
    p.add_argument("--force", action="store_true",
                   help="overwrite files of the names the run writes even if corpuskit did not write them or they "
                        "changed since (other files in --out are never touched)")
    p.set_defaults(func=_figures)
    q = sub.add_parser("init-study", help="write a commented study file and empty lexicons for a corpus",
                       description="Write study.yml (commented) and empty frames.yml, target.yml and cues.yml "
                                   "to fill in, next to the corpus (or into --out). Never overwrites a file.")
    q.add_argument("corpus", help="a corpus folder (with metadata.csv) or a .csv/.jsonl/.parquet file")
    q.add_argument("--out", default=None, help="folder to write into (default: the corpus folder)")
    q.set_defaults(func=_init_study)
