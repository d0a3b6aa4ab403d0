"""Sufficient statistics of the score tables: validated per-row terms summed per group, then finished.

Every score in :mod:`cxlib.scores.metrics` is a function of a few group sums (n, Σw, Σw² and sums of
weighted indicators or values), so a table is one validation pass, one vectorised ``groupby().sum()``
and a little arithmetic on the result. Private to :mod:`cxlib.scores`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import check_frame, check_weights, describe_rows, need_columns
from .._stats import kish
from ..data import Scale
from ..errors import DataError

__all__ = ["base_terms", "finish", "group_sums", "validate"]


def validate(data, score: str, by: list[str], weight: str | None, scale: Scale, *, integer: bool = False,
             where: str) -> tuple[np.ndarray, np.ndarray]:
    """Check the input; return the scores (float, NaN = not answered) and the weights (1 without any)."""
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
    return x, check_weights(data, weight, used=~np.isnan(x), where=where, what=f"{score!r} is answered")


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
