"""The story first: three to five plain sentences under the title, each with its number and its
certainty, each linking to the section it comes from.

Every number is the one its section shows: the story reads the results the sections compute (the
report context computes each once). Test names and p-values go to a small-print line.
"""

from __future__ import annotations

import html
import re

import pandas as pd

from .. import html as h
from ..formats import score_format
from ._guard import attempt
from .context import ReportContext
from .drivers import driver_results
from .money import money_results
from .scores import changes_table, comparison, month_row
from .voice import theme_results

__all__ = ["SECTION_IDS", "story"]

#: Anchors of the report's sections (the notebook's headings carry them).
SECTION_IDS = {"headline": "headline", "changes": "changes", "drivers": "drivers", "voice": "voice",
               "money": "money", "worth": "worth", "about": "about"}


def _link(text: str, section: str) -> h.Html:
    return h.Html(f'{text} <a class="cx-more" href="#{SECTION_IDS[section]}">details →</a>')


def _primary(scope: ReportContext, small: list) -> str | None:
    m, fmt, name = scope.primary, score_format(scope.primary), scope.label(scope.primary)
    row = month_row(scope, m)
    if row["n"] == 0 or pd.isna(row[m]):
        return None
    base = f"{name} is {fmt.value(row[m])} in {scope.period_label} (95% CI {fmt.interval(row['ci_low'], row['ci_high'])}, " \
           f"n = {int(row['n']):,})"
    if not scope.dated:
        return h.escape(base + ": a single wave, so nothing to compare with.")
    if scope.first_month:
        return h.escape(base + ": the first month of data, so nothing to compare with yet.")
    cmp = comparison(scope, m, "previous")
    if cmp is None or not bool(cmp["tested"]):
        return h.escape(base + ": too few answers last month to tell a change from noise.")
    prev = scope.covered(cmp["baseline"].split(","))
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
    if real.empty:
        return (h.escape("No segment moved beyond ") + h.verdict("normal month-to-month noise", "noise")
                + h.escape(f" ({int(table['tested'].sum())} segment values compared)."))
    r = real.loc[real["diff"].abs().idxmax()]
    where = " × ".join(scope.label(p) for p in r["dimension"].split(" × ")) + ": " + h.safe_label(r["segment"])
    tone = "up" if r["diff"] > 0 else "down"
    small.append(f"Segments: {int(table['tested'].sum())} comparisons tested together; "
                 f"{where} {h.fmt_p(r['p_adjusted'])}.")
    return (h.escape(f"The largest real change is in {where}, where {name} ")
            + h.verdict("fell" if tone == "down" else "rose", tone)
            + h.escape(f" {fmt.amount(r['diff'])} to {fmt.value(r['current'])} "
                       f"(95% CI of the change {fmt.change_interval(r['ci_low'], r['ci_high'])})."))


def _driver(scope: ReportContext) -> str | None:
    res = driver_results(scope)
    if res is None or res["advice"].empty:
        return None
    r = res["advice"].sort_values("share", ascending=False).iloc[0]
    return h.escape(f"{scope.label(r['driver'])} matters most and is weakest: {r['share']:.0%} of what the "
                    f"ratings explain in {scope.label(scope.primary)}, rated {r['performance']:.2f} "
                    f"(95% CI {r['performance_ci_low']:.2f} to {r['performance_ci_high']:.2f}) against the "
                    f"drivers' average of {r['performance_cut']:.2f}.")


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
    """Three to five sentences under the title: the primary score and whether it really moved, the
    largest real change, what matters most and is weakest (only when the driver evidence allows), the
    costliest comment theme and the revenue at risk; each links to its section.

    Returns
    -------
    Html
        A list of sentences and a small-print line with the tests behind them; a marker after it tells
        the exporter where the contents list goes.
    """
    small: list[str] = []
    # a sentence whose section the data in scope cannot carry is left out (that section says why)
    parts = [(attempt(_primary, scope, small), "headline"), (attempt(_largest_change, scope, small), "changes"),
             (attempt(_driver, scope), "drivers"), (attempt(_theme, scope), "voice"),
             (attempt(_money, scope, scored), "money")]
    items = "".join(f"<li>{_link(text, section)}</li>" for text, section in parts if text)
    # the same sentences as plain text, for the result set (the deck and the e-mail digest read them)
    scope.memo("story", lambda: [html.unescape(re.sub(r"<[^>]+>", "", str(t))) for t, _ in parts if t])
    fine = h.Html(f'<p class="cx-smallprint">{h.escape(" ".join(small + ["Intervals are 95%."]))}</p>')
    return h.Html(f'<div class="cx-story" id="story"><ul>{items}</ul></div>') + fine + h.Html("<!-- cx-toc -->")
