"""The value types of the config schema (private to :mod:`cxlib.data.schema`): each checks once, one phrasing.

Every type refuses what YAML might silently turn into something else: a quoted ``"false"`` is not a
boolean, ``5.9`` is not a whole number (``5.0`` is: whole numbers are accepted whether written ``5`` or
``5.0``, for every whole-number key), ``true`` is not a number, a list is not a mapping. A failed check
raises a ``PydanticCustomError`` of type ``cx`` whose ``expected`` says what the key must be; the
message translator (:mod:`._messages`) puts the file and the YAML path in front of it.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import time
import zoneinfo
from pathlib import PurePath
from typing import Annotated, Any, Optional

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

__all__ = ["CacheDir", "Code", "Codes", "ColumnList", "ColumnName", "DateText", "Encoding", "FolderPath", "FilePath", "MemorySize", "Name",
           "NameMap", "Number", "Sheet", "StrftimeFormat", "Text", "TimeZone", "Whole", "fail"]


#: The languages comments are told apart in and themes can be labelled in: those of the multilingual sentence
#: encoder (USE multilingual v3); :data:`cxlib.comments.LANGUAGES` is this tuple.
LANGUAGES = ("ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr", "zh")

def fail(expected: str, detail: str = "", *, secret: bool = False) -> PydanticCustomError:
    """The one error every check raises: what the key must be (and, optionally, what is wrong); ``secret``:
    the value is not echoed (a URL pasted where a variable name belongs may hold a password)."""
    return PydanticCustomError("cx", "must be {expected}", {"expected": expected, "detail": detail, "secret": secret})


def _text(expected: str, *, numbers: bool = False, secret: bool = False):
    def check(value: Any) -> str:
        if numbers and isinstance(value, int) and not isinstance(value, bool):
            return str(value)   # a column may be called 2024
        if isinstance(value, PurePath):
            return str(value)   # a config built in Python may hold paths
        if not isinstance(value, str) or not value.strip():
            raise fail(expected, secret=secret)
        return value
    return check


def Text(expected: str, *, numbers: bool = False, pattern: str | None = None,   # noqa: N802 - a type
         secret: bool = False):
    """Non-empty text; ``numbers``: a whole number is taken as its text; ``pattern``: a full match;
    ``secret``: never echoed in a message."""
    def match(value: str) -> str:
        if pattern is not None and not re.fullmatch(pattern, value):
            raise fail(expected, secret=secret)
        return value
    schema = {"type": "string", "minLength": 1, **({"pattern": f"^(?:{pattern})$"} if pattern else {})}
    if numbers:
        schema = {"anyOf": [schema, {"type": "integer"}]}
    return Annotated[str, BeforeValidator(_text(expected, numbers=numbers, secret=secret)), AfterValidator(match),
                     WithJsonSchema(schema)]


def _whole(value: Any):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value % 1:
        raise fail("a whole number")
    return int(value)


def Whole(ge: int | None = None):   # noqa: N802 - a type
    """A whole number (``5`` or ``5.0``; not ``5.9``, ``"5"`` or ``true``), at least ``ge``."""
    def low(value: int) -> int:
        if ge is not None and value < ge:
            raise fail(f"a whole number ≥ {ge}")
        return value
    return Annotated[int, BeforeValidator(_whole), AfterValidator(low),
                     WithJsonSchema({"type": "integer", **({"minimum": ge} if ge is not None else {})})]


def Number(gt: float | None = None, ge: float | None = None):   # noqa: N802 - a type
    """A number (``true`` is not one), above ``gt`` or at least ``ge``."""
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            raise fail("a number")
        if (gt is not None and value <= gt) or (ge is not None and value < ge):
            raise fail(f"a number above {gt}" if gt is not None else f"a number ≥ {ge}")
        return value
    bound = {"exclusiveMinimum": gt} if gt is not None else {"minimum": ge} if ge is not None else {}
    return Annotated[float, BeforeValidator(check), WithJsonSchema({"type": "number", **bound})]


def _mapping_of_names(expected: str):
    def check(value: Any) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise fail(expected)
        bad = [k for k in value if isinstance(k, bool) or not isinstance(k, (str, int))]
        if bad:
            raise fail(expected, f"{bad[0]!r} is not a name")
        return {str(k): v for k, v in value.items()}
    return check


def NameMap(value_type, expected: str):   # noqa: N802 - a type
    """A mapping of user-chosen names (text; a whole-number key is taken as text) to ``value_type``."""
    return Annotated[dict[str, value_type], BeforeValidator(_mapping_of_names(expected))]


def _code(value: Any):
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise fail("a list of codes, e.g. [98, 99]")
    return value


def _codes(value: Any):
    if not isinstance(value, list):
        raise fail("a list of codes, e.g. [98, 99]")
    return value


#: A missing-value code: a number or a text.
Code = Annotated[Any, BeforeValidator(_code), WithJsonSchema({"type": ["number", "string"]})]
#: Missing-value codes of a column.
Codes = Annotated[list[Code], BeforeValidator(_codes)]
ColumnName = Text("a column name", numbers=True)


def _column_list(value: Any):
    if not isinstance(value, list) or not value:
        raise fail("a list of its option columns, e.g. [Q5_1, Q5_2, Q5_3]")
    return value


#: The option columns of a multiple-response question: a non-empty list of column names.
ColumnList = Annotated[list[ColumnName], BeforeValidator(_column_list)]
Name = Text("a name")
FilePath = Text("a file path")
FolderPath = Text("a folder path")


def _sheet(value: Any):
    if isinstance(value, bool) or not isinstance(value, (int, str)) or value == "":
        raise fail("a sheet name or number")
    return value


#: An Excel sheet: its name or its 0-based number.
Sheet = Annotated[Any, BeforeValidator(_sheet), WithJsonSchema({"type": ["string", "integer"]})]
#: A folder, or null / false for none.
CacheDir = Annotated[Optional[FolderPath], BeforeValidator(lambda v: None if v is False else v),
                     WithJsonSchema({"anyOf": [{"type": "string", "minLength": 1}, {"type": "null"},
                                               {"const": False}]})]


def _encoding(value: str) -> str:
    try:
        codecs.lookup(value)
    except LookupError:
        raise fail("an encoding name such as utf-8, cp1252, latin-1 or utf-16") from None
    return value


Encoding = Annotated[Text("an encoding name such as utf-8, cp1252 or utf-16"), AfterValidator(_encoding)]


def _strftime(value: str) -> str:
    if "%" not in value:
        raise fail("a strftime format such as '%d/%m/%Y %H:%M'")
    try:
        time.strptime("", value)
    except ValueError as exc:
        if "directive" in str(exc) or "stray" in str(exc):
            raise fail("a strftime format such as '%d/%m/%Y %H:%M'", str(exc)) from None
    return value


StrftimeFormat = Annotated[Text("a strftime format such as '%d/%m/%Y'"), AfterValidator(_strftime)]
MemorySize = Text("a size such as 1.5GB", pattern=r"\d+(\.\d+)?\s*[KMGTkmgt]i?[Bb]")


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise fail("a date such as 1990-01-01") from None


#: A date: unquoted in YAML (1990-01-01) or quoted.
DateText = Annotated[dt.date, BeforeValidator(_date), WithJsonSchema({"type": "string", "format": "date"})]


def _zone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise fail("an IANA time zone name such as Europe/Paris or America/New_York") from None
    return value


TimeZone = Annotated[Text("an IANA time zone name such as Europe/Paris"), AfterValidator(_zone)]
