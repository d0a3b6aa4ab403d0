"""What the codebook misses (comments.coverage): coverage by hand, uncoded clusters, look-alikes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxlib import comments, data
from cxlib.errors import CodebookError, ParameterError

CODEBOOK = "data/sample/codebook.yml"
TRUTH = data.project_root() / "data" / "sample" / "comment_truth.csv"


@pytest.fixture(scope="module")
def month():
    return data.subset(data.load_responses(), month="2026-10")


def test_coverage_equals_the_share_with_any_theme(month):
    # Independent route: annotate_comments' n_themes (tagging through the annotation pipeline).
    annotated = comments.annotate_comments(month, CODEBOOK)
    n = int(annotated["n_themes"].notna().sum())
    k = int((annotated["n_themes"] > 0).sum())
    cov = comments.codebook_coverage(month, CODEBOOK)
    assert cov[["n", "n_tagged"]].iloc[0].tolist() == [n, k]
    assert cov["coverage"].iloc[0] == pytest.approx(k / n)
    by = comments.codebook_coverage(month, CODEBOOK, by="region")
    assert by["n"].sum() == n and by["n_tagged"].sum() == k and list(by.columns[:1]) == ["region"]


def test_uncoded_themes_cluster_only_what_no_theme_tags(month):
    found = comments.uncoded_themes(month, CODEBOOK, seed=0)
    annotated = comments.annotate_comments(month, CODEBOOK)
    untagged = (annotated["n_themes"] == 0).fillna(False).to_numpy(bool)
    assert (found.data["cluster"].notna().to_numpy() == untagged).all()
    assert found.coverage["n_tagged"].iloc[0] == int((annotated["n_themes"] > 0).sum())
    n_comments = int(annotated["n_themes"].notna().sum())
    assert found.themes["share"].sum() == pytest.approx(untagged.sum() / n_comments)   # share of all comments
    assert found.themes["n"].is_monotonic_decreasing


def test_suggestions_for_a_narrow_theme_are_comments_about_it():
    # A codebook that only knows "on hold": the look-alikes it misses should be slow-support comments.
    responses = data.load_responses()
    truth = pd.read_csv(TRUTH, dtype=str, keep_default_na=False).set_index("response_id")["themes"]
    narrow = {"themes": {"slow_support": {"include": [r"\bon hold\b"]}}}
    out = comments.suggest_matches(responses, narrow, "slow_support", n=20)
    about = truth.reindex(out["response_id"]).str.contains("slow_support")
    assert len(out) == 20 and not out["comment"].str.contains("on hold").any()
    assert about.mean() >= 0.6, out   # measured: 0.85 (the rest mention waiting in other themes' words)
    assert out["similarity"].is_monotonic_decreasing and (out["n_tagged"] > 0).all()


def test_similar_finds_the_same_complaint_in_other_words():
    responses = data.load_responses()
    truth = pd.read_csv(TRUTH, dtype=str, keep_default_na=False).set_index("response_id")["themes"]
    out = comments.similar(responses, "they billed me two times", n=10)
    # measured: 7 of the 10 are billing complaints (the other 3 are "I was transferred 2 times ...")
    assert truth.reindex(out["response_id"]).str.contains("billing_confusion").mean() >= 0.6
    assert np.all(np.diff(out["similarity"]) <= 1e-12)


def test_unknown_or_unused_theme_is_named(month):
    with pytest.raises(CodebookError, match="'nope' is not in the codebook"):
        comments.suggest_matches(month, CODEBOOK, "nope")
    with pytest.raises(CodebookError, match="tags none of the"):
        comments.suggest_matches(month, {"themes": {"x": {"include": ["zzzqqq"]}}}, "x")


def test_suggestions_come_from_other_languages_and_from_examples():
    # hand-written: three English hold complaints the pattern tags; untagged German, French and Dutch
    # comments, three of them about waiting on the phone (hand labels), four about other things
    df = pd.DataFrame({"comment": [
        "I was on hold for an hour.", "Put on hold again, forty minutes.", "On hold forever, nobody came.",
        "Ich hing ewig in der Warteschleife, niemand hat abgenommen.",
        "J'ai attendu au téléphone pendant une heure sans réponse.",
        "Ik heb een half uur aan de telefoon gewacht zonder antwoord.",
        "Das Essen im Restaurant war ausgezeichnet.", "Le nouveau design de l'application est magnifique.",
        "De prijs van het abonnement is redelijk.", "Die Farben der Verpackung gefallen mir sehr."]})
    about = {3, 4, 5}
    cb = {"themes": {"hold": {"include": [r"\bon hold\b"]}}}
    out = comments.suggest_matches(df, cb, "hold", n=3, languages=["de", "fr", "nl"])
    assert set(out["comment"]) == {df["comment"][i] for i in about}, out
    assert set(out["language"]) == {"de", "fr", "nl"} and (out["n_tagged"] == 3).all()
    only_fr = comments.suggest_matches(df, cb, "hold", n=5, languages="fr")
    assert set(only_fr["language"]) == {"fr"} and only_fr["comment"].iloc[0] == df["comment"][4]
    # a theme told only by an English example, tagging nothing here: ranked by its example
    told = {"themes": {"hold": {"examples": ["The call centre kept me waiting for ages"], "threshold": 0.99}}}
    by_example = comments.suggest_matches(df, told, "hold", n=3)
    assert set(by_example["comment"]) <= set(df["comment"][:6]) and (by_example["n_examples"] == 1).all()
    assert (by_example["n_tagged"] == 0).all()


def test_a_language_that_is_no_code_is_named_not_an_empty_list():
    # "german" and "EN" are no codes detect_language gives (it gives "de", "en"): before, the filter kept
    # no comment and an empty table came back, as if nothing were like the theme
    df = pd.DataFrame({"comment": ["I was on hold for an hour.", "Ich hing ewig in der Warteschleife."]})
    cb = {"themes": {"hold": {"include": [r"\bon hold\b"]}}}
    for bad in ("german", ["de", "EN"]):
        with pytest.raises(ParameterError, match=r"'languages' parameter of suggest_matches .*'de'"):
            comments.suggest_matches(df, cb, "hold", languages=bad)
    assert comments.suggest_matches(df, cb, "hold", languages=["de", "und"])["language"].tolist() == ["de"]


def test_uncoded_themes_tag_as_the_coverage_does_when_brand_words_are_stripped():
    # brand words are stripped from the text that is clustered, not from the text that is tagged
    # (annotate_comments and codebook_coverage tag the redacted comment): "Acme Acme Acme on hold" reads
    # like the example at 0.39 as written and at 0.72 once "acme" is gone (measured), so the clusters of
    # what no theme tags once left it out while the coverage beside them counted it as untagged
    texts = ["Acme Acme Acme on hold", "Nobody answered the phone at all", "Lovely colours in the new app",
             "The price is fair", "Acme delivery was quick", "Great food, warm and tasty"]
    df = pd.DataFrame({"comment": texts})
    cb = {"themes": {"hold": {"examples": ["I waited an hour on hold", "Nobody answered the phone"]}}}
    cov = comments.codebook_coverage(df, cb)
    assert int(cov["n_tagged"].iloc[0]) == int(comments.tag_themes(df, cb)["theme_hold"].sum())
    found = comments.uncoded_themes(df, cb, k=2, brand_words=["acme"])
    assert int(found.coverage["n_tagged"].iloc[0]) == int(cov["n_tagged"].iloc[0])
    assert found.data.loc[0, "cluster"] >= 1   # not tagged, so clustered with the rest
