"""The report weighted as the config says: raked month by month to the targets, every score weighted,
"About" stating the weighting effect, all checked by hand from the weights."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest

from cxlib import data as cxdata
from cxlib.errors import DataError
from cxlib.report import sections

TARGETS = {"region": {"North America": 0.15, "EMEA": 0.55, "APAC": 0.15, "LATAM": 0.15}}


@pytest.fixture(scope="module")
def raked():
    root = cxdata.project_root()
    cfg = cxdata.load_config({"responses": {"path": str(root / "data/sample/responses.csv"),
                                            "columns": {"nps": "LTR_0_10", "responded_at": "SubmittedAt"},
                                            "segments": {"region": "Region", "plan": "Plan"}},
                              "weighting": {"targets": TARGETS}, "cache_dir": None})
    return cfg, sections.context(cfg, cxdata.load_responses(cfg), month="2026-10")


def test_each_month_matches_the_targets_on_its_own(raked):
    _, scope = raked
    for month in ("2026-09", "2026-10"):
        part = cxdata.subset(scope.data, month=month)
        shares = part.groupby("region")["weight"].sum() / part["weight"].sum()
        for region, share in TARGETS["region"].items():
            assert shares[region] == pytest.approx(share, abs=1e-6)
    assert set(scope.weighting["month"].astype(str)) >= {"2026-09", "2026-10"}


def test_headline_and_about_are_the_weighted_figures(raked):
    _, scope = raked
    now = scope.now
    w, ltr = now["weight"].to_numpy(float), now["nps"].to_numpy(float)
    nps = 100 * (w * ((ltr >= 9).astype(float) - (ltr <= 6))).sum() / w.sum()     # weighted NPS by definition
    unweighted = 100 * (((ltr >= 9).astype(float) - (ltr <= 6)).mean())
    assert abs(round(nps) - round(unweighted)) >= 1              # the weighting moves the headline here
    assert f"{round(nps):+d}" in sections.headline(scope)
    about = html.unescape(sections.about(scope))
    deff = len(w) * (w ** 2).sum() / w.sum() ** 2                  # Kish
    shown = re.search(r"weighting effect \(1 \+ cv² of the weights, Kish's design effect due to weighting\) is "
                      r"([\d.]+): ([\d,]+) weighted responses count as ([\d,]+)", about)
    assert shown and float(shown.group(1)) == round(deff, 2)
    assert int(shown.group(3).replace(",", "")) == round(len(w) / deff)
    assert "raking to the customer base's shares of Region (each month on its own)" in about
    assert "linearised (Taylor) variance" in about


def test_a_month_missing_a_target_category_is_named(raked):
    cfg, scope = raked
    responses = cxdata.load_responses(cfg)
    gone = responses[~((responses["region"] == "LATAM") & (responses["responded_at"] >= "2026-10-01"))]
    with pytest.raises(DataError,
                       match=r"weighting month 2026-10: rake: target categories of 'region' absent"):
        sections.context(cfg, gone, month="2026-10")
    assert np.isfinite(scope.data["weight"]).all()


@pytest.fixture(scope="module")
def raked_run(tmp_path_factory):
    """The report rendered on a raked config: the published run.json, results.json and HTML."""
    import json

    import yaml

    from cxlib.report import render_report

    root = cxdata.project_root()
    folder = tmp_path_factory.mktemp("raked")
    config = folder / "cx.yml"
    config.write_text(yaml.safe_dump({
        "responses": {"path": str(root / "data/sample/responses.csv"),
                      "columns": {"nps": "LTR_0_10", "responded_at": "SubmittedAt"},
                      "segments": {"region": "Region", "plan": "Plan"}},
        "weighting": {"targets": TARGETS}, "cache_dir": None}), encoding="utf-8")
    page = render_report("2026-10", config=config, output_dir=folder / "reports")
    run = json.loads((page.parent / "run.json").read_text(encoding="utf-8"))
    results = json.loads((page.parent / "results.json").read_text(encoding="utf-8"))
    return run, results, page.read_text(encoding="utf-8"), (folder / "reports" / "index.html").read_text("utf-8")


def test_run_json_index_and_report_give_the_weighted_headline(raked, raked_run):
    _, scope = raked
    run, results, page, index = raked_run
    now = scope.now
    w, ltr = now["weight"].to_numpy(float), now["nps"].to_numpy(float)
    by_hand = 100 * (w * ((ltr >= 9).astype(float) - (ltr <= 6))).sum() / w.sum()   # raked NPS by definition
    assert run["headline"]["value"] == pytest.approx(by_hand, abs=0.005)
    assert run["headline"] == results["headline"]
    assert results["weighted"] is True and results["scores"]["nps"]["n"] == len(now)
    assert f"{round(by_hand):+d}" in html.unescape(page)
    assert f"NPS {round(by_hand):+d}".replace("-", "−") in html.unescape(index)   # as the report shows it
