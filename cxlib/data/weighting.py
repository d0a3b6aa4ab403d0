"""The config's ``weighting:`` section: a weight that came with the export, or population targets to rake to.

Parsed by :func:`parse_weighting` for :func:`cxlib.data.load_config`; applied by :mod:`cxlib.weights`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ConfigError

__all__ = ["WeightingSpec", "parse_weighting"]


@dataclass(frozen=True)
class WeightingSpec:
    """The ``weighting:`` section: a weight column that came with the export, or raking targets.

    ``column`` names the loaded responses column holding the weight (a canonical column mapped under
    ``responses.columns``, normally ``weight``); ``targets`` maps segment -> category -> population share
    (each segment's shares sum to 1), raked by :func:`cxlib.weights.rake` with weights capped at ``cap``.

    Examples
    --------
    >>> WeightingSpec(column="weight").targets is None
    True
    """

    column: str | None = None
    targets: dict | None = None
    cap: float | None = None


def parse_weighting(spec, responses, where: str) -> WeightingSpec | None:
    """The checked ``weighting:`` section tied to the responses section; None when there is none.

    The schema has checked the form (``{column: weight}`` or ``{targets: {segment: {category: share}},
    cap: 5}``, shares >= 0, a cap above 1); here the weight column must be mapped under
    ``responses.columns``, the segments configured and each segment's shares sum to 1.

    Examples
    --------
    >>> from cxlib.data import load_config
    >>> from cxlib.data.schema.models import RakingWeighting
    >>> r = load_config().responses
    >>> parse_weighting(RakingWeighting(targets={"region": {"EMEA": 0.5, "AMER": 0.5}}, cap=5), r, "cx.yml").cap
    5.0
    >>> parse_weighting(RakingWeighting(targets={"region": {"EMEA": 0.5}}), r, "cx.yml")
    Traceback (most recent call last):
    ...
    cxlib.errors.ConfigError: cx.yml: weighting.targets.region: the shares must sum to 1, they sum to 0.5
    """
    if spec is None:
        return None
    if hasattr(spec, "column"):
        if spec.column not in responses.columns:
            raise ConfigError(f"{where}: weighting.column {spec.column!r} is not mapped under 'responses.columns' "
                              f"(map it there first, e.g. weight: <the export's weight column>)")
        return WeightingSpec(column=str(spec.column))
    if not spec.targets:
        raise ConfigError(f"{where}: 'weighting.targets' must map segment -> {{category: share}}; got none")
    parsed = {}
    for seg, shares in spec.targets.items():
        key = f"weighting.targets.{seg}"
        if seg not in responses.segments:
            raise ConfigError(f"{where}: {key}: {seg!r} is not a segment; the segments are "
                              f"{sorted(responses.segments)}")
        if not shares:
            raise ConfigError(f"{where}: {key!r} must map each category to a share >= 0; got none")
        if abs(sum(shares.values()) - 1) > 1e-6:
            raise ConfigError(f"{where}: {key}: the shares must sum to 1, they sum to {sum(shares.values()):.6g}")
        parsed[str(seg)] = {str(k): float(v) for k, v in shares.items()}
    return WeightingSpec(targets=parsed, cap=None if spec.cap is None else float(spec.cap))
