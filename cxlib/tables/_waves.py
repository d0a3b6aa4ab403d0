"""Wave-over-wave marks in a banner table: each cell against the same cell one wave (month) earlier.

The respondents of two waves are different people, so each cell and its predecessor are independent
samples, compared by the same tests as two columns of a span (:func:`cxlib.tables._cells.pair_test`: z on
the linearised or Kish effective bases for NPS and percentages, Welch for means). The p-values of every
tested cell of the table form one family, adjusted together (Holm by default), as Displayr's "compare to
previous period" arrows. Private to :mod:`cxlib.tables`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import need_columns
from .._stats import adjust_p
from ..errors import DataError, ParameterError
from ..periods import parse_month
from ._cells import pair_test

__all__ = ["WAVE_COLUMNS", "WAVE_EMPTY", "mark_changes", "split_waves"]

#: Columns a wave-over-wave comparison fills (empty without one).
WAVE_COLUMNS = ["wave", "previous_wave", "previous", "change", "change_strict", "p_change", "p_change_adjusted"]
#: Their values in a table without the comparison.
WAVE_EMPTY = {"wave": "", "previous_wave": "", "previous": np.nan, "change": "", "change_strict": False,
              "p_change": np.nan, "p_change_adjusted": np.nan}
_KIND = {"z_nps": "nps", "z_pooled": "prop", "t_welch": "mean"}


def _wave_values(data, wave):
    """Each row's wave and the waves in order (months of ``responded_at`` when ``wave`` is None)."""
    if wave is None:
        need_columns(data, ["responded_at"], where="crosstab(compare='previous')")
        dates = data["responded_at"]
        if not pd.api.types.is_datetime64_any_dtype(dates):
            raise ParameterError("crosstab(compare='previous') compares months of 'responded_at', which must hold "
                                 "dates; or pass wave= a column of waves")
        values = dates.dt.to_period("M")
    else:
        need_columns(data, [wave], where="crosstab(compare='previous')")
        values = data[wave]
    if isinstance(values.dtype, pd.CategoricalDtype):
        order = [c for c in values.cat.categories if (values == c).any()]
    else:
        present = values.dropna().unique()
        try:
            order = sorted(present)
        except TypeError:      # e.g. numbers and text mixed: no order to step one wave back in
            kinds = sorted({type(v).__name__ for v in present})
            raise DataError(f"crosstab(compare='previous'): the waves in column {wave!r} mix kinds of values "
                            f"({', '.join(kinds)}), so they have no order; give one kind (e.g. text such as "
                            "'2026 Q1') or an ordered categorical column") from None
    return values, order


def _period(current, freq, wave: str):
    """``current`` as a period of the wave column's frequency; a ParameterError naming it when it is none."""
    try:
        return pd.Period(current, freq=freq)
    except (ValueError, TypeError):
        example = pd.Period("2026-10-01", freq=freq)
        raise ParameterError(f"The 'current' parameter of crosstab must be a period of column {wave!r}, such as "
                             f"{str(example)!r}. Got {current!r} instead.") from None


def split_waves(data, *, wave=None, current=None):
    """Rows of the current wave and of the one before, and their labels.

    The current wave is ``current`` (a month "YYYY-MM", or a value of ``wave``), by default the latest. The
    previous one is the month before (or period before, for a period column), else the wave before in the
    column's order (its categories, or sorted values).
    """
    values, order = _wave_values(data, wave)
    if not order:
        raise DataError("crosstab(compare='previous'): no row has a wave (" + (repr(wave) if wave else
                        "'responded_at' is empty") + ")")
    periodic = isinstance(values.dtype, pd.PeriodDtype)
    if current is None:
        cur = order[-1]
    elif wave is None:
        cur = parse_month(current, what="current")
    else:
        cur = _period(current, values.dtype.freq, wave) if periodic else current
    if cur not in order:
        raise DataError(f"crosstab(compare='previous'): no responses in wave {current!r}; the waves are "
                        f"{[str(v) for v in order]}")
    prev = cur - 1 if periodic else (order[order.index(cur) - 1] if order.index(cur) > 0 else None)
    if prev is None or prev not in order:
        raise DataError(f"crosstab(compare='previous'): no responses in the wave before {str(cur)!r} "
                        f"({str(prev) if prev is not None else 'none'}) to compare with; the waves are "
                        f"{[str(v) for v in order]}")
    return (values == cur).fillna(False).to_numpy(bool), (values == prev).fillna(False).to_numpy(bool), \
        str(cur), str(prev)


def _stats(frame: pd.DataFrame) -> dict:
    """What :func:`pair_test` reads, from a long table: value, n_eff, se, share and unit variance."""
    value, se, ne = (frame[c].to_numpy("float64") for c in ("value", "se", "n_eff"))
    return {"value": value, "se": se, "n_eff": ne, "p": value / 100, "var": se * se * ne}


def mark_changes(xt: pd.DataFrame, prev: pd.DataFrame, *, labels, min_n, adjust, loose, strict) -> pd.DataFrame:
    """``xt`` with the :data:`WAVE_COLUMNS` filled from the same cells of ``prev`` (one wave earlier)."""
    key = ["row", "banner", "column"]
    before = prev.drop_duplicates(key).set_index(key).reindex(pd.MultiIndex.from_frame(xt[key]))
    a, b = _stats(xt), _stats(before.reset_index())
    tested = ((a["n_eff"] >= min_n) & (b["n_eff"] >= min_n) & (a["n_eff"] > 1) & (b["n_eff"] > 1)
              & ~np.isnan(a["value"]) & ~np.isnan(b["value"]))
    diff, p = np.full(len(xt), np.nan), np.full(len(xt), np.nan)
    kinds = xt["test"].map(_KIND).to_numpy()
    for kind in dict.fromkeys(kinds):
        idx = np.flatnonzero((kinds == kind) & tested)
        if len(idx):
            diff[idx], p[idx] = pair_test(kind, a, idx, b, idx)
    p_adj = adjust_p(p, method=adjust)
    sig = np.nan_to_num(p_adj, nan=1.0) < loose
    out = xt.copy()
    out["wave"], out["previous_wave"] = labels
    out["previous"] = b["value"]
    out["change"] = np.where(sig & (diff > 0), "up", np.where(sig & (diff < 0), "down", ""))
    out["change_strict"] = np.nan_to_num(p_adj, nan=1.0) < strict
    out["p_change"], out["p_change_adjusted"] = p, p_adj
    return out

