"""What drives the scores: relative importance (Shapley/LMG, Johnson), dominance, importance against
performance ("fix first"), and the driver regression with its diagnostics."""

from .dominance import conditional_importance, dominance
from .importance import METHODS, importance_by, relative_importance
from .options import DriverOptions
from .performance import QUADRANTS, importance_performance, segment_levels
from .regression import DriverFit, fit_drivers

__all__ = ["METHODS", "QUADRANTS", "DriverFit", "DriverOptions", "conditional_importance", "dominance", "fit_drivers",
           "importance_by", "importance_performance", "relative_importance", "segment_levels"]
