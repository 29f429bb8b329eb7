"""The module structure ARCHITECTURE.md describes is the one the code has.

Every corpuskit module is parsed with ``ast`` (nothing imported for the graph), and the
layer table is parsed from ARCHITECTURE.md, so the document and this test cannot drift.
"""
from __future__ import annotations

import ast
import importlib
import pathlib
import re
import types

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PKG = ROOT / "corpuskit"


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def _short(name: str) -> str:
    """A module as ARCHITECTURE.md names it: "matrix", "stance.gold", "corpuskit" for the package."""
    return name if name == "corpuskit" else name.removeprefix("corpuskit.")


class Import:
    def __init__(self, module: str, target: str, names: list[str], local: bool, line: int):
        self.module, self.target, self.names, self.local, self.line = module, target, names, local, line

    def __repr__(self) -> str:
        return f"{self.module}:{self.line} imports {self.target} {self.names}{' (in a function)' if self.local else ''}"


def _imports(name: str, path: pathlib.Path) -> list[Import]:
    """Every import of a corpuskit module in ``path``; ``from .x import y`` where y is a module counts as y."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    local_nodes = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                   for n in ast.walk(f) if isinstance(n, (ast.Import, ast.ImportFrom))}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target != "corpuskit" and not target.startswith("corpuskit."):
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in MODULES:
                    out.append(Import(name, sub, [], id(node) in local_nodes, node.lineno))
                else:
                    out.append(Import(name, target, [alias.name], id(node) in local_nodes, node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "corpuskit" or alias.name.startswith("corpuskit."):
                    out.append(Import(name, alias.name, [], id(node) in local_nodes, node.lineno))
    return out


IMPORTS = [imp for name, path in MODULES.items() for imp in _imports(name, path)]


def _layers() -> dict[str, int]:
    """The layer table of ARCHITECTURE.md: rows "| N | `mod`, `mod` | ... |"."""
    layers: dict[str, int] = {}
    for line in (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*(\d+)\s*\|([^|]*)\|", line)
        if m:
            for mod in re.findall(r"`([^`]+)`", m.group(2)):
                assert mod not in layers, f"{mod} is listed in two layers of ARCHITECTURE.md"
                layers[mod] = int(m.group(1))
    return layers


LAYERS = _layers()


def test_the_parser_sees_the_imports_it_must_check():
    # a guard on the guards: if the parser missed imports, every test below would pass vacuously
    assert len(MODULES) > 25 and len(LAYERS) > 25
    edges = {(_short(i.module), _short(i.target)) for i in IMPORTS}
    assert ("stream", "matrix") in edges and ("matrix", "chunks") in edges and ("stance.score", "stance.crossfit") in edges
    assert ("corpuskit", "plots") in edges  # "from . import plots" is an import of the module


def test_every_module_is_in_architecture_md_and_nothing_else_is():
    assert set(LAYERS) == {_short(m) for m in MODULES}


def test_no_import_cycle():
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for i in IMPORTS:
        if i.target in MODULES and i.target != i.module:
            graph[i.module].add(i.target)
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for d in sorted(graph[m]):
            if state.get(d) == 1:
                pytest.fail("import cycle: " + " -> ".join(path[path.index(d):] + [m, d]) if d in path
                            else f"import cycle through {m} -> {d}")
            if d not in state:
                visit(d, path + [m])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [])


def test_every_import_goes_to_a_lower_layer():
    wrong = [f"{i!r}: layer {LAYERS[_short(i.module)]} -> layer {LAYERS[_short(i.target)]}"
             for i in IMPORTS if i.target in MODULES and i.target != i.module
             and LAYERS[_short(i.target)] >= LAYERS[_short(i.module)]]
    assert not wrong, "imports that do not go down a layer (see ARCHITECTURE.md):\n" + "\n".join(wrong)


def test_no_function_local_import_of_a_corpuskit_module():
    local = [repr(i) for i in IMPORTS if i.local]
    assert not local, "\n".join(local)


def test_no_private_name_is_imported_across_modules():
    private = [repr(i) for i in IMPORTS if i.target != i.module
               for n in i.names if n.startswith("_") and not (n.startswith("__") and n.endswith("__"))]
    assert not private, "\n".join(private)


# __main__ is left out: importing it runs the command line
@pytest.mark.parametrize("name", sorted(set(MODULES) - {"corpuskit.__main__"}))
def test_import_as_gives_the_module_not_a_function(name):
    import corpuskit  # noqa: F401  (the package first: its functions are what used to shadow modules)
    exec(f"import {name} as m", ns := {})
    assert isinstance(ns["m"], types.ModuleType), f"import {name} as m gives {ns['m']!r}"
    assert ns["m"] is importlib.import_module(name)


def test_the_checks_fail_on_a_cycle_and_a_local_private_import(tmp_path):
    # the parser run on code that breaks the rules finds the breaks (the checks above could fail)
    bad = tmp_path / "bad.py"
    bad.write_text("from .matrix import dfm\n\ndef f():\n    from .chunks import _secret\n", encoding="utf-8")
    found = _imports("corpuskit.bad", bad)
    assert [(i.target, i.names, i.local) for i in found] == [("corpuskit.matrix", ["dfm"], False),
                                                             ("corpuskit.chunks", ["_secret"], True)]


def test_only_the_owner_writes_a_private_docvars():
    # StreamingCorpus.set_docvars is the one writer: no module assigns another object's _docvars
    writes = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = node.targets if isinstance(node, ast.Assign) else (
                [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else [])
            for t in targets:
                if isinstance(t, ast.Attribute) and t.attr == "_docvars":
                    writes.append((_short(name), isinstance(t.value, ast.Name) and t.value.id == "self"))
    assert writes and all(own for _, own in writes), writes
    assert {m for m, _ in writes} == {"corpus", "stream"}


def test_function_local_imports_are_only_the_optional_or_heavy_ones_listed():
    # ARCHITECTURE.md names them: dask and pyarrow (optional), NLTK (seconds to import)
    allowed = {"dask", "distributed", "pyarrow", "gensim", "nltk"}
    local = set()
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for f in ast.walk(tree):
            if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for n in ast.walk(f):
                    if isinstance(n, ast.Import):
                        local |= {(_short(name), a.name.split(".")[0]) for a in n.names}
                    elif isinstance(n, ast.ImportFrom) and not n.level:
                        local.add((_short(name), n.module.split(".")[0]))
    assert local and {pkg for _, pkg in local} <= allowed, sorted(local)
