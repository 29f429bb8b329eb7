"""Private scikit-learn / NLTK names behind ``corpuskit._compat``: present and verified in the pinned
environment (this FAILS, on purpose, when an upgrade moves one), and a missing name or an unverified
version falls back to the public path with one ``PrivateAPIWarning`` and the same results."""
import ast
import importlib
import pathlib
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.decomposition import NMF

import corpuskit as ck
from corpuskit import _compat
from corpuskit._compat import PrivateAPIWarning
from corpuskit._nmf import ThreadedNMF

from conftest import spy_on

stance = importlib.import_module("corpuskit.stance.lexicon")
import corpuskit.tokenizer as tokens  # noqa: E402
ROOT = pathlib.Path(__file__).resolve().parents[1]
CDNMF = "sklearn.decomposition._cdnmf_fast._update_cdnmf_fast"


@pytest.fixture(autouse=True)
def fresh_compat():
    # every test starts (and leaves) with nothing checked and nothing warned about
    _compat.reset()
    yield
    _compat.reset()


@pytest.fixture(scope="module")
def x(sotu):
    return ck.dfm(sotu.subset(sotu.ids[:60]), stop_words="english").trim(min_docfreq=3, max_docfreq=0.5).tfidf().counts


# ---------------------------------------------------------------------------- the pinned environment
def test_every_private_name_present_with_expected_signature():
    problems = {p.name: _compat.problem(p.name) for p in _compat.PRIVATE}
    assert {k: v for k, v in problems.items() if v} == {}, "re-verify these against the new release"
    assert len(problems) >= 20 and CDNMF in problems


def test_installed_versions_inside_verified_ranges():
    st = _compat.status()
    outside = st.loc[~st["in_range"], ["name", "installed_version", "verified_version"]]
    assert outside.empty, outside.to_string()
    assert st["available"].all() and st["fast_path"].all()


def test_pinned_versions_are_the_verified_ones():
    # constraints.txt pins the release every fast path was compared with; a bump must re-verify
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", (ROOT / "constraints.txt").read_text(), re.M))
    for pkg, (low, below) in _compat.VERIFIED.items():
        assert _compat._in_range(pins[pkg], low, below), f"{pkg}=={pins[pkg]} outside >={low},<{below}"
        assert _compat._in_range(_compat._installed_version(pkg), low, below)


def test_private_imports_only_through_compat():
    # a private scikit-learn/NLTK module or name imported anywhere in corpuskit must be registered
    registered = {p.name for p in _compat.PRIVATE}
    found = set()
    for path in (ROOT / "corpuskit").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ("sklearn", "nltk"):
                for a in node.names:
                    if any(part.startswith("_") for part in [*node.module.split("."), a.name]):
                        found.add((path.name, f"{node.module}.{a.name}"))
    assert {(f, n) for f, n in found if n not in registered} == set()
    assert ("topics.py", "sklearn.utils._param_validation.InvalidParameterError") in found  # the scan sees them


def test_status_columns_and_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        st = _compat.status()
    assert list(st.columns) == ["name", "package", "used_by", "available", "verified_version",
                                "installed_version", "in_range", "fast_path", "problem"]
    row = st.set_index("name").loc[CDNMF]
    assert row["package"] == "scikit-learn" and row["used_by"] == "threaded_nmf"
    assert row["verified_version"] == ">=1.9.1,<1.10" and row["installed_version"] == "1.9.1"
    assert set(st["used_by"]) >= {"threaded_nmf", "punkt", "negation"}


def test_private_unknown_name_is_a_clear_error():
    with pytest.raises(KeyError, match="sklearn.nope: not a registered private name"):
        _compat.private("sklearn.nope")


# ---------------------------------------------------------------------------- simulated moves: NMF
def _fit_both(x, **kw):
    kw = dict(n_components=5, init="nndsvda", random_state=0, max_iter=40, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)  # ConvergenceWarning: max_iter is small
        warnings.simplefilter("always", category=PrivateAPIWarning)
        ref = NMF(**kw).fit(x)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("ignore", category=UserWarning)
        warnings.simplefilter("always", category=PrivateAPIWarning)
        got = ThreadedNMF(n_jobs=2, **kw).fit(x)
    return ref, got, [str(w.message) for w in rec if issubclass(w.category, PrivateAPIWarning)]


def _assert_same_factors(ref, got):
    assert got.n_iter_ == ref.n_iter_
    np.testing.assert_allclose(got.components_, ref.components_, rtol=1e-12, atol=1e-14)


def test_nmf_fast_path_runs_when_verified(x):
    ref, got, warned = _fit_both(x)
    assert warned == [] and got.fast_path_ is True and got.n_threaded_updates_ > 0
    _assert_same_factors(ref, got)


def test_missing_cdnmf_update_falls_back_with_one_warning(x, monkeypatch):
    import sklearn.decomposition._cdnmf_fast as cd
    monkeypatch.delattr(cd, "_update_cdnmf_fast")
    ref, got, warned = _fit_both(x)
    assert len(warned) == 1 and CDNMF in warned[0] and "scikit-learn 1.9.1" in warned[0]
    assert "NMF on one thread" in warned[0]
    assert got.fast_path_ is False and got.n_threaded_updates_ == 0
    _assert_same_factors(ref, got)
    _, again, warned = _fit_both(x)  # once per session, not per fit
    assert warned == [] and again.fast_path_ is False
    assert not _compat.status().set_index("name").loc[CDNMF, "available"]


def test_changed_fit_transform_signature_falls_back(x, monkeypatch):
    orig = NMF._fit_transform

    def moved(self, X, y=None, W=None, H=None, update_H=True, sample_weight=None):
        return orig(self, X, y=y, W=W, H=H, update_H=update_H)

    monkeypatch.setattr(NMF, "_fit_transform", moved)
    ref, got, warned = _fit_both(x)
    assert len(warned) == 1 and "sklearn.decomposition.NMF._fit_transform" in warned[0]
    assert "sample_weight=None" in warned[0]  # the signature found is named
    assert got.fast_path_ is False and got.n_threaded_updates_ == 0
    _assert_same_factors(ref, got)


def test_unverified_sklearn_version_falls_back(x, monkeypatch):
    real = _compat._installed_version
    monkeypatch.setattr(_compat, "_installed_version", lambda pkg: "1.10.0" if pkg == "scikit-learn" else real(pkg))
    ref, got, warned = _fit_both(x)
    assert len(warned) == 1 and "scikit-learn 1.10.0" in warned[0] and ">=1.9.1,<1.10" in warned[0]
    assert got.fast_path_ is False
    _assert_same_factors(ref, got)
    st = _compat.status()
    assert not st.loc[st["package"] == "scikit-learn", "fast_path"].any()
    assert st.loc[st["package"] == "nltk", "fast_path"].all()


def test_topicmodel_falls_back_without_private_update(sotu, monkeypatch):
    import sklearn.decomposition._cdnmf_fast as cd
    kw = dict(n_topics=4, unit="document", min_df=3, max_df=0.7, init="nndsvda", random_state=0, max_iter=100)
    small = sotu.subset(sotu.ids[:40])
    a = ck.TopicModel(**kw).fit(small)
    monkeypatch.delattr(cd, "_update_cdnmf_fast")
    with pytest.warns(PrivateAPIWarning, match=re.escape(CDNMF)):
        b = ck.TopicModel(**kw, n_jobs=2).fit(small)
    assert b.estimator_.fast_path_ is False
    np.testing.assert_allclose(b.components_, a.components_, rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------------------- simulated moves: NLTK
_spy = spy_on


def test_missing_punkt_private_falls_back_to_span_tokenize(seeds, monkeypatch):
    from nltk.tokenize.punkt import PunktSentenceTokenizer
    texts = list(seeds.iter_texts())
    tokens._SPAN_CACHE.clear()
    ref = [tokens.sentence_spans(t) for t in texts]
    orig = PunktSentenceTokenizer._realign_boundaries

    def changed(self, text, slices, strict=False):  # NLTK changed a step our fast path copies
        return orig(self, text, slices)

    monkeypatch.setattr(PunktSentenceTokenizer, "_realign_boundaries", changed)
    _compat.reset()
    fast = _spy(monkeypatch, tokens, "_line_spans")
    tokens._SPAN_CACHE.clear()
    with pytest.warns(PrivateAPIWarning, match=r"nltk\.tokenize\.punkt\.PunktSentenceTokenizer\._realign_boundaries"
                                               r" has signature \(self, text, slices, strict=False\) in nltk "
                                               r"3\.10\.4.*span_tokenize") as rec:
        got = [tokens.sentence_spans(t) for t in texts]
    tokens._SPAN_CACHE.clear()
    assert len([w for w in rec if w.category is PrivateAPIWarning]) == 1
    assert got == ref and fast == [] and not _compat.fast_path("punkt")


def test_missing_negation_pattern_falls_back_to_mark_negation(seeds, monkeypatch):
    import nltk.sentiment.util as util
    ref = ck.score_stance(seeds, unit="sentence", target="rearmament", cues="rearmament")
    monkeypatch.delattr(util, "CLAUSE_PUNCT")
    _compat.reset()
    fast = _spy(monkeypatch, stance, "_mark_negation")
    public = _spy(monkeypatch, util, "mark_negation")
    with pytest.warns(PrivateAPIWarning, match=r"nltk\.sentiment\.util\.CLAUSE_PUNCT .*mark_negation"):
        got = ck.score_stance(seeds, unit="sentence", target="rearmament", cues="rearmament")
    pd.testing.assert_frame_equal(got, ref)
    assert fast == [] and len(public) > 0 and not _compat.fast_path("negation")
