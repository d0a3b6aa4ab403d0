"""What a better score is worth (customers.retention_scenario), checked against a hand computation
with the churn model's own predict, and its interval against a plain per-draw loop."""

from __future__ import annotations

import numpy as np
import pytest

from cxlib.customers import retention_scenario, score_customers
from cxlib.data import load_accounts, load_responses, load_tickets

#: A 0-10 answer raised by half a point, as shares of the categories (the answer a stands for [a, a+1)).
HALF_POINT = {a: {"detractor": 1.0, "passive": 0.0, "promoter": 0.0} for a in range(6)}
HALF_POINT.update({6: {"detractor": 0.5, "passive": 0.5, "promoter": 0.0},
                   7: {"detractor": 0.0, "passive": 1.0, "promoter": 0.0},
                   8: {"detractor": 0.0, "passive": 0.5, "promoter": 0.5},
                   9: {"detractor": 0.0, "passive": 0.0, "promoter": 1.0},
                   10: {"detractor": 0.0, "passive": 0.0, "promoter": 1.0}})


@pytest.fixture(scope="module")
def scored():
    return score_customers(load_responses(), load_tickets(), load_accounts(), month="2026-10", compare=False)


def _active(scored):
    t = scored.table
    t = t[~t["churned"].fillna(False).astype(bool) & t["nps_latest"].notna() & t["annual_revenue"].notna()]
    ok = scored.model.predict(t).notna()
    return t[ok]


def test_revenue_kept_equals_the_hand_sum_over_customers(scored):
    active = _active(scored)
    now = scored.model.predict(active)
    scenario = sum(active["nps_latest"].map(lambda a: HALF_POINT[int(a)][c])
                   * scored.model.predict(active.assign(nps_category=c)) for c in ("detractor", "passive", "promoter"))
    expected = float((active["annual_revenue"] * (now - scenario)).sum())
    out = retention_scenario(scored, shift=0.5, n_draws=20).iloc[0]
    assert out["customers"] == len(active)
    assert out["revenue_kept"] == pytest.approx(expected, rel=1e-9)
    assert out["churn_now"] == pytest.approx(now.mean(), rel=1e-9)
    assert out["churn_scenario"] == pytest.approx(scenario.mean(), rel=1e-9)


def test_interval_equals_a_plain_loop_over_the_same_draws(scored):
    active = _active(scored)
    model, n_draws, seed = scored.model, 40, 3
    rng = np.random.default_rng(seed)
    betas = rng.multivariate_normal(model.params.to_numpy(), model.cov.to_numpy(), n_draws)
    shifts = rng.normal(0.5, 0.1, n_draws)
    rev, answers = active["annual_revenue"].to_numpy(), active["nps_latest"].to_numpy()
    designs = {c: model.design(active.assign(nps_category=c))[0].to_numpy() for c in ("detractor", "passive", "promoter")}
    now_x = model.design(active)[0].to_numpy()
    kept = []
    for b, s in zip(betas, shifts):                   # one customer matrix at a time, no blocks, no grouping
        lo, hi = np.clip(answers - 0.5 + s, -0.5, 10.5), np.clip(answers + 0.5 + s, -0.5, 10.5)
        det = np.clip(np.minimum(hi, 6.5) - lo, 0, None) / (hi - lo)
        pro = np.clip(hi - np.maximum(lo, 8.5), 0, None) / (hi - lo)
        share = {"detractor": det, "passive": 1 - det - pro, "promoter": pro}
        p_s = sum(share[c] / (1 + np.exp(-designs[c] @ b)) for c in designs)
        kept.append(float(rev @ (1 / (1 + np.exp(-now_x @ b)) - p_s)))
    out = retention_scenario(scored, shift=0.5, shift_se=0.1, n_draws=n_draws, seed=seed).iloc[0]
    lo, hi = np.quantile(kept, [0.025, 0.975])
    assert out["kept_ci_low"] == pytest.approx(lo, rel=1e-9) and out["kept_ci_high"] == pytest.approx(hi, rel=1e-9)
    assert out["kept_ci_low"] < out["revenue_kept"] < out["kept_ci_high"]
