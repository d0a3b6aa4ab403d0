"""Comment sentiment over time beside the score: the trend line the report draws."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import by_list, check_confidence, need_columns
from .._stats import mean_ci
from ..data import add_period
from ..metrics import METRICS
from ..scores import as_scale, respondent_values
from .sentiment import NEGATIVE_AT
from .themes import _score_column

__all__ = ["sentiment_trend"]


def _bounds(metric: str, scale) -> tuple[float, float]:
    """The range a metric's respondent values live in, for clipping intervals."""
    kind = METRICS[metric].kind if metric in METRICS else "mean"
    if kind == "net":
        return -100.0, 100.0
    if kind == "share":
        return 0.0, 100.0
    if scale is not None:
        sc = as_scale(scale)
        return float(sc.min), float(sc.max)
    return -np.inf, np.inf


def sentiment_trend(data: pd.DataFrame, *, by="period", metric: str = "nps", score: str | None = None,
                    scale=None, freq: str = "M", date_col: str = "responded_at", confidence: float = 0.95,
                    min_n: int = 30) -> pd.DataFrame:
    """Mean comment sentiment beside the score, per period (or any grouping).

    Parameters
    ----------
    data : DataFrame
        Responses with a ``compound`` column (from ``comments.sentiment`` / ``comments.annotate_comments``).
    by : str or list of str, default "period"
        Grouping; "period" is made from ``date_col`` with ``freq`` when not a column.
    metric : {"nps", "csat", "recommend", "rating", "ces", "mean"}
        How the score beside sentiment is computed (see :func:`cxlib.scores.respondent_values`).
    score : str, optional
        The score column; default the metric's canonical column. When the column is absent only
        sentiment is reported.
    scale : Scale or tuple, optional
        The score's scale (CSAT's top box; the range a mean's interval is clipped to).
    freq, date_col, confidence, min_n : period frequency, date column, confidence level, small-base cut-off.

    Returns
    -------
    DataFrame
        One row per group: the ``by`` columns, ``n_comments``, ``compound_mean`` with t-interval
        ``compound_ci_low`` / ``compound_ci_high``, ``pct_negative`` (share of comments with compound
        <= -0.05), ``n_score``, ``score`` (NPS or mean) with ``score_ci_low`` / ``score_ci_high``,
        ``small_base`` (``n_comments < min_n``). Intervals are t intervals clipped to the possible
        range (sentiment −1 to 1, the score's range): tiny groups never get bands wider than the scale.

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a", "a", "b"], "compound": [0.5, -0.5, 0.2], "nps": [10, 0, 9]})
    >>> sentiment_trend(df, by="g", min_n=1)[["g", "n_comments", "compound_mean", "score"]]
       g  n_comments  compound_mean  score
    0  a           2            0.0    0.0
    1  b           1            0.2  100.0
    """
    by = by_list(by)
    confidence = check_confidence(confidence, func="sentiment_trend")
    need_columns(data, ["compound"], where="sentiment_trend (score the comments first)")
    col = _score_column(score, metric, "sentiment_trend")
    d = data
    if by == ["period"] and "period" not in d.columns:
        d = add_period(d, freq=freq, date_col=date_col)
    vals = (respondent_values(d, score=col, metric=metric, scale=scale) if col in d.columns
            else pd.Series(np.nan, index=d.index))
    lo_s, hi_s = _bounds(metric, scale)
    rows = []
    for key, g in d.assign(_v=vals).groupby(by, observed=True, sort=True):
        c = g["compound"].dropna().to_numpy(float)
        cm, _, cl, ch = mean_ci(c, confidence)
        sm, _, sl, sh = mean_ci(g["_v"], confidence)
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(by, key)), "n_comments": len(c), "compound_mean": cm,
                     "compound_ci_low": np.clip(cl, -1.0, 1.0), "compound_ci_high": np.clip(ch, -1.0, 1.0),
                     "pct_negative": (c <= NEGATIVE_AT).mean() if len(c) else np.nan,
                     "n_score": int(g["_v"].notna().sum()), "score": sm, "score_ci_low": np.clip(sl, lo_s, hi_s),
                     "score_ci_high": np.clip(sh, lo_s, hi_s), "small_base": len(c) < min_n})
    return pd.DataFrame(rows)
