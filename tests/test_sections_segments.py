"""The segment table (cxlib.report.sections.segments) on a fixture worked out by hand, from a DataFrame and
from a database table (summed there): the same rows, the long tail pooled as "Other", blanks with their n."""

from __future__ import annotations

import re
from html import unescape

import numpy as np
import pandas as pd
import pytest

from cxlib.data import as_table, is_table
from cxlib.report import sections


def _rows(month: str, carrier, nps: list) -> pd.DataFrame:
    return pd.DataFrame({"response_id": [f"{month}-{carrier}-{i}" for i in range(len(nps))],
                         "responded_at": pd.Timestamp(f"{month}-15"), "nps": nps, "carrier": carrier})


def _month() -> pd.DataFrame:
    """October: C has the most rows (5 answers, 40 without one), then A; B, D and the blank are the tail.
    September: 100 detractors in B that the October table must not read."""
    return pd.concat([
        _rows("2026-09", "B", [0.0] * 100),
        _rows("2026-10", "A", [10.0] * 20 + [8.0] * 10 + [3.0] * 10),
        _rows("2026-10", "B", [10.0] * 30 + [7.0] * 5),
        _rows("2026-10", "C", [9.0] * 5 + [np.nan] * 40),
        _rows("2026-10", "D", [2.0] * 5),
        _rows("2026-10", None, [10.0] * 2),
    ], ignore_index=True)


def text(html) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", str(html))))


@pytest.mark.duckdb
def test_segment_table_by_hand_from_a_frame_and_from_a_table(make_scope, monkeypatch):
    from cxlib.report.sections import segments

    data = _month()
    args = {"month": "2026-10", "segments": ["carrier"], "max_segment_values": 2}
    frame_scope, table_scope = make_scope(data, **args), make_scope(as_table(data), **args)
    assert segments.month_source(table_scope) is table_scope.now   # a small month: the rows in the kernel
    monkeypatch.setattr(segments, "MONTH_ROWS_IN_DATABASE", 0)     # a large one: summed in the database
    assert is_table(segments.month_source(table_scope)) and not is_table(segments.month_source(frame_scope))
    out = text(sections.segment_table(frame_scope))
    # shown: the 2 values with the most rows (not answers): C (45 rows), A (40)
    # C: 5 answers < 30 -> suppressed, with its n
    assert "Carrier C – base too small 5" in out
    # A: 20 of 40 promoters, 10 detractors -> +25; adjusted Wald 95% CI -1.4 to +47.9 (worked out in
    # tests/test_sections_scores.py::test_headline_numbers_by_hand)
    assert "Carrier A +25 -1 to +48 40" in out
    # Other: B (35), D (5) and the blank (2): 42 answers, 30 + 2 promoters, 5 detractors (September's 100
    # detractors in B left out) -> 100 x (32 - 5) / 42 = +64.3
    assert re.search(r"Carrier Other \(3 values, n = 42\) \+64 ", out)
    assert "B" not in out.split("Carrier Other")[0].replace("Carrier", "")    # B is pooled, not shown
    assert text(sections.segment_table(table_scope)) == out
    assert table_scope.tables["segments"] == frame_scope.tables["segments"]
    pooled = frame_scope.tables["segments"]["rows"][-1]
    assert pooled["n"] == 42 and pooled["NPS"] == pytest.approx(100 * 27 / 42, abs=1e-6)


@pytest.mark.duckdb
def test_a_blank_value_is_shown_with_its_n_when_among_the_largest(make_scope):
    data = _month()
    args = {"month": "2026-10", "segments": ["carrier"], "max_segment_values": 12}
    frame_scope, table_scope = make_scope(data, **args), make_scope(as_table(data), **args)
    out = text(sections.segment_table(frame_scope))
    # every value shown, largest first by rows: C 45, A 40, B 35, D 5, (blank) 2; B: 30 of 35 promoters -> +86
    assert [r["value"] for r in frame_scope.tables["segments"]["rows"]] == ["C", "A", "B", "D", "(blank)"]
    assert "Carrier B +86" in out and "Carrier (blank) – base too small 2" in out
    assert text(sections.segment_table(table_scope)) == out


@pytest.mark.duckdb
def test_weighted_segment_table_is_the_same_from_a_table(make_scope):
    data = _month()
    rng = np.random.default_rng(7)
    data["weight"] = rng.uniform(0.5, 1.5, len(data))
    args = {"month": "2026-10", "segments": ["carrier"], "max_segment_values": 2, "scores": ("nps", "weight")}
    frame_scope, table_scope = make_scope(data, **args), make_scope(as_table(data), **args)
    assert frame_scope.weight == table_scope.weight == "weight"
    out = text(sections.segment_table(frame_scope))
    assert text(sections.segment_table(table_scope)) == out
    # the pooled row by a second method: the weighted NPS of B, D and the blank's rows counted directly
    tail = data[(data["responded_at"] >= "2026-10-01") & data["carrier"].isin(["B", "D"]) | data["carrier"].isna()]
    w = tail["weight"]
    nps = 100 * (w[tail["nps"] >= 9].sum() - w[tail["nps"] <= 6].sum()) / w.sum()
    for scope in (frame_scope, table_scope):
        assert scope.tables["segments"]["rows"][-1]["NPS"] == pytest.approx(nps, abs=1e-6)
