"""Tests of cxlib.drivers.regression (fit_drivers) and the shared preparation: the regression against a second
Logit) and the row accounting. The column checks of ``prepare`` are also exercised through
relative_importance in test_importance.py (bad input named by column).
"""

import numpy as np
import pytest
import statsmodels.api as sm
from statsmodels.stats.outliers_influence import variance_inflation_factor

from cxlib import drivers as dfit
from cxlib.drivers._prepare import prepare


def test_fit_drivers_against_least_squares_and_vif(toy):
    model = dfit.fit_drivers(toy, drivers=["a", "b", "c"], controls=["region"])
    coef = model.coefficients.set_index("term")
    design = np.column_stack([np.ones(len(toy)), toy["region"] == "EMEA", toy[["a", "b", "c"]]])
    beta, *_ = np.linalg.lstsq(design, toy["nps"].to_numpy(), rcond=None)   # second method
    np.testing.assert_allclose(coef.loc[["Intercept", "region[EMEA]", "a", "b", "c"], "estimate"], beta, atol=1e-10)
    assert (coef["ci_low"] < coef["estimate"]).all() and (coef["estimate"] < coef["ci_high"]).all()
    vif = [variance_inflation_factor(design.astype(float), k) for k in (2, 3, 4)]
    np.testing.assert_allclose(model.diagnostics["vif"], vif, rtol=1e-8)
    fit = model.fit.iloc[0]
    assert fit["n"] == 400 and fit["test"] == "F" and 0 < fit["r2"] < 1
    logit = dfit.fit_drivers(toy.assign(top=toy["nps"] >= 6), score="top", drivers=["a", "b"], kind="logit")
    ref = sm.Logit((toy["nps"] >= 6).astype(float), sm.add_constant(toy[["a", "b"]])).fit(disp=0)
    assert logit.fit["pseudo_r2"].iloc[0] == pytest.approx(ref.prsquared, abs=1e-8)
    assert logit.fit["statistic"].iloc[0] == pytest.approx(ref.llr, abs=1e-6)


def test_fit_drivers_reports_dropped_rows(toy):
    holes = toy.copy()
    holes.loc[holes.index[:3], "nps"] = np.nan
    fit = dfit.fit_drivers(holes, drivers=["a", "b"]).fit.iloc[0]
    assert fit["n"] == 397 and fit["n_dropped"] == 3 and fit["dropped"] == "nps missing in 3 rows"


def test_prepare_drops_incomplete_rows_and_says_why(toy):
    holes = toy.copy()
    holes.loc[holes.index[:2], "a"] = np.nan
    holes.loc[holes.index[1:4], "nps"] = np.nan
    prep = prepare(holes, score="nps", drivers=["a", "b"])
    # rows 0-3 are incomplete (a missing in 0, 1; nps in 1, 2, 3): 4 dropped, 396 used
    assert (prep.n, prep.n_dropped) == (396, 4) and prep.x.shape == (396, 2)
    assert prep.dropped == "nps missing in 3 rows, a missing in 2 rows"
    r = [np.corrcoef(prep.x[:, k], prep.y)[0, 1] for k in range(2)]   # second method: numpy
    np.testing.assert_allclose(prep.r, r, rtol=1e-12)
    assert int(holes["a"].isna().sum()) == 2   # input untouched
