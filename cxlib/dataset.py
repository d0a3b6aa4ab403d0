"""Reading survey, ticket and account files into the canonical schema, with validation.

This is the only module that reads data files. The format readers themselves (CSV, Qualtrics, Excel,
Parquet, SPSS and value labels) live in the private :mod:`cxlib.readers`, which only this module
imports; here the raw columns are mapped, typed and validated. Every loader returns a new DataFrame
with canonical, typed columns (see ``docs/data-contract.md``) and never writes to its input.
"""

from __future__ import annotations

import difflib
import re

import numpy as np
import pandas as pd

from .config import Config, ConfigError, DataError, Scale, TableSpec, load_config, project_root
from .readers import apply_labels, read_file

__all__ = [
    "Config",
    "ConfigError",
    "DataError",
    "Scale",
    "add_period",
    "latest_full_month",
    "resolve_month",
    "load_accounts",
    "load_config",
    "load_responses",
    "load_tickets",
    "project_root",
    "subset",
]

_ID = "id"
_DATE = "date"
_FLOAT = "float"
_INT = "int"
_BOOL = "bool"
_TEXT = "text"

_TYPES = {
    "response_id": _ID, "customer_id": _ID, "ticket_id": _ID,
    "responded_at": _DATE, "opened_at": _DATE, "resolved_at": _DATE,
    "signup_date": _DATE, "renewal_date": _DATE, "churned_at": _DATE,
    "nps": _FLOAT, "csat": _FLOAT, "ces": _FLOAT, "weight": _FLOAT, "annual_revenue": _FLOAT,
    "handoffs": _INT, "first_contact_resolution": _BOOL, "churned": _BOOL,
    "comment": _TEXT, "channel": _TEXT, "region": _TEXT, "plan": _TEXT,
}

_UNIQUE = {"responses": "response_id", "tickets": "ticket_id", "accounts": "customer_id"}
_TRUE = {"1", "true", "t", "yes", "y", "1.0"}
_FALSE = {"0", "false", "f", "no", "n", "0.0"}


def _rows(mask: pd.Series, values: pd.Series | None = None, limit: int = 5) -> str:
    """Describe offending rows as 1-based data row numbers (the header is not counted)."""
    idx = np.flatnonzero(np.asarray(mask))
    shown = []
    for i in idx[:limit]:
        v = values.iloc[i] if values is not None else None
        v = v.item() if hasattr(v, "item") else v
        shown.append(f"{i + 1} ({v!r})" if values is not None else str(i + 1))
    more = f" and {len(idx) - limit} more" if len(idx) > limit else ""
    return f"{len(idx)} row(s): {', '.join(shown)}{more}"


def _to_id(col: pd.Series) -> pd.Series:
    """Ids as strings; whole numbers read as floats (Excel, SPSS) lose their ".0"."""
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        num = col.astype("float64")
        whole = num.notna() & np.isclose(num.fillna(0) % 1, 0)
        text = num.astype("str")
        text = text.where(~whole, num.where(whole).astype("Int64").astype("str"))
    else:
        text = col.astype("str").str.strip()
    return text.where(col.notna(), None)


def _convert(df: pd.DataFrame, canon: str, kind: str, src: str, spec: TableSpec) -> pd.Series:
    col = df[canon]
    where = f"{spec.name} file {spec.path}, column {src!r} ({canon})"
    if kind == _ID:
        required = canon in (_UNIQUE[spec.name], "customer_id")
        if required and col.isna().any():
            raise DataError(f"{where}: missing ids in {_rows(col.isna())}")
        return _to_id(col)
    if kind == _TEXT:
        out = (col if isinstance(col.dtype, pd.StringDtype) else col.astype("str")).str.strip()
        return out.where(out != "")  # empty text is no text
    if kind in (_FLOAT, _INT):
        num = pd.to_numeric(col, errors="coerce")
        bad = num.isna() & col.notna()
        if bad.any():
            raise DataError(f"{where}: expected numbers, found text in {_rows(bad, col)}")
        num = num.astype("float64")
        if kind == _INT:
            frac = num.notna() & ~np.isclose(num.fillna(0) % 1, 0)
            if frac.any():
                raise DataError(f"{where}: expected whole numbers in {_rows(frac, col)}")
            return num.round().astype("Int64")
        return num
    if kind == _BOOL:
        text = col.astype("string").str.strip().str.lower()
        out = pd.Series(pd.NA, index=col.index, dtype="boolean")
        out[text.isin(_TRUE).fillna(False)] = True
        out[text.isin(_FALSE).fillna(False)] = False
        bad = out.isna() & col.notna()
        if bad.any():
            raise DataError(f"{where}: expected true/false (1/0, yes/no) in {_rows(bad, col)}")
        return out
    if kind == _DATE:
        return _to_datetime(col, where, spec)
    raise AssertionError(kind)


def _to_datetime(col: pd.Series, where: str, spec: TableSpec) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(col):
        out = col
    else:
        fmt = spec.options.get("date_format")
        text = col.astype("string").str.strip()
        if fmt:
            out = pd.to_datetime(text, format=fmt, errors="coerce")
        else:
            out = pd.to_datetime(text, format="ISO8601", errors="coerce")
            if (out.isna() & text.notna()).any():
                out = pd.to_datetime(text, format="mixed", errors="coerce",
                                     dayfirst=bool(spec.options.get("dayfirst", False)))
        bad = out.isna() & col.notna()
        if bad.any():
            raise DataError(
                f"{where}: unparseable dates in {_rows(bad, col)}; expected e.g. 2026-10-31"
                + (f" in format {fmt!r}" if fmt else " (set date_format in the config if unusual)")
            )
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_convert("UTC").dt.tz_localize(None)
    return out.astype("datetime64[ns]")


def _check_scale(s: pd.Series, scale: Scale, canon: str, src: str, spec: TableSpec) -> None:
    where = f"{spec.name} file {spec.path}, column {src!r} ({canon})"
    outside = s.notna() & ((s < scale.min) | (s > scale.max))
    if outside.any():
        raise DataError(
            f"{where}: scores must lie on the {scale.min}–{scale.max} scale; outside it in "
            f"{_rows(outside, s)}. If these are codes for 'don't know', list them under "
            f"missing_codes in the config."
        )
    frac = s.notna() & ~np.isclose(s.fillna(0) % 1, 0)
    if canon == "nps" and frac.any():
        raise DataError(f"{where}: NPS answers are whole numbers 0–10; found {_rows(frac, s)}")


def _load(spec: TableSpec, scales: dict[str, Scale]) -> pd.DataFrame:
    mapping = {**spec.columns, **spec.segments, **spec.drivers}
    sources = list(dict.fromkeys(mapping.values()))
    raw, labels = read_file(spec, sources)
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
        is_segment = name in spec.segments or (_TYPES.get(name) == _TEXT and name != "comment")
        out[name] = apply_labels(raw[src], labels.get(src), miss, keep_labels=is_segment)
    df = pd.DataFrame(out, index=raw.index)
    result = {}
    for name, src in mapping.items():
        kind = _TYPES.get(name, _TEXT if name in spec.segments else _FLOAT)
        result[name] = _convert(df, name, kind, src, spec)
        scale = scales.get(name)
        if scale is not None and kind == _FLOAT:
            _check_scale(result[name], scale, name, src, spec)
    data = pd.DataFrame(result).reset_index(drop=True)
    key = _UNIQUE[spec.name]
    if key in data:
        dup = data[key].duplicated(keep=False)
        if dup.any():
            raise DataError(
                f"{spec.name} file {spec.path}, column {spec.columns[key]!r} ({key}): ids must be "
                f"unique; duplicated in {_rows(dup, data[key])}"
            )
    return data


def load_responses(config=None) -> pd.DataFrame:
    """Load survey responses in the canonical schema.

    Parameters
    ----------
    config : str, pathlib.Path, dict, Config or None
        See :func:`cxlib.config.load_config`; None means ``cx.yml`` at the project root.

    Returns
    -------
    pandas.DataFrame
        One row per response with the mapped canonical columns among ``response_id``, ``customer_id``,
        ``responded_at`` (datetime64), ``nps``, ``csat``, ``ces`` (float64, NaN when not answered or a
        "don't know" code), ``comment``, ``ticket_id``, ``weight``; then one string column per configured
        segment and one float64 column per configured driver, under their config names.

    Raises
    ------
    DataError
        When a mapped column is missing, a score is non-numeric or off its scale, a date cannot be read,
        response ids repeat, or the file is empty. The message names file, column and rows.

    Examples
    --------
    >>> responses = load_responses()
    >>> responses[["nps", "csat", "ces"]].agg(["min", "max"]).T.astype(int).values.tolist()
    [[0, 10], [1, 5], [1, 7]]
    """
    cfg = load_config(config)
    return _load(cfg.responses, cfg.scales)


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
    data = _load(cfg.tickets, {})
    if {"opened_at", "resolved_at"} <= set(data):
        bad = data["resolved_at"].notna() & (data["resolved_at"] < data["opened_at"])
        if bad.any():
            raise DataError(
                f"tickets file {cfg.tickets.path}, column {cfg.tickets.columns['resolved_at']!r}: "
                f"tickets resolved before they were opened in {_rows(bad, data['ticket_id'] if 'ticket_id' in data else None)}"
            )
    if "handoffs" in data and (data["handoffs"] < 0).any():
        raise DataError(f"tickets file {cfg.tickets.path}, column {cfg.tickets.columns['handoffs']!r}: "
                        f"handoffs cannot be negative; {_rows((data['handoffs'] < 0).fillna(False), data['handoffs'])}")
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
    data = _load(cfg.accounts, {})
    if "annual_revenue" in data:
        neg = data["annual_revenue"] < 0
        if neg.any():
            raise DataError(
                f"accounts file {cfg.accounts.path}, column {cfg.accounts.columns['annual_revenue']!r}: "
                f"revenue cannot be negative; {_rows(neg, data['annual_revenue'])}"
            )
    return data


def _parse_segment(segment) -> dict:
    if segment is None or segment == "" or segment == {}:
        return {}
    if isinstance(segment, dict):
        return dict(segment)
    parts = {}
    for piece in str(segment).split(","):
        if "=" not in piece:
            raise ValueError(f"segment filter {segment!r}: expected name=value (e.g. region=EMEA)")
        k, v = piece.split("=", 1)
        parts[k.strip()] = v.strip()
    return parts


def subset(data: pd.DataFrame, *, month=None, months=None, segment=None,
           date_col: str = "responded_at") -> pd.DataFrame:
    """Rows of one month (or several) and/or one segment.

    Parameters
    ----------
    data : pandas.DataFrame
    month : str, optional
        ``"YYYY-MM"``.
    months : list of str, optional
        Several months.
    segment : str or dict, optional
        ``"region=EMEA"`` or ``"region=EMEA,plan=Pro"`` or ``{"region": "EMEA"}``.
    date_col : str

    Returns
    -------
    pandas.DataFrame
        A filtered copy with the same columns.

    Examples
    --------
    >>> responses = load_responses()
    >>> oct_emea = subset(responses, month="2026-10", segment="region=EMEA")
    >>> sorted(oct_emea["region"].unique())
    ['EMEA']
    """
    mask = pd.Series(True, index=data.index)
    wanted = ([month] if month else []) + list(months or [])
    if wanted:
        if date_col not in data:
            raise ValueError(f"column {date_col!r} not in data; columns are {list(data.columns)}")
        bad = [m for m in wanted if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(m))]
        if bad:
            raise ValueError(f"month must look like 'YYYY-MM' (e.g. 2026-10), got {bad!r}")
        periods = [pd.Period(m, freq="M") for m in wanted]
        mask &= data[date_col].dt.to_period("M").isin(periods)
    for col, value in _parse_segment(segment).items():
        if col not in data:
            raise ValueError(f"segment column {col!r} not in data; columns are {list(data.columns)}")
        mask &= data[col].astype("string") == str(value)
    return data.loc[mask].copy()


def add_period(data: pd.DataFrame, *, freq: str = "M", date_col: str = "responded_at",
               name: str = "period") -> pd.DataFrame:
    """Return a copy with a pandas Period column (``freq`` "M" months, "Q" quarters, "Y" years).

    Returns
    -------
    pandas.DataFrame
        The input columns plus ``name`` (period[freq]).

    Examples
    --------
    >>> import pandas as pd
    >>> add_period(pd.DataFrame({"responded_at": pd.to_datetime(["2026-10-05"])}))["period"].astype(str).tolist()
    ['2026-10']
    """
    if date_col not in data:
        raise ValueError(f"column {date_col!r} not in data; columns are {list(data.columns)}")
    out = data.copy()
    out[name] = out[date_col].dt.to_period(freq)
    return out


def latest_full_month(dates: pd.Series) -> str:
    """The latest month whose data run to its last day ("YYYY-MM").

    Examples
    --------
    >>> latest_full_month(pd.Series(pd.to_datetime(["2026-09-03 08:00", "2026-10-31 10:00"])))
    '2026-10'
    >>> latest_full_month(pd.Series(pd.to_datetime(["2026-09-03", "2026-10-12"])))
    '2026-09'
    """
    last = dates.max()
    period = last.to_period("M")
    return str(period if last.normalize() == period.end_time.normalize() else period - 1)


def resolve_month(month, dates: pd.Series) -> str:
    """"latest" (or empty) becomes the latest full month of ``dates``; "YYYY-MM" is checked and kept.

    Examples
    --------
    >>> dates = pd.Series(pd.to_datetime(["2026-09-03", "2026-10-31"]))
    >>> resolve_month("latest", dates), resolve_month("2026-09", dates)
    ('2026-10', '2026-09')
    """
    if month in (None, "", "latest"):
        return latest_full_month(dates)
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(month)):
        raise ValueError(f"month must look like 'YYYY-MM' (e.g. 2026-10) or 'latest', got {month!r}")
    return str(month)
