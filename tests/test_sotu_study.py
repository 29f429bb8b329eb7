"""The State of the Union study: a user's study file, run by the same command, regenerated in CI."""
import json

import pytest

import corpuskit as ck
from conftest import ROOT, digest
from corpuskit.cli import main

STUDY = ROOT / "notebooks" / "data" / "state_of_the_union" / "study.yml"
COMMITTED = ROOT / "figures" / "sotu"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("sotu") / "sotu"
    assert main(["figures", "--study", str(STUDY), "--out", str(out)]) == 0
    return out


def test_committed_sotu_figures_equal_what_the_study_generates(regenerated):
    assert digest(COMMITTED) == digest(regenerated), (
        "regenerate with `corpuskit figures --study notebooks/data/state_of_the_union/study.yml`")


def test_no_packaged_lexicon_reaches_the_sotu_study(regenerated):
    summary = json.loads((regenerated / "summary.json").read_text(encoding="utf-8"))
    own = ck.load_dictionary(STUDY.parent / "frames.yml")
    assert summary["frames"]["dictionary"]["name"] == own.name == "sotu_frames"
    assert "stance" not in summary and "shift" not in summary  # no target or cue lexicon of its own: no stance
    packaged = [ck.load_dictionary("rearmament"), ck.load_target("rearmament"), ck.load_cues("rearmament")]
    names = {d.name for d in packaged} | {"rearmament"}
    names |= {k.split(".")[0] for d in packaged for k in d.keys() if "_" in k.split(".")[0]}
    text = json.dumps(summary) + " ".join(p.name for p in regenerated.iterdir())
    assert not [n for n in sorted(names) if n in text]
    assert set(summary["provenance"]["lexicons"]) == {"frames"}


def test_sotu_study_compares_three_eras_by_decade(regenerated):
    summary = json.loads((regenerated / "summary.json").read_text(encoding="utf-8"))
    assert [(c["a"], c["b"]) for c in summary["comparisons"].values()] == [("1790–1860", "1861–1932"),
                                                                           ("1861–1932", "1933–2021")]
    shares = summary["frames"]["share_by_decade"]
    assert "1790–1799:war_security" in shares and "2020–2029:economy" in shares
