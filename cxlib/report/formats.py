"""How each score reads in the report: its name, its value column, its units and its number format.

One table for the five scores, so that every section names and formats a score the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import html as h

__all__ = ["SCORE_FORMATS", "ScoreFormat", "score_format"]


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


SCORE_FORMATS = {
    "nps": ScoreFormat("nps", "NPS", "", "points", 0, True, False,
                       "NPS: % promoters (9–10) minus % detractors (0–6) of likelihood-to-recommend answers, "
                       "−100 to +100."),
    "csat": ScoreFormat("csat", "CSAT", " (% satisfied)", "percentage points", 0, False, True,
                        "CSAT: % of answers in the top {top} boxes of the {min}–{max} satisfaction scale."),
    "rating": ScoreFormat("rating", "Rating", " (mean)", "points", 2, False, False,
                          "Rating: the mean answer on the {min}–{max} scale ({direction}); the top box is {top} "
                          "point(s)."),
    "recommend": ScoreFormat("recommend", "Would recommend", " (% yes)", "percentage points", 0,
                             False, True, "Would recommend: % of answers that say yes."),
    "ces": ScoreFormat("ces", "CES", " (mean)", "points", 2, False, False,
                       "CES: mean effort score on the {min}–{max} scale ({direction})."),
}


def score_format(metric: str) -> ScoreFormat:
    """The :class:`ScoreFormat` of a score.

    Examples
    --------
    >>> score_format("csat").value(83.4), score_format("nps").change(-12.4), score_format("nps").amount(-12.4)
    ('83%', '-12 points', '12 points')
    """
    return SCORE_FORMATS[metric]
