"""``join_user_data`` and ``qala join`` on hand-made files over the built districts: counts, shares, per 1,000,
location quotients, indices, hot spots, the set-aside report (joined + set aside = input rows) and the CLI."""

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo import layers
from geo.cli import main
from geo.errors import BadInput
from geo.synthetic import synthetic_points
from geo.userjoin import join_user_data


@pytest.fixture(scope="module")
def astana(built):
    return layers.load_districts("Astana")


def _inside(districts, name_en):
    point = districts.loc[districts["name_en"] == name_en].geometry.iloc[0].representative_point()
    return point.x, point.y


def _survey(tmp_path, astana, name="survey.csv"):
    """12 rows: Esil 3 x A + 1 x B, Saryarka 1 x A + 3 x B, one in Almaty city, one in the steppe, 2 bad rows."""
    almaty = layers.load_districts("Almaty")
    esil, saryarka, in_almaty = _inside(astana, "Esil"), _inside(astana, "Saryarka"), _inside(almaty, "Medeu")
    rows = (
        [(*esil, "A")] * 3 + [(*esil, "B")] + [(*saryarka, "A")] + [(*saryarka, "B")] * 3
        + [(*in_almaty, "A"), (68.0, 47.0, "A"), ("abc", 51.1, "B"), (71.4, "", "A")]
    )
    lines = ["долгота;широта;группа"] + [";".join(str(v).replace(".", ",") for v in r) for r in rows]
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1251"))
    return path


def test_points_join_counts_shares_per_1000_and_report(tmp_path, astana):
    result = join_user_data(_survey(tmp_path, astana), group_col="группа", h3_res=[8], permutations=0)
    assert (result.city, result.vintage) == ("Astana", "astana-6")
    r = result.report
    assert r["input_rows"] == 12 and r["joined_rows"] == 8 and r["set_aside_rows"] == 4
    assert r["joined_rows"] + r["set_aside_rows"] == r["input_rows"]
    reasons = dict(zip(result.set_aside["row"], result.set_aside["reason"]))
    assert reasons[9] == "in Almaty, not in the chosen city Astana"
    assert reasons[10] == "outside every district of Astana (astana-6)"
    assert reasons[11].startswith("non-numeric longitude") and reasons[12].startswith("missing latitude")

    d = result.districts.set_index("name_en")
    assert d["count"].to_dict() == {"Almaty": 0, "Esil": 4, "Saryarka": 4, "Baikonur": 0, "Nura": 0,
                                    "Saraishyk": 0}
    assert d.loc["Esil", "share_of_city"] == pytest.approx(0.5)
    pop = layers.population_for("Astana").set_index("district_id")["value"]
    assert d.loc["Esil", "per_1000"] == pytest.approx(4 / pop["711210000"] * 1000)
    assert d.loc["Esil", "population_period"] == "2025 (start)"
    # LQ by hand: A is 4 of 8 (0.5). Esil: 3/4 A -> 0.75 / 0.5 = 1.5; Saryarka 1/4 -> 0.5; empty districts NaN
    assert d.loc["Esil", "lq_A"] == pytest.approx(1.5) and d.loc["Saryarka", "lq_A"] == pytest.approx(0.5)
    assert np.isnan(d.loc["Nura", "lq_A"])
    # D = 1/2 (|3/4 - 1/4| + |1/4 - 3/4|) = 0.5 ; xPx(A) = 3/4 * 3/4 + 1/4 * 1/4 = 0.625
    idx = result.indices.set_index("group")
    assert idx.loc["A", "dissimilarity"] == pytest.approx(0.5) and idx.loc["A", "isolation"] == pytest.approx(0.625)
    assert idx["pysal_agrees"].all()
    grid = result.hexagons[8]
    assert grid["count"].sum() == 8 and (grid["count"] == 0).sum() > 100  # zero-filled over the city
    assert not result.synthetic and not result.districts["synthetic"].any()


def test_weights_change_counts_not_row_numbers(tmp_path, astana):
    esil, nura = _inside(astana, "Esil"), _inside(astana, "Nura")
    path = tmp_path / "w.csv"
    path.write_text(f"lat,lon,w\n{esil[1]},{esil[0]},2.5\n{nura[1]},{nura[0]},0.5\n{nura[1]},{nura[0]},x\n")
    result = join_user_data(path, weight_col="w", h3_res=[], permutations=0)
    d = result.districts.set_index("name_en")
    assert d.loc["Esil", "count"] == 2.5 and d.loc["Nura", "count"] == 0.5 and d.loc["Nura", "n_rows"] == 1
    assert d.loc["Esil", "share_of_city"] == pytest.approx(2.5 / 3)
    assert result.set_aside["row"].tolist() == [3] and not result.hexagons


def test_names_join_through_geo_names_in_any_spelling(tmp_path, built):
    text = "район,n\nЕсильский район,1\nYesil,2\nБайқоңыр,3\nSaraishyk,4\nАтлантида,5\n,6\n"
    path = tmp_path / "names.csv"
    path.write_bytes(text.encode("utf-8-sig"))  # Kazakh letters (қ, ң) do not exist in cp1251
    result = join_user_data(path, city="Astana", h3_res=[8])
    d = result.districts.set_index("name_en")
    assert d.loc["Esil", "count"] == 2 and d.loc["Baikonur", "count"] == 1 and d.loc["Saraishyk", "count"] == 1
    reasons = dict(zip(result.set_aside["row"], result.set_aside["reason"]))
    assert reasons == {5: "unknown district name 'Атлантида' in Astana", 6: "missing district name in column 'район'"}
    assert not result.hexagons  # no coordinates, no hexagons
    # Saraishyk did not exist before May 2024: on the astana-5 boundaries it is set aside, not dropped
    older = join_user_data(path, vintage="astana-5")
    assert older.report["joined_rows"] == 3 and older.report["set_aside_rows"] == 3
    assert "is not a district of astana-5" in dict(zip(older.set_aside["row"], older.set_aside["reason"]))[4]


def test_synthetic_input_is_labelled_in_every_output(tmp_path, astana):
    points = synthetic_points(astana, 300, seed=4, groups=["x", "y"], outside_share=0.1)
    path = tmp_path / "pts.csv"  # no "synthetic" in the name: the source column says so
    points.to_csv(path, index=False)
    result = join_user_data(path, group_col="group", h3_res=[7, 9], permutations=0)
    assert result.synthetic and result.report["synthetic"]
    assert result.districts["synthetic"].all() and result.groups["synthetic"].all()
    assert all(g["synthetic"].all() for g in result.hexagons.values())
    assert result.report["joined_rows"] + result.report["set_aside_rows"] == 300
    assert result.districts["count"].sum() == result.report["joined_rows"]


def test_bad_requests_are_one_line_errors(tmp_path, astana):
    path = _survey(tmp_path, astana)
    with pytest.raises(BadInput, match="astana-3.*has no boundaries"):
        join_user_data(path, vintage="astana-3")
    with pytest.raises(BadInput, match="vintage 'almaty-8' is of Almaty, not Astana"):
        join_user_data(path, city="Astana", vintage="almaty-8")
    steppe = tmp_path / "steppe.csv"
    steppe.write_text("lat,lon\n47.0,68.0\n")
    with pytest.raises(BadInput, match="steppe.csv: no row falls in Astana, Almaty or Shymkent"):
        join_user_data(steppe)


def test_cli_writes_outputs_and_export_reads_them(tmp_path, astana, capsys):
    out = tmp_path / "out"
    code = main(["join", str(_survey(tmp_path, astana)), "-o", str(out), "--group-col", "группа",
                 "--permutations", "0", "--h3-res", "8"])
    assert code == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["districts.csv", "districts.geojson", "districts.parquet", "groups.csv", "hexagons_r8.geojson",
                     "indices.csv", "report.json", "set_aside.csv"]
    report = json.loads((out / "report.json").read_text())
    assert report["joined_rows"] + report["set_aside_rows"] == report["input_rows"] == 12
    assert "12 rows, 8 joined to astana-6 (Astana), 4 set aside" in capsys.readouterr().out
    back = gpd.read_file(out / "districts.geojson")
    assert back["count"].sum() == 8 and back.crs.to_epsg() == 4326
    assert pd.read_csv(out / "set_aside.csv")["row"].tolist() == [9, 10, 11, 12]
    assert main(["export", str(out), "--format", "html", "--value", "per_1000", "-o", str(tmp_path / "m.html")]) == 0
    assert "per_1000 (quantile classes)" in (tmp_path / "m.html").read_text(encoding="utf-8")

    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert main(["join", str(empty), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("qala: error: empty.csv: the file is empty")
    assert json.loads((out / "report.json").read_text()) == report  # a failed run left the last good output


def test_dask_engine_gives_the_same_join_as_the_builtin_one(tmp_path, astana):
    points = synthetic_points(astana, 400, seed=9, groups=["x", "y"], outside_share=0.1, border_share=0.05)
    path = tmp_path / "pts.csv"
    points.to_csv(path, index=False)
    builtin = join_user_data(path, group_col="group", h3_res=[], permutations=0)
    distributed = join_user_data(path, group_col="group", h3_res=[], permutations=0, engine="dask")
    assert distributed.assigned["district_id"].tolist() == builtin.assigned["district_id"].tolist()
    assert distributed.set_aside.equals(builtin.set_aside)
    pd.testing.assert_frame_equal(pd.DataFrame(distributed.districts), pd.DataFrame(builtin.districts))
