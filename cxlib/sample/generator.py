"""Synthetic sample data with known, planted truths (``python -m cxlib.sample``).

Deterministic for a given seed. Writes responses, tickets and accounts in an analyst's own column names
(mapped by ``cx.yml``), the true theme labels of every comment, and ``truth.json`` with the planted
effects that the analysis must recover. ``data/sample/README.md`` explains them.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from .text import compose_comments, truth_sentiment

__all__ = ["DRIVER_WEIGHTS", "RAW_COLUMNS", "generate", "write_sample", "main"]

#: True weights of the latent driver model (standardised perceptions -> overall satisfaction).
DRIVER_WEIGHTS = {
    "support_speed": 0.30, "ease_of_use": 0.22, "reliability": 0.16, "value_for_money": 0.12,
    "support_quality": 0.08, "billing_clarity": 0.06, "product_features": 0.04,
    "onboarding_experience": 0.02,
}
DRIVERS = list(DRIVER_WEIGHTS)
REGIONS = ["North America", "EMEA", "APAC", "LATAM"]
PLANS = ["Basic", "Pro", "Enterprise"]
TOUCHPOINTS = ["onboarding", "support", "billing", "renewal"]
END = pd.Timestamp("2026-10-31 23:59:59")

#: Canonical name -> the column name in the sample files.
RAW_COLUMNS = {
    "responses": {
        "response_id": "ResponseID", "customer_id": "CustomerID", "responded_at": "SubmittedAt",
        "nps": "LTR_0_10", "csat": "CSAT_1_5", "ces": "CES_1_7", "comment": "Verbatim",
        "ticket_id": "TicketRef", "region": "Region", "plan": "Plan", "touchpoint": "Touchpoint",
        "channel": "Channel", "pilot_arm": "PilotArm",
        **{d: "Q_" + "".join(w.title() for w in d.split("_")) for d in DRIVERS},
    },
    "tickets": {
        "ticket_id": "TicketRef", "customer_id": "CustomerID", "opened_at": "Opened",
        "resolved_at": "Resolved", "handoffs": "Handoffs", "first_contact_resolution": "FCR",
        "channel": "Channel",
    },
    "accounts": {
        "customer_id": "CustomerID", "region": "Region", "plan": "Plan", "signup_date": "SignupDate",
        "annual_revenue": "AnnualRevenue", "renewal_date": "RenewalDate", "churned": "Churned",
        "churned_at": "ChurnedAt",
    },
}

# Cumulative shares of each answer at baseline (latent quantiles); NPS ~ +25 at baseline.
NPS_CUM = [.01, .02, .035, .05, .075, .12, .20, .36, .55, .75]
CSAT_CUM = [.05, .12, .27, .62]
CES_CUM = [.04, .09, .17, .30, .50, .75]
RATING_CUTS = [-1.6, -0.85, 0.05, 0.95]  # z cut points for 1..5 ratings
HANDOFF_S, HANDOFF_SPEED = -0.12, -0.15  # per handoff: latent satisfaction, support_speed perception
PILOT_S = 0.22
NOISE_SD = 0.55
RHO = 0.30


def _cuts(cum, sd):
    from scipy.stats import norm

    return norm.ppf(np.asarray(cum)) * sd


def _discretise(x, cuts, start):
    return (np.searchsorted(cuts, x) + start).astype(float)


def _latent_sd():
    w = np.array(list(DRIVER_WEIGHTS.values()))
    return float(np.sqrt(RHO * w.sum() ** 2 + (1 - RHO) * (w ** 2).sum() + NOISE_SD ** 2))


def _outcomes(z, shift, handoffs, eps, rng_state):
    """Ratings and scores from latent perceptions; pure function of its inputs (for counterfactuals)."""
    z = z.copy()
    z[:, DRIVERS.index("support_speed")] += HANDOFF_SPEED * handoffs
    w = np.array(list(DRIVER_WEIGHTS.values()))
    s = z @ w + shift + HANDOFF_S * handoffs + eps[:, 0]
    sd = _latent_sd()
    ratings = {d: _discretise(z[:, k], RATING_CUTS, 1) for k, d in enumerate(DRIVERS)}
    nps = _discretise(s, _cuts(NPS_CUM, sd), 0)
    csat = _discretise(s + 0.35 * eps[:, 1], _cuts(CSAT_CUM, np.hypot(sd, 0.35 * NOISE_SD)), 1)
    effort = (0.6 * z[:, DRIVERS.index("ease_of_use")] + 0.4 * z[:, DRIVERS.index("support_speed")]
              + 0.5 * shift + HANDOFF_S * handoffs + 0.6 * eps[:, 2])
    ces = _discretise(effort, _cuts(CES_CUM, 0.95), 1)
    return ratings, nps, csat, ces


def _accounts(rng, n_customers: int) -> pd.DataFrame:
    """The customers: region, plan, signup date and annual revenue (churn is added later)."""
    cust = pd.DataFrame({"customer_id": [f"C{i:06d}" for i in range(1, n_customers + 1)]})
    cust["region"] = rng.choice(REGIONS, n_customers, p=[.35, .30, .20, .15])
    cust["plan"] = rng.choice(PLANS, n_customers, p=[.50, .35, .15])
    start = END.normalize() - pd.DateOffset(years=7)
    cust["signup_date"] = start + pd.to_timedelta(rng.integers(0, 7 * 365 - 150, n_customers), "D")
    base_rev = cust["plan"].map({"Basic": 1200.0, "Pro": 6000.0, "Enterprise": 40000.0}).to_numpy()
    cust["annual_revenue"] = np.round(base_rev * rng.lognormal(0, 0.35, n_customers), 2)
    return cust


def _respondents(rng, cust: pd.DataFrame, n_per_month: int, months: int) -> dict:
    """Who answered when, through which touchpoint and channel."""
    month_starts = pd.period_range(end=END.to_period("M"), periods=months, freq="M")
    month_idx = np.repeat(np.arange(months), rng.poisson(n_per_month, months))
    n = len(month_idx)
    days = month_starts.days_in_month.to_numpy()[month_idx]
    responded = month_starts.to_timestamp()[month_idx] + pd.to_timedelta(rng.random(n) * days * 86400, "s").floor("s")
    who = rng.integers(0, len(cust), n)
    touch = rng.choice(TOUCHPOINTS, n, p=[.20, .35, .25, .20])
    support = touch == "support"
    channel = np.where(support, rng.choice(["phone", "chat", "email"], n, p=[.4, .4, .2]),
                       rng.choice(["self-service", "email", "chat"], n, p=[.5, .3, .2]))
    return {"n": n, "months": months, "month_idx": month_idx, "responded": responded, "who": who,
            "region": cust["region"].to_numpy()[who], "plan": cust["plan"].to_numpy()[who], "touch": touch,
            "support": support, "channel": channel, "cal_month": month_starts.month.to_numpy()[month_idx],
            "ym": month_starts.astype(str).to_numpy()[month_idx]}


def _planted(rng, r: dict) -> dict:
    """The latent driver scores and the planted effects: the December billing dip, October's EMEA support
    drop, the APAC billing wiggle (noise) and the callback pilot; then the answers and their counterfactuals."""
    n, plan, region, touch, support, ym = r["n"], r["plan"], r["region"], r["touch"], r["support"], r["ym"]
    z = np.sqrt(RHO) * rng.standard_normal((n, 1)) + np.sqrt(1 - RHO) * rng.standard_normal((n, len(DRIVERS)))
    z[:, DRIVERS.index("value_for_money")] += np.where(plan == "Basic", 0.15, -0.10)
    z[:, DRIVERS.index("support_quality")] += np.where(plan == "Enterprise", 0.25, 0.0)
    shift = np.zeros(n)
    shift[(r["cal_month"] == 12) & (touch == "billing")] -= 0.45
    emea_drop = (ym == "2026-10") & (region == "EMEA") & support
    z[emea_drop, DRIVERS.index("support_speed")] -= 1.6
    shift[emea_drop] -= 0.35
    shift[(ym == "2026-10") & (region == "APAC") & (touch == "billing")] -= 0.08
    pilot = support & (region == "North America") & (r["month_idx"] >= r["months"] - 4)
    treated = pilot & (rng.random(n) < 0.5)
    shift[treated] += PILOT_S
    # Tickets behind support responses: handoffs lower satisfaction and effort scores.
    handoffs = np.minimum(rng.poisson(np.where(emea_drop, 1.4, 0.7)), 5)
    eps = NOISE_SD * rng.standard_normal((n, 3))
    h_eff = np.where(support, handoffs, 0)
    ratings, nps, csat, ces = _outcomes(z, shift, h_eff, eps, None)
    # Counterfactuals for the planted effects, same noise: one more handoff; pilot off.
    _, nps_h1, csat_h1, ces_h1 = _outcomes(z, shift, h_eff + support, eps, None)
    _, nps_c, csat_c, _ = _outcomes(z, shift - PILOT_S * treated, h_eff, eps, None)
    return {"ratings": ratings, "nps": nps, "csat": csat, "ces": ces, "handoffs": handoffs, "pilot": pilot,
            "treated": treated, "nps_h1": nps_h1, "csat_h1": csat_h1, "ces_h1": ces_h1, "nps_c": nps_c,
            "csat_c": csat_c}


def _response_table(rng, cust, r: dict, o: dict) -> tuple[pd.DataFrame, dict]:
    """The responses with comments (and a few carrying personal data), in date order; and the comment truth."""
    n, support = r["n"], r["support"]
    has_comment = rng.random(n) < 0.75
    pii = has_comment & (rng.random(n) < 0.006)
    comments, themes = compose_comments(o["ratings"], has_comment, pii, rng)
    response_id = np.array([f"R{i:07d}" for i in range(1, n + 1)])
    order = np.argsort(r["responded"].to_numpy(), kind="stable")
    ticket_id = np.where(support, np.char.add("T", np.char.zfill(np.arange(1, n + 1).astype(str), 7)), None)
    pilot, treated = o["pilot"], o["treated"]
    responses = pd.DataFrame({
        "response_id": response_id, "customer_id": cust["customer_id"].to_numpy()[r["who"]],
        "responded_at": r["responded"], "nps": o["nps"], "csat": o["csat"], "ces": o["ces"], "comment": comments,
        "ticket_id": ticket_id, "region": r["region"], "plan": r["plan"], "touchpoint": r["touch"],
        "channel": r["channel"], "pilot_arm": np.where(pilot, np.where(treated, "callback", "control"), None),
        **o["ratings"],
    }).iloc[order].reset_index(drop=True)
    comment_truth = pd.DataFrame({"response_id": response_id, "themes": themes,
                                  "sentiment": [truth_sentiment(t) for t in themes]})[has_comment]
    return responses, {"comment_truth": comment_truth, "ticket_id": ticket_id, "pii": int(pii.sum())}


def _tickets(rng, cust, r: dict, o: dict, ticket_id) -> pd.DataFrame:
    """The ticket records behind support responses."""
    n, channel, handoffs = r["n"], r["channel"], o["handoffs"]
    hours = rng.lognormal(np.log(14), 0.9, n) * np.where(channel == "email", 1.8, 1.0)
    opened = r["responded"] - pd.to_timedelta(hours + rng.random(n) * 48, "h")
    return pd.DataFrame({
        "ticket_id": ticket_id, "customer_id": cust["customer_id"].to_numpy()[r["who"]],
        "opened_at": opened.floor("min"), "resolved_at": (opened + pd.to_timedelta(hours, "h")).floor("min"),
        "handoffs": handoffs, "first_contact_resolution": (handoffs == 0) & (hours < 24),
        "channel": channel,
    })[r["support"]].sort_values("opened_at").reset_index(drop=True)


#: The planted churn model: detractors, handed-off tickets and Basic plans churn more.
CHURN_LOGIT = {"intercept": -2.4, "detractor": 1.2, "promoter": -0.6, "handoffs_total": 0.15, "basic_plan": 0.4}


def _churn(rng, cust: pd.DataFrame, responses: pd.DataFrame, tickets: pd.DataFrame) -> pd.DataFrame:
    """The accounts with churn drawn from :data:`CHURN_LOGIT`, the churn date and the renewal date."""
    n_customers, coef = len(cust), CHURN_LOGIT
    last = responses.sort_values("responded_at").groupby("customer_id").tail(1).set_index("customer_id")
    hand = tickets.groupby("customer_id")["handoffs"].sum()
    c_nps = last["nps"].reindex(cust["customer_id"]).to_numpy()
    det = np.nan_to_num(c_nps <= 6).astype(float) * ~np.isnan(c_nps)
    pro = np.nan_to_num(c_nps >= 9).astype(float)
    logit = (coef["intercept"] + coef["detractor"] * det + coef["promoter"] * pro
             + coef["handoffs_total"] * np.minimum(hand.reindex(cust["customer_id"]).fillna(0).to_numpy(), 6)
             + coef["basic_plan"] * (cust["plan"].to_numpy() == "Basic"))
    churned = rng.random(n_customers) < 1 / (1 + np.exp(-logit))
    last_seen = last["responded_at"].reindex(cust["customer_id"]).fillna(END - pd.Timedelta(days=200))
    gap = (END - last_seen).dt.total_seconds().to_numpy()
    churned_at = last_seen.to_numpy() + pd.to_timedelta(rng.random(n_customers) * gap, "s").to_numpy()
    cust = cust.assign(churned=churned, churned_at=pd.Series(churned_at).where(churned).dt.floor("D").to_numpy())
    years = np.ceil((END - cust["signup_date"]).dt.days / 365.25)
    cust["renewal_date"] = [s + pd.DateOffset(years=int(y)) for s, y in zip(cust["signup_date"], years)]
    return cust[["customer_id", "region", "plan", "signup_date", "annual_revenue", "renewal_date", "churned",
                 "churned_at"]]


def _nps(x) -> float:
    return 100 * (np.mean(x >= 9) - np.mean(x <= 6))


def _truth(seed: int, r: dict, o: dict, pii: int) -> dict:
    """The planted truths the tests and notebooks look for."""
    support, treated = r["support"], o["treated"]
    return {
        "seed": seed, "driver_weights": DRIVER_WEIGHTS, "driver_order": DRIVERS,
        "seasonal_dip": {"touchpoint": "billing", "calendar_month": 12},
        "latest_month": "2026-10",
        "real_drop": {"region": "EMEA", "touchpoint": "support", "month": "2026-10"},
        "wiggle": {"region": "APAC", "touchpoint": "billing", "month": "2026-10", "latent_shift_sd": -0.08},
        "handoff_effect": {
            "csat": float(np.mean(o["csat_h1"][support] - o["csat"][support])),
            "ces": float(np.mean(o["ces_h1"][support] - o["ces"][support])),
            "nps_points": float(_nps(o["nps_h1"][support]) - _nps(o["nps"][support])),
        },
        "experiment": {
            "arm_column": "pilot_arm", "treatment": "callback", "control": "control",
            "csat": float(np.mean(o["csat"][treated] - o["csat_c"][treated])),
            "nps_points": float(_nps(o["nps"][treated]) - _nps(o["nps_c"][treated])),
            "n_pilot": int(o["pilot"].sum()),
        },
        "churn_logit": CHURN_LOGIT,
        "pii_comments": pii,
    }


def generate(*, n_per_month: int = 1050, months: int = 36, n_customers: int = 12000,
             seed: int = 20261031) -> dict[str, pd.DataFrame | dict]:
    """Generate the sample tables in canonical column names, plus the truth dictionary.

    Returns
    -------
    dict
        ``responses``, ``tickets``, ``accounts`` (DataFrames in the canonical schema),
        ``comment_truth`` (``response_id``, ``themes``, ``sentiment``) and ``truth`` (dict of planted effects).
    """
    rng = np.random.default_rng(seed)       # one generator, drawn from in this order: the data depend on it
    cust = _accounts(rng, n_customers)
    r = _respondents(rng, cust, n_per_month, months)
    o = _planted(rng, r)
    responses, extra = _response_table(rng, cust, r, o)
    tickets = _tickets(rng, cust, r, o, extra["ticket_id"])
    accounts = _churn(rng, cust, responses, tickets)
    return {"responses": responses, "tickets": tickets, "accounts": accounts,
            "comment_truth": extra["comment_truth"].sort_values("response_id").reset_index(drop=True),
            "truth": _truth(seed, r, o, extra["pii"])}


def write_sample(out_dir, *, fmt: str = "csv", **kwargs) -> dict[str, Path]:
    """Generate and write the sample (files named as in ``cx.yml``); returns the written paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = generate(**kwargs)
    paths = {}
    for name in ("responses", "tickets", "accounts"):
        df = data[name].rename(columns=RAW_COLUMNS[name])
        for c in df.columns:
            if fmt == "csv" and pd.api.types.is_datetime64_any_dtype(df[c]):
                df[c] = df[c].dt.strftime("%Y-%m-%d %H:%M:%S" if name != "accounts" else "%Y-%m-%d")
        if name in ("responses",):
            for c in df.columns:
                if df[c].dtype == float:
                    df[c] = df[c].astype("Int64")
        path = out / f"{name}.{fmt}"
        if fmt == "parquet":
            df.to_parquet(path, index=False)
        else:
            df.to_csv(path, index=False, lineterminator="\n")
        paths[name] = path
    data["comment_truth"].to_csv(out / "comment_truth.csv", index=False, lineterminator="\n")
    (out / "truth.json").write_text(json.dumps(data["truth"], indent=2) + "\n", encoding="utf-8")
    paths["truth"] = out / "truth.json"
    return paths


def main(argv=None) -> int:
    """Command line: ``python -m cxlib.sample [--out DIR] [--n-responses N] [--format csv|parquet]``."""
    p = argparse.ArgumentParser(prog="python -m cxlib.sample", description=__doc__.splitlines()[0])
    p.add_argument("--out", default=None, help="output folder (default: data/sample at the project root)")
    p.add_argument("--n-responses", type=int, default=None,
                   help="total responses over the 36 months (default ~1,050 a month)")
    p.add_argument("--format", choices=["csv", "parquet"], default="csv")
    p.add_argument("--seed", type=int, default=20261031)
    args = p.parse_args(argv)
    from ..data import project_root

    out = Path(args.out) if args.out else project_root() / "data" / "sample"
    kwargs = {"seed": args.seed}
    if args.n_responses:
        kwargs["n_per_month"] = max(1, args.n_responses // 36)
        kwargs["n_customers"] = max(12000, args.n_responses // 4)
    paths = write_sample(out, fmt=args.format, **kwargs)
    for name, path in paths.items():
        print(f"{name}: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
