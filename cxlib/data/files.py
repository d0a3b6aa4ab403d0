"""Reading the comment codebook (YAML) and hand-labelled comment samples (CSV) from disk.

The codebook's meaning (themes, patterns) is :mod:`cxlib.comments.codebook`'s; this module only reads
the files, so that :mod:`cxlib.data` stays the one package that touches data on disk.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from ..errors import CodebookError, ConfigError
from ._config_checks import read_yaml
from .config import project_root

__all__ = ["load_labelled", "read_codebook_file"]


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
        The file's columns as strings (``response_id``, ``comment``, ``themes``); empty ``themes``
        become ``""``.

    Examples
    --------
    >>> lab = load_labelled("data/sample/comments_labelled.csv")
    >>> list(lab.columns), len(lab)
    (['response_id', 'comment', 'themes'], 400)
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
