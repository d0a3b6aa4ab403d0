"""The linear-time helper (tests/hostile/linear.py) itself: it passes linear work and fails quadratic work.

The functions timed here do known amounts of work: ``sum`` over n items is n additions; the nested
loop is n²/ 2,500 additions (n = 10,000 -> 40,000; n = 100,000 -> 4,000,000: 100x for 10x input).
"""

from __future__ import annotations

import pytest
from linear import assert_linear, measure


def linear_work(items: list) -> int:
    return sum(items)


def quadratic_work(items: list) -> int:
    m = len(items) // 50                      # m² = n² / 2,500 additions
    return sum(i + j for i in range(m) for j in range(m))


def test_linear_work_passes():
    rows = assert_linear(linear_work, lambda n: list(range(n)), sizes=(100_000, 1_000_000), floor=0.05)
    assert [r["size"] for r in rows] == [100_000, 1_000_000] and all(r["ok"] for r in rows)


def test_quadratic_work_fails_and_says_how_much():
    # 10,000 -> 100,000 items: 40,000 -> 4,000,000 additions (100x); allowed 20x the first time, floor 0.05 s
    # (4,000,000 Python additions take well over 0.05 s of CPU on any machine this runs on)
    with pytest.raises(AssertionError, match=r"quadratic_work is not linear: .* at 100,000 is more than"):
        assert_linear(quadratic_work, lambda n: list(range(n)), sizes=(10_000, 100_000), floor=0.05)


def test_a_failed_step_stops_before_the_larger_sizes():
    made = []

    def make(n):
        made.append(n)
        return list(range(n))

    rows = measure(quadratic_work, make, sizes=(10_000, 100_000, 10_000_000), floor=0.05)
    assert made == [10_000, 100_000] and not rows[-1]["ok"]      # 10,000,000 (10^10 / 2,500 additions) never built


def test_the_floor_passes_timings_too_small_to_mean_anything():
    ticks = iter(range(0, 10**6, 1))                               # a fake clock: every call one tick later

    def clock():
        return next(ticks) * 1e-6

    rows = measure(lambda x: None, lambda n: n, sizes=(1, 10), runs=1, clock=clock, ratio=0.0001, floor=0.5)
    assert rows[-1]["ok"] and rows[-1]["allowed"] == 0.5


def test_no_test_asserts_on_the_wall_clock():
    # Timed assertions fail on a busy machine: clocks belong in linear.py (ratios) and benchmarks/.
    # test_lab.py's clock is a 300 s hang guard while JupyterLab starts, not a speed test.
    import re
    from pathlib import Path

    tests = Path(__file__).resolve().parents[1]
    allowed = {tests / "hostile" / "linear.py", tests / "test_lab.py"}
    clock = re.compile(r"\b(perf_counter|process_time|monotonic)\w*\(|\btime\.time\(")
    found = [f"{p.relative_to(tests)}:{i}" for p in sorted(tests.rglob("*.py")) if p not in allowed
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if clock.search(line)]
    assert not found, f"clock reads in tests (use linear.assert_linear, or a benchmarks/ script): {found}"
