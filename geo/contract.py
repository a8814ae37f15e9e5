"""The build contract: every layer `make data` writes, in one registry that the build writes from and the
store reads from, so a layer's name, file, kind, required columns and sources are stated once.

``kind`` is ``geo`` (GeoParquet), ``table`` (Parquet) or ``web`` (simplified GeoJSON for the browser, one file
per boundary vintage plus a few context layers). ``sources`` are the catalogue ids (data/sources.csv) a layer's
geometry or values come from; layers made from the curated reference tables name none: each row carries its own.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from geo.domain.districts import DISTRICT_COLUMNS
from geo.domain.figures import COLUMNS as FIGURE_COLUMNS
from geo.domain.figures import FINDING_COLUMNS
from geo.domain.places import PLACE_COLUMNS
from geo.errors import UnknownName
from geo.indicators.change import CHANGE_COLUMNS, CHANGE_WEB_COLUMNS, PAIR_COLUMNS
from geo.indicators.flows import FLOW_COLUMNS, FLOW_WEB_COLUMNS
from geo.indicators.leftbank import MIGRATION_COLUMNS, SHARE_COLUMNS
from geo.settings import CITIES


@dataclass(frozen=True)
class Layer:
    name: str
    kind: str  # geo | table | web
    columns: tuple[str, ...]
    sources: tuple[str, ...] = ()
    description: str = ""

    @property
    def file(self) -> str:
        if self.kind == "web":
            return f"web/{self.name.removesuffix('_web')}.geojson"
        return f"{self.name}.parquet"


def _translated(*fields: str) -> tuple[str, ...]:
    """The project's ru/kk translations beside English text fields, and who translated them (None: none)."""
    return (*(f"{f}_{lang}" for f in fields for lang in ("ru", "kk")), "translated_by")


_DISTRICT_SOURCES = ("astana_districts_osm", "almaty_districts_osm", "geokz_adm2_2024")

LAYERS: dict[str, Layer] = {layer.name: layer for layer in (
    Layer("districts", "geo", (*DISTRICT_COLUMNS, "bank", "bank_left_share", "bank_source"),
          _DISTRICT_SOURCES, "districts of every boundary vintage, with area and Astana bank"),
    Layer("figures", "table", (*FIGURE_COLUMNS, "region_id", "period_label_ru", "period_label_kk",
                               *_translated("note")),
          (), "sourced and derived figures, each joined to a district of its vintage or to its city"),
    Layer("findings", "table", (*FINDING_COLUMNS, *_translated("city", "area_as_published", "value", "note"),
                                "period_label_ru", "period_label_kk"),
          (), "published statements on where migrants live"),
    Layer("places", "geo", (*PLACE_COLUMNS, "district_id", "bank", *_translated("evidence", "note")),
          ("wof_localities",), "gazetteer: settlement places, state institutions, former villages"),
    Layer("banks", "geo", ("bank", "area_km2", "water_km2", "method", "error_note"),
          ("astana_city_osm", "astana_districts_osm", "esil_river_geoportal"),
          "Astana's left and right bank"),
    Layer("bank_edge", "geo", ("name", "method"), ("astana_districts_osm", "esil_river_geoportal"),
          "the line that splits the banks"),
    Layer("bank_divide", "geo", ("name", "method"), ("astana_districts_osm",), "border of Esil+Nura"),
    Layer("river", "geo", ("name", "source"), ("esil_river_geoportal",), "the Esil in Astana"),
    Layer("regions", "geo", ("region_id", "name_en", "name_ru", "name_kk"), ("geokz_adm1_2024",),
          "Kazakhstan's regions (origins of newcomers)"),
    Layer("cities", "geo", ("region_id", "name_en", "name_ru", "name_kk", "city", "source"),
          ("geokz_adm1_2024", "astana_city_osm"), "outlines of the three cities"),
    Layer("vintages", "table", ("vintage", "city", "valid_from", "valid_to", "n_districts", "geometry",
                                "source_note", "latest"),
          (), "boundary vintages and their dates; `latest` marks each city's current one"),
    Layer("lineage", "table", ("city", "date", "vintage", "district_id", "parent_vintage", "parent_id",
                               "relation", "source"), (), "which district came from which, when"),
    Layer("perception", "table", ("id", "city", "source_kind", "migrant_category", "stance", "paraphrase",
                                  "source_ref", *_translated("paraphrase")), (), "coded focus-group statements"),
    Layer("perception_scores", "table", ("city", "migrant_category", "n", "mean_stance", "statement_ids",
                                         "source"),
          (), "mean stance of participant statements per city and category, with n"),
    Layer("city_images", "table", ("city", "image_tag", "evidence_ids", "source_ref", *_translated("image_tag")),
          (), "city-image tags"),
    Layer("left_bank_share", "table", (*SHARE_COLUMNS, "period_label_ru", "period_label_kk"),
          (), "share of Astana's population on the left bank, by date, with each district's bank basis"),
    Layer("bank_migration", "table", tuple(MIGRATION_COLUMNS),
          (), "Astana's net migration by district with its bank"),
    Layer("unmatched_figures", "table", ("figure_id", "city", "district", "reason"), (),
          "figures whose district could not be matched (kept city-level)"),
    Layer("change_pairs", "table", PAIR_COLUMNS, (),
          "every pair of dates (from < to) of each city's district indicator: comparable or not, method "
          "('same boundaries' | 'lineage sums' | None), the reason when not, n_units"),
    Layer("changes", "geo", CHANGE_COLUMNS, _DISTRICT_SOURCES,
          "change per comparable unit and pair of dates: change_abs = to - from, change_rel = change_abs / from "
          "as a fraction (0.1 = +10 %; NaN when from is 0 or missing); fid keys web/changes_<city>.geojson"),
    Layer("flows", "geo", FLOW_COLUMNS, ("geokz_adm1_2024",),
          "arrivals by region of origin: a line from the origin region's representative point to the city's; "
          "share of the city's arrivals in the period as a fraction (NaN when the figures do not give it)"),
    *(Layer(f"changes_{city.lower()}_web", "web", CHANGE_WEB_COLUMNS, _DISTRICT_SOURCES,
            f"drawn units of {city}'s changes (districts, or unions of districts summed through lineage)")
      for city in CITIES),
    Layer("flows_web", "web", FLOW_WEB_COLUMNS, ("geokz_adm1_2024",), "flow lines into the cities (fid = flow_id)"),
    Layer("banks_web", "web", ("bank", "area_km2"), ("astana_districts_osm", "esil_river_geoportal")),
    Layer("regions_web", "web", ("region_id", "name_en", "name_ru", "name_kk"), ("geokz_adm1_2024",)),
    Layer("river_web", "web", ("name", "source"), ("esil_river_geoportal",)),
)}
GEO_LAYERS = tuple(n for n, layer in LAYERS.items() if layer.kind == "geo")
TABLE_LAYERS = tuple(n for n, layer in LAYERS.items() if layer.kind == "table")
EXPORTABLE = GEO_LAYERS + TABLE_LAYERS
# Web GeoJSON of one boundary vintage: web/<vintage>.geojson with these properties.
WEB_DISTRICT_COLUMNS = ("district_id", "city", "vintage", "name_en", "name_ru", "name_kk", "area_km2", "bank",
                        "bank_left_share")


def layer(name: str) -> Layer:
    """The contract entry of a layer, or a one-line error listing the layers there are."""
    if name not in LAYERS:
        raise UnknownName(f"unknown layer '{name}'; layers: {', '.join(EXPORTABLE)}")
    return LAYERS[name]


def web_file(name: str) -> str:
    """File of a web layer: a context layer (``banks``) or a vintage (``astana-6``)."""
    entry = LAYERS.get(f"{name}_web")
    return entry.file if entry else f"web/{name}.geojson"


# ---------------------------------------------------------------------------------------------------------------
# Published datasets: what `qala publish` (geo.publish) writes and geo.store.load_published reads, stated once.
# datasets_dir()/<name>/v<k>/ holds one Parquet file per table below plus metadata.json; the highest v<k> is the
# current version, folders starting with "." are staging or removal in progress. Only aggregate columns are
# allowed: a column is kept when it is in ``allowed``, is ``<item>_<suffix>`` for an item of the scores table,
# ``<prefix>_<group>`` for a group of the groups table, or matches a fixed (code-made, never user-made) pattern;
# the build's own attributes (``from_build``: names, area, geometry) are dropped and joined back on reading, and
# any other column refuses the whole publication, so a microdata column cannot slip through.
@dataclass(frozen=True)
class PublishedTable:
    name: str  # the join output's file stem (districts.parquet, scores.csv ...) and the published table name
    required: tuple[str, ...]
    allowed: tuple[str, ...]
    per_item: tuple[str, ...] = ()
    per_group: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    from_build: tuple[str, ...] = ()

    @property
    def file(self) -> str:
        return f"{self.name}.parquet"


_SCORE_VALUES = ("n", "nonresponse", "weight_sum", "mean", "se", "ci_low", "ci_high", "n_eff", "cv", "top_share",
                 "top_ci_low", "top_ci_high", "dist", "reliability", "suppressed", "suppression", "shrunk_mean")
PUBLISHED: dict[str, PublishedTable] = {t.name: t for t in (
    PublishedTable("districts", ("district_id", "city", "vintage"),
                   ("district_id", "city", "vintage", "count", "n_rows", "share_of_city", "population",
                    "population_period", "population_source", "population_confidence", "per_1000", "synthetic",
                    "suppressed", "suppression", "count_suppressed"),
                   per_item=tuple(s for s in _SCORE_VALUES if s not in ("dist", "weight_sum", "cv")),
                   per_group=("count", "lq", "lq_low", "lq_high", "lq_ci_low", "lq_ci_high", "share", "n_rows",
                              "suppressed"),
                   from_build=("name_en", "name_ru", "name_kk", "area_km2", "bank", "geometry")),
    PublishedTable("scores", ("city", "level", "district_id", "item", "group", "n", "mean", "ci_low", "ci_high",
                              "suppressed"),
                   ("city", "level", "district_id", "vintage", "item", "group", "scale", "top_box", *_SCORE_VALUES,
                    "synthetic")),
    PublishedTable("score_differences", ("item", "diff", "ci_low", "ci_high"),
                   ("city", "level", "district_id", "vintage", "item", "group", "group_a", "group_b", "diff",
                    "se", "ci_low", "ci_high", "n_a", "n_b", "suppressed", "suppression", "synthetic")),
    PublishedTable("banks", ("city", "bank", "item", "n", "mean", "ci_low", "ci_high", "suppressed"),
                   ("city", "bank", "item", "scale", "districts", "n", "weight_sum", "mean", "se", "ci_low", "ci_high",
                    "n_eff", "reliability", "suppressed", "suppression", "synthetic")),
    PublishedTable("groups", ("district_id", "group"),
                   ("district_id", "city", "vintage", "group", "count", "n_rows", "lq", "lq_low", "lq_high",
                    "lq_ci_low", "lq_ci_high", "share", "suppressed", "suppression", "synthetic")),
    PublishedTable("indices", ("group",),
                   ("city", "vintage", "group", "n", "share", "pysal_agrees", "permutations", "seed", "null",
                    "synthetic"),
                   patterns=(r"(dissimilarity|isolation)(_[a-z0-9_]+)?",)),
)}
PUBLISHED_METADATA = "metadata.json"
# raised when a table's required columns change: older datasets must be republished. 2: released through the
# release gate (geo.release); format 1 was suppressed line by line, and its hidden cells could be worked back
PUBLISHED_FORMAT = 2
METADATA_KEYS = ("name", "version", "title", "source", "period", "n", "cities", "vintages", "items", "min_n", "release",
                 "created", "checksum", "files", "synthetic", "qala_version", "format")
DATASET_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
VERSION_NAME = re.compile(r"v[1-9][0-9]{0,5}")


def dataset_versions(folder: Path) -> list[str]:
    """The versions of one dataset folder, oldest first (v2 before v10); the last is the current one."""
    if not folder.is_dir():
        return []
    names = [p.name for p in folder.iterdir() if p.is_dir() and VERSION_NAME.fullmatch(p.name)]
    return sorted(names, key=lambda v: int(v[1:]))


def dataset_names(root: Path) -> list[str]:
    """Published dataset names under ``root`` (the datasets folder) that hold at least one version, sorted."""
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir()
                  if p.is_dir() and DATASET_NAME.fullmatch(p.name) and dataset_versions(p))


def dataset_checksum(folder: Path, files: list[str]) -> str:
    """sha256 over the data files of a version (name and content, in name order): what metadata.json states."""
    total = hashlib.sha256()
    for name in sorted(files):
        total.update(name.encode() + b"\0" + hashlib.sha256((folder / name).read_bytes()).digest())
    return total.hexdigest()
