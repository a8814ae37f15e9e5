"""Synthetic points: reproducible, labelled, and where they claim to be (checked with geopandas.sjoin)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from shapely.geometry import box

from geo.engines.synthetic import (
    SYNTHETIC_LABEL,
    shared_border_vertices,
    synthetic_points,
    write_partitioned_parquet,
)
from geo.errors import BadInput


@pytest.fixture(scope="module")
def astana(mirror) -> gpd.GeoDataFrame:
    return gpd.read_file(mirror / "boundaries" / "districts_astana_osm_2026-09.geojson")


def covering(districts, frame) -> pd.Series:
    """Number of districts whose closed polygon holds each point (independent of the engine)."""
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=districts.crs)
    joined = gpd.sjoin(points, districts.reset_index(drop=True), predicate="intersects")
    return joined.groupby(level=0).size().reindex(range(len(frame)), fill_value=0)


def test_same_seed_same_points_other_seed_other_points(astana):
    kwargs = {"groups": {"x": 0.3, "y": 0.7}, "outside_share": 0.1, "border_share": 0.05}
    first = synthetic_points(astana, 5_000, seed=1, **kwargs)
    pd.testing.assert_frame_equal(first, synthetic_points(astana, 5_000, seed=1, **kwargs))
    assert not np.allclose(first["lon"], synthetic_points(astana, 5_000, seed=2, **kwargs)["lon"])


def test_every_output_says_synthetic(astana):
    frame = synthetic_points(astana, 100, seed=0)
    assert frame.attrs["synthetic"] is True and frame.attrs["label"] == SYNTHETIC_LABEL == "SYNTHETIC"
    assert (frame["source"] == "SYNTHETIC").all()
    assert list(frame.columns) == ["lon", "lat", "source"]


def test_inside_outside_and_border_shares(astana):
    frame = synthetic_points(astana, 4_000, seed=3, outside_share=0.25, border_share=0.05)
    holders = covering(astana, frame)
    assert (holders == 0).sum() == 1_000  # exactly the outside share, nothing else outside
    vertices = {tuple(v) for v in shared_border_vertices(astana)}
    on_border = np.array([(x, y) in vertices for x, y in zip(frame["lon"], frame["lat"], strict=False)])
    assert on_border.sum() == 200
    assert (holders[on_border] >= 2).all()  # a shared vertex lies on two closed polygons


def test_points_spread_in_proportion_to_area(astana):
    frame = synthetic_points(astana, 20_000, seed=4)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=astana.crs)
    joined = gpd.sjoin(points, astana.reset_index(drop=True), predicate="within")
    observed = joined["index_right"].value_counts().sort_index().to_numpy() / len(frame)
    area = astana.to_crs("EPSG:32642").area.to_numpy()
    expected = area / area.sum()
    sigma = np.sqrt(expected * (1 - expected) / len(frame))
    assert (np.abs(observed - expected) < 4 * sigma).all()


def test_district_weights_and_design_weight():
    districts = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1), box(1, 0, 3, 1)], crs="EPSG:4326")
    frame = synthetic_points(districts, 3_000, seed=5, weights=[1.0, 0.0])
    assert ((frame["lon"] >= 0) & (frame["lon"] <= 1)).all()  # nothing drawn in the zero-weight district
    area_share_first = 1 / 3  # equal-area on the equator: widths 1 and 2 degrees
    np.testing.assert_allclose(frame["weight"], area_share_first, rtol=1e-3)


def test_group_probabilities_are_respected(astana):
    frame = synthetic_points(astana, 20_000, seed=6, groups={"newcomer": 0.2, "long-term": 0.8})
    share = (frame["group"] == "newcomer").mean()
    assert abs(share - 0.2) < 4 * np.sqrt(0.2 * 0.8 / 20_000)


def test_bad_arguments_are_bad_input(astana):
    with pytest.raises(BadInput, match="exceeds 1"):
        synthetic_points(astana, 10, seed=0, outside_share=0.6, border_share=0.6)
    with pytest.raises(BadInput, match="one per district"):
        synthetic_points(astana, 10, seed=0, weights=[1, 2])
    with pytest.raises(BadInput, match="share no vertex"):
        apart = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1), box(2, 0, 3, 1)], crs="EPSG:4326")
        synthetic_points(apart, 10, seed=0, border_share=0.5)


def test_partitioned_parquet_round_trip_and_replacement(astana, tmp_path):
    frame = synthetic_points(astana, 1_001, seed=7, groups=["a", "b"])
    target = tmp_path / "points"
    write_partitioned_parquet(synthetic_points(astana, 10, seed=8), target, 2)
    write_partitioned_parquet(frame, target, 3)
    assert sorted(p.name for p in target.iterdir()) == [f"part-0000{i}.parquet" for i in range(3)]
    back = pd.concat([pd.read_parquet(p) for p in sorted(target.iterdir())], ignore_index=True)
    pd.testing.assert_frame_equal(back, frame, check_categorical=False)
    assert [p.name for p in tmp_path.iterdir()] == ["points"]
    assert pq.read_schema(target / "part-00000.parquet").metadata[b"synthetic"] == b"true"
