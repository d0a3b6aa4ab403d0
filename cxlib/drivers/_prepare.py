"""Preparing a driver model's data: one validation of the score, driver, weight and control columns.

``prepare`` checks the columns (numeric, on scale, not constant, not collinear), drops incomplete rows
and reports how many and why, and computes the (weighted) correlation matrix every importance
measure starts from. Private to :mod:`cxlib.drivers`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from .._checks import check_frame, describe_rows, need_columns
from ..data import Scale, default_scales, is_table
from ..errors import DataError, ParameterError
from . import _engine as eng
from ._moments import prepare_table

__all__ = ["Prepared", "complete_rows", "numeric", "outcome_scale", "prepare"]


def outcome_scale(score, scale):
    """The outcome's allowed range: False = none, None = its default scale (a built-in score's, or a score
    registered since import: :func:`cxlib.data.default_scales`), else a Scale."""
    if scale is False:
        return None
    if scale is None:
        return default_scales().get(score)
    return scale if isinstance(scale, Scale) else Scale(*scale)


@dataclass
class Prepared:
    frame: pd.DataFrame          # rows used, outcome/drivers as float64 (+ controls, weight)
    x: np.ndarray
    y: np.ndarray
    w: np.ndarray | None
    n: int
    n_dropped: int
    dropped: str                 # why rows were dropped, e.g. "nps missing in 12 rows"
    r: np.ndarray                # correlation of each driver with the outcome
    corr: np.ndarray | None = None   # pairwise correlation matrix (missing="pairwise" only)
    full: np.ndarray | None = None   # listwise (weighted) correlation matrix, outcome last
    most_missing: str = ""           # the column missing in the most rows ("" when none is)
    centre: np.ndarray | None = None  # column means of the rows used (drivers, then score)
    group_moments: pd.DataFrame | None = None   # cross-product sums per jackknife group (tables)


def numeric(data: pd.DataFrame, col: str, what: str) -> pd.Series:
    s = data[col]
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        return s.astype("float64")
    num = pd.to_numeric(s, errors="coerce")
    bad = num.isna() & s.notna()
    if bad.any():
        raise DataError(f"{what} column {col!r} must be numeric; non-numeric values in {describe_rows(bad, s)}")
    return num.astype("float64")


def complete_rows(data, *, score, drivers, weight=None) -> pd.DataFrame:
    """The rows a listwise driver model uses: score, drivers (and weight) as float64, none missing."""
    check_frame(data, where="driver model")
    cols = [score, *drivers] + ([weight] if weight else [])
    need_columns(data, cols, where="driver model")
    frame = pd.DataFrame({c: numeric(data, c, "weight" if c == weight else "driver" if c in drivers else "score")
                          for c in dict.fromkeys(cols)}, index=data.index)
    return frame.dropna()


def prepare(data, *, score, drivers, weight=None, kind="ols", missing="listwise", scale=None,
            controls=(), groups=None, rows=False) -> Prepared:
    """Validate the columns of a driver model and drop incomplete rows; raise DataError naming columns.

    Returns
    -------
    Prepared
        The rows used (``frame``), the driver matrix ``x``, the scores ``y``, the weights ``w``, the
        counts ``n`` and ``n_dropped`` with the reason ``dropped``, each driver's correlation ``r`` with
        the score and the correlation matrix (``full`` listwise, ``corr`` pairwise), score last.
    """
    if not is_table(data):
        check_frame(data, where="driver model")
    if isinstance(drivers, str) or not len(drivers):
        raise DataError(f"drivers must be a non-empty list of column names, got {drivers!r}")
    drivers, controls = list(drivers), list(controls or [])
    dup = sorted({d for d in drivers if drivers.count(d) > 1} | ({score} & set(drivers)))
    if dup:
        raise DataError(f"columns {dup} appear twice among the score {score!r} and the drivers")
    if is_table(data) and (controls or rows):
        raise ParameterError("this driver model is fitted on rows (statsmodels): pass a DataFrame, e.g. "
                             "data.subset(table, month=...).to_pandas() or a bounded sample of the table")
    if is_table(data):
        full, n, dropped, reasons, most, centre, mom = prepare_table(
            data, score=score, drivers=drivers, weight=weight, kind=kind, missing=missing, scale=scale, groups=groups)
        _check_collinear(full, drivers)
        return Prepared(None, None, None, None, n, dropped, reasons, full[:-1, -1], full=full, most_missing=most,
                        centre=centre, group_moments=mom)
    cols = [score, *drivers, *controls] + ([weight] if weight else [])
    absent = [c for c in cols if c not in data.columns]
    if absent:
        raise DataError(f"columns {absent} are not in the data; available: {list(data.columns)}")
    frame = pd.DataFrame({c: numeric(data, c, "driver" if c in drivers else "score")
                          for c in [score, *drivers]}, index=data.index)
    for c in controls:
        frame[c] = data[c]
    empty = [c for c in [score, *drivers] if frame[c].isna().all()]
    if empty:
        raise DataError(f"columns {empty} have no values at all (every row is missing)")
    if scale is not None:
        off = frame[score].notna() & ~frame[score].between(scale.min, scale.max)
        if off.any():
            raise DataError(f"score {score!r} must lie on its scale {scale.min}-{scale.max}; "
                            f"off-scale values in {describe_rows(off, frame[score])}")
    if kind == "logit":
        off = frame[score].notna() & ~frame[score].isin([0.0, 1.0])
        if off.any():
            raise DataError(f"kind='logit' needs a 0/1 or boolean score; {score!r} has other values "
                            f"in {describe_rows(off, frame[score])}")
    if weight:
        frame[weight] = numeric(data, weight, "weight")
        neg = (frame[weight] < 0) | np.isinf(frame[weight])
        if neg.any():
            raise DataError(f"weight column {weight!r} must be finite and >= 0; see {describe_rows(neg, frame[weight])}")
    holes = frame.isna()
    keep = ~holes.any(axis=1)
    counts = holes.sum().sort_values(ascending=False, kind="stable")
    reasons = ", ".join(f"{c} missing in {k} rows" for c, k in counts.items() if k)
    most = str(counts.index[0]) if len(counts) and counts.iloc[0] else ""
    if missing == "pairwise":
        return _pairwise(frame, score, drivers, weight, kind, reasons, most)
    if missing != "listwise":
        raise ValueError(f"missing={missing!r}: expected 'listwise' or 'pairwise'")
    frame = frame.loc[keep] if not keep.all() else frame
    x = frame[drivers].to_numpy()
    y = frame[score].to_numpy()
    w = frame[weight].to_numpy() if weight else None
    full = _check_matrix(np.column_stack([x, y]), w, score, drivers)
    centre = np.average(np.column_stack([x, y]), axis=0, weights=w) if len(frame) else None
    return Prepared(frame, x, y, w, len(frame), int((~keep).sum()), reasons, full[:-1, -1], full=full,
                    most_missing=most, centre=centre)


def _pairwise(frame, score, drivers, weight, kind, reasons, most) -> Prepared:
    if weight or kind != "ols":
        raise ValueError("missing='pairwise' is only available for unweighted kind='ols'")
    cols = [*drivers, score]
    counts = frame[cols].notna().astype(int)
    pair_n = (counts.T @ counts).to_numpy()
    n = int(pair_n.min())
    _check_matrix(frame[cols].dropna().to_numpy(), None, score, drivers, n)
    corr = frame[cols].corr().to_numpy()
    if np.isnan(corr).any() or np.linalg.eigvalsh(corr).min() <= 1e-10:
        raise DataError(f"the pairwise correlation matrix of {cols} is not positive definite; "
                        "use missing='listwise'")
    return Prepared(frame, None, None, None, n, int(len(frame) - n), reasons, corr[:-1, -1], corr,
                    most_missing=most)


def _check_matrix(xy: np.ndarray, w, score: str, drivers: list[str], n: int | None = None) -> np.ndarray:
    """Raise DataError for too few rows, constant or collinear columns; return the correlation matrix."""
    p = len(drivers)
    n = len(xy) if n is None else n
    if n < p + 2:
        raise DataError(f"only {n} usable rows for {p} drivers {drivers}; need at least {p + 2} "
                        "(more rows than drivers + 1)")
    constant = [c for c, span in zip([*drivers, score], np.ptp(xy, axis=0)) if span == 0]
    if constant:
        raise DataError(f"columns {constant} are constant in the {n} rows used; a constant cannot "
                        "explain anything: drop it")
    full = eng.weighted_corr(xy, w)
    _check_collinear(full, drivers)
    return full


def _check_collinear(full: np.ndarray, drivers: list[str]) -> None:
    lam, vec = np.linalg.eigh(full[:-1, :-1])
    if lam[0] < 1e-10:
        involved = [d for d, v in zip(drivers, vec[:, 0]) if abs(v) > 1e-3]
        raise DataError(f"drivers {involved} are perfectly collinear (one is a linear combination of "
                        f"the others; smallest eigenvalue {lam[0]:.1e}); drop one of them")


