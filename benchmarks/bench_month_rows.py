"""The report month's rows on a database table: what the pull holds and what the row-reading sections cost (issue 23).

Run by hand: ``.venv/bin/python benchmarks/bench_month_rows.py CONFIG [--month 2026-10] [--sections
segment_table,banner,voice]`` with a config whose responses are a table (``engine: duckdb`` on a large Parquet
file, e.g. the 100M files of ``bench_report_engines.py``). Customer scoring is skipped (170 s at 100M; it does not
read the month's rows). Prints the pulled frame's rows, columns and bytes, then per step (context, each section)
its wall and CPU seconds (CPU counts DuckDB's threads) and the process's resident memory after it and at its
peak so far. Measured on the 100M files (memory_budget 6GB, 2 shared cores): the month's pull 2.83M rows x 11
columns, 0.37 GB (20 columns, 0.61 GB before); context 9.9 s CPU, peak 1.36 GB (15.9 s, 1.59 GB); segment
table 1.3 s CPU, no growth (12.1 s, +0.8 GB); banner 1.9 s CPU (3.9 s); voice 16 s CPU, unchanged.
"""

from __future__ import annotations

import argparse
import resource
import time

from cxlib import data
from cxlib.report import sections


def _rss() -> float:
    """The process's resident GB now (from /proc)."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config")
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--sections", default="segment_table,banner,voice")
    args = parser.parse_args()
    cfg = data.load_config(args.config)
    responses = data.load_responses(cfg)
    steps = {"segment_table": sections.segment_table, "banner": sections.banner,
             "voice": lambda s: sections.voice(s, cache_dir=cfg.cache_dir)}
    print(f"{'step':15} {'wall s':>7} {'cpu s':>7} {'rss GB':>7} {'peak GB':>7}")
    scope = None
    for name in ["context", *args.sections.split(",")]:
        wall, cpu = time.perf_counter(), time.process_time()
        if name == "context":
            scope = sections.context(cfg, responses, month=args.month)
        else:
            steps[name](scope)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
        print(f"{name:15} {time.perf_counter() - wall:7.2f} {time.process_time() - cpu:7.2f} {_rss():7.2f} {peak:7.2f}",
              flush=True)
        if name == "context":
            frame = scope.data
            print(f"  month's rows: {len(frame):,} x {frame.shape[1]} columns, "
                  f"{frame.memory_usage(deep=True).sum() / 1e9:.2f} GB ({', '.join(frame.columns)})", flush=True)


if __name__ == "__main__":
    main()
