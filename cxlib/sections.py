"""The monthly report's sections: each call analyses, draws and words one section as safe HTML.

The report notebook stays thin: one call per section. Every number shown comes from the analysis
modules (``metrics``, ``changes``, ``drivers``, ``text``, ``ops``, ``churn``); this module only chooses
what to show and formats it through :mod:`cxlib.narrative`. Sections whose data are not configured come
back as a one-line note.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from . import changes, dataset, metrics
from . import narrative as nv

__all__ = ["headline", "what_changed", "trends", "segment_table", "drivers", "voice", "operations", "score_customers", "about",
           "usable_segments", "LABELS"]

LABELS = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}
_FMT = {"nps": {"digits": 0}, "csat": {"digits": 0, "signed": False}, "ces": {"digits": 2, "signed": False}}
_UNIT = {"nps": "pts", "csat": "pts", "ces": "points"}


def _present(data: pd.DataFrame) -> list[str]:
    return [m for m in LABELS if m in data and data[m].notna().any()]


def _month_name(month) -> str:
    return pd.Period(month, freq="M").strftime("%b %Y")


def usable_segments(data: pd.DataFrame, segments, *, max_levels: int = 12) -> list[str]:
    """Segments worth cutting: present, with 2 to ``max_levels`` distinct values.

    Examples
    --------
    >>> usable_segments(pd.DataFrame({"a": ["x", "y"], "b": ["z", "z"]}), ["a", "b", "c"])
    ['a']
    """
    return [s for s in segments if s in data and 2 <= data[s].nunique() <= max_levels]


def headline(data: pd.DataFrame, *, month: str, scales: dict, min_n: int = 30) -> nv.Html:
    """KPI cards: each score for the month with its CI and n, and its change vs last month and last year.

    Returns
    -------
    Html
        One card per score present in the data.
    """
    items = []
    now = dataset.subset(data, month=month)
    for m in _present(data):
        kw = {"scale": scales.get(m)} if m in scales else {}
        row = getattr(metrics, m)(now, min_n=min_n, **kw).iloc[0]
        value_col = m
        fmt = _FMT[m]
        if row["n"] == 0 or pd.isna(row[value_col]):
            items.append({"label": LABELS[m], "value": "–", "details": [f"base too small (n = {int(row['n'])})"]})
            continue
        details = [f"95% CI {nv.fmt_ci(row['ci_low'], row['ci_high'], **fmt)} · n = {int(row['n']):,}"]
        tone = "flat"
        for base, label in (("previous", "last month"), ("year_ago", "same month last year")):
            try:
                cmp = changes.compare(data, metric=m, period=month, baseline=base, min_n=min_n, **kw).iloc[0]
            except (ValueError, KeyError):
                details.append(f"vs {label}: no data")
                continue
            if not bool(cmp.get("tested", True)):
                details.append(f"vs {label}: base too small to compare")
                continue
            change = nv.fmt_change(cmp["diff"], cmp["p_value"], bool(cmp["significant"]), unit=_UNIT[m],
                                   digits=fmt["digits"])
            details.append(f"vs {label} ({_month_name(cmp['baseline'])}): {change}")
            if base == "previous" and bool(cmp["significant"]):
                tone = "up" if cmp["diff"] > 0 else "down"
        if bool(row["small_base"]):
            details.append(f"small base (n < {min_n}): read with care")
        value = nv.fmt_score(row[value_col], **fmt) + ("%" if m == "csat" else "")
        items.append({"label": LABELS[m] + (" (% satisfied)" if m == "csat" else " (mean)" if m == "ces" else ""),
                      "value": value, "details": details, "tone": tone})
    return nv.cards(items)


def what_changed(data: pd.DataFrame, *, month: str, segments, journey: str | None = "touchpoint",
                 metric: str = "nps", min_n: int = 30) -> nv.Html:
    """Plain-language summary of the Holm-adjusted segment comparisons for the month.

    Each segment (and each segment × journey-stage cell) is compared with its own average over the
    three previous months, a steadier baseline than one month.

    Returns
    -------
    Html
        Bullet sentences: real moves with size, CI and bases; then what moved within noise.
    """
    by = usable_segments(data, segments)
    if not by:
        return nv.note("No segments are configured: the comparison by segment is left out.")
    cells = [(s, journey) for s in by if journey in by and s != journey][:1]
    table = changes.what_changed(data, month=month, by=by, cells=cells, metric=metric,
                                 baseline="previous_3", min_n=min_n)
    sentences = changes.summarize_changes(table, metric=LABELS[metric])
    intro = nv.note(f"Each segment in {_month_name(month)} against its own average of the three months "
                    f"before; significance is Holm-adjusted across all {int(table['tested'].sum())} "
                    f"comparisons, so chance movements are not reported as real.")
    return nv.bullets(sentences) + intro


def trends(data: pd.DataFrame, *, month: str, scales: dict, months: int = 24, min_n: int = 30) -> nv.Html:
    """The last ``months`` months of each score with 95% CI bands, as one chart.

    Returns
    -------
    Html
        An embedded PNG chart (and a note on months with small bases).
    """
    import matplotlib.pyplot as plt

    from .plots import scores as splots

    end = pd.Period(month, freq="M")
    window = dataset.subset(data, months=[str(end - k) for k in range(months)])
    present = _present(data)
    fig, axes = plt.subplots(len(present), 1, figsize=(8, 2.6 * len(present)), sharex=True, squeeze=False)
    for ax, m in zip(axes[:, 0], present):
        kw = {"scale": scales.get(m)} if m in scales else {}
        tr = changes.trend(window, metric=m, min_n=min_n, **kw)
        splots.plot_trend(tr, y=m, ax=ax)
        ax.set_title(f"{LABELS[m]} by month, with 95% confidence band")
    return nv.figure(fig, alt="Score trends with confidence bands")


def segment_table(data: pd.DataFrame, *, month: str, segments, min_n: int = 30,
                  metric: str = "nps", scales: dict | None = None) -> nv.Html:
    """The month's score by every segment value, small bases suppressed.

    Returns
    -------
    Html
        A table: Segment, Value, score, 95% CI, n (a score with n < ``min_n`` is shown as "–").
    """
    now = dataset.subset(data, month=month)
    kw = {"scale": scales[metric]} if scales and metric in scales else {}
    rows = []
    for seg in usable_segments(now, segments):
        t = getattr(metrics, metric)(now.dropna(subset=[seg]), by=seg, min_n=min_n, suppress=True, **kw)
        fmt = _FMT[metric]
        for r in t.itertuples(index=False):
            r = r._asdict()
            shown = not r["small_base"] and pd.notna(r[metric])
            rows.append({"Segment": seg, "Value": r[seg],
                         LABELS[metric]: nv.fmt_score(r[metric], **fmt) if shown else "–",
                         "95% CI": nv.fmt_ci(r["ci_low"], r["ci_high"], **fmt) if shown else f"base too small",
                         "n": f"{int(r['n']):,}"})
    if not rows:
        return nv.note("No segments are configured.")
    return nv.table(pd.DataFrame(rows),
                    caption=f"{LABELS[metric]} by segment, {_month_name(month)} (n < {min_n}: suppressed)")


def _window(data: pd.DataFrame, month: str, months: int) -> pd.DataFrame:
    end = pd.Period(month, freq="M")
    return dataset.subset(data, months=[str(end - k) for k in range(months)])


def drivers(data: pd.DataFrame, *, month: str, drivers: list[str], outcome: str = "nps", months: int = 3,
            bootstrap: int = 200, seed: int = 0) -> nv.Html:
    """What drives the score over the last ``months`` months: importance vs performance and "fix first".

    Returns
    -------
    Html
        The importance–performance chart, the importance bars with bootstrap CIs, and the "fix first" list.
    """
    import matplotlib.pyplot as plt

    from . import drivers as drv
    from .plots import drivers as dplots

    if not drivers:
        return nv.note("No attribute ratings (drivers) are configured: the driver analysis is left out.")
    window = _window(data, month, months)
    imp = drv.relative_importance(window, outcome=outcome, drivers=drivers, bootstrap=bootstrap, seed=seed)
    ipa = drv.importance_performance(window, outcome=outcome, drivers=drivers, importance=imp)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    dplots.plot_importance(imp, ax=axes[0])
    axes[0].set_title("Share of explained variation (95% CI)")
    dplots.plot_importance_performance(ipa, ax=axes[1])
    axes[1].set_title("Importance vs performance")
    fig.tight_layout()
    r2, n = imp["r2"].iloc[0], int(imp["n"].iloc[0])
    first = ipa[ipa["quadrant"] == "fix first"]
    lines = [f"{r.driver.replace('_', ' ')}: {r.share:.0%} of what the ratings explain; rated "
             f"{r.performance:.2f} (95% CI {r.performance_ci_low:.2f} to {r.performance_ci_high:.2f}), "
             f"below the average of the drivers ({r.performance_cut:.2f})." for r in first.itertuples()]
    intro = nv.note(f"Exact Shapley (LMG) decomposition of R² = {r2:.2f} for {LABELS.get(outcome, outcome)} over "
                    f"{n:,} responses ({months} months to {_month_name(month)}); CIs from {bootstrap} "
                    f"bootstrap resamples.")
    fix = (nv.Html("<h3>Fix first: important and weak</h3>") + nv.bullets(lines)) if lines else \
        nv.note("No driver is both important and weak this period.")
    return nv.figure(fig, alt="Driver importance and importance-performance chart") + intro + fix


def voice(data: pd.DataFrame, *, month: str, codebook=None, months: int = 13, n_quotes: int = 2,
          n_themes: int = 3) -> nv.Html:
    """Theme volumes and their NPS impact, sentiment beside NPS, and redacted quotes per leading theme.

    Returns
    -------
    Html
    """
    import matplotlib.pyplot as plt

    from . import text, themes
    from .plots import text as tplots

    if "comment" not in data or data["comment"].notna().sum() == 0:
        return nv.note("No comments are configured: the voice of the customer is left out.")
    ann = text.annotate_comments(_window(data, month, months), codebook)
    now = dataset.subset(ann, month=month)
    parts = []
    trend = themes.sentiment_trend(ann)
    fig, ax = plt.subplots(figsize=(8, 3.2))
    tplots.plot_sentiment_trend(trend, ax=ax)
    ax.set_title("Comment sentiment (VADER, mean with 95% CI) beside NPS")
    parts.append(nv.figure(fig, alt="Sentiment trend beside NPS"))
    theme_cols = [c for c in now.columns if c.startswith("theme_")]
    if not theme_cols:
        parts.append(nv.note("No theme codebook is configured: theme volumes are left out."))
        q = text.quotes(now, n=n_quotes)
        return nv.Html("".join(parts)) + nv.quotes(q["quote"])
    impact = themes.theme_impact(now)
    shown = impact[~impact["small_base"]] if "small_base" in impact else impact
    fig, ax = plt.subplots(figsize=(8, 0.35 * max(len(shown), 4) + 1))
    tplots.plot_theme_impact(shown, ax=ax)
    ax.set_title("NPS points lost to each theme's detractors (95% CI)")
    parts.append(nv.figure(fig, alt="NPS points lost by theme"))
    rows = [{"Theme": r.theme.replace("_", " "), "Mentioned by": f"{r.share:.0%} (n = {int(r.n_mention):,})",
             "NPS if mentioned": nv.fmt_score(r.score_with), "NPS if not": nv.fmt_score(r.score_without),
             "NPS points lost": f"{r.points_lost:.1f} ({r.points_lost_ci_low:.1f} to {r.points_lost_ci_high:.1f})"}
            for r in shown.itertuples()]
    parts.append(nv.table(pd.DataFrame(rows), caption=f"Themes in {_month_name(month)}'s comments "
                          f"(n = {int(impact['n'].iloc[0]):,} commenting respondents)"))
    for theme in shown["theme"].head(n_themes):
        q = text.quotes(now, theme=theme, n=n_quotes)
        if len(q):
            parts.append(nv.Html(f"<h3>{nv.escape(theme.replace('_', ' ').capitalize())}</h3>"))
            parts.append(nv.quotes(q["quote"]))
    return nv.Html("".join(parts))


def operations(data: pd.DataFrame, tickets: pd.DataFrame | None, accounts: pd.DataFrame | None, *,
               month: str, segment: str | None = None, months: int = 6, min_n: int = 30) -> nv.Html:
    """Handoffs against satisfaction (tickets) and churn risk and revenue at risk by segment (accounts).

    Only aggregates: no customer appears here (the follow-up list goes to a CSV beside the report).

    Returns
    -------
    Html
    """
    from . import ops

    parts = []
    if tickets is None or "ticket_id" not in data:
        parts.append(nv.note("No ticket data are configured: resolution time and handoffs are left out."))
    else:
        joined = ops.support_journeys(_window(data, month, months), tickets)
        effects = ops.handoff_effects(joined)
        parts.append(nv.Html(f"<h3>Handoffs and satisfaction ({months} months to {_month_name(month)})</h3>"))
        parts.append(nv.bullets(list(effects["statement"])))
        table = ops.ops_effect_table(joined, factor="handoffs", metric="csat", min_n=min_n)
        rows = [{"Handoffs": r.level, "n": f"{int(r.n):,}",
                 "Mean CSAT": "–" if r.small_base else f"{r.mean:.2f} ({r.ci_low:.2f} to {r.ci_high:.2f})",
                 "vs no handoff": "–" if r.small_base or r.level == table["level"].iloc[0]
                 else f"{r.diff:+.2f} ({r.diff_ci_low:+.2f} to {r.diff_ci_high:+.2f})"}
                for r in table.itertuples()]
        parts.append(nv.table(pd.DataFrame(rows), caption="Mean CSAT by number of handoffs on the ticket (95% CI)"))
    if accounts is None:
        parts.append(nv.note("No account data are configured: churn risk and revenue at risk are left out."))
    else:
        parts.append(_money(data, tickets, accounts, month=month, segment=segment, min_n=min_n))
    return nv.Html("".join(parts))


CHURN_FEATURES = ["nps_category", "handoffs_total", "slow_tickets", "plan", "tenure_years"]


def score_customers(responses: pd.DataFrame, tickets: pd.DataFrame | None, accounts: pd.DataFrame, *,
                    month: str, segment: str | None = None, seed: int = 0):
    """Health scores and churn probabilities per customer as of the end of ``month``.

    Customer-level (personal) data: for the follow-up CSV and aggregates, never for the HTML as is.

    Returns
    -------
    (pandas.DataFrame, ChurnModel)
        :func:`cxlib.health.health_scores` columns plus ``churn_probability``; and the fitted model.
    """
    from . import churn

    as_of = pd.Period(month, freq="M").end_time.normalize()
    if segment:
        parts = dataset._parse_segment(segment)
        keep = [c for c in parts if c in accounts]
        accounts = dataset.subset(accounts, segment={c: parts[c] for c in keep}) if keep else \
            accounts[accounts["customer_id"].isin(responses["customer_id"])]
    scored = churn.health_scores(responses, tickets, accounts, as_of=as_of)
    features = [f for f in CHURN_FEATURES if f in scored and scored[f].notna().any()]
    model = churn.fit_churn_model(scored, features=features, seed=seed)
    return scored.assign(churn_probability=model.predict(scored)), model


def _money(data, tickets, accounts, *, month, segment, min_n):
    import matplotlib.pyplot as plt

    from . import churn
    from .plots import churn as cplots

    scored, model = score_customers(data, tickets, accounts, month=month, segment=segment)
    active = scored[~scored["churned"].fillna(False).astype(bool)] if "churned" in scored else scored
    by = "region" if "region" in active and active["region"].nunique() > 1 else None
    rar = churn.revenue_at_risk(active, by=by, min_n=min_n)
    total = rar.iloc[-1]
    gain = model.comparison
    lines = [
        f"Expected annual revenue lost to churn among current customers: {total.expected_loss:,.0f} "
        f"(95% range {total.loss_ci_low:,.0f} to {total.loss_ci_high:,.0f}), {total.share_at_risk:.1%} of "
        f"{total.revenue:,.0f} across {int(total.n):,} customers.",
        f"The churn model ranks customers with a held-out AUC of {model.auc:.2f} (0.5 = chance) and a "
        f"Brier score of {model.brier:.3f}; trained on {model.n_train:,}, tested on {model.n_test:,} customers.",
    ]
    if gain is not None and len(gain) and "auc_gain" in gain and gain["auc_gain"].notna().any():
        g = gain.dropna(subset=["auc_gain"]).iloc[0]
        lines.append(f"Survey scores add {g.auc_gain:+.3f} AUC beyond operational data "
                     f"(95% CI {g.gain_ci_low:+.3f} to {g.gain_ci_high:+.3f}).")
    parts = [nv.Html("<h3>Churn risk and revenue at risk</h3>"), nv.bullets(lines)]
    if by:
        fig, ax = plt.subplots(figsize=(8, 3))
        cplots.plot_revenue_at_risk(rar[rar[by] != "All"], y=by, ax=ax)
        ax.set_title("Expected annual revenue lost to churn, by region (95% range)")
        parts.append(nv.figure(fig, alt="Revenue at risk by region"))
    cat = churn.revenue_at_risk(active, by="nps_category", min_n=min_n) if "nps_category" in active else None
    if cat is not None:
        rows = [{"Latest NPS answer": r.nps_category, "Customers": f"{int(r.n):,}",
                 "Mean churn probability": f"{r.mean_probability:.1%}",
                 "Revenue at risk": f"{r.expected_loss:,.0f} ({r.share_at_risk:.1%})"}
                for r in cat.itertuples() if not r.small_base]
        parts.append(nv.table(pd.DataFrame(rows), caption="Revenue at risk by NPS category (aggregates only)"))
    return nv.Html("".join(parts))


def about(cfg, data: pd.DataFrame, *, month: str, segment: str | None = None, min_n: int = 30) -> nv.Html:
    """Definitions, data window, base sizes and run metadata (no clock time: the HTML is reproducible).

    Returns
    -------
    Html
    """
    from importlib import metadata

    now = dataset.subset(data, month=month)
    files = []
    for path in cfg.data_files:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        files.append(f"{path.name} (sha256 {digest}…)")
    lines = [
        "NPS: % promoters (9–10) minus % detractors (0–6) of likelihood-to-recommend answers, −100 to +100.",
        f"CSAT: % of answers in the top two boxes of the {cfg.scales['csat'].min}–{cfg.scales['csat'].max} scale.",
        f"CES: mean effort score on the {cfg.scales['ces'].min}–{cfg.scales['ces'].max} scale "
        f"({'higher = easier' if cfg.scales['ces'].higher_is_better else 'lower = easier'}).",
        "95% CI: the range of plausible values for the true score; intervals made this way contain the "
        "true score in 95 surveys out of 100 (Wald interval for NPS, Wilson for CSAT, t for CES).",
        f"Small bases: scores from fewer than {min_n} answers are suppressed or flagged.",
        "Significance: changes are tested with z-tests and Holm-adjusted for the number of comparisons.",
        f"Data window: {data['responded_at'].min():%d %b %Y} to {data['responded_at'].max():%d %b %Y}; "
        f"this month {len(now):,} responses" + (f" in {segment}" if segment else "") + ".",
        "Data files: " + "; ".join(files) + ".",
        f"cxlib {metadata.version('cxlib')}; pandas {pd.__version__}. Customer comments are redacted "
        "(e-mails, phone numbers, card numbers, IBANs, URLs, names where recognisable) before display.",
    ]
    return nv.bullets(lines)
