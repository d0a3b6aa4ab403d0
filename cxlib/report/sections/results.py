"""The report's result set: every figure the report shows, as its sections computed it, saved for the runner.

The kernel computes each figure once (the report context memoises every section's results); this module
reads those results, never recomputes them, and writes them beside the report as ``results.json``. The
runner publishes from that file (``run.json``, the index, and later deliverables), so a figure read in
two places is the same number. Segment values are redacted as in the HTML.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from ... import periods
from .. import html as h
from ._guard import attempt
from .context import ReportContext
from .plan import PLAN
from .drivers import driver_results
from .experiment import experiment_results
from .money import money_results
from .scores import changes_table, comparison, month_row, monthly

__all__ = ["RESULTS_FILE", "result_set", "save_results"]

#: The result set's file name in the report's folder.
RESULTS_FILE = "results.json"


def _num(value, digits: int = 4):
    """A JSON number (rounded), or None for a missing or infinite value."""
    if value is None or pd.isna(value) or not math.isfinite(float(value)):
        return None
    return round(float(value), digits)


def _score(scope: ReportContext, metric: str) -> dict:
    """One score of the period with its interval and base, and its change vs the previous month."""
    row = month_row(scope, metric)
    out: dict = {"label": scope.label(metric), "value": _num(row[metric]), "ci_low": _num(row["ci_low"]), "ci_high": _num(row["ci_high"]),
           "n": int(row["n"]), "n_eff": _num(row["n_eff"], 2), "small_base": bool(row["small_base"]),
           "diff": None, "diff_ci_low": None, "diff_ci_high": None, "p_value": None, "significant": None,
           "baseline": None}
    if "pct_promoters" in row:
        out["mix"] = {k: _num(row[f"pct_{k}"], 2) for k in ("promoters", "passives", "detractors")}
    out["trend"] = _trend(scope, metric) if scope.dated else []
    if scope.dated and not scope.first_month:
        cmp = comparison(scope, metric, PLAN.headline_baseline)
        if cmp is not None and bool(cmp["tested"]):
            out.update(diff=_num(cmp["diff"]), diff_ci_low=_num(cmp["ci_low"]), diff_ci_high=_num(cmp["ci_high"]),
                       p_value=_num(cmp["p_value"], 6), significant=bool(cmp["significant"]),
                       baseline=periods.label(cmp["baseline"].split(",")))
    return out


def _trend(scope: ReportContext, metric: str) -> list[dict]:
    """The score's last 12 months as the headline card's sparkline draws them (the same memoised table)."""
    tr = monthly(scope, metric)
    return [{"month": str(r["period"]), "value": _num(r[metric]), "ci_low": _num(r["ci_low"]),
             "ci_high": _num(r["ci_high"]), "n": int(r["n"]), "small_base": bool(r["small_base"])}
            for _, r in tr.iterrows()]


def _changes(scope: ReportContext) -> dict | None:
    if not any(key[0] == "changes" for key in scope.results):
        return None                     # the report did not test segment changes: nothing to read
    table = changes_table(scope)
    if table is None:
        return None
    real = table[table["significant"]]
    rows = [{"dimension": r["dimension"], "segment": h.safe_label(r["segment"]), "current": _num(r["current"]),
             "previous": _num(r["previous"]), "diff": _num(r["diff"]), "ci_low": _num(r["ci_low"]),
             "ci_high": _num(r["ci_high"]), "p_adjusted": _num(r["p_adjusted"], 6)} for _, r in real.iterrows()]
    return {"tested": int(table["tested"].sum()), "significant": rows}


def _drivers(scope: ReportContext) -> dict | None:
    if not any(key[0] == "drivers" for key in scope.results):
        return None                     # the report did not analyse drivers: nothing to read
    res = attempt(driver_results, scope)
    if res is None:
        return None
    imp = res["importance"]
    return {"period": res["period"], "n": int(imp["n"].iloc[0]),
            "importance": [{"driver": r["driver"], "label": scope.label(r["driver"]), "share": _num(r["share"]),
                            "share_ci_low": _num(r.get("share_ci_low")), "share_ci_high": _num(r.get("share_ci_high"))}
                           for _, r in imp.iterrows()],
            "fix_first": [str(d) for d in res["advice"]["driver"]], "no_advice_because": list(res["reasons"])}


def _money(scope: ReportContext, scored) -> dict | None:
    if scored is None or not any(key[0] == "money" for key in scope.results):
        return None
    res = attempt(money_results, scope, scored)
    if res is None:
        return None
    t = res["total"]
    return {"currency": scope.cfg.money.get("currency"), "symbol": scope.cfg.money.get("symbol"), "expected_loss": _num(t.expected_loss, 0),
            "loss_ci_low": _num(t.loss_ci_low, 0), "loss_ci_high": _num(t.loss_ci_high, 0),
            "share_at_risk": _num(t.share_at_risk)}


def _experiment(scope: ReportContext) -> dict | None:
    if not any(key[0] == "experiment" for key in scope.results):
        return None                     # the report did not read an experiment out
    res = attempt(experiment_results, scope)
    if res is None:
        return None
    effects = [{"score": r["score"], "metric": r["metric"], "treatment": h.safe_label(r["treatment"]),
                "control": h.safe_label(r["control"]), "effect": _num(r["effect"]), "ci_low": _num(r["ci_low"]),
                "ci_high": _num(r["ci_high"]), "p_value": _num(r["p_value"], 6), "n_treatment": int(r["n_treatment"]),
                "n_control": int(r["n_control"]), "real": r["verdict"] == "a real effect"}
               for r in res["effects"].to_dict("records")]
    return {"segment": res["arm"], "months": res["months"], "period": res["period"], "effects": effects}


def _tables(scope: ReportContext, figures: dict) -> dict:
    """Every table the report shows (as :meth:`ReportContext.keep_table` kept them, each by the section that
    shows it), the headline scores first: numbers as numbers, labels as text."""
    head = [{"score": f["label"], **{k: f.get(k) for k in ("value", "ci_low", "ci_high", "n", "small_base", "diff",
                                                        "diff_ci_low", "diff_ci_high", "p_value", "significant")}}
            for f in figures.values() if f]
    out = {"scores": {"title": f"Scores, {scope.period_label}", "columns": list(head[0]) if head else [],
                      "rows": head}}
    return out | scope.tables     # the scores first, then every table the sections kept


def result_set(scope: ReportContext, scored=None) -> dict:
    """Every headline figure of the report as its sections computed it.

    Returns
    -------
    dict
        ``month``, ``period`` (as the report words it), ``data_date`` (the last response's date),
        ``story`` (the story's sentences as plain text, as the report shows them), ``segment`` (redacted), ``primary``, ``weighted``,
        ``responses`` (in the period), ``scores`` (per score: ``value``, ``ci_low``, ``ci_high``, ``n``,
        ``n_eff``, ``small_base``, ``trend`` (the last 12 months: ``month``, ``value``, ``ci_low``,
        ``ci_high``, ``n``, ``small_base``), ``label`` (the score's name as the report shows it), ``mix`` (NPS only: % ``promoters``, ``passives``,
        ``detractors``), and against the previous month ``diff``, ``diff_ci_low``,
        ``diff_ci_high``, ``p_value``, ``significant``, ``baseline``), ``headline`` (the primary score in
        the shape of ``run.json``: ``score``, ``value``, ``n``, ``small_base``, ``diff``, ``significant``),
        ``changes`` (segments tested and the real changes), ``drivers``, ``money`` and ``experiment`` (its
        ``segment``, ``months``, ``period`` and per score ``effect``, ``ci_low``, ``ci_high``, ``p_value``,
        the arms' ``n_treatment``/``n_control`` and ``real``; each None where the report has no such section),
        ``left_out`` (section title: why the data could not carry it), ``tables`` (table id: ``title``,
        ``columns``, ``rows``: every table the report shows, as numbers; ``scores`` first, then as the sections ran; the
        Excel workbook writes one sheet per table).
    """
    figures = {m: attempt(_score, scope, m) for m in scope.scores}
    p = figures[scope.primary] or {"value": None, "n": 0, "small_base": True, "diff": None, "significant": None}
    headline = {"score": scope.primary, "value": None if p["value"] is None else round(p["value"], 2), "n": p["n"],
                "small_base": p["small_base"], "diff": None if p["diff"] is None else round(p["diff"], 2),
                "significant": p["significant"]}
    dates = scope.now["responded_at"].dropna() if "responded_at" in scope.now else pd.Series(dtype="object")
    return {"month": scope.month, "period": scope.period_label,
            "data_date": str(pd.Timestamp(dates.max()).date()) if len(dates) else None,
            "story": list(scope.results.get(("story",), [])),
            "segment": h.safe_label(scope.segment) if scope.segment else None, "primary": scope.primary,
            "weighted": scope.weight is not None, "responses": int(len(scope.now)), "scores": figures,
            "headline": headline, "changes": attempt(_changes, scope), "drivers": _drivers(scope),
            "money": _money(scope, scored), "experiment": _experiment(scope), "left_out": dict(scope.left_out),
            "tables": _tables(scope, figures)}


def save_results(scope: ReportContext, scored=None, *, artifacts: str = "") -> None:
    """Write :func:`result_set` to ``artifacts``/:data:`RESULTS_FILE` (nothing without ``artifacts``)."""
    if artifacts:
        text = json.dumps(result_set(scope, scored), indent=2, ensure_ascii=False, allow_nan=False)
        (Path(artifacts) / RESULTS_FILE).write_text(text + "\n", encoding="utf-8")
