"""The Excel workbook writer: numbers as numbers, labels as text that never starts a formula."""

from __future__ import annotations

from openpyxl import load_workbook

from cxlib.report.workbook import sheet_names, write_workbook


def test_values_round_trip_and_labels_are_not_formulas(tmp_path):
    results = {"tables": {"segments": {"title": "NPS by segment", "columns": ["value", "nps", "n", "small_base"],
                                       "rows": [{"value": "=HYPERLINK(\"http://x\")", "nps": -12.5, "n": 40,
                                                 "small_base": False},
                                                {"value": "EMEA", "nps": None, "n": 12, "small_base": True}]}}}
    path = write_workbook(results, tmp_path / "t.xlsx", title="CX report")
    ws = load_workbook(path)["Segments"]
    assert ws.cell(1, 1).value == "CX report: NPS by segment"
    assert [c.value for c in ws[3]] == ["'=HYPERLINK(\"http://x\")", -12.5, 40, False]   # typed by hand
    assert [c.value for c in ws[4]] == ["EMEA", None, 12, True]
    assert ws.cell(3, 1).data_type == "s" and ws.cell(3, 2).data_type == "n"


def test_sheet_names_are_unique_and_short():
    names = sheet_names({"a" * 40: {}, "A" * 40: {}, "x[1]": {}})
    assert len(set(n.lower() for n in names.values())) == 3 and max(map(len, names.values())) <= 31
    assert names["x[1]"] == "X1"
