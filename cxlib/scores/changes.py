"""What changed for real: scores over time, between groups and between months, with significance.

Built on :mod:`cxlib.scores.metrics`. Every difference comes with its standard error, a normal-approximation
z test and a confidence interval; a family of comparisons is Holm-adjusted. Comparisons where either
side has a base below ``min_n`` are *not tested* (``tested = False``, blank p-values, a ``note``) and are
never called significant. Calendar-month seasonality is in :mod:`cxlib.scores.seasonal`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import by_list, check_confidence
from .._stats import adjust_p, z_crit, z_test
from ..errors import DataError, ParameterError
from ._window import _check_dates, _combined_sums, _months, _span
from .registry import add_sums, metric_sums, table_from_sums

__all__ = ["compare", "holm_significance", "trend", "what_changed"]

_OUT = ["value", "n", "n_eff", "baseline_value", "n_baseline", "n_eff_baseline", "diff", "se", "z",
        "ci_low", "ci_high", "p_value", "p_adjusted", "significant", "tested", "note"]


def _side(sums: pd.DataFrame, metric: str, by: list[str], finish: dict) -> pd.DataFrame:
    t = table_from_sums(sums, metric=metric, by=by, **finish)
    return t[by + ["n", "n_eff", metric, "se"]].rename(columns={metric: "value"})


def _test(t: pd.DataFrame, min_n: int, confidence: float) -> pd.DataFrame:
    """Difference value − baseline_value with se, z, p and CI; flag what cannot be tested."""
    t = t.copy()
    for c in ("n", "n_baseline"):
        t[c] = t[c].fillna(0).astype("int64")
    for c in ("n_eff", "n_eff_baseline"):
        t[c] = t[c].fillna(0.0)
    t["diff"] = t["value"] - t["baseline_value"]
    t["se"] = np.sqrt(t["se_value"] ** 2 + t["se_baseline"] ** 2)
    small = (t["n_eff"] < min_n) | (t["n_eff_baseline"] < min_n)
    t["tested"] = ~small & t["diff"].notna() & (t["se"] > 0)
    z, p = z_test(t["diff"], t["se"])
    t["z"], t["p_value"] = np.where(t["tested"], z, np.nan), np.where(t["tested"], p, np.nan)
    half = z_crit(confidence) * t["se"]
    t["ci_low"], t["ci_high"] = t["diff"] - half, t["diff"] + half
    base = ("not tested: base below " + str(min_n) + " (n_eff " + t["n_eff"].round().astype("int64").astype("str")
            + " vs " + t["n_eff_baseline"].round().astype("int64").astype("str") + ")")
    note = np.where(t["tested"], "", np.where(small, base, "not tested: no variation in either group"))
    t["note"] = pd.Series(note, index=t.index, dtype="str")
    return t


def holm_significance(table: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Add ``p_adjusted`` (Holm over the rows with ``tested``) and ``significant`` to a table of tests.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows with ``p_value`` and ``tested`` columns: one family of comparisons.
    alpha : float
        Family-wise error rate.

    Returns
    -------
    pandas.DataFrame
        A copy with ``p_adjusted`` (NaN where not tested) and ``significant`` (bool).

    Examples
    --------
    >>> t = pd.DataFrame({"p_value": [0.01, 0.04, 0.5], "tested": [True, True, False]})
    >>> holm_significance(t)[["p_adjusted", "significant"]].values.tolist()
    [[0.02, True], [0.04, True], [nan, False]]
    """
    t = table.copy()
    tested = t["tested"].fillna(False).to_numpy(dtype=bool)
    t["p_adjusted"] = adjust_p(np.where(tested, t["p_value"], np.nan), method="holm")
    t["significant"] = tested & (t["p_adjusted"] < alpha)
    return t


def _pair(current, baseline, by: list[str]) -> pd.DataFrame:
    right = baseline.rename(columns={"value": "baseline_value", "n": "n_baseline", "n_eff": "n_eff_baseline",
                                     "se": "se_baseline"})
    left = current.rename(columns={"se": "se_value"})
    if not by:
        return pd.concat([left, right], axis=1)
    return left.merge(right, on=by, how="outer", sort=True)


def _month_pairs(data, *, metric, by, month, baseline, date_col, min_n, confidence, kw) -> pd.DataFrame:
    """The month against its baseline months for every group: one summing pass over the months involved (the
    data's first and last date are read only to say why a side is empty)."""
    _check_dates(data, date_col)
    current, base, window = _months(month, baseline, date_col)
    sums, finish = metric_sums(data, metric=metric, by=by, period=(date_col, "M"), window=window,
                               date_col=date_col, min_n=min_n, confidence=confidence, **kw)
    sides = []
    for side in ([current], base):
        rows = sums.loc[sums["period"].astype("str").isin(side)]
        if rows.empty:
            first, last = _span(data, date_col)
            raise DataError(f"no responses in {', '.join(side)} (column {date_col!r}); the data run from "
                            f"{first:%Y-%m-%d} to {last:%Y-%m-%d}")
        sides.append(_side(add_sums(rows, metric=metric, by=by), metric, by, finish))
    t = _test(_pair(*sides, by), min_n, confidence)
    t.insert(len(by), "month", current)
    t.insert(len(by) + 1, "baseline", ",".join(base))
    return t


def compare(data, *, metric="nps", by=None, reference=None, month=None, baseline="previous",
            date_col="responded_at", min_n=30, confidence=0.95, alpha=0.05, sums=None,
            **metric_kwargs) -> pd.DataFrame:
    """Differences between groups, or between a month and its baseline, with Holm-adjusted significance.

    Parameters
    ----------
    data : pandas.DataFrame or Ibis table
    metric : {"nps", "csat", "ces", "rating", "recommend"}
    by : str or list of str, optional
        Group columns. Without ``month`` they define the groups compared; with it, each group is
        compared with itself in the baseline months (without ``by``: the whole data set).
    reference : str, optional
        Without ``month``: the group every other group is compared with (default: each group against
        all the other groups pooled, "rest").
    month : str, optional
        The month "YYYY-MM" to compare with ``baseline``.
    baseline : str
        With ``month``: "previous" (the month before), "previous_3" (the three months before, pooled:
        a steadier baseline; any "previous_k" works), "year_ago" (same month last year) or a month.
    date_col : str
    min_n : int
        Comparisons where either side has ``n_eff < min_n`` are not tested.
    confidence, alpha : float
        Confidence level of the intervals; family-wise error rate of the Holm adjustment.
    sums : pandas.DataFrame, optional
        With ``month`` and without ``by``: the metric's month sums of ``data`` made with the same arguments
        (:func:`cxlib.scores.month_sums`), read instead of summing ``data`` again.
    **metric_kwargs
        Passed to the metric function (``score``, ``scale``, ``top_k``, ``weight``, ``ci_method``).

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns; with ``month``, ``month`` and ``baseline`` (the baseline
        months, comma-separated), else ``reference`` (the reference group or "rest"); ``value``, ``n``,
        ``n_eff`` and ``baseline_value``, ``n_baseline``, ``n_eff_baseline`` (the score and bases on
        each side); ``diff`` (value − baseline_value), ``se``, ``z``, ``ci_low``, ``ci_high`` (of the
        diff), ``p_value`` (two-sided, normal approximation), ``p_adjusted`` (Holm, across the tested
        rows of this call), ``significant`` (p_adjusted < alpha), ``tested`` and ``note``.

    Examples
    --------
    >>> df = pd.DataFrame({"nps": [10] * 30 + [5] * 10 + [10] * 10 + [0] * 30, "g": ["a"] * 40 + ["b"] * 40})
    >>> compare(df, by="g", reference="b")[["g", "reference", "value", "baseline_value", "diff", "significant"]]
       g reference  value  baseline_value   diff  significant
    0  a         b   50.0           -50.0  100.0         True
    """
    by = by_list(by)
    confidence = check_confidence(confidence, func="compare")
    kw = dict(metric_kwargs)
    if sums is not None and (month is None or by):
        raise ParameterError("compare reads sums= only for a month against its baseline without by=")
    if month is not None:
        kw["sums"] = sums
        t = _month_pairs(data, metric=metric, by=by, month=month, baseline=baseline, date_col=date_col,
                         min_n=min_n, confidence=confidence, kw=kw)
        return holm_significance(t, alpha=alpha)[by + ["month", "baseline", *_OUT]]
    if not by:
        raise ParameterError("compare needs by= (groups to compare) or month= (a month against its baseline)")
    sums, finish = metric_sums(data, metric=metric, by=by, min_n=min_n, confidence=confidence, **kw)
    full = _side(sums, metric, by, finish)
    if reference is not None:
        if len(by) > 1:
            raise ParameterError(f"reference= names one group, so it needs a single by column; got by={by}")
        key = full[by[0]].astype("str") == str(reference)
        if not key.any():
            raise DataError(f"reference {reference!r} is not a value of column {by[0]!r}; values are "
                            f"{full[by[0]].astype('str').tolist()[:10]}")
        base = full.loc[key].drop(columns=by)
        rows = full.loc[~key].reset_index(drop=True)
        t = _pair(rows, pd.concat([base] * len(rows), ignore_index=True), [])
        t.insert(len(by), "reference", str(reference))
    else:
        cols = [c for c in sums.columns if c not in by]
        rest = sums[cols].sum() - sums[cols]     # every other group pooled: the total less the group
        t = _pair(full, _side(rest.astype(sums[cols].dtypes.to_dict()), metric, [], finish), [])
        t.insert(len(by), "reference", "rest")
    t = _test(t, min_n, confidence)
    return holm_significance(t, alpha=alpha)[by + ["reference", *_OUT]]


def trend(data, *, metric="nps", freq="M", by=None, date_col="responded_at", min_n=30, sums=None, **metric_kwargs):
    """The metric per period (and group) with its CI, for charts; empty periods are kept and flagged.

    Parameters
    ----------
    data : pandas.DataFrame or Ibis table
    metric, freq, by, date_col, min_n, **metric_kwargs
        As in :func:`compare`; ``freq``: the period ("M" months, "Q", "W", "Y").
    sums : pandas.DataFrame, optional
        Without ``by``: the metric's sums of ``data`` per ``freq`` period made with the same arguments
        (:func:`cxlib.scores.month_sums`), read instead of summing ``data`` again.

    Returns
    -------
    pandas.DataFrame
        ``period`` (pandas Period of ``freq``), the ``by`` columns, then every column of the metric's
        table (see :func:`cxlib.scores.nps`, ``csat``, ``ces``). A period inside the data's range
        with no responses in a group appears with ``n = 0``, blank scores and a note.

    Examples
    --------
    >>> df = pd.DataFrame({"responded_at": pd.to_datetime(["2026-01-05", "2026-03-02"]), "nps": [10, 0]})
    >>> trend(df, min_n=1)[["period", "n", "nps", "note"]]
        period  n    nps                      note
    0  2026-01  1  100.0
    1  2026-02  0    NaN  no responses in this period
    2  2026-03  1 -100.0
    """
    by = by_list(by)
    _check_dates(data, date_col)
    if sums is not None and by:
        raise ParameterError("trend reads sums= only without by=")
    sums, finish = metric_sums(data, metric=metric, by=by, period=(date_col, freq), date_col=date_col, min_n=min_n,
                               sums=sums, **metric_kwargs)
    # every dated row has its period in the sums (a period without answers has n = 0), so without groups the
    # sums span the data's periods; with groups (rows of a missing group are not in them) one query says
    first, last = (sums["period"].min().start_time, sums["period"].max().start_time) if not by and len(sums) \
        else _span(data, date_col)
    t = table_from_sums(sums, metric=metric, by=["period", *by], **finish)
    full = pd.DataFrame({"period": pd.period_range(first.to_period(freq), last.to_period(freq), freq=freq)})
    if by:
        full = full.merge(t[by].drop_duplicates(), how="cross")
    out = full.merge(t, on=["period", *by], how="left", sort=False)
    gap = out["n"].isna()
    counts = [c for c in ("n", "promoters", "passives", "detractors", "top_box", "low_effort") if c in out]
    out[counts] = out[counts].fillna(0).astype("int64")
    out["n_eff"] = out["n_eff"].fillna(0.0)
    out["small_base"] = out["small_base"].astype("boolean").fillna(True).astype(bool)
    out.loc[gap, "note"] = "no responses in this period"
    return out.sort_values(["period", *by], kind="stable").reset_index(drop=True)


def what_changed(data, *, month, by, cells=(), journey=None, metric="nps", baseline="previous", min_n=30,
                 alpha=0.05, confidence=0.95, date_col="responded_at", **metric_kwargs) -> pd.DataFrame:
    """Every segment (and segment cell) this month against its baseline, Holm-adjusted as one family.

    Parameters
    ----------
    data : pandas.DataFrame
    month : str
        The report month "YYYY-MM".
    by : sequence of str
        Segment columns cut one at a time (e.g. ``cfg.segments``).
    cells : sequence of tuples of str
        Crossed cuts (e.g. ``[("region", "touchpoint")]``).
    journey : str, optional
        The journey-stage segment (``cfg.report["journey"]``): adds the cell of the first other segment
        of ``by`` × ``journey`` (region × touchpoint in the sample) to ``cells``.
    metric, baseline, min_n, alpha, confidence, date_col, **metric_kwargs
        As in :func:`compare`.

    Returns
    -------
    pandas.DataFrame
        One row per segment value, ordered by dimension then segment: ``dimension`` ("region" or
        "region × touchpoint"), ``segment`` ("EMEA" or "EMEA × support"), ``month``, ``baseline`` (the
        baseline months, comma-separated), ``current``, ``previous`` (the scores), ``diff``, ``se``,
        ``z``, ``ci_low``, ``ci_high`` (of the diff), ``p_value``, ``p_adjusted`` (Holm over every tested
        row of the table), ``significant``, ``tested``, ``n_current``, ``n_previous`` and ``note``.

    Examples
    --------
    >>> from cxlib.data import load_responses
    >>> t = what_changed(load_responses(), month="2026-10", by=["region", "touchpoint"], journey="touchpoint")
    >>> t.set_index("segment").loc[["EMEA × support", "APAC × billing"], "significant"].tolist()
    [True, False]
    """
    by = by_list(by)
    crossed = [list(c) for c in cells] + [[s, journey] for s in by if journey and s != journey][:1]
    parts = [[d] for d in by] + [c for i, c in enumerate(crossed) if c not in crossed[:i]]
    if not parts:
        raise ParameterError("what_changed needs at least one segment column in by=")
    combined = _combined_sums(data, parts, metric=metric, month=month, baseline=baseline, date_col=date_col,
                              kw=metric_kwargs)
    tables = []
    for cols in parts:
        own = {} if combined is None else {"sums": add_sums(combined, metric=metric, by=["period", *cols])}
        t = _month_pairs(data, metric=metric, by=cols, month=month, baseline=baseline, date_col=date_col,
                         min_n=min_n, confidence=confidence, kw={**metric_kwargs, **own})
        seg = t[cols].astype("str").agg(" × ".join, axis=1) if len(cols) > 1 else t[cols[0]].astype("str")
        tables.append(t.drop(columns=cols).assign(dimension=" × ".join(cols), segment=seg))
    t = holm_significance(pd.concat(tables, ignore_index=True), alpha=alpha)
    t = t.rename(columns={"value": "current", "baseline_value": "previous", "n": "n_current",
                          "n_baseline": "n_previous"})
    return t[["dimension", "segment", "month", "baseline", "current", "previous", "diff", "se", "z",
              "ci_low", "ci_high", "p_value", "p_adjusted", "significant", "tested", "n_current",
              "n_previous", "note"]]
