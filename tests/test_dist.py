"""The release: one version everywhere, an sdist and wheel that pass `twine check`, and a wheel that runs a
study in a fresh environment, outside the repository, with its packaged data."""
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest
import yaml

from conftest import ROOT

import corpuskit


def run(cmd, **kw):
    out = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=900, **kw)
    assert out.returncode == 0, f"{' '.join(map(str, cmd))}\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    return out


def test_one_version_in_the_package_the_changelog_and_the_citation():
    version = corpuskit.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, re.M)
    assert releases[0] == version and "0.1.0" in releases, releases
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert str(citation["version"]) == version
    assert "version = attr: corpuskit.version.__version__" in (ROOT / "setup.cfg").read_text(encoding="utf-8")


def test_the_citation_names_the_corpora_in_the_repository():
    refs = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))["references"]
    titles = " | ".join(r["title"] for r in refs)
    assert "UN General Debate Corpus" in titles and "State of the Union" in titles
    assert any(r.get("doi") == "10.7910/DVN/0TJX8Y" for r in refs)
    assert "Extracting policy positions from political texts" in titles  # the LBG example in tests/data


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    # sdist first, then the wheel built from the unpacked sdist (build's default): a file the sdist lacks
    # is missing from the wheel too
    run([sys.executable, "-m", "build", "--outdir", out, ROOT], cwd=out)
    return out


def test_sdist_and_wheel_pass_twine_check(dist):
    files = sorted(dist.iterdir())
    version = corpuskit.__version__
    assert [f.name for f in files] == [f"corpuskit-{version}-py3-none-any.whl", f"corpuskit-{version}.tar.gz"]
    out = run([sys.executable, "-m", "twine", "check", "--strict", *files])
    assert out.stdout.count("PASSED") == 2, out.stdout


def test_the_wheel_holds_the_packaged_data(dist):
    wheel = next(dist.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    data = {f"corpuskit/data/{p.name}" for p in (ROOT / "corpuskit" / "data").iterdir() if p.is_file()}
    assert data and data <= names, data - names
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "corpuskit").rglob("*.py")}
    assert modules <= names, modules - names
    meta = zipfile.ZipFile(wheel).read(f"corpuskit-{corpuskit.__version__}.dist-info/METADATA").decode()
    assert f"Version: {corpuskit.__version__}" in meta and "Requires-Dist: scikit-learn" in meta


def test_the_wheel_runs_a_study_outside_the_repository(dist, tmp_path):
    env = tmp_path / "env"
    run([sys.executable, "-m", "venv", env])
    py, cli = env / "bin" / "python", env / "bin" / "corpuskit"
    # nothing from the repository on the path (with it, pip would find the source tree's corpuskit and skip
    # the wheel); the wheel with its dependencies at the pinned versions
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    clean.update(MPLBACKEND="Agg", PYTHONHASHSEED="0")  # as .ci/run runs the committed study
    run([py, "-m", "pip", "install", "-q", "-c", ROOT / "constraints.txt", next(dist.glob("*.whl"))], cwd=tmp_path,
        env=clean)
    where = run([py, "-c", "import corpuskit; print(corpuskit.__file__)"], cwd=tmp_path, env=clean).stdout.strip()
    assert where.startswith(str(env)), where
    study = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", study)
    run([cli, "figures", "--study", study / "study.yml", "--out", tmp_path / "out"], cwd=tmp_path, env=clean)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["provenance"]["corpuskit"] == corpuskit.__version__
    # the packaged lexicons asked for by name (frames, target, cues) came from the wheel's data files
    lexicons = summary["provenance"]["lexicons"]
    assert {k: lexicons[k]["source"] for k in ("frames", "target", "cues")} == dict.fromkeys(
        ("frames", "target", "cues"), "packaged:rearmament")
    # the installed wheel, in the pinned environment, reproduces the committed seed study byte for byte
    committed = ROOT / "figures"
    written = sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_file())
    assert written == sorted(p.name for p in committed.iterdir() if p.is_file())
    different = [n for n in written if (tmp_path / "out" / n).read_bytes() != (committed / n).read_bytes()]
    assert different == []
