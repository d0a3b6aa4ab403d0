"""Render the monthly executive report: papermill executes, nbconvert exports, then an atomic publish.

``python -m cxlib.report --month 2026-10`` (or ``render_report("2026-10")``) writes
``reports/2026-10/cx-report-2026-10.html`` beside the executed notebook and ``run.json``. A failed run
raises (the CLI exits non-zero), keeps the failed notebook under ``reports/_failed/`` and leaves the last
good report byte-for-byte as it was. This is the only module that imports papermill and nbconvert.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import pandas as pd

from . import dataset
from .publish import write_index

__all__ = ["ReportError", "ParameterError", "render_report", "resolve_jobs", "main"]

NOTEBOOK = "notebooks/00-monthly-report.ipynb"
TEMPLATE_DIR = Path(__file__).parent / "templates"
PACKAGES = ["cxlib", "pandas", "numpy", "scipy", "statsmodels", "seaborn", "matplotlib", "papermill",
            "nbconvert", "scikit-learn", "vaderSentiment"]


class ParameterError(ValueError):
    """Report parameters that cannot be used (checked before any kernel starts)."""


class ReportError(RuntimeError):
    """The report notebook failed; the previous good report was left untouched."""


def _slug(segment: str | None) -> str:
    if not segment:
        return ""
    return "--" + re.sub(r"[^a-z0-9]+", "-", segment.lower()).strip("-")


def resolve_jobs(*, month=None, config=None, segment=None, by=None, all_months=False,
                 responses=None) -> list[dict]:
    """Check report parameters against the data and expand ``by``/``all_months`` into jobs.

    Returns
    -------
    list of dict
        One dict per report with keys ``month`` and ``segment`` (None or "name=value").

    Raises
    ------
    ParameterError
        Bad month format, a month outside the data, unknown segment names or values.
    """
    try:
        cfg = dataset.load_config(config)
        data = dataset.load_responses(cfg) if responses is None else responses
    except (dataset.DataError, dataset.ConfigError) as exc:
        raise ParameterError(str(exc)) from None
    periods = data["responded_at"].dt.to_period("M")
    available = sorted(periods.unique())
    if all_months:
        months = [str(p) for p in available[1:]]
    elif month in (None, "", "latest"):
        months = [dataset.latest_full_month(data["responded_at"])]
    else:
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(month)):
            raise ParameterError(f"--month must look like YYYY-MM (e.g. 2026-10), got {month!r}")
        if pd.Period(month, freq="M") not in set(available):
            raise ParameterError(
                f"month {month} is outside the data: responses run from {available[0]} to {available[-1]}"
            )
        months = [month]
    segments = [None]
    if segment:
        parts = dataset.parse_segment(segment) if "=" in str(segment) else None
        if not parts:
            raise ParameterError(f"--segment must look like name=value (e.g. region=EMEA), got {segment!r}")
        for name, value in parts.items():
            if name not in cfg.segments:
                raise ParameterError(f"unknown segment {name!r}; the config defines {cfg.segments}")
            values = set(data[name].dropna().astype(str))
            if value not in values:
                raise ParameterError(f"segment {name} has no value {value!r}; values are {sorted(values)}")
        segments = [segment]
    if by:
        if by not in cfg.segments:
            raise ParameterError(f"unknown --by segment {by!r}; the config defines {cfg.segments}")
        segments = [f"{by}={v}" for v in sorted(data[by].dropna().astype(str).unique())]
    return [{"month": m, "segment": s} for m in months for s in segments]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


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


def _export_html(nb_path: Path) -> str:
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(nb_path, as_version=4)
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
    heads = re.findall(r'<h2 id="([^"]+)">(.*?)</h2>', html, flags=re.S)
    items = "".join(
        f'<li><a href="#{hid}">{re.sub(r"<[^>]+>", "", text).strip()}</a></li>' for hid, text in heads
    )
    toc = f'<nav class="cx-toc" aria-label="Contents"><strong>Contents</strong><ol>{items}</ol></nav>'
    parts = html.split("</h1>", 1)
    if len(parts) == 2:
        return parts[0] + "</h1>" + toc + parts[1].replace("<!-- cx-toc -->", "")
    return html.replace("<!-- cx-toc -->", toc)


def _check_offline(html: str, where: Path) -> None:
    bad = re.findall(r'<script[^>]*\bsrc=|(?:src|href)=["\']https?://|@import|url\(\s*["\']?https?:', html)
    if bad:
        raise ReportError(f"{where}: the exported HTML would load external resources ({bad[:3]})")


def render_report(month=None, *, config=None, segment=None, output_dir="reports", timeout=600,
                  notebook=None, progress=False) -> Path:
    """Execute the report notebook for one month (and segment) and publish its HTML atomically.

    Parameters
    ----------
    month : str, optional
        "YYYY-MM"; None for the latest full month in the data.
    config : str, pathlib.Path or None
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

    Returns
    -------
    pathlib.Path
        The published HTML file.

    Raises
    ------
    ParameterError
        Before a kernel starts, for bad parameters.
    ReportError
        When the notebook fails; its executed copy is kept under ``<output_dir>/_failed/``.
    """
    import papermill as pm

    t0 = time.perf_counter()
    root = dataset.project_root()
    try:
        cfg = dataset.load_config(config)
        responses = dataset.load_responses(cfg)
    except (dataset.DataError, dataset.ConfigError) as exc:
        raise ParameterError(str(exc)) from None
    (job,) = resolve_jobs(month=month, config=cfg, segment=segment, responses=responses)
    month, segment = job["month"], job["segment"]
    out_root = Path(output_dir)
    out_root = out_root if out_root.is_absolute() else root / out_root
    out_root.mkdir(parents=True, exist_ok=True)
    name = f"cx-report-{month}{_slug(segment)}"
    final = out_root / f"{month}{_slug(segment)}"
    nb_in = Path(notebook) if notebook else root / NOTEBOOK
    config_path = str(cfg.path) if cfg.path else None
    params = {"month": month, "config": config_path or "cx.yml", "segment": segment or ""}
    tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=out_root))
    executed = tmp / f"{name}.ipynb"
    t_exec = time.perf_counter()
    try:
        pm.execute_notebook(str(nb_in), str(executed), parameters=params, cwd=str(root),
                            kernel_name="python3", progress_bar=progress, execution_timeout=timeout,
                            log_output=False, report_mode=True)
        t_export = time.perf_counter()
        html = _export_html(executed)
        _check_offline(html, nb_in)
    except BaseException as exc:
        failed = out_root / "_failed"
        failed.mkdir(exist_ok=True)
        kept = None
        if executed.exists():
            kept = failed / f"{name}-{time.strftime('%Y%m%dT%H%M%S')}.ipynb"
            shutil.move(str(executed), kept)
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        msg = str(exc).strip().splitlines()
        reason = next((line for line in reversed(msg) if line.strip()), type(exc).__name__)
        raise ReportError(
            f"report {name} failed: {reason}"
            + (f"\nThe executed notebook is kept at {kept}" if kept else "")
            + f"\nThe previous report in {final} is unchanged."
        ) from exc
    (tmp / f"{name}.html").write_text(html, encoding="utf-8")
    t_follow = time.perf_counter()
    data = dataset.subset(responses, segment=segment or None)
    extras = _follow_up(cfg, data, month, segment, tmp, name)
    run = {
        "report": name, "month": month, "segment": segment, "parameters": params,
        "notebook": str(nb_in.relative_to(root)) if nb_in.is_relative_to(root) else str(nb_in),
        "headline": _headline(data, month),
        "data_files": {str(p): _sha256(p) for p in [*cfg.data_files, *([cfg.path] if cfg.path else [])]},
        "packages": _versions(), "git_commit": _git_commit(root),
        "timings_s": {"execute": round(t_export - t_exec, 2), "export": round(t_follow - t_export, 2),
                      "follow_up": round(time.perf_counter() - t_follow, 2),
                      "total": round(time.perf_counter() - t0, 2)},
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "extra_files": extras,
    }
    (tmp / "run.json").write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")
    _publish(tmp, final)
    write_index(out_root)
    return final / f"{name}.html"


def _headline(data, month) -> dict:
    from . import metrics

    if "nps" not in data:
        return {"nps": None, "n": int(len(dataset.subset(data, month=month)))}
    row = metrics.nps(dataset.subset(data, month=month)).iloc[0]
    return {"nps": None if pd.isna(row["nps"]) else round(float(row["nps"]), 1), "n": int(row["n"])}


def _follow_up(cfg, responses, month, segment, folder: Path, name: str) -> list[str]:
    """Write the CX team's follow-up list (customer level) beside the report, never into the HTML."""
    from . import churn, insights

    if cfg.accounts is None:
        return []
    scored, _ = insights.score_customers(responses, dataset.load_tickets(cfg), dataset.load_accounts(cfg),
                                         month=month, segment=segment or None, compare=False)
    table = churn.follow_up_list(responses, scored, month=month, drivers=cfg.drivers)
    path = folder / f"{name}-follow-up.csv"
    table.to_csv(path, index=False)
    return [path.name]


def _publish(tmp: Path, final: Path) -> None:
    """Move the finished build into place; the old report is removed only after the new one is there."""
    old = None
    if final.exists():
        old = final.with_name(f".old-{final.name}-{os.getpid()}")
        final.rename(old)
    try:
        tmp.rename(final)
    except OSError:
        if old is not None:
            old.rename(final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def main(argv=None) -> int:
    """Command line entry point; returns the exit code (0 ok, 1 failed run, 2 bad parameters)."""
    p = argparse.ArgumentParser(prog="python -m cxlib.report", description="Render the monthly CX report.")
    p.add_argument("--month", default="latest", help="YYYY-MM, or 'latest' (latest full month; default)")
    p.add_argument("--config", default=None, help="data config (default: cx.yml at the project root)")
    p.add_argument("--segment", default=None, help="one segment only, e.g. region=EMEA")
    p.add_argument("--by", default=None, help="one report per value of this segment, e.g. region")
    p.add_argument("--all-months", action="store_true", help="back-fill every month in the data")
    p.add_argument("--output-dir", default="reports", help="where reports go (default: reports/)")
    p.add_argument("--timeout", type=int, default=600, help="seconds allowed per notebook cell")
    args = p.parse_args(argv)
    try:
        jobs = resolve_jobs(month=args.month, config=args.config, segment=args.segment, by=args.by,
                            all_months=args.all_months)
    except ParameterError as exc:
        print(f"cxlib.report: {exc}", file=sys.stderr)
        return 2
    from tqdm import tqdm

    failures = 0
    bar = tqdm(jobs, desc="reports", unit="report", disable=len(jobs) < 2, file=sys.stderr)
    for job in bar:
        bar.set_postfix_str(job["month"] + (f" {job['segment']}" if job["segment"] else ""))
        try:
            path = render_report(job["month"], config=args.config, segment=job["segment"],
                                 output_dir=args.output_dir, timeout=args.timeout)
        except ReportError as exc:
            failures += 1
            print(f"cxlib.report: {exc}", file=sys.stderr)
            continue
        print(path)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
