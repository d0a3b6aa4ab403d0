"""Where a table lives: a file read by pandas or DuckDB, or a table on a server named by an environment variable.

A config section names either ``path:`` (a file; ``engine: auto | pandas | duckdb``) or ``table:`` with
``connection: env:VAR`` (a table on a server: PostgreSQL, DuckDB files, Spark, anything Ibis connects to).
Credentials come only from the environment: the config names the variable, never the URL, and messages
name the variable and the server without its password. Spark: ``pyspark:///warehouse?spark.master=local[2]``
(:func:`spark_settings`). The top-level ``engines:`` section sets DuckDB's
``memory_limit``, ``temp_directory``, ``threads``, the file size above which ``engine: auto`` picks
DuckDB (``large_file_mb``) and ``check_unique_ids`` (default true: a ``COUNT(DISTINCT id)`` per load, the
largest part of loading 100M rows; set false for a warehouse table whose primary key already ensures it).
The monthly report computes on the months it shows (``report_months``, default 24, ending with the report
month) in the database and pulls only row-level slices (see :mod:`cxlib.report.sections.pull`);
``max_rows`` (default 20 million) caps each slice so that one too big for the machine is refused with its
row count instead of exhausting the memory, and ``memory_budget`` bounds the whole run.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import ConfigError, ParameterError

__all__ = ["PERCENT_HINT", "PULL_BATCH_ROWS", "arrow_rows", "connect_url", "engine_options", "redact_url", "redact_urls", "resolve_url",
           "source_options", "spark_settings", "url_parses"]

_ENV = re.compile(r"^env:([A-Za-z_][A-Za-z0-9_]*)$")

#: Rows a pull from PostgreSQL fetches at a time (:func:`arrow_rows`). Its driver hands rows over as Python
#: objects, so the batch bounds what they take before Arrow holds them: the 10M report's month (283k rows,
#: 50 MB as Arrow) took 500 MB more while Ibis fetched it at once, about 90 MB in batches of 10,000.
PULL_BATCH_ROWS = 10_000


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


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
#: How to write a password that holds characters with a meaning in a URL.
PERCENT_HINT = ("a password holding / # ? @ : or % must be percent-encoded (/ as %2F, # as %23, ? as %3F, "
                "@ as %40, : as %3A, % as %25)")


def url_parses(url: str) -> bool:
    """Whether ``url`` reads the same to a URL parser as to a person: its user part ends at its last "@"
    and its port, if any, is a number (a password holding an unescaped "/", "#" or "?" fails this).

    Examples
    --------
    >>> url_parses("postgresql://cx:s3cret@db:5432/cx"), url_parses("postgresql://cx:Pl/ain@db:5432/cx")
    (True, False)
    """
    from urllib.parse import urlsplit

    m = _SCHEME.match(url)
    if not m:
        return False
    try:
        parts = urlsplit(url)
        parts.port
    except ValueError:
        return False
    return parts.netloc.rpartition("@")[0] == url[m.end():].rpartition("@")[0]


def redact_url(url: str, *, variable: str | None = None) -> str:
    """A server URL for messages: everything between "://" and its last "@" hidden, the query dropped.

    Whatever the password holds ("@", ":", "/", "#", "?", "%"), nothing of it is shown. A URL that does
    not parse (see :func:`url_parses`) is not shown at all: the result names ``variable`` instead.

    Examples
    --------
    >>> redact_url("postgresql://cx:s3cret@db.example:5432/cx?sslmode=require")
    'postgresql://***@db.example:5432/cx'
    >>> redact_url("postgresql://cx:top@sec:ret@db/cx"), redact_url("duckdb:///tmp/x.db")
    ('postgresql://***@db/cx', 'duckdb:///tmp/x.db')
    >>> redact_url("postgresql://cx:Pl/ain@db/cx", variable="CX_URL")
    'the URL in CX_URL'
    """
    if not url_parses(url):
        return f"the URL in {variable}" if variable else "a URL that does not parse"
    scheme, _, rest = url.partition("://")
    _, at, rest = rest.rpartition("@")
    return f"{scheme}://{'***@' if at else ''}{rest.split('?', 1)[0].split('#', 1)[0]}"


def redact_urls(text: str) -> str:
    """``text`` with every URL-like string's credentials hidden: from "://" to the last "@" before the next
    URL or the end of the line, and any query, become "***@" and nothing.

    Examples
    --------
    >>> redact_urls("cannot reach postgresql://u:a b/c@h:1/db?password=x now")
    'cannot reach postgresql://***@h:1/db now'
    """
    out, last = [], 0
    starts = [m.end() for m in _SCHEME.finditer(text)]
    for i, start in enumerate(starts):
        stop = min(starts[i + 1] if i + 1 < len(starts) else len(text), (text + "\n").find("\n", start))
        at = text.rfind("@", start, stop)
        host = at + 1 if at >= 0 else start
        query = re.match(r"[^\s?#]*", text[host:stop]).end() + host
        tail = re.match(r"[^\s]*", text[query:stop]).end() + query
        out += [text[last:start], "***@" if at >= 0 else "", text[host:query]]
        last = tail
    return "".join(out) + text[last:]


def _scrub(text: str, url: str) -> str:
    """A driver's message without the password of ``url`` (as written or decoded) or any URL credentials."""
    from urllib.parse import unquote, urlsplit

    user = urlsplit(url).netloc.rpartition("@")[0]
    password = user.partition(":")[2]
    secrets = {user, unquote(user), password, unquote(password)}
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        # a password of 1-3 characters is hidden where it stands alone ("a" leaves "failed" readable)
        alone = r"(?<![A-Za-z0-9])" if len(secret) < 4 else ""
        text = re.sub(alone + re.escape(secret) + (r"(?![A-Za-z0-9])" if alone else ""), "***", text)
    return redact_urls(text)


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


def spark_settings(url: str) -> dict:
    """The Spark settings a ``pyspark://`` URL names: its query's ``spark.*`` keys, and its path, if any, as
    ``spark.sql.warehouse.dir``. They are applied while the session is built (Ibis's own URL handling sets
    them afterwards, which Spark refuses for static settings such as the master and the catalog).

    Examples
    --------
    >>> spark_settings("pyspark:///data/warehouse?spark.master=local[2]&spark.sql.shuffle.partitions=4")
    {'spark.master': 'local[2]', 'spark.sql.shuffle.partitions': '4', 'spark.sql.warehouse.dir': '/data/warehouse'}
    """
    from urllib.parse import parse_qsl, urlsplit

    parts = urlsplit(url)
    out = dict(parse_qsl(parts.query, keep_blank_values=True))
    bad = sorted(k for k in out if not k.startswith("spark."))
    if bad:
        raise ParameterError(f"the pyspark:// URL takes Spark settings (spark.*) in its query; got {bad}")
    if parts.path.strip("/"):
        out["spark.sql.warehouse.dir"] = parts.path
    return out


def _spark(settings: dict, section: str):
    """An Ibis backend on the process's Spark session, built (or reused) with ``settings``."""
    import ibis

    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ParameterError(f"{section}: a pyspark:// URL needs pyspark and Java 17: pip install 'pyspark>=3.5'"
                             ) from None
    builder = SparkSession.builder.appName("cx-workbook")
    for key, value in settings.items():
        builder = builder.config(key, value)
    return ibis.pyspark.connect(builder.getOrCreate())


def connect_url(url: str, *, variable: str, section: str):
    """An Ibis connection to ``url``; an unreachable server is a ParameterError naming ``variable``.
    A ``pyspark://`` URL starts (or reuses) the process's Spark session with its settings, e.g.
    ``pyspark:///data/warehouse?spark.master=local[2]&spark.sql.catalogImplementation=hive``."""
    import ibis

    spark = None
    if url.lower().startswith("pyspark://"):
        try:
            spark = spark_settings(url)
        except ParameterError as exc:
            raise ParameterError(f"{section}: environment variable {variable}: {exc}") from None
    try:
        con = ibis.connect(url) if spark is None else _spark(spark, section)
    except ParameterError:
        raise
    except Exception as exc:   # noqa: BLE001 - any driver's failure becomes one clear message
        if not url_parses(url):   # the driver's message would quote pieces of the password: not shown
            raise ParameterError(f"{section}: the URL in {variable} does not parse (its host or port cannot be "
                                 f"read, so it is not shown); {PERCENT_HINT}") from None
        text = _scrub(str(exc).splitlines()[0] if str(exc) else "", url)
        raise ParameterError(f"{section}: cannot connect to the server named by {variable} "
                             f"({redact_url(url, variable=variable)}): {type(exc).__name__}: {text}") from None
    if con.name == "postgres":   # its JIT compiles the customer table's expressions for minutes (1M rows: > 5 min
        con.raw_sql("SET jit = off").close()   # with it, 27 s without); a session setting, nothing on the server changes
    return con


def arrow_rows(table):
    """An Ibis table's rows as an Arrow table: from PostgreSQL in batches of :data:`PULL_BATCH_ROWS` rows
    (Ibis fetches a million at a time there), from other engines (Arrow from the start) in one call.

    Examples
    --------
    >>> import ibis
    >>> arrow_rows(ibis.memtable({"x": [1, 2]})).num_rows
    2
    """
    if table.get_backend().name != "postgres":
        return table.to_pyarrow()
    return table.to_pyarrow(chunk_size=PULL_BATCH_ROWS)   # Ibis's own pull, its fetch size only changed
