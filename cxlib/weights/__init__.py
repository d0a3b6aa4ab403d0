"""Weighting to the customer base: RIM raking to population margins (weightipy), and the weights' diagnostics."""

from .diagnostics import margins, weight_summary
from .rake import Raking, Weighting, apply_weighting, rake

__all__ = ["Raking", "Weighting", "apply_weighting", "margins", "rake", "weight_summary"]
