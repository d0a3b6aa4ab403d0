"""The monthly report's sections: each call analyses, draws and words one section as safe HTML."""

from .about import about
from .banner import banner
from .drivers import drivers
from .money import FOLLOW_UP_FILE, customer_scores, follow_up, operations
from .scores import LABELS, headline, present_scores, segment_table, trends, usable_segments, what_changed
from .voice import voice

__all__ = ["FOLLOW_UP_FILE", "LABELS", "about", "banner", "customer_scores", "drivers", "follow_up", "headline",
           "operations", "present_scores", "segment_table", "trends", "usable_segments", "voice", "what_changed"]
