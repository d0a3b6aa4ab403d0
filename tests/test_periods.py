"""Months in one place (cxlib.periods), and one response at 23:59:59 on the last day counted everywhere."""

from __future__ import annotations

import re
from html import unescape

import pandas as pd
import pytest

from cxlib import customers, periods
from cxlib.data import subset
from cxlib.errors import ParameterError
from cxlib.report import sections

LAST_SECOND = pd.Timestamp("2026-10-31 23:59:59")


def test_bounds_are_half_open_and_months_before():
    start, end = periods.bounds("2026-12")
    assert (start, end) == (pd.Timestamp("2026-12-01"), pd.Timestamp("2027-01-01"))
    assert periods.months_before("2026-02", 3) == ["2025-11", "2025-12", "2026-01"]
    assert periods.baseline_months("2026-02", "year_ago") == ["2025-02"]
    with pytest.raises(ParameterError, match="baseline must be"):
        periods.baseline_months("2026-02", "quarter")
    with pytest.raises(ParameterError, match="YYYY-MM"):
        periods.bounds("2026-2")


def test_labels_and_partial_months():
    assert periods.label(["2015-04", "2015-06", "2015-05"]) == "Apr–Jun 2015"
    assert periods.dates_label(pd.Timestamp("2019-08-01"), pd.Timestamp("2019-08-18")) == "1–18 Aug 2019"
    dates = pd.Series(pd.to_datetime(["2019-07-23 10:00:00", "2019-08-18 16:00:00"]))
    assert periods.latest_full_month(dates) is None and periods.resolve_month("latest", dates) == "2019-08"
    assert periods.is_partial("2019-08", dates)


@pytest.fixture
def tables():
    """Customer A answers in September and once more at the last second of October (a detractor)."""
    stamps = ["2026-09-10 12:00:00", "2026-10-05 12:00:00", "2026-10-20 12:00:00"]
    responses = pd.DataFrame({
        "response_id": [f"R{i}" for i in range(40)], "customer_id": ["A"] + [f"B{i}" for i in range(39)],
        "responded_at": pd.to_datetime([stamps[0]] + [stamps[1 + i % 2] for i in range(39)]),
        "nps": [9.0] + [10.0] * 39,
    })
    last = pd.DataFrame({"response_id": ["R99"], "customer_id": ["A"], "responded_at": [LAST_SECOND], "nps": [2.0]})
    responses = pd.concat([responses, last], ignore_index=True)
    accounts = pd.DataFrame({"customer_id": ["A"] + [f"B{i}" for i in range(39)], "annual_revenue": 1000.0})
    return responses, accounts


def test_the_last_second_of_the_month_counts_everywhere(tables, make_scope):
    responses, accounts = tables
    assert periods.resolve_month("latest", responses["responded_at"]) == "2026-10"   # a full month
    assert "R99" in set(subset(responses, month="2026-10")["response_id"])         # notebooks' month filter
    html = unescape(re.sub(r"<[^>]+>", " ", sections.headline(make_scope(responses, month="2026-10"))))
    assert "n = 40" in html                                                         # 39 + the last second
    table = customers.customer_table(responses, None, accounts, as_of="2026-10").set_index("customer_id")
    assert table.loc["A", "nps_latest"] == 2.0
    scored = customers.score_customers(responses, None, accounts, month="2026-10")  # the report's scores
    assert scored.table.set_index("customer_id").loc["A", "nps_latest"] == 2.0
    follow = customers.follow_up_list(responses, scored.table, month="2026-10")
    assert follow["customer_id"].tolist() == ["A"] and follow["detractor"].all()
