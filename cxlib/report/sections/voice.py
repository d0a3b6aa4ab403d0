"""The report's voice-of-the-customer section: themes and what they cost, the codebook's coverage,
emerging topics (the largest clusters of comments no theme tags), sentiment (learned or VADER, and
which), redacted quotes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ... import comments
from ...data import last_months, project_root, subset
from .. import html as h
from ..formats import score_format
from ._guard import section
from .context import ReportContext
from .pull import sample_months

__all__ = ["theme_results", "voice"]


def _sentiment_note(scope: ReportContext, model) -> str:
    """The body's plain sentence on how comments are scored; the method's name and figures go to the
    "How to read this report" note."""
    if model is None:
        scope.methods["sentiment"] = ("Sentiment: VADER (a general-purpose sentiment word list), its compound score "
                                      "from -1 to +1 averaged per month.")
        return ("Sentiment is scored with a general-purpose word list: its accuracy on these customers' "
                "comments has not been measured.")
    scope.methods["sentiment"] = f"Sentiment: {model.describe()}."
    return ("Sentiment is scored by a model learned from these customers' own comments; its measured accuracy is "
            "in \"How to read this report\".")


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
    fig, (ax, score_ax) = plt.subplots(2, 1, sharex=True, figsize=(8, 4.2))
    plot_sentiment_trend(trend, ax=ax, score_ax=score_ax, score_label=label)
    ax.set_title(f"Comment sentiment (mean with 95% CI) and {label} by month")
    last = trend.iloc[-1]
    parts = [h.figure(fig, alt=f"Comment sentiment by month beside {label}; latest mean sentiment "
                               f"{last['compound_mean']:+.2f} from {int(last['n_comments']):,} comments")]
    if cut and scope.table is not None:
        parts.append(h.note(f"Sentiment and {label} in this chart come from a fixed sample of up to "
                            f"{max_per_month:,} responses a month (a fixed sample spread over each month by a hash of the response id)."))
    elif cut:
        parts.append(h.note(f"Sentiment and {label} in this chart come from a random sample of up to "
                            f"{max_per_month:,} responses a month."))
    return parts


def _language_mix(scope: ReportContext, now: pd.DataFrame) -> list:
    """The languages of the month's comments: one sentence for one language, else a table with counts."""
    mix = comments.language_mix(now)
    if mix.empty:
        return []
    total = int(mix["n"].sum())
    if len(mix) == 1:
        return [h.note(f"All {total:,} comments of {scope.period_label} are in {mix['name'].iloc[0]}.")]
    rows = pd.DataFrame({"Language": mix["name"], "Comments": mix["n"].map("{:,}".format),
                         "Share": mix["share"].map("{:.0%}".format)})
    return [h.table(rows, caption=f"Languages of the comments of {scope.period_label} (n = {total:,})")]


def month_comments(scope: ReportContext) -> pd.DataFrame:
    """The report month's responses the comment analyses read: every one, except in the database path
    (``scope.table``), where at most ``engines.comment_sample`` comments are kept (a fixed sample spread over
    the month: the lowest hashes of the response ids, not the first ids, which would be the month's first
    days where ids follow time; responses without a comment all stay) and the cut is stated in About."""
    now = scope.now
    cap = scope.cfg.engines["comment_sample"]
    if scope.table is None or "comment" not in now:
        return now
    has = now["comment"].notna()
    if int(has.sum()) <= cap:
        return now

    def cut():
        said = now.index[has]
        if "response_id" in now:   # ordered on the two keys alone: the wide rows are copied once, when kept
            ids = now.loc[has, "response_id"]
            key = pd.util.hash_pandas_object(ids.astype(str), index=False).to_numpy()
            said = pd.DataFrame({"_key": key, "response_id": ids}).sort_values(
                ["_key", "response_id"], kind="stable").index
        kept = now.loc[~has | now.index.isin(said[:cap])]
        scope.data_notes.append(f"Themes, emerging topics, quotes and languages read {cap:,} of the "
                                f"{int(has.sum()):,} comments of {scope.period_label} (engines.comment_sample), a "
                                "fixed sample spread over the month by a hash of the response id.")
        return kept
    return scope.memo("month comments", cut)


def _month_themes(scope: ReportContext, now: pd.DataFrame, codebook) -> dict:
    """The month's annotated comments and, with a codebook, what each theme costs in the primary score."""
    impact = None
    if codebook is not None:
        metric = scope.primary
        impact = comments.theme_impact(now, metric=metric, scale=scope.cfg.scales.get(metric), weight=scope.weight,
                                       min_n=scope.min_n)
    return {"now": now, "impact": impact, "codebook": codebook}


def theme_results(scope: ReportContext, *, codebook=None, cache_dir=None, every_month: bool = False) -> dict | None:
    """The month's comments annotated (redacted, scored, tagged) and the theme impact in the primary score,
    once per report and codebook; None without comments.

    Parameters
    ----------
    codebook : str or Path, optional
        The theme codebook (relative paths resolve from the project root); default the config's (the
        report's). Its themes are tagged and costed; the result is kept per codebook.
    cache_dir : str or Path, optional
        As in :func:`cxlib.comments.annotate_comments`.
    every_month : bool, default False
        Also annotate every month of ``scope.data`` once (``every``, for analyses over time): the month's
        comments are then cut from it, so a notebook and the report section read one annotation (call this
        before :func:`voice`). In the database path the data hold the month only: ``every`` is then the
        month's comments as :func:`month_comments` keeps them (at most ``engines.comment_sample``).

    Returns
    -------
    dict or None
        ``codebook`` (the path used), ``now`` (the month's annotated responses), ``impact`` (:func:`cxlib.comments.theme_impact`; None
        without a codebook) and with ``every_month`` ``every`` (every response annotated); None when there
        is no comment at all (with ``every_month``: in any month; otherwise in the report month). With
        ``every_month`` and no comment in the report month, ``now`` and ``impact`` are None.
    """
    codebook = scope.cfg.codebook if codebook in (None, "") else Path(codebook)
    codebook = codebook if codebook is None or codebook.is_absolute() else project_root() / codebook
    book = scope.codebook if codebook == scope.cfg.codebook else comments.load_codebook(codebook)
    cache = None if cache_dir is None else Path(cache_dir)
    if "comment" not in scope.data or scope.data["comment"].notna().sum() == 0:
        return None
    in_month = scope.now["comment"].notna().sum() > 0
    if not every_month:
        return scope.memo("themes", lambda: _month_themes(scope, comments.annotate_comments(
            month_comments(scope), book, cache_dir=cache), codebook), codebook, cache) if in_month else None
    # in the database path the data are the month already: its comments as the section reads them (capped)
    rows = month_comments(scope) if scope.table is not None else scope.data
    every = scope.memo("comments every month", lambda: comments.annotate_comments(rows, book, cache_dir=cache),
                       codebook, cache)
    if not in_month:
        return {"codebook": codebook, "now": None, "impact": None, "every": every}
    month = scope.memo("themes", lambda: _month_themes(scope, every if not scope.dated or scope.table is not None
                                                       else subset(every, month=scope.month), codebook), codebook, cache)
    return {**month, "every": every}


def _theme_table(scope: ReportContext, impact: pd.DataFrame) -> tuple[list, pd.DataFrame]:
    fmt, name = score_format(scope.primary), scope.label(scope.primary)
    shown = impact[~impact["small_base"]]
    if shown.empty:
        return [h.note(f"Every theme has fewer than {scope.min_n} comments mentioning it (or not mentioning it) "
                       f"in {scope.period_label}: no theme's cost can be told from noise.")], shown
    parts = _theme_charts(scope, shown, name, fmt.unit)
    rows = [{"Theme": scope.label(r.theme), "Mentioned by": f"{r.share:.0%} (n = {int(r.n_mention):,})",
             f"{name} if mentioned": fmt.value(r.score_with), f"{name} if not": fmt.value(r.score_without),
             f"{name} {fmt.unit} lost": "none: a higher score" if r.diff > 0 else
             f"{r.points_lost:.1f} ({r.points_lost_ci_low:.1f} to {r.points_lost_ci_high:.1f})"}
            for r in shown.itertuples()]
    cols = ["theme", "n_mention", "share", "score_with", "score_without", "diff", "diff_ci_low", "diff_ci_high",
            "points_lost", "points_lost_ci_low", "points_lost_ci_high"]
    scope.keep_table("themes", f"Themes in the comments of {scope.period_label}: {name} if mentioned and not",
                     shown[[c for c in cols if c in shown]].assign(theme=shown["theme"].map(scope.label)))
    parts.append(h.table(pd.DataFrame(rows), caption=f"Themes in the comments of {scope.period_label} "
                         f"(n = {int(impact['n'].iloc[0]):,} commenting respondents)"))
    return parts, shown


def _theme_charts(scope: ReportContext, shown: pd.DataFrame, name: str, unit: str) -> list:
    """Themes that cost the score (points lost) and themes that go with a higher score (the gap), apart:
    praise is never drawn as a loss; a group of one theme is a sentence, not a one-bar chart."""
    import matplotlib.pyplot as plt

    from ...plots import plot_theme_impact

    named = shown.assign(theme=shown["theme"].map(scope.label))
    costs, gains = named[named["diff"] < 0], named[named["diff"] > 0].sort_values("diff", ascending=False)
    parts = []
    for group, x, title, color in ((costs, "points_lost", f"{name} {unit} lost to each theme (95% CI)", "cost"),
                                   (gains, "diff", f"Themes that go with a higher {name} (95% CI)", "gain")):
        if len(group) == 1:
            r = group.iloc[0]
            value = r.points_lost if color == "cost" else r["diff"]
            what = f"costs about {value:.1f} {unit}" if color == "cost" else \
                f"goes with a {name} {value:.0f} {unit} higher among those who mention it"
            parts.append(h.note(f"One theme {'costs' if color == 'cost' else 'lifts'} {name}: "
                                f"{h.safe_label(r.theme)} {what}."))
        elif len(group) > 1:
            fig, ax = plt.subplots(figsize=(6.4, 0.4 * max(len(group), 3) + 1.2))
            ci = (f"{x}_ci_low", f"{x}_ci_high")
            plot_theme_impact(group, x=x, ci=ci, ax=ax)
            ax.set_xlabel(f"{name} {unit} lost" if color == "cost" else f"{name} {unit} higher among those who mention it")
            ax.set_title(title)
            first = group.iloc[0]
            parts.append(h.figure(fig, alt=f"{title}: the largest, {first.theme}, "
                                           f"{first[x]:.1f} {unit}"))
    return parts


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
    several = len({code for codes in top["quote_languages"] for code in codes}) > 1
    for i, r in enumerate(top.itertuples()):
        parts.append(h.heading(rows[i]["Topic"].capitalize()))
        shown = [f"{q} ({comments.LANGUAGE_NAMES.get(code, code)})" if several else q
                 for q, code in zip(r.quotes[:n_quotes], r.quote_languages)]
        parts.append(h.quotes(shown))
    return parts


def _emerging(scope: ReportContext, codebook, *, cache_dir, n_topics: int, n_quotes: int, min_comments: int,
              seed: int) -> list:
    """The codebook's coverage this period and the largest clusters of the comments it does not tag."""
    now = month_comments(scope)
    opts = {"seed": seed, "cache_dir": cache_dir, "brand_words": scope.cfg.comments["brand_words"],
            "score": scope.primary, "language": scope.cfg.comments["label_language"]}
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
def voice(scope: ReportContext, *, codebook=None, cache_dir=None, months: int = 13, n_quotes: int = 2,
          n_themes: int = 3, n_emerging: int = 3, min_uncoded: int = 30, max_per_month: int = 3000,
          seed: int = 0) -> h.Html:
    """Theme volumes and what they cost in the primary score, the codebook's coverage and emerging
    topics, sentiment beside the primary score, the languages of the comments (with counts), and
    redacted quotes per leading theme, by the config's codebook (or ``codebook``, see :func:`theme_results`).

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
    res = theme_results(scope, codebook=codebook, cache_dir=cache_dir)
    if res is None:
        return h.note(f"No comments in {scope.period_label}: the voice of the customer is left out.")
    model_file = scope.cfg.comments["sentiment_model"]
    model = comments.load_sentiment_model(model_file) if model_file is not None else None
    parts = []
    if scope.dated:
        parts += _sentiment_chart(scope, model=model, months=months, max_per_month=max_per_month, seed=seed,
                                  cache_dir=cache_dir)
    parts.append(h.note(_sentiment_note(scope, model)))
    emerging = _emerging(scope, res["codebook"], cache_dir=cache_dir, n_topics=n_emerging, n_quotes=n_quotes,
                         min_comments=min_uncoded, seed=seed)
    now = res["now"]
    parts += _language_mix(scope, now)
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
