"""Small-number suppression (primary and complementary) and reliability bands for published estimates.

Why: a district estimate from a handful of respondents identifies people, and a cell hidden on its own is
not hidden when the city total and the other districts are shown, because the total minus the others gives it
back (for survey scores: weighted sums add up, so the city's weight_sum x mean minus the shown districts'
yields the hidden district's). Primary suppression hides every cell with ``0 < n < min_n`` respondents;
complementary suppression then makes sure that every published total (a "line": the districts of a city, or
the groups of a district) hides either none of its non-empty cells or at least two, by also hiding the
next-smallest cell(s), repeated until no line changes (cells sit in several lines, so one complement can
expose another line). A cell with no respondents (n = 0) reveals nobody and protects nothing, so it is never
chosen as a complement and never counts as one. When a line has no cell left to hide, its total is hidden.

Reliability bands judge the 95% interval of a shown estimate by its half-width relative to the scale's range
(for Likert means the coefficient of variation depends on where the scale starts, so it is not used to band).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

# half-width of the 95% CI over (scale high - scale low): <= 0.10 "good", <= 0.20 "fair", above "poor"
# (on a 1-5 item: +-0.4 and +-0.8 points); suppressed estimates are "suppressed".
RELIABILITY_BANDS: tuple[tuple[str, float], ...] = (("good", 0.10), ("fair", 0.20))
RELIABILITY_RULE = ("95% CI half-width / (scale high - scale low): good <= 0.10, fair <= 0.20, poor above; "
                    "suppressed below the respondent threshold or as a complement")
COMPLEMENT_REASON = "complementary (else recoverable from the {what} and the other cells)"


@dataclass(frozen=True)
class Line:
    """Cells (positions in the cell arrays) whose values add up to a published total.

    ``total`` is the position of the total's own cell, or None when the total is published elsewhere (e.g.
    the city total of a count in report.json); ``what`` names the total in the reason text.
    """

    cells: tuple[int, ...]
    total: int | None
    what: str


def primary_reason(min_n: int) -> str:
    """The reason text of a primary-suppressed cell."""
    return f"fewer than {min_n} respondents"


def primary(n: ArrayLike, min_n: int, *, zero: bool = False) -> np.ndarray:
    """True where a cell has fewer than ``min_n`` respondents (NaN counts as 0); cells with n = 0 only when
    ``zero`` (a survey cell without answers has no estimate; a count of 0 is a real, harmless zero)."""
    values = np.nan_to_num(np.asarray(n, dtype=float), nan=0.0)
    hidden = values < min_n
    return hidden if zero else hidden & (values > 0)


def complementary(n: ArrayLike, suppressed: ArrayLike, lines: Sequence[Line]) -> tuple[np.ndarray, dict[int, str]]:
    """Suppression extended so that no hidden cell of any line can be worked back from its total.

    Returns the new suppressed mask and, for each cell hidden here, its reason. Deterministic: the smallest
    non-empty shown cell (ties: the first position) is hidden first.
    """
    size = np.nan_to_num(np.asarray(n, dtype=float), nan=0.0)
    hidden = np.asarray(suppressed, dtype=bool).copy()
    reasons: dict[int, str] = {}
    changed = True
    while changed:
        changed = False
        for line in lines:
            if line.total is not None and hidden[line.total]:
                continue
            cells = np.asarray(line.cells, dtype=int)
            live = cells[size[cells] > 0]
            if int(hidden[live].sum()) != 1:
                continue
            shown = live[~hidden[live]]
            if shown.size:
                pick = int(shown[np.argsort(size[shown], kind="stable")[0]])
            elif line.total is not None:
                pick = line.total
            else:
                continue
            hidden[pick] = True
            reasons[pick] = COMPLEMENT_REASON.format(what=line.what)
            changed = True
    return hidden, reasons


def reliability(half_width: ArrayLike, scale_range: float, suppressed: ArrayLike) -> np.ndarray:
    """``RELIABILITY_BANDS`` label per estimate from its CI half-width; "suppressed" where hidden, "poor" where
    no interval could be computed."""
    rel = np.asarray(half_width, dtype=float) / float(scale_range)
    out = np.full(rel.shape, "poor", dtype=object)
    for label, limit in reversed(RELIABILITY_BANDS):
        out[np.isfinite(rel) & (rel <= limit)] = label
    out[np.asarray(suppressed, dtype=bool)] = "suppressed"
    return out
