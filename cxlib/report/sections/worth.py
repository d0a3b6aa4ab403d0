"""The report's "What fixing it is worth" section: a model-based scenario for the top "fix first" driver.

Raise the driver's mean rating to its best segment's level (or by ``report.scenario_lift``), carry the
lift through the driver regression to the 0–10 answer and the NPS, through the churn model to churn
probabilities, and into revenue kept a year, with an interval from the models' uncertainty. Shown only
when the evidence supports advice and a churn model and revenue exist; otherwise the section says
what it needs.
"""

from __future__ import annotations


from ... import customers, scores
from ... import drivers as drv
from ...data import is_table
from .. import html as h
from ._guard import section
from .context import ReportContext
from .drivers import driver_results
from .money import money_results

__all__ = ["scenario", "worth"]

#: The seed of the scenario's draws and, on a table, of its customer sample (said in the note).
SCENARIO_SEED = 0


def _needs(scope: ReportContext, res, scored) -> list[str]:
    missing = []
    if scope.primary != "nps" or "nps" not in scope.data:
        missing.append("NPS as the primary score (the churn model reads customers' NPS categories)")
    if res is None or res["advice"].empty:
        missing.append("a driver the evidence marks \"fix first\" (none this period)")
    if money_results(scope, scored) is None:
        missing.append("a churn model on account data with churn outcomes and annual revenue")
    return missing


def scenario(scope: ReportContext, scored) -> dict | None:
    """The numbers of the scenario (once per report), or None when its inputs are missing."""
    def compute():
        res = driver_results(scope)
        if _needs(scope, res, scored):
            return None
        top = res["advice"].iloc[0]
        window, names = res["window"], scope.cfg.drivers
        if is_table(window):   # the drivers' months in the database: the columns the scenario reads, as rows
            keep = [c for c in dict.fromkeys(["response_id", "nps", *names, *scope.cfg.segments,
                                              *([scope.weight] if scope.weight else [])]) if c in window.columns]
            window = scope.memo("driver rows", lambda: scope.rows(window.select(*keep)))
        lift = scope.cfg.report.get("scenario_lift")
        target, where = None, "a stated lift"
        if lift is None:
            levels = drv.segment_levels(window.dropna(subset=names), driver=top.driver, segments=scope.cfg.segments,
                                        weight=scope.weight, min_n=scope.min_n)
            best = levels[~levels["small_base"]]
            if best.empty or best["mean"].iloc[0] <= top.performance:
                return None
            target, lift = float(best["mean"].iloc[0]), float(best["mean"].iloc[0] - top.performance)
            where = f"the level of its best segment, {scope.label(best['segment'].iloc[0])}: " \
                    f"{h.safe_label(best['value'].iloc[0])}"
        fit = drv.fit_drivers(window, score="nps", drivers=names, weight=scope.weight)
        coef = fit.coefficients.set_index("term").loc[top.driver]
        shift, shift_se = float(coef.estimate) * lift, float(coef.std_err) * lift
        answers = window.dropna(subset=names)["nps"]
        nps_now = scores.nps(window.dropna(subset=names)).iloc[0]["nps"]

        def nps_after(s):
            q = scores.nps_category_shares(answers, s)
            return 100 * (q["promoter"].mean() - q["detractor"].mean())

        delta = [nps_after(s) - nps_now for s in (shift, shift - 1.96 * shift_se, shift + 1.96 * shift_se)]
        sample = scope.cfg.engines["churn_sample"] if is_table(scored.table) else None
        kept = customers.retention_scenario(scored, shift=shift, shift_se=shift_se, sample=sample,
                                            seed=SCENARIO_SEED).iloc[0]
        return {"driver": top.driver, "now": float(top.performance), "target": target or top.performance + lift,
                "lift": lift, "where": where, "coef": float(coef.estimate), "shift": shift, "nps_delta": delta,
                "kept": kept}
    return scope.memo("scenario", compute, scored)


@section('What fixing it is worth')
def worth(scope: ReportContext, scored) -> h.Html:
    """What fixing the top "fix first" driver is worth a year: a model-based scenario, not a forecast.

    Returns
    -------
    Html
        The scenario's sentences with their intervals, or what data it needs.
    """
    res = driver_results(scope)
    missing = _needs(scope, res, scored)
    sc = None if missing else scenario(scope, scored)
    if sc is None:
        why = "; ".join(missing) if missing else "no segment rates the driver better than the average"
        return h.note(f"This scenario needs {why}.")
    cur = scope.cfg.money["symbol"]
    kept, (d_mid, d_lo, d_hi) = sc["kept"], sc["nps_delta"]
    name = scope.label(sc["driver"])
    lines = [
        f"If {name} were rated {sc['target']:.2f} instead of {sc['now']:.2f} ({sc['where']}), the driver "
        f"regression ({sc['coef']:+.2f} on the 0–10 answer per rating point) puts NPS about "
        f"{d_mid:+.1f} points higher ({d_lo:+.1f} to {d_hi:+.1f}).",
        f"Through the churn model, current customers' mean churn probability would move from "
        f"{kept.churn_now:.1%} to {kept.churn_scenario:.1%}: about {h.fmt_money(kept.revenue_kept, cur)} of annual "
        f"revenue kept ({h.fmt_money(kept.kept_ci_low, cur)} to {h.fmt_money(kept.kept_ci_high, cur)}, from the "
        f"models' uncertainty; {int(kept.customers):,} customers).",
    ]
    small = ("A model-based scenario, not a forecast: it assumes the driver regression and the churn model "
             "hold when the rating moves, and that nothing else changes.")
    if kept.n_sampled < kept.customers:
        small += (f" Computed on a random sample of {int(kept.n_sampled):,} of the {int(kept.customers):,} customers "
                  f"(seed {SCENARIO_SEED}, engines.churn_sample), the revenue scaled to all of them.")
    return h.Html(f'<div class="cx-scenario">{h.bullets(lines)}{h.note(small)}</div>')
