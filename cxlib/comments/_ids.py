"""National identity numbers, account numbers after a cue and IP addresses (private to :mod:`cxlib.comments`).

A bounded regular expression finds each candidate; Python code then checks it the way the issuing scheme
does, so that a look-alike (an order number, a barcode, a version) is left alone:

- US Social Security number: ``AAA-GG-SSSS`` (area not 000, 666 or 9xx, group not 00, serial not 0000);
- UK National Insurance number: two letters (not D, F, I, Q, U, V; second not O; not BG, GB, KN, NK, NT,
  TN, ZZ), six digits, a suffix A–D;
- Spanish DNI / NIE: eight digits (or X, Y, Z and seven) and the mod-23 check letter;
- Indian Aadhaar: twelve digits from 2, Verhoeff check digit; PAN: five letters (the fourth one of
  ``ABCFGHJLPT``), four digits, a letter;
- Brazilian CPF: eleven digits with two mod-11 check digits; Dutch BSN: nine digits, the "11-test";
- Canadian SIN: nine digits, Luhn (after a cue: 3-3-3 groups are also Spanish mobile numbers); Italian codice fiscale: sixteen characters, its check letter.

Numbers that only a checksum tells apart from a reference (a plain nine-digit BSN or SIN, an ungrouped
Aadhaar or CPF, a bare SSN) need a cue word before them ("BSN", "SIN", "Aadhaar", "SSN", ...). Account,
customer, membership and policy numbers are found after their cue word, in seven languages.
"""

from __future__ import annotations

import ipaddress
import re

from ._pii import luhn_valid, to_ascii_digits

__all__ = ["IDS_HINT", "IP_HINT", "ACCOUNT_HINT", "accounts", "ip_addresses", "national_ids", "verhoeff_valid"]

_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
_VERHOEFF_D = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
               [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
               [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
               [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]]
_VERHOEFF_P = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
               [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
               [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8]]
_CF_ODD = dict(zip("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                   [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8,
                    12, 14, 16, 10, 22, 25, 24, 23]))


def verhoeff_valid(digits: str) -> bool:
    """True when a digit string passes the Verhoeff check (Aadhaar's last digit).

    Examples
    --------
    >>> verhoeff_valid("2363"), verhoeff_valid("2364")
    (True, False)
    """
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _VERHOEFF_D[c][_VERHOEFF_P[i % 8][ord(ch) - 48]]
    return c == 0


def _ssn(d: str) -> bool:
    return d[:3] not in ("000", "666") and d[0] != "9" and d[3:5] != "00" and d[5:] != "0000"


def _dni(s: str) -> bool:
    body = s[:-1].replace("X", "0").replace("Y", "1").replace("Z", "2")
    return body.isdigit() and _DNI_LETTERS[int(body) % 23] == s[-1]


def _cpf(d: str) -> bool:
    if len(set(d)) == 1:
        return False
    for n in (9, 10):
        check = sum(int(d[i]) * (n + 1 - i) for i in range(n)) * 10 % 11 % 10
        if check != int(d[n]):
            return False
    return True


def _bsn(d: str) -> bool:
    return (sum(int(d[i]) * (9 - i) for i in range(8)) - int(d[8])) % 11 == 0


def _fiscal(s: str) -> bool:
    total = sum(_CF_ODD[c] for c in s[0:15:2]) + sum(int(c, 36) - (10 if c.isalpha() else 0) for c in s[1:15:2])
    return chr(65 + total % 26) == s[15]


_CUE = (r"ssn|social[ \t]security(?:[ \t]number|[ \t]no)?|sin|social[ \t]insurance(?:[ \t]number)?|nas|bsn|"
        r"burgerservicenummer|sofi(?:nummer)?|aadhaa?r(?:[ \t]no|[ \t]number|[ \t]card)?|uid|cpf|dni|nie|nif|"
        r"national[ \t]insurance(?:[ \t]number|[ \t]no)?|ni[ \t](?:number|no)|codice[ \t]fiscale|c\.?f\.|pan|"
        r"tax[ \t]id|id[ \t]number|id[ \t]card|passport(?:[ \t]number|[ \t]no)?|personalausweis(?:nummer)?")
_ID_CUE = re.compile(rf"(?i)\b(?:{_CUE})\b[^\w\n]{{0,4}}(?:(?:is|no|nr|number|n[º°o]|é|es|est|ist|è|card)\b[^\w\n]{{0,3}}){{0,2}}\Z")
_DIGITS = re.compile(r"(?<![\w+\-./,])(?<!\d[ \-.])\d{1,12}+(?:[ \-.]\d{1,4}+){0,4}+(?![\w]|[.\-/]\d)")
_ALNUM = re.compile(r"(?<![\w\-])(?:[A-Z]{2}[ ]?\d{2}[ ]?\d{2}[ ]?\d{2}[ ]?[A-D]|"     # NI number
                    r"[XYZ]?[ \-]?\d{7,8}[ \-]?[A-Z]|"                                    # DNI / NIE
                    r"[A-Z]{5}\d{4}[A-Z]|"                                                      # PAN
                    r"[A-Za-z]{6}\d{2}[A-Za-z]\d{2}[A-Za-z]\d{3}[A-Za-z])(?![\w\-])")          # codice fiscale
_NI_BAD = re.compile(r"[DFIQUV].|.[DFIOQUV]|BG|GB|KN|NK|NT|TN|ZZ")
IDS_HINT = r"\d{3}[ \-]\d{2}[ \-]\d{4}|[A-Z]{5}\d{4}[A-Z]|[A-Za-z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-Da-d]\b"


def national_ids(text: str) -> list[tuple[int, int]]:
    """Spans of national identity numbers that pass their scheme's check (see the module docstring).

    Examples
    --------
    >>> t = "SSN 123-45-6789, NI AB 12 34 56 C, DNI 12345678Z, CPF 529.982.247-25, order 987-65-4321"
    >>> [t[a:b] for a, b in national_ids(t)]
    ['123-45-6789', 'AB 12 34 56 C', '12345678Z', '529.982.247-25']
    """
    spans = []
    for m in _ALNUM.finditer(text):
        s = re.sub(r"[ \-]", "", m.group(0)).upper()
        if (len(s) == 9 and s[:2].isalpha() and not _NI_BAD.match(s[:2])) or \
                (len(s) == 9 and not s[:2].isalpha() and _dni(s)) or \
                (len(s) == 10 and s[3] in "ABCFGHJLPT") or (len(s) == 16 and _fiscal(s)):
            spans.append(m.span())
    for m in _DIGITS.finditer(text):
        raw = m.group(0)
        d = to_ascii_digits(re.sub(r"\D", "", raw))
        if len(d) not in (9, 11, 12):
            continue
        sizes = [len(g) for g in re.split(r"[ \-.]", raw)]
        cue = _ID_CUE.search(text, max(0, m.start() - 40), m.start()) is not None
        if _numeric_id(d, sizes, cue, raw):
            spans.append(m.span())
    return sorted(spans)


def _numeric_id(d: str, sizes: list[int], cue: bool, raw: str) -> bool:
    """True when the digits ``d`` written in groups ``sizes`` are an SSN, Aadhaar, CPF, BSN or SIN."""
    n = len(d)
    if n == 9 and (sizes == [3, 2, 4] or cue) and _ssn(d) and "." not in raw:
        return True
    if n == 12 and (sizes == [4, 4, 4] or cue) and d[0] in "23456789" and verhoeff_valid(d):
        return True
    if n == 11 and (sizes == [3, 3, 3, 2] or cue) and _cpf(d):
        return True
    return n == 9 and cue and (_bsn(d) or luhn_valid(d))


# --- account, customer, membership and policy numbers after a cue -------------------------------------
_ACCOUNT = re.compile(
    r"(?i)(?<![^\W\d_])(?:(?:customer|client|account|acct|a/c|member(?:ship)?|loyalty|policy|contract|subscriber|"
    r"patient|insurance|frequent[ \t]flyer|rewards?|subscription)[ \t]?(?:no\b\.?|nr\b\.?|number|num\b|"
    r"id\b|#|code\b|ref\b|card\b)?|kunden[ \t-]?(?:nummer|nr\.?|konto)|vertrags[ \t-]?(?:nummer|nr\.?)|mitgliedsnummer|"
    r"versicherungsnummer|konto(?:nummer)?|n(?:°|º|o\.?|[uú]m(?:[ée]ro)?)[ \t]{0,2}(?:de[ \t]{1,2})?"
    r"(?:client|cliente|compte|conta|contrat|contrato|contratto|socio|adhérent|abonné|p[oó]liza|polizza|"
    r"ap[oó]lice|cuenta|tarjeta|assuré)|(?:klant|lid|polis|contract|abonnee)(?:nummer|nr\.?)|"
    r"codice[ \t]cliente|c[oó]digo[ \t]de[ \t]cliente)"
    r"[^\w\n]{0,4}(?:(?:is|was|est|es|ist|è|é|is[ \t]nog)\b[^\w\n]{0,3})?"
    r"(?P<value>(?=(?-i:[A-Z]{1,4}[ ])?[A-Za-z\-/.]{0,12}\d(?:[\w\-/. ]{0,20}\d){3})"
    r"(?-i:[A-Z]{1,4}[ ](?=\d))?[A-Za-z0-9](?:[A-Za-z0-9\-/.]|[ ](?=\d)){2,40}+)"
)
_UNIT_AFTER = re.compile(r"(?i)[ \t]{0,2}(?:points|pts|miles|km|kg|years|months|days|hours|euros?|eur|usd|gbp|%)\b")
ACCOUNT_HINT = (r"(?i)n[uú]m|p[oó]liza|ap[oó]lice|customer|client|account|acct|a/c|member|loyalty|polic|contra|subscri|patient|insurance|"
                r"flyer|reward|kunden|vertrag|konto|versicherung|n°|nº|num|klant|polis|lid|abonn")


def accounts(text: str) -> list[tuple[int, int]]:
    """Spans of account, customer, membership and policy numbers (at least two digits) after their cue word.

    Examples
    --------
    >>> t = "customer no. AB-123456, Kundennummer: 4711-0815, policy POL/2024/55 and 3 accounts"
    >>> [t[a:b] for a, b in accounts(t)]
    ['AB-123456', '4711-0815', 'POL/2024/55']
    """
    spans = []
    for m in _ACCOUNT.finditer(text):
        a, b = m.span("value")
        while b > a and text[b - 1] in ".-/ ":
            b -= 1
        value = text[a:b]
        if not (len(value) == 4 and value[:2] in ("19", "20")) and not _UNIT_AFTER.match(text, b):
            spans.append((a, b))
    return spans


# --- IP addresses -----------------------------------------------------------------------------------
_IP = re.compile(r"(?<![\w.:])(?:\d{1,3}(?:\.\d{1,3}){3}|"
                 r"(?=[0-9A-Fa-f:]{0,39}::|(?:[0-9A-Fa-f]{1,4}:){7})(?=:{0,2}[0-9A-Fa-f])[0-9A-Fa-f:]{2,39}+"
                 r"(?:\.\d{1,3}){0,3})(?:/\d{1,3})?(?![\w:]|\.\d)")
_VERSION = re.compile(r"(?i)\b(?:v|version|vers|build|firmware|release|update|versión|versione)[ \t:.]{0,2}\Z")
_VERSION_AFTER = re.compile(r"(?i)[ \t]{1,2}(?:update|upgrade|release|build|patch|version|firmware|beta)\b")
IP_HINT = r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|[0-9A-Fa-f]::|::[0-9A-Fa-f]|(?:[0-9A-Fa-f]{1,4}:){7}"


def ip_addresses(text: str) -> list[tuple[int, int]]:
    """Spans of IPv4 and IPv6 addresses (with a /prefix length or not) that ``ipaddress`` accepts.

    Version numbers with four parts ("10.3.12.4405") are not addresses (a part above 255).

    Examples
    --------
    >>> t = "from 192.168.1.100 and 2001:db8::ff00:42:8329, build 10.3.12.4405, at 10:30"
    >>> [t[a:b] for a, b in ip_addresses(t)]
    ['192.168.1.100', '2001:db8::ff00:42:8329']
    """
    spans = []
    for m in _IP.finditer(text):
        if _VERSION.search(text, max(0, m.start() - 20), m.start()) or _VERSION_AFTER.match(text, m.end()):
            continue
        address = m.group(0).split("/")[0]
        try:
            ipaddress.ip_address(address)
        except ValueError:
            continue
        spans.append(m.span())
    return spans
