"""The report as a PowerPoint deck: a title slide, the story, then one slide per section with native,
editable charts (python-pptx chart data, never pictures) and tables, the method in the speaker notes.

Every number comes from the kernel's result set (``results.json``): the deck is a view of it, like
``run.json`` and the index, and never recomputes. Texts were redacted by the kernel; python-pptx
escapes them as XML text, so a segment value cannot become markup. ``report: {pptx_template: file.pptx}``
uses a company template's masters (its first layout for the title, its second for content).
"""

from __future__ import annotations

from pathlib import Path

from .formats import score_format

__all__ = ["METHOD", "write_deck"]

#: The method, in the speaker notes of the slides that need it (the body keeps plain words).
METHOD = {
    "scores": "Each score has a 95% interval: the range that contains the true score in 95 surveys out of "
              "100. A change is called real when a two-sided test of the difference from the previous month "
              "gives p < 0.05; otherwise it is within noise.",
    "changes": "Every segment value is compared with its own average over the previous three months; with "
               "many comparisons a Holm adjustment keeps the chance of any false alarm under 5%.",
    "drivers": "Importance is each driver's share of the explained variation in the score (a Shapley "
               "decomposition of R squared), with 95% intervals from bootstrap resamples.",
    "money": "Revenue at risk is each current customer's churn probability from a model trained on past "
             "churn, times their annual revenue, summed, with a 95% interval.",
}


def _new(template) -> object:
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation(str(template)) if template else Presentation()
    if not template:
        prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    return prs


def _slide(prs, title: str, notes: str = "", layout: int = 5):
    """A slide with a title (layout 5, "Title Only", in the default master) and speaker notes."""
    slide = prs.slides.add_slide(prs.slide_layouts[min(layout, len(prs.slide_layouts) - 1)])
    if slide.shapes.title is not None:
        slide.shapes.title.text = title
    if notes:
        slide.notes_slide.notes_text_frame.text = notes
    return slide


def _box(prs, slide, lines: list[str], *, top: float = 1.5, size: int = 20):
    from pptx.util import Inches, Pt

    box = slide.shapes.add_textbox(Inches(0.6), Inches(top), prs.slide_width - Inches(1.2), Inches(5))
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.text = line
        para.font.size = Pt(size)
        para.space_after = Pt(10)
    return box


def _table(prs, slide, header: list[str], rows: list[list[str]], *, top: float = 1.4):
    from pptx.util import Inches, Pt

    width = prs.slide_width - Inches(1.2)
    shape = slide.shapes.add_table(len(rows) + 1, len(header), Inches(0.6), Inches(top), width,
                                   Inches(0.4) * (len(rows) + 1))
    for r, values in enumerate([header, *rows]):
        for c, value in enumerate(values):
            cell = shape.table.cell(r, c)
            cell.text = str(value)
            cell.text_frame.paragraphs[0].font.size = Pt(14)
    return shape


def _chart(prs, slide, kind: str, categories: list[str], series: dict, *, top: float = 1.4, number_format="0",
           height: float = 5.5):
    """A native chart: one axis, a legend only with more than one series."""
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.util import Inches

    data = CategoryChartData(number_format=number_format)
    data.categories = categories
    for name, values in series.items():
        data.add_series(name, values)
    chart_type = {"line": XL_CHART_TYPE.LINE_MARKERS, "bar": XL_CHART_TYPE.BAR_CLUSTERED,
                  "stacked": XL_CHART_TYPE.BAR_STACKED_100}[kind]
    chart = slide.shapes.add_chart(chart_type, Inches(0.6), Inches(top), prs.slide_width - Inches(1.2),
                                   Inches(height), data).chart
    chart.has_legend = len(series) > 1
    if chart.has_legend:
        chart.legend.position, chart.legend.include_in_layout = XL_LEGEND_POSITION.BOTTOM, False
    if kind == "bar":
        chart.plots[0].has_data_labels = True
        chart.plots[0].data_labels.number_format, chart.plots[0].data_labels.number_format_is_linked = number_format, False
    return chart


def _scores_slide(prs, results: dict) -> None:
    from pptx.dml.color import RGBColor

    rows = []
    for metric, s in results["scores"].items():
        if not s or s.get("value") is None:
            continue
        fmt = score_format(metric)
        change = "no comparison" if s.get("diff") is None else (
            f"{fmt.change(s['diff'])} vs {s['baseline']} ({'real' if s['significant'] else 'within noise'})")
        rows.append([s.get("label", metric), fmt.value(s["value"]), fmt.interval(s["ci_low"], s["ci_high"]),
                     f"{s['n']:,}", change])
    slide = _slide(prs, f"Headline, {results['period']}", METHOD["scores"])
    _table(prs, slide, ["Score", "Value", "95% interval", "Answers", "Change"], rows)
    mix = (results["scores"].get("nps") or {}).get("mix")
    if mix:
        chart = _chart(prs, slide, "stacked", ["NPS answers"],
                       {k.capitalize(): [mix[k] / 100] for k in ("detractors", "passives", "promoters")},
                       top=1.9 + 0.6 * (len(rows) + 1), height=1.8, number_format="0%")
        chart.has_title = False
        for series, colour in zip(chart.plots[0].series, ("D55E00", "8A8A8A", "0072B2")):
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = RGBColor.from_string(colour)


def _trend_slide(prs, results: dict) -> None:
    primary = results["primary"]
    s = results["scores"].get(primary) or {}
    points = [p for p in s.get("trend", []) if p["value"] is not None]
    if len(points) < 2:
        return
    fmt = score_format(primary)
    notes = METHOD["scores"] + " Months with fewer than the minimum base are left out of the line."
    slide = _slide(prs, f"{s.get('label', primary)} by month", notes)
    shown = [None if p["small_base"] else p["value"] for p in points]
    _chart(prs, slide, "line", [p["month"] for p in points], {s.get("label", primary): shown},
           number_format="0%" if fmt.percent else "0")


def _changes_slide(prs, results: dict) -> None:
    changes = results.get("changes")
    if not changes:
        return
    fmt = score_format(results["primary"])
    rows = [[f"{r['dimension']}: {r['segment']}", fmt.value(r["previous"]), fmt.value(r["current"]),
             fmt.change(r["diff"]), fmt.change_interval(r["ci_low"], r["ci_high"])] for r in changes["significant"][:8]]
    slide = _slide(prs, "What changed for real", METHOD["changes"] + f" {changes['tested']} segments were tested.")
    if rows:
        _table(prs, slide, ["Segment", "Before", "Now", "Change", "95% interval of the change"], rows)
    else:
        _box(prs, slide, [f"No real change among the {changes['tested']} segments tested."])


def _drivers_slide(prs, results: dict) -> None:
    drivers = results.get("drivers")
    if not drivers or not drivers.get("importance"):
        return
    imp = sorted(drivers["importance"], key=lambda r: r["share"] or 0)
    slide = _slide(prs, f"What drives {results['scores'][results['primary']].get('label', results['primary'])}",
                   METHOD["drivers"] + f" Period {drivers['period']}, n = {drivers['n']:,}.")
    chart = _chart(prs, slide, "bar", [r.get("label", r["driver"]) for r in imp],
                   {"Share of explained variation": [r["share"] for r in imp]}, number_format="0%")
    chart.value_axis.maximum_scale = 1.0 if max(r["share"] or 0 for r in imp) > 0.5 else 0.5
    chart.value_axis.tick_labels.number_format, chart.value_axis.tick_labels.number_format_is_linked = "0%", False


def _money_slide(prs, results: dict) -> None:
    money = results.get("money")
    if not money or money.get("expected_loss") is None:
        return
    from .html import fmt_money

    cur = money.get("symbol") or money.get("currency") or ""
    lines = [f"Annual revenue at risk from churn: {fmt_money(money['expected_loss'], cur)} "
             f"({fmt_money(money['loss_ci_low'], cur)} to {fmt_money(money['loss_ci_high'], cur)}).",
             f"That is {money['share_at_risk']:.1%} of the revenue of current customers."]
    _box(prs, _slide(prs, "Revenue at risk", METHOD["money"]), lines)


def write_deck(results: dict, path: Path, *, title: str, template=None) -> Path:
    """Write the deck of ``results`` (the kernel's result set) to ``path``.

    Parameters
    ----------
    results : dict
        The result set (:func:`cxlib.report.sections.result_set`).
    path : pathlib.Path
    title : str
        The report's title (month and segment).
    template : path, optional
        A ``.pptx`` whose masters and layouts the deck uses.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    prs = _new(template)
    first = _slide(prs, title, layout=0)
    if len(first.placeholders) > 1:
        first.placeholders[1].text = (f"{results.get('period', '')} · {results.get('responses', 0):,} responses"
                                      f" · data to {results.get('data_date') or 'n/a'}")
    if results.get("story"):
        _box(prs, _slide(prs, "The story", METHOD["scores"]), results["story"], size=18)
    if results.get("scores"):
        _scores_slide(prs, results)
        _trend_slide(prs, results)
    for add in (_changes_slide, _drivers_slide, _money_slide):
        add(prs, results)
    if results.get("left_out"):
        _box(prs, _slide(prs, "Left out this month"), [f"{k}: {v}" for k, v in results["left_out"].items()])
    prs.save(str(path))
    return path
