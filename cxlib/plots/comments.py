"""Charts for comment analysis: theme impact, theme volumes, sentiment beside NPS, codebook accuracy.

Drawing only: each function takes a table from :mod:`cxlib.comments` and computes no statistics.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ._draw import date_axis, use_ax, x_values
from ._theme import PALETTE, SIGN_COLORS

__all__ = ["plot_codebook_accuracy", "plot_sentiment_trend", "plot_theme_impact", "plot_theme_volumes"]

_SMALL = "#BBBBBB"


def plot_theme_impact(data: pd.DataFrame, *, x: str = "points_lost", y: str = "theme",
                      ci=("points_lost_ci_low", "points_lost_ci_high"), ax=None, **kwargs):
    """Horizontal bars of a theme-impact table (``comments.theme_impact``) with confidence intervals.

    Parameters
    ----------
    data : DataFrame
        ``theme_impact`` output (one row per theme).
    x : str, default "points_lost"
        Value to draw (e.g. "diff" for the score gap); bars are coloured by sign, small bases grey.
    y : str, default "theme"
    ci : tuple of str or None
        Lower / upper interval columns (``("diff_ci_low", "diff_ci_high")`` for ``x="diff"``).
    ax : matplotlib Axes, optional
    **kwargs : passed to ``Axes.barh``.

    Returns
    -------
    Axes

    Examples
    --------
    >>> t = pd.DataFrame({"theme": ["slow", "rude"], "points_lost": [3.0, 1.0],
    ...                   "points_lost_ci_low": [2.5, 0.5], "points_lost_ci_high": [3.5, 1.5],
    ...                   "small_base": [False, True]})
    >>> plot_theme_impact(t).get_xlabel()
    'NPS points lost (theme detractors as passives)'
    """
    ax = use_ax(ax)
    d = data.iloc[::-1]
    small = d["small_base"].to_numpy(bool) if "small_base" in d else np.zeros(len(d), bool)
    # points lost are a cost (negative colour); other measures are coloured by their sign
    sign = ["-"] * len(d) if x == "points_lost" else ["+" if v >= 0 else "-" for v in d[x]]
    colors = [_SMALL if s else SIGN_COLORS[g] for g, s in zip(sign, small)]
    err = None
    if ci is not None and all(c in d for c in ci):
        err = np.clip(np.vstack([d[x] - d[ci[0]], d[ci[1]] - d[x]]), 0, None)
    ax.barh(d[y].astype(str), d[x], xerr=err, color=colors, ecolor="#444444", capsize=2, **kwargs)
    ax.axvline(0, color="#444444", lw=0.8)
    labels = {"points_lost": "NPS points lost (theme detractors as passives)",
              "diff": "score with theme minus without", "share": "share of comments"}
    ax.set_xlabel(labels.get(x, x))
    ax.set_ylabel("")
    if small.any():
        ax.text(1, -0.12, "grey: small base, read as anecdote", transform=ax.transAxes, ha="right",
                fontsize=8, color="#666666")
    return ax


def plot_theme_volumes(data: pd.DataFrame, *, x: str = "period", y: str = "share", hue: str = "theme",
                       ci=("ci_low", "ci_high"), ax=None, **kwargs):
    """Lines of theme shares over time (``comments.theme_volumes(..., by=["period"])``) with CI bands.

    Parameters
    ----------
    data : DataFrame
        ``theme_volumes`` output with an ``x`` column.
    x, y, hue : str
        Columns for the horizontal axis, the share and the line grouping.
    ci : tuple of str or None
        Band columns.
    ax : matplotlib Axes, optional
    **kwargs : passed to ``Axes.plot``.

    Returns
    -------
    Axes

    Examples
    --------
    >>> t = pd.DataFrame({"period": pd.period_range("2026-08", periods=3, freq="M"), "theme": "slow",
    ...                   "share": [0.1, 0.1, 0.3], "ci_low": [0.05] * 3, "ci_high": [0.4] * 3})
    >>> len(plot_theme_volumes(t).get_lines())
    1
    """
    ax = use_ax(ax)
    for i, (name, g) in enumerate(data.groupby(hue, sort=False)):
        color = PALETTE[i % len(PALETTE)]
        xs = x_values(g[x])
        ax.plot(xs, g[y], label=str(name), color=color, **kwargs)
        if ci is not None and all(c in g for c in ci):
            ax.fill_between(xs, g[ci[0]], g[ci[1]], color=color, alpha=0.15, lw=0)
    ax.set_ylabel("share of comments")
    ax.set_xlabel("")
    date_axis(ax, x_values(data[x]))
    ax.legend(title=hue, fontsize=8, frameon=False)
    return ax


def plot_sentiment_trend(data: pd.DataFrame, *, x: str = "period", y: str = "compound_mean",
                         score: str = "score", score_label: str = "NPS", ax=None, score_ax=None, **kwargs):
    """Mean comment sentiment over time (with its CI band) and the score in a panel of its own below:
    one y axis per panel, never two scales on one chart.

    Parameters
    ----------
    data : DataFrame
        ``comments.sentiment_trend`` output.
    x, y, score : str
        Period, sentiment and score columns; bands use ``<y minus _mean>_ci_low/high`` and
        ``score_ci_low/high`` when present.
    score_label : str
        The score's name on its panel's axis.
    ax, score_ax : matplotlib Axes, optional
        The sentiment panel and the score panel. With neither, a new figure with both panels (the
        score's only when the table has scores); with ``ax`` alone, sentiment only.
    **kwargs : passed to the sentiment ``Axes.plot``.

    Returns
    -------
    Axes
        The sentiment panel (the score panel is ``score_ax``, or the figure's second Axes).

    Examples
    --------
    >>> t = pd.DataFrame({"period": pd.period_range("2026-09", periods=2, freq="M"),
    ...                   "compound_mean": [0.1, 0.0], "score": [20.0, 10.0]})
    >>> ax = plot_sentiment_trend(t)
    >>> ax.get_ylabel(), ax.figure.axes[1].get_ylabel()
    ('sentiment', 'NPS')
    """
    has_score = score in data and data[score].notna().any()
    if ax is None and score_ax is None and has_score:
        width = plt.rcParams["figure.figsize"][0]
        ax, score_ax = plt.subplots(2, 1, sharex=True, figsize=(width, 4.5))[1]
    ax = use_ax(ax)
    xs = x_values(data[x])
    ax.plot(xs, data[y], color=PALETTE[0], marker="o", markersize=3, **kwargs)
    stem = y[:-5] if y.endswith("_mean") else y
    if f"{stem}_ci_low" in data and f"{stem}_ci_high" in data:
        ax.fill_between(xs, data[f"{stem}_ci_low"], data[f"{stem}_ci_high"], color=PALETTE[0], alpha=0.15, lw=0)
    ax.set_ylabel("sentiment")
    low, high = ax.get_ylim()      # a zoom is stated: the scale runs from -1 to +1
    ax.text(0.01, 0.97, f"axis zoomed to {low:.2f} to {high:.2f} of the -1 to +1 scale", transform=ax.transAxes,
            fontsize=8, va="top", color="#555555")
    ax.set_xlabel("")
    date_axis(ax, xs)
    if score_ax is not None and has_score:
        score_ax.plot(xs, data[score], color=PALETTE[1], marker="o", markersize=3)
        if "score_ci_low" in data and "score_ci_high" in data:
            score_ax.fill_between(xs, data["score_ci_low"], data["score_ci_high"], color=PALETTE[1], alpha=0.15,
                                  lw=0)
        score_ax.set_ylabel(score_label if score == "score" else score)
        score_ax.set_xlabel("")
        date_axis(score_ax, xs)
    return ax


def plot_codebook_accuracy(data: pd.DataFrame, *, y: str = "theme", ax=None, **kwargs):
    """Precision and recall per theme (``text.codebook_accuracy``) as dots with Wilson intervals.

    Parameters
    ----------
    data : DataFrame
        ``codebook_accuracy`` output.
    y : str, default "theme"
    ax : matplotlib Axes, optional
    **kwargs : passed to ``Axes.errorbar``.

    Returns
    -------
    Axes

    Examples
    --------
    >>> t = pd.DataFrame({"theme": ["slow"], "precision": [0.9], "precision_ci_low": [0.8],
    ...                   "precision_ci_high": [0.95], "recall": [0.7], "recall_ci_low": [0.6],
    ...                   "recall_ci_high": [0.8]})
    >>> [float(v) for v in plot_codebook_accuracy(t).get_xlim()]
    [0.0, 1.02]
    """
    ax = use_ax(ax)
    pos = np.arange(len(data))
    for off, what, color in ((-0.15, "precision", PALETTE[0]), (0.15, "recall", PALETTE[1])):
        v = data[what]
        err = np.clip(np.vstack([v - data[f"{what}_ci_low"], data[f"{what}_ci_high"] - v]), 0, None)
        ax.errorbar(v, pos + off, xerr=err, fmt="o", color=color, label=what, capsize=2, **kwargs)
    ax.set_yticks(pos, data[y].astype(str))
    ax.invert_yaxis()
    ax.set_xlim(0, 1.02)
    ax.set_xlabel("against the hand-labelled sample (95% Wilson CI)")
    ax.legend(frameon=False, fontsize=8)
    return ax
