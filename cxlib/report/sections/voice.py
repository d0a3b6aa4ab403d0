"""The report's voice-of-the-customer section: themes and what they cost, sentiment, redacted quotes."""

from __future__ import annotations

import pandas as pd

from ... import comments, periods
from ...data import last_months, subset
from .. import html as h

__all__ = ["voice"]


def voice(data: pd.DataFrame, *, month: str, codebook=None, cache_dir=None, months: int = 13, n_quotes: int = 2,
          n_themes: int = 3, max_per_month: int = 3000, seed: int = 0) -> h.Html:
    """Theme volumes and their NPS impact, sentiment beside NPS, and redacted quotes per leading theme.

    The sentiment trend scores at most ``max_per_month`` randomly chosen responses a month (seeded), so
    that very large files stay fast; the report month's themes and quotes use every comment. With
    ``cache_dir`` (``cfg.cache_dir``), comments redacted and scored in an earlier run are not scored
    again (the cache holds hashes and redacted text only).

    Returns
    -------
    Html
    """
    import matplotlib.pyplot as plt

    from ...plots import plot_sentiment_trend, plot_theme_impact

    if "comment" not in data or data["comment"].notna().sum() == 0:
        return h.note("No comments are configured: the voice of the customer is left out.")
    window = last_months(data, month=month, months=months)
    month_of = window["responded_at"].dt.to_period("M")
    sampled = window.sample(frac=1.0, random_state=seed).groupby(month_of, sort=False).head(max_per_month)
    trend = comments.sentiment_trend(comments.annotate_comments(sampled.sort_index(), None, cache_dir=cache_dir))
    now = comments.annotate_comments(subset(data, month=month), codebook, cache_dir=cache_dir)
    parts = []
    fig, ax = plt.subplots(figsize=(8, 3.2))
    plot_sentiment_trend(trend, ax=ax)
    ax.set_title("Comment sentiment (VADER, mean with 95% CI) beside NPS")
    parts.append(h.figure(fig, alt="Sentiment trend beside NPS"))
    if len(sampled) < len(window):
        parts.append(h.note(f"Sentiment and NPS in this chart come from a random sample of up to "
                            f"{max_per_month:,} responses a month."))
    theme_cols = [c for c in now.columns if c.startswith(comments.PREFIX)]
    if not theme_cols:
        parts.append(h.note("No theme codebook is configured: theme volumes are left out."))
        q = comments.quotes(now, n=n_quotes)
        return h.Html("".join(parts)) + h.quotes(q["quote"])
    impact = comments.theme_impact(now, metric="nps")
    shown = impact[~impact["small_base"]]
    fig, ax = plt.subplots(figsize=(8, 0.35 * max(len(shown), 4) + 1))
    plot_theme_impact(shown, ax=ax)
    ax.set_title("NPS points lost to each theme's detractors (95% CI)")
    parts.append(h.figure(fig, alt="NPS points lost by theme"))
    rows = [{"Theme": r.theme.replace("_", " "), "Mentioned by": f"{r.share:.0%} (n = {int(r.n_mention):,})",
             "NPS if mentioned": h.fmt_score(r.score_with), "NPS if not": h.fmt_score(r.score_without),
             "NPS points lost": f"{r.points_lost:.1f} ({r.points_lost_ci_low:.1f} to {r.points_lost_ci_high:.1f})"}
            for r in shown.itertuples()]
    parts.append(h.table(pd.DataFrame(rows), caption=f"Themes in {periods.label(month)}'s comments "
                         f"(n = {int(impact['n'].iloc[0]):,} commenting respondents)"))
    for theme in shown["theme"].head(n_themes):
        q = comments.quotes(now, theme=theme, n=n_quotes)
        if len(q):
            parts.append(h.heading(theme.replace("_", " ").capitalize()))
            parts.append(h.quotes(q["quote"]))
    return h.Html("".join(parts))
