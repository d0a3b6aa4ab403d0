"""Driver matrices from cross-product sums and the random-groups jackknife."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from cxlib import data, drivers
from cxlib.drivers import _engine as eng
from cxlib.drivers._moments import corr_from_moments, group_ids, moments
from cxlib.errors import ParameterError

DRIVERS = ["support_speed", "ease_of_use", "billing_clarity", "reliability"]


def test_matrix_from_sums_equals_the_row_matrix(toy):
    # Reference: the two-pass weighted correlation of the rows (np.cov-style), here _engine.weighted_corr.
    cols = ["a", "b", "c", "nps"]
    centre = np.array([3.0, 3.0, 3.0, 5.0])
    got = corr_from_moments(moments(toy, cols, "w", centre), 4)[0]
    np.testing.assert_allclose(got, eng.weighted_corr(toy[cols].to_numpy(), toy["w"].to_numpy()), rtol=1e-12)
    np.testing.assert_allclose(corr_from_moments(moments(toy, cols, None, centre), 4)[0],
                               np.corrcoef(toy[cols].to_numpy(), rowvar=False), rtol=1e-12)


def test_groups_are_md5_of_seed_and_id():
    ids = pd.DataFrame({"response_id": [f"R{i}" for i in range(200)]})
    by_hand = [int(hashlib.md5(f"7R{i}".encode()).hexdigest()[:2], 16) % 16 for i in range(200)]
    assert group_ids(ids, "response_id", 16, 7).tolist() == by_hand
    t = data.as_table(ids)
    assert t.mutate(g=group_ids(t, "response_id", 16, 7)).execute()["g"].tolist() == by_hand
    with pytest.raises(ParameterError, match="jackknife"):
        group_ids(ids, "response_id", 1, 0)


def test_jackknife_intervals_agree_with_the_row_bootstrap():
    # Two estimates of the same sampling error: the delete-a-group jackknife (G = 50) and a 1,000-resample
    # row bootstrap must give interval widths within 30% of each other for every driver, on the sample.
    r = data.load_responses()
    jk = drivers.relative_importance(r, score="nps", drivers=DRIVERS, jackknife=50).set_index("driver")
    bs = drivers.relative_importance(r, score="nps", drivers=DRIVERS, bootstrap=1000, seed=3).set_index("driver")
    width = lambda t: t["importance_ci_high"] - t["importance_ci_low"]   # noqa: E731
    ratio = width(jk) / width(bs.loc[jk.index])
    assert ratio.between(0.7, 1.3).all(), ratio
    assert (jk["importance_ci_low"] < jk["importance"]).all() and (jk["importance"] < jk["importance_ci_high"]).all()
    assert jk["n_boot"].eq(50).all()


def test_bootstrap_on_a_table_asks_for_the_jackknife():
    t = data.as_table(data.load_responses())
    with pytest.raises(ParameterError, match="jackknife=G"):
        drivers.relative_importance(t, score="nps", drivers=DRIVERS, bootstrap=100)
    with pytest.raises(ParameterError, match="kind='ols'"):
        drivers.relative_importance(t, score="nps", drivers=DRIVERS, kind="logit")
    with pytest.raises(ParameterError, match="fitted on rows"):
        drivers.fit_drivers(t, score="nps", drivers=DRIVERS)
