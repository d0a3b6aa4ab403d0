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


def _comments_frame() -> pd.DataFrame:
    """September and October: 20 promoters praising, 20 detractors waiting on hold for support, each month."""
    rows = []
    for month in ("2026-09", "2026-10"):
        rows += [{"responded_at": pd.Timestamp(f"{month}-10"), "nps": 10.0, "comment": f"Great app, love it {i}"}
                 for i in range(20)]
        rows += [{"responded_at": pd.Timestamp(f"{month}-12"), "nps": 2.0,
                  "comment": f"Waited an hour on hold for support {i}"} for i in range(20)]
    return pd.DataFrame(rows)


def test_one_annotation_serves_the_notebook_and_the_report_section(make_scope, monkeypatch):
    from pathlib import Path

    from cxlib import comments
    from cxlib.report import sections

    scope = make_scope(_comments_frame(), month="2026-10", min_n=10)
    scope.cfg.codebook = Path("data/sample/codebook.yml").resolve()
    calls, real = [], comments.annotate_comments
    monkeypatch.setattr(comments, "annotate_comments", lambda data, *a, **k: calls.append(len(data)) or real(data, *a, **k))
    every = sections.theme_results(scope, every_month=True)        # the notebook: every month, once
    month = sections.theme_results(scope)                          # what the voice section and the story read
    assert calls == [80] and month["now"] is every["now"] and len(every["every"]) == 80
    slow = month["impact"].set_index("theme").loc["slow_support"]
    # by hand: October's 20 slow-support comments are all detractors (NPS -100), the other 20 promoters (+100)
    assert (slow["n_mention"], slow["score_with"], slow["score_without"]) == (20, -100.0, 100.0)


def test_theme_results_take_the_notebooks_codebook(make_scope, tmp_path):
    from cxlib.report import sections

    book = tmp_path / "praise.yml"
    book.write_text("version: 1\nthemes:\n  praise:\n    description: Praise.\n    polarity: positive\n"
                    "    include:\n      - \\bgreat\\b\n", encoding="utf-8")
    scope = make_scope(_comments_frame(), month="2026-10", min_n=10)
    own = sections.theme_results(scope, codebook=book)
    # the notebook's codebook, not the config's (none here): one theme, praise, said by October's 20 promoters
    assert list(own["impact"]["theme"]) == ["praise"] and own["impact"]["n_mention"].iloc[0] == 20
    assert own["codebook"] == book and sections.theme_results(scope)["impact"] is None   # the config's: no codebook
    assert "Praise" in sections.voice(scope, codebook=book)
