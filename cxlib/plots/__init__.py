"""Charts for cxlib results (seaborn style: ``data=`` first, column roles keyword-only, return the Axes).

Drawing only: every function takes a tidy table computed by ``cxlib.metrics``, ``cxlib.text``,
``cxlib.drivers`` or ``cxlib.churn`` and computes no statistics itself.
"""

from ._theme import CATEGORY_COLORS, PALETTE, SIGN_COLORS, theme

__all__ = ["CATEGORY_COLORS", "PALETTE", "SIGN_COLORS", "theme"]
