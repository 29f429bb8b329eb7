"""Benchmark the corpuskit study pipeline against scikit-learn and gensim on the same data.

    python benchmarks/run.py --docs 10000 [--json benchmarks/results/10k.json] [--n-jobs 2]

Generates the corpus with benchmarks/generate.py if needed (seeded; not timed),
then runs, each in its own process (peak RSS sampled with psutil, children included):

* ``corpuskit``: the study pipeline streamed from corpus.jsonl — one pass
  (``ck.stream.scan`` on a StreamingCorpus, ``n_jobs`` processes) that loads,
  cleans, tokenizes and counts (the dfm, int32 counts), scores frames
  (``score_frames``) and scores stance (``score_stance(chunk, unit="sentence")``,
  the lexicon method: target sentences, cues, negation; the scores are kept, the
  sentence texts are not) chunk by chunk; then topics (``TopicModel.fit`` on that
  dfm, k=20, "nmf" with ``n_jobs`` threads and "minibatch-nmf"), topic prevalence
  per year with bootstrap CIs, frame prevalence per year with CIs and mean stance
  per year with CIs (``ck.period_means``).
* ``corpuskit_vectorize``: ``ck.dfm(..., n_jobs)`` + trim + tf-idf on the raw texts
  held in memory, against the same texts as scikit-learn's TfidfVectorizer (the
  vectorizing throughput target), and TopicModel("nmf") against bare NMF on the
  same matrix (the NMF overhead target), single-threaded and with ``n_jobs`` threads.
* ``sklearn_nmf``: json load, TfidfVectorizer, NMF(k=20).
* ``sklearn_minibatch``: json load, TfidfVectorizer, MiniBatchNMF(k=20).
* ``gensim_lda``: json load, simple_preprocess, Dictionary, doc2bow, LdaModel(k=20).

Both NMFs use init="nndsvda", max_iter=200, random_state=0; vocabularies drop
English stop words and features in fewer than 5 or more than half of the documents.
Writes the JSON (docs, corpuskit_s, sklearn_s, gensim_s, peak_rss_mb, steps, ...)
and rewrites benchmarks/RESULTS.md from every benchmarks/results/*.json.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import subprocess
import sys
import tempfile
import time
from functools import partial

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

K = 20
MIN_DF, MAX_DF = 5, 0.5
NMF_KW = dict(n_components=K, init="nndsvda", max_iter=200, random_state=0)
STREAM_STEP = "stream_pass (load+clean+tokenize+count+score_frames+score_stance)"
JOBS = ["corpuskit", "corpuskit_vectorize", "sklearn_nmf", "sklearn_minibatch", "gensim_lda"]


# ---------------------------------------------------------------------------- workers (child processes)
class Timer:
    """Seconds per step, and this process's peak RSS so far after each step (it says which
    step set the peak; worker processes are counted by the parent's sampling, not here)."""

    def __init__(self):
        self.steps: dict[str, float] = {}
        self.max_rss_mb: dict[str, int] = {}

    def __call__(self, name, fn, *a, **kw):
        import resource
        t = time.perf_counter()
        out = fn(*a, **kw)
        self.steps[name] = round(time.perf_counter() - t, 3)
        self.max_rss_mb[name] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)  # KiB on Linux
        print(f"  {name}: {self.steps[name]:.1f} s (peak RSS so far {self.max_rss_mb[name]} MB)", file=sys.stderr,
              flush=True)
        return out


def load_texts(path: pathlib.Path) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh]


STANCE_COLUMNS = ["id", "date", "sentence", "label", "score", "n_favor", "n_against"]


def stance_scores(chunk, target, cues):
    """Lexicon stance of a chunk's target sentences: the scores, without the sentence texts."""
    import corpuskit as ck
    s = ck.score_stance(chunk, unit="sentence", target=target, cues=cues)
    out = s[STANCE_COLUMNS]
    out.attrs = s.attrs
    return out


def job_corpuskit(data: pathlib.Path, n_jobs: int, minibatch: bool = True, with_nmf: bool = True) -> dict:
    import numpy as np

    import corpuskit as ck
    from corpuskit.stream import scan, stream_corpus
    t = Timer()
    sc = stream_corpus(data / "corpus.jsonl", chunk_size=1000)
    # one streamed pass: each chunk is read and cleaned once, then counted, frame-scored and
    # stance-scored (corpuskit.stance lexicon method, one row per target sentence) in the joblib
    # workers; the lexicons are parsed once here, not per chunk
    frames = partial(ck.score_frames, dictionary=ck.load_dictionary("rearmament"))
    stance = partial(stance_scores, target=ck.load_target("rearmament"), cues=ck.load_cues("rearmament"))
    m, out = t(STREAM_STEP, scan, sc, {"frames": frames, "stance": stance},
               dfm={"stop_words": "english", "dtype": np.int32}, n_jobs=n_jobs)
    shape, nnz = list(m.shape), int(m.counts.nnz)
    # the models' min_df/max_df trim, done once here so the full dfm is freed before the fits
    # allocate (TfidfVectorizer frees its untrimmed counts the same way); a model's own trim of
    # the trimmed dfm drops nothing and shares it (same factors)
    m = t("trim (min_df, max_df; the untrimmed dfm freed)", m.trim, min_docfreq=MIN_DF, max_docfreq=MAX_DF)
    # TopicModel.fit takes the trimmed count dfm (tf-idf + factorization)
    if with_nmf:
        nmf = ck.TopicModel(n_topics=K, method="nmf", unit="document", min_df=MIN_DF, max_df=MAX_DF,
                            init="nndsvda", max_iter=200, random_state=0, n_jobs=n_jobs)
        t("topics_nmf (tfidf+NMF k=20)", nmf.fit, m)
        t("topic_prevalence_nmf (per year, CIs)", nmf.prevalence, by="year", n_boot=200, random_state=0)
        del nmf  # its trimmed dfm is not needed by the minibatch model
    if minibatch:
        mb = ck.TopicModel(n_topics=K, method="minibatch-nmf", unit="document", min_df=MIN_DF, max_df=MAX_DF,
                           init="nndsvda", max_iter=200, random_state=0)
        t("topics_minibatch (tfidf+MiniBatchNMF k=20)", mb.fit, m)
        t("topic_prevalence_minibatch (per year, CIs)", mb.prevalence, by="year", n_boot=200, random_state=0)
    t("frame_prevalence (per year, CIs)", ck.frame_prevalence, out["frames"], by="year", n_boot=200,
      random_state=0)
    t("stance_means (per year, CIs)", ck.period_means, out["stance"], by="year", n_boot=200, random_state=0)
    return {"steps": t.steps, "max_rss_mb_after_step": t.max_rss_mb, "shape": shape, "nnz": nnz,
            "trimmed_shape": list(m.shape), "trimmed_nnz": int(m.counts.nnz),
            "n_target_sentences": int(len(out["stance"])), "n_frame_docs": int(len(out["frames"]))}


def job_corpuskit_vectorize(data: pathlib.Path, n_jobs: int, nmf_overhead: bool) -> dict:
    import numpy as np

    import corpuskit as ck
    from corpuskit.clean import no_cleaning
    from corpuskit.corpus import Corpus, Document
    from corpuskit.periods import parse_date
    t = Timer()
    texts = t("load (json)", load_texts, data / "corpus.jsonl")
    d0 = parse_date("2020")
    corpus = Corpus([Document(f"{i}", d0, {}, no_cleaning(x)) for i, x in enumerate(texts)])
    m = t("vectorize (ck.dfm n_jobs + trim + tfidf)",
          lambda: ck.dfm(corpus, n_jobs=n_jobs, stop_words="english").trim(min_docfreq=MIN_DF,
                                                                               max_docfreq=MAX_DF).tfidf())
    out = {"shape": list(m.shape)}
    if nmf_overhead:
        from sklearn.decomposition import NMF
        counts = ck.dfm(corpus, n_jobs=n_jobs, stop_words="english")
        tm = ck.TopicModel(n_topics=K, method="nmf", unit="document", min_df=MIN_DF, max_df=MAX_DF,
                           init="nndsvda", max_iter=200, random_state=0)
        t("TopicModel nmf on the dfm", tm.fit, counts)
        tm_par = ck.TopicModel(n_topics=K, method="nmf", unit="document", min_df=MIN_DF, max_df=MAX_DF,
                               init="nndsvda", max_iter=200, random_state=0, n_jobs=n_jobs)
        t("TopicModel nmf n_jobs threads on the dfm", tm_par.fit, counts)
        out["nmf_threads_same_result"] = bool(np.allclose(tm_par.components_, tm.components_, rtol=1e-10,
                                                          atol=1e-12))
        x = counts.trim(min_docfreq=MIN_DF, max_docfreq=MAX_DF).tfidf().counts
        bare = NMF(**NMF_KW)
        t("bare sklearn NMF on the same matrix", bare.fit_transform, x)
        # TopicModel orders topics by prevalence: compare the sets of topic weight totals
        out["nmf_same_result"] = bool(np.allclose(np.sort(tm.components_.sum(axis=1)),
                                                  np.sort(bare.components_.sum(axis=1))))
    out["steps"] = t.steps
    out["max_rss_mb_after_step"] = t.max_rss_mb
    return out


def _tfidf():
    from sklearn.feature_extraction.text import TfidfVectorizer
    return TfidfVectorizer(stop_words="english", min_df=MIN_DF, max_df=MAX_DF)


def job_sklearn(data: pathlib.Path, minibatch: bool) -> dict:
    from sklearn.decomposition import NMF, MiniBatchNMF
    t = Timer()
    texts = t("load (json)", load_texts, data / "corpus.jsonl")
    x = t("vectorize (TfidfVectorizer)", _tfidf().fit_transform, texts)
    est = MiniBatchNMF(**NMF_KW) if minibatch else NMF(**NMF_KW)
    t("MiniBatchNMF k=20" if minibatch else "NMF k=20", est.fit_transform, x)
    return {"steps": t.steps, "max_rss_mb_after_step": t.max_rss_mb, "shape": list(x.shape)}


def gensim_lda(t: Timer, texts: list[str]):
    """gensim's LDA pipeline on ``texts``, timed step by step: simple_preprocess, Dictionary +
    filter_extremes, doc2bow, LdaModel (k=20, one pass). ``texts`` is emptied once tokenized and
    the token lists are dropped before the model, so neither is counted in the model's memory.
    Returns (model, bag of words, dictionary). realtext.py runs the same steps."""
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel
    from gensim.utils import simple_preprocess
    toks = t("tokenize (simple_preprocess)", lambda: [simple_preprocess(x) for x in texts])
    texts.clear()

    def build():
        d = Dictionary(toks)
        d.filter_extremes(no_below=MIN_DF, no_above=MAX_DF, keep_n=None)
        return d
    d = t("Dictionary + filter_extremes", build)
    bow = t("doc2bow", lambda: [d.doc2bow(x) for x in toks])
    del toks
    lda = t("LdaModel k=20 (1 pass)", lambda: LdaModel(bow, id2word=d, num_topics=K, random_state=0, passes=1))
    return lda, bow, d


def job_gensim(data: pathlib.Path) -> dict:
    t = Timer()
    texts = t("load (json)", load_texts, data / "corpus.jsonl")
    _, bow, d = gensim_lda(t, texts)
    return {"steps": t.steps, "max_rss_mb_after_step": t.max_rss_mb, "shape": [len(bow), len(d)]}


def run_job(name: str, data: pathlib.Path, n_jobs: int, nmf_overhead: bool, minibatch: bool = True,
            with_nmf: bool = True) -> dict:
    if name == "corpuskit":
        return job_corpuskit(data, n_jobs, minibatch, with_nmf)
    if name == "corpuskit_vectorize":
        return job_corpuskit_vectorize(data, n_jobs, nmf_overhead)
    if name == "sklearn_nmf":
        return job_sklearn(data, minibatch=False)
    if name == "sklearn_minibatch":
        return job_sklearn(data, minibatch=True)
    if name == "gensim_lda":
        return job_gensim(data)
    raise SystemExit(f"unknown job {name}")


# ---------------------------------------------------------------------------- parent: processes, RSS, report
def measure(name: str, args) -> dict:
    import psutil
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        out_path = fh.name
    cmd = [sys.executable, __file__, "--worker", name, "--docs", str(args.docs), "--data", str(args.data),
           "--n-jobs", str(args.n_jobs), "--worker-out", out_path] + (["--no-nmf-overhead"] if not args.nmf_overhead else []) \
        + ([] if args.minibatch else ["--no-minibatch"]) + ([] if args.nmf else ["--no-nmf"])
    print(f"[{name}]", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env={**os.environ, "PYTHONPATH": str(ROOT)})
    ps = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            rss = ps.memory_info().rss + sum(c.memory_info().rss for c in ps.children(recursive=True))
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.1)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        return {"error": f"exit code {proc.returncode}", "wall_s": round(wall, 1), "peak_rss_mb": round(peak / 1e6)}
    res = json.loads(pathlib.Path(out_path).read_text())
    os.unlink(out_path)
    res["wall_s"] = round(wall, 1)
    res["peak_rss_mb"] = round(peak / 1e6)
    res["corpuskit_commit"] = machine()["corpuskit_commit"]
    return res


def machine() -> dict:
    import numpy
    import psutil
    import sklearn
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        import gensim
        gv = gensim.__version__
    except ImportError:
        gv = None
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip()
    except OSError:
        commit = ""
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(psutil.virtual_memory().total / 1e9, 1),
            "os": platform.platform(), "python": platform.python_version(), "numpy": numpy.__version__,
            "sklearn": sklearn.__version__, "gensim": gv, "corpuskit_commit": commit}


def summarize(args, results: dict, gen: dict) -> dict:
    mb = gen["text_mb"]
    results = dict(results)
    load_before = results.pop("_load_before", None)

    def total(job, exclude=()):
        r = results.get(job, {})
        if "steps" not in r:
            return None
        return round(sum(v for k, v in r["steps"].items() if not any(e in k for e in exclude)), 2)

    ck_nmf = total("corpuskit", exclude=("minibatch",)) if any(
        "_nmf" in k for k in results.get("corpuskit", {}).get("steps", {})) else None
    ck_mb = total("corpuskit", exclude=("_nmf",)) if any(
        "minibatch" in k for k in results.get("corpuskit", {}).get("steps", {})) else None
    sk = total("sklearn_nmf")
    sk_mb = total("sklearn_minibatch")
    gs = total("gensim_lda")
    steps = {j: r.get("steps", {"error": r.get("error")}) for j, r in results.items()}
    vec = results.get("corpuskit_vectorize", {}).get("steps", {})
    skv = results.get("sklearn_nmf", {}).get("steps", {})
    ratio = lambda a, b: round(a / b, 3) if a and b else None  # noqa: E731
    ckv = vec.get("vectorize (ck.dfm n_jobs + trim + tfidf)")
    # the same TfidfVectorizer step runs in both sklearn processes: either times it
    skvec = skv.get("vectorize (TfidfVectorizer)") or results.get("sklearn_minibatch", {}).get(
        "steps", {}).get("vectorize (TfidfVectorizer)")
    out = {
        "docs": args.docs, "text_mb": round(mb, 1), "n_jobs": args.n_jobs,
        "corpuskit_s": ck_nmf, "corpuskit_minibatch_s": ck_mb, "sklearn_s": sk, "sklearn_minibatch_s": sk_mb,
        "gensim_s": gs,
        "peak_rss_mb": {j: r.get("peak_rss_mb") for j, r in results.items()},
        "docs_per_s": {k: (round(args.docs / v, 1) if v else None) for k, v in
                       [("corpuskit", ck_nmf), ("corpuskit_minibatch", ck_mb), ("sklearn", sk),
                        ("sklearn_minibatch", sk_mb), ("gensim", gs)]},
        "mb_per_s": {"corpuskit_stream_pass": ratio(mb, results.get("corpuskit", {}).get("steps", {}).get(
                         STREAM_STEP)),
                     "corpuskit_vectorize": ratio(mb, ckv), "sklearn_vectorize": ratio(mb, skvec)},
        "ratios": {"corpuskit_nmf_pipeline/sklearn_nmf": ratio(ck_nmf, sk),
                   "corpuskit_minibatch_pipeline/sklearn_nmf": ratio(ck_mb, sk),
                   "corpuskit_minibatch_pipeline/sklearn_minibatch": ratio(ck_mb, sk_mb),
                   "corpuskit_nmf_pipeline/gensim": ratio(ck_nmf, gs),
                   "corpuskit_minibatch_pipeline/gensim": ratio(ck_mb, gs),
                   "vectorize_throughput_corpuskit/sklearn": ratio(skvec, ckv),
                   "topicmodel_nmf/bare_nmf_same_matrix": ratio(vec.get("TopicModel nmf on the dfm"),
                                                                vec.get("bare sklearn NMF on the same matrix")),
                   "topicmodel_nmf_threads/bare_nmf_same_matrix": ratio(
                       vec.get("TopicModel nmf n_jobs threads on the dfm"),
                       vec.get("bare sklearn NMF on the same matrix"))},
        "steps": steps, "details": {j: {k: v for k, v in r.items() if k != "steps"} for j, r in results.items()},
        "generated": gen, "machine": machine(),
        "loadavg_before": load_before, "loadavg_after": list(os.getloadavg()),
        "utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
    }
    return out


def write_results_md() -> pathlib.Path:
    runs = []
    for p in sorted((HERE / "results").glob("*.json")):
        runs.append(json.loads(p.read_text()))
    runs.sort(key=lambda r: r["docs"])
    f = lambda v, d=1: "—" if v is None else f"{v:.{d}f}"  # noqa: E731
    lines = ["# Benchmark results", "",
             "Written by `benchmarks/run.py` from `benchmarks/results/*.json` — do not edit by hand.", "",
             "Each pipeline ran in its own process on the same generated corpus (`benchmarks/generate.py`, seed 0, "
             "corpus.jsonl); seconds are wall-clock per step, peak RSS includes child processes "
             "(sampled every 0.1 s with psutil). Load averages before and after each run are printed with its "
             "step table: a busy machine slows the two-process steps most.", "",
             "## Totals", "",
             "| docs | text MB | corpuskit (nmf) s | corpuskit (minibatch) s | sklearn TF-IDF+NMF s | "
             "sklearn TF-IDF+MiniBatchNMF s | gensim LDA s | ck nmf / sk nmf | ck minibatch / sk nmf | "
             "ck minibatch / sk minibatch | ck nmf / gensim | ck minibatch / gensim |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in runs:
        q = r["ratios"]
        lines.append(f"| {r['docs']:,} | {f(r['text_mb'])} | {f(r['corpuskit_s'])} | {f(r['corpuskit_minibatch_s'])} "
                     f"| {f(r['sklearn_s'])} | {f(r['sklearn_minibatch_s'])} | {f(r['gensim_s'])} "
                     f"| {f(q['corpuskit_nmf_pipeline/sklearn_nmf'], 2)} | {f(q['corpuskit_minibatch_pipeline/sklearn_nmf'], 2)} "
                     f"| {f(q.get('corpuskit_minibatch_pipeline/sklearn_minibatch'), 2)} "
                     f"| {f(q['corpuskit_nmf_pipeline/gensim'], 2)} | {f(q['corpuskit_minibatch_pipeline/gensim'], 2)} |")
    lines += ["", "## Throughput, memory and the targets", "",
              "| docs | ck streamed pass MB/s (load+clean+count+frames+stance) | ck vectorize MB/s | sklearn TfidfVectorizer MB/s "
              "| vectorize ratio (target ≥ 1.6) | TopicModel nmf / bare NMF (target ≤ 1.05) "
              "| TopicModel nmf, n_jobs threads / bare NMF "
              "| peak RSS MB: corpuskit / ck vectorize / sklearn nmf / sklearn minibatch / gensim |",
              "|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in runs:
        m, q, p = r["mb_per_s"], r["ratios"], r["peak_rss_mb"]
        rss = " / ".join(str(p.get(j, "—")) for j in JOBS)
        lines.append(f"| {r['docs']:,} | {f(m['corpuskit_stream_pass'])} | {f(m['corpuskit_vectorize'])} "
                     f"| {f(m['sklearn_vectorize'])} | {f(q['vectorize_throughput_corpuskit/sklearn'], 2)} "
                     f"| {f(q['topicmodel_nmf/bare_nmf_same_matrix'], 2)} "
                     f"| {f(q.get('topicmodel_nmf_threads/bare_nmf_same_matrix'), 2)} | {rss} |")
    lines += ["", "## Targets (issue 6), as measured", ""]
    checks = [("vectorize_throughput_corpuskit/sklearn", ">=", 1.6, "ck.dfm(n_jobs) throughput / TfidfVectorizer"),
              ("topicmodel_nmf/bare_nmf_same_matrix", "<=", 1.05, "TopicModel nmf / bare NMF, same matrix"),
              ("corpuskit_nmf_pipeline/sklearn_nmf", "<=", 1.2, "full pipeline (nmf) / sklearn TF-IDF+NMF"),
              ("corpuskit_minibatch_pipeline/sklearn_nmf", "<=", 0.8, "full pipeline (minibatch) / sklearn TF-IDF+NMF"),
              ("corpuskit_nmf_pipeline/gensim", "<", 1.0, "full pipeline (nmf) / gensim LDA pipeline"),
              ("corpuskit_minibatch_pipeline/gensim", "<", 1.0, "full pipeline (minibatch) / gensim LDA pipeline")]
    for r in runs:
        parts = []
        for key, op, bound, label in checks:
            v = r["ratios"].get(key)
            if v is None:
                parts.append(f"{label}: not measured")
                continue
            ok = v >= bound if op == ">=" else v <= bound if op == "<=" else v < bound
            parts.append(f"{label}: {v:.2f} (target {op} {bound}: {'met' if ok else 'missed'})")
        lines.append(f"- {r['docs']:,} documents — " + "; ".join(parts) + ".")
    # issue 15 adds, for a million articles: the minibatch pipeline in 8 GB (workers counted), under 30 min
    big = [r for r in runs if r["docs"] >= 1_000_000]
    if big:
        lines += ["", "## Targets (issue 15, a million articles), as measured", ""]
    for r in big:
        rss, secs = r["peak_rss_mb"].get("corpuskit"), r.get("corpuskit_minibatch_s")
        parts = [f"peak RSS of the corpuskit minibatch pipeline with its workers: {rss:,} MB (target <= 8,000 MB: "
                 f"{'met' if rss <= 8000 else 'missed'})" if rss else "peak RSS: not measured",
                 f"its time: {secs:.0f} s (target < 1,800 s: {'met' if secs < 1800 else 'missed'})" if secs
                 else "time: not measured"]
        lines.append(f"- {r['docs']:,} documents — " + "; ".join(parts) + ".")
    skipped = [(r["docs"], j, d["error"]) for r in runs for j, d in r["details"].items()
               if isinstance(d.get("error"), str) and d["error"].startswith("not run")]
    if skipped:
        lines += ["", "## Processes not run", ""]
        lines += [f"- {n:,} documents, {j}: {e}" for n, j, e in skipped]
    lines += ["", "## Seconds per step", ""]
    for r in runs:
        lines.append(f"### {r['docs']:,} documents ({f(r['text_mb'])} MB, n_jobs={r['n_jobs']}, {r['utc']} UTC, "
                     f"load average before {r.get('loadavg_before')}, after {[round(x, 2) for x in r['loadavg_after']]})")
        lines.append("")
        lines.append("| process | step | seconds |")
        lines.append("|---|---|---:|")
        for job, st in r["steps"].items():
            commit = r["details"].get(job, {}).get("corpuskit_commit")
            label = f"{job} (at {commit})" if commit else job
            for k, v in st.items():
                lines.append(f"| {label} | {k} | {v if v is not None else '—'} |")
        lines.append("")
    if runs:
        mc = runs[-1]["machine"]
        lines += ["## Machine", "", f"- CPU: {mc['cpu']} ({mc['cores']} cores), RAM {mc['ram_gb']} GB",
                  f"- {mc['os']}; Python {mc['python']}, numpy {mc['numpy']}, scikit-learn {mc['sklearn']}, "
                  f"gensim {mc['gensim']}; corpuskit commit {mc['corpuskit_commit']}", ""]
    sizes = {r["docs"] for r in runs}
    notes = HERE / "results" / "NOTES.md"
    if notes.exists():
        lines += ["## Notes", "", notes.read_text().strip(), ""]
    for n in (10_000, 100_000, 1_000_000):
        if n not in sizes:
            lines.append(f"- {n:,} documents: not run (see Notes).")
    out = HERE / "RESULTS.md"
    # the real-text section belongs to benchmarks/realtext.py: kept as it is
    start, end = "<!-- realtext:start -->", "<!-- realtext:end -->"
    old = out.read_text() if out.exists() else ""
    if start in old and end in old:
        lines += ["", old[old.index(start):old.index(end) + len(end)]]
    out.write_text("\n".join(lines) + "\n")
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description="corpuskit vs scikit-learn vs gensim")
    ap.add_argument("--docs", type=int, required=True)
    ap.add_argument("--json", type=pathlib.Path, default=None)
    ap.add_argument("--data", type=pathlib.Path, default=None, help="default benchmarks/data/<docs>")
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--jobs", default=",".join(JOBS), help="which processes to run")
    ap.add_argument("--no-nmf-overhead", dest="nmf_overhead", action="store_false",
                    help="skip TopicModel-vs-bare-NMF on the same matrix (two more NMF fits)")
    ap.add_argument("--no-minibatch", dest="minibatch", action="store_false",
                    help="skip the MiniBatchNMF fits (corpuskit step and the sklearn_minibatch process)")
    ap.add_argument("--no-nmf", dest="nmf", action="store_false",
                    help="skip the NMF fits (corpuskit step and the sklearn_nmf process)")
    ap.add_argument("--skip", action="append", default=[], metavar="JOB=REASON",
                    help="do not run JOB; RESULTS.md gives REASON (e.g. a peer that cannot run at this size)")
    ap.add_argument("--keep-other-jobs", action="store_true",
                    help="keep the measurements of the processes not in --jobs from the existing JSON")
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--worker-out", default=None, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    a.data = a.data or HERE / "data" / str(a.docs)
    if a.worker:
        import warnings
        warnings.filterwarnings("ignore", message="Maximum number of iterations")  # max_iter is fixed on purpose
        res = run_job(a.worker, a.data, a.n_jobs, a.nmf_overhead, a.minibatch, a.nmf)
        pathlib.Path(a.worker_out).write_text(json.dumps(res))
        return
    from generate import generate
    if not (a.data / "generated.json").exists():
        print(f"generating {a.docs} documents in {a.data}", file=sys.stderr)
        generate(a.docs, a.data, ["jsonl"], seed=0)
    gen = json.loads((a.data / "generated.json").read_text())
    results = {"_load_before": [round(x, 2) for x in os.getloadavg()]}
    path = a.json or HERE / "results" / f"{a.docs}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    skips = dict(x.split("=", 1) for x in a.skip)
    for job, reason in skips.items():
        results[job] = {"error": f"not run: {reason}"}
    todo = [j for j in a.jobs.split(",") if (a.minibatch or j != "sklearn_minibatch") and (a.nmf or j != "sklearn_nmf")
            and j not in skips]
    if a.keep_other_jobs and path.exists():
        # rerun some processes, keep the others' measurements from the earlier run of this size
        old = json.loads(path.read_text())
        for job, st in old["steps"].items():
            if job not in todo and job not in skips and "error" not in st:
                results[job] = {**old["details"].get(job, {}), "steps": st}
        results["_load_before"] = old.get("loadavg_before")
    for i, job in enumerate(todo):
        results[job] = measure(job, a)
        # written after every process, so a run stopped early keeps what it measured;
        # processes not run yet are listed as such, never estimated
        pending = {j: {"error": "not run (the run was stopped before this process)"} for j in todo[i + 1:]}
        summary = summarize(a, {**results, **pending}, gen)
        text = json.dumps(summary, indent=1)
        path.write_text(text)
        print(f"wrote {path} and {write_results_md()}", file=sys.stderr)
    print(text)


if __name__ == "__main__":
    main()
