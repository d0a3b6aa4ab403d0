"""Customer health: one row per account joining survey answers, tickets and the account record.

:func:`customer_table` gathers the inputs as of a date (latest NPS/CSAT/CES and the NPS trend, open and
slow tickets, handoffs, tenure, plan); :func:`health_scores` adds a transparent 0-100 score whose
``pts_*`` columns add up to it, so any customer's score can be explained line by line;
:func:`follow_up_list` closes the loop with the customers the CX team should contact this month.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .dataset import DataError
from .metrics import nps_points
from .ops import _examples, _need, check_tickets

__all__ = ["DEFAULT_WEIGHTS", "NPS_CATEGORIES", "customer_table", "follow_up_list", "health_scores"]

#: Weight of each component in the health score (renormalised over the components a customer has).
DEFAULT_WEIGHTS = {"nps": 0.35, "csat": 0.15, "ces": 0.15, "trend": 0.10, "tickets": 0.25}
#: Category order of ``nps_category``; the first is the reference level in churn models.
NPS_CATEGORIES = ["passive", "detractor", "promoter", "no response"]


def _as_of(as_of, responses: pd.DataFrame, tickets) -> pd.Timestamp:
    first = responses["responded_at"].min()
    last = max([responses["responded_at"].max()]
               + ([tickets["opened_at"].max()] if tickets is not None and len(tickets) else []))
    if as_of is None:
        return last
    try:
        ts = pd.Period(as_of, freq="M").end_time.floor("s") if len(str(as_of)) == 7 else pd.Timestamp(as_of)
    except ValueError as err:
        raise DataError(f"as_of {as_of!r}: expected a date or 'YYYY-MM' month") from err
    if not first <= ts <= last + pd.Timedelta(days=31):
        raise DataError(f"as_of {as_of!r} is outside the data: responses.responded_at runs from "
                        f"{first:%Y-%m-%d} to {last:%Y-%m-%d}")
    return ts


def _check_accounts(accounts: pd.DataFrame) -> None:
    _need(accounts, ["customer_id"], "accounts")
    if "annual_revenue" in accounts:
        neg = accounts["annual_revenue"] < 0
        if neg.any():
            raise DataError(
                f"accounts column 'annual_revenue': {int(neg.sum())} negative value(s) (customer_id "
                f"{_examples(accounts.loc[neg, 'customer_id'] + '=' + accounts.loc[neg, 'annual_revenue'].astype(str))}); "
                "expected revenue >= 0")
    dup = accounts["customer_id"].duplicated()
    if dup.any():
        raise DataError(f"accounts column 'customer_id' must be unique; repeated: "
                        f"{_examples(accounts.loc[dup, 'customer_id'])}")


def _isin(col: pd.Series, values: set) -> pd.Series:
    """``col.isin(values)`` through pyarrow: pandas' own isin on arrow strings is slow for large sets."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(col.astype("str").to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    hit = pc.is_in(arr, value_set=pa.array([str(v) for v in values], type=pa.string()))
    return pd.Series(hit.to_numpy(zero_copy_only=False), index=col.index).fillna(False).astype(bool)


def customer_table(responses: pd.DataFrame, tickets: pd.DataFrame | None, accounts: pd.DataFrame, *,
                   as_of=None, slow_hours: float = 72.0) -> pd.DataFrame:
    """One row per account with its survey and ticket history up to ``as_of``.

    Parameters
    ----------
    responses, tickets, accounts : pandas.DataFrame
        Canonical tables (``tickets`` may be None). Customers in ``responses`` (or ``tickets``) but not in
        ``accounts`` are counted, warned about and left out: ``attrs["unmatched_customers"]``.
    as_of : str or Timestamp, optional
        Date (or ``"YYYY-MM"``, meaning the end of that month) the table describes; default the last
        response or ticket. Only history up to it is used; accounts signed up later are left out.
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
    _need(responses, ["customer_id", "responded_at"], "responses")
    _check_accounts(accounts)
    if tickets is not None:
        check_tickets(tickets)
        _need(tickets, ["customer_id"], "tickets")
    ts = _as_of(as_of, responses, tickets)
    known = set(accounts["customer_id"].dropna().unique())
    unmatched = sorted(set(responses["customer_id"].dropna().unique()) - known)
    if tickets is not None:
        unmatched = sorted(set(unmatched) | (set(tickets["customer_id"].dropna().unique()) - known))
    if unmatched:
        warnings.warn(f"{len(unmatched)} customer(s) in responses/tickets are not in accounts "
                      f"(e.g. {_examples(unmatched, 3)}); they are left out of the customer table",
                      stacklevel=2)
    acc = accounts
    if "signup_date" in acc:
        acc = acc[acc["signup_date"].isna() | (acc["signup_date"] <= ts)]
    out = acc[[c for c in ["customer_id", "region", "plan", "annual_revenue"] if c in acc]].copy()
    if "signup_date" in acc:
        out["tenure_years"] = (ts - acc["signup_date"]).dt.days / 365.25
    # Survey history ---------------------------------------------------------------------------
    r = responses[(responses["responded_at"] <= ts) & _isin(responses["customer_id"], known)]
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
    out = out.merge(surv, left_on="customer_id", right_index=True, how="left")
    out["n_responses"] = out["n_responses"].fillna(0).astype("int64")
    if "nps_latest" in out:
        points = nps_points(out["nps_latest"])
        cat = np.select([points > 0, points == 0, points < 0], ["promoter", "passive", "detractor"], "no response")
        out["nps_category"] = pd.Categorical(cat, categories=NPS_CATEGORIES)
    # Tickets ----------------------------------------------------------------------------------
    if tickets is not None:
        t = tickets[(tickets["opened_at"] <= ts) & _isin(tickets["customer_id"], known)]
        is_open = t["resolved_at"].isna() | (t["resolved_at"] > ts)
        took = (t["resolved_at"].where(~is_open, ts) - t["opened_at"]).dt.total_seconds() / 3600
        tk = pd.DataFrame({"customer_id": t["customer_id"], "open": is_open, "slow": took > slow_hours,
                           "handoffs": t["handoffs"].astype("float64") if "handoffs" in t else 0.0})
        agg = tk.groupby("customer_id").agg(n_tickets=("open", "size"), open_tickets=("open", "sum"),
                                            slow_tickets=("slow", "sum"), handoffs_total=("handoffs", "sum"))
        out = out.merge(agg, left_on="customer_id", right_index=True, how="left")
        for c in ("n_tickets", "open_tickets", "slow_tickets"):
            out[c] = out[c].fillna(0).astype("int64")
        out["handoffs_total"] = out["handoffs_total"].fillna(0.0)
    if "churned" in acc:
        churned = acc["churned"].astype("boolean").fillna(False)
        if "churned_at" in acc:
            churned &= acc["churned_at"].isna() | (acc["churned_at"] <= ts)
        out["churned"] = churned.astype(bool).to_numpy()
    out = out.reset_index(drop=True)
    out.attrs.update(unmatched_customers=len(unmatched), as_of=ts)
    return out


def _scaled(x: pd.Series, lo: float, hi: float) -> pd.Series:
    return ((x - lo) / (hi - lo) * 100).clip(0, 100)


def health_scores(responses: pd.DataFrame, tickets: pd.DataFrame | None, accounts: pd.DataFrame, *,
                  weights: dict | None = None, as_of=None, slow_hours: float = 72.0,
                  scales: dict | None = None, min_coverage: float = 0.5) -> pd.DataFrame:
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
        ``{"csat": (min, max), "ces": (min, max)}``; default 1-5 and 1-7 (higher is better).
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
        raise ValueError(f"weights: expected non-negative weights for {sorted(DEFAULT_WEIGHTS)} with a "
                         f"positive sum; got {weights}")
    sc = {"csat": (1, 5), "ces": (1, 7), **(scales or {})}
    out = customer_table(responses, tickets, accounts, as_of=as_of, slow_hours=slow_hours)
    nan = pd.Series(np.nan, index=out.index)
    sub = {
        "nps": _scaled(out.get("nps_latest", nan), 0, 10),
        "csat": _scaled(out.get("csat_latest", nan), *sc["csat"]),
        "ces": _scaled(out.get("ces_latest", nan), *sc["ces"]),
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
    out["health"] = out[[f"pts_{k}" for k in weights]].sum(axis=1, min_count=1).where(enough)
    band = pd.cut(out["health"], [-np.inf, 40, 70, np.inf], right=False, labels=["at risk", "watch", "healthy"])
    out["health_band"] = band.cat.add_categories("no data").fillna("no data")
    return out


def follow_up_list(responses: pd.DataFrame, customers: pd.DataFrame, *, month: str,
                   probability: str = "churn_probability", risk_threshold: float = 0.3,
                   health_below: float = 40.0, drivers=(), theme_col: str = "theme",
                   include_comment: bool = True) -> pd.DataFrame:
    """Closed loop: this month's detractors and high-risk accounts, with the reason to call each.

    Row-level personal data (ids, and comments when ``include_comment``): write it to a CSV for the CX
    team, never into an aggregate report.

    Parameters
    ----------
    responses : pandas.DataFrame
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
        Column of comment themes in ``responses`` (e.g. from ``cxlib.text``), used when present.
    include_comment : bool

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
    _need(responses, ["customer_id", "responded_at", "nps"], "responses")
    _need(customers, ["customer_id"], "customers")
    try:
        period = pd.Period(month, freq="M")
    except (ValueError, TypeError) as err:
        raise DataError(f"month {month!r}: expected 'YYYY-MM'") from err
    in_month = responses[responses["responded_at"].dt.to_period("M") == period]
    if in_month.empty:
        span = responses["responded_at"].dt.to_period("M")
        raise DataError(f"month {month!r} is outside the data: responses.responded_at runs from "
                        f"{span.min()} to {span.max()}")
    latest = in_month.sort_values("responded_at", kind="stable").groupby("customer_id").tail(1)
    cols = [c for c in ["customer_id", "response_id", "responded_at", "nps", "csat", theme_col, "comment",
                        *drivers] if c in latest]
    latest = latest[cols].rename(columns={theme_col: "theme"})
    cust = customers.drop(columns=[c for c in ["nps", "csat", "comment", "theme"] if c in customers])
    out = cust.merge(latest, on="customer_id", how="outer", indicator=True)
    n_unknown = int((out["_merge"] == "right_only").sum())
    out = out.drop(columns="_merge")
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

    def _reason(row) -> str:
        parts = [f"detractor (NPS {row['nps']:.0f})"] if row["detractor"] else []
        if pd.notna(row["churn_probability"]):
            parts.append(f"churn risk {row['churn_probability']:.0%}")
        if pd.notna(row.get("health")) and row["health"] < health_below:
            parts.append(f"health {row['health']:.0f}")
        for c, label in (("open_tickets", "open ticket(s)"), ("slow_tickets", "slow ticket(s)")):
            if row.get(c, 0) > 0:
                parts.append(f"{row[c]:.0f} {label}")
        if isinstance(row.get("theme"), str) and row["theme"]:
            parts.append(f"theme: {row['theme']}")
        if isinstance(row["lowest_driver"], str):
            parts.append(f"low rating: {row['lowest_driver']}")
        return "; ".join(parts)

    out["reason"] = out.apply(_reason, axis=1) if len(out) else pd.Series(dtype="str")
    rev = out["annual_revenue"] if "annual_revenue" in out else 1.0
    out["_priority"] = (out["churn_probability"].fillna(0) * rev).fillna(0) + out["detractor"] * 1e-9
    out = out.sort_values(["_priority", "nps"], ascending=[False, True], kind="stable")
    wanted = ["customer_id", "response_id", "responded_at", "nps", "csat", "detractor", "high_risk",
              "churn_probability", "health", "open_tickets", "slow_tickets", "annual_revenue", "region",
              "plan", "theme", "lowest_driver", "reason"] + (["comment"] if include_comment else [])
    for c in wanted:
        if c not in out:
            out[c] = np.nan
    out = out[wanted].reset_index(drop=True)
    out.attrs["customers_not_in_table"] = n_unknown
    return out
