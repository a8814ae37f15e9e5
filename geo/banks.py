"""Astana's left and right banks of the Esil, and each district's bank.

Method: the bank edge is the OSM border between the left-bank districts (Esil, Nura) and the others, which follows
the river within 0-25 m between 71.40E and 71.60E; the Astana geoportal river polygon (complete west of 71.60E)
is then taken out of both banks, since water is neither bank. The river polygon does not form an unbroken cut
across the city (it has gaps and meets the city edge in several places), so it cannot define the edge on its own.
Known error: west of 71.40E the border is up to about 1 km from the river, east of 71.60E up to about 630 m;
land strips of that width may sit on the wrong bank there. The build measures and records that error.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from geo.settings import STORAGE_CRS, UTM_CRS

LEFT_BANK_DISTRICTS = ("711210000", "711510000")  # Esil, Nura: the left bank by decree and creation texts
BANK_SHARE_TOLERANCE = 0.02  # a district with >= 98% of its land on one bank is on that bank
METHOD = (
    "Bank edge: the OSM border between Esil+Nura (left) and the other districts; the Astana geoportal river "
    "polygon (made valid) is taken out of both banks. Land outside every district (the southern exclave) takes "
    "the bank of the nearest district."
)
KNOWN_ERROR = (
    "The OSM border follows the river within 0-25 m between 71.40E and 71.60E, but lies up to ~1 km from it west "
    "of 71.40E and up to ~630 m east of 71.60E: land strips of that width may sit on the wrong bank there."
)


def bank_divide_line(districts: gpd.GeoDataFrame) -> shapely.Geometry:
    """The shared border of the left-bank districts and the others (the OSM-derived bank divide)."""
    utm = districts.to_crs(UTM_CRS["Astana"])
    left = shapely.union_all(utm[utm.district_id.isin(LEFT_BANK_DISTRICTS)].geometry.values)
    right = shapely.union_all(utm[~utm.district_id.isin(LEFT_BANK_DISTRICTS)].geometry.values)
    line = shapely.line_merge(shapely.intersection(left.boundary, right.buffer(1.0)))
    return gpd.GeoSeries([line], crs=UTM_CRS["Astana"]).to_crs(STORAGE_CRS).iloc[0]


def build_banks(city_outline: shapely.Geometry, river: shapely.Geometry,
                districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Left and right bank polygons of Astana (EPSG:4326), with method and known error as columns."""
    crs = UTM_CRS["Astana"]
    city = gpd.GeoSeries([city_outline], crs=STORAGE_CRS).to_crs(crs).iloc[0]
    water = gpd.GeoSeries([river], crs=STORAGE_CRS).to_crs(crs).iloc[0]
    utm = districts.to_crs(crs)
    left_d = shapely.union_all(utm[utm.district_id.isin(LEFT_BANK_DISTRICTS)].geometry.values)
    right_d = shapely.union_all(utm[~utm.district_id.isin(LEFT_BANK_DISTRICTS)].geometry.values)
    land = shapely.difference(city, water)
    left, right = shapely.intersection(land, left_d), shapely.intersection(land, right_d)
    rest = shapely.difference(land, shapely.union(left_d, right_d))
    for piece in getattr(rest, "geoms", [rest]):
        if piece.area < 1.0:  # sub-square-metre slivers where outlines disagree
            continue
        if piece.distance(left_d) <= piece.distance(right_d):
            left = shapely.union(left, piece)
        else:
            right = shapely.union(right, piece)
    banks = gpd.GeoDataFrame({"bank": ["left", "right"], "geometry": [left, right]}, geometry="geometry", crs=crs)
    banks["area_km2"] = banks.area / 1e6
    banks["water_km2"] = shapely.intersection(city, water).area / 1e6
    banks["method"], banks["error_note"] = METHOD, KNOWN_ERROR
    return banks.to_crs(STORAGE_CRS)


def district_banks(districts: gpd.GeoDataFrame, banks: gpd.GeoDataFrame) -> pd.DataFrame:
    """Each Astana district's share of land on the left bank, and its bank (left, right, or both)."""
    crs = UTM_CRS["Astana"]
    utm = districts[(districts.city == "Astana") & districts.geometry.notna()].to_crs(crs)
    b = banks.to_crs(crs).set_index("bank").geometry
    rows = []
    for row in utm.itertuples():
        left, right = row.geometry.intersection(b["left"]).area, row.geometry.intersection(b["right"]).area
        share = left / (left + right) if left + right > 0 else float("nan")
        bank = "left" if share >= 1 - BANK_SHARE_TOLERANCE else "right" if share <= BANK_SHARE_TOLERANCE else "both"
        rows.append({"district_id": row.district_id, "vintage": row.vintage, "bank": bank, "bank_left_share": share})
    return pd.DataFrame(rows)
