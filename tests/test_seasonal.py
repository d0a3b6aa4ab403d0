"""Tests of cxlib.seasonal: the planted sample truth (December billing dip) and a synthetic series."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxlib import data as cxdata
from cxlib import scores as se

ROOT = Path(__file__).resolve().parents[1]


def test_seasonal_pattern_finds_only_december_billing():
    dip = json.loads((ROOT / "data" / "sample" / "truth.json").read_text())["seasonal_dip"]
    s = se.seasonal_pattern(cxdata.load_responses(), by="touchpoint")
    found = s.loc[s["seasonal"], ["touchpoint", "month"]].values.tolist()
    assert found == [[dip["touchpoint"], dip["calendar_month"]]]
    dec = s[(s.touchpoint == "billing") & (s.month == 12)].iloc[0]
    assert -40 < dec["effect"] < -20 and dec["ci_high"] < 0   # README: NPS about 25 -> -5 every December
    assert dec["stl_seasonal"] < -15                          # STL sees the same dip
    assert s.loc[s.month != 12, "seasonal"].sum() == 0


def test_seasonal_pattern_synthetic_and_thin_data():
    # 4 years of monthly data, 400 answers a month; a planted +1.0 CES bump every July, nothing else.
    # Under no seasonality the family-wise false-claim rate is about 2.5% (40 simulated data sets, one
    # false claim), so a fixed seed can show one: seed 5 flags November (p_adj 0.024). Seed 11 is used.
    rng = np.random.default_rng(11)
    months = pd.period_range("2022-01", "2025-12", freq="M")
    rows = []
    for p in months:
        x = np.clip(np.round(rng.normal(4 + (1.0 if p.month == 7 else 0), 1.2, 400)), 1, 7)
        rows.append(pd.DataFrame({"responded_at": p.to_timestamp() + pd.Timedelta(days=3), "ces": x}))
    df = pd.concat(rows, ignore_index=True)
    s = se.seasonal_pattern(df, metric="ces", by=None)
    assert s.loc[s["seasonal"], "month"].tolist() == [7]
    assert s.set_index("month").loc[7, "effect"] == pytest.approx(1.0, abs=0.2)
    thin = se.seasonal_pattern(df.sample(600, random_state=1), metric="ces", by=None)   # ~12 a month
    assert not thin["enough_data"].any() and not thin["seasonal"].any()
    assert thin["note"].str.startswith("not tested").all()
