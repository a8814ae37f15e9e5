"""Layer 1 in a city: where migrants live. A figure series on the districts of its boundary vintage, coloured
by class, with the legend, the district table and details, and the city's migrant settlement places."""

from __future__ import annotations

from dataclasses import replace

from dash import html
from dash.development.base_component import Component

from dashboard.classify import NO_DATA_COLOR, Classification, classify, palette, parse_breaks
from dashboard.i18n import indicator_label, t, unit_label
from dashboard.state.query import ViewState
from dashboard.state.records import Series, localized, vintage_layer
from dashboard.state.viewmodel import NATIONAL, ViewModel
from dashboard.views import panels, ranked, twomaps
from dashboard.views.base import (
    LINK_COLORS,
    ExportTable,
    MapView,
    Style,
    city_bounds,
    hatch_legend,
    hatched_flags,
    hatching,
    kind_label,
    layer,
    place_markers,
    shared_notice,
)
from dashboard.views.compare import compare_section
from dashboard.views.panels import translation_note
from geo.settings import CITIES


def current_series(vm: ViewModel, state: ViewState) -> Series | None:
    if state.layer != "concentration":
        return None
    return vm.find_series(state.city, state.indicator, state.period)


def classification_for(vm: ViewModel, state: ViewState, series: Series) -> tuple[Classification, tuple[str,
                                                                                                       ...]]:
    """Precomputed breaks, or the user's own breaks (with a notice when they cannot be used)."""
    if state.scheme == "user_defined":
        cls = classify(series.values, "user_defined", state.k, parse_breaks(state.breaks))
        return cls, ((t("notice_breaks", state.lang),) if cls.breaks_rejected else ())
    cls = vm.classes[(series.sid, state.scheme, state.k)]
    return cls, ((t("notice_k", state.lang, n=cls.k_used, k=state.k),) if cls.reduced else ())


MIGRANT_WORDS = ("migra", "arrivals", "departures", "newcomers", "immigrants")
RESIDENT_INDICATORS = ("population", "population_share_of_city", "density", "growth_rate", "population_change")


def title(state: ViewState) -> html.H2:
    return html.H2(f"{indicator_label(state.indicator, state.lang)} · {t(state.city, state.lang)}")


def subtitle(state: ViewState) -> html.P | None:
    """What layer 1 really shows when its indicator counts residents (or homes), not migrants: the one place
    with migrant counts by district, and the upload for a researcher's own survey."""
    if any(word in state.indicator for word in MIGRANT_WORDS):
        return None
    lang = state.lang
    text = t("layer1_migrant_counts", lang, upload=t("upload_title", lang))
    if state.indicator in RESIDENT_INDICATORS:
        text = f"{t('layer1_all_residents', lang)} {text}"
    return html.P(text, className="subtitle small", id="layer-subtitle")


def headline(state: ViewState) -> list[Component]:
    return [title(state), *filter(None, [subtitle(state)])]


def no_series_view(vm: ViewModel, state: ViewState, bounds: list[list[float]]) -> MapView:
    """A view with no figures for the chosen indicator and period: the city outlines and a line saying so."""
    return MapView(choropleth=layer(vm, "cities", Style(outline=True, lang=state.lang)),
                   context=layer(vm, "empty", Style(outline=True)), bounds=bounds,
                   heading=(*headline(state), html.P(t("no_figures", state.lang), className="missing")))


def series_style(series: Series, cls: Classification, colors: list[str], state: ViewState) -> Style:
    labels = {fid: panels.fmt_value(v, series.unit, state.lang) for fid, v in series.values.items()}
    hatched, why = hatching(series_flags(series), state.lang)
    return Style(lang=state.lang, classes=cls.class_of, colors=tuple(colors), labels=labels,
                 selected=state.district,
                 nodata=NO_DATA_COLOR, hatched=hatched, why=why)


def series_panel(vm: ViewModel, state: ViewState, series: Series, cls: Classification, colors: list[str],
                 ids: list[str], mapped: bool, missing: bool) -> tuple[tuple, Component, tuple]:
    """(heading, legend, details) of a series: period and vintage, legend, selected district, ranked table."""
    lang = state.lang
    vintage_note: list[str | Component] = [
        f"{t('period', lang)}: ", panels.local_text(series.period_text(), lang),
        *([f" · {vm.vintage_name(series.vintage, lang)}"] if series.vintage else [])]
    heading: list[Component] = [*headline(state), html.P(vintage_note, id="period-line")]
    if not mapped:
        heading.append(html.P(t("boundaries_missing", lang), className="caveat", id="boundaries-missing"))
    details: list[Component] = []
    if state.district and state.district in ids:
        details.append(panels.district_details(vm, series, state))
    details += ranked_section(vm, state, series, ids)
    details += [html.H3(t("districts_table", lang)), panels.district_table(vm, series, state, ids),
                html.P(t("hover_hint", lang), className="small")]
    return tuple(heading), series_legend(cls, colors, series, lang, missing), tuple(details)


def ranked_section(vm: ViewModel, state: ViewState, series: Series, ids: list[str]) -> list[Component]:
    """The districts ranked with their rank ranges (nothing with fewer than two values)."""
    lang, percent = state.lang, series.unit in ("percent", "%")
    chart = ranked.ranked_chart(ranked.series_entries(vm, series, ids, lang),
                                lambda v: panels.fmt_value(v, series.unit if percent else None, lang), lang,
                                ranked.series_city_value(vm, series), state.district,
                                "" if percent else unit_label(series.unit, lang))
    return [] if chart is None else [html.H3(t("ranked_title", lang)), chart]


def series_legend(cls: Classification, colors: list[str], series: Series, lang: str, missing: bool) -> Component:
    """The classes' legend, with the hatching line (naming the flags that hatch) when any value is hatched."""
    legend = panels.legend_view(cls, colors, series, lang, missing)
    flags = hatched_flags(series_flags(series))
    if flags:
        return html.Div([legend, hatch_legend(lang, flags)], className="legend-wrap")
    return legend


def series_flags(series: Series) -> dict[str, tuple[str, ...]]:
    """The confidence flags of each value the map shows."""
    return {fid: f.confidence for fid, f in series.figures.items() if f.value is not None}


def places_view(vm: ViewModel, city: str, lang: str) -> html.Div:
    """Migrant settlement places of a city that have no coordinates: listed with evidence, not mapped."""
    rows = [p for p in vm.places if p.get("city") == city and p["lat"] is None]
    if not rows:
        return html.Div()
    items = [html.Li([html.Strong(panels.place_label(p, lang)), f" · {kind_label(p.get('kind'), lang)} · ",
                      html.Em(f"{t('migrant_link', lang)}: {t('link_' + str(p.get('migrant_link')), lang)}"
                              if p.get("migrant_link") in ("yes", "no", "unclear", "n/a") else ""),
                      html.Details([html.Summary(t("evidence", lang)),
                                    html.P(panels.local_text(localized(p, "evidence"), lang)),
                                    html.P(panels.source_view(p.get("source"), lang))])]) for p in rows]
    return html.Div([html.H3(t("places_no_coords", lang)), html.Ul(items, className="places")],
                    id="places-list")


def places_section(vm: ViewModel, city: str, lang: str) -> tuple[Component, ...]:
    legend = html.Ul([html.Li([html.Span(className="swatch", style={"background": c}), t(f"link_{k}", lang)])
                      for k, c in LINK_COLORS.items()], className="legend-list")
    note = translation_note(lang) if any(localized(p, "evidence").translated for p in vm.places
                                         if p.get("city") == city) else None
    return tuple(c for c in (html.H3(t("places_overlay", lang)), legend, places_view(vm, city, lang), note)
                 if c is not None)


def shared_classification(vm: ViewModel, state: ViewState, series: Series
                          ) -> tuple[Classification, Classification, Classification] | None:
    """With two dates side by side: (joint, first side, second side) classifications of both dates' values."""
    pair = twomaps.series_pair(vm, state)
    if pair is None or pair[0].sid != series.sid:
        return None
    joint, first, second = twomaps.shared_classes(*pair, state.scheme, state.k, state.breaks)
    return joint, twomaps.side_classification(joint, first), twomaps.side_classification(joint, second)


def second_map(vm: ViewModel, state: ViewState) -> twomaps.SecondMap | None:
    """The map of the compare date beside the first (None when the state asks for one map only)."""
    pair = twomaps.series_pair(vm, state)
    shared = shared_classification(vm, state, pair[0]) if pair else None
    if pair is None or shared is None:
        return None
    first, second = pair
    joint, _, side = shared
    colors = palette(state.palette, max(1, joint.k_used))
    name = vintage_layer(second.vintage)
    served = name in vm.geo
    style = series_style(second, side, colors, replace(state, district=None)) if served else \
        Style(outline=True, lang=state.lang)
    return twomaps.SecondMap(
        choropleth=layer(vm, name if served else "cities", style), context=layer(vm, "empty", Style(outline=True)),
        bounds=city_bounds(vm, state.city, name if served else "cities"),
        first_caption=twomaps.caption(first, vintage_layer(first.vintage) in vm.geo, state.lang,
                                      vm.vintage_name(first.vintage, state.lang)),
        caption=twomaps.caption(second, served, state.lang, vm.vintage_name(second.vintage, state.lang)),
        classification=joint)


def render(vm: ViewModel, state: ViewState) -> MapView:
    """A city's districts coloured by the chosen series (outlines only when its boundaries are not served);
    with two dates side by side, by the classes shared with the compare date."""
    series = current_series(vm, state)
    if series is None:
        return no_series_view(vm, state, city_bounds(vm, state.city, "cities"))
    cls, notes = classification_for(vm, state, series)
    shared = shared_classification(vm, state, series)
    if shared is not None:
        cls = shared[1]
    colors = palette(state.palette, max(1, cls.k_used))
    name = vintage_layer(series.vintage)
    mapped = name in vm.geo
    if mapped:
        ids = sorted(set(series.figures) | set(vm.geo[name].fids))
        choropleth = layer(vm, name, series_style(series, cls, colors, state))
        missing = any(series.values.get(i) is None for i in ids)
    else:
        ids = list(series.figures)
        name = "cities"
        choropleth = layer(vm, name, Style(outline=True, lang=state.lang))
        missing = any(v is None for v in series.values.values())
    heading, legend, details = series_panel(vm, state, series, cls, colors, ids, mapped, missing)
    if shared is not None:
        legend = html.Div([legend, html.P(t("twomaps_shared", state.lang), className="small twomaps-shared",
                                          id="twomaps-shared")], className="legend-wrap")
    side = compare_section(vm, state)
    if side is not None:
        details = (side, *details)
    if state.city in CITIES:
        details += places_section(vm, state.city, state.lang)
    points = place_markers([p for p in vm.places if p.get("city") == state.city], state.lang,
                           lambda p: LINK_COLORS.get(str(p.get("migrant_link")), NO_DATA_COLOR))
    return MapView(choropleth=choropleth, context=layer(vm, "empty", Style(outline=True)),
                   bounds=city_bounds(vm, state.city, name), heading=heading, legend=legend, details=details,
                   points=points, notices=notes, flags_line=shared_notice(series_flags(series), state.lang))


def export(vm: ViewModel, state: ViewState) -> ExportTable:
    """The shown series, one row per district (or city in the overview), with the geometry served for it."""
    series = current_series(vm, state)
    if series is None:
        return ExportTable(None, [])
    name = "cities" if state.city == NATIONAL else vintage_layer(series.vintage)
    rows = [{"fid": fid, "name": vm.place_name(fid, state.lang), "city": series.city,
             "indicator": series.indicator, "value": fig.value, "unit": fig.unit,
             "period_label": fig.period_label,
             "period_start": fig.period_start, "period_end": fig.period_end, "vintage": fig.vintage,
             "source": fig.source, "confidence": ";".join(fig.confidence), "note": fig.note,
             "derived": fig.derived}
            for fid, fig in series.figures.items()]
    return ExportTable(name if name in vm.geo else None, rows)
