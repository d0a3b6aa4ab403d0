"""The report's experiment section: the sample's callback pilot read out over the months it ran, checked against
an independent Welch test; "no effect shown" on arms drawn alike; a misnamed arm left out with its reason."""

from __future__ import annotations

import dataclasses
import importlib

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxlib import data as cxdata
from cxlib.report import sections

story_mod = importlib.import_module("cxlib.report.sections.story")   # the module: the package exports the function


@pytest.fixture(scope="module")
def sample():
    cfg = cxdata.load_config()
    return sections.context(cfg, cxdata.load_responses(cfg), month="2026-10")


def test_pilot_effect_matches_an_independent_welch_test(sample):
    assert sample.cfg.report["experiment"] == "pilot_arm"            # cx.yml names the pilot
    res = sections.experiment_results(sample)
    arms = sample.data[sample.data["pilot_arm"].notna() & (sample.data["responded_at"] < "2026-11-01")]
    assert res["months"] == ["2026-07", "2026-08", "2026-09", "2026-10"] and res["period"] == "Jul–Oct 2026"
    # NPS as per-respondent points (promoter +100, detractor -100), Welch's unequal-variance t test (scipy)
    points = np.where(arms["nps"] >= 9, 100.0, np.where(arms["nps"] <= 6, -100.0, 0.0))
    cb, ct = points[arms["pilot_arm"] == "callback"], points[arms["pilot_arm"] == "control"]
    welch = stats.ttest_ind(cb, ct, equal_var=False)
    row = res["effects"].set_index("score").loc["nps"]
    assert row["effect"] == pytest.approx(cb.mean() - ct.mean()) and row["p_value"] == pytest.approx(welch.pvalue, rel=1e-6)
    assert row["verdict"] == "a real effect" and (len(cb), len(ct)) == (259, 251)
    html = str(sections.experiment(sample))
    assert "NPS: +19 points with callback against control over Jul–Oct 2026" in html and "p = 0.0045" in html
    said = sections.findings(sample, parts=["experiment"])[0]
    assert said == "Callback pilot: NPS +19 points (95% CI +6 to +32), a real effect."
    saved = sections.result_set(sample)["experiment"]
    assert saved["effects"][0]["real"] and saved["effects"][0]["effect"] == round(cb.mean() - ct.mean(), 4)


def _arms(make_scope, experiment: str, seed: int = 5):
    rng = np.random.default_rng(seed)
    n = 240
    frame = pd.DataFrame({"responded_at": pd.Timestamp("2026-09-01") + pd.to_timedelta(np.arange(n) % 61, unit="D"),
                          "nps": rng.integers(0, 11, n).astype(float),
                          "arm": np.where(np.arange(n) % 2 == 0, "treated", "control")})
    scope = make_scope(frame, month="2026-10", segments=("arm",))
    cfg = dataclasses.replace(scope.cfg, report={**scope.cfg.report, "experiment": experiment})
    return sections.context(cfg, frame, month="2026-10")


def test_arms_drawn_alike_show_no_effect_and_stay_out_of_the_story(make_scope):
    scope = _arms(make_scope, "arm")
    row = sections.experiment_results(scope)["effects"].iloc[0]
    assert row["p_value"] >= 0.05 and row["verdict"] == "no effect shown"
    assert "no effect shown" in sections.experiment(scope) and "each arm needs about" in sections.experiment(scope)
    assert sections.findings(scope, parts=["experiment"]) == []


def test_a_misnamed_arm_is_left_out_with_its_reason(make_scope):
    scope = _arms(make_scope, "pilot")
    html = str(sections.experiment(scope))
    assert "left out of this report" in html and "names &#x27;pilot&#x27;, which is not a segment" in html
    assert "The experiment" in scope.left_out


def test_no_experiment_configured_is_a_note(make_scope):
    scope = make_scope(pd.DataFrame({"responded_at": pd.to_datetime(["2026-10-01"]), "nps": [9.0]}), month="2026-10")
    assert "No experiment is configured" in sections.experiment(scope)
    assert sections.result_set(scope)["experiment"] is None
