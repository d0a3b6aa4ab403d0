"""Which learned sentiment model an analysis uses: a saved one, one trained on hand labels, or one learned
from the scores, in that order (a notebook names the choice once, here, instead of in a cell)."""

from __future__ import annotations

import pandas as pd

from ..data import load_labelled
from .learned import SentimentModel, _labels, load_sentiment_model, train_sentiment
from .redaction import as_text_series

__all__ = ["NO_SENTIMENT_MODEL", "choose_sentiment_model"]

#: Cross-validation folds of a model learned from the scores: each class needs this many comments.
_FOLDS = 5
#: What it means when :func:`choose_sentiment_model` returns None (for a notebook to print).
NO_SENTIMENT_MODEL = (f"No saved model, no labelled comments, and no NPS or fewer than {_FOLDS} detractors' or "
                      "promoters' comments: no learned sentiment (VADER only).")


def choose_sentiment_model(data: pd.DataFrame, *, saved=None, labelled=None, cache_dir=None,
                           brand_words=()) -> SentimentModel | None:
    """The learned sentiment model for ``data``'s comments, or None when nothing can teach one.

    The first that applies: the ``saved`` model (``cfg.comments["sentiment_model"]``); a model trained on
    the ``labelled`` comments; a model learned from ``data``'s NPS answers (detractors' comments against
    promoters', :func:`train_sentiment` with ``label_from="nps"``, when each side has at least 5 comments,
    one per cross-validation fold); else None (VADER stays the sentiment).

    Parameters
    ----------
    data : DataFrame
        Responses with ``comment`` (and ``nps`` to learn from the scores).
    saved : str, Path, dict or SentimentModel, optional
        A model written by :func:`train_sentiment` (see :func:`load_sentiment_model`); None or "": none.
    labelled : str, Path or DataFrame, optional
        Hand-labelled comments with a ``sentiment`` column, or their CSV file (relative paths resolve from
        the project root, see :func:`cxlib.data.load_labelled`); None or "": none.
    cache_dir, brand_words
        As in :func:`train_sentiment`.

    Returns
    -------
    SentimentModel or None
        Its :meth:`~SentimentModel.describe` says what it was learned from and how accurate it is.

    Examples
    --------
    >>> responses = pd.DataFrame({"comment": ["fine"], "csat": [4]})
    >>> choose_sentiment_model(responses) is None      # no saved model, no labels, no NPS
    True
    """
    if saved is not None and str(saved) != "":
        return load_sentiment_model(saved)
    if isinstance(labelled, pd.DataFrame) or (labelled is not None and str(labelled) != ""):
        frame = labelled if isinstance(labelled, pd.DataFrame) else load_labelled(labelled)
        return train_sentiment(frame, cache_dir=cache_dir, brand_words=brand_words)
    if "nps" in data and "comment" in data and data["nps"].notna().any() and _enough(data):
        return train_sentiment(data, label_from="nps", folds=_FOLDS, cache_dir=cache_dir, brand_words=brand_words)
    return None


def _enough(data: pd.DataFrame) -> bool:
    """Whether detractors and promoters each have :data:`_FOLDS` non-blank comments (a small segment may
    not: then there is nothing to learn, not an error). Answers that are no NPS raise, naming the column."""
    label, _ = _labels(data, "comment", "sentiment", "nps", None, None)
    said = as_text_series(data["comment"]).fillna("").str.strip() != ""
    counts = label[said.to_numpy()].value_counts()
    return len(counts) == 2 and int(counts.min()) >= _FOLDS
