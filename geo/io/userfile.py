"""Read a researcher's own file (CSV, GeoJSON, GeoParquet) into one clean table plus what was set aside.

Researchers' files arrive in every shape: Excel CSVs in cp1251 with semicolons and comma decimals, UTF-8 with a
BOM, GeoJSON exported in metres without a CRS, columns called ``широта``/``долгота`` or ``x``/``y``, latitude and
longitude swapped. This module makes one decision per file (encoding, delimiter, coordinate columns, swap) and says
each decision in ``UserTable.notes``; rows it cannot use go to ``UserTable.set_aside`` with their row number and
reason. Nothing is dropped silently: ``len(table) + len(set_aside) == input_rows`` is asserted.

Row numbers are 1-based data rows (CSV: the header is row 0, so row N is file line N + 1 when no field spans lines;
GeoJSON: feature N of the ``features`` array; Parquet: row N).

Synthetic input: a column ``synthetic`` with any true value, a column ``source`` whose value is "SYNTHETIC" (as
``geo.synthetic.synthetic_points`` writes), the word "synthetic" in the file name, or the Parquet key-value metadata
``synthetic=true`` marks the whole file synthetic, and every output made from it carries ``synthetic = true``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from geo.errors import BadInput, CRSError

# Kazakhstan's extent with a margin, used only to tell latitude from longitude, never to drop rows.
KZ_LON = (46.0, 88.0)
KZ_LAT = (40.0, 56.0)

LAT_NAMES = ("lat", "latitude", "широта", "шир", "lat_wgs84", "y")
LON_NAMES = ("lon", "lng", "long", "longitude", "долгота", "дол", "lon_wgs84", "x")
DISTRICT_NAMES = ("district", "district_name", "район", "аудан", "district_ru", "district_kk", "district_en")
DELIMITERS = (",", ";", "\t")
ENCODINGS = ("utf-8-sig", "cp1251")

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
_MISSING = {"", "nan", "na", "n/a", "null", "none", "-", "—"}


@dataclass
class UserTable:
    """A researcher's file reduced to the columns a join needs.

    ``rows`` has ``row`` (input row number), ``lon``/``lat`` (WGS84 degrees, when coordinates) or
    ``district_name`` (when names), ``group`` and ``weight`` (when asked for) and ``synthetic``.
    ``set_aside`` has ``row``, ``reason`` and ``value`` for every input row that could not be used.
    """

    path: Path
    kind: str  # "points" or "names"
    rows: pd.DataFrame
    set_aside: pd.DataFrame
    input_rows: int
    notes: list[str] = field(default_factory=list)
    synthetic: bool = False
    columns: dict[str, str | None] = field(default_factory=dict)

    def check_balance(self) -> None:
        """Every input row is either kept or set aside, exactly once."""
        kept = len(self.rows)
        aside = len(self.set_aside)
        assert kept + aside == self.input_rows, f"{self.path}: {kept} kept + {aside} set aside != {self.input_rows}"


def read_user_file(
    path: str | Path,
    *,
    lat_col: str | None = None,
    lon_col: str | None = None,
    district_col: str | None = None,
    group_col: str | None = None,
    weight_col: str | None = None,
    name: str | None = None,
) -> UserTable:
    """Read ``path`` (CSV/TSV/TXT, GeoJSON/JSON, Parquet/GeoParquet) into a ``UserTable``.

    Coordinates come from a geometry (GeoJSON, GeoParquet) or from columns found by name (``LAT_NAMES``,
    ``LON_NAMES``) or given by ``lat_col``/``lon_col``; ``district_col`` joins by district name instead.
    ``name`` is the file's original name when ``path`` is a temporary copy (dashboard uploads).
    Raises ``BadInput``/``CRSError`` with one line (what, which file, which row, how to fix) for files that cannot
    be read at all.
    """
    path = Path(path)
    label = name or path.name
    if not path.is_file():
        raise BadInput(f"{path}: no such file; give the path of a CSV, GeoJSON or GeoParquet file")
    raw = path.read_bytes()
    if not raw.strip():
        raise BadInput(f"{label}: the file is empty; export the table again with a header and data rows")
    suffix = Path(label).suffix.lower()
    notes: list[str] = []
    geometry = None
    meta_synthetic = False
    if suffix in (".geojson", ".json"):
        frame, geometry = _read_geojson(raw, label, notes)
    elif suffix in (".parquet", ".geoparquet", ".pq"):
        frame, geometry, meta_synthetic = _read_parquet(path, label, notes)
    else:
        frame = _read_csv(raw, label, notes)
    if frame.empty and geometry is None:
        raise BadInput(f"{label}: header only, no data rows; add at least one row below the header")
    if len(frame) == 0:
        raise BadInput(f"{label}: no features/rows; the file holds nothing to join")

    synthetic = meta_synthetic or "synthetic" in label.lower() or _synthetic_column(frame)
    rows = pd.DataFrame({"row": np.arange(1, len(frame) + 1)})
    reasons = pd.Series([None] * len(frame), dtype=object)
    values = pd.Series([None] * len(frame), dtype=object)
    columns: dict[str, str | None] = {}

    lat_name = lon_name = None
    if district_col is None and geometry is None:
        lat_name, lon_name = _coordinate_columns(frame, lat_col, lon_col, label)
        if lat_name is None:
            district_col = next((c for c in frame.columns if _norm(c) in DISTRICT_NAMES), None)
            if district_col is None:
                raise BadInput(
                    f"{label}: no coordinate columns (lat/lon, latitude/longitude, x/y, широта/долгота) and no "
                    f"district column among {list(frame.columns)[:12]}; name them with --lat-col/--lon-col or "
                    "--district-col"
                )
            notes.append(f"no coordinate columns: joined by district names in column {district_col!r}")

    if district_col is not None:
        kind = "names"
        columns["district"] = _require_column(frame, district_col, label, "--district-col")
        rows["district_name"] = _text_cells(frame[columns["district"]], reasons, values, "district name")
    elif geometry is not None:
        kind = "points"
        lon, lat = _points_from_geometry(geometry, reasons, values)
        _check_and_set_coordinates(rows, lon, lat, reasons, values, label, notes, swap_allowed=False)
    else:
        kind = "points"
        columns.update(lat=lat_name, lon=lon_name)
        notes.append(f"coordinates from columns lat={lat_name!r}, lon={lon_name!r}")
        lat = _parse_numbers(frame[lat_name], reasons, values, f"latitude in column {lat_name!r}")
        lon = _parse_numbers(frame[lon_name], reasons, values, f"longitude in column {lon_name!r}")
        _check_and_set_coordinates(rows, lon, lat, reasons, values, label, notes, swap_allowed=True)

    if group_col is not None:
        columns["group"] = _require_column(frame, group_col, label, "--group-col")
        rows["group"] = _text_cells(frame[columns["group"]], reasons, values, "group")
    if weight_col is not None:
        col = _require_column(frame, weight_col, label, "--weight-col")
        columns["weight"] = col
        weight = _parse_numbers(frame[col], reasons, values, f"weight in column {col!r}")
        _mark(reasons, values, weight < 0, f"negative weight in column {col!r}", frame[col])
        rows["weight"] = weight
    rows["synthetic"] = synthetic

    bad = reasons.notna().to_numpy()
    set_aside = pd.DataFrame(
        {"row": rows["row"][bad].to_numpy(), "reason": reasons[bad].to_numpy(), "value": values[bad].to_numpy()}
    )
    table = UserTable(
        path=path,
        kind=kind,
        rows=rows[~bad].reset_index(drop=True),
        set_aside=set_aside,
        input_rows=len(frame),
        notes=notes,
        synthetic=bool(synthetic),
        columns=columns,
    )
    table.check_balance()
    return table


# ---------------------------------------------------------------------------------------------------- CSV


def _read_csv(raw: bytes, label: str, notes: list[str]) -> pd.DataFrame:
    """Decode, sniff the delimiter and read every cell as text (numbers are parsed later, row by row)."""
    head = raw[:8192]
    if b"\x00" in head or sum(b < 9 or 13 < b < 32 for b in head) > len(head) // 100 + 1:
        raise BadInput(
            f"{label}: binary content, not a text table (is it an Excel .xlsx or a zip renamed to .csv?); "
            "save it as CSV (UTF-8) and try again"
        )
    text, encoding = _decode(raw, label)
    notes.append(f"encoding {encoding}")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise BadInput(f"{label}: the file is empty; export the table again with a header and data rows")
    delimiter = _sniff_delimiter(lines[:50])
    notes.append(f"delimiter {delimiter!r}")
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=True,
            engine="python",
        )
    except (pd.errors.ParserError, csv.Error) as exc:
        raise BadInput(f"{label}: cannot parse as a {delimiter!r}-separated table ({exc}); check quoting") from exc
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    return frame


def _decode(raw: bytes, label: str) -> tuple[str, str]:
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise BadInput(f"{label}: neither UTF-8 nor cp1251 text; save the file as UTF-8 CSV")  # pragma: no cover


def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the header and the rows into the same, largest number of fields."""
    best, best_score = ",", (-1, -1)
    for delimiter in DELIMITERS:
        counts = [len(next(csv.reader([line], delimiter=delimiter))) for line in lines]
        consistent = sum(c == counts[0] for c in counts)
        score = (consistent if counts[0] > 1 else 0, counts[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


# ---------------------------------------------------------------------------------------------------- GeoJSON


def _read_geojson(raw: bytes, label: str, notes: list[str]):
    """Parse GeoJSON ourselves so truncation, CRS members and null geometries are reported precisely."""
    try:
        text = raw.decode("utf-8-sig")
        data = json.loads(text)
    except UnicodeDecodeError as exc:
        raise BadInput(f"{label}: not UTF-8 text (GeoJSON must be UTF-8, RFC 7946 §11); re-export it") from exc
    except json.JSONDecodeError as exc:
        raise BadInput(
            f"{label}: invalid JSON at line {exc.lineno} column {exc.colno} ({exc.msg}); the file may be cut "
            "half way: export or download it again"
        ) from exc
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(
        data.get("features"), list
    ):
        raise BadInput(f"{label}: not a GeoJSON FeatureCollection; give a FeatureCollection of Point features")
    crs_name = ((data.get("crs") or {}).get("properties") or {}).get("name")
    if crs_name and not re.search(r"(CRS84|EPSG:*4326)$", str(crs_name)):
        notes.append(f"GeoJSON crs member {crs_name!r}: coordinates reprojected to EPSG:4326")
    else:
        crs_name = None
    features = data["features"]
    props = [(f.get("properties") or {}) if isinstance(f, dict) else {} for f in features]
    frame = pd.DataFrame(props, index=range(len(features)), dtype=object)
    geometry = [f.get("geometry") if isinstance(f, dict) else None for f in features]
    if crs_name:
        geometry = _reproject_geojson_points(geometry, crs_name, label)
    return frame, geometry


def _reproject_geojson_points(geometry: list, crs_name: str, label: str) -> list:
    """Old-style GeoJSON (2008 spec) may name a projected CRS; reproject its points to lon/lat."""
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError as ProjCRSError

    try:
        transformer = Transformer.from_crs(CRS.from_user_input(crs_name), "EPSG:4326", always_xy=True)
    except ProjCRSError as exc:
        raise CRSError(f"{label}: unknown crs {crs_name!r}; reproject the file to EPSG:4326 (lon/lat)") from exc
    out = []
    for geom in geometry:
        if isinstance(geom, dict) and geom.get("type") == "Point" and _is_xy(geom.get("coordinates")):
            x, y = geom["coordinates"][:2]
            out.append({"type": "Point", "coordinates": list(transformer.transform(x, y))})
        else:
            out.append(geom)
    return out


def _is_xy(coords) -> bool:
    return (
        isinstance(coords, (list, tuple))
        and len(coords) >= 2
        and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in coords[:2])
    )


def _points_from_geometry(geometry, reasons: pd.Series, values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """lon/lat of Point geometries (GeoJSON dicts or shapely); others are set aside with their reason."""
    lon = np.full(len(geometry), np.nan)
    lat = np.full(len(geometry), np.nan)
    for i, geom in enumerate(geometry):
        if geom is not None and not isinstance(geom, dict):  # shapely, from GeoParquet
            geom = None if geom.is_empty else geom.__geo_interface__
        if geom is None:
            reasons[i], values[i] = "null or empty geometry", None
        elif geom.get("type") != "Point":
            reasons[i], values[i] = f"{geom.get('type')} geometry, only Point features can be joined", None
        elif not _is_xy(geom.get("coordinates")):
            reasons[i], values[i] = "Point without two numeric coordinates", str(geom.get("coordinates"))[:60]
        else:
            lon[i], lat[i] = geom["coordinates"][:2]
    return pd.Series(lon), pd.Series(lat)


# ---------------------------------------------------------------------------------------------------- Parquet


def _read_parquet(path: Path, label: str, notes: list[str]):
    import pyarrow.parquet as pq

    try:
        meta = pq.read_schema(path).metadata or {}
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise BadInput(f"{label}: not a readable Parquet file ({exc}); write it again with to_parquet") from exc
    synthetic = str(meta.get(b"synthetic", b"")).lower() in ("b'true'", "b'1'")
    if b"geo" not in meta:
        notes.append("plain Parquet (no geometry): coordinates or names taken from columns")
        return pd.read_parquet(path).astype(object), None, synthetic
    import geopandas as gpd

    gdf = gpd.read_parquet(path)
    if gdf.crs is None:
        raise CRSError(f"{label}: GeoParquet without a CRS; set it (gdf.set_crs(...)) and write the file again")
    if not gdf.crs.equals("EPSG:4326") and not gdf.crs.equals("OGC:CRS84"):
        notes.append(f"GeoParquet in {gdf.crs.to_string()}: reprojected to EPSG:4326")
        gdf = gdf.to_crs("EPSG:4326")
    geometry = list(gdf.geometry.array)
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).reset_index(drop=True).astype(object)
    return frame, geometry, synthetic


# ---------------------------------------------------------------------------------------------------- helpers


def _norm(column) -> str:
    return str(column).strip().lower().lstrip("\ufeff")


def _require_column(frame: pd.DataFrame, wanted: str, label: str, option: str) -> str:
    for col in frame.columns:
        if _norm(col) == _norm(wanted):
            return col
    raise BadInput(f"{label}: no column {wanted!r} ({option}); columns are {list(frame.columns)[:15]}")


def _coordinate_columns(frame, lat_col, lon_col, label) -> tuple[str | None, str | None]:
    """Columns named by option, else the first lat and lon names found (explicit names before x/y)."""
    if (lat_col is None) != (lon_col is None):
        raise BadInput(f"{label}: give both --lat-col and --lon-col, or neither to find them by name")
    if lat_col is not None:
        return _require_column(frame, lat_col, label, "--lat-col"), _require_column(
            frame, lon_col, label, "--lon-col"
        )
    by_name = {_norm(c): c for c in frame.columns}
    lat = next((by_name[n] for n in LAT_NAMES if n in by_name), None)
    lon = next((by_name[n] for n in LON_NAMES if n in by_name), None)
    if (lat is None) != (lon is None):
        found = lat or lon
        raise BadInput(
            f"{label}: found only one coordinate column ({found!r}); name both with --lat-col and --lon-col"
        )
    return lat, lon


def _parse_numbers(column: pd.Series, reasons: pd.Series, values: pd.Series, what: str) -> pd.Series:
    """Numbers from text cells, accepting comma decimals ("51,12"); others set aside with the cell shown."""
    text = column.astype("string").str.strip().str.replace("\u00a0", "", regex=False)
    missing = text.isna() | text.str.lower().isin(_MISSING)
    numeric = text.str.match(_NUMBER).fillna(False)
    parsed = pd.to_numeric(text.where(numeric).str.replace(",", ".", regex=False), errors="coerce")
    _mark(reasons, values, missing, f"missing {what}", column)
    _mark(reasons, values, ~missing & ~numeric, f"non-numeric {what}", column)
    return parsed.astype(float).reset_index(drop=True)


def _text_cells(column: pd.Series, reasons: pd.Series, values: pd.Series, what: str) -> pd.Series:
    """Stripped text; empty or NA-like cells set aside as "missing <what>" and kept as None."""
    text = column.astype("string").str.strip().reset_index(drop=True)
    missing = text.isna() | text.str.lower().isin(_MISSING)
    _mark(reasons, values, missing, f"missing {what} in column {column.name!r}", column)
    return text.where(~missing, None).astype(object)


def _mark(reasons: pd.Series, values: pd.Series, mask, reason: str, source) -> None:
    """Record the first reason per row (later checks never overwrite an earlier one)."""
    mask = np.asarray(mask, dtype=bool) & reasons.isna().to_numpy()
    if mask.any():
        reasons[mask] = reason
        shown = pd.Series(source).reset_index(drop=True).astype(object)[mask]
        values[mask] = [None if v is None else str(v)[:60] for v in shown]


def _check_and_set_coordinates(rows, lon, lat, reasons, values, label, notes, *, swap_allowed: bool) -> None:
    """Range checks, projected-metres detection and latitude/longitude swap detection."""
    lon = pd.Series(lon, dtype=float).reset_index(drop=True)
    lat = pd.Series(lat, dtype=float).reset_index(drop=True)
    usable = reasons.isna().to_numpy() & lon.notna().to_numpy() & lat.notna().to_numpy()
    in_range = usable & (lon.abs() <= 180).to_numpy() & (lat.abs() <= 90).to_numpy()
    if usable.any() and not in_range.any():
        first = int(np.flatnonzero(usable)[0]) + 1
        raise CRSError(
            f"{label}: no coordinate is a longitude/latitude in degrees (row {first}: {lon[first - 1]}, "
            f"{lat[first - 1]}); the file looks projected (metres) without a CRS: reproject it to EPSG:4326 "
            "or, for GeoJSON, give lon/lat per RFC 7946"
        )
    if swap_allowed and in_range.any():
        straight = _in_kz(lon, lat)[in_range].sum()
        swapped = _in_kz(lat, lon)[in_range].sum()
        if swapped > straight:
            lon, lat = lat, lon
            notes.append(
                f"latitude and longitude were swapped in the file ({swapped} of {in_range.sum()} rows fit "
                "Kazakhstan only when swapped): the columns were exchanged"
            )
    out_of_range = usable & ~((lon.abs() <= 180) & (lat.abs() <= 90)).to_numpy()
    _mark(reasons, values, out_of_range, "coordinates out of range (lon -180..180, lat -90..90)",
          lon.astype(str) + ", " + lat.astype(str))
    rows["lon"] = lon
    rows["lat"] = lat


def _in_kz(lon: pd.Series, lat: pd.Series) -> np.ndarray:
    return (lon.between(*KZ_LON) & lat.between(*KZ_LAT)).to_numpy()


def _synthetic_column(frame: pd.DataFrame) -> bool:
    flags = [c for c in frame.columns if _norm(c) == "synthetic"]
    sources = [c for c in frame.columns if _norm(c) == "source"]
    values = [frame[c].astype(str).str.strip().str.lower() for c in flags]
    if any(v.isin(("true", "1", "yes", "y")).any() for v in values):
        return True
    return any((frame[c].astype(str).str.strip().str.upper() == "SYNTHETIC").any() for c in sources)
