"""Render the monthly report: papermill executes the notebook once, nbconvert exports it, then publish.

``render_report("2026-10")`` writes ``reports/2026-10/cx-report-2026-10.html`` beside the executed
notebook, ``run.json`` and, with accounts, the CX team's follow-up list as CSV. Inputs are loaded and
hashed once by the caller (or here) and handed to the kernel; the follow-up list is the one the kernel
computed, never refitted. A failed run raises :class:`~cxlib.errors.ReportError`, keeps the failed
notebook under ``reports/_failed/`` and leaves the last good report byte-for-byte as it was. This package
is the only code that imports papermill and nbconvert.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import pandas as pd

from .. import periods, scores
from ..data import file_digests, load_config, load_responses, project_root, segment_label, subset
from ..errors import ConfigError, DataError, ParameterError, ReportError
from .jobs import Job, folder_name, resolve_jobs
from .pdf import find_chromium, print_pdf
from .index import write_index
from .publish import publish
from .sections import FOLLOW_UP_FILE

__all__ = ["NOTEBOOK", "render_jobs", "render_report", "report_title"]

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


def _export_html(nb_path: Path, title: str = "CX report") -> str:
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(nb_path, as_version=4)
    nb.metadata["title"] = title
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i}"  # papermill's injected cell has a random id: keep the HTML reproducible
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
                            and o.get("output_type") != "error"]
    exporter = HTMLExporter(template_name="cx_report", extra_template_basedirs=[str(TEMPLATE_DIR)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.anchor_link_text = ""
    body, _ = exporter.from_notebook_node(nb)
    return _add_toc(body)


def _add_toc(html: str) -> str:
    """The contents list, after the story when the report has one (its marker), else after the title."""
    heads = re.findall(r'<h2 id="([^"]+)">(.*?)</h2>', html, flags=re.S)
    items = []
    for hid, text in heads:
        anchor = re.search(r'<a id="([^"]+)"', text)
        items.append(f'<li><a href="#{anchor.group(1) if anchor else hid}">{re.sub(r"<[^>]+>", "", text).strip()}</a></li>')
    toc = f'<nav class="cx-toc" aria-label="Contents"><strong>Contents</strong><ol>{"".join(items)}</ol></nav>'
    marker = "<!-- cx-toc -->"
    html = html.replace(marker, "", 1)            # the template's own marker, at the top of <main>
    if marker in html:
        return html.replace(marker, toc, 1).replace(marker, "")
    parts = html.split("</h1>", 1)
    return parts[0] + "</h1>" + toc + parts[1] if len(parts) == 2 else html


def _check_offline(html: str, where: Path) -> None:
    bad = re.findall(r'<script[^>]*\bsrc=|(?:src|href)=["\']https?://|@import|url\(\s*["\']?https?:', html)
    if bad:
        raise ReportError(f"{where}: the exported HTML would load external resources ({bad[:3]})")


def _execute(nb_in: Path, executed: Path, params: dict, timeout: int, progress: bool, root: Path,
             title: str) -> str:
    import papermill as pm

    # saved once at the end (papermill's default rewrites the whole notebook, images included, after each cell)
    pm.execute_notebook(str(nb_in), str(executed), parameters=params, cwd=str(root), kernel_name="python3",
                        progress_bar=progress, execution_timeout=timeout, log_output=False, report_mode=True,
                        request_save_on_cell_execute=False, autosave_cell_every=3600)
    html = _export_html(executed, title)
    _check_offline(html, nb_in)
    return html


def _fail(exc: BaseException, out_root: Path, tmp: Path, executed: Path, name: str, final: Path) -> ReportError:
    failed = out_root / "_failed"
    failed.mkdir(exist_ok=True)
    kept = None
    if executed.exists():
        kept = failed / f"{name}-{time.strftime('%Y%m%dT%H%M%S')}.ipynb"
        shutil.move(str(executed), kept)
    shutil.rmtree(tmp, ignore_errors=True)
    msg = str(exc).strip().splitlines()
    reason = next((line for line in reversed(msg) if line.strip()), type(exc).__name__)
    return ReportError(f"report {name} failed: {reason}"
                       + (f"\nThe executed notebook is kept at {kept}" if kept else "")
                       + f"\nThe previous report in {final} is unchanged.")


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


def _follow_up_csv(tmp: Path, name: str) -> list[str]:
    """Turn the follow-up list the kernel left in the build folder into the published CSV."""
    left = tmp / FOLLOW_UP_FILE
    if not left.exists():
        return []
    path = tmp / f"{name}-follow-up.csv"
    pd.read_parquet(left).to_csv(path, index=False)
    left.unlink()
    return [path.name]


def _headline(cfg, data: pd.DataFrame, month: str | None) -> dict:
    """The primary score of the report period, for run.json and the index."""
    now = subset(data, month=month) if month else data
    metric = cfg.report["primary"]
    kwargs = {"scale": cfg.scales[metric]} if metric in ("csat", "ces", "rating") else {}
    row = scores.score_table(now, metric=metric, **kwargs).iloc[0]
    value = None if pd.isna(row[metric]) else round(float(row[metric]), 2)
    out = {"score": metric, "value": value, "n": int(row["n"]), "diff": None, "significant": None}
    if month and (data["responded_at"] < periods.bounds(month)[0]).any():
        try:
            cmp = scores.compare(data, metric=metric, month=month, baseline="previous", **kwargs).iloc[0]
        except DataError:
            return out
        if bool(cmp["tested"]):
            out.update(diff=round(float(cmp["diff"]), 2), significant=bool(cmp["significant"]))
    return out


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
        responses = load_responses(cfg) if responses is None else responses
        digests = file_digests(cfg) if digests is None else digests
    except (DataError, ConfigError) as exc:
        raise ParameterError(str(exc)) from None
    (job,) = resolve_jobs(cfg, responses, month=month, segment=segment)
    chromium = find_chromium(cfg.report.get("chromium")) if pdf else None
    out_root = Path(output_dir)
    out_root = out_root if out_root.is_absolute() else root / out_root
    out_root.mkdir(parents=True, exist_ok=True)
    folder = folder_name(job)
    name, final = f"cx-report-{folder}", out_root / folder
    nb_in = Path(notebook) if notebook else root / NOTEBOOK
    tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=out_root))
    params = {"month": job.month or "latest", "config": str(cfg.path) if cfg.path else "cx.yml",
              "segment": job.segment or "",
              "artifacts": str(tmp), "digests": digests}
    executed = tmp / f"{name}.ipynb"
    t_exec = time.perf_counter()
    try:
        html = _execute(nb_in, executed, params, timeout, progress, root, report_title(job, cfg))
    except BaseException as exc:
        error = _fail(exc, out_root, tmp, executed, name, final)
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        raise error from exc
    t_export = time.perf_counter()
    (tmp / f"{name}.html").write_text(html, encoding="utf-8")
    extras = _follow_up_csv(tmp, name)
    if chromium is not None:
        try:
            print_pdf(tmp / f"{name}.html", tmp / f"{name}.pdf", chromium=chromium)
        except ReportError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise ReportError(f"{exc}\nThe previous report in {final} is unchanged.") from None
        extras.append(f"{name}.pdf")
    t_pdf = time.perf_counter()
    run = {
        "report": name, "month": job.month, "segment": job.segment,
        "parameters": {k: v for k, v in params.items() if k not in ("artifacts", "digests")},
        "notebook": str(nb_in.relative_to(root)) if nb_in.is_relative_to(root) else str(nb_in),
        "headline": _headline(cfg, subset(responses, segment=job.segment), job.month),
        "data_files": digests, "packages": _versions(), "git_commit": _git_commit(root),
        "timings_s": {"execute_and_export": round(t_export - t_exec, 2), "pdf": round(t_pdf - t_export, 2),
                      "total": round(time.perf_counter() - t0, 2)},
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "extra_files": extras,
    }
    (tmp / "run.json").write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")
    publish(tmp, final)
    write_index(out_root)
    return final / f"{name}.html"


def render_jobs(jobs: list[Job], *, config=None, responses=None, digests=None, **kwargs):
    """Render several jobs with inputs loaded and hashed once; yield ``(job, path or ReportError)``.

    Examples
    --------
    >>> list(render_jobs([]))
    []
    """
    for job in jobs:
        try:
            yield job, render_report(job.month, config=config, segment=job.segment, responses=responses,
                                     digests=digests, **kwargs)
        except ReportError as exc:
            yield job, exc
