"""Bytes of a researcher's text file to text: UTF-16 (Excel's "Unicode text" export: with a BOM, or without one
when the high bytes of the start look like Latin and Cyrillic text), then UTF-8 (with or without a BOM), else cp1251 or Latin-1,
whichever reads as plausible text, with the reason said.

Both single-byte encodings decode any byte sequence, so neither fails: cp1251 turns Latin-1's "café" into
"cafй" and Latin-1 turns cp1251's "Астана" into "Àñòàíà". Each candidate is judged by the words it yields:
a word mixing Cyrillic and Latin letters ("cafй") or a Latin word made mostly of accented letters ("Àñòàíà")
is implausible; the decoding with fewer implausible words wins, cp1251 on a tie (Kazakh and Russian
spreadsheets are the common case here).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

WORD = re.compile(r"[^\W\d_]+")
UTF16_BOMS = ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
SNIFFED_BYTES = 4096  # the start of a file looked at for UTF-16 without a BOM


@dataclass(frozen=True)
class Reading:
    """How one decoding reads: letters per script and implausible words."""

    encoding: str
    text: str
    cyrillic: int
    accented: int  # Latin letters outside ASCII
    mixed: int  # words with both Cyrillic and Latin letters
    mostly_accented: int  # Latin words whose letters are mostly accented

    @property
    def implausible(self) -> int:
        return self.mixed + self.mostly_accented


def is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def is_latin(ch: str) -> bool:
    return ch.isascii() or "\u00c0" <= ch <= "\u024f"


def read_as(raw: bytes, encoding: str) -> Reading:
    """Decode ``raw`` with ``encoding`` (undecodable bytes replaced) and count what the text holds (each distinct
    word judged once and counted as often as it occurs: survey files repeat their words)."""
    text = raw.decode(encoding, errors="replace")
    cyrillic = accented = mixed = mostly = 0
    for word, times in Counter(WORD.findall(text)).items():
        cyr = sum(is_cyrillic(ch) for ch in word)
        lat = sum(is_latin(ch) for ch in word)
        acc = sum(not ch.isascii() and is_latin(ch) for ch in word)
        cyrillic += cyr * times
        accented += acc * times
        mixed += bool(cyr and lat) * times
        mostly += bool(not cyr and len(word) >= 2 and acc * 2 > len(word)) * times
    return Reading(encoding, text, cyrillic, accented, mixed, mostly)


def utf16_encoding(raw: bytes) -> tuple[str, bool] | None:
    """``(codec, has_bom)`` when ``raw`` is UTF-16: a byte-order mark, or (no BOM) a start whose high bytes
    (odd bytes little-endian, even bytes big-endian) hold NULs and are, 9 in 10 at least, 0x00 or 0x04 (Latin
    and Cyrillic letters, digits, delimiters), while fewer than 1 in 10 of the low bytes are NUL: text in an
    8-bit encoding never has NULs, binary files have them on both sides. The bytes must also decode; else
    None."""
    for bom, codec in UTF16_BOMS:
        if raw.startswith(bom):
            return (codec, True) if _decodes(raw[2:], codec) else None
    head = raw[: SNIFFED_BYTES - SNIFFED_BYTES % 2]
    pairs = len(head) // 2
    if pairs < 2 or b"\x00" not in head:
        return None
    for codec, high, low in (("utf-16-le", head[1::2], head[0::2]), ("utf-16-be", head[0::2], head[1::2])):
        plausible = high.count(0) + high.count(4)
        if high.count(0) and plausible * 10 >= pairs * 9 and low.count(0) * 10 < pairs and _decodes(raw, codec):
            return codec, False
    return None


def _decodes(raw: bytes, codec: str) -> bool:
    try:
        raw[: len(raw) - len(raw) % 2].decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def decode_text(raw: bytes) -> tuple[str, str, str]:
    """``(text, encoding, note)``: UTF-16 (``utf16_encoding``), else UTF-8 (BOM or not) when the bytes are UTF-8,
    else the more plausible of cp1251 and Latin-1 (``latin-1``), the note saying why."""
    utf16 = utf16_encoding(raw)
    if utf16 is not None:
        codec, bom = utf16
        body = raw[2:] if bom else raw
        how = ("with a byte-order mark" if bom
               else "no byte-order mark; the high bytes are those of Latin and Cyrillic text")
        return body[: len(body) - len(body) % 2].decode(codec), codec, f"encoding {codec} ({how})"
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    else:
        return text, "utf-8-sig", "encoding utf-8-sig"
    cyr, lat = read_as(raw, "cp1251"), read_as(raw, "latin-1")
    chosen, other = (lat, cyr) if lat.implausible < cyr.implausible else (cyr, lat)
    if chosen is cyr:
        why = f"{cyr.cyrillic:,} Cyrillic letters, {_words(cyr.implausible, 'mixed-script')}"
    else:
        why = f"{lat.accented:,} accented Latin letters, {_words(lat.implausible, 'implausible')}"
    label = "cp1251" if chosen is cyr else "Latin-1"
    other_label = "Latin-1" if chosen is cyr else "cp1251"
    note = (f"decoded as {label}: not UTF-8; {why} (as {other_label}: {_words(other.implausible, 'implausible')})")
    return chosen.text, chosen.encoding, note


def _words(n: int, kind: str) -> str:
    return f"no {kind} words" if n == 0 else f"{n:,} {kind} word{'s' if n != 1 else ''}"
