"""What a researcher's file holds, proposed before any join: the browser shows it so the researcher confirms or
corrects the roles instead of guessing which options to type.

``recognise`` reads the file (``geo.io.userfile.read_raw_file``: every format, encoding and sheet the join
reads) and proposes, from the headers alone, which column holds the city, the district, the coordinates, the
weight, the group and the score items, and which columns are left out and why. It never judges a row (that is
``geo.join.rules``, at the join): a proposal is cheap to correct, a row set aside is not. Score items are
proposed conservatively, by name (q1, вопрос2) or by a scale in brackets at the end of the header
("Отношение к приезжим (1-5)"), never because a column happens to hold small numbers.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from geo.io.userfile import (
    CITY_NAMES,
    DISTRICT_NAMES,
    LAT_NAMES,
    LON_NAMES,
    RawFile,
    find_role,
    header_scale,
    norm,
    read_raw_file,
    score_columns_by_name,
)

PREVIEW_ROWS, PREVIEW_CHARS = 5, 40
ROLES = ("city", "district", "lat", "lon", "weight", "group")
# Coordinates by a header's first word too: "Широта (WGS84)", Kazakh ендік/бойлық.
LAT_WORDS = frozenset({"lat", "latitude", "широта", "ендік"})
LON_WORDS = frozenset({"lon", "lng", "longitude", "долгота", "бойлық"})
WEIGHT_NAMES = ("w", "weight", "вес", "салмақ")
ID_NAMES = frozenset({"id", "uid", "uuid", "№", "#", "n", "no", "nr", "номер", "nomer", "key"})
BLANK_CELLS = frozenset({"", "nan", "na", "n/a", "null", "none", "-", "—"})
DECIMAL = re.compile(r"^[+-]?\d*[.,]\d+$")
FREE_TEXT_CHARS = 20  # the median length of a free-text answer at least


def recognise(path: str | Path, *, name: str | None = None, sheet: str | None = None) -> dict[str, Any]:
    """The file at ``path`` (``name``: its original name when a temporary copy; ``sheet``: a workbook's sheet)
    as a JSON-safe proposal: ``columns``, ``rows``, ``sheets`` (a workbook's; else []), ``roles`` (city,
    district, lat, lon, weight, group: a column or None), ``scores`` (column -> [low, high] from its value
    labels or header, None to infer), ``left_out`` (column -> "id", "free_text", "empty" or "constant"),
    ``preview`` (the first 5 rows, cells cut to 40 characters), and ``geometry``, ``synthetic``, ``notes``.
    Raises ``BadInput``/``CRSError`` (one line, no command-line option in it) when the file cannot be read."""
    raw = read_raw_file(path, name=name, sheet=sheet)
    columns = [str(c) for c in raw.frame.columns]
    roles = propose_roles(columns)
    taken = {c for c in roles.values() if c is not None}
    scores = {c: _scale(raw, c) for c in score_columns_by_name(columns) if c not in taken}
    left_out = {}
    for column in columns:
        if column not in taken and column not in scores and (why := left_out_reason(raw.frame[column], column)):
            left_out[column] = why
    return {
        "columns": columns,
        "rows": len(raw.frame),
        "sheets": list(raw.sheets),
        "roles": roles,
        "scores": scores,
        "left_out": left_out,
        "preview": _preview(raw, columns, taken),
        "geometry": raw.geometry is not None,
        "synthetic": bool(raw.synthetic),
        "notes": list(raw.notes),
    }


def propose_roles(columns: list[str]) -> dict[str, str | None]:
    """Each role's column by its header (exact names first, then a header's words: "Район проживания",
    "Қала", "Вес респондента", "Топ"); coordinates only as a pair; no column in two roles."""
    lat = _coordinate(columns, LAT_NAMES, LAT_WORDS)
    lon = _coordinate(columns, LON_NAMES, LON_WORDS)
    if lat is None or lon is None or lat == lon:
        lat = lon = None
    roles: dict[str, str | None] = {"lat": lat, "lon": lon}
    for role, exact in (("district", DISTRICT_NAMES), ("city", CITY_NAMES), ("weight", WEIGHT_NAMES),
                        ("group", ())):
        free = [c for c in columns if c not in roles.values()]
        roles[role] = find_role(free, role, exact)
    return {role: roles[role] for role in ROLES}


def left_out_reason(values: pd.Series, column: str) -> str | None:
    """Why a column with no role is of no use to a join: "empty" (no cell), "constant" (one value in every
    row), "id" (a different short code in every row, or an id-like header), "free_text" (mostly different
    long answers); None for anything else (kept out of the proposal, not called useless)."""
    text = [_text(v).strip() for v in values]
    filled = [t for t in text if t.lower() not in BLANK_CELLS]
    if not filled:
        return "empty"
    distinct = len(set(filled))
    if distinct == 1 and len(text) > 1:
        return "constant"
    unique = distinct == len(text) and len(text) > 1
    words = re.findall(r"[^\W_]+", norm(column))
    id_header = norm(column).startswith("№") or bool(ID_NAMES.intersection(words))
    if unique and (id_header or (len(text) >= 10 and not any(" " in t or DECIMAL.match(t) for t in filled))):
        return "id"
    numeric = sum(bool(re.match(r"^[+-]?[\d.,eE]+$", t)) for t in filled)
    lengths = sorted(len(t) for t in filled)
    if numeric * 2 < len(filled) and distinct * 2 >= len(filled) and lengths[len(lengths) // 2] >= FREE_TEXT_CHARS:
        return "free_text"
    return None


def _coordinate(columns: list[str], names: tuple[str, ...], words: frozenset[str]) -> str | None:
    by_name = {norm(c): c for c in columns}
    found = next((by_name[n] for n in names if n in by_name), None)
    if found is not None:
        return found
    return next((c for c in columns if (w := re.findall(r"[^\W\d_]+", norm(c))) and w[0] in words), None)


def _scale(raw: RawFile, column: str) -> list[float] | None:
    """An item's scale from its value labels, else its header; None when it will be inferred."""
    scale = raw.labels.scales.get(column) or header_scale(column)
    return None if scale is None else [_number(scale[0]), _number(scale[1])]


def _number(value: float) -> float:
    return int(value) if float(value).is_integer() else float(value)


def _text(value: object) -> str:
    """A cell as text: nothing for a missing cell, whole numbers without ".0" (SPSS codes are floats)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _preview(raw: RawFile, columns: list[str], taken: set[str]) -> list[list[str]]:
    """The first rows as text; coded place and group columns of a statistics file as their labels."""
    rows = min(PREVIEW_ROWS, len(raw.frame))
    shown = {c: (raw.labels.cells(raw.frame, c) if c in taken else raw.frame[c]).head(rows) for c in columns}
    return [[_text(shown[c].iloc[i])[:PREVIEW_CHARS] for c in columns] for i in range(rows)]
