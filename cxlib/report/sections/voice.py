"""The report's voice-of-the-customer section: themes and what they cost in the primary score,
sentiment over time beside it, redacted quotes."""

from __future__ import annotations

import pandas as pd

from ... import comments
from ...data import last_months
from .. import html as h
from ..formats import score_format
from .context import ReportContext

__all__ = ["theme_results", "voice"]


def _sentiment_chart(scope: ReportContext, *, months: int, max_per_month: int, seed: int, cache_dir) -> list:
    """Sentiment by month beside the primary score, on a seeded sample of up to ``max_per_month`` a month."""
    import matplotlib.pyplot as plt

    from ...plots import plot_sentiment_trend

    window = last_months(scope.data, month=scope.month, months=months)
    month_of = window["responded_at"].dt.to_period("M")
    sampled = window.sample(frac=1.0, random_state=seed).groupby(month_of, sort=False).head(max_per_month)
    metric = scope.primary
    trend = comments.sentiment_trend(comments.annotate_comments(sampled.sort_index(), None, cache_dir=cache_dir),
                                     metric=metric, scale=scope.cfg.scales.get(metric), min_n=scope.min_n)
    if len(trend) < 2:
        return [h.note("First month of comments: no sentiment trend to draw yet.")]
    label = scope.label(metric)
    fig, ax = plt.subplots(figsize=(8, 3.2))
    plot_sentiment_trend(trend, ax=ax)
    ax.set_title(f"Comment sentiment (VADER, mean with 95% CI) beside {label}")
    last = trend.iloc[-1]
    parts = [h.figure(fig, alt=f"Comment sentiment by month beside {label}; latest mean sentiment "
                               f"{last['compound_mean']:+.2f} from {int(last['n_comments']):,} comments")]
    if len(sampled) < len(window):
        parts.append(h.note(f"Sentiment and {label} in this chart come from a random sample of up to "
                            f"{max_per_month:,} responses a month."))
    return parts


def theme_results(scope: ReportContext, *, cache_dir=None) -> dict | None:
    """The month's comments annotated (redacted, scored, tagged) and the theme impact in the primary
    score, once per report; None without comments."""
    def compute():
        if "comment" not in scope.data or scope.now["comment"].notna().sum() == 0:
            return None
        now = comments.annotate_comments(scope.now, scope.cfg.codebook, cache_dir=cache_dir)
        impact = None
        if scope.cfg.codebook is not None:
            metric = scope.primary
            impact = comments.theme_impact(now, metric=metric, scale=scope.cfg.scales.get(metric),
                                           min_n=scope.min_n)
        return {"now": now, "impact": impact}
    return scope.memo("themes", compute)


def _theme_table(scope: ReportContext, impact: pd.DataFrame) -> tuple[list, pd.DataFrame]:
    import matplotlib.pyplot as plt

    from ...plots import plot_theme_impact

    fmt, name = score_format(scope.primary), scope.label(scope.primary)
    shown = impact[~impact["small_base"]]
    if shown.empty:
        return [h.note(f"Every theme has fewer than {scope.min_n} comments mentioning it (or not mentioning it) "
                       f"in {scope.period_label}: no theme's cost can be told from noise.")], shown
    fig, ax = plt.subplots(figsize=(8, 0.35 * max(len(shown), 4) + 1))
    plot_theme_impact(shown.assign(theme=shown["theme"].map(scope.label)), ax=ax)
    ax.set_title(f"{name} {fmt.unit} lost to each theme (95% CI)")
    top = shown.iloc[0]
    parts = [h.figure(fig, alt=f"{name} {fmt.unit} lost by theme; the costliest, {scope.label(top.theme)}, "
                               f"costs {top.points_lost:.1f}")]
    rows = [{"Theme": scope.label(r.theme), "Mentioned by": f"{r.share:.0%} (n = {int(r.n_mention):,})",
             f"{name} if mentioned": fmt.value(r.score_with), f"{name} if not": fmt.value(r.score_without),
             f"{name} {fmt.unit} lost": f"{r.points_lost:.1f} ({r.points_lost_ci_low:.1f} to "
                                        f"{r.points_lost_ci_high:.1f})"}
            for r in shown.itertuples()]
    parts.append(h.table(pd.DataFrame(rows), caption=f"Themes in the comments of {scope.period_label} "
                         f"(n = {int(impact['n'].iloc[0]):,} commenting respondents)"))
    return parts, shown


def voice(scope: ReportContext, *, cache_dir=None, months: int = 13, n_quotes: int = 2, n_themes: int = 3,
          max_per_month: int = 3000, seed: int = 0) -> h.Html:
    """Theme volumes and what they cost in the primary score, sentiment beside it, redacted quotes.

    The sentiment trend scores at most ``max_per_month`` randomly chosen responses a month (seeded), so
    that very large files stay fast; the report month's themes and quotes use every comment. With
    ``cache_dir`` (``cfg.cache_dir``), comments redacted and scored in an earlier run are not scored
    again (the cache holds hashes and redacted text only).

    Returns
    -------
    Html
    """
    res = theme_results(scope, cache_dir=cache_dir)
    if res is None:
        return h.note(f"No comments in {scope.period_label}: the voice of the customer is left out.")
    parts = []
    if scope.dated:
        parts += _sentiment_chart(scope, months=months, max_per_month=max_per_month, seed=seed, cache_dir=cache_dir)
    now = res["now"]
    if res["impact"] is None:
        parts.append(h.note("No theme codebook is configured: theme volumes are left out."))
        return h.Html("".join(parts)) + h.quotes(comments.quotes(now, n=n_quotes)["quote"])
    table, shown = _theme_table(scope, res["impact"])
    parts += table
    for theme in shown["theme"].head(n_themes):
        q = comments.quotes(now, theme=theme, n=n_quotes)
        if len(q):
            parts.append(h.heading(scope.label(theme)))
            parts.append(h.quotes(q["quote"]))
    return h.Html("".join(parts))
