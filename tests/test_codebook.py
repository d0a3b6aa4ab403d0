"""Tests for cxlib.comments.codebook: loading, tagging with include/exclude, accuracy against hand labels."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlib import data as cxdata
from cxlib.data import load_labelled
from cxlib.errors import CodebookError
from cxlib.comments import (codebook_accuracy, load_codebook, tag_themes,
                            theme_columns)

SAMPLE_CB = "data/sample/codebook.yml"
LABELLED = "data/sample/comments_labelled.csv"
CB = {"themes": {
    "billing": {"include": [r"\bbill(?:ing)?\b", r"\bcharged twice\b"],
                "exclude": [r"\bno problems? with (?:the )?billing\b"], "polarity": "negative"},
    "hold": {"include": [r"\bon hold\b"]},
}}


def test_tagging_is_multilabel_and_exclude_masks_only_the_phrase():
    texts = ["No problems with billing. But the bill was wrong and I was on hold.",  # both: the
             "No problems with billing this time.",                                  # 2nd 'bill' counts
             "I was charged twice", "Nothing to say", None]
    out = tag_themes(texts, CB)
    # Hand labels: row 0 billing+hold, row 1 none, row 2 billing, row 3 none, row 4 no comment (NA).
    assert out["theme_billing"].tolist()[:4] == [True, False, True, False]
    assert out["theme_hold"].tolist()[:4] == [True, False, False, False]
    assert out["n_themes"].tolist()[:4] == [2, 0, 1, 0]
    assert pd.isna(out["theme_billing"].iloc[4]) and pd.isna(out["n_themes"].iloc[4])


def test_tag_themes_keeps_frame_and_does_not_mutate():
    df = pd.DataFrame({"id": [1, 2], "comment": ["on hold", "fine"]})
    before = df.copy()
    out = tag_themes(df, CB)
    pd.testing.assert_frame_equal(df, before)
    assert list(out.columns) == ["id", "comment", "theme_billing", "theme_hold", "n_themes"]
    assert theme_columns(CB) == ["theme_billing", "theme_hold"]


def test_patterns_are_case_insensitive():
    assert tag_themes(["ON HOLD forever"], CB)["theme_hold"].iloc[0]


@pytest.mark.parametrize("bad,match", [
    ({"themes": {"x": {"include": ["(unclosed"]}}}, r"theme 'x'.*'\(unclosed'.*not a valid"),
    ({"themes": {"x": {"description": "no patterns"}}}, r"theme 'x' needs an 'include:'"),
    ({"themes": {"x": {"include": ["a"], "inclde": ["b"]}}}, r"unknown keys \['inclde'\]"),
    ({"themes": {"x": {"include": ["a"], "polarity": "bad"}}}, r"polarity 'bad'"),
    ({"themes": {}}, r"non-empty 'themes:'"),
    ({"nothemes": 1}, r"non-empty 'themes:'"),
])
def test_bad_codebooks_raise_clear_errors(bad, match):
    with pytest.raises(CodebookError, match=match):
        load_codebook(bad)


def test_missing_or_invalid_codebook_file(tmp_path):
    with pytest.raises(CodebookError, match="does not exist"):
        load_codebook(tmp_path / "nope.yml")
    p = tmp_path / "bad.yml"
    p.write_text("themes: [unclosed")
    with pytest.raises(CodebookError, match="not valid YAML"):
        load_codebook(p)


def test_fingerprint_tracks_definitions():
    a = load_codebook(CB).fingerprint
    changed = {"themes": {**CB["themes"], "hold": {"include": [r"\bon hold\b", "queue"]}}}
    assert load_codebook(CB).fingerprint == a and load_codebook(changed).fingerprint != a


def _wilson(k, n, z=1.959963984540054):
    """Wilson (1927) score interval, written out by hand."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_accuracy_counts_and_intervals_by_hand():
    lab = pd.DataFrame({
        "comment": ["bill wrong", "charged twice", "bill is fine",   # tagged billing x3
                    "invoice confusing",                               # billing, missed
                    "on hold", "no problems with billing", "hello"],
        "themes": ["billing", "billing", "", "billing", "hold", "", ""],
    })
    acc = codebook_accuracy(lab, CB).set_index("theme")
    # billing: tagged rows 0, 1, 2; labelled rows 0, 1, 3 -> tp 2, fp 1, fn 1.
    b = acc.loc["billing"]
    assert (b["tp"], b["fp"], b["fn"], b["n_tagged"], b["n_labelled"], b["n"]) == (2, 1, 1, 3, 3, 7)
    assert b["precision"] == pytest.approx(2 / 3) and b["recall"] == pytest.approx(2 / 3)
    assert b["f1"] == pytest.approx(2 / 3)
    lo, hi = _wilson(2, 3)
    assert b["precision_ci_low"] == pytest.approx(lo) and b["precision_ci_high"] == pytest.approx(hi)
    h = acc.loc["hold"]
    assert (h["tp"], h["fp"], h["fn"], h["precision"], h["recall"]) == (1, 0, 0, 1.0, 1.0)


def test_accuracy_rejects_unknown_labels():
    lab = pd.DataFrame({"comment": ["a", "b"], "themes": ["billing", "biling"]})
    with pytest.raises(CodebookError, match=r"\['biling'\].*rows \[2\]"):
        codebook_accuracy(lab, CB)


def test_shipped_codebook_against_shipped_labelled_sample():
    """The sample codebook's accuracy on data/sample/comments_labelled.csv (400 generator-labelled)."""
    lab = load_labelled(LABELLED)
    assert len(lab) == 400 and lab["response_id"].is_unique
    acc = codebook_accuracy(lab, SAMPLE_CB)
    assert set(acc["theme"]) == set(load_codebook(SAMPLE_CB).names)
    assert (acc["n_labelled"] >= 15).all()          # every theme has a usable base in the sample
    assert (acc["precision"] >= 0.9).all(), acc
    assert (acc["recall"] >= 0.9).all(), acc


def test_shipped_codebook_on_all_sample_comments():
    """Second check on every comment, against the generator's own labels (comment_truth.csv)."""
    truth_path = cxdata.project_root() / "data" / "sample" / "comment_truth.csv"
    if not truth_path.exists():
        pytest.skip("data/sample/comment_truth.csv is absent: regenerate with python -m cxlib.sample")
    truth = pd.read_csv(truth_path, dtype=str, keep_default_na=False)
    resp = cxdata.load_responses()[["response_id", "comment"]]
    lab = resp.merge(truth, on="response_id")
    acc = codebook_accuracy(lab, SAMPLE_CB).set_index("theme")
    assert (acc["recall"] >= 0.95).all(), acc
    assert (acc["precision"] >= 0.95).all(), acc


def test_shipped_files_do_not_hold_personal_data():
    from cxlib.comments import redact

    lab = load_labelled(LABELLED)
    assert (redact(lab["comment"]) == lab["comment"]).all()


def test_codebook_is_not_generated_from_the_generator():
    # The codebook is written by an analyst; cxlib.comments must not read the generator's templates.
    for src in (Path(__file__).resolve().parents[1] / "cxlib" / "comments").glob("*.py"):
        assert "sample" not in src.read_text().replace("data/sample", ""), src


WORDS = ["bill", "billing", "no", "problems", "with", "on", "hold", "charged", "twice", "fine", "the"]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=12))
def test_exclude_patterns_never_add_tags(words):
    s = " ".join(words)
    without = {"themes": {"billing": {"include": CB["themes"]["billing"]["include"]}}}
    with_ex = {"themes": {"billing": CB["themes"]["billing"]}}
    a = tag_themes([s], without)["theme_billing"].iloc[0]
    b = tag_themes([s], with_ex)["theme_billing"].iloc[0]
    assert not (b and not a)
    assert tag_themes([s], CB)["n_themes"].iloc[0] == sum(
        bool(tag_themes([s], CB)[c].iloc[0]) for c in theme_columns(CB))


# Examples across languages (issue 26). Written here, in other words than the examples and than the
# sentences benchmarks/bench_codebook_examples.py chose the threshold on.
EXAMPLE_CB = {"themes": {
    "hold": {"examples": ["I waited an hour on hold", "Nobody answered the phone"]},
    "refund": {"examples": ["I am still waiting for my refund", "They never gave my money back"],
               "include": [r"\brefund"]},
}}
SAME_MEANING = [   # (comment, language, the theme it is about: hand labels)
    ("Ich hing fast eine Stunde in der Warteschleife", "de", "hold"),
    ("Am Telefon hat sich keiner gemeldet", "de", "hold"),
    ("Je suis resté en attente pendant une heure", "fr", "hold"),
    ("Personne ne répondait au téléphone", "fr", "hold"),
    ("Ik stond een uur in de wacht", "nl", "hold"),
    ("Niemand beantwoordde de telefoon", "nl", "hold"),
    ("Ich warte immer noch auf meine Rückerstattung", "de", "refund"),
    ("Je n'ai jamais été remboursé", "fr", "refund"),
    ("Ik heb mijn geld nooit teruggekregen", "nl", "refund"),
]
OFF_THEME = ["Das Essen war lecker und warm", "La chambre était propre et calme", "De app werkt prima op mijn telefoon",
             "The colours of the new design are lovely", "Die Lieferung kam pünktlich", "Le prix est raisonnable"]


def test_english_examples_tag_comments_of_the_same_meaning_in_other_languages():
    texts = pd.Series([t for t, _, _ in SAME_MEANING] + OFF_THEME)
    out = tag_themes(texts, EXAMPLE_CB)
    about = pd.Series([t for _, _, t in SAME_MEANING] + [None] * len(OFF_THEME))
    hit = {th: out[f"theme_{th}"].to_numpy(bool) for th in ("hold", "refund")}
    missed = [t for th in hit for t in texts[(about == th).to_numpy() & ~hit[th]]]
    off = [t for th in hit for t in texts[about.isna().to_numpy() & hit[th]]]
    crossed = [t for th in hit for t in texts[about.notna().to_numpy() & (about != th).to_numpy() & hit[th]]]
    assert len(missed) <= 1 and not off, (missed, off)   # measured: none missed, no off-theme comment tagged
    # measured: two of the nine also tagged with the other theme, both through waiting, which the two
    # themes' examples share ("still waiting for my refund"): "Ich warte immer noch auf meine
    # Rückerstattung" reads like hold (0.48), "Je suis resté en attente pendant une heure" like refund (0.69)
    assert len(crossed) <= 2, crossed
    langs = {lang for (_, lang, th), i in zip(SAME_MEANING, range(len(SAME_MEANING))) if hit[th][i]}
    assert langs == {"de", "fr", "nl"}


def test_examples_beside_patterns_threshold_and_exclude():
    cb = load_codebook(EXAMPLE_CB)
    assert cb.themes["refund"].threshold == 0.46 and cb.themes["hold"].include is None
    # the pattern still tags on its own; an exclude masks the phrase before patterns and examples
    out = tag_themes(["refund please", "Nobody answered the phone"], EXAMPLE_CB)
    assert out["theme_refund"].tolist() == [True, False] and out["theme_hold"].tolist() == [False, True]
    masked = {"themes": {"hold": {**EXAMPLE_CB["themes"]["hold"], "exclude": ["nobody answered the phone"]}}}
    assert tag_themes(["Nobody answered the phone"], masked)["theme_hold"].tolist() == [False]
    strict = {"themes": {"hold": {**EXAMPLE_CB["themes"]["hold"], "threshold": 1.0}}}
    assert tag_themes(["Niemand ist ans Telefon gegangen"], strict)["theme_hold"].tolist() == [False]
    assert load_codebook(EXAMPLE_CB).fingerprint != load_codebook(strict).fingerprint


@pytest.mark.parametrize("bad,match", [
    ({"themes": {"x": {"examples": "", "include": []}}}, r"theme 'x' needs an 'include:'.*or an 'examples:'"),
    ({"themes": {"x": {"examples": ["ok", 3]}}}, r"theme 'x': examples must be a list of non-empty comment"),
    ({"themes": {"x": {"examples": ["ok"], "threshold": 1.5}}}, r"threshold must be a number in \(0, 1\]"),
    ({"themes": {"x": {"include": ["a"], "threshold": 0.5}}}, r"threshold is set but the theme has no examples"),
])
def test_bad_examples_are_named(bad, match):
    with pytest.raises(CodebookError, match=match):
        load_codebook(bad)


def test_a_regex_only_codebook_is_unchanged_and_embeds_nothing(monkeypatch):
    import hashlib
    import json

    from cxlib.comments import embeddings

    def no_embedding(*args, **kwargs):
        raise AssertionError("a regex-only codebook must not embed")
    monkeypatch.setattr(embeddings, "embed_texts", no_embedding)
    test_tagging_is_multilabel_and_exclude_masks_only_the_phrase()   # the same flags as before examples existed
    # the fingerprint (the annotation cache's key) is the hash of the themes as before: caches stay valid
    canon = json.dumps(CB["themes"], sort_keys=True, default=str).encode()
    assert load_codebook(CB).fingerprint == hashlib.sha256(canon).hexdigest()[:12]
