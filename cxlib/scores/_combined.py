"""Several scores' sums per period from one table in few queries: histograms of their answer combinations.

The report asks for every score's month sums at once (:func:`cxlib.scores.month_sums`); each query here
groups by the combination of the scores' answers (and the period) and each score's sums are the margins of
that histogram, the same as its own query gives (:mod:`._sums`). Private to :mod:`cxlib.scores`.
"""

from __future__ import annotations

from .._checks import need_columns
from ..data import Term, group_sums, is_table
from ..errors import DataError
from ..metrics import get_metric
from ._sums import _from_histogram, _table_inputs, _table_xw, _terms, score_sums

__all__ = ["MAX_COMBINATIONS", "scores_sums"]

#: Most answer combinations one shared histogram is planned for (the product of the scores' whole points on their
#: scales, e.g. NPS x CSAT x CES = 11 x 5 x 7 = 385): a score that would take it beyond is summed in the next
#: query (a 0–100 rating joined to those three made up to 101 times more rows to pull and add up).
MAX_COMBINATIONS = 5_000


def _batches(specs: list[dict]) -> list[list[int]]:
    """The positions of ``specs`` in groups summed by one query each: in order, a score joins the current group
    while the product of the groups' whole points (``Scale.values``) stays within :data:`MAX_COMBINATIONS`.
    (Answers between the points, allowed for CSAT, CES and ratings, make more combinations than planned.)"""
    out, size = [], 0
    for i, sp in enumerate(specs):
        points = max(len(sp["scale"].values), 1)
        if out and size * points <= MAX_COMBINATIONS:
            out[-1].append(i)
            size *= points
        else:
            out.append([i])
            size = points
    return out


def _tables_sums(table, specs: list[dict], weight, period, date_col) -> list:
    """:func:`_table_sums` of several scores of one table (one weight), in as few histograms of their answer
    combinations per period as :func:`_batches` plans; each score's sums, or the DataError its checks raised
    (a missing or text column among them: that score only)."""
    out: list = [None] * len(specs)
    ready = {}
    for i, sp in enumerate(specs):
        out[i] = _or_error(lambda sp=sp: (
            _table_inputs(table, sp["score"], [], weight, sp["scale"], sp["integer"], sp["metric"], date_col),
            _table_xw(table, sp["score"], weight, sp["scale"], sp["metric"])))
        if not isinstance(out[i], DataError):
            ready[i] = out[i]
    keep = list(ready)
    for batch in _batches([specs[i] for i in keep]):
        chosen = [keep[j] for j in batch]
        got = _batch_sums(table, [(specs[i], *ready[i]) for i in chosen], weight, period)
        for i, sums in zip(chosen, got):
            out[i] = sums
    return out


def _batch_sums(table, specs: list[tuple], weight, period) -> list:
    """One histogram of the answer combinations of ``specs`` (each: the spec, its checked table, its answer
    and weight expressions) per period: each score's histogram is its margin (Σw over the rows answering it;
    an answer without a weight is missing, as for one score), so every sum is the one the score's own query
    gives. A score failing its checks gives its DataError, not the others'."""
    inputs = [t for _, t, _ in specs]
    xw = [xw for _, _, xw in specs]
    specs = [sp for sp, _, _ in specs]
    keys, w = {f"_x{i}": x for i, (x, _) in enumerate(xw)}, xw[0][1]
    terms = [Term("_cnt", count=True), Term("_sw", weight="_w", wpow=1), Term("_sw2", weight="_w", wpow=2)]
    if weight:
        terms.append(Term("_badw", present=("_w",), outside=("_w", 0.0, 1.7e308, False), count=True))
    combos = group_sums(table.mutate(**keys, _w=w), by=list(keys), terms=terms, period=period,
                        keep_missing_keys=True)
    out = []
    for i, (sp, t) in enumerate(zip(specs, inputs)):
        h = combos.groupby([*(["period"] if period else []), f"_x{i}"], dropna=False, sort=True)[
            [tm.name for tm in terms]].sum().reset_index().rename(columns={f"_x{i}": "_x"})
        unanswered = h["_x"].isna()
        h.loc[unanswered, [tm.name for tm in terms[1:]]] = 0    # their weights count for no sum of this score
        try:
            out.append(_from_histogram(h, t, sp["metric"], sp["terms"], sp["score"], [], weight, sp["scale"],
                                       sp["integer"], period))
        except DataError as exc:
            out.append(exc)
    return out


def _or_error(compute):
    """``compute()``, or the DataError it raised."""
    try:
        return compute()
    except DataError as exc:
        return exc


def scores_sums(data, specs: list[dict], *, weight, period=None, date_col: str | None = None) -> list:
    """:func:`score_sums` of several scores (``specs``: dicts of ``metric``, ``score``, ``scale``, ``top_k``)
    sharing one weight, per group of ``period``: on a table in as few queries as :data:`MAX_COMBINATIONS`
    allows, on a DataFrame one score at a time. Each score's sums, or the DataError its checks raised (one
    score's bad answers do not take the others' sums with them)."""
    if not is_table(data):
        return [_or_error(lambda sp=sp: score_sums(data, sp["metric"], score=sp["score"], by=[], weight=weight,
                                                   scale=sp["scale"], top_k=sp["top_k"], period=period,
                                                   date_col=date_col)) for sp in specs]
    need_columns(data, [date_col] if date_col else [], where="scores_sums")
    full = [{**sp, "integer": get_metric(sp["metric"]).integer,
             "terms": _terms(sp["metric"], sp["scale"], sp["top_k"], (sp["scale"].min + sp["scale"].max) / 2)}
            for sp in specs]
    return _tables_sums(data, full, weight, period, date_col)
