"""The dask engine on a real LocalCluster must give exactly the built-in engine's assignments and counts."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo.engines.grid import assign_points
from geo.engines.outofcore import assign_points_dask, count_points_dask, dask_client
from geo.engines.synthetic import synthetic_points, write_partitioned_parquet
from geo.errors import BadInput, SourceUnavailable


@pytest.fixture(scope="module")
def almaty(mirror) -> gpd.GeoDataFrame:
    return gpd.read_file(mirror / "boundaries" / "districts_almaty_osm_2025-09.geojson")


@pytest.fixture(scope="module")
def points(almaty) -> pd.DataFrame:
    frame = synthetic_points(almaty, 200_000, seed=42, groups=["a", "b"], outside_share=0.05, border_share=0.01)
    frame.loc[::997, "lat"] = np.nan  # unusable rows must be counted, not lost
    return frame


@pytest.fixture(scope="module")
def parquet_points(points, tmp_path_factory):
    return write_partitioned_parquet(points, tmp_path_factory.mktemp("points") / "synthetic", 4)


@pytest.fixture(scope="module")
def client():
    with dask_client(n_workers=2) as client:
        yield client


def test_assignments_equal_builtin_engine(almaty, points, parquet_points, client):
    assert len(list(parquet_points.glob("*.parquet"))) == 4
    got = assign_points_dask(almaty, parquet_points, client=client)
    expected = assign_points(almaty, points["lon"], points["lat"])
    assert isinstance(got, pd.Series) and got.name == "district"
    np.testing.assert_array_equal(got.to_numpy(), expected)
    assert (expected == -1).sum() > 10_000  # outside and NaN points are part of the comparison


def test_counts_per_district_and_group_without_collecting_rows(almaty, points, parquet_points, client):
    counts = count_points_dask(almaty, parquet_points, by="group", client=client)
    expected_district = assign_points(almaty, points["lon"], points["lat"])
    expected = (pd.DataFrame({"district": expected_district, "group": points["group"].astype(str)})
                .value_counts().sort_index())
    got = counts.set_index(["district", "group"])["points"]
    np.testing.assert_array_equal(got.index.to_list(), expected.index.to_list())
    np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())
    assert counts.attrs["rows"] == len(points) == counts["points"].sum()
    assert counts.attrs["non_finite"] == int(points["lat"].isna().sum())


def test_partitioned_output_and_scheduler_address(almaty, points, parquet_points, client, tmp_path):
    address = client.scheduler.address
    target = tmp_path / "assigned"
    for _ in range(2):  # the second run replaces the first output
        written = assign_points_dask(almaty, parquet_points, scheduler=address, output=target)
    result = pd.read_parquet(written)
    assert list(result.columns) == ["lon", "lat", "group", "source", "district"]
    np.testing.assert_array_equal(result["district"].to_numpy(), assign_points(almaty, points["lon"], points["lat"]))
    assert (result["source"] == "SYNTHETIC").all()
    assert [p.name for p in tmp_path.iterdir()] == ["assigned"]  # no staging folders left behind


def test_bad_sources_are_reported(almaty, parquet_points, client, tmp_path):
    with pytest.raises(BadInput, match=r"no column\(s\) \['x'\]"):
        assign_points_dask(almaty, parquet_points, lon_col="x", client=client)
    with pytest.raises(SourceUnavailable, match="does not exist"):
        assign_points_dask(almaty, tmp_path / "nowhere.parquet", client=client)
    with pytest.raises(BadInput, match="no column 'age'"):
        count_points_dask(almaty, parquet_points, by="age", client=client)


def test_dask_geopandas_sjoin_method_agrees(almaty, points, parquet_points, client):
    """An independent distributed path (dask_geopandas.sjoin) gives the same answer on a 20k-row slice."""
    import dask.dataframe as dd

    sample = points.iloc[:20_000]
    got = assign_points_dask(almaty, dd.from_pandas(sample, npartitions=3), client=client, method="sjoin")
    np.testing.assert_array_equal(got.to_numpy(), assign_points(almaty, sample["lon"], sample["lat"]))
    with pytest.raises(BadInput, match="method must be"):
        assign_points_dask(almaty, parquet_points, client=client, method="rtree")
