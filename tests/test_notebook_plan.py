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


def _need_real() -> None:
    if not REAL.exists():
        pytest.skip("../shared/real-data is absent: the real-survey notebook runs need it beside the repository")


def _run(tmp: Path, name: str, **parameters) -> str:
    papermill = pytest.importorskip("papermill")
    nb = papermill.execute_notebook(str(ROOT / "notebooks" / name), str(tmp / f"out-{name}"), cwd=str(tmp),
                                    progress_bar=False, parameters=parameters)
    texts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            texts.append("".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", "")))
    return re.sub(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+", "", "\n".join(texts))    # images may spell NaN


def _headline(text: str) -> re.Match:
    found = re.search(r"^(.+?) is ([+-]?[\d.]+%?) in (.+?) \(95% CI ([+-]?[\d.]+%?) to ([+-]?[\d.]+%?), n = ([\d,]+)\)", text,
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
    _need_real()
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
    _need_real()
    if which == "rating":          # no attribute ratings: the notebook stops saying what it needs
        papermill = pytest.importorskip("papermill")
        with pytest.raises(papermill.PapermillExecutionError, match="no attribute ratings are configured"):
            _run(tmp_path, "03-drivers.ipynb", config=_rating_only(tmp_path))
        return
    text = _run(tmp_path, "03-drivers.ipynb", config="examples/bank.yml")
    # one wave, weighted, no segments: the window is every response; no ranking by segment; no claim beyond noise
    assert "Driver window: all responses (one wave, no dates)" in text
    assert "No segment is configured" in text and "No driver is both surely" in text


def test_notebook_04_reads_the_reports_money_and_experiment(tmp_path):
    text = _run(tmp_path, "04-churn-and-operations.ipynb", config="cx.yml", month="2026-10")
    cfg = cxdata.load_config()
    scope = sections.context(cfg, cxdata.load_responses(cfg), month="2026-10")
    scored = sections.customer_scores(scope, cxdata.load_tickets(cfg), cxdata.load_accounts(cfg))
    total = sections.money_results(scope, scored)["total"]
    # the report's figure: current customers only (Σ p × revenue over accounts not yet churned), not all accounts
    assert f"€{total.expected_loss / 1e6:.1f}M of annual revenue is at risk" in text
    assert f"across {int(total.n):,} customers" in text and int(total.n) < 12_000
    assert "Callback pilot: NPS +19 points (95% CI +6 to +32), a real effect." in text
    assert "callback against control over Jul–Oct 2026, Welch's test" in text
    assert "Support responses in May–Oct 2026 joined to their tickets" in text
    # the closed-loop count and the handoff base are the report's memoised results, read by the notebook
    listed = sections.follow_up_results(scope, scored)
    assert f"{len(listed):,} customers to contact in Oct 2026: {int(listed['detractor'].sum()):,} detractors" in text
    handoffs = sections.operations_results(scope, cxdata.load_tickets(cfg))
    assert f"joined to their tickets: {len(handoffs['journeys']):,}" in text
    assert not any(raw in text for raw in RAW)


@pytest.mark.parametrize("config", ["examples/mobiles.yml", "examples/bank.yml"])
def test_notebook_04_says_what_it_needs(tmp_path, config):
    _need_real()
    text = _run(tmp_path, "04-churn-and-operations.ipynb", config=config)
    assert "No tickets: in the config" in text and "Health, churn and revenue need an accounts: table" in text
    assert "No experiment is configured" in text and not any(raw in text for raw in RAW)


def test_notebook_02_reads_the_reports_theme_cost(tmp_path):
    text = _run(tmp_path, "02-comments.ipynb", config="cx.yml", month="2026-10", k_themes=4)
    cfg = cxdata.load_config()
    scope = sections.context(cfg, cxdata.load_responses(cfg), month="2026-10")
    impact = sections.theme_results(scope, cache_dir=cfg.cache_dir)["impact"]
    top = impact[~impact["small_base"]].iloc[0]
    # October's figure, as the report computes it (not the figure over every month of data)
    assert f"it costs about {top.points_lost:.1f} NPS points" in text and "Oct 2026, all customers" in text
    assert "786 in Oct 2026" in text and not any(raw in text for raw in RAW)


@pytest.mark.parametrize("which", ["bank", "rating"])
def test_notebook_02_without_comments_or_codebook(tmp_path, which):
    _need_real()
    papermill = pytest.importorskip("papermill")
    if which == "bank":            # no comments at all: stops saying what it needs
        with pytest.raises(papermill.PapermillExecutionError, match="notebook 02 needs comments"):
            _run(tmp_path, "02-comments.ipynb", config="examples/bank.yml")
        return
    config = Path(_rating_only(tmp_path))
    config.write_text(config.read_text().replace("rating: Q11_1}", "rating: Q11_1, comment: Q9}"), encoding="utf-8")
    text = _run(tmp_path, "02-comments.ipynb", config=str(config), k_themes=4)
    assert "codebook: none (themes are only discovered)" in text and "No codebook." in text
    assert "no NPS or fewer than 5 detractors' or promoters' comments: no learned sentiment" in text and "terms" in text


def _recommend_only(tmp: Path) -> str:
    """A would-recommend-only config (yes = 1) with three drivers and one segment, built from the sample."""
    import pandas as pd

    d = pd.read_csv(SAMPLE, usecols=["SubmittedAt", "Region", "LTR_0_10", "Q_SupportSpeed", "Q_EaseOfUse"])
    said = (d["LTR_0_10"] >= 9).astype("Int64").where(d["LTR_0_10"].notna())
    d.assign(Recommend=said).drop(columns="LTR_0_10").to_csv(tmp / "recommend.csv", index=False)
    (tmp / "recommend.yml").write_text(
        f"responses:\n  path: {tmp / 'recommend.csv'}\n  columns: {{responded_at: SubmittedAt, recommend: Recommend}}\n"
        "  segments: {region: Region}\n  drivers: {support_speed: Q_SupportSpeed, ease_of_use: Q_EaseOfUse}\n"
        "  scales:\n    drivers: {min: 1, max: 5}\n", encoding="utf-8")
    return str(tmp / "recommend.yml")


def test_notebooks_01_and_03_on_a_recommend_only_config(tmp_path):
    config = _recommend_only(tmp_path)
    text = _run(tmp_path, "01-explore-scores.ipynb", config=config, month="2026-10")
    head = _headline(text)
    assert head[1] == "Would recommend" and head[2].endswith("%") and "percentage points" in text
    drivers = _run(tmp_path, "03-drivers.ipynb", config=config, month="2026-10")
    assert "Driver window: Aug–Oct 2026" in drivers and not any(raw in text + drivers for raw in RAW)
