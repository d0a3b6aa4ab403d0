"""Scoring every customer as of a month: health, churn probability and the model behind it, in one call.

The report, notebook 04 and the follow-up list all score customers through :func:`score_customers`,
so they agree on who is at risk (same month end, same features, same minimum number of churners).
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass, field

import pandas as pd

from ..data import is_table, parse_segment, subset
from .churn import ChurnModel, fit_churn_model
from .health import SURVEY_FEATURES, health_scores

__all__ = ["CHURN_FEATURES", "MIN_EVENTS", "CustomerScores", "score_customers"]

#: Features of the churn model, when the customer table has them.
CHURN_FEATURES = ["nps_category", "handoffs_total", "slow_tickets", "plan", "tenure_years"]
#: Fewest churners (and stayers) a churn model is fitted on.
MIN_EVENTS = 20


@dataclass
class CustomerScores:
    """Result of :func:`score_customers`.

    Attributes
    ----------
    table : pandas.DataFrame or Ibis table
        One row per customer: the :func:`cxlib.customers.health_scores` columns plus
        ``churn_probability`` (NaN when no model could be fitted); a table, kept in the database, when
        the inputs were tables. Personal data: for the follow-up
        CSV and for aggregates, never for an executive's HTML as is.
    model : ChurnModel or None
        The fitted churn model; None when there were too few churners or stayers.
    note : str
        Why there is no model ("" when there is one).
    month : str
        The month the scores describe (history up to its last second).
    """

    table: pd.DataFrame = field(repr=False)
    model: ChurnModel | None
    note: str
    month: str


def score_customers(responses: pd.DataFrame, tickets: pd.DataFrame | None, accounts: pd.DataFrame, *,
                    month: str, segment=None, scales: dict | None = None, seed: int = 0,
                    compare: bool = True, fit_sample: int | None = None) -> CustomerScores:
    """Health scores and churn probabilities per customer as of the end of ``month``.

    Parameters
    ----------
    responses, tickets, accounts : pandas.DataFrame
        Canonical tables (``tickets`` may be None).
    month : str
        "YYYY-MM": everything up to the month's last second counts.
    segment : str or dict, optional
        One segment ("region=EMEA"): accounts with that value where accounts carry the column, else the
        customers who answered in the segment.
    scales : dict, optional
        Score scales for the health score (``cfg.scales``).
    seed : int
        Seeds the model's train/test split.
    compare : bool
        Also fit the model without survey scores, to report what the survey adds.
    fit_sample : int, optional
        Fit the churn model on a random sample (seeded by ``seed``) of at most this many customers; every
        customer is still scored (see :func:`cxlib.customers.fit_churn_model`, ``sample``).

    Returns
    -------
    CustomerScores

    Examples
    --------
    >>> from cxlib.data import load_accounts, load_responses, load_tickets
    >>> scores = score_customers(load_responses(), load_tickets(), load_accounts(), month="2026-10", compare=False)
    >>> scores.model is not None, "churn_probability" in scores.table
    (True, True)
    """
    if is_table(accounts):
        return _score_tables(responses, tickets, accounts, month=month, segment=segment, scales=scales, seed=seed,
                             compare=compare, fit_sample=fit_sample)
    if segment:
        parts = parse_segment(segment)
        keep = {c: v for c, v in parts.items() if c in accounts}
        answered = (responses.select("customer_id").distinct().execute()["customer_id"] if is_table(responses)
                    else responses["customer_id"])
        accounts = subset(accounts, segment=keep) if keep else accounts[accounts["customer_id"].isin(answered)]
        if tickets is not None and not is_table(tickets):  # the segment's customers only (a table: see customer_table)
            tickets = tickets[tickets["customer_id"].isin(accounts["customer_id"])]
    scored = health_scores(responses, tickets, accounts, as_of=month, scales=scales)
    outcome = scored["churned"].dropna().astype(bool) if "churned" in scored else pd.Series(dtype=bool)
    n_churn, n_stay = int(outcome.sum()), int((~outcome).sum())
    if min(n_churn, n_stay) < MIN_EVENTS:
        note = (f"too few customers who churned ({n_churn}) or stayed ({n_stay}) up to {month} to fit a "
                f"churn model (at least {MIN_EVENTS} of each needed)")
        return CustomerScores(scored.assign(churn_probability=float("nan")), None, note, month)
    features = [f for f in CHURN_FEATURES if f in scored and scored[f].notna().any()]
    model = fit_churn_model(scored, features=features, seed=seed,
                            survey_features=SURVEY_FEATURES if compare else None, sample=fit_sample)
    return CustomerScores(scored.assign(churn_probability=model.predict(scored)), model, "", month)


def _stored_step(made: list, table):
    """``table`` stored on its server (:func:`cxlib.data.materialize`) in place of the previous step's table,
    the last of ``made``; the new one appended."""
    from ..data import materialize

    made.append(materialize(table, replaces=made[-1]))
    return made[-1]


def _score_tables(responses, tickets, accounts, *, month, segment, scales, seed, compare, fit_sample) -> CustomerScores:
    """:func:`score_customers` in the database: the customer table and health computed once into a temporary
    table, the churn probability then stored as one more column (:func:`cxlib.data.add_column`: in place on
    DuckDB, 0.4 s of CPU at 10M responses where a copy of the table took 3.6-4.9 s; a copy elsewhere). A lazy
    probability cost each read of it 1.2 s more CPU (0.27 -> 1.5 s for a revenue-at-risk query) and the
    report reads it at least five times. The model fitted on a seeded sample of at most ``fit_sample`` customers
    with every feature, drawn as :func:`fit_churn_model` draws its ``sample`` (the same customers when the
    accounts are in customer-id order)."""
    import ibis

    from ..data import DEFAULT_SCALES, add_column, materialize
    from ..scores import as_scale
    from . import _engine
    from .health import DEFAULT_WEIGHTS, MIN_COVERAGE, SLOW_HOURS, as_of_bound

    if segment:
        keep = {c: v for c, v in parse_segment(segment).items() if c in accounts.columns}
        accounts = subset(accounts, segment=keep) if keep else accounts.filter(
            accounts.customer_id.isin(responses.select("customer_id").distinct().customer_id))
    end = as_of_bound(month, responses, tickets)
    sc = {**DEFAULT_SCALES, **{k: as_scale(v) for k, v in (scales or {}).items()}}
    made = [None]   # PostgreSQL shares no common subexpressions: health's steps stored (_engine.health_expr)
    step = functools.partial(_stored_step, made) if responses.get_backend().name == "postgres" else None
    table = materialize(_engine.health_expr(_engine.customer_expr(responses, tickets, accounts, end, SLOW_HOURS),
                                            dict(DEFAULT_WEIGHTS), sc, MIN_COVERAGE, step=step),
                        replaces=made[-1])   # computed once, the steps' tables dropped
    candidates = [f for f in CHURN_FEATURES if f in table.columns]
    churned = table.churned.sum() if "churned" in table.columns else ibis.literal(None, "int64")
    every = functools.reduce(operator.and_, [table[f].notnull() for f in candidates]) if candidates else None
    got = table.aggregate(n=table.count(), churn=churned, stay=table.count(where=~table.churned)
                          if "churned" in table.columns else churned, **{f: table[f].count() for f in candidates},
                          **({"_complete": table.count(where=every)} if candidates else {})).execute().iloc[0]
    n_total = int(got["n"])
    n_churn, n_stay = (int(got[k]) if pd.notna(got[k]) else 0 for k in ("churn", "stay"))
    if min(n_churn, n_stay) < MIN_EVENTS:
        note = (f"too few customers who churned ({n_churn}) or stayed ({n_stay}) up to {month} to fit a "
                f"churn model (at least {MIN_EVENTS} of each needed)")
        return CustomerScores(table.mutate(churn_probability=ibis.null("float64")), None, note, month)
    features = [f for f in candidates if int(got[f]) > 0]
    complete = table.filter(*[table[f].notnull() for f in features])
    n_complete = (int(got["_complete"]) if candidates and features == candidates   # no second scan
                  else int(complete.count().execute()))
    rows = _engine.pull_positions(complete.select("customer_id", "churned", *features), n_complete,
                                  fit_sample or n_complete, seed)
    model = fit_churn_model(rows, features=features, seed=seed, survey_features=SURVEY_FEATURES if compare else None)
    model.n_complete, model.n_sampled, model.n_dropped = n_complete, len(rows), n_total - n_complete
    return CustomerScores(add_column(table, "churn_probability", _engine.probability_expr(table, model)), model, "",
                          month)
