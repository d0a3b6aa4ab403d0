"""The config schema: its generated reference and JSON Schema are current, and agree with load_config."""

from __future__ import annotations

import datetime as dt

import jsonschema
import pandas as pd
import pytest
import yaml

from cxlib.data import config_default, load_config, project_root
from cxlib.data.schema import json_schema
from cxlib.data.schema.__main__ import outputs
from cxlib.errors import ConfigError

ROOT = project_root()
SHIPPED = ["cx.yml", "examples/bank.yml", "examples/mobiles.yml", "examples/mobiles-likes.yml"]


def test_generated_docs_are_current():
    # docs/config.md and docs/cx.schema.json are written by `make docs`; an edit to the schema without
    # regenerating them fails here.
    stale = [str(p.relative_to(ROOT)) for p, text in outputs().items()
             if not p.exists() or p.read_text(encoding="utf-8") != text]
    assert not stale, f"stale: {stale}; run make docs"


def test_the_reference_lists_every_declared_key():
    text = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    for key in ("timezone", "experiment", "pptx_template", "rolling", "max_segment_values", "memory_limit",
                "drop_invalid", "raw_comments", "brand_words", "higher_is_better", "first_contact_resolution"):
        assert f"| `{key}` |" in text, key


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_configs_are_valid_json_schema_instances(name):
    raw = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(json_schema()).validate(raw)


@pytest.mark.parametrize("change", [
    {"report": {"primry": "nps"}},
    {"engines": {"threads": "2"}},
    {"report": {"max_segment_values": 1}},
    {"timezonee": "UTC"},
])
def test_editor_schema_and_loader_refuse_the_same_mistakes(change):
    raw = {**yaml.safe_load((ROOT / "cx.yml").read_text(encoding="utf-8")), **change}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(json_schema()).validate(raw)
    for name in ("responses", "tickets", "accounts"):
        raw[name] = {**raw[name], "path": str(ROOT / raw[name]["path"])}
    raw["codebook"] = str(ROOT / raw["codebook"])
    with pytest.raises(ConfigError):
        load_config(raw)


def test_whole_numbers_with_a_zero_decimal_are_valid_for_the_editor_too():
    raw = {**yaml.safe_load((ROOT / "cx.yml").read_text(encoding="utf-8")), "report": {"max_segment_values": 8.0}}
    jsonschema.Draft202012Validator(json_schema()).validate(raw)


def test_defaults_are_read_from_the_declarations():
    # The values the README and docs/config.md promise.
    assert config_default("engines.memory_limit") == "1.5GB" and config_default("engines.large_file_mb") == 200
    assert config_default("responses.dates.floor") == dt.date(1990, 1, 1)
    assert config_default("report.max_segment_values") == 12 and config_default("engines.max_rows") == 20_000_000
    cfg = load_config()
    assert cfg.engines["memory_limit"] == "1.5GB" and cfg.report["max_segment_values"] == 12
    assert cfg.responses.options["dates"]["floor"].date() == dt.date(1990, 1, 1)


def test_a_score_registered_after_import_can_be_mapped_in_the_config():
    import cxlib.data  # noqa: F401  (the schema is imported, and its built-in models declared, before the score exists)
    from cxlib import metrics
    from cxlib.data import load_responses

    raw = {"responses": {"path": str(ROOT / "data/sample/responses.csv"),
                         "columns": {"responded_at": "SubmittedAt", "t2b": "CES_1_7"}},
           "report": {"primary": "t2b", "targets": {"t2b": 60}}}
    metrics.register(metrics.Metric("t2b", "share", (1, 7, True, 3), "Top-3 box", percent=True,
                                    points={"top_box": "top"}))
    try:
        cfg = load_config(raw)
        # the registry's default scale (1–7, top 3 points) is the config's, as for a built-in score
        assert cfg.scores == ["t2b"] and cfg.report["primary"] == "t2b" and cfg.report["targets"] == {"t2b": 60}
        assert (cfg.scales["t2b"].min, cfg.scales["t2b"].max, cfg.scales["t2b"].top_box()) == (1, 7, [5, 6, 7])
        given = load_config({**raw, "responses": {**raw["responses"], "scales": {"t2b": {"min": 1, "max": 7}}}})
        assert given.scales["t2b"].top_k == 3         # a scale given without top_box keeps the registry's 3
        loaded = load_responses(cfg)
        raw_ces = pd.read_csv(ROOT / "data/sample/responses.csv", usecols=["CES_1_7"])["CES_1_7"]
        assert loaded["t2b"].notna().sum() == raw_ces.notna().sum()      # the column is read as the score
        with pytest.raises(ConfigError, match=r"'report.primary' must be one of .* or 't2b'; got str 't2bx'"):
            load_config({**raw, "report": {"primary": "t2bx"}})
    finally:
        metrics.unregister("t2b")
    # unregistered again: the key is unknown again
    with pytest.raises(ConfigError, match=r"unknown key 't2b' in 'responses.columns'"):
        load_config(raw)
    assert config_default("report.max_segment_values") == 12
