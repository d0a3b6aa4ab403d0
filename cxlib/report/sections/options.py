"""The options of multiple-response questions as drivers of the primary score, in the drivers section.

Each option is read as a comment theme is (:func:`cxlib.drivers.option_impact`): the share of the
question's respondents who selected it, the primary score of those who did against those who answered
without it (Welch, Holm across the question's options), and the base of each. An option "goes with a
lower score" (:func:`cxlib.report.claims.option_claim`) only when both groups are large enough and the
adjusted difference is clear; small bases are shown but not tested, and no option is called a cause.
"""

from __future__ import annotations

import pandas as pd

from ... import drivers as drv
from ...scores import as_scale
from .. import html as h
from ..claims import option_claim
from ..formats import score_format
from ._guard import section
from .banner import _multi
from .context import ReportContext

__all__ = ["OPTIONS_METHOD", "OPTIONS_NOTE", "option_drivers", "option_results"]

#: How the options table is read, under it (plain words: the methods are named in About).
OPTIONS_NOTE = ("Each option: the score of the respondents who selected it against those who answered the question "
                "without it, the difference tested with an adjustment for the number of options compared. An "
                "association, not a cause: selecting an option does not make the score. Shares here count the "
                "respondents who answered the question and gave the score; the banner's count every respondent "
                "who answered the question, so the two can differ.")
#: The methods behind it, for "How to read this report" in About.
OPTIONS_METHOD = ("Options as drivers: those who selected each option against those who answered the question "
                  "without it, Welch's t test on the effective base, Holm-adjusted across each question's options; "
                  "options with fewer than the minimum base on either side are not tested.")


def option_results(scope: ReportContext) -> pd.DataFrame | None:
    """:func:`cxlib.drivers.option_impact` of the month's responses on the primary score (once per report),
    with ``claim`` (the words :func:`~cxlib.report.claims.option_claim` allows, else "") and ``evidence``;
    None when no configured multiple-response question that ``report.option_drivers`` reads as a driver is in
    the data."""
    def compute():
        now = scope.now
        multi, labels = _multi(scope, now)
        chosen = scope.cfg.report.get("option_drivers")   # None: every question; profile questions left out
        multi = {q: cols for q, cols in multi.items() if chosen is None or q in chosen}
        if not multi or scope.primary not in now:
            return None
        metric = scope.primary
        scale = scope.cfg.scales.get(metric)
        out = drv.option_impact(now, multi=multi, metric=metric, scale=scale, weight=scope.weight, labels=labels,
                                min_n=scope.min_n)
        better = scale is None or as_scale(scale).higher_is_better
        claims = [option_claim(r.diff, r.diff_ci_low, r.diff_ci_high, r.p_holm, small_base=r.small_base,
                               higher_is_better=better) for r in out.itertuples()]
        return out.assign(question=out["question"].map(scope.label), claim=[c.text if c else "" for c in claims],
                          evidence=[c.evidence if c else "" for c in claims])
    return scope.memo("options", compute)


def _side(fmt, value, n: int, min_n: int) -> str:
    """One group's score, or "–" with its n when fewer than ``min_n`` answered (no score stated on it)."""
    return fmt.value(value) if n >= min_n else f"– (n = {n:,})"


def _row(r, fmt, name: str, min_n: int) -> dict:
    diff = ("– (small base: not tested)" if r.small_base else
            f"{h.fmt_score(r.diff, digits=fmt.digits)} ({h.fmt_ci(r.diff_ci_low, r.diff_ci_high, digits=fmt.digits)})")
    n, k = int(r.n), int(r.n_mention)
    return {"Option": f"{r.question}: {r.label}", f"Selected by (of those giving {name})": f"{r.share:.0%} ({k:,} of {n:,})",
            f"{name} if selected": _side(fmt, r.score_with, k, min_n),
            f"{name} if not": _side(fmt, r.score_without, n - k, min_n), "Difference (95% CI)": diff}


@section('Options as drivers')
def option_drivers(scope: ReportContext) -> h.Html:
    """The options table of the configured multiple-response questions (empty without any), the options the
    evidence says go with a lower primary score, and how to read them.

    Returns
    -------
    Html
        A table (each option's share selecting with its n, the score of selectors and of the others, each
        "–" with its n under the minimum base, the difference with its 95% interval or "small base"), the options that go with a lower score or a note
        that none clearly does, and the reading note.
    """
    res = option_results(scope)
    if res is None:
        return h.Html("")
    fmt, name = score_format(scope.primary), scope.label(scope.primary)
    title = f"Multiple-response options and {name}, {scope.period_label}"
    cols = ["question", "option", "label", "n", "n_mention", "share", "score_with", "score_without", "diff",
            "diff_ci_low", "diff_ci_high", "p_holm", "small_base", "claim"]
    scope.keep_table("options", title, res[cols])
    scope.methods["options"] = OPTIONS_METHOD
    parts = [h.heading(f"Options as drivers of {name}"),
             h.table(pd.DataFrame([_row(r, fmt, name, scope.min_n) for r in res.itertuples()]),
                     caption=title)]
    carried = res[res["claim"] != ""]
    if len(carried):
        parts += [h.heading(f"Options that go with a lower {name}", level=4),
                  h.bullets([f"{r.question}: {r.label}: {name} {fmt.value(r.score_with)} among the {int(r.n_mention):,} "
                             f"who selected it against {fmt.value(r.score_without)} among the other "
                             f"{int(r.n - r.n_mention):,} (difference "
                             f"{h.fmt_score(r.diff, digits=fmt.digits)}, 95% CI "
                             f"{h.fmt_ci(r.diff_ci_low, r.diff_ci_high, digits=fmt.digits)}; {h.fmt_p(r.p_holm)}, "
                             "adjusted)." for r in carried.itertuples()])]
    else:
        parts.append(h.note(f"No option goes with a clearly lower {name} this period (options with fewer than "
                            f"{scope.min_n} respondents selecting or not selecting them are not tested)."))
    return h.Html("".join(parts)) + h.note(OPTIONS_NOTE)
