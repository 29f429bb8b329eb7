"""Sphinx extension of corpuskit's docs: public-name tables, alias resolution, and the completeness check.

* ``.. public-names:: corpuskit`` lists every name of a package's ``__all__`` with a link to where it is
  documented (the module that defines it) and the first line of its docstring.
* A reference to a re-exported name (``corpuskit.DFM``, ``load_target`` inside ``corpuskit.stance``) is
  resolved to the defining module's entry; a reference to a name outside corpuskit (pandas, numpy, the
  standard library) is not an error, since the build has no network for intersphinx; any other
  unresolved reference stays a warning, which ``-W`` turns into a failed build.
* After reading every page, every name in the ``__all__`` of every public module must be documented
  with a docstring; otherwise a warning (so a failed build) names it and the page that should hold it.
"""
from __future__ import annotations

import builtins
import functools
import importlib
import inspect
import pkgutil
import re
import types

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx import addnodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

PACKAGE = "corpuskit"
IDENTIFIER = re.compile(r"[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*")
# package-internal modules (ARCHITECTURE.md): imported by corpuskit modules, not by users
INTERNAL = {"corpuskit._compat", "corpuskit._nmf", "corpuskit.__main__"}
# packages whose __all__ re-exports names defined in their modules: listed by public-names, not documented twice
NAMESPACES = {"corpuskit", "corpuskit.stance"}


@functools.lru_cache(maxsize=None)
def public_modules() -> list[str]:
    """Every corpuskit module a user may import, package namespaces included."""
    pkg = importlib.import_module(PACKAGE)
    names = [PACKAGE] + [m.name for m in pkgutil.walk_packages(pkg.__path__, PACKAGE + ".")]
    return tuple(sorted(n for n in names if n not in INTERNAL and not any(p.startswith("_") for p in n.split(".")[1:])))


def resolve(dotted: str):
    """The object a dotted name reaches by importing its longest module prefix, or None."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        except Exception:  # an import with side effects (e.g. __main__) is not a name to resolve
            return None
        try:
            for p in parts[i:]:
                obj = getattr(obj, p)
        except AttributeError:
            return None
        return obj
    return getattr(builtins, dotted, None) if "." not in dotted else None


@functools.lru_cache(maxsize=None)
def _assigns(module: str, name: str) -> bool:
    """Whether the module's source assigns ``name`` at the top level (where a constant is defined)."""
    import re

    source = inspect.getsource(importlib.import_module(module))
    return re.search(rf"^{re.escape(name)}\s*[:=]", source, re.M) is not None


def defining_module(module: str, name: str) -> str:
    """The module where ``module.name`` is defined: its ``__module__``, or for data the public module that
    assigns it."""
    obj = getattr(importlib.import_module(module), name)
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    home = getattr(obj, "__module__", None)
    if (inspect.isclass(obj) or inspect.isfunction(obj)) and home and home.startswith(PACKAGE):
        return home
    owners = [m for m in public_modules() if getattr(importlib.import_module(m), name, None) is obj
              and _assigns(m, name)]
    return owners[0] if owners else module


def canonical(module: str, name: str) -> str:
    obj = getattr(importlib.import_module(module), name)
    home = defining_module(module, name)
    if isinstance(obj, types.ModuleType):
        return home
    if (inspect.isclass(obj) or inspect.isfunction(obj)) and getattr(obj, "__module__", None) == home:
        return f"{home}.{obj.__qualname__}"
    return f"{home}.{name}"


class PublicNames(Directive):
    """A bullet list of a package's ``__all__``: the name, a link to its documentation, its summary line."""

    required_arguments = 1

    def run(self):
        module = self.arguments[0]
        mod = importlib.import_module(module)
        items = nodes.bullet_list()
        for name in sorted(mod.__all__, key=str.lower):
            target = canonical(module, name)
            obj = getattr(mod, name)
            kind = "mod" if isinstance(obj, types.ModuleType) else "obj"
            ref = addnodes.pending_xref("", refdomain="py", reftype=kind, reftarget=target, refexplicit=True,
                                        refwarn=True)
            ref += nodes.literal(name, name)
            para = nodes.paragraph()
            para += ref
            doc = inspect.getdoc(obj) if (inspect.isclass(obj) or inspect.isfunction(obj)
                                          or isinstance(obj, types.ModuleType)) else None
            if doc:
                para += nodes.Text(" — ")
                inline, messages = self.state.inline_text(doc.strip().splitlines()[0], self.lineno)
                para += inline
                para += messages
            items += nodes.list_item("", para)
        return [items]


def _documented(env) -> set[str]:
    return set(env.get_domain("py").objects)


def _lookup(env, node) -> tuple[str | None, object]:
    """(the documented name a reference means, the object) or (None, the object or None)."""
    target = node.get("reftarget", "")
    module, cls = node.get("py:module"), node.get("py:class")
    candidates = [target]
    if module:
        # as Python reads a name in a module: the class, the module, then (for a package's modules) the
        # packages above it, whose namespaces re-export their modules' names
        parents = [".".join(module.split(".")[:i]) for i in range(module.count("."), 0, -1)]
        candidates = ([f"{module}.{cls}.{target}"] if cls else []) + [f"{module}.{target}"] \
            + [f"{p}.{target}" for p in parents] + [target]
    documented = _documented(env)
    for cand in candidates:
        obj = resolve(cand)
        if obj is None:
            continue
        if isinstance(obj, types.ModuleType):
            name = obj.__name__
        elif getattr(obj, "__module__", None) and getattr(obj, "__qualname__", None):
            name = f"{obj.__module__}.{obj.__qualname__}"
        else:  # data: look for the documented public name that holds the same object
            parent, _, attr = cand.rpartition(".")
            try:
                name = canonical(parent, attr) if parent.startswith(PACKAGE) else cand
            except (AttributeError, ImportError):
                name = cand
        if name in documented:
            return name, obj
        return None, obj
    return None, None


def missing_reference(app, env, node, contnode):
    if node.get("refdomain") != "py":
        return None
    name, _ = _lookup(env, node)
    if name is None or name == node.get("reftarget"):
        return None
    domain = env.get_domain("py")
    new = node.deepcopy()
    new["reftarget"] = name
    new["py:module"] = None
    new["py:class"] = None
    return domain.resolve_xref(env, node.get("refdoc", app.env.docname), app.builder, node["reftype"], name, new,
                               contnode)


def _home(obj) -> str:
    return obj.__name__ if isinstance(obj, types.ModuleType) else getattr(obj, "__module__", None) or ""


def warn_missing_reference(app, domain, node):
    """Silence references to names outside corpuskit (no intersphinx without network); keep the rest."""
    if domain is None or domain.name != "py":
        return None
    _, obj = _lookup(app.env, node)
    if obj is None:
        target = node.get("reftarget", "")
        if target in {"None", "True", "False", "..."} or target[:1] in "'\"" or target.isdigit():
            return True  # literals in signatures (Literal['x'], defaults)
        # a piece of a type expression Sphinx could not split ("dict[str", "tuple[int"): an error only if
        # it names a corpuskit object or a name nothing resolves
        names = re.findall(r"[A-Za-z_][\w.]*", target)
        if names and not IDENTIFIER.fullmatch(target):
            module = node.get("py:module") or PACKAGE
            found = [resolve(n) or resolve(f"{module}.{n}") for n in names]
            if all(o is not None and _home(o).split(".")[0] != PACKAGE for o in found):
                return True
        return None
    if _home(obj).split(".")[0] == PACKAGE:
        return None  # a corpuskit name that is not documented: a real warning
    return True


def check_public_names(app, env):
    """Every name in a public module's ``__all__`` is documented, with a docstring."""
    documented = _documented(env)
    problems = []
    for module in public_modules():
        mod = importlib.import_module(module)
        if module not in documented:
            problems.append(f"module {module} is not in the reference (add an automodule to its step's page)")
        for name in getattr(mod, "__all__", ()):
            target = canonical(module, name)
            if target not in documented:
                problems.append(f"{module}.{name} (documented as {target}) is not in the reference: give it a "
                                f"docstring (data: a '#:' comment) or document it on its step's page")
    for p in sorted(set(problems)):
        logger.warning("undocumented public name: %s", p, type="corpuskit", subtype="public-names")


def skip_foreign_members(app, what, name, obj, skip, options):
    """Members a corpuskit class inherits or gets from scikit-learn (``set_fit_request``...) are
    scikit-learn's to document; their docstrings cross-reference scikit-learn's own pages."""
    if what == "class":
        home = getattr(obj, "__module__", None) or ""
        if home and home.split(".")[0] != PACKAGE:
            return True
    return None


def drop_type_docstrings(app, what, name, obj, options, lines):
    """A constant without a doc comment gets its type's docstring (dict's, tuple's): not its documentation."""
    if what in ("data", "attribute") and lines and not inspect.isclass(obj):
        if "\n".join(lines).strip() == (inspect.getdoc(type(obj)) or "").strip():
            del lines[:]


FIELD_SECTIONS = {"Parameters", "Other Parameters", "Attributes"}
FIELD = re.compile(r"^(\*{0,2}[A-Za-z_][\w, *]*?)\s+:\s+(.*)$")


def _is_prose(text: str) -> bool:
    # a numpy type is a short expression ("int", "str | None", "tuple[int, int]"); corpuskit often writes a
    # sentence after the colon instead ("smooth : a constant added to every reference count ...")
    return len(re.sub(r"[|,\[\]]", " ", text).split()) >= 4 or text.rstrip().endswith(".")


def loose_numpy_sections(app, what, name, obj, options, lines):
    """Make corpuskit's loosely numpy-style sections read as written before napoleon parses them.

    corpuskit's docstrings use numpy section headers with prose inside: ``name : description`` on one
    line, an Attributes section that is a sentence, a paragraph after the fields. Napoleon would read the
    description as a type and each later line with a colon as another field. Here a one-line prose field
    becomes ``name`` + an indented description, an Attributes sentence becomes a generic "Fitted
    attributes" section, and a paragraph after a blank line that is not a field goes under a "Notes"
    header. (Returns sections, all prose in corpuskit, are generic sections by conf.py.)
    """
    if not name.startswith(PACKAGE):
        return
    out, i, section = [], 0, None
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        header = line.strip() if re.fullmatch(r"\s*-{3,}\s*", nxt) and line.strip() else None
        if header:
            body = next((l for l in lines[i + 2:] if l.strip()), "")
            if header == "Attributes" and not FIELD.match(body.strip()):
                # a sentence listing the attributes: a generic section (conf.py), rendered as written
                out += [line.replace("Attributes", "Fitted attributes"), nxt.strip() and "-" * 17]
                section = None
            else:
                out += [line, nxt]
                section = header if header in FIELD_SECTIONS else None
            i += 2
            continue
        if section and line.strip() and not line[:1].isspace():
            field = FIELD.match(line)
            after_blank = bool(out) and not out[-1].strip()
            if field and _is_prose(field.group(2)):
                out += [field.group(1), "    " + field.group(2)]
                i += 1
                continue
            if not field and after_blank:
                out += ["Notes", "-----"]
                section = None
        out.append(line)
        i += 1
    lines[:] = [_literal_attributes(l) for l in out]


# a fitted attribute named in prose ("wordscores_") is a hyperlink reference to rST; corpuskit means the name
TRAILING_UNDERSCORE = re.compile(r"(?<![\w`*|])([A-Za-z]\w*_)(?![\w`])")


def _literal_attributes(line: str) -> str:
    if line.lstrip().startswith((">>>", "...")):
        return line
    parts = re.split(r"(``.*?``|`[^`]*`)", line)  # leave literals and roles as they are
    return "".join(p if i % 2 else TRAILING_UNDERSCORE.sub(r"``\1``", p) for i, p in enumerate(parts))


def _attribute_docstring_as_prose(self):
    # napoleon reads a property's or constant's first line "x: y" as "type: description"; corpuskit's
    # attribute docstrings are prose ("One row per document without text: id, date, ..."), kept as written
    return list(self._consume_to_end())


def setup(app):
    from sphinx.ext.napoleon.docstring import NumpyDocstring

    NumpyDocstring._parse_attribute_docstring = _attribute_docstring_as_prose
    app.connect("autodoc-skip-member", skip_foreign_members)
    app.connect("autodoc-process-docstring", drop_type_docstrings, priority=400)
    app.connect("autodoc-process-docstring", loose_numpy_sections, priority=450)
    app.add_directive("public-names", PublicNames)
    app.connect("missing-reference", missing_reference)
    app.connect("warn-missing-reference", warn_missing_reference)
    app.connect("env-check-consistency", check_public_names)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
