"""The report's trend in rolling windows (``report: {rolling: k}``): for monthly bases too small to read alone.

Each point pools the ``k`` months ending that month (:func:`cxlib.scores.rolling`, computed once per report
and kept in the result set as ``trend_rolling``). Consecutive windows share ``k − 1`` months of
respondents, so the chart says so, and the latest window's change against the one before is read from
``scores.rolling``'s test, which accounts for the shared respondents (linearised over the union of the
two windows) instead of treating the windows as independent.
"""

from __future__ import annotations

import pandas as pd

from ... import periods, scores
from ...data import last_months
from .. import html as h
from .. import claims
from ..formats import score_format
from .breaks import crossing
from .context import ReportContext

__all__ = ["rolling_table", "rolling_trend"]

_KEPT = ["period", "window_start", "n", "n_eff", "ci_low", "ci_high", "small_base", "diff_previous", "se_previous",
         "shared_previous", "p_previous", "p_adjusted_previous", "significant_previous"]


def rolling_table(scope: ReportContext, months: int) -> pd.DataFrame:
    """The primary score in rolling ``report.rolling``-month windows ending in each of the last ``months``
    months (:func:`cxlib.scores.rolling` on the months they need, once per report)."""
    k = int(scope.cfg.report["rolling"])
    m = scope.primary

    def compute():
        window = last_months(scope.stats, month=scope.month, months=months + k - 1)
        return scores.rolling(window, window=k, metric=m, min_n=scope.min_n, **scope.kwargs(m))
    return scope.memo("rolling", compute, m, k, months)


def _latest_change(scope: ReportContext, tr: pd.DataFrame, k: int) -> str:
    """The sentence on the latest window against the one before (one month earlier, sharing k − 1 months)."""
    last = tr.iloc[-1]
    if pd.isna(last["p_previous"]):
        return ""
    fmt = score_format(scope.primary)
    change = h.fmt_change(last["diff_previous"], last["p_adjusted_previous"], bool(last["significant_previous"]),
                          unit=fmt.unit, digits=fmt.digits)
    return (f"Latest window ({periods.label([str(last['window_start']), str(last['period'])])}) against the one "
            f"before: {change}; the test accounts for the {int(last['shared_previous']):,} answers the two windows "
            "share (p-values Holm-adjusted over the windows shown).")


def rolling_trend(scope: ReportContext, months: int) -> h.Html | None:
    """The trend chart of rolling windows, its notes, and the kept table ``trend_rolling``; None when the data
    hold fewer than two windows (the caller draws the monthly trend and says why)."""
    import matplotlib.pyplot as plt

    from ...plots import plot_trend

    k, m = int(scope.cfg.report["rolling"]), scope.primary
    tr = rolling_table(scope, months)
    if len(tr) < 2:
        return None
    fmt, name = score_format(m), scope.label(m)
    what = f"{name}, rolling {k}-month windows (each point: the {k} months ending that month)"
    fig, ax = plt.subplots(figsize=(8, 3.2))
    plot_trend(tr, y=m, ax=ax)
    ax.set_ylabel(f"{name} ({k}-month rolling)")
    # two lines: on one the title ran past the figure's right edge and was cut
    ax.set_title(f"{what},\n95% confidence band (hollow: fewer than {scope.min_n} answers)", fontsize=9)
    last = tr.iloc[-1]
    alt = (f"{what}, {periods.label([str(p) for p in tr['period']])}; latest window "
           f"{fmt.value(last[m])} (n = {int(last['n']):,})")
    scope.keep_table("trend_rolling", f"{what}, ending {periods.label([str(p) for p in tr['period']])}",
                     tr[["period", "window_start", m, *_KEPT[2:]]].astype({"period": str, "window_start": str}))
    scope.methods["trend"] = (f"Trend: rolling {k}-month windows (report.rolling = {k}), for monthly bases too small "
                              f"to read alone; consecutive windows share {k - 1} months of respondents, so a "
                              "window's change is tested with the shared respondents accounted for (Taylor "
                              "linearisation over the union of the two windows), never as two independent samples.")
    notes = [f"Each point pools {k} months, so consecutive points share {k - 1} months of answers and move "
             "together: read the line's direction, not one point's wiggle.", _latest_change(scope, tr, k)]
    brk = crossing(scope, m, [str(p) for p in pd.period_range(tr["window_start"].iloc[0], tr["period"].iloc[-1])])
    notes.append(claims.scale_change_claim(brk, label=name).text if brk is not None else "")
    return h.figure(fig, alt=alt) + h.Html("".join(h.note(t) for t in notes if t))
