"""The one reader of the build (data/build): every layer of the build contract, checked against it.

Nothing here computes a join or an indicator: if the build is missing or older than the contract, the error
says to run `make data`.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.contract import LAYERS, layer, web_file
from geo.errors import SourceUnavailable, UnknownName
from geo.io.writers import to_csv_bytes, to_geojson_bytes
from geo.settings import CITIES, build_dir


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
    frame = gpd.read_parquet(path) if entry.kind == "geo" else pd.read_parquet(path)
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


def clear_cache() -> None:
    """Forget loaded layers (after a rebuild)."""
    _read.cache_clear()


__all__ = ["LAYERS", "as_bytes", "clear_cache", "latest_vintage", "latest_vintages", "load_districts",
           "load_figures", "load_layer", "manifest", "population_for", "version", "web_bytes"]
