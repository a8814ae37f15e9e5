"""Survey figures per bank of the Esil (geo.indicators.bankscores) and share items (geo.join.shares).

Hand-made Astana: four squares, Esil and Nura on the left bank, Almaty and Saryarka on the right, with a sector
column; the bank estimates are checked against the estimator written out here in numpy (the survey module's
docstring formula), the release rule against hand-made hidden patterns, and the published banks table against
the independent attacker (tests/attacker.py)."""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy import stats

from geo.errors import BadInput
from geo.indicators.bankscores import DIFFERENCE, PREFIX, bank_of, bank_table, relabelled, release_banks
from geo.indicators.survey import ScoreItem, score_estimates
from geo.join.pipeline import join_user_data
from geo.publish import publish
from tests.attacker import attack, describe, protection_failures, true_cells

MIN_N = 10
SIDE = 0.02
# id, English name, bank, south-west corner
ASTANA = [("711110000", "Almaty", "right", (71.40, 51.10)), ("711210000", "Esil", "left", (71.42, 51.10)),
          ("711310000", "Saryarka", "right", (71.44, 51.10)), ("711510000", "Nura", "left", (71.46, 51.10))]
RU = {"Almaty": "Алматы", "Esil": "Есиль", "Saryarka": "Сарыарка", "Nura": "Нура"}
ID = {en: d for d, en, _b, _c in ASTANA}
SHARE = "Сектор=госслужба"


def frame(*, banks: bool = True) -> gpd.GeoDataFrame:
    rows = [{"district_id": d, "city": "Astana", "vintage": "astana-6", "name_en": en, "name_ru": RU[en],
             "name_kk": RU[en], **({"bank": b} if banks else {})} for d, en, b, _ in ASTANA]
    shapes = [shapely.box(x, y, x + SIDE, y + SIDE) for *_, (x, y) in ASTANA]
    return gpd.GeoDataFrame(rows, geometry=shapes, crs="EPSG:4326")


def population() -> pd.DataFrame:
    return pd.DataFrame({"district_id": list(ID.values()), "value": 50_000.0, "period_label": "2025",
                         "source": "hand-made test figure"})


def respondents(sizes: dict[str, int], civil: dict[str, int], seed: int = 1) -> pd.DataFrame:
    """``sizes[d]`` respondents per district, the first ``civil[d]`` of them in the civil service; weights
    0.5-1.5 from the seed; every 7th respondent leaves the sector blank; Q1 1..5 in turn."""
    rng = np.random.default_rng(seed)
    rows = []
    for en, n in sizes.items():
        for i in range(n):
            sector = "" if i % 7 == 6 else ("Госслужба " if i < civil[en] else ("частный сектор" if i % 2 else
                                                                               "другое"))
            rows.append({"city": "Астана", "district": RU[en], "district_id": ID[en],
                         "weight": round(float(rng.uniform(0.5, 1.5)), 3), "Сектор": sector, "Q1": 1 + i % 5})
    return pd.DataFrame(rows)


def join(tmp_path: Path, rows: pd.DataFrame, *, banks: bool = True, scores=("Q1:1-5", SHARE)):
    path = tmp_path / "survey.csv"
    rows.drop(columns="district_id").to_csv(path, index=False, quoting=csv.QUOTE_MINIMAL)
    return join_user_data(path, districts=frame(banks=banks), population=population(), city_col="city",
                          district_col="district", weight_col="weight", scores=list(scores), min_n=MIN_N,
                          h3_res=(), permutations=0)


def oracle(rows: pd.DataFrame, members: list[str], n_total: int) -> dict[str, float]:
    """The share of the civil service among the answerers of ``members``' districts: weighted mean, the
    linearised variance N/(N-1) sum w^2 (y - p)^2 / W^2, Wilson on n* = p(1-p)/V with t(n-1)."""
    part = rows[rows["district_id"].isin(members) & rows["Сектор"].ne("")]
    w = part["weight"].to_numpy(float)
    y = part["Сектор"].str.strip().str.lower().eq("госслужба").to_numpy(float)
    p = float((w * y).sum() / w.sum())
    var = n_total / (n_total - 1) * float((w**2 * (y - p) ** 2).sum()) / w.sum() ** 2
    n = len(part)
    n_star = p * (1 - p) / var
    q = float(stats.t.ppf(0.975, n - 1))
    centre = (p + q * q / (2 * n_star)) / (1 + q * q / n_star)
    half = q / (1 + q * q / n_star) * np.sqrt(p * (1 - p) / n_star + q * q / (4 * n_star**2))
    return {"mean": p, "ci_low": centre - half, "ci_high": centre + half, "n": n, "weight_sum": w.sum()}


def _truth_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The respondents as the attacker's truth: published city name, the share item as 0/1 (blank: NaN)."""
    share = np.where(rows["Сектор"].eq(""), np.nan, rows["Сектор"].str.strip().str.lower().eq("госслужба"))
    return rows.assign(city="Astana", Q1=rows["Q1"].astype(float), **{SHARE: share.astype(float)})[
        ["city", "district_id", "weight", "Q1", SHARE]]


def test_a_share_item_counts_the_category_and_leaves_blanks_unanswered(tmp_path):
    rows = respondents({"Almaty": 40, "Esil": 50, "Saryarka": 30, "Nura": 45},
                       {"Almaty": 4, "Esil": 20, "Saryarka": 3, "Nura": 15})
    result = join(tmp_path, rows)
    scores = result.scores.set_index(["level", "district_id", "item"])
    for en in ("Almaty", "Esil", "Saryarka", "Nura"):
        got = scores.loc[("district", ID[en], SHARE)]
        want = oracle(rows, [ID[en]], len(rows))
        assert got["n"] == want["n"]  # blanks are item non-response, not "not civil service"
        assert got["mean"] == pytest.approx(want["mean"], abs=1e-12)
        assert (got["ci_low"], got["ci_high"]) == pytest.approx((want["ci_low"], want["ci_high"]), abs=1e-9)
    assert result.report["score_items"][SHARE]["scale"] == "0-1"


def test_bank_estimates_and_their_difference_against_the_hand_estimator(tmp_path):
    rows = respondents({"Almaty": 40, "Esil": 50, "Saryarka": 30, "Nura": 45},
                       {"Almaty": 4, "Esil": 20, "Saryarka": 3, "Nura": 15})
    banks = join(tmp_path, rows).banks.set_index(["bank", "item"])
    left = oracle(rows, [ID["Esil"], ID["Nura"]], len(rows))
    right = oracle(rows, [ID["Almaty"], ID["Saryarka"]], len(rows))
    for side, want in (("left", left), ("right", right)):
        got = banks.loc[(side, SHARE)]
        assert got[["n", "weight_sum", "mean", "ci_low", "ci_high"]].tolist() == pytest.approx(
            [want["n"], want["weight_sum"], want["mean"], want["ci_low"], want["ci_high"]], abs=1e-9)
    assert banks.loc[("left", SHARE), "districts"] == f"{ID['Esil']};{ID['Nura']}"
    # MOVER (Newcombe's hybrid score interval): d -+ sqrt of the near and far half-widths squared
    d = left["mean"] - right["mean"]
    low = d - np.hypot(left["mean"] - left["ci_low"], right["ci_high"] - right["mean"])
    high = d + np.hypot(left["ci_high"] - left["mean"], right["mean"] - right["ci_low"])
    got = banks.loc[(DIFFERENCE, SHARE)]
    assert [got["mean"], got["ci_low"], got["ci_high"]] == pytest.approx([d, low, high], abs=1e-9)
    assert got["n"] == left["n"] + right["n"]
    assert not banks["suppressed"].any()


def test_no_bank_rows_without_banks_or_with_a_district_of_no_single_bank():
    assert bank_of(frame(banks=False)) == {}
    both = frame()
    both.loc[0, "bank"] = "both"
    assert bank_of(both) == {}
    assert bank_of(frame())[("Astana", ID["Nura"])] == "left"


@pytest.mark.parametrize(("hidden", "city_hidden", "shown"), [
    (set(), False, {"left", "right", DIFFERENCE}),
    ({"Almaty", "Saryarka"}, False, {"left", "right", DIFFERENCE}),  # all hidden in one bank: city minus shown
    ({"Esil", "Nura"}, False, {"left", "right", DIFFERENCE}),
    ({"Esil", "Saryarka"}, False, set()),  # split: either bank minus its shown district gives one back
    ({"Esil", "Nura", "Almaty"}, False, set()),  # city minus Saryarka minus the left bank: Almaty
    (set(), True, set()),
])
def test_a_bank_is_shown_only_as_a_function_of_shown_figures(hidden, city_hidden, shown):
    banks = bank_of(frame())
    table = pd.DataFrame({"city": "Astana", "bank": ["left", "right", DIFFERENCE], "item": "Q1",
                          **{c: 1.0 for c in ("n", "weight_sum", "mean", "se", "ci_low", "ci_high", "n_eff")},
                          "reliability": "good"})
    ids = {ID[en] for en in hidden}

    def is_hidden(city: str, district: str | None) -> bool:
        return city_hidden if district is None else district in ids

    out = release_banks(table, is_hidden, banks).set_index("bank")
    assert set(out.index[~out["suppressed"]]) == shown
    assert out.loc[out["suppressed"], ["n", "mean", "ci_low", "ci_high"]].isna().all().all()
    assert (out.loc[out["suppressed"], "reliability"] == "suppressed").all()


def test_published_banks_give_back_no_hidden_district(tmp_path):
    """Nura has 6 respondents (hidden) and the gate hides a complement; whatever it picks, the published banks
    table must leave the attacker unable to narrow a hidden cell, and a bank is shown only if it holds none
    or all of the hidden districts."""
    rows = respondents({"Almaty": 40, "Esil": 50, "Saryarka": 30, "Nura": 6},
                       {"Almaty": 4, "Esil": 20, "Saryarka": 3, "Nura": 3})
    result = join(tmp_path, rows)
    out = tmp_path / "out"
    result.write(out)
    version = publish(out, "banks", title="t", source="s", period="2024", root=tmp_path / "ds")
    published = pd.read_parquet(version / "banks.parquet")
    hidden = set(result.districts.loc[result.districts["suppressed"], "district_id"])
    assert ID["Nura"] in hidden
    for row in published.itertuples():
        if row.bank in ("left", "right"):
            inside = hidden & set(row.districts.split(";"))
            assert row.suppressed == (inside not in (set(), hidden))
    truth = true_cells(_truth_rows(rows), MIN_N, items={"Q1": (1, 5), SHARE: (0, 1)}, group=None)
    failures = protection_failures(attack([version]), truth, MIN_N)
    assert not failures, describe(failures)


def test_the_attacker_works_a_hidden_district_back_from_a_bank_shown_against_the_rule(tmp_path):
    """The attack's own check: the same release with the banks as they would be without the rule (every bank
    shown) lets the attacker narrow Nura's hidden cell (the left bank minus Esil)."""
    rows = respondents({"Almaty": 40, "Esil": 50, "Saryarka": 30, "Nura": 6},
                       {"Almaty": 4, "Esil": 20, "Saryarka": 3, "Nura": 3})
    result = join(tmp_path, rows)
    result.write(tmp_path / "out")
    version = publish(tmp_path / "out", "leaky", title="t", source="s", period="2024", root=tmp_path / "ds")
    truth_rows = _truth_rows(rows)
    banks = bank_of(frame())
    pooled = relabelled(truth_rows[["city", "district_id", "weight", SHARE]], banks)
    unreleased = bank_table(score_estimates(pooled, [ScoreItem(SHARE, 0, 1)]), banks)
    assert not unreleased["suppressed"].any()
    unreleased.assign(synthetic=False).to_parquet(version / "banks.parquet")
    truth = true_cells(truth_rows, MIN_N, items={"Q1": (1, 5), SHARE: (0, 1)}, group=None)
    failures = protection_failures(attack([version]), truth, MIN_N)
    assert {f["cell"] for f in failures} >= {("Astana", ID["Nura"], "all")}, describe(failures)


def test_a_share_of_a_missing_column_or_an_unseen_value_says_what_to_write(tmp_path):
    rows = respondents({"Almaty": 20, "Esil": 20, "Saryarka": 20, "Nura": 20},
                       {"Almaty": 2, "Esil": 2, "Saryarka": 2, "Nura": 2})
    with pytest.raises(BadInput, match=r"no column 'Отрасль' for the share item"):
        join(tmp_path, rows, scores=("Отрасль=госслужба",))
    with pytest.raises(BadInput, match=r"no row has 'Сектор' = госслужащий .*its values are Госслужба, другое, "
                                       r"частный сектор: write one of them"):
        join(tmp_path, rows, scores=("Сектор=госслужащий",))


def test_a_share_takes_several_values_and_ignores_case(tmp_path):
    rows = respondents({"Almaty": 40, "Esil": 40, "Saryarka": 40, "Nura": 40},
                       {"Almaty": 10, "Esil": 10, "Saryarka": 10, "Nura": 10})
    result = join(tmp_path, rows, scores=("Сектор=ГОССЛУЖБА|другое",))
    city = result.scores.set_index(["level", "item"]).loc[("city", "Сектор=ГОССЛУЖБА|другое")]
    answered = rows[rows["Сектор"].ne("")]
    y = answered["Сектор"].str.strip().str.lower().isin(["госслужба", "другое"]).to_numpy(float)
    w = answered["weight"].to_numpy(float)
    assert city["mean"] == pytest.approx((w * y).sum() / w.sum(), abs=1e-12)


def test_banks_need_both_banks_and_a_city_is_judged_by_its_own_hidden_districts():
    one_bank = frame().assign(bank="left")
    assert bank_of(one_bank) == {}  # no right bank: nothing to compare
    banks = {**bank_of(frame()), ("Other", "o1"): "left", ("Other", "o2"): "right"}
    table = pd.DataFrame({"city": "Astana", "bank": ["left", "right", DIFFERENCE], "item": "Q1",
                          **{c: 1.0 for c in ("n", "weight_sum", "mean", "se", "ci_low", "ci_high", "n_eff")},
                          "reliability": "good"})
    known = set(banks) | {(c, None) for c, _ in banks}

    def is_hidden(city: str, district: str | None) -> bool:  # as the gate: a cell it does not know is hidden
        return (city, district) not in known or (city, district) == ("Other", "o1")

    out = release_banks(table, is_hidden, banks)
    assert not out["suppressed"].any()  # a hidden district of another city says nothing of Astana's banks


def test_an_item_left_out_for_too_few_answers_has_no_bank_figure_either(tmp_path):
    """Attack: Q2 has 5 answerers in the whole survey, so the gate leaves the item out of every table; its
    right-bank estimate (n 5, all of them) would publish exactly what it withholds."""
    rows = respondents({"Almaty": 40, "Esil": 50, "Saryarka": 30, "Nura": 45},
                       {"Almaty": 4, "Esil": 20, "Saryarka": 3, "Nura": 15})
    rows["Q2"] = [1 + i % 5 if i < 5 else "" for i in range(len(rows))]
    result = join(tmp_path, rows, scores=("Q1:1-5", "Q2:1-5"))
    assert [x["item"] for x in result.report["release"]["left_out"] if x["output"] == "item"] == ["Q2"]
    assert set(result.banks["item"]) == {"Q1"}
    shown = result.banks[~result.banks["suppressed"] & result.banks["bank"].isin(["left", "right"])]
    assert (shown["n"] >= MIN_N).all()  # no shown bank rests on fewer answerers than a district may


def test_bank_domains_from_their_own_rows_equal_those_from_the_whole_sample():
    """The banks are estimated from the banks' rows alone with the sample's size as n_total: the same as over
    every row (another city's respondents only enter the N/(N-1) factor), to 1e-12."""
    rng = np.random.default_rng(3)
    ids = [d for d, *_ in ASTANA] + ["751710000", "751410000"]
    cities = ["Astana"] * 4 + ["Almaty"] * 2
    pick = rng.integers(len(ids), size=600)
    rows = pd.DataFrame({"city": np.array(cities)[pick], "district_id": np.array(ids)[pick],
                         "weight": rng.uniform(0.5, 1.5, 600), "Q1": rng.integers(1, 6, 600).astype(float)})
    banks = bank_of(frame())
    items = [ScoreItem("Q1", 1, 5)]
    fast = bank_table(score_estimates(relabelled(rows, banks), items, n_total=len(rows)), banks)
    whole = rows.assign(district_id=[PREFIX + banks[(c, d)] if (c, d) in banks else d
                                     for c, d in zip(rows["city"], rows["district_id"], strict=True)])
    slow = bank_table(score_estimates(whole, items), banks)
    assert len(relabelled(rows, banks)) == int((rows["city"] == "Astana").sum())
    pd.testing.assert_frame_equal(fast, slow, rtol=1e-12)
