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


# ------------------------------------------- the whole join spec (cities, items, gate) through a tcp:// address


@pytest.fixture(scope="module")
def tcp_scheduler():
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_three_cities_with_items_through_a_tcp_scheduler(built, tcp_scheduler, tmp_path):
    """12 SYNTHETIC respondents in one district of each city (no city column: each point's own city), one
    1-5 item with weights: per district n and the weighted mean sum(w y) / sum(w), computed here by hand."""
    from geo import store
    from geo.join.pipeline import join_user_data

    assert tcp_scheduler.startswith("tcp://127.0.0.1:")
    answers = np.array([1, 2, 3, 4, 5, 5, 4, 3, 2, 1, 5, 5], dtype=float)
    weights = np.array([1.0, 2.0, 1.5, 1.0, 0.5, 1.0, 2.0, 1.0, 1.0, 1.5, 1.0, 0.5])
    frames, expected = [], {}
    for k, city in enumerate(("Astana", "Almaty", "Shymkent")):
        district = store.load_districts(city).iloc[0]
        point = district.geometry.representative_point()
        y = np.roll(answers, k)
        frames.append(pd.DataFrame({"lat": point.y, "lon": point.x, "w": weights, "q1": y, "source": "SYNTHETIC"}))
        expected[district["district_id"]] = (city, (weights * y).sum() / weights.sum())
    folder = write_partitioned_parquet(pd.concat(frames, ignore_index=True), tmp_path / "three", 3)
    result = join_user_data(folder, engine="dask", scheduler=tcp_scheduler, weight_col="w", scores=["q1:1-5"],
                            min_n=10, h3_res=[], permutations=0)
    assert [c["city"] for c in result.report["cities"]] == ["Astana", "Almaty", "Shymkent"]
    assert result.report["joined_rows"] == 36 and result.report["min_n"] == 10 and result.report["out_of_core"]
    assert result.report["release"]["cells"]["hidden"] == 0
    shown = result.scores[(result.scores["level"] == "district") & (result.scores["group"] == "all")]
    assert sorted(shown["district_id"]) == sorted(expected)
    for row in shown.itertuples():
        city, mean = expected[row.district_id]
        assert row.city == city and row.n == 12 and row.mean == pytest.approx(mean, rel=1e-12)
    with pytest.raises(BadInput, match="has no scale; out of core give it"):
        join_user_data(folder, engine="dask", scheduler=tcp_scheduler, scores=["q1"], h3_res=[])
    with pytest.raises(BadInput, match="share item 'source=SYNTHETIC' is not derived out of core"):
        join_user_data(folder, engine="dask", scheduler=tcp_scheduler, scores=["source=SYNTHETIC"], h3_res=[])
