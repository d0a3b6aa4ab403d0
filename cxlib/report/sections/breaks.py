"""Scale changes in the report: a score whose range changed abruptly is not compared across the change.

:func:`scale_changes` finds, once per report, the latest break of each score's range
(:func:`cxlib.scores.scale_breaks`); :func:`crossing` says whether a comparison of months spans it. The
headline, the story, the segment changes and the trend ask it before they compare, and say why not.
"""

from __future__ import annotations

import pandas as pd

from ... import periods, scores
from .. import claims
from .context import ReportContext

__all__ = ["crossing", "scale_changes", "scale_notes"]


def scale_changes(scope: ReportContext) -> dict:
    """Score -> its latest range break (a :func:`cxlib.scores.scale_breaks` row) up to the report month;
    empty for a survey without dates."""
    def compute():
        if not scope.dated:
            return {}
        if scope.table is not None:   # in the database: counted there over the window (up to the month)
            upto = scope.table
        else:
            data = scope.data
            upto = data[data["responded_at"] < periods.bounds(scope.month)[1]]   # (no text for every date)
        table = scores.scale_breaks(upto, score=scope.scores, min_n=scope.min_n)   # every score in one pass
        return {m: table[table["score"] == m].iloc[-1] for m in scope.scores if (table["score"] == m).any()}
    return scope.memo("scale_breaks", compute)


def crossing(scope: ReportContext, metric: str, months) -> pd.Series | None:
    """The break a comparison of ``months`` with the report month spans (its month mixes both scales and
    counts as spanning), else None."""
    brk = scale_changes(scope).get(metric)
    if brk is None:
        return None
    every = sorted({*months, scope.month})
    return brk if len(every) > 1 and every[0] <= brk["month"] <= every[-1] else None


def scale_notes(scope: ReportContext) -> list[str]:
    """One sentence per score whose range changed (for the report's notes)."""
    return [claims.scale_change_claim(b, label=scope.label(m)).text for m, b in scale_changes(scope).items()]
