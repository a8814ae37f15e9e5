"""Several cities in one ``qala join``: rows go to their own city (a city column in kk/ru/en and former names,
or where the point lies), the Almaty city / Almaty district trap, rows of an unknown city or of another city's
district set aside with a reason naming both, ``--city`` restricting to one city, joined + set aside = rows read.

Hand-made districts (tests/survey_frames.py): two squares per city, real ids, so no build is needed."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest

from geo.cli import main
from geo.errors import BadInput
from geo.join.pipeline import join_user_data
from geo.settings import reference_dir
from tests.survey_frames import districts, inside, population

ALMATY_D, ESIL, MEDEU, BOSTANDYK, ABAY, TURAN = ("711110000", "711210000", "751710000", "751410000",
                                                "791110000", "791910000")


def _join(tmp_path, lines, name="s.csv", **kwargs):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    kwargs.setdefault("h3_res", [])
    kwargs.setdefault("permutations", 0)
    result = join_user_data(path, districts=districts(), population=population(), **kwargs)
    r = result.report
    assert r["joined_rows"] + r["set_aside_rows"] == r["input_rows"] == len(lines) - 1
    assert len(result.assigned) == r["joined_rows"] and len(result.set_aside) == r["set_aside_rows"]
    return result


def _where(result):
    """Input row number -> district id (joined) or reason (set aside)."""
    out = dict(zip(result.assigned["row"], result.assigned["district_id"], strict=True))
    out.update(zip(result.set_aside["row"], result.set_aside["reason"], strict=True))
    return out


def test_the_almaty_trap_city_column_decides(tmp_path):
    result = _join(tmp_path, ["Город;Район",
                              "Астана;Алматы",         # 1: Astana's Almaty district
                              "Алматы;Медеуский",      # 2: Almaty's Medeu
                              "Астана;Медеуский",      # 3: a district of Almaty under Astana
                              "Алматы;Алматы",         # 4: Almaty city has no district Almaty
                              "Шымкент;Абай"])          # 5
    where = _where(result)
    assert where[1] == ALMATY_D and where[2] == MEDEU and where[5] == ABAY
    assert where[3] == ("district 'Медеуский' is in Almaty, not in Astana (the row's city in column 'Город'); "
                        "check the city or the district")
    assert where[4].startswith("district 'Алматы' is in Astana, not in Almaty")
    d = result.districts.set_index("district_id")
    assert d["city"].to_dict() == {ALMATY_D: "Astana", ESIL: "Astana", MEDEU: "Almaty", BOSTANDYK: "Almaty",
                                   ABAY: "Shymkent", TURAN: "Shymkent"}
    assert d["count"].to_dict() == {ALMATY_D: 1, ESIL: 0, MEDEU: 1, BOSTANDYK: 0, ABAY: 1, TURAN: 0}
    assert d.loc[MEDEU, "share_of_city"] == 1.0  # shares are within each city
    assert (result.city, result.vintage) == ("Astana, Almaty, Shymkent", "astana-6, almaty-8, shymkent-5")
    assert result.report["cities"] == [{"city": "Astana", "vintage": "astana-6", "joined_rows": 1},
                                       {"city": "Almaty", "vintage": "almaty-8", "joined_rows": 1},
                                       {"city": "Shymkent", "vintage": "shymkent-5", "joined_rows": 1}]


@pytest.mark.parametrize("city, district, expected", [
    ("г. Астана", "Есиль", ESIL), ("г.Астана", "Есиль", ESIL), ("Нур-Султан", "Есиль", ESIL),
    ("Nur-Sultan", "Esil", ESIL), ("Акмола", "Есиль", ESIL), ("Целиноград", "Есиль", ESIL),
    ("Астана қаласы", "Есіл ауданы", ESIL), ("ASTANA", "Yesil", ESIL),
    ("г.Алматы", "Бостандыкский р-н", BOSTANDYK), ("Алма-Ата", "Медеу", MEDEU), ("Almaty city", "Medeu", MEDEU),
    ("Чимкент", "Туранский", TURAN), ("Shymkent", "Turan", TURAN), ("город Шымкент", "Абайский район", ABAY),
])
def test_city_names_in_three_languages_and_former_names(tmp_path, city, district, expected):
    result = _join(tmp_path, ["city,district", f"{city},{district}"])
    assert _where(result) == {1: expected}


def test_unknown_and_missing_cities_are_set_aside_with_their_reason(tmp_path):
    result = _join(tmp_path, ["қала;аудан", "Караганда;Центр", ";Есиль", "Астана;Есиль"])
    where = _where(result)
    assert where[1] == ("unknown city 'Караганда' in column 'қала' (name Astana, Almaty or Shymkent, in any "
                        "language)")
    assert where[2] == "missing city in column 'қала'" and where[3] == ESIL
    assert result.city == "Astana"  # one city: the result is that city's, as before


def test_points_go_to_the_city_that_holds_them(tmp_path):
    esil, medeu, turan = inside("Esil"), inside("Medeu"), inside("Turan")
    lines = ["lon,lat,group", f"{esil[0]},{esil[1]},a", f"{esil[0]},{esil[1]},b", f"{medeu[0]},{medeu[1]},a",
             f"{medeu[0]},{medeu[1]},a", f"{turan[0]},{turan[1]},b", "68.0,47.0,a"]
    result = _join(tmp_path, lines, group_col="group")
    where = _where(result)
    assert [where[i] for i in range(1, 6)] == [ESIL, ESIL, MEDEU, MEDEU, TURAN]
    assert where[6] == "outside every district of Astana, Almaty, Shymkent"
    # indices per city, each with its city: Astana a 1/1 in Esil -> D = 0 (one district with rows)
    assert set(result.indices["city"]) == {"Astana", "Almaty", "Shymkent"}
    assert set(result.groups["city"]) == {"Astana", "Almaty", "Shymkent"}
    assert result.districts.set_index("district_id").loc[MEDEU, "lq_a"] == pytest.approx(1.0)


def test_city_option_restricts_to_one_city(tmp_path):
    named = _join(tmp_path, ["Город;Район", "Астана;Есиль", "Алматы;Медеу"], city="Astana")
    assert _where(named) == {1: ESIL, 2: "city Almaty in column 'Город', not the chosen city Astana (--city)"}
    assert (named.city, named.vintage) == ("Astana", "astana-6")
    medeu = inside("Medeu")
    points = _join(tmp_path, ["lon,lat", f"{medeu[0]},{medeu[1]}"], name="p.csv", city="Astana")
    assert _where(points) == {1: "in Almaty, not in the chosen city Astana"}
    unnamed = _join(tmp_path, ["district", "Медеуский"], name="n.csv", city="Astana")
    assert _where(unnamed)[1] == ("district 'Медеуский' is in Almaty, not in Astana (the chosen city (--city)); "
                                  "check the city or the district")


def test_names_without_a_city_column_resolve_only_when_one_city_has_them(tmp_path, monkeypatch):
    real = (reference_dir() / "districts.csv").read_text(encoding="utf-8")
    # a made-up Almaty district also called Turan: the name is then shared by two cities
    (tmp_path / "districts.csv").write_text(real + "751999999,Almaty,Turan,Туран,Тұран,,,\n", encoding="utf-8")
    monkeypatch.setenv("QALA_REFERENCE", str(tmp_path))
    result = _join(tmp_path, ["district", "Медеуский", "Алматы", "Туран", "Нигде"])
    where = _where(result)
    assert where[1] == MEDEU and where[2] == ALMATY_D  # "Алматы" alone is a district name: Astana's
    assert where[3] == ("ambiguous district name 'Туран': a district of Almaty and Shymkent; add a city column "
                        "(--city-col) or give --city")
    assert where[4] == "unknown district name 'Нигде' in Astana, Almaty or Shymkent"
    with_city = _join(tmp_path, ["district,city", "Туран,Шымкент"], name="c.csv")
    assert _where(with_city) == {1: TURAN}


def test_an_explicit_city_column_and_the_cli_write_one_output(tmp_path, monkeypatch, capsys):
    path = tmp_path / "survey.csv"
    path.write_text("where;district\nАстана;Есиль\nАлматы;Медеу\nШымкент;Туран\n", encoding="utf-8")
    import geo.join.pipeline as pipeline

    real = pipeline.join_user_data
    monkeypatch.setattr("geo.join.cli.join_user_data", lambda *a, **k: real(
        *a, **{**k, "districts": districts(), "population": population()}))
    out = tmp_path / "out"
    assert main(["join", str(path), "--city-col", "where", "--h3-res", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Astana (astana-6): 1 joined" in printed and "Shymkent (shymkent-5): 1 joined" in printed
    table = pd.read_csv(out / "districts.csv", dtype={"district_id": str})
    assert table.loc[table["count"] > 0, ["city", "district_id"]].values.tolist() == [
        ["Astana", ESIL], ["Almaty", MEDEU], ["Shymkent", TURAN]]
    report = json.loads((out / "report.json").read_text())
    assert [c["city"] for c in report["cities"]] == ["Astana", "Almaty", "Shymkent"]
    assert report["columns"]["city"] == "where"


def test_a_given_older_vintage_is_the_one_joined_and_points_need_its_boundaries(tmp_path):
    # An older Astana vintage known by name only (no shapes): names join to it, coordinates cannot.
    frame = districts()
    older = frame[frame["city"] == "Astana"].assign(vintage="astana-5", geometry=None)
    two = gpd.GeoDataFrame(pd.concat([frame, older], ignore_index=True), geometry="geometry", crs=frame.crs)
    path = tmp_path / "n.csv"
    path.write_text("district\nЕсиль\nАлматы\n", encoding="utf-8")
    named = join_user_data(path, city="Astana", vintage="astana-5", districts=two, population=population(),
                           h3_res=[], permutations=0)
    assert (named.city, named.vintage) == ("Astana", "astana-5")
    assert dict(zip(named.assigned["row"], named.assigned["district_id"], strict=True)) == {1: ESIL, 2: ALMATY_D}
    esil = inside("Esil")
    points = tmp_path / "p.csv"
    points.write_text(f"lon,lat\n{esil[0]},{esil[1]}\n", encoding="utf-8")
    only_older = two[two["vintage"] != "astana-6"]  # astana-5 is then Astana's latest, still without shapes
    with pytest.raises(BadInput) as err:
        join_user_data(points, vintage="astana-5", districts=only_older, population=population(), h3_res=[],
                       permutations=0)
    assert str(err.value) == ("vintage 'astana-5' has no boundaries, so coordinates cannot be placed in it; use "
                              "--vintage astana-5 or join by district names (--district-col)")


@pytest.mark.parametrize("city", ["Astana", None])
def test_the_engine_and_scheduler_reach_every_city_s_point_assignment(tmp_path, monkeypatch, city):
    # A CSV with engine="dask" is read in memory and only its points go to dask: a stand-in records each call
    # (scheduler given) and places the points as the builtin engine does.
    from geo.engines.grid import assign_points

    calls = []

    def fake_dask(chosen, points, *, scheduler=None):
        calls.append((tuple(chosen["city"].unique()), len(points), scheduler))
        return pd.Series(assign_points(chosen, points["lon"].to_numpy(), points["lat"].to_numpy()))

    monkeypatch.setattr("geo.engines.outofcore.assign_points_dask", fake_dask)
    esil, almaty = inside("Esil"), inside("Almaty")
    result = _join(tmp_path, ["lon,lat", f"{esil[0]},{esil[1]}", f"{almaty[0]},{almaty[1]}"], city=city,
                   engine="dask", scheduler="tcp://scheduler.test:8786")
    assert _where(result) == {1: ESIL, 2: ALMATY_D}
    assert calls == [(("Astana",), 2, "tcp://scheduler.test:8786")]  # one city, both points, once


def test_a_chosen_city_with_no_row_left_is_still_that_city_s_result(tmp_path):
    # --city Astana, the only row is Almaty's: set aside by the city rule; the result is Astana's, 0 joined
    result = _join(tmp_path, ["Город;Район", "Алматы;Медеу"], city="Astana")
    assert (result.city, result.vintage) == ("Astana", "astana-6")
    assert result.report["cities"] == [{"city": "Astana", "vintage": "astana-6", "joined_rows": 0}]
    assert sorted(result.districts["district_id"]) == [ALMATY_D, ESIL]
    assert result.districts["count"].tolist() == [0, 0]


def test_no_usable_row_and_no_city_is_refused(tmp_path):
    path = tmp_path / "empty_city.csv"
    path.write_text("Город;Район\n;Медеу\n", encoding="utf-8")  # the one row has no city: set aside
    with pytest.raises(BadInput) as err:
        join_user_data(path, districts=districts(), population=population(), h3_res=[], permutations=0)
    assert str(err.value) == "empty_city.csv: no usable row to infer the city from; give --city"


def test_points_with_a_city_column_keep_their_rows_and_name_the_vintage_they_missed(tmp_path):
    esil, medeu = inside("Esil"), inside("Medeu")
    result = _join(tmp_path, ["city,lon,lat", f"Астана,{esil[0]},{esil[1]}", "Астана,68.0,47.0",
                              f"Алматы,{medeu[0]},{medeu[1]}"])
    assert list(result.assigned.columns) == ["row", "district_id", "lon", "lat", "city", "synthetic"]
    assert result.assigned[["row", "district_id", "city"]].values.tolist() == [[1, ESIL, "Astana"],
                                                                                [3, MEDEU, "Almaty"]]
    assert result.set_aside[["row", "reason"]].values.tolist() == [
        [2, "outside every district of Astana (astana-6)"]]


def test_points_of_a_city_whose_latest_vintage_has_no_shapes_are_refused(tmp_path):
    frame = districts()
    shapeless = frame.assign(geometry=[None if c == "Astana" else g for c, g in zip(frame["city"], frame.geometry,
                                                                                    strict=True)])
    medeu = inside("Medeu")
    path = tmp_path / "p.csv"
    path.write_text(f"city,lon,lat\nАстана,71.43,51.11\nАлматы,{medeu[0]},{medeu[1]}\n", encoding="utf-8")
    with pytest.raises(BadInput) as err:
        join_user_data(path, districts=shapeless, population=population(), h3_res=[], permutations=0)
    assert str(err.value) == ("vintage 'astana-6' has no boundaries, so coordinates cannot be placed in it; use "
                              "--vintage astana-6 or join by district names (--district-col)")


def test_a_real_district_missing_from_the_vintage_names_that_vintage(tmp_path):
    # Saryarka (711310000) is an Astana district, but not one of the two in the hand-made astana-6
    result = _join(tmp_path, ["Город;Район", "Астана;Сарыарка", "Алматы;Медеу"])
    assert _where(result) == {1: "district 'Сарыарка' (711310000) is not a district of astana-6", 2: MEDEU}


def test_a_note_lists_the_cities_only_when_there_are_several(tmp_path):
    two = _join(tmp_path, ["Город;Район", "Астана;Есиль", "Астана;Алматы", "Алматы;Медеу"])
    several = [n for n in two.report["notes"] if n.startswith("several cities")]
    assert several == ["several cities in one join: Astana (astana-6, 2 rows), Almaty (almaty-8, 1 rows)"]
    one = _join(tmp_path, ["Город;Район", "Астана;Есиль"], name="one.csv")  # one city, found by its column
    chosen = _join(tmp_path, ["Город;Район", "Астана;Есиль", "Алматы;Медеу"], name="chosen.csv", city="Astana")
    for result in (one, chosen):
        assert not [n for n in result.report["notes"] if "several cities" in n]


def test_points_of_three_cities_and_one_outside_without_a_city_column(tmp_path):
    almaty_d, medeu, turan = inside("Almaty"), inside("Medeu"), inside("Turan")
    result = _join(tmp_path, ["lon,lat", f"{almaty_d[0]},{almaty_d[1]}", "68.0,47.0", f"{medeu[0]},{medeu[1]}",
                              f"{turan[0]},{turan[1]}"])
    assert result.assigned[["row", "district_id", "city"]].values.tolist() == [
        [1, ALMATY_D, "Astana"], [3, MEDEU, "Almaty"], [4, TURAN, "Shymkent"]]
    assert list(result.set_aside.columns) == ["row", "reason", "value"]
    assert result.set_aside.values.tolist() == [[2, "outside every district of Astana, Almaty, Shymkent",
                                                 "68.0, 47.0"]]


def test_no_point_in_any_city_is_refused_showing_the_first_row(tmp_path):
    path = tmp_path / "far.csv"
    path.write_text("lon,lat\n68.0,47.0\n69.0,48.0\n", encoding="utf-8")
    with pytest.raises(BadInput) as err:
        join_user_data(path, districts=districts(), population=population(), h3_res=[], permutations=0)
    assert str(err.value) == ("far.csv: no row falls in Astana, Almaty or Shymkent (row 1: {'lon': 68.0, 'lat': "
                              "47.0, 'synthetic': False}); check the coordinates or names, or give --city")
