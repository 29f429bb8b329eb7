# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: -all
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
# ---

# %% [markdown]
# # 5. Japan at the UN General Debate, 1957–2024
#
# How does Japan frame its security role in its yearly statement to the UN General Assembly? The corpus
# (`data/ungd_japan/`, 68 statements, one a year, CC0 from the UN General Debate Corpus; see its README) is
# small and long: one document per year over 68 years. The study file `data/ungd_japan/study.yml` fixes
# the eras (1957–1989, 1990–2012, 2013–2024), the comparisons, the frames dictionary and the stance
# lexicons; `CODEBOOK.md` and `frames.yml` were committed before any result of this corpus was computed.
#
# The study runs once below with `corpuskit.figures.run_study_file`, the function behind
# `corpuskit figures --study notebooks/data/ungd_japan/study.yml`, so every number and figure here equals
# `figures/ungd_japan/` and its `summary.json`. It takes a minute or two.

# %%
# %matplotlib inline
import pathlib
import warnings

import pandas as pd
from scipy.stats import spearmanr

import corpuskit as ck
from corpuskit.figures import run_study_file
from corpuskit.study import load_study

pd.set_option("display.max_colwidth", 80)
STUDY = pathlib.Path("data/ungd_japan/study.yml")
spec = load_study(STUDY)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    study = run_study_file(STUDY)
# the frames dictionary has entries no statement uses (frame_terms lists them); the study warns each time
# it scores a corpus (the beside step: once a year and source), so show the first warning and a count
print(f"{len(caught)} warnings, the first: {str(caught[0].message)[:160]} ...")
print(study.corpus)
print(spec.eras)
sorted(study.results)

# %% [markdown]
# ## The corpus: statement length by the speaker's post
#
# Statements shrink over the decades (the era medians, longest and shortest below), so everything below uses
# rates (frame hits per sentence, stance per
# target sentence), not counts. The post is missing for about half the statements (the UN records do not
# say), and mostly the Prime Minister speaks after 1990.

# %%
length = study.results["document_length"].assign(
    kb=lambda d: [(spec.corpus / f"{i}.txt").stat().st_size / 1000 for i in d["id"]],
    era=lambda d: pd.cut(d["year"].astype(int), [1956, 1989, 2012, 2024], labels=list(spec.eras)))
by_era = length.groupby("era", observed=True).agg(statements=("id", "size"), median_kb=("kb", "median"),
                                                  min_kb=("kb", "min"), max_kb=("kb", "max"),
                                                  median_tokens=("n_tokens", "median"))
print(f"The longest statements run {length['kb'].nlargest(10).min():.0f}–{length['kb'].max():.0f} KB "
      f"({', '.join(length.nlargest(3, 'kb')['year'].astype(str))} the longest); the shortest "
      f"{length['kb'].min():.0f}–{length['kb'].nsmallest(5).max():.0f} KB "
      f"({', '.join(length.nsmallest(5, 'kb')['year'].astype(str))}). "
      f"Spearman(tokens, year) = {study.summary['document_length']['spearman_tokens_date']}.")
post = length["post"].fillna("").str.lower().replace("", "not recorded")
display(pd.crosstab(post, length["era"]))
by_era.round(1)

# %%
study.figures["document_length"]

# %% [markdown]
# ## Frames over time
#
# Eight frames from the codebook (peace constitution, non-nuclear principles and disarmament, peacekeeping
# and the Self-Defense Forces abroad, the US alliance, regional threats, "proactive contribution to peace"
# and the rules-based order, human security and aid, UN reform and the Security Council seat). Each year
# shows each frame's share of that year's frame hits. Caveat: a year is one statement, so its interval
# resamples that statement's sentences (`ci_basis = "units"`), which describes the text, not the year. A
# year without any frame hit has no shares and leaves a gap.

# %%
hits = study.results["frame_prevalence"].groupby("period")["n_hits"].first()
print("years without a frame hit:", ", ".join(map(str, hits[hits == 0].index)) or "none")
study.figures["frames_over_time"]

# %% [markdown]
# ## The eras compared
#
# For each value (the lexicon stance of a statement, and each frame's share of its sentences) and each pair
# of eras: the difference of era means, a bootstrap interval over statements, a permutation p-value
# (statements relabelled between the two eras) and Holm's correction over the whole family of tests.

# %%
eras = study.results["era_comparisons"]
print(f"{len(eras)} tests; {(eras['p_holm'] < 0.05).sum()} below 0.05 after Holm, "
      f"{(eras['p_value'] < 0.05).sum()} before.")
display(eras[["value", "era_a", "era_b", "difference", "ci_low", "ci_high", "p_value", "p_holm"]].round(4))
study.figures["era_comparisons"]

# %% [markdown]
# The boundaries are choices (1990: the Gulf War and the 1992 peacekeeping law; 2013: the National Security
# Strategy). `era_robustness` reruns the family with each inner boundary moved two years either way; the
# table counts, for each comparison, the runs whose Holm verdict at 0.05 differs from the unmoved run's.

# %%
rob = study.results["era_robustness"]
key = ["value", "era_a", "era_b"]
base = rob[rob["shift"] == 0].set_index(key)["p_holm"].rename("p_holm")
moved = rob[rob["shift"] != 0].join(base.rename("p_holm_unmoved"), on=key)
robust = moved.assign(flips=(moved["p_holm"] < 0.05) != (moved["p_holm_unmoved"] < 0.05)).groupby(key).agg(
    p_holm_unmoved=("p_holm_unmoved", "first"), p_holm_min=("p_holm", "min"), p_holm_max=("p_holm", "max"),
    verdict_changes=("flips", "sum"), runs=("flips", "size"))
print(f"{int(robust['verdict_changes'].sum())} verdict changes in "
      f"{moved[['boundary', 'shift']].drop_duplicates().shape[0]} runs with a moved boundary.")
robust[robust["p_holm_min"] < 0.2].round(4)

# %% [markdown]
# ## Change points
#
# Without fixing eras: binary segmentation of each yearly series (at least five years each side), a
# permutation test of each split, and a bootstrap interval for the year of each significant split.

# %%
cp = study.results["change_points"]
found = cp[cp["significant"]][["value", "label", "label_ci_low", "label_ci_high", "mean_left", "mean_right",
                               "p_value", "depth"]].sort_values(["value", "label"])
year = found["label"].astype(int)
for lo, hi in [(1990, 1992), (2013, 2015)]:
    # "near": the change year within a year of the window
    near = found[(year >= lo - 1) & (year <= hi + 1)]
    print(f"{lo}–{hi}: {len(near)} of {len(found)} change points within a year of it: "
          + (", ".join(f"{v} {y} [{a}–{b}]" for v, y, a, b in near[["value", "label", "label_ci_low",
                                                                       "label_ci_high"]].itertuples(index=False))
             or "none"))
display(found.round(4))
study.figures["change_points"]

# %% [markdown]
# A significant split with a wide interval (regional threats) says the level changed, not when: the
# bootstrap moves its year over decades.

# %% [markdown]
# ## Serial correlation
#
# The permutation tests and bootstrap intervals above treat years as exchangeable. Neighbouring statements
# are not independent: the same government, often the same minister, speaks in consecutive years. With
# positive autocorrelation of the residuals (the series minus its era mean), p-values are too small and
# intervals too narrow, roughly as if the series had `n_eff` independent years instead of `n`.

# %%
serial = study.results["serial_correlation"]
worst = serial.loc[serial["n_eff"].idxmin()]
print(f"Residual lag-1 autocorrelation is positive for {(serial['r1_resid'] > 0).sum()} of {len(serial)} "
      f"series; the smallest n_eff is {worst['n_eff']:.0f} of {worst['n']} years ({worst['series']}).")
serial[["series", "n", "r1", "r1_resid", "durbin_watson", "n_eff"]].round(3)

# %% [markdown]
# ## Stance
#
# Stance toward Japan's security role abroad is scored on target sentences only (`target.yml`), by the cue
# lexicon (`cues.yml`) and by a classifier trained on the gold codes of the other statements; the gold
# standard (`annotations/gold.csv`, 180 sentences drawn by era) was coded before the lexicons were written.
# Few gold sentences are on target, and only one is *against*. The figure shows each statement's stance by
# the three methods (the gold codes cover only the sampled sentences).

# %%
s = study.summary["stance"]
print("gold labels of on-target sentences:", s["gold"]["labels"], "; target detection:",
      {k: s["target_detection"][k] for k in ("found_coded", "on_target_by_gold", "precision", "recall")})
display(pd.DataFrame({"lexicon": s["agreement_lexicon"],
                      "classifier (leave one statement out)": s["agreement_classifier_leave_one_article_out"]}).T)
study.figures["stance_by_method"]

# %% [markdown]
# Accuracy is high for the classifier because it predicts the majority class; its kappa says it agrees
# with the gold codes no better than chance. The lexicon's kappa is barely above zero.
#
# How far two codings of the codebook agree sets the ceiling: 60 of the 180 sentences were coded a second
# time, independently (both coders were AI assistants, see `annotations/README.md`).

# %%
first = ck.read_gold("data/ungd_japan/annotations/gold.csv")
second = ck.read_gold("data/ungd_japan/annotations/gold_second.csv")
both = first.merge(second, on=["id", "start", "end"], suffixes=("_first", "_second"))
a = ck.agreement(both["label_first"], both["label_second"])
coded = (both["label_first"] != "none") | (both["label_second"] != "none")
print(f"{a['n']} sentences coded twice: Cohen's kappa {a['kappa']:.2f}, accuracy {a['accuracy']:.2f}; "
      f"{coded.sum()} of them carry a stance for either coder, so the kappa rests on those few")
a["confusion"].rename_axis(index="first coding", columns="second coding")

# %% [markdown]
# ## Beside the seeds: press articles and statements of the same years
#
# The same frames dictionary on the seed study's press articles (2006, 2021, 2023, 2024) and on Japan's
# statement of each of those years. The press writes of the peace constitution, the SDF and the alliance;
# the statements of disarmament, aid and the rules-based order. One or two documents a side: a contrast of
# genres in four years, not an estimate.

# %%
study.figures["beside"]

# %% [markdown]
# ## Topics
#
# NMF topics on whole statements; k was chosen by stability, then coherence (`topics_choice_of_k` in
# `figures/ungd_japan/`). Each year is one statement, so there is no interval.

# %%
t = study.summary["topics"]
print(f"k = {t['k']}, mean c_npmi = {t['mean_c_npmi']}")
study.figures["topics_over_time"]

# %% [markdown]
# ## Wordfish
#
# Wordfish places the statements on one dimension learned from word counts, oriented from 1957 to 2024.
# Here θ tracks time (and with it length and vocabulary: names, "women", "girls" at one end, "communist",
# "propaganda" at the other), not stance.

# %%
wf = study.summary["wordfish"]
w = study.results["wordfish"].merge(length[["id", "n_tokens"]], on="id")
print(f"Spearman(theta, year) = {wf['spearman_theta_date']}; Spearman(theta, tokens) = "
      f"{spearmanr(w['theta'], w['n_tokens']).statistic:.2f}; Spearman(theta, lexicon stance) = "
      f"{wf['spearman_theta_lexicon_stance']}")
study.figures["wordfish"]

# %% [markdown]
# ## What 68 statements can and cannot support
#
# * **Can:** describe what Japan chose to say to the Assembly, year by year, with a fixed dictionary and
#   codebook: human security and aid and the Security Council seat rise after 1990, "proactive contribution"
#   and the rules-based order appear only after 2012, and these contrasts survive Holm's correction and
#   moved era boundaries.
# * **Cannot:** say that stance toward a larger security role changed: the lexicon's stance differs between
#   no pair of eras, the methods barely agree with the gold codes, and the gold standard holds a handful of
#   on-target sentences with a single *against*, while two codings of the codebook agree well with each
#   other. A statement is a speech to the world, not defense policy:
#   Article 9, the 2015 legislation and the 2022 strategy are never discussed.
# * **Read with care:** one statement per year makes every yearly interval a description of one text;
#   serial correlation makes the era tests' p-values optimistic (n_eff falls to about half of n for some
#   frames); change-point intervals are wide; Wordfish measures time and genre drift.
