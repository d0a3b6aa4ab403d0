"""RIM weighting (raking): weights that make the sample's margins match the customer base's.

Iterative proportional fitting over each target variable in turn (Deming & Stephan 1940), run by
``weightipy``; this module checks the targets against the data first, so a mistake is named (the
variable, the categories) instead of surfacing deep inside the library, and checks the result after:
the achieved margins must equal the targets to ``tol`` or the raking has not converged.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._checks import check_frame, describe_rows, examples, need_columns
from ..errors import DataError, ParameterError
from .diagnostics import SUMMARY, _summary_row, margins, weight_summary

__all__ = ["Raking", "Weighting", "apply_weighting", "rake"]


@dataclass
class Raking:
    """The result of :func:`rake`.

    Attributes
    ----------
    weights : pandas.Series
        One weight per row (index of the data, name ``weight``), mean 1.
    margins : pandas.DataFrame
        Achieved against target share per variable and category (:func:`cxlib.weights.margins`).
    summary : pandas.DataFrame
        One row: ``method`` ("raking"), ``n``, ``sum_weight``, ``n_eff``, ``weighting_effect``,
        ``efficiency``, ``min_weight``, ``max_weight`` (:func:`cxlib.weights.weight_summary`), then
        ``iterations``, ``max_error`` (largest |achieved − target|), ``converged`` and ``cap``.
    """

    weights: pd.Series
    margins: pd.DataFrame
    summary: pd.DataFrame


def _check_targets(data, targets) -> dict[str, dict[str, float]]:
    if not isinstance(targets, dict) or not targets or not all(isinstance(v, dict) and v for v in targets.values()):
        raise ParameterError(f"The 'targets' parameter of rake must map variable -> {{category: share}}. "
                             f"Got {targets!r} instead.")
    need_columns(data, list(targets), where="rake")
    clean = {}
    for var, shares in targets.items():
        try:
            shares = {str(k): float(v) for k, v in shares.items()}
        except (TypeError, ValueError):
            raise ParameterError(f"rake: targets for {var!r} must be numbers, got {shares!r}") from None
        if any(not np.isfinite(v) or v < 0 for v in shares.values()) or abs(sum(shares.values()) - 1) > 1e-6:
            raise ParameterError(f"rake: the target shares of {var!r} must be >= 0 and sum to 1; they sum to "
                                 f"{sum(shares.values()):.6g} ({shares})")
        col = data[var]
        if col.isna().any():
            raise DataError(f"rake: column {var!r} has no value in {describe_rows(col.isna())}: every row needs "
                            f"a category to be weighted (drop or recode them first)")
        found = set(col.astype("str").unique())
        absent = [c for c, v in shares.items() if c not in found and v > 0]
        if absent:
            raise DataError(f"rake: target categories of {var!r} absent from the data: {examples(absent)}; "
                            f"the data have {examples(sorted(found))}")
        untargeted = sorted(found - set(shares))
        if untargeted:
            mask = col.astype("str").isin(untargeted)
            raise DataError(f"rake: categories of {var!r} in the data without a target: {examples(untargeted)} "
                            f"({describe_rows(mask, col)}); give them a share (0 to weight them out)")
        clean[str(var)] = shares
    return clean


def rake(data, *, targets, cap=None, max_iter=1000, tol=1e-6, strict=True) -> Raking:
    """Rake the rows to the population ``targets`` (RIM weighting with weightipy).

    Parameters
    ----------
    data : pandas.DataFrame
    targets : dict
        variable -> {category: population share}, e.g. ``{"region": {"EMEA": 0.3, ...}, "plan": {...}}``;
        each variable's shares sum to 1; categories are matched as text. Every row needs a category
        of every variable, and every category found needs a target (0 weights it out).
    cap : float, optional
        Largest weight allowed (weights are capped and rescaled to mean 1 after each pass).
    max_iter : int
        Passes over the variables at most.
    tol : float
        The raking has converged when every achieved margin is within ``tol`` of its target.
    strict : bool
        Raise when it has not converged (default); False returns the result with ``converged`` False.

    Returns
    -------
    Raking
        ``weights`` (mean 1), ``margins`` and a one-row ``summary`` (weighting effect, effective base,
        efficiency, extreme weights, iterations, converged).

    Raises
    ------
    ParameterError
        Targets that are not shares summing to 1, a bad ``cap``, ``max_iter`` or ``tol``.
    DataError
        A missing value in a target variable, a target category absent from the data (or the
        reverse), or no convergence (the message names the variables and categories that missed).

    Examples
    --------
    >>> df = pd.DataFrame({"region": ["A", "A", "A", "B", "B"], "plan": ["x", "x", "y", "x", "y"]})
    >>> r = rake(df, targets={"region": {"A": 0.5, "B": 0.5}, "plan": {"x": 0.5, "y": 0.5}})
    >>> r.weights.round(3).tolist(), bool(r.summary.loc[0, "converged"])   # A-y = B-x = 2.5 / (1 + √2)
    ([0.732, 0.732, 1.036, 1.036, 1.464], True)
    """
    check_frame(data, where="rake")
    if len(data) == 0:
        raise DataError("rake: no rows to weight")
    if cap is not None and not (isinstance(cap, (int, float)) and cap > 1):
        raise ParameterError(f"The 'cap' parameter of rake must be a number above 1 or None. Got {cap!r} instead.")
    if not (isinstance(max_iter, int) and max_iter >= 1) or not (isinstance(tol, float) and 0 < tol < 1):
        raise ParameterError(f"rake: max_iter must be a whole number >= 1 and tol a number in (0, 1); got "
                             f"max_iter={max_iter!r}, tol={tol!r}")
    targets = _check_targets(data, targets)
    import weightipy

    frame = pd.DataFrame({v: data[v].astype("str").to_numpy() for v in targets})
    scheme = weightipy.scheme_from_dict({v: {c: 100 * s for c, s in sh.items()} for v, sh in targets.items()},
                                        name="cx", rim_params={"max_iterations": max_iter, "cap": cap or 0})
    with contextlib.redirect_stdout(io.StringIO()):   # weightipy prints its progress
        w = weightipy.weight(frame, scheme).to_numpy(dtype="float64")
    weights = pd.Series(w, index=data.index, name="weight")
    achieved = margins(data.assign(weight=w), targets=targets)
    max_error = float(achieved["error"].abs().max())
    iterations = int(next(iter(scheme.groups.values()))["iterations"])
    summary = pd.DataFrame([{"method": "raking", **_summary_row(w), "iterations": iterations,
                             "max_error": max_error, "converged": max_error <= tol, "cap": cap}])
    if strict and max_error > tol:
        miss = achieved.loc[achieved["error"].abs() > tol]
        shown = [f"{r.variable}={r.category} {r.achieved:.4f} vs {r.target:.4f}" for r in miss.itertuples()]
        raise DataError(f"rake: no convergence after {iterations} passes (cap {cap}): margins missed by more "
                        f"than {tol:g}: {examples(shown)}; loosen the cap, merge small categories or check "
                        f"that the targets can be reached together")
    return Raking(weights=weights, margins=achieved, summary=summary)


@dataclass
class Weighting:
    """The weighting a config asks for, applied: :func:`apply_weighting`'s result.

    Attributes
    ----------
    data : pandas.DataFrame
        The responses, with the weight in column ``weight`` when there is one (a copy; the input is untouched).
    weight : str or None
        What to pass as ``weight=`` to every statistic: the weight column, or None when unweighted.
    summary : pandas.DataFrame
        One row: ``method`` ("none", "column" or "raking"), ``n``, ``sum_weight``, ``n_eff``,
        ``weighting_effect``, ``efficiency``, ``min_weight``, ``max_weight`` (raking adds ``iterations``,
        ``max_error``, ``converged``, ``cap``): what the report's "About" states.
    margins : pandas.DataFrame or None
        Achieved against target margins when raked.
    """

    data: pd.DataFrame
    weight: str | None
    summary: pd.DataFrame
    margins: pd.DataFrame | None = None


def _rake_by(data, spec, by: list[str]) -> Weighting:
    """Rake each group of ``by`` to the targets on its own (each month its own margins)."""
    weights, summaries, kept = [], [], []
    for key, part in data.groupby(by, sort=True, dropna=False, observed=True):
        key = key if isinstance(key, tuple) else (key,)
        named = ", ".join(f"{b}={k}" for b, k in zip(by, key))
        try:
            result = rake(part, targets=spec.targets, cap=spec.cap)
        except DataError as exc:
            raise DataError(f"weighting {named}: {exc}") from None
        weights.append(result.weights)
        summaries.append(result.summary.assign(**dict(zip(by, key))))
        kept.append(result.margins.assign(**dict(zip(by, key))))
    summary = pd.concat(summaries, ignore_index=True)
    summary = summary[by + [c for c in summary.columns if c not in by]]
    found = pd.concat(kept, ignore_index=True)
    return Weighting(data=data.assign(weight=pd.concat(weights)), weight="weight", summary=summary,
                     margins=found[by + [c for c in found.columns if c not in by]])


def apply_weighting(data, spec, *, by=None) -> Weighting:
    """Weight the responses as the config's ``weighting:`` section says (``cfg.weighting``).

    Parameters
    ----------
    data : pandas.DataFrame
        Loaded responses.
    spec : WeightingSpec or None
        ``cfg.weighting``: None (unweighted), a weight column that came with the export, or raking
        targets (with an optional cap).
    by : str or list of str, optional
        Rake each group to the targets on its own (e.g. ``"period"``: every month matches the
        customer base, so months compare fairly); ignored unless raking. The summary and margins then
        have one row per group (the ``by`` columns first); a group that cannot be raked is named.

    Returns
    -------
    Weighting
        The data to analyse, the ``weight=`` to pass, and the weighting summary as data.

    Examples
    --------
    >>> from cxlib.data import WeightingSpec
    >>> df = pd.DataFrame({"region": ["A", "A", "B"]})
    >>> w = apply_weighting(df, WeightingSpec(targets={"region": {"A": 0.5, "B": 0.5}}))
    >>> w.weight, w.data["weight"].tolist(), round(float(w.summary.loc[0, "weighting_effect"]), 3)
    ('weight', [0.75, 0.75, 1.5], 1.125)
    >>> apply_weighting(df, None).summary[["method", "n", "n_eff", "weighting_effect"]]
      method  n  n_eff  weighting_effect
    0   none  3    3.0            1.0
    """
    if spec is None:
        return Weighting(data=data, weight=None, summary=pd.DataFrame([{"method": "none", **_summary_row(
            np.ones(len(data)))}], columns=["method", *SUMMARY]))
    if spec.column is not None:
        summary = weight_summary(data, weight=spec.column)
        summary.insert(0, "method", "column")
        return Weighting(data=data, weight=spec.column, summary=summary)
    if by is not None:
        by = [by] if isinstance(by, str) else list(by)
        need_columns(data, by, where="apply_weighting")
        return _rake_by(data, spec, by)
    result = rake(data, targets=spec.targets, cap=spec.cap)
    return Weighting(data=data.assign(weight=result.weights), weight="weight", summary=result.summary,
                     margins=result.margins)
