"""Every per-district output of a join from its counts: the one step both engines end with.

The statistics themselves are ``geo.indicators.counts`` (totals, share, per 1,000, group tables),
``geo.indicators.concentration`` (dissimilarity, isolation) and ``geo.indicators.hotspots`` (Gi*); population
figures come from the build through ``geo.store.population_for`` unless the caller gives its own. Survey joins
add score estimates (``with_scores``, ``geo.indicators.survey``). Everything here is unsuppressed: what may be
shown of a survey join is decided afterwards, over every table at once, by the release gate (``geo.release``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import store
from geo.errors import BadInput, QalaError
from geo.indicators import counts as stats
from geo.indicators.bankscores import bank_of, bank_table, relabelled
from geo.indicators.concentration import group_indices
from geo.indicators.hotspots import hotspots
from geo.indicators.survey import (
    ALL,
    ESTIMATE_COLUMNS,
    ScoreItem,
    domain_table,
    group_differences,
    item_estimates,
    join_wide,
    score_estimates,
)
from geo.join.result import HotspotOptions, JoinResult

DISTRICT_COLUMNS = ("district_id", "city", "vintage", "name_en", "name_ru", "name_kk", "area_km2", "bank")
POPULATION_COLUMNS = ["district_id", "value", "period_label", "source"]

# per H3 resolution: lon, lat, weights of the joined points (or of hexagon centres carrying aggregated
# counts), and the rows behind each hexagon (by hex_id) when the points were aggregated, else None
HexagonInput = tuple[Any, Any, Any, "pd.Series | None"]


def from_counts(
    chosen: gpd.GeoDataFrame,
    counts: pd.DataFrame,
    per_res: Mapping[int, HexagonInput],
    population: pd.DataFrame | None,
    city: str,
    vintage: str,
    synthetic: bool,
    options: HotspotOptions,
    *,
    segregation_permutations: int = 0,
) -> JoinResult:
    """A ``JoinResult`` (without rows and report) from per-district(-group) ``counts`` (district_id, [group],
    count, n_rows) over the ``chosen`` districts; ``report["notes"]`` holds what the caller must say.

    Groups get location quotients with 95% intervals; ``segregation_permutations`` > 0 adds the tests of
    dissimilarity and isolation against random allocation (seeded by ``options.seed``; off by default as they
    take about 1.5 ms per permutation and index). Nothing is suppressed here (``geo.release`` does that)."""
    out = _district_table(chosen, counts)
    pop_note = _add_population(out, population, city, vintage)
    groups = indices = None
    if "group" in counts:
        wide_counts = stats.group_counts(counts, out["district_id"])
        variances = stats.cell_variances(counts, out["district_id"])
        groups, wide = stats.group_tables(wide_counts, variances)
        out = out.join(wide, on="district_id")
        indices = group_indices(wide_counts, row_counts=stats.group_rows(counts, out["district_id"]),
                                permutations=segregation_permutations, seed=options.seed)
    hexagons = {}
    notes = [pop_note] if pop_note else []
    area = chosen.geometry.union_all() if per_res else None
    for res, (lon, lat, weights, n_points) in per_res.items():
        grid = hotspots(lon, lat, weights, res=res, area=area, permutations=options.permutations,
                        seed=options.seed, alpha=options.alpha)
        if n_points is not None:
            grid["n_points"] = grid["hex_id"].map(n_points).fillna(0).astype("int64")
        grid["synthetic"] = synthetic
        hexagons[res] = grid
    out["synthetic"] = synthetic
    if groups is not None and indices is not None:
        groups["synthetic"] = synthetic
        indices["synthetic"] = synthetic
    return JoinResult(
        city=city, vintage=vintage, districts=out, assigned=pd.DataFrame(), set_aside=pd.DataFrame(),
        groups=groups, indices=indices, hexagons=hexagons, report={"notes": notes},
        synthetic=synthetic,
    )


def _district_table(chosen: gpd.GeoDataFrame, counts: pd.DataFrame) -> gpd.GeoDataFrame:
    keep = [c for c in DISTRICT_COLUMNS if c in chosen.columns]
    out = gpd.GeoDataFrame(chosen[keep].copy(), geometry=chosen.geometry.array, crs=chosen.crs)
    totals = stats.district_totals(out["district_id"], counts)
    for column in totals.columns:
        out[column] = totals[column].to_numpy()
    return out


def _add_population(
    out: gpd.GeoDataFrame, population: pd.DataFrame | None, city: str, vintage: str
) -> str | None:
    """Population columns and per_1000; returns a note when figures are missing (left NaN, never 0)."""
    note = None
    if population is None:
        try:
            population = store.population_for(city, vintage)
        except QalaError as exc:
            note = f"no population figures ({exc}); per_1000 left empty"
            population = pd.DataFrame(columns=POPULATION_COLUMNS)
    pop = population.drop_duplicates("district_id", keep="last").set_index("district_id")
    out["population"] = out["district_id"].map(pop["value"]).astype(float)
    out["population_period"] = out["district_id"].map(pop["period_label"])
    out["population_source"] = out["district_id"].map(pop["source"])
    if "confidence" in pop:
        out["population_confidence"] = out["district_id"].map(pop["confidence"])
    out["per_1000"] = stats.per_1000(out["count"], out["population"])
    missing = out.loc[out["population"].isna(), "district_id"].tolist()
    if note is None and missing:
        note = f"no population figure for {missing}: per_1000 left empty there"
    return note


def with_scores(result: JoinResult, rows: pd.DataFrame, items: Sequence[ScoreItem], *,
                group: str | None) -> JoinResult:
    """``result`` with survey estimates: ``scores`` (long, every district, city and group),
    ``score_differences`` (with a group) and the "all" estimates as ``{item}_*`` columns of the district table
    (``geo.indicators.survey.join_wide``); unsuppressed until the release gate."""
    banks = bank_rows(result, rows, lambda pooled: score_estimates(pooled, items, n_total=len(rows)))
    return _with_estimates(result, score_estimates(rows, items, group=group), items, group, banks)


def with_score_sums(result: JoinResult, atoms: pd.DataFrame, items: Sequence[ScoreItem], *, group: str | None,
                    groups: Sequence[str], n_total: int) -> JoinResult:
    """``with_scores`` from per-atom sums instead of rows (the out-of-core join): ``atoms`` has city,
    district_id, group and per item ``{item}:c<k>``, ``:w<k>``, ``:q<k>`` (answerers, their weight and squared
    weight at the scale's k-th point), ``:dk`` and ``:blank``; ``groups`` in the order the rows first show them;
    ``n_total`` the joined rows. The same domains, sums and estimator as ``score_estimates``."""
    scores = sum_estimates(atoms, items, group=group, groups=groups, n_total=n_total)
    banks = bank_rows(result, atoms, lambda pooled: sum_estimates(pooled, items, group=None, groups=[],
                                                                  n_total=n_total))
    return _with_estimates(result, scores, items, group, banks)


def bank_rows(result: JoinResult, frame: pd.DataFrame,
              estimate: Callable[[pd.DataFrame], pd.DataFrame]) -> pd.DataFrame | None:
    """The banks' estimates (``geo.indicators.bankscores``) from rows or sums, by the engine's own
    ``estimate``; None when no city of the join lies on two banks."""
    banks = bank_of(result.districts)
    pooled = relabelled(frame, banks)
    return None if pooled is None else bank_table(estimate(pooled), banks)


def sum_estimates(atoms: pd.DataFrame, items: Sequence[ScoreItem], *, group: str | None, groups: Sequence[str],
                  n_total: int) -> pd.DataFrame:
    """``score_estimates`` from per-atom sums (see ``with_score_sums``)."""
    g_names = [str(g) for g in groups] if group else []
    if ALL in g_names:
        raise BadInput(f"group column {group!r} holds the value {ALL!r}, reserved for all respondents; rename it")
    pairs = list(dict.fromkeys(zip(atoms["city"], atoms["district_id"], strict=True)))
    domains = domain_table(pairs, g_names)
    where = {pair: i for i, pair in enumerate(pairs)}
    position = {name: i + 1 for i, name in enumerate(g_names)}
    cell = np.array([where[(c, d)] * (len(g_names) + 1) + (position[str(g)] if group else 0)
                     for c, d, g in zip(atoms["city"], atoms["district_id"], atoms["group"], strict=True)],
                    dtype=np.int64)
    frames = []
    for item in items:
        points = range(item.high - item.low + 1)
        per_cell = []
        for name in ("c", "w", "q"):
            total = np.zeros((int(domains.attrs["n_cells"]), len(points)))
            np.add.at(total, cell, atoms[[f"{item.column}:{name}{k}" for k in points]].to_numpy(dtype=float))
            per_cell.append(total)
        nonresponse = np.zeros(int(domains.attrs["n_cells"]))
        np.add.at(nonresponse, cell, (atoms[f"{item.column}:dk"] + atoms[f"{item.column}:blank"]).to_numpy())
        frames.append(item_estimates(item, domains, per_cell, nonresponse, n_total, 0.95))
    scores = pd.concat(frames, ignore_index=True)[ESTIMATE_COLUMNS] if frames else \
        pd.DataFrame(columns=ESTIMATE_COLUMNS)
    scores.attrs = {}
    return scores


def _with_estimates(result: JoinResult, scores: pd.DataFrame, items: Sequence[ScoreItem],
                    group: str | None, banks: pd.DataFrame | None) -> JoinResult:
    """The estimates (from rows or from sums) placed in the result: long, as group differences, and wide;
    the banks' estimates (``geo.indicators.bankscores``) beside them."""
    scores["synthetic"] = result.synthetic
    if banks is not None:
        banks["synthetic"] = result.synthetic
    differences = None
    if group is not None:
        differences = group_differences(scores)
        differences["synthetic"] = result.synthetic
    districts = join_wide(result.districts, scores, items)
    return dataclasses.replace(result, districts=districts, scores=scores, score_differences=differences,
                               banks=banks)
