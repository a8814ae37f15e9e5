"""Read-only access to the built layers (data/build), for the dashboard, the exporters and the CLI.

Nothing here computes a join: if the build is missing, the error says to run `make data`.
"""

from __future__ import annotations

import functools

import geopandas as gpd
import pandas as pd

from geo.errors import SourceUnavailable, UnknownName
from geo.settings import CITIES, build_dir

GEO_LAYERS = ("districts", "places", "banks", "bank_edge", "bank_divide", "river", "regions", "cities")
TABLE_LAYERS = ("figures", "findings", "vintages", "lineage", "perception", "perception_scores", "city_images",
                "unmatched_figures")
LATEST_VINTAGE = {"Astana": "astana-6", "Almaty": "almaty-8", "Shymkent": "shymkent-5"}


def _path(name: str):
    path = build_dir() / f"{name}.parquet"
    if not path.is_file():
        raise SourceUnavailable(f"built layer {path} is missing; fix: run `make data` (or `qala data build`)")
    return path


@functools.lru_cache(maxsize=32)
def _read(name: str):
    if name in GEO_LAYERS:
        return gpd.read_parquet(_path(name))
    if name in TABLE_LAYERS:
        return pd.read_parquet(_path(name))
    raise UnknownName(f"unknown layer '{name}'; layers: {', '.join(GEO_LAYERS + TABLE_LAYERS)}")


def load_layer(name: str):
    """A built layer by name (a copy, so callers may change it)."""
    return _read(name).copy()


def latest_vintage(city: str) -> str:
    if city not in LATEST_VINTAGE:
        raise UnknownName(f"unknown city '{city}'; use one of {', '.join(CITIES)}")
    return LATEST_VINTAGE[city]


def load_districts(city: str | None = None, vintage: str | None = None) -> gpd.GeoDataFrame:
    """Districts of a city (latest boundaries unless a vintage is named), or of every city's latest vintage."""
    gdf = load_layer("districts")
    if vintage is None:
        vintage_set = [latest_vintage(city)] if city else list(LATEST_VINTAGE.values())
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


def clear_cache() -> None:
    """Forget loaded layers (after a rebuild)."""
    _read.cache_clear()
