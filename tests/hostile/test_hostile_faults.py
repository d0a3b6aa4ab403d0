"""Faults around the report runner: unreadable configs, a full disk, segment values in messages, a
database that goes away once the notebook has run. Each ends in a clear message and exit code, never a
traceback, never a full disk and never a lost report."""

from __future__ import annotations

import errno
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from test_hostile_report import LONG, TRIVIAL, small_notebook, team_config  # noqa: F401 (a fixture)

from cxlib import report
from cxlib.data import as_table, load_config, load_responses, project_root
from cxlib.errors import ConfigError, ParameterError, ReportError
from cxlib.report.__main__ import main

failures = importlib.import_module("cxlib.report.failures")
render = importlib.import_module("cxlib.report.render")
ROOT = project_root()


# --- unreadable configs: ConfigError, exit 2 ---------------------------------------------------------

def _cli(tmp_path, config, capsys) -> tuple[int, str]:
    code = main(["--config", str(config), "--output-dir", str(tmp_path / "out")])
    return code, capsys.readouterr().err


def test_a_config_that_is_a_symlink_loop_exits_2_without_a_traceback(tmp_path):
    (tmp_path / "a.yml").symlink_to(tmp_path / "b.yml")
    (tmp_path / "b.yml").symlink_to(tmp_path / "a.yml")
    for config in (tmp_path / "a.yml", tmp_path / "a.yml" / "cx.yml"):
        done = subprocess.run([sys.executable, "-m", "cxlib.report", "--config", str(config), "--output-dir",
                               str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert f"config {tmp_path / 'a.yml'}" in done.stderr and "loop of symbolic links" in done.stderr


def test_a_config_that_is_a_folder_or_a_device_exits_2(tmp_path, capsys):
    (tmp_path / "cfg").mkdir()
    code, err = _cli(tmp_path, tmp_path / "cfg", capsys)
    assert code == 2 and f"config {tmp_path / 'cfg'} is a folder; give the YAML file in it" in err
    code, err = _cli(tmp_path, "/dev/null", capsys)
    assert code == 2 and "config /dev/null is not a regular file" in err


def test_a_config_this_user_may_not_read_exits_2(tmp_path, capsys, monkeypatch):
    config = tmp_path / "cx.yml"
    config.write_text((ROOT / "cx.yml").read_text())
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if Path(p) == config else real(p, mode, **kw))
    code, err = _cli(tmp_path, config, capsys)
    assert code == 2 and f"config {config} cannot be read by this user (permissions); allow it: chmod u+r" in err


def test_a_config_whose_read_fails_is_a_config_error(tmp_path, monkeypatch):
    config = tmp_path / "cx.yml"
    config.write_text((ROOT / "cx.yml").read_text())
    real = Path.read_bytes

    def denied(self):
        if self == config:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)     # e.g. access lost between the check and the read
    with pytest.raises(ConfigError, match=rf"config {config} cannot be read: Permission denied"):
        load_config(config)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its permissions")
def test_a_config_without_read_permission_exits_2(tmp_path, capsys):
    config = tmp_path / "cx.yml"
    config.write_text("responses: {}")
    config.chmod(0)
    code, err = _cli(tmp_path, config, capsys)
    assert code == 2 and "cannot be read by this user" in err


# --- a full disk: the kept notebook only if it fits, the build always removed --------------------------
# team_config (test_hostile_report): the sample's last two months with a segment "team", one value an e-mail

def _failing_run(tmp_path, team_config, fault=lambda: None):
    nb = small_notebook(tmp_path / "fails.ipynb", "raise ValueError('planted failure for ' + segment)")
    fault()                                        # after the test notebook is written
    out = tmp_path / "out"
    with pytest.raises(ReportError) as err:
        report.render_report("2026-10", config=team_config, segment="team=jo@example.com", notebook=nb,
                             output_dir=out)
    return str(err.value), out


def _leftovers(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.name.startswith((".building-", ".cx-"))
                  or p.suffix == ".partial" or p.parent.name == "_failed")


def test_a_full_disk_while_keeping_the_failed_notebook_leaves_nothing_behind(tmp_path, team_config, monkeypatch):
    import nbformat

    def disk_full(nb, fp, *args, **kwargs):        # half the notebook written, then the disk is full
        Path(fp).write_text(nbformat.writes(nb)[:100])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    message, out = _failing_run(tmp_path, team_config, lambda: monkeypatch.setattr(nbformat, "write", disk_full))
    assert "The executed notebook was not kept: No space left on device" in message
    assert "ValueError: planted failure for team=[EMAIL]" in message and "jo@example.com" not in message
    assert _leftovers(out) == []                   # no partial copy, no build folder


def test_no_room_for_the_failed_notebook_writes_nothing(tmp_path, team_config, monkeypatch):
    import shutil

    writes = []
    monkeypatch.setattr(failures.shutil, "disk_usage", lambda p: shutil._ntuple_diskusage(10**9, 10**9 - 5000, 5000))
    monkeypatch.setattr(failures, "scrub_segment", lambda *a, **k: writes.append(a))
    message, out = _failing_run(tmp_path, team_config)
    assert "The executed notebook was not kept:" in message and "MB would not fit in the 0.0 MB free" in message
    assert writes == [] and _leftovers(out) == []


def test_the_failed_notebook_is_kept_redacted_when_it_fits(tmp_path, team_config):
    message, out = _failing_run(tmp_path, team_config)
    (kept,) = (out / "_failed").iterdir()
    assert f"The executed notebook is kept at {kept}" in message and kept.suffix == ".ipynb"
    import nbformat

    nb = nbformat.read(kept, as_version=4)           # its parameters redacted (the planted error's output quotes
    (cell,) = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]   # what it was given)
    assert "segment = 'team=[EMAIL]'  # redacted" in cell.source and "jo@example.com" not in cell.source
    assert nb.metadata["papermill"]["parameters"]["segment"] == "team=[EMAIL]"
    assert not list(out.glob(".building-*"))


def test_a_full_disk_after_a_good_run_keeps_the_previous_report(tmp_path, monkeypatch):
    out = tmp_path / "out"
    good = report.render_report("2026-10", notebook=TRIVIAL, output_dir=out)
    before = good.read_bytes()

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(render, "follow_up_csv", disk_full)
    with pytest.raises(ReportError, match=r"could not be written: No space left on device\nThe previous report"):
        report.render_report("2026-10", notebook=TRIVIAL, output_dir=out)
    assert good.read_bytes() == before and not list(out.glob(".building-*"))


# --- segment values in messages --------------------------------------------------------------------

def test_an_unknown_segment_value_is_quoted_redacted(team_config):
    cfg = load_config(team_config)
    with pytest.raises(ParameterError) as err:
        report.resolve_jobs(cfg, load_responses(cfg), month="2026-10", segment="team=ann@example.org")
    text = str(err.value)
    # by hand: the asked value and the e-mail among the values are both [EMAIL]; the others are not personal
    # ("a-b" is merged into "A/B" at load: they differ only by case and punctuation)
    assert text == f"segment team has no value '[EMAIL]'; values are {['A/B', '[EMAIL]', LONG]}"


def test_the_cli_never_prints_a_segment_value_that_is_personal_data(team_config, tmp_path, capfd):
    code = main(["--config", str(team_config), "--month", "2026-10", "--segment", "team=+44 20 7946 0958",
                 "--output-dir", str(tmp_path / "out")])
    out, err = capfd.readouterr()
    assert code == 2 and "[PHONE]" in err and "7946" not in out + err and "jo@example.com" not in out + err


# --- the database goes away once the notebook has run -----------------------------------------------

def test_a_database_gone_after_the_notebook_ran_does_not_discard_the_report(tmp_path, monkeypatch):
    from ibis.backends.duckdb import Backend

    table = as_table(load_responses())             # the responses as a database table (DuckDB)
    real_execute = render._execute

    def then_the_server_goes(*args, **kwargs):
        html = real_execute(*args, **kwargs)
        for method in ("execute", "to_pyarrow", "raw_sql"):
            monkeypatch.setattr(Backend, method, lambda *a, **k: (_ for _ in ()).throw(
                ConnectionError("server closed the connection unexpectedly")))
        return html

    monkeypatch.setattr(render, "_execute", then_the_server_goes)
    # the real report: its kernel saves the figures (results.json) that the runner publishes without a server
    path = report.render_report("2026-10", output_dir=tmp_path, responses=table)
    run = json.loads((path.parent / "run.json").read_text())
    # the sample's October: 1,030 responses, NPS +14.37 (the same figures test_hostile_report checks
    # from the European export of the sample)
    assert path.exists() and run["headline"]["n"] == 1030 and run["headline"]["value"] == 14.37
    with pytest.raises(ConnectionError):           # the server really was gone after the kernel
        table.count().execute()
