"""Seasonality: is a calendar month reliably different from the months around it, year after year?

Built on :func:`cxlib.scores.changes.trend`: each month's score is compared with its neighbours, the
yearly differences are pooled per calendar month and Holm-adjusted like every other family of
comparisons in :mod:`cxlib.scores.changes`; STL (statsmodels) adds a descriptive seasonal component.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from .._checks import by_list
from .._stats import z_crit, z_test
from .changes import holm_significance, trend

__all__ = ["seasonal_pattern"]


def _stl_seasonal(values: pd.Series, period: pd.Series) -> pd.Series:
    """Mean STL seasonal component per calendar month (NaN when the series is short or has gaps)."""
    from statsmodels.tsa.seasonal import STL

    if len(values) < 24 or values.isna().any():
        return pd.Series(np.nan, index=range(1, 13))
    seasonal = STL(values.to_numpy(), period=12, robust=True).fit().seasonal
    return pd.Series(seasonal).groupby(period.dt.month.to_numpy()).mean().reindex(range(1, 13))


def _seasonal_tests(wide, metric, good, flagged, key, window, min_years, weak, alpha, confidence):
    val, se2 = wide[metric].where(good), (wide["se"] ** 2).where(good)
    month_of = pd.Series(val.index.month, index=val.index)
    excl = flagged.reindex(month_of.to_numpy()).set_axis(val.index).astype(bool)
    base, base_se2 = val.mask(excl), se2.mask(excl)
    roll = dict(window=2 * window + 1, center=True, min_periods=1)
    k = base.notna().astype(float)
    others = (k.rolling(**roll).sum() - k).where(lambda o: o >= 3)
    mean_others = (base.fillna(0).rolling(**roll).sum() - base.fillna(0)) / others
    var_others = (base_se2.fillna(0).rolling(**roll).sum() - base_se2.fillna(0)) / others ** 2
    long = pd.DataFrame({"d": (val - mean_others).stack(key, future_stack=True),
                         "v": (se2 + var_others).stack(key, future_stack=True),
                         "n": wide["n_eff"].stack(key, future_stack=True)}).reset_index()
    long["month"] = long["period"].dt.month
    long["w"] = 1 / long["v"].where(long["v"] > 0)
    long["wd"] = long["w"] * long["d"]
    out = long.groupby(key + ["month"], sort=True).agg(
        years=("d", "count"), n_min=("n", "min"), sw=("w", "sum"), swd=("wd", "sum")).reset_index()
    out["effect"] = out["swd"] / out["sw"].where(out["sw"] > 0)
    out["se"] = 1 / np.sqrt(out["sw"].where(out["sw"] > 0))
    signs = long.merge(out[key + ["month", "effect"]], on=key + ["month"])
    agree = (np.sign(signs["d"]) == np.sign(signs["effect"])) | signs["d"].isna()
    out["consistent"] = agree.groupby([signs[c] for c in key + ["month"]]).all().to_numpy()
    grp = pd.MultiIndex.from_frame(out[key]) if len(key) > 1 else out[key[0]]
    out["enough_data"] = ~weak.reindex(grp).to_numpy(dtype=bool) & (out["years"] >= min_years)
    z, p = z_test(out["effect"], out["se"])
    out["z"] = np.where(out["enough_data"], z, np.nan)
    out["p_value"] = np.where(out["enough_data"], p, np.nan)
    half = z_crit(confidence) * out["se"]
    out["ci_low"], out["ci_high"] = out["effect"] - half, out["effect"] + half
    # Robustness: the effect must stay significant (nominal alpha, same sign) whichever year is left out.
    loo = long.merge(out[key + ["month", "sw", "swd", "effect"]].rename(columns={"sw": "sw_all", "swd": "swd_all"}),
                     on=key + ["month"])
    rest_w = loo["sw_all"] - loo["w"].fillna(0)
    rest_z = (loo["swd_all"] - loo["wd"].fillna(0)) / np.sqrt(rest_w.where(rest_w > 0))
    keep = (np.abs(rest_z) > z_crit(1 - alpha)) & (np.sign(rest_z) == np.sign(loo["effect"]))
    out["stable"] = keep.groupby([loo[c] for c in key + ["month"]]).all().to_numpy()
    out["tested"] = out["enough_data"] & out["z"].notna()
    out = holm_significance(out, alpha=alpha)
    out["seasonal"] = out["significant"] & out["consistent"] & out["stable"]
    return out


def seasonal_pattern(data, *, by, metric="nps", date_col="responded_at", min_n=30, min_years=2, window=5,
                     alpha=0.05, confidence=0.95, **metric_kwargs) -> pd.DataFrame:
    """Is a calendar month reliably different from the months around it, year after year?

    For every group and month, the monthly score is compared with the mean of the other months
    within ``window`` months either side (so the neighbouring Decembers never share a baseline month).
    Those yearly differences are pooled per calendar month by inverse-variance weighting and tested
    (z test, Holm across every group × calendar month). A seasonal effect is claimed only when the
    group has at least ``min_n`` effective responses in *every* month of its series, the month occurs
    in at least ``min_years`` years, every year moves the same way, the effect stays significant
    (nominal ``alpha``) whichever single year is left out, and the month's Holm-adjusted test says so. Months found seasonal are left out of the baselines and the tests rerun,
    so a deep December dip does not make November and January look high.
    STL (statsmodels, period 12, robust) gives a descriptive seasonal component beside the test.

    Parameters
    ----------
    data : pandas.DataFrame
    by : str, list of str or None
        Groups tested separately (e.g. a journey-stage column); None tests the whole data set.
    metric : {"nps", "csat", "ces"}
    date_col : str
    min_n : int
        Smallest effective base every month of a group's series needs before it is tested.
    min_years : int
        Fewest occurrences of a calendar month for a claim.
    window : int
        Months either side that form a month's baseline.
    alpha, confidence : float
        Holm family-wise error rate; confidence level of the intervals.
    **metric_kwargs
        Passed to the metric function (``score``, ``scale``, ``weight``, ...).

    Returns
    -------
    pandas.DataFrame
        One row per group × calendar month: the ``by`` column, ``month`` (1–12), ``month_name``,
        ``years`` (occurrences), ``n_min`` (smallest monthly base among them), ``effect`` (pooled
        difference from the surrounding months, in the metric's units), ``se``, ``ci_low``,
        ``ci_high``, ``z``, ``p_value``, ``p_adjusted``, ``consistent`` (every year the same sign),
        ``enough_data``, ``stable`` (still significant with any one year left out), ``seasonal`` (the claim), ``stl_seasonal`` (mean STL seasonal component;
        NaN when the series is shorter than 24 months or has a gap) and ``note``.

    Examples
    --------
    >>> from cxlib.data import load_responses
    >>> s = seasonal_pattern(load_responses(), by="touchpoint")
    >>> s.loc[s["seasonal"], ["touchpoint", "month_name"]].values.tolist()
    [['billing', 'Dec']]
    """
    by_cols = by_list(by)
    tr = trend(data, metric=metric, by=by_cols, date_col=date_col, min_n=min_n, **metric_kwargs)
    key = by_cols or ["_all"]
    if not by_cols:
        tr = tr.assign(_all="all")
    wide = {c: tr.pivot(index="period", columns=key, values=c) for c in (metric, "se", "n_eff")}
    good = wide["n_eff"] >= min_n
    weak = ~good.all()
    flagged = pd.DataFrame(False, index=range(1, 13), columns=wide[metric].columns)
    for _ in range(3):   # re-test with already-found seasonal months left out of the baselines
        out = _seasonal_tests(wide, metric, good, flagged, key, window, min_years, weak, alpha, confidence)
        new = out.pivot(index="month", columns=key, values="seasonal").reindex(flagged.index).fillna(False)
        if new.equals(flagged):
            break
        flagged = new.astype(bool)
    out["month_name"] = pd.to_datetime(out["month"].astype(str) + "-1", format="%m-%d").dt.strftime("%b")
    stl = {grp: _stl_seasonal(wide[metric][grp], wide[metric].index.to_series()) for grp in wide[metric].columns}
    out["stl_seasonal"] = [stl[(r[key[0]] if len(key) == 1 else tuple(r[c] for c in key))][r["month"]]
                           for _, r in out.iterrows()]
    note = np.select(
        [~out["enough_data"], out["significant"] & ~out["consistent"],
         out["significant"] & ~out["stable"]],
        [f"not tested: fewer than {min_n} responses in some month or fewer than {min_years} years",
         "significant overall but not the same way every year",
         "significant, but not without one of the years"], "")
    out["note"] = pd.Series(note, index=out.index, dtype="str")
    cols = ["month", "month_name", "years", "n_min", "effect", "se", "ci_low", "ci_high", "z", "p_value",
            "p_adjusted", "consistent", "enough_data", "stable", "seasonal", "stl_seasonal", "note"]
    return out[by_cols + cols]
