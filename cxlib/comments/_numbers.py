"""Payment cards and phone numbers in free text (private to :mod:`cxlib.comments`).

A bounded, possessive regular expression finds runs of digit groups (:func:`digit_spans`); Python code
then reads each run's groups as a whole and in parts, longest first: a Luhn-valid 13–19 digit number is
a card, and a phone number is recognised by its shape, as national numbering plans write them:

- international: ``+CC ...`` (8–15 digits) or ``00CC ...`` (11–15), with an optional ``(0)``;
- national with a trunk prefix ``0`` (Europe, India, the UK): 9–12 digits in any grouping
  (``030 1234 5678``, ``030/12345678``, ``(022) 2345 6789``, ``01.23.45.67.89``, ``098765 43210``);
- without a trunk prefix: North-American / Italian ``3-3-4`` groups, Indian mobiles (10 digits from
  6–9), Spanish, Portuguese and Polish mobiles (9 digits from 5–9 in groups of 2–3);
- any 6–15 digits after a cue ("call me on", "tel:", "my number is", "WhatsApp").

Dates, times, prices and numbers introduced as an order, invoice, ticket or reference number are left
alone (unless written in international form or after a phone cue).
"""

from __future__ import annotations

import re

from ._pii import luhn_valid, to_ascii_digits

__all__ = ["NUMBER_PLACEHOLDERS", "cards_and_phones", "digit_spans"]

NUMBER_PLACEHOLDERS = {"card": "[CARD]", "phone": "[PHONE]"}

#: One separator between digit groups; " / " or " - " with spaces on both sides separates two numbers.
_SEP = r"(?:[ ]?\(0\)[ ]?|[ ]?\([ ]?|[ ]?\)[ ]?|[.\-/][ ]?|[ ][.\-/](?![ ])|[ ])"
_SPAN = re.compile(rf"(?<![\w+\-./,;$€£¥₹#@])(?:\+[ ]?|\()?\d{{1,19}}+(?:{_SEP}\d{{1,19}}+){{0,7}}+\)?")
_GROUP = re.compile(r"\d+")
_DATE = re.compile(r"\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}|\d{1,2}[./\-]\d{4}|\d{4}[./\-]\d{1,2}")
_CUE = re.compile(
    r"(?i)\b(?:call(?:[ ]{1,3}me)?(?:[ ]{1,3}back)?|phone|ph|tel(?:ephone|efon|éfono)?|tél(?:éphone)?|"
    r"mob(?:ile)?|cell(?:phone)?|handy|landline|fax|text(?:[ ]{1,3}me)?|sms|whats[ ]?app|wa|signal|viber|"
    r"telegram|ring(?:[ ]{1,3}me)?|reach(?:[ ]{1,3}me)?|contact(?:[ ]{1,3}me)?|my[ ]{1,3}(?:number|no|num|nr))\b"
    r"[^\w\n]{0,3}(?:\b(?:on|at|is|me|back|via|to|number|no|num|nr)\b[^\w\n]{0,3}){0,4}\Z"
)
_NOT_PHONE = re.compile(
    r"(?i)\b(?:order|invoice|inv|ref|reference|ticket|case|tracking|sku|serial|po|account|acct|iban|card|"
    r"item|parcel|shipment|booking|confirmation|membership|contract|policy|claim|version|id)\b"
    r"[^\w\n]{0,3}(?:\b(?:no|nr|num|number|id|is|was|of|code)\b[^\w\n]{0,3}){0,3}#?[ ]?\Z"
)
_WORDS_BEFORE = re.compile(r"[^\W\d_][^\d]*\Z")
_PHONE_WORD = re.compile(r"(?i)\b(?:call|phone|tel|mobile|cell|whats[ ]?app|ring|reach|contact|text)\b")
_MONEY_AFTER = re.compile(r"(?i)[ ]?(?:€|£|\$|%|eur\b|euros?\b|zł|pln\b|usd\b|gbp\b|kr\b|chf\b|rs\b|inr\b|₹)")


def digit_spans(text: str) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """Runs of digit groups joined by one separator each (space, dot, dash, slash, brackets, "(0)").

    Returns
    -------
    list of (start, end, groups)
        Each run's span and the spans of its digit groups; a last group glued to a word or followed by
        ":" (an hour) is left out.

    Examples
    --------
    >>> t = "call +44 (0)20 7946 0958, not 09/10/2026 10:30"
    >>> [t[a:b] for a, b, _ in digit_spans(t)]
    ['+44 (0)20 7946 0958', '09/10/2026']
    """
    out = []
    for m in _SPAN.finditer(text):
        if m.start() >= 2 and text[m.start() - 1] == ":" and text[m.start() - 2].isdecimal():
            continue                                     # the minutes of a time, 10:30
        groups = [(g.start() + m.start(), g.end() + m.start()) for g in _GROUP.finditer(m.group(0))]
        end = m.end()
        nxt = text[end:end + 1]
        if nxt and (nxt.isalnum() or nxt in ":_"):
            groups = groups[:-1]
            if not groups:
                continue
            end = groups[-1][1]
        out.append((m.start(), end, groups))
    return out


def cards_and_phones(text: str) -> list[tuple[int, int, str]]:
    """Spans of payment cards and phone numbers, with their kind ("card" or "phone").

    Examples
    --------
    >>> t = "card 4111.1111.1111.1111 2 times; ruf 030/1234 5678 an; order 0301234567; on 14.10.2026"
    >>> [(t[a:b], k) for a, b, k in cards_and_phones(t)]
    [('4111.1111.1111.1111', 'card'), ('030/1234 5678', 'phone')]
    """
    found = []
    for start, end, groups in digit_spans(text):
        digits = [to_ascii_digits(text[a:b]) for a, b in groups]
        if sum(map(len, digits)) < 6:
            continue
        before = text[max(0, start - 40):start]
        words = _WORDS_BEFORE.search(before)       # the words since the last digit: where a cue would be
        before = words.group(0) if words else ""
        cue = bool(before) and _CUE.search(before) is not None
        negative = bool(before) and not cue and _NOT_PHONE.search(before) is not None \
            and not _PHONE_WORD.search(before)
        least = 6 if cue else 8                     # no rule reads fewer digits without a cue
        cum = [0]
        for d in digits:
            cum.append(cum[-1] + len(d))
        i, n = 0, len(groups)
        while i < n:
            hit = None
            for j in range(n, i, -1):
                count = cum[j] - cum[i]
                if count < least:
                    break
                if count > 19:
                    continue
                a = start if i == 0 else groups[i][0] - (text[groups[i][0] - 1] == "(")
                b = groups[j - 1][1]
                b += text[b:b + 1] == ")" and text[a:b].count("(") > text[a:b].count(")")
                kind = _kind(text, a, b, "".join(digits[i:j]), cum, i, j, cue, negative)
                if kind:
                    hit = (a, b, kind, j)
                    break
            if hit:
                found.append(hit[:3])
                i = hit[3]
            else:
                i += 1
    return found


def _kind(text: str, a: int, b: int, digits: str, cum: list[int], i: int, j: int, cue: bool,
          negative: bool) -> str | None:
    """"card", "phone" or None for the digit groups ``i:j`` of a run, written ``text[a:b]``."""
    n = len(digits)
    plus = text[a] == "+"
    if n <= 8 and _DATE.fullmatch(text, a, b):
        return None
    if 13 <= n <= 19:
        if plus or digits[0] == "0" or not luhn_valid(digits):
            return _phone(text, a, b, digits, cum, i, j, cue, negative, plus) if n <= 15 else None
        return "card" if "(" not in text[a:b] and "/" not in text[a:b] else None
    return _phone(text, a, b, digits, cum, i, j, cue, negative, plus)


def _phone(text, a, b, digits, cum, i, j, cue, negative, plus) -> str | None:
    n = len(digits)
    if negative and not plus:
        return None
    if plus:
        return "phone" if 8 <= n <= 15 else None
    if digits.startswith("00"):
        return "phone" if 11 <= n <= 15 and digits[2] != "0" else None
    if cue:
        return "phone" if 6 <= n <= 15 else None
    if digits[0] == "0":
        return "phone" if 9 <= n <= 12 else None
    if n not in (9, 10) or digits[0] not in "3456789":
        return None
    sizes = [cum[k + 1] - cum[k] for k in range(i, j)]
    if n == 10 and sizes == [3, 3, 4]:
        return "phone"                                   # North America, Italian mobiles
    if n == 10 and digits[0] in "6789" and (len(sizes) <= 3 or all(2 <= s <= 5 for s in sizes)):
        return "phone"                                   # Indian mobiles
    if n == 9 and digits[0] in "56789" and len(sizes) >= 3 and all(2 <= s <= 3 for s in sizes) \
            and not _MONEY_AFTER.match(text, b):
        return "phone"                                   # Spanish, Portuguese, Polish mobiles
    return None
