"""The package layout, checked by walking every module's imports (AST): stages, arrows, private names.

data → analysis (scores, comments, drivers, customers, operations, tables, weights) → plots → report;
shared helpers (errors, periods, _checks, _stats, _format, metrics) serve every stage and import nothing of
cxlib but errors (the metric registry also uses _stats); no module imports an underscore name (or an underscore module) from another package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cxlib"
SHARED = {"errors", "periods", "_checks", "_stats", "_format", "metrics"}
#: Shared helpers that build on another shared helper (the metric registry finishes intervals with _stats).
SHARED_ON_SHARED = {("metrics", "_stats")}
STAGE = {"data": 0, "scores": 1, "comments": 1, "drivers": 1, "customers": 1, "operations": 1, "tables": 1,
         "weights": 1, "plots": 2, "report": 3, "sample": 1}
ONLY_IN_REPORT = {"papermill", "nbconvert", "nbformat"}


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        yield path, ".".join(parts[:-1] if parts[-1] == "__init__" else parts), parts[-1] == "__init__"


def imports(path: Path, name: str, is_pkg: bool):
    """(imported module, imported names) for every import in a module, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = name.split(".") if is_pkg else name.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            mod = ".".join(base + ([node.module] if node.module else []))
            names = [a.name for a in node.names]
            if node.module is None:   # from . import x: x may be a module
                for n in names:
                    yield f"{mod}.{n}", []
            else:
                yield mod, names


def top(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "cxlib" and len(parts) > 1 else None


def edges():
    for path, name, is_pkg in modules():
        for mod, names in imports(path, name, is_pkg):
            yield path, name, mod, names


def test_stages_import_one_way():
    bad = []
    for path, name, mod, _ in edges():
        src, dst = top(name), top(mod)
        if src is None or dst is None or src == dst:
            continue
        if src in SHARED:
            if dst != "errors" and (src, dst) not in SHARED_ON_SHARED:
                bad.append(f"{name} -> {mod} (shared helpers import only cxlib.errors)")
        elif dst in SHARED:
            continue
        elif STAGE.get(dst, 9) > STAGE.get(src, -1):
            bad.append(f"{name} -> {mod} (a later stage)")
        elif src == "data":
            bad.append(f"{name} -> {mod} (data imports no other package)")
    assert not bad, "\n".join(bad)


def test_analysis_packages_form_no_cycle():
    graph: dict[str, set] = {}
    for _, name, mod, _ in edges():
        src, dst = top(name), top(mod)
        if src and dst and src != dst and STAGE.get(src) == STAGE.get(dst) == 1:
            graph.setdefault(src, set()).add(dst)

    def reaches(start: str) -> set:
        seen, todo = set(), list(graph.get(start, ()))
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(graph.get(node, ()))
        return seen

    cyclic = [a for a in graph if a in reaches(a)]
    assert not cyclic, graph


def test_no_private_name_crosses_a_package_boundary():
    bad = []
    for path, name, mod, names in edges():
        src, dst = top(name), top(mod)
        if dst is None or src == dst:
            continue
        private_module = any(p.startswith("_") and p != "__init__" for p in mod.split(".")[2:])
        if private_module or [n for n in names if n.startswith("_")]:
            bad.append(f"{path.relative_to(PACKAGE.parent)}: from {mod} import {names}")
    assert not bad, "\n".join(bad)


def test_rendering_libraries_only_in_report():
    bad = [f"{name} imports {mod}" for _, name, mod, _ in edges()
           if mod.split(".")[0] in ONLY_IN_REPORT and top(name) != "report"]
    assert not bad, bad


@pytest.mark.parametrize("pkg", sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()))
def test_every_package_declares_its_public_names(pkg):
    tree = ast.parse((PACKAGE / pkg / "__init__.py").read_text(encoding="utf-8"))
    names = [t.id for node in tree.body if isinstance(node, (ast.Assign, ast.AnnAssign))
             for t in (node.targets if isinstance(node, ast.Assign) else [node.target]) if isinstance(t, ast.Name)]
    assert "__all__" in names, pkg


def test_modules_stay_short():
    long = {str(p.relative_to(PACKAGE)): n for p, _, _ in modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 350}
    assert not long, long


def test_the_check_catches_a_private_import(tmp_path):
    # The walk above must see what it is meant to forbid: a planted cross-package private import.
    planted = tmp_path / "x.py"
    planted.write_text("from ..data._readers import read_file\nfrom ..scores import _sums\n")
    found = list(imports(planted, "cxlib.report.x", False))
    assert ("cxlib.data._readers", ["read_file"]) in found and ("cxlib.scores", ["_sums"]) in found
