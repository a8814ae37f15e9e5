"""The build contract: every layer `make data` writes, in one registry that the build writes from and the
store reads from, so a layer's name, file, kind, required columns and sources are stated once.

``kind`` is ``geo`` (GeoParquet), ``table`` (Parquet) or ``web`` (simplified GeoJSON for the browser, one file
per boundary vintage plus a few context layers). ``sources`` are the catalogue ids (data/sources.csv) a layer's
geometry or values come from; layers made from the curated reference tables name none: each row carries its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.domain.districts import DISTRICT_COLUMNS
from geo.domain.figures import COLUMNS as FIGURE_COLUMNS
from geo.domain.figures import FINDING_COLUMNS
from geo.domain.places import PLACE_COLUMNS
from geo.errors import UnknownName
from geo.indicators.leftbank import MIGRATION_COLUMNS, SHARE_COLUMNS


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
