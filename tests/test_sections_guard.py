"""The section guard (cxlib.report.sections._guard): a section left out with its reason, and the memory its
work freed handed back to the system after it."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from cxlib.errors import DataError
from cxlib.report.sections import _guard


def _anon_bytes() -> int:
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("RssAnon"))) * 1024


@pytest.mark.parametrize("fails", [False, True])
def test_the_freed_memory_is_released_after_every_section(monkeypatch, fails):
    # The 10M PostgreSQL report's kernel held what the voice section freed when the follow-up list's pull
    # started, its peak (issue 23): each section, shown or left out, releases it when it ends.
    calls = []
    monkeypatch.setattr(_guard, "release_freed_memory", lambda: calls.append(len(calls)) or True)

    @_guard.section("Drivers")
    def drivers(scope):
        assert not calls               # released after the section's work, not before
        if fails:
            raise DataError("only 1 usable rows for 7 drivers")
        return "shown"

    scope = SimpleNamespace(left_out={}, segment=None)
    out = drivers(scope)
    assert calls == [0]
    assert ("left out" in str(out)) == fails and ("Drivers" in scope.left_out) == fails


@pytest.mark.skipif(_guard._libc() is None or not Path("/proc/self/status").exists(),
                    reason="glibc's malloc_trim and /proc are Linux with glibc only")
def test_release_hands_freed_heap_pages_back():
    # 100,000 blocks of 1,000 bytes (glibc's heap, below its mmap threshold) freed except the last, which keeps
    # glibc from trimming the heap's top by itself: the ~100 MB stay resident until released. Measured against
    # what was allocated, not as an absolute figure.
    blocks = [bytes(1000) for _ in range(100_000)]
    last = blocks.pop()
    before = _anon_bytes()
    del blocks
    held = _anon_bytes()
    assert _guard.release_freed_memory()
    after = _anon_bytes()
    assert held - after > 50_000_000, (before, held, after)
    assert len(last) == 1000


def test_a_section_inside_another_releases_once_at_the_end(monkeypatch):
    # found in review: the headline's tiles and the drivers' analyses are sections inside sections, and
    # malloc_trim walks the whole heap (tens of ms): it runs once, when the outermost section ends
    calls = []
    monkeypatch.setattr(_guard, "release_freed_memory", lambda: calls.append(1) or True)

    @_guard.section("Tile")
    def tile(scope):
        return "tile"

    @_guard.section("Headline")
    def headline(scope):
        parts = [tile(scope) for _ in range(3)]
        assert not calls
        return "".join(parts)

    assert headline(SimpleNamespace(left_out={}, segment=None)) == "tiletiletile" and calls == [1]
