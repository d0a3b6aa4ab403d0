"""The voice section's sentiment sample pulled from a database (report.sections.pull.sample_months): the
``per_month`` responses of each month with the lowest MD5 of their id, whether a month was cut, and the row
limit, on DuckDB and PostgreSQL."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from cxlib.errors import ParameterError
from cxlib.report.sections.pull import sample_months
import engines

# Four months; ids are zero-padded digits (every collation sorts them alike) and do not follow the dates.
# 2026-07 lies before a 3-month window ending 2026-10; 2026-08 has 5 responses, 2026-09 two, 2026-10 one.
ROWS = [("R07", "2026-07-15", 1.0, "before the window"),
        ("R05", "2026-08-30", 9.0, "aug e"), ("R01", "2026-08-02", 3.0, "aug a"), ("R09", "2026-08-31 23:59:59", 7.0, None),
        ("R03", "2026-08-01", 10.0, "aug c"), ("R08", "2026-08-15", 0.0, "aug d"),
        ("R06", "2026-09-01", 5.0, "sep a"), ("R02", "2026-09-30", 6.0, "sep b"),
        ("R04", "2026-10-31 23:59:59", 8.0, "oct a")]


@pytest.fixture(scope="module")
def frame():
    return pd.DataFrame({"response_id": [r[0] for r in ROWS], "responded_at": pd.to_datetime([r[1] for r in ROWS], format="ISO8601"),
                         "nps": [r[2] for r in ROWS], "comment": pd.Series([r[3] for r in ROWS], dtype="str"),
                         "region": "EMEA"})


@pytest.fixture(scope="module", params=[pytest.param("duckdb", marks=pytest.mark.duckdb),
                                        pytest.param("postgres", marks=pytest.mark.postgres)])
def table(request, frame, tmp_path_factory):
    if request.param == "duckdb":
        return engines.duckdb_table(frame, tmp_path_factory.mktemp("pull"))
    return engines.postgres_table(frame, request.getfixturevalue("postgres_url"), "cx_pull")


def _sample(table, per_month, limit=1000):
    return sample_months(table, month="2026-10", months=3, per_month=per_month, columns=["comment", "nps"],
                         limit=limit)


def test_the_first_ids_of_each_month_and_the_cut(table):
    rows, cut = _sample(table, per_month=2)
    # by hand: Aug's ids by MD5 (hashlib) R03 0fd1.., R01 5925.., R08, R09, R05 -> R03, R01 (Aug cut); Sep R02, R06 (exactly two); Oct R04;
    # July is outside the window. Rows by date, then id.
    assert rows["response_id"].tolist() == ["R03", "R01", "R06", "R02", "R04"]
    assert cut is True
    assert list(rows.columns) == ["responded_at", "response_id", "comment", "nps"]
    assert rows["nps"].tolist() == [10.0, 3.0, 5.0, 6.0, 8.0] and rows["comment"].iloc[0] == "aug c"


def test_no_month_cut_keeps_every_response_of_the_window(table):
    rows, cut = _sample(table, per_month=5)
    # by hand: Aug's five (exactly the cap), Sep's two, Oct's one; a missing comment stays missing
    assert rows["response_id"].tolist() == ["R03", "R01", "R08", "R05", "R09", "R06", "R02", "R04"]
    assert cut is False and rows["comment"].isna().tolist() == [False] * 4 + [True] + [False] * 3


def test_a_sample_over_the_row_limit_is_refused(table):
    # by hand: 2 + 2 + 1 = 5 rows, one more than the limit of 4; a limit of 5 passes
    with pytest.raises(ParameterError, match="the slice holds 5 rows, more than the 4 allowed"):
        _sample(table, per_month=2, limit=4)
    assert len(_sample(table, per_month=2, limit=5)[0]) == 5


def test_a_window_of_no_months_is_refused_with_its_parameter(table):
    with pytest.raises(ParameterError, match="months must be a whole number >= 1, got 0"):
        sample_months(table, month="2026-10", months=0, per_month=2, columns=["comment"], limit=10)


def test_ids_that_follow_time_give_a_sample_spread_over_the_month(postgres_url, tmp_path):
    # ids given out in time order (T00 on 1 Oct ... T39 on 30 Oct): the first 8 ids would all be before 9
    # October; the 8 lowest MD5s (by hashlib, not the code) are spread, and the same rows on both engines
    days = pd.date_range("2026-10-01", periods=40, freq="18h")
    frame = pd.DataFrame({"response_id": [f"T{i:02d}" for i in range(40)], "responded_at": days,
                          "nps": 7.0, "comment": "ok", "region": "EMEA"})
    want = sorted(frame["response_id"], key=lambda i: hashlib.md5(i.encode()).hexdigest())[:8]
    for table in (engines.duckdb_table(frame, tmp_path), engines.postgres_table(frame, postgres_url, "cx_pull_t")):
        rows, cut = sample_months(table, month="2026-10", months=1, per_month=8, columns=["comment"], limit=100)
        assert sorted(rows["response_id"]) == sorted(want) and cut is True
        assert rows["responded_at"].max() > pd.Timestamp("2026-10-15")
