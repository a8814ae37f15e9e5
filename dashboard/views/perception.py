"""Layer 3: how residents see newcomers, led by its own evidence (issue 19 item 6): the build's mean stance of
the coded statements per city with its n heads the panel and is all the map colours (the cities, with
"+0.50 · n = 6" beside each; the regions only as outlines). Then the statements behind the chosen city's
score, the study's conclusions apart and the city's image tags; the regions its newcomers come from (matched
to regions by the build) come second, as bars, with a link to the national map of arrivals by origin.

A published survey dataset with a perception item is drawn by dashboard.views.survey when chosen (it replaces
this view); it does not lead the layer by default: its n and reliability belong to that dataset's own view."""

from __future__ import annotations

import dash_leaflet as dl
from dash import html
from dash.development.base_component import Component

from dashboard.charts import bar_list
from dashboard.classify import NO_DATA_COLOR, STANCE_COLORS, stance_color
from dashboard.i18n import has, indicator_label, t
from dashboard.state.query import ViewState, to_query
from dashboard.state.records import Localized, localized
from dashboard.state.viewmodel import NATIONAL, ViewModel
from dashboard.views.base import (
    OUTLINE,
    ExportTable,
    MapView,
    Style,
    country_bounds,
    hatch_legend,
    layer,
)
from dashboard.views.panels import flags_view, fmt_value, local_text, source_view, translation_note
from geo.settings import CITIES, survey_min_n

ORIGIN_BAR = "#9ecae1"  # one light hue: the origins are context here, not a second colour scale
FLOW_INDICATORS = ("share_of_arrivals_from", "arrivals_from")


def shown_city(state: ViewState) -> str:
    return state.city if state.city in CITIES else CITIES[0]


def stance_class(mean: float) -> int:
    """The diverging colour class of a mean stance in [-1, 1]."""
    return min(len(STANCE_COLORS) - 1, int((mean + 1) / 2 * len(STANCE_COLORS)))


def stance_text(mean: float | None, n: int, lang: str) -> str:
    """A city's mean stance with its n as the map says it beside the city ("+0.50 · n = 6")."""
    return f"{mean:+.2f} · n = {n}" if mean is not None else f"{t('no_data', lang)} · n = 0"


def stance_lead(vm: ViewModel, state: ViewState) -> list[Component]:
    """The lead of the panel: the three cities' mean stance with n (the chosen city marked) and its caveat."""
    lang, category, city = state.lang, state.category, shown_city(state)
    out: list[Component] = [html.H3(f"{t('mean_stance', lang)} · {t('cat_' + category, lang)}", id="stance-lead"),
                            html.P(t("stance_scale", lang), className="small")]
    rows = []
    for c in CITIES:
        mean, n = vm.stance(c, category)
        rows.append(html.Tr([html.Th(t(c, lang), scope="row"),
                             html.Td(html.Span(className="swatch", style={"background": stance_color(mean)})),
                             html.Td(f"{mean:+.2f}" if mean is not None else t("no_data", lang),
                                     className="num"),
                             html.Td(t("n_statements", lang, n=n))],
                            className="selected" if c == city else ""))
    return [*out, html.Table(html.Tbody(rows), className="table", id="stance-table"),
            html.P(t("indication_only", lang), className="caveat")]


def statements_view(vm: ViewModel, state: ViewState) -> list[Component]:
    """The chosen city's statements behind its score, the study's findings and the city's image tags."""
    lang, category, city = state.lang, state.category, shown_city(state)
    statements = vm.statements_for(city, category, "participant_statement")
    out: list[Component] = [html.H3(f"{t('statements', lang)} · {t(city, lang)} (n = {len(statements)})")]
    items = []
    for s in statements:
        sex = t(f"sex_{s.get('participant_sex')}", lang) if s.get("participant_sex") in ("f", "m") else "?"
        age = s.get("participant_age")
        speaker = t("speaker", lang, sex=sex, age="?" if age is None else int(age))
        items.append(html.Li([html.Span(f"{s.get('stance'):+d} " if isinstance(s.get("stance"), int) else
                                        f"{float(s.get('stance') or 0):+.0f} ", className="stance"),
                              local_text(localized(s, "paraphrase"), lang, "paraphrase"),
                              html.Span(f" — {speaker} · {s.get('id')}", className="small")]))
    out.append(html.Ul(items, id="statement-list") if items else html.P(t("no_data", lang),
                                                                        className="missing"))
    out.append(html.P(t("paraphrase_note", lang), className="small"))
    findings = vm.statements_for(city, category, "author_finding")
    out.append(html.H3(t("author_findings", lang)))
    out.append(html.Ul([html.Li([local_text(localized(s, "paraphrase"), lang),
                                 html.Span(f" · {s.get('id')}", className="small")])
                        for s in findings], id="finding-list") if findings else
               html.P(t("no_data", lang), className="missing"))
    tags = [i for i in vm.images if i.get("city") == city]
    out.append(html.H3(f"{t('image_tags', lang)} · {t(city, lang)}"))
    out.append(html.Ul([html.Li([local_text(localized(i, "image_tag"), lang, "tag"),
                                 html.Span(f" ({i.get('evidence_ids')})", className="small")]) for i in tags],
                       className="tags"))
    shown = [localized(s, "paraphrase") for s in (*statements, *findings)] + [localized(i, "image_tag")
                                                                              for i in tags]
    note = translation_note(lang) if any(text.translated for text in shown) else None
    return [*out, *([note] if note is not None else [])]


def scores_view(vm: ViewModel, state: ViewState) -> list[Component]:
    """The three cities' scores with n, the chosen city's statements, the study's findings and image tags."""
    return [*stance_lead(vm, state), *statements_view(vm, state)]


def flows_link(vm: ViewModel, state: ViewState, indicator: str) -> html.P | None:
    """A link to the national map of arrivals by origin for the same period, when that map has it."""
    period = (state.period or "").split(" · ")[0]
    if indicator not in FLOW_INDICATORS or period not in vm.time.flow_periods(indicator):
        return None
    target = ViewState(city=NATIONAL, layer="concentration", indicator=indicator, period=period, lang=state.lang)
    return html.P(html.A(t("origins_on_map", state.lang), href=to_query(target), id="origins-map-link"),
                  className="small")


def origin_label(origin: str, lang: str) -> str:
    """An origin the build could not match to one region, in words (unknown ones as published)."""
    return t(f"origin_{origin}", lang) if has(f"origin_{origin}") else origin


def origins_view(vm: ViewModel, state: ViewState) -> list[Component]:
    """Second: where the chosen city's newcomers come from (bars, not the map), with sources and flags."""
    lang, city = state.lang, shown_city(state)
    entry = vm.origins.get((city, state.period or ""))
    out: list[Component] = [html.H3(f"{t('origins', lang)} · {t(city, lang)}", id="origins-title"),
                            html.P(t("origins_second", lang), className="small")]
    if not entry:
        return [*out, html.P(t("no_figures", lang), className="missing")]
    out.append(html.P([f"{t('period', lang)}: ", local_text(entry.period or Localized(entry.label), lang),
                       f" · {indicator_label(entry.indicator, lang)}"]))
    rows = [(vm.name(i.region_id, lang) if i.region_id else origin_label(i.origin, lang), i.value,
             ORIGIN_BAR if i.region_id else NO_DATA_COLOR, "" if i.region_id else t("origins_unmapped", lang))
            for i in entry.items]
    out.append(bar_list(rows, lambda v: fmt_value(v, entry.items[0].unit, lang), t("no_data", lang)))
    sources = sorted({i.source for i in entry.items if i.source})
    flags = sorted({f for i in entry.items for f in i.confidence})
    out.append(html.P([t("source", lang), ": ", *[source_view(s, lang) for s in sources], " · ",
                       flags_view(flags, lang)], className="small"))
    link = flows_link(vm, state, entry.indicator)
    return [*out, *([link] if link is not None else [])]


def stance_legend(lang: str, few: bool) -> html.Div:
    """What the map colours: the mean stance, from distancing to welcoming (grey: no statements)."""
    steps = [html.Span(className="swatch", style={"background": c}) for c in STANCE_COLORS]
    return html.Div([html.P(t("stance_map_shows", lang), className="small"),
                     html.P([html.Span("−1 ", className="small"), *steps, html.Span(" +1", className="small"),
                             " ", html.Span(className="swatch", style={"background": NO_DATA_COLOR}),
                             html.Span(t("no_data", lang), className="small")], className="stance-steps"),
                     *([hatch_legend(lang)] if few else [])], id="stance-legend", className="legend-wrap")


def stance_markers(vm: ViewModel, state: ViewState) -> tuple[Component, ...]:
    """A circle at each city in its stance colour, with its mean and n written above it on the map (the city's
    name is the map's label to its right)."""
    out: list[Component] = []
    for city in CITIES:
        bounds = vm.geo["cities"].feature_bounds.get(city)
        if not bounds:
            continue
        mean, n = vm.stance(city, state.category)
        text = stance_text(mean, n, state.lang)
        out.append(dl.CircleMarker(
            center=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2], radius=12, color="#222",
            weight=1.5, fillColor=stance_color(mean), fillOpacity=0.9, className="qala-stance",
            children=[dl.Tooltip(text, permanent=True, direction="top", offset=[0, -12],
                                 className="stance-label")]))
    return tuple(out)


def render(vm: ViewModel, state: ViewState) -> MapView:
    """The map colours the stance per city (n beside each); the regions are outlines only."""
    lang = state.lang
    classes, labels = {}, {}
    for city in CITIES:
        mean, n = vm.stance(city, state.category)
        if mean is not None:
            classes[city] = stance_class(mean)
        labels[city] = (f"{t('mean_stance', lang)} {mean:+.2f}, " if mean is not None else
                        f"{t('no_data', lang)}, ") + t("n_statements", lang, n=n)
    few = {city: True for city in classes if vm.stance(city, state.category)[1] < survey_min_n()}
    style = Style(lang=lang, classes=classes, colors=STANCE_COLORS, labels=labels,
                  selected=state.city if state.city in CITIES else None, hatched=few,
                  why={city: t("hatch_few", lang, n=survey_min_n()) for city in few})
    return MapView(choropleth=layer(vm, "cities", style), context=layer(vm, "regions", OUTLINE),
                   bounds=country_bounds(vm), heading=(html.H2(t("layer_perception", lang)),
                                                       *stance_lead(vm, state)),
                   legend=stance_legend(lang, bool(few)),
                   details=(*statements_view(vm, state), *origins_view(vm, state)),
                   points=stance_markers(vm, state))


def export(vm: ViewModel, state: ViewState) -> ExportTable:
    """The three cities' scores for the chosen category, with the build's source."""
    rows = []
    for city in CITIES:
        mean, n = vm.stance(city, state.category)
        rows.append({"fid": city, "city": city, "category": state.category, "mean_stance": mean,
                     "n_statements": n,
                     "source": vm.stance_source(city, state.category)})
    return ExportTable("cities", rows)
