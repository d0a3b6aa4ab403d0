"""A banner table as people read it: great-tables for notebooks and the report, openpyxl for Excel.

The HTML is static: no script, no web font, no external address (the report opens offline), and every
value that came from the data (row labels, segment names and values) is escaped here, before it is
placed in the table.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from ._format import (DASH, bases, change_mark, mark, question_bases, table_columns, table_rows, table_note,
                      value_text)

__all__ = ["render_crosstab", "to_excel"]

_UP, _DOWN = "#1a7f37", "#b42318"
NOTE = ("Letters: the cell is significantly higher than the lettered column of its banner (uppercase at the "
        "stricter level, lowercase at the looser one); ▲ ▼: higher or lower than the rest of its banner. "
        f"{DASH}: base too small to show or test.")
# With a wave-over-wave comparison the note starts with the wave shown and what its arrows compare.


def _esc(text) -> str:
    return html.escape(str(text), quote=True)


def _cell_html(cell) -> str:
    if cell["small_base"]:
        return f'<span style="color:#888">{DASH}</span>'
    text = _esc(value_text(cell["value"], cell["metric"]))
    m = mark(cell)
    if cell["direction"]:
        colour = _UP if cell["direction"] == "up" else _DOWN
        weight = "bold" if cell["strict"] else "normal"
        return f'<span style="color:{colour};font-weight:{weight}">{text}&nbsp;{m}</span>'
    text += f"<sup>{_esc(m)}</sup>" if m else ""
    arrow = change_mark(cell)
    if arrow:
        colour = _UP if arrow == "▲" else _DOWN
        text += f'&nbsp;<span style="color:{colour};font-weight:{"bold" if cell["change_strict"] else "normal"}">{arrow}</span>'
    return text


def _wide(xt: pd.DataFrame):
    cols = table_columns(xt)
    ids = [f"c{i}" for i in range(len(cols))]
    key = dict(zip(zip(cols["banner"], cols["column"]), ids))
    rows = table_rows(xt)
    body = {r: {"row": r} for r in rows}
    for cell in xt.to_dict("records"):
        body[cell["row"]][key[(cell["banner"], cell["column"])]] = _cell_html(cell)
    n, ne = bases(xt)
    top = [{"row": "Base (n)", **{key[k]: f"{int(v):,}" for k, v in n.items()}}]
    if ne is not None:
        top.append({"row": "Effective base", **{key[k]: f"{v:,.0f}" for k, v in ne.items()}})
    return cols, ids, pd.DataFrame(top + _with_question_bases(xt, body, key), columns=["row", *ids])


def _with_question_bases(xt: pd.DataFrame, body: dict, key: dict) -> list[dict]:
    """The body rows, each multiple-response question's net row followed by its own base row."""
    extra, out = question_bases(xt), []
    for label, row in body.items():
        out.append(row)
        if label in extra:
            name, n = extra[label]
            out.append({"row": name, **{key[k]: f"{v:,}" for k, v in n.items()}})
    return out


def render_crosstab(xt: pd.DataFrame, *, title: str | None = None, subtitle: str | None = None,
                    note: str | None = NOTE, table_id: str = "cx-banner"):
    """A :func:`cxlib.tables.crosstab` result as a great-tables table (static HTML).

    Parameters
    ----------
    xt : pandas.DataFrame
        The long table from :func:`cxlib.tables.crosstab`.
    title, subtitle, note : str, optional
        Heading, subheading and source note (plain text; escaped).
    table_id : str
        The HTML id (fixed, so that the same table gives the same HTML).

    Returns
    -------
    great_tables.GT
        Displays itself in a notebook; ``.as_raw_html()`` gives the HTML fragment for the report. A base
        row (and an effective-base row when weighted) on top; small bases as a dash; letters as
        superscripts; complement tests as coloured arrows (bold at the stricter level).

    Examples
    --------
    >>> from cxlib.data import load_responses, subset
    >>> from cxlib.tables import crosstab
    >>> xt = crosstab(subset(load_responses(), month="2026-10"), rows=["nps"], banner="region")
    >>> html = render_crosstab(xt, title="NPS by region").as_raw_html()
    >>> "<sup>B</sup>" in html and "<script" not in html
    True
    """
    import great_tables as gt

    cols, ids, wide = _wide(xt)
    table = gt.GT(wide, rowname_col="row", id=table_id).fmt(columns=ids, fns=str).cols_align("right", columns=ids)
    labels = {}
    for cid, c in zip(ids, cols.itertuples()):
        letter = f'<br><span style="font-weight:normal">({_esc(c.letter)})</span>' if c.letter else ""
        labels[cid] = gt.html(_esc(c.column) + letter)
    table = table.cols_label(**labels)
    for banner in dict.fromkeys(cols["banner"]):
        if banner != "Total":
            span = [cid for cid, b in zip(ids, cols["banner"]) if b == banner]
            table = table.tab_spanner(label=gt.html(_esc(banner)), columns=span, id=f"span-{ids.index(span[0])}")
    if title:
        table = table.tab_header(title=gt.html(_esc(title)), subtitle=gt.html(_esc(subtitle)) if subtitle else None)
    note = table_note(xt, note)
    if note:
        table = table.tab_source_note(gt.html(_esc(note)))
    return table.tab_options(table_font_size="13px", data_row_padding="3px")


def _text(ws, row: int, col: int, value):
    """Write text that stays text: a value starting with "=" is never read as an Excel formula."""
    cell = ws.cell(row, col, str(value))
    cell.data_type = "s"
    return cell


def to_excel(xt: pd.DataFrame, path, *, sheet: str = "Banner", title: str | None = None, note: str | None = NOTE):
    """Write the banner table to an Excel workbook (openpyxl): the same table, numbers kept as numbers.

    Each banner column takes two sheet columns: the value (a number, formatted as +0, 0"%" or 0.00)
    and its letters (superscript) or arrow; small bases are a grey dash. Labels from the data are
    written as text, never as formulas.

    Parameters
    ----------
    xt : pandas.DataFrame
        From :func:`cxlib.tables.crosstab`.
    path : str, pathlib.Path or file-like
        Where to write the .xlsx.
    sheet, title, note : str

    Returns
    -------
    The ``path`` given.

    Examples
    --------
    >>> import io
    >>> from cxlib.data import load_responses, subset
    >>> from cxlib.tables import crosstab
    >>> xt = crosstab(subset(load_responses(), month="2026-10"), rows=["nps"], banner="region")
    >>> buf = to_excel(xt, io.BytesIO())
    >>> buf.getvalue()[:2]
    b'PK'
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    cols = table_columns(xt)
    top = 2 if title else 1
    if title:
        _text(ws, 1, 1, title).font = Font(bold=True, size=12)
    pos = {(b, c): 2 + 2 * i for i, (b, c) in enumerate(zip(cols["banner"], cols["column"]))}
    for banner in dict.fromkeys(cols["banner"]):
        first = min(v for (b, _), v in pos.items() if b == banner)
        last = max(v for (b, _), v in pos.items() if b == banner) + 1
        _text(ws, top, first, banner).font = Font(bold=True)
        ws.merge_cells(start_row=top, start_column=first, end_row=top, end_column=last)
        ws.cell(top, first).alignment = Alignment(horizontal="center")
    for c in cols.itertuples():
        label = c.column + (f" ({c.letter})" if c.letter else "")
        _text(ws, top + 1, pos[(c.banner, c.column)], label).font = Font(bold=True)
    n, ne = bases(xt)
    r = top + 2
    for label, values, fmt in (("Base (n)", n, "#,##0"), ("Effective base", ne, "#,##0")):
        if values is None:
            continue
        ws.cell(r, 1, label).font = Font(italic=True)
        for k, v in values.items():
            ws.cell(r, pos[k], float(v)).number_format = fmt
        r += 1
    extra = question_bases(xt)
    order = [x for label in table_rows(xt) for x in (label, *([extra[label][0]] if label in extra else []))]
    rows = {label: r + i for i, label in enumerate(order)}
    formats = {"nps": "+0;-0;0", "mean": "0.00"}
    for label, i in rows.items():
        _text(ws, i, 1, label)
    for name, n in extra.values():          # each multiple-response question's own base, after its net
        ws.cell(rows[name], 1).font = Font(italic=True)
        for k, v in n.items():
            ws.cell(rows[name], pos[k], v).number_format = "#,##0"
    for cell in xt.to_dict("records"):
        i, j = rows[cell["row"]], pos[(cell["banner"], cell["column"])]
        if cell["small_base"] or pd.isna(cell["value"]):
            ws.cell(i, j, DASH).font = Font(color="888888")
            continue
        ws.cell(i, j, float(cell["value"])).number_format = formats.get(cell["metric"], '0"%"')
        m, arrow = mark(cell), change_mark(cell)
        if m or arrow:
            colour = {"up": "1A7F37", "down": "B42318"}.get(cell["direction"] or cell.get("change", ""))
            ws.cell(i, j + 1, " ".join(t for t in (m, arrow) if t)).font = Font(
                vertAlign="superscript" if m and not arrow and not cell["direction"] else None, color=colour)
    note = table_note(xt, note)
    if note:
        ws.cell(max(rows.values(), default=r) + 2, 1, note).font = Font(italic=True, color="555555")
    ws.column_dimensions["A"].width = max(12, min(40, max(len(str(x)) for x in [*rows, "Effective base"]) + 2))
    wb.save(path if not isinstance(path, (str, Path)) else str(path))
    return path
