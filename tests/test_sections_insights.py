"""Report drivers, voice and money sections: left out cleanly without data; money figures checked against
Σ p × revenue; the follow-up list comes from the same customer scores."""

from __future__ import annotations

import dataclasses
import re

import pandas as pd
import pytest

from cxlib import data as cxdata
from cxlib import comments, customers
from cxlib.report import sections as insights


@pytest.fixture(scope="module")
def sample():
    cfg = cxdata.load_config()
    responses = cxdata.load_responses(cfg)
    scope = insights.context(cfg, responses, month="2026-10")
    return cfg, responses, cxdata.load_tickets(cfg), cxdata.load_accounts(cfg), scope


def test_sections_without_their_data_are_notes(make_scope):
    data = pd.DataFrame({"responded_at": pd.to_datetime(["2026-10-01"]), "nps": [9.0]})
    scope = make_scope(data, month="2026-10")
    assert "left out" in insights.drivers(scope)
    assert "left out" in insights.voice(scope)
    assert insights.customer_scores(scope, None, None) is None
    out = insights.operations(scope, None, None)
    assert out.count("left out") == 2


def test_revenue_at_risk_sentence_equals_sum_of_probability_times_revenue(sample):
    cfg, responses, tickets, accounts, scope = sample
    scored = insights.customer_scores(scope, tickets, accounts)
    active = scored.table[~scored.table["churned"].astype(bool)]
    # Expected loss by its definition, computed here directly: sum over customers of p x revenue.
    expected = float((active["churn_probability"] * active["annual_revenue"]).sum())
    html = insights.operations(scope, tickets, scored)
    shown = re.search(r"among current customers: €([\d.]+)M", html).group(1)     # €9.6M, as executives read it
    assert float(shown) == round(expected / 1e6, 1)
    assert "customer_id" not in html and not re.search(r"C\d{6}", html)  # aggregates only


def test_drivers_section_names_the_planted_top_driver(sample):
    html = insights.drivers(sample[4])
    assert "Fix first" in html and "Speed of support" in html      # the config's label for support_speed


def test_month_before_any_churn_leaves_churn_out_with_a_reason(sample):
    cfg, responses, tickets, accounts, _ = sample
    scored = customers.score_customers(responses, tickets, accounts, month="2023-12")
    assert scored.model is None and scored.table["churn_probability"].isna().all()
    html = insights.operations(insights.context(cfg, responses, month="2023-12"), tickets, scored)
    assert "left out: too few customers who churned (0)" in html


def test_segment_scoring_keeps_only_that_segments_tickets(sample):
    import warnings

    _, responses, tickets, accounts, _ = sample
    latam = responses[responses["region"] == "LATAM"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no spurious "not in accounts" warning
        scored = customers.score_customers(latam, tickets, accounts, month="2026-10", segment="region=LATAM")
    assert set(scored.table["region"].dropna()) == {"LATAM"}


def test_follow_up_list_is_counted_in_html_and_written_for_the_runner(sample, tmp_path):
    _, responses, tickets, accounts, scope = sample
    scored = customers.score_customers(responses, tickets, accounts, month="2026-10")
    html = insights.follow_up(scope, scored, artifacts=str(tmp_path))
    rows = pd.read_parquet(tmp_path / insights.FOLLOW_UP_FILE)
    # the list is the one built from the same scores, counted in the note, never shown
    expected = customers.follow_up_list(responses, scored.table, month="2026-10", drivers=scope.cfg.drivers)
    assert rows["customer_id"].tolist() == expected["customer_id"].tolist()
    assert f"{len(rows):,} customers to contact" in html and not re.search(r"C\d{6}", html)


def test_voice_states_codebook_coverage_counted_from_the_tagged_comments(sample, tmp_path):
    cfg, responses, _, _, scope = sample
    html = insights.voice(scope)
    # Counted here from the per-comment theme flags annotate_comments gives, not from codebook_coverage.
    tagged = comments.annotate_comments(scope.now, cfg.codebook)
    has_text = tagged["comment"].fillna("").astype(str).str.strip() != ""
    any_theme = tagged.filter(like=comments.PREFIX).fillna(False).astype(bool).any(axis=1)
    n, k = int(has_text.sum()), int((has_text & any_theme).sum())
    assert f"cover {k / n:.0%} of the comments of Oct 2026 ({k:,} of {n:,};" in html
    assert "Emerging topics" in html and "general-purpose word list" in html
    assert "VADER" not in html and "VADER" in scope.methods["sentiment"]     # named in "How to read this report"
    # A learned model named in the config replaces VADER and the section says so, with its accuracy.
    model = tmp_path / "m.json"
    labelled = cxdata.load_labelled(cxdata.project_root() / "data/sample/comments_labelled.csv")
    comments.train_sentiment(labelled, path=model, cache_dir=tmp_path)
    learned = dataclasses.replace(cfg, comments={**cfg.comments, "sentiment_model": model})
    learned_scope = insights.context(learned, responses, month="2026-10")
    html = insights.voice(learned_scope, cache_dir=tmp_path)
    assert "general-purpose word list" not in html and "a model learned from these customers" in html
    assert "accuracy" in learned_scope.methods["sentiment"]


def test_one_unreadable_comment_is_counted_and_the_section_goes_on(sample, monkeypatch):
    import importlib

    cfg, responses, _, _, _ = sample
    sentiment_module = importlib.import_module("cxlib.comments.sentiment")
    real = sentiment_module._analyzer()

    class Fragile:
        def polarity_scores(self, text):
            if "kaboom" in text:
                raise RuntimeError("lexicon cannot read this")
            return real.polarity_scores(text)

    monkeypatch.setattr(sentiment_module, "_analyzer", lambda: Fragile())
    planted = responses.copy()
    row = cxdata.subset(planted, month="2026-10").dropna(subset=["comment"]).index[0]
    planted.loc[row, "comment"] = "kaboom " + planted.loc[row, "comment"]
    html = insights.voice(insights.context(cfg, planted, month="2026-10"), cache_dir=None)
    assert "1 comment(s) could not be analysed" in html and "Themes in the comments of Oct 2026" in html


def test_notebook_03_reads_the_reports_driver_rows_and_model():
    from cxlib.errors import DataError

    cfg = cxdata.load_config()
    scope = insights.context(cfg, cxdata.load_responses(cfg), month="2026-10")
    res = insights.driver_results(scope)
    fit = insights.driver_fit(scope)
    assert res["args"] == {"score": "nps", "drivers": cfg.drivers, "kind": "ols", "scale": cfg.scales["nps"],
                           "weight": None}
    assert set(res["window"]["responded_at"].dt.strftime("%Y-%m")) == {"2026-08", "2026-09", "2026-10"}
    # two methods on the same rows: the regression's R² is the total the Shapley shares divide (OLS), and
    # its base the importance table's n
    assert fit.fit["r2"].iloc[0] == pytest.approx(res["importance"]["r2"].iloc[0], rel=1e-9)
    assert int(fit.fit["n"].iloc[0]) == int(res["importance"]["n"].iloc[0])
    assert insights.driver_fit(scope) is fit                                    # once per report
    bare = dataclasses.replace(cfg, responses=dataclasses.replace(cfg.responses, drivers={}))
    none = insights.context(bare, cxdata.load_responses(bare), month="2026-10")
    with pytest.raises(DataError, match="no attribute ratings are configured"):
        insights.driver_fit(none)


def test_handoffs_read_the_primary_score_when_the_survey_asks_no_csat(tmp_path):
    # A survey with tickets but no CSAT: the handoff table was a DataError ("csat not in the data") in the report
    # section and a traceback in notebook 04. Now it reads the primary score's mean answer, by hand below.
    import yaml

    from cxlib import data
    from cxlib.report import sections

    root = data.project_root()
    raw = yaml.safe_load((root / "cx.yml").read_text())
    raw["responses"]["columns"].pop("csat")
    raw["responses"].get("scales", {}).pop("csat", None)
    raw["report"] = {k: v for k, v in (raw.get("report") or {}).items() if k != "targets"}
    for name in ("responses", "tickets", "accounts"):
        raw[name]["path"] = str(root / raw[name]["path"])
    raw["codebook"] = str(root / raw["codebook"])
    cfg = data.load_config(raw)
    responses, tickets = data.load_responses(cfg), data.load_tickets(cfg)
    scope = sections.context(cfg, responses, month="2026-10")
    html = str(sections.operations(scope, tickets, None))
    res = sections.operations_results(scope, tickets)
    assert res["score"] == "nps" and "Mean NPS answer by number of handoffs" in html
    # by hand: May–Oct 2026 responses joined to their tickets, mean 0–10 answer of those with no handoff
    window = responses[(responses["responded_at"] >= "2026-05-01") & (responses["responded_at"] < "2026-11-01")]
    joined = window.merge(tickets[["ticket_id", "handoffs"]], on="ticket_id")
    none = joined.loc[joined["handoffs"] == 0, "nps"].dropna()
    row = res["handoffs"].set_index("level").loc["0"]
    assert int(row["n"]) == len(none) and row["mean"] == pytest.approx(none.mean())


@pytest.mark.duckdb
def test_money_is_cut_by_region_only_where_current_customers_have_two(sample):
    # the region cut was decided by a distinct count of the table (a scan of every customer); now from the cut
    # itself: one region left is no cut, its total equal to the uncut figure, on a DataFrame and on a table
    cfg, responses, tickets, accounts, scope = sample
    scored = insights.customer_scores(scope, tickets, accounts)
    for one in (False, True):
        table = scored.table.assign(region="EMEA") if one else scored.table
        for data in (table, cxdata.as_table(table)):
            scope.results.clear()
            res = insights.money_results(scope, type(scored)(data, scored.model, scored.note, scored.month))
            active = table[~table["churned"].astype(bool)]
            assert res["by"] == (None if one else "region")
            want = customers.revenue_at_risk(active, by=res["by"], min_n=scope.min_n)
            pd.testing.assert_frame_equal(res["rar"], want, check_exact=False, rtol=1e-9)
            assert res["total"]["expected_loss"] == pytest.approx(float((active["churn_probability"]
                                                                         * active["annual_revenue"]).sum()))
