"""Theme statistics from sums, on a DataFrame or an Ibis table (private to :mod:`cxlib.comments`).

A theme column is a flag (True = mentioned, False = not, missing = no comment). :func:`impact_sums` gives
per theme the counts, sums and sums of squares of the respondent values of those who mention it and of
those who do not (one aggregate query on a table); :func:`volume_sums` the comments and mentions per
group. :func:`cxlib.comments.theme_impact` and ``theme_volumes`` finish them in pandas.
"""

from __future__ import annotations

import pandas as pd

from ..data import Term, group_sums, is_table

__all__ = ["impact_sums", "volume_sums"]


def _flags(data, cols: list[str], vals=None):
    """The theme flags as float columns f0, f1, ... (1 mentioned, 0 not, missing without a comment)."""
    if is_table(data):
        import ibis

        flags = {f"f{i}": data[c].isnull().ifelse(ibis.null("float64"), data[c].cast("boolean").ifelse(1.0, 0.0))
                 for i, c in enumerate(cols)}
        return data.mutate(**flags, **({"_v": vals} if vals is not None else {}))
    frame = pd.DataFrame({f"f{i}": data[c].astype("boolean").astype("Float64").astype("float64")
                          for i, c in enumerate(cols)}, index=data.index)
    if vals is not None:
        frame["_v"] = vals
    return frame


def impact_sums(data, cols: list[str], vals) -> pd.Series:
    """``n_scored`` and per theme i: ``n{i}``, ``k{i}`` (mentions) and ``s1_{i}``, ``q1_{i}``, ``s0_{i}``,
    ``q0_{i}`` (Σv and Σv² of those mentioning it, and of those not)."""
    terms = [Term("n_scored", present=("_v",), count=True)]
    for i in range(len(cols)):
        f, need = f"f{i}", (f"f{i}", "_v")
        terms += [Term(f"n{i}", present=need, count=True),
                  Term(f"k{i}", present=need, values=(f, (1,)), count=True)]
        for side in (1, 0):
            terms += [Term(f"s{side}_{i}", factors=(("_v", 0.0),), present=need, values=(f, (side,))),
                      Term(f"q{side}_{i}", factors=(("_v", 0.0), ("_v", 0.0)), present=need, values=(f, (side,)))]
    return group_sums(_flags(data, cols, vals), terms=terms).iloc[0]


def volume_sums(data, cols: list[str], by: list[str]) -> pd.DataFrame:
    """Per group of ``by`` (missing values kept as a group) and theme: ``n`` comments and ``n_mention``."""
    terms = []
    for i in range(len(cols)):
        terms += [Term(f"n{i}", present=(f"f{i}",), count=True),
                  Term(f"m{i}", present=(f"f{i}",), values=(f"f{i}", (1,)), count=True)]
    flags = _flags(data, cols)
    frame = flags if is_table(data) else flags.assign(**{b: data[b] for b in by})
    s = group_sums(frame, by=by, terms=terms, keep_missing_keys=True)
    parts = [s[by].assign(theme=c, n=s[f"n{i}"], n_mention=s[f"m{i}"]) for i, c in enumerate(cols)]
    return pd.concat(parts, ignore_index=True)
