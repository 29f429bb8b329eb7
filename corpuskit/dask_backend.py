"""The dfm and per-period counts on Dask: documents stay on the workers.

Each partition — a file (JSONL, CSV), a Parquet row group, a chunk of a
folder's metadata rows, a ``dask.bag`` partition of records or a
``dask.dataframe`` partition — is read, validated, cleaned (the same
:class:`~corpuskit.clean.Cleaner` as :func:`~corpuskit.corpus.load_corpus`),
tokenized and counted on a worker. Only sparse counts with the partition's
vocabulary, the unit table and docvars (no text) come back, and are merged
exactly as the joblib path merges chunks, so the result equals
``ck.dfm(corpus)`` on the same data.

Files are read by the workers: on a cluster the paths must be visible to every
worker (a shared file system, or a mounted bucket).

Example
-------
>>> from dask.distributed import Client
>>> client = Client("tcp://scheduler:8786")                         # doctest: +SKIP
>>> m = dask_dfm("/shared/archive/*.parquet", client=client,
...              stop_words="english")                              # doctest: +SKIP

Without a client the work runs on Dask's current scheduler (threads, here):

>>> dask_dfm("archive/*.parquet", text="body", stop_words="english")
<DFM 5 units × 1099 features, count, 74.5% sparse>
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import pandas as pd

from .chunks import Merger, concat_docvars, prepare_chunk
from .clean import Cleaner
from .corpus import resolve_cleaner
from .errors import CorpusError, Problem
from .matrix import DFM, check_unit, count_texts, finish_dfm
from .periods import parse_origin
from .readers import open_parquet, parquet_group
from .stream import StreamingCorpus, period_worker

__all__ = ["dask_dfm", "dask_period_counts"]


def _is_bag(x) -> bool:
    return type(x).__module__.startswith("dask.bag")


def _is_ddf(x) -> bool:
    return type(x).__module__.startswith(("dask.dataframe", "dask_expr"))


def _tasks(data, *, text: str, id: str, date: str, columns: Mapping[str, str] | None, chunk_size: int,
           clean: bool | Cleaner, encoding: str) -> tuple[list, dict]:
    """Delayed partitions of raw chunks (lists of them) and the arguments to prepare them."""
    import dask

    rename = {id: "id", date: "date", text: "text", **(columns or {})}
    if _is_bag(data) or _is_ddf(data):
        prep = {"cleaner": _cleaner(clean), "encoding": encoding,
                "rename": rename, "fields": {"text": text, "id": id, "date": date}}
        parts = data.to_delayed()
        conv = _bag_records if _is_bag(data) else _frame_records
        tasks = [dask.delayed(conv)(p, i, rename) for i, p in enumerate(parts)]
        return tasks, prep
    sc = StreamingCorpus(data, text=text, id=id, date=date, columns=columns, chunk_size=chunk_size,
                         clean=clean, encoding=encoding)
    prep = sc.prepare_args()
    tasks = []
    for path, fmt in sc.sources:
        if fmt == "folder":  # the metadata is small: split it here, the workers read the files
            tasks += [[raw] for raw in sc.source_chunks(path, fmt)]
        elif fmt == "parquet":
            md = open_parquet(path, (id, date, text)).metadata
            first = 0
            for g in range(md.num_row_groups):
                tasks.append(dask.delayed(_parquet_group)(str(path), g, first))
                first += md.row_group(g).num_rows
        else:
            # the worker streams the file chunk by chunk (StreamingCorpus pickles without texts)
            tasks.append(StreamingCorpus(path, fmt, text=text, id=id, date=date, columns=columns,
                                         chunk_size=chunk_size, clean=clean, encoding=encoding))
    return tasks, prep


def _cleaner(clean):
    return resolve_cleaner(clean)


def _bag_records(part: Iterable[Mapping[str, Any]], i: int, rename: Mapping[str, str]) -> list:
    recs = []
    for j, rec in enumerate(part, start=1):
        if not isinstance(rec, Mapping):
            return [("error", f"partition {i} record {j}", f"is a {type(rec).__name__}, not a dict with id, date, text")]
        recs.append((f"partition {i} record {j}", rec))
    return [("records", recs)]


def _frame_records(df: pd.DataFrame, i: int, rename: Mapping[str, str]) -> list:
    missing = [k for k, v in rename.items() if v in ("id", "date", "text") and k not in df.columns]
    if missing:
        return [("error", f"partition {i}", f"missing column(s) {', '.join(map(repr, missing))}; pass text=, id=, date=")]
    return [("records", [(f"partition {i} row {j}", rec) for j, rec in enumerate(df.to_dict("records"), start=1)])]


def _parquet_group(path: str, group: int, first: int) -> list:
    return [("records", parquet_group(path, group, first))]


def _count_partition(raws, prep: dict, opts: dict) -> dict:
    """On a worker: clean, tokenize and count a partition; return sparse counts and docvars only."""
    try:
        return _count_partition_(raws, prep, opts)
    except CorpusError as exc:  # returned, not raised: the problems cross to the client intact
        return {"problems": exc.problems}


def _count_partition_(raws, prep: dict, opts: dict) -> dict:
    merger = Merger()
    ids: list[str] = []
    if isinstance(raws, StreamingCorpus):
        raws = raws.raw_chunks()
    for raw in raws:
        if raw[0] == "error":
            return {"problems": [Problem(raw[1], raw[2])]}
        chunk, problems = prepare_chunk(raw, **prep)
        if problems:
            return {"problems": problems}
        res = count_texts(chunk.ids, list(chunk.iter_texts()), **opts)
        res["docvars"] = chunk.docvars
        merger.add(res)
        ids += chunk.ids
    out = merger.as_result()
    out["ids"], out["problems"] = ids, []
    return out


def _period_partition(raws, prep: dict, by: str, origin) -> dict:
    try:
        return _period_partition_(raws, prep, by, origin)
    except CorpusError as exc:
        return {"problems": exc.problems}


def _period_partition_(raws, prep: dict, by: str, origin) -> dict:
    total, ids = None, []
    if isinstance(raws, StreamingCorpus):
        raws = raws.raw_chunks()
    for raw in raws:
        if raw[0] == "error":
            return {"problems": [Problem(raw[1], raw[2])]}
        tab, problems, chunk_ids = period_worker(raw, prep, by, origin)
        if problems:
            return {"problems": problems}
        total = tab if total is None else total.add(tab, fill_value=0)
        ids += chunk_ids
    return {"table": total, "ids": ids, "problems": []}


def _gather(tasks: list, client) -> Iterable[dict]:
    """Compute partition results, yielding them in partition order (each released after use)."""
    import dask
    if client is None:
        yield from dask.compute(*tasks)
        return
    futures = client.compute(tasks)
    for f in futures:
        yield f.result()
        f.release()


def _checked(results: Iterable[dict]) -> Iterable[dict]:
    seen: set[str] = set()
    for res in results:
        if res["problems"]:
            raise CorpusError(res["problems"])
        for i in res["ids"]:
            if i in seen:
                raise CorpusError([Problem(f"id {i!r}", "duplicate id (it occurs in an earlier partition); "
                                                        "ids must be unique")])
            seen.add(i)
        yield res


def dask_dfm(data, unit: str = "document", *, client=None, text: str = "text", id: str = "id",
             date: str = "date", columns: Mapping[str, str] | None = None, chunk_size: int = 1000,
             clean: bool | Cleaner = True, encoding: str = "utf-8", window: int = 3, stop_words=None,
             stem: bool = False, ngrams=1, min_len: int = 1) -> DFM:
    """:func:`corpuskit.matrix.dfm` computed on Dask workers.

    Parameters
    ----------
    data : paths or globs (folder, JSONL, CSV, Parquet; read by the workers), a
        ``dask.bag`` of dicts with id, date, text (and metadata), or a
        ``dask.dataframe`` with those columns.
    client : a ``dask.distributed.Client``; None uses Dask's current scheduler.
    text, id, date, columns, clean, encoding : as :func:`corpuskit.stream.stream_corpus`.
    The other parameters are those of :func:`corpuskit.matrix.dfm`.

    Returns the same DFM (features, counts, docvars) as ``ck.dfm`` on the corpus.

    >>> import dask.bag as db
    >>> records = [{"id": d.id, "date": d.date.text, "text": d.text} for d in corpus.documents]
    >>> m = dask_dfm(db.from_sequence(records, npartitions=2))
    >>> m
    <DFM 5 units × 1252 features, count, 71.3% sparse>
    >>> (m.counts != ck.dfm(ck.Corpus.from_records(records)).counts).nnz
    0
    """
    check_unit(unit, window)
    tasks, prep = _tasks(data, text=text, id=id, date=date, columns=columns, chunk_size=chunk_size,
                         clean=clean, encoding=encoding)
    import dask
    opts = dict(unit=unit, window=window, stop_words=stop_words, stem=stem, ngrams=ngrams, min_len=min_len)
    counted = [dask.delayed(_count_partition)(t, prep, opts) for t in tasks]
    merger = Merger()
    docvars = []
    for res in _checked(_gather(counted, client)):
        if res["docvars"] is not None:
            docvars.append(res["docvars"])
        res["docvars"] = None
        merger.add(res)
    return finish_dfm(merger, concat_docvars(docvars), opts)


def dask_period_counts(data, by: str = "year", *, client=None, origin: "str | pd.Timestamp | None" = None,
                       text: str = "text",
                       id: str = "id", date: str = "date", columns: Mapping[str, str] | None = None,
                       chunk_size: int = 1000, clean: bool | Cleaner = True, encoding: str = "utf-8") -> pd.DataFrame:
    """:func:`corpuskit.stream.period_counts` on Dask workers: only per-period sums come back.

    >>> dask_period_counts("archive/*.jsonl", by="year")
      period  n_docs  n_chars  n_tokens
    0   2006       1     2659       439
    1   2021       2    10112      1602
    2   2023       1     5201       867
    3   2024       1     5794       900
    """
    tasks, prep = _tasks(data, text=text, id=id, date=date, columns=columns, chunk_size=chunk_size,
                         clean=clean, encoding=encoding)
    import dask
    origin_ts = parse_origin(origin)
    parts = [dask.delayed(_period_partition)(t, prep, by, origin_ts) for t in tasks]
    total = None
    for res in _checked(_gather(parts, client)):
        if res["table"] is not None:
            total = res["table"] if total is None else total.add(res["table"], fill_value=0)
    if total is None:
        return pd.DataFrame(columns=["period", "n_docs", "n_chars", "n_tokens"])
    out = total.astype("int64").sort_index().reset_index()
    out["period"] = out["period"].astype("string")
    return out
