"""Publishing: the finished build moved into place atomically, and ``reports/index.html`` rebuilt."""

from __future__ import annotations

import html
import json
import os
import shutil
from pathlib import Path

__all__ = ["publish", "write_index"]


def publish(tmp: Path, final: Path) -> None:
    """Move the finished build ``tmp`` to ``final``; the old report is removed only after the new one is there.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / "new").mkdir(); _ = (root / "new" / "a.html").write_text("new")
    >>> publish(root / "new", root / "2026-10"); (root / "2026-10" / "a.html").read_text()
    'new'
    """
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

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>CX reports</title>
<style>
body {{ font: 15px/1.5 -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1f2933;
  max-width: 800px; margin: 0 auto; padding: 1rem; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #d9e2ec; padding: .35rem .6rem; text-align: left; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
</style></head>
<body><h1>CX reports</h1>
<p>{count} report(s). Each folder also holds <code>run.json</code> (parameters, data checksums, versions).</p>
<table><thead><tr><th>Month</th><th>Segment</th><th>Score</th><th>n</th><th>Report</th></tr></thead>
<tbody>
{rows}
</tbody></table></body></html>
"""


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
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_index(folder).name
    'index.html'
    """
    root = Path(reports_dir)
    rows = []
    for run_file in sorted(root.glob("*/run.json"), reverse=True):
        if run_file.parent.name.startswith(("_", ".")):
            continue
        try:
            run = json.loads(run_file.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        head = run.get("headline") or {}
        value, score = head.get("value"), str(head.get("score") or "")
        link = f"{run_file.parent.name}/{run.get('report', '')}.html"
        rows.append(
            "<tr><td>{m}</td><td>{s}</td><td class='num'>{nps}</td><td class='num'>{n}</td>"
            "<td><a href='{href}'>{label}</a></td></tr>".format(
                m=html.escape(str(run.get("month") or "one wave")),
                s=html.escape(str(run.get("segment") or "all customers")),
                nps="–" if value is None else html.escape(f"{score.upper()} {value:.3g}"),
                n=html.escape(str(head.get("n", ""))),
                href=html.escape(link, quote=True),
                label=html.escape(str(run.get("report", ""))),
            )
        )
    path = root / "index.html"
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(_PAGE.format(count=len(rows), rows="\n".join(rows)), encoding="utf-8")
    tmp.replace(path)
    return path
