"""Tables in the canonical schema on DuckDB or a server: the handle :func:`cxlib.data.load_responses`
returns for large files and server tables.

The source columns are mapped, typed and validated as aggregate queries (one scan: text in a number
column, off-scale scores, unreadable or implausible dates, repeated ids), with the first offending rows
fetched by ``LIMIT`` for the message. Nothing is pulled into pandas: the result is a lazy Ibis table that
every analysis function accepts. DuckDB runs embedded with ``memory_limit`` and ``temp_directory`` set,
so files larger than memory spill to disk.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from ..errors import ConfigError, DataError
from ..metrics import METRICS
from ._coerce import BOOL, DATE, FALSE, FLOAT, ID, INT, MULTI, TEXT, TRUE, TYPES, UNIQUE
from ._dates import table_dates
from ._scales import raise_off_scale, scale_for, table_off_scale
from ._validated import marker_path, read_marker, write_marker
from .aggregate import is_table
from .config import Scale, TableSpec
from .multi import selection_expr
from .remote import connect_url, redact_url, resolve_url
from .schema import default

__all__ = ["as_table", "duckdb_connection", "open_table", "table_for", "uses_engine"]

_CONNECTIONS: dict = {}
_EVENTS = {"responded_at", "opened_at", "resolved_at", "signup_date", "churned_at"}


def duckdb_connection(options: dict | None = None):
    """The process's embedded DuckDB connection (one per setting), with memory_limit and temp_directory set."""
    import ibis

    options = options or {}
    limit = options.get("memory_limit", default("engines.memory_limit"))
    tmp = options.get("temp_directory") or Path(tempfile.gettempdir()) / "cx-duckdb"
    key = ("duckdb", limit, str(tmp), options.get("threads"))
    if key not in _CONNECTIONS:
        Path(tmp).mkdir(parents=True, exist_ok=True)
        extra = {"threads": int(options["threads"])} if options.get("threads") else {}
        _CONNECTIONS[key] = ibis.duckdb.connect(memory_limit=limit, temp_directory=str(tmp),
                                                preserve_insertion_order=False, **extra)
    return _CONNECTIONS[key]


def as_table(data):
    """An Ibis table for ``data``: a table is returned as is, a DataFrame becomes an ``ibis.memtable``
    (run on DuckDB). ``create_table(..., overwrite=True)`` is avoided: Ibis 12 emits ``DROP ... IF EXISTS``
    without the name there (a syntax error on DuckDB 2 and PostgreSQL).

    Examples
    --------
    >>> import pandas as pd
    >>> int(as_table(pd.DataFrame({"nps": [9, 10]})).nps.sum().execute())
    19
    """
    import ibis

    if is_table(data):
        return data
    return ibis.memtable(data)


#: Reading options only the pandas reader applies (DuckDB reads plain comma CSV, Parquet, and hands on
#: SPSS/Excel files that pandas read).
PANDAS_ONLY = ("delimiter", "decimal", "encoding", "date_format", "dayfirst", "format")
#: Files pandas reads (with every option) and hands to DuckDB.
HANDED_ON = (".sav", ".xlsx", ".xlsm", ".xls")


def uses_engine(spec: TableSpec, options: dict) -> bool:
    """True when the table is read through Ibis: a server table, ``engine: duckdb``, or a large file
    under ``engine: auto`` (at least ``large_file_mb`` MB)."""
    if spec.options.get("table"):
        return True
    engine = spec.options.get("engine", "auto")
    handed_on = "".join(spec.path.suffixes[-2:]).lower().endswith(HANDED_ON)
    pandas_only = [] if handed_on else sorted(k for k in PANDAS_ONLY if k in spec.options)
    if engine == "duckdb" and pandas_only:
        raise ConfigError(f"{spec.name}: engine: duckdb does not apply the reading option(s) {pandas_only}; "
                          "use engine: pandas (or auto), or convert the file to Parquet")
    if engine != "auto":
        return engine == "duckdb"
    if pandas_only:   # only pandas applies them: a large file with them stays on pandas
        return False
    return spec.path.exists() and spec.path.stat().st_size >= options.get("large_file_mb", default("engines.large_file_mb")) * 1e6


def _source(spec: TableSpec, options: dict):
    """The raw table and how messages name it."""
    if spec.options.get("table"):
        var = spec.options["connection"]
        url = resolve_url(var, section=f"{spec.name} table {spec.options['table']}")
        con = _CONNECTIONS.get(url) or connect_url(url, variable=var, section=f"{spec.name} table")
        _CONNECTIONS[url] = con
        *db, name = spec.options["table"].split(".")
        where = f"{spec.name} table {spec.options['table']} ({redact_url(url, variable=var)})"
        try:
            return con.table(name, database=tuple(db) if len(db) > 1 else (db[0] if db else None)), where
        except Exception as exc:   # noqa: BLE001 - a missing table on any backend
            raise DataError(f"{where}: cannot open the table: {type(exc).__name__}: "
                            f"{str(exc).splitlines()[0] if str(exc) else ''}") from None
    path, where = spec.path, f"{spec.name} file {spec.path}"
    if not path.exists():
        raise DataError(f"{where} does not exist")
    con = duckdb_connection(options)
    suffix = "".join(path.suffixes[-2:]).lower()
    if suffix.endswith((".parquet", ".pq")):
        return con.read_parquet(str(path)), where
    if suffix.endswith((".csv", ".csv.gz", ".tsv", ".txt")):
        return con.read_csv(str(path), all_varchar=True, delim="\t" if ".tsv" in suffix else ","), where
    return None, where   # .sav / .xlsx: read by pandas, then handed to DuckDB (see loading)


def _number(code) -> float | None:
    try:
        return float(code)
    except (TypeError, ValueError):
        return None


def _typed(raw, src: str, kind: str, missing: list, clean: bool = False, tz: str | None = None):
    """The expression for one canonical column, and the condition that flags its unreadable values.

    Read as the pandas loader reads a file: missing codes compared as numbers on a numeric column (99 and
    99.0 alike) and as stripped text otherwise; NaN is missing; text is stripped, blank text missing;
    whole-number ids read "10", not "10.0"; true/false text reads "True"/"False"; dates with a UTC offset
    read in the time zone ``tz`` or, when None, at the clock time they were written with. ``clean``: the column is known (by :func:`_probes`) to hold no NaN, no blank and no
    surrounding blanks, so it is used as stored and no query pays for the NaN test or the TRIM.
    """
    import ibis

    col = raw[src]
    if col.type().is_floating() and not clean:
        col = col.isnan().ifelse(ibis.null(), col)
    if missing:
        nums = [n for n in (_number(c) for c in missing) if n is not None]
        if col.type().is_numeric():
            hit = col.isin(nums) if nums else ibis.literal(False)
        else:   # text: the code as written, or the same number written otherwise ("99.0" for 99)
            stripped = col.cast("string").strip()
            hit = stripped.isin([str(c) for c in missing])
            if nums:
                hit = hit | stripped.try_cast("float64").isin(nums).fill_null(False)
        col = hit.ifelse(ibis.null(), col)
    if col.type().is_numeric() and kind in (ID, TEXT):
        whole = col.cast("float64") == col.cast("float64").round()
        text = whole.ifelse(col.cast("float64").cast("int64").cast("string"), col.cast("string"))
    elif col.type().is_boolean() and kind in (ID, TEXT):
        text = col.isnull().ifelse(ibis.null("string"), col.ifelse("True", "False"))
    elif clean and col.type().is_string():
        text = col
    else:
        text = col.cast("string").strip()
    if kind in (ID, TEXT):
        return (text if clean and col.type().is_string() else text.nullif("")), None
    if kind in (FLOAT, INT):
        typed = col.type().is_numeric()
        num = col if typed else text.nullif("").try_cast("float64")
        bad = ibis.literal(False) if typed else col.notnull() & (text != "") & num.isnull()
        if kind == INT:
            bad = bad | (num.notnull() & (num != num.round()))
            return num.cast("float64").round().cast("int64"), bad
        return num.cast("float64"), (None if typed else bad)
    if kind == BOOL:
        if col.type().is_boolean():
            return col, None
        low = text.lower()
        out = low.isin(sorted(TRUE)).ifelse(True, low.isin(sorted(FALSE)).ifelse(False, ibis.null()))
        return out, col.notnull() & (text != "") & out.isnull()
    if kind == MULTI:
        return selection_expr(col, text)
    if kind == DATE:
        if col.type().is_timestamp() or col.type().is_date():
            return col.cast("timestamp"), None
        ts = table_dates(text, tz, raw)
        return ts, col.notnull() & (text != "") & ts.isnull()
    raise AssertionError(kind)


def _probes(raw, sources, skip: bool) -> dict:
    """Per typed text column the count of blank or blank-padded values, per float column the count of NaN
    (``skip``: none, for CSV cells, which are always stripped): :func:`_check` counts them in its query."""
    probes = {}
    for src in ([] if skip else dict.fromkeys(sources)):
        kind = raw[src].type()
        if kind.is_string():
            probes[src] = (raw[src] != raw[src].strip()) | (raw[src] == "")
        elif kind.is_floating():
            probes[src] = raw[src].isnan()
    return probes


def _check(raw, checks: dict, where: str, show: dict, probes: dict, scaled=({}, None, None)) -> set:
    """Run every check, scale check and probe as one aggregate query; raise for the first check that flags
    rows, with LIMIT examples, then for every off-scale column (:func:`~cxlib.data._scales.table_off_scale`); return the probed
    columns found clean (no row flagged)."""
    offs, ids, spec = scaled
    conds = [*checks.values(), *probes.values(), *(off for off, *_ in offs.values())]
    counts = raw.aggregate(_n=raw.count(), **{f"c{i}": raw.count(where=c) for i, c in enumerate(conds)})
    counts = counts.execute().iloc[0]
    if int(counts["_n"]) == 0:
        raise DataError(f"{where} has no data rows")
    for i, (what, cond) in enumerate(checks.items()):
        k = int(counts[f"c{i}"])
        if k:
            col = show[what]
            ex = raw.filter(cond).select(col).limit(5).execute()[col].tolist()
            raise DataError(f"{where}, {what}: {k} row(s), e.g. {', '.join(map(repr, ex))}")
    first = len(checks) + len(probes)
    flagged = {name: v for i, (name, v) in enumerate(offs.items(), start=first) if int(counts[f"c{i}"])}
    raise_off_scale([table_off_scale(raw, name, *v, ids) for name, v in flagged.items()], spec, where)
    return {src for i, src in enumerate(probes, start=len(checks)) if int(counts[f"c{i}"]) == 0}


def open_table(spec: TableSpec, scales: dict[str, Scale], options: dict, frame: pd.DataFrame | None = None,
               tz: str | None = None):
    """The canonical table of ``spec`` (lazy), validated by aggregate queries.

    ``frame``: an already loaded canonical DataFrame (a ``.sav``/``.xlsx`` file read by pandas) to hand
    to DuckDB instead of reading ``spec``'s source.
    """
    if frame is not None:
        return as_table(frame)
    raw, where = _source(spec, options)
    mapping = {**spec.columns, **spec.segments, **spec.drivers,   # multi: options under their own names
               **{c: c for cols in spec.multi.values() for c in cols}}
    absent = sorted({s for s in mapping.values() if s not in raw.columns})
    if absent:
        raise DataError(f"{where}: mapped column(s) not found: {absent}; it has {list(raw.columns)[:30]}")
    csv = spec.path is not None and "".join(spec.path.suffixes[-2:]).lower().endswith((".csv", ".csv.gz", ".tsv", ".txt"))
    cols, checks, show, plain, scaled = _columns(raw, spec, scales, mapping, tz)
    key = UNIQUE[spec.name]
    ids = (raw[mapping[key]], mapping[key]) if key in mapping else None
    marker = marker_path(spec, scales, options, tz, options.get("validated_dir"))
    known = read_marker(marker)   # this file version already passed every check (the runner's load)
    clean = set(known["clean"]) if known is not None else _check(
        raw, checks, where, show, _probes(raw, {src for src, _ in plain.values()}, skip=csv),
        scaled=(scaled, ids, spec))
    for name, (src, kind) in plain.items():   # checked on the safe reading; clean columns used as stored
        if src in clean:
            cols[name] = _typed(raw, src, kind, [], clean=True)[0]
    table = raw.select(**cols)
    if known is None:
        if key in cols and options.get("check_unique_ids", default("engines.check_unique_ids")):
            _check_unique(table, key, f"{where}, column {mapping[key]!r} ({key})")
        write_marker(marker, clean)
    return table


def _columns(raw, spec: TableSpec, scales: dict[str, Scale], mapping: dict, tz) -> tuple:
    """Each mapped column typed (``cols``), the checks one aggregate query runs on them (``checks``, with
    the source column each one names in ``show``), the columns that may be used as stored once clean
    (``plain``) and the ones with a scale to check (``scaled``)."""
    cols, checks, show, plain, scaled = {}, {}, {}, {}, {}
    question = {c: q for q, opts in spec.multi.items() for c in opts}
    for name, src in mapping.items():
        kind = MULTI if name in question else TYPES.get(name, TEXT if name in spec.segments else FLOAT)
        miss = [*spec.missing_codes.get(src, []), *(spec.missing_codes.get(name, []) if name != src else [])]
        expr, bad = _typed(raw, src, kind, miss, tz=tz)
        if kind in (ID, TEXT, FLOAT, INT) and not miss:
            plain[name] = (src, kind)
        label = f"column {src!r} ({name})" if kind != MULTI else f"column {src!r} (an option of {question[name]!r})"
        if bad is not None:
            expected = {FLOAT: "numbers", INT: "whole numbers", BOOL: "true/false (1/0, yes/no)",
                        DATE: "dates such as 2026-10-31",
                        MULTI: "selected or not (1/0, true/false, yes/no, selected/not selected; recode any other "
                               "value, or list it under missing_codes if it means no answer)"}[kind]
            checks[f"{label}: expected {expected}, found other values in"] = bad
            show[f"{label}: expected {expected}, found other values in"] = src
        scale = scale_for(name, spec, scales)
        if scale is not None and kind == FLOAT:
            scaled[name] = (expr.notnull() & ((expr < scale.min) | (expr > scale.max)), expr, src, scale)
            if name in METRICS and METRICS[name].integer:
                what = (f"{label}: {METRICS[name].label} answers are whole numbers {scale.min}–{scale.max}; "
                        "found other values in")
                checks[what], show[what] = expr.notnull() & (expr != expr.round()), src
        if kind == ID and name in (UNIQUE[spec.name], "customer_id"):
            what = f"{label}: missing ids in"
            checks[what], show[what] = expr.isnull(), src
        if kind == DATE:
            expr = _plausible_dates(spec, name, src, label, expr, checks, show)
        cols[name] = expr
    return cols, checks, show, plain, scaled


def _plausible_dates(spec: TableSpec, name: str, src: str, label: str, expr, checks: dict, show: dict):
    """A date column's check for placeholders (before ``dates.floor``, or an event after the file was
    written): added to ``checks``, or with ``dates.drop_invalid`` those dates made missing."""
    opts = spec.options.get("dates") or {}
    floor = pd.Timestamp(opts.get("floor", default("responses.dates.floor"))).to_pydatetime()
    implausible = expr.notnull() & (expr < floor)
    if name in _EVENTS and spec.path is not None and spec.path.exists():
        latest = pd.Timestamp(spec.path.stat().st_mtime, unit="s").normalize() + pd.Timedelta(days=2)
        implausible = implausible | (expr.notnull() & (expr >= latest.to_pydatetime()))
    if opts.get("drop_invalid"):
        import ibis

        return implausible.ifelse(ibis.null(), expr)
    what = f"{label}: implausible dates (before {floor:%Y-%m-%d} or after the file was written) in"
    checks[what], show[what] = implausible, src
    return expr


def _check_unique(table, key: str, where: str) -> None:
    """Raise DataError when ``key`` repeats: one GROUP BY on the id (a hash aggregate, which DuckDB spills to
    disk beyond its memory limit, where a COUNT DISTINCT runs out of memory), the first repeated ids fetched
    by LIMIT and the repeats counted only when there are some."""
    known = table.filter(table[key].notnull())
    dup = known.group_by(key).aggregate(k=known.count()).filter(lambda t: t.k > 1)
    found = dup.limit(5).execute()[key].tolist()
    if found:
        repeats = int(dup.aggregate(r=(dup.k - 1).sum()).execute()["r"].iloc[0])
        raise DataError(f"{where}: ids must be unique; {repeats} repeat(s), e.g. {', '.join(map(repr, found))}")


def table_for(spec: TableSpec, scales: dict[str, Scale], options: dict, read_frame, tz: str | None = None):
    """The table handle for ``spec`` when it is read through Ibis (see :func:`uses_engine`), else None.

    ``read_frame()`` loads the file with pandas: SPSS and Excel files are read that way once and handed
    to DuckDB.
    """
    if not uses_engine(spec, options):
        return None
    suffix = "" if spec.path is None else "".join(spec.path.suffixes[-2:]).lower()
    frame = read_frame() if suffix.endswith(HANDED_ON) else None
    return open_table(spec, scales, options, frame, tz)
