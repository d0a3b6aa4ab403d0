"""The driver regression: fit the score on the drivers (and controls) with statsmodels, tidy tables out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._checks import check_choice, check_confidence
from .._stats import formula, term_label
from ._prepare import outcome_scale, prepare

__all__ = ["DriverFit", "fit_drivers"]


@dataclass(frozen=True)
class DriverFit:
    """Result of :func:`fit_drivers`: three tidy tables and the statsmodels results object."""

    coefficients: pd.DataFrame
    fit: pd.DataFrame
    diagnostics: pd.DataFrame
    result: object


def fit_drivers(data: pd.DataFrame, *, score: str = "nps", drivers: list[str], controls=None,
                weight: str | None = None, kind: str = "ols", scale=None, confidence: float = 0.95) -> DriverFit:
    """Regress ``score`` on the drivers (plus controls) with statsmodels; listwise deletion, reported.

    Parameters
    ----------
    data : pandas.DataFrame
    score, drivers, weight, scale
        As in :func:`cxlib.drivers.relative_importance`.
    controls : list of str, optional
        Extra columns; text columns enter as categorical terms (any column name works: every name is
        quoted in the formula).
    kind : {"ols", "logit"}
        OLS (WLS with ``weight``) or a binomial GLM with logit link (``weight`` as variance weights).
    confidence : float
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
    >>> from cxlib.data import load_responses
    >>> responses = load_responses()
    >>> model = fit_drivers(responses, score="csat", drivers=["support_speed", "ease_of_use"], controls=["region"])
    >>> model.coefficients["term"].tolist()[:3]
    ['Intercept', 'region[EMEA]', 'region[LATAM]']
    >>> int(model.fit["n"].iloc[0]) == len(responses)
    True
    """
    import statsmodels.formula.api as smf
    from scipy.stats import chi2
    from statsmodels.genmod.families import Binomial   # not statsmodels.api: every model, 25 MB more

    check_choice(kind, ("ols", "logit"), param="kind", func="fit_drivers")
    confidence = check_confidence(confidence, func="fit_drivers")
    controls = list(controls or [])
    drivers = list(drivers)
    prep = prepare(data, score=score, drivers=drivers, weight=weight, kind=kind,
                   scale=outcome_scale(score, scale), controls=controls, rows=True)
    frame = pd.DataFrame({score: prep.y, **{d: prep.x[:, i] for i, d in enumerate(drivers)}})
    numeric, categorical = list(drivers), []
    for c in controls:
        frame[c] = prep.frame[c].to_numpy()
        (numeric if pd.api.types.is_numeric_dtype(prep.frame[c]) else categorical).append(c)
    spec = formula(score, numeric, categorical)
    wts = {} if weight is None else {"weights" if kind == "ols" else "var_weights": prep.w}
    if kind == "ols":
        res = (smf.wls if weight else smf.ols)(spec, data=frame, **wts).fit()
        fit_stats = dict(r2=res.rsquared, adj_r2=res.rsquared_adj, pseudo_r2=np.nan, test="F",
                         statistic=float(res.fvalue), p_value=float(res.f_pvalue))
    else:
        res = smf.glm(spec, data=frame, family=Binomial(), **wts).fit()
        lr = 2 * (res.llf - res.llnull)
        fit_stats = dict(r2=np.nan, adj_r2=np.nan, pseudo_r2=1 - res.llf / res.llnull, test="LR",
                         statistic=lr, p_value=float(chi2.sf(lr, res.df_model)))
    conf = res.conf_int(alpha=1 - confidence)
    coefs = pd.DataFrame({"term": [term_label(t) for t in res.params.index], "estimate": res.params.to_numpy(),
                          "std_err": res.bse.to_numpy(), "p_value": res.pvalues.to_numpy(),
                          "ci_low": conf[0].to_numpy(), "ci_high": conf[1].to_numpy()})
    exog = [term_label(t) for t in res.model.exog_names[1:]]
    vif = np.diag(np.linalg.pinv(np.corrcoef(res.model.exog[:, 1:], rowvar=False)).reshape(len(exog), -1))
    vif = vif[[exog.index(d) for d in drivers]]
    lam = np.linalg.eigvalsh(np.corrcoef(prep.x, rowvar=False).reshape(len(drivers), len(drivers)))
    fit = pd.DataFrame([dict(kind=kind, n=prep.n, n_dropped=prep.n_dropped, dropped=prep.dropped or "none",
                             **fit_stats, df_model=float(res.df_model),
                             condition_number=float(np.sqrt(lam.max() / lam.min())))])
    fit = fit[["kind", "n", "n_dropped", "dropped", "r2", "adj_r2", "pseudo_r2", "test", "statistic",
               "df_model", "p_value", "condition_number"]]
    diag = pd.DataFrame({"driver": drivers, "vif": vif, "tolerance": 1 / vif})
    return DriverFit(coefs, fit, diag, res)
