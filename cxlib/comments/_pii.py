"""The personal-data finders behind :func:`cxlib.comments.redact` (private to :mod:`cxlib.comments`).

Every finder runs in time linear in the length of the text it is given: quantifiers are bounded (an
e-mail's local part is at most 64 characters, a domain label 63, a digit run 19, a name word 30) or
possessive, and where a candidate must be checked (Luhn, mod-97, the shape of a phone number) the
regular expression only finds a bounded candidate and Python code decides. A 1 MB adversarial comment is
redacted in about a second (``tests/hostile/test_hostile_text.py``).

Text is normalised first (:func:`normalise`): zero-width and bidirectional control characters are
removed and compatibility forms folded (NFKC: fullwidth ``４１１１`` and ``＠`` become ``4111`` and ``@``), so
that invisible characters cannot split a number or an address. Digits of any script count as digits.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["emails", "iban_valid", "ibans", "luhn_valid", "normalise", "obfuscated_emails", "strip_invisible",
           "to_ascii_digits", "urls"]

#: Zero-width and bidirectional control characters, soft hyphen, word joiners: removed before redaction.
INVISIBLE = "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b" \
            "\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u206a\u206b\u206c" \
            "\u206d\u206e\u206f\u3164\ufeff\uffa0"
_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))


def normalise(text: str) -> str:
    """Remove invisible and bidi control characters, then fold compatibility forms (NFKC).

    Examples
    --------
    >>> normalise("jo\\u200b@exa\\u202emple.com"), normalise("４１１１ ＠")
    ('jo@example.com', '4111 @')
    """
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", strip_invisible(text))


def strip_invisible(text: str) -> str:
    """``text`` without zero-width and bidirectional control characters.

    Examples
    --------
    >>> strip_invisible("a\u200bb\u202ec")
    'abc'
    """
    return text.translate(_INVISIBLE)


def to_ascii_digits(text: str) -> str:
    """Digits of any script (Arabic-Indic, Devanagari, ...) as ASCII digits; other characters kept.

    Examples
    --------
    >>> to_ascii_digits("٤١١١ ४१११")
    '4111 4111'
    """
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def luhn_valid(digits: str) -> bool:
    """True when a digit string (any script) passes the Luhn checksum used by payment cards."""
    digits = to_ascii_digits(digits)
    if not (digits.isascii() and digits.isdigit()):
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_valid(candidate: str) -> bool:
    """True when a string (spaces, dashes or dots allowed, any case) is an IBAN with a valid ISO 13616 mod-97 check."""
    s = to_ascii_digits(re.sub(r"[ \-.]", "", candidate)).upper()
    if not (15 <= len(s) <= 34 and s.isascii() and s.isalnum() and s[:2].isalpha() and s[2:4].isdigit()):
        return False
    moved = s[4:] + s[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


# --- e-mail addresses -------------------------------------------------------------------------------
_LOCAL_END = re.compile(r"[\w.%+\-']{1,64}\Z")
_AT = re.compile(r"[ \t]{0,2}[@%](?<=@|%)(?:(?<=@)|40)[ \t]{0,2}")     # "@" or "%40" (a mailto: link)
_DOMAIN = re.compile(r"(?:[\w\-]{1,63}\.){1,8}[^\W\d_]{2,24}(?![\w\-])")


def emails(text: str) -> list[tuple[int, int]]:
    """Spans of e-mail addresses (Unicode allowed, spaces around the @ allowed), found from each "@".

    Examples
    --------
    >>> t = "mail jöran @ exämple.de or a.b@x.co.uk"
    >>> [t[a:b] for a, b in emails(t)]
    ['jöran @ exämple.de', 'a.b@x.co.uk']
    """
    spans = []
    for at in _AT.finditer(text):
        dom = _DOMAIN.match(text, at.end())
        if dom is None:
            continue
        local = _LOCAL_END.search(text, max(0, at.start() - 64), at.start())
        if local is None:
            continue
        spans.append((local.start(), dom.end()))
    return spans


_AT_WORDS = r"at|arroba|chiocciola|arobase|klammeraffe|apenstaartje|ät|@"
_DOT_WORDS = r"dot|punto|punkt|point|punt|ponto|\."
_OBF_AT = (rf"(?:[ \t]{{0,2}}[(\[{{<][ \t]{{0,2}}(?:{_AT_WORDS})[ \t]{{0,2}}[)\]}}>][ \t]{{0,2}}|"
           rf"[ \t]{{1,2}}(?:{_AT_WORDS})[ \t]{{1,2}})")
_OBF_DOT = (rf"(?:[ \t]{{0,2}}[(\[{{<][ \t]{{0,2}}(?:{_DOT_WORDS})[ \t]{{0,2}}[)\]}}>][ \t]{{0,2}}|"
            rf"[ \t]{{1,2}}(?:{_DOT_WORDS})[ \t]{{1,2}}|\.)")
_OBFUSCATED = re.compile(
    rf"(?i)(?<![\w.+\-])[\w.+\-]{{1,64}}+(?:{_OBF_DOT}[\w+\-]{{1,64}}+){{0,3}}+"
    rf"(?P<at>{_OBF_AT})[\w\-]{{1,63}}+(?:{_OBF_DOT}[\w\-]{{1,63}}+){{1,4}}+(?![\w\-])"
    rf"|(?<![\w.+])(?:[^\W_]|[.+]){{1,64}}+(?:[\-_](?:{_DOT_WORDS})[\-_](?:[^\W_]|[+]){{1,64}}+){{0,3}}+"
    rf"(?P<dash>[\-_](?:{_AT_WORDS})[\-_])[^\W_]{{1,63}}+(?:[\-_](?:{_DOT_WORDS})[\-_][^\W_]{{1,63}}+){{1,4}}+(?![\w\-])"
)
_SPLIT_DOT = re.compile(rf"(?i){_OBF_DOT}|[\-_](?:{_DOT_WORDS})[\-_]")
#: Top-level domains accepted after a plain " at " ... " dot " (bracketed forms accept any).
_TLDS = frozenset("""com net org info biz edu gov io co me uk de fr es it nl be ch at se no dk fi pl ie pt eu
us ca au nz in jp cn br mx ru za gr cz hu ro sk bg hr si lt lv ee lu is tr il ae sg hk kr tw email online""".split())
#: Words that are not the local part of an address before a plain " at " ("reset it at example.com").
_NOT_LOCAL = frozenset("""it me us him her them you this that one up in out here there home work look looked
arrived arrive available found find online live lives sign signed log logged order ordered bought buy book booked
stay stayed registered register pay paid shop shopped account profile page site info details help support
reset check checked it's is was are be we they i""".split())
OBFUSCATED_HINT = re.compile(
    r"(?i)\b(?:dot|punto|punkt|punt|ponto|arroba|chiocciola|arobase|klammeraffe|apenstaartje)\b|"
    r"[(\[{<][ \t]{0,2}(?:at|ät|@)[ \t]{0,2}[)\]}>]|[ \t\n]at[ \t\n]{1,2}[\w\-]{1,63}\.[a-z]{2}|[\-_]at[\-_]|"
    r"@[ \t]{0,2}[\w\-]{1,63}[ \t]{1,2}\.|[ \t\n]point[ \t\n]")       # no \s: pandas then tests with RE2


def obfuscated_emails(text: str) -> list[tuple[int, int]]:
    """Spans of spelled-out addresses: "jo at example dot com", "jo(at)example(dot)com", "jo [at] x.org",
    "jo-at-example-dot-com", "maria arroba gmail punto com", "jo chiocciola libero punto it", "jo @ gmail . com".

    Examples
    --------
    >>> t = "write to jo dot smith at example dot com or jo(at)ex(dot)fr; I was at home dot"
    >>> [t[a:b] for a, b in obfuscated_emails(t)]
    ['jo dot smith at example dot com', 'jo(at)ex(dot)fr']
    """
    spans = []
    for m in _OBFUSCATED.finditer(text):
        at = m.group("at") or m.group("dash")
        tld = _SPLIT_DOT.split(m.group(0))[-1].lower()
        bracketed = any(ch in at for ch in "([{<")
        local = m.group(0)[:m.start("at" if m.group("at") else "dash") - m.start()]
        plain = at.strip().lower() == "at" and not bracketed
        if tld.isalpha() and (bracketed or tld in _TLDS) and not (plain and local.lower() in _NOT_LOCAL):
            spans.append(m.span())
    return spans


# --- URLs -------------------------------------------------------------------------------------------
_URL = re.compile(r"(?i)(?<![\w@])(?:(?:https?|ftp)://|www\.)[^\s<>\"'\[\]]*+"
                  r"|(?<![\w@.\-])(?:[a-z0-9\-]{1,63}+\.){1,6}+[a-z]{2,24}+/[^\s<>\"'\[\]]*+")
URL_HINT = re.compile(r"(?i)https?://|ftp://|www\.|[a-z]\.[a-z]{2,24}/")


def urls(text: str) -> list[tuple[int, int]]:
    """Spans of URLs (with a scheme, "www.", or a domain followed by a path), trailing punctuation left out.

    Examples
    --------
    >>> t = "see https://example.com/a?id=42). or example.org/u/jdoe, v1.2.3"
    >>> [t[a:b] for a, b in urls(t)]
    ['https://example.com/a?id=42', 'example.org/u/jdoe']
    """
    spans = []
    for m in _URL.finditer(text):
        end = m.end()
        while end > m.start() and text[end - 1] in ".,;:!?)]}'\"":
            end -= 1
        if end - m.start() > 4:
            spans.append((m.start(), end))
    return spans


# --- IBANs ------------------------------------------------------------------------------------------
_IBAN_START = re.compile(r"(?<![^\W_])(?=([A-Za-z]{2}\d{2}(?:[ \-.]?[A-Za-z0-9]){11,30}+))")


def ibans(text: str) -> list[tuple[int, int]]:
    """Spans of IBANs (any case, grouped by spaces, dashes, dots or not at all) that pass the mod-97 check.

    Each candidate start is tried with its groups taken longest first, so words after the IBAN
    ("... 7654 32 please") do not hide it.

    Examples
    --------
    >>> t = "to gb82-west-1234-5698-7654-32 please, not GB82 WEST 1234 5698 7654 33"
    >>> [t[a:b] for a, b in ibans(t)]
    ['gb82-west-1234-5698-7654-32']
    """
    spans, done = [], 0
    for m in _IBAN_START.finditer(text):
        start = m.start()
        if start < done:
            continue
        cand = m.group(1)
        cuts = [i for i in range(len(cand), 14, -1) if i == len(cand) or cand[i] in " -."]
        for cut in cuts:
            if iban_valid(cand[:cut]):
                spans.append((start, start + cut))
                done = start + cut
                break
    return spans
