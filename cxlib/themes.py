"""From words to the metric: theme volumes, their shift, what each theme costs, sentiment over time.

Every function takes responses already tagged by :func:`cxlib.codebook.tag_themes` (``theme_<name>``
columns, NA where there is no comment) and, for sentiment, scored by :func:`cxlib.text.sentiment`.
Estimates are unweighted (survey weights are not applied) and associational: a theme's "points lost"
says how much of the NPS its detractors account for, not what fixing it would gain for certain.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from . import dataset
from .metrics import nps_points

__all__ = ["sentiment_trend", "theme_impact", "theme_shift", "theme_volumes"]

PREFIX = "theme_"


def _theme_cols(data: pd.DataFrame, themes) -> list[str]:
    if themes is None:
        cols = [c for c in data.columns if c.startswith(PREFIX)]
    else:
        names = getattr(themes, "names", themes)
        names = [names] if isinstance(names, str) else list(names)
        cols = [PREFIX + t if not t.startswith(PREFIX) else t for t in names]
    missing = [c for c in cols if c not in data.columns]
    if missing or not cols:
        raise ValueError(f"theme column(s) {missing or '(none)'} not found; tag the comments first with "
                         f"text.tag_themes(data, codebook) (columns present: {list(data.columns)[:12]})")
    return cols


def _values(data: pd.DataFrame, score: str) -> pd.Series:
    if score not in data.columns:
        raise ValueError(f"score column {score!r} not found; columns are {list(data.columns)}")
    values = pd.to_numeric(data[score], errors="coerce")
    if score == "nps":
        bad = data[score].notna() & (values.isna() | (values < 0) | (values > 10))
        if bool(bad.any()):
            raise ValueError(f"column {score!r}: expected NPS answers 0-10, got "
                             f"{data[score][bad].head(5).to_dict()} ({int(bad.sum())} row(s))")
        return nps_points(values)
    return values


def _welch(a: np.ndarray, b: np.ndarray, alpha: float):
    """Difference of means a - b with Welch's CI and two-sided p-value."""
    if len(a) < 2 or len(b) < 2:
        return (np.nan,) * 4
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    diff, se = a.mean() - b.mean(), np.sqrt(va + vb)
    if se == 0:
        return diff, diff, diff, (1.0 if diff == 0 else 0.0)
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    t = stats.t.ppf(1 - alpha / 2, df)
    return diff, diff - t * se, diff + t * se, 2 * stats.t.sf(abs(diff / se), df)


def _mean_ci(x: np.ndarray, alpha: float):
    if len(x) < 2:
        return (x.mean() if len(x) else np.nan), np.nan, np.nan
    half = stats.t.ppf(1 - alpha / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return x.mean(), x.mean() - half, x.mean() + half


def theme_impact(data: pd.DataFrame, *, themes=None, score: str = "nps", alpha: float = 0.05,
                 min_n: int = 30) -> pd.DataFrame:
    """What each theme costs: score of comments that mention it vs those that do not.

    Parameters
    ----------
    data : DataFrame
        Tagged responses (``theme_<name>`` columns; NA = no comment) with a ``score`` column.
    themes : list of str or Codebook, optional
        Theme names (default: every ``theme_`` column).
    score : str, default "nps"
        "nps" (0-10 answers, scored as NPS) or any numeric column (compared as means).
    alpha : float, default 0.05
        1 - confidence level.
    min_n : int, default 30
        Fewer mentions (or non-mentions) than this sets ``small_base``: read such rows as anecdote.

    Returns
    -------
    DataFrame
        One row per theme, largest ``points_lost`` first for NPS: ``theme``; ``n`` (commenting
        respondents with a score); ``n_mention``; ``share`` with Wilson ``share_ci_low`` /
        ``share_ci_high``; ``score_with`` / ``score_without`` (NPS or mean score of those who do / do
        not mention it); ``diff`` (with - without) with Welch ``diff_ci_low`` / ``diff_ci_high`` and
        ``p_value``; ``p_holm`` (Holm-adjusted across the themes shown); ``n_scored`` (every respondent
        with a score, the base of the overall NPS); ``points_lost`` (NPS points gained if the theme's
        detractors were passives: 100 x detractors mentioning it / ``n_scored``; NaN unless NPS) with
        Wilson ``points_lost_ci_low`` / ``points_lost_ci_high``; ``small_base``.

    Examples
    --------
    >>> df = pd.DataFrame({"nps": [0, 3, 9, 10, 7, 2, 9, 8],
    ...                    "theme_slow": pd.array([True, True, False, False, True, False, False, pd.NA])})
    >>> theme_impact(df, min_n=1)[["theme", "n", "n_mention", "score_with", "score_without", "points_lost"]]
      theme  n  n_mention  score_with  score_without  points_lost
    0  slow  7          3  -66.666667           50.0         25.0
    """
    cols = _theme_cols(data, themes)
    vals = _values(data, score)
    scored = vals.notna()
    rows = []
    for c in cols:
        flag = data[c].astype("boolean")
        base = flag.notna() & scored
        m = flag[base].astype(bool).to_numpy()
        v = vals[base].to_numpy(float)
        n, k = len(v), int(m.sum())
        lo, hi = proportion_confint(k, n, alpha, method="wilson") if n else (np.nan, np.nan)
        diff, dlo, dhi, p = _welch(v[m], v[~m], alpha)
        row = {"theme": c[len(PREFIX):], "n": n, "n_mention": k, "share": k / n if n else np.nan,
               "share_ci_low": lo, "share_ci_high": hi,
               "score_with": v[m].mean() if k else np.nan, "score_without": v[~m].mean() if n - k else np.nan,
               "diff": diff, "diff_ci_low": dlo, "diff_ci_high": dhi, "p_value": p,
               "n_scored": int(scored.sum())}
        if score == "nps":
            det = int(((vals == -100) & flag.fillna(False).astype(bool)).sum())
            tot = row["n_scored"]
            plo, phi = proportion_confint(det, tot, alpha, method="wilson") if tot else (np.nan, np.nan)
            row.update(points_lost=100 * det / tot if tot else np.nan,
                       points_lost_ci_low=100 * plo, points_lost_ci_high=100 * phi)
        else:
            row.update(points_lost=np.nan, points_lost_ci_low=np.nan, points_lost_ci_high=np.nan)
        row["small_base"] = k < min_n or (n - k) < min_n
        rows.append(row)
    out = pd.DataFrame(rows)
    ok = out["p_value"].notna()
    out["p_holm"] = np.nan
    if ok.any():
        out.loc[ok, "p_holm"] = multipletests(out.loc[ok, "p_value"], method="holm")[1]
    order = ["theme", "n", "n_mention", "share", "share_ci_low", "share_ci_high", "score_with",
             "score_without", "diff", "diff_ci_low", "diff_ci_high", "p_value", "p_holm", "n_scored",
             "points_lost", "points_lost_ci_low", "points_lost_ci_high", "small_base"]
    out = out[order]
    if score == "nps":
        out = out.sort_values("points_lost", ascending=False, kind="stable")
    return out.reset_index(drop=True)


def theme_volumes(data: pd.DataFrame, *, themes=None, by=None, alpha: float = 0.05,
                  min_n: int = 30) -> pd.DataFrame:
    """Share of comments mentioning each theme, overall or per group.

    Parameters
    ----------
    data : DataFrame
        Tagged responses (``theme_<name>`` columns; NA = no comment).
    themes : list of str or Codebook, optional
        Theme names (default: every ``theme_`` column).
    by : str or list of str, optional
        Grouping columns (e.g. ``["period"]`` from ``dataset.add_period``, or ``"region"``).
    alpha, min_n : see :func:`theme_impact`.

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
    by = [] if by is None else ([by] if isinstance(by, str) else list(by))
    missing = [b for b in by if b not in data.columns]
    if missing:
        raise ValueError(f"theme_volumes: grouping column(s) {missing} not found; columns are "
                         f"{list(data.columns)}")
    long = data[by + cols].melt(id_vars=by, value_vars=cols, var_name="theme", value_name="_m")
    long["theme"] = long["theme"].str.slice(len(PREFIX))
    long["_has"] = long["_m"].notna()
    long["_m"] = long["_m"].astype("boolean").fillna(False).astype(int)
    g = long.groupby(by + ["theme"], observed=True, sort=True, dropna=False)
    out = g.agg(n=("_has", "sum"), n_mention=("_m", "sum")).reset_index()
    out["n"] = out["n"].astype(int)
    out["share"] = (out["n_mention"] / out["n"]).where(out["n"] > 0)
    ci = [proportion_confint(k, n, alpha, method="wilson") if n else (np.nan, np.nan)
          for k, n in zip(out["n_mention"], out["n"])]
    out["ci_low"], out["ci_high"] = [c[0] for c in ci], [c[1] for c in ci]
    out["small_base"] = out["n"] < min_n
    return out


def theme_shift(data: pd.DataFrame, *, month: str, baseline: int = 3, themes=None, by=None,
                date_col: str = "responded_at", alpha: float = 0.05, min_n: int = 30) -> pd.DataFrame:
    """Did a theme rise this month? Share in ``month`` vs the ``baseline`` months before, per group.

    Parameters
    ----------
    data : DataFrame
        Tagged responses with ``date_col``.
    month : str
        "YYYY-MM".
    baseline : int, default 3
        Number of preceding months pooled as the comparison.
    themes, by, alpha, min_n : see :func:`theme_volumes`.

    Returns
    -------
    DataFrame
        One row per group and theme: the ``by`` columns, ``theme``, ``n_now``, ``share_now``,
        ``n_before``, ``share_before``, ``diff`` (now - before) with Wald ``diff_ci_low`` /
        ``diff_ci_high``, two-proportion z-test ``p_value``, ``p_holm`` (across all rows),
        ``small_base``; rows with an adequate base first, each part by largest ``diff``.

    Examples
    --------
    >>> df = pd.DataFrame({"responded_at": pd.to_datetime(["2026-09-03"] * 4 + ["2026-10-02"] * 4),
    ...                    "theme_slow": pd.array([True, False, False, False, True, True, True, False])})
    >>> theme_shift(df, month="2026-10", baseline=1, min_n=1)[["theme", "share_now", "share_before", "diff"]]
      theme  share_now  share_before  diff
    0  slow       0.75          0.25   0.5
    """
    per = pd.Period(month, freq="M")
    d = dataset.add_period(data, date_col=date_col, name="_period")
    now = d[d["_period"] == per]
    before = d[(d["_period"] < per) & (d["_period"] >= per - baseline)]
    a = theme_volumes(now, themes=themes, by=by, min_n=0)
    b = theme_volumes(before, themes=themes, by=by, min_n=0)
    keys = ([] if by is None else ([by] if isinstance(by, str) else list(by))) + ["theme"]
    m = a[keys + ["n", "share"]].merge(b[keys + ["n", "share", "n_mention"]], on=keys, how="outer",
                                       suffixes=("_now", "_before"))
    m = m.drop(columns="n_mention")
    p1, p0, n1, n0 = m["share_now"], m["share_before"], m["n_now"], m["n_before"]
    z = stats.norm.ppf(1 - alpha / 2)
    se = np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    pooled = (p1 * n1 + p0 * n0) / (n1 + n0)
    se0 = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    m["diff"] = p1 - p0
    m["diff_ci_low"], m["diff_ci_high"] = m["diff"] - z * se, m["diff"] + z * se
    zstat = (m["diff"] / se0).where(se0 > 0)
    m["p_value"] = pd.Series(2 * stats.norm.sf(np.abs(zstat)), index=m.index).where(zstat.notna())
    m.loc[(se0 == 0) & m["diff"].notna(), "p_value"] = 1.0
    ok = m["p_value"].notna()
    m["p_holm"] = np.nan
    if ok.any():
        m.loc[ok, "p_holm"] = multipletests(m.loc[ok, "p_value"], method="holm")[1]
    m["small_base"] = (m["n_now"].fillna(0) < min_n) | (m["n_before"].fillna(0) < min_n)
    m = m.sort_values("diff", ascending=False, kind="stable")
    return m.sort_values("small_base", kind="stable").reset_index(drop=True)


def sentiment_trend(data: pd.DataFrame, *, by="period", score: str = "nps", freq: str = "M",
                    date_col: str = "responded_at", alpha: float = 0.05, min_n: int = 30) -> pd.DataFrame:
    """Mean comment sentiment beside the score, per period (or any grouping).

    Parameters
    ----------
    data : DataFrame
        Responses with a ``compound`` column (from ``text.sentiment`` / ``text.annotate_comments``).
    by : str or list of str, default "period"
        Grouping; "period" is made from ``date_col`` with ``freq`` when not a column.
    score : str, default "nps"
        Score shown beside sentiment ("nps" is scored as NPS, others as means); skipped when absent.
    freq, date_col, alpha, min_n : period frequency, date column, 1 - confidence, small-base cut-off.

    Returns
    -------
    DataFrame
        One row per group: the ``by`` columns, ``n_comments``, ``compound_mean`` with t-interval
        ``compound_ci_low`` / ``compound_ci_high``, ``pct_negative`` (share of comments with compound
        <= -0.05), ``n_score``, ``score`` (NPS or mean) with ``score_ci_low`` / ``score_ci_high``,
        ``small_base`` (``n_comments < min_n``).

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a", "a", "b"], "compound": [0.5, -0.5, 0.2], "nps": [10, 0, 9]})
    >>> sentiment_trend(df, by="g", min_n=1)[["g", "n_comments", "compound_mean", "score"]]
       g  n_comments  compound_mean  score
    0  a           2            0.0    0.0
    1  b           1            0.2  100.0
    """
    by = [by] if isinstance(by, str) else list(by)
    if "compound" not in data.columns:
        raise ValueError("sentiment_trend: column 'compound' not found; score the comments first with "
                         "text.sentiment or text.annotate_comments")
    d = data
    if by == ["period"] and "period" not in d.columns:
        d = dataset.add_period(d, freq=freq, date_col=date_col)
    vals = _values(d, score) if score in d.columns else pd.Series(np.nan, index=d.index)
    rows = []
    for key, g in d.assign(_v=vals).groupby(by, observed=True, sort=True):
        c = g["compound"].dropna().to_numpy(float)
        v = g["_v"].dropna().to_numpy(float)
        cm, cl, ch = _mean_ci(c, alpha)
        sm, sl, sh = _mean_ci(v, alpha)
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(by, key)), "n_comments": len(c), "compound_mean": cm,
                     "compound_ci_low": cl, "compound_ci_high": ch,
                     "pct_negative": (c <= -0.05).mean() if len(c) else np.nan,
                     "n_score": len(v), "score": sm, "score_ci_low": sl, "score_ci_high": sh,
                     "small_base": len(c) < min_n})
    return pd.DataFrame(rows)
