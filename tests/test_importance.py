"""Tests of cxlib.drivers (importance, performance): published values, second methods, planted truths and bad input.

The ``toy`` fixture is in conftest.py (shared with test_driverfit.py), ``swiss`` too (shared with
test_dominance.py).
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from cxlib import data as cxdata
from cxlib import drivers as dr
from cxlib.errors import DataError, ParameterError

ROOT = Path(__file__).resolve().parents[1]
SWISS_X = ["Agriculture", "Examination", "Education", "Catholic", "Infant.Mortality"]


def test_relative_importance_matches_relaimpo(swiss):
    # relaimpo LMG and genizi on swiss (values quoted in issue 7).
    lmg = dr.relative_importance(swiss, score="Fertility", drivers=SWISS_X, scale=False)
    got = lmg.set_index("driver").loc[SWISS_X]
    np.testing.assert_allclose(got["importance"], [0.05709122, 0.17117303, 0.26013468, 0.10557015, 0.11276592],
                               atol=1e-6)
    assert got["r2"].iloc[0] == pytest.approx(0.7067350, abs=1e-6)
    assert got["share"].sum() == pytest.approx(1.0)
    assert got.loc["Education", "rank"] == 1 and got.loc["Agriculture", "rank"] == 5
    jw = dr.relative_importance(swiss, score="Fertility", drivers=SWISS_X, method="johnson", scale=False)
    np.testing.assert_allclose(jw.set_index("driver").loc[SWISS_X, "importance"],
                               [0.04841690, 0.15470825, 0.27196410, 0.11468003, 0.11696572], atol=1e-6)
    # swiss: Agriculture correlates positively with Fertility (r = 0.35) but its coefficient is negative
    assert got.loc["Agriculture", "sign"] == "-" and got.loc["Agriculture", "sign_conflict"]
    assert got.loc["Agriculture", "r"] == pytest.approx(np.corrcoef(swiss["Agriculture"], swiss["Fertility"])[0, 1])
    assert bool(got["small_base"].iloc[0])   # 47 rows < 100: flagged


def test_weights_equal_replicated_rows(toy):
    # Second method: integer weights are the same as repeating each row w times.
    weighted = dr.relative_importance(toy, drivers=["a", "b", "c"], weight="w")
    repeated = dr.relative_importance(toy.loc[toy.index.repeat(toy["w"].astype(int))], drivers=["a", "b", "c"])
    np.testing.assert_allclose(weighted["importance"], repeated["importance"], atol=1e-12)


def test_methods_and_sampled_fallback(toy):
    exact = dr.relative_importance(toy, drivers=["a", "b", "c"])
    assert exact["driver"].tolist() == ["a", "b", "c"] and exact["method"].iloc[0] == "shapley"
    assert exact["importance_se"].isna().all()
    sampled = dr.relative_importance(toy, drivers=["a", "b", "c"], max_exact=2, n_permutations=2000)
    assert sampled["method"].iloc[0] == "shapley-sampled"
    diff = np.abs(sampled["importance"].to_numpy() - exact["importance"].to_numpy())
    assert (diff <= 5 * sampled["importance_se"].to_numpy() + 1e-12).all()
    for method in ("first", "last", "pratt", "beta", "lmg"):
        res = dr.relative_importance(toy, drivers=["a", "b", "c"], method=method)
        assert res["share"].sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="'method' parameter.*Got 'nope'"):
        dr.relative_importance(toy, drivers=["a", "b"], method="nope")


def test_bootstrap_cis(toy):
    res = dr.relative_importance(toy, drivers=["a", "b", "c"], bootstrap=300, seed=3).set_index("driver")
    again = dr.relative_importance(toy, drivers=["a", "b", "c"], bootstrap=300, seed=3).set_index("driver")
    pd.testing.assert_frame_equal(res, again)   # seeded
    assert (res["share_ci_low"] <= res["share"]).all() and (res["share"] <= res["share_ci_high"]).all()
    assert res.loc["a", "rank_ci_low"] == res.loc["a", "rank_ci_high"] == 1   # a dominates clearly
    assert (res["importance_ci_low"] < res["importance_ci_high"]).all()
    assert res["share_ci_high"].max() < 1


def test_listwise_and_pairwise_missing(toy):
    holes = toy.copy()
    holes.loc[holes.index[:10], "a"] = np.nan
    holes.loc[holes.index[5:25], "b"] = np.nan
    res = dr.relative_importance(holes, drivers=["a", "b", "c"])
    assert res["n"].iloc[0] == 375 and res["n_dropped"].iloc[0] == 25   # rows 0-24 have a hole
    complete = dr.relative_importance(holes.iloc[25:], drivers=["a", "b", "c"])
    np.testing.assert_allclose(res["importance"], complete["importance"], atol=1e-12)
    pairwise = dr.relative_importance(toy, drivers=["a", "b", "c"], missing="pairwise")
    np.testing.assert_allclose(pairwise["importance"], complete["importance"], atol=0.02)
    same = dr.relative_importance(toy, drivers=["a", "b", "c"], missing="pairwise")
    full = dr.relative_importance(toy, drivers=["a", "b", "c"])
    np.testing.assert_allclose(same["importance"], full["importance"], atol=1e-12)   # no holes: identical
    assert toy["a"].notna().all()   # input not mutated


def test_binary_outcome(toy):
    data = toy.assign(promoter=(toy["nps"] >= 6).astype(int))
    res = dr.relative_importance(data, score="promoter", drivers=["a", "b", "c"], kind="logit")
    assert res["method"].iloc[0].startswith("logit-shapley")
    full = sm.Logit(data["promoter"], sm.add_constant(data[["a", "b", "c"]])).fit(disp=0).prsquared
    assert res["importance"].sum() == pytest.approx(full, abs=1e-8)   # McFadden R² of statsmodels
    assert res["driver"].iloc[0] == "a"
    rw = dr.relative_importance(data, score="promoter", drivers=["a", "b", "c"], kind="logit", max_exact=2)
    assert rw["method"].iloc[0].startswith("logit-relative-weights") and rw["driver"].iloc[0] == "a"
    with pytest.raises(DataError, match="'nps'.*0/1|0/1.*'nps'"):
        dr.relative_importance(data, score="nps", drivers=["a", "b"], kind="logit")


def test_importance_performance_quadrants():
    # Hand-built: importance table given; performance = plain means computed by hand.
    data = pd.DataFrame({"x": [1, 2, 3, 2.0], "y": [5, 4, 5, 4.0], "z": [3, 3, 3, 3.0], "nps": [3, 9, 10, 6.0]})
    imp = pd.DataFrame({"driver": ["x", "y", "z"], "importance": [0.3, 0.2, 0.1], "share": [0.5, 1 / 3, 1 / 6],
                        "rank": [1, 2, 3], "sign": ["+", "+", "+"]})
    ipa = dr.importance_performance(data, drivers=["x", "y", "z"], importance=imp).set_index("driver")
    assert ipa.loc[["x", "y", "z"], "performance"].tolist() == [2.0, 4.5, 3.0]   # hand means
    # t interval of the mean of x = 1, 2, 3, 2: s = sqrt(2/3), se = s / 2 = 0.40825, t(3, 0.975) = 3.18245
    # -> 2 ± 1.29923 (a 1.96 × population-SD interval would be 2 ± 0.69296)
    assert (ipa.loc["x", "performance_ci_low"], ipa.loc["x", "performance_ci_high"]) == (
        pytest.approx(0.70077, abs=1e-5), pytest.approx(3.29923, abs=1e-5))
    assert ipa["performance_cut"].iloc[0] == pytest.approx(9.5 / 3)
    assert ipa.loc["x", "quadrant"] == "fix first"      # share 0.5 >= 1/3, 2.0 < 3.17
    assert ipa.loc["y", "quadrant"] == "keep"           # share 1/3 >= 1/3, 4.5 >= 3.17
    assert ipa.loc["z", "quadrant"] == "low priority"   # share 1/6 < 1/3, 3.0 < 3.17
    top = dr.importance_performance(data, drivers=["x", "y", "z"], importance=imp, performance="top_box",
                                    driver_scale=(1, 5))
    assert top.set_index("driver").loc["y", "performance"] == 1.0   # 4s and 5s are the top 2 boxes
    # Wilson 95% interval for 0/4 (hand formula: upper = z²/n / (1 + z²/n) = 0.4899)
    assert top.set_index("driver").loc["x", "performance_ci_high"] == pytest.approx(0.48990, abs=1e-4)
    with pytest.raises(DataError, match="'x'.*1–5"):
        dr.importance_performance(data.assign(x=[0, 2, 3, 2.0]), drivers=["x"], importance=imp, driver_scale=(1, 5))
    with pytest.raises(DataError, match="top_box.*driver_scale"):
        dr.importance_performance(data, drivers=["x"], importance=imp, performance="top_box")


def test_importance_and_performance_use_the_same_rows(toy):
    # A driver answered by more people than the model uses: its performance mean is taken on the
    # model's rows (complete on every driver and the score), so the advice rests on one base.
    holes = toy.assign(b=toy["b"].where(toy.index >= 100))
    ipa = dr.importance_performance(holes, drivers=["a", "b", "c"], driver_scale=(1, 5)).set_index("driver")
    assert (ipa["performance_n"] == 300).all()
    assert ipa.loc["a", "performance"] == pytest.approx(toy["a"].iloc[100:].mean())


def test_importance_by_suppresses_small_segments(toy):
    data = toy.assign(seg=np.where(np.arange(len(toy)) < 30, "tiny", "big"))
    res = dr.importance_by(data, by="seg", drivers=["a", "b", "c"], min_n=50).set_index("seg")
    assert res.loc["tiny", "suppressed"].all() and res.loc["tiny", "share"].isna().all()
    assert "30 < 50" in res.loc["tiny", "note"].iloc[0]
    assert not res.loc["big", "suppressed"].any()
    assert res.loc["big", "share"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("mutate, match", [
    (lambda d: d.assign(c=3.0), r"\['c'\] are constant"),
    (lambda d: d.assign(c=2 * d["a"] - d["b"]), r"collinear.*'a'|'a'.*collinear"),
    (lambda d: d.assign(c=np.nan), r"\['c'\] have no values"),
    (lambda d: d.head(4), r"only 4 usable rows for 3 drivers"),
    (lambda d: d.assign(nps=d["nps"] + 3), r"'nps' must lie on its scale 0-10"),
    (lambda d: d.assign(c=d["c"].astype(str).where(d.index > 2, "n/a")), r"driver column 'c' must be numeric"),
    (lambda d: d.drop(columns="c"), r"\['c'\] are not in the data"),
])
def test_bad_input_names_the_columns(toy, mutate, match):
    with pytest.raises(DataError, match=match):
        dr.relative_importance(mutate(toy), drivers=["a", "b", "c"])


def test_a_score_registered_after_import_is_checked_against_its_scale(toy):
    # A score registered at run time has a default scale (1-5 here) as the built-in ones do; a "don't know"
    # code 99 left in it is refused, not ranked (before: the import-time DEFAULT_SCALES knew no such score,
    # so the 99s entered the correlations unchecked).
    from cxlib.metrics import Metric, register, unregister

    register(Metric("t2b", "share", (1, 5, True, 2), "Top-2 box", percent=True, points={"top_box": "top"}))
    try:
        data = toy.assign(t2b=np.where(toy.index < 3, 99.0, 3.0 + (toy.index % 3)))
        with pytest.raises(DataError, match=r"'t2b' must lie on its scale 1-5"):
            dr.relative_importance(data, score="t2b", drivers=["a", "b", "c"])
        ok = dr.relative_importance(data, score="t2b", drivers=["a", "b", "c"], scale=False)  # as asked: unchecked
        assert ok["share"].sum() == pytest.approx(1.0)
    finally:
        unregister("t2b")


def test_collinear_message_names_only_the_involved_drivers(toy):
    data = toy.assign(d=toy["a"] + toy["b"])
    with pytest.raises(DataError) as err:
        dr.relative_importance(data, drivers=["a", "b", "c", "d"])
    assert "['a', 'b', 'd']" in str(err.value)


def test_sample_data_recovers_planted_driver_order():
    truth_file = ROOT / "data" / "sample" / "truth.json"
    if not truth_file.exists():
        pytest.skip("data/sample/truth.json is absent: run `python -m cxlib.sample` first")
    truth = json.loads(truth_file.read_text())
    weights = truth["driver_weights"]
    responses = cxdata.load_responses()
    res = dr.relative_importance(responses, score="nps", drivers=list(weights))
    expected = sorted(weights, key=weights.get, reverse=True)
    assert res["driver"].tolist() == expected
    assert (res["sign"] == "+").all() and not res["sign_conflict"].any()


def test_options_object_and_keywords_are_one_call(toy):
    opts = dr.DriverOptions(method="johnson", bootstrap=100, seed=3, confidence=0.9)
    by_object = dr.relative_importance(toy, drivers=["a", "b", "c"], options=opts)
    by_keywords = dr.relative_importance(toy, drivers=["a", "b", "c"], method="johnson", bootstrap=100, seed=3,
                                         confidence=0.9)
    pd.testing.assert_frame_equal(by_object, by_keywords)
    assert by_object["n_boot"].iloc[0] == 100
    with pytest.raises(ParameterError, match="either as options= or as keywords \\(seed\\), not both"):
        dr.relative_importance(toy, drivers=["a", "b", "c"], options=opts, seed=4)
    with pytest.raises(ParameterError, match="unexpected keyword 'boostrap' \\(did you mean 'bootstrap'\\?\\)"):
        dr.relative_importance(toy, drivers=["a", "b", "c"], boostrap=100)
    with pytest.raises(ParameterError, match="'jackknife' parameter.*from 2 to 256.*Got 300"):
        dr.DriverOptions(jackknife=300)
    with pytest.raises(AttributeError):              # frozen: one object, one meaning, wherever it is passed
        opts.seed = 5
    # counts computed with NumPy (np.int64) are whole numbers too, as before the options object; a bool is not
    assert dr.DriverOptions(jackknife=np.int64(50), min_n=np.int64(20)) == dr.DriverOptions(jackknife=50, min_n=20)
    with pytest.raises(ParameterError, match="'bootstrap' parameter.*Got True"):
        dr.DriverOptions(bootstrap=True)


def test_importance_by_passes_its_options_to_every_segment(toy):
    data = toy.assign(seg=np.where(np.arange(len(toy)) % 2 == 0, "x", "y"))
    opts = dr.DriverOptions(method="first", min_n=10)
    res = dr.importance_by(data, by="seg", drivers=["a", "b", "c"], options=opts).set_index(["seg", "driver"])
    # "first" importance is each driver's r² with the score, computed here by hand per segment
    for seg, rows in data.groupby("seg"):
        for d in ("a", "b", "c"):
            r = np.corrcoef(rows[d], rows["nps"])[0, 1]
            assert res.loc[(seg, d), "importance"] == pytest.approx(r ** 2, rel=1e-9)


@pytest.mark.parametrize("name", ["bootstrap", "jackknife", "n_permutations"])
def test_a_missing_count_is_refused_by_name_not_a_type_error_later(name):
    # only max_exact and min_n mean something as None; n_permutations=None reached the engine's arithmetic
    # as a TypeError (found in review)
    with pytest.raises(ParameterError, match=f"The '{name}' parameter of relative_importance must be a whole number"):
        dr.DriverOptions(**{name: None})
