"""The config's smaller sections, once the schema has checked their types (private to :mod:`cxlib.data`):
what ties a key to the rest of the config (a journey that is a configured segment, a file that exists)
and the values the rest of the code reads (a currency's symbol, paths resolved from the config's folder)."""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError
from ..metrics import METRICS

__all__ = ["CURRENCIES", "cache_dir", "comments_options", "existing_file", "money_options", "report_options"]

#: Symbols of the currencies amounts are commonly reported in; any other ISO 4217 code is written as a prefix.
CURRENCIES = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CNY": "¥", "INR": "₹", "CHF": "CHF ", "AUD": "A$",
              "CAD": "C$", "NZD": "NZ$", "SEK": "SEK ", "NOK": "NOK ", "DKK": "DKK ", "PLN": "PLN ", "BRL": "R$",
              "MXN": "MX$", "ZAR": "R ", "SGD": "S$", "HKD": "HK$", "KRW": "₩"}


def _resolve(path, base_dir: Path) -> Path:
    path = Path(path).expanduser()
    return path if path.is_absolute() else (base_dir / path).resolve()


def existing_file(path, base_dir: Path, key: str, where: str, hint: str = "") -> Path | None:
    """``path`` resolved from the config's folder; a ConfigError naming ``key`` when it is not a file."""
    if path is None:
        return None
    found = _resolve(path, base_dir)
    if not found.is_file():
        raise ConfigError(f"{where}: {key} {found} does not exist{hint}")
    return found


def cache_dir(raw, base_dir: Path) -> Path | None:
    """Where derived results (redacted, scored comments) are cached; None: caching off."""
    return None if raw is None else _resolve(raw, base_dir)


def _segment(value, key: str, responses, where: str):
    if value is not None and value not in responses.segments:
        raise ConfigError(f"{where}: {key} {value!r} is not a segment; the segments are "
                          f"{sorted(responses.segments)}")
    return value


def report_options(spec, responses, base_dir: Path, where: str) -> dict:
    """The ``report:`` section as a dict: the primary score resolved, segments and files checked.

    ``primary`` defaults to the first registered score (:data:`cxlib.metrics.METRICS`) the config maps; ``journey`` and ``experiment``
    must be configured segments; ``pptx_template`` is resolved from the config's folder and must exist.
    """
    mapped = [s for s in METRICS if s in responses.columns]
    primary = spec.primary or mapped[0]
    if primary not in mapped:
        raise ConfigError(f"{where}: report.primary {primary!r} is not a score this config maps; it maps "
                          f"{mapped}")
    return {"journey": _segment(spec.journey, "report.journey", responses, where), "primary": primary,
            "max_segment_values": spec.max_segment_values, "scenario_lift": spec.scenario_lift,
            "chromium": spec.chromium, "experiment": _segment(spec.experiment, "report.experiment", responses, where),
            "targets": spec.targets.model_dump(exclude_none=True),
            "pptx_template": existing_file(spec.pptx_template, base_dir, "report.pptx_template", where),
            "rolling": spec.rolling, "option_drivers": _option_drivers(spec.option_drivers, responses, where)}


def _option_drivers(names, responses, where: str) -> list[str] | None:
    """``report.option_drivers``: the multiple-response questions read as drivers (None: every one)."""
    multi = list(getattr(responses, "multi", {}) or {})
    if names is None:
        return None
    unknown = [n for n in names if n not in multi]
    if unknown:
        raise ConfigError(f"{where}: report.option_drivers names {unknown}, not questions under "
                          f"'responses.multi' (those are {multi}); list only configured questions")
    return list(names)


def money_options(spec) -> dict:
    """``money:``: the currency code and the symbol amounts are written with ("" without a currency)."""
    code = spec.currency
    return {"currency": code, "symbol": CURRENCIES.get(code, f"{code} ") if code else ""}


def comments_options(spec, base_dir: Path, where: str) -> dict:
    """``comments:``: the learned ``sentiment_model`` file (must exist), ``brand_words`` to strip and the
    ``label_language`` of discovered themes."""
    model = existing_file(spec.sentiment_model, base_dir, "comments.sentiment_model", where,
                          " (train one with comments.train_sentiment(..., path=))")
    return {"sentiment_model": model, "brand_words": list(spec.brand_words), "label_language": spec.label_language}
