"""Sentiment learned from your own customers: logistic regression on comment embeddings.

VADER (:func:`~cxlib.comments.sentiment`) needs no labels but reads customer language poorly (3-class
accuracy 0.49 on a human-labelled public set of 14,640 airline tweets, below always answering
"negative"). :func:`train_sentiment` fits scikit-learn's logistic regression on the embeddings of
labelled comments (the analyst's CSV, 2 or 3 classes), or, with ``label_from=`` any registered score, on
the survey's own answers (detractors' language against promoters', bottom boxes' against top boxes'), and
measures itself by seeded, stratified
cross-validation. The model saves as a small JSON file of coefficients (never a pickle) that the config
can name (``comments: {sentiment_model: path}``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._checks import check_choice, need_columns
from ..data import read_model_file, write_model_file
from ..errors import DataError, ParameterError
from ..metrics import METRICS, get_metric
from ..scores import as_scale, default_scale, respondent_values
from .embeddings import MODEL, embed_comments
from .sentiment import sentiment

__all__ = ["SentimentModel", "load_sentiment_model", "predict_sentiment", "train_sentiment"]

_KIND = "cxlib.comments.SentimentModel"
#: Per-language accuracy is reported for languages with at least this many labelled comments.
MIN_PER_LANGUAGE = 30


@dataclass(frozen=True)
class SentimentModel:
    """A trained sentiment classifier: coefficients on the embeddings and how well it did.

    Attributes
    ----------
    classes : list of str
        Class labels, in the order of the rows of ``coef`` (for two classes one row, the second class).
    coef, intercept : ndarray
        Logistic-regression coefficients on the :data:`~cxlib.comments.embeddings.MODEL` embeddings.
    metrics : dict
        Cross-validated ``accuracy``, ``balanced_accuracy`` (mean recall of the classes), ``macro_f1``
        and, for two classes, ``auc``; ``by_language`` (for each language with at least
        :data:`MIN_PER_LANGUAGE` labelled comments: its ``n``, ``accuracy`` and ``balanced_accuracy``);
        ``baseline_accuracy``
        (always the most common class), ``vader_accuracy`` / ``vader_auc`` (VADER on the same comments,
        when its labels apply), ``folds``, ``n``, ``class_counts`` and, when learned from a score,
        ``label_points`` (the answers taken as "negative" and as "positive").
    label_from : str or None
        The registered score learned from ("nps", "csat", ...; see :func:`train_sentiment`), else None
        (hand labels).
    """

    classes: list
    coef: np.ndarray
    intercept: np.ndarray
    metrics: dict = field(default_factory=dict)
    label_from: str | None = None
    embedding: str = MODEL

    def describe(self) -> str:
        """One sentence for reports: what was learned from what, and its measured accuracy."""
        m = self.metrics
        points = m.get("label_points") or {}
        if self.label_from == "nps":
            source = "detractors' against promoters' comments (from the scores)"
        elif self.label_from is not None:
            label = METRICS[self.label_from].label if self.label_from in METRICS else self.label_from
            source = (f"the comments of {label} answers {_points(points.get('negative'))} against "
                      f"{_points(points.get('positive'))} (from the scores)")
        else:
            source = f"{m['n']:,} labelled comments"
        fit = f"{m['folds']}-fold cross-validated accuracy {m['accuracy']:.2f}, macro-F1 {m['macro_f1']:.2f}"
        if m.get("auc") is not None:
            fit += f", AUC {m['auc']:.2f}"
        ref = f"; always answering the most common class: {m['baseline_accuracy']:.2f}"
        langs = m.get("by_language") or {}
        if len(langs) > 1:
            fit += "; by language: " + ", ".join(f"{k} {v['balanced_accuracy']:.2f} (n = {v['n']:,})"
                                                  for k, v in langs.items())
        if m.get("vader_accuracy") is not None:
            ref += f", VADER {m['vader_accuracy']:.2f}"
        elif m.get("vader_auc") is not None:
            ref += f", VADER AUC {m['vader_auc']:.2f}"
        return f"learned sentiment ({'/'.join(self.classes)}) from {source}: {fit}{ref}"

    def to_dict(self) -> dict:
        """The model as plain numbers and strings (what :func:`load_sentiment_model` reads back)."""
        return {"kind": _KIND, "version": 1, "embedding": self.embedding, "classes": list(self.classes),
                "coef": self.coef.round(7).tolist(), "intercept": self.intercept.round(7).tolist(),
                "metrics": self.metrics, "label_from": self.label_from}

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """Class probabilities (columns in ``classes`` order) for unit-length embedding rows."""
        z = vectors @ self.coef.T + self.intercept
        if len(self.classes) == 2:
            p = 1 / (1 + np.exp(-z[:, 0]))
            return np.column_stack([1 - p, p])
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


def _points(points) -> str:
    """Answer points as a short range ("0–6", "4–5", "1")."""
    pts = sorted(points or [])
    if not pts:
        return "?"
    fmt = [f"{p:g}" for p in (pts[0], pts[-1])]
    return fmt[0] if len(pts) == 1 else f"{fmt[0]}–{fmt[1]}"


def load_sentiment_model(model) -> SentimentModel:
    """A :class:`SentimentModel` from a model file (``cfg.comments["sentiment_model"]``), dict or model.

    Raises
    ------
    ConfigError
        When the file is missing or not JSON (see :func:`cxlib.data.read_model_file`).
    ParameterError
        When the content is not a cxlib sentiment model, or was trained on other embeddings.
    """
    if isinstance(model, SentimentModel):
        return model
    raw = model if isinstance(model, dict) else read_model_file(model)
    where = "sentiment model" if isinstance(model, dict) else f"sentiment model {model}"
    if raw.get("kind") != _KIND or not {"classes", "coef", "intercept"} <= set(raw):
        raise ParameterError(f"{where}: not a model written by comments.train_sentiment (expected keys "
                             f"kind={_KIND!r}, classes, coef, intercept; got {sorted(raw)[:8]})")
    if raw.get("embedding") != MODEL:
        raise ParameterError(f"{where}: trained on embeddings {raw.get('embedding')!r}, but this cxlib "
                             f"embeds with {MODEL!r}; train it again")
    return SentimentModel(classes=list(raw["classes"]), coef=np.asarray(raw["coef"], dtype=float),
                          intercept=np.asarray(raw["intercept"], dtype=float), metrics=raw.get("metrics", {}),
                          label_from=raw.get("label_from"))


def _score_points(label_from: str, scale) -> tuple[list, list]:
    """The answers learned as "negative" and as "positive" for ``label_from``: a net score's lowest and
    highest groups (NPS: detractors 0–6, promoters 9–10); a share's or a mean's bottom and top boxes of
    its scale (the scale's ``top_k`` points at each end, at most half the scale each)."""
    m = get_metric(label_from)
    if m.kind == "net":
        sets = m.point_sets([])
        return list(sets[m.counts[-1]]), list(sets[m.counts[0]])
    if scale is None and m.scale is None:
        raise DataError(f"train_sentiment: label_from={label_from!r} needs the answer scale: pass "
                        f"scale=cfg.scales[{label_from!r}] or (min, max)")
    sc = as_scale(scale, default_scale(label_from))
    k = min(sc.top_k, len(sc.values) // 2)
    return sc.bottom_box(k), sc.top_box(k)


def _labels(data: pd.DataFrame, text: str, label: str, label_from, score, scale) -> tuple[pd.Series, dict]:
    """The label of each row (NA: left out) and, when learned from a score, the points of each label."""
    if label_from is None:
        need_columns(data, [text, label], where="train_sentiment")
        y = data[label].astype("str").str.strip().str.lower()
        return y.where(data[label].notna() & (y != "")), {}
    check_choice(label_from, tuple(METRICS), param="label_from", func="train_sentiment")
    col = label_from if score is None else score
    need_columns(data, [text, col], where="train_sentiment")
    negative, positive = _score_points(label_from, scale)
    respondent_values(data, score=col, metric=label_from, scale=scale)   # answers checked against the scale
    s = respondent_values(data, score=col, metric="mean")
    y = pd.Series(np.where(s.isin(negative), "negative", np.where(s.isin(positive), "positive", "")),
                  index=data.index, dtype="str")
    return y.where(s.notna() & (y != "")), {"negative": negative, "positive": positive}


def _by_language(language: np.ndarray, truth: np.ndarray, pred: np.ndarray) -> dict:
    """Accuracy and balanced accuracy of the cross-validated predictions per language (largest first)."""
    from sklearn.metrics import balanced_accuracy_score

    codes, counts = np.unique(language.astype(str), return_counts=True)
    out = {}
    for code in codes[np.argsort(-counts, kind="stable")]:
        rows = language.astype(str) == code
        if rows.sum() >= MIN_PER_LANGUAGE and code != "und":
            out[str(code)] = {"n": int(rows.sum()), "accuracy": float((truth[rows] == pred[rows]).mean()),
                              "balanced_accuracy": float(balanced_accuracy_score(truth[rows], pred[rows]))}
    return out


def train_sentiment(labelled: pd.DataFrame, *, text: str = "comment", label: str = "sentiment",
                    label_from: str | None = None, score: str | None = None, scale=None, folds: int = 5,
                    C: float = 1.0, seed: int = 0, path=None, cache_dir=None, brand_words=()) -> SentimentModel:
    """Learn sentiment from labelled comments, or from the scores, and measure it by cross-validation.

    Parameters
    ----------
    labelled : DataFrame
        Comments (``text``) with a label column (``label``: 2 or 3 classes, e.g. negative / neutral /
        positive), or, with ``label_from``, survey responses with a score column.
    text, label : str
        Comment and label columns; rows with no comment or no label are left out.
    label_from : str, optional
        Learn from the respondents' own answers to any registered score
        (:data:`cxlib.metrics.METRICS`) instead of labels: for NPS detractors (0–6) are "negative" and
        promoters (9–10) "positive"; for a share (CSAT, would-recommend) and a mean (CES, a rating)
        the bottom and top boxes of its scale (``top_k`` points at each end, at most half the scale:
        CSAT 1–5 gives 1–2 against 4–5, CES 1–7 gives 1–3 against 5–7, yes/no gives no against yes,
        the opposite way round when lower is better); answers in between are left out. The fit is then
        judged by its AUC, and per language where 30 or more comments are labelled.
    score : str, optional
        Score column for ``label_from`` (default: the column named like the score).
    scale : Scale or tuple, optional
        Its answer scale (``cfg.scales[label_from]``); default the score's registered scale (a rating
        has none: give it).
    folds : int, default 5
        Stratified cross-validation folds (shuffled with ``seed``).
    C : float, default 1.0
        Inverse regularisation strength of the logistic regression.
    seed : int, default 0
        Seed of the fold split.
    path : str or Path, optional
        Where to save the model (JSON of coefficients); relative paths resolve from the project root.
    cache_dir, brand_words
        As in :func:`~cxlib.comments.embed_comments`.

    Returns
    -------
    SentimentModel
        Fitted on every usable row; ``metrics`` holds the cross-validated figures (see
        :class:`SentimentModel`).

    Examples
    --------
    >>> from cxlib import data
    >>> model = train_sentiment(data.load_labelled("data/sample/comments_labelled.csv"))
    >>> model.classes, model.metrics["n"], model.metrics["accuracy"] > model.metrics["vader_accuracy"]
    (['negative', 'neutral', 'positive'], 400, True)
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score, roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    if not isinstance(folds, int) or folds < 2:
        raise ParameterError(f"The 'folds' parameter of train_sentiment must be an int >= 2. Got {folds!r} instead.")
    y, points = _labels(labelled, text, label, label_from, score, scale)
    emb = embed_comments(labelled, col=text, cache_dir=cache_dir, brand_words=brand_words)
    use = (emb.row >= 0) & y.notna().to_numpy()
    X, yv = emb.vectors[emb.row[use]], y[use].to_numpy(str)
    classes, counts = np.unique(yv, return_counts=True)
    if len(classes) < 2 or counts.min() < folds:
        raise DataError(f"train_sentiment: need at least 2 classes with {folds} comments each (one per fold); "
                        f"got {dict(zip(classes.tolist(), counts.tolist()))} from {int(use.sum())} usable rows "
                        f"of {len(labelled)} (column {label if label_from is None else (score or label_from)!r})")
    clf = LogisticRegression(C=C, max_iter=2000)
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    proba = cross_val_predict(clf, X, yv, cv=cv, method="predict_proba")
    pred = classes[proba.argmax(axis=1)]
    metrics = {"accuracy": float(accuracy_score(yv, pred)), "balanced_accuracy": float(balanced_accuracy_score(yv, pred)),
               "macro_f1": float(f1_score(yv, pred, average="macro")),
               "by_language": _by_language(emb.language[emb.row[use]], yv, pred),
               "auc": float(roc_auc_score(yv == classes[1], proba[:, 1])) if len(classes) == 2 else None,
               "baseline_accuracy": float(counts.max() / counts.sum()), "vader_accuracy": None, "vader_auc": None,
               "folds": folds, "n": int(use.sum()),
               "class_counts": {str(c): int(k) for c, k in zip(classes, counts)}}
    if points:
        metrics["label_points"] = {k: [float(p) for p in v] for k, v in points.items()}
    vader = sentiment(pd.Series(emb.redacted[emb.row[use]], dtype="str"))
    if set(classes) <= {"negative", "neutral", "positive"} and len(classes) == 3:
        metrics["vader_accuracy"] = float((vader["sentiment"].to_numpy(str) == yv).mean())
    elif label_from is not None:
        metrics["vader_auc"] = float(roc_auc_score(yv == "positive", vader["compound"]))
    fitted = clf.fit(X, yv)
    model = SentimentModel(classes=[str(c) for c in fitted.classes_], coef=fitted.coef_, intercept=fitted.intercept_,
                           metrics=metrics, label_from=label_from)
    if path is not None:
        write_model_file(path, model.to_dict())
    return model


def predict_sentiment(data: pd.DataFrame, model=None, *, col: str = "comment", cache_dir=None,
                      brand_words=()) -> pd.DataFrame:
    """Score every comment with a learned model (or VADER when ``model`` is None).

    Parameters
    ----------
    data : DataFrame
        Responses with a comment column.
    model : SentimentModel, path or dict, optional
        From :func:`train_sentiment` or a model file (``cfg.comments["sentiment_model"]``). ``None``:
        VADER, as :func:`~cxlib.comments.sentiment`.
    col, cache_dir, brand_words
        As in :func:`~cxlib.comments.embed_comments`.

    Returns
    -------
    DataFrame
        A copy of ``data`` plus ``p_<class>`` (probability of each class), ``compound`` (P(positive) −
        P(negative), in [-1, 1], the scale :func:`~cxlib.comments.sentiment_trend` averages) and
        ``sentiment`` (the most probable class); NA where there is no comment. With ``model=None``:
        VADER's ``neg``, ``neu``, ``pos``, ``compound`` and ``sentiment`` instead.

    Examples
    --------
    >>> from cxlib import data
    >>> model = train_sentiment(data.load_labelled("data/sample/comments_labelled.csv"))
    >>> df = pd.DataFrame({"comment": ["Waited 50 minutes on hold again.", "Worth every penny.", None]})
    >>> predict_sentiment(df, model)["sentiment"].tolist()
    ['negative', 'positive', nan]
    """
    need_columns(data, [col], where="predict_sentiment")
    out = data.copy()
    if model is None:
        scored = sentiment(out[col])
        for c in scored.columns:
            out[c] = scored[c]
        return out
    m = load_sentiment_model(model)
    emb = embed_comments(data, col=col, cache_dir=cache_dir, brand_words=brand_words)
    proba = m.probabilities(emb.vectors)
    has = emb.row >= 0
    full = np.full((len(data), len(m.classes)), np.nan)
    full[has] = proba[emb.row[has]]
    for j, c in enumerate(m.classes):
        out[f"p_{c}"] = full[:, j]
    get = {c: full[:, j] for j, c in enumerate(m.classes)}
    out["compound"] = get.get("positive", 0.0) - get.get("negative", 0.0)
    out.loc[~has, "compound"] = np.nan
    labels = np.asarray(m.classes, dtype=object)[np.nan_to_num(full, nan=-1).argmax(axis=1)]
    out["sentiment"] = pd.Series(labels, index=data.index, dtype="str").where(has)
    return out
