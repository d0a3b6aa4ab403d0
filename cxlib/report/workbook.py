"""The Excel workbook of every table in a report (``--xlsx``): one sheet per table of the kernel's result
set (``results.json``), numbers as numbers, labels as text that no spreadsheet reads as a formula.

A view of the result set, like the deck and the e-mail: nothing here computes a figure. Significance
letters (the banner's ``column_letter`` and ``higher_than``) are columns of their own.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .follow_up import neutralise_formulas

__all__ = ["sheet_names", "write_workbook"]


def sheet_names(tables: dict) -> dict[str, str]:
    """Table id -> a unique Excel sheet name (at most 31 characters, no ``[]:*?/\\``).

    Examples
    --------
    >>> sheet_names({"revenue_by_nps_category": {}, "scores": {}})
    {'revenue_by_nps_category': 'Revenue by nps category', 'scores': 'Scores'}
    """
    names: dict[str, str] = {}
    for key in tables:
        base = "".join(c for c in str(key).replace("_", " ") if c not in "[]:*?/\\").capitalize()[:31] or "Table"
        name, k = base, 2
        while name.lower() in (n.lower() for n in names.values()):
            name, k = f"{base[:28]} {k}", k + 1
        names[key] = name
    return names


def write_workbook(results: dict, path: Path, *, title: str = "") -> Path:
    """Write every table of ``results["tables"]`` to ``path``: a sheet per table, its title in row 1, the
    column names in row 2 and one row per table row below, numbers as numbers.

    Parameters
    ----------
    results : dict
        The kernel's result set (:func:`cxlib.report.sections.result_set`).
    path : pathlib.Path
    title : str
        The report's title, written above each table's own title.

    Returns
    -------
    pathlib.Path
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    tables = results.get("tables") or {}
    wb = Workbook()
    wb.remove(wb.active)
    for key, sheet in sheet_names(tables).items():
        table = tables[key]
        ws = wb.create_sheet(sheet)
        frame = neutralise_formulas(pd.DataFrame(table["rows"], columns=table["columns"]))
        ws.append([_text(f"{title}: {table['title']}" if title else table["title"])])
        ws.cell(1, 1).font = Font(bold=True)
        ws.append([_text(c) for c in table["columns"]])
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for row in frame.itertuples(index=False):
            ws.append([_value(v) for v in row])
        for i, column in enumerate(table["columns"], start=1):
            ws.column_dimensions[ws.cell(2, i).column_letter].width = max(10, min(40, len(str(column)) + 2))
    if not tables:
        wb.create_sheet("Tables").append(["This report shows no tables."])
    wb.save(path)
    return path


def _text(value) -> str:
    """A label as text that cannot start a formula."""
    return neutralise_formulas(pd.DataFrame({"v": [str(value)]}))["v"].iloc[0]


def _value(value):
    """A cell: None stays empty, numbers and booleans stay themselves, anything else is text."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, (bool, int, float)):
        return value
    return str(value)
