"""What executives open: the printed PDF, the PowerPoint deck and the e-mail digest of the real report.

Renders the sample's October once with every deliverable (about 35 s). The PDF and print checks use
Debian's Chromium (through Playwright for the print emulation) and poppler's pdftotext/pdfinfo; they are
skipped with a clear message when those are absent. The deck and the e-mail are read back with
python-pptx and Python's ``email`` package and compared with the kernel's ``results.json``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from cxlib import report
from cxlib.data import load_config, load_responses

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed "
                                    "(/usr/bin/chromium): `apt-get install chromium` to print the PDF")
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext, "
                                   "pdfinfo) is not installed: `apt-get install poppler-utils`")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("deliver")
    path = report.render_report("2026-10", output_dir=out, pdf=CHROMIUM.exists(), pptx=True, email=True, xlsx=True)
    results = json.loads((path.parent / "results.json").read_text(encoding="utf-8"))
    return path, results


@needs_chromium
@needs_poppler
def test_pdf_holds_every_banner_column_within_nine_pages(built):
    path, results = built
    pdf = path.with_suffix(".pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True,
                                                             text=True, check=True).stdout).group(1))
    assert pages <= 9
    # the banner's columns: every value of every configured segment with 2 to 12 values in October, read
    # from the data here (not from the report); a cut table would lose the last segments' columns
    cfg = load_config()
    data = load_responses(cfg)
    october = data[data["responded_at"].dt.strftime("%Y-%m") == "2026-10"]
    labels = [str(v) for s in cfg.segments if 2 <= october[s].nunique() <= 12 for v in october[s].dropna().unique()]
    assert len(labels) >= 15
    words = set(re.findall(r"[\w-]+", text))
    assert [v for v in labels if not set(re.findall(r"[\w-]+", v)) <= words] == []
    # the running header and footer on every page: title with month, "Page n of N", the data date
    assert text.count("CX report — October 2026") >= pages
    assert all(f"Page {n} of {pages}" in text for n in range(1, pages + 1))
    assert text.count(f"data to {results['data_date']}") >= pages
    # charts are vectors: the trend chart's axis label is text in the PDF, not pixels of an image
    assert "NPS by month" in text


OVERFLOW = """() => { const out = [];
  for (const el of document.querySelectorAll('main *')) {
    const cs = getComputedStyle(el);
    if (cs.display === 'inline' || cs.display === 'none' || el.clientWidth === 0) continue;
    if (el.scrollWidth > el.clientWidth + 1) out.push(`${el.tagName}.${el.className} ${el.scrollWidth}>${el.clientWidth}`);
  }
  return {overflowing: out, page: document.documentElement.scrollWidth}; }"""


@needs_chromium
def test_in_print_no_element_overflows_its_box(built):
    sync = pytest.importorskip("playwright.sync_api")
    with sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            # A4 (210 mm) less the printer's 14 mm margins each side, at CSS's 96 px per inch: 688 px
            page = browser.new_page(viewport={"width": 688, "height": 1000})
            page.emulate_media(media="print")
            page.goto(built[0].as_uri(), wait_until="load")
            seen = page.evaluate(OVERFLOW)
        finally:
            browser.close()
    # the report before this change had the banner's box 1,032 px wide in 688 (its last columns cut)
    assert seen == {"overflowing": [], "page": 688}


def test_deck_charts_are_native_and_hold_the_result_set(built):
    from pptx import Presentation

    path, results = built
    deck = Presentation(str(path.with_suffix(".pptx")))
    charts = {shape.chart.plots[0].series[0].name if len(shape.chart.plots[0].series) == 1 else "mix": shape.chart
              for slide in deck.slides for shape in slide.shapes if shape.has_chart}
    assert not [s for slide in deck.slides for s in slide.shapes if s.shape_type == 13]  # no pictures
    nps = results["scores"]["nps"]
    trend = charts[nps["label"]].plots[0]
    assert list(trend.categories) == [p["month"] for p in nps["trend"]]
    assert list(trend.series[0].values) == [None if p["small_base"] else p["value"] for p in nps["trend"]]
    shares = charts["Share of explained variation"].plots[0]
    imp = sorted(results["drivers"]["importance"], key=lambda r: r["share"])
    assert list(shares.series[0].values) == [r["share"] for r in imp]
    assert list(shares.categories) == [r["label"] for r in imp]
    mix = [s.values[0] for s in charts["mix"].plots[0].series]
    assert mix == [nps["mix"][k] / 100 for k in ("detractors", "passives", "promoters")]
    assert sum(mix) == pytest.approx(1, abs=1e-3)           # shares of all answers
    titles = [s.shapes.title.text for s in deck.slides if s.shapes.title is not None]
    assert titles[0] == "CX report — October 2026" and "The story" in titles
    notes = " ".join(s.notes_slide.notes_text_frame.text for s in deck.slides if s.has_notes_slide)
    assert "Holm" in notes and "bootstrap" in notes        # the method lives in the speaker notes
    story = next(s for s in deck.slides if s.shapes.title is not None and s.shapes.title.text == "The story")
    assert [p.text for sh in story.shapes if sh.has_text_frame and sh != story.shapes.title
            for p in sh.text_frame.paragraphs] == results["story"]


def test_email_digest_parses_back_with_its_images(built):
    path, results = built
    raw = path.with_suffix(".eml").read_bytes()
    assert len(raw) < 200_000
    msg = message_from_bytes(raw, policy=policy.default)
    assert msg["Subject"] == "CX report — October 2026" and msg["Date"] and msg["Message-ID"] and msg["From"]
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 2 and all(p.get_content()[:8] == b"\x89PNG\r\n\x1a\n" for p in images)
    assert all(f"cid:{p['Content-ID'].strip('<>')}" in html for p in images)
    assert "<style" not in html and "<script" not in html and "http" not in html.replace('href="cx-report', "")
    assert 'href="cx-report-2026-10.html"' in html and "Full report: cx-report-2026-10.html" in text
    # by hand from the result set: NPS +14 (14.37 rounded), its real drop of 13 points vs Sep 2026
    assert "NPS: +14 (n = 1,030); -13 points vs Sep 2026 (real change)" in text
    assert all(sentence in text for sentence in results["story"])


def test_run_record_lists_the_deliverables_and_their_seconds(built):
    path, _ = built
    run = json.loads((path.parent / "run.json").read_text())
    assert {"cx-report-2026-10.pptx", "cx-report-2026-10.eml", "cx-report-2026-10.xlsx"} <= set(run["extra_files"])
    assert {"execute", "export", "pptx", "email", "xlsx", "total"} <= set(run["timings_s"])
    index = (path.parent.parent / "index.html").read_text()
    assert ">Deck</a>" in index and ">E-mail</a>" in index and ">Excel</a>" in index


def test_workbook_holds_every_table_of_the_result_set_as_numbers(built):
    from openpyxl import load_workbook

    from cxlib.report.workbook import sheet_names

    path, results = built
    tables = results["tables"]
    # every table the report shows, by the sections that show it (read off the HTML's captions here)
    assert {"scores", "segments", "banner", "drivers", "importance_performance", "themes", "handoffs",
            "revenue_at_risk", "revenue_by_nps_category", "changes"} <= set(tables)
    wb = load_workbook(path.with_suffix(".xlsx"))
    names = sheet_names(tables)
    assert wb.sheetnames == list(names.values())
    for key, table in tables.items():
        ws = wb[names[key]]
        assert table["title"] in ws.cell(1, 1).value
        assert [c.value for c in ws[2]] == table["columns"]
        assert ws.max_row == 2 + len(table["rows"])
        for i, row in enumerate(table["rows"], start=3):
            for j, column in enumerate(table["columns"], start=1):
                want, got = row[column], ws.cell(i, j).value
                if isinstance(want, (int, float)) and not isinstance(want, bool):
                    assert got == want and isinstance(got, (int, float)), (key, column, got)   # numbers stay numbers
                elif isinstance(want, str) and want and want[0] in "=+-@":
                    assert got == "'" + want                  # a label never starts a formula
                else:
                    assert got == (want if want != "" else None), (key, column, got)   # Excel keeps no empty text
    # significance letters sit in their own columns, beside the number they qualify
    banner = wb[names["banner"]]
    head = [c.value for c in banner[2]]
    letters = [banner.cell(r, head.index("higher_than") + 1).value for r in range(3, banner.max_row + 1)]
    assert any(v and v.isalpha() for v in letters)
    # the headline NPS as the deck and run.json read it
    scores = wb[names["scores"]]
    assert scores.cell(3, 2).value == results["scores"][results["primary"]]["value"]
