"""Astana's left and right banks of the Esil, and each district's bank.

Method (all in UTM 42N): a continuous bank-edge line is drawn, and the city minus the water is split by it.
- West of 71.60E the Astana geoportal river polygon is complete, so the edge runs through the water: the pieces of
  the polygon are triangulated (constrained Delaunay) and the line follows the shortest route through the triangles
  (midpoints of shared triangle edges). Where the river channel splits, the shortest route wins (the main stream,
  not the loops).
- The OSM border between the left-bank districts (Esil, Nura) and the others (the "divide") joins the same route
  graph at a higher cost per metre, so it is used where the river layer is missing: across gaps between water
  pieces where it runs beside the river, and as the whole edge east of 71.60E where the river layer is patchy.
  Gaps that the divide does not cover are bridged by straight segments (costlier still, at most 500 m).
- The route runs from the divide's eastern end to the water where the river leaves the city that is furthest
  along the route (any water, if none lies outside); an end inside the city is joined to the nearest point of the
  city outline, so the edge runs from one side of the city to the other.
- The city outline and the edge are polygonized; each face goes to the side of the edge it touches, and the side
  holding most of Esil+Nura is the left bank. Land enclosed by the river (islands) therefore goes by its position:
  the side of the main-stream line it lies on. Faces the edge does not touch (the southern exclave, northern
  pieces) take the side of the districts they overlap, or of the nearest district. Water is neither bank.
Known error: measured on each build (land whose bank differs from the OSM divide's, per longitude band, and the
gaps bridged) and written to the ``error_note`` column.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import Counter
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, Point, box

from geo.errors import BadInput
from geo.settings import STORAGE_CRS, UTM_CRS

LEFT_BANK_DISTRICTS = ("711210000", "711510000")  # Esil, Nura: the left bank by decree and creation texts
BANK_SHARE_TOLERANCE = 0.05  # >= 95% of its land on one bank: that bank (Nura has 2.6% beyond a side channel); shares always shown
RIVER_COMPLETE_EAST_LON = 71.60  # the geoportal river polygon is complete west of this meridian
BAND_EDGES_LON = (71.40, 71.60)  # bands in which the error is reported: west, between, east
TRIANGLE_EDGE_M = 25.0  # the river outline is densified to this before triangulation
COST_DIVIDE = 3.0  # cost per metre along the OSM divide, against 1 along the water
COST_BRIDGE = 6.0  # cost per metre of a straight bridge across a gap in the river layer
MAX_BRIDGE_M = 500.0  # longest gap between river pieces bridged by a straight segment
DIVIDE_JOIN_M = 60.0  # the divide joins the water route where it passes this close to the water
DIVIDE_STEP_M = 25.0  # the divide is walked in steps of this length
METHOD = (
    "Bank edge (UTM 42N): west of 71.60E the shortest route through the Astana geoportal river polygon (made "
    "valid, triangulated), where it splits the main stream; the OSM border of Esil+Nura with the other districts "
    "across gaps in the river layer and east of 71.60E, where the river layer is patchy; straight bridges for "
    "other gaps. The city minus the water is split by this line: the side holding most of Esil+Nura is the left "
    "bank. Islands go by the side of the line they lie on; city land the line does not reach (the southern "
    "exclave) takes the side of the districts it overlaps or of the nearest district."
)


@dataclass
class _Graph:
    """Route graph: node coordinates, adjacency lists (node, cost, kind) and node kinds (water or divide)."""

    xy: list = field(default_factory=list)
    adj: list = field(default_factory=list)
    water: list = field(default_factory=list)

    def add_node(self, x: float, y: float, water: bool) -> int:
        self.xy.append((x, y))
        self.adj.append([])
        self.water.append(water)
        return len(self.xy) - 1

    def link(self, i: int, j: int, cost_per_m: float, kind: str) -> None:
        length = math.dist(self.xy[i], self.xy[j])
        self.adj[i].append((j, length * cost_per_m, kind))
        self.adj[j].append((i, length * cost_per_m, kind))


def _utm(geom: shapely.Geometry) -> shapely.Geometry:
    return gpd.GeoSeries([geom], crs=STORAGE_CRS).to_crs(UTM_CRS["Astana"]).iloc[0]


def _lon_band_utm(west: float, east: float) -> shapely.Geometry:
    """The band between two meridians around Astana, as a UTM polygon (densified, so its sides stay meridians)."""
    band = shapely.segmentize(box(west, 50.5, east, 51.8), 0.005)
    return _utm(band)


def _district_sides(districts: gpd.GeoDataFrame) -> tuple[shapely.Geometry, shapely.Geometry]:
    utm = districts.to_crs(UTM_CRS["Astana"])
    is_left = utm.district_id.isin(LEFT_BANK_DISTRICTS)
    if not is_left.any() or is_left.all():
        raise BadInput("banks: the districts must hold Esil (711210000) or Nura (711510000) and at least one other "
                       "district; pass the astana-6 vintage")
    return shapely.union_all(utm[is_left].geometry.values), shapely.union_all(utm[~is_left].geometry.values)


def _divide_utm(left_d: shapely.Geometry, right_d: shapely.Geometry) -> shapely.Geometry:
    return shapely.line_merge(shapely.intersection(left_d.boundary, right_d.buffer(1.0)))


def bank_divide_line(districts: gpd.GeoDataFrame) -> shapely.Geometry:
    """The shared border of the left-bank districts and the others (the OSM-derived bank divide)."""
    line = _divide_utm(*_district_sides(districts))
    return gpd.GeoSeries([line], crs=UTM_CRS["Astana"]).to_crs(STORAGE_CRS).iloc[0]


def _add_water(graph: _Graph, piece: shapely.Polygon) -> list[int]:
    """Triangulate one water polygon and add its chordal axis: midpoints of shared triangle edges, linked
    across each triangle (a triangle with at most one shared edge also links its centroid, so no water is cut off).
    """
    triangles = shapely.constrained_delaunay_triangles(shapely.segmentize(piece, TRIANGLE_EDGE_M))
    corners = shapely.get_coordinates(shapely.get_exterior_ring(shapely.get_parts(triangles))).reshape(-1, 4, 2)[:, :3]
    sides = [[tuple(sorted((tuple(keys[k]), tuple(keys[(k + 1) % 3])))) for k in range(3)]
             for keys in np.round(corners, 3).tolist()]
    shared = {key for key, count in Counter(key for tri in sides for key in tri).items() if count > 1}
    midpoint_node: dict = {}
    nodes = []
    for ring, tri in zip(corners, sides, strict=False):
        inner = []
        for k, key in enumerate(tri):
            if key in shared:
                if key not in midpoint_node:
                    mid = (ring[k] + ring[(k + 1) % 3]) / 2
                    midpoint_node[key] = graph.add_node(float(mid[0]), float(mid[1]), water=True)
                    nodes.append(midpoint_node[key])
                inner.append(midpoint_node[key])
        if len(inner) <= 1:
            centre = ring.mean(axis=0)
            inner.append(graph.add_node(float(centre[0]), float(centre[1]), water=True))
            nodes.append(inner[-1])
        for a, b in itertools.combinations(inner, 2):
            graph.link(a, b, 1.0, "water")
    return nodes


def _nearest(graph: _Graph, nodes: list[int], point: Point) -> int:
    xy = np.asarray([graph.xy[n] for n in nodes])
    return nodes[int(np.argmin(np.hypot(xy[:, 0] - point.x, xy[:, 1] - point.y)))]


def _route_graph(pieces: list, divide: shapely.Geometry) -> tuple[_Graph, list[int]]:
    """Water triangles, straight bridges between close pieces, and the divide, in one graph."""
    graph = _Graph()
    piece_nodes = [_add_water(graph, p) for p in pieces]
    for i, j in itertools.combinations(range(len(pieces)), 2):
        if pieces[i].distance(pieces[j]) <= MAX_BRIDGE_M:
            a, b = (Point(c) for c in shapely.shortest_line(pieces[i], pieces[j]).coords)
            na, nb = _nearest(graph, piece_nodes[i], a), _nearest(graph, piece_nodes[j], b)
            graph.link(na, nb, COST_BRIDGE, "bridge")
    water_nodes = [n for nodes in piece_nodes for n in nodes]
    water_xy = shapely.points(np.asarray([graph.xy[n] for n in water_nodes])) if water_nodes else None
    tree = shapely.STRtree(water_xy) if water_nodes else None
    for line in getattr(divide, "geoms", [divide]):
        steps = shapely.get_coordinates(shapely.segmentize(line, DIVIDE_STEP_M))
        previous = None
        for x, y in steps:
            node = graph.add_node(x, y, water=False)
            if previous is not None:
                graph.link(previous, node, COST_DIVIDE, "divide")
            if tree is not None:
                near = tree.query_nearest(Point(x, y), max_distance=DIVIDE_JOIN_M)
                if len(near):
                    graph.link(node, water_nodes[int(near[0])], COST_DIVIDE, "join")
            previous = node
    return graph, water_nodes


def _shortest(graph: _Graph, start: int) -> tuple[list[float], list[int]]:
    dist, prev = [math.inf] * len(graph.xy), [-1] * len(graph.xy)
    dist[start] = 0.0
    queue = [(0.0, start)]
    while queue:
        d, u = heapq.heappop(queue)
        if d > dist[u]:
            continue
        for v, cost, _kind in graph.adj[u]:
            if d + cost < dist[v]:
                dist[v], prev[v] = d + cost, u
                heapq.heappush(queue, (d + cost, v))
    return dist, prev


def _reach_outline(line: LineString, city: shapely.Geometry) -> LineString:
    """Join an end inside the city to the nearest outline point, then run each end 1 m past it (clean noding)."""
    coords = [tuple(c) for c in line.coords]
    for at_start in (True, False):
        end = Point(coords[0] if at_start else coords[-1])
        if city.contains(end):
            onto = shapely.shortest_line(end, city.boundary).coords[1]
            coords.insert(0, onto) if at_start else coords.append(onto)
        a, b = (coords[1], coords[0]) if at_start else (coords[-2], coords[-1])
        length = math.dist(a, b) or 1.0
        past = (b[0] + (b[0] - a[0]) / length, b[1] + (b[1] - a[1]) / length)
        coords.insert(0, past) if at_start else coords.append(past)
    return LineString(coords)


@dataclass
class _Edge:
    line: LineString
    bridges_m: list  # length of each straight bridge across a gap in the river layer
    by_kind: dict  # the route's pieces along the water, the divide, joins and bridges (MultiLineStrings)


def _edge_utm(city: shapely.Geometry, water: shapely.Geometry, divide: shapely.Geometry) -> _Edge:
    """The bank-edge line: the river route west of the meridian, the divide beyond it and across gaps."""
    if divide.is_empty:
        raise BadInput("banks: the left- and right-bank districts share no border; pass the astana-6 vintage")
    west = _lon_band_utm(60.0, RIVER_COMPLETE_EAST_LON)
    pieces = [p for p in shapely.get_parts(shapely.intersection(water, west)) if p.area > 1.0]
    graph, water_nodes = _route_graph(pieces, divide)
    ends = [Point(c) for line in getattr(divide, "geoms", [divide]) for c in (line.coords[0], line.coords[-1])]
    east_end = max(ends, key=lambda p: p.x)
    target = next(i for i, xy in enumerate(graph.xy) if not graph.water[i] and xy == (east_end.x, east_end.y))
    dist, prev = _shortest(graph, target)
    reachable = [n for n in water_nodes if dist[n] < math.inf]
    if not reachable:
        raise BadInput(f"banks: no piece of the river polygon west of {RIVER_COMPLETE_EAST_LON}E reaches the OSM "
                       "bank divide; check the river layer (esil_river_astana_geoportal)")
    # The route starts where the river leaves the city (water outside or on the outline), else at any water.
    leaving = [n for n in reachable if not city.contains(Point(graph.xy[n]))] or reachable
    path = [max(leaving, key=lambda n: dist[n])]
    while prev[path[-1]] >= 0:
        path.append(prev[path[-1]])
    steps: dict = {}
    for u, v in itertools.pairwise(path):
        kind = next(k for w, _c, k in graph.adj[u] if w == v)
        steps.setdefault(kind, []).append(LineString([graph.xy[u], graph.xy[v]]))
    by_kind = {kind: shapely.line_merge(shapely.union_all(lines)) for kind, lines in steps.items()}
    line = LineString([graph.xy[n] for n in path])
    return _Edge(_reach_outline(line, city), [seg.length for seg in steps.get("bridge", [])], by_kind)


def _sides(city: shapely.Geometry, edge: LineString) -> tuple[list, list, list]:
    """City faces cut by the edge, sorted into those touching its one side, its other side, or neither."""
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(shapely.union_all([city.boundary, edge]))))
    faces = [f for f in faces if city.contains(f.representative_point())]
    plus, minus = edge.buffer(1.0, single_sided=True), edge.buffer(-1.0, single_sided=True)
    side_a: list = []
    side_b: list = []
    untouched: list = []
    for face in faces:
        a, b = face.intersection(plus).area, face.intersection(minus).area
        (side_a if a > b else side_b if b > a else untouched).append(face)
    return side_a, side_b, untouched


def _split_city(
    city: shapely.Geometry,
    water: shapely.Geometry,
    edge: LineString,
    left_d: shapely.Geometry,
    right_d: shapely.Geometry,
) -> tuple[shapely.Geometry, shapely.Geometry]:
    side_a, side_b, untouched = _sides(city, edge)
    a, b = shapely.union_all(side_a), shapely.union_all(side_b)
    left_side = a if a.intersection(left_d).area >= b.intersection(left_d).area else b
    left = [left_side]
    for face in untouched:
        on_left, on_right = face.intersection(left_d).area, face.intersection(right_d).area
        if on_left > on_right or (on_left == on_right == 0 and face.distance(left_d) <= face.distance(right_d)):
            left.append(face)
    land = shapely.difference(city, water)
    left = shapely.intersection(land, shapely.union_all(left))
    return left, shapely.difference(land, left)


def _divide_banks(
    land: shapely.Geometry, left_d: shapely.Geometry, right_d: shapely.Geometry
) -> shapely.Geometry:
    """The left bank by the OSM districts alone (the lead's first method), to measure the disagreement."""
    left = shapely.intersection(land, left_d)
    rest = shapely.difference(land, shapely.union(left_d, right_d))
    for piece in shapely.get_parts(rest):
        if piece.area >= 1.0 and piece.distance(left_d) <= piece.distance(right_d):
            left = shapely.union(left, piece)
    return left


def _error_note(
    edge: _Edge,
    left: shapely.Geometry,
    divide_left: shapely.Geometry,
    water: shapely.Geometry,
    divide: shapely.Geometry,
) -> str:
    """Measured error: land whose bank differs from the OSM divide's, by band; gaps bridged; river-edge distance."""
    disagree = shapely.symmetric_difference(left, divide_left)
    west, east = BAND_EDGES_LON
    bands = {f"west of {west:.2f}E": (60.0, west), f"{west:.2f}-{east:.2f}E": (west, east),
             f"east of {east:.2f}E": (east, 90.0)}
    parts = []
    for name, (lo, hi) in bands.items():
        band = _lon_band_utm(lo, hi)
        area = shapely.intersection(disagree, band).area / 1e6
        off = shapely.get_coordinates(shapely.segmentize(shapely.intersection(divide, band), 10.0))
        far = max((Point(c).distance(edge.line) for c in off), default=math.nan)  # divide -> edge, one way
        parts.append(f"{name}: {area:.2f} km² of land on another bank than by the OSM divide, divide up to "
                     f"{far:.0f} m from the edge")
    middle = shapely.intersection(edge.line, _lon_band_utm(west, east))
    river_off = max((Point(c).distance(water) for c in shapely.get_coordinates(shapely.segmentize(middle, 10.0))),
                    default=math.nan)
    on_divide = shapely.union_all([edge.by_kind.get("divide", LineString()), edge.by_kind.get("join", LineString())])
    divide_west = shapely.intersection(on_divide, _lon_band_utm(60.0, RIVER_COMPLETE_EAST_LON)).length
    near = shapely.intersection(middle, water.buffer(30.0)).length / middle.length if middle.length else math.nan
    east_water = shapely.intersection(water, _lon_band_utm(RIVER_COMPLETE_EAST_LON, 90.0))
    east_off = max((shapely.distance(p, edge.line) for p in shapely.get_parts(east_water)), default=0.0)
    return (
        "; ".join(parts) + f". Between {west:.2f} and {east:.2f}E {near:.1%} of the edge lies within 30 m of the river "
        f"polygon, the rest crosses gaps in the river layer (farthest point {river_off:.0f} m off). Gaps in the river layer bridged by straight lines: {len(edge.bridges_m)} "
        f"({sum(edge.bridges_m):.0f} m); OSM divide used west of {RIVER_COMPLETE_EAST_LON:.2f}E: "
        f"{divide_west:.0f} m. East of {RIVER_COMPLETE_EAST_LON:.2f}E the edge is the OSM divide; river pieces "
        f"there lie up to {east_off:.0f} m from it, so the true bank of land near them is uncertain."
    )


def bank_edge(city_outline: shapely.Geometry, river: shapely.Geometry,
              districts: gpd.GeoDataFrame) -> shapely.Geometry:
    """The continuous bank-edge line (EPSG:4326) that :func:`build_banks` splits the city with."""
    left_d, right_d = _district_sides(districts)
    edge = _edge_utm(_utm(city_outline), shapely.make_valid(_utm(river)), _divide_utm(left_d, right_d))
    return gpd.GeoSeries([edge.line], crs=UTM_CRS["Astana"]).to_crs(STORAGE_CRS).iloc[0]


def build_banks(city_outline: shapely.Geometry, river: shapely.Geometry,
                districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Left and right bank polygons of Astana (EPSG:4326), with method and measured error as columns."""
    crs = UTM_CRS["Astana"]
    city, water = _utm(city_outline), shapely.make_valid(_utm(river))
    left_d, right_d = _district_sides(districts)
    divide = _divide_utm(left_d, right_d)
    edge = _edge_utm(city, water, divide)
    left, right = _split_city(city, water, edge.line, left_d, right_d)
    note = _error_note(edge, left, _divide_banks(shapely.difference(city, water), left_d, right_d), water, divide)
    banks = gpd.GeoDataFrame({"bank": ["left", "right"], "geometry": [left, right]}, geometry="geometry", crs=crs)
    banks["area_km2"] = banks.area / 1e6
    banks["water_km2"] = shapely.intersection(city, water).area / 1e6
    banks["method"], banks["error_note"] = METHOD, note
    return banks.to_crs(STORAGE_CRS)


def district_banks(districts: gpd.GeoDataFrame, banks: gpd.GeoDataFrame) -> pd.DataFrame:
    """Each Astana district's share of land on the left bank, and its bank (left, right, or both)."""
    crs = UTM_CRS["Astana"]
    utm = districts[(districts.city == "Astana") & districts.geometry.notna()].to_crs(crs)
    b = banks.to_crs(crs).set_index("bank").geometry
    rows = []
    for row in utm.itertuples():
        left, right = row.geometry.intersection(b["left"]).area, row.geometry.intersection(b["right"]).area
        share = left / (left + right) if left + right > 0 else float("nan")
        bank = "left" if share >= 1 - BANK_SHARE_TOLERANCE else "right" if share <= BANK_SHARE_TOLERANCE else "both"
        rows.append({"district_id": row.district_id, "vintage": row.vintage, "bank": bank, "bank_left_share": share})
    return pd.DataFrame(rows)


def with_banks(districts: gpd.GeoDataFrame, computed: pd.DataFrame, figures: pd.DataFrame) -> gpd.GeoDataFrame:
    """Districts with their bank: computed from the boundaries where they exist, else (Astana's 2008-2018
    districts) the bank the reference table states (district_area_bank.csv: Esil left by its creation decree,
    Almaty and Saryarka right, derived from boundary texts), so the left bank's share can be followed to 2012.
    ``bank_source`` says which."""
    out = districts.merge(computed, on=["vintage", "district_id"], how="left")
    out["bank_source"] = out["bank"].notna().map({True: "computed from the boundaries", False: None})
    stated = figures[(figures["indicator"] == "river_bank") & figures["district_id"].notna()]
    stated = stated.drop_duplicates("district_id").set_index("district_id")
    missing = (out["city"] == "Astana") & out["bank"].isna() & out["district_id"].isin(stated.index)
    ids = out.loc[missing, "district_id"]
    out.loc[missing, "bank"] = ids.map(stated["value_text"])
    out.loc[missing, "bank_left_share"] = (out.loc[missing, "bank"] == "left").astype(float)
    out.loc[missing, "bank_source"] = [
        f"published: {stated.loc[d, 'source']} ({stated.loc[d, 'confidence'] or 'stated'})" for d in ids]
    return out
