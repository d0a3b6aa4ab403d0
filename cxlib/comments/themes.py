"""From words to the metric: theme volumes, their shift, what each theme costs, sentiment over time.

Every function takes responses already tagged by :func:`cxlib.comments.tag_themes` (``theme_<name>``
columns, NA where there is no comment) and, for sentiment, scored by :func:`cxlib.comments.sentiment`.
Estimates are unweighted (survey weights are not applied) and associational: a theme's "points lost"
says how much of the NPS its detractors account for, not what fixing it would gain for certain.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import periods
from .._checks import by_list, check_choice, check_confidence, need_columns
from .._stats import adjust_p, mean_ci, welch_moments, wilson, z_crit, z_test
from ..data import add_period, is_table
from ..errors import DataError
from ..scores import as_scale, respondent_values
from ._theme_sums import impact_sums, volume_sums
from .codebook import PREFIX
from .sentiment import NEGATIVE_AT

__all__ = ["sentiment_trend", "theme_impact", "theme_shift", "theme_volumes"]


def _theme_cols(data: pd.DataFrame, themes) -> list[str]:
    if themes is None:
        cols = [c for c in data.columns if str(c).startswith(PREFIX)]
    else:
        names = getattr(themes, "names", themes)
        names = [names] if isinstance(names, str) else list(names)
        cols = [t if t.startswith(PREFIX) else PREFIX + t for t in names]
    missing = [c for c in cols if c not in data.columns]
    if missing or not cols:
        raise DataError(f"theme column(s) {missing or '(none)'} not found; tag the comments first with "
                        f"comments.tag_themes(data, codebook) (columns present: {list(data.columns)[:12]})")
    return cols


_METRICS = ("nps", "csat", "recommend", "rating", "ces", "mean")


def _score_column(score, metric: str, func: str) -> str:
    check_choice(metric, _METRICS, param="metric", func=func)
    if score is None:
        if metric == "mean":
            raise DataError(f"{func}: metric='mean' needs the column to average: pass score=")
        return metric
    return score


def _points_lost(lost: int, w: dict, share: float, n_scored: int, metric: str, scale, confidence: float) -> tuple:
    """What the theme costs the overall score, in its units, with an interval.

    Shares (NPS, CSAT, recommend): the points gained if the theme's detractors were passives, its
    unsatisfied satisfied, its no-sayers yes-sayers (100 × such respondents / all scored; Wilson).
    Means (rating, CES): the rise of the overall mean if those mentioning the theme scored like the
    others (share × the gap, 0 when they score better; the gap's Welch interval times the share).
    """
    if not n_scored:
        return (np.nan,) * 3
    if metric in ("nps", "csat", "recommend"):
        (lo,), (hi,) = wilson(lost, n_scored, confidence)
        return 100 * lost / n_scored, 100 * lo, 100 * hi
    better_high = scale is None or as_scale(scale).higher_is_better
    sign = -1.0 if better_high else 1.0      # diff = with − without; a cost is a worse score with the theme
    gap = (sign * w["diff"], sign * w["ci_high"], sign * w["ci_low"])
    return tuple(share * max(g, 0.0) if pd.notna(g) else np.nan for g in gap)


def theme_impact(data: pd.DataFrame, *, themes=None, metric: str = "nps", score: str | None = None,
                 scale=None, confidence: float = 0.95, min_n: int = 30) -> pd.DataFrame:
    """What each theme costs: the score of those who mention it against those who do not.

    Parameters
    ----------
    data : DataFrame
        Tagged responses (``theme_<name>`` columns; NA = no comment) with a score column.
    themes : list of str or Codebook, optional
        Theme names (default: every ``theme_`` column).
    metric : {"nps", "csat", "recommend", "rating", "ces", "mean"}
        How the score column is read (see :func:`cxlib.scores.respondent_values`): NPS, CSAT's top-box
        share, the would-recommend share, or a mean (rating, ces, mean).
    score : str, optional
        The column analysed; default the metric's canonical column (required for "mean").
    scale : Scale or tuple, optional
        The score's scale (``cfg.scales[metric]``): CSAT's top box, and the direction of a mean.
    confidence : float
        Confidence level of the intervals.
    min_n : int
        Fewer mentions (or non-mentions) than this sets ``small_base``: read such rows as anecdote.

    Returns
    -------
    DataFrame
        One row per theme, largest ``points_lost`` first for NPS: ``theme``; ``n`` (commenting
        respondents with a score); ``n_mention``; ``share`` with Wilson ``share_ci_low`` /
        ``share_ci_high``; ``score_with`` / ``score_without`` (NPS or mean of those who do / do not
        mention it); ``diff`` (with − without) with Welch ``diff_ci_low`` / ``diff_ci_high`` and
        ``p_value``; ``p_holm`` (Holm-adjusted across the themes); ``n_scored`` (every respondent with a
        score, the base of the overall score); ``points_lost`` (what the theme costs the overall score,
        in its units: for NPS the points gained if the theme's detractors were passives, 100 ×
        detractors mentioning it / ``n_scored``; for CSAT and recommend likewise with the unsatisfied /
        no-sayers; for means the share mentioning × how much worse they score) with
        ``points_lost_ci_low`` / ``points_lost_ci_high``; ``small_base``.

    Examples
    --------
    >>> df = pd.DataFrame({"ltr": [0, 3, 9, 10, 7, 2, 9, 8],
    ...                    "theme_slow": pd.array([True, True, False, False, True, False, False, pd.NA])})
    >>> theme_impact(df, metric="nps", score="ltr", min_n=1)[["theme", "n", "n_mention", "score_with", "score_without", "points_lost"]]
      theme  n  n_mention  score_with  score_without  points_lost
    0  slow  7          3  -66.666667           50.0         25.0
    """
    cols = _theme_cols(data, themes)
    confidence = check_confidence(confidence, func="theme_impact")
    col = _score_column(score, metric, "theme_impact")
    sums = impact_sums(data, cols, respondent_values(data, score=col, metric=metric, scale=scale))
    n_scored = int(sums["n_scored"])
    rows = []
    for i, c in enumerate(cols):
        n, k = int(sums[f"n{i}"]), int(sums[f"k{i}"])
        s1, q1, s0, q0 = (float(sums[f"{v}_{i}"]) for v in ("s1", "q1", "s0", "q0"))
        m1, m0 = (s1 / k if k else np.nan), (s0 / (n - k) if n - k else np.nan)
        v1 = (q1 - s1 * s1 / k) / (k - 1) if k > 1 else np.nan
        v0 = (q0 - s0 * s0 / (n - k)) / (n - k - 1) if n - k > 1 else np.nan
        (lo,), (hi,) = wilson(k, n, confidence)
        w = welch_moments(k, m1, max(v1, 0.0) if k > 1 else v1, n - k, m0, max(v0, 0.0) if n - k > 1 else v0,
                          confidence)
        row = {"theme": c[len(PREFIX):], "n": n, "n_mention": k, "share": k / n if n else np.nan,
               "share_ci_low": lo, "share_ci_high": hi, "score_with": m1, "score_without": m0,
               "diff": w["diff"], "diff_ci_low": w["ci_low"], "diff_ci_high": w["ci_high"],
               "p_value": w["p_value"], "n_scored": n_scored}
        share_all = k / n_scored if n_scored else np.nan
        # those who mention it and score worst: NPS detractors (v = -100) from Σv and Σv², else zeros (v = 0)
        lost = round((q1 / 1e4 - s1 / 100) / 2) if metric == "nps" else round(k - s1 / 100)
        lost = _points_lost(lost, w, share_all, n_scored, metric, scale, confidence) if metric != "mean" \
            else (np.nan,) * 3
        row.update(zip(("points_lost", "points_lost_ci_low", "points_lost_ci_high"), lost))
        row["small_base"] = k < min_n or (n - k) < min_n
        rows.append(row)
    out = pd.DataFrame(rows)
    out.insert(out.columns.get_loc("n_scored"), "p_holm", adjust_p(out["p_value"], method="holm"))
    if metric != "mean":
        out = out.sort_values("points_lost", ascending=False, kind="stable")
    return out.reset_index(drop=True)


def theme_volumes(data: pd.DataFrame, *, themes=None, by=None, confidence: float = 0.95,
                  min_n: int = 30) -> pd.DataFrame:
    """Share of comments mentioning each theme, overall or per group.

    Parameters
    ----------
    data : DataFrame
        Tagged responses (``theme_<name>`` columns; NA = no comment).
    themes : list of str or Codebook, optional
        Theme names (default: every ``theme_`` column).
    by : str or list of str, optional
        Grouping columns (e.g. ``["period"]`` from ``data.add_period``, or ``"region"``).
    confidence, min_n : see :func:`theme_impact`.

    Returns
    -------
    DataFrame
        One row per group and theme: the ``by`` columns, ``theme``, ``n`` (comments in the group),
        ``n_mention``, ``share``, Wilson ``ci_low`` / ``ci_high``, ``small_base`` (``n < min_n``).

    Examples
    --------
    >>> df = pd.DataFrame({"region": ["A", "A", "B"], "theme_slow": pd.array([True, False, pd.NA])})
    >>> theme_volumes(df, by="region", min_n=1)[["region", "theme", "n", "n_mention", "share"]]
      region theme  n  n_mention  share
    0      A  slow  2          1    0.5
    1      B  slow  0          0    NaN
    """
    cols = _theme_cols(data, themes)
    confidence = check_confidence(confidence, func="theme_volumes")
    by = by_list(by)
    need_columns(data, by, where="theme_volumes")
    out = volume_sums(data, cols, by)
    out["theme"] = out["theme"].str.slice(len(PREFIX))
    out = out.sort_values(by + ["theme"], kind="stable", na_position="last").reset_index(drop=True)
    out["n"] = out["n"].astype(int)
    out["share"] = (out["n_mention"] / out["n"]).where(out["n"] > 0)
    out["ci_low"], out["ci_high"] = wilson(out["n_mention"], out["n"], confidence)
    out["small_base"] = out["n"] < min_n
    return out


def theme_shift(data: pd.DataFrame, *, month: str, baseline: str = "previous_3", themes=None, by=None,
                date_col: str = "responded_at", confidence: float = 0.95, min_n: int = 30) -> pd.DataFrame:
    """Did a theme rise this month? Its share in ``month`` against the ``baseline`` months, per group.

    Parameters
    ----------
    data : DataFrame
        Tagged responses with ``date_col``.
    month : str
        "YYYY-MM".
    baseline : str
        As everywhere (:func:`cxlib.periods.baseline_months`): "previous", "previous_3", "year_ago" or
        a month.
    themes, by, confidence, min_n : see :func:`theme_volumes`.

    Returns
    -------
    DataFrame
        One row per group and theme: the ``by`` columns, ``theme``, ``n_now``, ``share_now``,
        ``n_before``, ``share_before``, ``diff`` (now − before) with Wald ``diff_ci_low`` /
        ``diff_ci_high``, two-proportion z-test ``p_value`` (pooled variance), ``p_holm`` (across all
        rows), ``small_base``; rows with an adequate base first, each part by largest ``diff``.

    Examples
    --------
    >>> df = pd.DataFrame({"responded_at": pd.to_datetime(["2026-09-03"] * 4 + ["2026-10-02"] * 4),
    ...                    "theme_slow": pd.array([True, False, False, False, True, True, True, False])})
    >>> theme_shift(df, month="2026-10", baseline="previous", min_n=1)[["theme", "share_now", "share_before", "diff"]]
      theme  share_now  share_before  diff
    0  slow       0.75          0.25   0.5
    """
    confidence = check_confidence(confidence, func="theme_shift")
    need_columns(data, [date_col], where="theme_shift")
    now = data.loc[periods.in_window(data[date_col], *periods.bounds(month))]
    before_mask = pd.Series(False, index=data.index)
    for m in periods.baseline_months(month, baseline):
        before_mask |= periods.in_window(data[date_col], *periods.bounds(m))
    a = theme_volumes(now, themes=themes, by=by, min_n=0)
    b = theme_volumes(data.loc[before_mask], themes=themes, by=by, min_n=0)
    keys = by_list(by) + ["theme"]
    m = a[keys + ["n", "share"]].merge(b[keys + ["n", "share"]], on=keys, how="outer", suffixes=("_now", "_before"))
    p1, p0, n1, n0 = m["share_now"], m["share_before"], m["n_now"], m["n_before"]
    se = np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    pooled = (p1 * n1 + p0 * n0) / (n1 + n0)
    se0 = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    m["diff"] = p1 - p0
    half = z_crit(confidence) * se
    m["diff_ci_low"], m["diff_ci_high"] = m["diff"] - half, m["diff"] + half
    m["p_value"] = z_test(m["diff"], se0)[1]
    m.loc[(se0 == 0) & m["diff"].notna(), "p_value"] = 1.0   # no theme mentions (or all) on both sides
    m["p_holm"] = adjust_p(m["p_value"], method="holm")
    m["small_base"] = (m["n_now"].fillna(0) < min_n) | (m["n_before"].fillna(0) < min_n)
    m = m.sort_values("diff", ascending=False, kind="stable")
    return m.sort_values("small_base", kind="stable").reset_index(drop=True)


def _bounds(metric: str, scale) -> tuple[float, float]:
    """The range a metric's respondent values live in, for clipping intervals."""
    if metric == "nps":
        return -100.0, 100.0
    if metric in ("csat", "recommend"):
        return 0.0, 100.0
    if scale is not None:
        sc = as_scale(scale)
        return float(sc.min), float(sc.max)
    return -np.inf, np.inf


def sentiment_trend(data: pd.DataFrame, *, by="period", metric: str = "nps", score: str | None = None,
                    scale=None, freq: str = "M", date_col: str = "responded_at", confidence: float = 0.95,
                    min_n: int = 30) -> pd.DataFrame:
    """Mean comment sentiment beside the score, per period (or any grouping).

    Parameters
    ----------
    data : DataFrame
        Responses with a ``compound`` column (from ``comments.sentiment`` / ``comments.annotate_comments``).
    by : str or list of str, default "period"
        Grouping; "period" is made from ``date_col`` with ``freq`` when not a column.
    metric : {"nps", "csat", "recommend", "rating", "ces", "mean"}
        How the score beside sentiment is computed (see :func:`cxlib.scores.respondent_values`).
    score : str, optional
        The score column; default the metric's canonical column. When the column is absent only
        sentiment is reported.
    scale : Scale or tuple, optional
        The score's scale (CSAT's top box; the range a mean's interval is clipped to).
    freq, date_col, confidence, min_n : period frequency, date column, confidence level, small-base cut-off.

    Returns
    -------
    DataFrame
        One row per group: the ``by`` columns, ``n_comments``, ``compound_mean`` with t-interval
        ``compound_ci_low`` / ``compound_ci_high``, ``pct_negative`` (share of comments with compound
        <= -0.05), ``n_score``, ``score`` (NPS or mean) with ``score_ci_low`` / ``score_ci_high``,
        ``small_base`` (``n_comments < min_n``). Intervals are t intervals clipped to the possible
        range (sentiment −1 to 1, the score's range): tiny groups never get bands wider than the scale.

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a", "a", "b"], "compound": [0.5, -0.5, 0.2], "nps": [10, 0, 9]})
    >>> sentiment_trend(df, by="g", min_n=1)[["g", "n_comments", "compound_mean", "score"]]
       g  n_comments  compound_mean  score
    0  a           2            0.0    0.0
    1  b           1            0.2  100.0
    """
    by = by_list(by)
    confidence = check_confidence(confidence, func="sentiment_trend")
    need_columns(data, ["compound"], where="sentiment_trend (score the comments first)")
    col = _score_column(score, metric, "sentiment_trend")
    d = data
    if by == ["period"] and "period" not in d.columns:
        d = add_period(d, freq=freq, date_col=date_col)
    vals = (respondent_values(d, score=col, metric=metric, scale=scale) if col in d.columns
            else pd.Series(np.nan, index=d.index))
    lo_s, hi_s = _bounds(metric, scale)
    rows = []
    for key, g in d.assign(_v=vals).groupby(by, observed=True, sort=True):
        c = g["compound"].dropna().to_numpy(float)
        cm, _, cl, ch = mean_ci(c, confidence)
        sm, _, sl, sh = mean_ci(g["_v"], confidence)
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(by, key)), "n_comments": len(c), "compound_mean": cm,
                     "compound_ci_low": np.clip(cl, -1.0, 1.0), "compound_ci_high": np.clip(ch, -1.0, 1.0),
                     "pct_negative": (c <= NEGATIVE_AT).mean() if len(c) else np.nan,
                     "n_score": int(g["_v"].notna().sum()), "score": sm, "score_ci_low": np.clip(sl, lo_s, hi_s),
                     "score_ci_high": np.clip(sh, lo_s, hi_s), "small_base": len(c) < min_n})
    return pd.DataFrame(rows)
