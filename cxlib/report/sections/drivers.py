"""The report's drivers section: what drives the primary score, importance against performance, and
"fix first" advice only where the evidence carries it.

No advice is given when the model's base is small (below the minimum base, or fewer than 10 complete
responses per driver), when the bootstrap intervals could not be computed, or when a driver's weakness
is within its own interval; the section says which of these applies.
"""

from __future__ import annotations

import warnings

import pandas as pd

from ... import drivers as drv
from ...data import last_months
from ...metrics import METRICS
from .. import html as h
from ._guard import section
from .context import ReportContext

__all__ = ["MIN_PER_DRIVER", "driver_evidence", "driver_results", "drivers"]

#: Complete responses needed per driver before a driver model is read as evidence.
MIN_PER_DRIVER = 10
#: Groups of the random-groups jackknife that gives the driver intervals when the report computes in the
#: database (a row bootstrap needs the rows).
JACKKNIFE = 50


def driver_evidence(imp: pd.DataFrame, ipa: pd.DataFrame, *, min_n: int, label=None) -> tuple[pd.DataFrame, list[str]]:
    """Which "fix first" candidates the evidence carries, and why the others are not advice.

    Parameters
    ----------
    imp : pandas.DataFrame
        A :func:`cxlib.drivers.relative_importance` table (with bootstrap intervals).
    ipa : pandas.DataFrame
        The matching :func:`cxlib.drivers.importance_performance` table.
    min_n : int
    label : callable, optional
        How a driver's name reads (``scope.label``); default the name with spaces.

    Returns
    -------
    (pandas.DataFrame, list of str)
        The "fix first" rows whose performance interval lies wholly below the drivers' average, and
        the reasons no (or less) advice is given.

    Examples
    --------
    >>> imp = pd.DataFrame({"n": [25, 25], "share_ci_low": [0.1, 0.2]})
    >>> ipa = pd.DataFrame({"driver": ["a", "b"], "quadrant": ["fix first", "keep"], "performance_ci_high": [3.0, 4.0],
    ...                     "performance_cut": [3.5, 3.5]})
    >>> driver_evidence(imp, ipa, min_n=30)[1]
    ['the model rests on 25 complete responses, fewer than 30 (10 per driver or the minimum base)']
    """
    label = label or (lambda name: name.replace("_", " "))
    n, p = int(imp["n"].iloc[0]), len(ipa)
    need = max(min_n, MIN_PER_DRIVER * p)
    reasons = []
    if n < need:
        reasons.append(f"the model rests on {n:,} complete responses, fewer than {need} "
                       f"({MIN_PER_DRIVER} per driver or the minimum base)")
    if "share_ci_low" not in imp or imp["share_ci_low"].isna().any():
        reasons.append("the bootstrap intervals could not be computed (too many resamples failed)")
    candidates = ipa[ipa["quadrant"] == "fix first"]
    if reasons:
        return candidates.iloc[0:0], reasons
    clear = candidates[candidates["performance_ci_high"] < candidates["performance_cut"]]
    for r in candidates[~candidates.index.isin(clear.index)].itertuples():
        reasons.append(f"{label(r.driver)} looks important and weak, but its rating's interval reaches "
                       f"the drivers' average ({r.performance_cut:.2f}): within noise")
    return clear, reasons


def driver_results(scope: ReportContext, *, months: int = 3, bootstrap: int = 200, seed: int = 0):
    """The driver analysis of the report (once per report): the rows used, importance, performance, the
    advice the evidence carries and why there is no other; None without drivers."""
    def compute():
        names = scope.cfg.drivers
        if not names:
            return None
        window = last_months(scope.stats, month=scope.month, months=months) if scope.dated else scope.stats
        # in the database: the random-groups jackknife (no rows to resample); the section states the method
        jk = {"bootstrap": 0, "jackknife": JACKKNIFE} if scope.table is not None else {"bootstrap": bootstrap}
        score = scope.primary
        kind = METRICS[score].outcome
        scale = scope.cfg.scales.get(score) if kind != "logit" else False
        with warnings.catch_warnings():      # the missing-data warning is stated in the section itself
            warnings.simplefilter("ignore", UserWarning)
            imp = drv.relative_importance(window, score=score, drivers=names, kind=kind, weight=scope.weight,
                                          seed=seed, scale=scale, **jk)
        ipa = drv.importance_performance(window, score=score, drivers=names, importance=imp, weight=scope.weight,
                                         driver_scale=scope.cfg.scales.get("drivers"))
        advice, reasons = driver_evidence(imp, ipa, min_n=scope.min_n, label=scope.label)
        period = (scope.covered([str(p) for p in pd.period_range(end=scope.month, periods=months, freq="M")])
                  if scope.dated else "")
        return {"window": window, "importance": imp, "performance": ipa, "advice": advice, "reasons": reasons,
                "period": period, "bootstrap": jk["bootstrap"], "jackknife": jk.get("jackknife", 0)}
    return scope.memo("drivers", compute, months, bootstrap, seed)


@section('The driver analysis')
def drivers(scope: ReportContext) -> h.Html:
    """What drives the primary score over the last three months (every response for a single wave):
    importance vs performance and, where the evidence carries it, "fix first".

    Returns
    -------
    Html
        The importance bars and the importance–performance chart, the base and missing-data note, and
        the "fix first" list or why there is none.
    """
    import matplotlib.pyplot as plt

    from ...plots import plot_importance, plot_importance_performance

    res = driver_results(scope)
    if res is None:
        return h.note("No attribute ratings (drivers) are configured: the driver analysis is left out.")
    imp, ipa = res["importance"], res["performance"]
    named = {"driver": lambda d: d["driver"].map(scope.label)}
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    plot_importance(imp.assign(**named), ax=axes[0])
    axes[0].set_title("Share of explained variation (95% CI)")
    plot_importance_performance(ipa.assign(**named), ax=axes[1])
    axes[1].set_title("Importance vs performance")
    name, top = scope.label(scope.primary), imp.iloc[0]
    parts = [h.figure(fig, alt=f"What drives {name}: {scope.label(top.driver)} explains the most "
                               f"({top.share:.0%}); importance against performance of {len(ipa)} drivers")]
    when = f" ({res['period']})" if scope.dated else ""
    parts.append(h.note(f"Shapley (LMG) decomposition of R² = {top.r2:.2f} for {name} over {int(top.n):,} "
                        f"complete responses{when}{', weighted' if scope.weight else ''}; CIs from "
                        + (f"a random-groups jackknife ({res['jackknife']} groups of responses, computed in the "
                           "database)." if res["jackknife"] else f"{res['bootstrap']} bootstrap resamples.")))
    if top.pct_dropped > 0:
        warn = " This is more than half: read the ranking with care." if top.pct_dropped > 50 else ""
        parts.append(h.note(f"Responses missing any rating are left out: {top.pct_dropped:.0f}% of them "
                            f"({int(top.n_dropped):,}); {scope.label(top.most_missing)} is missing most often.{warn}"))
    advice, reasons = res["advice"], res["reasons"]
    lines = [f"{scope.label(r.driver)}: {r.share:.0%} of what the ratings explain; rated "
             f"{r.performance:.2f} (95% CI {r.performance_ci_low:.2f} to {r.performance_ci_high:.2f}), "
             f"below the average of the drivers ({r.performance_cut:.2f})." for r in advice.itertuples()]
    if lines:
        parts += [h.heading("Fix first: important and weak"), h.bullets(lines)]
    else:
        parts.append(h.note("No \"fix first\" advice this period" + (": " + "; ".join(reasons) + "." if reasons
                            else ": no driver is both important and clearly weak.")))
    if lines and reasons:
        parts.append(h.note("Not advice: " + "; ".join(reasons) + "."))
    return h.Html("".join(parts))
