"""Report score sections on small fixtures whose numbers are worked out by hand."""

from __future__ import annotations

import re
from html import unescape

import pandas as pd

from cxlib.report import sections


def frame(month: str, promoters: int, passives: int, detractors: int, **cols) -> pd.DataFrame:
    n = promoters + passives + detractors
    return pd.DataFrame({
        "responded_at": pd.Timestamp(f"{month}-15"),
        "nps": [10.0] * promoters + [8.0] * passives + [3.0] * detractors,
        **{k: [v] * n for k, v in cols.items()},
    })


def text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_headline_numbers_by_hand(make_scope):
    data = pd.concat([frame("2026-09", 10, 10, 20), frame("2026-10", 20, 10, 10)], ignore_index=True)
    out = text(sections.headline(make_scope(data, month="2026-10")))
    # October: 20 of 40 promoters, 10 detractors -> NPS = 50% - 25% = +25.
    # Adjusted Wald (Rocks 2016, the default): p' = 20.75/43 = 0.482558, d' = 10.75/43 = 0.25, n' = 43;
    # centre 23.2558; se' = sqrt((0.732558 - 0.232558^2) / 43) = 0.125612 -> 95% CI 23.26 -/+ 1.96 x 12.56
    # = -1.4 to +47.9.
    assert "+25" in out and "95% CI -1 to +48 · n = 40" in out
    # September NPS = 25% - 50% = -25; diff +50, se = sqrt(2) x 13.11 = 18.54, z = 2.70, p = 0.0070.
    # every answer dated the 15th: the baseline names the dates the data really cover
    assert "vs last month (15 Sep 2026): +50 points (real change, p = 0.007)" in out
    assert "vs same month last year: no data" in out       # no October 2025 in the data


def test_small_base_is_not_shown_as_a_fact(make_scope):
    data = frame("2026-10", 5, 3, 2, region="EMEA")
    scope = make_scope(data, month="2026-10", segments=["region"])
    out = text(sections.headline(scope))
    # 10 answers: no figure and no interval (it would span most of the scale), only the base and why
    assert "Only 10 answers to NPS in 15 Oct 2026, fewer than the 30 a figure needs: no figure is stated." in out
    assert "CI" not in out
    table = text(sections.segment_table(scope))
    # one value only: named with its segment, not cut, and no empty table
    assert "One value only in 15 Oct 2026, so not cut: Region: EMEA." in table and "<table" not in table


def test_segment_table_suppresses_small_bases(make_scope):
    data = pd.concat([frame("2026-10", 20, 10, 10, region="EMEA"), frame("2026-10", 5, 3, 2, region="APAC")],
                     ignore_index=True)
    out = text(sections.segment_table(make_scope(data, month="2026-10", segments=["region"])))
    assert re.search(r"APAC\s+–\s+base too small\s+10", out)
    assert re.search(r"EMEA\s+\+25\s+-1 to \+48\s+40", out)         # adjusted Wald, as in the headline test


def test_no_segments_gives_a_note(make_scope):
    data = pd.concat([frame("2026-09", 20, 10, 10), frame("2026-10", 20, 10, 10)], ignore_index=True)
    assert "left out" in sections.what_changed(make_scope(data, month="2026-10"))


def test_usable_segments():
    data = pd.DataFrame({"a": list("xyxy"), "b": list("zzzz"), "c": list("abcd")})
    assert sections.usable_segments(data, ["a", "b", "c", "d"]) == ["a", "c"]   # 4 values are kept too


def test_many_values_are_pooled_not_dropped(make_scope):
    # 15 carriers: the 12 largest are shown, the other 3 pooled with their base; nothing vanishes.
    parts = [frame("2026-10", 20 + i, 5, 5, carrier=f"C{i:02d}") for i in range(15)]
    data = pd.concat(parts, ignore_index=True)
    out = text(sections.segment_table(make_scope(data, month="2026-10", segments=["carrier"])))
    assert all(f"C{i:02d}" in out for i in range(3, 15)) and "C00" not in out
    pooled = data[data["carrier"].isin(["C00", "C01", "C02"])]
    nps = 100 * ((pooled["nps"] >= 9).mean() - (pooled["nps"] <= 6).mean())     # by counting
    assert re.search(rf"Other \(3 values, n = {len(pooled)}\)\s+\+{nps:.0f}", out)


def test_single_wave_and_first_month_say_so(make_scope):
    undated = frame("2026-10", 20, 10, 10).drop(columns="responded_at")
    scope = make_scope(undated, month="latest")
    assert scope.month is None
    assert "one wave without dates: no comparison over time" in text(sections.headline(scope))
    assert "no earlier period" in text(sections.what_changed(scope))
    assert "no trend to draw" in text(sections.trends(scope))
    first = make_scope(frame("2026-10", 20, 10, 10), month="latest")
    assert "First month of data" in text(sections.what_changed(first))


def test_headline_tile_arrow_previous_value_target_and_mix(make_scope):
    data = pd.concat([frame("2026-09", 10, 10, 20), frame("2026-10", 20, 10, 10)], ignore_index=True)
    scope = make_scope(data, month="2026-10")
    scope.cfg.report["targets"] = {"nps": 30}
    html = sections.headline(scope)
    out = text(html)
    # by hand (as above): October +25, a real rise of 50 points from September's 10/40 - 20/40 = -25
    assert "+25 ▲" in out and "previous month: -25" in out
    assert "target +30: -5 points below" in out                       # 25 - 30
    assert "50% promoters" in out and "25% passives" in out and "25% detractors" in out   # 20, 10, 10 of 40
    assert 'class="cx-mix"' in html


def test_headline_tile_has_no_arrow_for_a_change_within_noise(make_scope):
    # September 11/9/20 (NPS -22.5) against October 12/9/19 (-17.5): +5 points, z far below 1.96
    data = pd.concat([frame("2026-09", 11, 9, 20), frame("2026-10", 12, 9, 19)], ignore_index=True)
    out = text(sections.headline(make_scope(data, month="2026-10")))
    assert "within noise" in out and "▲" not in out and "▼" not in out


def test_the_changes_sheet_is_kept_by_the_section_that_shows_it(make_scope):
    sep = pd.concat([frame("2026-09", 10, 10, 20, region="EMEA"), frame("2026-09", 15, 10, 15, region="APAC")])
    oct_ = pd.concat([frame("2026-10", 20, 10, 10, region="EMEA"), frame("2026-10", 15, 10, 15, region="APAC")])
    data = pd.concat([sep, oct_], ignore_index=True)
    shown = make_scope(data, month="2026-10", segments=["region"])
    sections.what_changed(shown)
    kept = shown.tables["changes"]
    emea = next(r for r in kept["rows"] if r["segment"] == "EMEA")
    # by hand: EMEA's September (the only month of Jul–Sep with data) 10/40 - 20/40 = -25, October 20/40 - 10/40 = +25
    assert (emea["previous"], emea["current"], emea["diff"]) == (-25.0, 25.0, 50.0)
    assert "15 Sep 2026" in kept["title"] and list(shown.tables) == ["changes"]
    # the story alone tests the changes (changes_table) but shows no table: the result set keeps no sheet of them
    told = make_scope(data, month="2026-10", segments=["region"])
    sections.changes_table(told)
    assert "changes" not in sections.result_set(told)["tables"]
