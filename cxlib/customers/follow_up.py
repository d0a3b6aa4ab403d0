"""Closing the loop: this month's detractors and high-risk accounts, with the reason to call each."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import periods
from .._checks import need_columns
from ..data import is_table
from ..errors import DataError
from ..scores import nps_points

__all__ = ["follow_up_list"]


def follow_up_list(responses: pd.DataFrame, customers: pd.DataFrame, *, month: str,
                   probability: str = "churn_probability", risk_threshold: float = 0.3,
                   health_below: float = 40.0, drivers=(), theme_col: str = "theme",
                   include_comment: bool = True, max_customers: int | None = None) -> pd.DataFrame:
    """Closed loop: this month's detractors and high-risk accounts, with the reason to call each.

    Row-level personal data (ids, and comments when ``include_comment``): write it to a CSV for the CX
    team, never into an aggregate report.

    Parameters
    ----------
    responses : pandas.DataFrame or Ibis table
        Canonical responses (``customer_id``, ``responded_at``, ``nps``; ``response_id``, ``csat``,
        ``comment``, driver ratings and ``theme_col`` are used when present).
    customers : pandas.DataFrame
        One row per customer, e.g. :func:`health_scores` as of the end of ``month`` with a
        ``probability`` column added; ``health``, ``open_tickets``, ``slow_tickets``, ``churned``,
        ``annual_revenue``, ``region``, ``plan`` are used when present.
    month : str
        ``"YYYY-MM"``.
    probability : str
        Churn-probability column of ``customers`` (optional).
    risk_threshold, health_below : float
        A customer is high-risk at a churn probability >= ``risk_threshold`` or health < ``health_below``.
    drivers : sequence of str
        Driver rating columns; the lowest one rated 1-2 is reported as ``lowest_driver``.
    theme_col : str
        Column of comment themes in ``responses`` (e.g. from ``cxlib.comments``), used when present.
    include_comment : bool
    max_customers : int, optional
        When ``customers`` is a database table: the list holds at most this many customers, those with the
        highest expected revenue loss (churn probability x revenue) first (``attrs["capped_at"]`` says so
        when the cap cut any). When ``responses`` is a table too, the month's latest responses are joined
        to the customers, ranked and capped in the database, and only the listed customers' rows (their
        comments included) leave it.

    Returns
    -------
    pandas.DataFrame
        One row per customer, highest expected revenue loss first: ``customer_id``, ``response_id``,
        ``responded_at``, ``nps``, ``csat`` (their latest response in the month, NaN without one),
        ``detractor`` (bool), ``high_risk`` (bool), ``churn_probability``, ``health``, ``open_tickets``,
        ``slow_tickets``, ``annual_revenue``, ``region``, ``plan``, ``theme``, ``lowest_driver``,
        ``reason`` (a sentence) and ``comment`` (when ``include_comment``). Customers already churned are
        left out.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"customer_id": ["A", "B"], "nps": [3.0, 9.0], "support_speed": [1.0, 5.0],
    ...                   "responded_at": pd.to_datetime(["2026-10-03", "2026-10-09"])})
    >>> c = pd.DataFrame({"customer_id": ["A", "B", "C"], "churn_probability": [0.2, 0.1, 0.6]})
    >>> follow_up_list(r, c, month="2026-10", drivers=["support_speed"])["reason"].tolist()
    ['churn risk 60%', 'detractor (NPS 3); churn risk 20%; low rating: support_speed = 1']
    """
    need_columns(responses, ["customer_id", "responded_at", "nps"], where="follow_up_list (responses)")
    if is_table(responses) and is_table(customers):   # joined, ranked and capped in the database
        from ._follow_up_engine import top_of_list

        latest, customers, cut = top_of_list(responses, customers, month=month, probability=probability,
                                             risk_threshold=risk_threshold, health_below=health_below,
                                             drivers=drivers, theme_col=theme_col,
                                             include_comment=include_comment, limit=max_customers)
        cut_to = None
    else:
        need_columns(customers, ["customer_id"], where="follow_up_list (customers)")
        in_month = responses[periods.in_window(responses["responded_at"], *periods.bounds(month))]
        if in_month.empty:
            first, last = periods.span(responses["responded_at"])
            raise DataError(f"month {month!r} has no responses: responses.responded_at runs from "
                            f"{first:%Y-%m-%d} to {last:%Y-%m-%d}")
        latest = in_month.sort_values("responded_at", kind="stable").groupby("customer_id").tail(1)
        cut = False
        if is_table(customers):   # scored in the database: only who will be on the list leaves it
            detractors = latest.loc[nps_points(latest["nps"]) < 0, "customer_id"]
            customers, cut = _candidates(customers, month, detractors, probability, risk_threshold,
                                         health_below, max_customers)
        cut_to = customers if cut else None
    out = _joined(latest, customers, probability, risk_threshold, health_below, drivers, theme_col)
    out["reason"] = _reasons(out, health_below) if len(out) else pd.Series(dtype="str")
    rev = out["annual_revenue"] if "annual_revenue" in out else 1.0
    out["_priority"] = (out["churn_probability"].fillna(0) * rev).fillna(0) + out["detractor"] * 1e-9
    out = out.sort_values(["_priority", "nps"], ascending=[False, True], kind="stable")
    wanted = ["customer_id", "response_id", "responded_at", "nps", "csat", "detractor", "high_risk",
              "churn_probability", "health", "open_tickets", "slow_tickets", "annual_revenue", "region",
              "plan", "theme", "lowest_driver", "reason"] + (["comment"] if include_comment else [])
    for c in wanted:
        if c not in out:
            out[c] = np.nan
    if cut_to is not None:   # the costliest candidates only: the month's others are below them on the full list
        out = out[out["customer_id"].isin(cut_to["customer_id"])]
    if cut:
        out = out.head(max_customers)
    out = out[wanted].reset_index(drop=True)
    out.attrs["capped_at"] = max_customers if cut else None
    return out


def _joined(latest: pd.DataFrame, customers: pd.DataFrame, probability: str, risk_threshold: float,
            health_below: float, drivers, theme_col: str) -> pd.DataFrame:
    """The customers who can be on the list (at risk, or answered in the month: ``latest``, each one's
    latest response) joined to those responses, not churned, detractor or high-risk, with
    ``churn_probability``, ``detractor``, ``high_risk`` and ``lowest_driver``."""
    cols = [c for c in ["customer_id", "response_id", "responded_at", "nps", "csat", theme_col, "comment",
                        *drivers] if c in latest]
    latest = latest[cols].rename(columns={theme_col: "theme"})
    cust = customers.drop(columns=[c for c in ["nps", "csat", "comment", "theme"] if c in customers])
    if probability in cust or "health" in cust:   # only customers who can be on the list: in the month or at risk
        risky = pd.Series(False, index=cust.index)
        if probability in cust:
            risky |= (cust[probability] >= risk_threshold).fillna(False).astype(bool)
        if "health" in cust:
            risky |= (cust["health"] < health_below).fillna(False).astype(bool)
        cust = cust[risky | cust["customer_id"].isin(latest["customer_id"])]
    out = cust.merge(latest, on="customer_id", how="outer")
    if "churned" in out:
        out = out[~out["churned"].fillna(False).astype(bool)]
    prob = out[probability] if probability in out else pd.Series(np.nan, index=out.index)
    health = out["health"] if "health" in out else pd.Series(np.nan, index=out.index)
    out["churn_probability"] = prob
    out["detractor"] = nps_points(out["nps"]) < 0
    out["high_risk"] = (prob >= risk_threshold) | (health < health_below)
    out = out[out["detractor"] | out["high_risk"]].copy()
    drivers = [d for d in drivers if d in out]
    low = out[drivers].astype("float64").fillna(np.inf) if drivers else pd.DataFrame(index=out.index)
    worst = low.idxmin(axis=1) if drivers else pd.Series("", index=out.index)
    worst_val = low.min(axis=1) if drivers else pd.Series(np.inf, index=out.index)
    out["lowest_driver"] = np.where(worst_val <= 2, worst.astype(str) + " = " + worst_val.map("{:.0f}".format),
                                    None)
    return out


def _candidates(table, month: str, detractors: pd.Series, probability: str, risk_threshold: float,
                health_below: float, limit: int | None) -> tuple[pd.DataFrame, bool]:
    """The customers of a table who can be on the list (at risk, or answered in ``month``), as rows; past
    ``limit`` those on it (at risk or among the month's ``detractors``, not churned), at most ``limit``, the
    highest expected loss first (ties by customer id); and whether the limit cut any. Only listed customers
    compete for the places: a churned account or a month's promoter would take one and then leave the list."""
    import ibis

    from ..data import to_frame
    from ._engine import as_frame

    risky = ibis.literal(False)
    if probability in table.columns:
        risky |= (table[probability] >= risk_threshold).fill_null(False)
    if "health" in table.columns:
        risky |= (table.health < health_below).fill_null(False)
    keep = list(dict.fromkeys(c for c in ("customer_id", probability, "health", "open_tickets", "slow_tickets",
                                          "annual_revenue", "region", "plan", "churned") if c in table.columns))
    found = table.filter(risky | (table.last_response_at >= periods.bounds(month)[0].to_pydatetime()))
    if limit is not None and probability in table.columns:
        ids = ibis.memtable(pd.DataFrame({"_id": detractors.to_numpy()}))
        on = (risky | found.customer_id.isin(ids._id)) if len(detractors) else risky
        listed = found.filter(on & ~found.churned.fill_null(False) if "churned" in found.columns else on)
        cut = int(listed.count().execute()) > limit
        if cut:
            loss = listed[probability].fill_null(0.0) * (listed.annual_revenue.cast("float64").fill_null(0.0)
                                                         if "annual_revenue" in listed.columns else 1.0)
            found = listed.order_by([loss.desc(), listed.customer_id]).limit(limit)
    else:
        cut = False
    return as_frame(to_frame(found.select(*keep), order_by=("customer_id",), unique=("customer_id",))), cut


def _text(values: pd.Series, fmt: str) -> pd.Series:
    """Each value written with ``fmt`` (one Python call per value, not per row and column)."""
    return values.map(lambda v: format(v, fmt), na_action="ignore").astype("object")


def _reasons(out: pd.DataFrame, health_below: float) -> pd.Series:
    """Why each customer is on the list, the parts joined by "; " (column by column, not row by row)."""
    def has(col):
        return col in out

    parts = [np.where(out["detractor"].fillna(False).astype(bool), "detractor (NPS " + _text(out["nps"], ".0f") + ")", ""),
             np.where(out["churn_probability"].notna(), "churn risk " + _text(out["churn_probability"], ".0%"), "")]
    if has("health"):
        low = (out["health"] < health_below).fillna(False).astype(bool)
        parts.append(np.where(low, "health " + _text(out["health"], ".0f"), ""))
    for c, label in (("open_tickets", "open ticket(s)"), ("slow_tickets", "slow ticket(s)")):
        if has(c):
            parts.append(np.where((out[c] > 0).fillna(False).astype(bool), _text(out[c], ".0f") + f" {label}", ""))
    for c, lead in (("theme", "theme: "), ("lowest_driver", "low rating: ")):
        if has(c):
            text = out[c].map(lambda v: lead + v if isinstance(v, str) and v else "").astype("object")
            parts.append(text.to_numpy())
    joined = ["; ".join(p for p in row if p) for row in zip(*[np.asarray(p, dtype=object) for p in parts])]
    return pd.Series(joined, index=out.index, dtype="str")
