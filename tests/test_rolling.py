"""Tests of cxlib.scores.rolling: window scores, and changes tested with the shared respondents accounted for."""

import numpy as np
import pandas as pd
import pytest

from cxlib import scores
from cxlib.errors import ParameterError


@pytest.fixture
def months():
    """Five months of seeded NPS answers with weights, in two regions."""
    rng = np.random.default_rng(3)
    n = 400
    day = rng.integers(0, 150, n)
    return pd.DataFrame({"responded_at": pd.Timestamp("2026-01-01") + pd.to_timedelta(day, "D"),
                         "nps": rng.integers(0, 11, n).astype(float), "w": rng.uniform(0.5, 2.0, n),
                         "region": rng.choice(["A", "B"], n)})


def _by_rows(frame, first, second):
    """The change second − first and its variance from each respondent's influence, row by row (a second
    method: no sums): u_k = w (y − ȳ_k) / Σ_k w inside window k, var = N/(N − 1) Σ (u₂ − u₁)² over the union."""
    y = np.where(frame["nps"] >= 9, 1.0, np.where(frame["nps"] <= 6, -1.0, 0.0))
    w = frame["w"].to_numpy()
    month = frame["responded_at"].dt.to_period("M").astype(str)
    in1, in2 = month.isin(first).to_numpy(), month.isin(second).to_numpy()
    m1, m2 = np.average(y[in1], weights=w[in1]), np.average(y[in2], weights=w[in2])
    u = np.where(in2, w * (y - m2) / w[in2].sum(), 0.0) - np.where(in1, w * (y - m1) / w[in1].sum(), 0.0)
    union = in1 | in2
    big_n = union.sum()
    return 100 * (m2 - m1), 100 * np.sqrt(big_n / (big_n - 1) * np.sum(u[union] ** 2)), (in1 & in2).sum()


def test_window_scores_equal_the_score_of_their_rows(months):
    t = scores.rolling(months, window=3, weight="w", min_n=1)
    assert t["period"].astype(str).tolist() == ["2026-03", "2026-04", "2026-05"]   # complete windows only
    for _, row in t.iterrows():
        inside = months[months["responded_at"].dt.to_period("M").between(row["window_start"], row["period"])]
        own = scores.nps(inside, weight="w", min_n=1).iloc[0]
        assert row["nps"] == pytest.approx(own["nps"]) and row["se"] == pytest.approx(own["se"])
        assert row["n"] == own["n"] == len(inside)


@pytest.mark.parametrize("by", [None, "region"])
def test_change_against_the_window_before_by_rows(months, by):
    t = scores.rolling(months, window=3, weight="w", min_n=1, by=by)
    for key, part in (months.groupby(by) if by else [(None, months)]):
        rows = t if by is None else t[t[by] == key]
        row = rows[rows["period"] == pd.Period("2026-05", "M")].iloc[0]
        diff, se, shared = _by_rows(part, ["2026-02", "2026-03", "2026-04"], ["2026-03", "2026-04", "2026-05"])
        assert row["diff_previous"] == pytest.approx(diff) and row["se_previous"] == pytest.approx(se)
        assert row["shared_previous"] == shared
        first = rows[rows["period"] == pd.Period("2026-03", "M")].iloc[0]
        assert np.isnan(first["diff_previous"]) and not first["significant_previous"]   # no window before


def test_without_overlap_the_union_has_no_cross_term(months):
    # window = 1: consecutive months share nobody; the variance is N/(N−1) Σ over both months, by rows
    t = scores.rolling(months, window=1, weight="w", min_n=1).set_index("period")
    diff, se, shared = _by_rows(months, ["2026-03"], ["2026-04"])
    assert shared == 0 and t.loc[pd.Period("2026-04", "M"), "shared_previous"] == 0
    assert t.loc[pd.Period("2026-04", "M"), "se_previous"] == pytest.approx(se)
    assert t.loc[pd.Period("2026-04", "M"), "diff_previous"] == pytest.approx(diff)


def test_year_ago_window_and_its_overlap():
    # quarterly windows of 5 quarters overlap the window a year (4 quarters) before in one quarter
    rng = np.random.default_rng(5)
    n = 900
    df = pd.DataFrame({"responded_at": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 1095, n), "D"),
                       "nps": rng.integers(0, 11, n).astype(float), "w": rng.uniform(0.5, 2.0, n)})
    t = scores.rolling(df, window=5, freq="Q", weight="w", min_n=1).set_index("period")
    row = t.loc[pd.Period("2025Q4", "Q")]
    q = df["responded_at"].dt.to_period("Q").astype(str)
    both = df
    first, second = ["2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4"], ["2025Q1", "2025Q2", "2025Q3", "2025Q4", "2024Q4"]
    # 2024Q4's year-ago window (2022Q4–2023Q4) starts before the data; 2025Q1's is the first complete one
    assert np.isnan(t.loc[pd.Period("2024Q4", "Q"), "diff_year"]) and not np.isnan(t.loc[pd.Period("2025Q1", "Q"), "diff_year"])
    y = np.where(both["nps"] >= 9, 1.0, np.where(both["nps"] <= 6, -1.0, 0.0))
    w = both["w"].to_numpy()
    in1, in2 = q.isin(first).to_numpy(), q.isin(second).to_numpy()
    m1, m2 = np.average(y[in1], weights=w[in1]), np.average(y[in2], weights=w[in2])
    u = np.where(in2, w * (y - m2) / w[in2].sum(), 0.0) - np.where(in1, w * (y - m1) / w[in1].sum(), 0.0)
    big_n = (in1 | in2).sum()
    assert row["diff_year"] == pytest.approx(100 * (m2 - m1))
    assert row["se_year"] == pytest.approx(100 * np.sqrt(big_n / (big_n - 1) * np.sum(u[in1 | in2] ** 2)))
    assert row["shared_year"] == (q == "2024Q4").sum()


def test_rolling_on_duckdb_equals_pandas(months, tmp_path):
    ibis = pytest.importorskip("ibis")
    months.to_parquet(tmp_path / "months.parquet")
    table = ibis.duckdb.connect().read_parquet(str(tmp_path / "months.parquet"))
    a = scores.rolling(months, window=2, weight="w", by="region", min_n=1)
    b = scores.rolling(table, window=2, weight="w", by="region", min_n=1)
    num = [c for c in a.columns if a[c].dtype.kind == "f"]
    np.testing.assert_allclose(a[num].to_numpy(), b[num].to_numpy(), rtol=1e-9, equal_nan=True)


def test_bad_window_is_refused(months):
    with pytest.raises(ParameterError, match="'window' parameter of rolling must be a whole number >= 1. Got 0"):
        scores.rolling(months, window=0)
