"""The attacker's audit: for a hidden cell, the narrowest interval that everything published allows.

Why a solver: with a city's districts, their groups and the totals published, a hidden cell is not protected by
being blank, only by what the shown cells leave open. For one additive quantity the attacker knows every shown
cell's value, that each cell is the sum of its atoms (district x group cells) and that atoms are non-negative;
the least and greatest value of a hidden cell under those constraints are two linear programmes (HiGHS through
``scipy.optimize.linprog``). The cells' families (atoms in districts in cities in all cities; atoms in city
groups) are two laminar families, so the constraint matrix is totally unimodular and the bounds of integer
counts are integers: the linear programme gives exactly what an integer attacker gets.

One problem per quantity and hidden cell; the hidden atoms split into independent components (atoms linked by a
shown cell they share), and only the target's components are solved. An atom in no shown cell can be anything:
its cell is unbounded above.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog

from geo.release.cells import Cells


@dataclass
class Audit:
    """The constraint structure of one suppression pattern, reused for every quantity and target cell."""

    cells: Cells
    hidden: np.ndarray  # per cell
    programs: int = 0  # linear programmes solved (reported)
    _free: np.ndarray = field(init=False)
    _rows: list[tuple[int, np.ndarray]] = field(init=False)  # shown cell, its free atoms (column positions)
    _component: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        n_atoms = self.cells.n_atoms
        self._free = np.flatnonzero(self.hidden[:n_atoms])
        column = np.full(n_atoms, -1)
        column[self._free] = np.arange(len(self._free))
        self._rows = []
        for c in np.flatnonzero(~self.hidden):
            cols = column[self.cells.members[c]]
            cols = cols[cols >= 0]
            if c >= n_atoms and cols.size:
                self._rows.append((int(c), cols))
        parent = list(range(len(self._free)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for _, cols in self._rows:
            for other in cols[1:]:
                parent[find(int(other))] = find(int(cols[0]))
        self._component = np.array([find(i) for i in range(len(self._free))], dtype=int)
        self._column = column
        self._known: dict[tuple[int, str], tuple[float, float]] = {}

    def interval(self, target: int, quantity: str) -> tuple[float, float]:
        """Least and greatest value of ``quantity`` in cell ``target`` given every shown cell."""
        key = (target, quantity)
        if key not in self._known:
            self._known[key] = self._interval(target, quantity)
        return self._known[key]

    def _interval(self, target: int, quantity: str) -> tuple[float, float]:
        values = self.cells.quantities[quantity]
        members = self.cells.members[target]
        cols = self._column[members]
        known = float(values[members[cols < 0]].sum())
        cols = cols[cols >= 0]
        if not cols.size:
            return known, known
        comps = np.unique(self._component[cols])
        vars_ = np.flatnonzero(np.isin(self._component, comps))
        local = np.full(len(self._free), -1)
        local[vars_] = np.arange(len(vars_))
        rows = [(c, local[cols_]) for c, cols_ in self._rows if np.isin(cols_, vars_).any()]
        a_eq = np.zeros((len(rows), len(vars_)))
        b_eq = np.zeros(len(rows))
        for r, (c, lcols) in enumerate(rows):
            a_eq[r, lcols] = 1.0
            m = self.cells.members[c]
            b_eq[r] = values[m].sum() - values[m[self._column[m] < 0]].sum()
        objective = np.zeros(len(vars_))
        objective[local[cols]] = 1.0
        low = self._solve(objective, a_eq, b_eq)
        high = -self._solve(-objective, a_eq, b_eq)
        return known + max(low, 0.0), known + high

    def _solve(self, objective: np.ndarray, a_eq: np.ndarray, b_eq: np.ndarray) -> float:
        self.programs += 1
        if not len(b_eq):
            return 0.0 if objective.min() >= 0 else -np.inf
        res = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        if res.status == 3:  # unbounded
            return -np.inf
        if res.status != 0:
            raise RuntimeError(f"audit: the linear programme failed ({res.message})")
        return float(res.fun)

    def weighted_sum(self, target: int, quantities: Iterable[tuple[str, float]]) -> tuple[float, float]:
        """Interval of ``sum coef x quantity`` (coef >= 0) over quantities that are separate systems (an item's
        points): the attacker's bound is the sum of each one's bound."""
        low = high = 0.0
        for name, coef in quantities:
            lo, hi = self.interval(target, name)
            low += coef * lo
            high += coef * hi
        return low, high
