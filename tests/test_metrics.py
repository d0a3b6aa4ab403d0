"""Tests of cxlib.metrics: published values, hand arithmetic, brute force, second methods, bad input."""

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from cxlib import scores as m
from cxlib.data import Scale
from cxlib.errors import DataError

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-data" / "Mobiles_feedback_4_weeks.sav"
Z95 = 1.959963984540054   # standard normal 97.5% quantile (published tables: 1.95996)


@pytest.fixture(scope="module")
def mobiles():
    if not REAL.exists():
        pytest.skip("../shared/real-data is absent: the real SPSS survey Mobiles_feedback_4_weeks.sav "
                    "is needed for the published NPS check")
    pyreadstat = pytest.importorskip("pyreadstat")
    df, _ = pyreadstat.read_sav(str(REAL))
    return df


def test_real_survey_nps_matches_published_value(mobiles):
    # Issue 3: Q8 likelihood to recommend, n = 895, NPS 34.2 with 95% Wald CI [29.3, 39.1].
    t = m.nps(mobiles, score="Q8", ci_method="wald")
    assert t.loc[0, "n"] == 895
    assert round(t.loc[0, "nps"], 1) == 34.2
    assert round(t.loc[0, "ci_low"], 1) == 29.3 and round(t.loc[0, "ci_high"], 1) == 39.1
    assert not t.loc[0, "small_base"]


def test_real_survey_csat_on_its_labelled_scale(mobiles):
    # Q11_1 (network coverage, 1 "Very dissatisfied" .. 5 "Very satisfied"): top-2-box share computed
    # by a second method (plain counting), Wilson CI from scipy's independent implementation.
    col = mobiles["Q11_1"].dropna()
    k, n = int(col.isin([4, 5]).sum()), len(col)
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    t = m.csat(mobiles, score="Q11_1", scale=(1, 5))
    assert t.loc[0, "n"] == n and t.loc[0, "top_box"] == k
    assert t.loc[0, "csat"] == pytest.approx(100 * k / n)
    assert t.loc[0, "ci_low"] == pytest.approx(100 * ci.low) and t.loc[0, "ci_high"] == pytest.approx(100 * ci.high)


def test_nps_hand_computed():
    # Scores 10,10,10,9,7,2: P = 4, D = 1, n = 6 -> NPS = 100 (4 - 1)/6 = 50.
    # var = (p + d - (p - d)^2)/n = (5/6 - 1/4)/6 = 0.0972222 -> se = 31.1805 points;
    # 95% Wald CI = 50 -/+ 1.959964 * 31.1805 = [-11.1124, 111.11] -> upper clipped to 100.
    t = m.nps(pd.DataFrame({"nps": [10, 10, 10, 9, 7, 2]}), ci_method="wald", min_n=1)
    row = t.iloc[0]
    assert (row["promoters"], row["passives"], row["detractors"]) == (4, 1, 1)
    assert row["nps"] == pytest.approx(50.0)
    assert row["se"] == pytest.approx(31.1805, abs=1e-4)
    assert row["ci_low"] == pytest.approx(-11.1124, abs=1e-3)
    assert row["ci_high"] == 100.0
    assert row["pct_promoters"] + row["pct_passives"] + row["pct_detractors"] == pytest.approx(100)


def test_nps_adjusted_wald_hand_computed():
    # Rocks (2016) adjusted Wald on P = 4, D = 1, n = 6: p' = 4.75/9 = 0.527778, d' = 1.75/9 = 0.194444,
    # n' = 9; centre = 33.3333; var = (0.722222 - 0.111111)/9 = 0.0679012 -> se' = 0.260579;
    # CI = 33.3333 -/+ 1.959964 * 26.0579 = [-17.7394, 84.4061]. The point estimate stays 50.
    t = m.nps(pd.DataFrame({"nps": [10, 10, 10, 9, 7, 2]}), min_n=1)       # the default method
    assert t.loc[0, "nps"] == pytest.approx(50.0)
    assert t.loc[0, "ci_low"] == pytest.approx(-17.7394, abs=1e-3)
    assert t.loc[0, "ci_high"] == pytest.approx(84.4061, abs=1e-3)


def test_nps_points_by_hand():
    # NPS definition (Reichheld 2003): 0-6 detractor (-100), 7-8 passive (0), 9-10 promoter (+100);
    # an unanswered question stays NaN and the index is kept.
    s = pd.Series([0, 6, 7, 8, 9, 10, np.nan], index=list("abcdefg"))
    pts = m.nps_points(s)
    assert pts.index.tolist() == list("abcdefg")
    assert pts.iloc[:6].tolist() == [-100.0, -100.0, 0.0, 0.0, 100.0, 100.0] and np.isnan(pts["g"])
    # Their mean is the NPS: 10, 10, 10, 9, 7, 2 -> (4 promoters - 1 detractor) / 6 * 100 = 50 (hand, as above).
    assert m.nps_points(np.array([10, 10, 10, 9, 7, 2])).mean() == pytest.approx(50.0)


@pytest.mark.parametrize("probs,n", [((0.5, 0.3, 0.2), 3), ((0.2, 0.1, 0.7), 4), ((0.6, 0.0, 0.4), 5)])
def test_trinomial_variance_against_brute_force(probs, n):
    # Enumerate all 3^n samples (promoter, passive, detractor) with their probabilities and compute the
    # exact variance of (P - D)/n; it must equal (p + d - (p - d)^2)/n, the formula behind nps()'s se.
    p, q, d = probs
    values, weights = [], []
    for draw in itertools.product((1, 0, -1), repeat=n):
        prob = np.prod([{1: p, 0: q, -1: d}[x] for x in draw])
        values.append(np.mean(draw))
        weights.append(prob)
    values, weights = np.array(values), np.array(weights)
    exact = np.sum(weights * values ** 2) - np.sum(weights * values) ** 2
    # nps() evaluated at a sample whose shares equal the true probabilities gives se^2 = formula / n
    scores = [10] * int(p * 100) + [8] * int(q * 100) + [0] * int(d * 100)
    se = m.nps(pd.DataFrame({"nps": scores}))["se"].iloc[0] / 100
    assert exact == pytest.approx(se ** 2 * len(scores) / n, rel=1e-9)


def test_weights_kish_and_replication():
    # Kish effective n for weights 1, 1, 2, 4: (sum w)^2 / sum w^2 = 64 / 22 = 2.909091.
    df = pd.DataFrame({"nps": [10, 0, 9, 7], "w": [1.0, 1.0, 2.0, 4.0]})
    t = m.nps(df, weight="w", min_n=1, variance="kish")
    assert t.loc[0, "n"] == 4 and t.loc[0, "n_eff"] == pytest.approx(64 / 22)
    # Weighted shares equal the shares of the rows replicated w times: P = 1 + 2 = 3, D = 1 of 8.
    rep = df.loc[df.index.repeat(df["w"].astype(int))]
    plain = m.nps(rep, min_n=1)
    assert t.loc[0, "nps"] == pytest.approx(plain.loc[0, "nps"]) == pytest.approx(100 * (3 - 1) / 8)
    # se uses n_eff: sqrt((3/8 + 1/8 - (2/8)^2) / (64/22)) * 100 = 38.6221
    assert t.loc[0, "se"] == pytest.approx(100 * np.sqrt((0.5 - 0.0625) / (64 / 22)))


def test_weighted_nps_linearized_by_hand():
    # Same data, Taylor linearisation of the ratio Σw·y / Σw with y = +1, −1, +1, 0, by hand:
    # ȳ = 2/8 = 0.25; Σ w²(y − ȳ)² = 1·0.5625 + 1·1.5625 + 4·0.5625 + 16·0.0625 = 5.375;
    # var = n/(n−1) · 5.375 / 8² = 4/3 · 5.375 / 64 = 0.111979; σ² = 4/8 − 0.0625 = 0.4375;
    # implied base σ²/var = 3.906977 (R survey: svymean(~y, svydesign(ids=~1, weights=~w)) gives se 0.334633).
    df = pd.DataFrame({"nps": [10, 0, 9, 7], "w": [1.0, 1.0, 2.0, 4.0]})
    t = m.nps(df, weight="w", min_n=1)                      # linearised is the default with weights
    var = 4 / 3 * 5.375 / 64
    assert t.loc[0, "se"] == pytest.approx(100 * np.sqrt(var))
    assert t.loc[0, "n_eff"] == pytest.approx(0.4375 / var)
    assert t.loc[0, "nps"] == pytest.approx(25.0)


def test_csat_wilson_and_scale_direction():
    # 3 of 5 in the top 2 boxes of 1-5: Wilson 95% CI by its textbook formula
    # (p + z²/2n -/+ z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n) = [0.2307, 0.8824].
    df = pd.DataFrame({"csat": [5, 4, 4, 2, 1]})
    p, n, z = 0.6, 5, Z95
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    t = m.csat(df, scale=Scale(1, 5), min_n=1)
    assert t.loc[0, "csat"] == pytest.approx(60.0) and t.loc[0, "mean"] == pytest.approx(3.2)
    assert t.loc[0, "ci_low"] == pytest.approx(100 * (centre - half))
    assert t.loc[0, "ci_high"] == pytest.approx(100 * (centre + half))
    # Reversed scale (1 = best): the top 2 boxes are 1 and 2 -> 2 of 5 satisfied.
    rev = m.csat(df, scale=(1, 5, False), min_n=1)
    assert rev.loc[0, "top_box"] == 2 and rev.loc[0, "csat"] == pytest.approx(40.0)


def test_ces_t_interval_matches_scipy():
    x = np.array([7, 6, 5, 3, 4, 6, 7, 2, 5, 5], dtype=float)
    ref = stats.ttest_1samp(x, 0).confidence_interval(0.95)   # independent t interval
    t = m.ces(pd.DataFrame({"ces": x}), scale=(1, 7), min_n=1)
    assert t.loc[0, "ces"] == pytest.approx(x.mean())
    assert t.loc[0, "sd"] == pytest.approx(x.std(ddof=1))
    assert (t.loc[0, "ci_low"], t.loc[0, "ci_high"]) == pytest.approx((ref.low, ref.high))
    # low effort = top 3 boxes (5, 6, 7) when higher = easier: 7 of 10
    assert t.loc[0, "low_effort"] == 7 and t.loc[0, "pct_low_effort"] == pytest.approx(70)
    # on a scale where 1 = least effort the low-effort boxes are 1..3: 3 and 2 -> 2 of 10
    assert m.ces(pd.DataFrame({"ces": x}), scale=(1, 7, False), min_n=1).loc[0, "low_effort"] == 2


def test_groups_small_bases_and_suppression():
    df = pd.DataFrame({"nps": [10.0] * 40 + [0.0] * 5 + [np.nan] * 3,
                       "g": ["big"] * 40 + ["small"] * 5 + ["empty"] * 3})
    t = m.nps(df, by="g").set_index("g")
    assert list(t.index) == ["big", "empty", "small"]
    assert not t.loc["big", "small_base"] and t.loc["small", "small_base"]
    assert t.loc["small", "nps"] == -100 and "small base" in t.loc["small", "note"]
    # all-missing group: kept, flagged, no score passed off as one
    assert t.loc["empty", "n"] == 0 and t.loc["empty", "small_base"]
    assert np.isnan(t.loc["empty", "nps"]) and t.loc["empty", "note"] == "no answers in this group"
    s = m.nps(df, by="g", suppress=True).set_index("g")
    assert np.isnan(s.loc["small", "nps"]) and np.isnan(s.loc["small", "ci_low"])
    assert "suppressed" in s.loc["small", "note"] and s.loc["small", "n"] == 5
    assert s.loc["big", "nps"] == 100


def test_multiple_by_columns_and_missing_group_values():
    df = pd.DataFrame({"csat": [5, 4, 1, 2, 5], "a": ["x", "x", "y", "y", None], "b": ["u", "v", "u", "u", "u"]})
    t = m.csat(df, by=["a", "b"], min_n=1)
    assert t[["a", "b", "n"]].values.tolist() == [["x", "u", 1], ["x", "v", 1], ["y", "u", 2]]


def test_bad_input_messages():
    df = pd.DataFrame({"nps": [10, 11, 3, -1], "csat": [1, 2, 3, 9], "region": list("abcd")})
    with pytest.raises(DataError, match=r"'nps'.*0–10.*2 row\(s\).*11"):
        m.nps(df)
    with pytest.raises(DataError, match=r"'csat'.*1–5.*9"):
        m.csat(df, scale=(1, 5))
    with pytest.raises(DataError, match=r"\['segment'\] not in the data"):
        m.nps(df.iloc[[0, 2]], by="segment")
    with pytest.raises(DataError, match="whole-number"):
        m.nps(pd.DataFrame({"nps": [9.5]}))
    with pytest.raises(DataError, match="found text"):
        m.ces(pd.DataFrame({"ces": ["5", "easy"]}))
    with pytest.raises(DataError, match="'w'.*weights"):
        m.nps(pd.DataFrame({"nps": [9, 3], "w": [1.0, -2.0]}), weight="w")
    with pytest.raises(DataError, match="empty"):
        m.nps(pd.DataFrame({"nps": pd.Series([], dtype=float)}))
    with pytest.raises(ValueError, match="The .ci_method. parameter of nps must be one of"):
        m.nps(df.iloc[[0]], ci_method="exact")
    with pytest.raises(ValueError, match="The .metric. parameter of score_table must be one of"):
        m.score_table(df, metric="ces2")


def test_all_missing_scores_are_flagged_not_scored():
    t = m.ces(pd.DataFrame({"ces": [np.nan, np.nan]}))
    assert t.loc[0, "n"] == 0 and np.isnan(t.loc[0, "ces"]) and t.loc[0, "small_base"]
    assert t.loc[0, "note"] == "no answers in this group"


def test_input_not_mutated():
    df = pd.DataFrame({"nps": [10, 3, 8], "g": ["a", "b", "a"]})
    before = df.copy()
    m.nps(df, by="g")
    pd.testing.assert_frame_equal(df, before)


scores = st.lists(st.integers(0, 10), min_size=1, max_size=60)


@settings(max_examples=40, deadline=None)
@given(scores)
def test_nps_properties(xs):
    t = m.nps(pd.DataFrame({"nps": xs}), min_n=1).iloc[0]
    assert -100 <= t["nps"] <= 100
    assert t["ci_low"] <= t["nps"] + 1e-9 and t["nps"] <= t["ci_high"] + 1e-9
    assert t["pct_promoters"] + t["pct_passives"] + t["pct_detractors"] == pytest.approx(100)
    assert t["promoters"] + t["passives"] + t["detractors"] == len(xs)
    # weights of 1 change nothing (Kish); linearised, the variance gains the with-replacement n/(n − 1)
    w = m.nps(pd.DataFrame({"nps": xs, "w": 1.0}), weight="w", min_n=1, variance="kish").iloc[0]
    assert w[["nps", "se", "ci_low", "ci_high", "n_eff"]].tolist() == pytest.approx(
        t[["nps", "se", "ci_low", "ci_high", "n_eff"]].tolist(), nan_ok=True)
    lin = m.nps(pd.DataFrame({"nps": xs, "w": 1.0}), weight="w", min_n=1).iloc[0]
    n = len(xs)
    assert lin["se"] == pytest.approx(t["se"] * (np.sqrt(n / (n - 1)) if n > 1 and t["se"] > 0 else 1.0))
    adj = m.nps(pd.DataFrame({"nps": xs}), ci_method="adjusted_wald", min_n=1).iloc[0]
    assert -100 <= adj["ci_low"] <= adj["ci_high"] <= 100


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 7), min_size=2, max_size=60))
def test_csat_ces_properties(xs):
    df = pd.DataFrame({"x": xs})
    c = m.csat(df, score="x", scale=(1, 7), min_n=1).iloc[0]
    assert 0 <= c["ci_low"] <= c["csat"] <= c["ci_high"] <= 100
    e = m.ces(df, score="x", scale=(1, 7), min_n=1).iloc[0]
    assert 1 <= e["ces"] <= 7
    if e["sd"] > 0:
        assert e["ci_low"] < e["ces"] < e["ci_high"]


def test_nps_refuses_other_scales():
    with pytest.raises(ValueError, match="0–10"):
        m.nps(pd.DataFrame({"nps": [3, 4]}), scale=(1, 5))


def test_one_answer_or_identical_answers_do_not_collapse_the_nps_interval():
    # Wald on 30 promoters: p = 1, d = 0 -> variance 0 -> "+100 (95% CI +100 to +100)".
    # Adjusted Wald (Rocks 2016): p' = 30.75/33 = 0.931818, d' = 0.75/33 = 0.022727, n' = 33;
    # centre 90.9091, se' = sqrt((0.954545 - 0.826446) / 33) = 0.062304 -> 90.9091 - 1.959964 x 6.2304 = 78.698.
    t = m.nps(pd.DataFrame({"nps": [10] * 30}), min_n=30).iloc[0]
    assert t["nps"] == 100 and t["ci_low"] == pytest.approx(78.698, abs=1e-3) and t["ci_high"] == 100
    assert t["note"] == "all 30 answers in one category" and not t["small_base"]
    # One promoter: p' = 1.75/4, d' = 0.75/4, n' = 4: centre 25, half 1.96 x 100 x sqrt((0.625 - 0.0625) / 4)
    # = 73.50 -> (-48.5, 98.5), widened to include the score itself: (-48.5, 100); flagged as a small base.
    one = m.nps(pd.DataFrame({"nps": [10]})).iloc[0]
    assert one["ci_low"] == pytest.approx(-48.50, abs=1e-2) and one["ci_high"] == 100 and one["small_base"]
    assert m.nps(pd.DataFrame({"nps": [10] * 30}), ci_method="wald")["ci_low"].iloc[0] == 100   # the old collapse
