"""Survey scores that are means, with their base and their uncertainty: CES and any rating scale.

Both come with a t interval of the (weighted) mean on its effective base (linearised with weights, see
:func:`cxlib.metrics.estimate`), clipped to the scale (a t
interval can run past the ends of the scale on small bases; the ``note`` says when it was clipped), and
the share of answers in the scale's top box.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import by_list, check_confidence
from ..metrics import get_metric, resolve_variance
from ._sums import finish, mean_columns, score_sums, table_scale

__all__ = ["ces", "ces_from_sums", "mean_from_sums", "rating", "rating_from_sums"]


def _mean_table(data, metric: str, score, scale, top_k, by, weight, confidence, min_n, suppress,
                variance) -> pd.DataFrame:
    scale, confidence, by = table_scale(metric, scale), check_confidence(confidence, func=metric), by_list(by)
    s = score_sums(data, metric, score=score, by=by, weight=weight, scale=scale, top_k=top_k)
    return mean_from_sums(s, by, metric=metric, scale=scale, confidence=confidence, min_n=min_n, suppress=suppress,
                          variance=resolve_variance(variance, bool(weight)))


def ces_from_sums(s, by, *, scale, confidence=0.95, min_n=30, suppress=False, ci_method=None,
                  variance="kish") -> pd.DataFrame:
    """The :func:`ces` table from its group sums."""
    return mean_from_sums(s, by, metric="ces", scale=scale, confidence=confidence, min_n=min_n, suppress=suppress,
                          variance=variance)


def rating_from_sums(s, by, *, scale, confidence=0.95, min_n=30, suppress=False, ci_method=None,
                     variance="kish") -> pd.DataFrame:
    """The :func:`rating` table from its group sums."""
    return mean_from_sums(s, by, metric="rating", scale=scale, confidence=confidence, min_n=min_n,
                          suppress=suppress, variance=variance)


def mean_from_sums(s, by, *, metric, scale, confidence=0.95, min_n=30, suppress=False, ci_method=None,
                   variance="kish") -> pd.DataFrame:
    """The table of any mean score of the registry from its group sums: the mean with its t interval
    clipped to the scale (the note says when), and the share in its top box."""
    top_name = get_metric(metric).counts[0]
    pct_name = f"pct_{top_name}"
    s = s.copy()
    mean_columns(s, metric, confidence, scale, variance)
    clipped = (s["se"] > 0) & ((s["ci_low"] <= scale.min) | (s["ci_high"] >= scale.max))
    with np.errstate(invalid="ignore", divide="ignore"):
        s[pct_name] = 100 * s[f"sw_{top_name}"] / s["sw"]
    cols = [metric, "sd", "se", "ci_low", "ci_high", pct_name]
    out = finish(s, by, [top_name], cols, min_n, suppress)
    extra = np.where(out["n"] == 1, "one answer: no interval",
                     np.where(clipped.to_numpy() & out[metric].notna(), "interval clipped to the scale", ""))
    out["note"] = (out["note"] + "; " + pd.Series(extra, index=out.index)).str.strip("; ")
    return out


def ces(data, *, score="ces", scale=None, top_k=None, by=None, weight=None, confidence=0.95, min_n=30,
        suppress=False, variance=None) -> pd.DataFrame:
    """Customer Effort Score per group: the mean answer with a t interval, and the low-effort share.

    Parameters
    ----------
    data : pandas.DataFrame
    score : str
        Column of answers on ``scale`` (NaN = not answered).
    scale : Scale or tuple, optional
        Pass ``cfg.scales["ces"]``; default 1–7 with higher = easier. When ``higher_is_better`` is
        False (1 = least effort), low effort is the bottom of the scale.
    top_k : int, optional
        How many of the easiest scale points count as low effort; default the scale's ``top_k`` (3:
        5–7 on a 1–7 agree scale).
    by, weight, confidence, min_n, suppress, variance
        As in :func:`nps`. With weights the mean is weighted, ``sd`` is the weighted standard deviation,
        ``se`` the linearised standard error (or ``sd / √n_eff`` with Kish's base, ``variance="kish"``)
        and the t interval uses ``n_eff − 1`` degrees of freedom.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``n``, ``n_eff``, ``low_effort`` (unweighted count), ``ces`` (weighted
        mean on the scale), ``sd``, ``se``, ``ci_low``, ``ci_high`` (t interval of the mean, clipped to
        the scale), ``pct_low_effort`` (weighted %, 0–100), ``small_base`` and ``note``. A group with
        one answer has no interval (note says so).

    Examples
    --------
    >>> import pandas as pd
    >>> ces(pd.DataFrame({"ces": [7, 6, 5, 3, 4]}), scale=(1, 7), min_n=1).round(2)[["n", "ces", "ci_low", "ci_high", "pct_low_effort"]]
       n  ces  ci_low  ci_high  pct_low_effort
    0  5  5.0    3.04     6.96            60.0
    """
    return _mean_table(data, "ces", score, scale, top_k, by, weight, confidence, min_n, suppress, variance)


def rating(data, *, score="rating", scale=None, top_k=None, by=None, weight=None, confidence=0.95, min_n=30,
           suppress=False, variance=None) -> pd.DataFrame:
    """Any rating scale per group (an overall 1–10 rating, 1–7 satisfaction): the mean with a t interval,
    and the top-box share.

    Parameters
    ----------
    data : pandas.DataFrame
    score : str
        Column of answers on ``scale`` (NaN = not answered).
    scale : Scale or tuple
        Required: the answer scale (``cfg.scales["rating"]``), with its direction and ``top_k``.
    top_k : int, optional
        Points counted as the top box; default the scale's ``top_k``.
    by, weight, confidence, min_n, suppress, variance
        As in :func:`cxlib.scores.nps`.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``n``, ``n_eff``, ``top_box`` (unweighted count), ``rating`` (weighted mean),
        ``sd``, ``se``, ``ci_low``, ``ci_high`` (t interval, clipped to the scale), ``pct_top_box``
        (weighted %, 0–100), ``small_base`` and ``note``.

    Examples
    --------
    >>> import pandas as pd
    >>> rating(pd.DataFrame({"rating": [10, 9, 7, 3, 8]}), scale=(1, 10), min_n=1).round(2)[["n", "rating", "ci_low", "ci_high", "pct_top_box"]]
       n  rating  ci_low  ci_high  pct_top_box
    0  5     7.4    4.05     10.0         40.0
    """
    return _mean_table(data, "rating", score, scale, top_k, by, weight, confidence, min_n, suppress, variance)
