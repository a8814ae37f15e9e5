"""Rank ranges against values worked out by hand: two districts whose 95% intervals come from se = 1 swap
places in a share of draws that the normal distribution gives exactly."""

import math

import numpy as np
import pytest
from scipy.stats import norm

from geo.errors import BadInput
from geo.indicators.ranks import excludes, rank_ranges

Z = norm.ppf(0.975)


def _ci(values, se):
    v = np.asarray(values, dtype=float)
    return v - Z * np.asarray(se), v + Z * np.asarray(se)


def test_exact_values_have_their_rank_as_range():
    r = rank_ranges([3.0, 1.0, 2.0])
    assert r["rank"].tolist() == [1, 3, 2]
    assert r["rank_low"].tolist() == [1, 3, 2] and r["rank_high"].tolist() == [1, 3, 2]
    assert rank_ranges([3.0, 1.0, 2.0], highest_first=False)["rank"].tolist() == [3, 1, 2]


def test_tied_exact_values_span_both_places():
    r = rank_ranges([5.0, 5.0, 1.0])
    assert r["rank"].tolist() == [1, 1, 3]
    assert list(zip(r["rank_low"], r["rank_high"], strict=True)) == [(1, 2), (1, 2), (3, 3)]


@pytest.mark.parametrize(("gap", "apart"), [(1.0, False), (3.0, True), (2.5, False)])
def test_two_districts_swap_as_often_as_the_normal_says(gap, apart):
    # A - B ~ N(gap, sqrt(2)): B comes first with probability Phi(-gap / sqrt 2): 0.240 (gap 1), 0.0169
    # (gap 3), 0.0385 (gap 2.5). Below 2.5% the 95% rank ranges are single places; above, both are 1-2.
    assert (norm.cdf(-gap / math.sqrt(2)) < 0.025) == apart
    low, high = _ci([gap, 0.0], [1.0, 1.0])
    r = rank_ranges([gap, 0.0], low, high, draws=50_000, seed=3)
    ranges = list(zip(r["rank_low"], r["rank_high"], strict=True))
    assert ranges == ([(1, 1), (2, 2)] if apart else [(1, 2), (1, 2)])


def test_an_unsure_value_among_sure_ones_spans_their_places():
    # C = 5 with se 2 among exact 9, 6, 4, 1. C passes 9 with P(C > 9) = Phi(-2) = 0.0228 and falls below 1
    # with the same 0.0228: both under 2.5%, so C's range is ranks 2-4 (not 1-5), 9 stays 1st and 1 stays 5th;
    # C passes 6 with P(C > 6) = Phi(-0.5) = 0.31 and falls below 4 as often: 6 ranks 2-3, 4 ranks 3-4.
    assert norm.cdf(-2) < 0.025 < norm.cdf(-0.5)
    low, high = _ci([9, 6, 5, 4, 1], [0, 0, 2, 0, 0])
    r = rank_ranges([9, 6, 5, 4, 1], low, high, draws=40_000, seed=1)
    assert r["rank"].tolist() == [1, 2, 3, 4, 5]
    assert list(zip(r["rank_low"], r["rank_high"], strict=True)) == [(1, 1), (2, 3), (2, 4), (3, 4), (5, 5)]


def test_missing_values_are_not_ranked_and_do_not_count():
    r = rank_ranges([2.0, np.nan, 1.0])
    assert r["rank"].tolist()[0] == 1 and math.isnan(r["rank"][1]) and r["rank"][2] == 2
    assert math.isnan(r["rank_low"][1]) and math.isnan(r["rank_high"][1])
    assert rank_ranges([np.nan, np.nan])["rank"].isna().all()


def test_same_seed_same_ranges_and_bad_input_refused():
    low, high = _ci([1.0, 0.8, 0.5], [0.3, 0.3, 0.3])
    assert rank_ranges([1.0, 0.8, 0.5], low, high, seed=9).equals(rank_ranges([1.0, 0.8, 0.5], low, high, seed=9))
    with pytest.raises(BadInput, match="upper end lies below"):
        rank_ranges([1.0, 2.0], [0.5, 2.5], [1.5, 1.5])
    with pytest.raises(BadInput, match="2 values but 1 lower"):
        rank_ranges([1.0, 2.0], [0.5], [1.5])
    with pytest.raises(BadInput, match="2 values but 2 lower and 1 upper"):
        rank_ranges([1.0, 2.0], [0.5, 1.5], [1.5])
    with pytest.raises(BadInput, match="both ends"):
        rank_ranges([1.0, 2.0], None, [1.5, 2.5])
    with pytest.raises(BadInput, match="both ends"):
        rank_ranges([1.0, 2.0], [0.5, 1.5], None)
    for level, draws in ((0.0, 10), (1.0, 10), (0.95, 0), (0.95, 200_001)):
        with pytest.raises(BadInput, match="draws in 1"):
            rank_ranges([1.0], [0.5], [1.5], level=level, draws=draws)
    assert rank_ranges([1.0], [0.5], [1.5], draws=1)["rank_high"].tolist() == [1]
    assert rank_ranges([1.0], [0.5], [1.5], draws=200_000)["rank_low"].tolist() == [1]


def test_the_level_sets_the_tails():
    # gap 1, se 1: B comes first in 24.0% of draws: inside the 95% range (1-2) but outside the 50% one.
    low, high = _ci([1.0, 0.0], [1.0, 1.0])
    r = rank_ranges([1.0, 0.0], low, high, draws=50_000, seed=3, level=0.5)
    assert list(zip(r["rank_low"], r["rank_high"], strict=True)) == [(1, 1), (2, 2)]


def test_excludes_marks_only_intervals_wholly_on_one_side():
    assert excludes([1.0, 2.5, 0.0, np.nan], [2.0, 3.0, 4.0, 5.0], 2.2).tolist() == [True, True, False, False]
    assert excludes([2.2, 1.0], [3.0, 2.2], 2.2).tolist() == [False, False]  # touching is not excluding
