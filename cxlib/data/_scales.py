"""Every score and driver on its declared scale, checked at load (private to :mod:`cxlib.data`).

One message for the pandas reader and the DuckDB/server reader: the file, each offending column as the
user named it in the file, the off-scale values with their counts over the whole file, where they are
(data rows, 1 = the first row of answers after the header; or ids on a server table) and the fix: a
``missing_codes`` entry when the values are codes for "not rated", or the scale. Only
:mod:`cxlib.data.loading` and :mod:`cxlib.data.engines` import this module.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._checks import examples
from ..errors import DataError
from ..metrics import METRICS
from .config import Scale, TableSpec

__all__ = ["ROW_RULE", "OffScale", "check_scales", "raise_off_scale", "scale_for", "scaled_columns", "table_off_scale"]

#: How data rows are counted in every load message.
ROW_RULE = "data row 1 = the first row of answers after the header"


@dataclass
class OffScale:
    """The off-scale values of one column: ``counts`` value -> rows, ``where`` the first rows or ids."""

    canon: str
    src: str
    scale: Scale
    counts: dict
    where: str
    whole: bool = False   # NPS only: a fraction on the 0-10 scale


def scale_for(name: str, spec: TableSpec, scales: dict[str, Scale]) -> Scale | None:
    """The declared scale of a mapped column: its own entry under ``scales``, or for a driver the shared
    ``scales.drivers`` entry; None for a column without one (ids, text, weights, undeclared drivers)."""
    if name in spec.drivers:
        return scales.get(name) or scales.get("drivers")
    return scales.get(name) if name in spec.columns else None


def scaled_columns(spec: TableSpec, scales: dict[str, Scale]) -> dict[str, Scale]:
    """Canonical (or driver) name -> scale, for every mapped column that has one."""
    names = [*spec.columns, *spec.drivers]
    return {n: s for n in names if (s := scale_for(n, spec, scales)) is not None}


def _label(item: OffScale, spec: TableSpec) -> str:
    kind = "driver " if item.canon in spec.drivers else ""
    return f"column {item.src!r}" + (f" ({kind}{item.canon})" if item.src != item.canon or kind else "")


def _number(v) -> str:
    return f"{float(v):g}" if isinstance(v, (int, float, np.number)) else repr(v)


def raise_off_scale(items: list[OffScale], spec: TableSpec, where: str) -> None:
    """Raise one :class:`~cxlib.errors.DataError` naming every off-scale column (nothing when none)."""
    if not items:
        return
    parts, codes, fixes = [], {}, []
    for it in items:
        total = sum(it.counts.values())
        vals = ", ".join(f"{_number(v)} ({k:,} row{'s' if k != 1 else ''})" for v, k in it.counts.items())
        what = (f"not whole numbers on the {it.scale.min}–{it.scale.max} scale" if it.whole else
                f"off its declared {it.scale.min}–{it.scale.max} scale")
        parts.append(f"{_label(it, spec)}: {total:,} value(s) {what}: {vals}; {it.where}")
        if not it.whole:
            codes[it.src] = sorted(it.counts, key=float)
            scale_key = "drivers" if it.canon in spec.drivers else it.canon
            fixes.append(f"{scale_key}: {{min: {it.scale.min}, max: {it.scale.max}}}")
    fix = ""
    if codes:
        listed = ", ".join(f"{c}: [{', '.join(_number(v) for v in vs)}]" for c, vs in codes.items())
        fix = (f" If these are codes for 'not rated' or 'don't know', declare them in the config: "
               f"'{spec.name}: {{missing_codes: {{{listed}}}}}' (they are then not answers). Otherwise correct "
               f"the values in the file, or the scale under '{spec.name}: scales:' "
               f"({'; '.join(dict.fromkeys(fixes))} now).")
    raise DataError(f"{where}: " + ". ".join(parts) + "." + fix)


def check_scales(data: pd.DataFrame, spec: TableSpec, scales: dict[str, Scale], where: str) -> None:
    """Raise for every mapped score or driver of a loaded table that lies off its scale (and NPS answers
    that are not whole numbers), counted over the whole file with the first data rows listed.

    Examples
    --------
    >>> spec = TableSpec("responses", None, {"csat": "Sat"}, drivers={"food": "Q_Food"})
    >>> df = pd.DataFrame({"csat": [5.0, 4.0, 1.0], "food": [0.0, 3.0, 0.0]})
    >>> check_scales(df, spec, {"csat": Scale(1, 5), "drivers": Scale(1, 5)}, "responses file r.csv")
    Traceback (most recent call last):
    ...
    cxlib.errors.DataError: responses file r.csv: column 'Q_Food' (driver food): 2 value(s) off its declared 1–5 scale: 0 (2 rows); data rows 1, 3 (data row 1 = the first row of answers after the header). If these are codes for 'not rated' or 'don't know', declare them in the config: 'responses: {missing_codes: {Q_Food: [0]}}' (they are then not answers). Otherwise correct the values in the file, or the scale under 'responses: scales:' (drivers: {min: 1, max: 5} now).
    """
    mapping = {**spec.columns, **spec.drivers}
    items = []
    for name, scale in scaled_columns(spec, scales).items():
        if name not in data:
            continue
        s = data[name]
        off = (s.notna() & ((s < scale.min) | (s > scale.max))).to_numpy(dtype=bool)
        whole = name in METRICS and METRICS[name].integer and not off.any()
        if whole:
            off = (s.notna() & ~np.isclose(s.fillna(0) % 1, 0)).to_numpy(dtype=bool)
        if off.any():
            flagged = np.flatnonzero(off) + 1
            counts = s[off].value_counts(sort=False).sort_index()
            items.append(OffScale(name, mapping[name], scale, {float(v): int(k) for v, k in counts.items()},
                                  f"data rows {examples(flagged.tolist())} ({ROW_RULE})", whole=whole))
    raise_off_scale(items, spec, where)


def table_off_scale(raw, name: str, off, expr, src: str, scale: Scale, ids) -> OffScale:
    """One off-scale column of a table: its values counted (one GROUP BY) and the first ids."""
    hit = raw.filter(off)
    found = hit.group_by(value=expr).aggregate(k=lambda t: t.count()).order_by("value").execute()
    where = "no id column to name the rows"
    if ids is not None:
        shown = hit.select(ids[0].name(ids[1])).limit(6).execute()[ids[1]].tolist()
        more = " and more" if len(shown) > 5 else ""
        where = f"ids (column {ids[1]!r}) {', '.join(map(str, shown[:5]))}{more}"
    return OffScale(name, src, scale, {float(v): int(k) for v, k in zip(found["value"], found["k"])}, where)
