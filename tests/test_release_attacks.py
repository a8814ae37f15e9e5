"""Attacks on published survey datasets: each test builds a small survey by hand, joins it, publishes it and
then attacks the published files with the independent attacker (tests/attacker.py), the way a reader of the
dataset could. They describe what the release gate (geo/release/) must guarantee:

1. complements: hidden cells cannot be worked back from district totals and shown group cells;
2. scores and counts, suppressed on different n (answerers and respondents), do not give each other back;
3. isolation and dissimilarity carry nothing beyond the released cells;
4. a new version of a dataset is refused, or differs from the last in no small cell;
5. hexagons of a few points are not shown, and Gi* (computed from every hexagon) only when none is hidden;
6. a cell dominated by one respondent's weight is hidden.

plus refusals of a hand-edited join output, of a join made under a lower threshold than the server's, and of a
group column holding ids. A cell is sensitive by the rules in ``tests.attacker.true_cells`` (fewer than min_n
respondents or answerers, Kish n_eff below min_n, dominance); protection means the attacker's interval still
covers the protection interval (``tests.attacker.protection_failures``).
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.errors import BadInput
from geo.join.pipeline import join_user_data
from geo.publish import publish, remove
from tests.attacker import attack, describe, disclosures, protection_failures, true_cells
from tests.survey_frames import DISTRICTS, SIDE, districts, population

MIN_N = 10
CITY_OF = {en: city for _id, city, _v, en, *_ in DISTRICTS}
ID_OF = {en: d for d, _c, _v, en, *_ in DISTRICTS}
SARYARKA = "711310000"


# ------------------------------------------------------------------------------------------------ helpers


def people(district: str, group: str | None, n: int, *, weights=(0.9, 1.0, 1.1), answered: int | None = None,
           start: int = 0) -> list[dict]:
    """``n`` respondents of a district (English name) and group; weights cycle through ``weights``; the first
    ``answered`` (default all) answer Q1 (1..5 in turn), the others say they do not know."""
    answered = n if answered is None else answered
    out = []
    for i in range(n):
        row = {"district": district, "weight": weights[i % len(weights)],
               "Q1": 1 + (start + i) % 5 if i < answered else None}
        if group is not None:
            row["group"] = group
        out.append(row)
    return out


def write_survey(path: Path, rows: list[dict]) -> Path:
    """The rows as a CSV (city, district, [group], weight, Q1 with "не знаю" for no answer)."""
    columns = ["city", "district", *(["group"] if "group" in rows[0] else []), "weight", "Q1"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            city = row.get("city") or CITY_OF.get(row["district"], "Astana")
            values = {**row, "city": city, "Q1": "не знаю" if row["Q1"] is None else row["Q1"],
                      "weight": repr(float(row["weight"]))}
            writer.writerow([values[c] for c in columns])
    return path


def truth_of(rows: list[dict], ids: dict[str, str] | None = None) -> pd.DataFrame:
    """The respondents as the attacker's truth (published city names and district ids)."""
    ids = ids or {**ID_OF, "Saryarka": SARYARKA}
    frame = pd.DataFrame([{"city": r.get("city") or CITY_OF.get(r["district"], "Astana"),
                           "district_id": ids[r["district"]], **({"group": r["group"]} if "group" in r else {}),
                           "weight": float(r["weight"]), "Q1": np.nan if r["Q1"] is None else float(r["Q1"])}
                          for r in rows])
    return true_cells(frame, MIN_N, items={"Q1": (1, 5)})


def join(tmp_path: Path, rows: list[dict], name: str = "out", *, frame=None, pop=None, **kwargs) -> Path:
    """Join the rows (written as a CSV) and write the join output; returns its folder."""
    path = write_survey(tmp_path / f"{name}.csv", rows)
    options = {"city_col": "city", "district_col": "district", "weight_col": "weight", "scores": ["Q1:1-5"],
               "min_n": MIN_N, "h3_res": (), "permutations": 0,
               "group_col": "group" if "group" in rows[0] else None, **kwargs}
    result = join_user_data(path, districts=districts() if frame is None else frame,
                            population=population() if pop is None else pop, **options)
    assert result.report["joined_rows"] == len(rows), result.report["set_aside_by_reason"]
    out = tmp_path / name
    result.write(out)
    return out


def publish_to(out: Path, root: Path, name: str = "x") -> Path:
    return publish(out, name, title="t", source="s", period="2024", root=root)


def assert_protected(version: Path, truth: pd.DataFrame) -> list[dict]:
    findings = attack([version])
    failures = protection_failures(findings, truth, MIN_N)
    assert not failures, describe(failures)
    return findings


def three_astana_districts() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """survey_frames' districts plus Astana's Saryarka (a third square east of Esil), and its population."""
    frame = districts()
    extra = gpd.GeoDataFrame([{"district_id": SARYARKA, "city": "Astana", "vintage": "astana-6",
                               "name_en": "Saryarka", "name_ru": "Сарыарка", "name_kk": "Сарыарқа"}],
                             geometry=[shapely.box(71.44, 51.10, 71.44 + SIDE, 51.10 + SIDE)], crs="EPSG:4326")
    pop = population()
    pop = pd.concat([pop, pd.DataFrame({"district_id": [SARYARKA], "value": [70_000.0],
                                        "period_label": "2025 (start)", "source": "hand-made test figure"})])
    return gpd.GeoDataFrame(pd.concat([frame, extra], ignore_index=True), crs=frame.crs), pop


def other_cities(n: int = 24) -> list[dict]:
    """Comfortable cells in Almaty and Shymkent (nothing to hide there)."""
    return [r for en in ("Medeu", "Bostandyk", "Abay", "Turan") for g in ("local", "migrant")
            for r in people(en, g, n)]


# ------------------------------------------------------------------------------------------------ 1-6


def test_complement_group_cells_do_not_give_back_the_hidden_districts(tmp_path):
    """Astana's district totals 9, 30, 45: the 9 (Almaty, all "local") is hidden, and the 30 (Esil) with it as
    the complement of the city line. Esil's group cells (12 "migrant" + 18 "local") must not stay shown: they
    add up to Esil's total, and the city total minus 30 and 45 gives the 9 back. (Saryarka's 2 "other"
    respondents are hidden on their own, so no per-group line asks for Esil's cells: a gate that completes
    each line separately leaves them shown. Almaty's 12 "other" keep the category a category.)"""
    frame, pop = three_astana_districts()
    rows = (people("Almaty", "local", 9)
            + people("Esil", "migrant", 12) + people("Esil", "local", 18)
            + people("Saryarka", "migrant", 33) + people("Saryarka", "local", 10) + people("Saryarka", "other", 2)
            + people("Medeu", "other", 12) + other_cities())
    version = publish_to(join(tmp_path, rows, frame=frame, pop=pop), tmp_path / "ds")
    truth = truth_of(rows)
    assert truth.loc[[("Astana", ID_OF["Almaty"], "all")], "sensitive"].iloc[0]
    assert_protected(version, truth)


def test_scores_and_counts_suppressed_on_different_n_do_not_give_each_other_back(tmp_path):
    """Astana's Almaty district has 40 respondents but only 4 answered Q1 (36 don't know): the counts are
    safe to show, its Q1 estimate is not; neither table may give the other's hidden cells back (the district
    count with the scores' non-response, the national answered count in metadata with the other cities')."""
    rows = (people("Almaty", "local", 20, answered=2) + people("Almaty", "migrant", 20, answered=2, start=3)
            + people("Esil", "local", 20) + people("Esil", "migrant", 20) + other_cities())
    version = publish_to(join(tmp_path, rows), tmp_path / "ds")
    truth = truth_of(rows)
    assert truth.loc[[("Astana", ID_OF["Almaty"], "all")], "sensitive:Q1"].iloc[0]
    assert not truth.loc[[("Astana", ID_OF["Almaty"], "all")], "sensitive_counts"].iloc[0]
    assert_protected(version, truth)


def _recomputed(shown: pd.DataFrame, group: str) -> dict[str, float]:
    """Dissimilarity and isolation of ``group`` over the districts whose every group cell is shown."""
    wide = shown.pivot_table(index="district_id", columns="group", values="count", aggfunc="sum")
    wide = wide.dropna()
    if group not in wide or wide.empty:
        return {"dissimilarity": math.nan, "isolation": math.nan}
    x, t = wide[group].to_numpy(float), wide.sum(axis=1).to_numpy(float)
    big_x, big_t = x.sum(), t.sum()
    if big_x <= 0 or big_t - big_x <= 0:
        return {"dissimilarity": math.nan, "isolation": math.nan}
    with np.errstate(divide="ignore", invalid="ignore"):
        iso = float(np.nansum(np.where(t > 0, (x / big_x) * (x / t), 0.0)))
    return {"dissimilarity": float(0.5 * np.abs(x / big_x - (t - x) / (big_t - big_x)).sum()), "isolation": iso}


def test_indices_of_a_city_with_a_hidden_cell_carry_nothing_beyond_the_released_cells(tmp_path):
    """Astana's Almaty district holds 6 respondents: its group cells are hidden. Isolation and dissimilarity
    of Astana, computed from every cell, would carry them; they must be absent, or equal the index computed
    from the released cells alone."""
    rows = (people("Almaty", "local", 4) + people("Almaty", "migrant", 2) + people("Esil", "local", 30)
            + people("Esil", "migrant", 14) + other_cities())
    version = publish_to(join(tmp_path, rows), tmp_path / "ds")
    truth = truth_of(rows)
    assert truth.loc[[("Astana", ID_OF["Almaty"], "migrant")], "sensitive"].iloc[0]
    groups = pd.read_parquet(version / "groups.parquet") if (version / "groups.parquet").exists() else None
    indices = pd.read_parquet(version / "indices.parquet") if (version / "indices.parquet").exists() else None
    if indices is None or indices.empty:
        return
    for city in ("Astana", "Almaty", "Shymkent"):
        cells = truth[[k[0] == city and k[1] is not None and k[2] != "all" for k in truth.index]]
        shown = pd.DataFrame(columns=["district_id", "group", "count"])
        if groups is not None:
            shown = groups[(groups["city"] == city) & groups["count"].notna()]
        shown_keys = {(city, str(d), str(g)) for d, g in zip(shown["district_id"], shown["group"], strict=True)}
        hidden = [k for k in cells.index if cells.loc[[k], "respondents"].iloc[0] > 0 and k not in shown_keys]
        if not hidden:
            continue
        mine = indices[indices["city"] == city] if "city" in indices else indices
        value_columns = [c for c in mine.columns if c.startswith(("dissimilarity", "isolation"))]
        for _, row in mine.iterrows():
            expected = _recomputed(shown, str(row["group"]))
            for column in value_columns:
                value = row[column]
                if pd.isna(value):
                    continue
                base = "dissimilarity" if column.startswith("dissimilarity") else "isolation"
                assert column in (base, f"{base}_pysal"), (
                    f"{city} {row['group']}: {column} = {value} is computed from hidden cells")
                assert not math.isnan(expected[base]), (
                    f"{city} {row['group']}: {column} = {value} is published, but the released cells give none")
                assert value == pytest.approx(expected[base], abs=1e-9), (
                    f"{city} {row['group']}: {column} = {value}, but the released cells give {expected[base]}")


def test_a_new_version_differing_by_one_respondent_is_refused_or_discloses_nothing(tmp_path):
    """v1, then the same survey with one more respondent as v2 of the same name: comparing the two releases
    would describe that respondent. Publishing v2 is refused (one line) or no count pinned in both differs by
    1 .. min_n-1; once v1 is removed, v2 publishes."""
    rows = (people("Almaty", "local", 20) + people("Almaty", "migrant", 15) + people("Esil", "local", 25)
            + people("Esil", "migrant", 12) + other_cities())
    root = tmp_path / "ds"
    v1 = publish_to(join(tmp_path, rows, "out1"), root)
    later = rows + people("Esil", "migrant", 1, weights=(1.3,), start=2)
    out2 = join(tmp_path, later, "out2")
    try:
        v2 = publish_to(out2, root)
    except BadInput as exc:
        assert "\n" not in str(exc) and str(exc)
        v2 = None
    if v2 is not None:
        found = disclosures(attack([v1, v2]))
        assert not found, f"{len(found)} differences disclose: " + "; ".join(
            f"{f['cell']} {f['quantity']} {f['before']:g} -> {f['after']:g}" for f in found[:6])
    remove("x", "v1", root=root)
    again = publish_to(out2, root)
    assert (again / "metadata.json").is_file()
    assert json.loads((again / "metadata.json").read_text())["n"] == len(later)


def test_hexagons_of_a_few_points_are_not_shown_and_gi_star_only_when_none_is_hidden(tmp_path):
    """A points survey (no score): 30 points in one spot and 3 scattered ones in Astana. No hexagon may show
    1..9 points, and Gi* of a city, computed from every hexagon's count, only when none of its hexagons is
    hidden."""
    rng = np.random.default_rng(5)
    (x0, y0) = next(d[6] for d in DISTRICTS if d[3] == "Esil")
    points = [(x0 + 0.010 + rng.uniform(-1e-4, 1e-4), y0 + 0.010 + rng.uniform(-1e-4, 1e-4)) for _ in range(30)]
    points += [(x0 - 0.015, y0 + 0.003), (x0 - 0.004, y0 + 0.017), (x0 + 0.017, y0 + 0.002)]
    path = tmp_path / "points.csv"
    path.write_text("lon,lat\n" + "".join(f"{lon:.6f},{lat:.6f}\n" for lon, lat in points), encoding="utf-8")
    true = pd.Series([h3.latlng_to_cell(round(lat, 6), round(lon, 6), 8) for lon, lat in points]).value_counts()
    assert ((true > 0) & (true < MIN_N)).any()
    result = join_user_data(path, lon_col="lon", lat_col="lat", min_n=MIN_N, districts=districts(),
                            population=population(), h3_res=(8,), permutations=0)
    out = tmp_path / "out"
    result.write(out)
    file = out / "hexagons_r8.geojson"
    if not file.exists():
        return
    grid = gpd.read_file(file)
    if grid.empty:
        return
    for column in ("n_points", "count"):
        if column in grid:
            values = pd.to_numeric(grid[column], errors="coerce")
            small = grid.loc[(values > 0) & (values < MIN_N), "hex_id"].tolist()
            assert not small, f"hexagons showing {column} of 1..{MIN_N - 1}: {small}"
    shown = grid[pd.to_numeric(grid.get("n_points", grid.get("count")), errors="coerce").notna()]
    wrong = [h for h in shown["hex_id"] if 0 < true.get(h, 0) < MIN_N]
    assert not wrong, f"hexagons shown with 1..{MIN_N - 1} points behind them: {wrong}"
    # every point is in Astana: a hexagon of few points there is hidden, so Astana's Gi* must not be shown
    for column in ("gi_z", "gi_p", "gi_p_sim"):
        if column in grid:
            assert pd.to_numeric(grid[column], errors="coerce").isna().all(), (
                f"{column} published although hexagons of the city are hidden")
    for column in ("hot", "cold"):
        if column in grid:
            assert not grid[column].fillna(False).astype(bool).any(), f"{column} published with hidden hexagons"


def test_a_cell_dominated_by_one_respondents_weight_is_hidden(tmp_path):
    """Astana's Almaty district: 10 respondents, one carrying 68% of the weight: its estimate is that
    respondent's answer, near enough; it must be hidden (and not worked back)."""
    heavy = 0.68 * 9 / 0.32
    rows = (people("Almaty", None, 10, weights=(heavy, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0))
            + people("Esil", None, 40) + [r for en in ("Medeu", "Bostandyk", "Abay", "Turan")
                                          for r in people(en, None, 30)])
    version = publish_to(join(tmp_path, rows), tmp_path / "ds")
    truth = truth_of(rows)
    key = ("Astana", ID_OF["Almaty"], "all")
    assert truth.loc[[key], "weight"].iloc[0] * 0.68 == pytest.approx(heavy)
    scores = pd.read_parquet(version / "scores.parquet")
    mine = scores[(scores["district_id"] == ID_OF["Almaty"]) & (scores["group"] == "all")]
    assert mine["mean"].isna().all(), "the dominated district's Q1 mean is shown"
    wide = pd.read_parquet(version / "districts.parquet").set_index("district_id")
    if "Q1_mean" in wide:
        assert pd.isna(wide.loc[ID_OF["Almaty"], "Q1_mean"])
    findings = attack([version])
    failures = [f for f in protection_failures(findings, truth, MIN_N) if f["cell"] == key]
    assert not failures, describe(failures)


# ------------------------------------------------------------------------------------------------ refusals


def test_publish_refuses_a_hand_edited_scores_table_showing_a_small_cell(tmp_path):
    rows = (people("Almaty", "local", 3) + people("Esil", "local", 30) + people("Esil", "migrant", 20)
            + people("Almaty", "migrant", 20) + other_cities())
    out = join(tmp_path, rows)
    scores = pd.read_csv(out / "scores.csv", encoding="utf-8-sig", dtype={"district_id": str})
    target = ((scores["district_id"] == ID_OF["Almaty"]) & (scores["group"] == "local")
              & (scores["item"] == "Q1"))
    assert target.sum() == 1
    scores.loc[target, ["n", "nonresponse", "weight_sum", "mean", "n_eff"]] = [3, 0, 3.0, 2.0, 2.97]
    scores.loc[target, ["ci_low", "ci_high", "se"]] = [0.5, 3.5, 0.4]
    scores.loc[target, "suppressed"] = False
    scores.loc[target, "suppression"] = np.nan
    scores.loc[target, "reliability"] = "poor"
    scores.to_csv(out / "scores.csv", index=False, encoding="utf-8-sig")
    with pytest.raises(BadInput) as caught:
        publish_to(out, tmp_path / "ds")
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "ds" / "x").exists() or not any((tmp_path / "ds" / "x").iterdir())


def test_publish_refuses_a_join_made_under_a_lower_threshold_than_the_servers(tmp_path, monkeypatch):
    monkeypatch.setenv("QALA_MIN_N", "10")
    rows = people("Almaty", "local", 3) + people("Esil", "local", 30) + other_cities()
    out = join(tmp_path, rows, min_n=2)
    with pytest.raises(BadInput) as caught:
        publish_to(out, tmp_path / "ds")
    assert "\n" not in str(caught.value)


def test_a_group_column_holding_ids_is_refused_naming_the_column(tmp_path):
    rows = [{**r, "group": f"R{i:04d}"} for i, r in enumerate(people("Esil", None, 30) + people("Almaty", None, 30))]
    text = ["city,district,respondent_code,weight,Q1"]
    for r in rows:
        text.append(f"Astana,{r['district']},{r['group']},{r['weight']},{r['Q1']}")
    path = tmp_path / "ids.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(BadInput) as caught:
        result = join_user_data(path, city_col="city", district_col="district", group_col="respondent_code",
                                weight_col="weight", scores=["Q1:1-5"], min_n=MIN_N, districts=districts(),
                                population=population(), h3_res=(), permutations=0)
        result.write(tmp_path / "out")
        publish_to(tmp_path / "out", tmp_path / "ds")
    assert "respondent_code" in str(caught.value)


# ------------------------------------------------------------------------------------------------ the oracle


def _hand_made_release(folder: Path, esil_rows: int) -> Path:
    """A version folder written by hand: Astana's Esil shown (n_rows, count, Q1), Almaty hidden, the city's Q1
    shown: national n minus Esil gives Almaty's respondents, the city's weighted sums minus Esil's its own."""
    folder.mkdir(parents=True)
    a, e = ID_OF["Almaty"], ID_OF["Esil"]
    total = esil_rows + 5
    pd.DataFrame({"district_id": [a, e], "city": "Astana", "vintage": "astana-6", "count": [np.nan, 30.0],
                  "n_rows": [np.nan, float(esil_rows)], "suppressed": [True, False]}).to_parquet(
        folder / "districts.parquet")
    dist = json.dumps({"1": 0.0, "2": 0.0, "3": 1.0, "4": 0.0, "5": 0.0})
    pd.DataFrame({"city": "Astana", "level": ["district", "district", "city"], "district_id": [a, e, None],
                  "item": "Q1", "group": "all", "scale": "1-5", "top_box": "5-5",
                  "n": [np.nan, float(esil_rows), float(total)], "nonresponse": [np.nan, 0.0, 0.0],
                  "weight_sum": [np.nan, 30.0, 40.0], "mean": [np.nan, 3.0, 3.25],
                  "dist": [None, dist, json.dumps({"1": 0.0, "2": 0.0, "3": 0.75, "4": 0.25, "5": 0.0})],
                  "suppressed": [True, False, False]}).to_parquet(folder / "scores.parquet")
    meta = {"name": folder.parent.name, "version": folder.name, "n": total, "min_n": MIN_N, "groups": [],
            "items": [{"item": "Q1", "low": 1, "high": 5, "top": 1, "dont_know": 0, "blank": 0}],
            "rows": {"weighted_total": 40.0}}
    (folder / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def test_the_attacker_works_back_a_hidden_cell_and_a_difference_between_versions(tmp_path):
    """The oracle's own check, on releases written by hand (no geo code involved)."""
    v1 = _hand_made_release(tmp_path / "ds" / "hand" / "v1", 30)
    v2 = _hand_made_release(tmp_path / "ds" / "hand" / "v2", 31)
    findings = attack([v1, v2])
    got = {(f["version"], f["cell"], f["quantity"]): (f["lo"], f["hi"]) for f in findings if f["kind"] == "interval"}
    almaty = ("Astana", ID_OF["Almaty"], "all")
    assert got[("v1", almaty, "respondents")] == (5, 5)
    assert got[("v1", almaty, "weight")] == pytest.approx((10.0, 10.0), abs=1e-5)
    assert got[("v1", almaty, "wsum:Q1")] == pytest.approx((40.0, 40.0), abs=1e-5)  # 3.25 x 40 - 3 x 30
    assert got[("v1", almaty, "wpoint:Q1=4")] == pytest.approx((10.0, 10.0), abs=1e-4)  # all its weight said 4
    truth = pd.DataFrame([{"city": "Astana", "district_id": ID_OF["Almaty"], "weight": 2.0, "Q1": 4.0}] * 5
                         + [{"city": "Astana", "district_id": ID_OF["Esil"], "weight": 1.0, "Q1": 3.0}] * 30)
    cells = true_cells(truth, MIN_N, items={"Q1": (1, 5)}, group=None)
    failures = protection_failures([f for f in findings if f.get("version") == "v1"], cells, MIN_N)
    assert {f["quantity"] for f in failures if f["cell"] == almaty} >= {"respondents", "weight", "wsum:Q1"}
    moved = disclosures(findings)
    assert ("Astana", ID_OF["Esil"], "all") in {f["cell"] for f in moved}
    assert all(abs(f["delta"]) == 1 for f in moved)


def test_the_uploads_bundle_and_page_give_back_no_hidden_cell(tmp_path, monkeypatch):
    """What the browser's upload hands its user — the result bundle and the page's kept figures — with the
    attack of the other tests: the bundle, unpacked and published, protects Astana's small Almaty district and
    its complement; it holds neither the steward's reasons (which hidden cells are the small ones) nor an input
    row; and the page keeps, of every hidden cell, no figure at all."""
    import io
    import zipfile

    import geo.api as api
    from dashboard.upload.job import result_store

    monkeypatch.setenv("QALA_MIN_N", str(MIN_N))
    frame, pop = three_astana_districts()
    rows = (people("Almaty", "local", 9) + people("Esil", "migrant", 12) + people("Esil", "local", 18)
            + people("Saryarka", "migrant", 33) + people("Saryarka", "local", 10) + other_cities())
    path = write_survey(tmp_path / "s.csv", rows)
    result = api.join(path, city_col="city", district_col="district", weight_col="weight", group_col="group",
                      scores=["Q1:1-5"], min_n=MIN_N, h3_res=(), permutations=0, districts=frame, population=pop)
    archive = zipfile.ZipFile(io.BytesIO(api.bundle(result)))
    report = json.loads(archive.read("report.json"))
    assert "release_steward" not in report and "set_aside_first" not in report and "release" in report
    assert "set_aside.csv" not in archive.namelist()
    archive.extractall(tmp_path / "bundle")
    version = publish_to(tmp_path / "bundle", tmp_path / "ds")
    assert_protected(version, truth_of(rows))
    store = result_store(result, "s.csv")
    hidden = [r for r in store["rows"] if r.get("suppressed")]
    assert {r["district_id"] for r in hidden} >= {ID_OF["Almaty"]}
    for row in hidden:  # every count, share, rate and estimate of a hidden district is absent, not zero
        assert all(row.get(k) is None for k in ("count", "n_rows", "share_of_city", "per_1000", "Q1_mean", "Q1_n"))
        assert str(row["district_id"]) not in store["details"].get("Q1", {}) or \
            store["details"]["Q1"][str(row["district_id"])].get("dist") is None
