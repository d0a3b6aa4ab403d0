"""Discovered themes for what the codebook misses: TF-IDF + NMF topics (scikit-learn, offline)."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

from ..errors import DataError
from .codebook import load_codebook, tag_texts
from .redaction import as_text_series, redact

__all__ = ["discover_topics"]

_PLACEHOLDER = re.compile(r"\[(?:EMAIL|URL|IBAN|CARD|PHONE|NAME)\]")


def discover_topics(texts, k: int = 6, *, n_terms: int = 8, n_examples: int = 3, exclude=None,
                    min_df: int = 2, max_features: int = 5000, ngram_range=(1, 2),
                    stop_words="english", seed: int = 0) -> pd.DataFrame:
    """Find ``k`` topics in comments with TF-IDF and non-negative matrix factorisation.

    Comments are redacted first, so personal data never becomes a topic term or an example
    (placeholders such as ``[EMAIL]`` are not counted as terms).

    Parameters
    ----------
    texts : Series or list of str
        Comments; missing and blank ones are dropped.
    k : int, default 6
        Number of topics (reduced to the number of distinct comments when fewer).
    n_terms, n_examples : int
        Top terms and representative comments listed per topic.
    exclude : path, dict or Codebook, optional
        Drop comments this codebook already tags, to see what the codebook misses.
    min_df, max_features, ngram_range, stop_words
        Passed to ``sklearn.feature_extraction.text.TfidfVectorizer``.
    seed : int, default 0
        ``random_state`` of the NMF initialisation (results are deterministic for a seed).

    Returns
    -------
    DataFrame
        One row per topic, largest first: ``topic`` (1..k), ``n`` (comments whose strongest topic it
        is), ``share`` (of the comments analysed), ``n_docs`` (comments analysed), ``top_terms``
        (comma-separated, strongest first), ``examples`` (list of distinct redacted comments with the
        highest weight on the topic).

    Examples
    --------
    >>> docs = ["battery drains fast", "battery dies fast", "battery life is poor",
    ...         "screen cracked easily", "screen is too dim", "screen scratches easily"]
    >>> t = discover_topics(docs, k=2, min_df=1, n_terms=2)
    >>> sorted(t["top_terms"].str.split(", ").str[0])
    ['battery', 'screen']
    """
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer

    s = as_text_series(texts, what="discover_topics texts").dropna()
    s = s[s.str.strip().str.len() > 0]
    red = redact(s)
    if exclude is not None and len(red):
        tagged = tag_texts(red, load_codebook(exclude))
        red = red[~tagged.any(axis=1)]
    if red.nunique() < 2:
        raise DataError(f"discover_topics: need at least 2 distinct non-empty comments, got "
                         f"{red.nunique()} (of {len(red)} after dropping missing/tagged ones)")
    if k < 1:
        raise DataError(f"discover_topics: k={k}; expected a positive number of topics")
    vec = TfidfVectorizer(stop_words=stop_words, min_df=min(min_df, len(red)), max_features=max_features,
                          ngram_range=ngram_range, sublinear_tf=True, token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z']+\b")
    try:
        X = vec.fit_transform(red.str.replace(_PLACEHOLDER, " ", regex=True).tolist())
    except ValueError as exc:
        raise DataError(f"discover_topics: no usable terms in {len(red)} comments ({exc}); "
                         "lower min_df or check the comment column") from None
    k = min(k, X.shape[0], X.shape[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=500)
        W = model.fit_transform(X)
    terms = np.asarray(vec.get_feature_names_out())
    dominant = np.where(W.max(axis=1) > 0, W.argmax(axis=1), -1)
    texts_arr = red.to_numpy()
    rows = []
    for j in range(k):
        top = terms[np.argsort(-model.components_[j])[:n_terms]]
        order = np.argsort(-W[:, j], kind="stable")
        examples, seen = [], set()
        for i in order:
            if W[i, j] <= 0 or len(examples) >= n_examples:
                break
            if texts_arr[i] not in seen:
                seen.add(texts_arr[i])
                examples.append(texts_arr[i])
        n = int((dominant == j).sum())
        rows.append({"n": n, "share": n / len(red), "n_docs": len(red), "top_terms": ", ".join(top),
                     "examples": examples})
    out = pd.DataFrame(rows).sort_values("n", ascending=False, kind="stable").reset_index(drop=True)
    out.insert(0, "topic", np.arange(1, len(out) + 1))
    return out
