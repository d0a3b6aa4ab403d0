"""The monthly report's sections: each call analyses, draws and words one section as safe HTML.

:func:`context` fixes the report's scope once; the story and every section read the results it
computes, so the summary's numbers are the sections' numbers.
"""

from .about import about
from .banner import banner
from .breaks import scale_changes, scale_notes
from .context import ReportContext, context, title
from .experiment import effect_sentence, experiment, experiment_results
from .drivers import driver_evidence, driver_fit, driver_inputs, driver_results, drivers
from .options import option_drivers, option_results
from .plan import PLAN, Plan, needs, scope_line, seasons, window_months
from .money import (FOLLOW_UP_FILE, customer_scores, follow_up, follow_up_results, money_results, operations,
                    operations_results)
from .results import RESULTS_FILE, result_set, save_results
from .scores import changes_table, headline, trends, usable_segments, what_changed
from .segments import segment_table
from .story import SECTION_IDS, findings, story
from .voice import theme_results, voice
from .worth import scenario, worth

__all__ = ["FOLLOW_UP_FILE", "PLAN", "Plan", "RESULTS_FILE", "SECTION_IDS", "ReportContext", "about", "banner", "changes_table", "context",
           "customer_scores", "driver_evidence", "driver_fit", "effect_sentence", "experiment", "experiment_results", "driver_inputs", "driver_results", "drivers", "findings", "follow_up", "follow_up_results", "headline", "money_results", "needs",
           "operations", "operations_results", "option_drivers", "option_results", "result_set", "save_results", "scale_changes", "scale_notes", "scenario", "scope_line", "seasons", "segment_table", "story", "theme_results", "title", "trends", "usable_segments",
           "voice", "what_changed", "window_months", "worth"]
