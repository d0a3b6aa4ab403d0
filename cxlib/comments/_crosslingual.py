"""Comments across languages: each language's offset removed before clustering, and theme labels in
every language (class-based TF-IDF per language inside each theme, stop words of every supported language
removed: the ``stop-words`` package's lists, BSD, plus scikit-learn's English), or in one language: each
other language's key phrase replaced by the nearest phrase the comments use in that language."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .languages import LANGUAGES, UNDETERMINED

TOKENS = r"(?u)\b[^\W\d_][^\W\d_']+\b"
_TERMS_ROWS = 50_000
#: A language takes part in a theme's label when it holds at least this share of the theme's comments.
MIN_LANGUAGE_SHARE = 0.1
#: A key phrase is replaced by its nearest phrase in the report's language at or above this cosine
#: similarity (else kept, marked with its language). Measured on 17 hand-picked translations of words and
#: phrases (German, French, Dutch to English: "lieferung"/"delivery" 0.70, "roman"/"novel" 0.58,
#: "zimmer"/"room" 0.92; all 0.58-0.94) against unrelated pairs ("lieferung"/"book": 0.04; all <= 0.12).
PHRASE_MATCH = 0.5
#: Phrases of the report's language a key phrase may be mapped to: the most used ones.
_CANDIDATES = 5_000
#: A language's vectors are centred (:func:`align_languages`) when it has at least this many distinct comments.
MIN_ALIGN_COMMENTS = 20


@lru_cache(maxsize=1)
def stop_words() -> frozenset:
    """Lower-case stop words of every language in :data:`~cxlib.comments.LANGUAGES` that has a list."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
    from stop_words import AVAILABLE_LANGUAGES, LANGUAGE_MAPPING, get_stop_words

    words = set(ENGLISH_STOP_WORDS)
    for code in LANGUAGES:
        name = LANGUAGE_MAPPING.get(code)
        if name in AVAILABLE_LANGUAGES:
            words.update(w.strip().lower() for w in get_stop_words(code))
    return frozenset(w for w in words if w)


def _analyzer():
    """Lower-cased words and two-word phrases, neither made of or starting/ending with a stop word."""
    import re

    token = re.compile(TOKENS)
    stop = stop_words()

    def analyse(text: str) -> list[str]:
        words = token.findall(text.lower())
        keep = [w not in stop for w in words]
        grams = [w for w, k in zip(words, keep) if k]
        grams += [f"{a} {b}" for a, b, ka, kb in zip(words, words[1:], keep, keep[1:]) if ka and kb]
        return grams
    return analyse


def theme_terms(clean: np.ndarray, language: np.ndarray, weights: np.ndarray, labels: np.ndarray, k: int,
                n_terms: int, target: str | None = None) -> list[str]:
    """Per theme: its distinctive terms, strongest first, languages taking turns.

    Class-based TF-IDF (Grootendorst 2022, BERTopic) over every comment: term share in the theme ×
    log(1 + A / f_term). Each term belongs to the language whose comments use it most; the languages
    holding at least :data:`MIN_LANGUAGE_SHARE` of the theme (and :data:`MIN_ALIGN_COMMENTS` distinct
    comments in the data) take turns, largest first, so that a theme told in three languages is
    labelled in the three; terms of other languages join the largest's turn. Over at most 50,000
    distinct comments (a seeded subset beyond that).

    With ``target`` (a language code: the report's language) the labels are in that language: each
    other language's phrase becomes the nearest phrase (cosine of the multilingual embeddings, at least
    :data:`PHRASE_MATCH`) among the :data:`_CANDIDATES` most used phrases of the comments in ``target``,
    else it stays, marked with its language ("lieferung (de)"); a phrase met twice is listed once."""
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer

    if len(clean) > _TERMS_ROWS:
        keep = np.sort(np.random.default_rng(0).choice(len(clean), _TERMS_ROWS, replace=False))
        clean, language, weights, labels = clean[keep], language[keep], weights[keep], labels[keep]
    vec = CountVectorizer(analyzer=_analyzer())
    try:
        X = vec.fit_transform(clean)
    except ValueError:   # no words at all (emoji only, say)
        return [""] * k
    language = np.asarray(language).astype(str).astype(object)
    names_l, lang_idx, lang_n = np.unique(language, return_inverse=True, return_counts=True)
    n = len(labels)
    onehot = sparse.csr_matrix((weights.astype(float), (labels, np.arange(n))), shape=(k, n))
    tf = np.asarray((onehot @ X).todense())
    ctfidf = tf / np.maximum(tf.sum(axis=1, keepdims=True), 1) * np.log1p(tf.sum() / k / np.maximum(tf.sum(axis=0), 1))
    by_lang = sparse.csr_matrix((weights.astype(float), (lang_idx, np.arange(n))), shape=(len(names_l), n))
    lang_tf = by_lang @ X
    term_lang = np.asarray(lang_tf.argmax(axis=0)).ravel()
    theme_lang = np.zeros((k, len(names_l)))
    np.add.at(theme_lang, (labels, lang_idx), weights)
    names = vec.get_feature_names_out()
    out = []
    for j in range(k):
        share = theme_lang[j] / max(theme_lang[j].sum(), 1e-12)
        ok = (share >= MIN_LANGUAGE_SHARE) & (lang_n >= MIN_ALIGN_COMMENTS) & (names_l != "und")
        turns = [int(x) for x in np.argsort(-share, kind="stable") if ok[x]] or [int(np.argmax(share))]
        lists = {t: [] for t in turns}
        for i in np.argsort(-ctfidf[j], kind="stable")[:20 * n_terms]:
            if ctfidf[j, i] > 0:
                lists[term_lang[i] if term_lang[i] in lists else turns[0]].append((names[i], term_lang[i]))
        out.append([terms[r] for r in range(n_terms) for terms in lists.values() if r < len(terms)])
    if target is not None:
        out = _in_language(out, names, names_l, term_lang, lang_tf, target)
    return [", ".join(list(dict.fromkeys(term for term, _ in picked))[:n_terms]) for picked in out]


def _in_language(themes: list, names: np.ndarray, codes: np.ndarray, term_lang: np.ndarray, lang_tf,
                 target: str) -> list:
    """Each theme's (phrase, language index) list with the phrases of other languages than ``target``
    replaced by their nearest ``target`` phrase, or marked with their language (see :func:`theme_terms`)."""
    from .embeddings import embed_texts

    where = np.flatnonzero(codes == target)
    keep = {target, UNDETERMINED}
    foreign = sorted({term for picked in themes for term, t in picked if codes[t] not in keep})
    if not foreign:
        return themes
    mapped = {}
    if len(where):
        use = np.asarray(lang_tf[where[0]].todense()).ravel()
        own = np.flatnonzero((term_lang == where[0]) & (use > 0))
        own = own[np.argsort(-use[own], kind="stable")[:_CANDIDATES]]
        if len(own):
            sim = embed_texts(list(foreign)) @ embed_texts(list(names[own])).T
            best = sim.argmax(axis=1)
            mapped = {term: str(names[own[b]]) for term, b, ok in zip(foreign, best,
                                                                     sim[np.arange(len(foreign)), best] >= PHRASE_MATCH) if ok}
    return [[(term if codes[t] in keep else mapped.get(term, f"{term} ({codes[t]})"), t) for term, t in picked]
            for picked in themes]


def align_languages(vectors: np.ndarray, language: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Vectors with each language's mean moved onto the mean of all, scaled to unit length again.

    Sentence vectors of different languages sit in different regions of the space (each language has
    its own offset), so k-means on them groups by language first. Removing each language's mean and
    adding back the overall one (Libovický, Rosa & Fraser 2020: language-specific centring) keeps what
    the comments say and drops which language they say it in. Only languages with at least
    :data:`MIN_ALIGN_COMMENTS` distinct comments are moved (a mean of fewer is noise, and short comments
    are the ones whose language is least sure); fewer than two such languages: the vectors are unchanged.
    Undetermined comments ("und") keep their vectors.
    """
    language = np.asarray(language).astype(str).astype(object)
    names, counts = np.unique(language, return_counts=True)
    langs = [x for x, c in zip(names, counts) if x != "und" and c >= MIN_ALIGN_COMMENTS]
    if len(langs) < 2:
        return vectors
    w = np.ones(len(vectors)) if weights is None else np.asarray(weights, dtype=float)
    overall = (w[:, None] * vectors).sum(axis=0) / w.sum()
    out = vectors.astype(np.float32, copy=True)
    for lang in langs:
        rows = language == lang
        out[rows] += (overall - (w[rows, None] * vectors[rows]).sum(axis=0) / w[rows].sum()).astype(np.float32)
    norm = np.linalg.norm(out, axis=1, keepdims=True)
    return np.divide(out, norm, out=np.zeros_like(out), where=norm > 0)
