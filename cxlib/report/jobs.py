"""From report parameters to report jobs: checked against the data before any kernel starts.

Every problem here is a :class:`~cxlib.errors.ParameterError` (the CLI exits with code 2): a malformed
month, a month outside the data, an unknown segment or value, or options that contradict each other.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from .. import periods
from ..comments import redact_text
from ..data import is_table, month_counts, parse_segment, segment_label, subset
from ..errors import ParameterError

__all__ = ["MAX_SLUG", "Job", "folder_name", "resolve_jobs"]


@dataclass(frozen=True)
class Job:
    """One report to render: a month (None for a survey without dates) and, optionally, one segment
    ("name=value").

    ``folder`` is the report's folder name as :func:`resolve_jobs` chose it (unique among the values
    of the segment); empty means :func:`folder_name` without that knowledge.
    """

    month: str | None
    segment: str | None = None
    folder: str = field(default="", compare=False)


#: Longest readable part of a folder name; longer (or colliding, or redacted) values get a hash.
MAX_SLUG = 60


def _slug(text: str) -> str:
    """Lower-case ASCII letters and digits joined by dashes ("Région Île" -> "region-ile")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def folder_name(job: Job, values: dict | None = None) -> str:
    """The report's folder and file stem: "2026-10" or "2026-10--region-emea".

    The readable part is the segment's name and value, redacted (an e-mail address becomes "email"),
    in lower-case ASCII and at most :data:`MAX_SLUG` characters. A short hash of the exact segment is
    added where the readable part loses something that tells values apart: when the value is redacted or
    cut, or (with ``values``, each segment's distinct values in the data) when another value of the
    segment reads the same ("A/B" and "a-b").

    Examples
    --------
    >>> folder_name(Job("2026-10", "region=EMEA")), folder_name(Job(None))
    ('2026-10--region-emea', 'all-responses')
    >>> folder_name(Job("2026-10", "team=A/B"), {"team": {"A/B", "a-b"}})
    '2026-10--team-a-b-bbd4b3c5'
    >>> folder_name(Job("2026-10", "owner=jo@example.com"))
    '2026-10--owner-email-61a32595'
    """
    if job.folder:
        return job.folder
    counts = {name: Counter(_value_slug(name, v) for v in vals) for name, vals in (values or {}).items()}
    return _folder(job, counts)


@lru_cache(maxsize=65536)
def _value_slug(name: str, value: str) -> str:
    return _slug(f"{name}-{redact_text(str(value), names_too=False)}")


def _folder(job: Job, counts: dict[str, Counter]) -> str:
    """:func:`folder_name` with each segment's values already counted by their readable slug."""
    stem = job.month or "all-responses"
    if not job.segment:
        return stem
    readable, lossy = [], False
    for name, value in parse_segment(job.segment).items():
        shown = redact_text(value, names_too=False)
        slug = _value_slug(name, value)
        lossy |= shown != value or counts.get(name, Counter())[slug] > 1 or not _slug(shown)
        readable.append(slug)
    text = "--".join(readable)
    if len(text) > MAX_SLUG:
        text, lossy = text[:MAX_SLUG].rstrip("-"), True
    if lossy:
        text += "-" + hashlib.sha256(job.segment.encode("utf-8")).hexdigest()[:8]
    return f"{stem}--{text}"


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
    period = periods.parse_month(resolved)
    if period not in set(available):
        latest = " ('latest' is the latest full month)" if month in (None, "", "latest") else ""
        where = "outside the data" if not available[0] <= period <= available[-1] else "a month without responses"
        raise ParameterError(f"month {resolved}{latest} is {where}: responses run from {available[0]} to "
                             f"{available[-1]}; months with responses near it: "
                             f"{', '.join(str(p) for p in available if abs((p - period).n) <= 2) or 'none'}")
    return [resolved]


def _slug_counts(data: pd.DataFrame, segments) -> dict[str, Counter]:
    """Each segment's distinct values counted by their readable slug (a count > 1 is a collision)."""
    return {s: Counter(_value_slug(s, v) for v in data[s].dropna().astype(str).unique()) for s in segments
            if s in data}


def _shown(value: str) -> str:
    """A segment value as messages quote it: personal data redacted ("jo@example.com" -> "[EMAIL]")."""
    return redact_text(str(value), names_too=False)


def _check_segment(segment, segments: list[str], data: pd.DataFrame) -> str:
    parts = parse_segment(segment)
    for name in parts:
        if name not in segments:
            hint = (f" (in {_shown(segment)!r}, ', {name}=' starts a second segment: a value holding it cannot be "
                    "reported on by name)") if f", {name}=" in str(segment) else ""
            raise ParameterError(f"unknown segment {name!r}; the config defines {segments}{hint}")
    for name, value in parts.items():
        values = set(data[name].dropna().astype(str))
        if value not in values:   # values are quoted redacted: an e-mail or a phone is no message's business
            shown = sorted({_shown(v) for v in values})
            raise ParameterError(f"segment {name} has no value {_shown(value)!r}; values are {shown[:20]}"
                                 + (" and more" if len(shown) > 20 else ""))
    return ",".join(f"{k}={v}" for k, v in parts.items())


def _job_frame(table, segments: list[str]) -> pd.DataFrame:
    """What :func:`resolve_jobs` reads of a database table, in one GROUP BY (:func:`cxlib.data.month_counts`):
    per month and value of ``segments``, a row at its first and one at its last response (month rules
    read only those)."""
    segments = [c for c in segments if c in table.columns]
    if "responded_at" not in table.columns:   # one wave: only the segment values matter
        return table.select(*segments).distinct().execute() if segments else pd.DataFrame()
    g = month_counts(table, by=segments)
    return pd.concat([g[segments].assign(responded_at=g[c]) for c in ("first", "last")], ignore_index=True)


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
        With ``by``, one job per value that has responses in the month; each job's ``folder`` is unique
        (see :func:`folder_name`).

    Raises
    ------
    ParameterError
        Bad month format, a month outside the data or without responses (also when "latest" resolves
        to one), unknown segment names or values, a segment without responses in the month, ``by``
        together with ``segment``, or ``all_months`` together with ``month``.

    Examples
    --------
    >>> from cxlib.data import load_config, load_responses
    >>> cfg = load_config()
    >>> [folder_name(j) for j in resolve_jobs(cfg, load_responses(cfg), month="2026-10", by="plan")]
    ['2026-10--plan-basic', '2026-10--plan-enterprise', '2026-10--plan-pro']
    """
    if by and segment:
        raise ParameterError(f"--by {by} makes one report per value of {by}; it cannot be combined with "
                             f"--segment {_shown(segment)}")
    if is_table(responses):
        wanted = [by] if by else list(parse_segment(segment)) if segment else []
        responses = _job_frame(responses, [c for c in wanted if c in cfg.segments])
    dates = responses["responded_at"] if "responded_at" in responses else pd.Series(dtype="datetime64[ns]")
    months = _months(month, all_months, dates)
    segments = [None]
    if segment:
        segments = [_check_segment(segment, cfg.segments, responses)]
    if by:
        if by not in cfg.segments:
            raise ParameterError(f"unknown --by segment {by!r}; the config defines {cfg.segments}")
        segments = [f"{by}={v}" for v in sorted(responses[by].dropna().astype(str).unique())]
    used = {by} if by else set(parse_segment(segment)) if segment else set()
    counts = _slug_counts(responses, sorted(used))
    jobs = []
    for m in months:
        in_month = subset(responses, month=m) if segments != [None] else None
        for seg in segments:
            whole = seg is None or parse_segment(seg) == {by: seg.split("=", 1)[1]} if by else True
            if seg and whole and subset(in_month, segment=seg).empty:
                if by:
                    continue                  # --by: one report per value that has responses that month
                raise ParameterError(f"segment {_shown(segment_label(seg))} has no responses in {m}; "
                                     "choose another month or segment")
            jobs.append(Job(m, seg, folder=_folder(Job(m, seg), counts)))
    return jobs
