"""Boundary vintages by date (geo.domain.vintages) on a hand-written vintages.csv: valid_from inclusive,
valid_to exclusive, open ends, the vintage holding most of a period, and each city's current vintage.

    Astana   ast-1 2000-01-01..2010-01-01, ast-2 2010-01-01..2020-01-01, ast-3 2020-01-01..
    Almaty   alm-1 ..2015-06-01,           alm-2 2015-06-01..
    (Shymkent has no vintage here.)
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from geo.domain.vintages import (
    district_table,
    latest_vintage,
    latest_vintages,
    lineage_table,
    vintage_at,
    vintage_overlapping_most,
    vintage_table,
)
from geo.errors import BadInput, UnknownName

VINTAGES = """vintage,city,valid_from,valid_to,n_districts,geometry,source_note
ast-1,Astana,2000-01-01,2010-01-01,4,none,
alm-1,Almaty,,2015-06-01,2,none,NA
ast-2,Astana,2010-01-01,2020-01-01,2,none,
ast-3,Astana,2020-01-01,,4,none,
alm-2,Almaty,2015-06-01,,3,none,
"""


@pytest.fixture
def reference(tmp_path, monkeypatch):
    (tmp_path / "vintages.csv").write_text(VINTAGES, encoding="utf-8")
    (tmp_path / "lineage.csv").write_text(
        "city,date,vintage,district_id,parent_vintage,parent_id,relation,source\n"
        "Astana,2020-01-01,ast-3,0711,ast-2,0712,split from,\n", encoding="utf-8")
    (tmp_path / "districts.csv").write_text(
        "district_id,city,name_en,name_ru,name_kk,kato,osm_relation,aliases\n"
        "0711,Astana,NA,,,0711000,,\n", encoding="utf-8")
    monkeypatch.setenv("QALA_REFERENCE", str(tmp_path))
    return tmp_path


def test_tables_are_read_as_text_with_empty_cells_empty(reference):
    vt = vintage_table()
    assert vt.vintage.tolist() == ["ast-1", "alm-1", "ast-2", "ast-3", "alm-2"]
    assert vt.loc[1, "valid_from"] == "" and vt.loc[1, "source_note"] == "NA"
    assert vt.loc[0, "n_districts"] == "4"
    lin = lineage_table()
    assert (lin.loc[0, "district_id"], lin.loc[0, "parent_id"], lin.loc[0, "source"]) == ("0711", "0712", "")
    dt = district_table()
    assert dt.loc[0].to_dict() == {"district_id": "0711", "city": "Astana", "name_en": "NA", "name_ru": "",
                                   "name_kk": "", "kato": "0711000", "osm_relation": "", "aliases": ""}


@pytest.mark.parametrize("day,vintage", [
    (date(2000, 1, 1), "ast-1"),  # first day: inclusive
    (date(2009, 12, 31), "ast-1"),
    (date(2010, 1, 1), "ast-2"),  # ast-1's valid_to is exclusive: this day is ast-2's
    (date(2019, 12, 31), "ast-2"),
    (date(2020, 1, 1), "ast-3"),
    (date(2999, 1, 1), "ast-3"),  # no valid_to: still valid
    (date(1999, 12, 31), None),  # before the first vintage
])
def test_vintage_at_astana(reference, day, vintage):
    assert vintage_at("Astana", day) == vintage


@pytest.mark.parametrize("day,vintage", [
    (date(1, 1, 1), "alm-1"),  # no valid_from: valid since ever
    (date(2015, 5, 31), "alm-1"), (date(2015, 6, 1), "alm-2"),
])
def test_vintage_at_almaty(reference, day, vintage):
    assert vintage_at("Almaty", day) == vintage


def test_vintage_at_a_city_without_vintages(reference):
    assert vintage_at("Shymkent", date(2020, 1, 1)) is None


def test_overlapping_most_without_dates_is_none(reference):
    assert vintage_overlapping_most("Astana", None, None) is None


@pytest.mark.parametrize("start,end,vintage", [
    (date(2010, 1, 1), date(2010, 1, 1), "ast-2"),  # a point: the vintage of that day
    (date(2009, 12, 31), date(2009, 12, 31), "ast-1"),
    (None, date(2010, 1, 1), "ast-2"),  # one known date only: the vintage of that day
    (date(2009, 12, 31), None, "ast-1"),
    (date(2009, 1, 1), date(2012, 12, 31), "ast-2"),  # 365 days in ast-1, 1095 in ast-2
    (date(2009, 1, 1), date(2010, 6, 1), "ast-1"),  # 365 days in ast-1, 151 in ast-2
    (date(2009, 1, 1), date(2011, 1, 1), "ast-1"),  # 365 days each: the first listed wins a tie
    (date(2005, 1, 1), date(2025, 1, 1), "ast-2"),  # 1826 / 3652 / 1827 days
    (date(1999, 6, 1), date(2000, 1, 2), "ast-1"),  # one day inside ast-1 is enough
    (date(1990, 1, 1), date(1999, 12, 31), None),  # before every vintage: none holds any of it
])
def test_vintage_holding_most_of_a_period(reference, start, end, vintage):
    assert vintage_overlapping_most("Astana", start, end) == vintage


def test_overlap_counts_open_ended_vintages(reference):
    # 2014-01-01..2015-12-31: alm-1 (open start) holds 516 days, alm-2 (open end) 213
    assert vintage_overlapping_most("Almaty", date(2014, 1, 1), date(2015, 12, 31)) == "alm-1"
    # 2015-05-01..2016-12-31: alm-1 31 days, alm-2 579
    assert vintage_overlapping_most("Almaty", date(2015, 5, 1), date(2016, 12, 31)) == "alm-2"
    assert vintage_overlapping_most("Shymkent", date(2015, 5, 1), date(2016, 12, 31)) is None


def test_latest_vintages_are_those_without_an_end(reference):
    assert latest_vintages() == {"Astana": "ast-3", "Almaty": "alm-2"}
    assert latest_vintage("Astana") == "ast-3"
    assert latest_vintage("Almaty") == "alm-2"


def test_latest_vintages_of_a_given_table():
    table = pd.DataFrame({"vintage": ["s-1", "s-2"], "city": ["Shymkent", "Shymkent"],
                          "valid_to": ["2018-01-01", ""]})
    assert latest_vintages(table) == {"Shymkent": "s-2"}


def test_two_current_vintages_of_a_city_are_refused(reference):
    (reference / "vintages.csv").write_text(VINTAGES.replace("alm-1,Almaty,,2015-06-01,", "alm-1,Almaty,,,"))
    with pytest.raises(BadInput) as err:
        latest_vintages()
    assert str(err.value) == "vintages.csv: Almaty has two vintages without valid_to; fix: end the older one"


def test_latest_vintage_of_an_unknown_city(reference):
    with pytest.raises(UnknownName) as err:
        latest_vintage("Shymkent")  # a known city, but no vintage of it in this table
    assert str(err.value) == "unknown city 'Shymkent'; use one of Astana, Almaty, Shymkent"
    with pytest.raises(UnknownName, match=r"^unknown city 'Paris'; use one of Astana, Almaty, Shymkent$"):
        latest_vintage("Paris")
