"""Location-quotient intervals by hand, and dissimilarity/isolation tested against random allocation (PySAL)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geo.errors import BadInput
from geo.indicators.concentration import group_indices, lq_intervals, segregation_tests
from geo.indicators.counts import cell_variances, count_rows, group_counts, group_tables

# Three districts, group g = [10, 30, 0] of totals [100, 60, 40] (others [90, 30, 40]); X = 40, T = 200.
COUNTS = pd.DataFrame({"g": [10.0, 30.0, 0.0], "o": [90.0, 30.0, 40.0]}, index=["d1", "d2", "d3"])


def test_lq_interval_by_hand_for_poisson_counts():
    low, high = lq_intervals(COUNTS, COUNTS)  # unweighted: each count's variance is itself
    # district d1, group g: a = 10, b = 90, c = 30, d = 70, t = 100, X = 40, T = 200 ; LQ = 0.1 / 0.2 = 0.5
    # d/da = 1/10 - 1/100 - 1/40 + 1/200 = 0.07 ; d/db = -1/100 + 1/200 = -0.005
    # d/dc = -1/40 + 1/200 = -0.02 ; d/dd = 1/200 = 0.005
    # var(log LQ) = 0.07^2 * 10 + 0.005^2 * 90 + 0.02^2 * 30 + 0.005^2 * 70 = 0.049 + 0.00225 + 0.012 + 0.00175
    var = 0.065
    assert low.loc["d1", "g"] == pytest.approx(0.5 * math.exp(-1.959964 * math.sqrt(var)), rel=1e-6)
    assert high.loc["d1", "g"] == pytest.approx(0.5 * math.exp(1.959964 * math.sqrt(var)), rel=1e-6)
    # the group is absent from d3: LQ 0, no interval on the log scale
    assert np.isnan(low.loc["d3", "g"]) and np.isnan(high.loc["d3", "g"])
    assert (low.loc[["d1", "d2"]] < 1e9).all().all()


def test_weighted_counts_widen_the_interval_and_group_tables_carry_it():
    keys = {"district_id": ["e"] * 40 + ["s"] * 40, "group": (["A"] * 30 + ["B"] * 10) + (["A"] * 10 + ["B"] * 30)}
    plain = count_rows(keys)
    weighted = count_rows(keys, np.tile([0.5, 1.5], 40))  # same totals, unequal weights
    wide = group_counts(plain, ["e", "s"])
    long, wide_table = group_tables(wide, cell_variances(plain, ["e", "s"]))
    assert {"lq_low", "lq_high"} <= set(long.columns) and "lq_low_A" in wide_table
    # e holds 30 of 40 A against 40 of 80 overall: LQ = 0.75 / 0.5 = 1.5, inside its interval
    assert wide_table.loc["e", "lq_low_A"] < 1.5 < wide_table.loc["e", "lq_high_A"]
    w_low, w_high = lq_intervals(group_counts(weighted, ["e", "s"]), cell_variances(weighted, ["e", "s"]))
    # count^2 / n_rows is the same here (equal totals and rows), so the interval matches the unweighted one
    assert w_low.loc["e", "A"] == pytest.approx(wide_table.loc["e", "lq_low_A"])


def _people(n_districts: int, sizes: np.ndarray, share: np.ndarray, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    group = rng.binomial(sizes, share)
    return pd.DataFrame({"migrant": group, "resident": sizes - group}, index=[f"d{i}" for i in range(n_districts)])


def test_random_allocation_is_not_significant():
    sizes = np.full(10, 120)
    counts = _people(10, sizes, np.full(10, 0.3), seed=5)  # every district draws migrants at the same 30 %
    tests = segregation_tests(counts, 199, seed=1).set_index("group")
    table = group_indices(counts.astype(float)).set_index("group")
    assert table.loc["migrant", "dissimilarity"] > 0.02  # sampling noise alone gives D > 0 ...
    assert tests.loc["migrant", "dissimilarity_p"] > 0.05  # ... which the test does not call segregation
    assert tests.loc["migrant", "isolation_p"] > 0.05
    # the null mean sits near the observed value under random allocation
    assert tests.loc["migrant", "dissimilarity_null_mean"] == pytest.approx(table.loc["migrant", "dissimilarity"],
                                                                            abs=0.05)


def test_strong_segregation_is_significant_and_seeded():
    sizes = np.full(8, 100)
    counts = _people(8, sizes, np.array([0.8, 0.7, 0.1, 0.05, 0.1, 0.05, 0.1, 0.05]), seed=2)
    first = group_indices(counts.astype(float), permutations=99, seed=7, row_counts=counts)
    again = group_indices(counts.astype(float), permutations=99, seed=7, row_counts=counts)
    migrant = first.set_index("group").loc["migrant"]
    assert migrant["dissimilarity_p"] < 0.05 and migrant["isolation_p"] < 0.05
    assert migrant["dissimilarity_p"] == pytest.approx(1 / 100)  # no simulation reached it: (0 + 1) / 100
    assert migrant["dissimilarity_null_mean"] < migrant["dissimilarity"]
    pd.testing.assert_frame_equal(first, again)
    assert "dissimilarity_p" not in group_indices(counts.astype(float)).columns  # off by default


def test_tests_need_whole_counts():
    with pytest.raises(BadInput, match="whole counts"):
        segregation_tests(pd.DataFrame({"g": [1.5, 2.0], "o": [3.0, 4.0]}), 9)
