"""Customer health and churn probability computed in the database, for Ibis tables.

:func:`customer_expr` is :func:`cxlib.customers.customer_table` as one lazy query (the accounts joined with
the per-customer GROUP BYs of :mod:`._history`), :func:`health_expr` adds the columns of
:func:`cxlib.customers.health_scores`, :func:`probability_expr` the fitted churn model's probability;
:func:`pull_positions` reads a seeded sample of rows for fitting. Only a sample and filtered rows
ever leave the database. Private to :mod:`cxlib.customers`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._stats import term_parts
from ._history import survey_expr, ticket_expr

__all__ = ["as_frame", "customer_expr", "health_expr", "probability_expr", "pull_positions"]

_BANDS = ["at risk", "watch", "healthy", "no data"]
_INTS = ("n_responses", "n_tickets", "open_tickets", "slow_tickets")


def _account_columns(accounts, stop):
    """The accounts signed up before ``stop`` with the customer table's account columns and ``churned``."""
    import ibis

    a = accounts
    if "signup_date" in a.columns:
        a = a.filter(a.signup_date.isnull() | (a.signup_date.cast("timestamp") < stop))
    cols = {c: a[c] for c in ("customer_id", "region", "plan", "annual_revenue") if c in a.columns}
    if "signup_date" in a.columns:
        seconds = ibis.literal(stop).epoch_seconds() - a.signup_date.cast("timestamp").epoch_seconds()
        cols["tenure_years"] = (seconds / 86400).floor().cast("float64") / 365.25
    if "churned" in a.columns:
        churned = a.churned.cast("boolean").fill_null(False)
        if "churned_at" in a.columns:
            churned = churned & (a.churned_at.isnull() | (a.churned_at.cast("timestamp") < stop))
        cols["churned"] = churned
    return a.select(**cols)


def customer_expr(responses, tickets, accounts, end: pd.Timestamp, slow_hours: float):
    """:func:`cxlib.customers.customer_table` as a lazy table (one row per account signed up before ``end``)."""
    import ibis

    stop = end.to_pydatetime()
    out = _account_columns(accounts, stop)
    surv = survey_expr(responses, end)
    out = out.left_join(surv, "customer_id").drop("customer_id_right")
    fills = {"n_responses": out.n_responses.fill_null(0).cast("int64")}
    if "_nps_n" in out.columns:
        n = out._nps_n.cast("float64")
        earlier = (out._nps_sum.cast("float64") - out.nps_latest) / (n > 1).ifelse(n - 1, ibis.null("float64"))
        fills["nps_trend"] = out.nps_latest - earlier
    if "nps_latest" in out.columns:
        x = out.nps_latest
        fills["nps_category"] = ibis.cases((x.isnull(), "no response"), (x >= 9, "promoter"), (x <= 6, "detractor"),
                                           else_="passive")
    out = out.mutate(**fills).drop(*[c for c in ("_nps_sum", "_nps_n") if c in out.columns])
    if tickets is not None:
        out = out.left_join(ticket_expr(tickets, end, slow_hours), "customer_id").drop("customer_id_right")
        out = out.mutate(**{c: out[c].fill_null(0).cast("int64") for c in _INTS[1:]},
                         handoffs_total=out.handoffs_total.fill_null(0.0).cast("float64"))
    return out.select(*[c for c in out.columns if c != "churned"], *[c for c in ("churned",) if c in out.columns])


def _scaled(x, scale):
    pos = (x.cast("float64") - scale.min) / (scale.max - scale.min)
    return ((pos if scale.higher_is_better else 1 - pos) * 100).clip(lower=0, upper=100)


def health_expr(t, weights: dict, scales: dict, min_coverage: float, *, step=None):
    """:func:`cxlib.customers.health_scores`'s columns on the lazy customer table ``t`` (same formulas, in
    steps that refer to the previous step's columns, so that the SQL stays small when Ibis inlines them).
    ``step`` (a table to a table) is applied after each step before the next reads it: PostgreSQL, which
    shares no common subexpressions (it evaluated the inlined steps for 130 s for 250k customers), is
    given them stored (:func:`cxlib.data.materialize`); DuckDB and Spark share them in one query."""
    import ibis

    from ..data import DEFAULT_SCALES

    nan = ibis.null("float64")
    sub = {"nps": _scaled(t.nps_latest, DEFAULT_SCALES["nps"]) if "nps_latest" in t.columns else nan,
           "csat": _scaled(t.csat_latest, scales["csat"]) if "csat_latest" in t.columns else nan,
           "ces": _scaled(t.ces_latest, scales["ces"]) if "ces_latest" in t.columns else nan,
           "trend": (50 + 10 * t.nps_trend).clip(lower=0, upper=100) if "nps_trend" in t.columns else nan,
           "tickets": (100 - 25 * t.open_tickets - 15 * t.slow_tickets - 10 * t.handoffs_total).cast("float64")
           .clip(lower=0) if "open_tickets" in t.columns else nan}
    step = step or (lambda x: x)
    t = step(t.mutate(**{f"score_{k}": sub[k].cast("float64") for k in weights}))
    t = t.mutate(_total=sum(t[f"score_{k}"].notnull().ifelse(float(weights[k]), 0.0) for k in weights))
    t = step(t.mutate(coverage=t._total / float(sum(weights.values()))))
    keep = (t._total > 0) & (t.coverage >= min_coverage)
    part = {k: t[f"score_{k}"].notnull().ifelse(float(weights[k]), 0.0) / t._total * t[f"score_{k}"].fill_null(0.0)
            for k in weights}
    t = step(t.mutate(**{f"pts_{k}": keep.ifelse(part[k], nan) for k in weights},
                      health=keep.ifelse(sum(part.values()).clip(lower=0, upper=100), nan)))
    band = ibis.cases((t.health.isnull(), "no data"), (t.health < 40, "at risk"), (t.health < 70, "watch"),
                      else_="healthy")
    order = [c for c in t.columns if c != "_total" and not c.startswith(("score_", "pts_", "health"))]
    order += [c for k in weights for c in (f"score_{k}", f"pts_{k}")] + ["health"]
    return t.mutate(health_band=band).select(*[c for c in dict.fromkeys(order)], "health_band")


def probability_expr(t, model):
    """The churn probability of ``model`` (a :class:`cxlib.customers.ChurnModel`) for each row of ``t``, as a
    column expression: the logistic function of the fitted log-odds, NULL where a feature is missing or a
    category unknown to the model (as :meth:`ChurnModel.predict`)."""
    import ibis

    cats = model._categories
    complete = None
    for f in model.features:
        ok = t[f].notnull() if f not in cats else t[f].cast("string").isin([str(c) for c in cats[f]])
        complete = ok if complete is None else complete & ok
    eta = ibis.literal(0.0)
    for col, beta in model.params.items():
        name, level = term_parts(col)
        if col == "Intercept":
            eta = eta + float(beta)
        elif level is not None:
            eta = eta + (t[name].cast("string") == level).ifelse(float(beta), 0.0)
        else:
            eta = eta + float(beta) * t[name].cast("float64")
    p = 1 / (1 + (-eta).exp())
    return complete.ifelse(p, ibis.null("float64"))


def as_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """Pulled customer rows with the pandas path's types (categories, whole counts, nanosecond dates)."""
    from .health import NPS_CATEGORIES

    out = rows.reset_index(drop=True)
    for c in _INTS:
        if c in out:
            out[c] = out[c].astype("int64")
    if "last_response_at" in out:
        out["last_response_at"] = pd.to_datetime(out["last_response_at"]).astype("datetime64[ns]")
    if "churned" in out:
        out["churned"] = out["churned"].astype(bool)
    if "nps_category" in out:
        out["nps_category"] = pd.Categorical(out["nps_category"], categories=NPS_CATEGORIES)
    if "health_band" in out:
        out["health_band"] = pd.Categorical(out["health_band"], categories=_BANDS, ordered=True)
    return out


def _positions(backend, pick: np.ndarray):
    """The positions ``pick`` as a one-column table (``_pos``) on ``backend``. On PostgreSQL one array
    parameter unnested into a temporary table: Ibis fills a memtable there row by row (6.8 s for 100k
    positions) and a literal IN list of them took 42 s."""
    import uuid

    import ibis

    if backend.name != "postgres":
        return ibis.memtable(pd.DataFrame({"_pos": pick.astype("int64")}))
    name = f"cx_pos_{uuid.uuid4().hex}"
    backend.raw_sql(f"CREATE TEMPORARY TABLE {name} AS SELECT unnest(%s::bigint[]) AS _pos",
                    params=(pick.astype("int64").tolist(),)).close()
    return backend.table(name)


def pull_positions(t, n: int, size: int, seed: int) -> pd.DataFrame:
    """The rows of ``t`` (``n`` of them) at a seeded random choice of ``size`` positions in customer-id
    order, as :func:`cxlib.customers.fit_churn_model` picks its ``sample`` (all rows when ``n <= size``).
    Only the ids are numbered (a sort of one column, not of every pulled one: 2.0M customers, 1.1 -> 0.65 s
    of CPU), the chosen ids then pick their rows."""
    import ibis

    from ..data import to_frame

    if n > size:
        pick = np.sort(np.random.default_rng(seed).choice(n, size=int(size), replace=False))
        ids = t.select("customer_id")
        numbered = ids.mutate(_pos=ibis.row_number().over(order_by=ids.customer_id))
        positions = _positions(t.get_backend(), pick)
        t = t.filter(t.customer_id.isin(numbered.filter(numbered._pos.isin(positions._pos)).customer_id))
        try:
            return as_frame(to_frame(t, order_by=("customer_id",), unique=("customer_id",)))
        finally:
            if t.get_backend().name == "postgres":   # its temporary table, made for this pull only
                t.get_backend().raw_sql(f'DROP TABLE "{positions.get_name()}"').close()
    return as_frame(to_frame(t, order_by=("customer_id",), unique=("customer_id",)))
