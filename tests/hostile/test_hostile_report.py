"""Hostile and messy inputs through the report runner: nothing lost, nothing leaked, clear exits.

Most tests use small notebooks (the pipeline, not the analysis); one renders the real report on the
sample exported the way European tools write it, with hostile comments and an e-mail address as a
segment value.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

from cxlib import report
from cxlib.data import load_config, load_responses, project_root
from cxlib.errors import ParameterError, ReportError
from cxlib.report import render
from cxlib.report.__main__ import main

pub = importlib.import_module("cxlib.report.publish")   # the package's "publish" is the function
ROOT = project_root()
TRIVIAL = ROOT / "tests" / "fixtures" / "trivial-report.ipynb"
LONG = "x" * 300
VALUES = ["A/B", "a-b", LONG, "jo@example.com"]


def small_notebook(path: Path, body: str) -> Path:
    """A report notebook with the runner's parameters and one code cell."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    params = nbformat.v4.new_code_cell('month = "2026-10"\nconfig = "cx.yml"\nsegment = ""')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Test report"), params, nbformat.v4.new_code_cell(body)]
    nbformat.write(nb, path)
    return path


def sample_with(folder: Path, **paths) -> Path:
    """The sample config with absolute paths, some tables' files replaced by ``paths``; written to ``folder``."""
    cfg = yaml.safe_load((ROOT / "cx.yml").read_text())
    for name in ("responses", "tickets", "accounts"):
        cfg[name]["path"] = str(paths.get(name, ROOT / cfg[name]["path"]))
    cfg["codebook"] = str(ROOT / cfg["codebook"])
    (folder / "cx.yml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return folder / "cx.yml"


@pytest.fixture(scope="module")
def team_config(tmp_path_factory):
    """The sample's last two months with a segment "team" whose values collide, run long or are e-mails."""
    folder = tmp_path_factory.mktemp("team")
    raw = pd.read_csv(ROOT / "data" / "sample" / "responses.csv", dtype=str, keep_default_na=False)
    raw = raw[raw["SubmittedAt"] >= "2026-09-01"].copy()
    raw["Team"] = [VALUES[i % 4] for i in range(len(raw))]
    raw.to_csv(folder / "responses.csv", index=False)
    cfg = yaml.safe_load((ROOT / "cx.yml").read_text())
    cfg = {"responses": {**cfg["responses"], "path": str(folder / "responses.csv"),
                         "segments": {**cfg["responses"]["segments"], "team": "Team"}}}
    (folder / "cx.yml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return folder / "cx.yml"


def test_folder_names_are_unique_bounded_and_redacted(team_config):
    cfg = load_config(team_config)
    jobs = report.resolve_jobs(cfg, load_responses(cfg), month="2026-10", by="team")
    names = [report.folder_name(j) for j in jobs]
    # "A/B" and "a-b" differ only by case and punctuation: the loader merges them into one value (one
    # folder); every other value has a folder of its own
    assert len(set(names)) == len(jobs) == len(VALUES) - 1
    assert all(len(n) <= 90 for n in names)                          # a 300-character value fits a file name
    assert not any("example" in n or "jo" in n.split("--")[1] for n in names)   # the e-mail is not in a name
    again = report.resolve_jobs(cfg, load_responses(cfg), month="2026-10", by="team")
    assert [report.folder_name(j) for j in again] == names           # stable from run to run


def test_by_keeps_going_after_one_failed_segment_and_lists_failures(team_config, tmp_path, monkeypatch, capsys):
    nb = small_notebook(tmp_path / "fails-for-long.ipynb", textwrap.dedent(f"""
        if segment == "team={LONG}":
            raise ValueError("planted failure for the long team")
        print("report rendered")
    """))
    monkeypatch.setattr(render, "NOTEBOOK", str(nb))
    out = tmp_path / "out"
    code = main(["--config", str(team_config), "--month", "2026-10", "--by", "team", "--output-dir", str(out)])
    err = capsys.readouterr().err
    assert code == 1 and "1 of 3 reports failed" in err        # "A/B" and "a-b" are one value (merged at load) and "ValueError: planted failure for the long team" in err
    published = sorted(p.name for p in out.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
    assert len(published) == 2
    # the e-mail address reaches no file name, no index and no published file
    for path in out.rglob("*"):
        assert "jo@example.com" not in path.name
        if path.is_file():
            assert "jo@example.com" not in path.read_text(encoding="utf-8", errors="replace"), path
    run = json.loads(next(out.glob("*email*/run.json")).read_text())
    assert run["segment"] == "team=[EMAIL]" and len(run["segment_sha256"]) == 64


def test_output_dir_that_is_a_file_and_missing_inputs_exit_2(tmp_path):
    afile = tmp_path / "reports"
    afile.write_text("not a folder")
    cmd = [sys.executable, "-m", "cxlib.report", "--month", "2026-10", "--output-dir", str(afile)]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 2 and "is a file" in out.stderr and "Traceback" not in out.stderr
    config = sample_with(tmp_path, tickets=tmp_path / "missing-tickets.csv")
    cmd = [sys.executable, "-m", "cxlib.report", "--config", str(config), "--output-dir", str(tmp_path / "o")]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 2 and "missing-tickets.csv does not exist" in out.stderr and "Traceback" not in out.stderr


def test_latest_or_a_segment_without_responses_is_a_parameter_error(tmp_path):
    raw = pd.read_csv(ROOT / "data" / "sample" / "responses.csv", dtype=str, keep_default_na=False)
    gap = raw[~raw["SubmittedAt"].str.startswith("2026-10")].copy()       # September, then November only
    gap.loc[gap.index[:5], "SubmittedAt"] = "2026-11-02 10:00:00"
    gap.to_csv(tmp_path / "r.csv", index=False)
    cfg = load_config({"responses": {**yaml.safe_load((ROOT / "cx.yml").read_text())["responses"],
                                     "path": str(tmp_path / "r.csv")}})
    responses = load_responses(cfg)
    with pytest.raises(ParameterError, match=r"month 2026-10 \('latest' is the latest full month\) is a month "
                                             r"without responses.*2026-09, 2026-11"):
        report.resolve_jobs(cfg, responses, month="latest")
    with pytest.raises(ParameterError, match=r"segment region: APAC has no responses in 2026-11"):
        report.resolve_jobs(cfg, responses[~((responses["region"] == "APAC")
                                              & (responses["responded_at"] >= "2026-11-01"))],
                            month="2026-11", segment="region=APAC")


def test_timeout_is_a_clear_error(tmp_path):
    nb = small_notebook(tmp_path / "sleepy.ipynb", "import time\ntime.sleep(30)")
    with pytest.raises(ReportError, match=r"a cell ran longer than the timeout \(2 s; raise it with --timeout\)"):
        report.render_report("2026-10", notebook=nb, output_dir=tmp_path / "out", timeout=2)


def test_a_second_run_of_the_same_report_waits_its_turn(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with pub.report_lock(out, "2026-10"):
        with pytest.raises(ReportError, match="being rendered by another run"):
            report.render_report("2026-10", notebook=TRIVIAL, output_dir=out)


def test_published_with_the_users_umask(tmp_path):
    old = os.umask(0o022)
    try:
        path = report.render_report("2026-10", notebook=TRIVIAL, output_dir=tmp_path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o755          # not 0700 from a temporary directory
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


KILL_RENDER = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from cxlib import report
    from cxlib.report import render

    step, out, nb = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)
    if step == "index":                            # killed after publishing, before the index is rebuilt
        render.write_index = die
    report.render_report("2026-10", notebook=nb, output_dir=out)
""")


def test_killed_while_rendering_a_report_is_never_lost(tmp_path):
    out = tmp_path / "out"
    final = out / "2026-10"
    good = report.render_report("2026-10", notebook=TRIVIAL, output_dir=out)
    (good.parent / "old-marker").write_text("the last good report")
    # killed while the kernel runs (the notebook kills the runner), then after publishing
    killer = small_notebook(tmp_path / "kill-runner.ipynb", "import os, signal, time\n"
                            "os.kill(os.getppid(), signal.SIGKILL)\ntime.sleep(5)")
    for step, nb, old_kept in (("building", killer, True), ("index", TRIVIAL, False)):
        killed = subprocess.run([sys.executable, "-c", KILL_RENDER, step, str(out), str(nb)], cwd=ROOT,
                                capture_output=True, text=True)
        assert killed.returncode == -9, killed.stderr
        assert (final / "cx-report-2026-10.html").exists() and (final / "run.json").exists()
        assert (final / "old-marker").exists() == old_kept          # the old report, or the whole new one
        # the killed build's leftovers, the kernel's connection file among them (tidied by the next run)
        assert bool(list(out.glob(".building-2026-10-*/runtime/kernel.json"))) == old_kept
    # the next run tidies every leftover (the build folder, the kernel's connection file in it) and publishes
    report.render_report("2026-10", notebook=TRIVIAL, output_dir=out)
    assert not [p.name for p in out.iterdir() if p.name.startswith((".building-", ".old-"))]
    assert "2026-10/cx-report-2026-10.html" in (out / "index.html").read_text()


KILL_PUBLISH = textwrap.dedent("""
    import importlib, os, signal, sys
    from pathlib import Path
    pub = importlib.import_module("cxlib.report.publish")

    step, out = sys.argv[1], Path(sys.argv[2])
    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)
    if step == "swap":                             # killed just before the build is swapped in
        pub._exchange = die
    elif step == "cleanup":                        # killed after the swap, before the old report is removed
        real = pub._exchange
        pub._exchange = lambda a, b: (real(a, b), die())
    elif step == "two-renames":                    # no atomic exchange: killed between the two renames
        pub._exchange = lambda a, b: False
        real_rename = Path.rename
        def rename(self, target):
            done = real_rename(self, target)
            if Path(target).name.startswith(".old-"):
                die()
            return done
        Path.rename = rename
    with pub.report_lock(out, "2026-10"):
        build = pub.build_folder(out, "2026-10")
        (build / "report.html").write_text("new")
        pub.publish(build, out / "2026-10")
""")


@pytest.mark.parametrize("step", ["swap", "cleanup", "two-renames"])
def test_killed_while_publishing_a_report_is_never_lost(tmp_path, step):
    out = tmp_path / "out"
    (out / "2026-10").mkdir(parents=True)
    (out / "2026-10" / "report.html").write_text("old")
    killed = subprocess.run([sys.executable, "-c", KILL_PUBLISH, step, str(out)], cwd=ROOT, capture_output=True,
                            text=True)
    assert killed.returncode == -9, killed.stderr
    final = out / "2026-10" / "report.html"
    if step == "two-renames":
        # without renameat2 the folder is briefly missing; the next run puts the last good report back first
        assert not final.exists() and list(out.glob(".old-2026-10-*"))
    else:
        assert final.read_text() == {"swap": "old", "cleanup": "new"}[step]    # old or new, never neither
    with pub.report_lock(out, "2026-10"):
        pub.recover(out, "2026-10")
        assert final.read_text() == {"swap": "old", "cleanup": "new", "two-renames": "old"}[step]
        build = pub.build_folder(out, "2026-10")
        (build / "report.html").write_text("newest")
        pub.publish(build, out / "2026-10")
    assert final.read_text() == "newest" and sorted(p.name for p in out.iterdir()) == [".lock-2026-10", "2026-10"]


@pytest.fixture(scope="module")
def european_export(tmp_path_factory):
    """The sample as a European tool exports it: ';', decimal commas, day-first dates (Windows-1252 is
    covered by the loader tests: it cannot hold the Arabic-Indic digits below); with hostile comments and an
    e-mail address as a segment value."""
    folder = tmp_path_factory.mktemp("european")
    raw = pd.read_csv(ROOT / "data" / "sample" / "responses.csv", dtype=str, keep_default_na=False)
    raw = raw[raw["SubmittedAt"] >= "2025-09-01"].copy()
    when = pd.to_datetime(raw["SubmittedAt"])
    october = when.dt.strftime("%Y-%m") == "2026-10"
    raw["SubmittedAt"] = when.dt.strftime("%d/%m/%Y %H:%M:%S")
    raw["Owner"] = "jo@example.com"
    raw.loc[~october & (raw.index % 7 == 0), "Owner"] = "team-a"
    raw["Weight"] = "1,0"
    once = raw["CustomerID"].map(raw.loc[october, "CustomerID"].value_counts()).eq(1)
    detractors = raw.index[october & once & (pd.to_numeric(raw["LTR_0_10"], errors="coerce") <= 3)]
    hostile = ['=HYPERLINK("http://evil.example/x","invoice")', "@import url(https://evil.example/a.css); slow",
               "card ٤٥٣٩ ١٤٨٨ ٠٣٤٣ ٦٤٦٧ charged twice, Région support",
               "a.b-c_d" * 15_000 + " mail me: zoë@exämple.de", "+SUM(A1:A9) -1 terrible support"]
    for i, text in zip(detractors, hostile):
        raw.loc[i, "Verbatim"] = text
    raw.to_csv(folder / "responses.csv", index=False, sep=";", encoding="utf-8-sig")
    cfg = yaml.safe_load((ROOT / "cx.yml").read_text())
    cfg["responses"]["path"] = str(folder / "responses.csv")
    cfg["responses"]["columns"]["weight"] = "Weight"
    cfg["responses"]["segments"]["owner"] = "Owner"
    for name in ("tickets", "accounts"):
        cfg[name]["path"] = str(ROOT / cfg[name]["path"])
    cfg["codebook"] = str(ROOT / cfg["codebook"])
    (folder / "cx.yml").write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    out = folder / "reports"
    done = subprocess.run([sys.executable, "-m", "cxlib.report", "--config", str(folder / "cx.yml"), "--month",
                           "2026-10", "--segment", "owner=jo@example.com", "--output-dir", str(out)],
                          cwd=ROOT, capture_output=True, text=True)
    return done, out


def test_the_real_report_on_a_hostile_european_export(european_export):
    done, out = european_export
    assert done.returncode == 0, done.stderr
    (folder,) = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))]
    assert "example" not in folder.name
    html = next(folder.glob("*.html")).read_text(encoding="utf-8")
    run = json.loads((folder / "run.json").read_text())
    # day-first dates read with one format: October has the sample's true base and score
    assert run["headline"]["n"] == 1030 and run["headline"]["score"] == "nps" and run["headline"]["value"] == 14.37
    # the segment value (an e-mail address) is redacted in the title, the About section, the index,
    # the run record and the executed notebook's parameters
    for path in [*folder.iterdir(), out / "index.html"]:
        assert "jo@example.com" not in path.read_text(encoding="utf-8"), path.name
    assert "[EMAIL]" in html and "zoë@exämple.de" not in html and "٤٥٣٩" not in html
    # the follow-up CSV: no cell can start a formula, comments redacted, themes filled
    follow = pd.read_csv(next(folder.glob("*-follow-up.csv")), dtype=str, keep_default_na=False)
    cells = follow.to_numpy().ravel()
    assert not any(str(c).startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    assert "'=HYPERLINK(\"[URL]\",\"invoice\")" in set(follow["comment"])
    assert "'+SUM(A1:A9) -1 terrible support" in set(follow["comment"])
    assert not follow["comment"].str.contains("٤٥٣٩|zoë@|evil.example", regex=True).any()
    assert (follow["theme"] != "").any()


def test_commas_in_segment_values(tmp_path):
    pd.DataFrame({"id": [1, 2, 3], "d": ["2026-10-01"] * 3, "ltr": [9, 3, 7],
                  "city": ["Paris, France", "a, b=c", "Lyon"]}).to_csv(tmp_path / "r.csv", index=False)
    cfg = load_config({"responses": {"path": str(tmp_path / "r.csv"), "segments": {"city": "city"},
                                     "columns": {"response_id": "id", "responded_at": "d", "nps": "ltr"}}})
    responses = load_responses(cfg)
    jobs = report.resolve_jobs(cfg, responses, month="2026-10", by="city")
    assert [j.segment for j in jobs] == ["city=Lyon", "city=Paris, France", "city=a, b=c"]
    (job,) = report.resolve_jobs(cfg, responses, month="2026-10", segment="city=Paris, France")
    assert job.folder == "2026-10--city-paris-france"
    # a value that itself reads as a second segment fails its own report with a message saying why
    with pytest.raises(ParameterError, match=r"', b=' starts a second segment"):
        report.resolve_jobs(cfg, responses, month="2026-10", segment="city=a, b=c")


def test_a_truncated_tickets_file_stops_the_run_before_any_kernel(tmp_path):
    import gzip

    body = gzip.compress((ROOT / "data" / "sample" / "tickets.csv").read_bytes())
    (tmp_path / "tickets.csv.gz").write_bytes(body[: len(body) // 2])
    config = sample_with(tmp_path, tickets=tmp_path / "tickets.csv.gz")
    out = subprocess.run([sys.executable, "-m", "cxlib.report", "--config", str(config), "--month",
                          "2026-10", "--output-dir", str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT)
    # every configured file is loaded and checked before a kernel starts (issue 21): exit 2, nothing rendered
    assert out.returncode == 2 and "Traceback" not in out.stderr and "---" not in out.stderr
    assert "cxlib.report: tickets file" in out.stderr and "is truncated or corrupt" in out.stderr
    assert not (tmp_path / "out" / "_failed").exists()


def test_by_a_segment_value_too_small_for_a_section_renders_without_it(tmp_path, capsys):
    # issue 21: `--by lounge_type` exited 1 every month because "Other" (n = 1) cannot fit the drivers
    raw = pd.read_csv(ROOT / "data" / "sample" / "responses.csv", dtype=str, keep_default_na=False)
    raw = raw[raw["SubmittedAt"] >= "2026-05-01"].copy()
    raw["Lounge"] = "Main"
    raw.loc[raw.index[raw["SubmittedAt"].str.startswith("2026-10")][0], "Lounge"] = "Other"
    raw.to_csv(tmp_path / "r.csv", index=False)
    config = sample_with(tmp_path, responses=tmp_path / "r.csv")
    cfg = yaml.safe_load(config.read_text())
    cfg["responses"]["segments"]["lounge"] = "Lounge"
    config.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    out = tmp_path / "out"
    code = main(["--config", str(config), "--month", "2026-10", "--by", "lounge", "--output-dir", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    other = (out / "2026-10--lounge-other" / "cx-report-2026-10--lounge-other.html").read_text(encoding="utf-8")
    main_report = (out / "2026-10--lounge-main" / "cx-report-2026-10--lounge-main.html").read_text(encoding="utf-8")
    # 1 response cannot fit 8 drivers: the section says so in its place, and "About" lists it
    assert ("The driver analysis is left out of this report for lounge: Other: the data in scope cannot carry "
            "it (only 1 usable rows for 8 drivers") in other
    assert re.search(r"Left out of this report, because the data in scope cannot carry them: .*The driver "
                     r"analysis \(only 1 usable rows", other)
    assert "left out of this report" not in main_report and not (out / "_failed").exists()
