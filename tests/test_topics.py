"""Tests for cxlib.comments.topics (TF-IDF + NMF) on a tiny corpus, the sample data and the real survey."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cxlib import data as cxdata
from cxlib.comments import discover_topics

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-data"

DOCS = (["battery drains fast", "battery dies fast overnight", "poor battery life",
         "battery life is short"] * 3
        + ["screen cracked easily", "screen is too dim", "screen scratches easily",
           "dim screen in sunlight"] * 3)


def test_two_planted_topics_are_separated():
    t = discover_topics(DOCS, k=2, min_df=1)
    firsts = sorted(t["top_terms"].str.split(", ").str[0])
    assert firsts == ["battery", "screen"]
    # Each topic owns exactly the 12 comments written about it (hand count of the corpus above).
    assert sorted(t["n"]) == [12, 12] and t["share"].sum() == pytest.approx(1.0)
    for _, row in t.iterrows():
        word = row["top_terms"].split(", ")[0]
        assert all(word in ex for ex in row["examples"])
        assert len(set(row["examples"])) == len(row["examples"]) <= 3


def test_deterministic_for_a_seed():
    a = discover_topics(DOCS, k=3, min_df=1, seed=1)
    b = discover_topics(DOCS, k=3, min_df=1, seed=1)
    pd.testing.assert_frame_equal(a, b)


def test_personal_data_never_becomes_a_term_or_example():
    words = ["drains", "dies", "short", "weak", "poor"]
    docs = [f"call me on +44 20 7946 09{i:02d} about the battery, it {words[i % 5]}" for i in range(10)] + \
           [f"write to jo{i}@example.com about the screen, it {words[i % 5]}" for i in range(10)]
    t = discover_topics(docs, k=2, min_df=1)
    blob = " ".join(t["top_terms"]) + " ".join(sum(t["examples"], []))
    assert "example" not in blob and "7946" not in blob and "phone" not in t["top_terms"].str.cat()
    assert "[PHONE]" in blob and "[EMAIL]" in blob


def test_exclude_drops_comments_the_codebook_tags():
    cb = {"themes": {"battery": {"include": [r"\bbattery\b"]}}}
    t = discover_topics(DOCS, k=2, min_df=1, exclude=cb)
    assert t["n_docs"].iloc[0] == 12 and "battery" not in " ".join(t["top_terms"])


def test_errors_are_clear():
    with pytest.raises(ValueError, match="at least 2 distinct"):
        discover_topics(["same", "same", None])
    with pytest.raises(ValueError, match="no usable terms"):
        discover_topics(["the a", "an the"], min_df=1)


def test_sample_data_codebook_leaves_only_generic_comments():
    comments = cxdata.load_responses()["comment"]
    t = discover_topics(comments, k=4, exclude="data/sample/codebook.yml")
    # What the sample codebook misses are content-free comments ("OK.", "It does the job."):
    # no complaint vocabulary should remain.
    terms = " ".join(t["top_terms"])
    for word in ("slow", "crash", "expensive", "invoice", "outage", "hold"):
        assert word not in terms


@pytest.fixture(scope="module")
def mobiles():
    if not REAL.exists():
        pytest.skip("../shared/real-data is absent: the real-survey checks need "
                    "Mobiles_feedback_4_weeks.sav beside the repository")
    return {name: cxdata.load_responses(f"examples/{name}.yml") for name in ("mobiles", "mobiles-likes")}


def test_real_survey_topics_and_sentiment(mobiles):
    from cxlib.comments import sentiment

    dislikes, likes = mobiles["mobiles"], mobiles["mobiles-likes"]
    t = discover_topics(dislikes["comment"], k=5)
    assert len(t) == 5 and t["n"].sum() <= t["n_docs"].iloc[0]
    assert any(w in " ".join(t["top_terms"]) for w in ("price", "prices", "expensive", "service"))
    s_dis = sentiment(dislikes["comment"])["compound"]
    s_like = sentiment(likes["comment"])["compound"]
    # The same 895 respondents: their likes read more positive than their dislikes.
    assert s_like.mean() > s_dis.mean() + 0.1


def test_real_survey_price_theme_costs_nps(mobiles):
    from cxlib.comments import tag_themes, theme_impact

    tagged = tag_themes(mobiles["mobiles"], "examples/mobiles-codebook.yml")
    out = theme_impact(tagged).set_index("theme")
    assert out.loc["price", "n_mention"] >= 50
    assert out.loc["price", "diff_ci_high"] < 0  # price complainers recommend less
