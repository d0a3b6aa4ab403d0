"""The real monthly report (``python -m cxlib.report``) on generated Parquet files, read by pandas or DuckDB.

Run by hand: ``.venv/bin/python benchmarks/bench_report_engines.py [--sizes 1e6,1e7] [--engines pandas,duckdb,postgres]
[--data-dir /tmp/cx-bench-data] [--budget 4GB]`` (``--budget``: ``engines.memory_budget`` for the runs). ``postgres``
starts a throw-away server (tests/engines.py: Debian's postgresql binaries, loopback only), loads the Parquet
files into it (DuckDB writes CSV, psql's ``\copy`` reads it; the load is timed apart) and runs the report on its
tables; its figure is the report command and its kernel (the client), the server's memory apart. Data: :func:`bench_engines.generate` (the sample's shape, 36 months) with
sample-shaped tickets (one per three responses) and accounts (one per customer, a quarter of the responses),
written once into ``--data-dir`` (kept and reused when given; a temporary folder otherwise: check ``df -h``
first, 100M responses take about 4 GB). Figures: wall time of the command and the peak of the summed resident
memory of the command and every process it starts (the kernel), sampled every 0.2 s. Targets (issue 23):
DuckDB 100M < 120 s and < 2.5 GB; 10M < 30 s and < 1.5 GB. A file is validated once per version (a marker
in cache_dir, else the DuckDB temp folder): delete ``<tmp>/cx-duckdb/validated`` to time a first run.
"""

from __future__ import annotations

import argparse
import os
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


def generate_customers(folder: Path, n: int, seed: int = 2) -> tuple[Path, Path]:
    """Tickets and accounts in the sample's shape for ``n`` responses (customers ``C000000000``..., as
    :func:`bench_engines.generate` names them), written as Parquet by DuckDB."""
    import duckdb

    customers, tickets = max(n // 4, 1), max(n // 3, 1)
    con = duckdb.connect(config={"memory_limit": "1.5GB"})
    con.execute(f"SELECT setseed({seed / 1000})")
    t_path, a_path = folder / f"tickets-{n}.parquet", folder / f"accounts-{n}.parquet"
    con.execute(f"""
    COPY (SELECT 'T' || lpad(CAST(i AS VARCHAR), 10, '0') AS ticket_id,
        'C' || lpad(CAST(CAST(floor(random() * {customers}) AS BIGINT) AS VARCHAR), 9, '0') AS customer_id,
        opened, CASE WHEN random() < 0.05 THEN NULL ELSE opened + to_microseconds(CAST(random() * 6e11 AS BIGINT)) END
          AS resolved_at,
        CAST(floor(random() * random() * 4) AS BIGINT) AS handoffs, random() < 0.6 AS first_contact_resolution,
        ['chat', 'email', 'phone'][1 + CAST(floor(random() * 3) AS INT)] AS channel
      FROM (SELECT i, TIMESTAMP '2023-11-01' + to_microseconds(CAST(i * (93000000000000.0 / {tickets}) AS BIGINT))
            AS opened FROM range({tickets}) t(i)))
    TO '{t_path}' (FORMAT parquet, ROW_GROUP_SIZE 500000)""")
    con.execute(f"""
    COPY (SELECT 'C' || lpad(CAST(i AS VARCHAR), 9, '0') AS customer_id,
        ['EMEA', 'APAC', 'North America', 'LATAM'][1 + CAST(floor(random() * 4) AS INT)] AS region,
        ['Basic', 'Pro', 'Enterprise'][1 + CAST(floor(random() * 3) AS INT)] AS plan,
        DATE '2020-01-01' + CAST(floor(random() * 1800) AS INT) AS signup_date,
        round(500 + random() * random() * 20000, 2) AS annual_revenue,
        DATE '2027-01-01' + CAST(floor(random() * 365) AS INT) AS renewal_date,
        churn, CASE WHEN churn THEN TIMESTAMP '2024-01-01' + to_microseconds(CAST(random() * 8e13 AS BIGINT)) END
          AS churned_at
      FROM (SELECT i, random() < 0.08 AS churn FROM range({customers}) t(i)))
    TO '{a_path}' (FORMAT parquet, ROW_GROUP_SIZE 500000)""")
    con.close()
    return t_path, a_path


def bench_config(folder: Path, n: int, engine: str) -> dict:
    """The report config over the generated files (responses, tickets and accounts)."""
    cfg = config(folder / f"responses-{n}.parquet", engine)
    cfg["report"]["primary"] = "nps"
    cols = {"tickets": ["ticket_id", "customer_id", "opened_at", "resolved_at", "handoffs",
                        "first_contact_resolution", "channel"],
            "accounts": ["customer_id", "region", "plan", "signup_date", "annual_revenue", "renewal_date",
                         "churned", "churned_at"]}
    for name, names in cols.items():
        cfg[name] = {"path": str(folder / f"{name}-{n}.parquet"), "engine": engine,
                     "columns": {c: ("opened" if c == "opened_at" else "churn" if c == "churned" else c)
                                 for c in names}}
    return cfg


_PG_TYPES = {"VARCHAR": "text", "DOUBLE": "double precision", "BIGINT": "bigint", "INTEGER": "integer",
             "TIMESTAMP": "timestamp", "DATE": "date", "BOOLEAN": "boolean", "FLOAT": "real"}


def load_postgres(server, folder: Path, n: int) -> None:
    """The three Parquet files of size ``n`` as tables ``responses``, ``tickets``, ``accounts`` on ``server``."""
    import duckdb

    psql = [str(server.bindir / "psql"), server.url, "-q", "-v", "ON_ERROR_STOP=1"]
    for name in ("responses", "tickets", "accounts"):
        src, csv = folder / f"{name}-{n}.parquet", folder / f"{name}-{n}.csv"
        con = duckdb.connect(config={"memory_limit": "1GB"})
        cols = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{src}')").fetchall()
        con.execute(f"COPY (SELECT * FROM read_parquet('{src}')) TO '{csv}' (HEADER, DELIMITER ',')")
        con.close()
        ddl = ", ".join(f'"{c}" {_PG_TYPES.get(str(t).split("(")[0], "text")}' for c, t, *_ in cols)
        subprocess.run([*psql, "-c", f"DROP TABLE IF EXISTS {name}; CREATE UNLOGGED TABLE {name} ({ddl})"], check=True)
        subprocess.run([*psql, "-c", f"\\copy {name} FROM '{csv}' CSV HEADER"], check=True)
        subprocess.run([*psql, "-c", f"ANALYZE {name}"], check=True)
        csv.unlink()


def postgres_config(cfg: dict) -> dict:
    """``cfg`` (the DuckDB config) on the server's tables, the URL from $CX_BENCH_URL."""
    out = {**cfg}
    for name in ("responses", "tickets", "accounts"):
        spec = {k: v for k, v in cfg[name].items() if k not in ("path", "engine")}
        out[name] = {**spec, "table": name, "connection": "env:CX_BENCH_URL"}
    return out


def run_report(cfg_path: Path, out: Path, env: dict | None = None) -> tuple[float, int, int]:
    t0, peak = time.perf_counter(), 0
    proc = subprocess.Popen([sys.executable, "-m", "cxlib.report", "--config", str(cfg_path), "--output-dir", str(out),
                             "--month", "2026-10"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=env)
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.2)
    err = proc.stderr.read().decode()
    if proc.returncode:
        print(err[-2000:], file=sys.stderr)
    return time.perf_counter() - t0, peak, proc.returncode


def start_postgres():
    """A throw-away PostgreSQL on a loopback port (tests/engines.py), started once for the run."""
    sys.path.insert(0, str(ROOT / "tests"))
    from engines import PostgresServer

    server = PostgresServer()
    reason = server.why_not()
    if reason:
        sys.exit(f"no PostgreSQL for the benchmark: {reason}")
    server.start()
    return server


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1e6")
    p.add_argument("--engines", default="pandas,duckdb")
    p.add_argument("--data-dir", default=None, help="keep the generated files here and reuse them")
    p.add_argument("--budget", default=None, help="engines.memory_budget for the runs (e.g. 2.5GB)")
    args = p.parse_args()
    tmp = Path(args.data_dir or tempfile.mkdtemp(prefix="cx-bench-report-"))
    tmp.mkdir(parents=True, exist_ok=True)
    server = None
    try:
        for n in (int(float(s)) for s in args.sizes.split(",")):
            path = tmp / f"responses-{n}.parquet"
            if not path.exists():
                t0 = time.perf_counter()
                generate(path, n)
                generate_customers(tmp, n)
                print(f"generated {n:,} responses with tickets and accounts in {time.perf_counter() - t0:.1f} s",
                      flush=True)
            for engine in args.engines.split(","):
                cfg, env = bench_config(tmp, n, "duckdb" if engine == "postgres" else engine), None
                if engine == "postgres":
                    server = server or start_postgres()
                    t0 = time.perf_counter()
                    load_postgres(server, tmp, n)
                    print(f"loaded {n:,} responses with tickets and accounts into PostgreSQL in "
                          f"{time.perf_counter() - t0:.1f} s", flush=True)
                    cfg, env = postgres_config(cfg), {**os.environ, "CX_BENCH_URL": server.url}
                if args.budget:
                    cfg["engines"] = {"memory_budget": args.budget}
                cfg_path = tmp / f"cx-{engine}.yml"
                cfg_path.write_text(yaml.safe_dump(cfg))
                wall, peak, rc = run_report(cfg_path, tmp / f"reports-{engine}-{n}", env)
                print(f"{n:>12,} {engine:<7} report {wall:7.1f} s  peak {peak / 2**30:5.2f} GB (all processes)  "
                      f"exit {rc}", flush=True)
    finally:
        if server is not None:
            server.stop()
        if not args.data_dir:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
