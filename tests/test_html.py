"""Formatting and escaping for the report."""

from __future__ import annotations

import base64

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from cxlib.report import html as nv  # noqa: E402

EVIL = ['<script>alert(1)</script>', '<img src=x onerror="alert(1)">', '[x](javascript:alert(1))']


def test_everything_customer_written_is_escaped():
    html = nv.quotes(EVIL) + nv.table(pd.DataFrame({"<th>": EVIL})) + nv.bullets(EVIL) + \
        nv.cards([{"label": EVIL[0], "value": EVIL[1], "details": EVIL}])
    assert "<script" not in html and "<img" not in html and "<th>" not in html.replace("<th>&lt;th&gt;</th>", "")
    assert html.count("&lt;script&gt;") >= 4


def test_number_formats():
    assert nv.fmt_score(float("nan")) == "–"
    assert nv.fmt_ci(-0.4, 50.6) == "-0 to +51"
    assert nv.fmt_change(50.0, 0.0070, True) == "+50 pts (real change, p = 0.007)"
    assert nv.fmt_change(-3.2, 0.4, False) == "-3 pts (within noise)"
    assert nv.fmt_change(float("nan"), None, False) == "no comparison (no data)"
    assert nv.fmt_score(0.6667, percent=True, signed=False) == "67%"


def _chart():
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([1, 2, 3], [3, 1, 2])
    return fig


def test_figures_are_embedded_and_reproducible():
    a, b = nv.figure(_chart(), alt="x"), nv.figure(_chart(), alt="x")
    assert a == b and 'src="data:image/svg+xml;base64,' in a and 'alt="x"' in a
    svg = base64.b64decode(a.split("base64,")[1].split('"')[0]).decode()
    # vector, text kept as text (searchable in the PDF), no date: the same chart gives the same bytes
    assert svg.count("<path") > 0 and "<image" not in svg and "<dc:date>" not in svg
    assert plt.get_fignums() == []  # closed after embedding


def test_safe_label_redacts_and_escapes_data_values():
    shown = nv.note("Segment: " + nv.safe_label("<b>jo@example.com</b>"))
    assert "jo@example.com" not in shown and "<b>" not in shown and "[EMAIL]" in shown
