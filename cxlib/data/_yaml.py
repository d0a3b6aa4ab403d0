"""Reading a YAML config or codebook safely (private to :mod:`cxlib.data`).

As UTF-8 (a clear message otherwise), at most 1 MB, and refusing documents whose aliases expand into more
values than any config needs (an "anchor bomb" would otherwise exhaust memory when the values are used).
The values are then checked by the config schema (:mod:`cxlib.data.schema`).
"""

from __future__ import annotations

import codecs
import errno
import os
import stat
from pathlib import Path

import yaml

from ..errors import ConfigError

__all__ = ["MAX_VALUES", "read_yaml", "usable_file"]

#: Most values (scalars, lists and mappings, aliases counted as often as they are used) a config may hold.
MAX_VALUES = 100_000
MAX_BYTES = 1 << 20


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
