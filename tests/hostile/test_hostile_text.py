"""Hostile text through redaction: a labelled set of personal data and look-alikes, adversarial lengths,
digits of other scripts, invisible characters.

``pii_cases.tsv`` was written by hand for this test (378 cases): each positive names the personal value
inside its text, which must be gone from the redacted text with the kind's placeholder in its place
(for names, every word of the name); each look-alike must come out unchanged. Card numbers are the
issuers' published test numbers and IBANs the ISO 13616 / SWIFT registry examples; both are checked
here with checksums written out independently of cxlib. The README quotes the figures this prints.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlib.comments import PLACEHOLDERS, redact
from cxlib.comments.redaction import redact_text

CASES = Path(__file__).with_name("pii_cases.tsv")


def load_cases(path: Path = CASES) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    for r in rows:
        r["text"], r["value"] = r["text"].replace("\\n", "\n"), r["value"].replace("\\n", "\n")
    return rows


def _caught(row: dict, out: str) -> bool:
    if row["kind"] == "name":
        return PLACEHOLDERS["name"] in out and not any(w in out for w in row["value"].split())
    return PLACEHOLDERS[row["kind"]] in out and row["value"] not in out


def score(path: Path = CASES) -> dict:
    """Recall per kind of personal data and survival of look-alikes on a labelled set."""
    rows = load_cases(path)
    outs = redact([r["text"] for r in rows]).tolist()
    figures, misses = {}, []
    limits = [(r["kind"], r["text"], o, _caught(r, o) if r["kind"] != "lookalike" else o == r["text"])
              for r, o in zip(rows, outs) if (r.get("note") or "").startswith("known limit")]
    for kind in [*PLACEHOLDERS, "lookalike"]:
        pairs = [(r, o) for r, o in zip(rows, outs)
                 if r["kind"] == kind and not (r.get("note") or "").startswith("known limit")]
        ok = [(o == r["text"]) if kind == "lookalike" else _caught(r, o) for r, o in pairs]
        if ok:
            figures[kind] = (sum(ok), len(ok))
        misses += [(kind, r["text"], o) for (r, o), good in zip(pairs, ok) if not good]
    return {"figures": figures, "misses": misses, "limits": limits}


def test_labelled_set_recall_and_lookalike_survival():
    result = score()
    f = result["figures"]
    positives = [k for k in f if k != "lookalike"]
    hit = sum(f[k][0] for k in positives)
    total = sum(f[k][1] for k in positives)
    assert total >= 200 and f["lookalike"][1] >= 100                 # >= 300 cases in all
    assert hit / total >= 0.97, result["misses"]
    for kind in ("email", "iban", "card"):                           # checkable kinds: every one
        assert f[kind][0] == f[kind][1], result["misses"]
    assert f["phone"][0] / f["phone"][1] >= 0.95 and f["name"][0] / f["name"][1] >= 0.9, result["misses"]
    assert f["lookalike"][0] / f["lookalike"][1] >= 0.97, result["misses"]


def _luhn(number: str) -> bool:
    """Luhn (ISO/IEC 7812-1), written out as the standard states it."""
    digits = [int(c) for c in number][::-1]
    return sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits)) % 10 == 0


def _mod97(iban: str) -> bool:
    """ISO 13616 check: move the first four characters to the end, letters to 10..35, remainder 1 mod 97."""
    s = iban.replace(" ", "").replace("-", "").upper()
    return int("".join(str(int(c, 36)) for c in s[4:] + s[:4])) % 97 == 1


def test_the_labelled_cards_and_ibans_are_valid_numbers():
    import unicodedata

    for row in load_cases():
        value = unicodedata.normalize("NFKC", row["value"])
        ascii_value = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in value)
        if row["kind"] == "card":
            assert _luhn("".join(c for c in ascii_value if c.isdigit())), row
        if row["kind"] == "iban":
            assert _mod97(ascii_value), row


#: Adversarial inputs: name -> (prefix, repeated unit); ``adversarial(name, n)`` builds about n characters.
ADVERSARIAL = {
    # the e-mail pattern was quadratic: a long run of address characters with no "@" (11 s per 100 kB)
    "address characters": ("", "a.b-c_d"),
    "many @": ("", "a@"),
    "spelled-out at/dot": ("", "jo at x dot "),
    "bracketed at": ("", "a(at)b(dot)"),
    "URL without end": ("https://", "a."),
    "URL punctuation": ("http://x", ")."),
    "digit groups": ("", "1 "),
    "dotted digits": ("", "12."),
    "phone cue then digits": ("", "call me on 1-"),
    "IBAN prefixes": ("", "GB82 "),
    "IBAN-like run": ("gb82", "a1"),
    "name cues": ("", "my name is "),
    "capitalised words": ("", "Thanks to Aaaa "),
    "from support": ("", "Aaa Bbb Ccc from support "),
    "invisible characters": ("", "4\u200b1\u202e"),
    "non-ASCII digits": ("", "٤١١١ "),
}


def adversarial(name: str, n: int) -> str:
    """About ``n`` characters of the adversarial input ``name``."""
    prefix, unit = ADVERSARIAL[name]
    return prefix + unit * max(1, (n - len(prefix)) // len(unit))


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_one_megabyte_of_adversarial_text_is_redacted_in_linear_time(name):
    # No wall-clock budget (a busy machine broke "1 MB in < 6 s"): CPU time at 10 kB, 100 kB and 1 MB,
    # least of 3 runs each, must grow at most 20x per 10x input (linear: 10x; the old quadratic e-mail
    # pattern: ~100x, 11 s at 100 kB). Absolute figures: benchmarks/bench_hostile_text.py.
    from linear import assert_linear    # tests/hostile/linear.py (imported here: benchmarks load this file)

    assert len(adversarial(name, 1_000_000)) >= 990_000
    assert_linear(redact_text, lambda n: adversarial(name, n), name=name)


def test_a_long_comment_keeps_its_personal_data_redacted_after_the_cap():
    long = "x" * 200_000 + " mail jo@example.com or call +44 20 7946 0958, agent Olga. " + "y" * 200_000
    out = redact_text(long)
    assert "jo@example.com" not in out and "7946" not in out and "Olga" not in out


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(categories=["Nd", "Zs", "Pd", "Po"]), min_size=0, max_size=60))
def test_digits_of_any_script_never_raise(text):
    out = redact([text, "card " + text, "call me on " + text]).tolist()
    assert len(out) == 3


@pytest.mark.parametrize("text, gone", [
    ("card ٤٥٣٩ ١٤٨٨ ٠٣٤٣ ٦٤٦٧ please", "٤٥٣٩"),       # Arabic-Indic digits, a Luhn-valid Visa number
    ("card ४५३९ १४८८ ०३४३ ६४६७ please", "४५३९"),                    # Devanagari
    ("card ４５３９　１４８８　０３４３　６４６７ please", "４５３９"),  # fullwidth, ideographic spaces
    ("card 4539\u200b1488\u200b0343\u200b6467 please", "4539"),     # zero-width spaces inside
    ("mail j\u200bo@exa\u2066mple.com", "mple"),                     # zero-width and bidi isolate
    ("agent O\u200dlga helped", "lga"),
])
def test_invisible_characters_and_other_digits_do_not_hide_personal_data(text, gone):
    out = redact([text]).iloc[0]
    assert gone not in out and "[" in out


def test_redaction_is_idempotent_on_the_labelled_set():
    once = redact([r["text"] for r in load_cases()])
    assert redact(once).tolist() == once.tolist()


if __name__ == "__main__":  # print the figures the README quotes
    import sys

    result = score(Path(sys.argv[1]) if len(sys.argv) > 1 else CASES)
    for kind, (ok, n) in result["figures"].items():
        print(f"{kind:<10} {ok:>3}/{n:<3} {ok / n:.1%}")
    for miss in result["misses"]:
        print(miss)
    for limit in result["limits"]:
        print("known limit", limit)


def test_a_comment_whose_analysis_fails_is_counted_not_fatal(monkeypatch):
    import importlib

    import pandas as pd

    from cxlib.comments import UNANALYSED, annotate_comments

    sentiment_module = importlib.import_module("cxlib.comments.sentiment")

    real = sentiment_module._analyzer()

    class Fragile:
        def polarity_scores(self, text):
            if "explode" in text:
                raise RuntimeError("lexicon cannot read this")
            return real.polarity_scores(text)

    monkeypatch.setattr(sentiment_module, "_analyzer", lambda: Fragile())
    df = pd.DataFrame({"comment": ["Great service", "please explode", None, "Slow support, call +44 20 7946 0958"]})
    out = annotate_comments(df, "data/sample/codebook.yml")
    assert out["analysed"].tolist()[:2] == [True, False] and pd.isna(out["analysed"].iloc[2])
    assert out["comment"].iloc[1] == UNANALYSED and pd.isna(out["compound"].iloc[1])
    assert out["comment"].iloc[3] == "Slow support, call [PHONE]" and bool(out["theme_slow_support"].iloc[3])
    assert int((~out["analysed"].dropna().astype(bool)).sum()) == 1
