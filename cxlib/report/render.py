"""Render the monthly report: papermill executes the notebook once, nbconvert exports it, then publish.

``render_report("2026-10")`` writes ``reports/2026-10/cx-report-2026-10.html`` beside the executed
notebook, ``run.json`` and, with accounts, the CX team's follow-up list as CSV. Inputs are loaded and
hashed once by the caller (or here) and handed to the kernel; the follow-up list is the one the kernel
computed, never refitted. A failed run raises :class:`~cxlib.errors.ReportError`, keeps the failed
notebook under ``reports/_failed/`` and leaves the last good report byte-for-byte as it was. This package
is the only code that imports papermill and nbconvert.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import pandas as pd

from .. import periods
from ..comments import redact_text
from ..data import (
    file_digests,
    load_config,
    load_responses,
    project_root,
    segment_label,
    undated_count,
)
from ..errors import ConfigError, CXError, DataError, ParameterError, ReportError
from .budget import MemoryWatch, check_window
from .export import check_offline, export_html
from .failures import failed_run, scrub_segment
from .follow_up import follow_up_csv
from .index import write_index
from .jobs import Job, folder_name, resolve_jobs
from .pdf import find_chromium, print_pdf
from .publish import build_folder, publish, recover, report_lock
from .sections import RESULTS_FILE

__all__ = ["NOTEBOOK", "check_readable", "output_root", "render_jobs", "render_report", "report_title"]

NOTEBOOK = "notebooks/00-monthly-report.ipynb"
TEMPLATE_DIR = Path(__file__).parent / "templates"
PACKAGES = ["cxlib", "pandas", "numpy", "scipy", "statsmodels", "seaborn", "matplotlib", "papermill",
            "nbconvert", "scikit-learn", "vaderSentiment"]


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


def _execute(nb_in: Path, executed: Path, params: dict, timeout: int, progress: bool, root: Path,
             title: str) -> str:
    import papermill as pm
    from traitlets.config import Config

    # the kernel's connection file lives in the build folder, so a killed run leaves none elsewhere
    runtime = executed.parent / "runtime"
    runtime.mkdir(exist_ok=True)
    config = Config({"KernelManager": {"connection_file": str(runtime / "kernel.json")}})
    # saved once at the end (papermill's default rewrites the whole notebook, images included, after each cell)
    pm.execute_notebook(str(nb_in), str(executed), parameters=params, cwd=str(root), kernel_name="python3",
                        progress_bar=progress, execution_timeout=timeout, log_output=False, report_mode=True,
                        request_save_on_cell_execute=False, autosave_cell_every=3600, config=config)
    html = export_html(executed, TEMPLATE_DIR, title=title)
    check_offline(html, nb_in)
    return html


def _outputs(tmp: Path, name: str, html: str, segment, cfg, chromium, final: Path) -> list[str]:
    """Write the build's files beside the executed notebook; return the extra files' names."""
    shutil.rmtree(tmp / "runtime", ignore_errors=True)
    scrub_segment(tmp / f"{name}.ipynb", segment)
    (tmp / f"{name}.html").write_text(html, encoding="utf-8")
    extras = follow_up_csv(tmp, name, cfg)
    if chromium is not None:
        try:
            print_pdf(tmp / f"{name}.html", tmp / f"{name}.pdf", chromium=chromium)
        except ReportError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise ReportError(f"{exc}\nThe previous report in {final} is unchanged.") from None
        extras.append(f"{name}.pdf")
    return extras


def report_title(job: Job, cfg=None) -> str:
    """The report's title, as the browser tab, the PDF and the index show it.

    Examples
    --------
    >>> report_title(Job("2026-10", "region=EMEA"))
    'CX report — October 2026 · region: EMEA'
    """
    from .html import safe_label

    when = periods.long_label(job.month) if job.month else "one wave"
    who = f" · {safe_label(segment_label(job.segment))}" if job.segment else ""
    return f"CX report — {when}{who}"


def _results(tmp: Path) -> dict:
    """The result set the kernel saved (:data:`~cxlib.report.sections.RESULTS_FILE`); {} from a notebook that
    saves none (a custom or test notebook)."""
    path = tmp / RESULTS_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def render_report(month=None, *, config=None, segment=None, output_dir="reports", timeout: int = 600,
                  notebook=None, progress: bool = False, responses: pd.DataFrame | None = None,
                  digests: dict | None = None, pdf: bool = False) -> Path:
    """Execute the report notebook for one month (and segment) and publish its HTML atomically.

    Parameters
    ----------
    month : str, optional
        "YYYY-MM"; None or "latest" for the latest full month in the data.
    config : str, pathlib.Path, Config or None
        The data config (default ``cx.yml`` at the project root).
    segment : str, optional
        "name=value" to report on one segment only.
    output_dir : str or pathlib.Path
        Reports root; relative paths are taken from the project root.
    timeout : int
        Seconds allowed for any one cell.
    notebook : str or pathlib.Path, optional
        Another report notebook (tests use a small one).
    progress : bool
        Show papermill's cell progress bar.
    responses : pandas.DataFrame, optional
        The responses, already loaded (the CLI loads them once for every job).
    digests : dict, optional
        SHA-256 of the input files, already computed (see :func:`cxlib.data.file_digests`).
    pdf : bool
        Also print the report to PDF with headless Chromium (found before any kernel starts), published
        with the HTML.

    Returns
    -------
    pathlib.Path
        The published HTML file.

    Raises
    ------
    ParameterError
        Before a kernel starts, for bad parameters or unreadable inputs.
    ReportError
        When the notebook fails; its executed copy is kept under ``<output_dir>/_failed/``.
    """
    t0 = time.perf_counter()
    root = project_root()
    try:
        cfg = load_config(config)
        check_readable(cfg)
        responses = load_responses(cfg) if responses is None else responses
        digests = file_digests(cfg) if digests is None else digests
    except (DataError, ConfigError, OSError) as exc:
        raise ParameterError(str(exc)) from None
    (job,) = resolve_jobs(cfg, responses, month=month, segment=segment)
    check_window(cfg, responses, job.month)   # the pull within engines.max_rows and memory_budget
    chromium = find_chromium(cfg.report.get("chromium")) if pdf else None
    out_root = output_root(output_dir, root)
    folder = folder_name(job)
    name, final = f"cx-report-{folder}", out_root / folder
    nb_in = Path(notebook) if notebook else root / NOTEBOOK
    # all the run record reads from the data, read before the kernel starts: nothing after it touches
    # the server, so a database that goes away once the notebook has run does not discard the report
    undated = undated_count(responses)
    with report_lock(out_root, folder):
        recover(out_root, folder)
        tmp = build_folder(out_root, folder)
        params = {"month": job.month or "latest", "config": str(cfg.path) if cfg.path else "cx.yml",
                  "segment": job.segment or "", "artifacts": str(tmp), "digests": digests}
        executed = tmp / f"{name}.ipynb"
        t_exec = time.perf_counter()
        try:
            with MemoryWatch(cfg.engines.get("memory_budget") or "2.5GB") as watch:
                html = _execute(nb_in, executed, params, timeout, progress, root, report_title(job, cfg))
        except BaseException as exc:
            error = failed_run(watch.error() or exc, out_root, tmp, executed, name, final, segment=job.segment,
                               timeout=timeout)
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            raise error from exc
        t_export = time.perf_counter()
        try:
            extras = _outputs(tmp, name, html, job.segment, cfg, chromium, final)
            t_pdf = time.perf_counter()
            shown = redact_text(job.segment, names_too=False) if job.segment else None
            results = _results(tmp)    # the figures the kernel computed (a file: no server needed after it)
            run = {
                "report": name, "month": job.month, "segment": shown,
                "segment_sha256": hashlib.sha256(job.segment.encode()).hexdigest() if job.segment else None,
                "parameters": {k: (shown if k == "segment" and shown else v) for k, v in params.items()
                               if k not in ("artifacts", "digests")},
                "notebook": str(nb_in.relative_to(root)) if nb_in.is_relative_to(root) else str(nb_in),
                "headline": results.get("headline"), "results_file": RESULTS_FILE if results else None,
                "undated_responses": undated,
                "data_files": digests, "packages": _versions(), "git_commit": _git_commit(root),
                "timings_s": {"execute_and_export": round(t_export - t_exec, 2),
                              "pdf": round(t_pdf - t_export, 2), "total": round(time.perf_counter() - t0, 2)},
                "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "extra_files": extras,
            }
            (tmp / "run.json").write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")
        except OSError as exc:   # a full disk: the build is removed, never left filling it
            shutil.rmtree(tmp, ignore_errors=True)
            raise ReportError(f"report {name} could not be written: {exc.strerror or exc}"
                              f"\nThe previous report in {final} is unchanged.") from None
        publish(tmp, final)
    write_index(out_root)
    return final / f"{name}.html"


def output_root(output_dir, root: Path) -> Path:
    """The reports folder (relative paths from the project root), created if missing.

    Raises
    ------
    ParameterError
        When it is a file, or cannot be created or written.
    """
    out_root = Path(output_dir)
    out_root = out_root if out_root.is_absolute() else root / out_root
    if out_root.exists() and not out_root.is_dir():
        raise ParameterError(f"--output-dir {out_root} is a file; expected a folder for the reports")
    try:
        out_root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ParameterError(f"--output-dir {out_root} cannot be created: {exc.strerror}") from None
    if not os.access(out_root, os.W_OK | os.X_OK):
        raise ParameterError(f"--output-dir {out_root} is not writable by this user")
    return out_root


def check_readable(cfg) -> None:
    """Raise DataError for a configured file that is missing, a folder or unreadable (before any kernel).

    Examples
    --------
    >>> check_readable(load_config())
    """
    for path in [*cfg.data_files, *([cfg.codebook] if cfg.codebook else [])]:
        path = Path(path)
        if not path.exists():
            raise DataError(f"data file {path} does not exist")
        if not path.is_file():
            raise DataError(f"data file {path} is not a file")
        if not os.access(path, os.R_OK):
            raise DataError(f"data file {path} cannot be read by this user (permissions)")


def render_jobs(jobs: list[Job], *, config=None, responses=None, digests=None, **kwargs):
    """Render several jobs with inputs loaded and hashed once; yield ``(job, path or error)``.

    A job that fails (a :class:`~cxlib.errors.CXError` or a file-system error) is yielded with its error
    and the next job runs: with ``--by``, one failed segment does not stop the others.

    Examples
    --------
    >>> list(render_jobs([]))
    []
    """
    for job in jobs:
        try:
            yield job, render_report(job.month, config=config, segment=job.segment, responses=responses,
                                     digests=digests, **kwargs)
        except (CXError, OSError) as exc:
            yield job, exc if isinstance(exc, CXError) else ReportError(
                f"report {folder_name(job)} failed: {exc}")
