"""Comments in several languages: themes that are not languages, labels without stop words, quotes marked
with their language, sentiment learned across languages. On real reviews (tests/multilingual.py; skipped,
saying why, when the set is absent) and on a few comments written here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import multilingual
from cxlib import comments
from cxlib.comments import _crosslingual

needs_set = pytest.mark.skipif(not multilingual.available(),
                               reason=f"the multilingual set is absent ({multilingual.folder()}): "
                                      "python tests/multilingual.py puts it there")


def test_language_offsets_are_removed_and_one_language_is_left_alone():
    rng = np.random.default_rng(0)
    topic = rng.normal(size=(2, 8))
    offset = {"en": rng.normal(size=8) * 3, "fr": rng.normal(size=8) * 3}
    rows, langs = [], []
    for lang in ("en", "fr"):
        for t in range(2):
            for _ in range(25):
                rows.append(topic[t] + offset[lang] + rng.normal(size=8) * 0.1)
                langs.append(lang)
    V = np.array(rows, dtype=np.float32)
    A = _crosslingual.align_languages(V, np.array(langs))
    # after centring, the two languages' means coincide (computed by hand: each mean moved onto the overall)
    assert np.allclose(A[:50].mean(axis=0) / np.linalg.norm(A[:50].mean(axis=0)),
                       A[50:].mean(axis=0) / np.linalg.norm(A[50:].mean(axis=0)), atol=0.05)
    assert np.array_equal(_crosslingual.align_languages(V, np.array(["en"] * 100)), V)
    few = np.array(["en"] * 90 + ["fr"] * 10)   # fewer than 20 French comments: nothing moves
    assert np.array_equal(_crosslingual.align_languages(V, few), V)


def test_labels_drop_stop_words_of_every_language():
    clean = np.array(["die Lieferung war sehr spät und kalt", "la livraison était très en retard",
                      "the delivery was late and cold", "le personnel est très aimable",
                      "das Personal war sehr freundlich", "the staff were very friendly"], dtype=object)
    lang = np.array(["de", "fr", "en", "fr", "de", "en"], dtype=object)
    terms = _crosslingual.theme_terms(clean, lang, np.ones(6), np.array([0, 0, 0, 1, 1, 1]), 2, 20)
    words = {w for t in terms for phrase in t.split(", ") for w in phrase.split()}
    # written by hand: the stop words in these sentences, in their languages
    assert not words & {"die", "war", "sehr", "und", "la", "était", "très", "en", "the", "was", "and", "le",
                        "est", "das", "were", "very"}
    assert {"lieferung", "livraison", "delivery"} <= set(terms[0].split(", "))


@needs_set
def test_themes_cross_languages_and_label_without_stop_words():
    rev = multilingual.reviews(per_class=300)
    found = comments.discover_themes(rev, k=10, col="text", score="none")
    lang = rev["language"].to_numpy()
    cluster = found.data["cluster"].to_numpy()
    majority = pd.crosstab(cluster, lang).max(axis=1).sum() / len(rev)
    largest = rev["language"].value_counts(normalize=True).iloc[0]
    # done when (issue 26): well below the largest language's share + 0.25; measured 0.44 (largest 0.30)
    assert majority <= largest + 0.20, majority
    stop = _crosslingual.stop_words()
    words = {w for t in found.themes["terms"] for phrase in t.split(", ") for w in phrase.split()}
    assert not words & stop
    assert (found.themes["quotes"].str.len() == found.themes["quote_languages"].str.len()).all()
    assert found.themes["quote_languages"].map(lambda x: len(set(x)) > 1).any()   # quotes in several languages
    assert found.themes["subtitle_language"].isin(comments.LANGUAGES).all()
    assert ((found.themes["language_share"] > 0) & (found.themes["language_share"] <= 1)).all()


@needs_set
def test_sentiment_learned_across_languages_reports_each_language():
    rev = multilingual.reviews(per_class=300)
    train = rev.sample(300, random_state=1)
    model = comments.train_sentiment(train, text="text", label="label", C=10.0)
    by = model.metrics["by_language"]
    # counted from the set's own language labels: every language with 30+ labelled comments is reported,
    # give or take the few comments whose detected language is unsure ("und") or wrong
    counts = train["language"].value_counts()
    assert set(by) == set(counts[counts >= 30].index)
    assert all(abs(by[k]["n"] - counts[k]) <= 3 for k in by), by
    # the per-language accuracies, weighted by their n, add up to the overall accuracy
    total = sum(v["accuracy"] * v["n"] for v in by.values()) / sum(v["n"] for v in by.values())
    assert total == pytest.approx(model.metrics["accuracy"], abs=0.02)
    held_out = rev.drop(train.index)
    pred = comments.predict_sentiment(held_out, model, col="text")["sentiment"]
    recall = [float((pred[held_out["label"] == c] == c).mean()) for c in ("negative", "positive")]
    # measured 0.70 (wordllama 0.61, the full USE model 0.71); issue 26 asks 0.85, not reached on this set.
    # Cheap variants tried on the same split (balanced accuracy): C=1 0.70, C chosen by 5-fold CV on the
    # 300 training labels 0.71, standardised features with CV 0.68, class weights balanced 0.71, sum +
    # max + min pooling of the static table 0.69-0.71, each language's mean removed (no labels) 0.73 at
    # C=1 but 0.70 at C=10: none clears 0.75 overall; English film-review sentences stay lowest (0.60-0.68)
    assert np.mean(recall) >= 0.65, recall
    assert "by language: " in model.describe()


def test_labels_in_the_report_language_map_other_languages_by_nearest_phrase():
    # written by hand: one theme told in German and English, one in French and English (25+ comments a
    # language so that each language takes part in the labels)
    clean = np.array(["die lieferung kam spät", "the delivery was late", "la livraison est arrivée en retard",
                      "das essen war kalt", "the food was cold", "la nourriture était froide"] * 25, dtype=object)
    lang = np.array(["de", "en", "fr"] * 50, dtype=object)
    labels = np.array([0, 0, 0, 1, 1, 1] * 25)
    terms = _crosslingual.theme_terms(clean, lang, np.ones(len(clean)), labels, 2, 6, target="en")
    words = [set(t.split(", ")) for t in terms]
    # the English phrases stay; "lieferung"/"livraison" become "delivery", "essen"/"nourriture" "food",
    # "kalt"/"froide" "cold" (each listed once); what has no English phrase near it is marked ("kam (de)")
    assert {"delivery", "late"} <= words[0] and {"food", "cold"} <= words[1], terms
    assert not {"lieferung", "livraison", "essen", "nourriture", "kalt", "froide"} & (words[0] | words[1]), terms
    assert all(w in {"delivery", "late", "food", "cold"} or w.endswith((" (de)", " (fr)")) for w in words[0] | words[1])
    # no English comments at all: nothing to map to, so each phrase is kept and marked with its language
    no_en = lang != "en"
    kept = _crosslingual.theme_terms(clean[no_en], lang[no_en], np.ones(int(no_en.sum())), labels[no_en], 2, 6,
                                     target="en")
    assert "lieferung (de)" in kept[0].split(", ") and "livraison (fr)" in kept[0].split(", "), kept
    # without a target the languages take turns in their own words (as before)
    own = _crosslingual.theme_terms(clean, lang, np.ones(len(clean)), labels, 2, 6)
    assert {"kam", "livraison"} <= set(own[0].split(", ")), own


def test_discover_themes_labels_in_the_language_asked():
    multi = pd.DataFrame({"comment": ["The delivery was two days late", "Die Lieferung kam zwei Tage zu spät",
                                      "La livraison avait deux jours de retard", "The staff were very friendly",
                                      "Das Personal war sehr freundlich", "Le personnel était très aimable"] * 25})
    multi["comment"] = multi["comment"] + [f" ({i})" for i in range(150)]
    found = comments.discover_themes(multi, k=2, language="en")
    words = {w for t in found.themes["terms"] for w in t.split(", ")}
    assert not {"lieferung", "livraison", "personal", "personnel"} & words, found.themes["terms"].tolist()
    assert found.themes["subtitle_language"].isin(["en", "de", "fr"]).all()
    with pytest.raises(Exception, match="'language' parameter of discover_themes"):
        comments.discover_themes(multi, k=2, language="xx")
