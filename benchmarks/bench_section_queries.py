"""The report's score sections on a database table: seconds and queries each (issue 23).

Run by hand: ``.venv/bin/python benchmarks/bench_section_queries.py CONFIG [--month 2026-10]`` with a
config whose responses are a table (``engine: duckdb`` on a large Parquet file, e.g. the 10M files of
``bench_report_engines.py``). Prints, per section (story, headline, what changed, trends, segment table,
banner), its wall and CPU seconds (CPU counts DuckDB's threads) and the DuckDB queries it ran, with the
seconds of each kind of query by the cxlib function that asked for it. Every section reads what the
scope already computed (the story fills most of it), so run them in the report's order, as here.
"""

from __future__ import annotations

import argparse
import collections
import time
import traceback

from cxlib import data
from cxlib.report import sections

LOG: list[tuple[str, float]] = []


def _count_queries() -> None:
    """Log every DuckDB execute with the cxlib functions that asked for it."""
    import ibis.backends.duckdb as backend

    for name in ("execute", "to_pyarrow"):
        original = getattr(backend.Backend, name)

        def logged(self, expr, *args, _original=original, **kwargs):
            start = time.perf_counter()
            try:
                return _original(self, expr, *args, **kwargs)
            finally:
                frames = [f for f in traceback.extract_stack()[:-1] if "/cxlib/" in f.filename]
                site = " <- ".join(f"{f.filename.split('/cxlib/')[1]}:{f.name}" for f in reversed(frames[-3:]))
                LOG.append((site, time.perf_counter() - start))

        setattr(backend.Backend, name, logged)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config")
    parser.add_argument("--month", default="2026-10")
    args = parser.parse_args()
    _count_queries()
    cfg = data.load_config(args.config)
    responses, tickets, accounts = data.load_responses(cfg), data.load_tickets(cfg), data.load_accounts(cfg)
    scope = sections.context(cfg, responses, month=args.month, segment="")
    scored = sections.customer_scores(scope, tickets, accounts)
    runs = {"story": lambda: sections.story(scope, scored), "headline": lambda: sections.headline(scope),
            "what_changed": lambda: sections.what_changed(scope), "trends": lambda: sections.trends(scope),
            "segment_table": lambda: sections.segment_table(scope), "banner": lambda: sections.banner(scope)}
    for name, run in runs.items():
        first, wall, cpu = len(LOG), time.perf_counter(), time.process_time()
        run()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"{name:14s} {wall:6.2f} s wall {cpu:6.2f} s CPU {len(LOG) - first:3d} queries")
        kinds = collections.defaultdict(lambda: [0, 0.0])
        for site, seconds in LOG[first:]:
            kinds[site][0] += 1
            kinds[site][1] += seconds
        for site, (n, seconds) in sorted(kinds.items(), key=lambda kv: -kv[1][1]):
            print(f"    {n:3d} {seconds:6.2f} s  {site}")


if __name__ == "__main__":
    main()
