"""Relative-importance engine: every statistic from a (stack of) correlation matrices, no refitting.

The public entry point for analysts is :mod:`cxlib.drivers`; this module holds the numerical engine it
uses. Every function takes an augmented correlation matrix ``corr`` of shape ``(..., p + 1, p + 1)``
whose **last** row/column is the outcome and whose first ``p`` are the drivers; leading axes are a
batch (e.g. bootstrap resamples) and are carried through.

All-subsets R² (:func:`subset_r2`) are computed by a breadth-first *sweep*: for each driver in turn,
every subset of the previous drivers is split into "without it" (drop its row/column) and "with it"
(one Schur-complement update, i.e. a sweep on that pivot), vectorised over all subsets at once. Subset
``S`` is stored at index ``sum(2**j for j in S)``. Cost is about ``2**p * 12`` floating point updates and
peak memory about ``2**p * 36`` bytes (0.6 GB at p = 24).
"""

from __future__ import annotations

from math import comb, factorial

import numpy as np

__all__ = [
    "betasq",
    "bootstrap_corr",
    "complete_dominance",
    "conditional_contributions",
    "first",
    "johnson",
    "last",
    "logit_fit",
    "logit_subset_r2",
    "logit_johnson",
    "popcount",
    "pratt",
    "sampled_shapley",
    "shapley",
    "standardized_betas",
    "subset_r2",
    "weighted_corr",
]


def weighted_corr(x: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """Weighted Pearson correlation matrix of the columns of ``x`` (rows = observations).

    Examples
    --------
    >>> x = np.array([[1.0, 2.0], [2.0, 4.1], [3.0, 5.9]])
    >>> weighted_corr(x).round(4).tolist()
    [[1.0, 0.999], [0.999, 1.0]]
    """
    x = np.asarray(x, dtype=float)
    if w is None:
        xc = x - x.mean(axis=0)
        cov = xc.T @ xc
    else:
        w = np.asarray(w, dtype=float) / np.sum(w)
        xc = x - w @ x
        cov = (xc * w[:, None]).T @ xc
    sd = np.sqrt(np.diag(cov))
    out = cov / np.outer(sd, sd)
    np.fill_diagonal(out, 1.0)
    return out


def popcount(p: int) -> np.ndarray:
    """Subset sizes: ``popcount(p)[i]`` is the number of set bits of ``i`` for ``i < 2**p``.

    Examples
    --------
    >>> popcount(3).tolist()
    [0, 1, 1, 2, 1, 2, 2, 3]
    """
    sizes = np.zeros(1, dtype=np.uint8)
    for _ in range(p):
        sizes = np.concatenate([sizes, sizes + 1])
    return sizes


def subset_r2(corr: np.ndarray) -> np.ndarray:
    """R² of the outcome on every subset of the drivers, shape ``(..., 2**p)``.

    Index ``i`` holds the subset ``{j : bit j of i is set}``; index 0 (no driver) is 0.

    Examples
    --------
    >>> c = np.array([[1.0, 0.0, 0.6], [0.0, 1.0, 0.3], [0.6, 0.3, 1.0]])
    >>> subset_r2(c).round(4).tolist()   # {}, {x0}, {x1}, {x0, x1}: 0.36 + 0.09 (uncorrelated drivers)
    [0.0, 0.36, 0.09, 0.45]
    """
    corr = np.asarray(corr, dtype=float)
    m = corr.shape[-1]
    p = m - 1
    batch = corr.shape[:-2]
    mat = corr[..., None, :, :]
    for k in range(p):
        size = 2**k
        piv = mat[..., 0, 0]
        col = mat[..., 1:, 0] / np.sqrt(piv)[..., None]
        rest = mat[..., 1:, 1:]
        out = np.empty(batch + (2 * size, m - k - 1, m - k - 1))
        out[..., :size, :, :] = rest
        swept = out[..., size:, :, :]
        np.multiply(col[..., :, None], col[..., None, :], out=swept)
        np.subtract(rest, swept, out=swept)
        mat = out
    return 1.0 - mat[..., 0, 0] / corr[..., None, p, p]


def _bit_sums(values: np.ndarray, p: int) -> np.ndarray:
    """``out[..., j]`` = sum of ``values[..., i]`` over subsets ``i`` that contain driver ``j``."""
    batch = values.shape[:-1]
    out = np.empty(batch + (p,))
    for j in range(p):
        v = values.reshape(batch + (2 ** (p - j - 1), 2, 2**j))
        out[..., j] = v[..., 1, :].sum(axis=(-2, -1))
    return out


def shapley(r2: np.ndarray, p: int) -> np.ndarray:
    """Exact Shapley values (LMG, general dominance) from all-subsets R², shape ``(..., p)``.

    ``phi_j = sum over S not containing j of |S|! (p - |S| - 1)! / p! * (R²(S + j) - R²(S))``; the values
    sum to the full-model R².

    Examples
    --------
    >>> c = np.array([[1.0, 0.0, 0.6], [0.0, 1.0, 0.3], [0.6, 0.3, 1.0]])
    >>> shapley(subset_r2(c), 2).round(4).tolist()
    [0.36, 0.09]
    """
    sizes = popcount(p)
    w = np.array([factorial(s) * factorial(p - s - 1) / factorial(p) for s in range(p)] + [0.0])
    w_with = np.concatenate([[0.0], w[:-1]])[sizes]   # weight of +R²(T) for T containing j, |S| = |T|-1
    w_without = w[sizes]                              # weight of -R²(S) for S not containing j
    total_without = (r2 * w_without).sum(axis=-1)
    return _bit_sums(r2 * (w_with + w_without), p) - total_without[..., None]


def conditional_contributions(r2: np.ndarray, p: int) -> np.ndarray:
    """Mean increment of each driver over subsets of each size, shape ``(p, p)`` [driver, size].

    ``out[j, k]`` is the average of ``R²(S + j) - R²(S)`` over the ``C(p-1, k)`` subsets ``S`` of size
    ``k`` not containing ``j`` (Azen & Budescu 2003); the row means are the Shapley values.
    """
    sizes = popcount(p)
    out = np.empty((p, p))
    for j in range(p):
        v = r2.reshape(2 ** (p - j - 1), 2, 2**j)
        s = sizes.reshape(2 ** (p - j - 1), 2, 2**j)[:, 0, :].ravel()
        d = (v[:, 1, :] - v[:, 0, :]).ravel()
        out[j] = np.bincount(s, weights=d, minlength=p)[:p] / np.array([comb(p - 1, k) for k in range(p)])
    return out


def complete_dominance(r2: np.ndarray, p: int, tol: float = 1e-12) -> np.ndarray:
    """``out[i, j]`` is True when driver i completely dominates driver j.

    i dominates j completely when ``R²(S + i) >= R²(S + j)`` for every subset S of the other drivers,
    strictly for at least one (Budescu 1993).
    """
    out = np.zeros((p, p), dtype=bool)
    for i in range(p):
        for j in range(i + 1, p):
            v = r2.reshape(2 ** (p - j - 1), 2, 2 ** (j - i - 1), 2, 2**i)
            d = v[:, 0, :, 1, :] - v[:, 1, :, 0, :]   # R²(S + i) - R²(S + j)
            out[i, j] = bool((d >= -tol).all() and (d > tol).any())
            out[j, i] = bool((d <= tol).all() and (d < -tol).any())
    return out


def _split(corr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    corr = np.asarray(corr, dtype=float)
    return corr[..., :-1, :-1], corr[..., :-1, -1]


def standardized_betas(corr: np.ndarray) -> np.ndarray:
    """Standardized regression coefficients ``R_xx^-1 r_xy``, shape ``(..., p)``."""
    rxx, rxy = _split(corr)
    return np.linalg.solve(rxx, rxy[..., None])[..., 0]


def first(corr: np.ndarray) -> np.ndarray:
    """R² of each driver alone (squared zero-order correlation)."""
    return _split(corr)[1] ** 2


def last(corr: np.ndarray) -> np.ndarray:
    """Drop in R² when each driver is removed last: ``beta_j**2 / (R_xx^-1)_jj``."""
    rxx, _ = _split(corr)
    inv_diag = np.diagonal(np.linalg.inv(rxx), axis1=-2, axis2=-1)
    return standardized_betas(corr) ** 2 / inv_diag


def pratt(corr: np.ndarray) -> np.ndarray:
    """Pratt's measure ``beta_j * r_jy`` (sums to R², can be negative)."""
    return standardized_betas(corr) * _split(corr)[1]


def betasq(corr: np.ndarray) -> np.ndarray:
    """Squared standardized coefficients."""
    return standardized_betas(corr) ** 2


def johnson(corr: np.ndarray) -> np.ndarray:
    """Johnson's (2000) relative weights, shape ``(..., p)``; they sum to the full-model R².

    With ``R_xx = V diag(l) V'``, the orthogonal counterparts Z of the drivers have loadings
    ``L = V diag(sqrt l) V'``; the outcome's coefficients on Z are ``b = V diag(1/sqrt l) V' r_xy`` and
    driver j's weight is ``sum_k L_jk**2 b_k**2``.

    Examples
    --------
    >>> c = np.array([[1.0, 0.0, 0.6], [0.0, 1.0, 0.3], [0.6, 0.3, 1.0]])
    >>> johnson(c).round(4).tolist()
    [0.36, 0.09]
    """
    rxx, rxy = _split(corr)
    lam, vec = np.linalg.eigh(rxx)
    root = np.sqrt(np.clip(lam, 0.0, None))
    load = (vec * root[..., None, :]) @ np.swapaxes(vec, -1, -2)
    b = ((vec / root[..., None, :]) @ np.swapaxes(vec, -1, -2) @ rxy[..., None])[..., 0]
    return (load**2 * (b**2)[..., None, :]).sum(axis=-1)


def sampled_shapley(corr: np.ndarray, n_permutations: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Shapley values estimated from random driver orderings, with their Monte Carlo standard errors.

    For each ordering, one Cholesky factorisation of the permuted correlation matrix gives every
    sequential R² increment at once (the squared entries of the outcome's row). Orderings come in
    antithetic pairs (an ordering and its reverse), which lowers the variance; the standard error is
    computed over the pair means.

    Returns
    -------
    (estimate, se) : two arrays of shape ``(p,)``
    """
    corr = np.asarray(corr, dtype=float)
    p = corr.shape[-1] - 1
    rng = np.random.default_rng(seed)
    n_pairs = max(2, (n_permutations + 1) // 2)
    perms = np.argsort(rng.random((n_pairs, p)), axis=1)
    perms = np.concatenate([perms, perms[:, ::-1]])
    order = np.concatenate([perms, np.full((len(perms), 1), p)], axis=1)
    mats = corr[order[:, :, None], order[:, None, :]]
    chol = np.linalg.cholesky(mats)
    inc = np.empty((len(perms), p))
    np.put_along_axis(inc, perms, chol[:, p, :p] ** 2, axis=1)
    pair_means = (inc[:n_pairs] + inc[n_pairs:]) / 2
    return pair_means.mean(axis=0), pair_means.std(axis=0, ddof=1) / np.sqrt(n_pairs)


def bootstrap_corr(x: np.ndarray, w: np.ndarray | None, n_boot: int, seed: int = 0,
                   chunk: int = 50) -> np.ndarray:
    """Correlation matrices of ``n_boot`` case resamples of the rows of ``x``, shape ``(n_boot, m, m)``.

    Each resample draws n rows with replacement (``rng.integers``); its weighted moments come from one
    matrix product of the resample counts with the column cross-products, so rows are never copied.
    """
    x = np.asarray(x, dtype=float)
    n, m = x.shape
    w = np.ones(n) if w is None else np.asarray(w, dtype=float)
    xc = x - np.average(x, axis=0, weights=w)
    iu = np.triu_indices(m)
    prods = np.column_stack([w, xc * w[:, None], xc[:, iu[0]] * xc[:, iu[1]] * w[:, None]])
    rng = np.random.default_rng(seed)
    out = np.empty((n_boot, m, m))
    for start in range(0, n_boot, chunk):
        b = min(chunk, n_boot - start)
        counts = np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(b)]).astype(float)
        mom = counts @ prods
        s0, mean = mom[:, :1], mom[:, 1:m + 1] / mom[:, :1]
        upper = mom[:, m + 1:] / s0 - mean[:, iu[0]] * mean[:, iu[1]]
        cov = np.empty((b, m, m))
        cov[:, iu[0], iu[1]] = upper
        cov[:, iu[1], iu[0]] = upper
        sd = np.sqrt(np.diagonal(cov, axis1=1, axis2=2))
        out[start:start + b] = cov / (sd[:, :, None] * sd[:, None, :])
    return out


def logit_fit(x: np.ndarray, y: np.ndarray, w: np.ndarray | None = None, max_iter: int = 100,
              tol: float = 1e-10) -> tuple[np.ndarray, float]:
    """Weighted logistic regression by Newton-Raphson; returns (coefficients incl. intercept first, log-lik).

    Raises
    ------
    ArithmeticError
        When Newton's method does not converge (e.g. complete separation).
    """
    n = len(y)
    w = np.ones(n) if w is None else np.asarray(w, dtype=float)
    design = np.column_stack([np.ones(n), x])
    beta = np.zeros(design.shape[1])
    for _ in range(max_iter):
        mu = 1.0 / (1.0 + np.exp(-(design @ beta)))
        hess = design.T @ (design * (w * mu * (1 - mu))[:, None])
        step = np.linalg.solve(hess, design.T @ (w * (y - mu)))
        beta = beta + step
        if np.abs(step).max() < tol:
            break
    else:
        raise ArithmeticError("logistic regression did not converge (separation?)")
    eta = design @ beta
    llf = float(np.sum(w * (y * eta - np.logaddexp(0.0, eta))))
    return beta, llf


def logit_subset_r2(x: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """McFadden's pseudo-R² ``1 - llf(S) / llf(null)`` of a logistic regression on every subset of the
    columns of ``x`` (2**p fits), indexed like :func:`subset_r2`."""
    n, p = x.shape
    w = np.ones(n) if w is None else np.asarray(w, dtype=float)
    ybar = np.average(y, weights=w)
    ll0 = float(np.sum(w * (y * np.log(ybar) + (1 - y) * np.log(1 - ybar))))
    out = np.zeros(2**p)
    for i in range(1, 2**p):
        cols = [j for j in range(p) if i >> j & 1]
        out[i] = 1.0 - logit_fit(x[:, cols], y, w)[1] / ll0
    return out


def logit_johnson(x: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """Logistic relative weights (Tonidandel & LeBreton 2010), shape ``(p,)``.

    The drivers are replaced by their closest orthogonal counterparts Z, y is regressed on Z by logistic
    regression and the coefficients are standardised as ``b_k * sd(Z_k) * R / sd(logit(p_hat))`` with R
    the correlation of y and the fitted probabilities; weights are ``sum_k L_jk**2 beta_k**2`` with L the
    loadings of the drivers on Z. They sum to R² = cor(y, p_hat)**2, not to a pseudo-R².
    """
    n, p = x.shape
    w = np.ones(n) if w is None else np.asarray(w, dtype=float)
    corr = weighted_corr(x, w)
    xs = (x - np.average(x, axis=0, weights=w)) / np.sqrt(np.average((x - np.average(x, axis=0, weights=w))**2, axis=0, weights=w))
    lam, vec = np.linalg.eigh(corr)
    load = (vec * np.sqrt(lam)) @ vec.T
    z = xs @ (vec / np.sqrt(lam)) @ vec.T
    beta, _ = logit_fit(z, y, w)
    eta = beta[0] + z @ beta[1:]
    prob = 1.0 / (1.0 + np.exp(-eta))
    r = weighted_corr(np.column_stack([y, prob]), w)[0, 1]
    sd = lambda v: np.sqrt(np.average((v - np.average(v, weights=w)) ** 2, weights=w))  # noqa: E731
    std_b = beta[1:] * np.array([sd(z[:, k]) for k in range(p)]) * r / sd(eta)
    return (load**2 * std_b**2).sum(axis=1)
