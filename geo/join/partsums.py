"""The out-of-core join on a worker: one partition's rows judged by the row rules, placed in their own city's
districts and reduced to sums; the rows themselves never leave the worker.

Why sums: every figure of a join (counts, group tables, score estimates with their intervals, the release
gate's cells) is a function of a few additive quantities per district x group cell ("atom"): respondents,
summed weights and squared weights, and per score item and answer point the count, weight and squared weight
of its answerers, its don't-know and blank answers, plus the two largest weights (the gate's dominance rule).
A partition's sums and another's add up (``merge_sums``), so the workers reduce them in a tree and the client
receives one small table whatever the number of rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import h3
import numpy as np
import pandas as pd

from geo.engines.outofcore import district_positions
from geo.errors import InternalError
from geo.indicators.counts import two_largest
from geo.io.userfile import Columns
from geo.join.cells import Scale
from geo.join.rules import CheckedRows, check_rows, other_city_reason, outside_reason

TOP = "top:"  # columns "top:<item or empty>:1" and ":2": the two largest weights of an atom (not additive)


@dataclass
class PartSpec:
    """What every partition needs: the columns, the swap decided on the sample, the scales, the city rule and
    the districts every row may fall in (as WKB, with each one's city)."""

    label: str
    columns: Columns
    read: list[str]
    synthetic_columns: list[str]
    swap: bool = False
    resolutions: list[int] = field(default_factory=list)
    scales: dict[str, Scale] = field(default_factory=dict)
    fixed_city: str | None = None  # --city (or --vintage's city): every row's city
    wkb: tuple[bytes | None, ...] = ()
    target_city: tuple[str, ...] = ()
    vintages: dict[str, str] = field(default_factory=dict)  # city -> its chosen vintage (for the reasons)
    nowhere: str = ""  # the reason of a point in no city's district, when rows have no city of their own


@dataclass
class Sums:
    """One or more partitions reduced: rows read, rows set aside per reason, usable rows per city, the atoms'
    sums (index: target district position, group), hexagon sums, where each group first appears, and the
    answers found between an item's points (an error the client reports)."""

    rows: int = 0
    aside: Counter = field(default_factory=Counter)
    placed: Counter = field(default_factory=Counter)
    atoms: pd.DataFrame = field(default_factory=pd.DataFrame)
    hexes: pd.DataFrame = field(default_factory=pd.DataFrame)
    first: dict[str, tuple[int, int]] = field(default_factory=dict)
    between: Counter = field(default_factory=Counter)


def checked_rows(frame: pd.DataFrame, spec: PartSpec) -> CheckedRows:
    """Every row rule of ``geo.join.rules`` over the partition, with the swap decided on the sample."""
    return check_rows(frame.reset_index(drop=True), spec.columns, spec.label, swap=spec.swap, keep_values=False,
                      scales=dict(spec.scales), only_city=spec.fixed_city)


def partition_sums(frame: pd.DataFrame, number: int, spec: PartSpec) -> Sums:
    """The sums of one partition (``number``: its position, for the order in which groups first appear)."""
    checked = checked_rows(frame, spec)
    if checked.lon is None or checked.lat is None:
        raise InternalError("out-of-core join: the row rules gave no coordinates")
    usable = checked.usable
    sums = Sums(rows=len(frame), aside=Counter(pd.Series(checked.aside.reasons[~usable]).value_counts().to_dict()))
    idx = np.flatnonzero(usable)
    pos = district_positions(spec.wkb, checked.lon[idx], checked.lat[idx])
    found = np.where(pos >= 0, np.asarray(spec.target_city, dtype=object)[np.maximum(pos, 0)], None)
    expected: Any
    if spec.fixed_city is not None:
        expected = np.full(len(idx), spec.fixed_city, dtype=object)
    elif checked.city is not None:
        expected = checked.city.to_numpy(dtype=object)[idx]
    else:
        expected = found
    joined = (pos >= 0) & (found == expected)
    sums.placed.update(pd.Series(expected[expected != None]).value_counts().to_dict())  # noqa: E711
    missed = pd.DataFrame({"expected": expected[~joined], "found": found[~joined]}, dtype=object)
    for (exp, got), n in missed.value_counts(dropna=False).items():
        sums.aside[_late_reason(None if pd.isna(exp) else exp, None if pd.isna(got) else got, spec)] += int(n)
    rows = idx[joined]
    weight = checked.weight[rows] if checked.weight is not None else np.ones(len(rows))
    group = checked.group.to_numpy(dtype=object)[rows] if checked.group is not None else None
    codes: Any = np.zeros(len(rows), np.int64)
    labels: Any = pd.Index([""])
    if group is not None:
        codes, labels = pd.factorize(group)
    if group is not None:
        firsts = np.unique(codes, return_index=True)[1]
        sums.first = {str(labels[codes[i]]): (number, int(rows[i])) for i in firsts}
    key = pos[joined].astype(np.int64) * len(labels) + codes
    unique, atom = np.unique(key, return_inverse=True)
    columns = _atom_columns(atom, len(unique), weight, checked, rows, spec, sums)
    index = pd.MultiIndex.from_arrays([unique // len(labels), np.asarray(labels, dtype=object)[unique % len(labels)]],
                                      names=["target", "group"])
    sums.atoms = pd.DataFrame(columns, index=index)
    sums.hexes = _hexagons(checked.lon[rows], checked.lat[rows], found[joined], weight, spec.resolutions)
    return sums


def _late_reason(expected: str | None, found: str | None, spec: PartSpec) -> str:
    """Why a usable row joined no district (``geo.join.rules``' reasons after the spatial join)."""
    if expected is None:
        return spec.nowhere
    if found is not None:
        return other_city_reason(str(found), str(expected))
    return outside_reason(str(expected), spec.vintages.get(str(expected), "?"))


def _atom_columns(atom: np.ndarray, size: int, weight: np.ndarray, checked: CheckedRows, rows: np.ndarray,
                  spec: PartSpec, sums: Sums) -> dict[str, np.ndarray]:
    """Per atom: n, w, w2 and the two largest weights; per item its per-point count, weight and squared weight,
    its don't-know and blank answers and its two largest answering weights."""
    out = {"n": np.bincount(atom, minlength=size).astype(float),
           "w": np.bincount(atom, weights=weight, minlength=size),
           "w2": np.bincount(atom, weights=weight * weight, minlength=size)}
    out.update(_tops("", atom, weight, size))
    for item, (low, high) in spec.scales.items():
        y = checked.scores[item][rows]
        code = checked.nonresponse[item][rows]
        answered = ~np.isnan(y)
        k = y[answered] - low
        sums.between[item] += int((k != np.round(k)).sum())
        n_points = int(high - low) + 1
        a, wa = atom[answered], weight[answered]
        cell = a * n_points + np.clip(np.round(k), 0, n_points - 1).astype(np.int64)
        for name, values in (("c", None), ("w", wa), ("q", wa * wa)):
            per = np.bincount(cell, weights=values, minlength=size * n_points).reshape(size, n_points)
            for p in range(n_points):
                out[f"{item}:{name}{p}"] = per[:, p].astype(float)
        out[f"{item}:dk"] = np.bincount(atom[~answered & (code == 1)], minlength=size).astype(float)
        out[f"{item}:blank"] = np.bincount(atom[~answered & (code == 2)], minlength=size).astype(float)
        out.update(_tops(item, a, wa, size))
    return out


def _tops(key: str, atom: np.ndarray, weight: np.ndarray, size: int) -> dict[str, np.ndarray]:
    """The two largest weights per atom (0 where fewer rows), as two columns."""
    best = two_largest(atom, weight, size)
    return {f"{TOP}{key}:1": best[:, 0], f"{TOP}{key}:2": best[:, 1]}


def _hexagons(lon: np.ndarray, lat: np.ndarray, city: np.ndarray, weight: np.ndarray,
              resolutions: list[int]) -> pd.DataFrame:
    """Joined rows' weight and count per (resolution, city, H3 cell)."""
    frames = []
    for res in resolutions:
        cells = [h3.latlng_to_cell(y, x, res) for x, y in zip(lon, lat, strict=True)]
        frame = pd.DataFrame({"res": res, "city": city, "hex_id": cells, "w": weight, "n": 1})
        frames.append(frame.groupby(["res", "city", "hex_id"], sort=False).sum())
    return pd.concat(frames) if frames else pd.DataFrame()


def merge_sums(a: Sums, b: Sums) -> Sums:
    """Two partitions' sums as one: counts and sums add, the two largest weights of four are kept, a group
    first appears where it appears first."""
    first = dict(b.first)
    for label, where in a.first.items():
        first[label] = min(where, first.get(label, where))
    atoms = _stack(a.atoms, b.atoms)
    if len(atoms):
        atoms = _merge_atoms(atoms)
    hexes = _stack(a.hexes, b.hexes)
    if len(hexes):
        hexes = hexes.groupby(level=[0, 1, 2], sort=False).sum()
    return Sums(rows=a.rows + b.rows, aside=a.aside + b.aside, placed=a.placed + b.placed, atoms=atoms,
                hexes=hexes, first=first, between=a.between + b.between)


def _stack(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    frames = [x for x in (a, b) if len(x)]
    return pd.concat(frames) if frames else (a if len(a.columns) else b)


def _merge_atoms(atoms: pd.DataFrame) -> pd.DataFrame:
    tops = [c for c in atoms.columns if c.startswith(TOP) and c.endswith(":1")]
    additive = [c for c in atoms.columns if not c.startswith(TOP)]
    codes, unique = atoms.index.factorize()
    summed = atoms[additive].groupby(codes, sort=False).sum()
    out = pd.DataFrame(summed.to_numpy(), columns=additive, index=pd.MultiIndex.from_tuples(
        list(unique), names=atoms.index.names))
    for column in tops:
        base = column[:-2]
        values = np.r_[atoms[f"{base}:1"].to_numpy(), atoms[f"{base}:2"].to_numpy()]
        best = two_largest(np.r_[codes, codes], values, len(unique))
        out[f"{base}:1"], out[f"{base}:2"] = best[:, 0], best[:, 1]
    return out
