"""Canonical districts for every boundary vintage, with lineage as data (data/reference/vintages.csv and
lineage.csv), so a figure can be joined to the boundaries valid at its date.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from geo.domain.vintages import district_table, lineage_table, vintage_table
from geo.errors import BadInput, UnknownName
from geo.io.acquire import Acquired
from geo.io.vector import Repairs, read_vector, repair_invalid
from geo.settings import STORAGE_CRS, UTM_CRS

DISTRICT_COLUMNS = ["district_id", "city", "vintage", "valid_from", "valid_to", "name_en", "name_ru", "name_kk",
                    "area_km2", "geometry_source"]
_RELATION_KEYS = ("osm_relation", "osm-relation-id", "osm_id")


def _relation_id(props: pd.Series) -> str | None:
    for key in _RELATION_KEYS:
        if key in props and pd.notna(props[key]):
            return str(props[key]).lstrip("-")
    return None


def _from_osm(acq: Acquired, city: str, repairs: Repairs) -> gpd.GeoDataFrame:
    gdf = read_vector(acq.path, what=f"{city} districts", geom_types=("Polygon", "MultiPolygon"), repairs=repairs)
    table = district_table()
    by_relation = dict(zip(table.osm_relation, table.district_id, strict=False))
    ids = []
    for i, props in gdf.iterrows():
        rel = _relation_id(props)
        if rel not in by_relation:
            raise UnknownName(f"{acq.path}: feature {i} is OSM relation {rel}, not a known district of {city}; "
                              f"fix: add it to data/reference/districts.csv")
        ids.append(by_relation[rel])
    return gpd.GeoDataFrame({"district_id": ids}, geometry=gdf.geometry.values, crs=STORAGE_CRS)


def _from_geokz(acq: Acquired, city: str, repairs: Repairs) -> gpd.GeoDataFrame:
    shp = next(p for p in acq.paths if p.suffix == ".shp")
    gdf = read_vector(shp, what="geokz districts", geom_types=("Polygon", "MultiPolygon"), repair=False)
    table = district_table()
    kato = dict(zip(table.kato, table.district_id, strict=False))
    ours = table[table.city == city].kato.tolist()
    gdf = gdf[gdf["KATO"].astype(str).isin(ours)]
    gdf = repair_invalid(gdf, what=f"geokz districts of {city}", repairs=repairs)
    return gpd.GeoDataFrame({"district_id": [kato[k] for k in gdf["KATO"].astype(str)]},
                            geometry=gdf.geometry.values, crs=STORAGE_CRS)


def _members(vintage: str) -> list[str]:
    """Districts of a vintage, read from lineage (as child or as parent)."""
    lin = lineage_table()
    ids = list(lin.loc[lin.vintage == vintage, "district_id"]) + list(lin.loc[lin.parent_vintage == vintage, "parent_id"])
    return list(dict.fromkeys(ids))


def _from_lineage(child: gpd.GeoDataFrame, vintage: str, child_vintage: str) -> gpd.GeoDataFrame:
    """Older boundaries as unions of their successors: astana-4 Esil = astana-5 Esil + Nura."""
    lin = lineage_table()
    lin = lin[(lin.vintage == child_vintage) & (lin.parent_vintage == vintage)]
    rows = []
    for parent_id, group in lin.groupby("parent_id", sort=False):
        parts = child[child.district_id.isin(group.district_id)]
        if len(parts) != group.district_id.nunique():
            raise BadInput(f"lineage.csv: {vintage} {parent_id} needs {list(group.district_id)} of {child_vintage}")
        rows.append({"district_id": parent_id, "geometry": shapely.union_all(parts.geometry.values)})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=STORAGE_CRS)


def build_districts(sources: dict[str, Acquired], repairs: Repairs) -> gpd.GeoDataFrame:
    """Every vintage of every city as one GeoDataFrame (geometry None where no boundary file exists)."""
    names = district_table().set_index("district_id")
    built: dict[str, gpd.GeoDataFrame] = {}
    vintages = vintage_table()
    # Vintages made from files first, then those derived from them through lineage.
    order = sorted(vintages.itertuples(), key=lambda r: r.geometry.startswith("lineage:"))
    frames = []
    for v in order:
        if v.geometry == "none":
            gdf = gpd.GeoDataFrame({"district_id": _members(v.vintage)}, geometry=[None] * len(_members(v.vintage)),
                                   crs=STORAGE_CRS)
        elif v.geometry.startswith("lineage:"):
            gdf = _from_lineage(built[v.geometry.split(":", 1)[1]], v.vintage, v.geometry.split(":", 1)[1])
        elif v.geometry.startswith("geokz"):
            gdf = _from_geokz(sources[v.geometry], v.city, repairs)
        else:
            gdf = _from_osm(sources[v.geometry], v.city, repairs)
        dup = gdf.district_id[gdf.district_id.duplicated()]
        if len(dup):
            raise BadInput(f"vintage {v.vintage}: district {dup.iloc[0]} appears twice in {v.geometry}; fix the source")
        if len(gdf) != int(v.n_districts):
            raise BadInput(f"vintage {v.vintage}: {len(gdf)} districts from {v.geometry}, expected {v.n_districts} "
                           f"(data/reference/vintages.csv)")
        gdf["city"], gdf["vintage"] = v.city, v.vintage
        gdf["valid_from"], gdf["valid_to"] = v.valid_from or None, v.valid_to or None
        gdf["geometry_source"] = v.geometry
        built[v.vintage] = gdf
        frames.append(gdf)
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=STORAGE_CRS)
    for col in ("name_en", "name_ru", "name_kk"):
        out[col] = out.district_id.map(names[col])
    out["area_km2"] = area_km2(out)
    order_v = {v: i for i, v in enumerate(vintages.vintage)}
    out = out.sort_values(["vintage", "district_id"], key=lambda s: s.map(order_v) if s.name == "vintage" else s)
    return out[DISTRICT_COLUMNS + ["geometry"]].reset_index(drop=True)


def area_km2(gdf: gpd.GeoDataFrame) -> pd.Series:
    """Areas measured in each city's UTM zone (42N Astana/Shymkent, 43N Almaty); None without geometry."""
    areas = pd.Series(float("nan"), index=gdf.index)
    for city, crs in UTM_CRS.items():
        mask = (gdf.city == city) & gdf.geometry.notna()
        if mask.any():
            areas[mask] = gdf.loc[mask].to_crs(crs).area / 1e6
    return areas
