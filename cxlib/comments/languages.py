"""Which language each comment is in: py3langid (BSD, offline; its model ships inside the wheel).

py3langid is a naive Bayes classifier over byte n-grams (Lui & Baldwin 2012, langid.py). It is
restricted here to :data:`LANGUAGES`, the languages the multilingual embeddings know (see
:mod:`cxlib.comments.embeddings`), which makes it both faster and more accurate on them. A comment
with no letters (numbers, emoji, punctuation only) is ``"und"`` (undetermined).

Measured (``benchmarks/bench_languages.py``, the multilingual set of ``tests/multilingual.py``):
accuracy 0.995 on 8,700 book and film reviews in German, French, Dutch and English (0.2% left
undetermined), 0.963 on 19,132 single sentences in German, English, Spanish, Italian and Dutch (3.1%
undetermined, Spanish 0.91). Its classifier runs vectorised over many comments at once
(:mod:`cxlib.comments._langid`, the same scores): about five times py3langid's own speed. The model's
arrays, restricted to :data:`LANGUAGES`, are decoded from the wheel once (about 1 s) and kept in the user
cache folder (``~/.cache/cxlib``, named after a digest of the wheel's model file); a later kernel
memory-maps them.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

import numpy as np
import pandas as pd

from ..data import schema
from . import _modelcache
from ._langid import BatchIdentifier
from .redaction import as_text_series

__all__ = ["LANGUAGES", "LANGUAGE_NAMES", "UNDETERMINED", "detect_language", "language_mix"]

#: The languages told apart: those of the multilingual sentence encoder (USE multilingual v3), declared once
#: with the config key that names one (``comments.label_language``).
LANGUAGES = schema.LANGUAGES
#: English names of :data:`LANGUAGES` (for tables and captions).
LANGUAGE_NAMES = {"ar": "Arabic", "de": "German", "en": "English", "es": "Spanish", "fr": "French",
                  "it": "Italian", "ja": "Japanese", "ko": "Korean", "nl": "Dutch", "pl": "Polish",
                  "pt": "Portuguese", "ru": "Russian", "th": "Thai", "tr": "Turkish", "zh": "Chinese",
                  "und": "undetermined"}
#: The code of a comment whose language cannot be told (no letters, or no language likely enough).
UNDETERMINED = "und"
#: A language is given only when its probability reaches this (py3langid's length-calibrated softmax).
MIN_PROBABILITY = 0.5
_LETTER = re.compile(r"[^\W\d_]")
_ARRAYS_VERSION = "b2"   # the arrays of _langid.BatchIdentifier: change it when they change


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(LANGUAGES))
    return ident


def _py3langid_model() -> str:
    """The path of the model file inside the py3langid wheel."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    return str(MODEL_DIR / MODEL_FILE)


def _array_names() -> dict:
    """The kept arrays' file names (one .npy each, so that each is memory-mapped): they change with the
    wheel's model file and with :data:`LANGUAGES`."""
    langs = hashlib.sha256(" ".join(LANGUAGES).encode()).hexdigest()[:8]
    stem = f"py3langid-{_ARRAYS_VERSION}-{_modelcache.digest(_py3langid_model())}-{langs}"
    return {field: f"{stem}-{field}.npy" for field in BatchIdentifier.FIELDS}


@lru_cache(maxsize=1)
def _batch_identifier():
    """py3langid's model restricted to :data:`LANGUAGES`, from the arrays kept in the user cache folder
    (:mod:`._modelcache`; memory-mapped, 0.01 s); else decoded from the wheel's LZMA model (about 1 s) and kept."""
    names = _array_names()
    kept = {field: _modelcache.read(name, None, lambda path: np.load(path, mmap_mode="r"))
            for field, name in names.items()}
    if all(array is not None for array in kept.values()):
        return BatchIdentifier(**kept)
    batch = BatchIdentifier.from_identifier(_identifier())
    for field, array in batch.arrays().items():
        _modelcache.write(names[field], None, lambda f, a=array: np.save(f, a))
    return batch


def detect_language(texts, *, max_chars: int = 300) -> pd.Series:
    """The language of each comment, as an ISO 639-1 code from :data:`LANGUAGES`.

    Parameters
    ----------
    texts : Series, list or str
        Comments; missing values stay missing.
    max_chars : int, default 300
        Each distinct comment is classified from its first ``max_chars`` characters.

    Returns
    -------
    Series
        Same index, ``str`` dtype: a code from :data:`LANGUAGES`; ``"und"`` for a comment with no
        letters (empty, numbers or emoji only) or whose most likely language has a probability below
        :data:`MIN_PROBABILITY` (short comments such as "OK." or "Slow"); NA where the comment is missing.

    Examples
    --------
    >>> detect_language(["The staff were friendly and quick", "Le personnel était très aimable",
    ...                  "Das Essen war kalt und teuer", "1234 :)", "OK.", None]).tolist()
    ['en', 'fr', 'de', 'und', 'und', nan]
    """
    s = as_text_series(texts)
    has = s.notna().to_numpy()
    uniq, inverse = np.unique(s[has].to_numpy(str), return_inverse=True)
    codes = np.full(len(uniq), UNDETERMINED, dtype=object)
    todo = [i for i, t in enumerate(uniq) if _LETTER.search(t)]
    if todo:
        batch = _batch_identifier()
        proba = batch.probabilities([uniq[i][:max_chars] for i in todo])
        best = proba.argmax(axis=1)
        sure = proba[np.arange(len(todo)), best] >= MIN_PROBABILITY
        codes[np.asarray(todo)[sure]] = batch.classes[best[sure]]
    out = np.full(len(s), None, dtype=object)
    out[has] = codes[inverse]
    return pd.Series(out, index=s.index, dtype="str")


def language_mix(data, *, col: str = "language") -> pd.DataFrame:
    """How many comments are in each language, largest first.

    Parameters
    ----------
    data : DataFrame or Series
        Annotated comments with a language column (see :func:`~cxlib.comments.annotate_comments`), or
        the codes themselves.
    col : str, default "language"
        Language column.

    Returns
    -------
    DataFrame
        One row per language: ``language`` (code), ``name`` (English name), ``n`` (comments) and
        ``share`` (of the comments with a language; shares sum to 1).

    Examples
    --------
    >>> language_mix(pd.Series(["en", "de", "en", None])).to_dict("records")
    [{'language': 'en', 'name': 'English', 'n': 2, 'share': 0.6666666666666666}, \
{'language': 'de', 'name': 'German', 'n': 1, 'share': 0.3333333333333333}]
    """
    codes = data[col] if isinstance(data, pd.DataFrame) else pd.Series(data)
    counts = codes.dropna().astype(str).value_counts(sort=False)
    out = pd.DataFrame({"language": counts.index.astype(str), "n": counts.to_numpy(int)})
    out = out.sort_values(["n", "language"], ascending=[False, True], kind="stable").reset_index(drop=True)
    out.insert(1, "name", out["language"].map(LANGUAGE_NAMES).fillna(out["language"]))
    out["share"] = out["n"] / out["n"].sum() if len(out) else []
    return out
