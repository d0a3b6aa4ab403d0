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

__all__ = ["CARD_EXTRA_HINT", "NUMBER_PLACEHOLDERS", "card_extras", "cards_and_phones", "digit_spans"]

NUMBER_PLACEHOLDERS = {"card": "[CARD]", "phone": "[PHONE]"}

#: One separator between digit groups; " / " or " - " with spaces on both sides separates two numbers.
_SEP = r"(?:[ ]?\(0\)[ ]?|[ ]?\([ ]?|[ ]?\)[ ]?|[.\-/][ ]?|[ ][.\-/](?![ ])|[ ])"
_SPAN = re.compile(rf"(?:(?<![\w+])\+[ ]?|(?<![\w+\-./,;$€£¥₹#@])\(?)\d{{1,19}}+(?:{_SEP}\d{{1,19}}+){{0,7}}+\)?")
_GROUP = re.compile(r"\d+")
_DATE = re.compile(r"\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}|\d{1,2}[./\-]\d{4}|\d{4}[./\-]\d{1,2}")
_CUE = re.compile(
    r"(?i)\b(?:call(?:[ ]{1,3}me)?(?:[ ]{1,3}back)?|phone|ph|tel(?:ephone|efon|éfono|efone|efono)?|tél(?:éphone)?|"
    r"mob(?:ile)?|cell(?:phone|ulare)?|celular|cel|m[oó]vil|portable|telemóvel|handy|landline|fax|"
    r"ll[aá]m(?:ame|enme)|ruf(?:en)?[ ]{1,3}sie|ruf[ ]{1,3}mich|bel[ ]{1,3}me|mobiel|appelez[- ]moi|ligue|ligar|"
    r"chiamami|chiamatemi|n[uú]mero|nummer|text(?:[ ]{1,3}me)?|sms|whats[ ]?app|wa|signal|viber|"
    r"telegram|ring(?:[ ]{1,3}me)?|reach(?:[ ]{1,3}me)?|contact(?:[ ]{1,3}me)?|my[ ]{1,3}(?:number|no|num|nr))\b"
    r"[^\w\n]{0,3}(?:\b(?:on|at|is|me|back|via|to|number|no|num|nr|al|es|é|è|est|ist|unter|au|op|de|mi|mein|mon|meu|"
    r"il|mio|anrufen|an)\b[^\w\n]{0,3}){0,4}\Z"
)
_NOT_PHONE = re.compile(
    r"(?i)\b(?:order|invoice|inv|ref|reference|ticket|case|tracking|sku|serial|po|account|acct|iban|card|"
    r"item|parcel|shipment|booking|confirmation|membership|contract|policy|claim|version|id|isbn|issn|ean|gtin|"
    r"upc|barcode|siret|siren|routing|aba|sort[ ]code|vat)\b"
    r"[^\w\n]{0,3}(?:\b(?:no|nr|num|number|id|is|was|of|code)\b[^\w\n]{0,3}){0,3}#?[ ]?\Z"
)
_WORDS_BEFORE = re.compile(r"[^\W\d_][^\d]*\Z")
_PHONE_WORD = re.compile(r"(?i)\b(?:call|phone|tel|mobile|cell|whats[ ]?app|ring|reach|contact|text)\b")
_MONEY_AFTER = re.compile(r"[ ]?(?:€|£|\$|%|[A-Z]{3}\b|(?i:euros?|zł|kr|rs|reais|pesos|rupees|rupiah|lire)\b|₹)")
_MONEY_BEFORE = re.compile(r"(?:[A-Z]{3}|Rp|R\$|kr|zł|€|\$|£|¥|₹)[ ]?\Z")
_EXTENSION = re.compile(r"(?i)[ ,]{0,2}(?:ext(?:ension)?|x|poste|durchwahl|dw|interno|int|extensi[oó]n|ramal|toestel)"
                        r"[ .:#\-]{0,3}\d{1,6}(?!\w)")
_NOT_CARD = re.compile(r"(?i)\b(?:isbn|issn|ean|gtin|upc|barcode|siret|siren|tracking|sku|serial)\b")
_CARD_CUE = re.compile(r"(?i)\b(?:card|visa|mastercard|amex|karte|tarjeta|carte|carta|kaart|cart[aã]o)\b")


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
                if kind == "phone" and j == n and (ext := _EXTENSION.match(text, b)):
                    b = ext.end()
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
        if negative and _NOT_CARD.search(text, max(0, a - 30), a):
            return None
        if n == 13 and (digits[0] != "4" or _ean_valid(digits)) and not _CARD_CUE.search(text, max(0, a - 30), a):
            return None                                  # an EAN-13 barcode, not a 13-digit Visa
        return "card" if "(" not in text[a:b] and "/" not in text[a:b] else None
    return _phone(text, a, b, digits, cum, i, j, cue, negative, plus)


def _ean_valid(digits: str) -> bool:
    """True when 13 digits pass the GS1 check (weights 1 and 3 from the left)."""
    return sum(int(c) * (3 if k % 2 else 1) for k, c in enumerate(digits)) % 10 == 0


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
    if _MONEY_AFTER.match(text, b) or _MONEY_BEFORE.search(text, max(0, a - 4), a):
        return None                                      # an amount: 745.000.000 IDR
    if digits[0] == "0":
        return "phone" if 9 <= n <= 12 else None
    sizes = [cum[k + 1] - cum[k] for k in range(i, j)]
    if n == 11 and sizes in ([2, 5, 4], [2, 9]) and digits[2] == "9" and digits[:2] != "00":
        return "phone"                                   # Brazilian mobiles: (11) 98765-4321
    if n == 10 and sizes == [2, 4, 4] and "." not in text[a:b]:
        return "phone"                                   # Mexican and Brazilian numbers: 55 1234 5678
    if n not in (9, 10) or digits[0] not in "23456789":
        return None
    if n == 10 and sizes == [3, 3, 4]:
        return "phone"                                   # North America (any area code), Italian mobiles
    if n == 10 and digits[0] == "3" and sizes in ([10], [3, 7], [3, 4, 3]):
        return "phone"                                   # Italian mobiles: 333 1234567
    if n == 10 and digits[0] in "6789" and (len(sizes) <= 3 or all(2 <= s <= 5 for s in sizes)):
        return "phone"                                   # Indian mobiles
    if n == 9 and digits[0] in "56789" and len(sizes) >= 3 and all(2 <= s <= 3 for s in sizes):
        return "phone"                                   # Spanish, Portuguese, Polish mobiles
    return None


_CVV = re.compile(r"(?i)\b(?:cvv2?|cvc2?|cvn|csc|cid|security[ ]code|c[oó]digo[ ]de[ ]seguridad|pr[uü]fnummer|"
                  r"cryptogramme|codice[ ]di[ ]sicurezza|beveiligingscode)\b[^\w\n]{0,3}(?:(?:is|was|es|est|ist|:)\b"
                  r"[^\w\n]{0,3})?(?P<v>\d{3,4})(?!\d)")
_EXPIRY = re.compile(r"(?i)\b(?:exp(?:iry|ires|iration|\.)?(?:[ ]date)?|valid[ ](?:thru|through|until)|good[ ]thru|"
                     r"vence|vencimiento|caducidad|ablauf(?:datum)?|g[uü]ltig[ ]bis|scad(?:enza|e)?|"
                     r"date[ ]d['’]expiration|validit[ée]|geldig[ ]tot|validade)\b[^\w\n]{0,3}(?:(?:on|is|:)\b"
                     r"[^\w\n]{0,3})?(?P<v>(?:0?[1-9]|1[0-2])[ ]?[/\-.][ ]?(?:20)?\d{2})(?![\d/])")
CARD_EXTRA_HINT = r"(?i)cvv|cvc|cvn|csc|security code|seguridad|prüfnummer|pruefnummer|cryptogramme|sicurezza|" \
                  r"beveiligingscode|exp|valid|vence|venc|caducidad|ablauf|gültig|scad|geldig|validade"


def card_extras(text: str) -> list[tuple[int, int]]:
    """Spans of a card's security code (after "CVV", "CVC", "security code", ...) and its expiry date
    (after "exp", "valid thru", "vence", ...: only when a card is mentioned in the 40 characters before).

    Examples
    --------
    >>> t = "card [CARD] exp 08/27 cvv 123. Separately, my gym subscription expires 12/26"
    >>> [t[a:b] for a, b in card_extras(t)]
    ['08/27', '123']
    """
    spans = [m.span("v") for m in _CVV.finditer(text)]
    for m in _EXPIRY.finditer(text):
        if _CARD_CUE.search(text, max(0, m.start() - 40), m.start()) or "[CARD]" in text[max(0, m.start() - 40):m.start()]:
            spans.append(m.span("v"))
    return sorted(spans)
