"""Change of district figures between two dates, only where the districts are comparable: on the same
boundaries, or (for additive counts) summed through the lineage table into units that cover the same land at
both dates. Every pair of dates is listed with the method or with the reason it is refused, so a map of change
never shows a difference between districts that are not the same place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.domain.figures import COUNT_UNITS
from geo.settings import STORAGE_CRS

PAIR_COLUMNS = ("city", "indicator", "unit", "from_period", "to_period", "from_end", "to_end", "from_vintage",
                "to_vintage", "comparable", "method", "reason", "n_units", "additive", "sources_differ", "note",
                "from_period_ru", "from_period_kk", "to_period_ru", "to_period_kk")
CHANGE_COLUMNS = ("fid", "city", "indicator", "unit", "from_period", "to_period", "from_end", "to_end", "unit_id",
                  "districts_from", "districts_to", "from_vintage", "to_vintage", "vintage", "name_en", "name_ru",
                  "name_kk", "value_from", "value_to", "change_abs", "change_rel", "source_from", "source_to",
                  "sources_differ", "confidence_from", "confidence_to", "method", "note",
                  "from_period_ru", "from_period_kk", "to_period_ru", "to_period_kk")
CHANGE_WEB_COLUMNS = ("fid", "unit_id", "city", "vintage", "name_en", "name_ru", "name_kk")

SAME, LINEAGE = "same boundaries", "lineage sums"
# Extensive quantities: the value of a union of districts is the sum of theirs. Shares, rates, densities and
# prices are not, whatever their unit says.
ADDITIVE_UNITS = COUNT_UNITS | {"km2", "ha"}
NOT_ADDITIVE = re.compile(r"share|rate|density|price|per_|percent", re.IGNORECASE)
NOT_NUMERIC_UNITS = {"category", "date", "text"}
LANGS = ("en", "ru", "kk")


def is_additive(indicator: str, unit: str) -> bool:
    return unit in ADDITIVE_UNITS and not NOT_ADDITIVE.search(indicator)


def change_inputs(figures: pd.DataFrame) -> pd.DataFrame:
    """Dated numeric district figures. Figures carried to older boundaries through lineage (``lineage:`` ids,
    and densities or growth made from them) are left out: they are sums of the same sourced numbers, and using
    them would report a bridged boundary change as 'same boundaries'; the lineage method here does it openly."""
    fig = figures[figures.district_id.notna() & figures.value.notna() & figures.period_end.notna()
                  & figures.period_label.notna()]
    fig = fig[~fig.unit.isin(NOT_NUMERIC_UNITS) & ~fig.figure_id.astype(str).str.contains("lineage:")
              & ~fig.confidence.fillna("").str.contains("undated")]
    fig = fig.assign(period_end=pd.to_datetime(fig.period_end).dt.date.astype(str))
    # One figure per district and date: a sourced one before a derived one, then the first listed.
    fig = fig.sort_values(["derived", "figure_id"], kind="stable")
    return fig.drop_duplicates(["city", "indicator", "unit", "vintage", "district_id", "period_label"])


@dataclass
class Unit:
    """Districts of ``vintage_from`` and of ``vintage_to`` that cover the same land (one each: same boundaries)."""

    ids_from: tuple[str, ...]
    ids_to: tuple[str, ...]
    relations: list[str] = field(default_factory=list)
    blocked: bool = False  # the lineage says this land is not comparable across the change


class Lineage:
    """Units of whole districts between two vintages of a city, from the lineage table (union-find over every
    step between them), or the reason there are none."""

    def __init__(self, lineage: pd.DataFrame, vintages: pd.DataFrame) -> None:
        self.lineage = lineage.fillna("")
        table = vintages.fillna("")
        self.order = {c: list(g.sort_values("valid_from", kind="stable").vintage) for c, g in table.groupby("city")}
        self.valid_from = dict(zip(table.vintage, table.valid_from, strict=False))
        earliest = table.valid_from_earliest if "valid_from_earliest" in table.columns else [""] * len(table)
        self.earliest = dict(zip(table.vintage, earliest, strict=False))

    def steps(self, city: str, a: str, b: str) -> list[str]:
        """The vintages after the earlier of ``a``, ``b`` up to the later: each one's lineage rows are a step."""
        order = self.order.get(city, [])
        i, j = sorted((order.index(a), order.index(b)))
        return order[i + 1:j + 1]

    def changed_on(self, city: str, a: str, b: str) -> str:
        """The dates of the boundary changes between ``a`` and ``b``; a change the sources only bound says so."""
        return ", ".join(self._date(v) for v in self.steps(city, a, b))

    def _date(self, vintage: str) -> str:
        day = self.valid_from.get(vintage) or "an unstated date"
        if self.earliest.get(vintage):
            return f"{day} (date uncertain: between {self.earliest[vintage]} and {day})"
        return day

    def units(self, city: str, v_from: str, v_to: str, names: dict[tuple[str, str], str]) -> list[Unit] | str:
        steps = self.steps(city, v_from, v_to)
        rows = self.lineage[(self.lineage.city == city) & self.lineage.vintage.isin(steps)]
        orphan = rows[rows.parent_vintage == ""]
        if len(orphan):
            r = orphan.iloc[0]
            return (f"the lineage of {r.vintage} has a district of unknown origin "
                    f"({names.get((r.vintage, r.district_id), r.district_id)}: {r.relation}), so whole districts "
                    f"cannot be matched")
        parent: dict[tuple[str, str], tuple[str, str]] = {}

        def find(node: tuple[str, str]) -> tuple[str, str]:
            parent.setdefault(node, node)
            while parent[node] != node:
                parent[node] = parent[parent[node]]
                node = parent[node]
            return node

        for vintage, did in names:
            if vintage in (v_from, v_to):
                find((vintage, did))
        for r in rows.itertuples():
            parent[find((r.vintage, r.district_id))] = find((r.parent_vintage, r.parent_id))
        groups: dict[tuple[str, str], Unit] = {}
        for node in list(parent):
            unit = groups.setdefault(find(node), Unit((), ()))
            if node[0] == v_from:
                unit.ids_from = (*unit.ids_from, node[1])
            if node[0] == v_to:
                unit.ids_to = (*unit.ids_to, node[1])
        for r in rows.drop_duplicates(["vintage", "district_id", "relation"]).itertuples():
            if not str(r.relation).startswith("same"):
                groups[find((r.vintage, r.district_id))].relations.append(
                    f"{names.get((r.vintage, r.district_id), r.district_id)} ({r.vintage}): {r.relation}")
            if "not comparable" in str(r.relation):  # e.g. land from outside the city: no sum matches it
                groups[find((r.vintage, r.district_id))].blocked = True
        return [Unit(tuple(sorted(u.ids_from)), tuple(sorted(u.ids_to)), u.relations, u.blocked)
                for u in groups.values() if u.ids_from or u.ids_to]


def _flags(values: Iterable[str]) -> str:
    return ";".join(dict.fromkeys(f for v in values for f in str(v or "").split(";") if f))


def _sources(values: Iterable[str]) -> str:
    return " | ".join(dict.fromkeys(str(v) for v in values if v))


class ChangeBuilder:
    """Every pair of dates of every city's district indicator; the rows of `change_pairs` and `changes`."""

    def __init__(self, figures: pd.DataFrame, districts: gpd.GeoDataFrame, lineage: pd.DataFrame,
                 vintages: pd.DataFrame) -> None:
        self.inputs = change_inputs(figures)
        self.lineage = Lineage(lineage, vintages)
        self.names = {(r.vintage, r.district_id): {lang: str(getattr(r, f"name_{lang}") or r.district_id)
                                                    for lang in LANGS}
                      for r in districts.itertuples()}
        self.geometry = dict(zip(zip(districts.vintage, districts.district_id, strict=False),
                                 districts.geometry.values, strict=False))
        self.labels = {(r.period_label, lang): getattr(r, f"period_label_{lang}", None)
                       for r in figures.drop_duplicates("period_label").itertuples() for lang in ("ru", "kk")}
        self.pairs: list[dict] = []
        self.changes: list[dict] = []

    def name(self, vintage: str, ids: Iterable[str], lang: str = "en") -> str:
        return " + ".join(self.names.get((vintage, d), {}).get(lang, d) for d in ids)

    def build(self) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
        for (city, indicator, unit), series in self.inputs.groupby(["city", "indicator", "unit"], sort=True):
            periods = series[["period_label", "period_end"]].drop_duplicates().sort_values(["period_end",
                                                                                           "period_label"])
            plist = list(periods.itertuples(index=False))
            for i, (label_a, end_a) in enumerate(plist):
                for label_b, end_b in plist[i + 1:]:
                    if end_a < end_b:
                        self.pair(str(city), str(indicator), str(unit), series[series.period_label == label_a],
                                  series[series.period_label == label_b])
        pairs = pd.DataFrame(self.pairs, columns=list(PAIR_COLUMNS))
        changes = pd.DataFrame(self.changes, columns=[*CHANGE_COLUMNS, "geometry"])
        return pairs, gpd.GeoDataFrame(changes, geometry="geometry", crs=STORAGE_CRS)

    def pair(self, city: str, indicator: str, unit: str, a: pd.DataFrame, b: pd.DataFrame) -> None:
        """One pair of dates: same boundaries if both dates have figures on one vintage, else lineage sums of an
        additive indicator, else refused with the reason."""
        additive = is_additive(indicator, unit)
        common = set(a.vintage) & set(b.vintage)
        notes: list[str] = []
        if common:
            v = max(sorted(common), key=lambda x: len(set(a[a.vintage == x].district_id)
                                                        & set(b[b.vintage == x].district_id)))
            v_from = v_to = v
            units = [Unit((d,), (d,)) for d in sorted(set(a[a.vintage == v].district_id)
                                                       | set(b[b.vintage == v].district_id))]
            method: str | None = SAME
        else:
            v_from, v_to = (x.vintage.value_counts().sort_index().idxmax() for x in (a, b))
            found = self.lineage.units(city, v_from, v_to, {k: n["en"] for k, n in self.names.items()})
            method = LINEAGE
            if not additive:
                found = (f"boundaries changed on {self.lineage.changed_on(city, v_from, v_to)} ({v_from} -> {v_to}) "
                         f"and {indicator} is not additive")
            if isinstance(found, str):
                self.add_pair(city, indicator, unit, a, b, v_from, v_to, None, found, 0, additive, False, "")
                return
            units = found
        a, b = a[a.vintage == v_from].set_index("district_id"), b[b.vintage == v_to].set_index("district_id")
        label_a, label_b = a.period_label.iloc[0], b.period_label.iloc[0]
        done, differ = 0, False
        for u in units:
            missing = ([f"no figure for {label_a} in {self.name(v_from, [d])} ({v_from})"
                        for d in u.ids_from if d not in a.index]
                       + [f"no figure for {label_b} in {self.name(v_to, [d])} ({v_to})"
                          for d in u.ids_to if d not in b.index])
            if not u.ids_from:
                missing.append(f"{self.name(v_to, u.ids_to)} ({v_to}) has no district in {v_from} to match")
            if not u.ids_to:
                missing.append(f"{self.name(v_from, u.ids_from)} ({v_from}) has no district in {v_to} to match")
            if u.blocked:
                missing = [f"{self.name(v_from, u.ids_from)} ({v_from}) -> {self.name(v_to, u.ids_to)} ({v_to}) "
                           f"not comparable: " + "; ".join(r for r in u.relations if "not comparable" in r)]
            if missing:
                notes += missing
                continue
            differ |= self.add_change(city, indicator, unit, method or SAME, v_from, v_to, u,
                                      a.loc[list(u.ids_from)], b.loc[list(u.ids_to)])
            done += 1
        reason = None if done else "; ".join(notes) or "no district has figures at both dates"
        self.add_pair(city, indicator, unit, a, b, v_from, v_to, method if done else None, reason, done, additive,
                      differ, "; ".join(notes) if done else "")

    def add_pair(self, city: str, indicator: str, unit: str, a: pd.DataFrame, b: pd.DataFrame, v_from: str,
                 v_to: str, method: str | None, reason: str | None, n_units: int, additive: bool, differ: bool,
                 note: str) -> None:
        label_a, label_b = a.period_label.iloc[0], b.period_label.iloc[0]
        self.pairs.append({
            "city": city, "indicator": indicator, "unit": unit, "from_period": label_a, "to_period": label_b,
            "from_end": a.period_end.iloc[0], "to_end": b.period_end.iloc[0], "from_vintage": v_from,
            "to_vintage": v_to, "comparable": n_units > 0, "method": method, "reason": reason, "n_units": n_units,
            "additive": additive, "sources_differ": differ, "note": note or None,
            **self.period_translations(label_a, label_b)})

    def period_translations(self, label_a: str, label_b: str) -> dict:
        return {f"{side}_period_{lang}": self.labels.get((label, lang))
                for side, label in (("from", label_a), ("to", label_b)) for lang in ("ru", "kk")}

    def add_change(self, city: str, indicator: str, unit: str, method: str, v_from: str, v_to: str, u: Unit,
                   a: pd.DataFrame, b: pd.DataFrame) -> bool:
        """One comparable unit's change; True when the two dates' sources differ (allowed, flagged)."""
        value_from, value_to = float(a.value.sum()), float(b.value.sum())
        change = value_to - value_from
        rel = change / abs(value_from) if value_from != 0 and np.isfinite(value_from) else float("nan")
        vintage, ids = (v_to, u.ids_to)
        if any(self.geometry.get((v_to, d)) is None for d in u.ids_to):
            vintage, ids = (v_from, u.ids_from)  # the later boundaries are not drawn: the earlier ones, if any
        shapes = [self.geometry.get((vintage, d)) for d in ids]
        geometry = None if any(s is None for s in shapes) else (
            shapes[0] if len(shapes) == 1 else shapely.union_all(shapes))
        unit_id = u.ids_to[0] if method == SAME else f"{v_to}:{'+'.join(u.ids_to)}"
        differ = set(a.source) != set(b.source)
        self.changes.append({
            "fid": f"{vintage}:{'+'.join(ids)}", "city": city, "indicator": indicator, "unit": unit,
            "from_period": a.period_label.iloc[0], "to_period": b.period_label.iloc[0],
            "from_end": a.period_end.iloc[0], "to_end": b.period_end.iloc[0], "unit_id": unit_id,
            "districts_from": "+".join(u.ids_from), "districts_to": "+".join(u.ids_to), "from_vintage": v_from,
            "to_vintage": v_to, "vintage": vintage,
            **{f"name_{lang}": self.name(vintage, ids, lang) for lang in LANGS},
            "value_from": value_from, "value_to": value_to, "change_abs": change, "change_rel": rel,
            "source_from": _sources(a.source), "source_to": _sources(b.source), "sources_differ": differ,
            "confidence_from": _flags(a.confidence), "confidence_to": _flags(b.confidence), "method": method,
            "note": "; ".join(u.relations) or None,
            **self.period_translations(a.period_label.iloc[0], b.period_label.iloc[0]), "geometry": geometry})
        return differ


def build_changes(figures: pd.DataFrame, districts: gpd.GeoDataFrame, lineage: pd.DataFrame,
                  vintages: pd.DataFrame) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """The `change_pairs` table and the `changes` layer."""
    return ChangeBuilder(figures, districts, lineage, vintages).build()


def change_units(changes: gpd.GeoDataFrame, city: str) -> gpd.GeoDataFrame:
    """The drawn units of a city's changes, one feature per ``fid`` (for web/changes_<city>.geojson)."""
    units = changes[(changes.city == city) & changes.geometry.notna()].drop_duplicates("fid")
    return gpd.GeoDataFrame(units[[*CHANGE_WEB_COLUMNS, "geometry"]].reset_index(drop=True), geometry="geometry",
                            crs=changes.crs)
