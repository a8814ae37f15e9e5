"""The out-of-core join on the client: the workers' sums (``geo.join.partsums``) made into the same result as
the in-memory join's, table by table, through the same steps (``geo.join.measures.from_counts`` per city,
``geo.join.multicity.combine``, the survey estimates and the release gate in ``geo.join.outofcore_survey``).

Only the set-aside rows differ, by necessity: counted per reason (``reason``, ``rows``) instead of listed with
their row numbers, and the report lists none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import h3
import numpy as np
import pandas as pd

from geo.errors import BadInput, InternalError
from geo.join.choose import Boundaries, Choice, choose_city_and_vintage
from geo.join.measures import HexagonInput, from_counts
from geo.join.multicity import combine
from geo.join.outofcore_survey import release_from_sums, scores_from_sums
from geo.join.partsums import PartSpec, Sums
from geo.join.result import HotspotOptions, JoinResult, make_report
from geo.join.spec import JoinSpec
from geo.settings import CITIES


@dataclass
class Plan:
    """Everything the client decided before the workers ran."""

    label: str
    spec: JoinSpec
    part: PartSpec
    targets: pd.DataFrame
    fixed: Choice | None
    boundaries: Boundaries
    population: pd.DataFrame | None
    synthetic: bool
    input_rows: int
    options: HotspotOptions


def assemble(sums: Sums, plan: Plan, notes: list[str], last: list[str]) -> JoinResult:
    """The join's result from the merged sums (see the module docstring); ``notes``: those said so far
    (reading the columns), ``last``: those said after every other."""
    atoms = _atoms(sums, plan)
    for item, between in sums.between.items():
        if between:
            low, high = plan.part.scales[item]
            raise BadInput(f"score column {item!r} holds values off its {low:g}-{high:g} scale or between its "
                           "points; set them aside or give the right scale")
    choices = _choices(sums, plan)
    results = []
    for city, choice in choices.items():
        mine = atoms[atoms["city"] == city]
        one = from_counts(choice.districts, _counts(mine, plan), _hexagon_input(sums, city, plan), plan.population,
                          city, choice.vintage, plan.synthetic, plan.options,
                          segregation_permutations=plan.spec.segregation_permutations)
        one.report["notes"] = list(choice.notes) + one.report["notes"]
        results.append(one)
    result = combine(results)
    joined = int(atoms["n"].sum())
    aside = {str(k): int(v) for k, v in sums.aside.items() if v}
    if joined + sum(aside.values()) != plan.input_rows:
        raise InternalError(f"out-of-core join: {joined} joined + {sum(aside.values())} set aside != "
                            f"{plan.input_rows} rows")
    extra: dict[str, Any] = {"cities": [{"city": c, "vintage": choice.vintage,
                                         "joined_rows": int(atoms.loc[atoms["city"] == c, "n"].sum())}
                                        for c, choice in choices.items()]}
    if len(choices) > 1 and plan.fixed is None:
        notes.append("several cities in one join: " + ", ".join(
            f"{c} ({choice.vintage}, {int(sums.placed[c]):,} rows)" for c, choice in choices.items()))
    item_notes: list[str] = []
    group = "group" if plan.part.columns.group else None
    if plan.part.scales:
        result, extra["score_items"], item_notes = scores_from_sums(result, atoms, sums, plan.part.scales,
                                                                     plan.spec.top_box, group, joined)
    result.report = make_report(
        name=plan.label, synthetic=plan.synthetic, kind="points", city=result.city, vintage=result.vintage,
        engine="dask", input_rows=plan.input_rows, joined=joined, aside=sum(aside.values()),
        weighted_total=float(atoms["w"].sum()), by_reason=aside,
        notes=notes + list(result.report.get("notes", [])) + item_notes + last,
        columns=plan.part.columns.as_dict(), resolutions=list(result.hexagons), options=plan.options,
        out_of_core=True, **extra,
    )
    if plan.part.scales or plan.spec.min_n is not None:
        result = release_from_sums(result, atoms, sums, plan.part.scales, group, plan.part.columns.group,
                              plan.spec.min_n)
    result.assigned = pd.DataFrame(columns=["row", "district_id"])  # rows stay on the workers: sums only
    set_aside = pd.DataFrame({"reason": list(aside), "rows": list(aside.values())}, columns=["reason", "rows"])
    result.set_aside = set_aside.sort_values(["rows", "reason"], ascending=[False, True], ignore_index=True)
    return result


def _atoms(sums: Sums, plan: Plan) -> pd.DataFrame:
    """The atoms' sums with their city and district_id beside them (target position and group as columns)."""
    if not len(sums.atoms.columns):
        return pd.DataFrame({"city": pd.Series(dtype=object), "district_id": pd.Series(dtype=object),
                             "group": pd.Series(dtype=object), "n": pd.Series(dtype=float),
                             "w": pd.Series(dtype=float)})
    atoms = sums.atoms.reset_index()
    target = atoms.pop("target").to_numpy(dtype=np.int64)
    atoms.insert(0, "district_id", plan.targets["district_id"].to_numpy()[target])
    atoms.insert(0, "city", plan.targets["city"].to_numpy()[target])
    return atoms


def _choices(sums: Sums, plan: Plan) -> dict[str, Choice]:
    """Each city of the rows with its vintage, in the in-memory join's order (``geo.settings.CITIES``)."""
    if plan.fixed is not None:
        return {plan.fixed.city: plan.fixed}
    present = [c for c in CITIES if sums.placed[c] > 0]
    if not present:
        raise BadInput(f"{plan.label}: no row falls in Astana, Almaty or Shymkent; check the coordinates, or "
                       "give --city")
    return {c: choose_city_and_vintage("points", lambda: "", plan.boundaries, c, None) for c in present}


def _counts(atoms: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """district_id, [group], count (summed weights), n_rows: ``geo.indicators.counts.count_rows``' table."""
    keys = ["district_id"] + (["group"] if plan.part.columns.group else [])
    frame = atoms.rename(columns={"w": "count", "n": "n_rows"})
    if frame.empty:
        return pd.DataFrame({**{k: pd.Series(dtype=object) for k in keys}, "count": pd.Series(dtype=float),
                             "n_rows": pd.Series(dtype=np.int64)})
    counts = frame.groupby(keys, sort=True)[["count", "n_rows"]].sum().reset_index()
    counts["n_rows"] = counts["n_rows"].astype(np.int64)
    return counts


def _hexagon_input(sums: Sums, city: str, plan: Plan) -> dict[int, HexagonInput]:
    """Per resolution: the city's hexagon centres carrying their summed weights, and the rows per hexagon."""
    out: dict[int, HexagonInput] = {}
    if not len(sums.hexes.columns):
        return out
    hexes = sums.hexes.reset_index()
    for res in plan.part.resolutions:
        mine = hexes[(hexes["res"] == res) & (hexes["city"] == city)].sort_values("hex_id")
        if len(mine):
            centres = np.array([h3.cell_to_latlng(c) for c in mine["hex_id"]])
            n_points = pd.Series(mine["n"].to_numpy(dtype=np.int64), index=mine["hex_id"].to_numpy())
            out[res] = (centres[:, 1], centres[:, 0], mine["w"].to_numpy(dtype=float), n_points)
    return out
