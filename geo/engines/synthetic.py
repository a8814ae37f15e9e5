"""Seeded synthetic points over real district polygons, for tests and benchmarks only.

Every frame made here says what it is: ``df.attrs["synthetic"] = True``, ``df.attrs["label"] = "SYNTHETIC"`` and a
categorical column ``source`` equal to ``"SYNTHETIC"`` (the column survives Parquet, dask and concatenation; attrs
may not), so any table, map or benchmark fed from it can label its output synthetic.

How points are drawn
--------------------
* inside: a district is picked per point (multinomial) with probability proportional to its area in an
  equal-area projection (EPSG:6933), or to ``weights`` when given; the point is then uniform on the ground within
  that district (rejection sampling in its lon/lat box, thinned by cos(latitude) so that a degree square counts by
  its true area);
* outside: uniform in the districts' box widened by 10 % on every side, kept only where no district covers it;
* border: vertices shared by at least two districts, chosen uniformly with replacement; these lie exactly on
  shared borders and exercise the engine's border rule.

The same ``seed`` and arguments give the same points, row for row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from geo.engines.grid import _checked_geometries, build_index
from geo.errors import BadInput
from geo.io.atomic import atomic_folder

if TYPE_CHECKING:
    import geopandas as gpd
    from numpy.typing import ArrayLike

__all__ = ["SYNTHETIC_LABEL", "shared_border_vertices", "synthetic_points", "write_partitioned_parquet"]

SYNTHETIC_LABEL = "SYNTHETIC"
_EQUAL_AREA_CRS = "EPSG:6933"


def synthetic_points(
    districts: gpd.GeoDataFrame,
    n: int,
    *,
    seed: int,
    groups: Sequence[str] | Mapping[str, float] | None = None,
    weights: Sequence[float] | None = None,
    outside_share: float = 0.0,
    border_share: float = 0.0,
) -> pd.DataFrame:
    """``n`` synthetic points (columns lon, lat, [group], [weight], source="SYNTHETIC"), shuffled.

    Parameters
    ----------
    districts : geopandas.GeoDataFrame
        (Multi)Polygons in EPSG:4326.
    n : int
        Number of points.
    seed : int
        Seed of ``numpy.random.default_rng``; same seed, same points.
    groups : sequence of labels, or mapping label -> probability, optional
        Adds a categorical ``group`` column drawn at random (equal chances for a sequence).
    weights : sequence of float, optional
        Relative number of inside points per district (positional), instead of area. Adds a ``weight`` column:
        the design weight (area share / drawing share of the point's district) that makes weighted counts
        area-proportional again; 1.0 for outside and border points.
    outside_share, border_share : float
        Shares of points outside every district and exactly on shared-border vertices.
    """
    geometries = _checked_geometries(districts)
    n = _checked_count(n)
    _check_shares(outside_share, border_share)
    rng = np.random.default_rng(seed)
    n_outside = round(n * outside_share)
    n_border = round(n * border_share)
    n_inside = n - n_outside - n_border

    area_share = _area_shares(districts, geometries)
    draw_share = area_share if weights is None else _weight_shares(weights, geometries)
    per_district = rng.multinomial(n_inside, draw_share) if n_inside else np.zeros(len(geometries), np.int64)
    lon_parts, lat_parts, drawn_for = _draw(districts, geometries, per_district, n_outside, n_border, rng)

    order = rng.permutation(n)
    frame = pd.DataFrame({
        "lon": np.concatenate(lon_parts)[order] if n else np.empty(0),
        "lat": np.concatenate(lat_parts)[order] if n else np.empty(0),
    })
    if groups is not None:
        labels, probabilities = _group_probabilities(groups)
        frame["group"] = pd.Categorical.from_codes(rng.choice(len(labels), size=n, p=probabilities), labels)
    if weights is not None:
        design = np.ones(n)
        origin = np.concatenate(drawn_for)[order] if n else np.empty(0, np.int64)
        inside = origin >= 0
        design[inside] = (area_share / np.where(draw_share > 0, draw_share, np.nan))[origin[inside]]
        frame["weight"] = design
    frame["source"] = pd.Categorical([SYNTHETIC_LABEL] * n, categories=[SYNTHETIC_LABEL])
    frame.attrs.update({"synthetic": True, "label": SYNTHETIC_LABEL, "seed": int(seed),
                        "generator": "geo.engines.synthetic.synthetic_points"})
    return frame


def _check_shares(outside_share: float, border_share: float) -> None:
    for name, share in (("outside_share", outside_share), ("border_share", border_share)):
        if not 0.0 <= share <= 1.0:
            raise BadInput(f"{name} must be between 0 and 1, got {share}")
    if outside_share + border_share > 1.0:
        raise BadInput(f"outside_share + border_share = {outside_share + border_share} exceeds 1")


def _draw(districts: gpd.GeoDataFrame, geometries: np.ndarray, per_district: np.ndarray, n_outside: int, n_border: int,
          rng: np.random.Generator) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """The points' longitudes and latitudes in parts (each district's, then outside, then on shared borders)
    and, per part, the position of the district each was drawn for (-1: none)."""
    lon_parts, lat_parts, drawn_for = [], [], []
    for position, count in enumerate(per_district):
        if count:
            lon, lat = _uniform_in_polygon(geometries[position], int(count), rng)
            lon_parts.append(lon)
            lat_parts.append(lat)
            drawn_for.append(np.full(int(count), position))
    if n_outside:
        lon, lat = _uniform_outside(districts, geometries, n_outside, rng)
        lon_parts.append(lon)
        lat_parts.append(lat)
        drawn_for.append(np.full(n_outside, -1))
    if n_border:
        vertices = shared_border_vertices(districts)
        if not len(vertices):
            raise BadInput("border_share > 0 but the districts share no vertex; pass border_share=0")
        chosen = vertices[rng.integers(0, len(vertices), n_border)]
        lon_parts.append(chosen[:, 0])
        lat_parts.append(chosen[:, 1])
        drawn_for.append(np.full(n_border, -1))
    return lon_parts, lat_parts, drawn_for


def shared_border_vertices(districts: gpd.GeoDataFrame | gpd.GeoSeries) -> np.ndarray:
    """(k, 2) lon/lat of vertices that belong to the rings of two or more districts, sorted, unique."""
    geometries = _checked_geometries(districts)
    coords, owner = shapely.get_coordinates(geometries, return_index=True)
    pairs = np.unique(np.column_stack([coords, owner]), axis=0)  # one row per (vertex, district)
    vertices, counts = np.unique(pairs[:, :2], axis=0, return_counts=True)
    return vertices[counts >= 2]


def write_partitioned_parquet(df: pd.DataFrame, folder: str | Path, n_partitions: int) -> Path:
    """Write ``df`` as ``n_partitions`` files ``part-00000.parquet``... in ``folder``, replacing it atomically.

    The files are written to a temporary sibling folder first, so a failure leaves the previous folder intact.
    Synthetic frames also get the Parquet key-value metadata ``synthetic=true`` in every file.
    """
    folder = Path(folder)
    if n_partitions < 1:
        raise BadInput(f"n_partitions must be at least 1, got {n_partitions}")
    bounds = np.linspace(0, len(df), n_partitions + 1).astype(int)
    synthetic = bool(df.attrs.get("synthetic")) or (
        "source" in df.columns and bool((df["source"].astype(object) == SYNTHETIC_LABEL).any()))
    with atomic_folder(folder) as staging:
        for part, (start, stop) in enumerate(pairwise(bounds)):
            table = pa.Table.from_pandas(df.iloc[start:stop], preserve_index=False)
            if synthetic:  # key-value metadata that readers (geo.io.userfile) take as "this whole file is synthetic"
                table = table.replace_schema_metadata({**(table.schema.metadata or {}), b"synthetic": b"true"})
            pq.write_table(table, staging / f"part-{part:05d}.parquet")
    return folder


# ----------------------------------------------------------------------------------------------------- helpers


def _checked_count(n: object) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise BadInput(f"n must be a non-negative whole number of points, got {n!r}")
    return int(n)


def _area_shares(districts: gpd.GeoDataFrame, geometries: np.ndarray) -> np.ndarray:
    import geopandas as gpd

    present = np.array([g is not None and not shapely.is_empty(g) for g in geometries])
    areas = np.zeros(len(geometries))
    if present.any():
        series = gpd.GeoSeries(geometries[present], crs=districts.crs).to_crs(_EQUAL_AREA_CRS)
        areas[present] = series.area.to_numpy()
    if areas.sum() <= 0:
        raise BadInput("districts have no area to draw points in; check that their geometries are not all empty")
    return areas / areas.sum()


def _weight_shares(weights: ArrayLike, geometries: np.ndarray) -> np.ndarray:
    values = np.asarray(weights, dtype=np.float64)
    if values.shape != (len(geometries),):
        raise BadInput(f"weights has {values.size} values for {len(geometries)} districts; give one per district")
    if not np.isfinite(values).all() or (values < 0).any() or values.sum() <= 0:
        raise BadInput("weights must be finite, non-negative and not all zero")
    empty = np.array([g is None or shapely.is_empty(g) for g in geometries])
    if (values[empty] > 0).any():
        raise BadInput(f"weights give points to district(s) at {np.flatnonzero(empty & (values > 0)).tolist()}, "
                       "which have no geometry; set their weight to 0")
    return values / values.sum()


def _group_probabilities(groups: Sequence[str] | Mapping[str, float]) -> tuple[list[str], np.ndarray]:
    if isinstance(groups, Mapping):
        labels = [str(label) for label in groups]
        probabilities = np.asarray(list(groups.values()), dtype=np.float64)
    else:
        labels = [str(label) for label in groups]
        probabilities = np.ones(len(labels))
    if not labels or len(set(labels)) != len(labels):
        raise BadInput(f"groups must be a non-empty list of distinct labels, got {labels}")
    if not np.isfinite(probabilities).all() or (probabilities < 0).any() or probabilities.sum() <= 0:
        raise BadInput("group probabilities must be finite, non-negative and not all zero")
    return labels, probabilities / probabilities.sum()


def _uniform_in_polygon(
    geometry: shapely.Geometry, count: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Rejection sampling in the lon/lat box, with cos(lat) thinning for uniformity on the ground."""
    xmin, ymin, xmax, ymax = shapely.bounds(geometry)
    box_area = (xmax - xmin) * (ymax - ymin)
    acceptance = max(float(shapely.area(geometry)) / box_area, 1e-3) if box_area > 0 else 1.0
    cos_max = np.cos(np.radians(min(abs(ymin), abs(ymax)) if ymin * ymax > 0 else 0.0))
    shapely.prepare(geometry)
    got_lon, got_lat, have = [], [], 0
    while have < count:
        batch = int((count - have) / acceptance * 1.2) + 64
        lon = rng.uniform(xmin, xmax, batch)
        lat = rng.uniform(ymin, ymax, batch)
        keep = rng.random(batch) * cos_max <= np.cos(np.radians(lat))
        keep[keep] = shapely.intersects_xy(geometry, lon[keep], lat[keep])
        got_lon.append(lon[keep])
        got_lat.append(lat[keep])
        have += int(keep.sum())
    return np.concatenate(got_lon)[:count], np.concatenate(got_lat)[:count]


def _uniform_outside(
    districts: gpd.GeoDataFrame, geometries: np.ndarray, count: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    index = build_index(districts, expected_points=count)
    present = [g for g in geometries if g is not None and not shapely.is_empty(g)]
    xmin, ymin, xmax, ymax = shapely.total_bounds(present)
    pad_x, pad_y = 0.1 * (xmax - xmin), 0.1 * (ymax - ymin)
    got_lon, got_lat, have = [], [], 0
    while have < count:
        batch = 2 * (count - have) + 64
        lon = rng.uniform(xmin - pad_x, xmax + pad_x, batch)
        lat = rng.uniform(ymin - pad_y, ymax + pad_y, batch)
        keep = index.assign(lon, lat) == -1
        got_lon.append(lon[keep])
        got_lat.append(lat[keep])
        have += int(keep.sum())
    return np.concatenate(got_lon)[:count], np.concatenate(got_lat)[:count]
