"""Report pipeline timings: the full report vs a trivial 3-cell notebook, and the full report on 1M responses.

Run by hand: ``.venv/bin/python benchmarks/bench_report.py [--skip-1m] [--runs N]``. Prints wall times (the
minimum of ``--runs``, default 3: the machine may be shared), the kernel's CPU seconds (children's rusage),
where the kernel's time goes (start, cells, stop, from papermill's timestamps in the executed notebook), the
report's seconds per cell, an imports-only notebook (the report's imports and the libraries its sections
import: the floor of any report that uses them) and the kernel's peak memory (max RSS of child processes).
Targets (issue 6): full report on the sample < 15 s and <= 3x the trivial notebook; with PDF + deck + e-mail
<= 1.6x HTML only (issue 24); on 1M responses < 45 s with peak memory < 2 GB.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import yaml

from cxlib import report, sample
from cxlib.data import project_root

ROOT = project_root()
TRIVIAL = ROOT / "tests" / "fixtures" / "trivial-report.ipynb"


#: What the report's sections import when they first draw or fit (cxlib imports them lazily).
SECTION_LIBRARIES = "import matplotlib.pyplot, seaborn, great_tables, patsy, scipy.stats, statsmodels.api, statsmodels.formula.api"


def _kernel_split(path: Path) -> dict:
    """Seconds of the kernel's start, cells and stop, and each code cell's, from the executed notebook."""
    nb = json.loads(next(path.parent.glob("*.ipynb")).read_text(encoding="utf-8"))
    stamp = datetime.fromisoformat
    meta = nb["metadata"]["papermill"]
    cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    first, last = cells[0]["metadata"]["papermill"], cells[-1]["metadata"]["papermill"]
    return {"start": (stamp(first["start_time"]) - stamp(meta["start_time"])).total_seconds(),
            "cells": (stamp(last["end_time"]) - stamp(first["start_time"])).total_seconds(),
            "stop": (stamp(meta["end_time"]) - stamp(last["end_time"])).total_seconds(),
            "per_cell": [(_source(c).split("\n")[0][:50], c["metadata"]["papermill"]["duration"] or 0.0)
                         for c in cells]}


def _source(cell: dict) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def timed(label, runs: int = 1, **kwargs) -> tuple[float, dict]:
    """The fastest of ``runs`` renders: its wall seconds and its kernel's split and CPU seconds."""
    best = None
    for _ in range(runs):
        cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        path = report.render_report(**kwargs)
        dt = time.perf_counter() - t0
        cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        split = _kernel_split(path) | {"cpu": cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime}
        peak = cpu1.ru_maxrss / 1024
        print(f"{label:<40} {dt:6.1f} s   kernel: start {split['start']:4.2f} s, cells {split['cells']:5.2f} s, "
              f"stop {split['stop']:4.2f} s, CPU {split['cpu']:5.2f} s   {path.stat().st_size / 1e6:5.2f} MB HTML   "
              f"peak child RSS so far {peak:,.0f} MB")
        if best is None or dt < best[0]:
            best = (dt, split)
    return best


def imports_notebook(folder: Path) -> Path:
    """The trivial notebook plus the report's import cell and the libraries its sections import."""
    nb = json.loads(TRIVIAL.read_text(encoding="utf-8"))
    report_nb = json.loads((ROOT / report.NOTEBOOK).read_text(encoding="utf-8"))
    cell = next(c for c in report_nb["cells"] if c["cell_type"] == "code" and _source(c).startswith(("from", "import")))
    nb["cells"] += [dict(cell, id="cx-imports"), dict(cell, id="cx-libraries", source=SECTION_LIBRARIES)]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "imports-only.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    return folder / "imports-only.ipynb"


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--skip-1m", action="store_true")
    p.add_argument("--runs", type=int, default=3, help="renders per figure; the fastest counts")
    args = p.parse_args(argv)
    out = Path(tempfile.mkdtemp(prefix="cx-bench-"))
    timed("warm-up (trivial)", month="2026-10", notebook=TRIVIAL, output_dir=out / "w")
    trivial, _ = timed("trivial 3-cell notebook", args.runs, month="2026-10", notebook=TRIVIAL, output_dir=out / "t")
    floor, _ = timed("imports only (trivial + report imports)", args.runs, month="2026-10",
                     notebook=imports_notebook(out / "nb"), output_dir=out / "i")
    full, split = timed("full report, sample data", args.runs, month="2026-10", output_dir=out / "f")
    print(f"ratio full / trivial: {full / trivial:.2f} (target <= 3); imports only / trivial: {floor / trivial:.2f}")
    print("the fastest full report's cells (s):")
    for source, seconds in split["per_cell"]:
        print(f"  {seconds:6.2f}  {source}")
    try:
        with_pdf, _ = timed("full report + PDF, sample data", args.runs, month="2026-10", output_dir=out / "p", pdf=True)
        print(f"ratio with PDF / HTML only: {with_pdf / full:.2f} (target <= 1.5)")
        every, _ = timed("full report + PDF + deck + e-mail + Excel", args.runs, month="2026-10", output_dir=out / "a",
                         pdf=True, pptx=True, email=True, xlsx=True)
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
