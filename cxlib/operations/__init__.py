"""Operations: what slow, handed-off support tickets cost in satisfaction, and A/B pilots read out."""

from .experiments import experiment_effect, sample_size
from .journeys import OUTCOMES, handoff_effects, ops_effect_table, ops_regression, support_journeys

__all__ = ["OUTCOMES", "experiment_effect", "handoff_effects", "ops_effect_table", "ops_regression",
           "sample_size", "support_journeys"]
