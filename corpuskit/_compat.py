"""Private scikit-learn and NLTK names corpuskit relies on, and the versions they were verified with.

Three speed-only fast paths use names a release may move without notice: the threaded NMF
(``corpuskit._nmf``), the Punkt sentence splitter (``corpuskit.tokenizer``) and the negation scope
(``corpuskit.stance``). Each checks here, once per session, that every name it needs exists with
the signature it was written against and that the installed release is inside the verified range.
If not, it takes the public path (same results, slower) and warns once with ``PrivateAPIWarning``.
``tests/test_private_api.py`` fails in CI when a pinned release moves one of them.

>>> import corpuskit._compat as compat
>>> compat.status().columns.tolist()
['name', 'package', 'used_by', 'available', 'verified_version', 'installed_version', 'in_range',
 'fast_path', 'problem']
"""
from __future__ import annotations

import importlib
import inspect
import re
import warnings
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import pandas as pd

__all__ = ["PrivateAPIWarning", "PRIVATE", "VERIFIED", "private", "fast_path", "problem", "status", "reset"]


class PrivateAPIWarning(UserWarning):
    """A fast path is off: a private scikit-learn/NLTK name moved or the release is unverified."""


# [low, below): the pinned release in constraints.txt up to the next minor release
VERIFIED = {"scikit-learn": ("1.9.1", "1.10"), "nltk": ("3.10.4", "3.11")}

# what each fast path falls back to (its results are the same)
FALLBACK = {
    "threaded_nmf": "scikit-learn's NMF on one thread instead (same factors, slower)",
    "punkt": "NLTK's PunktSentenceTokenizer.span_tokenize instead (same sentences, slower)",
    "negation": "nltk.sentiment.util.mark_negation instead (same negation scopes, slower)",
    "topic_errors": "ValueError instead when translating estimator parameter errors",
}


@dataclass(frozen=True)
class Private:
    """One private name: ``module`` + attribute path (``Cls().attr`` reads an instance's attribute)."""

    module: str
    attr: str
    package: str
    used_by: str
    signature: str | None = None  # parameters as written, without annotations; None: only presence

    @property
    def name(self) -> str:
        return f"{self.module}.{self.attr.replace('()', '')}"


_NMF, _PUNKT, _NEG = "sklearn.decomposition", "nltk.tokenize.punkt", "nltk.sentiment.util"
_TOK = "PunktSentenceTokenizer"
PRIVATE: tuple[Private, ...] = (
    # ThreadedNMF: calls the Cython row update and NMF's own steps, overrides _fit_transform
    Private("sklearn.decomposition._cdnmf_fast", "_update_cdnmf_fast", "scikit-learn", "threaded_nmf",
            "(W, HHt, XHt, permutation)"),
    Private(_NMF, "NMF._fit_transform", "scikit-learn", "threaded_nmf",
            "(self, X, y=None, W=None, H=None, update_H=True)"),
    Private(_NMF, "NMF._check_params", "scikit-learn", "threaded_nmf", "(self, X)"),
    Private(_NMF, "NMF._check_w_h", "scikit-learn", "threaded_nmf", "(self, X, W, H, update_H)"),
    Private(_NMF, "NMF._compute_regularization", "scikit-learn", "threaded_nmf", "(self, X)"),
    Private(_NMF, "NMF._parameter_constraints", "scikit-learn", "threaded_nmf"),
    # tokens._punkt overrides these pattern pieces; _line_spans and _sentbreak copy the steps below
    *(Private(_PUNKT, f"PunktLanguageVars.{a}", "nltk", "punkt") for a in (
        "_word_tokenize_fmt", "_re_non_word_chars", "_re_multi_char_punct", "_re_word_start",
        "_period_context_fmt", "_re_sent_end_chars", "re_boundary_realignment")),
    Private(_PUNKT, "PunktLanguageVars._word_tokenizer_re", "nltk", "punkt", "(self)"),
    Private(_PUNKT, "PunktLanguageVars.period_context_re", "nltk", "punkt", "(self)"),
    *(Private(_PUNKT, f"PunktToken.{a}", "nltk", "punkt") for a in (
        "_RE_ELLIPSIS", "_RE_NUMERIC", "_RE_INITIAL", "_RE_ALPHA", "is_non_punct")),
    Private(_PUNKT, f"{_TOK}()._lang_vars", "nltk", "punkt"),
    Private(_PUNKT, f"{_TOK}._match_potential_end_contexts", "nltk", "punkt", "(self, text)"),
    Private(_PUNKT, f"{_TOK}._slices_from_text", "nltk", "punkt", "(self, text)"),
    Private(_PUNKT, f"{_TOK}._realign_boundaries", "nltk", "punkt", "(self, text, slices)"),
    Private(_PUNKT, f"{_TOK}.text_contains_sentbreak", "nltk", "punkt", "(self, text)"),
    Private(_PUNKT, f"{_TOK}._annotate_tokens", "nltk", "punkt", "(self, tokens)"),
    Private(_PUNKT, f"{_TOK}._tokenize_words", "nltk", "punkt", "(self, plaintext)"),
    Private(_PUNKT, f"{_TOK}.span_tokenize", "nltk", "punkt", "(self, text, realign_boundaries=True)"),
    # stance._mark_negation: mark_negation(shallow=True) on NLTK's pattern strings
    Private(_NEG, "NEGATION", "nltk", "negation"),
    Private(_NEG, "CLAUSE_PUNCT", "nltk", "negation"),
    Private(_NEG, "mark_negation", "nltk", "negation", "(document, double_neg_flip=False, shallow=False)"),
    # topics.py: scikit-learn's parameter error (guarded there by its own ImportError fallback)
    Private("sklearn.utils._param_validation", "InvalidParameterError", "scikit-learn", "topic_errors"),
)
_BY_NAME = {p.name: p for p in PRIVATE}

_resolved: dict[str, tuple[Any, str | None]] = {}  # name -> (object, problem or None)
_paths: dict[str, str | None] = {}  # fast path -> problem or None (asked per text: cached)
_warned: set[str] = set()


def reset() -> None:
    """Forget what was checked and warned (after an upgrade in a live session, or in tests)."""
    _resolved.clear()
    _paths.clear()
    _warned.clear()


def _release(version: str) -> tuple[int, ...]:
    m = re.match(r"\d+(?:\.\d+)*", version)
    return tuple(int(x) for x in m.group().split(".")) if m else ()


def _in_range(version: str | None, low: str, below: str) -> bool:
    return version is not None and _release(low) <= _release(version) < _release(below)


def _installed_version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _range(package: str) -> str:
    low, below = VERIFIED[package]
    return f">={low},<{below}"


def _signature(obj: Any) -> str | None:
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    params = [p.replace(annotation=inspect.Parameter.empty) for p in sig.parameters.values()]
    return str(sig.replace(parameters=params, return_annotation=inspect.Signature.empty))


def _lookup(p: Private) -> tuple[Any, str | None]:
    """The object and, if it is unusable, why (missing, not callable as written)."""
    version = _installed_version(p.package)
    where = f"{p.package} {version}"
    try:
        obj = importlib.import_module(p.module)
        for part in p.attr.split("."):
            call = part.endswith("()")
            obj = getattr(obj, part.removesuffix("()"))
            if call:
                obj = obj()
    except (ImportError, AttributeError) as exc:
        return None, f"{p.name} is missing in {where} ({type(exc).__name__}: {exc})"
    if p.signature is not None:
        found = _signature(obj)
        if found != p.signature:
            return None, f"{p.name} has signature {found} in {where}, verified as {p.signature}"
    return obj, None


def _check(name: str) -> tuple[Any, str | None]:
    if name not in _BY_NAME:
        raise KeyError(f"{name}: not a registered private name (see corpuskit._compat.PRIVATE)")
    if name not in _resolved:
        _resolved[name] = _lookup(_BY_NAME[name])
    return _resolved[name]


def problem(name: str) -> str | None:
    """Why the private ``name`` cannot be used here (missing, other signature), or None."""
    return _check(name)[1]


def _path_problem(used_by: str) -> str | None:
    for p in PRIVATE:
        if p.used_by != used_by:
            continue
        version = _installed_version(p.package)
        if not _in_range(version, *VERIFIED[p.package]):
            return (f"{p.package} {version} is outside the range the private name {p.name} was verified "
                    f"for ({_range(p.package)})")
        why = problem(p.name)
        if why:
            return why
    return None


def fast_path(used_by: str) -> bool:
    """True if every private name of the fast path ``used_by`` checks out; else warns once, False.

    >>> fast_path("punkt")
    True
    """
    if used_by not in FALLBACK:
        raise KeyError(f"{used_by}: not a fast path (one of {', '.join(FALLBACK)})")
    if used_by not in _paths:
        _paths[used_by] = _path_problem(used_by)
    why = _paths[used_by]
    if why is None:
        return True
    if used_by not in _warned:
        _warned.add(used_by)
        warnings.warn(f"corpuskit: {why}; using {FALLBACK[used_by]}", PrivateAPIWarning, stacklevel=3)
    return False


def private(name: str) -> Any:
    """The private object ``name`` (e.g. ``"sklearn.decomposition._cdnmf_fast._update_cdnmf_fast"``).

    Raises LookupError if it is missing; callers ask ``fast_path`` first.
    """
    obj, why = _check(name)
    if why:
        raise LookupError(why)
    return obj


def status():
    """One row per private name: is it there, which release is installed, is its fast path on.

    Columns: name, package, used_by, available, verified_version, installed_version, in_range,
    fast_path, problem. Never warns.

    >>> status().groupby("used_by")["fast_path"].all()
    used_by
    negation        True
    punkt           True
    threaded_nmf    True
    topic_errors    True
    Name: fast_path, dtype: bool
    """
    rows = []
    on = {u: _path_problem(u) is None for u in FALLBACK}
    for p in PRIVATE:
        version = _installed_version(p.package)
        why = problem(p.name)
        rows.append({"name": p.name, "package": p.package, "used_by": p.used_by, "available": why is None,
                     "verified_version": _range(p.package), "installed_version": version,
                     "in_range": _in_range(version, *VERIFIED[p.package]), "fast_path": on[p.used_by],
                     "problem": why})
    return pd.DataFrame(rows)
