"""The report as an executive reads it: the story first, money in the currency, human labels, a real
title, a PDF for the board pack, and the index as a dashboard.

One render with PDF per module. The browser checks use Debian's Chromium through Playwright, the PDF
checks poppler's pdftotext; each is skipped with a clear message when its tool is absent.
"""

from __future__ import annotations

import html as htmllib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cxlib import comments
from cxlib.data import load_config, project_root
from cxlib.report import Job, render_report, report_title
from cxlib.report.pdf import find_chromium

ROOT = project_root()
CHROMIUM = Path("/usr/bin/chromium")


def visible(html: str) -> str:
    body = re.sub(r"<style.*?</style>|<title>.*?</title>|<img[^>]*>|<svg.*?</svg>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium): `apt-get install chromium`")
    out = tmp_path_factory.mktemp("exec")
    path = render_report("2026-10", output_dir=out, pdf=True)
    return path, path.read_text(encoding="utf-8")


def story_text(html: str) -> str:
    return visible(re.search(r'<div class="cx-story".*?</div>', html, flags=re.S).group(0))


def section(html: str, anchor: str, until: str) -> str:
    start = html.index(f'<a id="{anchor}"></a>')
    return visible(html[start:html.index(f'<a id="{until}"></a>')])


def test_the_story_comes_first_and_links_to_its_sections(report):
    _, html = report
    assert html.index('class="cx-story"') < html.index('class="cx-toc"') < html.index('<a id="headline"></a>')
    items = re.findall(r"<li>(.*?)</li>", re.search(r'<div class="cx-story".*?</div>', html, re.S).group(0), re.S)
    assert 3 <= len(items) <= 6
    assert all(re.search(r'href="#(headline|changes|drivers|experiment|voice|money)"', i) for i in items)
    text = story_text(html)
    assert "a real drop" in text and "p =" not in text and "Holm" not in text   # plain words; tests in small print
    assert "comparisons tested together" in visible(re.search(r'<p class="cx-smallprint">.*?</p>', html, re.S).group(0))


def test_story_numbers_equal_the_sections_numbers(report):
    _, html = report
    text = story_text(html)
    head = section(html, "headline", "changes")
    nps = re.search(r"NPS is ([+-]\d+) in Oct 2026 \(95% CI ([+-]\d+) to ([+-]\d+), n = ([\d,]+)\)", text)
    assert nps and re.search(re.escape(f"NPS {nps[1]} ") + ".{0,80}"
                             + re.escape(f"95% CI {nps[2]} to {nps[3]} · n = {nps[4]}"), head)
    drop = re.search(r"a real drop of (\d+) points from Sep 2026", text)
    assert drop and f"vs last month (Sep 2026): -{drop[1]} points (real change" in head
    seg = re.search(r"The largest real change is in (.+?), where NPS fell (\d+) points to ([+-]\d+)", text)
    changes = section(html, "changes", "trends")
    assert seg and f"{seg[1]}: NPS fell {seg[2]} points" in changes and f"to {seg[3]} in Oct 2026" in changes
    share = re.search(r"(Speed of support) matters most and is weakest: (\d+)% .* rated (\d\.\d\d)", text)
    drivers = section(html, "drivers", "voice")
    assert share and f"{share[1]}: {share[2]}% of what the ratings explain; rated {share[3]}" in drivers
    theme = re.search(r"costliest comment theme is (.+?): (\d+)% of comments mention it, and it costs about "
                      r"(\d+\.\d) NPS points \((\d+\.\d) to (\d+\.\d)\)", text)
    voice = section(html, "voice", "money")
    assert theme and re.search(rf"{theme[1]} {theme[2]}% \(n = \d+\) [+-]\d+ [+-]\d+ {theme[3]} "
                               rf"\({theme[4]} to {theme[5]}\)", voice, flags=re.I)
    money = re.search(r"(€[\d.]+[kMB]?) of annual revenue is at risk from churn \((€[\d.]+[kMB]?) to (€[\d.]+[kMB]?)\)",
                      text)
    assert money and f"current customers: {money[1]} (95% range {money[2]} to {money[3]})" in \
        section(html, "money", "worth")


def test_human_labels_money_and_title(report):
    _, html = report
    text = visible(html)
    cfg = load_config()
    keys = set(cfg.segments) | set(cfg.drivers) | set(comments.load_codebook(cfg.codebook).names) | set(cfg.scores)
    leaked = sorted(k for k in keys if "_" in k and re.search(rf"\b{re.escape(k)}\b", text))
    assert not leaked, leaked                                  # e.g. support_speed reads "Speed of support"
    money_lines = [s for s in re.split(r"(?<=[.)])\s", text) if re.search(r"revenue", s, re.I) and re.search(r"\d", s)]
    assert money_lines and all("€" in s for s in money_lines if re.search(r"\d[\d.,]*\s*[kMB]?\b", s)), money_lines
    assert "<title>CX report — October 2026</title>" in html
    assert report_title(Job("2026-10", "region=EMEA")) == "CX report — October 2026 · region: EMEA"
    assert "1e6" not in text
    images = re.findall(r"<img[^>]*>", html)
    assert images and all(re.search(r'alt="[^"]*\d[^"]*"', i) for i in images)   # every image states a number
    assert all(re.search(r'aria-label="[^"]*\d', s) for s in re.findall(r"<svg[^>]*>", html))


def test_scenario_is_labelled_as_a_model_not_a_forecast(report):
    _, html = report
    worth = section(html, "worth", "about")
    assert "A model-based scenario, not a forecast" in worth
    assert re.search(r"about €[\d.]+[kM] of annual revenue kept \(€[\d.]+[kM] to €[\d.]+[kM]", worth)


def test_scenario_says_what_it_needs_without_accounts(tmp_path, make_scope):
    import pandas as pd

    from cxlib.report import sections

    data = pd.DataFrame({"responded_at": pd.to_datetime(["2026-10-01"] * 40), "nps": [9.0] * 40})
    out = visible(sections.worth(make_scope(data, month="2026-10"), None))
    assert "This scenario needs" in out and "churn model" in out


def test_pdf_for_the_board_pack(report):
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils is not installed (pdftotext): `apt-get install poppler-utils`")
    path, html = report
    pdf = path.with_suffix(".pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert "A4" in info and 6 <= pages <= 16 and "Title:           CX report — October 2026" in info
    text = re.sub(r"\s+", " ", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout)
    assert "Customer experience report" in text and "Page 1 of" in text
    first = re.search(r"NPS is ([+-]\d+) in Oct 2026", story_text(html)).group(0)
    assert first in text and "of annual revenue is at risk from churn" in text
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    for page in re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', bbox, flags=re.S):
        height = float(page[1])
        bottoms = [float(y) for y in re.findall(r'yMax="([\d.]+)"', page[2])]
        assert max(bottoms, default=0) < height, "text runs off the page"
    per_page = [re.sub(r"\s+", " ", p) for p in
                subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout.split("\f")]
    table = [i for i, p in enumerate(per_page) if "NPS by segment" in p]
    # the segment table is not cut: its last rows may run onto the next page, under its repeated header
    assert table and "Callback pilot" in " ".join(per_page[table[0]:table[0] + 2])
    run = (path.parent / "run.json").read_text()
    assert path.with_suffix(".pdf").name in run


def test_index_is_a_dashboard(report):
    path, _ = report
    index = (path.parent.parent / "index.html").read_text()
    assert "<script" not in index and "http" not in index.replace("http-equiv", "")
    assert re.search(r"NPS [+-]?\d", index) and "cx-down" in index          # the real drop, in its colour
    assert 'href="2026-10/cx-report-2026-10.pdf"' in index


def test_pdf_without_chromium_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ValueError, match="--pdf needs Chromium.*apt-get install chromium"):
        find_chromium()


def _browse(path: Path, width: int):
    sync = pytest.importorskip("playwright.sync_api")
    seen = {"errors": [], "requests": []}
    with sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: seen["errors"].append(str(e)))
            page.on("request", lambda r: seen["requests"].append(r.url))
            page.goto(path.as_uri(), wait_until="load")
            seen["story_bottom"] = page.evaluate("document.getElementById('story').getBoundingClientRect().bottom")
            seen["scroll_width"] = page.evaluate("document.documentElement.scrollWidth")
            seen["alts"] = page.evaluate("Array.from(document.images).map(i => i.alt)")
        finally:
            browser.close()
    seen["network"] = [u for u in seen["requests"] if not u.startswith(("file:", "data:"))]
    return seen


@pytest.mark.parametrize("width", [1280, 390])
def test_the_story_is_on_the_first_screen(report, width):
    seen = _browse(report[0], width)
    assert seen["story_bottom"] <= 900, seen["story_bottom"]
    assert seen["scroll_width"] <= width + 2
    assert seen["alts"] and all(seen["alts"]) and seen["errors"] == [] and seen["network"] == []


def test_the_report_command_does_not_compile_the_iri_grammars():
    # jsonschema loads rfc3987_syntax (39 lark grammars, ~1 s) when installed; the process that runs a report
    # (render_report, the command's or a notebook's) imports papermill and nbformat without it (the 10M
    # report: 29.6-30.4 s -> 26.6-27.0 s)
    code = ("import sys; from cxlib.report.render import without_iri_checker; without_iri_checker(); "
            "import papermill, nbformat.validator; "
            "print(sys.modules.get('rfc3987_syntax') is None, 'lark' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "False"]
