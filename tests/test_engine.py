"""The grid engine must equal geopandas.sjoin ("intersects", lowest index_right per point) exactly."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon, box

from geo.engines.grid import assign_points, build_index, non_finite_mask
from geo.errors import BadInput, CRSError

BOUNDARY_FILES = {
    "almaty": "districts_almaty_osm_2025-09.geojson",
    "astana": "districts_astana_osm_2026-09.geojson",
}


def sjoin_reference(districts: gpd.GeoDataFrame, lon, lat) -> np.ndarray:
    """Written out here, independently of the engine: lowest positional district whose closed polygon holds it."""
    frame = districts.reset_index(drop=True)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=frame.crs)
    joined = gpd.sjoin(points, frame, predicate="intersects")
    expected = np.full(len(points), -1, dtype=np.int64)
    first = joined.groupby(level=0)["index_right"].min()
    expected[first.index.to_numpy()] = first.to_numpy()
    return expected


@pytest.fixture(scope="module", params=sorted(BOUNDARY_FILES))
def city_districts(request, mirror) -> gpd.GeoDataFrame:
    """Full-precision OSM districts from the offline mirror (``mirror`` fixture: tests/conftest.py)."""
    return gpd.read_file(mirror / "boundaries" / BOUNDARY_FILES[request.param])


def frame(*geometries) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=list(geometries), crs="EPSG:4326")


# ------------------------------------------------------------------------------------------ real mirror districts


def test_random_points_equal_sjoin(city_districts):
    rng = np.random.default_rng(20240601)
    xmin, ymin, xmax, ymax = city_districts.total_bounds
    pad = 0.05
    lon = rng.uniform(xmin - pad, xmax + pad, 60_000)
    lat = rng.uniform(ymin - pad, ymax + pad, 60_000)
    got = assign_points(city_districts, lon, lat)
    expected = sjoin_reference(city_districts, lon, lat)
    np.testing.assert_array_equal(got, expected)
    # The sample must exercise every district and the outside, or the comparison proves little.
    assert set(np.unique(got)) == set(range(-1, len(city_districts)))


def test_points_on_vertices_and_edge_midpoints_equal_sjoin(city_districts):
    coords = shapely.get_coordinates(city_districts.geometry.values)
    midpoints = (coords[:-1] + coords[1:]) / 2.0  # on (or within rounding of) an edge; some cross rings: fine
    points = np.vstack([coords, midpoints])
    got = assign_points(city_districts, points[:, 0], points[:, 1])
    np.testing.assert_array_equal(got, sjoin_reference(city_districts, points[:, 0], points[:, 1]))
    # Every vertex lies on a closed polygon, so none of them may be outside (outer city edge counts as inside).
    assert (got[: len(coords)] >= 0).all()


def test_shared_vertex_goes_to_lowest_covering_district(city_districts):
    coords, owner = shapely.get_coordinates(city_districts.geometry.values, return_index=True)
    pairs = np.unique(np.column_stack([coords, owner]), axis=0)
    vertices, first_owner, counts = np.unique(pairs[:, :2], axis=0, return_index=True, return_counts=True)
    shared = counts >= 2
    assert shared.sum() > 50  # OSM districts share their border vertices
    got = assign_points(city_districts, vertices[shared, 0], vertices[shared, 1])
    # np.unique sorts (x, y, owner) rows, so the first row of each vertex holds its lowest owner.
    np.testing.assert_array_equal(got, pairs[first_owner[shared], 2].astype(np.int64))


def test_coarse_grid_is_still_exact(city_districts):
    """Resolution changes speed, never the answer: a tiny grid makes most points take the exact path."""
    rng = np.random.default_rng(7)
    xmin, ymin, xmax, ymax = city_districts.total_bounds
    lon, lat = rng.uniform(xmin, xmax, 20_000), rng.uniform(ymin, ymax, 20_000)
    coarse = build_index(city_districts, max_cells=64)
    assert coarse.n_cells <= 120
    np.testing.assert_array_equal(coarse.assign(lon, lat), assign_points(city_districts, lon, lat))


def test_chunking_does_not_change_the_result(city_districts):
    rng = np.random.default_rng(11)
    xmin, ymin, xmax, ymax = city_districts.total_bounds
    lon, lat = rng.uniform(xmin, xmax, 30_001), rng.uniform(ymin, ymax, 30_001)
    lon[::97] = np.nan
    whole = assign_points(city_districts, lon, lat, chunk_size=10_000_000)
    np.testing.assert_array_equal(assign_points(city_districts, lon, lat, chunk_size=1_000), whole)
    np.testing.assert_array_equal(assign_points(city_districts, lon, lat, chunk_size=7), whole)


# --------------------------------------------------------------------------------------------- hand-drawn cases


def test_two_squares_border_rule_by_hand():
    # Position 0 is the RIGHT square, so "lowest index" and "leftmost" disagree: the rule is really checked.
    right, left = box(1, 0, 2, 1), box(0, 0, 1, 1)
    districts = frame(right, left)
    lon = np.array([1.0, 1.0, 1.0, 0.0, 0.5, 1.5, 2.0, 2.0 + 1e-9, 0.0, -1e-12, 1.0, 1.0 + 1e-12, 1.0 - 1e-12])
    lat = np.array([0.5, 0.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.0, 0.5, 1.0 + 1e-12, 0.5, 0.5])
    expected = np.array([0, 0, 0, 1, 1, 0, 0, -1, 1, -1, -1, 0, 1])
    np.testing.assert_array_equal(assign_points(districts, lon, lat), expected)
    np.testing.assert_array_equal(sjoin_reference(districts, lon, lat), expected)


def test_overlap_goes_to_lowest_index_and_holes_are_outside():
    donut = Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(3, 3), (7, 3), (7, 7), (3, 7)]])
    island = box(4, 4, 6, 6)  # sits in the donut's hole
    overlapping = box(8, 8, 12, 12)  # overlaps the donut's corner; higher index than the donut
    districts = frame(donut, island, overlapping)
    lon = np.array([1.0, 3.5, 5.0, 9.0, 11.0, 3.0, 4.0, 8.0, 12.5])
    lat = np.array([1.0, 3.5, 5.0, 9.0, 11.0, 5.0, 5.0, 9.0, 12.5])
    expected = np.array([0, -1, 1, 0, 2, 0, 1, 0, -1])
    np.testing.assert_array_equal(assign_points(districts, lon, lat), expected)
    np.testing.assert_array_equal(sjoin_reference(districts, lon, lat), expected)


@pytest.mark.parametrize("side", [5, 9])  # 25 districts (one 64-bit word), 81 (two words)
def test_many_districts_equal_sjoin(side):
    tiles = [box(i, j, i + 1, j + 1) for i in range(side) for j in range(side)]
    tiles = [shapely.affinity.rotate(t, 7, origin=(0, 0)) for t in tiles]  # not aligned with the grid
    districts = frame(*tiles)
    rng = np.random.default_rng(side)
    corners = shapely.get_coordinates(districts.geometry.values)
    lon = np.concatenate([rng.uniform(-2, side + 1, 20_000), corners[:, 0]])
    lat = np.concatenate([rng.uniform(-1, side + 2, 20_000), corners[:, 1]])
    got = assign_points(districts, lon, lat)
    np.testing.assert_array_equal(got, sjoin_reference(districts, lon, lat))
    assert len(np.unique(got)) == side * side + 1


def test_empty_input_and_geoseries_districts():
    squares = frame(box(0, 0, 1, 1), box(1, 0, 2, 1))
    empty = assign_points(squares, np.empty(0), np.empty(0))
    assert empty.dtype == np.int64 and empty.shape == (0,)
    np.testing.assert_array_equal(assign_points(squares.geometry, [1.5, 0.5], [0.5, 0.5]), [1, 0])


def test_missing_geometry_never_receives_points():
    districts = frame(None, box(0, 0, 1, 1), Polygon())
    np.testing.assert_array_equal(assign_points(districts, [0.5, 5.0], [0.5, 5.0]), [1, -1])


# ------------------------------------------------------------------------------------------------ input checking


def test_non_finite_points_get_minus_one_and_are_reported():
    districts = frame(box(0, 0, 1, 1))
    lon = np.array([0.5, np.nan, 0.5, np.inf, -np.inf])
    lat = np.array([0.5, 0.5, np.nan, 0.5, 0.5])
    np.testing.assert_array_equal(assign_points(districts, lon, lat), [0, -1, -1, -1, -1])
    np.testing.assert_array_equal(non_finite_mask(lon, lat), [False, True, True, True, True])


def test_wrong_or_missing_crs_is_a_crs_error():
    districts = frame(box(76.9, 43.2, 77.0, 43.3))
    with pytest.raises(CRSError, match="EPSG:32643"):
        assign_points(districts.to_crs("EPSG:32643"), [76.95], [43.25])
    with pytest.raises(CRSError, match="no CRS"):
        assign_points(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)]), [0.5], [0.5])


def test_bad_inputs_are_bad_input_errors():
    districts = frame(box(0, 0, 1, 1))
    with pytest.raises(BadInput, match="lon has 2 values but lat has 1"):
        assign_points(districts, [0.1, 0.2], [0.1])
    with pytest.raises(BadInput, match="must be numbers"):
        assign_points(districts, ["a"], [0.1])
    bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    with pytest.raises(BadInput, match="position 1 is an invalid polygon"):
        assign_points(frame(box(0, 0, 1, 1), bowtie), [0.5], [0.5])
    with pytest.raises(BadInput, match="position 0 is a LineString"):
        assign_points(frame(shapely.LineString([(0, 0), (1, 1)])), [0.5], [0.5])
