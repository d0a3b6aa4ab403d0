"""Tests for cxlib.comments (sentiment, annotate, quotes) and report.html.to_html_safe: VADER sentiment, the annotate pipeline and its cache, quotes, HTML safety."""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlib import comments as text
from cxlib.comments import annotate as annotate_module
from cxlib.report.html import to_html_safe


# --- sentiment -------------------------------------------------------------------------------------

def test_sentiment_matches_published_vader_examples():
    # Expected values from the vaderSentiment README (Hutto & Gilbert 2014), "demo" output.
    out = text.sentiment(["VADER is smart, handsome, and funny.",
                          "VADER is not smart, handsome, nor funny.",
                          "Today SUX!"])
    assert out["compound"].round(4).tolist() == [0.8316, -0.7424, -0.5461]
    assert out.loc[0, ["neg", "neu", "pos"]].round(3).tolist() == [0.0, 0.254, 0.746]
    assert out["sentiment"].tolist() == ["positive", "negative", "negative"]


def test_sentiment_compound_by_hand():
    # VADER compound = x / sqrt(x^2 + 15) with x the summed valence (Hutto & Gilbert 2014, eq. in
    # the paper; alpha = 15). Lexicon: good = 1.9, rude = -2.0 (vader_lexicon.txt).
    out = text.sentiment(["The book was good.", "They were rude."])
    assert out["compound"].iloc[0] == pytest.approx(1.9 / math.sqrt(1.9 ** 2 + 15), abs=1e-4)
    assert out["compound"].iloc[1] == pytest.approx(-2.0 / math.sqrt(2.0 ** 2 + 15), abs=1e-4)


def test_sentiment_keeps_index_and_missing():
    s = pd.Series(["Good.", None], index=["a", "b"])
    out = text.sentiment(s)
    assert list(out.index) == ["a", "b"]
    assert out.loc["b"].isna().all()
    assert list(out.columns) == ["neg", "neu", "pos", "compound", "sentiment"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=5))
def test_sentiment_invariants(texts):
    out = text.sentiment(texts)
    assert out["compound"].between(-1, 1).all()
    parts = out[["neg", "neu", "pos"]].sum(axis=1)
    assert (((parts - 1).abs() < 0.01) | (parts == 0)).all()  # shares of the text, or 0 for no tokens
    lab = np.where(out["compound"] >= 0.05, "positive", np.where(out["compound"] <= -0.05, "negative", "neutral"))
    assert out["sentiment"].tolist() == lab.tolist()


# --- annotate_comments and its cache -------------------------------------------------------------

@pytest.fixture
def responses():
    return pd.DataFrame({
        "response_id": ["r1", "r2", "r3", "r4", "r5"],
        "comment": ["Waited 40 minutes on hold, call me on +44 20 7946 0958.",
                    "Great value for the price.", None,
                    "Waited 40 minutes on hold, call me on +44 20 7946 0958.",
                    "No problems with billing this time."],
        "nps": [2.0, 9.0, 7.0, 3.0, 8.0],
    })


SAMPLE_CB = "data/sample/codebook.yml"


def test_annotate_redacts_scores_and_tags(responses):
    before = responses.copy()
    out = text.annotate_comments(responses, SAMPLE_CB)
    pd.testing.assert_frame_equal(responses, before)  # input not mutated
    assert out.loc[0, "comment"] == "Waited 40 minutes on hold, call me on [PHONE]."
    assert bool(out.loc[0, "theme_slow_support"]) and not bool(out.loc[4, "theme_billing_confusion"])
    assert pd.isna(out.loc[2, "compound"]) and pd.isna(out.loc[2, "theme_slow_support"])
    assert out["n_themes"].tolist()[:2] == [1, 1]
    # sentiment is the VADER score of the redacted text
    ref = text.sentiment(text.redact(responses["comment"]))
    np.testing.assert_allclose(out["compound"], ref["compound"])


def test_cache_scores_only_unseen_comments(responses, tmp_path, monkeypatch):
    seen = []
    real = annotate_module._annotate_unique

    def spy(texts, codebook):
        seen.extend(texts)
        return real(texts, codebook)

    monkeypatch.setattr(annotate_module, "_annotate_unique", spy)
    first = text.annotate_comments(responses.iloc[:3], SAMPLE_CB, cache_dir=tmp_path)
    assert len(seen) == 2  # two distinct non-missing comments
    seen.clear()
    full = text.annotate_comments(responses, SAMPLE_CB, cache_dir=tmp_path)
    assert seen == ["No problems with billing this time."]  # r4 repeats r1: served from the cache
    seen.clear()
    again = text.annotate_comments(responses, SAMPLE_CB, cache_dir=tmp_path)
    assert seen == []
    pd.testing.assert_frame_equal(full, again)
    pd.testing.assert_frame_equal(full.iloc[:3], first)
    # the cache holds hashes and redacted text only: no phone number, no raw comment
    cached = pd.concat([pd.read_parquet(p) for p in tmp_path.glob("*.parquet")])
    assert not cached.astype(str).apply(lambda c: c.str.contains("7946")).any().any()
    assert "comment" not in cached.columns


def test_cache_file_changes_with_codebook(responses, tmp_path):
    text.annotate_comments(responses, SAMPLE_CB, cache_dir=tmp_path)
    text.annotate_comments(responses, {"themes": {"hold": {"include": ["on hold"]}}}, cache_dir=tmp_path)
    plain = text.annotate_comments(responses, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("*.parquet"))) == 3
    assert not any(c.startswith("theme_") for c in plain.columns) and "n_themes" not in plain


def test_annotate_without_comments_and_with_odd_index():
    df = pd.DataFrame({"comment": [None, None], "nps": [1.0, 2.0]}, index=[7, 3])
    out = text.annotate_comments(df, SAMPLE_CB)
    assert list(out.index) == [7, 3] and out["compound"].isna().all() and out["n_themes"].isna().all()
    df2 = pd.DataFrame({"comment": ["Great value for the price.", "on hold for ages"]}, index=[7, 3])
    out2 = text.annotate_comments(df2, SAMPLE_CB)
    assert bool(out2.loc[3, "theme_slow_support"]) and bool(out2.loc[7, "theme_good_value"])


def test_no_cache_writes_nothing(responses, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text.annotate_comments(responses)
    assert list(tmp_path.iterdir()) == []


def test_parallel_equals_serial(responses):
    big = pd.concat([responses] * 3, ignore_index=True)
    big["comment"] = big["comment"] + pd.Series([f" #{i}" for i in range(len(big))])
    serial = text.annotate_comments(big, SAMPLE_CB)
    parallel = text.annotate_comments(big, SAMPLE_CB, n_jobs=2, chunk_size=4)
    pd.testing.assert_frame_equal(serial, parallel)


def test_annotate_rejects_missing_column(responses):
    with pytest.raises(ValueError, match="'verbatim'"):
        text.annotate_comments(responses, col="verbatim")


# --- quotes --------------------------------------------------------------------------------------

@pytest.fixture
def tagged():
    return pd.DataFrame({
        "response_id": [f"r{i}" for i in range(6)],
        "region": ["EMEA", "EMEA", "EMEA", "APAC", "APAC", "EMEA"],
        "comment": ["Waited on hold for an hour, my name is Sarah Jones, sarah@example.com",
                    "Waited on hold again, it was awful and terrible",
                    "Waited on hold again, it was awful and terrible",
                    "Still waiting for a reply from support, horrible",
                    "Great value for the price, really good",
                    "Waited on hold, okay in the end"],
        "nps": [3.0, 1.0, 1.0, 2.0, 10.0, 7.0],
    })


def test_quotes_are_redacted_distinct_and_filtered(tagged):
    q = text.quotes(tagged, theme="slow_support", segment="region=EMEA", n=5, codebook=SAMPLE_CB)
    assert q["n_matching"].iloc[0] == 4  # r0, r1, r2, r5 (r3 is APAC)
    assert q["quote"].is_unique and len(q) == 3
    joined = " ".join(q["quote"])
    assert "Sarah" not in joined and "@" not in joined and "[NAME]" in joined and "[EMAIL]" in joined
    assert set(q["response_id"]) <= {"r0", "r1", "r2", "r5"}


def test_quotes_strongest_orders_by_sentiment(tagged):
    q = text.quotes(tagged, theme="slow_support", n=2, how="strongest", codebook=SAMPLE_CB)
    assert q["compound"].is_monotonic_increasing
    # the most negative slow-support comment, scored independently with VADER
    ref = text.sentiment(tagged["comment"])["compound"]
    assert q["compound"].iloc[0] == pytest.approx(ref[[0, 1, 3, 5]].min())


def test_quotes_errors(tagged):
    with pytest.raises(ValueError, match="no_such_theme"):
        text.quotes(tagged, theme="no_such_theme", codebook=SAMPLE_CB)
    with pytest.raises(ValueError, match="'how' parameter of quotes"):
        text.quotes(tagged, how="random")


# --- HTML safety -----------------------------------------------------------------------------------

ATTACKS = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "[click me](javascript:alert(1))",
    "![tracker](http://evil.example/pixel.png)",
    '<a href="http://evil.example">support</a>',
    "&lt;script&gt; already escaped",
    "`code` **bold** _it_ # heading | table |",
    "<iframe srcdoc='<script>x</script>'></iframe>",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_to_html_safe_neutralises_markup(attack):
    out = to_html_safe([attack]).iloc[0]
    for ch in "<>\"'[]()`*_|#":
        assert ch not in out.replace("&#", "").replace(";", ""), (ch, out)
    assert "<script" not in out and "onerror=\"" not in out and "](" not in out
    # lossless: unescaping gives back the redacted text
    assert html.unescape(out) == text.redact([attack]).iloc[0]


def test_to_html_safe_redacts_first():
    out = to_html_safe(["mail <b>me</b>: jo@example.com"]).iloc[0]
    assert "jo@example.com" not in out and "&#91;EMAIL&#93;" in out


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=80))
def test_to_html_safe_property(s):
    out = to_html_safe([s]).iloc[0]
    assert not any(ch in out for ch in "<>\"'")
    assert html.unescape(out) == text.redact([s]).iloc[0]
