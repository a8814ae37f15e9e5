"""Web layers: what the coverage simplification is given."""

import geopandas as gpd
import shapely

from geo.build.web import polygons_only, simplify


def test_slivers_lines_and_points_are_dropped_before_simplifying():
    square = shapely.box(0, 0, 1000, 1000)
    sliver = shapely.Polygon([(1000, 0), (1000, 500), (1000, 1000)])  # zero area
    mixed = shapely.GeometryCollection([square, sliver, shapely.LineString([(0, 0), (5, 5)]), shapely.Point(3, 3)])
    assert polygons_only(mixed).equals(square)
    two = shapely.MultiPolygon([square, shapely.box(2000, 0, 3000, 1000)])
    assert polygons_only(two).equals(two)
    assert polygons_only(square) is square and polygons_only(None) is None


def test_neighbours_still_meet_after_simplification():
    """Two districts sharing a wiggly border, one with a sliver: after simplification they neither overlap nor
    leave a gap (the union is one polygon without holes), and the 3 m wiggle is gone."""
    x0, y0 = 500_000, 5_660_000  # inside UTM 42N, near Astana
    border = [(x0 + 1000, y0 + 400), (x0 + 1003, y0 + 500), (x0 + 1000, y0 + 600)]
    left = shapely.Polygon([(x0, y0), (x0 + 1000, y0), *border, (x0 + 1000, y0 + 1000), (x0, y0 + 1000)])
    right = shapely.Polygon([(x0 + 1000, y0), (x0 + 2000, y0), (x0 + 2000, y0 + 1000), (x0 + 1000, y0 + 1000),
                             *reversed(border)])
    sliver = shapely.Polygon([(x0 + 2000, y0), (x0 + 2000, y0 + 500), (x0 + 2000, y0 + 1000)])
    gdf = gpd.GeoDataFrame({"id": [1, 2]}, geometry=[left, shapely.GeometryCollection([right, sliver])],
                           crs="EPSG:32642")
    out = simplify(gdf, "EPSG:32642", 25.0).to_crs("EPSG:32642")
    a, b = out.geometry.iloc[0], out.geometry.iloc[1]
    assert a.intersection(b).area < 1.0  # no overlap
    union = shapely.union_all([a, b])
    assert union.geom_type == "Polygon" and len(union.interiors) == 0  # no gap
    assert len(shapely.get_coordinates(a)) < len(shapely.get_coordinates(left))  # the wiggle was simplified
