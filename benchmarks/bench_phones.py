"""Benchmark: our phone patterns against ``phonenumbers`` (the libphonenumber port) on the labelled phones.

Run by hand (not a test)::

    .venv/bin/python benchmarks/bench_phones.py              # labelled sets + 20,000 generated comments
    .venv/bin/python benchmarks/bench_phones.py --n 100000

For each labelled phone case (both sets in ``tests/hostile``) a finder scores a hit when a found span covers
the labelled number; on every look-alike a hit is a false alarm. ``phonenumbers.PhoneNumberMatcher`` needs a
default region for numbers written without "+": it is run once per region (as Presidio's PhoneRecognizer
does) and its spans are merged, at leniency POSSIBLE (0) and VALID (1). Texts are normalised first, as
``redact_text`` does (fullwidth digits, zero-width characters). ``phonenumbers`` is a dev dependency,
used here only. Speed is measured on comments built
by ``bench_text.make_comments`` (those with six digits or more, as ``redact`` picks them) and projected to
1M comments.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import phonenumbers

from cxlib.comments._numbers import cards_and_phones
from cxlib.comments._pii import normalise

ROOT = Path(__file__).resolve().parents[1]
SETS = [ROOT / "tests" / "hostile" / "pii_cases.tsv", ROOT / "tests" / "hostile" / "pii_cases_multilingual.tsv"]
REGIONS = ("US", "GB", "DE", "FR", "ES", "IT", "NL", "PT", "BR", "MX", "IN")


def ours(text: str) -> list[tuple[int, int]]:
    return [(a, b) for a, b, kind in cards_and_phones(text) if kind == "phone"]


def libphone(text: str, leniency: int) -> list[tuple[int, int]]:
    spans = set()
    for region in REGIONS:
        for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=leniency):
            spans.add((m.start, m.end))
    return sorted(spans)


def score(finder) -> tuple[int, int, int, int, list[str]]:
    """(phones found, phones, look-alikes flagged, look-alikes, missed texts)."""
    found = total = flagged = looks = 0
    missed = []
    for path in SETS:
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                text = normalise(row["text"].replace("\\n", "\n"))   # as redact_text does first
                if (row.get("note") or "").startswith("known limit"):
                    continue
                if row["kind"] == "phone":
                    total += 1
                    start = text.find(row["value"])
                    end = start + len(row["value"])
                    hit = any(a <= start + 1 and b >= end - 1 for a, b in finder(text))
                    found += hit
                    if not hit:
                        missed.append(text)
                elif row["kind"] == "lookalike":
                    looks += 1
                    flagged += bool(finder(text))
    return found, total, flagged, looks, missed


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000)
    args = ap.parse_args(argv)
    finders = {"ours (cxlib)": ours, "phonenumbers POSSIBLE": lambda t: libphone(t, 0),
               "phonenumbers VALID": lambda t: libphone(t, 1)}
    for name, finder in finders.items():
        found, total, flagged, looks, missed = score(finder)
        print(f"{name:<22}: phones {found}/{total} ({found / total:.1%}); look-alikes flagged {flagged}/{looks}")
        for text in missed[:8]:
            print(f"    missed: {text!r}")

    from bench_text import make_comments      # benchmarks/ is on sys.path when run as a script

    comments = make_comments(args.n)["comment"]
    digits = comments[comments.str.count(r"\d") >= 6].tolist()
    print(f"{len(digits):,} of {len(comments):,} generated comments have six digits or more")
    for name, finder in finders.items():
        t = time.perf_counter()
        for text in digits:
            finder(text)
        dt = time.perf_counter() - t
        per_million = dt / len(comments) * 1_000_000
        print(f"{name:<22}: {len(digits) / dt:>9,.0f} comments/s -> {per_million:,.0f} s per 1M comments "
              f"(one core)")


if __name__ == "__main__":
    main()
