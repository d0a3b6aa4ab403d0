"""The score tables by name: one call for any metric, and a metric cut by every segment in turn."""

from __future__ import annotations

import pandas as pd

from .._checks import by_list, check_choice, check_confidence
from ..errors import DataError, ParameterError
from ..metrics import METRICS, get_metric, resolve_variance
from ._combined import scores_sums
from ._sums import score_sums, sum_columns, table_scale
from .means import mean_from_sums
from .metrics import nps_from_sums, share_from_sums

__all__ = ["METRICS", "add_sums", "by_segments", "metric_sums", "month_sums", "score_table", "table_from_sums"]

#: How a table is finished from its sums, by the metric's kind (:data:`cxlib.metrics.KINDS`).
_FROM_SUMS = {"net": nps_from_sums, "share": share_from_sums, "mean": mean_from_sums}
_FINISH = ("confidence", "min_n", "suppress", "ci_method", "variance")


def metric_sums(data, *, metric, by=(), period=None, window=None, date_col=None, score=None, scale=None,
                top_k=None, weight=None, sums=None, keep_missing=False, **finish) -> tuple[pd.DataFrame, dict]:
    """A metric's group sums on either engine, and the arguments that finish them (:func:`table_from_sums`).

    ``**finish`` holds the finishing arguments (``confidence``, ``min_n``, ``suppress``, ``ci_method``,
    ``variance``: default linearised with ``weight``, Kish without); anything else is refused with the
    metric function's own TypeError. ``sums``: the metric's sums already made with these arguments
    (:func:`month_sums`), returned as they are; ``keep_missing``: groups with a missing ``by`` key too.
    """
    check_choice(metric, METRICS, param="metric", func="score_table")
    unknown = sorted(set(finish) - set(_FINISH))
    if unknown:
        raise TypeError(f"{metric}() got unexpected keyword argument(s) {unknown}")
    scale = table_scale(metric, scale)
    top_k = top_k if not get_metric(metric).fixed_scale else None
    if sums is not None:
        _check_made_for(sums, _made_for(metric, score or metric, scale, top_k, weight, period))
    s = sums if sums is not None else score_sums(
        data, metric, score=score or metric, by=by_list(by), weight=weight, scale=scale,
        top_k=top_k, period=period, window=window, date_col=date_col, keep_missing=keep_missing)
    finish["variance"] = resolve_variance(finish.get("variance"), bool(weight))
    return s, {"scale": scale, **finish}


def _made_for(metric, score, scale, top_k, weight, period) -> dict:
    """What a metric's sums depend on, as :func:`month_sums` records it and :func:`metric_sums` checks it."""
    return {"metric": metric, "score": score, "scale": scale, "top_k": top_k, "weight": weight,
            "period": tuple(period) if period else None}


def _check_made_for(sums: pd.DataFrame, want: dict) -> None:
    """Refuse ``sums=`` that :func:`month_sums` made for other arguments (another score, weight, scale or
    period): a quietly wrong score otherwise (unweighted sums read as weighted ones; months as quarters)."""
    made = getattr(sums, "attrs", {}).get("cx_sums_of")
    if made is None:   # sums made inside cxlib from these arguments (what_changed's combined query)
        return
    wrong = {k: (made[k], want[k]) for k in want if made.get(k) != want[k]}
    if wrong:
        said = "; ".join(f"{k}: made for {a!r}, asked for {b!r}" for k, (a, b) in wrong.items())
        raise ParameterError(f"sums= were made for other arguments ({said}): make them with month_sums using "
                             "the same metric arguments and period as this call")


def month_sums(data, *, metrics: dict, date_col: str = "responded_at", freq: str = "M") -> dict:
    """Several metrics' sums per period, for :func:`cxlib.scores.compare` and :func:`cxlib.scores.trend`
    (``sums=``): on a table, the metrics sharing a weight in one query (one scan instead of one per call).

    Parameters
    ----------
    data : pandas.DataFrame or Ibis table
    metrics : dict
        Metric name -> its arguments (``score``, ``scale``, ``top_k``, ``weight``), as the calls that read
        the sums pass them.
    date_col, freq : str
        The date column and the period ("M": months).

    Returns
    -------
    dict
        Metric -> its sums per ``period`` (a pandas Period), the columns :func:`metric_sums` gives: ``n``,
        ``sw``, ``sw2``, ``swx``, ``swxx``, ``sw2x``, ``sw2xx`` and per counted point set its count,
        ``sw_<name>`` and ``sw2_<name>``. A metric whose answers fail their checks is left out (its own
        call then raises the DataError, naming the rows); the others are kept.
    """
    specs = {}
    for metric, kw in metrics.items():
        check_choice(metric, METRICS, param="metric", func="month_sums")
        fixed = get_metric(metric).fixed_scale
        specs[metric] = {"metric": metric, "score": kw.get("score") or metric, "weight": kw.get("weight"),
                         "scale": table_scale(metric, kw.get("scale")), "top_k": None if fixed else kw.get("top_k")}
    out = {}
    for weight in dict.fromkeys(sp["weight"] for sp in specs.values()):
        group = [sp for sp in specs.values() if sp["weight"] == weight]
        got = scores_sums(data, group, weight=weight, period=(date_col, freq), date_col=date_col)
        for sp, s in zip(group, got):
            if isinstance(s, DataError):   # left out: the metric's own call raises it, naming the rows
                continue
            s.attrs["cx_sums_of"] = _made_for(sp["metric"], sp["score"], sp["scale"], sp["top_k"], weight,
                                              (date_col, freq))
            out[sp["metric"]] = s
    return {m: out[m] for m in metrics if m in out}


def table_from_sums(sums: pd.DataFrame, *, metric, by=(), **finish) -> pd.DataFrame:
    """The metric's table (as :func:`score_table` returns it) from group sums, e.g. sums added over months
    or subtracted from a total. The interval method defaults to the metric's own (one method per score,
    whichever function asks)."""
    m = get_metric(metric)
    finish = {"confidence": 0.95, **finish, "ci_method": finish.get("ci_method") or m.ci_method,
              "variance": resolve_variance(finish.get("variance"), False)}
    finish["confidence"] = check_confidence(finish["confidence"], func=metric)
    return _FROM_SUMS[m.kind](sums, by_list(by), metric=metric, **finish)


def add_sums(sums: pd.DataFrame, *, metric, by=()) -> pd.DataFrame:
    """Group sums added up over everything but ``by`` (over periods, or over all groups without ``by``)."""
    cols = [c for c in sum_columns(metric) if c in sums]
    by = by_list(by)
    if not by:
        return sums[cols].sum().to_frame().T.astype(sums[cols].dtypes.to_dict())
    return sums.groupby(by, sort=True, observed=True)[cols].sum().reset_index()


def score_table(data, *, metric="nps", score=None, scale=None, top_k=None, by=None, weight=None, **finish) -> pd.DataFrame:
    """The table of any registered score (:data:`cxlib.metrics.METRICS`: nps, csat, rating, recommend, ces,
    and any score added with :func:`cxlib.metrics.register`), chosen by ``metric``.

    ``score`` (the column) defaults to the metric's canonical column; ``top_k`` and ``scale`` are ignored
    where the definition fixes the scale (NPS, recommend). ``finish`` holds ``confidence``, ``min_n``,
    ``suppress``, ``ci_method`` (default: the metric's own interval method) and ``variance`` (default:
    "linearized" with ``weight``, "kish" without; :func:`cxlib.metrics.estimate`).

    Returns
    -------
    pandas.DataFrame
        The metric's table (see :func:`cxlib.scores.nps`, :func:`~cxlib.scores.csat`,
        :func:`~cxlib.scores.rating`); the score itself is in the column named ``metric``.

    Examples
    --------
    >>> import pandas as pd
    >>> score_table(pd.DataFrame({"csat": [5, 4, 1]}), metric="csat", min_n=1)["csat"].round(1).tolist()
    [66.7]
    """
    check_choice(metric, METRICS, param="metric", func="score_table")
    if get_metric(metric).fixed_scale and metric != "nps":
        scale = None
    sums, kw = metric_sums(data, metric=metric, score=score, scale=scale, top_k=top_k, by=by, weight=weight, **finish)
    return table_from_sums(sums, metric=metric, by=by, **kw)


def by_segments(data, *, segments, metric="nps", **kwargs) -> pd.DataFrame:
    """The score cut by each segment in turn, stacked into one long table.

    Parameters
    ----------
    data : pandas.DataFrame or Ibis table
    segments : sequence of str
        Segment columns (e.g. ``cfg.segments``); rows missing a segment's value are left out of its cut.
    metric : {"nps", "csat", "rating", "recommend", "ces"}
    **kwargs
        Passed to the metric function (``score``, ``scale``, ``weight``, ``min_n``, ``suppress``, ...).

    Returns
    -------
    pandas.DataFrame
        ``segment`` (the segment column), ``value`` (its value, as text), then every column of the
        metric's table.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"nps": [10, 0, 9, 8], "region": ["A", "A", "B", "B"], "plan": ["x"] * 4})
    >>> by_segments(df, segments=["region", "plan"], min_n=1)[["segment", "value", "n", "nps"]]
      segment value  n    nps
    0  region     A  2    0.0
    1  region     B  2   50.0
    2    plan     x  4   25.0
    """
    parts = []
    for seg in by_list(segments):
        t = score_table(data, metric=metric, by=seg, **kwargs).rename(columns={seg: "value"})
        t["value"] = t["value"].astype("str")
        t.insert(0, "segment", seg)
        parts.append(t)
    if not parts:
        raise ParameterError("by_segments needs at least one segment column in segments=")
    return pd.concat(parts, ignore_index=True)
