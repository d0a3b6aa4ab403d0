"""Driver regression and data preparation: validate a driver model's columns, then fit it.

``prepare`` checks the outcome, driver, weight and control columns (numeric, on scale, not constant,
not collinear), drops incomplete rows and reports why; ``fit_drivers`` fits the statsmodels regression
(OLS/WLS or a binomial GLM) with tidy coefficient, fit and diagnostic tables. :mod:`cxlib.drivers`
builds its importance analyses on ``prepare``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf

from . import importance as eng
from .config import DEFAULT_SCALES, DataError, Scale

__all__ = ["DriverFit", "fit_drivers", "prepare"]


def _scale(outcome, scale):
    """The outcome's allowed range: False = none, None = its default scale (nps/csat/ces), else a Scale."""
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
        As in :func:`cxlib.drivers.relative_importance`.
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

