"""The README's two commands, and CI running the test command verbatim."""
import re

from conftest import ROOT


def readme_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert block and text.index("```bash") < 40, "the README must open with the commands"
    return [l for l in block.group(1).splitlines() if l.strip()]


def test_readme_opens_with_exactly_two_commands():
    cmds = readme_commands()
    assert len(cmds) == 2
    main_job, tests = cmds
    assert main_job.startswith("python3 -m venv .venv") and "-c constraints.txt" in main_job
    assert main_job.endswith("corpuskit figures")
    assert tests.startswith("python3 -m venv .venv") and "-c constraints.txt" in tests and "pytest" in tests


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci.splitlines()


def test_constraints_is_a_full_freeze():
    pins = [l for l in (ROOT / "constraints.txt").read_text().splitlines() if l and not l.startswith("#")]
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.+!-]+", p) for p in pins), pins
    names = {p.split("==")[0].lower() for p in pins}
    assert {"numpy", "pandas", "scikit-learn", "matplotlib", "nltk", "scipy", "pillow", "pytest"} <= names


def test_tests_read_nothing_outside_the_repository():
    # a user's clone has nothing beside it: data the tests need lives under the repository
    pattern = re.compile(r"\.\./shared|parents?\b[^\n]*/ *[\"']shared[\"']")
    offenders = [f"{p.name}:{i}" for p in sorted((ROOT / "tests").glob("*.py"))
                 for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert offenders == []


def test_python_dash_m_corpuskit_runs_the_command_line():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "corpuskit", "info", "--help"], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "usage: corpuskit info" in out.stdout
