"""The build's stages, each from the sources and the stages before it, never back:
districts (every vintage) -> figures (joined to districts) -> banks -> derived indicators -> places, perception.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import geopandas as gpd
import pandas as pd
import shapely

from geo.domain import banks as banks_mod
from geo.domain.districts import build_districts
from geo.domain.figures import FIGURE_TABLES, FigureReport, load_figures, load_findings
from geo.domain.names import match_region
from geo.domain.perception import load_city_images, load_statements, stance_scores
from geo.domain.places import gazetteer_places, locate, osm_institutions, wof_localities
from geo.domain.translations import Translations, load_translations, period_columns, translate_columns
from geo.domain.vintages import latest_vintages, lineage_table, vintage_table
from geo.indicators.change import build_changes
from geo.indicators.derived import derive_all
from geo.indicators.flows import build_flows
from geo.indicators.leftbank import left_bank_share, migration_by_bank
from geo.io.acquire import Acquired
from geo.io.vector import Repairs, read_vector
from geo.settings import CITY_KATO, STORAGE_CRS

ORIGIN_INDICATORS = ("share_of_arrivals_from", "arrivals_from")
# The reference table each gazetteer list comes from (translations.csv names rows by table and id).
PLACE_TABLES = {"migrant_settlement": "migrant_settlement_places", "state_institution": "state_institutions_astana"}
TRANSLATED_TABLES = ("focus_group_coding", "city_images", "migrant_settlement_findings", *PLACE_TABLES.values(),
                     *FIGURE_TABLES)


def source_figure(rec: dict) -> str | None:
    """The figure id (``<table>:<row>``) whose note a figure carries: its own, or for a derived figure (density,
    growth, lineage) that of the sourced figure it was made from (its ``table`` and ``row`` are kept)."""
    table, row = rec.get("table"), rec.get("row")
    if table not in FIGURE_TABLES or row is None or pd.isna(row):
        return None
    return f"{table}:{int(row)}"


def _log(quiet: bool) -> Callable[[str], None]:
    return (lambda _m: None) if quiet else (lambda m: print(m, file=sys.stderr, flush=True))


def regions_and_cities(acquired: dict[str, Acquired], repairs: Repairs) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    adm1 = read_vector(next(p for p in acquired["geokz_adm1_2024"].paths if p.suffix == ".shp"),
                       what="geokz regions", geom_types=("Polygon", "MultiPolygon"), repairs=repairs)
    regions = gpd.GeoDataFrame({"region_id": adm1["KATO"].astype(str), "name_en": adm1["ADM1_EN"],
                                "name_ru": adm1["ADM1_RU"], "name_kk": adm1["ADM1_KK"]},
                               geometry=adm1.geometry.values, crs=STORAGE_CRS)
    city_of = {kato: city for city, kato in CITY_KATO.items()}
    cities = regions[regions.region_id.isin(city_of)].copy()
    cities["city"] = cities.region_id.map(city_of)
    cities["source"] = "geokz 2024 (ADM1)"
    return regions, cities


def astana_banks(acquired: dict[str, Acquired], districts: gpd.GeoDataFrame, repairs: Repairs) -> dict:
    """Banks, the bank edge and divide, the river, and each district's computed bank."""
    outline = read_vector(acquired["astana_city_osm"].path, what="Astana city outline",
                          geom_types=("Polygon", "MultiPolygon"), repairs=repairs).geometry.iloc[0]
    river_raw = read_vector(acquired["esil_river_geoportal"].path, what="Esil river", repairs=repairs)
    river = shapely.union_all(river_raw.geometry.values)
    latest = districts[districts.vintage == latest_vintages()["Astana"]]
    banks = banks_mod.build_banks(outline, river, latest)
    divide = gpd.GeoDataFrame({"name": ["bank divide: border of Esil+Nura and the right-bank districts"],
                               "method": ["derived from OSM districts"]},
                              geometry=[banks_mod.bank_divide_line(latest)], crs=STORAGE_CRS)
    edge = gpd.GeoDataFrame({"name": ["bank edge: river where complete, OSM divide elsewhere"],
                             "method": [banks.method.iloc[0]]},
                            geometry=[banks_mod.bank_edge(outline, river, latest)], crs=STORAGE_CRS)
    river_layer = gpd.GeoDataFrame({"name": ["Esil (Ishim)"], "source": ["Astana city geoportal"]},
                                   geometry=[river], crs=STORAGE_CRS)
    return {"banks": banks, "bank_divide": divide, "bank_edge": edge, "river": river_layer,
            "computed": banks_mod.district_banks(districts, banks)}


def with_regions(figures: pd.DataFrame, regions: gpd.GeoDataFrame) -> pd.DataFrame:
    """Origins of arrivals matched to today's regions through the one name matcher (None: not one region)."""
    names = dict(zip(regions.region_id, regions.name_en, strict=False))
    is_origin = figures.indicator.isin(ORIGIN_INDICATORS) & figures.origin.notna()
    figures = figures.copy()
    figures["region_id"] = None
    figures.loc[is_origin, "region_id"] = [match_region(str(o), names) for o in figures.loc[is_origin, "origin"]]
    return figures


def vintages_layer() -> pd.DataFrame:
    table = vintage_table()
    latest = set(latest_vintages(table).values())
    return table.assign(latest=table.vintage.isin(latest))


def build_layers(acquired: dict[str, Acquired], quiet: bool) -> tuple[dict[str, pd.DataFrame], dict]:
    """Every layer of the contract (by name) and the web files (by file name), plus the build report."""
    log = _log(quiet)
    repairs = Repairs()
    log("[2/6] districts of every vintage, city outlines, regions")
    districts = build_districts(acquired, repairs)
    regions, cities = regions_and_cities(acquired, repairs)

    log("[3/6] figures: periods, names, vintages")
    figures, fig_report = load_figures(set(zip(districts.vintage, districts.district_id, strict=False)))

    log("[4/6] Astana's banks of the Esil; derived indicators")
    astana = astana_banks(acquired, districts, repairs)
    districts = banks_mod.with_banks(districts, astana.pop("computed"), figures)
    figures = with_regions(derive_all(figures, districts), regions)
    share, migration = left_bank_share(figures, districts), migration_by_bank(figures, districts)
    for col in ("period_start", "period_end"):
        figures[col] = pd.to_datetime(figures[col]).dt.date.astype("string")
    share["period_end"] = pd.to_datetime(share["period_end"]).dt.date.astype("string")

    log("[5/6] places, perception")
    parts = [gazetteer_places(), wof_localities(acquired["wof_localities"])]
    if "osm_state_institutions" in acquired:
        parts.append(osm_institutions(acquired["osm_state_institutions"]))
    places = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=STORAGE_CRS)
    places = locate(places, districts[districts.vintage.isin(latest_vintages().values())], astana["banks"])
    statements = load_statements()

    translations = load_translations()
    layers = {
        "districts": districts, "figures": period_columns(figures), "findings": load_findings(), "places": places,
        **astana, "regions": regions, "cities": cities, "vintages": vintages_layer(), "lineage": lineage_table(),
        "perception": statements, "perception_scores": stance_scores(statements), "city_images": load_city_images(),
        "left_bank_share": period_columns(share), "bank_migration": migration,
        "unmatched_figures": pd.DataFrame(fig_report.unmatched, columns=["figure_id", "city", "district", "reason"]),
    }
    layers.update(translated(layers, translations))
    pairs, changes = build_changes(layers["figures"], districts, layers["lineage"], layers["vintages"])
    layers.update({"change_pairs": pairs, "changes": changes, "flows": build_flows(layers["figures"], regions, cities)})
    report = _report(districts, figures, places, astana["banks"], fig_report, repairs)
    report["translations"] = translations.stale + translations.unused(TRANSLATED_TABLES)
    for note in report["translations"]:
        log(f"      {note}")
    return layers, report


def translated(layers: dict[str, pd.DataFrame], translations: Translations) -> dict[str, pd.DataFrame]:
    """The layers holding the project's own English text, with its ru/kk translations beside it (quotations and
    source titles stay as published inside them); stale translations are left out and noted in ``translations``."""
    places = translate_columns(layers["places"], lambda r: PLACE_TABLES.get(str(r.get("list"))),
                               lambda r: str(r["place_id"]), {"evidence": "evidence_paraphrase", "note": "note"},
                               translations)
    findings = translate_columns(layers["findings"], "migrant_settlement_findings",
                                 lambda r: f"{r['city']}|{r['area_as_published']}|{r['indicator']}",
                                 {"city": "city", "area_as_published": "district", "value": "value", "note": "note"},
                                 translations)
    # A figure's note, and a derived figure's (its source figure's note), by the sourced figure's id.
    figures = translate_columns(layers["figures"], lambda r: r.get("table") if source_figure(r) else None,
                                source_figure, ["note"], translations)
    return {
        "figures": figures,
        "perception": translate_columns(layers["perception"], "focus_group_coding", lambda r: str(r["id"]),
                                        ["paraphrase"], translations),
        "city_images": translate_columns(layers["city_images"], "city_images",
                                         lambda r: f"{r['city']}|{r['image_tag']}", ["image_tag"], translations),
        "places": gpd.GeoDataFrame(places, geometry="geometry", crs=layers["places"].crs),
        "findings": period_columns(findings),
    }


def _report(
    districts: gpd.GeoDataFrame,
    figures: pd.DataFrame,
    places: gpd.GeoDataFrame,
    banks: gpd.GeoDataFrame,
    fig_report: FigureReport,
    repairs: Repairs,
) -> dict:
    counts = (districts.groupby(["city", "vintage"]).agg(n=("district_id", "size"),
                                                        with_geometry=("geometry", lambda g: int(g.notna().sum())))
              .reset_index().to_dict("records"))
    return {
        "districts": counts,
        "figures_in": fig_report.rows_in, "figures_to_district": fig_report.matched_district,
        "figures_city_level": fig_report.matched_city, "figures_unmatched": fig_report.unmatched,
        "derived_figures": int(figures.derived.sum()),
        "places": len(places), "places_with_coordinates": int(places.geometry.notna().sum()),
        "repairs": repairs.items,
        "banks_km2": {r.bank: round(r.area_km2, 1) for r in banks.itertuples()},
    }
