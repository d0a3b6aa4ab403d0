"""Theme statistics from sums, on a DataFrame or an Ibis table (private to :mod:`cxlib.comments`).

A theme column is a flag (True = mentioned, False = not, missing = no comment). :func:`impact_sums` gives
per theme the counts, weights Σw and Σw², and weighted sums Σw·v and Σw·v² of the respondent values of
those who mention it and of those who do not (one aggregate query on a table); :func:`volume_sums` the
comments, mentions and their weights per group. :func:`cxlib.comments.theme_impact` and ``theme_volumes``
finish them in pandas. Without a weight every row weighs 1, so the same sums serve both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import check_weights, need_columns
from ..data import Term, group_sums, is_table
from ..errors import DataError

__all__ = ["impact_sums", "volume_sums"]


def _table_weight(data, weight: str | None, where: str):
    """The weight of a table as a float expression; a missing, negative or infinite one is a DataError."""
    import ibis

    if weight is None:
        return ibis.literal(1.0)
    need_columns(data, [weight], where=where)
    w = data[weight].cast("float64")
    bad = w.isnull() | (w < 0) | (w > 1.7e308)
    if int(data.count(where=bad).execute()):
        ex = data.filter(bad).select(weight).limit(5).execute()[weight].tolist()
        raise DataError(f"{where}: column {weight!r}: weights must be finite and ≥ 0 on every row; bad values "
                        f"include {ex}")
    return w


def _flags(data, cols: list[str], weight: str | None, where: str, vals=None):
    """The theme flags as float columns f0, f1, ... (1 mentioned, 0 not, missing without a comment), the
    weight as ``_w`` and the respondent values as ``_v``."""
    if is_table(data):
        import ibis

        flags = {f"f{i}": data[c].isnull().ifelse(ibis.null("float64"), data[c].cast("boolean").ifelse(1.0, 0.0))
                 for i, c in enumerate(cols)}
        extra = {"_w": _table_weight(data, weight, where)}
        if vals is not None:
            extra["_v"] = vals
        return data.mutate(**flags, **extra)
    frame = pd.DataFrame({f"f{i}": data[c].astype("boolean").astype("Float64").astype("float64")
                          for i, c in enumerate(cols)}, index=data.index)
    if weight is None:
        frame["_w"] = 1.0
    else:
        need_columns(data, [weight], where=where)
        frame["_w"] = check_weights(data, weight, used=np.ones(len(data), bool), where=where, what="weighting")
    if vals is not None:
        frame["_v"] = vals
    return frame


def impact_sums(data, cols: list[str], vals, weight: str | None) -> pd.Series:
    """``n_scored``, ``sw_scored``, ``sw2_scored`` and per theme i: ``n{i}``, ``k{i}`` (mentions) and per side
    (1 mentioning, 0 not) ``w{side}_{i}`` (Σw), ``ww{side}_{i}`` (Σw²), ``s{side}_{i}`` (Σw·v) and
    ``q{side}_{i}`` (Σw·v²)."""
    terms = [Term("n_scored", present=("_v",), count=True),
             Term("sw_scored", weight="_w", wpow=1, present=("_v",)),
             Term("sw2_scored", weight="_w", wpow=2, present=("_v",))]
    for i in range(len(cols)):
        f, need = f"f{i}", (f"f{i}", "_v")
        terms += [Term(f"n{i}", present=need, count=True),
                  Term(f"k{i}", present=need, values=(f, (1,)), count=True)]
        for side in (1, 0):
            on = {"present": need, "values": (f, (side,))}
            terms += [Term(f"w{side}_{i}", weight="_w", wpow=1, **on),
                      Term(f"ww{side}_{i}", weight="_w", wpow=2, **on),
                      Term(f"s{side}_{i}", factors=(("_v", 0.0),), weight="_w", wpow=1, **on),
                      Term(f"q{side}_{i}", factors=(("_v", 0.0), ("_v", 0.0)), weight="_w", wpow=1, **on)]
    return group_sums(_flags(data, cols, weight, "theme_impact", vals), terms=terms).iloc[0]


def volume_sums(data, cols: list[str], by: list[str], weight: str | None) -> pd.DataFrame:
    """Per group of ``by`` (missing values kept as a group) and theme: ``n`` comments, ``n_mention``, and the
    weights ``sw`` (Σw of the comments), ``sw2`` (Σw²) and ``swm`` (Σw of the mentions)."""
    terms = []
    for i in range(len(cols)):
        f = f"f{i}"
        terms += [Term(f"n{i}", present=(f,), count=True),
                  Term(f"m{i}", present=(f,), values=(f, (1,)), count=True),
                  Term(f"sw{i}", weight="_w", wpow=1, present=(f,)),
                  Term(f"sw2{i}", weight="_w", wpow=2, present=(f,)),
                  Term(f"swm{i}", weight="_w", wpow=1, present=(f,), values=(f, (1,)))]
    flags = _flags(data, cols, weight, "theme_volumes")
    frame = flags if is_table(data) else flags.assign(**{b: data[b] for b in by})
    s = group_sums(frame, by=by, terms=terms, keep_missing_keys=True)
    parts = [s[by].assign(theme=c, n=s[f"n{i}"], n_mention=s[f"m{i}"], sw=s[f"sw{i}"], sw2=s[f"sw2{i}"],
                          swm=s[f"swm{i}"]) for i, c in enumerate(cols)]
    return pd.concat(parts, ignore_index=True)
