"""The report's banner section: static, escaped, the month's scores by segment with letters."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from cxlib import tables
from cxlib.data import as_table, load_config, load_responses, subset
from cxlib.report import sections

EVIL = '<script>window.__pwned = 1</script><img src=x onerror="alert(1)">'
OFFLINE = r"<script[^>]*\bsrc=|(?:src|href)=[\"']https?://|@import|url\(\s*[\"']?https?:"


def test_banner_is_static_escaped_and_shows_the_letters():
    cfg = load_config()
    responses = load_responses(cfg)
    planted = responses.assign(region=responses["region"].replace("EMEA", EVIL))
    out = sections.banner(sections.context(cfg, planted, month="2026-10"))
    assert not re.search(OFFLINE, out, flags=re.I) and "<script" not in out and "<img" not in out
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in out
    # the same letters as the crosstab of the month: the EMEA dip leaves the other regions above it
    xt = tables.crosstab(subset(planted, month="2026-10"), rows=["nps", "csat", "ces"], banner="region",
                         scales=cfg.scales)
    nps = xt[(xt["row"] == "NPS") & (xt["banner"] == "region")]
    assert nps["column"].str.contains("<script").any()
    assert (nps["higher_than"] != "").sum() >= 2
    for v in nps["higher_than"]:
        if v:
            assert f"<sup>{v}</sup>" in out
    assert "Scores by segment, Oct 2026" in out and "Base (n)" in out


def test_banner_without_segments_is_a_note(make_scope):
    df = pd.DataFrame({"responded_at": pd.to_datetime(["2026-10-02"] * 3), "nps": [9.0, 3.0, 10.0],
                       "region": ["A"] * 3})
    out = sections.banner(make_scope(df, month="2026-10", segments=["region"]))
    assert "left out" in out and "<table" not in out


def test_banner_shows_multiple_response_rows_with_their_base_note(make_scope):
    # October, two regions of 40: "Q5_1" chosen by 30 of A's and 10 of B's respondents (75% vs 25%: pooled
    # p = 0.5, z = 0.5/√(0.25·0.05) = 4.47, p < 0.01 -> "B" on A); Q5_2 by 8 and 8 (20% each: no letter)
    n = 40
    df = pd.DataFrame({"responded_at": pd.Timestamp("2026-10-10"), "nps": [9.0] * 2 * n,
                       "region": ["A"] * n + ["B"] * n,
                       "Q5_1": [1.0] * 30 + [0.0] * 10 + [1.0] * 10 + [0.0] * 30,
                       "Q5_2": ([1.0] * 8 + [0.0] * 32) * 2})
    scope = make_scope(df, month="2026-10", segments=["region"])
    scope.cfg.responses.multi = {"reasons": ["Q5_1", "Q5_2"]}
    scope.cfg.labels = {"Q5_1": "Price"}
    out = sections.banner(scope)
    assert "Reasons: Price" in out and "Reasons: Q5 2" in out and "Reasons: any (net)" in out
    assert "75%<sup>B</sup>" in out and "Multiple-response rows: % of the respondents who answered" in out
    kept = pd.DataFrame(scope.tables["banner"]["rows"])
    price = kept[(kept["score"] == "Reasons: Price")].set_index("column")["value"]
    assert price.to_dict() == {"Total": 50.0, "A": 75.0, "B": 25.0}
    assert "Multiple-response rows" in scope.methods["banner"]


def test_banner_redacts_personal_data_in_segment_values_and_keeps_the_others(make_scope):
    # an email typed as a "region" is shown redacted; the plan's plain values (not copied) read as they are
    df = pd.DataFrame({"responded_at": pd.Timestamp("2026-10-10"), "nps": [9.0, 3.0] * 20,
                       "region": ["jo@example.com"] * 20 + ["North"] * 20, "plan": ["Basic", "Pro"] * 20})
    out = sections.banner(make_scope(df, month="2026-10", segments=["region", "plan"]))
    assert "jo@example.com" not in out and "[EMAIL]" in out
    assert "North" in out and "Basic" in out and "Pro" in out


@pytest.mark.duckdb
def test_banner_from_a_table_sums_the_month_in_the_database(make_scope, monkeypatch):
    from cxlib.report.sections import segments

    monkeypatch.setattr(segments, "MONTH_ROWS_IN_DATABASE", 0)   # a month as large as 100M responses' own
    # October: North 20 promoters (NPS +100), South 10 promoters and 10 detractors (0); Total 30 and 10 of 40:
    # +50. September's 50 South detractors are not the month's: counted, the Total would be 30 and 60 of 90.
    oct_ = pd.DataFrame({"responded_at": pd.Timestamp("2026-10-10"), "nps": [10.0] * 30 + [0.0] * 10,
                         "region": ["North"] * 20 + ["South"] * 20})
    sep = pd.DataFrame({"responded_at": pd.Timestamp("2026-09-10"), "nps": [0.0] * 50, "region": "South"})
    df = pd.concat([sep, oct_], ignore_index=True)
    frame_scope, table_scope = (make_scope(d, month="2026-10", segments=["region"]) for d in (df, as_table(df)))
    assert table_scope.table is not None
    out = sections.banner(table_scope)
    kept = pd.DataFrame(table_scope.tables["banner"]["rows"])
    nps = kept[kept["score"] == "NPS"].set_index("column")
    assert nps["value"].to_dict() == {"Total": 50.0, "North": 100.0, "South": 0.0}
    assert nps["n"].to_dict() == {"Total": 40, "North": 20, "South": 20}
    assert sections.banner(frame_scope) == out and frame_scope.tables["banner"] == table_scope.tables["banner"]


@pytest.mark.duckdb
def test_banner_from_a_table_redacts_as_from_a_frame(make_scope):
    df = pd.DataFrame({"responded_at": pd.Timestamp("2026-10-10"), "nps": [9.0, 3.0] * 20,
                       "region": ["jo@example.com"] * 20 + ["North"] * 20})
    frame_scope, table_scope = (make_scope(d, month="2026-10", segments=["region"]) for d in (df, as_table(df)))
    out = sections.banner(table_scope)
    assert "jo@example.com" not in out and "[EMAIL]" in out and sections.banner(frame_scope) == out
