"""The gazetteer (geo.domain.places) on small hand-made inputs: coordinates checked, every column carried over
from its source, and places located in one district (and bank) each."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo.domain.places import (
    PLACE_COLUMNS,
    _point,
    gazetteer_places,
    locate,
    osm_institutions,
    wof_localities,
)
from geo.errors import BadInput
from geo.io.acquire import Acquired

PLACE_HEADER = ("id,city,name_en,name_ru,name_kk,kind,lat,lon,coord_source,district_stated,district_by_polygon,"
                "population,population_year,migrant_link,evidence_paraphrase,evidence_source,note")


# ------------------------------------------------------------------------------------------------ _point


@pytest.mark.parametrize("lat,lon", [("40", "46"), ("56", "88"), ("40", "88"), ("56", "46"), ("51.15", "71.4")])
def test_points_on_and_inside_the_box_are_kept(lat, lon):
    point = _point(lat, lon, "x.csv row 2")
    assert (point.x, point.y) == (float(lon), float(lat))  # lon is x, lat is y


def test_no_coordinates_is_no_point():
    assert _point("", "", "x.csv row 2") is None


@pytest.mark.parametrize("lat,lon,shown", [
    ("39.99", "60", "(39.99, 60.0)"), ("56.01", "60", "(56.01, 60.0)"),
    ("45", "45.99", "(45.0, 45.99)"), ("45", "88.01", "(45.0, 88.01)"),
    ("71.4", "51.15", "(71.4, 51.15)"),  # lat and lon swapped
    ("-51.15", "71.4", "(-51.15, 71.4)"),
])
def test_points_outside_kazakhstan_are_refused(lat, lon, shown):
    with pytest.raises(BadInput) as err:
        _point(lat, lon, "places.csv row 7")
    assert str(err.value) == f"places.csv row 7: {shown} is outside Kazakhstan; fix: check lat/lon order and sign"


@pytest.mark.parametrize("lat,lon", [("51.1", ""), ("", "71.4"), ("51,1", "71.4"), ("north", "71.4")])
def test_half_or_non_numeric_coordinates_are_refused(lat, lon):
    with pytest.raises(BadInput) as err:
        _point(lat, lon, "places.csv row 3")
    assert str(err.value) == (f"places.csv row 3: coordinates '{lat}', '{lon}' are not numbers; "
                              f"fix: decimal degrees or empty")


# ------------------------------------------------------------------------------------------------ gazetteer


def _reference(tmp_path, monkeypatch, settlements: list[str], institutions: list[str]):
    (tmp_path / "migrant_settlement_places.csv").write_text("\n".join([PLACE_HEADER, *settlements]) + "\n")
    (tmp_path / "state_institutions_astana.csv").write_text("\n".join([PLACE_HEADER, *institutions]) + "\n")
    monkeypatch.setenv("QALA_REFERENCE", str(tmp_path))


SETTLEMENT = ("S1,Almaty,Shanyrak,Шанырак,Шаңырақ,self_built_settlement,43.30,76.80,Wikimapia,Alatau,,"
              "100000,2019,yes,newcomers built houses,https://example.org/s1,checked twice")
INSTITUTION_1 = "I1,Astana,Ministry,Министерство,Министрлік,ministry,51.12,71.43,OSM,Esil,,,,n/a,,https://example.org/i1,"
INSTITUTION_2 = "I2,Astana,Akimat,Акимат,Әкімдік,akimat,,,,,,,,n/a,,https://example.org/i2,no coordinate found"


def test_gazetteer_carries_every_column_and_its_list(tmp_path, monkeypatch):
    _reference(tmp_path, monkeypatch, [SETTLEMENT], [INSTITUTION_1, INSTITUTION_2])
    places = gazetteer_places()
    assert list(places.columns) == [*PLACE_COLUMNS, "geometry"]
    assert places.crs == "EPSG:4326"
    assert list(places.index) == [0, 1, 2]
    first = places.iloc[0].drop("geometry").to_dict()
    assert first == {
        "place_id": "S1", "city": "Almaty", "list": "migrant_settlement", "name_en": "Shanyrak", "name_ru": "Шанырак",
        "name_kk": "Шаңырақ", "kind": "self_built_settlement", "migrant_link": "yes",
        "evidence": "newcomers built houses", "source": "https://example.org/s1", "coord_source": "Wikimapia",
        "note": "checked twice", "population": "100000", "population_year": "2019",
    }
    assert (places.geometry.iloc[0].x, places.geometry.iloc[0].y) == (76.80, 43.30)
    assert list(places.place_id) == ["S1", "I1", "I2"]
    assert list(places["list"]) == ["migrant_settlement", "state_institution", "state_institution"]
    assert list(places.name_kk) == ["Шаңырақ", "Министрлік", "Әкімдік"]
    assert list(places.kind) == ["self_built_settlement", "ministry", "akimat"]
    assert list(places.note) == ["checked twice", "", "no coordinate found"]
    assert (places.geometry.iloc[1].x, places.geometry.iloc[1].y) == (71.43, 51.12)
    assert places.geometry.iloc[2] is None  # listed, not placed


def test_gazetteer_error_names_the_file_and_its_row(tmp_path, monkeypatch):
    bad = INSTITUTION_2.replace("akimat,,,", "akimat,91.0,71.4,")
    _reference(tmp_path, monkeypatch, [SETTLEMENT], [INSTITUTION_1, bad])
    with pytest.raises(BadInput) as err:
        gazetteer_places()
    # the second data row of the file is its line 3
    assert str(err.value) == ("state_institutions_astana.csv row 3: (91.0, 71.4) is outside Kazakhstan; "
                              "fix: check lat/lon order and sign")


def test_gazetteer_checks_the_settlement_file_too(tmp_path, monkeypatch):
    _reference(tmp_path, monkeypatch, [SETTLEMENT.replace("43.30,76.80", "43.30,x")], [])
    with pytest.raises(BadInput, match=r"^migrant_settlement_places\.csv row 2: coordinates '43.30', 'x' are not"):
        gazetteer_places()


# ------------------------------------------------------------------------------------------------ WOF and OSM


def _points_file(tmp_path, name: str, rows: list[tuple[dict, tuple[float, float]]]) -> Acquired:
    features = [{"type": "Feature", "properties": props, "geometry": {"type": "Point", "coordinates": list(xy)}}
                for props, xy in rows]
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False))
    return Acquired(source=None, paths=(path,), origin="mirror")  # type: ignore[arg-type]


def test_wof_localities_are_former_villages_with_their_geonames_source(tmp_path):
    acq = _points_file(tmp_path, "wof.geojson", [
        ({"wof_id": 101, "name": "Talapker", "name_ru": "Талапкер", "name_kk": "Талапкер", "geonames_id": 555,
          "city": "Astana (city)"}, (71.45, 51.10)),
        ({"wof_id": 202, "name": "Kokterek", "name_ru": "Коктерек", "name_kk": None, "geonames_id": 777,
          "city": "Karaganda"}, (76.85, 43.20)),
    ])
    wof = wof_localities(acq)
    assert list(wof.columns) == [*PLACE_COLUMNS, "geometry"]
    assert wof.crs == "EPSG:4326"
    first = wof.iloc[0].drop("geometry").to_dict()
    assert first == {
        "place_id": "wof:101", "city": "Astana", "list": "locality", "name_en": "Talapker", "name_ru": "Талапкер",
        "name_kk": "Талапкер", "kind": "locality (former village)", "migrant_link": "n/a", "evidence": None,
        "source": "Who's On First admin-kz @ 65a9c3ae; GeoNames 555", "coord_source": "GeoNames via Who's On First",
        "note": None, "population": None, "population_year": None,
    }
    assert wof.place_id.iloc[1] == "wof:202"
    assert wof.source.iloc[1] == "Who's On First admin-kz @ 65a9c3ae; GeoNames 777"
    assert pd.isna(wof.city.iloc[1])  # not one of the three cities: no city, never a guess
    assert [(p.x, p.y) for p in wof.geometry] == [(71.45, 51.10), (76.85, 43.20)]


@pytest.mark.parametrize("wof_city,city", [("Astana (city)", "Astana"), ("Almaty (city)", "Almaty"),
                                           ("Shymkent (city)", "Shymkent")])
def test_wof_city_names_map_to_the_three_cities(tmp_path, wof_city, city):
    acq = _points_file(tmp_path, "wof.geojson", [
        ({"wof_id": 1, "name": "A", "name_ru": "А", "name_kk": "А", "geonames_id": 2, "city": wof_city}, (70.0, 45.0)),
    ])
    assert wof_localities(acq).city.tolist() == [city]


def test_wof_file_without_a_city_field_leaves_the_city_empty(tmp_path):
    acq = _points_file(tmp_path, "wof.geojson", [
        ({"wof_id": 3, "name": "B", "name_ru": "Б", "name_kk": "Б", "geonames_id": 4}, (70.0, 45.0)),
    ])
    wof = wof_localities(acq)
    assert wof.city.isna().all() and wof.place_id.tolist() == ["wof:3"]


def test_osm_institutions_take_the_plain_name_when_there_is_no_russian_one(tmp_path):
    acq = _points_file(tmp_path, "osm.geojson", [
        ({"osm_id": "node/1", "name": "Министерство А", "name_en": "Ministry A", "name_ru": "Министерство А (рус)",
          "name_kk": "А министрлігі", "kind": "government"}, (71.43, 51.12)),
        ({"osm_id": "way/2", "name": "Акимат", "name_en": None, "name_ru": None, "name_kk": None,
          "kind": "townhall"}, (71.41, 51.16)),
    ])
    osm = osm_institutions(acq)
    assert list(osm.columns) == [*PLACE_COLUMNS, "geometry"]
    assert osm.crs == "EPSG:4326"
    first = osm.iloc[0].drop("geometry").to_dict()
    assert first == {
        "place_id": "node/1", "city": "Astana", "list": "state_institution_osm", "name_en": "Ministry A",
        "name_ru": "Министерство А (рус)", "name_kk": "А министрлігі", "kind": "government", "migrant_link": "n/a",
        "evidence": None, "source": "OpenStreetMap (Overpass)", "coord_source": "OpenStreetMap", "note": None,
        "population": None, "population_year": None,
    }
    assert osm.place_id.iloc[1] == "way/2" and osm.kind.iloc[1] == "townhall"
    assert osm.name_ru.iloc[1] == "Акимат"  # the plain name stands in for the missing Russian one
    assert osm.city.tolist() == ["Astana", "Astana"]
    assert [(p.x, p.y) for p in osm.geometry] == [(71.43, 51.12), (71.41, 51.16)]


# ------------------------------------------------------------------------------------------------ locate

WEST = box(71.0, 51.0, 71.1, 51.1)  # two Astana districts sharing the meridian 71.1
EAST = box(71.1, 51.0, 71.2, 51.1)
ALMATY = box(76.8, 43.2, 76.9, 43.3)


def _districts(order=("w", "e", "a")) -> gpd.GeoDataFrame:
    rows = {"w": ("W", "Astana", WEST), "e": ("E", "Astana", EAST), "a": ("AL", "Almaty", ALMATY)}
    picked = [rows[k] for k in order]
    return gpd.GeoDataFrame({"district_id": [r[0] for r in picked], "city": [r[1] for r in picked]},
                            geometry=[r[2] for r in picked], crs="EPSG:4326")


def _places(points: list[tuple[str, str | None, Point | None]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"place_id": [p[0] for p in points], "city": [p[1] for p in points]},
                            geometry=[p[2] for p in points], crs="EPSG:4326")


def test_locate_finds_each_district_and_fills_only_missing_cities():
    places = _places([
        ("in-west", "Astana", Point(71.05, 51.05)),
        ("in-east-no-city", None, Point(71.15, 51.05)),
        ("in-almaty", "Almaty", Point(76.85, 43.25)),
        ("outside", "Astana", Point(71.5, 51.5)),
        ("unplaced", None, None),
        ("labelled-otherwise", "Shymkent", Point(71.15, 51.02)),  # a stated city is kept, not overwritten
    ])
    out = locate(places, _districts(), None)
    assert out.district_id.tolist()[:3] == ["W", "E", "AL"]
    assert pd.isna(out.district_id.iloc[3]) and pd.isna(out.district_id.iloc[4])
    assert out.district_id.iloc[5] == "E"
    assert out.city.tolist()[:4] == ["Astana", "Astana", "Almaty", "Astana"]
    assert pd.isna(out.city.iloc[4])
    assert out.city.iloc[5] == "Shymkent"
    assert out.place_id.tolist() == places.place_id.tolist()
    assert out["bank"].isna().all() and "bank" in out.columns  # no banks given: no bank, for every place
    assert len(out) == 6 and places.columns.tolist() == ["place_id", "city", "geometry"]  # input untouched


@pytest.mark.parametrize("order", [("w", "e", "a"), ("e", "w", "a")])
def test_a_place_on_a_shared_border_gets_one_of_the_two_districts_once(order):
    places = _places([("border", None, Point(71.1, 51.05)), ("west", "Astana", Point(71.02, 51.05))])
    out = locate(places, _districts(order), None)
    assert len(out) == 2  # one row per place, never one per district touched
    assert out.district_id.iloc[0] in {"W", "E"} and out.district_id.iloc[1] == "W"
    assert out.city.tolist() == ["Astana", "Astana"]


def test_banks_are_given_to_astana_places_only_first_bank_on_the_river_line():
    banks = gpd.GeoDataFrame({"bank": ["left", "right"]},
                             geometry=[box(71.0, 51.0, 71.2, 51.05), box(71.0, 51.05, 71.2, 51.1)], crs="EPSG:4326")
    places = _places([
        ("south", "Astana", Point(71.05, 51.02)),
        ("north", "Astana", Point(71.05, 51.08)),
        ("on-the-line", "Astana", Point(71.15, 51.05)),
        ("almaty", "Almaty", Point(71.05, 51.02)),  # inside the left bank's box, but not an Astana place
        ("unplaced", "Astana", None),
        ("off-banks", "Astana", Point(71.5, 51.5)),
    ])
    out = locate(places, _districts(), banks)
    assert out.bank.tolist()[:3] == ["left", "right", "left"]
    assert all(pd.isna(b) for b in out.bank.tolist()[3:])
    assert len(out) == 6


def test_a_place_on_the_line_between_banks_gets_one_bank_once():
    banks = gpd.GeoDataFrame({"bank": ["right", "left"]},
                             geometry=[box(71.0, 51.05, 71.2, 51.1), box(71.0, 51.0, 71.2, 51.05)], crs="EPSG:4326")
    out = locate(_places([("on-the-line", "Astana", Point(71.15, 51.05))]), _districts(), banks)
    assert len(out) == 1 and out.bank.iloc[0] in {"left", "right"}


def _polygon_file(tmp_path, name: str, props: dict) -> Acquired:
    square = [[71.4, 51.1], [71.5, 51.1], [71.5, 51.2], [71.4, 51.2], [71.4, 51.1]]
    features = [{"type": "Feature", "properties": props, "geometry": {"type": "Point", "coordinates": [71.45, 51.15]}},
                {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [square]}}]
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return Acquired(source=None, paths=(path,), origin="mirror")  # type: ignore[arg-type]


def test_wof_layer_of_polygons_is_refused_by_name(tmp_path):
    acq = _polygon_file(tmp_path, "wof.geojson", {"wof_id": 1, "name": "A", "name_ru": "А", "name_kk": "А",
                                                   "geonames_id": 2, "city": "Astana (city)"})
    with pytest.raises(BadInput) as err:
        wof_localities(acq)
    assert str(err.value) == (f"Who's On First localities file {acq.path}: feature 1 is a Polygon, expected Point; "
                              f"fix: use a layer of Point")


def test_osm_layer_of_polygons_is_refused_by_name(tmp_path):
    acq = _polygon_file(tmp_path, "osm.geojson", {"osm_id": "way/1", "name": "A", "name_en": "A", "name_ru": "А",
                                                   "name_kk": "А", "kind": "townhall"})
    with pytest.raises(BadInput) as err:
        osm_institutions(acq)
    assert str(err.value) == (f"OSM state institutions file {acq.path}: feature 1 is a Polygon, expected Point; "
                              f"fix: use a layer of Point")


def test_a_place_without_a_stated_city_inside_astana_gets_its_bank():
    """The city filled in from the district the place falls in counts for the bank too (a WOF locality has no
    stated city): inside Astana's west district and the left bank's box, it is on the left bank."""
    banks = gpd.GeoDataFrame({"bank": ["left", "right"]},
                             geometry=[box(71.0, 51.0, 71.2, 51.05), box(71.0, 51.05, 71.2, 51.1)], crs="EPSG:4326")
    out = locate(_places([("no-city", None, Point(71.05, 51.02))]), _districts(), banks)
    assert out.city.iloc[0] == "Astana" and out.bank.iloc[0] == "left"
