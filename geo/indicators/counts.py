"""Per-district statistics from counts: totals, share of the city, rate per 1,000 residents, per-group tables.

Small pure functions over a table of counts ``district_id[, group], count, n_rows`` (``count`` the summed
weights, ``n_rows`` the rows behind it), the one computation behind both join engines: the in-memory join
counts its rows with ``count_rows``, the out-of-core join brings the same table back from the dask workers,
and everything else is computed from it here, so the two cannot drift apart.

Zero counts are real (the input covers the whole city, so a district none of its rows fall in has count 0);
what is unknown stays missing (a district without a population figure has a NaN rate, never 0).

References: the crude rate per 1,000 population (Preston, Heuveline & Guillot 2001, *Demography: Measuring and
Modeling Population Processes*, §1.6); the location quotient (Isard 1960, *Methods of Regional Analysis*, ch.
7), see ``geo.indicators.concentration.location_quotient``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from geo.indicators.concentration import location_quotient, lq_intervals

COUNT_COLUMNS = ("count", "n_rows")


def count_rows(keys: Mapping[str, ArrayLike], weights: ArrayLike | None = None) -> pd.DataFrame:
    """Counts per key combination (e.g. ``district_id`` and ``group``): ``count`` the summed ``weights`` (1
    per row when None), ``n_rows`` the rows; sorted by the keys."""
    columns = {name: np.asarray(values) for name, values in keys.items()}
    n = len(next(iter(columns.values()))) if columns else 0
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    frame = pd.DataFrame({**columns, "w": w})
    return frame.groupby(list(columns), sort=True)["w"].agg(count="sum", n_rows="size").reset_index()


def district_totals(district_ids: Sequence[Any], counts: pd.DataFrame) -> pd.DataFrame:
    """``count`` (float) and ``n_rows`` (int) per district of ``district_ids``, in that order, 0 where no row
    fell, and ``share_of_city`` (the district's count over the city's; NaN when the city counted nothing)."""
    totals = counts.groupby("district_id")[list(COUNT_COLUMNS)].sum()
    ids = pd.Series(list(district_ids))
    count = ids.map(totals["count"]).fillna(0.0).astype(float).to_numpy()
    n_rows = ids.map(totals["n_rows"]).fillna(0).astype(int).to_numpy()
    return pd.DataFrame({"count": count, "n_rows": n_rows, "share_of_city": share_of_total(count)},
                        index=pd.Index(ids, name="district_id"))


def share_of_total(count: ArrayLike) -> np.ndarray:
    """Each value over the sum of all; NaN everywhere when the sum is not positive (no share of nothing)."""
    values = np.asarray(count, dtype=float)
    total = values.sum()
    return values / total if total > 0 else np.full(values.shape, np.nan)


def per_1000(count: ArrayLike, population: ArrayLike) -> np.ndarray:
    """Crude rate per 1,000 residents, ``1000 * count / population``; NaN where the population is unknown."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(count, dtype=float) / np.asarray(population, dtype=float) * 1000.0


def group_counts(counts: pd.DataFrame, district_ids: Sequence[Any]) -> pd.DataFrame:
    """Districts x groups table of ``count`` (0 where none), rows in the order of ``district_ids``."""
    wide = counts.pivot_table(index="district_id", columns="group", values="count", aggfunc="sum",
                              fill_value=0.0)
    return wide.reindex(pd.Index(list(district_ids), name="district_id"), fill_value=0.0)


def group_rows(counts: pd.DataFrame, district_ids: Sequence[Any]) -> pd.DataFrame:
    """Districts x groups table of ``n_rows`` (the respondents behind each count; 0 where none)."""
    wide = counts.pivot_table(index="district_id", columns="group", values="n_rows", aggfunc="sum",
                              fill_value=0)
    return wide.reindex(pd.Index(list(district_ids), name="district_id"), fill_value=0)


def cell_variances(counts: pd.DataFrame, district_ids: Sequence[Any]) -> pd.DataFrame:
    """Districts x groups variance of each count for ``lq_intervals``: the sum of squared weights (column
    ``w2``) when the counts carry it, else ``count^2 / n_rows`` (equal weights within a cell; the count itself
    when unweighted, i.e. Poisson); 0 where no row fell."""
    frame = counts.copy()
    if "w2" in frame:
        frame["var"] = frame["w2"].astype(float)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            frame["var"] = np.where(frame["n_rows"] > 0, frame["count"] ** 2 / frame["n_rows"], 0.0)
    wide = frame.pivot_table(index="district_id", columns="group", values="var", aggfunc="sum", fill_value=0.0)
    return wide.reindex(pd.Index(list(district_ids), name="district_id"), fill_value=0.0)


def group_tables(counts: pd.DataFrame, variances: pd.DataFrame | None = None,
                 level: float = 0.95) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Long (district_id, group, count, lq) and wide (count_<g>, lq_<g>) tables from districts x groups
    counts; with ``variances`` (``cell_variances``) also the LQ interval (lq_low, lq_high; lq_low_<g>...).

    The location quotient of a group in a district compares the group's share there with its share of the city
    (``geo.indicators.concentration.location_quotient``); the total is every group counted in the district.
    """
    total = counts.sum(axis=1).to_numpy()
    bounds = lq_intervals(counts, variances, level) if variances is not None else None
    long_rows, wide = [], pd.DataFrame(index=counts.index)
    for group in counts.columns:
        lq = location_quotient(counts[group].to_numpy(), total)
        wide[f"count_{group}"] = counts[group].to_numpy()
        wide[f"lq_{group}"] = lq
        extra = {}
        if bounds is not None:
            extra = {"lq_low": bounds[0][group].to_numpy(), "lq_high": bounds[1][group].to_numpy()}
            wide[f"lq_low_{group}"] = extra["lq_low"]
            wide[f"lq_high_{group}"] = extra["lq_high"]
        long_rows.append(pd.DataFrame({"district_id": counts.index, "group": group,
                                       "count": counts[group].to_numpy(), "lq": lq, **extra}))
    return pd.concat(long_rows, ignore_index=True), wide


def two_largest(group: np.ndarray, weight: np.ndarray, size: int) -> np.ndarray:
    """The two largest weights of each of ``size`` groups (size x 2; 0 where a group has fewer): what the
    release gate's dominance rule needs, from rows or from partitions' own two largest."""
    out = np.zeros((size, 2))
    if not len(group):
        return out
    order = np.lexsort((-weight, group))
    g, ws = group[order], weight[order]
    first = np.r_[True, g[1:] != g[:-1]]
    rank = np.arange(len(g)) - np.maximum.accumulate(np.where(first, np.arange(len(g)), 0))
    keep = rank < 2
    out[g[keep], rank[keep]] = ws[keep]
    return out
