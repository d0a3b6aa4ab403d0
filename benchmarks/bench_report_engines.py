"""The real monthly report (``python -m cxlib.report``) on a generated Parquet file, read by pandas or DuckDB.

Run by hand: ``.venv/bin/python benchmarks/bench_report_engines.py [--sizes 1e6] [--engines pandas,duckdb]``.
Data: :func:`bench_engines.generate` (the sample's shape, 36 months, responses only: no tickets or accounts,
so the customer sections say they are not configured). Figures: wall time of the command and the peak of
the summed resident memory of the command and every process it starts (the kernel), sampled every 0.2 s.
With DuckDB the report reads the 24 months it shows (two thirds of the rows) instead of every row.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from bench_engines import config, generate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (from /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))) * 1024
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration):
            continue
    return total


def run_report(cfg_path: Path, out: Path) -> tuple[float, int, int]:
    t0, peak = time.perf_counter(), 0
    proc = subprocess.Popen([sys.executable, "-m", "cxlib.report", "--config", str(cfg_path), "--output-dir", str(out),
                             "--month", "2026-10"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.2)
    err = proc.stderr.read().decode()
    if proc.returncode:
        print(err[-2000:], file=sys.stderr)
    return time.perf_counter() - t0, peak, proc.returncode


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1e6")
    p.add_argument("--engines", default="pandas,duckdb")
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cx-bench-report-"))
    try:
        for n in (int(float(s)) for s in args.sizes.split(",")):
            path = tmp / f"responses-{n}.parquet"
            generate(path, n)
            for engine in args.engines.split(","):
                cfg = config(path, engine)
                cfg["report"]["primary"] = "nps"
                cfg_path = tmp / f"cx-{engine}.yml"
                cfg_path.write_text(yaml.safe_dump(cfg))
                wall, peak, rc = run_report(cfg_path, tmp / f"reports-{engine}-{n}")
                print(f"{n:>12,} {engine:<7} report {wall:7.1f} s  peak {peak / 2**30:5.2f} GB (all processes)  "
                      f"exit {rc}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
