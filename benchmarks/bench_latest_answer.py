"""SQL shapes for each customer's latest answer on DuckDB (the customer GROUP BY of ``cxlib.customers``), timed.

Run by hand: ``.venv/bin/python benchmarks/bench_latest_answer.py RESPONSES.parquet [--reps 3] [--threads 2]
[--memory 625MB] [--shapes base,struct,...]``. RESPONSES has ``customer_id``, ``response_id``, ``responded_at``,
``nps``, ``csat``, ``ces`` (e.g. /tmp/cx-bench-data/responses-10000000.parquet). Each shape is the whole per-customer
GROUP BY (count, last date, the three latest answers, the NPS sum and count), its result summed so that nothing is
pruned; the shapes run in turn ``--reps`` times and the least wall and CPU seconds (this process: DuckDB's threads
run inside it) of each are printed, with a checksum of the latest answers: shapes that break ties alike agree.

- ``max_count``: count and last date only (the floor: no latest answer);
- ``base``: ``arg_max(x, t)`` (ties: whichever row a thread saw first);
- ``struct``: ``arg_max(x, {t, id})`` (ties: the highest response id); ``cx``: what
  ``cxlib.customers._latest.latest_value`` writes for text ids, ``arg_max(x, {t, coalesce(id, ''), x})``;
- ``packed``: ``arg_max(x, epoch_us(t) * 2^64 + id)`` as a HUGEINT, for integer ids only;
- ``ordered``: ``FIRST(x ORDER BY t DESC, id DESC)`` (what Ibis writes for an ordered first);
- ``two_pass``: the latest date of each score per customer, then the rows at those dates joined back and
  ``arg_max(x, id)`` among them;
- ``row``: ``arg_max(x, (t, id))`` (an unnamed struct); ``hashed``: a HUGEINT key with a hash of the id
  (deterministic, but not the id's order: a cost reference only).

Tried and dropped: the top two dates per customer (``max(t, 2)``) ran out of memory at 625 MB (lists do not
spill); a one-pass tie test (``max`` of the date packed with the id's hash, both ways) followed by the exact
pass for flagged customers only cost more than ``struct`` (18.2 s CPU against 9.5 for ``base``).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time

SCORES = ("nps", "csat", "ces")


def _clock():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), r.ru_utime + r.ru_stime


def _one_pass(latest) -> str:
    cols = ", ".join(f"{latest(s)} AS {s}_latest" for s in SCORES)
    return (f"SELECT customer_id, count(*) AS n, max(responded_at) AS last_at, {cols}, sum(nps) AS nps_sum, "
            f"count(nps) AS nps_n FROM r GROUP BY customer_id")


def _two_pass() -> str:
    lasts = ", ".join(f"max(responded_at) FILTER (WHERE {s} IS NOT NULL) AS t_{s}" for s in SCORES)
    at = " OR ".join(f"r.responded_at = m.t_{s}" for s in SCORES)
    picks = ", ".join(f"arg_max(r.{s}, r.response_id) FILTER (WHERE r.responded_at = m.t_{s}) AS {s}_latest"
                      for s in SCORES)
    return (f"WITH m AS (SELECT customer_id, count(*) AS n, max(responded_at) AS last_at, {lasts}, "
            f"sum(nps) AS nps_sum, count(nps) AS nps_n FROM r GROUP BY customer_id), "
            f"l AS (SELECT r.customer_id, {picks} FROM r JOIN m ON r.customer_id = m.customer_id AND ({at}) "
            f"GROUP BY r.customer_id) "
            f"SELECT m.*, l.nps_latest, l.csat_latest, l.ces_latest FROM m JOIN l USING (customer_id)")


def _at_latest() -> str:
    """The latest date of each score per customer (one pass), then only the responses at those dates (joined
    on customer and date) and the highest ``{id, x}`` among them."""
    lasts = ", ".join(f"max(responded_at) FILTER (WHERE {s} IS NOT NULL) AS t_{s}" for s in SCORES)
    keys = " UNION ALL ".join(["SELECT customer_id, last_at AS t, t_nps, t_csat, t_ces FROM m"]
                              + [f"SELECT customer_id, t_{s}, t_nps, t_csat, t_ces FROM m WHERE t_{s} <> last_at"
                                 for s in SCORES])
    picks = ", ".join(f"arg_max(r.{s}, {{'i': coalesce(r.response_id, ''), 'x': r.{s}}}) "
                      f"FILTER (WHERE r.responded_at = k.t_{s}) AS {s}_latest" for s in SCORES)
    return (f"WITH m AS (SELECT customer_id, count(*) AS n, max(responded_at) AS last_at, {lasts}, "
            f"sum(nps) AS nps_sum, count(nps) AS nps_n FROM r GROUP BY customer_id), k AS ({keys}), "
            f"l AS (SELECT r.customer_id, {picks} FROM r JOIN k ON r.customer_id = k.customer_id "
            f"AND r.responded_at = k.t GROUP BY r.customer_id) "
            f"SELECT m.*, l.nps_latest, l.csat_latest, l.ces_latest FROM m JOIN l USING (customer_id)")


SHAPES = {
    "max_count": lambda: ("SELECT customer_id, count(*) AS n, max(responded_at) AS last_at, 0.0 AS nps_latest, "
                          "0.0 AS csat_latest, 0.0 AS ces_latest, sum(nps) AS nps_sum, count(nps) AS nps_n "
                          "FROM r GROUP BY customer_id"),
    "base": lambda: _one_pass(lambda s: f"arg_max({s}, responded_at)"),
    "struct": lambda: _one_pass(lambda s: f"arg_max({s}, {{'t': responded_at, 'i': response_id}})"),
    "packed": lambda: _one_pass(lambda s: f"arg_max({s}, (epoch_us(responded_at)::HUGEINT << 64) "
                                          f"+ response_id::HUGEINT)"),
    "ordered": lambda: _one_pass(lambda s: f"first({s} ORDER BY responded_at DESC, response_id DESC) "
                                           f"FILTER (WHERE {s} IS NOT NULL)"),
    "two_pass": _two_pass,
    "at_latest": _at_latest,
    "cx": lambda: _one_pass(lambda s: f"arg_max({s}, {{'t': responded_at, 'i': coalesce(response_id, ''), "
                                      f"'x': {s}}})"),
    "row": lambda: _one_pass(lambda s: f"arg_max({s}, (responded_at, response_id))"),
    "hashed": lambda: _one_pass(lambda s: f"arg_max({s}, (epoch_us(responded_at)::HUGEINT << 64) "
                                          f"+ hash(response_id)::HUGEINT)"),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("responses")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--memory", default="625MB")
    ap.add_argument("--shapes", default="max_count,base,struct,two_pass")
    args = ap.parse_args()
    import duckdb

    con = duckdb.connect(config={"threads": args.threads, "memory_limit": args.memory,
                                 "temp_directory": tempfile.mkdtemp(prefix="cx-latest-")})
    con.execute("SET enable_progress_bar = false")
    con.execute(f"CREATE VIEW r AS SELECT * FROM read_parquet('{args.responses}')")
    shapes = args.shapes.split(",")
    best = {s: (float("inf"), float("inf")) for s in shapes}
    sums = {}
    for _ in range(args.reps):
        for s in shapes:   # alternated, so that a change of load hits every shape alike
            w0, c0 = _clock()
            got = con.execute(f"SELECT count(*), sum(n), sum(epoch(last_at)), sum(nps_latest), sum(csat_latest), "
                              f"sum(ces_latest), sum(nps_sum), sum(nps_n) FROM ({SHAPES[s]()})").fetchone()
            w1, c1 = _clock()
            best[s] = min(best[s][0], w1 - w0), min(best[s][1], c1 - c0)
            sums[s] = got[3:6]
    for s in shapes:
        print(f"{s:10s} wall {best[s][0]:6.2f} s  cpu {best[s][1]:6.2f} s  latest sums "
              f"{sums[s][0]:.0f} {sums[s][1]:.0f} {sums[s][2]:.0f}", flush=True)


if __name__ == "__main__":
    main()
