"""The report's voice-of-the-customer section: themes and what they cost, the codebook's coverage,
emerging topics (the largest clusters of comments no theme tags), sentiment (learned or VADER, and
which), redacted quotes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ... import comments
from ...data import last_months
from .. import html as h
from ..formats import score_format
from ._guard import section
from .context import ReportContext
from .pull import sample_months

__all__ = ["theme_results", "voice"]


def _sentiment_note(model) -> str:
    if model is None:
        return ("Sentiment is scored by VADER, a general-purpose word list: its accuracy on these customers' "
                "comments has not been measured.")
    return f"Sentiment: {model.describe()}."


def _sentiment_rows(scope: ReportContext, *, months: int, max_per_month: int, seed: int) -> tuple[pd.DataFrame, bool]:
    """Up to ``max_per_month`` responses a month of the last ``months`` months (a seeded random sample of
    the rows; in the database, a fixed sample pulled as rows), and whether any month was cut."""
    if scope.table is not None:
        return scope.memo("sentiment rows", lambda: sample_months(
            scope.table, month=scope.month, months=months, per_month=max_per_month,
            columns=["comment", scope.primary], limit=scope.cfg.engines["max_rows"]), months, max_per_month)
    window = last_months(scope.data, month=scope.month, months=months)
    month_of = window["responded_at"].dt.to_period("M")
    sampled = window.sample(frac=1.0, random_state=seed).groupby(month_of, sort=False).head(max_per_month)
    return sampled.sort_index(), len(sampled) < len(window)


def _sentiment_chart(scope: ReportContext, *, model, months: int, max_per_month: int, seed: int,
                     cache_dir) -> list:
    """Sentiment by month beside the primary score, on a seeded sample of up to ``max_per_month`` a month."""
    import matplotlib.pyplot as plt

    from ...plots import plot_sentiment_trend

    sampled, cut = _sentiment_rows(scope, months=months, max_per_month=max_per_month, seed=seed)
    scored = comments.annotate_comments(sampled, None, cache_dir=cache_dir)
    if model is not None:
        scored = comments.predict_sentiment(scored, model, cache_dir=cache_dir,
                                            brand_words=scope.cfg.comments["brand_words"])
    metric = scope.primary
    trend = comments.sentiment_trend(scored, metric=metric, scale=scope.cfg.scales.get(metric), min_n=scope.min_n)
    if len(trend) < 2:
        return [h.note("First month of comments: no sentiment trend to draw yet.")]
    label = scope.label(metric)
    kind = "learned, P(positive) - P(negative)" if model is not None else "VADER"
    fig, ax = plt.subplots(figsize=(8, 3.2))
    plot_sentiment_trend(trend, ax=ax)
    ax.set_title(f"Comment sentiment ({kind}, mean with 95% CI) beside {label}")
    last = trend.iloc[-1]
    parts = [h.figure(fig, alt=f"Comment sentiment by month beside {label}; latest mean sentiment "
                               f"{last['compound_mean']:+.2f} from {int(last['n_comments']):,} comments")]
    if cut and scope.table is not None:
        parts.append(h.note(f"Sentiment and {label} in this chart come from a fixed sample of up to "
                            f"{max_per_month:,} responses a month (the first by response id)."))
    elif cut:
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
                                           weight=scope.weight, min_n=scope.min_n)
        return {"now": now, "impact": impact}
    return scope.memo("themes", compute, None if cache_dir is None else Path(cache_dir))


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


def _score_column(scope: ReportContext) -> tuple[str, object]:
    """The topic table's score column heading and a formatter of a topic's mean, interval and base."""
    metric, min_n = scope.primary, scope.min_n
    if metric == "nps":
        heading, fmt = "Mean likelihood to recommend (0-10)", "{:.1f}"
    elif metric == "recommend":
        heading, fmt = f"{scope.label(metric)}: share saying yes", "{:.0%}"
    else:
        scale = scope.cfg.scales.get(metric)
        rng = f" ({scale.min:g}-{scale.max:g})" if scale is not None else ""
        heading, fmt = f"Mean {scope.label(metric)}{rng}", "{:.1f}"

    def cell(r) -> str:
        if r.n_score < min_n:
            return f"n = {int(r.n_score)}: too few to tell"
        return (f"{fmt.format(r.score_mean)} ({fmt.format(r.score_ci_low)} to {fmt.format(r.score_ci_high)}; "
                f"n = {int(r.n_score):,})")
    return heading, cell


def _topics(scope: ReportContext, found, n_topics: int, n_quotes: int, what: str) -> list:
    """The largest clusters as a table (terms, size, share, mean score) and quotes for each."""
    heading, cell = _score_column(scope)
    top = found.themes.head(n_topics).reset_index(drop=True)
    rows = [{"Topic": ", ".join(r.terms.split(", ")[:4]) or f"topic {r.theme}",
             "Comments": f"{int(r.n):,}", "Share of all comments": f"{r.share:.0%}", heading: cell(r)}
            for r in top.itertuples()]
    parts = [h.table(pd.DataFrame(rows), caption=what)]
    for i, r in enumerate(top.itertuples()):
        parts.append(h.heading(rows[i]["Topic"].capitalize()))
        parts.append(h.quotes(r.quotes[:n_quotes]))
    return parts


def _emerging(scope: ReportContext, *, cache_dir, n_topics: int, n_quotes: int, min_comments: int,
              seed: int) -> list:
    """The codebook's coverage this period and the largest clusters of the comments it does not tag."""
    now, codebook = scope.now, scope.cfg.codebook
    opts = {"seed": seed, "cache_dir": cache_dir, "brand_words": scope.cfg.comments["brand_words"],
            "score": scope.primary}
    parts = []
    if codebook is None:
        n_left = int((now["comment"].fillna("").astype(str).str.strip() != "").sum())
        what = f"Topics in the comments of {scope.period_label} (no codebook is configured)"
    else:
        cov = comments.codebook_coverage(now, codebook).iloc[0]
        n_left = int(cov["n"] - cov["n_tagged"])
        what = (f"Emerging topics: the largest groups of the comments of {scope.period_label} that no codebook "
                "theme tags")
        parts.append(h.note(f"The codebook's themes cover {cov['coverage']:.0%} of the comments of "
                            f"{scope.period_label} ({int(cov['n_tagged']):,} of {int(cov['n']):,}; 95% CI "
                            f"{cov['ci_low']:.0%} to {cov['ci_high']:.0%})."))
    if n_left < min_comments:
        return parts + [h.note(f"Emerging topics are left out: {n_left} comments without a theme in "
                               f"{scope.period_label} (fewer than {min_comments}).")]
    found = (comments.discover_themes(now, **opts) if codebook is None
             else comments.uncoded_themes(now, codebook, **opts))
    return [h.heading("Emerging topics")] + parts + _topics(scope, found, n_topics, n_quotes, what)


@section('Voice of the customer')
def voice(scope: ReportContext, *, cache_dir=None, months: int = 13, n_quotes: int = 2, n_themes: int = 3,
          n_emerging: int = 3, min_uncoded: int = 30, max_per_month: int = 3000, seed: int = 0) -> h.Html:
    """Theme volumes and what they cost in the primary score, the codebook's coverage and emerging
    topics, sentiment beside the primary score, and redacted quotes per leading theme.

    The sentiment trend scores at most ``max_per_month`` randomly chosen responses a month (seeded), so
    that very large files stay fast; the report month's themes, topics and quotes use every comment. With
    ``cache_dir`` (``cfg.cache_dir``), comments redacted, scored and embedded in an earlier run are not
    processed again (the caches hold hashes, redacted text and vectors only). ``cfg.comments["sentiment_model"]``
    (a model file) replaces VADER by a learned model; the section says which
    sentiment was used and its measured accuracy. Emerging topics: the ``n_emerging`` largest clusters
    of this month's comments that no codebook theme tags (see :func:`cxlib.comments.uncoded_themes`),
    with ``cfg.comments["brand_words"]`` stripped, when at least ``min_uncoded`` such comments exist.

    Returns
    -------
    Html
    """
    res = theme_results(scope, cache_dir=cache_dir)
    if res is None:
        return h.note(f"No comments in {scope.period_label}: the voice of the customer is left out.")
    model_file = scope.cfg.comments["sentiment_model"]
    model = comments.load_sentiment_model(model_file) if model_file is not None else None
    parts = []
    if scope.dated:
        parts += _sentiment_chart(scope, model=model, months=months, max_per_month=max_per_month, seed=seed,
                                  cache_dir=cache_dir)
    parts.append(h.note(_sentiment_note(model)))
    emerging = _emerging(scope, cache_dir=cache_dir, n_topics=n_emerging, n_quotes=n_quotes,
                         min_comments=min_uncoded, seed=seed)
    now = res["now"]
    failed = int(now["analysed"].eq(False).sum()) if "analysed" in now else 0     # NA (no comment) is not a failure
    if failed:
        parts.append(h.note(f"{failed:,} comment(s) could not be analysed (unreadable text) and are left out of "
                            "themes, sentiment and quotes."))
    if res["impact"] is None:
        parts.append(h.note("No theme codebook is configured: theme volumes are left out."))
        return (h.Html("".join(parts)) + h.quotes(comments.quotes(now, n=n_quotes)["quote"])
                + h.Html("".join(emerging)))
    table, shown = _theme_table(scope, res["impact"])
    parts += table
    for theme in shown["theme"].head(n_themes):
        q = comments.quotes(now, theme=theme, n=n_quotes)
        if len(q):
            parts.append(h.heading(scope.label(theme)))
            parts.append(h.quotes(q["quote"]))
    return h.Html("".join(parts + emerging))
