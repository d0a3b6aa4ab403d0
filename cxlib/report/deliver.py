"""The deliverables beside the HTML: each one a view of the kernel's result set (``results.json``) or of
the HTML itself, never a recomputation.

========  ===========================  ==========================================================
format    file                         made by
========  ===========================  ==========================================================
pdf       ``cx-report-YYYY-MM.pdf``    :func:`cxlib.report.pdf.print_pdf` (the HTML, printed)
pptx      ``cx-report-YYYY-MM.pptx``   :func:`cxlib.report.deck.write_deck` (native charts)
email     ``cx-report-YYYY-MM.eml``    :func:`cxlib.report.digest.write_digest` (HTML + text)
xlsx      ``cx-report-YYYY-MM.xlsx``   :func:`cxlib.report.workbook.write_workbook` (every table)
========  ===========================  ==========================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ReportError
from .pdf import find_chromium, print_pdf

__all__ = ["FORMATS", "Deliver", "check_formats", "write_deliverables"]

#: Every deliverable the runner can write beside the HTML, in the order they are written.
FORMATS = ("pdf", "pptx", "email", "xlsx")


@dataclass(frozen=True)
class Deliver:
    """What a deliverable is made from: the build folder, the report's file stem, its title, the result
    set, the config and (for the PDF) the Chromium found before the kernel started."""

    folder: Path
    name: str
    title: str
    results: dict
    cfg: object
    chromium: Path | None = None


def check_formats(formats, cfg) -> Path | None:
    """Refuse an unknown format; find Chromium when a PDF is asked for (before any kernel starts).

    Examples
    --------
    >>> check_formats((), None) is None
    True
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        from ..errors import ParameterError

        raise ParameterError(f"unknown output format {unknown[0]!r}; expected one of {', '.join(FORMATS)}")
    return find_chromium(cfg.report.get("chromium")) if "pdf" in formats else None


def _pdf(d: Deliver) -> Path:
    return print_pdf(d.folder / f"{d.name}.html", d.folder / f"{d.name}.pdf", chromium=d.chromium,
                     title=d.title, data_date=(d.results.get("data_date") or ""))


def _template(cfg) -> Path | None:
    """``report.pptx_template``, relative to the config's folder."""
    name = (cfg.report or {}).get("pptx_template") if cfg is not None else None
    if not name:
        return None
    path = Path(name).expanduser()
    return path if path.is_absolute() or cfg.path is None else Path(cfg.path).parent / path


def _pptx(d: Deliver) -> Path:
    from .deck import write_deck

    return write_deck(d.results, d.folder / f"{d.name}.pptx", title=d.title, template=_template(d.cfg))


def _email(d: Deliver) -> Path:
    from .digest import write_digest

    base = ((d.cfg.report or {}).get("url") or "").rstrip("/") if d.cfg is not None else ""
    folder = d.name.removeprefix("cx-report-")
    link = f"{base}/{folder}/{d.name}.html" if base else f"{d.name}.html"
    return write_digest(d.results, d.folder / f"{d.name}.eml", title=d.title, link=link)


def _xlsx(d: Deliver) -> Path:
    from .workbook import write_workbook

    return write_workbook(d.results, d.folder / f"{d.name}.xlsx", title=d.title)


_WRITERS = {"pdf": _pdf, "pptx": _pptx, "email": _email, "xlsx": _xlsx}


def write_deliverables(d: Deliver, formats) -> dict[str, tuple[str, float]]:
    """Write each asked format into ``d.folder``; return ``{format: (file name, seconds)}``.

    Raises
    ------
    ReportError
        When a deliverable cannot be made (the message says which).
    """
    import time

    made = {}
    for fmt in (f for f in FORMATS if f in formats):
        t0 = time.perf_counter()
        path = _WRITERS[fmt](d)
        if not path.exists():
            raise ReportError(f"the {fmt} deliverable {path.name} was not written")
        made[fmt] = (path.name, time.perf_counter() - t0)
    return made
