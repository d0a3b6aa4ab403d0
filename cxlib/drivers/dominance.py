"""Dominance analysis: which driver beats which, over every sub-model of the drivers.

``dominance`` reports complete, conditional and general dominance (Azen & Budescu 2003) between every
ordered pair of drivers; ``conditional_importance`` gives each driver's mean R² increment at each
sub-model size, whose mean is its Shapley value (:func:`cxlib.drivers.relative_importance`). Both fit
all 2**p sub-models through :mod:`cxlib.drivers._engine`; the columns are validated by
:func:`cxlib.drivers._prepare.prepare`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import check_choice
from ..errors import ParameterError
from . import _engine as eng
from ._prepare import outcome_scale, prepare

__all__ = ["conditional_importance", "dominance"]


def _all_subsets(data, score, drivers, weight, kind, scale):
    check_choice(kind, ("ols", "logit"), param="kind", func="dominance")
    prep = prepare(data, score=score, drivers=drivers, weight=weight, kind=kind, scale=outcome_scale(score, scale))
    p = len(drivers)
    if kind == "logit":
        if p > 12:
            raise ParameterError(f"dominance with kind='logit' fits 2**p models; {p} drivers is too many (max 12)")
        return eng.logit_subset_r2(prep.x, prep.y, prep.w), prep
    if p > 24:
        raise ParameterError(f"dominance needs all 2**p subsets; {p} drivers is too many (max 24)")
    return eng.subset_r2(prep.full), prep


def dominance(data: pd.DataFrame, *, score: str = "nps", drivers: list[str], weight: str | None = None,
              kind: str = "ols", scale=None) -> pd.DataFrame:
    """Complete, conditional and general dominance between every ordered pair of drivers.

    Driver i *completely* dominates j when adding i raises R² more than adding j to every subset of the
    other drivers; *conditionally* when its mean increment is larger at every subset size; *generally*
    when its Shapley value (mean of the conditional values) is larger (Azen & Budescu 2003). Complete
    implies conditional implies general.

    Parameters
    ----------
    data : pandas.DataFrame
    score, drivers, weight, kind, scale
        As in :func:`cxlib.drivers.relative_importance` (at most 24 drivers for ``"ols"``, 12 for
        ``"logit"``: every sub-model is fitted).

    Returns
    -------
    pandas.DataFrame
        One row per ordered pair: ``driver``, ``over`` (the other driver), ``complete``, ``conditional``,
        ``general`` (booleans: ``driver`` dominates ``over`` in that sense), ``level`` (the strongest:
        "complete", "conditional", "general" or "none"), ``n`` (rows used).

    Examples
    --------
    >>> from cxlib.data import load_responses
    >>> dom = dominance(load_responses(), score="nps", drivers=["support_speed", "onboarding_experience"])
    >>> dom[["driver", "over", "level"]].values.tolist()
    [['support_speed', 'onboarding_experience', 'complete'], ['onboarding_experience', 'support_speed', 'none']]
    """
    r2, prep = _all_subsets(data, score, drivers, weight, kind, scale)
    p = len(drivers)
    comp = eng.complete_dominance(r2, p)
    cond = eng.conditional_contributions(r2, p)
    rows = []
    for i in range(p):
        for j in range(p):
            if i == j:
                continue
            d = cond[i] - cond[j]
            c = bool((d >= -1e-12).all() and (d > 1e-12).any())
            g = bool(cond[i].mean() > cond[j].mean())
            level = "complete" if comp[i, j] else "conditional" if c else "general" if g else "none"
            rows.append(dict(driver=drivers[i], over=drivers[j], complete=bool(comp[i, j]), conditional=c,
                             general=g, level=level, n=prep.n))
    return pd.DataFrame(rows)


def conditional_importance(data: pd.DataFrame, *, score: str = "nps", drivers: list[str],
                           weight: str | None = None, kind: str = "ols", scale=None) -> pd.DataFrame:
    """Mean R² increment of each driver when added to models with k other drivers, k = 0..p-1.

    Parameters
    ----------
    data : pandas.DataFrame
    score, drivers, weight, kind, scale
        As in :func:`cxlib.drivers.relative_importance` (at most 24 drivers for ``"ols"``, 12 for
        ``"logit"``: every sub-model is fitted).

    Returns
    -------
    pandas.DataFrame
        One row per driver and size: ``driver``, ``size`` (k), ``contribution`` (at k = 0 the driver's
        own R²; the mean over k is its Shapley value), ``n`` (rows used).

    Examples
    --------
    >>> from cxlib.data import load_responses
    >>> ci = conditional_importance(load_responses(), score="csat", drivers=["support_speed", "reliability"])
    >>> ci[["driver", "size"]].values.tolist()
    [['support_speed', 0], ['support_speed', 1], ['reliability', 0], ['reliability', 1]]
    """
    r2, prep = _all_subsets(data, score, drivers, weight, kind, scale)
    p = len(drivers)
    cond = eng.conditional_contributions(r2, p)
    return pd.DataFrame({"driver": np.repeat(list(drivers), p), "size": np.tile(np.arange(p), p),
                         "contribution": cond.ravel(), "n": prep.n})
