"""Analyst-owned theme codebooks: load a YAML codebook, tag comments with it, check it against labels.

A codebook is a version-controlled YAML file (``data/sample/codebook.yml`` is the example)::

    themes:
      slow_support:
        description: Waiting for support
        driver: support_speed          # optional: the driver the theme speaks to
        polarity: negative             # negative (complaint) or positive (praise)
        include: ['\\bon hold\\b', ...]  # tagged when ANY include pattern matches (case-insensitive)
        examples: ['Waited an hour on hold', 'Nobody answered the phone']   # and/or: comments like these
        threshold: 0.46                # optional: cosine similarity to the nearest example that tags
        exclude: ['\\bno wait\\b']       # phrases masked out before the patterns and examples are tried

A theme needs ``include`` patterns, ``examples`` or both. Patterns are per-language regexes; examples
work across languages: a comment is tagged when its multilingual embedding is within ``threshold``
(cosine, default :data:`~cxlib.comments._examples.EXAMPLE_THRESHOLD`, chosen by measurement) of one of
the theme's examples, so English examples tag German, French or Dutch comments of the same meaning.

Tagging is multi-label and vectorised (one pass per pattern group over the whole column; the comments
are embedded once when any theme has examples, never when none has).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .._stats import wilson
from ..data import read_codebook_file
from ..errors import CodebookError
from . import _examples
from .embeddings import MODEL
from .redaction import as_text_series

__all__ = ["PREFIX", "Codebook", "Theme", "codebook_accuracy", "load_codebook", "tag_texts",
           "tag_themes", "theme_columns"]

#: Prefix of the theme indicator columns written by :func:`tag_themes`.
PREFIX = "theme_"


@dataclass(frozen=True)
class Theme:
    """One codebook theme with its compiled include / exclude patterns and its example comments."""

    name: str
    description: str
    include: re.Pattern | None
    exclude: re.Pattern | None = None
    driver: str | None = None
    polarity: str = "negative"
    examples: tuple[str, ...] = ()
    threshold: float = _examples.EXAMPLE_THRESHOLD


@dataclass(frozen=True)
class Codebook:
    """An ordered set of themes plus a fingerprint of their definitions (used as a cache key)."""

    themes: dict[str, Theme] = field(default_factory=dict)
    fingerprint: str = ""

    @property
    def names(self) -> list[str]:
        """Theme names in codebook order."""
        return list(self.themes)


def _compile(patterns, theme: str, kind: str, where: str) -> re.Pattern | None:
    if patterns is None:
        return None
    if isinstance(patterns, str):
        patterns = [patterns]
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise CodebookError(f"{where}: theme {theme!r}: {kind} must be a list of regex strings")
    for p in patterns:
        try:
            re.compile(p)
        except re.error as exc:
            raise CodebookError(f"{where}: theme {theme!r}: {kind} pattern {p!r} is not a valid "
                                f"regular expression ({exc})") from None
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def load_codebook(codebook) -> Codebook:
    """Load and validate a theme codebook.

    Parameters
    ----------
    codebook : str, Path, dict or Codebook
        A YAML file (relative paths resolve from the project root, e.g. ``cfg.codebook``), an
        already-parsed mapping, or a Codebook (returned as is).

    Returns
    -------
    Codebook
        ``.themes`` maps each name to a :class:`Theme`; ``.names`` lists them in file order;
        ``.fingerprint`` is a short hash of the definitions.

    Examples
    --------
    >>> cb = load_codebook("data/sample/codebook.yml")
    >>> cb.names[:3]
    ['slow_support', 'unhelpful_support', 'great_support']
    >>> load_codebook({"themes": {"late": {"include": ["\\\\blate\\\\b"]}}}).names
    ['late']
    """
    if isinstance(codebook, Codebook):
        return codebook
    where = "codebook"
    if codebook is None:
        raise CodebookError("no codebook given: pass a codebook file (the config's codebook: entry) or mapping")
    if isinstance(codebook, (str, Path)):
        where, raw = read_codebook_file(codebook)
    else:
        raw = codebook
    if not isinstance(raw, dict) or not isinstance(raw.get("themes"), dict) or not raw["themes"]:
        raise CodebookError(f"{where}: expected a mapping with a non-empty 'themes:' section")
    themes = {str(name): _theme(name, spec, where) for name, spec in raw["themes"].items()}
    # examples tag through the embeddings: their model is part of the fingerprint (a regex-only codebook's
    # is the hash of its themes alone, as before examples existed: its annotation caches stay valid)
    examples = any(t.examples for t in themes.values())
    canon = {"themes": raw["themes"], "model": MODEL} if examples else raw["themes"]
    canon = json.dumps(canon, sort_keys=True, default=str).encode()
    return Codebook(themes=themes, fingerprint=hashlib.sha256(canon).hexdigest()[:12])


_KEYS = ("description", "include", "examples", "threshold", "exclude", "driver", "polarity")


def _theme(name, spec, where: str) -> Theme:
    """One theme of the YAML, checked."""
    if not isinstance(spec, dict) or not (spec.get("include") or spec.get("examples")):
        raise CodebookError(f"{where}: theme {name!r} needs an 'include:' list of patterns or an 'examples:' "
                            "list of comments (or both)")
    unknown = set(spec) - set(_KEYS)
    if unknown:
        raise CodebookError(f"{where}: theme {name!r} has unknown keys {sorted(unknown)}; expected "
                            f"{', '.join(_KEYS)}")
    polarity = spec.get("polarity", "negative")
    if polarity not in ("negative", "positive"):
        raise CodebookError(f"{where}: theme {name!r}: polarity {polarity!r}; expected 'negative' or 'positive'")
    examples = _examples.check_examples(spec.get("examples"), name, where, CodebookError)
    if "threshold" in spec and not examples:
        raise CodebookError(f"{where}: theme {name!r}: threshold is set but the theme has no examples; "
                            "add 'examples:' or remove 'threshold:'")
    return Theme(name=str(name), description=str(spec.get("description", "")),
                 include=_compile(spec.get("include"), name, "include", where),
                 exclude=_compile(spec.get("exclude"), name, "exclude", where),
                 driver=spec.get("driver"), polarity=polarity, examples=examples,
                 threshold=_examples.check_threshold(spec.get("threshold"), name, where, CodebookError))


def theme_columns(codebook) -> list[str]:
    """Column names written by :func:`tag_themes` (``theme_<name>``), in codebook order.

    Examples
    --------
    >>> theme_columns({"themes": {"late": {"include": ["late"]}}})
    ['theme_late']
    """
    return [PREFIX + n for n in load_codebook(codebook).names]


def tag_texts(texts: pd.Series, codebook: Codebook, vectors=None) -> pd.DataFrame:
    """Boolean ``theme_<name>`` flags for non-missing texts (no validation; :func:`tag_themes` validates).
    ``vectors``: the texts' embeddings when the caller has them (else embedded here if a theme has examples)."""
    out = {}
    near = _examples.similarities(texts, codebook.themes.values(), vectors)
    for name, th in codebook.themes.items():
        hit = _hits(texts, th, near.get(name))
        if th.exclude is not None and bool(hit.any()):
            # only comments that match an include AND an exclude need the masked second look
            sub = texts[hit]
            both = sub.str.contains(th.exclude, regex=True).astype(bool)
            if bool(both.any()):
                masked = sub[both].str.replace(th.exclude, " ", regex=True)
                hit.loc[masked.index] = _hits(masked, th, None)
        out[PREFIX + name] = hit
    return pd.DataFrame(out, index=texts.index)


def _hits(texts: pd.Series, theme: Theme, near) -> pd.Series:
    """Texts an include pattern matches or that read like an example (``near``: similarities, else computed)."""
    hit = (texts.str.contains(theme.include, regex=True).astype(bool) if theme.include is not None
           else pd.Series(False, index=texts.index))
    if theme.examples:
        near = _examples.similarities(texts, [theme])[theme.name] if near is None else near
        hit |= near >= theme.threshold
    return hit


def tag_themes(data, codebook, *, col: str = "comment") -> pd.DataFrame:
    """Tag each comment with every codebook theme it mentions (multi-label).

    Parameters
    ----------
    data : DataFrame or Series
        Responses with a comment column, or the comments themselves.
    codebook : path, dict or Codebook, optional
        See :func:`load_codebook` (e.g. ``cfg.codebook``).
    col : str, default "comment"
        Comment column of ``data``.

    Returns
    -------
    DataFrame
        A copy of ``data`` (a Series becomes a ``comment`` column) plus ``theme_<name>`` (nullable
        boolean per theme; NA where there is no comment) and ``n_themes`` (Int64 number of themes
        mentioned; NA where there is no comment).

    Examples
    --------
    >>> tagged = tag_themes(["Waited 40 minutes on hold.", "No problems with billing this time.", None],
    ...                     "data/sample/codebook.yml")
    >>> tagged[["theme_slow_support", "theme_billing_confusion", "n_themes"]].to_dict("list")
    {'theme_slow_support': [True, False, None], 'theme_billing_confusion': [False, False, None], 'n_themes': [1, 0, None]}
    """
    cb = load_codebook(codebook)
    if isinstance(data, pd.DataFrame):
        if col not in data.columns:
            raise CodebookError(f"tag_themes: column {col!r} not found; columns are {list(data.columns)}")
        out = data.copy()
        texts = as_text_series(data[col], what=f"column {col!r}")
    else:
        texts = as_text_series(data, what="tag_themes data")
        out = pd.DataFrame({col: texts})
    has = texts.notna()
    flags = tag_texts(texts[has], cb).reindex(texts.index)
    for c in flags.columns:
        out[c] = flags[c].astype("boolean")
    out["n_themes"] = flags.sum(axis=1).astype("Int64").where(has)
    return out


def codebook_accuracy(labelled: pd.DataFrame, codebook, *, col: str = "comment",
                      labels: str = "themes", sep: str = "|", confidence: float = 0.95) -> pd.DataFrame:
    """Per-theme precision and recall of a codebook against hand labels, with Wilson intervals.

    Parameters
    ----------
    labelled : DataFrame
        One row per labelled comment: ``col`` (text) and ``labels`` (theme names joined by ``sep``;
        empty for none).
    codebook : path, dict or Codebook, optional
        See :func:`load_codebook`.
    col, labels, sep : str
        Column names and the label separator.
    confidence : float, default 0.95
        Confidence level of the Wilson intervals.

    Returns
    -------
    DataFrame
        One row per theme: ``theme``, ``n`` (labelled comments), ``n_labelled`` (comments labelled with
        the theme), ``n_tagged`` (comments the codebook tags), ``tp``, ``fp``, ``fn``, ``precision``,
        ``precision_ci_low``, ``precision_ci_high``, ``recall``, ``recall_ci_low``, ``recall_ci_high``,
        ``f1``. Precision is NaN when nothing is tagged, recall when nothing is labelled.

    Examples
    --------
    >>> lab = pd.DataFrame({"comment": ["on hold for ages", "slow replies", "fine"],
    ...                     "themes": ["slow_support", "slow_support", ""]})
    >>> acc = codebook_accuracy(lab, {"themes": {"slow_support": {"include": ["on hold"]}}})
    >>> acc[["theme", "tp", "fp", "fn", "precision", "recall"]].to_dict("records")
    [{'theme': 'slow_support', 'tp': 1, 'fp': 0, 'fn': 1, 'precision': 1.0, 'recall': 0.5}]
    """
    cb = load_codebook(codebook)
    for c in (col, labels):
        if c not in labelled.columns:
            raise CodebookError(f"codebook_accuracy: column {c!r} not found; columns are "
                                f"{list(labelled.columns)}")
    texts = as_text_series(labelled[col], what=f"column {col!r}").fillna("")
    truth = labelled[labels].fillna("").astype(str).str.split(sep, regex=False)
    truth = truth.map(lambda xs: {x.strip() for x in xs if x.strip()})
    unknown = set().union(*truth) - set(cb.names) if len(truth) else set()
    if unknown:
        rows = [i + 1 for i, t in enumerate(truth) if t & unknown][:5]
        raise CodebookError(f"codebook_accuracy: labels {sorted(unknown)} in column {labels!r} (rows "
                            f"{rows}) are not codebook themes; expected one of {cb.names}")
    tagged = tag_texts(texts, cb)
    rows = []
    for name in cb.names:
        y = truth.map(lambda t, n=name: n in t).to_numpy(bool)
        p = tagged[PREFIX + name].to_numpy(bool)
        tp, fp, fn = int((y & p).sum()), int((~y & p).sum()), int((y & ~p).sum())
        prec = tp / (tp + fp) if tp + fp else float("nan")
        rec = tp / (tp + fn) if tp + fn else float("nan")
        (pl,), (ph,) = wilson(tp, tp + fp, confidence)
        (rl,), (rh,) = wilson(tp, tp + fn, confidence)
        f1 = 2 * prec * rec / (prec + rec) if tp else (0.0 if tp + fp and tp + fn else float("nan"))
        rows.append({"theme": name, "n": len(texts), "n_labelled": int(y.sum()), "n_tagged": int(p.sum()),
                     "tp": tp, "fp": fp, "fn": fn, "precision": prec, "precision_ci_low": pl,
                     "precision_ci_high": ph, "recall": rec, "recall_ci_low": rl, "recall_ci_high": rh,
                     "f1": f1})
    return pd.DataFrame(rows)
