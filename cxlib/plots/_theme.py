"""One theme and one colour-blind-safe palette for every cxlib chart."""

from __future__ import annotations

__all__ = ["CATEGORY_COLORS", "CHANGE_COLORS", "PALETTE", "SIGN_COLORS", "theme"]

# Okabe & Ito (2008) colour-blind-safe palette.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]

#: NPS categories: detractors, passives, promoters.
CATEGORY_COLORS = {"detractors": "#D55E00", "passives": "#BBBBBB", "promoters": "#0072B2"}

#: Positive / negative effects.
SIGN_COLORS = {"+": "#0072B2", "-": "#D55E00"}

#: A real rise, a real drop, and a move within noise: the same colours in the report's text, tables
#: (report.css: --up, --down, --noise) and charts.
CHANGE_COLORS = {"up": "#0072B2", "down": "#D55E00", "noise": "#8A8A8A"}


def theme():
    """Return the seaborn/matplotlib rc settings shared by every cxlib chart.

    Returns
    -------
    dict
        Keyword arguments for ``seaborn.set_theme`` (``style``, ``palette``, ``rc``).

    Examples
    --------
    >>> sorted(theme())
    ['palette', 'rc', 'style']
    """
    return {
        "style": "whitegrid",
        "palette": PALETTE,
        "rc": {
            "figure.figsize": (8, 4),
            "figure.dpi": 100,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titleweight": "bold",
            "font.size": 10,
        },
    }
