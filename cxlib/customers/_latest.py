"""A customer's latest answer, defined once for health, the churn features and the follow-up list, on
DataFrames and on every database; and the NPS category of an answer, read from the metric registry.

The order: ``responded_at``, then ``response_id`` (a missing id counts as the lowest: ``""`` for text ids,
the smallest integer for whole-number ids), then the answer itself. A customer's latest answer of a score
is the last answer in that order among their responses with that score: the latest date; among responses
at the same instant (exports with dates but no times: several on one day) the highest response id;
without a ``response_id`` column (or among responses without one) the highest answer. Text ids compare
character by character (code points: ``"R10" < "R9"``), on PostgreSQL too whatever the database's
collation. Private to :mod:`cxlib.customers`.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from ..metrics import get_metric

__all__ = ["backend_name", "latest_answers", "latest_order", "latest_rows", "latest_value", "nps_category",
           "nps_category_expr", "nps_cuts"]

_LOWEST_INT = np.iinfo("int64").min


def nps_cuts() -> tuple[float, float]:
    """The lowest promoter answer and the highest detractor answer of the registry's NPS (9 and 6)."""
    points = get_metric("nps").points
    return float(min(points["promoters"])), float(max(points["detractors"]))


def nps_category(values: pd.Series) -> np.ndarray:
    """"promoter", "passive", "detractor" or "no response" (NaN) for each 0-10 answer."""
    top, bottom = nps_cuts()
    x = values.astype("float64")
    return np.select([x >= top, x <= bottom, x.notna()], ["promoter", "detractor", "passive"], "no response")


def nps_category_expr(x):
    """:func:`nps_category` as an Ibis expression."""
    import ibis

    top, bottom = nps_cuts()
    return ibis.cases((x.isnull(), "no response"), (x >= top, "promoter"), (x <= bottom, "detractor"),
                      else_="passive")


def _id_key(ids: pd.Series) -> pd.Series:
    """Response ids as a sort key with a missing id lowest."""
    if pd.api.types.is_numeric_dtype(ids) and not pd.api.types.is_bool_dtype(ids):
        return ids.astype("float64").fillna(-np.inf) if ids.hasnans else ids
    return ids.astype("object").where(ids.notna(), "").astype("str")


def latest_rows(frame: pd.DataFrame, score: str | None = None, *, require: bool = True) -> pd.DataFrame:
    """Each customer's last row of ``frame`` in the order of the module docstring (``score`` the answer
    that breaks ties last; with ``require``, among the rows that have it), in customer order."""
    rows = frame[frame[score].notna()] if score is not None and require else frame
    keys = pd.DataFrame({"_c": rows["customer_id"], "_t": rows["responded_at"]}, index=rows.index)
    if "response_id" in rows:
        keys["_i"] = _id_key(rows["response_id"])
    if score is not None:
        keys["_x"] = rows[score].astype("float64")
    order = keys.sort_values(list(keys.columns), na_position="first", kind="stable").index
    last = ~keys.loc[order, "_c"].duplicated(keep="last")
    return rows.loc[order[last.to_numpy()]]


def backend_name(table) -> str | None:
    """The name of the backend a table lives on (None when it cannot be told)."""
    from ibis.common.exceptions import IbisError

    try:
        return table.get_backend().name
    except IbisError:   # an unbound table: no backend to name
        return None


def _id_expr(r, backend: str | None):
    """The response id of table ``r`` as an Ibis sort key, a missing id lowest (None without the column)."""
    import ibis

    if "response_id" not in r.columns:
        return None
    ids = r.response_id
    if ids.type().is_integer():
        return ids.cast("int64").fill_null(ibis.literal(_LOWEST_INT, type="int64"))
    ids = ids.cast("string").fill_null("")
    return _utf8_bytes(ids, "UTF8") if backend == "postgres" else ids   # bytes: code-point order


@functools.cache
def _pg_bytes():
    import ibis

    @ibis.udf.scalar.builtin(name="convert_to")
    def convert_to(text: str, encoding: str) -> bytes:
        """PostgreSQL's ``convert_to``: the text's bytes, which sort in code-point order for UTF-8."""

    return convert_to


def _utf8_bytes(ids, encoding):
    return _pg_bytes()(ids, encoding)


def latest_order(r, score: str | None = None, backend: str | None = None) -> list:
    """The Ibis sort keys of the order, last first (for a window's ``order_by`` or an ordered aggregate)."""
    keys = [r.responded_at.desc()]
    ids = _id_expr(r, backend)
    if ids is not None:
        keys.append(ids.desc())
    if score is not None:
        keys.append(r[score].cast("float64").desc())
    return keys


@functools.cache
def _arg_max(key_type: str):
    """DuckDB's ``arg_max`` for a key of ``key_type`` as an Ibis aggregate (it skips rows whose value is NULL)."""
    import ibis

    @ibis.udf.agg.builtin(name="arg_max", signature=(("float64", key_type), "float64"))
    def arg_max(arg, key):
        """The value of ``arg`` at the largest ``key``."""

    return arg_max


def latest_value(r, score: str, backend: str | None):
    """Each group's latest answer of ``score`` in table ``r`` as an Ibis aggregate (NULL without one).

    DuckDB: ``arg_max(x, {t, id, x})``, a struct key compared field by field (Spark: ``max_by`` on the same
    struct; text compares by bytes there too); elsewhere the first of the
    answers ordered by :func:`latest_order` (PostgreSQL: ``(ARRAY_AGG(x ORDER BY ...))[1]``)."""
    import ibis

    x = r[score].cast("float64")
    if backend in ("duckdb", "pyspark"):
        fields = {"t": r.responded_at}
        ids = _id_expr(r, backend)
        if ids is not None:
            fields["i"] = ids
        fields["x"] = x
        key = ibis.struct(fields)
        if backend == "pyspark":   # max_by on a struct (no ordered collect_list there)
            return x.argmax(key, where=x.notnull())
        return _arg_max(str(key.type()))(x, key)
    return x.collect(order_by=latest_order(r, score, backend))[0]   # NULLs left out



def latest_answers(r, scores: list[str], aggs: dict, backend: str | None):
    """``r`` grouped by ``customer_id`` with the aggregates ``aggs`` and each score's latest answer
    (``<score>_latest``, :func:`latest_value`), in one pass.

    On DuckDB the struct key costs CPU: the GROUP BY of 10M responses by 2.5M customers took 24.8 s of CPU
    against 6.2 s for the former ``arg_max(x, t)`` that kept an arbitrary tied answer (2 threads, 625 MB;
    benchmarks/bench_latest_answer.py). Two passes (each score's latest date per customer, then only the
    responses at those dates) took 12.0-14.1 s but ran out of memory inside the report's customer query at
    its 312 MB, and so did storing their result first."""
    return r.group_by("customer_id").aggregate(**aggs, **{f"{s}_latest": latest_value(r, s, backend)
                                                         for s in scores})
