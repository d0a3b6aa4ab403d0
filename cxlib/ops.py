"""Operations: what slow, handed-off tickets cost.

Survey responses that followed a support ticket carry its ``ticket_id``; :func:`support_journeys` joins
them to the tickets, :func:`ops_effect_table` and :func:`handoff_effects` turn the join into effect tables
with confidence intervals (A/B pilots are read out by :mod:`cxlib.experiments`). NPS is analysed per
respondent as :func:`cxlib.metrics.nps_points` (+100 promoter, 0 passive, -100 detractor), so its mean
is the NPS and differences are in NPS points.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats

from .dataset import DataError
from .metrics import nps_points

__all__ = [
    "check_tickets",
    "handoff_effects",
    "ops_effect_table",
    "ops_regression",
    "support_journeys",
]

#: Resolution-time bins (hours) used by :func:`ops_effect_table` for ``factor="resolution_hours"``.
RESOLUTION_BINS = [0, 4, 24, 72, np.inf]
RESOLUTION_LABELS = ["< 4 h", "4-24 h", "1-3 days", "> 3 days"]
_METRICS = ("nps", "csat", "ces")


def _need(data: pd.DataFrame, cols, what: str) -> None:
    missing = [c for c in cols if c not in data]
    if missing:
        raise DataError(f"{what}: column(s) {missing} not found; columns are {list(data.columns)}")


def _examples(values, limit: int = 5) -> str:
    values = list(values)
    more = f" and {len(values) - limit} more" if len(values) > limit else ""
    return ", ".join(map(str, values[:limit])) + more


def check_tickets(tickets: pd.DataFrame) -> None:
    """Raise :class:`~cxlib.dataset.DataError` for tickets resolved before they were opened."""
    _need(tickets, ["ticket_id", "opened_at", "resolved_at"], "tickets")
    bad = tickets["resolved_at"].notna() & (tickets["resolved_at"] < tickets["opened_at"])
    if bad.any():
        raise DataError(
            f"tickets column 'resolved_at': {int(bad.sum())} ticket(s) resolved before they were opened "
            f"(ticket_id {_examples(tickets.loc[bad, 'ticket_id'])}); expected resolved_at >= opened_at"
        )


def support_journeys(responses: pd.DataFrame, tickets: pd.DataFrame) -> pd.DataFrame:
    """Join each response to the support ticket it followed.

    Parameters
    ----------
    responses : pandas.DataFrame
        Canonical responses with ``ticket_id``.
    tickets : pandas.DataFrame
        Canonical tickets (``ticket_id``, ``opened_at``, ``resolved_at``, ``handoffs``,
        ``first_contact_resolution``).

    Returns
    -------
    pandas.DataFrame
        One row per response with a matched ticket: the response columns plus ``opened_at``,
        ``resolved_at``, ``handoffs`` (float), ``first_contact_resolution`` (boolean),
        ``resolution_hours`` (float, NaN while open) and ``nps_points`` (+100 promoter, 0 passive,
        -100 detractor, NaN unanswered). ``attrs["unmatched_tickets"]`` counts responses whose
        ``ticket_id`` is not in ``tickets`` (a warning is issued when there are any).

    Raises
    ------
    DataError
        When a column is missing or a ticket was resolved before it was opened.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"response_id": ["R1", "R2"], "ticket_id": ["T1", None], "csat": [4.0, 5.0],
    ...                   "nps": [9.0, 7.0]})
    >>> t = pd.DataFrame({"ticket_id": ["T1"], "opened_at": pd.to_datetime(["2026-10-01 08:00"]),
    ...                   "resolved_at": pd.to_datetime(["2026-10-01 14:00"]), "handoffs": [1],
    ...                   "first_contact_resolution": [False]})
    >>> support_journeys(r, t)[["response_id", "handoffs", "resolution_hours", "nps_points"]]
      response_id  handoffs  resolution_hours  nps_points
    0          R1       1.0               6.0       100.0
    """
    _need(responses, ["ticket_id"], "responses")
    check_tickets(tickets)
    keep = [c for c in ["ticket_id", "opened_at", "resolved_at", "handoffs", "first_contact_resolution"]
            if c in tickets]
    with_ticket = responses[responses["ticket_id"].notna()]
    known = with_ticket["ticket_id"].isin(tickets["ticket_id"])
    out = with_ticket.merge(tickets[keep], on="ticket_id", how="inner", validate="many_to_one")
    out.attrs["unmatched_tickets"] = int((~known).sum())
    if (~known).any():
        warnings.warn(f"{int((~known).sum())} response(s) name a ticket_id that is not in tickets "
                      f"(e.g. {_examples(with_ticket.loc[~known, 'ticket_id'], 3)}); they are left out",
                      stacklevel=2)
    if "handoffs" in out:
        out["handoffs"] = out["handoffs"].astype("float64")
    out["resolution_hours"] = (out["resolved_at"] - out["opened_at"]).dt.total_seconds() / 3600
    if "nps" in out:
        out["nps_points"] = nps_points(out["nps"])
    return out.reset_index(drop=True)


def _outcome(data: pd.DataFrame, metric: str) -> pd.Series:
    if metric not in _METRICS and metric not in data:
        raise DataError(f"metric {metric!r} not found; expected one of {_METRICS} or a column of data")
    if metric == "nps":
        _need(data, ["nps"], "metric 'nps'")
        return nps_points(data["nps"])
    _need(data, [metric], f"metric {metric!r}")
    return pd.to_numeric(data[metric], errors="coerce").astype("float64")


def _mean_ci(y: pd.Series, conf: float) -> tuple[float, float, float, float]:
    y = y.dropna()
    n = len(y)
    mean = float(y.mean()) if n else np.nan
    se = float(y.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
    t = stats.t.ppf(0.5 + conf / 2, n - 1) if n > 1 else np.nan
    return mean, se, mean - t * se, mean + t * se


def ops_effect_table(data: pd.DataFrame, *, factor: str = "handoffs", metric: str = "csat",
                     max_level: int = 3, conf: float = 0.95, min_n: int = 30) -> pd.DataFrame:
    """Mean score per level of an operational factor, with CIs and the difference from the best level.

    Parameters
    ----------
    data : pandas.DataFrame
        Output of :func:`support_journeys`.
    factor : {"handoffs", "resolution_hours", "first_contact_resolution"} or column name
        ``handoffs`` is capped at ``max_level`` ("3+"); ``resolution_hours`` is binned into
        ``< 4 h``, ``4-24 h``, ``1-3 days``, ``> 3 days``; other columns are used as they are.
    metric : {"csat", "ces", "nps"} or numeric column
    max_level : int
        Top handoff level; higher counts are pooled into it.
    conf : float
        Confidence level of the intervals.
    min_n : int
        Levels with fewer responses are flagged ``small_base``.

    Returns
    -------
    pandas.DataFrame
        One row per level: ``factor``, ``level`` (str), ``metric``, ``n``, ``mean`` (NPS for ``nps``),
        ``ci_low``, ``ci_high``, ``diff`` (mean minus the first level's mean), ``diff_ci_low``,
        ``diff_ci_high`` (Welch intervals), ``small_base`` (bool).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"handoffs": [0, 0, 1, 1, 4], "csat": [5.0, 4.0, 3.0, 4.0, 1.0]})
    >>> ops_effect_table(d, min_n=2)[["level", "n", "mean", "diff", "small_base"]]
      level  n  mean  diff  small_base
    0     0  2   4.5   0.0       False
    1     1  2   3.5  -1.0       False
    2    3+  1   1.0  -3.5        True
    """
    _need(data, [factor], "ops_effect_table")
    y = _outcome(data, metric)
    x = data[factor]
    if factor == "handoffs":
        h = pd.to_numeric(x, errors="coerce")
        labels = [str(i) for i in range(max_level)] + [f"{max_level}+"]
        level = pd.Categorical(h.clip(upper=max_level).map(
            lambda v: labels[int(v)] if pd.notna(v) else None), categories=labels)
    elif factor == "resolution_hours":
        level = pd.cut(pd.to_numeric(x, errors="coerce"), RESOLUTION_BINS, labels=RESOLUTION_LABELS,
                       right=False)
    elif factor == "first_contact_resolution":
        level = pd.Categorical(x.map({True: "resolved first contact", False: "not first contact"}),
                               categories=["resolved first contact", "not first contact"])
    else:
        level = pd.Categorical(x.astype("string"))
    frame = pd.DataFrame({"level": level, "y": y.to_numpy()}, index=data.index).dropna()
    rows, ref = [], None
    for lev, grp in frame.groupby("level", observed=True, sort=True):
        mean, se, lo, hi = _mean_ci(grp["y"], conf)
        if ref is None:
            ref = (grp["y"], mean)
        d_mean, d_se, d_lo, d_hi = _welch(grp["y"], ref[0], conf) if len(rows) else (0.0, 0.0, 0.0, 0.0)
        rows.append({"factor": factor, "level": str(lev), "metric": metric, "n": len(grp), "mean": mean,
                     "ci_low": lo, "ci_high": hi, "diff": d_mean, "diff_ci_low": d_lo,
                     "diff_ci_high": d_hi, "small_base": len(grp) < min_n})
    return pd.DataFrame(rows)


def _welch(a: pd.Series, b: pd.Series, conf: float) -> tuple[float, float, float, float]:
    """Difference mean(a) - mean(b) with its Welch standard error and interval."""
    a, b = a.dropna(), b.dropna()
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = float(np.sqrt(va + vb))
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1)) if se > 0 else np.inf
    diff = float(a.mean() - b.mean())
    t = stats.t.ppf(0.5 + conf / 2, df) if np.isfinite(df) else stats.norm.ppf(0.5 + conf / 2)
    return diff, se, diff - t * se, diff + t * se


def ops_regression(data: pd.DataFrame, *, metric: str = "csat", factors=("handoffs",),
                   controls=("channel", "plan"), conf: float = 0.95) -> pd.DataFrame:
    """OLS of a score on operational factors, controlling for categorical covariates (HC1 errors).

    Parameters
    ----------
    data : pandas.DataFrame
        Output of :func:`support_journeys`.
    metric : {"csat", "ces", "nps"} or numeric column
        ``nps`` is regressed as per-respondent NPS points, so coefficients are in NPS points.
    factors : sequence of str
        Numeric or boolean columns whose effects are wanted (e.g. ``handoffs``, ``resolution_hours``,
        ``first_contact_resolution``).
    controls : sequence of str
        Categorical columns entered as fixed effects; columns absent from ``data`` raise.
    conf : float

    Returns
    -------
    pandas.DataFrame
        One row per factor: ``metric``, ``term``, ``estimate`` (change in the score per unit, or for
        True vs False), ``std_err``, ``p_value``, ``ci_low``, ``ci_high``, ``n`` (rows used).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"handoffs": [0, 1, 2, 0, 1, 2], "csat": [5.0, 4.5, 4.0, 4.0, 3.5, 3.0],
    ...                   "channel": ["chat"] * 3 + ["phone"] * 3})
    >>> ops_regression(d, controls=["channel"])[["term", "estimate"]].round(3)
           term  estimate
    0  handoffs      -0.5
    """
    factors, controls = list(factors), list(controls)
    _need(data, factors + controls, "ops_regression")
    y = _outcome(data, metric)
    frame = pd.DataFrame({"y": y})
    for f in factors:
        frame[f] = pd.to_numeric(data[f].astype("float64") if data[f].dtype == "boolean" else data[f],
                                 errors="coerce").astype("float64")
    for c in controls:
        frame[c] = data[c].astype("string")
    frame = frame.dropna()
    if len(frame) <= len(factors) + 2:
        raise DataError(f"ops_regression: only {len(frame)} complete row(s) for {metric!r} ~ {factors}")
    terms = factors + [f"C({c})" for c in controls if frame[c].nunique() > 1]
    fit = smf.ols("y ~ " + " + ".join(terms), data=frame).fit(cov_type="HC1")
    ci = fit.conf_int(alpha=1 - conf)
    return pd.DataFrame({"metric": metric, "term": factors, "estimate": fit.params[factors].to_numpy(),
                         "std_err": fit.bse[factors].to_numpy(), "p_value": fit.pvalues[factors].to_numpy(),
                         "ci_low": ci.loc[factors, 0].to_numpy(), "ci_high": ci.loc[factors, 1].to_numpy(),
                         "n": int(fit.nobs)})


def handoff_effects(data: pd.DataFrame, *, metrics=_METRICS, controls=("channel", "plan"),
                    conf: float = 0.95) -> pd.DataFrame:
    """"Each extra handoff costs X points": the handoff coefficient for every score.

    Parameters
    ----------
    data : pandas.DataFrame
        Output of :func:`support_journeys`.
    metrics : sequence of str
        Scores present in ``data`` are used; absent ones are skipped.
    controls : sequence of str
        Categorical controls (those present in ``data``).
    conf : float

    Returns
    -------
    pandas.DataFrame
        One row per metric: ``metric``, ``term`` ("handoffs"), ``estimate`` (points per extra handoff;
        NPS in NPS points), ``std_err``, ``p_value``, ``ci_low``, ``ci_high``, ``n`` and ``statement``
        (a sentence for the report).

    Examples
    --------
    >>> from cxlib import dataset
    >>> j = support_journeys(dataset.load_responses(), dataset.load_tickets())
    >>> handoff_effects(j, metrics=["csat"])["statement"].iloc[0]
    'Each extra handoff changes CSAT by -0.18 points (95% CI -0.20 to -0.15, n = 13,275).'
    """
    rows = []
    for m in metrics:
        if m not in data:
            continue
        est = ops_regression(data, metric=m, factors=["handoffs"],
                             controls=[c for c in controls if c in data], conf=conf)
        unit = "NPS points" if m == "nps" else "points"
        digits = 1 if m == "nps" else 2
        r = est.iloc[0]
        est["statement"] = (f"Each extra handoff changes {m.upper()} by {r.estimate:.{digits}f} {unit} "
                            f"({conf:.0%} CI {r.ci_low:.{digits}f} to {r.ci_high:.{digits}f}, n = {r.n:,}).")
        rows.append(est)
    if not rows:
        raise DataError(f"handoff_effects: none of the metrics {list(metrics)} is a column of data")
    return pd.concat(rows, ignore_index=True)
