"""The report's segment table: the month's primary score by every value of every segment, small bases
suppressed, long tails pooled as "Other".

Each value's row is finished from its group's sums (:func:`cxlib.scores.metric_sums`, then
:func:`cxlib.scores.table_from_sums`): one GROUP BY per segment, in the database on the month's rows of
the scope's table when the report computes there and the month is large (:func:`month_source`), else one
``groupby`` of the month's responses; no value's rows are copied.
"""

from __future__ import annotations

import pandas as pd

from ... import scores
from ...data import config_default, is_table, subset
from .. import claims
from .. import html as h
from ..formats import score_format
from ._guard import section
from .context import ReportContext
from .scores import usable_segments

__all__ = ["MONTH_ROWS_IN_DATABASE", "month_source", "segment_table"]


#: Pulled month rows beyond which the segment table and the banner are summed in the database instead: at 100M
#: responses (2.8M in the month) the frame cost 14.8 s and +0.8 GB, the database 2.6 s and nothing; at 10M on
#: PostgreSQL (283k in the month) each query was a scan of the table: 4.4 s for the segment table, 4.2 s for
#: the banner, where the frame already in the kernel takes about 1 s each.
MONTH_ROWS_IN_DATABASE = 1_000_000


def month_source(scope: ReportContext):
    """What the segment table and the banner sum: the report month's rows of the scope's table (summed in the
    database, nothing copied in the kernel) when the month holds more than :data:`MONTH_ROWS_IN_DATABASE`
    responses, else the month's responses as rows."""
    if scope.table is not None and scope.dated and len(scope.now) > MONTH_ROWS_IN_DATABASE:
        return subset(scope.table, month=scope.month)
    return scope.now


def _as_text(keys: pd.Series) -> pd.Series:
    """Segment values as the table shows them: text, a missing value as the blank label (shown with its n)."""
    keys = keys.astype("object")
    return keys.where(keys.notna(), claims.BLANK).astype("str")


def _value_sums(scope: ReportContext, src, seg: str) -> tuple[pd.Series, pd.DataFrame, dict]:
    """A segment's values with their number of responses (largest first, ties by value: the same order
    whatever order the rows come in) and the primary score's sums per value (:func:`cxlib.scores.metric_sums`,
    one GROUP BY on a table), keyed by the value as text, and the arguments that finish them."""
    m = scope.primary
    if is_table(src):
        counted = src.group_by(seg).aggregate(_rows=src.count()).execute()
        sizes = pd.Series(counted["_rows"].to_numpy(), index=_as_text(counted[seg]))
    else:
        counted = src[seg].value_counts(dropna=False)
        sizes = pd.Series(counted.to_numpy(), index=_as_text(counted.index.to_series()))
    sizes = sizes.groupby(level=0).sum().sort_index().sort_values(ascending=False, kind="stable")
    sums, kw = scores.metric_sums(src, metric=m, by=seg, keep_missing=True, min_n=scope.min_n, suppress=True,
                                  **scope.kwargs(m))
    sums = scores.add_sums(sums.assign(**{seg: _as_text(sums[seg])}), metric=m, by=seg)   # a blank key as text
    return sizes, sums, kw


def _segment_rows(scope: ReportContext, src, seg: str, most: int, numbers: list) -> list[dict]:
    """One segment's rows: the ``most`` largest values, the rest pooled as "Other (k values, n = ...)" (its
    sums added up: exact for counts and unit weights; with survey weights a sum in another order, within
    1e-12); the same rows as numbers are appended to ``numbers``. Each value's row is finished from its
    group's sums (:func:`cxlib.scores.table_from_sums`), so no value's rows are copied."""
    m, fmt, name = scope.primary, score_format(scope.primary), scope.label(scope.primary)
    sizes, sums, kw = _value_sums(scope, src, seg)
    shown, rest = list(sizes.index[:most]), list(sizes.index[most:])
    t = scores.table_from_sums(sums.loc[sums[seg].isin(shown)], metric=m, by=seg, **kw).set_index(seg)
    records = [(v, t.loc[v].to_dict()) for v in shown if v in t.index]
    if rest:
        pooled = scores.table_from_sums(scores.add_sums(sums.loc[sums[seg].isin(rest)], metric=m), metric=m,
                                        **kw).iloc[0].to_dict()
        records.append((f"Other ({len(rest)} values, n = {int(pooled['n']):,})", pooled))
    rows = []
    for value, r in records:
        ok = not r["small_base"] and pd.notna(r[m])
        numbers.append({"segment": scope.label(seg), "value": h.safe_label(value), name: r[m] if ok else None,
                        "ci_low": r["ci_low"] if ok else None, "ci_high": r["ci_high"] if ok else None,
                        "n": int(r["n"]), "small_base": not ok})
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
    numbers: list = []
    src = month_source(scope)
    rows = [row for seg in usable for row in _segment_rows(scope, src, seg, most, numbers)]
    single = [f"{scope.label(s)}: {h.safe_label(scope.now[s].dropna().astype('str').iloc[0])}"
              for s in scope.cfg.segments if s in scope.now and scope.now[s].nunique() == 1]
    parts = [h.note(f"One value only in {scope.period_label}, so not cut: {'; '.join(single)}.")] if single else []
    if not rows:
        return h.Html("".join(parts)) + h.note("No segment has two or more values: the segment table is left out.")
    caption = (f"{scope.label(scope.primary)} by segment, {scope.period_label} (n < {scope.min_n}: suppressed; beyond the "
               f"{most} largest values, the rest are pooled as Other)")
    scope.keep_table("segments", caption, pd.DataFrame(numbers))
    return h.table(pd.DataFrame(rows), caption=caption) + h.Html("".join(parts))
