"""Sufficient statistics of the score tables: validated per-row terms summed per group, then finished.

Every score in :mod:`cxlib.scores.metrics` is a function of a few group sums (n, Σw, Σw² and sums of
weighted indicators or values), so a table is one validation pass, one vectorised ``groupby().sum()``
and a little arithmetic on the result. Private to :mod:`cxlib.scores`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import by_list, check_confidence, check_frame, check_weights, describe_rows, need_columns
from .._stats import kish, t_crit, wilson
from ..data import DEFAULT_SCALES, Scale
from ..errors import DataError

__all__ = ["as_scale", "base_terms", "finish", "group_sums", "inputs", "mean_columns", "share_columns", "validate",
           "weighted_terms"]


def validate(data, score: str, by: list[str], weight: str | None, scale: Scale, *, integer: bool = False,
             where: str) -> tuple[np.ndarray, np.ndarray]:
    """Check the input; return the scores (float, NaN = not answered) and the weights (1 without any).

    An answer whose weight is missing counts as unanswered in weighted figures (``n`` leaves it out).
    """
    check_frame(data, where=where)
    need_columns(data, [score, *by] + ([weight] if weight else []), where=where)
    if len(data) == 0:
        raise DataError(f"{where}: no rows to score: the data given for column {score!r} are empty")
    col = data[score]
    if not (pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)):
        num = pd.to_numeric(col, errors="coerce")
        bad = num.isna() & col.notna()
        if bad.any():
            raise DataError(f"{where}: column {score!r}: expected numbers on the {scale.min}–{scale.max} "
                            f"scale, found text in {describe_rows(bad, col)}")
        col = num
    x = col.to_numpy(dtype="float64", na_value=np.nan)
    outside = ~np.isnan(x) & ((x < scale.min) | (x > scale.max))
    if integer:
        outside |= ~np.isnan(x) & (x % 1 != 0)
    if outside.any():
        kind = "whole-number " if integer else ""
        raise DataError(f"{where}: column {score!r}: expected {kind}scores on the {scale.min}–{scale.max} "
                        f"scale; outside it in {describe_rows(pd.Series(outside, index=data.index), col)}")
    if not weight:
        return x, np.ones(len(x))
    w = pd.to_numeric(data[weight], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    w = check_weights(data, weight, used=~np.isnan(x) & ~np.isnan(w), where=where, what=f"{score!r} is answered")
    x = np.where(np.isnan(w), np.nan, x)    # an answer without a weight is left out of weighted figures
    return x, w


def base_terms(x: np.ndarray, w: np.ndarray) -> dict[str, np.ndarray]:
    """The per-row terms every score needs: answered (n), weight (sw) and squared weight (sw2)."""
    valid = ~np.isnan(x)
    wv = np.where(valid, w, 0.0)
    return {"n": valid.astype("int64"), "sw": wv, "sw2": wv * wv}


def group_sums(data, by: list[str], terms: dict[str, np.ndarray]) -> pd.DataFrame:
    """Sum per-row terms per group (one vectorised groupby); rows with a missing ``by`` value drop."""
    frame = pd.DataFrame(terms, index=data.index)
    if not by:
        return pd.DataFrame({k: [v.sum()] for k, v in frame.items()})
    keys = [data[c] for c in by]
    return frame.groupby(keys, sort=True, observed=True).sum().reset_index()


def finish(s: pd.DataFrame, by: list[str], counts: list[str], cols: list[str], min_n: int,
           suppress: bool) -> pd.DataFrame:
    """Add ``n_eff``, ``small_base`` and ``note``; blank empty (and, if asked, small) groups."""
    s["n_eff"] = kish(s["sw"], s["sw2"])
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


def as_scale(scale, default: Scale | None = None) -> Scale:
    """A :class:`~cxlib.data.Scale` from a Scale, a ``(min, max[, higher_is_better[, top_k]])`` tuple or None.

    A tuple without ``top_k`` takes the top box of ``default`` (the metric's default scale).

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
        parts = tuple(scale)
        if default is not None and len(parts) < 4:   # a (min, max[, direction]) tuple keeps the metric's top box
            return Scale(*parts, top_k=default.top_k)
        return Scale(*parts)
    except TypeError:
        raise ValueError(f"scale must be a Scale or a (min, max[, higher_is_better]) tuple, got {scale!r}") from None


def inputs(data, metric: str, score: str, scale, by, weight, confidence):
    """The checked inputs of a score table: scale, confidence, group columns, answers and weights."""
    if metric == "recommend":
        return None, check_confidence(confidence, func=metric), by_list(by), *validate(
            data, score, by_list(by), weight, Scale(0, 1), integer=True, where=metric)
    if scale is None and metric not in DEFAULT_SCALES:
        raise DataError(f"{metric}: the answer scale is needed (pass scale=cfg.scales[{metric!r}] or (min, max))")
    scale = as_scale(scale, DEFAULT_SCALES.get(metric))
    confidence = check_confidence(confidence, func=metric)
    by = by_list(by)
    x, w = validate(data, score, by, weight, scale, integer=metric == "nps", where=metric)
    return scale, confidence, by, x, w


def mean_columns(s: pd.DataFrame, name: str, confidence: float) -> None:
    """Weighted mean ``name``, ``sd``, ``se`` and its t interval (n_eff − 1 df) from ``sw``, ``sw2``, ``swx``, ``swxx``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        ne = s["sw"] ** 2 / s["sw2"]
        m = s["swx"] / s["sw"]
        var = np.clip(s["swxx"] / s["sw"] - m * m, 0, None) * ne / (ne - 1)
        s[name], s["sd"] = m, np.sqrt(var)
        s["se"] = s["sd"] / np.sqrt(ne)
        t = t_crit(confidence, ne - 1)
        s["ci_low"], s["ci_high"] = m - t * s["se"], m + t * s["se"]


def share_columns(s: pd.DataFrame, name: str, key: str, confidence: float) -> None:
    """Weighted share ``name`` (%) of ``s[key] / s["sw"]`` with its se and Wilson interval on n_eff."""
    with np.errstate(invalid="ignore", divide="ignore"):
        p = s[key] / s["sw"]
        ne = s["sw"] ** 2 / s["sw2"]
        s[name] = 100 * p
        s["se"] = 100 * np.sqrt(p * (1 - p) / ne)
    lo, hi = wilson((p * ne).where(s["sw"] > 0, 0.0), ne.where(s["sw"] > 0, 0.0), confidence)
    s["ci_low"], s["ci_high"] = 100 * lo, 100 * hi


def weighted_terms(x: np.ndarray, w: np.ndarray, **indicators) -> dict[str, np.ndarray]:
    """The base terms plus Σw·x and Σw·x², and a weighted count per indicator (``sw_<name>``, ``<name>``)."""
    terms = base_terms(x, w)
    xv = np.nan_to_num(x)
    answered = ~np.isnan(x)
    terms.update(swx=w * xv * answered, swxx=w * xv * xv * answered)
    for name, flag in indicators.items():
        terms[name] = flag.astype("int64")
        terms[f"sw_{name}"] = np.where(flag, w, 0.0)
    return terms
