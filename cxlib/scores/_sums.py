"""Sufficient statistics of the score tables: validated answers summed per group, then finished.

Every score in :mod:`cxlib.scores.metrics` and :mod:`cxlib.scores.means` is a function of a few group
sums (n, Σw, Σw², Σw·(x − c), Σw·(x − c)² with c the scale's midpoint, the same weighted by w² for the
linearised variance, and weighted counts of scale points), declared once as :class:`cxlib.data.Term` and evaluated by :func:`cxlib.data.group_sums` on a
DataFrame (one ``groupby().sum()``) or on an Ibis table (one ``GROUP BY`` query on DuckDB, PostgreSQL,
Spark, ...; the checks ride in the same query). The finishing arithmetic runs in pandas on the small
result, the same for every engine. Private to :mod:`cxlib.scores`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import check_frame, check_weights, describe_rows, need_columns
from ..data import Scale, Term, group_sums, is_table
from ..errors import DataError
from ..metrics import estimate, finish_interval, get_metric

__all__ = ["as_scale", "default_scale", "finish", "indicators", "mean_columns", "score_sums", "share_columns",
           "sum_columns", "table_scale", "validate", "y_sums"]


def validate(data, score: str, by: list[str], weight: str | None, scale: Scale, *, integer: bool = False,
             where: str) -> tuple[np.ndarray, np.ndarray]:
    """Check the input; return the scores (float, NaN = not answered) and the weights (1 without any).

    An answer whose weight is missing counts as unanswered in weighted figures (``n`` leaves it out).
    """
    check_frame(data, where=where)
    need_columns(data, [score, *by] + ([weight] if weight else []), where=where)
    if len(data) == 0:
        raise DataError(f"{where}: no rows to score: the data given for column {score!r} are empty")
    col = data[score]
    if not (pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)):
        num = pd.to_numeric(col, errors="coerce")
        bad = num.isna() & col.notna()
        if bad.any():
            raise DataError(f"{where}: column {score!r}: expected numbers on the {scale.min}–{scale.max} "
                            f"scale, found text in {describe_rows(bad, col)}")
        col = num
    x = col.to_numpy(dtype="float64", na_value=np.nan)
    outside = ~np.isnan(x) & ((x < scale.min) | (x > scale.max))
    if integer:
        outside |= ~np.isnan(x) & (x % 1 != 0)
    if outside.any():
        kind = "whole-number " if integer else ""
        raise DataError(f"{where}: column {score!r}: expected {kind}scores on the {scale.min}–{scale.max} "
                        f"scale; outside it in {describe_rows(pd.Series(outside, index=data.index), col)}")
    if not weight:
        return x, np.ones(len(x))
    w = pd.to_numeric(data[weight], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    w = check_weights(data, weight, used=~np.isnan(x) & ~np.isnan(w), where=where, what=f"{score!r} is answered")
    x = np.where(np.isnan(w), np.nan, x)    # an answer without a weight is left out of weighted figures
    return x, w


def finish(s: pd.DataFrame, by: list[str], counts: list[str], cols: list[str], min_n: int,
           suppress: bool) -> pd.DataFrame:
    """Add ``small_base`` and ``note`` (``n_eff`` set by the score's :func:`cxlib.metrics.estimate`); blank
    empty (and, if asked, small) groups."""
    s["n_eff"] = s["n_eff"].fillna(0.0)
    s["small_base"] = s["n_eff"] < min_n
    empty = s["sw"] <= 0
    small = "small base: n_eff " + s["n_eff"].round(0).astype("int64").astype("str") + f" < {min_n}"
    note = np.where(s["n"] == 0, "no answers in this group",
                    np.where(empty, "all weights are zero", np.where(s["small_base"], small, "")))
    s["note"] = pd.Series(note, index=s.index, dtype="str")
    blank = empty | (s["small_base"] & suppress)
    s.loc[blank & ~empty, "note"] = s["note"] + " (suppressed)"
    s.loc[blank, cols] = np.nan
    s["n"] = s["n"].astype("int64")
    return s[by + ["n", "n_eff", *counts, *cols, "small_base", "note"]].reset_index(drop=True)


def as_scale(scale, default: Scale | None = None) -> Scale:
    """A :class:`~cxlib.data.Scale` from a Scale, a ``(min, max[, higher_is_better[, top_k]])`` tuple or None.

    A tuple without ``top_k`` takes the top box of ``default`` (the metric's default scale).

    Examples
    --------
    >>> as_scale((1, 7, False)).top_box(3)
    [1, 2, 3]
    """
    if scale is None:
        if default is None:
            raise ValueError("a scale is needed: pass scale=Scale(min, max) or (min, max)")
        return default
    if isinstance(scale, Scale):
        return scale
    try:
        parts = tuple(scale)
        if default is not None and len(parts) < 4:   # a (min, max[, direction]) tuple keeps the metric's top box
            return Scale(*parts, top_k=default.top_k)
        return Scale(*parts)
    except TypeError:
        raise ValueError(f"scale must be a Scale or a (min, max[, higher_is_better]) tuple, got {scale!r}") from None


def default_scale(metric: str) -> Scale | None:
    """A registered metric's default :class:`~cxlib.data.Scale` (None for a rating: the config gives it)."""
    spec = get_metric(metric).scale
    return None if spec is None else Scale(*spec)


def table_scale(metric: str, scale) -> Scale:
    """The scale a metric's answers are checked against: its own where the definition fixes it (NPS 0–10,
    yes/no 0/1), else the given scale (a tuple, a Scale, or None for the metric's default)."""
    m = get_metric(metric)
    if m.fixed_scale:
        own = default_scale(metric)
        if scale is None or metric == "recommend":
            return own
        scale = as_scale(scale, own)
        if (scale.min, scale.max) != (own.min, own.max):
            raise ValueError(f"{m.label} is defined on the {own.min}–{own.max} scale; got {scale.min}–{scale.max}. "
                             f"Use csat() or rating() for other scales.")
        return scale
    if scale is None and m.scale is None:
        raise DataError(f"{metric}: the answer scale is needed (pass scale=cfg.scales[{metric!r}] or (min, max))")
    return as_scale(scale, default_scale(metric))


def mean_columns(s: pd.DataFrame, name: str, confidence: float, scale: Scale, variance: str = "kish") -> None:
    """Weighted mean ``name``, ``sd``, ``se``, ``n_eff`` and its t interval (n_eff − 1 df, clipped to the
    scale) from the sums of the answers centred at the scale's midpoint (:func:`cxlib.metrics.estimate`)."""
    e = estimate("mean", n=s["n"], sw=s["sw"], sw2=s["sw2"], swy=s["swx"], swyy=s["swxx"], sw2y=s.get("sw2x"),
                 sw2yy=s.get("sw2xx"), variance=variance)
    s[name], s["sd"], s["se"] = (scale.min + scale.max) / 2 + e["mean"], np.sqrt(e["unit_var"]), e["se"]
    s["n_eff"] = e["n_eff"]
    s["ci_low"], s["ci_high"] = finish_interval(get_metric(name), value=s[name], se=s["se"], n_eff=e["n_eff"],
                                                confidence=confidence, scale=(scale.min, scale.max))


def share_columns(s: pd.DataFrame, name: str, key: str, confidence: float, variance: str = "kish") -> None:
    """Weighted share ``name`` (%) of ``s[key] / s["sw"]`` with its se, ``n_eff`` and Wilson interval."""
    sq = "sw2" + key[2:]
    e = estimate("share", n=s["n"], sw=s["sw"], sw2=s["sw2"], swy=s[key], swyy=s[key], sw2y=s.get(sq),
                 sw2yy=s.get(sq), variance=variance)
    s[name], s["se"], s["n_eff"] = 100 * e["mean"], 100 * e["se"], e["n_eff"]
    s["ci_low"], s["ci_high"] = finish_interval(get_metric(name), value=s[name], se=s["se"],
                                                n_eff=np.where(s["sw"] > 0, e["n_eff"], 0.0), confidence=confidence)


def y_sums(s, metric: str) -> tuple:
    """``(Σw·y, Σw·y², Σw²·y, Σw²·y²)`` of a metric's per-respondent value y (+1/0/−1 for a net score, 0/1
    for a share, the centred answer for a mean) from its group sums: what :func:`cxlib.metrics.estimate`
    and the linearised contrasts take."""
    m = get_metric(metric)
    if m.kind == "net":
        top, bottom = m.counts[0], m.counts[-1]
        t, b, t2, b2 = s[f"sw_{top}"], s[f"sw_{bottom}"], s[f"sw2_{top}"], s[f"sw2_{bottom}"]
        return t - b, t + b, t2 - b2, t2 + b2
    if m.kind == "share":
        k = m.counts[0]
        return s[f"sw_{k}"], s[f"sw_{k}"], s[f"sw2_{k}"], s[f"sw2_{k}"]
    return s["swx"], s["swxx"], s["sw2x"], s["sw2xx"]


def indicators(metric: str, scale: Scale, top_k=None) -> dict[str, list]:
    """The answer points each count of a metric takes (NPS categories, a top box, yes)."""
    m = get_metric(metric)
    return m.point_sets(scale.top_box(top_k) if m.kind != "net" else [])


def sum_columns(metric: str) -> list[str]:
    """The sum columns of a metric's group sums (counts and float sums), e.g. for subtracting tables."""
    names = get_metric(metric).counts
    return ["n", "sw", "sw2", "swx", "swxx", "sw2x", "sw2xx", *names, *(f"sw_{k}" for k in names),
            *(f"sw2_{k}" for k in names)]


def _terms(metric: str, scale: Scale, top_k, centre: float) -> list[Term]:
    """The sums of a metric. ``_x`` and ``_w`` are missing together (an answer without a weight, or a weight
    without an answer, counts nowhere), so a sum of ``_w`` needs no row filter (SUM skips missing values)."""
    terms = [Term("n", present=("_x",), count=True), Term("sw", weight="_w", wpow=1),
             Term("sw2", weight="_w", wpow=2),
             Term("swx", factors=(("_x", centre),), weight="_w", wpow=1),
             Term("swxx", factors=(("_x", centre), ("_x", centre)), weight="_w", wpow=1),
             # Σw²·y and Σw²·y²: the linearised (Taylor) variance of each weighted score (cxlib.metrics.estimate)
             Term("sw2x", factors=(("_x", centre),), weight="_w", wpow=2),
             Term("sw2xx", factors=(("_x", centre), ("_x", centre)), weight="_w", wpow=2)]
    for name, points in indicators(metric, scale, top_k).items():
        terms += [Term(name, values=("_x", tuple(points)), count=True),
                  Term(f"sw_{name}", weight="_w", wpow=1, values=("_x", tuple(points))),
                  Term(f"sw2_{name}", weight="_w", wpow=2, values=("_x", tuple(points)))]
    return terms


def _table_inputs(table, score: str, by: list[str], weight: str | None, scale: Scale, integer: bool,
                  where: str, date_col: str | None):
    """The score and weight of an Ibis table as ``_x``/``_w`` columns, missing together."""
    import ibis

    need_columns(table, [score, *by] + ([weight] if weight else []) + ([date_col] if date_col else []), where=where)
    x, w = _table_xw(table, score, weight, scale, where)
    return table.mutate(_x=x).mutate(_w=lambda t: t._x.isnull().ifelse(ibis.null("float64"), w))


def _table_xw(table, score: str, weight: str | None, scale: Scale, where: str):
    """The answers as float (missing where the weight is) and the weights, as expressions on ``table``."""
    import ibis

    kind = table[score].type()
    if not (kind.is_numeric() or kind.is_boolean()):
        raise DataError(f"{where}: column {score!r}: expected numbers on the {scale.min}–{scale.max} scale, "
                        f"the table holds {kind}")
    x = table[score].ifelse(1.0, 0.0) if kind.is_boolean() else table[score].cast("float64")
    if kind.is_boolean():   # keep missing answers missing
        x = table[score].isnull().ifelse(ibis.null("float64"), x)
    w = table[weight].cast("float64") if weight else ibis.literal(1.0)
    if weight:
        x = w.isnull().ifelse(ibis.null("float64"), x)   # an answer without a weight is left out
    return x, w


def _table_sums(table, metric, terms, score, by, weight, scale, integer, period, window, date_col,
                keep_missing=False) -> pd.DataFrame:
    """A table's sums from its histogram: rows, Σw and Σw² per group and answer value, in one ``GROUP BY``.

    Answers take few distinct values (the scale's points), so the histogram is small; every term follows
    from it exactly (Σw·(x − c) = Σ over values of (x − c)·Σw), and the checks (rows, off-scale answers,
    bad weights) ride in the same query. It keeps groups with a missing key for the checks.
    """
    t = _table_inputs(table, score, by, weight, scale, integer, metric, date_col)
    hist_terms = [Term("_cnt", count=True), Term("_sw", weight="_w", wpow=1), Term("_sw2", weight="_w", wpow=2)]
    if weight:
        hist_terms.append(Term("_badw", present=("_x",), outside=("_w", 0.0, 1.7e308, False), count=True))
    h = group_sums(t, by=[*by, "_x"], terms=hist_terms, period=period, window=window, keep_missing_keys=True)
    return _from_histogram(h, t, metric, terms, score, by, weight, scale, integer, period, keep_missing)


def _from_histogram(h, t, metric, terms, score, by, weight, scale, integer, period, keep_missing=False) -> pd.DataFrame:
    """The terms from a histogram (``_x`` with ``_cnt``, ``_sw``, ``_sw2``, ``_badw``), after its checks;
    ``keep_missing``: groups with a missing ``by`` key too (a dated row's period is never missing)."""
    x = h["_x"].to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        off = ~np.isnan(x) & ((x < scale.min) | (x > scale.max) | (integer & (x % 1 != 0)))
    totals = {"_rows": int(h["_cnt"].sum()), "_off": int(h.loc[off, "_cnt"].sum()),
              "_badw": int(h["_badw"].sum()) if weight else 0}
    _raise_table(t, score, weight, scale, integer, metric, totals)
    keys = (["period"] if period else []) + list(by)
    known = (["period"] if period else []) if keep_missing else keys
    h = h.loc[h[known].notna().all(axis=1)] if known else h
    # each term over the histogram: counts add up _cnt, weighted sums add up _sw (or _sw2 for w²)
    as_hist = [Term(tm.name, factors=tm.factors, present=tm.present, values=tm.values, wpow=1,
                    weight="_cnt" if tm.count else ("_sw" if tm.wpow == 1 else "_sw2")) for tm in terms]
    s = group_sums(h, by=keys, terms=as_hist, keep_missing_keys=keep_missing)
    for tm in terms:
        if tm.count:
            s[tm.name] = s[tm.name].round().astype("int64")
    return s


def _raise_table(t, score, weight, scale, integer, where, totals) -> None:
    """Raise for the checks the aggregate query flagged, naming a few rows fetched by LIMIT."""
    if totals["_rows"] == 0:
        raise DataError(f"{where}: no rows to score: the data given for column {score!r} are empty")
    ident = [c for c in ("response_id",) if c in t.columns]
    if totals["_off"]:
        kind = "whole-number " if integer else ""
        off = (t._x < scale.min) | (t._x > scale.max) | ((t._x != t._x.round()) if integer else False)
        ex = t.filter(off).select(*ident, score).limit(5).execute()
        raise DataError(f"{where}: column {score!r}: expected {kind}scores on the {scale.min}–{scale.max} scale; "
                        f"outside it in {totals['_off']} row(s), e.g. {ex.to_dict('records')}")
    if totals.get("_badw"):
        ex = t.filter(t._x.notnull() & ((t._w < 0) | (t._w > 1.7e308))).select(*ident, weight).limit(5).execute()
        raise DataError(f"{where}: column {weight!r}: weights must be finite and ≥ 0 where {score!r} is answered; "
                        f"bad in {totals['_badw']} row(s), e.g. {ex.to_dict('records')}")


def score_sums(data, metric: str, *, score: str, by, weight, scale: Scale, top_k=None, period=None,
               window=None, date_col: str | None = None, keep_missing: bool = False) -> pd.DataFrame:
    """Validate the answers and sum them per group (and per ``period``, within ``window``), on either engine.

    Returns the group keys, ``n``, ``sw``, ``sw2``, ``swx``, ``swxx``, ``sw2x``, ``sw2xx`` (answers centred
    at the scale's midpoint; ``sw2*`` weighted by w²) and per counted point set (e.g. ``promoters``) its
    count, weighted count ``sw_<name>`` and w²-weighted count ``sw2_<name>``. ``keep_missing``: groups with a
    missing ``by`` key too (summed over separately, as when its column is not cut).
    """
    integer = get_metric(metric).integer
    centre = (scale.min + scale.max) / 2
    terms = _terms(metric, scale, top_k, centre)
    if is_table(data):
        return _table_sums(data, metric, terms, score, by, weight, scale, integer, period, window, date_col,
                           keep_missing)
    x, w = validate(data, score, by, weight, scale, integer=integer, where=metric)
    extra = [date_col] if date_col and (period or window) else []
    frame = pd.DataFrame({**{c: data[c] for c in [*by, *extra]}, "_x": x, "_w": np.where(np.isnan(x), np.nan, w)},
                         index=data.index)
    s = group_sums(frame, by=by, terms=terms, period=period, window=window, keep_missing_keys=keep_missing)
    return s.loc[s["period"].notna()].reset_index(drop=True) if keep_missing and period else s
