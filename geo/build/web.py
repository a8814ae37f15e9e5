"""Simplified GeoJSON for the browser: shared borders simplified once (coverage simplification), so neighbours
still meet, coordinates rounded to about 1 m."""

from __future__ import annotations

import geopandas as gpd
import shapely

from geo.contract import LAYERS, WEB_DISTRICT_COLUMNS
from geo.indicators.change import change_units
from geo.indicators.flows import flow_web
from geo.settings import CITIES, STORAGE_CRS, UTM_CRS

WEB_SIMPLIFY_M = 25.0  # tolerance for districts and banks, metres
REGIONS_SIMPLIFY_M = 1500.0
RIVER_SIMPLIFY_M = 10.0
WEB_DECIMALS = 5  # ~1 m


def polygons_only(geometry: shapely.Geometry) -> shapely.Geometry:
    """The polygonal parts with an area: GEOS's coverage simplification fails on zero-area slivers and on the
    lines and points that splitting a city can leave beside its polygons."""
    if geometry is None or geometry.geom_type not in ("MultiPolygon", "GeometryCollection"):
        return geometry
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type == "Polygon" and p.area > 0]
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def simplify(gdf: gpd.GeoDataFrame, crs: str, tolerance: float) -> gpd.GeoDataFrame:
    utm = gdf.to_crs(crs)
    utm = utm.set_geometry([polygons_only(g) for g in utm.geometry.values], crs=crs)
    utm = utm.set_geometry(shapely.coverage_simplify(utm.geometry.values, tolerance))
    utm = utm.set_geometry(shapely.make_valid(utm.geometry.values))
    out = utm.to_crs(STORAGE_CRS)
    return out.set_geometry(shapely.set_precision(out.geometry.values, 10 ** -WEB_DECIMALS))


def web_layers(districts: gpd.GeoDataFrame, banks: gpd.GeoDataFrame, regions: gpd.GeoDataFrame,
               river: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    """File name (under the build folder) -> frame, for every vintage with boundaries and the context layers."""
    web = {}
    cols = [*WEB_DISTRICT_COLUMNS, "geometry"]
    for vintage, gdf in districts[districts.geometry.notna()].groupby("vintage"):
        web[f"web/{vintage}.geojson"] = simplify(gdf[cols], UTM_CRS[gdf.city.iloc[0]], WEB_SIMPLIFY_M)
    context = {"banks_web": (banks, UTM_CRS["Astana"], WEB_SIMPLIFY_M),
               "regions_web": (regions, "EPSG:32642", REGIONS_SIMPLIFY_M),
               "river_web": (river, UTM_CRS["Astana"], RIVER_SIMPLIFY_M)}
    for name, (frame, crs, tolerance) in context.items():
        layer = LAYERS[name]
        web[layer.file] = simplify(frame[[*layer.columns, "geometry"]], crs, tolerance)
    return web


def change_web_layers(districts: gpd.GeoDataFrame, changes: gpd.GeoDataFrame,
                      flows: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    """web/changes_<city>.geojson (one feature per drawn unit, ``fid`` as in the `changes` layer) and
    web/flows.geojson. A unit is the union of its districts simplified as their vintage's coverage, so its
    edges are those of web/<vintage>.geojson; a city without drawn units gets an empty collection."""
    simplified = {}
    for vintage, gdf in districts[districts.geometry.notna()].groupby("vintage"):
        small = simplify(gdf[["district_id", "geometry"]], UTM_CRS[gdf.city.iloc[0]], WEB_SIMPLIFY_M)
        simplified.update({(vintage, d): g for d, g in zip(small.district_id, small.geometry.values, strict=False)})
    web = {}
    for city in CITIES:
        units = change_units(changes, city)
        shapes = [[simplified.get((v, d)) for d in fid.split(":", 1)[1].split("+")]
                  for v, fid in zip(units.vintage, units.fid, strict=False)]
        units = units.set_geometry([shapely.union_all(s) if all(g is not None for g in s) else None
                                    for s in shapes], crs=STORAGE_CRS)
        units = units.set_geometry(shapely.set_precision(units.geometry.values, 10 ** -WEB_DECIMALS))
        web[LAYERS[f"changes_{city.lower()}_web"].file] = units
    lines = flow_web(flows)
    web[LAYERS["flows_web"].file] = lines.set_geometry(shapely.set_precision(lines.geometry.values,
                                                                            10 ** -WEB_DECIMALS))
    return web
