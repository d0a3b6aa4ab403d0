"""The report's operations and money sections: handoffs against satisfaction, churn risk, revenue at
risk, and the customer follow-up list (written beside the report, never into it).

Only aggregates reach the HTML; customer-level rows go to the follow-up file for the CX team.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ... import customers, periods
from ... import operations as ops
from ...data import last_months
from .. import html as h
from .. import words
from .context import ReportContext
from .scores import LABELS

__all__ = ["FOLLOW_UP_FILE", "customer_scores", "follow_up", "operations"]

#: The file the report kernel leaves in ``artifacts`` for the runner to publish as the follow-up CSV.
FOLLOW_UP_FILE = "follow-up.parquet"


def customer_scores(scope: ReportContext, tickets: pd.DataFrame | None, accounts: pd.DataFrame | None, *,
                    seed: int = 0) -> customers.CustomerScores | None:
    """Every customer scored once for the report (None without account data, dates or NPS).

    Returns
    -------
    CustomerScores or None
        See :func:`cxlib.customers.score_customers`.
    """
    if accounts is None or not scope.dated or "customer_id" not in scope.data:
        return None
    return customers.score_customers(scope.data, tickets, accounts, month=scope.month, segment=scope.segment,
                                     scales=scope.cfg.scales, seed=seed)


def operations(scope: ReportContext, tickets: pd.DataFrame | None, scored, *, months: int = 6) -> h.Html:
    """Handoffs against satisfaction (tickets), churn risk and revenue at risk by segment (accounts).

    Parameters
    ----------
    scored : CustomerScores or None
        From :func:`customer_scores`.

    Returns
    -------
    Html
    """
    parts, data, month, min_n = [], scope.data, scope.month, scope.min_n
    if tickets is None or "ticket_id" not in data or not scope.dated:
        parts.append(h.note("No ticket data are configured: resolution time and handoffs are left out."))
    else:
        joined = ops.support_journeys(last_months(data, month=month, months=months), tickets)
        effects = ops.handoff_effects(joined, controls=["ticket_channel"])
        window = periods.label([str(p) for p in pd.period_range(end=month, periods=months, freq="M")])
        parts.append(h.heading(f"Handoffs and satisfaction ({window})"))
        parts.append(h.bullets([words.handoff_sentence(r, label=LABELS.get(r["score"], r["score"]))
                                for r in effects.to_dict("records")]))
        table = ops.ops_effect_table(joined, factor="handoffs", score="csat", min_n=min_n)
        rows = [{"Handoffs": r.level, "n": f"{int(r.n):,}",
                 "Mean CSAT": "–" if r.small_base else f"{r.mean:.2f} ({r.ci_low:.2f} to {r.ci_high:.2f})",
                 "vs no handoff": "–" if r.small_base or r.level == table["level"].iloc[0]
                 else f"{r.diff:+.2f} ({r.diff_ci_low:+.2f} to {r.diff_ci_high:+.2f})"}
                for r in table.itertuples()]
        parts.append(h.table(pd.DataFrame(rows), caption="Mean CSAT by number of handoffs on the ticket (95% CI)"))
    if scored is None:
        parts.append(h.note("No account data (or no dates) are configured: churn risk and revenue at risk "
                            "are left out."))
    else:
        parts.append(_money(scored, min_n=min_n))
    return h.Html("".join(parts))


def _money(scored, *, min_n: int) -> h.Html:
    import matplotlib.pyplot as plt

    from ...plots import plot_revenue_at_risk

    if scored.model is None:
        return h.note(f"Churn risk and revenue at risk are left out: {scored.note}.")
    table, model = scored.table, scored.model
    active = table[~table["churned"].fillna(False).astype(bool)] if "churned" in table else table
    by = "region" if "region" in active and active["region"].nunique() > 1 else None
    rar = customers.revenue_at_risk(active, by=by, min_n=min_n)
    total = rar.iloc[-1]
    lines = [
        f"Expected annual revenue lost to churn among current customers: {total.expected_loss:,.0f} "
        f"(95% range {total.loss_ci_low:,.0f} to {total.loss_ci_high:,.0f}), {total.share_at_risk:.1%} of "
        f"{total.revenue:,.0f} across {int(total.n):,} customers.",
        f"The churn model ranks customers with a held-out AUC of {model.auc:.2f} (0.5 = chance) and a "
        f"Brier score of {model.brier:.3f}; trained on {model.n_train:,}, tested on {model.n_test:,} customers.",
    ]
    gain = model.comparison
    if gain is not None and gain["auc_gain"].notna().any():
        g = gain.dropna(subset=["auc_gain"]).iloc[0]
        lines.append(f"Survey scores add {g.auc_gain:+.3f} AUC beyond operational data "
                     f"(95% CI {g.gain_ci_low:+.3f} to {g.gain_ci_high:+.3f}).")
    parts = [h.heading("Churn risk and revenue at risk"), h.bullets(lines)]
    if by:
        fig, ax = plt.subplots(figsize=(8, 3))
        plot_revenue_at_risk(rar[rar[by] != "All"], y=by, ax=ax)
        ax.set_title("Expected annual revenue lost to churn, by region (95% range)")
        parts.append(h.figure(fig, alt="Revenue at risk by region"))
    if "nps_category" in active:
        cat = customers.revenue_at_risk(active, by="nps_category", min_n=min_n)
        rows = [{"Latest NPS answer": r.nps_category, "Customers": f"{int(r.n):,}",
                 "Mean churn probability": f"{r.mean_probability:.1%}",
                 "Revenue at risk": f"{r.expected_loss:,.0f} ({r.share_at_risk:.1%})"}
                for r in cat.itertuples() if not r.small_base]
        parts.append(h.table(pd.DataFrame(rows), caption="Revenue at risk by NPS category (aggregates only)"))
    return h.Html("".join(parts))


def follow_up(scope: ReportContext, scored, *, artifacts: str = "") -> h.Html:
    """Build the month's follow-up list from the report's own customer scores and leave it for the runner.

    The list holds personal data, so only its size reaches the HTML; the rows are written to
    ``artifacts``/:data:`FOLLOW_UP_FILE` when ``artifacts`` names a folder (the report runner passes its
    build folder and publishes the list beside the report as CSV).

    Returns
    -------
    Html
        One line saying how many customers are on the list (or why there is none).
    """
    if scored is None:
        return h.note("No account data are configured: there is no customer follow-up list.")
    if "nps" not in scope.data:
        return h.note("The follow-up list needs NPS answers (detractors): there is none for this survey.")
    table = customers.follow_up_list(scope.data, scored.table, month=scope.month, drivers=scope.cfg.drivers)
    if artifacts:
        table.to_parquet(Path(artifacts) / FOLLOW_UP_FILE, index=False)
    return h.note(f"{len(table):,} customers to contact this month ({int(table['detractor'].sum()):,} "
                  f"detractors, {int(table['high_risk'].sum()):,} high-risk accounts) are in the follow-up "
                  "list the CX team receives beside this report; no customer appears here.")
