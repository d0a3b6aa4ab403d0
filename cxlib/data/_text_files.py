"""Delimited text files as analysts get them (private to :mod:`cxlib.data`): which encoding, which delimiter.

European exports are often semicolon-delimited with decimal commas, Windows tools write Windows-1252
or UTF-16, and a file can arrive truncated. This module looks at the first 64 KB of a file to choose the
encoding (a byte-order mark or the zero bytes of UTF-16 decide it; otherwise UTF-8) and the delimiter
(the one the header line uses most, outside quotes), and explains a file that cannot be decoded: where
the first bad byte is, what it reads as in Windows-1252, and which ``encoding:`` to set.
"""

from __future__ import annotations

import codecs
import gzip
import re
from pathlib import Path

__all__ = ["HEAD_BYTES", "decode_problem", "head_bytes", "open_binary", "sniff_delimiter", "sniff_encoding"]

HEAD_BYTES = 1 << 16
_DELIMITERS = (",", ";", "\t", "|")
_QUOTED = re.compile(r'"[^"]*"')


def open_binary(path: Path):
    """The file's bytes as a stream, decompressed when it is gzip (``.gz``)."""
    return gzip.open(path, "rb") if path.suffix.lower() == ".gz" else open(path, "rb")


def head_bytes(path: Path, size: int = HEAD_BYTES) -> bytes:
    """Up to ``size`` bytes from the start of the (decompressed) file."""
    with open_binary(path) as fh:
        return fh.read(size)


def sniff_encoding(head: bytes) -> str:
    """The encoding a file's first bytes show: a byte-order mark, UTF-16's zero bytes, else UTF-8.

    Examples
    --------
    >>> sniff_encoding("a;b".encode("utf-16")), sniff_encoding("a;b".encode("utf-16-le"))
    ('utf-16', 'utf-16-le')
    >>> sniff_encoding(b"\\xef\\xbb\\xbfa,b"), sniff_encoding("Région,b".encode("cp1252"))
    ('utf-8-sig', 'utf-8-sig')
    """
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:2000]
    if len(sample) >= 4 and sample.count(0) >= len(sample) // 4:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        return "utf-16-le" if odd > even else "utf-16-be"
    return "utf-8-sig"


def sniff_delimiter(first_line: str, *, default: str = ",") -> str:
    """The delimiter the header line uses most (outside quoted names), else ``default``.

    Examples
    --------
    >>> sniff_delimiter("ID;Datum;Bewertung;Kommentar"), sniff_delimiter('"a;b",c,d'), sniff_delimiter("one")
    (';', ',', ',')
    """
    bare = _QUOTED.sub("", first_line)
    counts = {d: bare.count(d) for d in _DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else default


def decode_problem(path: Path, encoding: str, name: str) -> str:
    """Explain why ``path`` cannot be decoded as ``encoding``: the first bad byte, its line, what to set.

    Returns
    -------
    str
        A sentence for the error message (empty when the whole file decodes after all).
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    line, offset = 1, 0
    with open_binary(path) as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                pos = min(exc.start, len(block) - 1)  # bytes carried over from the last block shift it by <= 3
                start = block.rfind(b"\n", 0, pos) + 1
                end = block.find(b"\n", pos)
                text = block[start:end if end >= 0 else len(block)][:200]
                return _advice(text, block[pos], line + block[:pos].count(b"\n"), offset + pos, name, encoding)
            line += block.count(b"\n")
            offset += len(block)
    return ""


def _advice(text: bytes, byte: int, line: int, offset: int, name: str, encoding: str) -> str:
    suggestion = "cp1252"
    try:
        shown = text.decode("cp1252")
    except UnicodeDecodeError:
        suggestion, shown = "latin-1", text.decode("latin-1")
    shown = shown.strip()
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    return (f"it is not {encoding.replace('-sig', '')} text: byte 0x{byte:02x} on line {line} (byte {offset:,}) "
            f"cannot be decoded. Read as {'Windows-1252' if suggestion == 'cp1252' else 'Latin-1'} that line is "
            f"{shown!r}; if that is right, set 'encoding: {suggestion}' under '{name}:' in the config "
            "(or save the file as UTF-8)")
