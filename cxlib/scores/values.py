"""Per-respondent values and scales: the one coding of NPS categories, and values whose mean is a score.

Regressions, A/B tests and theme impact analyse each respondent's value; its mean is the statistic (NPS
points average to the NPS), so differences come out in the statistic's own units.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import check_choice
from ..data import DEFAULT_SCALES, Scale
from ._sums import validate

__all__ = ["as_scale", "nps_points", "respondent_values"]


def as_scale(scale, default: Scale | None = None) -> Scale:
    """A :class:`~cxlib.data.Scale` from a Scale, a ``(min, max[, higher_is_better])`` tuple or None.

    Examples
    --------
    >>> as_scale((1, 7, False)).top_box(3)
    [1, 2, 3]
    """
    if scale is None:
        if default is None:
            raise ValueError("a scale is needed: pass scale=Scale(min, max) or (min, max)")
        return default
    if isinstance(scale, Scale):
        return scale
    try:
        return Scale(*scale)
    except TypeError:
        raise ValueError(f"scale must be a Scale or a (min, max[, higher_is_better]) tuple, got {scale!r}") from None


def nps_points(nps) -> pd.Series:
    """Each answer's NPS contribution: +100 promoter (9–10), 0 passive (7–8), −100 detractor (0–6).

    The one place the NPS categories are coded. The mean of the points is the (unweighted) NPS, so
    they serve as a per-respondent outcome (regressions, A/B tests); their sign is the category.

    Parameters
    ----------
    nps : pandas.Series or array-like
        Answers on the 0–10 scale (NaN = not answered). Not validated: :func:`nps` does that.

    Returns
    -------
    pandas.Series
        float64 with the index of ``nps`` (a RangeIndex for arrays): 100.0, 0.0 or -100.0, NaN where
        unanswered.

    Examples
    --------
    >>> nps_points(pd.Series([10, 9, 8, 7, 6, 0, None])).tolist()
    [100.0, 100.0, 0.0, 0.0, -100.0, -100.0, nan]
    """
    s = nps if isinstance(nps, pd.Series) else pd.Series(nps, dtype="float64")
    return pd.Series(np.select([s >= 9, s <= 6], [100.0, -100.0], 0.0), index=s.index).where(s.notna())


def respondent_values(data, *, score: str, metric: str = "mean") -> pd.Series:
    """Each respondent's value whose mean is the statistic: NPS points, or the answer itself.

    Parameters
    ----------
    data : pandas.DataFrame
    score : str
        The column analysed.
    metric : {"nps", "mean"}
        "nps": +100 promoter, 0 passive, −100 detractor (:func:`nps_points`; the answers must be whole
        numbers 0–10); "mean": the numeric answer.

    Returns
    -------
    pandas.Series
        float64, index of ``data``; NaN where unanswered.

    Examples
    --------
    >>> import pandas as pd
    >>> respondent_values(pd.DataFrame({"ltr": [10, 7, 2]}), score="ltr", metric="nps").tolist()
    [100.0, 0.0, -100.0]
    """
    check_choice(metric, ("nps", "mean"), param="metric", func="respondent_values")
    x, _ = validate(data, score, [], None, DEFAULT_SCALES["nps"] if metric == "nps" else Scale(-np.inf, np.inf),
                    integer=metric == "nps", where="respondent_values")
    values = pd.Series(x, index=data.index, dtype="float64")
    return nps_points(values) if metric == "nps" else values
