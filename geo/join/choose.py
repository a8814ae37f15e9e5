"""Which districts a join uses: the city and boundary vintage (given, or inferred from where most rows fall).

Districts come from the build through ``geo.store`` (``load_districts``, ``latest_vintage``) unless the caller
gives its own frame (the built-layer schema, every vintage): ``Boundaries`` hides which.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import store
from geo.domain.names import district_record, match_district
from geo.engines.grid import assign_points
from geo.errors import BadInput, UnknownName
from geo.indicators.hotspots import H3_RESOLUTIONS
from geo.join.table import UserTable
from geo.settings import CITIES


class Boundaries:
    """District boundaries by city and vintage: from the build, or from ``frame`` when given."""

    def __init__(self, frame: gpd.GeoDataFrame | None = None) -> None:
        self.frame = frame

    def latest(self, city: str) -> str:
        """The city's current vintage, as the build decided it (a given frame holding one vintage of the
        city: that one)."""
        if self.frame is not None:
            held = self.frame.loc[self.frame["city"] == city, "vintage"].unique()
            if len(held) == 1:
                return str(held[0])
        return store.latest_vintage(city)

    def city_of(self, vintage: str) -> str:
        """The city a vintage belongs to; ``UnknownName`` listing the vintages when there is no such
        vintage."""
        if self.frame is None:
            try:
                found = store.load_districts(vintage=vintage)
            except UnknownName as exc:
                raise UnknownName(f"{exc} (--vintage)") from None
        else:
            found = self.frame[self.frame["vintage"] == vintage]
            if found.empty:
                known = ", ".join(sorted(self.frame["vintage"].unique()))
                raise UnknownName(f"unknown vintage {vintage!r}; vintages: {known} (--vintage)")
        return str(found["city"].iloc[0])

    def of(self, city: str, vintage: str) -> gpd.GeoDataFrame:
        """The districts of ``vintage`` in ``city`` (with or without geometry), in the build's order."""
        if self.frame is None:
            return store.load_districts(city, vintage)
        frame = self.frame
        return frame[(frame["vintage"] == vintage) & (frame["city"] == city)].reset_index(drop=True)

    def latest_of_every_city(self) -> gpd.GeoDataFrame:
        """Every city's current districts that have a boundary, in the build's order."""
        if self.frame is None:
            frame = store.load_districts()
        else:
            frame = self.frame[self.frame["vintage"].isin([self.latest(c) for c in CITIES])]
        return frame[frame.geometry.notna()].reset_index(drop=True)


@dataclass
class Choice:
    """The city, its vintage, that vintage's districts and what was said about the choice."""

    city: str
    vintage: str
    districts: gpd.GeoDataFrame
    notes: list[str] = field(default_factory=list)


def resolutions(h3_res: int | Sequence[int] | None) -> list[int]:
    """H3 resolutions asked for (one, several or none), checked and sorted."""
    values: list[Any] = []
    if h3_res is not None:
        values = [h3_res] if np.isscalar(h3_res) else list(cast(Sequence[int], h3_res))
    bad = [r for r in values if int(r) not in H3_RESOLUTIONS]
    if bad:
        raise BadInput(f"H3 resolution(s) {bad} not supported; choose among {H3_RESOLUTIONS} (--h3-res)")
    return sorted({int(r) for r in values})


def choose_city_and_vintage(
    kind: str, infer: Callable[[], str], boundaries: Boundaries, city: str | None, vintage: str | None
) -> Choice:
    """City and vintage from the options; ``infer()`` names the city where most rows fall when neither is
    given."""
    notes = []
    if city is not None and city not in CITIES:
        raise UnknownName(f"unknown city {city!r}; use one of {', '.join(CITIES)} (--city)")
    if vintage is not None:
        of_vintage = boundaries.city_of(vintage)
        if city is not None and city != of_vintage:
            raise BadInput(f"vintage {vintage!r} is of {of_vintage}, not {city}; drop --city or change "
                           "--vintage")
        city = of_vintage
    elif city is None:
        city = infer()
        notes.append(f"city {city} inferred from where most rows fall (override with --city)")
    vintage = vintage or boundaries.latest(city)
    chosen = boundaries.of(city, vintage)
    if kind == "points" and chosen.geometry.isna().all():
        raise BadInput(
            f"vintage {vintage!r} has no boundaries, so coordinates cannot be placed in it; use "
            f"--vintage {boundaries.latest(city)} or join by district names (--district-col)"
        )
    return Choice(city=city, vintage=vintage, districts=chosen, notes=notes)


def infer_city(table: UserTable, boundaries: Boundaries) -> str:
    """The city most of the table's usable rows fall in (by coordinates, or by the district names they
    give)."""
    if table.rows.empty:
        raise BadInput(f"{table.path.name}: no usable row to infer the city from; give --city")
    if table.kind == "points":
        return most_common_city(table.rows["lon"], table.rows["lat"], boundaries, table.path.name, table.rows)
    city_of = {name: district_record(found)["city"] for name in table.rows["district_name"].unique()
               if (found := match_district(str(name)))}
    rows = [city_of[name] for name in table.rows["district_name"] if name in city_of]  # one vote per row
    return commonest(rows, table.path.name, table.rows)


def most_common_city(lon: Any, lat: Any, boundaries: Boundaries, label: str, rows: pd.DataFrame) -> str:
    """The city whose current districts hold most of the points (the first city on a tie)."""
    latest = boundaries.latest_of_every_city()
    position = assign_points(latest, np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return commonest(latest["city"].to_numpy()[position[position >= 0]], label, rows)


def commonest(found: Any, label: str, rows: pd.DataFrame) -> str:
    """The most frequent of ``found``; ``BadInput`` showing the first row when nothing was found."""
    if len(found) == 0:
        first = rows.iloc[0].drop("row", errors="ignore").to_dict()
        raise BadInput(f"{label}: no row falls in Astana, Almaty or Shymkent (row 1: {first}); check the "
                       "coordinates or names, or give --city")
    return str(pd.Series(found).value_counts().index[0])
