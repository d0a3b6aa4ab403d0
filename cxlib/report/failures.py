"""A failed report run: one readable reason, the executed notebook kept under ``_failed/`` only when it
fits on the disk, and the build folder removed whatever happens (a full disk is never left full).

A segment value that is personal data (an e-mail address, a phone number) is redacted in the kept
notebook's parameters as in the published one; that rewrite is the only write here, made to a temporary
file beside the kept copy after checking the free space, and removed if the write fails.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

from ..comments import redact_text
from ..data import parse_segment
from ..errors import ReportError

__all__ = ["failed_run", "reason", "scrub_segment"]


def reason(exc: BaseException, timeout: int) -> str:
    """One readable line saying why a run failed (never a rule of dashes from a traceback)."""
    name = type(exc).__name__
    if name == "PapermillExecutionError":
        return f"{exc.ename}: {exc.evalue}".strip()
    if isinstance(exc, TimeoutError) or name == "CellTimeoutError":
        return f"a cell ran longer than the timeout ({timeout} s; raise it with --timeout)"
    if name == "DeadKernelError":
        return "the kernel died while running the report (out of memory?)"
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    lines = [line.strip() for line in str(exc).splitlines() if re.search(r"[A-Za-z0-9]", line)]
    return lines[-1] if lines else name


def scrub_segment(nb_path: Path, segment: str | None, dest: Path | None = None) -> bool:
    """Write the notebook with the redacted segment (not the exact value) in its parameters to ``dest``
    (default: in place); False, writing nothing, when the segment needs no redaction."""
    shown = redact_text(segment or "", names_too=False)
    if not segment or shown == segment or not nb_path.exists():
        return False
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = "\n".join(f"segment = {shown!r}  # redacted" if line.startswith("segment =") else line
                                    for line in cell.source.splitlines())
    params = nb.metadata.get("papermill", {}).get("parameters", {})
    if "segment" in params:
        params["segment"] = shown
    nbformat.write(nb, dest or nb_path)
    return True


def _keep(executed: Path, failed: Path, name: str, segment: str | None) -> tuple[Path | None, str]:
    """Move the executed notebook to ``failed/`` (a rename) or, when its segment must be redacted, write
    the redacted copy there if it fits; return (kept path or None, why it was not kept)."""
    kept = failed / f"{name}-{time.strftime('%Y%m%dT%H%M%S')}.ipynb"
    partial = failed / f".{kept.name}.partial"
    try:
        failed.mkdir(exist_ok=True)
        if redact_text(segment or "", names_too=False) == (segment or ""):
            os.replace(executed, kept)            # same file system: no space needed
            return kept, ""
        size, free = executed.stat().st_size, shutil.disk_usage(failed).free
        if free < 2 * size + (1 << 20):           # the copy, with room to spare for everything else
            return None, f"{size / 1e6:.1f} MB would not fit in the {free / 1e6:.1f} MB free"
        scrub_segment(executed, segment, dest=partial)
        os.replace(partial, kept)
        return kept, ""
    except OSError as exc:
        partial.unlink(missing_ok=True)
        return None, exc.strerror or str(exc)


def failed_run(exc: BaseException, out_root: Path, tmp: Path, executed: Path, name: str, final: Path, *,
               segment: str | None, timeout: int) -> ReportError:
    """The error for a failed run, after keeping its notebook (if it fits) and removing the build folder."""
    kept, why_not = None, ""
    try:
        if executed.exists():
            kept, why_not = _keep(executed, out_root / "_failed", name, segment)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    why = reason(exc, timeout)
    for value in parse_segment(segment).values() if segment else ():   # a kernel error may quote the segment
        why = why.replace(value, redact_text(value, names_too=False))
    note = (f"\nThe executed notebook is kept at {kept}" if kept else
            f"\nThe executed notebook was not kept: {why_not}" if why_not else "")
    return ReportError(f"report {name} failed: {why}{note}"
                       f"\nThe previous report in {final} is unchanged.")
