"""Discovered themes kept in the cache folder: a re-run on the same comments skips choosing k, k-means
and the labels (issue 26: a cached re-run of a million comments in seconds).

The key is a hash of everything the assignment depends on: the embedding model, the clustering
settings and, per distinct wording, a hash of its cleaned text, its language and its count. The file
holds numbers and terms only (``themes-<key>.npz``: each wording's theme and its similarity to the
theme's centre, k, the k scores and the terms), never comment text.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

_VERSION = "t2"   # t2: each wording's similarity to its theme's centre kept (a re-run needs no vectors)


def key(clean: np.ndarray, language: np.ndarray, weights: np.ndarray, settings: dict) -> str:
    """A hex digest of the wordings (hashed), their languages and counts, and the settings."""
    h = hashlib.sha256(json.dumps({"v": _VERSION, **settings}, sort_keys=True, default=str).encode())
    h.update(pd.util.hash_pandas_object(pd.Series(clean, dtype="str"), index=False).to_numpy().tobytes())
    h.update(pd.util.hash_pandas_object(pd.Series(language, dtype="str"), index=False).to_numpy().tobytes())
    h.update(np.asarray(weights, dtype=np.float64).tobytes())
    return h.hexdigest()[:24]


def read(cache_dir, digest: str):
    """(labels, k, k_scores, terms, similarity to the own centre) stored under ``digest``, or None."""
    if cache_dir is None:
        return None
    path = Path(cache_dir) / f"themes-{digest}.npz"
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as z:
        scores = pd.DataFrame({"k": z["score_k"].astype(int), "silhouette": z["score_s"]})
        return z["labels"].astype(int), int(z["k"]), scores, [str(t) for t in z["terms"]], z["own"].astype(np.float32)


def write(cache_dir, digest: str, labels: np.ndarray, k: int, scores: pd.DataFrame, terms: list[str],
          own: np.ndarray) -> None:
    if cache_dir is None:
        return
    path = Path(cache_dir) / f"themes-{digest}.npz"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
    np.savez(tmp, labels=np.asarray(labels, dtype=np.int32), k=np.int64(k),
             score_k=scores["k"].to_numpy(np.int64), score_s=scores["silhouette"].to_numpy(np.float64),
             terms=np.asarray(terms, dtype=str), own=np.asarray(own, dtype=np.float32))
    os.replace(tmp, path)
