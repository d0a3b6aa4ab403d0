"""Parsing the config's smaller sections (private to :mod:`cxlib.data`): ``report:``, ``cache_dir:``, a
table's ``dates:``, and the shared check for unknown keys."""

from __future__ import annotations

import difflib
from pathlib import Path

import pandas as pd

from ..errors import ConfigError
from . import _config_checks as check

__all__ = ["CURRENCIES", "DATE_FLOOR", "SCORES", "cache_dir", "comments_options", "dates_options",
           "follow_up_options", "known_keys", "labels_options", "money_options", "report_options",
           "timezone_option"]

#: Symbols of the currencies amounts are commonly reported in; any other ISO 4217 code is written as a prefix.
CURRENCIES = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CNY": "¥", "INR": "₹", "CHF": "CHF ", "AUD": "A$",
              "CAD": "C$", "NZD": "NZ$", "SEK": "SEK ", "NOK": "NOK ", "DKK": "DKK ", "PLN": "PLN ", "BRL": "R$",
              "MXN": "MX$", "ZAR": "R ", "SGD": "S$", "HKD": "HK$", "KRW": "₩"}

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
    raw = check.mapping(raw, "report", where, expected="a mapping (e.g. report: {primary: nps})")
    known_keys("key in 'report'", raw, {"journey", "primary", "max_segment_values", "chromium", "scenario_lift"},
               where)
    journey = raw.get("journey")
    if journey is not None:
        journey = check.text(journey, "report.journey", where, expected="a segment name")
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
    lift = raw.get("scenario_lift")
    if lift is not None and (isinstance(lift, bool) or not isinstance(lift, (int, float)) or lift <= 0):
        raise ConfigError(f"{where}: report.scenario_lift must be a positive number (rating points), got {lift!r}")
    chromium = raw.get("chromium")
    if chromium is not None and not isinstance(chromium, str):
        raise ConfigError(f"{where}: report.chromium must be the path of a Chromium executable, got {chromium!r}")
    return {"journey": journey, "primary": primary, "max_segment_values": most, "scenario_lift": lift,
            "chromium": chromium}


def labels_options(raw, where: str) -> dict:
    """``labels:``: how names of segments, drivers, themes and scores read in the report (name: label)."""
    raw = raw or {}
    if not isinstance(raw, dict) or not all(isinstance(v, str) and v.strip() for v in raw.values()):
        raise ConfigError(f"{where}: 'labels' must map names to non-empty text, e.g. labels: {{support_speed: "
                          "Speed of support}}")
    return {str(k): str(v).strip() for k, v in raw.items()}


def money_options(raw, where: str) -> dict:
    """``money:``: the currency amounts are in (an ISO 4217 code such as EUR); none: plain numbers."""
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: 'money' must be a mapping such as money: {{currency: EUR}}")
    known_keys("key in 'money'", raw, {"currency"}, where)
    code = raw.get("currency")
    if code is not None and not (isinstance(code, str) and len(code) == 3 and code.isalpha() and code.isupper()):
        raise ConfigError(f"{where}: money.currency must be a three-letter ISO 4217 code such as EUR, got {code!r}")
    return {"currency": code, "symbol": CURRENCIES.get(code, f"{code} ") if code else ""}


def comments_options(raw, base_dir: Path, where: str) -> dict:
    """The optional ``comments:`` section: a learned ``sentiment_model`` file and ``brand_words`` to strip."""
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: 'comments' must be a mapping (e.g. comments: {{sentiment_model: model.json}})")
    known_keys("key in 'comments'", raw, {"sentiment_model", "brand_words"}, where)
    model = raw.get("sentiment_model")
    if model is not None:
        if not isinstance(model, str):
            raise ConfigError(f"{where}: comments.sentiment_model must be a file path, got {model!r}")
        model = Path(model).expanduser()
        model = model if model.is_absolute() else (base_dir / model).resolve()
        if not model.is_file():
            raise ConfigError(f"{where}: comments.sentiment_model {model} does not exist (train one with "
                              "comments.train_sentiment(..., path=))")
    words = raw.get("brand_words") or []
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        raise ConfigError(f"{where}: comments.brand_words must be a list of words, got {words!r}")
    return {"sentiment_model": model, "brand_words": list(words)}


def follow_up_options(raw, where: str) -> dict:
    """The optional ``follow_up:`` section: ``raw_comments: true`` puts unredacted comments in the CX team's
    follow-up CSV (default false: redacted as in the report)."""
    raw = check.mapping(raw, "follow_up", where, expected="a mapping (e.g. follow_up: {raw_comments: false})")
    known_keys("key in 'follow_up'", raw, {"raw_comments"}, where)
    return {"raw_comments": check.boolean(raw.get("raw_comments", False), "follow_up.raw_comments", where)}


def timezone_option(raw, where: str) -> str | None:
    """The top-level ``timezone:`` (an IANA name such as Europe/Paris), or None: times are read in the data's
    own local time (a time written with a UTC offset keeps its clock time)."""
    if raw is None:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = check.text(raw, "timezone", where, expected="an IANA time zone such as Europe/Paris")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: 'timezone' must be an IANA time zone such as Europe/Paris or UTC; got "
                          f"{name!r}") from None
    return name
