"""Reading survey, ticket and account files into the canonical schema, with validation.

Together with the private format readers (:mod:`cxlib.data._readers`: CSV, Qualtrics, Excel, Parquet,
SPSS and value labels) and column typing (:mod:`cxlib.data._coerce`), this is the only code that reads
data files. Raw columns are mapped, typed and validated; every loader returns a new DataFrame with
canonical, typed columns (see ``docs/data-contract.md``) and never writes to its input.
"""

from __future__ import annotations

import difflib
import hashlib
import warnings
from pathlib import Path

import pandas as pd

from .._checks import examples, need_columns
from ..errors import DataError
from ._coerce import BOOL, DATE, FLOAT, MULTI, TEXT, TYPES, UNIQUE, convert, rows
from ._readers import apply_labels, read_file
from ._scales import check_scales
from ._spellings import NOTES, merge_spellings
from .config import Scale, TableSpec, load_config
from .aggregate import is_table
from .engines import table_for
from .schema import default
from ._options import run_options as _options
from .subsets import undated_count

__all__ = ["check_accounts", "check_tickets", "file_digests", "load_accounts", "load_responses", "load_tickets",
           "undated_note"]


def _load(spec: TableSpec, scales: dict[str, Scale], tz: str | None = None) -> pd.DataFrame:
    multi = {c: c for cols in spec.multi.values() for c in cols}
    mapping = {**spec.columns, **spec.segments, **spec.drivers, **multi}
    sources = list(dict.fromkeys(mapping.values()))
    raw, labels, how = read_file(spec, sources)
    missing = [s for s in sources if s not in raw.columns]
    if missing:
        lines = []
        for src in missing:
            names = [k for k, v in mapping.items() if v == src]
            close = difflib.get_close_matches(src, [str(c) for c in raw.columns], n=1)
            lines.append(f"{src!r} (mapped to {', '.join(names)})"
                         + (f", did you mean {close[0]!r}?" if close else ""))
        raise DataError(
            f"{spec.name} file {spec.path}: mapped column(s) not found: {'; '.join(lines)}. "
            f"The file has: {', '.join(map(str, raw.columns[:30]))}"
        )
    out = {}
    for name, src in mapping.items():
        miss = spec.missing_codes.get(src, []) + (spec.missing_codes.get(name, []) if name != src else [])
        is_segment = name in spec.segments or name in multi or (TYPES.get(name) in (TEXT, BOOL) and name != "comment")
        out[name] = apply_labels(raw[src], labels.get(src), miss, keep_labels=is_segment)
    df = pd.DataFrame(out, index=raw.index)
    result = {}
    for name, src in mapping.items():
        kind = MULTI if name in multi else TYPES.get(name, TEXT if name in spec.segments else FLOAT)
        result[name] = convert(df, name, kind, src, spec, decimal=how.get("decimal", "."), tz=tz)
    data = pd.DataFrame(result).reset_index(drop=True)
    check_scales(data, spec, scales, f"{spec.name} file {spec.path}")
    for name, src in mapping.items():
        if TYPES.get(name) == DATE:
            data[name] = _plausible_dates(data[name], name, src, spec)
    key = UNIQUE[spec.name]
    if key in data:
        dup = data[key].duplicated(keep=False)
        if dup.any():
            raise DataError(
                f"{spec.name} file {spec.path}, column {spec.columns[key]!r} ({key}): ids must be "
                f"unique; duplicated in {rows(dup, data[key])}"
            )
    data, notes = merge_spellings(data, spec)
    data.attrs[NOTES] = notes      # "About" and the report command state them
    return data


#: Dates of things that happened: none can come after the file that records them was written.
_EVENTS = {"responded_at", "opened_at", "resolved_at", "signup_date", "churned_at"}


def _plausible_dates(dates: pd.Series, canon: str, src: str, spec: TableSpec) -> pd.Series:
    """Dates before the floor (placeholders such as 1970-01-01) or after the file was written are errors,
    or, with ``dates: {drop_invalid: true}``, blanked (NaT: left out of every month, and counted)."""
    opts = spec.options.get("dates") or {}
    floor = pd.Timestamp(opts.get("floor", default("responses.dates.floor")))
    latest = pd.Timestamp(spec.path.stat().st_mtime, unit="s").normalize() + pd.Timedelta(days=2)
    if canon not in _EVENTS:   # a renewal date may lie ahead; an answer or a ticket may not
        latest = pd.Timestamp.max
    bad = (dates.notna() & ((dates < floor) | (dates >= latest))).fillna(False)
    if not bad.any():
        return dates
    if opts.get("drop_invalid"):
        return dates.mask(bad)
    raise DataError(
        f"{spec.name} file {spec.path}, column {src!r} ({canon}): implausible dates (before {floor:%Y-%m-%d}"
        + (f" or after the file was written, {latest - pd.Timedelta(days=2):%Y-%m-%d}" if canon in _EVENTS else "")
        + f") in {rows(bad, dates)}. "
        f"Placeholder dates such as 1970-01-01 are not answers: fix them, or set "
        f"'{spec.name}: {{dates: {{drop_invalid: true}}}}' to leave these rows out of every month "
        "(they are counted in the report)"
    )


def load_responses(config=None) -> pd.DataFrame:
    """Load survey responses in the canonical schema: a DataFrame, or a table handle for a server table or
    a large file (see below).

    Parameters
    ----------
    config : str, pathlib.Path, dict, Config or None
        See :func:`cxlib.data.load_config`; None means ``cx.yml`` at the project root.

    Returns
    -------
    pandas.DataFrame
        One row per response with the mapped canonical columns among ``response_id``, ``customer_id``,
        ``responded_at`` (datetime64; NaT where missing, or implausible and ``dates.drop_invalid``),
        ``nps``, ``csat``, ``ces``, ``rating`` (float64, NaN when not answered or a "don't know" code),
        ``recommend`` (boolean: yes/true/1), ``comment``, ``ticket_id``, ``weight``; then one string column
        per configured segment and one float64 column per configured driver, under their config names.
        For a ``table:`` on a server, ``engine: duckdb``, or a file of ``engines.large_file_mb`` or more
        under ``engine: auto``: a lazy Ibis table with the same columns, validated by aggregate queries
        (the scores, changes, seasonality, drivers and theme volume/impact functions accept it;
        ``data.to_frame`` materialises a slice with these dtypes).

    Raises
    ------
    DataError
        When a mapped column is missing, a score is non-numeric or off its scale, a date cannot be read
        or is implausible (before ``dates.floor``, default 1990-01-01, or after the file was written),
        response ids repeat, or the file is empty. The message names file, column and rows.

    Examples
    --------
    >>> responses = load_responses()
    >>> responses[["nps", "csat", "ces"]].agg(["min", "max"]).T.astype(int).values.tolist()
    [[0, 10], [1, 5], [1, 7]]
    """
    cfg = load_config(config)
    tz = getattr(cfg, "timezone", None)
    handle = table_for(cfg.responses, cfg.scales, _options(cfg), lambda: _load(cfg.responses, cfg.scales, tz), tz)
    if handle is not None:
        return handle
    data = _load(cfg.responses, cfg.scales, tz)
    for note in [undated_note(data, cfg), *data.attrs[NOTES]]:
        if note:
            warnings.warn(note, UserWarning, stacklevel=2)
    return data


def undated_note(responses, config=None) -> str:
    """A sentence counting the responses without a date (they fall in no month), or "" when there are none.

    :func:`load_responses` warns with it and the report runner prints it, so a missing date is never
    left out of every month without a count. On an Ibis table the count is one query.

    Examples
    --------
    >>> undated_note(pd.DataFrame({"responded_at": pd.to_datetime(["2026-10-01", None])}))
    '1 response(s) have no date (responded_at, data row(s) 2): they belong to no month and are left out of every monthly figure'
    """
    if "responded_at" not in responses.columns:
        return ""
    src = load_config(config).responses.columns.get("responded_at") if config is not None else None
    where = f"column {src!r}" if src else "responded_at"
    k = undated_count(responses)
    if not k:
        return ""
    if is_table(responses):
        return (f"{k:,} response(s) have no date ({where}): they belong to no month and are left out of every "
                "monthly figure")
    missing = responses["responded_at"].isna()
    listed = rows(missing).split(": ", 1)[1]
    return (f"{int(missing.sum()):,} response(s) have no date ({where}, data row(s) {listed}): they belong to "
            "no month and are left out of every monthly figure")


def load_tickets(config=None) -> pd.DataFrame | None:
    """Load support tickets in the canonical schema, or None when the config has no tickets.

    Returns
    -------
    pandas.DataFrame or None
        One row per ticket with the mapped columns among ``ticket_id``, ``customer_id``,
        ``opened_at``, ``resolved_at`` (datetime64, NaT while open), ``handoffs`` (Int64),
        ``first_contact_resolution`` (boolean) and ``channel``.

    Examples
    --------
    >>> tickets = load_tickets()
    >>> bool((tickets["resolved_at"].dropna() >= tickets.loc[tickets["resolved_at"].notna(), "opened_at"]).all())
    True
    """
    cfg = load_config(config)
    if cfg.tickets is None:
        return None
    tz = getattr(cfg, "timezone", None)
    handle = table_for(cfg.tickets, {}, _options(cfg), lambda: _load(cfg.tickets, {}, tz), tz)
    if handle is not None:
        return handle
    data = _load(cfg.tickets, {}, tz)
    check_tickets(data, where=f"tickets file {cfg.tickets.path}", columns=cfg.tickets.columns)
    return data


def load_accounts(config=None) -> pd.DataFrame | None:
    """Load customer accounts in the canonical schema, or None when the config has no accounts.

    Returns
    -------
    pandas.DataFrame or None
        One row per customer with the mapped columns among ``customer_id``, ``region``, ``plan``,
        ``signup_date``, ``annual_revenue`` (float64, ≥ 0), ``renewal_date``, ``churned`` (boolean)
        and ``churned_at`` (NaT while a customer).

    Examples
    --------
    >>> accounts = load_accounts()
    >>> accounts["customer_id"].is_unique
    True
    """
    cfg = load_config(config)
    if cfg.accounts is None:
        return None
    tz = getattr(cfg, "timezone", None)
    handle = table_for(cfg.accounts, {}, _options(cfg), lambda: _load(cfg.accounts, {}, tz), tz)
    if handle is not None:
        return handle
    data = _load(cfg.accounts, {}, tz)
    check_accounts(data, where=f"accounts file {cfg.accounts.path}", columns=cfg.accounts.columns)
    return data


def _ids(table: pd.DataFrame, mask: pd.Series, key: str) -> str:
    """The ids (or data row numbers) of the flagged rows, for a message."""
    if key in table:
        return f"{key} {examples(table.loc[mask, key])}"
    return rows(mask)


def _column(name: str, columns: dict | None) -> str:
    """A canonical column as the message names it: "'Resolved' (resolved_at)" when the file calls it so."""
    src = (columns or {}).get(name)
    return f"{src!r} ({name})" if src and src != name else repr(name)


def check_tickets(tickets: pd.DataFrame, *, where: str = "tickets", columns: dict | None = None) -> None:
    """Raise :class:`~cxlib.errors.DataError` for tickets resolved before they were opened or with
    negative handoffs.

    Parameters
    ----------
    tickets : pandas.DataFrame
        Canonical tickets; only the columns present are checked.
    where : str
        What the table is, for the message (e.g. the file).
    columns : dict, optional
        Canonical name -> the file's own column name, so the message names both.

    Examples
    --------
    >>> t = pd.DataFrame({"ticket_id": ["T1"], "opened_at": pd.to_datetime(["2026-10-02"]),
    ...                   "resolved_at": pd.to_datetime(["2026-10-01"])})
    >>> check_tickets(t)
    Traceback (most recent call last):
    ...
    cxlib.errors.DataError: tickets, column 'resolved_at': 1 ticket(s) resolved before they were opened (ticket_id T1); expected resolved_at >= opened_at
    """
    if {"opened_at", "resolved_at"} <= set(tickets.columns):
        bad = (tickets["resolved_at"].notna() & (tickets["resolved_at"] < tickets["opened_at"])).fillna(False)
        if bad.any():
            raise DataError(f"{where}, column {_column('resolved_at', columns)}: {int(bad.sum())} ticket(s) resolved before they "
                            f"were opened ({_ids(tickets, bad, 'ticket_id')}); expected resolved_at >= opened_at")
    if "handoffs" in tickets:
        neg = (tickets["handoffs"] < 0).fillna(False).astype(bool)
        if neg.any():
            raise DataError(f"{where}, column {_column('handoffs', columns)}: {int(neg.sum())} negative value(s) "
                            f"({_ids(tickets, neg, 'ticket_id')}); expected a count >= 0")


def check_accounts(accounts: pd.DataFrame, *, where: str = "accounts", columns: dict | None = None) -> None:
    """Raise :class:`~cxlib.errors.DataError` for missing or repeated customer ids or negative revenue.

    Parameters
    ----------
    accounts : pandas.DataFrame
    where, columns
        As in :func:`check_tickets`.

    Examples
    --------
    >>> check_accounts(pd.DataFrame({"customer_id": ["A", "A"]}))
    Traceback (most recent call last):
    ...
    cxlib.errors.DataError: accounts, column 'customer_id': ids must be unique; repeated: A
    """
    need_columns(accounts, ["customer_id"], where=where)
    ids = accounts["customer_id"]
    dup = ids.duplicated() & ids.notna()
    if dup.any():
        raise DataError(f"{where}, column {_column('customer_id', columns)}: ids must be unique; repeated: "
                        f"{examples(ids[dup].unique())}")
    if "annual_revenue" in accounts:
        neg = (accounts["annual_revenue"] < 0).fillna(False).astype(bool)
        if neg.any():
            raise DataError(f"{where}, column {_column('annual_revenue', columns)}: {int(neg.sum())} negative value(s) "
                            f"({_ids(accounts, neg, 'customer_id')}); expected revenue >= 0")


_DIGESTS: dict = {}


def file_digests(config=None) -> dict[str, str]:
    """SHA-256 of every data file the config names (and of the config itself), hashed once per version.

    A file is hashed again only when its size or modification time changes, so the report runner and
    the report's "About" section share one hash per file.

    Returns
    -------
    dict
        Absolute path -> hex digest.

    Examples
    --------
    >>> digests = file_digests()
    >>> sorted(Path(p).name for p in digests)[:2]
    ['accounts.csv', 'codebook.yml']
    """
    cfg = load_config(config)
    paths = [*cfg.data_files, *([cfg.codebook] if cfg.codebook else []), *([cfg.path] if cfg.path else [])]
    out = {}
    for path in paths:
        stat = Path(path).stat()
        key = (str(path), stat.st_size, stat.st_mtime_ns)
        if key not in _DIGESTS:
            h = hashlib.sha256()
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
            _DIGESTS[key] = h.hexdigest()
        out[str(path)] = _DIGESTS[key]
    return out
