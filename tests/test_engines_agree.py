"""One join specification, two engines: a SYNTHETIC three-city survey with coordinates, weights, groups, score
items and a release threshold, joined in memory (``engine="builtin"`` on one Parquet file) and out of core
(``engine="dask"`` on a folder of Parquet parts, through a LocalCluster's tcp:// address), must write the same
files with the same contents: tables equal to ``RTOL`` (weighted sums are added in another order: per part,
then across parts), the release section of report.json exactly (without the files' checksums, which cover
set_aside.csv: rows listed in memory, counted per reason out of core), and the same rows set aside per reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo import store
from geo.engines.synthetic import SYNTHETIC_LABEL, synthetic_points, write_partitioned_parquet
from geo.engines.synthetic_survey import synthetic_survey
from geo.join.pipeline import join_user_data

RTOL = 1e-9
ITEMS = ("Q1", "Q2", "Q3", "Q4")
SPEC = {"scores": ("Q1:1-5", "Q2:1-5", "Q3:1-5", "Q4:1-5"), "weight_col": "Вес", "group_col": "Группа",
        "min_n": 10, "top_box": 2, "h3_res": (7,), "permutations": 49}
BAD = {  # the hand-made rows appended to the survey: what each must be set aside for
    "missing latitude in column 'lat'": 2,
    "zero weight in column 'Вес' (a respondent with weight 0 carries no answer)": 3,
    "score 7 outside the scale 1-5 in column 'Q1'": 2,
    "score 9 outside the scale 1-5 in column 'Q4'": 1,
    "in Almaty, not in the chosen city Astana": 2,
    "outside every district of Astana (astana-6)": 1,
}


def survey_with_points(rows: int, seed: int) -> pd.DataFrame:
    """``geo.engines.synthetic_survey`` respondents, each given a point inside its own district (SYNTHETIC);
    Q1-Q3 as text cells (don't-know words, blanks), Q4 as numbers (NaN for no answer)."""
    districts = store.load_districts()
    frame = synthetic_survey(districts, rows, seed=seed)
    ids = np.asarray(frame.attrs["district_ids"], dtype=object)
    lon, lat = np.full(len(frame), np.nan), np.full(len(frame), np.nan)
    for k, district in enumerate(sorted(set(ids))):
        at = np.flatnonzero(ids == district)
        points = synthetic_points(districts[districts["district_id"] == district], len(at), seed=seed + k)
        lon[at], lat[at] = points["lon"].to_numpy(), points["lat"].to_numpy()
    out = frame.drop(columns=["Район"])
    out.insert(0, "lon", lon)
    out.insert(0, "lat", lat)
    for item in ITEMS[:3]:
        out[item] = [("" if v is None else str(v)) for v in out[item]]
    out["Q4"] = [float(v) if isinstance(v, (int, np.integer)) else np.nan for v in frame["Q4"]]
    return out


def with_bad_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The survey with the rows of ``BAD`` spread through it."""
    astana = store.load_districts("Astana").geometry.iloc[0].representative_point()
    medeu = store.load_districts("Almaty").geometry.iloc[0].representative_point()
    good = {"lat": astana.y, "lon": astana.x, "Город": "Астана", "Группа": "местный", "Вес": 1.0,
            "Q1": "3", "Q2": "3", "Q3": "", "Q4": 2.0, "source": SYNTHETIC_LABEL}
    bad = [{**good, "lat": np.nan}] * 2 + [{**good, "Вес": 0.0}] * 3 + [{**good, "Q1": "7"}] * 2 \
        + [{**good, "Q4": 9.0}] + [{**good, "lat": medeu.y, "lon": medeu.x}] * 2 + [{**good, "lat": 47.0,
                                                                                     "lon": 68.0}]
    rows = pd.concat([frame, pd.DataFrame(bad)], ignore_index=True)
    order = np.random.default_rng(5).permutation(len(rows))
    return rows.iloc[order].reset_index(drop=True)


@pytest.fixture(scope="module")
def tcp_address():
    """A LocalCluster on 127.0.0.1, reached through its address as ``--scheduler tcp://...`` reaches one."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def outputs(built, tcp_address, tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("agree")
    frame = with_bad_rows(survey_with_points(6000, seed=21))
    single = folder / "survey.parquet"
    frame.to_parquet(single)
    parts = write_partitioned_parquet(frame, folder / "parts", 4)
    assert tcp_address.startswith("tcp://127.0.0.1:")
    builtin = join_user_data(single, **SPEC)
    dask = join_user_data(parts, engine="dask", scheduler=tcp_address, name="survey.parquet", **SPEC)
    assert dask.report["out_of_core"] and dask.assigned.empty  # no row came back
    builtin.write(folder / "builtin")
    dask.write(folder / "dask")
    builtin.assigned.to_parquet(folder / "truth.parquet")  # the joined rows, for the attack below only
    return folder / "builtin", folder / "dask"


def test_every_output_file_is_written_by_both(outputs):
    builtin, dask = outputs
    names = sorted(p.name for p in builtin.iterdir())
    assert names == sorted(p.name for p in dask.iterdir())
    assert {"districts.csv", "groups.csv", "scores.csv", "score_differences.csv", "report.json"} <= set(names)


def test_tables_agree(outputs):
    builtin, dask = outputs
    tables = [p.name for p in builtin.iterdir() if p.suffix == ".csv" and p.name != "set_aside.csv"]
    assert len(tables) >= 4
    for name in tables:
        pd.testing.assert_frame_equal(pd.read_csv(dask / name), pd.read_csv(builtin / name), rtol=RTOL,
                                      obj=name)
    scores = pd.read_csv(builtin / "scores.csv")
    assert scores["suppressed"].any() and not scores["suppressed"].all()  # the gate had something to hide
    assert set(scores["city"]) == {"Astana", "Almaty", "Shymkent"}


def test_maps_and_parquet_agree(outputs):
    builtin, dask = outputs
    for name in [p.name for p in builtin.iterdir() if p.suffix in (".geojson", ".parquet")]:
        read = gpd.read_parquet if name.endswith(".parquet") else gpd.read_file
        got, want = read(dask / name), read(builtin / name)
        pd.testing.assert_frame_equal(pd.DataFrame(got.drop(columns="geometry")),
                                      pd.DataFrame(want.drop(columns="geometry")), rtol=RTOL, obj=name)
        assert got.geometry.geom_equals_exact(want.geometry, tolerance=1e-12).all(), name


def test_report_and_release_agree(outputs):
    builtin, dask = outputs
    b, d = (json.loads((folder / "report.json").read_text()) for folder in (builtin, dask))
    assert b["release"].pop("files") != d["release"].pop("files")  # set_aside.csv differs by design
    for section in ("release", "release_steward"):
        b[section]["audit"].pop("seconds", None)
        d[section]["audit"].pop("seconds", None)
        assert d[section] == b[section], section
    assert b["release"]["cells"]["hidden"] > 0
    for key in ("input_rows", "joined_rows", "set_aside_rows", "set_aside_by_reason", "cities", "score_items",
                "min_n", "city", "vintage", "columns", "hotspots", "synthetic"):
        assert d[key] == b[key], key
    assert all(b["score_items"][i]["dont_know"] > 0 for i in ITEMS[:3])  # "затрудняюсь ответить" cells
    assert d["weighted_total"] == pytest.approx(b["weighted_total"], rel=RTOL)
    release_notes = [n for n in b["notes"] if n.startswith(("release gate", "indices of", "hexagons r"))]
    assert release_notes and all(n in d["notes"] for n in release_notes)


def test_rows_set_aside_per_reason_agree(outputs):
    builtin, dask = outputs
    listed = pd.read_csv(builtin / "set_aside.csv")["reason"].value_counts().to_dict()
    counted = pd.read_csv(dask / "set_aside.csv").set_index("reason")["rows"].to_dict()
    assert counted == listed
    assert {k: v for k, v in counted.items() if k in BAD} == BAD


def test_the_out_of_core_release_withstands_the_attacker(outputs, tmp_path):
    """The dask join's output, published, attacked with nothing but the published files: no hidden cell is
    narrowed inside its protection interval (truth: the rows the in-memory join placed)."""
    from geo.publish import publish
    from tests.attacker import attack, describe, protection_failures, true_cells

    _, dask = outputs
    rows = pd.read_parquet(dask.parent / "truth.parquet")
    truth = true_cells(rows.rename(columns={"Группа": "group"}), SPEC["min_n"],
                       items={item: (1, 5) for item in ITEMS}, group="group")
    version = publish(dask, "dask-survey", title="t", source="SYNTHETIC", period="2024", root=tmp_path)
    failures = protection_failures(attack([version]), truth, SPEC["min_n"])
    assert truth["sensitive_counts"].any() and not failures, describe(failures)
