"""One equality suite: every statistic the issue lists, on pandas, DuckDB, PostgreSQL (and Spark under
``make test-spark``), unweighted and weighted, must give the same table: 1e-9 relative, counts exactly.

The pandas results are the reference (their own tests check them against hand arithmetic, R and
statsmodels); a database run that differs is a bug in the SQL the expressions compile to. Markers follow
Ibis's backend suite: ``duckdb``, ``postgres``, ``spark``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxlib import comments, data, drivers, scores
import engines

DRIVERS = ["support_speed", "ease_of_use", "billing_clarity", "reliability", "value_for_money"]


@pytest.fixture(scope="session")
def frame():
    """The sample responses, tagged with the codebook's themes, plus a seeded weight and a yes/no score."""
    cfg = data.load_config()
    r = comments.tag_themes(data.load_responses(cfg), comments.load_codebook(cfg.codebook))
    rng = np.random.default_rng(12)
    r["weight"] = rng.uniform(0.25, 3.0, len(r)).round(3)
    r["recommend"] = (r["nps"] >= 8).astype("boolean").mask(r["nps"].isna())
    return r.drop(columns=["comment"])


@pytest.fixture(scope="session")
def duckdb_table(frame, tmp_path_factory):
    return engines.duckdb_table(frame, tmp_path_factory.mktemp("duck"))


@pytest.fixture(scope="session")
def postgres_table(frame, postgres_url):
    return engines.postgres_table(frame, postgres_url, "cx_responses")


@pytest.fixture(scope="session")
def spark_table(frame, spark_backend):
    return spark_backend.create_table("cx_responses", frame, overwrite=True)


ENGINES = [pytest.param("duckdb", marks=pytest.mark.duckdb), pytest.param("postgres", marks=pytest.mark.postgres),
           pytest.param("spark", marks=pytest.mark.spark)]


@pytest.fixture(params=ENGINES)
def table(request):
    return request.getfixturevalue(f"{request.param}_table")


def _calls(w):
    kw = {"weight": "weight"} if w else {}
    cs, ces = {"scale": (1, 5)}, {"scale": (1, 7)}
    return {
        "nps": lambda d: scores.nps(d, by=["region", "touchpoint"], **kw),
        "nps_adjusted": lambda d: scores.nps(d, by="plan", ci_method="adjusted_wald", **kw),
        "csat": lambda d: scores.csat(d, by="region", **cs, **kw),
        "ces": lambda d: scores.ces(d, by=["channel"], **ces, **kw),
        "rating": lambda d: scores.rating(d, score="csat", by="plan", scale=(1, 5, True, 1), **kw),
        "recommend": lambda d: scores.recommend(d, by="region", **kw),
        "by_segments": lambda d: scores.by_segments(d, segments=["region", "plan"], metric="csat", **cs, **kw),
        "compare_month": lambda d: scores.compare(d, metric="nps", by="region", month="2026-10",
                                                  baseline="previous_3", **kw),
        "compare_rest": lambda d: scores.compare(d, metric="ces", by="touchpoint", **ces, **kw),
        "trend": lambda d: scores.trend(d, metric="csat", by="region", **cs, **kw),
        "what_changed": lambda d: scores.what_changed(d, month="2026-10", by=["region", "touchpoint"],
                                                      journey="touchpoint", **kw),
        "seasonality": lambda d: scores.seasonal_pattern(d, by="touchpoint", **kw),
        "shapley": lambda d: drivers.relative_importance(d, score="nps", drivers=DRIVERS, jackknife=20, **kw),
        "johnson": lambda d: drivers.relative_importance(d, score="csat", drivers=DRIVERS, method="johnson",
                                                         jackknife=20, **kw),
        "importance_by": lambda d: drivers.importance_by(d, by="region", score="nps", drivers=DRIVERS[:3], **kw),
        "importance_performance": lambda d: drivers.importance_performance(
            d, score="nps", drivers=DRIVERS, driver_scale=(1, 5), performance="top_box", **kw),
        "dominance": lambda d: drivers.dominance(d, score="nps", drivers=DRIVERS[:4], **kw),
        "theme_volumes": lambda d: comments.theme_volumes(d, by="region", **kw),
        "theme_impact": lambda d: comments.theme_impact(d, metric="nps", **kw),
        "theme_impact_csat": lambda d: comments.theme_impact(d, metric="csat", score="csat", **cs, **kw),
    }


CASES = [(name, w) for w in (False, True) for name in _calls(w)]


def assert_same(expected: pd.DataFrame, got: pd.DataFrame) -> None:
    """Same columns, rows and values: counts exactly, floats to 1e-9 relative (and 1e-12 absolute near 0)."""
    assert list(got.columns) == list(expected.columns)
    assert len(got) == len(expected)
    for col in expected.columns:
        a, b = expected[col], got[col]
        if pd.api.types.is_float_dtype(a):
            np.testing.assert_allclose(b.to_numpy(float), a.to_numpy(float), rtol=1e-9, atol=1e-12, err_msg=col)
        else:
            assert a.astype("str").tolist() == b.astype("str").tolist(), col


@pytest.mark.parametrize("name, weighted", CASES, ids=[f"{n}-{'w' if w else 'u'}" for n, w in CASES])
def test_same_numbers_on_every_engine(frame, table, name, weighted):
    call = _calls(weighted)[name]
    assert_same(call(frame), call(table))


@pytest.mark.duckdb
def test_memtable_gives_the_pandas_numbers(frame):
    # A DataFrame wrapped as an ibis.memtable (DuckDB) is the "one code path" the issue asks to measure.
    call = _calls(True)["what_changed"]
    assert_same(call(frame), call(data.as_table(frame)))


def test_the_suite_fails_on_a_different_number(frame):
    # The comparison must be able to fail: one value moved by 1e-6 relative is caught.
    t = scores.nps(frame, by="region")
    moved = t.assign(nps=t["nps"] * (1 + 1e-6))
    with pytest.raises(AssertionError):
        assert_same(t, moved)
