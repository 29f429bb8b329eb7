"""Bad input: one clear line naming the file, row or byte — from the API and the CLI."""
import subprocess
import sys

import pytest

import corpuskit as ck
from corpuskit.cli import main
from corpuskit.errors import CorpusError

GOOD = "id,date\na,2021\nb,2022-03\n"


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(capsys, path, *needles, all_errors=False):
    args = ["info", str(path)] + (["--all-errors"] if all_errors else [])
    code, out, err = run_cli(capsys, *args)
    assert code == 2
    assert "Traceback" not in err and out == ""
    lines = err.strip().splitlines()
    assert lines and all(l.startswith("corpuskit: error: ") for l in lines)
    if not all_errors:
        assert len(lines) == 1
    for n in needles:
        assert n in err, f"{n!r} not in {err!r}"
    return lines


def test_missing_metadata(make_folder, capsys):
    d = make_folder({"a.txt": "Text."}, None)
    assert_one_line_error(capsys, d, "metadata.csv", "is missing", "id,date")


def test_txt_without_metadata_row(make_folder, capsys):
    d = make_folder({"a.txt": "A.", "b.txt": "B.", "stray.txt": "C."}, GOOD)
    assert_one_line_error(capsys, d, "stray.txt", "has no row in metadata.csv")


def test_metadata_row_without_file(make_folder, capsys):
    d = make_folder({"a.txt": "A."}, GOOD)
    assert_one_line_error(capsys, d, "metadata.csv line 3", "'b.txt' does not exist")


def test_duplicate_ids(make_folder, capsys):
    d = make_folder({"a.txt": "A."}, "id,date\na,2021\na,2022\n")
    assert_one_line_error(capsys, d, "metadata.csv line 3", "duplicate id 'a'", "line 2")


def test_unparseable_date(make_folder, capsys):
    d = make_folder({"a.txt": "A.", "b.txt": "B."}, "id,date\na,2021\nb,2021-13-45\n")
    assert_one_line_error(capsys, d, "metadata.csv line 3", "'2021-13-45'", "YYYY-MM-DD")


def test_empty_file(make_folder, capsys):
    d = make_folder({"a.txt": "A.", "b.txt": ""}, GOOD)
    assert_one_line_error(capsys, d, "b.txt", "is empty")


def test_non_utf8_names_file_and_byte_offset(make_folder, capsys):
    d = make_folder({"a.txt": "A.", "b.txt": b"caf\xc3\xa9 ok \xff bad"}, GOOD)
    assert_one_line_error(capsys, d, "b.txt byte 9", "0xff", "UTF-8")


def test_empty_folder(make_folder, capsys):
    d = make_folder({}, None)
    assert_one_line_error(capsys, d, str(d), "is empty")


def test_path_does_not_exist(tmp_path, capsys):
    assert_one_line_error(capsys, tmp_path / "nowhere", "nowhere", "does not exist")


def test_missing_required_column(make_folder, capsys):
    d = make_folder({"a.txt": "A."}, "id,when\na,2021\n")
    assert_one_line_error(capsys, d, "metadata.csv line 1", "'date'")


def test_marker_not_found(make_folder, capsys):
    d = make_folder({"a.txt": "A."}, "id,date,body_end\na,2021,Nope\n")
    assert_one_line_error(capsys, d, "metadata.csv line 2", "'Nope'")


def test_all_errors_reports_every_problem(make_folder, capsys):
    d = make_folder({"a.txt": "", "c.txt": b"\xfe", "stray.txt": "x"},
                    "id,date\na,2021\nb,2021\nc,2021\nc,2022\nd,20x1\n")
    lines = assert_one_line_error(capsys, d, all_errors=True)
    text = "\n".join(lines)
    for needle in ["a.txt", "'b.txt' does not exist", "c.txt byte 0", "duplicate id 'c'", "'20x1'", "stray.txt",
                   "'d.txt' does not exist"]:
        assert needle in text
    assert len(lines) == 7
    with pytest.raises(CorpusError) as exc:
        ck.load_corpus(d, all_errors=True)
    assert len(exc.value.problems) == 7
    with pytest.raises(CorpusError) as exc:
        ck.load_corpus(d)
    assert len(exc.value.problems) == 1


def test_csv_and_jsonl_errors_name_line(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("id,date,text\n1,2021,ok\n2,2021-02-30,bad date\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"c.csv line 3: id '2': date '2021-02-30'"):
        ck.Corpus.from_csv(p)
    j = tmp_path / "c.jsonl"
    j.write_text('{"id": "1", "date": "2021", "text": "x"}\n{not json}\n', encoding="utf-8")
    with pytest.raises(CorpusError, match=r"c.jsonl line 2: not valid JSON"):
        ck.Corpus.from_jsonl(j)
    j.write_text('{"id": "1", "date": "2021"}\n', encoding="utf-8")
    with pytest.raises(CorpusError, match=r"c.jsonl line 1: missing field\(s\) 'text'"):
        ck.Corpus.from_jsonl(j)


def test_console_script_exits_nonzero_without_traceback(tmp_path):
    r = subprocess.run([sys.executable, "-m", "corpuskit.cli", "info", str(tmp_path / "missing")],
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr and "missing" in r.stderr


def test_no_partial_result_on_error(make_folder):
    d = make_folder({"a.txt": "A.", "b.txt": b"\xff"}, GOOD)
    with pytest.raises(CorpusError):
        corpus = ck.load_corpus(d)  # noqa: F841 — nothing is returned
    assert "corpus" not in locals()


def test_cli_prints_each_warning_once_on_one_line(monkeypatch, capsys):
    import warnings
    from corpuskit import figures as figmod
    from corpuskit.cli import main

    def run(args):
        for _ in range(2):  # the same warning from two steps
            warnings.warn("score_frames: 3 of 9 entries of the frame dictionary 'd' match nothing", UserWarning)
        warnings.warn("select_n_topics: the recommended k=2 is the smallest k of the grid", UserWarning)
        return 0

    monkeypatch.setattr(figmod, "_figures", run)
    assert main(["figures"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == ["corpuskit: warning: score_frames: 3 of 9 entries of the frame dictionary 'd' match nothing",
                   "corpuskit: warning: select_n_topics: the recommended k=2 is the smallest k of the grid"]
