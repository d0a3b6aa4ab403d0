"""Customer health: one row per account joining survey answers, tickets and the account record.

:func:`customer_table` gathers the inputs as of a month or date (latest NPS/CSAT/CES and the NPS trend,
open and slow tickets, handoffs, tenure, plan); :func:`health_scores` adds a transparent 0-100 score
whose ``pts_*`` columns add up to it, so any customer's score can be explained line by line.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

from .. import periods
from .._checks import examples, need_columns
from ..data import DEFAULT_SCALES, Scale, check_accounts, check_tickets, is_table
from ..errors import DataError, ParameterError
from ..scores import as_scale, nps_points
from ._history import span, survey_history, ticket_history

__all__ = ["DEFAULT_WEIGHTS", "NPS_CATEGORIES", "SURVEY_FEATURES", "as_of_bound", "customer_table",
           "health_scores"]

#: Weight of each component in the health score (renormalised over the components a customer has).
DEFAULT_WEIGHTS = {"nps": 0.35, "csat": 0.15, "ces": 0.15, "trend": 0.10, "tickets": 0.25}
#: The defaults of :func:`customer_table` / :func:`health_scores` (a ticket open longer than this many hours is
#: slow; a health score needs components covering this share of the weights), also read by scoring in the database.
SLOW_HOURS, MIN_COVERAGE = 72.0, 0.5
#: Category order of ``nps_category``; the first is the reference level in churn models.
NPS_CATEGORIES = ["passive", "detractor", "promoter", "no response"]
#: Columns of :func:`customer_table` that come from surveys (what a churn model without them lacks).
SURVEY_FEATURES = ["nps_category", "nps_latest", "csat_latest", "ces_latest", "nps_trend"]


def as_of_bound(as_of, responses: pd.DataFrame, tickets=None) -> pd.Timestamp:
    """The exclusive end of the history a customer table describes.

    Parameters
    ----------
    as_of : str, Timestamp or None
        "YYYY-MM": up to the end of that month (the first instant of the next, excluded);
        "YYYY-MM-DD": up to the end of that day; a timestamp: everything before that instant; None:
        everything (one nanosecond after the last response or ticket).
    responses, tickets : pandas.DataFrame
        For the default and for the check that ``as_of`` is inside the data.

    Returns
    -------
    pandas.Timestamp

    Examples
    --------
    >>> r = pd.DataFrame({"responded_at": pd.to_datetime(["2026-09-03 10:00:00", "2026-10-31 23:59:59"])})
    >>> as_of_bound("2026-10", r), as_of_bound("2026-10-31", r)
    (Timestamp('2026-11-01 00:00:00'), Timestamp('2026-11-01 00:00:00'))
    """
    first, last = span(responses, "responded_at")
    if tickets is not None and (is_table(tickets) or len(tickets)):
        last = max(last, span(tickets, "opened_at")[1])
    if as_of is None:
        return last + pd.Timedelta(1, "ns")
    if isinstance(as_of, str) and periods.MONTH_PATTERN.fullmatch(as_of):
        end = periods.bounds(as_of)[1]
    elif isinstance(as_of, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", as_of.strip()):
        end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    else:
        try:
            end = pd.Timestamp(as_of)
        except (ValueError, TypeError) as err:
            raise DataError(f"as_of {as_of!r}: expected a 'YYYY-MM' month or a date") from err
    if not first < end <= last + pd.Timedelta(days=32):
        raise DataError(f"as_of {as_of!r} is outside the data: responses.responded_at runs from "
                        f"{first:%Y-%m-%d} to {last:%Y-%m-%d}")
    return end


def _isin(col: pd.Series, values: set) -> pd.Series:
    """``col.isin(values)`` through pyarrow: pandas' own isin on arrow strings is slow for large sets."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(col.astype("str").to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    hit = pc.is_in(arr, value_set=pa.array([str(v) for v in values], type=pa.string()))
    return pd.Series(hit.to_numpy(zero_copy_only=False), index=col.index).fillna(False).astype(bool)


def customer_table(responses: pd.DataFrame, tickets: pd.DataFrame | None, accounts: pd.DataFrame, *,
                   as_of=None, slow_hours: float = SLOW_HOURS) -> pd.DataFrame:
    """One row per account with its survey and ticket history up to ``as_of``.

    Parameters
    ----------
    responses, tickets, accounts : pandas.DataFrame
        Canonical tables (``tickets`` may be None). Customers in ``responses`` (or ``tickets``) but not in
        ``accounts`` are counted in a warning and left out.
    as_of : str or Timestamp, optional
        ``"YYYY-MM"`` (up to the end of that month, its last second included), ``"YYYY-MM-DD"`` (up to
        the end of that day) or a timestamp (history before it); default everything. See
        :func:`as_of_bound`. Accounts signed up later are left out.
    slow_hours : float
        A ticket is slow when it took (or, still open, has taken) longer than this.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``region``, ``plan``, ``annual_revenue``, ``tenure_years``, ``n_responses``,
        ``last_response_at``, ``nps_latest``, ``csat_latest``, ``ces_latest``, ``nps_trend`` (latest NPS
        minus the mean of the customer's earlier answers; NaN with one answer), ``nps_category``
        (categorical: passive, detractor, promoter, no response), ``n_tickets``, ``open_tickets``,
        ``slow_tickets``, ``handoffs_total``, and ``churned`` (churned on or before ``as_of``) when
        accounts carry it. Account columns absent from ``accounts`` are absent here too.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"customer_id": ["A", "A", "B"], "nps": [8.0, 4.0, 10.0],
    ...                   "responded_at": pd.to_datetime(["2026-01-05", "2026-03-01", "2026-02-01"])})
    >>> a = pd.DataFrame({"customer_id": ["A", "B", "C"], "plan": ["Basic", "Pro", "Pro"]})
    >>> customer_table(r, None, a)[["customer_id", "nps_latest", "nps_trend", "nps_category"]]
      customer_id  nps_latest  nps_trend nps_category
    0           A         4.0       -4.0    detractor
    1           B        10.0        NaN     promoter
    2           C         NaN        NaN  no response
    """
    need_columns(responses, ["customer_id", "responded_at"], where="customer_table (responses)")
    check_accounts(accounts)
    if tickets is not None:
        need_columns(tickets, ["customer_id", "opened_at", "resolved_at"], where="customer_table (tickets)")
        if not is_table(tickets):
            check_tickets(tickets)
    end = as_of_bound(as_of, responses, tickets)
    if is_table(responses):   # in the database: per-customer aggregates (one GROUP BY per table), merged below
        return _from_tables(responses, tickets, accounts, end, slow_hours)
    known = set(accounts["customer_id"].dropna().unique())
    unmatched = sorted(set(responses["customer_id"].dropna().unique()) - known)
    if tickets is not None:
        unmatched = sorted(set(unmatched) | (set(tickets["customer_id"].dropna().unique()) - known))
    _warn_unmatched(unmatched)
    acc, out = _accounts(accounts, end)
    # Survey history ---------------------------------------------------------------------------
    r = responses[(responses["responded_at"] < end) & _isin(responses["customer_id"], known)]
    r = r.sort_values(["customer_id", "responded_at"], kind="stable")
    g = r.groupby("customer_id", sort=False)
    surv = pd.DataFrame({"n_responses": g.size(), "last_response_at": g["responded_at"].max()})
    for s in ("nps", "csat", "ces"):
        if s in r:
            surv[f"{s}_latest"] = r.dropna(subset=[s]).groupby("customer_id")[s].last()
    if "nps" in r:
        answered = r.dropna(subset=["nps"])
        gn = answered.groupby("customer_id")["nps"]
        earlier = (gn.sum() - gn.last()) / (gn.count() - 1).replace(0, np.nan)
        surv["nps_trend"] = gn.last() - earlier
    out = _with_survey(out, surv)
    # Tickets ----------------------------------------------------------------------------------
    if tickets is not None:
        t = tickets[(tickets["opened_at"] < end) & _isin(tickets["customer_id"], known)]
        is_open = t["resolved_at"].isna() | (t["resolved_at"] >= end)
        took = (t["resolved_at"].where(~is_open, end) - t["opened_at"]).dt.total_seconds() / 3600
        tk = pd.DataFrame({"customer_id": t["customer_id"], "open": is_open, "slow": took > slow_hours,
                           "handoffs": t["handoffs"].astype("float64") if "handoffs" in t else 0.0})
        agg = tk.groupby("customer_id").agg(n_tickets=("open", "size"), open_tickets=("open", "sum"),
                                            slow_tickets=("slow", "sum"), handoffs_total=("handoffs", "sum"))
        out = _with_tickets(out, agg)
    return _with_churn(out, acc, end)


def _warn_unmatched(unmatched) -> None:
    if len(unmatched):
        warnings.warn(f"{len(unmatched)} customer(s) in responses/tickets are not in accounts "
                      f"(e.g. {examples(sorted(unmatched), 3)}); they are left out of the customer table",
                      stacklevel=3)


def _accounts(accounts: pd.DataFrame, end) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The accounts signed up before ``end``, and the customer table's account columns."""
    acc = accounts
    if "signup_date" in acc:
        acc = acc[acc["signup_date"].isna() | (acc["signup_date"] < end)]
    out = acc[[c for c in ["customer_id", "region", "plan", "annual_revenue"] if c in acc]].copy()
    if "signup_date" in acc:
        out["tenure_years"] = (end - acc["signup_date"]).dt.days / 365.25
    return acc, out


def _with_survey(out: pd.DataFrame, surv: pd.DataFrame) -> pd.DataFrame:
    out = out.merge(surv, left_on="customer_id", right_index=True, how="left")
    out["n_responses"] = out["n_responses"].fillna(0).astype("int64")
    if "nps_latest" in out:
        points = nps_points(out["nps_latest"])
        cat = np.select([points > 0, points == 0, points < 0], ["promoter", "passive", "detractor"], "no response")
        out["nps_category"] = pd.Categorical(cat, categories=NPS_CATEGORIES)
    return out


def _with_tickets(out: pd.DataFrame, agg: pd.DataFrame) -> pd.DataFrame:
    out = out.merge(agg, left_on="customer_id", right_index=True, how="left")
    for c in ("n_tickets", "open_tickets", "slow_tickets"):
        out[c] = out[c].fillna(0).astype("int64")
    out["handoffs_total"] = out["handoffs_total"].fillna(0.0).astype("float64")
    return out


def _with_churn(out: pd.DataFrame, acc: pd.DataFrame, end) -> pd.DataFrame:
    if "churned" in acc:
        churned = acc["churned"].astype("boolean").fillna(False)
        if "churned_at" in acc:
            churned &= acc["churned_at"].isna() | (acc["churned_at"] < end)
        out["churned"] = churned.astype(bool).to_numpy()
    return out.reset_index(drop=True)


def _from_tables(responses, tickets, accounts: pd.DataFrame, end, slow_hours: float) -> pd.DataFrame:
    """:func:`customer_table` with the histories aggregated in the database (the customers they name
    that are not in ``accounts`` counted from the aggregates, i.e. among those with history before ``end``).
    A customer's latest answer among several at the same instant is any one of them (a file keeps the
    last in file order)."""
    surv = survey_history(responses, end)
    agg = ticket_history(tickets, end, slow_hours) if tickets is not None else None
    ids = surv.index if agg is None else surv.index.union(agg.index)
    _warn_unmatched(ids.dropna().difference(pd.Index(accounts["customer_id"].dropna())).tolist())
    acc, out = _accounts(accounts, end)
    out = _with_survey(out, surv)
    if agg is not None:
        out = _with_tickets(out, agg)
    return _with_churn(out, acc, end)


def _scaled(x: pd.Series, scale: Scale) -> pd.Series:
    """Answers on ``scale`` as 0 (worst) to 100 (best), whichever way the scale runs."""
    pos = (x - scale.min) / (scale.max - scale.min)
    return ((pos if scale.higher_is_better else 1 - pos) * 100).clip(0, 100)


def health_scores(responses: pd.DataFrame, tickets: pd.DataFrame | None, accounts: pd.DataFrame, *,
                  weights: dict | None = None, as_of=None, slow_hours: float = SLOW_HOURS,
                  scales: dict | None = None, min_coverage: float = MIN_COVERAGE) -> pd.DataFrame:
    """A transparent 0-100 health score per customer, with its components.

    Sub-scores, each 0-100: ``score_nps`` = latest NPS on 0-10 scaled to 0-100; ``score_csat`` and
    ``score_ces`` likewise from their scales; ``score_trend`` = 50 + 10 x NPS trend (clipped);
    ``score_tickets`` = 100 - 25 per open ticket - 15 per slow ticket - 10 per handoff (floored at 0;
    100 with no tickets). The score is the weighted mean of the sub-scores a customer has (weights
    renormalised over them); ``pts_*`` = weight share x sub-score, so the ``pts_*`` add up to ``health``.

    Parameters
    ----------
    responses, tickets, accounts, as_of, slow_hours
        See :func:`customer_table`.
    weights : dict, optional
        Component -> weight (keys among ``nps``, ``csat``, ``ces``, ``trend``, ``tickets``); default
        :data:`DEFAULT_WEIGHTS`.
    scales : dict, optional
        Scale of each score, e.g. ``cfg.scales``; default :data:`cxlib.data.DEFAULT_SCALES`. A scale
        with ``higher_is_better=False`` is turned round so that 100 is always best.
    min_coverage : float
        Customers whose available components carry less than this share of the total weight (e.g. no
        survey answer, only tickets) get ``health`` NaN and band "no data" rather than a guess.

    Returns
    -------
    pandas.DataFrame
        The :func:`customer_table` columns plus ``score_<component>`` and ``pts_<component>`` for each
        weighted component, ``coverage`` (share of the total weight the customer has data for),
        ``health`` (0-100; NaN below ``min_coverage``) and ``health_band`` ("at risk" < 40 <= "watch" < 70 <=
        "healthy", or "no data").

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"customer_id": ["A", "B"], "nps": [10.0, 0.0],
    ...                   "responded_at": pd.to_datetime(["2026-01-05", "2026-02-01"])})
    >>> a = pd.DataFrame({"customer_id": ["A", "B"]})
    >>> health_scores(r, None, a, weights={"nps": 1.0})[["customer_id", "health", "health_band"]]
      customer_id  health health_band
    0           A   100.0     healthy
    1           B     0.0     at risk
    """
    weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
    unknown = set(weights) - set(DEFAULT_WEIGHTS)
    if unknown or any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
        raise ParameterError(f"The 'weights' parameter of health_scores must map some of "
                             f"{sorted(DEFAULT_WEIGHTS)} to weights >= 0 with a positive sum. Got {weights!r} instead.")
    sc = {**DEFAULT_SCALES, **{k: as_scale(v) for k, v in (scales or {}).items()}}
    out = customer_table(responses, tickets, accounts, as_of=as_of, slow_hours=slow_hours)
    nan = pd.Series(np.nan, index=out.index)
    sub = {
        "nps": _scaled(out.get("nps_latest", nan), DEFAULT_SCALES["nps"]),
        "csat": _scaled(out.get("csat_latest", nan), sc["csat"]),
        "ces": _scaled(out.get("ces_latest", nan), sc["ces"]),
        "trend": (50 + 10 * out.get("nps_trend", nan)).clip(0, 100),
        "tickets": (100 - 25 * out["open_tickets"] - 15 * out["slow_tickets"] - 10 * out["handoffs_total"]
                    ).clip(lower=0) if "open_tickets" in out else nan,
    }
    w = pd.DataFrame({k: np.where(sub[k].notna(), weights[k], 0.0) for k in weights}, index=out.index)
    total = w.sum(axis=1)
    out["coverage"] = total / sum(weights.values())
    for k in weights:
        out[f"score_{k}"] = sub[k]
        out[f"pts_{k}"] = (w[k] / total.replace(0, np.nan) * sub[k].fillna(0)).where(total > 0)
    enough = out["coverage"] >= min_coverage
    for k in weights:
        out[f"pts_{k}"] = out[f"pts_{k}"].where(enough)
    # the points add up to at most 100 by construction; clipped so floating-point sums (100.00000000000001)
    # stay on the 0–100 scale
    out["health"] = out[[f"pts_{k}" for k in weights]].sum(axis=1, min_count=1).clip(0, 100).where(enough)
    band = pd.cut(out["health"], [-np.inf, 40, 70, np.inf], right=False, labels=["at risk", "watch", "healthy"])
    out["health_band"] = band.cat.add_categories("no data").fillna("no data")
    return out
