"""The report as a PDF for the board pack: the same HTML printed by a headless Chromium.

A4, page breaks between the report's major parts only, no table row or chart cut across pages, a
running header (title, month, segment) and footer (page n of N, data date). The layout rules live in
the report's stylesheet (``@media print``), so the PDF is the HTML; the header and footer come from
Chromium's DevTools ``printToPDF`` (driven through Playwright, which launches this Chromium and never
downloads one), because Chromium prints CSS ``@page`` margin boxes only partially. Without Playwright
the command line prints the same page without the running header.
Chromium is found on PATH (Debian's ``chromium``, or ``chromium-browser``, ``google-chrome``) or at
``report: {chromium: /path}`` in the config.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import ParameterError, ReportError

__all__ = ["CANDIDATES", "find_chromium", "page_bands", "print_pdf"]

#: Executables looked for on PATH, in order.
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Flags for a closed network: no background requests, no first-run work, a throw-away profile.
_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--disable-extensions", "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw"]


def find_chromium(configured: str | None = None) -> Path:
    """The Chromium executable to print with.

    Raises
    ------
    ParameterError
        When the configured path does not exist, or none is on PATH (with what to install).

    Examples
    --------
    >>> find_chromium("/no/such/chromium")
    Traceback (most recent call last):
    ...
    cxlib.errors.ParameterError: report.chromium is /no/such/chromium, which does not exist: point it at a Chromium executable
    """
    if configured:
        path = Path(configured).expanduser()
        if not path.is_file():
            raise ParameterError(f"report.chromium is {configured}, which does not exist: point it at a Chromium "
                                 "executable")
        return path
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise ParameterError("--pdf needs Chromium to print the report, and none was found on PATH "
                         f"({', '.join(CANDIDATES)}): install Debian's chromium (apt-get install chromium) or "
                         "set report: {chromium: /path/to/chromium} in the config")


_BAND = ('<div style="font: 7.5px Arial, sans-serif; color: #616e7c; width: 100%; margin: 0 14mm; '
         'display: flex; justify-content: space-between;"><span>{left}</span><span>{right}</span></div>')


def page_bands(title: str, data_date: str = "") -> tuple[str, str]:
    """The running header (the title: month and segment) and footer (page n of N, the data date) as
    Chromium's header and footer templates; the texts are escaped.

    Examples
    --------
    >>> head, foot = page_bands("CX report — October 2026 · region: <EMEA>", "2026-10-31")
    >>> "&lt;EMEA&gt;" in head, 'class="totalPages"' in foot, "data to 2026-10-31" in foot
    (True, True, True)
    """
    pages = 'Page <span class="pageNumber"></span> of <span class="totalPages"></span>'
    data = f"data to {html.escape(data_date)}" if data_date else ""
    return (_BAND.format(left=html.escape(title), right="Customer experience"),
            _BAND.format(left=data, right=pages))


def _print_cdp(html_path: Path, pdf_path: Path, chromium: Path, title: str, data_date: str, timeout: int) -> bool:
    """Print through DevTools (Playwright): A4, running header and footer. False without Playwright."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        return False
    head, foot = page_bands(title, data_date)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(chromium), args=[f for f in _FLAGS if f != "--headless"],
                                        timeout=timeout * 1000)
            try:
                page = browser.new_page()
                page.goto(Path(html_path).resolve().as_uri(), wait_until="load", timeout=timeout * 1000)
                page.pdf(path=str(pdf_path), format="A4", print_background=True, display_header_footer=True,
                         header_template=head, footer_template=foot, prefer_css_page_size=False,
                         margin={"top": "16mm", "bottom": "16mm", "left": "14mm", "right": "14mm"})
            finally:
                browser.close()
    except Error as exc:
        raise ReportError(f"Chromium could not print {html_path.name} to PDF: {str(exc).splitlines()[0]}") from None
    return True


def print_pdf(html_path: Path, pdf_path: Path, *, chromium: Path, timeout: int = 120, title: str = "CX report",
              data_date: str = "") -> Path:
    """Print ``html_path`` to ``pdf_path`` with headless Chromium; raise ReportError when it fails.

    Parameters
    ----------
    title : str
        The running header (the report's title: month and segment).
    data_date : str
        The last response date, in the footer beside "Page n of N".

    Returns
    -------
    pathlib.Path
        ``pdf_path``.
    """
    if _print_cdp(html_path, pdf_path, chromium, title, data_date, timeout):
        if not pdf_path.exists() or pdf_path.stat().st_size == 0:
            raise ReportError(f"Chromium could not print {html_path.name} to PDF (an empty file)")
        return pdf_path
    with tempfile.TemporaryDirectory(prefix="cx-chromium-") as profile:
        cmd = [str(chromium), *_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf_path}",
               Path(html_path).resolve().as_uri()]
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise ReportError(f"printing {html_path.name} to PDF took longer than {timeout} s") from None
    if run.returncode != 0 or not pdf_path.exists() or pdf_path.stat().st_size == 0:
        tail = (run.stderr or "").strip().splitlines()[-3:]
        raise ReportError(f"Chromium could not print {html_path.name} to PDF (exit {run.returncode}): "
                          + " | ".join(tail))
    return pdf_path
