"""Bytes of a researcher's text file to text: UTF-8 (with or without a BOM) first, else cp1251 or Latin-1,
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


def decode_text(raw: bytes) -> tuple[str, str, str]:
    """``(text, encoding, note)``: UTF-8 (BOM or not) when the bytes are UTF-8, else the more plausible of
    cp1251 and Latin-1 (``latin-1``), the note saying why."""
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
