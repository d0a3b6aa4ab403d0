"""Annotating comments once: redaction, sentiment and codebook themes for every distinct text, cached.

Each distinct comment is redacted, scored and tagged once; a parquet cache keyed by a hash of the raw
text (storing only hashes and *redacted* text) lets the next month score only what is new.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .._checks import check_frame, need_columns
from ._jobs import map_chunks
from .codebook import PREFIX, Codebook, load_codebook, tag_texts
from .languages import detect_language
from .redaction import as_text_series, redact
from .sentiment import SENTIMENT_COLUMNS, label_sentiment, sentiment

__all__ = ["UNANALYSED", "annotate_comments"]

_CACHE_VERSION = "v3"  # v2: the redaction of issue 16; v3: the language of each comment (issue 26)


#: The text shown in place of a comment whose redaction or scoring failed.
UNANALYSED = "[comment could not be analysed]"


def _annotate_all(texts: list[str], codebook: Codebook | None) -> pd.DataFrame:
    raw = pd.Series(texts, dtype="str")
    red = redact(raw)
    out = sentiment(red)[SENTIMENT_COLUMNS]
    out.insert(0, "redacted", red)
    out["language"] = detect_language(raw).to_numpy(object)
    out["analysed"] = True
    return out if codebook is None else pd.concat([out, tag_texts(red, codebook)], axis=1)


def _annotate_unique(texts: list[str], codebook: Codebook | None) -> pd.DataFrame:
    """Redact, score and tag distinct texts (runs in worker processes).

    One text may break an analysis; then the texts are annotated again in halves, so that only the
    texts that fail are marked (``analysed`` False, the comment shown as :data:`UNANALYSED`).
    """
    try:
        return _annotate_all(texts, codebook)
    except Exception:  # noqa: BLE001 - any failure of one text must not stop the others
        if len(texts) > 1:
            half = len(texts) // 2
            return pd.concat([_annotate_unique(texts[:half], codebook), _annotate_unique(texts[half:], codebook)],
                             ignore_index=True)
    failed = pd.DataFrame({"redacted": [UNANALYSED], **{c: [np.nan] for c in SENTIMENT_COLUMNS},
                           "language": [None], "analysed": [False]})
    if codebook is not None:
        for name in codebook.names:
            failed[PREFIX + name] = False
    return failed


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
        ``compound``, ``sentiment`` (see :func:`sentiment`), ``language`` (ISO 639-1 code, see
        :func:`~cxlib.comments.detect_language`), ``analysed`` (False for a comment whose
        redaction or scoring failed: its text is then :data:`UNANALYSED` and its scores NA, and the
        other comments are annotated as usual) and, with a codebook, one nullable-boolean
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
    check_frame(data, where="annotate_comments")
    need_columns(data, [col], where="annotate_comments")
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
    for c in SENTIMENT_COLUMNS:
        vals = table[c].to_numpy(float) if table is not None else np.array([], float)
        out[c] = pd.Series(spread(vals, np.nan), index=texts.index)
    out["sentiment"] = label_sentiment(out["compound"])
    lang = spread(table["language"].to_numpy(object), None) if table is not None else np.full(n, None)
    out["language"] = pd.Series(lang, index=texts.index, dtype="str")
    done = spread(table["analysed"].to_numpy(bool), False) if table is not None else np.zeros(n, bool)
    out["analysed"] = pd.arrays.BooleanArray(done, ~has)
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
    return map_chunks(_annotate_unique, texts, codebook, n_jobs, chunk_size)
