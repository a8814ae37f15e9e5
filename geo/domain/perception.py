"""Perception of migrants by host residents, from the coded focus-group statements (see the codebook).

Scores are city-level means of participant statements' stance (-1, 0, +1), always with n: with one to four
statements per cell they are indications, not measurements. Author findings are kept apart as conclusions.
"""

from __future__ import annotations

import pandas as pd

from geo.errors import BadInput
from geo.settings import CITIES, reference_dir

CATEGORIES = ("all", "rural", "youth", "southerners", "from_north_or_cities", "civil_servants", "laborers")
ANY_CATEGORY = "any"  # every participant statement, whatever group it is about


def load_statements() -> pd.DataFrame:
    path = reference_dir() / "focus_group_coding.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    bad = ~df.stance.isin(["-1", "0", "1"])
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise BadInput(f"{path} row {i + 2}: stance '{df.stance.iloc[i]}' is not -1, 0 or 1; fix: code it per the codebook")
    unknown = ~df.migrant_category.isin(CATEGORIES)
    if unknown.any():
        i = int(unknown.to_numpy().nonzero()[0][0])
        raise BadInput(f"{path} row {i + 2}: migrant_category '{df.migrant_category.iloc[i]}' is not one of "
                       f"{', '.join(CATEGORIES)}; fix: use the codebook's categories")
    df["stance"] = df.stance.astype(int)
    return df


def stance_scores(statements: pd.DataFrame) -> pd.DataFrame:
    """Mean stance and n of participant statements per city and migrant category (plus 'any')."""
    part = statements[(statements.source_kind == "participant_statement") & (statements.city != "all")]
    rows = []
    for city in CITIES:
        in_city = part[part.city == city]
        for category in (*CATEGORIES, ANY_CATEGORY):
            sel = in_city if category == ANY_CATEGORY else in_city[in_city.migrant_category == category]
            rows.append({"city": city, "migrant_category": category, "n": len(sel),
                         "mean_stance": float(sel.stance.mean()) if len(sel) else float("nan"),
                         "statement_ids": ";".join(sel.id),
                         "source": "Serikzhanova 2024, focus groups in the three cities (coded by Qala Atlas)"})
    return pd.DataFrame(rows)


def load_city_images() -> pd.DataFrame:
    return pd.read_csv(reference_dir() / "city_images.csv", dtype=str, keep_default_na=False)
