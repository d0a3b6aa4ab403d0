"""Charts of scores with their uncertainty: trend with CI band, dot-and-whisker comparisons, NPS mix.

Drawing only: the inputs are tables from :mod:`cxlib.scores`.
Small bases (``small_base``) are drawn hollow so they never read as facts.
"""

from __future__ import annotations

import pandas as pd

from .. import periods
from .._checks import need_columns
from ._draw import ci_band, ci_err, date_axis, flags, use_ax, x_values
from ._theme import CATEGORY_COLORS, PALETTE, SIGN_COLORS

__all__ = ["plot_trend", "plot_comparison", "plot_changes", "plot_distribution"]


def plot_trend(data, *, x="period", y="nps", hue=None, ci=("ci_low", "ci_high"), ax=None, **kwargs):
    """Line per group over time with its confidence band; small bases hollow and without a band, empty
    periods as gaps.

    Parameters
    ----------
    data : pandas.DataFrame
        A :func:`cxlib.scores.trend` table.
    x, y, hue : str
        Period column, score column, optional group column.
    ci : tuple of str or None
        Band columns.
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``Axes.plot``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"period": pd.period_range("2026-01", periods=3, freq="M"), "nps": [10, 12, 8],
    ...                   "ci_low": [0, 2, -2], "ci_high": [20, 22, 18], "small_base": False})
    >>> len(plot_trend(t).lines)
    1
    """
    need_columns(data, [x, y, hue, *(ci or ())], where="plot_trend")
    ax = use_ax(ax)
    groups = data.groupby(hue, sort=False) if hue else [(None, data)]
    for i, (name, g) in enumerate(groups):
        g = g.sort_values(x)
        xs = x_values(g[x])
        color = PALETTE[i % len(PALETTE)]
        ax.plot(xs, g[y], color=color, marker="o", markersize=3, label=name, **kwargs)
        small = flags(g)
        if ci:   # a small base's interval is no fact: no band there
            ci_band(ax, xs, g[ci[0]].where(~small), g[ci[1]].where(~small), color=color)
        if small.any():
            ax.scatter(xs[small], g[y][small], facecolors="white", edgecolors=color, zorder=3, s=25)
    date_axis(ax, x_values(data[x]))
    ax.set_xlabel("")
    ax.set_ylabel(y.upper() if len(y) <= 4 else y)
    if hue:
        ax.legend(title=hue, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


def plot_comparison(data, *, x="diff", y="segment", ci=("ci_low", "ci_high"), significant="significant",
                    ref=0.0, ax=None, **kwargs):
    """Dot-and-whisker chart: one row per group, CI whiskers; significant rows filled and starred.

    Parameters
    ----------
    data : pandas.DataFrame
        A :func:`cxlib.scores.what_changed` or :func:`cxlib.scores.compare` table (or a metric table
        with ``x="nps"`` and ``significant=None``).
    x, y : str
        Value and label columns.
    ci : tuple of str
    significant : str or None
        Boolean column marking real differences.
    ref : float or None
        A reference line (0 for differences).
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``Axes.errorbar``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"segment": ["EMEA", "APAC"], "diff": [-30.0, 2.0], "ci_low": [-45.0, -8.0],
    ...                   "ci_high": [-15.0, 12.0], "significant": [True, False]})
    >>> [t.get_text() for t in plot_comparison(t).get_yticklabels()]
    ['EMEA', 'APAC']
    """
    need_columns(data, [x, y, *ci, significant], where="plot_comparison")
    ax = use_ax(ax, rows=len(data))
    d = data.reset_index(drop=True)
    pos = list(range(len(d)))[::-1]
    sig, small, err = flags(d, significant), flags(d), ci_err(d, x, ci)
    for i, r in d.iterrows():
        color = SIGN_COLORS["-" if r[x] < (ref or 0) else "+"] if sig[i] else "#777777"
        ax.errorbar(r[x], pos[i], xerr=err[:, i:i + 1], fmt="o", color=color,
                    mfc=color if sig[i] and not small[i] else "white", capsize=3, **kwargs)
        if sig[i]:
            ax.annotate("*", (r[ci[1]], pos[i]), xytext=(4, -4), textcoords="offset points", color=color)
    if ref is not None:
        ax.axvline(ref, color="#999999", linewidth=0.8, zorder=0)
    ax.set_yticks(pos, d[y].astype(str).tolist())
    ax.set_xlabel(x)
    return ax


def plot_changes(data, *, x="diff", y="segment", ax=None, **kwargs):
    """:func:`plot_comparison` for a :func:`cxlib.scores.what_changed` table, titled with its months.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"segment": ["EMEA"], "diff": [-30.0], "ci_low": [-45.0], "ci_high": [-15.0],
    ...                   "significant": [True], "month": ["2026-10"], "baseline": ["2026-07,2026-08,2026-09"]})
    >>> plot_changes(t).get_title()
    'Change Jul–Sep 2026 → Oct 2026 (* significant after Holm)'
    """
    ax = plot_comparison(data, x=x, y=y, ax=ax, **kwargs)
    if {"month", "baseline"} <= set(data.columns) and len(data):
        before = periods.label(str(data["baseline"].iloc[0]).split(","))
        ax.set_title(f"Change {before} → {periods.label(data['month'].iloc[0])} "
                     "(* significant after Holm)")
    return ax


def plot_distribution(data, *, y="touchpoint", ax=None, **kwargs):
    """Stacked horizontal bars of detractors, passives and promoters (%) per group, NPS at the end.

    Parameters
    ----------
    data : pandas.DataFrame
        A :func:`cxlib.scores.nps` table with ``pct_detractors``, ``pct_passives``, ``pct_promoters``.
    y : str
        Group column.
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``Axes.barh``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"g": ["a"], "pct_detractors": [20.0], "pct_passives": [30.0],
    ...                   "pct_promoters": [50.0], "nps": [30.0], "n": [100]})
    >>> len(plot_distribution(t, y="g").patches)
    3
    """
    cols = ["pct_detractors", "pct_passives", "pct_promoters"]
    need_columns(data, [y, *cols], where="plot_distribution")
    ax = use_ax(ax, rows=len(data))
    labels = data[y].astype(str).tolist()
    left = pd.Series(0.0, index=data.index)
    for col in cols:
        name = col.removeprefix("pct_")
        ax.barh(labels, data[col], left=left, color=CATEGORY_COLORS[name], label=name, **kwargs)
        left = left + data[col].fillna(0)
    if {"nps", "n"} <= set(data.columns):
        for lab, (_, r) in zip(labels, data.iterrows()):
            if pd.isna(r["nps"]):
                txt = f"no score (n={r['n']})"
            else:
                ci = f" [{r['ci_low']:.0f}, {r['ci_high']:.0f}]" if "ci_low" in r else ""
                small = ", small base" if bool(r.get("small_base", False)) else ""
                txt = f"NPS {r['nps']:.0f}{ci} (n={r['n']}{small})"
            ax.text(101, lab, txt, va="center", fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of answers")
    ax.legend(ncols=3, frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    return ax
