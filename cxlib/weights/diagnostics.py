"""What weights cost and what they achieve: Kish's weighting effect and effective base, achieved margins.

Kish (1965): the effective base of weights w is ``n_eff = (Σw)² / Σw²`` and the design effect due to
weighting, here the *weighting effect*, ``n / n_eff = 1 + CV²(w)``; the weighting efficiency is
``n_eff / n``. It is a property of the weights alone: each weighted score's own design effect follows from
its linearised variance (:func:`cxlib.metrics.estimate`), which is what its interval and tests use.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import by_list, check_frame, check_weights, need_columns
from .._stats import kish

__all__ = ["margins", "weight_summary"]

SUMMARY = ["n", "sum_weight", "n_eff", "weighting_effect", "efficiency", "min_weight", "max_weight"]


def _summary_row(w: np.ndarray) -> dict:
    n = len(w)
    sw, sw2 = float(w.sum()), float((w * w).sum())
    n_eff = float(kish(sw, sw2))
    return {"n": n, "sum_weight": sw, "n_eff": n_eff,
            "weighting_effect": n / n_eff if n_eff > 0 else np.nan,
            "efficiency": n_eff / n if n else np.nan,
            "min_weight": float(w.min()) if n else np.nan, "max_weight": float(w.max()) if n else np.nan}


def weight_summary(data, *, weight="weight", by=None) -> pd.DataFrame:
    """The weighting's cost per group: base, effective base, weighting effect, efficiency, extreme weights.

    Parameters
    ----------
    data : pandas.DataFrame
    weight : str
        The weight column; rows where it is missing are left out (and counted nowhere).
    by : str or list of str, optional
        Group columns (e.g. a segment: the effective base of each cut).

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, ``n`` (rows with a weight), ``sum_weight``, ``n_eff``
        (Kish: (Σw)² / Σw²), ``weighting_effect`` (n / n_eff = 1 + cv² of the weights: Kish's "design
        effect due to weighting", not a statistic's design effect), ``efficiency`` (n_eff / n, 0–1),
        ``min_weight`` and ``max_weight``.

    Examples
    --------
    >>> weight_summary(pd.DataFrame({"weight": [1.0, 1.0, 2.0, 4.0]})).round(3)   # 64 / 22 = 2.909
       n  sum_weight   n_eff  weighting_effect  efficiency  min_weight  max_weight
    0  4         8.0  2.909          1.375       0.727         1.0         4.0
    """
    check_frame(data, where="weight_summary")
    by = by_list(by)
    need_columns(data, [weight, *by], where="weight_summary")
    w = check_weights(data, weight, used=data[weight].notna(), where="weight_summary", what="given")
    frame = data[by].assign(_w=w).loc[~np.isnan(w)]
    if not by:
        return pd.DataFrame([_summary_row(frame["_w"].to_numpy())], columns=SUMMARY)
    rows = [{**dict(zip(by, key if isinstance(key, tuple) else (key,))), **_summary_row(g["_w"].to_numpy())}
            for key, g in frame.groupby(by, sort=True, observed=True)]
    return pd.DataFrame(rows, columns=by + SUMMARY)


def margins(data, *, targets, weight="weight") -> pd.DataFrame:
    """Achieved weighted margins against target shares, category by category.

    Parameters
    ----------
    data : pandas.DataFrame
    targets : dict
        variable -> {category: target share}; categories are compared as text.
    weight : str or None
        The weight column; None for the unweighted sample shares.

    Returns
    -------
    pandas.DataFrame
        One row per variable and category (targets' categories first, then any found only in the data):
        ``variable``, ``category``, ``n`` (respondents), ``sample_share`` (unweighted), ``target`` (NaN
        when the targets do not name it), ``achieved`` (weighted share) and ``error`` (achieved − target).

    Examples
    --------
    >>> df = pd.DataFrame({"region": ["A", "A", "B"], "weight": [0.75, 0.75, 1.5]})
    >>> margins(df, targets={"region": {"A": 0.5, "B": 0.5}})
      variable category  n  sample_share  target  achieved  error
    0   region        A  2      0.666667     0.5       0.5    0.0
    1   region        B  1      0.333333     0.5       0.5    0.0
    """
    check_frame(data, where="margins")
    need_columns(data, list(targets) + ([weight] if weight else []), where="margins")
    w = (check_weights(data, weight, used=np.ones(len(data), bool), where="margins", what="targets are checked")
         if weight else np.ones(len(data)))
    rows = []
    for var, shares in targets.items():
        cats = data[var].astype("str").where(data[var].notna())
        n = cats.value_counts()
        achieved = pd.Series(w, index=data.index).groupby(cats).sum() / w[cats.notna().to_numpy()].sum()
        names = [str(c) for c in shares] + sorted(set(n.index) - {str(c) for c in shares})
        target = {str(c): float(v) for c, v in shares.items()}
        for c in names:
            rows.append({"variable": var, "category": c, "n": int(n.get(c, 0)),
                         "sample_share": n.get(c, 0) / n.sum(), "target": target.get(c, np.nan),
                         "achieved": float(achieved.get(c, 0.0))})
    out = pd.DataFrame(rows, columns=["variable", "category", "n", "sample_share", "target", "achieved"])
    out["error"] = out["achieved"] - out["target"]
    return out
