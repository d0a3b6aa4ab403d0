"""Benchmark of cxlib driver analysis (run by hand: ``python benchmarks/bench_drivers.py``).

Prints wall-clock times and peak traced memory for:

1. exact Shapley (all 2**p subsets) + Johnson's weights on 100k responses, 20 and 24 drivers
   (targets: < 0.5 s and < 5 s within 2 GB);
2. 1,000 bootstrap resamples of exact Shapley at 12 drivers (target: < 5 s);
3. the same 10-driver problem through the PyPI package ``dominance-analysis`` 1.1.9, which only runs in a
   separate old-stack virtualenv (numpy<2, pandas<2.2, statsmodels<0.15, scikit-learn<1.6, bokeh 2.4.3).
   Point ``CX_DA_PYTHON`` at that venv's python (default ``/tmp/da-venv/bin/python``); when it is
   absent the comparison is skipped with a message. Never a project dependency. Create it with::

       python3.11 -m venv /tmp/da-venv && /tmp/da-venv/bin/pip install "numpy<2" "pandas<2.2" \\
           "statsmodels<0.15" "scikit-learn<1.6" "bokeh==2.4.3" "dominance-analysis==1.1.9"

Options: ``--rows N`` (default 100000), ``--skip-da``, ``--da-rows N`` (rows for the dominance-analysis
comparison, default = --rows).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from cxlib import drivers as dr
from cxlib.drivers import _engine as eng

DA_SCRIPT = r"""
import json, sys, time
import bokeh.io
bokeh.io.output_notebook = lambda *a, **k: None      # the package calls it at import time
import contextlib, io
import pandas as pd
from dominance_analysis import Dominance
data = pd.read_csv(sys.argv[1])
t0 = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    dom = Dominance(data=data, target="y", objective=1, top_k=data.shape[1] - 1)
    general = dom.incremental_rsquare()
print(json.dumps({"seconds": time.perf_counter() - t0, "general": general}))
"""


def survey(rows: int, p: int, seed: int = 0) -> tuple[pd.DataFrame, list[str]]:
    """Synthetic 1-5 ratings driven by a latent factor, and a 0-10 outcome depending on them."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(rows, 1))
    raw = 0.6 * latent + rng.normal(size=(rows, p))
    ratings = np.clip(np.round(3 + raw), 1, 5)
    weights = np.linspace(1.0, 0.1, p)
    y = np.clip(np.round(5 + ratings @ weights / weights.sum() * 2 - 6 + rng.normal(0, 1.5, rows)), 0, 10)
    names = [f"d{j:02d}" for j in range(p)]
    return pd.DataFrame(dict(zip(names, ratings.T)) | {"y": y}), names


def timed(fn, repeat: int = 3):
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def bench_exact(rows: int) -> None:
    for p, repeat in ((20, 5), (24, 2)):
        data, names = survey(rows, p)
        corr = eng.weighted_corr(data[names + ["y"]].to_numpy())
        t_engine, _ = timed(lambda: (eng.shapley(eng.subset_r2(corr), p), eng.johnson(corr)), repeat)
        t_api, _ = timed(lambda: (dr.relative_importance(data, score="y", drivers=names, scale=False),
                                  dr.relative_importance(data, score="y", drivers=names, method="johnson",
                                                         scale=False)), repeat)
        tracemalloc.start()
        dr.relative_importance(data, score="y", drivers=names, scale=False)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        print(f"exact Shapley + Johnson, {p} drivers ({2**p:,} subsets), {rows:,} rows: "
              f"{t_api:.3f} s from the DataFrame ({t_engine:.3f} s engine only, from the correlation matrix); "
              f"peak traced memory {peak:,.0f} MiB")


def bench_bootstrap(rows: int) -> None:
    data, names = survey(rows, 12)
    t, res = timed(lambda: dr.relative_importance(data, score="y", drivers=names, bootstrap=1000, scale=False), 2)
    width = (res["share_ci_high"] - res["share_ci_low"]).max()
    print(f"1,000 bootstrap resamples, exact Shapley, 12 drivers, {rows:,} rows: {t:.3f} s "
          f"(widest 95% share CI {width:.4f})")


def bench_dominance_analysis(rows: int) -> None:
    python = Path(os.environ.get("CX_DA_PYTHON", "/tmp/da-venv/bin/python"))
    if not python.exists():
        print(f"dominance-analysis comparison SKIPPED: no interpreter at {python} "
              "(set CX_DA_PYTHON to a venv with dominance-analysis 1.1.9; see this file's docstring)")
        return
    data, names = survey(rows, 10)
    t_ours, ours = timed(lambda: dr.relative_importance(data, score="y", drivers=names, scale=False), 5)
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "data.csv"
        data.to_csv(csv, index=False)
        script = Path(tmp) / "run_da.py"
        script.write_text(DA_SCRIPT)
        proc = subprocess.run([str(python), str(script), str(csv)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(f"dominance-analysis comparison FAILED:\n{proc.stderr[-2000:]}")
        return
    theirs = json.loads(proc.stdout.strip().splitlines()[-1])
    ours_s = ours.set_index("driver")["importance"]
    diff = max(abs(ours_s[k] - v) for k, v in theirs["general"].items())
    print(f"10 drivers, {rows:,} rows: cxlib exact Shapley {t_ours:.4f} s; dominance-analysis 1.1.9 "
          f"{theirs['seconds']:.2f} s; speed-up {theirs['seconds'] / t_ours:,.0f}x; "
          f"largest difference in general dominance {diff:.2e}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--da-rows", type=int, default=None)
    parser.add_argument("--skip-da", action="store_true")
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} CPUs")
    bench_exact(args.rows)
    bench_bootstrap(args.rows)
    if not args.skip_da:
        bench_dominance_analysis(args.da_rows or args.rows)


if __name__ == "__main__":
    main()
