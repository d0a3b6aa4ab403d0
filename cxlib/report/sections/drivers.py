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
from ...errors import DataError
from ...metrics import METRICS
from .. import html as h
from ._guard import section
from .context import ReportContext
from .options import option_drivers
from .plan import PLAN

__all__ = ["MIN_PER_DRIVER", "driver_evidence", "driver_fit", "driver_inputs", "driver_results", "drivers"]

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


def _need_drivers(scope: ReportContext) -> list[str]:
    if not scope.cfg.drivers:
        raise DataError("no attribute ratings are configured: name them under drivers: in the config "
                        "(responses: drivers:) to analyse what drives the score")
    return scope.cfg.drivers


def driver_inputs(scope: ReportContext, *, months: int = PLAN.driver_months) -> tuple[pd.DataFrame, dict]:
    """The rows and the model arguments of the report's driver analysis, for the report and the notebooks.

    Returns
    -------
    (pandas.DataFrame, dict)
        The responses of the ``months`` months ending with the report month (every response for a single
        wave), and ``score``, ``drivers``, ``kind``, ``scale`` and ``weight`` for the :mod:`cxlib.drivers`
        functions.

    Raises
    ------
    DataError
        When the config names no attribute ratings (``drivers:``).
    """
    names = _need_drivers(scope)
    window = last_months(scope.stats, month=scope.month, months=months) if scope.dated else scope.stats
    kind = METRICS[scope.primary].outcome
    scale = scope.cfg.scales.get(scope.primary) if kind != "logit" else False
    return window, {"score": scope.primary, "drivers": list(names), "kind": kind, "scale": scale, "weight": scope.weight}


def driver_results(scope: ReportContext, *, months: int = PLAN.driver_months, bootstrap: int = 200, seed: int = 0):
    """The driver analysis of the report (once per report): the rows used (``window``) and the model's
    arguments (``args``, see :func:`driver_inputs`), ``importance``, ``performance``, the ``advice`` the
    evidence carries and why there is no other (``reasons``), the ``period`` and the resampling used
    (``bootstrap``, ``jackknife``); None without drivers."""
    def compute():
        if not scope.cfg.drivers:
            return None
        window, args = driver_inputs(scope, months=months)
        # in the database: the random-groups jackknife (no rows to resample); the section states the method
        jk = {"bootstrap": 0, "jackknife": JACKKNIFE} if scope.table is not None else {"bootstrap": bootstrap}
        with warnings.catch_warnings():      # the missing-data warning is stated in the section itself
            warnings.simplefilter("ignore", UserWarning)
            imp = drv.relative_importance(window, **args, seed=seed, **jk)
        ipa = drv.importance_performance(window, score=args["score"], drivers=args["drivers"], importance=imp,
                                         weight=scope.weight, driver_scale=scope.cfg.scales.get("drivers"))
        advice, reasons = driver_evidence(imp, ipa, min_n=scope.min_n, label=scope.label)
        period = (scope.covered([str(p) for p in pd.period_range(end=scope.month, periods=months, freq="M")])
                  if scope.dated else "")
        return {"window": window, "args": args, "importance": imp, "performance": ipa, "advice": advice, "reasons": reasons,
                "period": period, "bootstrap": jk["bootstrap"], "jackknife": jk.get("jackknife", 0)}
    return scope.memo("drivers", compute, months, bootstrap, seed)


def driver_fit(scope: ReportContext, *, months: int = PLAN.driver_months):
    """The regression of the primary score on every driver over the report's driver rows and model
    arguments (:func:`driver_results`' ``window`` and ``args``; in the database path its rows pulled within
    ``engines.max_rows``), once per report: R², coefficients, VIF (:func:`cxlib.drivers.fit_drivers`).

    Raises
    ------
    DataError
        When the config names no attribute ratings (``drivers:``).
    """
    _need_drivers(scope)
    res = driver_results(scope, months=months)
    return scope.memo("driver fit", lambda: drv.fit_drivers(scope.rows(res["window"]), **res["args"]), months)


def _keep_tables(scope: ReportContext, imp: pd.DataFrame, ipa: pd.DataFrame, name: str) -> None:
    cols = [c for c in ("driver", "share", "share_ci_low", "share_ci_high", "sign", "n") if c in imp]
    scope.keep_table("drivers", f"What drives {name}: share of what the ratings explain (95% CI)",
                     imp[cols].assign(driver=imp["driver"].map(scope.label)))
    cols = [c for c in ("driver", "share", "performance", "performance_ci_low", "performance_ci_high",
                        "performance_n", "quadrant") if c in ipa]
    scope.keep_table("importance_performance", "Importance against rating (mean of each driver's ratings, 95% CI)",
                     ipa[cols].assign(driver=ipa["driver"].map(scope.label)))


def drivers(scope: ReportContext) -> h.Html:
    """What drives the primary score over the last three months (every response for a single wave):
    importance vs performance and, where the evidence carries it, "fix first"; then, where ``multi:`` is
    configured, the month's multiple-response options as drivers (:func:`.options.option_drivers`).

    Returns
    -------
    Html
        The importance bars and the importance–performance chart, the base and missing-data note, and
        the "fix first" list or why there is none; the options table.
    """
    return _driver_analysis(scope) + option_drivers(scope)


@section('The driver analysis')
def _driver_analysis(scope: ReportContext) -> h.Html:
    """The driver analysis of :func:`drivers`."""
    import matplotlib.pyplot as plt

    from ...plots import plot_importance, plot_importance_performance

    res = driver_results(scope)
    if res is None:
        return h.note("No attribute ratings (drivers) are configured: the driver analysis is left out.")
    imp, ipa = res["importance"], res["performance"]
    n, need = int(imp["n"].iloc[0]), max(scope.min_n, MIN_PER_DRIVER * len(ipa))
    if n < need:                    # rule: no chart and no advice below the base a driver model needs
        when = f" in {res['period']}" if scope.dated else ""
        return h.note(f"The driver analysis needs at least {need} complete responses ({MIN_PER_DRIVER} per driver "
                      f"for {len(ipa)} drivers, and the minimum base of {scope.min_n}); {n:,} answered the "
                      f"{scope.label(scope.primary)} question and every rating{when}, so no chart and no "
                      "\"fix first\" advice are shown: a model this small fits noise.")
    named = {"driver": lambda d: d["driver"].map(scope.label)}
    name, top = scope.label(scope.primary), imp.iloc[0]
    # two narrow charts with large text, not one wide pair: each stays readable on a phone (390 px)
    with plt.rc_context({"font.size": 12}):
        fig, ax = plt.subplots(figsize=(5, 0.45 * len(imp) + 1.5))
        plot_importance(imp.assign(**named), ax=ax)
        ax.set_title(f"What drives {name} (95% CI)")
        parts = [h.figure(fig, alt=f"What drives {name}: {scope.label(top.driver)} explains the most "
                                   f"({top.share:.0%})")]
        scale = scope.cfg.scales.get("drivers")
        fig, ax = plt.subplots(figsize=(5, 5))
        plot_importance_performance(ipa.assign(**named), ax=ax, n_labels=2,
                                    scale=None if scale is None else (scale.min, scale.max))
        ax.set_title("Importance against rating")
        parts.append(h.figure(fig, alt=f"Importance against performance of {len(ipa)} drivers"))
    when = f" ({res['period']})" if scope.dated else ""
    parts.append(h.note(f"The ratings together explain {top.r2:.0%} of the differences in {name} between "
                        f"{int(top.n):,} complete responses{when}{', weighted' if scope.weight else ''}; each "
                        "driver's share is its part of that."))
    resampled = (f"a random-groups jackknife ({res['jackknife']} groups of responses, computed in the database)"
                 if res["jackknife"] else f"{res['bootstrap']} bootstrap resamples")
    scope.methods["drivers"] = (f"What drives the scores: a Shapley (LMG) decomposition of R² = {top.r2:.2f} for {name} "
                                f"(each driver's average gain in R² over every order of entry), with 95% CIs from "
                                f"{resampled}.")
    if top.pct_dropped > 0:
        warn = " This is more than half: read the ranking with care." if top.pct_dropped > 50 else ""
        parts.append(h.note(f"Responses missing any rating are left out: {top.pct_dropped:.0f}% of them "
                            f"({int(top.n_dropped):,}); {scope.label(top.most_missing)} is missing most often.{warn}"))
    advice, reasons = res["advice"], res["reasons"]
    _keep_tables(scope, imp, ipa, name)
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
