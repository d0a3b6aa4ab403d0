"""The run record (``run.json``): what a report was built from and with, and its headline read from the
kernel's result set (never recomputed)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

from ..comments import redact_text
from .sections import RESULTS_FILE

__all__ = ["PACKAGES", "run_record"]

PACKAGES = ["cxlib", "pandas", "numpy", "scipy", "statsmodels", "seaborn", "matplotlib", "papermill",
            "nbconvert", "scikit-learn", "vaderSentiment", "python-pptx"]


def _git_commit(root: Path) -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                             timeout=10, check=False)
    except OSError:
        return None
    return out.stdout.strip() or None


def _versions() -> dict:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    found["python"] = sys.version.split()[0]
    return found


def run_record(*, name: str, job, params: dict, notebook: Path, root: Path, results: dict, undated: int,
               digests: dict, timings: dict, extras: list[str]) -> dict:
    """The run record of one build: parameters (segment redacted), inputs' checksums, versions, the
    headline from ``results`` (the kernel's result set), each step's seconds and the extra files."""
    shown = redact_text(job.segment, names_too=False) if job.segment else None
    return {
        "report": name, "month": job.month, "segment": shown,
        "segment_sha256": hashlib.sha256(job.segment.encode()).hexdigest() if job.segment else None,
        "parameters": {k: (shown if k == "segment" and shown else v) for k, v in params.items()
                       if k not in ("artifacts", "digests")},
        "notebook": str(notebook.relative_to(root)) if notebook.is_relative_to(root) else str(notebook),
        "headline": results.get("headline"), "results_file": RESULTS_FILE if results else None,
        "undated_responses": undated,
        "data_files": digests, "packages": _versions(), "git_commit": _git_commit(root),
        "timings_s": {k: round(v, 2) for k, v in timings.items()},
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "extra_files": extras,
    }
