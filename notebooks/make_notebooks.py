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


@notebook("03_stance_and_framing.ipynb")
def _stance():
    return [
        ("md", """# 3. Stance and framing: how the articles frame Japanese rearmament, 2006 → 2021–2024

This notebook runs the study's steps with `corpuskit.figures.run_study` (the function
`corpuskit figures` calls, so every number and figure here equals `figures/` and `figures/summary.json`)
and then looks inside the results with the library's public functions: frames per article and per year,
stance per article by three methods, agreement with the hand-coded gold standard, the shift with its
interval and exact p-value, the words that carry the shift, and Wordfish positions."""),
        ("code", """%matplotlib inline
import pandas as pd
import corpuskit as ck
from corpuskit.figures import run_study

pd.set_option("display.max_colwidth", 110)
corpus = ck.load_corpus("../seeds")
study = run_study(corpus, random_state=0, gold="../seeds/annotations/gold.csv",
                  steps=["frames", "keyness", "stance", "shift", "wordfish"])
sorted(study.results)"""),
        ("md", """## Frames

The packaged dictionary (`ck.load_dictionary()`, versioned YAML) has seven frames with tens of entries
each, multiword phrases included; threat's China / North Korea / Russia sub-frames are collapsed into one
frame here. Rates are hits per 1,000 tokens of each article."""),
        ("code", """study.results["frames_per_document"].drop(columns=["date", "date_mid"]).round(1)"""),
        ("code", """study.figures["frames_over_time"]"""),
        ("md", """Shares are of all frame hits in a year; 2021 has two articles, so its interval resamples articles,
the other years resample the one article's sentences (`ci_basis`), which describes that text, not the year."""),
        ("md", """## Target sentences

Stance is scored only on sentences that speak of the target (Japan's military and defense posture), found
with the target lexicon (`corpuskit/data/rearmament_target.yml`)."""),
        ("code", """targets = ck.target_sentences(corpus)
print(targets.groupby("id").size().rename("target sentences").to_dict())
targets[["id", "terms", "text"]].head(5)"""),
        ("md", """## Stance per article, three ways

* **lexicon**: stance cues (support / necessity vs danger / provocation / illegitimacy) that attach to a
  target term in the same clause or within 8 tokens, negation-aware; no labels needed.
* **classifier**: `ck.StanceClassifier` (word 1–3 and character 2–5 n-gram TF-IDF, class-weighted linear
  SVM with cross-validated C, Mohammad et al. 2016), trained on the gold codes of the *other* articles
  (`ck.cross_fit_stance`, leave-one-article-out), so no sentence is scored by a model that saw it.
* **hand-coded**: the gold standard itself (`seeds/annotations/gold.csv`, coded by the codebook in
  `seeds/annotations/CODEBOOK.md` before the cue lexicon was written).

Each article's stance is the mean over its target sentences, with a bootstrap interval over them."""),
        ("code", """docs = study.results["stance_documents"]
docs.pivot(index="id", columns="method", values="stance").round(2)"""),
        ("code", """study.figures["stance_by_method"]"""),
        ("md", """## Agreement with the gold codes

Gold labels: the codebook's favor / against / none for every sentence of the five seeds. The seeds carry
almost no opposing voice (one *against* sentence), so these scores say little about how a method handles
opposition."""),
        ("code", """gold = ck.read_gold("../seeds/annotations/gold.csv")
lexicon = ck.attach_gold(ck.score_stance(corpus, level="sentence"), gold)
coded = lexicon["gold_label"].notna()
a = ck.agreement(lexicon.loc[coded, "gold_label"], lexicon.loc[coded, "label"])
print({k: round(a[k], 3) for k in ("accuracy", "macro_f1", "kappa")}, "n =", a["n"])
a["confusion"]"""),
        ("code", """pd.DataFrame({m: study.summary["stance"][k] for m, k in [
    ("lexicon", "agreement_lexicon"), ("classifier", "agreement_classifier_leave_one_article_out")]}).T"""),
        ("md", """Where the lexicon and the coder disagree, the text shows why: cues that fire on other states'
militaries and tensions, and negation scopes that run across "and"."""),
        ("code", """lexicon.loc[coded & (lexicon["label"] != lexicon["gold_label"]), ["id", "label", "gold_label", "cues", "text"]].head(8)"""),
        ("md", """## The shift, 2006 → 2021–2024

`ck.stance_shift` compares the mean stance after with before. With one article in 2006 and four in
2021–2024, a document-level permutation test has five relabelings and cannot go below p = 0.2
(`p_min`); sentences as units give a smaller floor but treat sentences of one article as independent,
which they are not — the table shows both."""),
        ("code", """study.results["stance_shift"][["method", "basis", "estimate", "ci_low", "ci_high", "p_value", "p_min",
                               "p_method", "n_before", "n_after"]].round(3)"""),
        ("md", """## Which words carry the shift

Fightin' Words (Monroe, Colaresi & Quinn 2008): log-odds ratios with an informative Dirichlet prior from the
pooled counts, z-scores; the dashed line is |z| = 1.96."""),
        ("code", """study.figures["keyness"]"""),
        ("md", """## Wordfish

Wordfish (Slapin & Proksch 2008) places the articles on one latent dimension learned from word counts
alone, oriented from the earliest (000) to the latest (003) article. θ is a position, not a stance:
compare it with the lexicon by sign and rank only."""),
        ("code", """study.results["wordfish"][["id", "theta", "se", "ci_low", "ci_high"]].round(3)"""),
        ("code", """study.figures["wordfish"]"""),
        ("code", """wf = study.summary["wordfish"]
print("words at the negative end:", ", ".join(wf["top_negative_beta"]))
print("words at the positive end:", ", ".join(wf["top_positive_beta"]))
print("Spearman(theta, date) =", wf["spearman_theta_date"], "; Spearman(theta, lexicon stance) =",
      wf["spearman_theta_lexicon_stance"])"""),
        ("md", """The words at each end belong to single articles (003's British "defence", Russia and Pyongyang;
001's officials and responses): on five articles θ separates articles by topic and outlet style.

## What five articles can and cannot support

They show how these five texts differ: all lean in favor of Japan's buildup by the hand codes, the
threat frame's share grows after 2006, and the vocabulary moves to strategy, alliance and the region.
They cannot show a trend in *the press*: one article stands for 2006, the years 2007–2020 are empty,
each later year has one or two articles from different outlets, and no test with 1 vs 4 documents can
reach p < 0.2. The library's machinery is built for the corpora that can (see notebook 4)."""),
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
        ("md", """## Trend and change points

How much do addresses talk of military strength (hits per 1,000 tokens), decade by decade? `ck.trend`
fits an OLS slope to the decade means with a bootstrap over addresses within decades; `ck.change_points`
searches the decade series by binary segmentation (Scott & Knott 1974) with a permutation test of the
maximal split statistic at each step."""),
        ("code", """per_address = ck.score_frames(sotu, frames.collapse(1))
decades = ck.period_means(per_address, by="10Y", value="military_strength", random_state=0)
ck.trend(per_address, by="10Y", value="military_strength", random_state=0)[
    ["slope", "ci_low", "ci_high", "n_periods", "n_docs"]].round(4)"""),
        ("code", """cp = ck.change_points(decades.set_index("period")["mean"], min_size=2, random_state=0)
cp[["segment_start", "segment_end", "label", "mean_left", "mean_right", "p_value", "significant"]].round(3)"""),
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
