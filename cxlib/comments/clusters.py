"""Themes the analyst can use: clusters of comment embeddings, with terms, size, score, quotes and rows.

:func:`discover_themes` clusters comments (k-means on their embeddings, or TF-IDF + NMF) and returns both
a table of themes and the per-comment assignment, so that a theme can be cross-tabbed with segments and
scores like any other column.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from .._checks import check_choice, check_confidence
from .._stats import mean_ci
from ..errors import DataError, ParameterError
from . import _theme_cache
from ._crosslingual import TOKENS, align_languages, theme_terms
from .embeddings import Embeddings, embed_comments
from .languages import LANGUAGES

__all__ = ["ThemeClusters", "discover_themes"]

#: Candidate numbers of themes when ``k`` is not given; and how many distinct comments the choice uses.
K_RANGE = (4, 20)
_FIT_ROWS, _SCORE_ROWS = 10_000, 5_000
#: Beyond this many distinct wordings k-means runs on a seeded subset of this size and every wording
#: joins its nearest centre (Lloyd's steps on a million 256-d rows cost most of a minute).
_LLOYD_ROWS = 100_000


@dataclass
class ThemeClusters:
    """Discovered themes.

    Attributes
    ----------
    themes : DataFrame
        One row per theme, largest first: ``theme`` (1..k), ``n`` (comments), ``share`` (of every
        comment in the data), ``terms`` (distinctive words and two-word phrases, no stop word of any
        supported language; class-based TF-IDF within each language, taken in turn from each language
        holding 10% or more of the theme, or all in one language, see :func:`discover_themes`),
        ``subtitle`` and ``subtitle_language`` (the redacted comment nearest the theme's centre and its
        language), ``language`` and ``language_share`` (the theme's
        most common language and its share of the theme's comments),
        ``n_score``, ``score_mean`` with t-interval ``score_ci_low`` / ``score_ci_high`` (mean of the
        ``score`` column over the theme's respondents), ``quotes`` (list of redacted comments nearest
        the theme's centre, from any language) and ``quote_languages`` (the language of each quote).
    data : DataFrame
        A copy of the input plus ``cluster`` (Int64 theme number; NA where there is no comment, or for
        comments that were not clustered).
    k : int
        Number of themes.
    k_scores : DataFrame
        ``k`` and ``silhouette`` of each candidate tried when ``k`` was not given (empty otherwise).
    method : str
        "embeddings" or "nmf".
    n_comments, n_blank : int
        Comments clustered; empty or whitespace-only comments skipped.
    coverage : DataFrame or None
        For :func:`~cxlib.comments.uncoded_themes`: the codebook's coverage (see
        :func:`~cxlib.comments.codebook_coverage`).
    """

    themes: pd.DataFrame
    data: pd.DataFrame
    k: int
    k_scores: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["k", "silhouette"]))
    method: str = "embeddings"
    n_comments: int = 0
    n_blank: int = 0
    coverage: pd.DataFrame | None = None


def _tfidf(texts):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=1, max_features=20_000,
                          token_pattern=TOKENS)
    return vec.fit_transform(texts)


def _fit(X, k: int, seed: int, method: str, init=None, n_init: int = 3):
    """Labels of the rows of ``X`` in ``k`` groups, and the centres (k-means) or None (NMF)."""
    from sklearn.cluster import KMeans

    if method == "embeddings":
        km = KMeans(k, init=init if init is not None else "k-means++", n_init=1 if init is not None else n_init,
                    random_state=seed, max_iter=100).fit(X)
        return km.labels_, km.cluster_centers_
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        W = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=300).fit_transform(X)
    return np.where(W.max(axis=1) > 0, W.argmax(axis=1), -1), None


def _dense(X) -> np.ndarray:
    """Rows scaled to unit length, dense (TF-IDF rows already are unit length)."""
    X = X.toarray() if hasattr(X, "toarray") else np.asarray(X)
    return X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)


def _choose_k(X, k_range, seed: int, method: str) -> tuple[int, pd.DataFrame]:
    """The candidate k with the highest silhouette (seeded subsets of the distinct comments)."""
    from sklearn.metrics import silhouette_score

    rng = np.random.default_rng(seed)
    n = X.shape[0]
    fit_rows = np.sort(rng.choice(n, min(n, _FIT_ROWS), replace=False))
    score_rows = np.sort(rng.choice(len(fit_rows), min(len(fit_rows), _SCORE_ROWS), replace=False))
    Xs = X[fit_rows]
    dist = np.clip(1 - _dense(Xs[score_rows]) @ _dense(Xs[score_rows]).T, 0, None)   # cosine, rows of unit length
    np.fill_diagonal(dist, 0)
    rows = []
    for k in range(k_range[0], min(k_range[1], len(fit_rows) - 1) + 1):
        labels, _ = _fit(Xs, k, seed, method, n_init=1)
        lab = labels[score_rows]
        ok = lab >= 0
        s = (silhouette_score(dist[np.ix_(ok, ok)], lab[ok], metric="precomputed")
             if len(np.unique(lab[ok])) > 1 else np.nan)
        rows.append({"k": k, "silhouette": float(s)})
    scores = pd.DataFrame(rows, columns=["k", "silhouette"])
    if scores["silhouette"].notna().sum() == 0:
        return min(k_range[0], n), scores
    return int(scores.loc[scores["silhouette"].idxmax(), "k"]), scores


def _centres(V: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Unit-length mean vector of each group (rows labelled -1 left out; an empty group: zeros)."""
    sums = np.zeros((k, V.shape[1]), dtype=np.float32)
    for j in range(k):
        rows = labels == j
        if rows.any():
            sums[j] = V[rows].sum(axis=0)
    return sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)


def _assign(V, clean, *, k, seed: int, method: str, k_range, weights):
    """Theme of each distinct wording (numbered by size, largest first), k, the k scores, each wording's
    similarity to each theme's centre and the themes' sizes."""
    X = V if method == "embeddings" else _tfidf(clean)
    scores = pd.DataFrame(columns=["k", "silhouette"])
    with threadpool_limits(1):   # small fits: one thread each is faster than two fighting for a core
        if k is None:
            k, scores = _choose_k(X, k_range, seed, method)
        k = int(min(k, len(V)))
        init = None
        if method == "embeddings" and len(V) > _FIT_ROWS:   # seed the full fit with a subset's centres
            rows = np.random.default_rng(seed).choice(len(V), _FIT_ROWS, replace=False)
            init = _fit(X[rows], k, seed, method)[1]
        else:
            labels, _ = _fit(X, k, seed, method)
    if init is not None and len(V) > _LLOYD_ROWS:   # refine on a seeded subset, then each wording to its nearest centre
        rows = np.random.default_rng(seed + 1).choice(len(V), _LLOYD_ROWS, replace=False)
        centres = _fit(X[rows], k, seed, method, init=init)[1]
        labels = (V @ centres.T - 0.5 * (centres * centres).sum(axis=1)).argmax(axis=1)   # least squared distance
    elif init is not None:
        labels, _ = _fit(X, k, seed, method, init=init)
    sim = V @ _centres(V, labels, k).T
    labels = np.where(labels >= 0, labels, sim.argmax(axis=1))   # NMF rows with no terms: nearest centre
    sizes = np.bincount(labels, weights=weights, minlength=k)
    order = np.argsort(-sizes, kind="stable")
    rank = np.empty(k, dtype=int)
    rank[order] = np.arange(k)
    labels = rank[labels]
    return labels, k, scores, sim[:, order], sizes[order]


def _wordings(clean: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first position of each distinct wording and each text's wording, told apart by a 64-bit hash
    of the text (sorting a million hashes is far quicker than sorting the texts)."""
    keys = pd.util.hash_pandas_object(pd.Series(clean, dtype="str"), index=False).to_numpy()
    _, first, group = np.unique(keys, return_index=True, return_inverse=True)
    return first, group


def _quotes(near: np.ndarray, redacted: np.ndarray, lang: np.ndarray, n_quotes: int, head: int = 2000) -> dict:
    """The subtitle (the wording nearest the centre) and the ``n_quotes`` nearest distinct wordings of 20
    characters or more (any length when fewer are that long), each with its language. ``near``: the
    theme's wordings, nearest first; only the first ``head`` are read when they hold enough quotes."""
    for part in (near[:head], near):
        red = redacted[part]
        long = [i for i, t in enumerate(red) if len(t) >= 20]
        pool = long if len(long) >= n_quotes else list(range(len(red)))
        first_of = {red[i]: i for i in reversed(pool)}
        if (len(long) >= n_quotes and len(first_of) >= n_quotes) or len(part) == len(near):
            break
    picked = sorted(first_of.values())[:n_quotes]
    return {"subtitle": red[0] if len(red) else "", "subtitle_language": str(lang[part[0]]) if len(red) else "",
            "quotes": [red[i] for i in picked], "quote_languages": [str(lang[part[i]]) for i in picked]}


def _cluster_rows(data, emb: Embeddings, ids: np.ndarray, *, k, seed: int, method: str, score: str,
                 n_terms: int, n_quotes: int, confidence: float, k_range=K_RANGE, cache_dir=None,
                 language: str | None = None) -> ThemeClusters:
    """Cluster the distinct comments ``ids`` of ``emb`` and describe the themes (shared by the public calls)."""
    check_choice(method, ("embeddings", "nmf"), param="method", func="discover_themes")
    if language is not None:
        check_choice(language, LANGUAGES, param="language", func="discover_themes")
    confidence = check_confidence(confidence, func="discover_themes")
    if k is not None and (not isinstance(k, (int, np.integer)) or k < 1):
        raise ParameterError(f"The 'k' parameter of discover_themes must be a positive int or None. Got {k!r} instead.")
    # one point per distinct cleaned wording (numbers and placeholders gone): variants of a phrase
    # that differ only in a number count once
    first, group = _wordings(emb.clean[ids])
    if len(first) < 2:
        raise DataError(f"discover_themes: need at least 2 distinct non-empty comments to cluster, got {len(ids)} "
                        f"({emb.n_blank} empty or whitespace-only, {emb.n_missing} missing)")
    reps = ids[first]
    clean, lang = emb.clean[reps], emb.language[reps]
    weights = np.bincount(group, weights=emb.counts[ids])
    digest = _theme_cache.key(clean, lang, weights, {"model": emb.model, "method": method, "seed": seed, "k": k,
                                                     "k_range": list(k_range), "n_terms": n_terms,
                                                     **({"language": language} if language else {})})
    cached = _theme_cache.read(cache_dir, digest)
    if cached is not None:   # the vectors are not needed: each wording's similarity to its centre is kept
        labels, k, scores, terms, own = cached
    else:
        V = align_languages(emb.vectors[reps], lang, weights)
        labels, k, scores, sim, _ = _assign(V, clean, k=k, seed=seed, method=method, k_range=k_range,
                                            weights=weights)
        own = sim[np.arange(len(labels)), labels]
        terms = theme_terms(clean, lang, weights, labels, k, n_terms, target=language)
        _theme_cache.write(cache_dir, digest, labels, k, scores, terms, own)
    sizes = np.bincount(labels, weights=weights, minlength=k)
    per_row = np.full(len(emb.row), -1)
    where = np.full(len(emb.vectors), -1)
    where[ids] = labels[group]
    has = emb.row >= 0
    per_row[has] = where[emb.row[has]]
    out = data.copy() if isinstance(data, pd.DataFrame) else pd.DataFrame({"comment": data})
    out["cluster"] = pd.Series(per_row + 1, index=out.index, dtype="Int64").mask(per_row < 0)
    vals = (pd.to_numeric(out[score], errors="coerce").to_numpy(float) if score in out.columns
            else np.full(len(out), np.nan))
    n_all, redacted = emb.n_embedded, emb.redacted[reps]
    lang_codes, lang_idx = np.unique(lang.astype(str), return_inverse=True)
    rows = []
    for j in range(k):
        members = np.flatnonzero(labels == j)
        n = int(sizes[j])
        mean, _, lo, hi = mean_ci(vals[per_row == j], confidence)
        in_lang = np.bincount(lang_idx[members], weights=weights[members], minlength=len(lang_codes))
        top = int(np.argmax(in_lang)) if len(members) else -1
        q = _quotes(members[np.argsort(-own[members], kind="stable")], redacted, lang, n_quotes)
        rows.append({"theme": j + 1, "n": n, "share": n / n_all if n_all else np.nan, "terms": terms[j],
                     "subtitle": q["subtitle"], "subtitle_language": q["subtitle_language"],
                     "language": str(lang_codes[top]) if top >= 0 else "",
                     "language_share": float(in_lang[top] / in_lang.sum()) if top >= 0 else np.nan,
                     "n_score": int(np.isfinite(vals[per_row == j]).sum()), "score_mean": mean,
                     "score_ci_low": lo, "score_ci_high": hi, "quotes": q["quotes"],
                     "quote_languages": q["quote_languages"]})
    return ThemeClusters(themes=pd.DataFrame(rows), data=out, k=k, k_scores=scores, method=method,
                         n_comments=int(weights.sum()), n_blank=emb.n_blank)


def discover_themes(data, *, k: int | None = None, seed: int = 0, method: str = "embeddings",
                    col: str = "comment", score: str = "nps", n_terms: int = 8, n_quotes: int = 3,
                    brand_words=(), cache_dir=None, confidence: float = 0.95,
                    language: str | None = None) -> ThemeClusters:
    """Group comments into themes, each with distinctive terms, size, mean score, quotes and its rows.

    Comments are redacted, then @handles, URLs, redaction placeholders, numbers and ``brand_words``
    are stripped before clustering and labelling (see :func:`~cxlib.comments.clean_text`). Each
    distinct wording counts once when the themes are formed (a phrase repeated thousands of times
    cannot claim themes of its own); sizes and scores count every comment.

    Which method: ``"embeddings"`` (default) clusters multilingual sentence vectors with k-means: it
    groups comments that *mean* the same in different words ("on hold for an hour", "nobody picked
    up"), copes with short comments and typos, but knows English best. ``"nmf"`` (TF-IDF + non-negative
    matrix factorisation, the older :func:`~cxlib.comments.discover_topics`) groups comments that *use*
    the same words: prefer it for long comments with a specialised vocabulary, for other languages,
    or to compare with earlier NMF topics. Either way every comment gets one theme. Beyond 100,000
    distinct wordings k-means runs on a seeded 100,000 of them and every wording joins its nearest centre.

    Parameters
    ----------
    data : DataFrame or Series
        Responses with a comment column (and ``score``), or the comments themselves.
    k : int, optional
        Number of themes. Default: chosen as the k in 4..20 with the highest mean silhouette (cosine)
        on a seeded subset of up to 5,000 distinct comments (Rousseeuw 1987).
    seed : int, default 0
        Seed of the k-means / NMF initialisation and the subsets.
    method : {"embeddings", "nmf"}
        See above.
    col, score : str
        Comment column; score column averaged per theme (skipped when absent).
    n_terms, n_quotes : int
        Terms and redacted quotes listed per theme.
    brand_words, cache_dir
        As in :func:`~cxlib.comments.embed_comments` (e.g. ``cfg.comments["brand_words"]``,
        ``cfg.cache_dir``). With ``cache_dir`` the themes found are kept too (which theme each distinct
        wording is in, k and the terms; no text), so a re-run on the same comments skips the clustering.
    confidence : float, default 0.95
        Level of the score intervals.
    language : str, optional
        The language of the labels (the report's, e.g. ``cfg.comments["label_language"]``): each other
        language's key phrase is replaced by the nearest phrase the comments use in this language, or
        kept and marked with its language ("lieferung (de)") when none is near. ``None`` (default): the
        languages of a theme take turns, each with its own phrases.

    Returns
    -------
    ThemeClusters
        ``.themes`` (one row per theme), ``.data`` (the input plus ``cluster``), ``.k``, ``.k_scores``:
        see :class:`ThemeClusters`.

    Examples
    --------
    >>> from cxlib import data
    >>> found = discover_themes(data.load_responses(), k=12)
    >>> found.k, int(found.themes["n"].sum()) == int(found.data["cluster"].notna().sum())
    (12, True)
    """
    emb = embed_comments(data, col=col, cache_dir=cache_dir, brand_words=brand_words)
    return _cluster_rows(data, emb, np.arange(len(emb.vectors)), k=k, seed=seed, method=method, score=score,
                        n_terms=n_terms, n_quotes=n_quotes, confidence=confidence, cache_dir=cache_dir,
                        language=language)
