"""Rolling bases: each window of ``k`` periods scored, and honest tests of its change.

Consecutive rolling windows share respondents (a 3-month window and the next share two months), so their
scores are not independent and the textbook ``√(se₁² + se₂²)`` overstates the noise of a change. Here
the change is linearised over the union of the two windows, as R ``survey`` does for two ratios of one
design (``svytotal`` + ``svycontrast``): each respondent's influence on both estimates,
``u_k = w (y − ȳ_k) / Σ_k w`` (zero outside window k), and

``var(ȳ₂ − ȳ₁) = N/(N − 1) · Σ (u₂ − u₁)²`` over the N respondents of the union,

whose cross term ``Σ u₁·u₂`` runs over the shared months only. Every piece is a sum of the monthly group
sums (:mod:`cxlib.scores._sums`), so it runs on any engine in one ``GROUP BY``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import by_list, check_confidence
from .._stats import adjust_p, z_test
from ..errors import ParameterError
from ..metrics import get_metric
from ._sums import sum_columns, y_sums
from ._window import _span
from .registry import metric_sums, table_from_sums

__all__ = ["rolling"]

_PER_YEAR = {"M": 12, "Q": 4, "W": 52, "Y": 1, "A": 1}


def _spans(cs: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Sums over periods ``lo..hi`` (inclusive) from the cumulative sums ``cs`` (groups, periods + 1, sums):
    NaN where the span starts before the first period, 0 where it is empty (``hi < lo``)."""
    t = cs.shape[1] - 1
    out = cs[:, np.clip(hi + 1, 0, t)] - cs[:, np.clip(lo, 0, t)]
    out[:, hi < lo] = 0.0
    out[:, lo < 0] = np.nan
    return out


def _window_sums(cube: np.ndarray, k: int, lag: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sums of the window ending at each period, of the window ending ``lag`` periods before, and of their
    overlap (``cube``: groups × periods × sums)."""
    cs = np.concatenate([np.zeros_like(cube[:, :1]), np.cumsum(cube, axis=1)], axis=1)
    end = np.arange(cube.shape[1])
    now, before = _spans(cs, end - k + 1, end), _spans(cs, end - lag - k + 1, end - lag)
    over = _spans(cs, end - k + 1, end - lag)
    over[:, end - lag - k + 1 < 0] = np.nan
    return now, before, over


def _contrast(s1: dict, s2: dict, so: dict, cols: list[str], metric: str) -> tuple[np.ndarray, np.ndarray]:
    """ȳ₂ − ȳ₁ and its linearised standard error over the union of the two windows (fractions / scale units)."""
    a, b, o = ({c: d[:, i] for i, c in enumerate(cols)} for d in (s1, s2, so))
    (y1, _, y21, yy21), (y2, _, y22, yy22), (_, _, y2o, yy2o) = (y_sums(x, metric) for x in (a, b, o))
    with np.errstate(invalid="ignore", divide="ignore"):
        m1, m2 = y1 / a["sw"], y2 / b["sw"]
        ss1 = yy21 - 2 * m1 * y21 + m1 * m1 * a["sw2"]
        ss2 = yy22 - 2 * m2 * y22 + m2 * m2 * b["sw2"]
        cross = yy2o - (m1 + m2) * y2o + m1 * m2 * o["sw2"]
        n = a["n"] + b["n"] - o["n"]
        var = n / (n - 1) * (ss1 / a["sw"] ** 2 + ss2 / b["sw"] ** 2 - 2 * cross / (a["sw"] * b["sw"]))
    return m2 - m1, np.sqrt(np.clip(var, 0, None))


def _cube(sums, by, periods, cols) -> tuple[np.ndarray, pd.DataFrame]:
    grid = pd.DataFrame({"period": periods})
    keys = sums[by].drop_duplicates().sort_values(by).reset_index(drop=True) if by else pd.DataFrame(index=[0])
    grid = keys.merge(grid, how="cross")
    full = grid.merge(sums[[*by, "period", *cols]], on=[*by, "period"], how="left").fillna(0.0)
    return full[cols].to_numpy(dtype="float64").reshape(len(keys), len(periods), len(cols)), keys


def _changes(now, before, over, cols, metric, unit) -> dict:
    diff, se = _contrast(before.reshape(-1, len(cols)), now.reshape(-1, len(cols)), over.reshape(-1, len(cols)),
                         cols, metric)
    shared = over[..., cols.index("n")].reshape(-1)
    return {"diff": unit * diff, "se": unit * se, "shared": np.nan_to_num(shared).astype("int64")}


def rolling(data, *, window=3, metric="nps", by=None, freq="M", date_col="responded_at", min_n=30,
            confidence=0.95, alpha=0.05, **metric_kwargs) -> pd.DataFrame:
    """Each rolling window's score, base and interval, and its change against the window before and the
    window a year before, tested with the overlap of the two windows accounted for.

    Parameters
    ----------
    data : pandas.DataFrame or Ibis table
    window : int
        Periods per window (3: a rolling quarter of months).
    metric : str
        A registered score (:data:`cxlib.metrics.METRICS`).
    by : str or list of str, optional
        Group columns: each group has its own windows.
    freq : {"M", "Q", "W", "Y"}
        The period; a year is 12, 4, 52 or 1 of them.
    date_col : str
    min_n : int
        Changes where either window has ``n_eff < min_n`` are not tested.
    confidence, alpha : float
        Interval level; family-wise error rate of the Holm adjustment (over the tested changes of each kind).
    **metric_kwargs
        ``score``, ``scale``, ``top_k``, ``weight``, ``variance``, ``ci_method`` as in :func:`score_table`.

    Returns
    -------
    pandas.DataFrame
        One row per group and complete window (the first ``window − 1`` periods start no window): the
        ``by`` columns, ``period`` (the window's last period), ``window_start`` (its first), then the
        metric's table (``n``, ``n_eff``, the score in the column named ``metric``, ``se``, ``ci_low``,
        ``ci_high``, ``small_base``, ``note``, ...), and per comparison ``previous`` (the window one period
        before) and ``year`` (a year before): ``diff_<c>`` (score now − then), ``se_<c>`` (linearised over
        the union of the two windows), ``shared_<c>`` (answers in both windows), ``p_<c>`` (two-sided z),
        ``p_adjusted_<c>`` (Holm) and ``significant_<c>``; blank where the earlier window is incomplete.

    Examples
    --------
    >>> from cxlib.data import load_responses
    >>> r = rolling(load_responses(), window=3)
    >>> r[["period", "window_start", "n", "shared_previous"]].tail(1).astype(str).values.tolist()
    [['2026-10', '2026-08', '3131', '2101']]
    """
    if not (isinstance(window, int) and window >= 1):
        raise ParameterError(f"The 'window' parameter of rolling must be a whole number >= 1. Got {window!r} instead.")
    per_year = _PER_YEAR.get(str(freq).upper())
    if per_year is None:
        raise ParameterError(f"The 'freq' parameter of rolling must be one of {sorted(_PER_YEAR)}. Got {freq!r} instead.")
    by, confidence = by_list(by), check_confidence(confidence, func="rolling")
    first, last = _span(data, date_col)
    sums, finish = metric_sums(data, metric=metric, by=by, period=(date_col, freq), date_col=date_col,
                               min_n=min_n, confidence=confidence, **metric_kwargs)
    periods = pd.period_range(first.to_period(freq), last.to_period(freq), freq=freq)
    cols = [c for c in sum_columns(metric) if c in sums]
    cube, keys = _cube(sums, by, periods, cols)
    unit = 1.0 if get_metric(metric).kind == "mean" else 100.0
    frame = keys.merge(pd.DataFrame({"period": periods}), how="cross")
    out = None
    for name, lag in (("previous", 1), ("year", per_year)):
        now, before, over = _window_sums(cube, window, lag)
        if out is None:
            flat = now.reshape(-1, len(cols))
            wsums = frame.assign(**{c: flat[:, i] for i, c in enumerate(cols)})
            keep = ~np.isnan(flat[:, 0])
            wsums = wsums.loc[keep].astype({c: "int64" for c in cols if c == "n" or c in get_metric(metric).counts})
            out = table_from_sums(wsums, metric=metric, by=[*by, "period"], **finish)
            out.insert(len(by) + 1, "window_start", out["period"] - (window - 1))
        ch = _changes(now, before, over, cols, metric, unit)
        ch = pd.DataFrame(ch).loc[keep].reset_index(drop=True)
        then = table_from_sums(wsums.assign(**{c: before.reshape(-1, len(cols))[keep][:, i] for i, c in
                                               enumerate(cols)}).fillna(0), metric=metric, by=[*by, "period"], **finish)
        tested = (out["n_eff"] >= min_n) & (then["n_eff"] >= min_n) & ch["se"].gt(0) & ch["diff"].notna()
        p = np.where(tested, z_test(ch["diff"], ch["se"])[1], np.nan)
        p_adj = adjust_p(p, method="holm")
        out[f"diff_{name}"], out[f"se_{name}"], out[f"shared_{name}"] = ch["diff"], ch["se"], ch["shared"]
        out[f"p_{name}"], out[f"p_adjusted_{name}"] = p, p_adj
        out[f"significant_{name}"] = tested.to_numpy() & (p_adj < alpha)
    return out
