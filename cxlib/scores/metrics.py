"""Survey scores with their base and their uncertainty: NPS, CSAT and CES, overall or per group.

Every function returns one row per group with the count ``n``, the Kish effective base ``n_eff``,
the score, its standard error and confidence interval, and a ``small_base`` flag. Groups whose
responses are all missing are kept with ``n = 0``, ``small_base = True``, a blank (NaN) score and a
``note`` saying why: a blank is never a score. With ``suppress=True`` the scores of every small base
are blanked the same way. The maths is vectorised (one ``groupby().sum()`` of per-row terms, in
:mod:`cxlib.scores._sums`), so a million responses cut by month × region × touchpoint take well under a
second.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import by_list, check_choice, check_confidence
from .._stats import t_crit, wilson, z_crit
from ..data import DEFAULT_SCALES
from ..errors import ParameterError
from ._sums import base_terms, finish, group_sums, validate
from .values import as_scale, nps_points

__all__ = ["METRICS", "by_segments", "ces", "csat", "nps", "score_table"]


def _inputs(data, metric: str, score: str, scale, by, weight, confidence):
    """The checked inputs of a score table: scale, confidence, group columns, answers and weights."""
    scale = as_scale(scale, DEFAULT_SCALES[metric])
    confidence = check_confidence(confidence, func=metric)
    by = by_list(by)
    x, w = validate(data, score, by, weight, scale, integer=metric == "nps", where=metric)
    return scale, confidence, by, x, w


def nps(data, *, score="nps", by=None, weight=None, ci_method="adjusted_wald", confidence=0.95, min_n=30,
        suppress=False, scale=(0, 10)) -> pd.DataFrame:
    """Net Promoter Score per group: % promoters (9–10) minus % detractors (0–6), with its CI.

    Parameters
    ----------
    data : pandas.DataFrame
    score : str
        Column of 0–10 answers (NaN = not answered).
    by : str or list of str, optional
        Group columns; rows with a missing group value are left out.
    weight : str, optional
        Survey weight column: shares are weighted and the base is the Kish effective size
        ``n_eff = (Σw)² / Σw²``.
    ci_method : {"adjusted_wald", "wald"}
        Adjusted Wald (default; Rocks 2016) adds ¾ to promoters and detractors and 3 to n before
        computing the interval, so it does not collapse when every answer is alike (one response, or 30
        promoters, would give "+100 (95% CI +100 to +100)" by Wald); it is widened to include the
        score itself where the adjustment would move it past it (tiny bases). Wald uses the trinomial
        variance ``(p + d − (p − d)²) / n_eff``.
    confidence : float
        Confidence level of the interval.
    min_n : int
        Groups with ``n_eff < min_n`` are flagged ``small_base``.
    suppress : bool
        Blank (NaN) the score columns of small bases instead of only flagging them.
    scale : Scale or tuple
        Must be 0–10 (the NPS definition); answers off it raise ``DataError``.

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, ``n`` (answers), ``n_eff`` (Kish; equals n without
        weights), ``promoters``, ``passives``, ``detractors`` (unweighted counts),
        ``pct_promoters``, ``pct_passives``, ``pct_detractors`` (weighted %, 0–100), ``nps``
        (−100..100), ``se`` (in NPS points), ``ci_low``, ``ci_high``, ``small_base`` (bool) and
        ``note`` (why a score is flagged or blank, or that every answer fell in one category; empty
        otherwise). Groups with no answers have ``n = 0``, blank scores and a note.

    Raises
    ------
    DataError
        A missing column, no rows, or answers that are not whole numbers 0–10.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"nps": [10, 9, 8, 7, 3, 10], "g": list("aaabbb")})
    >>> nps(df, by="g", min_n=2)[["g", "n", "nps", "small_base"]]
       g  n        nps  small_base
    0  a  3  66.666667       False
    1  b  3   0.000000       False
    """
    scale = as_scale(scale)
    if (scale.min, scale.max) != (0, 10):
        raise ValueError(f"NPS is defined on the 0–10 scale (promoters 9–10, detractors 0–6); got "
                         f"{scale.min}–{scale.max}. Use csat() for other scales.")
    check_choice(ci_method, ("wald", "adjusted_wald"), param="ci_method", func="nps")
    scale, confidence, by, x, w = _inputs(data, "nps", score, scale, by, weight, confidence)
    z = z_crit(confidence)
    terms = base_terms(x, w)
    points = nps_points(x).to_numpy()
    prom, det = points > 0, points < 0
    terms.update(promoters=prom.astype("int64"), detractors=det.astype("int64"),
                 passives=(points == 0).astype("int64"),
                 swp=np.where(prom, w, 0.0), swd=np.where(det, w, 0.0))
    s = group_sums(data, by, terms)
    with np.errstate(invalid="ignore", divide="ignore"):
        p, d = s["swp"] / s["sw"], s["swd"] / s["sw"]
        ne = s["sw"] ** 2 / s["sw2"]
        s["pct_promoters"], s["pct_detractors"] = 100 * p, 100 * d
        s["pct_passives"] = 100 - s["pct_promoters"] - s["pct_detractors"]
        s["nps"] = 100 * (p - d)
        s["se"] = 100 * np.sqrt(np.clip(p + d - (p - d) ** 2, 0, None) / ne)
        if ci_method == "wald":
            centre, half = s["nps"], z * s["se"]
        else:
            pa, da, na = (p * ne + 0.75) / (ne + 3), (d * ne + 0.75) / (ne + 3), ne + 3
            centre = 100 * (pa - da)
            half = z * 100 * np.sqrt((pa + da - (pa - da) ** 2) / na)
    s["ci_low"] = np.clip(np.fmin(centre - half, s["nps"]), -100, 100)
    s["ci_high"] = np.clip(np.fmax(centre + half, s["nps"]), -100, 100)
    cols = ["pct_promoters", "pct_passives", "pct_detractors", "nps", "se", "ci_low", "ci_high"]
    out = finish(s, by, ["promoters", "passives", "detractors"], cols, min_n, suppress)
    alike = (out["n"] > 1) & out[["promoters", "passives", "detractors"]].eq(out["n"], axis=0).any(axis=1)
    out.loc[alike, "note"] = (out["note"] + "; all " + out["n"].astype(str) + " answers in one category").str.lstrip("; ")
    return out


def csat(data, *, score="csat", scale=None, top_k=2, by=None, weight=None, confidence=0.95, min_n=30,
         suppress=False) -> pd.DataFrame:
    """CSAT per group: the top-``top_k``-box share (%) with a proportion CI, and the mean answer.

    Parameters
    ----------
    data : pandas.DataFrame
    score : str
        Column of answers on ``scale`` (NaN = not answered).
    scale : Scale or tuple, optional
        The answer scale and its direction (pass ``cfg.scales["csat"]``); default 1–5, higher better.
    top_k : int
        How many of the best scale points count as satisfied (the direction comes from the scale).
    by, weight, confidence, min_n, suppress
        As in :func:`nps`. The interval is Wilson's score interval; with weights it uses the weighted
        share and ``n_eff``.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``n``, ``n_eff``, ``top_box`` (unweighted count satisfied), ``csat``
        (weighted % satisfied, 0–100), ``se`` (% points), ``ci_low``, ``ci_high`` (%), ``mean``
        (weighted mean answer), ``small_base`` and ``note``.

    Examples
    --------
    >>> import pandas as pd
    >>> csat(pd.DataFrame({"csat": [5, 4, 4, 2, 1]}), scale=(1, 5), min_n=1).round(1)[["n", "csat", "ci_low", "ci_high", "mean"]]
       n  csat  ci_low  ci_high  mean
    0  5  60.0    23.1     88.2   3.2
    """
    scale, confidence, by, x, w = _inputs(data, "csat", score, scale, by, weight, confidence)
    top = np.isin(x, scale.top_box(top_k))
    terms = base_terms(x, w)
    terms.update(top_box=top.astype("int64"), swt=np.where(top, w, 0.0),
                 swx=np.where(np.isnan(x), 0.0, w * np.nan_to_num(x)))
    s = group_sums(data, by, terms)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = s["swt"] / s["sw"]
        ne = s["sw"] ** 2 / s["sw2"]
        s["csat"], s["mean"] = 100 * p, s["swx"] / s["sw"]
        s["se"] = 100 * np.sqrt(p * (1 - p) / ne)
    lo, hi = wilson((p * ne).where(s["sw"] > 0, 0.0), ne.where(s["sw"] > 0, 0.0), confidence)
    s["ci_low"], s["ci_high"] = 100 * lo, 100 * hi
    cols = ["csat", "se", "ci_low", "ci_high", "mean"]
    return finish(s, by, ["top_box"], cols, min_n, suppress)


def ces(data, *, score="ces", scale=None, top_k=3, by=None, weight=None, confidence=0.95, min_n=30,
        suppress=False) -> pd.DataFrame:
    """Customer Effort Score per group: the mean answer with a t interval, and the low-effort share.

    Parameters
    ----------
    data : pandas.DataFrame
    score : str
        Column of answers on ``scale`` (NaN = not answered).
    scale : Scale or tuple, optional
        Pass ``cfg.scales["ces"]``; default 1–7 with higher = easier. When ``higher_is_better`` is
        False (1 = least effort), low effort is the bottom of the scale.
    top_k : int
        How many of the easiest scale points count as low effort (3: 5–7 on a 1–7 agree scale).
    by, weight, confidence, min_n, suppress
        As in :func:`nps`. With weights the mean is weighted, the variance is the weighted variance
        and the t interval uses ``n_eff − 1`` degrees of freedom.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``n``, ``n_eff``, ``low_effort`` (unweighted count), ``ces`` (weighted
        mean on the scale), ``sd``, ``se``, ``ci_low``, ``ci_high`` (t interval of the mean),
        ``pct_low_effort`` (weighted %, 0–100), ``small_base`` and ``note``. A group with one answer
        has no interval (note says so).

    Examples
    --------
    >>> import pandas as pd
    >>> ces(pd.DataFrame({"ces": [7, 6, 5, 3, 4]}), scale=(1, 7), min_n=1).round(2)[["n", "ces", "ci_low", "ci_high", "pct_low_effort"]]
       n  ces  ci_low  ci_high  pct_low_effort
    0  5  5.0    3.04     6.96            60.0
    """
    scale, confidence, by, x, w = _inputs(data, "ces", score, scale, by, weight, confidence)
    low = np.isin(x, scale.top_box(top_k))
    xv = np.nan_to_num(x)
    terms = base_terms(x, w)
    terms.update(low_effort=low.astype("int64"), swl=np.where(low, w, 0.0), swx=w * xv * ~np.isnan(x),
                 swxx=w * xv * xv * ~np.isnan(x))
    s = group_sums(data, by, terms)
    with np.errstate(invalid="ignore", divide="ignore"):
        ne = s["sw"] ** 2 / s["sw2"]
        m = s["swx"] / s["sw"]
        var = np.clip(s["swxx"] / s["sw"] - m * m, 0, None) * ne / (ne - 1)
        s["ces"], s["sd"] = m, np.sqrt(var)
        s["se"] = s["sd"] / np.sqrt(ne)
        t = t_crit(confidence, ne - 1)
        s["ci_low"], s["ci_high"] = m - t * s["se"], m + t * s["se"]
        s["pct_low_effort"] = 100 * s["swl"] / s["sw"]
    cols = ["ces", "sd", "se", "ci_low", "ci_high", "pct_low_effort"]
    out = finish(s, by, ["low_effort"], cols, min_n, suppress)
    single = out["n"] == 1
    out.loc[single, "note"] = (out["note"] + "; one answer: no interval").str.lstrip("; ")
    return out


#: The score functions by metric name.
METRICS = {"nps": nps, "csat": csat, "ces": ces}


def score_table(data, *, metric="nps", **kwargs) -> pd.DataFrame:
    """The table of :func:`nps`, :func:`csat` or :func:`ces`, chosen by ``metric``.

    ``score`` (the column) defaults to the metric's canonical column; ``top_k`` is ignored for NPS.

    Returns
    -------
    pandas.DataFrame
        The chosen function's table; the score itself is in the column named ``metric``.

    Examples
    --------
    >>> import pandas as pd
    >>> score_table(pd.DataFrame({"csat": [5, 4, 1]}), metric="csat", min_n=1)["csat"].round(1).tolist()
    [66.7]
    """
    check_choice(metric, METRICS, param="metric", func="score_table")
    if metric == "nps":
        kwargs.pop("top_k", None)
    return METRICS[metric](data, **kwargs)


def by_segments(data, *, segments, metric="nps", **kwargs) -> pd.DataFrame:
    """The score cut by each segment in turn, stacked into one long table.

    Parameters
    ----------
    data : pandas.DataFrame
    segments : sequence of str
        Segment columns (e.g. ``cfg.segments``); rows missing a segment's value are left out of its cut.
    metric : {"nps", "csat", "ces"}
    **kwargs
        Passed to the metric function (``score``, ``scale``, ``weight``, ``min_n``, ``suppress``, ...).

    Returns
    -------
    pandas.DataFrame
        ``segment`` (the segment column), ``value`` (its value, as text), then every column of the
        metric's table.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"nps": [10, 0, 9, 8], "region": ["A", "A", "B", "B"], "plan": ["x"] * 4})
    >>> by_segments(df, segments=["region", "plan"], min_n=1)[["segment", "value", "n", "nps"]]
      segment value  n    nps
    0  region     A  2    0.0
    1  region     B  2   50.0
    2    plan     x  4   25.0
    """
    parts = []
    for seg in by_list(segments):
        t = score_table(data, metric=metric, by=seg, **kwargs).rename(columns={seg: "value"})
        t["value"] = t["value"].astype("str")
        t.insert(0, "segment", seg)
        parts.append(t)
    if not parts:
        raise ParameterError("by_segments needs at least one segment column in segments=")
    return pd.concat(parts, ignore_index=True)
