"""The report's banner table: the period's scores by every configured segment, with significance letters."""

from __future__ import annotations

from ... import tables
from ...data import Scale, config_default
from ...metrics import METRICS
from .. import html as h
from ._guard import section
from .context import ReportContext
from .scores import usable_segments
from .segments import month_source

__all__ = ["MULTI_NOTE", "banner", "column_groups"]

#: What a multiple-response row of the banner is, said under the table and in About.
MULTI_NOTE = ("Multiple-response rows: % of the respondents who answered the question (at least one option; their "
              "number is the question's base row) who selected each option, and any of them (net); options share respondents, so they are compared "
              "across columns only, never with each other.")

def _multi(scope: ReportContext, now) -> tuple[dict, dict]:
    """The configured multiple-response questions whose option columns the month's data hold, and how their
    questions and options read (``labels:``, else sentence case)."""
    multi = {q: cols for q, cols in scope.cfg.multi.items() if all(c in now for c in cols)}
    names = [n for q, cols in multi.items() for n in (q, *cols)]
    return multi, {n: scope.label(n) for n in names}


def _rows(scope: ReportContext) -> tuple[list, dict]:
    """Each score's banner row (its registered row statistic) and the scales, the fixed ones included."""
    rows = [(m, METRICS[m].banner_row) for m in scope.scores]
    fixed = {m: Scale(*METRICS[m].scale) for m in scope.scores if METRICS[m].fixed_scale}
    return rows, {**scope.cfg.scales, **fixed}


@section('The banner table')
def banner(scope: ReportContext, *, letters=(0.05, 0.01)) -> h.Html:
    """The period's scores in a Total column and one column per segment value, with letters.

    Each segment with 2 to ``report.max_segment_values`` values is a banner span; within it every pair
    of columns is tested (Holm-adjusted within each row of each span) and a cell carries the letters of
    the columns it is significantly higher than (uppercase below the smaller of ``letters``, lowercase
    below the larger). Cells with fewer than ``scope.min_n`` (effective) answers show a dash and are not
    tested. Weighted when the report is (tests on Kish's effective base). Segment values are redacted
    and every name and value is escaped.

    Returns
    -------
    Html
        A static great-tables table and a note on the segments left out, or a note when no segment can
        be shown.
    """
    most = scope.cfg.report.get("max_segment_values", config_default("report.max_segment_values"))
    now = scope.now
    usable = usable_segments(now, scope.cfg.segments)
    by = [s for s in usable if now[s].nunique() <= most]
    wide = [s for s in usable if s not in by]
    rows, scales = _rows(scope)
    skipped = (h.note(f"Not in the banner (more than {most} values; see the segment table): "
                      f"{', '.join(scope.label(s) for s in wide)}.") if wide else h.Html(""))
    if not by or not rows:
        return h.note(f"No segment has between 2 and {most} values: the banner table is left out.")
    # each distinct value redacted once (not once per row); a segment whose values read as they are is not copied
    # (a map of every row cost 0.8 s of the section's 2.1 s at 10M responses)
    safe = {s: {v: h.safe_label(v) for v in now[s].dropna().unique()} for s in by}
    redacted = {s: now[s].map(m) for s, m in safe.items() if any(k != v for k, v in m.items())}
    shown = now.assign(**redacted) if redacted else month_source(scope)   # a large month: summed in the database
    multi, labels = _multi(scope, now)
    xt = tables.crosstab(shown, rows=rows, banner=by, weight=scope.weight, scales=scales, min_n=scope.min_n,
                         letters=letters, multi=multi or None, labels=labels)
    scored = ~xt["metric"].isin(["pct_selected", "pct_any"])
    xt["row"] = xt["row"].where(~scored, xt["score"].map(scope.label))
    xt["banner"] = xt["banner"].map(lambda b: b if b == "Total" else scope.label(b))
    strict, loose = min(letters), max(letters)
    note = (f"Letters: significantly higher than the lettered column of the same segment (uppercase p < {strict:g}, "
            f"lowercase p < {loose:g}; adjusted for the comparisons within each row of each segment). –: fewer than {scope.min_n} "
            f"answers, not tested." + (" Weighted; tests on the effective base." if scope.weight else "")
            + (f" {MULTI_NOTE}" if multi else ""))
    scope.methods["banner"] = ("Scores by segment: letters mark the columns a cell is significantly higher than "
                               "(z tests for NPS and shares, Welch's t tests for means; Holm-adjusted within each "
                               "row of each segment)." + (f" {MULTI_NOTE}" if multi else ""))
    title = f"Scores by segment, {scope.period_label}"
    kept = xt[["row", "banner", "column", "letter", "value", "higher_than", "n", "small_base"]]
    scope.keep_table("banner", f"{title}. {note}",
                     kept.rename(columns={"row": "score", "letter": "column_letter"}))
    groups = column_groups(xt)
    parts = [tables.render_crosstab(xt[xt["banner"].isin(["Total", *group])], table_id=f"cx-banner-{i}",
                                    title=title + (f" ({i + 1} of {len(groups)})" if len(groups) > 1 else ""),
                                    note=note if i == len(groups) - 1 else None).as_raw_html()
             for i, group in enumerate(groups)]
    return h.Html("".join(f'<div class="cx-wide">{part}</div>' for part in parts)) + skipped


def column_groups(xt, *, most: int = 8) -> list[list[str]]:
    """The banner's segments in groups of at most ``most`` value columns (a segment is never split), so
    each table fits an A4 page and a phone's width with the row labels and Total repeated.

    Examples
    --------
    >>> import pandas as pd
    >>> xt = pd.DataFrame({"banner": ["Total"] + ["Region"] * 4 + ["Plan"] * 3 + ["Channel"] * 3,
    ...                    "column": ["Total", "A", "B", "C", "D", "x", "y", "z", "p", "q", "r"]})
    >>> column_groups(xt)
    [['Region', 'Plan'], ['Channel']]
    """
    sizes = xt[xt["banner"] != "Total"].groupby("banner", sort=False)["column"].nunique()
    groups: list[list[str]] = []
    width = most + 1
    for name, size in sizes.items():
        if width + size > most:
            groups.append([])
            width = 0
        groups[-1].append(name)
        width += size
    return groups or [[]]
