"""Checking a parsed config against the schema, and saying what is wrong as an analyst reads it.

A pydantic ``ValidationError`` never reaches the user: each of its errors becomes one line naming the
YAML path (``report.primary``), what the key must be and what it got, or, for an unknown key, the
closest known one ("did you mean 'csat'?"); the lines become one :class:`~cxlib.errors.ConfigError`
that starts with the file.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, Tag, ValidationError

from ...errors import ConfigError
from ._registry import config_model
from .models import Config

__all__ = ["did_you_mean", "got", "unknown", "validate"]

#: Most problems listed in one message (the rest are counted).
MAX_SHOWN = 8
_PHRASES = {"bool_type": "true or false (unquoted)", "int_type": "a whole number", "float_type": "a number",
            "string_type": "text", "list_type": "a list", "dict_type": "a mapping"}


def did_you_mean(name: str, known) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``known`` names, or "".

    Examples
    --------
    >>> did_you_mean("csatt", ["nps", "csat", "ces"]), did_you_mean("zzz", ["nps"])
    (" (did you mean 'csat'?)", '')
    """
    close = difflib.get_close_matches(str(name), [str(k) for k in known], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown(what: str, name, known, where_in: str = "") -> str:
    """"unknown key 'x' in 'report' (did you mean 'y'?); expected one of [...]"."""
    place = f" in {where_in!r}" if where_in else ""
    return f"unknown {what} {str(name)!r}{place}{did_you_mean(name, known)}; expected one of {sorted(known)}"


def got(value) -> str:
    """What a value was, for messages: its type and a short repr ("got list ['a']")."""
    shown = repr(value)
    return f"got {type(value).__name__} {shown[:60] + '…' if len(shown) > 60 else shown}"


def validate(raw, where: str) -> Config:
    """``raw`` (a parsed YAML mapping) checked against the schema; a ConfigError listing every problem.

    Examples
    --------
    >>> validate({"responses": {"path": "r.csv"}, "report": {"primry": "nps"}}, "cx.yml")
    Traceback (most recent call last):
    ...
    cxlib.errors.ConfigError: cx.yml: unknown key 'primry' in 'report' (did you mean 'primary'?); expected one of [...]
    """
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping with a 'responses' section; {got(raw)}")
    try:
        return config_model().model_validate(raw)
    except ValidationError as exc:
        lines = list(dict.fromkeys(_line(e) for e in exc.errors(include_url=False)))
    if len(lines) == 1:
        raise ConfigError(f"{where}: {lines[0]}")
    more = f"\n  … and {len(lines) - MAX_SHOWN} more" if len(lines) > MAX_SHOWN else ""
    raise ConfigError(f"{where}: {len(lines)} problems:\n  " + "\n  ".join(lines[:MAX_SHOWN]) + more)


def _line(error: dict) -> str:
    path, parent, here = _walk(error["loc"])
    dotted, name = ".".join(path), path[-1] if path else ""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "extra_forbidden":
        return unknown("section" if len(path) == 1 else "key", name, parent.model_fields, ".".join(path[:-1]))
    if kind == "missing":
        if len(path) == 1:
            return f"a {name!r} section is required"
        needed = [k for k, f in parent.model_fields.items() if f.is_required()]
        return f"{'.'.join(path[:-1])!r} needs {' and '.join(map(repr, needed))}" + \
            (f"; {name!r} is missing" if len(needed) > 1 else "")
    if kind == "cx" and "expected" not in ctx:    # a message of its own (the weighting kinds)
        return f"{dotted!r} {error['msg']}"
    if kind == "cx":
        expected = ctx["expected"] + (f" ({ctx['detail']})" if ctx.get("detail") else "")
    elif kind in ("model_type", "dict_type", "model_attributes_type") and isinstance(here, type):
        expected = here.example
    elif kind == "literal_error":
        expected = f"one of {ctx['expected']}"
    else:
        expected = _PHRASES.get(kind, error["msg"])
    value = error["input"]
    if ctx.get("secret"):
        shown = "got a URL" if isinstance(value, str) and "://" in value else f"got {type(value).__name__}"
    else:
        shown = got(value)
    return f"{dotted!r} must be {expected}; {shown}"


def _walk(loc) -> tuple[list[str], Any, Any]:
    """The YAML path of an error's location, the model holding its last key, and the type found there."""
    tp: Any = config_model()
    parent, path = None, []
    for part in loc:
        tp = _strip(tp)
        tagged = _tagged(tp)
        if tagged:
            tp = tagged.get(part)
            continue
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            parent = tp
            field = tp.model_fields.get(part)
            tp = field.annotation if field else _extra_type(tp)
        elif get_origin(tp) in (dict, list):
            tp = get_args(tp)[-1]
        else:
            tp = None
        path.append(str(part))
    return path, parent, _strip(tp)


def _strip(tp):
    """The type under Annotated[...] and Optional[...]."""
    while True:
        if get_origin(tp) is Annotated:
            tp = get_args(tp)[0]
        elif get_origin(tp) in (Union, types.UnionType) and type(None) in get_args(tp) and len(get_args(tp)) == 2:
            tp = next(a for a in get_args(tp) if a is not type(None))
        else:
            return tp


def _tagged(tp) -> dict:
    """tag -> model of a discriminated union (its tag appears in an error's location), else {}."""
    if get_origin(tp) not in (Union, types.UnionType):
        return {}
    out = {}
    for arg in get_args(tp):
        tags = [m.tag for m in getattr(arg, "__metadata__", ()) if isinstance(m, Tag)]
        if tags:
            out[tags[0]] = get_args(arg)[0]
    return out


def _extra_type(model):
    extra = typing.get_type_hints(model).get("__pydantic_extra__")
    return get_args(extra)[-1] if extra is not None else None
