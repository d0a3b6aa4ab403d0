"""Validation done once per data version: a small marker file saying a file passed its checks.

The report runner validates a large file (one aggregate scan, then the unique-id count) before any kernel
starts; the kernel then opens the same file again. A marker written after the checks pass, keyed by
everything the checks depend on (the file's path, size, modification time and inode, the section's mapping,
missing codes and date options, the scales, the time zone and the cxlib version), lets the second open trust
the first: a file that changes in any way gets a new key and is checked again. Server tables have no such
version: they are checked on every open, except within one run of the report command, which names a folder
of its own in ``CX_RUN_VALIDATED`` for the kernels it starts (the runner checks, its kernels trust it; the
folder is removed when the command ends).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

__all__ = ["RUN_VARIABLE", "checks_shared_with_kernels", "marker_path", "read_marker", "size_bytes", "write_marker"]

#: The environment variable naming one report run's folder of server-table markers (set by the command).
RUN_VARIABLE = "CX_RUN_VALIDATED"


def size_bytes(text: str) -> int:
    """Bytes in a size written as the config writes it ("2.5GB", "512MB", "1GiB").

    Examples
    --------
    >>> size_bytes("2.5GB"), size_bytes("512 MiB")
    (2500000000, 536870912)
    """
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGTkmgt])(i?)[Bb]\s*", str(text))
    if not m:
        raise ValueError(f"a size such as 2.5GB; got {text!r}")
    power = "KMGT".index(m.group(2).upper()) + 1
    return int(float(m.group(1)) * (1024 if m.group(3) else 1000) ** power)


def marker_path(spec, scales: dict, options: dict, tz: str | None, folder=None) -> Path | None:
    """Where the marker of ``spec``'s current file version lives (in ``folder``, else the DuckDB temp
    folder), or None for a missing file or a server table outside a report run (:data:`RUN_VARIABLE`)."""
    from importlib import metadata

    path, run = getattr(spec, "path", None), os.environ.get(RUN_VARIABLE)
    if spec.options.get("table"):   # the table and the variable's name (never the URL it holds)
        if not run:
            return None
        source, base = ["table", spec.options["table"], spec.options.get("connection")], Path(run)
    elif path is None or not Path(path).exists():
        return None
    else:
        st = Path(path).stat()
        source = [str(Path(path).resolve()), st.st_size, st.st_mtime_ns, st.st_ino]
        base = Path(folder) if folder else Path(options.get("temp_directory") or Path(tempfile.gettempdir()) / "cx-duckdb")
    try:
        version = metadata.version("cxlib")
    except metadata.PackageNotFoundError:
        version = "dev"
    scale = {k: [v.min, v.max] for k, v in sorted(scales.items())} if scales else {}
    parts = [*source, spec.name, spec.columns, spec.segments, spec.drivers, getattr(spec, "multi", {}),
             spec.missing_codes, spec.options.get("dates"), scale, tz, options.get("check_unique_ids", True), version]
    key = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]
    return base / "validated" / f"{spec.name}-{key}.json"


@contextlib.contextmanager
def checks_shared_with_kernels():
    """While open, a folder for this process's server-table markers named in ``CX_RUN_VALIDATED`` (the report
    command runs inside it): the kernels it starts inherit the variable and trust its checks (a PostgreSQL
    table of 10M responses was checked twice, ~30 s each). On leaving, the variable and the folder are
    removed, so a later load in the same process checks again; an outer run's folder is kept as it is."""
    import shutil

    if RUN_VARIABLE in os.environ:
        yield
        return
    folder = tempfile.mkdtemp(prefix="cx-run-")
    os.environ[RUN_VARIABLE] = folder
    try:
        yield
    finally:
        os.environ.pop(RUN_VARIABLE, None)
        shutil.rmtree(folder, ignore_errors=True)


def read_marker(marker: Path | None) -> dict | None:
    """What the first validation recorded (the probed columns found clean), or None: validate."""
    if marker is None or not marker.exists():
        return None
    try:
        found = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) and isinstance(found.get("clean"), list) else None


def write_marker(marker: Path | None, clean: set) -> None:
    """Record that the file passed every check (written atomically; a folder that cannot be written only
    means the next open validates again)."""
    if marker is None:
        return
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        part = marker.with_suffix(f".{os.getpid()}.part")
        part.write_text(json.dumps({"clean": sorted(clean)}), encoding="utf-8")
        os.replace(part, marker)
    except OSError:
        return
