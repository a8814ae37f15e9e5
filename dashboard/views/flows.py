"""Arrivals by region of origin as lines into each city (the national overview, issue 9 item 5): the build's
``flows`` layer picked from the view model's index, never computed here. Only the width of a line is scaled
(presentation): by the share of the city's arrivals when every drawn flow has one, else by the number.

The figures stay beside the lines: one table per city (origin, value, share, period, source, flags) and the
origins that are not one current region (not drawn), so nothing published is hidden by the map.
"""

from __future__ import annotations

from collections.abc import Sequence

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
    shared_line,
)
from dashboard.views.perception import origin_label
from geo.settings import CITIES

FLOW_INDICATORS = ("share_of_arrivals_from", "arrivals_from")
# One hue (ColorBrewer Blues, safe for the common colour blindnesses): dark lines over lightly shaded origins.
LINE_COLOR = "#08519c"
ORIGIN_FILL = "#9ecae1"
CITY_FILL = "#08306b"
MIN_WIDTH, MAX_WIDTH = 2.0, 14.0  # pixels: the smallest flow stays visible, the largest does not hide a region
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


def widths(flows: Sequence[Flow], basis: str) -> list[float]:
    """A line width per flow, proportional above MIN_WIDTH to its share (or number), the largest MAX_WIDTH."""
    top = max((measure(f, basis) for f in flows), default=0.0)
    if top <= 0:
        return [MIN_WIDTH for _ in flows]
    return [round(MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * measure(f, basis) / top, 2) for f in flows]


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


def flow_lines(shown: dict[str, list[Flow]], basis: str, lang: str) -> tuple[Component, ...]:
    """A polyline per flow (widest drawn first, so thin lines stay on top), and a dot where each city is."""
    pairs = [(city, f) for city, items in shown.items() for f in items]
    sizes = widths([f for _, f in pairs], basis)
    out: list[Component] = []
    for (city, flow), width in sorted(zip(pairs, sizes, strict=True), key=lambda p: -p[1]):
        if len(flow.line) < 2:
            continue
        out.append(dl.Polyline(
            positions=[list(p) for p in flow.line], color=LINE_COLOR, weight=width, opacity=LINE_OPACITY,
            lineCap="round", className="qala-flow", pane=FLOW_PANE,
            children=[dl.Tooltip(html.Div([html.Div(text) for text in tooltip_lines(flow, city, lang)],
                                          className="flow-tip"), sticky=True)]))
    for city, items in shown.items():
        end = next((f.line[-1] for f in items if f.line), None)
        if end is not None:
            out.append(dl.CircleMarker(center=list(end), radius=6, color="#fff", weight=2, fillColor=CITY_FILL,
                                       fillOpacity=1, pane="markerPane", children=[dl.Tooltip(t(city, lang))]))
    return tuple(out)


def legend(flows: Sequence[Flow], basis: str, lang: str) -> html.Div:
    """What a width means (share or number, said), with the widths of the largest, a middle and the smallest
    flow drawn and their values."""
    sizes = widths(flows, basis)
    ranked = sorted(zip(flows, sizes, strict=True), key=lambda p: -p[1])
    samples = [ranked[i] for i in sorted({0, len(ranked) // 2, len(ranked) - 1})] if ranked else []
    items = [html.Li([html.Span(className="flow-swatch", style={"height": f"{w:.0f}px", "background": LINE_COLOR,
                                                                "opacity": LINE_OPACITY}),
                      share_text(f.share, lang) if basis == "share" else panels.fmt_value(f.value, f.unit, lang)])
             for f, w in samples]
    return html.Div([html.P(t(f"flows_width_{basis}", lang), id="flow-width-basis"),
                     html.Ul(items, className="legend-list flow-legend-list")],
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


def heading(state: ViewState, flows: Sequence[Flow]) -> list[Component]:
    lang = state.lang
    period = flows[0].period_text.text(lang) if flows else state.period or "—"
    return [html.H2(f"{indicator_label(state.indicator, lang)} · {t(NATIONAL, lang)}"),
            html.P(f"{t('period', lang)}: {period}", id="period-line")]


def render(vm: ViewModel, state: ViewState) -> MapView:
    lang, shown = state.lang, picked(vm, state.indicator, state.period)
    everything = [f for items in shown.values() for f in items]
    if not everything:
        return MapView(choropleth=layer(vm, "cities", Style(outline=True, lang=lang)),
                       context=layer(vm, "regions", Style(outline=True)), bounds=country_bounds(vm),
                       heading=(*heading(state, everything), html.P(t("flows_none", lang), className="missing")))
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
                   heading=(*heading(state, everything), *filter(None, [shared_line(flags, lang)])),
                   legend=html.Div([key, hatch_legend(lang, hatched_flags(flags))], className="legend-wrap")
                   if hatched else key,
                   details=tuple(details), points=flow_lines(shown, basis, lang))


def export(vm: ViewModel, state: ViewState) -> ExportTable:
    """The drawn flows, one row each, keyed by the origin region (its outline is the row's geometry)."""
    rows = [{"fid": f.region_id, "flow_id": f.fid, "city": city, "indicator": f.indicator,
             "origin": origin_name(f, state.lang), "value": f.value, "unit": f.unit, "share": f.share,
             "period_label": f.period, "period_end": f.end, "source": f.source, "confidence": ";".join(f.confidence)}
            for city, items in picked(vm, state.indicator, state.period).items() for f in items]
    return ExportTable("regions", rows)
