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
3. ``missing group in column 'c'``;
4. ``missing weight in column 'c'``, ``non-numeric weight in column 'c'``, ``negative weight in column 'c'``
   (a zero weight is kept: the row counts, with weight 0);
5. after the spatial join (``geo.join.assign``): ``in <other city>, not in the chosen city <city>``,
   ``outside every district of <city> (<vintage>)``; by names: ``unknown district name``, ``ambiguous district
   name``, ``district ... is not a district of <vintage>``.

A number is a text cell such as ``51.12``, ``51,12`` (comma decimal), ``-7e3``; a numeric column (Parquet) is
read as it is, NaN being a missing cell and ±inf a non-numeric one, exactly as their text would be. The
in-memory join (``geo.join.table``) and every partition of the out-of-core join (``geo.join.outofcore``) call
``check_rows``, so both set aside the same rows for the same reasons.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import CRSError
from geo.io.userfile import Columns, is_xy

# Kazakhstan's extent with a margin, used only to tell latitude from longitude, never to drop rows.
KZ_LON = (46.0, 88.0)
KZ_LAT = (40.0, 56.0)

MISSING_CELLS = frozenset({"", "nan", "na", "n/a", "null", "none", "-", "—"})
NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
SHOWN_CHARS = 60  # characters of a set-aside cell shown in the report

OUT_OF_RANGE = "coordinates out of range (lon -180..180, lat -90..90)"
NULL_GEOMETRY = "null or empty geometry"
BAD_POINT = "Point without two numeric coordinates"


class SetAside:
    """The first reason each row is set aside for, and the cell shown with it.

    ``keep_values=False`` (the out-of-core partitions) records reasons only.
    """

    def __init__(self, n: int, *, keep_values: bool = True) -> None:
        self.reasons = np.full(n, None, dtype=object)
        self.values = np.full(n, None, dtype=object)
        self.keep_values = keep_values
        self._marked = np.zeros(n, dtype=bool)

    def __len__(self) -> int:
        return len(self.reasons)

    @property
    def usable(self) -> np.ndarray:
        """Rows without a reason yet."""
        return ~self._marked

    def mark(self, mask: Any, reason: str, shown: Any = None) -> None:
        """Set ``reason`` on the rows of ``mask`` that have none yet; ``shown`` is the cells to show (a
        Series, an array, or a callable returning one, called only when values are kept and a row is
        marked)."""
        mask = np.asarray(mask, dtype=bool) & self.usable
        if not mask.any():
            return
        self.reasons[mask] = reason
        self._marked |= mask
        if self.keep_values and shown is not None:
            cells = shown() if callable(shown) else shown
            picked = pd.Series(cells).reset_index(drop=True).astype(object)[mask]
            self.values[mask] = [None if v is None else str(v)[:SHOWN_CHARS] for v in picked]

    def put(self, row: int, reason: str, value: str | None = None) -> None:
        """Set ``reason`` on one row (positional) unless it has one."""
        if not self._marked[row]:
            self._marked[row] = True
            self.reasons[row] = reason
            self.values[row] = value if self.keep_values else None


@dataclass
class CheckedRows:
    """``check_rows``'s answer: the usable values per row (NaN/None where set aside) and the reasons."""

    aside: SetAside
    lon: np.ndarray | None = None
    lat: np.ndarray | None = None
    district_name: pd.Series | None = None
    group: pd.Series | None = None
    weight: np.ndarray | None = None
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
) -> CheckedRows:
    """Every row rule, in the order of the module docstring, over ``frame``'s cells (positional rows).

    Coordinates come from ``geometry`` when given (never swapped), else from ``columns.lat``/``columns.lon``.
    ``swap=None`` decides from these rows whether latitude and longitude are exchanged (raising ``CRSError``
    when no row is in degrees); ``True``/``False`` applies a decision taken before (the out-of-core join
    decides on a sample, ``sampled=True``, and applies it to every partition).
    """
    aside = SetAside(len(frame), keep_values=keep_values)
    out = CheckedRows(aside=aside)
    if columns.district is not None:
        out.district_name = text_cells(frame[columns.district], aside, "district name")
    elif geometry is not None or columns.lat is not None:
        if geometry is not None:
            lon, lat = points_from_geometry(geometry, aside)
        else:
            assert columns.lat is not None and columns.lon is not None
            lat = parse_numbers(frame[columns.lat], aside, f"latitude in column {columns.lat!r}")
            lon = parse_numbers(frame[columns.lon], aside, f"longitude in column {columns.lon!r}")
        out.lon, out.lat, out.swap, note = place_coordinates(
            lon, lat, aside, label, swap=swap, allowed=geometry is None, sampled=sampled)
        out.notes += [note] if note else []
    if columns.group is not None:
        out.group = text_cells(frame[columns.group], aside, "group")
    if columns.weight is not None:
        column = frame[columns.weight]
        out.weight = parse_numbers(column, aside, f"weight in column {columns.weight!r}")
        aside.mark(out.weight < 0, f"negative weight in column {columns.weight!r}", column)
    return out


def parse_numbers(column: pd.Series, aside: SetAside, what: str) -> np.ndarray:
    """Numbers from cells, accepting comma decimals ("51,12"); others set aside as ``missing <what>`` or
    ``non-numeric <what>`` with the cell shown, and NaN in the answer."""
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        missing = np.isnan(values)
        numeric = ~missing & ~np.isinf(values)  # "inf" is not a number as text either
        parsed = np.where(numeric, values, np.nan)
    else:
        text = column.astype("string").str.strip().str.replace("\u00a0", "", regex=False)
        missing = (text.isna() | text.str.lower().isin(MISSING_CELLS)).to_numpy(dtype=bool)
        numeric = text.str.match(NUMBER).fillna(False).to_numpy(dtype=bool)
        number_text = text.where(numeric).str.replace(",", ".", regex=False)
        parsed = pd.to_numeric(number_text, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    aside.mark(missing, f"missing {what}", column)
    aside.mark(~missing & ~numeric, f"non-numeric {what}", column)
    return parsed


def text_cells(column: pd.Series, aside: SetAside, what: str) -> pd.Series:
    """Stripped text; empty or NA-like cells set aside as ``missing <what> in column 'c'`` and kept as
    None."""
    text = column.astype("string").str.strip().reset_index(drop=True)
    missing = text.isna() | text.str.lower().isin(MISSING_CELLS)
    aside.mark(missing.to_numpy(dtype=bool), f"missing {what} in column {column.name!r}", column)
    return text.astype(object).where(~missing.to_numpy(dtype=bool), None)


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
