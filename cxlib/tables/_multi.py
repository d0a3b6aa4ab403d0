"""Rows of multiple-response questions in a banner table: % selecting each option, and the net (any of).

Each option is a share of the question's respondents (those who answered at least one of its options;
an option they left blank counts as not selected), so its cells are shares like any other percentage
row: the same sums, the same linearised or Kish base, the same Wilson interval and the same z test
between independent columns. Options of one column share respondents, so they are never compared with
each other. Private to :mod:`cxlib.tables`.
"""

from __future__ import annotations

import numpy as np

from .._checks import need_columns
from ..data import code_selections, option_sets
from ._cells import Row, _base, _indicator

__all__ = ["MULTI_METRICS", "NET", "multi_rows", "option_columns"]

#: Row statistics of a multiple-response question: % selecting an option, % selecting any (the net).
MULTI_METRICS = ("pct_selected", "pct_any")
#: How a question's net row label ends (after the question's label); its base row is named from it.
NET = ": any (net)"


def option_columns(multi) -> list[str]:
    """Every option column of ``multi`` (checked as :func:`multi_rows` checks it), in order."""
    return [c for cols in option_sets(multi, func="crosstab").values() for c in cols]


def multi_rows(data, multi, w: np.ndarray, labels: dict | None = None) -> list[Row]:
    """One row per option of each multiple-response question, then its net row ("any of").

    ``labels`` (column or question -> how it reads, as ``cfg.labels``) names the rows; by default the column
    and question names. Every option column is coded by :func:`cxlib.data.code_selections`.
    """
    labels = labels or {}
    sets = option_sets(multi, func="crosstab")
    need_columns(data, [c for cols in sets.values() for c in cols], where="crosstab")
    rows = []
    for name, cols in sets.items():
        coded = [code_selections(data[c], where="crosstab", column=c) for c in cols]
        answered, any_chosen = np.zeros(len(data), bool), np.zeros(len(data), bool)
        for x in coded:
            answered |= ~np.isnan(x)
            any_chosen |= x == 1.0                # NaN compares False: a blank option is not selected
        base = _base(answered, w)
        title = labels.get(name, name)
        for j, col in enumerate(cols):
            rows.append(Row(f"{title}: {labels.get(col, col)}", col, "pct_selected", "prop",
                            {**base, **_indicator("swk", coded[j] == 1.0, base)}))
        rows.append(Row(title + NET, name, "pct_any", "prop", {**base, **_indicator("swk", any_chosen, base)}))
    return rows

