"""The cells of a survey release: every figure a join publishes, as sums over the finest cells.

Why one system: the tables of a survey join (districts, groups, the scores of every item, answer
distributions, city and all-cities totals) are not separate tables but views of the same respondents. A figure
hidden in one table and a figure shown in another are linked by addition, so suppression has to be decided over
all of them at once. Here every published domain is a **cell**: a district x group (the finest, an "atom"),
a district, a group within a city, a city, or all cities together. Each atom carries the additive quantities an
attacker can read off the published tables for a shown cell:

- ``n``: respondents (districts.n_rows); ``w``: their summed weight (districts.count, groups.count);
- per score item ``I``: ``I:n`` answerers (scores.n), ``I:r`` item non-respondents (scores.nonresponse),
  ``I:q`` the sum of squared weights of answerers (weight_sum^2 / n_eff), and ``I:p<k>`` the weight of those
  answering point k (dist x weight_sum; the mean and top-box share are sums of these).

A cell's value of a quantity is the sum over its atoms. Sensitivity (which cells must be hidden on their own,
``geo.release.rules``) needs more than sums: the two largest weights of each atom are kept so a cell's
dominance can be judged from its atoms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geo.indicators.counts import two_largest

ALL = "all"
LEVELS = ("group", "district", "city_group", "city", "national")


@dataclass(frozen=True)
class Item:
    """A score item: its column and the points of its scale."""

    column: str
    low: int
    high: int

    @property
    def points(self) -> np.ndarray:
        return np.arange(self.low, self.high + 1)


@dataclass
class Cells:
    """Published cells over atoms, with every additive quantity per atom and the cells' sensitivity inputs."""

    keys: pd.DataFrame  # per cell: city (None: all cities), district_id (None above districts), group, level
    members: list[np.ndarray]  # atom positions of each cell
    n_atoms: int
    quantities: dict[str, np.ndarray] = field(default_factory=dict)  # per atom
    counts: dict[str, str] = field(default_factory=dict)  # quantity -> the respondent count that scales it
    weighted: dict[str, bool] = field(default_factory=dict)  # quantity -> weights (not integer counts)
    top2: dict[str, np.ndarray] = field(default_factory=dict)  # "" (all rows) / item -> per atom two largest w

    def total(self, quantity: str) -> np.ndarray:
        """The quantity's value in every cell (computed once: the atoms' values do not change)."""
        if quantity not in self._totals:
            values = self.quantities[quantity]
            self._totals[quantity] = np.array([values[m].sum() for m in self.members])
        return self._totals[quantity]

    def cell_top2(self, key: str) -> np.ndarray:
        """The two largest single weights of each cell (among all rows, or an item's answerers)."""
        per_atom = self.top2[key]
        out = np.zeros((len(self.members), 2))
        for i, m in enumerate(self.members):
            best = np.sort(per_atom[m].ravel())[::-1][:2]
            out[i, :len(best)] = best
        return out

    def position(self, city: str | None, district: str | None, group: str) -> int | None:
        """The cell of a published row, or None when the release has no such cell."""
        return self._index.get((city, district, group))

    def __post_init__(self) -> None:
        self._totals: dict[str, np.ndarray] = {}
        self._index = {(c, d, g): i for i, (c, d, g) in enumerate(
            zip(self.keys["city"], self.keys["district_id"], self.keys["group"], strict=True))}


def build(rows: pd.DataFrame, districts: pd.DataFrame, items: Sequence[Item], group: str | None) -> Cells:
    """The cells of a join: ``rows`` (city, district_id, weight, [group], one column per item with NaN for no
    answer) over ``districts`` (district_id, city: every district of the chosen vintages, in table order)."""
    labels = sorted({str(v) for v in rows[group]}, key=str) if group else [ALL]
    cells = layout(districts, labels, grouped=group is not None)
    atom_keys = [tuple(k) for k in cells.keys.iloc[:cells.n_atoms][["city", "district_id", "group"]].to_numpy()]
    atom_index = pd.MultiIndex.from_tuples(atom_keys, names=["city", "district_id", "group"])
    row_keys = pd.MultiIndex.from_arrays([rows["city"].astype(str), rows["district_id"].astype(str),
                                          rows[group].astype(str) if group else np.full(len(rows), ALL)])
    atom = atom_index.get_indexer(row_keys)
    if (atom < 0).any():
        raise ValueError("a joined row lies outside the release's districts")
    w = rows["weight"].to_numpy(dtype=float) if "weight" in rows else np.ones(len(rows))
    size = len(atom_keys)
    cells.quantities["n"] = np.bincount(atom, minlength=size).astype(float)
    cells.quantities["w"] = np.bincount(atom, weights=w, minlength=size)
    cells.quantities["w2"] = np.bincount(atom, weights=w * w, minlength=size)  # for n_eff only: not published
    cells.top2[""] = two_largest(atom, w, size)
    for item in items:
        y = rows[item.column].to_numpy(dtype=float)
        answered = ~np.isnan(y)
        a, wa = atom[answered], w[answered]
        name = item.column
        cells.quantities[f"{name}:n"] = np.bincount(a, minlength=size).astype(float)
        cells.quantities[f"{name}:r"] = np.bincount(atom[~answered], minlength=size).astype(float)
        cells.quantities[f"{name}:q"] = np.bincount(a, weights=wa * wa, minlength=size)
        for point in item.points:
            hit = y[answered] == point
            key = f"{name}:p{point}"
            cells.quantities[key] = np.bincount(a[hit], weights=wa[hit], minlength=size)
        cells.top2[name] = two_largest(a, wa, size)
    describe(cells, items)
    return cells


def describe(cells: Cells, items: Sequence[Item]) -> None:
    """Which respondent count scales each quantity and whether it is a weight (the audit's protection needs
    both), for cells built from rows or from sums alike."""
    cells.counts.update(n="n", w="n")
    cells.weighted.update(n=False, w=True)
    for item in items:
        name = item.column
        cells.counts.update({f"{name}:n": f"{name}:n", f"{name}:r": "n", f"{name}:q": f"{name}:n"})
        cells.weighted.update({f"{name}:n": False, f"{name}:r": False, f"{name}:q": True})
        for point in item.points:
            cells.counts[f"{name}:p{point}"] = f"{name}:n"
            cells.weighted[f"{name}:p{point}"] = True


def from_sums(districts: pd.DataFrame, atoms: pd.DataFrame, quantities: dict[str, np.ndarray],
              top2: dict[str, np.ndarray], items: Sequence[Item], group: str | None) -> Cells:
    """``build``'s cells from per-atom sums instead of rows (the out-of-core join's workers send these):
    ``atoms`` (city, district_id, group) one row per atom with respondents, ``quantities`` and ``top2`` per
    such atom under ``build``'s names."""
    labels = sorted({str(g) for g in atoms["group"]}) if group else [ALL]
    cells = layout(districts, labels, grouped=group is not None)
    keys = cells.keys.iloc[:cells.n_atoms]
    index = pd.MultiIndex.from_arrays([keys["city"], keys["district_id"], keys["group"]])
    mine = pd.MultiIndex.from_arrays([atoms["city"].astype(str), atoms["district_id"].astype(str),
                                      atoms["group"].astype(str) if group else np.full(len(atoms), ALL)])
    at = index.get_indexer(mine)
    if (at < 0).any():
        raise ValueError("a joined atom lies outside the release's districts")
    for name, values in quantities.items():
        cells.quantities[name] = np.zeros(cells.n_atoms)
        np.add.at(cells.quantities[name], at, np.asarray(values, dtype=float))
    for name, values in top2.items():
        cells.top2[name] = np.zeros((cells.n_atoms, 2))
        cells.top2[name][at] = values
    describe(cells, items)
    return cells


def layout(districts: pd.DataFrame, labels: list[str], *, grouped: bool) -> Cells:
    """The cells over ``districts`` (district_id, city) x ``labels`` without quantities; its first ``n_atoms``
    keys are the atoms (city, district_id as text, group)."""
    cities = list(dict.fromkeys(districts["city"].astype(str)))
    atom_keys = [(c, str(d), g) for c in cities
                 for d in districts.loc[districts["city"].astype(str) == c, "district_id"] for g in labels]
    keys, members = _cells(atom_keys, cities, labels, grouped=grouped)
    return Cells(keys=keys, members=members, n_atoms=len(atom_keys))


def _cells(atoms: list[tuple[str, str, str]], cities: list[str], labels: list[str], *,
           grouped: bool) -> tuple[pd.DataFrame, list[np.ndarray]]:
    """Every published cell and its atoms: atoms (district x group), districts, city groups, cities, all."""
    records: list[tuple[str | None, str | None, str, str]] = []
    members: list[np.ndarray] = []
    pos = np.arange(len(atoms))
    city_of = np.array([a[0] for a in atoms], dtype=object)
    district_of = np.array([a[1] for a in atoms], dtype=object)
    group_of = np.array([a[2] for a in atoms], dtype=object)
    for i, (c, d, g) in enumerate(atoms):
        records.append((c, d, g, "group" if grouped else "district"))
        members.append(pos[i:i + 1])
    if grouped:
        for c in cities:
            for d in dict.fromkeys(district_of[city_of == c]):
                records.append((c, d, ALL, "district"))
                members.append(pos[(city_of == c) & (district_of == d)])
            for g in labels:
                records.append((c, None, g, "city_group"))
                members.append(pos[(city_of == c) & (group_of == g)])
    for c in cities:
        records.append((c, None, ALL, "city"))
        members.append(pos[city_of == c])
    if len(cities) > 1:
        records.append((None, None, ALL, "national"))
        members.append(pos)
    keys = pd.DataFrame(records, columns=["city", "district_id", "group", "level"], dtype=object)  # None stays None
    return keys, members
