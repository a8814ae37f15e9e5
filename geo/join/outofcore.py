"""The join of a Parquet input too large for memory (``engine="dask"`` on a .parquet file or a folder of parts).

The points never leave the dask workers: each partition is judged by the same row rules as the in-memory join
(``geo.join.rules.check_rows``), then only per-district(-group) and per-hexagon counts come back
(``geo.engines.outofcore.count_points_dask``), and every indicator is computed from them as for the in-memory
join (``geo.join.measures.from_counts``).

Rows are set aside for the same reasons, in the same order of precedence, as in the in-memory join, but they
are counted per reason, not listed: row numbers would need every row's position across parts, which the
workers do not know. Whether latitude and longitude are swapped, and the city when none is given, are decided
on a sample (the first ``SAMPLE_ROWS`` rows of the first part) and applied to every row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h3
import numpy as np
import pandas as pd

from geo.errors import BadInput, InternalError
from geo.io.userfile import (
    Columns,
    coordinate_columns,
    metadata_synthetic,
    require_column,
    synthetic_cells,
    synthetic_columns,
)
from geo.join.choose import Boundaries, choose_city_and_vintage, most_common_city
from geo.join.measures import HexagonInput, from_counts
from geo.join.result import HotspotOptions, JoinResult, make_report
from geo.join.rules import CheckedRows, check_rows, other_city_reason, outside_reason

PART_SUFFIXES = (".parquet", ".parq", ".pq")
SAMPLE_ROWS = 100_000  # rows read from the first part to detect swapped coordinates and the city
ASIDE = "\x00"  # key prefix of rows set aside before the spatial join
SEP = "\x1f"  # separates group and H3 cells in a count key


@dataclass
class PartSpec:
    """What every partition needs: the columns, the swap decided on the sample, the H3 resolutions."""

    label: str
    columns: Columns
    read: list[str]
    synthetic_columns: list[str]
    swap: bool = False
    resolutions: list[int] = field(default_factory=list)


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
    *,
    city: str | None,
    vintage: str | None,
    lat_col: str | None,
    lon_col: str | None,
    group_col: str | None,
    weight_col: str | None,
    resolutions: list[int],
    boundaries: Boundaries,
    population: pd.DataFrame | None,
    name: str | None,
    client: Any,
    options: HotspotOptions,
) -> JoinResult:
    """Join the Parquet input at ``path`` on the dask ``client``; see the module docstring."""
    import dask.dataframe as dd

    from geo.engines.outofcore import count_points_dask

    label = name or path.name
    spec, input_rows, synthetic, notes = read_spec(path, label, lat_col, lon_col, group_col, weight_col)
    sample = _sample(path, spec)
    coordinates = Columns(lat=spec.columns.lat, lon=spec.columns.lon)
    checked = check_rows(sample, coordinates, label, keep_values=False, sampled=True)
    spec.swap, notes = checked.swap, notes + checked.notes
    usable = checked.usable
    lon, lat = _coordinates(checked)
    sample_lon, sample_lat = lon[usable], lat[usable]

    def infer() -> str:
        if not usable.any():
            raise BadInput(f"{label}: no usable row among the first {len(sample)} rows of the first part to "
                           "infer the city from; give --city")
        return most_common_city(sample_lon, sample_lat, boundaries, label,
                                sample[usable].reset_index(drop=True))

    choice = choose_city_and_vintage("points", infer, boundaries, city, vintage)
    city, vintage = choice.city, choice.vintage
    city_notes = [f"{note} (of a {len(sample)}-row sample of the first part)" for note in choice.notes]
    chosen = choice.districts[choice.districts.geometry.notna()].reset_index(drop=True)
    others = boundaries.latest_of_every_city()
    others = others[others["city"] != city].reset_index(drop=True)
    # chosen first: the lowest position wins (geo.engines.grid's border rule), so a point of the chosen city
    # is never taken by a neighbour, and a point elsewhere goes to the same other-city district as in memory
    targets = pd.concat([chosen, others], ignore_index=True)
    spec.resolutions = list(resolutions)

    frame = dd.read_parquet(path, columns=spec.read)
    synthetic = synthetic or "synthetic" in label.lower() or _synthetic_cells_anywhere(path, spec)
    meta = {"lon": "float64", "lat": "float64", "key": "object"}
    if weight_col:
        meta["weight"] = "float64"
    prepared = frame.map_partitions(prepare_partition, spec,
                                    meta=pd.DataFrame({k: pd.Series(dtype=v) for k, v in meta.items()}))
    counts = count_points_dask(targets, prepared, by="key", weight_col="weight" if weight_col else None,
                               client=client)
    if counts.attrs["rows"] != input_rows:
        raise BadInput(f"{label}: the Parquet footers say {input_rows} rows but {counts.attrs['rows']} were "
                       "read; a part changed while being read: run again")

    long, per_res, by_reason, joined_rows, weighted = _tally(counts, chosen, targets, city, vintage, spec,
                                                             weighted=weight_col is not None)
    result = from_counts(chosen, long, per_res, population, city, vintage, synthetic, options)
    aside_rows = int(by_reason.sum())
    if joined_rows + aside_rows != input_rows:
        raise InternalError(f"out-of-core join: {joined_rows} joined + {aside_rows} set aside != {input_rows} rows")
    result.set_aside = pd.DataFrame({"reason": by_reason.index, "rows": by_reason.to_numpy()})
    result.set_aside = result.set_aside.sort_values(["rows", "reason"], ascending=[False, True],
                                                    ignore_index=True)
    notes.append(f"out of core on dask ({len(parquet_parts(path))} Parquet part(s)): set-aside rows are "
                 "counted per reason, without row numbers (rows have no global number across parts)")
    result.report = make_report(
        name=label, synthetic=synthetic, kind="points", city=city, vintage=vintage, engine="dask",
        input_rows=input_rows, joined=joined_rows, aside=aside_rows, weighted_total=weighted,
        by_reason={str(k): int(v) for k, v in by_reason.items()},
        notes=notes + city_notes + result.report["notes"], columns=spec.columns.as_dict(),
        resolutions=list(result.hexagons), options=options, out_of_core=True,
    )
    result.assigned = pd.DataFrame(columns=["row", "district_id"])  # rows stay on the workers: counts only
    return result


def _tally(
    counts: pd.DataFrame,
    chosen: pd.DataFrame,
    targets: pd.DataFrame,
    city: str,
    vintage: str,
    spec: PartSpec,
    *,
    weighted: bool,
) -> tuple[pd.DataFrame, dict[int, HexagonInput], pd.Series, int, float]:
    """From the workers' counts per (district, key): the per-district(-group) counts, the hexagon inputs, the
    set-aside rows per reason, the joined rows and their weighted total."""
    aside = counts["key"].str.startswith(ASIDE)
    by_reason = counts[aside].assign(reason=counts["key"].str[1:]).groupby("reason")["points"].sum()
    if int(by_reason.sum()) != counts.attrs["non_finite"]:
        raise InternalError("out-of-core join: the rows set aside must be exactly those with NaN coordinates")
    kept = counts[~aside]
    outside = kept["district"] < 0
    elsewhere = kept["district"] >= len(chosen)
    late = pd.concat([
        kept[outside].assign(reason=outside_reason(city, vintage)),
        kept[elsewhere].assign(reason=[other_city_reason(c, city)
                                       for c in targets["city"].to_numpy()[kept.loc[elsewhere, "district"]]]),
    ])
    by_reason = by_reason.add(late.groupby("reason")["points"].sum(), fill_value=0).astype("int64")
    by_reason = by_reason[by_reason > 0]  # a reason counted 0 times (an empty key from the parts) is none
    joined = kept[~outside & ~elsewhere]
    parts = joined["key"].str.split(SEP, expand=True, regex=False) if len(joined) else \
        pd.DataFrame(columns=range(1 + len(spec.resolutions)))
    weights = joined["weight"] if weighted else joined["points"].astype(float)
    long = pd.DataFrame({"district_id": chosen["district_id"].to_numpy()[joined["district"].to_numpy()],
                         "count": weights.to_numpy(), "n_rows": joined["points"].to_numpy()})
    if spec.columns.group:
        long.insert(1, "group", parts[0].to_numpy())
    group_keys = ["district_id"] + (["group"] if spec.columns.group else [])
    long = long.groupby(group_keys, sort=True)[["count", "n_rows"]].sum().reset_index()
    per_res: dict[int, HexagonInput] = {}
    for i, res in enumerate(spec.resolutions):
        cells = pd.DataFrame({"hex_id": parts[i + 1].to_numpy(), "count": weights.to_numpy(),
                              "n_points": joined["points"].to_numpy()}).groupby("hex_id").sum()
        if len(cells):
            centres = np.array([h3.cell_to_latlng(c) for c in cells.index])
            per_res[res] = (centres[:, 1], centres[:, 0], cells["count"].to_numpy(), cells["n_points"])
    return long, per_res, by_reason, int(joined["points"].sum()), float(weights.sum())


def read_spec(
    path: Path,
    label: str,
    lat_col: str | None,
    lon_col: str | None,
    group_col: str | None,
    weight_col: str | None,
) -> tuple[PartSpec, int, bool, list[str]]:
    """Columns to read and how, from the Parquet footers only (no data page is read): the spec, the input
    rows, whether the metadata says synthetic, and the notes."""
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
    group = require_column(header, group_col, label, "--group-col") if group_col is not None else None
    weight = require_column(header, weight_col, label, "--weight-col") if weight_col is not None else None
    for column in (lat, lon, weight):
        if column is not None and not pa.types.is_integer(first.field(column).type) \
                and not pa.types.is_floating(first.field(column).type):
            raise BadInput(f"{label}: column {column!r} is {first.field(column).type}, not a number; store "
                           "it as float, or use --engine builtin, which parses text cells")
    columns = Columns(lat=lat, lon=lon, group=group, weight=weight)
    spec = PartSpec(label=label, columns=columns,
                    read=list(dict.fromkeys(c for c in (lat, lon, group, weight) if c)),
                    synthetic_columns=synthetic_columns(first.names))
    synthetic = any(metadata_synthetic(s.metadata) for s in schemas.values())
    return spec, input_rows, synthetic, [f"coordinates from columns lat={lat!r}, lon={lon!r}"]


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
    """Per row: lon, lat, a count key and the weight. The key is ``ASIDE + reason`` for a row set aside before
    the join (its coordinates become NaN so no district takes it; the reasons are ``check_rows``'s, with the swap
    decided on the sample), else the group and one H3 cell per resolution."""
    checked = check_rows(frame, spec.columns, spec.label, swap=spec.swap, keep_values=False)
    lon, lat = _coordinates(checked)
    aside = ~checked.usable
    keep = np.flatnonzero(~aside)
    key = np.empty(len(frame), dtype=object)
    key[aside] = [ASIDE + r for r in checked.aside.reasons[aside]]
    group = checked.group
    no_group = np.full(len(keep), "", dtype=object)
    cells = [group.to_numpy(dtype=object)[keep] if group is not None else no_group]
    for res in spec.resolutions:
        hexes = [h3.latlng_to_cell(y, x, res) for x, y in zip(lon[keep], lat[keep], strict=True)]
        cells.append(np.array(hexes, dtype=object))
    key[keep] = [SEP.join(parts) for parts in zip(*cells, strict=True)] if len(keep) else []
    out = {"lon": np.where(aside, np.nan, lon), "lat": np.where(aside, np.nan, lat), "key": key}
    if checked.weight is not None:
        out["weight"] = np.where(aside, np.nan, checked.weight)
    return pd.DataFrame(out, index=frame.index)


def _coordinates(checked: CheckedRows) -> tuple[np.ndarray, np.ndarray]:
    if checked.lon is None or checked.lat is None:
        raise InternalError("out-of-core join: the row rules gave no coordinates")
    return checked.lon, checked.lat
