"""A published survey's tables beyond its district cells: the banks of the Esil and the long scores for waves.

Why a module of its own: the district cells (``dashboard.state.published``) are what every survey map draws;
these are read for two views only (layer 2's civil servants by bank, the change between two waves), and they
read the cells' numbers the same way, so the readers of a published number live here too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from dashboard.state.records import clean_cell, text_cell

BANK_ORDER = ("left", "right", "left-right")


def number(value: object) -> float | None:
    """A published number; None for missing, text or a boolean."""
    value = clean_cell(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return None if math.isnan(float(value)) else float(value)


def flagged(value: object) -> bool:
    """A published true/false flag (text "true", "1", "yes" or "suppressed" included)."""
    value = clean_cell(value)
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "suppressed")
    return bool(value) if value is not None else False


def share_scale(scale: object) -> bool:
    """A 0-1 item (``Сектор=госслужба``, geo.join.shares): its mean is a share, read in percent."""
    return str(scale or "").split(" ")[0] == "0-1"


@dataclass(frozen=True)
class BankFigure:
    """One bank's estimate of an item (or "left-right", their difference), as published."""

    bank: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: float | None
    suppressed: bool
    districts: tuple[str, ...]
    scale: str | None

    @property
    def share(self) -> bool:
        """A two-point item (``Сектор=госслужба``: 0-1): its value is a share."""
        return share_scale(self.scale)


def bank_figures(table: pd.DataFrame | None) -> dict[tuple[str, str], dict[str, BankFigure]]:
    """(city, item) -> bank -> figure from a published banks table; a row with a value it cannot read, or
    flagged suppressed, carries no value."""
    out: dict[tuple[str, str], dict[str, BankFigure]] = {}
    if table is None:
        return out
    for row in table.to_dict("records"):
        bank, city, item = text_cell(row.get("bank")), text_cell(row.get("city")), text_cell(row.get("item"))
        if bank not in BANK_ORDER or city is None or item is None:
            continue
        hidden = flagged(row.get("suppressed"))
        mean, low, high, n = (None if hidden else number(row.get(c)) for c in ("mean", "ci_low", "ci_high", "n"))
        districts = tuple(d for part in (text_cell(row.get("districts")) or "").split(" - ") for d in part.split(";")
                          if d)
        out.setdefault((city, item), {})[bank] = BankFigure(bank, mean, low, high, n, hidden or mean is None,
                                                            districts, text_cell(row.get("scale")))
    return out


def with_vintages(scores: pd.DataFrame | None, districts: pd.DataFrame) -> pd.DataFrame | None:
    """The long scores with each district row's boundary set (from the districts table; city rows none), as
    ``geo.api.wave_changes`` compares only means drawn on the same borders."""
    if scores is None or "vintage" in scores or "vintage" not in districts:
        return scores
    vintage = dict(zip(districts["district_id"].astype(str), districts["vintage"], strict=True))
    district_level = scores["level"].astype(str).eq("district")
    ids = scores["district_id"].astype(str)
    return scores.assign(vintage=[vintage.get(d) if is_district else None
                                  for d, is_district in zip(ids, district_level, strict=True)])


YEAR = re.compile(r"(19|20)\d\d")


def period_year(meta: Mapping[str, Any]) -> int | None:
    """The first year a dataset's published period names ("2024", "spring 2026"); None when it names none."""
    found = YEAR.search(str(meta.get("period") or ""))
    return int(found.group()) if found else None


def wave_partners(datasets: Mapping[str, Any], name: str, item: str) -> list[str]:
    """Other published datasets (``dashboard.state.published.Dataset``) that ask ``item`` on the same scale in a
    city of ``name``'s, in another year: the waves its district means can be compared with."""
    ds = datasets.get(name)
    measure = ds.measures.get(item) if ds is not None else None
    year = period_year(ds.meta) if ds is not None else None
    if ds is None or measure is None or year is None or ds.scores is None:
        return []
    out = []
    for other_name, other in sorted(datasets.items()):
        theirs = other.measures.get(item)
        if other_name == name or theirs is None or theirs.kind != measure.kind or theirs.scale != measure.scale:
            continue
        other_year = period_year(other.meta)
        if other_year is not None and other_year != year and other.scores is not None \
                and set(other.cities) & set(ds.cities):
            out.append(other_name)
    return out
