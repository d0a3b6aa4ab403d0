"""Relative importance: each driver's share of what the attribute ratings (or comment themes) explain.

``relative_importance`` splits the model R² among the drivers (exact Shapley/LMG, Johnson's relative
weights, first/last/Pratt/betas) from the weighted correlation matrix, with bootstrap CIs;
``importance_by`` repeats the analysis by segment. Theme indicators (0/1 or boolean columns) can be
passed as drivers beside the ratings. The numerical engine is :mod:`cxlib.drivers._engine`; the columns
are validated once by :func:`cxlib.drivers._prepare.prepare`.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._checks import by_list, check_choice, check_confidence, need_columns
from ..data import is_table, row_count
from ..errors import DataError, ParameterError
from . import _engine as eng
from ._moments import jackknife as jackknife_corr
from ._moments import jackknife_intervals
from ._prepare import outcome_scale, prepare

__all__ = ["METHODS", "importance_by", "relative_importance"]

#: Accepted ``method`` names and the method they mean.
METHODS = {"shapley": "shapley", "lmg": "shapley", "general_dominance": "shapley",
           "johnson": "johnson", "relative_weights": "johnson", "first": "first", "last": "last",
           "pratt": "pratt", "beta": "betasq", "betasq": "betasq"}
_CORR_METHODS = {"johnson": eng.johnson, "first": eng.first, "last": eng.last, "pratt": eng.pratt,
                 "betasq": eng.betasq}
_CHUNK_SUBSETS = 2**22


def _method(method: str) -> str:
    return METHODS[check_choice(method, METHODS, param="method", func="relative_importance")]


def _from_corr(corr: np.ndarray, method: str, max_exact: int, n_permutations: int, seed: int):
    """Importance for a stack of correlation matrices ``(b, m, m)`` -> (values (b, p), se or None, label)."""
    p = corr.shape[-1] - 1
    if method != "shapley":
        return _CORR_METHODS[method](corr), None, method
    if p > max_exact:
        est = [eng.sampled_shapley(c, n_permutations, seed) for c in corr]
        return np.array([e[0] for e in est]), np.array([e[1] for e in est]), "shapley-sampled"
    chunk = max(1, _CHUNK_SUBSETS // 2**p)
    vals = [eng.shapley(eng.subset_r2(corr[i:i + chunk]), p) for i in range(0, len(corr), chunk)]
    return np.concatenate(vals), None, "shapley"


def _from_rows(x, y, w, method, kind, max_exact, n_permutations, seed, full=None):
    """Importance (p,), se, label, full-model R² and standardized coefficients for one data set."""
    if kind == "ols":
        corr = eng.weighted_corr(np.column_stack([x, y]), w) if full is None else full
        vals, se, label = _from_corr(corr[None], method, max_exact, n_permutations, seed)
        beta = eng.standardized_betas(corr)
        return vals[0], None if se is None else se[0], label, float(beta @ corr[:-1, -1]), beta
    p = x.shape[1]
    beta = eng.logit_fit((x - x.mean(0)) / x.std(0), y, w)[0][1:]
    if method == "shapley" and p <= max_exact:
        r2 = eng.logit_subset_r2(x, y, w)
        return eng.shapley(r2, p), None, "logit-shapley (McFadden R²)", float(r2[-1]), beta
    vals = eng.logit_johnson(x, y, w)
    return vals, None, "logit-relative-weights (R² = cor(y, p̂)²)", float(vals.sum()), beta


def relative_importance(data: pd.DataFrame, *, score: str = "nps", drivers: list[str],
                        method: str = "shapley", weight: str | None = None, kind: str = "ols",
                        bootstrap: int = 0, seed: int = 0, confidence: float = 0.95, missing: str = "listwise",
                        scale=None, max_exact: int | None = None, n_permutations: int = 2000,
                        min_n: int | None = None, jackknife: int = 0, id_col: str = "response_id") -> pd.DataFrame:
    """Each driver's share of the explained variance of ``score``.

    Parameters
    ----------
    data : pandas.DataFrame or Ibis table
        On a table (DuckDB, PostgreSQL, Spark) the correlation matrix is built from cross-product sums
        pushed down (``kind="ols"``, listwise only); intervals then come from ``jackknife``.
    score : str
        The column explained: numeric (``kind="ols"``) or 0/1 / boolean (``kind="logit"``).
    drivers : list of str
        Numeric rating columns and/or 0/1 theme indicators.
    method : str
        ``"shapley"`` (= ``"lmg"``, general dominance; exact over all 2**p subsets up to ``max_exact``
        drivers, then sampled Shapley with a Monte Carlo standard error), ``"johnson"`` (relative
        weights), ``"first"`` (r²), ``"last"`` (R² drop when removed), ``"pratt"`` (beta·r) or
        ``"beta"`` (squared standardized coefficients).
    weight : str, optional
        Survey-weight column (weighted correlations / weighted likelihood).
    kind : {"ols", "logit"}
        ``"logit"``: exact Shapley on McFadden's pseudo-R² up to ``max_exact`` (default 10) drivers,
        logistic relative weights (Tonidandel & LeBreton 2010) beyond that or for ``method="johnson"``.
    bootstrap : int
        Number of case resamples for percentile CIs (0 = none; DataFrames only: it needs rows). ``seed``
        seeds them.
    jackknife : int
        Intervals without rows, on any engine: a random-groups jackknife with this many groups (2–256;
        0 = none). Responses are grouped by the MD5 of ``seed`` and ``id_col`` (the same groups
        everywhere), each group is left out in turn, and the interval is the estimate ± t(G − 1) times
        the jackknife standard error; a rank interval runs from 1 + the number of drivers surely above
        (interval wholly higher) to p − the number surely below. ``n_boot`` is then G.
    id_col : str
        The response id column the jackknife groups by.
    confidence : float
        Confidence level of the intervals.
    missing : {"listwise", "pairwise"}
        Pairwise only for ``kind="ols"``, and only when the pairwise matrix is positive definite.
    scale : Scale, (min, max), False or None
        Allowed range of the score; None uses the default scale when ``score`` is nps/csat/ces.
    max_exact : int, optional
        Most drivers for exact Shapley (default 24 for ols, 10 for logit).
    n_permutations : int
        Orderings for sampled Shapley.
    min_n : int, optional
        Rows below which the result is flagged ``small_base`` (default ``max(100, 10 * p)``).

    Returns
    -------
    pandas.DataFrame
        One row per driver, sorted by rank: ``driver``; ``importance`` (contribution to the model fit;
        they sum to ``r2``); ``share`` (importance / r2, sums to 1); ``rank`` (1 = most important);
        ``sign`` ("+"/"-", of the standardized coefficient in the full model); ``r`` (correlation with the
        score); ``beta`` (standardized coefficient); ``sign_conflict`` (the coefficient's sign differs
        from the correlation's: suppression or collinearity); ``importance_se`` (Monte Carlo error of
        sampled Shapley, else NaN); with ``bootstrap > 0``: ``importance_ci_low/high``,
        ``share_ci_low/high``, ``rank_ci_low/high``; then ``r2`` (model R² or pseudo-R²), ``n`` (rows
        used), ``n_dropped`` (rows dropped for missing values), ``pct_dropped`` (their share, %, of the
        rows given), ``most_missing`` (the column missing in the most rows; "" when none is), with
        ``bootstrap > 0`` ``n_boot`` (usable resamples: those with a constant column fail; with fewer
        than half usable the CIs are NaN), ``small_base`` and ``method`` (what was computed, e.g.
        "shapley", "shapley-sampled", "logit-shapley (McFadden R²)"). Dropping more than half of the
        rows warns, naming the costliest column.

    Examples
    --------
    >>> from cxlib.data import load_responses
    >>> ri = relative_importance(load_responses(), score="nps", drivers=["support_speed", "ease_of_use", "billing_clarity"])
    >>> ri["driver"].tolist()
    ['support_speed', 'ease_of_use', 'billing_clarity']
    >>> float(round(ri["share"].sum(), 6))
    1.0
    """
    method = _method(method)
    check_choice(kind, ("ols", "logit"), param="kind", func="relative_importance")
    if bootstrap and (jackknife or is_table(data)):
        raise ParameterError("relative_importance: a row bootstrap needs rows in pandas; on a database table (or "
                             "instead) use jackknife=G, the random-groups jackknife (e.g. jackknife=50)")
    confidence = check_confidence(confidence, func="relative_importance")
    prep = prepare(data, score=score, drivers=drivers, weight=weight, kind=kind, missing=missing,
                   scale=outcome_scale(score, scale),
                   groups=(id_col, jackknife, seed) if jackknife and is_table(data) else None)
    p = len(drivers)
    max_exact = (24 if kind == "ols" else 10) if max_exact is None else max_exact
    if prep.corr is not None:   # pairwise
        vals, se, label = _from_corr(prep.corr[None], method, max_exact, n_permutations, seed)
        vals, se = vals[0], None if se is None else se[0]
        beta = eng.standardized_betas(prep.corr)
        r2 = float(beta @ prep.corr[:-1, -1])
    else:
        vals, se, label, r2, beta = _from_rows(prep.x, prep.y, prep.w, method, kind, max_exact,
                                               n_permutations, seed, prep.full)
    r = prep.r
    out = pd.DataFrame({"driver": list(drivers), "importance": vals, "share": vals / vals.sum()})
    out["rank"] = out["importance"].rank(ascending=False, method="min").astype(int)
    out["sign"] = np.where(beta >= 0, "+", "-")
    out["r"] = r
    out["beta"] = beta
    out["sign_conflict"] = np.sign(beta) != np.sign(r)
    out["importance_se"] = np.nan if se is None else se
    if bootstrap:
        boot = _bootstrap(prep, method, kind, max_exact, n_permutations, bootstrap, seed)
        boot = boot[np.isfinite(boot).all(axis=1)]          # resamples with a constant column fail
        usable = len(boot) >= bootstrap / 2
        alpha = (1 - confidence) / 2
        shares = boot / boot.sum(axis=1, keepdims=True)
        ranks = (-boot).argsort(axis=1).argsort(axis=1) + 1
        for name, arr in (("importance", boot), ("share", shares), ("rank", ranks)):
            out[f"{name}_ci_low"] = np.quantile(arr, alpha, axis=0) if usable else np.nan
            out[f"{name}_ci_high"] = np.quantile(arr, 1 - alpha, axis=0) if usable else np.nan
        out["n_boot"] = len(boot)
    if jackknife:
        _jackknife_columns(out, data, prep, drivers, score, weight, method, max_exact, n_permutations,
                           jackknife, seed, id_col, confidence)
    out["r2"] = r2
    out["n"] = prep.n
    out["n_dropped"] = prep.n_dropped
    out["pct_dropped"] = 100 * prep.n_dropped / (prep.n + prep.n_dropped) if prep.n + prep.n_dropped else 0.0
    out["most_missing"] = prep.most_missing
    if out["pct_dropped"].iloc[0] > 50:
        warnings.warn(f"relative_importance: listwise deletion drops {out['pct_dropped'].iloc[0]:.0f}% of the rows "
                      f"({prep.n_dropped:,} of {prep.n + prep.n_dropped:,}); {prep.dropped}. "
                      f"{prep.most_missing!r} costs the most rows: consider leaving it out", stacklevel=2)
    out["small_base"] = prep.n < (max(100, 10 * p) if min_n is None else min_n)
    out["method"] = label
    return out.sort_values(["rank", "driver"], kind="stable").reset_index(drop=True)


def _jackknife_columns(out, data, prep, drivers, score, weight, method, max_exact, n_permutations, groups, seed,
                       id_col, confidence) -> None:
    """Jackknife intervals of importance, share and rank (see ``jackknife`` in :func:`relative_importance`)."""
    if prep.full is None:
        raise DataError("jackknife intervals need missing='listwise'")
    rows = data if is_table(data) else prep.frame.assign(**{id_col: data.loc[prep.frame.index, id_col]}) \
        if id_col in data.columns else data
    reps = jackknife_corr(rows, [*drivers, score], weight, prep.centre, id_col=id_col, groups=groups, seed=seed,
                          mom=prep.group_moments)[()]
    vals = _from_corr(reps, method, max_exact, n_permutations, seed)[0]
    keep = np.isfinite(vals).all(axis=1)
    vals = vals[keep]
    for name, est, arr in (("importance", out["importance"].to_numpy(), vals),
                           ("share", out["share"].to_numpy(), vals / vals.sum(axis=1, keepdims=True))):
        out[f"{name}_ci_low"], out[f"{name}_ci_high"] = jackknife_intervals(est, arr, confidence)
    lo, hi = out["importance_ci_low"].to_numpy(), out["importance_ci_high"].to_numpy()
    out["rank_ci_low"] = 1 + (lo[None, :] > hi[:, None]).sum(axis=1)     # drivers surely above
    out["rank_ci_high"] = len(out) - (hi[None, :] < lo[:, None]).sum(axis=1)
    out["n_boot"] = int(keep.sum())


def _groups(data, by: list[str]):
    """(key tuple, rows) per group of ``by``: pandas groups, or filtered tables for an Ibis table."""
    if not is_table(data):
        for key, group in data.groupby(by, observed=True, sort=True):
            yield (key if isinstance(key, tuple) else (key,)), group
        return
    keys = data.select(*by).distinct().execute().dropna().sort_values(by).itertuples(index=False, name=None)
    for key in keys:
        yield key, data.filter(*[data[c] == v for c, v in zip(by, key)])


def _bootstrap(prep, method, kind, max_exact, n_permutations, n_boot, seed) -> np.ndarray:
    if prep.corr is not None:
        raise DataError("bootstrap CIs need missing='listwise' (a pairwise matrix has no resampling unit)")
    if kind == "ols":
        corrs = eng.bootstrap_corr(np.column_stack([prep.x, prep.y]), prep.w, n_boot, seed)
        return _from_corr(corrs, method, max_exact, n_permutations, seed)[0]
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_boot):
        idx = rng.integers(0, prep.n, prep.n)
        try:
            out.append(_from_rows(prep.x[idx], prep.y[idx], None if prep.w is None else prep.w[idx], method,
                                  kind, max_exact, n_permutations, seed)[0])
        except (ArithmeticError, np.linalg.LinAlgError):   # separation or a constant column in the resample
            out.append(np.full(prep.x.shape[1], np.nan))
    return np.array(out)


def importance_by(data: pd.DataFrame, *, by: str | list[str], score: str = "nps", drivers: list[str],
                  min_n: int | None = None, **kwargs) -> pd.DataFrame:
    """:func:`relative_importance` within each segment; small or degenerate segments are suppressed.

    Returns
    -------
    pandas.DataFrame
        The :func:`relative_importance` columns with the ``by`` column(s) first, plus ``suppressed``
        (True when the segment has fewer than ``min_n`` rows, default ``max(100, 10 * p)``, or its
        model cannot be fitted: importance and share are NaN there) and ``note`` (why).

    Examples
    --------
    >>> from cxlib.data import load_responses
    >>> by_region = importance_by(load_responses(), by="region", score="nps", drivers=["support_speed", "ease_of_use"])
    >>> sorted(by_region["region"].unique())
    ['APAC', 'EMEA', 'LATAM', 'North America']
    """
    by = by_list(by)
    need_columns(data, by, where="importance_by")
    min_n = max(100, 10 * len(drivers)) if min_n is None else min_n
    parts = []
    for key, group in _groups(data, by):
        note = ""
        try:
            res = relative_importance(group, score=score, drivers=drivers, min_n=min_n, **kwargs)
            if res["n"].iloc[0] < min_n:
                note = f"n = {res['n'].iloc[0]} < {min_n}: too few responses to rank drivers"
        except DataError as err:
            size = row_count(group)
            res = pd.DataFrame({"driver": list(drivers), "n": size, "small_base": size < min_n})
            note = str(err)
        if note:
            res = res.assign(importance=np.nan, share=np.nan, rank=np.nan)
        res = res.assign(suppressed=bool(note), note=note)
        for col, val in zip(by[::-1], key[::-1]):
            res.insert(0, col, val)
        parts.append(res)
    return pd.concat(parts, ignore_index=True)
