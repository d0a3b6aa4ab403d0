"""The report's banner table: the month's scores by every configured segment, with significance letters."""

from __future__ import annotations

import pandas as pd

from ... import periods, tables
from ...data import subset
from .. import html as h
from .scores import present_scores, usable_segments

__all__ = ["banner"]


def banner(data: pd.DataFrame, *, month: str, segments, scales: dict | None = None, weight: str | None = None,
           min_n: int = 30, letters=(0.05, 0.01)) -> h.Html:
    """The month's NPS, CSAT (% top 2) and CES (mean) in a Total column and one column per segment value.

    Each segment is a banner span; within it every pair of columns is tested (Holm-adjusted within each
    row of each span) and a cell carries the letters of the columns it is significantly higher than
    (uppercase below the smaller of ``letters``, lowercase below the larger). Cells with fewer than
    ``min_n`` (effective) answers show a dash and are not tested. Every segment name and value is escaped.

    Parameters
    ----------
    data : pandas.DataFrame
        The responses the report covers.
    month : str
    segments : sequence of str
        ``cfg.segments``; those with 2–12 values this month are shown.
    scales : dict, optional
        ``cfg.scales`` (the CSAT top box and the CES scale).
    weight : str, optional
        Survey weight column (values weighted, tests on Kish's effective base).
    min_n : int
    letters : (float, float)

    Returns
    -------
    Html
        A static great-tables table, or a note when no segment can be shown.

    Examples
    --------
    >>> from cxlib.data import load_config, load_responses
    >>> cfg = load_config()
    >>> out = banner(load_responses(cfg), month="2026-10", segments=cfg.segments, scales=cfg.scales)
    >>> "Base (n)" in out and "<script" not in out
    True
    """
    now = subset(data, month=month)
    by = usable_segments(now, segments)
    rows = present_scores(now)
    if not by or not rows:
        return h.note("No segment has two or more values this month: the banner table is left out.")
    xt = tables.crosstab(now, rows=rows, banner=by, weight=weight, scales=scales, min_n=min_n, letters=letters)
    strict, loose = min(letters), max(letters)
    note = (f"Letters: significantly higher than the lettered column of the same segment (uppercase p < {strict:g}, "
            f"lowercase p < {loose:g}; Holm-adjusted within each row of each segment). –: fewer than {min_n} "
            f"answers, not tested." + (" Weighted; tests on the effective base." if weight else ""))
    title = f"Scores by segment, {periods.label(month)}"
    return h.Html(tables.render_crosstab(xt, title=title, note=note).as_raw_html())
