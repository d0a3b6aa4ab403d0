"""From words to the metric: theme volumes, their shift, and what each theme costs.

Every function takes responses already tagged by :func:`cxlib.comments.tag_themes` (``theme_<name>``
columns, NA where there is no comment).
With ``weight=`` shares and scores are weighted and every interval and test uses Kish's effective base.
Estimates are associational: a theme's "points lost" says how much of the NPS its detractors account
for, not what fixing it would gain for certain.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import periods
from .._checks import by_list, check_choice, check_confidence, need_columns
from .._stats import adjust_p, kish, welch_moments, wilson, z_crit, z_test
from ..errors import DataError
from ..metrics import METRICS
from ..scores import as_scale, respondent_values
from ._theme_sums import impact_sums, volume_sums
from .codebook import PREFIX

__all__ = ["theme_impact", "theme_shift", "theme_volumes"]


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


def _score_column(score, metric: str, func: str) -> str:
    check_choice(metric, (*METRICS, "mean"), param="metric", func=func)
    if score is None:
        if metric == "mean":
            raise DataError(f"{func}: metric='mean' needs the column to average: pass score=")
        return metric
    return score


def _moments(sw: float, sw2: float, s: float, q: float) -> tuple[float, float, float]:
    """Weighted mean, variance (unbiased on n_eff) and Kish n_eff from Σw, Σw², Σw·v and Σw·v²."""
    if sw <= 0:
        return np.nan, np.nan, 0.0
    ne = float(kish(sw, sw2))
    m = s / sw
    var = max(q - s * s / sw, 0.0) / sw * ne / (ne - 1) if ne > 1 else np.nan
    return m, var, ne


def _points_lost(lost: float, t: dict, share: float, ne_scored: float, metric: str, scale,
                 confidence: float) -> tuple:
    """What the theme costs the overall score, in its units, with an interval.

    Shares (NPS, CSAT, recommend): the points gained if the theme's detractors were passives, its
    unsatisfied satisfied, its no-sayers yes-sayers (100 × such respondents' weight ``lost`` as a share of
    all scored respondents' weight; Wilson on Kish's effective base). Means (rating, CES): the rise of the
    overall mean if those mentioning the theme scored like the others (share × the gap, 0 when they score
    better; the gap's Welch interval times the share).
    """
    if not ne_scored:
        return (np.nan,) * 3
    if metric != "mean" and METRICS[metric].kind != "mean":
        (lo,), (hi,) = wilson(lost * ne_scored, ne_scored, confidence)
        return 100 * lost, 100 * lo, 100 * hi
    better_high = scale is None or as_scale(scale).higher_is_better
    sign = -1.0 if better_high else 1.0      # diff = with − without; a cost is a worse score with the theme
    gap = (sign * t["diff"], sign * t["ci_high"], sign * t["ci_low"])
    return tuple(share * max(g, 0.0) if pd.notna(g) else np.nan for g in gap)


def theme_impact(data: pd.DataFrame, *, themes=None, metric: str = "nps", score: str | None = None,
                 scale=None, weight: str | None = None, confidence: float = 0.95, min_n: int = 30) -> pd.DataFrame:
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
    weight : str, optional
        Survey weights: shares, scores and points lost are weighted; Welch's test and the Wilson
        intervals use Kish's effective bases (``n_eff``).
    confidence : float
        Confidence level of the intervals.
    min_n : int
        Fewer mentions (or non-mentions) than this sets ``small_base``: read such rows as anecdote.

    Returns
    -------
    DataFrame
        One row per theme, largest ``points_lost`` first (but for "mean"): ``theme``; ``n`` (commenting
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
    sums = impact_sums(data, cols, respondent_values(data, score=col, metric=metric, scale=scale), weight)
    n_scored = int(sums["n_scored"])
    ne_scored = float(kish(sums["sw_scored"], sums["sw2_scored"])) if sums["sw_scored"] > 0 else 0.0
    rows = []
    for i, c in enumerate(cols):
        n, k = int(sums[f"n{i}"]), int(sums[f"k{i}"])
        w1, ww1, s1, q1 = (float(sums[f"{v}1_{i}"]) for v in ("w", "ww", "s", "q"))
        w0, ww0, s0, q0 = (float(sums[f"{v}0_{i}"]) for v in ("w", "ww", "s", "q"))
        (mw, vw, nw), (mo, vo, no) = _moments(w1, ww1, s1, q1), _moments(w0, ww0, s0, q0)
        total = w1 + w0
        ne = float(kish(total, ww1 + ww0)) if total > 0 else 0.0
        share = w1 / total if n and total > 0 else np.nan
        (lo,), (hi,) = wilson(share * ne if n else 0.0, ne, confidence)
        t = welch_moments(mw, vw, nw, mo, vo, no, confidence)
        row = {"theme": c[len(PREFIX):], "n": n, "n_mention": k, "share": share,
               "share_ci_low": lo, "share_ci_high": hi,
               "score_with": mw if k else np.nan, "score_without": mo if n - k else np.nan,
               "diff": float(t["diff"]), "diff_ci_low": float(t["ci_low"]), "diff_ci_high": float(t["ci_high"]),
               "p_value": float(t["p_value"]), "n_scored": n_scored}
        sw_scored = float(sums["sw_scored"])
        share_all = w1 / sw_scored if n_scored and sw_scored > 0 else np.nan
        # the weight of those who mention it and score worst: NPS detractors (v = -100) from Σw·v and Σw·v²
        # (v in {-100, 0, 100}), else the zeros (v in {0, 100})
        low = max((q1 / 1e4 - s1 / 100) / 2 if metric != "mean" and METRICS[metric].kind == "net" else w1 - s1 / 100, 0.0)
        lost = (_points_lost(low / sw_scored if sw_scored > 0 else np.nan, t, share_all, ne_scored, metric,
                             scale, confidence) if metric != "mean" else (np.nan,) * 3)
        row.update(zip(("points_lost", "points_lost_ci_low", "points_lost_ci_high"), lost))
        row["small_base"] = k < min_n or (n - k) < min_n
        rows.append(row)
    out = pd.DataFrame(rows)
    out.insert(out.columns.get_loc("n_scored"), "p_holm", adjust_p(out["p_value"], method="holm"))
    if metric != "mean":
        out = out.sort_values("points_lost", ascending=False, kind="stable")
    return out.reset_index(drop=True)


def theme_volumes(data: pd.DataFrame, *, themes=None, by=None, weight: str | None = None,
                  confidence: float = 0.95, min_n: int = 30) -> pd.DataFrame:
    """Share of comments mentioning each theme, overall or per group.

    Parameters
    ----------
    data : DataFrame
        Tagged responses (``theme_<name>`` columns; NA = no comment).
    themes : list of str or Codebook, optional
        Theme names (default: every ``theme_`` column).
    by : str or list of str, optional
        Grouping columns (e.g. ``["period"]`` from ``data.add_period``, or ``"region"``).
    weight, confidence, min_n : see :func:`theme_impact`.

    Returns
    -------
    DataFrame
        One row per group and theme: the ``by`` columns, ``theme``, ``n`` (comments in the group),
        ``n_eff`` (Kish; n without weights), ``n_mention``, ``share`` (weighted), Wilson ``ci_low`` /
        ``ci_high`` on ``n_eff``, ``small_base`` (``n_eff < min_n``).

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
    out = volume_sums(data, cols, by, weight)
    out["theme"] = out["theme"].str.slice(len(PREFIX))
    out = out.sort_values(by + ["theme"], kind="stable", na_position="last").reset_index(drop=True)
    out["n"] = out["n"].astype(int)
    out.insert(out.columns.get_loc("n") + 1, "n_eff", kish(out["sw"], out["sw2"]))
    out["share"] = (out["swm"] / out["sw"].where(out["sw"] > 0)).where(out["n"] > 0)
    out["ci_low"], out["ci_high"] = wilson(out["share"].fillna(0) * out["n_eff"], out["n_eff"], confidence)
    out["small_base"] = out["n_eff"] < min_n
    return out.drop(columns=["sw", "sw2", "swm"])


def theme_shift(data: pd.DataFrame, *, month: str, baseline: str = "previous_3", themes=None, by=None,
                weight: str | None = None, date_col: str = "responded_at", confidence: float = 0.95,
                min_n: int = 30) -> pd.DataFrame:
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
    themes, by, weight, confidence, min_n : see :func:`theme_volumes`; with weights the shares are
        weighted and the tests use Kish's effective bases.

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
    a = theme_volumes(now, themes=themes, by=by, weight=weight, min_n=0)
    b = theme_volumes(data.loc[before_mask], themes=themes, by=by, weight=weight, min_n=0)
    keys = by_list(by) + ["theme"]
    m = a[keys + ["n", "n_eff", "share"]].merge(b[keys + ["n", "n_eff", "share"]], on=keys, how="outer",
                                                suffixes=("_now", "_before"))
    p1, p0, n1, n0 = m["share_now"], m["share_before"], m["n_eff_now"], m["n_eff_before"]
    se = np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    pooled = (p1 * n1 + p0 * n0) / (n1 + n0)
    se0 = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    m["diff"] = p1 - p0
    half = z_crit(confidence) * se
    m["diff_ci_low"], m["diff_ci_high"] = m["diff"] - half, m["diff"] + half
    m["p_value"] = z_test(m["diff"], se0)[1]
    m.loc[(se0 == 0) & m["diff"].notna(), "p_value"] = 1.0   # no theme mentions (or all) on both sides
    m["p_holm"] = adjust_p(m["p_value"], method="holm")
    m["small_base"] = (n1.fillna(0) < min_n) | (n0.fillna(0) < min_n)
    m = m.drop(columns=["n_eff_now", "n_eff_before"]).sort_values("diff", ascending=False, kind="stable")
    return m.sort_values("small_base", kind="stable").reset_index(drop=True)
