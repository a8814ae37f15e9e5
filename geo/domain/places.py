"""The gazetteer as one point layer: documented migrant settlement areas, Astana's state institutions, former
villages from Who's On First, and (when the network allowed) OSM's state-institution points. Places without a
sourced coordinate keep a null geometry: listed, never placed by guesswork.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from geo.errors import BadInput
from geo.io.acquire import Acquired
from geo.io.vector import read_vector
from geo.settings import STORAGE_CRS, reference_dir

PLACE_COLUMNS = ["place_id", "city", "list", "name_en", "name_ru", "name_kk", "kind", "migrant_link", "evidence",
                 "source", "coord_source", "note", "population", "population_year"]
_GAZETTEER = {"migrant_settlement_places.csv": "migrant_settlement", "state_institutions_astana.csv": "state_institution"}
WOF_CITY = {"Astana (city)": "Astana", "Almaty (city)": "Almaty", "Shymkent (city)": "Shymkent"}


def _point(lat: str, lon: str, where: str) -> Point | None:
    if not lat and not lon:
        return None
    try:
        x, y = float(lon), float(lat)
    except ValueError:
        raise BadInput(f"{where}: coordinates '{lat}', '{lon}' are not numbers; fix: decimal degrees or empty") from None
    if not (40 <= y <= 56 and 46 <= x <= 88):
        raise BadInput(f"{where}: ({y}, {x}) is outside Kazakhstan; fix: check lat/lon order and sign")
    return Point(x, y)


def gazetteer_places() -> gpd.GeoDataFrame:
    frames = []
    for file, list_name in _GAZETTEER.items():
        df = pd.read_csv(reference_dir() / file, dtype=str, keep_default_na=False)
        geoms = [_point(r.lat, r.lon, f"{file} row {i + 2}") for i, r in enumerate(df.itertuples())]
        frames.append(gpd.GeoDataFrame({
            "place_id": df["id"], "city": df["city"], "list": list_name, "name_en": df["name_en"],
            "name_ru": df["name_ru"], "name_kk": df["name_kk"], "kind": df["kind"],
            "migrant_link": df["migrant_link"], "evidence": df["evidence_paraphrase"], "source": df["evidence_source"],
            "coord_source": df["coord_source"], "note": df["note"], "population": df["population"],
            "population_year": df["population_year"],
        }, geometry=geoms, crs=STORAGE_CRS))
    return pd.concat(frames, ignore_index=True)


def wof_localities(acq: Acquired) -> gpd.GeoDataFrame:
    gdf = read_vector(acq.path, what="Who's On First localities", geom_types=("Point",))
    return gpd.GeoDataFrame({
        "place_id": "wof:" + gdf["wof_id"].astype(str), "city": gdf.get("city", pd.Series(None, index=gdf.index)).map(WOF_CITY),
        "list": "locality", "name_en": gdf["name"], "name_ru": gdf["name_ru"], "name_kk": gdf["name_kk"],
        "kind": "locality (former village)", "migrant_link": "n/a",
        "evidence": None, "source": "Who's On First admin-kz @ 65a9c3ae; GeoNames " + gdf["geonames_id"].astype(str),
        "coord_source": "GeoNames via Who's On First", "note": None, "population": None, "population_year": None,
    }, geometry=gdf.geometry.values, crs=STORAGE_CRS)


def osm_institutions(acq: Acquired) -> gpd.GeoDataFrame:
    gdf = read_vector(acq.path, what="OSM state institutions", geom_types=("Point",))
    return gpd.GeoDataFrame({
        "place_id": gdf["osm_id"], "city": "Astana", "list": "state_institution_osm",
        "name_en": gdf["name_en"], "name_ru": gdf["name_ru"].fillna(gdf["name"]), "name_kk": gdf["name_kk"],
        "kind": gdf["kind"], "migrant_link": "n/a", "evidence": None, "source": "OpenStreetMap (Overpass)",
        "coord_source": "OpenStreetMap", "note": None, "population": None, "population_year": None,
    }, geometry=gdf.geometry.values, crs=STORAGE_CRS)


def locate(places: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, banks: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """District (latest boundaries) and Astana bank of every place that has coordinates."""
    places = places.copy()
    located = places[places.geometry.notna()]
    hits = gpd.sjoin(located[["geometry"]], districts[["district_id", "city", "geometry"]], predicate="intersects")
    hits = hits[~hits.index.duplicated(keep="first")]
    places["district_id"] = hits.district_id.reindex(places.index)
    places["city"] = places.city.fillna(hits.city.reindex(places.index))
    places["bank"] = None
    if banks is not None:
        in_astana = places.geometry.notna() & (places.city == "Astana")  # the city as filled in just above
        on = gpd.sjoin(places.loc[in_astana, ["geometry"]], banks[["bank", "geometry"]], predicate="intersects")
        on = on[~on.index.duplicated(keep="first")]
        places["bank"] = on.bank.reindex(places.index)
    return places
