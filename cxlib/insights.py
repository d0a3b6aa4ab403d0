"""The report's insight sections: what drives the scores, the voice of the customer, operations and money.

Each call analyses, draws and words one section as safe HTML through :mod:`cxlib.narrative`; sections
whose data are not configured come back as a one-line note. Customer-level tables never reach the HTML:
only aggregates do (the follow-up list goes to a CSV beside the report).
"""

from __future__ import annotations

import pandas as pd

from . import dataset
from . import narrative as nv
from .sections import LABELS

__all__ = ["drivers", "voice", "operations", "score_customers", "CHURN_FEATURES", "MIN_EVENTS"]


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
    window = dataset.last_months(data, month=month, months=months)
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
                    f"{n:,} responses ({months} months to {nv.month_name(month)}); CIs from {bootstrap} "
                    f"bootstrap resamples.")
    fix = (nv.Html("<h3>Fix first: important and weak</h3>") + nv.bullets(lines)) if lines else \
        nv.note("No driver is both important and weak this period.")
    return nv.figure(fig, alt="Driver importance and importance-performance chart") + intro + fix


def voice(data: pd.DataFrame, *, month: str, codebook=None, months: int = 13, n_quotes: int = 2,
          n_themes: int = 3, max_per_month: int = 3000, seed: int = 0) -> nv.Html:
    """Theme volumes and their NPS impact, sentiment beside NPS, and redacted quotes per leading theme.

    The sentiment trend scores at most ``max_per_month`` randomly chosen responses a month (seeded), so
    that very large files stay fast; the report month's themes and quotes use every comment.

    Returns
    -------
    Html
    """
    import matplotlib.pyplot as plt

    from . import text, themes
    from .plots import text as tplots

    if "comment" not in data or data["comment"].notna().sum() == 0:
        return nv.note("No comments are configured: the voice of the customer is left out.")
    window = dataset.last_months(data, month=month, months=months)
    periods = window["responded_at"].dt.to_period("M")
    sampled = window.sample(frac=1.0, random_state=seed).groupby(periods, sort=False).head(max_per_month)
    trend = themes.sentiment_trend(text.annotate_comments(sampled.sort_index(), None))
    now = text.annotate_comments(dataset.subset(data, month=month), codebook)
    parts = []
    fig, ax = plt.subplots(figsize=(8, 3.2))
    tplots.plot_sentiment_trend(trend, ax=ax)
    ax.set_title("Comment sentiment (VADER, mean with 95% CI) beside NPS")
    parts.append(nv.figure(fig, alt="Sentiment trend beside NPS"))
    if len(sampled) < len(window):
        parts.append(nv.note(f"Sentiment and NPS in this chart come from a random sample of up to "
                             f"{max_per_month:,} responses a month."))
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
    parts.append(nv.table(pd.DataFrame(rows), caption=f"Themes in {nv.month_name(month)}'s comments "
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
        joined = ops.support_journeys(dataset.last_months(data, month=month, months=months), tickets)
        effects = ops.handoff_effects(joined)
        parts.append(nv.Html(f"<h3>Handoffs and satisfaction ({months} months to {nv.month_name(month)})</h3>"))
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
#: Fewest churners (and stayers) a churn model is fitted on.
MIN_EVENTS = 20


def score_customers(responses: pd.DataFrame, tickets: pd.DataFrame | None, accounts: pd.DataFrame, *,
                    month: str, segment: str | None = None, seed: int = 0, compare: bool = True):
    """Health scores and churn probabilities per customer as of the end of ``month``.

    Customer-level (personal) data: for the follow-up CSV and aggregates, never for the HTML as is.

    ``compare=False`` skips the model without survey scores (only needed to report what they add).

    Returns
    -------
    (pandas.DataFrame, ChurnModel or None)
        :func:`cxlib.health.health_scores` columns plus ``churn_probability``; and the fitted model.
        With fewer than ``MIN_EVENTS`` churners or stayers up to ``month`` no model is fitted: the
        model is None and ``churn_probability`` is NaN (``attrs["no_model"]`` says why).
    """
    from . import churn

    as_of = pd.Period(month, freq="M").end_time.normalize()
    if segment:
        parts = dataset.parse_segment(segment)
        keep = [c for c in parts if c in accounts]
        accounts = dataset.subset(accounts, segment={c: parts[c] for c in keep}) if keep else \
            accounts[accounts["customer_id"].isin(responses["customer_id"])]
        if tickets is not None:  # the segment's customers only: others are not "missing from accounts"
            tickets = tickets[tickets["customer_id"].isin(accounts["customer_id"])]
    scored = churn.health_scores(responses, tickets, accounts, as_of=as_of)
    outcome = scored["churned"].dropna().astype(bool) if "churned" in scored else pd.Series(dtype=bool)
    n_churn, n_stay = int(outcome.sum()), int((~outcome).sum())
    if min(n_churn, n_stay) < MIN_EVENTS:
        out = scored.assign(churn_probability=float("nan"))
        out.attrs["no_model"] = (f"too few customers who churned ({n_churn}) or stayed ({n_stay}) up to "
                                 f"{month} to fit a churn model (at least {MIN_EVENTS} of each needed)")
        return out, None
    features = [f for f in CHURN_FEATURES if f in scored and scored[f].notna().any()]
    model = churn.fit_churn_model(scored, features=features, seed=seed,
                                  survey_features=None if compare else [])
    return scored.assign(churn_probability=model.predict(scored)), model


def _money(data, tickets, accounts, *, month, segment, min_n):
    import matplotlib.pyplot as plt

    from . import churn
    from .plots import churn as cplots

    scored, model = score_customers(data, tickets, accounts, month=month, segment=segment)
    if model is None:
        return nv.note(f"Churn risk and revenue at risk are left out: {scored.attrs['no_model']}.")
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


