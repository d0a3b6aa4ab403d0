"""A scale changed mid-series: found where it happened, and never compared across by the report.

The synthetic export is shaped like the real case: 2,140 ratings of 1–5 (declared 1–10, so the load-time
check passes), then from 9 Jun 2015 answers on the full 1–10 scale.
"""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest

from cxlib import scores
from cxlib.report import sections

story_mod = importlib.import_module("cxlib.report.sections.story")   # the module: the package exports the function

CHANGE = pd.Timestamp("2015-06-09 08:30")


@pytest.fixture(scope="module")
def export() -> pd.DataFrame:
    rng = np.random.default_rng(2015)
    before = pd.DataFrame({"responded_at": pd.date_range("2015-01-01", CHANGE - pd.Timedelta(hours=1), periods=2140),
                           "rating": rng.integers(1, 6, 2140).astype(float)})
    after_dates = pd.date_range(CHANGE, "2015-10-31 18:00", periods=1500)
    after_values = rng.integers(1, 11, 1500).astype(float)
    after_values[0] = 8.0                                  # the first answer of the new scale is above 5
    after = pd.DataFrame({"responded_at": after_dates, "rating": after_values})
    frame = pd.concat([before, after], ignore_index=True)
    return frame.assign(region=np.where(np.arange(len(frame)) % 2 == 0, "North", "South"))


def test_the_break_is_found_where_it_happened(export):
    found = scores.scale_breaks(export, score="rating")
    assert len(found) == 1
    row = found.iloc[0]
    # by construction: 2,140 answers of 1-5, then the first answer above 5 at 9 Jun 2015 08:30
    assert (row["direction"], row["threshold"], row["first_at"], row["n_before"]) == ("above", 5.0, CHANGE, 2140)
    assert row["share_beyond_after"] == pytest.approx((export["rating"].iloc[2140:] > 5).mean())


@pytest.mark.duckdb
def test_the_break_counted_in_the_database(export):
    # the same construction counted by three aggregate queries instead of the sorted rows: the same break
    from cxlib.data import as_table

    got = scores.scale_breaks(as_table(export), score="rating")
    assert len(got) == 1
    row = got.iloc[0]
    assert (row["direction"], row["threshold"], row["first_at"], row["n_before"]) == ("above", 5.0, CHANGE, 2140)
    assert row["share_beyond_after"] == pytest.approx((export["rating"].iloc[2140:] > 5).mean(), rel=1e-12)
    pd.testing.assert_frame_equal(got, scores.scale_breaks(export, score="rating"), check_dtype=False)
    rng = np.random.default_rng(7)
    steady = pd.DataFrame({"responded_at": pd.date_range("2015-01-01", periods=3000, freq="h"),
                           "rating": rng.integers(1, 11, 3000).astype(float)})
    assert scores.scale_breaks(as_table(steady), score="rating").empty


def test_no_break_in_a_steady_series():
    rng = np.random.default_rng(7)
    steady = pd.DataFrame({"responded_at": pd.date_range("2015-01-01", periods=3000, freq="h"),
                           "rating": rng.integers(1, 11, 3000).astype(float)})
    assert scores.scale_breaks(steady, score="rating").empty


def _scale():
    from cxlib.data import Scale

    return Scale(1, 10)


@pytest.mark.parametrize("month", ["2015-06", "2015-07"])       # June mixes both scales: July vs June spans it too
def test_the_report_does_not_compare_across_the_change(make_scope, export, month):
    scope = make_scope(export, month=month, scores=("rating",), segments=("region",), scales={"rating": _scale()})
    said = story_mod._primary(scope, [])
    assert "answers above 5 first appear on 9 Jun 2015 (the 2,140 answers before were all 5 or below" in said
    assert "Months before and after are not compared." in said and "real" not in said and "noise" not in said
    card = str(sections.headline(scope))
    assert "vs last month: not compared (the scale changed in between)" in card
    assert "was the scale changed?" in str(sections.what_changed(scope))
    assert sections.changes_table(scope) is None
    assert sections.result_set(scope)["scores"]["rating"]["diff"] is None


def test_months_after_the_change_are_compared(make_scope, export):
    scope = make_scope(export, month="2015-09", scores=("rating",), segments=("region",), scales={"rating": _scale()})
    said = story_mod._primary(scope, [])
    assert "first appear" not in said and ("noise" in said or "real" in said)
    assert sections.result_set(scope)["scores"]["rating"]["diff"] is not None


@pytest.mark.duckdb
def test_every_score_counted_in_one_pass(export):
    # a second score on 1-7 answered 3-7 until 1 Aug 2015 12:00, then 1-7 (a break below 3), every third
    # answer missing; counted together with the rating (two scans), each equals its own pandas count
    from cxlib.data import as_table

    rng = np.random.default_rng(3)
    shift = pd.Timestamp("2015-08-01 12:00")
    late = (export["responded_at"] >= shift).to_numpy()
    effort = np.where(late, rng.integers(1, 8, len(export)), rng.integers(3, 8, len(export))).astype(float)
    effort[int(np.argmax(late))] = 1.0                    # the first answer of the new range is below 3
    effort[np.arange(len(export)) % 3 == 1] = np.nan
    both = export.assign(effort=effort)
    got = scores.scale_breaks(as_table(both), score=["rating", "effort"])
    assert got["score"].tolist() == ["rating", "effort"]
    row = got.iloc[1]
    first = both.loc[late & both["effort"].notna(), "responded_at"].iloc[0]
    # by construction: the answered efforts before the first one of the new range (two in three are answered)
    before = int((~late & both["effort"].notna()).sum())
    assert (row["direction"], row["threshold"], row["first_at"], row["n_before"]) == ("below", 3.0, first, before)
    alone = pd.concat([scores.scale_breaks(both, score=s) for s in ("rating", "effort")], ignore_index=True)
    pd.testing.assert_frame_equal(got, alone, check_dtype=False)
