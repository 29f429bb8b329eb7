"""The documentation site builds with warnings as errors, documents every public name, renders the
notebooks with their committed outputs, and names only tests that exist on its methods pages."""
import importlib
import json
import re
import subprocess
import sys

import pytest

from conftest import ROOT

DOCS = ROOT / "docs"


def sphinx(src, out, *extra):
    return subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-n", "-W", "--keep-going", "-q",
                           str(src), str(out / "html"), "-d", str(out / "doctrees"), *extra],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("docs")
    run = sphinx(DOCS, out)
    assert run.returncode == 0 and "WARNING" not in run.stderr, run.stderr[-4000:]
    return out / "html"


def test_the_site_builds_without_a_warning(site):
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    steps = ["corpus", "tokens", "dictionaries", "stance", "shift", "topics", "scaling", "plots", "streaming",
             "studies"]
    assert {f"guide/{s}.html" for s in steps} <= pages
    assert {"tutorial.html", "api.html", "changelog.html", "methods/index.html"} <= pages


def test_every_name_of_the_namespace_links_to_its_documentation(site):
    import corpuskit

    api = (site / "api.html").read_text(encoding="utf-8")
    for module in ("corpuskit", "corpuskit.stance"):
        for name in importlib.import_module(module).__all__:
            # each name is a resolved link (an <a class="reference internal">) holding the name as code
            link = re.search(rf'<a class="reference internal" href="[^"]+"[^>]*><code[^>]*><span class="pre">'
                             rf'{re.escape(name)}</span></code></a>', api)
            assert link, f"{module}.{name} has no link in api.html"
    assert corpuskit.__all__


def test_notebooks_render_with_their_committed_outputs(site):
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        images = sum("image/png" in o.get("data", {}) for c in cells for o in c.get("outputs", []))
        html = (site / "notebooks" / f"{nb.stem}.html").read_text(encoding="utf-8")
        assert images > 0 and html.count("<img") == images, nb.name


def test_docs_never_execute_the_notebooks():
    conf = (DOCS / "conf.py").read_text(encoding="utf-8")
    assert re.search(r'^nb_execution_mode = "off"$', conf, re.M)


def test_methods_pages_name_tests_that_exist():
    named = 0
    for page in sorted((DOCS / "methods").glob("*.md")):
        for file, test in re.findall(r"tests/(test_\w+\.py)::(test_\w+)", page.read_text(encoding="utf-8")):
            source = (ROOT / "tests" / file).read_text(encoding="utf-8")
            assert re.search(rf"^def {test}\(", source, re.M), f"{page.name} names {file}::{test}, which is not there"
            named += 1
    assert named >= 40


def test_an_undocumented_name_and_a_broken_reference_fail_the_build(tmp_path):
    # a site that documents one module and cross-references a function that does not exist
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(DOCS / '_ext')!r})\n"
        "extensions = ['sphinx.ext.autodoc', 'sphinx.ext.napoleon', 'corpuskit_ref']\n"
        "nitpicky = True\nnapoleon_use_param = False\nnapoleon_use_rtype = False\n", encoding="utf-8")
    (src / "index.rst").write_text("Scaling\n=======\n\n.. automodule:: corpuskit.scaling\n   :members:\n\n"
                                   "See :func:`corpuskit.scaling.no_such_function` and :class:`corpuskit.DFM`.\n",
                                   encoding="utf-8")
    run = sphinx(src, tmp_path / "out")
    assert run.returncode != 0
    assert "corpuskit.scaling.no_such_function" in run.stderr
    # corpuskit.DFM is a corpuskit name this site does not document: a warning too
    assert "corpuskit.DFM" in run.stderr
    assert "undocumented public name: module corpuskit.plots is not in the reference" in run.stderr
    assert "corpuskit.Corpus (documented as corpuskit.corpus.Corpus) is not in the reference" in run.stderr
    # a documented module's names are not reported
    assert "corpuskit.scaling.Wordfish" not in run.stderr.replace("corpuskit.scaling.no_such_function", "")


def test_every_notebook_is_in_the_site():
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    linked = sorted(p.name for p in (ROOT / "docs" / "notebooks").glob("*.ipynb"))
    assert notebooks == linked, "link each notebook into docs/notebooks/ and list it in docs/index.md"
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    assert all(f"notebooks/{n[:-len('.ipynb')]}" in index for n in notebooks)
