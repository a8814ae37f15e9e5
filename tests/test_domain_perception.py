"""Perception scores (geo.domain.perception) from a hand-coded focus-group table: codes checked with the row
named, and mean stance with n per city and migrant category, participants' statements only."""

from __future__ import annotations

import math

import pytest

from geo.domain.perception import ANY_CATEGORY, CATEGORIES, load_city_images, load_statements, stance_scores
from geo.errors import BadInput

HEADER = ("id,city,source_kind,participant_sex,participant_age,age_group,theme,migrant_category,subcategory,"
          "origin_mentioned,stance,paraphrase,source_ref")
SOURCE = "Serikzhanova 2024, focus groups in the three cities (coded by Qala Atlas)"
ROWS = [
    "AST-1,Astana,participant_statement,f,37,36-52,attitude,rural,,,1,Welcome.,c",
    "AST-2,Astana,participant_statement,m,25,18-35,attitude,rural,,,-1,Too many.,c",
    "AST-3,Astana,participant_statement,m,40,36-52,attitude,rural,,,1,Hard workers.,c",
    "AST-4,Astana,participant_statement,f,61,53+,attitude,youth,,,0,They study.,c",
    "AST-5,Astana,author_finding,,,,attitude,rural,,,-1,Author says.,c",  # a conclusion, not a statement
    "ALL-1,all,participant_statement,f,30,18-35,attitude,rural,,,-1,Everywhere.,c",  # no city
    "ALM-1,Almaty,participant_statement,m,47,36-52,attitude,all,,,0,Cities grow.,c",
    "ALM-2,Almaty,participant_statement,m,50,36-52,attitude,laborers,,,-1,Cheap labour.,c",
    "ALM-3,Almaty,moderator_prompt,,,,attitude,laborers,,,1,What do you think?,c",
]


def _write(tmp_path, monkeypatch, rows=ROWS):
    path = tmp_path / "focus_group_coding.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    monkeypatch.setenv("QALA_REFERENCE", str(tmp_path))
    return path


def test_statements_are_read_with_integer_stances(tmp_path, monkeypatch):
    _write(tmp_path, monkeypatch)
    df = load_statements()
    assert df.stance.tolist() == [1, -1, 1, 0, -1, -1, 0, -1, 1]
    assert df.stance.dtype.kind == "i"
    assert df.id.tolist()[:2] == ["AST-1", "AST-2"]
    assert df.subcategory.tolist()[0] == ""  # empty cells stay empty text


@pytest.mark.parametrize("bad", ["2", "+1", "1.0", "", "NA", "-2"])
def test_a_bad_stance_names_its_row(tmp_path, monkeypatch, bad):
    rows = list(ROWS)
    rows[2] = rows[2].replace(",1,Hard workers.", f",{bad},Hard workers.")
    rows[5] = rows[5].replace(",-1,Everywhere.", ",5,Everywhere.")  # a later bad row is not the one named
    path = _write(tmp_path, monkeypatch, rows)
    with pytest.raises(BadInput) as err:
        load_statements()
    assert str(err.value) == f"{path} row 4: stance '{bad}' is not -1, 0 or 1; fix: code it per the codebook"


def test_a_bad_stance_in_the_first_row(tmp_path, monkeypatch):
    rows = [ROWS[0].replace(",1,Welcome.", ",x,Welcome."), *ROWS[1:]]
    path = _write(tmp_path, monkeypatch, rows)
    with pytest.raises(BadInput, match=r"row 2: stance 'x' is not"):
        load_statements()
    assert path.is_file()


@pytest.mark.parametrize("bad", ["Rural", "elderly", "", "any"])
def test_an_unknown_category_names_its_row(tmp_path, monkeypatch, bad):
    rows = list(ROWS)
    rows[6] = rows[6].replace(",attitude,all,", f",attitude,{bad},")
    path = _write(tmp_path, monkeypatch, rows)
    with pytest.raises(BadInput) as err:
        load_statements()
    assert str(err.value) == (f"{path} row 8: migrant_category '{bad}' is not one of all, rural, youth, "
                              f"southerners, from_north_or_cities, civil_servants, laborers; "
                              f"fix: use the codebook's categories")


def test_stance_is_checked_before_category(tmp_path, monkeypatch):
    rows = list(ROWS)
    rows[1] = rows[1].replace(",rural,", ",nobody,")
    rows[3] = rows[3].replace(",0,They study.", ",9,They study.")
    _write(tmp_path, monkeypatch, rows)
    with pytest.raises(BadInput, match=r"row 5: stance '9'"):
        load_statements()


def test_scores_per_city_and_category_with_n(tmp_path, monkeypatch):
    _write(tmp_path, monkeypatch)
    scores = stance_scores(load_statements())
    assert list(scores.columns) == ["city", "migrant_category", "n", "mean_stance", "statement_ids", "source"]
    cats = [*CATEGORIES, ANY_CATEGORY]
    assert len(scores) == 3 * len(cats) == 24
    assert scores.city.tolist() == ["Astana"] * 8 + ["Almaty"] * 8 + ["Shymkent"] * 8
    assert scores.migrant_category.tolist() == cats * 3
    cell = scores.set_index(["city", "migrant_category"])
    # Astana rural: participants 1, -1, 1 (the author finding and the all-cities statement left out)
    assert cell.loc[("Astana", "rural"), "n"] == 3
    assert cell.loc[("Astana", "rural"), "mean_stance"] == pytest.approx(1 / 3)
    assert cell.loc[("Astana", "rural"), "statement_ids"] == "AST-1;AST-2;AST-3"
    assert cell.loc[("Astana", "youth"), "n"] == 1 and cell.loc[("Astana", "youth"), "mean_stance"] == 0.0
    assert cell.loc[("Astana", "any"), "n"] == 4
    assert cell.loc[("Astana", "any"), "mean_stance"] == pytest.approx(0.25)
    assert cell.loc[("Astana", "any"), "statement_ids"] == "AST-1;AST-2;AST-3;AST-4"
    # Almaty: 'all' is a category of its own; the moderator's prompt is not counted
    assert cell.loc[("Almaty", "all"), "n"] == 1 and cell.loc[("Almaty", "all"), "mean_stance"] == 0.0
    assert cell.loc[("Almaty", "laborers"), "n"] == 1 and cell.loc[("Almaty", "laborers"), "mean_stance"] == -1.0
    assert cell.loc[("Almaty", "any"), "n"] == 2 and cell.loc[("Almaty", "any"), "mean_stance"] == -0.5
    assert cell.loc[("Almaty", "any"), "statement_ids"] == "ALM-1;ALM-2"
    # no statement: n 0, no mean, no ids
    for key in [("Shymkent", "any"), ("Shymkent", "rural"), ("Astana", "laborers")]:
        assert cell.loc[key, "n"] == 0 and math.isnan(cell.loc[key, "mean_stance"]) and cell.loc[key, "statement_ids"] == ""
    assert set(scores.source) == {SOURCE}


def test_city_images_are_read_as_text(tmp_path, monkeypatch):
    (tmp_path / "city_images.csv").write_text("city,image_tag,evidence_ids,source_ref\n"
                                             "Astana,city of the future,AST-1,2024\nAlmaty,NA,,2025\n", encoding="utf-8")
    monkeypatch.setenv("QALA_REFERENCE", str(tmp_path))
    images = load_city_images()
    assert images.to_dict("records") == [
        {"city": "Astana", "image_tag": "city of the future", "evidence_ids": "AST-1", "source_ref": "2024"},
        {"city": "Almaty", "image_tag": "NA", "evidence_ids": "", "source_ref": "2025"},
    ]
