"""One number, one answer: every path to a score (its own table, the trend, a banner cell) gives the same
value and interval, and a score registered once appears everywhere scores are listed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxlib import comments, metrics, scores, tables
from cxlib.data import Scale
from cxlib.errors import ParameterError

SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7), "rating": (1, 10), "recommend": (0, 1)}


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    """Four months of seeded answers to all five scores, a region and a weight."""
    rng = np.random.default_rng(20)
    n = 1200
    df = pd.DataFrame({
        "responded_at": pd.Timestamp("2026-07-01") + pd.to_timedelta(rng.integers(0, 120, n), unit="D"),
        "nps": rng.integers(0, 11, n).astype(float), "csat": rng.integers(1, 6, n).astype(float),
        "ces": rng.integers(1, 8, n).astype(float), "rating": rng.integers(1, 11, n).astype(float),
        "recommend": rng.integers(0, 2, n).astype(float),
        "region": rng.choice(["A", "B", "C"], n), "w": rng.uniform(0.3, 3.0, n)})
    df.loc[rng.choice(n, 60, replace=False), "csat"] = np.nan
    return df


def _kwargs(metric):
    return {} if metric in ("nps", "recommend") else {"scale": SCALES[metric]}


@pytest.mark.parametrize("weight", [None, "w"])
@pytest.mark.parametrize("metric", list(SCALES))
def test_trend_equals_the_score_of_each_month(survey, metric, weight):
    tr = scores.trend(survey, metric=metric, weight=weight, min_n=1, **_kwargs(metric))
    for _, row in tr.iterrows():
        month = survey[survey["responded_at"].dt.to_period("M") == row["period"]]
        own = scores.score_table(month, metric=metric, weight=weight, min_n=1, **_kwargs(metric)).iloc[0]
        for col in (metric, "ci_low", "ci_high", "n", "n_eff"):
            assert row[col] == pytest.approx(own[col], rel=1e-12), (metric, str(row["period"]), col)


@pytest.mark.duckdb
@pytest.mark.parametrize("weight", [None, "w"])
def test_month_sums_of_every_score_in_one_query_equal_each_scores_own(survey, weight):
    # all five scores summed by month in one DuckDB query (their answer combinations) against each score's
    # own month table from the DataFrame, with unanswered rows, rows without a weight and undated rows
    from cxlib.data import as_table

    rng = np.random.default_rng(21)
    df = survey.copy()
    df.loc[rng.choice(len(df), 80, replace=False), "nps"] = np.nan
    df.loc[rng.choice(len(df), 50, replace=False), "w"] = np.nan
    df.loc[rng.choice(len(df), 30, replace=False), "responded_at"] = pd.NaT
    kw = {m: {"weight": weight, **_kwargs(m)} for m in SCALES}
    sums = scores.month_sums(as_table(df), metrics=kw)
    for m in SCALES:
        # the answered (and, weighted, weighted) dated rows counted by month: a second count of n
        used = df[m].notna() & df["responded_at"].notna() & (df["w"].notna() if weight else True)
        n = used.groupby(df.loc[used, "responded_at"].dt.to_period("M")).sum()
        assert sums[m].set_index("period")["n"].loc[n.index].tolist() == n.tolist(), m
        on_table = scores.trend(as_table(df), metric=m, min_n=1, sums=sums[m], **kw[m])
        own = scores.trend(df, metric=m, min_n=1, **kw[m])
        pd.testing.assert_frame_equal(on_table, own, check_exact=False, rtol=1e-12)
        got = scores.compare(as_table(df), metric=m, month="2026-10", baseline="previous_3", min_n=1, sums=sums[m],
                             **kw[m])
        pd.testing.assert_frame_equal(got, scores.compare(df, metric=m, month="2026-10", baseline="previous_3",
                                                          min_n=1, **kw[m]), check_exact=False, rtol=1e-12)


@pytest.mark.parametrize("weight", [None, "w"])
def test_banner_total_and_columns_equal_each_score(survey, weight):
    rows = [(m, metrics.METRICS[m].banner_row) for m in SCALES]
    scales = {m: Scale(*s, top_k=1 if m == "recommend" else (3 if m == "ces" else 2)) for m, s in SCALES.items()}
    xt = tables.crosstab(survey, rows=rows, banner="region", weight=weight, scales=scales, min_n=1)
    for m in SCALES:
        own_kw = {"scale": scales[m]} if m not in ("nps", "recommend") else {}
        for column, part in (("Total", survey), ("B", survey[survey["region"] == "B"])):
            own = scores.score_table(part, metric=m, weight=weight, min_n=1, **own_kw).iloc[0]
            cell = xt[(xt["score"] == m) & (xt["column"] == column)].iloc[0]
            assert cell["value"] == pytest.approx(own[m], rel=1e-12), (m, column)
            assert (cell["ci_low"], cell["ci_high"]) == pytest.approx((own["ci_low"], own["ci_high"]), rel=1e-12), (m, column)


def test_six_alike_answers_never_collapse_anywhere():
    # five 10s and a 9: all promoters. Adjusted Wald by hand (Rocks 2016): p' = 6.75/9 = .75, d' = .75/9,
    # centre 100(p' - d') = 66.67, se = 100·sqrt((p' + d' - (p' - d')²)/9) = 20.787; 66.67 - 1.96·20.787 = 25.93
    df = pd.DataFrame({"nps": [10, 10, 10, 10, 10, 9.0], "g": ["x"] * 6,
                       "responded_at": pd.to_datetime(["2026-10-03"] * 6)})
    expected = (66.6667 - 1.959964 * 20.7870, 100.0)
    own = scores.nps(df, min_n=1).iloc[0]
    tr = scores.trend(df, min_n=1).iloc[0]
    cell = tables.crosstab(df, rows=["nps"], banner="g", min_n=1).iloc[0]
    for got in (own, tr, cell):
        assert (got["ci_low"], got["ci_high"]) == pytest.approx(expected, abs=1e-3)


def test_banner_means_stay_on_their_scale():
    # three answers 7, 7, 6 on a 1–7 scale: the t interval 6.67 ± 4.30·0.333 = 5.23–8.10 runs past 7
    df = pd.DataFrame({"ces": [7, 7, 6.0], "g": ["x", "x", "x"]})
    cell = tables.crosstab(df, rows=[("ces", "mean")], banner="g", min_n=1, scales={"ces": (1, 7)}).iloc[0]
    assert cell["ci_high"] == 7.0
    assert cell["ci_low"] == pytest.approx(20 / 3 - 4.302653 * np.sqrt(1 / 3) / np.sqrt(3), abs=1e-4)


@pytest.fixture
def top2():
    """A sixth score, registered in one place: the top-2-box share of a 1–5 question."""
    m = metrics.register(metrics.Metric("t2b", "share", (1, 5, True, 2), "Top-2 box", card=" (% top 2)",
                                        unit="percentage points", percent=True, points={"top_box": "top"}))
    yield m
    metrics.unregister("t2b")


def test_a_registered_score_is_everywhere(survey, top2):
    df = survey.assign(t2b=survey["csat"])
    answered = df["t2b"].dropna()
    by_hand = 100 * answered.isin([4, 5]).mean()          # the share of 4s and 5s, counted directly
    table = scores.score_table(df, metric="t2b", min_n=1).iloc[0]
    assert table["t2b"] == pytest.approx(by_hand, rel=1e-12)
    assert table["n"] == len(answered)
    tr = scores.trend(df, metric="t2b", min_n=1)
    oct_ = df[df["responded_at"].dt.to_period("M") == pd.Period("2026-10")]["t2b"].dropna()
    assert tr.set_index("period").loc[pd.Period("2026-10"), "t2b"] == pytest.approx(100 * oct_.isin([4, 5]).mean())
    xt = tables.crosstab(df, rows=["t2b"], banner="region", min_n=1)
    assert xt.loc[xt["column"] == "Total", "value"].iloc[0] == pytest.approx(by_hand)
    assert xt["row"].iloc[0] == "Top-2 box % top 2"
    tagged = df.assign(theme_speed=np.where(df.index % 3 == 0, 1.0, 0.0))
    impact = comments.theme_impact(tagged, metric="t2b", themes=["speed"], min_n=1)
    with_theme = tagged.loc[tagged["theme_speed"] == 1, "t2b"].dropna()
    assert impact["score_with"].iloc[0] == pytest.approx(100 * with_theme.isin([4, 5]).mean())


def test_register_refuses_a_builtin_and_a_bad_kind():
    with pytest.raises(Exception, match="built-in"):
        metrics.register(metrics.Metric("nps", "net", (0, 10, True, 2), "NPS"))
    with pytest.raises(Exception, match="kind"):
        metrics.Metric("x", "median", None, "X")


def test_a_registered_score_gets_its_headline_card(survey, top2):
    from cxlib.data import load_config
    from cxlib.report import sections

    df = survey.assign(t2b=survey["csat"])
    scope = sections.ReportContext(cfg=load_config(), data=df, month="2026-10", segment=None, primary="t2b",
                                   scores=["t2b"], min_n=30)
    oct_ = df[df["responded_at"].dt.to_period("M") == pd.Period("2026-10")]["t2b"].dropna()
    card = str(sections.headline(scope))
    assert "Top-2 box (% top 2)" in card
    assert f"{100 * oct_.isin([4, 5]).mean():.0f}%" in card and f"n = {len(oct_):,}" in card
    assert sections.result_set(scope)["headline"]["value"] == pytest.approx(100 * oct_.isin([4, 5]).mean(), abs=0.005)


def test_a_bad_value_never_fails_the_result_set():
    # the result set is written with allow_nan=False: an infinite value or a list in a kept table must turn
    # into JSON, not raise in the report's last cell
    import json

    from cxlib.report.sections.context import _plain
    from cxlib.report.sections.results import _num

    assert [_plain(v) for v in (np.inf, -np.inf, np.nan, None, ["a", "b"], np.float64(2.5), np.int64(3), "x")] == \
        [None, None, None, None, "['a', 'b']", 2.5, 3, "x"]
    assert [_num(v) for v in (np.inf, float("-inf"), np.nan, None, 1.23456)] == [None, None, None, None, 1.2346]
    json.dumps([_plain(np.inf), _num(np.inf)], allow_nan=False)


def test_sums_made_for_other_arguments_are_refused_not_read(survey):
    # month sums read as quarters gave every quarter n = 0; unweighted sums read by a weighted compare gave
    # -53.82 for -54.53 without a word; CSAT's sums read as NPS raised a KeyError (found in review)
    sums = scores.month_sums(survey, metrics={"nps": {}, "csat": _kwargs("csat")})
    with pytest.raises(ParameterError, match=r"period: made for \('responded_at', 'M'\), asked for \('responded_at', 'Q'\)"):
        scores.trend(survey, metric="nps", freq="Q", sums=sums["nps"])
    with pytest.raises(ParameterError, match="weight: made for None, asked for 'w'"):
        scores.compare(survey, metric="nps", month="2026-10", weight="w", sums=sums["nps"])
    with pytest.raises(ParameterError, match="metric: made for 'csat', asked for 'nps'"):
        scores.trend(survey, metric="nps", sums=sums["csat"])
    scores.trend(survey, metric="nps", min_n=1, sums=sums["nps"])   # the arguments they were made for: read


def test_scores_share_a_query_while_their_answer_combinations_stay_few():
    # whole points on each scale (by hand): NPS 11 x CSAT 5 x CES 7 = 385 <= 5,000; a 0-100 rating (101 points)
    # would make 38,885 combinations, so it starts the next query, which recommend (2 points: 202) joins
    from cxlib.scores._combined import MAX_COMBINATIONS, _batches

    specs = [{"scale": Scale(lo, hi)} for lo, hi in [(0, 10), (1, 5), (1, 7), (0, 100), (0, 1)]]
    assert MAX_COMBINATIONS == 5_000
    assert _batches(specs) == [[0, 1, 2], [3, 4]]
    assert _batches([{"scale": Scale(0, 5000)}, {"scale": Scale(0, 10)}]) == [[0], [1]]


@pytest.mark.duckdb
def test_one_scores_bad_answers_leave_the_others_month_sums(survey):
    # a CSAT answer of 9 on its 1-5 scale: month_sums raised for every score, so the report summed each score
    # again, one scan apiece; now CSAT alone is left out and its own call names the bad row
    from cxlib.data import as_table
    from cxlib.errors import DataError

    df = survey.copy()
    df.loc[df.index[7], "csat"] = 9.0
    kw = {"nps": {}, "csat": _kwargs("csat"), "ces": _kwargs("ces")}
    sums = scores.month_sums(as_table(df), metrics=kw)
    assert list(sums) == ["nps", "ces"]
    for m in ("nps", "ces"):
        pd.testing.assert_frame_equal(scores.trend(as_table(df), metric=m, min_n=1, sums=sums[m], **kw[m]),
                                      scores.trend(df, metric=m, min_n=1, **kw[m]), check_exact=False, rtol=1e-12)
    with pytest.raises(DataError, match=r"column 'csat': expected scores on the 1–5 scale; outside it in 1 row"):
        scores.trend(as_table(df), metric="csat", min_n=1, **kw["csat"])
    assert list(scores.month_sums(df, metrics=kw)) == ["nps", "ces"]   # a DataFrame: the same scores kept


@pytest.mark.duckdb
def test_a_score_stored_as_text_leaves_the_others_month_sums(survey):
    # found in review: a text column failed the whole query on a table before any score was summed (the
    # DataFrame path kept the other scores); now NPS and CES are kept and CSAT left to its own call
    from cxlib.data import as_table
    from cxlib.errors import DataError

    df = survey.assign(csat=survey["csat"].astype("string"))
    kw = {"nps": {}, "csat": _kwargs("csat"), "ces": _kwargs("ces")}
    assert list(scores.month_sums(as_table(df), metrics=kw)) == ["nps", "ces"]
    with pytest.raises(DataError, match="csat"):
        scores.trend(as_table(df), metric="csat", min_n=1, **kw["csat"])
