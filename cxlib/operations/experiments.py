"""Experiments: read out an A/B pilot, and size the next one.

:func:`experiment_effect` compares two arms (Welch; with ``metric="nps"`` NPS as per-respondent points,
so differences are in NPS points) and says how many responses an arm would need; :func:`sample_size` is
that calculation on its own, for planning.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import check_confidence, need_columns
from .._stats import welch, z_crit
from ..errors import DataError, ParameterError
from ..scores import respondent_values

__all__ = ["experiment_effect", "sample_size"]


def experiment_effect(data: pd.DataFrame, *, arm: str, score: str = "csat", metric: str = "mean",
                      treatment: str | None = None, control: str = "control", confidence: float = 0.95,
                      mde: float | None = None, power: float = 0.8, min_n: int = 30) -> pd.DataFrame:
    """Difference between two arms of an A/B pilot, with CI, p-value and the sample size needed.

    Welch two-sample comparison of means (with ``metric="nps"``, NPS as per-respondent points, so the
    difference is in NPS points). Rows with a missing arm or score are left out.

    Parameters
    ----------
    data : pandas.DataFrame
        Responses with an arm column.
    arm : str
        Column naming each row's arm.
    score : str
        The score column.
    metric : {"mean", "nps"}
    treatment : str, optional
        Treated arm; default the one arm that is not ``control``.
    control : str
    confidence : float
        Confidence level of the interval; the test is two-sided at ``1 - confidence``.
    mde : float, optional
        Effect to power for (score units; NPS points); default the observed effect.
    power : float
        Power for ``n_needed_per_arm``.
    min_n : int
        Arms smaller than this are flagged ``small_base``.

    Returns
    -------
    pandas.DataFrame
        One row: ``score``, ``metric``, ``treatment``, ``control``, ``n_treatment``, ``n_control``,
        ``mean_treatment``, ``mean_control``, ``effect``, ``std_err``, ``ci_low``, ``ci_high``,
        ``p_value``, ``mde``, ``n_needed_per_arm`` (to detect ``mde`` with ``power``), ``small_base``.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"pilot_arm": ["callback"] * 3 + ["control"] * 3,
    ...                   "csat": [5.0, 4.0, 4.5, 3.0, 4.0, 3.5]})
    >>> experiment_effect(d, arm="pilot_arm", min_n=2)[["treatment", "effect", "ci_low", "ci_high"]].round(2)
      treatment  effect  ci_low  ci_high
    0  callback     1.0   -0.13     2.13
    """
    need_columns(data, [arm], where="experiment_effect")
    confidence = check_confidence(confidence, func="experiment_effect")
    y = respondent_values(data, score=score, metric=metric)
    arms = data[arm].astype("string")
    levels = sorted(arms.dropna().unique())
    if control not in levels:
        raise DataError(f"column {arm!r}: control arm {control!r} not found; arms are {levels}")
    if treatment is None:
        others = [a for a in levels if a != control]
        if len(others) != 1:
            raise DataError(f"column {arm!r}: expected exactly one arm besides {control!r}, got {others}; "
                            "pass treatment=")
        treatment = others[0]
    elif treatment not in levels:
        raise DataError(f"column {arm!r}: treatment arm {treatment!r} not found; arms are {levels}")
    yt, yc = y[(arms == treatment).fillna(False)].dropna(), y[(arms == control).fillna(False)].dropna()
    if min(len(yt), len(yc)) < 2:
        raise DataError(f"column {arm!r}: need at least 2 scored {score!r} responses per arm, got "
                        f"{treatment}={len(yt)}, {control}={len(yc)}")
    w = welch(yt, yc, confidence)
    target = abs(w["diff"]) if mde is None else abs(mde)
    sd = float(np.sqrt((yt.var(ddof=1) + yc.var(ddof=1)) / 2))
    n_needed = sample_size(target, sd=sd, alpha=1 - confidence, power=power) if target > 0 and sd > 0 else np.nan
    return pd.DataFrame([{
        "score": score, "metric": metric, "treatment": treatment, "control": control, "n_treatment": len(yt),
        "n_control": len(yc), "mean_treatment": float(yt.mean()), "mean_control": float(yc.mean()),
        "effect": w["diff"], "std_err": w["se"], "ci_low": w["ci_low"], "ci_high": w["ci_high"],
        "p_value": w["p_value"], "mde": target,
        "n_needed_per_arm": n_needed, "small_base": min(len(yt), len(yc)) < min_n,
    }])


def sample_size(effect: float, *, sd: float, alpha: float = 0.05, power: float = 0.8,
                ratio: float = 1.0) -> int:
    """Responses needed per arm (control arm; treatment gets ``ratio`` times as many).

    Normal approximation for a two-sided two-sample comparison of means:
    ``n = (z[1-alpha/2] + z[power])**2 * sd**2 * (1 + 1/ratio) / effect**2``, rounded up.

    Parameters
    ----------
    effect : float
        Smallest difference worth detecting (score units; NPS points for NPS).
    sd : float
        Standard deviation of the score per respondent (about 70-80 for NPS points).
    alpha, power : float
    ratio : float
        Treatment-to-control size ratio.

    Returns
    -------
    int
        Control-arm size.

    Examples
    --------
    >>> sample_size(0.5, sd=1.0)   # Cohen's d = 0.5: 63 per arm (normal approximation)
    63
    """
    if not effect or not np.isfinite(effect) or sd <= 0 or not 0 < alpha < 1 or not 0 < power < 1:
        raise ParameterError(f"sample_size: expected effect != 0, sd > 0 and 0 < alpha, power < 1; got "
                         f"effect={effect}, sd={sd}, alpha={alpha}, power={power}")
    z = z_crit(1 - alpha) + z_crit(2 * power - 1)   # one-sided quantile of the power
    return int(np.ceil(z ** 2 * sd ** 2 * (1 + 1 / ratio) / effect ** 2 - 1e-9))
