"""Scaling documents on one latent dimension: Wordfish and Wordscores.

Both work on a document-feature matrix of raw counts (a :class:`corpuskit.matrix.DFM`,
a scipy sparse matrix or a numpy array, documents × features; the counts stay
sparse, but Wordfish's Poisson rates are a dense documents × features array while
it fits, 8 bytes a cell: 233 State of the Union addresses × 25,270 words take
47 MB and about 8 s) and follow the
definitions of quanteda.textmodels (``textmodel_wordfish``,
``textmodel_wordscores`` and their ``predict`` methods). The corpus-level
functions :func:`wordfish` and :func:`wordscores` build the dfm as quanteda does
by default: lower case, punctuation removed, no stop-word removal
(:func:`corpuskit.matrix.dfm` with its defaults).

Wordfish (Slapin & Proksch 2008, AJPS 52(3)) is unsupervised: its theta is a
latent position on whatever dimension best explains word-use differences, which
on a handful of texts may be topic or outlet rather than stance. Wordscores
(Laver, Benoit & Garry 2003, APSR 97(2)) is supervised by reference texts with
known positions.

Both are scikit-learn estimators (``clone``, ``get_params``/``set_params``, parameters
checked in ``fit``, fitted state in attributes ending in ``_``, scikit-learn's
``NotFittedError`` before ``fit``), so they sit in a ``Pipeline`` or a ``GridSearchCV``.
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.stats import norm
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted
from tqdm import tqdm

from .errors import ParameterError
from .matrix import DFM, dfm
from .resample import percentile_interval

__all__ = ["Wordfish", "wordfish", "Wordscores", "wordscores", "RESCALINGS"]

RESCALINGS = ("none", "lbg", "mv")


# --------------------------------------------------------------------------- input handling
def _as_counts(X, what: str = "X") -> tuple[sp.csr_matrix, np.ndarray | None, np.ndarray | None, pd.DataFrame | None]:
    """(counts CSR float64, feature names or None, unit ids or None, docvars or None)."""

    if isinstance(X, DFM):
        if X.weighting != "count":
            raise ParameterError(f"{what}: the dfm is weighted ({X.weighting}); scaling models need raw counts")
        dv = X.docvars.reset_index(drop=True)
        ids = dv["unit_id"].astype(str).to_numpy() if "unit_id" in dv else dv["id"].astype(str).to_numpy()
        return sp.csr_matrix(X.counts, dtype=np.float64), np.asarray(X.features, dtype=object), ids, dv
    if sp.issparse(X):
        M = sp.csr_matrix(X, dtype=np.float64)
    else:
        try:
            arr = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError):
            raise ParameterError(f"{what}: expected a DFM, a sparse matrix or a 2-d array of counts, "
                                 f"got {type(X).__name__}") from None
        if arr.ndim != 2:
            raise ParameterError(f"{what}: expected a 2-d documents × features matrix, got {arr.ndim} dimension(s)")
        M = sp.csr_matrix(arr)
    if M.nnz and (not np.all(np.isfinite(M.data)) or M.data.min() < 0):
        raise ParameterError(f"{what}: counts must be finite and non-negative")
    return M, None, None, None


def _corpus_dfm(corpus_or_dfm):
    if isinstance(corpus_or_dfm, DFM):
        return corpus_or_dfm
    if hasattr(corpus_or_dfm, "iter_texts") and hasattr(corpus_or_dfm, "docvars"):
        # quanteda's defaults: lower case, punctuation removed, stop words kept
        return dfm(corpus_or_dfm, unit="document")
    raise ParameterError(f"corpus_or_dfm: expected a Corpus or a DFM, got {type(corpus_or_dfm).__name__}")


def _dates(dv: pd.DataFrame | None, n: int) -> pd.Series:
    if dv is not None and "date" in dv:
        return dv["date"].reset_index(drop=True)
    return pd.Series(pd.NaT, index=range(n), dtype="datetime64[us]")


def _zero_rows(M: sp.csr_matrix, ids: np.ndarray | None) -> list[str]:
    """Ids (or positions) of the documents with no counts."""
    empty = np.flatnonzero(np.asarray(M.sum(axis=1)).ravel() == 0)
    return [str(ids[i]) if ids is not None else str(i) for i in empty]


def _resolve_doc(key, ids: np.ndarray | None, n: int, param: str) -> int:
    """A document named by 0-based position (int) or by id (str)."""
    if isinstance(key, (bool, np.bool_)):
        raise ParameterError(f"{param}={key!r}: name a document by position (int) or id (str)")
    if isinstance(key, (int, np.integer)):
        if not 0 <= int(key) < n:
            raise ParameterError(f"{param}: position {int(key)} is out of range for {n} documents (0..{n - 1})")
        return int(key)
    if isinstance(key, str):
        if ids is None:
            raise ParameterError(f"{param}: id {key!r} given, but the matrix has no document ids; "
                                 "pass a DFM or name documents by position")
        hit = np.flatnonzero(ids == key)
        if len(hit) == 0:
            shown = ", ".join(map(str, ids[:8])) + (" …" if len(ids) > 8 else "")
            raise ParameterError(f"{param}: no document with id {key!r} (ids: {shown})")
        return int(hit[0])
    raise ParameterError(f"{param}={key!r}: name a document by position (int) or id (str)")


# =========================================================================== Wordfish
def _log_posterior(Y: sp.csr_matrix, alpha, psi, beta, theta, prec) -> float:
    """Poisson log-likelihood minus the Gaussian prior penalties, as quanteda computes it.

    sum_ij [y_ij * eta_ij - exp(eta_ij)] - sum_p prec_p * ||par_p||^2 / 2 with
    eta_ij = alpha_i + psi_j + beta_j * theta_i (the -log(y_ij!) constant left out).
    """
    eta = alpha[:, None] + psi[None, :] + theta[:, None] * beta[None, :]
    rsum = np.asarray(Y.sum(axis=1)).ravel()
    csum = np.asarray(Y.sum(axis=0)).ravel()
    # sum_ij y_ij * eta_ij without densifying Y
    yeta = alpha @ rsum + psi @ csum + theta @ (Y @ beta)
    penalty = 0.5 * (prec[0] * alpha @ alpha + prec[1] * psi @ psi + prec[2] * beta @ beta + prec[3] * theta @ theta)
    return float(yeta - np.exp(eta).sum() - penalty)


def _newton_pairs(step0: float, tol: float, max_inner: int, a, b, grad_hess) -> None:
    """Conditional Newton updates of many independent (a_k, b_k) pairs, in place.

    As in quanteda's loops, each pair iterates until its largest parameter change
    is <= ``tol`` or ``max_inner`` steps; only the first step may be damped.
    """
    active = np.arange(len(a))
    step = step0
    for _ in range(max_inner):
        if active.size == 0:
            break
        g0, g1, h00, h01, h11 = grad_hess(active)
        det = h00 * h11 - h01 * h01
        da = step * (h11 * g0 - h01 * g1) / det
        db = step * (h00 * g1 - h01 * g0) / det
        a[active] -= da
        b[active] -= db
        active = active[np.maximum(np.abs(da), np.abs(db)) > tol]
        step = 1.0


def _standardize(theta: np.ndarray) -> np.ndarray:
    return (theta - theta.mean()) / theta.std(ddof=1)


def _wordfish_core(Y: sp.csr_matrix, prec: np.ndarray, tol: tuple[float, float], max_iter: int,
                   start: tuple | None = None) -> dict:
    """Fit the Poisson Wordfish model by quanteda's alternating conditional Newton steps.

    ``Y`` has no all-zero rows or columns. Returns alpha, psi, beta, theta (theta
    standardized, sign not yet fixed), the log-posterior ``lp``, iterations and convergence.
    """
    N, K = Y.shape
    rsum = np.asarray(Y.sum(axis=1)).ravel()
    csum = np.asarray(Y.sum(axis=0)).ravel()
    asum = rsum.sum()
    if start is None:
        # Starting theta: first left singular vector of the chi-square residuals
        # (y - E)/sqrt(E), E = r_i c_j / total, scaled by (r_i/total)^-1/2 (as wordfish's C++).
        # U[:, 0] is the top eigenvector of C C^T, an N × N problem whatever K is.
        E = np.outer(rsum, csum) / asum
        C = (Y.toarray() - E) / np.sqrt(E)
        _, vecs = np.linalg.eigh(C @ C.T)
        theta = (rsum / asum) ** -0.5 * vecs[:, -1]
        beta = np.zeros(K)
        alpha = np.log(rsum) - np.log(rsum.mean())
        psi = np.log(csum / N)
        theta = _standardize(theta)
    else:
        alpha, psi, beta, theta = (np.array(v, dtype=float) for v in start)
    pa, pp, pb, pt = prec
    lp = _log_posterior(Y, alpha, psi, beta, theta, prec)
    lastlp = -2e12
    n_iter = 0
    YT = Y.T.tocsr()
    while lp - lastlp > tol[0] and n_iter < max_iter:
        n_iter += 1
        step0 = 0.5 if n_iter == 1 else 1.0
        yt_theta = YT @ theta  # sum_i y_ij theta_i, fixed while the word parameters move

        def word_gh(idx):
            lam = np.exp(alpha[:, None] + psi[None, idx] + theta[:, None] * beta[None, idx])
            g0 = csum[idx] - lam.sum(axis=0) - psi[idx] * pp
            g1 = yt_theta[idx] - theta @ lam - beta[idx] * pb
            return g0, g1, -lam.sum(axis=0) - pp, -(theta @ lam), -((theta * theta) @ lam) - pb

        _newton_pairs(step0, tol[1], 10, psi, beta, word_gh)
        y_beta = Y @ beta

        def doc_gh(idx):
            lam = np.exp(alpha[idx, None] + psi[None, :] + theta[idx, None] * beta[None, :])
            g0 = rsum[idx] - lam.sum(axis=1) - alpha[idx] * pa
            g1 = y_beta[idx] - lam @ beta - theta[idx] * pt
            return g0, g1, -lam.sum(axis=1) - pa, -(lam @ beta), -(lam @ (beta * beta)) - pt

        _newton_pairs(step0, tol[1], 10, alpha, theta, doc_gh)
        alpha -= alpha.mean()
        theta = _standardize(theta)
        lastlp, lp = lp, _log_posterior(Y, alpha, psi, beta, theta, prec)
    if not np.all(np.isfinite(theta)):
        raise ParameterError("Wordfish did not converge (non-finite positions); remove very short documents "
                             "or very rare features and refit")
    return {"alpha": alpha, "psi": psi, "beta": beta, "theta": theta, "lp": lp, "n_iter": n_iter,
            "converged": bool(lp - lastlp <= tol[0]), "lp_change": float(lp - lastlp)}


def _theta_se(alpha, psi, beta, theta, prec) -> np.ndarray:
    """SE of theta_i from the inverse of document i's 2×2 (alpha_i, theta_i) information.

    With H the Hessian of the log-posterior in (alpha_i, theta_i):
    se = sqrt(-H_aa / det H), quanteda's ``se.theta``; word parameters are held fixed.
    """
    lam = np.exp(alpha[:, None] + psi[None, :] + theta[:, None] * beta[None, :])
    h00 = -lam.sum(axis=1) - prec[0]
    h01 = -(lam @ beta)
    h11 = -(lam @ (beta * beta)) - prec[3]
    return np.sqrt(-h00 / (h00 * h11 - h01 * h01))


class Wordfish(BaseEstimator):
    """Slapin & Proksch's (2008) Poisson scaling model, as quanteda's ``textmodel_wordfish``.

    log lambda_ij = alpha_i + psi_j + beta_j * theta_i for document i, feature j.
    Identification as quanteda: theta standardized (mean 0, sd 1), alpha centred
    to mean 0 (the paper fixes alpha_1 = 0 instead; the two differ only by a
    constant moved into psi), and the sign set so that theta[dir[0]] < theta[dir[1]].

    Estimation is quanteda's: starting values from the SVD of the chi-square
    residual matrix (theta), log row/column totals (alpha, psi), beta = 0;
    alternating conditional Newton steps for (psi_j, beta_j) then (alpha_i,
    theta_i), each pair until its change is <= ``tol[1]`` (10 steps at most, the
    first outer iteration half-stepped); stop when the log-posterior rises by
    no more than ``tol[0]`` (an absolute change, quanteda's ``abs_err = FALSE``
    rule) or after ``max_iter`` outer iterations.

    Parameters
    ----------
    dir : two documents, by 0-based position (int) or id (str), with theta[dir[0]] < theta[dir[1]].
    priors : prior standard deviations for (alpha, psi, beta, theta), quanteda's order and
        default (inf, inf, 3, 1); the precisions used are 1 / sigma^2.
    tol : (log-posterior change, parameter change), default (1e-6, 1e-8).
    max_iter : outer iterations (quanteda: 100; large vocabularies may need several hundred).
    se : "hessian" (quanteda's se.theta) or "bootstrap" (the paper's parametric
        bootstrap: Poisson counts drawn from the fitted rates, model refit, each
        replicate's sign aligned with the fit; se = sd of the replicates, the
        interval their percentiles). With few documents the replicates can centre away
        from theta (the percentile interval may then exclude it): a sign of estimation
        bias that the Hessian SE (kept in ``se_hessian_``) does not show.
    n_boot, random_state : bootstrap replicates and seed.
    level : confidence level of ``ci_low_``/``ci_high_``.

    Features with zero total count are dropped (``dropped_features_``); documents
    with no tokens are an error (their alpha would be -inf).

    A scikit-learn estimator, but not a transformer: the positions belong to the documents
    it was fitted on (there is no ``transform`` of new documents, as in quanteda).

    Attributes: theta_, se_theta_, ci_low_, ci_high_, alpha_, beta_, psi_,
    features_, ids_, dates_, n_features_in_, lp_ (log-posterior at the end), lp_change_ (its last change), n_iter_,
    converged_ (quanteda's rule met before max_iter; a RuntimeWarning if not),
    boot_theta_ (n_boot × documents, bootstrap only).

    Example
    -------
    >>> m = Wordfish(dir=("000", "003")).fit(ck.dfm(ck.load_corpus("seeds")))
    >>> m.ids_.tolist()
    ['000', '001', '002', '003', '004']
    >>> m.theta_.round(3), m.se_theta_.round(3)
    (array([-0.369, -1.161,  0.56 ,  1.415, -0.446]), array([0.06 , 0.031, 0.044, 0.031, 0.047]))
    """

    def __init__(self, dir: tuple[Any, Any] = (0, 1), priors: Sequence[float] = (math.inf, math.inf, 3.0, 1.0),
                 tol: Sequence[float] = (1e-6, 1e-8), max_iter: int = 100, se: str = "hessian",
                 n_boot: int = 200, random_state: int | None = None, level: float = 0.95):
        self.dir = dir
        self.priors = priors
        self.tol = tol
        self.max_iter = max_iter
        self.se = se
        self.n_boot = n_boot
        self.random_state = random_state
        self.level = level

    # -- checks ----------------------------------------------------------------------------
    def _check_params(self) -> tuple[np.ndarray, tuple[float, float]]:
        try:
            pri = np.asarray(self.priors, dtype=float).ravel()
        except (TypeError, ValueError):
            raise ParameterError(f"priors={self.priors!r}: give 4 prior standard deviations "
                                 "(alpha, psi, beta, theta)") from None
        if pri.shape != (4,) or np.any(np.isnan(pri)) or np.any(pri <= 0):
            raise ParameterError(f"priors={self.priors!r}: give 4 positive prior standard deviations "
                                 "(alpha, psi, beta, theta); inf means no prior")
        try:
            tol = tuple(float(t) for t in self.tol)
        except (TypeError, ValueError):
            tol = ()
        if len(tol) != 2 or not all(t > 0 and math.isfinite(t) for t in tol):
            raise ParameterError(f"tol={self.tol!r}: give 2 positive tolerances (log-posterior, parameters)")
        if not isinstance(self.max_iter, (int, np.integer)) or self.max_iter < 1:
            raise ParameterError(f"max_iter={self.max_iter!r}: must be a positive integer")
        if self.se not in ("hessian", "bootstrap"):
            raise ParameterError(f"se={self.se!r}: choose 'hessian' or 'bootstrap'")
        if self.se == "bootstrap" and (not isinstance(self.n_boot, (int, np.integer)) or self.n_boot < 20):
            raise ParameterError(f"n_boot={self.n_boot!r}: use at least 20 bootstrap replicates")
        if not (isinstance(self.level, (int, float, np.integer, np.floating)) and 0 < self.level < 1):
            raise ParameterError(f"level={self.level!r}: must be between 0 and 1")
        try:
            if isinstance(self.dir, str) or len(self.dir) != 2:
                raise TypeError
        except TypeError:
            raise ParameterError(f"dir={self.dir!r}: name two documents (positions or ids)") from None
        return 1.0 / pri ** 2, tol

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.positive_only = True  # counts
        return tags

    # -- fitting -------------------------------------------------------------------------------
    def fit(self, X, y=None) -> "Wordfish":
        """Fit to a documents × features count matrix (DFM, sparse or dense). ``y`` is ignored."""
        prec, tol = self._check_params()
        Y, feats, ids, dv = _as_counts(X)
        N, K = Y.shape
        if N < 3:
            raise ParameterError(f"X has {N} document(s): Wordfish needs at least 3 "
                                 "(with 2, the standardized positions are ±0.71 whatever the texts say)")
        names = _zero_rows(Y, ids)
        if names:
            raise ParameterError(f"X: document(s) {', '.join(names)} have no tokens (all-zero rows); "
                                 "remove them before scaling")
        i0 = _resolve_doc(self.dir[0], ids, N, "dir[0]")
        i1 = _resolve_doc(self.dir[1], ids, N, "dir[1]")
        if i0 == i1:
            raise ParameterError(f"dir={tuple(self.dir)!r}: name two different documents")
        if feats is None:
            feats = np.array([str(j) for j in range(K)], dtype=object)
        csum = np.asarray(Y.sum(axis=0)).ravel()
        keep = csum > 0
        if keep.sum() < 2:
            raise ParameterError("X: fewer than 2 features occur in the documents; nothing to scale")
        self.dropped_features_ = feats[~keep]
        Y = sp.csr_matrix(Y[:, np.flatnonzero(keep)])
        self.features_ = feats[keep]
        self.ids_ = ids if ids is not None else np.array([str(i) for i in range(N)], dtype=object)
        self.dir_index_ = (i0, i1)
        self.n_features_in_ = K
        self.dates_ = _dates(dv, N)
        if hasattr(self, "boot_theta_"):
            del self.boot_theta_  # from an earlier bootstrap fit: it would not describe this one

        res = _wordfish_core(Y, prec, tol, int(self.max_iter))
        sign = -1.0 if res["theta"][i0] > res["theta"][i1] else 1.0
        self.alpha_, self.psi_ = res["alpha"], res["psi"]
        self.beta_, self.theta_ = sign * res["beta"], sign * res["theta"]
        self.lp_, self.n_iter_, self.converged_ = res["lp"], res["n_iter"], res["converged"]
        self.lp_change_ = res["lp_change"]
        # quanteda stops silently at max_iter; the conditional updates can zig-zag slowly (positions
        # still moving by ~1e-3 after 100 iterations with large vocabularies), so say so
        if not self.converged_:
            warnings.warn(f"Wordfish stopped at max_iter={self.max_iter} before converging (log-posterior "
                          f"still rising by {self.lp_change_:.3g} > tol[0]={tol[0]}); raise max_iter",
                          RuntimeWarning, stacklevel=2)
        self.se_hessian_ = _theta_se(self.alpha_, self.psi_, self.beta_, self.theta_, prec)
        z = norm.ppf(0.5 + self.level / 2)
        if self.se == "hessian":
            self.se_theta_ = self.se_hessian_
            self.ci_low_ = self.theta_ - z * self.se_theta_
            self.ci_high_ = self.theta_ + z * self.se_theta_
            self.se_basis_ = "hessian"
        else:
            boot = self._bootstrap(prec, tol)
            self.boot_theta_ = boot
            self.se_theta_ = boot.std(axis=0, ddof=1)
            self.ci_low_, self.ci_high_ = percentile_interval(boot, self.level)
            self.se_basis_ = f"parametric bootstrap (n_boot={self.n_boot}, percentile interval)"
        return self

    def _bootstrap(self, prec, tol) -> np.ndarray:
        """Slapin & Proksch's parametric bootstrap: refit on Poisson draws from the fitted rates."""
        rng = np.random.default_rng(self.random_state)
        lam = np.exp(self.alpha_[:, None] + self.psi_[None, :] + self.theta_[:, None] * self.beta_[None, :])
        out = np.empty((self.n_boot, lam.shape[0]))
        b = tries = 0
        # a refit is a whole Wordfish fit: hundreds take minutes, so show a bar (quiet when not a terminal)
        bar = tqdm(total=self.n_boot, desc="Wordfish refits", unit="fit", disable=None)
        while b < self.n_boot:
            tries += 1
            if tries > 20 * self.n_boot:
                raise ParameterError("se='bootstrap': the simulated documents keep coming out empty; "
                                     "remove very short documents or use se='hessian'")
            Ys = sp.csr_matrix(rng.poisson(lam).astype(np.float64))
            if np.any(np.asarray(Ys.sum(axis=1)).ravel() == 0):
                continue  # a document drew no tokens: that replicate cannot be fitted; draw again
            cols = np.flatnonzero(np.asarray(Ys.sum(axis=0)).ravel() > 0)
            th = _wordfish_core(sp.csr_matrix(Ys[:, cols]), prec, tol, int(self.max_iter))["theta"]
            # align the replicate's arbitrary sign with the fitted dimension
            out[b] = th if th @ self.theta_ >= 0 else -th
            b += 1
            bar.update()
        bar.close()
        return out

    # -- results -------------------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """Document positions: id, date, theta, se, ci_low, ci_high, se_basis."""
        check_is_fitted(self, "theta_")
        return pd.DataFrame({
            "id": pd.array(self.ids_, dtype="string"), "date": self.dates_,
            "theta": self.theta_, "se": self.se_theta_, "ci_low": self.ci_low_, "ci_high": self.ci_high_,
            "se_basis": pd.array([self.se_basis_] * len(self.theta_), dtype="string")})

    def feature_table(self, sort: bool = True) -> pd.DataFrame:
        """Feature parameters for a "word fish" plot: feature, beta (position weight), psi (frequency).

        Sorted by beta (most negative first) when ``sort``.
        """
        check_is_fitted(self, "theta_")
        t = pd.DataFrame({"feature": pd.array(self.features_.astype(str), dtype="string"),
                          "beta": self.beta_, "psi": self.psi_})
        return t.sort_values("beta", kind="stable").reset_index(drop=True) if sort else t


def wordfish(corpus_or_dfm, dir: tuple[Any, Any] = (0, 1), se: str = "hessian", **kwargs) -> pd.DataFrame:
    """Wordfish positions of each document: id, date, theta, se, ci_low, ci_high, se_basis.

    A Corpus is turned into a document-level dfm with quanteda's defaults (lower
    case, punctuation removed, stop words kept). ``dir`` names two documents (by
    position or id) with theta[dir[0]] < theta[dir[1]]; other keyword arguments
    go to :class:`Wordfish` (priors, tol, max_iter, n_boot, random_state, level).
    Slapin & Proksch (2008); theta is a latent position, not a stance.

    >>> wordfish(ck.load_corpus("seeds"), dir=("000", "003")).round(3)
        id       date  theta     se  ci_low  ci_high se_basis
    0  000 2006-07-01 -0.369  0.060  -0.487   -0.250  hessian
    1  001 2021-08-01 -1.161  0.031  -1.222   -1.099  hessian
    2  002 2023-01-13  0.560  0.044   0.473    0.647  hessian
    3  003 2024-12-01  1.415  0.031   1.354    1.477  hessian
    4  004 2021-08-01 -0.446  0.047  -0.539   -0.353  hessian
    """
    return Wordfish(dir=dir, se=se, **kwargs).fit(_corpus_dfm(corpus_or_dfm)).to_frame()


# =========================================================================== Wordscores
class Wordscores(BaseEstimator):
    """Laver, Benoit & Garry's (2003) Wordscores, as quanteda's ``textmodel_wordscores`` (linear scale).

    Fit on reference texts with known scores ``y``: with F_wr the relative
    frequency of word w in reference r and P_wr = F_wr / sum_r F_wr, the word
    score is S_w = sum_r P_wr * y_r (words absent from every reference get none).
    A text's raw score is the mean word score weighted by its relative
    frequencies over its scorable words; its standard error is
    sqrt(sum_w F_wv (S_w - S_v)^2) / sqrt(N_v), N_v its number of scorable words.

    Rescaling (the ``rescaling`` parameter, applied by ``predict``):

    * ``"lbg"`` (LBG 2003): (S_v - mean S) * sd(y_ref) / sd(S) + mean S, mean and
      sd over the texts being predicted (quanteda's choice; LBG meant the virgin texts).
    * ``"mv"`` (Martin & Vanberg 2008, Political Analysis 16(1)): the reference texts
      with the lowest and highest reference score are mapped back to those scores
      (ties at either end averaged).

    Standard errors and intervals are rescaled with the same linear map (for
    "lbg" quanteda's intervals do this, while its printed ``se.fit`` applies the
    shift as well; here se is the half-width of the interval over z).

    Parameters
    ----------
    smooth : a constant added to every reference count before fitting (quanteda's ``smooth``).
    rescaling : "none" (raw scores), "lbg" or "mv" (above).
    se : if True, ``predict`` returns a tuple (scores, standard errors).
    level : confidence level of the intervals of :func:`wordscores`.

    ``rescaling``, ``se`` and ``level`` act at ``predict`` time, so ``set_params`` on a
    fitted model changes them without refitting. Not a scikit-learn regressor: the raw
    scores are shrunk toward the references' mean, so an R^2 against ``y`` would mislead.

    Attributes: wordscores_, scored_, features_, train_features_, n_features_in_,
    reference_scores_, reference_ids_, reference_raw_.

    Example
    -------
    >>> X = ck.dfm(corpus)
    >>> ref = X.docvars["id"].isin(["000", "003"]).to_numpy()
    >>> ws = Wordscores(rescaling="mv", se=True).fit(X.subset(ref), [-1.0, 1.0])
    >>> score, se = ws.predict(X.subset(~ref))
    >>> score.round(3), se.round(3)
    (array([-0.001,  0.13 ,  0.061]), array([0.049, 0.047, 0.053]))
    """

    def __init__(self, smooth: float = 0.0, rescaling: str = "none", se: bool = False, level: float = 0.95):
        self.smooth = smooth
        self.rescaling = rescaling
        self.se = se
        self.level = level

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.positive_only = True  # counts
        tags.target_tags.required = True
        return tags

    def _check_predict_params(self) -> None:
        if not isinstance(self.rescaling, str) or self.rescaling not in RESCALINGS:
            raise ParameterError(f"rescaling={self.rescaling!r}: choose one of {', '.join(map(repr, RESCALINGS))}")
        if not isinstance(self.se, (bool, np.bool_)):
            raise ParameterError(f"se={self.se!r}: must be True or False")
        if not (isinstance(self.level, (int, float, np.integer, np.floating)) and 0 < self.level < 1):
            raise ParameterError(f"level={self.level!r}: must be between 0 and 1")

    def fit(self, X, y) -> "Wordscores":
        """Learn word scores from reference texts ``X`` and their scores ``y`` (NaN: not a reference)."""
        if not (isinstance(self.smooth, (int, float, np.integer, np.floating)) and self.smooth >= 0
                and math.isfinite(self.smooth)):
            raise ParameterError(f"smooth={self.smooth!r}: must be a non-negative number")
        self._check_predict_params()  # fail before fitting, not at the first predict
        M, feats, ids, _ = _as_counts(X)
        try:
            y = np.asarray(y, dtype=float).ravel()
        except (TypeError, ValueError):
            raise ParameterError(f"y: reference scores must be numbers, got {y!r}") from None
        if len(y) != M.shape[0]:
            raise ParameterError(f"y has {len(y)} scores for {M.shape[0]} documents")
        ref = ~np.isnan(y)
        if ref.sum() < 2:
            raise ParameterError(f"y: Wordscores needs at least 2 reference texts with scores, got {int(ref.sum())}")
        if np.any(np.isinf(y)):
            raise ParameterError("y: reference scores must be finite")
        R = M[np.flatnonzero(ref)].toarray()
        if self.smooth:
            R = R + self.smooth
        tot = R.sum(axis=1)
        if np.any(tot == 0):
            bad = np.flatnonzero(ref)[tot == 0]
            names = [str(ids[i]) if ids is not None else str(i) for i in bad]
            raise ParameterError(f"X: reference text(s) {', '.join(names)} have no tokens; remove them")
        F = R / tot[:, None]                      # F_wr, relative frequency of w in r
        colsum = F.sum(axis=0)
        scored = colsum > 0
        P = F[:, scored] / colsum[scored]         # P_wr = F_wr / sum_r F_wr
        self.wordscores_ = P.T @ y[ref]
        self.scored_ = scored
        self.n_features_in_ = M.shape[1]
        self.features_ = (feats if feats is not None else np.array([str(j) for j in range(M.shape[1])],
                                                                   dtype=object))[scored]
        self.train_features_ = feats  # None for a matrix without names: columns are matched by position
        self.reference_scores_ = y[ref]
        self.reference_ids_ = ids[ref] if ids is not None else np.flatnonzero(ref).astype(str)
        # raw scores of the (unsmoothed) references, for Martin-Vanberg rescaling
        # over the scored features only: a reference's words absent from every reference have no score
        self.reference_raw_, _ = self._raw(M[np.flatnonzero(ref)][:, np.flatnonzero(scored)],
                                           ids[ref] if ids is not None else None)
        return self

    def _conform(self, X) -> tuple[sp.csr_matrix, np.ndarray | None]:
        """Columns of X matching the scored features (by name for a DFM, else by position)."""
        M, feats, ids, _ = _as_counts(X)
        if feats is not None and self.train_features_ is not None:
            pos = pd.Index(feats.astype(str)).get_indexer(self.features_.astype(str))
            cols = sp.csr_matrix(M[:, np.maximum(pos, 0)])
            if np.any(pos < 0):
                cols = sp.csr_matrix(cols @ sp.diags((pos >= 0).astype(float)))
            return cols, ids
        if M.shape[1] != self.n_features_in_:
            raise ParameterError(f"X has {M.shape[1]} features, the model was fit on {self.n_features_in_}; "
                                 "pass DFMs so features are matched by name")
        return sp.csr_matrix(M[:, np.flatnonzero(self.scored_)]), ids

    def _raw(self, M: sp.csr_matrix, ids) -> tuple[np.ndarray, np.ndarray]:
        n = np.asarray(M.sum(axis=1)).ravel()
        names = _zero_rows(M, ids)
        if names:
            raise ParameterError(f"X: document(s) {', '.join(names)} contain no scored word; "
                                 "Wordscores cannot place them (remove them or add reference texts)")
        sw = self.wordscores_
        raw = (M @ sw) / n
        # sum_w F_wv (S_w - S_v)^2 = sum_w F_wv S_w^2 - S_v^2 (the F_wv sum to 1)
        var = np.maximum((M @ (sw * sw)) / n - raw * raw, 0.0)
        return raw, np.sqrt(var) / np.sqrt(n)

    def predict(self, X, **moved):
        """Text scores of ``X``, rescaled as ``rescaling`` says; with ``se=True`` a tuple (scores, se).

        >>> X = ck.dfm(corpus)
        >>> ref = X.docvars["id"].isin(["000", "003"]).to_numpy()
        >>> Wordscores(rescaling="mv").fit(X.subset(ref), [-1.0, 1.0]).predict(X.subset(~ref)).round(3)
        array([-0.001,  0.13 ,  0.061])
        """
        if moved:
            # earlier versions took these per call; say where they went rather than a bare TypeError
            k, v = next(iter(moved.items()))
            if k in ("rescaling", "se", "level"):
                raise ParameterError(f"predict({k}={v!r}): {k} is now a Wordscores parameter; set it in the "
                                     f"constructor, Wordscores({k}={v!r}), or with set_params({k}={v!r})")
            raise ParameterError(f"predict() got an unexpected argument {k}={v!r}; it takes X only")
        scores, ses, _, _ = self._predict_all(X)
        return (scores, ses) if self.se else scores

    def _predict_all(self, X):
        """(scores, se, ci_low, ci_high) under this model's rescaling and level."""
        check_is_fitted(self, "wordscores_")
        self._check_predict_params()
        rescaling, level = self.rescaling, self.level
        M, ids = self._conform(X)
        raw, raw_se = self._raw(M, ids)
        z = norm.ppf(0.5 + level / 2)
        lo, hi = raw - z * raw_se, raw + z * raw_se
        if rescaling == "none":
            return raw, raw_se, lo, hi
        if rescaling == "lbg":
            if len(raw) < 2 or np.std(raw) == 0:
                raise ParameterError("rescaling='lbg' needs at least two texts with different raw scores "
                                     "(it rescales by their spread)")
            mean = raw.mean()
            mult = np.std(self.reference_scores_, ddof=1) / np.std(raw, ddof=1)

            def f(x):
                return (x - mean) * mult + mean
        else:
            y = self.reference_scores_
            ylo, yhi = y.min(), y.max()
            if ylo == yhi:
                raise ParameterError("rescaling='mv' needs reference scores that differ")
            zlo = self.reference_raw_[y == ylo].mean()
            zhi = self.reference_raw_[y == yhi].mean()
            if zlo == zhi:
                raise ParameterError("rescaling='mv': the lowest and highest reference texts have the same "
                                     "raw score, so there is no scale to map back to")

            def f(x):
                return (x - zlo) * (yhi - ylo) / (zhi - zlo) + ylo
        flo, fhi = f(lo), f(hi)
        return f(raw), (fhi - flo) / (2 * z), np.minimum(flo, fhi), np.maximum(flo, fhi)

    def feature_table(self) -> pd.DataFrame:
        """Word scores: feature, score."""
        check_is_fitted(self, "wordscores_")
        return pd.DataFrame({"feature": pd.array(self.features_.astype(str), dtype="string"),
                             "score": self.wordscores_})


def wordscores(corpus_or_dfm, reference_scores: dict, rescaling: str = "none", smooth: float = 0.0,
               level: float = 0.95) -> pd.DataFrame:
    """Wordscores for every document: id, date, score, se, ci_low, ci_high, is_reference, rescaling.

    ``reference_scores`` maps document ids to known positions; every document
    (references included, as quanteda's ``predict`` without ``newdata``) is scored.
    Laver, Benoit & Garry (2003); "mv" after Martin & Vanberg (2008).

    >>> wordscores(corpus, {"000": -1.0, "003": 1.0}, rescaling="mv").round(3)
        id       date  score     se  ci_low  ci_high  is_reference rescaling
    0  000 2006-07-01 -1.000  0.038  -1.075   -0.925          True        mv
    1  001 2021-08-01 -0.001  0.049  -0.096    0.095         False        mv
    2  002 2023-01-13  0.130  0.047   0.039    0.222         False        mv
    3  003 2024-12-01  1.000  0.031   0.940    1.060          True        mv
    4  004 2021-08-01  0.061  0.053  -0.043    0.164         False        mv
    """
    m = _corpus_dfm(corpus_or_dfm)
    M, _, ids, dv = _as_counts(m)
    if not isinstance(reference_scores, dict) or not reference_scores:
        raise ParameterError("reference_scores: give a dict {document id: known score} with at least 2 entries")
    missing = [k for k in reference_scores if str(k) not in set(ids)]
    if missing:
        raise ParameterError(f"reference_scores: no document with id {missing[0]!r}")
    y = np.full(len(ids), np.nan)
    for k, v in reference_scores.items():
        try:
            v = float(v)
        except (TypeError, ValueError):
            v = math.nan
        if not math.isfinite(v):
            raise ParameterError(f"reference_scores[{k!r}]={reference_scores[k]!r}: scores must be finite numbers")
        y[ids == str(k)] = v
    ws = Wordscores(smooth=smooth, rescaling=rescaling, level=level).fit(m, y)
    score, se, lo, hi = ws._predict_all(m)
    return pd.DataFrame({"id": pd.array(ids, dtype="string"), "date": _dates(dv, len(ids)), "score": score,
                         "se": se, "ci_low": lo, "ci_high": hi, "is_reference": ~np.isnan(y),
                         "rescaling": pd.array([rescaling] * len(ids), dtype="string")})
