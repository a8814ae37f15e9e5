"""Readers of researchers' files beyond plain text tables, for ``geo.io.userfile``: GeoJSON, (Geo)Parquet,
Excel ``.xlsx`` (openpyxl), SPSS ``.sav`` and Stata ``.dta`` (pyreadstat).

Excel cells are read as text, exactly like a CSV's, so the same row rules (``geo.join.rules``) judge them.
SPSS and Stata keep their numeric codes as numbers, and their metadata says what the cells alone cannot: the
value labels of an item give its scale (the lowest and highest labelled substantive code), the labels of a
city or district code give the names that join, and the user-missing codes (SPSS missing values and ranges,
Stata's ``.a``-``.z``) and codes labelled "don't know", "refused" or "no answer" in kk/ru/en (``DONT_KNOW``)
are item non-response, never a score. ``DONT_KNOW`` is the one list of such answers, shared with the text
cells of ``geo.join.cells``.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import BadInput, CRSError

XLSX_SUFFIXES = (".xlsx", ".xlsm")
SAV_SUFFIXES = (".sav", ".zsav")
DTA_SUFFIXES = (".dta",)
STAT_SUFFIXES = SAV_SUFFIXES + DTA_SUFFIXES
BINARY_SUFFIXES = XLSX_SUFFIXES + STAT_SUFFIXES
BINARY_NAMES = {".xlsx": "an Excel workbook (.xlsx)", ".sav": "an SPSS file (.sav)", ".dta": "a Stata file (.dta)"}
# "Don't know", refusals and no-answer answers in Kazakh, Russian and English (compared in lower case, without
# a closing full stop or exclamation mark): item non-response.
DONT_KNOW = frozenset({
    "затрудняюсь ответить", "затрудняюсь", "не знаю", "нет ответа", "отказ", "отказ от ответа", "без ответа",
    "трудно сказать", "білмеймін", "жауап беру қиын", "жауап беруге қиналамын", "жауап жоқ", "жауаптан бас тарту",
    "don't know", "dont know", "do not know", "don’t know", "dk", "dk/na", "dk/ref", "refused", "refusal",
    "no answer", "not sure", "prefer not to say",
})


def is_dont_know(text: object) -> bool:
    """Whether a cell or a value label is a don't-know, refusal or no-answer phrase (``DONT_KNOW``)."""
    return str(text).strip().lower().rstrip(".!") in DONT_KNOW


@dataclass
class Labels:
    """What a statistics file's metadata says of its columns (empty for every other file).

    ``values``: per column, code -> value label; ``nonresponse``: per column, a mask of the cells that are item
    non-response (a user-missing code, or a code labelled as a don't-know answer); ``scales``: per column with
    at least two labelled substantive codes, the lowest and the highest.
    """

    values: dict[str, dict[Any, str]] = field(default_factory=dict)
    nonresponse: dict[str, np.ndarray] = field(default_factory=dict)
    scales: dict[str, tuple[float, float]] = field(default_factory=dict)

    def cells(self, frame: pd.DataFrame, column: str) -> pd.Series:
        """``frame[column]`` with each labelled code replaced by its label and user-missing or don't-know codes
        blank (None), so a city or district column of codes joins by its names."""
        values, labels, missing = frame[column], self.values.get(column), self.nonresponse.get(column)
        if labels:
            values = pd.Series([labels.get(code_key(v), v) for v in values], index=values.index, dtype=object,
                               name=column)
        return values.astype(object).where(~missing, None) if missing is not None else values


def code_key(value: object) -> Any:
    """A code as looked up among the value labels: numbers as floats (SPSS says 1.0, Stata 1), text as is."""
    if isinstance(value, (bool, np.bool_)):
        return value
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    return value


def binary_kind(raw: bytes) -> str | None:
    """The suffix of a binary table whatever the file is called: ``.xlsx`` (a zip holding xl/workbook.xml),
    ``.sav`` ($FL2/$FL3), ``.dta`` (<stata_dta>); None for anything else."""
    if raw.startswith((b"$FL2", b"$FL3")):
        return ".sav"
    if raw.startswith(b"<stata_dta>"):
        return ".dta"
    if raw.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                return ".xlsx" if "xl/workbook.xml" in archive.namelist() else None
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
    return None


def read_xlsx(raw: bytes, label: str, sheet: str | None, notes: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """The chosen sheet (else the first) of a workbook, every cell as text like a CSV's; and the sheet names."""
    try:
        book = pd.ExcelFile(io.BytesIO(raw), engine="openpyxl")
    except Exception as exc:  # openpyxl raises several types for a damaged workbook
        raise BadInput(f"{label}: not a readable Excel workbook ({type(exc).__name__}); open it in Excel and "
                       "save it again as .xlsx, or as CSV (UTF-8)") from exc
    with book:
        sheets = [str(s) for s in book.sheet_names]
        if sheet is not None and sheet not in sheets:
            raise BadInput(f"{label}: no sheet {sheet!r}; the workbook's sheets are "
                           f"{', '.join(map(repr, sheets))}: choose one of them")
        chosen = sheet if sheet is not None else sheets[0]
        frame = pd.read_excel(book, sheet_name=chosen, dtype=str, keep_default_na=False, na_filter=False)
    frame.columns = [str(c).strip() for c in frame.columns]
    others = f" (other sheets: {', '.join(s for s in sheets if s != chosen)})" if len(sheets) > 1 else ""
    notes.append(f"Excel workbook: sheet {chosen!r}{others}, every cell read as text")
    return frame.fillna(""), sheets


def read_stat(path: Path, label: str, suffix: str, notes: list[str]) -> tuple[pd.DataFrame, Labels]:
    """An SPSS or Stata file with its user-missing codes kept (not blanked) and its value labels."""
    import pyreadstat

    spss = suffix in SAV_SUFFIXES
    reader = pyreadstat.read_sav if spss else pyreadstat.read_dta
    kind = "SPSS" if spss else "Stata"
    try:
        frame, meta = reader(str(path), user_missing=True)
    except Exception as exc:  # pyreadstat raises its own and OSError for damaged files
        raise BadInput(f"{label}: not a readable {kind} file ({exc}); save it again from {kind}, or export it "
                       "as CSV (UTF-8)") from exc
    frame.columns = [str(c) for c in frame.columns]
    labels = Labels()
    ranges = meta.missing_ranges if spss else {}
    letters = meta.missing_user_values if not spss else {}
    for column in frame.columns:
        value_labels = {code_key(k): str(v) for k, v in (meta.variable_value_labels.get(column) or {}).items()}
        missing = _user_missing(frame[column], ranges.get(column) or [], letters.get(column) or [])
        dont_know = {code for code, text in value_labels.items() if is_dont_know(text)}
        if dont_know:
            missing |= frame[column].map(lambda v, dk=dont_know: code_key(v) in dk).to_numpy(dtype=bool)
        if value_labels:
            labels.values[column] = value_labels
        if missing.any() or dont_know:
            labels.nonresponse[column] = missing
        substantive = sorted(c for c, text in value_labels.items()
                             if isinstance(c, float) and c not in dont_know and not _in_ranges(c, ranges.get(column)))
        if len(substantive) >= 2:
            labels.scales[column] = (substantive[0], substantive[-1])
    notes.append(f"{kind} file: {len(labels.values)} column(s) with value labels, "
                 f"{sum(int(m.sum()) for m in labels.nonresponse.values()):,} user-missing or don't-know cells")
    return frame, labels


def _user_missing(values: pd.Series, ranges: list[Any], letters: list[Any]) -> np.ndarray:
    """Cells equal to a user-missing value or inside a user-missing range (SPSS), or a missing letter
    (Stata ``.a``-``.z``, read as the letter)."""
    out = np.zeros(len(values), dtype=bool)
    for low, high in map(_bounds, ranges):
        if isinstance(low, (int, float)) and isinstance(high, (int, float)):
            number = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
            out |= (number >= low) & (number <= high)
        else:
            out |= (values.astype(object) == low).to_numpy(dtype=bool)
    if letters:
        out |= values.astype(object).isin([str(x) for x in letters]).to_numpy(dtype=bool)
    return out


def _bounds(missing: Any) -> tuple[Any, Any]:
    """A user-missing range ({"lo": 7, "hi": 9}) or a single value (9, "NA") as its two ends."""
    return (missing.get("lo"), missing.get("hi")) if isinstance(missing, dict) else (missing, missing)


def _in_ranges(code: float, ranges: list[Any] | None) -> bool:
    return any(isinstance(low, (int, float)) and isinstance(high, (int, float)) and low <= code <= high
               for low, high in map(_bounds, ranges or []))


# ---------------------------------------------------------------------------------------------------- GeoJSON


def read_geojson(raw: bytes, label: str, notes: list[str]) -> tuple[pd.DataFrame, list[Any]]:
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
        geometry = reproject_points(geometry, crs_name, label)
    return frame, geometry


def reproject_points(geometry: list[Any], crs_name: str, label: str) -> list[Any]:
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


def read_parquet(path: Path, label: str, notes: list[str]) -> tuple[pd.DataFrame, list[Any] | None, dict[bytes, bytes]]:
    """A (Geo)Parquet file: the frame, the Point geometries reprojected to lon/lat, the key-value metadata."""
    import pyarrow.parquet as pq

    try:
        meta = pq.read_schema(path).metadata or {}
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise BadInput(f"{label}: not a readable Parquet file ({exc}); write it again with "
                       "to_parquet") from exc
    if b"geo" not in meta:
        notes.append("plain Parquet (no geometry): coordinates or names taken from columns")
        return pd.read_parquet(path), None, dict(meta)  # numbers stay numbers: geo.join.rules reads both
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
    return frame, geometry, dict(meta)
