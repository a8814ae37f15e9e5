"""Read a researcher's own file (CSV, GeoJSON, GeoParquet, Excel, SPSS, Stata) into a raw frame; find columns.

Researchers' files arrive in every shape: Excel CSVs in cp1251 with semicolons and comma decimals, UTF-8 with
a BOM or UTF-16, workbooks, SPSS files with value labels, GeoJSON exported in metres without a CRS, columns
called ``широта``/``долгота``, ``Район проживания`` or ``x``/``y``. This module makes the per-file decisions
(encoding, delimiter, sheet, which columns hold what, whether the file is synthetic) and says each in
``RawFile.notes``; GeoJSON, Parquet, Excel, SPSS and Stata are read by ``geo.io.formats``. It never judges a
row: the row rules (numbers, ranges, swapped coordinates, groups, weights, and the reasons rows are set aside
for) are ``geo.join.rules``, applied by ``geo.join.table``.

Synthetic input: a column ``synthetic`` with any true value, a column ``source`` whose value is "SYNTHETIC"
(as ``geo.engines.synthetic.synthetic_points`` writes), the word "synthetic" in the file name, or the Parquet
key-value metadata ``synthetic=true`` marks the whole file synthetic, and every output made from it carries
``synthetic = true``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from geo.errors import BadInput
from geo.io.decoding import decode_text, utf16_encoding
from geo.io.formats import (
    BINARY_NAMES,
    BINARY_SUFFIXES,
    STAT_SUFFIXES,
    XLSX_SUFFIXES,
    Labels,
    binary_kind,
    read_geojson,
    read_parquet,
    read_stat,
    read_xlsx,
)

LAT_NAMES = ("lat", "latitude", "широта", "шир", "lat_wgs84", "y")
LON_NAMES = ("lon", "lng", "long", "longitude", "долгота", "дол", "lon_wgs84", "x")
DISTRICT_NAMES = ("district", "district_name", "район", "аудан", "district_ru", "district_kk", "district_en")
# Score items found by name when asked (the browser upload): q1, Q_2, question 3, вопрос4, сұрақ 5.
SCORE_NAME = re.compile(r"^(q|question|вопрос|сұрақ)[ _.-]?\d+[a-z]?$")
CITY_NAMES = ("city", "город", "қала", "gorod", "qala", "kala", "city_name", "город_проживания")
ROLE_WORDS = {  # headers found by their words (``role_of_header``): "Район проживания", "Вес респондента"
    "district": frozenset({"district", "район", "аудан", "ауданы", "raion", "rayon", "audan"}),
    "city": frozenset({"city", "город", "қала", "қаласы", "gorod", "qala", "kala"}),
    "weight": frozenset({"weight", "weights", "вес", "веса", "салмақ", "салмағы", "wt", "wgt"}),
    "group": frozenset({"group", "группа", "топ", "тобы"}),
}
# Words that make a header something else: an id or code, or where a migrant came from (origin, birth).
NOT_A_NAME = frozenset({"id", "code", "код", "коды", "kato", "като", "number", "номер", "n", "no", "origin", "birth",
                        "рождения", "откуда", "прежний", "прежнее", "предыдущий", "туған", "бұрынғы", "previous"})
WORDS = re.compile(r"[^\W\d_]+")
# A score item's scale written in its header: "Отношение к приезжим (1-5)", "(1–5)", "[1-7]".
HEADER_SCALE = re.compile(r"[(\[]\s*(-?\d+)\s*[-–—]\s*(-?\d+)\s*[)\]]\s*$")
MAX_COLUMNS = 2000  # more is a broken export or an attack (a header of a million names), never a survey
MAX_ITEMS = 500  # score items joined at once
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
    sheets: list[str] = field(default_factory=list)  # a workbook's sheets; [] for every other file
    labels: Labels = field(default_factory=Labels)  # SPSS/Stata value labels and user-missing codes


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


def read_raw_file(path: str | Path, *, name: str | None = None, sheet: str | None = None) -> RawFile:
    """Read ``path`` (CSV/TSV/TXT, GeoJSON/JSON, Parquet/GeoParquet, Excel .xlsx, SPSS .sav, Stata .dta) into a
    ``RawFile``; a workbook, SPSS or Stata file under another name is read as what it is (noted).

    ``name`` is the file's original name when ``path`` is a temporary copy (dashboard uploads); ``sheet`` the
    workbook's sheet to read (default the first). Raises ``BadInput``/``CRSError`` with one line (what, which
    file, how to fix) for files that cannot be read at all.
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
    sheets: list[str] = []
    labels = Labels()
    if suffix not in PARQUET_SUFFIXES + BINARY_SUFFIXES and (kind := binary_kind(raw)) is not None:
        notes.append(f"the file is {BINARY_NAMES[kind]} whatever its name says: read as one")
        suffix = kind
    if sheet is not None and suffix not in XLSX_SUFFIXES:
        raise BadInput(f"{label}: sheet {sheet!r} chosen, but the file is not an Excel workbook (.xlsx); leave "
                       "the sheet out")
    if suffix in XLSX_SUFFIXES:
        frame, sheets = read_xlsx(raw, label, sheet, notes)
    elif suffix in STAT_SUFFIXES:
        frame, labels = read_stat(path, label, suffix, notes)
    elif suffix == ".xls":
        raise BadInput(f"{label}: an old Excel .xls workbook; save it as .xlsx (Excel Workbook) or as CSV "
                       "(UTF-8) and try again")
    elif suffix in (".geojson", ".json"):
        frame, geometry = read_geojson(raw, label, notes)
    elif suffix in PARQUET_SUFFIXES:
        frame, geometry, metadata = read_parquet(path, label, notes)
        meta_synthetic = metadata_synthetic(metadata)
    else:
        frame = _read_csv(raw, label, notes)
    if len(frame.columns) > MAX_COLUMNS:
        raise _too_many_columns(label, len(frame.columns))
    if frame.empty and geometry is None:
        raise BadInput(f"{label}: header only, no data rows; add at least one row below the header")
    if len(frame) == 0:
        raise BadInput(f"{label}: no features/rows; the file holds nothing to join")
    synthetic = meta_synthetic or "synthetic" in label.lower() or any(
        bool(synthetic_cells(frame[c], c).any()) for c in synthetic_columns(frame.columns))
    return RawFile(path=path, label=label, frame=frame, geometry=geometry, notes=notes,
                   synthetic=bool(synthetic), sheets=sheets, labels=labels)


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
    ``LAT_NAMES``/``LON_NAMES`` found; without coordinates, from district names (``district_col``, one of
    ``DISTRICT_NAMES``, else a header such as "Район проживания": ``role_of_header``). The city column is
    ``city_col`` or the first of ``CITY_NAMES`` or city headers (case aside); ``score_cols`` must all exist, at
    most ``MAX_ITEMS`` of them.
    """
    notes: list[str] = []
    lat = lon = None
    if district_col is None and not has_geometry:
        lat, lon = coordinate_columns(frame, lat_col, lon_col, label)
        if lat is None:
            district_col = find_role(frame.columns, "district", DISTRICT_NAMES)
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
        city = find_role(frame.columns, "city", CITY_NAMES)
        if city is not None:
            notes.append(f"city of each row from column {city!r} (found by its name; --city-col to choose)")
    if len(score_cols) > MAX_ITEMS:
        raise BadInput(f"{label}: {len(score_cols):,} score items; at most {MAX_ITEMS} are joined at once: choose "
                       "the items to join (--score)")
    first = {norm(c): str(c) for c in reversed(frame.columns)}  # one scan, not one per item (quadratic)
    scores = tuple(first.get(norm(c)) or require_column(frame, c, label, "--score") for c in score_cols)
    if len(set(scores)) < len(scores):
        raise BadInput(f"{label}: a score column is given twice ({', '.join(score_cols)}); name each once "
                       "(--score)")
    return Columns(lat=lat, lon=lon, district=district, group=group, weight=weight, city=city,
                   scores=scores), notes


def role_of_header(column: object) -> str | None:
    """The role ("district", "city", "weight", "group") a header's words name, at most three words and none of
    ``NOT_A_NAME`` ("Район проживания", "Тұратын ауданы", "Вес респондента"; not "district_id", "Код района",
    "Город рождения"); None when none or several roles fit, or the header carries a scale."""
    words = WORDS.findall(norm(column))
    if not words or len(words) > 3 or NOT_A_NAME.intersection(words) or header_scale(column) is not None:
        return None
    roles = [role for role, names in ROLE_WORDS.items() if names.intersection(words)]
    return roles[0] if len(roles) == 1 else None


def find_role(columns: Any, role: str, exact: tuple[str, ...] = ()) -> str | None:
    """The first column named exactly as one of ``exact``, else the first whose header names ``role``."""
    found = next((str(c) for c in columns if norm(c) in exact), None)
    return found or next((str(c) for c in columns if role_of_header(c) == role), None)


def header_scale(column: object) -> tuple[float, float] | None:
    """The scale a header ends with, "Item (1-5)" -> (1.0, 5.0); None without one (or low not below high)."""
    found = HEADER_SCALE.search(str(column))
    if found is None or not int(found[1]) < int(found[2]):
        return None
    return float(found[1]), float(found[2])


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
    binary = b"\x00" in head or sum(b < 9 or 13 < b < 32 for b in head) > len(head) // 100 + 1
    utf16 = utf16_encoding(raw) is not None
    if binary and not utf16:
        raise BadInput(f"{label}: binary content, not a text table (is it an Excel .xlsx or a zip renamed to "
                       ".csv?); save it as CSV (UTF-8) and try again")
    if not utf16:  # a delimiter is one byte no other UTF-8, cp1251 or Latin-1 character holds: count bytes
        begin = found.start() if (found := re.search(rb"\S", raw)) else 0
        end = raw.find(b"\n", begin)
        _check_header_width(raw[begin: end if end >= 0 else len(raw)].decode("latin-1"), label, len(raw))
    text, _, note = decode_text(raw)
    notes.append(note)
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise BadInput(f"{label}: the file is empty; export the table again with a header and data rows")
    if utf16:
        _check_header_width(lines[0], label, len(text))
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


def _check_header_width(header: str, label: str, size: int) -> None:
    """Refuse a header of more than ``MAX_COLUMNS`` fields before anything decodes or parses the file (a
    10 MB header in well under a second): counting its delimiters is linear and cheap, a parser's per-column
    work on a million names is not."""
    widest = max(DELIMITERS, key=header.count)
    columns = header.count(widest) + 1
    if columns <= MAX_COLUMNS:
        return
    if '"' in header:  # quoted names may hold the delimiter: count the fields exactly
        with field_limit(size):
            columns = len(next(csv.reader([header], delimiter=widest)))
    if columns > MAX_COLUMNS:
        raise _too_many_columns(label, columns)


def _too_many_columns(label: str, columns: int) -> BadInput:
    return BadInput(f"{label}: {columns:,} columns, more than the {MAX_COLUMNS:,} a table may have; keep the "
                    "columns to join (place, weight, group, items) and save the file again")


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



def score_columns_by_name(columns: Any) -> list[str]:
    """The columns named like score items (``SCORE_NAME``: q1, Q_2, question 3, вопрос4, сұрақ 5) or whose
    header ends with a scale ("Отношение к приезжим (1-5)")."""
    return [str(c) for c in columns if SCORE_NAME.match(norm(c)) or header_scale(c) is not None]
