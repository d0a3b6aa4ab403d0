"""A section the data in scope cannot carry is left out of its report with the reason, never failing the run.

One small segment value (n = 1 in a ``--by`` run) cannot fit seven drivers; before, that raised in the
kernel and failed the whole report, so the job was red every month. A :class:`~cxlib.errors.DataError`
raised while a section computes (too few rows, no rows to score) now becomes a note in place of the
section, and :func:`cxlib.report.sections.about` lists every section left out. Any other exception is a
real failure and still fails the report.
"""

from __future__ import annotations

import functools

from ...data import segment_label
from ...errors import DataError
from .. import html as h

__all__ = ["attempt", "left_out_note", "section"]


def _reason(exc: DataError) -> str:
    return str(exc).splitlines()[0].rstrip(".") if str(exc) else type(exc).__name__


def left_out_note(scope, title: str, exc: DataError) -> h.Html:
    """Record the section as left out of the report (``scope.left_out``) and return the note shown in its place."""
    reason = _reason(exc)
    scope.left_out[title] = reason
    who = f" for {h.safe_label(segment_label(scope.segment))}" if scope.segment else ""
    return h.note(f"{title} is left out of this report{who}: the data in scope cannot carry it ({reason}).")


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
            try:
                return fn(scope, *args, **kwargs)
            except DataError as exc:
                return left_out_note(scope, title, exc)
        return run
    return wrap


def attempt(fn, *args, **kwargs):
    """``fn(*args, **kwargs)``, or None when the data cannot carry it (a DataError): for the story, whose
    sentences come from sections that say themselves why they are left out."""
    try:
        return fn(*args, **kwargs)
    except DataError:
        return None
