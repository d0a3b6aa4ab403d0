"""Dates written as text, read with one format for the whole column (private to :mod:`cxlib.data`).

A column is never parsed value by value with guessed formats: ``03/04/2026`` would be read as 4 March in
one row and, next to ``13/04/2026``, as 13 April in another. The order of day and month is decided once
for the column: by the config (``date_format:`` or ``dayfirst:``), or by the data when some value can
only be read one way (a first number above 12 means day first; a second number above 12 means month
first). A column whose every value could be read either way, or whose values contradict each other, is
refused with examples. ISO dates (2026-10-31, with or without a time) need no decision.
"""

from __future__ import annotations

import pandas as pd

from ..errors import DataError

__all__ = ["parse_dates", "table_dates"]

_NUMERIC = (r"^(?P<a>\d{1,2})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})"
            r"(?:(?P<tsep>[ T]+)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?$")
#: A month name, or the year first (always year/month/day): no day/month order to decide.
_UNAMBIGUOUS = r"[A-Za-z]{3}|^\d{4}[/.]\d{1,2}[/.]\d{1,2}\b"


def parse_dates(text: pd.Series, where: str, options: dict, describe) -> pd.Series:
    """Parse a text column of dates with one format for the column.

    Parameters
    ----------
    text : pandas.Series
        Stripped text, NA where missing.
    where : str
        File and column, for messages.
    options : dict
        The table's options: ``date_format`` (a strftime format) or ``dayfirst`` (bool).
    describe : callable
        ``describe(mask, values)`` -> the offending rows as a message names them.

    Returns
    -------
    pandas.Series
        datetime64 values, NaT where the text is missing.

    Raises
    ------
    DataError
        Values that do not fit the column's format, or a day/month order the data cannot decide.
    """
    fmt = options.get("date_format")
    if fmt:
        out = _local(pd.to_datetime(text, format=fmt, errors="coerce", utc="%z" in fmt or "%Z" in fmt), text,
                     options.get("timezone"))
        _refuse(out, text, where, describe, f"in format {fmt!r} (date_format in the config)")
        return out
    # a UTC offset on any value (2026-10-01T01:30+02:00): read as instants, then shown in the configured
    # time zone, or (none configured) at the clock time each value was written with
    offset = text.str.contains(_OFFSET, regex=True, na=False).any()
    out = _local(pd.to_datetime(text, format="ISO8601", errors="coerce", utc=bool(offset)), text,
                 options.get("timezone"))
    rest = out.isna() & text.notna()
    if not rest.any():
        return out
    parts = text[rest].str.extract(_NUMERIC)
    numeric = parts["a"].notna()
    if numeric.any():
        out = out.copy()
        nums, values = parts[numeric], text[rest][numeric]
        day, month = _numeric(values, nums, True), _numeric(values, nums, False)
        out.loc[values.index] = day if _dayfirst(day, month, values, where, options, describe) else month
    worded = rest & out.isna() & text.str.contains(_UNAMBIGUOUS, regex=True, na=False)
    if worded.any():  # "14 Oct 2026", "October 14, 2026", "2026/10/14": no day/month doubt
        out = out.copy()
        out.loc[worded] = pd.to_datetime(text[worded], format="mixed", errors="coerce")
    _refuse(out, text, where, describe, "e.g. 2026-10-31 (set date_format in the config if unusual, "
                                        "e.g. date_format: '%d/%m/%Y %H:%M')")
    return out


_OFFSET = r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})$"
_OFFSET_PARTS = r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:(Z)|([+-])(\d{2}):?(\d{2}))$"


def _local(out: pd.Series, text: pd.Series, tz: str | None) -> pd.Series:
    """Offset-aware times made naive: in the time zone ``tz`` when one is configured, else at the clock
    time each value was written with (23:30+02:00 stays 23:30, in its own month); values written without
    an offset are local times already and stay as written.

    Examples
    --------
    >>> text = pd.Series(["2026-10-31T23:30:00+02:00", "2026-11-01 00:10"])
    >>> out = pd.to_datetime(text, format="ISO8601", utc=True)
    >>> _local(out, text, None).astype(str).tolist(), _local(out, text, "UTC").astype(str).tolist()
    (['2026-10-31 23:30:00', '2026-11-01 00:10:00'], ['2026-10-31 21:30:00', '2026-11-01 00:10:00'])
    """
    if out.dt.tz is None:
        return out
    utc = out.dt.tz_convert("UTC").dt.tz_localize(None)
    parts = text.astype("string").str.extract(_OFFSET_PARTS)
    written = (parts[0].notna() | parts[1].notna()).to_numpy(dtype=bool)
    if tz:
        return out.dt.tz_convert(tz).dt.tz_localize(None).where(written, utc)
    sign = parts[1].map({"+": 1.0, "-": -1.0}).astype("float64")
    minutes = sign * (parts[2].astype("float64") * 60 + parts[3].astype("float64"))
    return utc + pd.to_timedelta(minutes.fillna(0).to_numpy(), unit="min")


def _numeric(text: pd.Series, nums: pd.DataFrame, dayfirst: bool) -> pd.Series:
    """Parse d/m/y (or m/d/y) values with one exact format per separator, year width and time part."""
    time = pd.Series("", index=nums.index).mask(nums["M"].notna(), "%H:%M").mask(nums["S"].notna(), "%H:%M:%S")
    shape = nums["sep"] + "|" + nums["y"].str.len().astype(str) + "|" + time + "|" + nums["tsep"].fillna("")
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    for key, idx in shape.groupby(shape, sort=False).groups.items():
        sep, width, clock, tsep = key.split("|")
        year = "%Y" if width == "4" else "%y"
        fmt = (f"%d{sep}%m{sep}{year}" if dayfirst else f"%m{sep}%d{sep}{year}") + (tsep + clock if clock else "")
        out.loc[idx] = pd.to_datetime(text.loc[idx], format=fmt, errors="coerce")
    return out


def _dayfirst(day: pd.Series, month: pd.Series, text: pd.Series, where: str, options: dict, describe) -> bool:
    """Day first (True) or month first (False) for the whole column, from the config or the data."""
    given = options.get("dayfirst")
    if given is not None:
        against = (day if given else month).isna()
        if against.any():
            raise DataError(f"{where}: dayfirst is {str(given).lower()} in the config, but {describe(against, text)} "
                            f"cannot be read {'day' if given else 'month'} first; check the export's date format")
        return bool(given)
    only_day, only_month = day.notna() & month.isna(), month.notna() & day.isna()
    if only_day.any() and only_month.any():
        raise DataError(f"{where}: the dates mix day-first ({_examples(text[only_day])}) and month-first "
                        f"({_examples(text[only_month])}) values; one column must use one format. Fix the "
                        "export, or set date_format in the config to read one of them")
    if only_day.any() or only_month.any():
        dayfirst = bool(only_day.any())
        _refuse(day if dayfirst else month, text, where, describe,
                f"{'day' if dayfirst else 'month'}-first dates like the others in the column")
        return dayfirst
    if day.isna().any():
        _refuse(day, text, where, describe, "e.g. 2026-10-31 (set date_format in the config if unusual)")
    if (day == month).all():  # 01/01/2026, 05/05/2026: both readings agree
        return True
    raise DataError(f"{where}: the dates are ambiguous: every value, e.g. {_examples(text[day != month])}, could "
                    "be day/month or month/day. Set date_format in the config, e.g. date_format: '%d/%m/%Y' "
                    "(day first) or '%m/%d/%Y' (month first), or dayfirst: true / false")


def _examples(text: pd.Series, limit: int = 3) -> str:
    return ", ".join(repr(v) for v in text.drop_duplicates().head(limit))


def _refuse(out: pd.Series, text: pd.Series, where: str, describe, expected: str) -> None:
    bad = out.isna() & text.notna()
    if bad.any():
        raise DataError(f"{where}: unparseable dates in {describe(bad, text)}; expected {expected}")


def table_dates(text, tz: str | None, raw):
    """Timestamps from a text column of a table (an Ibis string expression): ISO text read as written, a
    UTC offset (``Z``, ``+02:00``) dropped so the clock time it was written at stays, or, with ``tz``, that
    instant read in the zone ``tz``; unreadable text is NULL. ``raw`` is the table (its backend decides
    the zone function)."""
    import ibis.expr.datatypes as dt

    # no backreference in the replacement: Spark's (Java) regexp_replace reads "\\1" as a literal "1"
    offset = text.re_search(r"\d\s*(Z|[+-]\d{2}:?\d{2})$")
    bare = offset.ifelse(text.re_replace(r"\s*(Z|[+-]\d{2}:?\d{2})$", ""), text)
    ts = bare.nullif("").try_cast("timestamp")
    if tz:   # offsets written: that instant in the configured zone
        ts = offset.ifelse(_in_zone(tz, text.try_cast(dt.Timestamp(timezone="UTC")), raw), ts)
    return ts


def _in_zone(zone: str, instant, raw):
    """The clock time in ``zone`` of a UTC ``instant``: ``timezone(zone, instant)`` on DuckDB and PostgreSQL,
    ``from_utc_timestamp(instant, zone)`` on Spark (whose session Ibis keeps in UTC)."""
    import ibis
    import ibis.expr.datatypes as dt

    if raw._find_backend().name == "pyspark":
        @ibis.udf.scalar.builtin(name="from_utc_timestamp",
                                 signature=((dt.Timestamp(timezone="UTC"), dt.string), dt.timestamp))
        def from_utc_timestamp(ts, zone):
            ...

        return from_utc_timestamp(instant, zone)

    @ibis.udf.scalar.builtin(name="timezone", signature=((dt.string, dt.Timestamp(timezone="UTC")), dt.timestamp))
    def timezone(zone, ts):
        ...

    return timezone(zone, instant)
