"""The row rules of a researcher's join: which rows are used, which are set aside, for what reason, in what
order.

One set of rules for every engine. ``check_rows`` applies them to a table of raw cells in this order, and a
row keeps the FIRST reason it meets (later rules never overwrite an earlier one):

1. by names: ``missing district name in column 'c'``;
   by a geometry: ``null or empty geometry``, ``<Type> geometry, only Point features can be joined``,
   ``Point without two numeric coordinates``;
   by coordinate columns: ``missing latitude in column 'c'``, ``non-numeric latitude in column 'c'``, then the
   same two for the longitude;
2. ``coordinates out of range (lon -180..180, lat -90..90)``, after exchanging latitude and longitude when the
   file has them swapped (decided once per file, ``decide_swap``);
3. with a city column: ``missing city in column 'c'``, ``unknown city 'x' in column 'c' ...`` (names in
   kk/ru/en and former names are known: ``geo.domain.names.match_city``), and with ``--city``: ``city <c> in
   column 'c', not the chosen city <city> (--city)``;
4. ``missing group in column 'c'``;
5. ``missing weight in column 'c'``, ``non-numeric weight in column 'c'``, ``non-finite weight in column 'c'
   ...`` (a number such as 1e309 that overflows to infinity), ``negative weight in column 'c'``, ``weight too
   large in column 'c' ...`` (above ``MAX_WEIGHT``: its square would swamp every sum, and no respondent stands
   for a billion people); a zero weight (also -0) is kept (the row counts, with weight 0) unless the join has
   score items: then ``zero weight in column 'c' ...`` (a respondent with weight 0 carries no answer). Tiny
   positive weights (1e-320) are kept: they count for almost nothing and break no sum;
6. per score item, in the order given: ``non-numeric score 'abc' in column 'q1'``, ``score 7 outside the
   scale 1-5 in column 'q1'``. Blank cells and "don't know" answers in kk/ru/en (``DONT_KNOW``) are item
   non-response, not a reason: the value is NaN, counted per item, and the row is joined; so are the codes a
   statistics file's metadata calls non-response (``coded_missing``: user-missing codes, codes labelled "don't
   know"). Without a given scale the item's scale is its lowest and highest answer, rounded out to integers
   (said in a note);
7. after the join (``geo.join.assign``, ``geo.join.multicity``): ``in <other city>, not in the chosen city
   <city>``, ``outside every district of <city> (<vintage>)``; by names: ``unknown district name``,
   ``ambiguous district name``, ``district ... is not a district of <vintage>``, ``district 'x' is in <city>,
   not in <row's city> ...``.

A number is a text cell such as ``51.12``, ``51,12`` (comma decimal), ``-7e3``; a numeric column (Parquet) is
read as it is, NaN being a missing cell and ±inf a non-numeric one, exactly as their text would be. The
in-memory join (``geo.join.table``) and every partition of the out-of-core join (``geo.join.outofcore``) call
``check_rows``, so both set aside the same rows for the same reasons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import CRSError, InternalError
from geo.io.formats import is_xy
from geo.io.userfile import Columns
from geo.join.cells import (
    NUMBER,
    SHOWN_CHARS,
    Scale,
    SetAside,
    city_cells,
    parse_numbers,
    score_cells,
    text_cells,
)

__all__ = ["MAX_WEIGHT", "NUMBER", "OUT_OF_RANGE", "CheckedRows", "SetAside", "check_rows", "decide_swap", "parse_numbers",
           "text_cells"]

# Kazakhstan's extent with a margin, used only to tell latitude from longitude, never to drop rows.
KZ_LON = (46.0, 88.0)
KZ_LAT = (40.0, 56.0)

MAX_WEIGHT = 1e9  # a weight stands for people or things counted: more than a billion is a code or an overflow
OUT_OF_RANGE = "coordinates out of range (lon -180..180, lat -90..90)"
NULL_GEOMETRY = "null or empty geometry"
BAD_POINT = "Point without two numeric coordinates"


@dataclass
class CheckedRows:
    """``check_rows``'s answer: the usable values per row (NaN/None where set aside) and the reasons."""

    aside: SetAside
    lon: np.ndarray | None = None
    lat: np.ndarray | None = None
    district_name: pd.Series | None = None
    group: pd.Series | None = None
    weight: np.ndarray | None = None
    city: pd.Series | None = None  # canonical city per row (None where set aside)
    scores: dict[str, np.ndarray] = field(default_factory=dict)  # column -> value (NaN: non-response)
    scales: dict[str, tuple[float, float, bool]] = field(default_factory=dict)  # column -> low, high, inferred
    nonresponse: dict[str, np.ndarray] = field(default_factory=dict)  # column -> per row NONRESPONSE code
    swap: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def usable(self) -> np.ndarray:
        return self.aside.usable


def check_rows(
    frame: pd.DataFrame,
    columns: Columns,
    label: str,
    *,
    geometry: Sequence[Any] | None = None,
    swap: bool | None = None,
    keep_values: bool = True,
    sampled: bool = False,
    scales: dict[str, Scale | None] | None = None,
    only_city: str | None = None,
    coded_missing: dict[str, np.ndarray] | None = None,
) -> CheckedRows:
    """Every row rule, in the order of the module docstring, over ``frame``'s cells (positional rows).

    Coordinates come from ``geometry`` when given (never swapped), else from ``columns.lat``/``columns.lon``.
    ``swap=None`` decides from these rows whether latitude and longitude are exchanged (raising ``CRSError``
    when no row is in degrees); ``True``/``False`` applies a decision taken before (the out-of-core join
    decides on a sample, ``sampled=True``, and applies it to every partition). ``scales`` gives each score
    column of ``columns.scores`` its scale (None: inferred); ``only_city`` is ``--city`` with a city column;
    ``coded_missing`` per score column the cells its file's metadata calls non-response.
    """
    aside = SetAside(len(frame), keep_values=keep_values)
    out = CheckedRows(aside=aside)
    if columns.district is not None:
        out.district_name = text_cells(frame[columns.district], aside, "district name")
    elif geometry is not None or columns.lat is not None:
        if geometry is not None:
            lon, lat = points_from_geometry(geometry, aside)
        else:
            if columns.lat is None or columns.lon is None:
                raise InternalError("check_rows: coordinates asked for without a latitude and longitude column")
            lat = parse_numbers(frame[columns.lat], aside, f"latitude in column {columns.lat!r}")
            lon = parse_numbers(frame[columns.lon], aside, f"longitude in column {columns.lon!r}")
        out.lon, out.lat, out.swap, note = place_coordinates(
            lon, lat, aside, label, swap=swap, allowed=geometry is None, sampled=sampled)
        out.notes += [note] if note else []
    if columns.city is not None:
        out.city = city_cells(frame[columns.city], aside, only_city)
    if columns.group is not None:
        out.group = text_cells(frame[columns.group], aside, "group")
    if columns.weight is not None:
        column = frame[columns.weight]
        out.weight = parse_numbers(column, aside, f"weight in column {columns.weight!r}")
        aside.mark(np.isinf(out.weight), f"non-finite weight in column {columns.weight!r} (too large to hold as "
                   "a number)", column)
        aside.mark(out.weight < 0, f"negative weight in column {columns.weight!r}", column)
        aside.mark(out.weight > MAX_WEIGHT, f"weight too large in column {columns.weight!r} (above {MAX_WEIGHT:.0e}: "
                   "a code or an overflow, not a number of people)", column)
        if columns.scores:
            aside.mark(out.weight == 0, f"zero weight in column {columns.weight!r} (a respondent with weight 0 "
                       "carries no answer)", column)
    for name in columns.scores:
        out.scores[name], out.scales[name], out.nonresponse[name] = score_cells(
            frame[name], aside, (scales or {}).get(name), label, coded_missing=(coded_missing or {}).get(name))
    return out


def points_from_geometry(geometry: Sequence[Any], aside: SetAside) -> tuple[np.ndarray, np.ndarray]:
    """lon/lat of Point geometries (GeoJSON dicts or shapely); others are set aside with their reason."""
    lon = np.full(len(geometry), np.nan)
    lat = np.full(len(geometry), np.nan)
    for i, geom in enumerate(geometry):
        if geom is not None and not isinstance(geom, dict):  # shapely, from GeoParquet
            geom = None if geom.is_empty else geom.__geo_interface__
        if geom is None:
            aside.put(i, NULL_GEOMETRY)
        elif geom.get("type") != "Point":
            aside.put(i, f"{geom.get('type')} geometry, only Point features can be joined")
        elif not is_xy(geom.get("coordinates")):
            aside.put(i, BAD_POINT, str(geom.get("coordinates"))[:SHOWN_CHARS])
        else:
            lon[i], lat[i] = geom["coordinates"][:2]
    return lon, lat


def in_degrees(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Within lon -180..180 and lat -90..90 (NaN is not)."""
    return np.asarray((np.abs(lon) <= 180) & (np.abs(lat) <= 90), dtype=bool)


def in_kz(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Within Kazakhstan's extent (with a margin): only to tell latitude from longitude."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return (lon >= KZ_LON[0]) & (lon <= KZ_LON[1]) & (lat >= KZ_LAT[0]) & (lat <= KZ_LAT[1])


def decide_swap(
    lon: np.ndarray,
    lat: np.ndarray,
    usable: np.ndarray,
    label: str,
    *,
    allowed: bool = True,
    sampled: bool = False,
) -> tuple[bool, str | None]:
    """Whether the file has latitude and longitude exchanged: more usable rows fit Kazakhstan swapped than
    not.

    Raises ``CRSError`` when no usable row is in degrees (a projected file in metres without a CRS). Returns
    the decision and the note that says it.
    """
    in_range = usable & in_degrees(lon, lat)
    if usable.any() and not in_range.any():
        first = int(np.flatnonzero(usable)[0])
        raise CRSError(
            f"{label}: no coordinate is a longitude/latitude in degrees (row {first + 1}: {lon[first]}, "
            f"{lat[first]}); the file looks projected (metres) without a CRS: reproject it to EPSG:4326 "
            "or, for GeoJSON, give lon/lat per RFC 7946"
        )
    if not allowed or not in_range.any():
        return False, None
    straight = int(in_kz(lon, lat)[in_range].sum())
    swapped = int(in_kz(lat, lon)[in_range].sum())
    if swapped <= straight:
        return False, None
    rows = "sampled rows" if sampled else "rows"
    exchanged = "the columns were exchanged for every row" if sampled else "the columns were exchanged"
    checked = int(in_range.sum())
    return True, (f"latitude and longitude were swapped in the file ({swapped} of {checked} {rows} fit "
                  f"Kazakhstan only when swapped): {exchanged}")


def place_coordinates(
    lon: np.ndarray,
    lat: np.ndarray,
    aside: SetAside,
    label: str,
    *,
    swap: bool | None = None,
    allowed: bool = True,
    sampled: bool = False,
) -> tuple[np.ndarray, np.ndarray, bool, str | None]:
    """The swap (decided here when ``swap`` is None), then rows out of range set aside: (lon, lat, swap,
    note)."""
    lon, lat = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    usable = aside.usable & ~np.isnan(lon) & ~np.isnan(lat)
    note = None
    if swap is None:
        swap, note = decide_swap(lon, lat, usable, label, allowed=allowed, sampled=sampled)
    if swap:
        lon, lat = lat, lon

    def shown() -> pd.Series:
        return pd.Series(lon).astype(str) + ", " + pd.Series(lat).astype(str)

    aside.mark(usable & ~in_degrees(lon, lat), OUT_OF_RANGE, shown)
    return lon, lat, bool(swap), note


# ----------------------------------------------------------------------------------- after the spatial join


def other_city_reason(other: str, city: str) -> str:
    return f"in {other}, not in the chosen city {city}"


def outside_reason(city: str, vintage: str) -> str:
    return f"outside every district of {city} ({vintage})"


def name_reason(name: str, found: set[str], city: str, vintage: str) -> str:
    """Why a district name matched no district of ``vintage``: none, several, or one of another vintage."""
    if len(found) == 1:
        return f"district {name!r} ({next(iter(found))}) is not a district of {vintage}"
    if found:
        return f"ambiguous district name {name!r}: could be {', '.join(sorted(found))}"
    return f"unknown district name {name!r} in {city}"


def elsewhere_reason(name: str, cities: set[str], city: str, by_column: str | None) -> str:
    """A district name of another city given under ``city`` (from the city column, or ``--city``)."""
    where = f"the row's city in column {by_column!r}" if by_column else "the chosen city (--city)"
    return (f"district {name!r} is in {' or '.join(sorted(cities))}, not in {city} ({where}); check the city "
            "or the district")
