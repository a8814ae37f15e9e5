"""The mini build as readable CSV tables (no geometry, numbers rounded to 6 significant digits), for the
golden files in tests/golden/mini/. Regenerate them with
``QALA_UPDATE_GOLDEN=1 pytest tests/test_mini_build.py`` and review every changed number by hand before
committing.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

GOLDEN_DIR = Path(__file__).resolve().parent.parent / "golden" / "mini"
GOLDEN_FILES = (
    "bank_migration.csv",
    "banks.csv",
    "districts.csv",
    "figures.csv",
    "left_bank_share.csv",
    "places.csv",
    "unmatched_figures.csv",
    "vintages.csv",
)


def _num(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    number = float(value)
    return f"{number:.6g}" if number != 0 else "0"  # -0.0 and 4e-15 from clipping: "0"


def _small(value) -> str:
    """A share in [0, 1]: 6 decimals, so the last digit of a value next to 0 or 1 is not noise."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{float(value):.6f}"


def _text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).where(frame.notna(), "")


def tables(build: Path) -> dict[str, pd.DataFrame]:
    """File name -> normalised table of the build in ``build``."""
    import geopandas as gpd

    districts = gpd.read_parquet(build / "districts.parquet")
    districts = pd.DataFrame(districts.drop(columns="geometry"))
    districts["area_km2"] = districts["area_km2"].map(lambda v: "" if pd.isna(v) else f"{v:.4f}")
    districts["bank_left_share"] = districts["bank_left_share"].map(_small)
    districts = districts[
        [
            "vintage",
            "district_id",
            "city",
            "name_en",
            "valid_from",
            "valid_to",
            "area_km2",
            "geometry_source",
            "bank",
            "bank_left_share",
            "bank_source",
        ]
    ]

    figures = pd.read_parquet(build / "figures.parquet")
    figures["value"] = figures["value"].map(_num)
    figures = figures[
        [
            "figure_id",
            "city",
            "district_id",
            "vintage",
            "indicator",
            "region_id",
            "value",
            "value_text",
            "unit",
            "period_label",
            "period_start",
            "period_end",
            "confidence",
            "derived",
            "method",
        ]
    ]
    figures = figures.sort_values("figure_id", kind="stable")

    share = pd.read_parquet(build / "left_bank_share.parquet")
    share["share"] = share["share"].map(_small)
    share["split"] = [json.dumps([[d, round(v, 6)] for d, v in json.loads(s)]) for s in share["split"]]
    share = share[
        ["period_label", "period_end", "vintage", "share", "n_districts", "split", "confidence", "bank_basis"]
    ]

    vintages = pd.read_parquet(build / "vintages.parquet")
    vintages = vintages[["vintage", "city", "valid_from", "valid_to", "n_districts", "geometry", "latest"]]

    banks = pd.DataFrame(gpd.read_parquet(build / "banks.parquet").drop(columns="geometry"))
    banks["area_km2"] = banks["area_km2"].map(lambda v: f"{v:.4f}")
    banks["water_km2"] = banks["water_km2"].map(lambda v: f"{v:.4f}")
    banks = banks[["bank", "area_km2", "water_km2"]]

    migration = pd.read_parquet(build / "bank_migration.parquet")
    migration["value"] = migration["value"].map(_num)
    migration = migration[["district_id", "bank", "value", "period_label", "vintage", "confidence"]]

    places = pd.DataFrame(gpd.read_parquet(build / "places.parquet").drop(columns="geometry"))
    places = places[["place_id", "city", "list", "district_id", "bank"]].sort_values(
        "place_id", kind="stable"
    )

    unmatched = pd.read_parquet(build / "unmatched_figures.parquet")
    return {
        name: _text(frame.reset_index(drop=True))
        for name, frame in {
            "districts.csv": districts,
            "figures.csv": figures,
            "left_bank_share.csv": share,
            "vintages.csv": vintages,
            "banks.csv": banks,
            "bank_migration.csv": migration,
            "places.csv": places,
            "unmatched_figures.csv": unmatched,
        }.items()
    }


def as_csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")
