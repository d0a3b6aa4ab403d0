"""Render the monthly report: a chain of small named steps, like papermill's ``execute_notebook``.

:func:`render_report` runs ``resolve`` (config, inputs, job, paths: every check before a kernel starts),
``lock`` (one build per report folder, leftovers of killed runs recovered), ``parameterize``,
``execute`` (papermill, once), ``export`` (nbconvert, no code), ``write_outputs`` (the HTML, the
follow-up list and the asked deliverables: PDF, deck, e-mail, workbook, each a view of the kernel's
``results.json``), ``write_record`` (``run.json``) and ``publish`` (atomic swap, then the index). A failed
run raises :class:`~cxlib.errors.ReportError`, keeps the failed notebook under ``reports/_failed/`` and
leaves the last good report byte-for-byte as it was. This package is the only code that imports
papermill and nbconvert.
"""

from __future__ import annotations

import json
import os
import sys
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import periods
from ..data import (checks_shared_with_kernels, config_default, file_digests, load_config, load_responses, project_root,
                    segment_label, undated_count)
from ..errors import ConfigError, CXError, DataError, ParameterError, ReportError
from .budget import MemoryWatch, check_window
from .deliver import Deliver, check_formats, write_deliverables
from .export import check_offline, export_html
from .failures import failed_run, scrub_segment
from .follow_up import follow_up_csv
from .index import write_index
from .jobs import Job, folder_name, resolve_jobs
from .publish import build_folder, publish, recover, report_lock
from .record import run_record
from .sections import RESULTS_FILE

__all__ = ["NOTEBOOK", "Build", "check_readable", "output_root", "render_jobs", "render_report", "report_title"]

NOTEBOOK = "notebooks/00-monthly-report.ipynb"
TEMPLATE_DIR = Path(__file__).parent / "templates"
#: Thread pools the kernel starts with one thread (unless the environment sets them): the report's matrices
#: are small, and idle BLAS threads spinning between products cost the sample report ~0.5 s of CPU
KERNEL_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass
class Build:
    """One report's build as it moves along the steps: what ``resolve`` fixed, then what each step made."""

    job: Job
    cfg: object
    root: Path
    out_root: Path
    notebook: Path
    responses: pd.DataFrame
    digests: dict
    undated: int
    formats: tuple = ()
    chromium: Path | None = None
    tmp: Path | None = None
    params: dict = field(default_factory=dict)
    html: str = ""
    extras: list = field(default_factory=list)
    timings: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"cx-report-{folder_name(self.job)}"

    @property
    def final(self) -> Path:
        return self.out_root / folder_name(self.job)

    @property
    def executed(self) -> Path:
        return self.tmp / f"{self.name}.ipynb"


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


def resolve(month, *, config, segment, output_dir, notebook, responses, digests, formats) -> Build:
    """Step 1: the config, the inputs (loaded and hashed once), the job, the paths and Chromium, all
    checked before any kernel starts; bad ones raise :class:`~cxlib.errors.ParameterError`."""
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
    chromium = check_formats(formats, cfg)
    # all the run record reads from the data, read before the kernel starts: nothing after it touches
    # the server, so a database that goes away once the notebook has run does not discard the report
    return Build(job=job, cfg=cfg, root=root, out_root=output_root(output_dir, root),
                 notebook=Path(notebook) if notebook else root / NOTEBOOK, responses=responses,
                 digests=digests, undated=undated_count(responses), formats=tuple(formats), chromium=chromium)


def parameterize(b: Build) -> dict:
    """Step 3: the notebook's parameters (the build folder is where the kernel saves its result set)."""
    return {"month": b.job.month or "latest", "config": str(b.cfg.path) if b.cfg.path else "cx.yml",
            "segment": b.job.segment or "", "artifacts": str(b.tmp), "digests": b.digests}


@contextmanager
def _kernel_env():
    """The environment the kernel inherits while it starts (:data:`KERNEL_THREADS`), restored afterwards."""
    added = [name for name in KERNEL_THREADS if name not in os.environ]
    os.environ.update(dict.fromkeys(added, "1"))
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


def without_iri_checker() -> None:
    """Keep jsonschema's optional IRI checker out of this process: nbformat (papermill's) imports jsonschema,
    which loads rfc3987_syntax when installed (Jupyter's jupyter-events pulls it in) and compiles its 39
    grammars at import, 1-3 s of every run (``NBFORMAT_VALIDATOR=fastjsonschema`` did not avoid the import);
    a notebook holds no IRI to check."""
    sys.modules.setdefault("rfc3987_syntax", None)


def _execute(b: Build, timeout: int, progress: bool) -> None:
    """Step 4: papermill runs the notebook once, saving it at the end only."""
    without_iri_checker()
    import papermill as pm
    from traitlets.config import Config

    # the kernel's connection file lives in the build folder, so a killed run leaves none elsewhere
    runtime = b.tmp / "runtime"
    runtime.mkdir(exist_ok=True)
    config = Config({"KernelManager": {"connection_file": str(runtime / "kernel.json")}})
    # saved once at the end (papermill's default rewrites the whole notebook, images included, after each cell);
    # the kernel is stopped at once when the last cell has replied: its outputs and result set are in by then,
    # and a graceful shutdown waits ~1 s for an interpreter holding pandas, statsmodels, sklearn to tear down
    with _kernel_env():
        pm.execute_notebook(str(b.notebook), str(b.executed), parameters=b.params, cwd=str(b.root),
                            kernel_name="python3", progress_bar=progress, execution_timeout=timeout,
                            log_output=False, report_mode=True, request_save_on_cell_execute=False,
                            autosave_cell_every=3600, shutdown_kernel="immediate", config=config)


def export(b: Build) -> str:
    """Step 5: the executed notebook as the report's HTML (no code), checked to load nothing from elsewhere."""
    html = export_html(b.executed, TEMPLATE_DIR, title=report_title(b.job, b.cfg))
    check_offline(html, b.notebook)
    return html


def _results(tmp: Path) -> dict:
    """The result set the kernel saved (:data:`~cxlib.report.sections.RESULTS_FILE`); {} from a notebook that
    saves none (a custom or test notebook)."""
    path = tmp / RESULTS_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def write_outputs(b: Build) -> list[str]:
    """Step 6: the HTML, the follow-up list and the asked deliverables beside the executed notebook;
    returns the extra files' names and records each deliverable's seconds."""
    shutil.rmtree(b.tmp / "runtime", ignore_errors=True)
    scrub_segment(b.executed, b.job.segment)
    (b.tmp / f"{b.name}.html").write_text(b.html, encoding="utf-8")
    extras = follow_up_csv(b.tmp, b.name, b.cfg)
    made = write_deliverables(Deliver(folder=b.tmp, name=b.name, title=report_title(b.job, b.cfg),
                                      results=_results(b.tmp), cfg=b.cfg, chromium=b.chromium), b.formats)
    b.timings.update({fmt: seconds for fmt, (_, seconds) in made.items()})
    return extras + [file for file, _ in made.values()]


def write_record(b: Build, t0: float) -> None:
    """Step 7: ``run.json``, its headline read from the kernel's result set."""
    b.timings["total"] = time.perf_counter() - t0
    run = run_record(name=b.name, job=b.job, params=b.params, notebook=b.notebook, root=b.root,
                     results=_results(b.tmp), undated=b.undated, digests=b.digests, timings=b.timings,
                     extras=b.extras)
    (b.tmp / "run.json").write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")


def _kernel_steps(b: Build, timeout: int, progress: bool) -> None:
    """Steps 3 to 5, a failure kept under ``_failed/`` with the previous report untouched."""
    b.params = parameterize(b)
    t = time.perf_counter()
    watch = MemoryWatch(b.cfg.engines.get("memory_budget") or config_default("engines.memory_budget"))
    try:
        with watch:     # every process of the run within engines.memory_budget, or stopped with a message
            _execute(b, timeout, progress)
        b.timings["execute"] = time.perf_counter() - t
        b.html = export(b)
        b.timings["export"] = time.perf_counter() - t - b.timings["execute"]
    except BaseException as exc:
        error = failed_run(watch.error() or exc, b.out_root, b.tmp, b.executed, b.name, b.final,
                           segment=b.job.segment, timeout=timeout)
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        raise error from exc


def _file_steps(b: Build, t0: float) -> None:
    """Steps 6 and 7; a file that cannot be written (a full disk, a deliverable that fails) removes the build."""
    try:
        b.extras = write_outputs(b)
        write_record(b, t0)
    except (OSError, ReportError) as exc:
        shutil.rmtree(b.tmp, ignore_errors=True)
        why = exc.strerror or exc if isinstance(exc, OSError) else exc
        raise ReportError(f"report {b.name} could not be written: {why}"
                          f"\nThe previous report in {b.final} is unchanged.") from None


def render_report(month=None, *, config=None, segment=None, output_dir="reports", timeout: int = 600,
                  notebook=None, progress: bool = False, responses: pd.DataFrame | None = None,
                  digests: dict | None = None, pdf: bool = False, pptx: bool = False, email: bool = False,
                  xlsx: bool = False) -> Path:
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
    pdf, pptx, email, xlsx : bool
        Also write the PDF (headless Chromium, found before any kernel starts), the PowerPoint deck, the
        e-mail digest (``.eml``) and the Excel workbook of every table, published with the HTML.

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
    formats = [f for f, asked in (("pdf", pdf), ("pptx", pptx), ("email", email), ("xlsx", xlsx)) if asked]
    with checks_shared_with_kernels():   # a server table checked here is trusted by this run's kernel
        b = resolve(month, config=config, segment=segment, output_dir=output_dir, notebook=notebook,
                    responses=responses, digests=digests, formats=formats)
        with report_lock(b.out_root, folder_name(b.job)):
            recover(b.out_root, folder_name(b.job))
            b.tmp = build_folder(b.out_root, folder_name(b.job))
            _kernel_steps(b, timeout, progress)
            _file_steps(b, t0)
            publish(b.tmp, b.final)
    write_index(b.out_root)
    return b.final / f"{b.name}.html"


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
