"""Importance against performance: which important drivers are rated worst ("fix first")."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import check_choice, check_confidence, describe_rows, need_columns
from .._stats import kish, t_interval, wilson
from ..data import Scale, Term, group_sums, is_table
from ..errors import DataError
from ._prepare import complete_rows
from .importance import relative_importance

__all__ = ["QUADRANTS", "importance_performance", "segment_levels"]

#: Quadrants of :func:`importance_performance` (important = share at or above the cut).
QUADRANTS = {(True, False): "fix first", (True, True): "keep", (False, False): "low priority",
             (False, True): "maintain"}
_ORDER = {"fix first": 0, "keep": 1, "maintain": 2, "low priority": 3}


def _performance(s: pd.Series, i: int, how: str, centre: float, confidence: float) -> tuple:
    """Weighted mean (t interval on n_eff − 1 df) or top-box share (Wilson on n_eff) of driver ``i`` from sums."""
    sw = float(s["sw"])
    n_eff = float(kish(sw, float(s["sw2"])))
    if how == "mean":
        d = float(s[f"s{i}"]) / sw
        var = (float(s[f"q{i}"]) / sw - d * d) * n_eff / (n_eff - 1) if n_eff > 1 else np.nan
        low, high = t_interval(centre + d, np.sqrt(max(var, 0.0) / n_eff), n_eff - 1, confidence)
        return centre + d, float(low), float(high)
    est = float(s[f"top{i}"]) / sw
    (low,), (high,) = wilson(est * n_eff, n_eff, confidence)
    return est, float(low), float(high)


def _sums(data, score, drivers, weight, scale, top: list) -> pd.Series:
    """Σw, Σw², and per driver Σw·(x − c), Σw·(x − c)², Σw·[x in the top box] over the complete rows."""
    need = tuple([score, *drivers] + ([weight] if weight else []))
    c = (scale.min + scale.max) / 2 if scale is not None else 0.0
    terms = [Term("n", present=need, count=True), Term("sw", weight=weight, wpow=1, present=need),
             Term("sw2", weight=weight, wpow=2, present=need)]
    for i, d in enumerate(drivers):
        terms += [Term(f"s{i}", factors=((d, c),), weight=weight, wpow=1, present=need),
                  Term(f"q{i}", factors=((d, c), (d, c)), weight=weight, wpow=1, present=need),
                  Term(f"top{i}", weight=weight, wpow=1, present=need, values=(d, tuple(top)))]
        if scale is not None:
            terms.append(Term(f"off{i}", present=need, outside=(d, scale.min, scale.max, False), count=True))
    return group_sums(data, terms=terms).iloc[0]


def importance_performance(data: pd.DataFrame, *, score: str = "nps", drivers: list[str],
                           importance: pd.DataFrame | None = None, performance: str = "mean",
                           driver_scale=None, top_k: int = 2, weight: str | None = None,
                           importance_cut: float | None = None, performance_cut: float | None = None,
                           confidence: float = 0.95, **kwargs) -> pd.DataFrame:
    """Importance against performance for each driver, with action quadrants.

    Performance is measured on the same rows as the importance: those complete on the score, every
    driver and the weight (listwise), so the advice rests on one base.

    Parameters
    ----------
    data : pandas.DataFrame or Ibis table
    score, drivers, weight
        As in :func:`cxlib.drivers.relative_importance`.
    importance : pandas.DataFrame, optional
        A :func:`relative_importance` table; computed with ``**kwargs`` when omitted.
    performance : {"mean", "top_box"}
        The driver's weighted mean rating, or the weighted share of ratings in its top ``top_k`` boxes
        of ``driver_scale``.
    driver_scale : Scale or (min, max), optional
        The drivers' rating scale; ratings off it raise DataError. Required for ``"top_box"``.
    importance_cut, performance_cut : float, optional
        Cross-hairs; default the average share (1 / p) and the average performance over the drivers.
    confidence : float
        Confidence level of the performance intervals.

    Returns
    -------
    pandas.DataFrame
        One row per driver, "fix first" rows first then by share: ``driver``, ``importance``, ``share``,
        ``rank``, ``sign``, ``performance``, ``performance_ci_low``, ``performance_ci_high`` (t interval
        of the weighted mean on Kish's n_eff − 1 degrees of freedom, or Wilson for top-box),
        ``performance_n`` (rows used), ``importance_cut``, ``performance_cut``, ``quadrant``: "fix first"
        (important and weak: act here), "keep" (important and strong: protect), "maintain" (less
        important, strong: do not over-invest), "low priority" (less important and weak).

    Examples
    --------
    >>> from cxlib.data import load_responses
    >>> ipa = importance_performance(load_responses(), score="nps", driver_scale=(1, 5),
    ...                              drivers=["support_speed", "ease_of_use", "billing_clarity", "product_features"])
    >>> ipa[["driver", "quadrant"]].values.tolist()[0]
    ['support_speed', 'fix first']
    """
    check_choice(performance, ("mean", "top_box"), param="performance", func="importance_performance")
    confidence = check_confidence(confidence, func="importance_performance")
    scale = None if driver_scale is None else (driver_scale if isinstance(driver_scale, Scale) else Scale(*driver_scale))
    if performance == "top_box" and scale is None:
        raise DataError("importance_performance: performance='top_box' needs driver_scale= (the rating scale)")
    if importance is None:
        importance = relative_importance(data, score=score, drivers=drivers, weight=weight, **kwargs)
    top = scale.top_box(top_k) if scale else []
    if is_table(data):
        need_columns(data, [score, *drivers] + ([weight] if weight else []), where="importance_performance")
        rows = data
    else:
        rows = complete_rows(data, score=score, drivers=drivers, weight=weight)
        for d in drivers if scale is not None else []:
            off = (rows[d] < scale.min) | (rows[d] > scale.max)
            if off.any():
                raise DataError(f"driver {d!r} must lie on its scale {scale.min}–{scale.max}; off-scale values "
                                f"in {describe_rows(off, rows[d])}")
    sums = _sums(rows, score, drivers, weight, scale, top)
    for i, d in enumerate(drivers if scale is not None else []):
        if sums[f"off{i}"]:
            ex = data.filter((data[d] < scale.min) | (data[d] > scale.max)).select(d).limit(5).execute()[d].tolist()
            raise DataError(f"driver {d!r} must lie on its scale {scale.min}–{scale.max}; off-scale values in "
                            f"{int(sums[f'off{i}'])} row(s), e.g. {ex}")
    centre = (scale.min + scale.max) / 2 if scale is not None else 0.0
    rows = []
    for i, d in enumerate(drivers):
        est, low, high = _performance(sums, i, performance, centre, confidence)
        rows.append(dict(driver=d, performance=est, performance_ci_low=low, performance_ci_high=high,
                         performance_n=int(sums["n"])))
    out = importance[["driver", "importance", "share", "rank", "sign"]].merge(pd.DataFrame(rows), on="driver")
    out["importance_cut"] = 1 / len(out) if importance_cut is None else importance_cut
    out["performance_cut"] = out["performance"].mean() if performance_cut is None else performance_cut
    out["quadrant"] = [QUADRANTS[(s >= ic, p >= pc)] for s, p, ic, pc in
                       out[["share", "performance", "importance_cut", "performance_cut"]].to_numpy()]
    order = out["quadrant"].map(_ORDER)
    return (out.assign(_o=order).sort_values(["_o", "share"], ascending=[True, False])
            .drop(columns="_o").reset_index(drop=True))


def segment_levels(data: pd.DataFrame, *, driver: str, segments, weight: str | None = None, min_n: int = 30,
                   confidence: float = 0.95) -> pd.DataFrame:
    """A driver's mean rating in every value of every segment, best first: how good it already is somewhere.

    Parameters
    ----------
    data : pandas.DataFrame
    driver : str
        The rating column.
    segments : sequence of str
        Segment columns (``cfg.segments``).
    weight : str, optional
    min_n : int
        Values with fewer ratings are flagged ``small_base``.
    confidence : float

    Returns
    -------
    pandas.DataFrame
        One row per segment value: ``segment``, ``value``, ``n``, ``mean``, ``ci_low``, ``ci_high`` (t
        interval), ``small_base``; large bases first, then by mean, highest first.

    Examples
    --------
    >>> from cxlib.data import load_responses
    >>> levels = segment_levels(load_responses(), driver="support_speed", segments=["region"])
    >>> levels["segment"].unique().tolist(), bool(levels["mean"].between(1, 5).all())
    (['region'], True)
    """
    from ..scores import by_segments

    rows = data.dropna(subset=[driver])
    t = by_segments(rows, segments=segments, metric="rating", score=driver,
                    scale=(float(rows[driver].min()), float(rows[driver].max()) + 1e-9), weight=weight,
                    min_n=min_n, confidence=confidence)
    out = t.rename(columns={"rating": "mean"})[["segment", "value", "n", "mean", "ci_low", "ci_high", "small_base"]]
    return out.sort_values(["small_base", "mean"], ascending=[True, False], kind="stable").reset_index(drop=True)
