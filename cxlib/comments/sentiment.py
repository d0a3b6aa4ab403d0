"""Comment sentiment with VADER (a valence-aware lexicon that ships inside ``vaderSentiment``, offline)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from .redaction import as_text_series

__all__ = ["NEGATIVE_AT", "POSITIVE_AT", "SENTIMENT_COLUMNS", "label_sentiment", "sentiment"]

#: VADER's recommended cut-offs for the compound score (Hutto & Gilbert, vaderSentiment README).
POSITIVE_AT, NEGATIVE_AT = 0.05, -0.05
#: The score columns :func:`sentiment` returns.
SENTIMENT_COLUMNS = ["neg", "neu", "pos", "compound"]


@lru_cache(maxsize=1)
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def label_sentiment(compound: pd.Series) -> pd.Series:
    """"positive", "negative" or "neutral" from the compound score (VADER's cut-offs); NA stays NA."""
    lab = np.where(compound >= POSITIVE_AT, "positive", np.where(compound <= NEGATIVE_AT, "negative", "neutral"))
    return pd.Series(lab, index=compound.index, dtype="str").where(compound.notna())


def sentiment(texts) -> pd.DataFrame:
    """Score each comment with VADER (valence-aware lexicon, offline).

    Parameters
    ----------
    texts : Series, list or str
        Comments; missing values give missing scores.

    Returns
    -------
    DataFrame
        Same index as ``texts``: ``neg``, ``neu``, ``pos`` (shares of the text, summing to 1),
        ``compound`` (normalised score in [-1, 1]) and ``sentiment`` ("positive" when compound >= 0.05,
        "negative" when <= -0.05, else "neutral"; VADER's recommended cut-offs).

    Examples
    --------
    >>> sentiment(["Great customer service, really helpful agent.", "Customer service was rude."]).round(3)
       neg    neu    pos  compound sentiment
    0  0.0  0.357  0.643     0.802  positive
    1  0.5  0.500  0.000    -0.459  negative
    """
    s = as_text_series(texts)
    has = s.notna()
    an = _analyzer()
    scores = [an.polarity_scores(t) for t in s[has]]
    out = pd.DataFrame(scores, index=s.index[has], columns=SENTIMENT_COLUMNS, dtype=float).reindex(s.index)
    out["sentiment"] = label_sentiment(out["compound"])
    return out


