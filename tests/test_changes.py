"""Tests of cxlib.scores.changes: second methods (statsmodels tests, hand Holm), planted sample truths, bad input."""

import json
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats import proportion as smprop
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from cxlib import scores as ch
from cxlib import data as cxdata
from cxlib.errors import DataError
from cxlib.report.words import change_sentences

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sample():
    return cxdata.load_responses()


@pytest.fixture(scope="module")
def truth():
    return json.loads((ROOT / "data" / "sample" / "truth.json").read_text())


@pytest.fixture
def two_groups():
    rng = np.random.default_rng(7)
    return pd.DataFrame({
        "csat": np.r_[rng.choice([1, 2, 3, 4, 5], 300, p=[.1, .1, .2, .3, .3]),
                      rng.choice([1, 2, 3, 4, 5], 250, p=[.1, .2, .2, .3, .2])].astype(float),
        "ces": np.r_[rng.integers(1, 8, 300), rng.integers(2, 8, 250)].astype(float),
        "g": ["a"] * 300 + ["b"] * 250,
    })


def test_compare_csat_matches_statsmodels_two_proportion_wald(two_groups):
    t = ch.compare(two_groups, metric="csat", by="g", reference="b").iloc[0]
    a, b = two_groups.loc[two_groups.g == "a", "csat"], two_groups.loc[two_groups.g == "b", "csat"]
    ref = smprop.test_proportions_2indep(int(a.isin([4, 5]).sum()), len(a), int(b.isin([4, 5]).sum()), len(b),
                                  method="wald", compare="diff")   # unpooled Wald z, independent code
    assert t["diff"] == pytest.approx(100 * ref.diff)
    assert t["z"] == pytest.approx(ref.statistic)
    assert t["p_value"] == pytest.approx(ref.pvalue)
    assert t["p_adjusted"] == pytest.approx(ref.pvalue)   # one comparison: Holm changes nothing


def test_compare_ces_matches_statsmodels_ztest(two_groups):
    t = ch.compare(two_groups, metric="ces", by="g", reference="b").iloc[0]
    a, b = (DescrStatsW(two_groups.loc[two_groups.g == g, "ces"].to_numpy()) for g in "ab")
    z, p = CompareMeans(a, b).ztest_ind(usevar="unequal")
    low, high = CompareMeans(a, b).zconfint_diff(usevar="unequal")
    assert (t["z"], t["p_value"]) == pytest.approx((z, p))
    assert (t["ci_low"], t["ci_high"]) == pytest.approx((low, high))


def test_compare_vs_rest_and_hand_holm():
    # Three groups of NPS answers; each against the pooled rest. Holm by hand: sort the p-values,
    # multiply the i-th smallest by (m - i + 1), take the running maximum, cap at 1.
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"nps": rng.choice([0, 5, 7, 8, 9, 10], 900), "g": np.repeat(["x", "y", "z"], 300)})
    df.loc[df.g == "x", "nps"] = rng.choice([8, 9, 10], 300)
    t = ch.compare(df, by="g")
    assert t["reference"].eq("rest").all()
    x = t.set_index("g").loc["x"]
    rest = df[df.g != "x"]
    p_rest = ((rest.nps >= 9).mean(), (rest.nps <= 6).mean())
    assert x["baseline_value"] == pytest.approx(100 * (p_rest[0] - p_rest[1]))
    assert x["n_baseline"] == 600
    p = t["p_value"].to_numpy()
    order = np.argsort(p)
    holm = np.minimum(1, np.maximum.accumulate(p[order] * (len(p) - np.arange(len(p)))))
    expected = np.empty_like(holm)
    expected[order] = holm
    np.testing.assert_allclose(t["p_adjusted"], expected)
    assert x["significant"]


def test_period_compare_previous_and_year_ago(sample):
    prev = ch.compare(sample, month="2026-10").iloc[0]
    assert (prev["month"], prev["baseline"]) == ("2026-10", "2026-09")
    sep = cxdata.subset(sample, month="2026-09")["nps"].dropna()
    # second method: NPS of September by plain counting
    assert prev["baseline_value"] == pytest.approx(100 * ((sep >= 9).mean() - (sep <= 6).mean()))
    assert prev["n_baseline"] == len(sep)
    yoy = ch.compare(sample, month="2026-10", baseline="year_ago", by="region")
    assert set(yoy["baseline"]) == {"2025-10"} and len(yoy) == 4
    q = ch.compare(sample, month="2026-10", baseline="previous_3")
    assert q.loc[0, "baseline"] == "2026-07,2026-08,2026-09"
    assert q.loc[0, "n_baseline"] == len(cxdata.subset(sample, months=["2026-07", "2026-08", "2026-09"])["nps"].dropna())


def test_what_changed_finds_the_planted_drop_and_not_the_wiggle(sample, truth):
    t = ch.what_changed(sample, month=truth["latest_month"], by=["region", "plan", "touchpoint"],
                        journey="touchpoint")
    cols = ["dimension", "segment", "current", "previous", "diff", "ci_low", "ci_high", "p_value", "p_adjusted",
            "significant", "n_current", "n_previous"]
    assert set(cols) <= set(t.columns)
    seg = t.set_index("segment")
    drop = f"{truth['real_drop']['region']} × {truth['real_drop']['touchpoint']}"
    wiggle = f"{truth['wiggle']['region']} × {truth['wiggle']['touchpoint']}"
    assert seg.loc[drop, "significant"] and seg.loc[drop, "diff"] < -30      # README: about +10 -> -45
    assert seg.loc[drop, "p_adjusted"] < 0.001
    assert not seg.loc[wiggle, "significant"] and seg.loc[wiggle, "p_adjusted"] > 0.5
    # Holm over the whole table: adjusted p >= raw p, and monotone in the raw p
    tested = t[t["tested"]]
    assert (tested["p_adjusted"] >= tested["p_value"] - 1e-12).all()
    ordered = tested.sort_values("p_value")["p_adjusted"].to_numpy()
    assert (np.diff(ordered) >= -1e-12).all()
    text = " ".join(change_sentences(t))
    assert drop in text and wiggle not in text and "within normal month-to-month noise" in text


def test_what_changed_small_bases_are_not_tested(sample):
    t = ch.what_changed(sample, month="2026-10", min_n=60, by=["region", "plan", "touchpoint"],
                        cells=[("region", "touchpoint")])
    small = t[(t["n_current"] < 60) | (t["n_previous"] < 60)]
    assert len(small) > 0
    assert not small["tested"].any() and not small["significant"].any()
    assert small["p_adjusted"].isna().all() and small["note"].str.startswith("not tested").all()
    text = change_sentences(t)
    assert text[-1].startswith(f"{len(small)} segment(s) had too few responses")


def test_summarize_changes_when_nothing_moved():
    t = pd.DataFrame({"dimension": ["plan"], "segment": ["Pro"], "month": "2026-10", "baseline": "2026-09",
                      "current": [31.0], "previous": [30.0], "diff": [1.0], "ci_low": [-9.0], "ci_high": [11.0],
                      "p_adjusted": [0.8], "significant": [False], "tested": [True], "n_current": [200],
                      "n_previous": [210]})
    assert change_sentences(t) == [
        "No segment's NPS moved beyond normal month-to-month noise between Sep 2026 and Oct 2026 (1 comparison)."]


def test_trend_flags_empty_periods_and_matches_counting():
    df = pd.DataFrame({"responded_at": pd.to_datetime(["2026-01-03", "2026-01-20", "2026-01-21", "2026-04-02"]),
                       "nps": [10, 0, 9, np.nan], "g": ["a", "a", "b", "a"]})
    t = ch.trend(df, by="g", min_n=1)
    assert t["period"].astype(str).tolist() == ["2026-01"] * 2 + ["2026-02"] * 2 + ["2026-03"] * 2 + ["2026-04"] * 2
    jan_a = t[(t.period.astype(str) == "2026-01") & (t.g == "a")].iloc[0]
    assert jan_a["nps"] == 0 and jan_a["n"] == 2          # one promoter, one detractor
    gaps = t[t["n"] == 0]   # Feb a/b, Mar a/b, Apr b (no rows) and Apr a (its one answer is NaN)
    assert len(gaps) == 6 and gaps["nps"].isna().all() and gaps["small_base"].all()
    assert set(gaps["note"]) == {"no responses in this period", "no answers in this group"}


@pytest.mark.parametrize("engine", ["pandas", pytest.param("duckdb", marks=pytest.mark.duckdb)])
def test_trend_spans_the_dated_rows_even_unanswered(engine):
    # by construction: dated rows from Jan to Apr, NPS answered in Feb only (Jan and Apr answer nothing, one
    # row has no date): the trend runs Jan-Apr with n = 0, 2, 0, 0 (the span read from the month sums)
    df = pd.DataFrame({"responded_at": pd.to_datetime(["2026-01-03", "2026-02-01", "2026-02-27", "2026-04-30", None]),
                       "nps": [np.nan, 10, 0, np.nan, 9]})
    data = cxdata.as_table(df) if engine == "duckdb" else df
    t = ch.trend(data, min_n=1)
    assert t["period"].astype(str).tolist() == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert t["n"].tolist() == [0, 2, 0, 0] and t.loc[1, "nps"] == 0


def test_bad_input(sample):
    with pytest.raises(DataError, match=r"no responses in 2027-01.*2023-11-01 to 2026-10-31"):
        ch.compare(sample, month="2027-01")
    with pytest.raises(ValueError, match="YYYY-MM"):
        ch.what_changed(sample, month="October", by=["region"])
    with pytest.raises(DataError, match=r"\['segment'\] not in the data"):
        ch.compare(sample.head(50), by="segment")
    with pytest.raises(DataError, match="reference 'Mars'"):
        ch.compare(sample, by="region", reference="Mars")
    with pytest.raises(ValueError, match="baseline must be"):
        ch.compare(sample, month="2026-10", baseline="last_quarter")
    with pytest.raises(DataError, match="'when'"):
        ch.trend(sample, date_col="when")
    with pytest.raises(ValueError, match="by=.*month="):
        ch.compare(sample)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=30, max_size=80), st.lists(st.integers(0, 10), min_size=30, max_size=80))
def test_compare_properties(a, b):
    df = pd.DataFrame({"nps": a + b, "g": ["a"] * len(a) + ["b"] * len(b)})
    t = ch.compare(df, by="g", reference="b").iloc[0]
    assert t["diff"] == pytest.approx(t["value"] - t["baseline_value"])
    if t["tested"]:
        assert t["ci_low"] <= t["diff"] <= t["ci_high"] and 0 <= t["p_value"] <= t["p_adjusted"] <= 1
    else:
        assert not t["significant"]


def test_score_plots(sample):
    import matplotlib.pyplot as plt

    from cxlib.plots import scores as sp
    tr = ch.trend(sample, by="region")
    ax = sp.plot_trend(tr, hue="region")
    assert len(ax.lines) == 4 and len(ax.collections) >= 4     # a line and a CI band per region
    wc = ch.what_changed(sample, month="2026-10", by=["region", "plan"])
    ax = sp.plot_changes(wc)
    assert "Sep 2026 → Oct 2026" in ax.get_title()
    assert len(ax.get_yticklabels()) == len(wc)
    ax = sp.plot_distribution(ch.nps(sample, by="touchpoint"), y="touchpoint")
    assert len(ax.patches) == 12                                # 4 touchpoints × 3 categories
    plt.close("all")


def test_weighted_month_comparison_by_hand():
    # September: 10 promoters (w 1) and 10 detractors (w 3); October: 20 promoters, 20 passives (w 1).
    df = pd.DataFrame({"responded_at": pd.to_datetime(["2026-09-10"] * 20 + ["2026-10-10"] * 40),
                       "nps": [10.0] * 10 + [0.0] * 10 + [9.0] * 20 + [7.0] * 20,
                       "w": [1.0] * 10 + [3.0] * 10 + [1.0] * 40})
    t = ch.compare(df, month="2026-10", weight="w", min_n=10, variance="kish").iloc[0]
    # weighted September NPS: (10 − 30) / 40 = −50; Kish n_eff = 40² / (10 + 90) = 16
    # var = p + d − (p − d)² = 0.25 + 0.75 − 0.25 = 0.75; se = 100·√(0.75/16) = 21.65
    # October: NPS +50, var 0.5 − 0.25 = 0.25, n 40: se = 100·√(0.25/40) = 7.906
    assert t["baseline_value"] == pytest.approx(-50.0) and t["n_eff_baseline"] == pytest.approx(16.0)
    assert t["diff"] == pytest.approx(100.0)
    assert t["se"] == pytest.approx(np.hypot(100 * np.sqrt(0.75 / 16), 100 * np.sqrt(0.25 / 40)))
    changed = ch.what_changed(df.assign(g="x"), month="2026-10", by=["g"], weight="w", min_n=10,
                              variance="kish").iloc[0]
    assert changed["previous"] == pytest.approx(-50.0) and changed["se"] == pytest.approx(t["se"])
    # Linearised (the default with weights), by hand: September ȳ = −0.5; Σw²(y − ȳ)² = 10·1·1.5² + 10·9·0.5²
    # = 45; var = 20/19 · 45 / 40² = 0.0296053; implied base 0.75 / var = 25.33. October (w = 1):
    # Σ(y − ȳ)² = 40·0.25 = 10; var = 40/39 · 10 / 40² = 0.00641026.
    lin = ch.compare(df, month="2026-10", weight="w", min_n=10).iloc[0]
    sep, octo = 20 / 19 * 45 / 1600, 40 / 39 * 10 / 1600
    assert lin["n_eff_baseline"] == pytest.approx(0.75 / sep)
    assert lin["se"] == pytest.approx(100 * np.sqrt(sep + octo))
    lin_changed = ch.what_changed(df.assign(g="x"), month="2026-10", by=["g"], weight="w", min_n=10).iloc[0]
    assert lin_changed["se"] == pytest.approx(lin["se"])


@pytest.mark.duckdb
@pytest.mark.parametrize("combined", [True, False])
def test_what_changed_on_a_table_sums_every_segment_in_one_query(sample, monkeypatch, combined):
    # with missing segment values and weights: every segment's comparison from one GROUP BY over all the
    # segment columns (or, past the group cap, one query a segment) equals the DataFrame's, a part at a time
    from cxlib.data import as_table
    from cxlib.scores import _window, changes

    rng = np.random.default_rng(5)
    df = sample.assign(w=rng.uniform(0.5, 2.0, len(sample)))
    df.loc[rng.choice(len(df), 300, replace=False), "region"] = None
    df.loc[rng.choice(len(df), 200, replace=False), "touchpoint"] = None
    if not combined:
        monkeypatch.setattr(_window, "_COMBINED_GROUPS", 10)
    args = dict(month="2026-10", by=["region", "touchpoint", "plan"], journey="touchpoint", baseline="previous_3",
                weight="w")
    table = as_table(df)
    sums = []
    real = changes.metric_sums
    for mod in (_window, changes):
        monkeypatch.setattr(mod, "metric_sums", lambda *a, **k: sums.append(k.get("sums") is None) or real(*a, **k))
    got = ch.what_changed(table, **args)
    assert sum(sums) == (1 if combined else 4)      # summing queries: one, or one a part
    for mod in (_window, changes):
        monkeypatch.setattr(mod, "metric_sums", real)
    want = ch.what_changed(df, **args)
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12)
    # the October responses of EMEA with an NPS answer and a weight, counted by hand
    oct_emea = df[(df["responded_at"].dt.strftime("%Y-%m") == "2026-10") & (df["region"] == "EMEA") & df["nps"].notna()]
    assert got.set_index("segment").loc["EMEA", "n_current"] == len(oct_emea)


@pytest.mark.duckdb
def test_one_query_for_every_segment_is_planned_from_the_scales_points():
    # two segment columns of 40 values over 4 months (October and its 3 baseline months): NPS's 12 answer
    # groups (11 points or missing) make 4 x 12 x 41 x 41 = 80,688 groups <= 200,000, one query; a 0-100
    # rating's 102 make 685,848, so each segment gets its own query (the plan assumed 12 for every scale)
    from cxlib.scores._window import _COMBINED_GROUPS, _combined_sums

    rng = np.random.default_rng(3)
    n = 4000
    df = pd.DataFrame({"responded_at": pd.Timestamp("2026-07-01") + pd.to_timedelta(rng.integers(0, 122, n), unit="D"),
                       "nps": rng.integers(0, 11, n).astype(float), "rating": rng.integers(0, 101, n).astype(float),
                       "a": [f"a{i % 40}" for i in range(n)], "b": [f"b{(i // 40) % 40}" for i in range(n)]})
    t = cxdata.as_table(df)
    assert _COMBINED_GROUPS == 200_000
    args = {"month": "2026-10", "baseline": "previous_3", "date_col": "responded_at"}
    assert _combined_sums(t, [["a"], ["b"]], metric="nps", kw={}, **args) is not None
    assert _combined_sums(t, [["a"], ["b"]], metric="rating", kw={"scale": (0, 100)}, **args) is None
