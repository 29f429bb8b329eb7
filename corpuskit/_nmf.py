"""scikit-learn's NMF coordinate-descent solver with its heavy steps on several threads.

scikit-learn's ``NMF(solver="cd")`` (Cichocki & Phan 2009) spends about three
quarters of its time in two sparse-dense products per iteration (``X @ H.T`` and
``X.T @ W``, each on one core) and most of the rest in the coordinate updates of
W and H. Each of those splits by rows: a row of ``X @ H.T`` is one row of X times
H.T, and a row of W (or of H.T) is updated from its own row of ``X @ H.T`` and
the shared ``H @ H.T``. ``ThreadedNMF`` runs the row blocks on threads (scipy's
sparse products and scikit-learn's Cython update release the GIL), with
``X.T`` held once as CSR so its rows split the same way.

Every row is computed by the same operations in the same order as in
scikit-learn, so W and H are the same; only the convergence measure (a sum of
absolute projected gradients) is added up block by block, which can move its
last bits (``tests/test_topics_parallel.py`` compares with ``NMF``).

The private scikit-learn names used here are checked by ``corpuskit._compat``; if one moved,
``ThreadedNMF`` warns once (``PrivateAPIWarning``) and fits with NMF's own code.
"""
from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp
from joblib import effective_n_jobs
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from . import _compat

_CDNMF = "sklearn.decomposition._cdnmf_fast._update_cdnmf_fast"


def _row_blocks(m: sp.csr_matrix, n: int) -> list[tuple[int, int]]:
    """``n`` row ranges of ``m`` holding about equal numbers of non-zeros."""
    cuts = np.searchsorted(m.indptr, np.linspace(0, m.nnz, n + 1)[1:-1])
    bounds = [0, *np.clip(cuts, 0, m.shape[0]).tolist(), m.shape[0]]
    return [(a, b) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


def _row_view(m: sp.csr_matrix, a: int, b: int) -> sp.csr_matrix:
    """Rows ``a:b`` of ``m`` sharing its ``data`` and ``indices`` (``m[a:b]`` copies them: with two
    sides of row blocks that was two more copies of the tf-idf matrix alive through the whole fit)."""
    lo, hi = m.indptr[a], m.indptr[b]
    out = sp.csr_matrix((b - a, m.shape[1]), dtype=m.dtype)
    # set, not passed to the constructor: scipy copies a view smaller than half its base (_prune_array)
    out.data, out.indices, out.indptr = m.data[lo:hi], m.indices[lo:hi], (m.indptr[a:b + 1] - lo).astype(
        m.indices.dtype)
    return out


class _Side:
    """One factor's update: the matrix whose rows it uses (CSR) and the row blocks."""

    def __init__(self, x: sp.csr_matrix, n_threads: int):
        self.blocks = _row_blocks(x, n_threads)
        self.parts = [_row_view(x, a, b) for a, b in self.blocks]

    def update(self, pool: ThreadPoolExecutor, w: np.ndarray, ht: np.ndarray, l1: float, l2: float,
               perm: np.ndarray, cd_update) -> float:
        """scikit-learn's ``_update_coordinate_descent(x, w, ht, l1, l2, ...)``, by row blocks."""
        k = ht.shape[1]
        hht = np.dot(ht.T, ht)
        if l2 != 0.0:
            hht.flat[::k + 1] += l2

        def run(i: int) -> float:
            a, b = self.blocks[i]
            xht = self.parts[i] @ ht
            if l1 != 0.0:
                xht -= l1
            return cd_update(w[a:b], hht, xht, perm)

        return float(sum(pool.map(run, range(len(self.blocks)))))


def fit_coordinate_descent(x: sp.csr_matrix, w: np.ndarray, h: np.ndarray, *, tol: float, max_iter: int,
                           l1_w: float, l1_h: float, l2_w: float, l2_h: float, shuffle: bool, rng,
                           n_threads: int) -> tuple[np.ndarray, np.ndarray, int, int]:
    """scikit-learn's ``_fit_coordinate_descent`` (update_H=True) on ``n_threads`` threads.

    Returns W, H, the iterations and the number of calls to scikit-learn's row update.
    """
    cd_update = _compat.private(_CDNMF)
    w = np.ascontiguousarray(w)
    ht = np.ascontiguousarray(h.T)
    x = x.tocsr()  # scikit-learn's order of additions: X's stored order (not re-sorted)
    # X.T as CSR: its rows are X's columns in row order, the order scikit-learn's CSC product adds them in
    sides = (_Side(x, n_threads), _Side(sp.csr_matrix(x.T), n_threads))
    k = ht.shape[1]
    violation_init = 0.0
    n_iter = n_updates = 0
    with ThreadPoolExecutor(n_threads) as pool:
        for n_iter in range(1, max_iter + 1):
            perm = np.asarray(rng.permutation(k) if shuffle else np.arange(k), dtype=np.intp)
            violation = sides[0].update(pool, w, ht, l1_w, l2_w, perm, cd_update)
            perm = np.asarray(rng.permutation(k) if shuffle else np.arange(k), dtype=np.intp)
            violation += sides[1].update(pool, ht, w, l1_h, l2_h, perm, cd_update)
            n_updates += len(sides[0].blocks) + len(sides[1].blocks)
            if n_iter == 1:
                violation_init = violation
            if violation_init == 0 or violation / violation_init <= tol:
                break
    return w, ht.T, n_iter, n_updates


def _scaled_sum(data: np.ndarray, c: float, leaf: int = 1 << 20):
    """``(data * c).sum()`` bit for bit, with temporaries of at most ``leaf`` values.

    numpy sums a contiguous array pairwise: halves split at ``n // 2`` rounded down to a
    multiple of 8, down to blocks of 128. Splitting the same way above ``leaf`` and letting
    numpy sum each piece adds the same numbers in the same order (``tests/test_topics.py``
    compares with ``np.sum`` on arrays up to 12 million values).
    """
    n = len(data)
    if n <= leaf:
        return (data * c).sum()
    half = n // 2
    half -= half % 8
    return _scaled_sum(data[:half], c, leaf) + _scaled_sum(data[half:], c, leaf)


class LeanMeanCSR(sp.csr_matrix):
    """A CSR matrix whose ``mean()`` over all cells is scipy's, bit for bit, without its copy.

    scipy computes the mean as ``(X * (1 / size)).sum()``, a scaled copy of the whole matrix
    (values, column indices and row pointers); scikit-learn's NNDSVD start of NMF and
    MiniBatchNMF asks for it once. On 100,000 generated articles (27.5 million non-zeros) that
    copy was the fit's peak: 315 MB above the tf-idf matrix (benchmarks/NOTES.md). Here only
    blocks of the values are scaled. Everything else is ``csr_matrix``'s.

    >>> x = LeanMeanCSR(sp.random(50, 40, density=0.1, random_state=0, format="csr"))
    >>> bool(x.mean() == sp.csr_matrix(x).mean())
    True
    """

    def mean(self, axis=None, dtype=None, out=None):
        if axis is not None or out is not None or self.dtype.kind != "f" or not self.has_canonical_format:
            return super().mean(axis=axis, dtype=dtype, out=out)
        res = _scaled_sum(self.data, 1.0 / (self.shape[0] * self.shape[1]))
        return res if dtype is None else np.dtype(dtype).type(res)


def lean_mean(x: sp.csr_matrix) -> LeanMeanCSR:
    """``x`` as a :class:`LeanMeanCSR` sharing its arrays (no copy)."""
    out = LeanMeanCSR(x.shape, dtype=x.dtype)
    # set, not passed to the constructor, which may copy or check them again
    out.data, out.indices, out.indptr = x.data, x.indices, x.indptr
    out.has_canonical_format = x.has_canonical_format
    return out


class ThreadedNMF(NMF):
    """``sklearn.decomposition.NMF`` whose coordinate-descent fit uses ``n_jobs`` threads.

    Same parameters as NMF plus ``n_jobs``; other solvers and ``transform`` are NMF's own.
    After a fit, ``fast_path_`` says whether the threaded solver ran and ``n_threaded_updates_``
    counts its calls to scikit-learn's row update (0 when NMF's own code ran).

    >>> X = ck.dfm(corpus, stop_words="english").counts.astype(float)
    >>> nmf = ThreadedNMF(n_components=3, init="nndsvda", random_state=0, n_jobs=2)
    >>> nmf.fit_transform(X).shape, nmf.fast_path_
    ((5, 3), True)
    """

    # scikit-learn's parameter validation knows NMF's parameters; n_jobs is ours
    _parameter_constraints: dict = {**getattr(NMF, "_parameter_constraints", {}), "n_jobs": [None, int]}

    def __init__(self, n_components="auto", *, init=None, solver="cd", beta_loss="frobenius", tol=1e-4,
                 max_iter=200, random_state=None, alpha_W=0.0, alpha_H="same", l1_ratio=0.0, verbose=0,
                 shuffle=False, n_jobs=None):
        super().__init__(n_components=n_components, init=init, solver=solver, beta_loss=beta_loss, tol=tol,
                         max_iter=max_iter, random_state=random_state, alpha_W=alpha_W, alpha_H=alpha_H,
                         l1_ratio=l1_ratio, verbose=verbose, shuffle=shuffle)
        self.n_jobs = n_jobs

    def fit(self, X, y=None, **params):
        """NMF's ``fit`` (through ``fit_transform``, so the fast-path check below always runs)."""
        self.fit_transform(X, y, **params)
        return self

    def fit_transform(self, X, y=None, **params):
        """NMF's ``fit_transform``; threaded when ``n_jobs`` > 1 and the private names check out."""
        n_threads = effective_n_jobs(self.n_jobs)  # None: 1, -1: all cores, as everywhere in joblib
        # checked here, not in _fit_transform: if scikit-learn renamed that, our override never runs
        wanted = self.solver == "cd" and n_threads > 1
        self._threads = n_threads if wanted and _compat.fast_path("threaded_nmf") else 1
        self.fast_path_, self.n_threaded_updates_ = False, 0
        return super().fit_transform(X, y, **params)

    def _fit_transform(self, X, *args, **kwargs):
        # NMF's signature, verified by _compat; with the fast path off, whatever scikit-learn passes goes on
        if getattr(self, "_threads", 1) == 1:
            return super()._fit_transform(X, *args, **kwargs)
        return self._threaded_fit_transform(X, *args, **kwargs)

    def _threaded_fit_transform(self, X, y=None, W=None, H=None, update_H=True):
        if not update_H or not sp.issparse(X) or self.verbose:
            return super()._fit_transform(X, y=y, W=W, H=H, update_H=update_H)
        self._check_params(X)
        W, H = self._check_w_h(X, W, H, update_H)
        l1_w, l1_h, l2_w, l2_h = self._compute_regularization(X)
        W, H, n_iter, n_updates = fit_coordinate_descent(
            X, W, H, tol=self.tol, max_iter=self.max_iter, l1_w=l1_w, l1_h=l1_h, l2_w=l2_w, l2_h=l2_h,
            shuffle=self.shuffle, rng=check_random_state(self.random_state), n_threads=self._threads)
        self.fast_path_, self.n_threaded_updates_ = True, n_updates
        if n_iter == self.max_iter and self.tol > 0:
            warnings.warn(f"Maximum number of iterations {self.max_iter} reached. Increase it to improve "
                          "convergence.", ConvergenceWarning)
        return W, H, n_iter
