"""`corpuskit figures`: byte-identical on every run, equal to the committed figures/, all-or-nothing."""
import filecmp
import hashlib
import json

import pytest

from conftest import ROOT
from corpuskit import figures as figmod
from corpuskit.cli import main


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen") / "figures"
    assert main(["figures", "--corpus", str(ROOT / "seeds"), "--out", str(out)]) == 0
    return out


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_figures_are_byte_identical_across_runs(generated, tmp_path):
    again = tmp_path / "figures"
    assert main(["figures", "--corpus", str(ROOT / "seeds"), "--out", str(again)]) == 0
    assert digest(generated) == digest(again)


def test_committed_figures_equal_what_the_command_generates(generated):
    committed = ROOT / "figures"
    names = sorted(p.name for p in generated.iterdir())
    assert sorted(p.name for p in committed.iterdir()) == names
    match, mismatch, errors = filecmp.cmpfiles(committed, generated, names, shallow=False)
    assert not mismatch and not errors, f"regenerate with `corpuskit figures`: {mismatch or errors} differ"


def test_every_figure_has_png_and_svg_and_summary(generated):
    names = {p.stem for p in generated.glob("*.png")}
    assert names and names == {p.stem for p in generated.glob("*.svg")}
    summary = json.loads((generated / "summary.json").read_text(encoding="utf-8"))
    assert summary["corpus"]["n_documents"] == 5
    png = (generated / "corpus_timeline.png").read_bytes()
    assert b"Software" not in png and b"matplotlib version" not in png
    svg = (generated / "corpus_timeline.svg").read_text(encoding="utf-8")
    assert "<dc:date>" not in svg


def test_failure_leaves_previous_output_untouched(tmp_path, monkeypatch, capsys):
    out = tmp_path / "figures"
    assert main(["figures", "--corpus", str(ROOT / "seeds"), "--out", str(out)]) == 0
    before = digest(out)

    def boom(study):
        raise figmod.CorpuskitError("step failed on purpose")

    monkeypatch.setattr(figmod, "STEPS", figmod.STEPS + [("boom", boom)])
    assert main(["figures", "--corpus", str(ROOT / "seeds"), "--out", str(out)]) == 2
    assert "step failed on purpose" in capsys.readouterr().err
    assert digest(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".figures-")]
