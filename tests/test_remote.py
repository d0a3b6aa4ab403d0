"""Where the data live: table/connection/engine config keys, credentials only from the environment, and
the DuckDB/PostgreSQL loaders giving the same canonical table as the pandas loader."""

from __future__ import annotations

import os

import pandas as pd
import pytest
import yaml

from cxlib import data, scores
from cxlib.data import project_root
from cxlib.data.remote import redact_url, redact_urls
from cxlib.errors import ConfigError, DataError, ParameterError
from cxlib.report.__main__ import main

ROOT = project_root()


def sample_config(**responses) -> dict:
    cfg = yaml.safe_load((ROOT / "cx.yml").read_text())
    for name in ("responses", "tickets", "accounts"):
        cfg[name]["path"] = str(ROOT / cfg[name]["path"])
    cfg["codebook"] = str(ROOT / cfg["codebook"])
    cfg["responses"].update(responses)
    return cfg


def server_config(table="cx.responses", var="CX_TEST_WAREHOUSE") -> dict:
    cfg = sample_config()
    cfg["responses"].pop("path")
    cfg["responses"].update(table=table, connection=f"env:{var}")
    return cfg


@pytest.mark.parametrize("raw, message", [
    ({"path": "a.csv", "table": "t", "connection": "env:X"}, "not both"),
    ({"columns": {}}, "needs a 'path'"),
    ({"table": "cx.responses", "connection": "postgresql://u:pw@h/db"}, "'responses.connection' must be env:VARIABLE.*got a URL"),
    ({"table": "cx.responses"}, "'responses.connection' must be env:VARIABLE.*got none"),
    ({"table": "drop table x;", "connection": "env:X"}, "must be a table name"),
    ({"path": "a.csv", "engine": "spark"}, "'responses.engine' must be one of"),
    ({"path": "a.csv", "connection": "env:X"}, "goes with 'table'"),
])
def test_source_keys_are_checked(raw, message):
    with pytest.raises(ConfigError, match=message) as err:
        data.load_config({"responses": {"columns": {"nps": "LTR"}, **raw}})
    assert "pw" not in str(err.value)       # a URL pasted into the config is not echoed back


def test_engines_section_is_checked():
    with pytest.raises(ConfigError, match="engines.memory_limit"):
        data.load_config({**sample_config(), "engines": {"memory_limit": "lots"}})
    with pytest.raises(ConfigError, match="unknown key"):
        data.load_config({**sample_config(), "engines": {"memroy_limit": "1GB"}})
    assert data.load_config({**sample_config(), "engines": {"threads": 2}}).engines["threads"] == 2


def test_missing_variable_is_a_parameter_error_naming_it(monkeypatch):
    monkeypatch.delenv("CX_TEST_WAREHOUSE", raising=False)
    with pytest.raises(ParameterError, match="CX_TEST_WAREHOUSE, which is not set"):
        data.load_responses(server_config())


def test_unreachable_server_names_the_variable_never_the_password(monkeypatch):
    monkeypatch.setenv("CX_TEST_WAREHOUSE", "postgresql://cx:s3cret-pw@127.0.0.1:9/cx")   # port 9: nothing listens
    with pytest.raises(ParameterError) as err:
        data.load_responses(server_config())
    text = str(err.value)
    assert "CX_TEST_WAREHOUSE" in text and "127.0.0.1:9" in text and "s3cret-pw" not in text


def test_a_pyspark_url_names_spark_settings_only(monkeypatch):
    # Settings go in the query as spark.* keys (applied while the session is built); anything else is refused
    # before a session starts, naming the variable and the keys, not their values.
    from cxlib.data.remote import spark_settings

    url = "pyspark:///srv/warehouse?spark.master=local[2]&spark.sql.catalogImplementation=hive"
    assert spark_settings(url) == {"spark.master": "local[2]", "spark.sql.catalogImplementation": "hive",
                                   "spark.sql.warehouse.dir": "/srv/warehouse"}
    assert spark_settings("pyspark://") == {}
    monkeypatch.setenv("CX_TEST_WAREHOUSE", "pyspark://?spark.master=local[2]&password=s3cret")
    with pytest.raises(ParameterError, match=r"CX_TEST_WAREHOUSE: the pyspark:// URL takes Spark settings "
                                             r"\(spark\.\*\) in its query; got \['password'\]") as err:
        data.load_responses(server_config())
    assert "s3cret" not in str(err.value)


def test_redact_url_hides_the_password_and_the_query():
    assert redact_url("postgresql://a:b@h:1/d?password=b") == "postgresql://***@h:1/d"
    assert redact_url("duckdb:///tmp/x.db") == "duckdb:///tmp/x.db"


# Passwords holding every character with a meaning in a URL, alone and together, each made of three-
# character pieces that appear nowhere else: none of the pieces may reach a message.
PASSWORDS = ["Qz7/Wx8", "Qz7#Wx8", "Qz7?Wx8", "Qz7@Wx8", "Qz7:Wx8", "Qz7%Wx8", "Qz7%2FWx8", "Qz7@Wx8/Jk9",
             "Qz7/Wx8#Jk9?Lm4@Np5:Rt6%Vb3", "@Qz7:/Wx8#", "Qz7 Wx8@/", "Qz7?Wx8@Jk9#Lm4"]


def _pieces(password: str) -> list[str]:
    import re

    return re.findall(r"[A-Za-z0-9]{3,}", password)


@pytest.mark.parametrize("password", PASSWORDS)
def test_redact_url_and_redact_urls_hide_any_password(password):
    url = f"postgresql://cx:{password}@127.0.0.1:1/cx?sslmode=require"
    shown = [redact_url(url, variable="CX_URL"), redact_urls(f"failed: {url} (and {url})\nnext line")]
    assert shown[0] in ("postgresql://***@127.0.0.1:1/cx", "the URL in CX_URL")
    assert shown[1].endswith("\nnext line")
    for piece in _pieces(password) + ["sslmode"]:
        assert not any(piece in text for text in shown), (piece, shown)


@pytest.mark.parametrize("password", PASSWORDS)
def test_a_connection_error_never_prints_the_password(password, monkeypatch, tmp_path, capfd):
    # the CLI's real path: the config names env:CX_TEST_WAREHOUSE, nothing listens on 127.0.0.1 port 1
    monkeypatch.setenv("CX_TEST_WAREHOUSE", f"postgresql://cx:{password}@127.0.0.1:1/cx")
    (tmp_path / "cx.yml").write_text(yaml.safe_dump(server_config()), encoding="utf-8")
    code = main(["--config", str(tmp_path / "cx.yml"), "--output-dir", str(tmp_path / "out")])
    out, err = capfd.readouterr()
    assert code == 2 and "CX_TEST_WAREHOUSE" in err and "Traceback" not in err, err
    assert ("cannot connect to the server named by CX_TEST_WAREHOUSE (postgresql://***@127.0.0.1:1/cx)" in err
            or "the URL in CX_TEST_WAREHOUSE does not parse" in err and "%2F" in err), err
    for piece in _pieces(password):
        assert piece not in out + err, (piece, err)


def test_a_connection_error_never_prints_the_password_from_a_fresh_process(tmp_path):
    import subprocess
    import sys

    password = "Qz7/Wx8#Jk9?Lm4@Np5:Rt6%Vb3"
    (tmp_path / "cx.yml").write_text(yaml.safe_dump(server_config()), encoding="utf-8")
    env = {**os.environ, "CX_TEST_WAREHOUSE": f"postgresql://cx:{password}@127.0.0.1:1/cx"}
    done = subprocess.run([sys.executable, "-m", "cxlib.report", "--config", str(tmp_path / "cx.yml"),
                           "--output-dir", str(tmp_path / "out")], capture_output=True, text=True, env=env,
                          cwd=ROOT)
    assert done.returncode == 2 and "CX_TEST_WAREHOUSE" in done.stderr and "Traceback" not in done.stderr
    assert not [p for p in _pieces(password) if p in done.stdout + done.stderr], done.stderr


def _sorted(df: pd.DataFrame, key: str) -> pd.DataFrame:
    df = df.sort_values(key).reset_index(drop=True)
    for c in df.columns:
        if pd.api.types.is_datetime64_any_dtype(df[c]):
            df[c] = df[c].astype("datetime64[ns]")
        elif not pd.api.types.is_float_dtype(df[c]):
            df[c] = df[c].astype("object").where(df[c].notna(), None)
    return df


@pytest.mark.duckdb
@pytest.mark.parametrize("loader, key", [("load_responses", "response_id"), ("load_tickets", "ticket_id"),
                                         ("load_accounts", "customer_id")])
def test_duckdb_loader_gives_the_pandas_table(loader, key):
    cfg = sample_config()
    for name in ("responses", "tickets", "accounts"):
        cfg[name]["engine"] = "duckdb"
    handle = getattr(data, loader)(cfg)
    assert data.is_table(handle)
    pd.testing.assert_frame_equal(_sorted(handle.execute(), key), _sorted(getattr(data, loader)(), key),
                                  check_dtype=False)


def test_auto_picks_duckdb_above_the_size_threshold():
    small = data.load_config({**sample_config(), "engines": {"large_file_mb": 1e6}})
    big = data.load_config({**sample_config(), "engines": {"large_file_mb": 0.001}})
    assert not data.is_table(data.load_responses(small)) and data.is_table(data.load_responses(big))


@pytest.mark.duckdb
def test_duckdb_loader_refuses_off_scale_scores_naming_column_and_rows(tmp_path):
    raw = pd.read_csv(ROOT / "data/sample/responses.csv", dtype=str).head(50)
    raw.loc[3, "LTR_0_10"] = "11"
    raw.loc[7, "CSAT_1_5"] = "lots"
    raw.to_csv(tmp_path / "r.csv", index=False)
    # unreadable values are named first, then every off-scale column (issue 21: one message, counts, ids)
    with pytest.raises(DataError, match=r"'CSAT_1_5' \(csat\): expected numbers.*'lots'"):
        data.load_responses(sample_config(path=str(tmp_path / "r.csv"), engine="duckdb"))
    raw.loc[7, "CSAT_1_5"] = "4"
    raw.to_csv(tmp_path / "r.csv", index=False)
    with pytest.raises(DataError, match=rf"'LTR_0_10' \(nps\): 1 value\(s\) off its declared 0–10 scale: 11 \(1 row\); "
                                        rf"ids \(column 'ResponseID'\) {raw.loc[3, 'ResponseID']}\."):
        data.load_responses(sample_config(path=str(tmp_path / "r.csv"), engine="duckdb"))


@pytest.mark.postgres
def test_server_table_loads_maps_and_scores_like_the_file(postgres_url, monkeypatch):
    import ibis

    con = ibis.connect(postgres_url)
    con.raw_sql("CREATE SCHEMA IF NOT EXISTS cx")
    if "responses" in con.list_tables(database="cx"):
        con.drop_table("responses", database="cx")
    raw = pd.read_csv(ROOT / "data/sample/responses.csv", dtype=str, keep_default_na=False, na_values=[""])
    con.create_table("responses", raw, database="cx")       # the survey export as the warehouse holds it: text
    monkeypatch.setenv("CX_TEST_WAREHOUSE", postgres_url)
    handle = data.load_responses(server_config())
    assert data.is_table(handle)
    pd.testing.assert_frame_equal(scores.nps(handle, by="region"), scores.nps(data.load_responses(), by="region"))
    with pytest.raises(DataError, match="cannot open the table"):
        data.load_responses(server_config(table="cx.nope"))
    assert os.environ["CX_TEST_WAREHOUSE"] not in str(data.load_config(server_config()))


@pytest.mark.duckdb
def test_month_counts_are_the_same_on_a_table():
    # By hand on the sample: every month's count is the number of responses dated in it.
    r = data.load_responses()
    a, b = data.month_counts(r), data.month_counts(data.as_table(r))
    pd.testing.assert_frame_equal(a, b)
    assert a["n"].sum() == r["responded_at"].notna().sum()
    assert a.set_index("month").loc["2026-10", "n"] == len(data.subset(r, month="2026-10"))


@pytest.mark.duckdb
@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_duckdb_reads_awkward_values_as_pandas_does(tmp_path, kind):
    # UTC offsets, blanks around segment values, a blank segment, a "don't know" code written 99 or 99.0,
    # NaN (not NULL) in a Parquet double, whole-number ids stored as floats, a true/false segment.
    raw = pd.DataFrame({
        "id": [1.0, 2.0, 3.0, 4.0, 5.0],
        "at": ["2026-10-01T01:30+02:00", "2026-10-05 09:00", "2026-10-06 10:00", "2026-10-07 11:00",
               "2026-10-08 12:00"],
        "ltr": [9.0, 99.0, float("nan"), 3.0, 10.0],
        "region": [" EMEA", "APAC ", "   ", "EMEA", None],
        "pilot": [True, False, True, None, False],
        "speed": [4.0, 99.0, float("nan"), 2.0, 5.0],
    })
    path = tmp_path / f"r.{kind}"
    if kind == "csv":
        raw.assign(ltr=raw["ltr"].map(lambda v: "" if pd.isna(v) else ("99.0" if v == 99 else f"{v:g}")),
                   pilot=raw["pilot"].map({True: "true", False: "false"})).to_csv(path, index=False)
    else:
        raw.to_parquet(path)
    spec = {"path": str(path), "columns": {"response_id": "id", "responded_at": "at", "nps": "ltr"},
            "segments": {"region": "region", "pilot": "pilot"}, "drivers": {"speed": "speed"},
            "missing_codes": {"ltr": [99], "speed": [99]}, "dates": {"floor": "1990-01-01"}}
    expected = data.load_responses({"responses": spec, "cache_dir": None})
    got = data.to_frame(data.load_responses({"responses": {**spec, "engine": "duckdb"}, "cache_dir": None}),
                        order_by=["response_id"])
    assert got["responded_at"].iloc[0] == pd.Timestamp("2026-10-01 01:30")    # its own clock time (issue 21)
    if kind == "parquet":   # float ids lose their ".0" (a CSV's text "1.0" stays as written, as in pandas)
        assert got["response_id"].tolist() == ["1", "2", "3", "4", "5"]
    pd.testing.assert_frame_equal(got[expected.columns].reset_index(drop=True), expected.reset_index(drop=True),
                                  check_dtype=False)


@pytest.mark.postgres
def test_a_postgresql_session_runs_without_jit(postgres_url):
    # PostgreSQL's JIT compiled the customer table's CASE expressions for over 5 minutes at 1M responses
    # (27 s without it): the report's sessions turn it off for themselves.
    from cxlib.data.remote import connect_url

    con = connect_url(postgres_url, variable="CX_TEST", section="responses")
    assert con.raw_sql("SHOW jit").fetchone()[0] == "off"


@pytest.mark.postgres
def test_a_postgresql_pull_fetches_its_rows_in_batches(postgres_url, monkeypatch):
    # Ibis fetches a PostgreSQL result a million rows at a time, each value a Python object first: the 10M
    # report's month (283k rows) took 500 MB beside its 50 MB as Arrow. data.to_frame fetches PULL_BATCH_ROWS
    # at a time (here 10 of 25 rows: fetches of 10, 10, 5) and the rows come out whole and in order.
    import ibis
    import psycopg

    from cxlib.data import remote

    con = ibis.connect(postgres_url)
    con.raw_sql("DROP TABLE IF EXISTS pull_batches; CREATE TABLE pull_batches AS SELECT i, 'r' || i AS s, "
                "CASE WHEN i % 7 = 0 THEN NULL ELSE i / 4.0 END AS x FROM generate_series(1, 25) AS g(i)").close()
    asked, fetch = [], psycopg.ServerCursor.fetchmany

    def spy(cursor, size=0):
        asked.append(size)
        return fetch(cursor, size)

    monkeypatch.setattr(psycopg.ServerCursor, "fetchmany", spy)
    monkeypatch.setattr(remote, "PULL_BATCH_ROWS", 10)
    got = data.to_frame(con.table("pull_batches"), order_by=["i"], unique=["i"])
    assert asked and max(asked) == 10        # a single fetch of a million rows without the batches
    # By hand: i = 1..25, s = "r" + i, x = i / 4 except every 7th row (7, 14, 21), which is NULL.
    i = list(range(1, 26))
    expected = pd.DataFrame({"i": pd.array(i, dtype="Int64"), "s": pd.Series([f"r{k}" for k in i], dtype="str"),
                             "x": [float("nan") if k % 7 == 0 else k / 4 for k in i]})
    pd.testing.assert_frame_equal(got, expected)
