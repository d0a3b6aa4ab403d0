"""Report drivers, voice and money sections: left out cleanly without data; money figures checked against
Σ p × revenue; the follow-up list comes from the same customer scores."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from cxlib import data as cxdata
from cxlib import customers
from cxlib.report import sections as insights


@pytest.fixture(scope="module")
def sample():
    cfg = cxdata.load_config()
    return cfg, cxdata.load_responses(cfg), cxdata.load_tickets(cfg), cxdata.load_accounts(cfg)


def test_sections_without_their_data_are_notes():
    data = pd.DataFrame({"responded_at": pd.to_datetime(["2026-10-01"]), "nps": [9.0]})
    assert "left out" in insights.drivers(data, month="2026-10", drivers=[])
    assert "left out" in insights.voice(data, month="2026-10")
    assert insights.customer_scores(data, None, None, month="2026-10") is None
    out = insights.operations(data, None, None, month="2026-10")
    assert out.count("left out") == 2


def test_revenue_at_risk_sentence_equals_sum_of_probability_times_revenue(sample):
    cfg, responses, tickets, accounts = sample
    scored = insights.customer_scores(responses, tickets, accounts, month="2026-10")
    active = scored.table[~scored.table["churned"].astype(bool)]
    # Expected loss by its definition, computed here directly: sum over customers of p x revenue.
    expected = float((active["churn_probability"] * active["annual_revenue"]).sum())
    html = insights.operations(responses, tickets, scored, month="2026-10")
    shown = re.search(r"among current customers: ([\d,]+)", html).group(1)
    assert int(shown.replace(",", "")) == round(expected)
    assert "customer_id" not in html and not re.search(r"C\d{6}", html)  # aggregates only


def test_drivers_section_names_the_planted_top_driver(sample):
    cfg, responses, _, _ = sample
    html = insights.drivers(responses, month="2026-10", drivers=cfg.drivers, bootstrap=20)
    assert "Fix first" in html and "support speed" in html


def test_month_before_any_churn_leaves_churn_out_with_a_reason(sample):
    _, responses, tickets, accounts = sample
    scored = customers.score_customers(responses, tickets, accounts, month="2023-12")
    assert scored.model is None and scored.table["churn_probability"].isna().all()
    html = insights.operations(responses, tickets, scored, month="2023-12")
    assert "left out: too few customers who churned (0)" in html


def test_segment_scoring_keeps_only_that_segments_tickets(sample):
    import warnings

    _, responses, tickets, accounts = sample
    latam = responses[responses["region"] == "LATAM"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no spurious "not in accounts" warning
        scored = customers.score_customers(latam, tickets, accounts, month="2026-10", segment="region=LATAM")
    assert set(scored.table["region"].dropna()) == {"LATAM"}


def test_follow_up_list_is_counted_in_html_and_written_for_the_runner(sample, tmp_path):
    _, responses, tickets, accounts = sample
    scored = customers.score_customers(responses, tickets, accounts, month="2026-10")
    html = insights.follow_up(responses, scored, month="2026-10", artifacts=str(tmp_path))
    rows = pd.read_parquet(tmp_path / insights.FOLLOW_UP_FILE)
    # the list is the one built from the same scores, counted in the note, never shown
    expected = customers.follow_up_list(responses, scored.table, month="2026-10")
    assert rows["customer_id"].tolist() == expected["customer_id"].tolist()
    assert f"{len(rows):,} customers to contact" in html and not re.search(r"C\d{6}", html)
