"""The monthly report's sections on Spark ``local[2]``, over the generated Parquet of bench_report_engines.py.

Run by hand: ``.venv/bin/python benchmarks/bench_report_spark.py [--size 1e7] [--data-dir /tmp/cx-bench-data]
[--budget 4GB]``. The files (responses, tickets, accounts, made by :mod:`bench_report_engines` when missing)
are registered as Spark views and named in the config (``table:`` + ``connection: env:CX_BENCH_SPARK_URL``
holding ``pyspark://?spark.master=local[2]``), loaded (validated on Spark) and every report section is computed
in this process, as the report's kernel computes them (the HTML page around them is not written: the
kernel opens its own Spark session, which sees these views only through a shared catalog). Figures: wall
time of the session start, the load and each section, and the peak of the summed resident memory of this
process and the JVM it starts, sampled every 0.2 s. Target (issue 23): 10M in < 300 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_report_engines import _tree_rss, bench_config, generate, generate_customers  # noqa: E402

URL = ("pyspark://?spark.master=local[2]&spark.sql.shuffle.partitions=4&spark.ui.enabled=false"
       "&spark.driver.memory=2g&spark.ui.showConsoleProgress=false")


def _watch(peak: list, stop: threading.Event) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], _tree_rss(os.getpid()))
        time.sleep(0.2)


def _timed(label: str, fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    print(f"  {label:<16} {time.perf_counter() - t0:7.1f} s", flush=True)
    return out


def report(cfg: dict) -> None:
    """Load the three tables through the config and compute every section of the report on them."""
    from cxlib import data
    from cxlib.report import sections

    loaded = data.load_config(cfg)
    responses = _timed("load responses", data.load_responses, loaded)
    tickets = _timed("load tickets", data.load_tickets, loaded)
    accounts = _timed("load accounts", data.load_accounts, loaded)
    scope = _timed("context", sections.context, loaded, responses, month="2026-10")
    scored = _timed("customer_scores", sections.customer_scores, scope, tickets, accounts)
    _timed("story", sections.story, scope, scored)
    for name in ("title", "headline", "what_changed", "trends", "segment_table", "banner", "drivers"):
        _timed(name, getattr(sections, name), scope)
    _timed("voice", sections.voice, scope, cache_dir=None)
    _timed("operations", sections.operations, scope, tickets, scored)
    _timed("worth", sections.worth, scope, scored)
    _timed("about", sections.about, scope, digests={})
    print("  drivers:", scope.methods.get("drivers", "")[:160], flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", default="1e7")
    p.add_argument("--data-dir", default="/tmp/cx-bench-data")
    p.add_argument("--budget", default=None, help="engines.memory_budget (e.g. 4GB)")
    args = p.parse_args()
    n, folder = int(float(args.size)), Path(args.data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / f"responses-{n}.parquet").exists():
        generate(folder / f"responses-{n}.parquet", n)
        generate_customers(folder, n)
    warnings.simplefilter("ignore")
    os.environ["CX_BENCH_SPARK_URL"] = URL
    peak, stop = [0], threading.Event()
    threading.Thread(target=_watch, args=(peak, stop), daemon=True).start()
    t0 = time.perf_counter()
    from cxlib.data.remote import connect_url

    con = _timed("spark session", connect_url, URL, variable="CX_BENCH_SPARK_URL", section="bench")
    cfg = bench_config(folder, n, "duckdb")
    for name in ("responses", "tickets", "accounts"):
        con.read_parquet(cfg[name].pop("path"), table_name=f"bench_{name}")
        cfg[name].pop("engine")
        cfg[name].update(table=f"bench_{name}", connection="env:CX_BENCH_SPARK_URL")
    if args.budget:
        cfg["engines"] = {"memory_budget": args.budget}
    report(cfg)
    stop.set()
    print(f"{n:>12,} spark local[2] report sections {time.perf_counter() - t0:7.1f} s  "
          f"peak {peak[0] / 2**30:5.2f} GB (this process and its JVM)  load {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
