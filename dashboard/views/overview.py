"""Layer 1 for the whole country: the three cities compared on a city-level series, drawn as city outlines
and circles (so they stay visible at national zoom) over the regions; arrivals by region of origin drawn as
lines into the cities (dashboard.views.flows)."""

from __future__ import annotations

from dash import html

from dashboard.classify import palette
from dashboard.i18n import t
from dashboard.state.query import ViewState
from dashboard.state.viewmodel import ViewModel
from dashboard.views import flows
from dashboard.views.base import (
    ExportTable,
    MapView,
    Style,
    city_markers,
    country_bounds,
    layer,
    shared_notice,
)
from dashboard.views.concentration import (
    classification_for,
    current_series,
    no_series_view,
    series_flags,
    series_panel,
    series_style,
)
from dashboard.views.concentration import export as series_export  # the same table: one row per city


def render(vm: ViewModel, state: ViewState) -> MapView:
    if flows.is_flow_view(state):
        return flows.render(vm, state)
    series = current_series(vm, state)
    if series is None:
        return no_series_view(vm, state, country_bounds(vm))
    cls, notes = classification_for(vm, state, series)
    colors = palette(state.palette, max(1, cls.k_used))
    ids = list(series.figures)
    style = series_style(series, cls, colors, state)
    heading, legend, details = series_panel(vm, state, series, cls, colors, ids, True,
                                            any(v is None for v in series.values.values()))
    return MapView(choropleth=layer(vm, "cities", style), context=layer(vm, "regions", Style(outline=True)),
                   bounds=country_bounds(vm), heading=heading, legend=legend,
                   details=(*details, html.P(t("regions_context", state.lang), className="small")),
                   points=city_markers(vm, cls.class_of, tuple(colors), style.labels or {}, state.lang),
                   notices=notes, flags_line=shared_notice(series_flags(series), state.lang))


def export(vm: ViewModel, state: ViewState) -> ExportTable:
    """The flows drawn (arrivals by origin), else the series: one row per city."""
    return flows.export(vm, state) if flows.is_flow_view(state) else series_export(vm, state)
