"""The months a comparison reads, the data's dates, and every segment's month sums from one query on a table
(private to :mod:`cxlib.scores`: :mod:`.changes` and :mod:`.rolling` read them)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import periods
from .._checks import need_columns
from ..data import is_table
from ..errors import DataError
from ._sums import table_scale
from .registry import metric_sums

#: Most groups one summing query of :func:`cxlib.scores.what_changed` may make (months × answer points × the segment
#: columns' values crossed); beyond it, one query a segment.
_COMBINED_GROUPS = 200_000


def _check_dates(data, date_col: str) -> None:
    """DataError unless ``date_col`` holds dates (a DataFrame's dtype or a table's schema: no query)."""
    need_columns(data, [date_col], where="date column")
    if is_table(data):
        kind = data[date_col].type()
        if not (kind.is_timestamp() or kind.is_date()):
            raise DataError(f"column {date_col!r} must hold dates (a timestamp column), the table holds {kind}")
    elif not pd.api.types.is_datetime64_any_dtype(data[date_col]):
        raise DataError(f"column {date_col!r} must hold dates (datetime64), got {data[date_col].dtype}")


def _span(data, date_col: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last date of ``date_col`` (a DataFrame column or a table's, one query); DataError unless dates."""
    _check_dates(data, date_col)
    if is_table(data):
        row = data.aggregate(first=data[date_col].min(), last=data[date_col].max()).execute().iloc[0]
        return pd.Timestamp(row["first"]), pd.Timestamp(row["last"])
    return data[date_col].min(), data[date_col].max()


def _months(month: str, baseline: str, date_col: str) -> tuple[str, list[str], tuple]:
    """The month, its baseline months and the window (date column, start, end) covering them."""
    current, base = str(periods.parse_month(month)), periods.baseline_months(month, baseline)
    months = sorted([current, *base])
    return current, base, (date_col, periods.bounds(months[0])[0], periods.bounds(months[-1])[1])


def _combined_sums(data, parts: list[list[str]], *, metric, month, baseline, date_col, kw) -> pd.DataFrame | None:
    """On a table, the month sums of every column of ``parts`` crossed, from one ``GROUP BY`` (groups with a
    missing key kept, so each part adds up its own columns' groups exactly), when the combinations are few
    (a distinct-count query over the window says: at most :data:`_COMBINED_GROUPS`); else None (a query a part)."""
    cols = list(dict.fromkeys(c for p in parts for c in p))
    if not is_table(data) or len(parts) < 2 or any(c not in data.columns for c in [*cols, date_col]):
        return None     # (a missing column: the part's own query names it)
    _check_dates(data, date_col)
    _, base, (_, start, end) = _months(month, baseline, date_col)
    w = data.filter((data[date_col] >= start.to_pydatetime()) & (data[date_col] < end.to_pydatetime()))
    counts = w.aggregate(**{f"d{i}": w[c].approx_nunique() for i, c in enumerate(cols)}).execute().iloc[0]
    scale = table_scale(metric, kw.get("scale"))
    answers = int(scale.max - scale.min) + 2    # the scale's whole points or missing (NPS: 12; a 0-100 rating: 102)
    if (len(base) + 1) * answers * np.prod([int(counts[f"d{i}"]) + 1 for i in range(len(cols))], dtype=float) \
            > _COMBINED_GROUPS:
        return None     # (the values: each column's and missing)
    sums, _ = metric_sums(data, metric=metric, by=cols, period=(date_col, "M"), window=(date_col, start, end),
                          date_col=date_col, keep_missing=True, **kw)
    return sums
