"""``join_user_data``: a researcher's points or district names joined to the districts, with indicators and a
report.

The one pipeline behind both ``qala join`` (``geo.join.cli``) and the dashboard upload. It returns a
``JoinResult`` (``geo.join.result``) holding, per district of the chosen boundary vintage: the count (weighted
when a weight column is given), the share of the city, the count per 1,000 residents (with the population
figure's period and source), per group the count and location quotient; per group the dissimilarity and
isolation indices (ours and PySAL's); with coordinates, H3 hexagons with Gi* hot and cold spots; and a report
of every input row that was not joined, with its row number and reason. ``joined + set aside == input rows``
is asserted.

Several cities join in one run (``geo.join.multicity``): each row goes to its own city (``--city``, a city
column, or where its point or district name lies) and that city's current vintage; one result covers them all.
With score items (``--score``), each district gets its survey estimates (``geo.join.measures.with_scores``)
and small counts are suppressed (``min_n``).

The steps, one module each: read and judge the rows (``geo.join.table``, ``geo.join.rules``), choose the city
and vintage (``geo.join.choose``), assign rows to districts (``geo.join.assign``, ``geo.join.multicity``),
compute every indicator from the counts (``geo.join.measures``). A Parquet input with ``engine="dask"`` takes the out-of-core path
instead (``geo.join.outofcore``), which ends in the same ``measures`` step.
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import QalaError
from geo.indicators.counts import count_rows
from geo.join.assign import shown
from geo.join.cells import NONRESPONSE
from geo.join.choose import Boundaries
from geo.join.measures import HexagonInput, from_counts
from geo.join.multicity import CityPart, Split, combine, split_and_assign
from geo.join.outofcore import join_out_of_core, parquet_parts
from geo.join.result import REPORT_ROWS, HotspotOptions, JoinResult, make_report, release_notes
from geo.join.spec import ENGINES, JoinSpec, parse_score
from geo.join.table import NONRESPONSE_PREFIX, UserTable, read_user_file
from geo.release.gate import release
from geo.release.rules import Policy

__all__ = ["ENGINES", "JoinResult", "JoinSpec", "join_user_data", "parse_score"]  # also imported from here

def join_user_data(
    path: str | Path,
    spec: JoinSpec | None = None,
    *,
    districts: gpd.GeoDataFrame | None = None,
    population: pd.DataFrame | None = None,
    name: str | None = None,
    client: Any = None,
    **choices: Any,
) -> JoinResult:
    """Join the researcher's file at ``path`` to the districts of its cities, as ``spec`` says
    (``geo.join.spec.JoinSpec``; ``choices`` are its fields, given one by one or changing the spec's).

    ``districts`` (the built-layer schema, every vintage) and ``population`` (columns district_id, value,
    period_label, source[, confidence]) default to the built layers (``geo.store``); tests and the dashboard
    may pass their own. ``name`` is the original file name of an uploaded temporary copy. ``client`` is an
    open ``distributed.Client`` to use instead of the spec's scheduler. Raises ``QalaError`` subclasses for
    input that cannot be used at all.

    A join with score items or an explicit ``min_n`` is a survey join: its outputs pass the release gate
    (``geo.release``) before they are returned, so what the caller writes or shows is already released.
    ``engine="dask"`` on a Parquet file or a folder of Parquet parts with coordinates never loads the points
    (``geo.join.outofcore``): the same spec, rules, outputs and release gate, from the workers' sums.
    """
    spec = (spec or JoinSpec()).with_changes(**choices) if choices else (spec or JoinSpec())
    options = HotspotOptions(permutations=spec.permutations, seed=spec.seed, alpha=spec.alpha)
    boundaries = Boundaries(districts)
    if spec.engine == "dask" and spec.district_col is None and not spec.auto_scores and parquet_parts(path):
        from geo.engines.outofcore import dask_client

        with nullcontext(client) if client is not None else dask_client(spec.scheduler) as active:
            return join_out_of_core(Path(path), spec, boundaries=boundaries, population=population, name=name,
                                    client=active)
    only_city = spec.city or (boundaries.city_of(spec.vintage) if spec.vintage is not None else None)
    table = read_user_file(
        path, lat_col=spec.lat_col, lon_col=spec.lon_col, district_col=spec.district_col,
        group_col=spec.group_col, weight_col=spec.weight_col, name=name, city_col=spec.city_col,
        scores=spec.items, only_city=only_city, auto_scores=spec.auto_scores,
        sheet=spec.sheet,
    )
    split = split_and_assign(table, boundaries, spec.city, spec.vintage, engine=spec.engine,
                             scheduler=spec.scheduler)
    result, assigned, set_aside = _join_parts(table, split, population, spec, options)
    result = _reported(result, table, split, assigned, set_aside, spec, options)
    if table.scales or spec.min_n is not None:
        result = _release(result, table, assigned, Policy.default(spec.min_n))
    result.assigned = assigned.drop(columns=[c for c in assigned if c.startswith(NONRESPONSE_PREFIX)])
    result.set_aside = set_aside
    return result


def _reported(result: JoinResult, table: UserTable, split: Split, assigned: pd.DataFrame, set_aside: pd.DataFrame,
              spec: JoinSpec, options: HotspotOptions) -> JoinResult:
    """The joined result with its score items (if any) and its report: what was read, joined and set aside
    and why, every note of the reading, the split and the statistics."""
    notes: list[str] = []
    extra: dict[str, Any] = {"cities": [{"city": p.choice.city, "vintage": p.choice.vintage,
                                         "joined_rows": int((p.position >= 0).sum())} for p in split.parts]}
    if table.scales:
        result, extra["score_items"], item_notes = _with_scores(result, table, assigned, spec.top_box)
        notes += item_notes
    notes = table.notes + split.notes + list(result.report.get("notes", [])) + notes
    if spec.engine == "dask":
        notes.append("read in memory, points assigned on dask; out of core needs Parquet (a file or a folder "
                     "of parts) with coordinate columns")
    weights = assigned["weight"] if "weight" in assigned else pd.Series(1.0, index=assigned.index)
    by_reason = {str(k): int(v) for k, v in set_aside["reason"].value_counts().items()}
    result.report = make_report(
        name=table.path.name, synthetic=table.synthetic, kind=table.kind, city=result.city,
        vintage=result.vintage, engine=spec.engine, input_rows=table.input_rows, joined=len(assigned),
        aside=len(set_aside), weighted_total=float(weights.sum()), by_reason=by_reason,
        notes=notes,
        columns=table.columns, resolutions=list(result.hexagons), options=options,
        set_aside_first=set_aside.head(REPORT_ROWS).to_dict(orient="records"),  # all of them: set_aside.csv
        **extra,
    )
    return result


def _join_parts(
    table: UserTable, split: Split, population: pd.DataFrame | None, spec: JoinSpec, options: HotspotOptions
) -> tuple[JoinResult, pd.DataFrame, pd.DataFrame]:
    """Each city's counts and indicators, combined; the joined rows and every row set aside, in row order."""
    results, joined, late = [], [], []
    for part in split.parts:
        assigned = _joined_rows(part)
        one = from_counts(part.choice.districts, _counts(assigned),
                          _hexagon_input(table, assigned, list(spec.h3_res)), population, part.choice.city,
                          part.choice.vintage, table.synthetic, options,
                          segregation_permutations=spec.segregation_permutations)
        one.report["notes"] = list(part.choice.notes) + one.report["notes"]
        results.append(one)
        joined.append(assigned)
        missed = part.position < 0
        late.append(pd.DataFrame({"row": part.rows["row"][missed].to_numpy(), "reason": part.reasons[missed],
                                  "value": shown(part.rows[missed])}))
    if len(split.unplaced):
        late.append(pd.DataFrame({"row": split.unplaced["row"].to_numpy(), "reason": split.unplaced_reasons,
                                  "value": shown(split.unplaced)}))
    assigned = pd.concat(joined, ignore_index=True).sort_values("row", ignore_index=True)
    set_aside = pd.concat([table.set_aside, *late], ignore_index=True).sort_values("row", ignore_index=True)
    if len(assigned) + len(set_aside) != table.input_rows:
        raise QalaError(f"{table.path.name}: {len(assigned)} joined + {len(set_aside)} set aside != "
                        f"{table.input_rows} rows read; this is a bug, please report it with the file's header")
    return combine(results), assigned, set_aside


def _release(result: JoinResult, table: UserTable, assigned: pd.DataFrame, policy: Policy) -> JoinResult:
    """The survey join through the release gate; the report's own totals of hidden cells blanked too."""
    from geo.indicators.survey import ScoreItem

    items = [ScoreItem(c, int(low), int(high)) for c, (low, high, _) in table.scales.items()]
    group = "group" if "group" in assigned else None
    released = release(result, _survey_rows(table, assigned), items, group=group, policy=policy, group_column=table.columns.get("group"))
    return release_notes(released, policy)


def _joined_rows(part: CityPart) -> pd.DataFrame:
    """The part's joined rows with their district id (and city) beside the row number."""
    ok = part.position >= 0
    assigned = part.rows[ok].copy()
    assigned.insert(1, "district_id", part.choice.districts["district_id"].to_numpy()[part.position[ok]])
    if "city" not in assigned:
        assigned.insert(2, "city", part.choice.city)
    return assigned


def _counts(assigned: pd.DataFrame) -> pd.DataFrame:
    weights = assigned["weight"].to_numpy() if "weight" in assigned else np.ones(len(assigned))
    keys = ["district_id"] + (["group"] if "group" in assigned else [])
    return count_rows({k: assigned[k].to_numpy() for k in keys}, weights)


def _hexagon_input(table: UserTable, assigned: pd.DataFrame, res: list[int]) -> dict[int, HexagonInput]:
    if table.kind != "points" or assigned.empty:
        return {}
    weights = assigned["weight"].to_numpy() if "weight" in assigned else np.ones(len(assigned))
    return {r: (assigned["lon"], assigned["lat"], weights, None) for r in res}


def _with_scores(
    result: JoinResult, table: UserTable, assigned: pd.DataFrame, top_box: int
) -> tuple[JoinResult, dict[str, dict[str, Any]], list[str]]:
    """Survey estimates per district (``geo.join.measures.with_scores``), each item's scale and
    non-response among the joined rows, and the notes that say what was inferred."""
    from geo.indicators.survey import score_item
    from geo.join.measures import with_scores

    items: list[Any] = []
    report: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    for column, (low, high, inferred) in table.scales.items():
        items.append(item := score_item(column, low, high, inferred=inferred, top_box=top_box))
        codes = assigned[NONRESPONSE_PREFIX + column].to_numpy()
        report[column] = {"scale": f"{low:g}-{high:g}", "scale_inferred": inferred, "top_box": item.top,
                          **{kind: int((codes == i).sum()) for i, kind in enumerate(NONRESPONSE)}}
        if inferred:
            notes.append(f"scale of {column!r} inferred as {low:g}-{high:g} from its answers (state it with "
                         f"--score {column}:{low:g}-{high:g})")
        missing = report[column]["dont_know"] + report[column]["blank"]
        if missing:
            notes.append(f"{column!r}: {missing:,} joined rows without an answer ({report[column]['dont_know']:,} "
                         f"don't know, {report[column]['blank']:,} blank): not scored, still joined")
    group = "group" if "group" in assigned else None
    return with_scores(result, _survey_rows(table, assigned), items, group=group), report, notes


def _survey_rows(table: UserTable, assigned: pd.DataFrame) -> pd.DataFrame:
    """The joined rows as the survey steps take them: city, district_id, weight (1 without a weight column),
    the score items (NaN: no answer) and the group, if any."""
    keep = ["city", "district_id", *table.scales] + (["group"] if "group" in assigned else [])
    rows = assigned[keep].copy()
    rows.insert(2, "weight", assigned["weight"].to_numpy(dtype=float) if "weight" in assigned else 1.0)
    return rows
