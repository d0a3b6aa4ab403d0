"""The report's sentences: tested results put into plain words, each with its number and its certainty.

Only wording lives here; every number comes from a table an analysis package computed.
"""

from __future__ import annotations

import pandas as pd

from .. import periods
from .html import fmt_p

__all__ = ["change_sentences", "handoff_sentence", "segment_name", "test_note"]


def segment_name(dimension: str, segment: str) -> str:
    """A segment as readers see it: "region: EMEA", "region × touchpoint: EMEA × support".

    Examples
    --------
    >>> segment_name("region", "EMEA")
    'region: EMEA'
    """
    return f"{dimension}: {segment}"


def change_sentences(table: pd.DataFrame, *, label: str = "NPS", unit: str | None = None,
                     decimals: int | None = None, confidence: float = 0.95, month_label: str | None = None,
                     baseline_label: str | None = None, value_format=None) -> list[str]:
    """Plain-language sentences from a :func:`cxlib.scores.what_changed` table: real moves first, then the rest.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`cxlib.scores.what_changed`.
    label : str
        The score's display name ("NPS", "CSAT", "CES").
    unit, decimals : optional
        Defaults: "percentage points" and 0 decimals for CSAT, "points" and 0 for NPS, "points" and 2
        for anything else.
    confidence : float
        The confidence level the table was made with (for the wording only).
    month_label, baseline_label : str, optional
        How to name the month and the baseline (e.g. the dates the data really cover, "23–30 Jul 2019");
        default their months ("Oct 2026", "Jul–Sep 2026").
    value_format : callable, optional
        How a score value reads (the report passes its score format, "+10"); default ``decimals`` digits.

    Returns
    -------
    list of str
        One sentence per significant change (strongest evidence first) naming the segment, the size of
        the move, its CI and the bases, in plain words ("a real drop"; the tests go to small print, see
        :func:`test_note`); then one sentence on everything within noise; then one on the segments too
        small to test, if any.

    Examples
    --------
    >>> t = pd.DataFrame({"dimension": ["region", "region"], "segment": ["EMEA", "APAC"],
    ...     "month": "2026-10", "baseline": "2026-09", "current": [-40.0, 20.0],
    ...     "previous": [10.0, 22.0], "diff": [-50.0, -2.0], "ci_low": [-70.0, -12.0],
    ...     "ci_high": [-30.0, 8.0], "p_adjusted": [0.0001, 0.7], "significant": [True, False],
    ...     "tested": True, "n_current": [110, 300], "n_previous": [105, 310]})
    >>> for s in change_sentences(t): print(s)
    region: EMEA: NPS fell 50 points, from 10 in Sep 2026 to -40 in Oct 2026: a real drop (95% CI of the change -70 to -30; n = 105 → 110).
    Everything else (1 other comparison) moved within normal month-to-month noise.
    """
    key = label.lower()
    unit = unit or ("percentage points" if key == "csat" else "points")
    dec = decimals if decimals is not None else (0 if key in ("nps", "csat") else 2)

    def f(v) -> str:
        return f"{v:.{dec}f}"

    value = value_format or f

    if len(table):
        month_label = month_label or periods.label(table["month"].iloc[0])
        baseline_label = baseline_label or periods.label(str(table["baseline"].iloc[0]).split(","))
    sig = table.loc[table["significant"].astype(bool)].copy()
    sig = sig.assign(_abs=sig["diff"].abs()).sort_values(["p_adjusted", "_abs"], ascending=[True, False])
    out = []
    for r in sig.itertuples(index=False):
        verb = "fell" if r.diff < 0 else "rose"
        out.append(f"{segment_name(r.dimension, r.segment)}: {label} {verb} {f(abs(r.diff))} {unit}, from "
                   f"{value(r.previous)} in {baseline_label} to {value(r.current)} in {month_label}: a real "
                   f"{'drop' if r.diff < 0 else 'rise'} ({confidence:.0%} CI of the change {f(r.ci_low)} to "
                   f"{f(r.ci_high)}; n = {r.n_previous:,} → {r.n_current:,}).")
    tested = table["tested"].astype(bool)
    others = int(tested.sum()) - len(sig)
    word = "comparison" if others == 1 else "comparisons"
    if len(sig):
        out.append(f"Everything else ({others} other {word}) moved within normal month-to-month noise.")
    else:
        months = f" between {baseline_label} and {month_label}" if len(table) else ""
        out.append(f"No segment's {label} moved beyond normal month-to-month noise{months} ({others} {word}).")
    small = [segment_name(d, s) for d, s in table.loc[~tested, ["dimension", "segment"]].astype("str").values]
    if small:
        names = ", ".join(small[:5]) + (f" and {len(small) - 5} more" if len(small) > 5 else "")
        out.append(f"{len(small)} segment(s) had too few responses to judge: {names}.")
    return out


def handoff_sentence(row, *, label: str, confidence: float = 0.95) -> str:
    """"Each extra handoff changes CSAT by -0.18 points (95% CI -0.20 to -0.15, n = 13,275)."

    Parameters
    ----------
    row : mapping or namedtuple
        One row of :func:`cxlib.operations.handoff_effects`.
    label : str
        The score's display name.

    Examples
    --------
    >>> handoff_sentence({"metric": "mean", "estimate": -0.18, "ci_low": -0.2, "ci_high": -0.15, "n": 13275}, label="CSAT")
    'Each extra handoff changes CSAT by -0.18 points (95% CI -0.20 to -0.15, n = 13,275).'
    """
    get = row.get if hasattr(row, "get") else (lambda k: getattr(row, k))
    nps = get("metric") == "nps"
    digits = 1 if nps else 2
    return (f"Each extra handoff changes {label} by {get('estimate'):.{digits}f} {'NPS points' if nps else 'points'} "
            f"({confidence:.0%} CI {get('ci_low'):.{digits}f} to {get('ci_high'):.{digits}f}, n = {int(get('n')):,}).")


def test_note(table: pd.DataFrame) -> str:
    """The small print behind :func:`change_sentences`: the test and each real change's adjusted p-value.

    Examples
    --------
    >>> t = pd.DataFrame({"dimension": ["region"], "segment": ["EMEA"], "p_adjusted": [0.0001],
    ...                   "significant": [True], "tested": [True]})
    >>> test_note(t)
    '1 comparisons tested together (p adjusted for their number): region: EMEA p < 0.001.'
    """
    sig = table[table["significant"].astype(bool)].sort_values("p_adjusted")
    ps = "; ".join(f"{segment_name(r.dimension, r.segment)} {fmt_p(r.p_adjusted)}" for r in sig.itertuples())
    return (f"{int(table['tested'].sum())} comparisons tested together (p adjusted for their number)"
            + (f": {ps}." if ps else "; none below 0.05."))
