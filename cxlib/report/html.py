"""The report's HTML kit: escaping, numbers formatted with their uncertainty, cards, tables, figures.

Everything a customer wrote passes through :func:`escape` (after redaction) before it reaches HTML;
numbers are formatted here so every section says "score (95% CI low to high, n = ...)" the same way.
"""

from __future__ import annotations

import base64
import html
import io
import math

import pandas as pd

from .._format import fmt_money
from ..comments import redact, redact_text

__all__ = ["Html", "bullets", "cards", "escape", "figure", "fmt_change", "fmt_ci", "fmt_money", "fmt_p", "fmt_score", "heading",
           "note", "quotes", "safe_label", "sparkline", "table", "to_html_safe", "verdict"]


class Html(str):
    """A string of trusted, already-escaped HTML that Jupyter displays as HTML."""

    def _repr_html_(self):
        return str(self)

    def __add__(self, other):
        return Html(str(self) + str(other))


def escape(text) -> str:
    """Redact personal data (e-mails, URLs, phones, cards, IBANs; names are left to the analyses) and
    HTML-escape (quotes included) text that may be untrusted; None/NaN become an empty string.

    Every string the kit places in the report passes through here: segment values, theme and driver
    names, table cells and sentences, so a customer-supplied value cannot carry personal data or markup
    into the HTML.

    Examples
    --------
    >>> escape('<img src=x onerror="alert(1)">'), escape("region: jo@example.com")
    ('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;', 'region: [EMAIL]')
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return html.escape(redact_text(str(text), names_too=False), quote=True)


def fmt_score(value, *, digits: int = 0, signed: bool = True, percent: bool = False) -> str:
    """Format a score; NaN becomes an en dash.

    Examples
    --------
    >>> fmt_score(12.34), fmt_score(-3.0), fmt_score(0.8123, percent=True, signed=False, digits=0)
    ('+12', '-3', '81%')
    """
    if value is None or pd.isna(value):
        return "–"
    if percent:
        value = 100 * value
    text = f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"
    return text + ("%" if percent else "")


def fmt_ci(low, high, **kwargs) -> str:
    """Format a confidence interval as "low to high".

    Examples
    --------
    >>> fmt_ci(29.3, 39.1)
    '+29 to +39'
    """
    return f"{fmt_score(low, **kwargs)} to {fmt_score(high, **kwargs)}"


def fmt_change(diff, p_value, significant, *, unit: str = "pts", digits: int = 0) -> str:
    """A change with its verdict: "−12 pts (real, p = 0.003)" or "+2 pts (within noise)".

    Examples
    --------
    >>> fmt_change(-12.4, 0.003, True)
    '-12 pts (real change, p = 0.003)'
    >>> fmt_change(2.0, 0.41, False)
    '+2 pts (within noise)'
    """
    if diff is None or pd.isna(diff):
        return "no comparison (no data)"
    verdict = f"real change, {fmt_p(p_value)}" if significant else "within noise"
    return f"{fmt_score(diff, digits=digits)} {unit} ({verdict})"


def fmt_p(p_value) -> str:
    """A p-value as people read it: "p = 0.03", "p < 0.001" (never 3.1e-12).

    Examples
    --------
    >>> fmt_p(3.1e-12), fmt_p(0.0312), fmt_p(0.2)
    ('p < 0.001', 'p = 0.031', 'p = 0.20')
    """
    if p_value is None or pd.isna(p_value):
        return "p not computed"
    if p_value < 0.001:
        return "p < 0.001"
    return f"p = {p_value:.3f}" if p_value < 0.1 else f"p = {p_value:.2f}"


def cards(items: list[dict]) -> Html:
    """KPI cards: each item has ``label``, ``value`` and ``details`` (list of lines) and optional ``tone``
    ("up", "down", "flat") and ``sparkline`` (from :func:`sparkline`). Every text field is escaped.

    Examples
    --------
    >>> "cx-card" in cards([{"label": "NPS", "value": "+21", "details": ["n = 1,050"]}])
    True
    """
    out = ['<div class="cx-cards">']
    for item in items:
        tone = {"up": "cx-up", "down": "cx-down"}.get(item.get("tone"), "")
        lines = "".join(f'<div class="cx-detail">{escape(d)}</div>' for d in item.get("details", []))
        spark = (item.get("sparkline") or "") + _mix_bar(item.get("mix"))   # trusted SVG / numbers only
        out.append(f'<div class="cx-card"><div class="cx-label">{escape(item["label"])}</div>'
                   f'<div class="cx-value {tone}">{escape(item["value"])}</div>{spark}{lines}</div>')
    out.append("</div>")
    return Html("".join(out))


def _mix_bar(mix: dict | None) -> str:
    """NPS's answer mix as one 100% bar: detractors, passives, promoters (shares in %), with its words."""
    if not mix:
        return ""
    colours = {"detractors": "var(--down)", "passives": "var(--noise)", "promoters": "var(--up)"}
    parts = "".join(f'<span style="width:{mix[k]:.1f}%;background:{colours[k]}"></span>' for k in colours)
    words = " · ".join(f"{mix[k]:.0f}% {k}" for k in colours)
    return f'<div class="cx-mix" role="img" aria-label="{escape(words)}">{parts}</div><div class="cx-detail">{escape(words)}</div>'


def sparkline(values, *, label: str, width: int = 160, height: int = 32, low=None, high=None) -> Html:
    """A small inline SVG line of a series (gaps where a value is missing), with its text alternative.

    Parameters
    ----------
    values : sequence of float
        Oldest first; NaN leaves a gap.
    label : str
        What the line shows, with its key number (read by screen readers; escaped).
    width, height : int
    low, high : float, optional
        The vertical range (default the values' own).

    Returns
    -------
    Html
        ``<svg role="img" aria-label=...>``: no script, no external resource.

    Examples
    --------
    >>> sparkline([10, 12, float("nan"), 8], label="NPS, last 4 months: latest +8").startswith('<svg class="cx-spark" role="img"')
    True
    """
    v = pd.Series(list(values), dtype="float64")
    ok = v.dropna()
    if len(ok) < 2:
        return Html("")
    lo = ok.min() if low is None else low
    hi = ok.max() if high is None else high
    span = (hi - lo) or 1.0
    step = (width - 4) / max(len(v) - 1, 1)
    runs, run = [], []
    for i, x in enumerate(v):
        if pd.isna(x):
            runs, run = (runs + [run] if run else runs), []
            continue
        run.append(f"{2 + i * step:.1f},{height - 2 - (x - lo) / span * (height - 4):.1f}")
    runs = runs + [run] if run else runs
    lines = "".join(f'<polyline points="{" ".join(r)}"/>' for r in runs if len(r) > 1)
    return Html(f'<svg class="cx-spark" role="img" aria-label="{escape(label)}" width="{width}" height="{height}" '
                f'viewBox="0 0 {width} {height}"><title>{escape(label)}</title>{lines}</svg>')


def verdict(text: str, tone: str) -> Html:
    """Text in the colour of its verdict: "up" (a real rise), "down" (a real drop) or "noise".

    Examples
    --------
    >>> verdict("a real drop", "down")
    '<span class="cx-down">a real drop</span>'
    """
    css = {"up": "cx-up", "down": "cx-down"}.get(tone, "cx-noise")
    return Html(f'<span class="{css}">{escape(text)}</span>')


def table(data: pd.DataFrame, *, caption: str | None = None) -> Html:
    """An HTML table of already formatted values; headers and cells are escaped.

    Examples
    --------
    >>> "&lt;b&gt;" in table(pd.DataFrame({"a": ["<b>"]}))
    True
    """
    head = "".join(f"<th>{escape(c)}</th>" for c in data.columns)
    rows = "".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>"
                   for row in data.itertuples(index=False))
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return Html(f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")


def bullets(sentences: list[str]) -> Html:
    """An escaped bullet list.

    Examples
    --------
    >>> bullets(["a < b"])
    '<ul><li>a &lt; b</li></ul>'
    """
    return Html("<ul>" + "".join(f"<li>{escape(s)}</li>" for s in sentences) + "</ul>")


def note(text: str) -> Html:
    """A one-line muted note (e.g. a section left out).

    Examples
    --------
    >>> note("No tickets configured.")
    '<p class="cx-note">No tickets configured.</p>'
    """
    return Html(f'<p class="cx-note">{escape(text)}</p>')


def quotes(texts) -> Html:
    """Customer quotes as block quotes; each text is escaped (redact it first).

    Examples
    --------
    >>> quotes(["<script>x</script>"])
    '<blockquote class="cx-quote">&lt;script&gt;x&lt;/script&gt;</blockquote>'
    """
    return Html("".join(f'<blockquote class="cx-quote">{escape(t)}</blockquote>' for t in texts))


def figure(fig, *, alt: str, dpi: int = 96) -> Html:
    """Embed a matplotlib figure as vector graphics (an SVG data URI, text kept as text, deterministic:
    no date, fixed ids) and close it; the PDF prints it sharp at any zoom.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> figure(plt.figure(figsize=(1, 1)), alt="empty").startswith('<img class="cx-chart" alt="empty" style="width: 96px" src="data:image/svg+xml;base64,')
    True
    """
    import matplotlib.pyplot as plt

    _redact_figure(fig)
    buf = io.BytesIO()
    if fig.get_layout_engine() is None:   # one layout pass while drawing (bbox_inches="tight" draws twice)
        fig.set_layout_engine("tight")
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "cx-report"}):
        fig.savefig(buf, format="svg", dpi=dpi, metadata={"Date": None, "Creator": None})
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    width = fig.get_figwidth() * 96
    return Html(f'<img class="cx-chart" alt="{escape(alt)}" style="width: {width:.0f}px" '
                f'src="data:image/svg+xml;base64,{data}">')


def _redact_figure(fig) -> None:
    """Redact the texts drawn in a figure (tick labels of segment values, titles, legends) in place."""
    from matplotlib.text import Text
    from matplotlib.ticker import FixedFormatter, FixedLocator

    for ax in fig.get_axes():
        for axis in (ax.xaxis, ax.yaxis):
            labels = [t.get_text() for t in axis.get_majorticklabels()]
            clean = [redact_text(t, names_too=False) for t in labels]
            if clean != labels:                      # tick labels are re-made at draw time: fix them
                axis.set_major_locator(FixedLocator(axis.get_majorticklocs()))
                axis.set_major_formatter(FixedFormatter(clean))
    for text in fig.findobj(Text):
        shown = text.get_text()
        if shown and redact_text(shown, names_too=False) != shown:
            text.set_text(redact_text(shown, names_too=False))


def safe_label(text) -> str:
    """A value from the customer's data (a segment value, a theme name) redacted of personal data, as
    plain text ready for :func:`escape` or the HTML helpers that escape.

    Examples
    --------
    >>> safe_label("region: jo@example.com")
    'region: [EMAIL]'
    """
    return "" if text is None else redact_text(str(text))


def heading(text: str, level: int = 3) -> Html:
    """An escaped heading.

    Examples
    --------
    >>> heading("Slow <support>")
    '<h3>Slow &lt;support&gt;</h3>'
    """
    return Html(f"<h{level}>{escape(text)}</h{level}>")


#: One-pass translation: HTML specials (as ``html.escape(quote=True)``) and markdown control characters.
_HTML_TABLE = str.maketrans({**{c: html.escape(c, quote=True) for c in "&<>\"'"},
                             **{c: f"&#{ord(c)};" for c in "[]()`*_~|\\{}!#"}})


def to_html_safe(texts) -> pd.Series:
    """Redact, then HTML-escape comments so they can be placed in a report as text, never as markup.

    ``& < > " '`` become entities (``html.escape``), and markdown control characters
    ``[ ] ( ) ` * _ ~ | \\ { } ! #`` become numeric entities, so a comment cannot turn into a tag, a
    script, or a markdown link / image even if the report passes it through a markdown renderer.

    Parameters
    ----------
    texts : Series, list or str

    Returns
    -------
    Series
        ``str`` dtype, same index; missing values stay missing.

    Examples
    --------
    >>> to_html_safe(["<script>alert(1)</script> mail me: a@b.co"]).iloc[0]
    '&lt;script&gt;alert&#40;1&#41;&lt;/script&gt; mail me: &#91;EMAIL&#93;'
    """
    red = redact(texts)
    return red.map(lambda t: t.translate(_HTML_TABLE), na_action="ignore").astype("str")
