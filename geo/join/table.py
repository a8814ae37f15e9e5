"""A researcher's file as the rows a join can use, and the rows it cannot, each with its row number and
reason.

``geo.io.userfile`` reads the file and finds its columns; ``geo.join.rules`` judges every row. Nothing is
dropped silently: ``len(rows) + len(set_aside) == input_rows`` is asserted.

Row numbers are 1-based data rows (CSV: the header is row 0, so row N is file line N + 1 when no field spans
lines; GeoJSON: feature N of the ``features`` array; Parquet: row N).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from geo.errors import BadInput, InternalError
from geo.io.userfile import Columns, RawFile, find_columns, header_scale, read_raw_file, score_columns_by_name
from geo.join.cells import Scale
from geo.join.rules import CheckedRows, check_rows
from geo.join.shares import with_shares

NONRESPONSE_PREFIX = "nonresponse:"  # rows[NONRESPONSE_PREFIX + item]: 0 answered, 1 don't know, 2 blank


@dataclass
class UserTable:
    """A researcher's file reduced to the columns a join needs.

    ``rows`` has ``row`` (input row number), ``lon``/``lat`` (WGS84 degrees, when coordinates) or
    ``district_name`` (when names), ``city`` (canonical, with a city column), ``group`` and ``weight`` (when
    asked for), per score item its values (NaN: non-response) and ``nonresponse:<item>`` codes, and
    ``synthetic``. ``scales`` is per score item (low, high, inferred).
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
    scales: dict[str, tuple[float, float, bool]] = field(default_factory=dict)

    def check_balance(self) -> None:
        """Every input row is either kept or set aside, exactly once."""
        kept = len(self.rows)
        aside = len(self.set_aside)
        if kept + aside != self.input_rows:
            raise InternalError(f"{self.path}: {kept} kept + {aside} set aside != {self.input_rows} rows read")


def read_user_file(
    path: str | Path,
    *,
    lat_col: str | None = None,
    lon_col: str | None = None,
    district_col: str | None = None,
    group_col: str | None = None,
    weight_col: str | None = None,
    name: str | None = None,
    city_col: str | None = None,
    scores: dict[str, Scale | None] | None = None,
    only_city: str | None = None,
    auto_scores: bool = False,
    sheet: str | None = None,
) -> UserTable:
    """Read ``path`` (CSV/TSV/TXT, GeoJSON/JSON, Parquet/GeoParquet, Excel .xlsx, SPSS .sav, Stata .dta) into a
    ``UserTable``.

    Coordinates come from a geometry (GeoJSON, GeoParquet) or from columns found by name or given by
    ``lat_col``/``lon_col``; ``district_col`` joins by district name instead; ``city_col`` (or a column named
    city/город/қала) gives each row's city; ``scores`` maps score columns to their scale (None: inferred);
    ``only_city`` (``--city``) sets aside rows of other cities named in the city column; ``auto_scores``
    (the browser upload), without ``scores``, takes the columns named like q1, вопрос2 or "Item (1-5)" as score
    items. A score without a scale takes it from the item's value labels (SPSS, Stata: lowest and highest
    labelled substantive code), else from its header ("Item (1-5)"), else infers it from the answers.
    ``sheet`` is a workbook's sheet (default the first). ``name`` is the file's original
    name when ``path`` is a temporary copy (dashboard uploads). Raises ``BadInput``/``CRSError`` with one line
    (what, which file, which row, how to fix) for files that cannot be used at all.
    """
    _check_regular(path)
    raw = read_raw_file(path, name=name, sheet=sheet)
    found_notes: list[str] = []
    if auto_scores and not scores:
        scores, found_notes = _scores_by_name(raw)
    if scores:
        raw, scores = with_shares(raw, scores)
    columns, column_notes = find_columns(
        raw.frame, raw.label, has_geometry=raw.geometry is not None, lat_col=lat_col, lon_col=lon_col,
        district_col=district_col, group_col=group_col, weight_col=weight_col, city_col=city_col,
        score_cols=tuple(scores or ()),
    )
    scales, scale_notes = item_scales(raw, columns.scores, list((scores or {}).values()))
    coded = {c: raw.labels.nonresponse[c] for c in columns.scores if c in raw.labels.nonresponse}
    checked = check_rows(_with_labels(raw, columns), columns, raw.label, geometry=raw.geometry, scales=scales,
                         only_city=only_city, coded_missing=coded)
    rows = _rows(checked, len(raw.frame), raw.synthetic)
    return _user_table(raw, columns, checked, rows, raw.notes + column_notes + found_notes + scale_notes)


def _user_table(raw: RawFile, columns: Columns, checked: CheckedRows, rows: pd.DataFrame,
                notes: list[str]) -> UserTable:
    """The usable rows and the rows set aside (each with its reason), checked to add up to the input."""
    bad = ~checked.usable
    set_aside = pd.DataFrame({"row": rows["row"][bad].to_numpy(), "reason": checked.aside.reasons[bad],
                              "value": checked.aside.values[bad]})
    table = UserTable(
        path=raw.path,
        kind=columns.kind,
        rows=rows[~bad].reset_index(drop=True),
        set_aside=set_aside,
        input_rows=len(rows),
        notes=notes + checked.notes,
        synthetic=raw.synthetic,
        columns=columns.as_dict(),
        scales=checked.scales,
    )
    table.check_balance()
    return table


def _scores_by_name(raw: RawFile) -> tuple[dict[str, Scale | None] | None, list[str]]:
    """The browser's score items when none are given: the columns named like q1, вопрос2 or "Item (1-5)", and
    a note naming those whose scale is inferred (each other scale's own note says where it is from)."""
    found = score_columns_by_name(raw.frame.columns)
    if not found:
        return None, []
    notes = []
    inferred = [c for c in found if c not in raw.labels.scales and header_scale(c) is None]
    if inferred:
        notes.append(f"score items found by their names: {', '.join(inferred)} (scales inferred)")
    if scaled := [c for c in found if c not in inferred]:
        notes.append(f"score items found by their names: {', '.join(scaled)}")
    return dict.fromkeys(found), notes


def _rows(checked: CheckedRows, n: int, synthetic: bool) -> pd.DataFrame:
    """Every row's checked values in one frame built from one dict (inserting 1,500 item columns one by one
    fragments it: quadratic copies)."""
    built: dict[str, object] = {"row": np.arange(1, n + 1)}
    if checked.district_name is not None:
        built["district_name"] = checked.district_name.to_numpy()
    if checked.lon is not None and checked.lat is not None:
        built["lon"], built["lat"] = checked.lon, checked.lat
    if checked.city is not None:
        built["city"] = checked.city.to_numpy()
    if checked.group is not None:
        built["group"] = checked.group.to_numpy()
    if checked.weight is not None:
        built["weight"] = checked.weight
    for item, values in checked.scores.items():
        built[item] = values
        built[NONRESPONSE_PREFIX + item] = checked.nonresponse[item]
    built["synthetic"] = synthetic
    return pd.DataFrame(built)


def item_scales(
    raw: RawFile, items: tuple[str, ...], given: list[Scale | None]
) -> tuple[dict[str, Scale | None], list[str]]:
    """Each score item's scale: as given, else from its value labels, else from its header ("Item (1-5)"),
    else None (inferred from the answers later); a note for each scale not given."""
    scales: dict[str, Scale | None] = {}
    notes = []
    for item, scale in zip(items, given, strict=True):
        if scale is None and item in raw.labels.scales:
            scale = raw.labels.scales[item]
            notes.append(f"scale of {item!r} from its value labels: {scale[0]:g}-{scale[1]:g} (the lowest and "
                         "highest labelled answer; don't-know and missing codes are not answers)")
        elif scale is None and (scale := header_scale(item)) is not None:
            notes.append(f"scale of {item!r} from its header: {scale[0]:g}-{scale[1]:g}")
        scales[item] = scale
    return scales, notes


def _with_labels(raw: RawFile, columns: Columns) -> pd.DataFrame:
    """The raw cells, a statistics file's coded place, group and weight columns as their value labels (user-
    missing codes blank), so names join; score items keep their codes (``coded_missing`` says which are
    non-response)."""
    roles = [c for c in (columns.district, columns.city, columns.group, columns.weight, columns.lat, columns.lon)
             if c is not None and (c in raw.labels.values or c in raw.labels.nonresponse)]
    if not roles:
        return raw.frame
    return raw.frame.assign(**{c: raw.labels.cells(raw.frame, c) for c in roles})


def _check_regular(path: str | Path) -> None:
    """Say what an input that is not a regular file is (a FIFO or device would block or never end)."""
    try:
        mode = os.stat(path).st_mode  # follows symlinks: /dev/stdin is a link to a pipe or terminal
    except OSError:
        return  # missing: read_raw_file says "no such file"
    if stat.S_ISREG(mode):
        return
    device = stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
    kind = ("folder" if stat.S_ISDIR(mode) else "FIFO" if stat.S_ISFIFO(mode) else "socket"
            if stat.S_ISSOCK(mode) else "device" if device else "special file")
    hint = (" (a folder of Parquet parts goes with --engine dask)" if kind == "folder" else "")
    raise BadInput(f"{path}: is a {kind}, not a regular file; fix: save the data to a CSV, GeoJSON or "
                   f"GeoParquet file and give its path{hint}")
