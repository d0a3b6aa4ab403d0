"""Parsing the config's smaller sections (private to :mod:`cxlib.data`): ``report:``, ``cache_dir:``, a
table's ``dates:``, and the shared check for unknown keys."""

from __future__ import annotations

import difflib
from pathlib import Path

import pandas as pd

from ..errors import ConfigError

__all__ = ["DATE_FLOOR", "SCORES", "cache_dir", "dates_options", "known_keys", "report_options"]

#: The scores a survey can carry, in the order the report picks its primary score from (first present).
SCORES = ("nps", "csat", "rating", "recommend", "ces")


def known_keys(section: str, mapping: dict, allowed, where: str) -> None:
    """Raise ConfigError for keys not in ``allowed``, suggesting the closest known key."""
    unknown = sorted(set(mapping) - set(allowed))
    if unknown:
        hints = []
        for key in unknown:
            close = difflib.get_close_matches(key, list(allowed), n=1)
            hints.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ConfigError(
            f"{where}: unknown {section} {', '.join(hints)}; expected some of {sorted(allowed)}"
        )


#: Dates before this are placeholders (1970-01-01, 1900-01-01), not answers, unless the config says otherwise.
DATE_FLOOR = "1990-01-01"


def dates_options(raw, table: str, where: str) -> dict:
    """A table's ``dates:`` options: ``floor`` (earliest plausible date) and ``drop_invalid``."""
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: '{table}.dates' must be a mapping such as {{drop_invalid: true}}")
    known_keys(f"key in '{table}.dates'", raw, {"floor", "drop_invalid"}, where)
    drop = raw.get("drop_invalid", False)
    if not isinstance(drop, bool):
        raise ConfigError(f"{where}: '{table}.dates.drop_invalid' must be true or false, got {drop!r}")
    try:
        floor = pd.Timestamp(str(raw.get("floor", DATE_FLOOR)))
    except ValueError:
        raise ConfigError(f"{where}: '{table}.dates.floor' must be a date such as 1990-01-01, "
                          f"got {raw.get('floor')!r}") from None
    return {"floor": floor, "drop_invalid": drop}


def cache_dir(raw, base_dir: Path, where: str) -> Path | None:
    """Where derived results (redacted, scored comments) are cached; ``cache_dir: null`` turns caching off."""
    if raw is None or raw is False:
        return None
    if not isinstance(raw, (str, Path)):
        raise ConfigError(f"{where}: 'cache_dir' must be a folder path (or null for no cache), got {raw!r}")
    path = Path(raw).expanduser()
    return path if path.is_absolute() else (base_dir / path).resolve()


def report_options(raw, responses, where: str) -> dict:
    """The optional ``report:`` section.

    ``primary``: the score the story is told in (default: the first of :data:`SCORES` the config maps);
    ``journey``: the segment that is the journey stage; ``max_segment_values``: values shown per
    segment before the rest are pooled (default 12).
    """
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: 'report' must be a mapping (e.g. report: {{primary: nps}})")
    known_keys("key in 'report'", raw, {"journey", "primary", "max_segment_values"}, where)
    journey = raw.get("journey")
    if journey is not None and journey not in responses.segments:
        raise ConfigError(f"{where}: report.journey {journey!r} is not a segment; the segments are "
                          f"{sorted(responses.segments)}")
    mapped = [s for s in SCORES if s in responses.columns]
    primary = raw.get("primary", mapped[0])
    if primary not in mapped:
        raise ConfigError(f"{where}: report.primary {primary!r} is not a score this config maps; it maps "
                          f"{mapped}")
    most = raw.get("max_segment_values", 12)
    if isinstance(most, bool) or not isinstance(most, int) or most < 2:
        raise ConfigError(f"{where}: report.max_segment_values must be a whole number >= 2, got {most!r}")
    return {"journey": journey, "primary": primary, "max_segment_values": most}
