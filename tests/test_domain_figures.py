"""The figure table (geo.domain.figures) from hand-written reference tables: ids and row numbers, city-level and
district-level rows, the boundary vintage chosen for each date, unmatched rows kept with their reason, values
and their checks, confidence flags, and the findings table.

Vintages of the hand-made set (valid_from inclusive, valid_to exclusive)::

    Astana   ast-1 2000-01-01..2010-01-01   D1 Esil, D3 Saryarka, D4 Baikonur, D5 Turan
             ast-2 2010-01-01..2020-01-01   D1, D3
             ast-3 2020-01-01..             D1, D2 Nura, D3, D5
    Almaty   alm-1 2015-06-01..             L1 Almaly
    Shymkent shy-1 ..2000-01-01             S5 Abai
             shy-2 2000-01-01..2010-01-01   (no Abai)
             shy-3 2010-01-01..             S5

(D6 Koktem of Astana is in districts.csv but in no built vintage.)
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from geo.domain.figures import (
    COLUMNS,
    FIGURE_TABLES,
    FINDING_COLUMNS,
    FigureReport,
    _choose_vintage,
    _district,
    _numeric,
    _vintage_start,
    confidence_flags,
    load_figures,
    load_findings,
)
from geo.domain.periods import Period, parse_period
from geo.errors import BadInput

HEADER = "city,district,year,indicator,value,unit,source_url_or_ref,note"
DISTRICTS = """district_id,city,name_en,name_ru,name_kk,kato,osm_relation,aliases
D1,Astana,Esil,Есиль,Есіл,,,Yesil|Center
D2,Astana,Nura,Нура,Нұра,,,Center
D3,Astana,Saryarka,Сарыарка,Сарыарқа,,,
D4,Astana,Baikonur,Байконур,Байқоңыр,,,
D5,Astana,Turan,Туран,Тұран,,,
L1,Almaty,Almaly,Алмалы,Алмалы,,,
S5,Shymkent,Abai,Абай,Абай,,,
D6,Astana,Koktem,Коктем,Көктем,,,
"""
VINTAGES = """vintage,city,valid_from,valid_to,n_districts,geometry,source_note
ast-1,Astana,2000-01-01,2010-01-01,4,none,
ast-2,Astana,2010-01-01,2020-01-01,2,none,
ast-3,Astana,2020-01-01,,4,none,
alm-1,Almaty,2015-06-01,,1,none,
shy-1,Shymkent,,2000-01-01,1,none,
shy-2,Shymkent,2000-01-01,2010-01-01,0,none,
shy-3,Shymkent,2010-01-01,,1,none,
"""
MEMBERS = {("ast-1", "D1"), ("ast-1", "D3"), ("ast-1", "D4"), ("ast-1", "D5"),
           ("ast-2", "D1"), ("ast-2", "D3"),
           ("ast-3", "D1"), ("ast-3", "D2"), ("ast-3", "D3"), ("ast-3", "D5"),
           ("alm-1", "L1"), ("alm-1", "D2"),  # a pair of another city: never a candidate for Astana's Nura
           ("shy-1", "S5"), ("shy-3", "S5")}
SRC = "https://stat.example.kz/t"
POPULATION = f"""{HEADER}
Astana,Esil,2024-01-01,population,1 500,persons,{SRC},
Astana,Nura,2015,population,100,persons,{SRC},[approx] before Nura existed
Astana,Turan,2004..2016,population,200,persons,{SRC},
Astana,Baikonur,n.d.,population,300,persons,{SRC},
Astana,Saryarka,n.d.,population,400,persons,{SRC},
Астана,(city total),2023,population,900000,persons,{SRC},
Astana,,2023,population,910000,persons,{SRC},
(Kazakhstan),Esil,2023,population,20000000,persons,{SRC},
Astana,Koktal,2023,population,50,persons,{SRC},
Astana,Center,2023,population,60,persons,{SRC},[x2]
Astana,Esil (incl. part of Nura),2024-01-01,population,1600,persons,{SRC},
Shymkent,Abai,2000,population,70,persons,{SRC},
Astana,nan,2023,population,920000,persons,{SRC},
Karaganda,Esil,2023,population,80,persons,{SRC},
Astana,Esil,2015,share_of_migrants,about a third,%,{SRC},
(all three),(city),2023,population,3000000,persons,github.com/Messer490/x,
"""
MIGRATION = f"""{HEADER}
Astana,Nura,2023,arrivals:Akmola region,50,persons,{SRC},
Astana,(city),2023,net_migration,-20,persons,{SRC},DERIVED from two tables
"""
DISTRICT_AREA = f"""{HEADER}
Astana,Almaly,2023,area,100,ha,{SRC},
Astana,Koktem,2023,area,200,ha,{SRC},
"""
HOUSING = f"""{HEADER}
Astana,(city),2023,avg_asking_price_m2,500000,tenge,{SRC},
"""
FINDINGS = f"""{HEADER}
Astana,Esil,n.d.,qualitative,newcomers rent here,text,{SRC},
Almaty,Center,2019,qualitative,somewhere central,text,{SRC},LOWER BOUND
Нур-Султан,(city),2020,qualitative,the whole city,text,{SRC},
(Kazakhstan),Esil,2021,qualitative,nationwide,text,{SRC},
Astana,Center,2022,qualitative,ambiguous place,text,{SRC},[secondary]
Astana,Esil,2020,qualitative,a compilation says so,text,github.com/Messer490/x,
Astana,Almaly,2020,qualitative,Almaty's district named for Astana,text,{SRC},
"""


def _reference(tmp_path, monkeypatch, **tables: str):
    ref = tmp_path / "reference"
    ref.mkdir(exist_ok=True)
    (ref / "districts.csv").write_text(DISTRICTS, encoding="utf-8")
    (ref / "vintages.csv").write_text(VINTAGES, encoding="utf-8")
    for table in FIGURE_TABLES:
        (ref / f"{table}.csv").write_text(tables.get(table, HEADER + "\n"), encoding="utf-8")
    (ref / "migrant_settlement_findings.csv").write_text(tables.get("findings", HEADER + "\n"), encoding="utf-8")
    monkeypatch.setenv("QALA_REFERENCE", str(ref))


@pytest.fixture
def figures(tmp_path, monkeypatch):
    _reference(tmp_path, monkeypatch, population_by_district=POPULATION, migration_by_district=MIGRATION,
               district_area_bank=DISTRICT_AREA, housing_context=HOUSING)
    table, report = load_figures(MEMBERS)
    return table.set_index("figure_id", drop=False), report


def _none(value):
    """Missing cells as None (pandas may hold them as NaN)."""
    return None if not isinstance(value, str) and pd.isna(value) else value


def _row(table, fid) -> dict:
    return {k: _none(v) for k, v in table.loc[fid].to_dict().items()}


# ------------------------------------------------------------------------------------------------ the table


def test_one_row_per_figure_with_ids_and_row_numbers(figures):
    table, report = figures
    assert list(table.columns) == COLUMNS
    ids = ([f"population_by_district:{r}" for r in range(2, 18)] + ["migration_by_district:2", "migration_by_district:3"]
           + ["district_area_bank:2", "district_area_bank:3", "housing_context:2"])
    assert table.figure_id.tolist() == ids  # tables in their fixed order, rows as in the file (first data row: 2)
    assert table.row.tolist() == [*range(2, 18), 2, 3, 2, 3, 2]
    assert table["table"].tolist() == (["population_by_district"] * 16 + ["migration_by_district"] * 2
                                       + ["district_area_bank"] * 2 + ["housing_context"])
    assert report.rows_in == 21


def test_a_district_figure_row_in_full(figures):
    table, _ = figures
    row = _row(table, "population_by_district:2")
    assert row == {
        "figure_id": "population_by_district:2", "table": "population_by_district", "row": 2, "city": "Astana",
        "district_id": "D1", "district_as_published": "Esil", "vintage": "ast-3", "indicator": "population",
        "origin": None, "value": 1500.0, "value_text": None, "unit": "persons", "period_label": "2024-01-01",
        "period_start": date(2024, 1, 1), "period_end": date(2024, 1, 1), "source": SRC, "note": "",
        "confidence": "", "derived": False, "method": None,
    }


def test_origin_after_the_colon_and_derived_flag(figures):
    table, _ = figures
    arrivals = table.loc["migration_by_district:2"]
    assert (arrivals.indicator, _none(arrivals.origin), arrivals.value) == ("arrivals", "Akmola region", 50.0)
    assert (arrivals.district_id, arrivals.vintage) == ("D2", "ast-3")
    net = table.loc["migration_by_district:3"]
    assert (net.indicator, _none(net.origin), net.value) == ("net_migration", None, -20.0)  # a signed count may be negative
    assert net.confidence == "derived_inference"
    assert _none(net.district_id) is None and net.district_as_published == "(city)"


def test_city_level_rows(figures):
    table, _ = figures
    for fid, city, published in [("population_by_district:7", "Astana", "(city total)"),
                                 ("population_by_district:8", "Astana", None),
                                 ("population_by_district:9", "(Kazakhstan)", "Esil"),
                                 ("population_by_district:14", "Astana", "nan"),
                                 ("population_by_district:15", "Karaganda", "Esil"),
                                 ("population_by_district:17", "(all three)", "(city)")]:
        row = table.loc[fid]
        assert (row.city, _none(row.district_as_published)) == (city, published), fid
        assert _none(row.district_id) is None and _none(row.vintage) is None, fid
    assert table.loc["population_by_district:7", "value"] == 900000.0
    assert table.loc["population_by_district:17", "confidence"] == "secondary"
    asking = table.loc["housing_context:2"]
    assert (asking.city, asking.indicator, asking.value, asking.confidence) == ("Astana", "avg_asking_price_m2",
                                                                              500000.0, "asking_price")


def test_vintage_chosen_for_each_date(figures):
    table, _ = figures
    chosen = {fid: (table.loc[fid, "district_id"], table.loc[fid, "vintage"], table.loc[fid, "confidence"])
              for fid in table.figure_id}
    p = "population_by_district:"
    assert chosen[p + "2"] == ("D1", "ast-3", "")
    # Nura did not exist in 2015 (ast-2): its nearest vintage of Astana is ast-3 (alm-1, nearer, is Almaty's)
    assert chosen[p + "3"] == ("D2", "ast-3", "approx;vintage_adjusted")
    # 2004..2016 lies mostly in ast-2, which has no Turan; from the period's end (2016-12-31) ast-3 is nearer
    assert chosen[p + "4"] == ("D5", "ast-3", "vintage_adjusted")
    assert chosen[p + "6"] == ("D3", "ast-3", "undated")  # undated: today's boundaries
    assert chosen[p + "12"] == ("D1", "ast-3", "")  # the label's part before the bracket
    # 2000 is shy-2's, without Abai; from 2000-12-31 shy-3 (2010-01-01) is 15 days nearer than shy-1 (1991-12-16)
    assert chosen[p + "13"] == ("S5", "shy-3", "vintage_adjusted")
    assert chosen[p + "16"] == ("D1", "ast-2", "")


def test_unmatched_rows_are_kept_with_their_reason(figures):
    table, report = figures
    assert report.unmatched == [
        {"figure_id": "population_by_district:5", "city": "Astana", "district": "Baikonur",
         "reason": "no boundary vintage of Astana holds this district at n.d."},
        {"figure_id": "population_by_district:10", "city": "Astana", "district": "Koktal",
         "reason": "no such district"},
        {"figure_id": "population_by_district:11", "city": "Astana", "district": "Center", "reason": "ambiguous"},
        # a district of Almaty is no district of Astana
        {"figure_id": "district_area_bank:2", "city": "Astana", "district": "Almaly", "reason": "no such district"},
        # a known district that no built vintage holds
        {"figure_id": "district_area_bank:3", "city": "Astana", "district": "Koktem",
         "reason": "no boundary vintage of Astana holds this district at 2023"},
    ]
    baikonur = table.loc["population_by_district:5"]
    assert (_none(baikonur.district_id), _none(baikonur.vintage), baikonur.confidence) == (None, None, "undated")
    assert baikonur.district_as_published == "Baikonur" and baikonur.value == 300.0
    koktal = table.loc["population_by_district:10"]
    assert (_none(koktal.district_id), koktal.confidence, koktal.district_as_published) == (None, "district_unmatched", "Koktal")
    center = table.loc["population_by_district:11"]
    assert (_none(center.district_id), center.confidence) == (None, "x2;district_unmatched")


def test_report_counts(figures):
    _, report = figures
    assert isinstance(report, FigureReport)
    # district rows: 2, 3, 4, 6, 12, 13, 16 and migration 2
    assert report.matched_district == 8
    # city rows: 7, 8, 9, 14, 15, 17, migration 3, housing 2, and the five unmatched kept at city level
    # (5, 10, 11, district_area_bank 2 and 3)
    assert report.matched_city == 13
    assert report.matched == 21


def test_text_values_are_kept_as_text(figures):
    table, _ = figures
    share = table.loc["population_by_district:16"]
    assert _none(share.value) is None
    assert share.value_text == "about a third" and share.unit == "%"
    assert _none(table.loc["population_by_district:4", "value_text"]) is None


def test_period_columns(figures):
    table, _ = figures
    turan = table.loc["population_by_district:4"]
    assert (turan.period_label, turan.period_start, turan.period_end) == ("2004..2016", date(2004, 1, 1),
                                                                         date(2016, 12, 31))
    nd = table.loc["population_by_district:5"]
    assert nd.period_label == "n.d." and _none(nd.period_start) is None and _none(nd.period_end) is None


def test_a_bad_count_names_the_file_row(tmp_path, monkeypatch):
    bad = f"{HEADER}\nAstana,Esil,2023,population,10,persons,{SRC},\nAstana,Nura,2023,population,-5,persons,{SRC},\n"
    _reference(tmp_path, monkeypatch, migration_by_district=bad)
    with pytest.raises(BadInput) as err:
        load_figures(MEMBERS)
    assert str(err.value) == ("migration_by_district.csv row 3: count population = -5 is negative; "
                              "fix: counts cannot be below zero")


def test_empty_tables_give_an_empty_table_with_every_column(tmp_path, monkeypatch):
    _reference(tmp_path, monkeypatch)
    table, report = load_figures(MEMBERS)
    assert list(table.columns) == COLUMNS and len(table) == 0
    assert (report.rows_in, report.matched, report.unmatched) == (0, 0, [])


# ------------------------------------------------------------------------------------------------ _choose_vintage


def test_choose_vintage_directly(tmp_path, monkeypatch):
    _reference(tmp_path, monkeypatch)
    undated = Period("n.d.", None, None, ("undated",))
    assert _choose_vintage("Astana", "D1", undated, MEMBERS) == ("ast-3", "")
    assert _choose_vintage("Astana", "D4", undated, MEMBERS) == (None, "")
    assert _choose_vintage("Astana", "D1", parse_period("2012"), MEMBERS) == ("ast-2", "")
    # 2008-01-01..2010-03-31: 731 days in ast-1, 89 in ast-2 (where it ends)
    assert _choose_vintage("Astana", "D1", parse_period("2008..2010-03"), MEMBERS) == ("ast-1", "")
    assert _choose_vintage("Astana", "D6", parse_period("2012"), MEMBERS) == (None, "")
    assert _choose_vintage("Astana", "D4", parse_period("2012"), MEMBERS) == ("ast-1", "vintage_adjusted")
    assert _choose_vintage("Astana", "D9", parse_period("2012"), MEMBERS) == (None, "")
    # open periods: the one known date decides
    assert _choose_vintage("Astana", "D5", parse_period("after 2019"), MEMBERS) == ("ast-3", "vintage_adjusted")
    assert _choose_vintage("Astana", "D5", parse_period("before 2011-01"), MEMBERS) == ("ast-3", "vintage_adjusted")


def test_vintage_start_defaults_to_independence_day(tmp_path, monkeypatch):
    _reference(tmp_path, monkeypatch)
    assert _vintage_start("shy-1") == date(1991, 12, 16)
    assert _vintage_start("ast-2") == date(2010, 1, 1)


# ------------------------------------------------------------------------------------------------ _district


def test_district_label_falls_back_to_its_part_before_brackets_or_colon(tmp_path, monkeypatch):
    _reference(tmp_path, monkeypatch)
    assert _district("Esil", "Astana") == {"D1"}
    assert _district("Nura (new district)", "Astana") == {"D2"}
    assert _district("Saryarka: north bank", "Astana") == {"D3"}
    assert _district("Center", "Astana") == {"D1", "D2"}
    assert _district("(part of) Esil", "Astana") == set()  # nothing before the bracket: no guess
    assert _district("Koktal (Esil)", "Astana") == set()
    assert _district("Almaly (centre)", "Almaty") == {"L1"}
    assert _district("Almaly (centre)", "Astana") == set()
    assert _district("Almaly", "Astana") == set()  # looked up in the figure's city only


# ------------------------------------------------------------------------------------------------ _numeric


@pytest.mark.parametrize("text,unit,indicator,number", [
    ("1 234", "persons", "population", 1234.0), ("1\u00a0234", "persons", "population", 1234.0),
    (" 12.5 ", "%", "share", 12.5), ("-3", "%", "share", -3.0), ("-7", "persons", "population_growth", -7.0),
    ("-7", "persons", "balance", -7.0), ("-7", "persons", "Saldo", -7.0), ("-7", "persons", "change", -7.0),
    ("0", "persons", "population", 0.0), ("-2", "tenge", "price", -2.0),
])
def test_numbers_read(text, unit, indicator, number):
    assert _numeric(text, unit, indicator, "t.csv row 2") == number


@pytest.mark.parametrize("text,unit", [("about 5", "persons"), ("12,5", "%"), ("", "text"), ("n/a", "persons")])
def test_text_is_no_number(text, unit):
    assert _numeric(text, unit, "population", "t.csv row 2") is None


@pytest.mark.parametrize("unit", ["persons", "houses", "positions", "respondents"])
def test_count_with_a_comma_is_refused(unit):
    with pytest.raises(BadInput) as err:
        _numeric("1,5", unit, "arrivals", "t.csv row 4")
    assert str(err.value) == "t.csv row 4: count '1,5' is not a number; fix: write it with digits and a '.' decimal"


@pytest.mark.parametrize("unit", ["persons", "houses", "positions", "respondents"])
def test_negative_counts_are_refused(unit):
    with pytest.raises(BadInput) as err:
        _numeric("-1.5", unit, "arrivals", "t.csv row 5")
    assert str(err.value) == "t.csv row 5: count arrivals = -1.5 is negative; fix: counts cannot be below zero"


@pytest.mark.parametrize("text", ["inf", "-inf", "nan"])
def test_values_that_are_not_finite_are_refused(text):
    with pytest.raises(BadInput) as err:
        _numeric(text, "%", "share", "t.csv row 6")
    assert str(err.value) == f"t.csv row 6: value '{text}' is not finite; fix: leave the cell empty for missing data"


# ------------------------------------------------------------------------------------------------ flags


@pytest.mark.parametrize("note,source,flags", [
    ("[x2]", "", "x2"), ("", "[secondary] blog", "secondary"), ("see github.com/Messer490/repo", "", "secondary"),
    ("[approx]", "", "approx"), ("[uncertain year]", "", "uncertain"), ("LOWER BOUND", "", "lower_bound"),
    ("a lower-bound", "", "lower_bound"), ("a lower bound", "", "lower_bound"), ("DERIVED", "", "derived_inference"),
    ("derived", "", ""), ("approx", "", ""), ("x2", "", ""), ("", "", ""),
    ("DERIVED; [x2] [x2]", "", "x2;derived_inference"),  # in the fixed order, once each
])
def test_each_flag_from_note_or_source(note, source, flags):
    assert confidence_flags(note, source, ()) == flags


def test_period_flags_follow_once():
    assert confidence_flags("[approx]", "", ("circa", "undated", "circa")) == "approx;circa;undated"
    assert confidence_flags("", "", ("point",), "Asking rent") == "point"  # 'asking' in lower case only


# ------------------------------------------------------------------------------------------------ findings


def test_findings_with_the_district_they_name(tmp_path, monkeypatch):
    _reference(tmp_path, monkeypatch, findings=FINDINGS)
    out = load_findings()
    assert list(out.columns) == FINDING_COLUMNS
    assert out.finding_id.tolist() == [f"findings:{i}" for i in range(2, 9)]
    assert {k: _none(v) for k, v in out.iloc[0].to_dict().items()} == {
        "finding_id": "findings:2", "city": "Astana", "area_as_published": "Esil", "district_id": "D1",
        "indicator": "qualitative", "value": "newcomers rent here", "unit": "text", "period_label": "n.d.",
        "source": SRC, "note": "", "confidence": "undated",
    }
    assert _none(out.district_id.iloc[1]) is None  # 'Center' is no district of Almaty
    assert out.confidence.iloc[1] == "lower_bound"
    assert (out.city.iloc[2], _none(out.district_id.iloc[2]), out.area_as_published.iloc[2]) == ("Astana", None, "(city)")
    assert (out.city.iloc[3], _none(out.district_id.iloc[3])) == ("(Kazakhstan)", None)
    assert _none(out.district_id.iloc[4]) is None  # ambiguous in Astana: not guessed
    assert out.confidence.iloc[4] == "secondary"
    assert (_none(out.district_id.iloc[5]), out.confidence.iloc[5]) == ("D1", "secondary")  # flag from the source
    assert _none(out.district_id.iloc[6]) is None  # Almaly is Almaty's, not Astana's
    assert out.period_label.tolist() == ["n.d.", "2019", "2020", "2021", "2022", "2020", "2020"]


def test_findings_of_an_empty_table(tmp_path, monkeypatch):
    _reference(tmp_path, monkeypatch)
    out = load_findings()
    assert list(out.columns) == FINDING_COLUMNS and len(out) == 0
