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
# # 2. Topics: what the articles talk about, and how that changes
#
# TF-IDF + NMF topics (`ck.TopicModel`), the number of topics chosen by stability (Greene, O'Callaghan &
# Cunningham 2014) with coherence (NPMI, equal to gensim's `CoherenceModel`) as the tie-breaker, and
# topic prevalence per year with bootstrap intervals. With five articles the modeled unit is a window of
# three sentences (the `unit="auto"` rule for corpora under 100 documents).

# %%
# %matplotlib inline
import corpuskit as ck
from corpuskit import plots

corpus = ck.load_corpus("../seeds")
selection = ck.select_n_topics(corpus, ks=range(2, 11), random_state=0)
selection

# %%
print(selection.attrs["rule"])
plots.plot_k_selection(selection)

# %%
k = int(selection.loc[selection["recommended"], "k"].iloc[0])
model = ck.TopicModel(n_topics=k, random_state=0).fit(corpus)
model.top_terms(10).pivot(index="rank", columns="label", values="term")

# %% [markdown]
# ## Topics per article
#
# Each article's topic proportions (token-weighted over its windows). With one article per period,
# topics largely coincide with articles: a change in prevalence is a change of article as much as a
# change of framing.

# %%
doc_topics = model.document_topics()
doc_topics.round(dict.fromkeys(doc_topics.select_dtypes("number").columns, 3))

# %%
prev = model.prevalence(by="year", random_state=0)
prev[prev["n_docs"] > 0][["period", "label", "share", "ci_low", "ci_high", "n_docs", "ci_basis"]].round(3)

# %%
plots.plot_prevalence(prev, category="topic", label="label")

# %% [markdown]
# Shaded years have no articles; a year with one article gets an interval from resampling its
# windows (`ci_basis = "units"`), which describes that text, not the year.

# %%
import pandas as pd
pd.set_option("display.max_colwidth", 160)
model.representative_units(0, n=2, corpus=corpus)[["id", "weight", "text"]]

# %%
model.coherence("c_npmi", texts=corpus).round(3)

# %%
model.topic_evolution(0, by="year", n=6).pivot(index="rank", columns="period", values="term")
