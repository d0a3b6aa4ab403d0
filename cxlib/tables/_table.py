"""Banner tables on an Ibis table (DuckDB, a server table): only the sums leave the database.

Each row's per-respondent values become columns of the table (its score's respondent values, the weight, a
multiple-response question's "answered" flag and its options' selections), each row statistic's sums become
:class:`cxlib.data.Term` s, and every span is one ``GROUP BY`` query (:func:`cxlib.data.group_sums`; the
Total one aggregate). The sums are the ones :func:`~cxlib.tables._cells.sum_terms` gives on a DataFrame, so
every cell, letter and test is finished by the same code. Private to :mod:`cxlib.tables`.
"""

from __future__ import annotations

from dataclasses import replace

from .._checks import need_columns
from ..data import Term, group_sums, selection_expr
from ..errors import DataError, ParameterError
from ..metrics import METRICS
from ..scores import as_scale, respondent_values
from ._cells import ROW_METRICS, Row, _label, _scale_of, score_entries
from ._multi import _sets

__all__ = ["table_cells"]

_W = "_w"


def _base(valid: str) -> dict:
    """n, Σw and Σw² of the rows where ``valid`` is present."""
    return {"n": Term("", present=(valid,), count=True), "sw": Term("", weight=_W, wpow=1, present=(valid,)),
            "sw2": Term("", weight=_W, wpow=2, present=(valid,))}


def _hits(name: str, valid: str, column: str, values) -> dict:
    """Σw and Σw² of the valid rows whose ``column`` takes one of ``values``: ``sw<k>`` and ``sw2<k>``."""
    on = {"present": (valid,), "values": (column, tuple(float(v) for v in values))}
    return {name: Term("", weight=_W, wpow=1, **on), "sw2" + name[2:]: Term("", weight=_W, wpow=2, **on)}


def _first_bad(table, cond, column: str, where: str, what: str) -> None:
    """Raise DataError when ``cond`` flags rows: their count and the first values (by LIMIT)."""
    k = int(table.count(where=cond).execute())
    if k:
        ex = table.filter(cond).select(column).limit(5).execute()[column].tolist()
        raise DataError(f"{where}, column {column!r}: {what}; found other values in {k} row(s), e.g. "
                        f"{', '.join(map(repr, ex))}")


def _weight(table, weight):
    if weight is None:
        return 1.0
    w = table[weight].cast("float64")
    _first_bad(table, w.isnull() | w.isnan() | (w < 0) | (w > 1.7e308), weight, "crosstab",
               "weights must be finite and ≥ 0 on every row")
    return w


def _score_rows(table, rows, metric, scales, top_k) -> tuple[dict, list[Row]]:
    """Each score row's value column (``_v<i>``) and its terms."""
    derived, specs = {}, []
    for i, (score, m) in enumerate(score_entries(table, rows, metric)):
        if m not in ROW_METRICS:
            raise ParameterError(f"The 'metric' parameter of crosstab must be one of {list(ROW_METRICS)}. "
                                 f"Got {m!r} instead.")
        v, kind, k = f"_v{i}", ROW_METRICS[m], top_k
        nps_like = m in ("nps", "pct_promoters", "pct_detractors")
        derived[v] = respondent_values(table, score=score, metric="nps" if nps_like else "mean")
        terms, scale = _base(v), _scale_of(score, scales or {})
        if kind == "nps":
            terms.update(_hits("swp", v, v, [100]), **_hits("swd", v, v, [-100]))
        elif nps_like:
            terms.update(_hits("swk", v, v, [100 if m == "pct_promoters" else -100]))
        elif m == "top_box":
            if scale is None:
                raise ParameterError(f"crosstab: the top box of {score!r} needs its scale: pass scales={{{score!r}: "
                                     f"(min, max)}} (e.g. cfg.scales)")
            scale = as_scale(scale)
            x = derived[v]
            _first_bad(table, x.notnull() & ((x < scale.min) | (x > scale.max)), score, "crosstab",
                       f"expected answers on the {scale.min}–{scale.max} scale")
            boxes = scale.top_box(top_k) if top_k is not None else scale.top_box()
            terms.update(_hits("swk", v, v, boxes))
            k = len(boxes)
        else:
            f = ((v, 0.0),)
            terms.update(swx=Term("", factors=f, weight=_W, wpow=1), swxx=Term("", factors=f * 2, weight=_W, wpow=1),
                         sw2x=Term("", factors=f, weight=_W, wpow=2), sw2xx=Term("", factors=f * 2, weight=_W, wpow=2))
        bounds = None if kind != "mean" or scale is None else (as_scale(scale).min, as_scale(scale).max)
        specs.append(Row(_label(score, m, k), score, m, kind, terms, bounds))
    return derived, specs


def _multi_rows(table, multi, labels) -> tuple[dict, list[Row]]:
    """Each question's "answered" column (``_a<q>``: 1 or null), its options' selections (``_s<q>_<j>``: 1, 0
    or null) and the rows' terms, as :func:`~cxlib.tables._multi.multi_rows` makes them on a DataFrame."""
    import ibis

    labels, sets = labels or {}, _sets(multi)
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
            derived[f"_s{q}_{j}"] = p.fill_null(False).ifelse(1.0, 0.0)
            specs.append(Row(f"{title}: {labels.get(c, c)}", c, "pct_selected", "prop",
                             {**_base(a), **_hits("swk", a, f"_s{q}_{j}", [1])}))
        derived[f"_s{q}_any"] = _any(picked)
        specs.append(Row(f"{title}: any (net)", name, "pct_any", "prop", {**_base(a), **_hits("swk", a, f"_s{q}_any", [1])}))
    return derived, specs


def _any(picked):
    hit = picked[0].fill_null(False)
    for p in picked[1:]:
        hit |= p.fill_null(False)
    return hit.ifelse(1.0, 0.0)


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
    derived, specs = _score_rows(table, rows, metric, scales, top_k) if rows is not None else ({}, [])
    if multi:
        more, extra = _multi_rows(table, multi, labels)
        derived, specs = {**derived, **more}, specs + extra
    t = table.mutate(**derived, **{_W: _weight(table, weight)})
    terms = [replace(term, name=f"r{i}_{key}") for i, row in enumerate(specs) for key, term in row.terms.items()]
    spans, blocks = [("Total", True, ["Total"])], [group_sums(t, terms=terms)]
    for b in banners:
        out = group_sums(t, by=[b], terms=terms)
        spans.append((b, False, out[b].tolist()))
        blocks.append(out)

    def sums(i: int, s: int) -> dict:
        return {key: blocks[s][f"r{i}_{key}"].to_numpy() for key in specs[i].terms}

    return specs, spans, sums
