"""The report's experiment section: an A/B arm named by ``report: {experiment: <segment>}``, read out over
every month it ran (not only the report month), in the primary score and CSAT, with intervals, p-values
and the base; "a real effect" only when the test says so on arms of at least the minimum base.
"""

from __future__ import annotations

import pandas as pd

from ... import operations as ops
from ... import periods
from ...errors import DataError
from .. import html as h
from ._guard import section
from .context import ReportContext

__all__ = ["effect_sentence", "experiment", "experiment_results"]

#: The two-sided level below which an effect is called real.
ALPHA = 0.05


def _verdict(row) -> str:
    return "a real effect" if row["p_value"] < ALPHA and not bool(row["small_base"]) else "no effect shown"


def experiment_results(scope: ReportContext) -> dict | None:
    """The experiment's effects (once per report), or None when the config names no experiment.

    Returns
    -------
    dict or None
        ``arm`` (the segment), ``months`` (the months it ran, up to the report month), ``period`` (the dates
        they cover), ``effects`` (one :func:`cxlib.operations.experiment_effect` row per score, primary
        first, with ``verdict``: "a real effect" or "no effect shown").

    Raises
    ------
    DataError
        When the named segment is not in the data, or it has no two arms up to the report month.
    """
    arm = scope.cfg.report.get("experiment")
    if not arm:
        return None

    def compute():
        if arm not in scope.data:
            raise DataError(f"report: experiment: names {arm!r}, which is not a segment of the responses "
                            f"(segments: {', '.join(scope.cfg.segments) or 'none'}); name the segment holding the arms")
        rows = _arm_rows(scope, arm)
        if rows[arm].nunique() != 2:
            raise DataError(f"the experiment {arm!r} has {rows[arm].nunique()} arm(s) up to {scope.period_label}; "
                            "it needs two (a treatment and a control)")
        months = sorted(rows["responded_at"].dt.strftime("%Y-%m").dropna().unique()) if scope.dated else []
        values = sorted(rows[arm].astype(str).unique())
        control = "control" if "control" in values else values[0]
        scores = [s for s in dict.fromkeys([scope.primary, "csat"]) if s in scope.scores]
        effects = pd.concat([ops.experiment_effect(rows, arm=arm, score=s, metric="nps" if s == "nps" else "mean",
                                                   control=control, min_n=scope.min_n) for s in scores],
                            ignore_index=True)
        effects["verdict"] = [_verdict(r) for r in effects.to_dict("records")]
        return {"arm": arm, "months": months, "period": scope.covered(months) if months else scope.period_label,
                "effects": effects}
    return scope.memo("experiment", compute, arm)


def _arm_rows(scope: ReportContext, arm: str) -> pd.DataFrame:
    """The responses in an arm up to the end of the report month: from the database table when the report
    runs there (only those rows and columns are pulled), else from the data in scope."""
    end = periods.bounds(scope.month)[1] if scope.dated else None
    if scope.table is not None:
        t = scope.table
        t = t.filter(t[arm].notnull() & ((t.responded_at < end.to_pydatetime()) if end is not None else True))
        keep = [c for c in (arm, "responded_at", *scope.scores) if c in t.columns]
        return scope.rows(t.select(*keep))
    rows = scope.data[scope.data[arm].notna()]
    return rows[rows["responded_at"] < end] if end is not None else rows


def effect_sentence(scope: ReportContext, row, period: str) -> str:
    """"Callback pilot (Jul–Oct 2026): NPS +19 points higher with callback than control (95% CI ..., p = 0.004;
    n = 259 and 251): a real effect." """
    unit = "points" if row["metric"] == "nps" else "on the mean"
    digits = 0 if row["metric"] == "nps" else 2
    more = ("" if row["verdict"] == "a real effect" else
            f" To detect an effect of this size each arm needs about {int(row['n_needed_per_arm']):,} answers.")
    return (f"{scope.label(row['score'])}: {row['effect']:+.{digits}f} {unit} with {h.safe_label(row['treatment'])} "
            f"against {h.safe_label(row['control'])} over {period} (95% CI {row['ci_low']:+.{digits}f} to "
            f"{row['ci_high']:+.{digits}f}, p = {row['p_value']:.2g}; n = {int(row['n_treatment']):,} and "
            f"{int(row['n_control']):,}): {row['verdict']}.{more}")


@section('The experiment')
def experiment(scope: ReportContext) -> h.Html:
    """The experiment's effect on the primary score and CSAT over every month it ran.

    Returns
    -------
    Html
        One sentence per score and a note on the test and the months, or a note when no experiment is configured.
    """
    res = experiment_results(scope)
    if res is None:
        return h.note("No experiment is configured (report: experiment: names the segment holding the arms).")
    effects, period = res["effects"], res["period"]
    lines = [effect_sentence(scope, r, period) for r in effects.to_dict("records")]
    note = (f"{scope.label(res['arm'])}: every month it ran up to the report month ({period}), not only "
            f"{scope.period_label}; arms compared with Welch's test (NPS as per-respondent points), unweighted "
            f"(the arms are randomised); \"a real effect\" when p < {ALPHA:g} with at least {scope.min_n} answers per arm.")
    return h.bullets(lines) + h.note(note)
