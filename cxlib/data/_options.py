"""The engine options a load uses: the config's ``engines:`` section, the folder for validated-file
markers, and DuckDB's memory limit within the run's memory budget."""

from __future__ import annotations

from ._validated import size_bytes
from .schema import default

__all__ = ["BUDGET_SHARE", "duckdb_limit", "run_options"]

#: DuckDB's memory limit is at most this fraction (1/BUDGET_SHARE) of ``engines.memory_budget``.
BUDGET_SHARE = 8


def run_options(cfg) -> dict:
    """The engine options, with the folder where validated-file markers are kept (``cache_dir``) and
    DuckDB's memory limit within the run's budget (see :func:`duckdb_limit`)."""
    return {**cfg.engines, "validated_dir": cfg.cache_dir, "memory_limit": duckdb_limit(cfg.engines)}


def duckdb_limit(options: dict) -> str:
    """DuckDB's memory limit: ``engines.memory_limit``, at most an eighth of ``engines.memory_budget`` (a
    report run holds two DuckDB instances, the runner's and the kernel's, beside pandas, Python's libraries
    and the comment models); beyond it DuckDB spills to ``temp_directory``. An eighth, not a quarter: the 10M
    report's kernel held 1.45-1.50 GB with 625 MB for DuckDB and 1.16 GB with 300 MB, in the same time
    (25.9-26.6 s of cells either way; ``benchmarks/bench_report_engines.py``).

    Examples
    --------
    >>> duckdb_limit({"memory_limit": "1.5GB", "memory_budget": "2.5GB"}), duckdb_limit({"memory_limit": "1GB"})
    ('312MB', '1GB')
    """
    limit = options.get("memory_limit") or default("engines.memory_limit")
    budget = options.get("memory_budget")
    if not budget or size_bytes(limit) <= size_bytes(budget) / BUDGET_SHARE:
        return limit
    return f"{size_bytes(budget) // BUDGET_SHARE // 1_000_000}MB"
