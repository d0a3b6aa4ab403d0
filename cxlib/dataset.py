"""Reading survey, ticket and account files into the canonical schema, with validation.

This is the only module that reads data files. The format readers themselves (CSV, Qualtrics, Excel,
Parquet, SPSS and value labels) live in the private :mod:`cxlib.readers`, and the column typing
converters in the private :mod:`cxlib.coerce`; only this module imports either. Here the raw columns
are mapped, typed and validated. Every loader returns a new DataFrame with canonical, typed columns
(see ``docs/data-contract.md``) and never writes to its input.
"""

from __future__ import annotations

import difflib
import re

import pandas as pd

from .coerce import _FLOAT, _TEXT, _TYPES, _UNIQUE, _check_scale, _convert, _rows
from .config import Config, ConfigError, DataError, Scale, TableSpec, load_config, project_root
from .readers import apply_labels, read_file

__all__ = [
    "Config",
    "ConfigError",
    "DataError",
    "Scale",
    "add_period",
    "last_months",
    "latest_full_month",
    "parse_segment",
    "resolve_month",
    "load_accounts",
    "load_config",
    "load_responses",
    "load_tickets",
    "project_root",
    "subset",
]


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


def parse_segment(segment) -> dict:
    """A segment filter as a dict: "region=EMEA,plan=Pro" -> {"region": "EMEA", "plan": "Pro"}.

    Examples
    --------
    >>> parse_segment("region=EMEA, plan=Pro")
    {'region': 'EMEA', 'plan': 'Pro'}
    """
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
    for col, value in parse_segment(segment).items():
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


def last_months(data: pd.DataFrame, *, month: str, months: int, date_col: str = "responded_at") -> pd.DataFrame:
    """Rows of the ``months`` months ending with ``month`` (a filtered copy).

    Examples
    --------
    >>> df = pd.DataFrame({"responded_at": pd.to_datetime(["2026-07-31", "2026-08-01", "2026-10-31"])})
    >>> len(last_months(df, month="2026-10", months=3))
    2
    """
    end = pd.Period(month, freq="M")
    return subset(data, months=[str(end - k) for k in range(months)], date_col=date_col)
