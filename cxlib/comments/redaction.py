"""Redaction of personal data in free-text comments, before they reach any chart, table or report.

Comments are untrusted and may hold personal data. :func:`redact` first normalises the text (zero-width
and bidirectional control characters removed, compatibility forms such as fullwidth digits folded), then
replaces what it recognises with typed placeholders:

- ``[EMAIL]``: addresses, non-ASCII ones included, with spaces around the "@" or ``%40``, and spelled out
  in seven languages ("jo at example dot com", "jo(at)example(dot)com", "jo-at-x-dot-com", "maria arroba
  gmail punto com", "luca chiocciola libero punto it", "maria @ gmail . com");
- ``[URL]``: the whole URL (tokens and session ids with it), with a scheme, "www." or a domain and a path;
- ``[IBAN]``: any case, grouped by spaces, dashes or dots, mod-97 checked;
- ``[CARD]``: 13–19 digits grouped by spaces, dashes or dots, Luhn checked (EAN-13 barcodes left), and a
  card's expiry date and CVV after their cue;
- ``[PHONE]``: international and national formats (North America with any area code, Europe, Brazil,
  Mexico, India; trunk prefix or not; spaces, dots, dashes, slashes, brackets; extensions), and any digits
  after a cue such as "call me on" / "llámame al" / "Telefon";
- ``[ID]``: national identity numbers that pass their scheme's check (:mod:`cxlib.comments._ids`);
- ``[ACCOUNT]``: account, customer, membership and policy numbers after their cue word;
- ``[ADDRESS]``: a street with its house number, flat, postcode and town; UK postcodes; PO boxes;
- ``[IP]``: IPv4 and IPv6 addresses;
- ``[NAME]``: names after a cue (self-introductions, staff roles, "helped by", titles, sign-offs, in seven
  languages, and "... from support"), every word of them, so no surname stays beside the placeholder.

Digits of any script count as digits. Every pattern runs in linear time (:mod:`cxlib.comments._pii`):
a 1 MB adversarial comment is redacted in about a second. Names are **best-effort**: a name with no cue
("Sarah was great") survives; treat redacted text as *less* risky, not as anonymous. Recall and
look-alike survival per class on the labelled sets in ``tests/hostile/`` are stated in the README.

Cheap vectorised tests pick the comments that could hold each kind of data; only those run the finders,
so a million comments take seconds (see ``benchmarks/bench_text.py``).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..errors import DataError
from ._addresses import ADDRESS_HINT, addresses
from ._ids import ACCOUNT_HINT, IP_HINT, accounts, ip_addresses, national_ids
from ._names import CUE_HINT, FROM_HINT
from ._names import names as find_names
from ._numbers import CARD_EXTRA_HINT, card_extras, cards_and_phones
from ._pii import (OBFUSCATED_HINT, URL_HINT, emails, iban_valid, ibans, luhn_valid, normalise, obfuscated_emails,
                   strip_invisible, urls)

__all__ = ["PLACEHOLDERS", "as_text_series", "iban_valid", "luhn_valid", "redact", "redact_text"]

#: Placeholder written for each kind of personal data.
PLACEHOLDERS = {
    "email": "[EMAIL]",
    "url": "[URL]",
    "iban": "[IBAN]",
    "card": "[CARD]",
    "phone": "[PHONE]",
    "name": "[NAME]",
    "address": "[ADDRESS]",
    "id": "[ID]",
    "account": "[ACCOUNT]",
    "ip": "[IP]",
}

#: The finders' cheap vectorised tests (valid for Python's re and RE2), and how many digits each needs.
_HINTS = {"email": ("@|%40", 0), "obfuscated": (OBFUSCATED_HINT.pattern, 0), "url": (URL_HINT.pattern, 0),
          "ip": (IP_HINT, 3), "account": (ACCOUNT_HINT, 3), "card_extra": (CARD_EXTRA_HINT, 3),
          "address": (ADDRESS_HINT, 1), "pan": (r"[A-Z]{5}\d{4}[A-Z]", 4), "cue": (CUE_HINT, 0),
          "department": (FROM_HINT, 0)}
#: Compiled for Python's re, which is slower than RE2 on long alternations: there the finders of names and
#: addresses run without a test (they are as fast as their test would be).
_UNTESTED = ("cue", "department", "address")
_PY_HINTS = {k: re.compile(v) for k, (v, _) in _HINTS.items() if k not in _UNTESTED}
_NAME_KINDS = ("cue", "department")
_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[^\W\d_]")


def _replace(text: str, spans, placeholder) -> str:
    """``text`` with each (start, end[, kind]) span replaced by its placeholder; overlaps keep the first."""
    out, last = [], 0
    for span in sorted(spans):
        start, end = span[0], span[1]
        if start < last:
            continue
        out.append(text[last:start])
        out.append(PLACEHOLDERS[span[2]] if len(span) > 2 else placeholder)
        last = end
    out.append(text[last:])
    return "".join(out)


def redact_text(text: str, *, names_too: bool = True, kinds=None) -> str:
    """Redact one comment (see :func:`redact`).

    ``kinds`` (a set among "digits" and the keys of ``_HINTS``: "email", "obfuscated", "url", "ip",
    "account", "card_extra", "address", "pan", "cue", "department") names the finders worth running, when the caller has tested for them already; None tests here. Text with
    non-ASCII characters is searched in its normalised form (invisible and bidi controls removed,
    NFKC); when nothing is found it comes back only without the invisible characters.

    Examples
    --------
    >>> redact_text("Mail jo (at) example (dot) com, I'm Zoë Müller"), redact_text("R² = 0.4…")
    ("Mail [EMAIL], I'm [NAME]", 'R² = 0.4…')
    """
    if text.isascii():
        return _redact_ascii(text, names_too, kinds)
    stripped = strip_invisible(text)
    norm = normalise(stripped)
    out = _redact_ascii(norm, names_too, None)      # normalising may reveal an "@" or a digit
    return stripped if out == norm else out


def _redact_ascii(text: str, names_too: bool, kinds) -> str:
    if kinds is None:
        digits = len(_DIGIT.findall(text))
        kinds = {k for k, rx in _PY_HINTS.items() if digits >= _HINTS[k][1] and rx.search(text)}
        if _LETTER.search(text):                          # names and addresses need a letter
            kinds.update(k for k in _UNTESTED if digits >= _HINTS[k][1])
        if digits >= 6:
            kinds.add("digits")
    for kind, finder, placeholder in _FINDERS:
        if kind in kinds:
            text = _replace(text, finder(text), placeholder)
    if names_too and ("cue" in kinds or "department" in kinds):
        text = _replace(text, find_names(text, cues="cue" in kinds, departments="department" in kinds),
                        PLACEHOLDERS["name"])
    return text


#: The finders in the order they run (an earlier one's placeholder hides its text from the later ones),
#: each with the hint that lets it run.
_FINDERS = [
    ("email", emails, PLACEHOLDERS["email"]),
    ("url", urls, PLACEHOLDERS["url"]),
    ("obfuscated", obfuscated_emails, PLACEHOLDERS["email"]),
    ("digits", ibans, PLACEHOLDERS["iban"]),
    ("ip", ip_addresses, PLACEHOLDERS["ip"]),
    ("digits", national_ids, PLACEHOLDERS["id"]),
    ("pan", national_ids, PLACEHOLDERS["id"]),
    ("account", accounts, PLACEHOLDERS["account"]),
    ("digits", cards_and_phones, None),
    ("card_extra", card_extras, PLACEHOLDERS["card"]),
    ("address", addresses, PLACEHOLDERS["address"]),
]


def as_text_series(texts, *, what: str = "texts") -> pd.Series:
    """Return ``texts`` (Series, list, tuple, array or one string) as a string Series, index kept.

    Missing values stay missing; numbers are turned into their string form. Raises ``DataError``
    naming ``what`` for anything else (a DataFrame, a dict, ...).

    Examples
    --------
    >>> as_text_series(["a", None]).tolist()
    ['a', nan]
    """
    if isinstance(texts, str):
        texts = [texts]
    if isinstance(texts, pd.DataFrame):
        raise DataError(f"{what}: expected a Series or list of strings (one column), got a DataFrame "
                         f"with columns {list(texts.columns)[:5]}")
    if isinstance(texts, dict) or not hasattr(texts, "__iter__"):
        raise DataError(f"{what}: expected a Series or list of strings, got {type(texts).__name__}")
    s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
    if s.dtype != "str":
        bad = s.map(lambda v: not (isinstance(v, (str, int, float, np.integer, np.floating)) or v is None))
        if bool(bad.any()):
            rows = ", ".join(f"{i!r} ({type(v).__name__})" for i, v in s[bad].head(3).items())
            raise DataError(f"{what}: expected text, got non-text values at {rows}")
        s = s.astype("str")
    return s


def redact(texts, *, names: bool = True) -> pd.Series:
    """Replace e-mails, URLs, IBANs, cards, phones, IDs, account numbers, addresses, IPs and cued names.

    Parameters
    ----------
    texts : Series, list or str
        Comments. Missing values stay missing; the index is kept.
    names : bool, default True
        Also replace names that follow a cue ("my name is X", "ask for X", "agent X", ...). Best-effort.

    Returns
    -------
    Series
        ``str`` dtype, same index and name as ``texts``: each comment without invisible and bidi control
        characters (and, where personal data was found, NFKC-normalised) with it replaced by the placeholders
        of :data:`PLACEHOLDERS` (``[EMAIL]``, ``[URL]``, ``[IBAN]``, ``[CARD]``, ``[PHONE]``, ``[NAME]``,
        ``[ADDRESS]``, ``[ID]``, ``[ACCOUNT]``, ``[IP]``). Look-alikes survive: dates, prices, version
        numbers, order, flight and ticket numbers, barcodes and 16-digit references failing the Luhn check.

    Examples
    --------
    >>> redact(["Mail jo@example.com or call +44 20 7946 0958, order #A-1234567 on 2026-10-14",
    ...         "My name is Sarah Jones, card 4539 1488 0343 6467 was charged $1,299.00"]).tolist()
    ['Mail [EMAIL] or call [PHONE], order #A-1234567 on 2026-10-14', 'My name is [NAME], card [CARD] was charged $1,299.00']
    """
    s = as_text_series(texts)
    present = s.notna()
    counts = s.str.count(r"\d").fillna(0).to_numpy()
    flags = {}
    for k, (pattern, least) in _HINTS.items():
        if names or k not in _NAME_KINDS:
            maybe = counts >= least
            if least and maybe.any():                 # test the pattern only where there are digits enough
                maybe[maybe] = s[maybe].str.contains(pattern).fillna(False).to_numpy(bool)
            elif maybe.any():
                maybe = s.str.contains(pattern).fillna(False).to_numpy(bool)
            flags[k] = maybe
    flags["digits"] = counts >= 6
    other = (~s.str.isascii()).fillna(False).to_numpy(bool) & present.to_numpy()
    hit = np.logical_or.reduce(list(flags.values())) | other
    if not hit.any():
        return s.astype("str")
    names_of = list(flags)
    table = np.column_stack([flags[k] for k in names_of])
    out = s.copy()
    rows = np.flatnonzero(hit)
    out.iloc[rows] = [redact_text(t, names_too=names,
                                  kinds=None if other[r] else {k for k, f in zip(names_of, table[r]) if f})
                      for r, t in zip(rows, s.iloc[rows])]
    return out.astype("str")
