"""What the codebook misses: its coverage, clusters of the comments it does not tag, and look-alikes.

:func:`codebook_coverage` says how many comments any theme tags; :func:`uncoded_themes` clusters the
rest (largest first); :func:`suggest_matches` lists untagged comments closest to a theme's tagged ones
and its examples, in any language, to help the analyst extend its patterns or examples; :func:`similar`
finds comments like a given one. Comments are
tagged after redaction, as :func:`~cxlib.comments.annotate_comments` does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import by_list, check_choice, check_confidence, need_columns
from .._stats import wilson
from ..errors import CodebookError
from .clusters import K_RANGE, ThemeClusters, _cluster_rows
from . import _examples
from .codebook import PREFIX, load_codebook, tag_texts
from .embeddings import clean_text, embed_comments, embed_texts
from .languages import LANGUAGES, UNDETERMINED
from .redaction import as_text_series, redact

__all__ = ["codebook_coverage", "similar", "suggest_matches", "uncoded_themes"]


def _coverage_table(keys: pd.DataFrame, n, k, confidence: float) -> pd.DataFrame:
    out = keys.copy()
    out["n"], out["n_tagged"] = np.asarray(n, dtype=int), np.asarray(k, dtype=int)
    out["coverage"] = (out["n_tagged"] / out["n"]).where(out["n"] > 0)
    out["ci_low"], out["ci_high"] = wilson(out["n_tagged"], out["n"], confidence)
    return out


def codebook_coverage(data: pd.DataFrame, codebook, *, col: str = "comment", by=None,
                      confidence: float = 0.95) -> pd.DataFrame:
    """Share of comments that at least one codebook theme tags, overall or per group.

    Parameters
    ----------
    data : DataFrame
        Responses with a comment column.
    codebook : path, dict or Codebook
        See :func:`~cxlib.comments.load_codebook`.
    col : str, default "comment"
        Comment column; empty and whitespace-only comments are not counted.
    by : str or list of str, optional
        Grouping columns.
    confidence : float, default 0.95
        Level of the Wilson interval.

    Returns
    -------
    DataFrame
        One row per group: the ``by`` columns, ``n`` (comments), ``n_tagged`` (comments with at least
        one theme), ``coverage`` (n_tagged / n) with Wilson ``ci_low`` / ``ci_high``.

    Examples
    --------
    >>> df = pd.DataFrame({"comment": ["Waited 40 minutes on hold.", "Lovely colours", "  ", None]})
    >>> codebook_coverage(df, "data/sample/codebook.yml")[["n", "n_tagged", "coverage"]]
       n  n_tagged  coverage
    0  2         1       0.5
    """
    cb = load_codebook(codebook)
    confidence = check_confidence(confidence, func="codebook_coverage")
    by = by_list(by)
    need_columns(data, [col] + by, where="codebook_coverage")
    texts = as_text_series(data[col], what=f"column {col!r}")
    has = texts.notna() & (texts.fillna("").str.strip().str.len() > 0)
    tagged = pd.Series(False, index=data.index)
    if bool(has.any()):
        tagged[has] = tag_texts(redact(texts[has]), cb).any(axis=1)
    frame = data[by].assign(_n=has.astype(int), _k=(tagged & has).astype(int))
    if not by:
        return _coverage_table(pd.DataFrame(index=[0]), [frame["_n"].sum()], [frame["_k"].sum()], confidence)
    g = frame.groupby(by, observed=True, sort=True, dropna=False)[["_n", "_k"]].sum().reset_index()
    return _coverage_table(g[by], g["_n"], g["_k"], confidence)


def _tags(emb, codebook) -> pd.DataFrame:
    """Theme flags for each distinct comment of ``emb``, as :func:`tag_texts` gives them on its redacted
    text (as :func:`~cxlib.comments.annotate_comments` and :func:`codebook_coverage` tag): examples are
    compared with ``emb``'s vectors where they embed that text, and with the text embedded afresh where
    they do not (brand words stripped, or a comment that cleaning emptied)."""
    cb, red = load_codebook(codebook), pd.Series(emb.redacted, dtype="str")
    if not any(t.examples for t in cb.themes.values()):
        return tag_texts(red, cb)
    plain = clean_text(red).to_numpy(str)
    other = np.flatnonzero(plain != emb.clean.astype(str))
    vectors = emb.vectors
    if len(other):
        vectors = vectors.copy()
        vectors[other] = embed_texts(plain[other])
    return tag_texts(red, cb, vectors=vectors)


def uncoded_themes(data, codebook, *, k: int | None = None, seed: int = 0, method: str = "embeddings",
                   col: str = "comment", score: str = "nps", n_terms: int = 8, n_quotes: int = 3,
                   brand_words=(), cache_dir=None, confidence: float = 0.95,
                   language: str | None = None) -> ThemeClusters:
    """Clusters of the comments no codebook theme tags, largest first, with the codebook's coverage.

    Parameters
    ----------
    data : DataFrame
        Responses with a comment column.
    codebook : path, dict or Codebook
        See :func:`~cxlib.comments.load_codebook`.
    k, seed, method, col, score, n_terms, n_quotes, brand_words, cache_dir, confidence, language
        As in :func:`~cxlib.comments.discover_themes` (k chosen in 4..20 by silhouette when not given).

    Returns
    -------
    ThemeClusters
        As :func:`~cxlib.comments.discover_themes`, over the untagged comments only: ``.themes["share"]``
        is each cluster's share of *all* comments, ``.data["cluster"]`` is NA for tagged comments, and
        ``.coverage`` is a one-row table as :func:`codebook_coverage` returns.

    Examples
    --------
    >>> from cxlib import data
    >>> found = uncoded_themes(data.load_responses(), "data/sample/codebook.yml", k=3)
    >>> round(float(found.coverage["coverage"].iloc[0]), 2), found.k
    (0.65, 3)
    """
    emb = embed_comments(data, col=col, cache_dir=cache_dir, brand_words=brand_words)
    tagged = _tags(emb, codebook).any(axis=1).to_numpy(bool)
    confidence = check_confidence(confidence, func="uncoded_themes")
    n, n_tagged = int(emb.counts.sum()), int(emb.counts[tagged].sum())
    coverage = _coverage_table(pd.DataFrame(index=[0]), [n], [n_tagged], confidence)
    ids = np.flatnonzero(~tagged)
    found = _cluster_rows(data, emb, ids, k=k, seed=seed, method=method, score=score, n_terms=n_terms,
                          n_quotes=n_quotes, confidence=confidence, k_range=K_RANGE, cache_dir=cache_dir,
                          language=language)
    found.coverage = coverage
    return found


def _ranked(emb, data, score: np.ndarray, keep: np.ndarray, n: int) -> pd.DataFrame:
    """The ``n`` distinct comments with the highest ``score`` among ``keep``, with a response id."""
    cand = np.flatnonzero(keep)
    top = cand[np.argsort(-score[cand], kind="stable")[:n]]
    out = pd.DataFrame({"comment": emb.redacted[top], "language": emb.language[top].astype(str),
                        "similarity": score[top], "n": emb.counts[top]})
    if isinstance(data, pd.DataFrame) and "response_id" in data.columns:
        first = pd.Series(np.arange(len(emb.row))).groupby(emb.row).first()
        out.insert(0, "response_id", data["response_id"].to_numpy()[first.reindex(top).to_numpy()])
    return out


def suggest_matches(data, codebook, theme: str, n: int = 20, *, languages=None, col: str = "comment",
                    cache_dir=None, brand_words=()) -> pd.DataFrame:
    """Comments a theme does not tag that read most like the ones it does: candidates for its patterns
    or examples, in every language.

    The centre the comments are ranked by is the mean of the theme's tagged comments (each counted as
    often as it occurs) and of its examples (each once); the embeddings are multilingual, so English
    comments and examples find German or French look-alikes. A theme told only by examples that tags
    nothing yet is ranked by its examples.

    Parameters
    ----------
    data : DataFrame
        Responses with a comment column.
    codebook : path, dict or Codebook
        See :func:`~cxlib.comments.load_codebook`.
    theme : str
        A codebook theme name.
    n : int, default 20
        Comments listed.
    languages : str or list of str, optional
        Only comments in these languages (codes of :data:`~cxlib.comments.LANGUAGES` or "und", as
        :func:`~cxlib.comments.detect_language` gives), e.g. the languages the theme's patterns were not
        written for.
    col, cache_dir, brand_words
        As in :func:`~cxlib.comments.embed_comments`.

    Returns
    -------
    DataFrame
        Up to ``n`` distinct comments, closest first: ``response_id`` (the first with that comment,
        when present), ``comment`` (redacted), ``language`` (its code), ``similarity`` (cosine to the
        centre), ``n`` (comments with that text), ``n_tagged`` (tagged comments the centre is made of)
        and ``n_examples`` (the theme's examples in it).

    Examples
    --------
    >>> df = pd.DataFrame({"comment": ["Waited 40 minutes on hold.", "On hold for ages again.",
    ...                                "Nobody answered the phone for an hour.", "Great value for the price."]})
    >>> suggest_matches(df, {"themes": {"hold": {"include": ["on hold"]}}}, "hold", n=1)["comment"].tolist()
    ['Nobody answered the phone for an hour.']
    """
    cb = load_codebook(codebook)
    if theme not in cb.names:
        raise CodebookError(f"suggest_matches: theme {theme!r} is not in the codebook; its themes are {cb.names}")
    langs = [languages] if isinstance(languages, str) else languages
    for code in langs or ():   # a name ("german") or "EN" would keep no comment: an empty list, quietly
        check_choice(code, (*LANGUAGES, UNDETERMINED), param="languages", func="suggest_matches")
    emb = embed_comments(data, col=col, cache_dir=cache_dir, brand_words=brand_words)
    flags = _tags(emb, cb)[PREFIX + theme].to_numpy(bool)
    examples = cb.themes[theme].examples
    if not flags.any() and not examples:
        raise CodebookError(f"suggest_matches: theme {theme!r} tags none of the {int(emb.counts.sum()):,} comments "
                            "and has no examples; there is nothing to find look-alikes of")
    centre = (emb.vectors[flags] * emb.counts[flags, None]).sum(axis=0)
    if examples:
        centre = centre + _examples.example_vectors(examples).sum(axis=0)
    centre /= max(float(np.linalg.norm(centre)), 1e-12)
    keep = ~flags if langs is None else ~flags & np.isin(emb.language.astype(str), langs)
    out = _ranked(emb, data, emb.vectors @ centre, keep, n)
    out["n_tagged"], out["n_examples"] = int(emb.counts[flags].sum()), len(examples)
    return out


def similar(data, text: str, n: int = 10, *, col: str = "comment", cache_dir=None, brand_words=()) -> pd.DataFrame:
    """Comments like this one: the ``n`` distinct comments nearest to ``text`` (cosine of embeddings).

    Parameters
    ----------
    data : DataFrame or Series
        Responses with a comment column, or the comments.
    text : str
        Any text: a comment, a phrase ("charged twice"), a quote from a theme.
    n : int, default 10
        Comments listed.
    col, cache_dir, brand_words
        As in :func:`~cxlib.comments.embed_comments`.

    Returns
    -------
    DataFrame
        ``response_id`` (when present), ``comment`` (redacted), ``language``, ``similarity``, ``n``
        (comments with that text), closest first.

    Examples
    --------
    >>> df = pd.DataFrame({"comment": ["I was charged twice.", "Great app.", "Double charge on my bill."]})
    >>> similar(df, "billed two times", n=2)["comment"].tolist()
    ['I was charged twice.', 'Double charge on my bill.']
    """
    emb = embed_comments(data, col=col, cache_dir=cache_dir, brand_words=brand_words)
    query = embed_texts(clean_text(redact(str(text)), brand_words=brand_words))[0]
    return _ranked(emb, data, emb.vectors @ query, np.ones(len(emb.vectors), bool), n)
