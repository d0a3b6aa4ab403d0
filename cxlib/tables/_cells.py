"""The cells of a banner table: row statistics as per-row terms, summed per banner column, then finished.

Every row statistic of :func:`cxlib.tables.crosstab` (NPS, a percentage, a mean, a column percentage) is a
function of a few additive sums over the respondents of a column (n, Σw, Σw², Σw·indicator, Σw·x,
Σw·x², and the same weighted by w² for the linearised variance), so a column's complement is its span's sums minus its own, and a banner of a million responses
is one ``bincount`` per term and banner variable. Private to :mod:`cxlib.tables`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._checks import check_choice, describe_rows, need_columns
from .._stats import welch_moments, z_test
from ..errors import DataError, ParameterError
from ..metrics import METRICS, estimate, finish_interval
from ..scores import as_scale, respondent_values

__all__ = ["ROW_METRICS", "Row", "banner_codes", "cell_stats", "pair_test", "row_specs", "score_entries", "sum_terms",
           "top_boxes"]

#: Row statistics of a score column, and the kind of test each uses.
ROW_METRICS = {"nps": "nps", "pct_promoters": "prop", "pct_detractors": "prop", "top_box": "prop", "mean": "mean"}
#: The interval of each row kind is the registry's (adjusted Wald, Wilson, t clipped to the scale).
_INTERVAL = {"nps": METRICS["nps"], "prop": METRICS["csat"], "mean": METRICS["ces"]}


@dataclass
class Row:
    """One row of the table: its label, the column and statistic, and its per-respondent terms."""

    label: str
    score: str
    metric: str
    kind: str                      # "nps", "prop" or "mean"
    terms: dict                    # name -> per-respondent array (n, sw, sw2, ...)
    scale: tuple | None = None     # (min, max) of a mean's scale: its interval stays inside it


def _label(score: str, metric: str, top_k: int) -> str:
    name = METRICS[score].label if score in METRICS else score
    if metric == "nps":
        return "NPS" if score == "nps" else f"NPS ({score})"
    return {"pct_promoters": f"{name} % promoters", "pct_detractors": f"{name} % detractors",
            "top_box": f"{name} % top {top_k}", "mean": f"{name} mean"}[metric]


def _indicator(name: str, hit: np.ndarray, base: dict) -> dict:
    """Σw and Σw² of the respondents with ``hit``: ``sw<k>`` and ``sw2<k>`` (the linearised variance's); one
    array for both without weights (:func:`sum_terms` then sums it once)."""
    sw = np.where(hit, base["sw"], 0.0)
    return {name: sw, "sw2" + name[2:]: sw if base["sw2"] is base["sw"] else np.where(hit, base["sw2"], 0.0)}


def _base(valid: np.ndarray, w: np.ndarray) -> dict:
    """n, Σw and Σw² terms of the valid answers; without weights (all 1) the three are one array."""
    n = valid.astype("float64")
    if not (w != 1.0).any():
        return {"n": n, "sw": n, "sw2": n}
    wv = np.where(valid, w, 0.0)
    return {"n": n, "sw": wv, "sw2": wv * wv}


def _score_row(data, score, metric, w, scales, top_k) -> Row:
    kind = ROW_METRICS[metric]
    nps_like = metric in ("nps", "pct_promoters", "pct_detractors")
    x = respondent_values(data, score=score, metric="nps" if nps_like else "mean").to_numpy()
    valid = ~np.isnan(x)
    terms = _base(valid, w)
    if kind == "nps":
        terms.update(_indicator("swp", x > 0, terms), **_indicator("swd", x < 0, terms))
    elif metric in ("pct_promoters", "pct_detractors"):
        terms.update(_indicator("swk", x > 0 if metric == "pct_promoters" else x < 0, terms))
    elif metric == "top_box":
        scale, boxes = top_boxes(score, scales, top_k)
        off = valid & ((x < scale.min) | (x > scale.max))
        if off.any():
            raise DataError(f"crosstab: column {score!r}: expected answers on the {scale.min}–{scale.max} scale; "
                            f"outside it in {describe_rows(pd.Series(off, index=data.index), data[score])}")
        terms.update(_indicator("swk", np.isin(x, boxes), terms))
        top_k = len(boxes)
    else:
        xv = np.where(valid, x, 0.0)
        terms.update(swx=terms["sw"] * xv, swxx=terms["sw"] * xv * xv, sw2x=terms["sw2"] * xv,
                     sw2xx=terms["sw2"] * xv * xv)
        scale = _scale_of(score, scales)
        return Row(_label(score, metric, top_k), score, metric, kind, terms,
                   None if scale is None else (as_scale(scale).min, as_scale(scale).max))
    return Row(_label(score, metric, top_k), score, metric, kind, terms)


def top_boxes(score: str, scales: dict, top_k) -> tuple:
    """The scale of a top-box row (given in ``scales`` or registered) and its top-box points; a ParameterError
    saying how to give the scale when neither knows it."""
    scale = _scale_of(score, scales)
    if scale is None:
        raise ParameterError(f"crosstab: the top box of {score!r} needs its scale: pass scales={{{score!r}: "
                             f"(min, max)}} (e.g. cfg.scales)")
    scale = as_scale(scale)
    return scale, (scale.top_box(top_k) if top_k is not None else scale.top_box())


def _scale_of(score: str, scales: dict):
    """A score column's scale: as given, else its registered default (None when neither is known)."""
    given = scales.get(score)
    if given is not None:
        return given
    spec = METRICS[score].scale if score in METRICS else None
    return None if spec is None else tuple(spec)


def _category_rows(data, column, w) -> list[Row]:
    col = data[column]
    valid = col.notna().to_numpy()
    base = _base(valid, w)
    if isinstance(col.dtype, pd.CategoricalDtype):
        cats = [c for c in col.cat.categories if (col == c).any()]
    else:
        cats = sorted(col.dropna().unique(), key=str)
    values = col.to_numpy()
    return [Row(str(c), column, "column_pct", "prop", {**base, **_indicator("swk", values == c, base)})
            for c in cats]


def row_specs(data, rows, *, metric, weight_values, scales, top_k) -> list[Row]:
    """The table's rows: score statistics from a list, or one categorical column's categories."""
    if rows is None:
        rows = [m for m in METRICS if m in data and data[m].notna().any()]
    if isinstance(rows, str) and rows in data and not pd.api.types.is_numeric_dtype(data[rows]):
        return _category_rows(data, rows, weight_values)
    return [_score_row(data, score, m, weight_values, scales or {}, top_k)
            for score, m in score_entries(data, rows, metric)]


def score_entries(data, rows, metric) -> list[tuple[str, str]]:
    """The (score column, row statistic) of each score row asked for, the columns checked present."""
    entries = [rows] if isinstance(rows, (str, tuple)) else list(rows)
    if not entries:
        raise ParameterError("crosstab needs rows=: score columns, (column, metric) pairs or one categorical column")
    need_columns(data, [e[0] if isinstance(e, tuple) else e for e in entries], where="crosstab")
    out = []
    for e in entries:
        if isinstance(e, tuple):
            score, m = e
        elif isinstance(metric, dict):
            score, m = e, metric.get(e)
        else:
            score, m = e, metric
        m = m or (METRICS[score].banner_row if score in METRICS else "mean")
        out.append((score, check_choice(m, ROW_METRICS, param="metric", func="crosstab")))
    return out


def banner_codes(data, banner: str) -> tuple[np.ndarray, list]:
    """Integer codes of the banner variable's values (−1 where missing) and the values in column order."""
    col = data[banner]
    if isinstance(col.dtype, pd.CategoricalDtype):
        present = [c for c in col.cat.categories if (col == c).any()]
        codes = pd.Categorical(col, categories=present).codes.astype("int64")
        return codes, present
    codes, uniques = pd.factorize(col, sort=True)
    return codes.astype("int64"), list(uniques)


def sum_terms(row: Row, codes: np.ndarray | None, k: int, cache: dict | None = None) -> dict:
    """Each term summed per banner column (``codes`` None: the Total column, one entry; −1: in no column).
    ``cache`` (one dict per span) keeps the sums of a term array that several rows or terms share (the base of a
    multiple-response question, Σw and Σw² without weights)."""
    cache = {} if cache is None else cache
    if codes is not None and "codes" not in cache:     # rows in no column go to an extra bin, dropped below
        cache["codes"] = np.where(codes >= 0, codes, k) if (codes < 0).any() else codes
    out = {}
    for name, v in row.terms.items():
        hit = cache.get(id(v))
        if hit is None or hit[0] is not v:
            total = np.array([v.sum()]) if codes is None else np.bincount(cache["codes"], weights=v,
                                                                            minlength=k + 1)[:k]
            hit = cache[id(v)] = (v, total)
        out[name] = hit[1]
    return out


def cell_stats(kind: str, s: dict, confidence: float, scale: tuple | None = None, variance: str = "kish") -> dict:
    """Value, standard error, effective base, interval and the pieces the tests use, from a row's column sums;
    the estimate and interval are the registry's (:func:`cxlib.metrics.estimate`,
    :func:`cxlib.metrics.finish_interval`), the same as the score's own table."""
    sw = s["sw"]
    shares = None
    with np.errstate(invalid="ignore", divide="ignore"):
        if kind == "nps":
            y, yy = s["swp"] - s["swd"], s["swp"] + s["swd"]
            y2, yy2 = s["sw2p"] - s["sw2d"], s["sw2p"] + s["sw2d"]
            shares = (s["swp"] / sw, s["swd"] / sw)
        elif kind == "prop":
            y = yy = s["swk"]
            y2 = yy2 = s["sw2k"]
        else:
            y, yy, y2, yy2 = s["swx"], s["swxx"], s["sw2x"], s["sw2xx"]
    e = estimate("mean" if kind == "mean" else "net" if kind == "nps" else "share", n=s["n"], sw=sw, sw2=s["sw2"],
                 swy=y, swyy=yy, sw2y=y2, sw2yy=yy2, variance=variance)
    unit = 1.0 if kind == "mean" else 100.0
    value, se, ne = unit * e["mean"], unit * e["se"], e["n_eff"]
    out = {"n": s["n"].astype("int64"), "n_eff": ne}
    if kind == "prop":
        out["p"] = e["mean"]
    elif kind == "mean":
        out["var"] = e["unit_var"]
    lo, hi = finish_interval(_INTERVAL[kind], value=value, se=se, n_eff=np.where(sw > 0, ne, 0.0),
                             confidence=confidence, scale=scale, shares=shares)
    out.update(value=np.where(sw > 0, value, np.nan), se=se, ci_low=lo, ci_high=hi)
    return out


def pair_test(kind: str, a: dict, i, b: dict, j) -> tuple[np.ndarray, np.ndarray]:
    """Difference a[i] − b[j] and its two-sided p-value, vectorised over index arrays i and j: two
    independent cells (columns of a span, a column and the rest of its span, or a cell and the same cell one
    wave earlier) compared on their effective bases ``n_eff``."""
    diff = a["value"][i] - b["value"][j]
    n1, n2 = a["n_eff"][i], b["n_eff"][j]
    with np.errstate(invalid="ignore", divide="ignore"):
        if kind == "nps":
            return diff, z_test(diff, np.sqrt(a["se"][i] ** 2 + b["se"][j] ** 2))[1]
        if kind == "prop":
            pooled = (a["p"][i] * n1 + b["p"][j] * n2) / (n1 + n2)
            return diff, z_test(diff, 100 * np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2)))[1]
        return diff, welch_moments(a["value"][i], a["var"][i], n1, b["value"][j], b["var"][j], n2, 0.95)["p_value"]
