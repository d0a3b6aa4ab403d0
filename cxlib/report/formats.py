"""How each score reads in the report: its name, its value column, its units and its number format.

Read from the metric registry (:data:`cxlib.metrics.METRICS`), so that every section names and formats a
score the same way, a registered score included.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..metrics import get_metric
from . import html as h

__all__ = ["ScoreFormat", "score_format"]


@dataclass(frozen=True)
class ScoreFormat:
    """The report's reading of one score.

    Attributes
    ----------
    metric : str
        nps, csat, rating, recommend or ces (the value column of its table).
    label : str
        Short name ("NPS").
    card : str
        What the headline card's number is, after the score's name (" (% satisfied)").
    unit : str
        Units of a change ("points", "percentage points").
    digits : int
        Decimals shown.
    signed : bool
        Show a sign (NPS).
    percent : bool
        A share, shown with "%".
    definition : str
        One sentence for "About" (``{min}``/``{max}``/``{direction}``/``{top}`` filled from the scale).
    """

    metric: str
    label: str
    card: str
    unit: str
    digits: int
    signed: bool
    percent: bool
    definition: str

    def value(self, v) -> str:
        """A value as the report prints it: "+21", "83%", "5.42"."""
        text = h.fmt_score(v, digits=self.digits, signed=self.signed)
        return text + "%" if self.percent and text != "–" else text

    def interval(self, low, high) -> str:
        """An interval: "+12 to +30", "80% to 86%"."""
        return f"{self.value(low)} to {self.value(high)}"

    def change(self, diff) -> str:
        """A change with its unit: "+3 points", "-2 percentage points"."""
        return f"{h.fmt_score(diff, digits=self.digits)} {self.unit}"

    def amount(self, diff) -> str:
        """The size of a change, without its sign: "13 points" (the words say which way)."""
        return f"{h.fmt_score(abs(diff), digits=self.digits, signed=False)} {self.unit}"

    def change_interval(self, low, high) -> str:
        """An interval of a change: "-74 to -43 points"."""
        return f"{h.fmt_ci(low, high, digits=self.digits)} {self.unit}"


def score_format(metric: str) -> ScoreFormat:
    """The :class:`ScoreFormat` of a score.

    Examples
    --------
    >>> score_format("csat").value(83.4), score_format("nps").change(-12.4), score_format("nps").amount(-12.4)
    ('83%', '-12 points', '12 points')
    """
    m = get_metric(metric)
    return ScoreFormat(m.name, m.label, m.card, m.unit, m.digits, m.signed, m.percent, m.definition)
