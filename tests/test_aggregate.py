"""Group sums declared as Terms: hand-computed values on both evaluators, and SQL for every dialect."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from cxlib.data import Term, as_table, group_sums, is_table

FRAME = pd.DataFrame({"g": ["a", "a", "b", None], "x": [1.0, 3.0, np.nan, 9.0], "w": [2.0, 1.0, 5.0, 1.0]})
TERMS = [Term("n", present=("x",), count=True), Term("sw", weight="w", wpow=1, present=("x",)),
         Term("swx", factors=(("x", 2.0),), weight="w", wpow=1), Term("k", values=("x", (3,)), count=True),
         Term("off", outside=("x", 0, 2, True), count=True)]


@pytest.mark.parametrize("wrap", [lambda d: d, pytest.param(as_table, marks=pytest.mark.duckdb)])
def test_group_sums_by_hand(wrap):
    s = group_sums(wrap(FRAME), by=["g"], terms=TERMS)
    # group a: x = 1, 3 with w = 2, 1: n 2, Σw 3, Σw(x − 2) = 2·(−1) + 1·1 = −1, one 3, one off 0–2 (x = 3)
    # group b: x missing: n 0; the row with g missing is left out
    assert s["g"].tolist() == ["a", "b"]
    assert s[["n", "k", "off"]].values.tolist() == [[2, 1, 1], [0, 0, 0]]
    assert s[["sw", "swx"]].values.tolist() == [[3.0, -1.0], [0.0, 0.0]]
    assert s["n"].dtype == "int64" and s["sw"].dtype == "float64"


def test_a_frame_is_no_table_without_importing_ibis():
    # the report kernel on DataFrames asks is_table dozens of times; importing Ibis to answer cost it 0.15-0.3 s
    code = ("import sys; import pandas as pd; from cxlib.data import is_table; "
            "print(is_table(pd.DataFrame({'nps': [1]})), 'ibis' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


@pytest.mark.duckdb
def test_a_table_is_a_table():
    assert is_table(as_table(FRAME)) and not is_table(FRAME) and not is_table(None)


@pytest.mark.duckdb
def test_missing_keys_can_be_kept_for_checks():
    a = group_sums(FRAME, by=["g"], terms=TERMS, keep_missing_keys=True)
    b = group_sums(as_table(FRAME), by=["g"], terms=TERMS, keep_missing_keys=True)
    pd.testing.assert_frame_equal(a, b)
    assert a["n"].tolist() == [2, 0, 1]


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "bigquery", "snowflake", "trino"])
def test_score_and_driver_sums_compile_for_each_dialect(dialect):
    # Generated SQL checked, not run: BigQuery, Snowflake and Trino have no server here.
    import ibis

    from cxlib.data.aggregate import sums_expr

    t = ibis.table({"g": "string", "x": "float64", "y": "float64", "w": "float64", "d": "timestamp"}, name="r")
    terms = TERMS + [Term("sxy", factors=(("x", 3.0), ("y", 3.0)), weight="w", wpow=1, present=("x", "y", "w"))]
    sql = ibis.to_sql(sums_expr(t, ["g"], {"period": t.d.truncate("M")}, terms), dialect=dialect)
    assert "GROUP BY" in sql.upper() and "SUM(" in sql.upper()
    assert any(f in sql.upper() for f in ("COUNT(", "COUNTIF(", "COUNT_IF("))   # counts as counts, never SUM(CAST(bool))


@pytest.mark.duckdb
@pytest.mark.parametrize("bad, shown", [("-1.0", "-1.0"), ("'inf'::DOUBLE", "inf"), ("'nan'::DOUBLE", "nan")])
def test_table_weight_refuses_what_a_weight_cannot_be(bad, shown):
    from cxlib.data import table_weight
    from cxlib.errors import DataError

    con = __import__("ibis").duckdb.connect()
    con.raw_sql("CREATE TABLE w AS SELECT * FROM (VALUES (1.0::DOUBLE), (2.0), (3.0)) t(w)")
    assert table_weight(con.table("w"), "w", where="x").sum().execute() == 6.0           # 1 + 2 + 3
    # a NaN stored as NaN (not NULL): DuckDB keeps it, and 'NaN' < 0 is false, so only isnan() catches it
    con.raw_sql(f"INSERT INTO w VALUES ({bad})")
    with pytest.raises(DataError, match=rf"x: column 'w': weights must be finite and ≥ 0 on every row; bad in 1 "
                                        rf"row\(s\), e.g. ({shown})"):
        table_weight(con.table("w"), "w", where="x")


def _connect(engine: str, request):
    """A DuckDB connection, or one to the session's PostgreSQL server."""
    import ibis

    if engine == "postgres":
        from cxlib.data.remote import connect_url

        return connect_url(request.getfixturevalue("postgres_url"), variable="CX_TEST", section="responses")
    return ibis.duckdb.connect()


@pytest.mark.parametrize("engine", ["duckdb", "postgres"])
def test_materialize_replaces_drops_the_earlier_copy(engine, request):
    # a step of a stored table stored again drops the earlier copy (its memory freed at once): the new copy
    # holds the rows (1+2+3 = 6, doubled 12), the old is gone.
    from cxlib.data import materialize

    con = _connect(engine, request)
    con.raw_sql("CREATE TEMP TABLE cx_tmp_first AS SELECT x FROM (VALUES (1), (2), (3)) AS t(x)")
    first = con.table("cx_tmp_first")
    third = materialize(first.mutate(y=first.x * 3))   # materialize's own (qualified) name is dropped too
    materialize(third.mutate(z=third.y), replaces=third)
    second = materialize(first.mutate(y=first.x * 2), replaces=first)
    assert int(second.y.sum().execute()) == 12
    names = {r[0] for r in con.raw_sql("SELECT table_name FROM information_schema.tables").fetchall()}
    gone, kept = (t.get_name().rsplit(".", 1)[-1] for t in (third, second))   # DuckDB: temp.main.<name>
    assert "cx_tmp_first" not in names and gone not in names and kept in names


def _tables(con) -> set:
    return {r[0] for r in con.raw_sql("SELECT table_name FROM information_schema.tables").fetchall()}


@pytest.mark.parametrize("engine", ["duckdb", "postgres"])
def test_add_column_stores_the_column_in_place_on_duckdb_and_as_a_copy_elsewhere(engine, request):
    # the churn probability is one more column of the stored customer table: DuckDB adds it in place (ALTER,
    # UPDATE: the same table, no copy of its other columns), PostgreSQL copies the table with it and drops the
    # first copy; either way the values are the expression's (by hand: x = 1, 2, 3 -> x*x + 0.5 = 1.5, 4.5, 9.5;
    # q: twice that where k is "a", else NULL)
    import ibis

    from cxlib.data import add_column, materialize

    con = _connect(engine, request)
    con.raw_sql("CREATE TEMP TABLE cx_src AS SELECT x, k FROM (VALUES (1, 'a'), (2, 'b'), (3, 'a')) AS t(x, k)")
    stored = materialize(con.table("cx_src"))
    name = stored.get_name().rsplit(".", 1)[-1]
    got = add_column(stored, "p", (stored.x * stored.x).cast("float64") + 0.5)
    got = add_column(got, "q", ibis.cases((got.k == "a", got.p * 2), else_=ibis.null("float64")))
    rows = got.order_by("x").execute()
    assert rows["p"].tolist() == [1.5, 4.5, 9.5] and rows["q"].tolist()[::2] == [3.0, 19.0] and pd.isna(rows["q"][1])
    assert list(got.columns) == ["x", "k", "p", "q"]
    same = got.get_name().rsplit(".", 1)[-1] == name
    assert same == (engine == "duckdb") and (name in _tables(con)) == same
    again = add_column(got, "p", got.p + 1)   # a column it has: replaced, as mutate does (a copy)
    assert again.order_by("x").p.execute().tolist() == [2.5, 5.5, 10.5]
    plain = add_column(con.table("cx_src"), "p", con.table("cx_src").x + 1)   # not made by materialize: a copy
    assert "cx_src" in _tables(con) and "p" not in con.table("cx_src").columns and list(plain.columns)[-1] == "p"


def test_add_column_copies_what_no_update_takes_and_leaves_the_table_whole():
    # found in review: a window or a reduction over the table passed the in-place check, DuckDB refused the
    # UPDATE and the stored table kept an empty new column; a name with a quote broke the SQL. Now: a copy
    # (values by hand: x = 1, 2, 3 less their mean 2 -> -1, 0, 1; ranks 0, 1, 2), the name quoted in place
    import ibis

    from cxlib.data import add_column, materialize

    def stored():
        return materialize(ibis.memtable(pd.DataFrame({"x": [1.0, 2.0, 3.0]})))

    t = stored()
    assert add_column(t, "z", t.x - t.x.mean()).order_by("x").z.execute().tolist() == [-1.0, 0.0, 1.0]
    t = stored()
    assert add_column(t, "k", ibis.row_number().over(order_by=t.x)).order_by("x").k.execute().tolist() == [0, 1, 2]
    t = stored()
    name = t.get_name().rsplit(".", 1)[-1]
    odd = add_column(t, 'we"ird', t.x + 1)
    assert odd.get_name().rsplit(".", 1)[-1] == name and odd['we"ird'].sum().execute() == 9.0


def test_a_failed_in_place_update_leaves_the_stored_table_as_it_was():
    # the ALTER and the UPDATE are one transaction: an UPDATE that fails on a value (text that is no number)
    # leaves no empty column behind
    import duckdb
    import ibis

    from cxlib.data import add_column, materialize

    t = materialize(ibis.memtable(pd.DataFrame({"s": ["1", "two"]})))
    name = t.get_name().rsplit(".", 1)[-1]
    with pytest.raises(duckdb.ConversionException):
        add_column(t, "n", t.s.cast("int64"))
    assert list(t.get_backend().table(name, database=("temp", "main")).columns) == ["s"]
