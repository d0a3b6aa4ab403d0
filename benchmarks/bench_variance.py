"""What the linearised variance costs over Kish's: NPS, CSAT and CES by region on DuckDB and pandas.

Run by hand: ``.venv/bin/python benchmarks/bench_variance.py [--rows 1e7] [--pandas-rows 2e6]``.
Data are generated inside DuckDB (``range`` + seeded ``random()``: 0–10 answers, 1–5, 1–7, a weight, 8
regions) and scored where they live. Both variances come from the same single ``GROUP BY`` (the Σw²·y and
Σw²·y² terms are sums over the answer histogram, not extra aggregates over the rows), so the difference is
the finishing arithmetic only; the pandas figure shows the cost of the extra sums on a DataFrame. Target
(issue 25): linearised ≤ 10% over Kish at 10M rows on DuckDB. Prints the best of 3 runs of each.
"""

from __future__ import annotations

import argparse
import time

from cxlib import scores


def _table(rows: int):
    import ibis

    con = ibis.duckdb.connect()
    con.raw_sql("SELECT setseed(0.25)")
    con.raw_sql(f"""CREATE TABLE r AS SELECT
        floor(random() * 11)::DOUBLE AS nps, 1 + floor(random() * 5)::DOUBLE AS csat,
        1 + floor(random() * 7)::DOUBLE AS ces, 0.3 + random() * 2.7 AS w,
        'R' || (i % 8)::VARCHAR AS region FROM range({rows}) t(i)""")
    return con.table("r")


def _best(call, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def _workload(data, variance):
    scores.nps(data, by="region", weight="w", variance=variance)
    scores.csat(data, by="region", weight="w", scale=(1, 5), variance=variance)
    scores.ces(data, by="region", weight="w", scale=(1, 7), variance=variance)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=float, default=1e7)
    ap.add_argument("--pandas-rows", type=float, default=2e6)
    args = ap.parse_args()
    table = _table(int(args.rows))
    for label, data, rows in (("DuckDB", table, int(args.rows)),
                              ("pandas", _table(int(args.pandas_rows)).execute(), int(args.pandas_rows))):
        kish = _best(lambda: _workload(data, "kish"))
        lin = _best(lambda: _workload(data, "linearized"))
        print(f"{label:7s} {rows:>11,} rows: kish {kish:6.2f} s, linearized {lin:6.2f} s "
              f"({100 * (lin / kish - 1):+.1f}%)")


if __name__ == "__main__":
    main()
