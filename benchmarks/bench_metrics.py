"""Benchmark of cxlib.metrics / cxlib.changes on a million responses (run by hand).

    python benchmarks/bench_metrics.py [--data DIR] [--rows N] [--repeat R]

``--data DIR`` points at a folder written by
``python -m cxlib.sample --n-responses 1000000 --format parquet --out DIR``; its ``responses.parquet`` is
loaded through ``cxlib.data.load_responses`` (mapping, typing and validation included) with the
column mapping of ``cx.yml``. Without it a seeded synthetic frame of ``--rows`` responses in the
canonical schema is built and written to a temporary Parquet file first.

Prints the best of ``--repeat`` wall-clock times for:

1. loading the responses from Parquet: ``pandas.read_parquet`` alone and, with ``--data``, the full
   ``data.load_responses`` (target: < 1 s);
2. NPS, CSAT and CES by month × region × touchpoint with CIs (target: < 1 s for the three);
3. ``scores.what_changed`` for the latest month and ``scores.trend`` by region (for information).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from cxlib import data as dataset
from cxlib import scores as metrics
from cxlib import scores as changes

ROOT = Path(__file__).resolve().parents[1]


def synthetic(n: int, seed: int = 0) -> pd.DataFrame:
    """n responses over 36 months in the canonical schema (scores loosely tied to one latent)."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2023-11-01").value
    span = pd.Timestamp("2026-11-01").value - start
    latent = rng.normal(size=n)
    return pd.DataFrame({
        "response_id": pd.Series([f"R{i:07d}" for i in range(n)], dtype="str"),
        "responded_at": pd.to_datetime(start + rng.integers(0, span, n)),
        "nps": np.clip(np.round(7 + 2.2 * latent + rng.normal(0, 1, n)), 0, 10),
        "csat": np.clip(np.round(3.8 + 0.9 * latent + rng.normal(0, 0.5, n)), 1, 5),
        "ces": np.clip(np.round(5 + 1.2 * latent + rng.normal(0, 0.8, n)), 1, 7),
        "region": pd.Series(rng.choice(["North America", "EMEA", "APAC", "LATAM"], n), dtype="str"),
        "plan": pd.Series(rng.choice(["Basic", "Pro", "Enterprise"], n), dtype="str"),
        "touchpoint": pd.Series(rng.choice(["onboarding", "support", "billing", "renewal"], n), dtype="str"),
    })


def best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=None, help="folder with responses.parquet from cxlib.sample")
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        if args.data is not None:
            path = args.data / "responses.parquet"
            cfg = yaml.safe_load((ROOT / "cx.yml").read_text(encoding="utf-8"))
            cfg = {"responses": {**cfg["responses"], "path": str(path.resolve())}}
            t_load, data = best(lambda: dataset.load_responses(cfg), args.repeat)
            print(f"dataset.load_responses (parquet, {len(data):,} rows, mapped + validated): {t_load:.3f} s")
        else:
            path = Path(tmp) / "responses.parquet"
            t_make = time.perf_counter()
            synthetic(args.rows).to_parquet(path, index=False)
            print(f"built a synthetic {args.rows:,}-row frame in {time.perf_counter() - t_make:.1f} s "
                  "(no --data given)")
        t_read, data2 = best(lambda: pd.read_parquet(path), args.repeat)
        print(f"pandas.read_parquet ({len(data2):,} rows, {data2.shape[1]} columns): {t_read:.3f} s")
        if args.data is None:
            data = data2

    by = ["period", "region", "touchpoint"]
    frame = dataset.add_period(data)
    cfg_scales = dataset.load_config().scales
    runs = {
        "nps": lambda: metrics.nps(frame, by=by),
        "csat": lambda: metrics.csat(frame, by=by, scale=cfg_scales["csat"]),
        "ces": lambda: metrics.ces(frame, by=by, scale=cfg_scales["ces"]),
    }
    total = 0.0
    for name, fn in runs.items():
        t, table = best(fn, args.repeat)
        total += t
        print(f"{name} by month × region × touchpoint ({len(table):,} groups, CIs): {t:.3f} s")
    t_period, _ = best(lambda: dataset.add_period(data), args.repeat)
    print(f"all three: {total:.3f} s (+ add_period {t_period:.3f} s) -> target < 1 s: "
          f"{'met' if total + t_period < 1 else 'NOT met'}")
    month = str(data["responded_at"].max().to_period("M"))
    t, wc = best(lambda: changes.what_changed(data, month=month, by=["region", "plan", "touchpoint"], journey="touchpoint"), args.repeat)
    print(f"what_changed {month} ({len(wc)} comparisons, Holm): {t:.3f} s")
    t, tr = best(lambda: changes.trend(data, by="region"), args.repeat)
    print(f"trend by region ({len(tr)} rows): {t:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
