"""cxlib's survey statistics against R's ``survey`` package (Lumley; Debian's r-cran-survey 4.1), the oracle.

One Rscript run per module (``tests/rsurvey/oracle.R``): the data go to R as CSV files in a temporary folder,
R computes every figure independently from the raw answers (its own NPS coding, weighted means, shares,
linearised standard errors, domains, the two-group test, raking, a contrast of overlapping windows) and
cxlib must equal it to 1e-6 relative. Data: the sample (seeded weights) and, when present, the real mobile
(raked by cxlib to gender × age margins) and bank (its own weight) exports in ../shared/real-data.

R's traps avoided: ``rake()`` stops at ``epsilon = 1`` by default (here 1e-10 and maxit 1000);
``deff=TRUE`` is the without-replacement design effect (here ``deff = "replace"``).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxlib import scores, weights
from cxlib.data import load_responses

pytestmark = pytest.mark.rsurvey

HERE = Path(__file__).resolve().parent
REAL = HERE.parent.parent / "shared" / "real-data"
REL = 1e-6
# gender (Q1) and age band (Q2) margins the mobile export is raked to (round made-up population shares)
MOBILE_MARGINS = {"gender": {"1": 0.49, "2": 0.51},
                  "age": {"2": 0.12, "3": 0.18, "4": 0.17, "5": 0.16, "6": 0.17, "7": 0.20}}
TOP_FROM = {"sample": 4, "mobile": 4, "bank": 5}     # top box: 4-5 of 1-5, 5-7 of 1-7
SCALES = {"sample": (1, 5), "mobile": (1, 5), "bank": (1, 7)}


def _sample() -> pd.DataFrame:
    r = load_responses()
    r = r[r["responded_at"] >= "2026-07-01"]
    w = np.random.default_rng(25).uniform(0.3, 3.0, len(r)).round(4)
    return pd.DataFrame({"g": r["region"].astype(str), "w": w, "nps": r["nps"], "x": r["csat"]})


def _mobile() -> tuple[pd.DataFrame, pd.DataFrame] | None:
    sav = REAL / "Mobiles_feedback_4_weeks.sav"
    if not sav.exists():
        return None
    import pyreadstat

    df, meta = pyreadstat.read_sav(str(sav))
    frame = pd.DataFrame({"gender": df["Q1"].astype(int).astype(str), "age": df["Q2"].astype(int).astype(str)})
    w = weights.rake(frame, targets=MOBILE_MARGINS, tol=1e-12).weights.to_numpy()
    carrier = df["Q7"].map(meta.variable_value_labels["Q7"])
    return pd.DataFrame({"g": carrier, "w": w, "nps": df["Q8"], "x": df["Q11_1"]}), frame


def _bank() -> pd.DataFrame | None:
    sav = REAL / "bank_tidied.sav"
    if not sav.exists():
        return None
    import pyreadstat

    df, _ = pyreadstat.read_sav(str(sav))
    df = df[df["weight"].notna()]
    band = np.where(df["Fees"].isna(), None, np.where(df["Fees"] >= 4, "fees 4-7", "fees 1-3"))
    return pd.DataFrame({"g": band, "w": df["weight"], "nps": np.nan, "x": df["Overall"]}).dropna(subset=["g"])


def _windows() -> pd.DataFrame:
    """Two overlapping three-month windows of the sample (Jul–Sep and Aug–Oct 2026), with seeded weights."""
    r = load_responses()
    r = r[(r["responded_at"] >= "2026-07-01") & r["nps"].notna()]
    w = np.random.default_rng(7).uniform(0.3, 3.0, len(r)).round(4)
    y = np.where(r["nps"] >= 9, 1, np.where(r["nps"] <= 6, -1, 0))
    return pd.DataFrame({"w": w, "y": y, "in1": (r["responded_at"] < "2026-10-01").astype(int).to_numpy(),
                         "in2": (r["responded_at"] >= "2026-08-01").astype(int).to_numpy(),
                         "responded_at": r["responded_at"].to_numpy(), "nps": r["nps"].to_numpy()})


@pytest.fixture(scope="module")
def oracle(rscript, tmp_path_factory):
    """Every data set written for R, R run once; returns (data sets, R's results, R's raked weights)."""
    folder = tmp_path_factory.mktemp("rsurvey")
    sets = {"sample": _sample()}
    mobile, bank = _mobile(), _bank()
    if mobile is not None:
        sets["mobile"] = mobile[0]
        mobile[1].to_csv(folder / "rake.csv", index=False)
        pd.DataFrame([(v, c, s) for v, cs in MOBILE_MARGINS.items() for c, s in cs.items()],
                     columns=["var", "cat", "share"]).to_csv(folder / "margins.csv", index=False)
    if bank is not None:
        sets["bank"] = bank
    for name, frame in sets.items():
        frame.assign(top_from=TOP_FROM[name]).to_csv(folder / f"{name}.csv", index=False)
    (folder / "datasets.txt").write_text("\n".join(sets) + "\n")
    win = _windows()
    win[["w", "y", "in1", "in2"]].to_csv(folder / "windows.csv", index=False)
    run = subprocess.run([rscript, str(HERE / "rsurvey" / "oracle.R"), str(folder)], capture_output=True, text=True)
    assert run.returncode == 0, f"Rscript failed:\n{run.stderr[-2000:]}"
    raked = pd.read_csv(folder / "raked.csv")["weight"] if (folder / "raked.csv").exists() else None
    return sets, pd.read_csv(folder / "results.csv", keep_default_na=False, na_values=["NA"]), raked, win


def _data(oracle, name):
    sets = oracle[0]
    if name not in sets:
        pytest.skip(f"{REAL} lacks the {name} export: the real-data comparison with R needs it")
    return sets[name]


def _cxlib(frame, name, stat, *, by=None, variance=None):
    """cxlib's table of one statistic, and the factor to R's units (NPS and shares in %, R in fractions)."""
    kw = dict(weight="w", min_n=1, by=by, variance=variance)
    if stat == "nps":
        return scores.nps(frame, score="nps", **kw), "nps", 100.0
    if stat == "top":
        scale = (*SCALES[name], True, SCALES[name][1] - TOP_FROM[name] + 1)
        return scores.csat(frame, score="x", scale=scale, **kw), "csat", 100.0
    return scores.rating(frame, score="x", scale=SCALES[name], **kw), "rating", 1.0


def _r(oracle, name, stat, kind):
    r = oracle[1]
    out = r[(r["data"] == name) & (r["stat"] == stat) & (r["kind"] == kind)]
    if out.empty:
        pytest.skip(f"R computed no {stat} for {name}")
    return out.set_index("group")


CASES = [(name, stat) for name in ("sample", "mobile", "bank") for stat in ("nps", "top", "mean")
         if not (name == "bank" and stat == "nps")]


@pytest.mark.parametrize("name, stat", CASES)
def test_overall_and_by_segment_equal_r(oracle, name, stat):
    frame = _data(oracle, name)
    r = _r(oracle, name, stat, "own")
    total, col, unit = _cxlib(frame, name, stat)
    assert total.loc[0, col] == pytest.approx(unit * r.loc["__all__", "est"], rel=REL)
    assert total.loc[0, "se"] == pytest.approx(unit * r.loc["__all__", "se"], rel=REL)
    # R's with-replacement deff is var / (σ̂²/n) with σ̂² its svyvar (n − 1 denominator); cxlib's base is σ²/var
    if stat != "mean":
        n, ne = total.loc[0, "n"], total.loc[0, "n_eff"]
        assert (n - 1) / ne == pytest.approx(r.loc["__all__", "deff"], rel=REL)
    by = _cxlib(frame, name, stat, by="g")[0].set_index("g")
    groups = [g for g in r.index if g != "__all__"]
    assert len(groups) >= 2
    for g in groups:
        assert by.loc[g, col] == pytest.approx(unit * r.loc[g, "est"], rel=REL), g
        assert by.loc[g, "se"] == pytest.approx(unit * r.loc[g, "se"], rel=REL), g


@pytest.mark.parametrize("name, stat", CASES)
def test_domains_of_one_design_differ_by_the_documented_factor(oracle, name, stat):
    # svyby's domains keep the whole sample's N/(N − 1); cxlib treats each group as its own sample (n/(n − 1))
    frame = _data(oracle, name)
    r = _r(oracle, name, stat, "domain")
    by, col, unit = _cxlib(frame, name, stat, by="g")
    by = by.set_index("g")
    for g in r.index:
        n, big_n = by.loc[g, "n"], r.loc[g, "n"]
        if n < 2 or by.loc[g, "se"] == 0:
            continue
        factor = np.sqrt((n - 1) / n * big_n / (big_n - 1))
        assert by.loc[g, col] == pytest.approx(unit * r.loc[g, "est"], rel=REL), g
        assert by.loc[g, "se"] * factor == pytest.approx(unit * r.loc[g, "se"], rel=REL), g


@pytest.mark.parametrize("name, stat", CASES)
def test_two_group_test_equals_svyttest_and_svycontrast(oracle, name, stat):
    frame = _data(oracle, name)
    tt, con = _r(oracle, name, stat, "ttest"), _r(oracle, name, stat, "contrast")
    first, second = tt.index[0].split("|")
    assert tt.iloc[0]["est"] == pytest.approx(con.iloc[0]["est"], rel=1e-9)
    metric = {"nps": "nps", "top": "csat", "mean": "rating"}[stat]
    kw = {"nps": {"score": "nps"}, "mean": {"score": "x", "scale": SCALES[name]},
          "top": {"score": "x", "scale": (*SCALES[name], True, SCALES[name][1] - TOP_FROM[name] + 1)}}[stat]
    two = frame[frame["g"].isin([first, second])]
    t = scores.compare(two, metric=metric, by="g", reference=first, weight="w", min_n=1, **kw).iloc[0]
    unit = 1.0 if stat == "mean" else 100.0
    assert t["diff"] == pytest.approx(unit * con.iloc[0]["est"], rel=REL)
    # the same documented factor, group by group: R's variance of the difference is the sum of its domains'
    big_n = con.iloc[0]["n"]
    sides = _cxlib(two, name, stat, by="g")[0].set_index("g")
    r_var = sum(sides.loc[g, "se"] ** 2 * (sides.loc[g, "n"] - 1) / sides.loc[g, "n"] * big_n / (big_n - 1)
                for g in (first, second))
    assert t["se"] ** 2 == pytest.approx(sides.loc[first, "se"] ** 2 + sides.loc[second, "se"] ** 2, rel=1e-12)
    assert np.sqrt(r_var) == pytest.approx(unit * con.iloc[0]["se"], rel=REL)
    assert unit * tt.iloc[0]["se"] == pytest.approx(unit * con.iloc[0]["se"], rel=1e-6)


def test_raking_equals_r_rake(oracle):
    _data(oracle, "mobile")
    mine, theirs = oracle[0]["mobile"]["w"].to_numpy(), oracle[2].to_numpy()
    np.testing.assert_allclose(mine, theirs, rtol=REL)


def test_rolling_change_equals_svycontrast_on_the_union(oracle):
    # Jul–Sep against Aug–Oct 2026 (two shared months): R's contrast of two ratios of one design over the union
    win = oracle[3]
    r = _r(oracle, "windows", "nps", "overlap")
    own = _r(oracle, "windows", "nps", "own")
    t = scores.rolling(win, window=3, metric="nps", weight="w", min_n=1).set_index("period")
    row = t.loc[pd.Period("2026-10", "M")]
    assert row["diff_previous"] == pytest.approx(100 * r.iloc[0]["est"], rel=REL)
    assert row["se_previous"] == pytest.approx(100 * r.iloc[0]["se"], rel=REL)
    assert row["se"] == pytest.approx(100 * own.loc["2", "se"], rel=REL)
    assert t.loc[pd.Period("2026-09", "M"), "se"] == pytest.approx(100 * own.loc["1", "se"], rel=REL)
    # the shared months make the change less noisy than two independent windows would be
    assert row["se_previous"] < 0.8 * np.hypot(row["se"], t.loc[pd.Period("2026-09", "M"), "se"])
