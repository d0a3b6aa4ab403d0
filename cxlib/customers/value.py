"""What churn costs: expected revenue at risk with its range, and what a promoter is worth over a detractor."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import check_confidence, describe_rows, need_columns
from .._stats import welch, z_crit
from ..data import is_table
from ..errors import DataError

__all__ = ["promoter_detractor_gap", "revenue_at_risk"]


def _check_money(data: pd.DataFrame, probability: str, revenue: str, where: str) -> None:
    need_columns(data, [probability, revenue], where=where)
    neg = (data[revenue] < 0).fillna(False)
    if neg.any():
        raise DataError(f"{where}: column {revenue!r}: negative revenue in {describe_rows(neg, data[revenue])}; "
                        "expected revenue >= 0")
    p = data[probability]
    bad = (p.notna() & ((p < 0) | (p > 1))).fillna(False)
    if bad.any():
        raise DataError(f"{where}: column {probability!r}: values outside [0, 1] in {describe_rows(bad, p)}; "
                        "expected churn probabilities")


def revenue_at_risk(data: pd.DataFrame, *, by: str | None = None, probability: str = "churn_probability",
                    revenue: str = "annual_revenue", confidence: float = 0.95, min_n: int = 30) -> pd.DataFrame:
    """Expected annual revenue lost to churn (sum of churn probability x annual revenue), by group.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer with a churn probability and annual revenue (rows missing either are left
        out and counted in ``n_missing``).
    by : str or None
        Grouping column (e.g. ``region``, ``plan``, ``nps_category``); None gives the total only.
    probability, revenue : str
    confidence : float
        Level of the interval for the loss that will actually be realised, treating churn as independent
        Bernoulli draws: variance = sum p (1 - p) revenue^2 (normal approximation).
    min_n : int
        Groups with fewer customers are flagged ``small_base``.

    Returns
    -------
    pandas.DataFrame
        One row per group and a final ``"All"`` row: ``<by>`` (when given), ``n``, ``revenue`` (total),
        ``expected_loss``, ``loss_ci_low``, ``loss_ci_high``, ``share_at_risk`` (expected loss / revenue),
        ``mean_probability``, ``n_missing`` (customers left out for a missing probability or revenue),
        ``small_base``.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"plan": ["A", "A", "B"], "churn_probability": [0.1, 0.5, 0.2],
    ...                   "annual_revenue": [1000.0, 200.0, 500.0]})
    >>> revenue_at_risk(d, by="plan", min_n=1)[["plan", "n", "revenue", "expected_loss"]]
      plan  n  revenue  expected_loss
    0    A  2   1200.0          200.0
    1    B  1    500.0          100.0
    2  All  3   1700.0          300.0
    """
    z = z_crit(check_confidence(confidence, func="revenue_at_risk"))
    need_columns(data, [probability, revenue, by], where="revenue_at_risk")
    if is_table(data):
        return _revenue_at_risk_table(data, by, probability, revenue, z, min_n)
    _check_money(data, probability, revenue, "revenue_at_risk")
    d = data[[probability, revenue] + ([by] if by else [])]
    p, r = d[probability].astype("float64"), d[revenue].astype("float64")
    d = d.assign(_loss=p * r, _var=p * (1 - p) * r ** 2, _p=p, _r=r, _ok=p.notna() & r.notna())

    def _row(g: pd.DataFrame) -> dict:
        ok = g[g["_ok"]]
        loss, sd = ok["_loss"].sum(), np.sqrt(ok["_var"].sum())
        return {"n": len(ok), "revenue": ok["_r"].sum(), "expected_loss": loss,
                "loss_ci_low": max(loss - z * sd, 0.0), "loss_ci_high": loss + z * sd,
                "share_at_risk": loss / ok["_r"].sum() if ok["_r"].sum() > 0 else np.nan,
                "mean_probability": ok["_p"].mean(), "n_missing": int((~g["_ok"]).sum()),
                "small_base": len(ok) < min_n}

    rows = [{by: str(k), **_row(g)} for k, g in d.groupby(by, observed=True, sort=True)] if by else []
    rows.append(({by: "All"} if by else {}) | _row(d))
    return pd.DataFrame(rows)


def _revenue_at_risk_table(data, by, probability, revenue, z: float, min_n: int) -> pd.DataFrame:
    """:func:`revenue_at_risk` on an Ibis table: one query in the database, a GROUP BY with ``by`` (the total
    is the sum of its groups, the group of a missing value included), else one total."""
    from .health import NPS_CATEGORIES

    p, r = data[probability].cast("float64"), data[revenue].cast("float64")
    ok = p.notnull() & r.notnull()
    aggs = {"n": data.count(where=ok), "revenue": r.sum(where=ok), "_loss": (p * r).sum(where=ok),
            "_var": (p * (1 - p) * r * r).sum(where=ok), "_psum": p.sum(where=ok),
            "n_missing": data.count(where=~ok), "_neg": data.count(where=r < 0),
            "_bad": data.count(where=(p < 0) | (p > 1))}
    if by:
        groups = data.group_by(data[by].cast("string").name(by)).aggregate(**aggs).execute()
        total = groups[list(aggs)].astype("float64").sum().to_frame().T
    else:
        total = data.aggregate(**aggs).execute()
    total = total.fillna({c: 0.0 for c in ("revenue", "_loss", "_var", "_psum")})   # a sum of no rows: 0, as pandas
    total["mean_probability"] = total["_psum"].astype("float64") / total["n"].astype("float64").where(total["n"] > 0)
    neg, bad = int(total["_neg"].iloc[0]), int(total["_bad"].iloc[0])
    if neg:   # the pandas path's phrasing (_check_money), with a count for the rows a table cannot number
        raise DataError(f"revenue_at_risk: column {revenue!r}: negative revenue in {neg:,} rows; expected revenue >= 0")
    if bad:
        raise DataError(f"revenue_at_risk: column {probability!r}: values outside [0, 1] in {bad:,} rows; "
                        "expected churn probabilities")
    parts = []
    if by:
        groups = groups.fillna({c: 0.0 for c in ("revenue", "_loss", "_var", "_psum")})
        groups["mean_probability"] = groups["_psum"].astype("float64") / groups["n"].astype("float64").where(
            groups["n"] > 0)
        rank = {c: i for i, c in enumerate(NPS_CATEGORIES)} if by == "nps_category" else {}
        groups = groups.sort_values(by, key=lambda s: s.map(rank) if rank else s, ignore_index=True)
        parts.append(groups[groups[by].notna()])   # as pandas' groupby: no group for a missing value
    frame = pd.concat([*parts, total.assign(**({by: "All"} if by else {}))], ignore_index=True)
    sd = np.sqrt(frame["_var"].astype("float64"))
    loss, rev = frame["_loss"].astype("float64"), frame["revenue"].astype("float64")
    out = pd.DataFrame({**({by: frame[by].astype(str).tolist()} if by else {}), "n": frame["n"].astype(int),
                        "revenue": rev, "expected_loss": loss, "loss_ci_low": (loss - z * sd).clip(lower=0.0),
                        "loss_ci_high": loss + z * sd, "share_at_risk": (loss / rev).where(rev > 0),
                        "mean_probability": frame["mean_probability"].astype("float64"),
                        "n_missing": frame["n_missing"].astype(int), "small_base": frame["n"] < min_n})
    return out


def promoter_detractor_gap(data: pd.DataFrame, *, category: str = "nps_category",
                           probability: str = "churn_probability", revenue: str = "annual_revenue",
                           confidence: float = 0.95) -> pd.DataFrame:
    """Retention-weighted revenue per promoter versus per detractor.

    Each customer's expected retained revenue is ``revenue x (1 - churn probability)``; the gap is the
    difference of its means between promoters and detractors, with a Welch interval.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer with an NPS category, a churn probability and annual revenue.
    category, probability, revenue : str
    confidence : float

    Returns
    -------
    pandas.DataFrame
        One row: ``n_promoters``, ``n_detractors``, ``retention_promoters``, ``retention_detractors``
        (mean 1 - p), ``value_promoters``, ``value_detractors`` (mean retained revenue per customer),
        ``difference`` (promoters minus detractors), ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"nps_category": ["promoter", "promoter", "detractor", "detractor"],
    ...                   "churn_probability": [0.1, 0.1, 0.5, 0.3], "annual_revenue": [100.0] * 4})
    >>> promoter_detractor_gap(d)[["value_promoters", "value_detractors", "difference"]].round(1)
       value_promoters  value_detractors  difference
    0             90.0              60.0        30.0
    """
    _check_money(data, probability, revenue, "promoter_detractor_gap")
    need_columns(data, [category], where="promoter_detractor_gap")
    confidence = check_confidence(confidence, func="promoter_detractor_gap")
    d = data.dropna(subset=[probability, revenue])
    value = d[revenue] * (1 - d[probability])
    groups = {k: d[category].astype("string") == k for k in ("promoter", "detractor")}
    for k, m in groups.items():
        if m.sum() < 2:
            raise DataError(f"column {category!r}: need at least 2 {k}s with a churn probability, got {int(m.sum())}")
    vp, vd = value[groups["promoter"]], value[groups["detractor"]]
    gap = welch(vp, vd, confidence)
    return pd.DataFrame([{
        "n_promoters": len(vp), "n_detractors": len(vd),
        "retention_promoters": 1 - d.loc[groups["promoter"], probability].mean(),
        "retention_detractors": 1 - d.loc[groups["detractor"], probability].mean(),
        "value_promoters": vp.mean(), "value_detractors": vd.mean(), "difference": gap["diff"],
        "ci_low": gap["ci_low"], "ci_high": gap["ci_high"]}])
