"""The monthly report's score sections: each call analyses, draws and words one section as safe HTML.

The report notebook stays thin: one call per section. Every number shown comes from the analysis
modules (``metrics``, ``changes``, ``drivers``, ``text``, ``ops``, ``churn``); this module only chooses
what to show and formats it through :mod:`cxlib.narrative`. Sections whose data are not configured come
back as a one-line note. The explanatory sections (drivers, comments, money) are in :mod:`cxlib.insights`.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from . import changes, dataset, metrics
from . import narrative as nv

__all__ = ["headline", "what_changed", "trends", "segment_table", "about", "usable_segments", "LABELS"]

LABELS = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}
_FMT = {"nps": {"digits": 0}, "csat": {"digits": 0, "signed": False}, "ces": {"digits": 2, "signed": False}}
_UNIT = {"nps": "pts", "csat": "pts", "ces": "points"}


def _present(data: pd.DataFrame) -> list[str]:
    return [m for m in LABELS if m in data and data[m].notna().any()]


def usable_segments(data: pd.DataFrame, segments, *, max_levels: int = 12) -> list[str]:
    """Segments worth cutting: present, with 2 to ``max_levels`` distinct values.

    Examples
    --------
    >>> usable_segments(pd.DataFrame({"a": ["x", "y"], "b": ["z", "z"]}), ["a", "b", "c"])
    ['a']
    """
    return [s for s in segments if s in data and 2 <= data[s].nunique() <= max_levels]


def headline(data: pd.DataFrame, *, month: str, scales: dict, min_n: int = 30) -> nv.Html:
    """KPI cards: each score for the month with its CI and n, and its change vs last month and last year.

    Returns
    -------
    Html
        One card per score present in the data.
    """
    items = []
    now = dataset.subset(data, month=month)
    for m in _present(data):
        kw = {"scale": scales.get(m)} if m in scales else {}
        row = getattr(metrics, m)(now, min_n=min_n, **kw).iloc[0]
        value_col = m
        fmt = _FMT[m]
        if row["n"] == 0 or pd.isna(row[value_col]):
            items.append({"label": LABELS[m], "value": "–", "details": [f"base too small (n = {int(row['n'])})"]})
            continue
        details = [f"95% CI {nv.fmt_ci(row['ci_low'], row['ci_high'], **fmt)} · n = {int(row['n']):,}"]
        tone = "flat"
        for base, label in (("previous", "last month"), ("year_ago", "same month last year")):
            try:
                cmp = changes.compare(data, metric=m, period=month, baseline=base, min_n=min_n, **kw).iloc[0]
            except (ValueError, KeyError):
                details.append(f"vs {label}: no data")
                continue
            if not bool(cmp.get("tested", True)):
                details.append(f"vs {label}: base too small to compare")
                continue
            change = nv.fmt_change(cmp["diff"], cmp["p_value"], bool(cmp["significant"]), unit=_UNIT[m],
                                   digits=fmt["digits"])
            details.append(f"vs {label} ({nv.month_name(cmp['baseline'])}): {change}")
            if base == "previous" and bool(cmp["significant"]):
                tone = "up" if cmp["diff"] > 0 else "down"
        if bool(row["small_base"]):
            details.append(f"small base (n < {min_n}): read with care")
        value = nv.fmt_score(row[value_col], **fmt) + ("%" if m == "csat" else "")
        items.append({"label": LABELS[m] + (" (% satisfied)" if m == "csat" else " (mean)" if m == "ces" else ""),
                      "value": value, "details": details, "tone": tone})
    return nv.cards(items)


def what_changed(data: pd.DataFrame, *, month: str, segments, journey: str | None = "touchpoint",
                 metric: str = "nps", min_n: int = 30) -> nv.Html:
    """Plain-language summary of the Holm-adjusted segment comparisons for the month.

    Each segment (and each segment × journey-stage cell) is compared with its own average over the
    three previous months, a steadier baseline than one month.

    Returns
    -------
    Html
        Bullet sentences: real moves with size, CI and bases; then what moved within noise.
    """
    by = usable_segments(data, segments)
    if not by:
        return nv.note("No segments are configured: the comparison by segment is left out.")
    cells = [(s, journey) for s in by if journey in by and s != journey][:1]
    table = changes.what_changed(data, month=month, by=by, cells=cells, metric=metric,
                                 baseline="previous_3", min_n=min_n)
    sentences = changes.summarize_changes(table, metric=LABELS[metric])
    intro = nv.note(f"Each segment in {nv.month_name(month)} against its own average of the three months "
                    f"before; significance is Holm-adjusted across all {int(table['tested'].sum())} "
                    f"comparisons, so chance movements are not reported as real.")
    return nv.bullets(sentences) + intro


def trends(data: pd.DataFrame, *, month: str, scales: dict, months: int = 24, min_n: int = 30) -> nv.Html:
    """The last ``months`` months of each score with 95% CI bands, as one chart.

    Returns
    -------
    Html
        An embedded PNG chart (and a note on months with small bases).
    """
    import matplotlib.pyplot as plt

    from .plots import scores as splots

    window = dataset.last_months(data, month=month, months=months)
    present = _present(data)
    fig, axes = plt.subplots(len(present), 1, figsize=(8, 2.6 * len(present)), sharex=True, squeeze=False)
    for ax, m in zip(axes[:, 0], present):
        kw = {"scale": scales.get(m)} if m in scales else {}
        tr = changes.trend(window, metric=m, min_n=min_n, **kw)
        splots.plot_trend(tr, y=m, ax=ax)
        ax.set_title(f"{LABELS[m]} by month, with 95% confidence band")
    return nv.figure(fig, alt="Score trends with confidence bands")


def segment_table(data: pd.DataFrame, *, month: str, segments, min_n: int = 30,
                  metric: str = "nps", scales: dict | None = None) -> nv.Html:
    """The month's score by every segment value, small bases suppressed.

    Returns
    -------
    Html
        A table: Segment, Value, score, 95% CI, n (a score with n < ``min_n`` is shown as "–").
    """
    now = dataset.subset(data, month=month)
    kw = {"scale": scales[metric]} if scales and metric in scales else {}
    rows = []
    for seg in usable_segments(now, segments):
        t = getattr(metrics, metric)(now.dropna(subset=[seg]), by=seg, min_n=min_n, suppress=True, **kw)
        fmt = _FMT[metric]
        for r in t.itertuples(index=False):
            r = r._asdict()
            shown = not r["small_base"] and pd.notna(r[metric])
            rows.append({"Segment": seg, "Value": r[seg],
                         LABELS[metric]: nv.fmt_score(r[metric], **fmt) if shown else "–",
                         "95% CI": nv.fmt_ci(r["ci_low"], r["ci_high"], **fmt) if shown else f"base too small",
                         "n": f"{int(r['n']):,}"})
    if not rows:
        return nv.note("No segments are configured.")
    return nv.table(pd.DataFrame(rows),
                    caption=f"{LABELS[metric]} by segment, {nv.month_name(month)} (n < {min_n}: suppressed)")


def about(cfg, data: pd.DataFrame, *, month: str, segment: str | None = None, min_n: int = 30) -> nv.Html:
    """Definitions, data window, base sizes and run metadata (no clock time: the HTML is reproducible).

    Returns
    -------
    Html
    """
    from importlib import metadata

    now = dataset.subset(data, month=month)
    files = []
    for path in cfg.data_files:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        files.append(f"{path.name} (sha256 {digest}…)")
    lines = [
        "NPS: % promoters (9–10) minus % detractors (0–6) of likelihood-to-recommend answers, −100 to +100.",
        f"CSAT: % of answers in the top two boxes of the {cfg.scales['csat'].min}–{cfg.scales['csat'].max} scale.",
        f"CES: mean effort score on the {cfg.scales['ces'].min}–{cfg.scales['ces'].max} scale "
        f"({'higher = easier' if cfg.scales['ces'].higher_is_better else 'lower = easier'}).",
        "95% CI: the range of plausible values for the true score; intervals made this way contain the "
        "true score in 95 surveys out of 100 (Wald interval for NPS, Wilson for CSAT, t for CES).",
        f"Small bases: scores from fewer than {min_n} answers are suppressed or flagged.",
        "Significance: changes are tested with z-tests and Holm-adjusted for the number of comparisons.",
        f"Data window: {data['responded_at'].min():%d %b %Y} to {data['responded_at'].max():%d %b %Y}; "
        f"this month {len(now):,} responses" + (f" in {segment}" if segment else "") + ".",
        "Data files: " + "; ".join(files) + ".",
        f"cxlib {metadata.version('cxlib')}; pandas {pd.__version__}. Customer comments are redacted "
        "(e-mails, phone numbers, card numbers, IBANs, URLs, names where recognisable) before display.",
    ]
    return nv.bullets(lines)
