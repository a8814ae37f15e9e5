"""`qala join` on the mini build (no mirror needed): a survey of points placed by hand in the mini squares, every
statistic worked out by hand; the same by district names; the dask engine agrees; the CLI writes one folder.

Mini Astana (astana-4, latest): Esil (0,-0.5)-(2,1.5) km, Nura (2,0)-(4,2), Saryarka (0,1.5)-(2,3.5),
Almaty district (2,2)-(4,4); populations at the start of 2025: Esil 22,000, Nura 13,000, Saryarka 31,000,
Almaty 38,000 (tests/mini/make.py).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from geo.cli import main
from geo.join.pipeline import join_user_data
from tests.mini.make import ALMATY_D, ESIL, NURA, SARYARKA, _lonlat

# (x km, y km, group) in mini Astana; then one point in mini Almaty, one far outside, two bad rows.
POINTS = [(1.0, 0.5, "a"), (1.2, 0.4, "a"), (0.8, 0.6, "b"),   # Esil: a, a, b
          (3.0, 1.0, "b"), (3.2, 0.8, "b"),                    # Nura: b, b
          (1.0, 3.0, "a")]                                     # Saryarka: a   (Almaty district: none)


def _survey(tmp_path, name="survey.csv"):
    lines = ["широта;долгота;группа"]
    for x, y, g in POINTS:
        lat, lon = _lonlat(x, y, "Astana").split(",")
        lines.append(f"{lat.replace('.', ',')};{lon.replace('.', ',')};{g}")
    lat, lon = _lonlat(1.0, 1.0, "Almaty").split(",")
    lines += [f"{lat};{lon};a", "51,9;72,9;a", "abc;71,4;b", ";71,4;a"]  # rows 7-10
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1251"))
    return path


@pytest.fixture
def mini_store(mini_build, monkeypatch):
    monkeypatch.setenv("QALA_BUILD", str(mini_build))
    return mini_build


def test_points_give_hand_computed_counts_shares_rates_and_indices(mini_store, tmp_path):
    result = join_user_data(_survey(tmp_path), city="Astana", group_col="группа", h3_res=[], permutations=0)
    assert (result.city, result.vintage) == ("Astana", "astana-4")
    r = result.report
    assert (r["input_rows"], r["joined_rows"], r["set_aside_rows"]) == (10, 6, 4)
    reasons = dict(zip(result.set_aside["row"], result.set_aside["reason"], strict=True))
    assert reasons[7] == "in Almaty, not in the chosen city Astana"
    assert reasons[8] == "outside every district of Astana (astana-4)"
    assert reasons[9].startswith("non-numeric latitude") and reasons[10].startswith("missing latitude")

    d = result.districts.set_index("district_id")
    assert d["count"].to_dict() == {ALMATY_D: 0, ESIL: 3, SARYARKA: 1, NURA: 2}  # zero is real: the city is covered
    assert d.loc[ESIL, "share_of_city"] == pytest.approx(3 / 6)
    assert d.loc[NURA, "per_1000"] == pytest.approx(2 / 13_000 * 1000)  # 0.1538 per 1,000 residents
    assert d.loc[ALMATY_D, "per_1000"] == 0.0
    assert d.loc[ESIL, "population_period"] == "2025 (start)"
    # LQ of a = (a in district / all in district) / (a in city / all in city) = (2/3) / (3/6) = 1.333 in Esil,
    # (1/1) / (1/2) = 2 in Saryarka, 0 in Nura, undefined (0/0) in Almaty district
    assert d.loc[ESIL, "lq_a"] == pytest.approx(4 / 3) and d.loc[SARYARKA, "lq_a"] == pytest.approx(2.0)
    assert d.loc[NURA, "lq_a"] == 0.0 and np.isnan(d.loc[ALMATY_D, "lq_a"])
    # D(a) = 1/2 (|2/3 - 1/3| + |0 - 2/3| + |1/3 - 0|) = 2/3; isolation(a) = 2/3 * 2/3 + 1/3 * 1/1 = 7/9
    idx = result.indices.set_index("group")
    assert idx.loc["a", "dissimilarity"] == pytest.approx(2 / 3)
    assert idx.loc["a", "isolation"] == pytest.approx(7 / 9)
    assert idx.loc["b", "isolation"] == pytest.approx(1 / 3 * 1 / 3 + 2 / 3 * 2 / 2)  # 7/9 by symmetry


def test_names_join_in_three_languages(mini_store, tmp_path):
    path = tmp_path / "names.csv"
    path.write_bytes("район\nЕсильский район\nYesil\nНұра\nСарыарка\nАтлантида\n\n".encode("utf-8-sig"))
    result = join_user_data(path, city="Astana", h3_res=[])
    d = result.districts.set_index("district_id")["count"].to_dict()
    assert d == {ALMATY_D: 0, ESIL: 2, SARYARKA: 1, NURA: 1}
    assert dict(zip(result.set_aside["row"], result.set_aside["reason"], strict=True)) == {
        5: "unknown district name 'Атлантида' in Astana"}


def test_old_boundaries_put_nura_rows_in_the_old_esil(mini_store, tmp_path):
    result = join_user_data(_survey(tmp_path), city="Astana", vintage="astana-3", group_col="группа",
                            h3_res=[], permutations=0)
    # astana-3 has no boundary file: its districts come from lineage (Esil = Esil + Nura), so they have geometry
    d = result.districts.set_index("district_id")["count"].to_dict()
    assert d == {ALMATY_D: 0, ESIL: 5, SARYARKA: 1}


def test_dask_engine_gives_the_same_result(mini_store, tmp_path):
    csv = _survey(tmp_path)
    frame = pd.read_csv(csv, sep=";", encoding="cp1251", dtype=str)
    for col in ("широта", "долгота"):  # the out-of-core path needs numeric columns: text cells become NaN
        frame[col] = pd.to_numeric(frame[col].str.replace(",", "."), errors="coerce")
    parquet = tmp_path / "survey.parquet"
    frame.to_parquet(parquet)
    memory = join_user_data(parquet, city="Astana", group_col="группа", h3_res=[], permutations=0)
    dask = join_user_data(parquet, city="Astana", group_col="группа", h3_res=[], permutations=0, engine="dask")
    cols = ["district_id", "count", "share_of_city", "per_1000"]
    pd.testing.assert_frame_equal(memory.districts[cols].reset_index(drop=True),
                                  dask.districts[cols].reset_index(drop=True), check_dtype=False)
    assert memory.report["joined_rows"] == dask.report["joined_rows"] == 6


def test_cli_writes_one_folder_and_reports(mini_store, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["join", str(_survey(tmp_path)), "--city", "Astana", "--group-col", "группа", "-o", str(out),
                 "--permutations", "0", "--h3-res", "8"]) == 0
    assert "10 rows, 6 joined to astana-4 (Astana), 4 set aside" in capsys.readouterr().out
    report = json.loads((out / "report.json").read_text())
    assert report["joined_rows"] + report["set_aside_rows"] == report["input_rows"] == 10
    assert pd.read_csv(out / "set_aside.csv")["row"].tolist() == [7, 8, 9, 10]
    assert {p.name for p in out.iterdir()} >= {"districts.geojson", "districts.csv", "groups.csv", "indices.csv"}
    assert main(["join", str(tmp_path / "missing.csv"), "-o", str(out)]) == 2


def test_without_a_city_each_row_goes_to_the_city_that_holds_it(mini_store, tmp_path):
    """No --city and no city column: one output covering every city the rows fall in (6 rows in Astana, 1 in
    Almaty), each row counted in its own city's districts, and the report saying so."""
    result = join_user_data(_survey(tmp_path), group_col="группа", h3_res=[], permutations=0)
    assert (result.city, result.vintage) == ("Astana, Almaty", "astana-4, almaty-3")
    assert result.report["joined_rows"] == 7 and result.report["set_aside_rows"] == 3
    by_city = result.districts.groupby("city")["count"].sum().to_dict()
    assert by_city == {"Astana": 6, "Almaty": 1}
    almaty = tmp_path / "almaty.csv"
    rows = [_lonlat(x, y, "Almaty") for x, y in ((1, 1), (1, -1), (-1, -1))] + [_lonlat(1, 1, "Astana")]
    almaty.write_text("lat,lon\n" + "\n".join(rows) + "\n")
    by_city = join_user_data(almaty, h3_res=[]).districts.groupby("city")["count"].sum().to_dict()
    assert by_city == {"Almaty": 3, "Astana": 1}
    names = tmp_path / "names.csv"
    names.write_text("district\nAlmaly\nBostandyk\nEsil\n")  # unambiguous names resolve across cities
    by_city = join_user_data(names, h3_res=[]).districts.groupby("city")["count"].sum().to_dict()
    assert by_city == {"Almaty": 2, "Astana": 1}


def test_bad_choices_are_one_line_errors_that_say_the_fix(mini_store, tmp_path):
    from geo.errors import BadInput, UnknownName

    path = _survey(tmp_path)
    with pytest.raises(UnknownName, match=r"unknown city 'Aktobe'; use one of Astana, Almaty, Shymkent \(--city\)"):
        join_user_data(path, city="Aktobe", h3_res=[])
    with pytest.raises(BadInput, match=r"vintage 'almaty-3' is of Almaty, not Astana; drop --city or change "
                                       r"--vintage"):
        join_user_data(path, city="Astana", vintage="almaty-3", h3_res=[])
    with pytest.raises(UnknownName, match=r"unknown vintage 'astana-9'.*\(--vintage\)"):
        join_user_data(path, vintage="astana-9", h3_res=[])
    steppe = tmp_path / "steppe.csv"
    steppe.write_text("lat,lon\n47.0,68.0\n")
    with pytest.raises(BadInput, match=r"steppe.csv: no row falls in Astana, Almaty or Shymkent \(row 1: .*give "
                                       r"--city"):
        join_user_data(steppe, h3_res=[])
    empty = tmp_path / "empty.csv"
    empty.write_text("lat,lon\nabc,def\n")
    with pytest.raises(BadInput, match=r"empty.csv: no usable row to infer the city from; give --city"):
        join_user_data(empty, h3_res=[])
    with pytest.raises(BadInput, match=r"H3 resolution\(s\) \[3\] not supported"):
        join_user_data(path, city="Astana", h3_res=[3])


def test_report_assigned_rows_and_set_aside_values_of_a_points_join(mini_store, tmp_path):
    """The pipeline's own bookkeeping: 6 of 10 rows joined (weight 1 each: weighted total 6), one set-aside row
    per reason, the set-aside value shown as "lon, lat" (or the bad cell), and the joined rows with their
    district and city."""
    result = join_user_data(_survey(tmp_path), city="Astana", group_col="группа", h3_res=[8, 7], permutations=0)
    r = result.report
    assert (r["engine"], r["kind"], r["weighted_total"]) == ("builtin", "points", 6.0)
    assert r["cities"] == [{"city": "Astana", "vintage": "astana-4", "joined_rows": 6}]
    assert r["set_aside_by_reason"] == {
        "in Almaty, not in the chosen city Astana": 1, "outside every district of Astana (astana-4)": 1,
        "non-numeric latitude in column 'широта'": 1, "missing latitude in column 'широта'": 1}
    assert r["hotspots"]["h3_resolutions"] == [7, 8] and sorted(result.hexagons) == [7, 8]
    assert [row["row"] for row in r["set_aside_first"]] == [7, 8, 9, 10]
    assert result.set_aside.loc[result.set_aside["row"] == 8, "value"].item() == "72.9, 51.9"  # "51,9;72,9": lon, lat
    assert result.assigned["row"].tolist() == [1, 2, 3, 4, 5, 6]
    assert result.assigned["district_id"].tolist() == [ESIL, ESIL, ESIL, NURA, NURA, SARYARKA]
    assert (result.assigned["city"] == "Astana").all()
    assert not any(c.startswith("nonresponse:") for c in result.assigned.columns)
    for grid in result.hexagons.values():  # 6 joined points in every resolution's grid
        assert grid["count"].sum() == 6.0


def test_weights_count_and_bad_options_are_refused(mini_store, tmp_path):
    from geo.errors import BadInput

    path = tmp_path / "weighted.csv"
    rows = [_lonlat(1.0, 0.5, "Astana"), _lonlat(3.0, 1.0, "Astana")]  # Esil, Nura
    path.write_text("lat,lon,w\n" + f"{rows[0]},2.5\n{rows[1]},0.5\n")
    result = join_user_data(path, city="Astana", weight_col="w", h3_res=[8], permutations=0)
    d = result.districts.set_index("district_id")
    assert d.loc[ESIL, "count"] == 2.5 and d.loc[NURA, "count"] == 0.5 and d.loc[ESIL, "n_rows"] == 1
    assert result.report["weighted_total"] == 3.0  # 2.5 + 0.5
    assert result.hexagons[8]["count"].sum() == 3.0  # the hexagons count the weights too
    with pytest.raises(BadInput, match=r"^unknown engine 'spark'; use one of builtin, dask$"):
        join_user_data(path, city="Astana", engine="spark")
    with pytest.raises(BadInput, match=r"^--top-box 0: give how many top answers form the top box \(1 or more\)$"):
        join_user_data(path, city="Astana", top_box=0)
    with pytest.raises(BadInput, match=r"^--min-n 1 would show estimates of a single respondent; give 2 or more"):
        join_user_data(path, city="Astana", min_n=1, h3_res=[])
    # 2 is an allowed threshold; these 2 respondents are refused by the release gate's dominance rule instead
    # (two of them carry all of the weight), not for the option
    with pytest.raises(BadInput, match=r"^only 2 respondents joined"):
        join_user_data(path, city="Astana", min_n=2, h3_res=[])
