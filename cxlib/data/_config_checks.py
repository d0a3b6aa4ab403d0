"""Checking config values (private to :mod:`cxlib.data`): one phrasing, the key always named.

A config is written by hand, so every value is checked for its type before it is used: a quoted
``"false"`` is not a boolean, ``max: 5.9`` is not a scale point, a scalar is not a list and a list is not
a mapping. The YAML itself is read here too: as UTF-8 (a clear message otherwise), and refusing documents
whose aliases expand into more values than any config needs (an "anchor bomb" would otherwise exhaust
memory when the values are used).
"""

from __future__ import annotations

import codecs
import errno
import os
import stat
import time
from pathlib import Path

import yaml

from ..errors import ConfigError

__all__ = ["MAX_VALUES", "OPTIONS", "boolean", "choice", "column_map", "encoding", "mapping", "read_yaml", "usable_file",
           "scalar_lists", "table_options", "text", "whole"]

#: Most values (scalars, lists and mappings, aliases counted as often as they are used) a config may hold.
MAX_VALUES = 100_000
#: Reading options of a table section, beside path and columns.
OPTIONS = ("sheet", "format", "date_format", "dayfirst", "encoding", "delimiter", "decimal")
MAX_BYTES = 1 << 20
_SCALARS = (str, int, float)


def _got(value) -> str:
    shown = repr(value)
    return f"{type(value).__name__} {shown[:60] + '…' if len(shown) > 60 else shown}"


def _fail(where: str, key: str, expected: str, value) -> ConfigError:
    return ConfigError(f"{where}: {key!r} must be {expected}; got {_got(value)}")


def mapping(value, key: str, where: str, *, expected: str = "a mapping of name: value") -> dict:
    """``value`` as a dict (None as {}); a list or scalar is a ConfigError naming ``key``.

    Examples
    --------
    >>> mapping(None, "responses.segments", "config")
    {}
    >>> mapping(["Region"], "responses.segments", "config")
    Traceback (most recent call last):
    ...
    cxlib.errors.ConfigError: config: 'responses.segments' must be a mapping of name: value; got list ['Region']
    """
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(where, key, expected, value)
    return value


def text(value, key: str, where: str, *, expected: str = "a text value") -> str:
    """A string (whole numbers are accepted as their text: a column may be called ``2024``).

    Examples
    --------
    >>> text(2024, "responses.columns.nps", "config")
    '2024'
    >>> text(["LTR"], "responses.columns.nps", "config", expected="a column name")
    Traceback (most recent call last):
    ...
    cxlib.errors.ConfigError: config: 'responses.columns.nps' must be a column name; got list ['LTR']
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
        raise _fail(where, key, expected, value)
    return str(value)


def boolean(value, key: str, where: str) -> bool:
    """A YAML boolean (true/false, unquoted); the quoted text "false" is refused, never read as true.

    Examples
    --------
    >>> boolean(False, "scales.ces.higher_is_better", "config")
    False
    >>> boolean("false", "scales.ces.higher_is_better", "config")
    Traceback (most recent call last):
    ...
    cxlib.errors.ConfigError: config: 'scales.ces.higher_is_better' must be true or false (unquoted); got str 'false'
    """
    if not isinstance(value, bool):
        raise _fail(where, key, "true or false (unquoted)", value)
    return value


def whole(value, key: str, where: str) -> int:
    """A whole number (5 or 5.0); 5.9, "one" or true are refused.

    Examples
    --------
    >>> whole(5.0, "scales.csat.max", "config")
    5
    >>> whole(5.9, "scales.csat.max", "config")
    Traceback (most recent call last):
    ...
    cxlib.errors.ConfigError: config: 'scales.csat.max' must be a whole number; got float 5.9
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value % 1:
        raise _fail(where, key, "a whole number", value)
    return int(value)


def choice(value, options, key: str, where: str) -> str:
    """One of ``options`` (text).

    Examples
    --------
    >>> choice("plain", ("auto", "plain"), "responses.format", "config")
    'plain'
    """
    if not isinstance(value, str) or value not in options:
        raise _fail(where, key, f"one of {list(options)}", value)
    return value


def column_map(value, key: str, where: str) -> dict[str, str]:
    """A mapping of workbook name: column name in the file, both text.

    Examples
    --------
    >>> column_map({"region": "Region"}, "responses.segments", "config")
    {'region': 'Region'}
    """
    out = {}
    for name, col in mapping(value, key, where, expected="a mapping of name: column").items():
        name = text(name, key, where, expected="a mapping with text names")
        if col is not None:
            out[name] = text(col, f"{key}.{name}", where, expected="a column name (text)")
    return out


def scalar_lists(value, key: str, where: str) -> dict[str, list]:
    """A mapping of column: list of codes (numbers or text).

    Examples
    --------
    >>> scalar_lists({"Q8": [98, "DK"]}, "responses.missing_codes", "config")
    {'Q8': [98, 'DK']}
    >>> scalar_lists({"Q8": 98}, "responses.missing_codes", "config")
    Traceback (most recent call last):
    ...
    cxlib.errors.ConfigError: config: 'responses.missing_codes.Q8' must be a list of codes, e.g. [98, 99]; got int 98
    """
    out = {}
    for col, codes in mapping(value, key, where, expected="a mapping of column: [codes]").items():
        where_key = f"{key}.{col}"
        if not isinstance(codes, list) or not all(isinstance(c, _SCALARS) and not isinstance(c, bool)
                                                  for c in codes):
            raise _fail(where, where_key, "a list of codes, e.g. [98, 99]", codes)
        out[str(col)] = list(codes)
    return out


def encoding(value, key: str, where: str) -> str:
    """A text encoding Python knows ("utf-8", "cp1252", "latin-1", "utf-16").

    Examples
    --------
    >>> encoding("cp1252", "responses.encoding", "config")
    'cp1252'
    """
    name = text(value, key, where, expected="an encoding name such as utf-8, cp1252 or utf-16")
    try:
        codecs.lookup(name)
    except LookupError:
        raise _fail(where, key, "an encoding name such as utf-8, cp1252, latin-1 or utf-16", value) from None
    return name


def table_options(name: str, raw: dict, where: str) -> dict:
    """The reading options of table section ``name`` (see :data:`OPTIONS`), each checked for its type.

    Examples
    --------
    >>> table_options("responses", {"path": "r.csv", "delimiter": ";", "decimal": ","}, "config")
    {'delimiter': ';', 'decimal': ','}
    """
    out = {}
    for key in OPTIONS:
        if key not in raw:
            continue
        value, full = raw[key], f"{name}.{key}"
        if key == "sheet":
            out[key] = value if isinstance(value, int) and not isinstance(value, bool) else \
                text(value, full, where, expected="a sheet name or number")
        elif key == "format":
            out[key] = choice(value, ("auto", "plain", "qualtrics"), full, where)
        elif key == "date_format":
            out[key] = text(value, full, where, expected="a strftime format such as '%d/%m/%Y'")
            if "%" not in out[key] or _bad_directive(out[key]):
                raise ConfigError(f"{where}: {full!r} must be a strftime format such as '%d/%m/%Y %H:%M'; "
                                  f"got {value!r}" + (f" ({_bad_directive(out[key])})" if "%" in out[key] else ""))
        elif key == "dayfirst":
            out[key] = boolean(value, full, where)
        elif key == "encoding":
            out[key] = encoding(value, full, where)
        elif key == "delimiter":
            out[key] = choice({"\\t": "\t", "tab": "\t"}.get(value, value), (",", ";", "\t", "|"), full, where)
        elif key == "decimal":
            out[key] = choice(value, (".", ","), full, where)
    return out


def _bad_directive(fmt: str) -> str:
    """What is wrong with a date format's directives ("'Q' is a bad directive ..."), or ""."""
    try:
        time.strptime("", fmt)
    except ValueError as exc:
        return str(exc) if "directive" in str(exc) or "stray" in str(exc) else ""
    return ""


def _expanded_sizes(root) -> dict[int, int]:
    """Number of values under each node, aliases counted at every use (iterative: no recursion limit)."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        nid = id(node)
        if done:
            kids = _children(node)
            sizes[nid] = min(1 + sum(sizes[id(k)] for k in kids), 10 * MAX_VALUES)
            open_.discard(nid)
            continue
        if nid in sizes:
            continue
        if nid in open_:
            raise ConfigError("refers to itself through an alias")
        open_.add(nid)
        stack.append((node, True))
        stack.extend((k, False) for k in _children(node) if id(k) not in sizes)
    return sizes


def _children(node) -> list:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _where_it_grows(root, sizes: dict[int, int]) -> str:
    """The key path of the deepest mapping entry whose value alone is over the limit."""
    path, node = [], root
    while True:
        big = None
        if isinstance(node, yaml.MappingNode):
            big = next(((k, v) for k, v in node.value if sizes[id(v)] > MAX_VALUES), None)
            if big is not None:
                path.append(str(big[0].value) if isinstance(big[0], yaml.ScalarNode) else "?")
                node = big[1]
                continue
        elif isinstance(node, yaml.SequenceNode):
            big = next((v for v in node.value if sizes[id(v)] > MAX_VALUES), None)
            if big is not None:
                node = big
                continue
        return ".".join(path) or "(the whole document)"


def usable_file(path: Path) -> bool:
    """True for a readable regular file, False when nothing is there; ConfigError for anything else at
    ``path`` (a loop of symbolic links, a folder, a device, a file or folder this user may not read)."""
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except (OSError, ValueError) as exc:
        why = {errno.ELOOP: "is a loop of symbolic links; point --config at the YAML file itself",
               errno.EACCES: "is in a folder this user may not open (permissions)"}.get(
                   getattr(exc, "errno", None), f"cannot be opened ({getattr(exc, 'strerror', None) or exc})")
        raise ConfigError(f"config {path} {why}") from None
    if stat.S_ISDIR(info.st_mode):
        raise ConfigError(f"config {path} is a folder; give the YAML file in it, e.g. {Path(path) / 'cx.yml'}")
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"config {path} is not a regular file (a device, pipe or socket); give a YAML file")
    if not os.access(path, os.R_OK):
        raise ConfigError(f"config {path} cannot be read by this user (permissions); allow it: chmod u+r {path}")
    return True


def read_yaml(path: Path, where: str):
    """Parse a YAML config file: UTF-8 only, at most 1 MB, aliases expanding to at most :data:`MAX_VALUES`.

    Raises
    ------
    ConfigError
        Not UTF-8 (with the byte position and what to do), not YAML, too large, or an alias bomb (naming
        the key whose value expands too far).
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"{where} cannot be read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise ConfigError(f"{where}: {len(data):,} bytes is too large for a config (at most {MAX_BYTES:,})")
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise ConfigError(f"{where} is saved as UTF-16; save it as UTF-8 (in most editors: Save As, "
                          "Encoding: UTF-8)")
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{where} is not UTF-8 text: byte 0x{data[exc.start]:02x} on line {line} cannot be "
                          f"decoded; save the file as UTF-8 (it may be Windows-1252 or Latin-1)") from None
    loader = yaml.SafeLoader(source)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        try:
            sizes = _expanded_sizes(node)
        except ConfigError as exc:
            raise ConfigError(f"{where}: the YAML {exc}") from None
        if sizes[id(node)] > MAX_VALUES:
            raise ConfigError(f"{where}: key {_where_it_grows(node, sizes)!r} expands through YAML aliases to more "
                              f"than {MAX_VALUES:,} values; expected a plain value (an alias or anchor bomb?)")
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where} is not valid YAML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{where}: the YAML is nested too deeply to be a config") from None
    finally:
        loader.dispose()
