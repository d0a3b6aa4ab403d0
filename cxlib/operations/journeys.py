"""Support journeys: what slow, handed-off tickets cost.

Survey responses that followed a support ticket carry its ``ticket_id``; :func:`support_journeys` joins
them to the tickets, :func:`ops_effect_table` and :func:`handoff_effects` turn the join into effect tables
with confidence intervals (A/B pilots are read out by :mod:`cxlib.operations.experiments`). With
``metric="nps"`` a score is analysed per respondent as NPS points (+100 promoter, 0 passive, −100
detractor), so its mean is the NPS and differences are in NPS points; ``metric="mean"`` averages it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._checks import check_confidence, examples, need_columns
from .._stats import formula, mean_ci, welch
from ..data import check_tickets
from ..errors import DataError
from ..scores import nps_points, respondent_values

__all__ = ["OUTCOMES", "RESOLUTION_BINS", "RESOLUTION_LABELS", "handoff_effects", "ops_effect_table",
           "ops_regression", "support_journeys"]

#: Resolution-time bins (hours) used by :func:`ops_effect_table` for ``factor="resolution_hours"``.
RESOLUTION_BINS = [0, 4, 24, 72, np.inf]
RESOLUTION_LABELS = ["< 4 h", "4-24 h", "1-3 days", "> 3 days"]
#: The canonical scores and how each is analysed per respondent (see :func:`cxlib.scores.respondent_values`).
OUTCOMES = {"nps": "nps", "csat": "mean", "ces": "mean"}


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
        ``resolved_at``, ``handoffs`` (float), ``first_contact_resolution`` (boolean), ``ticket_channel``
        (the ticket's ``channel``, when tickets have one),
        ``resolution_hours`` (float, NaN while open) and ``nps_points`` (+100 promoter, 0 passive,
        -100 detractor, NaN unanswered; present when ``nps`` is). Responses whose ``ticket_id`` is not in
        ``tickets`` are left out with a warning that counts them.

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
    need_columns(responses, ["ticket_id"], where="support_journeys (responses)")
    need_columns(tickets, ["ticket_id", "opened_at", "resolved_at"], where="support_journeys (tickets)")
    check_tickets(tickets)
    keep = [c for c in ["ticket_id", "opened_at", "resolved_at", "handoffs", "first_contact_resolution", "channel"]
            if c in tickets]
    with_ticket = responses[responses["ticket_id"].notna()]
    known = with_ticket["ticket_id"].isin(tickets["ticket_id"])
    out = with_ticket.merge(tickets[keep].rename(columns={"channel": "ticket_channel"}), on="ticket_id",
                            how="inner", validate="many_to_one")
    if (~known).any():
        warnings.warn(f"{int((~known).sum())} response(s) name a ticket_id that is not in tickets "
                      f"(e.g. {examples(with_ticket.loc[~known, 'ticket_id'], 3)}); they are left out",
                      stacklevel=2)
    if "handoffs" in out:
        out["handoffs"] = out["handoffs"].astype("float64")
    out["resolution_hours"] = (out["resolved_at"] - out["opened_at"]).dt.total_seconds() / 3600
    if "nps" in out:
        out["nps_points"] = nps_points(out["nps"])
    return out.reset_index(drop=True)


def _levels(x: pd.Series, factor: str, max_level: int):
    """The levels of an operational factor: handoffs capped ("3+"), resolution time binned, FCR named."""
    if factor == "handoffs":
        h = pd.to_numeric(x, errors="coerce")
        labels = [str(i) for i in range(max_level)] + [f"{max_level}+"]
        return pd.Categorical(h.clip(upper=max_level).map(lambda v: labels[int(v)] if pd.notna(v) else None),
                              categories=labels)
    if factor == "resolution_hours":
        return pd.cut(pd.to_numeric(x, errors="coerce"), RESOLUTION_BINS, labels=RESOLUTION_LABELS, right=False)
    if factor == "first_contact_resolution":
        return pd.Categorical(x.map({True: "resolved first contact", False: "not first contact"}),
                              categories=["resolved first contact", "not first contact"])
    return pd.Categorical(x.astype("string"))


def ops_effect_table(data: pd.DataFrame, *, factor: str = "handoffs", score: str = "csat", metric: str = "mean",
                     max_level: int = 3, confidence: float = 0.95, min_n: int = 30) -> pd.DataFrame:
    """Mean score per level of an operational factor, with CIs and the difference from the first level.

    Parameters
    ----------
    data : pandas.DataFrame
        Output of :func:`support_journeys`.
    factor : {"handoffs", "resolution_hours", "first_contact_resolution"} or column name
        ``handoffs`` is capped at ``max_level`` ("3+"); ``resolution_hours`` is binned into
        ``< 4 h``, ``4-24 h``, ``1-3 days``, ``> 3 days``; other columns are used as they are.
    score : str
        The score column.
    metric : {"mean", "nps"}
        How the score is analysed per respondent (NPS points or the answer itself).
    max_level : int
        Top handoff level; higher counts are pooled into it.
    confidence : float
        Confidence level of the intervals.
    min_n : int
        Levels with fewer responses are flagged ``small_base``.

    Returns
    -------
    pandas.DataFrame
        One row per level: ``factor``, ``level`` (str), ``score``, ``metric``, ``n``, ``mean`` (the NPS
        for ``metric="nps"``), ``ci_low``, ``ci_high`` (t interval), ``diff`` (mean minus the first
        level's mean), ``diff_ci_low``, ``diff_ci_high`` (Welch intervals), ``small_base`` (bool).

    Examples
    --------
    >>> d = pd.DataFrame({"handoffs": [0, 0, 1, 1, 4], "csat": [5.0, 4.0, 3.0, 4.0, 1.0]})
    >>> ops_effect_table(d, min_n=2)[["level", "n", "mean", "diff", "small_base"]]
      level  n  mean  diff  small_base
    0     0  2   4.5   0.0       False
    1     1  2   3.5  -1.0       False
    2    3+  1   1.0  -3.5        True
    """
    need_columns(data, [factor], where="ops_effect_table")
    confidence = check_confidence(confidence, func="ops_effect_table")
    y = respondent_values(data, score=score, metric=metric)
    level = _levels(data[factor], factor, max_level)
    frame = pd.DataFrame({"level": level, "y": y.to_numpy()}, index=data.index).dropna()
    rows, ref = [], None
    for lev, grp in frame.groupby("level", observed=True, sort=True):
        mean, _, lo, hi = mean_ci(grp["y"], confidence)
        if ref is None:
            ref, diff = grp["y"], {"diff": 0.0, "ci_low": 0.0, "ci_high": 0.0}
        else:
            diff = welch(grp["y"], ref, confidence)
        rows.append({"factor": factor, "level": str(lev), "score": score, "metric": metric, "n": len(grp),
                     "mean": mean, "ci_low": lo, "ci_high": hi, "diff": diff["diff"],
                     "diff_ci_low": diff["ci_low"], "diff_ci_high": diff["ci_high"], "small_base": len(grp) < min_n})
    return pd.DataFrame(rows)


def ops_regression(data: pd.DataFrame, *, score: str = "csat", metric: str = "mean", factors=("handoffs",),
                   controls=(), confidence: float = 0.95) -> pd.DataFrame:
    """OLS of a score on operational factors, controlling for categorical covariates (HC1 errors).

    Parameters
    ----------
    data : pandas.DataFrame
        Output of :func:`support_journeys`.
    score : str
        The score column.
    metric : {"mean", "nps"}
        ``"nps"`` regresses per-respondent NPS points, so coefficients are in NPS points.
    factors : sequence of str
        Numeric or boolean columns whose effects are wanted (e.g. ``handoffs``, ``resolution_hours``,
        ``first_contact_resolution``).
    controls : sequence of str
        Categorical columns entered as fixed effects (any names: they are quoted in the formula);
        columns absent from ``data`` raise.
    confidence : float

    Returns
    -------
    pandas.DataFrame
        One row per factor: ``score``, ``metric``, ``term``, ``estimate`` (change in the score per unit,
        or for True vs False), ``std_err``, ``p_value``, ``ci_low``, ``ci_high``, ``n`` (rows used).

    Examples
    --------
    >>> d = pd.DataFrame({"handoffs": [0, 1, 2, 0, 1, 2], "csat": [5.0, 4.5, 4.0, 4.0, 3.5, 3.0],
    ...                   "sales-region": ["chat"] * 3 + ["phone"] * 3})
    >>> ops_regression(d, controls=["sales-region"])[["term", "estimate"]].round(3)
           term  estimate
    0  handoffs      -0.5
    """
    import statsmodels.formula.api as smf

    from .._stats import quote

    factors, controls = list(factors), list(controls)
    need_columns(data, factors + controls, where="ops_regression")
    confidence = check_confidence(confidence, func="ops_regression")
    frame = pd.DataFrame({score: respondent_values(data, score=score, metric=metric)})
    for f in factors:
        col = data[f].astype("float64") if data[f].dtype == "boolean" else data[f]
        frame[f] = pd.to_numeric(col, errors="coerce").astype("float64")
    for c in controls:
        frame[c] = data[c].astype("string")
    frame = frame.dropna()
    if len(frame) <= len(factors) + 2:
        raise DataError(f"ops_regression: only {len(frame)} complete row(s) for {score!r} ~ {factors}")
    spec = formula(score, factors, [c for c in controls if frame[c].nunique() > 1])
    fit = smf.ols(spec, data=frame).fit(cov_type="HC1")
    ci = fit.conf_int(alpha=1 - confidence)
    terms = [quote(f) for f in factors]
    return pd.DataFrame({"score": score, "metric": metric, "term": factors,
                         "estimate": fit.params[terms].to_numpy(), "std_err": fit.bse[terms].to_numpy(),
                         "p_value": fit.pvalues[terms].to_numpy(), "ci_low": ci.loc[terms, 0].to_numpy(),
                         "ci_high": ci.loc[terms, 1].to_numpy(), "n": int(fit.nobs)})


def handoff_effects(data: pd.DataFrame, *, outcomes: dict | None = None, controls=(),
                    confidence: float = 0.95) -> pd.DataFrame:
    """"Each extra handoff costs X points": the handoff coefficient for every score.

    Parameters
    ----------
    data : pandas.DataFrame
        Output of :func:`support_journeys`.
    outcomes : dict, optional
        Score column -> metric ("nps" or "mean"); default :data:`OUTCOMES` (nps as NPS points, csat and
        ces as means). Scores absent from ``data`` are skipped.
    controls : sequence of str
        Categorical controls (those present in ``data`` are used).
    confidence : float

    Returns
    -------
    pandas.DataFrame
        One row per score: the :func:`ops_regression` columns for the term ``handoffs`` (``estimate``:
        points per extra handoff; NPS in NPS points).

    Examples
    --------
    >>> from cxlib.data import load_responses, load_tickets
    >>> j = support_journeys(load_responses(), load_tickets())
    >>> e = handoff_effects(j, outcomes={"csat": "mean"}, controls=["channel", "plan"])
    >>> e[["score", "estimate", "ci_low", "ci_high", "n"]].round(2).values.tolist()
    [['csat', -0.18, -0.2, -0.15, 13275]]
    """
    rows = [ops_regression(data, score=score, metric=metric, factors=["handoffs"],
                           controls=[c for c in controls if c in data], confidence=confidence)
            for score, metric in (outcomes or OUTCOMES).items() if score in data]
    if not rows:
        raise DataError(f"handoff_effects: none of the scores {list(outcomes or OUTCOMES)} is a column of the data")
    return pd.concat(rows, ignore_index=True)
