"""The report's voice-of-the-customer section: themes and what they cost, the codebook's coverage,
emerging topics (the largest clusters of comments no theme tags), sentiment (learned or VADER, and
which), redacted quotes."""

from __future__ import annotations

import pandas as pd

from ... import comments, periods
from ...data import last_months, subset
from .. import html as h

__all__ = ["voice"]


def _sentiment_note(model) -> str:
    if model is None:
        return ("Sentiment is scored by VADER, a general-purpose word list: its accuracy on these customers' "
                "comments has not been measured.")
    return f"Sentiment: {model.describe()}."


def _topics(found, n_topics: int, n_quotes: int, what: str) -> list:
    """The largest clusters as a table (terms, size, share, mean score) and two quotes each."""
    top = found.themes.head(n_topics)
    rows = [{"Topic": ", ".join(r.terms.split(", ")[:4]) or f"topic {r.theme}",
             "Comments": f"{int(r.n):,}", "Share of all comments": f"{r.share:.0%}",
             "Mean likelihood to recommend (0-10)": f"{r.score_mean:.1f} ({r.score_ci_low:.1f} to {r.score_ci_high:.1f})"}
            for r in top.itertuples()]
    parts = [h.table(pd.DataFrame(rows), caption=what)]
    for r in top.itertuples():
        parts.append(h.heading(rows[r.Index]["Topic"].capitalize()))
        parts.append(h.quotes(r.quotes[:n_quotes]))
    return parts


def _emerging(now: pd.DataFrame, codebook, *, cache_dir, brand_words, n_topics: int, n_quotes: int,
              min_comments: int, seed: int) -> list:
    """The codebook's coverage this month and the largest clusters of the comments it does not tag."""
    opts = {"seed": seed, "cache_dir": cache_dir, "brand_words": brand_words}
    parts = []
    if codebook is None:
        n_left = int((now["comment"].fillna("").str.strip() != "").sum())
        what = "Topics in this month's comments (no codebook is configured)"
    else:
        cov = comments.codebook_coverage(now, codebook).iloc[0]
        n_left = int(cov["n"] - cov["n_tagged"])
        what = "Emerging topics: the largest groups of this month's comments that no codebook theme tags"
        parts.append(h.note(f"The codebook's themes cover {cov['coverage']:.0%} of this month's comments "
                            f"({int(cov['n_tagged']):,} of {int(cov['n']):,}; 95% CI {cov['ci_low']:.0%} to "
                            f"{cov['ci_high']:.0%})."))
    if n_left < min_comments:
        return parts + [h.note(f"Emerging topics are left out: {n_left} comments without a theme this month "
                               f"(fewer than {min_comments}).")]
    found = (comments.discover_themes(now, **opts) if codebook is None
             else comments.uncoded_themes(now, codebook, **opts))
    return [h.heading("Emerging topics")] + parts + _topics(found, n_topics, n_quotes, what)


def voice(data: pd.DataFrame, *, month: str, codebook=None, cache_dir=None, sentiment_model=None, brand_words=(),
          months: int = 13, n_quotes: int = 2, n_themes: int = 3, n_emerging: int = 3, min_uncoded: int = 30,
          max_per_month: int = 3000, seed: int = 0) -> h.Html:
    """Theme volumes and their NPS impact, the codebook's coverage and emerging topics, sentiment beside NPS,
    and redacted quotes per leading theme.

    The sentiment trend scores at most ``max_per_month`` randomly chosen responses a month (seeded), so
    that very large files stay fast; the report month's themes, topics and quotes use every comment. With
    ``cache_dir`` (``cfg.cache_dir``), comments redacted, scored and embedded in an earlier run are not
    processed again (the caches hold hashes, redacted text and vectors only). ``sentiment_model``
    (``cfg.comments["sentiment_model"]``) replaces VADER by a learned model; the section says which
    sentiment was used and its measured accuracy. Emerging topics: the ``n_emerging`` largest clusters
    of this month's comments that no codebook theme tags (see :func:`cxlib.comments.uncoded_themes`),
    with ``brand_words`` stripped, when at least ``min_uncoded`` such comments exist.

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
    model = comments.load_sentiment_model(sentiment_model) if sentiment_model is not None else None
    scored = comments.annotate_comments(sampled.sort_index(), None, cache_dir=cache_dir)
    if model is not None:
        scored = comments.predict_sentiment(scored, model, cache_dir=cache_dir, brand_words=brand_words)
    trend = comments.sentiment_trend(scored)
    raw_now = subset(data, month=month)
    now = comments.annotate_comments(raw_now, codebook, cache_dir=cache_dir)
    parts = []
    fig, ax = plt.subplots(figsize=(8, 3.2))
    plot_sentiment_trend(trend, ax=ax)
    kind = "learned, P(positive) - P(negative)" if model is not None else "VADER"
    ax.set_title(f"Comment sentiment ({kind}, mean with 95% CI) beside NPS")
    parts.append(h.figure(fig, alt="Sentiment trend beside NPS"))
    parts.append(h.note(_sentiment_note(model)))
    if len(sampled) < len(window):
        parts.append(h.note(f"Sentiment and NPS in this chart come from a random sample of up to "
                            f"{max_per_month:,} responses a month."))
    emerging = _emerging(raw_now, codebook, cache_dir=cache_dir, brand_words=brand_words, n_topics=n_emerging,
                         n_quotes=n_quotes, min_comments=min_uncoded, seed=seed)
    theme_cols = [c for c in now.columns if c.startswith(comments.PREFIX)]
    if not theme_cols:
        parts.append(h.note("No theme codebook is configured: theme volumes are left out."))
        q = comments.quotes(now, n=n_quotes)
        return h.Html("".join(parts)) + h.quotes(q["quote"]) + h.Html("".join(emerging))
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
    return h.Html("".join(parts + emerging))
