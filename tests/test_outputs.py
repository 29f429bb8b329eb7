"""`corpuskit figures --out DIR` replaces or removes only files it wrote itself (issue 10, part 1)."""
import hashlib
import json

import pytest

from conftest import ROOT
from corpuskit import figures as figmod
from corpuskit.cli import main
from corpuskit.outputs import MANIFEST, OutputError, check_out_dir, read_manifest

USER_FILES = {"paper.pdf": b"%PDF-1.4 my paper", "photo.png": b"\x89PNG my photo", "diagram.svg": b"<svg>mine</svg>",
              "notes.txt": b"my notes", "summary.json.bak": b"{}"}


@pytest.fixture
def fast_steps(monkeypatch):
    """The corpus and keyness steps only: the same writing path, in a second instead of ten."""
    monkeypatch.setattr(figmod, "STEPS", [s for s in figmod.STEPS if s[0] in ("corpus", "keyness")])


def figures(out, *extra):
    return main(["figures", "--corpus", str(ROOT / "seeds"), "--out", str(out), *extra])


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def put_user_files(folder):
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in USER_FILES.items():
        (folder / name).write_bytes(data)


def assert_user_files_intact(folder):
    for name, data in USER_FILES.items():
        assert (folder / name).read_bytes() == data, name


@pytest.mark.parametrize("via_symlink", [False, True])
def test_user_files_survive_runs_and_a_change_of_formats(tmp_path, fast_steps, via_symlink):
    real = tmp_path / "real"
    put_user_files(real)
    out = real
    if via_symlink:
        out = tmp_path / "link"
        out.symlink_to(real, target_is_directory=True)
    assert figures(out) == 0
    assert_user_files_intact(real)
    written = set(read_manifest(real))
    assert {"corpus_timeline.png", "corpus_timeline.svg", "keyness.svg", "summary.json"} <= written
    assert not written & set(USER_FILES)
    assert figures(out) == 0  # second run replaces its own files
    assert_user_files_intact(real)
    assert figures(out, "--formats", "png") == 0  # svg outputs are now stale: they go, the user's svg stays
    assert_user_files_intact(real)
    assert not (real / "corpus_timeline.svg").exists() and (real / "corpus_timeline.png").exists()
    assert set(read_manifest(real)) == {"corpus_timeline.png", "keyness.png", "summary.json"}
    assert not [p for p in real.iterdir() if p.name.startswith(".corpuskit-tmp")]


def test_a_file_the_run_would_write_that_corpuskit_did_not_write_is_not_overwritten(tmp_path, fast_steps, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keyness.png").write_bytes(b"a user's own keyness plot")
    assert figures(out) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "keyness.png already exists and was not written by corpuskit" in err and "--force" in err
    assert (out / "keyness.png").read_bytes() == b"a user's own keyness plot"
    assert sorted(p.name for p in out.iterdir()) == ["keyness.png"]  # nothing else was written
    assert figures(out, "--force") == 0
    assert (out / "keyness.png").read_bytes().startswith(b"\x89PNG")


def test_an_output_the_user_changed_is_not_overwritten_or_removed(tmp_path, fast_steps, capsys):
    out = tmp_path / "out"
    assert figures(out) == 0
    (out / "summary.json").write_text("my edited numbers", encoding="utf-8")
    assert figures(out) == 2
    err = capsys.readouterr().err.strip()
    assert "summary.json changed since corpuskit wrote it" in err and len(err.splitlines()) == 1
    assert (out / "summary.json").read_text(encoding="utf-8") == "my edited numbers"
    # an edited output the run no longer writes stays, and leaves the manifest
    (out / "keyness.svg").write_bytes(b"<svg>edited</svg>")
    assert figures(out, "--formats", "png", "--force") == 0
    assert (out / "keyness.svg").read_bytes() == b"<svg>edited</svg>"
    assert "keyness.svg" not in read_manifest(out)
    assert "kept" in capsys.readouterr().err


def test_symlinked_output_files_are_replaced_not_followed(tmp_path, fast_steps):
    out, elsewhere = tmp_path / "out", tmp_path / "precious.png"
    assert figures(out) == 0
    elsewhere.write_bytes(b"precious")
    (out / "keyness.png").unlink()
    (out / "keyness.png").symlink_to(elsewhere)
    assert figures(out) == 2  # a link is the user's, not an output
    assert figures(out, "--force") == 0
    assert elsewhere.read_bytes() == b"precious" and not (out / "keyness.png").is_symlink()


@pytest.mark.parametrize("manifest", ['{"format": "corpuskit-outputs", "version": 1, "files": {"../x": "%s"}}' % ("0" * 64),
                                      "not json", '{"format": "other"}'])
def test_a_manifest_that_names_paths_or_is_not_ours_is_refused(tmp_path, fast_steps, capsys, manifest):
    out = tmp_path / "out"
    out.mkdir()
    (out / MANIFEST).write_text(manifest, encoding="utf-8")
    (tmp_path / "x").write_bytes(b"outside")
    assert figures(out) == 2
    err = capsys.readouterr().err.strip()
    assert f"{MANIFEST}: " in err and len(err.splitlines()) == 1
    assert "not a corpuskit manifest" in err or "'../x' is not a file name" in err
    assert (tmp_path / "x").read_bytes() == b"outside"


def test_out_is_checked_before_any_work(tmp_path, capsys, monkeypatch):
    ran = []
    monkeypatch.setattr(figmod, "run_study", lambda *a, **k: ran.append(1))
    a_file = tmp_path / "report.pdf"
    a_file.write_bytes(b"%PDF")
    for out, message in [(a_file, "is an existing file, not a folder"),
                         (a_file / "figures", "is a file, so no folder can be made below it"),
                         ("/proc/corpuskit-figures", "is not writable")]:
        assert figures(out) == 2
        err = capsys.readouterr().err.strip()
        assert message in err and str(out) in err and len(err.splitlines()) == 1
    assert figures(tmp_path / "new", "--formats", "png,gif") == 2
    assert "--formats 'png,gif': 'gif' is not a format" in capsys.readouterr().err
    assert ran == [] and a_file.read_bytes() == b"%PDF" and not (tmp_path / "new").exists()


def test_check_out_dir_creates_nothing(tmp_path):
    assert check_out_dir(tmp_path / "a" / "b") == tmp_path / "a" / "b"
    assert not (tmp_path / "a").exists()
    with pytest.raises(OutputError, match="is an existing file"):
        check_out_dir(__file__)


def test_committed_manifest_lists_exactly_the_committed_figures():
    committed = ROOT / "figures"
    files = digest(committed)
    manifest = json.loads((committed / MANIFEST).read_text(encoding="utf-8"))["files"]
    assert manifest == {k: v for k, v in files.items() if k != MANIFEST}
