"""Wave changes against values worked out by hand (arithmetic in the comments), Newcombe's (1998) published
example for the MOVER interval of two Wilson intervals, and the symmetric case d +- sqrt(h_a^2 + h_b^2)."""

import math

import numpy as np
import pandas as pd
import pytest

from geo import api
from geo.errors import BadInput
from geo.indicators.waves import mover, wave_changes

VALUES = ["mean_earlier", "mean_later", "n_earlier", "n_later", "diff", "ci_low", "ci_high"]


def _row(district, mean, low, high, *, n=50, city="Almaty", level="district", vintage="2024", item="trust",
         group="all", scale="1-5", suppressed=False):
    return {"city": city, "level": level, "district_id": district, "vintage": vintage, "item": item,
            "group": group, "scale": scale, "n": n, "mean": mean, "se": np.nan, "ci_low": low, "ci_high": high,
            "suppressed": suppressed, "reliability": "fair"}


def _table(*rows):
    return pd.DataFrame(list(rows))


def _one(out, district):
    found = out[out["district_id"] == district]
    assert len(found) == 1
    return found.iloc[0]


def test_mover_worked_example():
    # later a = 3.5 [3.2, 3.8], earlier b = 3.0 [2.6, 3.4]: d = 0.5,
    # L = 0.5 - sqrt((3.5-3.2)^2 + (3.4-3.0)^2) = 0.5 - sqrt(0.09+0.16) = 0.0
    # U = 0.5 + sqrt((3.8-3.5)^2 + (3.0-2.6)^2) = 0.5 + 0.5 = 1.0
    d, low, high = mover(np.array([3.5]), [3.2], [3.8], [3.0], [2.6], [3.4])
    assert d[0] == pytest.approx(0.5) and low[0] == pytest.approx(0.0, abs=1e-12) and high[0] == pytest.approx(1.0)


def test_mover_keeps_asymmetric_intervals_asymmetric():
    # a = 0.2 [0.1, 0.35] (Wilson-like: longer upward), b = 0.5 [0.4, 0.6]; d = -0.3
    # L = -0.3 - sqrt((0.2-0.1)^2 + (0.6-0.5)^2) = -0.3 - sqrt(0.02) = -0.441421
    # U = -0.3 + sqrt((0.35-0.2)^2 + (0.5-0.4)^2) = -0.3 + sqrt(0.0325) = -0.119722
    d, low, high = mover(0.2, 0.1, 0.35, 0.5, 0.4, 0.6)
    assert d == pytest.approx(-0.3)
    assert low == pytest.approx(-0.441421, abs=1e-6) and high == pytest.approx(-0.119722, abs=1e-6)
    # a symmetric formula on the mean half-widths (0.125, 0.1) would give -0.3 +- 0.160078 on both sides
    assert d - low == pytest.approx(0.141421, abs=1e-6) and high - d == pytest.approx(0.180278, abs=1e-6)
    assert abs((d - low) - 0.160078) > 0.01 and abs((high - d) - 0.160078) > 0.01


def _wilson(x, n, z=1.959963984540054):
    # Wilson (1927) score interval, written out here independently of the module
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return p, centre - half, centre + half


def test_mover_on_wilson_intervals_is_newcombes_hybrid_score_method():
    # Newcombe (1998, Stat Med 17: 873-890), Table II example (a): 56/70 - 48/80 = 0.2000, method 10
    # (hybrid score, Wilson intervals) gives 0.0524 to 0.3339.
    a, b = _wilson(56, 70), _wilson(48, 80)
    d, low, high = mover(*a, *b)
    assert d == pytest.approx(0.2) and round(float(low), 4) == 0.0524 and round(float(high), 4) == 0.3339


def test_mover_of_symmetric_intervals_is_root_sum_of_squares():
    rng = np.random.default_rng(7)
    a, b = rng.uniform(1, 5, 40), rng.uniform(1, 5, 40)
    ha, hb = rng.uniform(0.01, 1, 40), rng.uniform(0.01, 1, 40)
    d, low, high = mover(a, a - ha, a + ha, b, b - hb, b + hb)
    width = np.hypot(ha, hb)
    np.testing.assert_allclose(d, a - b)
    np.testing.assert_allclose(low, a - b - width)
    np.testing.assert_allclose(high, a - b + width)


def test_mover_nan_in_gives_nan_out_element_by_element():
    d, low, high = mover([3.0, np.nan], [2.0, 2.0], [4.0, 4.0], [1.0, 1.0], [0.5, 0.5], [1.5, np.nan])
    # first element: d = 2, L = 2 - sqrt(1 + 0.25), U = 2 + sqrt(1 + 0.25)
    assert d[0] == 2.0 and low[0] == pytest.approx(2 - math.sqrt(1.25)) and high[0] == pytest.approx(2 + math.sqrt(1.25))
    assert np.isnan(d[1]) and np.isnan(low[1]) and np.isnan(high[1])


def test_mover_refuses_an_interval_without_its_estimate():
    with pytest.raises(BadInput, match="does not contain"):
        mover(3.0, 3.1, 3.5, 1.0, 0.5, 1.5)


def test_shown_change_and_its_interval_touching_zero():
    # earlier 3.0 [2.6, 3.4] n 40, later 3.5 [3.2, 3.8] n 55: diff 0.5, [0.0, 1.0] (see the worked example);
    # the interval touches 0, so it does not exclude it.
    out = wave_changes(_table(_row("A", 3.0, 2.6, 3.4, n=40)), _table(_row("A", 3.5, 3.2, 3.8, n=55)), "trust")
    r = _one(out, "A")
    assert r["status"] == "shown" and r["vintage"] == "2024"
    assert (r["mean_earlier"], r["mean_later"], r["n_earlier"], r["n_later"]) == (3.0, 3.5, 40, 55)
    assert r["diff"] == pytest.approx(0.5) and r["ci_low"] == pytest.approx(0.0, abs=1e-12)
    assert r["ci_high"] == pytest.approx(1.0)
    assert not r["excludes_zero"]


def test_excludes_zero_both_ways():
    earlier = _table(_row("up", 3.0, 2.8, 3.2), _row("down", 3.5, 3.3, 3.7), _row("flat", 3.0, 2.5, 3.5))
    later = _table(_row("up", 3.5, 3.3, 3.7), _row("down", 3.0, 2.8, 3.2), _row("flat", 3.2, 2.7, 3.7))
    out = wave_changes(earlier, later, "trust")
    # up: d = 0.5, L = 0.5 - sqrt(0.2^2 + 0.2^2) = 0.5 - 0.282843 = 0.217157 > 0
    up = _one(out, "up")
    assert up["ci_low"] == pytest.approx(0.217157, abs=1e-6) and up["excludes_zero"]
    # down: d = -0.5, U = -0.5 + 0.282843 = -0.217157 < 0
    down = _one(out, "down")
    assert down["ci_high"] == pytest.approx(-0.217157, abs=1e-6) and down["excludes_zero"]
    # flat: d = 0.2, +- sqrt(0.5^2 + 0.5^2) = 0.707107: [-0.507107, 0.907107] holds 0
    flat = _one(out, "flat")
    assert flat["ci_low"] == pytest.approx(-0.507107, abs=1e-6) and not flat["excludes_zero"]
    assert out["status"].eq("shown").all()


@pytest.mark.parametrize("hidden_side", ["earlier", "later"])
def test_a_suppressed_side_hides_every_value(hidden_side):
    # the hidden row carries values that must not leak (published tables blank them; this one does not)
    shown = _row("A", 3.0, 2.6, 3.4, n=40)
    hidden = _row("A", 4.0, 3.9, 4.1, n=7, suppressed=True)
    earlier, later = (hidden, shown) if hidden_side == "earlier" else (shown, hidden)
    out = wave_changes(_table(earlier, _row("B", 3.0, 2.8, 3.2)), _table(later, _row("B", 3.5, 3.3, 3.7)),
                       "trust")
    r = _one(out, "A")
    assert r["status"] == "suppressed"
    assert r[VALUES].isna().all() and not r["excludes_zero"]
    assert not out[VALUES].isin([4.0, 3.9, 4.1, 7]).any().any()
    assert _one(out, "B")["status"] == "shown"


def test_a_blank_suppression_flag_hides_the_row():
    out = wave_changes(_table(_row("A", 3.0, 2.6, 3.4)), _table(_row("A", 3.5, 3.2, 3.8, suppressed=None)),
                       "trust")
    assert _one(out, "A")["status"] == "suppressed" and np.isnan(_one(out, "A")["diff"])


def test_different_vintages_are_not_compared():
    earlier = _table(_row("A", 3.0, 2.6, 3.4, vintage="2018"), _row("B", 3.0, 2.6, 3.4, vintage=None))
    later = _table(_row("A", 3.5, 3.2, 3.8, vintage="2024"), _row("B", 3.5, 3.2, 3.8, vintage="2024"))
    out = wave_changes(earlier, later, "trust")
    for district in ("A", "B"):
        r = _one(out, district)
        assert r["status"] == "boundaries differ" and r[VALUES].isna().all() and not r["excludes_zero"]
    a = _one(out, "A")
    assert (a["vintage"], a["vintage_earlier"]) == ("2024", "2018")


def test_a_city_row_is_compared_like_a_district():
    # the city row has no district_id: None in one table, NaN (as read from CSV) in the other
    earlier = _table(_row(None, 3.0, 2.8, 3.2, level="city", vintage=None))
    later = _table(_row(np.nan, 3.4, 3.2, 3.6, level="city", vintage=None))
    out = wave_changes(earlier, later, "trust")
    assert len(out) == 1
    r = out.iloc[0]
    # d = 0.4 +- sqrt(0.2^2 + 0.2^2) = 0.282843: [0.117157, 0.682843]
    assert r["level"] == "city" and r["status"] == "shown"
    assert r["ci_low"] == pytest.approx(0.117157, abs=1e-6) and r["ci_high"] == pytest.approx(0.682843, abs=1e-6)


def test_no_answers_on_a_side():
    earlier = _table(_row("A", 3.0, 2.6, 3.4), _row("B", np.nan, np.nan, np.nan, n=12))
    later = _table(_row("A", np.nan, np.nan, np.nan, n=0), _row("B", 3.5, 3.2, 3.8))
    out = wave_changes(earlier, later, "trust")
    a, b = _one(out, "A"), _one(out, "B")
    assert a["status"] == "no answers" and b["status"] == "no answers"
    assert np.isnan(a["diff"]) and np.isnan(a["ci_low"]) and np.isnan(b["ci_high"])
    assert a["n_later"] == 0 and a["mean_earlier"] == 3.0 and b["n_earlier"] == 12


def test_places_in_one_wave_only():
    earlier = _table(_row("A", 3.0, 2.6, 3.4), _row("old", 3.1, 2.9, 3.3, vintage="2018"))
    later = _table(_row("A", 3.5, 3.2, 3.8), _row("new", 3.6, 3.4, 3.8))
    out = wave_changes(earlier, later, "trust")
    assert sorted(out["district_id"]) == ["A", "new", "old"]
    for district, vintage in (("old", "2018"), ("new", "2024")):
        r = _one(out, district)
        assert r["status"] == "only in one wave" and r[VALUES].isna().all() and not r["excludes_zero"]
        assert r["vintage"] == vintage


def test_an_item_in_one_wave_only():
    out = wave_changes(_table(_row("A", 3.0, 2.6, 3.4, item="safety")), _table(_row("A", 3.5, 3.2, 3.8)),
                       "trust")
    assert out["status"].tolist() == ["only in one wave"]


def test_group_selection():
    earlier = _table(_row("A", 3.0, 2.6, 3.4), _row("A", 2.0, 1.8, 2.2, group="women"))
    later = _table(_row("A", 3.5, 3.2, 3.8), _row("A", 2.5, 2.3, 2.7, group="women"))
    women = _one(wave_changes(earlier, later, "trust", group="women"), "A")
    # women: 2.0 [1.8, 2.2] -> 2.5 [2.3, 2.7]: d = 0.5 +- sqrt(0.2^2 + 0.2^2): [0.217157, 0.782843]
    assert (women["mean_earlier"], women["mean_later"]) == (2.0, 2.5)
    assert women["ci_low"] == pytest.approx(0.217157, abs=1e-6) and women["excludes_zero"]
    everyone = _one(wave_changes(earlier, later, "trust"), "A")
    assert (everyone["mean_earlier"], everyone["mean_later"]) == (3.0, 3.5)
    with pytest.raises(BadInput, match="group 'men'"):
        wave_changes(earlier, later, "trust", group="men")


def test_scale_mismatch_is_refused():
    with pytest.raises(BadInput, match="scale"):
        wave_changes(_table(_row("A", 3.0, 2.6, 3.4)), _table(_row("A", 3.5, 3.2, 3.8, scale="1-7")), "trust")
    # another item's scale does not matter
    out = wave_changes(_table(_row("A", 3.0, 2.6, 3.4), _row("A", 3.0, 2.6, 3.4, item="x", scale="0-10")),
                       _table(_row("A", 3.5, 3.2, 3.8), _row("A", 3.0, 2.6, 3.4, item="x", scale="1-7")), "trust")
    assert out["status"].tolist() == ["shown"]


def test_bad_tables_are_refused():
    earlier, later = _table(_row("A", 3.0, 2.6, 3.4)), _table(_row("A", 3.5, 3.2, 3.8))
    with pytest.raises(BadInput, match="item 'safety' is in neither"):
        wave_changes(earlier, later, "safety")
    with pytest.raises(BadInput, match="vintage"):
        wave_changes(earlier.drop(columns="vintage"), later, "trust")
    with pytest.raises(BadInput, match="repeats a place"):
        wave_changes(pd.concat([earlier, earlier]), later, "trust")


def test_api_wrapper_is_the_indicator():
    earlier = _table(_row("A", 3.0, 2.8, 3.2), _row("B", 3.0, 2.6, 3.4, suppressed=True))
    later = _table(_row("A", 3.5, 3.3, 3.7), _row("B", 3.5, 3.2, 3.8))
    pd.testing.assert_frame_equal(api.wave_changes(earlier, later, "trust"), wave_changes(earlier, later, "trust"))
    assert api.wave_changes(earlier, later, "trust")["status"].tolist() == ["shown", "suppressed"]
