"""Banner tables on an Ibis table (DuckDB, a server table): only the sums leave the database.

Each row's per-respondent values become columns of the table (its score's respondent values, the weight, a
multiple-response question's "answered" flag and its options' selections as 0/1), each row statistic's sums
become :class:`cxlib.data.Term` s (plain SUMs of products; a base shared by rows summed once), and one scan
grouped by every banner at once gives every span's sums (:func:`cxlib.data.group_sums`; one query per span
when the banners' cross product is large). The sums are the ones :func:`~cxlib.tables._cells.sum_terms`
gives on a DataFrame, so every cell, letter and test is finished by the same code. Private to
:mod:`cxlib.tables`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from .._checks import need_columns
from ..data import Term, group_sums, option_sets, selection_expr, table_weight
from ..errors import DataError, ParameterError
from ..metrics import METRICS
from ..scores import as_scale, respondent_values
from ._cells import ROW_METRICS, Row, _label, _scale_of, score_entries, top_boxes
from ._multi import NET

__all__ = ["table_cells"]

_W = "_w"
#: Most groups of the banners' cross product summed in one scan (beyond it, one query per banner).
MOST_GROUPS = 200_000


def _sums(name: str, cols: tuple, w: str | None) -> dict:
    """Σw and Σw² of the product of the 0/1 columns ``cols`` (plain SUMs, no FILTER): ``sw<k>`` and ``sw2<k>``;
    without weights one term (Σw = Σw² = the count), summed once."""
    f = tuple((c, 0.0) for c in cols)
    return {name: Term("", factors=f, weight=w, wpow=1 if w else 0),
            "sw2" + name[2:]: Term("", factors=f, weight=w, wpow=2 if w else 0)}


def _base(flag: str, w: str | None) -> dict:
    """n, Σw and Σw² of the rows where ``flag`` (1 or null) is present."""
    return {"n": Term("", present=(flag,), count=True), **_sums("sw", (flag,), w)}


def _ones(cond):
    """A condition as a 0/1 float column (null counts as 0)."""
    return cond.fill_null(False).ifelse(1.0, 0.0)


def _first_bad(table, cond, column: str, where: str, what: str) -> None:
    """Raise DataError when ``cond`` flags rows: their count and the first values (by LIMIT)."""
    k = int(table.count(where=cond).execute())
    if k:
        ex = table.filter(cond).select(column).limit(5).execute()[column].tolist()
        raise DataError(f"{where}, column {column!r}: {what}; found other values in {k} row(s), e.g. "
                        f"{', '.join(map(repr, ex))}")


def _score_rows(table, rows, metric, scales, top_k, w) -> tuple[dict, list[Row]]:
    """Each score row's value column (``_v<i>``), answered flag (``_f<i>``), 0/1 indicators (``_k<i>``,
    ``_p<i>``, ``_d<i>``) and its terms."""
    import ibis

    derived, specs = {}, []
    for i, (score, m) in enumerate(score_entries(table, rows, metric)):
        v, kind, k = f"_v{i}", ROW_METRICS[m], top_k
        nps_like = m in ("nps", "pct_promoters", "pct_detractors")
        x = derived[v] = respondent_values(table, score=score, metric="nps" if nps_like else "mean")
        derived[f"_f{i}"] = x.notnull().ifelse(1.0, ibis.null("float64"))
        terms, scale = _base(f"_f{i}", w), _scale_of(score, scales or {})
        if kind == "nps":
            derived[f"_p{i}"], derived[f"_d{i}"] = _ones(x == 100.0), _ones(x == -100.0)
            terms.update(_sums("swp", (f"_p{i}",), w), **_sums("swd", (f"_d{i}",), w))
        elif nps_like:
            derived[f"_k{i}"] = _ones(x == (100.0 if m == "pct_promoters" else -100.0))
            terms.update(_sums("swk", (f"_k{i}",), w))
        elif m == "top_box":
            scale, boxes = top_boxes(score, scales or {}, top_k)
            _first_bad(table, x.notnull() & ((x < scale.min) | (x > scale.max)), score, "crosstab",
                       f"expected answers on the {scale.min}–{scale.max} scale")
            derived[f"_k{i}"] = _ones(x.isin([float(b) for b in boxes]))
            terms.update(_sums("swk", (f"_k{i}",), w))
            k = len(boxes)
        else:
            f, k1, k2 = ((v, 0.0),), (1 if w else 0), (2 if w else 0)
            terms.update(swx=Term("", factors=f, weight=w, wpow=k1), swxx=Term("", factors=f * 2, weight=w, wpow=k1),
                         sw2x=Term("", factors=f, weight=w, wpow=k2), sw2xx=Term("", factors=f * 2, weight=w, wpow=k2))
        bounds = None if kind != "mean" or scale is None else (as_scale(scale).min, as_scale(scale).max)
        specs.append(Row(_label(score, m, k), score, m, kind, terms, bounds))
    return derived, specs


def _multi_rows(table, multi, labels, w) -> tuple[dict, list[Row]]:
    """Each question's "answered" column (``_a<q>``: 1 or null), its options' selections (``_s<q>_<j>``: 1, 0
    or null) and the rows' terms, as :func:`~cxlib.tables._multi.multi_rows` makes them on a DataFrame."""
    import ibis

    labels, sets = labels or {}, option_sets(multi, func="crosstab")
    need_columns(table, [c for cols in sets.values() for c in cols], where="crosstab")
    derived, specs = {}, []
    for q, (name, cols) in enumerate(sets.items()):
        picked = []
        for c in cols:
            out, bad = selection_expr(table[c], table[c].cast("string").strip())
            if bad is not None:
                _first_bad(table, bad, c, "crosstab", "a multiple-response option must be selected or not (1/0, "
                           "true/false, yes/no, selected/not selected); recode any other value")
            picked.append(out)
        answered = picked[0].notnull()
        for p in picked[1:]:
            answered |= p.notnull()
        a = f"_a{q}"
        derived[a] = answered.ifelse(1.0, ibis.null("float64"))
        title = labels.get(name, name)
        for j, (c, p) in enumerate(zip(cols, picked)):
            derived[f"_s{q}_{j}"] = _ones(p)
            specs.append(Row(f"{title}: {labels.get(c, c)}", c, "pct_selected", "prop",
                             {**_base(a, w), **_sums("swk", (a, f"_s{q}_{j}"), w)}))
        chosen = picked[0].fill_null(False)
        for p in picked[1:]:
            chosen |= p.fill_null(False)
        derived[f"_s{q}_any"] = _ones(chosen)
        specs.append(Row(title + NET, name, "pct_any", "prop", {**_base(a, w), **_sums("swk", (a, f"_s{q}_any"), w)}))
    return derived, specs


def _blocks(t, banners: list[str], terms: list[Term]) -> list:
    """The Total's sums, then each span's (sorted by its values; rows with none left out): one scan grouped by
    every banner at once when their cross product has at most :data:`MOST_GROUPS` groups (sums add: each
    span's are its groups' totals), else one query per span."""
    names = [x.name for x in terms]
    sizes = t.aggregate(**{b: t[b].nunique() for b in banners}).execute().iloc[0]
    if np.prod([int(sizes[b]) + 1 for b in banners], dtype=float) > MOST_GROUPS:
        return [group_sums(t, terms=terms)] + [group_sums(t, by=[b], terms=terms) for b in banners]
    cells = group_sums(t, by=banners, terms=terms, keep_missing_keys=True)
    total = pd.DataFrame({c: [cells[c].sum()] for c in names})
    return [total] + [cells.groupby(b, sort=True)[names].sum().reset_index() for b in banners]


def table_cells(table, *, rows, banners, metric, weight, scales, top_k, multi, labels):
    """The rows of a banner table on ``table`` and each span's sums.

    Returns the rows (:class:`~cxlib.tables._cells.Row` whose ``terms`` are ``Term`` s), the spans as
    ``(name, is_total, values)`` and a function ``sums(row_index, span_index)`` giving that cell block's
    sums (arrays, one entry per column), as :func:`~cxlib.tables._cells.sum_terms` gives them.
    """
    need_columns(table, banners + ([weight] if weight else []), where="crosstab")
    if isinstance(rows, str) and rows in table.columns and not table[rows].type().is_numeric():
        raise ParameterError(f"crosstab: the column percentages of {rows!r} run on a DataFrame; on a database table "
                             "rows= takes score columns (or pull the rows first with cxlib.data.to_frame)")
    if rows is None and not multi:   # every canonical score with an answer (one query)
        there = [m for m in METRICS if m in table.columns]
        counts = table.aggregate(**{m: table[m].count() for m in there}).execute().iloc[0] if there else {}
        rows = [m for m in there if int(counts[m])]
    w = _W if weight else None
    derived, specs = _score_rows(table, rows, metric, scales, top_k, w) if rows is not None else ({}, [])
    if multi:
        more, extra = _multi_rows(table, multi, labels, w)
        derived, specs = {**derived, **more}, specs + extra
    t = table.mutate(**derived, **({_W: table_weight(table, weight, where="crosstab")} if weight else {}))
    unique = {term: f"t{j}" for j, term in enumerate(dict.fromkeys(tm for row in specs for tm in row.terms.values()))}
    terms = [replace(term, name=name) for term, name in unique.items()]   # a base shared by rows summed once
    blocks = _blocks(t, banners, terms)
    spans = [("Total", True, ["Total"])] + [(b, False, out[b].tolist()) for b, out in zip(banners, blocks[1:])]

    def sums(i: int, s: int) -> dict:
        return {key: blocks[s][unique[term]].to_numpy() for key, term in specs[i].terms.items()}

    return specs, spans, sums
