"""Typing raw columns into the canonical schema (private to :mod:`cxlib.data`).

The canonical column kinds (``TYPES``), the converters that turn raw, label-mapped columns into ids,
text, numbers, booleans and dates, and ``rows``, which names offending rows
(by data row number, 1 = the first row after the header) in error messages. Only
:mod:`cxlib.data.loading` imports this module.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import describe_rows
from ..errors import DataError
from ..metrics import METRICS
from ._dates import parse_dates
from .multi import code_selections
from .config import TableSpec

__all__ = ["FLOAT", "MULTI", "TEXT", "TYPES", "UNIQUE", "convert", "rows"]

ID = "id"
DATE = "date"
FLOAT = "float"
INT = "int"
BOOL = "bool"
TEXT = "text"
MULTI = "multi"   # an option of a multiple-response question: selected or not

TYPES = {
    "response_id": ID, "customer_id": ID, "ticket_id": ID,
    "responded_at": DATE, "opened_at": DATE, "resolved_at": DATE,
    "signup_date": DATE, "renewal_date": DATE, "churned_at": DATE,
    "weight": FLOAT, "annual_revenue": FLOAT, "handoffs": INT, "first_contact_resolution": BOOL, "churned": BOOL,
    # every registered score: a yes/no answer (a 0–1 scale) read as true/false, any other as numbers
    **{m.name: BOOL if m.scale is not None and m.scale[1] - m.scale[0] <= 1 else FLOAT for m in METRICS.values()},
    "comment": TEXT, "channel": TEXT, "region": TEXT, "plan": TEXT,
}

UNIQUE = {"responses": "response_id", "tickets": "ticket_id", "accounts": "customer_id"}
TRUE = {"1", "true", "t", "yes", "y", "1.0"}
FALSE = {"0", "false", "f", "no", "n", "0.0"}


def rows(mask: pd.Series, values: pd.Series | None = None, limit: int = 5) -> str:
    """Describe offending rows of a loaded table by data row number (1 = the first row after the header).

    Examples
    --------
    >>> s = pd.Series(["7", "x", "8", "y"])
    >>> rows(s == "x"), rows(s.isin(["x", "y"]), s, limit=1)
    ('1 row(s): 2', "2 row(s): 2 ('x') and 1 more")
    """
    numbered = pd.RangeIndex(1, len(mask) + 1)
    vals = None if values is None else pd.Series(np.asarray(values, dtype=object), index=numbered)
    return describe_rows(pd.Series(np.asarray(mask, dtype=bool), index=numbered), vals, limit=limit)


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


def convert(df: pd.DataFrame, canon: str, kind: str, src: str, spec: TableSpec, *, decimal: str = ".",
            tz: str | None = None) -> pd.Series:
    """Type one mapped column as its canonical kind; ``decimal`` as :func:`_to_number` takes it; times
    with a zone or UTC offset are made naive in ``tz`` (the config's ``timezone:``) or, when None, at
    their own local clock time."""
    col = df[canon]
    where = f"{spec.name} file {spec.path}, column {src!r} ({canon})"
    if kind == ID:
        required = canon in (UNIQUE[spec.name], "customer_id")
        if required and col.isna().any():
            raise DataError(f"{where}: missing ids in {rows(col.isna())}")
        return _to_id(col)
    if kind == TEXT:
        out = (col if isinstance(col.dtype, pd.StringDtype) else col.astype("str")).str.strip()
        return out.where(out != "")  # empty text is no text
    if kind in (FLOAT, INT):
        num = _to_number(col, decimal)
        bad = num.isna() & col.notna()
        if bad.any():
            comma = bool(col.astype("string").str.contains(",", regex=False).any())
            hint = {".": "; if the file writes decimal commas (7,5), set decimal: ',' in the config",
                    ",": "; decimal: ',' is set, so a dot may only group thousands (1.299,50)",
                    "auto": "; the column mixes decimal points and decimal commas"}[decimal] if comma or \
                decimal == "," else ""
            raise DataError(f"{where}: expected numbers, found text in {rows(bad, col)}{hint}")
        num = num.astype("float64")
        if kind == INT:
            frac = num.notna() & ~np.isclose(num.fillna(0) % 1, 0)
            if frac.any():
                raise DataError(f"{where}: expected whole numbers in {rows(frac, col)}")
            return num.round().astype("Int64")
        return num
    if kind == BOOL:
        text = col.astype("string").str.strip().str.lower()
        out = pd.Series(pd.NA, index=col.index, dtype="boolean")
        out[text.isin(TRUE).fillna(False)] = True
        out[text.isin(FALSE).fillna(False)] = False
        bad = out.isna() & col.notna()
        if bad.any():
            raise DataError(f"{where}: expected true/false (1/0, yes/no) in {rows(bad, col)}")
        return out
    if kind == DATE:
        return _to_datetime(col, where, spec, tz)
    if kind == MULTI:
        coded = code_selections(col, where=f"{spec.name} file {spec.path}", column=src)
        return pd.Series(coded, index=col.index).map({1.0: True, 0.0: False}).astype("boolean")
    raise AssertionError(kind)


def _to_datetime(col: pd.Series, where: str, spec: TableSpec, tz: str | None) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(col):
        out = col
    else:
        out = parse_dates(col.astype("string").str.strip(), where, {**spec.options, "timezone": tz}, rows)
    if getattr(out.dt, "tz", None) is not None:   # a zoned column (Parquet, Excel): its own zone's clock
        out = (out.dt.tz_convert(tz) if tz else out).dt.tz_localize(None)
    return out.astype("datetime64[ns]")


#: A number written with a decimal comma, optionally with dots between thousands: "7,5", "1.299,00".
_COMMA_NUMBER = r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?"
_THOUSANDS = r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?"


def _to_number(col: pd.Series, decimal: str) -> pd.Series:
    """Numbers from a raw column; with ``decimal`` "," (or "auto" and every non-number written so) the
    comma is the decimal mark and dots group thousands. Text that is no number becomes NaN."""
    num = pd.to_numeric(col, errors="coerce")
    if decimal == "." or pd.api.types.is_numeric_dtype(col):
        return num
    text = col.astype("string").str.strip()
    failed = num.isna() & text.notna()
    if not failed.any() or (decimal == "auto" and not text[failed].str.fullmatch(_COMMA_NUMBER).all()):
        return num
    dotted = text.str.contains(".", regex=False, na=False)
    thousands = text.str.fullmatch(_THOUSANDS).fillna(False)
    plain = text.where(~thousands, text.str.replace(".", "", regex=False)).str.replace(",", ".", regex=False)
    return pd.to_numeric(plain.where(~dotted | thousands), errors="coerce")
