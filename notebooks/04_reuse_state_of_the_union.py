# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 4. Reuse: the same library on a second corpus
#
# The State of the Union addresses 1790–2021 (`data/state_of_the_union/`, public domain, copied byte-exact
# with its provenance README) are a real dated corpus a researcher might bring. The question here: how does
# the framing of defense — and of Japan — shift across two centuries? The frame dictionary
# (`data/sotu_defense_frames.yml`) was written for that question; nothing below is specific to it.

# %%
# %matplotlib inline
import pandas as pd
import corpuskit as ck
from corpuskit import plots

sotu = ck.load_corpus("data/state_of_the_union")
df = sotu.to_frame()
print(sotu)
ck.period_counts(sotu, by="50Y").set_index("period")["n_docs"].rename("addresses per 50-year period")

# %%
frames = ck.load_dictionary("data/sotu_defense_frames.yml")
frames.summary()[["frame", "n_entries"]]

# %%
by_era = ck.frame_prevalence(sotu, dictionary=frames.collapse(1), by="25Y", random_state=0)
by_era[by_era["n_docs"] > 0].pivot(index="period", columns="frame", values="share").round(2)

# %%
plots.plot_prevalence(by_era, category="frame", label=None, ylabel="share of frame hits (%)")

# %% [markdown]
# Each 25-year period holds many addresses, so the intervals resample addresses
# (`ci_basis = "documents"`).

# %% [markdown]
# ## Japan in the addresses
#
# Japan is rare before 1900; KWIC shows how it is framed when it appears.

# %%
japan = ck.kwic(sotu, "japan*", window=8)
japan.groupby(japan["year"] // 10 * 10).size().rename("mentions of Japan per decade")

# %%
pd.set_option("display.max_colwidth", 90)
japan[japan["year"].isin([1941, 1942, 1951, 1990, 2001, 2016])][["id", "pre", "keyword", "post"]].head(12)

# %%
japan_share = by_era[(by_era["frame"] == "japan") & (by_era["n_docs"] > 0)]
japan_share[["period", "hits", "n_hits", "share", "ci_low", "ci_high"]].round(3)

# %% [markdown]
# ## Which words carry the shift: before and after 1945
#
# Fightin' Words (Monroe, Colaresi & Quinn 2008) with the pooled counts as informative prior.

# %%
kw = ck.keyness(sotu.between("1900:1944"), sotu.between("1946:2021"), stop_words="english")
plots.plot_keyness(kw, n=15, labels=("1900–1944", "1946–2021"))

# %% [markdown]
# ## Trend and change points
#
# How much do addresses talk of military strength (hits per 1,000 tokens), decade by decade? `ck.trend`
# fits an OLS slope to the means of calendar decades (1790–1799, …, the bins of every corpuskit function)
# with a bootstrap over addresses (drawn across decades, so a decade with a single address varies too);
# `ck.change_points` searches the decade series by binary segmentation (Scott & Knott 1974) with a
# permutation test of the maximal split statistic at each step.

# %%
per_address = ck.score_frames(sotu, frames.collapse(1))
decades = ck.period_means(per_address, by="decade", value="military_strength", random_state=0)
ck.trend(per_address, by="decade", value="military_strength", random_state=0)[
    ["slope", "ci_low", "ci_high", "n_periods", "n_docs"]].round(4)

# %%
cp = ck.change_points(decades.set_index("period")["mean"], min_size=2, random_state=0)
cp[["segment_start", "segment_end", "label", "mean_left", "mean_right", "p_value", "significant"]].round(3)

# %% [markdown]
# ## Topics at document level
#
# 233 addresses are above the 100-document threshold, so `unit="auto"` models whole addresses.

# %%
model = ck.TopicModel(n_topics=8, random_state=0, min_df=5, max_df=0.7).fit(sotu)
print(model.unit_)
model.top_terms(8).pivot(index="rank", columns="label", values="term")

# %%
prev = model.prevalence(by="25Y", random_state=0)
plots.plot_prevalence(prev, category="topic", label="label")
