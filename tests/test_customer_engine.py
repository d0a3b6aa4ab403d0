"""Customer health, churn probability, revenue at risk, the follow-up list and the retention scenario
computed in the database (``score_customers`` on Ibis tables) against the pandas path.

The second method is the pandas path itself (every figure by pandas/statsmodels on DataFrames, tested by
hand in tests/test_churn.py); the hand-computed health of customer A there (46.25) is checked here too.
"""

from __future__ import annotations

import json

import ibis
import numpy as np
import pandas as pd
import pytest

from cxlib import customers as cu
from cxlib import data as cxdata
from cxlib.customers import _engine
from cxlib.data import project_root
from cxlib.errors import DataError

pytestmark = pytest.mark.duckdb
SAMPLE = project_root() / "data" / "sample"


@pytest.fixture(scope="module")
def frames():
    if not (SAMPLE / "truth.json").exists():
        pytest.skip("data/sample is absent: run `python -m cxlib.sample`")
    r, t, a = cxdata.load_responses(), cxdata.load_tickets(), cxdata.load_accounts()
    assert a["customer_id"].is_monotonic_increasing   # the pandas path's order is the database path's
    return r, t, a


@pytest.fixture(scope="module")
def both(frames):
    r, t, a = frames
    want = cu.score_customers(r, t, a, month="2026-10")
    got = cu.score_customers(*(cxdata.as_table(x) for x in frames), month="2026-10")
    return want, got


def rows(table) -> pd.DataFrame:
    return _engine.as_frame(cxdata.to_frame(table, order_by=("customer_id",), unique=("customer_id",)))


def test_scores_in_the_database_are_the_pandas_scores(both):
    want, got = both
    assert cxdata.is_table(got.table)
    g = rows(got.table)
    assert list(g.columns) == list(want.table.columns)
    pd.testing.assert_frame_equal(g, want.table.reset_index(drop=True), check_exact=False, rtol=1e-9)
    assert got.model.auc == pytest.approx(want.model.auc, rel=1e-9)
    pd.testing.assert_series_equal(got.model.params, want.model.params, rtol=1e-9)
    assert (got.model.n_complete, got.model.n_sampled, got.model.n_dropped) == \
        (want.model.n_complete, want.model.n_sampled, want.model.n_dropped)


def test_a_sampled_fit_draws_the_customers_the_pandas_path_draws(frames):
    # fit_churn_model(sample=2000) picks positions among the complete customers with numpy's seeded
    # choice; the database numbers its customers in id order and keeps the same positions.
    r, t, a = frames
    want = cu.score_customers(r, t, a, month="2026-10", fit_sample=2000, compare=False)
    got = cu.score_customers(*(cxdata.as_table(x) for x in frames), month="2026-10", fit_sample=2000,
                             compare=False)
    assert got.model.n_sampled == want.model.n_sampled == 2000
    assert got.model.n_complete == want.model.n_complete > 2000
    pd.testing.assert_series_equal(got.model.params, want.model.params, rtol=1e-9)
    np.testing.assert_allclose(rows(got.table)["churn_probability"], want.table["churn_probability"], rtol=1e-9)


def test_the_health_of_a_customer_by_hand_in_the_database():
    from test_churn import tiny

    r, t, a = (x.apply(lambda c: c.astype("datetime64[ns]") if c.dtype.kind == "M" else c) for x in tiny())
    end = pd.Timestamp("2026-10-01")
    t_ = _engine.health_expr(_engine.customer_expr(cxdata.as_table(r), cxdata.as_table(t), cxdata.as_table(a), end,
                                                   72.0), dict(cu.DEFAULT_WEIGHTS), cxdata.DEFAULT_SCALES, 0.5)
    h = rows(t_).set_index("customer_id")
    # 0.35*40 + 0.15*75 + 0.15*66.667 + 0.10*10 + 0.25*40 = 46.25 (tests/test_churn.py, by hand)
    assert h.loc["A", "health"] == pytest.approx(46.25) and h.loc["A", "health_band"] == "watch"
    assert np.isnan(h.loc["C", "health"]) and h.loc["C", "health_band"] == "no data"


def test_the_health_query_stays_small(both):
    # Ibis inlines each step into the next; written as sums of sums the SQL ran to megabytes and took
    # DuckDB 20 s to plan on 12,000 customers. Stepwise it is a few kilobytes per column.
    _, got = both
    assert len(ibis.to_sql(got.table)) < 60_000


def test_revenue_at_risk_and_follow_up_in_the_database(both, frames):
    want, got = both
    for by in (None, "region", "nps_category"):
        active = want.table[~want.table["churned"]]
        pd.testing.assert_frame_equal(cu.revenue_at_risk(got.table.filter(~got.table.churned), by=by),
                                      cu.revenue_at_risk(active, by=by), check_exact=False, rtol=1e-9)
    r = frames[0]
    pd.testing.assert_frame_equal(cu.follow_up_list(r, got.table, month="2026-10"),
                                  cu.follow_up_list(r, want.table, month="2026-10"), check_exact=False, rtol=1e-9)


@pytest.mark.parametrize("kwargs, named", [({"by": "regoin"}, "regoin"), ({"revenue": "revenue"}, "revenue"),
                                            ({"probability": "p_churn"}, "p_churn")])
def test_revenue_at_risk_on_a_table_names_a_missing_column(kwargs, named):
    # the pandas path's message (need_columns), not an Ibis AttributeError from deep in the aggregation
    t = cxdata.as_table(pd.DataFrame({"churn_probability": [0.2, 0.5], "annual_revenue": [100.0, 200.0],
                                      "region": ["A", "B"]}))
    with pytest.raises(DataError,
                       match=rf"revenue_at_risk: column\(s\) \['{named}'\] not in the data"):
        cu.revenue_at_risk(t, **kwargs)


@pytest.mark.parametrize("column, values, says", [
    ("annual_revenue", [100.0, -5.0, -1.0], r"column 'annual_revenue': negative revenue in 2 rows; expected revenue >= 0$"),
    ("churn_probability", [0.2, 1.5, 0.1], r"column 'churn_probability': values outside \[0, 1\] in 1 rows; expected churn")])
def test_revenue_at_risk_on_a_table_names_only_the_column_at_fault(column, values, says):
    # counted by hand from the three rows; the other column is clean, so the message does not name it
    frame = pd.DataFrame({"churn_probability": [0.2, 0.5, 0.1], "annual_revenue": [100.0, 200.0, 50.0]})
    with pytest.raises(DataError, match=says):
        cu.revenue_at_risk(cxdata.as_table(frame.assign(**{column: values})))


def test_retention_scenario_in_the_database(both):
    want, got = both
    full = cu.retention_scenario(want, shift=0.5, shift_se=0.05, n_draws=50)
    same = cu.retention_scenario(got, shift=0.5, shift_se=0.05, n_draws=50)
    pd.testing.assert_frame_equal(same, full, check_exact=False, rtol=1e-9)
    part = cu.retention_scenario(got, shift=0.5, shift_se=0.05, n_draws=50, sample=3000).iloc[0]
    assert part["n_sampled"] == 3000 and part["customers"] == full["customers"].iloc[0]
    # a seeded sample of a quarter of the customers, scaled up, lands near the full figure
    assert part["revenue_kept"] == pytest.approx(full["revenue_kept"].iloc[0], rel=0.15)


def test_retention_scenario_in_the_database_scales_nothing_up_for_customers_the_model_cannot_score(both):
    # A tenth of the customers on a plan the churn model never saw: design() drops them (no probability).
    # The pandas path, which computes on every customer, is the second method: the database path without
    # a sample must give its figures, not scale the kept revenue up by 10,033 / 9,055 (it did, and the
    # worth section then called the full computation "a random sample of 9,055 of the 10,033 customers").
    import dataclasses

    want, got = both
    ids = want.table["customer_id"].iloc[::10].tolist()
    w = want.table
    want = dataclasses.replace(want, table=w.assign(plan=w["plan"].where(~w["customer_id"].isin(ids), "Atlantis")))
    g = got.table
    got = dataclasses.replace(got, table=g.mutate(plan=g.customer_id.isin(ids).ifelse("Atlantis", g.plan)))
    full = cu.retention_scenario(want, shift=0.5, n_draws=20)
    assert full["customers"].iloc[0] < len(w[~w["churned"]].dropna(subset=["nps_latest"]))   # some were dropped
    pd.testing.assert_frame_equal(cu.retention_scenario(got, shift=0.5, n_draws=20), full, check_exact=False,
                                  rtol=1e-9)


def test_the_follow_up_list_from_a_table_holds_the_costliest_candidates_first(both, frames):
    # capped at n: the first n rows of the uncapped list (the pandas path: highest churn probability x revenue
    # first), in that order, when none of them ties. Exactly n: churned accounts and the month's promoters
    # once competed for the places and then left the list (40 of 50, 577 of 1,000 customers on the sample)
    want, got = both
    r = frames[0]
    full = cu.follow_up_list(r, want.table, month="2026-10")
    assert len(full) > 1000
    for n in (50, 1000):
        capped = cu.follow_up_list(r, got.table, month="2026-10", max_customers=n)
        assert len(capped) == n and capped.attrs["capped_at"] == n
        assert capped["customer_id"].tolist() == full["customer_id"].head(n).tolist()
    assert cu.follow_up_list(r, got.table, month="2026-10").attrs["capped_at"] is None


def test_accounts_without_churn_outcomes_score_without_a_model_in_the_database(frames):
    r, t, a = frames
    got = cu.score_customers(cxdata.as_table(r), cxdata.as_table(t), cxdata.as_table(a.drop(columns=["churned"])),
                             month="2026-10")
    want = cu.score_customers(r, t, a.drop(columns=["churned"]), month="2026-10")
    assert got.model is None and got.note == want.note   # "too few customers who churned (0) or stayed (0) ..."
    assert rows(got.table)["churn_probability"].isna().all()


def test_the_follow_up_list_joined_in_the_database_is_the_top_of_the_pandas_list(both, frames):
    # responses and customers both tables: the list is joined, ranked and capped in the database, and the
    # capped list is the first rows of the pandas list (second method: the DataFrame path, uncapped)
    want, got = both
    r = frames[0]
    drivers = cxdata.load_config().drivers   # every driver column: lowest_driver read from the database rows
    full = cu.follow_up_list(r, want.table, month="2026-10", drivers=drivers)
    same = cu.follow_up_list(cxdata.as_table(r), got.table, month="2026-10", drivers=drivers)
    pd.testing.assert_frame_equal(same, full, check_exact=False, rtol=1e-9)
    assert same.attrs["capped_at"] is None
    capped = cu.follow_up_list(cxdata.as_table(r), got.table, month="2026-10", drivers=drivers, max_customers=50)
    assert capped.attrs["capped_at"] == 50
    pd.testing.assert_frame_equal(capped, full.head(50), check_exact=False, rtol=1e-9)


def test_the_latest_answers_are_duckdbs_arg_max_not_an_ordered_aggregate(frames):
    # Ibis writes argmax as FIRST(x ORDER BY t DESC), an ordered aggregate that made the customer GROUP BY
    # ~1.4x slower on DuckDB (10M responses: 14.0-16.6 s -> 11.0-11.4 s); the latest answers themselves are
    # checked against the pandas path in test_scores_in_the_database_are_the_pandas_scores.
    from cxlib.customers._history import survey_expr

    sql = ibis.to_sql(survey_expr(cxdata.as_table(frames[0]), pd.Timestamp("2026-11-01"))).upper()
    assert sql.count("ARG_MAX(") == 3 and "FIRST(" not in sql


@pytest.mark.postgres
def test_a_sampled_fit_on_postgresql_draws_the_pandas_customers_and_scores_alike(frames, postgres_url):
    # PostgreSQL reads the health in computed steps (it shares no common subexpressions: 130 s for 250k
    # customers inlined) and the sampled positions from one array parameter: the figures are the pandas path's
    from cxlib.data.remote import connect_url

    r, t, a = frames
    con = connect_url(postgres_url, variable="CX_TEST_PG", section="test")
    tables = []
    for name, frame in (("responses", r), ("tickets", t), ("accounts", a)):
        if f"cust_{name}" in con.list_tables():
            con.drop_table(f"cust_{name}")
        tables.append(con.create_table(f"cust_{name}", frame))
    want = cu.score_customers(r, t, a, month="2026-10", fit_sample=2000, compare=False)
    got = cu.score_customers(*tables, month="2026-10", fit_sample=2000, compare=False)
    assert got.model.n_sampled == want.model.n_sampled == 2000
    pd.testing.assert_series_equal(got.model.params, want.model.params, rtol=1e-9)
    g = rows(got.table)
    pd.testing.assert_frame_equal(g[list(want.table.columns)], want.table.reset_index(drop=True),
                                  check_exact=False, rtol=1e-9)
    with con.raw_sql("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'cx_pos_%'") as cur:
        assert cur.fetchone()[0] == 0                    # the sample's positions table dropped after the pull


def test_a_latest_answer_skips_a_later_response_without_that_score():
    # DuckDB's arg_max skips rows whose value is NULL, so survey_expr writes it without FILTER (WHERE x IS
    # NOT NULL). By hand: A answered CSAT 5 on 1 Sep and only NPS (CSAT blank) on 20 Sep -> csat_latest 5,
    # nps_latest 3; B's only CSAT is blank -> NULL.
    from cxlib.customers._history import survey_expr

    r = pd.DataFrame({"customer_id": ["A", "A", "B"],
                      "responded_at": pd.to_datetime(["2026-09-01", "2026-09-20", "2026-09-05"]),
                      "nps": [8.0, 3.0, 9.0], "csat": [5.0, None, None]})
    sql = ibis.to_sql(survey_expr(cxdata.as_table(r), pd.Timestamp("2026-10-01"))).upper()
    assert "ARG_MAX(" in sql and "FILTER" not in sql
    got = survey_expr(cxdata.as_table(r), pd.Timestamp("2026-10-01")).execute().set_index("customer_id")
    assert got.loc["A", "csat_latest"] == 5.0 and got.loc["A", "nps_latest"] == 3.0
    assert pd.isna(got.loc["B", "csat_latest"]) and got.loc["B", "nps_latest"] == 9.0


def test_revenue_at_risk_totals_from_its_groups_keep_the_missing_group_and_no_rows():
    # the total is now the sum of the GROUP BY's groups (one scan, not two): a customer without a region counts
    # in "All" but has no row of its own, as in pandas; zero rows (and region C, whose one customer has no
    # probability) give n = 0 and revenue 0, as in pandas (the table gave no revenue: NULL, a sum of no rows)
    frame = pd.DataFrame({"churn_probability": [0.2, 0.5, 0.1, np.nan], "annual_revenue": [100.0, 200.0, 50.0, 80.0],
                          "region": ["A", "B", None, "C"]})   # C: no probability
    for data in (frame, frame.iloc[:0]):
        for by in (None, "region"):
            got = cu.revenue_at_risk(cxdata.as_table(data), by=by, min_n=1)
            pd.testing.assert_frame_equal(got, cu.revenue_at_risk(data, by=by, min_n=1), check_exact=False, rtol=1e-12)
    total = cu.revenue_at_risk(cxdata.as_table(frame), by="region", min_n=1).iloc[-1]
    # by hand: 0.2*100 + 0.5*200 + 0.1*50 = 125 expected loss over 350 of revenue (the NaN probability: missing)
    assert (total["region"], total["n"], total["expected_loss"], total["revenue"], total["n_missing"]) == \
        ("All", 3, pytest.approx(125.0), pytest.approx(350.0), 1)
