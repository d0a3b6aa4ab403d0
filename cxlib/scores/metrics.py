"""Survey scores that are shares, with their base and their uncertainty: NPS, CSAT, would-recommend.

Every function returns one row per group with the count ``n``, the effective base ``n_eff`` (implied by
the linearised variance with weights, see :func:`cxlib.metrics.estimate`; n without),
the score, its standard error and confidence interval, and a ``small_base`` flag. Groups whose
responses are all missing are kept with ``n = 0``, ``small_base = True``, a blank (NaN) score and a
``note`` saying why: a blank is never a score. With ``suppress=True`` the scores of every small base
are blanked the same way. The maths runs on group sums (:mod:`cxlib.scores._sums`): one ``groupby().sum()`` on a
DataFrame, one ``GROUP BY`` query on an Ibis table (DuckDB, PostgreSQL, Spark), the same numbers either way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import by_list, check_choice, check_confidence
from ..metrics import estimate, finish_interval, get_metric, resolve_variance
from ._sums import finish, score_sums, share_columns, table_scale, y_sums

__all__ = ["csat", "csat_from_sums", "nps", "nps_from_sums", "recommend", "recommend_from_sums", "share_from_sums"]


def nps(data, *, score="nps", by=None, weight=None, ci_method="adjusted_wald", confidence=0.95, min_n=30,
        suppress=False, scale=(0, 10), variance=None) -> pd.DataFrame:
    """Net Promoter Score per group: % promoters (9–10) minus % detractors (0–6), with its CI.

    Parameters
    ----------
    data : pandas.DataFrame or Ibis table
        A table on DuckDB, PostgreSQL, Spark, ... is summed where it lives (one query); the result is the
        same DataFrame.
    score : str
        Column of 0–10 answers (NaN = not answered).
    by : str or list of str, optional
        Group columns; rows with a missing group value are left out.
    weight : str, optional
        Survey weight column: shares are weighted; see ``variance`` for the standard error and base.
    ci_method : {"adjusted_wald", "wald"}
        Adjusted Wald (default; Rocks 2016) adds ¾ to promoters and detractors and 3 to n before
        computing the interval, so it does not collapse when every answer is alike (one response, or 30
        promoters, would give "+100 (95% CI +100 to +100)" by Wald); it is widened to include the
        score itself where the adjustment would move it past it (tiny bases). Wald uses the trinomial
        variance ``(p + d − (p − d)²) / n_eff``.
    confidence : float
        Confidence level of the interval.
    min_n : int
        Groups with ``n_eff < min_n`` are flagged ``small_base``.
    suppress : bool
        Blank (NaN) the score columns of small bases instead of only flagging them.
    scale : Scale or tuple
        Must be 0–10 (the NPS definition); answers off it raise ``DataError``.
    variance : {"linearized", "kish"}, optional
        Default: "linearized" with ``weight``, else "kish" (the classic unweighted formulas). Linearised:
        the Taylor variance of the weighted ratio, as R ``survey``'s ``svymean`` gives it, and ``n_eff`` the
        base it implies (``σ² / se²``); Kish: ``σ² / n_eff`` with ``n_eff = (Σw)² / Σw²``. See
        :func:`cxlib.metrics.estimate`.

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, ``n`` (answers), ``n_eff`` (the effective base of the
        interval, see ``variance``; equals n without weights), ``promoters``, ``passives``, ``detractors`` (unweighted counts),
        ``pct_promoters``, ``pct_passives``, ``pct_detractors`` (weighted %, 0–100), ``nps``
        (−100..100), ``se`` (in NPS points), ``ci_low``, ``ci_high``, ``small_base`` (bool) and
        ``note`` (why a score is flagged or blank, or that every answer fell in one category; empty
        otherwise). Groups with no answers have ``n = 0``, blank scores and a note.

    Raises
    ------
    DataError
        A missing column, no rows, or answers that are not whole numbers 0–10.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"nps": [10, 9, 8, 7, 3, 10], "g": list("aaabbb")})
    >>> nps(df, by="g", min_n=2)[["g", "n", "nps", "small_base"]]
       g  n        nps  small_base
    0  a  3  66.666667       False
    1  b  3   0.000000       False
    """
    check_choice(ci_method, get_metric("nps").methods(), param="ci_method", func="nps")
    confidence, by = check_confidence(confidence, func="nps"), by_list(by)
    s = score_sums(data, "nps", score=score, by=by, weight=weight, scale=table_scale("nps", scale))
    return nps_from_sums(s, by, confidence=confidence, min_n=min_n, suppress=suppress, ci_method=ci_method,
                         variance=resolve_variance(variance, bool(weight)))


def nps_from_sums(s: pd.DataFrame, by: list[str], *, confidence=0.95, min_n=30, suppress=False, ci_method=None,
                  scale=None, metric="nps", variance="kish") -> pd.DataFrame:
    """The :func:`nps` table from its group sums (:func:`cxlib.scores._sums.score_sums`): any net score of
    the registry (% of its first count minus % of its last), its interval from :func:`cxlib.metrics.finish_interval`."""
    m = get_metric(metric)
    top, middle, bottom = m.counts
    s = s.copy()
    swy, swyy, sw2y, sw2yy = y_sums(s, metric)   # of the +1/0/−1 values
    e = estimate("net", n=s["n"], sw=s["sw"], sw2=s["sw2"], swy=swy, swyy=swyy, sw2y=sw2y, sw2yy=sw2yy,
                 variance=variance)
    with np.errstate(invalid="ignore", divide="ignore"):
        p, d = s[f"sw_{top}"] / s["sw"], s[f"sw_{bottom}"] / s["sw"]
    s[f"pct_{top}"], s[f"pct_{bottom}"] = 100 * p, 100 * d
    s[f"pct_{middle}"] = 100 - s[f"pct_{top}"] - s[f"pct_{bottom}"]
    s[metric], s["se"], s["n_eff"] = 100 * e["mean"], 100 * e["se"], e["n_eff"]
    s["ci_low"], s["ci_high"] = finish_interval(m, value=s[metric], se=s["se"], n_eff=e["n_eff"],
                                                confidence=confidence, shares=(p, d), ci_method=ci_method)
    out = finish(s, by, m.counts, m.value_columns, min_n, suppress)
    alike = (out["n"] > 1) & out[m.counts].eq(out["n"], axis=0).any(axis=1)
    out.loc[alike, "note"] = (out["note"] + "; all " + out["n"].astype(str) + " answers in one category").str.lstrip("; ")
    return out


def csat(data, *, score="csat", scale=None, top_k=None, by=None, weight=None, confidence=0.95, min_n=30,
         suppress=False, variance=None) -> pd.DataFrame:
    """CSAT per group: the top-``top_k``-box share (%) with a proportion CI, and the mean answer.

    Parameters
    ----------
    data : pandas.DataFrame
    score : str
        Column of answers on ``scale`` (NaN = not answered).
    scale : Scale or tuple, optional
        The answer scale and its direction (pass ``cfg.scales["csat"]``); default 1–5, higher better.
    top_k : int, optional
        How many of the best scale points count as satisfied (the direction comes from the scale);
        default the scale's ``top_k`` (2).
    by, weight, confidence, min_n, suppress, variance
        As in :func:`nps`. The interval is Wilson's score interval; with weights it uses the weighted
        share and ``n_eff``.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``n``, ``n_eff``, ``top_box`` (unweighted count satisfied), ``csat``
        (weighted % satisfied, 0–100), ``se`` (% points), ``ci_low``, ``ci_high`` (%), ``mean``
        (weighted mean answer), ``small_base`` and ``note``.

    Examples
    --------
    >>> import pandas as pd
    >>> csat(pd.DataFrame({"csat": [5, 4, 4, 2, 1]}), scale=(1, 5), min_n=1).round(1)[["n", "csat", "ci_low", "ci_high", "mean"]]
       n  csat  ci_low  ci_high  mean
    0  5  60.0    23.1     88.2   3.2
    """
    scale, confidence, by = table_scale("csat", scale), check_confidence(confidence, func="csat"), by_list(by)
    s = score_sums(data, "csat", score=score, by=by, weight=weight, scale=scale, top_k=top_k)
    return csat_from_sums(s, by, confidence=confidence, min_n=min_n, suppress=suppress, scale=scale,
                          variance=resolve_variance(variance, bool(weight)))


def share_from_sums(s: pd.DataFrame, by: list[str], *, scale, confidence=0.95, min_n=30, suppress=False,
                    ci_method=None, metric="csat", variance="kish") -> pd.DataFrame:
    """The table of any share score of the registry (CSAT, would-recommend, a registered top-box share)
    from its group sums: the share of its count, Wilson interval, and the mean answer on a numeric scale."""
    m = get_metric(metric)
    s = s.copy()
    share_columns(s, metric, f"sw_{m.counts[0]}", confidence, variance)
    cols = [metric, "se", "ci_low", "ci_high"]
    if scale is not None and scale.max - scale.min > 1:     # a yes/no answer has no mean worth showing
        with np.errstate(invalid="ignore", divide="ignore"):
            s["mean"] = (scale.min + scale.max) / 2 + s["swx"] / s["sw"]
        cols.append("mean")
    return finish(s, by, m.counts, cols, min_n, suppress)


def csat_from_sums(s: pd.DataFrame, by: list[str], *, scale, confidence=0.95, min_n=30, suppress=False,
                   ci_method=None, variance="kish") -> pd.DataFrame:
    """The :func:`csat` table from its group sums."""
    return share_from_sums(s, by, scale=scale, confidence=confidence, min_n=min_n, suppress=suppress, metric="csat",
                           variance=variance)


def recommend(data, *, score="recommend", by=None, weight=None, confidence=0.95, min_n=30,
              suppress=False, variance=None) -> pd.DataFrame:
    """Would-recommend per group: the share answering yes (%), with a Wilson interval.

    Parameters
    ----------
    data : pandas.DataFrame
    score : str
        Column of yes/no answers: boolean, or 1/0 (NaN = not answered). The loader turns yes/no and
        true/false into booleans.
    by, weight, confidence, min_n, suppress, variance
        As in :func:`nps`. With weights the share is weighted and the interval uses ``n_eff``.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``n``, ``n_eff``, ``yes`` (unweighted count), ``recommend`` (weighted % yes,
        0–100), ``se`` (% points), ``ci_low``, ``ci_high`` (Wilson, %), ``small_base`` and ``note``.

    Examples
    --------
    >>> import pandas as pd
    >>> recommend(pd.DataFrame({"recommend": [True, True, False, None, True]}), min_n=1).round(1)[["n", "yes", "recommend", "ci_low", "ci_high"]]
       n  yes  recommend  ci_low  ci_high
    0  4    3       75.0    30.1     95.4
    """
    confidence, by = check_confidence(confidence, func="recommend"), by_list(by)
    s = score_sums(data, "recommend", score=score, by=by, weight=weight, scale=table_scale("recommend", None))
    return recommend_from_sums(s, by, confidence=confidence, min_n=min_n, suppress=suppress,
                               variance=resolve_variance(variance, bool(weight)))


def recommend_from_sums(s: pd.DataFrame, by: list[str], *, confidence=0.95, min_n=30, suppress=False, scale=None,
                        ci_method=None, variance="kish") -> pd.DataFrame:
    """The :func:`recommend` table from its group sums."""
    return share_from_sums(s, by, scale=None, confidence=confidence, min_n=min_n, suppress=suppress,
                           metric="recommend", variance=variance)
