"""Redaction of personal data in free-text comments, before they reach any chart, table or report.

Comments are untrusted and may hold personal data. :func:`redact` replaces what it recognises with
typed placeholders: ``[EMAIL]``, ``[URL]``, ``[IBAN]`` (mod-97 checked), ``[CARD]`` (payment-card numbers
of 13-19 digits, Luhn checked, with or without spaces/dashes), ``[PHONE]`` (international ``+CC``
numbers, North-American and UK-style local numbers, and any digit run after a cue such as "call me
on") and ``[NAME]``.

Names are **best-effort**: only a capitalised name after a cue ("my name is X", "ask for X",
"ask X in support", "agent X", "agent: X", "thanks to X Y", "spoke to X") is replaced. A name with no
cue ("Sarah was great"), a lower-case name, and spelled-out contact details ("jo at example dot com")
survive. Treat redacted text as *less* risky, not as anonymous. No well-kept named-entity library
with an offline model is installed here (spaCy's models are downloaded separately), so the regex path
is the only one; a stronger redactor can be applied on top of this one before comments are shown.

Everything is regular expressions compiled once and applied column-wise with pandas, so a million
comments take seconds (see ``benchmarks/bench_text.py``).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..errors import DataError

__all__ = ["PLACEHOLDERS", "as_text_series", "iban_valid", "luhn_valid", "redact"]

#: Placeholder written for each kind of personal data.
PLACEHOLDERS = {
    "email": "[EMAIL]",
    "url": "[URL]",
    "iban": "[IBAN]",
    "card": "[CARD]",
    "phone": "[PHONE]",
    "name": "[NAME]",
}

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_URL = re.compile(
    r"(?i:\b(?:https?://|ftp://|www\.)[^\s<>\"'\]\[]+?)(?=[.,;:!?)\]]*(?:\s|$|[<>\"']))"
)
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?(?![A-Za-z0-9])")
_CARD = re.compile(r"(?<![\w\-./,])\d(?:[ \-]?\d){12,18}(?![\w\-]|[.,]\d)")
_PHONE = re.compile(
    "|".join([
        # international: +CC then groups, optional (0) or (area) part
        r"(?<![\w+])\+\d{1,3}(?:[ .\-]?\(\d{1,4}\))?(?:[ .\-]?\d{1,5}){1,5}(?![\w\-])",
        # North American: (415) 555-0199, 415-555-0199, 415.555.0199, 415 555 0199
        r"(?<![\w\-./,$])(?:\(\d{3}\)[ ]?|\d{3}[ .\-])\d{3}[ .\-]\d{4}(?![\w\-]|[.,]\d)",
        # UK / European trunk-prefix local numbers: 07700 900123, 020 7946 0958, 030 12345678
        r"(?<![\w\-./,$])0\d{2,4}[ \-]?\d{3,4}[ \-]?\d{3,4}(?![\w\-]|[.,]\d)",
    ])
)
_PHONE_CUE = re.compile(
    r"(?i:\b(?:call(?:\s+me)?(?:\s+back)?|phone|tel(?:ephone)?|mobile|cell|text\s+me|whats\s?app|"
    r"reach\s+me|ring\s+me|contact\s+me)\b(?:\s*:|\s+(?:on|at|number|no\.?|is)\b)*\s*)"
    r"(?P<num>\+?\(?\d[\d ().\-]{4,}\d)"
)
_DATE = re.compile(r"\d{4}[\-/.]\d{1,2}[\-/.]\d{1,2}|\d{1,2}[\-/.]\d{1,2}[\-/.]\d{2,4}")
_NAME_WORD = r"[A-Z][a-z]+(?:['\-][A-Z]?[a-z]+)?"
_NAME = re.compile(
    r"(?P<cue>(?i:\b(?:my\s+name\s+is|name'?s|ask\s+for|asked\s+for|ask|agent|rep|representative|"
    r"advisor|adviser|thanks\s+to|thank\s+you|spoke\s+(?:to|with)|speak\s+(?:to|with)|"
    r"talked\s+(?:to|with)|this\s+is|signed|regards,?)):?\s+)"
    rf"(?P<first>{_NAME_WORD})(?P<rest>\s+{_NAME_WORD})?"
)
#: Capitalised words that follow a name cue but are not names.
_NOT_NAMES = frozenset(["a", "an", "the", "i", "it", "its", "this", "that", "these", "those", "someone", "somebody", "anyone", "anybody", "everyone", "nobody", "support", "customer", "customers", "service", "billing", "sales", "team", "manager", "supervisor", "agent", "agents", "help", "you", "your", "my", "our", "we", "they", "he", "she", "him", "her", "them", "his", "for", "about", "please", "again", "and", "or", "but", "if", "so", "to", "in", "on", "at", "of", "with", "why", "what", "how", "who", "when", "where", "which", "there", "here", "again", "yes", "no", "not", "any", "some", "all", "every", "very", "really", "still", "also", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december", "account", "accounts", "refund", "invoice", "app", "product", "company"])

#: Cheap tests run first: a comment can only hold a URL / a cued name if these match.
_URL_HINT = re.compile(r"(?i)https?://|ftp://|www\.")
_NAME_HINT = re.compile(
    r"(?i)\b(?:name|ask|asked|agent|rep|representative|advisor|adviser|thank|thanks|spoke|speak|talked|"
    r"this\s+is|signed|regards)\b"
)


def luhn_valid(digits: str) -> bool:
    """Return True when a digit string passes the Luhn checksum used by payment cards.

    Examples
    --------
    >>> luhn_valid("4539148803436467"), luhn_valid("4539148803436468")
    (True, False)
    """
    if not digits.isdigit():
        return False
    nums = np.frombuffer(digits.encode("ascii"), dtype=np.uint8)[::-1].astype(int) - 48
    doubled = nums[1::2] * 2
    return int(nums[0::2].sum() + (doubled - 9 * (doubled > 9)).sum()) % 10 == 0


def iban_valid(candidate: str) -> bool:
    """Return True when a string (spaces allowed) is an IBAN with a valid ISO 13616 mod-97 check.

    Examples
    --------
    >>> iban_valid("GB82 WEST 1234 5698 7654 32"), iban_valid("GB82 WEST 1234 5698 7654 33")
    (True, False)
    """
    s = candidate.replace(" ", "").upper()
    if not (15 <= len(s) <= 34 and s[:2].isalpha() and s[2:4].isdigit() and s.isalnum()):
        return False
    moved = s[4:] + s[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def _card(m: re.Match) -> str:
    digits = re.sub(r"[ \-]", "", m.group(0))
    return PLACEHOLDERS["card"] if 13 <= len(digits) <= 19 and luhn_valid(digits) else m.group(0)


def _iban(m: re.Match) -> str:
    return PLACEHOLDERS["iban"] if iban_valid(m.group(0)) else m.group(0)


def _phone_cue(m: re.Match) -> str:
    digits = re.sub(r"\D", "", m.group("num"))
    if len(digits) < 6 or _DATE.fullmatch(m.group("num").strip()):
        return m.group(0)
    return m.group(0)[: m.start("num") - m.start(0)] + PLACEHOLDERS["phone"]


def _name(m: re.Match) -> str:
    if m.group("first").lower() in _NOT_NAMES:
        return m.group(0)
    rest = m.group("rest") or ""
    keep = rest if rest and rest.strip().lower() in _NOT_NAMES else ""
    return m.group("cue") + PLACEHOLDERS["name"] + keep


def _sub(s: pd.Series, where: pd.Series, pattern: re.Pattern, repl) -> pd.Series:
    """``s`` with ``pattern`` replaced by ``repl`` in the rows flagged by ``where`` only."""
    if not bool(where.any()):
        return s
    return s.mask(where, s[where].str.replace(pattern, repl, regex=True))


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
    """Replace e-mails, URLs, IBANs, payment cards, phone numbers and cued names with placeholders.

    Parameters
    ----------
    texts : Series, list or str
        Comments. Missing values stay missing; the index is kept.
    names : bool, default True
        Also replace names that follow a cue ("my name is X", "ask for X", "agent X", ...). Best-effort.

    Returns
    -------
    Series
        ``str`` dtype, same index and name as ``texts``: each comment with personal data replaced by
        ``[EMAIL]``, ``[URL]``, ``[IBAN]``, ``[CARD]``, ``[PHONE]`` or ``[NAME]``. Look-alikes survive:
        dates, prices, version numbers, order numbers and 16-digit references failing the Luhn check.

    Examples
    --------
    >>> redact(["Mail jo@example.com or call +44 20 7946 0958, order #A-1234567 on 2026-10-14",
    ...         "My name is Sarah Jones, card 4539 1488 0343 6467 was charged $1,299.00"]).tolist()
    ['Mail [EMAIL] or call [PHONE], order #A-1234567 on 2026-10-14', 'My name is [NAME], card [CARD] was charged $1,299.00']
    """
    s = as_text_series(texts)
    out = s
    # Each pattern runs only on the comments a cheap test says could hold a match.
    out = _sub(out, out.str.contains("@", regex=False, na=False), _EMAIL, PLACEHOLDERS["email"])
    out = _sub(out, out.str.contains(_URL_HINT, regex=True, na=False), _URL, PLACEHOLDERS["url"])
    digits = out.str.count(r"\d").fillna(0)
    many = digits >= 6  # phones after a cue have >= 6 digits, others >= 7, cards 13+, IBANs 12+
    out = _sub(out, many, _IBAN, _iban)
    out = _sub(out, many, _CARD, _card)
    out = _sub(out, many, _PHONE_CUE, _phone_cue)
    out = _sub(out, many, _PHONE, PLACEHOLDERS["phone"])
    if names:
        out = _sub(out, out.str.contains(_NAME_HINT, regex=True, na=False), _NAME, _name)
    return out.astype("str")
