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

from geo.errors import BadInput
from geo.io.userfile import find_columns, read_raw_file, score_columns_by_name
from geo.join.cells import Scale
from geo.join.rules import check_rows

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
        assert kept + aside == self.input_rows, \
            f"{self.path}: {kept} kept + {aside} set aside != {self.input_rows}"


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
) -> UserTable:
    """Read ``path`` (CSV/TSV/TXT, GeoJSON/JSON, Parquet/GeoParquet) into a ``UserTable``.

    Coordinates come from a geometry (GeoJSON, GeoParquet) or from columns found by name or given by
    ``lat_col``/``lon_col``; ``district_col`` joins by district name instead; ``city_col`` (or a column named
    city/город/қала) gives each row's city; ``scores`` maps score columns to their scale (None: inferred);
    ``only_city`` (``--city``) sets aside rows of other cities named in the city column; ``auto_scores``
    (the browser upload), without ``scores``, takes the columns named like q1, вопрос2 as score items with
    inferred scales. ``name`` is the file's original
    name when ``path`` is a temporary copy (dashboard uploads). Raises ``BadInput``/``CRSError`` with one line
    (what, which file, which row, how to fix) for files that cannot be used at all.
    """
    _check_regular(path)
    raw = read_raw_file(path, name=name)
    found_notes = []
    if auto_scores and not scores and (found := score_columns_by_name(raw.frame.columns)):
        scores = dict.fromkeys(found)
        found_notes.append(f"score items found by their names: {', '.join(found)} (scales inferred)")
    columns, column_notes = find_columns(
        raw.frame, raw.label, has_geometry=raw.geometry is not None, lat_col=lat_col, lon_col=lon_col,
        district_col=district_col, group_col=group_col, weight_col=weight_col, city_col=city_col,
        score_cols=tuple(scores or ()),
    )
    scales = {columns.scores[i]: scale for i, scale in enumerate((scores or {}).values())}
    checked = check_rows(raw.frame, columns, raw.label, geometry=raw.geometry, scales=scales,
                         only_city=only_city)
    n = len(raw.frame)
    rows = pd.DataFrame({"row": np.arange(1, n + 1)})
    if checked.district_name is not None:
        rows["district_name"] = checked.district_name
    if checked.lon is not None and checked.lat is not None:
        rows["lon"], rows["lat"] = checked.lon, checked.lat
    if checked.city is not None:
        rows["city"] = checked.city.to_numpy()
    if checked.group is not None:
        rows["group"] = checked.group
    if checked.weight is not None:
        rows["weight"] = checked.weight
    for item, values in checked.scores.items():
        rows[item] = values
        rows[NONRESPONSE_PREFIX + item] = checked.nonresponse[item]
    rows["synthetic"] = raw.synthetic

    bad = ~checked.usable
    set_aside = pd.DataFrame({"row": rows["row"][bad].to_numpy(), "reason": checked.aside.reasons[bad],
                              "value": checked.aside.values[bad]})
    table = UserTable(
        path=raw.path,
        kind=columns.kind,
        rows=rows[~bad].reset_index(drop=True),
        set_aside=set_aside,
        input_rows=n,
        notes=raw.notes + column_notes + found_notes + checked.notes,
        synthetic=raw.synthetic,
        columns=columns.as_dict(),
        scales=checked.scales,
    )
    table.check_balance()
    return table


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
