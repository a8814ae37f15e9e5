"""Researchers' published survey datasets, indexed once at start-up (geo.store.published_datasets /
load_published), so that no request reads a parquet file or computes an estimate.

A dataset offers score items (layer 3: a mean per district with its interval, n, n_eff, top-box share,
reliability flag and shrunk mean) and count measures (layer 1: count, share, per 1,000, location quotients).
For each the index keeps the district cells, the city-level estimates and the colour classes for every scheme
and k; its districts become one served GeoJSON layer (``pub-<name>``). A dataset that cannot be read is left
out with one line on stderr: the build's layers still serve.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from dashboard.classify import K_CHOICES, SCHEMES, Classification, classify
from dashboard.i18n import has, t
from dashboard.state.records import Box, GeoLayer, clean_cell, frame_collection, geolayer, text_cell
from dashboard.state.surveytables import BankFigure, bank_figures, flagged, number, with_vintages
from geo.settings import survey_min_n

SCORE, COUNT = "score", "count"
LAYER_OF_KIND = {SCORE: "perception", COUNT: "concentration"}
WEB_TOLERANCE = 0.0002  # degrees (~20 m), as the build's own web layers
LANG_CODES = ("en", "ru", "kk")


@dataclass(frozen=True)
class Cell:
    """One district's (or city's) estimate of a score item or count measure, as published."""

    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    n: float | None = None
    n_eff: float | None = None
    top_share: float | None = None
    top_ci_low: float | None = None
    top_ci_high: float | None = None
    reliability: str | None = None
    suppressed: bool = False
    shrunk: float | None = None
    city: str | None = None

    @property
    def poor(self) -> bool:
        return self.reliability == "poor" and not self.suppressed


@dataclass(frozen=True)
class Difference:
    """A score item's group a minus group b in one district or a whole city, as published (score_differences)."""

    group_a: str
    group_b: str
    diff: float | None
    ci_low: float | None
    ci_high: float | None
    n_a: float | None
    n_b: float | None
    suppressed: bool


@dataclass(frozen=True)
class Measure:
    """A score item or a count measure of a dataset: its key (the URL's ``item``), kind, scale, and the
    published column of each part of a cell (value, ci_low, ci_high, n, ... see :data:`SCORE_PARTS`)."""

    key: str
    kind: str
    columns: tuple[tuple[str, str], ...]
    scale: str | None = None

    def column(self, part: str) -> str | None:
        return next((c for p, c in self.columns if p == part), None)

    def flags(self) -> list[str]:
        return [c for p, c in self.columns if p == "suppressed"]


# The parts of a cell and the column suffix of a score item holding each (geo.contract.PUBLISHED).
SCORE_PARTS = {"value": "mean", "ci_low": "ci_low", "ci_high": "ci_high", "n": "n", "n_eff": "n_eff",
               "top_share": "top_share", "top_ci_low": "top_ci_low", "top_ci_high": "top_ci_high",
               "reliability": "reliability", "suppressed": "suppressed", "shrunk": "shrunk_mean"}
CITY_COUNTS = ("count", "share_of_city", "per_1000")  # per district, over every respondent
GROUP_COUNTS = ("lq", "share")  # per district and group: <prefix>_<group>


@dataclass
class Dataset:
    """A published dataset's current version: metadata, measures, district cells and classes."""

    name: str
    meta: dict
    layer: str
    measures: dict[str, Measure] = field(default_factory=dict)
    cells: dict[str, dict[str, Cell]] = field(default_factory=dict)  # key -> fid -> cell
    city_cells: dict[tuple[str, str], Cell] = field(default_factory=dict)  # (key, city) -> city estimate
    # (item, fid) or (item, "city:<city>") -> its group differences; (item, fid) -> shares per scale point
    differences: dict[tuple[str, str], list[Difference]] = field(default_factory=dict)
    dists: dict[tuple[str, str], list[tuple[str, float]]] = field(default_factory=dict)
    classes: dict[tuple[str, str, int], Classification] = field(default_factory=dict)
    city_of: dict[str, str] = field(default_factory=dict)
    city_box: dict[str, Box] = field(default_factory=dict)  # city -> extent of its districts here
    box: Box | None = None
    banks: dict[tuple[str, str], dict[str, BankFigure]] = field(default_factory=dict)  # (city, item) -> per bank
    scores: pd.DataFrame | None = None  # the long scores table with each row's boundary set (for waves)

    @property
    def synthetic(self) -> bool:
        return bool(self.meta.get("synthetic"))

    @property
    def min_n(self) -> int:
        value = clean_cell(self.meta.get("min_n"))
        return int(value) if isinstance(value, (int, float)) else survey_min_n()

    @property
    def cities(self) -> list[str]:
        return sorted(set(self.city_of.values()))

    def keys(self, kind: str) -> list[str]:
        return [k for k, m in self.measures.items() if m.kind == kind]

    def values(self, key: str) -> dict[str, float | None]:
        """The values that are coloured: suppressed cells have none."""
        return {fid: None if c.suppressed else c.value for fid, c in self.cells.get(key, {}).items()}


def _scales(meta: dict) -> dict[str, str]:
    """Item -> scale text ("1-5") from the metadata's items (records with item, low, high)."""
    out: dict[str, str] = {}
    for entry in meta.get("items") or []:
        if isinstance(entry, dict) and entry.get("item") is not None and entry.get("low") is not None:
            out[str(entry["item"])] = f"{_point(entry['low'])}-{_point(entry.get('high'))}"
    return out


def _point(value: object) -> str:
    """An answer point as written on the scale (1.0 -> "1")."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def measures_of(columns: list[str], meta: dict) -> dict[str, Measure]:
    """Score items (``{item}_mean`` with its interval) first, then the count measures present: count, share
    of the city and per 1,000 residents, then each group's location quotient and share."""
    cols = set(columns)
    scales = _scales(meta)
    out: dict[str, Measure] = {}
    for col in columns:
        if col.endswith("_mean") and not col.endswith("_shrunk_mean"):
            item = col[: -len("_mean")]
            if f"{item}_ci_low" in cols:
                parts = tuple((part, f"{item}_{suffix}") for part, suffix in SCORE_PARTS.items()
                              if f"{item}_{suffix}" in cols)
                out[item] = Measure(item, SCORE, parts, scales.get(item))
    for col in CITY_COUNTS:
        if col in cols:
            out[col] = Measure(col, COUNT, tuple((p, c) for p, c in (("value", col), ("n", "n_rows"),
                                                                     ("suppressed", "suppressed")) if c in cols))
    groups = [str(g) for g in meta.get("groups") or []]
    for prefix in GROUP_COUNTS:
        for group in groups:
            key = f"{prefix}_{group}"
            if key in cols:
                parts = (("value", key), ("ci_low", f"{prefix}_ci_low_{group}"), ("ci_low", f"{prefix}_low_{group}"),
                         ("ci_high", f"{prefix}_ci_high_{group}"), ("ci_high", f"{prefix}_high_{group}"),
                         ("n", f"n_rows_{group}"), ("n", "n_rows"), ("suppressed", "suppressed"),
                         ("suppressed", f"suppressed_{group}"))
                out[key] = Measure(key, COUNT, tuple((p, c) for p, c in parts if c in cols))
    return out


def cell_of(row: dict, measure: Measure, min_n: int) -> Cell:
    """A row's cell of a measure: the published value and its qualifiers; suppressed when flagged, when
    the reliability says so, when fewer than ``min_n`` respondents (but some) are behind it, or, for counts,
    when the value is missing (suppressed count cells are published empty)."""
    def get(part: str) -> object:
        column = measure.column(part)
        return row.get(column) if column else None

    n = number(get("n"))
    reliability = text_cell(get("reliability"))
    suppressed = any(flagged(row.get(c)) for c in measure.flags()) or reliability == "suppressed" or (
        n is not None and 0 < n < min_n) or (measure.kind == COUNT and number(get("value")) is None)

    def shown(part: str) -> float | None:
        return None if suppressed else number(get(part))

    return Cell(value=shown("value"), ci_low=shown("ci_low"), ci_high=shown("ci_high"), n=shown("n"),
                n_eff=shown("n_eff"), top_share=shown("top_share"), top_ci_low=shown("top_ci_low"),
                top_ci_high=shown("top_ci_high"), reliability="suppressed" if suppressed else reliability,
                suppressed=suppressed, shrunk=shown("shrunk"), city=text_cell(row.get("city")))


def city_cells(scores: pd.DataFrame | None, measures: dict[str, Measure], min_n: int) -> dict[tuple[str, str], Cell]:
    """City-level estimates of the score items (every respondent, no group) from the long scores table."""
    if scores is None or scores.empty or "level" not in scores.columns:
        return {}
    rows = scores[scores["level"].astype(str) == "city"]
    if "group" in rows.columns:
        rows = rows[rows["group"].isna() | rows["group"].astype(str).isin(("", "all", "any"))]
    long = Measure("city", SCORE, tuple((part, suffix) for part, suffix in SCORE_PARTS.items()))
    return {(str(r.get("item")), str(r.get("city"))): cell_of(r, long, min_n)
            for r in rows.to_dict("records") if str(r.get("item")) in measures}


def city_key(city: str) -> str:
    """The key of a whole city's group differences beside the districts' (district ids are digits)."""
    return f"city:{city}"


def differences_of(table: pd.DataFrame | None, items: set[str], min_n: int) -> dict[tuple[str, str],
                                                                                    list[Difference]]:
    """Group differences per (item, district or city key): suppressed when flagged, when a side has fewer
    than ``min_n`` respondents, or when the difference is missing (suppressed rows are published empty)."""
    out: dict[tuple[str, str], list[Difference]] = {}
    if table is None or table.empty:
        return out
    for r in table.to_dict("records"):
        item = str(r.get("item"))
        if item not in items:
            continue
        where = city_key(str(r.get("city"))) if str(r.get("level")) == "city" else text_cell(r.get("district_id"))
        if not where:
            continue
        values = [number(r.get(c)) for c in ("diff", "ci_low", "ci_high", "n_a", "n_b")]
        hidden = flagged(r.get("suppressed")) or values[0] is None or any(n is not None and n < min_n
                                                                        for n in values[3:])
        diff, low, high, n_a, n_b = [None] * 5 if hidden else values
        out.setdefault((item, where), []).append(Difference(str(r.get("group_a")), str(r.get("group_b")), diff,
                                                            low, high, n_a, n_b, hidden))
    return out


def dists_of(scores: pd.DataFrame | None, cells: dict[str, dict[str, Cell]]) -> dict[tuple[str, str],
                                                                                 list[tuple[str, float]]]:
    """Each shown district estimate's weighted answer shares per scale point (the long scores' ``dist``, all
    respondents); never for a suppressed cell, whatever the table holds."""
    out: dict[tuple[str, str], list[tuple[str, float]]] = {}
    if scores is None or scores.empty or not {"dist", "level", "item"} <= set(scores.columns):
        return out
    rows = scores[scores["level"].astype(str) == "district"]
    if "group" in rows.columns:
        rows = rows[rows["group"].isna() | rows["group"].astype(str).isin(("", "all", "any"))]
    for r in rows.to_dict("records"):
        item, fid = str(r.get("item")), text_cell(r.get("district_id"))
        cell = cells.get(item, {}).get(fid or "")
        text = text_cell(r.get("dist"))
        if cell is None or cell.suppressed or cell.value is None or not text:
            continue
        try:
            shares = json.loads(text)
            points = [(str(k), float(v)) for k, v in shares.items()]
        except (ValueError, TypeError, AttributeError):
            continue
        if points and all(math.isfinite(v) and 0 <= v <= 1 for _, v in points):
            out[(item, fid or "")] = sorted(points, key=lambda p: float(p[0]))
    return out


class PublishedIndex:
    """Every published dataset with its served layer; empty when none is published."""

    def __init__(self) -> None:
        self.datasets: dict[str, Dataset] = {}
        self.geo: dict[str, GeoLayer] = {}
        self.skipped: list[str] = []
        self.district_names: dict[str, dict[str, str]] = {}  # district id -> its names (kk/ru/en)

    @classmethod
    def load(cls, names: dict[str, dict[str, str]] | None = None) -> PublishedIndex:
        """Read the current version of every published dataset once (geo.store)."""
        from geo import store
        from geo.errors import QalaError

        index = cls()
        try:
            listed = store.published_datasets()
        except (QalaError, OSError, ValueError) as exc:
            index._skip("the datasets folder", exc)
            return index
        for meta in listed:
            name = str(meta.get("name"))
            if meta.get("warning"):  # a damaged dataset: the store says why
                index._skip(name, ValueError(str(meta["warning"])))
                continue
            try:
                frame, scores = store.load_published(name)
                ds = index.add(meta, frame, scores, names, store.load_published_table(name, "score_differences"))
                ds.banks = bank_figures(store.load_published_table(name, "banks"))
            except (QalaError, OSError, ValueError, KeyError) as exc:
                index._skip(name, exc)
        return index

    def _skip(self, what: str, exc: Exception) -> None:
        text = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
        self.skipped.append(f"{what}: {text}")
        print(f"qala dashboard: warning: published dataset {what} left out ({text})", file=sys.stderr)

    def add(self, meta: dict, frame: gpd.GeoDataFrame, scores: pd.DataFrame | None,
            names: dict[str, dict[str, str]] | None = None, differences: pd.DataFrame | None = None) -> Dataset:
        """Index one dataset: cells, city estimates, group differences, distributions, classes, districts."""
        name = str(meta["name"])
        ds = Dataset(name=name, meta=dict(meta), layer=f"pub-{name}")
        ds.measures = measures_of([str(c) for c in frame.columns], meta)
        frame = frame.copy()
        frame["fid"] = frame["district_id"].astype(str)
        if frame["fid"].duplicated().any():
            raise ValueError(f"dataset {name}: a district appears twice; fix: republish one row per district")
        for lang in LANG_CODES:
            column = f"name_{lang}"
            given = frame[column] if column in frame.columns else pd.Series([None] * len(frame), index=frame.index)
            frame[column] = [text_cell(g) or (names or {}).get(fid, {}).get(lang) or fid
                             for g, fid in zip(given, frame["fid"], strict=True)]
        records = frame.drop(columns=frame.geometry.name).to_dict("records")
        for r in records:
            self.district_names.setdefault(str(r["fid"]), {lang: str(r[f"name_{lang}"])
                                                           for lang in LANG_CODES})
        ds.city_of = {str(r["fid"]): str(r.get("city") or "") for r in records}
        for key, measure in ds.measures.items():
            ds.cells[key] = {str(r["fid"]): cell_of(r, measure, ds.min_n) for r in records}
            for scheme in SCHEMES[:-1]:
                for k in K_CHOICES:
                    ds.classes[(key, scheme, k)] = classify(ds.values(key), scheme, k)
        ds.city_cells = city_cells(scores, ds.measures, ds.min_n)
        ds.differences = differences_of(differences, set(ds.keys(SCORE)), ds.min_n)
        ds.dists = dists_of(scores, {k: ds.cells[k] for k in ds.keys(SCORE)})
        ds.scores = with_vintages(scores, frame)
        keep = ["district_id", "city", *[f"name_{lang}" for lang in LANG_CODES]]
        served = geolayer(ds.layer, frame_collection(frame, "fid", keep, WEB_TOLERANCE))
        self.geo[ds.layer] = served
        ds.box = served.bounds
        for city in ds.cities:
            boxes = [b for fid, b in served.feature_bounds.items() if ds.city_of.get(fid) == city]
            if boxes:
                ds.city_box[city] = (min(b[0] for b in boxes), min(b[1] for b in boxes),
                                     max(b[2] for b in boxes), max(b[3] for b in boxes))
        self.datasets[name] = ds
        return ds

    # ------------------------------------------------------------------ look-ups for the state
    def names(self, layer: str) -> list[str]:
        """Datasets that offer something on a layer (score items on 3, counts on 1)."""
        kinds = [k for k, lay in LAYER_OF_KIND.items() if lay == layer]
        return [n for n, ds in sorted(self.datasets.items()) if any(ds.keys(k) for k in kinds)]

    def keys(self, name: str, layer: str) -> list[str]:
        ds = self.datasets.get(name)
        if ds is None:
            return []
        return [k for kind, lay in LAYER_OF_KIND.items() if lay == layer for k in ds.keys(kind)]

    def district_ids(self, city: str) -> list[str]:
        return [fid for ds in self.datasets.values() for fid, c in ds.city_of.items() if c == city]

    # ------------------------------------------------------------------ labels for the controls
    def dataset_options(self, layer: str, lang: str) -> list[dict]:
        return [{"label": dataset_title(self.datasets[n], lang), "value": n} for n in self.names(layer)]

    def item_options(self, name: str, layer: str, lang: str) -> list[dict]:
        ds = self.datasets.get(name)
        if ds is None:
            return []
        return [{"label": measure_label(ds.measures[k], lang), "value": k} for k in self.keys(name, layer)]


def dataset_title(ds: Dataset, lang: str) -> str:
    """The dataset's title as published (its name when it has none), SYNTHETIC first when it is (publishing
    already puts the English word in a synthetic dataset's title; the interface's word is added when missing)."""
    title = text_cell(ds.meta.get("title")) or ds.name
    label = t("synthetic_label", lang)
    if ds.synthetic and "SYNTHETIC" not in title.upper():
        title = f"SYNTHETIC · {title}"
    return f"{label} · {title}" if ds.synthetic and label.upper() not in title.upper() else title


def measure_label(measure: Measure, lang: str) -> str:
    """A score item with its scale ("Q1 · 1-5"), or a count measure in words."""
    if measure.kind == SCORE:
        return f"{measure.key} · {t('pub_scale', lang, scale=measure.scale)}" if measure.scale else measure.key
    key = f"pub_measure_{measure.key}"
    if has(key):
        return t(key, lang)
    prefix, _, group = measure.key.partition("_")
    return t("pub_measure_lq" if prefix == "lq" else "pub_measure_share_group", lang, group=group)
