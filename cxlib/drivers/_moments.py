"""Driver models without rows: the (weighted) correlation matrix from cross-product sums pushed down, and a
random-groups jackknife for the intervals.

On an Ibis table, :func:`prepare_table` runs two aggregate queries: the checks (answers per column,
off-scale scores, negative weights, the column means) and, over the complete rows (one ``WHERE``), the
centred cross-products Σw, Σw·(xᵢ − x̄ᵢ), Σw·(xᵢ − x̄ᵢ)(xⱼ − x̄ⱼ), from which the same correlation matrix
:func:`cxlib.drivers._engine.weighted_corr` computes from rows follows. Intervals come from a delete-a-group
jackknife: responses are split into G groups by the MD5 of ``seed`` + their id (the same groups on pandas,
DuckDB, PostgreSQL and Spark), one cross-product matrix per group in one ``GROUP BY``, and each group
left out in turn. Private to :mod:`cxlib.drivers`.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from .._checks import need_columns
from .._stats import t_crit
from ..data import Term, group_sums, is_table, md5_hex
from ..errors import DataError, ParameterError

__all__ = ["corr_from_moments", "group_ids", "grouped_moments", "jackknife", "jackknife_intervals", "moments", "prepare_table"]

_PAIRS = "".join(f"{i:02x}," for i in range(256))


def group_ids(data, id_col: str, groups: int, seed: int):
    """Jackknife group of each row: the first byte of MD5(str(seed) + id), modulo ``groups``.

    A DataFrame gets a NumPy array; an Ibis table an expression (MD5 runs where the data live).

    Examples
    --------
    >>> import hashlib
    >>> int(hashlib.md5(b"0R1").hexdigest()[:2], 16) % 10     # seed 0, id R1
    1
    >>> group_ids(pd.DataFrame({"response_id": ["R1", "R2"]}), "response_id", 10, 0).tolist()
    [1, 1]
    """
    if groups < 2 or groups > 256:
        raise ParameterError(f"The 'jackknife' parameter must be a number of groups from 2 to 256. Got {groups!r} instead.")
    if is_table(data):
        import ibis

        digest = md5_hex(ibis.literal(str(seed)).concat(data[id_col].cast("string")))
        # the first byte: where "xy," stands in "00,01,...,ff," (one MD5 per row; aligned, as every pair ends in ",")
        byte = ibis.literal(_PAIRS).find(digest.substr(0, 2).concat(",")) // 3
        return (byte % groups).cast("int64")
    ids = data[id_col].astype("str").to_numpy()
    return np.array([int(hashlib.md5(f"{seed}{i}".encode()).hexdigest()[:2], 16) % groups for i in ids])


def _pairs(m: int):
    return [(i, j) for i in range(m) for j in range(i, m)]


def moments(data, cols: list[str], weight: str | None, centre: np.ndarray, *, by=()) -> pd.DataFrame:
    """Σw, Σw², Σw·(x − c) and Σw·(x − c)(x − c)' over the rows complete on ``cols`` (and the weight), per group."""
    need = tuple(cols) + ((weight,) if weight else ())
    terms = [Term("n", present=need, count=True), Term("sw", weight=weight, wpow=1, present=need),
             Term("sw2", weight=weight, wpow=2, present=need)]
    terms += [Term(f"s{i}", factors=((c, centre[i]),), weight=weight, wpow=1, present=need) for i, c in enumerate(cols)]
    terms += [Term(f"s{i}_{j}", factors=((cols[i], centre[i]), (cols[j], centre[j])), weight=weight, wpow=1,
                   present=need) for i, j in _pairs(len(cols))]
    return group_sums(data, by=list(by), terms=terms, complete=need)


def corr_from_moments(mom: pd.DataFrame, m: int) -> np.ndarray:
    """Correlation matrices ``(k, m, m)`` from ``k`` rows of :func:`moments` sums."""
    sw = mom["sw"].to_numpy(float)[:, None]
    mean = np.column_stack([mom[f"s{i}"] for i in range(m)]) / sw
    cov = np.empty((len(mom), m, m))
    for i, j in _pairs(m):
        cov[:, i, j] = cov[:, j, i] = mom[f"s{i}_{j}"].to_numpy(float) / sw[:, 0] - mean[:, i] * mean[:, j]
    sd = np.sqrt(np.diagonal(cov, axis1=1, axis2=2))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = cov / (sd[:, :, None] * sd[:, None, :])
    idx = np.arange(m)
    out[:, idx, idx] = 1.0
    return out


def _checks(table, score, drivers, weight, scale):
    """One scan: rows, answers per column (COUNT(col), no FILTER), column means, bad weights, off-scale scores."""
    cols = [score, *drivers]
    aggs = {"_rows": table.count()}
    for i, c in enumerate(cols):
        aggs[f"have{i}"] = table[c].count()
        aggs[f"mean{i}"] = table[c].cast("float64").mean().cast("float64")
    if weight:
        aggs["have_w"] = table[weight].count()
        aggs["bad_w"] = table.count(where=(table[weight] < 0) | (table[weight] > 1.7e308))
    if scale is not None:
        x = table[score].cast("float64")
        aggs["off"] = table.count(where=(x < scale.min) | (x > scale.max))
    return table.aggregate(**aggs).execute().iloc[0]


def prepare_table(table, *, score, drivers, weight=None, kind="ols", missing="listwise", scale=None, groups=None):
    """The checks and matrix of :func:`cxlib.drivers._prepare.prepare` for an Ibis table, from two queries.

    ``groups``: ``(id_col, G, seed)`` to sum the cross-products per jackknife group in the same query (the
    full matrix is their total), so intervals cost no further scan.

    Returns (full matrix, n, n_dropped, reasons, most_missing, column means, group moments or None),
    columns ordered drivers then score.
    """
    if kind != "ols" or missing != "listwise":
        raise ParameterError("on a database table the driver model is kind='ols' with missing='listwise' (it works "
                             "from cross-product sums); for logistic or pairwise models pass a DataFrame sample")
    cols = [score, *drivers]
    need_columns(table, cols + ([weight] if weight else []), where="driver model")
    bad = [c for c in cols + ([weight] if weight else []) if not (table[c].type().is_numeric() or table[c].type().is_boolean())]
    if bad:
        raise DataError(f"driver model: columns {bad} must be numeric; the table holds "
                        f"{[str(table[c].type()) for c in bad]}")
    chk = _checks(table, score, drivers, weight, scale)
    if chk.get("off", 0):
        ex = table.filter((table[score] < scale.min) | (table[score] > scale.max)).select(score).limit(5).execute()
        raise DataError(f"score {score!r} must lie on its scale {scale.min}-{scale.max}; off-scale values in "
                        f"{int(chk['off'])} row(s), e.g. {ex[score].tolist()}")
    if weight and chk["bad_w"]:
        raise DataError(f"weight column {weight!r} must be finite and >= 0; bad in {int(chk['bad_w'])} row(s)")
    rows = int(chk["_rows"])
    empty = [c for i, c in enumerate(cols) if int(chk[f"have{i}"]) == 0]
    if empty:
        raise DataError(f"columns {empty} have no values at all (every row is missing)")
    misses = {c: rows - int(chk[f"have{i}"]) for i, c in enumerate(cols)}
    if weight:
        misses[weight] = rows - int(chk["have_w"])
    counts = pd.Series(misses).sort_values(ascending=False, kind="stable")
    reasons = ", ".join(f"{c} missing in {k} rows" for c, k in counts.items() if k)
    most = str(counts.index[0]) if len(counts) and counts.iloc[0] else ""
    p = len(drivers)
    centre = np.array([float(chk[f"mean{i}"]) for i in range(len(cols))])   # centres (means of the non-missing)
    order = [*drivers, score]            # the engine wants the outcome last
    idx = [cols.index(c) for c in order]
    if groups is None:
        mom = None
        total = moments(table, order, weight, centre[idx])
    else:
        mom = grouped_moments(table, order, weight, centre[idx], *groups)
        total = mom.drop(columns="_jk").sum().to_frame().T
    n = int(total["n"].iloc[0]) if len(total) else 0
    if n < p + 2:
        raise DataError(f"only {n} usable rows for {p} drivers {drivers}; need at least {p + 2} "
                        "(more rows than drivers + 1)")
    sw = float(total["sw"].iloc[0])
    var = [float(total[f"s{i}_{i}"].iloc[0]) / sw - (float(total[f"s{i}"].iloc[0]) / sw) ** 2 for i in range(len(order))]
    constant = [c for c, v, k in zip(order, var, centre[idx]) if v <= 1e-12 * (1 + k * k)]
    if constant:
        raise DataError(f"columns {constant} are constant in the {n} rows used; a constant cannot "
                        "explain anything: drop it")
    full = corr_from_moments(total, len(order))[0]
    centre = centre[idx] + np.array([float(total[f"s{i}"].iloc[0]) / sw for i in range(len(order))])
    return full, n, rows - n, reasons, most, centre, mom


def grouped_moments(data, order: list[str], weight, centre, id_col: str, groups: int, seed: int, by=()):
    """:func:`moments` per jackknife group ``_jk`` (and per group of ``by``): one query."""
    need_columns(data, [id_col], where="jackknife (groups responses by a hash of their id)")
    gid = group_ids(data, id_col, groups, seed)
    frame = data.mutate(_jk=gid) if is_table(data) else data.assign(_jk=gid)
    return moments(frame, order, weight, centre, by=[*by, "_jk"])


def jackknife(data, order: list[str], weight, centre, *, id_col: str, groups: int, seed: int, by=(), mom=None):
    """Per group of ``by``: the leave-one-group-out correlation matrices ``(G, m, m)``, keyed by group.

    ``mom``: the grouped moments when already summed (see ``groups`` in :func:`prepare_table`)."""
    if mom is None:
        mom = grouped_moments(data, order, weight, centre, id_col, groups, seed, by)
    sums = [c for c in mom.columns if c not in (*by, "_jk")]
    out = {}
    for key, part in (mom.groupby(list(by), sort=True) if by else [((), mom)]):
        total = part[sums].sum()
        loo = -part[sums].sub(total, axis=1)   # every group but one
        out[key if isinstance(key, tuple) else (key,)] = corr_from_moments(loo.reset_index(drop=True), len(order))
    return out


def jackknife_intervals(full: np.ndarray, reps: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Estimate ± t(G − 1) · jackknife SE, with SE² = (G − 1)/G · Σ(θ₋g − θ̄)²."""
    g = len(reps)
    se = np.sqrt((g - 1) / g * ((reps - reps.mean(axis=0)) ** 2).sum(axis=0))
    half = t_crit(confidence, g - 1) * se
    return full - half, full + half
