"""`make data`: acquire -> normalise -> validate -> build -> layers + manifest, in one direction.

Everything is computed before anything is written; outputs are then replaced one by one (temp file + rename)
and the manifest last, so a failed build leaves the previous good outputs in place. A second run with the same
inputs and code does nothing and says so; it reads only file hashes, so it takes well under a second.
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
import time
from importlib import metadata
from pathlib import Path

from geo.settings import PROJECT_ROOT, REFERENCE_DIR, build_dir

REQUIRED = ("astana_districts_osm", "almaty_districts_osm", "astana_city_osm", "geokz_adm2_2024",
            "geokz_adm1_2024", "esil_river_geoportal", "wof_localities")
OPTIONAL = ("osm_state_institutions",)
WEB_SIMPLIFY_M = 25.0  # coverage-preserving simplification tolerance for the web layers, metres
WEB_DECIMALS = 5  # ~1 m
LIBRARIES = ("geopandas", "shapely", "pyproj", "pyogrio", "pandas", "numpy", "pyarrow")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _log(quiet: bool, message: str) -> None:
    if not quiet:
        print(message, file=sys.stderr, flush=True)


def fingerprint(source_files: dict[str, list[Path]]) -> dict:
    """What the outputs depend on: source files, reference tables, the build code and library versions."""
    code = sorted((PROJECT_ROOT / "geo").rglob("*.py"))
    refs = sorted(p for p in REFERENCE_DIR.iterdir() if p.is_file())
    return {
        "sources": {sid: [_sha256(p) for p in paths] for sid, paths in sorted(source_files.items())},
        "reference": {p.name: _sha256(p) for p in refs},
        "code": hashlib.sha256(b"".join(_sha256(p).encode() for p in code)).hexdigest(),
        "catalogue": _sha256(PROJECT_ROOT / "data" / "sources.csv"),
        "versions": {lib: metadata.version(lib) for lib in LIBRARIES},
    }


def _up_to_date(out: Path, fp: dict) -> bool:
    manifest_path = out / "manifest.json"
    if not manifest_path.is_file():
        return False
    try:
        manifest = json.loads(manifest_path.read_text())
    except json.JSONDecodeError:
        return False
    if manifest.get("fingerprint") != fp:
        return False
    return all((out / name).is_file() and _sha256(out / name) == meta["sha256"]
               for name, meta in manifest.get("outputs", {}).items())


def run(force: bool = False, quiet: bool = False) -> dict:
    """Build every layer; return the summary (also printed)."""
    from geo.io.acquire import acquire
    from geo.errors import SourceUnavailable

    started = time.perf_counter()
    out = build_dir()
    # Cheap look for the sources, without downloading: if they and the outputs are unchanged, stop here.
    try:
        local = {sid: list(acquire(sid, allow_download=False).paths) for sid in REQUIRED}
    except SourceUnavailable:
        local = None
    if local is not None and not force:
        fp = fingerprint(local)
        if _up_to_date(out, fp):
            elapsed = time.perf_counter() - started
            print(f"qala data: nothing changed since the last build ({out}); done in {elapsed:.2f} s")
            return {"noop": True, "seconds": elapsed}

    _log(quiet, "[1/6] acquiring sources (cache, then mirror, then original location)")
    acquired = {sid: acquire(sid) for sid in REQUIRED}
    for sid, acq in acquired.items():
        _log(quiet, f"      {sid}: {acq.origin} ({acq.path.parent})")
    optional_notes = []
    for sid in OPTIONAL:
        try:
            acquired[sid] = acquire(sid)
            _log(quiet, f"      {sid}: {acquired[sid].origin}")
        except SourceUnavailable as exc:
            optional_notes.append(f"optional source {sid} unavailable: the build goes on with the curated gazetteer; "
                                  f"`qala data build --force` tries again ({exc})")
            _log(quiet, f"      {sid}: unavailable (optional; curated gazetteer used instead)")
    layers, report = _build_layers(acquired, quiet)
    report["optional"] = optional_notes

    _log(quiet, "[6/6] writing outputs (atomic) and the manifest")
    fp = fingerprint({sid: list(acquired[sid].paths) for sid in REQUIRED})
    outputs = _write_outputs(out, layers)
    manifest = {
        "fingerprint": fp,
        "inputs": {sid: {"origin": a.origin, "files": [{"name": p.name, "sha256": _sha256(p), "bytes": p.stat().st_size}
                                                        for p in a.paths],
                         "licence": a.source.licence, "attribution": a.source.attribution}
                   for sid, a in acquired.items()},
        "outputs": outputs,
        "python": platform.python_version(),
        "versions": fp["versions"],
        "report": report,
    }
    from geo.io.atomic import atomic_write_text

    atomic_write_text(out / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False, default=str))
    report["seconds"] = round(time.perf_counter() - started, 2)
    print(format_summary(report))
    return report


def _build_layers(acquired: dict, quiet: bool) -> tuple[dict, dict]:
    import geopandas as gpd
    import pandas as pd
    import shapely

    from geo.domain import banks as banks_mod
    from geo.domain.districts import build_districts, lineage_table, vintage_table
    from geo.domain.figures import load_figures, load_findings
    from geo.indicators.derived import derive_all
    from geo.domain.perception import load_city_images, load_statements, stance_scores
    from geo.domain.places import gazetteer_places, locate, osm_institutions, wof_localities
    from geo.settings import STORAGE_CRS
    from geo.io.vector import Repairs, read_vector

    repairs = Repairs()
    _log(quiet, "[2/6] districts of every vintage, city outlines, regions")
    districts = build_districts(acquired, repairs)
    adm1 = read_vector(next(p for p in acquired["geokz_adm1_2024"].paths if p.suffix == ".shp"),
                       what="geokz regions", geom_types=("Polygon", "MultiPolygon"), repairs=repairs)
    regions = gpd.GeoDataFrame({"region_id": adm1["KATO"].astype(str), "name_en": adm1["ADM1_EN"],
                                "name_ru": adm1["ADM1_RU"], "name_kk": adm1["ADM1_KK"]},
                               geometry=adm1.geometry.values, crs=STORAGE_CRS)
    city_kato = {"710000000": "Astana", "750000000": "Almaty", "790000000": "Shymkent"}
    cities = regions[regions.region_id.isin(city_kato)].copy()
    cities["city"] = cities.region_id.map(city_kato)
    cities["source"] = "geokz 2024 (ADM1)"
    astana_osm = read_vector(acquired["astana_city_osm"].path, what="Astana city outline",
                             geom_types=("Polygon", "MultiPolygon"), repairs=repairs)

    _log(quiet, "[3/6] Astana's banks of the Esil")
    river_raw = read_vector(acquired["esil_river_geoportal"].path, what="Esil river", repairs=repairs)
    river = shapely.union_all(river_raw.geometry.values)
    latest_astana = districts[districts.vintage == "astana-6"]
    banks = banks_mod.build_banks(astana_osm.geometry.iloc[0], river, latest_astana)
    bank_of = banks_mod.district_banks(districts, banks)
    districts = districts.merge(bank_of, on=["vintage", "district_id"], how="left")
    districts["bank_source"] = districts.bank.notna().map({True: "computed from the boundaries", False: None})
    divide = gpd.GeoDataFrame({"name": ["bank divide: border of Esil+Nura and the right-bank districts"],
                               "method": ["derived from OSM districts"]},
                              geometry=[banks_mod.bank_divide_line(latest_astana)], crs=STORAGE_CRS)
    edge = gpd.GeoDataFrame({"name": ["bank edge: river where complete, OSM divide elsewhere"],
                             "method": [banks.method.iloc[0]]},
                            geometry=[banks_mod.bank_edge(astana_osm.geometry.iloc[0], river, latest_astana)],
                            crs=STORAGE_CRS)
    river_layer = gpd.GeoDataFrame({"name": ["Esil (Ishim)"], "source": ["Astana city geoportal"]},
                                   geometry=[river], crs=STORAGE_CRS)

    _log(quiet, "[4/6] figures: periods, names, vintages, derived indicators")
    figures, fig_report = load_figures(set(zip(districts.vintage, districts.district_id)))
    figures = derive_all(figures, districts)
    districts = _published_banks(districts, figures)
    for col in ("period_start", "period_end"):
        figures[col] = pd.to_datetime(figures[col]).dt.date.astype("string")
    findings = load_findings()

    _log(quiet, "[5/6] places, perception")
    parts = [gazetteer_places(), wof_localities(acquired["wof_localities"])]
    if "osm_state_institutions" in acquired:
        parts.append(osm_institutions(acquired["osm_state_institutions"]))
    places = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=STORAGE_CRS)
    latest = districts[districts.vintage.isin(["astana-6", "almaty-8", "shymkent-5"])]
    places = locate(places, latest, banks)
    statements = load_statements()

    layers = {
        "districts.parquet": districts, "figures.parquet": figures, "findings.parquet": findings,
        "places.parquet": places, "banks.parquet": banks, "bank_divide.parquet": divide, "bank_edge.parquet": edge,
        "river.parquet": river_layer, "regions.parquet": regions, "cities.parquet": cities,
        "vintages.parquet": vintage_table(), "lineage.parquet": lineage_table(),
        "perception.parquet": statements, "perception_scores.parquet": stance_scores(statements),
        "city_images.parquet": load_city_images(),
        "unmatched_figures.parquet": pd.DataFrame(fig_report.unmatched, columns=["figure_id", "city", "district", "reason"]),
    }
    layers.update(_web_layers(districts, banks, regions, river_layer))
    counts = (districts.groupby(["city", "vintage"]).agg(n=("district_id", "size"),
                                                        with_geometry=("geometry", lambda g: int(g.notna().sum())))
              .reset_index().to_dict("records"))
    report = {
        "districts": counts,
        "figures_in": fig_report.rows_in, "figures_to_district": fig_report.matched_district,
        "figures_city_level": fig_report.matched_city, "figures_unmatched": fig_report.unmatched,
        "derived_figures": int(figures.derived.sum()),
        "places": len(places), "places_with_coordinates": int(places.geometry.notna().sum()),
        "repairs": repairs.items,
        "banks_km2": {r.bank: round(r.area_km2, 1) for r in banks.itertuples()},
    }
    return layers, report


def _published_banks(districts, figures):
    """Astana districts without boundaries (2008-2018) take the bank stated in the reference table
    (district_area_bank.csv: Esil left by its creation decree; Almaty and Saryarka right, derived from
    boundary texts), so the left bank's share can be followed back to 2012."""
    stated = figures[(figures.indicator == "river_bank") & figures.district_id.notna()]
    stated = stated.drop_duplicates("district_id").set_index("district_id")
    districts = districts.copy()
    missing = (districts.city == "Astana") & districts.bank.isna() & districts.district_id.isin(stated.index)
    districts.loc[missing, "bank"] = districts.loc[missing, "district_id"].map(stated.value_text)
    districts.loc[missing, "bank_left_share"] = (districts.loc[missing, "bank"] == "left").astype(float)
    districts.loc[missing, "bank_source"] = districts.loc[missing, "district_id"].map(
        lambda d: f"published: {stated.loc[d, 'source']} ({stated.loc[d, 'confidence'] or 'stated'})")
    return districts



def _web_layers(districts, banks, regions, river) -> dict:
    """Simplified GeoJSON for the browser: shared borders simplified once, so neighbours still meet."""
    import geopandas as gpd
    import shapely

    from geo.settings import UTM_CRS

    def simplify(gdf: gpd.GeoDataFrame, crs: str, tolerance: float) -> gpd.GeoDataFrame:
        utm = gdf.to_crs(crs)
        utm = utm.set_geometry(shapely.coverage_simplify(utm.geometry.values, tolerance))
        utm = utm.set_geometry(shapely.make_valid(utm.geometry.values))
        out = utm.to_crs("EPSG:4326")
        return out.set_geometry(shapely.set_precision(out.geometry.values, 10 ** -WEB_DECIMALS))

    web = {}
    cols = ["district_id", "city", "vintage", "name_en", "name_ru", "name_kk", "area_km2", "bank", "bank_left_share",
            "geometry"]
    for vintage, gdf in districts[districts.geometry.notna()].groupby("vintage"):
        crs = UTM_CRS[gdf.city.iloc[0]]
        web[f"web/{vintage}.geojson"] = simplify(gdf[cols], crs, WEB_SIMPLIFY_M)
    web["web/banks.geojson"] = simplify(banks[["bank", "area_km2", "geometry"]], UTM_CRS["Astana"], WEB_SIMPLIFY_M)
    web["web/regions.geojson"] = simplify(regions, "EPSG:32642", 1500.0)
    web["web/river.geojson"] = simplify(river, UTM_CRS["Astana"], 10.0)
    return web


def _write_outputs(out: Path, layers: dict) -> dict:
    import geopandas as gpd

    from geo.io.atomic import atomic_path

    written = {}
    for name, frame in layers.items():
        target = out / name
        with atomic_path(target) as tmp:
            if name.endswith(".geojson"):
                frame.to_file(tmp, driver="GeoJSON", COORDINATE_PRECISION=WEB_DECIMALS, RFC7946="YES", engine="pyogrio")
            elif isinstance(frame, gpd.GeoDataFrame):
                frame.to_parquet(tmp, index=False)
            else:
                frame.to_parquet(tmp, index=False)
        written[name] = {"sha256": _sha256(target), "rows": len(frame), "bytes": target.stat().st_size}
    return written


def format_summary(report: dict) -> str:
    lines = ["qala data: build summary"]
    for row in report["districts"]:
        geom = "" if row["with_geometry"] == row["n"] else f" (no boundary file: {row['n'] - row['with_geometry']} without geometry)"
        lines.append(f"  {row['city']:<9} {row['vintage']:<11} {row['n']} districts{geom}")
    lines.append(f"  figures: {report['figures_in']} imported, {report['figures_to_district']} joined to a district, "
                 f"{report['figures_city_level']} city-level, {len(report['figures_unmatched'])} with an unmatched "
                 f"district (kept city-level), {report['derived_figures']} derived")
    for u in report["figures_unmatched"]:
        lines.append(f"    unmatched: {u['figure_id']} {u['city']} '{u['district']}': {u['reason']}")
    lines.append(f"  places: {report['places']} ({report['places_with_coordinates']} with sourced coordinates)")
    lines.append(f"  banks: left {report['banks_km2'].get('left')} km², right {report['banks_km2'].get('right')} km²")
    lines.append(f"  repairs: {len(report['repairs'])}")
    lines += [f"    {r}" for r in report["repairs"]]
    lines += [f"  note: {n}" for n in report.get("optional", [])]
    lines.append(f"  time: {report.get('seconds', 0):.1f} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse

    from geo.errors import QalaError

    parser = argparse.ArgumentParser(prog="python -m geo.build", description="Build every layer (make data).")
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    try:
        run(force=args.force, quiet=args.quiet)
    except QalaError as exc:
        print(f"qala: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
