"""The YAML config: shape, defaults, and clear errors for mistakes an analyst makes."""

from __future__ import annotations

import pytest

from cxlib.data import DEFAULT_SCALES, Scale, load_config, project_root
from cxlib.errors import ConfigError


def test_default_config_points_at_the_sample():
    cfg = load_config()
    assert cfg.path == project_root() / "cx.yml"
    assert cfg.responses.path == project_root() / "data" / "sample" / "responses.csv"
    assert cfg.segments == ["region", "plan", "touchpoint", "channel", "pilot_arm"]
    assert len(cfg.drivers) == 8
    assert cfg.tickets is not None and cfg.accounts is not None


def test_paths_are_relative_to_the_config_file(tmp_path):
    (tmp_path / "sub").mkdir()
    cfg_file = tmp_path / "sub" / "my.yml"
    cfg_file.write_text("responses:\n  path: ../data/r.csv\n  columns: {nps: LTR}\n", encoding="utf-8")
    cfg = load_config(cfg_file)
    assert cfg.responses.path == (tmp_path / "data" / "r.csv").resolve()
    assert cfg.tickets is None and cfg.scales == DEFAULT_SCALES


@pytest.mark.parametrize("text, message", [
    ("responses:\n  path: r.csv\n  columns: {csat: S}\n  scales: {csat: {min: 1}}\n", "needs 'min' and 'max'"),
    ("responses:\n  path: r.csv\n  columns: {comment: C}\n", "at least one score"),
    ("responses:\n  path: r.csv\n  columns: {npss: LTR}\n", "did you mean 'nps'"),
    ("responses:\n  columns: {nps: LTR}\n", "needs a 'path'"),
    ("tickets:\n  path: t.csv\n", "'responses' section is required"),
    ("responses: [1, 2\n", "not valid YAML"),
    ("responsez:\n  path: r.csv\n", "did you mean 'responses'"),
])
def test_config_mistakes_are_named(tmp_path, text, message):
    path = tmp_path / "cx.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_missing_config_file_says_where_it_looked():
    with pytest.raises(ConfigError, match="not found"):
        load_config("no-such-config.yml")


def test_scale_boxes_follow_direction():
    assert Scale(1, 5).top_box() == [4, 5] and Scale(1, 5).bottom_box() == [1, 2]
    assert Scale(1, 7, higher_is_better=False).top_box(3) == [1, 2, 3]
    assert Scale(0, 10).values == list(range(11))
    with pytest.raises(ConfigError):
        Scale(5, 1)


def test_scores_beyond_nps_and_the_primary_score(tmp_path):
    base = {"path": "data/sample/responses.csv", "columns": {"rating": "LTR_0_10", "recommend": "Channel"}}
    with pytest.raises(ConfigError, match=r"maps a rating; give its scale"):
        load_config({"responses": base})
    cfg = load_config({"responses": {**base, "scales": {"rating": {"min": 0, "max": 10, "top_box": 3}}}})
    assert cfg.scores == ["rating", "recommend"] and cfg.report["primary"] == "rating"   # first present
    assert cfg.scales["rating"].top_box() == [8, 9, 10]
    with pytest.raises(ConfigError, match=r"report.primary 'nps' is not a score this config maps; it maps "
                                          r"\['rating', 'recommend'\]"):
        load_config({"responses": {**base, "scales": {"rating": {"min": 0, "max": 10}}}, "report": {"primary": "nps"}})
    with pytest.raises(ConfigError, match="max_segment_values"):
        load_config({"responses": {**base, "scales": {"rating": {"min": 0, "max": 10}}},
                     "report": {"max_segment_values": 1}})
    with pytest.raises(ConfigError, match="dates.drop_invalid' must be true or false"):
        load_config({"responses": {**base, "scales": {"rating": {"min": 0, "max": 10}},
                                   "dates": {"drop_invalid": "yes"}}})


def test_cli_refuses_an_unconfigured_primary_before_any_kernel(tmp_path):
    import subprocess
    import sys

    cfg = tmp_path / "cx.yml"
    cfg.write_text(f"responses:\n  path: {project_root() / 'data/sample/responses.csv'}\n"
                   "  columns: {csat: CSAT_1_5, responded_at: SubmittedAt}\nreport: {primary: nps}\n")
    run = subprocess.run([sys.executable, "-m", "cxlib.report", "--config", str(cfg), "--output-dir",
                          str(tmp_path / "out")], capture_output=True, text=True, cwd=project_root())
    assert run.returncode == 2 and "it maps ['csat']" in run.stderr and "Traceback" not in run.stderr
def test_comments_section_names_a_model_file_and_brand_words(tmp_path):
    (tmp_path / "model.json").write_text("{}", encoding="utf-8")
    path = tmp_path / "cx.yml"
    path.write_text("responses:\n  path: r.csv\n  columns: {nps: LTR}\n"
                    "comments:\n  sentiment_model: model.json\n  brand_words: [Acme, '@acme_help']\n", encoding="utf-8")
    cfg = load_config(path)
    assert cfg.comments == {"sentiment_model": tmp_path / "model.json", "brand_words": ["Acme", "@acme_help"]}
    assert load_config().comments == {"sentiment_model": None, "brand_words": []}


@pytest.mark.parametrize("section, message", [
    ("comments:\n  sentiment_model: missing.json\n", r"comments.sentiment_model .*missing.json does not exist"),
    ("comments:\n  brand_words: Acme\n", "comments.brand_words must be a list"),
    ("comments:\n  sentiment_modle: m.json\n", "did you mean 'sentiment_model'"),
    ("comments: [1]\n", "'comments' must be a mapping"),
])
def test_comments_section_mistakes_are_named(tmp_path, section, message):
    path = tmp_path / "cx.yml"
    path.write_text("responses:\n  path: r.csv\n  columns: {nps: LTR}\n" + section, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(path)
