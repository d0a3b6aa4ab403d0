"""Limits of a report run (issue 23): validation once per file version, the pulled window checked against
``engines.max_rows`` and ``engines.memory_budget`` before any kernel starts, and the memory watch that stops
a run at the budget."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from cxlib import data
from cxlib.data import engines, project_root, size_bytes
from cxlib.errors import DataError, ParameterError
from cxlib.report.budget import MemoryWatch, check_window, pull_bytes

ROOT = project_root()


def _config(path, cache) -> dict:
    cfg = yaml.safe_load((ROOT / "cx.yml").read_text())
    for name in ("tickets", "accounts", "codebook"):
        cfg.pop(name)
    cfg["responses"].update(path=str(path), engine="duckdb")
    cfg["cache_dir"] = str(cache)
    return cfg


def test_sizes_read_as_the_config_writes_them():
    # By hand: 2.5 × 10^9; 512 × 2^20 = 536,870,912; 1.5 × 10^6.
    assert (size_bytes("2.5GB"), size_bytes("512 MiB"), size_bytes("1.5mb")) == (2_500_000_000, 536_870_912, 1_500_000)
    with pytest.raises(ValueError, match="a size such as 2.5GB"):
        size_bytes("lots")


@pytest.mark.duckdb
def test_a_validated_file_is_trusted_until_it_changes(tmp_path, monkeypatch):
    raw = pd.read_csv(ROOT / "data/sample/responses.csv", dtype=str).head(200)
    path = tmp_path / "r.csv"
    raw.to_csv(path, index=False)
    cfg = _config(path, tmp_path / "cache")
    first = data.load_responses(cfg)                       # checked: the marker is written
    assert len(list((tmp_path / "cache" / "validated").glob("responses-*.json"))) == 1

    def no_second_check(*args, **kwargs):
        raise AssertionError("validated again")

    monkeypatch.setattr(engines, "_check", no_second_check)
    monkeypatch.setattr(engines, "_check_unique", no_second_check)
    again = data.load_responses(cfg)                       # the same file version: trusted, same table
    pd.testing.assert_frame_equal(data.to_frame(first, order_by=["response_id"]),
                                  data.to_frame(again, order_by=["response_id"]))
    monkeypatch.undo()
    raw.loc[3, "LTR_0_10"] = "11"                          # the file changes: checked again, and refused
    raw.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"'LTR_0_10' \(nps\): 1 value\(s\) off its declared 0–10 scale"):
        data.load_responses(cfg)


@pytest.mark.duckdb
def test_a_pull_beyond_the_limits_is_refused_before_any_kernel_naming_the_keys():
    cfg = data.load_config()
    responses = data.load_responses(cfg)
    table = data.as_table(responses)
    dates = responses["responded_at"]
    # Independently: October 2026's responses (all the report pulls when it computes in the database) and
    # those of Nov 2024 – Oct 2026 (the 24 months a weighted report pulls).
    month = int(((dates >= pd.Timestamp("2026-10-01")) & (dates < pd.Timestamp("2026-11-01"))).sum())
    window = int(((dates >= pd.Timestamp("2024-11-01")) & (dates < pd.Timestamp("2026-11-01"))).sum())
    check_window(cfg, table, "2026-10")                    # within the defaults: passes
    check_window(cfg, responses, "2026-10")                # a DataFrame is never pulled: passes

    def limited(**engines):
        return cfg.__class__(**{**cfg.__dict__, "engines": {**cfg.engines, **engines}})

    with pytest.raises(ParameterError, match=rf"reads its {month:,} responses as rows, more than engines.max_rows"):
        check_window(limited(max_rows=month - 1), table, "2026-10")
    check_window(limited(max_rows=month), table, "2026-10")
    weighted = cfg.__class__(**{**limited(max_rows=window - 1).__dict__, "weighting": object()})
    with pytest.raises(ParameterError, match=rf"reads the {window:,} responses of the 24 months ending with it "
                                             r"\(engines.report_months: 24\), more than engines.max_rows"):
        check_window(weighted, table, "2026-10")
    with pytest.raises(ParameterError, match=r"more than engines.memory_budget \(100MB\)"):
        check_window(limited(memory_budget="100MB"), table, "2026-10")


def test_the_pull_estimate_grows_with_rows_and_columns():
    t = data.as_table(pd.DataFrame({"nps": [9.0], "region": ["EMEA"]}))
    # By hand: per row 8 (a float) + 40 (a text value), held twice, on top of the 600 MB base.
    assert pull_bytes(t, 10) == 600_000_000 + 2 * 48 * 10


def test_the_watch_stops_a_child_at_the_budget_and_says_so():
    code = "import time; b = bytearray(400 * 2**20); b[::4096] = b'x' * len(b[::4096]); time.sleep(120)"
    mine = int(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmRSS"))) * 1024
    budget = f"{(mine + 200 * 2**20) / 1e6:.0f}MB"        # this process plus 200 MB: the child's 400 MB exceed it
    with MemoryWatch(budget, every=0.05) as watch:
        child = subprocess.Popen([sys.executable, "-c", code])
        try:
            rc = child.wait(timeout=100)
        finally:
            child.kill()
    assert watch.exceeded and rc == -9
    assert "engines.memory_budget" in str(watch.error()) and watch.peak >= size_bytes(budget)


def test_the_watch_leaves_a_run_within_the_budget_alone():
    with MemoryWatch("500GB", every=0.05) as watch:
        assert subprocess.run([sys.executable, "-c", "print(1)"], capture_output=True).returncode == 0
    assert not watch.exceeded and watch.error() is None


@pytest.mark.duckdb
def test_repeated_ids_are_counted_without_a_count_distinct(tmp_path):
    raw = pd.read_csv(ROOT / "data/sample/responses.csv", dtype=str).head(200)
    raw.loc[[5, 9], "ResponseID"] = raw.loc[3, "ResponseID"]   # by hand: one id three times = 2 repeats
    path = tmp_path / "r.csv"
    raw.to_csv(path, index=False)
    with pytest.raises(DataError, match=rf"'ResponseID' \(response_id\): ids must be unique; 2 repeat\(s\), "
                                        rf"e.g. '{raw.loc[3, 'ResponseID']}'"):
        data.load_responses(_config(path, tmp_path / "cache"))


def test_duckdb_gets_an_eighth_of_the_budget_or_its_own_smaller_limit():
    # by hand: 2.5 GB / 8 = 312.5 MB (whole MB: 312); 16 GB / 8 = 2 GB > the 1.5 GB limit, which stays
    from cxlib.data._options import duckdb_limit

    assert duckdb_limit({"memory_limit": "1.5GB", "memory_budget": "2.5GB"}) == "312MB"
    assert duckdb_limit({"memory_limit": "1.5GB", "memory_budget": "16GB"}) == "1.5GB"
    assert duckdb_limit({"memory_limit": "200MB", "memory_budget": "2.5GB"}) == "200MB"


@pytest.mark.duckdb
def test_a_server_table_is_checked_once_per_report_run_and_on_every_open_otherwise(tmp_path, monkeypatch):
    # a server table has no file version: outside a run every open checks it; inside one (the command names
    # a folder in CX_RUN_VALIDATED, its kernels inherit it) the runner's check is trusted by the kernel
    import duckdb

    RUN_VARIABLE = "CX_RUN_VALIDATED"   # what data.checks_shared_with_kernels sets for a run

    raw = pd.read_csv(ROOT / "data/sample/responses.csv", dtype=str).head(200)
    db = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE survey AS SELECT * FROM raw")
    cfg = _config(tmp_path / "unused.csv", tmp_path / "cache")
    cfg["responses"].pop("path"), cfg["responses"].pop("engine")
    cfg["responses"].update(table="survey", connection="env:CX_TEST_WAREHOUSE")
    monkeypatch.setenv("CX_TEST_WAREHOUSE", f"duckdb://{db}")
    monkeypatch.delenv(RUN_VARIABLE, raising=False)
    calls = []
    real = engines._check
    monkeypatch.setattr(engines, "_check", lambda *a, **k: calls.append(1) or real(*a, **k))
    data.load_responses(cfg), data.load_responses(cfg)
    assert len(calls) == 2                                 # no run: checked on every open
    with data.checks_shared_with_kernels():
        run = Path(os.environ[RUN_VARIABLE])
        data.load_responses(cfg), data.load_responses(cfg)
        assert len(calls) == 3                             # in a run: the second open trusts the first
        assert len(list((run / "validated").glob("responses-*.json"))) == 1
        assert "warehouse" not in next((run / "validated").glob("*.json")).read_text()
    assert RUN_VARIABLE not in os.environ and not run.exists()   # the run over: nothing left to trust
    data.load_responses(cfg)
    assert len(calls) == 4
