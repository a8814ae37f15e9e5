"""The point-in-district join for point files larger than memory, on a dask.distributed cluster.

Each partition is joined by the built-in grid engine (:mod:`geo.engines.grid`) inside ``map_partitions``, so results are
identical to :func:`geo.engine.assign_points` row for row. The districts travel to the workers as WKB; each worker
process builds the grid once and caches it (keyed by the WKB), so a many-partition job pays for one build per
worker, not per partition.

The cluster is a ``LocalCluster`` with two single-threaded worker processes by default (the machine has two cores),
or ``Client(scheduler)`` when a scheduler address is given; an existing ``client`` may also be passed. Three ways to
get results, from smallest to largest transfer:

* :func:`count_points_dask`: points (and summed weights) per district, optionally per group; only the counts
  leave the workers;
* :func:`assign_points_dask` with ``output=folder``: the input columns plus ``district`` written by the workers as
  partitioned Parquet (atomically replaced);
* :func:`assign_points_dask` without ``output``: a pandas Series of district positions in the source's row order.

District positions follow :mod:`geo.engines.grid`: positional index into ``districts``, -1 for no district and for
non-finite coordinates (``count_points_dask`` reports the latter separately in ``attrs["non_finite"]``).
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo.engines.grid import DistrictIndex, _checked_geometries, build_index
from geo.errors import BadInput, SourceUnavailable
from geo.io.atomic import atomic_folder

__all__ = ["assign_points_dask", "count_points_dask", "dask_client", "district_positions", "districts_wkb",
           "read_points", "reduce_partitions"]

DEFAULT_WORKERS = 2

# A Parquet file or folder, or a (dask) DataFrame of points; districts as a GeoDataFrame or GeoSeries.
PointSource = Any
Districts = Any


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, *, n_workers: int = DEFAULT_WORKERS) -> Iterator:
    """A ``distributed.Client``: to ``scheduler`` when given, else to a fresh LocalCluster closed on exit."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:
            raise SourceUnavailable(f"no dask scheduler reachable at {scheduler} ({exc}); start one or omit "
                                    "the address to use a local cluster") from None
        with client:
            yield client
        return
    with (LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
          Client(cluster) as client):
        yield client


def read_points(source: PointSource, *, lon_col: str = "lon", lat_col: str = "lat",
                partition_size: int | str | None = None) -> Any:
    """A dask DataFrame of points from a (partitioned) Parquet path, a dask DataFrame or a pandas DataFrame.

    ``partition_size`` (bytes or a string like ``"64MB"``) repartitions; None keeps the source's partitions.
    """
    import dask.dataframe as dd

    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise SourceUnavailable(f"point file {path} does not exist; give a Parquet file or a folder of them")
        frame = dd.read_parquet(path)
    elif isinstance(source, pd.DataFrame):
        frame = dd.from_pandas(source, npartitions=max(1, len(source) // 1_000_000))
    elif isinstance(source, dd.DataFrame):
        frame = source
    else:
        raise BadInput(f"source must be a Parquet path or a (dask) DataFrame, got {type(source).__name__}")
    missing = [c for c in (lon_col, lat_col) if c not in frame.columns]
    if missing:
        raise BadInput(f"point source {_describe(source)} has no column(s) {missing}; columns are "
                       f"{list(frame.columns)}; pass lon_col= and lat_col=")
    for column in (lon_col, lat_col):
        if not pd.api.types.is_numeric_dtype(frame.dtypes[column]):
            raise BadInput(f"column {column!r} of {_describe(source)} is {frame.dtypes[column]}, not numeric; "
                           "convert it to float")
    if partition_size is not None:
        frame = frame.repartition(partition_size=partition_size)
    return frame


def assign_points_dask(
    districts: Districts,
    source: PointSource,
    *,
    lon_col: str = "lon",
    lat_col: str = "lat",
    scheduler: str | None = None,
    partition_size: int | str | None = None,
    output: str | Path | None = None,
    client: Any = None,
    method: str = "grid",
) -> pd.Series | Path:
    """District position per point, computed on a dask.distributed cluster.

    Returns a pandas Series named ``district`` in the source's row order (RangeIndex), or, when ``output`` is a
    folder, writes the source's columns plus ``district`` there as partitioned Parquet and returns its Path.

    ``method="grid"`` (default) runs the built-in engine in each partition. ``method="sjoin"`` runs
    ``dask_geopandas.sjoin`` instead (lowest ``index_right`` per row): far slower, but an independent distributed
    reference for checking the default; it returns the Series only.
    """
    if method not in ("grid", "sjoin"):
        raise BadInput(f"method must be 'grid' or 'sjoin', got {method!r}")
    if method == "sjoin" and output is not None:
        raise BadInput("method='sjoin' returns a Series only; drop output= or use method='grid'")
    points = read_points(source, lon_col=lon_col, lat_col=lat_col, partition_size=partition_size)
    wkb = _districts_wkb(districts)
    with _client_for(client, scheduler):
        if method == "sjoin":
            return _assign_with_dask_geopandas(districts, points, lon_col, lat_col)
        assigned = points.assign(district=points.map_partitions(
            _assign_partition, wkb, lon_col, lat_col, meta=("district", "int64")))
        if output is None:
            return assigned["district"].compute().reset_index(drop=True)
        return _write_atomically(assigned, Path(output))


def count_points_dask(
    districts: Districts,
    source: PointSource,
    *,
    lon_col: str = "lon",
    lat_col: str = "lat",
    by: str | None = None,
    weight_col: str | None = None,
    scheduler: str | None = None,
    partition_size: int | str | None = None,
    client: Any = None,
) -> pd.DataFrame:
    """Points per district (and per ``by`` group), with summed ``weight_col``; only counts leave the workers.

    Returns columns ``district`` (-1: no district), [``by``], ``points``, [``weight``], sorted. ``attrs`` hold
    ``rows`` (input rows: the sum of ``points``, nothing is dropped) and ``non_finite`` (rows with NaN/inf
    coordinates, counted under -1).
    """
    points = read_points(source, lon_col=lon_col, lat_col=lat_col, partition_size=partition_size)
    for column in (by, weight_col):
        if column is not None and column not in points.columns:
            raise BadInput(f"point source {_describe(source)} has no column {column!r}; columns are "
                           f"{list(points.columns)}")
    wkb = _districts_wkb(districts)
    keys = ["district"] + ([by] if by else [])
    meta = {"district": "int64", **({by: "object"} if by else {}), "points": "int64", "non_finite": "int64"}
    if weight_col:
        meta["weight"] = "float64"
    with _client_for(client, scheduler):
        partials = points.map_partitions(_count_partition, wkb, lon_col, lat_col, by, weight_col,
                                         meta=pd.DataFrame({k: pd.Series(dtype=v) for k, v in meta.items()}))
        partial = partials.compute()
    totals = partial.groupby(keys, as_index=False, sort=True, dropna=False).sum(numeric_only=True, min_count=1)
    counts = totals.drop(columns="non_finite").reset_index(drop=True)
    counts.attrs.update(rows=int(partial["points"].sum()), non_finite=int(partial["non_finite"].sum()))
    return counts


def reduce_partitions(frame: Any, summarise: Callable[[pd.DataFrame, int], Any], merge: Callable[[Any, Any], Any],
                      client: Any) -> Any:
    """``summarise(partition, number)`` on the workers for every partition, then ``merge`` pairwise in a tree,
    also on the workers: only the one merged summary comes back to the client, never a partition's rows."""
    import dask

    summaries = [dask.delayed(summarise)(part, number) for number, part in enumerate(frame.to_delayed())]
    if not summaries:
        raise BadInput("the Parquet input has no partitions to join")
    while len(summaries) > 1:
        pairs = [dask.delayed(merge)(a, b) for a, b in zip(summaries[::2], summaries[1::2], strict=False)]
        summaries = pairs + (summaries[-1:] if len(summaries) % 2 else [])
    return client.compute(summaries[0]).result()


def districts_wkb(districts: Districts) -> tuple[bytes | None, ...]:
    """The districts as WKB, the form they travel to the workers in (``district_positions`` caches on it)."""
    return _districts_wkb(districts)


def district_positions(wkb: tuple[bytes | None, ...], lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """On a worker: each point's district position (-1: none), with the grid built once per process."""
    return _worker_index(wkb).assign(np.asarray(lon, np.float64), np.asarray(lat, np.float64))


# ----------------------------------------------------------------------------------------------------- helpers


def _describe(source: PointSource) -> str:
    return str(source) if isinstance(source, (str, os.PathLike)) else f"<{type(source).__name__}>"


def _districts_wkb(districts: Districts) -> tuple[bytes | None, ...]:
    import shapely

    geometries = _checked_geometries(districts)
    return tuple(None if g is None else shapely.to_wkb(g) for g in geometries)


@functools.lru_cache(maxsize=4)
def _worker_index(wkb: tuple[bytes | None, ...]) -> DistrictIndex:
    """Built once per worker process per set of districts (bytes hash their content once, then cache it)."""
    import geopandas as gpd
    import shapely

    geometries = [None if blob is None else shapely.from_wkb(blob) for blob in wkb]
    return build_index(gpd.GeoSeries(geometries, crs="EPSG:4326"))


def _assign_partition(frame: pd.DataFrame, wkb: tuple[bytes | None, ...], lon_col: str, lat_col: str) -> pd.Series:
    index = _worker_index(wkb)
    return pd.Series(index.assign(frame[lon_col].to_numpy(np.float64), frame[lat_col].to_numpy(np.float64)),
                     index=frame.index, name="district", dtype="int64")


def _assign_with_dask_geopandas(districts: Districts, points: Any, lon_col: str, lat_col: str) -> pd.Series:
    """dask_geopandas.sjoin "intersects", then the lowest district per row, keyed by a global row number."""
    import dask_geopandas
    import geopandas as gpd

    lengths = points.map_partitions(len).compute().to_numpy()
    offsets = tuple(int(v) for v in np.concatenate([[0], np.cumsum(lengths)[:-1]]))
    numbered = points[[lon_col, lat_col]].map_partitions(_number_rows, offsets, meta=points[[lon_col, lat_col]]._meta)
    left = dask_geopandas.from_dask_dataframe(
        numbered, geometry=dask_geopandas.points_from_xy(numbered, lon_col, lat_col, crs="EPSG:4326"))
    left = left.set_crs("EPSG:4326", allow_override=True)
    frame = gpd.GeoDataFrame(geometry=np.asarray(_checked_geometries(districts)), crs="EPSG:4326")
    right = dask_geopandas.from_geopandas(frame, npartitions=1)
    joined = dask_geopandas.sjoin(left, right, predicate="intersects")
    first = joined["index_right"].map_partitions(lambda pairs: pairs.groupby(level=0).min()).compute()
    result = np.full(int(lengths.sum()), -1, dtype=np.int64)
    result[first.index.to_numpy()] = first.to_numpy()
    return pd.Series(result, name="district")


def _number_rows(frame: pd.DataFrame, offsets: Sequence[int], partition_info: dict | None = None) -> pd.DataFrame:
    start = offsets[partition_info["number"]] if partition_info else 0
    return frame.set_axis(pd.RangeIndex(start, start + len(frame)), axis=0)


def _count_partition(frame: pd.DataFrame, wkb: tuple[bytes | None, ...], lon_col: str, lat_col: str,
                     by: str | None, weight_col: str | None) -> pd.DataFrame:
    lon, lat = frame[lon_col].to_numpy(np.float64), frame[lat_col].to_numpy(np.float64)
    parts = {"district": _worker_index(wkb).assign(lon, lat), "points": np.ones(len(frame), np.int64),
             "non_finite": (~(np.isfinite(lon) & np.isfinite(lat))).astype(np.int64)}
    if by:
        parts[by] = frame[by].astype(object).to_numpy()
    if weight_col:
        parts["weight"] = frame[weight_col].to_numpy(np.float64)
    table = pd.DataFrame(parts)
    keys = ["district"] + ([by] if by else [])
    columns = ["points", "non_finite"] + (["weight"] if weight_col else [])
    summed = table.groupby(keys, as_index=False, sort=False, dropna=False)[columns].sum(min_count=1)
    return summed[["district"] + ([by] if by else []) + columns]


@contextlib.contextmanager
def _client_for(client: Any, scheduler: str | None) -> Iterator[Any]:
    if client is not None:
        yield client
        return
    with dask_client(scheduler) as fresh:
        yield fresh


def _write_atomically(frame: Any, folder: Path) -> Path:
    with atomic_folder(folder) as staging:
        frame.to_parquet(staging, write_index=False)
    return folder
