"""Boundaries of 2018 on the real mirror data and its build: the geokz 2018 file (read from the mirror, never
copied into the repo) gives Shymkent's four districts; its overlaps with the 2024 districts are measured again
here and must equal the shares in lineage.csv; figures of those years sit on the right set; Astana's 2018 Esil is
the Esil before the 8,259 ha transfer; the 2026-12-05 rows are in the reference tables word for word.

Every test uses the ``mirror`` or ``built`` fixture and is therefore marked ``mirror`` (tests/conftest.py).
"""

from __future__ import annotations

import csv

import geopandas as gpd
import pandas as pd
import pytest

from geo.domain.vintages import lineage_table
from geo.io.acquire import acquire
from geo.settings import reference_dir

SHYMKENT_UTM, ASTANA_UTM = "EPSG:32642", "EPSG:32642"
ESIL = "711210000"


def _geokz(source: str) -> gpd.GeoDataFrame:
    shp = next(p for p in acquire(source, allow_download=False).paths if p.suffix == ".shp")
    gdf = gpd.read_file(shp)
    gdf["KATO"] = gdf["KATO"].astype(str)
    return gdf


def test_the_2018_file_comes_from_the_mirror_and_holds_216_units(mirror):
    got = acquire("geokz_adm2_2018", allow_download=False)
    assert got.origin in ("mirror", "cache") and all("geokz_2018_shapefiles" in str(p) or got.origin == "cache"
                                                     for p in got.paths)
    gdf = _geokz("geokz_adm2_2018")
    assert len(gdf) == 216 and set(gdf.Year.astype(int)) == {2018}
    assert sorted(gdf[gdf.KATO.str.startswith("79")].ADM2_EN) == ["Abay", "Al-Farabi", "Enbekshi", "Karatau"]


def test_lineage_shares_equal_the_overlaps_measured_again(mirror):
    old = _geokz("geokz_adm2_2018")
    new = _geokz("geokz_adm2_2024")
    old = old[old.KATO.str.startswith("79")].to_crs(SHYMKENT_UTM).set_index("KATO").make_valid()
    new = new[new.KATO.str.startswith("79")].to_crs(SHYMKENT_UTM).set_index("KATO").make_valid()
    lin = lineage_table()
    lin = lin[lin.vintage == "shymkent-5"]
    for r in lin.itertuples():
        overlap = new[r.district_id].intersection(old[r.parent_id]).area / 1e6
        assert overlap == pytest.approx(float(r.overlap_km2), abs=0.01), (r.district_id, r.parent_id)
        assert overlap / (old[r.parent_id].area / 1e6) == pytest.approx(float(r.share_of_parent), abs=1e-4)
        assert overlap / (new[r.district_id].area / 1e6) == pytest.approx(float(r.share_of_district), abs=1e-4)
    # No other pair of an old and a new district shares more than a sliver (lineage.csv lists every link).
    listed = set(zip(lin.district_id, lin.parent_id, strict=True))
    for d in new.index:
        for p in old.index:
            if (d, p) not in listed:
                assert new[d].intersection(old[p]).area / 1e6 < 0.01, (d, p)


def test_shymkent_four_districts_are_built_with_the_measured_areas(built):
    districts = gpd.read_parquet(built / "districts.parquet")
    four = districts[districts.vintage == "shymkent-4"].set_index("district_id")
    assert set(four.geometry_source) == {"geokz_adm2_2018"} and four.valid_to.unique().tolist() == ["2022-08-01"]
    # district_area_bank rows of 2026-12-05 (area_measured, km²): Abay 496.2, Al-Farabi 149.79, Enbekshi 199.96,
    # Karatau 318.25.
    assert four.area_km2.round(2).to_dict() == {"791110000": 496.2, "791310000": 149.79, "791510000": 199.96,
                                                "791710000": 318.25}
    assert (built / "web" / "shymkent-4.geojson").is_file()


def test_figures_of_those_years_sit_on_their_boundary_set(built):
    figures = pd.read_parquet(built / "figures.parquet").set_index("figure_id")
    farabi = figures.loc["population_by_district:46"]  # Al-Farabi 2019 ('then one of four districts')
    assert (farabi.vintage, farabi.district_id, farabi.value) == ("shymkent-4", "791310000", 205249)
    turan = figures.loc["population_by_district:139"]  # Turan 220.7k at naming, c. 2021-2022
    assert turan.vintage == "shymkent-5" and {"vintage_adjusted", "vintage_uncertain"} <= set(
        turan.confidence.split(";"))
    # Esil: 2015 on the 3-district set, 2019 and Sept 2022 on the lineage-built 4-district set.
    assert [figures.loc[f"population_by_district:{i}", "vintage"] for i in (14, 19, 21)] == [
        "astana-3", "astana-4", "astana-4"]


def test_astana_2018_file_esil_is_the_esil_before_the_land_transfer(built):
    """The lineage Esil of 2018-2022 holds the 2018 file's Esil and about 83.6 km² more: the 8,259 ha transfer
    (added csv: 'the 83.6 km2 of 2024 Esil outside 2018 Esil'), which came before Baikonur (16 Mar 2018)."""
    districts = gpd.read_parquet(built / "districts.parquet")
    lineage_esil = districts[(districts.vintage == "astana-4") & (districts.district_id == ESIL)]
    lineage_esil = lineage_esil.to_crs(ASTANA_UTM).geometry.iloc[0]
    old = _geokz("geokz_adm2_2018")
    old_esil = old[old.KATO == ESIL].to_crs(ASTANA_UTM).make_valid().iloc[0]
    assert old_esil.area / 1e6 == pytest.approx(310.75, abs=0.01)
    assert old_esil.difference(lineage_esil).area / 1e6 < 0.01
    assert lineage_esil.difference(old_esil).area / 1e6 == pytest.approx(83.6, abs=0.1)


def test_the_added_rows_are_in_their_tables_word_for_word(mirror):
    with open(mirror / "stats" / "added_2026-12-05.csv", encoding="utf-8", newline="") as fh:
        added = list(csv.DictReader(fh))
    assert len(added) == 51
    home = {"city_images": "host_attitudes"}
    columns = ["city", "district", "year", "indicator", "value", "unit", "source_url_or_ref", "note"]
    left_out = []
    for row in added:
        table = home.get(row["table"], row["table"])
        path = reference_dir() / f"{table}.csv"
        if not path.is_file() or row["table"] == "boundaries":
            left_out.append(row["indicator"])
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        found = frame[(frame[columns] == pd.Series({c: row[c] for c in columns})).all(axis=1)]
        assert len(found) == 1, (table, row["indicator"], row["note"][:60])
    assert sorted(left_out) == ["boundary_file"] * 5 + ["lineage_overlap_km2"] * 2
