"""A customer's latest answer (cxlib.customers._latest): the same answer in health, the churn features and
the follow-up list, on pandas, DuckDB and PostgreSQL, when two answers share the latest date.

Every expected value is worked out by hand from the rows below (the comment beside each says how).
"""

from __future__ import annotations

import dataclasses
import uuid

import numpy as np
import pandas as pd
import pytest

from cxlib import customers as cu
from cxlib import data as cxdata
from cxlib import metrics
from cxlib.customers import _engine, _latest

END = pd.Timestamp("2026-11-01")

#: A: two answers on 5 Oct, a date without a time; R3 is first in the file, R1 last (a stable sort by date
#: keeps R1, the file's last). B: the latest response (20 Oct) has no CSAT. C: "R9" > "R10" (character by
#: character). D: "r1" > "R2" in code points (114 > 82); a locale's collation ("R2" after "r1") says otherwise.
ROWS = [("R3", "A", "2026-10-05", 3.0, 2.0), ("R0", "A", "2026-09-01", 10.0, 5.0), ("R1", "A", "2026-10-05", 9.0, 4.0),
        ("R4", "B", "2026-09-10", 8.0, 5.0), ("R5", "B", "2026-10-20", 6.0, np.nan),
        ("R10", "C", "2026-10-07", 10.0, 5.0), ("R9", "C", "2026-10-07", 7.0, 3.0),
        ("R2x", "D", "2026-09-02", 5.0, 1.0), ("r1", "D", "2026-10-09", 2.0, 2.0), ("R2", "D", "2026-10-09", 10.0, 5.0)]

#: By hand, with response ids. A: R3 beats R1 at 5 Oct -> NPS 3, CSAT 2; trend 3 - mean(10, 9) = -6.5.
#: B: NPS 6 (20 Oct), CSAT 5 (10 Sep, the latest with one); trend 6 - 8 = -2. C: R9 -> NPS 7, CSAT 3;
#: trend 7 - 10 = -3. D: r1 -> NPS 2, CSAT 2; trend 2 - mean(5, 10) = -5.5.
WANT = {"A": (3.0, 2.0, -6.5, "detractor"), "B": (6.0, 5.0, -2.0, "detractor"), "C": (7.0, 3.0, -3.0, "passive"),
        "D": (2.0, 2.0, -5.5, "detractor")}
#: Without a response_id column the highest answer at the latest date wins, score by score. A: NPS max(3, 9)
#: = 9, CSAT max(2, 4) = 4, trend 9 - mean(10, 3) = 2.5. C: NPS 10, CSAT 5, trend 10 - 7 = 3. D: NPS 10, CSAT 5,
#: trend 10 - mean(5, 2) = 6.5. B has no tie: as above.
WANT_NO_IDS = {"A": (9.0, 4.0, 2.5, "promoter"), "B": (6.0, 5.0, -2.0, "detractor"), "C": (10.0, 5.0, 3.0, "promoter"),
               "D": (10.0, 5.0, 6.5, "promoter")}
#: The follow-up list of October (churn probability 0.1 for all: only the month's detractors are listed):
#: A's row is R3 (NPS 3), B's R5 (NPS 6, no CSAT), D's r1 (NPS 2); C (R9, NPS 7) is a passive, not listed.
WANT_FOLLOW = {"A": ("R3", 3.0, 2.0), "B": ("R5", 6.0, np.nan), "D": ("r1", 2.0, 2.0)}


def responses(ids: bool = True) -> pd.DataFrame:
    r = pd.DataFrame(ROWS, columns=["response_id", "customer_id", "responded_at", "nps", "csat"])
    r["responded_at"] = pd.to_datetime(r["responded_at"]).astype("datetime64[ns]")
    return r if ids else r.drop(columns="response_id")


def accounts() -> pd.DataFrame:
    return pd.DataFrame({"customer_id": list("ABCD"), "plan": ["Pro"] * 4, "churned": [False] * 4})


def _check(table: pd.DataFrame, want: dict) -> None:
    got = table.set_index("customer_id")
    for c, (nps, csat, trend, cat) in want.items():
        assert got.loc[c, "nps_latest"] == nps and got.loc[c, "csat_latest"] == csat, c
        assert got.loc[c, "nps_trend"] == pytest.approx(trend) and got.loc[c, "nps_category"] == cat, c


def _tables(kind: str, frames: list[pd.DataFrame], tmp_path, url=None) -> list:
    """The frames as tables of one DuckDB connection (over Parquet files, as a large-file config reads them)
    or of the test PostgreSQL."""
    import ibis

    from engines import postgres_table

    if kind == "duckdb":
        con = ibis.duckdb.connect()
        out = []
        for i, f in enumerate(frames):
            f.to_parquet(tmp_path / f"t{i}.parquet")
            out.append(con.read_parquet(str(tmp_path / f"t{i}.parquet")))
        return out
    # a fresh name each time: dropping a table left by an earlier test fails in Ibis 12 ("DROP TABLE" unnamed)
    return [postgres_table(f, url, f"ties_{uuid.uuid4().hex}") for f in frames]


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request, tmp_path):
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    return lambda frames: _tables(request.param, frames, tmp_path, url)


@pytest.mark.parametrize("ids", [True, False])
def test_the_pandas_customer_table_breaks_ties_by_response_id(ids):
    _check(cu.customer_table(responses(ids), None, accounts(), as_of="2026-10"), WANT if ids else WANT_NO_IDS)


@pytest.mark.parametrize("ids", [True, False])
def test_the_database_breaks_ties_alike(engine, ids):
    r, a = engine([responses(ids), accounts()])
    _check(cu.customer_table(r, None, a.execute(), as_of="2026-10"), WANT if ids else WANT_NO_IDS)
    rows = _engine.as_frame(cxdata.to_frame(_engine.customer_expr(r, None, a, END, 72.0),
                                            order_by=("customer_id",), unique=("customer_id",)))
    _check(rows, WANT if ids else WANT_NO_IDS)   # the health query's own table (score_customers reads it)


def test_the_same_latest_answer_every_run():
    # DuckDB's arg_max on the date alone kept whichever tied row a thread saw first; repeated on a file of many
    # customers tied like A, the struct key gives the highest id's answer each time (by hand: every customer's
    # "b" answer, NPS 2, whose id ends in b > a)
    import tempfile
    from pathlib import Path

    from engines import duckdb_table

    n = 200_000
    ids = np.arange(n).astype(str)
    frame = pd.DataFrame({"response_id": np.concatenate([np.char.add(ids, "b"), np.char.add(ids, "a")]),
                          "customer_id": np.concatenate([ids, ids]),
                          "responded_at": pd.Timestamp("2026-10-05"), "nps": np.repeat([2.0, 9.0], n)})
    frame = frame.sample(frac=1.0, random_state=1).reset_index(drop=True)
    with tempfile.TemporaryDirectory() as folder:
        t = duckdb_table(frame, Path(folder))
        from cxlib.customers._history import survey_expr

        for _ in range(2):
            got = survey_expr(t, END).execute()
            assert len(got) == n and (got["nps_latest"] == 2.0).all()


def test_the_follow_up_list_shows_the_latest_answer_of_the_customer_table(engine):
    r = responses()
    cust = accounts().assign(churn_probability=0.1)
    want = cu.follow_up_list(r, cust, month="2026-10")
    rt, ct = engine([r, cust])
    got = cu.follow_up_list(rt, ct, month="2026-10")
    for out in (want, got):
        rows = out.set_index("customer_id")
        assert sorted(rows.index) == sorted(WANT_FOLLOW)
        for c, (rid, nps, csat) in WANT_FOLLOW.items():
            assert rows.loc[c, "response_id"] == rid and rows.loc[c, "nps"] == nps, c
            assert rows.loc[c, "csat"] == csat or (np.isnan(csat) and np.isnan(rows.loc[c, "csat"])), c
            assert nps == WANT[c][0]   # the list's score is the customer table's nps_latest


def test_nps_categories_come_from_the_metric_registry(monkeypatch):
    # a registry whose promoters are 10 only and detractors 0-7 (by hand): A's 3 and D's 2 detractors,
    # B's 6 and C's 7 detractors too; with 9-10 / 0-6 C's 7 was a passive
    nps = dataclasses.replace(metrics.METRICS["nps"], points={"promoters": (10,), "passives": (8, 9),
                                                               "detractors": tuple(range(8))})
    monkeypatch.setitem(metrics.METRICS, "nps", nps)
    assert _latest.nps_cuts() == (10.0, 7.0)
    want = {c: (*v[:3], "detractor") for c, v in WANT.items()}
    _check(cu.customer_table(responses(), None, accounts(), as_of="2026-10"), want)
    rows = _engine.as_frame(cxdata.to_frame(
        _engine.customer_expr(cxdata.as_table(responses()), None, cxdata.as_table(accounts()), END, 72.0),
        order_by=("customer_id",), unique=("customer_id",)))
    _check(rows, want)
    listed = cu.follow_up_list(responses(), accounts().assign(churn_probability=0.1), month="2026-10")
    assert sorted(listed["customer_id"]) == ["A", "B", "C", "D"]   # C's 7 is now a detractor
