"""What a better score is worth: a model-based scenario, not a forecast.

If every customer's latest 0–10 answer rose by ``shift`` points, each customer's NPS category would move
as :func:`cxlib.scores.nps_category_shares` says; the churn model turns the new categories into churn
probabilities, and those into revenue kept a year. The interval comes from the model's uncertainty:
the shift's standard error and the churn model's coefficient covariance, drawn together.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

from .._checks import check_confidence
from ..errors import DataError
from ..scores import nps_category_shares
from .scoring import CustomerScores

__all__ = ["retention_scenario"]

_CATEGORIES = ("detractor", "passive", "promoter")
_CHUNK = 32     # draws per matrix product: 32 columns of a customer-by-draw matrix at a time


def retention_scenario(scored: CustomerScores, *, shift: float, shift_se: float = 0.0, revenue: str = "annual_revenue",
                       n_draws: int = 500, seed: int = 0, confidence: float = 0.95,
                       sample: int | None = None) -> pd.DataFrame:
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
    sample : int, optional
        When ``scored.table`` is a database table: compute on a random sample (seeded by ``seed``) of at most
        this many of the customers it counts and scale the revenue kept by their number over the sample's.

    Returns
    -------
    pandas.DataFrame
        One row: ``customers`` (current customers with a latest answer and every feature), ``shift``,
        ``churn_now`` and ``churn_scenario`` (mean churn probability), ``revenue_kept`` (Σ revenue ×
        (p now − p scenario)) with ``kept_ci_low`` / ``kept_ci_high`` (simulation percentiles),
        ``n_draws``, ``n_sampled`` (the customers computed on).

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
    active, n_all = _active(table, model, revenue, sample, seed)
    # the pulled rows stand for n_all customers; those the model cannot score (a category it never saw) drop
    # out of both, so the scale is taken before the model's own filter, not after it
    scale = (n_all or len(active)) / max(len(active), 1)
    designs = {c: model.design(active, nps_category=c) for c in _CATEGORIES}
    keep = designs["passive"][1] & designs["promoter"][1] & designs["detractor"][1]
    active = active[keep]
    x = {c: designs[c][0].loc[active.index].to_numpy() for c in _CATEGORIES}
    now_x, _ = model.design(active)
    # Customers sorted by their answer: the shares of a category depend on the answer only, so each
    # answer's customers form one slice, and a category none of a slice's draws reaches costs nothing.
    order = np.argsort(active["nps_latest"].to_numpy(float), kind="stable")
    answers = active["nps_latest"].to_numpy(float)[order]
    rev = active[revenue].to_numpy(float)[order]
    now_x = now_x.to_numpy()[order]
    x = {c: x[c][order] for c in _CATEGORIES}
    values, starts = np.unique(answers, return_index=True)
    slices = [slice(lo, hi) for lo, hi in zip(starts, list(starts[1:]) + [len(answers)])]
    rng = np.random.default_rng(seed)
    betas = np.vstack([model.params.to_numpy(),
                       rng.multivariate_normal(model.params.to_numpy(), model.cov.to_numpy(), n_draws)])
    shifts = np.concatenate([[shift], rng.normal(shift, shift_se, n_draws) if shift_se > 0 else np.full(n_draws, shift)])
    # per answer slice and category, the design's change (None where the category is the slice's own): the
    # same for every draw, so found once, not once per block of draws
    moves = {c: [x[c][sl] - now_x[sl] if (x[c][sl] != now_x[sl]).any() else None for sl in slices] for c in _CATEGORIES}
    kept, p_now, p_new = [], [], []
    for start in range(0, len(betas), _CHUNK):       # draws in blocks: one matrix product per block
        b, block = betas[start:start + _CHUNK].T, shifts[start:start + _CHUNK]
        q = nps_category_shares(np.tile(values, len(block)), np.repeat(block, len(values)))
        shares = {c: q[c].to_numpy().reshape(len(block), len(values)) for c in _CATEGORIES}
        eta = now_x @ b
        p_0 = expit(eta)
        kept_s, sum_s = np.zeros(len(block)), np.zeros(len(block))
        for i, sl in enumerate(slices):
            for c in _CATEGORIES:
                share = shares[c][:, i]
                if not share.any():
                    continue
                p_c = p_0[sl] if moves[c][i] is None else expit(eta[sl] + moves[c][i] @ b)
                kept_s += share * (rev[sl] @ p_c)
                sum_s += share * p_c.sum(axis=0)
        kept += list(rev @ p_0 - kept_s)
        p_now += list(p_0.mean(axis=0))
        p_new += list(sum_s / len(answers))
    lo, hi = np.quantile(kept[1:], [(1 - confidence) / 2, (1 + confidence) / 2]) * scale
    return pd.DataFrame([{"customers": round(len(active) * scale), "shift": shift,
                          "churn_now": p_now[0], "churn_scenario": p_new[0], "revenue_kept": kept[0] * scale,
                          "kept_ci_low": lo, "kept_ci_high": hi, "n_draws": n_draws, "n_sampled": len(active)}])


def _active(table, model, revenue: str, sample: int | None, seed: int) -> tuple[pd.DataFrame, int | None]:
    """The current customers with a latest answer and revenue (a table's: at most ``sample`` of them, drawn
    as the churn model's sample is) and how many a table holds in all (None for a DataFrame)."""
    from ..data import is_table
    from ._engine import pull_positions

    if not is_table(table):
        active = table[~table["churned"].fillna(False).astype(bool)] if "churned" in table else table
        active = active[active["nps_latest"].notna() & active[revenue].notna()]
        return active, None
    keep = [c for c in dict.fromkeys(["customer_id", "nps_latest", revenue, *model.features]) if c in table.columns]
    t = table.filter(~table.churned) if "churned" in table.columns else table
    t = t.filter(t.nps_latest.notnull(), t[revenue].notnull(), *[t[f].notnull() for f in model.features])
    t = t.select(*keep)
    n = int(t.count().execute())
    return pull_positions(t, n, sample or n, seed), n
