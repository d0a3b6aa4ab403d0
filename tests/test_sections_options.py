"""The report's options-as-drivers table (cxlib.report.sections.options, in the drivers section) and its claim
rule (cxlib.report.claims.option_claim): figures by hand from the month's rows, claims only where carried."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxlib import comments
from cxlib.data import load_config, load_responses, subset
from cxlib.report import sections
from cxlib.report.claims import option_claim

HERE = Path(__file__).resolve().parent
REAL = HERE.parent.parent / "shared" / "real-data"
METHOD_WORDS = ["Welch", "Holm", "z test"]


def _nps(x: pd.Series) -> float:
    x = x.dropna()
    return 100 * ((x >= 9).mean() - (x <= 6).mean())


def _kept(scope) -> pd.DataFrame:
    """The section's results (the kept table holds the same, rounded for run.json)."""
    kept = pd.DataFrame(scope.tables["options"]["rows"]).set_index("option")
    res = sections.option_results(scope).set_index("option")
    assert list(kept.index) == list(res.index) and np.allclose(kept["share"], res["share"], atol=1e-6)
    return res


def test_claim_only_where_the_evidence_carries_it():
    assert option_claim(-30.0, -45.0, -15.0, 0.01, small_base=False).text == "goes with a lower score"
    assert option_claim(-30.0, -45.0, -15.0, 0.01, small_base=True) is None          # too few on a side
    assert option_claim(-30.0, -45.0, -15.0, 0.06, small_base=False) is None         # not after adjustment
    assert option_claim(-30.0, -45.0, 2.0, 0.01, small_base=False) is None           # interval reaches zero
    assert option_claim(30.0, 15.0, 45.0, 0.01, small_base=False) is None            # a better score: no cost
    assert option_claim(0.8, 0.3, 1.3, 0.01, small_base=False, higher_is_better=False).text == "goes with a worse score"
    assert option_claim(np.nan, np.nan, np.nan, np.nan, small_base=False) is None


def test_sample_with_a_synthesised_question_by_hand():
    # The sample has no multiple-response question: its comment themes stand in for one (a theme is an option a
    # commenting respondent selected or not; no comment = skipped the question).
    cfg = load_config()
    tagged = comments.tag_themes(load_responses(cfg), comments.load_codebook(cfg.codebook))
    opts = [c for c in tagged.columns if c.startswith("theme_")]
    scope = sections.context(cfg, tagged, month="2026-10")
    scope.cfg.responses.multi = {"complaints": opts}
    scope.cfg.labels = {**scope.cfg.labels, "theme_slow_support": "Slow support"}
    out = sections.drivers(scope)
    kept = _kept(scope)
    assert list(kept.index) != [] and set(kept.index) == set(opts)
    # By hand on the month's rows: answered = commented; NPS of those who selected the option and of the others
    now = subset(tagged, month="2026-10")
    answered = now[opts].notna().any(axis=1) & now["nps"].notna()
    chosen = now["theme_slow_support"].fillna(False).astype(bool)
    row = kept.loc["theme_slow_support"]
    assert (row["n"], row["n_mention"]) == (answered.sum(), (answered & chosen).sum())
    assert row["share"] == pytest.approx((answered & chosen).sum() / answered.sum())
    assert row["score_with"] == pytest.approx(_nps(now.loc[answered & chosen, "nps"]))
    assert row["score_without"] == pytest.approx(_nps(now.loc[answered & ~chosen, "nps"]))
    assert f"Complaints: Slow support</td><td>{row['share']:.0%} ({row['n_mention']:,} of {row['n']:,})" in out
    # a claim only where option_claim carries it; praise themes (a higher score) never
    for r in kept.itertuples():
        carried = option_claim(r.diff, r.diff_ci_low, r.diff_ci_high, r.p_holm, small_base=r.small_base)
        assert r.claim == (carried.text if carried else "")
        assert (f"Complaints: {scope.label(r.Index) if r.Index != 'theme_slow_support' else 'Slow support'}: NPS"
                in out) == bool(r.claim)
    assert kept.loc["theme_good_value", "claim"] == "" and kept.loc["theme_slow_support", "claim"] != ""
    # the claim states both groups' n (by hand above: selectors and the others among those answering)
    slow_n, others = (answered & chosen).sum(), (answered & ~chosen).sum()
    assert f"Complaints: Slow support: NPS {row['score_with']:+.0f} among the {slow_n:,} who selected it against " \
           f"{row['score_without']:+.0f} among the other {others:,}" in out
    assert "Fix first" not in out.split("Options as drivers")[-1]
    assert [w for w in METHOD_WORDS if w in out.split("Options as drivers")[-1]] == []   # the body stays plain
    assert "Welch" in scope.methods["options"] and "Holm" in scope.methods["options"]


def test_small_bases_are_shown_not_tested(make_scope):
    # 40 respondents in October: option A chosen by 5 (fewer than min_n 30 on the selected side): shown, flagged
    n = 40
    df = pd.DataFrame({"responded_at": pd.Timestamp("2026-10-10"), "nps": [0.0] * 5 + [10.0] * (n - 5),
                       "region": ["x"] * n, "Q1": [1.0] * 5 + [0.0] * (n - 5)})
    scope = make_scope(df, month="2026-10", segments=["region"])
    scope.cfg.responses.multi = {"why": ["Q1"]}
    out = sections.drivers(scope)
    row = _kept(scope).loc["Q1"]
    assert bool(row["small_base"]) and row["claim"] == "" and row["score_with"] == pytest.approx(-100.0)
    assert "– (small base: not tested)" in out and "No option goes with a clearly lower NPS" in out
    # the 5 selectors' NPS (-100 by hand: all five gave 0) is not stated as a fact in the table: "–" with its n;
    # the 35 others (>= 30) keep theirs (+100: all gave 10)
    assert "-100" not in out and "– (n = 5)" in out and "+100" in out


def test_no_multi_no_table(make_scope):
    df = pd.DataFrame({"responded_at": pd.Timestamp("2026-10-10"), "nps": [9.0, 3.0], "region": ["x", "y"]})
    scope = make_scope(df, month="2026-10", segments=["region"])
    assert "Options as drivers" not in sections.drivers(scope) and "options" not in scope.tables


def test_real_mobile_ethnicity_options_as_drivers():
    path = REAL / "Mobiles_feedback_4_weeks.sav"
    if not path.exists():
        pytest.skip(f"{REAL} lacks Mobiles_feedback_4_weeks.sav: the real options-as-drivers check needs it")
    import pyreadstat

    cfg = load_config(HERE.parent / "examples" / "mobiles.yml")
    # the example keeps ethnicity, a profile question, out of the drivers (report.option_drivers: [])
    scope = sections.context(cfg, load_responses(cfg))
    assert cfg.report["option_drivers"] == [] and "Options as drivers" not in sections.drivers(scope)
    cfg.report["option_drivers"] = ["ethnicity"]    # read as a driver on request, to check its figures
    scope = sections.context(cfg, load_responses(cfg))
    out = sections.drivers(scope)
    kept = _kept(scope)
    opts = cfg.multi["ethnicity"]
    assert list(kept.sort_index().index) == sorted(opts)
    # By hand from the file's own codes (1 = Selected) in the report month
    raw, _ = pyreadstat.read_sav(str(path))
    when = pd.to_datetime(raw["StartDate"]).dt.to_period("M").astype(str)
    month = raw[when == str(scope.month)]
    answered = month[opts].notna().any(axis=1) & month["Q8"].notna()
    white = month["Q6_1_r"] == 1
    row = kept.loc["Q6_1_r"]
    assert (row["n"], row["n_mention"]) == (answered.sum(), (answered & white).sum())
    assert row["score_with"] == pytest.approx(_nps(month.loc[answered & white, "Q8"]))
    assert row["score_without"] == pytest.approx(_nps(month.loc[answered & ~white, "Q8"]))
    assert "Ethnicity: White" in out
    for r in kept.itertuples():      # small groups (most options here) are flagged and never carry a claim
        assert not (r.small_base and r.claim)


def test_the_options_share_names_its_base_beside_the_banner(make_scope):
    # 40 answer the question, 20 select Q1; 4 of the selectors gave no NPS. By hand: the banner's share is
    # 20/40 = 50% (every respondent who answered the question), the options table's 16/36 = 44% (those who
    # also gave NPS). Two figures for "% selecting" in one report: the table must say whose share it is.
    n = 40
    nps = [10.0] * 16 + [np.nan] * 4 + [8.0] * 20
    df = pd.DataFrame({"responded_at": pd.Timestamp("2026-10-10"), "nps": nps,
                       "region": ["x", "y"] * 20, "Q1": [1.0] * 20 + [0.0] * (n - 20)})
    scope = make_scope(df, month="2026-10", segments=["region"])
    scope.cfg.responses.multi = {"why": ["Q1"]}
    out = sections.drivers(scope)
    assert _kept(scope).loc["Q1", "share"] == pytest.approx(16 / 36)
    assert "44% (16 of 36)" in out and "Selected by (of those giving NPS)" in out
    sections.banner(scope)
    banner = pd.DataFrame(scope.tables["banner"]["rows"])
    total = banner[(banner["score"] == "Why: Q1") & (banner["column"] == "Total")]
    assert total["value"].tolist() == [pytest.approx(50.0)]          # 20 of 40
    assert "the banner&#x27;s count every respondent who answered the question" in out


def test_option_drivers_chooses_the_questions_read_as_drivers(make_scope, tmp_path):
    # two questions in the data; report.option_drivers lists one: only its options are read as drivers
    n = 40
    df = pd.DataFrame({"responded_at": pd.Timestamp("2026-10-10"), "nps": [0.0] * 10 + [10.0] * (n - 10),
                       "region": ["x"] * n, "Q1": [1.0] * 20 + [0.0] * 20, "P1": [0.0, 1.0] * 20})
    scope = make_scope(df, month="2026-10", segments=["region"])
    scope.cfg.responses.multi = {"why": ["Q1"], "profile": ["P1"]}
    scope.cfg.report["option_drivers"] = ["why"]
    sections.drivers(scope)
    assert list(_kept(scope).index) == ["Q1"]


def test_option_drivers_must_name_configured_questions(tmp_path):
    from cxlib.errors import ConfigError

    cfg = {"responses": {"path": "r.csv", "columns": {"nps": "NPS"}, "multi": {"why": ["Q1", "Q2"]}},
           "report": {"option_drivers": ["whyy"]}}
    with pytest.raises(ConfigError, match=r"report.option_drivers names \['whyy'\].*\['why'\]"):
        load_config(cfg)
