"""Drawing pieces shared by the ``cxlib.plots`` modules: the Axes to draw on, CI whiskers and bands,
row flags such as ``small_base``, forest rows and date axes.

Private to :mod:`cxlib.plots`; like the rest of the package it draws what a table holds and computes
no statistics (a whisker's length is only the distance from a value to its interval's ends).
"""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

__all__ = ["ci_band", "ci_err", "ci_rows", "date_axis", "flags", "use_ax", "x_values"]


def use_ax(ax=None, *, rows: int | None = None):
    """Return ``ax``, or a new Axes when it is None (tall enough for ``rows`` horizontal rows if given).

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> use_ax(ax) is ax
    True
    >>> float(round(use_ax(rows=20).figure.get_figheight(), 2))     # 0.28 inch a row plus 1
    6.6
    >>> plt.close("all")
    """
    if ax is not None:
        return ax
    width = plt.rcParams["figure.figsize"][0]
    return plt.subplots(figsize=(width, max(2.5, 0.28 * rows + 1)) if rows else None)[1]


def ci_err(data: pd.DataFrame, value: str, ci=None, *, optional: bool = False):
    """Whisker lengths below and above each value, for ``xerr``/``yerr`` of ``errorbar`` or ``barh``.

    Parameters
    ----------
    data : pandas.DataFrame
    value : str
        The value column.
    ci : tuple of str, optional
        Lower and upper interval columns; default ``{value}_ci_low`` and ``{value}_ci_high``.
    optional : bool
        Return None (no whiskers) instead of raising ``KeyError`` when a column is missing.

    Returns
    -------
    numpy.ndarray or None
        Shape (2, n), lengths below and above; negative lengths (a value outside its interval) are 0.

    Examples
    --------
    >>> t = pd.DataFrame({"share": [0.5, 0.2], "share_ci_low": [0.4, 0.25], "share_ci_high": [0.7, 0.3]})
    >>> ci_err(t, "share").round(2).tolist()
    [[0.1, 0.0], [0.2, 0.1]]
    >>> ci_err(t, "share", ("lo", "hi"), optional=True) is None
    True
    """
    low, high = ci or (f"{value}_ci_low", f"{value}_ci_high")
    if optional and not (low in data and high in data):
        return None
    v, lo, hi = (data[c].to_numpy(float, na_value=np.nan) for c in (value, low, high))
    return np.vstack([v - lo, hi - v]).clip(0)


def flags(data: pd.DataFrame, column: str | None = "small_base") -> np.ndarray:
    """A boolean array from a flag column (``small_base``, ``significant``); all False without one.

    Examples
    --------
    >>> flags(pd.DataFrame({"small_base": [True, False]})).tolist(), flags(pd.DataFrame({"n": [5]})).tolist()
    ([True, False], [False])
    """
    if column is None or column not in data:
        return np.zeros(len(data), bool)
    return data[column].astype(bool).to_numpy()


def ci_rows(ax, data: pd.DataFrame, *, x: str, labels, colors, ref: float, ci=("ci_low", "ci_high"),
            **kwargs):
    """Forest rows: a CI line and a dot per row at heights 0..n-1, a dashed reference line, row labels.

    ``**kwargs`` go to ``Axes.scatter``. Returns the Axes.

    Examples
    --------
    >>> t = pd.DataFrame({"effect": [0.3, -0.1], "ci_low": [0.1, -0.4], "ci_high": [0.5, 0.2]})
    >>> ax = ci_rows(use_ax(), t, x="effect", labels=["a", "b"], colors=["C0", "C1"], ref=0)
    >>> len(ax.lines), [t.get_text() for t in ax.get_yticklabels()]
    (3, ['a', 'b'])
    >>> plt.close("all")
    """
    for i, (low, high) in enumerate(zip(data[ci[0]], data[ci[1]])):
        ax.plot([low, high], [i, i], color=colors[i], lw=2)
    ax.scatter(data[x], range(len(data)), color=colors, zorder=3, **kwargs)
    ax.axvline(ref, color="#888888", lw=1, ls="--")
    ax.set_yticks(range(len(data)), labels)
    return ax


def x_values(s: pd.Series) -> pd.Series:
    """Periods as timestamps (matplotlib cannot place Periods); other values unchanged.

    Examples
    --------
    >>> x_values(pd.Series(pd.period_range("2026-01", periods=2, freq="M"))).dt.strftime("%Y-%m-%d").tolist()
    ['2026-01-01', '2026-02-01']
    """
    return s.dt.to_timestamp() if isinstance(s.dtype, pd.PeriodDtype) else s


def date_axis(ax, xs) -> None:
    """Compact, non-overlapping date labels on the x axis when the x values are dates; with six points
    or fewer, one tick per point (months as "Aug 2019").

    Examples
    --------
    >>> ax = use_ax()
    >>> date_axis(ax, pd.Series(pd.date_range("2025-01-01", periods=12, freq="MS")))
    >>> type(ax.xaxis.get_major_formatter()).__name__
    'ConciseDateFormatter'
    >>> date_axis(ax, pd.Series(pd.to_datetime(["2019-07-01", "2019-08-01"])))
    >>> len(ax.get_xticks())
    2
    >>> plt.close("all")
    """
    if not pd.api.types.is_datetime64_any_dtype(xs):
        return
    points = pd.Series(xs).dropna().drop_duplicates().sort_values()
    if 0 < len(points) <= 6:   # a few points: a tick at each, not day-level ticks between them
        ax.set_xticks(points.tolist())
        monthly = (points.dt.day == 1).all()
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y" if monthly else "%d %b %Y"))
        return
    locator = mdates.AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def ci_band(ax, xs, low, high, *, color, alpha: float = 0.15) -> None:
    """Shade a confidence band between ``low`` and ``high`` along ``xs`` in a line's colour.

    Examples
    --------
    >>> ax = use_ax()
    >>> ci_band(ax, [0, 1], [0, 1], [2, 3], color="C0")
    >>> len(ax.collections)
    1
    >>> plt.close("all")
    """
    ax.fill_between(xs, low, high, color=color, alpha=alpha, linewidth=0)
