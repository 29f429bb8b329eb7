"""Lazy corpora streamed from disk in chunks: folders, JSON lines, CSV and Parquet.

A :class:`StreamingCorpus` never holds all texts: it reads its sources chunk by
chunk, and each chunk is a small in-memory :class:`~corpuskit.corpus.Corpus`
built with the same validation and the same :class:`~corpuskit.clean.Cleaner`
as :func:`~corpuskit.corpus.load_corpus`, so a streamed run and an in-memory
run see identical clean texts and docvars. Errors name the file and line (or
Parquet row) and the value at fault.

It implements the corpus protocol (``len``, ``docvars``, ``iter_texts``), so
:func:`corpuskit.dfm.dfm` (with ``n_jobs`` for parallel counting),
:func:`corpuskit.tokens.sentences` and friends accept it; ``map_chunks`` runs any
per-corpus function (frame scoring, say) chunk by chunk and concatenates the
results, and :func:`period_counts` aggregates per period incrementally.

Example
-------
>>> sc = stream_corpus("archive/*.jsonl", chunk_size=2000)       # doctest: +SKIP
>>> m = ck.dfm(sc, n_jobs=-1, stop_words="english")              # doctest: +SKIP
>>> period_counts(sc, by="year")                                 # doctest: +SKIP
"""
from __future__ import annotations

import csv
import glob as _glob
import json
import pathlib
import sys
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from .clean import Cleaner
from .corpus import Corpus, _build_documents, _csv_rows, _decode, _Problems, _resolve_cleaner
from .errors import CorpusError, ParameterError, Problem
from .periods import assign_periods

__all__ = ["StreamingCorpus", "stream_corpus", "period_counts", "scan", "FORMATS"]

FORMATS = ("folder", "jsonl", "csv", "parquet")
_SUFFIX = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
# a chunk as shipped to a worker: (kind, payload); see _prepare
Chunk = tuple


def _sources(paths_or_glob, format: str) -> list[tuple[pathlib.Path, str]]:
    if format not in ("auto",) + FORMATS:
        raise ParameterError(f"format={format!r}: use 'auto' or one of {', '.join(FORMATS)}")
    items = [paths_or_glob] if isinstance(paths_or_glob, (str, pathlib.Path)) else list(paths_or_glob)
    if not items:
        raise ParameterError("paths_or_glob is empty; pass a folder, a file, a glob such as 'data/*.jsonl' or a list")
    out: list[tuple[pathlib.Path, str]] = []
    for item in items:
        s = str(item)
        if any(ch in s for ch in "*?["):
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
    (no text is kept); :func:`corpuskit.dfm.dfm` fills them as it counts.
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
        self.cleaner = _resolve_cleaner(clean)
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
        """Unparsed chunks to hand to :func:`prepare_chunk` (possibly in another process)."""
        for path, fmt in self.sources:
            yield from getattr(self, f"_raw_{fmt}")(path)

    def _raw_folder(self, path: pathlib.Path) -> Iterator[Chunk]:
        problems = _Problems(False)
        meta = path / "metadata.csv"
        txt = {p.name for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".txt"}
        if not meta.is_file():
            problems.add(str(meta), "is missing; add it with at least the columns id,date "
                                    f"(one row per .txt file; {len(txt)} found)")
        content = _decode(meta.read_bytes(), f"{path.name}/metadata.csv", "utf-8", problems)
        rows = _csv_rows(content, f"{path.name}/metadata.csv", problems, required=("id", "date"), rename={})
        if not rows:
            problems.add(f"{path.name}/metadata.csv", "has no rows; add one row per document")
        claimed = set()
        for _, row in rows:
            claimed.add((row.get("file") or "").strip() or f"{row.get('id', '').strip()}.txt")
        for name in sorted(txt - claimed):
            problems.add(f"{path.name}/{name}", "has no row in metadata.csv; add a row (id, date, file) or move the file out")
        for batch in _batched(rows, self.chunk_size):
            yield ("folder", str(path), batch)

    def _raw_jsonl(self, path: pathlib.Path) -> Iterator[Chunk]:
        with open(path, "rb") as fh:
            numbered = ((i, line) for i, line in enumerate(fh, start=1) if line.strip())
            any_line = False
            for batch in _batched(numbered, self.chunk_size):
                any_line = True
                yield ("jsonl", path.name, batch)
        if not any_line:
            raise CorpusError([Problem(path.name, "has no records; add one JSON object per line")])

    def _raw_csv(self, path: pathlib.Path) -> Iterator[Chunk]:
        f = self.fields
        required = (f["id"], f["date"], f["text"])
        try:
            with open(path, encoding=self.encoding, newline="") as fh:
                reader = csv.reader(fh)
                try:
                    header = next(reader)
                except StopIteration:
                    raise CorpusError([Problem(path.name, "is empty; it needs a header row with at least the "
                                                          "columns " + ", ".join(required))]) from None
                header = [h.strip().lstrip("\ufeff") for h in header]
                missing = [c for c in required if c not in header]
                if missing:
                    raise CorpusError([Problem(f"{path.name} line 1", f"missing column(s) {', '.join(map(repr, missing))} "
                                                                      f"(found {', '.join(map(repr, header))}); pass text=, id=, date=")])
                rename = self._rename()
                batch = []
                try:
                    for rec in reader:
                        where = f"{path.name} line {reader.line_num}"
                        if not any(x.strip() for x in rec):
                            continue
                        if len(rec) != len(header):
                            raise CorpusError([Problem(where, f"has {len(rec)} fields, the header has {len(header)}")])
                        batch.append((where, {rename.get(h, h): v for h, v in zip(header, rec)}))
                        if len(batch) == self.chunk_size:
                            yield ("records", batch)
                            batch = []
                except csv.Error as exc:
                    raise CorpusError([Problem(f"{path.name} line {reader.line_num}", f"is not valid CSV ({exc})")]) from None
                if batch:
                    yield ("records", batch)
        except UnicodeDecodeError as exc:
            raise CorpusError([Problem(f"{path.name}", f"byte 0x{exc.object[exc.start:exc.start + 1].hex()} is not "
                                                       f"valid {self.encoding}; re-save the file as UTF-8 or pass encoding=")]) from None

    def _raw_parquet(self, path: pathlib.Path) -> Iterator[Chunk]:
        try:
            import pyarrow.parquet as pq
        except ImportError:  # pragma: no cover - depends on the environment
            raise ParameterError("reading Parquet needs pyarrow: pip install 'corpuskit[parquet]'") from None
        f = self.fields
        try:
            pf = pq.ParquetFile(path)
        except Exception as exc:  # pyarrow raises several types for unreadable files
            raise CorpusError([Problem(path.name, f"is not a readable Parquet file ({exc})")]) from None
        names = pf.schema_arrow.names
        missing = [c for c in (f["id"], f["date"], f["text"]) if c not in names]
        if missing:
            raise CorpusError([Problem(path.name, f"missing column(s) {', '.join(map(repr, missing))} "
                                                  f"(found {', '.join(map(repr, names))}); pass text=, id=, date=")])
        rename = self._rename()
        row0 = 0
        for batch in pf.iter_batches(batch_size=self.chunk_size):
            cols = {rename.get(k, k): v for k, v in batch.to_pydict().items()}
            recs = []
            for i in range(batch.num_rows):
                recs.append((f"{path.name} row {row0 + i + 1}",
                             {k: ("" if v[i] is None else str(v[i])) for k, v in cols.items()}))
            row0 += batch.num_rows
            yield ("records", recs)

    # -- parsed chunks -----------------------------------------------------------------
    def _prepare_args(self) -> dict[str, Any]:
        return {"cleaner": self.cleaner, "encoding": self.encoding, "rename": self._rename(),
                "fields": self.fields}

    def iter_chunks(self) -> Iterator[Corpus]:
        """Each chunk as a small in-memory, cleaned :class:`Corpus` (ids checked unique across chunks)."""
        seen: set[str] = set()
        for raw in self.raw_chunks():
            chunk, problems = prepare_chunk(raw, **self._prepare_args())
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

    def __len__(self) -> int:
        return len(self.docvars)

    @property
    def ids(self) -> list[str]:
        return self.docvars["id"].astype(str).tolist()

    def map_chunks(self, func: Callable[[Corpus], pd.DataFrame], *, n_jobs: int | None = None,
                   progress: bool | None = None) -> pd.DataFrame:
        """Apply ``func`` (Corpus -> DataFrame) to each chunk, in ``n_jobs`` processes, and concatenate.

        >>> frames = sc.map_chunks(ck.score_frames, n_jobs=2)   # doctest: +SKIP
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

    >>> sc = stream_corpus("archive/*.parquet", text="body", chunk_size=5000)   # doctest: +SKIP
    """
    return StreamingCorpus(paths_or_glob, format, text=text, id=id, date=date, chunk_size=chunk_size, **kwargs)


# ---------------------------------------------------------------------------- chunk parsing
def prepare_chunk(raw: Chunk, *, cleaner: Cleaner | None, encoding: str, rename: Mapping[str, str],
                  fields: Mapping[str, str]) -> tuple[Corpus, list[Problem]]:
    """Parse, validate and clean one raw chunk into a Corpus (runs in worker processes).

    Problems are returned, not raised, so they cross process boundaries intact.
    """
    problems = _Problems(False)
    try:
        kind = raw[0]
        if kind == "records":
            docs = _build_documents(raw[1], problems, cleaner, text_key="text")
        elif kind == "jsonl":
            docs = _build_documents(_jsonl_rows(raw[1], raw[2], problems, encoding, rename, fields),
                                    problems, cleaner, text_key="text")
        elif kind == "folder":
            folder = pathlib.Path(raw[1])
            texts: dict[str, tuple[str, str]] = {}
            for where, row in raw[2]:
                doc_id = row.get("id", "").strip()
                fname = (row.get("file") or "").strip() or f"{doc_id}.txt"
                fpath = folder / fname
                if not doc_id:
                    continue  # reported by _build_documents
                if not fpath.is_file():
                    problems.add(where, f"id {doc_id!r}: file {fname!r} does not exist in {folder}; "
                                        "add the file or remove the row")
                text = _decode(fpath.read_bytes(), f"{folder.name}/{fname}", encoding, problems)
                if text is not None and not text.strip():
                    problems.add(f"{folder.name}/{fname}", f"is empty (id {doc_id!r}); add the text or remove the row and file")
                texts[doc_id] = (f"{folder.name}/{fname}", text)
            docs = _build_documents(raw[2], problems, cleaner, text_key=None, texts=texts)
        else:
            raise ValueError(f"unknown chunk kind {kind!r}")
    except CorpusError as exc:
        return Corpus([]), exc.problems
    return Corpus(docs), []


def _jsonl_rows(fname: str, lines: Sequence[tuple[int, bytes]], problems: _Problems, encoding: str,
                rename: Mapping[str, str], fields: Mapping[str, str]) -> list[tuple[str, dict[str, str]]]:
    rows = []
    need = (fields["id"], fields["date"], fields["text"])
    for lineno, data in lines:
        where = f"{fname} line {lineno}"
        line = _decode(data, where, encoding, problems)
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.add(where, f"not valid JSON ({exc.msg} at column {exc.colno})")
        if not isinstance(obj, dict):
            problems.add(where, "each line must be a JSON object with id, date and text")
        missing = [k for k in need if k not in obj]
        if missing:
            problems.add(where, f"missing field(s) {', '.join(map(repr, missing))}; pass id=, date=, text= "
                                "to name the fields holding them")
        rows.append((where, {rename.get(k, k): ("" if v is None else str(v)) for k, v in obj.items()}))
    return rows


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
def _progress_bar(progress: bool | None, total: int | None, desc: str):
    from tqdm import tqdm  # text bar: tqdm.auto would need ipywidgets in notebooks
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


def _as_corpus(raw, prep: dict) -> tuple[Corpus, list[Problem]]:
    if prep:
        return prepare_chunk(raw, **prep)
    return Corpus(raw), []


def _map_worker(raw: Chunk, prep: dict, func: Callable) -> tuple[Any, list[Problem], list[str]]:
    chunk, problems = _as_corpus(raw, prep)
    if problems:
        return None, problems, []
    return func(chunk), [], chunk.ids


def run_chunks(corpus, worker: Callable, kwargs: dict, *, n_jobs: int | None = None,
               progress: bool | None = None, chunk_size: int | None = None, desc: str = "chunks",
               texts_only: bool = False) -> Iterator[Any]:
    """Yield ``worker(chunk)`` results in order, over a StreamingCorpus's raw chunks or a
    Corpus's document chunks, in ``n_jobs`` joblib processes (None/1: in this process).

    ``worker(raw_chunk, prep, **kwargs)`` returns (result, problems, ids); problems
    and duplicate ids are raised here, naming the file/row.
    """
    if isinstance(corpus, StreamingCorpus):
        chunks: Iterable = corpus.raw_chunks()
        prep = corpus._prepare_args()
    else:
        size = chunk_size or 1000
        chunks = memory_chunks(corpus, size, texts_only)
        prep = {}
    seen: set[str] = set()
    bar = _progress_bar(progress, None if isinstance(corpus, StreamingCorpus) else len(corpus), desc)
    try:
        if n_jobs in (None, 1):
            results = (worker(c, prep, **kwargs) for c in chunks)
        else:
            from joblib import Parallel, delayed
            par = Parallel(n_jobs=n_jobs, return_as="generator", pre_dispatch="2*n_jobs", batch_size=1)
            results = par(delayed(worker)(c, prep, **kwargs) for c in chunks)
        for res, problems, ids in results:
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


def _period_worker(raw: Chunk, prep: dict, by: str, origin) -> tuple[pd.DataFrame, list[Problem], list[str]]:
    chunk, problems = _as_corpus(raw, prep)
    if problems:
        return None, problems, []
    from .tokens import _TOKEN, normalize
    dv = chunk.docvars
    texts = list(chunk.iter_texts())
    tab = pd.DataFrame({"period": np.asarray(assign_periods(dv["date"], by, origin=origin).astype(str)),
                        "n_docs": 1, "n_chars": [len(t) for t in texts],
                        "n_tokens": [len(_TOKEN.findall(normalize(t))) for t in texts]})
    return tab.groupby("period").sum(), [], chunk.ids


def period_counts(corpus, by: str = "year", *, origin: str | pd.Timestamp = "2000", n_jobs: int | None = None,
                  chunk_size: int | None = None, progress: bool | None = None) -> pd.DataFrame:
    """Documents, characters and tokens (``tokenize``, no stop words) per period,
    aggregated chunk by chunk (incrementally).

    Works on a Corpus or a StreamingCorpus; only per-period sums are kept.
    Multi-unit periods ("5Y", "decade") are anchored at ``origin`` (default 2000,
    so decades are 1990-1999, 2000-2009…): a stream has no "first date" to anchor
    on before it is read. Returns period, n_docs, n_chars, n_tokens sorted by period.

    >>> period_counts(stream_corpus("archive.jsonl"), by="year")   # doctest: +SKIP
    """
    total: pd.DataFrame | None = None
    origin = pd.Timestamp(str(origin))
    for part in run_chunks(corpus, _period_worker, {"by": by, "origin": origin}, n_jobs=n_jobs, progress=progress,
                           chunk_size=chunk_size, desc="period counts"):
        total = part if total is None else total.add(part, fill_value=0)
    if total is None:
        return pd.DataFrame(columns=["period", "n_docs", "n_chars", "n_tokens"])
    out = total.astype("int64").sort_index().reset_index()
    out["period"] = out["period"].astype("string")
    return out


def _scan_worker(raw, prep: dict, funcs: Mapping[str, Callable], dfm_opts: Mapping | None):
    from .dfm import count_texts, count_tokenized
    chunk, problems = _as_corpus(raw, prep)
    if problems:
        return None, problems, []
    # scorers that tokenize the chunk (score_frames) and the count share one tokenization
    memo: dict = {}
    chunk._tokenized_memo = memo
    try:
        out: dict[str, Any] = {"funcs": {name: f(chunk) for name, f in funcs.items()}}
    finally:
        del chunk._tokenized_memo
    if dfm_opts is not None:
        tk, o = memo.get("tk"), dfm_opts
        if tk is not None and o["unit"] == "document" and o["ngrams"] in (1, (1,), [1]):
            res = count_tokenized(tk, chunk.ids, [len(t) for t in chunk.iter_texts()], stop_words=o["stop_words"],
                                  stem=o["stem"], min_len=o["min_len"])
        else:
            res = count_texts(chunk.ids, list(chunk.iter_texts()), **dfm_opts)
        res["docvars"] = chunk.docvars if prep else None
        out["dfm"] = res
    return out, [], chunk.ids


def scan(corpus, funcs: Mapping[str, Callable[[Corpus], pd.DataFrame]] | None = None, *,
         dfm: Mapping[str, Any] | None = None, n_jobs: int | None = None, chunk_size: int | None = None,
         progress: bool | None = None):
    """One pass over a corpus: each chunk is read and cleaned once, counted into a dfm
    (``dfm``: keyword arguments of :func:`corpuskit.dfm.dfm`, or None for no dfm) and
    handed to every function in ``funcs`` (Corpus -> DataFrame), in ``n_jobs`` processes.

    Returns ``(DFM or None, {name: concatenated DataFrame})``; the DFM equals
    ``ck.dfm(corpus, **dfm)`` and each table equals ``func`` applied chunk by chunk.

    >>> m, out = scan(sc, {"frames": ck.score_frames}, dfm={"stop_words": "english"}, n_jobs=2)  # doctest: +SKIP
    """
    from .dfm import _check_dtype, _check_unit, _finish, _Merger
    funcs = dict(funcs or {})
    opts = None
    dtype = np.int64
    if dfm is not None:
        allowed = {"unit", "window", "stop_words", "stem", "ngrams", "min_len", "dtype"}
        unknown = set(dfm) - allowed
        if unknown:
            raise ParameterError(f"dfm={dict(dfm)!r}: unknown option(s) {sorted(unknown)}; use {sorted(allowed)}")
        opts = {"unit": "document", "window": 3, "stop_words": None, "stem": False, "ngrams": 1, "min_len": 1,
                **dfm}
        dtype = _check_dtype(opts.pop("dtype", np.int64))
        _check_unit(opts["unit"], opts["window"])
    merger = _Merger(dtype)
    parts: dict[str, list] = {name: [] for name in funcs}
    for res in run_chunks(corpus, _scan_worker, {"funcs": funcs, "dfm_opts": opts}, n_jobs=n_jobs,
                          progress=progress, chunk_size=chunk_size, desc="scan"):
        for name, df in res["funcs"].items():
            parts[name].append(df)
        if opts is not None:
            merger.add(res["dfm"])
    tables = {}
    for name, dfs in parts.items():
        attrs = dfs[0].attrs if dfs else {}
        tables[name] = pd.concat(dfs, ignore_index=True) if dfs else pd.DataFrame()
        tables[name].attrs.update(attrs)
    m = None
    if opts is not None:
        if isinstance(corpus, StreamingCorpus):
            dv = concat_docvars(merger.docvars)
            corpus._docvars = dv
        else:
            dv = corpus.docvars
        m = _finish(merger, dv, opts)
    return m, tables
