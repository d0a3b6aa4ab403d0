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
    # the parameter read as crosstab reads it (cxlib.data.option_sets): a column listed twice is one option
    assert option_impact(answers, multi={"why": ["Q1", "Q1"]}, min_n=1)["option"].tolist() == ["Q1"]
    with pytest.raises(ParameterError, match=r"option_impact: multi\['why'\] must list the question's option columns"):
        option_impact(answers, multi={"why": []})
    with pytest.raises(DataError, match=r"column 'Q1'.*1 row\(s\): 2 \('maybe'\)"):
        option_impact(answers.assign(Q1=answers["Q1"].where(answers.index != 1, "maybe")), multi={"why": ["Q1"]})


def test_weighted_option_by_hand():
    # 7 respondents, the last skipped the question. Selected: 0 (w 2), 10 (w 1), 3 (w 1): NPS (−200 + 100 − 100) / 4
    # = −50; not selected: 9 (w 1), 5 (w 1), 10 (w 3): (100 − 100 + 300) / 5 = 60; share 4 / 9.
    df = pd.DataFrame({"nps": [0, 10, 3, 9, 5, 10, 8], "w": [2.0, 1, 1, 1, 1, 3, 1], "Q1": [1, 1, 1, 0, 0, 0, None]})
    t = option_impact(df, multi={"why": ["Q1"]}, weight="w", min_n=1).iloc[0]
    assert (t["n"], t["n_mention"], t["n_scored"]) == (6, 3, 7)
    assert t["share"] == pytest.approx(4 / 9)
    assert (t["score_with"], t["score_without"]) == (pytest.approx(-50.0), pytest.approx(60.0))
    assert t["points_lost"] == pytest.approx(100 * 3 / 10)     # the selecting detractors' weight / all weight
    # Welch on Kish's bases: with n_eff 4²/6 = 8/3, variance (4e4 − 200²/4) / 4 × (8/3) / (5/3) = 12000;
    # without n_eff 5²/11, variance (5e4 − 300²/5) / 5 × (25/11) / (14/11) = 6400 × 25/14
    a, b = 12000 / (8 / 3), 6400 * 25 / 14 / (25 / 11)
    dof = (a + b) ** 2 / (a * a / (5 / 3) + b * b / (14 / 11))
    assert t["diff"] == pytest.approx(-110.0)
    assert t["p_value"] == pytest.approx(2 * stats.t.sf(110 / np.sqrt(a + b), dof))


@pytest.mark.parametrize("metric, score, scale", [("nps", None, None), ("csat", None, (1, 5)),
                                                  ("ces", None, (1, 7)), ("mean", "ces", None)])
def test_the_one_pass_sums_equal_theme_impact(metric, score, scale):
    # A second implementation: each option as a theme column through comments.theme_impact's general sums.
    from cxlib.comments import theme_impact

    rng = np.random.default_rng(7)
    n = 400
    df = pd.DataFrame({"nps": rng.integers(0, 11, n).astype(float), "csat": rng.integers(1, 6, n).astype(float),
                       "ces": rng.integers(1, 8, n).astype(float), "w": rng.uniform(0.2, 3, n)})
    df.loc[rng.random(n) < 0.1, ["nps", "csat", "ces"]] = np.nan
    skipped = rng.random(n) < 0.15
    cols = [f"Q{j}" for j in range(4)]
    for j, c in enumerate(cols):
        df[c] = np.where(skipped, np.nan, (rng.random(n) < 0.1 + 0.2 * j).astype(float))
    df.loc[~skipped & (rng.random(n) < 0.05), "Q2"] = np.nan        # answered, option left blank
    got = option_impact(df, multi={"why": cols}, metric=metric, score=score, scale=scale, weight="w", min_n=20)
    answered = df[cols].notna().any(axis=1).to_numpy()
    flags = pd.DataFrame({f"theme_{c}": pd.arrays.BooleanArray(df[c].eq(1).to_numpy(), ~answered) for c in cols})
    ref = theme_impact(pd.concat([df, flags], axis=1), themes=cols, metric=metric, score=score, scale=scale,
                       weight="w", min_n=20)
    pd.testing.assert_frame_equal(got.drop(columns=["question", "label"]).rename(columns={"option": "theme"}), ref,
                                  check_dtype=False, rtol=1e-9, atol=1e-9)
