"""One reader per corpus format, shared by every entry point.

:func:`~corpuskit.corpus.load_corpus`, ``Corpus.from_*``, :func:`~corpuskit.stream.stream_corpus`
and :mod:`corpuskit.dask_backend` all read through the functions here, so an
in-memory load, a streamed chunk and a Dask partition see the same records and
refuse the same input with the same line.

A *record* is ``(where, row)``: ``where`` names the source ("c.csv line 3",
"c.parquet row 7", "records record 2") and ``row`` maps field names to raw
values. :func:`to_rows` renames the fields and turns every value into a string
(or a problem naming the row and field) — the one step between a reader and
``corpus.build_documents``.

Example
-------
>>> problems = Problems(all_errors=True)
>>> recs = [r for b in csv_batches(pathlib.Path("news.csv"), "utf-8", ("id", "date", "body"), 1000, problems)
...         for r in b]
>>> where, row = recs[0]
>>> where, sorted(row), problems.items
('news.csv line 2', ['body', 'date', 'headline', 'id'], [])
"""
from __future__ import annotations

import csv
import datetime as _dt
import decimal
import json
import math
import os
import pathlib
import stat
from typing import Any, Iterable, Iterator, Mapping, Sequence

import yaml

import pandas as pd

from .errors import CorpusError, ParameterError, Problem

__all__ = ["compose_yaml", "Problems", "NO_DOCUMENTS", "resolve_member", "decode", "read_bytes", "csv_batches", "jsonl_batches",
           "jsonl_records", "open_parquet", "parquet_batches", "parquet_group", "to_rows", "folder_rows",
           "folder_texts"]

# csv refuses fields over 128 KiB by default, so one long article stops a load. The limit is
# process-global (no per-reader setting exists); 2**31 - 1 is the largest value a C long takes
# everywhere (sys.maxsize overflows on Windows), and no real field comes near it.
csv.field_size_limit(2**31 - 1)

# The same message for an empty CSV (header only), an empty JSONL file, a metadata.csv without rows
# and an empty Parquet file, from every entry point.
NO_DOCUMENTS = "has no documents; add one record per document (with id, date and text)"

Record = tuple[str, dict[str, Any]]


class Problems:
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


# ---------------------------------------------------------------------------- bytes and text
def _not_text(text: str) -> bool:
    # UTF-16 without a BOM (and binary files) decode as UTF-8 but are full of NULs; real text has none
    return "\x00" in text


def decode(data: bytes, where: str, encoding: str, problems: Problems) -> str | None:
    """``data`` decoded, or None after a problem naming ``where`` and the byte (or the NULs)."""
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        bad = data[exc.start:exc.start + 1].hex()
        problems.add(f"{where} byte {exc.start}",
                     f"byte 0x{bad} is not valid {encoding}; re-save the file as UTF-8 or pass encoding=")
        return None
    except LookupError:
        raise ParameterError(f"encoding={encoding!r} is not a known text encoding") from None
    if _not_text(text):
        at = data.find(b"\x00")
        problems.add(f"{where} byte {at if at >= 0 else text.find(chr(0))}",
                     f"contains NUL characters, so it is not {encoding} text (UTF-16 or binary?); "
                     "re-save it as UTF-8 or pass encoding= (for example encoding='utf-16')")
        return None
    return text


def _unreadable(path: pathlib.Path, exc: OSError, problems: Problems) -> None:
    if isinstance(exc, FileNotFoundError):
        problems.add(str(path), "does not exist; pass a folder of .txt files with metadata.csv, "
                                "or a .csv, .jsonl or .parquet file")
    else:
        problems.add(str(path), f"cannot be read ({exc.strerror})")


def read_bytes(path: pathlib.Path, where: str, problems: Problems) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError as exc:
        problems.add(where, f"cannot be read ({exc.strerror})")
    return None


# ---------------------------------------------------------------------------- values
def _date_text(v) -> str:
    # a timestamp is read at day precision (its calendar day); the time of day is not a date precision
    if isinstance(v, _dt.datetime) or isinstance(v, _dt.date):
        return f"{v.year:04d}-{v.month:02d}-{v.day:02d}"
    return _date_text(pd.Timestamp(v))


def _value(v, field: str, role: str) -> str:
    """``v`` as a string for a field playing ``role`` ("id", "date", "text" or "meta");
    ValueError with the reason when it cannot be one."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, (bytes, bytearray, memoryview)):
        try:
            s = bytes(v).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(f"field {field!r} holds bytes that are not valid UTF-8 (byte {exc.start}); "
                             "store text, not binary") from None
        if _not_text(s):
            raise ValueError(f"field {field!r} holds bytes with NUL characters, not UTF-8 text")
        return s
    type_name = type(v).__name__
    kind = getattr(getattr(v, "dtype", None), "kind", "")  # numpy scalars
    if isinstance(v, float) and math.isnan(v) or type_name in ("NAType", "NaTType"):
        return ""  # a missing value
    if role == "date" and (isinstance(v, _dt.date) or kind == "M"):
        return _date_text(v)
    if isinstance(v, bool) or kind == "b":
        if role == "meta":
            return str(bool(v))
    elif isinstance(v, int) or kind in ("i", "u"):
        if role in ("id", "date", "meta"):
            return str(int(v))
    elif isinstance(v, (float, decimal.Decimal)) or kind == "f":
        if role == "meta":
            return str(v)
    elif role == "meta":
        if isinstance(v, (_dt.date, _dt.time)):
            return v.isoformat()
        if isinstance(v, (list, tuple, dict)):
            return json.dumps(v, ensure_ascii=False, default=str)
    short = repr(v)
    short = short if len(short) <= 40 else short[:37] + "..."
    what = {"id": "a string or an integer id", "date": "a date (YYYY, YYYY-MM or YYYY-MM-DD)",
            "text": "text", "meta": "a value"}[role]
    raise ValueError(f"field {field!r} holds a {type_name} ({short}), not {what}; store it as a string")


def to_rows(records: Iterable[Record], rename: Mapping[str, str], problems: Problems) -> list[tuple[str, dict[str, str]]]:
    """Rename fields and make every value a string; a value that is not one (a list
    as text, undecodable bytes) is a problem naming the row and the field."""
    rows = []
    roles = {"id": "id", "date": "date", "text": "text"}
    for where, rec in records:
        row: dict[str, str] = {}
        ok = True
        for k, v in rec.items():
            key = rename.get(k, k)
            if type(v) is str:
                row[key] = v
                continue
            try:
                row[key] = _value(v, k, roles.get(key, "meta"))
            except ValueError as exc:
                problems.add(where, str(exc))
                ok = False
                break
        if ok:
            rows.append((where, row))
    return rows


# ---------------------------------------------------------------------------- CSV
def _lines(fh, state: dict) -> Iterator[str]:
    """The file's lines without a leading BOM; stops at a line with NULs (its number in ``state``)."""
    for i, line in enumerate(fh, start=1):
        if i == 1:
            line = line.lstrip("\ufeff")
        if _not_text(line):
            state["nul"] = i
            return
        yield line


def _nul_problem(name: str, line: int, encoding: str, problems: Problems) -> None:
    problems.add(f"{name} line {line}", f"contains NUL characters, so it is not {encoding} text (UTF-16 or "
                                        "binary?); re-save it as UTF-8 or pass encoding= (for example 'utf-16')")


def csv_batches(path: pathlib.Path, encoding: str, required: Sequence[str], size: int, problems: Problems,
                name: str | None = None) -> Iterator[list[Record]]:
    """Records of a CSV file in batches of ``size``; strict parsing (an unclosed quote is
    an error naming the line where it opens), fields of any length.

    ``required`` columns must be in the header; problems go to ``problems``.
    """
    name = name or path.name
    try:
        fh = open(path, encoding=encoding, newline="")
    except LookupError:
        raise ParameterError(f"encoding={encoding!r} is not a known text encoding") from None
    except OSError as exc:
        _unreadable(path, exc, problems)
        return
    state: dict = {}
    with fh:
        reader = csv.reader(_lines(fh, state), strict=True)
        n = 0
        start = 1
        try:
            try:
                header = next(reader)
            except StopIteration:
                header = None
            if header is None:
                if state.get("nul"):
                    _nul_problem(name, state["nul"], encoding, problems)
                else:
                    problems.add(name, "is empty; it needs a header row with at least the columns "
                                 + ", ".join(required))
                return
            header = [h.strip() for h in header]
            missing = [c for c in required if c not in header]
            if missing:
                problems.add(f"{name} line 1", f"missing column(s) {', '.join(map(repr, missing))} "
                                               f"(found {', '.join(map(repr, header))}); pass text=, id=, date=")
                return
            batch: list[Record] = []
            start = reader.line_num + 1
            for rec in reader:
                where = f"{name} line {start}"
                start = reader.line_num + 1
                if not any(x.strip() for x in rec):
                    continue
                if len(rec) != len(header):
                    problems.add(where, f"has {len(rec)} fields, the header has {len(header)}")
                    continue
                n += 1
                batch.append((where, dict(zip(header, rec))))
                if len(batch) >= size:
                    yield batch
                    batch = []
            if batch:
                yield batch
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                problems.add(f"{name} line {start}", "a quoted field opens here and is never closed; close the "
                                                     'quote, and write a quote inside a field as ""')
            else:
                problems.add(f"{name} line {reader.line_num}", f"is not valid CSV ({exc})")
            return
        except UnicodeDecodeError as exc:
            problems.add(f"{name} line {start}", f"byte 0x{exc.object[exc.start:exc.start + 1].hex()} is not valid "
                                                 f"{encoding}; re-save the file as UTF-8 or pass encoding=")
            return
        if state.get("nul"):
            _nul_problem(name, state["nul"], encoding, problems)
            return
    if n == 0 and not problems.items:
        problems.add(name, NO_DOCUMENTS)


# ---------------------------------------------------------------------------- JSON lines
def jsonl_batches(path: pathlib.Path, size: int, problems: Problems,
                  name: str | None = None) -> Iterator[list[tuple[int, bytes]]]:
    """Numbered non-blank lines of a JSONL file, in batches of ``size``.

    Records are separated by ``\\n`` only (a raw U+2028 or \\x1c inside a JSON
    string, as ``json.dumps(ensure_ascii=False)`` writes it, is not a line break).
    """
    name = name or path.name
    any_line = False
    try:
        fh = open(path, "rb")
    except OSError as exc:
        _unreadable(path, exc, problems)
        return
    with fh:
        # binary files iterate on b"\n" only
        numbered = ((i, line) for i, line in enumerate(fh, start=1) if line.strip(b" \t\r\n"))
        batch: list[tuple[int, bytes]] = []
        for item in numbered:
            any_line = True
            batch.append(item)
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch
    if not any_line:
        problems.add(name, NO_DOCUMENTS)


def jsonl_records(name: str, lines: Iterable[tuple[int, bytes]], encoding: str, need: Sequence[str],
                  problems: Problems) -> list[Record]:
    """Parse numbered JSONL lines into records (``need``: the fields each object must have)."""
    recs: list[Record] = []
    for lineno, data in lines:
        where = f"{name} line {lineno}"
        data = data.removesuffix(b"\n").removesuffix(b"\r")  # the record separator is not part of the record
        if lineno == 1 and data.startswith(b"\xef\xbb\xbf") and encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
            data = data[3:]
        line = decode(data, where, encoding, problems)
        if line is None:
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            # json's messages may end in "at" ("Unterminated string starting at"): one "at", never two
            at = "" if exc.msg.endswith(" at") else " at"
            problems.add(where, f"not valid JSON ({exc.msg}{at} column {exc.colno})")
            continue
        if not isinstance(obj, dict):
            problems.add(where, "each line must be a JSON object with id, date and text")
            continue
        missing = [k for k in need if k not in obj]
        if missing:
            problems.add(where, f"missing field(s) {', '.join(map(repr, missing))}; pass id=, date=, text= "
                                "to name the fields holding them")
            continue
        recs.append((where, obj))
    return recs


# ---------------------------------------------------------------------------- Parquet
def _pq():
    try:
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - depends on the environment
        raise ParameterError("reading Parquet needs pyarrow: pip install 'corpuskit[parquet]'") from None
    return pq


def open_parquet(path: pathlib.Path, required: Sequence[str], name: str | None = None):
    """A ``pyarrow.parquet.ParquetFile`` with the ``required`` columns and at least one row."""
    pq = _pq()
    name = name or path.name
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for unreadable files
        raise CorpusError([Problem(name, f"is not a readable Parquet file ({exc})")]) from None
    names = pf.schema_arrow.names
    missing = [c for c in required if c not in names]
    if missing:
        raise CorpusError([Problem(name, f"missing column(s) {', '.join(map(repr, missing))} "
                                         f"(found {', '.join(map(repr, names))}); pass text=, id=, date=")])
    if pf.metadata.num_rows == 0:
        raise CorpusError([Problem(name, NO_DOCUMENTS)])
    return pf


def _table_records(table, name: str, first: int) -> list[Record]:
    cols = table.to_pydict()
    keys = list(cols)
    return [(f"{name} row {first + j + 1}", {k: cols[k][j] for k in keys}) for j in range(table.num_rows)]


def parquet_batches(path: pathlib.Path, required: Sequence[str], size: int,
                    name: str | None = None) -> Iterator[list[Record]]:
    """Records of a Parquet file in batches of ``size`` (values as pyarrow gives them)."""
    name = name or path.name
    pf = open_parquet(path, required, name)
    row0 = 0
    for batch in pf.iter_batches(batch_size=size):
        yield _table_records(batch, name, row0)
        row0 += batch.num_rows


def parquet_group(path: str, group: int, first: int) -> list[Record]:
    """Records of one row group (a Dask partition); ``first`` is the number of rows before it."""
    p = pathlib.Path(path)
    return _table_records(_pq().ParquetFile(p).read_row_group(group), p.name, first)


# ---------------------------------------------------------------------------- folders
def resolve_member(folder: pathlib.Path, name: str, where: str, problems: Problems,
                   root: pathlib.Path | None = None) -> pathlib.Path | None:
    """The file ``name`` (from metadata.csv) inside ``folder``, symlinks resolved; or None
    after a problem naming ``where`` and the value.

    Absolute paths and paths that resolve outside the folder (``..``, a symlink out)
    are refused; subfolders are fine.

    ``root`` is ``folder.resolve()`` when the caller has it (one per metadata.csv, not per row).

    >>> problems = Problems(all_errors=True)
    >>> resolve_member(pathlib.Path("seeds"), "000_c237def681d276e9.txt", "metadata.csv line 2", problems).name
    '000_c237def681d276e9.txt'
    >>> resolve_member(pathlib.Path("seeds"), "../news.csv", "metadata.csv line 3", problems) is None
    True
    >>> problems.items
    [Problem(where='metadata.csv line 3', message="file '../news.csv' resolves outside the corpus folder seeds
     (.../news.csv); put the file inside the folder")]
    """
    root = root or folder.resolve()
    if name not in (".", "..") and os.sep not in name and (os.altsep is None or os.altsep not in name):
        # the common case, one syscall: a plain name that is a regular file, not a symlink, is inside
        p = root / name
        try:
            if stat.S_ISREG(os.lstat(p).st_mode):
                return p
        except (OSError, ValueError):
            pass
    if os.path.isabs(name) or pathlib.PurePath(name).anchor:
        problems.add(where, f"file {name!r} is an absolute path; name files relative to the corpus folder {folder}")
        return None
    target = (root / name).resolve()
    if not target.is_relative_to(root):
        problems.add(where, f"file {name!r} resolves outside the corpus folder {folder} ({target}); "
                            "put the file inside the folder")
        return None
    if not target.is_file():
        what = "is a folder" if target.is_dir() else "does not exist"
        problems.add(where, f"file {name!r} {what} in {folder}; add the file or remove the row")
        return None
    return target


def _member_name(row: Mapping[str, str]) -> str:
    return (row.get("file") or "").strip() or f"{row.get('id', '').strip()}.txt"


def folder_rows(folder: pathlib.Path, problems: Problems) -> tuple[list[tuple[str, dict[str, str]]], set[str]]:
    """The rows of ``folder/metadata.csv`` and the ``where`` of those whose file is bad,
    after checking every file they name: inside the folder, existing, named by one
    row only; and every top-level ``.txt`` file has a row. Rows with an empty or
    repeated id are left to ``build_documents``."""
    label = folder.name or str(folder)
    root = folder.resolve()
    meta = folder / "metadata.csv"
    if not meta.is_file():
        txt = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".txt"]
        if not txt:
            problems.add(str(folder), "is empty: no .txt files and no metadata.csv; "
                                      "add one .txt file per document and a metadata.csv with id,date")
        else:
            problems.add(str(meta), "is missing; add it with at least the columns id,date "
                                    f"(one row per .txt file; {len(txt)} found)")
        return [], set()
    rows = to_rows((r for b in csv_batches(meta, "utf-8", ("id", "date"), 1 << 30, problems,
                                           name=f"{label}/metadata.csv") for r in b), {}, problems)
    seen_ids: set[str] = set()
    claimed: dict[pathlib.Path, str] = {}
    bad: set[str] = set()
    mentioned: set[pathlib.Path] = set()
    for where, row in rows:
        doc_id = row.get("id", "").strip()
        name = _member_name(row)
        # a file a row names has a row, even when the row (or the file) is bad: one problem, not two
        mentioned.add(pathlib.Path(os.path.normpath(root / name)))
        if not doc_id or doc_id in seen_ids:
            continue  # reported by build_documents
        seen_ids.add(doc_id)
        target = resolve_member(folder, name, where, problems, root)
        if target is None:
            bad.add(where)
            continue
        if target in claimed:
            problems.add(where, f"file {name!r} is also named by {claimed[target]}; each file is one document")
            bad.add(where)
            continue
        claimed[target] = where.rsplit(" ", 2)[-2] + " " + where.rsplit(" ", 1)[-1]
    with os.scandir(root) as entries:
        names = sorted(e.name for e in entries if e.name.lower().endswith(".txt") and e.is_file())
    for fname in names:
        p = root / fname
        if p not in mentioned and (p.resolve() if p.is_symlink() else p) not in claimed:
            problems.add(f"{label}/{fname}", "has no row in metadata.csv; add a row (id, date, file) or move the file out")
    return rows, bad


def folder_texts(folder: pathlib.Path, rows: Iterable[tuple[str, Mapping[str, str]]], encoding: str,
                 problems: Problems) -> dict[str, tuple[str, str]]:
    """id -> (file label, text) for the rows of a folder corpus (first row of each id)."""
    label = folder.name or str(folder)
    root = folder.resolve()
    texts: dict[str, tuple[str, str]] = {}
    seen: set[str] = set()
    for where, row in rows:
        doc_id = row.get("id", "").strip()
        if not doc_id or doc_id in seen:
            continue  # reported by build_documents
        seen.add(doc_id)
        name = _member_name(row)
        # checked when metadata.csv was read; checked again where the file is read (a worker)
        target = resolve_member(folder, name, where, problems, root)
        if target is None:
            continue
        flabel = f"{label}/{name}"
        data = read_bytes(target, flabel, problems)
        text = None if data is None else decode(data, flabel, encoding, problems)
        if text is None:
            continue
        if not text.strip():
            problems.add(flabel, f"is empty (id {doc_id!r}); add the text or remove the row and file")
            continue
        texts[doc_id] = (flabel, text)
    return texts


# ---------------------------------------------------------------------------- YAML
class _AliasFound(Exception):
    def __init__(self, event):
        super().__init__(event.anchor)
        self.anchor, self.mark = event.anchor, event.start_mark


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases (``*name``): nested aliases expand exponentially ("billion laughs":
    a 544-byte file gave 111,111 frames), and no corpuskit file needs them."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise _AliasFound(self.peek_event())
        return super().compose_node(parent, index)


def compose_yaml(text: str, where: str, what: str, error: type[Exception]):
    """The YAML node tree of ``text`` (None when empty), safely: no Python objects, no aliases.

    Nodes keep their line numbers, so callers can name the line of an unknown key. Problems raise
    ``error`` with one line naming ``where``, the line and column, and what to do; ``what`` names
    the kind of file ("a dictionary", "a study file").

    >>> compose_yaml("a: 1", "x.yml", "a study file", ValueError).value[0][0].value
    'a'
    """
    try:
        return yaml.compose(text, Loader=_NoAliasLoader)
    except _AliasFound as exc:
        raise error(f"{where}, line {exc.mark.line + 1}, column {exc.mark.column + 1}: YAML alias *{exc.anchor} "
                    f"is not allowed in {what} (aliases can expand exponentially); write the value out in "
                    "full") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = f"{where}, line {mark.line + 1}, column {mark.column + 1}" if mark else where
        raise error(f"{loc}: malformed YAML: {' '.join(x for x in (exc.context, exc.problem) if x)}") from None
    except yaml.YAMLError as exc:
        raise error(f"{where}: malformed YAML: {exc}") from None
