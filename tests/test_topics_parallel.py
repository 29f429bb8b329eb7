"""TopicModel(n_jobs) / ThreadedNMF: the threaded coordinate-descent NMF gives scikit-learn's NMF factors."""
import functools
import warnings

import numpy as np
import pytest
from sklearn.decomposition import NMF

import corpuskit as ck
from corpuskit._nmf import ThreadedNMF, _row_blocks


@pytest.fixture(scope="module")
def x(sotu):
    return ck.dfm(sotu, stop_words="english").trim(min_docfreq=5, max_docfreq=0.5).tfidf().counts


@pytest.mark.parametrize("kw", [
    dict(init="nndsvda", random_state=0),  # nndsvd* start from a randomized SVD: seed it
    dict(init="nndsvdar", random_state=3, alpha_W=1e-5, l1_ratio=0.5),
    dict(init="random", random_state=1, shuffle=True, alpha_W=1e-5, alpha_H=2e-5),
])
@pytest.mark.parametrize("n_jobs", [2, 3])
def test_threaded_nmf_equals_sklearn_nmf(x, kw, n_jobs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter is small on purpose
        ref = NMF(n_components=8, max_iter=60, **kw)
        w_ref = ref.fit_transform(x)
        got = ThreadedNMF(n_components=8, max_iter=60, n_jobs=n_jobs, **kw)
        w = got.fit_transform(x)
    assert got.fast_path_ is True and got.n_threaded_updates_ > 0  # the threaded solver ran, not NMF's
    assert got.n_iter_ == ref.n_iter_
    np.testing.assert_allclose(got.components_, ref.components_, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(w, w_ref, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(got.transform(x[:5]), ref.transform(x[:5]), rtol=1e-10, atol=1e-12)


def test_threaded_nmf_converges_like_sklearn(x):
    # tol reached before max_iter: the convergence check stops at the same iteration
    ref = NMF(n_components=5, init="nndsvda", tol=1e-3, max_iter=500, random_state=0).fit(x)
    got = ThreadedNMF(n_components=5, init="nndsvda", tol=1e-3, max_iter=500, random_state=0, n_jobs=2).fit(x)
    assert ref.n_iter_ < 500 and got.n_iter_ == ref.n_iter_
    np.testing.assert_allclose(got.components_, ref.components_, rtol=1e-12, atol=1e-14)


def test_threaded_nmf_other_solver_is_sklearn(x):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = NMF(n_components=4, init="nndsvda", solver="mu", max_iter=30, random_state=0).fit(x)
        got = ThreadedNMF(n_components=4, init="nndsvda", solver="mu", max_iter=30, random_state=0, n_jobs=2).fit(x)
    np.testing.assert_array_equal(got.components_, ref.components_)


def test_row_blocks_cover_rows_once(x):
    for n in (1, 2, 3, 7):
        b = _row_blocks(x, n)
        assert b[0][0] == 0 and b[-1][1] == x.shape[0] and all(p[1] == q[0] for p, q in zip(b, b[1:]))
        assert len(b) <= n
    nnz = [x[a:c].nnz for a, c in _row_blocks(x, 2)]
    assert abs(nnz[0] - nnz[1]) < 0.1 * x.nnz  # balanced by non-zeros


def test_topicmodel_n_jobs_same_model(sotu, monkeypatch):
    import threading

    import sklearn.decomposition._cdnmf_fast as cd
    from corpuskit import _compat
    calls, orig = [], cd._update_cdnmf_fast

    @functools.wraps(orig)
    def counted(*a):  # the private coordinate update, called from the worker threads
        calls.append(threading.get_ident())
        return orig(*a)

    kw = dict(n_topics=6, unit="document", min_df=3, max_df=0.7, init="nndsvda", random_state=0, max_iter=300)
    a = ck.TopicModel(**kw).fit(sotu)
    assert calls == []
    monkeypatch.setattr(cd, "_update_cdnmf_fast", counted)
    _compat.reset()  # look the private name up again: the counting wrapper
    try:
        b = ck.TopicModel(**kw, n_jobs=2).fit(sotu)
    finally:
        monkeypatch.undo()
        _compat.reset()
    assert type(b.estimator_).__name__ == "ThreadedNMF" and type(a.estimator_) is NMF
    est = b.estimator_
    assert est.fast_path_ is True and len(calls) == est.n_threaded_updates_ >= 2 * est.n_iter_
    assert threading.get_ident() not in calls  # on the pool's threads
    np.testing.assert_allclose(b.components_, a.components_, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(b.unit_topics_, a.unit_topics_, rtol=1e-12, atol=1e-14)
    assert a.labels_ == b.labels_


@pytest.mark.parametrize("bad", [0, 1.5, "2", True])
def test_topicmodel_n_jobs_checked(seeds, bad):
    with pytest.raises(ck.ParameterError, match=rf"n_jobs={bad!r}: use None, a positive number"):
        ck.TopicModel(n_topics=2, n_jobs=bad).fit(seeds)


def test_row_blocks_share_the_matrix_memory(x):
    # the threads' row blocks are views of X and of X.T: no copy of the tf-idf values per side
    from corpuskit._nmf import _Side
    side = _Side(x, 3)
    assert len(side.parts) == 3
    dense = np.random.default_rng(0).random((x.shape[1], 4))
    for (a, b), part in zip(side.blocks, side.parts):
        np.testing.assert_array_equal(part @ dense, x[a:b] @ dense)  # the products the threads run
        assert np.shares_memory(part.data, x.data) and np.shares_memory(part.indices, x.indices)
        assert (part != x[a:b]).nnz == 0 and part.shape == (b - a, x.shape[1])
