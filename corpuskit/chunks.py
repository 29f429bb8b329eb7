"""Chunk execution and merging: the one place a corpus is cut into chunks, run and put back together.

A chunk is a raw slice of a :class:`~corpuskit.stream.StreamingCorpus`'s sources,
parsed where it runs (:func:`prepare_chunk`, on the readers of
:mod:`corpuskit.readers`, as :func:`~corpuskit.corpus.load_corpus` reads), or a slice
of an in-memory corpus's documents (:func:`memory_chunks`). :func:`run_chunks` runs a
worker over them in joblib processes with a progress bar, raising each chunk's
problems and duplicate ids; :class:`Merger` merges the chunks' vocabularies and
counts exactly and :func:`concat_docvars` their docvars.

A corpus is streamed when it has ``raw_chunks`` and ``prepare_args`` (the corpus
protocol of :class:`~corpuskit.stream.StreamingCorpus`): this module sits below
``stream`` and ``matrix`` and imports neither.

>>> from corpuskit.stream import period_worker
>>> parts = list(run_chunks(corpus, period_worker, {"by": "year", "origin": None}, chunk_size=2))
>>> len(parts)
3
>>> pd.concat(parts).groupby("period").sum()
        n_docs  n_chars  n_tokens
period
2006         1     2659       439
2021         2    10112      1602
2023         1     5201       867
2024         1     5794       900
"""
from __future__ import annotations

import ctypes
import itertools
import os
import pathlib
import sys
from typing import Any, Callable, Iterable, Iterator, Mapping

import numpy as np
import pandas as pd
import scipy.sparse as sp
from joblib import Parallel, delayed
from joblib.externals.loky import get_reusable_executor
from tqdm import tqdm  # text bar: tqdm.auto would need ipywidgets in notebooks

from .clean import Cleaner
from .corpus import Corpus, build_documents
from .errors import CorpusError, ParameterError, Problem
from .readers import Problems, folder_texts, jsonl_records, to_rows

__all__ = ["Chunk", "Merger", "check_chunk", "chunk_corpus", "concat_docvars", "is_streaming", "memory_chunks",
           "parallel_pays_off", "prepare_chunk", "progress_bar", "release_memory", "run_chunks",
           "stop_workers", "STOP_WORKERS_AFTER"]

# a chunk as shipped to a worker: (kind, payload...); see prepare_chunk
Chunk = tuple
DEFAULT_CHUNK_SIZE = 1000  # documents per chunk of an in-memory corpus


def is_streaming(corpus) -> bool:
    """Whether ``corpus`` is read chunk by chunk from its sources (a StreamingCorpus, by its protocol)."""
    return hasattr(corpus, "raw_chunks") and hasattr(corpus, "prepare_args")


# ---------------------------------------------------------------------------- chunk parsing
def prepare_chunk(raw: Chunk, *, cleaner: Cleaner | None, encoding: str, rename: Mapping[str, str],
                  fields: Mapping[str, str]) -> tuple[Corpus, list[Problem]]:
    """Parse, validate and clean one raw chunk into a Corpus (runs in worker processes).

    A chunk is ``("records", [(where, dict)])`` (CSV, Parquet, Dask records: fields
    not yet renamed, values not yet strings), ``("jsonl", file name, [(line number,
    bytes)])`` or ``("folder", folder, metadata rows)``; each goes through the same
    :mod:`corpuskit.readers` step as :func:`~corpuskit.corpus.load_corpus`.
    Problems are returned, not raised, so they cross process boundaries intact.
    """
    problems = Problems(False)
    try:
        kind = raw[0]
        if kind == "records":
            docs = build_documents(to_rows(raw[1], rename, problems), problems, cleaner, text_key="text")
        elif kind == "jsonl":
            need = (fields["id"], fields["date"], fields["text"])
            rows = to_rows(jsonl_records(raw[1], raw[2], encoding, need, problems), rename, problems)
            docs = build_documents(rows, problems, cleaner, text_key="text")
        elif kind == "folder":
            texts = folder_texts(pathlib.Path(raw[1]), raw[2], encoding, problems)
            docs = build_documents(raw[2], problems, cleaner, text_key=None, texts=texts)
        else:
            raise ValueError(f"unknown chunk kind {kind!r}")
    except CorpusError as exc:
        return Corpus([]), exc.problems
    return Corpus(docs), []


def check_chunk(chunk: Corpus, problems: list[Problem], seen: set[str]) -> None:
    """Raise a chunk's problems, or a duplicate id across chunks; record the chunk's ids in ``seen``."""
    if problems:
        raise CorpusError(problems)
    for d in chunk.documents:
        if d.id in seen:
            raise CorpusError([Problem(f"id {d.id!r}", "duplicate id (it occurs in an earlier chunk); "
                                                       "ids must be unique")])
        seen.add(d.id)


def concat_docvars(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate chunk docvars with the dtypes of one ``Corpus.docvars`` (missing metadata is "")."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return Corpus([]).docvars
    dv = pd.concat(parts, ignore_index=True)
    base = ["id", "date", "date_end", "date_mid", "date_precision", "year"]
    for c in dv.columns:
        if c not in base:
            dv[c] = dv[c].fillna("").astype("string")
    return dv


# ---------------------------------------------------------------------------- running chunks
def progress_bar(progress: bool | None, total: int | None, desc: str):
    """A tqdm bar counting documents on stderr (``progress=None``: only on a terminal)."""
    # disable=None: tqdm stays quiet when output is not a terminal (logs, CI)
    return tqdm(total=total, desc=desc, unit="docs", disable=None if progress is None else not progress,
                file=sys.stderr)


def memory_chunks(corpus, size: int, texts_only: bool = False) -> Iterator:
    """An in-memory corpus in chunks of ``size`` documents: lists of Documents, or with
    ``texts_only`` ("texts", ids, clean texts) tuples (less to send to a worker)."""
    docs = getattr(corpus, "documents", None)
    if docs is None:
        raise ParameterError(f"corpus: expected a Corpus or StreamingCorpus, got {type(corpus).__name__}")
    for i in range(0, len(docs), size):
        part = docs[i:i + size]
        yield ("texts", [d.id for d in part], [d.text for d in part]) if texts_only else part


def chunk_corpus(raw, prep: dict) -> tuple[Corpus, list[Problem]]:
    """A chunk as a Corpus: a raw chunk parsed with ``prep`` (see :func:`prepare_chunk`), or a list of Documents."""
    if prep:
        return prepare_chunk(raw, **prep)
    return Corpus(raw), []


# Worker processes pay off only above a size. Starting joblib's workers and shipping them the texts
# costs about 1.5 s on an idle 2-core machine (several seconds on a busy one), and two processes at
# best halve the work; a corpus of one chunk is never split between workers at all. Measured on this
# machine (2-core Xeon, 2026-12-04, load average about 7 from other sessions; ck.dfm(stop_words=
# "english") on UN General Debate statements held in memory, seconds in one process vs n_jobs=2):
#   4.5 MB, 250 docs (1 chunk):    1.2 vs  7.4      10.8 MB, State of the Union, 233 docs (1 chunk): 4.1 vs 10.6
#   18.5 MB, 1,000 docs (1 chunk): 7.4 vs 13.1      18.5 MB in 4 chunks: 7.4 vs 6.6
#   36 MB, 2,000 docs (4 chunks): 15.2 vs 12.6      (issue 13: State of the Union 6.9 vs 19.6 on an idle machine)
# Counting in memory runs at about 10-13 MB/s per process, so two processes save the 1.5 s start-up
# from about 32 MB of text on. A streamed corpus is also read and cleaned in the workers (about 5 MB/s
# per process for read + clean + count), so half as much text suffices: 16 MB of source files.
MIN_PARALLEL_CHARS = 32_000_000   # in-memory corpus: characters of clean text
MIN_PARALLEL_BYTES = 16_000_000   # streamed corpus: bytes of its source files


def _source_bytes(corpus, limit: int) -> int:
    """The size of a streamed corpus's source files, counted until it reaches ``limit``."""
    total = 0
    for path, fmt in getattr(corpus, "sources", []):
        try:
            if fmt == "folder":
                with os.scandir(path) as entries:
                    for e in entries:
                        if e.name.lower().endswith(".txt") and e.is_file():
                            total += e.stat().st_size
                            if total >= limit:
                                return total
            else:
                total += os.stat(path).st_size
        except OSError:
            return limit  # sizes unknown: leave the decision to n_jobs (reading reports the problem)
        if total >= limit:
            return total
    return total


def parallel_pays_off(corpus, n_jobs: int | None, chunk_size: int | None = None) -> bool:
    """Whether ``n_jobs`` worker processes would beat one process on ``corpus`` (see the measurements
    above ``MIN_PARALLEL_CHARS``): not for one job, a corpus of a single chunk, or less text than
    ``MIN_PARALLEL_CHARS`` (in memory) / ``MIN_PARALLEL_BYTES`` of source files (streamed).

    >>> parallel_pays_off(Corpus([]), n_jobs=2)
    False
    """
    if n_jobs in (None, 1):
        return False
    if is_streaming(corpus):
        return _source_bytes(corpus, MIN_PARALLEL_BYTES) >= MIN_PARALLEL_BYTES
    docs = getattr(corpus, "documents", None)
    if docs is None:
        return True  # not a corpus: memory_chunks reports it
    if len(docs) <= (chunk_size or DEFAULT_CHUNK_SIZE):
        return False
    return sum(len(d.text) for d in docs) >= MIN_PARALLEL_CHARS


def _malloc_trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None


_MALLOC_TRIM = _malloc_trim()


def release_memory() -> bool:
    """Hand the heap's free pages back to the operating system (glibc's ``malloc_trim``, as
    Dask's workers do); elsewhere nothing. Returns whether it ran.

    A pass over many chunks frees thousands of chunk-sized arrays (about 1 MB each, below
    glibc's mmap threshold) among objects that stay, and glibc keeps the holes: on 100,000
    generated articles the main process held 300 MB more than it used after the merge
    (benchmarks/NOTES.md). Large arrays allocated later are mapped afresh, so the holes were
    never reused. It costs about 2 ms a call.

    >>> release_memory() in (True, False)
    True
    """
    if _MALLOC_TRIM is None:
        return False
    _MALLOC_TRIM(0)
    return True


def _call_and_release(worker: Callable, chunk, prep: dict, kwargs: dict):
    """``worker(chunk, prep, **kwargs)`` in a joblib process, its freed memory released after."""
    try:
        return worker(chunk, prep, **kwargs)
    finally:
        release_memory()


def run_chunks(corpus, worker: Callable, kwargs: dict, *, n_jobs: int | None = None,
               progress: bool | None = None, chunk_size: int | None = None, desc: str = "chunks",
               texts_only: bool = False) -> Iterator[Any]:
    """Yield ``worker(chunk)`` results in order, over a StreamingCorpus's raw chunks or a
    Corpus's document chunks, in ``n_jobs`` joblib processes (None/1: in this process; also when
    :func:`parallel_pays_off` finds the corpus too small for workers to be faster: same results).

    ``worker(raw_chunk, prep, **kwargs)`` returns (result, problems, ids); problems
    and duplicate ids are raised here, naming the file/row.
    """
    streaming = is_streaming(corpus)
    if streaming:
        chunks: Iterable = corpus.raw_chunks()
        prep = corpus.prepare_args()
    else:
        size = chunk_size or DEFAULT_CHUNK_SIZE
        chunks = memory_chunks(corpus, size, texts_only)
        prep = {}
    seen: set[str] = set()
    bar = progress_bar(progress, None if streaming else len(corpus), desc)
    parallel = parallel_pays_off(corpus, n_jobs, chunk_size)
    n_chunks = 0
    try:
        if not parallel:
            results = (worker(c, prep, **kwargs) for c in chunks)
        else:
            par = Parallel(n_jobs=n_jobs, return_as="generator", pre_dispatch="2*n_jobs", batch_size=1)
            results = par(delayed(_call_and_release)(worker, c, prep, kwargs) for c in chunks)
        for res, problems, ids in results:
            n_chunks += 1
            if problems:
                raise CorpusError(problems)
            for i in ids:
                if i in seen:
                    raise CorpusError([Problem(f"id {i!r}", "duplicate id (it occurs in an earlier chunk); "
                                                            "ids must be unique")])
                seen.add(i)
            bar.update(len(ids))
            yield res
    finally:
        bar.close()
    if parallel and n_chunks >= STOP_WORKERS_AFTER:
        stop_workers()


#: a parallel pass over this many chunks or more stops the worker processes when it ends
STOP_WORKERS_AFTER = 50


def stop_workers() -> None:
    """Stop joblib's idle worker processes (loky's reusable executor); the next parallel pass
    starts new ones.

    joblib keeps its workers for reuse, and after a long pass each holds what its caches and
    heap grew to: 420 MB each after 100,000 generated articles, against 230 MB fresh
    (benchmarks/NOTES.md), memory the model fit that follows a pass needs. Starting them again
    costs about 2.6 s (importing scikit-learn), under a tenth of a pass of
    :data:`STOP_WORKERS_AFTER` chunks, so :func:`run_chunks` stops them after such a pass.
    """
    # reuse=True hands back the executor joblib ran on, whatever its arguments, without a new one
    get_reusable_executor(reuse=True).shutdown(wait=True)


# ---------------------------------------------------------------------------- merging counts
class Merger:
    """Merges chunk vocabularies and counts exactly: a global vocabulary in order of
    arrival, chunk columns renumbered into it, rows stacked; features sorted at the end
    (as scikit-learn's CountVectorizer sorts them)."""

    def __init__(self, dtype=np.int64):
        self.dtype = dtype
        self.vocab: dict[str, int] = {}
        self._next = 0
        self.data, self.indices, self.nnz_rows = [], [], []
        self.units, self.n_tokens, self.docvars = [], [], []

    def add(self, res: dict) -> None:
        # setdefault through map() runs in C: a new word gets the next value of a counter that
        # advances by one per feature seen, so values grow in order of arrival (not contiguous;
        # _dense renumbers them 0..V-1 in the same order)
        feats = res["features"]
        gid = np.fromiter(map(self.vocab.setdefault, feats, itertools.count(self._next)), np.int64, len(feats))
        self._next += len(feats)
        m = res["counts"]
        # kept until the end of the pass: in the output dtype, and column ids in 32 bits while they fit
        self.data.append(m.data.astype(self.dtype, copy=False))
        self.indices.append(gid[m.indices].astype(np.int32 if self._next < 2 ** 31 else np.int64, copy=False))
        self.nnz_rows.append(np.diff(m.indptr))
        self.units.append(res["units"])
        self.n_tokens.append(res["n_tokens"])
        if res.get("docvars") is not None:
            self.docvars.append(res["docvars"])

    def _dense(self, raw: np.ndarray, new_ids: np.ndarray | None = None) -> np.ndarray:
        """Counter values (see ``add``) as vocabulary positions 0..V-1 in order of arrival, or
        as ``new_ids[position]``: one gather through a lookup table."""
        vals = np.fromiter(self.vocab.values(), np.int64, len(self.vocab))
        idx = np.int32 if len(vals) < 2 ** 31 else np.int64
        lut = np.zeros(self._next, idx)
        lut[vals] = np.arange(len(vals)) if new_ids is None else new_ids
        return lut[raw]

    def as_result(self) -> dict:
        """The merged counts as one chunk result (features in arrival order), to merge again."""
        words = np.empty(len(self.vocab), dtype=object)
        words[:] = list(self.vocab)
        nnz = np.concatenate(self.nnz_rows) if self.nnz_rows else np.zeros(0, np.int64)
        indptr = np.concatenate([[0], np.cumsum(nnz)])
        indices = self._dense(np.concatenate(self.indices)) if self.indices else np.zeros(0, np.int64)
        data = np.concatenate(self.data) if self.data else np.zeros(0, np.int64)
        return {"features": words, "counts": sp.csr_matrix((data, indices, indptr), shape=(len(nnz), len(words))),
                "units": (pd.concat(self.units, ignore_index=True) if self.units
                          else pd.DataFrame(columns=["unit_id", "id", "unit", "start", "end"])),
                "n_tokens": np.concatenate(self.n_tokens) if self.n_tokens else np.zeros(0, np.int64),
                "docvars": concat_docvars(self.docvars) if self.docvars else None}

    def matrix(self) -> tuple[sp.csr_matrix, np.ndarray]:
        words = np.empty(len(self.vocab), dtype=object)
        words[:] = list(self.vocab)
        order = np.argsort(words, kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        nnz = np.concatenate(self.nnz_rows) if self.nnz_rows else np.zeros(0, np.int64)
        indptr = np.concatenate([[0], np.cumsum(nnz)])
        # the chunk arrays are released as soon as they are joined: on a large corpus they are
        # most of the memory, and holding both copies would double the peak
        raw, self.indices = (np.concatenate(self.indices) if self.indices else np.zeros(0, np.int32)), []
        indices = self._dense(raw, rank)
        del raw
        data, self.data = (np.concatenate(self.data) if self.data else np.zeros(0, self.dtype)), []
        if len(indices) < 2 ** 31:
            indptr = indptr.astype(np.int32)
        m = sp.csr_matrix((data, indices, indptr), shape=(len(nnz), len(words)), copy=False)
        m.sort_indices()
        return m, words[order]
