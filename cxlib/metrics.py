"""Survey scores with their base and their uncertainty: NPS, CSAT and CES, overall or per group.

Every function returns one row per group with the count ``n``, the Kish effective base ``n_eff``,
the score, its standard error and confidence interval, and a ``small_base`` flag. Groups whose
responses are all missing are kept with ``n = 0``, ``small_base = True``, a blank (NaN) score and a
``note`` saying why: a blank is never a score. With ``suppress=True`` the scores of every small base
are blanked the same way. The maths is vectorised (one ``groupby().sum()`` of per-row terms), so a
million responses cut by month × region × touchpoint take well under a second.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from .config import DEFAULT_SCALES, DataError, Scale

__all__ = ["nps", "nps_points", "csat", "ces", "summarize", "as_scale", "METRICS"]


def as_scale(scale, default: Scale | None = None) -> Scale:
    """A :class:`~cxlib.config.Scale` from a Scale, a ``(min, max[, higher_is_better])`` tuple or None.

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


def _by_list(by) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _offending(mask: np.ndarray, values: pd.Series, limit: int = 5) -> str:
    idx = np.flatnonzero(mask)
    shown = ", ".join(f"{values.index[i]!r} ({values.iloc[i]!r})" for i in idx[:limit])
    more = f" and {len(idx) - limit} more" if len(idx) > limit else ""
    return f"{len(idx)} row(s), index (value): {shown}{more}"


def _validate(data, score: str, by: list[str], weight: str | None, scale: Scale,
              integer: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Check the input; return the scores (float, NaN = not answered) and the weights."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    wanted = [score, *by] + ([weight] if weight else [])
    missing = [c for c in wanted if c not in data.columns]
    if missing:
        raise DataError(f"column(s) {missing} not in data; columns are {list(data.columns)}")
    if len(data) == 0:
        raise DataError(f"no rows to score: the data given for column {score!r} are empty")
    col = data[score]
    if not (pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)):
        num = pd.to_numeric(col, errors="coerce")
        bad = (num.isna() & col.notna()).to_numpy()
        if bad.any():
            raise DataError(f"column {score!r}: expected numbers on the {scale.min}–{scale.max} "
                            f"scale, found text in {_offending(bad, col)}")
        col = num
    x = col.to_numpy(dtype="float64", na_value=np.nan)
    outside = ~np.isnan(x) & ((x < scale.min) | (x > scale.max))
    if integer:
        outside |= ~np.isnan(x) & (x % 1 != 0)
    if outside.any():
        kind = "whole numbers " if integer else ""
        raise DataError(f"column {score!r}: expected {kind}scores on the {scale.min}–{scale.max} "
                        f"scale; outside it in {_offending(outside, col)}")
    if weight:
        w = pd.to_numeric(data[weight], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        bad = ~np.isnan(x) & ~(np.isfinite(w) & (w >= 0))
        if bad.any():
            raise DataError(f"column {weight!r}: weights must be finite and ≥ 0 where {score!r} is "
                            f"answered; bad in {_offending(bad, data[weight])}")
    else:
        w = np.ones(len(x))
    return x, w


def _sums(data, by: list[str], terms: dict[str, np.ndarray]) -> pd.DataFrame:
    """Sum per-row terms per group (one vectorised groupby); rows with a missing ``by`` value drop."""
    frame = pd.DataFrame(terms, index=data.index)
    if not by:
        return pd.DataFrame({k: [v.sum()] for k, v in frame.items()})
    keys = [data[c] for c in by]
    return frame.groupby(keys, sort=True, observed=True).sum().reset_index()


def _base_terms(x: np.ndarray, w: np.ndarray) -> dict[str, np.ndarray]:
    valid = ~np.isnan(x)
    wv = np.where(valid, w, 0.0)
    return {"n": valid.astype("int64"), "sw": wv, "sw2": wv * wv}


def _finish(s: pd.DataFrame, by: list[str], counts: list[str], cols: list[str], min_n: int,
            suppress: bool) -> pd.DataFrame:
    """Add ``n_eff``, ``small_base`` and ``note``; blank empty (and, if asked, small) groups."""
    sw2 = s["sw2"].where(s["sw2"] > 0, 1.0)
    s["n_eff"] = np.where(s["sw"] > 0, s["sw"] ** 2 / sw2, 0.0)
    s["small_base"] = s["n_eff"] < min_n
    empty = s["sw"] <= 0
    small = "small base: n_eff " + s["n_eff"].round(0).astype("int64").astype("str") + f" < {min_n}"
    note = np.where(s["n"] == 0, "no answers in this group",
                    np.where(empty, "all weights are zero", np.where(s["small_base"], small, "")))
    s["note"] = pd.Series(note, index=s.index, dtype="str")
    blank = empty | (s["small_base"] & suppress)
    s.loc[blank & ~empty, "note"] = s["note"] + " (suppressed)"
    s.loc[blank, cols] = np.nan
    s["n"] = s["n"].astype("int64")
    return s[by + ["n", "n_eff", *counts, *cols, "small_base", "note"]].reset_index(drop=True)


def _z(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1 (e.g. 0.95), got {level!r}")
    return float(stats.norm.ppf(0.5 + level / 2))


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


def nps(data, *, score="nps", by=None, weight=None, ci="wald", level=0.95, min_n=30,
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
    ci : {"wald", "adjusted_wald"}
        Wald uses the trinomial variance ``(p + d − (p − d)²) / n_eff``; adjusted Wald (Rocks 2016)
        adds ¾ to promoters and detractors and 3 to n before computing the interval.
    level : float
        Confidence level.
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
        ``note`` (why a score is flagged or blank; empty otherwise). Groups with no answers have
        ``n = 0``, blank scores and a note.

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
    if ci not in ("wald", "adjusted_wald"):
        raise ValueError(f"ci must be 'wald' or 'adjusted_wald', got {ci!r}")
    z = _z(level)
    by = _by_list(by)
    x, w = _validate(data, score, by, weight, scale, integer=True)
    terms = _base_terms(x, w)
    points = nps_points(x).to_numpy()
    prom, det = points > 0, points < 0
    terms.update(promoters=prom.astype("int64"), detractors=det.astype("int64"),
                 passives=(points == 0).astype("int64"),
                 swp=np.where(prom, w, 0.0), swd=np.where(det, w, 0.0))
    s = _sums(data, by, terms)
    with np.errstate(invalid="ignore", divide="ignore"):
        p, d = s["swp"] / s["sw"], s["swd"] / s["sw"]
        ne = s["sw"] ** 2 / s["sw2"]
        s["pct_promoters"], s["pct_detractors"] = 100 * p, 100 * d
        s["pct_passives"] = 100 - s["pct_promoters"] - s["pct_detractors"]
        s["nps"] = 100 * (p - d)
        s["se"] = 100 * np.sqrt(np.clip(p + d - (p - d) ** 2, 0, None) / ne)
        if ci == "wald":
            centre, half = s["nps"], z * s["se"]
        else:
            pa, da, na = (p * ne + 0.75) / (ne + 3), (d * ne + 0.75) / (ne + 3), ne + 3
            centre = 100 * (pa - da)
            half = z * 100 * np.sqrt((pa + da - (pa - da) ** 2) / na)
    s["ci_low"] = np.clip(centre - half, -100, 100)
    s["ci_high"] = np.clip(centre + half, -100, 100)
    cols = ["pct_promoters", "pct_passives", "pct_detractors", "nps", "se", "ci_low", "ci_high"]
    return _finish(s, by, ["promoters", "passives", "detractors"], cols, min_n, suppress)


def csat(data, *, score="csat", scale=None, top_k=2, by=None, weight=None, ci="wilson",
         level=0.95, min_n=30, suppress=False) -> pd.DataFrame:
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
    by, weight, level, min_n, suppress
        As in :func:`nps`. With weights the interval uses the weighted share and ``n_eff``.
    ci : str
        Any method of ``statsmodels.stats.proportion.proportion_confint`` ("wilson", "beta",
        "agresti_coull", "normal", ...).

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
    scale = as_scale(scale, DEFAULT_SCALES["csat"])
    _z(level)
    by = _by_list(by)
    x, w = _validate(data, score, by, weight, scale)
    top = np.isin(x, scale.top_box(top_k))
    terms = _base_terms(x, w)
    terms.update(top_box=top.astype("int64"), swt=np.where(top, w, 0.0),
                 swx=np.where(np.isnan(x), 0.0, w * np.nan_to_num(x)))
    s = _sums(data, by, terms)
    ok = s["sw"] > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        p = s["swt"] / s["sw"]
        ne = s["sw"] ** 2 / s["sw2"]
        s["csat"], s["mean"] = 100 * p, s["swx"] / s["sw"]
        s["se"] = 100 * np.sqrt(p * (1 - p) / ne)
    lo, hi = np.full(len(s), np.nan), np.full(len(s), np.nan)
    if ok.any():
        lo[ok], hi[ok] = proportion_confint((p * ne)[ok], ne[ok], alpha=1 - level, method=ci)
    # rounding can leave a Wilson bound a hair beyond the estimate at p = 0 or 1
    s["ci_low"] = np.clip(np.fmin(100 * np.asarray(lo), s["csat"]), 0, 100)
    s["ci_high"] = np.clip(np.fmax(100 * np.asarray(hi), s["csat"]), 0, 100)
    cols = ["csat", "se", "ci_low", "ci_high", "mean"]
    return _finish(s, by, ["top_box"], cols, min_n, suppress)


def ces(data, *, score="ces", scale=None, top_k=3, by=None, weight=None, level=0.95, min_n=30,
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
    by, weight, level, min_n, suppress
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
    scale = as_scale(scale, DEFAULT_SCALES["ces"])
    by = _by_list(by)
    x, w = _validate(data, score, by, weight, scale)
    _z(level)
    low = np.isin(x, scale.top_box(top_k))
    xv = np.nan_to_num(x)
    terms = _base_terms(x, w)
    terms.update(low_effort=low.astype("int64"), swl=np.where(low, w, 0.0), swx=w * xv * ~np.isnan(x),
                 swxx=w * xv * xv * ~np.isnan(x))
    s = _sums(data, by, terms)
    with np.errstate(invalid="ignore", divide="ignore"):
        ne = s["sw"] ** 2 / s["sw2"]
        m = s["swx"] / s["sw"]
        var = np.clip(s["swxx"] / s["sw"] - m * m, 0, None) * ne / (ne - 1)
        s["ces"], s["sd"] = m, np.sqrt(var)
        s["se"] = s["sd"] / np.sqrt(ne)
        t = stats.t.ppf(0.5 + level / 2, np.where(ne > 1, ne - 1, np.nan))
        s["ci_low"], s["ci_high"] = m - t * s["se"], m + t * s["se"]
        s["pct_low_effort"] = 100 * s["swl"] / s["sw"]
    cols = ["ces", "sd", "se", "ci_low", "ci_high", "pct_low_effort"]
    out = _finish(s, by, ["low_effort"], cols, min_n, suppress)
    single = out["n"] == 1
    out.loc[single, "note"] = (out["note"] + "; one answer: no interval").str.lstrip("; ")
    return out


#: The score functions by metric name.
METRICS = {"nps": nps, "csat": csat, "ces": ces}


def summarize(data, *, metric="nps", **kwargs) -> pd.DataFrame:
    """Dispatch to :func:`nps`, :func:`csat` or :func:`ces` by name (``score`` defaults to ``metric``).

    Returns
    -------
    pandas.DataFrame
        The chosen function's table; the score itself is in the column named ``metric``.

    Examples
    --------
    >>> import pandas as pd
    >>> summarize(pd.DataFrame({"csat": [5, 4, 1]}), metric="csat", min_n=1)["csat"].round(1).tolist()
    [66.7]
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {sorted(METRICS)}, got {metric!r}")
    if metric == "nps":
        kwargs.pop("top_k", None)
    return METRICS[metric](data, **kwargs)
