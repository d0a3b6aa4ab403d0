"""Benchmark of cxlib.tables.crosstab and cxlib.weights.rake on a million responses (run by hand).

    python benchmarks/bench_tables.py [--rows N] [--repeat R]

Builds a seeded synthetic frame of ``--rows`` responses (default 1,000,000) and prints the best of
``--repeat`` wall-clock times for:

1. a banner of 5 score rows (NPS, CSAT % top 2, CES mean and two driver means) by Total + 4 segments
   of 10, 10, 10 and 9 values (40 columns), with column letters (target: < 2 s), then the same with
   complement tests and with weights;
2. a banner of 3 multiple-response questions (8 options each, as the loader types them: boolean with NA for
   respondents who skipped the question) plus their nets, by the same 40 columns (target: < 3 s), and
   weighted; then the score banner compared with the previous month (``compare="previous"``);
   The same banners on DuckDB (the frame as a Parquet file read by DuckDB): only the sums leave the
   database, one scan grouped by the four banners;
3. ``drivers.option_impact`` of the same 24 options on the NPS (each option scored as a theme), and weighted
   (12.8 s and 8.5 s through ``comments.theme_impact``'s general sums; 0.84 s and 1.13 s in one matrix
   product per question, 2 shared cores);
4. raking the responses to targets on 3 variables (target: < 5 s);
5. rendering the banner to static HTML with great-tables (for information).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from cxlib import drivers, tables, weights


def synthetic(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=n)
    out = {
        "nps": np.clip(np.round(7 + 2.2 * latent + rng.normal(0, 1, n)), 0, 10),
        "csat": np.clip(np.round(3.8 + 0.9 * latent + rng.normal(0, 0.5, n)), 1, 5),
        "ces": np.clip(np.round(5 + 1.2 * latent + rng.normal(0, 0.8, n)), 1, 7),
        "ease": np.clip(np.round(3.5 + latent + rng.normal(0, 0.7, n)), 1, 5),
        "speed": np.clip(np.round(3.2 + latent + rng.normal(0, 0.9, n)), 1, 5),
    }
    for name, k in (("region", 10), ("plan", 10), ("touchpoint", 10), ("channel", 9)):
        out[name] = pd.Series(rng.choice([f"{name}-{i}" for i in range(k)], n), dtype="str")
    for q in range(1, 4):                                   # 3 multiple-response questions of 8 options
        skipped = rng.random(n) < 0.05
        for k in range(1, 9):
            chosen = rng.random(n) < 0.08 * k
            out[f"Q{q}_{k}"] = pd.array(np.where(skipped, None, chosen), dtype="boolean")
    frame = pd.DataFrame(out)
    frame["weight"] = rng.gamma(4.0, 0.25, n)
    frame["responded_at"] = pd.Timestamp("2026-09-01") + pd.to_timedelta(rng.integers(0, 61, n), unit="D")
    return frame


MULTI = {f"q{q}": [f"Q{q}_{k}" for k in range(1, 9)] for q in range(1, 4)}


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def _on_duckdb(df: pd.DataFrame, kw: dict, mkw: dict, repeat: int) -> None:
    import tempfile
    from pathlib import Path

    import ibis

    with tempfile.TemporaryDirectory() as tmp:
        df.to_parquet(Path(tmp) / "r.parquet")
        t = ibis.duckdb.connect().read_parquet(str(Path(tmp) / "r.parquet"))
        print(f"crosstab on DuckDB, scores:    {best(lambda: tables.crosstab(t, **kw), repeat):.2f} s")
        print(f"crosstab on DuckDB, multi:     {best(lambda: tables.crosstab(t, **mkw), repeat):.2f} s")
        print(f"crosstab on DuckDB, multi, w:  {best(lambda: tables.crosstab(t, weight='weight', **mkw), repeat):.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    df = synthetic(args.rows)
    rows = ["nps", "csat", "ces", "ease", "speed"]
    banner = ["region", "plan", "touchpoint", "channel"]
    kw = {"rows": rows, "banner": banner, "scales": {"ease": (1, 5), "speed": (1, 5)}}
    xt = tables.crosstab(df, **kw)
    cols = xt[["banner", "column"]].drop_duplicates().shape[0]
    print(f"{args.rows:,} responses; banner of {len(rows)} rows x {cols} columns ({len(xt)} cells)")
    print(f"crosstab, column letters:      {best(lambda: tables.crosstab(df, **kw), args.repeat):.2f} s  (target < 2 s)")
    print(f"crosstab, complement tests:    {best(lambda: tables.crosstab(df, test='complement', **kw), args.repeat):.2f} s")
    print(f"crosstab, weighted:            {best(lambda: tables.crosstab(df, weight='weight', **kw), args.repeat):.2f} s")
    mkw = {"banner": banner, "multi": MULTI}
    mx = tables.crosstab(df, **mkw)
    print(f"banner of {mx['row'].nunique()} multiple-response rows (3 questions x 8 options + 3 nets) x "
          f"{mx[['banner', 'column']].drop_duplicates().shape[0]} columns")
    print(f"crosstab, multi-response:      {best(lambda: tables.crosstab(df, **mkw), args.repeat):.2f} s  (target < 3 s)")
    print(f"crosstab, multi, weighted:     {best(lambda: tables.crosstab(df, weight='weight', **mkw), args.repeat):.2f} s")
    print(f"crosstab, vs previous month:   {best(lambda: tables.crosstab(df, compare='previous', **kw), args.repeat):.2f} s"
          "  (scores; October against September)")
    _on_duckdb(df, kw, mkw, args.repeat)
    oi = {"multi": MULTI, "metric": "nps"}
    print(f"option_impact, 24 options:     {best(lambda: drivers.option_impact(df, **oi), args.repeat):.2f} s")
    print(f"option_impact, weighted:       {best(lambda: drivers.option_impact(df, weight='weight', **oi), args.repeat):.2f} s")
    targets = {v: {f"{v}-{i}": 1 / k for i in range(k)} for v, k in (("region", 10), ("plan", 10), ("channel", 9))}
    targets["region"] = {c: (0.19 if i == 0 else 0.09) for i, c in enumerate(targets["region"])}
    r = weights.rake(df, targets=targets)
    print(f"rake, 3 variables (29 margins): {best(lambda: weights.rake(df, targets=targets), args.repeat):.2f} s  "
          f"(target < 5 s; {int(r.summary.loc[0, 'iterations'])} passes, max error "
          f"{r.summary.loc[0, 'max_error']:.1e}, weighting effect {r.summary.loc[0, 'weighting_effect']:.3f})")
    print(f"render_crosstab to HTML:       {best(lambda: tables.render_crosstab(xt).as_raw_html(), args.repeat):.2f} s")


if __name__ == "__main__":
    main()
