"""The brief's map as inline SVG: drawn from the served GeoJSON of the view (no tiles, no script), so a printed
brief needs no network and shows exactly the classes the dashboard shows.

Projection: longitude scaled by cos(mean latitude) (equirectangular about the city: right shapes at city
scale). Colours, classes and hatching come from the view's Style hideout; labels are the districts' names in
the brief's language, placed greedily largest district first and dropped rather than overlapping another.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from html import escape

import shapely
from shapely.geometry.base import BaseGeometry

WIDTH = 1000.0  # SVG user units across; the page scales the SVG to its column
MAX_HEIGHT = 640.0
PAD = 12.0
LABEL_SIZE = 15.0  # user units (~7.5 pt at the printed width)
SMALL_SHAPE, MARKER_R = 30.0, 10.0  # a feature smaller than SMALL_SHAPE (SVG units) also gets a circle
BOX_MM = (186.0, 80.0)  # the most the map may take on the page (A4 less margins; room left for the table)
OUTLINE_COLOR = "#444"
WATER = "#7fb2e0"
KM_PER_DEGREE = 111.32  # of latitude
NICE_KM = (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
HATCH = ('<pattern id="hatch" patternUnits="userSpaceOnUse" width="9" height="9" '
         'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="9" stroke="#111" '
         'stroke-width="2.2" stroke-opacity="0.75"/></pattern>')

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in SVG units


@dataclass(frozen=True)
class Projection:
    """lon/lat -> SVG units for a frame (west, south, east, north), north up, aspect kept."""

    west: float
    north: float
    kx: float
    scale: float
    width: float
    height: float

    @classmethod
    def of(cls, west: float, south: float, east: float, north: float) -> Projection:
        kx = math.cos(math.radians((south + north) / 2))
        span_x = max((east - west) * kx, 1e-9)
        span_y = max(north - south, 1e-9)
        scale = min((WIDTH - 2 * PAD) / span_x, (MAX_HEIGHT - 2 * PAD) / span_y)
        return cls(west, north, kx, scale, span_x * scale + 2 * PAD, span_y * scale + 2 * PAD)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return PAD + (lon - self.west) * self.kx * self.scale, PAD + (self.north - lat) * self.scale


def hatched_ids(hideout: Mapping) -> set[str]:
    """The ids marked ``hatched`` in a hideout: a list of ids or a mapping id -> truthy."""
    marked = hideout.get("hatched")
    if isinstance(marked, Mapping):
        return {str(k) for k, v in marked.items() if v}
    if isinstance(marked, (list, tuple, set)):
        return {str(k) for k in marked}
    return set()


def _rings(geom: BaseGeometry) -> Iterable[Iterable[tuple[float, float]]]:
    for poly in getattr(geom, "geoms", [geom]):
        if poly.geom_type != "Polygon":
            continue
        yield poly.exterior.coords
        yield from (ring.coords for ring in poly.interiors)


def path_data(geom: BaseGeometry, proj: Projection) -> str:
    parts = []
    for ring in _rings(geom):
        points = [proj.xy(lon, lat) for lon, lat, *_ in ring]
        if len(points) < 3:
            continue
        head, *rest = points
        parts.append(f"M{head[0]:.1f} {head[1]:.1f}" + "".join(f"L{x:.1f} {y:.1f}" for x, y in rest) + "Z")
    return "".join(parts)


def _overlaps(box: Box, placed: list[Box]) -> bool:
    return any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed)


def place_labels(anchors: list[tuple[str, float, float, float]], size: float = LABEL_SIZE
                 ) -> list[tuple[str, float, float]]:
    """(text, x, y) for labels that do not overlap: biggest area first, at its anchor or nudged above/below;
    a label that fits nowhere is left out (the values table names every district)."""
    placed: list[Box] = []
    out = []
    for text, x, y, _area in sorted(anchors, key=lambda a: -a[3]):
        half_w, half_h = len(text) * size * 0.31 + 3, size * 0.62
        for dy in (0.0, -1.4 * size, 1.4 * size):
            box = (x - half_w, y + dy - half_h, x + half_w, y + dy + half_h)
            if not _overlaps(box, placed):
                placed.append(box)
                out.append((text, x, y + dy))
                break
    return out


def _features(raw: bytes | None) -> list[tuple[str, dict, BaseGeometry]]:
    if not raw:
        return []
    out = []
    for feature in json.loads(raw)["features"]:
        if feature.get("geometry"):
            props = feature.get("properties") or {}
            out.append((str(props.get("fid")), props, shapely.geometry.shape(feature["geometry"])))
    return out


@dataclass(frozen=True)
class Setting:
    """What a printed map needs around its districts: the city's outline beneath them, the river over them,
    and the words of its scale bar and north arrow in the brief's language."""

    outline: bytes | None = None
    water: bytes | None = None
    km: str = "km"
    north: str = "N"


def scale_bar(proj: Projection, km: str) -> str:
    """A bar of a round length (1, 2, 5, 10 ... km) near a fifth of the map's width, bottom left."""
    km_per_unit = KM_PER_DEGREE / proj.scale  # the frame's latitude degree: the projection keeps it true
    target = proj.width * 0.2 * km_per_unit
    length = max((d for d in NICE_KM if d <= target), default=NICE_KM[0])
    units = length / km_per_unit
    x0, y0 = PAD + 6, proj.height - PAD - 6
    ticks = "".join(f'<line x1="{x0 + f * units:.1f}" y1="{y0 - 7}" x2="{x0 + f * units:.1f}" y2="{y0}" '
                    'stroke="#111" stroke-width="2"/>' for f in (0, 0.5, 1))
    return (f'<g class="scalebar"><line x1="{x0:.1f}" y1="{y0}" x2="{x0 + units:.1f}" y2="{y0}" stroke="#111" '
            f'stroke-width="3"/>{ticks}<text x="{x0 + units + 8:.1f}" y="{y0 - 2}" font-size="{LABEL_SIZE:.0f}" '
            f'dominant-baseline="middle">{length:g} {escape(km)}</text></g>')


def north_arrow(proj: Projection, letter: str) -> str:
    """North is up: an arrow and its letter, top right."""
    x, y = proj.width - PAD - 14, PAD + 6
    return (f'<g class="north"><path d="M{x:.1f} {y:.1f}L{x + 9:.1f} {y + 30:.1f}L{x:.1f} {y + 23:.1f}'
            f'L{x - 9:.1f} {y + 30:.1f}Z" fill="#111"/><text x="{x:.1f}" y="{y + 46:.1f}" text-anchor="middle" '
            f'font-size="{LABEL_SIZE:.0f}">{escape(letter)}</text></g>')


def svg_map(raw: bytes | None, hideout: Mapping, name_of: Callable[[str, dict], str],
            frame: tuple[float, float, float, float] | None = None, context: bytes | None = None,
            selected: str | None = None, setting: Setting | None = None,
            box: tuple[float, float] = BOX_MM) -> str:
    """The map as one <svg>: a <path class="district"> per feature of ``raw`` (fill from the hideout's class
    colours, the no-data colour when it has no class), hatching over ``hatched`` ids, the context layer's
    outlines and the city's outline beneath, the river over the districts, non-overlapping labels, a scale bar
    and a north arrow. ``frame`` is (west, south, east, north); the features' extent when None."""
    features = _features(raw)
    selected = selected or hideout.get("selected")
    features.sort(key=lambda f: f[0] == selected)  # the chosen district last: its outline on top
    if frame is None and not features:
        return ""
    if frame is None:
        west, south, east, north = shapely.GeometryCollection([g for _, _, g in features]).bounds
        frame = (west, south, east, north)
    window = shapely.box(*frame)  # features beyond the frame (another city's districts) are not on this map:
    features = [f for f in features if f[2].intersects(window)]  # drawn, they would widen it with their labels
    proj = Projection.of(*frame)
    setting = setting or Setting()
    body: list[str] = []
    for _fid, _props, geom in _features(setting.outline):
        body.append(f'<path class="outline" d="{path_data(geom, proj)}" fill="#f7f7f7" stroke="#555" '
                    'stroke-width="2.5" stroke-dasharray="8 4"/>')
    for _fid, _props, geom in _features(context):
        body.append(f'<path class="context" d="{path_data(geom, proj)}" fill="#f4f4f4" stroke="#aaa" '
                    f'stroke-width="1"/>')
    districts, anchors = _districts(features, hideout, proj, selected, name_of)
    body += districts
    for _fid, _props, geom in _features(setting.water):
        if geom.intersects(window):
            body.append(f'<path class="water" d="{path_data(geom, proj)}" fill="{WATER}" stroke="{WATER}" '
                        'stroke-width="2.5" stroke-linejoin="round"/>')  # a river ~150 m wide: a line at city scale
    body.append(scale_bar(proj, setting.km) + north_arrow(proj, setting.north))
    placed = place_labels([a for a in anchors if a[0]])
    labels = [f'<text x="{x:.1f}" y="{y:.1f}">{escape(text)}</text>' for text, x, y in placed]
    # The drawing's own extent, widened to hold every label; printed as large as the page's box allows.
    boxes = [(x - len(text) * LABEL_SIZE * 0.31 - 3, x + len(text) * LABEL_SIZE * 0.31 + 3) for text, x, _ in
             placed]
    x0 = min([0.0, *[b[0] for b in boxes]])
    width = max([proj.width, *[b[1] for b in boxes]]) - x0
    height = max(proj.height, 60.0)
    k = min(box[0] / width, box[1] / height)
    return (f'<svg class="map" xmlns="http://www.w3.org/2000/svg" viewBox="{x0:.0f} 0 {width:.0f} {height:.0f}" '
            f'width="{width * k:.1f}mm" height="{height * k:.1f}mm" '
            f'role="img"><defs>{HATCH}</defs>{"".join(body)}'
            f'<g class="labels" font-size="{LABEL_SIZE:.0f}" text-anchor="middle" dominant-baseline="middle">'
            f'{"".join(labels)}</g></svg>')


def _districts(features: list, hideout: Mapping, proj: Projection, selected: str | None,
               name_of: Callable[[str, dict], str]) -> tuple[list[str], list[tuple[str, float, float, float]]]:
    """Each district's path in its class colour (hatched where flagged; a circle where a city is too small to
    see at country scale), and its label's anchor (name, x, y, area)."""
    classes = hideout.get("classes") or {}
    colors = list(hideout.get("colors") or [])
    nodata = hideout.get("nodata") or "#d9d9d9"
    outline = bool(hideout.get("outline"))
    hatched = hatched_ids(hideout)
    body: list[str] = []
    anchors = []
    for i, (fid, props, geom) in enumerate(features):
        cls = classes.get(fid)
        fill = "none" if outline else (colors[cls] if isinstance(cls, int) and 0 <= cls < len(colors)
                                       else nodata)
        width = 4 if fid == selected else 1.2
        body.append(f'<path class="district" id="d{i}" data-fid="{escape(fid)}" d="{path_data(geom, proj)}" '
                    f'fill="{escape(fill)}" stroke="{"#000" if fid == selected else OUTLINE_COLOR}" '
                    f'stroke-width="{width}" stroke-linejoin="round"/>')
        if fid in hatched:  # a second path: a <use> could not override the fill the district path sets
            body.append(f'<path class="hatch" data-fid="{escape(fid)}" d="{path_data(geom, proj)}" '
                        'fill="url(#hatch)" stroke="none"/>')
        point = geom.representative_point()
        x, y = proj.xy(point.x, point.y)
        west, south, east, north = geom.bounds
        if max((east - west) * proj.kx, north - south) * proj.scale < SMALL_SHAPE:  # a city at country scale
            body.append(f'<circle class="marker" cx="{x:.1f}" cy="{y:.1f}" r="{MARKER_R:.0f}" '
                        f'fill="{escape(fill if fill != "none" else nodata)}" stroke="#222" stroke-width="1.5"/>')
            y += MARKER_R + LABEL_SIZE * 0.7  # its name below the circle
        anchors.append((name_of(fid, props), x, y, geom.area))
    return body, anchors
