"""Scores with their base and uncertainty (NPS, CSAT, CES), what changed and whether it is real, seasonality."""

from .changes import compare, holm_significance, trend, what_changed
from .metrics import METRICS, by_segments, ces, csat, nps, score_table
from .seasonal import seasonal_pattern
from .values import as_scale, nps_points, respondent_values

__all__ = ["METRICS", "as_scale", "by_segments", "ces", "compare", "csat", "holm_significance", "nps", "nps_points",
           "respondent_values", "score_table", "seasonal_pattern", "trend", "what_changed"]
