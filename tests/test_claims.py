"""The story's rules: each claim made only when its evidence carries it, one test per rule, and the report's
sentences on the small, sparse and blank cases that used to read wrong."""

from __future__ import annotations

import dataclasses
import importlib
import re

import numpy as np
import pandas as pd
import pytest

from cxlib.report import claims
from cxlib.report import sections as sec

story_mod = importlib.import_module("cxlib.report.sections.story")   # the module: the package exports the function


# --- the rules, on figures ---------------------------------------------------------------------------------

@pytest.mark.parametrize("low, high, says", [
    (1, 1, "matters most"),                                          # first in every resample
    (1, 3, "is among the most important (ranks 1–3 of 7)"),
    (2, 3, "is among the most important (ranks 2–3 of 7)"),
    (1, 6, None),                                                    # the measured catering case: ranks 1–6
    (4, 4, None),                                                    # surely 4th: not among the top 3
    (np.nan, np.nan, None),                                          # no interval: no claim
])
def test_importance_claim_follows_the_rank_interval(low, high, says):
    got = claims.importance_claim(low, high, drivers=7)
    assert (got.text if got else None) == says


def test_weakness_claim_needs_a_gap_that_excludes_zero():
    # gap = cut - rating; its interval excludes zero exactly when the rating's upper bound is below the cut
    assert claims.weakness_claim(3.0, 2.8, 3.39, cut=3.4).text == "is weakest"
    assert claims.weakness_claim(3.0, 2.8, 3.40, cut=3.4) is None      # touches the average
    assert claims.weakness_claim(3.0, 2.8, 3.6, cut=3.4) is None


def test_small_base_claim_states_no_figure():
    said = claims.small_base_claim(4, min_n=30, period="Oct 2026", label="CSAT").text
    assert "4 answers" in said and "no figure" in said and not re.search(r"\d\.\d\d", said)
    assert claims.small_base_claim(1, min_n=30, period="Oct 2026", label="NPS").text.startswith("Only 1 answer to")
    assert claims.small_base_claim(30, min_n=30, period="Oct 2026", label="NPS") is None


def test_comparison_claim_names_the_small_month():
    assert "in Sep 2026 (n = 1" in claims.comparison_claim(67, 1, min_n=30, period="Oct 2026", before="Sep 2026").text
    assert "in Oct 2026 (n = 4" in claims.comparison_claim(4, 67, min_n=30, period="Oct 2026", before="Sep 2026").text
    both = claims.comparison_claim(4, 5, min_n=30, period="Oct 2026", before="Sep 2026").text
    assert "both Oct 2026 (n = 4) and Sep 2026 (n = 5)" in both
    assert claims.comparison_claim(30, 31, min_n=30, period="Oct 2026", before="Sep 2026") is None


def test_segments_claim_says_none_moved_only_when_one_was_compared():
    assert claims.segments_claim(3, 0, min_n=30, label="NPS").text.startswith("No segment moved")
    none = claims.segments_claim(0, 4, min_n=30, label="NPS").text
    assert "could be compared" in none and "all 4 segment values" in none and "moved" not in none


def test_left_out_months_names_each_small_month():
    t = pd.DataFrame({"period": pd.PeriodIndex(["2026-07", "2026-08", "2026-09"], freq="M"),
                      "n": [3, 50, 0], "small_base": [True, False, True]})
    assert claims.left_out_months(t, min_n=30) == \
        "Left out as too small (fewer than 30 answers): Jul 2026 (n = 3), Sep 2026 (n = 0)."
    assert claims.left_out_months(t.iloc[[1]], min_n=30) == ""


# --- the report's words on small, sparse and blank data -----------------------------------------------------

def _month(month: str, n: int, rng, **cols) -> pd.DataFrame:
    days = pd.date_range(month, pd.Period(month, "M").end_time.normalize(), freq="D")
    frame = pd.DataFrame({"responded_at": [days[-1 - i % len(days)] for i in range(n)],
                          "nps": rng.integers(0, 11, n).astype(float)})
    return frame.assign(**cols)


def _frame(sizes: dict, seed: int = 0, **cols) -> pd.DataFrame:
    """``sizes[month]`` responses in each month, on its last days first, so that every month ends full."""
    rng = np.random.default_rng(seed)
    return pd.concat([_month(m, n, rng, **cols) for m, n in sizes.items()], ignore_index=True)


def test_headline_names_the_small_previous_month(make_scope):
    scope = make_scope(_frame({"2026-09": 1, "2026-10": 67}), month="2026-10")
    text = story_mod._primary(scope, [])
    assert "too few answers in 30 Sep 2026 (n = 1, fewer than 30; Oct 2026 has 67)" in text
    assert "last month" not in text


def test_headline_on_a_small_month_states_no_figure(make_scope):
    scope = make_scope(_frame({"2026-09": 67, "2026-10": 4}), month="2026-10")
    text = story_mod._primary(scope, [])
    assert text.startswith("Only 4 answers to NPS in") and "CI" not in text
    card = sec.headline(scope)
    assert "Only 4 answers to NPS" in card and "CI" not in card and "cx-value \">–" in card


def test_trend_says_which_months_were_left_out(make_scope):
    scope = make_scope(_frame({"2026-07": 40, "2026-08": 5, "2026-09": 40, "2026-10": 40}), month="2026-10")
    assert "Left out as too small (fewer than 30 answers): Aug 2026 (n = 5)." in sec.trends(scope)


def test_story_says_no_segment_could_be_compared(make_scope):
    frame = _frame({"2026-07": 20, "2026-08": 20, "2026-09": 20, "2026-10": 40}, region="EMEA")
    frame.loc[frame.index % 2 == 0, "region"] = "APAC"
    text = story_mod._largest_change(make_scope(frame, month="2026-10", segments=("region",)), [])
    assert "could be compared" in text and "0 segment values compared" not in text and "moved" not in text


def test_blank_segment_values_are_shown_with_their_n(make_scope):
    frame = _frame({"2026-09": 40, "2026-10": 90}, region="EMEA")
    frame.loc[frame.index % 3 == 0, "region"] = "APAC"
    october = frame["responded_at"].dt.strftime("%Y-%m") == "2026-10"
    blank = october & (frame.index % 3 == 1)
    frame.loc[blank, "region"] = np.nan
    html = sec.segment_table(make_scope(frame, month="2026-10", segments=("region",)))
    assert re.search(rf"\(blank\)</td>.*?<td[^>]*>{int(blank.sum())}</td>", html, flags=re.S)


def test_a_sparse_segment_is_not_a_partial_month(make_scope):
    frame = _frame({"2026-09": 60, "2026-10": 60}, region="EMEA")
    frame.loc[frame.index[:5], "region"] = "APAC"             # five reviews, all in early September
    cfg = make_scope(frame, month="2026-09", segments=("region",)).cfg
    scope = sec.context(cfg, frame, month="2026-09", segment="region=APAC")
    assert not scope.partial and not any("partial" in n for n in scope.notes)


def _driver_scope(make_scope, n: int, seed: int = 3):
    rng = np.random.default_rng(seed)
    names = [f"d{i}" for i in range(7)]
    x = rng.integers(1, 6, (n, 7)).astype(float)
    x[:, 0] = rng.integers(1, 4, n)                 # d0 is rated low (mean 2 against 3 for the others)
    frame = pd.DataFrame(x, columns=names).assign(
        nps=np.clip(np.round(2 * x[:, 0] - 1 + rng.normal(0, 1, n)), 0, 10),
        responded_at=pd.Timestamp("2026-10-01") + pd.to_timedelta(np.arange(n) % 31, unit="D"))
    scope = make_scope(frame, month="2026-10")
    spec = dataclasses.replace(scope.cfg.responses, drivers={d: d for d in names},
                               columns={**scope.cfg.responses.columns, **{d: d for d in names}})
    return sec.context(dataclasses.replace(scope.cfg, responses=spec), frame, month="2026-10")


def test_no_driver_chart_or_advice_below_the_base_rule(make_scope):
    html = sec.drivers(_driver_scope(make_scope, 40))       # 7 drivers need 70 complete responses
    assert "<img" not in html and "Fix first" not in html
    assert "needs at least 70 complete responses" in html and "40 answered" in html


def test_story_claims_most_important_only_on_a_rank_interval_of_one(make_scope):
    scope = _driver_scope(make_scope, 600)
    res = sec.driver_results(scope)
    small: list = []
    text = story_mod._driver(scope, small)
    top = res["importance"].iloc[0]
    assert (top.driver, top.rank_ci_low, top.rank_ci_high) == ("d0", 1, 1)   # d0 alone drives the planted score
    assert text.startswith("D0 matters most and is weakest") and "rank interval 1–1" in small[0]
    # with the intervals widened the claim falls back or goes
    wide = dict(res, importance=res["importance"].assign(rank_ci_high=5))
    scope.results[("drivers", 3, 200, 0)] = wide
    assert story_mod._driver(scope, []) is None
