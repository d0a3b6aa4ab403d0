"""Customer scoring in the database (``sections.customer_scores`` -> ``score_customers`` on Ibis tables), step by
step, and what reading its table costs.

Run by hand: ``.venv/bin/python benchmarks/bench_customer_scores.py [CONFIG] [--month 2026-10] [--reps 2]``, CONFIG
a report config on DuckDB tables (e.g. the one bench_report_engines.py writes for 10M responses); without it,
the project's cx.yml (the sample data) with every table read by DuckDB. Figures, wall
and CPU seconds of this process (DuckDB runs inside it): each ``materialize`` (the customer/health table, then
its copy with the churn probability), the whole scoring, then the least of ``--reps`` runs of the money
section's results (``sections.money_results``: revenue at risk among current customers in total, by region and
by NPS category) and the follow-up section. The machine's load is printed: on a shared machine compare runs taken under the same load, by CPU.
"""

from __future__ import annotations

import argparse
import os
import resource
import time


def _clock():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), r.ru_utime + r.ru_stime


def _timed(label: str, call, reps: int = 1):
    best = (float("inf"), float("inf"))
    for _ in range(reps):
        w0, c0 = _clock()
        out = call()
        w1, c1 = _clock()
        best = min(best[0], w1 - w0), min(best[1], c1 - c0)
    print(f"{label:32s} wall {best[0]:7.2f} s   cpu {best[1]:7.2f} s", flush=True)
    return out


def _sample_on_duckdb() -> str:
    """The project's cx.yml with absolute paths and ``engine: duckdb`` for each table, in a temporary file."""
    import tempfile
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parents[1]
    cfg = yaml.safe_load((root / "cx.yml").read_text())
    for name in ("responses", "tickets", "accounts"):
        if name in cfg:
            cfg[name] = {**cfg[name], "path": str(root / cfg[name]["path"]), "engine": "duckdb"}
    if "codebook" in cfg:
        cfg["codebook"] = str(root / cfg["codebook"])
    out = Path(tempfile.mkdtemp()) / "cx-duckdb.yml"
    out.write_text(yaml.safe_dump(cfg))
    return str(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("config", nargs="?")
    ap.add_argument("--month", default="2026-10")
    ap.add_argument("--reps", type=int, default=2)
    args = ap.parse_args()

    import cxlib.data
    from cxlib import data
    from cxlib.report import sections

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    plain = cxlib.data.materialize
    cxlib.data.materialize = lambda t, **kw: _timed("  materialize", lambda: plain(t, **kw))
    cfg = data.load_config(args.config or _sample_on_duckdb())
    responses, tickets, accounts = data.load_responses(cfg), data.load_tickets(cfg), data.load_accounts(cfg)
    scope = sections.context(cfg, responses, month=args.month, segment="")
    scored = _timed("customer_scores", lambda: sections.customer_scores(scope, tickets, accounts))
    cxlib.data.materialize = plain
    if scored is None or scored.model is None:
        print("no churn model: nothing more to time")
        return
    # the money section's own results (revenue at risk in total, by region, by NPS category), memo cleared per rep
    _timed("money results (least)", lambda: (scope.results.clear(), sections.money_results(scope, scored)), args.reps)
    art = os.path.join(os.environ.get("TMPDIR", "/tmp"), "cx-bench-follow-up")
    os.makedirs(art, exist_ok=True)
    _timed("follow_up section", lambda: sections.follow_up(scope, scored, artifacts=art))
    print(f"peak resident memory of this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6:.2f} GB")


if __name__ == "__main__":
    main()
