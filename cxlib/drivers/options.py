"""Options of multiple-response questions as drivers of a score, read like comment themes.

A "select all that apply" question ("what disappointed you?") is a coded comment that every respondent
wrote in the same words: each option is a theme that a respondent mentioned (selected) or not, and
nothing is known of those who skipped the question. So each option is scored as
:func:`cxlib.comments.theme_impact` scores a theme: the score of those who selected it against those who
answered the question without selecting it (Welch), and what it costs the overall score. The sums of all
of a question's options are one matrix product (selected / not selected × the respondents' n, Σw, Σw²,
Σw·v, Σw·v²), so 24 options on a million responses take a fraction of a second.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import check_choice, check_confidence, check_frame, check_weights, need_columns
from .._stats import adjust_p, kish, welch_moments, wilson
from ..data import code_selections, option_sets
from ..errors import DataError
from ..metrics import METRICS
from ..scores import as_scale, respondent_values

__all__ = ["option_impact"]


def _side(sums: np.ndarray) -> dict:
    """Per option, from its columns (n, Σw, Σw², Σw·v, Σw·v²): count, mean, variance (unbiased on Kish's
    effective base) and that base; NaN / 0 where Σw is 0."""
    n, sw, sw2, s, q = sums.T
    ne = kish(sw, sw2)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(sw > 0, s / np.where(sw > 0, sw, 1.0), np.nan)
        var = np.where((sw > 0) & (ne > 1), np.clip(q - s * mean, 0, None) / sw * ne / (ne - 1), np.nan)
    return {"n": n, "sw": sw, "sw2": sw2, "s": s, "q": q, "mean": mean, "var": var, "ne": ne}


def _costs(on: dict, t: dict, scored: np.ndarray, metric: str, scale, confidence: float) -> tuple:
    """What each option costs the overall score and its interval (see :func:`cxlib.comments.theme_impact`)."""
    n_scored, sw_all, ne_all = scored[0], scored[1], float(kish(scored[1], scored[2]))
    k = len(on["n"])
    if metric == "mean" or not ne_all:
        return (np.full(k, np.nan),) * 3
    if METRICS[metric].kind != "mean":   # the weight of those who selected it and score worst (v = −100 or 0)
        worst = (on["q"] / 1e4 - on["s"] / 100) / 2 if METRICS[metric].kind == "net" else on["sw"] - on["s"] / 100
        lost = np.clip(worst, 0, None) / sw_all
        lo, hi = wilson(lost * ne_all, np.full(k, ne_all), confidence)
        return 100 * lost, 100 * lo, 100 * hi
    share = on["sw"] / sw_all if n_scored else np.full(k, np.nan)
    sign = 1.0 if scale is not None and not as_scale(scale).higher_is_better else -1.0
    return tuple(np.where(np.isnan(g), np.nan, share * np.clip(g, 0, None))
                 for g in (sign * t["diff"], sign * t["ci_high"], sign * t["ci_low"]))


def _question(coded: list[np.ndarray], m: np.ndarray, scored: np.ndarray, metric, scale, confidence, min_n) -> dict:
    """The columns of one question's options from its coded options and the respondents' sums matrix ``m``."""
    x = np.column_stack(coded)
    answered = (~np.isnan(x)).any(axis=1) & (m[:, 0] > 0)
    chosen = (x == 1.0) & answered[:, None]       # a blank option of an answering respondent: not selected
    on, off = _side(chosen.T.astype("float64") @ m), _side((~chosen & answered[:, None]).T.astype("float64") @ m)
    n, k = on["n"] + off["n"], on["n"]
    total = on["sw"] + off["sw"]
    ne = kish(total, on["sw2"] + off["sw2"])
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where((n > 0) & (total > 0), on["sw"] / np.where(total > 0, total, 1.0), np.nan)
    lo, hi = wilson(np.where(n > 0, share * ne, 0.0), ne, confidence)
    t = welch_moments(on["mean"], on["var"], on["ne"], off["mean"], off["var"], off["ne"], confidence)
    lost = _costs(on, t, scored, metric, scale, confidence)
    return {"n": n.astype("int64"), "n_mention": k.astype("int64"), "share": share, "share_ci_low": lo,
            "share_ci_high": hi, "score_with": np.where(k > 0, on["mean"], np.nan),
            "score_without": np.where(n - k > 0, off["mean"], np.nan), "diff": t["diff"], "diff_ci_low": t["ci_low"],
            "diff_ci_high": t["ci_high"], "p_value": t["p_value"], "p_holm": adjust_p(t["p_value"], method="holm"),
            "n_scored": int(scored[0]), "points_lost": lost[0], "points_lost_ci_low": lost[1],
            "points_lost_ci_high": lost[2], "small_base": (k < min_n) | (n - k < min_n)}


def option_impact(data: pd.DataFrame, *, multi, metric: str = "nps", score: str | None = None, scale=None,
                  weight: str | None = None, labels: dict | None = None, confidence: float = 0.95,
                  min_n: int = 30) -> pd.DataFrame:
    """What each option of the multiple-response questions costs a score, as a theme would.

    Parameters
    ----------
    data : pandas.DataFrame
        Responses with the option columns (0/1, booleans or selected/not selected:
        :func:`cxlib.data.code_selections`) and the score column.
    multi : dict
        Question -> its option columns (``cfg.multi``).
    metric, score, scale, weight, confidence, min_n
        As in :func:`cxlib.comments.theme_impact`.
    labels : dict, optional
        How options read (``cfg.labels``); default the column names.

    Returns
    -------
    pandas.DataFrame
        One row per option, question by question (largest ``points_lost`` first within each, but for
        "mean"): ``question``, ``option`` (its column), ``label``, then every column of
        :func:`cxlib.comments.theme_impact` but ``theme``: ``n`` (respondents who answered the question and
        have a score), ``n_mention`` (of them, those who selected the option), ``share`` with its Wilson
        interval ``share_ci_low``/``share_ci_high``, ``score_with``/``score_without`` (selected or not),
        ``diff`` with Welch ``diff_ci_low``/``diff_ci_high`` and ``p_value``, ``p_holm`` (Holm across the
        question's options), ``n_scored`` (every respondent with a score), ``points_lost`` with
        ``points_lost_ci_low``/``points_lost_ci_high`` (what the option costs the overall score), ``small_base``.

    Examples
    --------
    >>> df = pd.DataFrame({"nps": [0, 3, 9, 10, 9, 10, 10, 8, 7, 5],
    ...                    "Q1": [1, 1, 1, 1, 0, 0, 0, 0, None, None]})
    >>> option_impact(df, multi={"why": ["Q1"]}, min_n=1)[["option", "n", "n_mention", "score_with",
    ...                                                   "score_without", "points_lost"]]
      option  n  n_mention  score_with  score_without  points_lost
    0     Q1  8          4         0.0           75.0         20.0
    """
    check_frame(data, where="option_impact")
    questions, labels = option_sets(multi, func="option_impact"), labels or {}
    need_columns(data, [c for cols in questions.values() for c in cols], where="option_impact")
    confidence = check_confidence(confidence, func="option_impact")
    check_choice(metric, (*METRICS, "mean"), param="metric", func="option_impact")
    if score is None and metric == "mean":
        raise DataError("option_impact: metric='mean' needs the column to average: pass score=")
    v = respondent_values(data, score=score or metric, metric=metric, scale=scale).to_numpy("float64")
    w = np.ones(len(data))
    if weight is not None:
        need_columns(data, [weight], where="option_impact")
        w = check_weights(data, weight, used=np.ones(len(data), bool), where="option_impact", what="weighting")
    ok = ~np.isnan(v)
    wv, vv = np.where(ok, w, 0.0), np.where(ok, v, 0.0)
    m = np.column_stack([ok.astype("float64"), wv, wv * wv, wv * vv, wv * vv * vv])   # per respondent
    scored = m[:, :3].sum(axis=0)
    parts = []
    for question, cols in questions.items():
        coded = [code_selections(data[c], where="option_impact", column=c) for c in cols]
        t = pd.DataFrame({"question": question, "option": cols, "label": [labels.get(c, c) for c in cols],
                          **_question(coded, m, scored, metric, scale, confidence, min_n)})
        parts.append(t if metric == "mean" else t.sort_values("points_lost", ascending=False, kind="stable"))
    return pd.concat(parts, ignore_index=True)
