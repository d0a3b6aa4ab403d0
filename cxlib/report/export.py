"""From an executed notebook to the report's HTML: export without code, a table of contents, and the
check that the page loads nothing from elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import ReportError

__all__ = ["check_offline", "export_html"]


def export_html(nb_path: Path, template_dir: Path, *, title: str = "CX report") -> str:
    """The executed notebook as the report's HTML: no code, no stderr, no error output, a table of
    contents, and ``title`` as the page's ``<title>``."""
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
    exporter = HTMLExporter(template_name="cx_report", extra_template_basedirs=[str(template_dir)])
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


#: Markup that would make the page load something from elsewhere: checked in real tags and style sheets
#: only. Customer text is escaped before it reaches the page, so "@import" or "src=http..." written in
#: a comment is text, not markup, and does not count.
_TAG = re.compile(r"<[A-Za-z][^<>]*>")
_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style>", flags=re.S | re.I)
_EXTERNAL_ATTR = re.compile(r'<script[^>]*\bsrc=|\b(?:src|href|srcset|action|data)\s*=\s*["\']?\s*(?:https?:)?//',
                            re.I)
_EXTERNAL_CSS = re.compile(r"@import|url\(\s*[\"']?\s*(?:https?:)?//", re.I)


def check_offline(html: str, where: Path) -> None:
    """Raise ReportError when the page would load anything from elsewhere (real markup only).

    Examples
    --------
    >>> check_offline('<p>a comment: @import url(https://x) &lt;img src=http://x&gt;</p>', Path('r'))
    >>> check_offline('<img src="https://x/a.png">', Path('r'))
    Traceback (most recent call last):
    ...
    cxlib.errors.ReportError: r: the exported HTML would load external resources (['src="https://'])
    """
    tags = [t.group(0) for t in _TAG.finditer(html)]
    bad = [m.group(0) for tag in tags for m in [_EXTERNAL_ATTR.search(tag)] if m]
    bad += [m.group(0) for css in _STYLE.finditer(html) for m in [_EXTERNAL_CSS.search(css.group(1))] if m]
    bad += [m.group(0) for tag in tags if "style=" in tag.lower() for m in [_EXTERNAL_CSS.search(tag)] if m]
    if bad:
        raise ReportError(f"{where}: the exported HTML would load external resources ({bad[:3]})")
