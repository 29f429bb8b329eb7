"""Write the study notebooks from their cell sources and execute them in place.

Run from the repository root: ``python notebooks/make_notebooks.py [names...]``.
The notebooks only call library functions; this script holds their prose and code
so that edits are reviewable as text, and executing stores the outputs so the
notebooks render on a code host.
"""
from __future__ import annotations

import pathlib
import sys

import nbformat
from nbclient import NotebookClient

HERE = pathlib.Path(__file__).resolve().parent
NOTEBOOKS: dict[str, list[tuple[str, str]]] = {}


def notebook(name: str):
    def register(fn):
        NOTEBOOKS[name] = fn()
        return fn
    return register


@notebook("01_corpus.ipynb")
def _corpus():
    return [
        ("md", """# 1. The corpus: five articles on Japanese rearmament, 2006–2024

This notebook shows what the study stands on: which articles, how each is dated (with the words in the
text that fix the date), what cleaning removed from each scraped file, and where the key terms occur.
Every number here comes from `corpuskit` functions; the notebook only calls them."""),
        ("code", """%matplotlib inline
import corpuskit as ck
from corpuskit import plots

corpus = ck.load_corpus("../seeds")
corpus"""),
        ("md", """## Documents and their dates

Dates have the precision the text supports: a month-dated article is the interval of that month and is
placed at its middle on time axes. `date_evidence` quotes the words that fix each date (a test checks
each quote is in the raw file)."""),
        ("code", """df = corpus.to_frame()
df[["id", "date", "date_precision", "title", "outlet", "author"]]"""),
        ("code", """import pandas as pd
with pd.option_context("display.max_colwidth", None):
    display(df[["id", "date_evidence", "date_note"]])"""),
        ("code", """fig = plots.plot_timeline(corpus.docvars)
fig"""),
        ("md", """One article in 2006, then nothing until 2021: the corpus cannot show *when* between 2006 and 2021
framing changed, only that 2021–2024 differs from 2006."""),
        ("md", """## What cleaning removed

Cleaning never edits text: it records spans of page furniture (document, character span, text, rule).
Clean text plus removals reassemble the raw file exactly."""),
        ("code", """rem = corpus.removals()
summary = (rem.assign(rule=rem["rule"].str.split("+")).explode("rule")
           .groupby(["id", "rule"]).agg(removals=("start", "size"), characters=("n_chars", "sum")))
summary"""),
        ("code", """rem.assign(text=rem["text"].str.slice(0, 90))[["id", "start", "end", "rule", "text"]]"""),
        ("code", """words = df.assign(words_raw=[len(ck.tokenize(t)) for t in df["raw_text"]],
                  words_clean=[len(ck.tokenize(t)) for t in df["text"]])
words[["id", "words_raw", "words_clean", "n_chars_removed"]]"""),
        ("md", """## Keywords in context

Patterns are globs and phrases on normalized tokens, so `rearm*` also finds "re-arm"."""),
        ("code", """import pandas as pd
pd.set_option("display.max_colwidth", 80)
ck.kwic(corpus, "rearm*", window=6)[["id", "pre", "keyword", "post"]]"""),
        ("code", """ck.kwic(corpus, ["constitution*", "Article 9"], window=6)[["id", "pattern", "pre", "keyword", "post"]]"""),
        ("code", """ck.kwic(corpus, "counterattack*", window=6)[["id", "pre", "keyword", "post"]]"""),
        ("md", """## Near-duplicates

Syndicated copies would inflate any trend; the five seeds share no 5-word shingles above the threshold."""),
        ("code", """corpus.duplicates(threshold=0.3)"""),
    ]


@notebook("02_topics.ipynb")
def _topics():
    return [
        ("md", """# 2. Topics: what the articles talk about, and how that changes

TF-IDF + NMF topics (`ck.TopicModel`), the number of topics chosen by stability (Greene, O'Callaghan &
Cunningham 2014) with coherence (NPMI, equal to gensim's `CoherenceModel`) as the tie-breaker, and
topic prevalence per year with bootstrap intervals. With five articles the modeled unit is a window of
three sentences (the `unit="auto"` rule for corpora under 100 documents)."""),
        ("code", """%matplotlib inline
import corpuskit as ck
from corpuskit import plots

corpus = ck.load_corpus("../seeds")
selection = ck.select_n_topics(corpus, ks=range(2, 11), random_state=0)
selection"""),
        ("code", """print(selection.attrs["rule"])
plots.plot_k_selection(selection)"""),
        ("code", """k = int(selection.loc[selection["recommended"], "k"].iloc[0])
model = ck.TopicModel(n_topics=k, random_state=0).fit(corpus)
model.top_terms(10).pivot(index="rank", columns="label", values="term")"""),
        ("md", """## Topics per article

Each article's topic proportions (token-weighted over its windows). With one article per period,
topics largely coincide with articles: a change in prevalence is a change of article as much as a
change of framing."""),
        ("code", """model.document_topics().round(3)"""),
        ("code", """prev = model.prevalence(by="year", random_state=0)
prev[prev["n_docs"] > 0][["period", "label", "share", "ci_low", "ci_high", "n_docs", "ci_basis"]].round(3)"""),
        ("code", """plots.plot_prevalence(prev, category="topic", label="label")"""),
        ("md", """Shaded years have no articles; a year with one article gets an interval from resampling its
windows (`ci_basis = "units"`), which describes that text, not the year."""),
        ("code", """import pandas as pd
pd.set_option("display.max_colwidth", 160)
model.representative_units(0, n=2)[["id", "weight", "text"]]"""),
        ("code", """model.coherence("c_npmi").round(3)"""),
        ("code", """model.topic_evolution(0, by="year", n=6).pivot(index="rank", columns="period", values="term")"""),
    ]


@notebook("04_reuse_state_of_the_union.ipynb")
def _sotu():
    return [
        ("md", """# 4. Reuse: the same library on a second corpus

The State of the Union addresses 1790–2021 (`data/state_of_the_union/`, public domain, copied byte-exact
with its provenance README) are a real dated corpus a researcher might bring. The question here: how does
the framing of defense — and of Japan — shift across two centuries? The frame dictionary
(`data/sotu_defense_frames.yml`) was written for that question; nothing below is specific to it."""),
        ("code", """%matplotlib inline
import pandas as pd
import corpuskit as ck
from corpuskit import plots

sotu = ck.load_corpus("data/state_of_the_union")
df = sotu.to_frame()
print(sotu)
sotu.periods("50Y").astype(str).value_counts().sort_index().rename("addresses per 50-year period")"""),
        ("code", """frames = ck.load_dictionary("data/sotu_defense_frames.yml")
frames.summary()[["frame", "n_entries"]]"""),
        ("code", """by_era = ck.frame_prevalence(sotu, dictionary=frames.collapse(1), by="25Y", random_state=0)
by_era[by_era["n_docs"] > 0].pivot(index="period", columns="frame", values="share").round(2)"""),
        ("code", """plots.plot_prevalence(by_era, category="frame", label=None, ylabel="share of frame hits (%)")"""),
        ("md", """Each 25-year period holds many addresses, so the intervals resample addresses
(`ci_basis = "documents"`)."""),
        ("md", """## Japan in the addresses

Japan is rare before 1900; KWIC shows how it is framed when it appears."""),
        ("code", """japan = ck.kwic(sotu, "japan*", window=8)
japan.groupby(japan["year"] // 10 * 10).size().rename("mentions of Japan per decade")"""),
        ("code", """pd.set_option("display.max_colwidth", 90)
japan[japan["year"].isin([1941, 1942, 1951, 1990, 2001, 2016])][["id", "pre", "keyword", "post"]].head(12)"""),
        ("code", """japan_share = by_era[(by_era["frame"] == "japan") & (by_era["n_docs"] > 0)]
japan_share[["period", "hits", "n_hits", "share", "ci_low", "ci_high"]].round(3)"""),
        ("md", """## Which words carry the shift: before and after 1945

Fightin' Words (Monroe, Colaresi & Quinn 2008) with the pooled counts as informative prior."""),
        ("code", """kw = ck.keyness(sotu.between("1900", "1944"), sotu.between("1946", "2021"), stop_words="english")
plots.plot_keyness(kw, n=15, labels=("1900–1944", "1946–2021"))"""),
        ("md", """## Topics at document level

233 addresses are above the 100-document threshold, so `unit="auto"` models whole addresses."""),
        ("code", """model = ck.TopicModel(n_topics=8, random_state=0, min_df=5, max_df=0.7).fit(sotu)
print(model.unit_)
model.top_terms(8).pivot(index="rank", columns="label", values="term")"""),
        ("code", """prev = model.prevalence(by="25Y", random_state=0)
plots.plot_prevalence(prev, category="topic", label="label")"""),
    ]


def build(names: list[str] | None = None, execute: bool = True) -> None:
    for name, cells in NOTEBOOKS.items():
        if names and name not in names:
            continue
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.metadata["language_info"] = {"name": "python"}
        for i, (kind, src) in enumerate(cells):
            cell = nbformat.v4.new_markdown_cell(src) if kind == "md" else nbformat.v4.new_code_cell(src)
            cell["id"] = f"cell-{i:02d}"  # stable ids keep diffs small
            nb.cells.append(cell)
        if execute:
            NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}).execute()
        for cell in nb.cells:  # drop run-specific metadata so re-running changes nothing spurious
            cell.metadata.pop("execution", None)
        nbformat.write(nb, HERE / name)
        print("wrote", name)


if __name__ == "__main__":
    build(sys.argv[1:] or None)
