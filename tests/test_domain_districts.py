"""Canonical districts of every vintage (geo.domain.districts) built from hand-made boundary files: relation ids
read from any of their keys, geokz districts picked by KATO, older vintages as unions of their successors,
vintages without boundaries listed from lineage, duplicate and count checks, and areas measured in UTM km².

The squares are drawn in metres in each city's UTM zone (42N Astana, 43N Almaty) and written as lon/lat, so
every area is a whole number of km² one can check by hand.
"""

from __future__ import annotations

import json
import math

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import box

from geo.domain.districts import DISTRICT_COLUMNS, _members, _relation_id, area_km2, build_districts
from geo.errors import BadInput, UnknownName
from geo.io.acquire import Acquired
from geo.io.vector import Repairs

KM = 1000.0
ASTANA = ("EPSG:32642", 665_000.0, 5_669_000.0)  # about 71.36E 51.15N
ALMATY = ("EPSG:32643", 654_000.0, 4_790_000.0)  # about 76.90E 43.25N

DISTRICTS = """district_id,city,name_en,name_ru,name_kk,kato,osm_relation,aliases
A1,Astana,North,Северный,Солтүстік,711,100,
A2,Astana,South,Южный,Оңтүстік,712,200,
A0,Astana,East,Восточный,Шығыс,713,300,
L2,Almaty,Hill,Горный,Тау,752,,
L1,Almaty,Plain,Равнинный,Жазық,751,,
S0,Shymkent,Old,Старый,Ескі,,,
S1,Shymkent,New one,Новый-1,Жаңа-1,,,
S2,Shymkent,New two,Новый-2,Жаңа-2,,,
Z9,Astana,Whole,Целый,Бүтін,,,
"""
# The derived vintage comes first: the files are read before lineage is applied, whatever the order here.
VINTAGES = """vintage,city,valid_from,valid_to,n_districts,geometry,source_note
ast-old,Astana,2010-01-01,2020-01-01,2,lineage:ast-new,North = North + East
ast-new,Astana,2020-01-01,,3,ast_osm,East split from North
alm-1,Almaty,,,2,geokz_adm2,two squares
shy-0,Shymkent,,2018-01-01,1,none,no file
shy-1,Shymkent,2018-01-01,,2,none,no file
ast-first,Astana,,2010-01-01,1,none,one district before any boundary file
"""
LINEAGE = """city,date,vintage,district_id,parent_vintage,parent_id,relation,source
Astana,2020-01-01,ast-new,A1,ast-old,A1,continues,
Astana,2020-01-01,ast-new,A0,ast-old,A1,split from,
Astana,2020-01-01,ast-new,A2,ast-old,A2,same,
Astana,2010-01-01,ast-new,A2,ast-first,Z9,part of (a row of another parent vintage),
Shymkent,2018-01-01,shy-1,S1,shy-0,S0,split from,
Shymkent,2018-01-01,shy-1,S2,shy-0,S0,split from,
"""
# km from each city's origin: (x0, y0, x1, y1)
ASTANA_SQUARES = {"A1": (0, 0, 2, 2), "A2": (0, -3, 2, 0), "A0": (2, 0, 3, 2)}  # 4, 6 and 2 km²
ALMATY_SQUARES = {"L1": (0, 0, 1, 1), "L2": (1, 0, 4, 3)}  # 1 and 9 km²


def _lonlat(squares: dict[str, tuple], zone: tuple) -> dict[str, shapely.Polygon]:
    crs, x0, y0 = zone
    geoms = [box(x0 + a * KM, y0 + b * KM, x0 + c * KM, y0 + d * KM) for a, b, c, d in squares.values()]
    out = gpd.GeoSeries(geoms, crs=crs).to_crs("EPSG:4326")
    return dict(zip(squares, out, strict=True))


def _reference(tmp_path, monkeypatch, districts=DISTRICTS, vintages=VINTAGES, lineage=LINEAGE):
    ref = tmp_path / "reference"
    ref.mkdir(exist_ok=True)
    (ref / "districts.csv").write_text(districts, encoding="utf-8")
    (ref / "vintages.csv").write_text(vintages, encoding="utf-8")
    (ref / "lineage.csv").write_text(lineage, encoding="utf-8")
    monkeypatch.setenv("QALA_REFERENCE", str(ref))


def _osm_file(tmp_path, features: list[tuple[dict, shapely.Polygon]]) -> Acquired:
    path = tmp_path / "astana_osm.geojson"
    fc = {"type": "FeatureCollection",
          "features": [{"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}
                       for props, geom in features]}
    path.write_text(json.dumps(fc, ensure_ascii=False))
    return Acquired(source=None, paths=(path,), origin="mirror")  # type: ignore[arg-type]


def _geokz_file(tmp_path, rows: list[tuple[str, shapely.Polygon]]) -> Acquired:
    shp = tmp_path / "geokz" / "adm2.shp"
    shp.parent.mkdir(exist_ok=True)
    gdf = gpd.GeoDataFrame({"KATO": [k for k, _ in rows]}, geometry=[g for _, g in rows], crs="EPSG:4326")
    gdf.to_file(shp, driver="ESRI Shapefile", engine="pyogrio")
    parts = tuple(shp.with_suffix(s) for s in (".prj", ".dbf", ".shp", ".shx"))  # the .shp not first
    return Acquired(source=None, paths=parts, origin="mirror")  # type: ignore[arg-type]


def _sources(tmp_path, astana_features=None, almaty_rows=None) -> dict[str, Acquired]:
    ast = _lonlat(ASTANA_SQUARES, ASTANA)
    alm = _lonlat(ALMATY_SQUARES, ALMATY)
    if astana_features is None:
        # the relation id under each of the keys the OSM exports use
        astana_features = [({"osm_relation": "100", "osm_id": "999"}, ast["A1"]),
                           ({"osm-relation-id": "200"}, ast["A2"]),
                           ({"osm_id": "-300"}, ast["A0"])]
    if almaty_rows is None:
        far = box(50.0, 45.0, 50.1, 45.1)
        almaty_rows = [("999", far), ("752", alm["L2"]), ("751", alm["L1"])]  # 999: another region's district
    return {"ast_osm": _osm_file(tmp_path, astana_features), "geokz_adm2": _geokz_file(tmp_path, almaty_rows)}


# ------------------------------------------------------------------------------------------------ relation ids


def test_relation_id_comes_from_the_first_key_present_without_its_sign():
    import pandas as pd

    assert _relation_id(pd.Series({"osm_relation": "100", "osm_id": "999"})) == "100"
    assert _relation_id(pd.Series({"osm_relation": None, "osm-relation-id": "-200", "osm_id": "999"})) == "200"
    assert _relation_id(pd.Series({"osm_relation": float("nan"), "osm_id": "-300"})) == "300"
    assert _relation_id(pd.Series({"osm_relation": 400})) == "400"
    assert _relation_id(pd.Series({"name": "-500-"})) is None
    assert _relation_id(pd.Series({"osm_id": None})) is None


# ------------------------------------------------------------------------------------------------ the build


def test_every_vintage_with_names_dates_sources_and_order(tmp_path, monkeypatch):
    _reference(tmp_path, monkeypatch)
    out = build_districts(_sources(tmp_path), Repairs())
    assert list(out.columns) == [*DISTRICT_COLUMNS, "geometry"]
    assert out.crs == "EPSG:4326"
    # vintages in the order of vintages.csv, district ids sorted within each
    assert list(zip(out.vintage, out.district_id, strict=True)) == [
        ("ast-old", "A1"), ("ast-old", "A2"),
        ("ast-new", "A0"), ("ast-new", "A1"), ("ast-new", "A2"),
        ("alm-1", "L1"), ("alm-1", "L2"),
        ("shy-0", "S0"),
        ("shy-1", "S1"), ("shy-1", "S2"),
        ("ast-first", "Z9"),
    ]
    assert list(out.index) == list(range(11))
    rows = out.set_index(["vintage", "district_id"])
    assert rows.loc[("ast-new", "A0")].drop("geometry").to_dict() == {
        "city": "Astana", "valid_from": "2020-01-01", "valid_to": None, "name_en": "East", "name_ru": "Восточный",
        "name_kk": "Шығыс", "area_km2": pytest.approx(2.0, rel=1e-9), "geometry_source": "ast_osm",
    }
    assert rows.loc[("ast-old", "A2"), "valid_to"] == "2020-01-01"
    assert rows.loc[("ast-old", "A2"), "valid_from"] == "2010-01-01"
    assert rows.loc[("ast-old", "A2"), "geometry_source"] == "lineage:ast-new"
    assert rows.loc[("alm-1", "L2"), "valid_from"] is None and rows.loc[("alm-1", "L2"), "valid_to"] is None
    assert rows.loc[("alm-1", "L2"), "city"] == "Almaty"
    assert rows.loc[("alm-1", "L2"), "geometry_source"] == "geokz_adm2"
    assert rows.loc[("shy-1", "S2"), "name_ru"] == "Новый-2"
    assert rows.loc[("shy-1", "S2"), "city"] == "Shymkent"
    assert rows.loc[("shy-0", "S0"), "valid_to"] == "2018-01-01"
    assert rows.loc[("shy-0", "S0"), "geometry_source"] == "none"


def test_areas_are_km2_in_each_citys_utm_zone(tmp_path, monkeypatch):
    _reference(tmp_path, monkeypatch)
    out = build_districts(_sources(tmp_path), Repairs())
    area = dict(zip(zip(out.vintage, out.district_id, strict=True), out.area_km2, strict=True))
    expected = {("ast-new", "A1"): 4.0, ("ast-new", "A2"): 6.0, ("ast-new", "A0"): 2.0,
                ("ast-old", "A1"): 6.0, ("ast-old", "A2"): 6.0,  # old North = North 4 + East 2
                ("alm-1", "L1"): 1.0, ("alm-1", "L2"): 9.0}
    for key, km2 in expected.items():
        assert area[key] == pytest.approx(km2, rel=1e-7), key
    assert all(math.isnan(area[k]) for k in [("shy-0", "S0"), ("shy-1", "S1"), ("shy-1", "S2")])


def test_older_boundaries_are_the_union_of_their_successors(tmp_path, monkeypatch):
    _reference(tmp_path, monkeypatch)
    out = build_districts(_sources(tmp_path), Repairs()).set_index(["vintage", "district_id"])
    old_north = out.loc[("ast-old", "A1"), "geometry"]
    union = shapely.union_all([out.loc[("ast-new", "A1"), "geometry"], out.loc[("ast-new", "A0"), "geometry"]])
    assert old_north.equals(union)
    assert out.loc[("ast-old", "A2"), "geometry"].equals(out.loc[("ast-new", "A2"), "geometry"])


def test_vintages_without_boundaries_are_listed_from_lineage_without_geometry(tmp_path, monkeypatch):
    _reference(tmp_path, monkeypatch)
    out = build_districts(_sources(tmp_path), Repairs())
    shy = out[out.city == "Shymkent"]
    assert shy.geometry.isna().all() and len(shy) == 3
    first = out[out.vintage == "ast-first"]
    assert first.district_id.tolist() == ["Z9"] and first.geometry.isna().all()
    assert first.name_en.tolist() == ["Whole"] and first.area_km2.isna().all()
    assert _members("shy-0") == ["S0"]  # as parent, once although two rows name it
    assert _members("shy-1") == ["S1", "S2"]  # as child
    assert _members("ast-new") == ["A1", "A0", "A2"]
    assert _members("ast-old") == ["A1", "A2"]
    assert _members("ast-first") == ["Z9"]


def test_geokz_districts_are_picked_by_kato_and_repairs_reported(tmp_path, monkeypatch):
    _reference(tmp_path, monkeypatch)
    alm = _lonlat(ALMATY_SQUARES, ALMATY)
    crs, ox, oy = ALMATY
    # L2's 3 km square drawn as a bow tie (corners in the wrong order): two triangles of 9/4 km² each
    corners = [(ox + 1 * KM, oy), (ox + 4 * KM, oy + 3 * KM), (ox + 4 * KM, oy), (ox + 1 * KM, oy + 3 * KM)]
    bowtie = gpd.GeoSeries([shapely.Polygon(corners)], crs=crs).to_crs("EPSG:4326").iloc[0]
    bad_far = shapely.Polygon([(50.0, 45.0), (50.1, 45.1), (50.1, 45.0), (50.0, 45.1)])  # not Almaty's: no repair
    repairs = Repairs()
    out = build_districts(_sources(tmp_path, almaty_rows=[("999", bad_far), ("751", alm["L1"]), ("752", bowtie)]),
                          repairs)
    assert out[out.vintage == "alm-1"].district_id.tolist() == ["L1", "L2"]
    assert len(repairs) == 1
    assert repairs.items[0].startswith("geokz districts of Almaty: feature 1 repaired with make_valid (Self-intersection")
    l2 = out[(out.vintage == "alm-1") & (out.district_id == "L2")].iloc[0]
    assert l2.geometry.is_valid and l2.area_km2 == pytest.approx(4.5, rel=1e-3)  # 9/4 + 9/4 km²


def test_osm_repairs_are_named_after_the_city(tmp_path, monkeypatch):
    _reference(tmp_path, monkeypatch)
    ast = _lonlat(ASTANA_SQUARES, ASTANA)
    x0, y0, x1, y1 = ast["A2"].bounds
    bowtie = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
    repairs = Repairs()
    build_districts(_sources(tmp_path, astana_features=[({"osm_relation": "100"}, ast["A1"]),
                                                        ({"osm_relation": "200"}, bowtie),
                                                        ({"osm_relation": "300"}, ast["A0"])]), repairs)
    assert len(repairs) == 1 and repairs.items[0].startswith("Astana districts (astana_osm.geojson): feature 1 repaired")


# ------------------------------------------------------------------------------------------------ bad input


def test_unknown_relation_names_file_feature_and_fix(tmp_path, monkeypatch):
    _reference(tmp_path, monkeypatch)
    ast = _lonlat(ASTANA_SQUARES, ASTANA)
    sources = _sources(tmp_path, astana_features=[({"osm_relation": "100"}, ast["A1"]),
                                                  ({"osm_relation": "-777"}, ast["A2"]),
                                                  ({"osm_relation": "300"}, ast["A0"])])
    with pytest.raises(UnknownName) as err:
        build_districts(sources, Repairs())
    assert str(err.value) == (f"{sources['ast_osm'].path}: feature 1 is OSM relation 777, not a known district of "
                              f"Astana; fix: add it to data/reference/districts.csv")


def test_feature_without_any_relation_key_is_refused(tmp_path, monkeypatch):
    _reference(tmp_path, monkeypatch)
    ast = _lonlat(ASTANA_SQUARES, ASTANA)
    sources = _sources(tmp_path, astana_features=[({"osm_relation": "100"}, ast["A1"]),
                                                  ({"osm_relation": "200"}, ast["A2"]),
                                                  ({"name": "East"}, ast["A0"])])
    with pytest.raises(UnknownName, match=r"feature 2 is OSM relation None, not a known district of Astana"):
        build_districts(sources, Repairs())


def test_a_district_twice_in_a_file_is_refused(tmp_path, monkeypatch):
    _reference(tmp_path, monkeypatch)
    ast = _lonlat(ASTANA_SQUARES, ASTANA)
    sources = _sources(tmp_path, astana_features=[({"osm_relation": "100"}, ast["A1"]),
                                                  ({"osm_relation": "200"}, ast["A2"]),
                                                  ({"osm_relation": "200"}, ast["A0"])])
    with pytest.raises(BadInput) as err:
        build_districts(sources, Repairs())
    assert str(err.value) == "vintage ast-new: district A2 appears twice in ast_osm; fix the source"


def test_a_vintage_with_fewer_districts_than_listed_is_refused(tmp_path, monkeypatch):
    _reference(tmp_path, monkeypatch)
    ast = _lonlat(ASTANA_SQUARES, ASTANA)
    sources = _sources(tmp_path, astana_features=[({"osm_relation": "100"}, ast["A1"]),
                                                  ({"osm_relation": "200"}, ast["A2"])])
    with pytest.raises(BadInput) as err:
        build_districts(sources, Repairs())
    assert str(err.value) == ("vintage ast-new: 2 districts from ast_osm, expected 3 "
                              "(data/reference/vintages.csv)")


def test_a_vintage_with_more_districts_than_listed_is_refused(tmp_path, monkeypatch):
    _reference(tmp_path, monkeypatch, vintages=VINTAGES.replace("alm-1,Almaty,,,2,", "alm-1,Almaty,,,1,"))
    with pytest.raises(BadInput, match=r"^vintage alm-1: 2 districts from geokz_adm2, expected 1 \(data/reference"):
        build_districts(_sources(tmp_path), Repairs())


def test_lineage_needing_a_missing_successor_is_refused(tmp_path, monkeypatch):
    # ast-new drawn with two districts only (and listed so): old North needs East too
    _reference(tmp_path, monkeypatch, vintages=VINTAGES.replace("ast-new,Astana,2020-01-01,,3,", "ast-new,Astana,2020-01-01,,2,"))
    ast = _lonlat(ASTANA_SQUARES, ASTANA)
    sources = _sources(tmp_path, astana_features=[({"osm_relation": "100"}, ast["A1"]),
                                                  ({"osm_relation": "200"}, ast["A2"])])
    with pytest.raises(BadInput) as err:
        build_districts(sources, Repairs())
    assert str(err.value) == "lineage.csv: ast-old A1 needs ['A1', 'A0'] of ast-new"


# ------------------------------------------------------------------------------------------------ area_km2


def test_area_km2_measures_each_city_in_its_own_zone_and_skips_missing_geometry():
    ast = _lonlat({"a": (0, 0, 2, 3)}, ASTANA)["a"]  # 6 km² in 42N
    alm = _lonlat({"b": (0, 0, 5, 1)}, ALMATY)["b"]  # 5 km² in 43N
    gdf = gpd.GeoDataFrame({"city": ["Astana", "Almaty", "Shymkent", "Astana", "Karaganda"]},
                           geometry=[ast, alm, None, None, ast], crs="EPSG:4326", index=[10, 11, 12, 13, 14])
    areas = area_km2(gdf)
    assert list(areas.index) == [10, 11, 12, 13, 14]
    assert areas[10] == pytest.approx(6.0, rel=1e-9)
    assert areas[11] == pytest.approx(5.0, rel=1e-9)
    assert math.isnan(areas[12]) and math.isnan(areas[13])
    assert math.isnan(areas[14])  # not one of the three cities: no zone to measure in


def test_a_geokz_layer_of_lines_is_refused_by_name(tmp_path, monkeypatch):
    _reference(tmp_path, monkeypatch)
    lines = [("751", shapely.LineString([(76.9, 43.2), (76.95, 43.25)])),
             ("752", shapely.LineString([(76.95, 43.2), (77.0, 43.25)]))]
    sources = _sources(tmp_path, almaty_rows=lines)
    shp = next(p for p in sources["geokz_adm2"].paths if p.suffix == ".shp")
    with pytest.raises(BadInput) as err:
        build_districts(sources, Repairs())
    assert str(err.value) == (f"geokz districts file {shp}: feature 0 is a LineString, expected Polygon or "
                              f"MultiPolygon; fix: use a layer of Polygon/MultiPolygon")


def test_an_osm_district_drawn_as_a_point_is_refused_by_name(tmp_path, monkeypatch):
    _reference(tmp_path, monkeypatch)
    ast = _lonlat(ASTANA_SQUARES, ASTANA)
    sources = _sources(tmp_path, astana_features=[({"osm_relation": "100"}, ast["A1"]),
                                                  ({"osm_relation": "200"}, shapely.Point(71.4, 51.1)),
                                                  ({"osm_relation": "300"}, ast["A0"])])
    with pytest.raises(BadInput) as err:
        build_districts(sources, Repairs())
    assert str(err.value) == (f"Astana districts file {sources['ast_osm'].path}: feature 1 is a Point, expected "
                              f"Polygon or MultiPolygon; fix: use a layer of Polygon/MultiPolygon")


def test_a_district_in_two_parts_is_one_multipolygon(tmp_path, monkeypatch):
    _reference(tmp_path, monkeypatch)
    alm = _lonlat({"a": (0, 0, 1, 1), "b": (5, 5, 7, 7), "c": (1, 0, 4, 3)}, ALMATY)
    sources = _sources(tmp_path, almaty_rows=[("751", shapely.MultiPolygon([alm["a"], alm["b"]])), ("752", alm["c"])])
    out = build_districts(sources, Repairs())
    l1 = out[(out.vintage == "alm-1") & (out.district_id == "L1")].iloc[0]
    assert l1.geometry.geom_type == "MultiPolygon"
    assert l1.area_km2 == pytest.approx(1.0 + 4.0, rel=1e-7)
