"""Charts for cxlib results (seaborn style: ``data=`` first, column roles keyword-only, return the Axes).

Drawing only: one module per analysis package (``scores``, ``comments``, ``drivers``, ``customers``,
``operations``), each taking the tidy tables that package computes; nothing here computes a statistic.
"""

from ._theme import CATEGORY_COLORS, CHANGE_COLORS, PALETTE, SIGN_COLORS, theme
from .comments import plot_codebook_accuracy, plot_sentiment_trend, plot_theme_impact, plot_theme_volumes
from .customers import plot_calibration, plot_health_distribution, plot_odds_ratios, plot_revenue_at_risk
from .drivers import plot_importance, plot_importance_by, plot_importance_performance
from .operations import plot_effect_table, plot_experiment
from .scores import plot_changes, plot_comparison, plot_distribution, plot_trend

__all__ = [
    "CATEGORY_COLORS", "CHANGE_COLORS", "PALETTE", "SIGN_COLORS", "theme",
    "plot_calibration", "plot_effect_table", "plot_experiment", "plot_health_distribution",
    "plot_odds_ratios", "plot_revenue_at_risk",
    "plot_importance", "plot_importance_by", "plot_importance_performance",
    "plot_changes", "plot_comparison", "plot_distribution", "plot_trend",
    "plot_codebook_accuracy", "plot_sentiment_trend", "plot_theme_impact", "plot_theme_volumes",
]
