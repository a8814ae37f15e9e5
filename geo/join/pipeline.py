"""``qala join FILE``: a researcher's points or district names joined to the districts, with indicators and a report.

``join_user_data`` is the one pipeline behind both the CLI and the dashboard upload. It returns a ``JoinResult``
holding, per district of the chosen boundary vintage: the count (weighted when a weight column is given), the share
of the city, the count per 1,000 residents (with the population figure's period and source), per group the count
and location quotient; per group the dissimilarity and isolation indices (ours and PySAL's); with coordinates, H3
hexagons with Gi* hot and cold spots; and a report of every input row that was not joined, with its row number and
reason. ``joined + set aside == input rows`` is asserted.

Zero counts are real: the file covers the whole city, so a district none of its rows fall in has count 0. What is
unknown stays missing: a district without a population figure has ``per_1000`` NaN.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd

from geo.io import writers
from geo.io.atomic import atomic_write_text
from geo.indicators.concentration import group_indices, location_quotient
from geo.errors import BadInput, CRSError, QalaError, UnknownName
from geo.indicators.hotspots import DEFAULT_PERMUTATIONS, DEFAULT_SEED, H3_RESOLUTIONS, hotspots
from geo.settings import CITIES
from geo.engines.synthetic import SYNTHETIC_LABEL
from geo.io.userfile import UserTable, read_user_file

ENGINES = ("builtin", "dask")
REPORT_ROWS = 1000  # set-aside rows listed in report.json; set_aside.csv always has every one


@dataclass
class JoinResult:
    """Everything ``qala join`` produces; ``write`` puts it in a folder, atomically file by file."""

    city: str
    vintage: str
    districts: gpd.GeoDataFrame
    assigned: pd.DataFrame  # the joined input rows: row, district_id (+ lon/lat, group, weight)
    set_aside: pd.DataFrame  # row, reason, value
    groups: pd.DataFrame | None = None  # long: district_id, group, count, lq
    indices: pd.DataFrame | None = None  # per group: dissimilarity, isolation (+ PySAL's)
    hexagons: dict[int, gpd.GeoDataFrame] = field(default_factory=dict)
    report: dict = field(default_factory=dict)
    synthetic: bool = False

    def write(self, folder) -> list[Path]:
        """districts.geojson/.csv/.parquet, groups.csv, indices.csv, hexagons_r<res>.geojson, set_aside.csv,
        report.json in ``folder``; each file replaced atomically."""
        folder = Path(folder)
        written = [
            writers.to_geojson(self.districts, folder / "districts.geojson"),
            writers.to_csv(self.districts, folder / "districts.csv"),
            writers.to_parquet(self.districts, folder / "districts.parquet"),
            writers.to_csv(self.set_aside, folder / "set_aside.csv"),
        ]
        if self.groups is not None:
            written.append(writers.to_csv(self.groups, folder / "groups.csv"))
        if self.indices is not None:
            written.append(writers.to_csv(self.indices, folder / "indices.csv"))
        for res, grid in self.hexagons.items():
            written.append(writers.to_geojson(grid, folder / f"hexagons_r{res}.geojson"))
        report_path = folder / "report.json"
        atomic_write_text(report_path, json.dumps(self.report, ensure_ascii=False, indent=2, default=str) + "\n")
        return [*written, report_path]


def join_user_data(
    path,
    *,
    city: str | None = None,
    vintage: str | None = None,
    lat_col: str | None = None,
    lon_col: str | None = None,
    district_col: str | None = None,
    group_col: str | None = None,
    weight_col: str | None = None,
    h3_res=(8,),
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = DEFAULT_SEED,
    alpha: float = 0.05,
    engine: str = "builtin",
    scheduler: str | None = None,
    districts: gpd.GeoDataFrame | None = None,
    population: pd.DataFrame | None = None,
    name: str | None = None,
    client=None,
) -> JoinResult:
    """Join the researcher's file at ``path`` to the districts of ``vintage`` (latest of ``city`` by default).

    ``districts`` (the built-layer schema, every vintage) and ``population`` (columns district_id, value,
    period_label, source[, confidence]) default to the built layers; tests and the dashboard may pass their own.
    ``name`` is the original file name of an uploaded temporary copy. ``h3_res`` is a resolution or a sequence
    of them (7..9), empty for none. Raises ``QalaError`` subclasses for input that cannot be used at all.

    ``engine="dask"`` on a Parquet file or a folder of Parquet parts never loads the points: see
    ``_join_out_of_core``. ``client`` is an open ``distributed.Client`` to use instead of ``scheduler``.
    """
    if engine not in ENGINES:
        raise BadInput(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    resolutions = _resolutions(h3_res)
    options = {"permutations": permutations, "seed": seed, "alpha": alpha}
    if engine == "dask" and district_col is None and _parquet_parts(path):
        from contextlib import nullcontext

        from geo.engines.outofcore import dask_client

        with nullcontext(client) if client is not None else dask_client(scheduler) as active:
            return _join_out_of_core(
                Path(path), city=city, vintage=vintage, lat_col=lat_col, lon_col=lon_col, group_col=group_col,
                weight_col=weight_col, resolutions=resolutions, districts=districts, population=population,
                name=name, client=active, options=options,
            )
    table = read_user_file(
        path, lat_col=lat_col, lon_col=lon_col, district_col=district_col, group_col=group_col,
        weight_col=weight_col, name=name,
    )
    all_districts = _all_districts(districts)
    city, vintage, notes = _choose_city_and_vintage(
        table.kind, lambda: _infer_city(table, all_districts), all_districts, city, vintage)
    chosen = all_districts[(all_districts["vintage"] == vintage) & (all_districts["city"] == city)]
    chosen = chosen.reset_index(drop=True)

    if table.kind == "points":
        position, reasons = _assign_by_coordinates(table, chosen, all_districts, city, vintage, engine, scheduler)
    else:
        position, reasons = _assign_by_names(table, chosen, city, vintage)
    rows = table.rows
    joined = position >= 0
    assigned = rows[joined].copy()
    assigned.insert(1, "district_id", chosen["district_id"].to_numpy()[position[joined]])
    late = pd.DataFrame(
        {"row": rows["row"][~joined].to_numpy(), "reason": reasons[~joined], "value": _shown(rows[~joined])}
    )
    set_aside = pd.concat([table.set_aside, late], ignore_index=True).sort_values("row", ignore_index=True)
    assert len(assigned) + len(set_aside) == table.input_rows, "joined + set aside must equal the input rows"

    weights = assigned["weight"] if "weight" in assigned else pd.Series(1.0, index=assigned.index)
    keys = ["district_id"] + (["group"] if "group" in assigned else [])
    counts = (pd.DataFrame({**{k: assigned[k].to_numpy() for k in keys}, "w": weights.to_numpy()})
              .groupby(keys, sort=True)["w"].agg(count="sum", n_rows="size").reset_index())
    per_res = {}
    if table.kind == "points" and len(assigned) >= 1:
        per_res = {res: (assigned["lon"], assigned["lat"], weights.to_numpy(), None) for res in resolutions}
    result = _from_counts(chosen, counts, per_res, population, city, vintage, table.synthetic, options)
    if engine == "dask":
        notes.append("read in memory, points assigned on dask; out of core needs Parquet (a file or a folder of "
                     "parts) with coordinate columns")
    by_reason = {k: int(v) for k, v in set_aside["reason"].value_counts().items()}
    result.report = _report(
        table.path.name, table.synthetic, table.kind, city, vintage, engine, table.input_rows, len(assigned),
        len(set_aside), float(weights.sum()), by_reason, table.notes + notes + result.report["notes"],
        table.columns, list(result.hexagons), options,
        set_aside_first=set_aside.head(REPORT_ROWS).to_dict(orient="records"),  # all of them: set_aside.csv
    )
    result.assigned, result.set_aside = assigned.reset_index(drop=True), set_aside
    return result


def _from_counts(chosen, counts, per_res, population, city, vintage, synthetic, options) -> JoinResult:
    """Every per-district output from per-district(-group) ``counts`` (district_id, [group], count, n_rows): the
    one computation behind both engines, so the in-memory and out-of-core joins cannot drift apart.

    ``per_res`` maps an H3 resolution to (lon, lat, weights, n_points or None) of the joined points (or of
    hexagon centres carrying aggregated counts, with their row counts in ``n_points``).
    """
    out = _district_table(chosen, counts)
    pop_note = _add_population(out, population, city, vintage)
    groups = indices = None
    if "group" in counts:
        wide_counts = counts.pivot_table(index="district_id", columns="group", values="count", aggfunc="sum",
                                         fill_value=0.0).reindex(out["district_id"], fill_value=0.0)
        groups, wide = _group_tables(wide_counts)
        out = out.join(wide, on="district_id")
        indices = group_indices(wide_counts)
    hexagons = {}
    area = chosen.geometry.union_all() if per_res else None
    for res, (lon, lat, weights, n_points) in per_res.items():
        grid = hotspots(lon, lat, weights, res=res, area=area, **options)
        if n_points is not None:
            grid["n_points"] = grid["hex_id"].map(n_points).fillna(0).astype("int64")
        grid["synthetic"] = synthetic
        hexagons[res] = grid
    out["synthetic"] = synthetic
    if groups is not None:
        groups["synthetic"] = synthetic
        indices["synthetic"] = synthetic
    return JoinResult(
        city=city, vintage=vintage, districts=out, assigned=pd.DataFrame(), set_aside=pd.DataFrame(),
        groups=groups, indices=indices, hexagons=hexagons, report={"notes": [pop_note] if pop_note else []},
        synthetic=synthetic,
    )


# ----------------------------------------------------------------------------------------------- choosing


def _resolutions(h3_res) -> list[int]:
    values = [] if h3_res is None else [h3_res] if np.isscalar(h3_res) else list(h3_res)
    bad = [r for r in values if int(r) not in H3_RESOLUTIONS]
    if bad:
        raise BadInput(f"H3 resolution(s) {bad} not supported; choose among {H3_RESOLUTIONS} (--h3-res)")
    return sorted({int(r) for r in values})


def _all_districts(districts) -> gpd.GeoDataFrame:
    if districts is not None:
        return districts
    from geo.store import load_layer

    return load_layer("districts")


def _latest(city: str) -> str:
    from geo.store import latest_vintage

    return latest_vintage(city)


def _choose_city_and_vintage(kind: str, infer, districts, city, vintage) -> tuple[str, str, list[str]]:
    """City and vintage from the options; ``infer()`` names the city where most rows fall when neither is given."""
    notes = []
    if city is not None and city not in CITIES:
        raise UnknownName(f"unknown city {city!r}; use one of {', '.join(CITIES)} (--city)")
    if vintage is not None:
        cities = districts.loc[districts["vintage"] == vintage, "city"].unique()
        if len(cities) == 0:
            known = ", ".join(sorted(districts["vintage"].unique()))
            raise UnknownName(f"unknown vintage {vintage!r}; vintages: {known} (--vintage)")
        if city is not None and city != cities[0]:
            raise BadInput(f"vintage {vintage!r} is of {cities[0]}, not {city}; drop --city or change --vintage")
        city = cities[0]
    elif city is None:
        city = infer()
        notes.append(f"city {city} inferred from where most rows fall (override with --city)")
    vintage = vintage or _latest(city)
    if kind == "points":
        chosen = districts[(districts["vintage"] == vintage) & (districts["city"] == city)]
        if chosen.geometry.isna().all():
            raise BadInput(
                f"vintage {vintage!r} has no boundaries, so coordinates cannot be placed in it; use "
                f"--vintage {_latest(city)} or join by district names (--district-col)"
            )
    return city, vintage, notes


def _infer_city(table: UserTable, districts) -> str:
    if table.rows.empty:
        raise BadInput(f"{table.path.name}: no usable row to infer the city from; give --city")
    if table.kind == "points":
        return _most_common_city(table.rows["lon"], table.rows["lat"], districts, table.path.name, table.rows)
    from geo.domain.names import match_district

    ids = [match_district(str(n)) for n in table.rows["district_name"].unique()]
    found = districts.loc[districts["district_id"].isin([i for i in ids if i]), "city"].drop_duplicates()
    found = found.to_numpy()
    return _commonest(found, table.path.name, table.rows)


def _most_common_city(lon, lat, districts, label, rows) -> str:
    from geo.engines.grid import assign_points

    latest = _latest_of_every_city(districts)
    position = assign_points(latest, np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return _commonest(latest["city"].to_numpy()[position[position >= 0]], label, rows)


def _commonest(found, label, rows) -> str:
    if len(found) == 0:
        first = rows.iloc[0].drop("row", errors="ignore").to_dict()
        raise BadInput(f"{label}: no row falls in Astana, Almaty or Shymkent (row 1: {first}); check the "
                       "coordinates or names, or give --city")
    return pd.Series(found).value_counts().index[0]


def _latest_of_every_city(districts) -> gpd.GeoDataFrame:
    latest = [_latest(c) for c in CITIES]
    frame = districts[districts["vintage"].isin(latest)]
    return frame[frame.geometry.notna()].reset_index(drop=True)


# ----------------------------------------------------------------------------------------------- assigning


def _assign_by_coordinates(table, chosen, districts, city, vintage, engine, scheduler):
    lon = table.rows["lon"].to_numpy(dtype=float)
    lat = table.rows["lat"].to_numpy(dtype=float)
    with_geometry = chosen.geometry.notna().to_numpy()
    if engine == "dask":
        from geo.engines.outofcore import assign_points_dask

        raw = assign_points_dask(chosen[with_geometry], pd.DataFrame({"lon": lon, "lat": lat}), scheduler=scheduler)
        raw = raw.to_numpy()
    else:
        from geo.engines.grid import assign_points

        raw = assign_points(chosen[with_geometry], lon, lat)
    position = np.where(raw >= 0, np.flatnonzero(with_geometry)[np.maximum(raw, 0)], -1)
    reasons = np.full(len(lon), None, dtype=object)
    outside = position < 0
    if outside.any():
        from geo.engines.grid import assign_points

        others = _latest_of_every_city(districts)
        others = others[others["city"] != city].reset_index(drop=True)
        elsewhere = assign_points(others, lon[outside], lat[outside]) if len(others) else np.full(outside.sum(), -1)
        other_city = np.where(elsewhere >= 0, others["city"].to_numpy()[np.maximum(elsewhere, 0)], None)
        reasons[outside] = [
            f"in {c}, not in the chosen city {city}" if c else f"outside every district of {city} ({vintage})"
            for c in other_city
        ]
    return position, reasons


def _assign_by_names(table, chosen, city, vintage):
    from geo.domain.names import district_candidates

    ids = chosen["district_id"].tolist()
    position = np.full(len(table.rows), -1)
    reasons = np.full(len(table.rows), None, dtype=object)
    verdicts = {}
    for name in table.rows["district_name"].unique():
        found = district_candidates(str(name), city)
        if len(found) == 1 and next(iter(found)) in ids:
            verdicts[name] = (ids.index(next(iter(found))), None)
        elif len(found) == 1:
            verdicts[name] = (-1, f"district {name!r} ({next(iter(found))}) is not a district of {vintage}")
        elif found:
            verdicts[name] = (-1, f"ambiguous district name {name!r}: could be {', '.join(sorted(found))}")
        else:
            verdicts[name] = (-1, f"unknown district name {name!r} in {city}")
    for i, name in enumerate(table.rows["district_name"]):
        position[i], reasons[i] = verdicts[name]
    return position, reasons


def _shown(rows: pd.DataFrame) -> list:
    if "district_name" in rows:
        return rows["district_name"].tolist()
    return [f"{x}, {y}" for x, y in zip(rows["lon"], rows["lat"])]


# ----------------------------------------------------------------------------------------------- out of core

PARQUET_SUFFIXES = (".parquet", ".parq", ".pq")
SAMPLE_ROWS = 100_000  # rows read from the first part to detect swapped coordinates and the city
_ASIDE = "\x00"  # key prefix of rows set aside before the spatial join
_SEP = "\x1f"  # separates group and H3 cells in a count key


def _parquet_parts(path) -> list[Path]:
    """The Parquet files behind ``path`` (a .parquet file or a folder of parts), else [] (not a Parquet input)."""
    path = Path(path)
    if path.is_file():
        return [path] if path.suffix.lower() in PARQUET_SUFFIXES else []
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in PARQUET_SUFFIXES
                      and not p.name.startswith(("_", ".")))
    return []


def _join_out_of_core(path: Path, *, city, vintage, lat_col, lon_col, group_col, weight_col, resolutions,
                      districts, population, name, client, options) -> JoinResult:
    """The join of a Parquet input too large for memory: only per-district(-group) and per-hexagon counts leave
    the dask workers (``geo.dask_engine.count_points_dask``); the indicators come from ``_from_counts``.

    Rows are set aside for the same reasons, in the same order of precedence, as ``geo.io.userfile`` and the
    built-in engine give them, but they are counted per reason, not listed: row numbers would need every row's
    position across parts, which the workers do not know.
    """
    import dask.dataframe as dd

    from geo.engines.outofcore import count_points_dask

    label = name or path.name
    spec, input_rows, synthetic, notes = _parquet_spec(path, label, lat_col, lon_col, group_col, weight_col)
    all_districts = _all_districts(districts)
    sample = _coordinate_sample(path, spec)
    spec["swap"] = _sample_swap(sample, label, notes)
    lon_s, lat_s = (sample["lat"], sample["lon"]) if spec["swap"] else (sample["lon"], sample["lat"])
    city, vintage, city_notes = _choose_city_and_vintage(
        "points", lambda: _most_common_city(lon_s, lat_s, all_districts, label, sample), all_districts, city, vintage)
    if city_notes:
        city_notes = [f"{city_notes[0]} (of a {len(sample)}-row sample of the first part)"]
    chosen = all_districts[(all_districts["vintage"] == vintage) & (all_districts["city"] == city)]
    chosen = chosen[chosen.geometry.notna()].reset_index(drop=True)
    others = _latest_of_every_city(all_districts)
    others = others[others["city"] != city].reset_index(drop=True)
    # chosen first: the lowest position wins (geo.engines.grid's border rule), so a point of the chosen city is never
    # taken by a neighbour, and a point elsewhere goes to the same other-city district as in the built-in path
    targets = pd.concat([chosen, others], ignore_index=True)
    spec["resolutions"] = list(resolutions)

    frame = dd.read_parquet(path, columns=spec["read"])
    synthetic = synthetic or "synthetic" in label.lower() or _synthetic_columns(path, spec)
    meta = {"lon": "float64", "lat": "float64", "key": "object", **({"weight": "float64"} if weight_col else {})}
    prepared = frame.map_partitions(_prepare_partition, spec,
                                    meta=pd.DataFrame({k: pd.Series(dtype=v) for k, v in meta.items()}))
    counts = count_points_dask(targets, prepared, by="key", weight_col="weight" if weight_col else None,
                               client=client)
    rows_counted = counts.attrs["rows"]
    if rows_counted != input_rows:
        raise BadInput(f"{label}: the Parquet footers say {input_rows} rows but {rows_counted} were read; a part "
                       "changed while being read: run again")

    aside = counts["key"].str.startswith(_ASIDE)
    by_reason = counts[aside].assign(reason=counts["key"].str[1:]).groupby("reason")["points"].sum()
    assert int(by_reason.sum()) == counts.attrs["non_finite"], "rows set aside before the join keep NaN coordinates"
    kept = counts[~aside]
    n_chosen = len(chosen)
    outside = kept["district"] < 0
    elsewhere = kept["district"] >= n_chosen
    late = pd.concat([
        kept[outside].assign(reason=f"outside every district of {city} ({vintage})"),
        kept[elsewhere].assign(reason=[f"in {c}, not in the chosen city {city}"
                                       for c in targets["city"].to_numpy()[kept.loc[elsewhere, "district"]]]),
    ])
    by_reason = by_reason.add(late.groupby("reason")["points"].sum(), fill_value=0).astype("int64")
    joined = kept[~outside & ~elsewhere]
    parts = joined["key"].str.split(_SEP, expand=True, regex=False) if len(joined) else \
        pd.DataFrame(columns=range(1 + len(resolutions)))
    weights = joined["weight"] if weight_col else joined["points"].astype(float)
    long = pd.DataFrame({"district_id": chosen["district_id"].to_numpy()[joined["district"].to_numpy()],
                         "count": weights.to_numpy(), "n_rows": joined["points"].to_numpy()})
    if group_col:
        long.insert(1, "group", parts[0].to_numpy())
    group_keys = ["district_id"] + (["group"] if group_col else [])
    long = long.groupby(group_keys, sort=True)[["count", "n_rows"]].sum().reset_index()
    per_res = {}
    for i, res in enumerate(spec["resolutions"]):
        cells = pd.DataFrame({"hex_id": parts[i + 1].to_numpy(), "count": weights.to_numpy(),
                              "n_points": joined["points"].to_numpy()}).groupby("hex_id").sum()
        if len(cells):
            centres = np.array([h3.cell_to_latlng(c) for c in cells.index])
            per_res[res] = (centres[:, 1], centres[:, 0], cells["count"].to_numpy(), cells["n_points"])

    result = _from_counts(chosen, long, per_res, population, city, vintage, synthetic, options)
    joined_rows = int(joined["points"].sum())
    aside_rows = int(by_reason.sum())
    assert joined_rows + aside_rows == input_rows, "joined + set aside must equal the input rows"
    result.set_aside = pd.DataFrame({"reason": by_reason.index, "rows": by_reason.to_numpy()})
    result.set_aside = result.set_aside.sort_values(["rows", "reason"], ascending=[False, True], ignore_index=True)
    notes.append(f"out of core on dask ({len(_parquet_parts(path))} Parquet part(s)): set-aside rows are counted "
                 "per reason, without row numbers (rows have no global number across parts)")
    result.report = _report(
        label, synthetic, "points", city, vintage, "dask", input_rows, joined_rows, aside_rows,
        float(weights.sum()), by_reason.to_dict(), notes + city_notes + result.report["notes"],
        spec["columns"], list(result.hexagons), options, out_of_core=True,
    )
    result.assigned = pd.DataFrame(columns=["row", "district_id"])  # rows stay on the workers: counts only
    return result


def _parquet_spec(path, label, lat_col, lon_col, group_col, weight_col):
    """Columns to read and how, from the Parquet footers only (no data page is read)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from geo.io.userfile import _coordinate_columns, _require_column

    parts = _parquet_parts(path)
    if not parts:
        raise BadInput(f"{label}: no Parquet file in {path}; give a .parquet file or a folder of .parquet parts")
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
    lat, lon = _coordinate_columns(header, lat_col, lon_col, label)
    if lat is None and b"geo" in (first.metadata or {}):
        raise BadInput(f"{label}: GeoParquet geometry is not read out of core; add lon/lat columns (or name them "
                       "with --lat-col/--lon-col), or use --engine builtin for a file that fits in memory")
    if lat is None:
        raise BadInput(f"{label}: no coordinate columns (lat/lon, latitude/longitude, x/y, широта/долгота) among "
                       f"{first.names[:12]}; name them with --lat-col/--lon-col (district names: --engine builtin)")
    spec = {"lat": lat, "lon": lon, "group": None, "weight": None}
    if group_col is not None:
        spec["group"] = _require_column(header, group_col, label, "--group-col")
    if weight_col is not None:
        spec["weight"] = _require_column(header, weight_col, label, "--weight-col")
    for role in ("lat", "lon", "weight"):
        column = spec[role]
        if column is not None and not pa.types.is_integer(first.field(column).type) \
                and not pa.types.is_floating(first.field(column).type):
            raise BadInput(f"{label}: column {column!r} is {first.field(column).type}, not a number; store it "
                           "as float, or use --engine builtin, which parses text cells")
    spec["read"] = list(dict.fromkeys(c for c in (lat, lon, spec["group"], spec["weight"]) if c))
    spec["synthetic_columns"] = [c for c in first.names if str(c).strip().lower() in ("synthetic", "source")]
    synthetic = any(str((s.metadata or {}).get(b"synthetic", b"")).lower() in ("b'true'", "b'1'")
                    for s in schemas.values())
    notes = [f"coordinates from columns lat={lat!r}, lon={lon!r}"]
    columns = {"lat": lat, "lon": lon, **({"group": spec["group"]} if group_col else {}),
               **({"weight": spec["weight"]} if weight_col else {})}
    spec["columns"] = columns
    return spec, input_rows, synthetic, notes


def _coordinate_sample(path, spec) -> pd.DataFrame:
    import pyarrow.parquet as pq

    batch = next(pq.ParquetFile(_parquet_parts(path)[0]).iter_batches(SAMPLE_ROWS, columns=[spec["lon"],
                                                                                             spec["lat"]]), None)
    frame = batch.to_pandas() if batch is not None else pd.DataFrame(columns=[spec["lon"], spec["lat"]])
    sample = pd.DataFrame({"lon": frame[spec["lon"]].astype(float), "lat": frame[spec["lat"]].astype(float)})
    return sample[np.isfinite(sample["lon"]) & np.isfinite(sample["lat"])].reset_index(drop=True)


def _sample_swap(sample, label, notes) -> bool:
    """``geo.io.userfile``'s swap and projected-metres rules, decided on the sample and applied to every row."""
    from geo.io.userfile import _in_kz

    in_range = ((sample["lon"].abs() <= 180) & (sample["lat"].abs() <= 90)).to_numpy()
    if len(sample) and not in_range.any():
        raise CRSError(f"{label}: no coordinate is a longitude/latitude in degrees (first finite row: "
                       f"{sample['lon'].iloc[0]}, {sample['lat'].iloc[0]}); the file looks projected (metres) "
                       "without a CRS: reproject it to EPSG:4326")
    straight = _in_kz(sample["lon"], sample["lat"])[in_range].sum()
    swapped = _in_kz(sample["lat"], sample["lon"])[in_range].sum()
    if swapped > straight:
        notes.append(f"latitude and longitude were swapped in the file ({swapped} of {in_range.sum()} sampled rows "
                     "fit Kazakhstan only when swapped): the columns were exchanged for every row")
        return True
    return False


def _synthetic_columns(path, spec) -> bool:
    """A ``synthetic`` column with a true value or a ``source`` column saying SYNTHETIC (as geo.io.userfile)."""
    import dask.dataframe as dd

    checks = []
    for column in spec["synthetic_columns"]:
        values = dd.read_parquet(path, columns=[column])[column]
        text = values.astype(str).str.strip()
        flag = text.str.lower().isin(["true", "1", "yes", "y"]) if column.strip().lower() == "synthetic" \
            else text.str.upper() == SYNTHETIC_LABEL
        checks.append(flag.any())
    return bool(any(dd.compute(*checks))) if checks else False


def _prepare_partition(frame: pd.DataFrame, spec) -> pd.DataFrame:
    """Per row: lon, lat, a count key and the weight. The key is ``_ASIDE + reason`` for a row set aside before
    the join (its coordinates become NaN so no district takes it), else the group and one H3 cell per resolution.

    Reasons and their precedence are ``geo.io.userfile``'s: latitude, longitude, range, group, weight.
    """
    from geo.io.userfile import _MISSING

    n = len(frame)
    reasons = np.full(n, None, dtype=object)

    def mark(mask, reason):
        mask = np.asarray(mask, dtype=bool) & pd.isna(reasons)
        reasons[mask] = reason

    lat = frame[spec["lat"]].to_numpy(np.float64)
    lon = frame[spec["lon"]].to_numpy(np.float64)
    for values, what, column in ((lat, "latitude", spec["lat"]), (lon, "longitude", spec["lon"])):
        mark(np.isnan(values), f"missing {what} in column {column!r}")
        mark(np.isinf(values), f"non-numeric {what} in column {column!r}")  # as "inf" reads in geo.io.userfile
    if spec["swap"]:
        lon, lat = lat, lon
    mark((np.abs(lon) > 180) | (np.abs(lat) > 90), "coordinates out of range (lon -180..180, lat -90..90)")
    group = None
    if spec["group"]:
        group = frame[spec["group"]].astype("string").str.strip()
        mark((group.isna() | group.str.lower().isin(_MISSING)).to_numpy(),
             f"missing group in column {spec['group']!r}")
    out = {}
    if spec["weight"]:
        weight = frame[spec["weight"]].to_numpy(np.float64)
        mark(np.isnan(weight), f"missing weight in column {spec['weight']!r}")
        mark(np.isinf(weight), f"non-numeric weight in column {spec['weight']!r}")
        mark(weight < 0, f"negative weight in column {spec['weight']!r}")
    aside = ~pd.isna(reasons)
    keep = np.flatnonzero(~aside)
    key = np.empty(n, dtype=object)
    key[aside] = [_ASIDE + r for r in reasons[aside]]
    columns = [group.to_numpy(dtype=object)[keep] if group is not None else np.full(len(keep), "", dtype=object)]
    for res in spec["resolutions"]:
        columns.append([h3.latlng_to_cell(y, x, res) for x, y in zip(lon[keep], lat[keep])])
    key[keep] = [_SEP.join(parts) for parts in zip(*columns)] if len(keep) else []
    out["lon"] = np.where(aside, np.nan, lon)
    out["lat"] = np.where(aside, np.nan, lat)
    out["key"] = key
    if spec["weight"]:
        out["weight"] = np.where(aside, np.nan, weight)
    return pd.DataFrame(out, index=frame.index)


# ----------------------------------------------------------------------------------------------- indicators


def _district_table(chosen, counts) -> gpd.GeoDataFrame:
    keep = [c for c in ("district_id", "city", "vintage", "name_en", "name_ru", "name_kk", "area_km2", "bank")
            if c in chosen.columns]
    out = gpd.GeoDataFrame(chosen[keep].copy(), geometry=chosen.geometry.array, crs=chosen.crs)
    totals = counts.groupby("district_id")[["count", "n_rows"]].sum()
    out["count"] = out["district_id"].map(totals["count"]).fillna(0.0).astype(float)  # real zeros: no rows there
    out["n_rows"] = out["district_id"].map(totals["n_rows"]).fillna(0).astype(int)
    total = out["count"].sum()
    out["share_of_city"] = out["count"] / total if total > 0 else np.nan
    return out


def _add_population(out, population, city, vintage) -> str | None:
    """Population columns and per_1000; returns a note when figures are missing (left NaN, never 0)."""
    note = None
    if population is None:
        try:
            from geo.store import population_for

            population = population_for(city, vintage)
        except QalaError as exc:
            note = f"no population figures ({exc}); per_1000 left empty"
            population = pd.DataFrame(columns=["district_id", "value", "period_label", "source"])
    pop = population.drop_duplicates("district_id", keep="last").set_index("district_id")
    out["population"] = out["district_id"].map(pop["value"]).astype(float)
    out["population_period"] = out["district_id"].map(pop["period_label"])
    out["population_source"] = out["district_id"].map(pop["source"])
    if "confidence" in pop:
        out["population_confidence"] = out["district_id"].map(pop["confidence"])
    out["per_1000"] = out["count"] / out["population"] * 1000.0
    missing = out.loc[out["population"].isna(), "district_id"].tolist()
    if note is None and missing:
        note = f"no population figure for {missing}: per_1000 left empty there"
    return note


def _group_tables(counts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Long (district_id, group, count, lq) and wide (count_<g>, lq_<g>) tables from districts x groups counts."""
    total = counts.sum(axis=1).to_numpy()
    long_rows, wide = [], pd.DataFrame(index=counts.index)
    for group in counts.columns:
        lq = location_quotient(counts[group].to_numpy(), total)
        wide[f"count_{group}"] = counts[group].to_numpy()
        wide[f"lq_{group}"] = lq
        long_rows.append(pd.DataFrame({"district_id": counts.index, "group": group,
                                       "count": counts[group].to_numpy(), "lq": lq}))
    return pd.concat(long_rows, ignore_index=True), wide


def _report(name, synthetic, kind, city, vintage, engine, input_rows, joined, aside, weighted_total, by_reason,
            notes, columns, resolutions, options, **extra) -> dict:
    return {
        "input": str(name),
        "synthetic": synthetic,
        "kind": kind,
        "city": city,
        "vintage": vintage,
        "engine": engine,
        "input_rows": int(input_rows),
        "joined_rows": int(joined),
        "set_aside_rows": int(aside),
        "weighted_total": float(weighted_total),
        "set_aside_by_reason": dict(sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0]))),
        **extra,
        "notes": notes,
        "columns": columns,
        "hotspots": {"h3_resolutions": resolutions, "permutations": options["permutations"], "seed": options["seed"],
                     "fdr_alpha": options["alpha"],
                     "p_value": "two-sided normal p of Gi* z; permutation pseudo-p in gi_p_sim"},
        "border_rule": "a point on a shared border goes to the district listed first (geo.engines.grid)",
    }


# ----------------------------------------------------------------------------------------------- CLI


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "join",
        help="join your own points or district names to the districts: counts, shares, LQ, hot spots, report",
        description="Reads CSV (UTF-8/cp1251; , ; or tab), GeoJSON or GeoParquet. Coordinates are found by name "
        "(lat/lon, latitude/longitude, x/y, широта/долгота) unless given; or use --district-col.",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("-o", "--output", default="qala-join", help="output folder (default: ./qala-join)")
    p.add_argument("--city", choices=CITIES, help="default: where most rows fall")
    p.add_argument("--vintage", help="boundary vintage, e.g. astana-5 (default: the city's latest)")
    p.add_argument("--lat-col", help="latitude column (found by name otherwise)")
    p.add_argument("--lon-col", help="longitude column (found by name otherwise)")
    p.add_argument("--district-col", help="join by the district names in this column instead of coordinates")
    p.add_argument("--group-col", help="group column (migrant category, origin region ...) for LQ and indices")
    p.add_argument("--weight-col", help="numeric weight per row (survey weights)")
    p.add_argument("--h3-res", type=int, nargs="*", default=[8], choices=H3_RESOLUTIONS,
                   help="H3 resolutions for hot spots (default 8; none to skip)")
    p.add_argument("--permutations", type=int, default=DEFAULT_PERMUTATIONS,
                   help=f"Gi* permutations for the pseudo p-value (default {DEFAULT_PERMUTATIONS}; 0 to skip)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed of the permutations")
    p.add_argument("--engine", choices=ENGINES, default="builtin", help="point-in-district engine")
    p.add_argument("--scheduler", help="dask scheduler address (with --engine dask; default: a local cluster)")
    p.set_defaults(func=run)


def run(args) -> int:
    result = join_user_data(
        args.file, city=args.city, vintage=args.vintage, lat_col=args.lat_col, lon_col=args.lon_col,
        district_col=args.district_col, group_col=args.group_col, weight_col=args.weight_col,
        h3_res=args.h3_res, permutations=args.permutations, seed=args.seed, engine=args.engine,
        scheduler=args.scheduler,
    )
    paths = result.write(args.output)
    r = result.report
    tag = " [SYNTHETIC input]" if result.synthetic else ""
    print(f"{r['input']}{tag}: {r['input_rows']} rows, {r['joined_rows']} joined to {r['vintage']} "
          f"({r['city']}), {r['set_aside_rows']} set aside")
    for reason, n in r["set_aside_by_reason"].items():
        print(f"  set aside {n}: {reason}")
    for note in r["notes"]:
        print(f"  note: {note}")
    print(f"wrote {len(paths)} files to {Path(args.output)}")
    return 0
