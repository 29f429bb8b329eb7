"""Every notebook is its jupytext source's cells and executes top to bottom in a fresh kernel.

Each ``notebooks/NN_name.ipynb`` (committed with outputs, so it renders on a code host) is paired with
``notebooks/NN_name.py`` in jupytext's percent format, the file that is edited and reviewed.
"""
import pathlib

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SOURCES = sorted((ROOT / "notebooks").glob("*.py"))


def cells(path: pathlib.Path) -> list[tuple[str, str]]:
    """(cell type, source) of each cell of a notebook or of its jupytext text file."""
    return [(c.cell_type, c.source) for c in jupytext.read(path).cells]


def first_difference(a: str, b: str) -> tuple[str, str]:
    """The first line where two cell sources differ (an empty string past the end of one)."""
    la, lb = a.splitlines(), b.splitlines()
    n = max(len(la), len(lb))
    la, lb = la + [""] * (n - len(la)), lb + [""] * (n - len(lb))
    return next(((x, y) for x, y in zip(la, lb) if x != y), (a, b))


def cell_differences(notebook: pathlib.Path, source: pathlib.Path) -> list[str]:
    """One line per cell where ``notebook`` and its paired ``source`` differ; [] when they hold the same cells.

    Example: ``cell_differences(Path("notebooks/01_corpus.ipynb"), Path("notebooks/01_corpus.py"))``.
    """
    a, b = cells(notebook), cells(source)
    out = []
    for i, ((type_a, src_a), (type_b, src_b)) in enumerate(zip(a, b)):
        if type_a != type_b:
            out.append(f"cell {i}: a {type_a} cell in {notebook.name}, a {type_b} cell in {source.name}")
        elif src_a != src_b:
            x, y = first_difference(src_a, src_b)
            out.append(f"cell {i} ({type_a}): {notebook.name} has {x!r}, {source.name} has {y!r}")
    if len(a) != len(b):
        out.append(f"{notebook.name} has {len(a)} cells, {source.name} has {len(b)}")
    return out


def test_there_are_notebooks():
    assert [p.name[:2] for p in NOTEBOOKS] == [f"{i:02d}" for i in range(1, len(NOTEBOOKS) + 1)]


def test_every_notebook_has_a_jupytext_source_and_every_source_a_notebook():
    assert NOTEBOOKS and [p.stem for p in NOTEBOOKS] == [p.stem for p in SOURCES]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_cells_are_its_jupytext_source(path: pathlib.Path):
    source = path.with_suffix(".py")
    assert cell_differences(path, source) == [], \
        f"{path.name} differs from {source.name}: edit the .py, then `jupytext --sync {source.relative_to(ROOT)}`"
    # the pairing is recorded in both files, so `jupytext --sync` on either updates the other
    assert nbformat.read(path, as_version=4).metadata["jupytext"]["formats"] == "ipynb,py:percent"
    assert jupytext.read(source).metadata["jupytext"]["formats"] == "ipynb,py:percent"


def test_cell_differences_reports_edited_retyped_and_added_cells(tmp_path):
    notebook = ROOT / "notebooks" / "01_corpus.ipynb"
    text = notebook.with_suffix(".py").read_text(encoding="utf-8")
    edited = tmp_path / "01_corpus.py"
    edited.write_text(text.replace('ck.load_corpus("../seeds")', 'ck.load_corpus("seeds")'), encoding="utf-8")
    assert cell_differences(notebook, edited) == [
        "cell 1 (code): 01_corpus.ipynb has 'corpus = ck.load_corpus(\"../seeds\")', "
        "01_corpus.py has 'corpus = ck.load_corpus(\"seeds\")'"]
    edited.write_text(text.replace("# %%\ndf = corpus.to_frame()", "# %% [markdown]\n# df = corpus.to_frame()"),
                      encoding="utf-8")
    assert cell_differences(notebook, edited) == [
        "cell 3: a code cell in 01_corpus.ipynb, a markdown cell in 01_corpus.py"]
    edited.write_text(text + "\n# %% [markdown]\n# One more cell.\n", encoding="utf-8")
    n = len(cells(notebook))
    assert cell_differences(notebook, edited) == [f"01_corpus.ipynb has {n} cells, 01_corpus.py has {n + 1}"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_executes_without_errors(path: pathlib.Path):
    committed = nbformat.read(path, as_version=4)
    # committed with outputs, so it renders on a code host
    assert any(o.get("output_type") in ("execute_result", "display_data") for c in committed.cells
               if c.cell_type == "code" for o in c.outputs)
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    NotebookClient(nb, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    figures = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    expected = sum("image/png" in o.get("data", {}) for c in committed.cells if c.cell_type == "code"
                   for o in c.outputs)
    assert figures == expected
