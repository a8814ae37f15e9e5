"""Boundary vintages and lineage as data (data/reference/vintages.csv, lineage.csv, districts.csv): which
boundaries were valid when, which is each city's current set, and which district came from which.

A vintage whose start date is not known exactly gives the earliest date it may have started in
``valid_from_earliest`` (its ``valid_from`` is the documented date used): figures of that window are flagged.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from geo.errors import BadInput, InternalError, UnknownName
from geo.settings import CITIES, reference_dir


def vintage_table() -> pd.DataFrame:
    return pd.read_csv(reference_dir() / "vintages.csv", dtype=str, keep_default_na=False)


def lineage_table() -> pd.DataFrame:
    return pd.read_csv(reference_dir() / "lineage.csv", dtype=str, keep_default_na=False)


def district_table() -> pd.DataFrame:
    return pd.read_csv(reference_dir() / "districts.csv", dtype=str, keep_default_na=False)


def vintage_at(city: str, day: date) -> str | None:
    """The vintage of ``city`` whose boundaries were valid on ``day`` (valid_from inclusive, valid_to exclusive)."""
    for row in vintage_table().itertuples():
        if row.city != city:
            continue
        start = date.fromisoformat(row.valid_from) if row.valid_from else date.min
        end = date.fromisoformat(row.valid_to) if row.valid_to else date.max
        if start <= day < end:
            return row.vintage
    return None


def vintage_overlapping_most(city: str, start: date | None, end: date | None) -> str | None:
    """The vintage that holds the largest part of a period (a point period: the vintage valid that day)."""
    if start is None and end is None:
        return None
    start = start or end
    end = end or start
    if start is None or end is None:
        raise InternalError(f"vintage_overlapping_most({city}): a period end still missing")
    if start == end:
        return vintage_at(city, start)
    best, best_days = None, 0
    for row in vintage_table().itertuples():
        if row.city != city:
            continue
        v0 = date.fromisoformat(row.valid_from) if row.valid_from else date.min
        v1 = date.fromisoformat(row.valid_to) if row.valid_to else date.max
        days = (min(end, v1) - max(start, v0)).days
        if days > best_days:
            best, best_days = row.vintage, days
    return best


def uncertain_windows(city: str, table: pd.DataFrame | None = None) -> list[tuple[date, date, str]]:
    """Windows ``[earliest, valid_from)`` in which a boundary change of ``city`` may have happened, with the
    vintage that starts then: the sources bound the change but do not date it."""
    table = vintage_table() if table is None else table
    if "valid_from_earliest" not in table.columns:
        return []
    rows = table[(table.city == city) & (table.valid_from_earliest.fillna("") != "")]
    windows = []
    for row in rows.itertuples():
        earliest, start = date.fromisoformat(row.valid_from_earliest), date.fromisoformat(row.valid_from)
        if earliest >= start:
            raise BadInput(f"vintages.csv: {row.vintage} valid_from_earliest {earliest} is not before its "
                           f"valid_from {start}; fix: the earliest possible start comes first")
        windows.append((earliest, start, row.vintage))
    return windows


def in_uncertain_window(city: str, start: date | None, end: date | None,
                        table: pd.DataFrame | None = None) -> bool:
    """Whether a dated period touches a window where the city's boundaries may or may not have changed yet."""
    if start is None and end is None:
        return False
    start, end = start or end, end or start
    if start is None or end is None:
        raise InternalError(f"in_uncertain_window({city}): a period end still missing")
    return any(start < w_end and end >= w_start for w_start, w_end, _ in uncertain_windows(city, table))


def latest_vintages(table: pd.DataFrame | None = None) -> dict[str, str]:
    """Each city's current vintage: the one with no end date (decided here once, written into the build)."""
    table = vintage_table() if table is None else table
    current = table[table.valid_to == ""]
    doubled = current.city[current.city.duplicated()]
    if len(doubled):
        raise BadInput(f"vintages.csv: {doubled.iloc[0]} has two vintages without valid_to; fix: end the older one")
    return dict(zip(current.city, current.vintage, strict=False))


def latest_vintage(city: str) -> str:
    latest = latest_vintages()
    if city not in latest:
        raise UnknownName(f"unknown city '{city}'; use one of {', '.join(CITIES)}")
    return latest[city]
