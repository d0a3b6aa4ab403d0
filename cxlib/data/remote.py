"""Where a table lives: a file read by pandas or DuckDB, or a table on a server named by an environment variable.

A config section names either ``path:`` (a file; ``engine: auto | pandas | duckdb``) or ``table:`` with
``connection: env:VAR`` (a table on a server: PostgreSQL, DuckDB files, Spark, anything Ibis connects to).
Credentials come only from the environment: the config names the variable, never the URL, and messages
name the variable and the server without its password. The top-level ``engines:`` section sets DuckDB's
``memory_limit``, ``temp_directory``, ``threads``, the file size above which ``engine: auto`` picks
DuckDB (``large_file_mb``) and ``check_unique_ids`` (default true: a ``COUNT(DISTINCT id)`` per load, the
largest part of loading 100M rows; set false for a warehouse table whose primary key already ensures it).
The monthly report computes on the rows of the months it shows (``report_months``, default 24, ending with
the report month), pulled once; ``max_rows`` (default 20 million) caps that pull so that a slice too big
for the machine is refused with its row count instead of exhausting the memory.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import ConfigError, ParameterError

__all__ = ["ENGINES", "LARGE_FILE_MB", "MAX_ROWS", "REPORT_MONTHS", "connect_url", "engine_options", "redact_url", "resolve_url",
           "source_options"]

#: The ``engine:`` choices of a file section.
ENGINES = ("auto", "pandas", "duckdb")
#: Files at least this large (MB on disk) are read by DuckDB under ``engine: auto``.
LARGE_FILE_MB = 200
#: Months of rows the report pulls from a table (the longest window a section shows) and the cap on them.
REPORT_MONTHS, MAX_ROWS = 24, 20_000_000
_ENV = re.compile(r"^env:([A-Za-z_][A-Za-z0-9_]*)$")


def source_options(raw: dict, name: str, where: str) -> dict:
    """The ``table``, ``connection`` and ``engine`` keys of a table section, checked (no connection made).

    Examples
    --------
    >>> source_options({"table": "cx.responses", "connection": "env:CX_URL"}, "responses", "config")
    {'table': 'cx.responses', 'connection': 'CX_URL', 'engine': 'auto'}
    """
    has_path, has_table = "path" in raw, "table" in raw
    if has_path == has_table:
        raise ConfigError(f"{where}: section '{name}' needs a 'path' to its data file, or a 'table' on a server "
                          "with connection: env:VARIABLE (not both)")
    engine = raw.get("engine", "auto")
    if engine not in ENGINES:
        raise ConfigError(f"{where}: '{name}.engine' must be one of {list(ENGINES)}, got {engine!r}")
    if has_path:
        if "connection" in raw:
            raise ConfigError(f"{where}: '{name}.connection' goes with 'table', not with 'path'")
        return {"engine": engine}
    table, conn = raw["table"], raw.get("connection")
    if not isinstance(table, str) or not re.fullmatch(r"[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*){0,2}", table):
        raise ConfigError(f"{where}: '{name}.table' must be a table name such as cx.responses, got {table!r}")
    match = _ENV.match(conn) if isinstance(conn, str) else None
    if not match:
        raise ConfigError(f"{where}: '{name}.connection' must name an environment variable holding the server "
                          f"URL, as env:CX_WAREHOUSE_URL (credentials never go in the config); got "
                          f"{'a URL' if isinstance(conn, str) and '://' in conn else repr(conn)}")
    return {"table": table, "connection": match.group(1), "engine": engine}


def engine_options(raw, base_dir: Path, where: str) -> dict:
    """The optional top-level ``engines:`` section: DuckDB's limits and the ``auto`` size threshold.

    Examples
    --------
    >>> engine_options({"memory_limit": "1GB"}, Path("."), "config")["memory_limit"]
    '1GB'
    """
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: 'engines' must be a mapping such as {{memory_limit: 1GB}}")
    unknown = sorted(set(raw) - {"memory_limit", "temp_directory", "threads", "large_file_mb", "check_unique_ids",
                        "report_months", "max_rows"})
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {unknown} in 'engines'; expected memory_limit, "
                          "temp_directory, threads, large_file_mb, check_unique_ids, report_months, max_rows")
    unique = raw.get("check_unique_ids", True)
    if not isinstance(unique, bool):
        raise ConfigError(f"{where}: 'engines.check_unique_ids' must be true or false, got {unique!r}")
    limit = raw.get("memory_limit", "1.5GB")
    if not isinstance(limit, str) or not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", limit, flags=re.I):
        raise ConfigError(f"{where}: 'engines.memory_limit' must be a size such as 1.5GB, got {limit!r}")
    for key in ("threads", "large_file_mb", "report_months", "max_rows"):
        v = raw.get(key)
        whole = key != "large_file_mb"
        if v is not None and (isinstance(v, bool) or not isinstance(v, int if whole else (int, float)) or v <= 0):
            raise ConfigError(f"{where}: 'engines.{key}' must be a positive {'whole ' if whole else ''}number, "
                              f"got {v!r}")
    tmp = raw.get("temp_directory")
    if tmp is not None and not isinstance(tmp, str):
        raise ConfigError(f"{where}: 'engines.temp_directory' must be a folder path, got {tmp!r}")
    tmp_path = None if tmp is None else (Path(tmp) if Path(tmp).is_absolute() else base_dir / tmp)
    return {"memory_limit": limit, "temp_directory": tmp_path, "threads": raw.get("threads"),
            "large_file_mb": raw.get("large_file_mb", LARGE_FILE_MB), "check_unique_ids": unique,
            "report_months": raw.get("report_months", REPORT_MONTHS), "max_rows": raw.get("max_rows", MAX_ROWS)}


def redact_url(url: str) -> str:
    """A server URL without its password or query (for messages): postgresql://cx:***@db:5432/cx.

    The user part ends at the last "@" before the path, so a password holding "@" or ":" is hidden whole,
    and so is one without a user name.

    Examples
    --------
    >>> redact_url("postgresql://cx:s3cret@db.example:5432/cx?sslmode=require")
    'postgresql://cx:***@db.example:5432/cx'
    >>> redact_url("postgresql://cx:top@sec:ret@db/cx"), redact_url("postgresql://:pw@db/cx")
    ('postgresql://cx:***@db/cx', 'postgresql://:***@db/cx')
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return "***"
    rest = rest.split("?", 1)[0].split("#", 1)[0]
    netloc, slash, path = rest.partition("/")
    user, at, host = netloc.rpartition("@")
    if at:
        name = user.split(":", 1)[0]
        netloc = f"{name}:***@{host}" if ":" in user else f"{name}@{host}"
    return f"{scheme}://{netloc}{slash}{path}"


def resolve_url(variable: str, *, section: str) -> str:
    """The URL held by environment variable ``variable``; ParameterError naming the variable when unset."""
    url = os.environ.get(variable, "").strip()
    if not url:
        raise ParameterError(f"{section}: the config reads the server URL from the environment variable "
                             f"{variable}, which is not set; set it (e.g. export {variable}=postgresql://"
                             "user:password@host:5432/db) before running")
    if "://" not in url:
        raise ParameterError(f"{section}: environment variable {variable} must hold a URL such as "
                             "postgresql://user:password@host:5432/db (it holds something else)")
    return url


def connect_url(url: str, *, variable: str, section: str):
    """An Ibis connection to ``url``; an unreachable server is a ParameterError naming ``variable``."""
    import ibis

    try:
        return ibis.connect(url)
    except Exception as exc:   # noqa: BLE001 - any driver's failure becomes one clear message
        secret = re.search(r"//[^:/@]+:([^@]*)@", url)
        text = str(exc).splitlines()[0] if str(exc) else ""
        if secret and secret.group(1):
            text = text.replace(secret.group(1), "***")
        raise ParameterError(f"{section}: cannot connect to the server named by {variable} "
                             f"({redact_url(url)}): {type(exc).__name__}: {text}") from None
