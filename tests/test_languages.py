"""Language identification (py3langid, offline) and the language mix."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from cxlib import comments
import multilingual

# Written for this test, one per language; the expected code is the language each was written in.
HAND = {
    "en": "The waiter forgot our order and the soup arrived cold.",
    "de": "Die Lieferung kam zwei Tage zu spät und niemand hat sich entschuldigt.",
    "fr": "Le service client ne répond jamais au téléphone, c'est inadmissible.",
    "es": "La habitación estaba sucia y el personal fue muy poco amable.",
    "it": "Il personale è stato gentilissimo e la camera era pulita.",
    "pt": "O atendimento foi péssimo e a comida chegou fria.",
    "nl": "De bezorger was vriendelijk maar het pakket was beschadigd.",
    "pl": "Obsługa była bardzo miła, ale czekaliśmy godzinę na jedzenie.",
    "ru": "Доставка опоздала на два дня, и никто не извинился.",
    "tr": "Yemekler çok lezzetliydi ama servis biraz yavaştı.",
    "ja": "注文した商品が届くまでに一週間もかかりました。",
}


def test_each_hand_written_comment_gets_its_language():
    got = comments.detect_language(pd.Series(list(HAND.values()), index=list(HAND)))
    assert got.to_dict() == {k: k for k in HAND}


def test_missing_stays_missing_and_text_without_letters_is_undetermined():
    got = comments.detect_language(pd.Series([None, "", "  ", "12345", ":-) !!", "Great food"]))
    assert got.isna().tolist() == [True, False, False, False, False, False]
    assert got.iloc[1:5].tolist() == ["und"] * 4 and got.iloc[5] == "en"


def test_language_mix_counts_and_shares():
    mix = comments.language_mix(pd.DataFrame({"language": ["fr", "en", "en", "de", "en", None, "fr"]}))
    # by hand: 3 en, 2 fr, 1 de of 6 comments with a language
    assert mix[["language", "name", "n"]].values.tolist() == [["en", "English", 3], ["fr", "French", 2],
                                                              ["de", "German", 1]]
    assert mix["share"].tolist() == pytest.approx([3 / 6, 2 / 6, 1 / 6])


def test_annotated_comments_carry_their_language(tmp_path):
    df = pd.DataFrame({"comment": [HAND["de"], None, HAND["es"], HAND["de"]]})
    out = comments.annotate_comments(df, cache_dir=tmp_path)
    assert out["language"].tolist()[:1] + out["language"].tolist()[2:] == ["de", "es", "de"]
    assert pd.isna(out["language"].iloc[1])
    again = comments.annotate_comments(df, cache_dir=tmp_path)   # from the cache
    assert again["language"].equals(out["language"])


def test_voice_section_shows_the_language_mix(make_scope):
    data = pd.DataFrame({"responded_at": pd.to_datetime(["2026-10-02"] * 5), "nps": [9.0, 3, 10, 6, 8],
                         "comment": [HAND["en"], HAND["fr"], HAND["en"], HAND["de"], None]})
    from cxlib.report import sections

    html = sections.voice(make_scope(data, month="2026-10"))
    assert re.search(r"Languages of the comments of [^<]*2026 \(n = 4\)", html)
    # by hand: 2 English, 1 French, 1 German of 4 comments
    rows = re.findall(r"<td>(\w+)</td>\s*<td>(\d+)</td>\s*<td>(\d+%)</td>", html)
    assert rows == [("English", "2", "50%"), ("German", "1", "25%"), ("French", "1", "25%")]   # ties: by code


needs_set = pytest.mark.skipif(not multilingual.available(),
                               reason=f"the multilingual set is absent ({multilingual.folder()}): "
                                      "python tests/multilingual.py puts it there")


@needs_set
def test_accuracy_on_real_reviews_and_sentences():
    rev = multilingual.reviews()
    sent = multilingual.sentences()
    acc_rev = float((comments.detect_language(rev["text"]).to_numpy() == rev["language"].to_numpy()).mean())
    acc_sent = float((comments.detect_language(sent["text"]).to_numpy() == sent["language"].to_numpy()).mean())
    # measured 0.996 and 0.94 (benchmarks/bench_languages.py); floors leave room for a newer model
    assert acc_rev >= 0.98 and acc_sent >= 0.90, (acc_rev, acc_sent)
    assert np.isin(comments.detect_language(rev["text"].head(50)), comments.LANGUAGES).all()


def test_the_vectorised_classifier_gives_py3langid_s_own_scores():
    # Second implementation: py3langid's classify, one comment at a time (its Python automaton walk)
    from cxlib.comments import languages
    from cxlib.comments._langid import BatchIdentifier

    texts = list(HAND.values()) + ["OK.", "ÉNORME SUCCÈS", "x", "", "😀😀", "Ça va? Ja, gut. OK!", "a" * 700]
    if multilingual.available():
        texts += multilingual.sentences()["text"].sample(2000, random_state=0).tolist()
    ident = languages._identifier()
    batch = BatchIdentifier.from_identifier(ident)
    proba = batch.probabilities(texts)
    ref = [ident.classify(t) for t in texts]
    assert list(batch.classes[proba.argmax(axis=1)]) == [code for code, _ in ref]
    assert np.allclose(proba.max(axis=1), [p for _, p in ref], atol=1e-4)   # float32 sums in another order


def test_the_kept_arrays_are_the_decoded_model(tmp_path, monkeypatch):
    # Second route: the arrays decoded from py3langid's LZMA model in this process, against those written to
    # (and read back from) a fresh user cache folder: the same arrays, the same probabilities.
    from cxlib.comments import languages
    from cxlib.comments._langid import BatchIdentifier

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    languages._batch_identifier.cache_clear()
    try:
        built = languages._batch_identifier()                  # decoded, then kept
        kept = sorted(p.name for p in (tmp_path / "cxlib").glob("py3langid-*.npy"))
        assert kept == sorted(languages._array_names().values()) and len(kept) == 6
        assert all(languages._modelcache.digest(languages._py3langid_model()) in name for name in kept)
        languages._batch_identifier.cache_clear()
        with monkeypatch.context() as m:                       # read from the kept files, not decoded again
            m.setattr(languages, "_identifier", lambda: pytest.fail("the kept arrays were not read"))
            read = languages._batch_identifier()
        assert all(isinstance(getattr(read, f).base, np.memmap) for f in ("nextmove", "ptc"))   # mapped, not copied
        damaged = tmp_path / "cxlib" / languages._array_names()["ptc"]
        head = damaged.read_bytes()[:500]
        damaged.unlink()                                       # a new file: `read` still maps the old one
        damaged.write_bytes(head)                              # cut short: decoded and written again
        languages._batch_identifier.cache_clear()
        again = languages._batch_identifier()
        assert damaged.stat().st_size > 500
    finally:
        languages._batch_identifier.cache_clear()
    decoded = BatchIdentifier.from_identifier(languages._identifier())
    for a in (built, read, again):
        assert all(np.array_equal(getattr(a, f), getattr(decoded, f)) for f in BatchIdentifier.FIELDS)
    texts = list(HAND.values()) + ["OK.", "ÉNORME SUCCÈS", "😀😀"]
    assert np.array_equal(read.probabilities(texts), decoded.probabilities(texts))


def test_topic_quotes_are_marked_with_their_language_when_several_are_shown(make_scope):
    texts = [HAND["en"], HAND["fr"], HAND["de"], HAND["es"], HAND["nl"], HAND["it"]] * 6
    data = pd.DataFrame({"responded_at": pd.to_datetime(["2026-10-02"] * 36), "nps": [9.0, 3, 10, 6, 8, 7] * 6,
                         "comment": [f"{t} {i}" for i, t in enumerate(texts)]})
    from cxlib.report import sections

    html = sections.voice(make_scope(data, month="2026-10"), min_uncoded=10)
    assert re.search(r"\((English|French|German|Spanish|Dutch|Italian)\)</", html)
