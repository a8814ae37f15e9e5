"""Every per-district output of a join from its counts: the one step both engines end with.

The statistics themselves are ``geo.indicators.counts`` (totals, share, per 1,000, group tables),
``geo.indicators.concentration`` (dissimilarity, isolation) and ``geo.indicators.hotspots`` (Gi*); population
figures come from the build through ``geo.store.population_for`` unless the caller gives its own. Survey joins
add score estimates (``with_scores``, ``geo.indicators.survey``) and, with ``min_n``, hide small counts of
districts and of hexagons (``geo.indicators.suppression``: primary and complementary, so that no hidden count
follows from the others): a hexagon holding two respondents would otherwise locate them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import store
from geo.errors import QalaError
from geo.indicators import counts as stats
from geo.indicators.concentration import group_indices
from geo.indicators.hotspots import hotspots
from geo.indicators.suppression import Line, complementary, primary, primary_reason
from geo.indicators.survey import ScoreItem, group_differences, score_estimates, wide_scores
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
    min_n: int | None = None,
    segregation_permutations: int = 0,
) -> JoinResult:
    """A ``JoinResult`` (without rows and report) from per-district(-group) ``counts`` (district_id, [group],
    count, n_rows) over the ``chosen`` districts; ``report["notes"]`` holds what the caller must say.

    Groups get location quotients with 95% intervals; ``segregation_permutations`` > 0 adds the tests of
    dissimilarity and isolation against random allocation (seeded by ``options.seed``; off by default as they
    take about 1.5 ms per permutation and index). ``min_n`` hides counts from fewer rows (see
    ``suppress_counts``) and hexagons from fewer rows (``suppress_hexagons``, said in the notes); None keeps
    every count."""
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
    if min_n is not None:
        suppress_counts(out, groups, counts, min_n)
    hexagons = {}
    notes = [pop_note] if pop_note else []
    area = chosen.geometry.union_all() if per_res else None
    for res, (lon, lat, weights, n_points) in per_res.items():
        grid = hotspots(lon, lat, weights, res=res, area=area, permutations=options.permutations,
                        seed=options.seed, alpha=options.alpha)
        if n_points is not None:
            grid["n_points"] = grid["hex_id"].map(n_points).fillna(0).astype("int64")
        if min_n is not None:
            hidden = suppress_hexagons(grid, min_n)
            notes.append(f"hexagons r{res} of {city}: {hidden} of {len(grid)} with fewer than {min_n} rows (or "
                         "hidden so that none can be worked back from the total) have count, n_points and Gi* "
                         "blanked; the Gi* of the others is still computed over every hexagon's count")
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



def suppress_hexagons(grid: gpd.GeoDataFrame, min_n: int) -> int:
    """Blank (NaN; hot/cold unknown) the count, n_points and Gi* of hexagons with ``0 < n_points < min_n``
    rows, then complementary ones (the next-smallest) when a single one would follow from the published
    total; adds ``suppressed`` and ``suppression``. Empty hexagons stay: a 0 reveals nobody. Returns how many
    were hidden."""
    size = grid["n_points"].to_numpy(dtype=float)
    hidden = primary(size, min_n)
    reasons = np.where(hidden, primary_reason(min_n).replace("respondents", "rows"), "").astype(object)
    hidden, extra = complementary(size, hidden, [Line(tuple(range(len(grid))), None, "total of the hexagons")])
    for pos, text in extra.items():
        reasons[pos] = text
    for column in ("count", "n_points", "gi_z", "gi_p", "gi_p_sim"):
        if column in grid:
            grid[column] = grid[column].astype(float).where(~hidden)
    for column in ("hot", "cold"):
        if column in grid:
            grid[column] = grid[column].astype("boolean").mask(hidden)
    grid["suppressed"] = hidden
    grid["suppression"] = reasons
    return int(hidden.sum())


def suppress_counts(out: pd.DataFrame, groups: pd.DataFrame | None, counts: pd.DataFrame, min_n: int) -> None:
    """Hide (NaN) the counts, shares, rates and LQs of districts and district-group cells from fewer than
    ``min_n`` rows (a count of 0 stays: it reveals nobody), then complementary cells so none can be worked back
    from the city or group totals or a district's total; a hidden district hides all its group cells too, zeros
    included (a 0 beside a hidden total of a few would say what all of those few are). Adds
    ``suppressed`` and ``suppression`` (the reason) to the district table (and to ``groups``)."""
    ids = out["district_id"].tolist()
    n_d = out["n_rows"].to_numpy(dtype=float)
    labels: list[Any] = []
    n_g = np.zeros((len(ids), 0))
    if groups is not None:
        rows_wide = stats.group_rows(counts, ids)
        labels, n_g = list(rows_wide.columns), rows_wide.to_numpy(dtype=float)
    size = np.concatenate([n_d, n_g.ravel()])
    width = len(labels)
    cell = lambda i, g: len(ids) + i * width + g  # noqa: E731
    lines = [Line(tuple(range(len(ids))), None, "city total")]
    lines += [Line(tuple(cell(i, g) for i in range(len(ids))), None, f"total of group {lab!r}")
              for g, lab in enumerate(labels)]
    lines += [Line(tuple(cell(i, g) for g in range(width)), i, "district total") for i in range(len(ids))]
    hidden = primary(size, min_n)
    reasons = np.where(hidden, primary_reason(min_n), "").astype(object)
    while True:
        hidden, extra = complementary(size, hidden, lines)
        for pos, text in extra.items():
            reasons[pos] = text
        follow = [cell(i, g) for i in np.flatnonzero(hidden[:len(ids)]) for g in range(width)
                  if not hidden[cell(i, g)] and size[cell(i, g)] > 0]
        if not follow:
            break
        hidden[follow] = True
        reasons[follow] = "district total suppressed"
    district_hidden = hidden[:len(ids)]
    value_cols = [c for c in ("count", "n_rows", "share_of_city", "per_1000") if c in out]
    out["n_rows"] = out["n_rows"].astype(float)
    out.loc[district_hidden, value_cols] = np.nan
    for g, lab in enumerate(labels):
        cells_hidden = hidden[[cell(i, g) for i in range(len(ids))]] | district_hidden
        cols = [c for c in (f"count_{lab}", f"lq_{lab}", f"lq_low_{lab}", f"lq_high_{lab}") if c in out]
        out.loc[cells_hidden, cols] = np.nan
        if groups is not None:
            mask = (groups["group"] == lab).to_numpy() & groups["district_id"].isin(
                [d for d, h in zip(ids, cells_hidden, strict=True) if h]).to_numpy()
            groups.loc[mask, [c for c in ("count", "lq", "lq_low", "lq_high") if c in groups]] = np.nan
            groups.loc[mask, "suppressed"] = True
            why = {d: reasons[cell(i, g)] or "district total suppressed"
                   for i, (d, h) in enumerate(zip(ids, cells_hidden, strict=True)) if h}
            groups.loc[mask, "suppression"] = groups.loc[mask, "district_id"].map(why)
    if groups is not None:
        groups["suppressed"] = groups.get("suppressed", pd.Series(False, index=groups.index)).fillna(False)
        groups["suppressed"] = groups["suppressed"].astype(bool)
        groups["suppression"] = groups.get("suppression", pd.Series("", index=groups.index)).fillna("")
    out["suppressed"] = district_hidden
    out["suppression"] = reasons[:len(ids)]


def with_scores(result: JoinResult, rows: pd.DataFrame, items: Sequence[ScoreItem], *, group: str | None,
                min_n: int) -> JoinResult:
    """``result`` with survey estimates: ``scores`` (long, every district, city and group),
    ``score_differences`` (with a group) and the "all" estimates as ``{item}_*`` columns of the district table.
    A district without any respondent gets n 0 and reliability "no answers" (not suppressed: nothing to hide)."""
    scores = score_estimates(rows, items, group=group, min_n=min_n)
    scores["synthetic"] = result.synthetic
    differences = None
    if group is not None:
        differences = group_differences(rows, items, group=group, min_n=min_n)
        differences["synthetic"] = result.synthetic
    wide = wide_scores(scores)
    districts = result.districts.drop(columns=[c for c in wide.columns if c in result.districts])
    districts = districts.join(wide, on="district_id")
    for item in items:
        empty = ~districts["district_id"].isin(wide.index)
        districts.loc[empty, f"{item.column}_n"] = 0.0
        districts.loc[empty, f"{item.column}_reliability"] = "no answers"
        districts[f"{item.column}_suppressed"] = districts[f"{item.column}_suppressed"].eq(True)
    return dataclasses.replace(result, districts=districts, scores=scores, score_differences=differences)
