"""Customers: health scores, churn risk with an honest evaluation, revenue at risk, the follow-up list."""

from .churn import ChurnModel, fit_churn_model
from .follow_up import follow_up_list
from .health import DEFAULT_WEIGHTS, NPS_CATEGORIES, SURVEY_FEATURES, as_of_bound, customer_table, health_scores
from .scenario import retention_scenario
from .scoring import CHURN_FEATURES, MIN_EVENTS, CustomerScores, score_customers
from .value import promoter_detractor_gap, revenue_at_risk

__all__ = ["CHURN_FEATURES", "DEFAULT_WEIGHTS", "MIN_EVENTS", "NPS_CATEGORIES", "SURVEY_FEATURES", "ChurnModel",
           "CustomerScores", "as_of_bound", "customer_table", "fit_churn_model", "follow_up_list",
           "health_scores", "promoter_detractor_gap", "retention_scenario", "revenue_at_risk", "score_customers"]
