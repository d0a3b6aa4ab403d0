"""Reading the comment codebook (YAML), hand-labelled comment samples (CSV) and model files (JSON).

The codebook's meaning (themes, patterns) is :mod:`cxlib.comments.codebook`'s, a sentiment model's is
:mod:`cxlib.comments.learned`'s; this module only reads and writes the files, so that :mod:`cxlib.data`
stays the one package that touches data on disk.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
from ..errors import CodebookError, ConfigError
from ._yaml import read_yaml
from .config import project_root

__all__ = ["load_labelled", "read_codebook_file", "read_model_file", "write_model_file"]


def read_codebook_file(path) -> tuple[str, object]:
    """Parse a codebook YAML file; relative paths resolve from the project root.

    Returns
    -------
    (str, object)
        The resolved path (for messages) and the parsed YAML.

    Raises
    ------
    CodebookError
        When the file is missing or is not valid YAML.

    Examples
    --------
    >>> where, raw = read_codebook_file("data/sample/codebook.yml")
    >>> sorted(raw)
    ['themes', 'version']
    """
    p = Path(path)
    p = p if p.is_absolute() else project_root() / p
    if not p.exists():
        raise CodebookError(f"codebook file {p} does not exist")
    try:
        return str(p), read_yaml(p, f"codebook file {p}")
    except ConfigError as exc:
        raise CodebookError(str(exc)) from None


def load_labelled(path) -> pd.DataFrame:
    """Read a hand-labelled sample: columns ``comment`` and ``themes`` (``|``-separated, empty = none).

    Parameters
    ----------
    path : str or Path
        CSV file; relative paths resolve from the project root.

    Returns
    -------
    DataFrame
        The file's columns as strings (``response_id``, ``comment``, ``themes`` and, in the sample,
        ``sentiment``); empty ``themes`` become ``""``.

    Examples
    --------
    >>> lab = load_labelled("data/sample/comments_labelled.csv")
    >>> list(lab.columns), len(lab)
    (['response_id', 'comment', 'themes', 'sentiment'], 400)
    """
    p = Path(path)
    p = p if p.is_absolute() else project_root() / p
    if not p.exists():
        raise CodebookError(f"labelled sample {p} does not exist")
    df = pd.read_csv(p, dtype=str, keep_default_na=False)
    missing = {"comment", "themes"} - set(df.columns)
    if missing:
        raise CodebookError(f"labelled sample {p}: missing column(s) {sorted(missing)}; expected "
                            "'comment' and 'themes'")
    return df


def _resolve(path) -> Path:
    p = Path(path).expanduser()
    return p if p.is_absolute() else project_root() / p


def read_model_file(path) -> dict:
    """Read a small model file (JSON, e.g. a sentiment model's coefficients); relative to the project root.

    Raises
    ------
    ConfigError
        When the file is missing or is not a JSON object.
    """
    p = _resolve(path)
    if not p.is_file():
        raise ConfigError(f"model file {p} does not exist (train one with comments.train_sentiment(..., path=))")
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"model file {p} is not valid UTF-8 JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"model file {p}: expected a JSON object, got {type(raw).__name__}")
    return raw


def write_model_file(path, model: dict) -> Path:
    """Write a model file (JSON, numbers only: no pickled objects), atomically; returns its path.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = write_model_file(Path(tmp) / "m.json", {"coef": [[0.5, -0.25]]})
    ...     read_model_file(p)
    {'coef': [[0.5, -0.25]]}
    """
    p = _resolve(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_text(json.dumps(model, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, p)
    return p
