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
from typing import TYPE_CHECKING

from geo.errors import InternalError
from geo.io.atomic import sha256_file
from geo.settings import PROJECT_ROOT, build_dir, reference_dir

if TYPE_CHECKING:
    import pandas as pd

REQUIRED = ("astana_districts_osm", "almaty_districts_osm", "astana_city_osm", "geokz_adm2_2024",
            "geokz_adm1_2024", "geokz_adm2_2018", "esil_river_geoportal", "wof_localities")
OPTIONAL = ("osm_state_institutions",)
LIBRARIES = ("geopandas", "shapely", "pyproj", "pyogrio", "pandas", "numpy", "pyarrow")


def required_sources() -> tuple[str, ...]:
    """The fixed sources plus every boundary file a vintage of vintages.csv is drawn from (geokz 2018 for
    Shymkent's four districts): a vintage row names its file, the build fetches it."""
    from geo.domain.vintages import vintage_table

    drawn = [g for g in vintage_table().geometry if g != "none" and not g.startswith("lineage:")]
    return tuple(dict.fromkeys([*REQUIRED, *drawn]))


def _log(quiet: bool, message: str) -> None:
    if not quiet:
        print(message, file=sys.stderr, flush=True)


def fingerprint(source_files: dict[str, list[Path]]) -> dict:
    """What the outputs depend on: source files, reference tables, the build code and library versions."""
    code = sorted((PROJECT_ROOT / "geo").rglob("*.py"))
    refs = sorted(p for p in reference_dir().iterdir() if p.is_file())
    return {
        "sources": {sid: [sha256_file(p) for p in paths] for sid, paths in sorted(source_files.items())},
        "reference": {p.name: sha256_file(p) for p in refs},
        "code": hashlib.sha256(b"".join(sha256_file(p).encode() for p in code)).hexdigest(),
        "catalogue": sha256_file(PROJECT_ROOT / "data" / "sources.csv"),
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
    return all((out / name).is_file() and sha256_file(out / name) == meta["sha256"]
               for name, meta in manifest.get("outputs", {}).items())


def run(force: bool = False, quiet: bool = False) -> dict:
    """Build every layer; return the summary (also printed)."""
    from geo.errors import SourceUnavailable
    from geo.io.acquire import acquire

    started = time.perf_counter()
    out = build_dir()
    required = required_sources()
    if not force and (done := _nothing_changed(out, required, started)) is not None:
        return done

    _log(quiet, "[1/6] acquiring sources (cache, then mirror, then original location)")
    acquired = {sid: acquire(sid) for sid in required}
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
    from geo.build.stages import build_layers
    from geo.build.web import change_web_layers, web_layers
    from geo.contract import LAYERS

    built, report = build_layers(acquired, quiet)
    layers = {LAYERS[name].file: check_layer(name, frame) for name, frame in built.items()}
    layers.update(web_layers(built["districts"], built["banks"], built["regions"], built["river"]))
    layers.update(change_web_layers(built["districts"], built["changes"], built["flows"]))
    missing = sorted(set(LAYERS) - set(built) - {n for n, layer in LAYERS.items() if layer.kind == "web"})
    if missing:
        raise InternalError(f"the build does not make every layer of the contract (geo/contract.py): {missing}")
    report["optional"] = optional_notes

    _log(quiet, "[6/6] writing outputs (atomic) and the manifest")
    fp = fingerprint({sid: list(acquired[sid].paths) for sid in required})
    outputs = _write_outputs(out, layers)
    manifest = {
        "fingerprint": fp,
        "inputs": {sid: {"origin": a.origin, "files": [{"name": p.name, "sha256": sha256_file(p), "bytes": p.stat().st_size}
                                                        for p in a.paths],
                         "licence": a.source.licence, "attribution": a.source.attribution}
                   for sid, a in acquired.items()},
        "outputs": outputs,
        "python": platform.python_version(),
        "versions": fp["versions"],
        "report": report,
        "datasets": published_datasets(),
    }
    from geo.io.atomic import atomic_write_text

    atomic_write_text(out / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False, default=str))
    report["seconds"] = round(time.perf_counter() - started, 2)
    print(format_summary(report))
    return report


def _nothing_changed(out: Path, required: tuple[str, ...], started: float) -> dict | None:
    """Cheap look for the sources, without downloading: if they and the outputs are unchanged, the no-op summary."""
    from geo.errors import SourceUnavailable
    from geo.io.acquire import acquire

    try:
        local = {sid: list(acquire(sid, allow_download=False).paths) for sid in required}
    except SourceUnavailable:
        return None
    if not _up_to_date(out, fingerprint(local)):
        return None
    recorded = _record_datasets(out)
    elapsed = time.perf_counter() - started
    note = f"; published datasets recorded in the manifest ({recorded})" if recorded is not None else ""
    print(f"qala data: nothing changed since the last build ({out}){note}; done in {elapsed:.2f} s")
    return {"noop": True, "seconds": elapsed}


def published_datasets() -> list[dict]:
    """The manifest's "datasets": each published dataset's current version (geo.publish), by name."""
    from geo.contract import PUBLISHED_METADATA, dataset_names, dataset_versions
    from geo.settings import datasets_dir

    root, found = datasets_dir(), []
    for name in dataset_names(root):
        version = dataset_versions(root / name)[-1]
        try:
            meta = json.loads((root / name / version / PUBLISHED_METADATA).read_text(encoding="utf-8"))
            found.append({"name": name, "version": version,
                          **{k: meta.get(k) for k in ("checksum", "n", "created", "title", "synthetic")}})
        except (OSError, ValueError, AttributeError):
            found.append({"name": name, "version": version, "damaged": True})
    return found


def _record_datasets(out: Path) -> int | None:
    """On a no-op build, rewrite only the manifest's "datasets" when they changed; the count recorded, else None."""
    from geo.io.atomic import atomic_write_text

    manifest = json.loads((out / "manifest.json").read_text())
    datasets = published_datasets()
    if manifest.get("datasets", []) == datasets:
        return None
    manifest["datasets"] = datasets
    atomic_write_text(out / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False, default=str))
    return len(datasets)


def check_layer(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A built layer as the contract states it: every required column present (a bug otherwise)."""
    from geo.contract import LAYERS

    missing = [c for c in LAYERS[name].columns if c not in frame.columns]
    if missing:
        raise InternalError(f"built layer {name} lacks {missing} (geo/contract.py)")
    return frame


def _write_outputs(out: Path, layers: dict) -> dict:
    import geopandas as gpd

    from geo.build.web import WEB_DECIMALS
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
        written[name] = {"sha256": sha256_file(target), "rows": len(frame), "bytes": target.stat().st_size}
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
    lines += [f"  {n}" for n in report.get("translations", [])]
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
