"""The shared statistics (cxlib._stats) against second methods, and quoted formulas through every model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxlib import _stats, customers, drivers, operations


def test_welch_matches_scipy():
    rng = np.random.default_rng(4)
    a, b = rng.normal(1, 2, 40), rng.normal(0, 1, 25)
    got = _stats.welch(a, b, 0.9)
    ref = stats.ttest_ind(a, b, equal_var=False)
    assert got["p_value"] == pytest.approx(ref.pvalue)
    low, high = ref.confidence_interval(0.9)
    assert (got["ci_low"], got["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    assert np.isnan(_stats.welch([1.0], [2.0, 3.0], 0.95)["p_value"])     # one value: no test


def test_holm_and_bh_by_hand():
    p = np.array([0.01, 0.04, 0.03, 0.2])
    # Holm: sorted 0.01, 0.03, 0.04, 0.2 times 4, 3, 2, 1 -> 0.04, 0.09, 0.08 -> running max 0.09, 0.2
    assert _stats.adjust_p(p, method="holm").tolist() == pytest.approx([0.04, 0.09, 0.09, 0.2])
    # BH: p(i) * m / i from the top, running min: 0.2, 0.04*4/3 = 0.0533, 0.03*4/2 = 0.06 -> 0.0533, 0.04
    assert _stats.adjust_p(p, method="bh").tolist() == pytest.approx([0.04, 0.05333, 0.05333, 0.2], abs=1e-4)
    assert _stats.adjust_p(p, method="none").tolist() == p.tolist()


@pytest.mark.parametrize("method, name", [("holm", "holm"), ("bh", "fdr_bh"), ("bonferroni", "bonferroni")])
def test_adjustments_match_statsmodels(method, name):
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(11)
    for _ in range(20):
        p = rng.random(rng.integers(1, 30)) ** 3
        np.testing.assert_allclose(_stats.adjust_p(p, method=method), multipletests(p, method=name)[1], rtol=1e-12)


def test_wilson_by_hand_and_kish():
    lo, hi = _stats.wilson(np.array([0.0, 10.0]), np.array([10.0, 10.0]), 0.95)
    z2 = stats.norm.ppf(0.975) ** 2
    assert hi[0] == pytest.approx(z2 / 10 / (1 + z2 / 10))          # 0 of 10: upper = (z²/n) / (1 + z²/n)
    assert lo[1] == pytest.approx(1 - hi[0]) and hi[1] == 1.0
    assert float(_stats.kish(np.array(6.0), np.array(14.0))) == pytest.approx(36 / 14)   # w = 1, 2, 3


NAMES = {"plan": "sales-region", "driver": "support speed", "other": "it's (new)"}


@pytest.fixture
def awkward():
    rng = np.random.default_rng(9)
    n = 400
    d = pd.DataFrame({NAMES["plan"]: rng.choice(["EMEA", "APAC"], n), NAMES["driver"]: rng.integers(1, 6, n),
                      NAMES["other"]: rng.integers(1, 6, n), "handoffs": rng.integers(0, 4, n)})
    d["csat"] = np.clip(np.round(1 + 0.6 * d[NAMES["driver"]] + rng.normal(0, 1, n)), 1, 5)
    d["churned"] = rng.random(n) < 1 / (1 + np.exp(-(d[NAMES["driver"]] - 3)))
    return d


def test_formula_quotes_every_name():
    assert _stats.formula("y", ["a b"], {"sales-region": "EMEA"}) == \
        "Q('y') ~ Q('a b') + C(Q('sales-region'), Treatment(reference='EMEA'))"
    assert _stats.term_label("C(Q(\"it's\"))[T.x]") == "it's[x]"


def test_names_with_spaces_and_dashes_go_through_every_model(awkward):
    # Before, ops_regression built C(sales-region) unquoted and patsy read it as "sales minus region".
    ops = operations.ops_regression(awkward, score="csat", factors=["handoffs"], controls=[NAMES["plan"]])
    x = np.column_stack([np.ones(len(awkward)), awkward["handoffs"], awkward[NAMES["plan"]] == "EMEA"]).astype(float)
    beta = np.linalg.lstsq(x, awkward["csat"].to_numpy(), rcond=None)[0]      # second method
    assert ops["estimate"].iloc[0] == pytest.approx(beta[1])
    fit = drivers.fit_drivers(awkward, score="csat", drivers=[NAMES["driver"], NAMES["other"]],
                              controls=[NAMES["plan"]], scale=(1, 5))
    assert set(fit.coefficients["term"]) == {"Intercept", NAMES["driver"], NAMES["other"], "sales-region[EMEA]"}
    churn = customers.fit_churn_model(awkward, features=[NAMES["driver"], NAMES["plan"]])
    assert {NAMES["driver"], "sales-region[EMEA]"} <= set(churn.odds_ratios["term"])
    assert churn.predict(awkward).between(0, 1).all()


def test_wilson_matches_statsmodels_including_fractional_bases():
    from statsmodels.stats.proportion import proportion_confint

    rng = np.random.default_rng(5)
    n = rng.uniform(1, 500, 200)
    k = n * rng.uniform(0, 1, 200)
    k[:5], n[5] = 0.0, 0.0
    lo, hi = _stats.wilson(k, n, 0.9)
    ok = n > 0
    ref_lo, ref_hi = proportion_confint(k[ok], n[ok], alpha=0.1, method="wilson")
    np.testing.assert_allclose(lo[ok], np.clip(np.fmin(ref_lo, k[ok] / n[ok]), 0, 1), atol=1e-12)
    np.testing.assert_allclose(hi[ok], np.clip(np.fmax(ref_hi, k[ok] / n[ok]), 0, 1), atol=1e-12)
    assert np.isnan(lo[5]) and np.isnan(hi[5])


def test_distribution_functions_match_scipy_stats():
    df = np.array([1.0, 4.0, 37.5])
    np.testing.assert_allclose(_stats.t_crit(0.9, df), stats.t.ppf(0.95, df))
    z, p = _stats.z_test(np.array([1.0, -2.5]), np.array([0.5, 1.0]))
    np.testing.assert_allclose(p, 2 * stats.norm.sf(np.abs([2.0, 2.5])))


def test_welch_from_moments_and_t_test_match_scipy():
    # second library: scipy's Welch test from summary statistics
    ref = stats.ttest_ind_from_stats(4.2, np.sqrt(1.3), 25, 3.6, np.sqrt(2.1), 31, equal_var=False)
    r = _stats.welch_moments(4.2, 1.3, 25, 3.6, 2.1, 31, 0.95)
    assert float(r["p_value"]) == pytest.approx(ref.pvalue)
    t, p = _stats.t_test(np.array([0.6]), r["se"], r["df"])
    assert float(t[0]) == pytest.approx(ref.statistic) and float(p[0]) == pytest.approx(ref.pvalue)
    assert np.isnan(_stats.welch_moments(1.0, 1.0, 1, 2.0, 1.0, 5, 0.95)["p_value"])   # one answer: no test
