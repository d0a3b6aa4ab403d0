"""The follow-up list joined, ranked and capped in the database (see :func:`follow_up_list`): only the
listed customers' rows leave it, their comments fetched by response id after the cap."""

from __future__ import annotations

import ibis
import pandas as pd

from .. import periods
from ..data import to_frame
from ..errors import DataError
from ._engine import as_frame

__all__ = ["top_of_list"]

#: The customer columns the list shows or reads.
_SHOWN = ("health", "open_tickets", "slow_tickets", "annual_revenue", "region", "plan", "churned")


def _latest(r, carried: list[str]):
    """Each customer's latest response in ``r`` (ties: the highest response id, as the pandas path's stable
    sort of rows pulled by date and id keeps), with ``carried`` columns and the customer as ``_rc``."""
    order = [r.responded_at.desc()] + ([r.response_id.desc()] if "response_id" in r.columns else [])
    ranked = r.mutate(_k=ibis.row_number().over(group_by=r.customer_id, order_by=order))
    return ranked.filter(ranked._k == 0).select(_rc=ranked.customer_id, *carried)


def _customers(customers, probability: str, risk_threshold: float, health_below: float):
    """The customer columns the list reads, with ``_risky`` (high churn probability or low health) and ``_c``."""
    keep = [c for c in (probability, *_SHOWN) if c in customers.columns]
    cust = customers.select(*dict.fromkeys(["customer_id", *keep]))
    risky = ibis.literal(False)
    if probability in cust.columns:
        risky = risky | (cust[probability] >= risk_threshold).fill_null(False)
    if "health" in cust.columns:
        risky = risky | (cust.health < health_below).fill_null(False)
    return cust.mutate(_risky=risky, _c=ibis.literal(True))


def top_of_list(responses, customers, *, month: str, probability: str, risk_threshold: float,
                health_below: float, drivers, theme_col: str, include_comment: bool,
                limit: int | None) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """The month's latest response of each listed customer and the listed customers, as rows: the list's
    first ``limit`` + 1 customers (detractors in the month and high-risk accounts, not churned; the highest
    expected revenue loss first, then the lowest NPS, then the customer id), so that the pandas path on
    these rows gives the capped list. Returns the responses, the customers and whether the cap cut any."""
    lo, hi = (t.to_pydatetime() for t in periods.bounds(month))
    r = responses.filter((responses.responded_at >= lo) & (responses.responded_at < hi)
                         & responses.customer_id.notnull())
    ids = "response_id" in r.columns
    text = [c for c in dict.fromkeys([theme_col, "comment" if include_comment else ""]) if c in r.columns]
    nums = [c for c in dict.fromkeys(["response_id", "responded_at", "nps", "csat", *drivers]) if c in r.columns]
    latest = _latest(r, nums + ([] if ids else text))
    cust = _customers(customers, probability, risk_threshold, health_below)
    j = cust.outer_join(latest, cust.customer_id == latest._rc)
    j = j.mutate(customer_id=j.customer_id.coalesce(j._rc), _det=(j.nps <= 6).fill_null(False))
    listed = j._det | j._risky.fill_null(False)
    if "churned" in j.columns:
        listed = listed & ~j.churned.fill_null(False)
    j = j.filter(listed)
    prob = j[probability].fill_null(0.0) if probability in j.columns else ibis.literal(0.0)
    rev = j.annual_revenue.cast("float64") if "annual_revenue" in j.columns else ibis.literal(1.0)
    j = j.mutate(_p=(prob * rev).fill_null(0.0) + j._det.ifelse(1e-9, 0.0))   # PostgreSQL casts no boolean to float
    if limit is not None:
        j = j.order_by([j._p.desc(), j.nps.asc(nulls_first=False), j.customer_id]).limit(limit + 1)
    if ids and text:   # the listed customers' comments only
        m = r.select(_rid=r.response_id, *text)
        j = j.left_join(m, j.response_id == m._rid).drop("_rid")
    rows = to_frame(j, order_by=("customer_id",), unique=("customer_id",))
    if rows["_rc"].notna().sum() == 0 and int(r.count().execute()) == 0:
        span = responses.aggregate(first=responses.responded_at.min(), last=responses.responded_at.max()).execute()
        raise DataError(f"month {month!r} has no responses: responses.responded_at runs from "
                        f"{span['first'].iloc[0]:%Y-%m-%d} to {span['last'].iloc[0]:%Y-%m-%d}")
    said = rows[rows["_rc"].notna()]
    answered = said[["_rc", *nums, *text]].rename(columns={"_rc": "customer_id"}).reset_index(drop=True)
    listed_customers = as_frame(rows.loc[rows["_c"].fillna(False).astype(bool), list(cust.columns[:-2])])
    return answered, listed_customers, limit is not None and len(rows) > limit
