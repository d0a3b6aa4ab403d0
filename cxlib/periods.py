"""Months, in one place: parsing, half-open bounds, the months before, full and partial months, labels.

Every window in cxlib is half-open, ``[start, next start)``: a response at 23:59:59 on the last day of a
month belongs to that month wherever it is counted. Functions that look at the data take ``dates``,
either a Series of timestamps or a ``(first, last)`` pair, so that the same logic serves a pandas column
and the minimum and maximum a database returns.
"""

from __future__ import annotations

import re

import pandas as pd

from .errors import ParameterError

__all__ = ["MONTH_PATTERN", "baseline_months", "bounds", "dates_label", "in_window", "is_partial",
           "label", "latest_full_month", "long_label", "months_before", "parse_month", "resolve_month",
           "span", "window"]

#: A month as the workbook writes it everywhere: "YYYY-MM".
MONTH_PATTERN = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_PREVIOUS = re.compile(r"previous_(\d+)")
BASELINES = "'previous', 'previous_3' (any 'previous_k'), 'year_ago' or a month 'YYYY-MM'"


def parse_month(month, *, what: str = "month") -> pd.Period:
    """A "YYYY-MM" string (or Period) as a monthly :class:`pandas.Period`.

    Raises
    ------
    ParameterError
        When ``month`` does not look like "YYYY-MM"; ``what`` names it in the message.

    Examples
    --------
    >>> parse_month("2026-10")
    Period('2026-10', 'M')
    >>> parse_month("Oct 2026")
    Traceback (most recent call last):
    ...
    cxlib.errors.ParameterError: month must look like 'YYYY-MM' (e.g. 2026-10), got 'Oct 2026'
    """
    if isinstance(month, pd.Period):
        return month.asfreq("M")
    if not MONTH_PATTERN.fullmatch(str(month)):
        raise ParameterError(f"{what} must look like 'YYYY-MM' (e.g. 2026-10), got {month!r}")
    return pd.Period(str(month), freq="M")


def bounds(month) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The month as a half-open interval ``[first instant, first instant of the next month)``.

    Examples
    --------
    >>> bounds("2026-10")
    (Timestamp('2026-10-01 00:00:00'), Timestamp('2026-11-01 00:00:00'))
    """
    p = parse_month(month)
    return p.start_time, (p + 1).start_time


def window(month, months: int = 1) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The ``months`` months ending with ``month``, half-open.

    Examples
    --------
    >>> window("2026-10", 3)
    (Timestamp('2026-08-01 00:00:00'), Timestamp('2026-11-01 00:00:00'))
    """
    if int(months) < 1:
        raise ParameterError(f"months must be a whole number >= 1, got {months!r}")
    p = parse_month(month)
    return (p - (int(months) - 1)).start_time, (p + 1).start_time


def in_window(dates: pd.Series, start, end) -> pd.Series:
    """Boolean mask of ``start <= dates < end`` (missing dates are False).

    Examples
    --------
    >>> d = pd.Series(pd.to_datetime(["2026-10-31 23:59:59", "2026-11-01 00:00:00"]))
    >>> in_window(d, *bounds("2026-10")).tolist()
    [True, False]
    """
    return ((dates >= start) & (dates < end)).fillna(False).astype(bool)


def months_before(month, k: int) -> list[str]:
    """The ``k`` months before ``month``, oldest first.

    Examples
    --------
    >>> months_before("2026-01", 3)
    ['2025-10', '2025-11', '2025-12']
    """
    p = parse_month(month)
    return [str(p - i) for i in range(int(k), 0, -1)]


def baseline_months(month, baseline="previous") -> list[str]:
    """The months a ``baseline`` names for ``month``: the one meaning of ``baseline=`` in cxlib.

    Parameters
    ----------
    month : str
        "YYYY-MM".
    baseline : str
        "previous" (the month before), "previous_k" (the k months before, pooled), "year_ago" (the same
        month a year earlier) or a month "YYYY-MM".

    Examples
    --------
    >>> baseline_months("2026-10"), baseline_months("2026-10", "previous_3"), baseline_months("2026-10", "year_ago")
    (['2026-09'], ['2026-07', '2026-08', '2026-09'], ['2025-10'])
    """
    p = parse_month(month)
    trailing = _PREVIOUS.fullmatch(str(baseline))
    if baseline in (None, "previous"):
        return [str(p - 1)]
    if baseline == "year_ago":
        return [str(p - 12)]
    if trailing and int(trailing.group(1)) >= 1:
        return months_before(p, int(trailing.group(1)))
    if MONTH_PATTERN.fullmatch(str(baseline)):
        return [str(baseline)]
    raise ParameterError(f"baseline must be {BASELINES}; got {baseline!r}")


def span(dates) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last timestamp of ``dates`` (a Series, or a ``(first, last)`` pair returned as is).

    Raises
    ------
    ParameterError
        When there is no date at all.

    Examples
    --------
    >>> span(pd.Series(pd.to_datetime(["2026-10-05", None, "2026-09-01"])))
    (Timestamp('2026-09-01 00:00:00'), Timestamp('2026-10-05 00:00:00'))
    """
    if isinstance(dates, tuple):
        first, last = dates
    else:
        first, last = dates.min(), dates.max()
    if pd.isna(first) or pd.isna(last):
        raise ParameterError("the data have no dates: no month can be chosen")
    return pd.Timestamp(first), pd.Timestamp(last)


def is_partial(month, dates) -> bool:
    """True when the data start after the month's first day or end before its last day.

    Examples
    --------
    >>> d = pd.Series(pd.to_datetime(["2019-07-23 09:00", "2019-08-18 14:00"]))
    >>> is_partial("2019-08", d), is_partial("2019-07", d)
    (True, True)
    >>> is_partial("2026-10", pd.Series(pd.to_datetime(["2026-09-30 08:00:00", "2026-10-31 23:59:59"])))
    False
    """
    first, last = span(dates)
    start, end = bounds(month)
    return first.normalize() > start or last.normalize() < end - pd.Timedelta(days=1)


def latest_full_month(dates) -> str | None:
    """The latest month the data cover from its first day to its last, or None when there is none.

    Examples
    --------
    >>> latest_full_month(pd.Series(pd.to_datetime(["2026-09-01 08:00", "2026-10-31 10:00"])))
    '2026-10'
    >>> latest_full_month(pd.Series(pd.to_datetime(["2026-09-01", "2026-10-12"])))
    '2026-09'
    >>> latest_full_month(pd.Series(pd.to_datetime(["2019-07-23", "2019-08-18"]))) is None
    True
    """
    first, last = span(dates)
    p = last.to_period("M")
    if last.normalize() < (p + 1).start_time - pd.Timedelta(days=1):
        p = p - 1
    return str(p) if p.start_time >= first.normalize() else None


def resolve_month(month, dates) -> str:
    """"latest" (or empty) becomes the latest full month, else the latest month; "YYYY-MM" is checked.

    Examples
    --------
    >>> dates = pd.Series(pd.to_datetime(["2026-09-01", "2026-10-31"]))
    >>> resolve_month("latest", dates), resolve_month("2026-09", dates)
    ('2026-10', '2026-09')
    >>> resolve_month("", pd.Series(pd.to_datetime(["2019-07-23", "2019-08-18"])))   # no full month
    '2019-08'
    """
    if month in (None, "", "latest"):
        return latest_full_month(dates) or str(span(dates)[1].to_period("M"))
    return str(parse_month(month, what="month (or 'latest')"))


def label(months) -> str:
    """A month or a run of months as people write it: "Oct 2026", "Apr–Jun 2015", "Dec 2025–Feb 2026".

    Examples
    --------
    >>> label("2026-10"), label(["2015-04", "2015-05", "2015-06"]), label(["2025-12", "2026-02"])
    ('Oct 2026', 'Apr–Jun 2015', 'Dec 2025–Feb 2026')
    """
    ps = sorted(parse_month(m) for m in ([months] if isinstance(months, (str, pd.Period)) else months))
    first, last = ps[0], ps[-1]
    if first == last:
        return first.strftime("%b %Y")
    if first.year == last.year:
        return f"{first.strftime('%b')}–{last.strftime('%b %Y')}"
    return f"{first.strftime('%b %Y')}–{last.strftime('%b %Y')}"


def long_label(month) -> str:
    """The month in full: "October 2026".

    Examples
    --------
    >>> long_label("2026-10")
    'October 2026'
    """
    return parse_month(month).strftime("%B %Y")


def dates_label(first, last) -> str:
    """A span of days: "1–18 Aug 2019", "23 Jul–18 Aug 2019", "30 Dec 2025–2 Jan 2026".

    Examples
    --------
    >>> dates_label(pd.Timestamp("2019-08-01"), pd.Timestamp("2019-08-18 15:00"))
    '1–18 Aug 2019'
    >>> dates_label(pd.Timestamp("2019-07-23"), pd.Timestamp("2019-08-18"))
    '23 Jul–18 Aug 2019'
    """
    a, b = pd.Timestamp(first), pd.Timestamp(last)
    if a.normalize() == b.normalize():
        return f"{a.day} {a.strftime('%b %Y')}"
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{b.day} {b.strftime('%b %Y')}"
    if a.year == b.year:
        return f"{a.day} {a.strftime('%b')}–{b.day} {b.strftime('%b %Y')}"
    return f"{a.day} {a.strftime('%b %Y')}–{b.day} {b.strftime('%b %Y')}"
