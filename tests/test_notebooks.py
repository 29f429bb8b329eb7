"""Every notebook executes top to bottom in a fresh kernel of the installed package."""
import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert [p.name[:2] for p in NOTEBOOKS] == [f"{i:02d}" for i in range(1, len(NOTEBOOKS) + 1)]


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
