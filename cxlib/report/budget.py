"""What a report run may take: the rows it pulls and the memory of all its processes.

Before any kernel starts, :func:`check_window` counts (one GROUP BY on the table) the rows the report
would pull from a table and refuses, naming the config keys to change, a pull beyond ``engines.max_rows``
or one whose estimated memory exceeds ``engines.memory_budget``. While the notebook runs, :class:`MemoryWatch`
sums the resident memory of the runner and every process it started (the kernel, with its embedded DuckDB)
and stops the kernel when the sum reaches the budget, so that the run ends with a message instead of the
machine killing it.
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pandas as pd

from ..data import config_default, is_table, month_counts, size_bytes
from ..errors import ParameterError, ReportError
from .sections.pull import in_engine

__all__ = ["MemoryWatch", "check_window", "pull_bytes"]

#: Bytes a pulled value takes in the kernel, by type, and how many times the kernel holds the pulled
#: window at its peak (the pull and the windows sections cut from it): 10M responses over 36 months pull
#: 6.66M rows × 21 columns and took 5.9 GB in all processes (benchmarks/bench_report_engines.py).
_BYTES = {"string": 40, "timestamp": 8, "float64": 8, "int64": 9, "boolean": 2}
_COPIES = 2
#: What the runner and a kernel take before any data (Python, pandas, DuckDB, papermill, Jupyter).
_BASE = 600_000_000


def pull_bytes(table, rows: int) -> int:
    """The estimated peak memory of a report pulling ``rows`` rows of ``table``'s columns.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.data import as_table
    >>> pull_bytes(as_table(pd.DataFrame({"nps": [9.0]})), 1_000_000) == 600_000_000 + 2 * 8 * 1_000_000
    True
    """
    per_row = 0
    for kind in table.schema().types:
        name = ("string" if kind.is_string() else "timestamp" if kind.is_timestamp() or kind.is_date()
                else "int64" if kind.is_integer() else "boolean" if kind.is_boolean() else "float64")
        per_row += _BYTES[name]
    return _BASE + _COPIES * per_row * rows


def check_window(cfg, responses, month: str | None) -> None:
    """Refuse, before any kernel starts, a report whose pull from a table is beyond the limits.

    Raises
    ------
    ParameterError
        Naming the rows the window holds, ``engines.report_months``, ``engines.max_rows`` or
        ``engines.memory_budget`` and what to change. A DataFrame, or a month of None, passes.
    """
    if not is_table(responses) or month is None or "responded_at" not in responses.columns:
        return
    opts, k = cfg.engines, cfg.engines["report_months"]
    counts = month_counts(responses)
    if in_engine(cfg, responses):   # statistics in the database: only the month's responses are pulled
        rows = int(counts.loc[counts["month"] == month, "n"].sum())
        where, fix = f"the report on {month} reads its {rows:,} responses as rows", "report on a segment"
    else:
        window = {str(p) for p in pd.period_range(end=month, periods=k, freq="M")}
        rows = int(counts.loc[counts["month"].isin(window), "n"].sum())
        where = (f"the report on {month} reads the {rows:,} responses of the {k} months ending with it "
                 f"(engines.report_months: {k})")
        fix = "lower engines.report_months"
    if rows > opts["max_rows"]:
        raise ParameterError(f"{where}, more than engines.max_rows ({opts['max_rows']:,}); {fix} or raise "
                             "engines.max_rows in the config")
    need, budget = pull_bytes(responses, rows), opts.get("memory_budget") or config_default("engines.memory_budget")
    if need > size_bytes(budget):
        raise ParameterError(f"{where}: about {need / 1e9:.1f} GB of memory, more than engines.memory_budget "
                             f"({budget}); {fix} or raise engines.memory_budget")


def _tree(pid: int) -> list[int]:
    """``pid`` and every process it started, from /proc (Linux); just ``pid`` elsewhere."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _rss(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS")), 0)


class MemoryWatch:
    """Sum the resident memory of this process and its children every ``every`` seconds while a report
    runs; at ``budget`` (e.g. "2.5GB") kill the children (the kernel) and remember it.

    Use as a context manager; after a failed run, :meth:`error` is the ReportError to raise (None when the
    budget was not reached). ``peak`` is the largest sum seen.
    """

    def __init__(self, budget: str, every: float = 0.25):
        self.budget, self.limit, self.every = budget, size_bytes(budget), every
        self.peak, self.exceeded = 0, False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="cx-memory-watch")

    def __enter__(self) -> MemoryWatch:
        if Path("/proc/self/status").exists():
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.wait(self.every):
            procs = _tree(me)
            total = sum(_rss(p) for p in procs)
            self.peak = max(self.peak, total)
            if total >= self.limit:
                self.exceeded = True
                for p in procs[1:]:   # the processes this run started (the kernel), never this one
                    try:
                        os.kill(p, signal.SIGKILL)
                    except OSError:
                        continue
                return

    def error(self) -> ReportError | None:
        """The message for a run stopped at the budget, else None."""
        if not self.exceeded:
            return None
        return ReportError(f"the run reached engines.memory_budget ({self.budget}: {self.peak / 1e9:.1f} GB in all "
                           "its processes) and was stopped before the machine ran out of memory; lower "
                           "engines.report_months, report on a segment, or raise engines.memory_budget")
