"""Comments beside scores: redaction, sentiment, codebook themes, what each theme costs, topics, quotes.

Everything runs offline: VADER ships its lexicon inside the ``vaderSentiment`` package.
"""

from .annotate import UNANALYSED, annotate_comments
from .codebook import PREFIX, Codebook, Theme, codebook_accuracy, load_codebook, tag_themes, theme_columns
from .quotes import quotes
from .redaction import PLACEHOLDERS, as_text_series, iban_valid, luhn_valid, redact, redact_text
from .sentiment import NEGATIVE_AT, POSITIVE_AT, label_sentiment, sentiment
from .themes import sentiment_trend, theme_impact, theme_shift, theme_volumes
from .topics import discover_topics

__all__ = [
    "NEGATIVE_AT", "PLACEHOLDERS", "POSITIVE_AT", "PREFIX", "UNANALYSED", "Codebook", "Theme", "annotate_comments",
    "as_text_series", "codebook_accuracy", "discover_topics", "iban_valid", "label_sentiment", "load_codebook",
    "luhn_valid", "quotes", "redact", "redact_text", "sentiment", "sentiment_trend", "tag_themes", "theme_columns",
    "theme_impact", "theme_shift", "theme_volumes",
]
