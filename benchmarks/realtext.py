"""Real-text benchmark: corpuskit against bare scikit-learn and gensim on the UN General Debate corpus.

    python benchmarks/realtext.py                  # all 10,952 statements (about 200 MB): the reported run
    python benchmarks/realtext.py --docs 500       # an evenly spaced subset, for development
    python benchmarks/realtext.py --profile        # cProfile of load_corpus, the fit and the streamed pass
    python benchmarks/realtext.py --no-stance      # the streamed pass without score_stance (frames only)

The corpus is ``../shared/corpora/ungdc`` (UNGDC v13, CC0; ``--corpus`` to point elsewhere): a folder of
``.txt`` statements with ``metadata.csv`` (id, file, date = year, country, session). ``--docs N`` copies
every (10,952/N)-th statement into ``benchmarks/data/ungdc-N`` (not timed) and runs on that.

Each pipeline runs in its own process (the parent samples its resident memory, joblib workers included,
every 0.1 s with psutil, a benchmark-only dependency):

* ``corpuskit``: ``ck.load_corpus(folder)`` (read + clean with the default Cleaner) +
  ``TopicModel(n_topics=20, unit="document", min_df=5, max_df=0.5, init="nndsvda", max_iter=200,
  random_state=0, n_jobs=2).fit(corpus)`` + ``prevalence(by="year", random_state=0)`` (bootstrap CIs).
* ``sklearn``: the same files read as raw text, ``TfidfVectorizer(stop_words="english", min_df=5,
  max_df=0.5)`` + ``NMF(20, init="nndsvda", max_iter=200, random_state=0)`` + each year's mean of the
  row-normalized W (no CIs).
* ``gensim`` (when installed): raw text, ``simple_preprocess``, ``Dictionary`` + ``filter_extremes(5, 0.5)``,
  ``doc2bow``, ``LdaModel(20, passes=1)`` + each year's mean topic proportions.
* ``corpuskit_stream``: one streamed pass ``ck.scan(stream_corpus(folder), {frames, stance}, dfm=...,
  n_jobs=2)``: read, clean, tokenize, count, ``score_frames``, ``score_stance`` per chunk; its MB/s is the
  raw text size over the pass's seconds.

Writes ``benchmarks/results/realtext/ungdc.json`` (or ``ungdc-N.json``) and replaces only the "Real text" section
of ``benchmarks/RESULTS.md`` (between its two marker comments; ``run.py`` keeps that section).
``--profile`` runs cProfile on the three corpuskit steps in this process and replaces the "Profile" section
of ``benchmarks/NOTES.md`` with each step's top entries.
"""
from __future__ import annotations

import argparse
import cProfile
import csv
import io
import json
import os
import pathlib
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from functools import partial

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from run import STANCE_COLUMNS, Timer, gensim_lda, machine, stance_scores  # noqa: E402,F401  (the generated-corpus benchmark)

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "ungdc"
K = 20
MIN_DF, MAX_DF = 5, 0.5
N_JOBS = 2
NMF_KW = dict(n_components=K, init="nndsvda", max_iter=200, random_state=0)
JOBS = ["corpuskit", "sklearn", "gensim", "corpuskit_stream"]
START, END = "<!-- realtext:start -->", "<!-- realtext:end -->"
PSTART, PEND = "<!-- profile:start -->", "<!-- profile:end -->"
STREAM_STEP = "stream_pass (read+clean+tokenize+count+score_frames+score_stance)"
STREAM_STEP_NO_STANCE = "stream_pass (read+clean+tokenize+count+score_frames; --no-stance)"


# ---------------------------------------------------------------------------- data
def subset(corpus: pathlib.Path, n: int | None) -> pathlib.Path:
    """The corpus folder, or an evenly spaced subset of ``n`` statements copied to benchmarks/data/ungdc-N."""
    with open(corpus / "metadata.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if n is None or n >= len(rows):
        return corpus
    out = HERE / "data" / f"ungdc-{n}"
    if (out / "metadata.csv").exists():
        return out
    step = len(rows) / n
    pick = [rows[int(i * step)] for i in range(n)]
    out.mkdir(parents=True, exist_ok=True)
    for r in pick:
        shutil.copyfile(corpus / r["file"], out / r["file"])
    with open(out / "metadata.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(pick)
    return out


def text_mb(folder: pathlib.Path) -> float:
    return sum(p.stat().st_size for p in folder.glob("*.txt")) / 1e6


def read_raw(folder: pathlib.Path) -> tuple[list[str], list[int]]:
    """The raw texts and years in metadata.csv order (what the bare peers vectorize)."""
    with open(folder / "metadata.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [(folder / r["file"]).read_text(encoding="utf-8") for r in rows], [int(r["date"][:4]) for r in rows]


def year_means(theta, years):
    """Each year's mean of the row-normalized document-topic weights (the peers' 'prevalence')."""
    import numpy as np
    import pandas as pd
    tot = theta.sum(axis=1, keepdims=True)
    props = np.divide(theta, tot, out=np.zeros_like(theta), where=tot > 0)
    return pd.DataFrame(props).groupby(np.asarray(years)).mean()


# ---------------------------------------------------------------------------- workers (child processes)
def _topic_model():
    import corpuskit as ck
    return ck.TopicModel(n_topics=K, method="nmf", unit="document", min_df=MIN_DF, max_df=MAX_DF, init="nndsvda",
                         max_iter=200, random_state=0, n_jobs=N_JOBS)


def job_corpuskit(folder: pathlib.Path) -> dict:
    import corpuskit as ck
    t = Timer()
    corpus = t("load_corpus (read + clean)", ck.load_corpus, folder)
    tm = t("TopicModel.fit (count + trim + tfidf + NMF k=20, n_jobs=2)", _topic_model().fit, corpus)
    t("prevalence(by='year') (bootstrap CIs)", tm.prevalence, by="year", random_state=0)
    return {"steps": t.steps, "max_rss_mb_after_step": t.max_rss_mb, "shape": list(tm.dfm_.shape)}


def job_sklearn(folder: pathlib.Path) -> dict:
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer
    t = Timer()
    texts, years = t("read files", read_raw, folder)
    x = t("TfidfVectorizer", TfidfVectorizer(stop_words="english", min_df=MIN_DF, max_df=MAX_DF).fit_transform,
          texts)
    del texts
    w = t("NMF k=20", NMF(**NMF_KW).fit_transform, x)
    t("per-year means", year_means, w, years)
    return {"steps": t.steps, "max_rss_mb_after_step": t.max_rss_mb, "shape": list(x.shape)}


def job_gensim(folder: pathlib.Path) -> dict:
    import numpy as np
    from gensim.matutils import corpus2dense
    t = Timer()
    texts, years = t("read files", read_raw, folder)
    lda, bow, d = gensim_lda(t, texts)
    theta = t("document topics", lambda: corpus2dense(lda[bow], K, len(bow)).T)
    t("per-year means", year_means, np.asarray(theta), years)
    return {"steps": t.steps, "max_rss_mb_after_step": t.max_rss_mb, "shape": [len(bow), len(d)]}


def _scan_args(folder: pathlib.Path, stance: bool = True):
    import numpy as np

    import corpuskit as ck
    from corpuskit.stream import stream_corpus
    sc = stream_corpus(folder, chunk_size=500)
    frames = partial(ck.score_frames, dictionary=ck.load_dictionary("rearmament"))
    funcs = {"frames": frames}
    if stance:
        funcs["stance"] = partial(stance_scores, target=ck.load_target("rearmament"), cues=ck.load_cues("rearmament"))
    return sc, funcs, {"stop_words": "english", "dtype": np.int32}


def job_corpuskit_stream(folder: pathlib.Path, stance: bool = True) -> dict:
    from corpuskit.stream import scan
    t = Timer()
    sc, funcs, opts = _scan_args(folder, stance)
    m, out = t(STREAM_STEP if stance else STREAM_STEP_NO_STANCE, scan, sc, funcs, dfm=opts, n_jobs=N_JOBS)
    return {"steps": t.steps, "max_rss_mb_after_step": t.max_rss_mb, "shape": list(m.shape)}


WORKERS = {"corpuskit": job_corpuskit, "sklearn": job_sklearn, "gensim": job_gensim,
           "corpuskit_stream": job_corpuskit_stream}


# ---------------------------------------------------------------------------- parent
def measure(job: str, folder: pathlib.Path, stance: bool = True) -> dict:
    import psutil
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        out_path = fh.name
    cmd = [sys.executable, __file__, "--worker", job, "--folder", str(folder), "--worker-out", out_path] + ([] if stance else ["--no-stance"])
    print(f"[{job}]", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env={**os.environ, "PYTHONPATH": str(ROOT)})
    ps = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            peak = max(peak, ps.memory_info().rss + sum(c.memory_info().rss for c in ps.children(recursive=True)))
        except psutil.Error:
            pass
        time.sleep(0.1)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        return {"error": f"exit code {proc.returncode}", "wall_s": round(wall, 1), "peak_rss_mb": round(peak / 1e6)}
    res = json.loads(pathlib.Path(out_path).read_text())
    os.unlink(out_path)
    res.update(wall_s=round(wall, 1), peak_rss_mb=round(peak / 1e6), total_s=round(sum(res["steps"].values()), 2))
    return res


def summarize(results: dict, folder: pathlib.Path, n_docs: int, mb: float, load_before) -> dict:
    def ratio(a, b):
        return round(a / b, 3) if a and b else None
    tot = {j: r.get("total_s") for j, r in results.items()}
    rss = {j: r.get("peak_rss_mb") for j, r in results.items()}
    st = results.get("corpuskit_stream", {}).get("steps", {})
    stream_s = st.get(STREAM_STEP) or st.get(STREAM_STEP_NO_STANCE)
    return {"corpus": str(folder), "docs": n_docs, "text_mb": round(mb, 1), "n_jobs": N_JOBS,
            "total_s": tot, "peak_rss_mb": rss, "stream_mb_per_s": ratio(mb, stream_s),
            "ratios": {"time corpuskit/sklearn": ratio(tot.get("corpuskit"), tot.get("sklearn")),
                       "peak RSS corpuskit/sklearn": ratio(rss.get("corpuskit"), rss.get("sklearn")),
                       "time corpuskit/gensim": ratio(tot.get("corpuskit"), tot.get("gensim")),
                       "peak RSS corpuskit/gensim": ratio(rss.get("corpuskit"), rss.get("gensim"))},
            "steps": {j: r.get("steps", {"error": r.get("error")}) for j, r in results.items()},
            "max_rss_mb_after_step": {j: r.get("max_rss_mb_after_step") for j, r in results.items()},
            "machine": machine(), "loadavg_before": load_before,
            "loadavg_after": [round(x, 2) for x in os.getloadavg()],
            "utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())}


def replace_section(path: pathlib.Path, start: str, end: str, body: str, title: str) -> None:
    """Replace the text between ``start`` and ``end`` in ``path`` (append the section if it has none)."""
    old = path.read_text() if path.exists() else f"# {title}\n"
    block = f"{start}\n{body.strip()}\n{end}"
    if start in old and end in old:
        new = old[:old.index(start)] + block + old[old.index(end) + len(end):]
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(new)


def target_lines(s: dict) -> list[str]:
    """Issue 15's real-text targets, each said met or missed and by how much, from this run's numbers."""
    q = s["ratios"]

    def verdict(name, v, limit, at_most, unit=""):
        if v is None:
            return f"- {name}: not measured in this run"
        ok = v <= limit if at_most else v >= limit
        gap = (v - limit) if at_most else (limit - v)
        how = "met" if ok else f"**missed** by {gap:.2f}{'' if unit == '×' else unit} ({v / limit:.2f}× the target)"
        return f"- {name}: {v:.2f}{unit} (target {'≤' if at_most else '≥'} {limit}{unit}): {how}"
    stance = "" if s.get("stance", True) else ", without stance"
    return ["Issue 15 targets on this run (the generated-corpus targets, dfm throughput, NMF against gensim "
            "and the 1M memory, are in the tables above):",
            verdict("load + clean + topics + prevalence time, corpuskit / scikit-learn",
                    q["time corpuskit/sklearn"], 1.2, True, "×"),
            verdict("peak memory, corpuskit / scikit-learn", q["peak RSS corpuskit/sklearn"], 1.5, True, "×"),
            verdict(f"streamed pass, n_jobs=2{stance}", s["stream_mb_per_s"], 8, False, " MB/s")]


def results_section(s: dict) -> str:
    f = lambda v, d=2: "—" if v is None else f"{v:.{d}f}"  # noqa: E731
    mc = s["machine"]
    q = s["ratios"]
    lines = ["## Real text: UN General Debate corpus (`benchmarks/realtext.py`)", "",
             "Written by `python benchmarks/realtext.py` (all statements; `--docs N` for an evenly spaced subset) "
             "— do not edit by hand. Each pipeline in its own process; peak RSS includes joblib workers.", "",
             f"- Corpus: `{pathlib.Path(s['corpus']).name}`, {s['docs']:,} statements, {s['text_mb']:.1f} MB of "
             f"raw text; corpuskit commit {mc['corpuskit_commit']}, {s['utc']} UTC",
             *([f"- A development subset (`--docs {s['docs']}`), run while the machine was shared; the reported run "
                "is `python benchmarks/realtext.py` (all statements) on a quiet machine"]
               if pathlib.Path(s["corpus"]).name != "ungdc" else []),
             f"- Streamed pass {'with' if s.get('stance', True) else 'without'} `score_stance`",
             f"- Machine: {mc['cpu']} ({mc['cores']} cores), RAM {mc['ram_gb']} GB; Python {mc['python']}, "
             f"numpy {mc['numpy']}, scikit-learn {mc['sklearn']}, gensim {mc['gensim']}",
             f"- Load average before {s['loadavg_before']}, after {s['loadavg_after']} (the machine's other work "
             "slows the two-process steps most)", "",
             "| process | seconds | peak RSS MB |", "|---|---:|---:|"]
    for j in JOBS:
        if j in s["total_s"]:
            lines.append(f"| {j} | {f(s['total_s'][j], 1)} | {s['peak_rss_mb'].get(j, '—')} |")
    lines += ["", "| measure | value | target (issue 15) |", "|---|---:|---|",
              f"| time, corpuskit / sklearn | {f(q['time corpuskit/sklearn'])} | ≤ 1.2 |",
              f"| peak RSS, corpuskit / sklearn | {f(q['peak RSS corpuskit/sklearn'])} | ≤ 1.5 |",
              f"| time, corpuskit / gensim | {f(q['time corpuskit/gensim'])} | — |",
              f"| peak RSS, corpuskit / gensim | {f(q['peak RSS corpuskit/gensim'])} | — |",
              f"| streamed pass MB/s (n_jobs=2{'' if s.get('stance', True) else ', without stance'}) "
              f"| {f(s['stream_mb_per_s'], 1)} | ≥ 8 |", "",
              *target_lines(s), "",
              "| process | step | seconds | peak RSS of the process so far, MB |", "|---|---|---:|---:|"]
    for j, st in s["steps"].items():
        mx = s["max_rss_mb_after_step"].get(j) or {}
        for k, v in st.items():
            lines.append(f"| {j} | {k} | {v if v is not None else '—'} | {mx.get(k, '—')} |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- profile
def profile(folder: pathlib.Path, top: int, stance: bool = True) -> str:
    import warnings

    import corpuskit as ck
    from corpuskit.stream import scan
    warnings.filterwarnings("ignore", message="Maximum number of iterations")
    parts = [f"## Profile (cProfile, `python benchmarks/realtext.py --profile`, {folder.name}, "
             f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, commit {machine()['corpuskit_commit']})", "",
             "One process (n_jobs=1 for the streamed pass, so its work is visible to the profiler; the fit keeps "
             "n_jobs=2 threads). Top entries by own time (tottime), then by cumulative time.", ""]
    sc, funcs, opts = _scan_args(folder, stance)
    corpus = None
    for name, fn in [("load_corpus", lambda: ck.load_corpus(folder)),
                     ("TopicModel.fit", lambda: _topic_model().fit(corpus)),
                     ("streamed pass (scan, n_jobs=1)", lambda: scan(sc, funcs, dfm=opts, n_jobs=1))]:
        pr = cProfile.Profile()
        t0 = time.perf_counter()
        pr.enable()
        out = fn()
        pr.disable()
        secs = time.perf_counter() - t0
        if name == "load_corpus":
            corpus = out
        for key in ("tottime", "cumulative"):
            buf = io.StringIO()
            st = pstats.Stats(pr, stream=buf)
            st.sort_stats(key).print_stats(top)
            body = buf.getvalue()
            table = body[body.index("ncalls"):].rstrip() if "ncalls" in body else body
            table = table.replace(str(ROOT) + "/", "").replace(str(pathlib.Path(sys.prefix)) + "/", "")
            parts += [f"### {name}: {secs:.1f} s, top {top} by {key}", "", "```", table, "```", ""]
        print(f"profiled {name}: {secs:.1f} s", file=sys.stderr)
    return "\n".join(parts)


def main(argv=None):
    ap = argparse.ArgumentParser(description="corpuskit vs scikit-learn vs gensim on the UN General Debate corpus")
    ap.add_argument("--docs", type=int, default=None, help="an evenly spaced subset of N statements (default all)")
    ap.add_argument("--corpus", type=pathlib.Path, default=DEFAULT_CORPUS)
    ap.add_argument("--jobs", default=",".join(JOBS), help="which processes to run (comma-separated)")
    ap.add_argument("--profile", action="store_true", help="cProfile the corpuskit steps into benchmarks/NOTES.md")
    ap.add_argument("--top", type=int, default=25, help="profile entries per table")
    ap.add_argument("--no-stance", dest="stance", action="store_false",
                    help="streamed pass without score_stance (frames only)")
    ap.add_argument("--no-write", action="store_true", help="print the results, do not touch RESULTS.md")
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--folder", type=pathlib.Path, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--worker-out", default=None, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.worker:
        import warnings
        warnings.filterwarnings("ignore", message="Maximum number of iterations")  # max_iter is fixed on purpose
        kw = {} if a.worker != "corpuskit_stream" else {"stance": a.stance}
        pathlib.Path(a.worker_out).write_text(json.dumps(WORKERS[a.worker](a.folder, **kw)))
        return
    folder = subset(a.corpus, a.docs)
    if a.profile:
        replace_section(HERE / "NOTES.md", PSTART, PEND, profile(folder, a.top, a.stance), "Benchmark notes")
        print(f"wrote {HERE / 'NOTES.md'}", file=sys.stderr)
        return
    n_docs = sum(1 for _ in folder.glob("*.txt"))
    mb = text_mb(folder)
    load_before = [round(x, 2) for x in os.getloadavg()]
    jobs = [j for j in a.jobs.split(",") if j]
    if "gensim" in jobs:
        try:
            import gensim  # noqa: F401
        except ImportError:
            jobs.remove("gensim")
            print("gensim is not installed: its process is not run", file=sys.stderr)
    results = {j: measure(j, folder, a.stance) for j in jobs}
    s = summarize(results, folder, n_docs, mb, load_before)
    s["stance"] = a.stance
    text = json.dumps(s, indent=1)
    print(text)
    if a.no_write:
        return
    name = "ungdc" if folder == a.corpus else folder.name
    out = HERE / "results" / "realtext" / f"{name}.json"  # not results/*.json: run.py reads those
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    replace_section(HERE / "RESULTS.md", START, END, results_section(s), "Benchmark results")
    print(f"wrote {out} and {HERE / 'RESULTS.md'}", file=sys.stderr)


if __name__ == "__main__":
    main()
