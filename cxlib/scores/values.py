"""Per-respondent values and scales: the one coding of NPS categories, and values whose mean is a score.

Regressions, A/B tests and theme impact analyse each respondent's value; its mean is the statistic (NPS
points average to the NPS), so differences come out in the statistic's own units.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import check_choice, need_columns
from ..data import Scale, is_table
from ..errors import DataError
from ..metrics import METRICS, get_metric
from ._sums import indicators, table_scale, validate

__all__ = ["nps_category_shares", "nps_points", "respondent_values"]


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


def respondent_values(data, *, score: str, metric: str = "mean", scale=None) -> pd.Series:
    """Each respondent's value whose (weighted) mean is the statistic, in the statistic's units.

    Parameters
    ----------
    data : pandas.DataFrame
    score : str
        The column analysed.
    metric : {"nps", "csat", "recommend", "rating", "ces", "mean"}
        "nps": +100 promoter, 0 passive, −100 detractor (:func:`nps_points`; whole numbers 0–10);
        "csat": 100 for an answer in the scale's top box, else 0; "recommend": 100 for yes, 0 for no;
        "rating", "ces", "mean": the numeric answer.
    scale : Scale or tuple, optional
        For "csat" the top box (default 1–5, top 2); for "rating"/"ces" the allowed range.

    Returns
    -------
    pandas.Series or Ibis column
        float64, index of ``data``; NaN where unanswered. For an Ibis table: the column expression of
        the same values (checked by one aggregate query), to use in the table's own queries.

    Examples
    --------
    >>> import pandas as pd
    >>> respondent_values(pd.DataFrame({"ltr": [10, 7, 2]}), score="ltr", metric="nps").tolist()
    [100.0, 0.0, -100.0]
    >>> respondent_values(pd.DataFrame({"sat": [5, 3, None]}), score="sat", metric="csat").tolist()
    [100.0, 0.0, nan]
    """
    check_choice(metric, (*METRICS, "mean"), param="metric", func="respondent_values")
    kind = "mean" if metric == "mean" else get_metric(metric).kind
    if metric == "mean" or (kind == "mean" and scale is None and get_metric(metric).scale is None):
        rng, integer = Scale(-np.inf, np.inf), False
    else:
        rng, integer = table_scale(metric, scale), get_metric(metric).integer
    if is_table(data):
        return _table_values(data, score, metric, rng, integer)
    x, _ = validate(data, score, [], None, rng, integer=integer, where="respondent_values")
    values = pd.Series(x, index=data.index, dtype="float64")
    if kind == "net":
        return nps_points(values)
    if kind == "share":
        box = list(indicators(metric, rng).values())[0]
        return (100.0 * values.isin(box)).where(values.notna())
    return values


def _table_values(table, score: str, metric: str, rng: Scale, integer: bool):
    """:func:`respondent_values` as an Ibis expression, after one query checking the scale."""
    import ibis

    need_columns(table, [score], where="respondent_values")
    kind = table[score].type()
    if not (kind.is_numeric() or kind.is_boolean()):
        raise DataError(f"respondent_values: column {score!r} must hold numbers, the table holds {kind}")
    x = table[score].ifelse(1.0, 0.0) if kind.is_boolean() else table[score].cast("float64")
    off = x.notnull() & ((x < rng.min) | (x > rng.max) | ((x != x.round()) if integer else ibis.literal(False)))
    bad = int(table.aggregate(k=table.count(where=off)).execute()["k"].iloc[0])
    if bad:
        raise DataError(f"respondent_values: column {score!r}: {bad} answer(s) off the {rng.min}–{rng.max} scale "
                        f"(or not whole numbers), e.g. {table.filter(off).select(score).limit(5).execute()[score].tolist()}")
    kind = "mean" if metric == "mean" else get_metric(metric).kind
    if kind == "net":
        v = (x >= 9).ifelse(100.0, (x <= 6).ifelse(-100.0, 0.0))
    elif kind == "share":
        v = x.isin([float(p) for p in list(indicators(metric, rng).values())[0]]).ifelse(100.0, 0.0)
    else:
        v = x
    return x.isnull().ifelse(ibis.null("float64"), v)
def nps_category_shares(answers, shift=0.0) -> pd.DataFrame:
    """Each answer's chance of being a detractor, passive or promoter after adding ``shift`` points.

    An answer ``a`` on the 0–10 scale stands for the interval ``[a − ½, a + ½)``; shifted by ``shift`` and
    kept within ``[−½, 10½)``, the share of it past 6½ is passive and past 8½ promoter. With no shift each
    answer is wholly its own category; a shift of 0.3 makes an 8 a promoter with chance 0.3. A linear
    effect on the 0–10 answer (a driver regression's) thus becomes an expected change of the NPS.

    Parameters
    ----------
    answers : array-like
        0–10 answers (NaN = none).
    shift : float or array-like
        Points added to every answer (one value, or one per answer).

    Returns
    -------
    pandas.DataFrame
        ``detractor``, ``passive``, ``promoter`` (each 0–1, summing to 1; NaN where no answer).

    Examples
    --------
    >>> nps_category_shares([8, 6, 10], shift=0.3).round(2).values.tolist()
    [[0.0, 0.7, 0.3], [0.7, 0.3, 0.0], [0.0, 0.0, 1.0]]
    """
    a = pd.Series(answers, dtype="float64").to_numpy()
    lo = np.clip(a - 0.5 + shift, -0.5, 10.5)
    hi = np.clip(a + 0.5 + shift, -0.5, 10.5)
    width = np.where(hi > lo, hi - lo, 1.0)

    def part(start, end):
        return np.clip(np.minimum(hi, end) - np.maximum(lo, start), 0, None) / width

    at_top = hi <= lo          # shifted wholly past an end of the scale
    det = np.where(at_top, (lo <= -0.5).astype(float), part(-np.inf, 6.5))
    pro = np.where(at_top, (lo >= 10.5).astype(float), part(8.5, np.inf))
    out = pd.DataFrame({"detractor": det, "passive": 1 - det - pro, "promoter": pro})
    return out.where(pd.Series(~np.isnan(a)), axis=0)
