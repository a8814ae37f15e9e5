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
import numpy as np
import pandas as pd

from geo import export
from geo.atomic import atomic_write_text
from geo.concentration import group_indices, location_quotient
from geo.errors import BadInput, QalaError, UnknownName
from geo.hotspots import DEFAULT_PERMUTATIONS, DEFAULT_SEED, H3_RESOLUTIONS, hotspots
from geo.settings import CITIES
from geo.userdata import UserTable, read_user_file

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
            export.to_geojson(self.districts, folder / "districts.geojson"),
            export.to_csv(self.districts, folder / "districts.csv"),
            export.to_parquet(self.districts, folder / "districts.parquet"),
            export.to_csv(self.set_aside, folder / "set_aside.csv"),
        ]
        if self.groups is not None:
            written.append(export.to_csv(self.groups, folder / "groups.csv"))
        if self.indices is not None:
            written.append(export.to_csv(self.indices, folder / "indices.csv"))
        for res, grid in self.hexagons.items():
            written.append(export.to_geojson(grid, folder / f"hexagons_r{res}.geojson"))
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
) -> JoinResult:
    """Join the researcher's file at ``path`` to the districts of ``vintage`` (latest of ``city`` by default).

    ``districts`` (the built-layer schema, every vintage) and ``population`` (columns district_id, value,
    period_label, source[, confidence]) default to the built layers; tests and the dashboard may pass their own.
    ``name`` is the original file name of an uploaded temporary copy. ``h3_res`` is a resolution or a sequence
    of them (7..9), empty for none. Raises ``QalaError`` subclasses for input that cannot be used at all.
    """
    if engine not in ENGINES:
        raise BadInput(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    resolutions = _resolutions(h3_res)
    table = read_user_file(
        path, lat_col=lat_col, lon_col=lon_col, district_col=district_col, group_col=group_col,
        weight_col=weight_col, name=name,
    )
    all_districts = _all_districts(districts)
    city, vintage, notes = _choose_city_and_vintage(table, all_districts, city, vintage)
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
    out = _district_table(chosen, assigned, weights)
    pop_note = _add_population(out, population, city, vintage)
    groups = indices = None
    if "group" in assigned:
        groups, wide = _group_tables(out, assigned, weights)
        out = out.join(wide, on="district_id")
        indices = group_indices(_pivot(assigned, weights).reindex(out["district_id"], fill_value=0.0))
    hexagons = {}
    if table.kind == "points" and len(assigned) >= 1:
        area = chosen.geometry.union_all()
        for res in resolutions:
            grid = hotspots(
                assigned["lon"], assigned["lat"], weights.to_numpy(), res=res, area=area,
                permutations=permutations, seed=seed, alpha=alpha,
            )
            grid["synthetic"] = table.synthetic
            hexagons[res] = grid
    out["synthetic"] = table.synthetic
    if groups is not None:
        groups["synthetic"] = table.synthetic
        indices["synthetic"] = table.synthetic

    report = _report(table, assigned, set_aside, city, vintage, notes + ([pop_note] if pop_note else []),
                     weights, resolutions if hexagons else [], permutations, seed, alpha, engine)
    return JoinResult(
        city=city, vintage=vintage, districts=out, assigned=assigned.reset_index(drop=True), set_aside=set_aside,
        groups=groups, indices=indices, hexagons=hexagons, report=report, synthetic=table.synthetic,
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
    from geo.layers import load_layer

    return load_layer("districts")


def _latest(city: str) -> str:
    from geo.layers import latest_vintage

    return latest_vintage(city)


def _choose_city_and_vintage(table: UserTable, districts, city, vintage) -> tuple[str, str, list[str]]:
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
        city = _infer_city(table, districts)
        notes.append(f"city {city} inferred from where most rows fall (override with --city)")
    vintage = vintage or _latest(city)
    if table.kind == "points":
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
        from geo.engine import assign_points

        latest = _latest_of_every_city(districts)
        position = assign_points(latest, table.rows["lon"].to_numpy(), table.rows["lat"].to_numpy())
        found = latest["city"].to_numpy()[position[position >= 0]]
    else:
        from geo.names import match_district

        ids = [match_district(str(n)) for n in table.rows["district_name"].unique()]
        found = districts.loc[districts["district_id"].isin([i for i in ids if i]), "city"].drop_duplicates()
        found = found.to_numpy()
    if len(found) == 0:
        raise BadInput(
            f"{table.path.name}: no row falls in Astana, Almaty or Shymkent (row 1: "
            f"{table.rows.iloc[0].drop('row').to_dict()}); check the coordinates or names, or give --city"
        )
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
        from geo.dask_engine import assign_points_dask

        raw = assign_points_dask(chosen[with_geometry], pd.DataFrame({"lon": lon, "lat": lat}), scheduler=scheduler)
        raw = raw.to_numpy()
    else:
        from geo.engine import assign_points

        raw = assign_points(chosen[with_geometry], lon, lat)
    position = np.where(raw >= 0, np.flatnonzero(with_geometry)[np.maximum(raw, 0)], -1)
    reasons = np.full(len(lon), None, dtype=object)
    outside = position < 0
    if outside.any():
        from geo.engine import assign_points

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
    from geo.names import district_candidates

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


# ----------------------------------------------------------------------------------------------- indicators


def _district_table(chosen, assigned, weights) -> gpd.GeoDataFrame:
    keep = [c for c in ("district_id", "city", "vintage", "name_en", "name_ru", "name_kk", "area_km2", "bank")
            if c in chosen.columns]
    out = gpd.GeoDataFrame(chosen[keep].copy(), geometry=chosen.geometry.array, crs=chosen.crs)
    by_district = pd.DataFrame({"district_id": assigned["district_id"], "w": weights.to_numpy()})
    counts = by_district.groupby("district_id")["w"].agg(["sum", "size"])
    out["count"] = out["district_id"].map(counts["sum"]).fillna(0.0).astype(float)  # real zeros: no rows there
    out["n_rows"] = out["district_id"].map(counts["size"]).fillna(0).astype(int)
    total = out["count"].sum()
    out["share_of_city"] = out["count"] / total if total > 0 else np.nan
    return out


def _add_population(out, population, city, vintage) -> str | None:
    """Population columns and per_1000; returns a note when figures are missing (left NaN, never 0)."""
    note = None
    if population is None:
        try:
            from geo.layers import population_for

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


def _pivot(assigned, weights) -> pd.DataFrame:
    frame = pd.DataFrame({"district_id": assigned["district_id"], "group": assigned["group"], "w": weights})
    return frame.pivot_table(index="district_id", columns="group", values="w", aggfunc="sum", fill_value=0.0)


def _group_tables(out, assigned, weights) -> tuple[pd.DataFrame, pd.DataFrame]:
    counts = _pivot(assigned, weights).reindex(out["district_id"], fill_value=0.0)
    total = counts.sum(axis=1).to_numpy()
    long_rows, wide = [], pd.DataFrame(index=counts.index)
    for group in counts.columns:
        lq = location_quotient(counts[group].to_numpy(), total)
        wide[f"count_{group}"] = counts[group].to_numpy()
        wide[f"lq_{group}"] = lq
        long_rows.append(pd.DataFrame({"district_id": counts.index, "group": group,
                                       "count": counts[group].to_numpy(), "lq": lq}))
    return pd.concat(long_rows, ignore_index=True), wide


def _report(table, assigned, set_aside, city, vintage, notes, weights, resolutions, permutations, seed, alpha,
            engine) -> dict:
    return {
        "input": str(table.path.name),
        "synthetic": table.synthetic,
        "kind": table.kind,
        "city": city,
        "vintage": vintage,
        "engine": engine,
        "input_rows": table.input_rows,
        "joined_rows": len(assigned),
        "set_aside_rows": len(set_aside),
        "weighted_total": float(weights.sum()),
        "set_aside_by_reason": {k: int(v) for k, v in set_aside["reason"].value_counts().items()},
        "set_aside_first": set_aside.head(REPORT_ROWS).to_dict(orient="records"),  # all of them: set_aside.csv
        "notes": table.notes + notes,
        "columns": table.columns,
        "hotspots": {"h3_resolutions": resolutions, "permutations": permutations, "seed": seed, "fdr_alpha": alpha,
                     "p_value": "two-sided normal p of Gi* z; permutation pseudo-p in gi_p_sim"},
        "border_rule": "a point on a shared border goes to the district listed first (geo.engine)",
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
