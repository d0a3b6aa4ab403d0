"""The report's analysis plan, in one place, for the report and the notebooks alike.

The choices that decide a figure (the headline's baseline, the segment changes' baseline, the windows
of months of the drivers and the trend, raking each month on its own, the customer base as of the end
of the month) are made here once. The report's sections default to them, and the notebooks call the
same section functions on the same :class:`~cxlib.report.sections.ReportContext`, so a notebook run
with the report's month shows the report's numbers, each with the period and base it covers.
"""

from __future__ import annotations

from dataclasses import dataclass

from ... import periods, scores, tables
from ...errors import DataError
from .. import html as h
from .context import ReportContext

__all__ = ["PLAN", "Plan", "needs", "scope_line", "seasons", "window_months"]


@dataclass(frozen=True)
class Plan:
    """The report's choices.

    Attributes
    ----------
    headline_baseline : str
        What the headline compares the month with ("previous": the month before).
    changes_baseline : str
        What each segment value is compared with ("previous_3": its average over the three months before).
    driver_months : int
        Months ending with the report month that the driver model is fitted on.
    trend_months : int
        Months the trend chart shows.
    operations_months : int
        Months ending with the report month whose support tickets the handoff effects are measured on.
    """

    headline_baseline: str = "previous"
    changes_baseline: str = "previous_3"
    driver_months: int = 3
    trend_months: int = 24
    operations_months: int = 6


#: The plan every report and notebook follows.
PLAN = Plan()


def needs(scope: ReportContext, column: str, *, what: str, key: str) -> None:
    """Stop a notebook early, saying what it needs, when the responses in scope have no ``column`` answers.

    Raises
    ------
    DataError
        "notebook 02 needs comments: map a comment column under responses: columns: comment: in the config".

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import pandas as pd
    >>> needs(SimpleNamespace(data=pd.DataFrame({"nps": [9]}), cfg=SimpleNamespace(path="bank.yml")), "comment",
    ...       what="notebook 02 needs comments", key="responses: columns: comment:")
    Traceback (most recent call last):
    ...
    cxlib.errors.DataError: bank.yml: notebook 02 needs comments, and this config maps none with answers: map the column under responses: columns: comment: in the config
    """
    if column not in scope.data or scope.data[column].notna().sum() == 0:
        where = f"{scope.cfg.path}: " if getattr(scope.cfg, "path", None) else ""
        raise DataError(f"{where}{what}, and this config maps none with answers: map the column under {key} in the config")


def window_months(scope: ReportContext, months: int) -> list[str]:
    """The ``months`` months ending with the report month, oldest first ([] for a survey without dates).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> window_months(SimpleNamespace(month="2026-10", dated=True), 3)
    ['2026-08', '2026-09', '2026-10']
    """
    return periods.months_before(scope.month, months - 1) + [scope.month] if scope.dated else []


def scope_line(scope: ReportContext) -> str:
    """One line that states what a notebook's figures cover: period, who, base, weighting and windows.

    Examples
    --------
    >>> from cxlib.data import load_config, load_responses
    >>> from cxlib.report.sections import context
    >>> print(scope_line(context(load_config(), load_responses(), month="2026-10")))  # doctest: +ELLIPSIS
    Oct 2026, all customers: 1,030 responses; scores NPS, CSAT, Ease (CES); unweighted. ... drivers over Aug–Oct 2026.
    """
    who = f"segment {scope.segment}" if scope.segment else "all customers"
    named = ", ".join(scope.label(s) for s in scope.scores) or "none with answers"
    weight = ("weighted (raked to the config's targets, each month on its own)" if scope.weight and
              scope.cfg.weighting is not None and scope.cfg.weighting.targets is not None
              else "weighted" if scope.weight else "unweighted")
    line = f"{scope.period_label}, {who}: {len(scope.now):,} responses; scores {named}; {weight}."
    if not scope.dated:
        return line + " One wave without dates: nothing is compared over time."
    before = scope.covered(periods.baseline_months(scope.month, PLAN.headline_baseline))
    changes = scope.covered(periods.baseline_months(scope.month, PLAN.changes_baseline))
    drivers = scope.covered(window_months(scope, PLAN.driver_months))
    return (line + f" The headline compares with {before}; each segment with its average over {changes}; "
            f"drivers over {drivers}.")


def seasons(scope: ReportContext) -> h.Html:
    """Whether a calendar month differs every year, over every month of data (deliberately not the report
    window), per journey stage; a note when the data cannot say."""
    if not scope.dated:
        return h.note("One wave without dates: no seasonal pattern to look for.")
    journey = scope.cfg.report.get("journey")
    metric = scope.primary
    found = scores.seasonal_pattern(scope.data, by=journey if journey in scope.data else None, metric=metric,
                                    min_n=scope.min_n, **scope.kwargs(metric))
    real = found.loc[found["seasonal"]]
    head = (f"All {scope.covered(sorted(scope.data['responded_at'].dt.strftime('%Y-%m').dropna().unique()))}, "
            f"in {scope.label(metric)}: ")
    if real.empty:
        return h.note(head + "no calendar month differs in the same direction every year.")
    return h.note(head + f"{len(real)} seasonal month(s).") + h.Html(tables.show(real)._repr_html_())
