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
# # 1. The corpus: five articles on Japanese rearmament, 2006–2024
#
# This notebook shows what the study stands on: which articles, how each is dated (with the words in the
# text that fix the date), what cleaning removed from each scraped file, and where the key terms occur.
# Every number here comes from `corpuskit` functions; the notebook only calls them.

# %%
# %matplotlib inline
import corpuskit as ck
from corpuskit import plots

corpus = ck.load_corpus("../seeds")
corpus

# %% [markdown]
# ## Documents and their dates
#
# Dates have the precision the text supports: a month-dated article is the interval of that month and is
# placed at its middle on time axes. `date_evidence` quotes the words that fix each date (a test checks
# each quote is in the raw file).

# %%
df = corpus.to_frame()
df[["id", "date", "date_precision", "title", "outlet", "author"]]

# %%
import pandas as pd
with pd.option_context("display.max_colwidth", None):
    display(df[["id", "date_evidence", "date_note"]])

# %%
fig = plots.plot_timeline(corpus.docvars, date_label="publication date (year)")
fig

# %% [markdown]
# One article in 2006, then nothing until 2021: the corpus cannot show *when* between 2006 and 2021
# framing changed, only that 2021–2024 differs from 2006.

# %% [markdown]
# ## What cleaning removed
#
# Cleaning never edits text: it records spans of page furniture (document, character span, text, rule).
# Clean text plus removals reassemble the raw file exactly.

# %%
rem = corpus.removals()
summary = (rem.assign(rule=rem["rule"].str.split("+")).explode("rule")
           .groupby(["id", "rule"]).agg(removals=("start", "size"), characters=("n_chars", "sum")))
summary

# %%
rem.assign(text=rem["text"].str.slice(0, 90))[["id", "start", "end", "rule", "text"]]

# %%
words = df.assign(words_raw=[len(ck.tokenize(t)) for t in df["raw_text"]],
                  words_clean=[len(ck.tokenize(t)) for t in df["text"]])
words[["id", "words_raw", "words_clean", "n_chars_removed"]]

# %% [markdown]
# ## Keywords in context
#
# Patterns are globs and phrases on normalized tokens, so `rearm*` also finds "re-arm".

# %%
import pandas as pd
pd.set_option("display.max_colwidth", 80)
ck.kwic(corpus, "rearm*", window=6)[["id", "pre", "keyword", "post"]]

# %%
ck.kwic(corpus, ["constitution*", "Article 9"], window=6)[["id", "pattern", "pre", "keyword", "post"]]

# %%
ck.kwic(corpus, "counterattack*", window=6)[["id", "pre", "keyword", "post"]]

# %% [markdown]
# ## Near-duplicates
#
# Syndicated copies would inflate any trend; the five seeds share no 5-word shingles above the threshold.

# %%
corpus.duplicates(threshold=0.3)
