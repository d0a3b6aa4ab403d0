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
            "headline": {"score": "nps", "value": nps, "n": 120}}))
    (tmp_path / "_failed").mkdir()
    html = write_index(tmp_path).read_text()
    assert html.index("2026-10") < html.index("2026-09")
    assert "NPS 12.4" in html and "NPS -3" in html and "2 report(s)" in html
    assert "<b>X</b>" not in html and "&lt;b&gt;X&lt;/b&gt;" in html
