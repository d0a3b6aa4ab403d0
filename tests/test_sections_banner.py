"""The report's banner section: static, escaped, the month's scores by segment with letters."""

from __future__ import annotations

import re

import pandas as pd

from cxlib import tables
from cxlib.data import load_config, load_responses, subset
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
