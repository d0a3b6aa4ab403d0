"""Group sums on either engine: the sufficient statistics every score and driver table is built from.

A statistic is declared once as a list of :class:`Term` (a count, or a sum of ``w**k · Π(x − c)`` over
the rows where some columns are present and one column takes some values); :func:`group_sums` evaluates
the terms per group on a pandas DataFrame (one vectorised ``groupby().sum()``) or on an Ibis table (one
``GROUP BY`` query of plain ``COUNT(*) FILTER`` and ``SUM`` aggregates, cast to int64/float64), and
returns the same small pandas DataFrame either way. The engines' own ``corr``/``cov``/``var`` are never
used: they are missing or differ across backends and take no weights.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError

__all__ = ["md5_hex", "Term", "group_sums", "is_table", "row_count", "sums_expr", "table_weight"]


@dataclass(frozen=True)
class Term:
    """One aggregate: a count, or a sum of ``weight**wpow · Π (col − centre)`` over the qualifying rows.

    A row qualifies when every column of ``present`` (and of ``factors``) is non-missing, ``values``
    (a ``(column, allowed values)`` pair) holds, and ``outside`` (a ``(column, low, high, whole)``
    tuple: the column lies below ``low``, above ``high`` or, with ``whole``, off the whole numbers) holds.
    """

    name: str
    factors: tuple = ()          # ((column, centre), ...) multiplied together
    weight: str | None = None
    wpow: int = 0
    present: tuple = ()
    values: tuple | None = None  # (column, (v1, v2, ...))
    outside: tuple | None = None  # (column, low, high, whole)
    count: bool = False

    @property
    def needs(self) -> tuple:
        cols = list(self.present) + [c for c, _ in self.factors]
        cols += [self.weight] if self.weight and self.wpow else []
        return tuple(dict.fromkeys(cols))


def is_table(data) -> bool:
    """True for an Ibis table expression (a table on DuckDB, PostgreSQL, Spark, ...), False otherwise.

    Examples
    --------
    >>> import pandas as pd
    >>> is_table(pd.DataFrame({"nps": [1]}))
    False
    """
    # an Ibis table exists only once Ibis is imported: a DataFrame-only run (the sample report) never pays
    # Ibis's import (0.15-0.3 s) to learn that its data are not a table
    table = getattr(sys.modules.get("ibis.expr.types"), "Table", None)
    return table is not None and isinstance(data, table)


def row_count(data) -> int:
    """Number of rows of a DataFrame or an Ibis table (one ``COUNT(*)`` query)."""
    return int(data.count().execute()) if is_table(data) else len(data)


def table_weight(table, weight: str, *, where: str):
    """The ``weight`` column of an Ibis table as a float expression, after one query refusing a missing, NaN,
    negative or infinite weight on any row (a DataError naming the column, the count and a few values).

    Examples
    --------
    >>> from cxlib.data import as_table
    >>> table_weight(as_table(pd.DataFrame({"w": [1.0, -2.0]})), "w", where="crosstab")
    Traceback (most recent call last):
    ...
    cxlib.errors.DataError: crosstab: column 'w': weights must be finite and ≥ 0 on every row; bad in 1 row(s), e.g. -2.0
    """
    w = table[weight].cast("float64")
    bad = w.isnull() | w.isnan() | (w < 0) | (w > 1.7e308)
    k = int(table.count(where=bad).execute())
    if k:
        shown = table.filter(bad).select(weight).limit(5).execute()[weight].tolist()
        raise DataError(f"{where}: column {weight!r}: weights must be finite and ≥ 0 on every row; bad in {k} row(s), "
                        f"e.g. {', '.join(map(repr, shown))}")
    return w


# ---------------------------------------------------------------------------------------------- pandas
class _Columns:
    """Each column of a frame as float values and as a presence mask, made once for all the terms."""

    def __init__(self, frame: pd.DataFrame):
        self.frame, self._present, self._floats = frame, {}, {}

    def present(self, col) -> np.ndarray:
        if col not in self._present:
            self._present[col] = self.frame[col].notna().to_numpy()
        return self._present[col]

    def floats(self, col) -> np.ndarray:
        if col not in self._floats:
            self._floats[col] = self.frame[col].to_numpy(dtype="float64", na_value=np.nan)
        return self._floats[col]


def _np_mask(cols: _Columns, term: Term) -> np.ndarray:
    mask = np.ones(len(cols.frame), dtype=bool)
    for c in term.needs:
        mask &= cols.present(c)
    if term.values is not None:
        col, allowed = term.values
        values = cols.frame[col]
        if pd.api.types.is_numeric_dtype(values) and len(allowed) <= 32:
            x, hit = cols.floats(col), np.zeros(len(values), dtype=bool)
            for a in allowed:    # a few points: comparisons beat a hash table (the same equality as isin)
                hit |= x == a
            mask &= hit
        else:
            mask &= values.isin(list(allowed)).to_numpy()
    if term.outside is not None:
        col, low, high, whole = term.outside
        x = cols.floats(col)
        with np.errstate(invalid="ignore"):
            off = (x < low) | (x > high) | (whole & (x % 1 != 0))
        mask &= cols.present(col) & off
    return mask


def _np_value(cols: _Columns, term: Term, mask: np.ndarray) -> np.ndarray:
    if term.count:
        return mask.astype("int64")
    v = np.ones(len(cols.frame))
    for col, centre in term.factors:
        v = v * (cols.floats(col) - centre)
    if term.weight and term.wpow:
        v = v * cols.floats(term.weight) ** term.wpow
    return np.where(mask, v, 0.0)


def _pandas_sums(frame: pd.DataFrame, keys: list, terms: list[Term], dropna: bool = True) -> pd.DataFrame:
    cols = _Columns(frame)
    values = pd.DataFrame({t.name: _np_value(cols, t, _np_mask(cols, t)) for t in terms}, index=frame.index)
    if not keys:
        return pd.DataFrame({k: [v.sum()] for k, v in values.items()})
    return values.groupby([frame[k] for k in keys], sort=True, observed=True, dropna=dropna).sum().reset_index()


# ------------------------------------------------------------------------------------------------ ibis
def _ib_mask(t, term: Term, skip=()):
    """The term's row condition, or None when every row qualifies."""
    conds = [t[c].notnull() for c in term.needs if c not in skip]
    if term.values is not None:
        col, allowed = term.values
        conds.append(t[col].isin([float(a) for a in allowed]))
    if term.outside is not None:
        col, low, high, whole = term.outside
        off = (t[col] < low) | (t[col] > high)
        if whole:
            off |= t[col] != t[col].round()
        conds.append(t[col].notnull() & off)
    if not conds:
        return None
    mask = conds[0]
    for c in conds[1:]:
        mask &= c
    return mask


def _ib_value(t, term: Term, skip=()):
    if not term.count:   # SUM skips NULLs: a column in the summed value needs no IS NOT NULL filter
        skip = (*skip, *(c for c, _ in term.factors), *([term.weight] if term.weight and term.wpow else []))
    mask = _ib_mask(t, term, skip)
    if term.count:
        return t.count(where=mask).cast("int64")   # never bool.cast(int).sum(): PostgreSQL refuses it
    v = None
    for col, centre in term.factors:
        f = t[col].cast("float64") - float(centre)
        v = f if v is None else v * f
    if term.weight and term.wpow:
        w = t[term.weight].cast("float64")
        w = w if term.wpow == 1 else w * w
        v = w if v is None else v * w
    if v is None:
        return t.count(where=mask).cast("float64")
    return v.sum(where=mask).cast("float64").fill_null(0.0)


def sums_expr(table, keys: list, derived: dict, terms: list[Term], skip=()):
    """The one aggregate query of :func:`group_sums` as an Ibis expression (for ``ibis.to_sql`` in any dialect);
    ``skip``: columns already known present (no per-aggregate check)."""
    t = table.mutate(**derived) if derived else table
    aggs = {term.name: _ib_value(t, term, skip) for term in terms}
    return t.group_by(keys).aggregate(**aggs) if keys else t.aggregate(**aggs)


def _ibis_sums(table, keys: list, derived: dict, terms: list[Term], skip=()) -> pd.DataFrame:
    out = sums_expr(table, keys, derived, terms, skip).execute()
    for term in terms:
        out[term.name] = out[term.name].astype("int64" if term.count else "float64")
    return out


def group_sums(data, *, by=(), terms: list[Term], period: tuple | None = None, window: tuple | None = None,
               keep_missing_keys: bool = False, complete=()) -> pd.DataFrame:
    """Evaluate ``terms`` per group of ``by`` on a DataFrame or an Ibis table.

    Parameters
    ----------
    data : pandas.DataFrame or ibis Table
    by : sequence of str
        Group columns; rows with a missing value in any of them are left out (``keep_missing_keys``
        keeps them as groups with missing keys, for checks over every row).
    terms : list of Term
    period : (date column, freq), optional
        Adds a ``period`` key (pandas Period of ``freq``: "M", "Q", "Y", "W", "D") before the ``by`` keys.
    window : (date column, start, end), optional
        Only rows with ``start <= date < end`` (a half-open window, as :mod:`cxlib.periods` defines).
    complete : sequence of str
        Only rows where all these columns are present: one ``WHERE`` instead of the same ``FILTER`` on
        every aggregate (much faster for a cross-product matrix); a group without such rows is absent.

    Returns
    -------
    pandas.DataFrame
        The key columns then one column per term (int64 counts, float64 sums), sorted by the keys.

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a", "a", "b"], "x": [1.0, None, 3.0]})
    >>> group_sums(df, by=["g"], terms=[Term("n", present=("x",), count=True), Term("sx", factors=(("x", 0),))])
       g  n   sx
    0  a  1  1.0
    1  b  1  3.0
    """
    keys = list(by)
    if complete:
        data = data.filter(*[data[c].notnull() for c in complete]) if is_table(data) \
            else data.loc[data[list(complete)].notna().all(axis=1)]
    if is_table(data):
        t = data
        derived = {}
        if window is not None:
            col, start, end = window
            t = t.filter((t[col] >= pd.Timestamp(start).to_pydatetime()) & (t[col] < pd.Timestamp(end).to_pydatetime()))
        if period is not None:
            col, freq = period
            unit = {"M": "M", "Q": "Q", "Y": "Y", "A": "Y", "W": "W", "D": "D"}.get(str(freq).upper())
            if unit is None:
                raise DataError(f"period frequency {freq!r} is not one of M, Q, Y, W, D on a database table "
                                "(anchored ones such as W-MON or Q-FEB run on a DataFrame only)")
            derived["period"] = t[col].truncate(unit)
            keys = ["period", *keys]
        out = _ibis_sums(t, keys, derived, terms, skip=tuple(complete))
        if period is not None:
            out["period"] = pd.to_datetime(out["period"]).dt.to_period(period[1])
    else:
        frame = data
        if window is not None:
            col, start, end = window
            frame = frame.loc[(frame[col] >= start) & (frame[col] < end)]
        if period is not None:
            frame = frame.assign(period=frame[period[0]].dt.to_period(period[1]))
            keys = ["period", *keys]
        out = _pandas_sums(frame, keys, terms, dropna=not keep_missing_keys)
    if keys and not keep_missing_keys:
        out = out.loc[out[keys].notna().all(axis=1)]
    if keys:
        out = out.sort_values(keys, kind="stable", na_position="last")
    return out.reset_index(drop=True)


def md5_hex(value):
    """The MD5 of a text expression as 32 hex characters, in the database (DuckDB, PostgreSQL, Spark and
    Snowflake all name it ``md5``; Ibis compiles no digest for PostgreSQL): the same value on every engine
    as ``hashlib.md5(text.encode()).hexdigest()``."""
    import ibis

    @ibis.udf.scalar.builtin(name="md5")
    def md5(value: str) -> str:
        """SQL MD5 as hex text."""

    return md5(value)
