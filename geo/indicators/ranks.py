"""Rank ranges: which places in a league table a district could hold, given how sure its value is.

A sorted list of five to eight districts invites reading "Zhetysu is the least welcoming" where the intervals say
that three districts could be. Following Goldstein & Spiegelhalter (1996, "League tables and their limitations",
JRSS A 159: 385-443) and Marshall & Spiegelhalter (1998, BMJ 316: 1701), each value is drawn many times from a
normal with the standard error its 95% interval implies, the districts are ranked in every draw (1 = highest),
and the 2.5th and 97.5th percentiles of each district's ranks are its rank range ("ranks 1-3"). A value without an
interval (an official count) is taken as exact; a missing value is not ranked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.stats import norm, rankdata

from geo.errors import BadInput

DRAWS = 4000
INTERVAL_LEVEL = 0.95  # every interval the project shows is a 95% one
MAX_DRAWS = 200_000


def _interval_sd(values: np.ndarray, low: ArrayLike | None, high: ArrayLike | None) -> np.ndarray:
    """The standard error each 95% interval implies ((high - low) / 2z), 0 where a value has no interval."""
    if low is None and high is None:
        return np.zeros(len(values))
    if low is None or high is None:
        raise BadInput("rank ranges: give both ends of the intervals, or neither")
    lo, hi = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    if lo.shape != values.shape or hi.shape != values.shape:
        raise BadInput(f"rank ranges: {len(values)} values but {lo.size} lower and {hi.size} upper ends")
    if np.any(hi < lo):
        raise BadInput("rank ranges: an interval's upper end lies below its lower end")
    sd = (hi - lo) / (2 * norm.ppf(0.5 + INTERVAL_LEVEL / 2))
    return np.where(np.isfinite(sd), sd, 0.0)


def rank_ranges(values: ArrayLike, low: ArrayLike | None = None, high: ArrayLike | None = None, *,
                level: float = 0.95, draws: int = DRAWS, seed: int = 0, highest_first: bool = True) -> pd.DataFrame:
    """Per value (in the given order): ``rank`` (of the value itself; ties share the best), and the
    ``level`` range of ranks over ``draws`` simulated tables, ``rank_low``..``rank_high`` (``low``, ``high``:
    95% intervals). Missing values get
    missing ranks and are left out of the others' tables. Same seed, same ranges."""
    x = np.asarray(values, dtype=float)
    if x.ndim != 1:
        raise BadInput("rank ranges: give one value per district")
    if not 0 < level < 1 or not 1 <= draws <= MAX_DRAWS:
        raise BadInput(f"rank ranges: level must lie in (0, 1) and draws in 1..{MAX_DRAWS}")
    sd = _interval_sd(x, low, high)
    out = pd.DataFrame({"rank": np.nan, "rank_low": np.nan, "rank_high": np.nan}, index=range(len(x)))
    shown = np.flatnonzero(np.isfinite(x))
    if not len(shown):
        return out
    sign = -1.0 if highest_first else 1.0
    out.loc[shown, "rank"] = rankdata(sign * x[shown], method="min")
    rng = np.random.default_rng(seed)
    table = x[shown] + rng.standard_normal((draws, len(shown))) * sd[shown]
    best = rankdata(sign * table, method="min", axis=1)  # a tie in a draw spans its places
    worst = rankdata(sign * table, method="max", axis=1)
    tail = 100 * (1 - level) / 2
    out.loc[shown, "rank_low"] = np.floor(np.percentile(best, tail, axis=0, method="lower"))
    out.loc[shown, "rank_high"] = np.ceil(np.percentile(worst, 100 - tail, axis=0, method="higher"))
    return out


def excludes(low: ArrayLike, high: ArrayLike, reference: float) -> np.ndarray:
    """Whether each interval lies wholly on one side of ``reference`` (the city's value): False where an end
    is missing, so an unsure value is never marked as different."""
    lo, hi = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    with np.errstate(invalid="ignore"):
        return (lo > reference) | (hi < reference)
