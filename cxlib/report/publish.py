"""Publishing: a finished build swapped into place atomically, one run per report at a time, leftovers
of killed runs recovered (the index is :mod:`cxlib.report.index`).

A report is built in ``.building-<folder>-<id>/`` beside its final folder, then exchanged with it in one
``renameat2(RENAME_EXCHANGE)`` system call (Linux), so that at every instant the path holds either the old
report or the new one; the old one, now in the build folder's place, is then removed. Where the
exchange is not available, the old report is first renamed to ``.old-<folder>-<id>`` and restored on
the next run if the process died before the new one was in place. Each report is rendered under a lock
(``.lock-<folder>``, an ``flock`` that the system releases when the process dies), and the next run of
a report removes its ``.building-*`` leftovers and restores or removes its ``.old-*`` ones before it
builds. Folders are created with the user's umask (a web server running as another user can read
them), never the 0700 of a temporary directory.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import glob
import os
import re
import secrets
import shutil
from contextlib import contextmanager
from pathlib import Path

from ..errors import ReportError

__all__ = ["build_folder", "publish", "recover", "report_lock"]

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def build_folder(out_root: Path, folder: str) -> Path:
    """A new, empty build folder for report ``folder``, created with the user's umask.

    Examples
    --------
    >>> import tempfile
    >>> b = build_folder(Path(tempfile.mkdtemp()), "2026-10")
    >>> b.name.startswith(".building-2026-10-") and b.is_dir()
    True
    """
    path = out_root / f".building-{folder}-{secrets.token_hex(4)}"
    path.mkdir(mode=0o777)   # the umask applies, as for any folder the user makes
    return path


@contextmanager
def report_lock(out_root: Path, folder: str):
    """Hold the lock of report ``folder`` (``out_root/.lock-<folder>``) for the duration of a run.

    Raises
    ------
    ReportError
        When another run holds it.
    """
    path = out_root / f".lock-{folder}"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ReportError(f"report {folder} is being rendered by another run (lock {path}); try again when "
                              "it has finished") from None
        yield path
    finally:
        os.close(fd)


def recover(out_root: Path, folder: str) -> list[str]:
    """Tidy what a killed run of report ``folder`` left (call it holding :func:`report_lock`).

    Build folders are removed; an ``.old-*`` copy is put back when the report's folder is missing (the
    run died between its two renames) and removed otherwise.

    Returns
    -------
    list of str
        What was done, one line per leftover (for the run's log).

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / ".old-2026-10-123").mkdir(); (root / ".building-2026-10-ab12").mkdir()
    >>> recover(root, "2026-10"), (root / "2026-10").is_dir()
    (['removed .building-2026-10-ab12', 'restored 2026-10 from .old-2026-10-123'], True)
    """
    done = []
    final = out_root / folder
    for left in _leftovers(out_root, ".building-", folder):
        shutil.rmtree(left, ignore_errors=True)
        done.append(f"removed {left.name}")
    olds = sorted(_leftovers(out_root, ".old-", folder), key=lambda p: p.stat().st_mtime)
    for i, old in enumerate(reversed(olds)):
        if i == 0 and not final.exists():
            old.rename(final)
            done.append(f"restored {folder} from {old.name}")
        else:
            shutil.rmtree(old, ignore_errors=True)
            done.append(f"removed {old.name}")
    return done


def _leftovers(out_root: Path, prefix: str, folder: str) -> list[Path]:
    """``<prefix><folder>-<hex id>`` entries of ``out_root`` (not those of a longer folder name)."""
    start = f"{prefix}{folder}-"
    return sorted(p for p in out_root.glob(f"{glob.escape(start)}*") if re.fullmatch(r"[0-9a-f]+", p.name[len(start):]))


def publish(tmp: Path, final: Path) -> None:
    """Put the finished build ``tmp`` at ``final``: at every instant ``final`` holds the old or the new report.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / "new").mkdir(); _ = (root / "new" / "a.html").write_text("new")
    >>> publish(root / "new", root / "2026-10"); (root / "2026-10" / "a.html").read_text()
    'new'
    >>> (root / "newer").mkdir(); _ = (root / "newer" / "a.html").write_text("newer")
    >>> publish(root / "newer", root / "2026-10"); (root / "2026-10" / "a.html").read_text(), (root / "newer").exists()
    ('newer', False)
    """
    if not final.exists():
        tmp.rename(final)
        return
    if _exchange(tmp, final):
        shutil.rmtree(tmp)          # the old report, now where the build was
        return
    old = final.with_name(f".old-{final.name}-{secrets.token_hex(4)}")
    final.rename(old)
    try:
        tmp.rename(final)
    except OSError:
        old.rename(final)
        raise
    shutil.rmtree(old, ignore_errors=True)
