"""The docstring examples run as doctests, on the repository's seeds.

Every module of corpuskit is searched (``doctest.DocTestFinder``); each docstring runs in a fresh copy of
its module's namespace plus the shared names below, built once from ``seeds/``:

- ``ck``, ``pd``, ``np``
- ``corpus``: ``ck.load_corpus("seeds")``; ``tk``: ``ck.tokens(corpus)``
- ``doc_scores``: the seeds' document stance, ``ck.score_stance(corpus, target="rearmament",
  cues="rearmament", random_state=1)``
- ``tm``: ``ck.TopicModel(n_topics=4, random_state=0).fit(corpus)``

The examples run in a scratch folder (so an example may write ``model.zip`` or ``figures/``) holding a
copy of ``seeds/`` (they name ``"seeds"`` and ``"seeds/study.yml"``) and the seeds written as the files a
researcher starts from: ``news.csv`` (id, date, headline, body), ``news.jsonl`` (doc, date, content),
``news.parquet`` (id, date, body) and ``archive/`` (one JSONL and one Parquet file per year). They run with
ELLIPSIS and NORMALIZE_WHITESPACE, and with the real decision whether worker processes pay off (the
conftest forces them for tests that pass n_jobs; on the seeds they do not). An example that cannot run
here keeps ``# doctest: +SKIP`` only when it is listed in ``ALLOWED_SKIPS`` with its reason;
``test_skips_are_the_allowed_ones`` fails on any other.
"""
from __future__ import annotations

import doctest
import importlib
import os
import pathlib
import pkgutil
import re
import sys
import warnings

import pytest

import corpuskit
from corpuskit.chunks import parallel_pays_off as PARALLEL_PAYS_OFF  # before conftest's autouse patch

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "corpuskit"

# (file under corpuskit/, text of the skipped line, why it cannot run here)
ALLOWED_SKIPS: list[tuple[str, str, str]] = [
    ("dask_backend.py", 'client = Client("tcp://scheduler:8786")',
     "connects to a Dask cluster's scheduler; the examples below it run on the local scheduler"),
    ("dask_backend.py", 'stop_words="english")',  # the continuation line of dask_dfm(..., client=client, ...)
     "runs on that cluster, on its shared file system"),
]

MODULES = ["corpuskit"] + sorted(m.name for m in pkgutil.walk_packages(corpuskit.__path__, "corpuskit.")
                                 if m.name != "corpuskit.__main__")  # __main__ runs the CLI
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    """The scratch folder the examples run in (see the module docstring)."""
    import json
    import shutil

    import pandas as pd

    import corpuskit as ck
    d = tmp_path_factory.mktemp("doctests")
    shutil.copytree(ROOT / "seeds", d / "seeds")
    rows = [{"id": doc.id, "date": doc.date.text, "headline": doc.meta["title"], "body": doc.text}
            for doc in ck.load_corpus(ROOT / "seeds").documents]
    news = pd.DataFrame(rows)
    news.to_csv(d / "news.csv", index=False)
    with open(d / "news.jsonl", "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps({"doc": r["id"], "date": r["date"], "content": r["body"]}) + "\n")
    news[["id", "date", "body"]].to_parquet(d / "news.parquet", index=False)
    (d / "archive").mkdir()
    for year, part in news.assign(year=news["date"].str[:4]).groupby("year"):
        part[["id", "date", "body"]].rename(columns={"body": "text"}).to_json(
            d / "archive" / f"{year}.jsonl", orient="records", lines=True, force_ascii=False)
        part[["id", "date", "body"]].to_parquet(d / "archive" / f"{year}.parquet", index=False)
    return d


@pytest.fixture(scope="module")
def shared(sandbox):
    """The names every example may use, built once (see the module docstring)."""
    import numpy as np
    import pandas as pd

    import corpuskit as ck
    corpus = ck.load_corpus(sandbox / "seeds")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "ck": ck, "pd": pd, "np": np, "corpus": corpus, "tk": ck.tokens(corpus),
            "doc_scores": ck.score_stance(corpus, target="rearmament", cues="rearmament", random_state=1),
            "tm": ck.TopicModel(n_topics=4, random_state=0).fit(corpus),
        }


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, shared, sandbox, monkeypatch):
    import pandas as pd
    monkeypatch.chdir(sandbox)
    monkeypatch.setattr(corpuskit.chunks, "parallel_pays_off", PARALLEL_PAYS_OFF)
    module = importlib.import_module(name)
    tests = doctest.DocTestFinder(exclude_empty=True).find(module, name)
    report: list[str] = []
    n_examples = n_failed = 0
    # the printed width of a DataFrame follows the terminal unless fixed
    with pd.option_context("display.width", 100, "display.max_columns", 12, "display.max_colwidth", 40), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")  # examples show results; their warnings are tested elsewhere
        for test in tests:
            test.globs = {**module.__dict__, **shared}
            runner = doctest.DocTestRunner(optionflags=FLAGS)
            result = runner.run(test, out=report.append, clear_globs=True)
            n_examples += result.attempted
            n_failed += result.failed
    if "matplotlib.pyplot" in sys.modules:  # the plot examples leave their figures open
        sys.modules["matplotlib.pyplot"].close("all")
    assert n_failed == 0, f"{name}: {n_failed} of {n_examples} examples failed\n" + "".join(report)


def skipped_lines() -> list[tuple[str, str]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.search(r"doctest:.*\+SKIP", line):
                out.append((path.relative_to(PACKAGE).as_posix(), line.strip()))
    return out


def test_skips_are_the_allowed_ones():
    found = skipped_lines()
    unexplained = [(f, line) for f, line in found
                   if not any(f == af and text in line for af, text, _ in ALLOWED_SKIPS)]
    assert not unexplained, ("examples skipped without a reason in tests/test_doctests.py ALLOWED_SKIPS: "
                             + "; ".join(f"{f}: {line}" for f, line in unexplained))
    assert len(found) == len(ALLOWED_SKIPS), (
        f"{len(found)} '# doctest: +SKIP' lines in corpuskit/ but {len(ALLOWED_SKIPS)} allowed: "
        "remove the ALLOWED_SKIPS entries whose example now runs")


@pytest.mark.parametrize("name", MODULES)
def test_every_example_is_found(name, monkeypatch):
    # an example the finder misses (a docstring of an object it does not visit, or a ">>> # comment",
    # which doctest drops) would never run
    monkeypatch.setattr(corpuskit.chunks, "parallel_pays_off", PARALLEL_PAYS_OFF)
    module = importlib.import_module(name)
    found = sum(len(t.examples) for t in doctest.DocTestFinder(exclude_empty=True).find(module, name))
    written = sum(line.lstrip().startswith(">>>") for line in pathlib.Path(module.__file__).read_text(
        encoding="utf-8").splitlines())
    assert found == written, f"{module.__file__}: {written} '>>>' lines but {found} examples found"
