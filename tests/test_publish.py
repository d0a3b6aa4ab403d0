"""The reports index."""

from __future__ import annotations

import json

from cxlib.report.index import write_index


def test_index_lists_reports_newest_first_and_escapes(tmp_path):
    for folder, month, seg, nps in [("2026-09", "2026-09", None, 12.4), ("2026-10--region-x", "2026-10",
                                                                          "region=<b>X</b>", -3.0)]:
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "run.json").write_text(json.dumps({
            "report": f"cx-report-{folder}", "month": month, "segment": seg,
            "headline": {"score": "nps", "value": nps, "n": 120},
            "extra_files": [f"cx-report-{folder}.pdf", f"cx-report-{folder}.pptx", f"cx-report-{folder}.eml"]}))
    (tmp_path / "_failed").mkdir()
    html = write_index(tmp_path).read_text()
    assert html.index("2026-10") < html.index("2026-09")
    # readable labels: the score as the report prints it (+12, a true minus sign), "name: value", link words
    assert "NPS +12" in html and "NPS −3" in html and "2 report(s)" in html
    assert "<b>X</b>" not in html and "region: &lt;b&gt;X&lt;/b&gt;" in html
    assert ">Report</a>" in html and "cx-report-2026-09</a>" not in html and "region=" not in html


def test_index_links_every_deliverable_by_its_name(tmp_path):
    (tmp_path / "2026-10").mkdir()
    (tmp_path / "2026-10" / "run.json").write_text(json.dumps({
        "report": "cx-report-2026-10", "month": "2026-10", "segment": None,
        "headline": {"score": "nps", "value": -5.14, "n": 1030, "diff": -12.8, "significant": True},
        "extra_files": ["cx-report-2026-10-follow-up.csv", "cx-report-2026-10.pdf", "cx-report-2026-10.pptx",
                        "cx-report-2026-10.eml", "cx-report-2026-10.xlsx"]}))
    html = write_index(tmp_path).read_text()
    for word, file in [("Report", "html"), ("PDF", "pdf"), ("Deck", "pptx"), ("E-mail", "eml"), ("Excel", "xlsx")]:
        assert f'href="2026-10/cx-report-2026-10.{file}">{word}</a>' in html
    # by hand: -5.14 shown as the report shows NPS (whole points, signed), 1030 with a thousands separator
    assert "NPS −5<" in html and ">1,030<" in html and "follow-up.csv" not in html
