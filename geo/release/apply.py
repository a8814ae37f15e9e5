"""The gate's pattern applied to every table of a join at once: one hidden cell, hidden everywhere.

Why a module of its own: deciding what to hide (``geo.release.gate``) is the arithmetic of the audit; applying
it touches every table's columns, and derived figures must follow their ingredients. A hidden cell blanks every
value of it (n and non-response included, or they would give each other back) under one word, "suppressed";
a location quotient or share is kept only where every count it divides is shown; reliability and the shrunk
means are computed again over what is shown, since the shrinkage of a shown district would otherwise carry the
hidden districts' means.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from geo.indicators.bankscores import bank_of, release_banks
from geo.indicators.survey import (
    VALUE_COLUMNS,
    WIDE_FIELDS,
    group_differences,
    join_wide,
    reliability_of,
    shrink,
)
from geo.release.cells import ALL, Cells

SUPPRESSED = "suppressed"


def apply(result: Any, cells: Cells, hidden: np.ndarray, items: Sequence[Any], group: str | None,
           level: float) -> Any:
    """Every table of ``result`` with the pattern applied (see the module docstring)."""

    def is_hidden(city: Any, district: Any, grp: Any) -> bool:
        pos = cells.position(None if _missing(city) else str(city), None if _missing(district) else str(district),
                             str(grp))
        return bool(hidden[pos]) if pos is not None else True  # a row the cells do not know: hidden, not shown

    districts = result.districts.copy()
    d_hidden = np.array([is_hidden(c, d, ALL) for c, d in zip(districts["city"], districts["district_id"],
                                                              strict=True)])
    city_hidden = {c: is_hidden(c, None, ALL) for c in districts["city"].unique()}
    d_city = districts["city"].map(city_hidden).to_numpy(dtype=bool)
    blank_cols = [c for c in ("count", "n_rows", "per_1000") if c in districts]
    districts["n_rows"] = districts["n_rows"].astype(float)
    districts.loc[d_hidden, blank_cols] = np.nan
    if "share_of_city" in districts:
        districts.loc[d_hidden | d_city, "share_of_city"] = np.nan
    groups = result.groups.copy() if result.groups is not None else None
    if groups is not None and group is not None:
        _apply_groups(districts, groups, is_hidden)
    districts["suppressed"] = d_hidden
    districts["suppression"] = np.where(d_hidden, SUPPRESSED, "")
    scores = differences = None
    if result.scores is not None:
        names = {i.column for i in items}
        dropped = set(result.scores["item"]) - names
        districts = districts.drop(columns=[f"{i}_{f}" for i in dropped for f in WIDE_FIELDS
                                            if f"{i}_{f}" in districts])
        scores = _apply_scores(result.scores[result.scores["item"].isin(names)].reset_index(drop=True),
                               is_hidden, items)
        if result.score_differences is not None:
            differences = group_differences(scores, level=level)
        districts = join_wide(districts, scores, items)
    banks = None
    if result.banks is not None:  # the released items only: a left-out item has no figure anywhere
        kept = result.banks[result.banks["item"].isin({i.column for i in items})].reset_index(drop=True)
        banks = release_banks(kept, lambda c, d: is_hidden(c, d, ALL), bank_of(districts))
    return dataclasses.replace(result, districts=districts, groups=groups, scores=scores,
                               score_differences=differences, banks=banks)


def _missing(value: Any) -> bool:
    return value is None or bool(pd.isna(value))


def _apply_groups(districts: pd.DataFrame, groups: pd.DataFrame, is_hidden: Any) -> None:
    """Counts of hidden district x group cells blanked, and every location quotient with a hidden ingredient
    (the cell, its district, its group in the city, the city): it would be an equation in the hidden cell."""
    ids = groups["district_id"].astype(str)
    city_of = dict(zip(districts["district_id"].astype(str), districts["city"], strict=True))
    city = ids.map(city_of)
    atom = np.array([is_hidden(c, d, g) for c, d, g in zip(city, ids, groups["group"], strict=True)])
    ingredients = np.array([is_hidden(c, d, ALL) or is_hidden(c, None, str(g)) or is_hidden(c, None, ALL)
                            for c, d, g in zip(city, ids, groups["group"], strict=True)])
    lq_cols = [c for c in ("lq", "lq_low", "lq_high") if c in groups]
    groups["count"] = groups["count"].astype(float).where(~atom)
    groups.loc[atom | ingredients, lq_cols] = np.nan
    groups["suppressed"] = atom
    groups["suppression"] = np.where(atom, SUPPRESSED, "")
    for label in groups["group"].astype(str).unique():
        rows = groups[groups["group"].astype(str) == label].set_index(ids[groups["group"].astype(str) == label])
        lookup = districts["district_id"].astype(str)
        districts[f"count_{label}"] = lookup.map(rows["count"]).to_numpy()
        for col in lq_cols:
            districts[f"{col}_{label}"] = lookup.map(rows[col]).to_numpy()


def _apply_scores(scores: pd.DataFrame, is_hidden: Any, items: Sequence[Any]) -> pd.DataFrame:
    """Score estimates of hidden cells blanked (every value, n and non-response included), reliability and
    the shrunk means recomputed over what is shown."""
    out = scores.copy()
    district = out["district_id"].where(out["level"] == "district", None)
    mask = np.array([is_hidden(c, d, g) for c, d, g in zip(out["city"], district, out["group"], strict=True)])
    values = [c for c in VALUE_COLUMNS if c in out]
    out.loc[mask, values] = np.nan
    out["suppressed"] = mask
    out["suppression"] = np.where(mask, SUPPRESSED, "")
    scale = {i.column: i.high - i.low for i in items}
    out["reliability"] = reliability_of(out, scale)
    shrink(out)
    return out
