"""Japan at the UN General Debate (issue 14): the study file regenerates its committed figures, and the
numbers the README quotes come from the library's era tests, change points and agreement."""
import json
import subprocess

import numpy as np
import pandas as pd
import pytest

import corpuskit as ck
from conftest import ROOT, digest
from corpuskit.cli import main

DATA = ROOT / "notebooks" / "data" / "ungd_japan"
STUDY = DATA / "study.yml"
COMMITTED = ROOT / "figures" / "ungd_japan"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("ungd") / "ungd_japan"
    assert main(["figures", "--study", str(STUDY), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def summary(regenerated):
    return json.loads((regenerated / "summary.json").read_text(encoding="utf-8"))


def test_committed_ungd_figures_equal_what_the_study_generates(regenerated):
    assert digest(COMMITTED) == digest(regenerated), (
        "regenerate with `corpuskit figures --study notebooks/data/ungd_japan/study.yml --force`")


def test_the_study_draws_the_figures_its_steps_declare(regenerated):
    from corpuskit import figures as figmod
    from corpuskit.study import load_study
    spec = load_study(STUDY)
    assert {p.stem for p in regenerated.glob("*.png")} == set(figmod.spec_figures(spec))
    assert {"era_comparisons", "change_points", "document_length", "beside"} <= set(figmod.spec_figures(spec))


def test_era_comparisons_are_a_holm_family_of_stance_and_every_frame(summary):
    eras = summary["eras"]
    frames = ck.load_dictionary(DATA / "frames.yml").keys()
    assert eras["values"] == ["stance", *frames]
    assert eras["family_size"] == 3 * (1 + len(frames)) == len(eras["comparisons"])
    p = np.array([c["p_value"] for c in eras["comparisons"].values()])
    holm = np.array([c["p_holm"] for c in eras["comparisons"].values()])
    assert (holm >= p - 1e-4).all()  # an adjusted p is never below the raw one (both rounded to 4 places)
    assert eras["n_holm_significant"] == int((holm < 0.05).sum())
    assert eras["robustness"]["shift_years"] == 2 and eras["robustness"]["n_runs"] == 4


def test_change_points_keep_five_years_a_side_and_give_intervals(summary):
    cp = summary["change_points"]
    assert cp["min_size"] == 5 and cp["by"] == "year"
    for found in cp["found"].values():
        for c in found:
            assert 1957 + 5 <= int(c["year"]) <= 2024 - 4
            assert int(c["ci_low"]) <= int(c["year"]) <= int(c["ci_high"])


def test_gold_sampling_and_the_two_codings(summary):
    gold = ck.read_gold(DATA / "annotations" / "gold.csv")
    second = ck.read_gold(DATA / "annotations" / "gold_second.csv")
    assert len(gold) >= 150 and len(second) >= 50
    # stratified by era, equal allocation, weights recorded
    assert gold.groupby("era").size().tolist() == [60, 60, 60]
    w = pd.to_numeric(gold["weight"]).groupby(gold["era"]).first()
    assert np.allclose(w * 60, pd.to_numeric(gold["frame_size"]).groupby(gold["era"]).first())
    assert set(second["sentence_hash"]) <= set(gold["sentence_hash"])
    st = summary["stance"]
    assert st["gold"]["n_coded"] == len(gold) and st["target_detection"]["weighted"] is True


def test_codings_precede_the_lexicons_in_history():
    def first_commit(path):
        out = subprocess.run(["git", "log", "--format=%ct", "--reverse", "--", path], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.split()
        return int(out[0])
    if not (ROOT / ".git").exists():
        pytest.fail("the history check needs the git clone of the repository")
    codebook = first_commit("notebooks/data/ungd_japan/CODEBOOK.md")
    gold = first_commit("notebooks/data/ungd_japan/annotations/gold.csv")
    lexicons = min(first_commit(f"notebooks/data/ungd_japan/{f}") for f in ("target.yml", "cues.yml"))
    results = first_commit("figures/ungd_japan/summary.json")
    assert codebook <= gold <= lexicons <= results


def test_frame_precision_counts_judged_hits_and_names_a_bad_row(tmp_path):
    from corpuskit.figures import frame_precision
    from corpuskit.study import StudyError
    f = tmp_path / "judged.csv"
    f.write_text("frame,relevant\na,yes\na,no\nb,yes\na,yes\n", encoding="utf-8")
    assert frame_precision(f, ["a", "b", "c"]) == {"a": {"n_judged": 3, "n_relevant": 2, "precision": 0.667},
                                                   "b": {"n_judged": 1, "n_relevant": 1, "precision": 1.0}}
    f.write_text("frame,relevant\na,yes\na,maybe\n", encoding="utf-8")
    with pytest.raises(StudyError, match=r"judged.csv, row 3: relevant='maybe'; write yes or no"):
        frame_precision(f, ["a"])
    f.write_text('frame,relevant\na,"yes\n', encoding="utf-8")
    with pytest.raises(StudyError, match=r"judged.csv: not a readable UTF-8 CSV"):
        frame_precision(f, ["a"])
    f.write_text("frame,relevant\nz,yes\n", encoding="utf-8")
    with pytest.raises(StudyError, match=r"frame 'z' is not in the dictionary"):
        frame_precision(f, ["a"])


def test_ungd_precision_check_is_in_the_summary(summary):
    precision = summary["frames"]["precision"]
    assert sum(v["n_judged"] for v in precision.values()) == 139
    assert precision["peacekeeping_sdf"]["n_relevant"] == 5
