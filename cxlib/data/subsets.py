"""Subsets of loaded tables: a month (or months, or a window of months), a segment, a period column.

Months are half-open windows from :mod:`cxlib.periods`, so every part of the workbook counts the last
second of a month in that month.
"""

from __future__ import annotations

import re

import pandas as pd

from .. import periods
from .._checks import need_columns
from ..errors import ParameterError
from .aggregate import is_table
from .remote import arrow_rows

__all__ = ["add_period", "last_months", "month_counts", "month_dates", "parse_segment", "segment_label", "subset",
           "to_frame", "undated_count"]

# A comma starts a new "name=value" pair only when "name=" follows it, so values may hold commas.
_PAIR_SPLIT = re.compile(r",\s*(?=[^,=]+=)")


def parse_segment(segment) -> dict:
    """A segment filter as a dict: "region=EMEA,plan=Pro" -> {"region": "EMEA", "plan": "Pro"}.

    A comma followed by something other than ``name=`` belongs to the value ("city=Washington, DC").

    Raises
    ------
    ParameterError
        A piece without "=", an empty name, or the same name twice.

    Examples
    --------
    >>> parse_segment("region=EMEA, plan=Pro")
    {'region': 'EMEA', 'plan': 'Pro'}
    >>> parse_segment("city=Washington, DC")
    {'city': 'Washington, DC'}
    """
    if segment is None or segment == "" or segment == {}:
        return {}
    if isinstance(segment, dict):
        return {str(k): str(v) for k, v in segment.items()}
    parts: dict = {}
    for piece in _PAIR_SPLIT.split(str(segment)):
        name, eq, value = piece.partition("=")
        if not eq or not name.strip():
            raise ParameterError(f"segment filter {segment!r}: expected name=value pairs separated by commas "
                                 "(e.g. region=EMEA,plan=Pro)")
        if name.strip() in parts:
            raise ParameterError(f"segment filter {segment!r} names {name.strip()!r} twice; a report covers one "
                                 "value of each segment (use --by for one report per value)")
        parts[name.strip()] = value.strip()
    return parts


def segment_label(segment) -> str:
    """A segment filter as readers see it: "region: EMEA · plan: Pro" ("" for everyone).

    Examples
    --------
    >>> segment_label("region=EMEA,plan=Pro"), segment_label(None)
    ('region: EMEA · plan: Pro', '')
    """
    return " · ".join(f"{k}: {v}" for k, v in parse_segment(segment).items())


def subset(data: pd.DataFrame, *, month=None, months=None, segment=None,
           date_col: str = "responded_at") -> pd.DataFrame:
    """Rows of one month (or several) and/or one segment.

    Parameters
    ----------
    data : pandas.DataFrame
    month : str, optional
        ``"YYYY-MM"``: rows in ``[first instant of the month, first instant of the next)``.
    months : list of str, optional
        Several months.
    segment : str or dict, optional
        ``"region=EMEA"``, ``"region=EMEA,plan=Pro"`` or ``{"region": "EMEA"}``.
    date_col : str

    Returns
    -------
    pandas.DataFrame
        A filtered copy with the same columns.

    Examples
    --------
    >>> from cxlib.data import load_responses
    >>> oct_emea = subset(load_responses(), month="2026-10", segment="region=EMEA")
    >>> sorted(oct_emea["region"].unique())
    ['EMEA']

    On an Ibis table (a server or a large file) the same call returns the filtered table, still lazy.
    """
    if is_table(data):
        return _subset_table(data, [m for m in [month, *(months or [])] if m], parse_segment(segment), date_col)
    mask = pd.Series(True, index=data.index)
    wanted = ([month] if month else []) + list(months or [])
    if wanted:
        need_columns(data, [date_col], where="subset")
        inside = pd.Series(False, index=data.index)
        for m in wanted:
            inside |= periods.in_window(data[date_col], *periods.bounds(m))
        mask &= inside
    for col, value in parse_segment(segment).items():
        need_columns(data, [col], where="subset (segment)")
        mask &= (data[col].astype("string") == str(value)).fillna(False)
    return data.loc[mask].copy()


def last_months(data: pd.DataFrame, *, month: str, months: int, date_col: str = "responded_at") -> pd.DataFrame:
    """Rows of the ``months`` months ending with ``month`` (a filtered copy).

    Examples
    --------
    >>> df = pd.DataFrame({"responded_at": pd.to_datetime(["2026-07-31 12:00:00", "2026-08-01 00:00:00", "2026-10-31 23:59:59"])})
    >>> len(last_months(df, month="2026-10", months=3))
    2
    """
    need_columns(data, [date_col], where="last_months")
    if is_table(data):
        start, end = periods.window(month, months)
        return data.filter((data[date_col] >= start.to_pydatetime()) & (data[date_col] < end.to_pydatetime()))
    return data.loc[periods.in_window(data[date_col], *periods.window(month, months))].copy()


def add_period(data: pd.DataFrame, *, freq: str = "M", date_col: str = "responded_at",
               name: str = "period") -> pd.DataFrame:
    """Return a copy with a pandas Period column (``freq`` "M" months, "Q" quarters, "W" weeks, "Y" years).

    Returns
    -------
    pandas.DataFrame
        The input columns plus ``name`` (period[freq]).

    Examples
    --------
    >>> add_period(pd.DataFrame({"responded_at": pd.to_datetime(["2026-10-05"])}))["period"].astype(str).tolist()
    ['2026-10']
    """
    need_columns(data, [date_col], where="add_period")
    out = data.copy()
    out[name] = out[date_col].dt.to_period(freq)
    return out


def _subset_table(table, months: list, segment: dict, date_col: str):
    """:func:`subset` on an Ibis table: the same half-open month windows and segment equality, as a filter."""
    import ibis

    conds = []
    if months:
        need_columns(table, [date_col], where="subset")
        inside = ibis.literal(False)
        for m in months:
            start, end = periods.bounds(m)
            inside |= (table[date_col] >= start.to_pydatetime()) & (table[date_col] < end.to_pydatetime())
        conds.append(inside)
    for col, value in segment.items():
        need_columns(table, [col], where="subset (segment)")
        conds.append(table[col].cast("string") == str(value))
    return table.filter(*conds) if conds else table


def month_counts(data, *, by=(), date_col: str = "responded_at") -> pd.DataFrame:
    """Responses per calendar month (and value of ``by``) with the first and last date in each: what a
    runner needs to pick the report month (latest full month, partial months) without pulling the rows,
    on a DataFrame or a table (one GROUP BY).

    Returns
    -------
    pandas.DataFrame
        ``month`` ("YYYY-MM"), the ``by`` columns, ``n`` (rows with a date in it), ``first``, ``last``
        (timestamps), by month; rows without a date are left out, a missing ``by`` value is a group.

    Examples
    --------
    >>> df = pd.DataFrame({"responded_at": pd.to_datetime(["2026-09-30 23:00", "2026-10-01 00:00", "2026-10-05 09:00", None])})
    >>> month_counts(df)[["month", "n"]].values.tolist()
    [['2026-09', 1], ['2026-10', 2]]
    """
    by = list(by)
    need_columns(data, [date_col, *by], where="month_counts")
    if is_table(data):
        dated = data.filter(data[date_col].notnull())
        d = dated[date_col]
        out = dated.group_by([d.truncate("M").name("month"), *by]).aggregate(
            n=dated.count(), first=d.min(), last=d.max()).execute()
        out["month"] = pd.to_datetime(out["month"]).dt.strftime("%Y-%m")
    else:
        dated = data.dropna(subset=[date_col])
        d = dated[date_col]
        out = (d.groupby([d.dt.strftime("%Y-%m").rename("month"), *[dated[c] for c in by]], observed=True, dropna=False)
               .agg(["count", "min", "max"]).rename(columns={"count": "n", "min": "first", "max": "last"})
               .reset_index())
    out["n"] = out["n"].astype("int64")
    for c in ("first", "last"):
        out[c] = pd.to_datetime(out[c]).astype("datetime64[ns]")
    return out[["month", *by, "n", "first", "last"]].sort_values(["month", *by]).reset_index(drop=True)


def undated_count(data, *, date_col: str = "responded_at") -> int:
    """Responses without a date (0 without a date column), on a DataFrame or a table (one COUNT).

    Examples
    --------
    >>> undated_count(pd.DataFrame({"responded_at": pd.to_datetime(["2026-10-01", None])}))
    1
    """
    if date_col not in data.columns:
        return 0
    if is_table(data):
        return int(data.count(where=data[date_col].isnull()).execute())
    return int(data[date_col].isna().sum())


def month_dates(data, *, date_col: str = "responded_at") -> pd.Series:
    """The first and last date of every month with responses (two dates a month), as a date column.

    It stands in for the dates when a month is resolved (the latest full month, partial months, the
    first month) on a table: those rules read only each month's first and last date, so they give the
    same answer as on every date, without pulling the rows.

    Examples
    --------
    >>> df = pd.DataFrame({"responded_at": pd.to_datetime(["2026-09-01", "2026-09-15", "2026-10-31"])})
    >>> periods.resolve_month("latest", month_dates(df)) == periods.resolve_month("latest", df["responded_at"])
    True
    """
    counts = month_counts(data, date_col=date_col)
    both = pd.concat([counts["first"], counts["last"]], ignore_index=True).sort_values(ignore_index=True)
    return both.astype("datetime64[ns]").rename(date_col)


def _arrow_to_pandas(arrow) -> pd.DataFrame:
    """An Arrow table as a DataFrame, its buffers freed column by column as they are converted."""
    out = arrow.to_pandas(self_destruct=True, split_blocks=True)
    del arrow
    return out


def to_frame(table, *, limit: int | None = None, order_by=(), unique=()) -> pd.DataFrame:
    """An Ibis table (a slice: one window of months, one segment) as a DataFrame with the loader's dtypes.

    Dates become ``datetime64[ns]``, floats ``float64``, integers ``Int64``, true/false ``boolean`` and
    text ``str`` (missing as NaN), so every pandas analysis treats the rows exactly as rows read from
    a file. ``order_by`` (columns; those absent are skipped) fixes the row order, which a database does not
    keep (DuckDB runs with ``preserve_insertion_order`` off), so that an analysis resampling rows (a
    bootstrap) gives the same result on every run and engine. ``unique``: columns known to hold unique
    values (a validated id): ordering stops at the first of them, the other columns need no sort.
    ``limit`` refuses (a ParameterError naming the count) a slice larger than that many rows
    instead of filling the memory. A DataFrame is returned as it is.

    Examples
    --------
    >>> from cxlib.data import as_table
    >>> to_frame(as_table(pd.DataFrame({"x": [1.5, None], "ok": [True, None]}))).dtypes.astype(str).tolist()
    ['float64', 'boolean']
    """
    import pyarrow as pa

    if not is_table(table):
        return table
    if limit is not None:
        n = int(table.count().execute())
        if n > limit:
            raise ParameterError(f"the slice holds {n:,} rows, more than the {limit:,} allowed to leave the "
                                 "database (engines: {max_rows: ...}); narrow the window or raise the limit")
    keys = list(dict.fromkeys(c for c in order_by if c in table.columns))
    stop = next((i for i, c in enumerate(keys) if c in unique), None)
    if stop is not None:   # a unique id leaves no ties
        table = table.order_by(keys[:stop + 1])
    elif keys:   # every other column breaks ties: only identical rows are left in an arbitrary order
        table = table.order_by(keys + [c for c in table.columns if c not in keys])
    schema = table.schema()
    out = _arrow_to_pandas(arrow_rows(table))
    for name, kind in schema.items():
        col = out[name]
        if kind.is_timestamp() or kind.is_date():
            ts = pd.to_datetime(col)
            if ts.dt.tz is not None:
                ts = ts.dt.tz_convert("UTC").dt.tz_localize(None)
            out[name] = ts.astype("datetime64[ns]")
        elif kind.is_floating() or kind.is_decimal():
            # Arrow's doubles arrive as float64 already: no copy (to_numeric copies, 0.4 s per million rows x column)
            out[name] = col if col.dtype == "float64" else pd.to_numeric(col).astype("float64")
        elif kind.is_integer():
            out[name] = col.astype("Int64")
        elif kind.is_boolean():
            out[name] = col.astype("boolean")
        elif kind.is_string():
            out[name] = col.astype("str")      # as the loader types text: pandas' string dtype, NaN missing
    pa.default_memory_pool().release_unused()   # the conversions' freed Arrow pages back to the system
    return out
