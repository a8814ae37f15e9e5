"""``geo.indicators.counts``: the per-district statistics both join engines compute from their counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.indicators.counts import (
    count_rows,
    district_totals,
    group_counts,
    group_tables,
    per_1000,
    share_of_total,
)


def test_count_rows_sums_weights_and_counts_rows():
    keys = {"district_id": ["b", "a", "b", "b"], "group": ["x", "x", "y", "x"]}
    counts = count_rows(keys, [1.0, 2.0, 0.5, 0.0])
    assert counts.to_dict("records") == [
        {"district_id": "a", "group": "x", "count": 2.0, "n_rows": 1},
        {"district_id": "b", "group": "x", "count": 1.0, "n_rows": 2},
        {"district_id": "b", "group": "y", "count": 0.5, "n_rows": 1},
    ]
    assert count_rows({"district_id": ["a", "a"]})["count"].tolist() == [2.0]


def test_district_totals_keep_real_zeros_in_the_districts_order():
    counts = count_rows({"district_id": ["b", "b", "a"]})
    totals = district_totals(["c", "a", "b"], counts)
    assert totals.index.tolist() == ["c", "a", "b"]
    assert totals["count"].tolist() == [0.0, 1.0, 2.0] and totals["n_rows"].tolist() == [0, 1, 2]
    assert totals["share_of_city"].tolist() == pytest.approx([0.0, 1 / 3, 2 / 3])
    empty = district_totals(["a"], count_rows({"district_id": np.array([], dtype=object)}))
    assert empty["count"].tolist() == [0.0] and np.isnan(empty["share_of_city"]).all()


def test_shares_and_rates_leave_the_unknown_missing():
    assert np.isnan(share_of_total([0.0, 0.0])).all()
    rate = per_1000([4.0, 1.0, 0.0], [2000.0, np.nan, 0.0])
    assert rate[0] == 2.0 and np.isnan(rate[1]) and np.isnan(rate[2])


def test_group_tables_location_quotients_by_hand():
    counts = count_rows({"district_id": ["e"] * 4 + ["s"] * 4, "group": list("AAAB") + list("ABBB")})
    wide_counts = group_counts(counts, ["e", "s", "n"])
    assert wide_counts.loc["n"].tolist() == [0.0, 0.0]
    long, wide = group_tables(wide_counts)
    # A is 4 of 8 (0.5): e holds 3/4 A -> 1.5, s 1/4 -> 0.5, n counted nobody -> NaN
    assert wide["lq_A"].tolist()[:2] == pytest.approx([1.5, 0.5]) and np.isnan(wide.loc["n", "lq_A"])
    assert list(wide.columns) == ["count_A", "lq_A", "count_B", "lq_B"]
    assert isinstance(long, pd.DataFrame) and list(long.columns) == ["district_id", "group", "count", "lq"]
    assert len(long) == 6
