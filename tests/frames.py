"""Small hand-made layers shared by the export tests: two squares near Astana and two stations."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

NAMES_KK = ["Есіл ауданы", "Сарыарқа ауданы"]  # Kazakh letters і, ы, қ
NAMES_RU = ["Есильский район", "район Сарыарка"]
NAMES_EN = ["Yesil district", "Saryarka district"]


def districts() -> gpd.GeoDataFrame:
    """Two squares near Astana, names in kk/ru/en, a numeric value with a NaN, an int and a bool column."""
    return gpd.GeoDataFrame(
        {
            "name_kk": NAMES_KK,
            "name_ru": NAMES_RU,
            "name_en": NAMES_EN,
            "value": [3.75, np.nan],
            "households": np.array([1200, 845], dtype="int64"),
            "left_bank": [True, False],
        },
        geometry=[shapely.box(71.40, 51.10, 71.45, 51.15), shapely.box(71.45, 51.10, 71.50, 51.15)],
        crs="EPSG:4326",
    )


def stations() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name_kk": ["Нұрлы жол", "Бәйтерек"], "value": [7.5, 1.25]},
        geometry=[shapely.Point(71.5327, 51.1126), shapely.Point(71.4304, 51.1283)],
        crs="EPSG:4326",
    )
