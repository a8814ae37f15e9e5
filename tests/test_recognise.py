"""``geo.io.recognise``: what the browser proposes before a join. Roles from Russian, Kazakh and English
headers, score items only by name or by a scale in brackets, the columns left out and why, a short preview,
the sheets of a workbook, the label scales of an SPSS file; JSON-safe, no row judged, no command-line option
in any message."""

from __future__ import annotations

import json

import pandas as pd
import pyreadstat
import pytest

from geo.errors import BadInput
from geo.io.recognise import left_out_reason, propose_roles, recognise

LONG = "Мне кажется, что приезжие в нашем районе живут дружно и помогают"  # 64 characters


def _write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _survey_text(rows=12):
    header = "№;Город;Район проживания;Группа;Вес;Q1;вопрос2;Отношение к приезжим (1–5);Возраст;Комментарий;" \
             "Пусто;Волна"
    lines = [header]
    for i in range(rows):
        lines.append(f"{i + 1};Астана;Есиль;{'мигрант' if i % 2 else 'местный'};{1 + i / 10:.1f};{1 + i % 5};"
                     f"{5 - i % 5};{1 + i % 3};{30 + i % 4};{LONG} {i};;2024")
    return "\n".join(lines) + "\n"


def test_a_russian_survey_is_recognised(tmp_path):
    found = recognise(_write(tmp_path, "survey.csv", _survey_text(), "cp1251"))
    assert found["columns"][:3] == ["№", "Город", "Район проживания"] and found["rows"] == 12
    assert found["sheets"] == [] and found["geometry"] is False and found["synthetic"] is False
    assert found["roles"] == {"city": "Город", "district": "Район проживания", "lat": None, "lon": None,
                              "weight": "Вес", "group": "Группа"}
    # q-names with inferred scales, the bracket item with its header's scale; Возраст (small integers) is not
    # proposed: only names and brackets make an item
    assert found["scores"] == {"Q1": None, "вопрос2": None, "Отношение к приезжим (1–5)": [1, 5]}
    assert found["left_out"] == {"№": "id", "Комментарий": "free_text", "Пусто": "empty", "Волна": "constant"}
    assert len(found["preview"]) == 5 and len(found["preview"][0]) == 12
    assert found["preview"][0][:6] == ["1", "Астана", "Есиль", "местный", "1.0", "1"]
    assert found["preview"][3][9] == LONG[:40] and found["preview"][0][10] == ""
    assert any(note.startswith("decoded as cp1251") for note in found["notes"])
    assert json.loads(json.dumps(found)) == found  # JSON-safe as it is


def test_kazakh_and_english_headers_and_coordinates(tmp_path):
    text = "Қала,Аудан,Салмақ,Топ,сұрақ1,Широта,Долгота\nАстана,Есіл,1,a,3,51.1,71.4\nАстана,Есіл,2,b,4,51.2,71.5\n"
    found = recognise(_write(tmp_path, "kk.csv", text))
    assert found["roles"] == {"city": "Қала", "district": "Аудан", "lat": "Широта", "lon": "Долгота",
                              "weight": "Салмақ", "group": "Топ"}
    assert found["scores"] == {"сұрақ1": None}
    english = propose_roles(["respondent_id", "city", "district", "weight", "group", "latitude (WGS84)", "lng"])
    assert english == {"city": "city", "district": "district", "lat": "latitude (WGS84)", "lon": "lng",
                       "weight": "weight", "group": "group"}
    # one coordinate alone is no pair: neither is proposed
    assert propose_roles(["Широта", "Район"])["lat"] is None


@pytest.mark.parametrize("values, header, reason", [
    (["", " ", "nan"], "x", "empty"),
    (["a", "a", "a"], "x", "constant"),
    (["7", "8", "9"], "respondent_id", "id"),
    (["1", "2", "3"], "№ анкеты", "id"),
    ([f"R-{i:03d}" for i in range(10)], "анкета", "id"),  # unique short codes in 10 rows or more
    ([f"{i}.5" for i in range(10)], "доход", None),  # unique decimals are measurements, not ids
    ([f"R-{i:03d}" for i in range(9)], "анкета", None),  # too few rows to call unique codes an id
    ([LONG + str(i) for i in range(4)], "Комментарий", "free_text"),
    ([LONG] * 4 + ["другое"], "Комментарий", None),  # mostly one answer: a category, not free text
    (["да", "нет", "да"], "Ответ", None),
    (["1", "2", "1"], "x", None),
])
def test_why_a_column_is_left_out(values, header, reason):
    assert left_out_reason(pd.Series(values), header) == reason


def test_a_workbook_lists_its_sheets_and_a_sheet_can_be_chosen(tmp_path):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"Примечание": ["x"]}).to_excel(writer, sheet_name="Описание", index=False)
        pd.DataFrame({"Район": ["Есиль", "Алматы"], "Доверие [1-7]": [7, 1]}).to_excel(
            writer, sheet_name="Данные", index=False)
    first = recognise(path)
    assert first["sheets"] == ["Описание", "Данные"] and first["columns"] == ["Примечание"]
    chosen = recognise(path, sheet="Данные")
    assert chosen["roles"]["district"] == "Район" and chosen["scores"] == {"Доверие [1-7]": [1, 7]}
    assert chosen["preview"] == [["Есиль", "7"], ["Алматы", "1"]]


def test_an_spss_file_gives_label_scales_and_label_names(tmp_path):
    frame = pd.DataFrame({"district": [1.0, 2.0, 1.0], "q1": [1.0, 9.0, 4.0], "q2": [2.0, 3.0, 4.0]})
    path = tmp_path / "s.sav"
    pyreadstat.write_sav(frame, path, variable_value_labels={
        "district": {1: "Есиль", 2: "Алматы"}, "q1": {1: "нет", 4: "да", 9: "Затрудняюсь ответить"}})
    found = recognise(path, name="upload.sav")
    assert found["roles"]["district"] == "district"
    assert found["scores"] == {"q1": [1, 4], "q2": None}  # labelled: 1-4 (9 is don't know); q2 inferred
    assert found["preview"] == [["Есиль", "1", "2"], ["Алматы", "9", "3"], ["Есиль", "4", "4"]]


def test_messages_never_ask_for_a_command_line_option(tmp_path):
    book = tmp_path / "book.xlsx"
    pd.DataFrame({"x": [1]}).to_excel(book, index=False)
    garbage = tmp_path / "g.csv"
    garbage.write_bytes(b"\x00\x01\x02\x03" * 100)
    bomb = _write(tmp_path, "wide.csv", ",".join(f"c{i}" for i in range(3000)) + "\n")
    cases = [(book, {"sheet": "Nope"}, "no sheet 'Nope'"), (garbage, {}, "binary content"),
             (_write(tmp_path, "e.csv", "\n"), {}, "the file is empty"), (bomb, {}, "3,000 columns"),
             (_write(tmp_path, "h.csv", "a,b\n"), {}, "header only")]
    for path, kwargs, expected in cases:
        with pytest.raises(BadInput) as caught:
            recognise(path, **kwargs)
        assert expected in str(caught.value) and "--" not in str(caught.value), str(caught.value)
