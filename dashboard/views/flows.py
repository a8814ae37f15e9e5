"""Arrivals by region of origin as lines into each city (the national overview, issue 9 item 5): the build's
``flows`` layer picked from the view model's index, never computed here. Only presentation is computed: a line's
width is proportional to the share of the city's arrivals when every drawn flow has one, else to the number
(linear through zero, so twice the arrivals draw twice as wide; issue 19 item 6), with a legend of sample widths
in real values; each line stops short of the city's point (and of another city's point it starts on) so it
never ends on a city's name, and an arrowhead (a small rotated SVG icon, no JS library) marks its city end.

The figures stay beside the lines: one table per city (origin, value, share, period, source, flags) and the
origins that are not one current region (not drawn), so nothing published is hidden by the map.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from urllib.parse import quote

import dash_leaflet as dl
from dash import html
from dash.development.base_component import Component

from dashboard.i18n import flag_label, indicator_label, t
from dashboard.state.query import ViewState
from dashboard.state.records import short_source, source_links
from dashboard.state.timeindex import Flow
from dashboard.state.viewmodel import NATIONAL, ViewModel
from dashboard.views import panels
from dashboard.views.base import (
    ExportTable,
    MapView,
    Style,
    country_bounds,
    hatch_legend,
    hatched_flags,
    hatching,
    layer,
    shared_notice,
)
from dashboard.views.perception import origin_label
from geo.settings import CITIES

FLOW_INDICATORS = ("share_of_arrivals_from", "arrivals_from")
# One hue (ColorBrewer Blues, safe for the common colour blindnesses): dark lines over lightly shaded origins.
LINE_COLOR = "#08519c"
ORIGIN_FILL = "#9ecae1"
CITY_FILL = "#08306b"
MIN_WIDTH, MAX_WIDTH = 1.5, 14.0  # pixels: the smallest flow stays visible, the largest does not hide a region
# The widths are proportional to the value: 14,500 and 7,000 arrivals draw 2.07 times apart (at least this factor
# whenever neither is held at MIN_WIDTH).
WIDTH_FACTOR_14500_7000 = 2.0
END_GAP_KM = 110.0  # a line stops this far before the city's point (its dot, name and arrowhead stay clear)
START_GAP_KM = 70.0  # and starts at least this far from a city's point (an origin drawn apart from a city's name)
EARTH_KM = 6371.0
# The arrowhead in pixels: its length and how far its base reaches beyond the line's edge, for any width.
ARROW_LENGTH, ARROW_PER_WIDTH, ARROW_WING = 7.0, 0.45, 3.0
ARROW_COLOR = CITY_FILL  # darker than the lines, outlined in white: the head reads apart from its line
SHORT_LINE = 0.4  # on a short line each gap takes at most this part of it
LINE_OPACITY = 0.72  # the shaded regions and the base map stay visible under the lines
ORIGIN_OPACITY = 0.4
# Leaflet's pane above the GeoJSON layers (which load later and would otherwise cover the lines and their hover)
FLOW_PANE = "shadowPane"


def is_flow_view(state: ViewState) -> bool:
    return state.city == NATIONAL and state.layer == "concentration" and state.indicator in FLOW_INDICATORS


def picked(vm: ViewModel, indicator: str, period: str | None) -> dict[str, list[Flow]]:
    """The flows of an indicator in a period, per city (cities in their usual order; the index keeps each
    city's flows largest first)."""
    out = {}
    for city in CITIES:
        items = [f for f in vm.time.flows.get(city, {}).get(period or "", []) if f.indicator == indicator]
        if items:
            out[city] = items
    return out


def width_basis(flows: Sequence[Flow]) -> str:
    """'share' when every flow has a share of its city's arrivals, else 'value' (the number)."""
    return "share" if flows and all(f.share is not None for f in flows) else "value"


def measure(flow: Flow, basis: str) -> float:
    value = flow.share if basis == "share" else flow.value
    return max(0.0, value or 0.0)


def width_of(value: float, top: float) -> float:
    """The width of a value on the scale whose largest value is ``top``: proportional, at least MIN_WIDTH."""
    return MIN_WIDTH if top <= 0 else round(max(MIN_WIDTH, MAX_WIDTH * max(0.0, value) / top), 2)


def widths(flows: Sequence[Flow], basis: str) -> list[float]:
    """A line width per flow, proportional to its share (or number), the largest MAX_WIDTH."""
    top = max((measure(f, basis) for f in flows), default=0.0)
    return [width_of(measure(f, basis), top) for f in flows]


def nice_between(low: float, high: float) -> float | None:
    """A round value (1, 2 or 5 times a power of ten) nearest the geometric middle of low and high, strictly
    between them; None when none is."""
    if low <= 0 or high <= low:
        return None
    middle = math.sqrt(low * high)
    power = 10.0 ** math.floor(math.log10(middle))
    candidates = [m * power * f for f in (0.1, 1.0, 10.0) for m in (1.0, 2.0, 5.0)]
    inside = [c for c in candidates if low < c < high]
    return min(inside, key=lambda c: abs(math.log(c / middle))) if inside else None


def legend_values(measures: Sequence[float]) -> list[float]:
    """The values the legend draws: the largest shown, a round value between, the smallest (largest first)."""
    shown = [m for m in measures if m > 0]
    if not shown:
        return []
    low, high = min(shown), max(shown)
    middle = nice_between(low, high)
    return sorted({high, low, *([middle] if middle is not None else [])}, reverse=True)


# --- geometry of the drawn line (presentation only: where it stops, which way its arrowhead points) ---
def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance of two (lat, lon) points in km (haversine)."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def toward(a: tuple[float, float], b: tuple[float, float], km: float) -> tuple[float, float]:
    """The point on the drawn segment a-b (straight in lat/lon) that lies ``km`` from a (bisection)."""
    lo, hi = 0.0, 1.0
    for _ in range(50):
        mid = (lo + hi) / 2
        point = (a[0] + (b[0] - a[0]) * mid, a[1] + (b[1] - a[1]) * mid)
        lo, hi = (mid, hi) if km_between(a, point) < km else (lo, mid)
    f = (lo + hi) / 2
    return (round(a[0] + (b[0] - a[0]) * f, 5), round(a[1] + (b[1] - a[1]) * f, 5))


def drawn_line(line: Sequence[tuple[float, float]], cities: Sequence[tuple[float, float]]
               ) -> list[tuple[float, float]]:
    """The line as drawn: its end END_GAP_KM before the city's point, its start moved along it to START_GAP_KM
    from a city's point it starts nearer than that (each gap at most SHORT_LINE of a short line)."""
    points = [tuple(p) for p in line]
    if len(points) < 2:
        return [(p[0], p[1]) for p in points]
    start, end = (points[0][0], points[0][1]), (points[-1][0], points[-1][1])
    before, first = (points[-2][0], points[-2][1]), (points[1][0], points[1][1])
    end_gap = min(END_GAP_KM, km_between(before, end) * SHORT_LINE)
    new_end = toward(end, before, end_gap)
    near = [c for c in cities if km_between(c, start) < START_GAP_KM and km_between(c, end) > 1.0]
    new_start = start
    if near:
        room = km_between(start, first if len(points) > 2 else new_end) * SHORT_LINE
        new_start = toward(start, first if len(points) > 2 else new_end, min(START_GAP_KM, room))
    return [new_start, *[(p[0], p[1]) for p in points[1:-1]], new_end]


def screen_angle(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The direction from a to b on a Web Mercator map in degrees clockwise from east (screen y points down)."""
    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    return math.degrees(math.atan2(-(merc(b[0]) - merc(a[0])), math.radians(b[1] - a[1])))


def arrow_icon(width: float, angle: float) -> dict[str, object]:
    """An arrowhead as a Leaflet icon: a triangle whose base (wider than the line) sits on the line's end and
    whose tip points ``angle`` degrees clockwise from east, sized in pixels by the line's width."""
    length, half = ARROW_LENGTH + ARROW_PER_WIDTH * width, width / 2 + ARROW_WING
    size = math.ceil(2 * max(length, half)) + 2
    c = size / 2
    points = f"{c - 0.5:.1f},{c - half:.1f} {c + length:.1f},{c:.1f} {c - 0.5:.1f},{c + half:.1f}"
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}">'
           f'<polygon points="{points}" fill="{ARROW_COLOR}" stroke="#fff" stroke-width="1" '
           f'transform="rotate({angle:.1f} {c:.1f} {c:.1f})"/></svg>')
    return {"iconUrl": "data:image/svg+xml;charset=utf-8," + quote(svg), "iconSize": [size, size],
            "iconAnchor": [c, c], "className": "qala-flow-arrow"}


def city_points(vm: ViewModel) -> dict[str, tuple[float, float]]:
    """Each city's point as the build's flows end on it (any period)."""
    return {city: (items[0].line[-1][0], items[0].line[-1][1]) for city, periods in vm.time.flows.items()
            for items in periods.values() if items and items[0].line}


def share_text(share: float | None, lang: str) -> str:
    return t("no_data", lang) if share is None else panels.fmt_value(share * 100, "percent", lang)


def origin_name(flow: Flow, lang: str) -> str:
    return flow.names.get(lang) or flow.names.get("en") or flow.region_id


def short_sources(source: str | None, lang: str) -> str:
    """A source as short as a tooltip allows: its web hosts, else its first words."""
    if not source:
        return t("no_data", lang)
    hosts = [host for host, _ in source_links(source)]
    return " · ".join(hosts) if hosts else short_source(source)


def tooltip_lines(flow: Flow, city: str, lang: str) -> list[str]:
    """What a line says on hover: origin -> city, value (and share), period, source and flags."""
    lines = [f"{origin_name(flow, lang)} → {t(city, lang)}",
             f"{indicator_label(flow.indicator, lang)}: {panels.fmt_value(flow.value, flow.unit, lang)}"]
    if flow.unit not in ("percent", "%"):
        lines.append(f"{t('flows_share', lang)}: {share_text(flow.share, lang)}")
    lines += [f"{t('period', lang)}: {flow.period_text.text(lang)}",
              f"{t('source', lang)}: {short_sources(flow.source, lang)}"]
    if flow.confidence:
        lines.append(f"{t('confidence', lang)}: {', '.join(flag_label(f, lang) for f in flow.confidence)}")
    return lines


def flow_lines(shown: dict[str, list[Flow]], basis: str, lang: str,
               cities: Sequence[tuple[float, float]] = ()) -> tuple[Component, ...]:
    """A polyline per flow (widest drawn first, so thin lines stay on top) with its arrowhead at the city end
    (drawn after every line), and a dot where each city is."""
    pairs = [(city, f) for city, items in shown.items() for f in items]
    sizes = widths([f for _, f in pairs], basis)
    out: list[Component] = []
    arrows: list[Component] = []
    for (city, flow), width in sorted(zip(pairs, sizes, strict=True), key=lambda p: -p[1]):
        if len(flow.line) < 2:
            continue
        line = drawn_line(flow.line, cities)
        out.append(dl.Polyline(
            positions=[list(p) for p in line], color=LINE_COLOR, weight=width, opacity=LINE_OPACITY,
            lineCap="butt", className="qala-flow", pane=FLOW_PANE,
            children=[dl.Tooltip(html.Div([html.Div(text) for text in tooltip_lines(flow, city, lang)],
                                          className="flow-tip"), sticky=True)]))
        arrows.append(dl.Marker(position=list(line[-1]), icon=arrow_icon(width, screen_angle(line[-2], line[-1])),
                                interactive=False, keyboard=False, alt="", pane=FLOW_PANE))
    out += arrows
    for city, items in shown.items():
        end = next((f.line[-1] for f in items if f.line), None)
        if end is not None:
            out.append(dl.CircleMarker(center=list(end), radius=6, color="#fff", weight=2, fillColor=CITY_FILL,
                                       fillOpacity=1, pane="markerPane", children=[dl.Tooltip(t(city, lang))]))
    return tuple(out)


def legend_text(value: float, flows: Sequence[Flow], basis: str, lang: str) -> str:
    """A legend value in the figures' own words: a share in percent, else the number with its unit."""
    return share_text(value, lang) if basis == "share" else panels.fmt_value(value, flows[0].unit, lang)


def legend(flows: Sequence[Flow], basis: str, lang: str) -> html.Div:
    """What a width means (share or number, said): the widths of the largest shown value, a round value
    between and the smallest, each drawn at the width the map gives it and labelled with its value."""
    measures = [measure(f, basis) for f in flows]
    top = max(measures, default=0.0)
    items = [html.Li([html.Span(className="flow-swatch", style={"height": f"{width_of(v, top):.1f}px",
                                                                "background": LINE_COLOR, "opacity": LINE_OPACITY}),
                      html.Span(legend_text(v, flows, basis, lang), className="flow-legend-value")],
                     className="flow-legend-item")
             for v in legend_values(measures)]
    return html.Div([html.P(t(f"flows_width_{basis}", lang), id="flow-width-basis"),
                     html.Ul(items, className="legend-list flow-legend-list"),
                     html.P(t("flows_width_scale", lang, px=f"{MIN_WIDTH:g}"), className="small"),
                     html.P(t("flows_arrow_note", lang, km=f"{END_GAP_KM:.0f}"), className="small")],
                    className="flow-legend", id="flow-legend")


def figures_table(flows: Sequence[Flow], lang: str, city: str) -> html.Div:
    head = html.Tr([html.Th(t(key, lang), scope="col") for key in
                    ("flows_origin", "value", "flows_share", "period", "source", "confidence")])
    rows = [html.Tr([html.Th(origin_name(f, lang), scope="row"),
                     html.Td(panels.fmt_value(f.value, f.unit, lang), className="num nowrap"),
                     html.Td(share_text(f.share, lang), className="num nowrap"),
                     html.Td(f.period_text.text(lang)),
                     html.Td(panels.source_view(f.source, lang)),
                     html.Td(panels.flags_view(f.confidence, lang))], className="flow-row")
            for f in flows]
    return html.Div(html.Table([html.Thead(head), html.Tbody(rows)], className="table compact",
                               id=f"flow-table-{city.lower()}"), className="table-wrap")


def not_drawn(vm: ViewModel, city: str, indicator: str, period: str, drawn: set[str], lang: str) -> html.P | None:
    """The city's origins of that period that are not one current region (so not drawn), with their values."""
    key = period if indicator == "share_of_arrivals_from" else f"{period} · {indicator}"
    entry = vm.origins.get((city, key))
    rest = [i for i in entry.items if not i.region_id or i.region_id not in drawn] if entry else []
    if not rest:
        return None
    text = "; ".join(f"{vm.name(i.region_id, lang) if i.region_id else origin_label(i.origin, lang)} "
                     f"{panels.fmt_value(i.value, i.unit, lang)}" for i in rest)
    return html.P(f"{t('origins_unmapped', lang)} {text}", className="small", id=f"flows-unmapped-{city.lower()}")


def period_text(state: ViewState, flows: Sequence[Flow]) -> str:
    return flows[0].period_text.text(state.lang) if flows else state.period or "—"


def heading(state: ViewState, flows: Sequence[Flow]) -> list[Component]:
    lang = state.lang
    return [html.H2(f"{indicator_label(state.indicator, lang)} · {t(NATIONAL, lang)}"),
            html.P(f"{t('period', lang)}: {period_text(state, flows)}", id="period-line")]


def map_caption(state: ViewState, flows: Sequence[Flow]) -> str:
    """The period shown, named over the map (the page's notices strip), with where the other periods are."""
    return t("flows_map_period", state.lang, what=indicator_label(state.indicator, state.lang),
             period=period_text(state, flows))


def render(vm: ViewModel, state: ViewState) -> MapView:
    lang, shown = state.lang, picked(vm, state.indicator, state.period)
    everything = [f for items in shown.values() for f in items]
    if not everything:
        return MapView(choropleth=layer(vm, "cities", Style(outline=True, lang=lang)),
                       context=layer(vm, "regions", Style(outline=True)), bounds=country_bounds(vm),
                       heading=(*heading(state, everything), html.P(t("flows_none", lang), className="missing")),
                       notices=(map_caption(state, everything),))
    basis = width_basis(everything)
    flags = {f.region_id: f.confidence for f in everything}
    hatched, why = hatching(flags, lang)
    labels = {f.region_id: f"{origin_name(f, lang)} → {t(city, lang)}: {panels.fmt_value(f.value, f.unit, lang)}"
              for city, items in shown.items() for f in items}
    origins = Style(lang=lang, classes={f.region_id: 0 for f in everything}, colors=(ORIGIN_FILL,), labels=labels,
                    nodata="#ffffff", opacity=ORIGIN_OPACITY, hatched=hatched, why=why, label_names=False)
    key = legend(everything, basis, lang)
    details: list[Component] = []
    for city, items in shown.items():
        details += [html.H3(f"{t('flows_title', lang)} · {t(city, lang)}"), figures_table(items, lang, city)]
        note = not_drawn(vm, city, state.indicator, state.period or "", {f.region_id for f in items}, lang)
        details += [note] if note is not None else []
    details += [html.P(t("flows_hint", lang), className="small"), html.P(t("flows_lines_note", lang),
                                                                        className="small")]
    return MapView(choropleth=layer(vm, "cities", Style(outline=True, lang=lang)),
                   context=layer(vm, "regions", origins), bounds=country_bounds(vm),
                   heading=tuple(heading(state, everything)),
                   legend=html.Div([key, hatch_legend(lang, hatched_flags(flags))], className="legend-wrap")
                   if hatched else key,
                   details=tuple(details), points=flow_lines(shown, basis, lang, list(city_points(vm).values())),
                   notices=(map_caption(state, everything),), flags_line=shared_notice(flags, lang))


def export(vm: ViewModel, state: ViewState) -> ExportTable:
    """The drawn flows, one row each, keyed by the origin region (its outline is the row's geometry)."""
    rows = [{"fid": f.region_id, "flow_id": f.fid, "city": city, "indicator": f.indicator,
             "origin": origin_name(f, state.lang), "value": f.value, "unit": f.unit, "share": f.share,
             "period_label": f.period, "period_end": f.end, "source": f.source, "confidence": ";".join(f.confidence)}
            for city, items in picked(vm, state.indicator, state.period).items() for f in items]
    return ExportTable("regions", rows)
