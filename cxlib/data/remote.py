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

__all__ = ["connect_url", "engine_options", "redact_url", "resolve_url", "source_options"]


def source_options(spec, name: str, where: str) -> dict:
    """Where a checked table section's data live: ``{"engine"}`` for a file, with ``table`` and ``connection``
    (the variable's name) for a server table. No connection is made.

    Examples
    --------
    >>> from cxlib.data.schema.models import TicketsSection
    >>> spec = TicketsSection(table="cx.tickets", connection="env:CX_URL")
    >>> source_options(spec, "tickets", "config")
    {'table': 'cx.tickets', 'connection': 'CX_URL', 'engine': 'auto'}
    """
    if (spec.path is None) == (spec.table is None):
        raise ConfigError(f"{where}: section '{name}' needs a 'path' to its data file, or a 'table' on a server "
                          "with connection: env:VARIABLE (not both)")
    if spec.path is not None:
        if spec.connection is not None:
            raise ConfigError(f"{where}: '{name}.connection' goes with 'table', not with 'path'")
        return {"engine": spec.engine}
    if spec.connection is None:
        raise ConfigError(f"{where}: '{name}.connection' must be env:VARIABLE naming the environment variable "
                          "that holds the server URL (credentials never go in the config); got none")
    return {"table": spec.table, "connection": spec.connection.removeprefix("env:"), "engine": spec.engine}


def engine_options(spec, base_dir: Path) -> dict:
    """The checked top-level ``engines:`` section as a dict, ``temp_directory`` resolved from the config's folder.

    Examples
    --------
    >>> from cxlib.data.schema.models import Engines
    >>> engine_options(Engines(memory_limit="1GB"), Path("."))["memory_limit"]
    '1GB'
    """
    out = spec.model_dump()
    tmp = spec.temp_directory
    out["temp_directory"] = None if tmp is None else (Path(tmp) if Path(tmp).is_absolute() else base_dir / tmp)
    return out


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
