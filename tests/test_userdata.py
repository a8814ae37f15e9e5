"""Reading researchers' files: encodings, delimiters, comma decimals, swapped coordinates and every bad input.

Fixtures are written by the tests themselves (tmp_path); coordinates are real places in Astana: Baiterek
(71.4304 E, 51.1283 N) and the Khan Shatyr (71.4036 E, 51.1325 N).
"""

import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.errors import BadInput, CRSError
from geo.join.table import read_user_file

ROWS = [("1", "51.1283", "71.4304", "Turkistan"), ("2", "51.1325", "71.4036", "Almaty region")]


def _write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _csv(rows, delimiter=",", header=("id", "lat", "lon", "origin"), comma_decimals=False):
    lines = [delimiter.join(header)]
    for row in rows:
        cells = [c.replace(".", ",") if comma_decimals else c for c in row]
        if comma_decimals and delimiter == ",":
            cells = [f'"{c}"' for c in cells]
        lines.append(delimiter.join(cells))
    return "\n".join(lines) + "\n"


def _assert_balanced(table):
    assert len(table.rows) + len(table.set_aside) == table.input_rows


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_encodings_and_delimiters_with_russian_headers(tmp_path, encoding, delimiter):
    text = _csv(ROWS, delimiter, header=("№", "широта", "долгота", "откуда"))
    table = read_user_file(_write(tmp_path, "resp.csv", text, encoding), group_col="откуда")
    assert table.kind == "points"
    assert table.rows["lat"].tolist() == [51.1283, 51.1325]
    assert table.rows["lon"].tolist() == [71.4304, 71.4036]
    assert table.rows["group"].tolist() == ["Turkistan", "Almaty region"]
    assert f"delimiter {delimiter!r}" in table.notes
    _assert_balanced(table)


@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_comma_decimals(tmp_path, delimiter):
    table = read_user_file(_write(tmp_path, "r.csv", _csv(ROWS, delimiter, comma_decimals=True), "cp1251"))
    assert table.rows["lat"].tolist() == [51.1283, 51.1325]
    assert table.rows["lon"].tolist() == [71.4304, 71.4036]


def test_swapped_latitude_longitude_is_detected_and_said(tmp_path):
    swapped = [(i, lon, lat, g) for i, lat, lon, g in ROWS]  # "lat" column holds 71.x
    table = read_user_file(_write(tmp_path, "r.csv", _csv(swapped)))
    assert table.rows["lat"].tolist() == [51.1283, 51.1325]
    assert any("swapped" in note for note in table.notes)


def test_x_y_and_options_name_the_columns(tmp_path):
    xy = read_user_file(_write(tmp_path, "xy.csv", "x,y\n71.4304,51.1283\n"))
    assert (xy.rows["lon"][0], xy.rows["lat"][0]) == (71.4304, 51.1283)
    opts = read_user_file(_write(tmp_path, "o.csv", "a,b\n51.1283,71.4304\n"), lat_col="a", lon_col="b")
    assert (opts.rows["lon"][0], opts.rows["lat"][0]) == (71.4304, 51.1283)


def test_bad_rows_are_set_aside_with_row_numbers_and_reasons(tmp_path):
    text = "lat;lon;w\n51,1283;71,4304;2\nabc;71,4;1\n;71,4;1\nnan;71,4;1\n95;71,4;1\n51,13;71,40;-1\n51,13;71,40;x\n"
    table = read_user_file(_write(tmp_path, "r.csv", text), weight_col="w")
    _assert_balanced(table)
    assert table.rows["row"].tolist() == [1] and table.rows["weight"].tolist() == [2.0]
    reasons = dict(zip(table.set_aside["row"], table.set_aside["reason"], strict=False))
    assert reasons[2].startswith("non-numeric latitude")
    assert reasons[3].startswith("missing latitude") and reasons[4].startswith("missing latitude")
    assert reasons[5].startswith("coordinates out of range")
    assert reasons[6].startswith("negative weight")
    assert reasons[7].startswith("non-numeric weight")
    assert table.set_aside.set_index("row").loc[2, "value"] == "abc"


def test_missing_group_is_set_aside(tmp_path):
    table = read_user_file(_write(tmp_path, "r.csv", "lat,lon,g\n51.1,71.4,a\n51.1,71.4,\n"), group_col="g")
    assert table.set_aside["row"].tolist() == [2] and "missing group" in table.set_aside["reason"][0]


def test_district_names_found_without_coordinates(tmp_path):
    table = read_user_file(_write(tmp_path, "r.csv", "район;n\nЕсиль;3\nБайконур;1\n;4\n"))
    assert table.kind == "names"
    assert table.rows["district_name"].tolist() == ["Есиль", "Байконур"]
    assert table.set_aside["row"].tolist() == [3]


def test_geojson_points_null_geometry_and_other_types(tmp_path):
    features = [
        {"type": "Feature", "properties": {"g": "a"}, "geometry": {"type": "Point", "coordinates": [71.4304, 51.1283]}},
        {"type": "Feature", "properties": {"g": "b"}, "geometry": None},
        {"type": "Feature", "properties": {"g": "c"}, "geometry": shapely.box(71, 51, 71.1, 51.1).__geo_interface__},
    ]
    path = _write(tmp_path, "p.geojson", json.dumps({"type": "FeatureCollection", "features": features}))
    table = read_user_file(path, group_col="g")
    _assert_balanced(table)
    assert table.rows["group"].tolist() == ["a"]
    assert table.set_aside["reason"].tolist()[0] == "null or empty geometry"
    assert "Polygon geometry" in table.set_aside["reason"].tolist()[1]


def test_geojson_with_named_projected_crs_is_reprojected(tmp_path):
    x, y = gpd.GeoSeries([shapely.Point(71.4304, 51.1283)], crs=4326).to_crs(32642).iloc[0].coords[0]
    data = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32642"}},
        "features": [{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [x, y]}}],
    }
    table = read_user_file(_write(tmp_path, "m.geojson", json.dumps(data)))
    assert table.rows["lon"][0] == pytest.approx(71.4304) and table.rows["lat"][0] == pytest.approx(51.1283)


def test_geoparquet_and_its_synthetic_flag(tmp_path):
    gdf = gpd.GeoDataFrame({"synthetic": [True, True]}, geometry=[shapely.Point(71.43, 51.13)] * 2, crs=4326)
    path = tmp_path / "pts.parquet"
    gdf.to_crs(32642).to_parquet(path)
    table = read_user_file(path)
    assert table.synthetic and table.rows["synthetic"].all()
    assert table.rows["lon"][0] == pytest.approx(71.43)
    assert any("reprojected" in n for n in table.notes)


def test_synthetic_from_file_name(tmp_path):
    assert read_user_file(_write(tmp_path, "synthetic_points.csv", "lat,lon\n51.1,71.4\n")).synthetic
    assert not read_user_file(_write(tmp_path, "survey.csv", "lat,lon\n51.1,71.4\n")).synthetic


# ------------------------------------------------------------------------------------ files that cannot be read


def test_empty_file(tmp_path):
    with pytest.raises(BadInput, match="empty.csv: the file is empty"):
        read_user_file(_write(tmp_path, "empty.csv", ""))


def test_header_only(tmp_path):
    with pytest.raises(BadInput, match="header only"):
        read_user_file(_write(tmp_path, "h.csv", "lat,lon\n"))


def test_binary_file_named_csv(tmp_path):
    path = tmp_path / "book.csv"
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4)
    with pytest.raises(BadInput, match="book.csv: binary content"):
        read_user_file(path)


def test_json_cut_half_way(tmp_path):
    text = json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": {
        "type": "Point", "coordinates": [71.43, 51.13]}}]})
    with pytest.raises(BadInput, match=r"cut.geojson: invalid JSON at line 1 column \d+.*cut half way"):
        read_user_file(_write(tmp_path, "cut.geojson", text[: len(text) // 2]))


def test_geojson_in_metres_without_crs(tmp_path):
    feature = {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [459000, 5664000]}}
    path = _write(tmp_path, "m.geojson", json.dumps({"type": "FeatureCollection", "features": [feature]}))
    with pytest.raises(CRSError, match=r"m.geojson: .*row 1.*projected \(metres\) without a CRS"):
        read_user_file(path)


def test_geoparquet_without_crs(tmp_path):
    path = tmp_path / "nocrs.parquet"
    gpd.GeoDataFrame(geometry=[shapely.Point(71.43, 51.13)]).to_parquet(path)
    with pytest.raises(CRSError, match="without a CRS"):
        read_user_file(path)


def test_no_usable_columns(tmp_path):
    with pytest.raises(BadInput, match="no coordinate columns"):
        read_user_file(_write(tmp_path, "r.csv", "a,b\n1,2\n"))
    with pytest.raises(BadInput, match="only one coordinate column"):
        read_user_file(_write(tmp_path, "r.csv", "lat,b\n1,2\n"))
    with pytest.raises(BadInput, match="no column 'grp'"):
        read_user_file(_write(tmp_path, "r.csv", "lat,lon\n51,71\n"), group_col="grp")


def test_all_rows_bad_still_balanced(tmp_path):
    table = read_user_file(_write(tmp_path, "r.csv", "lat,lon\nx,y\n,\n"))
    assert table.rows.empty and len(table.set_aside) == 2
    assert isinstance(table.set_aside, pd.DataFrame)
