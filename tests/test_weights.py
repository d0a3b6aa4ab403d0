"""Tests of cxlib.weights: raking against an independent IPF, margins, Kish diagnostics, errors, config."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxlib import scores, weights
from cxlib.data import WeightingSpec, load_config
from cxlib.errors import ConfigError, DataError, ParameterError

TARGETS = {"region": {"EMEA": 0.3, "AMER": 0.45, "APAC": 0.25}, "plan": {"Basic": 0.5, "Pro": 0.3, "Ent": 0.2},
           "channel": {"web": 0.4, "app": 0.6}}


@pytest.fixture(scope="module")
def sample():
    rng = np.random.default_rng(14)
    n = 3000
    region = rng.choice(["EMEA", "AMER", "APAC"], n, p=[0.5, 0.3, 0.2])
    # plan depends on region, so the variables are correlated and raking needs several passes
    plan = np.where(rng.random(n) < 0.4, np.where(region == "EMEA", "Basic", "Pro"),
                    rng.choice(["Basic", "Pro", "Ent"], n, p=[0.4, 0.4, 0.2]))
    channel = rng.choice(["web", "app"], n, p=[0.7, 0.3])
    return pd.DataFrame({"region": region, "plan": plan, "channel": channel,
                         "nps": rng.integers(0, 11, n).astype(float)})


def ipf(data, targets, passes=2000):
    """Iterative proportional fitting written out (Deming & Stephan 1940): scale each variable's categories
    to their target totals in turn, from weights of 1, until nothing moves."""
    w = np.ones(len(data))
    for _ in range(passes):
        before = w.copy()
        for var, shares in targets.items():
            col = data[var].to_numpy()
            for cat, share in shares.items():
                m = col == cat
                w[m] *= share * len(data) / w[m].sum()
        if np.abs(w - before).max() < 1e-14:
            break
    return w


def test_achieved_margins_equal_the_targets(sample):
    r = weights.rake(sample, targets=TARGETS)
    for var, shares in TARGETS.items():
        got = r.weights.groupby(sample[var]).sum() / r.weights.sum()
        for cat, share in shares.items():
            assert got[cat] == pytest.approx(share, abs=1e-6)
    assert r.margins["error"].abs().max() < 1e-6
    assert bool(r.summary.loc[0, "converged"]) and r.summary.loc[0, "iterations"] > 2
    assert r.weights.mean() == pytest.approx(1.0) and r.weights.index.equals(sample.index)


def test_weights_equal_an_independent_ipf(sample):
    r = weights.rake(sample, targets=TARGETS)
    np.testing.assert_allclose(r.weights.to_numpy(), ipf(sample, TARGETS), atol=1e-6)


def test_diagnostics_are_kish(sample):
    r = weights.rake(sample, targets=TARGETS)
    w = r.weights.to_numpy()
    n_eff = w.sum() ** 2 / (w ** 2).sum()                 # Kish (1965)
    row = r.summary.iloc[0]
    assert row["n_eff"] == pytest.approx(n_eff)
    assert row["weighting_effect"] == pytest.approx(1 + w.var() / w.mean() ** 2)   # deff = 1 + CV²
    assert row["efficiency"] == pytest.approx(n_eff / len(w))
    assert (row["min_weight"], row["max_weight"]) == (pytest.approx(w.min()), pytest.approx(w.max()))


def test_weighted_nps_equals_a_hand_computation(sample):
    r = weights.rake(sample, targets=TARGETS)
    w, x = r.weights.to_numpy(), sample["nps"].to_numpy()
    hand = 100 * (w[x >= 9].sum() - w[x <= 6].sum()) / w.sum()   # weighted promoters minus detractors
    got = scores.nps(sample.assign(weight=r.weights), weight="weight").iloc[0]
    assert got["nps"] == pytest.approx(hand)
    kish = scores.nps(sample.assign(weight=r.weights), weight="weight", variance="kish").iloc[0]
    assert kish["n_eff"] == pytest.approx(w.sum() ** 2 / (w ** 2).sum())


def test_targets_equal_to_the_sample_give_weights_of_one_and_change_nothing(sample):
    own = {v: (sample[v].value_counts(normalize=True)).to_dict() for v in ("region",)}
    r = weights.rake(sample, targets=own)
    np.testing.assert_allclose(r.weights, 1.0, atol=1e-9)
    a = scores.nps(sample, by="region")
    # Kish's base of weights of one is n; the linearised variance's base is n − 1 (its n/(n − 1) factor)
    b = scores.nps(sample.assign(w=r.weights), by="region", weight="w", variance="kish")
    pd.testing.assert_series_equal(a["nps"], b["nps"])
    np.testing.assert_allclose(a["n_eff"], b["n_eff"])


def test_a_cap_bounds_the_weights(sample):
    # capping may stop the margins being reached exactly: strict=False returns what was achieved
    r = weights.rake(sample, targets=TARGETS, cap=1.5, strict=False)
    assert r.weights.max() <= 1.5 + 1e-3 and r.summary.loc[0, "cap"] == 1.5


@pytest.mark.parametrize("targets, error, message", [
    ({"region": {"EMEA": 0.3, "AMER": 0.3, "APAC": 0.3}}, ParameterError, "sum to 1; they sum to 0.9"),
    ({"region": {"EMEA": 0.3, "AMER": 0.4, "APAC": 0.2, "LATAM": 0.1}}, DataError, "absent from the data: LATAM"),
    ({"region": {"EMEA": 0.5, "AMER": 0.5}}, DataError, "'region' in the data without a target: APAC"),
    ({"regio": {"EMEA": 1.0}}, DataError, "did you mean 'region'"),
    ({"region": [0.5, 0.5]}, ParameterError, "must map variable"),
])
def test_bad_targets_are_named(sample, targets, error, message):
    with pytest.raises(error, match=message):
        weights.rake(sample, targets=targets)


def test_missing_categories_and_non_convergence_are_named(sample):
    holes = sample.assign(region=sample["region"].where(sample.index != 7))
    with pytest.raises(DataError, match=r"'region' has no value in 1 row\(s\): 7"):
        weights.rake(holes, targets=TARGETS)
    with pytest.raises(DataError, match=r"no convergence .* region=|no convergence .* plan="):
        weights.rake(sample, targets=TARGETS, cap=1.2)


def test_weight_summary_by_group_and_margins_by_hand():
    df = pd.DataFrame({"g": ["a", "a", "b"], "weight": [1.0, 3.0, 2.0]})
    t = weights.weight_summary(df, by="g").set_index("g")
    assert t.loc["a", "n_eff"] == pytest.approx(16 / 10)      # (1 + 3)² / (1 + 9)
    assert t.loc["b", "weighting_effect"] == pytest.approx(1.0)
    m = weights.margins(df, targets={"g": {"a": 0.5, "b": 0.5}})
    assert m["achieved"].tolist() == pytest.approx([4 / 6, 2 / 6])


def test_apply_weighting_from_a_config(tmp_path):
    cfg = load_config({"responses": {"path": "data/sample/responses.csv", "columns": {"nps": "LTR_0_10"},
                                     "segments": {"region": "Region"}},
                       "weighting": {"targets": {"region": {"EMEA": 0.25, "AMER": 0.5, "APAC": 0.25}}, "cap": 8}})
    assert cfg.weighting == WeightingSpec(targets={"region": {"EMEA": 0.25, "AMER": 0.5, "APAC": 0.25}}, cap=8.0)
    df = pd.DataFrame({"region": ["EMEA", "AMER", "AMER", "APAC"], "nps": [10.0, 0.0, 9.0, 5.0]})
    w = weights.apply_weighting(df, cfg.weighting)
    assert w.weight == "weight" and "weight" not in df
    assert w.data["weight"].tolist() == pytest.approx([1.0, 1.0, 1.0, 1.0])
    assert w.summary.loc[0, "method"] == "raking"
    given = weights.apply_weighting(df.assign(weight=[1.0, 2.0, 2.0, 1.0]), WeightingSpec(column="weight"))
    assert given.summary.loc[0, "n_eff"] == pytest.approx(36 / 10) and given.weight == "weight"


@pytest.mark.parametrize("section, message", [
    ({"column": "weight"}, "not mapped under 'responses.columns'"),
    ({"targets": {"region": {"EMEA": 0.5}}}, r"weighting.targets.region: the shares must sum to 1"),
    ({"targets": {"country": {"x": 1.0}}}, r"weighting.targets.country: 'country' is not a segment"),
    ({"targets": {"region": {"EMEA": 1.0}}, "cap": 1}, "'weighting.cap' must be a number above 1; got int 1"),
    ({"targets": {"region": {"EMEA": 1.0}}, "column": "weight"}, "exactly one of"),
    ({"colum": "weight"}, r"unknown key 'colum' in 'weighting' \(did you mean 'column'\?\)"),
])
def test_config_section_errors_name_the_key(section, message):
    raw = {"responses": {"path": "data/sample/responses.csv", "columns": {"nps": "LTR_0_10"},
                         "segments": {"region": "Region"}}, "weighting": section}
    with pytest.raises(ConfigError, match=message):
        load_config(raw)
