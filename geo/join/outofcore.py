"""The join of a Parquet input too large for memory (``engine="dask"`` on a .parquet file or a folder of parts).

The same ``JoinSpec`` as the in-memory join (``geo.join.pipeline``), with the same rules and outputs: several
cities in one file (each row to its own city: ``--city``, a city column, or where its point lies), weights,
groups, score items and the release gate. The rows never leave the dask workers: each partition is judged by
the in-memory join's row rules (``geo.join.rules.check_rows``), placed in its city's districts and reduced to
per-district x group sums (``geo.join.partsums``); from those sums alone ``geo.join.outofcore_result`` computes
every table exactly as the in-memory join does and passes the survey ones through the same gate.

Rows are set aside for the same reasons, in the same order of precedence, as in the in-memory join, but they
are counted per reason, not listed: row numbers would need every row's position across parts, which the
workers do not know. Whether latitude and longitude are swapped is decided on a sample (the first
``SAMPLE_ROWS`` rows of the first part) and applied to every row. Scales of score items must be given
(``--score q1:1-5``): inferring them would need a pass over every row before the join.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pandas as pd

from geo.errors import BadInput, InternalError, QalaError
from geo.io.userfile import (
    Columns,
    coordinate_columns,
    find_columns,
    metadata_synthetic,
    synthetic_cells,
    synthetic_columns,
)
from geo.join.choose import Boundaries, Choice, choose_city_and_vintage
from geo.join.partsums import PartSpec, checked_rows, merge_sums, partition_sums
from geo.join.result import HotspotOptions, JoinResult
from geo.join.rules import check_rows
from geo.join.shares import share_spec
from geo.join.spec import JoinSpec
from geo.settings import CITIES

__all__ = ["ASIDE", "PartSpec", "join_out_of_core", "parquet_parts", "prepare_partition", "read_spec"]

PART_SUFFIXES = (".parquet", ".parq", ".pq")
SAMPLE_ROWS = 100_000  # rows read from the first part to detect swapped coordinates
ASIDE = "\x00"  # key prefix of rows set aside before the spatial join (``prepare_partition``)


def parquet_parts(path: str | Path) -> list[Path]:
    """The Parquet files behind ``path`` (a .parquet file or a folder of parts), else [] (not Parquet)."""
    path = Path(path)
    if path.is_file():
        return [path] if path.suffix.lower() in PART_SUFFIXES else []
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in PART_SUFFIXES
                      and not p.name.startswith(("_", ".")))
    return []


def join_out_of_core(
    path: Path,
    spec: JoinSpec,
    *,
    boundaries: Boundaries,
    population: pd.DataFrame | None,
    name: str | None,
    client: Any,
) -> JoinResult:
    """Join the Parquet input at ``path`` as ``spec`` says, on the dask ``client``; see the module docstring."""
    import dask.dataframe as dd

    from geo.engines.outofcore import reduce_partitions
    from geo.join.outofcore_result import Plan, assemble

    label = name or path.name
    part, input_rows, synthetic, notes = read_spec(path, label, spec.lat_col, spec.lon_col, spec.group_col,
                                                   spec.weight_col, city_col=spec.city_col, scores=spec.items)
    sample = _sample(path, part)
    checked = check_rows(sample, Columns(lat=part.columns.lat, lon=part.columns.lon), label, keep_values=False,
                         sampled=True)
    part.swap, notes = checked.swap, notes + checked.notes
    part.resolutions = list(spec.h3_res)
    fixed = _fixed_choice(spec, boundaries)
    targets = _targets(part, boundaries, fixed)
    synthetic = synthetic or "synthetic" in label.lower() or _synthetic_cells_anywhere(path, part)
    frame = dd.read_parquet(path, columns=part.read)
    sums = reduce_partitions(frame, functools.partial(partition_sums, spec=part), merge_sums, client)
    if sums.rows != input_rows:
        raise BadInput(f"{label}: the Parquet footers say {input_rows} rows but {sums.rows} were read; a part "
                       "changed while being read: run again")
    plan = Plan(label=label, spec=spec, part=part, targets=targets, fixed=fixed, boundaries=boundaries,
                population=population, synthetic=synthetic, input_rows=input_rows,
                options=HotspotOptions(permutations=spec.permutations, seed=spec.seed, alpha=spec.alpha))
    last = [f"out of core on dask ({len(parquet_parts(path))} Parquet part(s)): set-aside rows are counted "
            "per reason, without row numbers (rows have no global number across parts)"]
    return assemble(sums, plan, notes, last)


def _fixed_choice(spec: JoinSpec, boundaries: Boundaries) -> Choice | None:
    """``--city``/``--vintage``: one city for every row, as ``geo.join.multicity.split_and_assign`` fixes it."""
    if spec.city is None and spec.vintage is None:
        return None
    return choose_city_and_vintage("points", lambda: "", boundaries, spec.city, spec.vintage)


def _targets(part: PartSpec, boundaries: Boundaries, fixed: Choice | None) -> pd.DataFrame:
    """Every district a row may fall in, in the order the in-memory join tries them (the lowest position wins a
    border point, ``geo.engines.grid``): the chosen city's first, then every other city's current ones; sets
    the partition spec's districts, cities, vintages and the reason for a point in no city."""
    from geo.engines.outofcore import districts_wkb

    latest = boundaries.latest_of_every_city()
    if fixed is not None:
        chosen = fixed.districts[fixed.districts.geometry.notna()]
        targets = pd.concat([chosen, latest[latest["city"] != fixed.city]], ignore_index=True)
        part.fixed_city = fixed.city
    else:
        targets = latest
    part.wkb = districts_wkb(targets)
    part.target_city = tuple(str(c) for c in targets["city"])
    part.vintages = {str(c): str(v) for c, v in zip(targets["city"], targets["vintage"], strict=True)}
    if fixed is not None:
        part.vintages[fixed.city] = fixed.vintage
    for city in CITIES:
        if city not in part.vintages:
            try:
                part.vintages[city] = boundaries.latest(city)
            except QalaError:
                continue
    held = ", ".join(sorted(set(latest["city"]), key=CITIES.index))
    part.nowhere = f"outside every district of {held}"
    return targets


def read_spec(
    path: Path,
    label: str,
    lat_col: str | None,
    lon_col: str | None,
    group_col: str | None,
    weight_col: str | None,
    *,
    city_col: str | None = None,
    scores: dict[str, Any] | None = None,
) -> tuple[PartSpec, int, bool, list[str]]:
    """Columns to read and how, from the Parquet footers only (no data page is read): the spec, the input
    rows, whether the metadata says synthetic, and the notes. ``scores``: score column -> (low, high)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    parts = parquet_parts(path)
    if not parts:
        raise BadInput(f"{label}: no Parquet file in {path}; give a .parquet file or a folder of .parquet "
                       "parts")
    try:
        schemas = {part: pq.read_schema(part) for part in parts}
        input_rows = sum(pq.ParquetFile(part).metadata.num_rows for part in parts)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise BadInput(f"{label}: a part is not a readable Parquet file ({exc}); write it again") from exc
    first = schemas[parts[0]]
    for part, schema in schemas.items():
        if schema.names != first.names:
            raise BadInput(f"{label}: part {part.name} has columns {schema.names}, not {first.names} like "
                           f"{parts[0].name}; write every part with the same columns")
    if input_rows == 0:
        raise BadInput(f"{label}: no rows in its Parquet part(s); the input holds nothing to join")
    header = pd.DataFrame(columns=first.names)
    lat, lon = coordinate_columns(header, lat_col, lon_col, label)
    if lat is None and b"geo" in (first.metadata or {}):
        raise BadInput(f"{label}: GeoParquet geometry is not read out of core; add lon/lat columns (or name "
                       "them with --lat-col/--lon-col), or use --engine builtin for a file that fits in "
                       "memory")
    if lat is None:
        raise BadInput(f"{label}: no coordinate columns (lat/lon, latitude/longitude, x/y, широта/долгота) "
                       f"among {first.names[:12]}; name them with --lat-col/--lon-col (district names: "
                       "--engine builtin)")
    _no_shares(label, scores or {}, first.names)
    found, notes = find_columns(header, label, lat_col=lat, lon_col=lon, group_col=group_col,
                                weight_col=weight_col, city_col=city_col, score_cols=tuple(scores or ()))
    for column in (lat, lon, found.weight):
        if column is not None and not pa.types.is_integer(first.field(column).type) \
                and not pa.types.is_floating(first.field(column).type):
            raise BadInput(f"{label}: column {column!r} is {first.field(column).type}, not a number; store "
                           "it as float, or use --engine builtin, which parses text cells")
    scales = _given_scales(label, found.scores, scores or {})
    read = [c for c in (lat, lon, found.city, found.group, found.weight, *found.scores) if c]
    spec = PartSpec(label=label, columns=found, read=list(dict.fromkeys(read)),
                    synthetic_columns=synthetic_columns(first.names), scales=scales)
    synthetic = any(metadata_synthetic(s.metadata) for s in schemas.values())
    return spec, input_rows, synthetic, notes


def _given_scales(label: str, columns: tuple[str, ...], scores: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """Each score column's scale as given: out of core none is inferred (that would take a pass over every row)."""
    scales = {}
    for column, (given, scale) in zip(columns, scores.items(), strict=True):
        if scale is None:
            raise BadInput(f"{label}: score column {given!r} has no scale; out of core give it, e.g. --score "
                           f"{given}:1-5 (or join in memory with --engine builtin to infer it)")
        scales[column] = (float(scale[0]), float(scale[1]))
    return scales


def _no_shares(label: str, scores: dict[str, Any], columns: list[str]) -> None:
    """A share item (``Сектор=госслужба``) would need every row's category before the join: refused here."""
    for given in scores:
        if given not in columns and share_spec(given) is not None:
            raise BadInput(f"{label}: the share item {given!r} is not derived out of core; store a 0/1 column and "
                           "give --score COLUMN:0-1, or join with --engine builtin")


def _sample(path: Path, spec: PartSpec) -> pd.DataFrame:
    """The first ``SAMPLE_ROWS`` coordinate cells of the first part, as stored (row N is input row N + 1)."""
    import pyarrow.parquet as pq

    if spec.columns.lat is None or spec.columns.lon is None:
        raise InternalError("out-of-core join: a partition without latitude and longitude columns")
    names = [spec.columns.lat, spec.columns.lon]
    batches = pq.ParquetFile(parquet_parts(path)[0]).iter_batches(SAMPLE_ROWS, columns=names)
    batch = next(batches, None)
    if batch is None:
        return pd.DataFrame({n: pd.Series(dtype=float) for n in names})
    return batch.to_pandas()


def _synthetic_cells_anywhere(path: Path, spec: PartSpec) -> bool:
    """A ``synthetic`` or ``source`` cell marking the input synthetic (``geo.io.userfile.synthetic_cells``)."""
    import dask.dataframe as dd

    checks = [synthetic_cells(dd.read_parquet(path, columns=[c])[c], c).any() for c in spec.synthetic_columns]
    return bool(any(dd.compute(*checks))) if checks else False


def prepare_partition(frame: pd.DataFrame, spec: PartSpec) -> pd.DataFrame:
    """Per row after the row rules (what a worker sees before the spatial join): lon, lat, the weight, and a
    key, ``ASIDE + reason`` for a row set aside (its coordinates and weight NaN), else empty."""
    import numpy as np

    checked = checked_rows(frame, spec)
    if checked.lon is None or checked.lat is None:
        raise InternalError("out-of-core join: the row rules gave no coordinates")
    aside = ~checked.usable
    key = np.full(len(frame), "", dtype=object)
    key[aside] = [ASIDE + str(r) for r in checked.aside.reasons[aside]]
    out = {"lon": np.where(aside, np.nan, checked.lon), "lat": np.where(aside, np.nan, checked.lat), "key": key}
    if checked.weight is not None:
        out["weight"] = np.where(aside, np.nan, checked.weight)
    return pd.DataFrame(out, index=frame.index)
