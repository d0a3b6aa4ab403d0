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


def _table_candidates(table, scores: list[str], date_col: str, min_n: int) -> dict[str, tuple[list, list]]:
    """:func:`_candidates` in the database for every score at once, above and below, in two scans: a
    histogram of the scores' answer combinations with each one's count and first date, then one count of
    the answers before each first date beyond a level.

    For a level x of a score, the first date beyond it is the earliest first date of the combinations
    beyond x; no answer beyond x lies before it, so the answers beyond x after it are all the answers
    beyond x (the histogram's count), and the answers after it are the score's answers less those before.
    Answers at the very instant of the first one beyond count after it (rows the pandas path orders by
    file position within one timestamp)."""
    t = table.filter(table[date_col].notnull())
    keys = [f"_v{i}" for i in range(len(scores))]
    hist = t.group_by([t[s].cast("float64").name(k) for s, k in zip(scores, keys)]) \
        .aggregate(_n=t.count(), _first=t[date_col].min()).execute()
    sides, counts = {}, {}
    for i, k in enumerate(keys):
        h = hist.loc[hist[k].notna()]
        levels = sorted(float(x) for x in h[k].unique())
        for up, x in [(True, x) for x in levels[:-1]] + [(False, x) for x in levels[1:]]:
            beyond = h.loc[h[k] > x if up else h[k] < x]
            sides[(i, up, x)] = (pd.Timestamp(beyond["_first"].min()), int(beyond["_n"].sum()), int(h["_n"].sum()))
    d = t[date_col]
    ats = sorted({(i, at) for (i, _, _), (at, _, _) in sides.items()})
    if ats:
        got = t.aggregate(**{f"b{j}": t.count(where=t[scores[i]].notnull() & (d < at.to_pydatetime()))
                             for j, (i, at) in enumerate(ats)}).execute().iloc[0]
        counts = {key: int(got[f"b{j}"]) for j, key in enumerate(ats)}
    out = {s: ([], []) for s in scores}
    for (i, up, x), (at, beyond, total) in sides.items():
        b = counts[(i, at)]
        if b < min_n or total - b < min_n:
            continue
        found = _candidate(up, x, b, total - b, beyond, at)
        if found:
            out[scores[i]][0 if up else 1].append(found)
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


def scale_breaks(data: pd.DataFrame, *, score: str | list[str], date_col: str = "responded_at",
                 min_n: int = 30) -> pd.DataFrame:
    """Where a score's answers start going beyond the range they kept until then (a scale change).

    For each answer level t, the first answer above t (or below it) in time splits the series; with at
    least ``min_n`` answers on each side, the chance that the answers before held none beyond t when a
    share ``p`` of those after do is (1 - p) ** n_before. Below 1e-9, the range changed there. The
    clearest split per direction is returned.

    Parameters
    ----------
    data : pandas.DataFrame or Ibis table
        Dated responses (a table: counted in the database, every score in two scans, answers at the instant
        of the first one beyond a level counting after it).
    score : str or list of str
        The score column, or several (each one's breaks, in this order).
    date_col : str
    min_n : int
        Answers needed on each side of a break.

    Returns
    -------
    pandas.DataFrame
        One row per break, by score then earliest first: ``score``, ``direction`` ("above": higher answers
        appear; "below": lower ones), ``threshold`` (the old range's end), ``first_at`` (the first answer
        beyond it), ``month`` ("YYYY-MM" of ``first_at``), ``n_before``, ``n_after`` (answers on each side),
        ``share_beyond_after`` (share of answers beyond the old range after the break), ``log_chance``.

    Examples
    --------
    >>> d = pd.DataFrame({"responded_at": pd.date_range("2015-01-01", periods=400, freq="D"),
    ...                   "rating": [1, 2, 3, 4, 5] * 40 + [1, 3, 6, 8, 10] * 40})
    >>> scale_breaks(d, score="rating")[["direction", "threshold", "month", "n_before"]].values.tolist()
    [['above', 5.0, '2015-07', 202]]
    """
    names = [score] if isinstance(score, str) else list(dict.fromkeys(score))
    need_columns(data, [*names, date_col], where="scale_breaks")
    if is_table(data):
        sides = _table_candidates(data, names, date_col, min_n) if names else {}
    else:
        sides = {}
        for name in names:
            rows = data[[date_col, name]].dropna().sort_values(date_col, kind="stable")
            values, dates = rows[name].to_numpy(float), rows[date_col].to_numpy()
            sides[name] = (_candidates(values, dates, min_n, True), _candidates(values, dates, min_n, False))
    cols = ["score", "direction", "threshold", "first_at", "month", "n_before", "n_after", "share_beyond_after",
            "log_chance"]
    found = [{**min(c, key=lambda r: r["log_chance"]), "score": name} for name in names for c in sides[name] if c]
    if not found:
        return pd.DataFrame(columns=cols)
    out = pd.DataFrame(found)
    out["month"] = out["first_at"].dt.strftime("%Y-%m")
    order = out["score"].map({name: i for i, name in enumerate(names)})
    out = out.assign(_order=order).sort_values(["_order", "first_at"], kind="stable")
    return out[cols].reset_index(drop=True)
