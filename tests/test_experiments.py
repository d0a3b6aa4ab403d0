"""Tests of cxlib.experiments: a Welch test by hand, published sample sizes, power by statsmodels and the
planted sample pilot."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.power import NormalIndPower

from cxlib import data as cxdata
from cxlib import operations as ex
from cxlib.data import project_root
from cxlib.errors import DataError

TRUTH = project_root() / "data" / "sample" / "truth.json"


@pytest.fixture(scope="module")
def sample():
    if not TRUTH.exists():
        pytest.skip("data/sample is absent: run `python -m cxlib.sample`")
    return {"responses": cxdata.load_responses(), "truth": json.loads(TRUTH.read_text())}


def test_experiment_effect_by_hand():
    d = pd.DataFrame({"arm": ["b"] * 4 + ["a"] * 5, "csat": [5, 4, 5, 4, 3, 4, 3, 2, 3]})
    r = ex.experiment_effect(d, arm="arm", score="csat", control="a", min_n=2).iloc[0]
    # b: mean 4.5, var 1/3; a: mean 3, var 0.5. se = sqrt(1/12 + 0.1) = 0.42817;
    # Welch t = 1.5 / 0.42817 = 3.5033; df = 0.18333^2 / ((1/12)^2/3 + 0.1^2/4) = 6.9932;
    # two-sided p = 2 * t.sf(3.5033, 6.9932) = 0.00998 (scipy.stats.t; JASP gives 0.010).
    assert (r.treatment, r.n_treatment, r.n_control) == ("b", 4, 5)
    assert r.effect == pytest.approx(1.5) and r.std_err == pytest.approx(0.42817, abs=1e-5)
    assert r.p_value == pytest.approx(0.00998, abs=2e-4)
    assert r.ci_low == pytest.approx(1.5 - 2.3653 * 0.42817, abs=2e-3)  # t(0.975, 6.99) = 2.3653


def test_experiment_recovers_planted_pilot(sample):
    truth = sample["truth"]["experiment"]
    pilot = sample["responses"]
    for score, metric, key in (("csat", "mean", "csat"), ("nps", "nps", "nps_points")):
        r = ex.experiment_effect(pilot, arm=truth["arm_column"], score=score, metric=metric,
                                 control=truth["control"]).iloc[0]
        assert r.treatment == truth["treatment"]
        assert r.n_treatment + r.n_control == truth["n_pilot"]
        assert r.ci_low <= truth[key] <= r.ci_high, score
        assert r.effect > 0 and r.p_value < 0.05
        assert not r.small_base


def test_experiment_bad_arms():
    d = pd.DataFrame({"arm": ["x", "y", "z"], "csat": [1.0, 2.0, 3.0]})
    with pytest.raises(DataError, match="control arm 'control' not found"):
        ex.experiment_effect(d, arm="arm")
    with pytest.raises(DataError, match=r"exactly one arm besides 'x'"):
        ex.experiment_effect(d, arm="arm", control="x")
    with pytest.raises(TypeError, match="arm"):   # the arm column is the user's: no default name
        ex.experiment_effect(d)


def test_sample_size_published_value():
    # Cohen's d = 0.5, alpha 0.05 two-sided, power 0.8: n = 2 * (1.95996 + 0.84162)^2 / 0.25 = 62.79 -> 63
    # per arm (normal approximation; statsmodels NormalIndPower gives the same 62.79).
    assert ex.sample_size(0.5, sd=1.0) == 63
    assert NormalIndPower().solve_power(effect_size=0.5, alpha=0.05, power=0.8) == pytest.approx(62.79, abs=0.01)
    # NPS: 10 points with a per-respondent sd of 80: 2 * 2.80158^2 * 6400 / 100 = 1004.6 -> 1005.
    assert ex.sample_size(10, sd=80) == 1005
    with pytest.raises(ValueError, match="effect"):
        ex.sample_size(0, sd=1.0)


@settings(max_examples=40, deadline=None)
@given(st.floats(0.05, 2.0), st.floats(0.5, 3.0), st.floats(0.5, 0.95))
def test_sample_size_reaches_power(effect, sd, power):
    n = ex.sample_size(effect, sd=sd, power=power)
    achieved = NormalIndPower().power(effect_size=effect / sd, nobs1=n, alpha=0.05)
    assert achieved >= power - 1e-6
    if n > 1:  # one fewer response per arm falls short (the 1e-4 allows for the far tail statsmodels adds)
        assert NormalIndPower().power(effect_size=effect / sd, nobs1=n - 1, alpha=0.05) < power + 1e-4
