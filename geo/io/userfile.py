"""Read a researcher's own file (CSV, GeoJSON, GeoParquet) into a raw frame, and find its columns.

Researchers' files arrive in every shape: Excel CSVs in cp1251 with semicolons and comma decimals, UTF-8 with
a BOM, GeoJSON exported in metres without a CRS, columns called ``широта``/``долгота`` or ``x``/``y``. This
module makes the per-file decisions (encoding, delimiter, which columns hold what, whether the file is
synthetic) and says each in ``RawFile.notes``. It never judges a row: the row rules (numbers, ranges, swapped
coordinates, groups, weights, and the reasons rows are set aside for) are ``geo.join.rules``, applied by
``geo.join.table``.

Synthetic input: a column ``synthetic`` with any true value, a column ``source`` whose value is "SYNTHETIC"
(as ``geo.engines.synthetic.synthetic_points`` writes), the word "synthetic" in the file name, or the Parquet
key-value metadata ``synthetic=true`` marks the whole file synthetic, and every output made from it carries
``synthetic = true``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from geo.errors import BadInput, CRSError
from geo.io.decoding import decode_text

LAT_NAMES = ("lat", "latitude", "широта", "шир", "lat_wgs84", "y")
LON_NAMES = ("lon", "lng", "long", "longitude", "долгота", "дол", "lon_wgs84", "x")
DISTRICT_NAMES = ("district", "district_name", "район", "аудан", "district_ru", "district_kk", "district_en")
# Score items found by name when asked (the browser upload): q1, Q_2, question 3, вопрос4, сұрақ 5.
SCORE_NAME = re.compile(r"^(q|question|вопрос|сұрақ)[ _.-]?\d+[a-z]?$")
CITY_NAMES = ("city", "город", "қала", "gorod", "qala", "kala", "city_name", "город_проживания")
DELIMITERS = (",", ";", "\t")
PARQUET_SUFFIXES = (".parquet", ".geoparquet", ".pq")
SYNTHETIC_LABEL = "SYNTHETIC"  # the ``source`` value geo.engines.synthetic writes
TRUE_CELLS = ("true", "1", "yes", "y")


@dataclass
class RawFile:
    """A researcher's file as read: every cell, the Point geometries (GeoJSON, GeoParquet) and what was
    decided.

    ``frame`` holds the attribute cells (CSV: text; Parquet: as stored), one row per input row in file order;
    ``geometry`` is one GeoJSON dict or shapely geometry (or None) per row, or None when the file has none.
    """

    path: Path
    label: str  # the name shown in messages: the original name of an uploaded temporary copy
    frame: pd.DataFrame
    geometry: list[Any] | None = None
    notes: list[str] = field(default_factory=list)
    synthetic: bool = False


@dataclass(frozen=True)
class Columns:
    """Which column holds what; ``district`` set means a join by names, else by coordinates (columns or a
    geometry when ``lat``/``lon`` are None)."""

    lat: str | None = None
    lon: str | None = None
    district: str | None = None
    group: str | None = None
    weight: str | None = None
    city: str | None = None
    scores: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return "names" if self.district is not None else "points"

    def as_dict(self) -> dict[str, str | None]:
        """The columns used, for the report (district or lat/lon first, then city, group, weight, scores)."""
        names = {"district": self.district, "lat": self.lat, "lon": self.lon, "city": self.city,
                 "group": self.group, "weight": self.weight}
        names.update({f"score {i + 1}": column for i, column in enumerate(self.scores)})
        return {role: column for role, column in names.items() if column is not None}


def read_raw_file(path: str | Path, *, name: str | None = None) -> RawFile:
    """Read ``path`` (CSV/TSV/TXT, GeoJSON/JSON, Parquet/GeoParquet) into a ``RawFile``.

    ``name`` is the file's original name when ``path`` is a temporary copy (dashboard uploads). Raises
    ``BadInput``/``CRSError`` with one line (what, which file, how to fix) for files that cannot be read at
    all.
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
    elif suffix in PARQUET_SUFFIXES:
        frame, geometry, meta_synthetic = _read_parquet(path, label, notes)
    else:
        frame = _read_csv(raw, label, notes)
    if frame.empty and geometry is None:
        raise BadInput(f"{label}: header only, no data rows; add at least one row below the header")
    if len(frame) == 0:
        raise BadInput(f"{label}: no features/rows; the file holds nothing to join")
    synthetic = meta_synthetic or "synthetic" in label.lower() or any(
        bool(synthetic_cells(frame[c], c).any()) for c in synthetic_columns(frame.columns))
    return RawFile(path=path, label=label, frame=frame, geometry=geometry, notes=notes,
                   synthetic=bool(synthetic))


def find_columns(
    frame: pd.DataFrame,
    label: str,
    *,
    has_geometry: bool = False,
    lat_col: str | None = None,
    lon_col: str | None = None,
    district_col: str | None = None,
    group_col: str | None = None,
    weight_col: str | None = None,
    city_col: str | None = None,
    score_cols: tuple[str, ...] = (),
) -> tuple[Columns, list[str]]:
    """The columns a join uses, named by option or found by name, and a note per decision.

    Coordinates come from a geometry when the file has one, else from ``lat_col``/``lon_col`` or the first of
    ``LAT_NAMES``/``LON_NAMES`` found; without coordinates, from district names (``district_col`` or one of
    ``DISTRICT_NAMES``). The city column is ``city_col`` or the first of ``CITY_NAMES`` (case aside);
    ``score_cols`` must all exist.
    """
    notes: list[str] = []
    lat = lon = None
    if district_col is None and not has_geometry:
        lat, lon = coordinate_columns(frame, lat_col, lon_col, label)
        if lat is None:
            district_col = next((c for c in frame.columns if norm(c) in DISTRICT_NAMES), None)
            if district_col is None:
                raise BadInput(
                    f"{label}: no coordinate columns (lat/lon, latitude/longitude, x/y, широта/долгота) and "
                    f"no district column among {list(frame.columns)[:12]}; name them with "
                    "--lat-col/--lon-col or --district-col"
                )
            notes.append(f"no coordinate columns: joined by district names in column {district_col!r}")
    district = None
    if district_col is not None:
        district, lat, lon = require_column(frame, district_col, label, "--district-col"), None, None
    elif lat is not None:
        notes.append(f"coordinates from columns lat={lat!r}, lon={lon!r}")
    group = require_column(frame, group_col, label, "--group-col") if group_col is not None else None
    weight = require_column(frame, weight_col, label, "--weight-col") if weight_col is not None else None
    city: str | None = None
    if city_col is not None:
        city = require_column(frame, city_col, label, "--city-col")
    else:
        city = next((str(c) for c in frame.columns if norm(c) in CITY_NAMES), None)
        if city is not None:
            notes.append(f"city of each row from column {city!r} (found by its name; --city-col to choose)")
    scores = tuple(require_column(frame, c, label, "--score") for c in score_cols)
    if len(set(scores)) < len(scores):
        raise BadInput(f"{label}: a score column is given twice ({', '.join(score_cols)}); name each once "
                       "(--score)")
    return Columns(lat=lat, lon=lon, district=district, group=group, weight=weight, city=city,
                   scores=scores), notes


def norm(column: object) -> str:
    """A column name as compared: stripped, lower case, without a byte-order mark."""
    return str(column).strip().lower().lstrip("\ufeff")


def require_column(frame: pd.DataFrame, wanted: str, label: str, option: str) -> str:
    """The column of ``frame`` named ``wanted`` (case and spaces aside), else ``BadInput`` naming
    ``option``."""
    for col in frame.columns:
        if norm(col) == norm(wanted):
            return str(col)
    raise BadInput(f"{label}: no column {wanted!r} ({option}); columns are {list(frame.columns)[:15]}")


def coordinate_columns(
    frame: pd.DataFrame, lat_col: str | None, lon_col: str | None, label: str
) -> tuple[str | None, str | None]:
    """Columns named by option, else the first lat and lon names found (explicit names before x/y)."""
    if (lat_col is None) != (lon_col is None):
        raise BadInput(f"{label}: give both --lat-col and --lon-col, or neither to find them by name")
    if lat_col is not None and lon_col is not None:
        named = require_column(frame, lat_col, label, "--lat-col")
        return named, require_column(frame, lon_col, label, "--lon-col")
    by_name = {norm(c): str(c) for c in frame.columns}
    lat = next((by_name[n] for n in LAT_NAMES if n in by_name), None)
    lon = next((by_name[n] for n in LON_NAMES if n in by_name), None)
    if (lat is None) != (lon is None):
        found = lat or lon
        raise BadInput(
            f"{label}: found only one coordinate column ({found!r}); name both with --lat-col and --lon-col"
        )
    return lat, lon


def synthetic_columns(columns: Any) -> list[str]:
    """The columns that may mark a file synthetic: ``synthetic`` and ``source``."""
    return [str(c) for c in columns if norm(c) in ("synthetic", "source")]


def synthetic_cells(values: Any, column: str) -> Any:
    """Per cell, whether it marks the file synthetic: a true value in ``synthetic``, "SYNTHETIC" in
    ``source``.

    ``values`` is a pandas or a dask Series (the out-of-core join checks the parts without loading them).
    """
    text = values.astype(str).str.strip()
    if norm(column) == "synthetic":
        return text.str.lower().isin(list(TRUE_CELLS))
    return text.str.upper() == SYNTHETIC_LABEL


def metadata_synthetic(metadata: Mapping[bytes, bytes] | None) -> bool:
    """Parquet key-value metadata ``synthetic=true`` (or 1), as ``geo.engines.synthetic`` writes it."""
    return str((metadata or {}).get(b"synthetic", b"")).lower() in ("b'true'", "b'1'")


# ---------------------------------------------------------------------------------------------------- CSV


def _read_csv(raw: bytes, label: str, notes: list[str]) -> pd.DataFrame:
    """Decode, sniff the delimiter and read every cell as text (numbers are parsed later, row by row)."""
    head = raw[:8192]
    if b"\x00" in head or sum(b < 9 or 13 < b < 32 for b in head) > len(head) // 100 + 1:
        raise BadInput(
            f"{label}: binary content, not a text table (is it an Excel .xlsx or a zip renamed to .csv?); "
            "save it as CSV (UTF-8) and try again"
        )
    text, _, note = decode_text(raw)
    notes.append(note)
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise BadInput(f"{label}: the file is empty; export the table again with a header and data rows")
    with field_limit(len(text)):
        delimiter = _sniff_delimiter(lines[:50])
    notes.append(f"delimiter {delimiter!r}")
    try:
        with field_limit(len(text)):
            frame = pd.read_csv(
                io.StringIO(text),
                sep=delimiter,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=True,
                engine="python",
            )
    except (pd.errors.ParserError, csv.Error) as exc:
        raise BadInput(f"{label}: cannot parse as a {delimiter!r}-separated table ({exc}); "
                       "check quoting") from exc
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    return frame


@contextmanager
def field_limit(size: int) -> Iterator[None]:
    """The csv module's field size limit raised to ``size`` characters (a cell can hold a whole file, e.g. a
    5 MB free-text answer), and put back afterwards; capped at what a C long holds."""
    before = csv.field_size_limit()
    csv.field_size_limit(max(before, min(size + 1, 2**31 - 1)))
    try:
        yield
    finally:
        csv.field_size_limit(before)


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


def _read_geojson(raw: bytes, label: str, notes: list[str]) -> tuple[pd.DataFrame, list[Any]]:
    """Parse GeoJSON ourselves so truncation, CRS members and null geometries are reported precisely."""
    try:
        text = raw.decode("utf-8-sig")
        data = json.loads(text)
    except UnicodeDecodeError as exc:
        raise BadInput(f"{label}: not UTF-8 text (GeoJSON must be UTF-8, RFC 7946 §11); "
                       "re-export it") from exc
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
        raise BadInput(f"{label}: not a GeoJSON FeatureCollection; give a FeatureCollection of Point "
                       "features")
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


def _reproject_geojson_points(geometry: list[Any], crs_name: str, label: str) -> list[Any]:
    """Old-style GeoJSON (2008 spec) may name a projected CRS; reproject its points to lon/lat."""
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError as ProjCRSError

    try:
        transformer = Transformer.from_crs(CRS.from_user_input(crs_name), "EPSG:4326", always_xy=True)
    except ProjCRSError as exc:
        raise CRSError(f"{label}: unknown crs {crs_name!r}; reproject the file to EPSG:4326 "
                       "(lon/lat)") from exc
    out = []
    for geom in geometry:
        if isinstance(geom, dict) and geom.get("type") == "Point" and is_xy(geom.get("coordinates")):
            x, y = geom["coordinates"][:2]
            out.append({"type": "Point", "coordinates": list(transformer.transform(x, y))})
        else:
            out.append(geom)
    return out


def is_xy(coords: object) -> bool:
    """Two numbers (not booleans) first in a GeoJSON coordinate list."""
    return (
        isinstance(coords, (list, tuple))
        and len(coords) >= 2
        and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in coords[:2])
    )


# ---------------------------------------------------------------------------------------------------- Parquet


def _read_parquet(path: Path, label: str, notes: list[str]) -> tuple[pd.DataFrame, list[Any] | None, bool]:
    import pyarrow.parquet as pq

    try:
        meta = pq.read_schema(path).metadata or {}
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise BadInput(f"{label}: not a readable Parquet file ({exc}); write it again with "
                       "to_parquet") from exc
    synthetic = metadata_synthetic(meta)
    if b"geo" not in meta:
        notes.append("plain Parquet (no geometry): coordinates or names taken from columns")
        return pd.read_parquet(path), None, synthetic  # numbers stay numbers: geo.join.rules reads both
    import geopandas as gpd

    gdf = gpd.read_parquet(path)
    if gdf.crs is None:
        raise CRSError(f"{label}: GeoParquet without a CRS; set it (gdf.set_crs(...)) and write the "
                       "file again")
    if not gdf.crs.equals("EPSG:4326") and not gdf.crs.equals("OGC:CRS84"):
        notes.append(f"GeoParquet in {gdf.crs.to_string()}: reprojected to EPSG:4326")
        gdf = gdf.to_crs("EPSG:4326")
    geometry = list(gdf.geometry.array)
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).reset_index(drop=True)
    return frame, geometry, synthetic


def score_columns_by_name(columns: Any) -> list[str]:
    """The columns named like score items (``SCORE_NAME``: q1, Q_2, question 3, вопрос4, сұрақ 5)."""
    return [str(c) for c in columns if SCORE_NAME.match(norm(c))]
