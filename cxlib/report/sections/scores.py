"""The report's score sections: headline cards, what changed, trends and the segment table, as safe HTML.

Every number shown comes from :mod:`cxlib.scores`; these functions only choose what to show and format
it through :mod:`cxlib.report.html`. A section whose data are not configured comes back as a note.
"""

from __future__ import annotations

import pandas as pd

from ... import periods, scores
from ...data import last_months, subset
from ...errors import DataError
from .. import html as h
from .. import words

__all__ = ["LABELS", "headline", "present_scores", "segment_table", "trends", "usable_segments", "what_changed"]

LABELS = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}
_FMT = {"nps": {"digits": 0}, "csat": {"digits": 0, "signed": False}, "ces": {"digits": 2, "signed": False}}
_UNIT = {"nps": "pts", "csat": "pts", "ces": "points"}


def present_scores(data: pd.DataFrame) -> list[str]:
    """The canonical scores that have at least one answer in ``data``.

    Examples
    --------
    >>> present_scores(pd.DataFrame({"nps": [9.0], "csat": [None]}))
    ['nps']
    """
    return [m for m in LABELS if m in data and data[m].notna().any()]


def usable_segments(data: pd.DataFrame, segments, *, max_levels: int = 12) -> list[str]:
    """Segments worth cutting: present, with 2 to ``max_levels`` distinct values.

    Examples
    --------
    >>> usable_segments(pd.DataFrame({"a": ["x", "y"], "b": ["z", "z"]}), ["a", "b", "c"])
    ['a']
    """
    return [s for s in segments if s in data and 2 <= data[s].nunique() <= max_levels]


def _kw(scales: dict, m: str) -> dict:
    return {"scale": scales[m]} if m in scales and m != "nps" else {}


def headline(data: pd.DataFrame, *, month: str, scales: dict, min_n: int = 30) -> h.Html:
    """KPI cards: each score for the month with its CI and n, and its change vs last month and last year.

    Returns
    -------
    Html
        One card per score present in the data.
    """
    items = []
    now = subset(data, month=month)
    for m in present_scores(data):
        kw = _kw(scales, m)
        row = scores.score_table(now, metric=m, min_n=min_n, **kw).iloc[0]
        fmt = _FMT[m]
        if row["n"] == 0 or pd.isna(row[m]):
            items.append({"label": LABELS[m], "value": "–", "details": [f"base too small (n = {int(row['n'])})"]})
            continue
        details = [f"95% CI {h.fmt_ci(row['ci_low'], row['ci_high'], **fmt)} · n = {int(row['n']):,}"]
        tone = "flat"
        for base, label in (("previous", "last month"), ("year_ago", "same month last year")):
            try:
                cmp = scores.compare(data, metric=m, month=month, baseline=base, min_n=min_n, **kw).iloc[0]
            except DataError:
                details.append(f"vs {label}: no data")
                continue
            if not bool(cmp["tested"]):
                details.append(f"vs {label}: base too small to compare")
                continue
            change = h.fmt_change(cmp["diff"], cmp["p_value"], bool(cmp["significant"]), unit=_UNIT[m],
                                  digits=fmt["digits"])
            details.append(f"vs {label} ({periods.label(cmp['baseline'].split(','))}): {change}")
            if base == "previous" and bool(cmp["significant"]):
                tone = "up" if cmp["diff"] > 0 else "down"
        if bool(row["small_base"]):
            details.append(f"small base (n < {min_n}): read with care")
        value = h.fmt_score(row[m], **fmt) + ("%" if m == "csat" else "")
        items.append({"label": LABELS[m] + (" (% satisfied)" if m == "csat" else " (mean)" if m == "ces" else ""),
                      "value": value, "details": details, "tone": tone})
    return h.cards(items)


def what_changed(data: pd.DataFrame, *, month: str, segments, journey: str | None = None,
                 metric: str = "nps", min_n: int = 30) -> h.Html:
    """Plain-language summary of the Holm-adjusted segment comparisons for the month.

    Each segment (and each segment × journey-stage cell, when ``journey`` names the journey-stage
    segment) is compared with its own average over the three previous months, a steadier baseline
    than one month.

    Returns
    -------
    Html
        Bullet sentences: real moves with size, CI and bases; then what moved within noise.
    """
    by = usable_segments(data, segments)
    if not by:
        return h.note("No segments are configured: the comparison by segment is left out.")
    table = scores.what_changed(data, month=month, by=by, journey=journey if journey in by else None,
                                metric=metric, baseline="previous_3", min_n=min_n)
    sentences = words.change_sentences(table, label=LABELS[metric])
    intro = h.note(f"Each segment in {periods.label(month)} against its own average of the three months "
                   f"before; significance is Holm-adjusted across all {int(table['tested'].sum())} "
                   f"comparisons, so chance movements are not reported as real.")
    return h.bullets(sentences) + intro


def trends(data: pd.DataFrame, *, month: str, scales: dict, months: int = 24, min_n: int = 30) -> h.Html:
    """The last ``months`` months of each score with 95% CI bands, as one chart.

    Returns
    -------
    Html
        An embedded PNG chart.
    """
    import matplotlib.pyplot as plt

    from ...plots import plot_trend

    window = last_months(data, month=month, months=months)
    present = present_scores(data)
    fig, axes = plt.subplots(len(present), 1, figsize=(8, 2.6 * len(present)), sharex=True, squeeze=False)
    for ax, m in zip(axes[:, 0], present):
        tr = scores.trend(window, metric=m, min_n=min_n, **_kw(scales, m))
        plot_trend(tr, y=m, ax=ax)
        ax.set_title(f"{LABELS[m]} by month, with 95% confidence band")
    return h.figure(fig, alt="Score trends with confidence bands")


def segment_table(data: pd.DataFrame, *, month: str, segments, min_n: int = 30,
                  metric: str = "nps", scales: dict | None = None) -> h.Html:
    """The month's score by every segment value, small bases suppressed.

    Returns
    -------
    Html
        A table: Segment, Value, score, 95% CI, n (a score with n < ``min_n`` is shown as "–").
    """
    now = subset(data, month=month)
    kw = _kw(scales or {}, metric)
    fmt = _FMT[metric]
    rows = []
    for seg in usable_segments(now, segments):
        t = scores.score_table(now.dropna(subset=[seg]), metric=metric, by=seg, min_n=min_n, suppress=True, **kw)
        for r in t.to_dict("records"):
            shown = not r["small_base"] and pd.notna(r[metric])
            rows.append({"Segment": seg, "Value": r[seg],
                         LABELS[metric]: h.fmt_score(r[metric], **fmt) if shown else "–",
                         "95% CI": h.fmt_ci(r["ci_low"], r["ci_high"], **fmt) if shown else "base too small",
                         "n": f"{int(r['n']):,}"})
    if not rows:
        return h.note("No segment has two or more values this month: the segment table is left out.")
    return h.table(pd.DataFrame(rows),
                   caption=f"{LABELS[metric]} by segment, {periods.label(month)} (n < {min_n}: suppressed)")
