"""Hostile and messy inputs through the loaders: each class either loads right or stops with a clear error.

The day-first case is the one that gave quietly wrong numbers (issue 16): the sample written as
DD/MM/YYYY was read half month-first, and October had n = 1,001 instead of 1,030.
"""

from __future__ import annotations

import gzip

import pandas as pd
import pytest
import yaml

from cxlib import data as cxdata
from cxlib import scores
from cxlib.errors import DataError

ROOT = cxdata.project_root()


@pytest.fixture(scope="module")
def sample_raw():
    return pd.read_csv(ROOT / "data" / "sample" / "responses.csv", dtype=str, keep_default_na=False)


def config_for(path, **options) -> dict:
    """The sample config's responses section pointed at ``path`` (other tables left out)."""
    cfg = cxdata.load_config()
    spec = cfg.responses
    return {"responses": {"path": str(path), "columns": dict(spec.columns), "segments": dict(spec.segments),
                          "drivers": dict(spec.drivers), **options}}


def october(responses) -> tuple[int, float]:
    row = scores.nps(cxdata.subset(responses, month="2026-10")).iloc[0]
    return int(row["n"]), round(float(row["nps"]), 1)


@pytest.fixture(scope="module")
def truth():
    return october(cxdata.load_responses())


@pytest.mark.parametrize("fmt", ["%d/%m/%Y %H:%M:%S", "%d.%m.%Y", "%m/%d/%Y %H:%M", "%d-%m-%y %H:%M"])
def test_day_first_and_month_first_exports_give_the_true_october(tmp_path, sample_raw, truth, fmt):
    raw = sample_raw.copy()
    raw["SubmittedAt"] = pd.to_datetime(raw["SubmittedAt"]).dt.strftime(fmt)
    path = tmp_path / "r.csv"
    raw.to_csv(path, index=False)
    assert october(cxdata.load_responses(config_for(path))) == truth    # n = 1,030, NPS +14.4 on the sample


def test_ambiguous_and_contradictory_dates_are_refused_with_examples(tmp_path, sample_raw, truth):
    raw = sample_raw.head(50).copy()
    raw["SubmittedAt"] = ["03/04/2026"] * 25 + ["05/06/2026"] * 25     # every value readable both ways
    path = tmp_path / "r.csv"
    raw.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"'SubmittedAt'.*ambiguous.*'03/04/2026'.*date_format"):
        cxdata.load_responses(config_for(path))
    # the config decides it
    out = cxdata.load_responses(config_for(path, dayfirst=True))
    assert out["responded_at"].iloc[0] == pd.Timestamp("2026-04-03")
    out = cxdata.load_responses(config_for(path, date_format="%m/%d/%Y"))
    assert out["responded_at"].iloc[0] == pd.Timestamp("2026-03-04")
    raw["SubmittedAt"] = ["13/04/2026"] * 25 + ["04/13/2026"] * 25     # one row each way: a broken export
    raw.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"mix day-first \('13/04/2026'\) and month-first \('04/13/2026'\)"):
        cxdata.load_responses(config_for(path))
    with pytest.raises(DataError, match=r"dayfirst is true in the config, but 25 row\(s\): 26 \('04/13/2026'\)"):
        cxdata.load_responses(config_for(path, dayfirst=True))


def test_missing_dates_are_counted_not_silently_dropped(tmp_path, sample_raw):
    raw = sample_raw.head(40).copy()
    raw.loc[[3, 7], "SubmittedAt"] = ""
    path = tmp_path / "r.csv"
    raw.to_csv(path, index=False)
    with pytest.warns(UserWarning, match=r"2 response\(s\) have no date \(column 'SubmittedAt', data row\(s\) 4, 8\)"):
        out = cxdata.load_responses(config_for(path))
    assert len(out) == 40 and out["responded_at"].isna().sum() == 2


def test_semicolon_decimal_comma_and_windows_encodings(tmp_path, sample_raw, truth):
    raw = sample_raw.copy()
    raw["Region"] = raw["Region"].replace({"EMEA": "Région Europe"})
    raw["Weight"] = "1,5"
    cfg_extra = {"columns": {**config_for("x")["responses"]["columns"], "weight": "Weight"}}
    path = tmp_path / "r.csv"
    raw.to_csv(path, index=False, sep=";", encoding="cp1252")
    # not UTF-8: the message says where and which encoding to set
    with pytest.raises(DataError, match=r"not utf-8 text: byte 0xe9 on line \d+.*Région Europe.*'encoding: cp1252'"):
        cxdata.load_responses({"responses": {**config_for(path)["responses"], **cfg_extra}})
    out = cxdata.load_responses({"responses": {**config_for(path, encoding="cp1252")["responses"], **cfg_extra}})
    assert october(out) == truth and (out["weight"] == 1.5).all()       # ";" sniffed, decimal comma read
    assert "Région Europe" in set(out["region"])
    # UTF-16 (Excel's "Unicode text") is recognised by its byte-order mark, tab-delimited
    raw.to_csv(path, index=False, sep="\t", encoding="utf-16")
    out = cxdata.load_responses({"responses": {**config_for(path)["responses"], **cfg_extra}})
    assert october(out) == truth and "Région Europe" in set(out["region"])


def test_decimal_commas_with_thousands_and_mixed_marks(tmp_path, sample_raw):
    raw = sample_raw.head(4).copy()
    raw["Weight"] = ["1.250,5", "0,75", "2", "1,0"]
    cols = {**config_for("x")["responses"]["columns"], "weight": "Weight"}
    path = tmp_path / "r.csv"
    raw.to_csv(path, index=False, sep=";")
    out = cxdata.load_responses({"responses": {**config_for(path)["responses"], "columns": cols}})
    assert out["weight"].tolist() == [1250.5, 0.75, 2.0, 1.0]
    raw["Weight"] = ["1.5", "0,75", "2", "1"]                      # both marks in one column: refused
    raw.to_csv(path, index=False, sep=";")
    with pytest.raises(DataError, match=r"'Weight'.*expected numbers.*mixes decimal points and decimal commas"):
        cxdata.load_responses({"responses": {**config_for(path)["responses"], "columns": cols}})
    raw["Weight"] = ["1,5", "0,75", "2", "1"]                      # a comma file without the option
    raw.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"set decimal: ',' in the config"):
        cxdata.load_responses({"responses": {**config_for(path)["responses"], "columns": cols}})
    out = cxdata.load_responses({"responses": {**config_for(path, decimal=",")["responses"], "columns": cols}})
    assert out["weight"].tolist() == [1.5, 0.75, 2.0, 1.0]


def test_a_repeated_mapped_column_is_refused(tmp_path, sample_raw):
    raw = sample_raw.head(5).copy()
    raw.insert(3, "Region", raw.pop("Region"), allow_duplicates=True)
    raw.insert(5, "Region", ["x"] * 5, allow_duplicates=True)
    path = tmp_path / "r.csv"
    raw.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"column 'Region' appears 2 times in the header \(columns 4, 6\)"):
        cxdata.load_responses(config_for(path))
    raw.to_excel(path.with_suffix(".xlsx"), index=False)
    with pytest.raises(DataError, match=r"column 'Region' appears 2 times"):
        cxdata.load_responses(config_for(path.with_suffix(".xlsx")))
    # a repeated column the config does not use is harmless
    out = cxdata.load_responses({"responses": {**config_for(path)["responses"],
                                               "segments": {"plan": "Plan"}}})
    assert len(out) == 5


def test_importid_in_a_comment_is_data_not_a_qualtrics_header(tmp_path, sample_raw):
    raw = sample_raw.head(10).copy()
    raw.loc[1, "Verbatim"] = 'my export had {"ImportId":"QID1"} in it'
    path = tmp_path / "r.csv"
    raw.to_csv(path, index=False)
    out = cxdata.load_responses(config_for(path))
    assert len(out) == 10 and out["response_id"].iloc[0] == raw["ResponseID"].iloc[0]


@pytest.mark.parametrize("damage, message", [
    ("truncated_gz", r"is truncated or corrupt"),
    ("garbage_gz", r"is truncated or corrupt"),
    ("corrupt_sav", r"could not be read as an SPSS \.sav file.*export it again"),
    ("corrupt_xlsx", r"is truncated or corrupt"),
    ("corrupt_parquet", r"could not be read"),
    ("folder", r"is a folder"),
])
def test_damaged_files_are_clear_errors(tmp_path, sample_raw, damage, message):
    if damage.endswith("gz"):
        path = tmp_path / "r.csv.gz"
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            sample_raw.to_csv(fh, index=False)
        body = path.read_bytes()
        path.write_bytes(body[: len(body) // 2] if damage == "truncated_gz" else b"\x1f\x8b" + body[10:200])
    elif damage == "folder":
        path = tmp_path / "r.csv"
        path.mkdir()
    else:
        suffix = {"corrupt_sav": ".sav", "corrupt_xlsx": ".xlsx", "corrupt_parquet": ".parquet"}[damage]
        path = tmp_path / f"r{suffix}"
        head = {".sav": b"$FL2@(#) SPSS DATA FILE", ".xlsx": b"PK\x03\x04", ".parquet": b"PAR1"}[suffix]
        path.write_bytes(head + bytes(range(256)) * 4)
    with pytest.raises(DataError, match=message):
        cxdata.load_responses(config_for(path))


def test_the_report_command_stops_off_scale_drivers_before_any_kernel(tmp_path, sample_raw, capsys):
    # issue 21: zeros meaning "not rated" on a declared 1-5 driver scale loaded silently, and every month
    # whose driver window held one failed inside the kernel with exit 1, a 0-based row and a count of 1
    from cxlib.report.__main__ import main

    raw = sample_raw.copy()
    rows = raw.index[raw["SubmittedAt"].str.startswith(("2026-08", "2026-09"))][::40][:29]
    raw.loc[rows, "Q_Reliability"] = "0"
    raw.to_csv(tmp_path / "r.csv", index=False)
    cfg = config_for(tmp_path / "r.csv", scales={"drivers": {"min": 1, "max": 5}})
    (tmp_path / "cx.yml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    out = tmp_path / "out"
    code = main(["--config", str(tmp_path / "cx.yml"), "--month", "2026-10", "--output-dir", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    first = ", ".join(str(i + 1) for i in rows[:5])            # 0-based frame index + 1 = data row
    assert (f"responses file {tmp_path / 'r.csv'}: column 'Q_Reliability' (driver reliability): 29 value(s) off "
            f"its declared 1–5 scale: 0 (29 rows); data rows {first} and 24 more") in err
    assert "missing_codes: {Q_Reliability: [0]}" in err
    assert not any(out.iterdir())                               # no kernel ran, nothing kept or published


def test_segment_spellings_that_differ_only_by_case_form_or_punctuation_are_merged(tmp_path, sample_raw):
    # issue 21: "Café" typed two ways made two rows (n = 123 and 111); "2x4x2" / "2-4-2" / "2X4X2" three
    from cxlib.report import sections

    raw = sample_raw.head(400).copy()
    composed, decomposed = "Caf\u00e9", "Cafe\u0301"              # the same word in NFC and NFD
    raw["Lounge"] = [composed] * 123 + [decomposed] * 111 + ["Main hall"] * 100 + ["main  hall"] * 66
    raw["Seats"] = ["2x4x2"] * 200 + ["2-4-2"] * 120 + ["2X4X2"] * 50 + ["3-3-3"] * 30
    raw.to_csv(tmp_path / "r.csv", index=False)
    cfg = config_for(tmp_path / "r.csv")
    cfg["responses"]["segments"].update(lounge="Lounge", seats="Seats")
    with pytest.warns(UserWarning, match=r"Segment 'Lounge' \(lounge\): spellings that differ only by case"):
        out = cxdata.load_responses(cfg)
    # counted by hand from the column built above: 123 + 111 = 234 Café, 100 + 66 = 166 Main hall
    assert out["lounge"].value_counts().to_dict() == {composed: 234, "Main hall": 166}
    assert out["seats"].value_counts().to_dict() == {"2x4x2": 370, "3-3-3": 30}
    notes = out.attrs["cx_notes"]
    assert f"'{composed}' (234) from '{composed}' (123), '{decomposed}' (111) [another Unicode form]" in notes[0]
    assert "'2x4x2' (370) from '2x4x2' (200), '2-4-2' (120), '2X4X2' (50)" in notes[1]
    # the report's "About" states the merges and how times are read
    about = sections.about(sections.context(cxdata.load_config(cfg), out, month="latest"), digests={"r.csv": "0" * 64})
    assert "counted as one value" in about and "keeps its own clock time" in about
