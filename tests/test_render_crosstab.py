"""Tests of cxlib.tables.render: static, escaped great-tables HTML and an Excel copy of the same table."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from openpyxl import load_workbook

from cxlib.tables import crosstab, render_crosstab, to_excel

EVIL = '<script>alert(1)</script><img src=x onerror="alert(2)">'


@pytest.fixture
def table():
    df = pd.DataFrame({"nps": [10.0] * 30 + [0.0] * 10 + [10.0] * 10 + [0.0] * 30 + [9.0] * 5,
                       "seg": ["good"] * 40 + ["z " + EVIL] * 40 + ["tiny"] * 5})
    return crosstab(df, rows=["nps", ("nps", "pct_promoters")], banner="seg")


def test_html_is_static_and_every_data_value_is_escaped(table):
    h = render_crosstab(table.assign(banner=table["banner"].replace("seg", "seg <b>x</b>")),
                        title="T <i>").as_raw_html()
    assert not re.search(r"<script|(?:src|href)=[\"']https?://|@import|url\(|https?://", h, flags=re.I)
    assert "<img" not in h and "<b>x</b>" not in h and "<i>" not in h
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in h and "seg &lt;b&gt;x&lt;/b&gt;" in h


def test_letters_bases_and_small_bases(table):
    h = render_crosstab(table).as_raw_html()
    # good (A): NPS +50 vs the other column's -50 -> beats C at 0.01; tiny (B) has n = 5 < 30 -> a dash
    assert "+50<sup>C</sup>" in h and "–" in h
    assert "Base (n)" in h and ">40<" in h and "Effective base" not in h
    assert h == render_crosstab(table).as_raw_html()       # same table, same HTML (fixed id)


def test_complement_arrows_and_weighted_bases():
    df = pd.DataFrame({"nps": [10.0] * 40 + [0.0] * 40 + [7.0] * 40, "g": ["a"] * 40 + ["b"] * 40 + ["c"] * 40,
                       "w": [1.0, 3.0] * 60})
    xt = crosstab(df, rows="nps", banner="g", weight="w", test="complement")
    h = render_crosstab(xt).as_raw_html()
    assert "+100&nbsp;▲" in h and "-100&nbsp;▼" in h and "font-weight:bold" in h
    assert "Effective base" in h


def test_excel_holds_the_same_numbers(table, tmp_path):
    path = to_excel(table, tmp_path / "banner.xlsx", title="NPS by seg")
    ws = load_workbook(path).active
    cells = {ws.cell(r, c).value: (r, c) for r in range(1, ws.max_row + 1) for c in range(1, ws.max_column + 1)}
    r_nps, _ = cells["NPS"]
    _, c_good = cells["good (A)"]
    assert ws.cell(r_nps, c_good).value == pytest.approx(50.0)
    assert ws.cell(r_nps, c_good + 1).value == "C"
    assert ws.cell(r_nps, c_good + 1).font.vertAlign == "superscript"
    _, c_tiny = cells["tiny (B)"]
    assert ws.cell(r_nps, c_tiny).value == "–"
    assert "z " + EVIL + " (C)" in cells      # text in a cell, never markup
    assert to_excel(table, io.BytesIO()).getvalue()[:2] == b"PK"


def test_excel_never_turns_a_segment_value_into_a_formula(tmp_path):
    df = pd.DataFrame({"nps": [10.0, 0.0] * 40, "seg": ['=HYPERLINK("http://x","y")', "ok"] * 40})
    path = to_excel(crosstab(df, rows="nps", banner="seg"), tmp_path / "b.xlsx")
    ws = load_workbook(path).active
    values = [ws.cell(r, c) for r in range(1, ws.max_row + 1) for c in range(1, ws.max_column + 1)]
    planted = [c for c in values if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert planted and all(c.data_type == "s" for c in planted)
