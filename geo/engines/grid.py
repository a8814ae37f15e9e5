"""Point-in-district assignment for millions of points, exact and many times faster than ``geopandas.sjoin``.

Why a grid: a city has a handful of districts with a few thousand vertices, and almost every point lies far from
any border. We rasterise the districts once onto a regular lon/lat grid:

* cells crossed (or touched, with a tiny safety margin) by any polygon edge are *boundary* cells;
* every other cell lies wholly inside the same set of districts as its centre, which a scan-line parity pass
  computes for all cells at once (one bit per district, XOR-accumulated along each row).

A point in a non-boundary cell gets its district by one array lookup; only points in boundary cells (about 1-2 %
of them at the default resolution) are tested exactly with ``shapely.intersects_xy`` on prepared polygons. The grid
stays in lon/lat so no reprojection can move a point across a border: assignments equal the sjoin reference
bit for bit.

Rules
-----
Border rule
    a point is assigned to the district with the LOWEST positional index among those whose *closed* polygon
    covers it. So a point exactly on a border shared by two districts goes to the lower-indexed one, a point where
    two districts overlap likewise, and a point on the outer edge of the city counts as inside. This is exactly
    ``geopandas.sjoin(points, districts, predicate="intersects")`` keeping the lowest ``index_right`` per point.
Missing coordinates
    a point whose lon or lat is NaN or infinite gets -1, like a point outside every district. The engine does not
    raise for them: callers report them with :func:`non_finite_mask` (they must say how many rows were unusable,
    never drop them silently).
CRS
    districts must be in EPSG:4326 (lon/lat; OGC:CRS84 is accepted as the same thing), else
    :class:`geo.errors.CRSError`.
Geometry
    districts must be (Multi)Polygons and valid; missing or empty geometries never receive points.

Public API
----------
``assign_points(districts, lon, lat, *, chunk_size=1_000_000) -> np.ndarray``
``build_index(districts, *, expected_points=None, max_cells=..., target_boundary_share=0.01) -> DistrictIndex``
``DistrictIndex.assign(lon, lat, *, chunk_size=1_000_000) -> np.ndarray``
``non_finite_mask(lon, lat) -> np.ndarray``
``reference_sjoin(districts, lon, lat) -> np.ndarray`` (the slow reference, for tests and benchmarks)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import shapely
from numpy.typing import ArrayLike

from geo.errors import BadInput, CRSError

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["DistrictIndex", "assign_points", "build_index", "non_finite_mask", "reference_sjoin"]

DEFAULT_MAX_CELLS = 1 << 23  # 8.4 M cells: int16 labels take 16 MB
MIN_CELLS = 1 << 14
_BOUNDARY = -2
_OUTSIDE = -1


@dataclass
class DistrictIndex:
    """A prebuilt grid over a set of districts; build once with :func:`build_index`, then call :meth:`assign`.

    Picklable (geometries travel as WKB), so it can be shipped to dask workers.
    """

    geometries: np.ndarray  # shapely geometries, positional order of the districts
    x0: float
    y0: float
    inv_hx: float  # cells per degree of longitude
    inv_hy: float
    n_cols: int
    n_rows: int
    labels: np.ndarray = field(repr=False)  # flat, row-major: district position, -1 outside, -2 boundary
    bboxes: np.ndarray = field(repr=False)  # (n, 4) xmin, ymin, xmax, ymax; NaN for missing geometries

    @property
    def n_cells(self) -> int:
        return self.n_rows * self.n_cols

    @property
    def boundary_cell_share(self) -> float:
        """Share of grid cells needing an exact test (of all cells, not of points)."""
        return float(np.count_nonzero(self.labels == _BOUNDARY)) / self.n_cells

    def assign(self, lon: ArrayLike, lat: ArrayLike, *, chunk_size: int = 1_000_000) -> np.ndarray:
        """Positional district index per point (int64), -1 outside every district or non-finite.

        See the module docstring for the border rule. ``chunk_size`` bounds the temporary memory; the result does
        not depend on it.
        """
        x, y = _as_coordinate_arrays(lon, lat)
        if chunk_size < 1:
            raise BadInput(f"chunk_size must be a positive number of points, got {chunk_size}")
        shapely.prepare(self.geometries)
        out = np.empty(x.shape[0], dtype=np.int64)
        for start in range(0, x.shape[0], chunk_size):
            stop = min(start + chunk_size, x.shape[0])
            out[start:stop] = self._assign_chunk(x[start:stop], y[start:stop])
        return out

    def _assign_chunk(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        fx = (x - self.x0) * self.inv_hx
        fy = (y - self.y0) * self.inv_hy
        # NaN fails every comparison, so non-finite points stay outside the grid and get -1.
        on_grid = (fx >= 0) & (fx < self.n_cols) & (fy >= 0) & (fy < self.n_rows)
        result = np.full(x.shape[0], _OUTSIDE, dtype=np.int64)
        cell = fy[on_grid].astype(np.int64) * self.n_cols + fx[on_grid].astype(np.int64)
        result[on_grid] = self.labels[cell]
        exact = np.flatnonzero(result == _BOUNDARY)
        if exact.size:
            result[exact] = self._exact(x[exact], y[exact])
        return result

    def _exact(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Lowest-index covering district for points in boundary cells (prepared GEOS tests)."""
        found = np.full(x.shape[0], _OUTSIDE, dtype=np.int64)
        for position, geometry in enumerate(self.geometries):
            xmin, ymin, xmax, ymax = self.bboxes[position]
            if geometry is None or np.isnan(xmin):
                continue
            todo = np.flatnonzero((found == _OUTSIDE) & (x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax))
            if todo.size:
                hit = shapely.intersects_xy(geometry, x[todo], y[todo])
                found[todo[hit]] = position
        return found


def assign_points(
    districts: gpd.GeoDataFrame | gpd.GeoSeries,
    lon: ArrayLike,
    lat: ArrayLike,
    *,
    chunk_size: int = 1_000_000,
) -> np.ndarray:
    """Positional index into ``districts`` of the district holding each point; -1 for none or non-finite.

    Parameters
    ----------
    districts : geopandas.GeoDataFrame or GeoSeries
        (Multi)Polygons in EPSG:4326.
    lon, lat : array-like of float
        Same length, degrees.
    chunk_size : int
        Points handled at once; bounds temporary memory, never changes the result.

    Returns
    -------
    numpy.ndarray of int64, one per point. Equal to the lowest ``index_right`` of
    ``geopandas.sjoin(points, districts.reset_index(drop=True), predicate="intersects")`` per point.
    """
    x, _ = _as_coordinate_arrays(lon, lat)
    index = build_index(districts, expected_points=x.shape[0])
    return index.assign(lon, lat, chunk_size=chunk_size)


def non_finite_mask(lon: ArrayLike, lat: ArrayLike) -> np.ndarray:
    """True where a point cannot be placed (NaN or infinite lon or lat), so callers can report those rows."""
    x, y = _as_coordinate_arrays(lon, lat)
    return ~(np.isfinite(x) & np.isfinite(y))


def build_index(
    districts: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    expected_points: int | None = None,
    max_cells: int = DEFAULT_MAX_CELLS,
    target_boundary_share: float = 0.01,
) -> DistrictIndex:
    """Rasterise ``districts`` onto an adaptive lon/lat grid (see module docstring).

    The cell size aims for boundary cells covering ``target_boundary_share`` of the districts' area; the number
    of cells is capped by ``max_cells`` and, when ``expected_points`` is given, by ``4 * expected_points`` so that
    a small batch of points does not pay for a fine grid. The result is exact whatever the resolution.
    """
    geometries = _checked_geometries(districts)
    present = np.array([g is not None and not shapely.is_empty(g) for g in geometries], dtype=bool)
    bboxes = np.full((len(geometries), 4), np.nan)
    if present.any():
        bboxes[present] = shapely.bounds(geometries[present])
    if not present.any():
        return DistrictIndex(geometries, 0.0, 0.0, 1.0, 1.0, 1, 1, np.full(1, _OUTSIDE, np.int16), bboxes)

    xmin, ymin = np.nanmin(bboxes[:, 0]), np.nanmin(bboxes[:, 1])
    xmax, ymax = np.nanmax(bboxes[:, 2]), np.nanmax(bboxes[:, 3])
    cell = _cell_size(geometries[present], xmax - xmin, ymax - ymin, expected_points, max_cells,
                      target_boundary_share)
    # One spare cell on every side: polygons never touch the grid's rim, points beyond it are outside.
    n_cols = int(np.ceil((xmax - xmin) / cell)) + 2
    n_rows = int(np.ceil((ymax - ymin) / cell)) + 2
    x0, y0 = xmin - cell, ymin - cell
    inv = 1.0 / cell

    edges, edge_owner = _edges(geometries)
    labels = _parity_labels(edges, edge_owner, len(geometries), x0, y0, cell, n_rows, n_cols)
    boundary = _boundary_cells(edges, x0, y0, inv, n_rows, n_cols, eps=cell * 1e-6)
    labels[boundary] = _BOUNDARY
    return DistrictIndex(geometries, x0, y0, inv, inv, n_cols, n_rows, labels, bboxes)


def reference_sjoin(
    districts: gpd.GeoDataFrame | gpd.GeoSeries, lon: ArrayLike, lat: ArrayLike
) -> np.ndarray:
    """The slow reference the engine must equal: sjoin "intersects", lowest ``index_right`` per point.

    Kept here (not only in tests) so the benchmark and the tests measure against one definition.
    """
    import geopandas as gpd

    x, y = _as_coordinate_arrays(lon, lat)
    frame = gpd.GeoDataFrame(geometry=np.asarray(_checked_geometries(districts)), crs="EPSG:4326")
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs="EPSG:4326")
    joined = gpd.sjoin(points, frame, predicate="intersects", how="inner")
    result = np.full(x.shape[0], _OUTSIDE, dtype=np.int64)
    if len(joined):
        first = joined["index_right"].groupby(level=0).min()
        result[first.index.to_numpy()] = first.to_numpy()
    return result


# ----------------------------------------------------------------------------------------------------- helpers


def _as_coordinate_arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    try:
        x = np.asarray(lon, dtype=np.float64)
        y = np.asarray(lat, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise BadInput(f"lon/lat must be numbers: {exc}; convert the coordinate columns to float") from None
    if x.ndim != 1 or y.ndim != 1:
        raise BadInput(f"lon and lat must be 1-D arrays, got shapes {x.shape} and {y.shape}")
    if x.shape != y.shape:
        raise BadInput(f"lon has {x.shape[0]} values but lat has {y.shape[0]}; pass one lon and one lat per point")
    return x, y


def _checked_geometries(districts: gpd.GeoDataFrame | gpd.GeoSeries) -> np.ndarray:
    crs = getattr(districts, "crs", None)
    if crs is None:
        raise CRSError("districts have no CRS; set it (EPSG:4326 expected) with .set_crs('EPSG:4326') if lon/lat")
    if not crs.equals("EPSG:4326", ignore_axis_order=True):
        raise CRSError(f"districts are in {crs.to_string()}, expected EPSG:4326; reproject with .to_crs('EPSG:4326')")
    geometry = districts.geometry if hasattr(districts, "geometry") else districts
    geometries = np.asarray(geometry.values, dtype=object)
    kinds = shapely.get_type_id(geometries)
    for position, (geom, kind) in enumerate(zip(geometries, kinds, strict=False)):
        if geom is None or shapely.is_empty(geom):
            continue
        if kind not in (3, 6):  # Polygon, MultiPolygon
            raise BadInput(f"district at position {position} is a {geom.geom_type}, not a (Multi)Polygon")
        if not shapely.is_valid(geom):
            reason = shapely.is_valid_reason(geom)
            raise BadInput(f"district at position {position} is an invalid polygon ({reason}); repair it with "
                           "shapely.make_valid before joining")
    return geometries


def _cell_size(
    geometries: np.ndarray,
    width: float,
    height: float,
    expected_points: int | None,
    max_cells: int,
    target_share: float,
) -> float:
    """Cell edge in degrees: boundary cells cover ~``2 * perimeter * h``; aim for ``target_share`` of area."""
    perimeter = float(shapely.length(geometries).sum())
    area = float(shapely.area(geometries).sum())  # overlaps are slivers; no need for a costly union
    extent = max(width, 1e-9) * max(height, 1e-9)
    cell = target_share * area / (2.0 * perimeter) if perimeter > 0 and area > 0 else max(width, height) / 64
    cap = max_cells if expected_points is None else min(max_cells, max(MIN_CELLS, 4 * int(expected_points)))
    return max(cell, np.sqrt(extent / cap), 1e-9)


def _edges(geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All ring edges as (n, 4) x1, y1, x2, y2 and the position of the district owning each edge."""
    parts, part_owner = shapely.get_parts(geometries, return_index=True)
    rings, part_of = shapely.get_rings(parts, return_index=True)
    owner = part_owner[part_of]
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    same_ring = ring_of[:-1] == ring_of[1:]
    edges = np.hstack([coords[:-1][same_ring], coords[1:][same_ring]])
    return edges, owner[ring_of[:-1][same_ring]]


def _parity_labels(
    edges: np.ndarray,
    owner: np.ndarray,
    n_districts: int,
    x0: float,
    y0: float,
    cell: float,
    n_rows: int,
    n_cols: int,
) -> np.ndarray:
    """Lowest-index district covering each cell centre (-1 for none), by scan-line parity.

    A ray from each centre to the left crosses a district's rings an odd number of times iff the centre is
    inside (valid polygons, holes included). Crossings of the row's centre line toggle one bit per district; an
    XOR-accumulate along the row gives, for every cell, the set of districts holding its centre.
    """
    y_centres = y0 + (np.arange(n_rows) + 0.5) * cell
    x_centres = x0 + (np.arange(n_cols) + 0.5) * cell
    x1, y1, x2, y2 = edges.T
    sloped = y1 != y2
    x1, y1, x2, y2, owner = x1[sloped], y1[sloped], x2[sloped], y2[sloped], owner[sloped]
    # Half-open rule ymin <= y < ymax: a centre line through a vertex is counted once per ring.
    first = np.searchsorted(y_centres, np.minimum(y1, y2), side="left")
    stop = np.searchsorted(y_centres, np.maximum(y1, y2), side="left")
    counts = stop - first
    edge = np.repeat(np.arange(x1.shape[0]), counts)
    row = first[edge] + (np.arange(edge.shape[0]) - np.repeat(np.cumsum(counts) - counts, counts))
    yc = y_centres[row]
    x_cross = x1[edge] + (yc - y1[edge]) * (x2[edge] - x1[edge]) / (y2[edge] - y1[edge])
    col = np.searchsorted(x_centres, x_cross, side="right")  # first centre strictly right of the crossing
    district = owner[edge]

    label_dtype = np.int16 if n_districts < np.iinfo(np.int16).max else np.int32
    labels = np.empty(0, dtype=label_dtype)
    for word_start in range(0, n_districts, 64):
        width = min(64, n_districts - word_start)
        dtype = np.uint8 if width <= 8 else np.uint16 if width <= 16 else np.uint64
        in_word = (district >= word_start) & (district < word_start + width)
        toggles = np.zeros((n_rows, n_cols + 1), dtype=dtype)
        bits = (np.ones(1, dtype=dtype) << (district[in_word] - word_start).astype(dtype))
        np.bitwise_xor.at(toggles, (row[in_word], col[in_word]), bits)
        members = np.bitwise_xor.accumulate(toggles, axis=1)[:, :n_cols].ravel()
        lowest = _lowest_set_bit(members)
        if word_start == 0:
            labels = lowest.astype(label_dtype)  # -1 where no district holds the centre
        else:
            free = (labels == _OUTSIDE) & (lowest >= 0)
            labels[free] = lowest[free] + word_start
    return labels


_LOWEST_BIT_16 = np.array([-1] + [(v & -v).bit_length() - 1 for v in range(1, 1 << 16)], dtype=np.int8)


def _lowest_set_bit(values: np.ndarray) -> np.ndarray:
    """Index of the lowest set bit of each unsigned integer, -1 for zero."""
    if values.dtype.itemsize <= 2:
        return _LOWEST_BIT_16[values]
    isolated = values & (~values + np.uint64(1))
    return np.frexp(isolated.astype(np.float64))[1].astype(np.int16) - 1


def _boundary_cells(
    edges: np.ndarray, x0: float, y0: float, inv: float, n_rows: int, n_cols: int, *, eps: float
) -> np.ndarray:
    """Flat indices of every cell an edge passes through or comes within ``eps`` of.

    Edges are cut into pieces shorter than a cell; each piece marks the cells under its bounding box widened by
    ``eps``. Using the same rounding (x - x0) * inv as the point lookup makes any point on an edge land in a
    marked cell, so unmarked cells are safe for the O(1) lookup.
    """
    x1, y1, x2, y2 = edges.T
    span = np.maximum(np.abs(x2 - x1), np.abs(y2 - y1)) * inv
    pieces = (np.ceil(span * 1.01) + 1).astype(np.int64)
    edge = np.repeat(np.arange(edges.shape[0]), pieces)
    step = np.arange(edge.shape[0]) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    t0 = step / pieces[edge]
    t1 = (step + 1) / pieces[edge]
    ax, ay = x1[edge], y1[edge]
    dx, dy = x2[edge] - ax, y2[edge] - ay
    px0, px1 = ax + t0 * dx, ax + t1 * dx
    py0, py1 = ay + t0 * dy, ay + t1 * dy
    c_lo = np.floor((np.minimum(px0, px1) - eps - x0) * inv).astype(np.int64)
    c_hi = np.floor((np.maximum(px0, px1) + eps - x0) * inv).astype(np.int64)
    r_lo = np.floor((np.minimum(py0, py1) - eps - y0) * inv).astype(np.int64)
    r_hi = np.floor((np.maximum(py0, py1) + eps - y0) * inv).astype(np.int64)
    if (c_hi - c_lo).max(initial=0) > 2 or (r_hi - r_lo).max(initial=0) > 2:  # pieces are < 1 cell long
        raise AssertionError("edge piece spans more than three cells; grid construction bug")
    marked = np.zeros(n_rows * n_cols, dtype=bool)
    for dr in range(3):
        for dc in range(3):
            keep = (r_lo + dr <= r_hi) & (c_lo + dc <= c_hi)
            marked[(r_lo[keep] + dr) * n_cols + (c_lo[keep] + dc)] = True
    return marked
