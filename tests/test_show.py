"""Tests of cxlib.tables.show: formatted, escaped, plumbing hidden, small bases grey, significance marked."""

from __future__ import annotations

import pandas as pd

from cxlib import scores
from cxlib.data import load_responses, subset
from cxlib.tables import Shown, crosstab, show


def test_scores_read_as_scores_with_one_interval_column():
    t = scores.nps(pd.DataFrame({"nps": [10, 9, 0, 7] * 10, "g": ["a", "b"] * 20}), by="g")
    s = show(t)
    assert isinstance(s, Shown) and "se" not in s.data and "ci_low" not in s.data and "n_eff" not in s.data
    assert s.data.loc[0, "ci"].endswith(s.data.loc[0, "ci"].split(" to ")[1]) and " to " in s.data.loc[0, "ci"]
    assert s.data.loc[0, "pct_promoters"].endswith("%") and s.data.loc[0, "nps"].startswith(("+", "-"))
    assert "small_base" not in s.data and "note" in s.data   # small bases (n = 20 < 30) have a note
    assert s.small.all()
    assert 'class="cx-small"' in s._repr_html_()


def test_significant_changes_are_marked_and_p_values_read():
    t = scores.what_changed(load_responses(), month="2026-10", by=["region"])
    s = show(t)
    emea = s.data.index[s.data["segment"] == "EMEA"][0]
    assert s.data.loc[emea, "diff"].endswith("▼") and s.data.loc[emea, "p_adjusted"] == "<0.001"
    assert s.significant[emea] and "p_value" not in s.data and "z" not in s.data
    assert 'class="cx-sig"' in s._repr_html_()


def test_text_is_escaped_and_long_tables_are_cut():
    t = pd.DataFrame({"quote": ["<script>x</script>"] * 70, "n": range(70)})
    s = show(t, max_rows=10)
    h = s._repr_html_()
    assert "<script>x" not in h and "&lt;script&gt;" in h and "60 more rows" in h and len(s.data) == 10


def test_banner_tables_are_drawn_and_the_input_stays_tidy():
    month = subset(load_responses(), month="2026-10")
    xt = crosstab(month, rows=["nps"], banner="region")
    before = xt.copy()
    assert "<sup>" in show(xt).as_raw_html()
    pd.testing.assert_frame_equal(xt, before)
