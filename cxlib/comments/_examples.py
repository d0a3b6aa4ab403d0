"""Codebook themes told by examples: a comment is tagged when it reads like one of the theme's example
comments, in any language (cosine of the multilingual embeddings, :mod:`cxlib.comments.embeddings`).

The threshold, :data:`EXAMPLE_THRESHOLD`, was chosen by measurement (``benchmarks/bench_codebook_examples.py``):
two English examples for each of four customer-service themes against 32 hand-written comments, 8 per
theme in English, German, French and Dutch, in other words than the examples (each theme's comments are
the other themes' off-theme ones), and 2,000 real book and film reviews in the same languages (the
multilingual set, off every theme). Of the thresholds 0.30, 0.32, ..., 0.70, 0.46 has the highest F1
(0.90: precision 0.96, recall 0.84) among those that tag at most 2% of the reviews (it tags 1.5%);
0.44 tags 2.7%, 0.50 recalls 0.72.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .embeddings import clean_text, embed_texts

#: Cosine similarity to the nearest example at or above which a comment is tagged (per theme: ``threshold:``).
EXAMPLE_THRESHOLD = 0.46


def check_examples(examples, theme: str, where: str, error) -> tuple[str, ...]:
    """The examples as a tuple of non-empty strings; ``error`` (an exception class) names what is wrong."""
    if examples is None:
        return ()
    if isinstance(examples, str):
        examples = [examples]
    if not isinstance(examples, list) or not all(isinstance(e, str) and e.strip() for e in examples):
        raise error(f"{where}: theme {theme!r}: examples must be a list of non-empty comment texts, "
                    f"e.g. ['Waited an hour on hold']")
    return tuple(e.strip() for e in examples)


def check_threshold(value, theme: str, where: str, error) -> float:
    """A similarity threshold in (0, 1]; the default when not given."""
    if value is None:
        return EXAMPLE_THRESHOLD
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise error(f"{where}: theme {theme!r}: threshold must be a number in (0, 1] (cosine similarity to "
                    f"the nearest example; default {EXAMPLE_THRESHOLD}). Got {value!r} instead.")
    return float(value)


def example_vectors(examples: tuple[str, ...]) -> np.ndarray:
    """Unit-length embeddings of a theme's examples, cleaned as comments are."""
    return embed_texts(clean_text(list(examples)))


def nearest(vectors: np.ndarray, examples: tuple[str, ...]) -> np.ndarray:
    """Each row's cosine similarity to its nearest example."""
    return (vectors @ example_vectors(examples).T).max(axis=1)


def similarities(texts: pd.Series, themes, vectors=None) -> dict[str, np.ndarray]:
    """For each theme with examples, each text's similarity to its nearest example (texts embedded once,
    unless their ``vectors`` are given). Nothing is embedded when no theme has examples (a regex-only
    codebook costs what it did)."""
    themes = [t for t in themes if t.examples]
    if not themes or not len(texts):
        return {t.name: np.zeros(len(texts)) for t in themes}
    if vectors is None:
        vectors = embed_texts(clean_text(texts))
    return {t.name: nearest(vectors, t.examples) for t in themes}
