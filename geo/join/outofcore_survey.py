"""The survey side of the out-of-core join: score estimates and the release gate from the workers' sums.

Why this works without rows: the in-memory estimates (``geo.indicators.survey``) are built from per-cell,
per-answer-point sums of 1, w and w^2 and per-cell non-response, and the release gate's cells
(``geo.release.cells``) from per-atom sums and the two largest weights; the workers send exactly those
(``geo.join.partsums``), so ``geo.join.measures.with_score_sums`` and ``geo.release.gate.release_sums``
compute what the in-memory join does (to the rounding of sums added in another order). The report's notes say what ``geo.join.pipeline`` says.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from geo.indicators.survey import ScoreItem, score_item
from geo.join.measures import with_score_sums
from geo.join.partsums import TOP, Sums
from geo.join.result import JoinResult, release_notes
from geo.release.gate import release_sums
from geo.release.rules import Policy


def scores_from_sums(result: JoinResult, atoms: pd.DataFrame, sums: Sums, scales: dict[str, tuple[float, float]],
                     top_box: int, group: str | None,
                     n_total: int) -> tuple[JoinResult, dict[str, dict[str, Any]], list[str]]:
    """``result`` with its score estimates (``geo.join.measures.with_scores`` from sums), the report's score
    items and the notes on answers missing (as ``geo.join.pipeline`` writes them)."""
    items, report, notes = [], {}, []
    for column, (low, high) in scales.items():
        items.append(item := score_item(column, low, high, inferred=False, top_box=top_box))
        counts = {"answered": int(atoms[_points(column, "c", low, high)].to_numpy().sum()),
                  "dont_know": int(atoms[f"{column}:dk"].sum()), "blank": int(atoms[f"{column}:blank"].sum())}
        report[column] = {"scale": f"{low:g}-{high:g}", "scale_inferred": False, "top_box": item.top, **counts}
        missing = counts["dont_know"] + counts["blank"]
        if missing:
            notes.append(f"{column!r}: {missing:,} joined rows without an answer ({counts['dont_know']:,} "
                         f"don't know, {counts['blank']:,} blank): not scored, still joined")
    groups = sorted(sums.first, key=lambda g: sums.first[g])
    return with_score_sums(result, atoms, items, group=group, groups=groups, n_total=n_total), report, notes


def _points(column: str, name: str, low: float, high: float) -> list[str]:
    return [f"{column}:{name}{p}" for p in range(int(high - low) + 1)]


def release_from_sums(result: JoinResult, atoms: pd.DataFrame, sums: Sums, scales: dict[str, tuple[float, float]],
                 group: str | None, group_column: str | None, min_n: int | None) -> JoinResult:
    """The survey join through the release gate (``geo.release.gate.release_cells``) with its cells filled
    from the sums; the report's own totals of hidden cells blanked and its notes, as in memory."""
    policy = Policy.default(min_n)
    items = [ScoreItem(c, int(low), int(high)) for c, (low, high) in scales.items()]
    sizes = None
    if group:
        sizes = atoms.groupby("group", sort=False)["n"].sum().reindex(sorted(sums.first, key=lambda g: sums.first[g]))
        sizes = sizes.astype(np.int64).sort_values(ascending=False, kind="stable")
    quantities, top2 = _quantities(atoms, items)
    released = release_sums(result, atoms[["city", "district_id", "group"]], quantities, top2, items, group=group,
                            policy=policy, group_sizes=sizes, group_column=group_column)
    return release_notes(released, policy)


def _quantities(atoms: pd.DataFrame, items: list[ScoreItem]) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Per atom the release cells' additive quantities (``geo.release.cells``' names) and two largest weights."""
    def tops(key: str) -> np.ndarray:
        return atoms[[f"{TOP}{key}:1", f"{TOP}{key}:2"]].to_numpy(dtype=float)

    quantities: dict[str, Any] = {"n": atoms["n"], "w": atoms["w"], "w2": atoms["w2"]}
    top2 = {"": tops("")}
    for item in items:
        name = item.column
        quantities[f"{name}:n"] = atoms[_points(name, "c", item.low, item.high)].sum(axis=1)
        quantities[f"{name}:r"] = atoms[f"{name}:dk"] + atoms[f"{name}:blank"]
        quantities[f"{name}:q"] = atoms[_points(name, "q", item.low, item.high)].sum(axis=1)
        for k, point in enumerate(item.points):
            quantities[f"{name}:p{point}"] = atoms[f"{name}:w{k}"]
        top2[name] = tops(name)
    return quantities, top2
