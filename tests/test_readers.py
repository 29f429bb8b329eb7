"""One reader per format: every entry point (load_corpus, Corpus.from_*, stream_corpus, dask_dfm)
reads the same documents, and refuses the same bad input with the same line."""
import csv
import datetime as dt
import json
import os
import pathlib

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corpuskit as ck
from corpuskit.dask_backend import dask_dfm
from corpuskit.errors import CorpusError
from corpuskit.periods import parse_date


# ---------------------------------------------------------------------------- helpers
def _docs(corpus):
    return [(d.id, d.date.text, d.raw) for d in corpus]


def _readers(path, **kw):
    """Every reader of ``path``: name -> function returning a Corpus (clean=False)."""
    path = pathlib.Path(path)
    out = {"load_corpus": lambda: ck.load_corpus(path, clean=False, **kw),
           "stream": lambda: ck.stream_corpus(path, chunk_size=2, clean=False, **kw).to_corpus()}
    ctor = {".csv": "from_csv", ".jsonl": "from_jsonl", ".parquet": "from_parquet"}.get(path.suffix)
    if ctor:
        out[ctor] = lambda: getattr(ck.Corpus, ctor)(path, clean=False, **kw)
    return out


def _error(f) -> str:
    with pytest.raises(CorpusError) as exc:
        f()
    msg = str(exc.value)
    assert "\n" not in msg, msg
    return msg


def _errors_everywhere(path, *needles, dask=True):
    """The one-line error of every entry point; all the same, each naming ``needles``."""
    funcs = dict(_readers(path))
    if dask:
        funcs["dask_dfm"] = lambda: dask_dfm(path)
    msgs = {name: _error(f) for name, f in funcs.items()}
    assert len(set(msgs.values())) == 1, msgs
    msg = next(iter(msgs.values()))
    for n in needles:
        assert n in msg, (n, msg)
    return msg


def _folder(root, files: dict, metadata: str) -> pathlib.Path:
    d = root / "corpus"
    d.mkdir()
    for name, content in files.items():
        p = d / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    (d / "metadata.csv").write_text(metadata, encoding="utf-8")
    return d


# ---------------------------------------------------------------------------- 1. one path rule
@pytest.mark.parametrize("how", ["dotdot", "absolute", "symlink"])
def test_metadata_file_outside_the_folder_is_refused(tmp_path, how):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash", encoding="utf-8")
    files = {"a.txt": "Fine."}
    if how == "dotdot":
        value = "../secret.txt"
    elif how == "absolute":
        value = str(secret)
    else:
        value = "link.txt"
    d = _folder(tmp_path, files, f"id,date,file\na,2021,a.txt\nb,2021,{value}\n")
    if how == "symlink":
        os.symlink(secret, d / "link.txt")
    _errors_everywhere(d, "metadata.csv line 3", repr(value), "outside")


def test_subfolders_named_in_metadata_and_any_suffix_load(tmp_path):
    d = _folder(tmp_path, {"2021/03/x.txt": "In March.", "notes.md": "Markdown text.", "c.txt": "Top."},
                "id,date,file\nx,2021-03,2021/03/x.txt\nm,2021,notes.md\nc,2022,\n")
    for name, f in _readers(d).items():
        assert _docs(f()) == [("x", "2021-03", "In March."), ("m", "2021", "Markdown text."),
                              ("c", "2022", "Top.")], name
    assert dask_dfm(d).docvars["id"].tolist() == ["x", "m", "c"]


def test_two_rows_naming_one_file_is_an_error_naming_both_lines(tmp_path):
    d = _folder(tmp_path, {"a.txt": "A."}, "id,date,file\na,2021,a.txt\nb,2021,./a.txt\n")
    _errors_everywhere(d, "metadata.csv line 3", "line 2", "'./a.txt'")


def test_top_level_txt_without_row_is_still_reported(tmp_path):
    d = _folder(tmp_path, {"a.txt": "A.", "sub/b.txt": "B.", "stray.txt": "S."},
                "id,date,file\na,2021,a.txt\nb,2021,sub/b.txt\n")
    _errors_everywhere(d, "stray.txt", "has no row in metadata.csv")


# ---------------------------------------------------------------------------- 2. CSV
def test_unterminated_quote_is_an_error_naming_its_line(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text('id,date,text\na,2021,fine\nb,2021,"never closed\nc,2021,swallowed\nd,2021,too\n',
                 encoding="utf-8")
    _errors_everywhere(p, "c.csv line 3", "quote")


def test_fields_longer_than_128_kib_load(tmp_path):
    long = "word " * 60_000  # 300 KB, beyond csv's default field_size_limit of 128 KiB
    p = tmp_path / "long.csv"
    with open(p, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["id", "date", "text"], ["a", "2021", long]])
    for name, f in _readers(p).items():
        assert _docs(f()) == [("a", "2021", long)], name


# ---------------------------------------------------------------------------- 3. JSONL
def test_jsonl_splits_on_newline_only(tmp_path):
    odd = "a\u2028b\u2029c\x85d\x1ce\x1df\x1eg\x0bh\x0ci"
    p = tmp_path / "j.jsonl"
    recs = [{"id": "1", "date": "2021", "text": odd}, {"id": "2", "date": "2021", "text": "plain"}]
    p.write_bytes(("\r\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n").encode("utf-8"))
    for name, f in _readers(p).items():
        assert _docs(f()) == [("1", "2021", odd), ("2", "2021", "plain")], name
    p.write_bytes((json.dumps(recs[0], ensure_ascii=False) + "\n" + '{"id": "2", "date": "20x1", "text": "t"}\n')
                  .encode("utf-8"))
    _errors_everywhere(p, "j.jsonl line 2", "'20x1'")


def test_json_error_text_has_no_doubled_word(tmp_path):
    p = tmp_path / "j.jsonl"
    p.write_text('{"id": "1", "date": "2021", "text": "unterminated}\n', encoding="utf-8")
    msg = _errors_everywhere(p, "j.jsonl line 1", "not valid JSON")
    assert "at at" not in msg and "Unterminated string starting at column 37" in msg


# ---------------------------------------------------------------------------- 4. types
def test_binary_text_is_decoded_never_stringified(tmp_path):
    p = tmp_path / "b.parquet"
    pq.write_table(pa.table({"id": ["a"], "date": ["2021"], "text": pa.array([b"caf\xc3\xa9"], pa.binary())}), p)
    for name, f in _readers(p).items():
        assert _docs(f()) == [("a", "2021", "caf\xe9")], name
    assert _docs(ck.Corpus.from_records([{"id": "a", "date": "2021", "text": b"caf\xc3\xa9"}], clean=False)) == \
        [("a", "2021", "caf\xe9")]
    pq.write_table(pa.table({"id": ["a"], "date": ["2021"], "text": pa.array([b"\xff"], pa.binary())}), p)
    _errors_everywhere(p, "b.parquet row 1", "'text'", "UTF-8")


@pytest.mark.parametrize("value", [[1, 2], 5, {"a": 1}])
def test_non_text_json_value_is_an_error_naming_row_and_field(tmp_path, value):
    p = tmp_path / "j.jsonl"
    p.write_text(json.dumps({"id": "1", "date": "2021", "body": value}) + "\n", encoding="utf-8")
    msg = _error(lambda: ck.Corpus.from_jsonl(p, text="body"))
    assert "j.jsonl line 1" in msg and "'body'" in msg
    assert _error(lambda: ck.stream_corpus(p, text="body").to_corpus()) == msg


def test_parquet_timestamp_and_date_columns_are_dates(tmp_path):
    p = tmp_path / "t.parquet"
    pq.write_table(pa.table({"id": ["a", "b"], "date": pa.array([dt.datetime(2021, 3, 4), dt.datetime(2021, 3, 5)],
                                                                 pa.timestamp("us")),
                             "text": ["One.", "Two."]}), p)
    for name, f in _readers(p).items():
        c = f()
        assert _docs(c) == [("a", "2021-03-04", "One."), ("b", "2021-03-05", "Two.")], name
        assert c["a"].date.precision == "day"
    pq.write_table(pa.table({"id": ["a"], "date": pa.array([dt.date(2020, 2, 29)], pa.date32()), "text": ["x"]}), p)
    assert _docs(ck.load_corpus(p, clean=False)) == [("a", "2020-02-29", "x")]


# ---------------------------------------------------------------------------- 5/6. parquet and empty corpora
def test_load_corpus_reads_parquet(tmp_path, capsys):
    from corpuskit.cli import main
    p = tmp_path / "c.parquet"
    pd.DataFrame({"id": ["007"], "date": ["2021-05"], "text": ["Bond."]}).to_parquet(p)
    assert _docs(ck.load_corpus(p)) == [("007", "2021-05", "Bond.")]
    assert main(["info", str(p)]) == 0 and "007" in capsys.readouterr().out


def test_empty_corpora_give_one_wording_everywhere(tmp_path):
    (tmp_path / "h.csv").write_text("id,date,text\n", encoding="utf-8")
    (tmp_path / "e.jsonl").write_text("\n\n", encoding="utf-8")
    d = _folder(tmp_path, {}, "id,date\n")
    msgs = [_errors_everywhere(tmp_path / "h.csv", "h.csv"), _errors_everywhere(tmp_path / "e.jsonl", "e.jsonl"),
            _errors_everywhere(d, "metadata.csv")]
    assert len({m.split(": ", 1)[1] for m in msgs}) == 1, msgs


# ---------------------------------------------------------------------------- 7/8. not text, not ASCII digits
@pytest.mark.parametrize("content", ["Plain text in UTF-16".encode("utf-16-le"), b"\x00" * 64])
def test_nul_filled_text_is_refused_naming_file(tmp_path, content):
    d = _folder(tmp_path, {"a.txt": content}, "id,date\na,2021\n")
    _errors_everywhere(d, "a.txt", "encoding=")


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_utf16_without_bom_files_are_refused(tmp_path, suffix):
    p = tmp_path / f"u{suffix}"
    body = "id,date,text\na,2021,x\n" if suffix == ".csv" else '{"id": "a", "date": "2021", "text": "x"}\n'
    p.write_bytes(body.encode("utf-16-le"))
    _errors_everywhere(p, f"u{suffix} line 1", "NUL", "encoding=")


@pytest.mark.parametrize("bad", ["\u0662\u0660\u0662\u0661", "\uff12\uff10\uff12\uff11", "2021-\u0660\u0663"])
def test_dates_with_non_ascii_digits_are_refused(bad):
    with pytest.raises(ValueError, match="YYYY"):
        parse_date(bad)


# ---------------------------------------------------------------------------- 9/10. pandas and literal paths
def test_from_records_and_from_pandas_accept_dataframes():
    df = pd.DataFrame({"key": ["000", "001"], "when": pd.to_datetime(["2021-03-04", "2022-01-02"]),
                       "body": ["First.", "Second."], "outlet": ["A", None]})
    c = ck.Corpus.from_pandas(df, text="body", id="key", date="when", clean=False)
    assert _docs(c) == [("000", "2021-03-04", "First."), ("001", "2022-01-02", "Second.")]
    assert [d.meta["outlet"] for d in c] == ["A", ""]
    r = ck.Corpus.from_records(df.rename(columns={"key": "id", "when": "date", "body": "text"}), clean=False)
    assert _docs(r) == _docs(c)


def test_existing_path_with_glob_characters_is_taken_literally(tmp_path):
    p = tmp_path / "archive[2021].jsonl"
    p.write_text('{"id": "a", "date": "2021", "text": "Literal."}\n', encoding="utf-8")
    assert ck.stream_corpus(p).ids == ["a"]
    assert ck.stream_corpus(str(p)).ids == ["a"]


# ---------------------------------------------------------------------------- 11. every reader, every format
SEPARATORS = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
_text = st.lists(st.one_of(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                                   max_size=30),
                           st.sampled_from(SEPARATORS + ['"', "'", ",", "\t", ";", "\ufeff", "\\", "{}"])),
                 max_size=12).map("".join).map(lambda s: s if s.strip() else s + "x")  # empty text is an error


@st.composite
def _corpora(draw):
    n = draw(st.integers(1, 5))
    ids = draw(st.lists(st.from_regex(r"[0-9A-Za-z_-]{1,6}", fullmatch=True), min_size=n, max_size=n,
                        unique=True))
    dates = draw(st.lists(st.sampled_from(["2021", "1999-02", "2020-02-29", "0990", "2024-12-31"]),
                          min_size=n, max_size=n))
    texts = draw(st.lists(_text, min_size=n, max_size=n))
    return [{"id": i, "date": d, "text": t} for i, d, t in zip(ids, dates, texts)]


def _write_all(root: pathlib.Path, recs) -> list[pathlib.Path]:
    root.mkdir()
    with open(root / "c.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "date", "text"])
        w.writerows([r["id"], r["date"], r["text"]] for r in recs)
    with open(root / "c.jsonl", "w", encoding="utf-8", newline="") as fh:
        fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
    pq.write_table(pa.Table.from_pylist(recs), root / "c.parquet", row_group_size=2)
    folder = root / "folder"
    folder.mkdir()
    for k, r in enumerate(recs):
        (folder / f"doc{k}.txt").write_bytes(r["text"].encode("utf-8"))
    with open(folder / "metadata.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "date", "file"])
        w.writerows([r["id"], r["date"], f"doc{k}.txt"] for k, r in enumerate(recs))
    return [root / "c.csv", root / "c.jsonl", root / "c.parquet", folder]


def _check_every_reader(root, recs):
    want = [(r["id"], r["date"], r["text"]) for r in recs]
    for path in _write_all(root, recs):
        for name, f in _readers(path).items():
            assert _docs(f()) == want, (path.name, name)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(recs=_corpora())
def test_every_reader_reads_every_format_byte_for_byte(tmp_path_factory, recs):
    _check_every_reader(tmp_path_factory.mktemp("prop") / "c", recs)


def test_every_reader_long_fields_and_all_separators(tmp_path):
    recs = [{"id": "000", "date": "2021", "text": "x" * 200_000 + "".join(SEPARATORS) + '"q", \t'},
            {"id": "0", "date": "2021-02", "text": "".join(SEPARATORS) + "end"},
            {"id": "00", "date": "2021-02-03", "text": "\r\nstarts and ends with CRLF\r\n"}]
    _check_every_reader(tmp_path / "c", recs)
    assert dask_dfm(tmp_path / "c" / "c.parquet", clean=False).docvars["id"].tolist() == ["000", "0", "00"]


def test_row_with_empty_id_still_claims_its_file(tmp_path):
    d = _folder(tmp_path, {"a.txt": "A.", "x.txt": "X."}, "id,date,file\na,2021,a.txt\n,2021,x.txt\n")
    with pytest.raises(CorpusError) as exc:
        ck.load_corpus(d, all_errors=True)
    assert [str(p) for p in exc.value.problems] == \
        ["corpus/metadata.csv line 3: empty id; every document needs a unique id"]


def test_empty_parquet_and_missing_pyarrow(tmp_path, monkeypatch):
    p = tmp_path / "e.parquet"
    pq.write_table(pa.table({"id": pa.array([], pa.string()), "date": pa.array([], pa.string()),
                             "text": pa.array([], pa.string())}), p)
    (tmp_path / "h.csv").write_text("id,date,text\n", encoding="utf-8")
    assert _errors_everywhere(p, "e.parquet").split(": ", 1)[1] == \
        _errors_everywhere(tmp_path / "h.csv").split(": ", 1)[1]
    import sys
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)  # import fails as if pyarrow were missing
    with pytest.raises(ck.ParameterError, match=r"needs pyarrow: pip install 'corpuskit\[parquet\]'"):
        ck.load_corpus(p)


def test_symlink_out_is_one_problem_not_two(tmp_path):
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    d = _folder(tmp_path, {"a.txt": "A."}, "id,date,file\na,2021,a.txt\nb,2021,link.txt\n")
    os.symlink(tmp_path / "secret.txt", d / "link.txt")
    with pytest.raises(CorpusError) as exc:
        ck.load_corpus(d, all_errors=True)
    assert len(exc.value.problems) == 1 and "'link.txt' resolves outside" in str(exc.value)
