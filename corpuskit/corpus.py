"""Dated corpora: loading with provenance checks, cleaning, selection by date.

A corpus is a sequence of documents, each with an id (a string: "000" stays
"000"), a date of known precision (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, an
interval), metadata, raw text and clean text.

The corpus protocol that every later step relies on (tokens, dfm, topics,
stance) is small, so a lazily streamed corpus can implement it without holding
texts in memory:

* ``len(corpus)`` and ``corpus.docvars`` — one row per document, no text
  (columns ``id``, ``date``, ``date_end``, ``date_mid``, ``date_precision``,
  ``year`` and the metadata columns);
* ``corpus.iter_texts(raw=False)`` — the texts, in docvars order.
"""
from __future__ import annotations

import pathlib
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Iterator, Mapping

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer

from .clean import Cleaner, CleanResult, no_cleaning, removals_frame
from .errors import ParameterError
from .periods import DateInterval, assign_periods, parse_date, parse_span
from .tokenizer import Tokens
from .readers import (Problems, csv_batches, decode, folder_rows, folder_texts, jsonl_batches, jsonl_records,
                      parquet_batches, to_rows)

__all__ = ["Document", "Corpus", "load_corpus"]

_RESERVED = {"id", "date", "file", "text"}
# DateInterval is frozen, so parsed dates can be shared; a news archive repeats its days
_parse_date_cached = lru_cache(maxsize=1 << 16)(parse_date)
_OVERRIDES = ("body_start", "body_end")


@dataclass
class Document:
    """One document: id, dated interval, metadata, and raw and clean text."""

    id: str
    date: DateInterval
    meta: dict[str, str]
    cleaned: CleanResult = field(repr=False)

    @property
    def raw(self) -> str:
        return self.cleaned.raw

    @property
    def text(self) -> str:
        return self.cleaned.text


# one Problems class for every reader (readers.Problems); the old name stays for callers
_Problems = Problems
_decode = decode


def resolve_cleaner(clean: bool | Cleaner) -> Cleaner | None:
    """The Cleaner that ``clean=`` names: True → default ``Cleaner()``, False/None → no cleaning.

    >>> resolve_cleaner(False) is None
    True
    """
    if clean is True:
        return Cleaner()
    if clean is False or clean is None:
        return None
    if isinstance(clean, Cleaner):
        return clean
    raise ParameterError(f"clean={clean!r}: pass True, False or a corpuskit.Cleaner")


class Corpus:
    """An in-memory dated corpus.

    Build one with :func:`load_corpus`, :meth:`from_csv`, :meth:`from_jsonl`,
    :meth:`from_parquet`, :meth:`from_records` or :meth:`from_pandas` (all read
    through :mod:`corpuskit.readers`, as :func:`~corpuskit.stream.stream_corpus` does).

    Example
    -------
    >>> c = Corpus.from_records([{"id": "a", "date": "2021-08", "text": "Japan rearms."}])
    >>> c.to_frame()[["id", "date", "year"]]
      id       date  year
    0  a 2021-08-01  2021
    """

    def __init__(self, documents: Iterable[Document], name: str = "corpus"):
        self.documents: list[Document] = list(documents)
        self.name = name
        self._docvars: pd.DataFrame | None = None
        self._tokens: Tokens | None = None

    def __getstate__(self) -> dict:
        # the kept Tokens is rebuilt where needed, not shipped to joblib workers with the documents
        return {**self.__dict__, "_tokens": None}

    # -- protocol -------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.documents)

    def __iter__(self) -> Iterator[Document]:
        return iter(self.documents)

    def __getitem__(self, key: int | str) -> Document:
        if isinstance(key, str):
            for d in self.documents:
                if d.id == key:
                    return d
            raise KeyError(f"no document with id {key!r}")
        return self.documents[key]

    def __repr__(self) -> str:
        if not self.documents:
            return f"<Corpus {self.name!r}: 0 documents>"
        dv = self.docvars
        return (f"<Corpus {self.name!r}: {len(self)} documents, "
                f"{dv['date'].min():%Y-%m-%d} to {dv['date_end'].max():%Y-%m-%d}>")

    def iter_texts(self, raw: bool = False) -> Iterator[str]:
        """The clean (or raw) texts, in document order."""
        for d in self.documents:
            yield d.raw if raw else d.text

    @property
    def ids(self) -> list[str]:
        return [d.id for d in self.documents]

    def tokens(self) -> Tokens:
        """The corpus tokenized once and kept (what :func:`corpuskit.tokenizer.tokens` returns for it), so
        ``kwic``, frames and stance on one corpus share one :class:`~corpuskit.tokenizer.Tokens` and its index.

        Built again when the documents changed since (one added or removed, or its text replaced): the
        kept Tokens holds the clean texts it was made from, checked by identity (no text is compared).

        >>> c = Corpus.from_records([{"id": "a", "date": "2021", "text": "Japan rearms."}])
        >>> c.tokens() is c.tokens()
        True
        """
        tk, docs = self._tokens, self.documents
        if tk is None or len(tk.texts) != len(docs) or any(t is not d.text for t, d in zip(tk.texts, docs)):
            self._docvars = None  # the documents changed: so may their docvars
            self._tokens = tk = Tokens(self)
        return tk

    @property
    def docvars(self) -> pd.DataFrame:
        """One row per document without text: id, date, date_end, date_mid, date_precision, year, metadata."""
        if self._docvars is None:
            meta_cols: list[str] = []
            for d in self.documents:
                meta_cols += [k for k in d.meta if k not in meta_cols]
            rows = []
            for d in self.documents:
                row = {"id": d.id, "date": d.date.start, "date_end": d.date.end, "date_mid": d.date.mid,
                       "date_precision": d.date.precision, "year": d.date.start.year}
                row.update({k: d.meta.get(k, "") for k in meta_cols})
                rows.append(row)
            cols = ["id", "date", "date_end", "date_mid", "date_precision", "year"] + meta_cols
            df = pd.DataFrame(rows, columns=cols)
            for c in ("date", "date_end", "date_mid"):
                df[c] = pd.to_datetime(df[c]).astype("datetime64[us]")
            df["year"] = df["year"].astype("int64")
            for c in ["id", "date_precision"] + meta_cols:
                df[c] = df[c].astype("string")
            self._docvars = df
        return self._docvars.copy()

    # -- frames ---------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """One row per document: id, date (datetime64, interval start), date_end, date_mid,
        date_precision, year, title, text (clean), raw_text, n_chars_removed and the metadata."""
        df = self.docvars
        if "title" not in df:
            df["title"] = pd.Series([""] * len(df), dtype="string")
        df["text"] = pd.Series([d.text for d in self.documents], dtype="string")
        df["raw_text"] = pd.Series([d.raw for d in self.documents], dtype="string")
        df["n_chars_removed"] = [len(d.raw) - len(d.text) for d in self.documents]
        first = ["id", "date", "date_end", "date_mid", "date_precision", "year", "title", "text", "raw_text",
                 "n_chars_removed"]
        return df[first + [c for c in df.columns if c not in first]]

    def removals(self) -> pd.DataFrame:
        """Every removal cleaning made: id, start, end, n_chars, rule, text (raw offsets)."""
        return removals_frame(r for d in self.documents for r in d.cleaned.removals)

    # -- selection --------------------------------------------------------------------
    def subset(self, keep: Iterable[bool] | Iterable[str]) -> "Corpus":
        """A corpus of the documents selected by a boolean mask or a list of ids."""
        keep = list(keep)
        if keep and isinstance(keep[0], (bool, np.bool_)):
            if len(keep) != len(self):
                raise ParameterError(f"mask has {len(keep)} entries for {len(self)} documents")
            docs = [d for d, k in zip(self.documents, keep) if k]
        else:
            wanted = set(map(str, keep))
            missing = wanted - set(self.ids)
            if missing:
                raise ParameterError(f"ids {sorted(missing)!r} are not in the corpus")
            docs = [d for d in self.documents if d.id in wanted]
        return Corpus(docs, name=self.name)

    def between(self, start: str | None = None, end: str | None = None) -> "Corpus":
        """Documents whose date interval overlaps [start, end] (inclusive).

        ``start``/``end`` take ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; ``"2021"``
        as end means the end of 2021; ``None`` leaves that end open (any date, 1066 or 2263 too).
        ``start`` alone may be a span ``"1990:1999"`` (the CLI's syntax, :func:`corpuskit.periods.parse_span`).
        A bound that is not such a date raises ParameterError naming it.

        >>> corpus.between("2021", "2023-01")
        <Corpus 'seeds': 3 documents, 2021-08-01 to 2023-01-13>
        >>> corpus.between(None, "1600")
        <Corpus 'seeds': 0 documents>
        >>> corpus.between("2020:2022").ids
        ['001', '004']
        """
        if isinstance(start, str) and ":" in start and end is None:
            lo, hi, _ = parse_span(start, "start")
            return Corpus([d for d in self.documents if d.date.end >= lo and d.date.start <= hi], name=self.name)
        def bound(name: str, value: str | None, side: str) -> pd.Timestamp | None:
            # An open end is no bound at all: pd.Timestamp.min/max (1677-2262) would drop older and later documents.
            if not value:
                return None
            try:
                return getattr(parse_date(value), side)
            except ValueError as exc:
                raise ParameterError(f"{name}={value!r}: {exc}") from None

        lo, hi = bound("start", start, "start"), bound("end", end, "end")
        return Corpus([d for d in self.documents
                       if (lo is None or d.date.end >= lo) and (hi is None or d.date.start <= hi)], name=self.name)

    def periods(self, by: str = "year", *, origin: "str | pd.Timestamp | None" = None) -> pd.Series:
        """The period of each document (a pandas Period Series indexed by id).

        The bins of every function (:func:`corpuskit.periods.assign_periods`: calendar bins by
        default, or starting at ``origin``). Warns when ``by`` is finer than a document's date precision.

        >>> corpus.periods("decade", origin="1785")
        id
        000    2005
        001    2015
        002    2015
        003    2015
        004    2015
        Name: period, dtype: period[10Y-DEC]
        """
        dv = self.docvars
        p = assign_periods(dv["date"], by, precision=dv["date_precision"], origin=origin)
        return pd.Series(p, index=pd.Index(dv["id"], name="id"), name="period")

    def groupby(self, by: str = "year", *, origin: "str | pd.Timestamp | None" = None
                ) -> Iterator[tuple[pd.Period, "Corpus"]]:
        """(period, sub-corpus) pairs in time order, for periods that have documents (bins as :meth:`periods`)."""
        periods = self.periods(by, origin=origin)
        for period in sorted(periods.unique()):
            yield period, self.subset((periods == period).tolist())

    def duplicates(self, threshold: float = 0.5, shingle: int = 5) -> pd.DataFrame:
        """Near-duplicate document pairs: word ``shingle``-gram Jaccard >= ``threshold``.

        Returns id_a, id_b, jaccard, shared_shingles (sorted by jaccard, descending).
        Computed with one sparse product, so it scales to tens of thousands of documents.
        """

        cols = ["id_a", "id_b", "jaccard", "shared_shingles"]
        if len(self) < 2:
            return pd.DataFrame(columns=cols)
        vec = CountVectorizer(analyzer="word", ngram_range=(shingle, shingle), binary=True,
                              token_pattern=r"(?u)\b\w+\b", dtype=np.int64)
        try:
            x = vec.fit_transform(self.iter_texts()).tocsr()
        except ValueError:  # no document long enough for one shingle
            return pd.DataFrame(columns=cols)
        sizes = np.asarray(x.sum(axis=1)).ravel()
        inter = (x @ x.T).tocoo()
        keep = inter.row < inter.col
        r, c, v = inter.row[keep], inter.col[keep], inter.data[keep]
        jac = v / (sizes[r] + sizes[c] - v)
        sel = jac >= threshold
        ids = np.array(self.ids, dtype=object)
        out = pd.DataFrame({"id_a": ids[r[sel]], "id_b": ids[c[sel]], "jaccard": jac[sel],
                            "shared_shingles": v[sel].astype(int)})
        return out.sort_values(["jaccard", "id_a", "id_b"], ascending=[False, True, True]).reset_index(drop=True)

    # -- constructors -------------------------------------------------------------------
    @classmethod
    def from_records(cls, records: "Iterable[Mapping[str, object]] | pd.DataFrame", *, clean: bool | Cleaner = True,
                     name: str = "corpus", all_errors: bool = False, source: str = "records") -> "Corpus":
        """Build a corpus from dicts (or a pandas DataFrame's rows) with ``id``, ``date``,
        ``text`` and any metadata.

        Text must be a string (bytes are decoded as UTF-8); dates may be strings,
        ``datetime``/``date`` values or integer years.

        >>> Corpus.from_records([{"id": 1, "date": "2021", "text": "One."}]).ids
        ['1']
        """
        if isinstance(records, pd.DataFrame):
            return cls.from_pandas(records, clean=clean, name=name, all_errors=all_errors, source=source)
        problems = _Problems(all_errors)
        recs = []
        for i, rec in enumerate(records, start=1):
            where = f"{source} record {i}"
            if not isinstance(rec, Mapping):
                problems.add(where, f"is a {type(rec).__name__}, not a dict with id, date and text")
                continue
            recs.append((where, rec))
        rows = to_rows(recs, {}, problems)
        docs = build_documents(rows, problems, resolve_cleaner(clean), text_key="text")
        problems.raise_if_any()
        return cls(docs, name=name)

    @classmethod
    def from_pandas(cls, df: pd.DataFrame, *, text: str = "text", id: str = "id", date: str = "date",
                    columns: Mapping[str, str] | None = None, clean: bool | Cleaner = True, name: str = "corpus",
                    all_errors: bool = False, source: str = "DataFrame") -> "Corpus":
        """A corpus from a pandas DataFrame, one row per document; other columns become metadata.

        ``datetime64`` date columns become ``YYYY-MM-DD`` (day precision); missing
        metadata is "".

        >>> df = pd.DataFrame({"id": ["a"], "date": pd.to_datetime(["2021-03-04"]), "text": ["One."]})
        >>> Corpus.from_pandas(df)["a"].date.text
        '2021-03-04'
        """
        if not isinstance(df, pd.DataFrame):
            raise ParameterError(f"df: expected a pandas DataFrame, got {type(df).__name__}")
        problems = _Problems(all_errors)
        missing = [c for c in (id, date, text) if c not in df.columns]
        if missing:
            problems.add(source, f"missing column(s) {', '.join(map(repr, missing))} "
                                 f"(found {', '.join(map(repr, map(str, df.columns)))}); pass text=, id=, date=")
        rename = {id: "id", date: "date", text: "text", **(columns or {})}
        recs = ((f"{source} row {i}", rec) for i, rec in enumerate(df.to_dict("records"), start=1))
        rows = to_rows(recs, rename, problems)
        docs = build_documents(rows, problems, resolve_cleaner(clean), text_key="text")
        problems.raise_if_any()
        return cls(docs, name=name)

    @classmethod
    def from_csv(cls, path: str | pathlib.Path, *, text: str = "text", id: str = "id", date: str = "date",
                 columns: Mapping[str, str] | None = None, encoding: str = "utf-8",
                 clean: bool | Cleaner = True, all_errors: bool = False) -> "Corpus":
        """A corpus from one CSV file with a text column and metadata columns.

        ``text``, ``id`` and ``date`` name the columns holding them; ``columns``
        renames further columns (``{"headline": "title"}``). Parsing is strict (an
        unclosed quote is an error naming its line); fields may be of any length.

        >>> c = Corpus.from_csv("news.csv", text="body", columns={"headline": "title"})
        >>> c
        <Corpus 'news': 5 documents, 2006-07-01 to 2024-12-31>
        >>> c["000"].meta["title"]
        "North Korea's missile tests push Japan toward rearmament and Taiwan's defense"
        """
        path = pathlib.Path(path)
        problems = _Problems(all_errors)
        recs = [r for b in csv_batches(path, encoding, (id, date, text), sys.maxsize, problems) for r in b]
        rows = to_rows(recs, {id: "id", date: "date", text: "text", **(columns or {})}, problems)
        docs = build_documents(rows, problems, resolve_cleaner(clean), text_key="text")
        problems.raise_if_any()
        return cls(docs, name=path.stem)

    @classmethod
    def from_jsonl(cls, path: str | pathlib.Path, *, text: str = "text", id: str = "id", date: str = "date",
                   columns: Mapping[str, str] | None = None, encoding: str = "utf-8",
                   clean: bool | Cleaner = True, all_errors: bool = False) -> "Corpus":
        """A corpus from a JSON-lines file, one object per document (records end at ``\\n`` only).

        >>> Corpus.from_jsonl("news.jsonl", id="doc", text="content")
        <Corpus 'news': 5 documents, 2006-07-01 to 2024-12-31>
        """
        path = pathlib.Path(path)
        problems = _Problems(all_errors)
        lines = [x for b in jsonl_batches(path, sys.maxsize, problems) for x in b]
        recs = jsonl_records(path.name, lines, encoding, (id, date, text), problems)
        rows = to_rows(recs, {id: "id", date: "date", text: "text", **(columns or {})}, problems)
        docs = build_documents(rows, problems, resolve_cleaner(clean), text_key="text")
        problems.raise_if_any()
        return cls(docs, name=path.stem)

    @classmethod
    def from_parquet(cls, path: str | pathlib.Path, *, text: str = "text", id: str = "id", date: str = "date",
                     columns: Mapping[str, str] | None = None, clean: bool | Cleaner = True,
                     all_errors: bool = False) -> "Corpus":
        """A corpus from a Parquet file (needs pyarrow); binary text columns are decoded as
        UTF-8, ``timestamp``/``date`` columns become ``YYYY-MM-DD``.

        >>> Corpus.from_parquet("news.parquet", text="body")
        <Corpus 'news': 5 documents, 2006-07-01 to 2024-12-31>
        """
        path = pathlib.Path(path)
        problems = _Problems(all_errors)
        if not path.is_file():
            problems.add(str(path), "does not exist; pass a .parquet file")
            problems.raise_if_any()
        rename = {id: "id", date: "date", text: "text", **(columns or {})}
        rows = [r for b in parquet_batches(path, (id, date, text), 65536) for r in to_rows(b, rename, problems)]
        docs = build_documents(rows, problems, resolve_cleaner(clean), text_key="text")
        problems.raise_if_any()
        return cls(docs, name=path.stem)


def build_documents(rows: list[tuple[str, dict[str, str]]], problems: _Problems, cleaner: Cleaner | None,
                     text_key: str | None, texts: Mapping[str, tuple[str, str]] | None = None) -> list[Document]:
    """Validate id/date per row and clean the texts.

    ``texts`` maps id -> (file name, text) for folder corpora; otherwise the text
    is the row's ``text_key`` field.
    """
    docs: list[Document] = []
    first_seen: dict[str, str] = {}
    for where, row in rows:
        doc_id = row.get("id", "").strip()
        if not doc_id:
            problems.add(where, "empty id; every document needs a unique id")
            continue
        if doc_id in first_seen:
            problems.add(where, f"duplicate id {doc_id!r} (first at {first_seen[doc_id]}); ids must be unique")
            continue
        first_seen[doc_id] = where
        try:
            interval = _parse_date_cached(row.get("date", ""))
        except ValueError as exc:
            problems.add(where, f"id {doc_id!r}: {exc}; write dates as YYYY, YYYY-MM or YYYY-MM-DD")
            continue
        stated = row.get("date_precision", "").strip()
        if stated and stated != interval.precision:
            problems.add(where, f"id {doc_id!r}: date_precision {stated!r} does not match date "
                                f"{interval.text!r} ({interval.precision}); correct one of them")
            continue
        if texts is not None:
            if doc_id not in texts:
                continue  # the folder loader reported the missing file already
            fname, text = texts[doc_id]
        else:
            fname, text = where, row.get(text_key or "text", "")
        if not text.strip():
            problems.add(fname, f"id {doc_id!r}: the text is empty; remove the row or add the text")
            continue
        meta = {k: v for k, v in row.items() if k not in _RESERVED and k != "date_precision"}
        overrides = {k: meta.get(k) or None for k in _OVERRIDES}
        try:
            cleaned = cleaner.clean(text, doc_id, **overrides) if cleaner else no_cleaning(text, doc_id)
        except ValueError as exc:
            problems.add(where, f"id {doc_id!r}: {exc}; fix the marker in metadata")
            continue
        if cleaner and not cleaned.text.strip():
            problems.add(fname, f"id {doc_id!r}: cleaning removed the whole text "
                                f"(rules {sorted({r.rule for r in cleaned.removals})}); check overrides or pass clean=False")
            continue
        docs.append(Document(doc_id, interval, meta, cleaned))
    return docs


def load_corpus(path: str | pathlib.Path, *, clean: bool | Cleaner = True, all_errors: bool = False,
                encoding: str = "utf-8", **kwargs) -> Corpus:
    """Load a corpus from a folder of text files with ``metadata.csv``, or a ``.csv``,
    ``.jsonl`` or ``.parquet`` file.

    ``metadata.csv`` needs ``id`` and ``date`` columns; ``file`` is optional
    (default ``<id>.txt``) and may name any file inside the folder, subfolders
    included (never outside it). Dates are ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``;
    the precision is kept. Optional ``body_start``/``body_end`` columns hold
    cleaning overrides. Every id is a string.

    Bad input raises :class:`corpuskit.errors.CorpusError` whose message names
    the file, line or byte; ``all_errors=True`` reports every problem at once.

    >>> import corpuskit as ck
    >>> corpus = ck.load_corpus("seeds")
    >>> corpus
    <Corpus 'seeds': 5 documents, 2006-07-01 to 2024-12-31>
    >>> corpus.to_frame()[["id", "date", "date_precision", "title"]]
        id       date date_precision                                    title
    0  000 2006-07-01          month  North Korea's missile tests push Jap...
    1  001 2021-08-01          month  Japan ties its security to Taiwan as...
    2  002 2023-01-13            day  US backs Japan's counterattack capab...
    3  003 2024-12-01          month  A Russia-North Korea alignment could...
    4  004 2021-08-01          month  Japan's stake in Taiwan's survival a...
    """
    path = pathlib.Path(path)
    problems = _Problems(all_errors)
    if not path.exists():
        problems.add(str(path), "does not exist; pass a folder of .txt files with metadata.csv, "
                                "or a .csv, .jsonl or .parquet file")
        problems.raise_if_any()
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix == ".csv":
            return Corpus.from_csv(path, clean=clean, all_errors=all_errors, encoding=encoding, **kwargs)
        if suffix in (".jsonl", ".ndjson"):
            return Corpus.from_jsonl(path, clean=clean, all_errors=all_errors, encoding=encoding, **kwargs)
        if suffix in (".parquet", ".pq"):
            return Corpus.from_parquet(path, clean=clean, all_errors=all_errors, **kwargs)
        problems.add(str(path), "is not a folder, .csv, .jsonl or .parquet file")
        problems.raise_if_any()
    cleaner = resolve_cleaner(clean)
    rows, bad = folder_rows(path, problems)
    if not rows:
        problems.raise_if_any()
    texts = folder_texts(path, [r for r in rows if r[0] not in bad], encoding, problems)
    docs = build_documents(rows, problems, cleaner, text_key=None, texts=texts)
    problems.raise_if_any()
    return Corpus(docs, name=path.name)
