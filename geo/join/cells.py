"""Cells to values for the row rules (``geo.join.rules``): numbers, text, cities and score answers, each
setting aside the rows whose cell cannot be used (``SetAside``: the first reason a row meets is kept)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from geo.domain.names import match_city
from geo.errors import BadInput
from geo.io.formats import DONT_KNOW  # "don't know" answers in kk/ru/en, shared with SPSS/Stata value labels

MISSING_CELLS = frozenset({"", "nan", "na", "n/a", "null", "none", "-", "—"})
NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
SHOWN_CHARS = 60  # characters of a set-aside cell shown in the report
Scale = tuple[float, float]
NONRESPONSE = ("answered", "dont_know", "blank")  # per-row codes 0, 1, 2 of a score item

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


def city_cells(column: pd.Series, aside: SetAside, only_city: str | None) -> pd.Series:
    """The canonical city of each row from a city column; missing, unknown (and, with ``--city``, other)
    cities set aside."""
    text = text_cells(column, aside, "city")
    known = {c: match_city(c, former=True) for c in text.dropna().unique()}
    city = text.map(lambda c: known.get(c) if c is not None else None)
    unknown = (text.notna() & city.isna()).to_numpy(dtype=bool)
    for cell in text[unknown].unique():
        aside.mark(unknown & (text == cell).fillna(False).to_numpy(dtype=bool),
                   f"unknown city {str(cell)[:SHOWN_CHARS]!r} in column {column.name!r} (name Astana, Almaty "
                   "or Shymkent, in any language)", column)
    if only_city is not None:
        for other in sorted(set(city.dropna()) - {only_city}):
            aside.mark((city == other).fillna(False).to_numpy(dtype=bool),
                       f"city {other} in column {column.name!r}, not the chosen city {only_city} (--city)", column)
    return city.where(aside.usable, None)


def score_cells(
    column: pd.Series, aside: SetAside, scale: Scale | None, label: str, *,
    coded_missing: np.ndarray | None = None,
) -> tuple[np.ndarray, tuple[float, float, bool], np.ndarray]:
    """One score item: numbers (comma decimals), "don't know" and blank cells as NaN (counted), other text
    and numbers outside the scale set aside; the scale inferred from the answers when not given. Returns the
    values (NaN: non-response or set aside), the scale (low, high, inferred) and the ``NONRESPONSE`` codes.

    ``coded_missing`` marks the cells a statistics file's metadata calls non-response (user-missing codes, codes
    labelled "don't know"): don't know, whatever their number."""
    name = str(column.name)
    if scale is not None and coded_missing is None and _plain_numbers(column):
        return _numeric_scores(column, aside, scale, label)
    text = column.astype("string").str.strip().str.replace("\u00a0", "", regex=False)
    lowered = text.str.lower().str.rstrip(".!")
    blank = (text.isna() | lowered.isin(MISSING_CELLS)).to_numpy(dtype=bool)
    dont_know = (~blank & lowered.isin(DONT_KNOW).fillna(False)).to_numpy(dtype=bool)
    if coded_missing is not None:
        dont_know = dont_know | (coded_missing & ~blank)
    numeric = text.str.match(NUMBER).fillna(False).to_numpy(dtype=bool) & ~dont_know
    values = pd.to_numeric(text.where(numeric).str.replace(",", ".", regex=False), errors="coerce")
    values = values.to_numpy(dtype=np.float64, na_value=np.nan)
    other = ~blank & ~dont_know & ~numeric
    for cell in text[other & aside.usable].unique():
        aside.mark(other & (text == cell).fillna(False).to_numpy(dtype=bool),
                   f"non-numeric score {str(cell)[:SHOWN_CHARS]!r} in column {name!r}", column)
    inferred = scale is None
    if scale is None:
        answered = values[numeric & aside.usable]
        if not len(answered):
            raise BadInput(f"{label}: score column {name!r} holds no numeric answer; check the column "
                           "(--score) or give its scale, e.g. --score q1:1-5")
        scale = (float(np.floor(answered.min())), float(np.ceil(answered.max())))
    low, high = scale
    outside = numeric & ((values < low) | (values > high))
    for value in np.unique(values[outside & aside.usable]):
        aside.mark(outside & (values == value), f"score {_num(value)} outside the scale {_num(low)}-"
                   f"{_num(high)} in column {name!r}", column)
    codes = np.where(dont_know, 1, np.where(blank, 2, 0)).astype(np.int8)
    return np.where(numeric & aside.usable, values, np.nan), (low, high, inferred), codes


def _plain_numbers(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype)


def _numeric_scores(column: pd.Series, aside: SetAside, scale: Scale,
                    label: str) -> tuple[np.ndarray, tuple[float, float, bool], np.ndarray]:
    """``score_cells`` of a numeric column (Parquet) with a given scale, without turning 10 million cells into
    text: NaN is blank, a finite number inside the scale an answer; only the other cells (inf, off the scale)
    go through the text rules above, so their reasons are exactly those."""
    values = column.to_numpy(dtype=np.float64, na_value=np.nan)
    blank = np.isnan(values)
    low, high = scale
    odd = ~blank & ~((values >= low) & (values <= high)) & aside.usable
    if odd.any():
        rows = np.flatnonzero(odd)
        part = SetAside(len(rows), keep_values=aside.keep_values)
        score_cells(column.iloc[rows].astype("string"), part, scale, label)
        for reason in pd.unique(part.reasons[~part.usable]):
            mask = np.zeros(len(values), dtype=bool)
            mask[rows[part.reasons == reason]] = True
            aside.mark(mask, str(reason), column)
    codes = np.where(blank, 2, 0).astype(np.int8)
    return np.where(~blank & aside.usable, values, np.nan), (low, high, False), codes


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


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
