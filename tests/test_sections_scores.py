"""Report score sections on small fixtures whose numbers are worked out by hand."""

from __future__ import annotations

import re
from html import unescape

import pandas as pd

from cxlib.report import sections
from cxlib.data import DEFAULT_SCALES


def frame(month: str, promoters: int, passives: int, detractors: int, **cols) -> pd.DataFrame:
    n = promoters + passives + detractors
    return pd.DataFrame({
        "responded_at": pd.Timestamp(f"{month}-15"),
        "nps": [10.0] * promoters + [8.0] * passives + [3.0] * detractors,
        **{k: [v] * n for k, v in cols.items()},
    })


def text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_headline_numbers_by_hand():
    data = pd.concat([frame("2026-09", 10, 10, 20), frame("2026-10", 20, 10, 10)], ignore_index=True)
    out = text(sections.headline(data, month="2026-10", scales=DEFAULT_SCALES))
    # October: 20 of 40 promoters, 10 detractors -> NPS = 50% - 25% = +25.
    # Adjusted Wald (Rocks 2016, the default): p' = 20.75/43 = 0.482558, d' = 10.75/43 = 0.25, n' = 43;
    # centre 23.2558; se' = sqrt((0.732558 - 0.232558^2) / 43) = 0.125612 -> 95% CI 23.26 -/+ 1.96 x 12.56
    # = -1.4 to +47.9.
    assert "+25" in out and "95% CI -1 to +48 · n = 40" in out
    # September NPS = 25% - 50% = -25; diff +50, se = sqrt(2) x 13.11 = 18.54, z = 2.70, p = 0.0070.
    assert "vs last month (Sep 2026): +50 pts (real change, p = 0.007)" in out
    assert "vs same month last year: no data" in out       # no October 2025 in the data


def test_small_base_is_not_shown_as_a_fact():
    data = frame("2026-10", 5, 3, 2, region="EMEA")
    out = text(sections.headline(data, month="2026-10", scales=DEFAULT_SCALES))
    # 10 answers: the score is shown only with its warning, next to its (wide) interval and base
    assert "small base (n < 30): read with care" in out and "n = 10" in out
    table = text(sections.segment_table(data, month="2026-10", segments=["region"]))
    assert "No segment has two or more values this month" in table and "EMEA" not in table


def test_segment_table_suppresses_small_bases():
    data = pd.concat([frame("2026-10", 20, 10, 10, region="EMEA"), frame("2026-10", 5, 3, 2, region="APAC")],
                     ignore_index=True)
    out = text(sections.segment_table(data, month="2026-10", segments=["region"]))
    assert re.search(r"APAC\s+–\s+base too small\s+10", out)
    assert re.search(r"EMEA\s+\+25\s+-1 to \+48\s+40", out)         # adjusted Wald, as in the headline test


def test_no_segments_gives_a_note():
    data = frame("2026-10", 20, 10, 10)
    assert "left out" in sections.what_changed(data, month="2026-10", segments=[])


def test_usable_segments():
    data = pd.DataFrame({"a": list("xyxy"), "b": list("zzzz"), "c": list("abcd")})
    assert sections.usable_segments(data, ["a", "b", "c", "d"], max_levels=3) == ["a"]
