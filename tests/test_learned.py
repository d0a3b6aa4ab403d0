"""Sentiment learned from labels or scores (comments.learned), checked against held-out labels and sklearn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxlib import comments, data
from cxlib.errors import DataError, ParameterError

LABELLED = "data/sample/comments_labelled.csv"


@pytest.fixture(scope="module")
def labelled():
    return data.load_labelled(LABELLED)


def test_learned_sentiment_beats_vader_on_a_held_out_half(labelled):
    # Seeded 50/50 split of the 400 labelled sample comments (labels from the generator's truth).
    perm = np.random.default_rng(13).permutation(len(labelled))
    train, test = labelled.iloc[perm[:200]], labelled.iloc[perm[200:]]
    model = comments.train_sentiment(train, seed=0)
    pred = comments.predict_sentiment(test, model)["sentiment"]
    learned = (pred.to_numpy(str) == test["sentiment"].to_numpy(str)).mean()
    vader = (comments.sentiment(test["comment"])["sentiment"].to_numpy(str) == test["sentiment"].to_numpy(str)).mean()
    # measured here: learned 0.96-0.99, VADER about 0.5 (and always "negative" 0.47)
    assert learned > 0.9 and vader < 0.7
    assert learned > vader + 0.25


def test_cross_validated_accuracy_equals_sklearn_on_the_same_folds(labelled):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    model = comments.train_sentiment(labelled, folds=4, seed=3)
    X = comments.embed_comments(labelled).vectors[comments.embed_comments(labelled).row]
    y = labelled["sentiment"].to_numpy(str)
    # 400 rows in 4 stratified folds of 100: the pooled accuracy is the mean of the fold accuracies
    ref = cross_val_score(LogisticRegression(max_iter=2000), X, y,
                          cv=StratifiedKFold(4, shuffle=True, random_state=3)).mean()
    assert model.metrics["accuracy"] == pytest.approx(ref, abs=1e-9)
    counts = labelled["sentiment"].value_counts()
    assert model.metrics["baseline_accuracy"] == pytest.approx(counts.max() / 400)
    assert model.metrics["class_counts"] == counts.to_dict() and model.metrics["n"] == 400


def test_model_file_round_trip_and_probabilities_equal_sklearn(labelled, tmp_path):
    from sklearn.linear_model import LogisticRegression

    model = comments.train_sentiment(labelled, path=tmp_path / "sentiment.json")
    again = comments.load_sentiment_model(tmp_path / "sentiment.json")
    assert again.classes == model.classes and again.metrics == model.metrics
    emb = comments.embed_comments(labelled)
    X, y = emb.vectors[emb.row], labelled["sentiment"].to_numpy(str)
    ref = LogisticRegression(max_iter=2000).fit(X, y).predict_proba(X)
    assert np.allclose(again.probabilities(X), ref, atol=1e-5)   # file keeps 7 decimals
    text = (tmp_path / "sentiment.json").read_text()
    assert not any(c in text for c in labelled["comment"])   # coefficients only, no comment text


def test_learning_from_the_scores_gives_an_auc_above_vader():
    responses = data.subset(data.load_responses(), month="2026-10")
    model = comments.train_sentiment(responses, label_from="nps")
    s = pd.to_numeric(responses["nps"], errors="coerce")
    has = responses["comment"].fillna("").str.strip() != ""
    assert model.metrics["n"] == int((has & ((s <= 6) | (s >= 9))).sum())   # passives left out
    assert model.classes == ["negative", "positive"]
    assert model.metrics["auc"] > model.metrics["vader_auc"] > 0.5
    assert "AUC" in model.describe() and "from the scores" in model.describe()


def test_two_class_probabilities_are_a_sigmoid():
    m = comments.SentimentModel(classes=["negative", "positive"], coef=np.array([[2.0, 0.0]]),
                                intercept=np.array([-1.0]))
    p = m.probabilities(np.array([[1.0, 0.0], [0.0, 1.0]]))
    assert p[:, 1] == pytest.approx([1 / (1 + np.exp(-1.0)), 1 / (1 + np.exp(1.0))])   # hand: sigmoid(2-1), sigmoid(-1)


def test_bad_labels_and_parameters_are_named(labelled, tmp_path):
    with pytest.raises(DataError, match="at least 2 classes"):
        comments.train_sentiment(labelled.assign(sentiment="negative"))
    with pytest.raises(ParameterError, match="'folds' parameter of train_sentiment"):
        comments.train_sentiment(labelled, folds=1)
    with pytest.raises(ParameterError, match="'label_from' parameter"):
        comments.train_sentiment(labelled, label_from="csat")
    (tmp_path / "bad.json").write_text('{"kind": "other"}')
    with pytest.raises(ParameterError, match="not a model written by comments.train_sentiment"):
        comments.load_sentiment_model(tmp_path / "bad.json")


def test_predict_without_a_model_is_vader_and_missing_stays_missing():
    df = pd.DataFrame({"comment": ["Great customer service, really helpful agent.", None]})
    out = comments.predict_sentiment(df)
    assert out["sentiment"].iloc[0] == "positive" and out["compound"].isna().iloc[1]
