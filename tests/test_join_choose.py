"""``geo.join.choose`` on hand-made districts (tests/survey_frames.py: two squares per city, one vintage each;
no build): the H3 resolutions asked for, the boundaries of a given frame, the city and vintage chosen or
inferred, and the commonest city of a set of points."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo import store
from geo.errors import BadInput, UnknownName
from geo.join.choose import (
    Boundaries,
    choose_city_and_vintage,
    commonest,
    infer_city,
    most_common_city,
    resolutions,
)
from geo.join.table import UserTable
from tests import survey_frames


def _frame() -> gpd.GeoDataFrame:
    return survey_frames.districts()


def _with_old_astana() -> gpd.GeoDataFrame:
    """The frame plus an older Astana vintage (astana-5) whose one district has no boundary."""
    old = gpd.GeoDataFrame([{"district_id": "711100000", "city": "Astana", "vintage": "astana-5",
                             "name_en": "Old", "name_ru": "Старый", "name_kk": "Ескі"}],
                           geometry=[None], crs="EPSG:4326")
    return gpd.GeoDataFrame(pd.concat([_frame(), old], ignore_index=True), crs="EPSG:4326")


def test_resolutions_one_several_or_none_checked_and_sorted():
    assert resolutions(None) == [] and resolutions([]) == []
    assert resolutions(8) == [8]
    assert resolutions([9, 7, 9]) == [7, 9]  # sorted, each once
    assert resolutions((8.0,)) == [8]
    with pytest.raises(BadInput) as err:
        resolutions([7, 10, 6])
    assert str(err.value) == "H3 resolution(s) [10, 6] not supported; choose among (7, 8, 9) (--h3-res)"
    with pytest.raises(BadInput):
        resolutions(6)


def test_boundaries_of_a_given_frame():
    b = Boundaries(_frame())
    assert b.latest("Almaty") == "almaty-8"
    assert b.city_of("shymkent-5") == "Shymkent"
    of = b.of("Astana", "astana-6")
    assert of["district_id"].tolist() == ["711110000", "711210000"] and list(of.index) == [0, 1]
    assert b.of("Almaty", "astana-6").empty  # that vintage is not Almaty's
    almaty = b.of("Almaty", "almaty-8")  # rows 2 and 3 of the frame, renumbered 0 and 1 (no "index" column)
    assert list(almaty.index) == [0, 1] and list(almaty.columns) == list(_frame().columns)
    every = b.latest_of_every_city()
    assert every["city"].tolist() == ["Astana"] * 2 + ["Almaty"] * 2 + ["Shymkent"] * 2
    assert list(every.index) == list(range(6)) and list(every.columns) == list(_frame().columns)
    with pytest.raises(UnknownName) as err:
        b.city_of("astana-9")
    assert str(err.value) == ("unknown vintage 'astana-9'; vintages: almaty-8, astana-6, shymkent-5 "
                              "(--vintage)")


def test_two_vintages_of_a_city_ask_the_build_which_is_latest(monkeypatch):
    asked = []
    monkeypatch.setattr(store, "latest_vintage", lambda city: asked.append(city) or "astana-6")
    b = Boundaries(_with_old_astana())
    assert b.latest("Astana") == "astana-6" and asked == ["Astana"]
    assert b.latest("Almaty") == "almaty-8" and asked == ["Astana"]  # one vintage held: no question
    # the older vintage is not current, and a current district without geometry would be dropped
    every = b.latest_of_every_city()
    assert "astana-5" not in set(every["vintage"]) and len(every) == 6
    assert list(every.index) == list(range(6)) and "index" not in every
    assert b.city_of("astana-5") == "Astana"


def test_city_and_vintage_given_inferred_or_contradicting():
    b = Boundaries(_frame())

    def never() -> str:
        raise AssertionError("no inference when the city is given")

    choice = choose_city_and_vintage("points", never, b, "Almaty", None)
    assert (choice.city, choice.vintage, choice.notes) == ("Almaty", "almaty-8", [])
    assert choice.districts["district_id"].tolist() == ["751710000", "751410000"]
    choice = choose_city_and_vintage("points", never, b, None, "shymkent-5")  # the vintage names its city
    assert (choice.city, choice.vintage, choice.notes) == ("Shymkent", "shymkent-5", [])
    choice = choose_city_and_vintage("names", lambda: "Astana", b, None, None)
    assert (choice.city, choice.vintage) == ("Astana", "astana-6")
    assert choice.notes == ["city Astana inferred from where most rows fall (override with --city)"]
    with pytest.raises(UnknownName) as err:
        choose_city_and_vintage("points", never, b, "Karaganda", None)
    assert str(err.value) == "unknown city 'Karaganda'; use one of Astana, Almaty, Shymkent (--city)"
    with pytest.raises(BadInput) as err:
        choose_city_and_vintage("points", never, b, "Astana", "almaty-8")
    assert str(err.value) == "vintage 'almaty-8' is of Almaty, not Astana; drop --city or change --vintage"


def test_points_need_a_vintage_with_boundaries_names_do_not(monkeypatch):
    monkeypatch.setattr(store, "latest_vintage", lambda city: {"Astana": "astana-6"}[city])
    b = Boundaries(_with_old_astana())
    with pytest.raises(BadInput) as err:
        choose_city_and_vintage("points", lambda: "Astana", b, "Astana", "astana-5")
    assert str(err.value) == ("vintage 'astana-5' has no boundaries, so coordinates cannot be placed in it; use "
                              "--vintage astana-6 or join by district names (--district-col)")
    choice = choose_city_and_vintage("names", lambda: "Astana", b, "Astana", "astana-5")
    assert choice.districts["district_id"].tolist() == ["711100000"]


def test_commonest_city_of_points_and_the_error_when_none_falls_in_a_city():
    b = Boundaries(_frame())
    astana = survey_frames.inside("Esil")
    almaty = [survey_frames.inside("Medeu"), survey_frames.inside("Bostandyk")]
    lon = [astana[0], almaty[0][0], almaty[1][0], 0.0]
    lat = [astana[1], almaty[0][1], almaty[1][1], 0.0]  # 1 in Astana, 2 in Almaty, 1 nowhere
    rows = pd.DataFrame({"row": [1, 2, 3, 4], "lon": lon, "lat": lat})
    assert most_common_city(lon, lat, b, "f.csv", rows) == "Almaty"
    # the first district of every city's list (Astana's "Almaty", position 0) counts like any other: 2 points
    # there and 1 in Medeu -> Astana
    first = survey_frames.inside("Almaty")
    assert most_common_city([first[0], first[0], almaty[0][0]], [first[1], first[1], almaty[0][1]], b, "f.csv",
                            rows) == "Astana"
    assert commonest(["Shymkent", "Astana", "Astana"], "f.csv", rows) == "Astana"
    with pytest.raises(BadInput) as err:
        most_common_city([0.0], [0.0], b, "f.csv", rows.iloc[[3]])
    assert str(err.value) == ("f.csv: no row falls in Astana, Almaty or Shymkent (row 1: {'lon': 0.0, 'lat': 0.0});"
                              " check the coordinates or names, or give --city")
    with pytest.raises(BadInput) as err:  # rows without a "row" column are shown whole
        commonest([], "g.csv", pd.DataFrame({"name": ["Atlantis"]}))
    assert "(row 1: {'name': 'Atlantis'})" in str(err.value)


def _table(kind: str, rows: pd.DataFrame) -> UserTable:
    return UserTable(path=Path("/tmp/survey.csv"), kind=kind, rows=rows,
                     set_aside=pd.DataFrame(columns=["row", "reason", "value"]), input_rows=len(rows))


def test_infer_city_by_points_or_names_one_vote_per_row():
    b = Boundaries(_frame())
    sh = survey_frames.inside("Abay")
    points = pd.DataFrame({"row": [1, 2], "lon": [sh[0]] * 2, "lat": [sh[1]] * 2})
    assert infer_city(_table("points", points), b) == "Shymkent"
    # two rows name the same Almaty district, one an Astana district: Almaty by rows, not by distinct names
    names = pd.DataFrame({"row": [1, 2, 3, 4], "district_name": ["Медеу", "Медеу", "Есиль", "Atlantis"]})
    assert infer_city(_table("names", names), b) == "Almaty"
    with pytest.raises(BadInput) as err:
        infer_city(_table("points", points.iloc[:0]), b)
    assert str(err.value) == "survey.csv: no usable row to infer the city from; give --city"
    with pytest.raises(BadInput) as err:
        infer_city(_table("names", names.iloc[[3]]), b)
    assert str(err.value).startswith("survey.csv: no row falls in Astana, Almaty or Shymkent (row 1: "
                                     "{'district_name': 'Atlantis'})")
    nowhere = pd.DataFrame({"row": [1], "lon": [0.0], "lat": [0.0]})
    with pytest.raises(BadInput) as err:
        infer_city(_table("points", nowhere), b)
    assert str(err.value).startswith("survey.csv: no row falls in Astana, Almaty or Shymkent (row 1: "
                                     "{'lon': 0.0, 'lat': 0.0})")


def test_boundaries_from_the_build_when_no_frame(monkeypatch):
    calls = []

    def load(city=None, vintage=None):
        calls.append((city, vintage))
        if vintage == "astana-9":
            raise UnknownName("unknown vintage 'astana-9'; vintages: astana-6")
        frame = _frame()
        frame = frame if city is None else frame[frame["city"] == city]
        return frame if vintage is None else frame[frame["vintage"] == vintage]

    monkeypatch.setattr(store, "load_districts", load)
    monkeypatch.setattr(store, "latest_vintage", lambda city: {"Astana": "astana-6"}[city])
    b = Boundaries()
    assert b.city_of("almaty-8") == "Almaty" and b.latest("Astana") == "astana-6"
    calls.clear()
    assert b.of("Shymkent", "shymkent-5")["district_id"].tolist() == ["791110000", "791910000"]
    assert calls == [("Shymkent", "shymkent-5")]
    with pytest.raises(UnknownName) as err:
        b.city_of("astana-9")
    assert str(err.value) == "unknown vintage 'astana-9'; vintages: astana-6 (--vintage)"
    assert len(b.latest_of_every_city()) == 6
    shapes = _frame()
    shapes.loc[0, "geometry"] = None
    monkeypatch.setattr(store, "load_districts", lambda city=None, vintage=None: shapes)
    assert "711110000" not in set(Boundaries().latest_of_every_city()["district_id"])
