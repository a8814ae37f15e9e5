"""Waves: how a district's mean score changed between two published survey datasets, with an honest interval.

Two waves are independent samples, so the change ``later - earlier`` needs an interval built from the two
published ones. Their intervals are often not symmetric (Wilson's, or t intervals clipped to the scale), and the
published tables hold no covariance, so the interval of the difference is made by MOVER ("method of variance
estimates recovery", Zou & Donner 2008, Stat Med 27: 1693-1702; for two Wilson intervals it is Newcombe's 1998
hybrid score method, Stat Med 17: 873-890): each end borrows the near half-width of one interval and the far
half-width of the other, so an asymmetric interval keeps its asymmetry. For two symmetric intervals it is the
usual ``d +- sqrt(h_a^2 + h_b^2)``.

A change is shown only where both sides may be: a suppressed side hides the whole row (nothing is derived from
a hidden value), district means on different boundary vintages are not comparable, and a side without answers
has nothing to compare.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from geo.errors import BadInput

KEYS = ["city", "level", "district_id"]
NEEDED = [*KEYS, "vintage", "item", "group", "scale", "n", "mean", "ci_low", "ci_high", "suppressed"]
VALUES = ["mean_earlier", "mean_later", "n_earlier", "n_later", "diff", "ci_low", "ci_high"]
WAVE_COLUMNS = [*KEYS, "vintage", "vintage_earlier", *VALUES, "excludes_zero", "status"]
# An interval end within this of 0 touches 0 (published values are rounded; 0.5 - sqrt(0.3^2 + 0.4^2) is 1.7e-16
# in floating point), so it is not counted as excluding it.
TOUCH = 1e-9


def mover(est_a: ArrayLike, low_a: ArrayLike, high_a: ArrayLike,
          est_b: ArrayLike, low_b: ArrayLike, high_b: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The difference ``a - b`` of two independent estimates and its interval by MOVER, from each one's own
    interval (same level): ``L = d - sqrt((a - la)^2 + (ub - b)^2)``, ``U = d + sqrt((ua - a)^2 + (b - lb)^2)``.

    Arrays broadcast; NaN anywhere in an element gives NaN for it. Raises ``BadInput`` when a finite interval
    does not contain its estimate.
    """
    a, la, ua, b, lb, ub = np.broadcast_arrays(*(np.asarray(x, dtype=float)
                                                 for x in (est_a, low_a, high_a, est_b, low_b, high_b)))
    with np.errstate(invalid="ignore"):
        outside = (la > a) | (a > ua) | (lb > b) | (b > ub)
    if np.any(outside):
        raise BadInput("MOVER: an interval does not contain its estimate; give each estimate with its own interval")
    d = a - b
    low = d - np.sqrt((a - la) ** 2 + (ub - b) ** 2)
    high = d + np.sqrt((ua - a) ** 2 + (b - lb) ** 2)
    return d, low, high


def wave_changes(earlier: pd.DataFrame, later: pd.DataFrame, item: str, *, group: str = "all") -> pd.DataFrame:
    """Per (city, level, district_id) of ``item`` and ``group`` in either published ``scores`` table: the two
    means and n, ``diff`` (later - earlier) with its MOVER interval ``ci_low``..``ci_high``, ``excludes_zero``
    and ``status``.

    Status: "shown"; "suppressed" (either side: every value NaN); "boundaries differ" (the rows' vintages differ,
    or only one is known: values NaN); "no answers" (n 0 or no mean on a side: no diff); "only in one wave" (values
    NaN). ``vintage`` is the later row's (the earlier's where there is none), ``vintage_earlier`` the earlier's.
    Raises ``BadInput`` when a table lacks a column, the item is in neither table, the group is in neither for
    the item, a place repeats, or the item's scale differs between the tables.
    """
    for name, table in (("earlier", earlier), ("later", later)):
        missing = [c for c in NEEDED if c not in table.columns]
        if missing:
            raise BadInput(f"wave changes: the {name} scores table lacks column(s) {missing}; pass a published "
                           "scores table with each row's boundary vintage")
    mine_e, mine_l = earlier[earlier["item"] == item], later[later["item"] == item]
    if mine_e.empty and mine_l.empty:
        raise BadInput(f"wave changes: item {item!r} is in neither scores table; choose an item both waves asked")
    scales_e, scales_l = _scales(mine_e), _scales(mine_l)
    if not mine_e.empty and not mine_l.empty and scales_e != scales_l:
        raise BadInput(f"wave changes: item {item!r} is on scale {scales_e} earlier but {scales_l} later; "
                       "means on different scales cannot be compared, rescale one wave first")
    side_e, side_l = mine_e[mine_e["group"] == group], mine_l[mine_l["group"] == group]
    if side_e.empty and side_l.empty:
        raise BadInput(f"wave changes: group {group!r} of item {item!r} is in neither scores table; choose a group "
                       "that a wave has (or 'all')")
    for name, side in (("earlier", side_e), ("later", side_l)):
        if side.duplicated(KEYS).any():
            raise BadInput(f"wave changes: the {name} table repeats a place for item {item!r}, group {group!r}; "
                           "pass one row per city, level and district")
    fields = ["vintage", "n", "mean", "ci_low", "ci_high", "suppressed"]
    # keys as objects: a city row's blank district_id is float in a table of city rows alone, object elsewhere
    left, right = (s[KEYS + fields].astype(dict.fromkeys(KEYS, object)) for s in (side_e, side_l))
    both = left.merge(right, on=KEYS, how="outer", suffixes=("_e", "_l"), indicator=True, sort=False)
    return _changes(both.reset_index(drop=True))


def _scales(rows: pd.DataFrame) -> list[str]:
    """The item's distinct scales in one table, as sorted text."""
    return sorted({str(s) for s in rows["scale"].dropna()})


def _hidden(flags: pd.Series) -> np.ndarray:
    """Suppressed unless plainly False: a blank flag hides the row too."""
    return np.asarray([not (isinstance(f, bool | np.bool_) and not f) for f in flags], dtype=bool)


def _changes(both: pd.DataFrame) -> pd.DataFrame:
    """The output table from the outer merge of the two sides (suffixes ``_e``, ``_l``)."""
    num = {c: both[c].to_numpy(dtype=float) for c in
           ("n_e", "n_l", "mean_e", "mean_l", "ci_low_e", "ci_low_l", "ci_high_e", "ci_high_l")}
    one = (both["_merge"] != "both").to_numpy()
    hidden = ~one & (_hidden(both["suppressed_e"]) | _hidden(both["suppressed_l"]))
    vin_e, vin_l = both["vintage_e"], both["vintage_l"]
    same = ((vin_e == vin_l) | (vin_e.isna() & vin_l.isna())).to_numpy()
    differ = ~one & ~hidden & ~same
    with np.errstate(invalid="ignore"):
        empty = (num["n_e"] == 0) | (num["n_l"] == 0) | np.isnan(num["mean_e"]) | np.isnan(num["mean_l"])
    empty &= ~one & ~hidden & ~differ
    shown = ~(one | hidden | differ | empty)
    status = np.select([one, hidden, differ, empty], ["only in one wave", "suppressed", "boundaries differ",
                                                      "no answers"], "shown")
    nan = np.full(len(both), np.nan)
    d, low, high = nan.copy(), nan.copy(), nan.copy()
    if shown.any():
        pick = {k: v[shown] for k, v in num.items()}
        d[shown], low[shown], high[shown] = mover(pick["mean_l"], pick["ci_low_l"], pick["ci_high_l"],
                                                  pick["mean_e"], pick["ci_low_e"], pick["ci_high_e"])
    keep = shown | empty  # a side without answers still shows its own n and (blank) mean
    out = both[KEYS].copy()
    out["vintage"] = vin_e.where(both["_merge"].eq("left_only"), vin_l)
    out["vintage_earlier"] = vin_e
    for column, values in (("mean_earlier", num["mean_e"]), ("mean_later", num["mean_l"]),
                           ("n_earlier", num["n_e"]), ("n_later", num["n_l"])):
        out[column] = np.where(keep, values, np.nan)
    out["diff"], out["ci_low"], out["ci_high"] = d, low, high
    with np.errstate(invalid="ignore"):
        out["excludes_zero"] = shown & ((low > TOUCH) | (high < -TOUCH))
    out["status"] = status
    return out[WAVE_COLUMNS]
