"""Lazy corpora streamed from disk in chunks: folders, JSON lines, CSV and Parquet.

A :class:`StreamingCorpus` never holds all texts: it reads its sources chunk by
chunk, and each chunk is a small in-memory :class:`~corpuskit.corpus.Corpus`
built with the same validation and the same :class:`~corpuskit.clean.Cleaner`
as :func:`~corpuskit.corpus.load_corpus`, so a streamed run and an in-memory
run see identical clean texts and docvars. Errors name the file and line (or
Parquet row) and the value at fault.

It implements the corpus protocol (``len``, ``docvars``, ``iter_texts``), so
:func:`corpuskit.matrix.dfm` (with ``n_jobs`` for parallel counting),
:func:`corpuskit.tokenizer.sentences` and friends accept it; ``map_chunks`` runs any
per-corpus function (frame scoring, say) chunk by chunk and concatenates the
results, and :func:`period_counts` aggregates per period incrementally.

Example
-------
>>> sc = stream_corpus("archive/*.jsonl", chunk_size=2000)
>>> sc
<StreamingCorpus '2006': 4 source(s), not yet read>
>>> m = ck.dfm(sc, n_jobs=-1, stop_words="english")
>>> m
<DFM 5 units × 1099 features, count, 74.5% sparse>
>>> period_counts(sc, by="year")
  period  n_docs  n_chars  n_tokens
0   2006       1     2659       439
1   2021       2    10112      1602
2   2023       1     5201       867
3   2024       1     5794       900
"""
from __future__ import annotations

import glob as _glob
import pathlib
import sys
import warnings
from typing import Any, Callable, Iterable, Iterator, Mapping

import numpy as np
import pandas as pd

from .chunks import Chunk, Merger, check_chunk, chunk_corpus, concat_docvars, prepare_chunk, run_chunks
from .clean import Cleaner
from .corpus import Corpus, resolve_cleaner
from .dictionary import UnmatchedEntriesWarning, unmatched_message
from .errors import CorpusError, ParameterError, Problem
from .matrix import DFM, check_dtype, check_unit, count_texts, count_tokenized, finish_dfm
from .periods import assign_periods, parse_origin, period_labels
from .readers import Problems, csv_batches, folder_rows, jsonl_batches, parquet_batches
from .tokenizer import TOKEN_RE, Tokens, normalize

__all__ = ["StreamingCorpus", "stream_corpus", "period_counts", "scan", "FORMATS"]

FORMATS = ("folder", "jsonl", "csv", "parquet")
_SUFFIX = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


def _sources(paths_or_glob, format: str) -> list[tuple[pathlib.Path, str]]:
    if format not in ("auto",) + FORMATS:
        raise ParameterError(f"format={format!r}: use 'auto' or one of {', '.join(FORMATS)}")
    items = [paths_or_glob] if isinstance(paths_or_glob, (str, pathlib.Path)) else list(paths_or_glob)
    if not items:
        raise ParameterError("paths_or_glob is empty; pass a folder, a file, a glob such as 'data/*.jsonl' or a list")
    out: list[tuple[pathlib.Path, str]] = []
    for item in items:
        s = str(item)
        # a path that exists is a path, even when its name has glob characters ("archive[2021].jsonl")
        if not pathlib.Path(s).exists() and any(ch in s for ch in "*?["):
            matched = sorted(_glob.glob(s))
            if not matched:
                raise ParameterError(f"paths_or_glob={s!r} matches no file")
            paths = [pathlib.Path(m) for m in matched]
        else:
            paths = [pathlib.Path(s)]
        for p in paths:
            if not p.exists():
                raise CorpusError([Problem(str(p), "does not exist; pass a folder of .txt files with metadata.csv, "
                                                   "or .jsonl, .csv or .parquet files")])
            if p.is_dir():
                fmt = "folder"
            elif format != "auto":
                fmt = format
            else:
                fmt = _SUFFIX.get(p.suffix.lower())
                if fmt is None:
                    raise CorpusError([Problem(str(p), f"suffix {p.suffix!r} is not a known corpus format; "
                                                       "use .jsonl, .csv or .parquet or pass format=")])
            if fmt == "folder" and not p.is_dir():
                raise CorpusError([Problem(str(p), "format='folder' needs a folder of .txt files with metadata.csv")])
            out.append((p, fmt))
    return out


def _batched(it: Iterable, n: int) -> Iterator[list]:
    batch: list = []
    for x in it:
        batch.append(x)
        if len(batch) == n:
            yield batch
            batch = []
    if batch:
        yield batch


class StreamingCorpus:
    """A corpus read lazily, ``chunk_size`` documents at a time (see module docstring).

    Parameters
    ----------
    paths_or_glob : a folder (``.txt`` files + ``metadata.csv``), a ``.jsonl``,
        ``.csv`` or ``.parquet`` file, a glob of them, or a list of any of these.
    format : "auto" (by suffix; folders are folders) or one of ``FORMATS``.
    text, id, date : the fields (columns) holding them; ``columns`` renames others.
    chunk_size : documents per chunk (memory is O(chunk_size), not O(corpus)).
    clean : True (default ``Cleaner``), False, or a ``Cleaner``.

    ``docvars`` and ``len`` need one pass over the sources the first time
    (no text is kept); :func:`corpuskit.matrix.dfm` fills them as it counts.
    """

    def __init__(self, paths_or_glob, format: str = "auto", *, text: str = "text", id: str = "id",
                 date: str = "date", columns: Mapping[str, str] | None = None, chunk_size: int = 1000,
                 clean: bool | Cleaner = True, encoding: str = "utf-8", name: str | None = None):
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1:
            raise ParameterError(f"chunk_size={chunk_size!r}: use a positive number of documents per chunk")
        self.sources = _sources(paths_or_glob, format)
        self.format = format
        self.fields = {"text": text, "id": id, "date": date}
        self.columns = dict(columns or {})
        self.chunk_size = int(chunk_size)
        self.cleaner = resolve_cleaner(clean)
        self.encoding = encoding
        self.name = name or self.sources[0][0].stem
        self._docvars: pd.DataFrame | None = None

    def __repr__(self) -> str:
        n = f"{len(self._docvars)} documents" if self._docvars is not None else "not yet read"
        return f"<StreamingCorpus {self.name!r}: {len(self.sources)} source(s), {n}>"

    # -- raw chunks (main process: split only, no parsing of texts where avoidable) ----
    def _rename(self) -> dict[str, str]:
        f = self.fields
        return {f["id"]: "id", f["date"]: "date", f["text"]: "text", **self.columns}

    def raw_chunks(self) -> Iterator[Chunk]:
        """Unparsed chunks to hand to :func:`~corpuskit.chunks.prepare_chunk` (possibly in another process)."""
        for path, fmt in self.sources:
            yield from self.source_chunks(path, fmt)

    def source_chunks(self, path: pathlib.Path, fmt: str) -> Iterator[Chunk]:
        """The unparsed chunks of one of ``self.sources`` (Dask splits a folder's metadata with it)."""
        return getattr(self, f"_raw_{fmt}")(path)

    def _raw_folder(self, path: pathlib.Path) -> Iterator[Chunk]:
        # metadata.csv is small: its rows and every file they name are checked here, the texts
        # are read where the chunk is prepared (possibly a worker)
        rows, _ = folder_rows(path, Problems(False))
        for batch in _batched(rows, self.chunk_size):
            yield ("folder", str(path), batch)

    def _required(self) -> tuple[str, str, str]:
        f = self.fields
        return (f["id"], f["date"], f["text"])

    def _raw_jsonl(self, path: pathlib.Path) -> Iterator[Chunk]:
        for batch in jsonl_batches(path, self.chunk_size, Problems(False)):
            yield ("jsonl", path.name, batch)

    def _raw_csv(self, path: pathlib.Path) -> Iterator[Chunk]:
        for batch in csv_batches(path, self.encoding, self._required(), self.chunk_size, Problems(False)):
            yield ("records", batch)

    def _raw_parquet(self, path: pathlib.Path) -> Iterator[Chunk]:
        for batch in parquet_batches(path, self._required(), self.chunk_size):
            yield ("records", batch)

    # -- parsed chunks -----------------------------------------------------------------
    def prepare_args(self) -> dict[str, Any]:
        """The keyword arguments of :func:`~corpuskit.chunks.prepare_chunk` for this corpus's raw chunks."""
        return {"cleaner": self.cleaner, "encoding": self.encoding, "rename": self._rename(),
                "fields": self.fields}

    def iter_chunks(self) -> Iterator[Corpus]:
        """Each chunk as a small in-memory, cleaned :class:`Corpus` (ids checked unique across chunks)."""
        seen: set[str] = set()
        for raw in self.raw_chunks():
            chunk, problems = prepare_chunk(raw, **self.prepare_args())
            check_chunk(chunk, problems, seen)
            yield chunk

    def iter_texts(self, raw: bool = False) -> Iterator[str]:
        """The clean (or raw) texts, in docvars order, one chunk in memory at a time."""
        for chunk in self.iter_chunks():
            yield from chunk.iter_texts(raw=raw)

    @property
    def docvars(self) -> pd.DataFrame:
        """One row per document, no text (as ``Corpus.docvars``); one pass over the sources the first time."""
        if self._docvars is None:
            self._docvars = concat_docvars([c.docvars for c in self.iter_chunks()])
        return self._docvars.copy()

    def set_docvars(self, docvars: pd.DataFrame) -> None:
        """Keep the docvars a full pass has read (``dfm``/``scan`` count and read metadata in one pass).

        The one place a StreamingCorpus's docvars are written.
        """
        self._docvars = docvars

    def __len__(self) -> int:
        return len(self.docvars)

    @property
    def ids(self) -> list[str]:
        return self.docvars["id"].astype(str).tolist()

    def map_chunks(self, func: Callable[[Corpus], pd.DataFrame], *, n_jobs: int | None = None,
                   progress: bool | None = None) -> pd.DataFrame:
        """Apply ``func`` (Corpus -> DataFrame) to each chunk, in ``n_jobs`` processes, and concatenate.

        >>> from functools import partial
        >>> sc = stream_corpus("archive/*.jsonl", chunk_size=2)
        >>> frames = sc.map_chunks(partial(ck.score_frames, dictionary="rearmament"), n_jobs=2)
        >>> frames[["id", "year", "threat.china", "deterrence"]].round(2)
            id  year  threat.china  deterrence
        0  000  2006          0.00        0.00
        1  001  2021          6.47        6.47
        2  004  2021         16.30        1.48
        3  002  2023          1.15        1.15
        4  003  2024          2.22        6.67
        """
        parts = list(run_chunks(self, _map_worker, {"func": func}, n_jobs=n_jobs, progress=progress))
        attrs = parts[0].attrs if parts else {}
        out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        out.attrs.update(attrs)
        return out

    def to_corpus(self) -> Corpus:
        """Materialize as an in-memory :class:`Corpus` (only for corpora that fit in memory)."""
        docs = [d for c in self.iter_chunks() for d in c.documents]
        return Corpus(docs, name=self.name)


def stream_corpus(paths_or_glob, format: str = "auto", *, text: str = "text", id: str = "id",
                  date: str = "date", chunk_size: int = 1000, **kwargs) -> StreamingCorpus:
    """A :class:`StreamingCorpus` over folders, JSONL, CSV or Parquet files or globs of them.

    >>> sc = stream_corpus("archive/*.parquet", text="body", chunk_size=5000)
    >>> len(sc)
    5
    >>> sc.docvars[["id", "date", "year"]].head(2)
        id       date  year
    0  000 2006-07-01  2006
    1  001 2021-08-01  2021
    """
    return StreamingCorpus(paths_or_glob, format, text=text, id=id, date=date, chunk_size=chunk_size, **kwargs)


def _map_worker(raw: Chunk, prep: dict, func: Callable) -> tuple[Any, list[Problem], list[str]]:
    chunk, problems = chunk_corpus(raw, prep)
    if problems:
        return None, problems, []
    return func(chunk), [], chunk.ids


def period_worker(raw: Chunk, prep: dict, by: str, origin) -> tuple[pd.DataFrame, list[Problem], list[str]]:
    """Documents, characters and tokens per period of one chunk (a :func:`~corpuskit.chunks.run_chunks` worker)."""
    chunk, problems = chunk_corpus(raw, prep)
    if problems:
        return None, problems, []
    dv = chunk.docvars
    texts = list(chunk.iter_texts())
    tab = pd.DataFrame({"period": period_labels(assign_periods(dv["date"], by, origin=origin)),
                        "n_docs": 1, "n_chars": [len(t) for t in texts],
                        "n_tokens": [len(TOKEN_RE.findall(normalize(t))) for t in texts]})
    return tab.groupby("period").sum(), [], chunk.ids


def period_counts(corpus, by: str = "year", *, origin: "str | pd.Timestamp | None" = None, n_jobs: int | None = None,
                  chunk_size: int | None = None, progress: bool | None = None) -> pd.DataFrame:
    """Documents, characters and tokens (``tokenize``, no stop words) per period,
    aggregated chunk by chunk (incrementally).

    Works on a Corpus or a StreamingCorpus; only per-period sums are kept.
    Periods are those of every other function (:func:`corpuskit.periods.assign_periods`): calendar
    bins by default (decades 1990–1999, 2000–2009…), or bins starting at ``origin``; labels show
    the whole bin. Returns period, n_docs, n_chars, n_tokens sorted by period.

    >>> period_counts(stream_corpus("news.jsonl", id="doc", text="content"), by="year")
      period  n_docs  n_chars  n_tokens
    0   2006       1     2659       439
    1   2021       2    10112      1602
    2   2023       1     5201       867
    3   2024       1     5794       900
    """
    total: pd.DataFrame | None = None
    origin = parse_origin(origin)
    for part in run_chunks(corpus, period_worker, {"by": by, "origin": origin}, n_jobs=n_jobs, progress=progress,
                           chunk_size=chunk_size, desc="period counts"):
        total = part if total is None else total.add(part, fill_value=0)
    if total is None:
        return pd.DataFrame(columns=["period", "n_docs", "n_chars", "n_tokens"])
    out = total.astype("int64").sort_index().reset_index()
    out["period"] = out["period"].astype("string")
    return out


def _scan_worker(raw, prep: dict, funcs: Mapping[str, Callable], dfm_opts: Mapping | None):
    chunk, problems = chunk_corpus(raw, prep)
    if problems:
        return None, problems, []
    # the chunk is tokenized once: every scorer reads this Tokens, and so does a document dfm
    tk = Tokens(chunk) if funcs or _tokens_count(dfm_opts) else None
    # a scorer's warnings are handed to scan, which says each once for the whole pass instead of
    # once per chunk (a million documents were a thousand warnings)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        out: dict[str, Any] = {"funcs": {name: f(tk) for name, f in funcs.items()}}
    out["warnings"] = [(w.message.key, w.message.n_docs, w.message.unmatched)
                       if isinstance(w.message, UnmatchedEntriesWarning) else (w.category, str(w.message))
                       for w in said]
    out["n_docs"] = len(chunk.ids)
    if dfm_opts is not None:
        o = dfm_opts
        if _tokens_count(o):
            res = count_tokenized(tk, stop_words=o["stop_words"], stem=o["stem"], min_len=o["min_len"],
                                  remove_numbers=o["remove_numbers"])
        else:
            res = count_texts(chunk.ids, list(chunk.iter_texts()), **dfm_opts)
        res["docvars"] = chunk.docvars if prep else None
        out["dfm"] = res
    return out, [], chunk.ids


class _PassWarnings:
    """The warnings of a pass's chunks, said once each when the pass ends: an entry that matched
    nothing is named only if it matched nothing in every chunk, with the pass's document count."""

    def __init__(self):
        self.unmatched: dict[tuple, dict[int, str]] | None = None  # key -> entries unmatched so far
        self.other: dict[tuple, None] = {}
        self.n_docs = 0

    def add(self, said: list, n_docs: int) -> None:
        self.n_docs += n_docs
        got = {}
        for w in said:
            if len(w) == 3:
                got[w[0]] = w[2]
            else:
                self.other.setdefault(w, None)
        if self.unmatched is None:
            self.unmatched = got
        else:  # a key a chunk does not name: every entry matched in that chunk
            self.unmatched = {k: {i: d for i, d in v.items() if i in got.get(k, {})} for k, v in self.unmatched.items()}

    def warn(self) -> None:
        for category, message in self.other:
            warnings.warn(message, category, stacklevel=3)
        for key, unmatched in (self.unmatched or {}).items():
            if unmatched:
                warnings.warn(UnmatchedEntriesWarning(unmatched_message(key, unmatched, self.n_docs), key,
                                                      self.n_docs, unmatched), stacklevel=3)


def _tokens_count(opts: Mapping | None) -> bool:
    """Whether a dfm with these options is counted from the chunk's Tokens (whole documents, unigrams)."""
    return opts is not None and opts["unit"] == "document" and opts["ngrams"] in (1, (1,), [1])


def scan(corpus, funcs: Mapping[str, Callable[[Tokens], pd.DataFrame]] | None = None, *,
         dfm: Mapping[str, Any] | None = None, n_jobs: int | None = None, chunk_size: int | None = None,
         progress: bool | None = None):
    """One pass over a corpus: each chunk is read, cleaned and tokenized once, counted into a dfm
    (``dfm``: keyword arguments of :func:`corpuskit.matrix.dfm`, or None for no dfm) and its
    :class:`~corpuskit.tokenizer.Tokens` handed to every function in ``funcs`` (Tokens -> DataFrame,
    e.g. :func:`~corpuskit.frames.score_frames`; ``tokens.corpus`` is the chunk), in ``n_jobs``
    processes.

    Returns ``(DFM or None, {name: concatenated DataFrame})``; the DFM equals
    ``ck.dfm(corpus, **dfm)`` and each table equals ``func`` applied chunk by chunk.

    >>> from functools import partial
    >>> sc = stream_corpus("archive/*.jsonl")
    >>> m, out = scan(sc, {"frames": partial(ck.score_frames, dictionary="rearmament")},
    ...               dfm={"stop_words": "english"}, n_jobs=2)
    >>> m, out["frames"].shape
    (<DFM 5 units × 1099 features, count, 74.5% sparse>, (5, 15))
    """
    funcs = dict(funcs or {})
    opts = None
    dtype = np.int64
    if dfm is not None:
        allowed = {"unit", "window", "stop_words", "stem", "ngrams", "min_len", "remove_numbers", "dtype"}
        unknown = set(dfm) - allowed
        if unknown:
            raise ParameterError(f"dfm={dict(dfm)!r}: unknown option(s) {sorted(unknown)}; use {sorted(allowed)}")
        opts = {"unit": "document", "window": 3, "stop_words": None, "stem": False, "ngrams": 1, "min_len": 1,
                "remove_numbers": False, **dfm}
        dtype = check_dtype(opts.pop("dtype", np.int64))
        check_unit(opts["unit"], opts["window"])
    merger = Merger(dtype)
    parts: dict[str, list] = {name: [] for name in funcs}
    said = _PassWarnings()
    for res in run_chunks(corpus, _scan_worker, {"funcs": funcs, "dfm_opts": opts}, n_jobs=n_jobs,
                          progress=progress, chunk_size=chunk_size, desc="scan"):
        said.add(res["warnings"], res["n_docs"])
        for name, df in res["funcs"].items():
            parts[name].append(df)
        if opts is not None:
            merger.add(res["dfm"])
    tables = {}
    for name, dfs in parts.items():
        attrs = dfs[0].attrs if dfs else {}
        tables[name] = pd.concat(dfs, ignore_index=True) if dfs else pd.DataFrame()
        tables[name].attrs.update(attrs)
    parts.clear()  # the chunk tables are joined: freed before finish_dfm releases memory
    said.warn()
    m = None
    if opts is not None:
        if isinstance(corpus, StreamingCorpus):
            dv = concat_docvars(merger.docvars)
            corpus.set_docvars(dv)
        else:
            dv = corpus.docvars
        m = finish_dfm(merger, dv, opts)
    return m, tables
