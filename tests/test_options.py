"""Tests of cxlib.drivers.options: multiple-response options as theme-like drivers, by hand and with scipy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxlib.drivers import option_impact
from cxlib.errors import DataError, ParameterError


@pytest.fixture
def answers():
    # 12 respondents: 10 answered "why" (Q1, Q2 as text), 2 skipped it (both blank) but gave a score.
    return pd.DataFrame({
        "nps": [0, 3, 9, 10, 9, 10, 10, 8, 6, 9, 7, 5],
        "Q1": ["Selected"] * 4 + ["Not selected"] * 6 + [None, None],
        "Q2": ["Not selected", "Selected", "Not selected", "Not selected", "Selected", "Selected", "Not selected",
               "Not selected", "Selected", None, None, None],
    })


def test_options_scored_like_themes_by_hand(answers):
    out = option_impact(answers, multi={"why": ["Q1", "Q2"]}, labels={"Q1": "Price"}, min_n=1).set_index("option")
    assert list(out.columns[:2]) == ["question", "label"] and out.loc["Q1", "label"] == "Price"
    # Q1: selected by 4 (0, 3, 9, 10: NPS 50 − 50 = 0); answered without it 6 (9, 10, 10, 8, 6, 9: 4 promoters,
    # 1 detractor of 6 -> +50). The two who skipped are in no group but in the overall base (n_scored = 12).
    q1 = out.loc["Q1"]
    assert (q1["n"], q1["n_mention"], q1["n_scored"]) == (10, 4, 12)
    assert (q1["score_with"], q1["score_without"]) == (pytest.approx(0.0), pytest.approx(50.0))
    # points lost: the 2 detractors who selected it as passives: 100 × 2 / 12 = 16.7
    assert q1["points_lost"] == pytest.approx(100 * 2 / 12)
    # Welch on the +100/0/−100 values (scipy, a second implementation)
    with_, without = np.array([-100, -100, 100, 100]), np.array([100, 100, 100, 0, -100, 100])
    assert q1["p_value"] == pytest.approx(stats.ttest_ind(with_, without, equal_var=False).pvalue)
    # Q2: the 10th respondent left Q2 blank but answered Q1: not selected (n = 10); selected by 3, 9, 10, 6
    # (2 promoters, 2 detractors: NPS 0)
    q2 = out.loc["Q2"]
    assert (q2["n"], q2["n_mention"]) == (10, 4) and q2["score_with"] == pytest.approx(0.0)
    # Holm over the question's two options by hand: the smaller p doubled, the larger at least that
    low, high = sorted(out["p_value"])
    assert sorted(out["p_holm"]) == pytest.approx([min(1, 2 * low), min(1, max(2 * low, high))])


def test_means_and_errors(answers):
    df = answers.assign(ces=[1, 2, 5, 5, 4, 4, 5, 3, 2, 4, 4, 1])
    t = option_impact(df, multi={"why": ["Q1"]}, metric="ces", scale=(1, 5), min_n=1).iloc[0]
    assert t["score_with"] == pytest.approx(13 / 4) and t["score_without"] == pytest.approx(22 / 6)
    assert t["points_lost"] == pytest.approx(4 / 12 * (22 / 6 - 13 / 4))     # share × how much worse
    with pytest.raises(ParameterError, match="mapping of question"):
        option_impact(answers, multi=["Q1"])
    with pytest.raises(DataError, match=r"column 'Q1'.*1 row\(s\): 2 \('maybe'\)"):
        option_impact(answers.assign(Q1=answers["Q1"].where(answers.index != 1, "maybe")), multi={"why": ["Q1"]})
