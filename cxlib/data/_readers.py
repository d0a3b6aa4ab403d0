"""Reading one data file into a raw frame of its own columns (private to :mod:`cxlib.data`).

Format detection and the CSV/TSV (plain or Qualtrics export), Excel, Parquet and SPSS readers, plus
SPSS value-label handling. Only :mod:`cxlib.data.loading` imports this module: it maps, types and
validates what these readers return.
"""

from __future__ import annotations

import gzip
import io
import re
import zipfile
import zlib

import pandas as pd

from ..errors import DataError
from ._text_files import decode_problem, head_bytes, sniff_delimiter, sniff_encoding
from .config import TableSpec

__all__ = ["NON_SUBSTANTIVE", "apply_labels", "how_encoding", "read_file"]

#: Value labels that mark a code as "no substantive answer".
NON_SUBSTANTIVE = re.compile(
    r"don.?t know|do not know|not applicable|\bn/?a\b|refused|prefer not|no answer|not sure|can.?t say",
    re.IGNORECASE,
)


def read_file(spec: TableSpec, usecols: list[str]) -> tuple[pd.DataFrame, dict, dict]:
    """Read a data file in the format its suffix names.

    Parameters
    ----------
    spec : cxlib.config.TableSpec
        The table's path, name (for messages) and ``options`` (``encoding``, ``delimiter``, ``decimal``,
        ``sheet``, ``format``).
    usecols : list of str
        Source columns needed; Parquet reads only those present, other formats read every column. A
        needed column whose name the header holds twice is an error (which one is meant?).

    Returns
    -------
    tuple of (pandas.DataFrame, dict, dict)
        The file's rows under its own column names (CSV as text; the two extra header rows of a
        Qualtrics export dropped), the SPSS value labels by column (empty for other formats), and how
        the file was read: ``encoding``, ``delimiter`` and ``decimal`` ("." , "," or "auto": a
        decimal comma is accepted in a column whose every non-number is written that way), for text
        files only.

    Raises
    ------
    DataError
        When the file is missing, empty, truncated or corrupt, cannot be decoded (the message says which
        encoding to try), is of an unsupported format, repeats a needed column or has no data rows.

    Examples
    --------
    >>> from cxlib.data import load_config
    >>> raw, labels, how = read_file(load_config().responses, ["ResponseID"])
    >>> raw["LTR_0_10"].head(3).tolist(), labels, how   # CSV cells stay text until dataset types them
    (['6', '10', '7'], {}, {'encoding': 'utf-8-sig', 'delimiter': ',', 'decimal': '.'})
    """
    path = spec.path
    if not path.exists():
        raise DataError(f"{spec.name} file {path} does not exist")
    if path.is_dir():
        raise DataError(f"{spec.name} file {path} is a folder; expected a data file")
    if path.stat().st_size == 0:
        raise DataError(f"{spec.name} file {path} is empty")
    suffixes = "".join(path.suffixes[-2:]).lower()
    labels: dict = {}
    how: dict = {}
    try:
        if suffixes.endswith((".csv", ".csv.gz", ".txt", ".tsv", ".tsv.gz", ".txt.gz")):
            df, how = _read_text(spec, ".tsv" in suffixes, usecols)
            df = _drop_platform_header_rows(df, spec)
        elif suffixes.endswith((".xlsx", ".xlsm", ".xls")):
            df = pd.read_excel(path, sheet_name=spec.options.get("sheet", 0))
            _check_repeated(spec, df.columns, usecols, lambda: pd.read_excel(
                path, sheet_name=spec.options.get("sheet", 0), header=None, nrows=1).iloc[0])
            df = _drop_platform_header_rows(df, spec)
        elif suffixes.endswith((".parquet", ".pq")):
            import pyarrow.parquet as pq

            names = pq.read_schema(path).names
            _check_repeated(spec, names, usecols)
            present = set(names)
            df = pd.read_parquet(path, columns=[c for c in usecols if c in present])
        elif suffixes.endswith(".sav"):
            import pyreadstat

            try:
                df, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
            except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError) as exc:
                raise DataError(f"{spec.name} file {path} could not be read as an SPSS .sav file ({exc}); it "
                                "may be truncated or corrupt: export it again") from None
            labels = meta.variable_value_labels
        else:
            raise DataError(
                f"{spec.name} file {path}: unsupported format; expected .csv, .csv.gz, .xlsx, "
                ".parquet or .sav"
            )
    except DataError:
        raise
    except UnicodeDecodeError:
        raise DataError(f"{spec.name} file {path} could not be read: "
                        f"{decode_problem(path, how_encoding(spec, path), spec.name)}") from None
    except (EOFError, zlib.error, gzip.BadGzipFile, zipfile.BadZipFile) as exc:
        raise DataError(f"{spec.name} file {path} is truncated or corrupt ({exc}); copy or export it again") from None
    except (ValueError, OSError, ImportError) as exc:
        raise DataError(f"{spec.name} file {path} could not be read: {exc}") from None
    if len(df) == 0:
        raise DataError(f"{spec.name} file {path} has a header but no data rows")
    return df, labels, how


def how_encoding(spec: TableSpec, path) -> str:
    """The encoding a text file is read with: the config's ``encoding``, else what its first bytes show."""
    return spec.options.get("encoding") or sniff_encoding(head_bytes(path))


def _read_text(spec: TableSpec, tab: bool, usecols) -> tuple[pd.DataFrame, dict]:
    """A delimited text file as text cells, with the encoding and delimiter given or sniffed."""
    path = spec.path
    head = head_bytes(path)
    encoding = spec.options.get("encoding") or sniff_encoding(head)
    first = head.decode(encoding, errors="replace").lstrip("\ufeff").split("\n", 1)[0]
    sep = spec.options.get("delimiter") or ("\t" if tab else sniff_delimiter(first))
    df = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, na_values=[""], encoding=encoding)
    _check_repeated(spec, df.columns, usecols, lambda: pd.read_csv(
        io.StringIO(first), sep=sep, header=None, dtype=str, keep_default_na=False).iloc[0])
    decimal = spec.options.get("decimal") or ("." if sep == "," else "auto")
    return df, {"encoding": encoding, "delimiter": sep, "decimal": decimal}


_MANGLED = re.compile(r"^(?P<base>.+)\.(?P<k>\d+)$")


def _check_repeated(spec: TableSpec, names, usecols, header=None) -> None:
    """Refuse a needed column whose name the header holds more than once.

    pandas reads a repeated name "X" as "X" and "X.1", so the raw header row (``header()``) is read only
    when a name looks renamed that way; without ``header``, ``names`` are the raw names.
    """
    names = [str(c) for c in names]
    if header is not None:
        if not any((m := _MANGLED.match(c)) and m["base"] in names for c in names):
            return
        names = [str(v) for v in header()]
    wanted = {str(u) for u in usecols}
    seen: dict[str, list[int]] = {}
    for i, name in enumerate(names, start=1):
        seen.setdefault(name, []).append(i)
    repeated = [(c, at) for c, at in seen.items() if len(at) > 1 and c in wanted]
    if repeated:
        col, at = repeated[0]
        raise DataError(f"{spec.name} file {spec.path}: column {col!r} appears {len(at)} times in the header "
                        f"(columns {', '.join(map(str, at))}); the workbook cannot tell which one is meant. "
                        "Rename the others in the file")


_IMPORT_ID = re.compile(r'^\s*\{\s*"ImportId"\s*:')


def _drop_platform_header_rows(df: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """Drop the two extra header rows of a Qualtrics export (question text and ImportId).

    The export is recognised by its third line: every non-empty cell there is an ``{"ImportId": ...}``
    object (a response that merely mentions "ImportId" is data, not a header).
    """
    fmt = str(spec.options.get("format", "auto")).lower()
    if fmt == "plain" or len(df) < 2:
        return df
    cells = df.iloc[1].dropna().astype(str)
    cells = cells[cells.str.strip() != ""]
    looks_qualtrics = len(cells) >= min(2, df.shape[1]) and bool(cells.str.match(_IMPORT_ID).all())
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
