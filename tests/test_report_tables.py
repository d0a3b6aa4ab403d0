"""The report on a database table (a server or large-file config) says what the report on the same rows as
a DataFrame says: every section's HTML is identical, on DuckDB and on a real PostgreSQL.

The table path computes the statistics over months in the database and pulls only row-level slices (the
report month's responses, the sentiment sample, responses with tickets, the follow-up list's candidates;
customers are scored in the database); the DataFrame path reads every row. Equal HTML shows the table path loses nothing the
report shows. The drivers are the one difference: in the database their intervals come from the
random-groups jackknife (a row bootstrap needs rows), which the section states, and which gives the same
numbers from the DataFrame.
"""

from __future__ import annotations

import re

import warnings
from pathlib import Path

import pandas as pd
import pytest

from cxlib import data
from cxlib.errors import ParameterError
from cxlib.report import sections

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(autouse=True)
def _large_month(monkeypatch):
    """Every month counts as large here: the segment table and the banner sum in the database on every engine
    (the sample's small months would otherwise be summed from the pulled rows, the same on every engine)."""
    from cxlib.report.sections import segments

    monkeypatch.setattr(segments, "MONTH_ROWS_IN_DATABASE", 0)


@pytest.fixture(scope="module")
def inputs():
    cfg = data.load_config()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cfg, data.load_responses(cfg), data.load_tickets(cfg), data.load_accounts(cfg)


def _report(cfg, responses, tickets, accounts, *, segment=None, tmp=None) -> dict:
    scope = sections.context(cfg, responses, month="latest", segment=segment)
    scored = sections.customer_scores(scope, tickets, accounts)
    out = {"title": sections.title(scope)}
    out["story"] = sections.story(scope, scored)
    for name in ("headline", "what_changed", "trends", "segment_table", "banner", "drivers"):
        out[name] = getattr(sections, name)(scope)
    out["voice"] = sections.voice(scope, cache_dir=None)
    out["operations"] = sections.operations(scope, tickets, scored)
    out["worth"] = sections.worth(scope, scored)
    out["about"] = sections.about(scope, digests={})
    return {k: str(v) for k, v in out.items()}, scope


_DRIVER_METHOD = re.compile(r"<li>What drives the scores: a Shapley.*?</li>")


def _same(expected: dict, got: dict) -> None:
    for name, html in expected.items():
        if name == "drivers":   # the method differs and is stated: see _same_drivers
            continue
        if name == "about":     # so does its line in "How to read this report"
            html, got = _DRIVER_METHOD.sub("", html), {**got, name: _DRIVER_METHOD.sub("", got[name])}
        assert got[name] == html, f"section {name} differs on the table"


def _same_drivers(frame_scope, scope) -> None:
    """The drivers on the table: the jackknife stated, the estimates as from the DataFrame, the intervals
    those of the jackknife on the DataFrame's rows (the same method) and close to the bootstrap's."""
    from cxlib import drivers as drv

    a, b = sections.driver_results(frame_scope), sections.driver_results(scope)
    sections.drivers(scope), sections.drivers(frame_scope)     # the method goes to "How to read this report"
    assert "random-groups jackknife (50 groups" in scope.methods["drivers"]
    assert "200 bootstrap resamples" in frame_scope.methods["drivers"]
    cols = ["driver", "importance", "share", "rank", "r2", "n"]
    pd.testing.assert_frame_equal(a["importance"][cols], b["importance"][cols])
    jk = drv.relative_importance(a["window"], score="nps", drivers=frame_scope.cfg.drivers, kind="ols",
                                 jackknife=50, scale=frame_scope.cfg.scales["nps"])
    ci = ["driver", "share_ci_low", "share_ci_high"]
    pd.testing.assert_frame_equal(jk[ci], b["importance"][ci], rtol=1e-9)
    # close: the two methods' interval ends within 0.06 of each other on a share (both about ±0.05 wide)
    ends = a["importance"].set_index("driver")[ci[1:]] - b["importance"].set_index("driver")[ci[1:]]
    assert float(ends.abs().max().max()) < 0.06
    assert a["advice"]["driver"].tolist() == b["advice"]["driver"].tolist()


@pytest.mark.duckdb
@pytest.mark.parametrize("segment", [None, "region=EMEA"])
def test_every_section_is_the_same_from_a_duckdb_table(inputs, tmp_path, segment):
    cfg, responses, tickets, accounts = inputs
    paths = {}
    for name, frame in (("responses", responses), ("tickets", tickets), ("accounts", accounts)):
        paths[name] = tmp_path / f"{name}.parquet"
        frame.to_parquet(paths[name])
    con = data.duckdb_connection()
    tables = {k: con.read_parquet(str(p)) for k, p in paths.items()}
    expected, frame_scope = _report(cfg, responses, tickets, accounts, segment=segment)
    got, scope = _report(cfg, tables["responses"], tables["tickets"], tables["accounts"], segment=segment)
    assert scope.source is not None and len(scope.data) < len(subset_or_all(responses, segment))
    # the month's rows hold what the sections read from rows: the sample's 21 columns less the customer and
    # ticket ids and the 8 drivers (those are read in the database), and every section above is the same
    assert list(scope.data.columns) == ["response_id", "responded_at", "nps", "csat", "ces", "comment", "region",
                                        "plan", "touchpoint", "channel", "pilot_arm"]
    # the only difference: the table report says what it computed in the database and what it read as rows
    note = scope.notes[0]
    n_month = len(data.subset(subset_or_all(responses, segment), month="2026-10"))
    n_window = int(responses["responded_at"].ge(pd.Timestamp("2024-11-01")).sum())
    assert note == (f"The database holds {len(responses):,} responses; this report computes on the {n_window:,} of "
                    f"the 24 months it shows (Nov 2024–Oct 2026) in the database and reads the {n_month:,} "
                    "responses of Oct 2026 as rows.")
    _same(expected, _without_note(got, note))
    _same_drivers(frame_scope, scope)
    assert frame_scope.month == scope.month == "2026-10"


def _without_note(got: dict, note: str) -> dict:
    """The table report less the sentence saying how many rows it read (in the title and in About)."""
    from cxlib.report import html as h

    return {**got, "title": got["title"].replace(str(h.note(note)), ""),
            "about": got["about"].replace(f"<li>{h.escape(note)}</li>", "")}


def subset_or_all(frame, segment):
    return data.subset(frame, segment=segment) if segment else frame


@pytest.mark.postgres
def test_every_section_is_the_same_from_postgresql(inputs, postgres_url):
    from cxlib.data.remote import connect_url

    cfg, responses, tickets, accounts = inputs
    con = connect_url(postgres_url, variable="CX_TEST_PG", section="test")   # made as a config's connection is
    tables = {}
    for name, frame in (("responses", responses), ("tickets", tickets), ("accounts", accounts)):
        if f"report_{name}" in con.list_tables():
            con.drop_table(f"report_{name}")
        tables[name] = con.create_table(f"report_{name}", frame)
    expected, frame_scope = _report(cfg, responses, tickets, accounts)
    got, scope = _report(cfg, tables["responses"], tables["tickets"], tables["accounts"])
    _same(expected, _without_note(got, scope.notes[0]))
    _same_drivers(frame_scope, scope)


@pytest.mark.spark
@pytest.mark.parametrize("segment", [None, "region=EMEA"])
def test_every_section_is_the_same_from_spark(inputs, tmp_path, spark_backend, monkeypatch, segment):
    # Spark local[2] (make test-spark): the sample as Parquet tables, as a warehouse holds them, named in the
    # config (table: + connection: env:VARIABLE holding a pyspark:// URL) and validated there; every section
    # as from the DataFrame, the drivers' intervals from the random-groups jackknife, as on DuckDB.
    cfg, responses, tickets, accounts = inputs
    canonical = {}
    for name, frame in (("responses", responses), ("tickets", tickets), ("accounts", accounts)):
        path = tmp_path / f"{name}.parquet"
        frame.to_parquet(path, coerce_timestamps="us")   # Spark reads no nanosecond Parquet timestamps
        spark_backend.read_parquet(str(path), table_name=f"spark_{name}")
        canonical[name] = {"table": f"spark_{name}", "connection": "env:CX_TEST_SPARK_URL",
                           "columns": {c: c for c in getattr(cfg, name).columns}}
    monkeypatch.setenv("CX_TEST_SPARK_URL", "pyspark://?spark.master=local[2]")   # the running session
    import yaml

    doc = yaml.safe_load(_server_config(tmp_path, **canonical).read_text())
    for name in canonical:   # segments and drivers under their canonical names too
        for key in ("segments", "drivers"):
            if key in doc[name]:
                doc[name][key] = {k: k for k in doc[name][key]}
    spark_cfg = data.load_config(doc)
    tables = {name: getattr(data, f"load_{name}")(spark_cfg) for name in canonical}
    assert all(data.is_table(t) for t in tables.values())
    expected, frame_scope = _report(cfg, responses, tickets, accounts, segment=segment)
    got, scope = _report(cfg, tables["responses"], tables["tickets"], tables["accounts"], segment=segment)
    n_month = len(data.subset(subset_or_all(responses, segment), month="2026-10"))
    assert scope.source is not None and len(scope.data) == n_month
    _same(expected, _without_note(got, scope.notes[0]))
    _same_drivers(frame_scope, scope)


def test_a_slice_over_the_row_cap_is_refused_with_its_count(inputs):
    cfg, responses, _, _ = inputs
    # in the database path only the month's responses leave it: 1,030 in October 2026 (as counted by pandas)
    assert len(data.subset(responses, month="2026-10")) == 1030
    with pytest.raises(ParameterError, match=r"holds 1,030 rows, more than the 1,000 allowed"):
        sections.context(cfg.__class__(**{**cfg.__dict__, "engines": {**cfg.engines, "max_rows": 1000}}),
                         data.as_table(responses), month="latest")


def test_jobs_resolve_the_same_month_and_values_on_a_table(inputs):
    from cxlib.report.jobs import resolve_jobs

    cfg, responses, _, _ = inputs
    table = data.as_table(responses)
    for kw in ({}, {"month": "2026-09"}, {"by": "region"}, {"segment": "plan=Pro"}, {"all_months": True}):
        assert resolve_jobs(cfg, table, **kw) == resolve_jobs(cfg, responses, **kw), kw
    with pytest.raises(ParameterError, match="outside the data"):
        resolve_jobs(cfg, table, month="2030-01")


def _server_config(tmp_path, *, responses: dict, tickets: dict, accounts: dict) -> Path:
    """cx.yml with each table section replaced (paths made absolute: the config lives in tmp_path)."""
    import yaml

    raw = yaml.safe_load((data.project_root() / "cx.yml").read_text())
    for name, source in (("responses", responses), ("tickets", tickets), ("accounts", accounts)):
        section = {k: v for k, v in raw[name].items() if k != "path"}
        raw[name] = {**section, **source}
    raw["codebook"] = str(data.project_root() / raw["codebook"])
    raw["cache_dir"] = None
    path = tmp_path / "cx.yml"
    path.write_text(yaml.safe_dump(raw))
    return path


def _run_cli(config: Path, out: Path, env=None) -> dict:
    import json
    import os
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "cxlib.report", "--config", str(config), "--output-dir", str(out)],
                         capture_output=True, text=True, cwd=data.project_root(), env={**os.environ, **(env or {})},
                         timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    (folder,) = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith("_")]
    return {"run": json.loads((folder / "run.json").read_text()), "stderr": run.stderr,
            "html": (folder / f"cx-report-{folder.name}.html").read_text()}


def _expected_headline(responses: pd.DataFrame) -> tuple:
    """October 2026's NPS and n, and its change on September, by hand from the answers."""
    def nps(month):
        x = data.subset(responses, month=month)["nps"].dropna()
        return 100 * ((x >= 9).mean() - (x <= 6).mean()), len(x)

    (now, n), (before, _) = nps("2026-10"), nps("2026-09")
    return round(now, 2), n, round(now - before, 2)


@pytest.mark.duckdb
def test_the_report_cli_on_duckdb_files(inputs, tmp_path):
    cfg, responses, _, _ = inputs
    files = {name: {"path": str(getattr(cfg, name).path), "engine": "duckdb"}
             for name in ("responses", "tickets", "accounts")}
    got = _run_cli(_server_config(tmp_path, **files), tmp_path / "reports")
    head = got["run"]["headline"]
    assert (head["value"], head["n"], head["diff"]) == _expected_headline(responses)
    assert "in the database and reads the" in got["html"]


@pytest.mark.postgres
def test_the_report_cli_on_a_postgresql_server(inputs, tmp_path, postgres_url):
    import ibis

    cfg, responses, tickets, accounts = inputs
    con = ibis.connect(postgres_url)
    raw = {"responses": responses, "tickets": tickets, "accounts": accounts}
    for name, frame in raw.items():   # the canonical tables, as a warehouse would hold them
        if f"cli_{name}" in con.list_tables():
            con.drop_table(f"cli_{name}")
        con.create_table(f"cli_{name}", frame)
    canonical = {name: {"table": f"cli_{name}", "connection": "env:CX_TEST_WAREHOUSE",
                        "columns": {c: c for c in getattr(cfg, name).columns}} for name in raw}
    config = _server_config(tmp_path, **canonical)
    import yaml

    doc = yaml.safe_load(config.read_text())
    for name in raw:   # segments and drivers under their canonical names too
        for key in ("segments", "drivers"):
            if key in doc[name]:
                doc[name][key] = {k: k for k in doc[name][key]}
    config.write_text(yaml.safe_dump(doc))
    got = _run_cli(config, tmp_path / "reports", env={"CX_TEST_WAREHOUSE": postgres_url})
    head = got["run"]["headline"]
    assert (head["value"], head["n"], head["diff"]) == _expected_headline(responses)
    port = postgres_url.rsplit(":", 1)[1].split("/")[0]
    for text in (got["html"], str(got["run"]), got["stderr"]):
        assert postgres_url not in text and f"127.0.0.1:{port}" not in text


def test_a_raked_report_is_the_same_from_a_table():
    # Weighting to targets is done month by month on the pulled rows: the same weights as on every row.
    root = data.project_root()
    cfg = data.load_config({"responses": {"path": str(root / "data/sample/responses.csv"),
                                          "columns": {"nps": "LTR_0_10", "responded_at": "SubmittedAt"},
                                          "segments": {"region": "Region", "plan": "Plan"}},
                            "weighting": {"targets": {"region": {"North America": 0.15, "EMEA": 0.55,
                                                                 "APAC": 0.15, "LATAM": 0.15}}},
                            "cache_dir": None})
    frame = data.load_responses(cfg)
    a = sections.context(cfg, frame, month="2026-10")
    b = sections.context(cfg, data.as_table(frame), month="2026-10")
    assert a.weight == b.weight == "weight"
    for name in ("headline", "what_changed", "trends", "segment_table", "banner"):
        assert str(getattr(sections, name)(a)) == str(getattr(sections, name)(b)), name


def test_a_real_spss_export_through_duckdb_reports_like_pandas():
    # The mobile operator survey (../shared/real-data): a .sav read once by pandas, handed to DuckDB; one
    # partial month, 14 carriers, "Don't know" codes. Every section must read the same.
    import yaml

    real = data.project_root().parent / "shared" / "real-data" / "Mobiles_feedback_4_weeks.sav"
    if not real.exists():
        pytest.skip(f"../shared/real-data is absent ({real}): the real-export check cannot run here")
    examples = data.project_root() / "examples"
    raw = yaml.safe_load((examples / "mobiles.yml").read_text())
    raw["responses"]["path"] = str(real)
    raw["codebook"] = str(examples / raw["codebook"])
    raw["cache_dir"] = None
    plain = data.load_config(raw)
    duck = data.load_config({**raw, "responses": {**raw["responses"], "engine": "duckdb"}})
    table = data.load_responses(duck)
    assert data.is_table(table)
    a = sections.context(plain, data.load_responses(plain), month="latest")
    b = sections.context(duck, table, month="latest")
    assert (a.month, a.partial) == (b.month, b.partial) == ("2019-08", True)
    for name in ("title", "headline", "what_changed", "segment_table", "banner"):
        assert str(getattr(sections, name)(a)) == str(getattr(sections, name)(b)), name
    # The drivers' intervals on the table (the random-groups jackknife, groups by a hash of the response id)
    # are the same on every run.
    again = sections.context(duck, data.load_responses(duck), month="latest")
    assert str(sections.drivers(b)) == str(sections.drivers(again))


def test_a_table_without_dates_and_a_past_month_segment(inputs):
    from cxlib.report.jobs import resolve_jobs

    cfg, responses, _, _ = inputs
    undated = data.as_table(responses.drop(columns=["responded_at"]))
    assert resolve_jobs(cfg, undated) == resolve_jobs(cfg, responses.drop(columns=["responded_at"]))
    # A past month whose last days have no answers in a segment is not "partial" because later rows exist;
    # a segment's first month, partial flag and undated count are its own, as on the DataFrame.
    cut = responses.loc[~(data.subset(responses, month="2026-09")["responded_at"].dt.day >= 29)
                        .reindex(responses.index, fill_value=False)].copy()
    cut.loc[cut.index[:3], "responded_at"] = pd.NaT
    for segment in (None, "region=APAC"):
        a = sections.context(cfg, cut, month="2026-09", segment=segment)
        b = sections.context(cfg, data.as_table(cut), month="2026-09", segment=segment)
        assert a.partial is False
        assert (a.month, a.partial, a.first_month) == (b.month, b.partial, b.first_month), segment
        assert [n for n in a.notes] == [n for n in b.notes if not n.startswith("The database holds")], segment


def test_accounts_over_the_row_cap_are_scored_in_the_database(inputs):
    # In the database every customer is scored there; the accounts (12,000) never come out as rows, so a
    # row cap below their number leaves the customer sections in, with the DataFrame path's scores.
    cfg, responses, tickets, accounts = inputs
    assert len(accounts) == 12_000
    capped = cfg.__class__(**{**cfg.__dict__, "engines": {**cfg.engines, "max_rows": 11_000}})
    scope = sections.context(capped, data.as_table(responses), month="latest")
    scored = sections.customer_scores(scope, data.as_table(tickets), data.as_table(accounts))
    assert data.is_table(scored.table) and not [n for n in scope.notes if n.startswith("Customer health")]
    frame = sections.customer_scores(sections.context(cfg, responses, month="latest"), tickets, accounts)
    assert scored.model.auc == pytest.approx(frame.model.auc, rel=1e-9)


def test_notebook_04_reads_the_reports_handoffs_and_follow_up_on_a_table(inputs):
    # In the database path scope.data holds the report month only; the handoff analysis joins the six months'
    # responses that name a ticket, pulled as rows. Notebook 04 reads this result, as the section does.
    cfg, responses, tickets, accounts = inputs
    scope = sections.context(cfg, data.as_table(responses), month="2026-10")
    assert scope.table is not None and set(scope.data["responded_at"].dt.strftime("%Y-%m")) == {"2026-10"}
    res = sections.operations_results(scope, data.as_table(tickets))
    # counted here from the rows: May–Oct 2026 responses whose ticket is in the tickets file
    window = responses[responses["responded_at"].between(pd.Timestamp("2026-05-01"), pd.Timestamp("2026-10-31 23:59:59"))]
    assert res["months"] == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    assert len(res["journeys"]) == int(window["ticket_id"].isin(tickets["ticket_id"]).sum())
    sections.operations(scope, data.as_table(tickets), None)
    kept = pd.DataFrame(scope.tables["handoffs"]["rows"])
    assert kept["n"].tolist() == res["handoffs"]["n"].tolist()         # the section showed the table it read
    scored = sections.customer_scores(scope, data.as_table(tickets), data.as_table(accounts))
    listed = sections.follow_up_results(scope, scored)
    assert f"{len(listed):,} customers to contact" in str(sections.follow_up(scope, scored))
    assert sections.follow_up_results(scope, scored) is listed         # computed once per report


def test_the_month_comments_are_capped_in_the_database_and_the_cap_stated(inputs):
    from cxlib.report.sections.voice import month_comments

    cfg, responses, _, _ = inputs
    capped = cfg.__class__(**{**cfg.__dict__, "engines": {**cfg.engines, "comment_sample": 100}})
    scope = sections.context(capped, data.as_table(responses), month="latest")
    month = data.subset(responses, month="2026-10")
    with_text = month[month["comment"].notna()]
    assert len(with_text) > 100
    got = month_comments(scope)
    kept = got.loc[got["comment"].notna()]
    # 100 commented responses, every response without a comment, the same sample on a second run
    assert len(kept) == 100 and int(got["comment"].isna().sum()) == int(month["comment"].isna().sum())
    # which 100: the lowest hashes of the response ids (ties by id), sorted here on the whole rows
    hashed = with_text.assign(h=pd.util.hash_pandas_object(with_text["response_id"].astype(str), index=False).to_numpy())
    assert sorted(kept["response_id"]) == sorted(hashed.sort_values(["h", "response_id"])["response_id"][:100])
    again = month_comments(sections.context(capped, data.as_table(responses), month="latest"))
    assert sorted(again.loc[again["comment"].notna(), "response_id"]) == sorted(kept["response_id"])
    # spread over the month, not its first ids (the sample's ids follow time: the first 100 by id all fall in
    # its first days): kept comments from both halves of October, each half holding 25-75% of them
    assert sorted(kept["response_id"]) != sorted(with_text["response_id"])[:100]
    early = (kept["responded_at"] < pd.Timestamp("2026-10-16")).mean()
    assert 0.25 < early < 0.75
    assert any(f"read 100 of the {len(with_text):,} comments" in n and "spread over the month" in n
               for n in scope.data_notes)
    frame_scope = sections.context(capped, responses, month="latest")
    assert len(month_comments(frame_scope)) == len(month)   # the DataFrame path reads every comment


def test_the_notebooks_annotation_in_the_database_reads_the_capped_comments_the_section_reads(inputs):
    # notebook 02 calls theme_results(every_month=True) before voice(): in the database path the month's
    # themes must rest on the same engines.comment_sample comments as the section's topics and About's note
    # (100 here), not on every comment of the month under the note that says 100 were read
    cfg, responses, _, _ = inputs
    capped = cfg.__class__(**{**cfg.__dict__, "engines": {**cfg.engines, "comment_sample": 100}})
    scope = sections.context(capped, data.as_table(responses), month="latest")
    every = sections.theme_results(scope, every_month=True)
    assert int(every["now"]["comment"].notna().sum()) == 100 == int(every["every"]["comment"].notna().sum())
    assert sections.theme_results(scope)["now"] is every["now"]
    assert any("read 100 of the" in n for n in scope.data_notes)


def test_the_follow_up_list_of_a_table_report_is_the_dataframe_reports(inputs):
    # In the database path the list is joined, ranked and capped in the database and only its customers'
    # rows and comments are pulled; the second method is the DataFrame report's list (pandas throughout).
    cfg, responses, tickets, accounts = inputs
    frame_scope = sections.context(cfg, responses, month="2026-10")
    want = sections.follow_up_results(frame_scope, sections.customer_scores(frame_scope, tickets, accounts))
    scope = sections.context(cfg, data.as_table(responses), month="2026-10")
    got = sections.follow_up_results(scope, sections.customer_scores(scope, data.as_table(tickets),
                                                                     data.as_table(accounts)))
    assert len(want) > 100 and want["comment"].notna().any()
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9)
