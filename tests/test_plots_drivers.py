"""Tests for cxlib.plots.drivers: axes in %, honest limits, legends only for what is drawn."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from cxlib.plots import plot_importance, plot_importance_performance  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _legend_labels(ax) -> list[str]:
    legend = ax.get_legend()
    return [] if legend is None else [t.get_text() for t in legend.get_texts()]


def _importance(signs):
    return pd.DataFrame({"driver": list("abc"), "share": [0.35, 0.4, 0.25], "sign": signs,
                         "share_ci_low": [0.3, 0.35, 0.2], "share_ci_high": [0.4, 0.45, 0.3]})


def test_importance_axis_in_percent_and_bars_labelled():
    ax = plot_importance(_importance(["+", "+", "+"]))
    fmt = ax.xaxis.get_major_formatter()
    assert fmt(0.35, 0) == "35%" and fmt(0.1, 0) == "10%"
    assert sorted(t.get_text() for t in ax.texts) == ["25%", "35%", "40%"]
    assert ax.get_xlim()[0] == 0
    assert len(ax.figure.axes) == 1


@pytest.mark.parametrize("signs, drawn", [(["+", "+", "+"], 1), (["+", "-", "+"], 2)])
def test_importance_legend_only_for_signs_drawn(signs, drawn):
    ax = plot_importance(_importance(signs))
    labels = _legend_labels(ax)
    assert len(labels) == drawn == len(set(signs))
    assert ("rating goes with a lower score" in labels) == ("-" in signs)


def _ipa(performance, quadrants):
    n = len(performance)
    return pd.DataFrame({"driver": [f"d{i}" for i in range(n)], "share": [0.35, 0.18, 0.13, 0.1, 0.07][:n],
                         "performance": performance, "performance_ci_low": [p - 0.04 for p in performance],
                         "performance_ci_high": [p + 0.04 for p in performance], "importance_cut": 0.125,
                         "performance_cut": 3.38, "quadrant": quadrants})


def test_ipa_narrow_ratings_zoom_is_stated():
    # ratings 3.31..3.41 with intervals 3.27..3.45: zoomed to 0.05 steps around them, 3.25 to 3.45 (by hand)
    t = _ipa([3.31, 3.38, 3.39, 3.40, 3.41], ["fix first", "keep", "keep", "maintain", "maintain"])
    ax = plot_importance_performance(t, scale=(1, 5))
    assert ax.get_xlim() == pytest.approx((3.25, 3.45))
    assert "axis zoomed to 3.25–3.45 of 1 to 5" in ax.get_xlabel()
    assert ax.get_ylim()[0] == 0 and ax.yaxis.get_major_formatter()(0.35, 0) == "35%"
    assert len(ax.figure.axes) == 1


def test_ipa_wide_ratings_use_the_whole_scale():
    t = _ipa([1.5, 2.5, 3.5, 4.5], ["fix first", "keep", "maintain", "maintain"])
    ax = plot_importance_performance(t, scale=(1, 5))
    assert ax.get_xlim() == (1, 5)
    assert "zoomed" not in ax.get_xlabel()


def test_ipa_without_scale_states_its_range():
    t = _ipa([3.31, 3.38, 3.39, 3.40, 3.41], ["fix first", "keep", "keep", "maintain", "maintain"])
    assert "axis zoomed to 3.25–3.45" in plot_importance_performance(t).get_xlabel()


def test_ipa_legend_lists_the_quadrants_drawn():
    t = _ipa([3.31, 3.38, 3.39, 3.40], ["fix first", "keep", "keep", "keep"])
    assert _legend_labels(plot_importance_performance(t)) == ["fix first", "keep"]
