"""``docs/config.md`` and ``docs/cx.schema.json``, generated from the schema's declarations."""

from __future__ import annotations

import json

from .models import Config

__all__ = ["json_schema", "markdown"]

_INTRO = """# cx.yml reference

Generated from `cxlib/data/schema/models.py` by `make docs` (`python -m cxlib.data.schema`); do not edit.
Every key, its type, default and meaning, section by section. Paths are relative to the config file.
Unknown keys are refused with the closest known key; whole numbers may be written `5` or `5.0`; `true`,
`false` are unquoted. Editors that read JSON Schema (VS Code's YAML extension) complete and check
`cx.yml` with [`cx.schema.json`](cx.schema.json): add `# yaml-language-server: $schema=docs/cx.schema.json`
at the top of the file.

User-chosen names: `responses.segments` and `responses.drivers` map your own names to columns;
`responses.scales` takes a score, `drivers` (every driver) or a driver's own name; `labels` any name.
"""


def json_schema() -> dict:
    """The JSON Schema of ``cx.yml`` (draft 2020-12).

    Examples
    --------
    >>> json_schema()["properties"]["engines"]["$ref"]
    '#/$defs/Engines'
    """
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **Config.model_json_schema()}


def markdown() -> str:
    """The reference page: one table per section, every key with its type, default and doc.

    Examples
    --------
    >>> "| `max_segment_values` | whole number ≥ 2 | `12` |" in markdown()
    True
    """
    schema = json_schema()
    out = [_INTRO]
    _section(out, "Top level", schema, schema["$defs"], "")
    return "\n".join(out).rstrip() + "\n"


def _resolve(node: dict, defs: dict) -> dict:
    if "$ref" in node:
        return defs[node["$ref"].rsplit("/", 1)[-1]]
    options = [n for n in node.get("anyOf", []) if n.get("type") != "null"]
    return _resolve(options[0], defs) if len(options) == 1 else node


def _type(node: dict, defs: dict) -> str:
    if "$ref" in node:
        target = _resolve(node, defs)
        return "section (below)" if target.get("properties") else _type(target, defs)
    if "anyOf" in node or "oneOf" in node:
        parts = [_type(n, defs) for n in node.get("anyOf", node.get("oneOf", [])) if n.get("type") != "null"]
        return " or ".join(dict.fromkeys(parts))
    if "enum" in node or "const" in node:
        return "one of " + ", ".join(f"`{json.dumps(v)}`" for v in node.get("enum", [node.get("const")]))
    kind = node.get("type")
    if isinstance(kind, list):
        return " or ".join({"integer": "whole number", "string": "text"}.get(k, k) for k in kind)
    if kind == "array":
        return f"list of {_type(node.get('items', {}), defs)}"
    if kind == "object":
        inner = node.get("additionalProperties")
        return f"mapping of name: {_type(inner, defs)}" if isinstance(inner, dict) else "mapping"
    low = (f" ≥ {node['minimum']}" if "minimum" in node else
           f" > {node['exclusiveMinimum']}" if "exclusiveMinimum" in node else "")
    word = {"integer": "whole number", "number": "number", "string": "text", "boolean": "true/false"}
    return word.get(kind, str(kind)) + low + (" (date)" if node.get("format") == "date" else "")


def _default(prop: dict, required: bool) -> str:
    if required:
        return "required"
    if "default" not in prop:
        return ""
    value = prop["default"]
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if v is not None}
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def _section(out: list, title: str, node: dict, defs: dict, prefix: str) -> None:
    node = _resolve(node, defs)
    out += [f"## {title}", "", node.get("description", "").strip(), "",
            "| key | type | default | meaning |", "| --- | --- | --- | --- |"]
    required, nested = set(node.get("required", [])), []
    for name, prop in node.get("properties", {}).items():
        inner = _resolve(prop, defs)
        doc = prop.get("description") or inner.get("description", "")
        cells = [f"`{name}`", _type(prop, defs), _default(prop, name in required), doc]
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        for i, choice in enumerate(inner.get("oneOf", [])):
            nested.append((f"{prefix}{name} (form {i + 1})", choice))
        if inner.get("properties"):
            nested.append((f"{prefix}{name}", inner))
        extra = inner.get("additionalProperties")
        if isinstance(extra, dict) and "$ref" in extra and not inner.get("properties"):
            nested.append((f"{prefix}{name}.<name>", extra))
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        out.append(f"| *any other name* | {_type(extra, defs)} | | |")
    out.append("")
    for path, child in nested:
        _section(out, f"`{path}`", child, defs, path.split(" ")[0] + ".")
