"""Primary and complementary suppression of survey estimates and of join counts; reliability bands."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.indicators.counts import count_rows, district_totals, group_counts, group_tables
from geo.indicators.suppression import Line, complementary, primary, reliability
from geo.indicators.survey import ScoreItem, score_estimates
from geo.join.measures import suppress_counts

ITEM = ScoreItem("trust", 1, 5)


def _city(sizes: dict[str, int], seed: int = 3) -> pd.DataFrame:
    """One city whose districts have the given numbers of respondents, answers 1-5, weights 0.5-2."""
    rng = np.random.default_rng(seed)
    district = np.repeat(list(sizes), list(sizes.values()))
    return pd.DataFrame({"city": "c", "district_id": district, "weight": rng.uniform(0.5, 2, len(district)),
                         "trust": rng.integers(1, 6, len(district)).astype(float)})


def _joined(groups_per: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Counts per district and group of a join whose rows are ``groups_per`` (district -> one letter per row, the
    row's group), and the district table of their totals."""
    ids = list(groups_per)
    district = [d for d in ids for _ in groups_per[d]]
    group = [g for d in ids for g in groups_per[d]]
    counts = count_rows({"district_id": district, "group": group})
    return counts, pd.DataFrame({"district_id": ids}).join(district_totals(ids, counts).reset_index(drop=True))


def test_primary_and_complementary_on_one_line():
    n = [3, 12, 15, 20, 0]
    hidden = primary(n, 10)
    assert hidden.tolist() == [True, False, False, False, False]  # a 0 reveals nobody
    assert primary(n, 10, zero=True).tolist() == [True, False, False, False, True]
    line = Line((0, 1, 2, 3, 4), None, "city total")
    hidden, reasons = complementary(n, hidden, [line])
    # the next-smallest non-empty cell (12) is hidden too; the empty one does not count as protection
    assert hidden.tolist() == [True, True, False, False, False]
    assert reasons == {1: "complementary (else recoverable from the city total and the other cells)"}


def test_a_line_without_another_cell_hides_its_total():
    hidden, reasons = complementary([4, 0, 50], [True, False, False], [Line((0, 1), 2, "district total")])
    assert hidden.tolist() == [True, False, True] and 2 in reasons


def test_one_small_district_of_four_would_be_recoverable_and_a_second_is_hidden():
    rows = _city({"d1": 5, "d2": 12, "d3": 15, "d4": 30})
    # without suppression (threshold 5) every value is shown; the city's weighted sum minus the other three
    # districts' gives d1 back exactly: that is why hiding d1 alone is not enough
    open_est = score_estimates(rows, [ITEM], min_n=5).set_index(["level", "district_id"], drop=False)
    districts = open_est[open_est["level"] == "district"].set_index("district_id")
    city = open_est[open_est["level"] == "city"].iloc[0]
    totals = districts["weight_sum"] * districts["mean"]
    recovered_sum = city["weight_sum"] * city["mean"] - totals.drop("d1").sum()
    recovered_w = city["weight_sum"] - districts["weight_sum"].drop("d1").sum()
    assert recovered_sum / recovered_w == pytest.approx(districts.loc["d1", "mean"], abs=1e-9)

    est = score_estimates(rows, [ITEM], min_n=10)
    shown = est[est["level"] == "district"].set_index("district_id")
    assert shown["suppressed"].tolist() == [True, True, False, False]
    assert shown.loc["d1", "suppression"] == "fewer than 10 respondents"
    assert shown.loc["d2", "suppression"].startswith("complementary")
    for column in ("n", "nonresponse", "weight_sum", "mean", "se", "ci_low", "ci_high", "n_eff", "top_share",
                   "top_ci_low", "top_ci_high", "shrunk_mean"):
        assert shown.loc[["d1", "d2"], column].isna().all(), column
    assert shown.loc[["d1", "d2"], "dist"].isna().all()
    assert (shown.loc[["d1", "d2"], "reliability"] == "suppressed").all()
    # what is left: two hidden districts share one remainder, neither can be told apart
    assert shown.loc[["d3", "d4"], "mean"].notna().all()


def test_a_small_group_hides_the_other_group_of_its_district():
    rows = _city({"d1": 40, "d2": 40, "d3": 40})
    rows["who"] = "resident"
    rows.loc[rows.index[:4], "who"] = "migrant"  # d1 has 4 migrants, 36 residents
    rows.loc[rows.index[40:52], "who"] = "migrant"  # d2 has 12 migrants
    rows.loc[rows.index[80:95], "who"] = "migrant"  # d3 has 15 migrants
    est = score_estimates(rows, [ITEM], group="who", min_n=10)
    cell = est.set_index(["level", "district_id", "group"])["suppressed"]
    # d1 migrants hidden (4); else d1 all - d1 residents gives them back -> d1 residents hidden;
    # the city's migrant line then has one hidden cell -> the next-smallest migrant cell (d2, 12) too,
    # and d2's group line then hides d2 residents
    assert cell[("district", "d1", "migrant")] and cell[("district", "d1", "resident")]
    assert cell[("district", "d2", "migrant")] and cell[("district", "d2", "resident")]
    assert not cell[("district", "d3", "migrant")] and not cell[("district", "d1", "all")]
    for (_lvl, _d), part in est.groupby(["level", "district_id"], dropna=False):
        groups = part[part["group"] != "all"]
        assert groups["suppressed"].sum() != 1  # never exactly one hidden cell under a shown total


def test_reliability_bands():
    labels = reliability([0.3, 0.5, 1.0, np.nan, 0.1], 4.0, [False, False, False, False, True])
    # 0.3/4 = 0.075 good ; 0.5/4 = 0.125 fair ; 1/4 = 0.25 poor ; no interval poor ; hidden suppressed
    assert labels.tolist() == ["good", "fair", "poor", "poor", "suppressed"]


def test_counts_of_a_join_are_suppressed_with_complements():
    ids = ["d1", "d2", "d3", "d4"]
    counts, out = _joined({"d1": "AAB", "d2": "A" * 6 + "B" * 6, "d3": "A" * 10 + "B" * 5, "d4": "A" * 15 + "B" * 15})
    out["per_1000"] = out["count"] / 1000.0
    wide_counts = group_counts(counts, ids)
    groups, wide = group_tables(wide_counts)
    out = out.join(wide, on="district_id")
    # before: d1 (3 rows) alone under 10 would follow from the city total (in report.json) minus the others
    assert 60 - out.loc[1:, "count"].sum() == out.loc[0, "count"] == 3
    suppress_counts(out, groups, counts, min_n=10)
    assert out["suppressed"].tolist() == [True, True, False, False]
    assert out.loc[0, "suppression"] == "fewer than 10 respondents"
    assert out.loc[1, "suppression"].startswith("complementary")
    hidden_cols = ["count", "n_rows", "share_of_city", "per_1000", "count_A", "lq_A", "count_B"]
    assert out.loc[:1, hidden_cols].isna().all().all()
    # d3: B has 5 rows -> hidden, and A of d3 (10) too, else d3's total minus A gives B; the B line across
    # districts (d3 and d4 shown before) then has d3 hidden together with d1/d2's -> no single hidden cell
    assert np.isnan(out.loc[2, "count_B"]) and np.isnan(out.loc[2, "count_A"])
    assert out.loc[2, "count"] == 15 and out.loc[3, "count_A"] == 15
    assert groups.loc[groups["suppressed"], "count"].isna().all()
    assert groups.loc[~groups["suppressed"], "count"].notna().all()


def test_a_hidden_district_hides_its_zero_group_cells_too():
    """d1's 4 respondents are all A: a shown 0 for B beside its hidden total would say so."""
    ids = ["d1", "d2", "d3"]
    counts, out = _joined({"d1": "AAAA", "d2": "A" * 12 + "B" * 12, "d3": "A" * 11 + "B" * 13})
    wide_counts = group_counts(counts, ids)
    groups, wide = group_tables(wide_counts)
    out = out.join(wide, on="district_id")
    assert out.loc[0, "count_B"] == 0  # before: the zero is there
    suppress_counts(out, groups, counts, min_n=10)
    assert out.loc[0, "suppressed"]
    assert out.loc[0, ["count_A", "count_B", "lq_A", "lq_B"]].isna().all()
    d1 = groups[groups["district_id"] == "d1"]
    assert d1["suppressed"].all() and d1["count"].isna().all()


def test_primary_counts_missing_sizes_as_empty_and_one_respondent_as_small():
    # sizes 1, NaN, None, 12, 9 -> read as 1, 0, 0, 12, 9: below 10 are 1, 0, 0, 9; the empty ones only with zero
    n = [1, np.nan, None, 12, 9]
    assert primary(n, 10).tolist() == [True, False, False, False, True]
    assert primary(n, 10, zero=True).tolist() == [True, True, True, False, True]


def test_complement_skips_missing_sizes_and_takes_the_smallest_shown_cell():
    # sizes read as 1, 0, 0, 30, 20: the hidden 1-respondent cell is live (n > 0), the NaN/None ones are empty
    # and cannot protect it; of the shown 30 and 20 the smaller (position 4) is the complement
    hidden, reasons = complementary([1, None, np.nan, 30, 20], [True, False, False, False, False],
                                    [Line((0, 1, 2, 3, 4), None, "city total")])
    assert hidden.tolist() == [True, False, False, False, True]
    assert reasons == {4: "complementary (else recoverable from the city total and the other cells)"}


def test_complement_accepts_a_zero_one_mask_and_returns_a_boolean_one():
    # 0/1 flags mean hidden/shown; the answer is a mask the callers invert (~), so it must be boolean
    hidden, _ = complementary([4, 12, 15], [1, 0, 0], [Line((0, 1, 2), None, "city total")])
    assert hidden.dtype == bool and (~hidden).tolist() == [False, False, True]


def test_a_complement_that_exposes_an_earlier_line_is_followed_up():
    # lines in this order: city (cells 0, 1, 2), then district 2's groups (2, 3). Pass 1: the city line has no
    # hidden cell; the district line has 3 alone -> 2 is hidden. Pass 2: now the city line has 2 alone -> the
    # smaller of 30 and 25 (cell 1) is hidden. Pass 3 changes nothing.
    hidden, reasons = complementary([30, 25, 40, 5], [False, False, False, True],
                                    [Line((0, 1, 2), None, "city total"), Line((2, 3), None, "district total")])
    assert hidden.tolist() == [False, True, True, True]
    assert reasons == {2: "complementary (else recoverable from the district total and the other cells)",
                       1: "complementary (else recoverable from the city total and the other cells)"}


def test_a_line_with_nothing_to_hide_does_not_stop_the_other_lines():
    # line a: cells 0 (4, hidden) and 1 (empty), total published elsewhere -> nothing can be done there;
    # line b (cells 0, 2, 3) must still get its complement: the smaller of 12 and 20 is cell 2
    hidden, reasons = complementary([4, 0, 12, 20], [True, False, False, False],
                                    [Line((0, 1), None, "a"), Line((0, 2, 3), None, "b")])
    assert hidden.tolist() == [True, False, True, False]
    assert list(reasons) == [2]


def test_ties_go_to_the_first_position_even_on_a_long_line():
    # 42 cells: one hidden (1 respondent), ten of 20, then thirty-one of 12: the smallest shown size is 12 and
    # its first position is 11 (an unstable sort of 41 values may return another of the tied 12s)
    n = [1] + [20] * 10 + [12] * 31
    hidden, reasons = complementary(n, [True] + [False] * 41, [Line(tuple(range(42)), None, "city total")])
    assert np.flatnonzero(hidden).tolist() == [0, 11] and list(reasons) == [11]


def test_reliability_band_edges_missing_intervals_and_zero_one_flags():
    # 0.4/4 = 0.10 exactly -> good (<=); 0.8/4 = 0.20 exactly -> fair (<=); 0.81/4 = 0.2025 -> poor;
    # None = no interval -> poor; flags 0/1 hide only the flagged position
    labels = reliability([0.4, None, 0.8, 0.81, 0.3], 4.0, [0, 0, 0, 0, 1])
    assert labels.tolist() == ["good", "poor", "fair", "poor", "suppressed"]


def test_hidden_group_cells_say_why_in_the_groups_table():
    """Every hidden group cell carries its reason in the groups table: d1 A (4 rows) and d2 B (3) are small; d1's
    zero B cell is hidden because d1's total is, and so is d2's A cell (d2, the next smallest district, is d1's
    complement on the city line); the complements that follow on the group and district lines say so. Shown
    cells carry no reason."""
    ids = ["d1", "d2", "d3", "d4"]
    counts, out = _joined({"d1": "AAAA", "d2": "A" * 12 + "B" * 3, "d3": "A" * 12 + "B" * 12, "d4": "A" * 11 + "B" * 13})
    groups, wide = group_tables(group_counts(counts, ids))
    out = out.join(wide, on="district_id")
    suppress_counts(out, groups, counts, min_n=10)
    assert out["suppressed"].tolist()[:2] == [True, True]
    why = groups.set_index(["district_id", "group"])["suppression"]
    assert why[("d1", "A")] == why[("d2", "B")] == "fewer than 10 respondents"
    assert why[("d1", "B")] == why[("d2", "A")] == "district total suppressed"
    hidden = groups["suppressed"]
    assert (groups.loc[hidden, "suppression"] != "").all() and (groups.loc[~hidden, "suppression"] == "").all()
    others = groups.loc[hidden & groups["district_id"].isin(["d3", "d4"]), "suppression"]
    assert others.str.startswith("complementary").all()
