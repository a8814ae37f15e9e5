"""The build's change and flow layers, indexed once at start-up (the change map, the flows into each city).

The build decides which pairs of dates are comparable (same boundaries, or sums through the lineage table) and
computes every change and writes the web geometry of its units and flow lines (web/changes_<city>.geojson,
web/flows.geojson); the dashboard only picks a pair's rows and serves those features as the build drew them. A
build without these layers (an older one) leaves the index empty: the page then offers no change map and no
flows, and says so.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

from dashboard.state.records import (
    GeoLayer,
    Localized,
    clean_cell,
    geolayer,
    localized,
    number_cell,
    split_cell,
    text_cell,
)
from geo import store
from geo.errors import QalaError

LANG_CODES = ("en", "ru", "kk")


def _names(row: dict, fallback: str) -> dict[str, str]:
    return {lang: text_cell(row.get(f"name_{lang}")) or fallback for lang in LANG_CODES}


def _number(value: object) -> float | None:
    return number_cell(value)


@dataclass(frozen=True)
class Pair:
    """Two dates of an indicator in a city, as the build judged them: comparable (and how) or not (and why)."""

    start: str
    end: str
    start_text: Localized
    end_text: Localized
    comparable: bool
    method: str | None
    reason: str | None
    n_units: int | None
    start_end: str = ""  # the dates the periods end on (their order on a time axis)
    end_end: str = ""


@dataclass(frozen=True)
class Change:
    """The change of one unit (a district, or a sum of districts through the lineage) between two dates."""

    unit_id: str
    value_from: float | None
    value_to: float | None
    change_abs: float | None
    change_rel: float | None
    unit: str | None
    source_from: str | None
    source_to: str | None
    confidence_from: tuple[str, ...]
    confidence_to: tuple[str, ...]
    method: str | None
    names: dict[str, str]
    layer: str  # the served layer (vm.geo) that holds its geometry


@dataclass(frozen=True)
class Flow:
    """Arrivals into a city from one region of origin in one period, with the line drawn for it."""

    region_id: str
    names: dict[str, str]
    indicator: str
    period: str
    period_text: Localized
    value: float | None
    unit: str | None
    share: float | None
    source: str | None
    confidence: tuple[str, ...]
    line: tuple[tuple[float, float], ...]  # (lat, lon) from the origin to the city
    end: str = ""  # the date the period ends on (its order on a time axis)
    fid: str = ""  # the build's flow_id


@dataclass
class TimeIndex:
    pairs: dict[tuple[str, str], list[Pair]] = field(default_factory=dict)
    changes: dict[tuple[str, str, str, str], dict[str, Change]] = field(default_factory=dict)
    flows: dict[str, dict[str, list[Flow]]] = field(default_factory=dict)  # city -> period -> flows
    layers: dict[str, GeoLayer] = field(default_factory=dict)  # served change units, per city and vintage
    additive: frozenset[str] = frozenset()  # indicators the build sums over districts (counts, areas)
    parents: dict[str, str] = field(default_factory=dict)  # boundary set -> the one before it (lineage)
    same: set[tuple[str, str]] = field(default_factory=set)  # (set, district) drawn as in the set before

    def unchanged(self, district: str, before: str | None, after: str | None) -> bool:
        """Whether ``district`` kept its borders from boundary set ``before`` to ``after`` (the lineage says
        "same" at every change between them): only then may a line join its values across them."""
        if before == after:
            return True
        step = after
        while step is not None and step != before:
            if (step, district) not in self.same:
                return False
            step = self.parents.get(step)
        return step == before

    def comparable(self, city: str, indicator: str) -> list[tuple[str, str]]:
        return [(p.start, p.end) for p in self.pairs.get((city, indicator), []) if p.comparable]

    def preferred_pair(self, city: str, indicator: str) -> tuple[str, str] | None:
        """The change a link without dates opens: of the comparable pairs, the one covering the most districts,
        then the latest end, then the longest span to it (a 2008 -> 2015 change of one district says less than
        2013 -> 2015 of three)."""
        pairs = [p for p in self.pairs.get((city, indicator), []) if p.comparable]
        if not pairs:
            return None
        top = max((p.n_units or 0, p.end_end) for p in pairs)
        best = min((p for p in pairs if (p.n_units or 0, p.end_end) == top), key=lambda p: (p.start_end, p.start))
        return best.start, best.end

    def flow_indicators(self, national: bool) -> set[str]:
        """The flow indicators the national overview offers (a city's own figures break nothing down by
        origin, so its view offers none)."""
        return {f.indicator for periods in self.flows.values() for items in periods.values() for f in items} \
            if national else set()

    def flow_periods(self, indicator: str) -> list[str]:
        """The periods with flows of an indicator into any city, oldest first (by the date they end on)."""
        ends = {f.period: f.end for periods in self.flows.values() for items in periods.values() for f in items
                if f.indicator == indicator}
        return sorted(ends, key=lambda p: (ends[p], p))

    def pair(self, city: str, indicator: str, start: str | None, end: str | None) -> Pair | None:
        return next((p for p in self.pairs.get((city, indicator), []) if (p.start, p.end) == (start, end)),
                    None)


def _read(name: str) -> pd.DataFrame | None:
    try:
        return store.load_layer(name)
    except QalaError:  # not in this build (or contract): no change map / flows, said on the page
        return None


def _web(name: str) -> list[dict]:
    """The features of a web layer the build wrote (``changes_astana``, ``flows``); [] when not built."""
    raw = store.web_bytes(name)
    return json.loads(raw)["features"] if raw else []


def load(served: dict[str, GeoLayer]) -> TimeIndex:
    """The index; the change units' layers are added to ``served`` (the view model's served layers)."""
    index = TimeIndex()
    pairs, changes, flows, lineage = _read("change_pairs"), _read("changes"), _read("flows"), _read("lineage")
    if lineage is not None:
        _load_lineage(index, lineage)
    if pairs is not None:
        _load_pairs(index, pairs)
    if changes is not None and len(changes):
        _load_changes(index, changes)
    if flows is not None and len(flows):
        _load_flows(index, flows)
    served.update(index.layers)
    return index


def _order(value: object) -> str:
    return text_cell(value) or ""


def _load_lineage(index: TimeIndex, frame: pd.DataFrame) -> None:
    for r in frame.to_dict("records"):
        vintage, parent = text_cell(r.get("vintage")), text_cell(r.get("parent_vintage"))
        if vintage and parent:
            index.parents[vintage] = parent
            if text_cell(r.get("relation")) == "same":
                index.same.add((vintage, str(r["district_id"])))


def _load_pairs(index: TimeIndex, frame: pd.DataFrame) -> None:
    grouped: dict[tuple[str, str], list[Pair]] = defaultdict(list)
    for r in frame.to_dict("records"):
        n = number_cell(r.get("n_units"))
        grouped[(str(r["city"]), str(r["indicator"]))].append(Pair(
            str(r["from_period"]), str(r["to_period"]), localized(r, "from_period"), localized(r, "to_period"),
            bool(clean_cell(r.get("comparable")) or False),
            text_cell(r.get("method")), text_cell(r.get("reason")), None if n is None else int(n),
            _order(r.get("from_end")), _order(r.get("to_end"))))
    index.pairs = {key: sorted(items, key=lambda p: (p.start_end, p.start, p.end_end, p.end))
                   for key, items in grouped.items()}
    if "additive" in frame:
        index.additive = frozenset(frame.loc[frame["additive"].astype(bool), "indicator"].astype(str))


def _load_changes(index: TimeIndex, frame: pd.DataFrame) -> None:
    """Each pair's changes, and one served layer per distinct set of units (pairs on the same boundaries
    share it), so a map never shows units of another pair; the units' shapes are the build's web features."""
    drawn: dict[str, dict[str, dict]] = {}
    for (city, indicator, start, end), part in frame.groupby(["city", "indicator", "from_period", "to_period"]):
        if city not in drawn:
            drawn[city] = {str(f["properties"]["fid"]): f for f in _web(f"changes_{str(city).lower()}")}
        fids = sorted(str(f) for f in part["fid"])
        name = f"chg-{str(city).lower()}-{hashlib.sha1(','.join(fids).encode()).hexdigest()[:10]}"
        if name not in index.layers:
            features = [drawn[city][fid] for fid in fids if fid in drawn[city]]
            index.layers[name] = geolayer(name, {"type": "FeatureCollection", "features": features}, "fid")
        key = (str(city), str(indicator), str(start), str(end))
        for r in part.drop(columns=frame.geometry.name).to_dict("records"):
            uid = str(r["fid"])
            index.changes.setdefault(key, {})[uid] = Change(
                uid, _number(r.get("value_from")), _number(r.get("value_to")), _number(r.get("change_abs")),
                _number(r.get("change_rel")), text_cell(r.get("unit")), text_cell(r.get("source_from")),
                text_cell(r.get("source_to")), split_cell(r.get("confidence_from")),
                split_cell(r.get("confidence_to")), text_cell(r.get("method")), _names(r, uid), name)


def _line(feature: dict | None) -> tuple[tuple[float, float], ...]:
    """A flow's line as (lat, lon) pairs, from the build's web feature."""
    geometry = (feature or {}).get("geometry") or {}
    if geometry.get("type") != "LineString":
        return ()
    return tuple((lat, lon) for lon, lat, *_ in geometry["coordinates"])


def _load_flows(index: TimeIndex, frame: pd.DataFrame) -> None:
    lines = {str(f["properties"].get("fid")): f for f in _web("flows")}
    for r in frame.drop(columns=frame.geometry.name).to_dict("records"):
        rid = text_cell(r.get("region_id")) or ""
        flow = Flow(rid, _names(r, text_cell(r.get("origin")) or rid), str(r["indicator"]),
                    str(r["period_label"]), localized(r, "period_label"), _number(r.get("value")), text_cell(r.get("unit")),
                    _number(r.get("share")), text_cell(r.get("source")), split_cell(r.get("confidence")),
                    _line(lines.get(text_cell(r.get("flow_id")) or "")), _order(r.get("period_end")), text_cell(r.get("flow_id")) or "")
        index.flows.setdefault(str(r["city"]), {}).setdefault(flow.period, []).append(flow)
    for periods in index.flows.values():
        for items in periods.values():
            items.sort(key=lambda f: -(f.share if f.share is not None else f.value or 0))
