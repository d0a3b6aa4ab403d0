"""The report on real exports nobody here wrote (../shared/real-data) and on a review-site-like export.

Expected values are computed in this file from the raw files with pyreadstat, pandas and numpy, never
with cxlib: the NPS and CES of the month, the carrier rows of the segment table, the bank survey's
weighted Shapley shares (all 64 sub-models fitted here by weighted least squares), its dropped-row
warning, and no "fix first" advice on a small segment. Skipped, saying why, without ../shared/real-data.
"""

from __future__ import annotations

import html as htmllib
import itertools
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from cxlib import drivers
from cxlib.data import load_config, load_responses, project_root
from cxlib.errors import DataError
from cxlib.report import render_report

ROOT = project_root()
REAL = ROOT.parent / "shared" / "real-data"
MOBILES, BANK = REAL / "Mobiles_feedback_4_weeks.sav", REAL / "bank_tidied.sav"


def need(path: Path):
    if not path.exists():
        pytest.skip(f"../shared/real-data is absent ({path}): the real-export checks cannot run here")


def visible(path: Path) -> str:
    body = re.sub(r"<style.*?</style>|<title>.*?</title>|<img[^>]*>|<svg.*?</svg>", " ",
                  path.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", body)))


def nps_of(x: pd.Series) -> float:
    x = x.dropna()
    return 100 * ((x >= 9).mean() - (x <= 6).mean())


@pytest.fixture(scope="module")
def mobiles_raw():
    need(MOBILES)
    pyreadstat = pytest.importorskip("pyreadstat")
    raw, meta = pyreadstat.read_sav(str(MOBILES))
    raw["StartDate"] = pd.to_datetime(raw["StartDate"])
    raw["carrier"] = raw["Q7"].map(meta.variable_value_labels["Q7"])
    raw.loc[raw["Q7"] == 15, "carrier"] = np.nan        # 15 = "Don't know": not a carrier
    raw["ces"] = raw["Q12_3"].where(raw["Q12_3"] != 6)   # 6 = "Don't know": never a score
    return raw


@pytest.fixture(scope="module")
def mobiles_report(tmp_path_factory):
    need(MOBILES)
    out = tmp_path_factory.mktemp("mobiles")
    cmd = [sys.executable, "-m", "cxlib.report", "--config", "examples/mobiles.yml", "--output-dir", str(out)]
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    return Path(run.stdout.strip().splitlines()[-1])


def test_mobile_first_month_renders_as_partial_with_real_dates(mobiles_report, mobiles_raw):
    text = visible(mobiles_report)
    august = mobiles_raw[mobiles_raw["StartDate"].dt.month == 8]
    first, last = august["StartDate"].min(), august["StartDate"].max()
    days = f"{first.day}–{last.day} Aug 2019"                 # the dates the data really cover
    assert f"August 2019 ({days}, partial)" in text and f"August 2019 is partial: the data cover {days}" in text
    july = mobiles_raw[mobiles_raw["StartDate"].dt.month == 7]["StartDate"]
    assert f"against its own average over {july.min().day}–{july.max().day} Jul 2019" in text


def test_mobile_headline_scores_equal_counts_from_the_file(mobiles_report, mobiles_raw):
    text = visible(mobiles_report)
    august = mobiles_raw[mobiles_raw["StartDate"].dt.month == 8]
    q8 = august["Q8"].dropna()
    p, d = (q8 >= 9).mean(), (q8 <= 6).mean()
    se = 100 * math.sqrt((p + d - (p - d) ** 2) / len(q8))     # Wald, trinomial variance
    nps = 100 * (p - d)
    # the card shows the score, then the promoter mix, then the interval and the base
    card = re.escape(f"NPS {nps:+.0f} ") + ".{0,80}" + re.escape(
        f"95% CI {nps - 1.959964 * se:+.0f} to {nps + 1.959964 * se:+.0f} · n = {len(q8)}")
    assert re.search(card, text)
    ces = august["ces"].dropna()
    assert f"CES (mean) {ces.mean():.2f}" in text and f"n = {len(ces)}" in text


def test_mobile_carrier_rows_of_the_segment_table(mobiles_report, mobiles_raw):
    text = visible(mobiles_report)
    august = mobiles_raw[mobiles_raw["StartDate"].dt.month == 8].dropna(subset=["carrier", "Q8"])
    sizes = august["carrier"].value_counts()
    assert len(mobiles_raw["carrier"].dropna().unique()) == 14   # every carrier has a row or is pooled
    for carrier, n in sizes.head(12).items():
        shown = f"{nps_of(august.loc[august['carrier'] == carrier, 'Q8']):+.0f}" if n >= 30 else "– base too small"
        assert f"Carrier {carrier} {shown}" in text, carrier
    rest = sizes.iloc[12:]
    assert f"Carrier Other ({len(rest)} values, n = {int(rest.sum())})" in text


def test_no_fix_first_advice_on_a_small_segment(tmp_path, mobiles_raw):
    path = render_report("2019-08", config=ROOT / "examples" / "mobiles.yml", segment="carrier=Consumer Cellular",
                         output_dir=tmp_path)
    text = visible(path)
    n = int(mobiles_raw.loc[mobiles_raw["carrier"] == "Consumer Cellular", ["Q8", "Q11_1", "Q11_2", "Q11_3"]]
            .dropna().shape[0])
    assert n < 30 and "Fix first" not in text
    # three drivers: the base rule needs max(30, 10 per driver) = 30 complete responses
    assert (f"The driver analysis needs at least 30 complete responses" in text
            and f"{n:,} answered the NPS question and every rating" in text and "no chart and no \"fix first\"" in text)


def weighted_r2(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    design = np.column_stack([np.ones(len(y)), x]) * np.sqrt(w)[:, None]
    beta, *_ = np.linalg.lstsq(design, y * np.sqrt(w), rcond=None)
    resid = y - np.column_stack([np.ones(len(y)), x]) @ beta
    ybar = np.average(y, weights=w)
    return 1 - np.sum(w * resid ** 2) / np.sum(w * (y - ybar) ** 2)


def bank_reference():
    """Weighted Shapley shares of the six drivers and the rows listwise deletion drops, from the raw file."""
    need(BANK)
    pyreadstat = pytest.importorskip("pyreadstat")
    raw, _ = pyreadstat.read_sav(str(BANK))
    cols = ["Fees", "Interest", "Phone", "Branch", "Online", "ATM"]
    complete = raw.dropna(subset=["Overall", "weight", *cols])
    y, w, x = complete["Overall"].to_numpy(), complete["weight"].to_numpy(), complete[cols].to_numpy()
    p = len(cols)
    r2 = {s: weighted_r2(x[:, list(s)], y, w) if s else 0.0 for k in range(p + 1)
          for s in itertools.combinations(range(p), k)}
    shapley = np.zeros(p)      # by the definition: average gain over every order of entry
    for j in range(p):
        for s, v in r2.items():
            if j not in s:
                k = len(s)
                shapley[j] += math.factorial(k) * math.factorial(p - k - 1) / math.factorial(p) * (
                    r2[tuple(sorted((*s, j)))] - v)
    return cols, shapley / shapley.sum(), len(raw) - len(complete)


def test_bank_weighted_shapley_shares_and_dropped_rows():
    cols, shares, dropped = bank_reference()
    cfg = load_config(ROOT / "examples" / "bank.yml")
    responses = load_responses(cfg)
    with pytest.warns(UserWarning, match=r"drops 73% of the rows .*'branch' costs the most rows"):
        ours = drivers.relative_importance(responses, score="rating", drivers=cfg.drivers, weight="weight",
                                           scale=cfg.scales["rating"]).set_index("driver")
    names = dict(zip(cols, cfg.drivers))
    for c, share in zip(cols, shares):
        assert ours.loc[names[c], "share"] == pytest.approx(share, rel=1e-9), c
    assert ours["n_dropped"].iloc[0] == dropped and ours["most_missing"].iloc[0] == "branch"


def test_bank_single_wave_report(tmp_path):
    need(BANK)
    _, shares, dropped = bank_reference()
    cmd = [sys.executable, "-m", "cxlib.report", "--config", "examples/bank.yml", "--output-dir", str(tmp_path)]
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    text = visible(Path(run.stdout.strip().splitlines()[-1]))
    assert "one wave (no dates)" in text and "no comparison over time" in text and "no trend to draw" in text
    assert f"Responses missing any rating are left out: {100 * dropped / 896:.0f}% of them ({dropped})" in text
    assert f"Fees: {shares[0]:.0%} of what the ratings explain" in text
    assert "NPS" not in text.rsplit("About this report", 1)[1]   # "About" defines only the configured score


def review_export(folder: Path, *, drop_invalid: bool) -> Path:
    """A review-site-like export: a 1-10 rating, recommended yes/no, 97 airlines, 26 placeholder dates."""
    rng = np.random.default_rng(8)
    n = 1200
    days = pd.date_range("2015-01-01", "2015-06-30", freq="D")
    df = pd.DataFrame({"id": range(n), "overall": rng.integers(1, 11, n),
                       "airline": [f"Airline {i:02d}" for i in rng.integers(0, 97, n)],
                       "date": rng.choice(days, n).astype("datetime64[ns]").astype(str)})
    df["recommended"] = np.where(df["overall"] >= 6, "yes", "no")
    df.loc[:25, "date"] = "1970-01-01"
    df.to_csv(folder / "reviews.csv", index=False)
    cfg = {"responses": {"path": str(folder / "reviews.csv"),
                         "columns": {"response_id": "id", "responded_at": "date", "rating": "overall",
                                     "recommend": "recommended"},
                         "segments": {"airline": "airline"},
                         "scales": {"rating": {"min": 1, "max": 10, "top_box": 3}},
                         **({"dates": {"drop_invalid": True}} if drop_invalid else {})}}
    (folder / "cx.yml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return folder / "cx.yml"


def test_review_export_placeholder_dates_are_refused_or_counted(tmp_path):
    with pytest.raises(DataError, match=r"'date' \(responded_at\): implausible dates.*26 row\(s\): 1 .*drop_invalid"):
        load_responses(review_export(tmp_path, drop_invalid=False))
    path = render_report("2015-06", config=review_export(tmp_path, drop_invalid=True), output_dir=tmp_path / "out")
    text = visible(path)
    raw = pd.read_csv(tmp_path / "reviews.csv")
    june = raw[raw["date"].str.startswith("2015-06")]
    assert "told in Rating" in text and "26 responses have no usable date" in text
    assert f"Rating (mean) {june['overall'].mean():.2f}" in text
    yes = (june["recommended"] == "yes").mean()
    assert f"Would recommend (% yes) {100 * yes:.0f}%" in text
    most = june["airline"].value_counts()
    assert f"Other ({len(most) - 12} values, n = {int(most.iloc[12:].sum())})" in text
