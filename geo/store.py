"""The one reader of the build (data/build): every layer of the build contract, checked against it.

Nothing here computes a join or an indicator: if the build is missing or older than the contract, the error
says to run `make data`.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.contract import (
    LAYERS,
    METADATA_KEYS,
    PUBLISHED,
    PUBLISHED_FORMAT,
    PUBLISHED_METADATA,
    dataset_checksum,
    dataset_names,
    dataset_versions,
    layer,
    web_file,
)
from geo.errors import InternalError, SourceUnavailable, UnknownName
from geo.io.writers import to_csv_bytes, to_geojson_bytes
from geo.settings import CITIES, build_dir, datasets_dir


def _path(relative: str) -> Path:
    path = build_dir() / relative
    if not path.is_file():
        raise SourceUnavailable(f"built layer {path} is missing; fix: run `make data` (or `qala data build`)")
    return path


@functools.lru_cache(maxsize=64)
def _read(folder: str, name: str) -> pd.DataFrame:
    entry = layer(name)
    if entry.kind == "web":
        raise UnknownName(f"layer '{name}' is a web layer; read it with web_bytes()")
    path = _path(entry.file)
    try:
        frame = gpd.read_parquet(path) if entry.kind == "geo" else pd.read_parquet(path)
    except (OSError, ValueError) as exc:  # damaged, or a plain table where GeoParquet belongs
        kind = "GeoParquet" if entry.kind == "geo" else "Parquet"
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SourceUnavailable(f"built layer {path} is not readable {kind} ({reason[:120]}); "
                                f"fix: run `make data`") from None
    missing = [c for c in entry.columns if c not in frame.columns]
    if missing:
        raise SourceUnavailable(f"built layer {path} lacks {', '.join(missing)} (an older build); "
                                f"fix: run `make data`")
    return frame


def load_layer(name: str) -> pd.DataFrame:
    """A built layer by name (a copy, so callers may change it)."""
    return _read(str(build_dir()), name).copy()


def manifest() -> dict:
    """The build's manifest: inputs with their origin and licence, outputs with hashes and counts, the report."""
    try:
        return json.loads(_path("manifest.json").read_text())
    except json.JSONDecodeError as exc:
        raise SourceUnavailable(f"{build_dir() / 'manifest.json'} is damaged ({exc}); fix: run `make data`") from None


def version() -> str:
    """A short id of the build (the manifest's hash): changes whenever any output changes."""
    return hashlib.sha1(_path("manifest.json").read_bytes()).hexdigest()[:12]


def built_on() -> str:
    """The day (UTC, ISO) the build was written: when its manifest was."""
    stamp = datetime.datetime.fromtimestamp(_path("manifest.json").stat().st_mtime, datetime.UTC)
    return stamp.date().isoformat()


def web_bytes(name: str) -> bytes | None:
    """The web GeoJSON of a context layer (``banks``, ``regions``, ``river``) or a vintage; None when not built."""
    path = build_dir() / web_file(name)
    return path.read_bytes() if path.is_file() else None


def latest_vintages() -> dict[str, str]:
    """Each city's current boundary vintage, as the build decided it from vintages.csv."""
    table = load_layer("vintages")
    return dict(zip(table.loc[table["latest"], "city"], table.loc[table["latest"], "vintage"], strict=False))


def latest_vintage(city: str) -> str:
    latest = latest_vintages()
    if city not in latest:
        raise UnknownName(f"unknown city '{city}'; use one of {', '.join(CITIES)}")
    return latest[city]


def load_districts(city: str | None = None, vintage: str | None = None) -> gpd.GeoDataFrame:
    """Districts of a city (latest boundaries unless a vintage is named), or of every city's latest vintage."""
    gdf = load_layer("districts")
    if vintage is None:
        vintage_set = [latest_vintage(city)] if city else list(latest_vintages().values())
    else:
        if vintage not in set(gdf.vintage):
            raise UnknownName(f"unknown vintage '{vintage}'; vintages: {', '.join(sorted(set(gdf.vintage)))}")
        vintage_set = [vintage]
    gdf = gdf[gdf.vintage.isin(vintage_set)]
    if city is not None:
        gdf = gdf[gdf.city == city]
    return gdf.reset_index(drop=True)


def load_figures() -> pd.DataFrame:
    return load_layer("figures")


def population_for(city: str, vintage: str | None = None) -> pd.DataFrame:
    """The latest dated population figure of each district of a vintage: district_id, value, period_label, source."""
    vintage = vintage or latest_vintage(city)
    figs = load_figures()
    pop = figs[(figs.indicator == "population") & (figs.vintage == vintage) & figs.district_id.notna()]
    pop = pop.sort_values(["period_end"], na_position="first")
    return pop.groupby("district_id").tail(1)[["district_id", "value", "period_label", "source", "confidence"]]


def as_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    """A built (or joined) frame as a download: ``csv`` (spreadsheet-safe) or ``geojson`` (RFC 7946)."""
    if fmt == "csv":
        return to_csv_bytes(frame)
    if fmt == "geojson":
        return to_geojson_bytes(frame)
    raise UnknownName(f"unknown download format '{fmt}'; use csv or geojson")


# ------------------------------------------------------------------------------------------ published datasets
# Researchers' results published with `qala publish` (geo.publish), laid out as geo.contract.PUBLISHED states.
# ``name`` may come from a browser URL: only names that exist on disk are ever turned into a path.


def _dataset_home(name: object) -> Path:
    root = datasets_dir()
    known = dataset_names(root)
    if not isinstance(name, str) or name not in known:
        shown = repr(name)[:60]
        raise UnknownName(f"unknown dataset {shown}; published datasets: {', '.join(known) or 'none'} "
                          "(`qala datasets list`)")
    return root / name


def _metadata(folder: Path) -> dict:
    try:
        meta = json.loads((folder / PUBLISHED_METADATA).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SourceUnavailable(f"dataset {folder}: unreadable {PUBLISHED_METADATA} ({type(exc).__name__}); "
                                "fix: republish it (`qala publish`)") from None
    missing = [k for k in METADATA_KEYS if not isinstance(meta, dict) or k not in meta]
    if missing:
        raise SourceUnavailable(f"dataset {folder}: metadata lacks {', '.join(missing)}; fix: republish it "
                                "with this version (`qala publish`)")
    return meta


def published_datasets() -> list[dict]:
    """The current version's metadata of every published dataset, by name, each with ``versions``.

    A damaged dataset gives ``{"name", "warning"}`` instead, so one bad folder never hides the others.
    """
    root = datasets_dir()
    out = []
    for name in dataset_names(root):
        versions = dataset_versions(root / name)
        try:
            meta = _metadata(root / name / versions[-1])
        except SourceUnavailable as exc:
            out.append({"name": name, "warning": str(exc), "versions": versions})
            continue
        out.append({**meta, "versions": versions})
    return out


def load_published(name: str, version: str | None = None) -> tuple[gpd.GeoDataFrame, pd.DataFrame | None]:
    """A published dataset's district values on the built districts' geometry, and its long scores table.

    The values are joined to the build's districts by district_id and vintage (names, area and bank come back
    with the geometry; a district the build lacks keeps its values without geometry). The metadata is in
    ``attrs["dataset"]`` of both frames. Checked against geo.contract.PUBLISHED and the stated checksum.
    """
    folder, stamp = _version_folder(name, version)
    districts, scores = _load_published(str(folder), stamp, str(build_dir()))
    return districts.copy(), (scores.copy() if scores is not None else None)


def load_published_table(name: str, table: str, version: str | None = None) -> pd.DataFrame | None:
    """Another aggregate table of a published dataset (``score_differences``: group a minus group b per
    district and city; ``groups``; ``indices``) after the same checks as :func:`load_published`; None when
    the dataset was published without it."""
    if table not in PUBLISHED or table == "districts":
        raise UnknownName(f"unknown published table {str(table)[:40]!r}; use one of "
                          f"{', '.join(t for t in PUBLISHED if t != 'districts')}")
    folder, stamp = _version_folder(name, version)
    frame = _load_table(str(folder), stamp, table)
    return frame.copy() if frame is not None else None


DISCLOSURE_LANGS = ("kk", "ru", "en")


def disclosure_page(name: str, lang: str) -> str:
    """The disclosure report page (HTML, written by ``qala publish``) of a dataset's current version, in kk/ru/en;
    the version is checked as for its tables first."""
    if lang not in DISCLOSURE_LANGS:
        raise UnknownName(f"no disclosure page in {str(lang)[:8]!r}; use one of {', '.join(DISCLOSURE_LANGS)}")
    folder, _stamp = _version_folder(name, None)
    _checked(folder)
    try:
        return (folder / f"disclosure_{lang}.html").read_text(encoding="utf-8")
    except OSError:
        raise SourceUnavailable(f"dataset {folder} has no disclosure page; fix: republish it (`qala publish`)") from None


def _version_folder(name: str, version: str | None) -> tuple[Path, int]:
    """The folder of a dataset's version (the current one by default) and its metadata's time stamp."""
    home = _dataset_home(name)
    versions = dataset_versions(home)
    if version is None:
        version = versions[-1]
    elif not isinstance(version, str) or version not in versions:
        raise UnknownName(f"dataset '{name}' has no version {str(version)[:20]!r}; versions: {', '.join(versions)}")
    folder = home / version
    stamp = (folder / PUBLISHED_METADATA).stat().st_mtime_ns if (folder / PUBLISHED_METADATA).exists() else 0
    return folder, stamp


def _checked(folder: Path) -> tuple[dict, list[str], str]:
    """The metadata, data files and fix hint of a version whose format and checksum are as stated."""
    meta = _metadata(folder)
    files = sorted(meta["files"]) if isinstance(meta["files"], dict) else []
    republish = f"fix: republish it with this version (`qala publish ... --name {folder.parent.name}`)"
    if meta.get("format") != PUBLISHED_FORMAT or PUBLISHED["districts"].file not in files:
        raise SourceUnavailable(f"dataset {folder} has format {meta.get('format')!r}, this version reads "
                                f"{PUBLISHED_FORMAT}; {republish}")
    try:
        damaged = dataset_checksum(folder, files) != meta["checksum"]
    except OSError:
        damaged = True
    if damaged:
        raise SourceUnavailable(f"dataset {folder} is damaged (its files differ from the stated checksum); "
                                f"{republish}")
    return meta, files, republish


def _table(folder: Path, table: str, meta: dict, files: list[str], republish: str) -> pd.DataFrame | None:
    spec = PUBLISHED[table]
    if spec.file not in files:
        return None
    frame = pd.read_parquet(folder / spec.file)
    missing = [c for c in spec.required if c not in frame.columns]
    if missing:
        raise SourceUnavailable(f"dataset {folder}: {spec.file} lacks {', '.join(missing)}; {republish}")
    frame.attrs["dataset"] = meta
    return frame


@functools.lru_cache(maxsize=16)
def _load_table(folder_text: str, stamp: int, table: str) -> pd.DataFrame | None:
    folder = Path(folder_text)
    return _table(folder, table, *_checked(folder))


@functools.lru_cache(maxsize=16)
def _load_published(folder_text: str, stamp: int, build: str) -> tuple[gpd.GeoDataFrame, pd.DataFrame | None]:
    folder = Path(folder_text)
    meta, files, republish = _checked(folder)
    tables = {t: _table(folder, t, meta, files, republish) for t in ("districts", "scores")}
    values = tables["districts"]
    if values is None:  # _checked refuses a version without it
        raise InternalError(f"dataset {folder}: no districts table after the checks")
    built = load_layer("districts")
    keep = ["district_id", "vintage", *(c for c in PUBLISHED["districts"].from_build if c in built.columns)]
    merged = values.merge(built[keep].drop_duplicates(["district_id", "vintage"]), on=["district_id", "vintage"],
                          how="left")
    gdf = gpd.GeoDataFrame(merged, geometry="geometry", crs=built.crs)
    gdf.attrs["dataset"] = meta
    return gdf, tables.get("scores")


def clear_cache() -> None:
    """Forget loaded layers and datasets (after a rebuild or a publish)."""
    _read.cache_clear()
    _load_published.cache_clear()
    _load_table.cache_clear()


__all__ = ["LAYERS", "as_bytes", "clear_cache", "latest_vintage", "latest_vintages", "load_districts",
           "disclosure_page", "load_figures", "load_layer", "load_published", "load_published_table", "manifest", "published_datasets", "population_for", "version", "web_bytes"]
