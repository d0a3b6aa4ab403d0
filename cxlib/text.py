"""Comments beside scores: redaction, VADER sentiment, codebook themes, quotes, with a cache.

This is the entry point for comment analysis; it re-exports the pieces that live in small modules:
:func:`redact` (``cxlib.redact``), :func:`load_codebook`, :func:`tag_themes`, :func:`codebook_accuracy`
(``cxlib.codebook``), :func:`discover_topics` (``cxlib.topics``), :func:`theme_impact`,
:func:`theme_volumes`, :func:`theme_shift`, :func:`sentiment_trend` (``cxlib.themes``).

Everything runs offline: VADER ships its lexicon inside the ``vaderSentiment`` package.
"""

from __future__ import annotations

import html
import os
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from . import dataset
from .codebook import (PREFIX, Codebook, codebook_accuracy, load_codebook, load_labelled, tag_themes,
                       theme_columns, _tag_texts)
from .redact import as_text_series, redact
from .themes import sentiment_trend, theme_impact, theme_shift, theme_volumes
from .topics import discover_topics

__all__ = [
    "annotate_comments", "codebook_accuracy", "discover_topics", "load_codebook", "load_labelled",
    "quotes", "redact", "sentiment", "sentiment_trend", "tag_themes", "theme_columns", "theme_impact",
    "theme_shift", "theme_volumes", "to_html_safe",
]

#: VADER's recommended cut-offs for the compound score (Hutto & Gilbert, vaderSentiment README).
POSITIVE_AT, NEGATIVE_AT = 0.05, -0.05
_SENT_COLS = ["neg", "neu", "pos", "compound"]
_CACHE_VERSION = "v1"


@lru_cache(maxsize=1)
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def _label(compound: pd.Series) -> pd.Series:
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
    out = pd.DataFrame(scores, index=s.index[has], columns=_SENT_COLS, dtype=float).reindex(s.index)
    out["sentiment"] = _label(out["compound"])
    return out


def _annotate_unique(texts: list[str], codebook: Codebook | None) -> pd.DataFrame:
    """Redact, score and tag distinct texts (runs in worker processes)."""
    raw = pd.Series(texts, dtype="str")
    red = redact(raw)
    out = sentiment(red)[_SENT_COLS]
    out.insert(0, "redacted", red)
    return out if codebook is None else pd.concat([out, _tag_texts(red, codebook)], axis=1)


def _cache_path(cache_dir, codebook: Codebook | None) -> Path:
    fingerprint = codebook.fingerprint if codebook is not None else "nothemes"
    return Path(cache_dir) / f"comments-{_CACHE_VERSION}-{fingerprint}.parquet"


def annotate_comments(data: pd.DataFrame, codebook=None, *, col: str = "comment", cache_dir=None,
                      n_jobs: int = 1, chunk_size: int = 20_000) -> pd.DataFrame:
    """Redact, score sentiment and tag themes for every comment, scoring each distinct text once.

    Parameters
    ----------
    data : DataFrame
        Responses with a comment column.
    codebook : path, dict or Codebook, optional
        Theme codebook (e.g. ``cfg.codebook`` or ``"data/sample/codebook.yml"``). ``None`` (default):
        no themes are tagged, only redaction and sentiment.
    col : str, default "comment"
        Comment column.
    cache_dir : str or Path, optional
        Folder for a parquet cache of results keyed by a 64-bit hash of the raw comment text (one file
        per codebook version; it stores hashes and *redacted* texts only). Re-running a month then
        scores only comments not seen before. ``None`` (default): no cache, nothing written.
    n_jobs : int, default 1
        Worker processes for texts not in the cache; ``-1`` uses every core.
    chunk_size : int, default 20000
        Distinct texts per worker task.

    Returns
    -------
    DataFrame
        A copy of ``data`` whose ``col`` holds the **redacted** comment, plus ``neg``, ``neu``, ``pos``,
        ``compound``, ``sentiment`` (see :func:`sentiment`) and, with a codebook, one nullable-boolean
        ``theme_<name>`` per theme and ``n_themes`` (see :func:`tag_themes`); NA where there is no
        comment.

    Examples
    --------
    >>> df = pd.DataFrame({"comment": ["Waited an hour on hold, call me on +44 20 7946 0958", None]})
    >>> out = annotate_comments(df, "data/sample/codebook.yml")
    >>> out.loc[0, "comment"], out.loc[0, "sentiment"], bool(out.loc[0, "theme_slow_support"])
    ('Waited an hour on hold, call me on [PHONE]', 'neutral', True)
    """
    cb = load_codebook(codebook) if codebook is not None else None
    if not isinstance(data, pd.DataFrame) or col not in data.columns:
        cols = list(data.columns) if isinstance(data, pd.DataFrame) else type(data).__name__
        raise ValueError(f"annotate_comments: expected a DataFrame with column {col!r}; got {cols}")
    texts = as_text_series(data[col], what=f"column {col!r}")
    has = texts.notna().to_numpy()
    present = texts[has]
    keys = pd.util.hash_pandas_object(present, index=False).to_numpy()
    uniq_keys, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    path = _cache_path(cache_dir, cb) if cache_dir is not None else None
    table = pd.read_parquet(path) if path is not None and path.exists() else None
    pos = (pd.Index(table["key"]).get_indexer(uniq_keys) if table is not None
           else np.full(len(uniq_keys), -1))
    todo = np.sort(first[pos < 0])
    if len(todo):
        fresh = _run(present.iloc[todo].tolist(), cb, n_jobs, chunk_size)
        fresh.insert(0, "key", keys[todo])
        table = fresh if table is None else pd.concat([table, fresh], ignore_index=True)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            table.to_parquet(path, index=False)
        pos = pd.Index(table["key"]).get_indexer(uniq_keys)
    take = pos[inverse]  # row of the result table for each present comment
    out = data.copy()
    n = len(texts)

    def spread(values, fill):
        full = np.full(n, fill, dtype=values.dtype if fill is not None else object)
        full[has] = values[take]
        return full

    red = spread(table["redacted"].to_numpy(object), None) if table is not None else np.full(n, None)
    out[col] = pd.Series(red, index=texts.index, dtype="str")
    for c in _SENT_COLS:
        vals = table[c].to_numpy(float) if table is not None else np.array([], float)
        out[c] = pd.Series(spread(vals, np.nan), index=texts.index)
    out["sentiment"] = _label(out["compound"])
    if cb is None:
        return out
    count = np.zeros(n, dtype="int64")
    for name in cb.names:
        vals = table[PREFIX + name].to_numpy(bool) if table is not None else np.array([], bool)
        flags = spread(vals, False)
        count += flags
        out[PREFIX + name] = pd.arrays.BooleanArray(flags, ~has)
    out["n_themes"] = pd.arrays.IntegerArray(count, ~has)
    return out


def _run(texts: list[str], codebook: Codebook | None, n_jobs: int, chunk_size: int) -> pd.DataFrame:
    """Annotate distinct texts, in ``n_jobs`` worker processes when there is more than one chunk."""
    chunks = [texts[i:i + chunk_size] for i in range(0, len(texts), chunk_size)]
    workers = n_jobs if n_jobs > 0 else (os.cpu_count() or 1)
    if workers > 1 and len(chunks) > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(chunks))) as ex:
            parts = list(ex.map(_annotate_unique, chunks, [codebook] * len(chunks)))
    else:
        parts = [_annotate_unique(c, codebook) for c in chunks]
    return pd.concat(parts, ignore_index=True)


def quotes(data: pd.DataFrame, *, theme: str | None = None, segment=None, n: int = 3,
           col: str = "comment", score: str = "nps", codebook=None, how: str = "typical",
           min_chars: int = 20) -> pd.DataFrame:
    """Representative, redacted comments for a theme and/or segment.

    Parameters
    ----------
    data : DataFrame
        Responses (raw or from :func:`annotate_comments`).
    theme : str, optional
        Codebook theme name; tagged on the fly when ``theme_<name>`` is not a column.
    segment : str or dict, optional
        As in :func:`cxlib.dataset.subset`, e.g. ``"region=EMEA"``.
    n : int, default 3
        Number of quotes.
    col, score : str
        Comment and score columns (``score`` is shown when present).
    codebook : path, dict or Codebook, optional
        Used when themes must be tagged.
    how : {"typical", "strongest"}
        "typical": sentiment closest to the median of the matching comments (representative);
        "strongest": most negative first for a negative theme (most positive for a positive one).
        Either way, comments mentioning fewer themes (``n_themes``, when present) come first.
    min_chars : int, default 20
        Prefer comments at least this long (falls back to shorter ones when too few).

    Returns
    -------
    DataFrame
        Up to ``n`` rows, distinct texts: ``response_id`` (when present), ``quote`` (redacted),
        ``compound``, ``score`` (the ``score`` column's value, when present), ``theme``, and
        ``n_matching`` (comments matching the theme/segment: the base the quotes stand for).

    Examples
    --------
    >>> df = pd.DataFrame({"comment": ["Waited on hold for an hour, ask for Maria Lopez",
    ...                                "Waited on hold again, it was awful", "Great value"],
    ...                    "nps": [3.0, 1.0, 9.0]})
    >>> quotes(df, theme="slow_support", n=1, how="strongest")[["quote", "score", "n_matching"]]
                                    quote  score  n_matching
    0  Waited on hold again, it was awful    1.0           2
    """
    if how not in ("typical", "strongest"):
        raise ValueError(f"quotes: how={how!r}; expected 'typical' or 'strongest'")
    if col not in data.columns:
        raise ValueError(f"quotes: column {col!r} not found; columns are {list(data.columns)}")
    d = dataset.subset(data, segment=segment) if segment is not None else data
    d = d[d[col].notna()]
    polarity = "negative"
    if theme is not None:
        cb = load_codebook(codebook)
        tc = PREFIX + theme
        if theme in cb.themes:
            polarity = cb.themes[theme].polarity
        if tc not in d.columns:
            if theme not in cb.themes:
                raise ValueError(f"quotes: theme {theme!r} is neither a column {tc!r} nor a codebook "
                                 f"theme; expected one of {cb.names}")
            d = tag_themes(d, cb, col=col)
        d = d[d[tc].fillna(False).astype(bool)]
    red = redact(d[col])
    comp = d["compound"] if "compound" in d.columns else sentiment(red)["compound"]
    focus = d["n_themes"].fillna(0).astype(int) if "n_themes" in d.columns else 0
    cand = pd.DataFrame({"quote": red, "compound": comp, "_len": red.str.len(), "_focus": focus},
                        index=d.index)
    if "response_id" in d.columns:
        cand.insert(0, "response_id", d["response_id"])
    if score in d.columns:
        cand["score"] = d[score]
    n_matching = len(cand)
    cand = cand.drop_duplicates("quote")
    long_enough = cand[cand["_len"] >= min_chars]
    cand = long_enough if len(long_enough) >= n else cand
    if how == "typical":
        cand = cand.assign(_rank=(cand["compound"] - cand["compound"].median()).abs())
    else:
        cand = cand.assign(_rank=cand["compound"] * (1 if polarity == "negative" else -1))
    cand = cand.sort_values(["_focus", "_rank", "_len"], kind="stable").head(n)
    out = cand.drop(columns=["_rank", "_len", "_focus"]).reset_index(drop=True)
    out["theme"] = theme
    out["n_matching"] = n_matching
    return out


#: One-pass translation: HTML specials (as ``html.escape(quote=True)``) and markdown control characters.
_HTML_TABLE = str.maketrans({**{c: html.escape(c, quote=True) for c in "&<>\"'"},
                             **{c: f"&#{ord(c)};" for c in "[]()`*_~|\\{}!#"}})


def to_html_safe(texts) -> pd.Series:
    """Redact, then HTML-escape comments so they can be placed in a report as text, never as markup.

    ``& < > " '`` become entities (``html.escape``), and markdown control characters
    ``[ ] ( ) ` * _ ~ | \\ { } ! #`` become numeric entities, so a comment cannot turn into a tag, a
    script, or a markdown link / image even if the report passes it through a markdown renderer.

    Parameters
    ----------
    texts : Series, list or str

    Returns
    -------
    Series
        ``str`` dtype, same index; missing values stay missing.

    Examples
    --------
    >>> to_html_safe(["<script>alert(1)</script> mail me: a@b.co"]).iloc[0]
    '&lt;script&gt;alert&#40;1&#41;&lt;/script&gt; mail me: &#91;EMAIL&#93;'
    """
    red = redact(texts)
    return red.map(lambda t: t.translate(_HTML_TABLE), na_action="ignore").astype("str")
