"""Bad input: one clear line naming what, where and how to fix, or a reported repair; never a silent guess."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from geo.domain.figures import _numeric
from geo.domain.perception import load_statements
from geo.errors import BadInput, CRSError
from geo.io.vector import Repairs, read_vector
from geo.settings import reference_dir

SQUARE = [[71.4, 51.1], [71.5, 51.1], [71.5, 51.2], [71.4, 51.2], [71.4, 51.1]]
BOWTIE = [[71.4, 51.1], [71.5, 51.2], [71.5, 51.1], [71.4, 51.2], [71.4, 51.1]]


def _write(tmp_path, name, features):
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def _feature(coords, geom_type="Polygon", **props):
    return {"type": "Feature", "properties": props, "geometry": {"type": geom_type, "coordinates": coords}}


def test_truncated_file(tmp_path):
    path = tmp_path / "cut.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [_feature([SQUARE])]})[:70])
    with pytest.raises(BadInput, match=r"cannot read districts file .*cut\.geojson.*fix:"):
        read_vector(path, what="districts")


def test_projected_coordinates_without_crs(tmp_path):
    metres = [[[500000, 5660000], [510000, 5660000], [510000, 5670000], [500000, 5660000]]]
    path = _write(tmp_path, "utm.geojson", [_feature(metres)])
    with pytest.raises(CRSError, match="not longitude/latitude; fix: .*give it its CRS"):
        read_vector(path, what="districts")


def test_shapefile_without_prj_has_no_crs(mirror, tmp_path):
    for ext in ("shp", "shx", "dbf"):
        shutil.copy(mirror / f"boundaries/geokz_2024_shapefiles/geokz_kaz_admbnda_adm1_2024.{ext}", tmp_path / f"a.{ext}")
    with pytest.raises(CRSError, match=r"a\.shp has no CRS; fix: add a \.prj"):
        read_vector(tmp_path / "a.shp", what="regions")


def test_null_geometry_names_the_feature(tmp_path):
    path = _write(tmp_path, "nulls.geojson", [_feature([SQUARE]), {"type": "Feature", "properties": {}, "geometry": None}])
    with pytest.raises(BadInput, match="feature 1 has no geometry"):
        read_vector(path, what="districts")


def test_wrong_geometry_type(tmp_path):
    path = _write(tmp_path, "pts.geojson", [_feature([71.4, 51.1], "Point")])
    with pytest.raises(BadInput, match="feature 0 is a Point, expected Polygon or MultiPolygon"):
        read_vector(path, what="districts", geom_types=("Polygon", "MultiPolygon"))


def test_self_intersection_is_repaired_and_reported(tmp_path):
    path = _write(tmp_path, "bowtie.geojson", [_feature([SQUARE]), _feature([BOWTIE])])
    repairs = Repairs()
    gdf = read_vector(path, what="districts", repairs=repairs)
    assert gdf.is_valid.all() and len(repairs) == 1
    assert "feature 1 repaired with make_valid (Self-intersection" in repairs.items[0]
    assert gdf.geometry.iloc[1].area == pytest.approx(0.005)  # the two triangles of the bow tie kept


def test_the_real_river_needs_exactly_one_repair(mirror):
    repairs = Repairs()
    read_vector(mirror / "boundaries/esil_river_astana_geoportal_raw.geojson", what="river", repairs=repairs)
    assert len(repairs) == 1 and "Self-intersection" in repairs.items[0]


@pytest.mark.parametrize("value,unit,indicator,message", [
    ("-12", "persons", "population", "is negative"),
    ("12,5", "persons", "arrivals", "is not a number"),
    ("inf", "persons", "population", "not finite"),
])
def test_bad_counts(value, unit, indicator, message):
    with pytest.raises(BadInput, match=message):
        _numeric(value, unit, indicator, "population_by_district.csv row 7")


def test_negative_net_migration_and_text_values_are_fine():
    assert _numeric("-5497", "persons", "net_migration", "x") == -5497
    assert _numeric("almost one third", "text", "share", "x") is None


def test_bad_stance_code(tmp_path, monkeypatch):

    src = pd.read_csv(reference_dir() / "focus_group_coding.csv", dtype=str)
    src.loc[3, "stance"] = "2"
    src.to_csv(tmp_path / "focus_group_coding.csv", index=False)
    monkeypatch.setenv("QALA_REFERENCE", str(tmp_path))
    with pytest.raises(BadInput, match=r"row 5: stance '2' is not -1, 0 or 1"):
        load_statements()


def _astana_sources(mirror, tmp_path, mutate):
    """The real sources, with Astana's OSM districts rewritten by ``mutate``."""
    from geo.io.acquire import Acquired, acquire
    from geo.io.catalogue import get_source

    data = json.loads((mirror / "boundaries/districts_astana_osm_2026-09.geojson").read_text())
    mutate(data["features"])
    path = _write(tmp_path, "astana.geojson", data["features"])
    sources = {sid: acquire(sid, allow_download=False) for sid in ("almaty_districts_osm", "geokz_adm2_2024")}
    sources["astana_districts_osm"] = Acquired(get_source("astana_districts_osm"), (path,), "mirror")
    return sources


def test_duplicate_district_is_refused(mirror, tmp_path):
    from geo.domain.districts import build_districts

    def duplicate(features):
        features[1]["properties"]["osm_relation"] = features[0]["properties"]["osm_relation"]

    with pytest.raises(BadInput, match="district 711210000 appears twice in astana_districts_osm"):
        build_districts(_astana_sources(mirror, tmp_path, duplicate), Repairs())


def test_unknown_relation_is_refused(mirror, tmp_path):
    from geo.domain.districts import build_districts
    from geo.errors import UnknownName

    def unknown(features):
        features[2]["properties"]["osm_relation"] = "999"

    with pytest.raises(UnknownName, match="feature 2 is OSM relation 999, not a known district of Astana"):
        build_districts(_astana_sources(mirror, tmp_path, unknown), Repairs())


def test_min_n_below_two_is_refused_and_nothing_is_written(tmp_path, capsys):
    """--min-n 1 (or 0) would publish single respondents' answers: refused with one line, exit 2, nothing
    written."""
    from geo.cli import main

    survey = tmp_path / "s.csv"
    survey.write_text("city;district;q1\nAstana;Esil;4\n", encoding="utf-8")
    for bad in ("1", "0"):
        assert main(["join", str(survey), "--district-col", "district", "--score", "q1:1-5", "--min-n", bad,
                     "-o", str(tmp_path / "out")]) == 2
        err = capsys.readouterr().err.strip()
        assert err == (f"qala: error: --min-n {bad} would show estimates of a single respondent; give 2 or more "
                       "(default 10)")
    assert not (tmp_path / "out").exists()
