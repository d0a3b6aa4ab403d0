"""The report's score sections: headline cards, what changed, the trend, as safe HTML (the segment table:
:mod:`.segments`).

Every number shown comes from :mod:`cxlib.scores`; these functions only choose what to show and word
it. The headline shows every configured score; everything else speaks in the primary score. A
section with nothing to show says so in a line; a single-wave survey (no dates) and the first month of
data get no comparisons, said plainly.
"""

from __future__ import annotations

import pandas as pd

from ... import periods, scores
from ...data import last_months
from ...errors import DataError
from .. import claims
from .. import html as h
from .. import words
from ..formats import score_format
from ._guard import section
from .breaks import crossing, scale_notes
from .context import ReportContext
from .plan import PLAN
from .rolling import rolling_trend

__all__ = ["changes_table", "comparison", "headline", "month_row", "trends", "usable_segments", "what_changed"]


def usable_segments(data: pd.DataFrame, segments) -> list[str]:
    """Segments worth cutting: present, with at least 2 distinct values.

    Examples
    --------
    >>> usable_segments(pd.DataFrame({"a": ["x", "y"], "b": ["z", "z"]}), ["a", "b", "c"])
    ['a']
    """
    return [s for s in segments if s in data and data[s].nunique() >= 2]


def month_row(scope: ReportContext, metric: str) -> pd.Series:
    """The metric's table row for the report period (computed once per report)."""
    return scope.memo("row", lambda: scores.score_table(scope.now, metric=metric, min_n=scope.min_n,
                                                        **scope.kwargs(metric)).iloc[0], metric)


def month_sums(scope: ReportContext, metric: str, months: int | None = None) -> pd.DataFrame | None:
    """In the database: the metric's sums by month over the scope's window, up to the report month (the last
    ``months`` months), every score's in one query once per report (:func:`cxlib.scores.month_sums`), read
    by the comparisons and the trends instead of a scan each. None on a DataFrame (each sums its own months,
    cheaply) or when there are no such sums (the statistic then sums the data and says why)."""
    if scope.table is None or not scope.dated:
        return None
    try:
        every = scope.memo("month_sums", lambda: scores.month_sums(
            scope.table, metrics={m: scope.kwargs(m) for m in scope.scores}))
    except DataError:
        return None
    if metric not in every:
        return None
    s, end = every[metric], pd.Period(scope.month, freq="M")
    s = s.loc[(s["period"] <= end) & ((s["period"] > end - months) if months else True)]
    return s.reset_index(drop=True) if len(s) else None


def comparison(scope: ReportContext, metric: str, baseline: str) -> pd.Series | None:
    """The month against ``baseline`` ("previous", "year_ago") for one metric, or None without data."""
    def compute():
        if crossing(scope, metric, periods.baseline_months(scope.month, baseline)) is not None:
            return None                 # a scale change lies between: not compared
        try:
            return scores.compare(scope.stats, metric=metric, month=scope.month, baseline=baseline,
                                  min_n=scope.min_n, sums=month_sums(scope, metric), **scope.kwargs(metric)).iloc[0]
        except DataError:
            return None
    return scope.memo("compare", compute, metric, baseline)


def _comparison_line(scope: ReportContext, metric: str, baseline: str, label: str) -> tuple[str, str]:
    """One "vs ..." line of a headline card and its tone ("up", "down" or "flat")."""
    fmt = score_format(metric)
    if crossing(scope, metric, periods.baseline_months(scope.month, baseline)) is not None:
        return f"vs {label}: not compared (the scale changed in between)", "flat"
    row = comparison(scope, metric, baseline)
    if row is None:
        return f"vs {label}: no data", "flat"
    when = scope.covered(row["baseline"].split(","))
    if not bool(row["tested"]):
        why = claims.comparison_claim(int(round(row["n_eff"])), int(round(row["n_eff_baseline"])), min_n=scope.min_n,
                                      period=scope.period_label, before=when)
        return f"vs {label} ({when}): {why.text if why else 'base too small to compare'}", "flat"
    change = h.fmt_change(row["diff"], row["p_value"], bool(row["significant"]), unit=fmt.unit, digits=fmt.digits)
    tone = ("up" if row["diff"] > 0 else "down") if bool(row["significant"]) else "flat"
    return f"vs {label} ({when}): {change}", tone


def monthly(scope: ReportContext, metric: str, months: int = 12) -> pd.DataFrame:
    """The metric by month over the last ``months`` months (:func:`cxlib.scores.trend`, once per report):
    the cards' sparklines and the result set's trend points (the deck's charts) read this one table."""
    return scope.memo("trend", lambda: scores.trend(last_months(scope.stats, month=scope.month, months=months),
                                                    metric=metric, min_n=scope.min_n,
                                                    sums=month_sums(scope, metric, months), **scope.kwargs(metric)),
                      metric, months)


def _sparkline(scope: ReportContext, metric: str) -> str:
    """The last 12 months of a metric as a sparkline (small bases left out as gaps)."""
    tr = monthly(scope, metric)
    values = tr[metric].where(~tr["small_base"])
    if values.notna().sum() < 2:
        return ""
    fmt = score_format(metric)
    label = (f"{scope.label(metric)}, last {len(tr)} months ({periods.label([str(p) for p in tr['period']])}): "
             f"from {fmt.value(values.dropna().iloc[0])} to {fmt.value(values.dropna().iloc[-1])}")
    dropped = claims.left_out_months(tr, min_n=scope.min_n)
    label = f"{label}. {dropped}" if dropped else label
    return h.sparkline(values, label=label)


@section('The headline')
def _tile_extras(scope: ReportContext, metric: str, row) -> list[str]:
    """The previous month's value and, with ``report.targets``, the gap to the target."""
    fmt, out = score_format(metric), []
    prev = comparison(scope, metric, "previous") if scope.dated and not scope.first_month else None
    if prev is not None and pd.notna(prev["baseline_value"]):
        out.append(f"previous month: {fmt.value(prev['baseline_value'])}")
    target = (scope.cfg.report.get("targets") or {}).get(metric)
    if target is not None and pd.notna(row[metric]):
        out.append(f"target {fmt.value(target)}: {fmt.change(row[metric] - target).replace(fmt.unit, '').strip()} "
                   f"{fmt.unit} {'above' if row[metric] >= target else 'below'}")
    return out


def _mix(row) -> dict | None:
    """NPS's promoter/passive/detractor shares (%) for the tile's mix bar, else None."""
    if "pct_promoters" not in row or pd.isna(row["pct_promoters"]):
        return None
    return {k: float(row[f"pct_{k}"]) for k in ("detractors", "passives", "promoters")}


def headline(scope: ReportContext) -> h.Html:
    """KPI cards: every configured score for the month with its CI and n, a 12-month sparkline, and its
    change vs the month before and the same month last year (none for a single wave or a first month).

    Returns
    -------
    Html
        One card per score with answers, the primary score first.
    """
    items = []
    for m in scope.scores:
        fmt, name = score_format(m), scope.label(m)
        row = month_row(scope, m)
        if row["n"] == 0 or pd.isna(row[m]):
            items.append({"label": name + fmt.card, "value": "–", "details": [f"no answers in {scope.period_label}"]})
            continue
        if bool(row["small_base"]):     # rule: no figure (nor an interval spanning the scale) on a small base
            said = claims.small_base_claim(int(round(row["n_eff"])), min_n=scope.min_n, period=scope.period_label,
                                           label=name)
            items.append({"label": name + fmt.card, "value": "–", "details": [said.text]})
            continue
        details = [f"95% CI {fmt.interval(row['ci_low'], row['ci_high'])} · n = {int(row['n']):,}"]
        for col, what in (("pct_top_box", "in the top {k} boxes"), ("pct_low_effort", "low effort (top {k} boxes)")):
            if col in row and pd.notna(row[col]):
                details.append(f"{row[col]:.0f}% {what.format(k=scope.scale(m).top_k)}")
        tone = "flat"
        if not scope.dated:
            details.append("one wave without dates: no comparison over time")
        elif scope.first_month:
            details.append("first month of data: no comparison")
        else:
            for i, (base, label) in enumerate(((PLAN.headline_baseline, "last month"), ("year_ago", "same month last year"))):
                line, t = _comparison_line(scope, m, base, label)
                details.append(line)
                tone = t if i == 0 else tone
        details += _tile_extras(scope, m, row)
        arrow = {"up": " ▲", "down": " ▼"}.get(tone, "")     # an arrow only for a real change
        items.append({"label": name + fmt.card, "value": fmt.value(row[m]) + arrow, "details": details, "tone": tone,
                      "mix": _mix(row),
                      "sparkline": _sparkline(scope, m) if scope.dated else ""})
    return h.cards(items) + h.Html("".join(h.note(t) for t in scale_notes(scope)))


def changes_table(scope: ReportContext, *, baseline: str = PLAN.changes_baseline) -> pd.DataFrame | None:
    """The Holm-adjusted segment comparisons of the month in the primary score (once per report), or
    None when there is nothing to compare (single wave, first month, no segment with two values)."""
    def compute():
        if not scope.dated or scope.first_month:
            return None
        by = usable_segments(scope.now, scope.cfg.segments)
        if not by or crossing(scope, scope.primary, periods.baseline_months(scope.month, baseline)) is not None:
            return None
        journey = scope.cfg.report.get("journey")
        return scores.what_changed(scope.stats, month=scope.month, by=by, journey=journey if journey in by else None,
                                   metric=scope.primary, baseline=baseline, min_n=scope.min_n,
                                   **scope.kwargs(scope.primary))
    return scope.memo("changes", compute, baseline)


@section('What changed')
def what_changed(scope: ReportContext, *, baseline: str = PLAN.changes_baseline) -> h.Html:
    """Plain-language summary of the Holm-adjusted segment comparisons for the month, in the primary score.

    Every value of every segment (and each segment × journey-stage cell) with enough base is compared
    with its own average over the baseline months; the note says how many were tested and how many were
    too small, and which dates the baseline really covers.

    Returns
    -------
    Html
        Bullet sentences: real moves with size, CI and bases; then what moved within noise.
    """
    if not scope.dated:
        return h.note("One wave without dates: there is no earlier period to compare with.")
    if scope.first_month:
        return h.note(f"First month of data ({scope.period_label}): no comparison yet.")
    brk = crossing(scope, scope.primary, periods.baseline_months(scope.month, baseline))
    if brk is not None:
        return h.note(claims.scale_change_claim(brk, label=scope.label(scope.primary)).text)
    table = changes_table(scope, baseline=baseline)
    if table is None:
        return h.note("No segment has two or more values this month: the comparison by segment is left out.")
    fmt = score_format(scope.primary)
    base = scope.covered(periods.baseline_months(scope.month, baseline))
    _keep_changes(scope, table, base)
    table = table.assign(dimension=table["dimension"].map(lambda d: " × ".join(scope.label(p) for p in d.split(" × "))),
                         segment=table["segment"].map(h.safe_label))
    sentences = words.change_sentences(table, label=scope.label(scope.primary), unit=fmt.unit, decimals=fmt.digits,
                                       month_label=scope.period_label, baseline_label=base, value_format=fmt.value)
    tested, small = int(table["tested"].sum()), int((~table["tested"]).sum())
    intro = h.note(f"Each segment value in {scope.period_label} against its own average over {base}; "
                   f"{tested} comparisons were tested together, so chance movements are not reported as real; "
                   f"{small} had too few responses (n < {scope.min_n}) to test.")
    fine = h.Html(f'<p class="cx-smallprint">{h.escape(words.test_note(table))}</p>')
    return h.bullets(sentences) + intro + fine


def _keep_changes(scope: ReportContext, table: pd.DataFrame, base: str) -> None:
    """The comparisons this section shows, kept for the result set and the workbook's "changes" sheet."""
    cols = ["dimension", "segment", "previous", "current", "diff", "ci_low", "ci_high", "p_value", "p_adjusted",
            "significant", "tested"]
    scope.keep_table("changes", f"{scope.label(scope.primary)} by segment in {scope.period_label} against its "
                                f"average over {base} (p adjusted for the number of comparisons)",
                     table[[c for c in cols if c in table]].assign(segment=table["segment"].map(h.safe_label)))


@section('Trends')
def trends(scope: ReportContext, *, months: int = PLAN.trend_months) -> h.Html:
    """The last ``months`` months of the primary score with its 95% CI band, as one chart.

    Months below the minimum base are drawn hollow without a band; the band never leaves the scale. With
    ``report.rolling`` (k months) each point is the rolling window of the k months ending that month
    (:mod:`.rolling`), said in the chart, its notes and About; with fewer than k + 1 months, by month with a
    note saying why.

    Returns
    -------
    Html
        An embedded PNG chart, or a note when there is no trend to draw.
    """
    import matplotlib.pyplot as plt

    from ...plots import plot_trend

    if not scope.dated:
        return h.note("One wave without dates: there is no trend to draw.")
    k = scope.cfg.report.get("rolling")
    if k and (rolled := rolling_trend(scope, months)) is not None:
        return rolled
    why = h.note(f"Fewer than {int(k) + 1} months of data up to {scope.period_label}: no rolling {k}-month trend "
                 "to draw yet; the trend is shown by month.") if k else h.Html("")
    window = last_months(scope.stats, month=scope.month, months=months)
    tr = scores.trend(window, metric=scope.primary, min_n=scope.min_n, sums=month_sums(scope, scope.primary, months),
                      **scope.kwargs(scope.primary))
    if len(tr) < 2:
        return why + h.note(f"First month of data ({scope.period_label}): no trend to draw yet.")
    fmt, name = score_format(scope.primary), scope.label(scope.primary)
    fig, ax = plt.subplots(figsize=(8, 3.2))
    plot_trend(tr, y=scope.primary, ax=ax)
    ax.set_ylabel(name)
    ax.set_title(f"{name} by month, with 95% confidence band (hollow: fewer than {scope.min_n} answers)")
    last = tr.iloc[-1]
    alt = (f"{name} by month, {periods.label([str(p) for p in tr['period']])}; latest "
           f"{fmt.value(last[scope.primary])} (n = {int(last['n']):,})")
    dropped = claims.left_out_months(tr, min_n=scope.min_n)
    brk = crossing(scope, scope.primary, [str(p) for p in tr["period"]])
    changed = claims.scale_change_claim(brk, label=name).text if brk is not None else ""
    notes = "".join(h.note(t) for t in (dropped, changed) if t)
    return why + h.figure(fig, alt=f"{alt}. {dropped}" if dropped else alt) + h.Html(notes)
