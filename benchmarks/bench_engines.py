"""Engines side by side: pandas, DuckDB and PostgreSQL on the same workloads, and DuckDB at 100M responses.

Run by hand: ``.venv/bin/python benchmarks/bench_engines.py [--sizes 1e6,1e7] [--big 1e8] [--no-postgres]``.
Data: a fast DuckDB generator with the sample's shape (canonical columns, 36 months, 4 segments, 8 driver
ratings, a weight, comments on 30% of the responses), written as Parquet to a temporary folder that is
deleted afterwards (check ``df -h`` first: 100M responses take about 4 GB). Each workload runs in its own
process; the figures are its wall time and its peak memory (its VmHWM: DuckDB runs inside that process, so
this is all the memory the work took; PostgreSQL's own server processes are not counted).

Workloads (the same calls on every engine):

- ``load``: reading and validating the responses alone (every other workload includes it once).
- ``scores``: NPS, CSAT and CES by month × region × touchpoint with intervals (``scores.trend``).
- ``drivers``: exact Shapley and Johnson for 8 drivers with jackknife intervals (G = 50).
- ``report``: the statistics of a monthly report: headline tables, what changed (4 segments and the
  region × touchpoint cell, Holm), 13-month trend, segment tables, drivers with importance–performance, and
  the month's comments fetched as rows (what comment redaction and sentiment would then work on).

Targets (issue 12): at 100M via DuckDB the report in < 120 s under 2.5 GB, ``scores`` < 10 s, ``drivers``
< 15 s. ``--sample`` measures the one-code-path question instead: the report workload on the sample data
as a DataFrame and as an ``ibis.memtable`` on DuckDB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DRIVERS = ["ease_of_use", "reliability", "value_for_money", "support_speed", "support_quality", "billing_clarity",
           "onboarding_experience", "product_features"]
SEGMENTS = {"region": ["EMEA", "APAC", "North America", "LATAM"], "plan": ["Basic", "Pro", "Enterprise"],
            "touchpoint": ["onboarding", "support", "billing", "product"], "channel": ["web", "email", "phone"]}
PHRASES = ["Support was slow to answer", "Billing was confusing this month", "Great product, easy to use",
           "The app keeps crashing", "Onboarding took too long", "Friendly and quick help"]
MONTH = "2026-10"


def generate(path: Path, n: int, seed: int = 1) -> None:
    """``n`` responses with the sample's canonical columns, written as Parquet by DuckDB (about 1M rows/s)."""
    import duckdb

    con = duckdb.connect(config={"memory_limit": "1.5GB"})
    con.execute(f"SELECT setseed({seed / 1000})")
    pick = {k: "[" + ", ".join(f"'{v}'" for v in vals) + f"][1 + CAST(floor(random() * {len(vals)}) AS INT)]"
            for k, vals in SEGMENTS.items()}
    drivers = ", ".join(
        f"CASE WHEN random() < 0.03 THEN NULL ELSE CAST(greatest(1, least(5, round(1 + 4 * ({a:.2f} * base + "
        f"{1 - a:.2f} * random())))) AS DOUBLE) END AS {d}" for d, a in zip(DRIVERS, [.15, .25, .35, .7, .45, .3, .2, .1]))
    phrases = "[" + ", ".join(f"'{p}'" for p in PHRASES) + "]"
    con.execute(f"""
    COPY (SELECT
        'R' || lpad(CAST(i AS VARCHAR), 10, '0') AS response_id,
        'C' || lpad(CAST(i % {max(n // 4, 1)} AS VARCHAR), 9, '0') AS customer_id,
        TIMESTAMP '2023-11-01' + to_microseconds(CAST(i * (94694400000000.0 / {n}) AS BIGINT)) AS responded_at,
        CASE WHEN random() < 0.04 THEN NULL ELSE CAST(greatest(0, least(10, round(10 * (0.65 * base + 0.35 * random())))) AS DOUBLE) END AS nps,
        CAST(1 + round(4 * (0.6 * base + 0.4 * random())) AS DOUBLE) AS csat,
        CAST(1 + round(6 * (0.5 * base + 0.5 * random())) AS DOUBLE) AS ces,
        CASE WHEN random() < 0.3 THEN {phrases}[1 + CAST(floor(random() * {len(PHRASES)}) AS INT)] END AS comment,
        round(0.5 + random(), 3) AS weight,
        {pick['region']} AS region, {pick['plan']} AS plan, {pick['touchpoint']} AS touchpoint,
        {pick['channel']} AS channel,
        {drivers}
      FROM (SELECT i, random() AS base FROM range({n}) t(i)))
    TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 500000)""")
    con.close()


def config(path: Path | None, engine: str, table: str | None = None) -> dict:
    cols = ["response_id", "customer_id", "responded_at", "nps", "csat", "ces", "comment", "weight"]
    src = {"table": table, "connection": "env:CX_BENCH_URL"} if table else {"path": str(path), "engine": engine}
    return {"responses": {**src, "columns": {c: c for c in cols}, "segments": {s: s for s in SEGMENTS},
                          "drivers": {d: d for d in DRIVERS}},
            "report": {"journey": "touchpoint"}, "cache_dir": None}


def workload(name: str, cfg: dict, memtable: bool = False) -> dict:
    """Run one workload in this process; return what it computed (sizes), for a sanity line."""
    from cxlib import data, drivers, scores

    responses = data.load_responses(cfg)
    if memtable:
        responses = data.as_table(responses)
    sc = {"csat": {"scale": (1, 5)}, "ces": {"scale": (1, 7)}, "nps": {}}
    if name == "load":
        return {"rows": data.row_count(responses)}
    if name == "scores":
        return {m: len(scores.trend(responses, metric=m, by=["region", "touchpoint"], **sc[m])) for m in sc}
    if name == "drivers":
        return {m: float(drivers.relative_importance(responses, score="nps", drivers=DRIVERS, method=m,
                                                     jackknife=50)["r2"].iloc[0]) for m in ("shapley", "johnson")}
    now = data.subset(responses, month=MONTH)
    out = {m: int(scores.score_table(now, metric=m, **sc[m])["n"].iloc[0]) for m in sc}
    out["what_changed"] = len(scores.what_changed(responses, month=MONTH, by=list(SEGMENTS), journey="touchpoint"))
    window = data.last_months(responses, month=MONTH, months=13)
    out["trend"] = len(scores.trend(window, metric="nps"))
    out["segments"] = len(scores.by_segments(now, segments=list(SEGMENTS), metric="nps"))
    imp = drivers.relative_importance(now, score="nps", drivers=DRIVERS, jackknife=50)
    out["ipa"] = len(drivers.importance_performance(now, score="nps", drivers=DRIVERS, importance=imp,
                                                    driver_scale=(1, 5)))
    rows = now.select("response_id", "comment").filter(now.comment.notnull()).to_pyarrow() if data.is_table(now) \
        else now.loc[now["comment"].notna(), ["response_id", "comment"]]
    out["comments_of_the_month"] = len(rows)
    return out


def measure(label: str, args: list[str], env: dict | None = None) -> dict:
    """Run ``bench_engines.py --run ...`` in a child process: wall time and the child's peak RSS."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--run", *args], stdout=subprocess.PIPE,
                            env={**os.environ, **(env or {})}, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    dt = time.perf_counter() - t0
    # The child's own high-water mark (VmHWM, reset by exec); ru_maxrss would keep the parent's size at fork.
    kb = int(out.split("VmHWM ", 1)[1].split()[0]) if "VmHWM " in out else usage.ru_maxrss
    result = {"label": label, "seconds": round(dt, 1), "peak_gb": round(kb / 1024 ** 2, 2),
              "ok": status == 0, "out": out.strip()[-200:]}
    print(f"{label:<44} {dt:7.1f} s  {kb / 1024 ** 2:5.2f} GB  {'' if status == 0 else 'FAILED'}  "
          f"{out.strip()[-120:]}", flush=True)
    return result


def load_postgres(url: str, parquet: Path) -> None:
    """COPY the Parquet file into a typed table public.cx_responses (as a warehouse holds it)."""
    import duckdb
    import psycopg

    types = {"response_id": "text", "customer_id": "text", "responded_at": "timestamp", "comment": "text",
             **{s: "text" for s in SEGMENTS}}
    con = duckdb.connect()
    names = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM '{parquet}'").fetchall()]
    cols = ", ".join(f"{c} {types.get(c, 'double precision')}" for c in names)
    csv = parquet.with_suffix(".csv")
    con.execute(f"COPY (SELECT * FROM '{parquet}') TO '{csv}' (HEADER, TIMESTAMPFORMAT '%Y-%m-%d %H:%M:%S.%f')")
    with psycopg.connect(url, autocommit=True) as pg:
        pg.execute("DROP TABLE IF EXISTS cx_responses")
        pg.execute(f"CREATE UNLOGGED TABLE cx_responses ({cols})")
        with pg.cursor().copy(f"COPY cx_responses ({', '.join(names)}) FROM STDIN WITH (FORMAT csv, HEADER)") as cp, \
                open(csv, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                cp.write(block)
        csv.unlink()
        pg.execute("ANALYZE cx_responses")


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--run", nargs="+", help=argparse.SUPPRESS)
    p.add_argument("--sizes", default="1e6,1e7", help="sizes for pandas vs DuckDB (PostgreSQL at the largest)")
    p.add_argument("--big", default="1e8", help="DuckDB-only size (0 to skip)")
    p.add_argument("--no-postgres", action="store_true")
    p.add_argument("--sample", action="store_true", help="the sample report workload: DataFrame vs memtable")
    p.add_argument("--out", default=None, help="write the figures as JSON here")
    args = p.parse_args(argv)
    if args.run:
        name, cfg_path, *flags = args.run
        t0 = time.perf_counter()
        got = workload(name, json.loads(Path(cfg_path).read_text()), memtable="memtable" in flags)
        hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
        print(f"VmHWM {hwm} kB; {time.perf_counter() - t0:.1f}s in-process {json.dumps(got)}")
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="cx-bench-engines-"))
    results = []
    try:
        if args.sample:
            from cxlib.data import project_root

            import yaml

            cfg = yaml.safe_load((project_root() / "cx.yml").read_text())
            cfg["responses"]["path"] = str(project_root() / cfg["responses"]["path"])
            for k in ("tickets", "accounts", "codebook"):
                cfg.pop(k, None)
            (tmp / "sample.json").write_text(json.dumps(cfg))
            for _ in range(2):
                results.append(measure("sample report workload, pandas", ["report", str(tmp / "sample.json")]))
                results.append(measure("sample report workload, memtable on DuckDB",
                                       ["report", str(tmp / "sample.json"), "memtable"]))
            return 0
        sizes = [int(float(s)) for s in args.sizes.split(",") if s]
        for n in sizes:
            path = tmp / f"r{n}.parquet"
            t0 = time.perf_counter()
            generate(path, n)
            print(f"generated {n:,} responses in {time.perf_counter() - t0:.1f} s ({path.stat().st_size / 1e9:.2f} GB)")
            for engine in ("pandas", "duckdb"):
                cfg = tmp / f"{engine}-{n}.json"
                cfg.write_text(json.dumps(config(path, engine)))
                for name in ("load", "scores", "drivers", "report"):
                    results.append(measure(f"{n:>11,} {engine:<8} {name}", [name, str(cfg)]))
            if n == max(sizes) and not args.no_postgres:
                sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
                from engines import PostgresServer

                pg = PostgresServer()
                if pg.why_not():
                    print("PostgreSQL skipped:", pg.why_not())
                else:
                    try:
                        url = pg.start()
                        t0 = time.perf_counter()
                        load_postgres(url, path)
                        print(f"loaded {n:,} rows into PostgreSQL in {time.perf_counter() - t0:.1f} s")
                        cfg = tmp / f"pg-{n}.json"
                        cfg.write_text(json.dumps(config(None, "auto", table="cx_responses")))
                        for name in ("load", "scores", "drivers", "report"):
                            results.append(measure(f"{n:>11,} postgres {name}", [name, str(cfg)],
                                                   {"CX_BENCH_URL": url}))
                    finally:
                        pg.stop()
            path.unlink()
        big = int(float(args.big))
        if big:
            path = tmp / f"r{big}.parquet"
            t0 = time.perf_counter()
            generate(path, big)
            print(f"generated {big:,} responses in {time.perf_counter() - t0:.1f} s ({path.stat().st_size / 1e9:.2f} GB)")
            cfg = tmp / f"duckdb-{big}.json"
            cfg.write_text(json.dumps(config(path, "duckdb")))
            for name in ("load", "scores", "drivers", "report"):
                results.append(measure(f"{big:>11,} duckdb   {name}", [name, str(cfg)]))
    finally:
        if args.out:
            Path(args.out).write_text(json.dumps(results, indent=1))
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    sys.exit(main())
