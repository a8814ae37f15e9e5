"""``geo.indicators.survey``: weighted score estimates by hand on tiny cases, and against ``svy`` on a larger one."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from geo.errors import BadInput
from geo.indicators.survey import ScoreItem, group_differences, reliability_of, score_estimates, wide_scores

ITEM = ScoreItem("trust", 1, 5, top=2)  # top box = answers 4 and 5

# One city "c", two districts. d1: answers 1, 3, 5 with weights 1, 1, 2 and one don't know (NaN, weight 1);
# d2: answers 2, 4 with weights 1, 1. N = 6 respondents in the sample (the don't-know one included).
TINY = pd.DataFrame({
    "city": ["c"] * 6,
    "district_id": ["d1", "d1", "d1", "d1", "d2", "d2"],
    "weight": [1.0, 1.0, 2.0, 1.0, 1.0, 1.0],
    "trust": [1.0, 3.0, 5.0, np.nan, 2.0, 4.0],
})


def _row(est: pd.DataFrame, district: str | None, group: str = "all") -> pd.Series:
    level = "city" if district is None else "district"
    sel = (est["level"] == level) & (est["group"] == group)
    sel &= est["district_id"].isna() if district is None else est["district_id"] == district
    assert sel.sum() == 1
    return est[sel].iloc[0]


def test_tiny_case_by_hand():
    est = score_estimates(TINY, [ITEM])
    d1 = _row(est, "d1")
    # W = 1+1+2 = 4 ; sum w y = 1 + 3 + 10 = 14 ; mean = 3.5 ; the NaN answer is counted, never scored
    assert d1["n"] == 3 and d1["nonresponse"] == 1 and d1["weight_sum"] == 4.0
    assert d1["mean"] == pytest.approx(3.5)
    # residuals -2.5, -0.5, 1.5 ; sum w^2 r^2 = 6.25 + 0.25 + 4 * 2.25 = 15.5
    # V = N/(N-1) * 15.5 / W^2 = 6/5 * 15.5 / 16 = 1.1625
    assert d1["se"] == pytest.approx(math.sqrt(1.1625))
    # t with n - 1 = 2 degrees of freedom: t_0.975,2 = 4.302653
    assert d1["ci_low"] == pytest.approx(3.5 - 4.302653 * math.sqrt(1.1625), abs=1e-5)
    assert d1["ci_high"] == pytest.approx(3.5 + 4.302653 * math.sqrt(1.1625), abs=1e-5)
    # Kish: (sum w)^2 / sum w^2 = 16 / (1 + 1 + 4) = 2.6667
    assert d1["n_eff"] == pytest.approx(16 / 6)
    assert d1["cv"] == pytest.approx(math.sqrt(1.1625) / 3.5)
    # distribution: weight 1 on "1", 1 on "3", 2 on "5" of 4
    assert json.loads(d1["dist"]) == {"1": 0.25, "2": 0.0, "3": 0.25, "4": 0.0, "5": 0.5}
    d2 = _row(est, "d2")
    # d2: mean (2 + 4) / 2 = 3 ; sum w^2 r^2 = 1 + 1 = 2 ; V = 6/5 * 2 / 4 = 0.6
    assert d2["mean"] == pytest.approx(3.0) and d2["se"] == pytest.approx(math.sqrt(0.6))
    city = _row(est, None)
    # city: W = 6 ; mean = 20 / 6 ; residuals of 1, 3, 5 (w 2), 2, 4 around 10/3:
    # w^2 r^2 = 49/9 + 1/9 + 4 * 25/9 + 16/9 + 4/9 = 170/9 ; V = 6/5 * (170/9) / 36
    assert city["mean"] == pytest.approx(10 / 3) and city["n"] == 5 and city["nonresponse"] == 1
    assert city["se"] == pytest.approx(math.sqrt(6 / 5 * (170 / 9) / 36))
    assert city["scale"] == "1-5" and city["top_box"] == "4-5"


def test_top_box_share_and_its_wilson_interval_by_hand():
    d1 = _row(score_estimates(TINY, [ITEM]), "d1")
    # top box (4-5): weight 2 of 4 -> p = 0.5
    # V(p) = 6/5 * sum w^2 (t - p)^2 / W^2 = 1.2 * (0.25 + 0.25 + 4 * 0.25) / 16 = 0.1125
    # design-effective n* = p (1 - p) / V = 0.25 / 0.1125 = 2.2222 ; q = t_0.975,2 = 4.302653
    p, n_star, q = 0.5, 0.25 / 0.1125, 4.302653
    centre = (p + q * q / (2 * n_star)) / (1 + q * q / n_star)  # = 0.5 by symmetry
    half = q / (1 + q * q / n_star) * math.sqrt(p * (1 - p) / n_star + q * q / (4 * n_star**2))
    assert d1["top_share"] == pytest.approx(0.5)
    assert d1["top_ci_low"] == pytest.approx(max(0.0, centre - half), abs=1e-5)
    assert d1["top_ci_high"] == pytest.approx(min(1.0, centre + half), abs=1e-5)
    assert 0.0 <= d1["top_ci_low"] < 0.5 < d1["top_ci_high"] <= 1.0


def test_non_response_is_counted_not_scored():
    all_dk = TINY.assign(trust=[np.nan, np.nan, np.nan, np.nan, 2.0, 4.0])
    est = score_estimates(all_dk, [ITEM])
    d1 = _row(est, "d1")
    # d1 has 4 don't-knows and no answer: nothing to estimate (whether to show it is the release gate's call)
    assert not d1["suppressed"] and d1["reliability"] == "no answers"
    assert np.isnan(d1["mean"]) and d1["n"] == 0 and d1["nonresponse"] == 4
    city = _row(est, None)
    assert city["n"] == 2 and city["nonresponse"] == 4 and city["mean"] == pytest.approx(3.0)


def test_group_difference_with_its_interval_by_hand():
    rows = pd.DataFrame({"city": ["c"] * 5, "district_id": ["d"] * 5, "weight": [1.0] * 5,
                         "trust": [2.0, 4.0, 1.0, 1.0, 4.0], "who": ["a", "a", "b", "b", "b"]})
    diff = group_differences(score_estimates(rows, [ITEM], group="who"))
    row = diff[diff["level"] == "district"].iloc[0]
    # a: mean 3, sum r^2 = 1 + 1 = 2, V = 5/4 * 2 / 4 = 0.625
    # b: mean 2, residuals -1, -1, 2, sum r^2 = 6, V = 5/4 * 6 / 9 = 0.8333
    va, vb = 0.625, 1.25 * 6 / 9
    assert (row["group_a"], row["group_b"]) == ("a", "b")
    assert row["diff"] == pytest.approx(1.0) and row["se"] == pytest.approx(math.sqrt(va + vb))
    # Welch-Satterthwaite df = (va + vb)^2 / (va^2 / 1 + vb^2 / 2) = 2.882
    df = (va + vb) ** 2 / (va**2 / 1 + vb**2 / 2)
    q = stats.t.ppf(0.975, df)
    assert row["ci_low"] == pytest.approx(1 - q * math.sqrt(va + vb))
    assert row["ci_high"] == pytest.approx(1 + q * math.sqrt(va + vb))
    assert (row["n_a"], row["n_b"], row["suppressed"]) == (2, 3, False)
    # a group the release gate hid (here: a's 2 answers) hides the difference too
    est = score_estimates(rows, [ITEM], group="who")
    est.loc[est["group"] == "a", "suppressed"] = True
    hidden = group_differences(est).iloc[0]
    assert hidden["suppressed"] and np.isnan(hidden["diff"]) and np.isnan(hidden["n_a"])


def _larger(seed: int = 11, n: int = 4000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    city = rng.choice(["almaty", "astana"], n)
    district = np.char.add(np.char.add(city.astype(str), "-"), rng.integers(0, 6, n).astype(str))
    effect = {d: e for d, e in zip(np.unique(district), rng.normal(0, 0.7, 12), strict=True)}
    latent = 3 + np.vectorize(effect.get)(district) + rng.normal(0, 1.0, n)
    score = np.clip(np.rint(latent), 1, 5)
    score[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame({"city": city, "district_id": district, "weight": rng.lognormal(0, 0.6, n),
                         "trust": score, "who": rng.choice(["migrant", "resident"], n)})


def test_means_ses_and_intervals_agree_with_svy():
    import polars as pl
    import svy

    rows = _larger()
    est = score_estimates(rows, [ITEM], group="who")
    data = pl.from_pandas(rows).with_columns(pl.col("trust").fill_nan(None))
    sample = svy.Sample(data, svy.Design(wgt="weight", wr=True))
    theirs = sample.estimation.mean("trust", by=["district_id", "who"], drop_nulls=True).to_polars().to_pandas()
    ours = est[(est["level"] == "district") & (est["group"] != "all")]
    both = ours.merge(theirs, left_on=["district_id", "group"], right_on=["district_id", "who"])
    assert len(both) == 24  # 12 districts x 2 groups
    assert np.allclose(both["mean"], both["est"], atol=1e-6, rtol=0)
    assert np.allclose(both["se_x"], both["se_y"], atol=1e-6, rtol=0)
    assert np.allclose(both["ci_low"], both["lci"], atol=1e-6, rtol=0)
    cities = sample.estimation.mean("trust", by="city", drop_nulls=True).to_polars().to_pandas()
    city_est = est[(est["level"] == "city") & (est["group"] == "all")].merge(cities, on="city")
    assert len(city_est) == 2 and np.allclose(city_est["se_x"], city_est["se_y"], atol=1e-6, rtol=0)


def test_shrunk_means_lie_between_raw_and_city_mean():
    est = score_estimates(_larger(n=600), [ITEM])
    for city, part in est[est["group"] == "all"].groupby("city"):
        centre = part.loc[part["level"] == "city", "mean"].iloc[0]
        districts = part[part["level"] == "district"]
        assert districts["shrunk_mean"].notna().all()
        low = np.minimum(districts["mean"], centre) - 1e-12
        high = np.maximum(districts["mean"], centre) + 1e-12
        assert ((districts["shrunk_mean"] >= low) & (districts["shrunk_mean"] <= high)).all(), city
        # not all equal to the raw means: small districts moved toward the city
        assert (districts["shrunk_mean"] - districts["mean"]).abs().max() > 1e-4
    assert est.loc[est["level"] == "city", "shrunk_mean"].isna().all()


def test_wide_scores_one_column_set_per_item():
    rows = _larger(n=800).assign(pride=lambda f: f["trust"].fillna(3.0))
    est = score_estimates(rows, [ITEM, ScoreItem("pride", 1, 5)])
    wide = wide_scores(est)
    assert wide.index.name == "district_id" and len(wide) == 12
    assert {"trust_mean", "trust_ci_low", "trust_top_share", "trust_reliability", "pride_shrunk_mean",
            "pride_n_eff", "pride_suppressed"} <= set(wide.columns)
    first = est[(est["item"] == "pride") & (est["level"] == "district") & (est["group"] == "all")].iloc[0]
    assert wide.loc[first["district_id"], "pride_mean"] == first["mean"]


@pytest.mark.parametrize("change,match", [
    ({"trust": [7.0, 3.0, 5.0, np.nan, 2.0, 4.0]}, "off its 1-5 scale"),
    ({"trust": [1.5, 3.0, 5.0, np.nan, 2.0, 4.0]}, "between its points"),
    ({"weight": [0.0, 1.0, 2.0, 1.0, 1.0, 1.0]}, "weights must be finite and > 0"),
])
def test_bad_rows_are_one_line_errors(change, match):
    with pytest.raises(BadInput, match=match):
        score_estimates(TINY.assign(**change), [ITEM])


def test_group_difference_level_one_hidden_group_and_zero_variance():
    rows = pd.DataFrame({"city": ["c"] * 5, "district_id": ["d"] * 5, "weight": [1.0] * 5,
                         "trust": [2.0, 4.0, 1.0, 1.0, 4.0], "who": ["a", "a", "b", "b", "b"]})
    wide = group_differences(score_estimates(rows, [ITEM], group="who")).iloc[0]
    narrow = group_differences(score_estimates(rows, [ITEM], group="who"), level=0.90).iloc[0]
    va, vb = 0.625, 1.25 * 6 / 9  # as in the hand-worked case above
    df = (va + vb) ** 2 / (va**2 / 1 + vb**2 / 2)
    assert narrow["ci_high"] == pytest.approx(1 + stats.t.ppf(0.95, df) * math.sqrt(va + vb))
    assert narrow["ci_high"] < wide["ci_high"]
    # three groups, a hidden by the gate, c shown: any difference with a hidden group is hidden too
    three = pd.DataFrame({"city": ["c"] * 9, "district_id": ["d"] * 9, "weight": [1.0] * 9,
                          "trust": [1.0, 2.0, 3.0, 3.0, 4.0, 5.0, 5.0, 4.0, 3.0],
                          "who": ["a", "b", "b", "b", "c", "c", "c", "c", "c"]})
    est = score_estimates(three, [ITEM], group="who")
    est.loc[est["group"] == "a", "suppressed"] = True
    diffs = group_differences(est)
    district = diffs[diffs["level"] == "district"].set_index(["group_a", "group_b"])
    assert district.loc[("a", "c"), "suppressed"] and np.isnan(district.loc[("a", "c"), "diff"])
    # identical answers within each group: se 0, the interval collapses onto the difference (df = min(n) - 1)
    same = pd.DataFrame({"city": ["c"] * 6, "district_id": ["d"] * 6, "weight": [1.0] * 6,
                         "trust": [4.0, 4.0, 4.0, 2.0, 2.0, 2.0], "who": ["a"] * 3 + ["b"] * 3})
    flat = group_differences(score_estimates(same, [ITEM], group="who"))
    flat = flat[flat["level"] == "district"].iloc[0]
    assert (flat["diff"], flat["se"], flat["ci_low"], flat["ci_high"]) == (2.0, 0.0, 2.0, 2.0)


def test_reliability_bands():
    est = pd.DataFrame({"item": "trust", "ci_low": [0.0, 0.0, 0.0, np.nan, 0.0, np.nan],
                        "ci_high": [0.6, 1.0, 2.0, np.nan, 0.2, np.nan], "n": [9, 9, 9, 9, 9, 0],
                        "suppressed": [False, False, False, False, True, False]})
    # half-widths over the scale range 4: 0.3/4 = 0.075 good; 0.5/4 = 0.125 fair; 1/4 = 0.25 poor; no interval
    # poor; hidden suppressed; nobody answered: no answers; the edges belong to the better band
    assert reliability_of(est, {"trust": 4.0}).tolist() == ["good", "fair", "poor", "poor", "suppressed",
                                                            "no answers"]
    edges = pd.DataFrame({"item": "trust", "ci_low": [0.0, 0.0], "ci_high": [0.8, 1.6], "n": [9, 9],
                          "suppressed": [False, False]})
    assert reliability_of(edges, {"trust": 4.0}).tolist() == ["good", "fair"]
