"""Tests of multiple-response questions: cxlib.data.multi (coding the option columns) and their banner rows
(cxlib.tables._multi through crosstab), against hand arithmetic, statsmodels and R's survey package."""

from __future__ import annotations

from io import BytesIO, StringIO

import math
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from cxlib import data as cxdata
from cxlib.data import code_selections
from cxlib.errors import DataError, ParameterError
from cxlib.tables import crosstab, render_crosstab, to_excel

HERE = Path(__file__).resolve().parent
REAL = HERE.parent.parent / "shared" / "real-data"


def test_every_spelling_of_selected_and_not():
    got = code_selections(pd.Series(["Selected", "Not Selected", " YES ", "no", "", None, "x", "unchecked"]),
                          where="w", column="Q")
    np.testing.assert_array_equal(got, [1, 0, 1, 0, np.nan, np.nan, 1, 0])
    np.testing.assert_array_equal(code_selections(pd.Series([True, False, None], dtype="boolean"), where="w",
                                                  column="Q"), [1, 0, np.nan])
    np.testing.assert_array_equal(code_selections(pd.Series([1.0, 0.0, np.nan]), where="w", column="Q"), [1, 0, np.nan])


def test_other_values_name_the_column_and_one_based_rows():
    with pytest.raises(DataError) as err:
        code_selections(pd.Series(["yes", "maybe", "no", "2"]), where="responses file r.csv", column="Q5_2")
    msg = str(err.value)
    assert "responses file r.csv, column 'Q5_2'" in msg and "2 row(s): 2 ('maybe'), 4 ('2')" in msg
    assert "missing_codes" in msg and "Recode" in msg
    with pytest.raises(DataError, match=r"column 'Q5_1'.*1 row\(s\): 3 \(2\.0\)"):
        crosstab(pd.DataFrame({"g": ["a"] * 3, "Q5_1": [1.0, 0.0, 2.0]}), banner="g", multi={"why": ["Q5_1"]})


def test_bad_multi_parameter_says_how_to_write_it():
    df = pd.DataFrame({"g": ["a"], "Q5_1": [1]})
    with pytest.raises(ParameterError, match="mapping of question"):
        crosstab(df, banner="g", multi=["Q5_1"])
    with pytest.raises(DataError, match=r"\['Q5_9'\] not in the data"):
        crosstab(df, banner="g", multi={"why": ["Q5_1", "Q5_9"]})


@pytest.fixture
def reasons():
    # Column a: 12 rows, 2 of them answered no option (all blank) -> base 10; Q1 chosen by 6, Q2 by 3,
    # any by 7 (6 with Q1, one more with Q2 only). One answering respondent left Q2 blank: not selected.
    # Column b: 20 answered; Q1 by 4, Q2 by 10, any by 12.
    a_q1 = [1] * 6 + [0] * 4 + [np.nan] * 2
    a_q2 = [1, 1, 0, 0, 0, 0, 1, np.nan, 0, 0] + [np.nan] * 2
    b_q1 = [1] * 4 + [0] * 16
    b_q2 = [1] * 2 + [0] * 2 + [1] * 8 + [0] * 8
    return pd.DataFrame({"g": ["a"] * 12 + ["b"] * 20, "Q1": a_q1 + b_q1,
                         "Q2": ["yes" if v == 1 else "no" if v == 0 else None for v in a_q2 + b_q2]})


def test_shares_bases_net_and_letters_by_hand(reasons):
    xt = crosstab(reasons, banner="g", multi={"reasons": ["Q1", "Q2"]}, labels={"reasons": "Why", "Q1": "Price"},
                  min_n=5)
    assert list(dict.fromkeys(xt["row"])) == ["Why: Price", "Why: Q2", "Why: any (net)"]
    cell = xt.set_index(["row", "column"])
    # shares of the respondents who answered: a 6/10, 3/10, 7/10; b 4/20, 10/20, 12/20; Total 10/30, 13/30, 19/30
    for (row, col), value, n in [(("Why: Price", "a"), 60, 10), (("Why: Q2", "a"), 30, 10),
                                 (("Why: any (net)", "a"), 70, 10), (("Why: Price", "b"), 20, 20),
                                 (("Why: Q2", "b"), 50, 20), (("Why: any (net)", "b"), 60, 20),
                                 (("Why: Price", "Total"), 100 * 10 / 30, 30), (("Why: any (net)", "Total"), 100 * 19 / 30, 30)]:
        assert cell.loc[(row, col), "value"] == pytest.approx(value), (row, col)
        assert cell.loc[(row, col), "n"] == n, (row, col)
    assert set(xt["metric"]) == {"pct_selected", "pct_any"}
    # interval: Wilson on 6 of 10 (statsmodels, a second implementation)
    lo, hi = proportion_confint(6, 10, alpha=0.05, method="wilson")
    assert (cell.loc[("Why: Price", "a"), "ci_low"], cell.loc[("Why: Price", "a"), "ci_high"]) == \
        pytest.approx((100 * lo, 100 * hi))
    # letters: Price a 6/10 vs b 4/20, pooled p = 1/3, se = √(1/3·2/3·(1/10 + 1/20)) = 0.18257, z = 2.191,
    # p = 0.0285: a beats b at 0.05 only -> "b"; Q2 3/10 vs 10/20: z = −1.05, no letter
    z, p = proportions_ztest([6, 4], [10, 20])
    assert z == pytest.approx(0.4 / math.sqrt(1 / 3 * 2 / 3 * 0.15)) and 0.01 < p < 0.05
    assert cell.loc[("Why: Price", "a"), "higher_than"] == "b" and cell.loc[("Why: Price", "b"), "higher_than"] == ""
    assert (cell.loc[("Why: Q2", "a"), "higher_than"], cell.loc[("Why: Q2", "b"), "higher_than"]) == ("", "")


def test_options_of_one_column_are_never_compared():
    # one banner column where Q1 (90%) and Q2 (10%) differ hugely: no letter, no test between options
    df = pd.DataFrame({"g": ["a"] * 100, "Q1": [1] * 90 + [0] * 10, "Q2": [1] * 10 + [0] * 90})
    xt = crosstab(df, banner="g", multi={"m": ["Q1", "Q2"]})
    assert (xt["higher_than"] == "").all() and xt["p_value"].isna().all()


def test_score_rows_and_multi_rows_together_and_rendered(reasons):
    df = reasons.assign(nps=[10.0] * 32)
    xt = crosstab(df, rows="nps", banner="g", multi={"reasons": ["Q1", "Q2"]}, min_n=5)
    assert list(dict.fromkeys(xt["row"])) == ["NPS", "reasons: Q1", "reasons: Q2", "reasons: any (net)"]
    h = render_crosstab(xt).as_raw_html()
    assert "60%<sup>b</sup>" in h and "70%" in h


def test_a_multi_question_shows_its_own_base():
    # 40 respondents in two columns of 20; 10 (5 per column) answered no option of "why": by hand its base is
    # 30 (15 + 15), while the table's base row is 40 (every NPS answer). The question's rows are % of 30,
    # so the rendered table must show 30/15/15 beside them.
    df = pd.DataFrame({"nps": [10.0] * 40, "region": ["x", "y"] * 20,
                       "Q1": [1.0] * 20 + [0.0] * 10 + [np.nan] * 10, "Q2": [0.0] * 30 + [np.nan] * 10})
    xt = crosstab(df, rows="nps", banner="region", multi={"why": ["Q1", "Q2"]}, min_n=5)
    body = pd.read_html(StringIO(render_crosstab(xt).as_raw_html()))[0]
    body = body.set_axis(["row", *range(body.shape[1] - 1)], axis=1).set_index("row")
    assert body.loc["Base (n)"].tolist() == ["40", "20", "20"]
    assert body.loc["why: base (n)"].tolist() == ["30", "15", "15"]
    rows = list(body.index)
    assert rows.index("why: base (n)") == rows.index("why: any (net)") + 1
    # the Excel sheet too: the question's base row after its net, 30 / 15 / 15
    from openpyxl import load_workbook

    buf = to_excel(xt, BytesIO())
    sheet = [[c for c in row if c not in (None, "")] for row in load_workbook(buf).active.iter_rows(values_only=True)]
    labels = [row[0] if row else None for row in sheet]
    at = labels.index("why: base (n)")
    assert labels[at - 1] == "why: any (net)" and sheet[at][1:] == [30, 15, 15]


def _weighted_frame(seed: int = 25) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 600
    g = rng.choice(["north", "south", "west"], n, p=[0.5, 0.3, 0.2])
    base = {"north": 0.45, "south": 0.3, "west": 0.2}
    opts = {f"Q5_{k}": (rng.random(n) < np.vectorize(base.get)(g) * (1 + 0.3 * k)).astype(float) for k in range(1, 4)}
    frame = pd.DataFrame({"g": g, "w": rng.uniform(0.3, 3.0, n).round(4), **opts})
    blank = rng.random(n) < 0.08                                   # answered no option: out of the base
    frame.loc[blank, list(opts)] = np.nan
    return frame


def _mobile_frame() -> pd.DataFrame | None:
    sav = REAL / "Mobiles_feedback_4_weeks.sav"
    if not sav.exists():
        return None
    import pyreadstat

    df, meta = pyreadstat.read_sav(str(sav))
    w = np.random.default_rng(3).uniform(0.5, 2.0, len(df)).round(4)
    opts = {c: df[c] for c in ("Q6_1_r", "Q6_2_r", "Q6_3_r", "Q6_4_r")}
    return pd.DataFrame({"g": df["Q7"].map(meta.variable_value_labels["Q7"]), "w": w, **opts})


@pytest.mark.rsurvey
@pytest.mark.parametrize("name", ["synthetic", "mobile"])
def test_weighted_shares_and_bases_equal_r_survey(rscript, tmp_path, name):
    frame = _weighted_frame() if name == "synthetic" else _mobile_frame()
    if frame is None:
        pytest.skip(f"{REAL} lacks the mobile export (Mobiles_feedback_4_weeks.sav): its ethnicity question "
                    "Q6_*_r is the real multiple-response check")
    frame.to_csv(tmp_path / f"{name}.csv", index=False)
    run = subprocess.run([rscript, str(HERE / "rsurvey" / "multi.R"), str(tmp_path), name], capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    r = pd.read_csv(tmp_path / "multi_results.csv", keep_default_na=False, na_values=["NA"])
    opts = [c for c in frame.columns if c.startswith("Q")]
    xt = crosstab(frame, banner="g", weight="w", multi={"q": opts}, min_n=1)
    assert len(r) >= (len(opts) + 1) * 3
    for row in r.itertuples():
        label = "q: any (net)" if row.option == "net" else f"q: {row.option}"
        cell = xt[(xt["row"] == label) & (xt["column"] == row.group)].iloc[0]
        assert cell["value"] == pytest.approx(100 * row.est, rel=1e-6), (label, row.group)
        assert cell["n"] == row.n, (label, row.group)
        if 0 < row.est < 1:
            # R's linearised SE of the share of the group's answering respondents, and the base it implies
            assert cell["se"] == pytest.approx(100 * row.se, rel=1e-6), (label, row.group)
            assert cell["n_eff"] == pytest.approx(row.est * (1 - row.est) / row.se ** 2, rel=1e-6)
            lo, hi = proportion_confint(row.est * cell["n_eff"], cell["n_eff"], method="wilson")
            assert (cell["ci_low"], cell["ci_high"]) == pytest.approx((100 * lo, 100 * hi), rel=1e-6)


def _config(path, **multi) -> dict:
    return {"responses": {"path": str(path), "columns": {"response_id": "id", "nps": "q8"},
                          "segments": {"plan": "plan"}, "multi": multi}}


def test_csv_options_load_as_booleans_and_bad_values_name_file_column_rows(tmp_path):
    path = tmp_path / "r.csv"
    pd.DataFrame({"id": [1, 2, 3, 4], "q8": [9, 3, 10, 7], "plan": ["a", "b", "a", "b"],
                  "Q5_1": ["Selected", "Not selected", "", "Selected"], "Q5_2": [1, 0, None, 0]}).to_csv(path, index=False)
    out = cxdata.load_responses(_config(path, reasons=["Q5_1", "Q5_2"]))
    assert out["Q5_1"].dtype == "boolean" and out["Q5_1"].tolist() == [True, False, pd.NA, True]
    assert out["Q5_2"].tolist() == [True, False, pd.NA, False]
    assert cxdata.load_config(_config(path, reasons=["Q5_1", "Q5_2"])).multi == {"reasons": ["Q5_1", "Q5_2"]}
    pd.DataFrame({"id": [1, 2], "q8": [9, 3], "plan": ["a", "b"], "Q5_1": ["Selected", "Maybe"]}).to_csv(path, index=False)
    with pytest.raises(DataError) as err:
        cxdata.load_responses(_config(path, reasons=["Q5_1"]))
    assert f"responses file {path}, column 'Q5_1'" in str(err.value) and "1 row(s): 2 ('Maybe')" in str(err.value)


def test_spss_value_labels_say_which_code_is_selected(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    # an SPSS dichotomy coded 1 = Yes, 2 = No, 9 = Don't know: 2 is "not selected", 9 no answer
    df = pd.DataFrame({"id": [1.0, 2.0, 3.0], "q8": [9.0, 3.0, 10.0], "plan": ["a", "b", "a"], "Q5_1": [1.0, 2.0, 9.0]})
    path = tmp_path / "s.sav"
    pyreadstat.write_sav(df, str(path), variable_value_labels={"Q5_1": {1.0: "Yes", 2.0: "No", 9.0: "Don't know"}})
    out = cxdata.load_responses(_config(path, reasons=["Q5_1"]))
    assert out["Q5_1"].tolist() == [True, False, pd.NA]


@pytest.mark.parametrize("multi, expected", [
    ({"a": ["Q5_1"], "b": ["Q5_1"]}, r"column 'Q5_1' under both 'a' and 'b'"),
    ({"a": ["plan"]}, r"'responses.multi' lists \['plan'\], which the workbook already uses"),
    ({"a": []}, r"a list of its option columns"),
])
def test_config_mistakes_are_named(tmp_path, multi, expected):
    path = tmp_path / "r.csv"
    pd.DataFrame({"id": [1], "q8": [9], "plan": ["a"], "Q5_1": [1]}).to_csv(path, index=False)
    with pytest.raises(Exception, match=expected):
        cxdata.load_config(_config(path, **multi))


def test_real_mobile_ethnicity_question_loads_and_tabulates():
    if not (REAL / "Mobiles_feedback_4_weeks.sav").exists():
        pytest.skip(f"{REAL} lacks Mobiles_feedback_4_weeks.sav: the real multiple-response check needs it")
    cfg = cxdata.load_config(HERE.parent / "examples" / "mobiles.yml")
    out = cxdata.load_responses(cfg)
    opts = cfg.multi["ethnicity"]
    assert len(opts) == 8 and all(out[c].dtype == "boolean" for c in opts)
    import pyreadstat

    raw, _ = pyreadstat.read_sav(str(REAL / "Mobiles_feedback_4_weeks.sav"))
    # the file's own codes (1 = Selected): the loaded booleans count the same respondents
    assert [int(out[c].sum()) for c in opts] == [int((raw[c] == 1).sum()) for c in opts]
    xt = crosstab(out, banner="carrier", multi=cfg.multi, labels=cfg.labels)
    total = xt[(xt["column"] == "Total")].set_index("score")
    answered = raw[opts].notna().any(axis=1)
    assert total.loc["ethnicity", "n"] == int(answered.sum())
    assert total.loc["Q6_1_r", "value"] == pytest.approx(100 * (raw.loc[answered, "Q6_1_r"] == 1).mean())
