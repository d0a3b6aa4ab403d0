"""Scores with their base and uncertainty (NPS, CSAT, CES, any rating, would-recommend), what changed and
whether it is real, seasonality, scale changes over time."""

from ._sums import as_scale, default_scale
from .breaks import scale_breaks
from .changes import compare, holm_significance, trend, what_changed
from .means import ces, rating
from .metrics import csat, nps, recommend
from .registry import METRICS, add_sums, by_segments, metric_sums, month_sums, score_table, table_from_sums
from .rolling import rolling
from .seasonal import seasonal_pattern
from .values import nps_category_shares, nps_points, respondent_values

__all__ = ["METRICS", "add_sums", "as_scale", "by_segments", "ces", "compare", "csat", "default_scale", "holm_significance",
           "metric_sums", "month_sums", "nps", "nps_category_shares", "nps_points", "rating", "recommend", "respondent_values",
           "rolling", "scale_breaks", "score_table", "seasonal_pattern", "table_from_sums", "trend", "what_changed"]
