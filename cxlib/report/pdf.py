"""The report as a PDF for the board pack: the same HTML printed by a headless Chromium.

A4, each section from a new page, no table or chart cut across pages, page numbers: the print rules
live in the report's stylesheet (``@page`` and ``@media print``), so the PDF is exactly the HTML.
Chromium is found on PATH (Debian's ``chromium``, or ``chromium-browser``, ``google-chrome``) or at
``report: {chromium: /path}`` in the config.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import ParameterError, ReportError

__all__ = ["CANDIDATES", "find_chromium", "print_pdf"]

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


def print_pdf(html_path: Path, pdf_path: Path, *, chromium: Path, timeout: int = 120) -> Path:
    """Print ``html_path`` to ``pdf_path`` with headless Chromium; raise ReportError when it fails.

    Returns
    -------
    pathlib.Path
        ``pdf_path``.
    """
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
