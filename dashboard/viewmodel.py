"""Everything the dashboard shows, computed once at start-up from the built layers (data/build).

No request recomputes a join or a classification: callbacks only look things up here. The view model
reads the layers of the build contract (districts, figures, places, banks, regions, cities, perception,
city_images, web/<vintage>.geojson) and keeps:

- the GeoJSON served to the browser per layer (bytes and gzip bytes, each feature with an ``fid``);
- every figure series (city, indicator, period) with its values, ranks, sources and flags;
- class breaks for every series, scheme and k;
- the left bank's population share over time, institutions per bank, perception scores and origins.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from dashboard.classify import K_CHOICES, SCHEMES, Classification, classify
from geo.errors import SourceUnavailable
from geo.domain.names import match_city, name_key, skeleton
from geo.settings import build_dir

CITIES = ("Astana", "Almaty", "Shymkent")
ORIGIN_INDICATORS = ("share_of_arrivals_from", "arrivals_from")
INDICATOR_ORDER = ("population", "population_share_of_city", "density", "growth_rate", "net_migration",
                   "arrivals", "departures", "net_migration_interregional", "arrivals_interregional",
                   "departures_interregional", "net_migration_internal")
_NON_NUMERIC_UNITS = ("category", "date", "text")
_REQUIRED = ("districts.parquet", "figures.parquet", "places.parquet", "banks.parquet", "regions.parquet",
             "cities.parquet", "perception.parquet", "city_images.parquet")
# Simplification tolerances (degrees) for layers that have no pre-simplified web file: about 1 km for the
# national regions, about 100 m for city outlines and about 30 m for Astana's banks.
_SIMPLIFY = {"regions": 0.01, "cities": 0.001, "banks": 0.0003}


def clean_cell(value, *, blank_is_missing: bool = True):
    """A JSON-safe cell: None for NaN/NA/non-finite (and, by default, blank text), numpy scalars to Python."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if blank_is_missing and isinstance(value, str) and not value.strip():
        return None
    return value


def _geometry(value):
    """A shapely geometry, or None for missing (None/NaN) and empty geometries."""
    if isinstance(value, shapely.Geometry) and not value.is_empty:
        return value
    return None


def bank_basis(source: str | None) -> str | None:
    """Where a district's bank comes from: 'published' (a text states it) or 'computed' (from the boundaries)."""
    if not source:
        return None
    text = source.strip().lower()
    return "published" if text.startswith("published") else "computed" if text.startswith("computed") else None


def _flags(text) -> tuple[str, ...]:
    text = clean_cell(text)
    if not text:
        return ()
    return tuple(f.strip() for f in re.split(r"[;,]", str(text)) if f.strip())


@dataclass
class Figure:
    """One published (or derived) value with everything needed to cite it."""

    figure_id: str
    value: float | None
    unit: str | None
    period_label: str
    period_start: str | None
    period_end: str | None
    source: str | None
    note: str | None
    confidence: tuple[str, ...]
    derived: bool
    method: str | None
    vintage: str | None


@dataclass
class Series:
    """One indicator in one city for one period: values by id (district_id, or city for city-level)."""

    sid: str
    city: str
    indicator: str
    key: str
    label: str
    start: str | None
    end: str | None
    vintage: str | None
    unit: str | None
    figures: dict[str, Figure]
    has_geometry: bool = False
    ranks: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def values(self) -> dict[str, float | None]:
        return {i: f.value for i, f in self.figures.items()}


@dataclass
class GeoLayer:
    """A GeoJSON document as served: raw and gzip bytes, an etag, and its feature ids."""

    name: str
    raw: bytes
    gz: bytes
    etag: str
    fids: tuple[str, ...]
    bounds: tuple[float, float, float, float] | None
    feature_bounds: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)


def _make_geolayer(name: str, collection: dict) -> GeoLayer:
    raw = json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()
    fids = tuple(str(f["properties"]["fid"]) for f in collection["features"])
    shapes = {str(f["properties"]["fid"]): shapely.geometry.shape(f["geometry"])
              for f in collection["features"] if f.get("geometry")}
    bounds = tuple(shapely.GeometryCollection(list(shapes.values())).bounds) if shapes else None
    return GeoLayer(name, raw, gzip.compress(raw, 6), hashlib.sha1(raw).hexdigest()[:16], fids, bounds,
                    {fid: tuple(g.bounds) for fid, g in shapes.items()})


def _frame_collection(frame: gpd.GeoDataFrame, fid_col: str, keep: list[str], tolerance: float) -> dict:
    """A GeoJSON FeatureCollection (lon/lat, 5 decimals ~1 m) of a frame, simplified for the browser."""
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    features = []
    for _, row in frame.iterrows():
        geom = row.geometry
        if geom is not None and not geom.is_empty and tolerance:
            geom = shapely.set_precision(geom.simplify(tolerance, preserve_topology=True), 1e-5)
        props = {"fid": str(row[fid_col])}
        for col in keep:
            if col in frame.columns:
                props[col] = clean_cell(row[col])
        features.append({"type": "Feature", "properties": props,
                         "geometry": None if geom is None else shapely.geometry.mapping(geom)})
    return {"type": "FeatureCollection", "features": features}


def _read_geo(path: Path) -> gpd.GeoDataFrame:
    return gpd.read_parquet(path)


class ViewModel:
    """All precomputed content of the dashboard; build with :meth:`load`."""

    def __init__(self) -> None:
        self.build: Path | None = None
        self.version = ""
        self.geo: dict[str, GeoLayer] = {}
        self.vintage_city: dict[str, str] = {}
        self.latest_vintage: dict[str, str] = {}
        self.district_names: dict[str, dict[str, str]] = {}
        self.region_names: dict[str, dict[str, str]] = {}
        self.district_bank: dict[tuple[str, str], tuple[str | None, float | None]] = {}
        self.series: dict[str, Series] = {}
        self.city_index: dict[tuple[str, str], list[str]] = defaultdict(list)  # (city, indicator) -> sids
        self.classes: dict[tuple[str, str, int], Classification] = {}
        self.district_history: dict[tuple[str, str, str], list[tuple[str, Figure]]] = defaultdict(list)
        self.districts_of_city: dict[str, list[str]] = defaultdict(list)
        self.places: list[dict] = []
        self.institutions: list[dict] = []
        self.bank_basis: dict[tuple[str, str], str | None] = {}
        self.left_share: list[dict] = []
        self.bank_migration: list[dict] = []
        self.statements: list[dict] = []
        self.images: list[dict] = []
        self.origins: dict[tuple[str, str], dict] = {}

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, build: Path | None = None) -> ViewModel:
        """Read the build folder once; a missing build raises SourceUnavailable telling to run `make data`."""
        build = Path(build) if build else build_dir()
        missing = [name for name in ("manifest.json", *_REQUIRED) if not (build / name).exists()]
        if missing:
            raise SourceUnavailable(
                f"dashboard: built layers missing in {build} ({', '.join(missing)}); run `make data` first")
        vm = cls()
        vm.build = build
        vm.version = hashlib.sha1((build / "manifest.json").read_bytes()).hexdigest()[:12]
        districts = _read_geo(build / "districts.parquet")
        figures = pd.read_parquet(build / "figures.parquet")
        vm._load_districts(districts, build)
        vm._load_context(build)
        vm._load_figures(figures)
        vm._load_places(_read_geo(build / "places.parquet"))
        vm._compute_left_share(districts)
        vm._load_perception(pd.read_parquet(build / "perception.parquet"),
                            pd.read_parquet(build / "city_images.parquet"))
        vm._load_origins(figures)
        return vm

    def _load_districts(self, districts: gpd.GeoDataFrame, build: Path) -> None:
        for _, row in districts.iterrows():
            vintage, did, city = str(row["vintage"]), str(row["district_id"]), str(row["city"])
            self.vintage_city[vintage] = city
            self.district_names[did] = {lang: clean_cell(row.get(f"name_{lang}")) or did for lang in ("en", "ru", "kk")}
            self.district_bank[(vintage, did)] = (clean_cell(row.get("bank")), clean_cell(row.get("bank_left_share")))
            self.bank_basis[(vintage, did)] = bank_basis(clean_cell(row.get("bank_source")))
        for vintage in sorted(self.vintage_city):
            web = build / "web" / f"{vintage}.geojson"
            part = districts[districts["vintage"] == vintage]
            if web.exists():
                collection = json.loads(web.read_bytes())
                for feature in collection["features"]:
                    feature["properties"]["fid"] = str(feature["properties"]["district_id"])
            elif part.geometry.notna().any():
                collection = _frame_collection(part, "district_id", ["district_id", "name_en", "name_ru",
                                                                    "name_kk", "area_km2", "bank"], 0.0003)
            else:
                continue
            if any(f.get("geometry") for f in collection["features"]):
                self.geo[f"v-{vintage}"] = _make_geolayer(f"v-{vintage}", collection)
        for city in CITIES:
            part = districts[districts["city"] == city]
            with_geom = part[part.geometry.notna()]
            order = with_geom.assign(_vf=with_geom["valid_from"].fillna("")).sort_values("_vf")
            if len(order):
                self.latest_vintage[city] = str(order["vintage"].iloc[-1])
            latest = part[part["vintage"] == self.latest_vintage.get(city)]
            self.districts_of_city[city] = [str(d) for d in latest["district_id"]]

    def _load_context(self, build: Path) -> None:
        self.geo["empty"] = _make_geolayer("empty", {"type": "FeatureCollection", "features": []})
        regions = _read_geo(build / "regions.parquet")
        for _, row in regions.iterrows():
            self.region_names[str(row["region_id"])] = {
                lang: clean_cell(row.get(f"name_{lang}")) or str(row["region_id"]) for lang in ("en", "ru", "kk")}
        self.geo["regions"] = _make_geolayer(
            "regions", _frame_collection(regions, "region_id", ["region_id", "name_en", "name_ru", "name_kk"],
                                         _SIMPLIFY["regions"]))
        cities = _read_geo(build / "cities.parquet")
        for lang in ("en", "ru", "kk"):
            if f"name_{lang}" not in cities.columns:
                cities[f"name_{lang}"] = cities["city"]
        self.geo["cities"] = _make_geolayer(
            "cities", _frame_collection(cities, "city", ["city", "name_en", "name_ru", "name_kk"],
                                        _SIMPLIFY["cities"]))
        banks = _read_geo(build / "banks.parquet")
        self.banks_meta = [{k: clean_cell(v) for k, v in row.items() if k != "geometry"} for _, row in banks.iterrows()]
        self.geo["banks"] = _make_geolayer(
            "banks", _frame_collection(banks, "bank", ["bank", "area_km2", "method"], _SIMPLIFY["banks"]))

    def _load_figures(self, figures: pd.DataFrame) -> None:
        # Only numeric figures of the three cities can be mapped; text, dates and categories stay in the build.
        rows = figures[~figures["indicator"].isin(ORIGIN_INDICATORS) & figures["value"].notna()
                       & ~figures["unit"].isin(_NON_NUMERIC_UNITS) & figures["city"].isin(CITIES)]
        groups: dict[tuple, list] = defaultdict(list)
        for rec in rows.to_dict("records"):
            city = str(rec["city"])
            level = "district" if clean_cell(rec.get("district_id")) else "city"
            vintage = clean_cell(rec.get("vintage")) if level == "district" else None
            groups[(city if level == "district" else "Kazakhstan", str(rec["indicator"]),
                    str(clean_cell(rec.get("period_label")) or ""), level, vintage)].append(rec)
        by_city_indicator: dict[tuple[str, str], list[Series]] = defaultdict(list)
        for (view, indicator, label, level, vintage), recs in groups.items():
            if level == "city" and len(recs) < 2:
                continue  # the national view compares cities: a period with one city is read in that city
            figs: dict[str, Figure] = {}
            for r in recs:
                fid = str(clean_cell(r.get("district_id")) or r["city"])
                value = clean_cell(r.get("value"))
                figs[fid] = Figure(
                    figure_id=str(clean_cell(r.get("figure_id")) or ""), value=None if value is None else float(value),
                    unit=clean_cell(r.get("unit")), period_label=label, period_start=clean_cell(r.get("period_start")),
                    period_end=clean_cell(r.get("period_end")), source=clean_cell(r.get("source")), note=clean_cell(r.get("note")),
                    confidence=_flags(r.get("confidence")), derived=bool(clean_cell(r.get("derived")) or False),
                    method=clean_cell(r.get("method")), vintage=clean_cell(r.get("vintage")))
            first = next(iter(figs.values()))
            units = [f.unit for f in figs.values() if f.unit]
            series = Series(sid="", city=view, indicator=indicator, key=label, label=label,
                            start=first.period_start, end=first.period_end, vintage=vintage,
                            unit=max(set(units), key=units.count) if units else None, figures=figs)
            geo_name = f"v-{vintage}" if level == "district" else "cities"
            series.has_geometry = geo_name in self.geo
            by_city_indicator[(view, indicator)].append(series)
        for (view, indicator), items in by_city_indicator.items():
            # Same label on several boundary sets: the published one (fewest derived figures) keeps the plain key.
            items.sort(key=lambda s: (s.end or s.start or "9999", s.start or "", s.label,
                                      sum(f.derived for f in s.figures.values()), s.vintage or ""))
            seen: set[str] = set()
            for series in items:
                if series.key in seen:
                    series.key = f"{series.label} @{series.vintage}"
                seen.add(series.key)
                series.sid = f"{view}|{indicator}|{series.key}"
                self._rank(series)
                self.series[series.sid] = series
                self.city_index[(view, indicator)].append(series.sid)
                for did, fig in series.figures.items():
                    self.district_history[(view, indicator, did)].append((series.key, fig))
                for scheme in SCHEMES[:-1]:
                    for k in K_CHOICES:
                        self.classes[(series.sid, scheme, k)] = classify(series.values, scheme, k)

    @staticmethod
    def _rank(series: Series) -> None:
        present = sorted(((v, i) for i, v in series.values.items() if v is not None), reverse=True)
        series.ranks = {i: (pos + 1, len(present)) for pos, (_, i) in enumerate(present)}

    def _load_places(self, places: gpd.GeoDataFrame) -> None:
        if places.crs is not None and places.crs.to_epsg() != 4326:
            places = places.to_crs(4326)
        for _, row in places.iterrows():
            rec = {k: clean_cell(v) for k, v in row.items() if k != "geometry"}
            geom = _geometry(row.geometry)
            rec["lat"] = None if geom is None else float(geom.y)
            rec["lon"] = None if geom is None else float(geom.x)
            if rec.get("list") == "migrant_settlement":
                self.places.append(rec)
            elif rec.get("list") == "state_institution":
                self.institutions.append(rec)

    def institutions_by_bank(self) -> tuple[dict[str, int], int, int]:
        """Counts of institutions with coordinates per bank, their total n, and how many lack coordinates."""
        mapped = [p for p in self.institutions if p["lat"] is not None]
        counts: dict[str, int] = defaultdict(int)
        for p in mapped:
            counts[p.get("bank") or "unknown"] += 1
        return dict(counts), len(mapped), len(self.institutions) - len(mapped)

    # ------------------------------------------------------------------ Astana's left bank
    def _compute_left_share(self, districts: gpd.GeoDataFrame) -> None:
        """Left bank's share of Astana's population on every date where all districts of a vintage have one.

        'both' districts are split by ``bank_left_share`` (area share: assumes even spread) and listed so
        the page can say so; a vintage with a district of unknown bank is skipped.
        """
        astana = districts[districts["city"] == "Astana"]
        members = {v: [str(d) for d in part["district_id"]] for v, part in astana.groupby("vintage")}
        for sid in self.city_index.get(("Astana", "population"), []):
            series = self.series[sid]
            ids = members.get(series.vintage or "")
            if any(f.derived for f in series.figures.values()):
                continue  # re-aggregations onto other boundary sets would count the same people again
            if not ids or any(series.figures.get(d) is None or series.figures[d].value is None for d in ids):
                continue
            left = total = 0.0
            split: list[tuple[str, float]] = []
            usable = True
            for did in ids:
                value = series.figures[did].value
                bank, share = self.district_bank.get((series.vintage, did), (None, None))
                total += value
                if bank == "left":
                    left += value
                elif bank == "both" and share is not None:
                    left += value * float(share)
                    split.append((did, float(share)))
                elif bank != "right":
                    usable = False
            if usable and total > 0:
                flags = sorted({f for d in ids for f in series.figures[d].confidence})
                sources = sorted({series.figures[d].source for d in ids if series.figures[d].source})
                self.left_share.append({"key": series.key, "label": series.label, "end": series.end,
                                        "vintage": series.vintage, "share": left / total, "n_districts": len(ids),
                                        "split": split, "confidence": flags, "sources": sources,
                                        "bank_basis": sorted({self.bank_basis.get((series.vintage, d)) or "unknown"
                                                              for d in ids})})
        for sid in self.city_index.get(("Astana", "net_migration"), []):
            series = self.series[sid]
            for did, fig in series.figures.items():
                bank, share = self.district_bank.get((series.vintage, did), (None, None))
                self.bank_migration.append({"district_id": did, "bank": bank, "value": fig.value,
                                            "period": series.label, "vintage": series.vintage,
                                            "source": fig.source, "confidence": fig.confidence})

    # ------------------------------------------------------------------ perception
    def _load_perception(self, coding: pd.DataFrame, images: pd.DataFrame) -> None:
        self.statements = [{k: clean_cell(v) for k, v in r.items()} for r in coding.to_dict("records")]
        self.images = [{k: clean_cell(v) for k, v in r.items()} for r in images.to_dict("records")]

    def stance(self, city: str, category: str) -> tuple[float | None, int]:
        """Mean stance and n of the coded participant statements of a city; 'all' = every category."""
        rows = [s for s in self.statements if s.get("source_kind") == "participant_statement"
                and s.get("city") == city and s.get("stance") is not None
                and (category == "all" or s.get("migrant_category") == category)]
        if not rows:
            return None, 0
        return sum(float(s["stance"]) for s in rows) / len(rows), len(rows)

    def statements_for(self, city: str, category: str, kind: str) -> list[dict]:
        wanted_city = {city} if kind == "participant_statement" else {city, "all"}
        return [s for s in self.statements if s.get("source_kind") == kind and s.get("city") in wanted_city
                and (category == "all" or s.get("migrant_category") == category)]

    # ------------------------------------------------------------------ origins of newcomers
    def _region_for_origin(self, origin: str) -> str | None:
        """Region id for an origin named in a figure; None when it is not one current region."""
        city = match_city(origin)
        if city:
            return next((rid for rid, names in self.region_names.items()
                         if names["en"].lower().startswith(city.lower()) and "(city)" in names["en"].lower()), None)
        text = origin.lower()
        if "ambiguous" in text or "other" in text or ("city" in text and "region" in text):
            return None
        wants_city = "city" in text
        stripped = re.sub(r"\b(region|oblast|obl\.?|city)\b", " ", text)
        key = name_key(stripped)
        kind_ok = {rid: names for rid, names in self.region_names.items()
                   if ("(city)" in names["en"].lower()) == wants_city}
        keys = {rid: name_key(re.sub(r"\(.*?\)", " ", names["en"])) for rid, names in kind_ok.items()}
        for same in (lambda a, b: a == b, lambda a, b: skeleton(a) == skeleton(b)):
            hits = [rid for rid, other in keys.items() if same(other, key)]
            if len(hits) == 1:
                return hits[0]
        return None

    def _load_origins(self, figures: pd.DataFrame) -> None:
        rows = figures[figures["indicator"].isin(ORIGIN_INDICATORS)]
        for (city, label, indicator), part in rows.groupby(["city", "period_label", "indicator"], dropna=False):
            items = []
            for r in part.to_dict("records"):
                origin = str(clean_cell(r.get("origin")) or "")
                items.append({"origin": origin, "region_id": self._region_for_origin(origin),
                              "value": clean_cell(r.get("value")), "unit": clean_cell(r.get("unit")),
                              "source": clean_cell(r.get("source")), "confidence": _flags(r.get("confidence")),
                              "start": clean_cell(r.get("period_start")), "end": clean_cell(r.get("period_end"))})
            items.sort(key=lambda i: -(i["value"] or 0))
            key = f"{label} · {indicator}" if indicator != "share_of_arrivals_from" else str(label)
            self.origins[(str(city), key)] = {"label": str(label), "indicator": indicator, "items": items,
                                              "end": items[0]["end"] if items else None}

    def origin_periods(self, city: str) -> list[str]:
        keys = [(o["end"] or "", k) for (c, k), o in self.origins.items() if c == city]
        return [k for _, k in sorted(keys)]

    # ------------------------------------------------------------------ lookups used by state and callbacks
    def indicators(self, city: str, layer: str) -> list[str]:
        if layer == "leftbank":
            return []
        if layer == "perception":
            return ["share_of_arrivals_from"] if self.origin_periods(city) else []
        found = {ind for (view, ind) in self.city_index if view == city}
        ordered = [i for i in INDICATOR_ORDER if i in found]
        return ordered + sorted(found - set(ordered))

    def periods(self, city: str, layer: str, indicator: str) -> list[str]:
        if layer == "perception":
            return self.origin_periods(city)
        return [self.series[s].key for s in self.city_index.get((city, indicator), [])]

    def preferred_period(self, city: str, layer: str, indicator: str) -> str | None:
        """The latest period that can be mapped (its boundaries exist), else None."""
        if layer != "concentration":
            return None
        mapped = [self.series[s] for s in self.city_index.get((city, indicator), []) if self.series[s].has_geometry]
        if not mapped:
            return None
        best = max(mapped, key=lambda s: (sum(v is not None for v in s.values.values()), s.end or s.start or "",
                                          -sum(f.derived for f in s.figures.values())))
        return best.key

    def period_label(self, city: str, indicator: str, key: str) -> str:
        """Period as published, with its boundary set when several exist, and a mark when not mappable."""
        series = self.find_series(city, indicator, key)
        if series is None:
            return key
        text = series.label
        if series.vintage and city != "Kazakhstan":
            text += f" · {series.vintage}"
        if any(f.derived for f in series.figures.values()):
            text += " · derived"
        if not series.has_geometry:
            text += " · ▫"
        return text

    def find_series(self, city: str, indicator: str, period: str | None) -> Series | None:
        for sid in self.city_index.get((city, indicator), []):
            if self.series[sid].key == period:
                return self.series[sid]
        return None

    def district_ids(self, city: str) -> list[str]:
        if city == "Kazakhstan":
            return list(CITIES)
        ids = list(self.districts_of_city.get(city, []))
        for (view, _ind), sids in self.city_index.items():
            if view == city:
                for sid in sids:
                    ids.extend(d for d in self.series[sid].figures if d not in ids)
        return ids

    def name(self, fid: str, lang: str) -> str:
        for table in (self.district_names, self.region_names):
            if fid in table:
                return table[fid].get(lang) or table[fid]["en"]
        return fid
