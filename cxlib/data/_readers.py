"""Reading one data file into a raw frame of its own columns (private to :mod:`cxlib.data`).

Format detection and the CSV/TSV (plain or Qualtrics export), Excel, Parquet and SPSS readers, plus
SPSS value-label handling. Only :mod:`cxlib.data.loading` imports this module: it maps, types and
validates what these readers return.
"""

from __future__ import annotations

import re

import pandas as pd

from ..errors import DataError
from .config import TableSpec

__all__ = ["NON_SUBSTANTIVE", "apply_labels", "read_file"]

#: Value labels that mark a code as "no substantive answer".
NON_SUBSTANTIVE = re.compile(
    r"don.?t know|do not know|not applicable|\bn/?a\b|refused|prefer not|no answer|not sure|can.?t say",
    re.IGNORECASE,
)


def read_file(spec: TableSpec, usecols: list[str]) -> tuple[pd.DataFrame, dict]:
    """Read a data file in the format its suffix names.

    Parameters
    ----------
    spec : cxlib.config.TableSpec
        The table's path, name (for messages) and ``options`` (``encoding``, ``sheet``, ``format``).
    usecols : list of str
        Source columns needed; Parquet reads only those present, other formats read every column.

    Returns
    -------
    tuple of (pandas.DataFrame, dict)
        The file's rows under its own column names (CSV as text; the two extra header rows of a
        Qualtrics export dropped) and the SPSS value labels by column (empty for other formats).

    Raises
    ------
    DataError
        When the file is missing, empty, unreadable, of an unsupported format or has no data rows.

    Examples
    --------
    >>> from cxlib.data import load_config
    >>> raw, labels = read_file(load_config().responses, ["ResponseID"])
    >>> raw["LTR_0_10"].head(3).tolist(), labels          # CSV cells stay text until dataset types them
    (['6', '10', '7'], {})
    """
    path = spec.path
    if not path.exists():
        raise DataError(f"{spec.name} file {path} does not exist")
    if path.stat().st_size == 0:
        raise DataError(f"{spec.name} file {path} is empty")
    suffixes = "".join(path.suffixes[-2:]).lower()
    labels: dict = {}
    try:
        if suffixes.endswith((".csv", ".csv.gz", ".txt", ".tsv")):
            sep = "\t" if ".tsv" in suffixes else ","
            df = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, na_values=[""],
                             encoding=spec.options.get("encoding", "utf-8-sig"))
            df = _drop_platform_header_rows(df, spec)
        elif suffixes.endswith((".xlsx", ".xlsm", ".xls")):
            df = pd.read_excel(path, sheet_name=spec.options.get("sheet", 0))
            df = _drop_platform_header_rows(df, spec)
        elif suffixes.endswith((".parquet", ".pq")):
            import pyarrow.parquet as pq

            present = set(pq.read_schema(path).names)
            df = pd.read_parquet(path, columns=[c for c in usecols if c in present])
        elif suffixes.endswith(".sav"):
            import pyreadstat

            df, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
            labels = meta.variable_value_labels
        else:
            raise DataError(
                f"{spec.name} file {path}: unsupported format; expected .csv, .csv.gz, .xlsx, "
                ".parquet or .sav"
            )
    except DataError:
        raise
    except (ValueError, OSError, UnicodeDecodeError, ImportError) as exc:
        raise DataError(f"{spec.name} file {path} could not be read: {exc}") from None
    if len(df) == 0:
        raise DataError(f"{spec.name} file {path} has a header but no data rows")
    return df, labels


def _drop_platform_header_rows(df: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """Drop the two extra header rows of a Qualtrics export (question text and ImportId)."""
    fmt = str(spec.options.get("format", "auto")).lower()
    if fmt == "plain" or len(df) < 2:
        return df
    second = df.iloc[1].astype(str)
    looks_qualtrics = second.str.contains('"ImportId"', regex=False).any()
    if fmt == "qualtrics" or looks_qualtrics:
        return df.iloc[2:].reset_index(drop=True)
    return df


def apply_labels(col: pd.Series, labels: dict | None, missing: list, *, keep_labels: bool) -> pd.Series:
    """Blank missing codes and non-substantive labelled codes; optionally replace codes by labels.

    Parameters
    ----------
    col : pandas.Series
        A raw column as read.
    labels : dict or None
        Value labels of the column (code -> text), as SPSS files carry them.
    missing : list
        Codes configured as missing (``missing_codes``).
    keep_labels : bool
        Replace the remaining codes by their labels (for segments).

    Returns
    -------
    pandas.Series
        A new column: missing codes and codes labelled like :data:`NON_SUBSTANTIVE` become NaN.

    Examples
    --------
    >>> codes = pd.Series([1.0, 2.0, 9.0, 99.0])
    >>> apply_labels(codes, {1.0: "Yes", 2.0: "No", 9.0: "Don't know"}, [99], keep_labels=True).tolist()
    ['Yes', 'No', nan, nan]
    """
    out = col
    codes = set(missing)
    if labels:
        codes |= {code for code, text in labels.items() if NON_SUBSTANTIVE.search(str(text))}
    if codes:
        as_num = pd.to_numeric(out, errors="coerce")
        num_codes = {float(c) for c in codes if _is_number(c)}
        mask = out.astype("string").isin({str(c) for c in codes}) | as_num.isin(num_codes)
        out = out.mask(mask.fillna(False))
    if labels and keep_labels:
        mapped = pd.to_numeric(out, errors="coerce").map({float(k): v for k, v in labels.items()})
        out = mapped.where(mapped.notna(), out)
    return out


def _is_number(x) -> bool:
    try:
        float(x)
    except (TypeError, ValueError):
        return False
    return True
