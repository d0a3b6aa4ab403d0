"""``python -m cxlib.data.schema [--check]``: write (or check) docs/config.md and docs/cx.schema.json."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import json_schema, markdown

DOCS = Path(__file__).resolve().parents[3] / "docs"


def outputs() -> dict[Path, str]:
    """Each generated file and its text."""
    return {DOCS / "config.md": markdown(),
            DOCS / "cx.schema.json": json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cxlib.data.schema", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 when a generated file is stale")
    args = parser.parse_args(argv)
    stale = [p for p, text in outputs().items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    if args.check:
        for p in stale:
            print(f"{p} is stale: run make docs", file=sys.stderr)
        return 1 if stale else 0
    for p, text in outputs().items():
        p.write_text(text, encoding="utf-8")
        print(f"wrote {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
