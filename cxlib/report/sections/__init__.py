"""The monthly report's sections: each call analyses, draws and words one section as safe HTML."""

from .about import about
from .context import ReportContext, context, title
from .drivers import driver_evidence, drivers
from .money import FOLLOW_UP_FILE, customer_scores, follow_up, operations
from .scores import LABELS, headline, segment_table, trends, usable_segments, what_changed
from .voice import voice

__all__ = ["FOLLOW_UP_FILE", "LABELS", "ReportContext", "about", "context", "customer_scores", "driver_evidence",
           "drivers", "follow_up", "headline", "operations", "segment_table", "title", "trends", "usable_segments",
           "voice", "what_changed"]
