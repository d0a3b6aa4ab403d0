"""Tests for cxlib.plots.comments: each chart draws what its table says and returns the Axes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from cxlib.plots import PALETTE, SIGN_COLORS  # noqa: E402
from cxlib.plots.comments import (plot_codebook_accuracy, plot_sentiment_trend, plot_theme_impact,  # noqa: E402
                              plot_theme_volumes)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_theme_impact_bars_lengths_colours_and_errors():
    t = pd.DataFrame({"theme": ["slow", "rude", "price"], "points_lost": [3.0, 1.0, 0.5],
                      "points_lost_ci_low": [2.5, 0.5, 0.1], "points_lost_ci_high": [3.5, 1.5, 0.9],
                      "small_base": [False, True, False]})
    fig, ax = plt.subplots()
    assert plot_theme_impact(t, ax=ax) is ax
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths == [0.5, 1.0, 3.0]
    colours = {to_hex(p.get_facecolor()) for p in ax.patches}
    assert SIGN_COLORS["-"].lower() in colours and "#bbbbbb" in colours  # small base greyed


def test_theme_volumes_one_line_per_hue():
    t = pd.DataFrame({"period": list(pd.period_range("2026-08", periods=3, freq="M")) * 2,
                      "theme": ["a"] * 3 + ["b"] * 3, "share": [0.1, 0.2, 0.3, 0.3, 0.2, 0.1],
                      "ci_low": [0.0] * 6, "ci_high": [0.5] * 6})
    ax = plot_theme_volumes(t)
    assert [to_hex(line.get_color()) for line in ax.get_lines()] == [c.lower() for c in PALETTE[:2]]
    assert list(ax.get_lines()[1].get_ydata()) == [0.3, 0.2, 0.1]


def test_sentiment_trend_two_panels_one_axis_each():
    t = pd.DataFrame({"period": pd.period_range("2026-08", periods=3, freq="M"),
                      "compound_mean": [0.1, 0.0, -0.1], "compound_ci_low": [0, -0.1, -0.2],
                      "compound_ci_high": [0.2, 0.1, 0.0], "score": [20.0, 10.0, 5.0],
                      "score_ci_low": [15.0, 5, 0], "score_ci_high": [25.0, 15, 10]})
    ax = plot_sentiment_trend(t)
    fig = ax.figure
    assert len(fig.axes) == 2
    top, bottom = fig.axes
    # a twin axis would share its panel's box: two panels have two distinct boxes, one y axis each
    assert top.get_position().bounds != bottom.get_position().bounds
    assert list(bottom.get_lines()[0].get_ydata()) == [20.0, 10.0, 5.0]
    assert list(top.get_lines()[0].get_ydata()) == [0.1, 0.0, -0.1]
    assert any("zoomed" in t.get_text() for t in top.texts)       # sentiment's -1..+1 scale is not shown whole


def test_sentiment_trend_on_one_given_axes_draws_sentiment_only():
    t = pd.DataFrame({"period": pd.period_range("2026-08", periods=2, freq="M"),
                      "compound_mean": [0.1, 0.0], "score": [20.0, 10.0]})
    fig, ax = plt.subplots()
    assert plot_sentiment_trend(t, ax=ax) is ax
    assert len(fig.axes) == 1 and len(ax.get_lines()) == 1


def test_praise_drawn_as_gain_in_the_sign_colour():
    t = pd.DataFrame({"theme": ["great support", "easy"], "diff": [40.0, 20.0], "diff_ci_low": [30.0, 5.0],
                      "diff_ci_high": [50.0, 35.0]})
    ax = plot_theme_impact(t, x="diff", ci=("diff_ci_low", "diff_ci_high"))
    assert {to_hex(p.get_facecolor()) for p in ax.patches} == {SIGN_COLORS["+"].lower()}
    assert sorted(p.get_width() for p in ax.patches) == [20.0, 40.0]


def test_codebook_accuracy_points():
    t = pd.DataFrame({"theme": ["a", "b"], "precision": [0.9, 1.0], "precision_ci_low": [0.8, 0.9],
                      "precision_ci_high": [0.95, 1.0], "recall": [0.7, 0.5], "recall_ci_low": [0.6, 0.3],
                      "recall_ci_high": [0.8, 0.7]})
    ax = plot_codebook_accuracy(t)
    assert [tick.get_text() for tick in ax.get_yticklabels()] == ["a", "b"]
