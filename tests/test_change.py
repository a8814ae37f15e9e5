"""Change between dates (layers `change_pairs`, `changes`, web/changes_<city>.geojson), checked against values
worked by hand from the mini set's figures (tests/mini/make.py) and, for Astana, from the real figures."""

from __future__ import annotations

import json
import math

import geopandas as gpd
import pandas as pd
import pytest

from geo.indicators.change import CHANGE_COLUMNS, PAIR_COLUMNS, build_changes, change_units, is_additive
from tests.mini.make import ALMATY_D, ESIL, NURA, SARYARKA, SRC_A, SRC_B, SRC_SECONDARY


def _pair(pairs: pd.DataFrame, indicator: str, a: str, b: str) -> pd.Series:
    rows = pairs[(pairs["indicator"] == indicator) & (pairs["from_period"] == a) & (pairs["to_period"] == b)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def _changes(changes: pd.DataFrame, indicator: str, a: str, b: str) -> pd.DataFrame:
    return changes[(changes["indicator"] == indicator) & (changes["from_period"] == a) & (changes["to_period"] == b)]


@pytest.fixture(scope="module")
def mini(mini_build):
    return {name: (gpd.read_parquet if name in ("changes", "districts") else pd.read_parquet)(
        mini_build / f"{name}.parquet") for name in ("change_pairs", "changes", "districts", "figures", "lineage",
                                                     "vintages")}


def test_same_boundaries_change_by_hand(mini):
    pair = _pair(mini["change_pairs"], "population", "2024 (start)", "2025 (start)")
    assert pair["comparable"] and pair["method"] == "same boundaries" and pair["n_units"] == 4
    assert pair["from_vintage"] == pair["to_vintage"] == "astana-4"
    rows = _changes(mini["changes"], "population", "2024 (start)", "2025 (start)").set_index("unit_id")
    esil = rows.loc[ESIL]
    # Esil: 20 000 (source A) -> 22 000 (source B): +2 000, +10 %, sources differ (allowed, flagged).
    assert (esil["value_from"], esil["value_to"], esil["change_abs"]) == (20000, 22000, 2000)
    assert esil["change_rel"] == pytest.approx(0.1)
    assert esil["source_from"] == SRC_A and esil["source_to"] == SRC_B and esil["sources_differ"]
    assert esil["confidence_to"] == "x2;point" and esil["fid"] == f"astana-4:{ESIL}" and esil["name_en"] == "Esil"
    # Nura 10 000 -> 13 000 (+30 %), a secondary source at the later date keeps its flag.
    assert rows.loc[NURA, "change_rel"] == pytest.approx(0.3) and "secondary" in rows.loc[NURA, "confidence_to"]
    districts = mini["districts"]
    drawn = districts[(districts["vintage"] == "astana-4") & (districts["district_id"] == ESIL)].geometry.iloc[0]
    assert esil.geometry.equals(drawn)


def test_lineage_sum_change_by_hand(mini):
    # Esil of 2020 (astana-3, before Nura split off on 2022-12-01) = Esil + Nura of 2024: 18 000 -> 20 000 + 10 000.
    pair = _pair(mini["change_pairs"], "population", "2020", "2024 (start)")
    assert pair["comparable"] and pair["method"] == "lineage sums" and pair["n_units"] == 1
    assert (pair["from_vintage"], pair["to_vintage"]) == ("astana-3", "astana-4")
    assert "no figure for 2020 in Saryarka (astana-3)" in pair["note"]
    (row,) = _changes(mini["changes"], "population", "2020", "2024 (start)").itertuples()
    assert row.unit_id == f"astana-4:{ESIL}+{NURA}" and row.name_en == "Esil + Nura" and row.vintage == "astana-4"
    assert (row.value_from, row.value_to, row.change_abs) == (18000, 30000, 12000)
    assert row.change_rel == pytest.approx(12000 / 18000)
    assert (row.districts_from, row.districts_to) == (ESIL, f"{ESIL}+{NURA}")
    # 4 + 4 km² squares (tests/mini/make.py) drawn as one unit.
    assert gpd.GeoSeries([row.geometry], crs=4326).to_crs(32642).area.iloc[0] / 1e6 == pytest.approx(8.0, rel=1e-3)


def test_non_additive_indicator_across_a_boundary_change_is_refused(mini):
    pair = _pair(mini["change_pairs"], "density", "2020", "2024 (start)")
    assert not pair["comparable"] and pd.isna(pair["method"]) and pair["n_units"] == 0
    assert pair["reason"] == "boundaries changed on 2022-12-01 (astana-3 -> astana-4) and density is not additive"
    assert _changes(mini["changes"], "density", "2020", "2024 (start)").empty


def test_change_rel_is_nan_when_the_earlier_value_is_zero(mini):
    figures = mini["figures"]
    row = figures[(figures["figure_id"] == "population_by_district:2")].copy()  # Esil, 2024 (start), 20 000
    row = row.assign(figure_id="test:zero", period_label="2023 (test)", period_end="2023-06-30", value=0.0)
    _, changes = build_changes(pd.concat([figures, row], ignore_index=True), mini["districts"], mini["lineage"],
                               mini["vintages"])
    (zero,) = _changes(changes, "population", "2023 (test)", "2024 (start)").itertuples()
    assert (zero.value_from, zero.change_abs) == (0, 20000) and math.isnan(zero.change_rel)


def test_a_lineage_step_marked_not_comparable_blocks_its_unit(mini):
    lineage = mini["lineage"].copy()
    lineage.loc[lineage["district_id"] == NURA, "relation"] = "split from (not comparable: test)"
    pairs, changes = build_changes(mini["figures"], mini["districts"], lineage, mini["vintages"])
    pair = _pair(pairs, "population", "2020", "2024 (start)")
    assert not pair["comparable"] and "not comparable: test" in pair["reason"]
    assert _changes(changes, "population", "2020", "2024 (start)").empty


def test_additive_indicators():
    assert is_additive("population", "persons") and is_additive("net_migration", "persons")
    assert is_additive("area", "km2")
    for indicator, unit in (("density", "persons per km2"), ("population_share_of_city", "percent"),
                            ("growth_rate", "% change"), ("avg_asking_price_resale", "USD/m2")):
        assert not is_additive(indicator, unit)


def test_web_change_units_match_the_layer(mini_build, mini):
    changes = mini["changes"]
    astana = json.loads((mini_build / "web" / "changes_astana.geojson").read_text())
    fids = {f["properties"]["fid"] for f in astana["features"]}
    assert fids == set(changes.loc[(changes["city"] == "Astana") & changes.geometry.notna(), "fid"])
    assert {f"astana-4:{ESIL}+{NURA}", f"astana-4:{ESIL}"} <= fids
    assert json.loads((mini_build / "web" / "changes_shymkent.geojson").read_text())["features"] == []


def test_astana_population_2013_to_2025_through_lineage(built):
    pairs = pd.read_parquet(built / "change_pairs.parquet")
    pairs = pairs[pairs["city"] == "Astana"]
    pair = _pair(pairs, "population", "2013-02-01", "2025 (start)")
    # Almaty + Saryarka of 2013 became Almaty, Saryarka, Baikonur (2018) and Saraishyk (2024): one unit. Esil
    # gained land from outside the city in 2017: the lineage says it is not comparable, so it is left out.
    assert pair["comparable"] and pair["method"] == "lineage sums" and pair["n_units"] == 1
    assert "Esil (astana-4): continues (gained land" in pair["note"] and "not comparable" in pair["note"]
    changes = gpd.read_parquet(built / "changes.parquet")
    (row,) = _changes(changes[changes["city"] == "Astana"], "population", "2013-02-01", "2025 (start)").itertuples()
    assert row.value_from == 363545 + 313897  # Almaty, Saryarka on 2013-02-01 (tengrinews)
    assert row.value_to == 140720 + 236000 + 324700 + 370790  # Almaty, Saraishyk, Saryarka, Baikonur, 2025
    assert row.vintage == "astana-6" and row.geometry is not None and row.sources_differ


def test_astana_density_across_boundary_changes_is_refused(built):
    pairs = pd.read_parquet(built / "change_pairs.parquet")
    pair = _pair(pairs[pairs["city"] == "Astana"], "density", "2022-09", "2025 (start)")
    assert not pair["comparable"]
    assert pair["reason"] == ("boundaries changed on 2022-12-01, 2024-05-23 (astana-4 -> astana-6) and density is "
                              "not additive")


def test_every_column_of_a_lineage_change_and_its_pair(mini):
    # Esil of 2020 (astana-3, 18 000, "secondary") -> Esil + Nura of 2024 (astana-4, 20 000 + 10 000, "point")
    (row,) = _changes(mini["changes"], "population", "2020", "2024 (start)").itertuples()
    assert (row.unit, row.from_end, row.to_end) == ("persons", "2020-12-31", "2024-01-01")
    assert (row.from_vintage, row.to_vintage, row.method) == ("astana-3", "astana-4", "lineage sums")
    assert (row.confidence_from, row.confidence_to, row.sources_differ) == ("secondary", "point", False)
    assert row.note.startswith("Esil (astana-4): continues (lost territory to Nura); Nura")
    pair = _pair(mini["change_pairs"], "population", "2024 (start)", "2025 (start)")
    assert (pair["city"], pair["unit"], pair["from_end"], pair["to_end"]) == ("Astana", "persons", "2024-01-01",
                                                                              "2025-01-01")
    assert mini["changes"].crs == mini["districts"].crs


def test_period_translations_reach_pairs_and_changes(mini):
    figures = mini["figures"].copy()
    figures.loc[figures["period_label"] == "2020", ["period_label_ru", "period_label_kk"]] = ["2020 г.", "2020 ж."]
    figures.loc[figures["period_label"] == "2024 (start)", ["period_label_ru", "period_label_kk"]] = [
        "начало 2024", "2024 басы"]
    pairs, changes = build_changes(figures, mini["districts"], mini["lineage"], mini["vintages"])
    want = {"from_period_ru": "2020 г.", "from_period_kk": "2020 ж.", "to_period_ru": "начало 2024",
            "to_period_kk": "2024 басы"}
    pair = _pair(pairs, "population", "2020", "2024 (start)")
    (row,) = _changes(changes, "population", "2020", "2024 (start)").itertuples()
    assert {k: pair[k] for k in want} == want and {k: getattr(row, k) for k in want} == want


def test_undated_figures_and_non_additive_units_stay_out(mini):
    figures = mini["figures"].copy()
    # Esil 2025 (22 000) marked undated: the 2024 -> 2025 same-boundaries pair loses Esil (4 units -> 3)
    esil_2025 = (figures["indicator"] == "population") & (figures["period_label"] == "2025 (start)") & (
        figures["district_id"] == ESIL)
    figures.loc[esil_2025, "confidence"] = "undated"
    pairs, changes = build_changes(figures, mini["districts"], mini["lineage"], mini["vintages"])
    assert _pair(pairs, "population", "2024 (start)", "2025 (start)")["n_units"] == 3
    assert ESIL not in set(_changes(changes, "population", "2024 (start)", "2025 (start)")["unit_id"])
    # a plain indicator name in a unit that is not a count is not additive either
    assert not is_additive("population", "percent")


def test_a_figure_without_confidence_counts_and_its_flags_stay_empty(mini):
    # Almaly 2021 with no confidence at all (None in an object column): still a figure; 8 000 -> 8 400 (x2).
    figures = mini["figures"].astype({"confidence": object})
    almaly_2021 = (figures["figure_id"] == "population_by_district:11")
    figures.loc[almaly_2021, "confidence"] = None
    _, changes = build_changes(figures, mini["districts"], mini["lineage"], mini["vintages"])
    (row,) = _changes(changes[changes["city"] == "Almaty"], "population", "2021", "2023").itertuples()
    # 8 400 - 8 000 = 400; 400 / 8 000 = 0.05
    assert (row.value_from, row.value_to, row.change_abs, row.change_rel) == (8000, 8400, 400, 0.05)
    assert (row.confidence_from, row.confidence_to) == ("", "x2")


def test_flags_of_a_lineage_sum_are_merged_once_each_in_order(mini):
    # Esil 2025 "x2;point" + Nura 2025 "secondary;point": x2, point, secondary (point once), in first-seen order.
    (row,) = _changes(mini["changes"], "population", "2020", "2025 (start)").itertuples()
    assert (row.confidence_from, row.confidence_to) == ("secondary", "x2;point;secondary")
    # 18 000 -> 22 000 + 13 000 = 35 000: +17 000; two sources at the later date, one at the earlier
    assert (row.value_from, row.value_to, row.change_abs) == (18000, 35000, 17000)
    assert row.source_to == f"{SRC_B} | {SRC_SECONDARY}" and row.sources_differ


def test_web_change_units_have_exactly_the_web_properties(mini_build, mini):
    units = change_units(mini["changes"], "Astana")
    assert list(units.columns) == ["fid", "unit_id", "city", "vintage", "name_en", "name_ru", "name_kk", "geometry"]
    assert list(units.index) == list(range(len(units))) and units.crs == mini["changes"].crs
    # four districts of astana-4 plus the lineage unit Esil + Nura: 5 drawn units, each once
    assert sorted(units["fid"]) == sorted([f"astana-4:{d}" for d in (ALMATY_D, ESIL, SARYARKA, NURA)]
                                          + [f"astana-4:{ESIL}+{NURA}"])
    astana = json.loads((mini_build / "web" / "changes_astana.geojson").read_text())
    assert {tuple(f["properties"]) for f in astana["features"]} == {
        ("fid", "unit_id", "city", "vintage", "name_en", "name_ru", "name_kk")}
    lineage = next(f["properties"] for f in astana["features"] if f["properties"]["fid"].endswith(f"+{NURA}"))
    assert lineage == {"fid": f"astana-4:{ESIL}+{NURA}", "unit_id": f"astana-4:{ESIL}+{NURA}", "city": "Astana",
                       "vintage": "astana-4", "name_en": "Esil + Nura", "name_ru": lineage["name_ru"],
                       "name_kk": lineage["name_kk"]}
    assert " + " in lineage["name_ru"] and " + " in lineage["name_kk"]


def test_a_unit_whose_later_district_is_not_drawn_is_drawn_on_the_earlier_boundaries(mini):
    districts = mini["districts"].copy()
    nura_4 = (districts["vintage"] == "astana-4") & (districts["district_id"] == NURA)
    districts.loc[nura_4, "geometry"] = None
    _, changes = build_changes(mini["figures"], districts, mini["lineage"], mini["vintages"])
    # Esil (astana-3) -> Esil + Nura (astana-4): Nura has no shape, so the unit is Esil of astana-3, drawn
    (row,) = _changes(changes, "population", "2020", "2024 (start)").itertuples()
    assert (row.fid, row.vintage, row.name_en, row.unit_id) == (f"astana-3:{ESIL}", "astana-3", "Esil",
                                                                f"astana-4:{ESIL}+{NURA}")
    esil_3 = mini["districts"][(mini["districts"]["vintage"] == "astana-3") & (mini["districts"]["district_id"] == ESIL)]
    assert row.geometry.equals(esil_3.geometry.iloc[0])
    # Nura 2024 -> 2025 on the same boundaries: no earlier shape either, so the change has no geometry
    nura = _changes(changes, "population", "2024 (start)", "2025 (start)").set_index("unit_id").loc[NURA]
    assert nura["fid"] == f"astana-4:{NURA}" and nura["name_en"] == "Nura" and nura.geometry is None
    assert nura["change_abs"] == 3000  # 13 000 - 10 000
    assert f"astana-4:{NURA}" not in set(change_units(changes, "Astana")["fid"])


def test_one_figure_per_district_and_date_a_sourced_one_first(mini):
    figures = mini["figures"]
    esil = figures[figures["figure_id"] == "population_by_district:2"]  # Esil, 2024 (start), 20 000, sourced
    derived = esil.assign(figure_id="a:derived", value=99999.0, derived=True)
    sourced = esil.assign(figure_id="a:sourced", value=21000.0)  # sourced, listed before population_by_district:2
    _, changes = build_changes(pd.concat([figures, derived, sourced], ignore_index=True), mini["districts"],
                               mini["lineage"], mini["vintages"])
    row = _changes(changes, "population", "2024 (start)", "2025 (start)").set_index("unit_id").loc[ESIL]
    # a:sourced wins (sourced before derived, then by id): 21 000 -> 22 000 = +1 000, not a sum of duplicates
    assert (row["value_from"], row["value_to"], row["change_abs"]) == (21000, 22000, 1000)


def test_a_lineage_row_of_unknown_origin_refuses_the_lineage_sum(mini):
    lineage = mini["lineage"].astype(object)
    nura = lineage["district_id"] == NURA
    lineage.loc[nura, ["parent_vintage", "parent_id", "relation"]] = [None, None, "created"]
    pairs, changes = build_changes(mini["figures"], mini["districts"], lineage, mini["vintages"])
    pair = _pair(pairs, "population", "2020", "2024 (start)")
    assert not pair["comparable"] and pair["reason"] == (
        "the lineage of astana-4 has a district of unknown origin (Nura: created), so whole districts cannot be "
        "matched")
    assert _changes(changes, "population", "2020", "2024 (start)").empty


def test_a_boundary_change_of_unstated_date_says_so(mini):
    vintages = mini["vintages"].copy()  # a missing date reads as NaN: astana-3, astana-4 stay in listed order
    vintages.loc[vintages["city"] == "Astana", "valid_from"] = None
    pairs, _ = build_changes(mini["figures"], mini["districts"], mini["lineage"], vintages)
    assert _pair(pairs, "density", "2020", "2024 (start)")["reason"] == (
        "boundaries changed on an unstated date (astana-3 -> astana-4) and density is not additive")


def test_a_one_district_unit_is_its_drawn_shape_unchanged(mini):
    # same boundaries: the unit is the district's stored shape as it is (a MultiPolygon stays a MultiPolygon,
    # vertex for vertex), not a re-computed union
    districts = mini["districts"]
    drawn = districts[(districts["vintage"] == "astana-4") & (districts["district_id"] == ESIL)].geometry.iloc[0]
    esil = _changes(mini["changes"], "population", "2024 (start)", "2025 (start)").set_index("unit_id").loc[ESIL]
    assert esil.geometry.geom_type == drawn.geom_type and esil.geometry.equals_exact(drawn, 0)


def _esil_nura_then_esil(figures: pd.DataFrame) -> pd.DataFrame:
    """``figures`` plus Esil 15 000 and Nura 5 000 on astana-4 in 2021 and Esil 26 000 on astana-3 in 2026 (a
    lineage unit running from two earlier districts to one later)."""
    esil_2024 = figures[figures["figure_id"] == "population_by_district:2"]
    early = pd.concat([esil_2024.assign(figure_id="t:1", value=15000.0),
                       esil_2024.assign(figure_id="t:2", value=5000.0, district_id=NURA)])
    early = early.assign(period_label="2021 (test)", period_end="2021-06-30")
    late = esil_2024.assign(figure_id="t:3", value=26000.0, vintage="astana-3", period_label="2026 (test)",
                            period_end="2026-06-30")
    return pd.concat([figures, early, late], ignore_index=True)


def test_names_in_three_languages_and_a_unit_of_two_earlier_districts(mini):
    # the lineage unit Esil + Nura is named in each language from the districts layer
    (row,) = _changes(mini["changes"], "population", "2020", "2024 (start)").itertuples()
    assert (row.name_en, row.name_ru, row.name_kk) == ("Esil + Nura", "Есиль + Нура", "Есіл + Нұра")
    # Figures on astana-4 at an earlier date and on astana-3 at a later one: the unit runs the other way,
    # Esil + Nura (astana-4, 15 000 + 5 000 = 20 000) -> Esil (astana-3, 26 000): +6 000, +30 %.
    _, changes = build_changes(_esil_nura_then_esil(mini["figures"]), mini["districts"], mini["lineage"],
                               mini["vintages"])
    (row,) = _changes(changes, "population", "2021 (test)", "2026 (test)").itertuples()
    assert (row.districts_from, row.districts_to) == (f"{ESIL}+{NURA}", ESIL)
    assert (row.from_vintage, row.to_vintage, row.unit_id) == ("astana-4", "astana-3", f"astana-3:{ESIL}")
    assert (row.value_from, row.value_to, row.change_abs, row.change_rel) == (20000, 26000, 6000, 0.3)


def test_pairs_say_whether_the_indicator_adds_up_and_whether_sources_differ(mini):
    pairs = mini["change_pairs"]
    assert list(pairs.columns) == list(PAIR_COLUMNS)
    # 2024 -> 2025: source A at the start, B (and the secondary one for Nura) at the end: sources differ
    both = _pair(pairs, "population", "2024 (start)", "2025 (start)")
    assert (bool(both["additive"]), bool(both["sources_differ"])) == (True, True)
    # 2020 -> 2024 (lineage): Esil of 2020 and Esil + Nura of 2024 all from source A
    lineage = _pair(pairs, "population", "2020", "2024 (start)")
    assert (bool(lineage["additive"]), bool(lineage["sources_differ"])) == (True, False)
    refused = _pair(pairs, "density", "2020", "2024 (start)")  # refused: nothing compared, nothing differs
    assert (bool(refused["additive"]), bool(refused["sources_differ"])) == (False, False)


def test_pairs_are_listed_by_city_indicator_and_unit(mini):
    pairs = mini["change_pairs"]
    # Almaty before Astana; within Astana density, net_migration, population (the figures list population first)
    assert list(dict.fromkeys(zip(pairs["city"], pairs["indicator"], strict=True))) == [
        ("Almaty", "density"), ("Almaty", "population"), ("Astana", "density"), ("Astana", "net_migration"),
        ("Astana", "population")]


def test_two_labels_of_the_same_date_are_not_a_change(mini):
    figures = mini["figures"]
    alt = figures[figures["figure_id"] == "population_by_district:2"].assign(figure_id="t:alt",
                                                                           period_label="2024 (alt)", value=20500.0)
    pairs, _ = build_changes(pd.concat([figures, alt], ignore_index=True), mini["districts"], mini["lineage"],
                             mini["vintages"])
    # both labels end 2024-01-01: no pair between them, every pair runs from an earlier to a later date
    assert (pairs["from_end"] < pairs["to_end"]).all()
    assert _pair(pairs, "population", "2024 (alt)", "2025 (start)")["n_units"] == 1  # Esil alone: 20 500 -> 22 000


def test_no_dated_district_figure_gives_empty_tables_with_every_column(mini):
    figures = mini["figures"].assign(period_end=None)  # no figure has a date: nothing can be compared
    pairs, changes = build_changes(figures, mini["districts"], mini["lineage"], mini["vintages"])
    assert pairs.empty and list(pairs.columns) == list(PAIR_COLUMNS)
    assert changes.empty and list(changes.columns) == [*CHANGE_COLUMNS, "geometry"]
    assert changes.geometry.name == "geometry" and changes.crs == mini["changes"].crs


def test_same_boundaries_use_the_vintage_sharing_most_districts(mini):
    # Esil also listed on a made-up later vintage at both dates: astana-4 shares 4 districts, astana-9 only 1,
    # so astana-4 is compared (though "astana-9" sorts last)
    figures = mini["figures"]
    esil = figures[figures["figure_id"].isin(["population_by_district:2", "population_by_district:6"])]
    other = esil.assign(vintage="astana-9", figure_id=esil["figure_id"] + ":v9")
    pairs, _ = build_changes(pd.concat([figures, other], ignore_index=True), mini["districts"], mini["lineage"],
                             mini["vintages"])
    pair = _pair(pairs, "population", "2024 (start)", "2025 (start)")
    assert (pair["from_vintage"], pair["to_vintage"], pair["n_units"]) == ("astana-4", "astana-4", 4)


def test_a_unit_with_a_district_drawn_at_neither_date_has_no_geometry(mini):
    # Esil + Nura (astana-4, earlier date) -> Esil (astana-3, later date); Esil of astana-3 and Nura of astana-4
    # are not drawn: the later unit cannot be drawn, nor the earlier one whole, so no shape (not Esil's alone)
    districts = mini["districts"].copy()
    undrawn = (((districts["vintage"] == "astana-3") & (districts["district_id"] == ESIL))
               | ((districts["vintage"] == "astana-4") & (districts["district_id"] == NURA)))
    districts.loc[undrawn, "geometry"] = None
    _, changes = build_changes(_esil_nura_then_esil(mini["figures"]), districts, mini["lineage"], mini["vintages"])
    (row,) = _changes(changes, "population", "2021 (test)", "2026 (test)").itertuples()
    assert (row.fid, row.vintage, row.geometry) == (f"astana-4:{ESIL}+{NURA}", "astana-4", None)
