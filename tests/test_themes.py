"""Tests for cxlib.comments.themes: theme impact, volumes, shifts and sentiment trend, checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest

from cxlib import data as cxdata
from cxlib.comments import sentiment_trend, tag_themes, theme_impact, theme_shift, theme_volumes


def nps_values(scores: pd.Series) -> pd.Series:
    """Hand coding for the checks: +100 for 9-10, -100 for 0-6, 0 for 7-8 (Reichheld's definition)."""
    return pd.Series(np.where(scores >= 9, 100.0, np.where(scores <= 6, -100.0, 0.0)), index=scores.index)

NA = pd.NA


@pytest.fixture
def tiny():
    # 10 respondents; theme_wait NA = no comment.
    return pd.DataFrame({
        "nps": [0, 3, 6, 9, 10, 7, 2, 9, 8, 5],
        "csat": [1, 2, 2, 5, 5, 4, 1, 5, 4, 3],
        "theme_wait": pd.array([True, True, False, False, False, True, True, False, NA, NA], dtype="boolean"),
    })


def test_points_lost_by_hand(tiny):
    # Actual NPS over all 10 scored: promoters 9,10,9 = 3; detractors 0,3,6,2,5 = 5 -> (3-5)/10 = -20.
    # Theme detractors (mention wait and score <= 6): rows 0, 1, 6 -> 3. As passives: (3-2)/10 = +10.
    # Points lost = 10 - (-20) = 30.
    out = theme_impact(tiny, min_n=1).iloc[0]
    assert out["points_lost"] == pytest.approx(30.0)
    assert out["n_scored"] == 10
    # Second method: recode literally and recompute the NPS.
    v = nps_values(tiny["nps"])
    recoded = v.where(~((v == -100) & tiny["theme_wait"].fillna(False).astype(bool)), 0.0)
    assert out["points_lost"] == pytest.approx(recoded.mean() - v.mean())


def test_with_without_nps_and_welch_by_hand(tiny):
    out = theme_impact(tiny, min_n=1).iloc[0]
    # Commenters: rows 0-7 (n = 8). Mentions: rows 0, 1, 5, 6 -> scores 0, 3, 7, 2 -> NPS (0-3)/4 = -75.
    # Not mentioning: rows 2, 3, 4, 7 -> 6, 9, 10, 9 -> NPS (3-1)/4 = +50.
    assert (out["n"], out["n_mention"]) == (8, 4)
    assert out["share"] == pytest.approx(0.5)
    assert out["score_with"] == pytest.approx(-75.0) and out["score_without"] == pytest.approx(50.0)
    assert out["diff"] == pytest.approx(-125.0)
    # Second method: scipy's Welch t-test on the +100/0/-100 values.
    a, b = np.array([-100, -100, 0, -100.0]), np.array([-100, 100, 100, 100.0])
    ref = stats.ttest_ind(a, b, equal_var=False)
    ci = ref.confidence_interval(0.95)
    assert out["p_value"] == pytest.approx(ref.pvalue)
    assert (out["diff_ci_low"], out["diff_ci_high"]) == (pytest.approx(ci.low), pytest.approx(ci.high))


def test_points_lost_in_each_scores_units(tiny):
    # Mentions (theme_wait True) are rows 0, 1, 5, 6; all 10 rows are scored.
    csat = theme_impact(tiny, metric="csat", scale=(1, 5), min_n=1).iloc[0]
    # CSAT top box is 4-5: mentioners' csat 1, 2, 4, 1 -> 3 unsatisfied -> 100 x 3 / 10 = 30 points
    assert csat["points_lost"] == pytest.approx(30.0)
    assert csat["score_with"] == pytest.approx(25.0)          # 1 of 4 mentioners satisfied
    yes = tiny.assign(recommend=tiny["nps"] >= 7)
    rec = theme_impact(yes, metric="recommend", min_n=1).iloc[0]
    # recommend = nps >= 7: mentioners 0, 3, 7, 2 -> one yes (row 5: 7) -> 3 no-sayers -> 30 points
    assert rec["points_lost"] == pytest.approx(30.0) and rec["score_with"] == pytest.approx(25.0)
    rating = theme_impact(tiny.rename(columns={"csat": "rating"}), metric="rating", scale=(1, 5), min_n=1).iloc[0]
    # mean with 2.0 vs without (8 commenting: 2, 5, 5, 5 -> 4.25): gap 2.25; 4 of 10 scored mention it
    # -> the overall mean would rise by 0.4 x 2.25 = 0.9 rating points
    assert rating["points_lost"] == pytest.approx(0.4 * 2.25)
    assert rating["points_lost_ci_low"] <= 0.9 <= rating["points_lost_ci_high"]


def test_mean_score_impact_and_no_points_lost(tiny):
    out = theme_impact(tiny, metric="mean", score="csat", min_n=1).iloc[0]
    # mentions: csat 1, 2, 4, 1 -> 2.0; others: 2, 5, 5, 5 -> 4.25
    assert out["score_with"] == pytest.approx(2.0) and out["score_without"] == pytest.approx(4.25)
    assert math.isnan(out["points_lost"])


def test_holm_and_small_base(tiny):
    df = tiny.assign(theme_other=pd.array([True, False] * 4 + [NA, NA], dtype="boolean"))
    out = theme_impact(df, min_n=5).set_index("theme")
    p = out["p_value"].sort_values()
    # Holm by hand for m = 2: smallest p x 2, then max(previous, p x 1), capped at 1.
    expected = [min(1, p.iloc[0] * 2), min(1, max(p.iloc[0] * 2, p.iloc[1]))]
    assert out.loc[p.index, "p_holm"].tolist() == pytest.approx(expected)
    assert out["small_base"].all()  # 4 mentions < 5


def test_impact_errors(tiny):
    with pytest.raises(ValueError, match="theme_nope.*tag the comments first"):
        theme_impact(tiny, themes=["nope"])
    with pytest.raises(ValueError, match="'nps': expected whole-number scores on the 0–10 scale"):
        theme_impact(tiny.assign(nps=tiny["nps"].replace(0, 11)))
    with pytest.raises(ValueError, match=r"\['ltr'\] not in the data"):
        theme_impact(tiny, score="ltr")
    with pytest.raises(ValueError, match="metric='mean' needs the column"):
        theme_impact(tiny, metric="mean")


def test_nps_logic_does_not_depend_on_the_column_name(tiny):
    # The same answers under another column name give the same NPS impact (the metric is passed,
    # never inferred from the name): before, score="ltr" silently averaged the 0-10 answers (3.3).
    named = theme_impact(tiny, min_n=1).iloc[0]
    renamed = theme_impact(tiny.rename(columns={"nps": "ltr"}), score="ltr", min_n=1).iloc[0]
    for col in ("score_with", "score_without", "points_lost", "p_value"):
        assert renamed[col] == pytest.approx(named[col])
    mentions = tiny.loc[tiny["theme_wait"].fillna(False).astype(bool), "nps"]
    assert renamed["score_with"] == pytest.approx(nps_values(mentions).mean())


def test_volumes_by_hand():
    df = pd.DataFrame({"g": ["a"] * 4 + ["b"] * 3,
                       "theme_x": pd.array([True, True, False, NA, False, False, True], dtype="boolean")})
    out = theme_volumes(df, by="g", min_n=3).set_index("g")
    assert out.loc["a", "n"] == 3 and out.loc["a", "share"] == pytest.approx(2 / 3)
    assert out.loc["b", "share"] == pytest.approx(1 / 3)
    # Wilson 95% for 1 of 3, by hand: centre (1/3 + z^2/6)/(1 + z^2/3), half-width below.
    z = 1.959963984540054
    c = (1 / 3 + z * z / 6) / (1 + z * z / 3)
    h = z * math.sqrt((1 / 3) * (2 / 3) / 3 + z * z / 36) / (1 + z * z / 3)
    assert out.loc["b", "ci_low"] == pytest.approx(c - h) and out.loc["b", "ci_high"] == pytest.approx(c + h)
    assert not out["small_base"].any()


def test_shift_against_statsmodels_ztest():
    dates = ["2026-07-10"] * 40 + ["2026-08-10"] * 40 + ["2026-10-05"] * 50
    flags = [True] * 8 + [False] * 72 + [True] * 20 + [False] * 30
    df = pd.DataFrame({"responded_at": pd.to_datetime(dates), "theme_x": pd.array(flags, dtype="boolean")})
    out = theme_shift(df, month="2026-10", baseline="previous_3").iloc[0]
    assert (out["n_now"], out["n_before"]) == (50, 80)
    assert out["share_now"] == pytest.approx(0.4) and out["share_before"] == pytest.approx(0.1)
    _, p = proportions_ztest([20, 8], [50, 80])  # pooled two-proportion z-test, second implementation
    assert out["p_value"] == pytest.approx(p)


def test_sentiment_trend_by_hand():
    df = pd.DataFrame({"responded_at": pd.to_datetime(["2026-09-01"] * 4 + ["2026-10-01"] * 3),
                       "compound": [0.5, -0.5, 0.1, np.nan, -0.2, -0.4, 0.0],
                       "nps": [10, 0, 9, 8, 2, 10, 7]})
    out = sentiment_trend(df, min_n=1)
    sep, oct_ = out.iloc[0], out.iloc[1]
    assert sep["n_comments"] == 3 and sep["compound_mean"] == pytest.approx(0.1 / 3)
    assert sep["pct_negative"] == pytest.approx(1 / 3)
    # September NPS: promoters 10, 9 -> 2; detractor 0 -> 1; n 4 -> 25.
    assert sep["n_score"] == 4 and sep["score"] == pytest.approx(25.0)
    # CI half-width: t(n-1) x 100 x sqrt((p+ + p- - nps^2) / (n - 1)), the textbook NPS variance
    # (p+ + p- - (p+ - p-)^2) with the n-1 sample-variance correction.
    half = stats.t.ppf(0.975, 3) * 100 * math.sqrt((0.5 + 0.25 - 0.25 ** 2) / 3)
    assert half > 100   # 152 points: on 4 answers the t interval runs past the NPS scale ...
    assert (sep["score_ci_low"], sep["score_ci_high"]) == (-100.0, 100.0)   # ... so it is clipped to it
    oct_ci = (oct_["compound_ci_low"], oct_["compound_ci_high"])
    assert -1 <= oct_ci[0] and oct_ci[1] <= 1      # sentiment bands stay within VADER's -1..1
    assert oct_["score"] == pytest.approx(0.0)  # 1 promoter, 1 detractor, 1 passive


def test_sentiment_trend_needs_compound():
    with pytest.raises(ValueError, match=r"\['compound'\] not in the data"):
        sentiment_trend(pd.DataFrame({"nps": [1]}))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10), st.sampled_from([True, False, None])), min_size=1, max_size=40))
def test_impact_invariants(rows):
    df = pd.DataFrame({"nps": [r[0] for r in rows],
                       "theme_t": pd.array([r[1] for r in rows], dtype="boolean")})
    out = theme_impact(df, min_n=1).iloc[0]
    v = nps_values(df["nps"])
    assert 0 <= out["points_lost"] <= 100 * (v == -100).mean() + 1e-9
    for c in ("score_with", "score_without"):
        assert np.isnan(out[c]) or -100 <= out[c] <= 100
    if out["n"]:
        assert out["share_ci_low"] - 1e-12 <= out["share"] <= out["share_ci_high"] + 1e-12


# --- planted truths in the sample data ------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_tagged():
    return tag_themes(cxdata.load_responses(), "data/sample/codebook.yml")


def test_slow_support_rises_in_emea_support_in_latest_month(sample_tagged):
    # data/sample/README.md truth 3: Oct 2026 EMEA x support collapses, "slow support" comments rise.
    out = theme_shift(sample_tagged, month="2026-10", by=["region", "touchpoint"])
    top = out.iloc[0]
    assert (top["region"], top["touchpoint"], top["theme"]) == ("EMEA", "support", "slow_support")
    assert top["p_holm"] < 0.05 and top["diff_ci_low"] > 0
    # Truth 4: the APAC x billing wiggle is noise: no theme rises significantly there.
    apac = out[(out["region"] == "APAC") & (out["touchpoint"] == "billing")]
    assert (apac["p_holm"] > 0.05).all()


def test_theme_costs_follow_driver_weights(sample_tagged):
    # README truth 1: support_speed has the largest weight; its complaint theme costs the most points.
    out = theme_impact(sample_tagged)
    assert out.iloc[0]["theme"] == "slow_support"
    neg = out[out["theme"].isin(["slow_support", "unhelpful_support", "hard_to_use", "reliability"])]
    assert (neg["diff_ci_high"] < 0).all() and (neg["p_holm"] < 0.001).all()


def test_weighted_theme_impact_by_hand(tiny):
    w = pd.Series([1.0, 2.0, 1.0, 3.0, 1.0, 1.0, 2.0, 1.0, 1.0, 1.0])
    out = theme_impact(tiny.assign(w=w), weight="w", min_n=1).iloc[0]
    # Commenters rows 0-7; mentions rows 0, 1, 5, 6 (weights 1, 2, 1, 2; NPS values -100, -100, 0, -100)
    vals = nps_values(tiny["nps"])
    m = np.array([True, True, False, False, False, True, True, False])
    v, ww = vals[:8].to_numpy(), w[:8].to_numpy()
    assert out["share"] == pytest.approx(ww[m].sum() / ww.sum())                     # 6 / 12
    assert out["score_with"] == pytest.approx(np.average(v[m], weights=ww[m]))        # -500 / 6
    assert out["score_without"] == pytest.approx(np.average(v[~m], weights=ww[~m]))
    # points lost: weight of the theme's detractors (rows 0, 1, 6: 1 + 2 + 2) over all scored weight (14)
    assert out["points_lost"] == pytest.approx(100 * 5 / 14)
    # Welch on Kish's effective bases, written out
    def moments(x, k):
        ne = k.sum() ** 2 / (k ** 2).sum()
        mean = np.average(x, weights=k)
        return mean, np.average((x - mean) ** 2, weights=k) * ne / (ne - 1), ne
    (m1, v1, n1), (m2, v2, n2) = moments(v[m], ww[m]), moments(v[~m], ww[~m])
    se = np.sqrt(v1 / n1 + v2 / n2)
    df = se ** 4 / ((v1 / n1) ** 2 / (n1 - 1) + (v2 / n2) ** 2 / (n2 - 1))
    assert out["p_value"] == pytest.approx(2 * stats.t.sf(abs(m1 - m2) / se, df))
    same = theme_impact(tiny.assign(w=1.0), weight="w", min_n=1)
    pd.testing.assert_frame_equal(same, theme_impact(tiny, min_n=1))           # weights of 1 change nothing


def test_weighted_volumes_and_shift_use_kish():
    df = pd.DataFrame({"responded_at": pd.to_datetime(["2026-09-03"] * 4 + ["2026-10-02"] * 4),
                       "theme_slow": pd.array([True, False, False, False, True, True, False, False]),
                       "w": [1.0, 1.0, 1.0, 1.0, 3.0, 1.0, 1.0, 1.0]})
    v = theme_volumes(df.iloc[4:], weight="w", min_n=1).iloc[0]
    assert v["share"] == pytest.approx(4 / 6) and v["n_eff"] == pytest.approx(36 / 12)   # (Σw)² / Σw²
    s = theme_shift(df, month="2026-10", baseline="previous", weight="w", min_n=1).iloc[0]
    p1, n1, p0, n0 = 4 / 6, 3.0, 0.25, 4.0
    pooled = (p1 * n1 + p0 * n0) / (n1 + n0)
    z = (p1 - p0) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    assert s["diff"] == pytest.approx(p1 - p0) and s["p_value"] == pytest.approx(2 * stats.norm.sf(z))
