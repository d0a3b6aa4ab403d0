"""The report's "About" section: definitions of the configured scores, the data window, bases,
checksums and versions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ... import weights
from ...data import file_digests, segment_label
from ...metrics import METRICS
from .. import html as h
from ..formats import score_format
from .context import ReportContext

__all__ = ["HOW_TO_READ", "about", "how_to_read"]


def _definition(scope: ReportContext, metric: str) -> str:
    scale = scope.cfg.scales.get(metric)
    if scale is None:
        return score_format(metric).definition
    direction = "higher is better" if scale.higher_is_better else "lower is better"
    return score_format(metric).definition.format(min=scale.min, max=scale.max, top=scale.top_k,
                                                  direction=direction)


def _weighting_line(scope: ReportContext) -> str:
    """How the report is weighted and what the weights cost in precision, in the report period."""
    spec, column = scope.cfg.weighting, scope.weight
    if spec is not None and spec.targets is not None:
        cap = f", weights capped at {spec.cap:g}" if spec.cap else ""
        each = " (each month on its own)" if scope.dated else ""
        how = (f"Weighted by raking to the customer base's shares of "
               f"{', '.join(scope.label(v) for v in spec.targets)}{each}{cap}.")
    else:
        how = "Weighted: every score uses the survey weight that came with the data."
    unweighted = int(scope.now[column].isna().sum())
    now = scope.now[scope.now[column].notna()]
    if now.empty:
        return how
    s = weights.weight_summary(now, weight=column).iloc[0]
    return (f"{how} In {scope.period_label} the weighting effect (1 + cv² of the weights, Kish's design effect "
            f"due to weighting) is {s['weighting_effect']:.2f}: {int(s['n']):,} weighted responses count as "
            f"{s['n_eff']:,.0f} (Kish's effective base); weights range from {s['min_weight']:.2f} to "
            f"{s['max_weight']:.2f}. Intervals and tests use each score's linearised (Taylor) variance, as "
            "survey software does, so a score's own effective base can differ from Kish's."
            + (f" {unweighted:,} responses have no weight and are left out of weighted figures." if unweighted
               else ""))


def about(scope: ReportContext, *, digests: dict | None = None) -> h.Html:
    """Definitions of the scores this config provides, data window, bases and run metadata (no clock
    time: the HTML is reproducible).

    Parameters
    ----------
    scope : ReportContext
    digests : dict, optional
        Path -> SHA-256 of the input files, as the report runner computed them; computed here when absent.

    Returns
    -------
    Html
    """
    from importlib import metadata

    digests = digests or file_digests(scope.cfg)
    files = [f"{Path(p).name} (sha256 {d[:12]}…)" for p, d in digests.items()]
    lines = [_definition(scope, m) for m in scope.scores]
    lines.append(f"The story is told in {score_format(scope.primary).label} (the primary score); the headline "
                 "shows every configured score.")
    methods = {"adjusted_wald": "adjusted Wald for NPS", "wald": "Wald for NPS", "wilson": "Wilson for shares",
               "t": "t for means"}
    used = ", ".join(dict.fromkeys(methods[METRICS[m].ci_method] for m in scope.scores))
    lines += [
        "95% CI: the range of plausible values for the true score; intervals made this way contain the "
        f"true score in 95 surveys out of 100 ({used}, each kept within its scale).",
        f"Small bases: scores from fewer than {scope.min_n} answers are suppressed or flagged, and no advice "
        "is given on them.",
    ]
    if scope.weight:
        lines.append(_weighting_line(scope))
    if scope.dated:
        first, last = scope.date_range()
        window = f"Data window: {first:%d %b %Y} to {last:%d %b %Y}; {scope.period_label}"
    else:
        window = "One wave without dates"
    lines.append(f"{window}: {len(scope.now):,} responses" + (f" in {segment_label(scope.segment)}" if scope.segment
                                                               else "") + ".")
    lines += scope.notes + scope.data_notes
    if scope.left_out:
        lines.append("Left out of this report, because the data in scope cannot carry them: "
                     + "; ".join(f"{title} ({why})" for title, why in scope.left_out.items()) + ".")
    lines.append("Input files: " + "; ".join(files) + ".")
    lines.append(f"cxlib {metadata.version('cxlib')}; pandas {pd.__version__}. Customer comments are redacted "
                 "(e-mails, phone numbers, card numbers, IBANs, URLs, names where recognisable) before display.")
    return how_to_read(scope) + h.heading("About the data and this run") + h.bullets(lines)


#: The heading of the methods note; the report's body before it names no test or model score.
HOW_TO_READ = "How to read this report"


def how_to_read(scope: ReportContext) -> h.Html:
    """The methods behind the body's plain words: the tests, their adjustment, the models' scores.

    The body says "a real drop", "35% of what the ratings explain", "p < 0.001"; this note names what
    stands behind them (z test, Holm, Shapley (LMG), VADER, AUC, Brier), once, at the end.

    Returns
    -------
    Html
        A heading and bullets.
    """
    lines = []
    if scope.dated:
        lines.append("Real change: a change is called real when a two-sided z test says so after Holm's "
                     "adjustment for the number of comparisons (the chance of any false alarm stays under 5%); "
                     "everything else is within normal month-to-month noise. p-values below 0.001 read "
                     "\"p < 0.001\".")
    lines += list(scope.methods.values())          # in the order the sections ran
    return h.heading(HOW_TO_READ) + h.bullets(lines)
