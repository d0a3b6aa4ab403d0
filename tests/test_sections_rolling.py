"""The report's rolling trend (report: {rolling: k}): the points are scores.rolling's, and it says so."""

from __future__ import annotations

import re
from html import unescape

import numpy as np
import pandas as pd
import pytest

from cxlib import scores
from cxlib.report import sections


def text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def small_months():
    # eight months of 12-25 answers each: too few to read a month alone, enough in three
    rng = np.random.default_rng(11)
    parts = []
    for i, month in enumerate(pd.period_range("2026-03", "2026-10", freq="M")):
        k = int(rng.integers(12, 26))
        parts.append(pd.DataFrame({"responded_at": month.to_timestamp() + pd.Timedelta(days=3),
                                   "nps": rng.choice([0.0, 5.0, 8.0, 9.0, 10.0], k, p=[.1, .1, .2, .3, .3])}))
    return pd.concat(parts, ignore_index=True)


def test_rolling_trend_points_are_scores_rolling(make_scope, small_months):
    scope = make_scope(small_months, month="2026-10", rolling=3)
    html = str(sections.trends(scope, months=6))
    out = text(html)
    assert 'alt="NPS, rolling 3-month windows (each point: the 3 months ending that month)' in html
    assert "share 2 months of answers" in out
    kept = pd.DataFrame(scope.tables["trend_rolling"]["rows"]).set_index("period")
    # independently: scores.rolling on the whole frame (windows ending May–Oct need Mar–Oct)
    ref = scores.rolling(small_months, window=3, metric="nps", min_n=30)
    ref = ref.assign(period=ref["period"].astype(str)).set_index("period")
    assert list(kept.index) == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    for col in ("nps", "n", "ci_low", "ci_high", "diff_previous", "se_previous", "shared_previous"):
        np.testing.assert_allclose(kept[col].astype(float), ref.loc[kept.index, col].astype(float), atol=1e-6,
                                   err_msg=col)   # the kept table rounds to 6 digits
    # by hand: the window ending October pools August–October
    aug_oct = small_months[small_months["responded_at"] >= "2026-08-01"]["nps"]
    assert kept.loc["2026-10", "n"] == len(aug_oct)
    assert kept.loc["2026-10", "nps"] == pytest.approx(100 * ((aug_oct >= 9).mean() - (aug_oct <= 6).mean()))
    assert "Trend: rolling 3-month windows" in scope.methods["trend"]
    assert "Latest window (Aug–Oct 2026) against the one before" in out


def test_without_rolling_the_trend_is_monthly(make_scope, small_months):
    scope = make_scope(small_months, month="2026-10")
    out = str(sections.trends(scope, months=6))
    assert "rolling" not in out and "trend_rolling" not in scope.tables and "trend" not in scope.methods


def test_rolling_chart_title_fits_in_the_figure(make_scope, small_months, monkeypatch):
    # found rendering the sample with report.rolling = 3: the one-line title ran past the figure's right
    # edge ("... (hollow: fewer than 30 ans"); every title line must end inside the figure
    from cxlib.report import html as h
    seen = []
    real = h.figure
    monkeypatch.setattr(h, "figure", lambda fig, **kw: (seen.append(fig), real(fig, **kw))[1])
    scope = make_scope(small_months, month="2026-10", rolling=3)
    sections.trends(scope, months=6)
    fig = seen[0]
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    renderer = FigureCanvasAgg(fig).get_renderer()
    title = fig.axes[0].title
    assert "hollow" in title.get_text()
    assert title.get_window_extent(renderer).x1 <= fig.bbox.x1


def test_too_few_months_for_rolling_falls_back_to_the_monthly_trend(make_scope, small_months):
    # found rendering examples/mobiles.yml (two months of data) with report.rolling = 3: the section held only
    # "no rolling trend yet" and no chart at all, while the monthly trend (two points) was there to draw.
    # Two months (Sep, Oct) hold no 3-month window pair; the monthly chart must be drawn and the reason said.
    two = small_months[small_months["responded_at"] >= "2026-09-01"]
    scope = make_scope(two, month="2026-10", rolling=3)
    html = str(sections.trends(scope, months=6))
    out = text(html)
    assert "Fewer than 4 months of data" in out and "shown by month" in out
    assert 'alt="NPS by month, Sep–Oct 2026' in html and "trend_rolling" not in scope.tables
