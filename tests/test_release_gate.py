"""``geo.release``: the gate on hand-made surveys, with every expectation worked out in the comments.

One city of four squares (d1..d4) unless said otherwise; joined with ``from_counts`` and ``with_scores`` (no build)
and released with ``geo.release.gate.release``. The attacker's side is checked by solving what the released
tables allow with SciPy directly (``_bounds``: an independent linear programme over the published counts),
not through the gate's own audit.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.optimize import linprog

from geo.errors import BadInput
from geo.indicators.counts import count_rows
from geo.indicators.hotspots import DEFAULT_SEED
from geo.indicators.survey import ScoreItem
from geo.join.measures import from_counts, with_scores
from geo.join.result import HotspotOptions
from geo.release import cells as cellmod
from geo.release.gate import release
from geo.release.rules import Policy, protected, sensitive

OPTIONS = HotspotOptions(permutations=0, seed=DEFAULT_SEED, alpha=0.05)
IDS = ["d1", "d2", "d3", "d4"]
ITEM = ScoreItem("q1", 1, 5)
POLICY = Policy(min_n=10)


def _districts(ids: list[str] = IDS) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"district_id": ids, "city": "Astana", "vintage": "astana-6", "name_en": ids,
                             "name_ru": [f"ru-{d}" for d in ids], "name_kk": [f"kk-{d}" for d in ids]},
                            geometry=[shapely.box(i, 0, i + 1, 1) for i in range(len(ids))], crs="EPSG:4326")


def _population(ids: list[str] = IDS) -> pd.DataFrame:
    return pd.DataFrame({"district_id": ids, "value": 10_000.0, "period_label": "2025", "source": "test"})


def _rows(plan: dict[str, dict[str, int]], *, seed: int = 1, weights: dict[str, list[float]] | None = None,
          answers: dict[str, list[float]] | None = None) -> pd.DataFrame:
    """Respondents by district and group (``plan[d][g]`` of them), answers cycling 1..5 unless given."""
    rng = np.random.default_rng(seed)
    frames = []
    for d, groups in plan.items():
        for g, k in groups.items():
            frames.append(pd.DataFrame({"city": "Astana", "district_id": d, "group": g,
                                        "weight": rng.uniform(0.9, 1.1, k), "q1": (np.arange(k) % 5 + 1.0)}))
    rows = pd.concat(frames, ignore_index=True)
    for d, w in (weights or {}).items():
        rows.loc[rows["district_id"] == d, "weight"] = w
    for d, a in (answers or {}).items():
        rows.loc[rows["district_id"] == d, "q1"] = a
    return rows


def _released(rows: pd.DataFrame, *, grouped: bool = True, items=(ITEM,), policy: Policy = POLICY,
              ids: list[str] = IDS, segregation: int = 0):
    keys = {"district_id": rows["district_id"].to_numpy()}
    if grouped:
        keys["group"] = rows["group"].to_numpy()
    counts = count_rows(keys, rows["weight"].to_numpy())
    base = from_counts(_districts(ids), counts, {}, _population(ids), "Astana", "astana-6", False, OPTIONS,
                       segregation_permutations=segregation)
    group = "group" if grouped else None
    raw = with_scores(base, rows, list(items), group=group) if items else base
    return raw, release(raw, rows, list(items), group=group, policy=policy)


def _bounds(shown: dict[tuple, float], lines: list[tuple[tuple, list[tuple]]], target: tuple) -> tuple[float, float]:
    """Independent attacker: least and greatest value of ``target`` given the shown cells' values and the
    lines (total cell, its parts); unknown cells are non-negative."""
    unknown = sorted({c for total, parts in lines for c in [total, *parts] if c not in shown} | {target})
    col = {c: i for i, c in enumerate(unknown)}
    a_eq, b_eq = [], []
    for total, parts in lines:
        row = np.zeros(len(unknown))
        rhs = 0.0
        for sign, cell in [(-1.0, total)] + [(1.0, p) for p in parts]:
            if cell in shown:
                rhs -= sign * shown[cell]
            else:
                row[col[cell]] += sign
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)
    c = np.zeros(len(unknown))
    c[col[target]] = 1.0
    lo = linprog(c, A_eq=np.array(a_eq), b_eq=b_eq, bounds=(0, None), method="highs")
    hi = linprog(-c, A_eq=np.array(a_eq), b_eq=b_eq, bounds=(0, None), method="highs")
    return lo.fun, (np.inf if hi.status == 3 else -hi.fun)


def _published_counts(result) -> tuple[dict[tuple, float], list[tuple[tuple, list[tuple]]], dict[tuple, float]]:
    """Every respondent count the released tables show (districts.n_rows, scores n + nonresponse of the city and
    of each group), the lines linking them, and the true counts (from the unreleased scores)."""
    d = result.districts.set_index("district_id")
    s = result.scores
    shown: dict[tuple, float] = {}
    for did in IDS:
        if not np.isnan(d.loc[did, "n_rows"]):
            shown[(did, "all")] = d.loc[did, "n_rows"]
    for r in s[s["item"] == "q1"].itertuples():
        key = (r.district_id if r.level == "district" else "city", r.group)
        if not r.suppressed:
            shown[key] = r.n + r.nonresponse
    groups = sorted(g for g in s["group"].unique() if g != "all")
    lines = [(("city", "all"), [(did, "all") for did in IDS])]
    lines += [(("city", g), [(did, g) for did in IDS]) for g in groups]
    lines += [((did, "all"), [(did, g) for g in groups]) for did in [*IDS, "city"]] if groups else []
    return shown, lines, {}


# -------------------------------------------------------------------------------------------- primary rules


def test_primary_rules_threshold_effective_n_and_dominance():
    # d1: 9 respondents -> threshold; d2: 12 with weights 5,1,...,1: n_eff = 16^2 / (25 + 11) = 7.1 < 10 -> n_eff;
    # d3: 10 where one carries 6.8 of 10: 68% > 50% -> dominance (n_eff = 100 / (46.24 + 9 * 0.1278) = 2.1);
    # d4: 40 of weight 1: none
    w3 = [6.8] + [3.2 / 9] * 9
    rows = _rows({"d1": {"a": 9}, "d2": {"a": 12}, "d3": {"a": 10}, "d4": {"a": 40}},
                 weights={"d2": [5.0] + [1.0] * 11, "d3": w3, "d4": [1.0] * 40})
    frame = rows.drop(columns="group")
    cells = cellmod.build(frame, _districts()[["district_id", "city"]], [cellmod.Item("q1", 1, 5)], None)
    reasons = sensitive(cells, [cellmod.Item("q1", 1, 5)], POLICY)
    assert reasons[:4].tolist() == ["threshold", "n_eff", "n_eff", ""]  # d3's n_eff (2.1) is found first
    only_dominance = Policy(min_n=2)  # below d3's n_eff: now only its top weight judges it
    assert sensitive(cells, [cellmod.Item("q1", 1, 5)], only_dominance)[2] == "dominance"
    two = Policy(min_n=2)
    w_two = [0.4, 0.4] + [0.2 / 8] * 8  # two carry 80% > 75%, neither 50%
    rows2 = _rows({"d1": {"a": 10}}, weights={"d1": w_two})
    cells2 = cellmod.build(rows2.drop(columns="group"), _districts(["d1"])[["district_id", "city"]], [], None)
    assert sensitive(cells2, [], two)[0] == "dominance"


def test_an_item_with_few_answers_is_as_sensitive_as_a_small_district():
    # d1 has 30 respondents but only 4 answered q1 (26 don't know): its estimate would be 4 people's
    answers = {"d1": [1.0, 2.0, 3.0, 4.0] + [np.nan] * 26}
    rows = _rows({"d1": {"a": 30}, "d2": {"a": 30}, "d3": {"a": 30}, "d4": {"a": 30}}, answers=answers)
    cells = cellmod.build(rows.drop(columns="group"), _districts()[["district_id", "city"]],
                          [cellmod.Item("q1", 1, 5)], None)
    assert sensitive(cells, [cellmod.Item("q1", 1, 5)], POLICY)[:4].tolist() == ["threshold", "", "", ""]
    _, out = _released(rows, grouped=False)
    d = out.districts.set_index("district_id")
    # hidden in the counts as well as in the scores: the scores' n of shown cells cannot give it back
    assert d.loc["d1", "suppressed"] and np.isnan(d.loc["d1", "n_rows"]) and np.isnan(d.loc["d1", "q1_mean"])
    assert d["suppressed"].sum() >= 2


def test_protection_requirement_by_hand():
    # count 3, min_n 10: the interval must reach 0 and max(3 + 5, 10) = 10
    assert protected(3, 0, 10, 3, POLICY, weighted=False)
    assert not protected(3, 0, 9, 3, POLICY, weighted=False)
    assert not protected(3, 1, 30, 3, POLICY, weighted=False)
    # count 30 (a dominance cell): 25 .. 35
    assert protected(30, 25, 35, 30, POLICY, weighted=False) and not protected(30, 26, 35, 30, POLICY, weighted=False)
    # weight 20 of 20 respondents: share 5/20 = 25% -> 15 .. 25
    assert protected(20.0, 15.0, 25.0, 20, POLICY, weighted=True)
    assert not protected(20.0, 15.0, 24.9, 20, POLICY, weighted=True)


# -------------------------------------------------------------------------------- the issue's minimal case


def test_group_cells_of_a_complement_do_not_give_the_small_district_back():
    # counts [9, 30, 45] by district, d2's groups 15 + 15: the old line-by-line rule hid d1 and d2 but showed
    # d2's group cells, whose sum is d2, and then d1 = city - d2 - d3. Attack every hidden count.
    plan = {"d1": {"a": 9}, "d2": {"a": 15, "b": 15}, "d3": {"a": 20, "b": 25}, "d4": {"a": 0, "b": 0}}
    plan["d4"] = {}
    rows = _rows({k: v for k, v in plan.items() if v})
    raw, out = _released(rows)
    shown, lines, _ = _published_counts(out)
    true = {}
    for r in raw.scores[raw.scores["item"] == "q1"].itertuples():
        true[(r.district_id if r.level == "district" else "city", r.group)] = r.n + r.nonresponse
    lo, hi = _bounds(shown, lines, ("d1", "all"))
    assert ("d1", "all") not in shown
    assert lo <= max(0, 9 - 5) + 1e-6 and hi >= 14 - 1e-6, (lo, hi)
    lo_a, hi_a = _bounds(shown, lines, ("d1", "a"))
    assert lo_a <= 4 + 1e-6 and hi_a >= 14 - 1e-6
    # the group b cell of d1 (no respondent) is hidden with its district: a shown 0 would say all nine are a
    groups = out.groups.set_index(["district_id", "group"])
    assert groups.loc[("d1", "b"), "suppressed"] and np.isnan(groups.loc[("d1", "b"), "count"])
    # what is shown is exact
    d = out.districts.set_index("district_id")
    assert d.loc["d3", "n_rows"] == 45 if not d.loc["d3", "suppressed"] else True


def test_nothing_small_hides_nothing():
    rows = _rows({d: {"a": 12, "b": 14} for d in IDS})
    raw, out = _released(rows)
    assert not out.districts["suppressed"].any() and not out.scores["suppressed"].any()
    assert out.groups["suppressed"].dtype == bool and not out.groups["suppressed"].any()
    assert out.report["release"]["hidden"] == [] and out.report["release"]["cells"]["hidden"] == 0
    pd.testing.assert_series_equal(out.scores["mean"], raw.scores["mean"])
    assert out.indices is not None and len(out.indices) == 2  # nothing hidden: the indices stay


# ------------------------------------------------------------------------------------ one pattern everywhere


def test_a_hidden_cell_is_hidden_in_every_table():
    rows = _rows({"d1": {"a": 6, "b": 5}, "d2": {"a": 20, "b": 20}, "d3": {"a": 25, "b": 22},
                  "d4": {"a": 30, "b": 31}})
    _, out = _released(rows)
    d = out.districts.set_index("district_id")
    hidden = set(d.index[d["suppressed"]])
    assert "d1" in hidden and len(hidden) >= 2
    for did in hidden:
        assert d.loc[did, ["count", "n_rows", "share_of_city", "per_1000", "q1_mean", "q1_n", "q1_ci_low",
                           "count_a", "count_b", "lq_a", "lq_b"]].isna().all()
        assert d.loc[did, "q1_reliability"] == "suppressed" and d.loc[did, "suppression"] == "suppressed"
        scores = out.scores[(out.scores["district_id"] == did)]
        assert scores["suppressed"].all() and scores[["n", "nonresponse", "weight_sum", "mean", "dist"]].isna().all().all()
        diffs = out.score_differences[out.score_differences["district_id"] == did]
        assert diffs["suppressed"].all() and diffs["diff"].isna().all()
    # one published word for every hidden cell, whatever the reason
    assert set(out.scores.loc[out.scores["suppressed"], "suppression"]) == {"suppressed"}
    assert set(out.groups.loc[out.groups["suppressed"], "suppression"]) == {"suppressed"}
    # the city's indices are left out (the city has hidden cells), and the report says so
    assert out.indices is not None and out.indices.empty
    assert {"output": "indices", "city": "Astana", "why": "hidden_cells"} in out.report["release"]["left_out"]


def test_location_quotients_only_from_shown_ingredients():
    rows = _rows({"d1": {"a": 6, "b": 5}, "d2": {"a": 20, "b": 20}, "d3": {"a": 25, "b": 22},
                  "d4": {"a": 30, "b": 31}})
    raw, out = _released(rows)
    g, r = out.groups.set_index(["district_id", "group"]), raw.groups.set_index(["district_id", "group"])
    d = out.districts.set_index("district_id")
    city_a_shown = not out.scores[(out.scores["level"] == "city") & (out.scores["group"] == "a")]["suppressed"].any()
    for (did, grp), row in g.iterrows():
        ingredients_shown = not row["suppressed"] and not d.loc[did, "suppressed"] and (city_a_shown or grp != "a")
        if ingredients_shown:
            assert row["lq"] == pytest.approx(r.loc[(did, grp), "lq"])
        if row["suppressed"] or d.loc[did, "suppressed"]:
            assert np.isnan(row["lq"]) and np.isnan(row["lq_low"])


def test_shrunk_means_only_over_shown_districts():
    rows = _rows({"d1": {"a": 4}, "d2": {"a": 40}, "d3": {"a": 40}, "d4": {"a": 40}, },
                 answers={"d1": [5.0] * 4, "d2": [1.0, 2.0] * 20, "d3": [3.0, 4.0] * 20, "d4": [2.0, 5.0] * 20})
    raw, out = _released(rows, grouped=False)
    d = out.districts.set_index("district_id")
    shown = d.index[~d["suppressed"]]
    # by hand: shrinkage over the shown districts only (fewer than 3 shown: none)
    if len(shown) < 3:
        assert d["q1_shrunk_mean"].isna().all()
    assert d.loc[d["suppressed"], "q1_shrunk_mean"].isna().all()
    assert raw.districts.set_index("district_id").loc["d1", "q1_shrunk_mean"] == pytest.approx(
        raw.districts.set_index("district_id").loc["d1", "q1_shrunk_mean"])


# ------------------------------------------------------------------------------------------ labels, report


def test_ids_as_groups_are_refused_with_the_column_named():
    rows = _rows({d: {"a": 12} for d in IDS})
    rows["group"] = [f"id{i}" for i in range(len(rows))]
    with pytest.raises(BadInput, match="group column 'group'.*48 of its 48 values have fewer than 10"):
        _released(rows)


def test_public_report_has_intervals_but_no_reasons_and_the_steward_copy_has_them():
    rows = _rows({"d1": {"a": 6, "b": 5}, "d2": {"a": 20, "b": 20}, "d3": {"a": 25, "b": 22},
                  "d4": {"a": 30, "b": 31}})
    _, out = _released(rows)
    public, steward = out.report["release"], out.report["release_steward"]
    assert public["min_n"] == 10 and public["rules"]["dominance"] == {"top1": 0.5, "top2": 0.75}
    assert public["hidden"] and all("reason" not in h for h in public["hidden"])
    assert {h["reason"] for h in steward["hidden"]} <= {"threshold", "n_eff", "dominance", "complement"}
    # d1's 11 respondents are not few, but its group cells (6 and 5) are: they are the sensitive ones
    d1 = next(h for h in steward["hidden"] if h["district_id"] == "d1" and h["group"] == "all")
    assert d1["reason"] == "complement" and d1["names"] == {"en": "d1", "ru": "ru-d1", "kk": "kk-d1"}
    d1a = next(h for h in steward["hidden"] if h["district_id"] == "d1" and h["group"] == "a")
    lo, hi = d1a["n_interval"]
    assert d1a["reason"] == "threshold" and lo <= 6 - 5 and hi >= 11  # protected by 5 either side
    assert public["audit"]["all_protected"] and steward["audit"]["programs"] > 0
    assert "programs" not in public["audit"] and "seconds" not in public["audit"]  # the work would count the small
    tables = {t["table"]: t for t in public["tables"]}
    assert tables["districts"]["hidden_rows"] == int(out.districts["suppressed"].sum())


def test_hexagons_of_a_city_with_small_hexagons_are_left_out():
    rows = _rows({d: {"a": 12, "b": 14} for d in IDS})
    raw, _ = _released(rows)
    grid = gpd.GeoDataFrame({"hex_id": ["h1", "h2"], "count": [3.0, 101.0], "n_points": [3, 101],
                             "gi_z": [0.1, -0.1]}, geometry=[shapely.Point(0, 0), shapely.Point(1, 0)])
    raw.hexagons = {8: grid}
    out = release(raw, rows, [ITEM], group="group", policy=POLICY)
    assert out.hexagons == {}
    assert {"output": "hexagons", "city": "Astana", "resolution": 8, "why": "small_hexagons"} in \
        out.report["release"]["left_out"]
    big = grid.assign(count=[30.0, 74.0], n_points=[30, 74])
    raw.hexagons = {8: big}
    kept = release(raw, rows, [ITEM], group="group", policy=POLICY)
    assert list(kept.hexagons) == [8] and kept.hexagons[8]["count"].tolist() == [30.0, 74.0]


# ----------------------------------------------------------------------------------------- rules and audit


def test_the_levels_as_the_report_states_them():
    assert Policy(min_n=12, top1=0.6, top2=0.8, protection=0.5).as_dict() == {
        "threshold": {"min_n": 12}, "n_eff": {"min": 12}, "dominance": {"top1": 0.6, "top2": 0.8},
        "protection": {"count_half_width": 6.0, "count_upper_at_least": 12, "weighted_half_width_respondents": 6.0}}


def test_one_respondent_is_sensitive():
    rows = _rows({"d1": {"a": 1}, "d2": {"a": 40}})
    cells = cellmod.build(rows.drop(columns="group"), _districts(["d1", "d2"])[["district_id", "city"]], [], None)
    assert sensitive(cells, [], POLICY)[:2].tolist() == ["threshold", ""]


def test_protection_edges_by_hand():
    # weighted, one respondent: the share is 5 / 1, so the interval must reach 6 x the value
    assert not protected(1.0, 0.0, 4.0, 1, POLICY, weighted=True)
    assert protected(1.0, 0.0, 6.0, 1, POLICY, weighted=True)
    # weighted, the lower end: 0.5 over one respondent must be allowed down to 0
    assert not protected(0.5, 0.5, 100.0, 1, POLICY, weighted=True)
    # weighted 20 of 20 respondents: down to 15 (16 is too high), up to 25
    assert not protected(20.0, 16.0, 25.0, 20, POLICY, weighted=True)
    # a count of 30: up to 35 (34 is too low)
    assert not protected(30, 25, 34, 30, POLICY, weighted=False)
    # the slack is relative to the value: 1e-7 of a billion is 100
    assert protected(1e9, 1e9 - 5 + 50, 1e9 + 5, 1e9, POLICY, weighted=False)
    assert not protected(1e9, 1e9 - 5 + 150, 1e9 + 5, 1e9, POLICY, weighted=False)
    # and at least 1e-7 in absolute terms; the ends themselves count
    assert not protected(1.0, 1.5e-7, 10.0, 1, POLICY, weighted=False)
    assert protected(3, 3e-7, 10 - 3e-7, 3, POLICY, weighted=False)


def _system(sizes: dict[str, list[int]]) -> cellmod.Cells:
    """Cells of cities whose districts hold the given numbers of respondents (weights 1, no groups)."""
    frames, ids = [], []
    for city, counts in sizes.items():
        for i, k in enumerate(counts):
            ids.append((f"{city}{i}", city))
            frames.append(pd.DataFrame({"city": [city] * k, "district_id": [f"{city}{i}"] * k, "weight": 1.0}))
    rows = pd.concat(frames, ignore_index=True)
    return cellmod.build(rows, pd.DataFrame(ids, columns=["district_id", "city"]), [], None)


def test_the_audit_intervals_by_hand():
    from geo.release.audit import Audit

    # one city, districts 3, 30, 45 (cells 0-2; the city is cell 3): 3 and 30 hidden, each lies in 0..33
    cells = _system({"A": [3, 30, 45]})
    audit = Audit(cells, np.array([True, True, False, False]))
    assert audit.interval(0, "n") == (0.0, 33.0) and audit.interval(1, "n") == (0.0, 33.0)
    assert audit.interval(2, "n") == (45.0, 45.0) and audit.programs == 4  # a shown cell needs no programme
    assert audit.interval(0, "n") == (0.0, 33.0) and audit.programs == 4  # asked again: remembered
    # the city hidden too: nothing bounds them above
    loose = Audit(cells, np.array([True, True, False, True]))
    assert loose.interval(0, "n") == (0.0, np.inf) and loose.interval(3, "n") == (45.0, np.inf)
    # two cities and their total: city A (3, 30, 5) hidden with its 3 and 5; the total minus city B (45)
    # gives A = 38, so its hidden part is 8 and A itself is known exactly
    two = _system({"A": [3, 30, 5], "B": [45]})
    keys = two.keys
    hidden = np.zeros(len(keys), dtype=bool)
    hidden[[0, 2]] = True
    hidden[keys.index[(keys["level"] == "city") & (keys["city"] == "A")]] = True
    audit = Audit(two, hidden)
    city_a = int(keys.index[(keys["level"] == "city") & (keys["city"] == "A")][0])
    assert audit.interval(city_a, "n") == pytest.approx((38.0, 38.0))
    assert audit.interval(0, "n") == pytest.approx((0.0, 8.0))


def test_the_rules_edges_exactly_at_their_levels():
    two = Policy(min_n=2)

    def reason(weights: list[float], policy: Policy = two) -> str:
        rows = _rows({"d1": {"a": len(weights)}}, weights={"d1": weights})
        cells = cellmod.build(rows.drop(columns="group"), _districts(["d1"])[["district_id", "city"]], [], None)
        return str(sensitive(cells, [], policy)[0])

    assert reason([5.0] + [1.0] * 5) == ""  # one carries exactly 50%: not more than half
    assert reason([5.01] + [1.0] * 5) == "dominance"
    assert reason([4.0, 3.5] + [0.5] * 5) == ""  # two carry exactly 75%
    assert reason([4.0, 3.6] + [0.5] * 5) == "dominance"
    assert reason([1.0] * 10, POLICY) == ""  # 10 respondents of equal weight: n_eff exactly 10
    # small weights (their squares sum below 1) are weights all the same: n_eff = 1.1025 / 0.2775 = 3.97
    assert reason([0.5] + [0.05] * 11, POLICY) == "n_eff"


def test_shrunk_means_follow_from_the_shown_cells_alone():
    """Attack on the non-linear figure: a shrunk mean that used a hidden district's mean would be an equation
    in it. Recomputed here from nothing but released numbers (Fay-Herriot moment estimate over the shown
    districts and the shown city mean), every published shrunk mean agrees."""
    ids = [f"d{i}" for i in range(1, 7)]
    rows = _rows({"d1": {"a": 4}, "d2": {"a": 40}, "d3": {"a": 30}, "d4": {"a": 35}, "d5": {"a": 25},
                  "d6": {"a": 50}},
                 answers={"d1": [5.0] * 4, "d2": [1.0, 2.0] * 20, "d3": [3.0, 4.0, 5.0] * 10,
                          "d4": [2.0, 5.0, 4.0, 3.0, 1.0] * 7, "d5": [4.0] * 20 + [5.0] * 5,
                          "d6": [1.0, 3.0] * 25})
    _, out = _released(rows, grouped=False, ids=ids)
    s = out.scores[(out.scores["item"] == "q1") & (out.scores["group"] == "all")]
    shown = s[(s["level"] == "district") & ~s["suppressed"]]
    centre = float(s.loc[s["level"] == "city", "mean"].iloc[0])
    assert s.loc[s["suppressed"], "shrunk_mean"].isna().all() and s["suppressed"].sum() >= 2  # d1 and another
    assert len(shown) >= 3
    tau2 = max(0.0, float(np.mean((shown["mean"] - centre) ** 2) - np.mean(shown["se"] ** 2)))
    expected = centre + tau2 / (tau2 + shown["se"] ** 2) * (shown["mean"] - centre)
    np.testing.assert_allclose(shown["shrunk_mean"], expected, rtol=1e-12)


def test_a_row_the_cells_do_not_know_is_hidden_not_shown():
    rows = _rows({d: {"a": 12, "b": 14} for d in IDS})
    raw, _ = _released(rows)
    stray = raw.scores.iloc[[0]].assign(district_id="zz", level="district")  # no such district in the cells
    raw.scores = pd.concat([raw.scores, stray], ignore_index=True)
    out = release(raw, rows, [ITEM], group="group", policy=POLICY)
    row = out.scores[out.scores["district_id"] == "zz"].iloc[0]
    assert row["suppressed"] and np.isnan(row["mean"]) and np.isnan(row["n"])
    assert not out.scores.loc[out.scores["district_id"] != "zz", "suppressed"].any()
