"""Researchers' survey files of every kind: Excel workbooks (a chosen sheet), SPSS and Stata files with value
labels and user-missing codes, UTF-16 CSVs, scales written in headers, Russian and Kazakh headers, and the
limits that keep a hostile file cheap (a header of a million columns, too many score items).

The key case: one synthetic survey written as CSV, as .sav (item value labels, code 9 "Затрудняюсь ответить"
declared user-missing, district codes with their names as labels), as .xlsx and as .dta gives the very same
district and score tables. Hand-made districts (tests/survey_frames.py): no build needed."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from geo.engines.synthetic_survey import DONT_KNOW, ITEMS, survey_csv_bytes, synthetic_survey
from geo.errors import BadInput
from geo.io.decoding import decode_text, utf16_encoding
from geo.io.userfile import MAX_COLUMNS, MAX_ITEMS, find_columns, header_scale, read_raw_file, role_of_header
from geo.join.pipeline import join_user_data
from geo.join.table import read_user_file
from tests.survey_frames import districts, population

LABELS = {1: "совсем не согласен", 2: "скорее не согласен", 3: "и да и нет", 4: "скорее согласен",
          5: "полностью согласен", 9: "Затрудняюсь ответить"}


# ------------------------------------------------------------------------------------ one survey, four formats


@pytest.fixture(scope="module")
def survey(tmp_path_factory):
    """The demo survey (600 respondents over the hand-made districts) as CSV, SPSS, Excel and Stata files."""
    folder = tmp_path_factory.mktemp("formats")
    frame = synthetic_survey(districts(), 600, seed=5)
    (folder / "survey.csv").write_bytes(survey_csv_bytes(frame))
    frame.to_excel(folder / "survey.xlsx", index=False)
    names = sorted(set(frame["Район"]))
    codes = {name: float(i + 1) for i, name in enumerate(names)}
    coded = frame.assign(Район=frame["Район"].map(codes))
    for item in ITEMS:  # answers as numbers, "don't know" as the code 9, blanks as system-missing
        coded[item] = [np.nan if v is None else 9.0 if v == DONT_KNOW else float(v) for v in frame[item]]
    labels = {"Район": {code: name for name, code in codes.items()}, **{item: LABELS for item in ITEMS}}
    pyreadstat.write_sav(coded, folder / "survey.sav", variable_value_labels=labels,
                         missing_ranges={item: [9] for item in ITEMS})
    stata = coded.copy()
    for item in ITEMS:  # Stata's extended missing .a, labelled "Не знаю"
        stata[item] = stata[item].map(lambda v: "a" if v == 9.0 else v).astype(object)
    pyreadstat.write_dta(stata, folder / "survey.dta",
                         variable_value_labels={"Район": labels["Район"],
                                                **{item: {1: "нет", 5: "да", "a": "Не знаю"} for item in ITEMS}},
                         missing_user_values={item: ["a"] for item in ITEMS})
    return folder, frame


def _join(path, scores, **kwargs):
    return join_user_data(path, districts=districts(), population=population(), weight_col="Вес", scores=scores,
                          min_n=2, h3_res=[], permutations=0, **kwargs)


def _tables(result):
    return pd.DataFrame(result.districts.drop(columns="geometry")), result.scores


def test_one_survey_as_csv_sav_xlsx_and_dta_gives_identical_estimates(survey):
    folder, frame = survey
    given = [f"{item}:1-5" for item in ITEMS]
    csv = _join(folder / "survey.csv", given)
    sav = _join(folder / "survey.sav", list(ITEMS))  # scales from the value labels
    xlsx = _join(folder / "survey.xlsx", given)
    dta = _join(folder / "survey.dta", list(ITEMS))
    districts_csv, scores_csv = _tables(csv)
    assert np.isfinite(districts_csv["Q1_mean"]).sum() >= 3  # estimates published, not all hidden
    for other in (sav, xlsx, dta):
        districts_other, scores_other = _tables(other)
        pd.testing.assert_frame_equal(districts_csv, districts_other)
        pd.testing.assert_frame_equal(scores_csv, scores_other)
        assert other.report["score_items"] == csv.report["score_items"]
    for item in ITEMS:  # the generator's "don't know" answers and blanks, counted as such in every format
        counts = csv.report["score_items"][item]
        assert counts["dont_know"] == int((frame[item] == DONT_KNOW).sum()) > 0
        assert counts["blank"] == int(frame[item].isna().sum()) > 0
        assert counts["answered"] == 600 - counts["dont_know"] - counts["blank"]
        assert counts["scale"] == "1-5" and counts["scale_inferred"] is False
    assert "scale of 'Q1' from its value labels: 1-5 (the lowest and highest labelled answer; don't-know and " \
           "missing codes are not answers)" in sav.report["notes"]


def test_the_sav_reader_keeps_codes_as_numbers_and_marks_user_missing_cells(survey):
    folder, frame = survey
    raw = read_raw_file(folder / "survey.sav")
    assert raw.frame["Q1"].dtype == np.float64 and raw.frame["Район"].dtype == np.float64
    dont_know = (frame["Q1"] == DONT_KNOW).to_numpy()
    assert (raw.frame["Q1"].to_numpy()[dont_know] == 9.0).all()
    assert (raw.labels.nonresponse["Q1"] == dont_know).all()
    assert raw.labels.scales["Q1"] == (1.0, 5.0) and "Район" not in raw.labels.nonresponse
    assert raw.labels.cells(raw.frame, "Район").tolist() == frame["Район"].tolist()


# ------------------------------------------------------------------------------------ SPSS and Stata by hand


def _sav(tmp_path, frame, name="s.sav", **meta):
    path = tmp_path / name
    pyreadstat.write_sav(frame, path, **meta)
    return path


def test_value_labels_decide_scale_dont_know_and_names(tmp_path):
    frame = pd.DataFrame({
        "district": [1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 99.0, 1.0, 1.0],
        "q1": [1.0, 5.0, 7.0, 8.0, 9.0, 98.0, 6.0, 3.0, np.nan, 2.0],
        "q2": [2.0, 4.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 6.0],
    })
    q1_labels = {1: "плохо", 5: "хорошо", 7: "Білмеймін", 8: "Отказ от ответа", 9: "Don't know", 6: "No answer",
                 97: "Жауап беруге қиналамын"}
    path = _sav(tmp_path, frame, variable_value_labels={
        "district": {1: "Есиль", 2: "Алматы", 99: "Refused"}, "q1": q1_labels},
        missing_ranges={"q1": [{"lo": 97, "hi": 99}], "district": [99]})
    table = read_user_file(path, scores={"q1": None, "q2": None})
    assert table.scales == {"q1": (1.0, 5.0, False), "q2": (2.0, 6.0, True)}  # q2 has no labels: inferred
    reasons = dict(zip(table.set_aside["row"], table.set_aside["reason"], strict=True))
    # row 8: district code 99 is user-missing; every other row joins: 7, 8, 9 and 6 are don't-know labels and
    # 98 lies in the missing range 97-99 (no label needed), so none is a score outside 1-5
    assert reasons == {8: "missing district name in column 'district'"}
    rows = table.rows.set_index("row")
    assert rows["district_name"].tolist() == ["Есиль", "Алматы", "Есиль", "Алматы", "Есиль", "Алматы", "Есиль",
                                              "Есиль", "Есиль"]
    assert rows["q1"].dropna().to_dict() == {1: 1.0, 2: 5.0, 10: 2.0}
    assert rows["nonresponse:q1"].to_dict() == {1: 0, 2: 0, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1, 9: 2, 10: 0}


def test_an_unlabelled_code_outside_the_labelled_scale_is_set_aside(tmp_path):
    frame = pd.DataFrame({"район": ["Есиль"] * 3, "q1": [1.0, 6.0, 4.0]})
    path = _sav(tmp_path, frame, variable_value_labels={"q1": {1: "нет", 4: "да"}})
    table = read_user_file(path, scores={"q1": None})
    assert table.scales["q1"] == (1.0, 4.0, False)
    assert table.set_aside["reason"].tolist() == ["score 6 outside the scale 1-4 in column 'q1'"]
    # a scale given on the command line wins over the labels
    assert read_user_file(path, scores={"q1": (1.0, 7.0)}).scales["q1"] == (1.0, 7.0, False)


def test_stata_missing_letters_are_dont_know(tmp_path):
    frame = pd.DataFrame({"district": ["Есиль", "Есиль", "Алматы"], "q1": [1.0, "b", 3.0]})
    frame["q1"] = frame["q1"].astype(object)
    path = tmp_path / "s.dta"
    pyreadstat.write_dta(frame, path, missing_user_values={"q1": ["b"]})
    table = read_user_file(path, scores={"q1": (1.0, 5.0)})
    assert table.set_aside.empty
    assert table.rows["nonresponse:q1"].tolist() == [0, 1, 0] and table.rows["q1"].isna().tolist() == [
        False, True, False]


def test_a_damaged_statistics_file_is_one_line(tmp_path):
    path = tmp_path / "broken.sav"
    path.write_bytes(b"$FL2" + b"\x01" * 200)
    with pytest.raises(BadInput, match=r"^broken.sav: not a readable SPSS file .*export it as CSV"):
        read_raw_file(path)


# ------------------------------------------------------------------------------------------------- Excel


def _workbook(path, sheets):
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return path


def test_excel_cells_are_text_like_a_csv_and_a_sheet_can_be_chosen(tmp_path):
    first = pd.DataFrame({"district": ["Есиль", "Алматы"], "w": [1.25, 2], "q1": [4, None],
                          "q2": ["затрудняюсь ответить", 3]})
    second = pd.DataFrame({"district": ["Медеу"], "q1": [5]})
    path = _workbook(tmp_path / "book.xlsx", {"Ответы": first, "Второй": second})
    raw = read_raw_file(path)
    assert raw.sheets == ["Ответы", "Второй"]
    assert raw.frame.to_dict("list") == {"district": ["Есиль", "Алматы"], "w": ["1.25", "2"], "q1": ["4", ""],
                                         "q2": ["затрудняюсь ответить", "3"]}
    assert "Excel workbook: sheet 'Ответы' (other sheets: Второй), every cell read as text" in raw.notes
    assert read_raw_file(path, sheet="Второй").frame.to_dict("list") == {"district": ["Медеу"], "q1": ["5"]}
    table = read_user_file(path, weight_col="w", scores={"q1": (1.0, 5.0), "q2": (1.0, 5.0)})
    assert table.rows["weight"].tolist() == [1.25, 2.0]
    assert table.rows["nonresponse:q1"].tolist() == [0, 2] and table.rows["nonresponse:q2"].tolist() == [1, 0]
    assert read_user_file(path, sheet="Второй").rows["district_name"].tolist() == ["Медеу"]


def test_an_unknown_sheet_names_the_sheets(tmp_path):
    path = _workbook(tmp_path / "book.xlsx", {"A": pd.DataFrame({"x": [1]}), "Б": pd.DataFrame({"x": [2]})})
    with pytest.raises(BadInput) as caught:
        read_user_file(path, sheet="Data")
    assert str(caught.value) == "book.xlsx: no sheet 'Data'; the workbook's sheets are 'A', 'Б': choose one of them"
    with pytest.raises(BadInput, match="sheet 'A' chosen, but the file is not an Excel workbook"):
        read_raw_file(_text(tmp_path, "t.csv", "district\nЕсиль\n"), sheet="A")


def test_a_workbook_named_csv_is_read_as_one_and_garbage_is_still_binary(tmp_path):
    path = _workbook(tmp_path / "book.xlsx", {"S": pd.DataFrame({"district": ["Есиль"]})})
    renamed = tmp_path / "book.csv"
    renamed.write_bytes(path.read_bytes())
    raw = read_raw_file(renamed)
    assert raw.frame.to_dict("list") == {"district": ["Есиль"]}
    assert "the file is an Excel workbook (.xlsx) whatever its name says: read as one" in raw.notes
    garbage = tmp_path / "g.csv"
    garbage.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    with pytest.raises(BadInput, match="^g.csv: binary content, not a text table"):
        read_raw_file(garbage)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    with pytest.raises(BadInput, match=r"^old.xls: an old Excel .xls workbook; save it as .xlsx"):
        read_raw_file(old)


# ------------------------------------------------------------------------------------------------- UTF-16


def _text(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


SURVEY_TEXT = "Город;Район;Q1\nАстана;Есиль;4\nАлматы;Медеу;затрудняюсь ответить\nШымкент;Тұран;2\n"


@pytest.mark.parametrize("codec, bom, note", [
    ("utf-16-le", b"\xff\xfe", "encoding utf-16-le (with a byte-order mark)"),
    ("utf-16-be", b"\xfe\xff", "encoding utf-16-be (with a byte-order mark)"),
    ("utf-16-le", b"", "encoding utf-16-le (no byte-order mark; the high bytes are those of Latin and Cyrillic text)"),
    ("utf-16-be", b"", "encoding utf-16-be (no byte-order mark; the high bytes are those of Latin and Cyrillic text)"),
])
def test_utf16_with_and_without_a_bom_reads_like_utf8(tmp_path, codec, bom, note):
    path = tmp_path / "s.csv"
    path.write_bytes(bom + SURVEY_TEXT.encode(codec))
    raw = read_raw_file(path)
    expected = read_raw_file(_text(tmp_path, "u.csv", SURVEY_TEXT)).frame
    pd.testing.assert_frame_equal(raw.frame, expected)
    assert note in raw.notes


def test_utf16_is_recognised_by_its_nuls_only_when_they_fit():
    assert utf16_encoding("Есиль;4\n".encode("utf-16-le")) == ("utf-16-le", False)
    assert utf16_encoding(b"\xff\xfe" + "ab".encode("utf-16-le")) == ("utf-16-le", True)
    assert utf16_encoding(b"district\n") is None  # no NUL at all
    assert utf16_encoding(b"a\x00b\x00\x00\x00cd" * 4) is None  # NULs on both sides: binary
    assert utf16_encoding(b"\xff\xfe\x00\xd8") is None  # a lone surrogate does not decode
    assert decode_text(b"\xfe\xff" + "Қала".encode("utf-16-be"))[:2] == ("Қала", "utf-16-be")


def test_nul_bytes_that_are_not_utf16_are_still_binary(tmp_path):
    path = tmp_path / "b.csv"
    path.write_bytes(b"a,b\n\x00\x01\x02\x03\x00\x00\x00\x05" * 50)
    with pytest.raises(BadInput, match="binary content"):
        read_raw_file(path)


# ------------------------------------------------------------------------------------------------- headers


def test_scales_in_headers():
    assert header_scale("Отношение к приезжим (1-5)") == (1.0, 5.0)
    assert header_scale("Доверие (1–5)") == (1.0, 5.0) and header_scale("Trust [1-7]") == (1.0, 7.0)
    assert header_scale("Шкала ( 0 - 10 )") == (0.0, 10.0)
    assert header_scale("q1") is None and header_scale("Возраст (лет)") is None
    assert header_scale("Обратная (5-1)") is None and header_scale("(1-5) в начале") is None


def test_a_header_scale_is_used_when_none_is_given(tmp_path):
    item = "Отношение к приезжим (1–5)"
    path = _text(tmp_path, "s.csv", f"Район;{item};Доверие [1-7]\nЕсиль;5;7\nЕсиль;6;1\nЕсиль;затрудняюсь;4\n")
    table = read_user_file(path, scores={item: None})
    assert table.scales == {item: (1.0, 5.0, False)}
    assert table.set_aside["reason"].tolist() == [f"score 6 outside the scale 1-5 in column {item!r}"]
    assert f"scale of {item!r} from its header: 1-5" in table.notes
    auto = read_user_file(path, auto_scores=True)  # the browser upload finds both by their headers
    assert auto.scales == {item: (1.0, 5.0, False), "Доверие [1-7]": (1.0, 7.0, False)}
    assert read_user_file(path, scores={item: (1.0, 6.0)}).set_aside.empty  # a given scale wins


@pytest.mark.parametrize("header, role", [
    ("Район проживания", "district"), ("Район", "district"), ("Аудан", "district"), ("Тұратын ауданы", "district"),
    ("Город", "city"), ("Қала", "city"), ("Город проживания", "city"), ("Вес", "weight"), ("Салмақ", "weight"),
    ("weight", "weight"), ("Вес респондента", "weight"), ("Группа", "group"), ("Топ", "group"), ("group", "group"),
    ("district_id", None), ("Код района", None), ("Район (1-5)", None), ("Группа и район", None),
    ("Город рождения", None), ("Туған қаласы", None), ("Откуда приехали (город)", None),
    ("Сколько лет вы живёте в этом районе", None), ("Возраст", None),
])
def test_roles_from_russian_and_kazakh_headers(header, role):
    assert role_of_header(header) == role


def test_district_and_city_columns_are_found_by_their_words():
    frame = pd.DataFrame({"№": ["1"], "Город проживания": ["Астана"], "Район проживания": ["Есиль"]})
    columns, notes = find_columns(frame, "s.csv")
    assert (columns.district, columns.city, columns.kind) == ("Район проживания", "Город проживания", "names")
    assert "no coordinate columns: joined by district names in column 'Район проживания'" in notes
    kazakh = find_columns(pd.DataFrame({"Қала": ["Астана"], "Тұратын ауданы": ["Есіл"]}), "s.csv")[0]
    assert (kazakh.district, kazakh.city) == ("Тұратын ауданы", "Қала")
    with pytest.raises(BadInput, match="no district column"):
        find_columns(pd.DataFrame({"district_id": ["711210000"]}), "s.csv")


# ------------------------------------------------------------------------------------------------- limits


def test_a_header_of_a_million_columns_is_refused_at_once(tmp_path):
    path = tmp_path / "bomb.csv"
    path.write_text(",".join(f"col_{i:07d}" for i in range(1_000_000)) + "\n1\n")
    assert path.stat().st_size > 10_000_000  # the header alone
    start = time.perf_counter()
    with pytest.raises(BadInput) as caught:
        read_raw_file(path)
    assert time.perf_counter() - start < 1.0
    assert str(caught.value) == ("bomb.csv: 1,000,000 columns, more than the 2,000 a table may have; keep the "
                                 "columns to join (place, weight, group, items) and save the file again")


def test_the_column_limit_counts_fields_not_delimiters(tmp_path):
    quoted = ",".join(f'"a,{i}"' for i in range(MAX_COLUMNS))  # 2,000 fields, 3,999 commas
    raw = read_raw_file(_text(tmp_path, "q.csv", quoted + "\n" + ",".join(["1"] * MAX_COLUMNS) + "\n"))
    assert raw.frame.shape == (1, MAX_COLUMNS)
    wide = ";".join(f"c{i}" for i in range(MAX_COLUMNS + 1))
    with pytest.raises(BadInput, match="w.csv: 2,001 columns, more than the 2,000"):
        read_raw_file(_text(tmp_path, "w.csv", wide + "\n" + ";".join(["1"] * (MAX_COLUMNS + 1)) + "\n"))
    geojson = '{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null, "properties": {%s}}]}'
    props = ", ".join(f'"p{i}": 1' for i in range(MAX_COLUMNS + 1))
    with pytest.raises(BadInput, match="g.geojson: 2,001 columns"):
        read_raw_file(_text(tmp_path, "g.geojson", geojson % props))


def test_at_most_max_items_score_items(tmp_path):
    items = [f"q{i}" for i in range(MAX_ITEMS + 1)]
    path = _text(tmp_path, "s.csv", "district," + ",".join(items) + "\nЕсиль," + ",".join(["1"] * len(items)) + "\n")
    with pytest.raises(BadInput, match=r"^s.csv: 501 score items; at most 500 are joined at once"):
        read_user_file(path, scores=dict.fromkeys(items))
    with pytest.raises(BadInput, match="501 score items"):
        read_user_file(path, auto_scores=True)
    assert len(read_user_file(path, scores=dict.fromkeys(items[:MAX_ITEMS])).scales) == MAX_ITEMS


def test_the_note_on_items_found_by_name_says_which_scales_are_inferred(tmp_path):
    path = _text(tmp_path, "s.csv", "district;q1;Доверие [1-7]\nЕсиль;3;4\n")
    notes = read_user_file(path, auto_scores=True).notes
    assert "score items found by their names: q1 (scales inferred)" in notes  # the wording the upload translates
    assert "score items found by their names: Доверие [1-7]" in notes
    assert "scale of 'Доверие [1-7]' from its header: 1-7" in notes
