"""A section the data in scope cannot carry is left out of its report with the reason, never failing the run.

One small segment value (n = 1 in a ``--by`` run) cannot fit seven drivers; before, that raised in the
kernel and failed the whole report, so the job was red every month. A :class:`~cxlib.errors.DataError`
raised while a section computes (too few rows, no rows to score) now becomes a note in place of the
section, and :func:`cxlib.report.sections.about` lists every section left out. Any other exception is a
real failure and still fails the report.

After each section the memory its work freed is handed back to the system (:func:`release_freed_memory`).
"""

from __future__ import annotations

import ctypes
import functools
import platform

from ...data import segment_label
from ...errors import DataError
from .. import html as h

__all__ = ["attempt", "left_out_note", "release_freed_memory", "section"]


@functools.lru_cache(maxsize=1)
def _libc():
    """The C library of this process when it is glibc (it has ``malloc_trim``), else None (musl, where a
    compatibility layer may offer a ``malloc_trim`` that does nothing; macOS; Windows)."""
    if platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL(None)
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def release_freed_memory() -> bool:
    """Hand the heap pages freed so far back to the system (glibc's ``malloc_trim``); False elsewhere.

    glibc keeps what a computation freed inside its heap for later allocations, so the kernel's resident
    memory only grew from section to section: the 10M PostgreSQL report's kernel held ~50 MB freed by the
    voice section when the follow-up list's pull started, its peak (issue 23). Nothing is computed again.

    Examples
    --------
    >>> release_freed_memory() in (True, False)
    True
    """
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


def _reason(exc: DataError) -> str:
    return str(exc).splitlines()[0].rstrip(".") if str(exc) else type(exc).__name__


def left_out_note(scope, title: str, exc: DataError) -> h.Html:
    """Record the section as left out of the report (``scope.left_out``) and return the note shown in its place."""
    reason = _reason(exc)
    scope.left_out[title] = reason
    who = f" for {h.safe_label(segment_label(scope.segment))}" if scope.segment else ""
    return h.note(f"{title} is left out of this report{who}: the data in scope cannot carry it ({reason}).")


#: How many sections are running (one inside another: the headline's tiles, the drivers' analyses).
_DEPTH = [0]


def section(title: str):
    """Decorate a section function ``f(scope, ...) -> Html`` so that a DataError leaves it out with its reason.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> @section("Drivers")
    ... def drivers(scope):
    ...     raise DataError("only 1 usable rows for 7 drivers")
    >>> scope = SimpleNamespace(left_out={}, segment=None)
    >>> str(drivers(scope)).count("left out of this report"), scope.left_out
    (1, {'Drivers': 'only 1 usable rows for 7 drivers'})
    """
    def wrap(fn):
        @functools.wraps(fn)
        def run(scope, *args, **kwargs):
            _DEPTH[0] += 1
            try:
                return fn(scope, *args, **kwargs)
            except DataError as exc:
                return left_out_note(scope, title, exc)
            finally:
                _DEPTH[0] -= 1
                if not _DEPTH[0]:   # once per report cell: a section run inside another (a headline tile) waits
                    release_freed_memory()
        return run
    return wrap


def attempt(fn, *args, **kwargs):
    """``fn(*args, **kwargs)``, or None when the data cannot carry it (a DataError): for the story, whose
    sentences come from sections that say themselves why they are left out."""
    try:
        return fn(*args, **kwargs)
    except DataError:
        return None
