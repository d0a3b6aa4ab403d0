"""Work on many distinct comments in chunks, in worker processes when there is more than one chunk."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor

import pandas as pd


def map_chunks(func, texts: list[str], arg, n_jobs: int, chunk_size: int) -> pd.DataFrame:
    """``func(chunk, arg)`` over chunks of ``chunk_size`` texts, in ``n_jobs`` processes (``-1`` or 0: one per
    core) when there is more than one chunk; the frames it returns, concatenated in order."""
    chunks = [texts[i:i + chunk_size] for i in range(0, len(texts), chunk_size)] or [texts]
    workers = n_jobs if n_jobs > 0 else (os.cpu_count() or 1)
    if workers > 1 and len(chunks) > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(chunks))) as ex:
            parts = list(ex.map(func, chunks, [arg] * len(chunks)))
    else:
        parts = [func(c, arg) for c in chunks]
    return pd.concat(parts, ignore_index=True)
