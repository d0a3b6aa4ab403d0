"""Every score's month sums on a DuckDB table: one shared histogram against batches of few combinations.

Run by hand: ``.venv/bin/python benchmarks/bench_month_sums.py [--parquet FILE] [--n 1e6]``. Without ``--parquet``
it writes ``--n`` sample-shaped responses (:func:`bench_engines.generate`) to a temporary folder. Adds a 0–100
rating answered independently of NPS, CSAT and CES (from a hash of the response id), then times
:func:`cxlib.scores.month_sums` of the four (best of three, wall and CPU seconds) with every score in one
histogram (``MAX_COMBINATIONS`` unbounded: 38,885 combinations a month) and as planned by
:data:`cxlib.scores._combined.MAX_COMBINATIONS` (NPS x CSAT x CES in one query, the rating in another).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_engines import generate  # noqa: E402


def main() -> None:
    import ibis

    from cxlib import scores
    from cxlib.scores import _combined as _sums

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--parquet", default=None)
    p.add_argument("--n", default="1e6")
    args = p.parse_args()
    path = args.parquet
    if path is None:
        path = str(Path(tempfile.mkdtemp()) / "responses.parquet")
        generate(Path(path), int(float(args.n)))
    t = ibis.duckdb.connect(threads=2).read_parquet(path)
    t = t.mutate(rating=(t.response_id.hash() % 101).abs().cast("float64"))
    kw = {"nps": {}, "csat": {"scale": (1, 5)}, "ces": {"scale": (1, 7)}, "rating": {"scale": (0, 100)}}
    planned = _sums.MAX_COMBINATIONS
    for label, cap in (("one histogram", 10**12), (f"batches (MAX_COMBINATIONS={planned:,})", planned)):
        _sums.MAX_COMBINATIONS = cap
        best = (float("inf"), float("inf"))
        for _ in range(3):
            wall, cpu = time.perf_counter(), time.process_time()
            scores.month_sums(t, metrics=kw)
            best = min(best, (time.perf_counter() - wall, time.process_time() - cpu))
        print(f"{label:38s} wall {best[0]:6.2f} s  cpu {best[1]:6.2f} s", flush=True)
    _sums.MAX_COMBINATIONS = planned


if __name__ == "__main__":
    main()
