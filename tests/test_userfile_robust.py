"""Researchers' files that used to break the reader: a 5 MB cell, Latin-1 read as cp1251 (café -> cafй), and the
note that says which single-byte encoding was chosen and why."""

from __future__ import annotations

import csv

import pytest

from geo.io.decoding import decode_text, is_cyrillic, is_latin, read_as
from geo.io.userfile import read_raw_file

LATIN1 = "name;city;comment\ncafé;Zürich;très bien\nnaïve;Genève;déjà vu\nplain;Bern;ok\n"
CP1251 = "Город;Район;Комментарий\nАстана;Есиль;всё хорошо\nАлматы;Медеуский;не знаю\nШымкент;Абай;да\n"


def test_a_five_megabyte_field_is_read_whole_and_the_limit_is_put_back(tmp_path):
    before = csv.field_size_limit()
    huge = "я" * 5_000_000
    path = tmp_path / "long.csv"
    path.write_text(f"district;note\nЕсиль;\"{huge}\"\nНура;коротко\n", encoding="utf-8")
    raw = read_raw_file(path)
    assert raw.frame.shape == (2, 2) and len(raw.frame.loc[0, "note"]) == 5_000_000
    assert raw.frame.loc[1, "note"] == "коротко"
    assert csv.field_size_limit() == before


def test_latin1_is_not_taken_for_cp1251(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(LATIN1.encode("latin-1"))
    raw = read_raw_file(path)
    assert raw.frame["name"].tolist() == ["café", "naïve", "plain"]
    assert raw.frame["city"].tolist() == ["Zürich", "Genève", "Bern"]
    # é, ü, è, ï, è, é, à: 7 accented letters; as cp1251 cafй, Zьrich, trиs, naпve, Genиve, dйjа are mixed words
    assert ("decoded as Latin-1: not UTF-8; 7 accented Latin letters, no implausible words "
            "(as cp1251: 6 implausible words)") in raw.notes


def test_cp1251_russian_stays_cp1251(tmp_path):
    path = tmp_path / "ru.csv"
    path.write_bytes(CP1251.encode("cp1251"))
    raw = read_raw_file(path)
    assert raw.frame["Район"].tolist() == ["Есиль", "Медеуский", "Абай"]
    cyrillic = sum(ch.isalpha() for ch in CP1251)  # every letter of the file is Cyrillic
    note = next(n for n in raw.notes if n.startswith("decoded as"))
    assert note.startswith(f"decoded as cp1251: not UTF-8; {cyrillic} Cyrillic letters, no mixed-script words")


def test_utf8_with_or_without_bom_comes_first(tmp_path):
    for i, encoding in enumerate(("utf-8", "utf-8-sig")):
        path = tmp_path / f"u{i}.csv"
        path.write_bytes(LATIN1.encode(encoding))
        raw = read_raw_file(path)
        assert raw.frame["name"].tolist()[0] == "café" and "encoding utf-8-sig" in raw.notes


@pytest.mark.parametrize("text, encoding, expected", [
    ("Zürich", "latin-1", "latin-1"), ("Астана", "cp1251", "cp1251"),
    ("Ich heiße Jörg", "latin-1", "latin-1"), ("улица Абая, дом 5", "cp1251", "cp1251"),
])
def test_short_texts_pick_the_right_encoding(text, encoding, expected):
    decoded, chosen, _ = decode_text(text.encode(encoding))
    assert (decoded, chosen) == (text, expected)


def test_what_the_judge_counts():
    cafe = read_as("cafй Zürich".encode("cp1251", errors="replace"), "cp1251")
    assert cafe.mixed == 1 and cafe.cyrillic == 1  # "cafй": Latin and Cyrillic in one word
    latin = read_as("Астана".encode("cp1251"), "latin-1")  # "Àñòàíà": every letter accented
    assert latin.mostly_accented == 1 and latin.accented == 6 and latin.mixed == 0


def test_utf8_reports_its_codec_name():
    assert decode_text("Есиль".encode()) == ("Есиль", "utf-8-sig", "encoding utf-8-sig")


def test_a_tie_goes_to_cp1251_and_the_note_names_the_other_reading():
    # b"price\xa0100" is not UTF-8; 0xA0 is a no-break space in both cp1251 and Latin-1, so neither reading has
    # an implausible word (0 = 0): the tie goes to cp1251, and the note names Latin-1 as the other reading
    assert decode_text(b"price\xa0100") == (
        "price\xa0100", "cp1251",
        "decoded as cp1251: not UTF-8; 0 Cyrillic letters, no mixed-script words (as Latin-1: no implausible words)")


def test_one_implausible_word_is_singular_two_are_plural():
    # "café" as cp1251 is "cafй": 1 mixed word; "café naïve" gives "cafй" and "naпve": 2
    assert decode_text("café".encode("latin-1"))[2].endswith("(as cp1251: 1 implausible word)")
    assert decode_text("café naïve".encode("latin-1"))[2].endswith("(as cp1251: 2 implausible words)")


def test_a_byte_undefined_in_cp1251_does_not_break_the_reader():
    # 0x98 has no character in cp1251 (replaced while judging); Latin-1 reads it as U+0098 and "café" as is
    assert decode_text(b"caf\xe9 \x98")[:2] == ("café \x98", "latin-1")


def test_script_ranges_include_their_ends():
    assert is_cyrillic("\u0400") and is_cyrillic("\u04ff")  # Ѐ and ӿ: first and last of the Cyrillic block
    assert not is_cyrillic("\u03ff") and not is_cyrillic("\u0500")
    assert is_latin("\u00c0") and is_latin("\u024f") and not is_latin("\u0250")  # À .. ɏ
    assert not is_latin("µ") and not is_latin("ª")  # letters below À that are not Latin-1 accented letters


def test_every_mostly_accented_word_counts_even_two_letter_ones():
    # cp1251 "Астана Есиль" as Latin-1: "Àñòàíà" (6 of 6 accented) and "Åñèëü" (5 of 5): two words, 11 letters
    two = read_as("Астана Есиль".encode("cp1251"), "latin-1")
    assert (two.mostly_accented, two.accented) == (2, 11)
    # cp1251 "да" as Latin-1 is "äà": two letters, both accented (2 * 2 > 2)
    assert read_as("да".encode("cp1251"), "latin-1").mostly_accented == 1
