"""``join_user_data``: a researcher's points or district names joined to the districts, with indicators and a
report.

The one pipeline behind both ``qala join`` (``geo.join.cli``) and the dashboard upload. It returns a
``JoinResult`` (``geo.join.result``) holding, per district of the chosen boundary vintage: the count (weighted
when a weight column is given), the share of the city, the count per 1,000 residents (with the population
figure's period and source), per group the count and location quotient; per group the dissimilarity and
isolation indices (ours and PySAL's); with coordinates, H3 hexagons with Gi* hot and cold spots; and a report
of every input row that was not joined, with its row number and reason. ``joined + set aside == input rows``
is asserted.

The steps, one module each: read and judge the rows (``geo.join.table``, ``geo.join.rules``), choose the city
and vintage (``geo.join.choose``), assign rows to districts (``geo.join.assign``), compute every indicator
from the counts (``geo.join.measures``). A Parquet input with ``engine="dask"`` takes the out-of-core path
instead (``geo.join.outofcore``), which ends in the same ``measures`` step.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.errors import BadInput
from geo.indicators.counts import count_rows
from geo.indicators.hotspots import DEFAULT_PERMUTATIONS, DEFAULT_SEED
from geo.join.assign import assign_by_coordinates, assign_by_names, shown
from geo.join.choose import Boundaries, choose_city_and_vintage, infer_city, resolutions
from geo.join.measures import HexagonInput, from_counts
from geo.join.outofcore import join_out_of_core, parquet_parts
from geo.join.result import REPORT_ROWS, HotspotOptions, JoinResult, make_report
from geo.join.table import read_user_file

__all__ = ["ENGINES", "JoinResult", "join_user_data"]  # JoinResult also imported from here (dashboard)

ENGINES = ("builtin", "dask")


def join_user_data(
    path: str | Path,
    *,
    city: str | None = None,
    vintage: str | None = None,
    lat_col: str | None = None,
    lon_col: str | None = None,
    district_col: str | None = None,
    group_col: str | None = None,
    weight_col: str | None = None,
    h3_res: int | Sequence[int] | None = (8,),
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = DEFAULT_SEED,
    alpha: float = 0.05,
    engine: str = "builtin",
    scheduler: str | None = None,
    districts: gpd.GeoDataFrame | None = None,
    population: pd.DataFrame | None = None,
    name: str | None = None,
    client: Any = None,
) -> JoinResult:
    """Join the researcher's file at ``path`` to the districts of ``vintage`` (latest of ``city`` by default).

    ``districts`` (the built-layer schema, every vintage) and ``population`` (columns district_id, value,
    period_label, source[, confidence]) default to the built layers (``geo.store``); tests and the dashboard
    may pass their own. ``name`` is the original file name of an uploaded temporary copy. ``h3_res`` is a
    resolution or a sequence of them (7..9), empty for none. Raises ``QalaError`` subclasses for input that
    cannot be used at all.

    ``engine="dask"`` on a Parquet file or a folder of Parquet parts never loads the points
    (``geo.join.outofcore``). ``client`` is an open ``distributed.Client`` to use instead of ``scheduler``.
    """
    if engine not in ENGINES:
        raise BadInput(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    h3_resolutions = resolutions(h3_res)
    options = HotspotOptions(permutations=permutations, seed=seed, alpha=alpha)
    boundaries = Boundaries(districts)
    if engine == "dask" and district_col is None and parquet_parts(path):
        from geo.engines.outofcore import dask_client

        with nullcontext(client) if client is not None else dask_client(scheduler) as active:
            return join_out_of_core(
                Path(path), city=city, vintage=vintage, lat_col=lat_col, lon_col=lon_col, group_col=group_col,
                weight_col=weight_col, resolutions=h3_resolutions, boundaries=boundaries,
                population=population, name=name, client=active, options=options,
            )
    table = read_user_file(
        path, lat_col=lat_col, lon_col=lon_col, district_col=district_col, group_col=group_col,
        weight_col=weight_col, name=name,
    )
    choice = choose_city_and_vintage(table.kind, lambda: infer_city(table, boundaries), boundaries, city,
                                     vintage)
    city, vintage, chosen, notes = choice.city, choice.vintage, choice.districts, list(choice.notes)

    if table.kind == "points":
        position, reasons = assign_by_coordinates(table, chosen, boundaries, city, vintage, engine=engine,
                                                  scheduler=scheduler)
    else:
        position, reasons = assign_by_names(table, chosen, city, vintage)
    rows = table.rows
    joined = position >= 0
    assigned = rows[joined].copy()
    assigned.insert(1, "district_id", chosen["district_id"].to_numpy()[position[joined]])
    late = pd.DataFrame({"row": rows["row"][~joined].to_numpy(), "reason": reasons[~joined],
                         "value": shown(rows[~joined])})
    set_aside = pd.concat([table.set_aside, late], ignore_index=True).sort_values("row", ignore_index=True)
    assert len(assigned) + len(set_aside) == table.input_rows, "joined + set aside must equal the input rows"

    weights = assigned["weight"] if "weight" in assigned else pd.Series(1.0, index=assigned.index)
    keys = ["district_id"] + (["group"] if "group" in assigned else [])
    counts = count_rows({k: assigned[k].to_numpy() for k in keys}, weights.to_numpy())
    per_res: dict[int, HexagonInput] = {}
    if table.kind == "points" and len(assigned) >= 1:
        per_res = {res: (assigned["lon"], assigned["lat"], weights.to_numpy(), None)
                   for res in h3_resolutions}
    result = from_counts(chosen, counts, per_res, population, city, vintage, table.synthetic, options)
    if engine == "dask":
        notes.append("read in memory, points assigned on dask; out of core needs Parquet (a file or a folder "
                     "of parts) with coordinate columns")
    by_reason = {str(k): int(v) for k, v in set_aside["reason"].value_counts().items()}
    result.report = make_report(
        name=table.path.name, synthetic=table.synthetic, kind=table.kind, city=city, vintage=vintage,
        engine=engine, input_rows=table.input_rows, joined=len(assigned), aside=len(set_aside),
        weighted_total=float(weights.sum()), by_reason=by_reason,
        notes=table.notes + notes + result.report["notes"], columns=table.columns,
        resolutions=list(result.hexagons), options=options,
        set_aside_first=set_aside.head(REPORT_ROWS).to_dict(orient="records"),  # all of them: set_aside.csv
    )
    result.assigned, result.set_aside = assigned.reset_index(drop=True), set_aside
    return result
