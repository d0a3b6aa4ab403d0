"""Relative importance: each driver's share of what the attribute ratings (or comment themes) explain.

``relative_importance`` splits the model R² among the drivers (exact Shapley/LMG, Johnson's relative
weights, first/last/Pratt/betas) from the weighted correlation matrix, with bootstrap CIs;
``importance_by`` repeats the analysis by segment. Theme indicators (0/1 or boolean columns) can be
passed as drivers beside the ratings. The numerical engine is :mod:`cxlib.drivers._engine`; the columns
are validated once by :func:`cxlib.drivers._prepare.prepare`.
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd

from .._checks import by_list, need_columns
from ..data import is_table, row_count
from ..errors import DataError, ParameterError
from . import _engine as eng
from ._moments import jackknife as jackknife_corr
from ._moments import jackknife_intervals
from ._prepare import outcome_scale, prepare
from .fitting import METHODS, DriverOptions

__all__ = ["METHODS", "importance_by", "relative_importance"]

_CORR_METHODS = {"johnson": eng.johnson, "first": eng.first, "last": eng.last, "pratt": eng.pratt,
                 "betasq": eng.betasq}
_CHUNK_SUBSETS = 2**22


def _from_corr(corr: np.ndarray, opts: DriverOptions):
    """Importance for a stack of correlation matrices ``(b, m, m)`` -> (values (b, p), se or None, label)."""
    p, method = corr.shape[-1] - 1, opts.engine_method
    if method != "shapley":
        return _CORR_METHODS[method](corr), None, method
    if p > opts.exact_limit:
        est = [eng.sampled_shapley(c, opts.n_permutations, opts.seed) for c in corr]
        return np.array([e[0] for e in est]), np.array([e[1] for e in est]), "shapley-sampled"
    chunk = max(1, _CHUNK_SUBSETS // 2**p)
    vals = [eng.shapley(eng.subset_r2(corr[i:i + chunk]), p) for i in range(0, len(corr), chunk)]
    return np.concatenate(vals), None, "shapley"


def _from_rows(x, y, w, opts: DriverOptions, full=None):
    """Importance (p,), se, label, full-model R² and standardized coefficients for one data set."""
    if opts.kind == "ols":
        corr = eng.weighted_corr(np.column_stack([x, y]), w) if full is None else full
        vals, se, label = _from_corr(corr[None], opts)
        beta = eng.standardized_betas(corr)
        return vals[0], None if se is None else se[0], label, float(beta @ corr[:-1, -1]), beta
    p = x.shape[1]
    beta = eng.logit_fit((x - x.mean(0)) / x.std(0), y, w)[0][1:]
    if opts.engine_method == "shapley" and p <= opts.exact_limit:
        r2 = eng.logit_subset_r2(x, y, w)
        return eng.shapley(r2, p), None, "logit-shapley (McFadden R²)", float(r2[-1]), beta
    vals = eng.logit_johnson(x, y, w)
    return vals, None, "logit-relative-weights (R² = cor(y, p̂)²)", float(vals.sum()), beta


def _estimate(prep, opts: DriverOptions):
    """The point estimate: importance, its se (sampled Shapley) or None, label, R² and betas."""
    if prep.corr is None:
        return _from_rows(prep.x, prep.y, prep.w, opts, prep.full)
    vals, se, label = _from_corr(prep.corr[None], opts)      # pairwise
    beta = eng.standardized_betas(prep.corr)
    return vals[0], None if se is None else se[0], label, float(beta @ prep.corr[:-1, -1]), beta


def relative_importance(data: pd.DataFrame, *, score: str = "nps", drivers: list[str], weight: str | None = None,
                        scale=None, id_col: str = "response_id", options: DriverOptions | None = None,
                        **fitting) -> pd.DataFrame:
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
    weight : str, optional
        Survey-weight column (weighted correlations / weighted likelihood).
    scale : Scale, (min, max), False or None
        Allowed range of the score; None uses the default scale when ``score`` is nps/csat/ces.
    id_col : str
        The response id column the jackknife groups by.
    options : DriverOptions, optional
        How the model is fitted and resampled (see :class:`~cxlib.drivers.DriverOptions`).
    **fitting
        Or the same options as keywords, without ``options=``: ``method`` ("shapley"/"lmg", "johnson",
        "first", "last", "pratt", "beta"), ``kind`` ("ols", "logit"), ``bootstrap`` (case resamples for
        percentile CIs, DataFrames only), ``seed``, ``confidence``, ``missing`` ("listwise", "pairwise"),
        ``max_exact``, ``n_permutations``, ``min_n`` and ``jackknife`` (a random-groups jackknife with this
        many groups, 2–256, on any engine: responses grouped by the MD5 of ``seed`` and ``id_col``, each
        group left out in turn, the interval the estimate ± t(G − 1) jackknife standard errors; a rank
        interval runs from 1 + the number of drivers surely above to p − the number surely below;
        ``n_boot`` is then G).

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
    >>> opts = DriverOptions(method="johnson", bootstrap=50, seed=1)
    >>> relative_importance(load_responses(), drivers=["support_speed", "ease_of_use"], options=opts)["method"].iloc[0]
    'johnson'
    """
    opts = DriverOptions.resolve(options, fitting, func="relative_importance")
    if opts.bootstrap and is_table(data):
        raise ParameterError("relative_importance: a row bootstrap needs rows in pandas; on a database table (or "
                             "instead) use jackknife=G, the random-groups jackknife (e.g. jackknife=50)")
    prep = prepare(data, score=score, drivers=drivers, weight=weight, kind=opts.kind, missing=opts.missing,
                   scale=outcome_scale(score, scale),
                   groups=(id_col, opts.jackknife, opts.seed) if opts.jackknife and is_table(data) else None)
    vals, se, label, r2, beta = _estimate(prep, opts)
    out = pd.DataFrame({"driver": list(drivers), "importance": vals, "share": vals / vals.sum()})
    out["rank"] = out["importance"].rank(ascending=False, method="min").astype(int)
    out["sign"] = np.where(beta >= 0, "+", "-")
    out["r"] = prep.r
    out["beta"] = beta
    out["sign_conflict"] = np.sign(beta) != np.sign(prep.r)
    out["importance_se"] = np.nan if se is None else se
    if opts.bootstrap:
        _bootstrap_columns(out, prep, opts)
    if opts.jackknife:
        _jackknife_columns(out, data, prep, drivers, score, weight, id_col, opts)
    out["r2"] = r2
    out["n"] = prep.n
    out["n_dropped"] = prep.n_dropped
    out["pct_dropped"] = 100 * prep.n_dropped / (prep.n + prep.n_dropped) if prep.n + prep.n_dropped else 0.0
    out["most_missing"] = prep.most_missing
    if out["pct_dropped"].iloc[0] > 50:
        warnings.warn(f"relative_importance: listwise deletion drops {out['pct_dropped'].iloc[0]:.0f}% of the rows "
                      f"({prep.n_dropped:,} of {prep.n + prep.n_dropped:,}); {prep.dropped}. "
                      f"{prep.most_missing!r} costs the most rows: consider leaving it out", stacklevel=2)
    out["small_base"] = prep.n < (max(100, 10 * len(drivers)) if opts.min_n is None else opts.min_n)
    out["method"] = label
    return out.sort_values(["rank", "driver"], kind="stable").reset_index(drop=True)


def _bootstrap_columns(out: pd.DataFrame, prep, opts: DriverOptions) -> None:
    """Percentile intervals of importance, share and rank from ``opts.bootstrap`` case resamples."""
    boot = _bootstrap(prep, opts)
    boot = boot[np.isfinite(boot).all(axis=1)]          # resamples with a constant column fail
    usable = len(boot) >= opts.bootstrap / 2
    alpha = (1 - opts.confidence) / 2
    shares = boot / boot.sum(axis=1, keepdims=True)
    ranks = (-boot).argsort(axis=1).argsort(axis=1) + 1
    for name, arr in (("importance", boot), ("share", shares), ("rank", ranks)):
        out[f"{name}_ci_low"] = np.quantile(arr, alpha, axis=0) if usable else np.nan
        out[f"{name}_ci_high"] = np.quantile(arr, 1 - alpha, axis=0) if usable else np.nan
    out["n_boot"] = len(boot)


def _jackknife_columns(out, data, prep, drivers, score, weight, id_col, opts: DriverOptions) -> None:
    """Jackknife intervals of importance, share and rank (see ``jackknife`` in :func:`relative_importance`)."""
    if prep.full is None:
        raise DataError("jackknife intervals need missing='listwise'")
    rows = data if is_table(data) else prep.frame.assign(**{id_col: data.loc[prep.frame.index, id_col]}) \
        if id_col in data.columns else data
    reps = jackknife_corr(rows, [*drivers, score], weight, prep.centre, id_col=id_col, groups=opts.jackknife,
                          seed=opts.seed, mom=prep.group_moments)[()]
    vals = _from_corr(reps, opts)[0]
    keep = np.isfinite(vals).all(axis=1)
    vals = vals[keep]
    for name, est, arr in (("importance", out["importance"].to_numpy(), vals),
                           ("share", out["share"].to_numpy(), vals / vals.sum(axis=1, keepdims=True))):
        out[f"{name}_ci_low"], out[f"{name}_ci_high"] = jackknife_intervals(est, arr, opts.confidence)
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


def _bootstrap(prep, opts: DriverOptions) -> np.ndarray:
    if prep.corr is not None:
        raise DataError("bootstrap CIs need missing='listwise' (a pairwise matrix has no resampling unit)")
    if opts.kind == "ols":
        corrs = eng.bootstrap_corr(np.column_stack([prep.x, prep.y]), prep.w, opts.bootstrap, opts.seed)
        return _from_corr(corrs, opts)[0]
    rng = np.random.default_rng(opts.seed)
    out = []
    for _ in range(opts.bootstrap):
        idx = rng.integers(0, prep.n, prep.n)
        try:
            out.append(_from_rows(prep.x[idx], prep.y[idx], None if prep.w is None else prep.w[idx], opts)[0])
        except (ArithmeticError, np.linalg.LinAlgError):   # separation or a constant column in the resample
            out.append(np.full(prep.x.shape[1], np.nan))
    return np.array(out)


def importance_by(data: pd.DataFrame, *, by: str | list[str], score: str = "nps", drivers: list[str],
                  weight: str | None = None, scale=None, id_col: str = "response_id",
                  options: DriverOptions | None = None, **fitting) -> pd.DataFrame:
    """:func:`relative_importance` within each segment; small or degenerate segments are suppressed.

    Parameters
    ----------
    by : str or list of str
        The segment column(s).
    score, drivers, weight, scale, id_col, options, **fitting
        As in :func:`relative_importance`; ``min_n`` (default ``max(100, 10 * p)``) is also the base
        below which a segment is suppressed.

    Returns
    -------
    pandas.DataFrame
        The :func:`relative_importance` columns with the ``by`` column(s) first, plus ``suppressed``
        (True when the segment has fewer than ``min_n`` rows, or its model cannot be fitted: importance
        and share are NaN there) and ``note`` (why).

    Examples
    --------
    >>> from cxlib.data import load_responses
    >>> by_region = importance_by(load_responses(), by="region", score="nps", drivers=["support_speed", "ease_of_use"])
    >>> sorted(by_region["region"].unique())
    ['APAC', 'EMEA', 'LATAM', 'North America']
    """
    by = by_list(by)
    need_columns(data, by, where="importance_by")
    opts = DriverOptions.resolve(options, fitting, func="importance_by")
    min_n = max(100, 10 * len(drivers)) if opts.min_n is None else opts.min_n
    opts = replace(opts, min_n=min_n)
    parts = []
    for key, group in _groups(data, by):
        note = ""
        try:
            res = relative_importance(group, score=score, drivers=drivers, weight=weight, scale=scale, id_col=id_col,
                                      options=opts)
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
