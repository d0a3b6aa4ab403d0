"""Multiple-response questions on the engines: ``responses.multi`` options carried and coded by DuckDB and
a server table (cxlib.data.engines) as the pandas loader codes them, and ``crosstab(multi=)`` on an Ibis
table (pushed-down sums) equal to the DataFrame's table to 1e-9 (the DataFrame path is checked by hand and
against statsmodels and R in tests/test_multi.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxlib import data
from cxlib.errors import DataError, ParameterError
from cxlib.tables import crosstab

MULTI = {"why": ["Q5_1", "Q5_2", "Q5_3"]}


def _raw(n: int = 240, seed: int = 3) -> pd.DataFrame:
    """An export with every spelling the loader reads: numbers with a "don't know" code 9 and NaN, text
    (any case, padded, blank) and true/false; about 8% skip the whole question."""
    rng = np.random.default_rng(seed)
    skip = rng.random(n) < 0.08
    pick = rng.random((n, 3)) < [0.5, 0.3, 0.15]
    q1 = np.where(skip, np.nan, pick[:, 0].astype(float))
    q1[~skip & (rng.random(n) < 0.03)] = 9.0                         # don't know: missing, listed below
    q2 = np.where(skip, "", np.where(pick[:, 1], " Selected", "not selected"))
    q3 = np.where(skip, "", np.where(pick[:, 2], "YES", "no"))
    return pd.DataFrame({"id": [f"R{i:04d}" for i in range(1, n + 1)], "at": "2026-10-05", "ltr": rng.integers(0, 11, n),
                         "region": rng.choice(["EMEA", "APAC", "LATAM"], n), "Q5_1": q1, "Q5_2": q2, "Q5_3": q3,
                         "band": rng.choice(["young", "old", None], n, p=[0.5, 0.4, 0.1])})


def _spec(path, **extra) -> dict:
    return {"responses": {"path": str(path), "columns": {"response_id": "id", "responded_at": "at", "nps": "ltr"},
                          "segments": {"region": "region", "band": "band"}, "multi": MULTI, "missing_codes": {"Q5_1": [9]},
                          "dates": {"floor": "1990-01-01"}, **extra}, "cache_dir": None}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The raw export as CSV and Parquet, and the pandas loader's reading of it (the reference)."""
    folder = tmp_path_factory.mktemp("multi")
    raw = _raw()
    raw.to_csv(folder / "r.csv", index=False)
    raw.to_parquet(folder / "r.parquet")
    return folder, data.load_responses(_spec(folder / "r.csv", engine="pandas"))


def _same_table(frame, table):
    kw = {"banner": ["region", "band"], "multi": MULTI, "min_n": 5}
    rows = ["nps", ("nps", "pct_detractors"), ("nps", "top_box"), ("nps", "mean")]
    a = crosstab(frame, rows=rows, scales={"nps": (0, 10)}, **kw)
    b = crosstab(table, rows=rows, scales={"nps": (0, 10)}, **kw)
    pd.testing.assert_frame_equal(a, b, rtol=1e-9, atol=1e-9)
    assert set(a["metric"]) == {"nps", "pct_detractors", "top_box", "mean", "pct_selected", "pct_any"}
    a = crosstab(frame, weight="w", test="complement", **kw)
    b = crosstab(table, weight="w", test="complement", **kw)
    pd.testing.assert_frame_equal(a, b, rtol=1e-9, atol=1e-9)


def test_the_loader_codes_the_export_as_counted_by_hand(exported):
    _, ref = exported
    raw = _raw()
    # By hand from the raw columns: 1 selected, 0 not, blank / NaN / the listed code 9 no answer.
    expect = raw["Q5_1"].where(raw["Q5_1"] != 9).map({1.0: True, 0.0: False})
    assert ref["Q5_1"].dtype == "boolean"
    assert ref["Q5_1"].isna().sum() == expect.isna().sum() and (ref["Q5_1"] == True).sum() == (expect == True).sum()  # noqa: E712
    assert (ref["Q5_2"] == True).sum() == raw["Q5_2"].str.strip().eq("Selected").sum()  # noqa: E712
    assert ref["Q5_3"].isna().sum() == raw["Q5_3"].eq("").sum()


@pytest.mark.duckdb
@pytest.mark.parametrize("kind, most", [("csv", 200_000), ("parquet", 200_000), ("parquet", 0)])
def test_duckdb_carries_the_options_as_the_pandas_loader_codes_them(exported, kind, most, monkeypatch):
    # most: the cross-product cap of cxlib.tables._table (0: one query per span instead of one scan)
    monkeypatch.setattr("cxlib.tables._table.MOST_GROUPS", most)
    folder, ref = exported
    table = data.load_responses(_spec(folder / f"r.{kind}", engine="duckdb"))
    assert data.is_table(table) and str(table.schema()["Q5_2"]) == "boolean"
    got = data.to_frame(table, order_by=["response_id"])
    pd.testing.assert_frame_equal(got[MULTI["why"]], ref[MULTI["why"]])
    w = np.random.default_rng(5).uniform(0.3, 3.0, len(ref)).round(3)
    _same_table(ref.assign(w=w), data.as_table(got.assign(w=w)))


@pytest.mark.duckdb
def test_a_bad_option_value_is_refused_naming_column_question_and_values(tmp_path):
    raw = _raw(40)
    raw["Q5_2"] = raw["Q5_2"].astype(object)
    raw.loc[[4, 9], "Q5_2"] = ["maybe", "perhaps"]
    raw.to_csv(tmp_path / "r.csv", index=False)
    with pytest.raises(DataError) as err:
        data.load_responses(_spec(tmp_path / "r.csv", engine="duckdb"))
    msg = str(err.value)
    assert f"responses file {tmp_path / 'r.csv'}, column 'Q5_2' (an option of 'why')" in msg
    assert "2 row(s), e.g. " in msg and "'maybe'" in msg and "'perhaps'" in msg and "missing_codes" in msg
    raw.loc[[4, 9], "Q5_2"] = ""
    raw["Q5_1"] = raw["Q5_1"].fillna(2.0)
    raw.to_parquet(tmp_path / "r.parquet")
    with pytest.raises(DataError, match=r"column 'Q5_1' \(an option of 'why'\).*row\(s\), e.g. 2\.0"):
        data.load_responses(_spec(tmp_path / "r.parquet", engine="duckdb"))


@pytest.mark.postgres
def test_a_server_table_carries_the_options_and_gives_the_same_banner(exported, postgres_url, monkeypatch):
    import ibis

    _, ref = exported
    con = ibis.connect(postgres_url)
    con.raw_sql("CREATE SCHEMA IF NOT EXISTS cx")
    if "multi_export" in con.list_tables(database="cx"):
        con.drop_table("multi_export", database="cx")
    con.create_table("multi_export", _raw(), database="cx")      # as the warehouse holds the export
    monkeypatch.setenv("CX_TEST_MULTI", postgres_url)
    cfg = _spec("unused")
    cfg["responses"].pop("path")
    cfg["responses"].update(table="cx.multi_export", connection="env:CX_TEST_MULTI")
    table = data.load_responses(cfg)
    got = data.to_frame(table, order_by=["response_id"])
    pd.testing.assert_frame_equal(got[MULTI["why"]], ref[MULTI["why"]])
    w = np.random.default_rng(5).uniform(0.3, 3.0, len(ref)).round(3)
    if "multi_w" in con.list_tables():
        con.drop_table("multi_w")
    _same_table(ref.assign(w=w), con.create_table("multi_w", got.assign(w=w)))


@pytest.mark.duckdb
def test_crosstab_on_a_table_refuses_what_it_cannot_read():
    # A table built by hand (not by the loader): text options are coded in the query, other values refused.
    frame = pd.DataFrame({"g": ["a", "b", "a", "b"], "nps": [9, 3, 10, 7], "Q1": ["yes", "no", "maybe", None],
                          "w": [1.0, -1.0, 1.0, 1.0]})
    table = data.as_table(frame)
    with pytest.raises(DataError, match=r"crosstab, column 'Q1': a multiple-response option.*1 row\(s\), e.g. 'maybe'"):
        crosstab(table, banner="g", multi={"why": ["Q1"]})
    with pytest.raises(DataError, match=r"column 'w': weights must be finite.*e.g. -1.0"):
        crosstab(table, rows=["nps"], banner="g", weight="w")
    with pytest.raises(ParameterError, match="runs on a DataFrame"):
        crosstab(table, rows=["nps"], banner="g", compare="previous")
    # The default rows: every canonical score with an answer, as on the DataFrame (hand: only nps here).
    pd.testing.assert_frame_equal(crosstab(table, banner="g", min_n=1), crosstab(frame, banner="g", min_n=1))


@pytest.mark.duckdb
def test_the_report_shows_the_options_from_a_duckdb_table_as_from_the_file(exported):
    # Before the loader carried them, a table's banner had no multiple-response rows and the drivers section no
    # options: now both equal the pandas path's (the month's rows are pulled with the options, coded).
    from cxlib.report import sections

    folder, _ = exported
    kept = {}
    for engine in ("pandas", "duckdb"):
        cfg = data.load_config({**_spec(folder / "r.parquet", engine=engine), "report": {"primary": "nps"}})
        responses = data.load_responses(cfg)
        assert data.is_table(responses) == (engine == "duckdb")
        scope = sections.context(cfg, responses, month="2026-10")
        banner, drivers = sections.banner(scope), sections.drivers(scope)
        assert "Why: any (net)" in banner and "Options as drivers of NPS" in drivers
        kept[engine] = {k: pd.DataFrame(scope.tables[k]["rows"]) for k in ("banner", "options")}
    for k in ("banner", "options"):
        pd.testing.assert_frame_equal(kept["pandas"][k], kept["duckdb"][k], rtol=1e-9)
