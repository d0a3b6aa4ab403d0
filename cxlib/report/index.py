"""``reports/index.html``: every published report on one self-contained page, as a small dashboard.

Each row shows the month, the segment, the primary score with its change from the month before (in the
report's "real change" and "noise" colours), the base, and links to the report and its deliverables
(PDF, deck, e-mail, Excel); each segment's
primary score across months is drawn as an inline SVG line. No script, no external resource.
"""

from __future__ import annotations

import fcntl
import html
import json
import os
import secrets
from pathlib import Path

from ..data import segment_label
from .html import fmt_score, safe_label, sparkline

__all__ = ["read_runs", "write_index"]

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>CX reports</title>
<style>
body {{ font: 15px/1.5 -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1f2933;
  max-width: 960px; margin: 0 auto; padding: 1rem; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #d9e2ec; padding: .35rem .6rem; text-align: left; vertical-align: middle; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
.cx-up {{ color: #0072B2; }} .cx-down {{ color: #D55E00; }} .cx-noise {{ color: #8A8A8A; }}
.cx-spark polyline {{ fill: none; stroke: #0072B2; stroke-width: 1.5; }}
.trends {{ display: flex; flex-wrap: wrap; gap: 1rem; margin: 1rem 0; }}
.trend {{ border: 1px solid #d9e2ec; border-radius: 6px; padding: .4rem .8rem; }}
.small {{ color: #616e7c; font-size: .85rem; }}
@media (max-width: 600px) {{ body {{ font-size: 14px; padding: .5rem; }} th, td {{ padding: .3rem .3rem; }}
  th:nth-child(5), td:nth-child(5) {{ display: none; }} }}
</style></head>
<body><h1>CX reports</h1>
<p class="small">{count} report(s). Each folder also holds <code>run.json</code> (parameters, data checksums,
versions). Changes are against the month before, coloured when they are real (larger than chance
explains) and grey when they are within noise.</p>
<div class="trends">{trends}</div>
<table><thead><tr><th>Month</th><th>Segment</th><th>Score</th><th>Change</th><th>n</th><th>Report</th></tr></thead>
<tbody>
{rows}
</tbody></table></body></html>
"""


def read_runs(reports_dir) -> list[dict]:
    """Every published report's ``run.json``, newest month first (folders starting "_" or "." skipped).

    Examples
    --------
    >>> import tempfile
    >>> read_runs(tempfile.mkdtemp())
    []
    """
    runs = []
    for run_file in sorted(Path(reports_dir).glob("*/run.json"), reverse=True):
        if run_file.parent.name.startswith(("_", ".")):
            continue
        try:
            run = json.loads(run_file.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        runs.append({**run, "folder": run_file.parent.name})
    return runs


def _change(head: dict) -> str:
    diff = head.get("diff")
    if diff is None:
        return '<span class="cx-noise">–</span>'
    tone = ("cx-up" if diff > 0 else "cx-down") if head.get("significant") else "cx-noise"
    word = "real" if head.get("significant") else "noise"
    return f'<span class="{tone}">{html.escape(fmt_score(diff, digits=1))} ({word})</span>'


def _trends(runs: list[dict]) -> str:
    groups: dict = {}
    for run in runs:
        head = run.get("headline") or {}
        if run.get("month") and head.get("value") is not None:
            groups.setdefault((run.get("segment") or "", head.get("score")), []).append((run["month"], head["value"]))
    out = []
    for (segment, score), points in sorted(groups.items()):
        points = sorted(points)
        if len(points) < 2:
            continue
        who = safe_label(segment) if segment else "All customers"
        label = (f"{who}: {str(score).upper()} from {points[0][1]:.3g} ({points[0][0]}) to {points[-1][1]:.3g} "
                 f"({points[-1][0]})")
        out.append(f'<div class="trend"><div class="small">{html.escape(who)} · {html.escape(str(score).upper())}'
                   f'</div>{sparkline([v for _, v in points], label=label, width=220, height=44)}'
                   f'<div class="small">{html.escape(points[0][0])} – {html.escape(points[-1][0])}</div></div>')
    return "".join(out)


def write_index(reports_dir) -> Path:
    """Rebuild ``index.html`` in ``reports_dir`` from every ``*/run.json`` there.

    Parameters
    ----------
    reports_dir : str or pathlib.Path

    Returns
    -------
    pathlib.Path
        The index file.

    Examples
    --------
    >>> import tempfile
    >>> write_index(tempfile.mkdtemp()).name
    'index.html'
    """
    root = Path(reports_dir)
    fd = os.open(root / ".lock-index", os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)     # one rebuild at a time, each from every published run.json
        return _write_index(root)
    finally:
        os.close(fd)


#: The files a report folder may hold, as the index names their links.
_LINKS = {".html": "Report", ".pdf": "PDF", ".pptx": "Deck", ".eml": "E-mail", ".xlsx": "Excel"}


def _score(head: dict) -> str:
    """The headline score as people say it: "NPS −5" (a true minus sign, the score's own format)."""
    from .formats import score_format

    value, score = head.get("value"), str(head.get("score") or "")
    if value is None:
        return "–"
    try:
        fmt = score_format(score)
        label, shown = fmt.label, fmt.value(value)
    except (KeyError, ValueError):
        label, shown = score.upper(), f"{value:.3g}"
    return f"{label} {shown.replace('-', '−')}"


def _row(run: dict) -> str:
    head = run.get("headline") or {}
    report = str(run.get("report", ""))
    files = [f"{report}.html"] + [f for f in run.get("extra_files", []) if Path(f).suffix in _LINKS and f != f"{report}.html"]
    links = " · ".join(f'<a href="{html.escape(run["folder"] + "/" + f, quote=True)}">{_LINKS[Path(f).suffix]}</a>'
                       for f in files)
    segment = safe_label(segment_label(run["segment"])) if run.get("segment") else "all customers"
    n = head.get("n")
    return (f"<tr><td>{html.escape(str(run.get('month') or 'one wave'))}</td><td>{html.escape(segment)}</td>"
            f"<td class='num'>{html.escape(_score(head))}{' (small base)' if head.get('small_base') else ''}</td>"
            f"<td class='num'>{_change(head)}</td><td class='num'>{'' if n is None else f'{n:,}'}</td>"
            f"<td>{links}</td></tr>")


def _write_index(root: Path) -> Path:
    runs = read_runs(root)
    rows = [_row(run) for run in runs]
    path = root / "index.html"
    tmp = root / f".index-{secrets.token_hex(4)}.html"
    tmp.write_text(_PAGE.format(count=len(rows), rows="\n".join(rows), trends=_trends(runs)), encoding="utf-8")
    tmp.replace(path)
    return path
