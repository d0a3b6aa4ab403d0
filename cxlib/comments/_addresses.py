"""Postal addresses in free text (private to :mod:`cxlib.comments`).

An address is found by its street: a house number beside a street word, in the order each country
writes it, then extended over what follows it (a flat, a postcode, a town):

- number first (US, UK, Canada, Australia, France): ``22 Baker Street``, ``1600 Pennsylvania Ave NW``,
  ``12 bis rue de la Paix``, with an optional ``flat 3,`` / ``apt 4B`` before it;
- street first (Germany, the Netherlands, Spain, Italy, Portugal): ``Hauptstraße 12``, ``Musterstr. 5a``,
  ``Kalverstraat 92``, ``Calle Mayor 5``, ``C/ Alcalá 23``, ``Via Roma 10``, ``Rua Augusta 15``;
- what follows: ``, 3º B``, ``Apt 4B``, ``Suite 200``, ``, London NW1 6XE``, ``, 10115 Berlin``,
  ``, 1012 PH Amsterdam``, ``, Springfield, IL 62704``;
- UK postcodes on their own (``SW1A 1AA``) and post-office boxes (``PO Box 1234``, ``Postfach 12 34``,
  ``BP 123``, ``Apartado 456``, ``Casella postale 78``).

A street word alone ("the store on Main Street") is not an address: a house number must stand beside it.
"""

from __future__ import annotations

import re

__all__ = ["ADDRESS_HINT", "addresses"]

_CAP = r"(?:[A-ZÀ-ÖØ-Þ][\w'’.\-]{0,24}+)"                 # a capitalised word of a street or town name
_EN_TYPES = (r"street|st|road|rd|avenue|ave|lane|ln|drive|dr|close|way|court|ct|place|pl|crescent|cres|"
             r"terrace|gardens|gdns|grove|boulevard|blvd|square|sq|hill|parkway|pkwy|highway|hwy|mews|"
             r"circle|cir|trail|trl|loop|alley")
_FR_TYPES = r"rue|avenue|av|bd|boulevard|chemin|impasse|place|allée|quai|route|cours|square|passage"
_SOUTH_TYPES = (r"calle|c/|avda|avenida|plaza|pza|paseo|pso|carrer|camino|ronda|travesía|via|viale|v\.le|"
                r"piazza|p\.za|corso|c\.so|vicolo|strada|rua|praça|travessa|alameda|estrada|laan|plein")
_NORTH_SUFFIX = (r"straße|strasse|str\.|weg|gasse|platz|allee|damm|ufer|chaussee|steig|pfad|"
                 r"straat|gracht|laan|plein|kade|singel|dreef|steeg")
_HOUSE = r"(?!(?:19|20)\d\d(?!\d))\d{1,5}(?:[ ]?[A-Za-z])?(?:[\-/]\d{1,4}[A-Za-z]?)?(?![\w])"
_UNIT_CORE = (r"(?:(?i:flat|apt|apartment|unit|suite|ste|floor|wohnung|whg|appartement|étage|piso|puerta|"
              r"scala|interno)\.?[ \t]{0,2}#?[ \t]{0,2}\w{1,5}|#\d{1,5})")
_UK_POSTCODE = r"(?:GIR[ ]?0AA|[A-Z]{1,2}\d[A-Z\d]?[ ]?\d[ABD-HJLNP-UW-Z]{2})"
_TOWN = r"[A-ZÀ-ÖØ-Þ][\w'’\-]{1,24}+"
_TAIL = (rf"(?:,?[ \t]{{1,2}}(?:{_UNIT_CORE}|\d{{1,3}}[º°ª](?:[ ]?[A-Z](?!\w))?|\d{{1,3}}[ ]?[A-Z](?!\w))|"
         rf",?[ \t]{{1,2}}(?:{_UK_POSTCODE}|\d{{4}}-\d{{3}}|\d{{4,5}}(?:[ ]?[A-Z]{{2}})?|[A-Z]{{2}}[ ]\d{{5}}(?:-\d{{4}})?)(?![\w])"
         rf"(?:[ \t]{{1,2}}{_TOWN})?|"
         rf",[ \t]{{1,2}}{_TOWN}(?:[ ]{_TOWN}){{0,2}}?(?=[ \t]{{0,2}}(?:,|[ \t][A-Z0-9]{{2}}|\Z|[.;\n)]))){{0,4}}+")
_NUMBER_FIRST = (rf"{_HOUSE}(?:[ \t](?:bis|ter))?,?[ \t]{{1,2}}(?:"
                 rf"(?i:{_FR_TYPES})[ \t]{{1,2}}(?:(?:de|du|des|la|le|l['’]|d['’])[ \t]?){{0,2}}{_CAP}(?:[ \t]{_CAP}){{0,2}}|"
                 rf"{_CAP}(?:[ \t]{_CAP}){{0,3}}?[ \t](?i:{_EN_TYPES})(?![\w\-])\.?(?:[ \t](?:N|S|E|W|NE|NW|SE|SW)\b)?|"
                 r"(?!(?:way|lane|road|street|one|two|mile|minute|hour|block|car|bus|main)[ \t])"
                 r"[a-z]{2,24}[ \t](?:street|road|avenue|lane|boulevard)(?![\w]))")
_STREET_FIRST = (rf"(?:(?i:{_SOUTH_TYPES})\.?[ \t]{{1,2}}(?:(?:de|del|della|di|da|do|dos|das|la|las|los|van|der|den)[ \t]{{1,2}}){{0,2}}"
                 rf"{_CAP}(?:[ \t]{_CAP}){{0,2}}?|[A-ZÀ-ÖØ-Þ][\w\-]{{0,24}}(?i:{_NORTH_SUFFIX})|"
                 rf"(?:Am|An[ \t]der|Auf[ \t]dem|Im)[ \t]{_CAP}),?[ \t]{{1,2}}(?:n[º°.][ \t]?)?{_HOUSE}")
_STREET = re.compile(rf"(?<![\w\-])(?:{_UNIT_CORE},?[ \t]{{1,2}})?(?:{_NUMBER_FIRST}|{_STREET_FIRST}){_TAIL}")
_PO_BOX = re.compile(
    r"(?i)\b(?:p\.?[ ]?o\.?[ ]?box|post[ ]office[ ]box|postfach|postbus|b\.p\.|bo[iî]te[ ]postale|"
    r"apartado(?:[ ]de[ ]correos)?|casella[ ]postale|caixa[ ]postal)[ \t.:#]{1,3}\d(?:[ ]?\d){0,9}+(?!\w)"
)
_POSTCODE_ALONE = re.compile(rf"(?<![\w\-]){_UK_POSTCODE}(?![\w\-])")
_POSTCODE_CUE = re.compile(r"(?i)\b(?:postcode|post[ ]code|postal[ ]code)[ \t:]{0,3}\Z")
#: Cheap test that a text may hold an address (a street word, a PO box, a UK postcode).
ADDRESS_HINT = (rf"(?i:\b(?:{_EN_TYPES}|{_FR_TYPES}|{_SOUTH_TYPES})\b|\bc/|{_NORTH_SUFFIX}|p\.?[ ]?o\.?[ ]?box|postfach|"
                rf"postbus|apartado|casella|caixa|bo[iî]te[ ]postale|b\.p\.)|\b[A-Z]{{1,2}}\d[A-Z\d]?[ ]?\d[A-Z]{{2}}\b|"
                r"\b(?:Am|An der|Auf dem|Im) [A-Z]")


def addresses(text: str) -> list[tuple[int, int]]:
    """Spans of postal addresses: a street with its house number and what follows, UK postcodes, PO boxes.

    Examples
    --------
    >>> t = "flat 3, 22 Baker Street, London NW1 6XE; Hauptstr. 5, 10115 Berlin; PO Box 1234; on Main Street"
    >>> [t[a:b] for a, b in addresses(t)]
    ['flat 3, 22 Baker Street, London NW1 6XE', 'Hauptstr. 5, 10115 Berlin', 'PO Box 1234']
    """
    spans = [m.span() for m in _STREET.finditer(text)]
    spans += [m.span() for m in _PO_BOX.finditer(text)]
    for m in _POSTCODE_ALONE.finditer(text):
        if " " in m.group(0) or _POSTCODE_CUE.search(text, max(0, m.start() - 20), m.start()):
            spans.append(m.span())
    spans.sort()
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out
