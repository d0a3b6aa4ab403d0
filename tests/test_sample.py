"""The generator's planted truths are really in the committed sample data.

Expected values here are computed directly with pandas (shares of answers), independently of
``cxlib.metrics``; the generator's own parameters come from ``truth.json``.
"""

from __future__ import annotations

import hashlib
import json
import math

import numpy as np
import pandas as pd
import pytest

from cxlib import data as cxdata
from cxlib import sample
from cxlib.data import project_root

SAMPLE = project_root() / "data" / "sample"


@pytest.fixture(scope="module")
def responses():
    return cxdata.load_responses()


def nps_of(scores: pd.Series) -> tuple[float, float, int]:
    """NPS, its standard error (trinomial) and n, computed by hand."""
    s = scores.dropna()
    p, d = (s >= 9).mean(), (s <= 6).mean()
    return 100 * (p - d), 100 * math.sqrt((p + d - (p - d) ** 2) / len(s)), len(s)


def test_committed_sample_is_what_the_generator_writes(tmp_path):
    sample.write_sample(tmp_path)
    for name in ("responses.csv", "tickets.csv", "accounts.csv", "comment_truth.csv", "truth.json"):
        new = hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
        old = hashlib.sha256((SAMPLE / name).read_bytes()).hexdigest()
        assert new == old, f"{name} differs from `python -m cxlib.sample`: regenerate the sample"


def test_size_and_shape(responses):
    per_month = responses.groupby(responses["responded_at"].dt.to_period("M")).size()
    assert len(per_month) == 36 and per_month.min() > 950
    assert sum(p.stat().st_size for p in SAMPLE.glob("*.csv")) < 10e6
    assert 0.70 < responses["comment"].notna().mean() < 0.80


def test_december_billing_dip_and_nothing_else(responses):
    month = responses["responded_at"].dt.month
    billing = responses["touchpoint"] == "billing"
    dec_billing, _, _ = nps_of(responses.loc[billing & (month == 12), "nps"])
    other_billing, _, _ = nps_of(responses.loc[billing & (month != 12), "nps"])
    assert other_billing - dec_billing > 20
    rest = responses.loc[~billing]
    by_month = rest.groupby(rest["responded_at"].dt.month)["nps"].apply(lambda s: nps_of(s)[0])
    assert by_month.max() - by_month.min() < 10  # no seasonal pattern outside billing


def test_real_drop_and_insignificant_wiggle(responses):
    truth = json.loads((SAMPLE / "truth.json").read_text())
    ym = responses["responded_at"].dt.to_period("M").astype(str)

    def z_change(region, touchpoint):
        cell = responses[(responses["region"] == region) & (responses["touchpoint"] == touchpoint)]
        now, se_now, _ = nps_of(cell.loc[ym == "2026-10", "nps"])
        before, se_before, _ = nps_of(cell.loc[ym == "2026-09", "nps"])
        return (now - before) / math.hypot(se_now, se_before)

    drop = truth["real_drop"]
    assert z_change(drop["region"], drop["touchpoint"]) < -4
    wiggle = truth["wiggle"]
    assert abs(z_change(wiggle["region"], wiggle["touchpoint"])) < 1.96


def test_handoffs_lower_csat_and_detractors_churn_more(responses):
    tickets, accounts = cxdata.load_tickets(), cxdata.load_accounts()
    support = responses.merge(tickets[["ticket_id", "handoffs"]], on="ticket_id")
    by_handoffs = support.groupby(support["handoffs"].clip(upper=3))["csat"].mean()
    assert by_handoffs.is_monotonic_decreasing
    last = responses.sort_values("responded_at").groupby("customer_id").tail(1)
    joined = last.merge(accounts[["customer_id", "churned"]], on="customer_id")
    churn_det = joined.loc[joined["nps"] <= 6, "churned"].mean()
    churn_pro = joined.loc[joined["nps"] >= 9, "churned"].mean()
    assert churn_det > 1.5 * churn_pro


def test_pii_is_planted_for_the_redaction_tests(responses):
    truth = json.loads((SAMPLE / "truth.json").read_text())
    comments = responses["comment"].dropna()
    emails = comments.str.contains(r"[\w.]+@example\.com", regex=True).sum()
    phones = comments.str.contains(r"\d{3}[- ]\d{4}|\d{4} \d{6}|\d{4} \d{4}", regex=True).sum()
    assert emails > 10 and phones > 10
    assert emails + phones <= truth["pii_comments"] * 1.5


def test_generator_is_deterministic_and_scales_down():
    a = sample.generate(n_per_month=40, months=3, n_customers=200, seed=7)
    b = sample.generate(n_per_month=40, months=3, n_customers=200, seed=7)
    pd.testing.assert_frame_equal(a["responses"], b["responses"])
    assert a["responses"]["responded_at"].dt.to_period("M").nunique() == 3
    assert np.isfinite(a["truth"]["handoff_effect"]["csat"])
