"""Options of multiple-response questions as drivers of a score, read like comment themes.

A "select all that apply" question ("what disappointed you?") is a coded comment that every respondent
wrote in the same words: each option is a theme that a respondent mentioned (selected) or not, and
nothing is known of those who skipped the question. So each option is scored as
:func:`cxlib.comments.theme_impact` scores a theme: the score of those who selected it against those who
answered the question without selecting it (Welch), and what it costs the overall score.
"""

from __future__ import annotations

import pandas as pd

from .._checks import check_frame, need_columns
from ..comments import theme_impact
from ..data import code_selections
from ..errors import ParameterError

__all__ = ["option_impact"]


def _questions(multi) -> dict[str, list[str]]:
    if not isinstance(multi, dict) or not multi or not all(isinstance(v, (list, tuple)) and v for v in multi.values()):
        raise ParameterError("The 'multi' parameter of option_impact must be a mapping of question: [option "
                             f"columns], e.g. {{'reasons': ['Q5_1', 'Q5_2']}} (cfg.multi). Got {multi!r} instead.")
    return {str(q): [str(c) for c in cols] for q, cols in multi.items()}


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
    questions, labels = _questions(multi), labels or {}
    need_columns(data, [c for cols in questions.values() for c in cols], where="option_impact")
    keep = [c for c in (score or metric, weight) if c and c in data]
    parts = []
    for question, cols in questions.items():
        coded = {c: code_selections(data[c], where="option_impact", column=c) for c in cols}
        answered = pd.DataFrame(coded).notna().any(axis=1).to_numpy()
        # a theme column: selected or not among those who answered the question, NA for those who skipped it
        flags = {f"theme_{i}": pd.arrays.BooleanArray(coded[c] == 1.0, ~answered) for i, c in enumerate(cols)}
        frame = pd.DataFrame({**{c: data[c].to_numpy() for c in keep}, **flags})
        t = theme_impact(frame, themes=list(flags), metric=metric, score=score, scale=scale, weight=weight,
                         confidence=confidence, min_n=min_n)
        option = t["theme"].map(lambda name: cols[int(name)])
        t.insert(0, "label", option.map(lambda c: labels.get(c, c)))
        t.insert(0, "option", option)
        t.insert(0, "question", question)
        parts.append(t.drop(columns="theme"))
    return pd.concat(parts, ignore_index=True)
