"""``corpuskit figures``: regenerate every figure of the study, and the numbers the README quotes.

The study is a list of steps; each computes library results (DataFrames) and
draws them with :mod:`corpuskit.plots`, the same functions the notebooks call.
Output: ``<out>/<name>.png`` and ``.svg`` per figure, plus ``summary.json``
with every number the README quotes. Everything is written to a temporary
folder first and moved into place only when all steps succeeded, so a failure
never leaves half-written output.

Determinism: BLAS is limited to one thread (threadpoolctl), every random step
takes ``random_state``, plotted values are rounded and file metadata carries
no dates or versions — so running twice gives byte-identical files in the
pinned environment (``constraints.txt``).
"""
from __future__ import annotations

import argparse
import json
import pathlib
import shutil
import sys
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from threadpoolctl import threadpool_limits

from . import plots
from .classifier import LABEL_SCORES
from .corpus import load_corpus
from .errors import CorpuskitError
from .frames import frame_prevalence, load_dictionary, score_frames
from .matrix import dfm
from .outputs import check_conflicts, check_out_dir, commit_outputs, staging_dir
from .periods import parse_date
from .scaling import Wordfish
from .shift import stance_shift
from .stance import agreement, attach_gold, cross_fit_stance, document_stance, read_gold, score_stance
from .textstat import keyness
from .topics import TopicModel, select_n_topics

__all__ = ["Study", "run_study", "add_figures_command"]

FORMATS = ("png", "svg")


@dataclass
class Study:
    """Results, figures and summary numbers of one run of the study."""

    corpus: Any
    random_state: int = 0
    gold: Any = None  # path of a hand-coded gold standard (seeds/annotations/gold.csv), or None
    before: tuple[str, str] = ("2006", "2006")  # the periods keyness and the stance shift compare
    after: tuple[str, str] = ("2021", "2024")
    results: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)


def _num(x: Any, digits: int = 3) -> Any:
    """JSON-safe rounded number (None for NaN)."""
    if x is None:
        return None
    if isinstance(x, (np.integer, int)):
        return int(x)
    x = float(x)
    return None if not np.isfinite(x) else round(x, digits)


# --------------------------------------------------------------------------- steps
def step_corpus(study: Study) -> None:
    corpus = study.corpus
    dv = corpus.docvars
    rem = corpus.removals()
    study.figures["corpus_timeline"] = plots.plot_timeline(dv)
    study.summary["corpus"] = {
        "n_documents": len(corpus),
        "documents": [{"id": r.id, "date": str(r.date.date()), "precision": r.date_precision,
                       "removals": int((rem["id"] == r.id).sum()),
                       "chars_removed": int(rem.loc[rem["id"] == r.id, "n_chars"].sum())}
                      for r in dv.itertuples()],
        "years": sorted({int(y) for y in dv["year"]}),
    }




def _period_label(span: tuple[str, str]) -> str:
    return span[0] if span[0] == span[1] else f"{span[0]}–{span[1]}"


def step_frames(study: Study) -> None:

    dictionary = load_dictionary("rearmament").collapse(1)  # threat.china/.north_korea/... as one "threat" frame
    per_doc = score_frames(study.corpus, dictionary)
    prev = frame_prevalence(study.corpus, dictionary=dictionary, by="year", random_state=study.random_state)
    study.results["frames_per_document"] = per_doc
    study.results["frame_prevalence"] = prev
    study.figures["frames_over_time"] = plots.plot_prevalence(
        prev, category="frame", label=None, ylabel="share of all frame hits (%)")
    has = prev[prev["n_docs"] > 0]
    study.summary["frames"] = {
        "dictionary": {"name": dictionary.name, "version": dictionary.version, "n_frames": len(dictionary)},
        "per_document_per_1000_tokens": {
            r["id"]: {f: _num(r[f], 1) for f in dictionary.keys()} for _, r in per_doc.iterrows()},
        "share_by_year": {
            f"{r.period}:{r.frame}": {"share": _num(r.share), "ci_low": _num(r.ci_low), "ci_high": _num(r.ci_high),
                                      "n_docs": int(r.n_docs), "ci_basis": r.ci_basis}
            for r in has.itertuples()},
    }


def step_topics(study: Study) -> None:

    ks = range(2, min(11, len(study.corpus) * 3))
    selection = select_n_topics(study.corpus, ks=ks, random_state=study.random_state)
    k = int(selection.loc[selection["recommended"], "k"].iloc[0])
    model = TopicModel(n_topics=k, random_state=study.random_state).fit(study.corpus)
    prev = model.prevalence(by="year", random_state=study.random_state)
    terms = model.top_terms(10)
    coh = model.coherence("c_npmi", texts=study.corpus)
    study.results.update({"k_selection": selection, "topic_prevalence": prev, "top_terms": terms,
                          "document_topics": model.document_topics(), "coherence": coh})
    study.figures["topics_choice_of_k"] = plots.plot_k_selection(selection)
    study.figures["topics_over_time"] = plots.plot_prevalence(prev, category="topic", label="label")
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
        "prevalence_by_year": {f"{r.period}:{r.topic}": {"share": _num(r.share), "ci_low": _num(r.ci_low),
                                                         "ci_high": _num(r.ci_high), "n_docs": int(r.n_docs),
                                                         "ci_basis": r.ci_basis} for r in has.itertuples()},
    }


def step_keyness(study: Study) -> None:

    a, b = study.corpus.between(*study.before), study.corpus.between(*study.after)
    for name, side, span in (("before", a, study.before), ("after", b, study.after)):
        if len(side) == 0:
            dv = study.corpus.docvars
            raise CorpuskitError(f"{name} period {_period_label(span)} holds no documents (the corpus runs "
                                 f"{dv['date'].min():%Y-%m-%d} to {dv['date_end'].max():%Y-%m-%d}); choose "
                                 f"periods with --before / --after")
    table = keyness(a, b, stop_words="english")
    study.results["keyness"] = table
    labels = (_period_label(study.before), _period_label(study.after))
    study.figures["keyness"] = plots.plot_keyness(table, n=15, labels=labels)
    top = lambda t: [{"term": r.term, "z": _num(r.z, 2), "count_a": int(r.count_a), "count_b": int(r.count_b)}
                     for r in t.itertuples()]
    study.summary["keyness"] = {"a": labels[0], "b": labels[1], "stop_words": "english",
                                "n_a_docs": len(a), "n_b_docs": len(b),
                                "top_a": top(table.head(15)), "top_b": top(table.tail(15).iloc[::-1]),
                                "z_threshold": 1.96, "n_abs_z_over_1_96": int((table["z"].abs() > 1.96).sum())}


N_BOOT = 2000


def _stance_rows(doc: pd.DataFrame) -> dict:
    return {r.id: {"stance": _num(r.stance), "ci_low": _num(r.ci_low), "ci_high": _num(r.ci_high),
                   "n_sentences": int(r.n_sentences), "ci_basis": str(r.ci_basis)} for r in doc.itertuples()}


def _agreement(gold, predicted) -> dict:

    a = agreement(list(gold), list(predicted))
    return {"n": a["n"], "accuracy": _num(a["accuracy"]), "macro_f1": _num(a["macro_f1"]), "kappa": _num(a["kappa"])}


def step_stance(study: Study) -> None:
    """Stance per article by the lexicon, the out-of-fold classifier and the hand codes, side by side."""


    corpus, rs = study.corpus, study.random_state
    dv = corpus.docvars
    lex = score_stance(corpus, method="lexicon", unit="sentence", target="rearmament", cues="rearmament")
    sentences = {"lexicon": lex}
    summary: dict[str, Any] = {"n_target_sentences": {d: int((lex["id"] == d).sum()) for d in dv["id"]}}
    if study.gold is not None:
        gold = read_gold(study.gold)
        coded = gold[gold["target"].astype(str) == "yes"] if "target" in gold.columns else gold
        dates = dv.set_index("id")["date"]
        sentences["hand-coded"] = coded.assign(score=coded["label"].map(LABEL_SCORES).astype(float),
                                               date=coded["id"].map(dates))
        with warnings.catch_warnings(record=True) as caught:  # kept in summary.json, not printed per fold
            warnings.simplefilter("always")
            sentences["classifier"] = clf = cross_fit_stance(corpus, gold, groups="id", random_state=rs, target="rearmament")
        summary["classifier_notes"] = sorted({str(w.message) for w in caught})
        lg = attach_gold(lex, gold)
        on = lg["gold_label"].notna()
        cg = clf[clf["gold"].notna()]
        tg = lg["gold_target"].astype(str) == "yes" if "gold_target" in lg.columns else on
        summary.update({
            "gold": {"n_coded": len(gold), "n_target": len(coded),
                     "labels": {k: int((coded["label"] == k).sum()) for k in LABEL_SCORES}},
            "target_detection": {"found": len(lex), "on_target_by_gold": int((tg & on).sum()),
                                 "precision": _num((tg & on).sum() / len(lex)),
                                 "recall": _num((tg & on).sum() / len(coded))},
            "agreement_lexicon": _agreement(lg.loc[on, "gold_label"], lg.loc[on, "label"]),
            "agreement_classifier_leave_one_article_out": _agreement(cg["gold"], cg["label"]),
        })
    table = pd.concat([document_stance(t, dv, n_boot=N_BOOT, random_state=rs, method=m)
                       for m, t in sentences.items()], ignore_index=True)
    study.results["stance_sentences"] = pd.concat(
        [t[["id", "date", "score"]].assign(method=m) for m, t in sentences.items()], ignore_index=True)
    study.results["stance_documents"] = table
    study.figures["stance_by_method"] = plots.plot_stance(table, method="method")
    summary["documents"] = {m: _stance_rows(table[table["method"] == m]) for m in dict.fromkeys(table["method"])}
    summary["n_boot"] = N_BOOT
    study.summary["stance"] = summary


def step_wordfish(study: Study) -> None:
    """Wordfish positions oriented from the earliest to the latest document, compared with the lexicon."""


    dv = study.corpus.docvars.sort_values(["date", "id"])
    direction = (str(dv["id"].iloc[0]), str(dv["id"].iloc[-1]))
    X = dfm(study.corpus)  # quanteda's defaults for Wordfish: lower case, no punctuation, stop words kept
    model = Wordfish(dir=direction).fit(X)  # quanteda's Hessian SEs, drawn in the figure
    # the paper's parametric bootstrap, as a check: on five documents it shows bias the Hessian cannot
    boot = Wordfish(dir=direction, se="bootstrap", n_boot=500, random_state=study.random_state).fit(X)
    table = model.to_frame()
    table = table.merge(study.corpus.docvars[["id", "date_mid"]], on="id", how="left")
    study.results["wordfish"] = table
    study.figures["wordfish"] = plots.plot_wordfish(table)
    feats = model.feature_table()
    out = {"dir": list(direction), "n_features": int(len(feats)), "converged": bool(model.converged_),
           "documents": {r.id: {"theta": _num(r.theta), "se": _num(r.se), "ci_low": _num(r.ci_low),
                                "ci_high": _num(r.ci_high), "se_bootstrap": _num(bse), "boot_ci_low": _num(bl),
                                "boot_ci_high": _num(bh)}
                         for r, bse, bl, bh in zip(table.itertuples(), boot.se_theta_, boot.ci_low_, boot.ci_high_)},
           "n_boot": 500, "n_bootstrap_intervals_excluding_theta": int(
               ((boot.ci_low_ > model.theta_) | (boot.ci_high_ < model.theta_)).sum()),
           "top_negative_beta": feats.nsmallest(10, "beta")["feature"].tolist(),
           "top_positive_beta": feats.nlargest(10, "beta")["feature"].tolist()}
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
    """The 2006 → 2021–2024 stance shift by each method, with documents and with sentences as units."""

    docs, sents = study.results["stance_documents"], study.results["stance_sentences"]
    rows, out = [], {"before": _period_label(study.before), "after": _period_label(study.after)}
    for m in dict.fromkeys(docs["method"]):
        kw = dict(before=study.before, after=study.after, n_boot=N_BOOT, random_state=study.random_state)
        by_doc = stance_shift(docs[docs["method"] == m], unit="documents", **kw)
        by_sent = stance_shift(sents[sents["method"] == m], unit="sentences", **kw)
        out[m] = {"documents": _shift_row(by_doc.iloc[0]), "sentences": _shift_row(by_sent.iloc[0])}
        rows += [by_doc.assign(method=m), by_sent.assign(method=m)]
    study.results["stance_shift"] = pd.concat(rows, ignore_index=True)
    study.summary["shift"] = out


# the figures each step draws, so --out can be checked before any work (a test keeps this true)
STEP_FIGURES: dict[str, tuple[str, ...]] = {
    "corpus": ("corpus_timeline",), "topics": ("topics_choice_of_k", "topics_over_time"),
    "frames": ("frames_over_time",), "keyness": ("keyness",), "stance": ("stance_by_method",), "shift": (),
    "wordfish": ("wordfish",)}

STEPS: list[tuple[str, Callable[[Study], None]]] = [("corpus", step_corpus), ("topics", step_topics),
                                                    ("frames", step_frames), ("keyness", step_keyness),
                                                    ("stance", step_stance), ("shift", step_shift),
                                                    ("wordfish", step_wordfish)]


def run_study(corpus, random_state: int = 0, steps: list[str] | None = None, gold=None,
              before: tuple[str, str] = ("2006", "2006"), after: tuple[str, str] = ("2021", "2024")) -> Study:
    """Run the study's steps on a corpus; returns results, figures and summary numbers.

    ``gold``: a hand-coded gold standard (:func:`corpuskit.read_gold` format); with it the stance
    step adds the hand codes and the out-of-fold classifier beside the lexicon.
    """

    study = Study(corpus, random_state, gold=gold, before=tuple(before), after=tuple(after))
    with threadpool_limits(limits=1):  # identical float summation order on every run
        for name, fn in STEPS:
            if steps is None or name in steps:
                fn(study)
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


def _span(text: str, option: str) -> tuple[str, str]:
    """'2006' -> ('2006', '2006'); '2021:2024' -> ('2021', '2024')."""

    parts = text.split(":")
    if len(parts) > 2 or not all(parts):
        raise CorpuskitError(f"{option} {text!r}: give a date or a range START:END, e.g. 2006 or 2021:2024")
    for part in parts:
        try:
            parse_date(part)
        except ValueError as exc:
            raise CorpuskitError(f"{option} {text!r}: {exc}") from None
    return (parts[0], parts[-1])


def _formats(text: str) -> tuple[str, ...]:
    formats = tuple(f.strip() for f in text.split(","))
    bad = [f for f in formats if f not in ("png", "svg", "pdf")]
    if bad or not formats:
        raise CorpuskitError(f"--formats {text!r}: {', '.join(map(repr, bad)) or 'nothing'} is not a format; "
                             "use a comma-separated list of png, svg, pdf")
    return formats


def _figures(args: argparse.Namespace) -> int:

    # every check that needs no work comes first: a bad --out fails at once, not after the study
    formats = _formats(args.formats)
    out = check_out_dir(args.out)
    check_conflicts(out, planned_names([f for step, _ in STEPS for f in STEP_FIGURES.get(step, ())], formats),
                    force=args.force)
    before, after = _span(args.before, "--before"), _span(args.after, "--after")
    corpus = load_corpus(args.corpus)
    gold = pathlib.Path(args.corpus) / "annotations" / "gold.csv"
    study = run_study(corpus, random_state=args.random_state, gold=gold if gold.is_file() else None,
                      before=before, after=after)
    files = write_outputs(study, out, formats=formats, force=args.force)
    print(f"wrote {len(files)} files to {args.out}: {len(study.figures)} figures × "
          f"{args.formats.replace(',', ' + ')}, summary.json")
    return 0


def add_figures_command(sub) -> None:
    p = sub.add_parser("figures", help="regenerate every figure of the study and figures/summary.json",
                       description="Run the whole study on a corpus and write every figure (PNG for viewing, "
                                   "SVG for papers) and summary.json with every number the README quotes. "
                                   "Byte-identical on every run in the pinned environment.")
    p.add_argument("--corpus", default="seeds", help="corpus folder or file (default: seeds)")
    p.add_argument("--out", default="figures", help="output folder (default: figures)")
    p.add_argument("--random-state", type=int, default=0, help="seed of every random step (default: 0)")
    p.add_argument("--before", default="2006", help="first period compared (keyness, stance shift): a date or "
                                                "START:END (default: 2006)")
    p.add_argument("--after", default="2021:2024", help="second period compared (default: 2021:2024)")
    p.add_argument("--formats", default=",".join(FORMATS), help="comma-separated: png,svg,pdf (default: png,svg)")
    p.add_argument("--force", action="store_true",
                   help="overwrite files of the names the run writes even if corpuskit did not write them or they "
                        "changed since (other files in --out are never touched)")
    p.set_defaults(func=_figures)
