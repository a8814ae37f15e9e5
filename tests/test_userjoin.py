"""``join_user_data`` and ``qala join`` on hand-made files over the built districts: counts, shares, per 1,000,
location quotients, indices, hot spots, the set-aside report (joined + set aside = input rows) and the CLI."""

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo import store as layers
from geo.cli import main
from geo.engines.synthetic import synthetic_points, write_partitioned_parquet
from geo.errors import BadInput
from geo.join.pipeline import join_user_data


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
    result = join_user_data(_survey(tmp_path, astana), city="Astana", group_col="группа", h3_res=[8],
                            permutations=0)
    assert (result.city, result.vintage) == ("Astana", "astana-6")
    r = result.report
    assert r["input_rows"] == 12 and r["joined_rows"] == 8 and r["set_aside_rows"] == 4
    assert r["joined_rows"] + r["set_aside_rows"] == r["input_rows"]
    reasons = dict(zip(result.set_aside["row"], result.set_aside["reason"], strict=False))
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


def test_without_city_every_point_goes_to_the_city_that_holds_it(tmp_path, astana):
    result = join_user_data(_survey(tmp_path, astana), group_col="группа", h3_res=[], permutations=0)
    assert (result.city, result.vintage) == ("Astana, Almaty", "astana-6, almaty-8")
    r = result.report
    assert (r["input_rows"], r["joined_rows"], r["set_aside_rows"]) == (12, 9, 3)
    reasons = dict(zip(result.set_aside["row"], result.set_aside["reason"], strict=True))
    assert reasons[10] == "outside every district of Astana, Almaty, Shymkent"
    medeu = layers.load_districts("Almaty").set_index("name_en").loc["Medeu", "district_id"]
    assert dict(zip(result.assigned["row"], result.assigned["district_id"], strict=True))[9] == medeu
    d = result.districts
    assert d.groupby("city")["count"].sum().to_dict() == {"Almaty": 1, "Astana": 8}
    assert set(result.indices["city"]) == {"Astana", "Almaty"}


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
    reasons = dict(zip(result.set_aside["row"], result.set_aside["reason"], strict=False))
    assert reasons == {5: "unknown district name 'Атлантида' in Astana", 6: "missing district name in column 'район'"}
    assert not result.hexagons  # no coordinates, no hexagons
    # Saraishyk did not exist before May 2024: on the astana-5 boundaries it is set aside, not dropped
    older = join_user_data(path, vintage="astana-5")
    assert older.report["joined_rows"] == 3 and older.report["set_aside_rows"] == 3
    assert "is not a district of astana-5" in dict(zip(older.set_aside["row"], older.set_aside["reason"], strict=False))[4]


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


def _cli_join(file, out, *options) -> dict:
    """``qala join FILE -o OUT`` with groups and hexagons at r8: exit 0, every output file, the report."""
    assert main(["join", str(file), "-o", str(out), *options, "--permutations", "0", "--h3-res", "8"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["districts.csv", "districts.geojson", "districts.parquet", "groups.csv", "hexagons_r8.geojson",
                     "indices.csv", "report.json", "set_aside.csv"]
    return json.loads((out / "report.json").read_text())


def test_cli_writes_outputs_and_export_reads_them(tmp_path, astana, capsys):
    out = tmp_path / "out"
    report = _cli_join(_survey(tmp_path, astana), out, "--group-col", "группа", "--city", "Astana")
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


def test_dask_engine_gives_the_same_join_as_the_builtin_one(tmp_path, astana, cluster_address):
    """A CSV is read in memory (row numbers kept), then assigned on the cluster."""
    points = synthetic_points(astana, 400, seed=9, groups=["x", "y"], outside_share=0.1, border_share=0.05)
    path = tmp_path / "pts.csv"
    points.to_csv(path, index=False)
    builtin = join_user_data(path, group_col="group", h3_res=[], permutations=0)
    distributed = join_user_data(path, group_col="group", h3_res=[], permutations=0, engine="dask",
                                 scheduler=cluster_address)
    assert distributed.assigned["district_id"].tolist() == builtin.assigned["district_id"].tolist()
    assert distributed.set_aside.equals(builtin.set_aside)
    pd.testing.assert_frame_equal(pd.DataFrame(distributed.districts), pd.DataFrame(builtin.districts))


# ------------------------------------------------------------------------ out of core: --engine dask on Parquet


@pytest.fixture(scope="module")
def cluster_address():
    """A LocalCluster started here; the join reaches it through its address (the --scheduler path)."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def big_points(astana):
    """50k synthetic points over Astana's built districts, with NaN, out-of-city, other-city and no-group rows."""
    points = synthetic_points(astana, 50_000, seed=11, groups=["a", "b", "c"], outside_share=0.05,
                              border_share=0.01)
    points.loc[::997, "lat"] = np.nan
    points.loc[::1999, "lon"] = np.inf
    medeu = layers.load_districts("Almaty").geometry.iloc[0].representative_point()
    points.loc[100:106, ["lon", "lat"]] = [medeu.x, medeu.y]
    points.loc[200:202, "group"] = np.nan
    return points


def _same_outputs(distributed, builtin):
    pd.testing.assert_frame_equal(pd.DataFrame(distributed.districts), pd.DataFrame(builtin.districts))
    for name in ("groups", "indices"):
        pd.testing.assert_frame_equal(getattr(distributed, name), getattr(builtin, name))
    assert distributed.hexagons.keys() == builtin.hexagons.keys()
    for res in builtin.hexagons:
        pd.testing.assert_frame_equal(pd.DataFrame(distributed.hexagons[res]), pd.DataFrame(builtin.hexagons[res]))


def test_dask_out_of_core_join_equals_builtin(tmp_path, big_points, cluster_address, monkeypatch):
    folder = write_partitioned_parquet(big_points, tmp_path / "parts", 5)
    single = tmp_path / "all.parquet"
    big_points.to_parquet(single)
    builtin = join_user_data(single, city="Astana", group_col="group", h3_res=[8], permutations=0)

    import geo.join.pipeline

    def no_in_memory_read(*args, **kwargs):
        raise AssertionError("the out-of-core path must not read the file into pandas")

    monkeypatch.setattr(geo.join.pipeline, "read_user_file", no_in_memory_read)
    distributed = join_user_data(folder, city="Astana", group_col="group", h3_res=[8], permutations=0, engine="dask",
                                 scheduler=cluster_address)
    _same_outputs(distributed, builtin)
    d, b = distributed.report, builtin.report
    assert d["out_of_core"] and d["engine"] == "dask"
    assert d["set_aside_by_reason"] == b["set_aside_by_reason"]
    assert {"in Almaty, not in the chosen city Astana", "missing latitude in column 'lat'",
            "non-numeric longitude in column 'lon'", "missing group in column 'group'",
            "outside every district of Astana (astana-6)"} == set(d["set_aside_by_reason"])
    assert (d["input_rows"], d["joined_rows"], d["set_aside_rows"]) == (b["input_rows"], b["joined_rows"],
                                                                        b["set_aside_rows"])
    assert d["joined_rows"] + d["set_aside_rows"] == d["input_rows"] == 50_000
    assert distributed.set_aside["rows"].sum() == d["set_aside_rows"]
    assert distributed.districts["count"].sum() == d["joined_rows"]
    # the synthetic label travels from the parts' metadata into every output
    assert distributed.synthetic and d["synthetic"] and distributed.districts["synthetic"].all()
    assert distributed.groups["synthetic"].all() and distributed.hexagons[8]["synthetic"].all()


def test_dask_out_of_core_weights_and_swapped_columns(tmp_path, astana, cluster_address):
    points = synthetic_points(astana, 4_000, seed=5, groups=["x", "y"], outside_share=0.05)
    points["w"] = np.random.default_rng(5).uniform(0.5, 3.0, len(points))
    points.loc[::301, "w"] = -1.0
    points.loc[::401, "w"] = np.nan
    swapped = points.rename(columns={"lon": "latitude", "lat": "longitude"})  # values stay: names are swapped
    folder = write_partitioned_parquet(swapped, tmp_path / "swapped", 3)
    single = tmp_path / "swapped.parquet"
    swapped.to_parquet(single)
    options = {"group_col": "group", "weight_col": "w", "h3_res": [7], "permutations": 0, "city": "Astana"}
    builtin = join_user_data(single, **options)
    distributed = join_user_data(folder, engine="dask", scheduler=cluster_address, **options)
    assert any("swapped" in note for note in distributed.report["notes"])
    assert distributed.report["set_aside_by_reason"] == builtin.report["set_aside_by_reason"]
    assert "negative weight in column 'w'" in distributed.report["set_aside_by_reason"]
    d, b = distributed.districts.set_index("district_id"), builtin.districts.set_index("district_id")
    assert d["n_rows"].equals(b["n_rows"])
    # weighted sums are added in another order (per part, then across parts): equal to rounding
    for column in ("count", "share_of_city", "per_1000", "lq_x", "lq_y"):
        np.testing.assert_allclose(d[column], b[column], rtol=1e-12)
    np.testing.assert_allclose(distributed.indices["dissimilarity"], builtin.indices["dissimilarity"], rtol=1e-12)
    np.testing.assert_allclose(distributed.hexagons[7]["count"], builtin.hexagons[7]["count"], rtol=1e-12)
    assert distributed.report["weighted_total"] == pytest.approx(builtin.report["weighted_total"], rel=1e-12)


def test_dask_out_of_core_bad_inputs_are_one_line_errors(tmp_path, astana, cluster_address):
    from geo.errors import CRSError

    text = pd.DataFrame({"lat": ["51.1", "51.2"], "lon": ["71.4", "71.5"]})
    folder = write_partitioned_parquet(text, tmp_path / "text", 1)
    with pytest.raises(BadInput, match="column 'lat' is (large_)?string, not a number"):
        join_user_data(folder, engine="dask", scheduler=cluster_address)
    mixed = tmp_path / "mixed"
    write_partitioned_parquet(pd.DataFrame({"lat": [51.1], "lon": [71.4]}), mixed, 1)
    pd.DataFrame({"lat": [51.1], "x": [71.4]}).to_parquet(mixed / "part-00001.parquet")
    with pytest.raises(BadInput, match="part part-00001.parquet has columns"):
        join_user_data(mixed, engine="dask", scheduler=cluster_address)
    metres = write_partitioned_parquet(pd.DataFrame({"lat": [5_660_000.0], "lon": [480_000.0]}),
                                       tmp_path / "metres", 1)
    with pytest.raises(CRSError, match="looks projected"):
        join_user_data(metres, engine="dask", scheduler=cluster_address)


def test_cli_join_folder_with_dask_engine(tmp_path, big_points, capsys):
    folder = write_partitioned_parquet(big_points.iloc[:5_000], tmp_path / "parts", 3)
    out = tmp_path / "out"
    report = _cli_join(folder, out, "--engine", "dask", "--group-col", "group")
    assert report["joined_rows"] + report["set_aside_rows"] == report["input_rows"] == 5_000
    assert report["out_of_core"] and report["synthetic"]
    assert "[SYNTHETIC input]: 5000 rows" in capsys.readouterr().out
    assert pd.read_csv(out / "set_aside.csv")["rows"].sum() == report["set_aside_rows"]
