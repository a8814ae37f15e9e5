"""Everything the dashboard shows, indexed once at start-up from the build, read through ``geo.store`` only.

The dashboard computes no indicator: the left bank's share, migration by bank, perception scores and the
regions newcomers come from are layers of the build. The view model only indexes what the store returns:

- the GeoJSON served to the browser per layer (bytes and gzip bytes, each feature with an ``fid``);
- every figure series (city, indicator, period) with its values, ranks, sources and flags;
- class breaks for every series, scheme and k (colour classes are presentation);
- the build's left-bank, perception and origin rows as typed records; changes and flows (dashboard.state.timeindex).
"""

from __future__ import annotations

import json
from collections import defaultdict

import pandas as pd

from dashboard.classify import K_CHOICES, SCHEMES, Classification, classify
from dashboard.i18n import indicator_label, t, unit_label
from dashboard.state import timeindex
from dashboard.state.published import PublishedIndex
from dashboard.state.query import EVERY_CATEGORY
from dashboard.state.readable import current_names, kazakh_spelling, vintage_names
from dashboard.state.records import (
    BankMigration,
    Figure,
    GeoLayer,
    LeftShare,
    Localized,
    OriginItem,
    Origins,
    Series,
    StanceScore,
    clean_cell,
    figure_of,
    frame_collection,
    geolayer,
    number_cell,
    period_of,
    point_of,
    side_by_side,
    split_cell,
    text_cell,
    vintage_layer,
    vintage_order,
)
from geo import store
from geo.errors import SourceUnavailable
from geo.settings import CITIES

NATIONAL = "Kazakhstan"  # the national overview compares the three cities
BUILD_EVERY_STATEMENT = "any"  # the build's row over every participant statement
ORIGIN_INDICATORS = ("share_of_arrivals_from", "arrivals_from")
INDICATOR_ORDER = ("population", "population_share_of_city", "density", "growth_rate", "net_migration",
                   "arrivals", "departures", "net_migration_interregional", "arrivals_interregional",
                   "departures_interregional", "net_migration_internal")
_NON_NUMERIC_UNITS = ("category", "date", "text")
CITY_OUTLINE_TOLERANCE = 0.001  # degrees (~100 m): the city outlines have no web file in the build
LANG_CODES = ("en", "ru", "kk")
BANKS = ("left", "right", "both")


def _names(row: dict, fallback: str) -> dict[str, str]:
    names = {lang: text_cell(row.get(f"name_{lang}")) or fallback for lang in LANG_CODES}
    return {**names, "kk": kazakh_spelling(names["kk"]) or fallback}


class ViewModel:
    """All content of the dashboard, indexed for look-ups; build with :meth:`load`."""

    def __init__(self) -> None:
        self.version = ""
        self.geo: dict[str, GeoLayer] = {"empty": geolayer("empty", {"type": "FeatureCollection",
                                                                     "features": []})}
        self.latest_vintage: dict[str, str] = {}
        self.vintage_names: dict[str, Localized] = {}  # boundary sets named by their dates
        self.district_names: dict[str, dict[str, str]] = {}
        self.region_names: dict[str, dict[str, str]] = {}
        self.series: dict[str, Series] = {}
        self.city_index: dict[tuple[str, str], list[str]] = defaultdict(list)  # (city, indicator) -> sids
        self.classes: dict[tuple[str, str, int], Classification] = {}
        self.district_history: dict[tuple[str, str, str], list[tuple[str, Figure]]] = defaultdict(list)
        self.districts_of_city: dict[str, list[str]] = defaultdict(list)
        self.city_of: dict[str, str] = {}  # every district id of any vintage -> its city
        self.time = timeindex.TimeIndex()
        self.published = PublishedIndex()  # researchers' published survey datasets (dashboard.state.published)
        self.places: list[dict] = []
        self.institutions: list[dict] = []
        self.banks_meta: list[dict] = []
        self.left_share: list[LeftShare] = []
        self.bank_migration: list[BankMigration] = []
        self.scores: dict[tuple[str, str], StanceScore] = {}
        self.categories: tuple[str, ...] = (EVERY_CATEGORY,)
        self.statements: list[dict] = []
        self.images: list[dict] = []
        self.origins: dict[tuple[str, str], Origins] = {}

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls) -> ViewModel:
        """Read the build once through geo.store; a missing build raises SourceUnavailable (`make data`)."""
        vm = cls()
        vm.version = store.version()
        figures = store.load_layer("figures")
        vm._load_districts(store.load_layer("districts"), store.latest_vintages())
        vm.vintage_names = vintage_names(store.load_layer("vintages").to_dict("records"))
        vm._load_context()
        vm._load_figures(figures)
        vm._load_places(store.load_layer("places"))
        shares = store.load_layer("left_bank_share").to_dict("records")
        vm.left_share = sorted((LeftShare.of_row(r) for r in shares),
                               key=lambda r: r.end or "")
        migration = store.load_layer("bank_migration").to_dict("records")
        vm.bank_migration = [BankMigration.of_row(r) for r in migration]
        vm._load_perception(store.load_layer("perception"), store.load_layer("perception_scores"),
                            store.load_layer("city_images"))
        vm._load_origins(figures)
        vm.time = timeindex.load(vm.geo)
        vm.attach_published(PublishedIndex.load(vm.district_names))
        return vm

    def attach_published(self, index: PublishedIndex) -> None:
        """Serve the published datasets' districts beside the build's layers."""
        self.published = index
        self.geo.update(index.geo)
        for fid, names in index.district_names.items():
            self.district_names.setdefault(fid, names)

    def _add_web(self, name: str, web: str, fid_property: str, required: bool = False,
                 names: dict[str, dict[str, str]] | None = None) -> None:
        """A built web layer as served; ``names`` adds name_en/ru/kk to features that have none (the map's
        tooltips read them), by feature id."""
        raw = store.web_bytes(web)
        if raw is None:
            if required:
                raise SourceUnavailable(f"dashboard: web layer '{web}' is not built; fix: run `make data`")
            return
        collection = json.loads(raw)
        for feature in collection["features"] if names else ():
            props = feature["properties"]
            props.update({f"name_{lang}": text for lang, text in
                          (names or {}).get(str(props.get(fid_property)), {}).items()})
        if any(f.get("geometry") for f in collection["features"]):
            self.geo[name] = geolayer(name, collection, fid_property)

    def _load_districts(self, districts: pd.DataFrame, latest: dict[str, str]) -> None:
        self.latest_vintage = dict(latest)
        for row in districts.drop(columns=districts.geometry.name).to_dict("records"):
            did = str(row["district_id"])
            self.district_names[did] = _names(row, did)
            self.city_of[did] = str(row["city"])
            if latest.get(str(row["city"])) == row["vintage"]:
                self.districts_of_city[str(row["city"])].append(did)
        for vintage in sorted(set(districts["vintage"].astype(str))):
            self._add_web(vintage_layer(vintage), vintage, "district_id")

    def _load_context(self) -> None:
        for row in store.load_layer("regions").drop(columns="geometry").to_dict("records"):
            rid = str(row["region_id"])
            self.region_names[rid] = current_names(rid, _names(row, rid))
        self._add_web("regions", "regions", "region_id", required=True, names=self.region_names)
        self._add_web("banks", "banks", "bank", required=True,
                      names={b: {lang: t(f"bank_{b}", lang) for lang in LANG_CODES} for b in BANKS})
        cities = store.load_layer("cities")
        outlines = frame_collection(cities, "city", ["city", "name_en", "name_ru", "name_kk"], CITY_OUTLINE_TOLERANCE)
        for feature in outlines["features"]:  # the cities by the names the panels give them
            props = feature["properties"]
            props.update({f"name_{lang}": text for lang, text in current_names(props["fid"], {}, props["fid"]).items()})
        self.geo["cities"] = geolayer("cities", outlines)
        banks = store.load_layer("banks")
        self.banks_meta = [{k: clean_cell(v) for k, v in row.items()}
                           for row in banks.drop(columns=banks.geometry.name).to_dict("records")]

    def _load_figures(self, figures: pd.DataFrame) -> None:
        # Only numeric figures of the three cities can be mapped; text, dates and categories stay in the
        # build.
        rows = figures[~figures["indicator"].isin(ORIGIN_INDICATORS) & figures["value"].notna()
                       & ~figures["unit"].isin(_NON_NUMERIC_UNITS) & figures["city"].isin(CITIES)]
        groups: dict[tuple, list[dict]] = defaultdict(list)
        for rec in rows.to_dict("records"):
            city, district = str(rec["city"]), text_cell(rec.get("district_id"))
            vintage = text_cell(rec.get("vintage")) if district else None
            groups[(city if district else NATIONAL, str(rec["indicator"]),
                    text_cell(rec.get("period_label")) or "",
                    vintage, bool(district))].append(rec)
        by_view: dict[tuple[str, str], list[Series]] = defaultdict(list)
        for (view, indicator, label, vintage, district_level), recs in groups.items():
            if not district_level and len(recs) < 2:
                continue  # the national view compares cities: a period with one city is read in that city
            for part in side_by_side(recs):
                by_view[(view, indicator)].append(self._series(view, indicator, label, vintage, district_level,
                                                               part))
        for (view, indicator), items in by_view.items():
            self.index_series(view, indicator, items)

    def _series(self, view: str, indicator: str, label: str, vintage: str | None, district_level: bool,
                recs: list[dict]) -> Series:
        figs = {text_cell(r.get("district_id")) or str(r["city"]): figure_of(r, label) for r in recs}
        first = next(iter(figs.values()))
        units = [f.unit for f in figs.values() if f.unit]
        series = Series(sid="", city=view, indicator=indicator, key=label, label=label,
                        start=first.period_start, end=first.period_end, vintage=vintage,
                        unit=max(set(units), key=units.count) if units else None, figures=figs,
                        period=first.period)
        series.has_geometry = (vintage_layer(vintage) if district_level else "cities") in self.geo
        return series

    def index_series(self, view: str, indicator: str, items: list[Series]) -> None:
        """Index the series of one view and indicator: keys, ranks, history and the precomputed classes.

        Same label on several boundary sets: the published one (the smallest share of derived figures), else
        the newest boundaries (a date is carried by lineage sums onto older ones only), keeps the plain key.
        """
        items = sorted(items, key=lambda s: vintage_order(s.vintage), reverse=True)
        items = sorted(items, key=lambda s: (s.end or s.start or "9999", s.start or "", s.label,
                                             s.n_derived / max(len(s.figures), 1)))
        seen = {self.series[sid].key for sid in self.city_index.get((view, indicator), [])}
        for series in items:
            candidates = [series.key, f"{series.label} @{series.vintage}", f"{series.label} · {series.unit}"]
            series.key = next((c for c in candidates if c not in seen), "")
            n = 2
            while not series.key:
                series.key = f"{series.label} · {n}" if f"{series.label} · {n}" not in seen else ""
                n += 1
            seen.add(series.key)
            series.sid = f"{view}|{indicator}|{series.key}"
            present = sorted(((v, i) for i, v in series.values.items() if v is not None), reverse=True)
            series.ranks = {i: (pos + 1, len(present)) for pos, (_, i) in enumerate(present)}
            self.series[series.sid] = series
            self.city_index[(view, indicator)].append(series.sid)
            for did, fig in series.figures.items():
                self.district_history[(view, indicator, did)].append((series.key, fig))
            for scheme in SCHEMES[:-1]:
                for k in K_CHOICES:
                    self.classes[(series.sid, scheme, k)] = classify(series.values, scheme, k)

    def _load_places(self, places: pd.DataFrame) -> None:
        if places.crs is not None and places.crs.to_epsg() != 4326:
            places = places.to_crs(4326)
        for _, row in places.iterrows():
            rec = {k: clean_cell(v) for k, v in row.items() if k != "geometry"}
            rec["lat"], rec["lon"] = point_of(row.geometry) or (None, None)
            if rec.get("list") == "migrant_settlement":
                self.places.append(rec)
            elif rec.get("list") == "state_institution":
                self.institutions.append(rec)

    def _load_perception(self, coding: pd.DataFrame, scores: pd.DataFrame, images: pd.DataFrame) -> None:
        self.statements = [{k: clean_cell(v) for k, v in r.items()} for r in coding.to_dict("records")]
        self.images = [{k: clean_cell(v) for k, v in r.items()} for r in images.to_dict("records")]
        found: list[str] = []
        for r in scores.to_dict("records"):
            category = str(r["migrant_category"])
            self.scores[(str(r["city"]), category)] = StanceScore(
                number_cell(r.get("mean_stance")), int(number_cell(r.get("n")) or 0),
                split_cell(r.get("statement_ids"), ";"), text_cell(r.get("source")))
            if category not in found:
                found.append(category)
        # The build's "all" (statements about all migrants) would clash with the dashboard's "all" (every
        # category, read from the build's "any" row): it is not offered as a category of its own.
        self.categories = (EVERY_CATEGORY, *[c for c in found if c not in (EVERY_CATEGORY,
                                                                           BUILD_EVERY_STATEMENT)])

    def _load_origins(self, figures: pd.DataFrame) -> None:
        rows = figures[figures["indicator"].isin(ORIGIN_INDICATORS)]
        for (city, label, indicator), part in rows.groupby(["city", "period_label", "indicator"],
                                                           dropna=False):
            items = [OriginItem(origin=text_cell(r.get("origin")) or "",
                                region_id=text_cell(r.get("region_id")),
                                value=number_cell(r.get("value")), unit=text_cell(r.get("unit")),
                                source=text_cell(r.get("source")), confidence=split_cell(r.get("confidence")),
                                start=text_cell(r.get("period_start")), end=text_cell(r.get("period_end")))
                     for r in part.to_dict("records")]
            items.sort(key=lambda i: -(i.value or 0))
            key = f"{label} · {indicator}" if indicator != "share_of_arrivals_from" else str(label)
            self.origins[(str(city), key)] = Origins(str(label), str(indicator), tuple(items),
                                                     period_of(part.iloc[0].to_dict(), str(label)))

    # ------------------------------------------------------------------ look-ups
    def institutions_by_bank(self) -> tuple[dict[str, int], int, int]:
        """Institutions with coordinates per bank, their total n, and how many lack coordinates."""
        mapped = [p for p in self.institutions if p["lat"] is not None]
        counts: dict[str, int] = defaultdict(int)
        for p in mapped:
            counts[p.get("bank") or "unknown"] += 1
        return dict(counts), len(mapped), len(self.institutions) - len(mapped)

    def stance(self, city: str, category: str) -> tuple[float | None, int]:
        """The build's mean stance and n of a city's participant statements; 'all' = every category."""
        score = self.scores.get((city, BUILD_EVERY_STATEMENT if category == EVERY_CATEGORY else category))
        return (score.mean, score.n) if score and score.n else (None, 0)

    def stance_source(self, city: str, category: str) -> str | None:
        score = self.scores.get((city, BUILD_EVERY_STATEMENT if category == EVERY_CATEGORY else category))
        return score.source if score else None

    def statements_for(self, city: str, category: str, kind: str) -> list[dict]:
        wanted_city = {city} if kind == "participant_statement" else {city, "all"}
        return [s for s in self.statements if s.get("source_kind") == kind and s.get("city") in wanted_city
                and (category == EVERY_CATEGORY or s.get("migrant_category") == category)]

    def origin_periods(self, city: str) -> list[str]:
        keys = [(o.end or "", k) for (c, k), o in self.origins.items() if c == city]
        return [k for _, k in sorted(keys)]

    def indicators(self, city: str, layer: str) -> list[str]:
        if layer == "leftbank":
            return []
        if layer == "perception":
            return ["share_of_arrivals_from"] if self.origin_periods(city) else []
        found = {i for (v, i) in self.city_index if v == city} | self.time.flow_indicators(city == NATIONAL)
        ordered = [i for i in INDICATOR_ORDER if i in found]
        return ordered + sorted(found - set(ordered))

    def periods(self, city: str, layer: str, indicator: str) -> list[str]:
        if layer == "perception" or indicator in self.time.flow_indicators(city == NATIONAL):
            return self.origin_periods(city) if layer == "perception" else self.time.flow_periods(indicator)
        return [self.series[s].key for s in self.city_index.get((city, indicator), [])]

    def play_periods(self, city: str, layer: str, indicator: str) -> list[str]:
        """The dates Play steps through: each period once, as published (its versions summed onto other
        boundaries are the dropdown's, not the animation's)."""
        keys = self.periods(city, layer, indicator)
        series = [self.series.get(f"{city}|{indicator}|{k}") for k in keys]
        return [k for k, s in zip(keys, series, strict=True) if s is None or s.label == k] or keys

    def preferred_period(self, city: str, layer: str, indicator: str) -> str | None:
        """The period a link without one opens: among the periods that can be mapped (their boundaries are
        served), the one with most values, then the latest, then the published one before a derived one."""
        if layer != "concentration":
            return None
        mapped = [self.series[s] for s in self.city_index.get((city, indicator),
                                                              []) if self.series[s].has_geometry]
        if not mapped:
            return None
        return max(mapped, key=lambda s: (s.n_values, s.end or s.start or "", -s.n_derived)).key

    def period_label(self, city: str, indicator: str, key: str, lang: str = "en") -> str:
        """Period in ``lang`` (as published where the build has no translation). One label per date: a second
        series of the same date says why it is there (recomputed for other boundaries, on other boundaries,
        another unit or source), and a period whose boundaries are not served says it is a table only; an
        origin period names its indicator. Boundary sets are named by their dates, never by their code."""
        series = self.find_series(city, indicator, key)
        if series is None:
            origins = self.origins.get((city, key))
            if origins is None:
                return key
            text = (origins.period or Localized(origins.label)).text(lang)
            return text if origins.indicator == "share_of_arrivals_from" else \
                f"{text} · {indicator_label(origins.indicator, lang)}"
        text = series.period_text().text(lang)
        same = [self.series[sid] for sid in self.city_index.get((city, indicator), [])
                if self.series[sid].label == series.label]
        plain = next((s for s in same if s.key == s.label), same[0])
        if series.vintage != plain.vintage and series.vintage:  # the date carried to other boundaries
            boundaries = self.vintage_name(series.vintage, lang)
            text += f" · {t('period_recomputed', lang, boundaries=boundaries) if series.n_derived else boundaries}"
        twins = [s for s in same if s is not series and s.vintage == series.vintage]
        if twins:  # the same period split side by side: say what sets each apart
            text += f" · {unit_label(series.unit, lang) or series.unit}" if series.unit and any(
                tw.unit != series.unit for tw in twins) else f" · {series.first_source_host()}"
        if not series.has_geometry:
            text += f" · {t('period_table_only', lang)}"
        return text

    def vintage_name(self, vintage: str | None, lang: str) -> str:
        """A boundary set by its dates ("boundaries 2018–2022"); an unknown code is shown, never hidden."""
        if not vintage:
            return "—"
        name = self.vintage_names.get(vintage)
        return name.text(lang) if name is not None else vintage

    def find_series(self, city: str, indicator: str, period: str | None) -> Series | None:
        for sid in self.city_index.get((city, indicator), []):
            if self.series[sid].key == period:
                return self.series[sid]
        return None

    def district_ids(self, city: str) -> list[str]:
        if city == NATIONAL:
            return list(CITIES)
        ids = list(self.districts_of_city.get(city, []))
        for (view, _ind), sids in self.city_index.items():
            if view == city:
                for sid in sids:
                    ids.extend(d for d in self.series[sid].figures if d not in ids)
        return ids

    def place_name(self, fid: str, lang: str) -> str:
        """A city's name by the page's words, anything else's by the build's names."""
        return t(fid, lang) if fid in CITIES else self.name(fid, lang)

    def name(self, fid: str, lang: str) -> str:
        for table in (self.district_names, self.region_names):
            if fid in table:
                return table[fid].get(lang) or table[fid]["en"]
        return fid
