"""Report pipeline timings: the full report vs a trivial 3-cell notebook, and the full report on 1M responses.

Run by hand: ``.venv/bin/python benchmarks/bench_report.py [--skip-1m]``. Prints wall times and the
kernel's peak memory (max RSS of child processes). Targets (issue 6): full report on the sample < 15 s
and <= 3x the trivial notebook; with PDF + deck + e-mail <= 1.6x HTML only (issue 24); on 1M responses < 45 s with peak memory < 2 GB.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import yaml

from cxlib import report, sample
from cxlib.data import project_root

ROOT = project_root()
TRIVIAL = ROOT / "tests" / "fixtures" / "trivial-report.ipynb"


def timed(label, **kwargs) -> float:
    t0 = time.perf_counter()
    path = report.render_report(**kwargs)
    dt = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{label:<40} {dt:6.1f} s   {path.stat().st_size / 1e6:5.2f} MB HTML   peak child RSS so far {peak:,.0f} MB")
    return dt


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--skip-1m", action="store_true")
    args = p.parse_args(argv)
    out = Path(tempfile.mkdtemp(prefix="cx-bench-"))
    timed("warm-up (trivial)", month="2026-10", notebook=TRIVIAL, output_dir=out / "w")
    trivial = min(timed("trivial 3-cell notebook", month="2026-10", notebook=TRIVIAL, output_dir=out / "t")
                  for _ in range(2))
    full = min(timed("full report, sample data", month="2026-10", output_dir=out / "f") for _ in range(2))
    print(f"ratio full / trivial: {full / trivial:.2f} (target <= 3)")
    try:
        with_pdf = min(timed("full report + PDF, sample data", month="2026-10", output_dir=out / "p", pdf=True)
                       for _ in range(2))
        print(f"ratio with PDF / HTML only: {with_pdf / full:.2f} (target <= 1.5)")
        every = min(timed("full report + PDF + deck + e-mail + Excel", month="2026-10", output_dir=out / "a",
                          pdf=True, pptx=True, email=True, xlsx=True) for _ in range(2))
        print(f"ratio with PDF + deck + e-mail + Excel / HTML only: {every / full:.2f} (target <= 1.6)")
    except ValueError as exc:   # no Chromium here
        print(f"PDF not measured: {exc}")
    if args.skip_1m:
        return 0
    big = out / "big"
    t0 = time.perf_counter()
    sample.write_sample(big, fmt="parquet", n_per_month=1_000_000 // 36, n_customers=250_000)
    print(f"generated 1M responses in {time.perf_counter() - t0:.1f} s")
    cfg = yaml.safe_load((ROOT / "cx.yml").read_text())
    for name in ("responses", "tickets", "accounts"):
        cfg[name]["path"] = str(big / f"{name}.parquet")
    if "codebook" in cfg:
        cfg["codebook"] = str(ROOT / cfg["codebook"])
    (big / "cx.yml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    timed("full report, 1M responses", month="2026-10", config=big / "cx.yml", output_dir=out / "big-r")
    return 0


if __name__ == "__main__":
    sys.exit(main())
