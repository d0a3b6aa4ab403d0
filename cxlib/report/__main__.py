"""``python -m cxlib.report``: the command line over :func:`cxlib.report.render_jobs`.

Exit codes: 0 every report published, 1 a report failed (the previous one is untouched; with several
reports the others still run and every failure is listed at the end), 2 bad parameters, a bad config,
unreadable or invalid inputs (every configured file is loaded and checked: off-scale scores and drivers,
tickets and accounts) or an unusable output folder, all checked before any kernel starts.
"""

from __future__ import annotations

import argparse
import sys
import warnings

from ..data import (checks_shared_with_kernels, file_digests, load_accounts, load_config, load_responses,
                    load_tickets, project_root, redact_urls, undated_note)
from ..errors import ConfigError, DataError, ParameterError
from .jobs import folder_name, resolve_jobs
from .pdf import find_chromium
from .render import check_readable, output_root, render_jobs

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m cxlib.report", description="Render the monthly CX report.")
    p.add_argument("--month", default=None, help="YYYY-MM, or 'latest' (latest full month; default)")
    p.add_argument("--config", default=None, help="data config (default: cx.yml at the project root)")
    p.add_argument("--segment", default=None, help="one segment only, e.g. region=EMEA")
    p.add_argument("--by", default=None, help="one report per value of this segment, e.g. region")
    p.add_argument("--all-months", action="store_true", help="back-fill every month in the data")
    p.add_argument("--output-dir", default="reports", help="where reports go (default: reports/)")
    p.add_argument("--timeout", type=int, default=600, help="seconds allowed per notebook cell")
    p.add_argument("--pdf", action="store_true", help="also print each report to PDF (needs Chromium)")
    p.add_argument("--pptx", action="store_true", help="also write a PowerPoint deck with editable charts")
    p.add_argument("--email", action="store_true", help="also write an e-mail digest (.eml) to send with cron")
    p.add_argument("--xlsx", action="store_true", help="also write an Excel workbook of every table in the report")
    return p


def _say(text: str) -> None:
    """Print a message to stderr, any URL's credentials hidden (a driver may quote the URL it was given)."""
    print(f"cxlib.report: {redact_urls(str(text))}", file=sys.stderr)


def main(argv=None) -> int:
    """Command line entry point; returns the exit code (0 ok, 1 failed run, 2 bad parameters)."""
    args = _parser().parse_args(argv)
    if args.timeout <= 0:
        print(f"cxlib.report: --timeout must be a positive number of seconds; got {args.timeout}", file=sys.stderr)
        return 2
    with checks_shared_with_kernels():   # server tables checked here are trusted by this run's kernels
        return _run(args)


def _run(args) -> int:
    """The run of :func:`main` once its arguments are read."""
    try:
        cfg = load_config(args.config)
        check_readable(cfg)
        output_root(args.output_dir, project_root())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)      # the loader's notes are printed below instead
            responses = load_responses(cfg)
        load_tickets(cfg), load_accounts(cfg)                 # every configured file checked before any kernel
        digests = file_digests(cfg)
        jobs = resolve_jobs(cfg, responses, month=args.month, segment=args.segment, by=args.by,
                            all_months=args.all_months)
        if args.pdf:
            find_chromium(cfg.report.get("chromium"))
    except (ParameterError, ConfigError, DataError) as exc:
        _say(exc)
        return 2
    except OSError as exc:
        _say(f"cannot read the inputs: {exc}")
        return 2
    for note in [undated_note(responses, cfg), *getattr(responses, "attrs", {}).get("cx_notes", [])]:
        if note:
            _say(f"note: {note}")
    from tqdm import tqdm

    failures = []
    bar = tqdm(total=len(jobs), desc="reports", unit="report", disable=len(jobs) < 2, file=sys.stderr)
    for job, result in render_jobs(jobs, config=cfg, responses=responses, digests=digests,
                                   output_dir=args.output_dir, timeout=args.timeout, pdf=args.pdf,
                                   pptx=args.pptx, email=args.email, xlsx=args.xlsx):
        bar.update()
        if isinstance(result, Exception):
            failures.append((job, result))
            _say(result)
        else:
            print(result)
    bar.close()
    if not failures:
        return 0
    if len(jobs) > 1:
        print(f"cxlib.report: {len(failures)} of {len(jobs)} reports failed:", file=sys.stderr)
        for job, error in failures:
            print(f"  {folder_name(job)}: {redact_urls(str(error).splitlines()[0])}", file=sys.stderr)
    return 2 if all(isinstance(e, ParameterError) for _, e in failures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
