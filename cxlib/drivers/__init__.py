"""What drives the scores: relative importance (Shapley/LMG, Johnson), dominance, importance against
performance ("fix first"), the driver regression with its diagnostics, and the options of multiple-response
questions read like themes."""

from .dominance import conditional_importance, dominance
from .fitting import DriverOptions
from .importance import METHODS, importance_by, relative_importance
from .options import option_impact
from .performance import QUADRANTS, importance_performance, segment_levels
from .regression import DriverFit, fit_drivers

__all__ = ["METHODS", "QUADRANTS", "DriverFit", "DriverOptions", "conditional_importance", "dominance", "fit_drivers",
           "importance_by", "importance_performance", "option_impact", "relative_importance", "segment_levels"]
