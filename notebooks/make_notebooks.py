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
        ("code", """df[["id", "date_evidence", "date_note"]].style.set_properties(**{"white-space": "pre-wrap", "text-align": "left"})"""),
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
