"""The two README commands, the Makefile, CI, and environment.yml stay true to pyproject.toml."""

from __future__ import annotations

import re
import subprocess
import tomllib

import yaml

from cxlib.data import project_root

ROOT = project_root()


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_lists_the_same_packages_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_side = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda, pip_extra = set(), set()
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip_extra |= {_name(r) for r in dep["pip"] if not r.startswith("-e")}
            assert "-e ." in dep["pip"], "environment.yml must end with pip: [-e .]"
        else:
            conda.add(_name(dep))
    assert "conda-forge" in env["channels"]
    assert "python=3.11" in env["dependencies"]
    conda -= {"python", "pip"}
    assert conda | pip_extra == pip_side, (
        f"only in environment.yml: {sorted((conda | pip_extra) - pip_side)}; "
        f"only in pyproject.toml: {sorted(pip_side - (conda | pip_extra))}"
    )


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    assert "make report" in readme and "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, flags=re.M)


def test_make_help_lists_every_target():
    out = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for target in ("setup", "report", "test", "lab", "sample", "bench", "clean"):
        assert re.search(rf"^\s+{target}\s+\S", out, flags=re.M), target


def test_reports_are_not_tracked():
    ignore = (ROOT / ".gitignore").read_text()
    assert "reports/*" in ignore
