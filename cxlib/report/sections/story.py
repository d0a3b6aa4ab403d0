"""The story first: three to six plain sentences under the title, each with its number and its
certainty, each linking to the section it comes from.

Every number is the one its section shows: the story reads the results the sections compute (the
report context computes each once). Test names and p-values go to a small-print line.
"""

from __future__ import annotations

import html as _html
import re

import pandas as pd

from ... import periods
from .. import claims
from .. import html as h
from ..formats import score_format
from ._guard import attempt
from .breaks import crossing
from .context import ReportContext
from .drivers import driver_results
from .experiment import experiment_results
from .money import money_results
from .plan import PLAN
from .scores import changes_table, comparison, month_row
from .voice import theme_results

__all__ = ["SECTION_IDS", "findings", "story"]

#: Anchors of the report's sections (the notebook's headings carry them).
SECTION_IDS = {"headline": "headline", "changes": "changes", "drivers": "drivers", "voice": "voice",
               "money": "money", "experiment": "experiment", "worth": "worth",
               "about": "about"}


def _link(text: str, section: str) -> h.Html:
    return h.Html(f'{text} <a class="cx-more" href="#{SECTION_IDS[section]}">details →</a>')


def _primary(scope: ReportContext, small: list) -> str | None:
    m, fmt, name = scope.primary, score_format(scope.primary), scope.label(scope.primary)
    row = month_row(scope, m)
    if row["n"] == 0 or pd.isna(row[m]):
        return None
    if bool(row["small_base"]):     # rule: no figure on a small base
        return h.escape(claims.small_base_claim(int(round(row["n_eff"])), min_n=scope.min_n,
                                                period=scope.period_label, label=name).text)
    base = f"{name} is {fmt.value(row[m])} in {scope.period_label} (95% CI {fmt.interval(row['ci_low'], row['ci_high'])}, " \
           f"n = {int(row['n']):,})"
    if not scope.dated:
        return h.escape(base + ": a single wave, so nothing to compare with.")
    if scope.first_month:
        return h.escape(base + ": the first month of data, so nothing to compare with yet.")
    brk = crossing(scope, m, periods.baseline_months(scope.month, PLAN.headline_baseline))
    if brk is not None:             # rule: never compare across a scale change
        return h.escape(base + ". " + claims.scale_change_claim(brk, label=name).text)
    cmp = comparison(scope, m, PLAN.headline_baseline)
    if cmp is None:
        return h.escape(base + ": no answers last month, so nothing to compare with.")
    prev = scope.covered(cmp["baseline"].split(","))
    if not bool(cmp["tested"]):     # rule: name the month that is too small
        why = claims.comparison_claim(int(round(cmp["n_eff"])), int(round(cmp["n_eff_baseline"])),
                                      min_n=scope.min_n, period=scope.period_label, before=prev)
        return h.escape(base + ": " + (why.text if why else "too few answers to tell a change from noise") + ".")
    if bool(cmp["significant"]):
        tone = "up" if cmp["diff"] > 0 else "down"
        small.append(f"{name} against {prev}: {h.fmt_p(cmp['p_value'])}.")
        return (h.escape(base + ": ") + h.verdict(f"a real {'rise' if tone == 'up' else 'drop'}", tone)
                + h.escape(f" of {fmt.amount(cmp['diff'])} from {prev}."))
    return (h.escape(base + ", ") + h.verdict("within normal month-to-month noise", "noise")
            + h.escape(f" of {prev} ({fmt.change(cmp['diff'])})."))


def _largest_change(scope: ReportContext, small: list) -> str | None:
    table = changes_table(scope)
    if table is None:
        return None
    fmt, name = score_format(scope.primary), scope.label(scope.primary)
    real = table[table["significant"]]
    if real.empty:                  # rule: "no segment moved" only when one was compared
        tested = int(table["tested"].sum())
        said = claims.segments_claim(tested, len(table) - tested, min_n=scope.min_n, label=name)
        if not tested:
            return h.escape(said.text)
        word = "normal month-to-month noise"
        head, tail = said.text.split(word)
        return h.escape(head) + h.verdict(word, "noise") + h.escape(tail)
    r = real.loc[real["diff"].abs().idxmax()]
    where = " × ".join(scope.label(p) for p in r["dimension"].split(" × ")) + ": " + h.safe_label(r["segment"])
    tone = "up" if r["diff"] > 0 else "down"
    small.append(f"Segments: {int(table['tested'].sum())} comparisons tested together; "
                 f"{where} {h.fmt_p(r['p_adjusted'])}.")
    return (h.escape(f"The largest real change is in {where}, where {name} ")
            + h.verdict("fell" if tone == "down" else "rose", tone)
            + h.escape(f" {fmt.amount(r['diff'])} to {fmt.value(r['current'])} "
                       f"(95% CI of the change {fmt.change_interval(r['ci_low'], r['ci_high'])})."))


def _driver(scope: ReportContext, small: list) -> str | None:
    """The driver that is both clearly important (rank interval) and clearly weak (rating interval below the
    drivers' average), best ranked first; nothing when no driver carries both claims."""
    res = driver_results(scope)
    if res is None or res["advice"].empty:
        return None
    imp = res["importance"].set_index("driver")
    for r in res["advice"].sort_values("share", ascending=False).itertuples():
        ranks = imp.loc[r.driver, ["rank_ci_low", "rank_ci_high"]] if "rank_ci_low" in imp else (None, None)
        important = claims.importance_claim(*ranks, drivers=len(imp))
        weak = claims.weakness_claim(r.performance, r.performance_ci_low, r.performance_ci_high, cut=r.performance_cut)
        if important is None or weak is None:
            continue
        small.append(f"{scope.label(r.driver)}: {important.evidence}; {weak.evidence}.")   # resampling: "How to read"
        return h.escape(f"{scope.label(r.driver)} {important.text} and {weak.text}: {r.share:.0%} of what the "
                        f"ratings explain in {scope.label(scope.primary)}, rated {r.performance:.2f} "
                        f"(95% CI {r.performance_ci_low:.2f} to {r.performance_ci_high:.2f}) against the "
                        f"drivers' average of {r.performance_cut:.2f}.")
    return None


def _experiment(scope: ReportContext, small: list) -> str | None:
    """The experiment's effect on the primary score, only when it is real (rule: p < 0.05, arms of min_n)."""
    res = experiment_results(scope)
    if res is None:
        return None
    real = res["effects"][res["effects"]["verdict"] == "a real effect"]
    if real.empty:
        return None
    r = real.iloc[0]
    digits, unit = (0, "points") if r["metric"] == "nps" else (2, "on the mean")
    small.append(f"{scope.label(res['arm'])}: {h.safe_label(r['treatment'])} against {h.safe_label(r['control'])} "
                 f"over {res['period']}, Welch's test, p = {r['p_value']:.2g}; n = {int(r['n_treatment']):,} and "
                 f"{int(r['n_control']):,}.")
    # short: the story must stay on a phone's first screen; the months, arms and bases are in the small print
    return (h.escape(f"{scope.label(res['arm'])}: {scope.label(r['score'])} {r['effect']:+.{digits}f} {unit} "
                     f"(95% CI {r['ci_low']:+.{digits}f} to {r['ci_high']:+.{digits}f}), ")
            + h.verdict("a real effect", "up" if r["effect"] > 0 else "down") + h.escape("."))


def _theme(scope: ReportContext) -> str | None:
    res = theme_results(scope, cache_dir=scope.cfg.cache_dir)
    if res is None or res["impact"] is None:
        return None
    shown = res["impact"][~res["impact"]["small_base"]]
    if shown.empty or pd.isna(shown["points_lost"].iloc[0]):
        return None
    r = shown.iloc[0]
    fmt = score_format(scope.primary)
    return h.escape(f"The costliest comment theme is {scope.label(r['theme']).lower()}: {r['share']:.0%} of comments "
                    f"mention it, and it costs about {r['points_lost']:.1f} {scope.label(scope.primary)} "
                    f"{fmt.unit} ({r['points_lost_ci_low']:.1f} to {r['points_lost_ci_high']:.1f}).")


def _money(scope: ReportContext, scored) -> str | None:
    res = money_results(scope, scored)
    if res is None:
        return None
    t, cur = res["total"], scope.cfg.money["symbol"]
    return h.escape(f"{h.fmt_money(t.expected_loss, cur)} of annual revenue is at risk from churn "
                    f"({h.fmt_money(t.loss_ci_low, cur)} to {h.fmt_money(t.loss_ci_high, cur)}), "
                    f"{t.share_at_risk:.1%} of the revenue of current customers.")


def story(scope: ReportContext, scored=None) -> h.Html:
    """Three to six sentences under the title: the primary score and whether it really moved, the
    largest real change, what matters most and is weakest (only when the driver evidence allows), a real
    experiment effect, the costliest comment theme and the revenue at risk; each links to its section.

    Returns
    -------
    Html
        A list of sentences and a small-print line with the tests behind them; a marker after it tells
        the exporter where the contents list goes.
    """
    small: list[str] = []
    # a sentence whose section the data in scope cannot carry is left out (that section says why)
    parts = [(attempt(_primary, scope, small), "headline"), (attempt(_largest_change, scope, small), "changes"),
             (attempt(_driver, scope, small), "drivers"), (attempt(_experiment, scope, small), "experiment"),
             (attempt(_theme, scope), "voice"),
             (attempt(_money, scope, scored), "money")]
    items = "".join(f"<li>{_link(text, section)}</li>" for text, section in parts if text)
    # the same sentences as plain text, for the result set (the deck and the e-mail digest read them)
    scope.memo("story", lambda: [_plain(t) for t, _ in parts if t])
    fine = h.Html(f'<p class="cx-smallprint">{h.escape(" ".join(small + ["Intervals are 95%."]))}</p>')
    return h.Html(f'<div class="cx-story" id="story"><ul>{items}</ul></div>') + fine + h.Html("<!-- cx-toc -->")


def _plain(text) -> str:
    return _html.unescape(re.sub(r"<[^>]+>", "", str(text))).replace(" details →", "").strip()


def findings(scope: ReportContext, *, parts=("headline", "changes", "drivers"), scored=None) -> list[str]:
    """"What we found": the report story's sentences for ``parts``, in plain text, made by the same rules.

    Parameters
    ----------
    parts : sequence of {"headline", "changes", "drivers", "experiment", "voice", "money"}
    scored : optional
        The customer scores (for "money").

    Returns
    -------
    list of str
        One sentence per part the data in scope carry; a part they cannot carry is left out.
    """
    small: list[str] = []
    rules = {"headline": (_primary, small), "changes": (_largest_change, small), "drivers": (_driver, small),
             "experiment": (_experiment, small), "voice": (_theme,), "money": (_money, scored)}
    said = [attempt(rules[p][0], scope, *rules[p][1:]) for p in parts]
    return [_plain(s) for s in said if s] + ([f"(Evidence: {' '.join(small)})"] if small else [])
