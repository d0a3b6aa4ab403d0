"""The report's score sections: headline cards, what changed, the trend, the segment table, as safe HTML.

Every number shown comes from :mod:`cxlib.scores`; these functions only choose what to show and word
it. The headline shows every configured score; everything else speaks in the primary score. A
section with nothing to show says so in a line; a single-wave survey (no dates) and the first month of
data get no comparisons, said plainly.
"""

from __future__ import annotations

import pandas as pd

from ... import periods, scores
from ...data import config_default, last_months
from ...errors import DataError
from .. import html as h
from .. import words
from ..formats import score_format
from ._guard import section
from .context import ReportContext

__all__ = ["changes_table", "comparison", "headline", "month_row", "segment_table", "trends", "usable_segments",
           "what_changed"]


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


def comparison(scope: ReportContext, metric: str, baseline: str) -> pd.Series | None:
    """The month against ``baseline`` ("previous", "year_ago") for one metric, or None without data."""
    def compute():
        try:
            return scores.compare(scope.stats, metric=metric, month=scope.month, baseline=baseline,
                                  min_n=scope.min_n, **scope.kwargs(metric)).iloc[0]
        except DataError:
            return None
    return scope.memo("compare", compute, metric, baseline)


def _comparison_line(scope: ReportContext, metric: str, baseline: str, label: str) -> tuple[str, str]:
    """One "vs ..." line of a headline card and its tone ("up", "down" or "flat")."""
    fmt = score_format(metric)
    row = comparison(scope, metric, baseline)
    if row is None:
        return f"vs {label}: no data", "flat"
    when = scope.covered(row["baseline"].split(","))
    if not bool(row["tested"]):
        return f"vs {label} ({when}): base too small to compare", "flat"
    change = h.fmt_change(row["diff"], row["p_value"], bool(row["significant"]), unit=fmt.unit, digits=fmt.digits)
    tone = ("up" if row["diff"] > 0 else "down") if bool(row["significant"]) else "flat"
    return f"vs {label} ({when}): {change}", tone


def _sparkline(scope: ReportContext, metric: str) -> str:
    """The last 12 months of a metric as a sparkline (small bases left out as gaps)."""
    window = last_months(scope.stats, month=scope.month, months=12)
    tr = scores.trend(window, metric=metric, min_n=scope.min_n, **scope.kwargs(metric))
    values = tr[metric].where(~tr["small_base"])
    if values.notna().sum() < 2:
        return ""
    fmt = score_format(metric)
    label = (f"{scope.label(metric)}, last {len(tr)} months ({periods.label([str(p) for p in tr['period']])}): "
             f"from {fmt.value(values.dropna().iloc[0])} to {fmt.value(values.dropna().iloc[-1])}")
    return h.sparkline(values, label=label)


@section('The headline')
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
        details = [f"95% CI {fmt.interval(row['ci_low'], row['ci_high'])} · n = {int(row['n']):,}"]
        for col, what in (("pct_top_box", "in the top {k} boxes"), ("pct_low_effort", "low effort (top {k} boxes)")):
            if col in row and pd.notna(row[col]):
                details.append(f"{row[col]:.0f}% {what.format(k=scope.cfg.scales[m].top_k)}")
        tone = "flat"
        if not scope.dated:
            details.append("one wave without dates: no comparison over time")
        elif scope.first_month:
            details.append("first month of data: no comparison")
        else:
            for i, (base, label) in enumerate((("previous", "last month"), ("year_ago", "same month last year"))):
                line, t = _comparison_line(scope, m, base, label)
                details.append(line)
                tone = t if i == 0 else tone
        if bool(row["small_base"]):
            details.append(f"small base (n < {scope.min_n}): read with care")
        items.append({"label": name + fmt.card, "value": fmt.value(row[m]), "details": details, "tone": tone,
                      "sparkline": _sparkline(scope, m) if scope.dated else ""})
    return h.cards(items)


def changes_table(scope: ReportContext, *, baseline: str = "previous_3") -> pd.DataFrame | None:
    """The Holm-adjusted segment comparisons of the month in the primary score (once per report), or
    None when there is nothing to compare (single wave, first month, no segment with two values)."""
    def compute():
        if not scope.dated or scope.first_month:
            return None
        by = usable_segments(scope.now, scope.cfg.segments)
        if not by:
            return None
        journey = scope.cfg.report.get("journey")
        return scores.what_changed(scope.stats, month=scope.month, by=by, journey=journey if journey in by else None,
                                   metric=scope.primary, baseline=baseline, min_n=scope.min_n,
                                   **scope.kwargs(scope.primary))
    return scope.memo("changes", compute, baseline)


@section('What changed')
def what_changed(scope: ReportContext, *, baseline: str = "previous_3") -> h.Html:
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
    table = changes_table(scope, baseline=baseline)
    if table is None:
        return h.note("No segment has two or more values this month: the comparison by segment is left out.")
    fmt = score_format(scope.primary)
    base = scope.covered(periods.baseline_months(scope.month, baseline))
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


@section('Trends')
def trends(scope: ReportContext, *, months: int = 24) -> h.Html:
    """The last ``months`` months of the primary score with its 95% CI band, as one chart.

    Months below the minimum base are drawn hollow without a band; the band never leaves the scale.

    Returns
    -------
    Html
        An embedded PNG chart, or a note when there is no trend to draw.
    """
    import matplotlib.pyplot as plt

    from ...plots import plot_trend

    if not scope.dated:
        return h.note("One wave without dates: there is no trend to draw.")
    window = last_months(scope.stats, month=scope.month, months=months)
    tr = scores.trend(window, metric=scope.primary, min_n=scope.min_n, **scope.kwargs(scope.primary))
    if len(tr) < 2:
        return h.note(f"First month of data ({scope.period_label}): no trend to draw yet.")
    fmt, name = score_format(scope.primary), scope.label(scope.primary)
    fig, ax = plt.subplots(figsize=(8, 3.2))
    plot_trend(tr, y=scope.primary, ax=ax)
    ax.set_ylabel(name)
    ax.set_title(f"{name} by month, with 95% confidence band (hollow: fewer than {scope.min_n} answers)")
    last = tr.iloc[-1]
    alt = (f"{name} by month, {periods.label([str(p) for p in tr['period']])}; latest "
           f"{fmt.value(last[scope.primary])} (n = {int(last['n']):,})")
    return h.figure(fig, alt=alt)


def _segment_rows(scope: ReportContext, seg: str, most: int) -> list[dict]:
    """One segment's rows: the ``most`` largest values, the rest pooled as "Other (k values, n = ...)"."""
    now = scope.now.dropna(subset=[seg])
    m, fmt, name = scope.primary, score_format(scope.primary), scope.label(scope.primary)
    # largest first, ties by value: the same order whatever order the rows come in
    sizes = now[seg].astype("str").value_counts().sort_index().sort_values(ascending=False, kind="stable")
    shown, rest = list(sizes.index[:most]), list(sizes.index[most:])
    t = scores.score_table(now[now[seg].astype("str").isin(shown)], metric=m, by=seg, min_n=scope.min_n,
                           suppress=True, **scope.kwargs(m))
    t = t.assign(_order=t[seg].astype("str").map({v: i for i, v in enumerate(shown)})).sort_values("_order")
    records = [(str(r[seg]), r) for r in t.to_dict("records")]
    if rest:
        pooled = scores.score_table(now[now[seg].astype("str").isin(rest)], metric=m, min_n=scope.min_n,
                                    suppress=True, **scope.kwargs(m)).iloc[0].to_dict()
        records.append((f"Other ({len(rest)} values, n = {int(pooled['n']):,})", pooled))
    rows = []
    for value, r in records:
        ok = not r["small_base"] and pd.notna(r[m])
        rows.append({"Segment": scope.label(seg), "Value": h.safe_label(value), name: fmt.value(r[m]) if ok else "–",
                     "95% CI": fmt.interval(r["ci_low"], r["ci_high"]) if ok else "base too small",
                     "n": f"{int(r['n']):,}"})
    return rows


@section('The segment table')
def segment_table(scope: ReportContext) -> h.Html:
    """The month's primary score by every segment value, small bases suppressed, long tails pooled.

    Returns
    -------
    Html
        A table: Segment, Value, score, 95% CI, n (a score with n < ``min_n`` is "–"), with a note on
        segments that have a single value this month; a note alone when there is nothing to show.
    """
    most = scope.cfg.report.get("max_segment_values", config_default("report.max_segment_values"))
    usable = usable_segments(scope.now, scope.cfg.segments)
    rows = [row for seg in usable for row in _segment_rows(scope, seg, most)]
    single = [f"{scope.label(s)}: {h.safe_label(scope.now[s].dropna().astype('str').iloc[0])}"
              for s in scope.cfg.segments if s in scope.now and scope.now[s].nunique() == 1]
    parts = [h.note(f"One value only in {scope.period_label}, so not cut: {'; '.join(single)}.")] if single else []
    if not rows:
        return h.Html("".join(parts)) + h.note("No segment has two or more values: the segment table is left out.")
    caption = (f"{scope.label(scope.primary)} by segment, {scope.period_label} (n < {scope.min_n}: suppressed; beyond the "
               f"{most} largest values, the rest are pooled as Other)")
    return h.table(pd.DataFrame(rows), caption=caption) + h.Html("".join(parts))
