"""Every export format read back (geopandas/pandas) and checked: RFC 7946, CSV injection, CRS, offline HTML map."""

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import export
from geo import store as layers
from geo.cli import main
from geo.errors import BadInput, CRSError
from geo.io import writers

GEO_LAYERS = ("districts", "places", "banks", "regions", "cities")


def _signed_area(ring):
    xy = np.asarray(ring, dtype=float)
    x, y = xy[:, 0], xy[:, 1]
    return 0.5 * float(np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]))


def _polygons(geometry):
    if geometry is None:
        return []
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    return []


def _assert_rfc7946(raw: bytes, kazakhstan: bool = True):
    data = json.loads(raw.decode("utf-8"))
    assert data["type"] == "FeatureCollection" and "crs" not in data
    rings = 0
    for feature in data["features"]:
        geometry = feature["geometry"]
        for polygon in _polygons(geometry):
            assert _signed_area(polygon[0]) > 0, "exterior ring must be counter-clockwise"
            for hole in polygon[1:]:
                assert _signed_area(hole) < 0, "holes must be clockwise"
            rings += len(polygon)
        if geometry is not None:
            coords = np.asarray(shapely.get_coordinates(shapely.from_geojson(json.dumps(geometry))))
            lon_range, lat_range = ((46, 88), (40, 56)) if kazakhstan else ((-180, 180), (-90, 90))
            assert coords[:, 0].min() >= lon_range[0] and coords[:, 0].max() <= lon_range[1]  # lon first
            assert coords[:, 1].min() >= lat_range[0] and coords[:, 1].max() <= lat_range[1]
            # at most 6 decimals
            assert np.allclose(coords, np.round(coords, 6), atol=1e-12)
    return data, rings


@pytest.mark.parametrize("name", GEO_LAYERS)
def test_geojson_of_every_geo_layer_is_rfc7946_and_reads_back(built, tmp_path, name):
    gdf = layers.load_layer(name) if name != "districts" else layers.load_districts()
    path = writers.to_geojson(gdf, tmp_path / f"{name}.geojson")
    data, _ = _assert_rfc7946(path.read_bytes())
    back = gpd.read_file(path)
    assert len(back) == len(gdf) == len(data["features"])
    assert back.crs.to_epsg() == 4326
    with_geometry = gdf.geometry.notna()
    assert back.geometry.notna().sum() == with_geometry.sum()
    # same shapes up to the 6-decimal grid (slivers thinner than the grid vanish, so no Hausdorff test)
    a = gdf.geometry[with_geometry].to_crs(32642).reset_index(drop=True)
    b = back.geometry[with_geometry.to_numpy()].to_crs(32642).reset_index(drop=True)
    polygonal = a.area > 0
    # a boundary moves by at most ~0.1 m, so the area between old and new is under perimeter x 0.1 m
    assert (a[polygonal].symmetric_difference(b[polygonal]).area <= a[polygonal].length * 0.1).all()
    assert (a[~polygonal].distance(b[~polygonal]) < 0.2).all()  # points move at most ~0.1 m


def test_clockwise_input_is_reoriented_and_holes_kept(tmp_path):
    # hand-drawn square with a hole, both rings given the wrong way round
    outer = [(71.0, 51.0), (71.0, 51.1), (71.1, 51.1), (71.1, 51.0), (71.0, 51.0)]  # clockwise
    hole = [(71.02, 51.02), (71.08, 51.02), (71.08, 51.08), (71.02, 51.08), (71.02, 51.02)]  # ccw
    gdf = gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.Polygon(outer, [hole])], crs=4326)
    _, rings = _assert_rfc7946(writers.to_geojson_bytes(gdf))
    assert rings == 2


def test_projected_layer_is_reprojected_and_no_crs_is_refused(tmp_path):
    point = gpd.GeoDataFrame({"v": [1]}, geometry=[shapely.Point(71.4304, 51.1283)], crs=4326)
    data = json.loads(writers.to_geojson_bytes(point.to_crs(32642)))
    assert data["features"][0]["geometry"]["coordinates"] == pytest.approx([71.4304, 51.1283])
    target = tmp_path / "keep.geojson"
    writers.to_geojson(point, target)
    before = target.read_bytes()
    with pytest.raises(CRSError, match="no CRS"):
        writers.to_geojson(gpd.GeoDataFrame({"v": [1]}, geometry=[shapely.Point(1, 2)]), target)
    assert target.read_bytes() == before  # the failed write left the last good file
    assert [p.name for p in tmp_path.iterdir()] == ["keep.geojson"]  # and no temp file behind


def test_missing_values_are_null_not_zero():
    gdf = gpd.GeoDataFrame({"per_1000": [np.nan, 2.5]}, geometry=[shapely.Point(71.4, 51.1)] * 2, crs=4326)
    data = json.loads(writers.to_geojson_bytes(gdf))
    assert [f["properties"]["per_1000"] for f in data["features"]] == [None, 2.5]


def test_csv_neutralises_formulas_but_keeps_numbers(tmp_path):
    cells = ["=HYPERLINK(\"http://x\")", "+7 701 000", "-5.2", "@SUM(A1)", "\tcmd", "\rcmd", "Есиль", "-", "+1e3"]
    frame = pd.DataFrame({"text": cells, "number": range(len(cells))})
    path = writers.to_csv(frame, tmp_path / "t.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads Cyrillic
    back = pd.read_csv(path, dtype={"text": str}, keep_default_na=False)
    assert back["text"].tolist() == [
        "'=HYPERLINK(\"http://x\")", "'+7 701 000", "-5.2", "'@SUM(A1)", "'\tcmd", "'\rcmd", "Есиль", "'-", "+1e3"
    ]
    assert back["number"].tolist() == list(range(len(cells)))


def test_csv_of_points_has_lon_lat_and_reads_back_with_geopandas(built, tmp_path):
    places = layers.load_layer("places")
    path = writers.to_csv(places, tmp_path / "places.csv")
    table = pd.read_csv(path)
    located = places.geometry.notna().to_numpy()
    assert np.allclose(table["lon"][located], places.geometry[located].x, atol=1e-6)
    assert table["lon"][~located].isna().all()  # no coordinates stays empty
    back = gpd.read_file(path, GEOM_POSSIBLE_NAMES="geometry_wkt", KEEP_GEOM_COLUMNS="NO")
    assert len(back) == len(places)
    assert back.geometry.notna().sum() == located.sum()


def test_parquet_keeps_crs_and_plain_tables(built, tmp_path):
    banks = layers.load_layer("banks")
    back = gpd.read_parquet(writers.to_parquet(banks, tmp_path / "b.parquet"))
    assert back.crs.to_epsg() == 4326 and back.geometry.equals(banks.geometry)
    figures = layers.load_figures()
    assert pd.read_parquet(writers.to_parquet(figures, tmp_path / "f.parquet")).shape == figures.shape
    with pytest.raises(CRSError):
        writers.to_parquet_bytes(gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)]))


def test_html_map_is_offline_escaped_with_legend_and_attribution(built, tmp_path):
    districts = layers.load_districts("Astana")
    districts["note"] = "<script>alert(1)</script>"
    attribution = export.layer_attribution("districts", districts)
    path = writers.to_html_map(districts, tmp_path / "m.html", value_col="area_km2", title="Astana districts",
                              tooltip_cols=["name_en", "area_km2", "note"], attribution=attribution)
    page = path.read_text(encoding="utf-8")
    assert "<script src=" not in page and 'rel="stylesheet" href="http' not in page  # nothing from a CDN
    assert "L.map(" in page and "Leaflet" in page[:500_000]  # Leaflet inlined
    assert "qala-legend" in page and "area_km2 (quantile classes)" in page and "no data" in page
    assert "OpenStreetMap contributors" in page and "tile.openstreetmap.org" in page
    # the property is HTML-escaped before folium JSON-encodes it (& written as \u0026)
    assert "<script>alert(1)</script>" not in page and "\\u0026lt;script\\u0026gt;alert(1)" in page
    assert "GeoJsonTooltip" in page or "bindTooltip" in page


def test_html_map_of_a_layer_without_geometry_is_bad_input(built):
    with pytest.raises(BadInput, match="no feature has a geometry"):
        writers.to_html_map_bytes(layers.load_districts(vintage="astana-3"))


def test_cli_exports_every_format_and_reports_bad_requests(built, tmp_path, capsys):
    for fmt in writers.FORMATS:
        target = tmp_path / f"d.{fmt}"
        assert main(["export", "districts", "--vintage", "astana-5", "--format", fmt, "-o", str(target)]) == 0
        assert target.stat().st_size > 0
    assert len(gpd.read_parquet(tmp_path / "d.parquet")) == 5  # Astana's five districts of 2022-2024
    assert main(["export", "perception", "--format", "csv", "-o", str(tmp_path / "p.csv")]) == 0
    assert main(["export", "figures", "--format", "geojson", "-o", str(tmp_path / "f.geojson")]) == 2
    assert "has no geometry" in capsys.readouterr().err
    assert main(["export", "nosuch", "-o", str(tmp_path / "x.geojson")]) == 2
    assert main(["export", "districts", "--vintage", "astana-99", "-o", str(tmp_path / "x.geojson")]) == 2
    err = capsys.readouterr().err
    assert err.count("qala: error:") == 2 and "unknown vintage" in err


def test_attribution_follows_each_vintage_to_its_boundary_source(built):
    from geo.export import layer_attribution
    from geo.store import load_districts

    old = layer_attribution("districts", load_districts("Astana", vintage="astana-4"))
    assert "geokz" in old and "OpenStreetMap" not in old  # astana-4 is built from the geokz districts
    assert "OpenStreetMap" in layer_attribution("districts", load_districts("Astana"))
