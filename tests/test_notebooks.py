"""The notebooks stay thin: literal parameters, one import cell, no definitions, no sample names, outputs
cleared, and the same month resolution everywhere. (Running them is nbval's job: pytest --nbval-lax.)"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]-*.ipynb"))
# The sample's survey segments: notebooks take segments from cfg.segments. (Notebook 04 may name the
# accounts table's canonical columns region and plan, which the data contract defines.)
SEGMENT_NAMES = ('"touchpoint"', '"channel"', '"pilot_arm"')
ACCOUNT_NAMES = ('"region"', '"plan"')


def cells(path: Path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return nb["cells"]


def test_there_are_five_notebooks():
    assert [p.name[:2] for p in NOTEBOOKS] == ["00", "01", "02", "03", "04"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_thin(path):
    code = [c for c in cells(path) if c["cell_type"] == "code"]
    assert cells(path)[0]["cell_type"] == "markdown" and "".join(cells(path)[0]["source"]).startswith("# ")
    params = [c for c in code if "parameters" in c["metadata"].get("tags", [])]
    assert len(params) == 1 and code[0] is params[0]
    for node in ast.parse("".join(params[0]["source"])).body:       # literals only, each commented
        assert isinstance(node, (ast.Assign, ast.AnnAssign)), ast.dump(node)
        ast.literal_eval(node.value)
    assert all("#" in line for line in "".join(params[0]["source"]).splitlines())
    imports = [c for c in code if any(isinstance(n, (ast.Import, ast.ImportFrom))
                                      for n in ast.parse("".join(c["source"])).body)]
    assert len(imports) == 1, "one import cell"
    for c in code:
        src = "".join(c["source"])
        tree = ast.parse(src)
        assert not [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda))]
        assert c.get("outputs") == [] and c.get("execution_count") is None, "commit with outputs cleared"
        banned = SEGMENT_NAMES + (() if path.name.startswith("04") else ACCOUNT_NAMES)
        if c is not params[0]:
            assert not any(name in src.replace("'", '"') for name in banned), f"sample segment name in: {src}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_default_month_resolves_the_same_way(path):
    src = "\n".join("".join(c["source"]) for c in cells(path) if c["cell_type"] == "code")
    if "month" in "".join(cells(path)[1]["source"]) and not path.name.startswith("03"):
        assert "periods.resolve_month(month" in src or "sections.context(cfg, responses, month=month" in src
    assert "to_period(" not in src and ".max()" not in src
