"""Publishing: the finished build moved into place atomically (the index is :mod:`cxlib.report.index`)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

__all__ = ["publish"]


def publish(tmp: Path, final: Path) -> None:
    """Move the finished build ``tmp`` to ``final``; the old report is removed only after the new one is there.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / "new").mkdir(); _ = (root / "new" / "a.html").write_text("new")
    >>> publish(root / "new", root / "2026-10"); (root / "2026-10" / "a.html").read_text()
    'new'
    """
    old = None
    if final.exists():
        old = final.with_name(f".old-{final.name}-{os.getpid()}")
        final.rename(old)
    try:
        tmp.rename(final)
    except OSError:
        if old is not None:
            old.rename(final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
