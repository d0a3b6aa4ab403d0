"""The report pipeline: parameters checked first, atomic publish, failures leave the last report alone.

These tests use a trivial notebook (tests/fixtures/trivial-report.ipynb) so that they exercise the
pipeline, not the analysis; tests/test_report_html.py checks the real report's content.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cxlib import report
from cxlib.data import load_config, load_responses, project_root
from cxlib.errors import ParameterError, ReportError

TRIVIAL = Path(__file__).parent / "fixtures" / "trivial-report.ipynb"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_render_publish_and_index(tmp_path):
    html_path = report.render_report("2026-10", notebook=TRIVIAL, output_dir=tmp_path)
    assert html_path == tmp_path / "2026-10" / "cx-report-2026-10.html"
    html = html_path.read_text()
    assert "Report for 2026-10" in html
    assert "warnings.warn" not in html and "must not reach" not in html  # no code, no stderr
    assert "<script" not in html and "http://" not in html and "https://" not in html
    run = json.loads((html_path.parent / "run.json").read_text())
    assert run["parameters"]["month"] == "2026-10"
    cfg_files = [p for p in run["data_files"] if p.endswith("responses.csv")]
    assert cfg_files and len(run["data_files"][cfg_files[0]]) == 64
    assert run["packages"]["pandas"] and set(run["timings_s"]) == {"execute", "export", "total"}
    assert "artifacts" not in run["parameters"] and "digests" not in run["parameters"]
    index = (tmp_path / "index.html").read_text()
    assert "2026-10/cx-report-2026-10.html" in index
    assert not any(p.name.startswith(".building") for p in tmp_path.iterdir())


def test_failed_run_keeps_previous_report_byte_for_byte(tmp_path):
    good = report.render_report("2026-10", notebook=TRIVIAL, output_dir=tmp_path)
    # The failing month's folder gets a good report first, then a failing re-run.
    (tmp_path / "2026-09").mkdir()
    for f in good.parent.iterdir():
        (tmp_path / "2026-09" / f.name).write_bytes(f.read_bytes())
    before = {f.name: sha(f) for f in (tmp_path / "2026-09").iterdir()}
    with pytest.raises(ReportError, match="planted failure") as info:
        report.render_report("2026-09", notebook=TRIVIAL, output_dir=tmp_path)
    assert "unchanged" in str(info.value)
    assert {f.name: sha(f) for f in (tmp_path / "2026-09").iterdir()} == before
    kept = list((tmp_path / "_failed").glob("cx-report-2026-09-*.ipynb"))
    assert len(kept) == 1
    assert not any(p.name.startswith(".building") for p in tmp_path.iterdir())


@pytest.fixture(scope="module")
def sample():
    cfg = load_config()
    return cfg, load_responses(cfg)


@pytest.mark.parametrize("kwargs, message", [
    ({"month": "2026-13"}, "YYYY-MM"),
    ({"month": "1999-01"}, "outside the data"),
    ({"month": "2026-10", "segment": "country=FR"}, "unknown segment 'country'"),
    ({"month": "2026-10", "segment": "region=Mars"}, "no value 'Mars'"),
    ({"month": "2026-10", "by": "colour"}, "unknown --by"),
    ({"month": "2026-10", "by": "region", "segment": "plan=Pro"}, "--by region.*cannot be combined with --segment"),
    ({"month": "2026-10", "all_months": True}, "--all-months.*cannot be combined with --month 2026-10"),
    ({"month": "2026-10", "segment": "region=EMEA,region=APAC"}, "names 'region' twice"),
])
def test_parameters_are_checked_before_a_kernel_starts(sample, kwargs, message):
    with pytest.raises(ParameterError, match=message):
        report.resolve_jobs(*sample, **kwargs)


def test_by_and_all_months_expand_into_jobs(sample):
    jobs = report.resolve_jobs(*sample, month="2026-10", by="region")
    assert [j.segment for j in jobs] == ["region=APAC", "region=EMEA", "region=LATAM", "region=North America"]
    months = report.resolve_jobs(*sample, all_months=True)
    assert months[0].month == "2023-12" and months[-1].month == "2026-10" and len(months) == 35
    assert report.resolve_jobs(*sample)[0].month == "2026-10"  # latest full month


def test_cli_exit_codes_and_broken_data(tmp_path):
    bad_cfg = tmp_path / "broken.yml"
    broken = tmp_path / "broken.csv"
    broken.write_text("ResponseID,LTR\n1,11\n", encoding="utf-8")
    bad_cfg.write_text(f"responses:\n  path: {broken}\n  columns: {{response_id: ResponseID, nps: LTR}}\n",
                       encoding="utf-8")
    cmd = [sys.executable, "-m", "cxlib.report", "--output-dir", str(tmp_path / "out")]
    out = subprocess.run(cmd + ["--month", "2026-1"], capture_output=True, text=True, cwd=project_root())
    assert out.returncode == 2 and "YYYY-MM" in out.stderr and "Traceback" not in out.stderr
    out = subprocess.run(cmd + ["--config", str(bad_cfg)], capture_output=True, text=True, cwd=project_root())
    assert out.returncode == 2 and "LTR" in out.stderr and "0–10" in out.stderr
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "out" / "2026-10").exists()
    # conflicting options are refused (exit 2), never silently overridden
    out = subprocess.run(cmd + ["--by", "region", "--segment", "plan=Pro"], capture_output=True, text=True,
                         cwd=project_root())
    assert out.returncode == 2 and "cannot be combined" in out.stderr and "Traceback" not in out.stderr
    out = subprocess.run(cmd + ["--all-months", "--month", "2026-10"], capture_output=True, text=True,
                         cwd=project_root())
    assert out.returncode == 2 and "cannot be combined" in out.stderr


def test_the_kernel_starts_with_one_blas_thread_unless_told(monkeypatch):
    import os

    from cxlib.report.render import KERNEL_THREADS, _kernel_env

    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "4")                   # the user's own setting is kept
    with _kernel_env():
        assert os.environ["OPENBLAS_NUM_THREADS"] == "1" and os.environ["OMP_NUM_THREADS"] == "4"
    assert "OPENBLAS_NUM_THREADS" not in os.environ and os.environ["OMP_NUM_THREADS"] == "4"   # restored
    assert "MKL_NUM_THREADS" in KERNEL_THREADS
