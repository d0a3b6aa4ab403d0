"""Each customer's survey and ticket history as of a date, aggregated in the database (one GROUP BY per
table) when the responses and tickets are Ibis tables; :func:`cxlib.customers.customer_table` merges the
result with the accounts as it merges the pandas aggregates. Private to :mod:`cxlib.customers`.
"""

from __future__ import annotations

import functools

import pandas as pd

__all__ = ["span", "survey_expr", "survey_history", "ticket_expr", "ticket_history"]


def span(data, col: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The first and last value of a date column (one query on a table)."""
    from ..data import is_table

    if is_table(data):
        got = data.aggregate(first=data[col].min(), last=data[col].max()).execute().iloc[0]
        return pd.Timestamp(got["first"]), pd.Timestamp(got["last"])
    return data[col].min(), data[col].max()


def _backend(table) -> str | None:
    """The name of the backend a table lives on (None when it cannot be told)."""
    from ibis.common.exceptions import IbisError

    try:
        return table.get_backend().name
    except IbisError:   # an unbound table: no backend to name
        return None


@functools.cache
def _arg_max():
    """DuckDB's ``arg_max`` as an Ibis aggregate. Ibis writes ``argmax`` as ``FIRST(x ORDER BY t DESC)``, an
    ordered aggregate that took DuckDB 13.4 s for 2.5M customers of 10M responses, against 6.6 s for
    ``arg_max`` (EXPLAIN ANALYZE, 625 MB DuckDB limit); the result is the same (ties in ``t`` either way).
    DuckDB's ``arg_max`` (since 1.1) skips rows whose ``arg`` is NULL, so it needs no ``FILTER (WHERE x IS NOT
    NULL)``: the GROUP BY of 10M responses took 7.3-7.9 s of CPU with the filter, 6.4-6.9 s without it
    (idle machine, 2 threads; 3.0 s without the three latest answers)."""
    import ibis

    @ibis.udf.agg.builtin(name="arg_max", signature=(("float64", "timestamp"), "float64"))
    def arg_max(arg, key):
        """The value of ``arg`` at the largest ``key``."""

    return arg_max


def survey_expr(responses, end: pd.Timestamp):
    """The lazy per-customer survey aggregates of :func:`survey_history` (``_nps_sum`` and ``_nps_n``
    instead of ``nps_trend``), one row per ``customer_id``."""
    r = responses.filter(responses.responded_at < end.to_pydatetime())
    aggs = {"n_responses": r.count(), "last_response_at": r.responded_at.max()}
    duck = _backend(responses) == "duckdb"
    for s in ("nps", "csat", "ces"):
        if s in r.columns:
            aggs[f"{s}_latest"] = (_arg_max()(r[s].cast("float64"), r.responded_at) if duck   # NULLs skipped
                                   else r[s].argmax(r.responded_at, where=r[s].notnull()))
    if "nps" in r.columns:
        aggs["_nps_sum"], aggs["_nps_n"] = r.nps.sum(), r.nps.count()
    return r.group_by("customer_id").aggregate(**aggs)


def survey_history(responses, end: pd.Timestamp) -> pd.DataFrame:
    """Per customer (index ``customer_id``): ``n_responses``, ``last_response_at``, the latest answer of
    each score (``nps_latest``, ...; the answer at the customer's latest date with one) and ``nps_trend``
    (latest NPS minus the mean of the earlier answers), from responses before ``end``."""
    out = survey_expr(responses, end).execute().set_index("customer_id")
    out["n_responses"] = out["n_responses"].astype("int64")
    out["last_response_at"] = pd.to_datetime(out["last_response_at"]).astype("datetime64[ns]")
    if "_nps_n" in out:
        n = out.pop("_nps_n").astype("float64")
        earlier = (out.pop("_nps_sum").astype("float64") - out["nps_latest"]) / (n - 1).where(n > 1)
        out["nps_trend"] = out["nps_latest"] - earlier
    return out


def ticket_expr(tickets, end: pd.Timestamp, slow_hours: float):
    """The lazy per-customer ticket aggregates of :func:`ticket_history`, one row per ``customer_id``."""
    import ibis

    stop = end.to_pydatetime()
    t = tickets.filter(tickets.opened_at < stop)
    is_open = t.resolved_at.isnull() | (t.resolved_at >= stop)
    closed = is_open.ifelse(ibis.literal(stop), t.resolved_at)
    took = (closed.epoch_seconds() - t.opened_at.epoch_seconds()) / 3600
    handoffs = t.handoffs.cast("float64") if "handoffs" in t.columns else ibis.literal(0.0)
    return t.group_by("customer_id").aggregate(
        n_tickets=t.count(), open_tickets=t.count(where=is_open), slow_tickets=t.count(where=took > slow_hours),
        handoffs_total=handoffs.sum())


def ticket_history(tickets, end: pd.Timestamp, slow_hours: float) -> pd.DataFrame:
    """Per customer (index ``customer_id``): ``n_tickets``, ``open_tickets`` (unresolved at ``end``),
    ``slow_tickets`` (took, or have taken by ``end``, more than ``slow_hours``) and ``handoffs_total``,
    from tickets opened before ``end``."""
    return ticket_expr(tickets, end, slow_hours).execute().set_index("customer_id")
