"""The score tables by name: one call for any metric, and a metric cut by every segment in turn."""

from __future__ import annotations

import pandas as pd

from .._checks import by_list, check_choice
from ..errors import ParameterError
from .means import ces, rating
from .metrics import csat, nps, recommend

__all__ = ["METRICS", "by_segments", "score_table"]


#: The score functions by metric name.
METRICS = {"nps": nps, "csat": csat, "rating": rating, "recommend": recommend, "ces": ces}


def score_table(data, *, metric="nps", **kwargs) -> pd.DataFrame:
    """The table of one of :data:`METRICS` (nps, csat, rating, recommend, ces), chosen by ``metric``.

    ``score`` (the column) defaults to the metric's canonical column; ``top_k`` and ``scale`` are ignored
    where the metric has none (NPS, recommend).

    Returns
    -------
    pandas.DataFrame
        The chosen function's table; the score itself is in the column named ``metric``.

    Examples
    --------
    >>> import pandas as pd
    >>> score_table(pd.DataFrame({"csat": [5, 4, 1]}), metric="csat", min_n=1)["csat"].round(1).tolist()
    [66.7]
    """
    check_choice(metric, METRICS, param="metric", func="score_table")
    if metric in ("nps", "recommend"):
        kwargs.pop("top_k", None)
    if metric == "recommend":
        kwargs.pop("scale", None)
    return METRICS[metric](data, **kwargs)


def by_segments(data, *, segments, metric="nps", **kwargs) -> pd.DataFrame:
    """The score cut by each segment in turn, stacked into one long table.

    Parameters
    ----------
    data : pandas.DataFrame
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
