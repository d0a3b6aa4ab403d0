"""Charts for driver analysis: importance bars, importance-performance quadrants, importance by segment.

Each function draws a table from :mod:`cxlib.drivers` on the ``ax`` it is given (or a new one) and
returns the Axes; nothing is computed here beyond placing what the table holds.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import MaxNLocator, PercentFormatter

from ._draw import ci_err, use_ax
from ._theme import PALETTE, SIGN_COLORS

__all__ = ["plot_importance", "plot_importance_by", "plot_importance_performance"]

QUADRANT_COLORS = {"fix first": "#D55E00", "keep": "#0072B2", "maintain": "#009E73", "low priority": "#999999"}


def plot_importance(data: pd.DataFrame, *, x: str = "share", y: str = "driver", sign: str = "sign",
                    ax=None, **kwargs):
    """Horizontal bars of driver importance, most important on top, coloured by the coefficient's sign,
    each bar labelled with its share in %.

    Whiskers show ``{x}_ci_low`` / ``{x}_ci_high`` when the table has them (``bootstrap > 0``). The axis
    reads in % for shares (``x="share"``); the legend names only the signs drawn.

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
    >>> ax = plot_importance(table)
    >>> [t.get_text() for t in ax.get_yticklabels()], ax.xaxis.get_major_formatter()(0.35, 0)
    (['b', 'a'], '35%')
    """
    ax = use_ax(ax, rows=len(data))
    table = data.sort_values(x, ascending=True)
    signs = table[sign].tolist() if sign in table else ["+"] * len(table)
    colors = [SIGN_COLORS.get(s, PALETTE[0]) for s in signs]
    pos = np.arange(len(table))
    xerr = ci_err(table, x, optional=True)
    ax.barh(pos, table[x], color=colors, xerr=xerr, error_kw={"ecolor": "#333333", "capsize": 3}, **kwargs)
    ax.set_yticks(pos, table[y].astype(str))
    ends = table[x].to_numpy(float) + (xerr[1] if xerr is not None else 0)
    share = x == "share"
    for i, (end, v) in enumerate(zip(ends, table[x])):
        ax.annotate(f"{v:.0%}" if share else f"{v:.2g}", (end, i), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize="small")
    if share:
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlim(0, max(float(np.nanmax(ends)) * 1.15, 0.05))
    ax.set_xlabel("share of what the ratings explain" if share else x)
    drawn = [s for s in SIGN_COLORS if s in signs]
    if sign in table and drawn:
        handles = [plt.Rectangle((0, 0), 1, 1, color=SIGN_COLORS[s]) for s in drawn]
        names = {"+": "rating goes with a higher score", "-": "rating goes with a lower score"}
        ax.legend(handles, [names[s] for s in drawn], loc="lower right", frameon=False, fontsize="small")
    if "method" in table and "n" in table:
        ax.set_title(f"Driver importance (n = {int(table['n'].iloc[0]):,})")
    return ax


def _place_labels(ax, points, names) -> list:
    """Put each name beside its point where it overlaps no earlier label; return those that found no place."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    placed, left = [], []
    offsets = [(6, 5), (6, -12), (-6, 5), (-6, -12), (0, 12), (0, -16), (12, 0), (-12, 0)]
    for (px, py), name in zip(points, names):
        for dx, dy in offsets:
            text = ax.annotate(name, (px, py), textcoords="offset points", xytext=(dx, dy), fontsize="medium",
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


def _rating_axis(ax, data: pd.DataFrame, x: str, scale) -> str:
    """Set the performance axis: the scale's full range, or a zoom (stated in the returned label) when the
    ratings (and their intervals) fill less than half of it or the scale is unknown."""
    cols = [c for c in (x, f"{x}_ci_low", f"{x}_ci_high") if c in data]
    lo, hi = float(np.nanmin(data[cols].to_numpy(float))), float(np.nanmax(data[cols].to_numpy(float)))
    if scale is not None and hi - lo >= 0.5 * (scale[1] - scale[0]):
        ax.set_xlim(scale[0], scale[1])
        return f"mean rating ({scale[0]:g} to {scale[1]:g})"
    step = 0.05 if hi - lo < 0.5 else 0.25
    left, right = np.floor(lo / step) * step, np.ceil(hi / step) * step
    if scale is not None:
        left, right = max(left, scale[0]), min(right, scale[1])
    ax.set_xlim(left, right)
    ax.xaxis.set_major_locator(MaxNLocator(5))
    of = f" of {scale[0]:g} to {scale[1]:g}" if scale is not None else ""
    return f"mean rating (axis zoomed to {left:.2f}–{right:.2f}{of})"


def plot_importance_performance(data: pd.DataFrame, *, x: str = "performance", y: str = "share",
                                label: str = "driver", hue: str = "quadrant", n_labels: int = 3, scale=None,
                                ax=None, **kwargs):
    """Importance (vertical, in %, from 0) against performance (horizontal), cross-hairs at the cuts; the
    "fix first" drivers and the ``n_labels`` most important are named beside their points without
    overlapping, the others are numbered and listed below the chart.

    The performance axis spans the rating scale when the ratings fill at least half of it; otherwise it
    is zoomed to the ratings and its label says so ("axis zoomed to 3.25–3.50 of 1 to 5"), so that small
    gaps do not look large unannounced. The legend lists only the quadrants drawn.

    Parameters
    ----------
    data : pandas.DataFrame
        A :func:`cxlib.drivers.importance_performance` table (uses ``importance_cut``,
        ``performance_cut`` and ``performance_ci_low/high`` when present).
    x, y, label, hue : str
    n_labels : int
        How many of the most important drivers are named beside their points (besides "fix first").
    scale : tuple of float, optional
        The drivers' rating scale ``(min, max)``.
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
    >>> ax = plot_importance_performance(table, n_labels=1, scale=(1, 5))
    >>> sorted(t.get_text() for t in ax.texts)       # a (fix first), b (most important) named; c, d, e numbered
    ['1', '1 c   2 d\\n3 e', '2', '3', 'a', 'b']
    >>> ax.get_xlabel(), [float(v) for v in ax.get_xlim()]
    ('mean rating (axis zoomed to 3.00–4.25 of 1 to 5)', [3.0, 4.25])
    """
    ax = use_ax(ax)
    xerr = ci_err(data, x, optional=True)
    if xerr is not None:
        ax.errorbar(data[x], data[y], xerr=xerr, fmt="none", ecolor="#999999", lw=1)
    palette = QUADRANT_COLORS if hue == "quadrant" else None
    sns.scatterplot(data=data, x=x, y=y, hue=hue, palette=palette, s=70, ax=ax, legend=False, **kwargs)
    if "importance_cut" in data:
        ax.axhline(data["importance_cut"].iloc[0], color="#666666", ls="--", lw=1)
    if "performance_cut" in data:
        ax.axvline(data["performance_cut"].iloc[0], color="#666666", ls="--", lw=1)
    xlabel = _rating_axis(ax, data, x, scale) if x == "performance" else x
    ax.set_xlabel(xlabel)
    if y == "share":
        ax.set_ylim(0, float(data[y].max()) * 1.15)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel("importance (share)" if y == "share" else y)
    if palette is not None:
        drawn = [q for q in QUADRANT_COLORS if q in set(data[hue])]
        ax.legend([plt.Line2D([], [], ls="", marker="o", color=QUADRANT_COLORS[q]) for q in drawn], drawn,
                  loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=min(len(drawn), 4), frameon=False,
                  fontsize="small", handletextpad=0.2, columnspacing=1.0)
    d = data.reset_index(drop=True)
    ranked = d.sort_values(y, ascending=False).index
    named = [i for i in d.index if hue in d and d.loc[i, hue] == "fix first"]
    named += [i for i in ranked if i not in named][:n_labels]
    left = _place_labels(ax, [(d.loc[i, x], d.loc[i, y]) for i in named], [str(d.loc[i, label]) for i in named])
    numbered = [i for i in d.index if i not in named or str(d.loc[i, label]) in left]
    for k, i in enumerate(numbered, start=1):
        ax.annotate(str(k), (d.loc[i, x], d.loc[i, y]), textcoords="offset points", xytext=(4, 3), fontsize="small",
                    color="#555555")
    if numbered:       # below the chart, two a line, so that the chart keeps its width on a phone
        keys = [f"{k} {d.loc[i, label]}" for k, i in enumerate(numbered, start=1)]
        text = "\n".join("   ".join(keys[j:j + 2]) for j in range(0, len(keys), 2))
        ax.text(0.0, -0.3, text, transform=ax.transAxes, fontsize="small", va="top", color="#333333")
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
