"""Charts for cxlib results (seaborn style: ``data=`` first, column roles keyword-only, return the Axes).

Drawing only: every function takes a tidy table computed by ``cxlib.metrics``/``changes``, ``text``,
``drivers``, ``ops`` or ``churn`` and computes no statistics itself.
"""

from ._theme import CATEGORY_COLORS, PALETTE, SIGN_COLORS, theme
from .churn import (plot_calibration, plot_effect_table, plot_experiment, plot_health_distribution,
                    plot_odds_ratios, plot_revenue_at_risk)
from .drivers import plot_importance, plot_importance_by, plot_importance_performance
from .scores import plot_changes, plot_comparison, plot_distribution, plot_trend
from .text import plot_codebook_accuracy, plot_sentiment_trend, plot_theme_impact, plot_theme_volumes

__all__ = [
    "CATEGORY_COLORS", "PALETTE", "SIGN_COLORS", "theme",
    "plot_calibration", "plot_effect_table", "plot_experiment", "plot_health_distribution",
    "plot_odds_ratios", "plot_revenue_at_risk",
    "plot_importance", "plot_importance_by", "plot_importance_performance",
    "plot_changes", "plot_comparison", "plot_distribution", "plot_trend",
    "plot_codebook_accuracy", "plot_sentiment_trend", "plot_theme_impact", "plot_theme_volumes",
]
