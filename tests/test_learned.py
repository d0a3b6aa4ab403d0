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


@pytest.mark.parametrize("score, negative, positive", [
    ("csat", {1, 2}, {4, 5}),          # 1-5 scale, top box 2 (the registry's default): 1-2 against 4-5
    ("ces", {1, 2, 3}, {5, 6, 7}),     # 1-7 scale, top box 3: 1-3 against 5-7, the middle 4 left out
])
def test_learning_from_any_registered_score_takes_its_bottom_and_top_boxes(score, negative, positive):
    responses = data.subset(data.load_responses(), month="2026-10")
    model = comments.train_sentiment(responses, label_from=score)
    s = pd.to_numeric(responses[score], errors="coerce")
    has = responses["comment"].fillna("").str.strip() != ""
    # counted by hand from the boxes written above
    assert model.metrics["class_counts"] == {"negative": int((has & s.isin(negative)).sum()),
                                             "positive": int((has & s.isin(positive)).sum())}
    assert model.metrics["label_points"] == {"negative": sorted(map(float, negative)),
                                             "positive": sorted(map(float, positive))}
    assert model.label_from == score and model.metrics["auc"] > 0.5
    low, high = min(negative), max(positive)
    assert f"{low}–{max(negative)} against {min(positive)}–{high} (from the scores)" in model.describe()


def test_learning_from_a_rating_a_reversed_scale_and_a_yes_no_score():
    df = pd.DataFrame({"comment": ["Terrible, never again."] * 6 + ["Lovely, thank you!"] * 6 + ["Fine."] * 3,
                       "stars": [1, 2, 1, 2, 1, 2, 9, 10, 9, 10, 9, 10, 5, 6, 5],
                       "effort": [7, 6, 7, 6, 7, 6, 1, 2, 1, 2, 1, 2, 4, 4, 4],
                       "recommend": [0] * 6 + [1] * 6 + [0, 1, 0]})
    with pytest.raises(DataError, match="label_from='rating' needs the answer scale"):
        comments.train_sentiment(df, label_from="rating", score="stars", folds=3)
    rated = comments.train_sentiment(df, label_from="rating", score="stars", scale=(1, 10), folds=3)
    # 1-10, top box 2: 1-2 negative (6 rows), 9-10 positive (6 rows), 5-6 left out
    assert rated.metrics["class_counts"] == {"negative": 6, "positive": 6}
    # lower is better: 1-3 are the top box (positive), 5-7 the bottom (negative); the 4s left out
    effort = comments.train_sentiment(df, label_from="ces", score="effort", scale=(1, 7, False), folds=3)
    assert effort.metrics["label_points"] == {"negative": [5.0, 6.0, 7.0], "positive": [1.0, 2.0, 3.0]}
    assert effort.metrics["class_counts"] == {"negative": 6, "positive": 6}
    yes_no = comments.train_sentiment(df, label_from="recommend", folds=3)   # every row: 0 no, 1 yes
    assert yes_no.metrics["class_counts"] == {"negative": 8, "positive": 7}
    with pytest.raises(DataError, match="'stars'"):   # answers off the scale are named, not learned from
        comments.train_sentiment(df, label_from="csat", score="stars", folds=3)


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
        comments.train_sentiment(labelled, label_from="stars")
    (tmp_path / "bad.json").write_text('{"kind": "other"}')
    with pytest.raises(ParameterError, match="not a model written by comments.train_sentiment"):
        comments.load_sentiment_model(tmp_path / "bad.json")


def test_predict_without_a_model_is_vader_and_missing_stays_missing():
    df = pd.DataFrame({"comment": ["Great customer service, really helpful agent.", None]})
    out = comments.predict_sentiment(df)
    assert out["sentiment"].iloc[0] == "positive" and out["compound"].isna().iloc[1]
