"""Boundaries of 2018 (issue 18) on the project's own reference tables, without the mirror: Shymkent's four
districts before Turan and their dates, the lineage to the five with the measured shares (worked by hand from the
overlaps in ../shared/data/stats/added_2026-12-05.csv), change across that boundary change, Astana's four-district
set and the land transfer, and the import of the 51 rows of 2026-12-05 with every flag kept.

Measured overlaps (added csv; km², UTM 42N): 2018 Abay 496.20 = Turan 365.72 + 2024 Abay 130.48; 2018 Karatau
318.25 = 2024 Karatau 221.62 + 2024 Abay 96.63; 2018 Al-Farabi 149.79 = 2024 Al-Farabi 145.70 + 2024 Abay 4.09;
Enbekshi 199.96 at both dates. 2024 Abay = 130.48 + 96.63 + 4.09 = 231.20.
"""

from __future__ import annotations

import re
from datetime import date

import geopandas as gpd
import pandas as pd
import pytest

from geo.domain.figures import confidence_flags
from geo.domain.periods import parse_period
from geo.domain.vintages import (
    in_uncertain_window,
    lineage_table,
    uncertain_windows,
    vintage_at,
    vintage_overlapping_most,
    vintage_table,
)
from geo.errors import BadInput
from geo.indicators.change import build_changes
from geo.settings import reference_dir

ABAY, FARABI, ENBEKSHI, KARATAU, TURAN = "791110000", "791310000", "791510000", "791710000", "791910000"
OLD_KM2 = {ABAY: 496.20, FARABI: 149.79, ENBEKSHI: 199.96, KARATAU: 318.25}  # added csv, area_measured rows
OVERLAP_KM2 = {(TURAN, ABAY): 365.72, (ABAY, ABAY): 130.48, (ABAY, KARATAU): 96.63, (ABAY, FARABI): 4.09,
               (FARABI, FARABI): 149.79 - 4.09, (KARATAU, KARATAU): 318.25 - 96.63, (ENBEKSHI, ENBEKSHI): 199.96}


# ------------------------------------------------------------------------------------------- vintages by date


@pytest.mark.parametrize("day,vintage", [
    (date(2018, 6, 19), "shymkent-4"),  # any 2018 date: the four districts
    (date(2019, 6, 1), "shymkent-4"),
    (date(2022, 7, 31), "shymkent-4"),  # the last day before the documented bound
    (date(2022, 8, 1), "shymkent-5"),
    (date(2025, 1, 1), "shymkent-5"),
    (date(1995, 1, 1), "shymkent-4"),  # start of the four-district set is not in the sources: open
])
def test_shymkent_vintage_by_date(day, vintage):
    assert vintage_at("Shymkent", day) == vintage


def test_shymkent_2018_figures_sit_on_four_districts():
    # The whole of 2018 lies in shymkent-4; 2021-2022 (c.) holds 577 days of shymkent-4 and 152 of shymkent-5.
    assert vintage_overlapping_most("Shymkent", date(2018, 1, 1), date(2018, 12, 31)) == "shymkent-4"
    assert vintage_overlapping_most("Shymkent", date(2021, 1, 1), date(2022, 12, 31)) == "shymkent-4"
    table = vintage_table().set_index("vintage")
    four = table.loc["shymkent-4"]
    assert (four.valid_from, four.valid_to, four.n_districts, four.geometry) == ("", "2022-08-01", "4",
                                                                                  "geokz_adm2_2018")
    assert "[uncertain date]" in four.source_note and "V22E0029189" in four.source_note


def test_turan_formation_window_is_flagged_not_invented():
    assert uncertain_windows("Shymkent") == [(date(2021, 1, 1), date(2022, 8, 1), "shymkent-5")]
    assert uncertain_windows("Astana") == [] and uncertain_windows("Almaty") == []
    assert not in_uncertain_window("Shymkent", date(2019, 1, 1), date(2019, 12, 31))
    assert in_uncertain_window("Shymkent", date(2020, 6, 1), date(2021, 1, 1))  # its last day touches the window
    assert in_uncertain_window("Shymkent", date(2022, 7, 31), None)
    assert not in_uncertain_window("Shymkent", date(2022, 8, 1), date(2022, 8, 1))  # from the bound on: known
    assert not in_uncertain_window("Shymkent", None, None)


def test_a_window_that_does_not_end_before_its_start_is_refused(tmp_path, monkeypatch):
    (tmp_path / "vintages.csv").write_text(
        "vintage,city,valid_from,valid_to,n_districts,geometry,source_note,valid_from_earliest\n"
        "s-1,Shymkent,,2022-08-01,4,none,,\ns-2,Shymkent,2022-08-01,,5,none,,2022-08-01\n", encoding="utf-8")
    monkeypatch.setenv("QALA_REFERENCE", str(tmp_path))
    with pytest.raises(BadInput, match="s-2 valid_from_earliest 2022-08-01 is not before its valid_from"):
        uncertain_windows("Shymkent")


def test_astana_esil_boundaries_by_date_and_the_land_transfer():
    """Esil of 2019 and of 2023 sit on different boundaries, each named by its dates. The 8,259 ha transfer
    (7 Feb 2017; one source 7 Feb 2018) precedes Baikonur (16 Mar 2018): a 2019 and a Sept 2022 figure share the
    lineage-built Esil, and the geokz 2018 file (pre-transfer Esil) draws no date of the four-district set."""
    table = vintage_table().set_index("vintage")
    dated = {day: vintage_at("Astana", day) for day in (date(2015, 6, 1), date(2019, 6, 1), date(2022, 9, 1),
                                                         date(2023, 6, 1))}
    assert list(dated.values()) == ["astana-3", "astana-4", "astana-4", "astana-5"]
    spans = {v: (table.loc[v, "valid_from"], table.loc[v, "valid_to"]) for v in ("astana-4", "astana-5")}
    assert spans == {"astana-4": ("2018-03-16", "2022-12-01"), "astana-5": ("2022-12-01", "2024-05-23")}
    assert table.loc["astana-4", "geometry"] == "lineage:astana-5"
    assert "geokz_adm2_2018" not in set(table[table.city == "Astana"].geometry)
    transfer = date(2017, 2, 7)
    assert transfer < date.fromisoformat(table.loc["astana-4", "valid_from"])
    assert date(2018, 2, 7) < date.fromisoformat(table.loc["astana-4", "valid_from"])  # the other documented date
    note = table.loc["astana-4", "source_note"]
    assert "7 Feb 2017" in note and "7 Feb 2018 [uncertain date]" in note and "310.75" in note


# ------------------------------------------------------------------------------------------- lineage shares


def _shymkent_lineage() -> pd.DataFrame:
    lin = lineage_table()
    return lin[lin.vintage == "shymkent-5"]


def test_lineage_overlaps_and_shares_match_the_measured_figures():
    lin = _shymkent_lineage()
    assert len(lin) == 7 and set(lin.parent_vintage) == {"shymkent-4"} and set(lin.date) == {"2022-08-01"}
    got = {(r.district_id, r.parent_id): float(r.overlap_km2) for r in lin.itertuples()}
    assert got == pytest.approx(OVERLAP_KM2, abs=0.005)
    child_km2 = {d: sum(v for (c, _), v in OVERLAP_KM2.items() if c == d) for d in {c for c, _ in OVERLAP_KM2}}
    assert child_km2[ABAY] == pytest.approx(231.20)
    for r in lin.itertuples():
        key = (r.district_id, r.parent_id)
        assert float(r.share_of_parent) == pytest.approx(OVERLAP_KM2[key] / OLD_KM2[r.parent_id], abs=5e-5)
        assert float(r.share_of_district) == pytest.approx(OVERLAP_KM2[key] / child_km2[r.district_id], abs=5e-5)
    shares = lin.set_index(["district_id", "parent_id"]).share_of_parent.astype(float)
    assert shares[(TURAN, ABAY)] == pytest.approx(0.7370, abs=1e-4)  # 365.72 / 496.20
    assert shares[(ABAY, KARATAU)] == pytest.approx(0.3036, abs=1e-4)  # 96.63 / 318.25
    # Each old district's land goes somewhere whole: its shares add up to one.
    assert lin.groupby("parent_id").share_of_parent.apply(lambda s: s.astype(float).sum()).tolist() == \
        pytest.approx([1.0] * 4, abs=2e-4)


def test_lineage_relations_say_measured_not_legal_and_name_their_source():
    lin = _shymkent_lineage()
    assert lin.relation.str.contains("measured overlap, not a legal text").all()
    assert lin.source.str.contains("arodionoff/geokz @ 41c1a00454ec9e01bda031b5074920bd82de02ce").all()
    turan = lin[lin.district_id == TURAN]
    assert turan.parent_id.tolist() == [ABAY] and turan.relation.iloc[0].startswith("formed from part of")


# ------------------------------------------------------------------------------------------- change across 2018 -> 2024


def _districts() -> gpd.GeoDataFrame:
    rows = [(v, d) for v in ("shymkent-4",) for d in (ABAY, FARABI, ENBEKSHI, KARATAU)]
    rows += [("shymkent-5", d) for d in (ABAY, FARABI, ENBEKSHI, KARATAU, TURAN)]
    names = {ABAY: "Abay", FARABI: "Al-Farabi", ENBEKSHI: "Enbekshi", KARATAU: "Karatau", TURAN: "Turan"}
    return gpd.GeoDataFrame({"vintage": [v for v, _ in rows], "district_id": [d for _, d in rows],
                             **{f"name_{lang}": [names[d] for _, d in rows] for lang in ("en", "ru", "kk")}},
                            geometry=[None] * len(rows), crs="EPSG:4326")


def _figures(values: dict[tuple[str, str], float], indicator: str = "population", unit: str = "persons"):
    rows = []
    for (vintage, district), value in values.items():
        year = "2018" if vintage == "shymkent-4" else "2024"
        rows.append({"figure_id": f"t:{vintage}:{district}", "city": "Shymkent", "district_id": district,
                     "vintage": vintage, "indicator": indicator, "unit": unit, "value": value,
                     "period_label": year, "period_end": f"{year}-12-31", "source": f"src {year}",
                     "confidence": "", "derived": False})
    return pd.DataFrame(rows)


OLD = {ABAY: 500_000.0, FARABI: 200_000.0, ENBEKSHI: 250_000.0, KARATAU: 150_000.0}
NEW = {ABAY: 260_000.0, FARABI: 190_000.0, ENBEKSHI: 260_000.0, KARATAU: 120_000.0, TURAN: 230_000.0}


def _build(figures: pd.DataFrame):
    return build_changes(figures, _districts(), lineage_table(), vintage_table())


def test_turan_change_2018_to_2024_is_summed_through_the_lineage_with_the_reason():
    values = {**{("shymkent-4", d): v for d, v in OLD.items()}, **{("shymkent-5", d): v for d, v in NEW.items()}}
    pairs, changes = _build(_figures(values))
    pair = pairs.iloc[0]
    assert (pair.comparable, pair.method, pair.n_units) == (True, "lineage sums", 2)
    rows = changes.set_index("districts_to")
    # Turan never stands alone: it is summed with the districts whose land it shares through the lineage.
    assert TURAN not in rows.index
    unit = rows.loc["+".join(sorted([ABAY, FARABI, KARATAU, TURAN]))]
    assert unit.districts_from == "+".join(sorted([ABAY, FARABI, KARATAU]))
    assert unit.value_from == 500_000 + 200_000 + 150_000 == 850_000
    assert unit.value_to == 260_000 + 190_000 + 120_000 + 230_000 == 800_000
    assert unit.change_abs == -50_000 and unit.change_rel == pytest.approx(-50_000 / 850_000)
    assert "Turan (shymkent-5): formed from part of (measured overlap, not a legal text" in unit.note
    enbekshi = rows.loc[ENBEKSHI]
    assert (enbekshi.value_from, enbekshi.value_to, enbekshi.change_abs) == (250_000, 260_000, 10_000)


def test_turan_change_is_refused_when_a_district_of_its_unit_has_no_figure():
    values = {**{("shymkent-4", d): v for d, v in OLD.items()},
              **{("shymkent-5", d): v for d, v in NEW.items() if d != ABAY}}
    pairs, changes = _build(_figures(values))
    pair = pairs.iloc[0]
    assert pair.comparable and pair.n_units == 1  # Enbekshi alone
    assert pair.note == "no figure for 2024 in Abay (shymkent-5)"
    assert set(changes.districts_to) == {ENBEKSHI}


def test_non_additive_change_across_the_uncertain_boundary_change_is_refused_with_its_dates():
    values = {("shymkent-4", ABAY): 1000.0, ("shymkent-5", TURAN): 600.0}
    pairs, changes = _build(_figures(values, "density", "persons per km2"))
    pair = pairs.iloc[0]
    assert not pair.comparable and changes.empty
    assert pair.reason == ("boundaries changed on 2022-08-01 (date uncertain: between 2021-01-01 and 2022-08-01) "
                           "(shymkent-4 -> shymkent-5) and density is not additive")


# ------------------------------------------------------------------------------------------- the import


ADDED = {"population_by_district": 6, "district_area_bank": 8, "city_internal_migration": 4, "housing_context": 8,
         "civil_service_context": 2, "host_attitudes": 2 + 14}  # host_attitudes: its 2 and the 14 city-image polls
BRACKET_FLAGS = {"[x2]": "x2", "[secondary]": "secondary", "[approx]": "approx", "[uncertain date]": "uncertain",
                 "[lower bound]": "lower_bound", "DERIVED": "derived_inference"}


def _added_rows() -> dict[str, pd.DataFrame]:
    out = {}
    for table in ADDED:
        frame = pd.read_csv(reference_dir() / f"{table}.csv", dtype=str, keep_default_na=False)
        out[table] = frame[frame.note.str.startswith("[added 2026-12-05]")]
    return out


def test_the_import_adds_each_row_once_at_the_end_of_its_table():
    rows = _added_rows()
    assert {t: len(f) for t, f in rows.items()} == ADDED
    for table, frame in rows.items():
        whole = pd.read_csv(reference_dir() / f"{table}.csv", dtype=str, keep_default_na=False)
        assert frame.index.tolist() == list(range(len(whole) - len(frame), len(whole)))  # appended: ids kept
        assert (frame.source_url_or_ref.str.len() > 10).all()


def test_the_import_keeps_every_flag():
    for frame in _added_rows().values():
        for r in frame.itertuples():
            period = parse_period(r.year)
            flags = set(confidence_flags(r.note, r.source_url_or_ref, period.flags, r.indicator).split(";"))
            for marker, flag in BRACKET_FLAGS.items():
                if marker in r.note:
                    assert flag in flags, (r.note, flag)
    alatau = _added_rows()["population_by_district"].set_index("indicator").loc["population"]
    alatau = alatau[alatau.year == "c. 2018 (10th anniversary of the district)"].iloc[0]
    assert alatau.note.startswith("[added 2026-12-05] [lower bound][approx][uncertain date] district created 2008")
    assert set(confidence_flags(alatau.note, alatau.source_url_or_ref, ()).split(";")) == {
        "approx", "uncertain", "lower_bound"}


@pytest.mark.parametrize("label,start,end", [
    ("c. 2023-03 (25th anniversary of the district, Nauryz event)", date(2023, 3, 1), date(2023, 3, 31)),
    ("c. 2018 (10th anniversary of the district)", date(2018, 1, 1), date(2018, 12, 31)),
    ("c. 2017-02", date(2017, 2, 1), date(2017, 2, 28)),
])
def test_circa_labels_of_the_import_read_as_circa(label, start, end):
    period = parse_period(label)
    assert (period.start, period.end, period.flags) == (start, end, ("circa",))


def test_boundary_rows_are_left_out_of_the_figure_tables():
    for table in ADDED:
        text = (reference_dir() / f"{table}.csv").read_text(encoding="utf-8")
        assert "boundary_file" not in text and "lineage_overlap_km2" not in text
        assert not re.search(r"NOT FOUND", text)
