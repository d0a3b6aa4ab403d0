"""What changed for real: scores over time, between groups and between periods, with significance.

Built on :mod:`cxlib.metrics`. Every difference comes with its standard error, a normal-approximation
z test and a confidence interval; a family of comparisons is Holm-adjusted (statsmodels'
``multipletests``). Comparisons where either side has a base below ``min_n`` are *not tested*
(``tested = False``, blank p-values, a ``note``) and are never called significant. Calendar-month
seasonality is in :mod:`cxlib.seasonal`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from .config import DataError
from .metrics import _by_list, summarize

__all__ = ["compare", "trend", "what_changed", "summarize_changes"]

_NUM = ["value", "n", "n_eff"]


def _periods(data, date_col: str, freq: str = "M") -> pd.Series:
    if date_col not in data.columns:
        raise DataError(f"date column {date_col!r} not in data; columns are {list(data.columns)}")
    if not pd.api.types.is_datetime64_any_dtype(data[date_col]):
        raise DataError(f"column {date_col!r} must hold dates (datetime64), got {data[date_col].dtype}")
    return data[date_col].dt.to_period(freq)


def _month(period, name: str) -> pd.Period:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(period)):
        raise ValueError(f"{name} must look like 'YYYY-MM' (e.g. 2026-10), got {period!r}")
    return pd.Period(str(period), freq="M")


def _side(data, metric: str, by: list[str], kw: dict) -> pd.DataFrame:
    t = summarize(data, metric=metric, by=by, **kw)
    return t[by + ["n", "n_eff", metric, "se"]].rename(columns={metric: "value"})


def _test(t: pd.DataFrame, min_n: int, level: float) -> pd.DataFrame:
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
    with np.errstate(invalid="ignore", divide="ignore"):
        t["z"] = (t["diff"] / t["se"]).where(t["tested"])
    t["p_value"] = 2 * stats.norm.sf(np.abs(t["z"]))
    half = stats.norm.ppf(0.5 + level / 2) * t["se"]
    t["ci_low"], t["ci_high"] = t["diff"] - half, t["diff"] + half
    base = ("not tested: base below " + str(min_n) + " (n_eff " + t["n_eff"].round().astype("int64").astype("str")
            + " vs " + t["n_eff_baseline"].round().astype("int64").astype("str") + ")")
    note = np.where(t["tested"], "", np.where(small, base, "not tested: no variation in either group"))
    t["note"] = pd.Series(note, index=t.index, dtype="str")
    return t


def _holm(t: pd.DataFrame, alpha: float) -> pd.DataFrame:
    t = t.copy()
    t["p_adjusted"] = np.nan
    ok = t["tested"].to_numpy(dtype=bool)
    if ok.any():
        t.loc[ok, "p_adjusted"] = multipletests(t.loc[ok, "p_value"].to_numpy(), alpha=alpha, method="holm")[1]
    t["significant"] = t["tested"] & (t["p_adjusted"] < alpha)
    return t


def _pair(current, baseline, by: list[str]) -> pd.DataFrame:
    right = baseline.rename(columns={"value": "baseline_value", "n": "n_baseline", "n_eff": "n_eff_baseline",
                                     "se": "se_baseline"})
    left = current.rename(columns={"se": "se_value"})
    if not by:
        return pd.concat([left, right], axis=1)
    return left.merge(right, on=by, how="outer", sort=True)


_OUT = ["value", "n", "n_eff", "baseline_value", "n_baseline", "n_eff_baseline", "diff", "se", "z",
        "ci_low", "ci_high", "p_value", "p_adjusted", "significant", "tested", "note"]


def _period_pairs(data, *, metric, by, period, baseline, date_col, min_n, level, kw) -> pd.DataFrame:
    per = _periods(data, date_col)
    cur = _month(period, "period")
    trailing = re.fullmatch(r"previous_(\d+)", str(baseline))
    if baseline in (None, "previous"):
        base = [cur - 1]
    elif baseline == "year_ago":
        base = [cur - 12]
    elif trailing and int(trailing.group(1)) >= 1:
        base = [cur - k for k in range(int(trailing.group(1)), 0, -1)]
    else:
        base = [_month(baseline, "baseline (or 'previous', 'previous_3', 'year_ago')")]
    sides = []
    for months in ([cur], base):
        rows = data.loc[per.isin(months).to_numpy()]
        if len(rows) == 0:
            raise DataError(f"no responses in {', '.join(map(str, months))} (column {date_col!r}); the "
                            f"data run from {per.min()} to {per.max()}")
        sides.append(_side(rows, metric, by, {"min_n": min_n, "level": level, **kw}))
    label = str(base[0]) if len(base) == 1 else f"{base[0]}..{base[-1]}"
    t = _test(_pair(*sides, by), min_n, level)
    t.insert(len(by), "period", str(cur))
    t.insert(len(by) + 1, "baseline", label)
    return t


def compare(data, *, metric="nps", by=None, baseline=None, period=None, date_col="responded_at",
            min_n=30, level=0.95, alpha=0.05, **metric_kwargs) -> pd.DataFrame:
    """Differences between groups, or between two months, with Holm-adjusted significance.

    Parameters
    ----------
    data : pandas.DataFrame
    metric : {"nps", "csat", "ces"}
    by : str or list of str, optional
        Group columns. Without ``period`` they define the groups compared; with it, each group is
        compared with itself in the baseline month (without ``by``: the whole data set).
    baseline : str, optional
        Without ``period``: the group every other group is compared with (default: each group
        against all the other groups pooled, "rest"). With ``period``: "previous" (default, the
        month before), "previous_3" (the three months before, pooled: a steadier baseline; any
        "previous_k" works), "year_ago" (same month last year) or a month "YYYY-MM".
    period : str, optional
        The month "YYYY-MM" to compare with ``baseline``.
    date_col : str
    min_n : int
        Comparisons where either side has ``n_eff < min_n`` are not tested.
    level, alpha : float
        Confidence level of the intervals; family-wise error rate of the Holm adjustment.
    **metric_kwargs
        Passed to the metric function (``score``, ``scale``, ``top_k``, ``weight``, ``ci``).

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns; with ``period``, ``period`` (the month) and
        ``baseline`` (the baseline month or months), else ``baseline`` (the baseline group or "rest");
        ``value``, ``n``, ``n_eff`` and
        ``baseline_value``, ``n_baseline``, ``n_eff_baseline`` (the score and bases on each side);
        ``diff`` (value − baseline_value), ``se``, ``z``, ``ci_low``, ``ci_high`` (of the diff),
        ``p_value`` (two-sided, normal approximation), ``p_adjusted`` (Holm, across the tested rows of
        this call), ``significant`` (p_adjusted < alpha), ``tested`` and ``note``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"nps": [10] * 30 + [5] * 10 + [10] * 10 + [0] * 30, "g": ["a"] * 40 + ["b"] * 40})
    >>> compare(df, by="g", baseline="b")[["g", "baseline", "value", "baseline_value", "diff", "significant"]]
       g baseline  value  baseline_value   diff  significant
    0  a        b   50.0           -50.0  100.0         True
    """
    by = _by_list(by)
    kw = dict(metric_kwargs)
    if period is not None:
        t = _period_pairs(data, metric=metric, by=by, period=period, baseline=baseline,
                          date_col=date_col, min_n=min_n, level=level, kw=kw)
        return _holm(t, alpha)[by + ["period", "baseline", *_OUT]]
    if not by:
        raise ValueError("compare needs by= (groups to compare) or period= (months to compare)")
    full = _side(data, metric, by, {"min_n": min_n, "level": level, **kw})
    if baseline is not None:
        if len(by) > 1:
            raise ValueError(f"baseline= names one group, so it needs a single by column; got by={by}")
        key = full[by[0]].astype("str") == str(baseline)
        if not key.any():
            raise DataError(f"baseline {baseline!r} is not a value of column(s) {by}; values are "
                            f"{full[by[0]].astype('str').tolist()[:10]}")
        base = full.loc[key].drop(columns=by)
        rows = full.loc[~key].reset_index(drop=True)
        t = _pair(rows, pd.concat([base] * len(rows), ignore_index=True), [])
        t.insert(len(by), "baseline", str(baseline))
    else:
        codes = data.groupby(by, sort=True).ngroup().to_numpy()
        rest = [_side(data.loc[(codes != g) & (codes >= 0)], metric, [], {"min_n": min_n, "level": level, **kw})
                for g in range(len(full))]
        t = _pair(full, pd.concat(rest, ignore_index=True), [])
        t.insert(len(by), "baseline", "rest")
    t = _test(t, min_n, level)
    return _holm(t, alpha)[by + ["baseline", *_OUT]]


def trend(data, *, metric="nps", freq="M", by=None, date_col="responded_at", min_n=30, **metric_kwargs):
    """The metric per period (and group) with its CI, for charts; empty periods are kept and flagged.

    Returns
    -------
    pandas.DataFrame
        ``period`` (pandas Period of ``freq``), the ``by`` columns, then every column of the metric's
        table (see :func:`cxlib.metrics.nps`, ``csat``, ``ces``). A period inside the data's range
        with no responses in a group appears with ``n = 0``, blank scores and a note.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"responded_at": pd.to_datetime(["2026-01-05", "2026-03-02"]), "nps": [10, 0]})
    >>> trend(df, min_n=1)[["period", "n", "nps", "note"]]
        period  n    nps                      note
    0  2026-01  1  100.0
    1  2026-02  0    NaN  no responses in this period
    2  2026-03  1 -100.0
    """
    by = _by_list(by)
    per = _periods(data, date_col, freq)
    name = "period"
    frame = data.assign(**{name: per})
    t = summarize(frame, metric=metric, by=[name, *by], min_n=min_n, **metric_kwargs)
    valid = per.dropna()
    full = pd.DataFrame({name: pd.period_range(valid.min(), valid.max(), freq=freq)})
    if by:
        full = full.merge(t[by].drop_duplicates(), how="cross")
    out = full.merge(t, on=[name, *by], how="left", sort=False)
    gap = out["n"].isna()
    counts = [c for c in ("n", "promoters", "passives", "detractors", "top_box", "low_effort") if c in out]
    out[counts] = out[counts].fillna(0).astype("int64")
    out["n_eff"] = out["n_eff"].fillna(0.0)
    out["small_base"] = out["small_base"].astype("boolean").fillna(True).astype(bool)
    out.loc[gap, "note"] = "no responses in this period"
    return out.sort_values([name, *by], kind="stable").reset_index(drop=True)


def what_changed(data, *, month, by=("region", "plan", "touchpoint"), cells=(("region", "touchpoint"),),
                 metric="nps", baseline="previous", min_n=30, alpha=0.05, level=0.95,
                 date_col="responded_at", **metric_kwargs) -> pd.DataFrame:
    """Every segment (and segment cell) this month against its baseline month, Holm-adjusted as one family.

    Parameters
    ----------
    data : pandas.DataFrame
    month : str
        The report month "YYYY-MM".
    by : sequence of str
        Segment columns cut one at a time.
    cells : sequence of tuples of str
        Crossed cuts (e.g. region × touchpoint).
    metric, baseline, min_n, alpha, level, date_col, **metric_kwargs
        As in :func:`compare` (``baseline`` "previous", "previous_3", "year_ago" or "YYYY-MM").

    Returns
    -------
    pandas.DataFrame
        One row per segment value, ordered by dimension then segment: ``dimension`` ("region" or
        "region × touchpoint"), ``segment`` ("EMEA" or "EMEA × support"), ``period``,
        ``baseline_period``, ``current``, ``previous`` (the scores), ``diff``, ``se``, ``z``,
        ``ci_low``, ``ci_high`` (of the diff), ``p_value``, ``p_adjusted`` (Holm over every tested row
        of the table), ``significant``, ``tested``, ``n_current``, ``n_previous`` and ``note``.

    Examples
    --------
    >>> from cxlib import dataset
    >>> t = what_changed(dataset.load_responses(), month="2026-10")
    >>> t.set_index("segment").loc[["EMEA × support", "APAC × billing"], "significant"].tolist()
    [True, False]
    """
    parts = [[d] for d in by] + [list(c) for c in cells]
    tables = []
    for cols in parts:
        t = _period_pairs(data, metric=metric, by=cols, period=month, baseline=baseline, date_col=date_col,
                          min_n=min_n, level=level, kw=dict(metric_kwargs))
        seg = t[cols].astype("str").agg(" × ".join, axis=1) if len(cols) > 1 else t[cols[0]].astype("str")
        t = t.drop(columns=cols).assign(dimension=" × ".join(cols), segment=seg)
        tables.append(t)
    t = _holm(pd.concat(tables, ignore_index=True), alpha)
    t = t.rename(columns={"value": "current", "baseline_value": "previous", "n": "n_current",
                          "n_baseline": "n_previous", "baseline": "baseline_period"})
    return t[["dimension", "segment", "period", "baseline_period", "current", "previous", "diff", "se", "z",
              "ci_low", "ci_high", "p_value", "p_adjusted", "significant", "tested", "n_current",
              "n_previous", "note"]]


def summarize_changes(table, *, metric="NPS", unit=None, decimals=None, level=0.95) -> list[str]:
    """Plain-language sentences from a :func:`what_changed` table: real moves first, then the rest.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`what_changed`.
    metric : str
        The metric's display name ("NPS", "CSAT", "CES").
    unit, decimals : optional
        Defaults: "points" and 0 decimals for NPS, "percentage points" and 0 for CSAT, "points" and
        2 for anything else.
    level : float
        The confidence level the table was made with (for the wording only).

    Returns
    -------
    list of str
        One sentence per significant change (largest evidence first) naming the segment, the size of
        the move, its CI and the bases; then one sentence on everything within noise; then one on the
        segments too small to test, if any.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"dimension": ["region", "region"], "segment": ["EMEA", "APAC"],
    ...     "period": "2026-10", "baseline_period": "2026-09", "current": [-40.0, 20.0],
    ...     "previous": [10.0, 22.0], "diff": [-50.0, -2.0], "ci_low": [-70.0, -12.0],
    ...     "ci_high": [-30.0, 8.0], "p_adjusted": [0.0001, 0.7], "significant": [True, False],
    ...     "tested": True, "n_current": [110, 300], "n_previous": [105, 310]})
    >>> for s in summarize_changes(t): print(s)
    EMEA (region): NPS fell 50 points, from 10 in 2026-09 to -40 in 2026-10 (95% CI of the change -70 to -30; n = 105 → 110); significant after Holm adjustment (p = 0.0001).
    Everything else (1 other comparison) moved within noise.
    """
    key = metric.lower()
    unit = unit or ("percentage points" if key == "csat" else "points")
    dec = decimals if decimals is not None else (0 if key in ("nps", "csat") else 2)
    f = (lambda v: f"{v:.{dec}f}")
    sig = table.loc[table["significant"].astype(bool)].copy()
    sig = sig.assign(_abs=sig["diff"].abs()).sort_values(["p_adjusted", "_abs"], ascending=[True, False])
    out = []
    for r in sig.itertuples(index=False):
        verb = "fell" if r.diff < 0 else "rose"
        out.append(f"{r.segment} ({r.dimension}): {metric} {verb} {f(abs(r.diff))} {unit}, from "
                   f"{f(r.previous)} in {r.baseline_period} to {f(r.current)} in {r.period} "
                   f"({level:.0%} CI of the change {f(r.ci_low)} to {f(r.ci_high)}; n = {r.n_previous} → "
                   f"{r.n_current}); significant after Holm adjustment (p = {r.p_adjusted:.2g}).")
    tested = table["tested"].astype(bool)
    others = int(tested.sum()) - len(sig)
    months = ""
    if len(table):
        months = f" between {table['baseline_period'].iloc[0]} and {table['period'].iloc[0]}"
    if len(sig):
        word = "comparison" if others == 1 else "comparisons"
        out.append(f"Everything else ({others} other {word}) moved within noise.")
    else:
        word = "comparison" if others == 1 else "comparisons"
        out.append(f"No segment's {metric} moved beyond noise{months} ({others} {word}, Holm-adjusted).")
    small = table.loc[~tested, "segment"].astype("str").tolist()
    if small:
        names = ", ".join(small[:5]) + (f" and {len(small) - 5} more" if len(small) > 5 else "")
        out.append(f"{len(small)} segment(s) had too few responses to judge: {names}.")
    return out
