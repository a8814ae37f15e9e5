"""Typed records the view model indexes (one figure, one series, one served GeoJSON, the build's left-bank,
perception and origin rows), and the small cell helpers that turn stored values into JSON-safe Python.

Nothing here computes an indicator: every record is one row (or one group of rows) of a built layer.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from typing import SupportsFloat, SupportsIndex

import geopandas as gpd
import pandas as pd
import shapely

Box = tuple[float, float, float, float]  # west, south, east, north


# A web address in a source text: with a scheme, or a bare host followed by a path (github.com/owner/repo).
_ADDRESS = re.compile(r"(?<![\w./@-])(?:https?://|(?:[a-z0-9-]+\.)+[a-z]{2,}/)[^\s,;|\"'<>]*", re.IGNORECASE)
SOURCE_LABEL_CHARS = 40


def _unwrap(url: str) -> str:
    """An address without the punctuation and closing brackets of the sentence around it (a ')' stays when the
    address opened one, as in wiki page names)."""
    url = url.rstrip(".,;:")
    while url.endswith(")") and url.count(")") > url.count("("):
        url = url[:-1].rstrip(".,;:")
    return url


def source_links(source: str) -> list[tuple[str, str]]:
    """(host, URL) of each web address in a source text, one per host, in order. Addresses without a scheme
    (``github.com/owner/repo``) must have a path and get https://; nothing but http(s) ever becomes a link."""
    links: dict[str, str] = {}
    for match in _ADDRESS.finditer(source):
        url = _unwrap(match.group(0))
        if not url.lower().startswith(("http://", "https://")):
            url = "https://" + url
        host = re.sub(r"^https?://(www\.)?", "", url, flags=re.IGNORECASE).split("/")[0].lower()
        links.setdefault(host, url)
    return list(links.items())


def without_addresses(source: str) -> str:
    """A source text with its web addresses taken out (what is left to say beside the links)."""
    return _ADDRESS.sub(lambda m: m.group(0)[len(_unwrap(m.group(0))):], source)


def short_source(source: str, limit: int = SOURCE_LABEL_CHARS) -> str:
    """The first words of a source without an address, cut at a word boundary with an ellipsis."""
    text = " ".join(source.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(" ,;:(") + "…"


def clean_cell(value: object, *, blank_is_missing: bool = True) -> object:
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


def text_cell(value: object) -> str | None:
    value = clean_cell(value)
    return None if value is None else str(value)


def number_cell(value: object) -> float | None:
    """A numeric cell as a float; None when missing (text that is no number raises, as ``float()`` does)."""
    value = clean_cell(value)
    if value is None:
        return None
    if not isinstance(value, (str, SupportsFloat, SupportsIndex)):
        raise TypeError(f"not a number: {value!r}")
    return float(value)


def split_cell(value: object, sep: str = r"[;,]") -> tuple[str, ...]:
    """A joined text cell ("x2;approx_date", "a | b") as its parts; () when missing."""
    text = clean_cell(value)
    if not text:
        return ()
    return tuple(part.strip() for part in re.split(sep, str(text)) if part.strip())


def point_of(value: object) -> tuple[float, float] | None:
    """(lat, lon) of a point geometry; None for missing or empty ones."""
    if isinstance(value, shapely.Geometry) and not value.is_empty:
        return float(value.y), float(value.x)
    return None


@dataclass(frozen=True)
class Localized:
    """One text in English and, where the build has the project's translation, in Russian and Kazakh."""

    en: str | None
    ru: str | None = None
    kk: str | None = None

    def get(self, lang: str) -> tuple[str | None, bool]:
        """The text in ``lang`` and whether it is the English original standing in for a missing translation."""
        if lang == "en" or self.en is None:
            return self.en, False
        text = self.ru if lang == "ru" else self.kk if lang == "kk" else None
        return (text, False) if text else (self.en, True)

    def text(self, lang: str) -> str:
        return self.get(lang)[0] or ""

    @property
    def translated(self) -> bool:
        return bool(self.ru or self.kk)


def localized(row: dict, column: str) -> Localized:
    """A text column of a built row with its ``_ru``/``_kk`` translations (absent columns: none)."""
    return Localized(text_cell(row.get(column)), text_cell(row.get(f"{column}_ru")),
                     text_cell(row.get(f"{column}_kk")))


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
    period: Localized | None = None  # the period label in three languages
    notes: Localized | None = None  # the curators' note with the project's ru/kk translations (derived: the source's)

    def period_text(self) -> Localized:
        return self.period or Localized(self.period_label)

    def note_text(self) -> Localized | None:
        """The note in three languages; translations only while they are of this very note (else the English)."""
        if self.note is None:
            return None
        return self.notes if self.notes is not None and self.notes.en == self.note else Localized(self.note)


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
    period: Localized | None = None  # the label in three languages

    def period_text(self) -> Localized:
        return self.period or Localized(self.label)

    @property
    def values(self) -> dict[str, float | None]:
        return {i: f.value for i, f in self.figures.items()}

    @property
    def n_values(self) -> int:
        return sum(f.value is not None for f in self.figures.values())

    @property
    def n_derived(self) -> int:
        return sum(f.derived for f in self.figures.values())

    def first_source_host(self) -> str:
        """The host (or first words) of the first figure's source: tells apart series of one period."""
        source = next((f.source for f in self.figures.values() if f.source), "") or ""
        links = source_links(source)
        return links[0][0] if links else short_source(source)


@dataclass(frozen=True)
class GeoLayer:
    """A GeoJSON document as served: raw and gzip bytes, an etag, and its feature ids."""

    name: str
    raw: bytes
    gz: bytes
    etag: str
    fids: tuple[str, ...]
    bounds: Box | None
    feature_bounds: dict[str, Box] = field(default_factory=dict)


def vintage_layer(vintage: str | None) -> str:
    """The served layer of a boundary set's districts (``astana-6`` -> ``v-astana-6``): the one place its key is made.
    An unknown boundary set (None) names a layer that is never served, so ``vintage_layer(v) in vm.geo`` is False."""
    return f"v-{vintage}"


def vintage_order(vintage: str | None) -> tuple[str, int]:
    """``astana-10`` after ``astana-9``: a boundary set's city, then its number."""
    city, _, number = (vintage or "").rpartition("-")
    return (city, int(number)) if number.isdigit() else (vintage or "", -1)


def geolayer(name: str, collection: dict, fid_property: str | None = None) -> GeoLayer:
    """A served layer of a FeatureCollection; ``fid_property`` names the property copied into ``fid``."""
    if fid_property:
        for feature in collection["features"]:
            feature["properties"]["fid"] = str(feature["properties"][fid_property])
    raw = json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()
    fids = tuple(str(f["properties"]["fid"]) for f in collection["features"])
    shapes = {str(f["properties"]["fid"]): shapely.geometry.shape(f["geometry"])
              for f in collection["features"] if f.get("geometry")}
    bounds = tuple(shapely.GeometryCollection(list(shapes.values())).bounds) if shapes else None
    return GeoLayer(name, raw, gzip.compress(raw, 6), hashlib.sha1(raw).hexdigest()[:16], fids, bounds,
                    {fid: tuple(g.bounds) for fid, g in shapes.items()})


def frame_collection(frame: gpd.GeoDataFrame, fid_col: str, keep: list[str], tolerance: float) -> dict:
    """A GeoJSON FeatureCollection (lon/lat, 5 decimals ~1 m) of a built layer that has no web file (the city
    outlines), simplified for the browser like the build's own web layers."""
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    features = []
    for _, row in frame.iterrows():
        geom = row.geometry
        if geom is not None and not geom.is_empty and tolerance:
            geom = shapely.set_precision(geom.simplify(tolerance, preserve_topology=True), 1e-5)
        props: dict[str, object] = {"fid": str(row[fid_col])}
        props.update({col: clean_cell(row[col]) for col in keep if col in frame.columns})
        features.append({"type": "Feature", "properties": props,
                         "geometry": None if geom is None or geom.is_empty
                         else shapely.geometry.mapping(geom)})
    return {"type": "FeatureCollection", "features": features}


@dataclass(frozen=True)
class LeftShare:
    """One row of the build's ``left_bank_share``: the left bank's share of Astana's population on a date."""

    label: str
    end: str | None
    vintage: str | None
    share: float
    n_districts: int
    split: tuple[tuple[str, float], ...]  # districts on both banks, with the left share used for each
    confidence: tuple[str, ...]
    sources: tuple[str, ...]
    bank_basis: tuple[str, ...]  # published / computed / unknown
    period: Localized | None = None

    @classmethod
    def of_row(cls, row: dict) -> LeftShare:
        split = json.loads(text_cell(row.get("split")) or "[]")
        return cls(period=localized(row, "period_label"), label=str(row["period_label"]), end=text_cell(row.get("period_end")),
                   vintage=text_cell(row.get("vintage")), share=float(row["share"]),
                   n_districts=int(row["n_districts"]), split=tuple((str(d), float(s)) for d, s in split),
                   confidence=split_cell(row.get("confidence"), ";"),
                   sources=split_cell(row.get("sources"), r"\s\|\s"),
                   bank_basis=split_cell(row.get("bank_basis"), ";"))


@dataclass(frozen=True)
class BankMigration:
    """One row of the build's ``bank_migration``: a district's net migration with its bank."""

    district_id: str
    bank: str | None
    value: float | None
    period: str
    vintage: str | None
    source: str | None
    confidence: tuple[str, ...]

    @classmethod
    def of_row(cls, row: dict) -> BankMigration:
        return cls(district_id=str(row["district_id"]), bank=text_cell(row.get("bank")),
                   value=number_cell(row.get("value")), period=str(row["period_label"]),
                   vintage=text_cell(row.get("vintage")), source=text_cell(row.get("source")),
                   confidence=split_cell(row.get("confidence")))


@dataclass(frozen=True)
class StanceScore:
    """A row of the build's ``perception_scores``: mean stance and n of a city's statements in a category."""

    mean: float | None
    n: int
    statement_ids: tuple[str, ...] = ()
    source: str | None = None


@dataclass(frozen=True)
class OriginItem:
    """One origin of a city's newcomers, with the region the build matched it to (None: not one region)."""

    origin: str
    region_id: str | None
    value: float | None
    unit: str | None
    source: str | None
    confidence: tuple[str, ...]
    start: str | None
    end: str | None


@dataclass(frozen=True)
class Origins:
    """Origins of a city's newcomers in one period, largest first."""

    label: str
    indicator: str
    items: tuple[OriginItem, ...]
    period: Localized | None = None

    @property
    def end(self) -> str | None:
        return self.items[0].end if self.items else None


# ------------------------------------------------------------------ rows of the build as records


def side_by_side(recs: list[dict]) -> list[list[dict]]:
    """Figures of one period split so that no place has two values in one series: another unit, or another
    source giving another value, becomes a series of its own, shown beside the first, never silently dropped."""
    parts: list[list[dict]] = []
    for rec in sorted(recs, key=lambda r: str(r.get("unit") or "")):
        place = (text_cell(rec.get("district_id")) or str(rec["city"]), str(rec.get("unit") or ""))
        home = next((p for p in parts if str(p[0].get("unit") or "") == place[1]
                     and place[0] not in {text_cell(r.get("district_id")) or str(r["city"]) for r in p}), None)
        if home is None:
            parts.append([rec])
        else:
            home.append(rec)
    return parts


def figure_of(rec: dict, label: str) -> Figure:
    return Figure(figure_id=text_cell(rec.get("figure_id")) or "",
                  value=number_cell(rec.get("value")),
                  unit=text_cell(rec.get("unit")), period_label=label,
                  period_start=text_cell(rec.get("period_start")),
                  period_end=text_cell(rec.get("period_end")), source=text_cell(rec.get("source")),
                  note=text_cell(rec.get("note")), confidence=split_cell(rec.get("confidence")),
                  derived=bool(clean_cell(rec.get("derived")) or False), method=text_cell(rec.get("method")),
                  vintage=text_cell(rec.get("vintage")), period=period_of(rec, label),
                  notes=localized(rec, "note"))


def period_of(rec: dict, label: str) -> Localized:
    """The period label with the build's translations (the label as published when the row has none)."""
    found = localized(rec, "period_label")
    return Localized(label, found.ru, found.kk) if found.en == label else Localized(label)
