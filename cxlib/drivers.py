"""Driver analysis: which attribute ratings (or comment themes) move a score, and by how much.

``relative_importance`` splits the model R² among the drivers (exact Shapley/LMG, Johnson's relative
weights, first/last/Pratt/betas) from the weighted correlation matrix, with bootstrap CIs;
``dominance`` reports complete/conditional/general dominance; ``importance_performance`` crosses
importance with performance into action quadrants; ``importance_by`` repeats the analysis by segment;
``fit_drivers`` fits the statsmodels regression with diagnostics. Theme indicators (0/1 or boolean
columns) can be passed as drivers beside the ratings. The numerical engine is :mod:`cxlib.importance`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf

from . import importance as eng
from .config import DEFAULT_SCALES, DataError, Scale

__all__ = [
    "DriverFit",
    "METHODS",
    "QUADRANTS",
    "conditional_importance",
    "dominance",
    "fit_drivers",
    "importance_by",
    "importance_performance",
    "prepare",
    "relative_importance",
]

#: Accepted ``method`` names and the method they mean.
METHODS = {"shapley": "shapley", "lmg": "shapley", "general_dominance": "shapley",
           "johnson": "johnson", "relative_weights": "johnson", "first": "first", "last": "last",
           "pratt": "pratt", "beta": "betasq", "betasq": "betasq"}
_CORR_METHODS = {"johnson": eng.johnson, "first": eng.first, "last": eng.last, "pratt": eng.pratt,
                 "betasq": eng.betasq}
_CHUNK_SUBSETS = 2**22


def _method(method: str) -> str:
    if method not in METHODS:
        raise ValueError(f"method={method!r} is not known; expected one of {sorted(METHODS)}")
    return METHODS[method]


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


def relative_importance(data: pd.DataFrame, *, outcome: str = "nps", drivers: list[str],
                        method: str = "shapley", weight: str | None = None, kind: str = "ols",
                        bootstrap: int = 0, seed: int = 0, ci: float = 0.95, missing: str = "listwise",
                        scale=None, max_exact: int | None = None, n_permutations: int = 2000,
                        min_n: int | None = None) -> pd.DataFrame:
    """Each driver's share of the explained variance of ``outcome``.

    Parameters
    ----------
    data : pandas.DataFrame
    outcome : str
        Numeric score column (``kind="ols"``) or a 0/1 / boolean column (``kind="logit"``).
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
        Number of case resamples for percentile CIs (0 = none). ``seed`` seeds them.
    ci : float
        Confidence level of the intervals.
    missing : {"listwise", "pairwise"}
        Pairwise only for ``kind="ols"``, and only when the pairwise matrix is positive definite.
    scale : Scale, (min, max), False or None
        Allowed outcome range; None uses the default scale when ``outcome`` is nps/csat/ces.
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
        outcome); ``beta`` (standardized coefficient); ``sign_conflict`` (the coefficient's sign differs
        from the correlation's: suppression or collinearity); ``importance_se`` (Monte Carlo error of
        sampled Shapley, else NaN); with ``bootstrap > 0``: ``importance_ci_low/high``,
        ``share_ci_low/high``, ``rank_ci_low/high``; then ``r2`` (model R² or pseudo-R²), ``n`` (rows
        used), ``n_dropped`` (rows dropped for missing values), ``small_base`` and ``method`` (what was
        computed, e.g. "shapley", "shapley-sampled", "logit-shapley (McFadden R²)").

    Examples
    --------
    >>> from cxlib import dataset
    >>> responses = dataset.load_responses()
    >>> ri = relative_importance(responses, outcome="nps", drivers=["support_speed", "ease_of_use", "billing_clarity"])
    >>> ri["driver"].tolist()
    ['support_speed', 'ease_of_use', 'billing_clarity']
    >>> float(round(ri["share"].sum(), 6))
    1.0
    """
    method = _method(method)
    if kind not in ("ols", "logit"):
        raise ValueError(f"kind={kind!r}: expected 'ols' or 'logit'")
    prep = prepare(data, outcome=outcome, drivers=drivers, weight=weight, kind=kind, missing=missing,
                   scale=_scale(outcome, scale))
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
        alpha = (1 - ci) / 2
        shares = boot / boot.sum(axis=1, keepdims=True)
        ranks = (-boot).argsort(axis=1).argsort(axis=1) + 1
        for name, arr in (("importance", boot), ("share", shares), ("rank", ranks)):
            out[f"{name}_ci_low"] = np.quantile(arr, alpha, axis=0)
            out[f"{name}_ci_high"] = np.quantile(arr, 1 - alpha, axis=0)
    out["r2"] = r2
    out["n"] = prep.n
    out["n_dropped"] = prep.n_dropped
    out["small_base"] = prep.n < (max(100, 10 * p) if min_n is None else min_n)
    out["method"] = label
    return out.sort_values(["rank", "driver"], kind="stable").reset_index(drop=True)


def _bootstrap(prep, method, kind, max_exact, n_permutations, n_boot, seed) -> np.ndarray:
    if prep.corr is not None:
        raise ValueError("bootstrap CIs need missing='listwise' (a pairwise matrix has no resampling unit)")
    if kind == "ols":
        corrs = eng.bootstrap_corr(np.column_stack([prep.x, prep.y]), prep.w, n_boot, seed)
        return _from_corr(corrs, method, max_exact, n_permutations, seed)[0]
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_boot):
        idx = rng.integers(0, prep.n, prep.n)
        out.append(_from_rows(prep.x[idx], prep.y[idx], None if prep.w is None else prep.w[idx], method,
                              kind, max_exact, n_permutations, seed)[0])
    return np.array(out)


def _scale(outcome, scale):
    if scale is False:
        return None
    if scale is None:
        return DEFAULT_SCALES.get(outcome)
    return scale if isinstance(scale, Scale) else Scale(*scale)


@dataclass
class _Prepared:
    frame: pd.DataFrame          # rows used, outcome/drivers as float64 (+ controls, weight)
    x: np.ndarray
    y: np.ndarray
    w: np.ndarray | None
    n: int
    n_dropped: int
    dropped: str                 # why rows were dropped, e.g. "nps missing in 12 rows"
    r: np.ndarray                # correlation of each driver with the outcome
    corr: np.ndarray | None = None   # pairwise correlation matrix (missing="pairwise" only)
    full: np.ndarray | None = None   # listwise (weighted) correlation matrix, outcome last


def _where(mask: pd.Series, values: pd.Series | None = None, limit: int = 5) -> str:
    idx = list(mask[mask].index[:limit])
    shown = idx if values is None else [f"{i}: {values[i]!r}" for i in idx]
    more = f" and {int(mask.sum()) - limit} more" if mask.sum() > limit else ""
    return f"rows {shown}{more}"


def _numeric(data: pd.DataFrame, col: str, what: str) -> pd.Series:
    s = data[col]
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        return s.astype("float64")
    num = pd.to_numeric(s, errors="coerce")
    bad = num.isna() & s.notna()
    if bad.any():
        raise DataError(f"{what} column {col!r} must be numeric; non-numeric values in {_where(bad, s)}")
    return num.astype("float64")


def prepare(data, *, outcome, drivers, weight=None, kind="ols", missing="listwise", scale=None,
            controls=()) -> _Prepared:
    """Validate the columns of a driver model and drop incomplete rows; raise DataError naming columns."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    if isinstance(drivers, str) or not len(drivers):
        raise DataError(f"drivers must be a non-empty list of column names, got {drivers!r}")
    drivers, controls = list(drivers), list(controls or [])
    dup = sorted({d for d in drivers if drivers.count(d) > 1} | ({outcome} & set(drivers)))
    if dup:
        raise DataError(f"columns {dup} appear twice among outcome {outcome!r} and drivers")
    cols = [outcome, *drivers, *controls] + ([weight] if weight else [])
    absent = [c for c in cols if c not in data.columns]
    if absent:
        raise DataError(f"columns {absent} are not in the data; available: {list(data.columns)}")
    frame = pd.DataFrame({c: _numeric(data, c, "driver" if c in drivers else "outcome")
                          for c in [outcome, *drivers]}, index=data.index)
    for c in controls:
        frame[c] = data[c]
    empty = [c for c in [outcome, *drivers] if frame[c].isna().all()]
    if empty:
        raise DataError(f"columns {empty} have no values at all (every row is missing)")
    if scale is not None:
        off = frame[outcome].notna() & ~frame[outcome].between(scale.min, scale.max)
        if off.any():
            raise DataError(f"outcome {outcome!r} must lie on its scale {scale.min}-{scale.max}; "
                            f"off-scale values in {_where(off, frame[outcome])}")
    if kind == "logit":
        off = frame[outcome].notna() & ~frame[outcome].isin([0.0, 1.0])
        if off.any():
            raise DataError(f"kind='logit' needs a 0/1 or boolean outcome; {outcome!r} has other values "
                            f"in {_where(off, frame[outcome])}")
    if weight:
        frame[weight] = _numeric(data, weight, "weight")
        neg = (frame[weight] < 0) | np.isinf(frame[weight])
        if neg.any():
            raise DataError(f"weight column {weight!r} must be finite and >= 0; see {_where(neg, frame[weight])}")
    holes = frame.isna()
    keep = ~holes.any(axis=1)
    reasons = ", ".join(f"{c} missing in {k} rows" for c, k in holes.sum().items() if k)
    if missing == "pairwise":
        return _pairwise(frame, outcome, drivers, weight, kind, reasons)
    if missing != "listwise":
        raise ValueError(f"missing={missing!r}: expected 'listwise' or 'pairwise'")
    frame = frame.loc[keep] if not keep.all() else frame
    x = frame[drivers].to_numpy()
    y = frame[outcome].to_numpy()
    w = frame[weight].to_numpy() if weight else None
    full = _check_matrix(np.column_stack([x, y]), w, outcome, drivers)
    return _Prepared(frame, x, y, w, len(frame), int((~keep).sum()), reasons, full[:-1, -1], full=full)


def _pairwise(frame, outcome, drivers, weight, kind, reasons) -> _Prepared:
    if weight or kind != "ols":
        raise ValueError("missing='pairwise' is only available for unweighted kind='ols'")
    cols = [*drivers, outcome]
    counts = frame[cols].notna().astype(int)
    pair_n = (counts.T @ counts).to_numpy()
    n = int(pair_n.min())
    _check_matrix(frame[cols].dropna().to_numpy(), None, outcome, drivers, n)
    corr = frame[cols].corr().to_numpy()
    if np.isnan(corr).any() or np.linalg.eigvalsh(corr).min() <= 1e-10:
        raise DataError(f"the pairwise correlation matrix of {cols} is not positive definite; "
                        "use missing='listwise'")
    return _Prepared(frame, None, None, None, n, int(len(frame) - n), reasons, corr[:-1, -1], corr)


def _check_matrix(xy: np.ndarray, w, outcome: str, drivers: list[str], n: int | None = None) -> np.ndarray:
    """Raise DataError for too few rows, constant or collinear columns; return the correlation matrix."""
    p = len(drivers)
    n = len(xy) if n is None else n
    if n < p + 2:
        raise DataError(f"only {n} usable rows for {p} drivers {drivers}; need at least {p + 2} "
                        "(more rows than drivers + 1)")
    constant = [c for c, span in zip([*drivers, outcome], np.ptp(xy, axis=0)) if span == 0]
    if constant:
        raise DataError(f"columns {constant} are constant in the {n} rows used; a constant cannot "
                        "explain anything: drop it")
    full = eng.weighted_corr(xy, w)
    lam, vec = np.linalg.eigh(full[:-1, :-1])
    if lam[0] < 1e-10:
        involved = [d for d, v in zip(drivers, vec[:, 0]) if abs(v) > 1e-3]
        raise DataError(f"drivers {involved} are perfectly collinear (one is a linear combination of "
                        f"the others; smallest eigenvalue {lam[0]:.1e}); drop one of them")
    return full


@dataclass(frozen=True)
class DriverFit:
    """Result of :func:`fit_drivers`: three tidy tables and the statsmodels results object."""

    coefficients: pd.DataFrame
    fit: pd.DataFrame
    diagnostics: pd.DataFrame
    result: object


def fit_drivers(data: pd.DataFrame, *, outcome: str = "nps", drivers: list[str], controls=None,
                weight: str | None = None, kind: str = "ols", scale=None, ci: float = 0.95) -> DriverFit:
    """Regress ``outcome`` on the drivers (plus controls) with statsmodels; listwise deletion, reported.

    Parameters
    ----------
    data : pandas.DataFrame
    outcome, drivers, weight, scale
        As in :func:`relative_importance`.
    controls : list of str, optional
        Extra columns; text columns enter as categorical ``C()`` terms.
    kind : {"ols", "logit"}
        OLS (WLS with ``weight``) or a binomial GLM with logit link (``weight`` as variance weights).
    ci : float
        Confidence level of the coefficient intervals.

    Returns
    -------
    DriverFit
        ``coefficients``: ``term`` (driver name, ``control[level]`` or ``Intercept``), ``estimate``,
        ``std_err``, ``p_value``, ``ci_low``, ``ci_high``.
        ``fit`` (one row): ``kind``, ``n`` (rows used), ``n_dropped``, ``dropped`` (why), ``r2``,
        ``adj_r2`` (ols; NaN for logit), ``pseudo_r2`` (McFadden; NaN for ols), ``test`` ("F" or "LR"),
        ``statistic``, ``df_model``, ``p_value``, ``condition_number`` (sqrt of the largest over the
        smallest eigenvalue of the drivers' correlation matrix; above 30 signals collinearity).
        ``diagnostics``: ``driver``, ``vif`` (variance inflation given the other drivers and controls),
        ``tolerance`` (1 / vif). ``result``: the statsmodels results.

    Examples
    --------
    >>> from cxlib import dataset
    >>> responses = dataset.load_responses()
    >>> model = fit_drivers(responses, outcome="csat", drivers=["support_speed", "ease_of_use"], controls=["region"])
    >>> model.coefficients["term"].tolist()[:3]
    ['Intercept', 'region[EMEA]', 'region[LATAM]']
    >>> int(model.fit["n"].iloc[0]) == len(responses)
    True
    """
    if kind not in ("ols", "logit"):
        raise ValueError(f"kind={kind!r}: expected 'ols' or 'logit'")
    controls = list(controls or [])
    prep = prepare(data, outcome=outcome, drivers=drivers, weight=weight, kind=kind,
                   scale=_scale(outcome, scale), controls=controls)
    names = {"y": outcome, **{f"x{i}": d for i, d in enumerate(drivers)}}
    frame = pd.DataFrame({"y": prep.y, **{f"x{i}": prep.x[:, i] for i in range(len(drivers))}})
    terms = [f"x{i}" for i in range(len(drivers))]
    for i, c in enumerate(controls):
        col = prep.frame[c].to_numpy()
        frame[f"c{i}"] = col
        names[f"c{i}"] = c
        terms.append(f"c{i}" if pd.api.types.is_numeric_dtype(prep.frame[c]) else f"C(c{i})")
    formula = "y ~ " + " + ".join(terms)
    wts = {} if weight is None else {"weights" if kind == "ols" else "var_weights": prep.w}
    if kind == "ols":
        res = (smf.wls if weight else smf.ols)(formula, data=frame, **wts).fit()
        fit_stats = dict(r2=res.rsquared, adj_r2=res.rsquared_adj, pseudo_r2=np.nan, test="F",
                         statistic=float(res.fvalue), p_value=float(res.f_pvalue))
    else:
        res = smf.glm(formula, data=frame, family=sm.families.Binomial(), **wts).fit()
        lr = 2 * (res.llf - res.llnull)
        fit_stats = dict(r2=np.nan, adj_r2=np.nan, pseudo_r2=1 - res.llf / res.llnull, test="LR",
                         statistic=lr, p_value=_chi2_sf(lr, res.df_model))
    conf = res.conf_int(alpha=1 - ci)
    term = [_term(t, names) for t in res.params.index]
    coefs = pd.DataFrame({"term": term, "estimate": res.params.to_numpy(), "std_err": res.bse.to_numpy(),
                          "p_value": res.pvalues.to_numpy(), "ci_low": conf[0].to_numpy(),
                          "ci_high": conf[1].to_numpy()})
    exog_names = list(res.model.exog_names)[1:]
    vif = np.diag(np.linalg.pinv(np.corrcoef(res.model.exog[:, 1:], rowvar=False)).reshape(len(exog_names), -1))
    vif = vif[[exog_names.index(f"x{i}") for i in range(len(drivers))]]
    lam = np.linalg.eigvalsh(np.corrcoef(prep.x, rowvar=False).reshape(len(drivers), len(drivers)))
    fit = pd.DataFrame([dict(kind=kind, n=prep.n, n_dropped=prep.n_dropped, dropped=prep.dropped or "none",
                             **fit_stats, df_model=float(res.df_model),
                             condition_number=float(np.sqrt(lam.max() / lam.min())))])
    fit = fit[["kind", "n", "n_dropped", "dropped", "r2", "adj_r2", "pseudo_r2", "test", "statistic",
               "df_model", "p_value", "condition_number"]]
    diag = pd.DataFrame({"driver": list(drivers), "vif": vif, "tolerance": 1 / vif})
    return DriverFit(coefs, fit, diag, res)


def _chi2_sf(stat: float, df: float) -> float:
    from scipy.stats import chi2

    return float(chi2.sf(stat, df))


def _term(term: str, names: dict) -> str:
    if term in names:
        return names[term]
    if term.startswith("C(") and ")[T." in term:
        var, level = term[2:].split(")[T.", 1)
        return f"{names[var]}[{level[:-1]}]"
    return term


def _all_subsets(data, outcome, drivers, weight, kind, scale):
    prep = prepare(data, outcome=outcome, drivers=drivers, weight=weight, kind=kind, scale=_scale(outcome, scale))
    p = len(drivers)
    if kind == "logit":
        if p > 12:
            raise ValueError(f"dominance with kind='logit' fits 2**p models; {p} drivers is too many (max 12)")
        return eng.logit_subset_r2(prep.x, prep.y, prep.w), prep
    if p > 24:
        raise ValueError(f"dominance needs all 2**p subsets; {p} drivers is too many (max 24)")
    return eng.subset_r2(prep.full), prep


def dominance(data: pd.DataFrame, *, outcome: str = "nps", drivers: list[str], weight: str | None = None,
              kind: str = "ols", scale=None) -> pd.DataFrame:
    """Complete, conditional and general dominance between every ordered pair of drivers.

    Driver i *completely* dominates j when adding i raises R² more than adding j to every subset of the
    other drivers; *conditionally* when its mean increment is larger at every subset size; *generally*
    when its Shapley value (mean of the conditional values) is larger (Azen & Budescu 2003). Complete
    implies conditional implies general.

    Returns
    -------
    pandas.DataFrame
        One row per ordered pair: ``driver``, ``over`` (the other driver), ``complete``, ``conditional``,
        ``general`` (booleans: ``driver`` dominates ``over`` in that sense), ``level`` (the strongest:
        "complete", "conditional", "general" or "none"), ``n`` (rows used).

    Examples
    --------
    >>> from cxlib import dataset
    >>> responses = dataset.load_responses()
    >>> dom = dominance(responses, outcome="nps", drivers=["support_speed", "onboarding_experience"])
    >>> dom[["driver", "over", "level"]].values.tolist()
    [['support_speed', 'onboarding_experience', 'complete'], ['onboarding_experience', 'support_speed', 'none']]
    """
    r2, prep = _all_subsets(data, outcome, drivers, weight, kind, scale)
    p = len(drivers)
    comp = eng.complete_dominance(r2, p)
    cond = eng.conditional_contributions(r2, p)
    rows = []
    for i in range(p):
        for j in range(p):
            if i == j:
                continue
            d = cond[i] - cond[j]
            c = bool((d >= -1e-12).all() and (d > 1e-12).any())
            g = bool(cond[i].mean() > cond[j].mean())
            level = "complete" if comp[i, j] else "conditional" if c else "general" if g else "none"
            rows.append(dict(driver=drivers[i], over=drivers[j], complete=bool(comp[i, j]), conditional=c,
                             general=g, level=level, n=prep.n))
    return pd.DataFrame(rows)


def conditional_importance(data: pd.DataFrame, *, outcome: str = "nps", drivers: list[str],
                           weight: str | None = None, kind: str = "ols", scale=None) -> pd.DataFrame:
    """Mean R² increment of each driver when added to models with k other drivers, k = 0..p-1.

    Returns
    -------
    pandas.DataFrame
        One row per driver and size: ``driver``, ``size`` (k), ``contribution`` (at k = 0 the driver's
        own R²; the mean over k is its Shapley value), ``n`` (rows used).

    Examples
    --------
    >>> from cxlib import dataset
    >>> ci = conditional_importance(dataset.load_responses(), outcome="csat", drivers=["support_speed", "reliability"])
    >>> ci[["driver", "size"]].values.tolist()
    [['support_speed', 0], ['support_speed', 1], ['reliability', 0], ['reliability', 1]]
    """
    r2, prep = _all_subsets(data, outcome, drivers, weight, kind, scale)
    p = len(drivers)
    cond = eng.conditional_contributions(r2, p)
    return pd.DataFrame({"driver": np.repeat(list(drivers), p), "size": np.tile(np.arange(p), p),
                         "contribution": cond.ravel(), "n": prep.n})


#: Quadrants of :func:`importance_performance` (important = share at or above the cut).
QUADRANTS = {(True, False): "fix first", (True, True): "keep", (False, False): "low priority",
             (False, True): "maintain"}


def importance_performance(data: pd.DataFrame, *, outcome: str = "nps", drivers: list[str],
                           importance: pd.DataFrame | None = None, performance: str = "mean",
                           driver_scale=(1, 5), k: int = 2, weight: str | None = None,
                           importance_cut: float | None = None, performance_cut: float | None = None,
                           **kwargs) -> pd.DataFrame:
    """Importance against performance for each driver, with action quadrants.

    Parameters
    ----------
    importance : pandas.DataFrame, optional
        A :func:`relative_importance` table; computed with ``**kwargs`` when omitted.
    performance : {"mean", "top_box"}
        The driver's weighted mean rating, or the weighted share of ratings in its top ``k`` boxes of
        ``driver_scale``.
    importance_cut, performance_cut : float, optional
        Cross-hairs; default the average share (1 / p) and the average performance over the drivers.

    Returns
    -------
    pandas.DataFrame
        One row per driver, "fix first" rows first then by share: ``driver``, ``importance``, ``share``,
        ``rank``, ``sign``, ``performance``, ``performance_ci_low``, ``performance_ci_high`` (95%: t
        interval for the mean, Wilson for top-box, on the Kish effective n), ``performance_n`` (rows
        rating the driver), ``importance_cut``, ``performance_cut``, ``quadrant``: "fix first"
        (important and weak: act here), "keep" (important and strong: protect), "maintain" (less important,
        strong: do not over-invest), "low priority" (less important and weak).

    Examples
    --------
    >>> from cxlib import dataset
    >>> ipa = importance_performance(dataset.load_responses(), outcome="nps",
    ...                              drivers=["support_speed", "ease_of_use", "billing_clarity", "product_features"])
    >>> ipa[["driver", "quadrant"]].values.tolist()[0]
    ['support_speed', 'fix first']
    """
    if performance not in ("mean", "top_box"):
        raise ValueError(f"performance={performance!r}: expected 'mean' or 'top_box'")
    if importance is None:
        importance = relative_importance(data, outcome=outcome, drivers=drivers, weight=weight, **kwargs)
    lo, hi = driver_scale
    rows = []
    for d in drivers:
        vals = _numeric(data, d, "driver")
        wts = _numeric(data, weight, "weight") if weight else pd.Series(1.0, index=data.index)
        ok = vals.notna() & wts.notna()
        v, w = vals[ok].to_numpy(), wts[ok].to_numpy()
        off = ok & ~vals.between(lo, hi)
        if off.any():
            raise DataError(f"driver {d!r} must lie on its scale {lo}-{hi}; off-scale values in {_where(off, vals)}")
        n_eff = w.sum() ** 2 / (w**2).sum()
        if performance == "mean":
            est = np.average(v, weights=w)
            half = 1.96 * np.sqrt(np.average((v - est) ** 2, weights=w) / n_eff)
            low, high = est - half, est + half
        else:
            est = np.average(v >= hi - k + 1, weights=w)
            low, high = _wilson(est, n_eff)
        rows.append(dict(driver=d, performance=est, performance_ci_low=low, performance_ci_high=high,
                         performance_n=int(ok.sum())))
    perf = pd.DataFrame(rows)
    out = importance[["driver", "importance", "share", "rank", "sign"]].merge(perf, on="driver")
    out["importance_cut"] = 1 / len(out) if importance_cut is None else importance_cut
    out["performance_cut"] = out["performance"].mean() if performance_cut is None else performance_cut
    out["quadrant"] = [QUADRANTS[(s >= ic, p >= pc)] for s, p, ic, pc in
                       out[["share", "performance", "importance_cut", "performance_cut"]].to_numpy()]
    order = out["quadrant"].map({"fix first": 0, "keep": 1, "maintain": 2, "low priority": 3})
    return out.assign(_o=order).sort_values(["_o", "share"], ascending=[True, False]).drop(columns="_o") \
        .reset_index(drop=True)


def _wilson(prop: float, n: float, z: float = 1.96) -> tuple[float, float]:
    centre = (prop + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(prop * (1 - prop) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def importance_by(data: pd.DataFrame, *, by: str | list[str], outcome: str = "nps", drivers: list[str],
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
    >>> from cxlib import dataset
    >>> by_region = importance_by(dataset.load_responses(), by="region", outcome="nps", drivers=["support_speed", "ease_of_use"])
    >>> sorted(by_region["region"].unique())
    ['APAC', 'EMEA', 'LATAM', 'North America']
    """
    by = [by] if isinstance(by, str) else list(by)
    absent = [c for c in by if c not in data.columns]
    if absent:
        raise DataError(f"segment columns {absent} are not in the data; available: {list(data.columns)}")
    min_n = max(100, 10 * len(drivers)) if min_n is None else min_n
    parts = []
    for key, group in data.groupby(by, observed=True, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        note = ""
        try:
            res = relative_importance(group, outcome=outcome, drivers=drivers, min_n=min_n, **kwargs)
            if res["n"].iloc[0] < min_n:
                note = f"n = {res['n'].iloc[0]} < {min_n}: too few responses to rank drivers"
        except DataError as err:
            res = pd.DataFrame({"driver": list(drivers), "n": len(group), "small_base": len(group) < min_n})
            note = str(err)
        if note:
            res = res.assign(importance=np.nan, share=np.nan, rank=np.nan)
        res = res.assign(suppressed=bool(note), note=note)
        for col, val in zip(by[::-1], key[::-1]):
            res.insert(0, col, val)
        parts.append(res)
    return pd.concat(parts, ignore_index=True)
