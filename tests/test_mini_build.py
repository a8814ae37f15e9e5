"""The build on the mini source set (tests/mini/make.py): golden files, and numbers computed by hand.

The mini set, in km from each city's UTM origin (see tests/mini/make.py for the drawing):
Astana, today's vintage astana-4 (from 2022-12-01): Esil [0,2]x[-0.5,1.5], Nura [2,4]x[0,2] (left bank),
Saryarka [0,2]x[1.5,3.5] (the river y in [1.95, 2.05] crosses it), Almaty [2,4]x[2,4] (right bank).
astana-3 (2018-03-16 .. 2022-12-01): Esil = today's Esil + Nura, Saryarka, Almaty. Almaty city: almaty-3,
three 2 km squares. Every square is 4 km².

Golden files: tests/golden/mini/*.csv. To regenerate after an intended change::

    QALA_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_mini_build.py

then read the diff and check each changed number by hand. Without the variable, any difference fails.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil

import geopandas as gpd
import pandas as pd
import pytest

from tests.mini import golden
from tests.mini.make import ALMALY, ALMATY_D, BOSTANDYK, ESIL, HEADERS, NURA, SARYARKA, build, mini_env

UPDATE = os.environ.get("QALA_UPDATE_GOLDEN", "") not in ("", "0")


@pytest.fixture(scope="module")
def figures(mini_build) -> pd.DataFrame:
    return pd.read_parquet(mini_build / "figures.parquet").set_index("figure_id")


@pytest.fixture(scope="module")
def districts(mini_build) -> pd.DataFrame:
    return gpd.read_parquet(mini_build / "districts.parquet").set_index(["vintage", "district_id"])


# ------------------------------------------------------------------------------------------- golden files


@pytest.mark.parametrize("name", golden.GOLDEN_FILES)
def test_mini_build_matches_golden_file(mini_build, name):
    got = golden.as_csv(golden.tables(mini_build)[name])
    path = golden.GOLDEN_DIR / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
        return
    assert path.is_file(), (
        f"no golden file {path}; make it with QALA_UPDATE_GOLDEN=1 pytest tests/test_mini_build.py"
    )
    expected = path.read_text(encoding="utf-8")
    diff = "\n".join(
        difflib.unified_diff(expected.splitlines(), got.splitlines(), "golden", "build", lineterm="", n=0)
    )
    assert got == expected, (
        f"{name} differs from {path} (QALA_UPDATE_GOLDEN=1 regenerates it):\n{diff[:4000]}"
    )


def test_every_output_has_a_golden_file():
    assert sorted(p.name for p in golden.GOLDEN_DIR.glob("*.csv")) == sorted(golden.GOLDEN_FILES)


def test_mini_reference_tables_use_the_real_headers():
    """The mini tables must keep the columns of data/reference, or the mini build tests another format."""
    from geo.settings import DATA_DIR

    for name, header in HEADERS.items():
        real = (DATA_DIR / "reference" / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert real.split(",") == header, name


# ------------------------------------------------------------------------------------------------ by hand


def test_areas_are_the_drawn_squares(districts):
    # Each district is a 2 km x 2 km square in UTM: 4 km². Esil of astana-3 = Esil + Nura: 8 km².
    for key in [("astana-4", d) for d in (ESIL, NURA, SARYARKA, ALMATY_D)] + [("almaty-3", ALMALY)]:
        assert districts.loc[key, "area_km2"] == pytest.approx(4.0, rel=1e-6)
    assert districts.loc[("astana-3", ESIL), "area_km2"] == pytest.approx(8.0, rel=1e-6)


def test_density_is_population_per_square_km(figures):
    # Esil, start of 2024: 20 000 persons / 4 km² = 5 000 per km² (per m² would be 0.005; per ha 50).
    assert figures.loc["density:population_by_district:2", "value"] == pytest.approx(5000.0, rel=1e-6)
    # Esil of astana-3 (8 km²), 2020: 18 000 / 8 = 2 250 per km².
    assert figures.loc["density:population_by_district:10", "value"] == pytest.approx(2250.0, rel=1e-6)
    # Almaly (Almaty, UTM 43N), 2021: 8 000 / 4 = 2 000 per km².
    assert figures.loc["density:population_by_district:11", "value"] == pytest.approx(2000.0, rel=1e-6)
    assert (figures.loc["density:population_by_district:2", "unit"]) == "persons per km2"


def test_growth_is_change_over_the_earlier_value(figures):
    # Esil: 20 000 (start of 2024) -> 22 000 (start of 2025): (22 000 - 20 000) / 20 000 x 100 = 10 %
    # (over the later value it would be 9.09 %).
    esil = figures.loc["growth:population_by_district:2->population_by_district:6"]
    assert esil.value == pytest.approx(10.0, rel=1e-9)
    # Nura: 10 000 -> 13 000: +30 % (not 23.1 %); Almaty: 40 000 -> 38 000: -5 % (not -5.26 %).
    assert figures.loc["growth:population_by_district:3->population_by_district:7", "value"] == pytest.approx(
        30.0
    )
    assert figures.loc["growth:population_by_district:5->population_by_district:9", "value"] == pytest.approx(
        -5.0
    )
    # Almaly: 8 000 (2021) -> 8 400 (2023): +5 %.
    assert figures.loc[
        "growth:population_by_district:11->population_by_district:12", "value"
    ] == pytest.approx(5.0)
    assert esil.period_label == "2024 (start) → 2025 (start)" and esil.derived


def test_undated_figures_are_never_used_in_growth(figures):
    # Almaly has 8 000 (2021), 8 400 (2023) and an undated 50 000 ('n.d. ... c. 2023-2025', which still parses
    # to an end date of 2025-12-31): the only growth of Almaly is 2021 -> 2023.
    growth = figures[(figures.indicator == "growth_rate") & (figures.district_id == ALMALY)]
    assert list(growth.index) == ["growth:population_by_district:11->population_by_district:12"]
    assert not any(
        "population_by_district:13" in i or "population_by_district:14" in i
        for i in figures[figures.indicator == "growth_rate"].index
    )


def test_old_district_population_is_the_sum_of_its_successors(figures):
    # Esil of astana-3 on 2024-01-01 = Esil 20 000 + Nura 10 000 = 30 000;
    # on 2025-01-01 = 22 000 + 13 000 = 35 000.
    old = figures.loc["lineage:astana-3:711210000:2024 (start)"]
    assert old.value == 30000 and old.vintage == "astana-3" and old.district_id == ESIL and old.derived
    assert "successor" in old.method
    assert figures.loc["lineage:astana-3:711210000:2025 (start)", "value"] == 35000
    # ... and the flags of both parts travel with the sum (Esil [x2], Nura secondary).
    assert set(figures.loc["lineage:astana-3:711210000:2025 (start)", "confidence"].split(";")) >= {
        "x2",
        "secondary",
        "derived",
    }


def test_straddling_district_is_split_by_its_land_share(districts):
    # Saryarka [0,2]x[1.5,3.5] km, river y in [1.95, 2.05]: land south 2 x 0.45 = 0.9 km²,
    # north 2 x 1.45 = 2.9 km²;
    # left share 0.9 / 3.8 = 9/38 = 0.236842.
    saryarka = districts.loc[("astana-4", SARYARKA)]
    assert saryarka.bank == "both" and saryarka.bank_left_share == pytest.approx(9 / 38, abs=1e-9)
    assert (
        districts.loc[("astana-4", ESIL), "bank"] == "left"
        and districts.loc[("astana-4", NURA), "bank"] == "left"
    )
    assert districts.loc[("astana-4", ALMATY_D), "bank"] == "right"


def test_left_bank_share_splits_the_straddling_district(mini_build):
    share = pd.read_parquet(mini_build / "left_bank_share.parquet").set_index("period_label")
    # Start of 2024: (Esil 20 000 + Nura 10 000 + Saryarka 30 000 x 9/38) / 100 000
    #   = 37 105.26 / 100 000 = 0.371053.
    # Saryarka wholly on the left would give 0.6, wholly on the right 0.3.
    assert share.loc["2024 (start)", "share"] == pytest.approx((30000 + 30000 * 9 / 38) / 100000, rel=1e-9)
    assert share.loc["2024 (start)", "share"] == pytest.approx(0.371053, abs=1e-6)
    # Start of 2025: (22 000 + 13 000 + 31 000 x 9/38) / 104 000 = 42 342.11 / 104 000 = 0.407136.
    assert share.loc["2025 (start)", "share"] == pytest.approx(0.407136, abs=1e-6)
    split = json.loads(share.loc["2024 (start)", "split"])
    assert [d for d, _ in split] == [SARYARKA] and split[0][1] == pytest.approx(9 / 38, abs=1e-9)
    # Sums carried to astana-3 are derived: never a share of their own (they would count people twice).
    assert set(share.vintage) == {"astana-4"} and share.n_districts.tolist() == [4, 4]


def test_banks_tile_the_city(mini_build):
    banks = gpd.read_parquet(mini_build / "banks.parquet").set_index("bank")
    # Left: Esil 4 + Nura 2 x 1.95 + Saryarka south 0.9 = 8.8 km²;
    # right: Almaty 2 x 1.95 + Saryarka north 2.9 = 6.8;
    # water inside the city: 4 km x 0.1 km = 0.4 km². 8.8 + 6.8 + 0.4 = 16 km² = the four squares.
    assert banks.area_km2["left"] == pytest.approx(8.8, rel=1e-6)
    assert banks.area_km2["right"] == pytest.approx(6.8, rel=1e-6)
    assert banks.water_km2.iloc[0] == pytest.approx(0.4, rel=1e-6)


def test_confidence_flags_are_read_from_notes_and_sources(figures):
    def flags(figure_id: str) -> set[str]:
        return set(filter(None, figures.loc[figure_id, "confidence"].split(";")))

    assert "x2" in flags("population_by_district:6")  # note "[x2] same figure ..."
    assert "secondary" in flags("population_by_district:7")  # source github.com/Messer490/...
    assert "secondary" in flags("population_by_district:10")  # note "[secondary] ..."
    assert "approx" in flags("population_by_district:4")  # note "[approx] ..."
    assert {"lower_bound", "secondary", "undated"} <= flags("population_by_district:14")  # LOWER BOUND, n.d.
    assert "undated" in flags("population_by_district:13")
    assert flags("population_by_district:15") == set()  # Bostandyk 2023: no flag at all
    assert "district_unmatched" in flags(
        "population_by_district:17"
    )  # 'Koktal' is no district: kept city-level
    assert pd.isna(figures.loc["population_by_district:17", "district_id"])


def test_figure_outside_its_vintage_is_adjusted_and_flagged(figures):
    # Nura, net migration in 2021: astana-3 holds all of 2021 but has no Nura;
    # astana-4 (from 2022-12-01) has it.
    nura = figures.loc["migration_by_district:2"]
    assert nura.vintage == "astana-4" and "vintage_adjusted" in nura.confidence.split(";")
    # Esil 2020 is in astana-3, which holds it: no adjustment.
    esil = figures.loc["population_by_district:10"]
    assert esil.vintage == "astana-3" and "vintage_adjusted" not in esil.confidence


def test_latest_vintage_follows_vintages_csv(mini_build, mini_set, tmp_path):
    vintages = pd.read_parquet(mini_build / "vintages.parquet").set_index("vintage")
    assert vintages.latest.to_dict() == {"astana-3": False, "astana-4": True, "almaty-3": True}
    # A copied reference folder where almaty-3 ends on 2026-01-01 and almaty-4 starts then: the build follows.
    reference = tmp_path / "reference"
    shutil.copytree(mini_set / "reference", reference)
    table = pd.read_csv(reference / "vintages.csv", dtype=str, keep_default_na=False)
    table.loc[table.vintage == "almaty-3", "valid_to"] = "2026-01-01"
    extra = {
        "vintage": "almaty-4",
        "city": "Almaty",
        "valid_from": "2026-01-01",
        "valid_to": "",
        "n_districts": "3",
        "geometry": "almaty_districts_osm",
        "source_note": "test: a newer vintage",
    }
    pd.concat([table, pd.DataFrame([extra])]).to_csv(reference / "vintages.csv", index=False)
    env = {**mini_env(mini_set, build=tmp_path / "build"), "QALA_REFERENCE": str(reference)}
    done = build(env)
    assert done.returncode == 0, done.stderr
    latest = pd.read_parquet(tmp_path / "build" / "vintages.parquet").set_index("vintage").latest.to_dict()
    assert latest == {"astana-3": False, "astana-4": True, "almaty-3": False, "almaty-4": True}
    assert (tmp_path / "build" / "web" / "almaty-4.geojson").is_file()
    # Figures follow the dates: Bostandyk 2023 stays on almaty-3 (valid until 2026-01-01).
    moved = pd.read_parquet(tmp_path / "build" / "figures.parquet").set_index("figure_id")
    assert moved.loc["population_by_district:15", ["district_id", "vintage"]].tolist() == [
        BOSTANDYK,
        "almaty-3",
    ]


def test_second_build_of_the_mini_set_does_nothing(mini_build, mini_set):
    # Built once more first: geo/ may have changed since the session's build (which then rightly rebuilds).
    assert build(mini_env(mini_set)).returncode == 0
    again = build(mini_env(mini_set))
    assert again.returncode == 0 and "nothing changed" in again.stdout, again.stdout
