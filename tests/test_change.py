"""Change between dates (layers `change_pairs`, `changes`, web/changes_<city>.geojson), checked against values
worked by hand from the mini set's figures (tests/mini/make.py) and, for Astana, from the real figures."""

from __future__ import annotations

import json
import math

import geopandas as gpd
import pandas as pd
import pytest

from geo.indicators.change import build_changes, is_additive
from tests.mini.make import ESIL, NURA, SRC_A, SRC_B


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
