"""Notebooks on any configuration, with the report's plan: run under papermill with ``-p config`` on the sample,
the example configs and rating-only configs, and notebook 01's headline equals the report's result set."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cxlib import data as cxdata
from cxlib.report import sections
from cxlib.report.formats import score_format

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "real-data"
SAMPLE = ROOT / "data" / "sample" / "responses.csv"
TARGETS = {"region": {"North America": 0.15, "EMEA": 0.55, "APAC": 0.15, "LATAM": 0.15}}
RAW = ("dtype: int64", "dtype: float64", "NaN", "Traceback")


def _raked(tmp: Path) -> str:
    """A raked config over the sample (YAML written here: notebooks take a config path)."""
    text = (f"responses:\n  path: {SAMPLE}\n  columns: {{nps: LTR_0_10, responded_at: SubmittedAt}}\n"
            f"  segments: {{region: Region, plan: Plan}}\nweighting:\n  targets:\n    region: "
            f"{json.dumps(TARGETS['region'])}\ncache_dir: null\n")
    (tmp / "raked.yml").write_text(text, encoding="utf-8")
    return str(tmp / "raked.yml")


def _rating_only(tmp: Path) -> str:
    """A rating-only config on the real mobiles export: dates, one segment, no NPS."""
    text = (f"responses:\n  path: {REAL / 'Mobiles_feedback_4_weeks.sav'}\n  columns: {{responded_at: StartDate, "
            "rating: Q11_1}\n  segments: {carrier: Q7}\n  scales:\n    rating: {min: 1, max: 5, top_box: 2}\n"
            "report:\n  primary: rating\n")
    (tmp / "rating.yml").write_text(text, encoding="utf-8")
    return str(tmp / "rating.yml")


def _run(tmp: Path, name: str, **parameters) -> str:
    papermill = pytest.importorskip("papermill")
    nb = papermill.execute_notebook(str(ROOT / "notebooks" / name), str(tmp / f"out-{name}"), cwd=str(tmp),
                                    progress_bar=False, parameters=parameters)
    texts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            texts.append("".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", "")))
    return "\n".join(texts)


def _headline(text: str) -> re.Match:
    found = re.search(r"^(.+?) is ([+-]?[\d.]+) in (.+?) \(95% CI ([+-]?[\d.]+) to ([+-]?[\d.]+), n = ([\d,]+)\)", text,
                      flags=re.M)
    assert found, text[:2000]
    return found


@pytest.mark.parametrize("raked", [False, True], ids=["sample", "raked"])
def test_notebook_01_headline_equals_the_reports(tmp_path, raked):
    config = _raked(tmp_path) if raked else "cx.yml"
    text = _run(tmp_path, "01-explore-scores.ipynb", config=config, month="2026-10")
    cfg = cxdata.load_config(config)
    # the report's kernel writes results.json from this very result set (cxlib.report.sections.save_results)
    head = sections.result_set(sections.context(cfg, cxdata.load_responses(cfg), month="2026-10"))["headline"]
    shown = _headline(text)
    fmt = score_format(head["score"])
    assert shown[2] == fmt.value(head["value"]) and int(shown[6].replace(",", "")) == head["n"]
    assert ("a real drop" in shown.string) == bool(head["significant"] and head["diff"] < 0)
    assert "Oct 2026, all customers" in text and ("raked to the config's targets" in text) == raked
    assert not any(raw in text for raw in RAW)


@pytest.mark.parametrize("which", ["mobiles", "bank", "rating"])
def test_notebook_01_runs_on_real_configs(tmp_path, which):
    if not REAL.exists():
        pytest.skip("../shared/real-data is absent: the real-survey notebook runs need it beside the repository")
    config = {"mobiles": "examples/mobiles.yml", "bank": "examples/bank.yml", "rating": None}[which]
    text = _run(tmp_path, "01-explore-scores.ipynb", config=config or _rating_only(tmp_path))
    assert not any(raw in text for raw in RAW)
    said = _headline(text)
    if which == "bank":            # one wave, weighted, no segments: said, not failed
        assert "one wave, no dates" in text and "weighted" in text and "segment table is left out" in text
    else:                          # the data end on 18 Aug 2019: the period says so
        assert said[3] == "4–18 Aug 2019" and "The headline compares with 23–30 Jul 2019" in text


def test_notebook_03_reads_the_reports_drivers(tmp_path):
    text = _run(tmp_path, "03-drivers.ipynb", config="cx.yml", month="2026-10")
    # the planted truth: support speed first in every resample, and weak (the sample's generator plants it)
    assert "Driver window: Aug–Oct 2026" in text
    assert "Speed of support matters most and is weakest" in text
    assert not any(raw in text for raw in RAW)


@pytest.mark.parametrize("which", ["bank", "rating"])
def test_notebook_03_on_real_configs(tmp_path, which):
    if not REAL.exists():
        pytest.skip("../shared/real-data is absent: the real-survey notebook runs need it beside the repository")
    if which == "rating":          # no attribute ratings: the notebook stops saying what it needs
        papermill = pytest.importorskip("papermill")
        with pytest.raises(papermill.PapermillExecutionError, match="no attribute ratings are configured"):
            _run(tmp_path, "03-drivers.ipynb", config=_rating_only(tmp_path))
        return
    text = _run(tmp_path, "03-drivers.ipynb", config="examples/bank.yml")
    # one wave, weighted, no segments: the window is every response; no ranking by segment; no claim beyond noise
    assert "Driver window: all responses (one wave, no dates)" in text
    assert "No segment is configured" in text and "No driver is both surely" in text
