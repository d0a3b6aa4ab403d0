"""Charts for driver analysis: importance bars, importance-performance quadrants, importance by segment.

Each function draws a table from :mod:`cxlib.drivers` on the ``ax`` it is given (or a new one) and
returns the Axes; nothing is computed here beyond placing what the table holds.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from ._draw import ci_err, use_ax
from ._theme import PALETTE, SIGN_COLORS

__all__ = ["plot_importance", "plot_importance_by", "plot_importance_performance"]

QUADRANT_COLORS = {"fix first": "#D55E00", "keep": "#0072B2", "maintain": "#009E73", "low priority": "#999999"}


def plot_importance(data: pd.DataFrame, *, x: str = "share", y: str = "driver", sign: str = "sign",
                    ax=None, **kwargs):
    """Horizontal bars of driver importance, most important on top, coloured by the coefficient's sign.

    Whiskers show ``{x}_ci_low`` / ``{x}_ci_high`` when the table has them (``bootstrap > 0``).

    Parameters
    ----------
    data : pandas.DataFrame
        A :func:`cxlib.drivers.relative_importance` table.
    x, y, sign : str
        Value, label and sign ("+"/"-") columns.
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to ``Axes.barh``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"driver": ["a", "b"], "share": [0.7, 0.3], "sign": ["+", "-"]})
    >>> [t.get_text() for t in plot_importance(table).get_yticklabels()]
    ['b', 'a']
    """
    ax = use_ax(ax)
    table = data.sort_values(x, ascending=True)
    colors = [SIGN_COLORS.get(s, PALETTE[0]) for s in table[sign]] if sign in table else PALETTE[0]
    pos = np.arange(len(table))
    xerr = ci_err(table, x, optional=True)
    ax.barh(pos, table[x], color=colors, xerr=xerr, error_kw={"ecolor": "#333333", "capsize": 3}, **kwargs)
    ax.set_yticks(pos, table[y].astype(str))
    ax.set_xlabel("share of explained variance" if x == "share" else x)
    if sign in table:
        handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in SIGN_COLORS.values()]
        ax.legend(handles, ["positive effect", "negative effect"], loc="lower right", frameon=False)
    if "method" in table and "n" in table:
        ax.set_title(f"Driver importance ({table['method'].iloc[0]}, n = {int(table['n'].iloc[0]):,})")
    return ax


def _place_labels(ax, points, names) -> list:
    """Put each name beside its point where it overlaps no earlier label; return those that found no place."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    placed, left = [], []
    offsets = [(6, 5), (6, -12), (-6, 5), (-6, -12), (0, 12), (0, -16), (12, 0), (-12, 0)]
    for (px, py), name in zip(points, names):
        for dx, dy in offsets:
            text = ax.annotate(name, (px, py), textcoords="offset points", xytext=(dx, dy), fontsize=9,
                               ha="left" if dx >= 0 else "right")
            box = text.get_window_extent(renderer).expanded(1.05, 1.15)
            if all(not box.overlaps(other) for other in placed) and ax.bbox.contains(box.x0, box.y0) \
                    and ax.bbox.contains(box.x1, box.y1):
                placed.append(box)
                break
            text.remove()
        else:
            left.append(name)
    return left


def plot_importance_performance(data: pd.DataFrame, *, x: str = "performance", y: str = "share",
                                label: str = "driver", hue: str = "quadrant", n_labels: int = 3, ax=None,
                                **kwargs):
    """Importance (vertical) against performance (horizontal), cross-hairs at the cuts; the "fix first"
    drivers and the ``n_labels`` most important are named beside their points without overlapping, the
    others are numbered and listed in the legend.

    Parameters
    ----------
    data : pandas.DataFrame
        A :func:`cxlib.drivers.importance_performance` table (uses ``importance_cut``,
        ``performance_cut`` and ``performance_ci_low/high`` when present).
    x, y, label, hue : str
    n_labels : int
        How many of the most important drivers are named beside their points (besides "fix first").
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to ``seaborn.scatterplot``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"driver": ["a", "b", "c", "d", "e"], "share": [0.4, 0.3, 0.1, 0.1, 0.1],
    ...                       "performance": [3.1, 4.2, 3.5, 3.6, 3.7], "importance_cut": 0.2, "performance_cut": 3.6,
    ...                       "quadrant": ["fix first", "keep", "low priority", "maintain", "maintain"]})
    >>> ax = plot_importance_performance(table, n_labels=1)
    >>> sorted(t.get_text() for t in ax.texts)       # a (fix first), b (most important) named; c, d, e numbered
    ['1', '1 c\\n2 d\\n3 e', '2', '3', 'a', 'b']
    """
    ax = use_ax(ax)
    xerr = ci_err(data, x, optional=True)
    if xerr is not None:
        ax.errorbar(data[x], data[y], xerr=xerr, fmt="none", ecolor="#999999", lw=1)
    sns.scatterplot(data=data, x=x, y=y, hue=hue, palette=QUADRANT_COLORS if hue == "quadrant" else None,
                    s=70, ax=ax, **kwargs)
    if "importance_cut" in data:
        ax.axhline(data["importance_cut"].iloc[0], color="#666666", ls="--", lw=1)
    if "performance_cut" in data:
        ax.axvline(data["performance_cut"].iloc[0], color="#666666", ls="--", lw=1)
    ax.set_xlabel("performance (mean rating)" if x == "performance" else x)
    ax.set_ylabel("importance (share)" if y == "share" else y)
    d = data.reset_index(drop=True)
    ranked = d.sort_values(y, ascending=False).index
    named = [i for i in d.index if hue in d and d.loc[i, hue] == "fix first"]
    named += [i for i in ranked if i not in named][:n_labels]
    left = _place_labels(ax, [(d.loc[i, x], d.loc[i, y]) for i in named], [str(d.loc[i, label]) for i in named])
    numbered = [i for i in d.index if i not in named or str(d.loc[i, label]) in left]
    for k, i in enumerate(numbered, start=1):
        ax.annotate(str(k), (d.loc[i, x], d.loc[i, y]), textcoords="offset points", xytext=(4, 3), fontsize=8,
                    color="#555555")
    if numbered:
        keys = "\n".join(f"{k} {d.loc[i, label]}" for k, i in enumerate(numbered, start=1))
        ax.text(1.02, 0.0, keys, transform=ax.transAxes, fontsize=8, va="bottom", color="#333333")
    return ax


def plot_importance_by(data: pd.DataFrame, *, by: str, x: str = "share", y: str = "driver", ax=None, **kwargs):
    """Heat map of importance by driver (rows) and segment (columns); suppressed segments stay blank.

    Parameters
    ----------
    data : pandas.DataFrame
        A :func:`cxlib.drivers.importance_by` table.
    by : str
        The segment column.
    x, y : str
        Value and driver columns.
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to ``seaborn.heatmap``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"region": ["A", "A", "B", "B"], "driver": ["x", "y", "x", "y"],
    ...                       "share": [0.6, 0.4, None, None], "n": [500, 500, 20, 20]})
    >>> [t.get_text() for t in plot_importance_by(table, by="region").get_xticklabels()]
    ['A\\nn = 500', 'B\\nn = 20']
    """
    ax = use_ax(ax)
    order = data.groupby(y, sort=False)[x].mean().sort_values(ascending=False).index
    grid = data.pivot_table(index=y, columns=by, values=x, dropna=False, observed=True).reindex(order)
    if "n" in data:
        n = data.groupby(by, observed=True)["n"].first()
        grid.columns = [f"{c}\nn = {int(n[c]):,}" for c in grid.columns]
    opts = {"annot": True, "fmt": ".0%", "cmap": "Blues", "cbar": False, "linewidths": 0.5} | kwargs
    sns.heatmap(grid, ax=ax, **opts)
    ax.set_xlabel(by)
    ax.set_ylabel("")
    return ax
