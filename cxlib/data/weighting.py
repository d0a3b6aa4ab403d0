"""The config's ``weighting:`` section: a weight that came with the export, or population targets to rake to.

Parsed by :func:`parse_weighting` for :func:`cxlib.data.load_config`; applied by :mod:`cxlib.weights`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ConfigError

__all__ = ["WeightingSpec", "parse_weighting"]

_KEYS = {"column", "targets", "cap"}


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


def _share(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0


def parse_weighting(raw, responses, where: str) -> WeightingSpec | None:
    """Check the ``weighting:`` mapping against the responses section; None when there is none.

    ``{column: weight}`` needs ``weight`` mapped under ``responses.columns``; ``{targets: {segment:
    {category: share}}, cap: 5}`` needs configured segments, shares >= 0 summing to 1 per segment, and a
    cap above 1. Every message names the key.

    Examples
    --------
    >>> from cxlib.data import load_config
    >>> r = load_config().responses
    >>> parse_weighting({"targets": {"region": {"EMEA": 0.5, "AMER": 0.5}}, "cap": 5}, r, "cx.yml").cap
    5.0
    >>> parse_weighting({"targets": {"region": {"EMEA": 0.5}}}, r, "cx.yml")
    Traceback (most recent call last):
    ...
    cxlib.errors.ConfigError: cx.yml: weighting.targets.region: the shares must sum to 1, they sum to 0.5
    """
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: 'weighting' must be a mapping: {{column: weight}} or {{targets: ..., cap: 5}}")
    unknown = sorted(set(map(str, raw)) - _KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {unknown} in 'weighting'; expected some of {sorted(_KEYS)}")
    if ("column" in raw) == ("targets" in raw):
        raise ConfigError(f"{where}: 'weighting' needs exactly one of 'column' (a weight that came with the "
                          f"export) or 'targets' (population shares to rake to)")
    if "column" in raw:
        column = raw["column"]
        if column not in responses.columns:
            raise ConfigError(f"{where}: weighting.column {column!r} is not mapped under 'responses.columns' "
                              f"(map it there first, e.g. weight: <the export's weight column>)")
        if "cap" in raw:
            raise ConfigError(f"{where}: weighting.cap applies to raking 'targets', not to a weight column")
        return WeightingSpec(column=str(column))
    targets = raw["targets"]
    if not isinstance(targets, dict) or not targets:
        raise ConfigError(f"{where}: weighting.targets must map segment -> {{category: share}}")
    parsed = {}
    for seg, shares in targets.items():
        key = f"weighting.targets.{seg}"
        if seg not in responses.segments:
            raise ConfigError(f"{where}: {key}: {seg!r} is not a segment; the segments are "
                              f"{sorted(responses.segments)}")
        if not isinstance(shares, dict) or not shares or not all(_share(v) for v in shares.values()):
            raise ConfigError(f"{where}: {key} must map each category to a share >= 0, got {shares!r}")
        if abs(sum(shares.values()) - 1) > 1e-6:
            raise ConfigError(f"{where}: {key}: the shares must sum to 1, they sum to {sum(shares.values()):.6g}")
        parsed[str(seg)] = {str(k): float(v) for k, v in shares.items()}
    cap = raw.get("cap")
    if cap is not None and not (_share(cap) and cap > 1):
        raise ConfigError(f"{where}: weighting.cap must be a number above 1 (the largest weight allowed), "
                          f"got {cap!r}")
    return WeightingSpec(targets=parsed, cap=None if cap is None else float(cap))
