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

import csv
import io
import json
import pathlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Iterator, Mapping

import numpy as np
import pandas as pd

from .clean import Cleaner, CleanResult, no_cleaning, removals_frame
from .errors import CorpusError, ParameterError, Problem
from .periods import DateInterval, assign_periods, parse_date

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


class _Problems:
    """Collects problems; raises at the first unless every error is wanted."""

    def __init__(self, all_errors: bool):
        self.all_errors = all_errors
        self.items: list[Problem] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(Problem(where, message))
        if not self.all_errors:
            raise CorpusError(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise CorpusError(self.items)


def _decode(data: bytes, where: str, encoding: str, problems: _Problems) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        bad = data[exc.start:exc.start + 1].hex()
        problems.add(f"{where} byte {exc.start}",
                     f"byte 0x{bad} is not valid {encoding}; re-save the file as UTF-8 or pass encoding=")
    except LookupError:
        raise ParameterError(f"encoding={encoding!r} is not a known text encoding") from None
    return None


def _resolve_cleaner(clean: bool | Cleaner) -> Cleaner | None:
    if clean is True:
        return Cleaner()
    if clean is False or clean is None:
        return None
    if isinstance(clean, Cleaner):
        return clean
    raise ParameterError(f"clean={clean!r}: pass True, False or a corpuskit.Cleaner")


class Corpus:
    """An in-memory dated corpus.

    Build one with :func:`load_corpus`, :meth:`from_csv`, :meth:`from_jsonl` or
    :meth:`from_records`.

    Example
    -------
    >>> c = Corpus.from_records([{"id": "a", "date": "2021-08", "text": "Japan rearms."}])
    >>> c.to_frame()[["id", "date", "year"]].iloc[0].tolist()
    ['a', Timestamp('2021-08-01 00:00:00'), 2021]
    """

    def __init__(self, documents: Iterable[Document], name: str = "corpus"):
        self.documents: list[Document] = list(documents)
        self.name = name
        self._docvars: pd.DataFrame | None = None

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
        A bound that is not such a date raises ParameterError naming it.

        >>> # corpus.between("2021", "2023-01"); corpus.between(None, "1600")
        """
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

    def periods(self, by: str = "year") -> pd.Series:
        """The period of each document (a pandas Period Series indexed by id).

        Warns when ``by`` is finer than a document's date precision.
        """
        dv = self.docvars
        p = assign_periods(dv["date"], by, precision=dv["date_precision"])
        return pd.Series(p, index=pd.Index(dv["id"], name="id"), name="period")

    def groupby(self, by: str = "year") -> Iterator[tuple[pd.Period, "Corpus"]]:
        """(period, sub-corpus) pairs in time order, for periods that have documents."""
        periods = self.periods(by)
        for period in sorted(periods.unique()):
            yield period, self.subset((periods == period).tolist())

    def duplicates(self, threshold: float = 0.5, shingle: int = 5) -> pd.DataFrame:
        """Near-duplicate document pairs: word ``shingle``-gram Jaccard >= ``threshold``.

        Returns id_a, id_b, jaccard, shared_shingles (sorted by jaccard, descending).
        Computed with one sparse product, so it scales to tens of thousands of documents.
        """
        from sklearn.feature_extraction.text import CountVectorizer

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
    def from_records(cls, records: Iterable[Mapping[str, object]], *, clean: bool | Cleaner = True,
                     name: str = "corpus", all_errors: bool = False, source: str = "records") -> "Corpus":
        """Build a corpus from dicts with ``id``, ``date``, ``text`` and any metadata."""
        problems = _Problems(all_errors)
        rows = []
        for i, rec in enumerate(records, start=1):
            rows.append((f"{source} record {i}", {k: ("" if v is None else str(v)) for k, v in rec.items()}))
        docs = _build_documents(rows, problems, _resolve_cleaner(clean), text_key="text")
        problems.raise_if_any()
        return cls(docs, name=name)

    @classmethod
    def from_csv(cls, path: str | pathlib.Path, *, text: str = "text", id: str = "id", date: str = "date",
                 columns: Mapping[str, str] | None = None, encoding: str = "utf-8",
                 clean: bool | Cleaner = True, all_errors: bool = False) -> "Corpus":
        """A corpus from one CSV file with a text column and metadata columns.

        ``text``, ``id`` and ``date`` name the columns holding them; ``columns``
        renames further columns (``{"headline": "title"}``).
        """
        path = pathlib.Path(path)
        problems = _Problems(all_errors)
        data = _read_bytes(path, problems)
        content = _decode(data, path.name, encoding, problems)
        problems.raise_if_any()
        rows = _csv_rows(content, path.name, problems, required=(id, date, text),
                         rename={id: "id", date: "date", text: "text", **(columns or {})})
        docs = _build_documents(rows, problems, _resolve_cleaner(clean), text_key="text")
        problems.raise_if_any()
        return cls(docs, name=path.stem)

    @classmethod
    def from_jsonl(cls, path: str | pathlib.Path, *, text: str = "text", id: str = "id", date: str = "date",
                   columns: Mapping[str, str] | None = None, encoding: str = "utf-8",
                   clean: bool | Cleaner = True, all_errors: bool = False) -> "Corpus":
        """A corpus from a JSON-lines file, one object per document."""
        path = pathlib.Path(path)
        problems = _Problems(all_errors)
        data = _read_bytes(path, problems)
        content = _decode(data, path.name, encoding, problems)
        problems.raise_if_any()
        rename = {id: "id", date: "date", text: "text", **(columns or {})}
        rows = []
        for lineno, line in enumerate(content.splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{path.name} line {lineno}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.add(where, f"not valid JSON ({exc.msg} at column {exc.colno})")
                continue
            if not isinstance(obj, dict):
                problems.add(where, "each line must be a JSON object with id, date and text")
                continue
            missing = [k for k in (id, date, text) if k not in obj]
            if missing:
                problems.add(where, f"missing field(s) {', '.join(map(repr, missing))}; pass id=, date=, text= "
                                    "to name the fields holding them")
                continue
            rows.append((where, {rename.get(k, k): ("" if v is None else str(v)) for k, v in obj.items()}))
        if not rows and not problems.items:
            problems.add(path.name, "has no records; add one JSON object per line")
        docs = _build_documents(rows, problems, _resolve_cleaner(clean), text_key="text")
        problems.raise_if_any()
        return cls(docs, name=path.stem)


def _read_bytes(path: pathlib.Path, problems: _Problems) -> bytes:
    if not path.exists():
        problems.add(str(path), "does not exist; pass a folder of .txt files with metadata.csv, "
                                "or a .csv or .jsonl file")
        return b""
    try:
        return path.read_bytes()
    except OSError as exc:
        problems.add(str(path), f"cannot be read ({exc.strerror})")
        return b""


def _csv_rows(content: str, where: str, problems: _Problems, required: tuple[str, ...],
              rename: Mapping[str, str]) -> list[tuple[str, dict[str, str]]]:
    if content.startswith("\ufeff"):
        content = content[1:]
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        problems.add(where, "is empty; it needs a header row with at least the columns " + ", ".join(required))
        return []
    header = [h.strip() for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        problems.add(f"{where} line 1", f"missing column(s) {', '.join(map(repr, missing))} "
                                        f"(found {', '.join(map(repr, header))})")
        return []
    rows = []
    try:
        for rec in reader:
            line = reader.line_num
            if not any(x.strip() for x in rec):
                continue
            if len(rec) != len(header):
                problems.add(f"{where} line {line}", f"has {len(rec)} fields, the header has {len(header)}")
                continue
            rows.append((f"{where} line {line}", {rename.get(h, h): v for h, v in zip(header, rec)}))
    except csv.Error as exc:
        problems.add(f"{where} line {reader.line_num}", f"is not valid CSV ({exc})")
    return rows


def _build_documents(rows: list[tuple[str, dict[str, str]]], problems: _Problems, cleaner: Cleaner | None,
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
    """Load a corpus from a folder of ``.txt`` files with ``metadata.csv``, or a ``.csv``/``.jsonl`` file.

    ``metadata.csv`` needs ``id`` and ``date`` columns; ``file`` is optional
    (default ``<id>.txt``). Dates are ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``;
    the precision is kept. Optional ``body_start``/``body_end`` columns hold
    cleaning overrides. Subfolders are not documents. Every id is a string.

    Bad input raises :class:`corpuskit.errors.CorpusError` whose message names
    the file, line or byte; ``all_errors=True`` reports every problem at once.

    >>> import corpuskit as ck
    >>> corpus = ck.load_corpus("seeds")            # doctest: +SKIP
    >>> corpus.to_frame()[["id", "date", "title"]]  # doctest: +SKIP
    """
    path = pathlib.Path(path)
    problems = _Problems(all_errors)
    if not path.exists():
        problems.add(str(path), "does not exist; pass a folder of .txt files with metadata.csv, "
                                "or a .csv or .jsonl file")
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix == ".csv":
            return Corpus.from_csv(path, clean=clean, all_errors=all_errors, encoding=encoding, **kwargs)
        if suffix in (".jsonl", ".ndjson"):
            return Corpus.from_jsonl(path, clean=clean, all_errors=all_errors, encoding=encoding, **kwargs)
        problems.add(str(path), "is not a folder, .csv or .jsonl file")
    cleaner = _resolve_cleaner(clean)
    txt_files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".txt")
    meta_path = path / "metadata.csv"
    if not meta_path.is_file():
        if not txt_files:
            problems.add(str(path), "is empty: no .txt files and no metadata.csv; "
                                    "add one .txt file per document and a metadata.csv with id,date")
        else:
            problems.add(str(meta_path), "is missing; add it with at least the columns id,date "
                                         f"(one row per .txt file; {len(txt_files)} found)")
        problems.raise_if_any()
    data = _read_bytes(meta_path, problems)
    content = _decode(data, "metadata.csv", "utf-8", problems)
    problems.raise_if_any()
    rows = _csv_rows(content, "metadata.csv", problems, required=("id", "date"), rename={})
    if not rows and not problems.items:
        problems.add("metadata.csv", "has no rows; add one row per document")
    by_name = {p.name: p for p in txt_files}
    claimed: set[str] = set()
    texts: dict[str, tuple[str, str]] = {}
    seen: set[str] = set()
    for where, row in rows:
        doc_id = row.get("id", "").strip()
        fname = (row.get("file") or "").strip() or f"{doc_id}.txt"
        claimed.add(fname)
        if not doc_id or doc_id in seen:
            continue  # reported by _build_documents
        seen.add(doc_id)
        fpath = by_name.get(fname)
        if fpath is None:
            problems.add(where, f"id {doc_id!r}: file {fname!r} does not exist in {path}; "
                                "add the file or remove the row")
            continue
        raw = fpath.read_bytes()
        text = _decode(raw, fname, encoding, problems)
        if text is None:
            continue
        if not text.strip():
            problems.add(fname, f"is empty (id {doc_id!r}); add the text or remove the row and file")
            continue
        texts[doc_id] = (fname, text)
    for name in sorted(set(by_name) - claimed):
        problems.add(name, "has no row in metadata.csv; add a row (id, date, file) or move the file out")
    docs = _build_documents(rows, problems, cleaner, text_key=None, texts=texts)
    problems.raise_if_any()
    return Corpus(docs, name=path.name)
