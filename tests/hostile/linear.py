"""Linear time, proved without a wall-clock budget: a size ratio measured in one run.

A test on a busy machine cannot promise "1 MB in < 6 s" (another process may hold both cores), but it
can compare two sizes measured back to back: if the work grows linearly, ten times the input costs about
ten times the CPU time, whatever the load; a quadratic pattern costs a hundred times. The helper times
CPU time of this process (``time.process_time``: time other processes take from the cores is not
counted), keeps the minimum of three runs of each size, and allows twenty times the smaller size's time
for ten times its input, or an absolute floor under which timings are too small to mean anything.

It grows the input in steps of ten (10 kB, 100 kB, 1 MB by default) and stops at the first step that is
not linear, so a quadratic pattern fails within seconds instead of running for an hour at 1 MB.

Usage (``tests/hostile`` is on ``sys.path`` when pytest collects these tests)::

    from linear import assert_linear
    assert_linear(redact_text, lambda n: "a.b-c_d" * (n // 7))

Absolute timings belong in ``benchmarks/`` scripts that print them (``benchmarks/bench_hostile_text.py``).
"""

from __future__ import annotations

import gc
import time
from typing import Callable

#: Input sizes (characters) measured in turn; each is ten times the one before.
SIZES = (10_000, 100_000, 1_000_000)
#: Allowed growth of the time for ten times the input (10 when linear; a quadratic pattern gives ~100).
RATIO = 20.0
#: CPU seconds under which a larger size always passes (timings that small are noise, and a
#: quadratic pattern that stays under it at 1 MB is harmless at this size).
FLOOR = 0.5
#: Runs of each size; the minimum is kept (the run least disturbed by the rest of the machine).
RUNS = 3


def cpu_seconds(func: Callable, arg, runs: int = RUNS, clock: Callable[[], float] = time.process_time,
                enough: float | None = None) -> float:
    """The least CPU time of ``runs`` calls ``func(arg)`` (garbage collection off while timing).

    With ``enough``, stops at the first call that takes no longer: the least of all ``runs`` would pass
    the same bound, and the largest size is not timed three times for nothing.
    """
    best = float("inf")
    for _ in range(runs):
        if enough is not None and best <= enough:
            break
        gc.collect()
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            t0 = clock()
            func(arg)
            best = min(best, clock() - t0)
        finally:
            if was_enabled:
                gc.enable()
    return best


def measure(func: Callable, make_input: Callable[[int], object], *, sizes=SIZES, ratio: float = RATIO,
            floor: float = FLOOR, runs: int = RUNS, clock: Callable[[], float] = time.process_time) -> list[dict]:
    """Time ``func`` on ``make_input(size)`` for each size; stop after the first step that is not linear.

    Returns
    -------
    list of dict
        One per size measured: ``size`` (the argument given to ``make_input``), ``seconds`` (least CPU
        time of ``runs`` calls), ``allowed`` (the bound for this size: ``ratio`` times the previous
        size's time scaled by the size step over 10, or ``floor``, whichever is larger; None for the
        first size) and ``ok``.
    """
    rows: list[dict] = []
    for i, size in enumerate(sizes):
        arg = make_input(size)
        allowed = None
        if rows:
            step = size / rows[-1]["size"]
            allowed = max(rows[-1]["seconds"] * ratio * step / 10, floor)
        last = i == len(sizes) - 1      # smaller sizes: all runs (their minimum is the next bound's base)
        seconds = cpu_seconds(func, arg, runs, clock, enough=allowed if last else None)
        rows.append({"size": size, "seconds": seconds, "allowed": allowed,
                     "ok": allowed is None or seconds <= allowed})
        if not rows[-1]["ok"]:
            break
    return rows


def assert_linear(func: Callable, make_input: Callable[[int], object], *, name: str = "", **kwargs) -> list[dict]:
    """Fail unless ``func`` runs in linear time on ``make_input(n)`` (see :func:`measure` for the keywords).

    ``make_input(n)`` builds an input of about ``n`` characters (or items). Returns the measured rows.
    """
    rows = measure(func, make_input, **kwargs)
    bad = [r for r in rows if not r["ok"]]
    if bad:
        shown = ", ".join(f"{r['size']:,}: {r['seconds']:.3f} s" for r in rows)
        r = bad[0]
        raise AssertionError(f"{name or getattr(func, '__name__', 'func')} is not linear: {r['seconds']:.3f} s "
                             f"of CPU time at {r['size']:,} is more than the {r['allowed']:.3f} s allowed "
                             f"({kwargs.get('ratio', RATIO):g}x the previous size per 10x input; "
                             f"measured {shown})")
    return rows
