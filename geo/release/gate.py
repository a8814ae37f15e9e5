"""The release gate: every survey-derived figure of a join passes here before anyone sees or writes it.

``release`` takes a join's unsuppressed result and its joined rows and returns the released result: one
suppression pattern over every linked table (``geo.release.cells``), primary cells by the rules
(``geo.release.rules``), further cells hidden until the attacker's audit (``geo.release.audit``) leaves every
sensitive cell its protection interval, then the pattern applied to every table at once. A cell hidden anywhere
is hidden everywhere (counts, weights, every item's estimate and distribution, group differences), under one
published word, "suppressed", so the published tables never say which hidden cells are small.

Outputs that are not sums (location quotients, shares, rates, shrunk means) are recomputed or kept only where
all their ingredients are shown; segregation indices and hot-spot hexagons of a city with any hidden cell are
left out (they are non-linear in the hidden cells, and hexagons cut across districts), and the report says so.

The report has two copies: ``public`` (rules, levels, what is hidden and the interval an attacker can derive for
each hidden cell: nothing an attacker could not compute) goes beside a publication; ``steward`` adds why each
cell is hidden (small, dominance, complement) and stays in the join's private output, since the reasons would
tell which hidden cells are the small ones.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from geo.errors import BadInput
from geo.release import cells as cellmod
from geo.release.apply import apply
from geo.release.audit import Audit
from geo.release.cells import Cells, Item
from geo.release.rules import REASONS, Policy, protected, sensitive

REPORT_FORMAT = 1
LIMITS = ("known_answers", "second_moments", "zero_cells")
SOLVER = "HiGHS (scipy.optimize.linprog)"


def release(result: Any, rows: pd.DataFrame, items: Sequence[Any], *, group: str | None,
            policy: Policy, group_column: str | None = None, level: float = 0.95) -> Any:
    """The released ``result`` (a ``geo.join.result.JoinResult``: the gate sits below the join and does not
    import it): suppression decided over every table, applied to all, with ``report['release']`` (the public
    report) and ``report['release_steward']`` (the same with each hidden cell's reason).

    ``rows``: the joined rows (city, district_id, weight, [group], item columns, NaN = no answer); ``items``:
    ``geo.indicators.survey.ScoreItem``s; ``group``: the group column of ``rows``; ``group_column``: its name
    in the researcher's file (for messages)."""
    started = time.perf_counter()
    specs = [Item(i.column, int(i.low), int(i.high)) for i in items]
    if group:
        check_group_sizes(rows[group].astype(str).value_counts(), group_column or group, policy)
    frame = rows.copy()
    if "weight" not in frame:
        frame["weight"] = 1.0
    cells = cellmod.build(frame, result.districts[["district_id", "city"]], specs, group)
    return _release_cells(result, cells, items, group=group, policy=policy, level=level, started=started)


def release_sums(result: Any, atoms: pd.DataFrame, quantities: dict[str, np.ndarray], top2: dict[str, np.ndarray],
                 items: Sequence[Any], *, group: str | None, policy: Policy, group_sizes: pd.Series | None = None,
                 group_column: str | None = None, level: float = 0.95) -> Any:
    """``release`` from per-atom sums instead of rows (``geo.release.cells.from_sums``): the out-of-core join
    sends no rows to the client, and passes the same gate. ``group_sizes``: respondents per group label,
    largest first."""
    started = time.perf_counter()
    if group_sizes is not None:
        check_group_sizes(group_sizes, group_column or group, policy)
    specs = [Item(i.column, int(i.low), int(i.high)) for i in items]
    cells = cellmod.from_sums(result.districts[["district_id", "city"]], atoms, quantities, top2, specs, group)
    return _release_cells(result, cells, items, group=group, policy=policy, level=level, started=started)


def _release_cells(result: Any, cells: Cells, items: Sequence[Any], *, group: str | None, policy: Policy,
                   level: float, started: float) -> Any:
    specs = [Item(i.column, int(i.low), int(i.high)) for i in items]
    top = _top(cells)
    if (sensitive(cells, [], policy)[top] != "").any():
        raise _too_small(cells, policy)
    # an item whose all-respondents figure is a handful of answers is left out whole (that figure is never hidden)
    kept = [i for i in specs if not (sensitive(cells, [i], policy)[top] != "").any()]
    reasons = sensitive(cells, kept, policy)
    primary = np.flatnonzero(reasons != "")
    hidden, audit, kept = _suppress(cells, reasons, kept, policy)
    if any(_shortfall(audit, int(t), kept, policy) is not None for t in primary):
        raise RuntimeError("release gate: a sensitive cell is still unprotected after suppression (a bug)")
    names = {i.column for i in kept}
    released = apply(result, cells, hidden, [i for i in items if i.column in names], group, level)
    left_out = [{"output": "item", "item": i.column, "why": "too_few_answers"} for i in specs if i.column not in names]
    left_out += _left_out(released, cells, hidden, policy)
    steward = _report(cells, hidden, reasons, audit, policy, released, left_out, started)
    # the public copy: no reasons, and not how much work the audit took (its count of programmes grows with the
    # number of small cells, which the published tables do not tell)
    public = {**steward, "hidden": [{k: v for k, v in h.items() if k != "reason"} for h in steward["hidden"]],
              "audit": {k: v for k, v in steward["audit"].items() if k not in ("programs", "seconds")}}
    released.report = {**result.report, "release": public, "release_steward": steward}
    return released


def _too_small(cells: Cells, policy: Policy) -> BadInput:
    return BadInput(f"only {int(cells.total('n').max())} respondents joined (or too few effective ones): nothing of "
                    f"it can be published at the threshold {policy.min_n}; fix: join a larger survey")


def check_group_sizes(sizes: pd.Series, column: str | None, policy: Policy) -> None:
    """Group labels are categories, each with at least min_n respondents: ids or free text would be published
    as labels (and name a cell of one person). ``sizes``: respondents per label, largest first."""
    small = sizes[sizes < policy.min_n]
    if len(small):
        shown = ", ".join(repr(str(v))[:30] for v in small.index[:3])
        raise BadInput(f"group column {column!r}: {len(small)} of its {len(sizes)} values have fewer than "
                       f"{policy.min_n} respondents (e.g. {shown}): ids or free text cannot be published as groups; "
                       "fix: merge them into categories of at least that many respondents, or leave the group "
                       "column out")


def _suppress(cells: Cells, reasons: np.ndarray, items: list[Item],
              policy: Policy) -> tuple[np.ndarray, Audit, list[Item]]:
    """Primary cells, then complements until the audit finds every sensitive cell protected; returns the
    pattern, its audit and the items still released (one whose answers only the never-hidden total could
    protect is left out).

    Hiding a cell only removes what the attacker knows, so a cell once protected stays protected: one pass
    over the sensitive cells (smallest first) suffices. Each step hides the cells of the cheapest change of
    the table (``_cycle``) that moves the unprotected cell by its protection while every other shown cell
    keeps its value: once they are hidden, the attacker cannot tell the true table from the changed one."""
    hidden = reasons != ""
    for cell in np.flatnonzero(hidden):  # a sensitive cell's group cells go with it, zeros too: a 0 beside
        atoms = cells.members[cell]      # a hidden total of a few would say what all of those few are
        reasons[atoms[~hidden[atoms]]] = "complement"
        hidden[atoms] = True
    n = cells.total("n")
    audit = Audit(cells, hidden)
    for target in sorted((int(i) for i in np.flatnonzero(np.isin(reasons, REASONS))), key=lambda i: (n[i], i)):
        while (gap := _shortfall(audit, target, items, policy)) is not None:
            quantity, values, need = gap
            pick = _cycle(cells, audit.hidden, target, values, need)
            if not pick:  # nothing left to change around it: widen through a shown cell that holds it
                holder = _holder(cells, audit.hidden, target, n)
                if holder is None and ":" in quantity:  # only the never-hidden total is left: the item's
                    items = [i for i in items if i.column != quantity.split(":")[0]]  # answers there say
                    continue                                                           # too much: left out
                if holder is None:
                    raise _too_small(cells, policy)
                pick = [holder]
            hidden = audit.hidden.copy()
            hidden[pick] = True
            reasons[pick] = "complement"
            audit = Audit(cells, hidden, audit.programs)  # the count of programmes carries on
    return audit.hidden, audit, items


def _shortfall(audit: Audit, target: int, items: list[Item],
               policy: Policy) -> tuple[str, np.ndarray, float] | None:
    """The first quantity of ``target`` whose interval misses its protection: its name, per-atom values and
    the signed change it needs (positive: upwards); None when protected."""
    cells = audit.cells
    n_true = float(cells.total("n")[target])
    checks: list[tuple[str, np.ndarray, float, bool, tuple[float, float]]] = [
        ("n", cells.quantities["n"], n_true, False, audit.interval(target, "n")),
        ("w", cells.quantities["w"], n_true, True, audit.interval(target, "w"))]
    for name, values, count, weighted, (lo, hi) in checks:
        gap = _gap(values, cells.members[target], count, weighted, lo, hi, policy)
        if gap is not None:
            return name, values, gap
    for item in items:
        answered = float(cells.total(f"{item.column}:n")[target])
        if answered <= 0:
            continue
        # the answerers' weight and their answers above the scale's low end (together: the weighted sum of
        # the answers, whatever the scale's origin)
        weight = [(f"{item.column}:p{p}", 1.0) for p in item.points]
        above = [(name, float(p - item.low)) for (name, _), p in zip(weight, item.points, strict=True) if p > item.low]
        if all(protected(sum(coef * float(cells.total(name)[target]) for name, coef in parts),
                         *audit.weighted_sum(target, parts), answered, policy, weighted=True)
               for parts in (weight, above)):
            continue
        # both are protected when each point's weight is: move the point that falls shortest
        gaps = [(name, _gap(cells.quantities[name], cells.members[target], answered, True,
                            *audit.interval(target, name), policy)) for name, _ in weight]
        short = [(abs(gap), name, gap) for name, gap in gaps if gap is not None]
        if short:
            _, name, gap = max(short)
            return name, cells.quantities[name], gap
    return None


def _gap(values: np.ndarray, members: np.ndarray, count: float, weighted: bool, lo: float, hi: float,
         policy: Policy) -> float | None:
    """The signed change a cell's quantity must be able to make (positive: upwards), None when protected."""
    value = float(values[members].sum())
    if protected(value, lo, hi, count, policy, weighted=weighted):
        return None
    up, down = _needs(value, count, policy, weighted)
    return up if hi < value + up - 1e-9 * max(1.0, value) else -down


def _needs(value: float, count: float, policy: Policy, weighted: bool) -> tuple[float, float]:
    """How far above and below its true value a sensitive cell's quantity must be able to move."""
    if weighted:
        share = policy.half_width / max(count, 1.0)
        return value * share, min(value, value * share)
    return max(policy.half_width, policy.min_n - value), min(value, policy.half_width)


# what hiding a cell costs, per unit of change, by level: group cells first, then districts and city groups,
# city totals last (the figures planners read). The all-cities total is never hidden: the rows read minus the
# rows set aside, both in every report, give it anyway.
LEVEL_COST = {"group": 1.0, "district": 3.0, "city_group": 3.0, "city": 30.0}


def _top(cells: Cells) -> np.ndarray:
    """The cell of every joined respondent (all cities, or the one city), which is never hidden."""
    level = cells.keys["level"]
    top = level == ("national" if (level == "national").any() else "city")
    return top.to_numpy()


def _cycle(cells: Cells, hidden: np.ndarray, target: int, values: np.ndarray, need: float) -> list[int]:
    """Shown cells to hide so the table can change by ``need`` in ``target`` with every other shown cell
    unchanged and no atom negative: the cheapest such change (a linear programme, minimising the
    level-and-size cost of the cells it touches) tells which."""
    n_atoms = cells.n_atoms
    fixed = np.flatnonzero(_top(cells) & ~hidden)
    shown = np.flatnonzero(~hidden & ~_top(cells))
    n = cells.total("n")
    cost = np.array([LEVEL_COST[cells.keys.at[c, "level"]] * (1.0 + n[c]) for c in shown])
    incidence = np.zeros((len(shown), n_atoms))
    for r, c in enumerate(shown):
        incidence[r, cells.members[c]] = 1.0
    target_row = np.zeros(n_atoms)
    target_row[cells.members[target]] = 1.0
    k = len(shown)
    # variables: delta per atom, then s per shown cell (|incidence . delta| <= s)
    objective = np.r_[np.zeros(n_atoms), cost]
    eye = np.eye(k)
    a_ub = np.vstack([np.hstack([incidence, -eye]), np.hstack([-incidence, -eye]),
                      np.r_[-np.sign(need) * target_row, np.zeros(k)][None, :]])
    b_ub = np.r_[np.zeros(2 * k), -abs(need)]
    a_eq = np.zeros((len(fixed), n_atoms + k))
    for r, c in enumerate(fixed):
        a_eq[r, cells.members[c]] = 1.0
    slack = 1e-9 * max(1.0, abs(need))  # a move to exactly 0 must not fail on rounding
    bounds = [(-float(v) - slack, None) for v in values] + [(0, None)] * k
    res = linprog(objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq if len(fixed) else None,
                  b_eq=np.zeros(len(fixed)) if len(fixed) else None, bounds=bounds, method="highs")
    if res.status != 0:
        return []
    change = res.x[n_atoms:]
    return [int(shown[i]) for i in np.flatnonzero(change > 1e-7 * max(1.0, abs(need)))]


def _holder(cells: Cells, hidden: np.ndarray, target: int, n: np.ndarray) -> int | None:
    """The smallest shown cell (never the total of all) that holds every atom of ``target``, None if none."""
    members = set(cells.members[target].tolist())
    hideable = ~hidden & ~_top(cells)
    holders = [c for c in np.flatnonzero(hideable) if members <= set(cells.members[c].tolist())]
    return int(min(holders, key=lambda c: (n[c], c))) if holders else None


def _left_out(result: Any, cells: Cells, hidden: np.ndarray, policy: Policy) -> list[dict[str, Any]]:
    """Indices and hexagons of cities with hidden cells (or hexagons of fewer than min_n rows) taken out of
    ``result``; returns what was left out and why."""
    keys = cells.keys
    touched = {c for c, h in zip(keys["city"], hidden, strict=True) if h and c is not None}
    if hidden[keys.index[keys["level"] == "national"]].any():
        touched |= {c for c in keys["city"] if c is not None}
    left: list[dict[str, Any]] = []
    if result.indices is not None:
        drop = result.indices["city"].isin(touched) if "city" in result.indices else pd.Series(
            bool(touched), index=result.indices.index)
        left += [{"output": "indices", "city": c, "why": "hidden_cells"}
                 for c in sorted({str(c) for c in result.indices.loc[drop, "city"]})] if "city" in result.indices \
            else ([{"output": "indices", "city": result.city, "why": "hidden_cells"}] if drop.any() else [])
        result.indices = result.indices[~drop].reset_index(drop=True)
    for res, grid in list(result.hexagons.items()):
        city = grid["city"] if "city" in grid else pd.Series(result.city, index=grid.index)
        n_points = grid["n_points"] if "n_points" in grid else grid["count"]
        small = ((n_points > 0) & (n_points < policy.min_n)).groupby(city).any()
        drop_cities = set(small[small].index) | (set(city) & touched)
        for c in sorted(drop_cities):
            why = "hidden_cells" if c in touched else "small_hexagons"
            left.append({"output": "hexagons", "city": c, "resolution": int(res), "why": why})
        kept = grid[~city.isin(drop_cities)]
        if len(kept):
            result.hexagons[res] = kept.reset_index(drop=True)
        else:
            del result.hexagons[res]
    return left


def _report(cells: Cells, hidden: np.ndarray, reasons: np.ndarray, audit: Audit, policy: Policy,
            result: Any, left_out: list[dict[str, Any]], started: float) -> dict[str, Any]:
    """The steward's report (``release`` strips the reasons for the public copy)."""
    names = {}
    if {"name_en", "name_ru", "name_kk"} <= set(result.districts.columns):
        names = {str(r["district_id"]): {"en": r["name_en"], "ru": r["name_ru"], "kk": r["name_kk"]}
                 for r in result.districts[["district_id", "name_en", "name_ru", "name_kk"]].to_dict("records")}
    entries = []
    for pos in (int(i) for i in np.flatnonzero(hidden)):
        key = cells.keys.iloc[pos]
        n_lo, n_hi = audit.interval(pos, "n")
        w_lo, w_hi = audit.interval(pos, "w")
        district = key["district_id"]
        entries.append({
            "city": key["city"], "district_id": district, "names": names.get(str(district)) if district else None,
            "group": key["group"], "level": key["level"],
            "n_interval": [_round(n_lo, 0), _round(n_hi, 0)], "weight_interval": [_round(w_lo, 3), _round(w_hi, 3)],
            "reason": str(reasons[pos]),
        })
    tables = [{"table": name, "rows": int(len(frame)), "hidden_rows": int(frame["suppressed"].sum())}
              for name, frame in (("districts", result.districts), ("groups", result.groups),
                                  ("scores", result.scores), ("score_differences", result.score_differences),
                                  ("banks", result.banks))
              if frame is not None and "suppressed" in frame]
    return {
        "format": REPORT_FORMAT, "min_n": policy.min_n, "rules": policy.as_dict(),
        "cells": {"published": int(len(hidden)), "hidden": int(hidden.sum())},
        "tables": tables, "hidden": entries, "left_out": left_out,
        "audit": {"solver": SOLVER, "programs": int(audit.programs), "seconds": round(time.perf_counter() - started, 3),
                  "all_protected": True},
        "limits": list(LIMITS),
    }


def _round(value: float, digits: int) -> float | int | None:
    if not np.isfinite(value):
        return None
    return int(round(value)) if digits == 0 else round(float(value), digits)
