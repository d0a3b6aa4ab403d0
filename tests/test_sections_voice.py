"""The voice section's theme charts: costs and praise apart, never a one-bar chart."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from types import SimpleNamespace  # noqa: E402

import pandas as pd  # noqa: E402

from cxlib.report.sections.voice import _theme_charts  # noqa: E402

SCOPE = SimpleNamespace(label=lambda name: name.capitalize())


def _impact(diffs):
    n = len(diffs)
    return pd.DataFrame({"theme": [f"t{i}" for i in range(n)], "diff": diffs,
                         "diff_ci_low": [d - 5 for d in diffs], "diff_ci_high": [d + 5 for d in diffs],
                         "points_lost": [max(-d / 10, 0.2) for d in diffs],
                         "points_lost_ci_low": 0.1, "points_lost_ci_high": 9.0})


def test_costs_and_praise_are_two_charts():
    parts = _theme_charts(SCOPE, _impact([-40.0, -30.0, 20.0, 35.0]), "NPS", "points")
    assert [p.count("cx-chart") for p in parts] == [1, 1]
    assert "lost" in parts[0] and "higher NPS" in parts[1]


def test_one_theme_of_a_kind_is_a_sentence_not_a_chart():
    parts = _theme_charts(SCOPE, _impact([-40.0, -30.0, 20.0]), "NPS", "points")
    assert [p.count("cx-chart") for p in parts] == [1, 0]
    assert "One theme lifts NPS: T2" in parts[1]
