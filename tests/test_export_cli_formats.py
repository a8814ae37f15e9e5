"""`qala export` into the formats QGIS and PostGIS read, on the mini build, each read back by a second reader."""

from __future__ import annotations

import sqlite3

import pyogrio
import pytest

from geo.cli import main
from tests.test_export_postgis import _comment, _query, postgis_url  # noqa: F401  (the server fixture)


@pytest.fixture
def mini_store(mini_build, monkeypatch):
    monkeypatch.setenv("QALA_BUILD", str(mini_build))
    return mini_build


def test_gpkg_holds_the_layer_and_a_default_style_coloured_by_area(mini_store, tmp_path, capsys):
    target = tmp_path / "astana.gpkg"
    assert main(["export", "districts", "--city", "Astana", "--format", "gpkg", "-o", str(target)]) == 0
    assert "wrote" in capsys.readouterr().out
    frame = pyogrio.read_dataframe(target, layer="districts_astana")
    assert len(frame) == 4 and frame.crs.to_epsg() == 4326  # the mini set's four Astana squares
    with sqlite3.connect(target) as db:
        (layer, qml, default), = db.execute("SELECT f_table_name, styleQML, useAsDefault FROM layer_styles")
    assert layer == "districts_astana" and default == 1
    assert "area_km2" in qml  # districts are coloured by their area by default


def test_gpkg_value_must_be_a_column(mini_store, tmp_path, capsys):
    assert main(["export", "districts", "--format", "gpkg", "--value", "nosuch", "-o", str(tmp_path / "x.gpkg")]) == 2
    assert "--value 'nosuch' is not a column" in capsys.readouterr().err
    assert not (tmp_path / "x.gpkg").exists()


def test_postgis_table_from_the_cli_refuses_to_overwrite_without_replace(mini_store, postgis_url, capsys):  # noqa: F811
    args = ["export", "districts", "--city", "Almaty", "--to", postgis_url, "--table", "public.almaty_districts"]
    assert main(args) == 0
    assert "wrote table public.almaty_districts (3 rows, PostGIS)" in capsys.readouterr().out
    assert _query(postgis_url, "SELECT count(*), min(ST_SRID(geom)) FROM public.almaty_districts") == [(3, 4326)]
    assert "OpenStreetMap" in (_comment(postgis_url, "almaty_districts") or "") or \
        "geokz" in (_comment(postgis_url, "almaty_districts") or "")
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "exists; fix: pass --replace" in err and postgis_url.split("@")[0].split(":")[-1] not in err
    assert main([*args, "--replace"]) == 0


def test_table_options_need_a_database(mini_store, tmp_path, capsys):
    assert main(["export", "districts", "--replace", "-o", str(tmp_path / "x.geojson")]) == 2
    assert "--table and --replace go with --to" in capsys.readouterr().err
