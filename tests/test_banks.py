"""Astana's banks: hand-made squares cut by a strip of river, and the real mirror data (city, Esil, OSM districts)."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import box

from geo.domain import banks as banks_mod
from geo.errors import BadInput
from geo.io.acquire import acquire
from geo.io.vector import read_vector
from geo.settings import STORAGE_CRS, UTM_CRS

UTM = UTM_CRS["Astana"]
X0, Y0 = 670_000.0, 5_665_000.0  # a spot near 71.45E, inside the band where the river layer is complete
ESIL, NURA, ALMATY, SARYARKA, BAIKONUR = "711210000", "711510000", "711110000", "711310000", "711410000"
SARAISHYK = "osm-relation-19733918"


def _to_storage(geom: shapely.Geometry) -> shapely.Geometry:
    return gpd.GeoSeries([geom], crs=UTM).to_crs(STORAGE_CRS).iloc[0]


def _square_case(water_utm: shapely.Geometry):
    """A 1 km square city: Esil below y=500 m, Almaty above; the given water. Returns the built banks in UTM."""
    city = box(X0, Y0, X0 + 1000, Y0 + 1000)
    districts = gpd.GeoDataFrame(
        {"district_id": [ESIL, ALMATY], "city": ["Astana"] * 2, "vintage": ["astana-6"] * 2},
        geometry=[box(X0, Y0, X0 + 1000, Y0 + 500), box(X0, Y0 + 500, X0 + 1000, Y0 + 1000)], crs=UTM,
    ).to_crs(STORAGE_CRS)
    banks = banks_mod.build_banks(_to_storage(city), _to_storage(water_utm), districts)
    return banks.to_crs(UTM).set_index("bank"), districts


def _strip(x_from: float, x_to: float, y_from: float = 490, y_to: float = 510) -> shapely.Geometry:
    return box(X0 + x_from, Y0 + y_from, X0 + x_to, Y0 + y_to)


def test_strip_river_cuts_a_square_city_in_exact_halves():
    banks, districts = _square_case(_strip(0, 1000))
    assert banks.area["left"] == pytest.approx(490_000, abs=1.0)
    assert banks.area["right"] == pytest.approx(490_000, abs=1.0)
    south = box(X0, Y0, X0 + 1000, Y0 + 490)
    assert banks.geometry["left"].intersection(south).area == pytest.approx(490_000, abs=1.0)  # left = south
    assert banks.water_km2.iloc[0] == pytest.approx(0.02, abs=1e-6)
    shares = banks_mod.district_banks(districts, banks.reset_index().to_crs(STORAGE_CRS)).set_index("district_id")
    assert shares.loc[ESIL, "bank"] == "left" and shares.loc[ALMATY, "bank"] == "right"


def test_gap_in_the_river_is_crossed_along_the_divide():
    # A 40 m gap in the strip: the OSM divide (y=500) bridges it, joined to the water by short straight links,
    # so the gap's 800 m² of land split about in halves (each side within 50 m² of 400 m²).
    water = shapely.union(_strip(0, 480), _strip(520, 1000))
    banks, _ = _square_case(water)
    assert banks.area.sum() == pytest.approx(1_000_000 - water.area, abs=1.0)
    assert banks.area["left"] == pytest.approx(490_400, abs=50.0)
    assert banks.area["right"] == pytest.approx(490_400, abs=50.0)


def test_island_goes_by_its_side_of_the_main_stream():
    # A side channel loops south of the strip; the land it encloses lies south of the main stream: left bank.
    loop = shapely.union_all([_strip(200, 800, 300, 320), _strip(200, 220, 300, 490), _strip(780, 800, 300, 490)])
    banks, _ = _square_case(shapely.union(_strip(0, 1000), loop))
    island = box(X0 + 220, Y0 + 320, X0 + 780, Y0 + 490)
    assert banks.geometry["left"].intersection(island).area == pytest.approx(island.area, abs=1.0)
    assert banks.area["left"] == pytest.approx(490_000 - loop.area, abs=1.0)


def test_districts_without_left_bank_ones_are_refused():
    city = _to_storage(box(X0, Y0, X0 + 1000, Y0 + 1000))
    districts = gpd.GeoDataFrame({"district_id": [ALMATY], "city": ["Astana"], "vintage": ["astana-6"]},
                                 geometry=[city], crs=STORAGE_CRS)
    with pytest.raises(BadInput, match="Esil"):
        banks_mod.build_banks(city, _to_storage(_strip(0, 1000)), districts)


@pytest.fixture(scope="module")
def astana(built):
    """The build's inputs: OSM city outline, the repaired geoportal river, the astana-6 districts."""
    city = read_vector(acquire("astana_city_osm", allow_download=False).path, what="Astana city outline")
    river = read_vector(acquire("esil_river_geoportal", allow_download=False).path, what="Esil river")
    districts = gpd.read_parquet(built / "districts.parquet")
    latest = districts[districts.vintage == "astana-6"]
    outline, water = city.geometry.iloc[0], shapely.union_all(river.geometry.values)
    banks = banks_mod.build_banks(outline, water, latest)
    return {"city": outline, "river": water, "districts": latest, "banks": banks,
            "edge": banks_mod.bank_edge(outline, water, latest), "shares": banks_mod.district_banks(latest, banks)}


@pytest.mark.mirror
def test_real_districts_sit_on_their_bank(astana):
    shares = astana["shares"].set_index("district_id").bank_left_share
    print(shares.round(4).to_dict())
    assert shares[ESIL] >= 0.98
    # Nura: the geoportal's main channel runs up to ~1 km south of the OSM border west of 71.40E, so the land
    # between them (about 2.6% of Nura) lies on the right bank of the river polygon.
    assert 0.95 <= shares[NURA] < 0.98
    assert max(shares[ALMATY], shares[SARYARKA], shares[BAIKONUR], shares[SARAISHYK]) <= 0.02


@pytest.mark.mirror
def test_real_banks_and_water_tile_the_city(astana):
    utm = astana["banks"].to_crs(UTM).set_index("bank")
    city_km2 = gpd.GeoSeries([astana["city"]], crs=STORAGE_CRS).to_crs(UTM).area.iloc[0] / 1e6
    assert utm.area.sum() / 1e6 + utm.water_km2.iloc[0] == pytest.approx(city_km2, rel=0.001)
    assert utm.geometry["left"].intersection(utm.geometry["right"]).area < 1.0  # m²
    assert utm.area["left"] / 1e6 == pytest.approx(utm.area_km2["left"])
    note = astana["banks"].error_note.iloc[0]
    assert "west of 71.40E" in note and "71.40-71.60E" in note and "east of 71.60E" in note


@pytest.mark.mirror
def test_real_edge_follows_the_river_between_71_40_and_71_60(astana):
    water = gpd.GeoSeries([astana["river"]], crs=STORAGE_CRS).to_crs(UTM).iloc[0]
    edge = gpd.GeoSeries([astana["edge"]], crs=STORAGE_CRS).to_crs(UTM).iloc[0]
    band = banks_mod._lon_band_utm(71.40, 71.60)
    away = shapely.intersection(edge, band).difference(water.buffer(30.0))
    # The only stretch farther than 30 m from the river is the crossing of the one gap in the river layer there
    # (~300 m between the two main pieces near 71.50E), taken along the OSM divide.
    pieces = sorted(shapely.get_parts(shapely.intersection(water, band)), key=lambda p: -p.area)[:2]
    gap = shapely.shortest_line(*pieces)
    assert gap.length < 320
    assert away.length <= gap.length and away.difference(gap.buffer(60.0)).length < 1.0
