"""Reading vector files with the checks the design asks for: a CRS, possible coordinates, no null geometry,
valid polygons (repaired with make_valid, and every repair reported and counted).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from geo.errors import BadInput, CRSError
from geo.settings import STORAGE_CRS


@dataclass
class Repairs:
    """Repairs made while reading, for the build summary and the manifest."""

    items: list[str] = field(default_factory=list)

    def add(self, what: str) -> None:
        self.items.append(what)

    def __len__(self) -> int:
        return len(self.items)


def read_vector(path: Path, *, what: str, geom_types: tuple[str, ...] | None = None,
                repairs: Repairs | None = None, repair: bool = True) -> gpd.GeoDataFrame:
    """Read a vector file into EPSG:4326, refusing files that would silently give wrong maps.

    ``repair=False`` leaves invalid polygons for the caller, who may first keep only the features it needs.
    """
    path = Path(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gdf = gpd.read_file(path)
    except Exception as exc:  # noqa: BLE001 - pyogrio raises several types for truncated or malformed files
        raise BadInput(f"cannot read {what} file {path}: {str(exc).splitlines()[0][:160]}; "
                       f"fix: the file is malformed or truncated, delete it so it is acquired again") from None
    if len(gdf) == 0:
        raise BadInput(f"{what} file {path} has no features; fix: acquire the file again")
    if gdf.crs is None:
        if path.suffix.lower() in (".geojson", ".json"):
            gdf = gdf.set_crs(STORAGE_CRS)  # RFC 7946: GeoJSON coordinates are WGS 84 lon/lat
        else:
            raise CRSError(f"{what} file {path} has no CRS; fix: add a .prj (or CRS) naming its coordinate system")
    nulls = np.flatnonzero(gdf.geometry.isna().to_numpy() | gdf.geometry.is_empty.to_numpy())
    if len(nulls):
        raise BadInput(f"{what} file {path}: feature {int(nulls[0])} has no geometry; fix: remove or redraw that feature")
    if gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(STORAGE_CRS)
    check_lonlat(gdf, path, what)
    if geom_types is not None:
        bad = ~gdf.geom_type.isin(geom_types)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise BadInput(f"{what} file {path}: feature {i} is a {gdf.geom_type.iloc[i]}, expected "
                           f"{' or '.join(geom_types)}; fix: use a layer of {'/'.join(geom_types)}")
    return repair_invalid(gdf, what=f"{what} ({path.name})", repairs=repairs) if repair else gdf


def check_lonlat(gdf: gpd.GeoDataFrame, path: Path | str, what: str) -> None:
    """Coordinates beyond lon/lat ranges mean a projected file labelled (or assumed) as lon/lat."""
    minx, miny, maxx, maxy = gdf.total_bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90) or not np.isfinite(gdf.total_bounds).all():
        raise CRSError(f"{what} file {path}: coordinates ({minx:.0f}, {miny:.0f}) .. ({maxx:.0f}, {maxy:.0f}) are not "
                       f"longitude/latitude; fix: the file is probably in metres: give it its CRS")


def repair_invalid(gdf: gpd.GeoDataFrame, *, what: str, repairs: Repairs | None) -> gpd.GeoDataFrame:
    """Make invalid polygons valid, keep only their polygonal part, and report each repair."""
    invalid = ~gdf.geometry.is_valid
    if not invalid.any():
        return gdf
    gdf = gdf.copy()
    for i in np.flatnonzero(invalid.to_numpy()):
        geom = gdf.geometry.iloc[i]
        reason = shapely.is_valid_reason(geom)
        fixed = shapely.make_valid(geom)
        if fixed.geom_type == "GeometryCollection":
            fixed = shapely.union_all([g for g in fixed.geoms if g.geom_type in ("Polygon", "MultiPolygon")])
        gdf.iloc[i, gdf.columns.get_loc(gdf.geometry.name)] = fixed
        if repairs is not None:
            repairs.add(f"{what}: feature {i} repaired with make_valid ({reason})")
    return gdf
