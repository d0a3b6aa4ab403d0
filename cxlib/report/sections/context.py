"""What one report is about: the data in scope, the month as the data really cover it, the scores.

:func:`context` is computed once at the top of the report notebook; every section reads it, so that
all sections agree on the month, its dates, the primary score and the base sizes, and none has to
re-derive them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ... import comments, periods, scores, weights
from ...data import Config, is_table, last_months, segment_label, subset, to_frame
from ...errors import DataError
from ...metrics import METRICS
from .. import html as h
from ..formats import score_format
from .pull import IDS, pull

__all__ = ["ReportContext", "context", "title"]


def _plain(value):
    """A JSON value: numpy numbers as Python numbers (rounded to 6 digits), NaN/NA and ±inf as None, lists
    and anything else as text (the result set is written with allow_nan=False: a bad value never fails it)."""
    if isinstance(value, (list, tuple, set, np.ndarray)):
        return str(list(value))
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, (float, np.floating)) and not np.isfinite(value):
        return None
    if isinstance(value, (bool, int, float, str)) and not isinstance(value, float):
        return value
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool) or isinstance(value, int):
        return value
    return round(float(value), 6) if isinstance(value, float) else str(value)

_MONTH = "__cx_weighting_month"


@dataclass
class ReportContext:
    """The scope of one report.

    Attributes
    ----------
    cfg : Config
    data : pandas.DataFrame
        The responses in scope (one segment, or all), every date.
    month : str or None
        The report month "YYYY-MM"; None for a single-wave survey without dates.
    segment : str or None
        "name=value" or None.
    primary : str
        The score the story is told in (``cfg.report["primary"]``).
    scores : list of str
        The configured scores that have answers in scope, primary first.
    min_n : int
        Smallest (effective) base shown as a fact.
    partial : bool
        The data cover only part of the month.
    first_month : bool
        No data before the month: nothing to compare with.
    notes : list of str
        Plain sentences about the scope (a fallback month, undated responses) for the report.
    left_out : dict
        Section title -> why the data in scope cannot carry it (filled as sections run; "About" lists them).
    data_notes : list of str
        What the loader did to the data (segment spellings merged, time zones): "About" states them.
    methods : dict
        Topic -> the sentence naming the method behind a section's figures (test names, model scores):
        filled as sections run, shown in "How to read this report" at the end, never in the body.
    tables : dict
        Table id -> ``{"title", "columns", "rows"}``: every table the report shows, as numbers and text
        (filled by :meth:`keep_table` as sections run; the result set and the Excel workbook read it).
    weighting : pandas.DataFrame or None
        The weighting summary (:func:`cxlib.weights.apply_weighting`; one row per month when raked
        month by month), or None when the config asks for no weighting.
    source : ibis Table or None
        The database table the responses came from, else None.
    table : ibis Table or None
        When the report computes in the database (see :mod:`.pull`): the scope's table over the window of
        months; ``data`` then holds the report month's responses only, with the columns the sections read
        from rows (:func:`.pull.month_columns`: no driver, customer or ticket id).
    spans : pandas.DataFrame or None
        With ``table``: the scope's responses per month with the first and last date (every month).
    """

    cfg: Config
    data: pd.DataFrame = field(repr=False)
    month: str | None
    segment: str | None
    primary: str
    scores: list[str]
    min_n: int = 30
    partial: bool = False
    first_month: bool = False
    notes: list[str] = field(default_factory=list)
    weighting: pd.DataFrame | None = field(default=None, repr=False)
    results: dict = field(default_factory=dict, repr=False)
    source: object = field(default=None, repr=False)
    left_out: dict = field(default_factory=dict)
    data_notes: list[str] = field(default_factory=list)
    methods: dict = field(default_factory=dict)
    tables: dict = field(default_factory=dict, repr=False)
    table: object = field(default=None, repr=False)
    spans: pd.DataFrame | None = field(default=None, repr=False)

    def keep_table(self, key: str, title: str, frame: pd.DataFrame) -> None:
        """Keep a table the report shows, as JSON-ready rows (numbers as numbers, missing as None)."""
        rows = [{k: _plain(v) for k, v in r.items()} for r in frame.to_dict("records")]
        self.tables[key] = {"title": title, "columns": [str(c) for c in frame.columns], "rows": rows}

    def rows(self, table, *, date_col: str | None = None, history: bool = False) -> pd.DataFrame | None:
        """A table's rows for the report as a DataFrame, within ``engines.max_rows`` (a ParameterError
        naming the count beyond it); a DataFrame or None is returned as it is.

        For a database table (a server or large-file config): by ``date_col``, the rows of the report's
        window of months (``engines.report_months``), or with ``history`` every row up to the end of the
        report month (a customer's history); every row without ``date_col``.
        """
        if table is None or not is_table(table):
            return table
        opts = self.cfg.engines
        if date_col and date_col in table.columns and self.dated:
            if history:
                table = table.filter(table[date_col] < periods.bounds(self.month)[1].to_pydatetime())
            else:
                table = last_months(table, month=self.month, months=opts["report_months"], date_col=date_col)
        return to_frame(table, limit=opts["max_rows"], order_by=(date_col or "", *IDS))

    @property
    def stats(self):
        """What statistics over months run on: the scope's table in the database (see :mod:`.pull`), else
        ``data``."""
        return self.table if self.table is not None else self.data

    def date_range(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """The first and last date of the responses in scope."""
        if self.spans is not None:
            return self.spans["first"].min(), self.spans["last"].max()
        dates = self.data["responded_at"].dropna()
        return dates.min(), dates.max()

    def memo(self, key: str, compute, *depends):
        """``compute()`` once per report and per value of everything it ``depends`` on (the arguments that
        change its result): the story and the sections read the same results (and the same DataError,
        when the data in scope cannot carry them), and a call with other arguments computes its own."""
        full = (key, *(d if isinstance(d, (str, int, float, bool, type(None), tuple, Path)) else ("id", id(d))
                       for d in depends))
        if full not in self.results:
            try:
                self.results[full] = compute()
            except DataError as exc:
                self.results[full] = exc
        found = self.results[full]
        if isinstance(found, DataError):
            raise DataError(str(found)) from None
        return found

    def label(self, name: str) -> str:
        """How a name from the config reads: its ``labels:`` entry, else the name in sentence case.

        Examples
        --------
        >>> from cxlib.data import load_config, load_responses
        >>> cfg = load_config()
        >>> context(cfg, load_responses(cfg)).label("value_for_money")
        'Value for money'
        """
        if name in self.cfg.labels:
            return self.cfg.labels[name]
        if name in METRICS:
            return score_format(name).label
        text = str(name).replace("_", " ").strip()
        return text[:1].upper() + text[1:]

    @property
    def dated(self) -> bool:
        """True when the responses carry dates (a monthly report), False for a single wave."""
        return self.month is not None

    @property
    def now(self) -> pd.DataFrame:
        """The responses of the report month (every response for a single wave)."""
        if not self.dated or self.table is not None:   # in the database path ``data`` is the month already
            return self.data
        return self.memo("now", lambda: subset(self.data, month=self.month), self.data, self.month)

    @property
    def codebook(self):
        """The config's theme codebook, read and checked once per report (None without one)."""
        if self.cfg.codebook is None:
            return None
        return self.memo("codebook", lambda: comments.load_codebook(self.cfg.codebook), self.cfg.codebook)

    @property
    def period_label(self) -> str:
        """The report period as people write it: "Oct 2026", "1–18 Aug 2019", "all responses"."""
        if not self.dated:
            return "all responses (one wave, no dates)"
        if self.partial:
            return periods.dates_label(*periods.span(self.now["responded_at"]))
        return periods.label(self.month)

    @property
    def weight(self) -> str | None:
        """The survey-weight column (mapped, or made by raking to the config's targets), else None."""
        column = (self.cfg.weighting.column if self.cfg.weighting is not None else None) or "weight"
        return column if column in self.data and self.data[column].notna().any() else None

    def scale(self, metric: str):
        """A score's scale: the config's, else the registry's default for it."""
        return self.cfg.scales.get(metric) or scores.default_scale(metric)

    def kwargs(self, metric: str) -> dict:
        """The scale and weight arguments of a metric function (no scale for NPS and would-recommend)."""
        scale = {"scale": self.scale(metric)} if not METRICS[metric].fixed_scale else {}
        return {**scale, **({"weight": self.weight} if self.weight else {})}

    def covered(self, months: list[str]) -> str:
        """The dates the data really cover in ``months``: "Jul–Sep 2026", or "23–31 Jul 2019"."""
        if self.spans is not None:
            inside = self.spans[self.spans["month"].isin(months)]
            if inside.empty:
                return "no data"
            first, last = inside["first"].min(), inside["last"].max()
        else:
            inside = subset(self.data, months=months)
            if inside.empty:
                return "no data"
            first, last = periods.span(inside["responded_at"])
        start, end = periods.bounds(sorted(months)[0])[0], periods.bounds(sorted(months)[-1])[1]
        if first.normalize() == start and last.normalize() == end - pd.Timedelta(days=1):
            return periods.label(months)
        return periods.dates_label(first, last)


def context(cfg: Config, responses: pd.DataFrame, *, month="latest", segment=None, min_n: int = 30) -> ReportContext:
    """The scope of one report: resolve the month against the data and note what readers must know.

    Parameters
    ----------
    cfg : Config
    responses : pandas.DataFrame
        Every loaded response (``data.load_responses(cfg)``).
    month : str
        "YYYY-MM" or "latest" (the latest full month; the latest month, said to be partial, when the
        data cover no full month). Ignored for a survey without dates.
    segment : str, optional
        "name=value": the report covers that segment only.
    min_n : int

    Returns
    -------
    ReportContext

    Examples
    --------
    >>> from cxlib.data import load_config, load_responses
    >>> cfg = load_config()
    >>> scope = context(cfg, load_responses(cfg), month="latest")
    >>> scope.month, scope.primary, scope.partial, scope.first_month
    ('2026-10', 'nps', False, False)
    """
    pulled, source, asked = None, responses if is_table(responses) else None, month
    loaded = list(getattr(responses, "attrs", {}).get("cx_notes", []))   # the loader's notes (merged spellings)
    if is_table(responses):
        responses, pulled = pull(cfg, responses, month, segment or None)
        month = pulled.get("month", month)
    weighting = None
    if cfg.weighting is not None:
        # raked before the segment is cut (the targets are the whole base's), each month on its own
        dated = "responded_at" in responses and cfg.weighting.targets is not None
        frame = responses.assign(**{_MONTH: responses["responded_at"].dt.to_period("M")}) if dated else responses
        try:
            applied = weights.apply_weighting(frame, cfg.weighting, by=_MONTH if dated else None)
        except DataError as exc:
            raise DataError(str(exc).replace(f"{_MONTH}=", "month ")) from None
        responses = applied.data.drop(columns=_MONTH, errors="ignore")
        weighting = applied.summary.rename(columns={_MONTH: "month"})
    data = subset(responses, segment=segment) if segment else responses   # no copy of every row for no filter
    dates = data["responded_at"] if "responded_at" in data else pd.Series(dtype="datetime64[ns]")
    notes = [pulled["note"]] if pulled and pulled["note"] else []
    undated = int(dates.isna().sum()) if len(dates) else 0
    undated = pulled["undated"] if pulled else undated
    if dates.notna().any():
        # the month and whether the data cover all of it are facts of the export, not of a segment: a segment
        # with five reviews is sparse, not a partial month
        every = responses["responded_at"].dropna()
        resolved = periods.resolve_month(month, every if segment else dates)
        partial = periods.is_partial(resolved, every) if pulled is None else pulled["partial"]
        first = not (dates < periods.bounds(resolved)[0]).any() if pulled is None else pulled["first"]
        if partial and asked in (None, "", "latest"):
            notes.append(f"The data cover no full month: this report covers the latest month, which is partial "
                         f"({periods.dates_label(*periods.span(subset(responses, month=resolved)['responded_at']))}).")
        elif partial:
            notes.append(f"{periods.long_label(resolved)} is partial: the data cover "
                         f"{periods.dates_label(*periods.span(subset(responses, month=resolved)['responded_at']))}.")
        if undated:
            notes.append(f"{undated:,} responses have no usable date and are left out of every month.")
    else:
        resolved, partial, first = None, False, False
    present = [s for s in cfg.scores if s in data and data[s].notna().any()]
    primary = cfg.report.get("primary") or (present[0] if present else cfg.scores[0])
    ordered = [primary] + [s for s in present if s != primary]
    return ReportContext(cfg=cfg, data=data, month=resolved, segment=segment or None, primary=primary,
                         scores=ordered, min_n=min_n, partial=partial, first_month=first, notes=notes,
                         weighting=weighting, source=source, data_notes=_data_notes(cfg, loaded, resolved),
                         table=(pulled or {}).get("table"), spans=(pulled or {}).get("spans"))


def _data_notes(cfg: Config, loaded: list[str], month) -> list[str]:
    """What the loader did that readers must know: spelling variants merged, and the clock times are read in."""
    notes = list(loaded)
    tz = getattr(cfg, "timezone", None)
    if month is not None:
        notes.append(f"Times are shown in the {tz} time zone (timezone: in the config); a time written with a UTC "
                     "offset is converted to it." if tz else
                     "Times are shown as the data write them: a time written with a UTC offset keeps its own clock "
                     "time (set timezone: in the config to convert every time to one zone).")
    return notes


def title(scope: ReportContext) -> h.Html:
    """The report's subtitle: period, audience and the primary score.

    Returns
    -------
    Html
    """
    who = h.escape(h.safe_label(segment_label(scope.segment))) if scope.segment else "all customers"
    when = periods.long_label(scope.month) if scope.dated else "one wave (no dates)"
    part = f" ({h.escape(scope.period_label)}, partial)" if scope.partial else ""
    lead = f" · told in {h.escape(score_format(scope.primary).label)}"
    notes = "".join(h.note(n) for n in scope.notes)
    return h.Html(f'<p class="cx-subtitle"><strong>{when}</strong>{part} · {who}{lead}</p>') + notes
