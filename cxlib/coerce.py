"""Typing raw columns into the canonical schema (private to :mod:`cxlib.dataset`).

The canonical column kinds (``_TYPES``), the converters that turn raw, label-mapped columns into ids,
text, numbers, booleans and dates, the scale check of scores, and ``_rows``, which names offending rows
in error messages. Only :mod:`cxlib.dataset` imports this module: it reads the files (through
:mod:`cxlib.readers`), maps the columns and calls these converters; nothing else should.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .config import DataError, Scale, TableSpec

__all__ = ["_FLOAT", "_TEXT", "_TYPES", "_UNIQUE", "_check_scale", "_convert", "_rows"]

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
    """Describe offending rows as 1-based data row numbers (the header is not counted).

    Examples
    --------
    >>> s = pd.Series(["7", "x", "8", "y"])
    >>> _rows(s == "x"), _rows(s.isin(["x", "y"]), s, limit=1)
    ('1 row(s): 2', "2 row(s): 2 ('x') and 1 more")
    """
    idx = np.flatnonzero(np.asarray(mask))
    shown = []
    for i in idx[:limit]:
        v = values.iloc[i] if values is not None else None
        v = v.item() if hasattr(v, "item") else v
        shown.append(f"{i + 1} ({v!r})" if values is not None else str(i + 1))
    more = f" and {len(idx) - limit} more" if len(idx) > limit else ""
    return f"{len(idx)} row(s): {', '.join(shown)}{more}"


def _to_id(col: pd.Series) -> pd.Series:
    """Ids as strings; whole numbers read as floats (Excel, SPSS) lose their ".0".

    Examples
    --------
    >>> _to_id(pd.Series([101.0, None, 7.5])).tolist()[::2], _to_id(pd.Series([" A7 "])).tolist()
    (['101', '7.5'], ['A7'])
    """
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
