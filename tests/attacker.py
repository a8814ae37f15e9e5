"""The test oracle for published survey datasets: an attacker who reads the released files and works out how
much each hidden figure can be narrowed down.

Why it is independent: it imports nothing from ``geo`` (not the suppression, not geo.release, not
geo.indicators, not the contract); it knows only what a reader of a version folder knows (the Parquet tables,
metadata.json, and the documented meaning of their columns) and solves the attack with its own linear programs
(scipy's HiGHS). A gate that is wrong about what can be worked back is caught by it, instead of agreeing with
itself.

The model. A *cell* is a domain ``(city, district_id, group)``: ``district_id`` None is the city level, group
``"all"`` is every respondent, and ``(None, None, "all")`` is every city together. The finest cells are district
x group (district x "all" when the survey has no groups); every other domain is the sum of its finest cells.
For each additive quantity there is one unknown per finest cell:

- counts (integers >= 0, ``scipy.optimize.milp``): ``respondents``; ``answered:ITEM`` (<= respondents);
- weights (reals >= 0, LP): ``weight`` (sum of weights); per item ``weight:ITEM`` (weight of its answerers,
  <= weight), ``wpoint:ITEM=k`` (weight of the answerers who gave k; they add up to ``weight:ITEM``),
  ``wsum:ITEM`` (sum of weight x answer = sum of k x ``wpoint``, hence within [low, high] x ``weight:ITEM``),
  ``sqweight:ITEM`` (sum of squared weights of the answerers).

Every shown figure fixes a sum (districts.n_rows/count, groups.count/n_rows, count_<g>/n_rows_<g>, scores.n and
weight_sum, per_1000 x population, indices.n, score_differences.n_a/n_b, metadata n, weighted_total and the
national answered = n - dont_know - blank) or a ratio (scores.mean or the midpoint of its interval, dist,
top_share, share_of_city, indices.share; n + nonresponse = respondents; n_eff = weight_sum^2 / sqweight; a
location quotient or a difference of means once the other terms are pinned). A suppression reason "fewer than
K respondents" is a published bound too (count <= K - 1). What cannot be expressed linearly is left out, so
the attacker may be weaker than a real one, never wrong: every bound it reports holds for the true table.
Unknowns are tied the other way as well: a cell with no respondents carries no weight, and a cell whose
weight must be positive holds at least one respondent.

A bank of the Esil (banks table) is the sum of the districts it lists.

Left out (so a real attacker may do better): the existence of a row (a district listed in the scores table has
respondents), standard errors and interval widths, LQ intervals, shrunk means and p-values.

``attack(folders)`` returns, for every cell and quantity, the tightest interval ``[lo, hi]`` (``shown`` when
the figure is printed as such), per version folder; for versions of one dataset it also compares figures pinned
in both (a difference attack: a count that moved by 1 .. min_n-1 between two releases describes those few
people). ``true_cells(rows, min_n)`` computes the same quantities from the respondents and marks the sensitive
cells; ``protection_failures`` says which sensitive cells an attacker narrows inside their protection interval.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

ALL = "all"
NATIONAL = (None, None, ALL)
Key = tuple[Any, Any, str]  # (city | None, district_id | None, group | "all")
Term = tuple[float, str, Key]  # coefficient x (quantity summed over the cell)

REL = 1e-8  # tolerance on a published number stored at full precision (HiGHS works to 1e-7)
DIST_TOL = 6e-7  # dist shares are rounded to 6 decimals
REASON = re.compile(r"fewer than (\d+) (?:respondents|answers|answerers|rows)")


# ------------------------------------------------------------------------------------------------ reading


@dataclass
class Item:
    name: str
    points: list[int]
    top: list[int] = field(default_factory=list)


@dataclass
class Release:
    """What one version folder publishes, as facts about sums of cells."""

    folder: Path
    meta: dict
    min_n: int
    cells: list[Key]  # finest cells
    domains: list[Key]  # every reportable cell (finest, district, city-group, city, national)
    items: dict[str, Item]
    facts: list[tuple[list[Term], float, float]] = field(default_factory=list)  # lo <= sum terms <= hi
    direct: dict[tuple[Key, str], tuple[float, float]] = field(default_factory=dict)  # printed, +- rounding
    shown: set[tuple[Key, str]] = field(default_factory=set)  # printed, or plain arithmetic of printed ones
    later: list[tuple] = field(default_factory=list)  # nonlinear facts, used once their other terms are pinned


def _num(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def _key(city: Any, district: Any, group: Any) -> Key:
    return (_text(city), _text(district), _text(group) or ALL)


def read_release(folder: Path) -> Release:
    """Every table of a version folder read into facts (see the module docstring)."""
    folder = Path(folder)
    meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    tables = {p.stem: pd.read_parquet(p) for p in folder.glob("*.parquet")}
    districts = tables.get("districts", pd.DataFrame(columns=["city", "district_id"]))
    scores = tables.get("scores")
    groups_t = tables.get("groups")
    indices = tables.get("indices")
    diffs = tables.get("score_differences")

    items: dict[str, Item] = {}
    for entry in meta.get("items", []) or []:
        low, high = _num(entry.get("low")), _num(entry.get("high"))
        if low is None or high is None:
            continue
        points = list(range(int(low), int(high) + 1))
        top = int(entry.get("top") or 1) if str(entry.get("top") or "1").isdigit() else 1
        items[str(entry["item"])] = Item(str(entry["item"]), points, points[-top:])
    if scores is not None:
        for name, part in scores.groupby("item"):
            if str(name) in items:
                box = part["top_box"].dropna().astype(str) if "top_box" in part else pd.Series([], dtype=str)
                found = re.fullmatch(r"(-?\d+)-(-?\d+)", box.iloc[0]) if len(box) else None
                if found:
                    items[str(name)].top = list(range(int(found[1]), int(found[2]) + 1))
                continue
            points: set[int] = set()
            for text in part["dist"].dropna() if "dist" in part else []:
                points |= {int(float(k)) for k in json.loads(text)}
            if points:
                span = list(range(min(points), max(points) + 1))
                items[str(name)] = Item(str(name), span, span[-1:])

    groups: set[str] = {str(g) for g in meta.get("groups", []) or []}
    for frame, column in ((groups_t, "group"), (scores, "group"), (indices, "group")):
        if frame is not None and column in frame:
            groups |= {str(g) for g in frame[column].dropna().unique() if str(g) != ALL}
    pairs = {(str(c), str(d)) for c, d in zip(districts["city"], districts["district_id"], strict=True)}
    for frame in (scores, groups_t):
        if frame is not None and "district_id" in frame:
            pairs |= {(str(c), str(d)) for c, d in zip(frame["city"], frame["district_id"], strict=True)
                      if _text(d) is not None and _text(c) is not None}
    cities = sorted({c for c, _ in pairs})
    labels = sorted(groups)
    cells = [(c, d, g) for c, d in sorted(pairs) for g in (labels or [ALL])]
    domains = [NATIONAL]
    for city in cities:
        domains += [(city, None, ALL), *[(city, None, g) for g in labels]]
        for c, d in sorted(pairs):
            if c == city:
                domains += [(c, d, ALL), *[(c, d, g) for g in labels]]
    min_n = int(meta.get("min_n") or 10)
    rel = Release(folder, meta, min_n, cells, list(dict.fromkeys(domains)), items)

    # metadata: the national totals
    n = _num(meta.get("n"))
    if n is not None:
        _equal(rel, NATIONAL, "respondents", n)
        for entry in meta.get("items", []) or []:
            dk, blank = _num(entry.get("dont_know")), _num(entry.get("blank"))
            if dk is not None and blank is not None and str(entry["item"]) in items:
                _equal(rel, NATIONAL, f"answered:{entry['item']}", n - dk - blank)
    total = _num((meta.get("rows") or {}).get("weighted_total"))
    if total is not None:
        _equal(rel, NATIONAL, "weight", total)

    # districts (with the wide per-group and per-item columns)
    for _, row in districts.iterrows():
        key = _key(row["city"], row["district_id"], ALL)
        _counts_row(rel, key, row, "")
        _ratio(rel, [(1, "weight", key)], [(1, "weight", (key[0], None, ALL))], _num(row.get("share_of_city")))
        per, pop = _num(row.get("per_1000")), _num(row.get("population"))
        if per is not None and pop:
            _equal(rel, key, "weight", per * pop / 1000.0)
        for g in labels:
            gkey = (key[0], key[1], g)
            _counts_row(rel, gkey, row, f"_{g}", reason=False)
            _lq_later(rel, gkey, _num(row.get(f"lq_{g}")))
        for item in items:
            fields = {f: row[f"{item}_{f}"] for f in ("n", "nonresponse", "weight_sum", "mean", "ci_low",
                                                       "ci_high", "se", "cv", "n_eff", "top_share", "dist",
                                                       "suppression") if f"{item}_{f}" in row.index}
            _item_row(rel, key, items[item], fields)
    if groups_t is not None:
        for _, row in groups_t.iterrows():
            key = _key(row.get("city"), row["district_id"], row["group"])
            if key[0] is None:
                key = (next((c for c, d in pairs if d == key[1]), None), key[1], key[2])
            _counts_row(rel, key, row, "")
            _lq_later(rel, key, _num(row.get("lq")))
    if scores is not None:
        for _, row in scores.iterrows():
            if str(row["item"]) not in items:
                continue
            district = row["district_id"] if str(row.get("level", "district")) == "district" else None
            _item_row(rel, _key(row["city"], district, row["group"]), items[str(row["item"])], row.to_dict())
    if indices is not None and "city" in indices:
        for _, row in indices.iterrows():
            key = _key(row["city"], None, row["group"])
            value = _num(row.get("n"))
            if value is not None:
                _equal(rel, key, "weight", value)
            _ratio(rel, [(1, "weight", key)], [(1, "weight", (key[0], None, ALL))], _num(row.get("share")))
    if diffs is not None:
        for _, row in diffs.iterrows():
            if str(row["item"]) not in items:
                continue
            district = row["district_id"] if str(row.get("level", "district")) == "district" else None
            a, b = _key(row["city"], district, row["group_a"]), _key(row["city"], district, row["group_b"])
            for side, column in ((a, "n_a"), (b, "n_b")):
                value = _num(row.get(column))
                if value is not None:
                    _equal(rel, side, f"answered:{row['item']}", value)
            diff = _num(row.get("diff"))
            if diff is None and _num(row.get("ci_low")) is not None and _num(row.get("ci_high")) is not None:
                diff = (float(row["ci_low"]) + float(row["ci_high"])) / 2
            if diff is not None:
                rel.later.append(("diff", str(row["item"]), a, b, diff))
    if tables.get("banks") is not None:
        _banks(rel, tables["banks"], items)
    return rel


def _banks(rel: Release, banks: pd.DataFrame, items: dict[str, Item]) -> None:
    """A bank's row is a sum over the districts it lists: answerers, their weight, the weighted answers (its
    mean), their squared weights (its n_eff). The left minus right row adds nothing linear (n is both banks')."""
    for _, row in banks.iterrows():
        i = str(row["item"])
        if i not in items or str(row["bank"]) not in ("left", "right"):
            continue
        keys = [_key(row["city"], d, ALL) for d in str(row["districts"]).split(";")]
        n, ws, n_eff = _num(row.get("n")), _num(row.get("weight_sum")), _num(row.get("n_eff"))
        mean = _mean_of(row.to_dict())
        if n is not None:
            rel.facts.append(([(1.0, f"answered:{i}", k) for k in keys], n - 1e-6, n + 1e-6))
        if ws is not None:
            tol = REL * max(1.0, ws)
            rel.facts.append(([(1.0, f"weight:{i}", k) for k in keys], ws - tol, ws + tol))
            if n_eff:
                sq = ws * ws / n_eff
                rel.facts.append(([(1.0, f"sqweight:{i}", k) for k in keys], sq - REL * max(1.0, sq),
                                  sq + REL * max(1.0, sq)))
        if mean is not None:
            _ratio(rel, [(1.0, f"wsum:{i}", k) for k in keys], [(1.0, f"weight:{i}", k) for k in keys], mean)


def _integer(quantity: str) -> bool:
    return quantity == "respondents" or quantity.startswith("answered:")


def _equal(rel: Release, key: Key, quantity: str, value: float) -> None:
    tol = 1e-6 if _integer(quantity) else REL * max(1.0, abs(value))
    rel.facts.append(([(1.0, quantity, key)], value - tol, value + tol))
    rel.direct.setdefault((key, quantity), (round(value), round(value)) if _integer(quantity) else
                          (value - tol, value + tol))
    rel.shown.add((key, quantity))


def _ratio(rel: Release, num: list[Term], den: list[Term], ratio: float | None, tol: float | None = None) -> None:
    """sum(num) = ratio x sum(den), within tol x sum(den): two homogeneous inequalities."""
    if ratio is None:
        return
    e = REL * max(1.0, abs(ratio)) if tol is None else tol
    rel.facts.append(([*num, *[(-(ratio + e) * c, q, k) for c, q, k in den]], -math.inf, 0.0))
    rel.facts.append(([*num, *[(-(ratio - e) * c, q, k) for c, q, k in den]], 0.0, math.inf))


def _bound_from_reason(rel: Release, key: Key, quantity: str, reason: Any) -> None:
    text = _text(reason)
    found = REASON.search(text) if text and "effective" not in text else None
    if found:
        rel.facts.append(([(1.0, quantity, key)], -math.inf, int(found[1]) - 1 + 1e-6))


def _counts_row(rel: Release, key: Key, row: pd.Series, suffix: str, reason: bool = True) -> None:
    rows, weight = _num(row.get(f"n_rows{suffix}")), _num(row.get(f"count{suffix}"))
    if rows is not None:
        _equal(rel, key, "respondents", rows)
    if weight is not None:
        _equal(rel, key, "weight", weight)
    if reason:
        _bound_from_reason(rel, key, "respondents", row.get("suppression"))


def _lq_later(rel: Release, key: Key, lq: float | None) -> None:
    if lq is not None:
        rel.later.append(("lq", key, lq))


def _item_row(rel: Release, key: Key, item: Item, row: dict) -> None:
    i = item.name
    n, nonresp, ws = _num(row.get("n")), _num(row.get("nonresponse")), _num(row.get("weight_sum"))
    if n is not None:
        _equal(rel, key, f"answered:{i}", n)
    if nonresp is not None:
        tol = 1e-6
        rel.facts.append(([(1.0, "respondents", key), (-1.0, f"answered:{i}", key)], nonresp - tol, nonresp + tol))
    if n is not None and nonresp is not None:
        rel.shown.add((key, "respondents"))
    if ws is not None:
        _equal(rel, key, f"weight:{i}", ws)
    den = [(1.0, f"weight:{i}", key)]

    def share_of(num: list[Term], ratio: float, tol: float | None = None) -> None:
        if ws is None:  # a ratio to an unknown weight
            _ratio(rel, num, den, ratio, tol)
            return
        e = REL * max(1.0, abs(ratio)) if tol is None else tol
        lo, hi = (ratio - e) * ws - REL * ws, (ratio + e) * ws + REL * ws
        rel.facts.append((num, lo, hi))
        if len(num) == 1:
            rel.direct.setdefault((key, num[0][1]), (max(0.0, lo), hi))
            rel.shown.add((key, num[0][1]))

    mean = _mean_of(row)
    if mean is not None:
        share_of([(1.0, f"wsum:{i}", key)], mean)
        rel.later.append(("mean", i, key, mean))
    dist = _text(row.get("dist"))
    if dist:
        for point, share in json.loads(dist).items():
            k = int(float(point))
            if k in item.points and _num(share) is not None:
                share_of([(1.0, f"wpoint:{i}={k}", key)], float(share), DIST_TOL)
    top = _num(row.get("top_share"))
    if top is not None and item.top:
        share_of([(1.0, f"wpoint:{i}={k}", key) for k in item.top], top)
    n_eff = _num(row.get("n_eff"))
    if n_eff:
        if ws is not None:
            _equal(rel, key, f"sqweight:{i}", ws * ws / n_eff)
        else:
            rel.later.append(("n_eff", i, key, n_eff))
    _bound_from_reason(rel, key, f"answered:{i}", row.get("suppression"))


def _mean_of(row: dict) -> float | None:
    """The published mean, else what the interval or cv gives back (a t interval is symmetric)."""
    mean = _num(row.get("mean"))
    low, high = _num(row.get("ci_low")), _num(row.get("ci_high"))
    if mean is None and low is not None and high is not None:
        mean = (low + high) / 2
    se, cv = _num(row.get("se")), _num(row.get("cv"))
    if mean is None and se is not None and cv:
        mean = se / cv
    return mean


# ------------------------------------------------------------------------------------------------ solving


class System:
    """One unknown per (quantity, finest cell); constraints over sums of cells; bounds of any cell's sum."""

    def __init__(self, cells: list[Key], quantities: list[str], integer: bool):
        self.cells, self.integer = cells, integer
        self.col = {(q, c): j for j, (q, c) in enumerate((q, c) for q in quantities for c in cells)}
        self.rows: list[tuple[dict[int, float], float, float]] = []
        self._matrix: tuple | None = None

    def members(self, key: Key) -> list[Key]:
        city, district, group = key
        return [c for c in self.cells if (city is None or c[0] == city) and (district is None or c[1] == district)
                and (group == ALL or c[2] == group)]

    def has(self, quantity: str) -> bool:
        return bool(self.cells) and (quantity, self.cells[0]) in self.col

    def expand(self, terms: list[Term]) -> dict[int, float] | None:
        out: dict[int, float] = defaultdict(float)
        for coef, quantity, key in terms:
            if not self.has(quantity):
                return None
            for cell in self.members(key):
                out[self.col[(quantity, cell)]] += coef
        return dict(out)

    def add(self, terms: list[Term], lo: float, hi: float) -> bool:
        row = self.expand(terms)
        if row is None:
            return False
        if not row:
            if lo > 1e-6 or hi < -1e-6:
                raise AssertionError(f"published figures contradict each other: {terms} in [{lo}, {hi}] over no cell")
            return True
        self.rows.append((row, lo, hi))
        self._matrix = None
        return True

    def _blocks(self) -> tuple[np.ndarray, dict[int, tuple[np.ndarray, Any, np.ndarray, np.ndarray]]]:
        """The program split into independent blocks (columns linked by no row are solved apart)."""
        if self._matrix is None:
            parent = list(range(len(self.col)))

            def find(j: int) -> int:
                while parent[j] != j:
                    parent[j] = parent[parent[j]]
                    j = parent[j]
                return j

            for row, _lo, _hi in self.rows:
                cols = list(row)
                for j in cols[1:]:
                    parent[find(j)] = find(cols[0])
            roots = np.array([find(j) for j in range(len(self.col))])
            blocks = []
            for root in np.unique(roots):
                cols = np.flatnonzero(roots == root)
                where = {int(j): pos for pos, j in enumerate(cols)}
                mine = [r for r in self.rows if where.get(next(iter(r[0]))) is not None]
                data = [c for row, _a, _b in mine for c in row.values()]
                ri = [r for r, (row, _a, _b) in enumerate(mine) for _ in row]
                ci = [where[j] for row, _a, _b in mine for j in row]
                matrix = sparse.csr_array((data, (ri, ci)), shape=(len(mine), len(cols)))
                blocks.append((cols, matrix, np.array([r[1] for r in mine]), np.array([r[2] for r in mine])))
            self._matrix = (roots, {int(root): blk for root, blk in zip(np.unique(roots), blocks, strict=True)})
        return self._matrix

    def bounds(self, terms: list[Term]) -> tuple[float, float]:
        """min and max of the sum of ``terms`` over every table of cells that fits the constraints."""
        row = self.expand(terms) or {}
        roots, blocks = self._blocks()
        if not row:
            return 0.0, 0.0
        lo_total = hi_total = 0.0
        for root in sorted({int(roots[j]) for j in row}):
            cols, matrix, lo, hi = blocks[root]
            objective = np.array([row.get(int(j), 0.0) for j in cols])
            constraints = [LinearConstraint(matrix, lo, hi)] if matrix.shape[0] else []
            integrality = np.full(len(cols), 1.0 if self.integer else 0.0)
            found = []
            for sign in (1.0, -1.0):
                res = milp(sign * objective, constraints=constraints, integrality=integrality,
                           bounds=Bounds(0.0, np.inf))
                if res.status == 2:  # HiGHS's presolve can misjudge near-equal bounds: ask again without it
                    res = milp(sign * objective, constraints=constraints, integrality=integrality,
                               bounds=Bounds(0.0, np.inf), options={"presolve": False})
                if res.status == 2:
                    raise AssertionError("the published figures of this release fit no table of cells "
                                         "(contradictory, or misread by the attacker)")
                found.append(-sign * math.inf if res.status == 3 or res.x is None else sign * res.fun)
            lo_total += found[0]
            hi_total += found[1]
        return lo_total, hi_total


def _quantities(rel: Release) -> tuple[list[str], list[str]]:
    count_q = ["respondents", *[f"answered:{i}" for i in rel.items]]
    weight_q = ["weight"]
    for i in rel.items:
        weight_q += _item_weights(rel, i)
    return count_q, weight_q


def _item_weights(rel: Release, i: str) -> list[str]:
    return [f"weight:{i}", f"wsum:{i}", f"sqweight:{i}", *[f"wpoint:{i}={k}" for k in rel.items[i].points]]


def _systems(rel: Release, implied: frozenset[str] = frozenset()) -> tuple[System, System]:
    """The two programs; national facts on ``implied`` quantities (pinned by the cities' totals) are left out,
    so that each city is a block of its own."""
    count_q, weight_q = _quantities(rel)
    counts = System(rel.cells, count_q, integer=True)
    weights = System(rel.cells, weight_q, integer=False)
    for cell in rel.cells:
        for i, item in rel.items.items():
            counts.add([(1.0, f"answered:{i}", cell), (-1.0, "respondents", cell)], -math.inf, 0.0)
            weights.add([(1.0, f"weight:{i}", cell), (-1.0, "weight", cell)], -math.inf, 0.0)
            weights.add([(1.0, f"weight:{i}", cell), *[(-1.0, f"wpoint:{i}={k}", cell) for k in item.points]],
                        0.0, 0.0)
            weights.add([(1.0, f"wsum:{i}", cell), *[(-float(k), f"wpoint:{i}={k}", cell) for k in item.points]],
                        0.0, 0.0)
    for terms, lo, hi in rel.facts:
        if len(terms) == 1 and terms[0][2] == NATIONAL and terms[0][1] in implied:
            continue
        if not counts.add(terms, lo, hi):
            weights.add(terms, lo, hi)
    return counts, weights


def _solve(system: System, rel: Release, quantities: list[str], before: dict) -> dict:
    """Bounds of every domain's ``quantities`` (printed ones as printed; pinned ones are not solved again)."""
    out = {}
    for key in rel.domains:
        for q in quantities:
            if (key, q) in rel.direct:
                out[(key, q)] = rel.direct[(key, q)]
            elif (key, q) in before and _pinned(before, key, q) is not None:
                out[(key, q)] = before[(key, q)]
            else:
                lo, hi = system.bounds([(1.0, q, key)])
                if system.integer:
                    lo, hi = math.ceil(lo - 1e-6), math.floor(hi + 1e-6) if math.isfinite(hi) else hi
                out[(key, q)] = (lo, hi)
    return out


def _pinned(result: dict, key: Any, q: str | None) -> float | None:
    lo, hi = result.get((key, q) if q is not None else key, (None, None))
    if lo is None or not math.isfinite(lo) or not math.isfinite(hi):
        return None
    return (lo + hi) / 2 if hi - lo <= 2e-6 * max(1.0, abs(hi)) else None


def _span(result: dict, key: Key, q: str) -> tuple[float, float] | None:
    """The interval of a pinned quantity (pinned up to the rounding of what was printed), else None."""
    return result[(key, q)] if _pinned(result, key, q) is not None else None


def solve_release(rel: Release) -> dict[tuple[Key, str], tuple[float, float]]:
    """Tightest [lo, hi] of every quantity of every domain (see the module docstring).

    Counts and weights are two programs tied in rounds: a cell that can hold no respondent (answerer) holds
    no weight; a cell whose weight must be positive holds at least one respondent (and an item's answerers at
    least as many as the answer points it must hold); nonlinear figures join once their other terms are pinned.
    """
    count_q, weight_q = _quantities(rel)
    cities = sorted({key[0] for key in rel.domains if key[0] is not None})
    national = frozenset(t[0][1] for t, _lo, _hi in rel.facts if len(t) == 1 and t[0][2] == NATIONAL)
    counts, weights = _systems(rel, national)  # without the national totals: are they implied by the cities'?
    implied = frozenset(q for q in national if all(
        _pinned({0: (counts if counts.has(q) else weights).bounds([(1.0, q, (c, None, ALL))])}, 0, None)
        is not None for c in cities))
    counts, weights = _systems(rel, implied)  # a national total the city totals pin adds nothing: dropped
    result: dict[tuple[Key, str], tuple[float, float]] = {}
    done: set[tuple] = set()
    tiny = 1e-6 * max(1.0, rel.direct.get((NATIONAL, "weight"), (1.0, 1.0))[1])  # "positive", beyond rounding
    need_counts = need_weights = True
    for _round in range(6):
        if need_counts:
            result.update(_solve(counts, rel, count_q, result))
        for key in rel.domains:
            for q in count_q:
                if result[(key, q)][1] <= 0.5 and ("zero", key, q) not in done:
                    done.add(("zero", key, q))
                    for w in (weight_q if q == "respondents" else _item_weights(rel, q.split(":", 1)[1])):
                        if (key, w) not in result or result[(key, w)][1] > 0:
                            need_weights |= weights.add([(1.0, w, key)], 0.0, 0.0)
        if need_weights:
            result.update(_solve(weights, rel, weight_q, result))
        need_counts = need_weights = False
        for key in rel.domains:
            if result[(key, "weight")][0] > tiny and result[(key, "respondents")][0] < 1:
                need_counts |= counts.add([(1.0, "respondents", key)], 1.0, math.inf)
            for i, item in rel.items.items():
                if result[(key, f"weight:{i}")][0] <= tiny:
                    continue
                least = max(1, sum(1 for k in item.points if result[(key, f"wpoint:{i}={k}")][0] > tiny))
                if result[(key, f"answered:{i}")][0] < least:
                    need_counts |= counts.add([(1.0, f"answered:{i}", key)], least, math.inf)
        for pos, fact in enumerate(rel.later):
            if ("later", pos) in done:
                continue
            made = _nonlinear(fact, result, rel)
            if made is not None:
                done.add(("later", pos))
                for terms, lo, hi in made:
                    need_weights |= weights.add(terms, lo, hi)
        if not (need_counts or need_weights):
            break
    return result


def _nonlinear(fact: tuple, result: dict, rel: Release) -> list[tuple[list[Term], float, float]] | None:
    """A nonlinear published figure turned into linear facts once its other terms are pinned (None: not yet;
    an empty list: it adds nothing the attacker does not know)."""
    if fact[0] == "lq":  # lq = (x / t) / (X / T)
        _, key, lq = fact
        city, district, group = key
        if _pinned(result, key, "weight") is not None:
            return []
        t = _span(result, (city, district, ALL), "weight")
        x_all = _span(result, (city, None, group), "weight")
        total = _span(result, (city, None, ALL), "weight")
        if t is None or x_all is None or total is None or total[0] <= 0:
            return None
        return [([(1.0, "weight", key)], lq * t[0] * x_all[0] / total[1] * (1 - 1e-8),
                 lq * t[1] * x_all[1] / total[0] * (1 + 1e-8))]
    if fact[0] == "n_eff":  # n_eff = weight^2 / sqweight
        _, i, key, n_eff = fact
        if _pinned(result, key, f"sqweight:{i}") is not None:
            return []
        ws = _span(result, key, f"weight:{i}")
        if ws is None:
            return None
        return [([(1.0, f"sqweight:{i}", key)], ws[0] ** 2 / n_eff * (1 - 1e-8), ws[1] ** 2 / n_eff * (1 + 1e-8))]
    if fact[0] == "diff":  # diff = mean_a - mean_b
        _, i, a, b, diff = fact
        means = {f[2]: f[3] for f in rel.later if f[0] == "mean" and f[1] == i}
        for side, other, sign in ((a, b, 1.0), (b, a, -1.0)):
            if side in means and other not in means:
                mean = means[side] - sign * diff
                e = 1e-8 * max(1.0, abs(mean))
                return [([(1.0, f"wsum:{i}", other), (-(mean + e), f"weight:{i}", other)], -math.inf, 0.0),
                        ([(1.0, f"wsum:{i}", other), (-(mean - e), f"weight:{i}", other)], 0.0, math.inf)]
        return [] if a in means and b in means else None
    return []


# ------------------------------------------------------------------------------------------------ attack


def attack(version_folders: list[Path]) -> list[dict]:
    """Attack each version folder on its own, then every pair of versions of one dataset (difference attack).

    Interval findings: ``{"kind": "interval", "dataset", "version", "folder", "cell", "quantity", "lo", "hi",
    "shown"}`` for every cell and quantity (``shown``: printed as such; the others are hidden or unpublished and
    carry what the attacker derives). Difference findings: ``{"kind": "difference", "dataset", "versions",
    "cell", "quantity", "before", "after", "delta", "disclosure"}`` for each count pinned in two versions;
    ``disclosure`` when 1 <= |delta| <= min_n - 1.
    """
    findings: list[dict] = []
    pinned: dict[Path, tuple[Release, dict]] = {}
    for folder in map(Path, version_folders):
        rel = read_release(folder)
        result = solve_release(rel)
        pinned[folder] = (rel, result)
        for (key, q), (lo, hi) in result.items():
            findings.append({"kind": "interval", "dataset": folder.parent.name, "version": folder.name,
                             "folder": str(folder), "cell": key, "quantity": q, "lo": float(lo), "hi": float(hi),
                             "shown": (key, q) in rel.shown})
    folders = list(pinned)
    for a_pos, a in enumerate(folders):
        for b in folders[a_pos + 1:]:
            if a.parent != b.parent:
                continue
            (rel_a, res_a), (rel_b, res_b) = pinned[a], pinned[b]
            min_n = max(rel_a.min_n, rel_b.min_n)
            for (key, q) in sorted(set(res_a) & set(res_b), key=str):
                if not _integer(q):
                    continue
                before, after = _pinned(res_a, key, q), _pinned(res_b, key, q)
                if before is None or after is None:
                    continue
                delta = round(after - before)
                findings.append({"kind": "difference", "dataset": a.parent.name, "versions": (a.name, b.name),
                                 "cell": key, "quantity": q, "before": before, "after": after, "delta": delta,
                                 "disclosure": 1 <= abs(delta) <= min_n - 1})
    return findings


def disclosures(findings: list[dict]) -> list[dict]:
    """The difference findings that disclose (a count moved by 1 .. min_n-1 between two releases)."""
    return [f for f in findings if f["kind"] == "difference" and f["disclosure"]]


# ------------------------------------------------------------------------------------------------ the truth


def true_cells(rows: pd.DataFrame, min_n: int, *, items: dict[str, tuple[int, int]] | None = None,
               group: str | None = "group") -> pd.DataFrame:
    """Every cell's true quantities from the respondent rows (columns city, district_id, [group], weight and
    one column per item, NaN = no answer), and which cells are sensitive.

    Index: the cell keys ``(city, district_id | None, group | "all")``. Columns: the attacker's quantities,
    ``n_eff`` (Kish, all respondents), ``n_eff:ITEM`` (its answerers), ``sensitive_counts`` (0 < respondents <
    min_n, Kish n_eff < min_n, or dominance: the largest weight > 50 % or the two largest > 75 % of the cell's
    weight), ``sensitive:ITEM`` (the same rules over the item's answerers), ``sensitive`` (any of them).
    ``items`` maps item -> (low, high); by default every other column, its scale from its answers.
    """
    group = group if group and group in rows else None
    if items is None:
        skip = {"city", "district_id", "weight", group}
        items = {c: (int(np.nanmin(rows[c])), int(np.nanmax(rows[c]))) for c in rows if c not in skip}
    frame = rows.copy()
    frame["district_id"] = frame["district_id"].astype(str)
    keys: dict[Key, np.ndarray] = {NATIONAL: np.ones(len(frame), dtype=bool)}
    for city, part in frame.groupby("city"):
        keys[(str(city), None, ALL)] = (frame["city"] == city).to_numpy()
        for d in part["district_id"].unique():
            keys[(str(city), str(d), ALL)] = ((frame["city"] == city) & (frame["district_id"] == d)).to_numpy()
        if group:
            for g in part[group].unique():
                keys[(str(city), None, str(g))] = ((frame["city"] == city) & (frame[group] == g)).to_numpy()
                for d in part["district_id"].unique():
                    keys[(str(city), str(d), str(g))] = ((frame["city"] == city) & (frame["district_id"] == d)
                                                         & (frame[group] == g)).to_numpy()
    records = []
    w_all = frame["weight"].to_numpy(dtype=float)
    for key, mask in keys.items():
        w = w_all[mask]
        rec: dict[str, Any] = {"cell": key, "respondents": int(mask.sum()), "weight": float(w.sum())}
        rec["n_eff"] = float(w.sum() ** 2 / (w * w).sum()) if len(w) else 0.0
        rec["sensitive_counts"] = _sensitive(w, min_n)
        flags = [rec["sensitive_counts"]]
        for i, (low, high) in items.items():
            y = frame[i].to_numpy(dtype=float)[mask]
            ok = ~np.isnan(y)
            wa, ya = w[ok], y[ok]
            rec[f"answered:{i}"] = int(ok.sum())
            rec[f"weight:{i}"] = float(wa.sum())
            rec[f"wsum:{i}"] = float((wa * ya).sum())
            rec[f"sqweight:{i}"] = float((wa * wa).sum())
            rec[f"n_eff:{i}"] = float(wa.sum() ** 2 / (wa * wa).sum()) if len(wa) else 0.0
            for k in range(int(low), int(high) + 1):
                rec[f"wpoint:{i}={k}"] = float(wa[ya == k].sum())
            rec[f"sensitive:{i}"] = _sensitive(wa, min_n)
            flags.append(rec[f"sensitive:{i}"])
        rec["sensitive"] = any(flags)
        records.append(rec)
    out = pd.DataFrame(records)
    out.index = pd.Index(out.pop("cell").tolist(), tupleize_cols=False, name="cell")
    return out


def _sensitive(w: np.ndarray, min_n: int) -> bool:
    if len(w) == 0:
        return False
    total = float(w.sum())
    top = np.sort(w)[::-1]
    n_eff = total**2 / float((w * w).sum())
    return bool(len(w) < min_n or n_eff < min_n - 1e-9 or top[0] > 0.5 * total
                or top[:2].sum() > 0.75 * total)


def _n_behind(truth_row: pd.Series, quantity: str) -> float:
    if quantity in ("respondents", "weight"):
        return float(truth_row["respondents"])
    item = _item_of(quantity)
    return float(truth_row[f"answered:{item}"])


# What the protection interval is promised for (README, "What publishing guarantees"): a hidden sensitive cell's
# respondents, its weight and each item's weighted sum of answers. The weight of those giving one answer point,
# the answerers' count and the squared weights are attacked and reported too, but a published city figure bounds
# them (a city where few gave the answer 1 tells each hidden cell it has at most those few), so no suppression
# can widen them all; they are not promised.
PROTECTED = ("respondents", "weight", "wsum")


def _item_of(quantity: str) -> str:
    """The item of a quantity: ``wpoint:ITEM=k`` -> ITEM (an item's own name may hold "=": Сектор=госслужба)."""
    kind, _, rest = quantity.partition(":")
    return rest.rsplit("=", 1)[0] if kind == "wpoint" else rest


def protection_failures(findings: list[dict], truth: pd.DataFrame, min_n: int,
                        quantities: tuple[str, ...] | None = PROTECTED) -> list[dict]:
    """Interval findings on sensitive cells that the attacker narrows inside the protection interval.

    Counts (respondents, answered:ITEM) with true value t: the attacker must not get lo above
    max(0, t - min_n/2) nor hi below max(t + min_n/2, min_n). A weighted quantity with true value v over n
    respondents (answerers for item quantities): lo must stay <= max(0, v - v (min_n/2)/n) and hi >=
    v + v (min_n/2)/n (1e-6 relative slack). Respondents and weight are held to a cell's count rules
    (``sensitive_counts``); an item's quantities to that item's rules or the count rules.
    """
    half = min_n / 2
    failures = []
    lookup = {key: truth.loc[[key]].iloc[0] for key in truth.index}
    for f in findings:
        if f["kind"] != "interval" or f["cell"] not in lookup:
            continue
        q = f["quantity"]
        if quantities is not None and q.split(":")[0] not in quantities:
            continue
        row = lookup[f["cell"]]
        if q in ("respondents", "weight"):
            needed = bool(row["sensitive_counts"])
        else:
            item = _item_of(q)
            needed = bool(row["sensitive_counts"]) or bool(row.get(f"sensitive:{item}", False))
        if not needed or q not in row.index:
            continue
        true = float(row[q])
        lo, hi = f["lo"], f["hi"]
        if _integer(q):
            need_lo, need_hi = max(0.0, true - half), max(true + half, float(min_n))
            bad = lo > need_lo + 1e-6 or hi < need_hi - 1e-6
        else:
            n = _n_behind(row, q)
            if n <= 0 or true <= 0:
                continue
            spread = true * half / n
            need_lo, need_hi = max(0.0, true - spread), true + spread
            slack = 1e-6 * abs(true)
            bad = lo > need_lo + slack or hi < need_hi - slack
        if bad:
            failures.append({**f, "true": true, "need": (need_lo, need_hi)})
    return failures


def unsound(findings: list[dict], truth: pd.DataFrame) -> list[dict]:
    """Interval findings that exclude the true value: the attacker misread the release (a self-check of the
    oracle: a bound it reports must hold for the true table)."""
    wrong = []
    lookup = {key: truth.loc[[key]].iloc[0] for key in truth.index}
    for f in findings:
        if f["kind"] != "interval" or f["cell"] not in lookup or f["quantity"] not in lookup[f["cell"]].index:
            continue
        true = float(lookup[f["cell"]][f["quantity"]])
        slack = 1e-6 * max(1.0, abs(true))
        if not f["lo"] - slack <= true <= f["hi"] + slack:
            wrong.append({**f, "true": true, "need": (true, true)})
    return wrong


def describe(failures: list[dict], limit: int = 8) -> str:
    """A few failures, one per line, for an assertion message."""
    lines = [f"{f.get('version', '')} {f['cell']} {f['quantity']}: attacker [{f['lo']:.6g}, {f['hi']:.6g}] "
             f"true {f['true']:.6g} needs [<= {f['need'][0]:.6g}, >= {f['need'][1]:.6g}]"
             f"{' (shown)' if f.get('shown') else ''}" for f in failures[:limit]]
    more = f"\n... and {len(failures) - limit} more" if len(failures) > limit else ""
    return f"{len(failures)} unprotected: \n" + "\n".join(lines) + more
