"""The CX team's follow-up list as a CSV that is safe to open in Excel.

The report kernel leaves the month's follow-up list in its build folder (:data:`FOLLOW_UP_FILE`), its
comments already redacted and tagged with their themes (:func:`cxlib.report.sections.follow_up`); the
runner only writes it beside the report as CSV, where no cell can start a spreadsheet formula:
cells beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return get a leading apostrophe, as
OWASP's CSV-injection guidance advises.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .sections import FOLLOW_UP_FILE

__all__ = ["FORMULA_START", "follow_up_csv", "neutralise_formulas"]

#: First characters that make a spreadsheet read a cell as a formula (OWASP, CSV Injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot start a formula: those starting with = + - @ tab or CR get a "'".

    Numbers stay numbers (a negative revenue is not a formula); only text columns are touched.

    Examples
    --------
    >>> t = pd.DataFrame({"comment": ["=HYPERLINK(\\"http://x\\")", "fine", None], "n": [-1, 2, 3]})
    >>> neutralise_formulas(t)["comment"].tolist(), neutralise_formulas(t)["n"].tolist()
    (['\\'=HYPERLINK("http://x")', 'fine', nan], [-1, 2, 3])
    """
    out = table.copy()
    for col in out.columns:
        if pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col]) \
                or pd.api.types.is_datetime64_any_dtype(out[col]):
            continue
        text = out[col].astype("string")
        risky = text.str.startswith(FORMULA_START).fillna(False).astype(bool)
        if risky.any():
            out[col] = out[col].astype("object").mask(risky, "'" + text[risky].astype(str))
    return out


def follow_up_csv(folder: Path, name: str, cfg) -> list[str]:
    """Write ``<name>-follow-up.csv`` in ``folder`` from the list the kernel left there; return its file name.

    Parameters
    ----------
    folder : Path
        The report's build folder.
    name : str
        The report's file stem.
    cfg : Config
        ``cfg.codebook`` fills ``theme``; ``cfg.follow_up["raw_comments"]`` keeps comments unredacted.

    Returns
    -------
    list of str
        ``[file name]``, or ``[]`` when the kernel left no list (no account data).
    """
    left = folder / FOLLOW_UP_FILE
    if not left.exists():
        return []
    table = pd.read_parquet(left)      # themes tagged and comments redacted by the kernel (sections.follow_up)
    path = folder / f"{name}-follow-up.csv"
    neutralise_formulas(table).to_csv(path, index=False)
    left.unlink()
    return [path.name]
