"""GeoPackage export: what GDAL (pyogrio) and plain sqlite3 read back, the QGIS style row, atomic replace."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from geo.errors import BadInput, CRSError
from geo.io import gpkg
from geo.io.gpkg import GraduatedStyle, to_gpkg
from tests.frames import NAMES_EN, NAMES_KK, NAMES_RU, districts, stations

STYLE = GraduatedStyle(
    column="value",
    breaks=(0.0, 2.5, 5.0, 10.0),
    colours=("#fee5d9", "#fcae91", "#de2d26"),
    labels=("0–2,5", "2,5–5", "5–10 адам"),
    no_data_colour="#bdbdbd",
    no_data_label="деректер жоқ",
)


def _style_row(path: Path) -> tuple:
    with sqlite3.connect(path) as con:
        return con.execute(
            "SELECT f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, styleQML, "
            "styleSLD, useAsDefault FROM layer_styles"
        ).fetchone()


def test_layer_round_trips_through_gdal(tmp_path: Path) -> None:
    frame = districts()
    out = to_gpkg(frame, tmp_path / "astana.gpkg", layer_name="districts", style=STYLE)
    assert out == tmp_path / "astana.gpkg"

    back = pyogrio.read_dataframe(out, layer="districts")
    assert back.crs.to_epsg() == 4326
    assert list(back.columns) == [*frame.columns.drop("geometry"), "geometry"]
    assert back["households"].dtype == np.int64
    assert back["value"].dtype == np.float64
    assert back["left_bank"].dtype == bool
    pd.testing.assert_series_equal(back["value"], frame["value"], check_names=True)
    assert back["households"].tolist() == [1200, 845]
    assert back["left_bank"].tolist() == [True, False]
    assert back["name_kk"].tolist() == NAMES_KK
    assert back["name_ru"].tolist() == NAMES_RU
    assert back["name_en"].tolist() == NAMES_EN
    assert all(shapely.equals_exact(back.geometry.values, frame.geometry.values, tolerance=0))


def test_sqlite_sees_utf8_text_and_epsg_4326(tmp_path: Path) -> None:
    out = to_gpkg(districts(), tmp_path / "astana.gpkg", layer_name="districts", style=STYLE)
    with sqlite3.connect(out) as con:
        names = [r[0] for r in con.execute('SELECT name_kk FROM "districts" ORDER BY fid')]
        raw = con.execute("SELECT CAST(name_kk AS BLOB) FROM districts ORDER BY fid").fetchone()[0]
        srs = con.execute("SELECT srs_id FROM gpkg_contents WHERE table_name = 'districts'").fetchone()[0]
        org = con.execute("SELECT organization, organization_coordsys_id FROM gpkg_spatial_ref_sys "
                          "WHERE srs_id = ?", (srs,)).fetchone()
    assert names == NAMES_KK
    assert raw == NAMES_KK[0].encode("utf-8")
    assert (org[0].upper(), org[1]) == ("EPSG", 4326)


def test_layers_listed_and_style_table_registered(tmp_path: Path) -> None:
    out = to_gpkg(districts(), tmp_path / "astana.gpkg", layer_name="districts", style=STYLE)
    layers = {name: kind for name, kind in pyogrio.list_layers(out)}
    assert layers == {"districts": "Polygon", "layer_styles": None}
    with sqlite3.connect(out) as con:
        kind = con.execute("SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'").fetchone()
    assert kind == ("attributes",)
    styles = pyogrio.read_dataframe(out, layer="layer_styles")  # GDAL accepts the table it did not write
    assert styles["f_table_name"].tolist() == ["districts"]


def test_default_style_row_is_what_qgis_looks_for(tmp_path: Path) -> None:
    out = to_gpkg(districts(), tmp_path / "astana.gpkg", layer_name="districts", style=STYLE)
    catalog, schema, table, geometry_column, name, qml, sld, default = _style_row(out)
    with sqlite3.connect(out) as con:
        (real_geometry_column,) = con.execute(
            "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = 'districts'"
        ).fetchone()
        columns = [r[1] for r in con.execute("PRAGMA table_info(layer_styles)")]
    assert columns == [
        "id", "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName",
        "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time",
    ]
    assert (catalog, schema, table, geometry_column) == ("", "", "districts", real_geometry_column)
    assert name == STYLE.name and default == 1

    root = ET.fromstring(qml.split("\n", 1)[1])  # after the DOCTYPE line
    renderer = root.find("renderer-v2")
    assert renderer is not None and renderer.get("type") == "graduatedSymbol"
    assert '"value"' in renderer.get("attr")
    ranges = renderer.findall("ranges/range")
    no_data, classes = ranges[0], ranges[1:]
    assert no_data.get("label") == "деректер жоқ"
    assert [(float(r.get("lower")), float(r.get("upper"))) for r in classes] == [
        (0.0, 2.5), (2.5, 5.0), (5.0, 10.0)
    ]
    assert [r.get("label") for r in classes] == list(STYLE.labels)
    colours = {
        s.get("name"): s.find("layer/Option/Option[@name='color']").get("value")
        for s in renderer.findall("symbols/symbol")
    }
    assert [colours[r.get("symbol")] for r in ranges] == [
        "189,189,189,255", "254,229,217,255", "252,174,145,255", "222,45,38,255"
    ]
    assert all(s.get("type") == "fill" for s in renderer.findall("symbols/symbol"))

    sld_root = ET.fromstring(sld.split("\n", 1)[1])
    ogc = "{http://www.opengis.net/ogc}"
    literals = [float(e.text) for e in sld_root.iter(f"{ogc}Literal")]
    assert literals == [0.0, 2.5, 2.5, 5.0, 5.0, 10.0]
    assert {e.text for e in sld_root.iter(f"{ogc}PropertyName")} == {"value"}
    assert len(list(sld_root.iter(f"{ogc}PropertyIsNull"))) == 1


def test_point_layer_gets_marker_symbols(tmp_path: Path) -> None:
    style = GraduatedStyle("value", (0, 5, 10), ("#ffffb2", "#bd0026"), ("низкий", "высокий"))
    out = to_gpkg(stations(), tmp_path / "stations.gpkg", layer_name="stations", style=style)
    assert {n: k for n, k in pyogrio.list_layers(out)}["stations"] == "Point"
    back = pyogrio.read_dataframe(out, layer="stations")
    assert back["name_kk"].tolist() == ["Нұрлы жол", "Бәйтерек"]
    assert all(shapely.equals_exact(back.geometry.values, stations().geometry.values, tolerance=0))
    qml = _style_row(out)[5]
    assert 'type="marker"' in qml and 'class="SimpleMarker"' in qml and 'type="fill"' not in qml


def test_without_style_there_is_no_style_table(tmp_path: Path) -> None:
    out = to_gpkg(districts(), tmp_path / "plain.gpkg", layer_name="districts")
    assert [name for name, _ in pyogrio.list_layers(out)] == ["districts"]


def test_other_crs_is_reprojected_to_4326(tmp_path: Path) -> None:
    projected = districts().to_crs("EPSG:32642")
    out = to_gpkg(projected, tmp_path / "utm.gpkg", layer_name="districts")
    back = pyogrio.read_dataframe(out)
    assert back.crs.to_epsg() == 4326
    assert back.geometry.geom_equals_exact(districts().geometry, tolerance=1e-9).all()


def test_frame_without_crs_is_a_one_line_crs_error(tmp_path: Path) -> None:
    with pytest.raises(CRSError) as err:
        to_gpkg(districts().set_crs(None, allow_override=True), tmp_path / "x.gpkg", layer_name="districts")
    message = str(err.value)
    assert "\n" not in message and "no CRS" in message and "x.gpkg" in message and "fix:" in message
    assert not (tmp_path / "x.gpkg").exists()


@pytest.mark.parametrize(
    "make_style",
    [
        lambda: GraduatedStyle("value", (0, 1, 2), ("#000000",), ("a", "b")),
        lambda: GraduatedStyle("value", (0, 2, 1), ("#000000", "#ffffff"), ("a", "b")),
        lambda: GraduatedStyle("value", (0, 1), ("black",), ("a",)),
    ],
)
def test_malformed_style_is_bad_input(make_style) -> None:
    with pytest.raises(BadInput, match="fix:"):
        make_style()


@pytest.mark.parametrize("column", ["missing", "name_ru"])
def test_style_on_a_missing_or_text_column_leaves_the_target(tmp_path: Path, column: str) -> None:
    target = to_gpkg(districts(), tmp_path / "astana.gpkg", layer_name="districts", style=STYLE)
    before = target.read_bytes()
    style = GraduatedStyle(column, (0, 1), ("#000000",), ("a",))
    with pytest.raises(BadInput, match=column):
        to_gpkg(districts(), target, layer_name="districts", style=style)
    assert target.read_bytes() == before


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "astana.gpkg")


def test_failed_style_step_leaves_the_old_file_byte_identical(tmp_path: Path, monkeypatch) -> None:
    target = to_gpkg(districts(), tmp_path / "astana.gpkg", layer_name="districts", style=STYLE)
    before = target.read_bytes()

    def broken(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(gpkg, "_write_style", broken)
    changed = districts().assign(value=[1.0, 2.0])
    with pytest.raises(sqlite3.OperationalError):
        to_gpkg(changed, target, layer_name="districts", style=STYLE)
    assert target.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_interrupted_gdal_write_leaves_the_old_file_byte_identical(tmp_path: Path, monkeypatch) -> None:
    target = to_gpkg(districts(), tmp_path / "astana.gpkg", layer_name="districts", style=STYLE)
    before = target.read_bytes()
    real_write = pyogrio.write_dataframe

    def write_then_interrupt(df: gpd.GeoDataFrame, path: Path, **kwargs: object) -> None:
        real_write(df.iloc[:1], path, **kwargs)  # half the rows are on disk in the temp file...
        raise KeyboardInterrupt  # ...when the user presses Ctrl-C

    monkeypatch.setattr(gpkg.pyogrio, "write_dataframe", write_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        to_gpkg(districts(), target, layer_name="districts", style=STYLE)
    assert target.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_successful_rewrite_replaces_the_file(tmp_path: Path) -> None:
    target = to_gpkg(districts(), tmp_path / "astana.gpkg", layer_name="districts", style=STYLE)
    to_gpkg(districts().assign(value=[9.0, 0.5]), target, layer_name="districts", style=STYLE)
    assert pyogrio.read_dataframe(target, layer="districts")["value"].tolist() == [9.0, 0.5]
    with sqlite3.connect(target) as con:
        assert con.execute("SELECT count(*) FROM layer_styles").fetchone() == (1,)
    assert _leftovers(tmp_path) == []
