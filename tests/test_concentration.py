"""Location quotient, dissimilarity and isolation on small cases computed by hand, and against PySAL."""

import math

import numpy as np
import pandas as pd
import pytest

from geo.errors import BadInput
from geo.indicators.concentration import (
    dissimilarity,
    group_indices,
    isolation,
    location_quotient,
    pysal_check,
)

# Three districts. Group (e.g. arrivals from Turkistan region) x = [10, 30, 0], everyone counted t = [100, 60, 40].
# X = 40, T = 200, the group's city share X/T = 0.2.
GROUP = [10, 30, 0]
TOTAL = [100, 60, 40]


def test_location_quotient_by_hand():
    # LQ_1 = (10/100)/0.2 = 0.5 ; LQ_2 = (30/60)/0.2 = 2.5 ; LQ_3 = (0/40)/0.2 = 0
    assert location_quotient(GROUP, TOTAL) == pytest.approx([0.5, 2.5, 0.0])


def test_location_quotient_empty_district_is_missing_not_zero():
    # district 3 has nobody counted: its share is undefined, so its LQ is NaN
    # X = 40, T = 160, X/T = 0.25 ; LQ_1 = 0.1/0.25 = 0.4 ; LQ_2 = 0.5/0.25 = 2.0
    lq = location_quotient([10, 30, 0], [100, 60, 0])
    assert lq[:2] == pytest.approx([0.4, 2.0])
    assert math.isnan(lq[2])


def test_dissimilarity_by_hand():
    # rest r = t - x = [90, 30, 40], R = 160.
    # D = 1/2 (|10/40 - 90/160| + |30/40 - 30/160| + |0/40 - 40/160|)
    #   = 1/2 (|0.25 - 0.5625| + |0.75 - 0.1875| + |0 - 0.25|) = 1/2 (0.3125 + 0.5625 + 0.25) = 0.5625
    assert dissimilarity(GROUP, TOTAL) == pytest.approx(0.5625)


def test_isolation_by_hand():
    # xPx = (10/40)(10/100) + (30/40)(30/60) + 0 = 0.025 + 0.375 = 0.4
    assert isolation(GROUP, TOTAL) == pytest.approx(0.4)


def test_even_spread_and_complete_segregation():
    # even: every district 20 % group -> D = 0, xPx = 0.2 (the city share)
    assert dissimilarity([20, 10, 2], [100, 50, 10]) == pytest.approx(0.0)
    assert isolation([20, 10, 2], [100, 50, 10]) == pytest.approx(0.2)
    # group alone in district 1, nobody of it elsewhere -> D = 1, xPx = 1
    assert dissimilarity([50, 0], [50, 70]) == pytest.approx(1.0)
    assert isolation([50, 0], [50, 70]) == pytest.approx(1.0)


def test_indices_agree_with_pysal_segregation_on_random_counts():
    rng = np.random.default_rng(7)
    total = rng.integers(1, 500, size=12).astype(float)
    group = np.floor(total * rng.uniform(0, 1, size=12))
    theirs = pysal_check(group, total)
    assert dissimilarity(group, total) == pytest.approx(theirs["dissimilarity"], abs=1e-12)
    assert isolation(group, total) == pytest.approx(theirs["isolation"], abs=1e-12)


def test_group_indices_uses_row_total_and_reports_agreement():
    counts = pd.DataFrame({"a": [10, 30, 0], "b": [90, 30, 40]})  # totals = TOTAL
    table = group_indices(counts).set_index("group")
    assert table.loc["a", "dissimilarity"] == pytest.approx(0.5625)
    assert table.loc["a", "isolation"] == pytest.approx(0.4)
    # two groups: D is symmetric
    assert table.loc["b", "dissimilarity"] == pytest.approx(0.5625)
    assert table["pysal_agrees"].all()
    assert table.loc["a", "share"] == pytest.approx(0.2)


@pytest.mark.parametrize(
    "group,total",
    [([1, 2], [1]), ([5, 1], [4, 1]), ([-1, 1], [2, 2]), ([np.nan, 1], [2, 2])],
)
def test_bad_counts_raise_badinput(group, total):
    with pytest.raises(BadInput):
        location_quotient(group, total)
