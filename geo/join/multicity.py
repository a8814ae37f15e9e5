"""Several cities in one join: each row to its own city, then to that city's districts, in one result.

A row's city is, in this order: ``--city`` (one city; rows of others set aside), the file's city column
(``geo.join.rules.city_cells``), the city whose current districts hold its point, or the one city that has a
district of that name. "Алматы" is a city and also a district of Astana: with a city column, "Астана" +
"Алматы" is Astana's Almaty district and "Алматы" + "Медеуский" is Almaty's Medeu; without one, the name
"Алматы" is only a district (Astana's). A name several cities share is ambiguous without a city column.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.domain.names import district_candidates, district_record
from geo.engines.grid import assign_points
from geo.errors import BadInput
from geo.join.assign import assign_by_coordinates, assign_by_names
from geo.join.choose import Boundaries, Choice, choose_city_and_vintage
from geo.join.result import JoinResult
from geo.join.table import UserTable
from geo.settings import CITIES


@dataclass
class CityPart:
    """One city's share of the join: its choice of vintage, its rows and where each went."""

    choice: Choice
    rows: pd.DataFrame
    position: np.ndarray
    reasons: np.ndarray


@dataclass
class Split:
    """Rows by city: the parts, the rows no city could be found for (with reasons) and notes."""

    parts: list[CityPart]
    unplaced: pd.DataFrame  # the rows of ``table.rows`` without a city
    unplaced_reasons: np.ndarray
    notes: list[str] = field(default_factory=list)


def split_and_assign(
    table: UserTable,
    boundaries: Boundaries,
    city: str | None,
    vintage: str | None,
    *,
    engine: str = "builtin",
    scheduler: str | None = None,
) -> Split:
    """Every usable row to a city and a district position in that city's vintage (-1 with a reason)."""
    if city is not None or vintage is not None:
        choice = choose_city_and_vintage(table.kind, lambda: "", boundaries, city, vintage)
        cities = np.full(len(table.rows), choice.city, dtype=object)
        if "city" in table.rows:  # rows of other cities were set aside by the city rule
            cities = table.rows["city"].to_numpy(dtype=object)
        return _assign(table, boundaries, cities, np.full(len(table.rows), None, dtype=object), vintage,
                       engine, scheduler, fixed=choice)
    if table.rows.empty:
        raise BadInput(f"{table.path.name}: no usable row to infer the city from; give --city")
    if "city" in table.rows:
        cities = table.rows["city"].to_numpy(dtype=object)
        reasons = np.full(len(cities), None, dtype=object)
    elif table.kind == "points":
        cities, reasons = _city_of_points(table, boundaries)
    else:
        cities, reasons = _city_of_names(table.rows["district_name"])
    if not any(c is not None for c in cities):
        first = table.rows.iloc[0].drop("row", errors="ignore").to_dict()
        raise BadInput(f"{table.path.name}: no row falls in Astana, Almaty or Shymkent (row 1: {first}); check "
                       "the coordinates or names, or give --city")
    return _assign(table, boundaries, cities, reasons, None, engine, scheduler)


def _assign(
    table: UserTable,
    boundaries: Boundaries,
    cities: np.ndarray,
    reasons: np.ndarray,
    vintage: str | None,
    engine: str,
    scheduler: str | None,
    fixed: Choice | None = None,
) -> Split:
    parts = []
    by_column = table.columns.get("city")
    for name in ([fixed.city] if fixed else [c for c in CITIES if (cities == c).any()]):
        choice = fixed or choose_city_and_vintage(table.kind, lambda: "", boundaries, name, vintage)
        mine = cities == name
        sub = replace(table, rows=table.rows[mine].reset_index(drop=True))
        if table.kind == "points":
            position, why = assign_by_coordinates(sub, choice.districts, boundaries, name, choice.vintage,
                                                  engine=engine, scheduler=scheduler)
        else:
            position, why = assign_by_names(sub, choice.districts, name, choice.vintage, by_column=by_column)
        parts.append(CityPart(choice=choice, rows=sub.rows, position=position, reasons=why))
    placed = np.zeros(len(cities), dtype=bool)
    for part in parts:
        placed |= cities == part.choice.city
    notes = []
    if fixed is None and len(parts) > 1:
        notes.append("several cities in one join: " + ", ".join(
            f"{p.choice.city} ({p.choice.vintage}, {len(p.rows):,} rows)" for p in parts))
    return Split(parts=parts, unplaced=table.rows[~placed].reset_index(drop=True),
                 unplaced_reasons=reasons[~placed], notes=notes)


def _city_of_points(table: UserTable, boundaries: Boundaries) -> tuple[np.ndarray, np.ndarray]:
    """The city whose current districts hold each point; the others "outside every district"."""
    latest = boundaries.latest_of_every_city()
    lon = table.rows["lon"].to_numpy(dtype=float)
    lat = table.rows["lat"].to_numpy(dtype=float)
    position = assign_points(latest, lon, lat)
    cities = np.full(len(position), None, dtype=object)
    cities[position >= 0] = latest["city"].to_numpy()[position[position >= 0]]
    held = ", ".join(sorted(set(latest["city"]), key=CITIES.index))
    reasons = np.full(len(position), None, dtype=object)
    reasons[position < 0] = f"outside every district of {held}"
    return cities, reasons


def _city_of_names(names: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The one city with a district of that name; unknown and shared names with their reason."""
    verdict: dict[str, tuple[str | None, str | None]] = {}
    for name in names.unique():
        found = district_candidates(str(name))
        cities = sorted({district_record(d)["city"] for d in found})
        if len(cities) == 1:
            verdict[name] = (cities[0], None)
        elif cities:
            verdict[name] = (None, f"ambiguous district name {name!r}: a district of {' and '.join(cities)}; "
                             "add a city column (--city-col) or give --city")
        else:
            verdict[name] = (None, f"unknown district name {name!r} in Astana, Almaty or Shymkent")
    return (np.array([verdict[n][0] for n in names], dtype=object),
            np.array([verdict[n][1] for n in names], dtype=object))


def combine(results: list[JoinResult]) -> JoinResult:
    """One result from per-city results: districts, groups, indices and hexagons stacked, each with its
    city; the result's city and vintage name every city and vintage (", "-joined)."""
    if len(results) == 1:
        return results[0]
    first = results[0]
    districts = gpd.GeoDataFrame(pd.concat([r.districts for r in results], ignore_index=True),
                                 geometry=first.districts.geometry.name, crs=first.districts.crs)
    hexagons = {}
    for res in first.hexagons:
        grids = [r.hexagons[res].assign(city=r.city) for r in results if res in r.hexagons]
        hexagons[res] = gpd.GeoDataFrame(pd.concat(grids, ignore_index=True), geometry="geometry",
                                         crs=grids[0].crs)
    return JoinResult(
        city=", ".join(r.city for r in results), vintage=", ".join(r.vintage for r in results),
        districts=districts, assigned=pd.DataFrame(), set_aside=pd.DataFrame(),
        groups=_stack([r.groups for r in results], [r.city for r in results]),
        indices=_stack([r.indices for r in results], [r.city for r in results]),
        hexagons=hexagons, report={"notes": [n for r in results for n in r.report.get("notes", [])]},
        synthetic=first.synthetic,
    )


def _stack(frames: list[pd.DataFrame | None], cities: list[str]) -> pd.DataFrame | None:
    """Per-city tables one under the other, a ``city`` column first (None when no city has one)."""
    kept = [f.assign(city=c)[["city", *[x for x in f.columns if x != "city"]]]
            for f, c in zip(frames, cities, strict=True) if f is not None]
    return pd.concat(kept, ignore_index=True) if kept else None
