"""What a better score is worth: a model-based scenario, not a forecast.

If every customer's latest 0–10 answer rose by ``shift`` points, each customer's NPS category would move
as :func:`cxlib.scores.nps_category_shares` says; the churn model turns the new categories into churn
probabilities, and those into revenue kept a year. The interval comes from the model's uncertainty:
the shift's standard error and the churn model's coefficient covariance, drawn together.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import check_confidence
from ..errors import DataError
from ..scores import nps_category_shares
from .scoring import CustomerScores

__all__ = ["retention_scenario"]

_CATEGORIES = ("detractor", "passive", "promoter")


def retention_scenario(scored: CustomerScores, *, shift: float, shift_se: float = 0.0, revenue: str = "annual_revenue",
                       n_draws: int = 500, seed: int = 0, confidence: float = 0.95) -> pd.DataFrame:
    """Revenue kept a year among current customers if their latest NPS answer rose by ``shift`` points.

    Parameters
    ----------
    scored : CustomerScores
        From :func:`cxlib.customers.score_customers`, with a churn model that uses ``nps_category``.
    shift : float
        Points added to every customer's latest 0–10 answer (e.g. a driver coefficient × its lift).
    shift_se : float
        The shift's standard error (drawn as normal).
    revenue : str
        Annual revenue column.
    n_draws : int
        Simulation draws of the shift and the churn coefficients (multivariate normal).
    seed : int
    confidence : float

    Returns
    -------
    pandas.DataFrame
        One row: ``customers`` (current customers with a latest answer and every feature), ``shift``,
        ``churn_now`` and ``churn_scenario`` (mean churn probability), ``revenue_kept`` (Σ revenue ×
        (p now − p scenario)) with ``kept_ci_low`` / ``kept_ci_high`` (simulation percentiles),
        ``n_draws``.

    Examples
    --------
    >>> from cxlib.customers import score_customers
    >>> from cxlib.data import load_accounts, load_responses, load_tickets
    >>> scored = score_customers(load_responses(), load_tickets(), load_accounts(), month="2026-10", compare=False)
    >>> out = retention_scenario(scored, shift=0.5, shift_se=0.05, n_draws=50)
    >>> bool(out["churn_scenario"].iloc[0] < out["churn_now"].iloc[0]), bool(out["revenue_kept"].iloc[0] > 0)
    (True, True)
    """
    confidence = check_confidence(confidence, func="retention_scenario")
    model, table = scored.model, scored.table
    if model is None or "nps_category" not in model.features:
        raise DataError("retention_scenario needs a churn model with nps_category among its features; "
                        f"{scored.note or 'this model has none'}")
    active = table[~table["churned"].fillna(False).astype(bool)] if "churned" in table else table
    active = active[active["nps_latest"].notna() & active[revenue].notna()]
    designs = {c: model.design(active, nps_category=c) for c in _CATEGORIES}
    keep = designs["passive"][1] & designs["promoter"][1] & designs["detractor"][1]
    active = active[keep]
    x = {c: designs[c][0].loc[active.index].to_numpy() for c in _CATEGORIES}
    now_x, _ = model.design(active)
    rev = active[revenue].to_numpy(float)
    answers = active["nps_latest"].to_numpy(float)
    rng = np.random.default_rng(seed)
    betas = np.vstack([model.params.to_numpy(),
                       rng.multivariate_normal(model.params.to_numpy(), model.cov.to_numpy(), n_draws)])
    shifts = np.concatenate([[shift], rng.normal(shift, shift_se, n_draws) if shift_se > 0 else np.full(n_draws, shift)])

    def churn(xm, b):
        return 1.0 / (1.0 + np.exp(-(xm @ b)))

    kept, p_now, p_new = [], [], []
    for b, s in zip(betas, shifts):
        q = nps_category_shares(answers, s)
        p_s = sum(q[c].to_numpy() * churn(x[c], b) for c in _CATEGORIES)
        p_0 = churn(now_x.to_numpy(), b)
        kept.append(float(np.sum(rev * (p_0 - p_s))))
        p_now.append(p_0.mean())
        p_new.append(p_s.mean())
    lo, hi = np.quantile(kept[1:], [(1 - confidence) / 2, (1 + confidence) / 2])
    return pd.DataFrame([{"customers": len(active), "shift": shift, "churn_now": p_now[0], "churn_scenario": p_new[0],
                          "revenue_kept": kept[0], "kept_ci_low": lo, "kept_ci_high": hi, "n_draws": n_draws}])
