"""The statistics every package shares, written once: intervals, tests, multiplicity, effective bases,
model formulas.

Vectorised over NumPy arrays (or pandas Series) so that a whole table of groups is handled in one call.
Intervals and tests follow the textbook forms, on ``scipy.special``'s distribution functions (light to
import: the report pays for every import in every run). The Wilson interval and the multiplicity
adjustments are written here and checked against statsmodels in ``tests/test_stats.py``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from scipy import special

__all__ = ["adjust_p", "formula", "kish", "mean_ci", "quote", "t_crit", "t_interval", "t_test", "term_label", "term_parts",
           "welch", "welch_moments", "wilson", "z_crit", "z_test"]

_ADJUST = ("holm", "bh", "bonferroni", "none")


def z_crit(confidence: float) -> float:
    """Two-sided normal critical value: 1.96 for 0.95.

    Examples
    --------
    >>> round(z_crit(0.95), 4)
    1.96
    """
    return float(special.ndtri(0.5 + confidence / 2))


def t_crit(confidence: float, df):
    """Two-sided Student t critical values for degrees of freedom ``df`` (NaN where ``df`` <= 0 or missing).

    Examples
    --------
    >>> np.round(t_crit(0.95, np.array([4.0, 0.0])), 3).tolist()
    [2.776, nan]
    """
    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        out = special.stdtrit(np.where(df > 0, df, np.nan), 0.5 + confidence / 2)
    return out if np.ndim(out) else float(out)


def kish(sw, sw2):
    """Kish's effective base ``(Σw)² / Σw²`` from the sums of weights and squared weights (0 where Σw² = 0).

    Examples
    --------
    >>> float(kish(np.array(4.0), np.array(4.0))), float(kish(np.array(4.0), np.array(8.0)))
    (4.0, 2.0)
    """
    sw, sw2 = np.asarray(sw, dtype=float), np.asarray(sw2, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sw2 > 0, sw * sw / np.where(sw2 > 0, sw2, 1.0), 0.0)


def wilson(k, n, confidence: float):
    """Wilson score interval of the proportion ``k / n``, NaN where ``n`` <= 0.

    ``k`` and ``n`` may be fractional (a weighted share times Kish's effective base). The closed form
    (Wilson 1927) is written here; ``tests/test_stats.py`` checks it against statsmodels'
    ``proportion_confint(method="wilson")``, whose import alone costs half a second.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Lower and upper bounds, as proportions.

    Examples
    --------
    >>> lo, hi = wilson(np.array([3.0]), np.array([5.0]), 0.95)      # Wilson (1927): 0.231 to 0.882
    >>> round(float(lo[0]), 3), round(float(hi[0]), 3)
    (0.231, 0.882)
    """
    k, n = np.atleast_1d(np.asarray(k, dtype=float)), np.atleast_1d(np.asarray(n, dtype=float))
    z = z_crit(confidence)
    ok = n > 0
    nn = np.where(ok, n, 1.0)
    p = np.where(ok, k / nn, np.nan)
    denom = 1 + z * z / nn
    centre = (p + z * z / (2 * nn)) / denom
    half = z * np.sqrt(np.clip(p * (1 - p), 0, None) / nn + z * z / (4 * nn * nn)) / denom
    # floating error can leave a bound a hair on the wrong side of the estimate at p = 0 or 1
    return np.clip(np.fmin(centre - half, p), 0, 1), np.clip(np.fmax(centre + half, p), 0, 1)


def t_interval(mean, se, df, confidence: float):
    """``mean ± t(df) × se``; NaN where ``df`` < 1.

    Examples
    --------
    >>> lo, hi = t_interval(5.0, 1.0, 4, 0.95)
    >>> round(float(lo), 3), round(float(hi), 3)
    (2.224, 7.776)
    """
    half = t_crit(confidence, df) * np.asarray(se, dtype=float)
    return np.asarray(mean) - half, np.asarray(mean) + half


def mean_ci(x, confidence: float) -> tuple[float, float, float, float]:
    """Mean, standard error and t interval of the non-missing values of ``x``.

    Returns
    -------
    (mean, se, ci_low, ci_high)
        NaN interval with fewer than two values.

    Examples
    --------
    >>> [round(v, 3) for v in mean_ci([7, 6, 5, 3, 4], 0.95)]
    [5.0, 0.707, 3.037, 6.963]
    """
    v = pd.Series(x, dtype="float64").dropna().to_numpy()
    if len(v) == 0:
        return (np.nan,) * 4
    mean = float(v.mean())
    if len(v) < 2:
        return mean, np.nan, np.nan, np.nan
    se = float(v.std(ddof=1) / np.sqrt(len(v)))
    lo, hi = t_interval(mean, se, len(v) - 1, confidence)
    return mean, se, float(lo), float(hi)


def welch_moments(mean1, var1, n1, mean2, var2, n2, confidence: float) -> dict:
    """Welch's comparison of two means from their moments: ``mean1 − mean2`` with interval and p-value.

    Vectorised. ``var`` is each side's sample variance and ``n`` its (effective) base; the
    Welch–Satterthwaite degrees of freedom use ``n − 1`` per side. NaN where a side has n < 2 or the
    standard error is 0.

    Returns
    -------
    dict
        ``diff``, ``se``, ``df``, ``ci_low``, ``ci_high``, ``p_value`` (two-sided).

    Examples
    --------
    >>> r = welch_moments(4.5, 0.25, 3, 3.5, 0.25, 3, 0.95)     # welch()'s example, from its moments
    >>> round(float(r["df"]), 1), round(float(r["p_value"]), 4)
    (4.0, 0.0705)
    """
    m1, v1, n1, m2, v2, n2 = (np.asarray(x, dtype=float) for x in (mean1, var1, n1, mean2, var2, n2))
    ok = (n1 >= 2) & (n2 >= 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        a, b = np.where(ok, v1 / n1, np.nan), np.where(ok, v2 / n2, np.nan)
        se = np.sqrt(a + b)
        df = (a + b) ** 2 / (a ** 2 / (n1 - 1) + b ** 2 / (n2 - 1))
    diff = m1 - m2
    _, p = t_test(diff, se, df)
    lo, hi = t_interval(diff, np.where(se > 0, se, np.nan), df, confidence)
    return {"diff": diff, "se": np.where(se > 0, se, np.nan), "df": np.where(se > 0, df, np.nan),
            "ci_low": lo, "ci_high": hi, "p_value": p}


def welch(a, b, confidence: float) -> dict:
    """Welch's two-sample comparison of means: ``mean(a) − mean(b)`` with its interval and p-value.

    Returns
    -------
    dict
        ``diff``, ``se``, ``df`` (Welch–Satterthwaite), ``ci_low``, ``ci_high``, ``p_value`` (two-sided);
        everything but ``diff`` is NaN when a side has fewer than two values or neither side varies.

    Examples
    --------
    >>> r = welch([5.0, 4.0, 4.5], [3.0, 4.0, 3.5], 0.95)     # by hand: se = 0.408, df = 4, t = 2.776
    >>> round(r["diff"], 2), round(r["ci_low"], 2), round(r["ci_high"], 2), round(r["p_value"], 4)
    (1.0, -0.13, 2.13, 0.0705)
    """
    a = pd.Series(a, dtype="float64").dropna().to_numpy()
    b = pd.Series(b, dtype="float64").dropna().to_numpy()
    diff = float(a.mean() - b.mean()) if len(a) and len(b) else np.nan
    var = [x.var(ddof=1) if len(x) >= 2 else np.nan for x in (a, b)]
    r = welch_moments(a.mean() if len(a) else np.nan, var[0], len(a), b.mean() if len(b) else np.nan, var[1],
                      len(b), confidence)
    return {k: diff if k == "diff" else float(v) for k, v in r.items()}


def z_test(diff, se):
    """Two-sided z test of ``diff / se``: returns ``(z, p_value)``, NaN where ``se`` <= 0 or missing.

    Examples
    --------
    >>> z, p = z_test(np.array([50.0]), np.array([18.54]))
    >>> round(float(z[0]), 2), round(float(p[0]), 4)
    (2.7, 0.007)
    """
    diff, se = np.asarray(diff, dtype=float), np.asarray(se, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(se > 0, diff / np.where(se > 0, se, 1.0), np.nan)
    return z, 2 * special.ndtr(-np.abs(z))


def t_test(diff, se, df):
    """Two-sided Student t test of ``diff / se`` on ``df`` degrees of freedom: returns ``(t, p_value)``.

    NaN where ``se`` <= 0 or ``df`` <= 0 (or either is missing). Welch's test from group summaries passes
    the Welch–Satterthwaite ``df``.

    Examples
    --------
    >>> t, p = t_test(np.array([1.0]), np.array([0.408248]), np.array([4.0]))   # welch()'s example
    >>> round(float(t[0]), 3), round(float(p[0]), 4)
    (2.449, 0.0705)
    """
    diff, se, df = (np.asarray(v, dtype=float) for v in (diff, se, df))
    ok = (se > 0) & (df > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(ok, diff / np.where(ok, se, 1.0), np.nan)
        p = 2 * special.stdtr(np.where(ok, df, 1.0), -np.abs(t))
    return t, np.where(ok, p, np.nan)


def adjust_p(p_values, *, method: str = "holm"):
    """Multiplicity-adjusted p-values; NaN entries are left out of the family and stay NaN.

    Holm's step-down (family-wise error rate), Benjamini–Hochberg (false discovery rate) and Bonferroni
    are a few lines each, written here rather than called from ``statsmodels.stats.multitest``, whose
    ``multipletests`` runs ``gc.collect()`` on every call (80 ms each, measured: most of the report's
    change tables); ``tests/test_stats.py`` checks them against statsmodels.

    Parameters
    ----------
    p_values : array-like
    method : {"holm", "bh", "bonferroni", "none"}

    Examples
    --------
    >>> adjust_p([0.01, 0.04, np.nan, 0.03]).round(2).tolist()     # Holm: 3 x 0.01, 2 x 0.03, max(0.06, 0.04)
    [0.03, 0.06, nan, 0.06]
    """
    p = np.asarray(p_values, dtype=float).copy()
    if method not in _ADJUST:
        raise ValueError(f"The 'adjust' parameter must be one of {sorted(_ADJUST)}. Got {method!r} instead.")
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if method == "none" or m == 0:
        return p
    vals = p[ok]
    order = np.argsort(vals, kind="stable")
    ranked = vals[order]
    if method == "holm":
        adj = np.maximum.accumulate(ranked * (m - np.arange(m)))
    elif method == "bh":
        adj = np.minimum.accumulate((ranked * m / np.arange(1, m + 1))[::-1])[::-1]
    else:
        adj = ranked * m
    out = np.empty(m)
    out[order] = np.minimum(adj, 1.0)
    p[ok] = out
    return p


def quote(name: str) -> str:
    """A column name as a patsy term that survives spaces, dashes and quotes: ``Q('sales-region')``.

    Examples
    --------
    >>> quote("sales-region")
    "Q('sales-region')"
    """
    return f"Q({str(name)!r})"


def formula(outcome: str, numeric=(), categorical=None) -> str:
    """A statsmodels/patsy formula with every name quoted.

    Parameters
    ----------
    outcome : str
    numeric : sequence of str
        Columns entered linearly.
    categorical : dict or sequence, optional
        Columns entered as dummies: a mapping ``name -> reference level`` (None for patsy's default,
        the first level in sorted order) or a list of names.

    Examples
    --------
    >>> formula("y", ["handoffs"], {"sales-region": "EMEA"})
    "Q('y') ~ Q('handoffs') + C(Q('sales-region'), Treatment(reference='EMEA'))"
    """
    terms = [quote(n) for n in numeric]
    cats = categorical if isinstance(categorical, dict) else dict.fromkeys(categorical or ())
    for name, ref in cats.items():
        terms.append(f"C({quote(name)})" if ref is None else f"C({quote(name)}, Treatment(reference={ref!r}))")
    return f"{quote(outcome)} ~ " + (" + ".join(terms) if terms else "1")


_TERM = re.compile(r"""C\(Q\((?P<q>['"])(?P<cat>.*?)(?P=q)\)(?:, Treatment\(reference=.*?\))?\)\[T\.(?P<level>.*)\]""")
_NUMERIC = re.compile(r"""Q\((?P<q>['"])(?P<name>.*?)(?P=q)\)""")


def term_label(term: str) -> str:
    """A readable label for a patsy term built by :func:`formula`: ``plan[Pro]``, ``handoffs``.

    Examples
    --------
    >>> term_label("C(Q('sales-region'), Treatment(reference='EMEA'))[T.APAC]"), term_label("Q('handoffs')")
    ('sales-region[APAC]', 'handoffs')
    """
    m = _TERM.fullmatch(term)
    if m:
        return f"{m['cat']}[{m['level']}]"
    m = _NUMERIC.fullmatch(term)
    return m["name"] if m else term


def term_parts(term: str) -> tuple[str, str | None]:
    """A patsy column built by :func:`formula` as (column, level): ``("plan", "Pro")`` for a dummy,
    ``("handoffs", None)`` for a numeric column, ``("", None)`` for anything else (the intercept).

    Examples
    --------
    >>> term_parts("C(Q('plan'), Treatment(reference='Basic'))[T.Pro]"), term_parts("Q('handoffs')")
    (('plan', 'Pro'), ('handoffs', None))
    """
    m = _TERM.fullmatch(term)
    if m:
        return m["cat"], m["level"]
    m = _NUMERIC.fullmatch(term)
    return (m["name"], None) if m else ("", None)
