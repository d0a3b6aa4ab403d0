"""Tests of cxlib.tables.crosstab: letters and tests against hand computations, a real survey, weights."""

from __future__ import annotations

import math
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest

from cxlib import data as cxdata
from cxlib.errors import DataError, ParameterError
from cxlib.tables import crosstab, span_letters

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "real-data"


def p_two_sided(z):
    """Normal two-sided p-value, written with erfc (Abramowitz & Stegun 7.1.2)."""
    return math.erfc(abs(z) / math.sqrt(2))


def holm(p):
    """Holm (1979) step-down by hand: sort, multiply by m − rank, running maximum, cap at 1."""
    order = np.argsort(p)
    adj = np.empty(len(p))
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, (len(p) - rank) * p[i])
        adj[i] = min(1.0, running)
    return adj


@pytest.fixture
def paper():
    # Worked on paper. Column a: 24 promoters, 8 passives, 8 detractors (n = 40): NPS = 60 − 20 = +40,
    # variance (p + d − (p − d)²) = 0.8 − 0.16 = 0.64, se = 100·√(0.64/40) = 12.649.
    # Column b: 10, 10, 20: NPS = 25 − 50 = −25, variance 0.75 − 0.0625 = 0.6875, se = 13.110.
    # diff = 65, se = √(160 + 171.875) = 18.217, z = 3.568, p = 0.00036: a beats b at 0.01 -> "B".
    a = [10] * 12 + [9] * 12 + [8] * 8 + [3] * 8
    b = [9] * 10 + [7] * 10 + [0] * 20
    return pd.DataFrame({"nps": a + b, "g": ["a"] * 40 + ["b"] * 40,
                         "csat": [5] * 20 + [4] * 10 + [2] * 10 + [5] * 12 + [3] * 28})


def test_two_columns_worked_on_paper(paper):
    xt = crosstab(paper, rows=["nps", ("nps", "pct_promoters")], banner="g")
    nps = xt[(xt["row"] == "NPS") & (xt["banner"] == "g")].set_index("column")
    assert nps.loc["a", "value"] == pytest.approx(40.0) and nps.loc["b", "value"] == pytest.approx(-25.0)
    assert nps.loc["a", "se"] == pytest.approx(12.649, abs=1e-3) and nps.loc["b", "se"] == pytest.approx(13.110, abs=1e-3)
    z = 65 / math.sqrt(12.649111 ** 2 + 13.110111 ** 2)
    assert z == pytest.approx(3.568, abs=1e-3) and p_two_sided(z) < 0.01
    assert (nps.loc["a", "higher_than"], nps.loc["b", "higher_than"]) == ("B", "")
    assert (nps.loc["a", "letter"], nps.loc["b", "letter"], nps.loc["a", "test"]) == ("A", "B", "z_nps")
    # % promoters: 60% vs 25%; pooled p = 34/80 = 0.425, se = √(0.425·0.575·(1/40 + 1/40)) = 0.11054,
    # z = 0.35 / 0.11054 = 3.166, p = 0.0015 (< 0.01: uppercase)
    prom = xt[(xt["row"] == "NPS % promoters") & (xt["banner"] == "g")].set_index("column")
    assert prom.loc["a", "value"] == pytest.approx(60.0) and prom.loc["a", "higher_than"] == "B"
    zstat, p = proportions_ztest([24, 10], [40, 40])        # second library: statsmodels, pooled
    assert zstat == pytest.approx(0.35 / math.sqrt(0.425 * 0.575 * 0.05)) and p < 0.01


def test_levels_give_upper_and_lower_case(paper):
    # % top-2 CSAT: a 30/40 = 75%, b 12/40 = 30%: z = 0.45/√(0.525·0.475·0.05) = 4.03 (p < 0.01: "B");
    # with letters=(0.10, 0.000001) the same difference is only significant at 0.10: "b".
    xt = crosstab(paper, rows="csat", banner="g", letters=(0.10, 0.000001))
    a = xt[(xt["banner"] == "g") & (xt["column"] == "a")].iloc[0]
    assert a["value"] == pytest.approx(75.0)
    assert (a["higher_than"], a["higher_than_loose"], a["higher_than_strict"]) == ("b", "B", "")


def test_means_use_welch_like_scipy(paper):
    xt = crosstab(paper, rows=[("csat", "mean")], banner="g", letters=0.05)
    a = paper.loc[paper["g"] == "a", "csat"]
    b = paper.loc[paper["g"] == "b", "csat"]
    ref = stats.ttest_ind(a, b, equal_var=False)              # second method: scipy's Welch test
    cell = xt[(xt["column"] == "a")].iloc[0]
    assert cell["value"] == pytest.approx(a.mean()) and cell["se"] == pytest.approx(a.std(ddof=1) / math.sqrt(40))
    assert cell["test"] == "t_welch"
    assert (cell["higher_than"] == "B") == (ref.pvalue < 0.05 and a.mean() > b.mean())


def test_column_percentages_and_complement_by_hand():
    df = pd.DataFrame({"channel": ["web"] * 30 + ["app"] * 20 + ["web"] * 10 + ["app"] * 40 + ["web"] * 25 + ["app"] * 25,
                       "g": ["x"] * 50 + ["y"] * 50 + ["z"] * 50})
    xt = crosstab(df, rows="channel", banner="g", test="complement", adjust="none")
    web = xt[(xt["row"] == "web") & (xt["banner"] == "g")].set_index("column")
    # column percentages: web is 30/50, 10/50, 25/50 of each column
    assert web["value"].tolist() == pytest.approx([60.0, 20.0, 50.0])
    assert web["n"].tolist() == [50, 50, 50]
    total = xt[(xt["row"] == "web") & (xt["banner"] == "Total")].iloc[0]
    assert total["value"] == pytest.approx(100 * 65 / 150)
    # x against the rest of its span (y + z): 30/50 vs 35/100; pooled 65/150
    pooled = 65 / 150
    z = (0.6 - 0.35) / math.sqrt(pooled * (1 - pooled) * (1 / 50 + 1 / 100))
    assert web.loc["x", "p_value"] == pytest.approx(p_two_sided(z))
    assert web.loc["x", "direction"] == "up" and web.loc["y", "direction"] == "down"
    assert set(xt.loc[xt["banner"] == "g"].groupby("column")["value"].sum().round(9)) == {100.0}


def test_small_bases_are_flagged_and_not_tested(paper):
    tiny = pd.concat([paper, pd.DataFrame({"nps": [0.0] * 5, "g": ["c"] * 5, "csat": [1] * 5})], ignore_index=True)
    xt = crosstab(tiny, rows="nps", banner="g", min_n=30)
    c = xt[xt["column"] == "c"].iloc[0]
    assert bool(c["small_base"]) and not bool(c["tested"]) and c["higher_than"] == ""
    a = xt[xt["column"] == "a"].iloc[0]
    assert a["higher_than"] == "B"      # a beats b; c (all detractors) is not tested, so no "C"


@pytest.fixture(scope="module")
def mobiles():
    if not (REAL / "Mobiles_feedback_4_weeks.sav").exists():
        pytest.skip(f"{REAL} is absent: the mobile survey (Mobiles_feedback_4_weeks.sav) is needed for the "
                    f"NPS-by-carrier check")
    return cxdata.load_responses(ROOT / "examples" / "mobiles.yml")


@pytest.mark.parametrize("adjust", ["none", "holm"])
def test_real_survey_nps_by_carrier_letters_by_hand(mobiles, adjust):
    xt = crosstab(mobiles, rows="nps", banner="carrier", min_n=30, adjust=adjust)
    cells = xt[xt["banner"] == "carrier"].set_index("column")
    # by hand: each carrier's promoters, detractors and n; z on the trinomial variance, unpooled
    hand = {}
    for carrier, g in mobiles.dropna(subset=["carrier"]).groupby("carrier"):
        x = g["nps"].dropna()
        p, d, n = (x >= 9).mean(), (x <= 6).mean(), len(x)
        hand[carrier] = (100 * (p - d), 100 * math.sqrt((p + d - (p - d) ** 2) / n), n)
    assert cells.loc["AT&T", "n"] == 211 and cells.loc["Verizon", "n"] == 203
    for c, (v, se, n) in hand.items():
        assert cells.loc[c, "value"] == pytest.approx(v) and cells.loc[c, "se"] == pytest.approx(se)
    big = sorted(c for c, (_, _, n) in hand.items() if n >= 30)
    assert sorted(cells.index[cells["tested"]]) == big
    pairs = list(combinations(big, 2))
    p = np.array([p_two_sided((hand[a][0] - hand[b][0]) / math.hypot(hand[a][1], hand[b][1])) for a, b in pairs])
    p = holm(p) if adjust == "holm" else p
    expected = {c: set() for c in cells.index}
    for (a, b), q in zip(pairs, p):
        if q < 0.05:
            expected[a if hand[a][0] > hand[b][0] else b].add(cells.loc[b if hand[a][0] > hand[b][0] else a, "letter"])
    got = {c: set(cells.loc[c, "higher_than_loose"]) for c in cells.index}
    assert got == expected
    assert any(expected.values())   # the survey does separate some carriers


@pytest.mark.parametrize("variance", ["kish", "linearized"])
def test_real_bank_survey_weighted_by_hand(variance):
    sav = REAL / "bank_tidied.sav"
    if not sav.exists():
        pytest.skip(f"{REAL} is absent: the bank survey (bank_tidied.sav, with its weight column) is needed")
    cfg = cxdata.load_config({"responses": {"path": str(sav), "columns": {"csat": "Overall", "weight": "weight"},
                                            "drivers": {"branch": "Branch", "fees": "Fees"},
                                            "scales": {"csat": {"min": 1, "max": 7}}}})
    bank = cxdata.load_responses(cfg).dropna(subset=["weight"])      # the file has no dates: no month cut
    bank = bank.assign(visits=np.where(bank["branch"].notna(), "branch", "no branch"),
                       fees_band=np.where(bank["fees"] >= 4, "fees 4-7", "fees 1-3"))
    xt = crosstab(bank, rows=[("csat", "mean"), ("csat", "top_box")], banner=["visits", "fees_band"],
                  weight="weight", scales={"csat": (1, 7)}, top_k=3, letters=0.05, variance=variance)
    significant = 0
    for span in ("visits", "fees_band"):
        hand = {}
        for g, part in bank.dropna(subset=["csat"]).groupby(span):
            x, w = part["csat"].to_numpy(), part["weight"].to_numpy()
            ne = w.sum() ** 2 / (w ** 2).sum()                                  # Kish
            m = np.average(x, weights=w)
            var = np.average((x - m) ** 2, weights=w) * ne / (ne - 1)
            t = np.average(x >= 5, weights=w)                                   # top 3 of 1-7: 5, 6, 7
            nt = ne
            if variance == "linearized":   # Taylor: n/(n−1) Σw²(y − ȳ)² / (Σw)², base = σ² / var
                lin = len(x) / (len(x) - 1) / w.sum() ** 2
                ne = var / (lin * np.sum(w ** 2 * (x - m) ** 2))
                nt = t * (1 - t) / (lin * np.sum(w ** 2 * ((x >= 5) - t) ** 2))
            hand[g] = (m, var, ne, t, len(x), nt)
        mean = xt[(xt["metric"] == "mean") & (xt["banner"] == span)].set_index("column")
        top = xt[(xt["metric"] == "top_box") & (xt["banner"] == span)].set_index("column")
        for g, (m, var, ne, t, n, nt) in hand.items():
            assert mean.loc[g, "value"] == pytest.approx(m) and mean.loc[g, "n_eff"] == pytest.approx(ne)
            assert top.loc[g, "n_eff"] == pytest.approx(nt)
            assert mean.loc[g, "n"] == n and mean.loc[g, "n_eff"] < n
            assert top.loc[g, "value"] == pytest.approx(100 * t)
        (g1, (m1, v1, n1, t1, _, k1)), (g2, (m2, v2, n2, t2, _, k2)) = hand.items()
        se = math.sqrt(v1 / n1 + v2 / n2)                                        # Welch on n_eff
        df = se ** 4 / ((v1 / n1) ** 2 / (n1 - 1) + (v2 / n2) ** 2 / (n2 - 1))
        p_mean = 2 * stats.t.sf(abs(m1 - m2) / se, df)
        assert (mean.loc[g1 if m1 > m2 else g2, "higher_than"] != "") == (p_mean < 0.05)
        pooled = (t1 * k1 + t2 * k2) / (k1 + k2)                                 # pooled z on n_eff
        p_top = p_two_sided((t1 - t2) / math.sqrt(pooled * (1 - pooled) * (1 / k1 + 1 / k2)))
        assert (top.loc[g1 if t1 > t2 else g2, "higher_than"] != "") == (p_top < 0.05)
        significant += int(p_mean < 0.05) + int(p_top < 0.05)
    assert significant >= 2      # fee satisfaction separates overall satisfaction; branch visits do not
    unweighted = crosstab(bank, rows=[("csat", "mean")], banner="visits")
    assert not np.allclose(unweighted["value"], xt.loc[(xt["metric"] == "mean") & (xt["banner"] != "fees_band"), "value"])


def test_weights_of_one_change_nothing(paper):
    a = crosstab(paper, rows=["nps", "csat"], banner="g")
    b = crosstab(paper.assign(w=1.0), rows=["nps", "csat"], banner="g", weight="w", variance="kish")
    pd.testing.assert_frame_equal(a, b)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("xyz"), st.sampled_from("pq"), st.integers(0, 10)), min_size=1, max_size=60))
def test_values_stay_in_range_and_shares_add_up(rows):
    df = pd.DataFrame(rows, columns=["cat", "g", "nps"]).astype({"nps": float})
    xt = crosstab(df, rows="nps", banner="g", min_n=1)
    assert xt["value"].between(-100, 100).all()
    pct = crosstab(df, rows="cat", banner="g", min_n=1)
    assert np.allclose(pct.groupby(["banner", "column"])["value"].sum(), 100.0)


def test_letters_run_past_z():
    assert span_letters(27)[25:] == ["Z", "AA"]


@pytest.mark.parametrize("kwargs, error, message", [
    ({"letters": (0.05, 0.01, 0.001)}, ParameterError, "one or two significance levels"),
    ({"adjust": "sidak"}, ParameterError, "'adjust' parameter of crosstab must be one of"),
    ({"test": "pairs"}, ParameterError, "'test' parameter of crosstab"),
    ({"rows": [("nps", "median")]}, ParameterError, "'metric' parameter of crosstab"),
    ({"banner": "regio"}, DataError, "did you mean 'region'"),
    ({"rows": [("score", "top_box")]}, ParameterError, "needs its scale"),
    ({"banner": []}, ParameterError, "at least one banner"),
])
def test_bad_parameters_are_named(kwargs, error, message):
    df = pd.DataFrame({"nps": [9.0, 3.0], "score": [1.0, 2.0], "region": ["a", "b"]})
    with pytest.raises(error, match=message):
        crosstab(df, **{"rows": "nps", "banner": "region", **kwargs})


def test_input_is_not_mutated(paper):
    before = paper.copy()
    crosstab(paper, rows=["nps", "csat"], banner="g", test="complement")
    pd.testing.assert_frame_equal(paper, before)
