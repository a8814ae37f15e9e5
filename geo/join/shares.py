"""Share items: a category of a researcher's column (``Сектор=госслужба``) as a 0-1 score item.

Researchers' files say what a respondent does in words (a sector or occupation column), not as 0/1. A score
spec ``COLUMN=VALUE`` (several values joined by ``|``) makes the item "answer is one of the values": 1 where the
cell is one of them, 0 where it holds another answer, blank where it is blank or user-missing (item
non-response, never counted as "not"). Its weighted mean is the share of respondents in the category, with the
same domains, release gate and publication as every other item; a two-point item's interval is Wilson's
(``geo.indicators.survey``). The item keeps the spec as its name, so every table says what was counted.

Derived here, before the columns are found, so everything after (rules, scales, the gate) sees one more
score column and nothing else changes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import pandas as pd

from geo.errors import BadInput
from geo.io.userfile import RawFile
from geo.join.cells import Scale

SHARE_SCALE: Scale = (0.0, 1.0)
SHOWN_VALUES = 12  # values listed when a category is not found


def share_spec(name: str) -> tuple[str, list[str]] | None:
    """``"Сектор=госслужба|министерство"`` -> ("Сектор", ["госслужба", "министерство"]); None when ``name``
    is not of that shape."""
    column, sep, values = name.partition("=")
    chosen = [v.strip() for v in values.split("|") if v.strip()]
    if not sep or not column.strip() or not chosen:
        return None
    return column.strip(), chosen


def with_shares(raw: RawFile, scores: Mapping[str, Scale | None]) -> tuple[RawFile, dict[str, Scale | None]]:
    """``raw`` with a 0-1 column for each share spec among ``scores`` (a spec naming an existing column is
    that column, not a share) and ``scores`` with their scale set to 0-1."""
    out = dict(scores)
    derived: dict[str, pd.Series] = {}
    for name in scores:
        spec = None if name in raw.frame.columns else share_spec(name)
        if spec is None:
            continue
        column, values = spec
        if column not in raw.frame.columns:
            raise BadInput(f"{raw.label}: no column {column!r} for the share item {name!r}; columns are "
                           f"{', '.join(map(str, list(raw.frame.columns)[:10]))} (write --score COLUMN=VALUE)")
        derived[name] = _indicator(raw, column, values, name)
        out[name] = SHARE_SCALE
    if not derived:
        return raw, out
    frame = raw.frame.assign(**derived)
    return dataclasses.replace(raw, frame=frame), out


def _indicator(raw: RawFile, column: str, values: list[str], name: str) -> pd.Series:
    """1 for a cell among ``values`` (case and spaces aside, codes read through their value labels), 0 for
    another answer, blank for a blank or user-missing cell."""
    cells = raw.labels.cells(raw.frame, column) if column in raw.labels.values or column in \
        raw.labels.nonresponse else raw.frame[column]
    text = cells.map(_text)
    wanted = {v.casefold() for v in values}
    blank = text.eq("")
    hit = text.map(str.casefold).isin(wanted)
    if not hit.any():
        seen = sorted(set(text[~blank]), key=str)
        listed = ", ".join(seen[:SHOWN_VALUES]) + (" ..." if len(seen) > SHOWN_VALUES else "")
        raise BadInput(f"{raw.label}: no row has {column!r} = {' or '.join(values)} (share item {name!r}); "
                       f"its values are {listed or 'all blank'}: write one of them after '='")
    return pd.Series(np.where(blank, "", np.where(hit, "1", "0")), index=raw.frame.index, dtype=object)


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
