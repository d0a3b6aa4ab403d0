"""The real monthly report, rendered on the sample data and read as an executive's browser would.

Renders once per module (about 15 s). The browser checks use Debian's Chromium through Playwright
(no browser downloads); they are skipped with a clear message when /usr/bin/chromium is absent.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from cxlib import data as cxdata
from cxlib import report, scores
from cxlib.data import project_root

ROOT = project_root()
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
REAL = ROOT.parent / "shared" / "real-data" / "Mobiles_feedback_4_weeks.sav"
SECTIONS = ["Headline", "What changed, and is it real?", "Trends and segments", "What drives the scores", "The experiment",
            "Voice of the customer", "Operations and money", "What fixing it is worth", "About this report"]
EVIL = (' <script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
        ' [click](javascript:window.__pwned=3) <b>bold</b>')


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    path = report.render_report("2026-10", output_dir=out)
    return path, path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def evil_report(tmp_path_factory):
    """A config whose October comments carry script and markup; no tickets or accounts."""
    folder = tmp_path_factory.mktemp("evil")
    raw = pd.read_csv(ROOT / "data" / "sample" / "responses.csv", dtype=str, keep_default_na=False)
    recent = raw[raw["SubmittedAt"] >= "2025-10-01"].copy()
    october = recent["SubmittedAt"].str.startswith("2026-10") & (recent["Verbatim"] != "")
    recent.loc[october, "Verbatim"] = recent.loc[october, "Verbatim"] + EVIL
    recent.to_csv(folder / "responses.csv", index=False)
    cfg = yaml.safe_load((ROOT / "cx.yml").read_text())
    cfg = {"responses": {**cfg["responses"], "path": str(folder / "responses.csv")}}
    (folder / "cx.yml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    path = report.render_report("2026-10", config=folder / "cx.yml", output_dir=folder / "reports")
    return path, path.read_text(encoding="utf-8")


def visible_text(html: str) -> str:
    body = re.sub(r"<style.*?</style>|<nav.*?</nav>", " ", html, flags=re.S)
    body = re.sub(r"<img[^>]*>", " ", body)
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", body))


def test_sections_present_and_no_code(rendered):
    _, html = rendered
    text = visible_text(html)
    for section in SECTIONS:
        assert section in text, section
    for leak in ("import ", "cxlib.", "Traceback", "load_responses", "Warning", "ipykernel"):
        assert leak not in text, leak
    assert 'class="cx-toc"' in html


def test_self_contained(rendered):
    path, html = rendered
    assert not re.search(r"<script", html, flags=re.I)
    assert not re.search(r"(src|href)=[\"']?https?://", html, flags=re.I)
    assert not re.search(r"@import|url\(\s*['\"]?https?:", html, flags=re.I)
    images = re.findall(r"<img[^>]+src=\"([^\"]+)\"", html)
    assert images and all(src.startswith("data:image/svg+xml;base64,") for src in images)  # vector charts
    assert path.stat().st_size < 1.5e6


def test_headline_equals_metrics_on_the_same_month(rendered):
    _, html = rendered
    month = cxdata.subset(cxdata.load_responses(), month="2026-10")
    row = scores.nps(month).iloc[0]
    text = visible_text(html)
    assert f"{row['nps']:+.0f}" in text
    assert f"n = {int(row['n']):,}" in text
    assert f"{row['ci_low']:+.0f} to {row['ci_high']:+.0f}" in text
    cfg = cxdata.load_config()
    sat = scores.csat(month, scale=cfg.scales["csat"]).iloc[0]
    assert f"{sat['csat']:.0f}% 95% CI {sat['ci_low']:.0f}% to {sat['ci_high']:.0f}% · n = {int(sat['n']):,}" in " ".join(text.split())
    eff = scores.ces(month, scale=cfg.scales["ces"]).iloc[0]
    assert f"{eff['ces']:.2f} 95% CI {eff['ci_low']:.2f} to {eff['ci_high']:.2f}" in " ".join(text.split())


def test_what_changed_names_the_planted_drop_not_the_wiggle(rendered):
    _, html = rendered
    text = visible_text(html)
    start = text.index("What changed, and is it real?")
    summary = text[start:text.index("Trends and segments")]
    assert "EMEA" in summary and "support" in summary
    assert "APAC × billing" not in summary and "APAC" not in summary.split("noise")[0]


#: Method words that belong in "How to read this report" only (issue 24): the body says it in plain words.
METHOD_WORDS = ["z test", "Holm", "AUC", "Brier", "Shapley", "LMG", "VADER"]


def test_body_in_plain_words_methods_in_the_note_at_the_end(rendered):
    _, html = rendered
    text = visible_text(html)
    split = text.index("How to read this report")
    body, note = text[:split], text[split:]
    assert split > text.index("What fixing it is worth")          # the note is at the end, inside About
    assert [w for w in METHOD_WORDS if w in body or w.capitalize() in body] == []
    assert [w for w in METHOD_WORDS if w not in note] == []       # each method is named there
    assert not re.search(r"p = 0\.000|\de-\d", body)            # small p-values read "p < 0.001"
    assert "p < 0.001" in body


def test_no_personal_data_in_the_html(rendered):
    _, html = rendered
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", html)
    for phone in ("415-555-0134", "555-0199", "7946 0958", "1234 5678", "867-5309", "900123"):
        assert phone not in html


def test_deterministic_html(rendered, tmp_path):
    path, html = rendered
    again = report.render_report("2026-10", output_dir=tmp_path)
    assert hashlib.sha256(again.read_bytes()).hexdigest() == hashlib.sha256(html.encode()).hexdigest()


def test_untrusted_comments_are_escaped(evil_report):
    _, html = evil_report
    assert "<script>window" not in html and "<img src=x" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;" in html  # the comment is shown, as text
    assert 'href="javascript' not in html
    text = visible_text(html)
    assert "left out" in text  # no tickets/accounts: those sections are left out with a note


def _browse(path: Path, shot: str):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium): `apt-get install chromium`")
    sync = pytest.importorskip("playwright.sync_api")
    seen = {"errors": [], "requests": [], "dialogs": []}
    with sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
            page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: seen["errors"].append(str(e)))
            page.on("request", lambda r: seen["requests"].append(r.url))
            page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
            page.goto(path.as_uri(), wait_until="load")
            seen["images_ok"] = page.evaluate(
                "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
            seen["n_images"] = page.evaluate("document.images.length")
            seen["pwned"] = page.evaluate("typeof window.__pwned")
            seen["scroll_width"] = page.evaluate("document.documentElement.scrollWidth")
            seen["visible_h2"] = page.evaluate(
                "Array.from(document.querySelectorAll('h2')).filter(h => h.offsetParent !== null)"
                ".map(h => h.textContent.trim())")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
        finally:
            browser.close()
    seen["network"] = [u for u in seen["requests"] if not u.startswith(("file:", "data:"))]
    return seen


def test_report_in_a_real_browser(rendered):
    seen = _browse(rendered[0], "report-2026-10.png")
    assert seen["errors"] == [] and seen["network"] == [] and seen["dialogs"] == []
    assert seen["n_images"] >= 3 and seen["images_ok"]
    assert seen["scroll_width"] <= 390 + 2  # readable on a phone: no sideways scrolling of the page
    assert seen["visible_h2"] == SECTIONS  # every section heading is shown, in order


def test_planted_script_runs_nothing_in_a_real_browser(evil_report):
    seen = _browse(evil_report[0], "report-evil-comments.png")
    assert seen["pwned"] == "undefined" and seen["dialogs"] == [] and seen["network"] == []


def test_real_survey_renders_without_tickets_or_accounts(tmp_path):
    if not REAL.exists():
        pytest.skip(f"../shared/real-data is absent ({REAL}): the real-survey report cannot be checked")
    path = report.render_report("2019-08", config=ROOT / "examples" / "mobiles.yml", output_dir=tmp_path)
    text = visible_text(path.read_text(encoding="utf-8"))
    assert "Headline" in text and "left out" in text and "Traceback" not in text


def test_follow_up_csv_is_the_kernels_list_not_a_refit(rendered):
    from cxlib import customers

    path, html = rendered
    csv = path.parent / "cx-report-2026-10-follow-up.csv"
    published = pd.read_csv(csv, dtype={"customer_id": str})
    cfg = cxdata.load_config()
    r, t, a = cxdata.load_responses(cfg), cxdata.load_tickets(cfg), cxdata.load_accounts(cfg)
    scored = customers.score_customers(r, t, a, month="2026-10", scales=cfg.scales)
    expected = customers.follow_up_list(r, scored.table, month="2026-10", drivers=cfg.drivers)
    assert published["customer_id"].tolist() == expected["customer_id"].tolist()
    assert not (path.parent / "follow-up.parquet").exists()   # the kernel's hand-over file is not published
    assert f"{len(published):,} customers to contact" in visible_text(html)


def test_the_stylesheet_is_not_nested(rendered):
    # a <style> inside a <style> makes the first rule a bad selector: the :root colours were lost (black
    # arrows, no sparklines, no mix bars, no card borders) while every other rule still applied
    _, html = rendered
    assert not re.search(r"<style[^>]*>\s*<style", html)
    assert re.search(r"<style[^>]*>\s*/\* CX Workbook report[^*]*\*/\s*:root \{ --ink", html)
