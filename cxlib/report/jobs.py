"""From report parameters to report jobs: checked against the data before any kernel starts.

Every problem here is a :class:`~cxlib.errors.ParameterError` (the CLI exits with code 2): a malformed
month, a month outside the data, an unknown segment or value, or options that contradict each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from .. import periods
from ..data import parse_segment
from ..errors import ParameterError

__all__ = ["Job", "folder_name", "resolve_jobs"]


@dataclass(frozen=True)
class Job:
    """One report to render: a month (None for a survey without dates) and, optionally, one segment."""

    month: str | None
    segment: str | None = None


def folder_name(job: Job) -> str:
    """The report's folder and file stem: "2026-10" or "2026-10--region-emea".

    Examples
    --------
    >>> folder_name(Job("2026-10", "region=EMEA")), folder_name(Job(None))
    ('2026-10--region-emea', 'all-responses')
    """
    stem = job.month or "all-responses"
    if not job.segment:
        return stem
    return f"{stem}--" + re.sub(r"[^a-z0-9]+", "-", job.segment.lower()).strip("-")


def _months(month, all_months: bool, dates: pd.Series) -> list[str | None]:
    available = sorted(dates.dropna().dt.to_period("M").unique())
    if not available:   # one wave without dates: one report on every response
        if all_months or month not in (None, "", "latest"):
            raise ParameterError("the responses have no dates (a one-wave survey): leave out --month and "
                                 "--all-months; the report covers every response")
        return [None]
    if all_months:
        if month not in (None, "", "latest"):
            raise ParameterError(f"--all-months renders every month; it cannot be combined with --month {month}")
        return [str(p) for p in available[1:]] or [str(available[0])]
    resolved = periods.resolve_month(month, dates)
    if periods.parse_month(resolved) not in set(available):
        raise ParameterError(f"month {resolved} is outside the data: responses run from {available[0]} to "
                             f"{available[-1]}")
    return [resolved]


def _check_segment(segment, segments: list[str], data: pd.DataFrame) -> str:
    parts = parse_segment(segment)
    for name, value in parts.items():
        if name not in segments:
            raise ParameterError(f"unknown segment {name!r}; the config defines {segments}")
        values = set(data[name].dropna().astype(str))
        if value not in values:
            shown = sorted(values)[:20]
            raise ParameterError(f"segment {name} has no value {value!r}; values are {shown}"
                                 + (" and more" if len(values) > 20 else ""))
    return ",".join(f"{k}={v}" for k, v in parts.items())


def resolve_jobs(cfg, responses: pd.DataFrame, *, month=None, segment=None, by=None,
                 all_months: bool = False) -> list[Job]:
    """Check report parameters against the data and expand ``by``/``all_months`` into jobs.

    Parameters
    ----------
    cfg : Config
    responses : pandas.DataFrame
        The loaded responses (their dates and segment values are checked).
    month : str, optional
        "YYYY-MM" or "latest" (the latest full month; default).
    segment : str, optional
        "name=value[,name=value]".
    by : str, optional
        A segment: one report per value.
    all_months : bool
        Every month after the first.

    Returns
    -------
    list of Job

    Raises
    ------
    ParameterError
        Bad month format, a month outside the data, unknown segment names or values, ``by`` together
        with ``segment``, or ``all_months`` together with ``month``.

    Examples
    --------
    >>> from cxlib.data import load_config, load_responses
    >>> cfg = load_config()
    >>> [folder_name(j) for j in resolve_jobs(cfg, load_responses(cfg), month="2026-10", by="plan")]
    ['2026-10--plan-basic', '2026-10--plan-enterprise', '2026-10--plan-pro']
    """
    if by and segment:
        raise ParameterError(f"--by {by} makes one report per value of {by}; it cannot be combined with "
                             f"--segment {segment}")
    dates = responses["responded_at"] if "responded_at" in responses else pd.Series(dtype="datetime64[ns]")
    months = _months(month, all_months, dates)
    segments = [None]
    if segment:
        segments = [_check_segment(segment, cfg.segments, responses)]
    if by:
        if by not in cfg.segments:
            raise ParameterError(f"unknown --by segment {by!r}; the config defines {cfg.segments}")
        segments = [f"{by}={v}" for v in sorted(responses[by].dropna().astype(str).unique())]
    return [Job(m, s) for m in months for s in segments]
