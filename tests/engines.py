"""Test servers for the engine suite: a throw-away PostgreSQL (started here when its binaries exist) and a
local Spark session. Imported by ``tests/conftest.py``; nothing starts unless a test asks for it."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bindir() -> Path | None:
    candidates = []
    try:   # pg_config may come from a client package of another version: Debian's folders are tried too
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
        candidates.append(Path(out))
    except (OSError, subprocess.CalledProcessError):
        pass
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    return next((d for d in candidates if (d / "initdb").exists() and (d / "pg_ctl").exists()), None)


class PostgresServer:
    """initdb + pg_ctl in a temporary directory on a loopback port; as the ``postgres`` user when root
    (initdb refuses root). ``url`` is the connection URL (trust authentication, no password)."""

    def __init__(self):
        self.bindir = _bindir()
        self.dir = None
        self.url = None

    def why_not(self) -> str | None:
        if self.bindir is None:
            return "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql"
        if os.geteuid() == 0 and shutil.which("runuser") is None:
            return "running as root without runuser: cannot start PostgreSQL as the postgres user"
        if os.geteuid() == 0:
            import pwd

            try:
                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and there is no postgres user to start PostgreSQL as"
        return None

    def _run(self, *args: str) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120)

    def start(self) -> str:
        self.dir = Path(tempfile.mkdtemp(prefix="cx-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        data, port = self.dir / "data", _free_port()
        self._run("initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        # jit=off: the report's own connections turn it off (cxlib.data.remote.connect_url); a test connecting
        # with plain ibis.connect would otherwise let the JIT compile the customer query for minutes (seen: > 11)
        opts = (f"-p {port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=64MB "
                "-c jit=off")
        self._run("pg_ctl", "-D", str(data), "-o", opts, "-l", str(self.dir / "log"), "-w", "-t", "60", "start")
        self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        return self.url

    def stop(self) -> None:
        if self.dir is None:
            return
        try:
            self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")
        finally:
            time.sleep(0.2)
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


def spark_session():
    """A local[2] Spark session (no packages downloaded), or None when pyspark or Java is missing."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return None
    if shutil.which("java") is None:
        return None
    # create_table's files: not in the checkout, and a fresh folder each session (a fixed one left by an
    # interrupted run made every table "already exist": LOCATION_ALREADY_EXISTS)
    warehouse = tempfile.mkdtemp(prefix="cx-spark-warehouse-")
    atexit.register(shutil.rmtree, warehouse, ignore_errors=True)
    return (SparkSession.builder.master("local[2]").appName("cx-engines")
            .config("spark.sql.warehouse.dir", str(warehouse))
            .config("spark.sql.shuffle.partitions", "4").config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC").getOrCreate())


def duckdb_table(frame, folder: Path):
    """``frame`` as a DuckDB table over a Parquet file in ``folder``, as the large-file configs read one
    (``create_table`` is avoided: see ``cxlib.data.as_table``)."""
    import ibis

    path = Path(folder) / "responses.parquet"
    frame.to_parquet(path)
    return ibis.duckdb.connect().read_parquet(str(path))


def postgres_table(frame, url: str, name: str):
    """``frame`` as the PostgreSQL table ``name`` (one left by an earlier session dropped first; never
    ``create_table(overwrite=True)``: Ibis 12 emits the DROP without a name)."""
    import ibis

    con = ibis.connect(url)
    if name in con.list_tables():
        con.drop_table(name)
    return con.create_table(name, frame)
