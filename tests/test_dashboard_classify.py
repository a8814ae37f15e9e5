"""Class breaks: hand-made values, missing kept apart, legend only for classes with data."""

import math

import pytest

from dashboard.classify import classify, legend_entries, palette, parse_breaks, stance_color

VALUES = {"a": 10.0, "b": 20.0, "c": 30.0, "d": 40.0, "e": None, "f": float("nan")}


def test_missing_values_get_no_class_and_are_not_counted():
    cls = classify(VALUES, "quantiles", 2)
    assert cls.class_of["e"] is None and cls.class_of["f"] is None
    assert sum(cls.counts) == 4
    assert cls.class_of["a"] == 0 and cls.class_of["d"] == 1


def test_equal_interval_by_hand():
    cls = classify({"a": 0.0, "b": 1.0, "c": 9.0, "d": 10.0}, "equal_interval", 2)
    assert cls.bins == (5.0, 10.0)
    assert [cls.class_of[i] for i in "abcd"] == [0, 0, 1, 1]


def test_fisher_jenks_separates_the_obvious_groups():
    cls = classify({"a": 1.0, "b": 2.0, "c": 3.0, "d": 100.0, "e": 101.0}, "fisher_jenks", 2)
    assert [cls.class_of[i] for i in "abcde"] == [0, 0, 0, 1, 1]


def test_k_is_reduced_to_the_number_of_distinct_values():
    cls = classify({"a": 5.0, "b": 5.0, "c": 7.0}, "quantiles", 5)
    assert cls.k_used == 2 and cls.reduced


def test_user_breaks_and_legend_lists_only_classes_with_data():
    cls = classify({"a": 1.0, "b": 2.0, "c": 250.0}, "user_defined", 5, parse_breaks("10, 100; 1000"))
    assert cls.bins == (10.0, 100.0, 1000.0)
    entries = legend_entries(cls, palette("viridis", 3))
    assert [(low, high, n) for _, low, high, n in entries] == [(1.0, 10.0, 2), (100.0, 1000.0, 1)]


def test_unusable_user_breaks_fall_back_to_quantiles():
    assert parse_breaks("ten, twenty") is None
    assert parse_breaks("  ") is None
    assert parse_breaks("inf, 5") == (5.0,)
    cls = classify({"a": 1.0, "b": 2.0}, "user_defined", 2, None)
    assert cls.breaks_rejected and cls.scheme == "quantiles"


def test_all_missing_gives_empty_classification():
    cls = classify({"a": None}, "fisher_jenks", 3)
    assert cls.bins == () and cls.class_of == {"a": None}
    assert legend_entries(cls, []) == []


def test_palettes_are_ordered_samples_and_stance_colours_diverge():
    assert palette("viridis", 2) == ["#440154", "#fde725"]
    assert len(set(palette("cividis", 7))) == 7
    assert stance_color(-1.0) != stance_color(1.0)
    assert stance_color(None) == stance_color(math.nan) == "#d9d9d9"


@pytest.mark.parametrize("mean,index", [
    (-1.0, 0), (-0.72, 0), (-0.70, 1), (-0.43, 1), (-0.42, 2), (-0.15, 2), (-0.14, 3), (0.0, 3), (0.14, 3),
    (0.15, 4), (0.42, 4), (0.43, 5), (0.71, 5), (0.72, 6), (1.0, 6), (1.7, 6), (-3.0, 0),
])
def test_stance_colour_classes_split_minus_one_to_one_in_seven_equal_steps(mean, index):
    """Seven classes of width 2/7 from -1 to +1 (…, -1/7..+1/7 neutral, …); out-of-range means are clamped."""
    from dashboard.classify import STANCE_COLORS, stance_color

    assert stance_color(mean) == STANCE_COLORS[index]


def test_no_statement_is_grey_not_neutral():
    from dashboard.classify import NO_DATA_COLOR, stance_color

    assert stance_color(None) == NO_DATA_COLOR and stance_color(float("nan")) == NO_DATA_COLOR


def test_the_value_suppressing_palette_washes_and_merges_by_hand():
    from dashboard.classify import _mix, suppressed_class, suppressing_palette

    assert _mix("#000000", 0.5) == "#4f4f4f" and _mix("#9e9e9e", 0.75) == "#9e9e9e"  # halfway to grey #9e9e9e
    levels = suppressing_palette(["#000000", "#ffffff", "#000000"])
    assert levels["good"] == ["#000000", "#ffffff", "#000000"]
    assert levels["fair"] == [_mix("#000000", 0.45), _mix("#ffffff", 0.45), _mix("#000000", 0.45)]
    # poor: classes 0 and 1 share the pair's upper colour; the odd last class keeps its own
    assert levels["poor"] == [_mix("#ffffff", 0.75), _mix("#ffffff", 0.75), _mix("#000000", 0.75)]
    assert [suppressed_class(1, level, 3) for level in ("good", "fair", "poor", None, "no answers")] == [1, 4, 7, 7, 7]
    assert suppressed_class(None, "good", 3) is None
