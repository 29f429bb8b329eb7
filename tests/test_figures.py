"""`corpuskit figures`: byte-identical on every run, equal to the committed figures/, all-or-nothing."""
import filecmp
import json

import pytest

from conftest import ROOT, digest
from corpuskit import figures as figmod
from corpuskit.cli import main


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen") / "figures"
    assert main(["figures", "--corpus", str(ROOT / "seeds"), "--out", str(out)]) == 0
    return out


def test_figures_are_byte_identical_across_runs(generated, tmp_path):
    again = tmp_path / "figures"
    assert main(["figures", "--corpus", str(ROOT / "seeds"), "--out", str(again)]) == 0
    assert digest(generated) == digest(again)


def test_committed_figures_equal_what_the_command_generates(generated):
    committed = ROOT / "figures"
    names = sorted(p.name for p in generated.iterdir())
    assert ".corpuskit-manifest.json" in names  # the manifest of what the run wrote counts as output
    # figures/<study>/ folders hold the other studies (tests/test_sotu_study.py)
    assert sorted(p.name for p in committed.iterdir() if p.is_file()) == names
    match, mismatch, errors = filecmp.cmpfiles(committed, generated, names, shallow=False)
    assert not mismatch and not errors, f"regenerate with `corpuskit figures`: {mismatch or errors} differ"


def test_step_figures_declares_what_the_steps_draw(generated):
    from corpuskit.study import load_study
    spec = load_study(ROOT / "seeds" / "study.yml")
    declared = {f for name in figmod.steps_to_run(spec) for f in figmod.STEP_FIGURES[name]}
    assert {p.stem for p in generated.glob("*.png")} == declared == set(figmod.spec_figures(spec))
    assert set(figmod.STEP_FIGURES) == {name for name, _ in figmod.STEPS}


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
    assert not [p for d in (tmp_path, out) for p in d.iterdir() if p.name.startswith((".figures-", ".corpuskit-tmp"))]


@pytest.mark.parametrize("args, message", [
    (["--before", "2006:20x"], "--before='2006:20x': date '20x' is not YYYY, YYYY-MM or YYYY-MM-DD"),
    (["--after", "2021:2022:2023"], "--after='2021:2022:2023': give a date or a range START:END"),
    (["--before", "2000"], "before period 2000 holds no documents (the corpus runs 2006-07-01 to 2024-12-31)"),
])
def test_bad_periods_get_one_line_naming_the_option_and_value(tmp_path, capsys, args, message):
    out = tmp_path / "figures"
    assert main(["figures", "--corpus", str(ROOT / "seeds"), "--out", str(out), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert not out.exists()


def test_periods_are_options(tmp_path):
    out = tmp_path / "figures"
    assert main(["figures", "--corpus", str(ROOT / "seeds"), "--out", str(out),
                 "--before", "2006:2021", "--after", "2023:2024"]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (summary["keyness"]["a"], summary["keyness"]["b"]) == ("2006–2021", "2023–2024")
    assert summary["keyness"]["n_a_docs"] == 3 and summary["keyness"]["n_b_docs"] == 2
    assert summary["shift"]["lexicon"]["documents"]["basis"] == "documents"
    assert summary["shift"]["lexicon"]["documents"]["n_before"] == 3
