"""``geo.join.measures`` on hand-made inputs (no build): the district table from counts, population figures and
their notes, hexagon inputs, small-count suppression of hexagons and districts, and survey scores on the
district table. Every expected value is worked out in the comments.

Districts: the two hand-made Astana squares of tests/survey_frames.py, 711110000 ("Almaty") and 711210000
("Esil"); the population table gives 10,000 to the first and 20,000 to the second.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo import store
from geo.errors import UnknownName
from geo.indicators.counts import count_rows
from geo.indicators.survey import ScoreItem
from geo.join.measures import from_counts, with_scores
from geo.join.result import HotspotOptions
from tests import survey_frames

ALM, ESIL = "711110000", "711210000"
OPTIONS = HotspotOptions(permutations=0, seed=7, alpha=0.05)


def _astana() -> gpd.GeoDataFrame:
    frame = survey_frames.districts()
    frame = frame[frame["city"] == "Astana"].reset_index(drop=True)
    frame["area_km2"], frame["bank"], frame["extra"] = [3.1, 3.2], ["left", "right"], ["x", "y"]
    return frame


def _population(**overrides: float) -> pd.DataFrame:
    frame = survey_frames.population()
    frame = frame[frame["district_id"].isin([ALM, ESIL])].reset_index(drop=True)  # 10,000 and 20,000
    for district, value in overrides.items():
        frame.loc[frame["district_id"] == district, "value"] = value
    return frame


def _group_counts() -> pd.DataFrame:
    # ALM: a, a, b (3 rows); ESIL: b, b (2 rows); city: a 2, b 3, total 5
    return count_rows({"district_id": [ALM, ALM, ALM, ESIL, ESIL], "group": ["a", "a", "b", "b", "b"]})


# ------------------------------------------------------------------------------------------ from_counts


def test_district_table_counts_shares_rates_and_location_quotients():
    result = from_counts(_astana(), _group_counts(), {}, _population(), "Astana", "astana-6", False, OPTIONS)
    d = result.districts.set_index("district_id")
    assert list(d.index) == [ALM, ESIL]  # the chosen districts' order
    assert (result.city, result.vintage, result.synthetic) == ("Astana", "astana-6", False)
    assert isinstance(result.districts, gpd.GeoDataFrame) and result.districts.crs == "EPSG:4326"
    assert result.districts.geometry.equals(_astana().geometry)
    assert d.loc[ALM, "name_en"] == "Almaty" and d.loc[ESIL, "name_kk"] == "Есіл"
    assert d.loc[ESIL, "name_ru"] == "Есиль" and d["city"].tolist() == ["Astana"] * 2
    assert d["vintage"].tolist() == ["astana-6"] * 2
    assert d["area_km2"].tolist() == [3.1, 3.2] and d["bank"].tolist() == ["left", "right"]
    assert "extra" not in d  # only the district columns are kept
    assert d["count"].tolist() == [3.0, 2.0] and d["n_rows"].tolist() == [3, 2]
    assert d["share_of_city"].tolist() == pytest.approx([3 / 5, 2 / 5])
    assert d["population"].tolist() == [10_000.0, 20_000.0]
    assert d["per_1000"].tolist() == pytest.approx([3 / 10_000 * 1000, 2 / 20_000 * 1000])  # 0.3 and 0.1
    assert d["population_period"].tolist() == ["2025 (start)"] * 2
    assert d["population_source"].tolist() == ["hand-made test figure"] * 2
    assert "population_confidence" not in d  # the figures carry no confidence column
    # LQ = (group in district / district) / (group in city / city): a in ALM (2/3)/(2/5) = 5/3, a in ESIL 0,
    # b in ALM (1/3)/(3/5) = 5/9, b in ESIL (2/2)/(3/5) = 5/3
    assert d["count_a"].tolist() == [2.0, 0.0] and d["count_b"].tolist() == [1.0, 2.0]
    assert d["lq_a"].tolist() == pytest.approx([5 / 3, 0.0])
    assert d["lq_b"].tolist() == pytest.approx([5 / 9, 5 / 3])
    # the 95% intervals come with the counts' variances: around the LQ where the group was counted
    for g in ("a", "b"):
        assert (d[f"lq_low_{g}"] < d[f"lq_{g}"]).loc[ALM] and (d[f"lq_{g}"] < d[f"lq_high_{g}"]).loc[ALM]
    groups = result.groups.set_index(["district_id", "group"])
    assert groups.loc[(ESIL, "b"), "lq"] == pytest.approx(5 / 3)
    assert {"lq_low", "lq_high"} <= set(groups.columns)
    # D(a) = 1/2 (|2/2 - 1/3| + |0/2 - 2/3|) = 2/3; isolation(a) = (2/2) x (2/3) + 0 = 2/3
    idx = result.indices.set_index("group")
    assert idx.loc["a", "dissimilarity"] == pytest.approx(2 / 3)
    assert idx.loc["a", "isolation"] == pytest.approx(2 / 3)
    assert not result.districts["synthetic"].any() and not result.groups["synthetic"].any()
    assert not result.indices["synthetic"].any()
    assert result.hexagons == {} and result.report == {"notes": []}  # every figure there: nothing to say
    assert result.assigned.empty and result.set_aside.empty


def test_synthetic_flag_reaches_every_table():
    result = from_counts(_astana(), _group_counts(), {}, _population(), "Astana", "astana-6", True, OPTIONS)
    assert result.synthetic is True
    for table in (result.districts, result.groups, result.indices):
        assert table["synthetic"].tolist() == [True] * len(table)


def test_without_groups_no_group_tables():
    counts = count_rows({"district_id": [ALM, ESIL, ESIL]})
    result = from_counts(_astana(), counts, {}, _population(), "Astana", "astana-6", False, OPTIONS)
    assert result.groups is None and result.indices is None
    assert result.districts["count"].tolist() == [1.0, 2.0]
    assert not any(c.startswith("lq") for c in result.districts.columns)


def test_missing_population_is_left_empty_and_said():
    # ESIL has no figure: its rate stays NaN (never 0) and the note names it
    population = _population().iloc[:1]
    result = from_counts(_astana(), _group_counts(), {}, population, "Astana", "astana-6", False, OPTIONS)
    d = result.districts.set_index("district_id")
    assert d.loc[ALM, "per_1000"] == pytest.approx(0.3) and np.isnan(d.loc[ESIL, "per_1000"])
    assert np.isnan(d.loc[ESIL, "population"]) and pd.isna(d.loc[ESIL, "population_period"])
    assert result.report["notes"] == [f"no population figure for ['{ESIL}']: per_1000 left empty there"]


def test_population_duplicates_keep_the_last_figure_and_confidence_is_carried():
    # two figures for ALM: the later one (15,000) wins -> 3 / 15,000 x 1,000 = 0.2
    population = _population()
    population["confidence"] = ["official", "estimate"]
    later = population.iloc[[0]].assign(value=15_000.0, confidence="revised")
    population = pd.concat([population, later], ignore_index=True)
    result = from_counts(_astana(), _group_counts(), {}, population, "Astana", "astana-6", False, OPTIONS)
    d = result.districts.set_index("district_id")
    assert d.loc[ALM, "population"] == 15_000.0 and d.loc[ALM, "per_1000"] == pytest.approx(0.2)
    assert d["population_confidence"].tolist() == ["revised", "estimate"]


def test_population_from_the_store_or_a_note_when_the_build_has_none(monkeypatch):
    asked = []

    def from_store(city, vintage):
        asked.append((city, vintage))
        return _population(**{ESIL: 40_000.0})

    monkeypatch.setattr(store, "population_for", from_store)
    result = from_counts(_astana(), _group_counts(), {}, None, "Astana", "astana-6", False, OPTIONS)
    assert asked == [("Astana", "astana-6")]
    assert result.districts["per_1000"].tolist() == pytest.approx([0.3, 2 / 40_000 * 1000])  # 0.3 and 0.05
    assert result.report["notes"] == []

    def no_figures(city, vintage):
        raise UnknownName("no population layer for astana-6")

    monkeypatch.setattr(store, "population_for", no_figures)
    result = from_counts(_astana(), _group_counts(), {}, None, "Astana", "astana-6", False, OPTIONS)
    assert result.districts["per_1000"].isna().all() and result.districts["population"].isna().all()
    assert result.districts["count"].tolist() == [3.0, 2.0]  # the counts are still there
    # one note only: the missing-layer one, not also the per-district one
    assert result.report["notes"] == ["no population figures (no population layer for astana-6); per_1000 left "
                                      "empty"]


def _points(district: str, n: int) -> tuple[list[float], list[float]]:
    lon, lat = survey_frames.inside("Almaty" if district == ALM else "Esil")
    return [lon] * n, [lat] * n


def test_hexagons_per_resolution_with_their_point_counts_and_area():
    # 3 points in the middle of ALM, 2 in the middle of ESIL, weights 1: two hexagons with 3 and 2
    lon_a, lat_a = _points(ALM, 3)
    lon_e, lat_e = _points(ESIL, 2)
    lon, lat = np.array(lon_a + lon_e), np.array(lat_a + lat_e)
    hexes = {8: (lon, lat, np.ones(5), None)}
    result = from_counts(_astana(), _group_counts(), hexes, _population(), "Astana", "astana-6", True, OPTIONS)
    grid = result.hexagons[8]
    assert sorted(grid.loc[grid["count"] > 0, "count"].tolist()) == [2.0, 3.0]
    assert grid["count"].sum() == 5.0
    # points not aggregated: n_points is the grid's own count of points (3 and 2)
    assert sorted(grid.loc[grid["count"] > 0, "n_points"].tolist()) == [2, 3]
    assert grid["synthetic"].all() and (grid["permutations"] == 0).all() and (grid["seed"] == 7).all()
    # the grid covers the two squares (the area), so it has empty hexagons too
    assert (grid["count"] == 0).any()
    assert result.report["notes"] == []  # no min_n: nothing hidden, nothing said

    # aggregated input: one centre per hexagon weighted 3 and 2, with the rows behind each (3 and 2, not the
    # one centre point each); a hexagon without rows gets 0, as an int
    import h3

    cell_a = h3.latlng_to_cell(lat_a[0], lon_a[0], 8)
    cell_e = h3.latlng_to_cell(lat_e[0], lon_e[0], 8)
    n_points = pd.Series({cell_a: 3, cell_e: 2})
    hexes = {8: (np.array([lon_a[0], lon_e[0]]), np.array([lat_a[0], lat_e[0]]), np.array([3.0, 2.0]), n_points)}
    grid = from_counts(_astana(), _group_counts(), hexes, _population(), "Astana", "astana-6", False,
                       OPTIONS).hexagons[8].set_index("hex_id")
    assert grid.loc[cell_a, "count"] == 3.0 and grid.loc[cell_a, "n_points"] == 3 and grid.loc[cell_e, "n_points"] == 2
    assert grid["n_points"].dtype == "int64" and grid["n_points"].sum() == 5
    assert not grid["synthetic"].any()


def test_without_min_n_nothing_is_hidden():
    counts = count_rows({"district_id": [ALM] * 12 + [ESIL] * 3})
    result = from_counts(_astana(), counts, {}, _population(), "Astana", "astana-6", False, OPTIONS)
    assert "suppressed" not in result.districts and result.districts["count"].tolist() == [12.0, 3.0]


# ------------------------------------------------------------------------------------------ with_scores


def test_scores_join_the_district_table_and_an_empty_district_says_no_answers():
    # 12 respondents in ALM answer q1 = 1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2 (mean 33 / 12 = 2.75); none in ESIL
    counts = count_rows({"district_id": [ALM] * 12})
    base = from_counts(_astana(), counts, {}, _population(), "Astana", "astana-6", True, OPTIONS)
    answers = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2]
    rows = pd.DataFrame({"city": "Astana", "district_id": ALM, "weight": 1.0, "q1": [float(a) for a in answers],
                         "group": ["x", "y"] * 6})
    item = ScoreItem("q1", 1, 5)
    result = with_scores(base, rows, [item], group=None)
    d = result.districts.set_index("district_id")
    assert d.loc[ALM, "q1_mean"] == pytest.approx(33 / 12) and d.loc[ALM, "q1_n"] == 12
    assert d.loc[ESIL, "q1_n"] == 0.0 and d.loc[ESIL, "q1_reliability"] == "no answers"
    assert d["q1_suppressed"].tolist() == [False, False] and d["q1_suppressed"].dtype == bool
    assert result.scores["synthetic"].tolist() == [True] * len(result.scores) and result.score_differences is None
    assert set(result.scores["group"]) == {"all"}
    assert d.loc[ALM, "count"] == 12.0  # the count columns are kept

    # with a group: the scores hold its groups too, and the differences come (synthetic like the result)
    grouped = with_scores(base, rows, [item], group="group")
    assert {"x", "y"} <= set(grouped.scores["group"])
    diffs = grouped.score_differences
    assert diffs is not None and diffs["synthetic"].tolist() == [True] * len(diffs) and len(diffs) > 0
    assert {(a, b) for a, b in zip(diffs["group_a"], diffs["group_b"], strict=True)} == {("x", "y")}
    # the district table still carries the "all" estimate (mean of all 12), not a group's
    assert grouped.districts.set_index("district_id").loc[ALM, "q1_mean"] == pytest.approx(33 / 12)


def test_scores_replace_earlier_score_columns():
    counts = count_rows({"district_id": [ALM] * 12})
    base = from_counts(_astana(), counts, {}, _population(), "Astana", "astana-6", False, OPTIONS)
    base.districts["q1_mean"] = -1.0  # a stale estimate
    rows = pd.DataFrame({"city": "Astana", "district_id": ALM, "weight": 1.0, "q1": [4.0] * 12})
    result = with_scores(base, rows, [ScoreItem("q1", 1, 5)], group=None)
    d = result.districts.set_index("district_id")
    assert d.loc[ALM, "q1_mean"] == 4.0 and np.isnan(d.loc[ESIL, "q1_mean"])
    assert list(result.districts.columns).count("q1_mean") == 1
    assert result.scores["synthetic"].tolist() == [False] * len(result.scores)

