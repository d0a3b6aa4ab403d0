"""Tests of wave-over-wave marks in banner tables (cxlib.tables._waves through crosstab(compare="previous")):
hand arithmetic, statsmodels' two-proportion z test and a weighted case computed from the formulas."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from statsmodels.stats.proportion import proportions_ztest

from cxlib.errors import DataError, ParameterError
from cxlib.tables import crosstab, render_crosstab, show, to_excel


def holm(p):
    """Holm (1979) by hand: sort, multiply by m − rank, running maximum, cap at 1."""
    order = np.argsort(p)
    adj, running = np.empty(len(p)), 0.0
    for rank, i in enumerate(order):
        running = max(running, (len(p) - rank) * p[i])
        adj[i] = min(1.0, running)
    return adj


def _answers(top: int, n: int) -> list[float]:
    return [5.0] * top + [2.0] * (n - top)


@pytest.fixture
def two_months():
    # September: column a 10 of 40 top-box (25%), b 20 of 40 (50%); October: a 24 of 40 (60%), b 20 of 40.
    rows = [("2026-09-10", "a", _answers(10, 40)), ("2026-09-12", "b", _answers(20, 40)),
            ("2026-10-10", "a", _answers(24, 40)), ("2026-10-12", "b", _answers(20, 40))]
    return pd.DataFrame([{"responded_at": pd.Timestamp(d), "g": g, "csat": x} for d, g, xs in rows for x in xs])


def test_two_months_two_columns_by_hand(two_months):
    xt = crosstab(two_months, rows="csat", banner="g", compare="previous")
    cell = xt.set_index("column")
    assert set(xt["wave"]) == {"2026-10"} and set(xt["previous_wave"]) == {"2026-09"}
    assert cell.loc["a", "value"] == pytest.approx(60) and cell.loc["a", "previous"] == pytest.approx(25)
    assert cell.loc["Total", "previous"] == pytest.approx(100 * 30 / 80)
    # a: pooled p = 34/80 = 0.425, z = 0.35/√(0.425·0.575·(2/40)) = 3.166, p = 0.00154;
    # Total: 44/80 vs 30/80, pooled 74/160, z = 0.175/√(0.4625·0.5375·(2/80)) = 2.220, p = 0.0264; b: no change
    p_a = proportions_ztest([24, 10], [40, 40])[1]
    p_total = proportions_ztest([44, 30], [80, 80])[1]
    p_b = proportions_ztest([20, 20], [40, 40])[1]
    assert p_a == pytest.approx(0.001544, abs=2e-6) and p_total == pytest.approx(0.02643, abs=2e-5)
    assert cell.loc["a", "p_change"] == pytest.approx(p_a) and cell.loc["Total", "p_change"] == pytest.approx(p_total)
    # Holm over the table's three cells: a 3·0.00154 = 0.0046 (strict), Total 2·0.0264 = 0.053 (not), b 1
    adj = holm(np.array([p_total, p_a, p_b]))
    assert cell["p_change_adjusted"].tolist() == pytest.approx(adj.tolist())
    assert cell["change"].tolist() == ["", "up", ""] and cell["change_strict"].tolist() == [False, True, False]
    assert cell.loc["a", "higher_than"] == ""      # the letters still compare the columns of October: 60% vs 50%


def test_nps_change_uses_the_trinomial_variance(two_months):
    # NPS column a: Sept 30 promoters + 10 detractors of 40 (+50); Oct 10 + 30 (−50).
    # se² = (p + d − (p − d)²)/n: (1 − 0.25)/40 each, z = −1/√(2·0.75/40) = −5.16 -> "down"
    df = pd.DataFrame({"responded_at": pd.to_datetime(["2026-09-05"] * 40 + ["2026-10-05"] * 40), "g": "a",
                       "nps": [10.0] * 30 + [0.0] * 10 + [10.0] * 10 + [0.0] * 30})
    cell = crosstab(df, rows="nps", banner="g", compare="previous", adjust="none").set_index("column").loc["a"]
    z = -1 / math.sqrt(2 * 0.75 / 40)
    assert cell["p_change"] == pytest.approx(math.erfc(abs(z) / math.sqrt(2)))
    assert (cell["value"], cell["previous"], cell["change"]) == (pytest.approx(-50), pytest.approx(50), "down")


def test_weighted_change_on_linearised_bases():
    rng = np.random.default_rng(4)
    n = 300
    df = pd.DataFrame({"responded_at": pd.to_datetime(np.where(np.arange(n) < 150, "2026-09-15", "2026-10-15")),
                       "g": rng.choice(["x", "y"], n), "w": rng.uniform(0.4, 2.5, n).round(3)})
    df["csat"] = np.where(rng.random(n) < np.where(np.arange(n) < 150, 0.35, 0.6), 5.0, 2.0)
    xt = crosstab(df, rows="csat", banner="g", weight="w", compare="previous", adjust="none")

    def share(frame):   # by the formulas: weighted share, linearised variance n/(n−1)·Σw²(y−p)²/(Σw)²
        w, y = frame["w"].to_numpy(), (frame["csat"] == 5).to_numpy(float)
        p = (w * y).sum() / w.sum()
        var = len(w) / (len(w) - 1) * (w ** 2 * (y - p) ** 2).sum() / w.sum() ** 2
        return p, p * (1 - p) / var            # the share and the effective base its variance implies

    for col in ("Total", "x", "y"):
        part = df if col == "Total" else df[df["g"] == col]
        (p1, n1), (p0, n0) = share(part[part["responded_at"].dt.month == 10]), share(part[part["responded_at"].dt.month == 9])
        pooled = (p1 * n1 + p0 * n0) / (n1 + n0)
        z = (p1 - p0) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
        cell = xt[xt["column"] == col].iloc[0]
        assert (cell["value"], cell["previous"]) == (pytest.approx(100 * p1), pytest.approx(100 * p0))
        assert cell["p_change"] == pytest.approx(math.erfc(abs(z) / math.sqrt(2)), rel=1e-9), col


def test_small_bases_are_not_tested_and_waves_from_a_column(two_months):
    df = two_months.assign(wave=np.where(two_months["responded_at"].dt.month == 9, "W1", "W2"))
    xt = crosstab(df, rows="csat", banner="g", compare="previous", wave="wave", min_n=41)
    assert xt.loc[xt["column"] == "Total", "p_change"].notna().all()
    assert xt.loc[xt["column"] != "Total", "p_change"].isna().all() and (xt["change"] != "up").sum() == 2
    first = crosstab(df.assign(wave=pd.Categorical(df["wave"], ["W2", "W1"])), rows="csat", banner="g",
                     compare="previous", wave="wave")
    assert set(first["wave"]) == {"W1"} and set(first["previous_wave"]) == {"W2"}   # the categories' order


def test_errors_say_what_to_do(two_months):
    with pytest.raises(ParameterError, match="test='columns'"):
        crosstab(two_months, rows="csat", banner="g", compare="previous", test="complement")
    with pytest.raises(DataError, match=r"wave before '2026-09' \(2026-08\)"):
        crosstab(two_months, rows="csat", banner="g", compare="previous", current="2026-09")
    with pytest.raises(DataError, match="no responses in wave '2026-12'"):
        crosstab(two_months, rows="csat", banner="g", compare="previous", current="2026-12")
    with pytest.raises(ParameterError, match="compare"):
        crosstab(two_months, rows="csat", banner="g", compare="last")


def test_bad_waves_and_current_are_messages_not_tracebacks(two_months):
    # A period column with a current that is no period, and a wave column mixing numbers and text (no order):
    # before, pandas' DateParseError and Python's TypeError reached the analyst.
    df = two_months.assign(quarter=two_months["responded_at"].dt.to_period("Q"))
    with pytest.raises(ParameterError, match=r"'current' parameter of crosstab must be a period of column "
                                             r"'quarter', such as '2026Q4'. Got 'Q4 last year' instead"):
        crosstab(df, rows="csat", banner="g", compare="previous", wave="quarter", current="Q4 last year")
    mixed = two_months.assign(wave=[1 if d.month == 9 else "W2" for d in two_months["responded_at"]])
    with pytest.raises(DataError, match=r"column 'wave' mix kinds of values \(int, str\)"):
        crosstab(mixed, rows="csat", banner="g", compare="previous", wave="wave")


def test_arrows_in_html_excel_and_show(two_months):
    xt = crosstab(two_months, rows="csat", banner="g", compare="previous")
    h = render_crosstab(xt).as_raw_html()
    assert "60%" in h and "▲" in h and "than the same cell in 2026-09" in h
    assert show(xt).as_raw_html() == h
    ws = load_workbook(to_excel(xt, io.BytesIO())).active
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "▲" in texts and any("2026-09" in t for t in texts)


def test_multi_rows_compared_and_bad_values_named_by_their_row_in_the_whole_frame(two_months):
    # the option Q1 follows the top box: a 10/40 -> 24/40 as above; the sixth-from-last row holds a bad value
    df = two_months.assign(Q1=(two_months["csat"] == 5).astype(float))
    xt = crosstab(df, banner="g", multi={"why": ["Q1"]}, compare="previous")
    cell = xt[xt["row"] == "why: Q1"].set_index("column")
    assert cell.loc["a", "change"] == "up" and cell.loc["a", "previous"] == pytest.approx(25)
    bad = df.assign(Q1=df["Q1"].where(df.index != len(df) - 6, 7.0))
    with pytest.raises(DataError, match=rf"column 'Q1'.*1 row\(s\): {len(df) - 5} \(7\.0\)"):
        crosstab(bad, banner="g", multi={"why": ["Q1"]}, compare="previous")
