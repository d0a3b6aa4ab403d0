"""A score's range changing abruptly over time: a scale changed mid-series (1–5 answers, then 1–10).

Every answer may lie on the declared scale and still not be comparable: a survey that moved from a 1–5
to a 1–10 question shows no answer above 5 for months and then many. Comparing a month before with one
after measures the questionnaire, not the customers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import need_columns
from ..data import is_table

__all__ = ["scale_breaks"]

#: A break is called when answers beyond the old range are this unlikely to have been absent by chance.
LOG_CHANCE = np.log(1e-9)


def _candidate(upper: bool, t: float, first: int, after: int, beyond_after: int, first_at) -> dict | None:
    """The break at level ``t`` when it is one (see :func:`_candidates`), from its counts."""
    share = beyond_after / after
    chance = first * np.log1p(-share) if share < 1 else -np.inf    # P(none beyond in the rows before)
    if chance >= LOG_CHANCE:
        return None
    return {"direction": "above" if upper else "below", "threshold": float(t), "first_at": pd.Timestamp(first_at),
            "n_before": first, "n_after": after, "share_beyond_after": share, "log_chance": chance}


def _table_candidates(table, score: str, date_col: str, min_n: int) -> tuple[list, list]:
    """:func:`_candidates` in the database, above and below (three aggregate queries): for each level, the
    first date with an answer beyond it, then the answers before that date and beyond the level after it.
    Answers at the very instant of the first one beyond count after it (rows the pandas path orders by
    file position within one timestamp)."""
    t = table.filter(table[score].notnull(), table[date_col].notnull())
    v, d = t[score].cast("float64"), t[date_col]
    levels = sorted(float(x) for x in t.aggregate(by=[v.name("v")], n=t.count()).execute()["v"])
    sides = [(True, x) for x in levels[:-1]] + [(False, x) for x in levels[1:]]
    if not sides:
        return [], []
    beyond = [v > x if up else v < x for up, x in sides]
    got = t.aggregate(**{f"f{i}": d.min(where=b) for i, b in enumerate(beyond)}).execute().iloc[0]
    firsts = {i: got[f"f{i}"] for i in range(len(sides)) if pd.notna(got[f"f{i}"])}
    if not firsts:
        return [], []
    aggs = {}
    for i, first in firsts.items():
        at = pd.Timestamp(first).to_pydatetime()
        aggs.update({f"b{i}": t.count(where=d < at), f"a{i}": t.count(where=d >= at),
                     f"x{i}": t.count(where=beyond[i] & (d >= at))})
    n = t.aggregate(**aggs).execute().iloc[0]
    out: tuple[list, list] = ([], [])
    for i, first in firsts.items():
        b, a = int(n[f"b{i}"]), int(n[f"a{i}"])
        if b < min_n or a < min_n:
            continue
        found = _candidate(sides[i][0], sides[i][1], b, a, int(n[f"x{i}"]), first)
        if found:
            out[0 if sides[i][0] else 1].append(found)
    return out


def _candidates(values: np.ndarray, dates: np.ndarray, min_n: int, upper: bool) -> list[dict]:
    levels = np.unique(values)
    levels = levels[:-1] if upper else levels[1:]          # a threshold leaves at least one level beyond it
    out = []
    for t in levels:
        beyond = values > t if upper else values < t
        first = int(np.argmax(beyond))
        if not beyond.any() or first < min_n or len(values) - first < min_n:
            continue
        found = _candidate(upper, t, first, len(values) - first, int(beyond[first:].sum()), dates[first])
        if found:
            out.append(found)
    return out


def scale_breaks(data: pd.DataFrame, *, score: str, date_col: str = "responded_at", min_n: int = 30) -> pd.DataFrame:
    """Where a score's answers start going beyond the range they kept until then (a scale change).

    For each answer level t, the first answer above t (or below it) in time splits the series; with at
    least ``min_n`` answers on each side, the chance that the answers before held none beyond t when a
    share ``p`` of those after do is (1 - p) ** n_before. Below 1e-9, the range changed there. The
    clearest split per direction is returned.

    Parameters
    ----------
    data : pandas.DataFrame or Ibis table
        Dated responses (a table: counted in the database, answers at the instant of the first one beyond a
        level counting after it).
    score : str
        The score column.
    date_col : str
    min_n : int
        Answers needed on each side of a break.

    Returns
    -------
    pandas.DataFrame
        One row per break, earliest first: ``score``, ``direction`` ("above": higher answers appear; "below":
        lower ones), ``threshold`` (the old range's end), ``first_at`` (the first answer beyond it),
        ``month`` ("YYYY-MM" of ``first_at``), ``n_before``, ``n_after`` (answers on each side),
        ``share_beyond_after`` (share of answers beyond the old range after the break), ``log_chance``.

    Examples
    --------
    >>> d = pd.DataFrame({"responded_at": pd.date_range("2015-01-01", periods=400, freq="D"),
    ...                   "rating": [1, 2, 3, 4, 5] * 40 + [1, 3, 6, 8, 10] * 40})
    >>> scale_breaks(d, score="rating")[["direction", "threshold", "month", "n_before"]].values.tolist()
    [['above', 5.0, '2015-07', 202]]
    """
    need_columns(data, [score, date_col], where="scale_breaks")
    if is_table(data):
        found = [min(c, key=lambda r: r["log_chance"]) for c in _table_candidates(data, score, date_col, min_n) if c]
    else:
        rows = data[[date_col, score]].dropna().sort_values(date_col, kind="stable")
        values, dates = rows[score].to_numpy(float), rows[date_col].to_numpy()
        found = [min(c, key=lambda r: r["log_chance"]) for c in
                 (_candidates(values, dates, min_n, True), _candidates(values, dates, min_n, False)) if c]
    cols = ["score", "direction", "threshold", "first_at", "month", "n_before", "n_after", "share_beyond_after",
            "log_chance"]
    if not found:
        return pd.DataFrame(columns=cols)
    out = pd.DataFrame(found).assign(score=score)
    out["month"] = out["first_at"].dt.strftime("%Y-%m")
    return out[cols].sort_values("first_at").reset_index(drop=True)
