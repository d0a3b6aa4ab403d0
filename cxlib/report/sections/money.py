"""The report's operations and money sections: handoffs against satisfaction, churn risk, revenue at
risk, and the customer follow-up list (written beside the report, never into it).

Only aggregates reach the HTML; customer-level rows go to the follow-up file for the CX team.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ... import comments, customers, periods
from ... import operations as ops
from ...data import is_table, last_months, parse_segment, subset
from ...errors import ParameterError
from ...metrics import METRICS
from .. import html as h
from .. import words
from ._guard import section
from .context import ReportContext
from .plan import PLAN

__all__ = ["FOLLOW_UP_FILE", "customer_scores", "follow_up", "follow_up_results", "money_results", "operations",
           "operations_results"]

#: The file the report kernel leaves in ``artifacts`` for the runner to publish as the follow-up CSV.
FOLLOW_UP_FILE = "follow-up.parquet"


def _customer_rows(scope: ReportContext, tickets, accounts) -> tuple:
    """What customer scoring reads. In the database (``scope.table``): the scope's responses, the tickets and
    the accounts as tables (each customer is scored there; see :func:`cxlib.customers.score_customers`). From another table:
    every response of the scope's customers up to the end of the month (their history, five columns), the
    tickets up to then, and the accounts, as rows."""
    responses = scope.data
    if scope.table is not None:
        src = subset(scope.source, segment=scope.segment) if scope.segment else scope.source
        keep = [c for c in ("customer_id", "responded_at", "nps", "csat", "ces") if c in src.columns]
        return src.select(*keep), tickets, accounts   # accounts a table too: scored in the database
    if scope.source is not None:
        src = subset(scope.source, segment=scope.segment) if scope.segment else scope.source
        keep = [c for c in ("customer_id", "responded_at", *METRICS, *parse_segment(scope.segment))
                if c in src.columns]
        responses = scope.memo("history", lambda: scope.rows(src.select(*dict.fromkeys(keep)),
                                                             date_col="responded_at", history=True))
    tickets = scope.memo("tickets", lambda: scope.rows(tickets, date_col="opened_at", history=True))
    return responses, tickets, scope.memo("accounts", lambda: scope.rows(accounts))


def customer_scores(scope: ReportContext, tickets: pd.DataFrame | None, accounts: pd.DataFrame | None, *,
                    seed: int = 0) -> customers.CustomerScores | None:
    """Every customer scored once for the report (None without account data, dates or NPS).

    Returns
    -------
    CustomerScores or None
        See :func:`cxlib.customers.score_customers`.
    """
    rows = scope.table if scope.table is not None else scope.data   # the month's rows hold no customer id there
    if accounts is None or not scope.dated or "customer_id" not in rows.columns:
        return None
    try:
        responses, tickets, accounts = _customer_rows(scope, tickets, accounts)
    except ParameterError as exc:
        scope.notes.append(f"Customer health, churn risk and the follow-up list are left out: {exc}.")
        return None
    sample = scope.cfg.engines["churn_sample"] if scope.source is not None else None   # a table: a stated sample
    scored = customers.score_customers(responses, tickets, accounts, month=scope.month, segment=scope.segment,
                                       scales=scope.cfg.scales, seed=seed, fit_sample=sample)
    model = scored.model
    if model is not None and model.n_sampled < model.n_complete:
        scope.data_notes.append(f"The churn model is fitted and tested on a random sample (seed {seed}) of "
                                f"{model.n_sampled:,} of the {model.n_complete:,} customers with every feature "
                                "(engines.churn_sample); every customer is scored with it.")
    return scored


def _ticket_responses(scope: ReportContext, months: int):
    """The responses the handoff analysis joins with tickets: ``data``, or in the database the ``months``
    months' responses that name a ticket, pulled as rows."""
    table = scope.table
    if table is None or "ticket_id" not in table.columns:
        return scope.data
    window = last_months(table, month=scope.month, months=months)
    return scope.memo("ticket responses", lambda: scope.rows(window.filter(window.ticket_id.notnull())), months)


def operations_results(scope: ReportContext, tickets, *, months: int = PLAN.operations_months) -> dict | None:
    """The report's handoff analysis (once per report and ``months``): the responses of the ``months`` months
    ending with the report month joined to their tickets (in the database path, those responses pulled as
    rows), or None without tickets, ticket ids or dates.

    Returns
    -------
    dict or None
        ``months`` (the window, oldest first), ``journeys`` (:func:`cxlib.operations.support_journeys`),
        ``effects`` (:func:`cxlib.operations.handoff_effects`, controlling for the ticket's channel) and
        ``score`` (the support score: CSAT when the survey asks it, else the primary score) and ``handoffs``
        (:func:`cxlib.operations.ops_effect_table` of its mean answer by number of handoffs).
    """
    def compute():
        data = _ticket_responses(scope, months)
        if tickets is None or "ticket_id" not in data or not scope.dated:
            return None
        rows = scope.memo("tickets", lambda: scope.rows(tickets, date_col="opened_at", history=True))
        joined = ops.support_journeys(last_months(data, month=scope.month, months=months), rows)
        score = "csat" if "csat" in joined else scope.primary   # a survey without CSAT: its primary score
        return {"months": [str(p) for p in pd.period_range(end=scope.month, periods=months, freq="M")],
                "journeys": joined, "effects": ops.handoff_effects(joined, controls=["ticket_channel"]),
                "score": score,
                "handoffs": ops.ops_effect_table(joined, factor="handoffs", score=score, min_n=scope.min_n)}
    return scope.memo("operations", compute, tickets, months)


@section('Operations and money')
def operations(scope: ReportContext, tickets: pd.DataFrame | None, scored, *,
               months: int = PLAN.operations_months) -> h.Html:
    """Handoffs against satisfaction (tickets), churn risk and revenue at risk by segment (accounts).

    Parameters
    ----------
    scored : CustomerScores or None
        From :func:`customer_scores`.

    Returns
    -------
    Html
    """
    parts, res = [], operations_results(scope, tickets, months=months)
    if res is None:
        parts.append(h.note("No ticket data are configured: resolution time and handoffs are left out."))
    else:
        table = res["handoffs"]
        mean = f"Mean {scope.label(res['score'])}" + ("" if res["score"] == "csat" else " answer")
        caption = f"{mean} by number of handoffs on the ticket (95% CI)"
        parts.append(h.heading(f"Handoffs and satisfaction ({periods.label(res['months'])})"))
        parts.append(h.bullets([words.handoff_sentence(r, label=scope.label(r["score"]))
                                for r in res["effects"].to_dict("records")]))
        rows = [{"Handoffs": r.level, "n": f"{int(r.n):,}",
                 mean: "–" if r.small_base else f"{r.mean:.2f} ({r.ci_low:.2f} to {r.ci_high:.2f})",
                 "vs no handoff": "–" if r.small_base or r.level == table["level"].iloc[0]
                 else f"{r.diff:+.2f} ({r.diff_ci_low:+.2f} to {r.diff_ci_high:+.2f})"}
                for r in table.itertuples()]
        parts.append(h.table(pd.DataFrame(rows), caption=caption))
        scope.keep_table("handoffs", caption, table)
    if scored is None:
        parts.append(h.note("No account data (or no dates) are configured: churn risk and revenue at risk "
                            "are left out."))
    else:
        parts.append(_money(scope, scored))
    return h.Html("".join(parts))


def money_results(scope: ReportContext, scored) -> dict | None:
    """Revenue at risk among current customers (total, by region, by NPS category), once per report;
    None without a churn model or revenue."""
    def compute():
        if scored is None or scored.model is None or "annual_revenue" not in scored.table.columns:
            return None
        table = scored.table
        if is_table(table):   # scored in the database: the sums run there
            active = table.filter(~table.churned) if "churned" in table.columns else table
        else:
            active = table[~table["churned"].fillna(False).astype(bool)] if "churned" in table else table
        by = "region" if "region" in active.columns else None
        rar = customers.revenue_at_risk(active, by=by, min_n=scope.min_n)
        if by and len(rar) <= 2:   # one region (and "All"): no cut by region, its total only
            by, rar = None, rar.iloc[[-1]].drop(columns=by).reset_index(drop=True)
        cat = customers.revenue_at_risk(active, by="nps_category", min_n=scope.min_n) \
            if "nps_category" in active.columns else None
        return {"active": active, "by": by, "rar": rar, "total": rar.iloc[-1], "by_category": cat}
    return scope.memo("money", compute, scored)


def _money(scope: ReportContext, scored) -> h.Html:
    import matplotlib.pyplot as plt

    from ...plots import plot_revenue_at_risk

    res = money_results(scope, scored)
    if res is None:
        why = scored.note if scored.model is None else "the accounts carry no annual revenue"
        return h.note(f"Churn risk and revenue at risk are left out: {why}.")
    model, total, rar, by = scored.model, res["total"], res["rar"], res["by"]
    cur = scope.cfg.money["symbol"]
    lines = [
        f"Expected annual revenue lost to churn among current customers: {h.fmt_money(total.expected_loss, cur)} "
        f"(95% range {h.fmt_money(total.loss_ci_low, cur)} to {h.fmt_money(total.loss_ci_high, cur)}), "
        f"{total.share_at_risk:.1%} of {h.fmt_money(total.revenue, cur)} across {int(total.n):,} customers.",
        f"The churn model puts a customer who left above one who stayed {model.auc:.0%} of the time (50% = "
        f"chance), tested on {model.n_test:,} customers it did not learn from (it learned from {model.n_train:,}).",
    ]
    scope.methods["churn"] = (f"Churn model: logistic regression; held-out AUC {model.auc:.2f} (0.5 = chance), "
                              f"Brier score {model.brier:.3f} (mean squared error of the probabilities).")
    gain = model.comparison
    if gain is not None and gain["auc_gain"].notna().any():
        g = gain.dropna(subset=["auc_gain"]).iloc[0]
        lines.append(f"Survey answers make that ranking right {100 * g.auc_gain:+.0f} points more often than "
                     f"operational data alone (95% CI {100 * g.gain_ci_low:+.0f} to {100 * g.gain_ci_high:+.0f}).")
        scope.methods["churn"] += (f" Survey scores add {g.auc_gain:+.3f} AUC beyond operational data (paired "
                                   f"bootstrap 95% CI {g.gain_ci_low:+.3f} to {g.gain_ci_high:+.3f}).")
    parts = [h.heading("Churn risk and revenue at risk"), h.bullets(lines)]
    groups = rar[rar[by] != "All"] if by else rar.iloc[0:0]
    if len(groups) == 1:      # one bar is a sentence, not a chart
        g = groups.iloc[0]
        parts.append(h.note(f"All of it in one {scope.label(by).lower()}: {h.safe_label(g[by])}."))
    elif len(groups) > 1:
        fig, ax = plt.subplots(figsize=(8, 3))
        plot_revenue_at_risk(groups.assign(**{by: groups[by].map(h.safe_label)}), y=by, ax=ax, currency=cur)
        ax.set_title(f"Expected annual revenue lost to churn, by {scope.label(by).lower()} (95% range)")
        worst = groups.sort_values("expected_loss").iloc[-1]
        parts.append(h.figure(fig, alt=f"Revenue at risk by {scope.label(by).lower()}: the most in "
                                       f"{h.safe_label(worst[by])}, {h.fmt_money(worst.expected_loss, cur)}"))
    if res["by_category"] is not None:
        rows = [{"Latest NPS answer": str(r.nps_category).capitalize(), "Customers": f"{int(r.n):,}",
                 "Mean churn probability": f"{r.mean_probability:.1%}",
                 "Revenue at risk": f"{h.fmt_money(r.expected_loss, cur)} ({r.share_at_risk:.1%})"}
                for r in res["by_category"].itertuples() if not r.small_base]
        parts.append(h.table(pd.DataFrame(rows), caption="Revenue at risk by NPS category (aggregates only)"))
        scope.keep_table("revenue_by_nps_category", "Revenue at risk by NPS category", res["by_category"])
    scope.keep_table("revenue_at_risk", "Expected annual revenue lost to churn (95% range)",
                     rar.assign(**{by: rar[by].map(h.safe_label)}) if by else rar)
    return h.Html("".join(parts))


def _with_themes(table: pd.DataFrame, cfg, codebook) -> pd.DataFrame:
    """The list with the codebook themes of each comment ("; "-separated; left out without a codebook) and
    its comments redacted as in the report, unless the config asks for raw text."""
    if "comment" not in table:
        return table.drop(columns=["theme"], errors="ignore")
    table = table.copy()
    if codebook is not None:
        tagged = comments.tag_themes(table["comment"].to_frame("comment"), codebook)
        cols = [c for c in tagged.columns if c.startswith(comments.PREFIX) and c != "n_themes"]
        names = [c[len(comments.PREFIX):].replace("_", " ") for c in cols]
        flags = tagged[cols].fillna(False).astype(bool).to_numpy()
        joined = ["; ".join(n for n, f in zip(names, row) if f) for row in flags]
        table["theme"] = pd.Series(joined, index=table.index, dtype="object").where(table["comment"].notna())
    else:
        table = table.drop(columns=["theme"], errors="ignore")
    if not cfg.follow_up.get("raw_comments", False):
        table["comment"] = comments.redact(table["comment"]).astype("object")
    return table


def follow_up_results(scope: ReportContext, scored, *, risk_threshold: float | None = None) -> pd.DataFrame | None:
    """The month's follow-up list as the report writes it (once per report): this month's detractors and
    high-risk accounts with the reason to call each, their comments' themes and (unless the config asks for
    raw text) their comments redacted; None without customer scores or NPS answers.

    Parameters
    ----------
    risk_threshold : float, optional
        Churn probability from which an account is followed up; None: the report's (the default of
        :func:`cxlib.customers.follow_up_list`).

    Returns
    -------
    pandas.DataFrame or None
        :func:`cxlib.customers.follow_up_list`'s columns, with ``theme`` ("; "-separated codebook themes).
    """
    def compute():
        if scored is None or "nps" not in scope.data:
            return None
        opts = {} if risk_threshold is None else {"risk_threshold": risk_threshold}
        cap = scope.cfg.engines["follow_up_max"] if is_table(scored.table) else None
        in_db = scope.table is not None and is_table(scored.table)   # joined and capped in the database
        month_rows = subset(scope.table, month=scope.month) if in_db else scope.data
        return _with_themes(customers.follow_up_list(month_rows, scored.table, month=scope.month,
                                                     drivers=scope.cfg.drivers, max_customers=cap, **opts),
                            scope.cfg, scope.codebook)
    return scope.memo("follow-up", compute, scored, risk_threshold)


@section('The follow-up list')
def follow_up(scope: ReportContext, scored, *, artifacts: str = "") -> h.Html:
    """Build the month's follow-up list from the report's own customer scores and leave it for the runner.

    The list (:func:`follow_up_results`) holds personal data, so only its size reaches the HTML; the rows
    are written to ``artifacts``/:data:`FOLLOW_UP_FILE` when ``artifacts`` names a folder (the report
    runner passes its build folder and publishes the list beside the report as CSV).

    Returns
    -------
    Html
        One line saying how many customers are on the list (or why there is none).
    """
    if scored is None:
        return h.note("No account data are configured: there is no customer follow-up list.")
    table = follow_up_results(scope, scored)
    if table is None:
        return h.note("The follow-up list needs NPS answers (detractors): there is none for this survey.")
    if artifacts:
        table.to_parquet(Path(artifacts) / FOLLOW_UP_FILE, index=False)
    cap = table.attrs.get("capped_at")
    capped = (f" (the costliest {cap:,}, engines.follow_up_max: the highest expected revenue loss first)"
              if cap else "")
    return h.note(f"{len(table):,} customers to contact this month{capped} ({int(table['detractor'].sum()):,} "
                  f"detractors, {int(table['high_risk'].sum()):,} high-risk accounts) are in the follow-up "
                  "list the CX team receives beside this report; no customer appears here.")
