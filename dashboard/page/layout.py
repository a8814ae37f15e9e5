"""The page: labelled controls (left), the map (middle), figures with sources (right).

The layout is drawn per request for the link being opened: controls, GeoJSON URLs, styles, markers, panel and
notices of that view are already in it, so the first map needs no callback round trip (callbacks only answer
user interaction). Labels are pattern-matched ``{"type": "i18n", "key": ...}`` components, so one callback
output switches the whole interface language. The default language follows the browser's Accept-Language.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import dash_leaflet as dl
import flask
from dash import dcc, html
from dash.development.base_component import Component
from dash_extensions.javascript import Namespace

from dashboard.charts import wildcard
from dashboard.classify import K_CHOICES
from dashboard.controls.sync import control_options, hidden_groups, view_data
from dashboard.controls.timeline import compare_layout, time_layout
from dashboard.i18n import LANG_NAMES, LANGS, PLACEHOLDERS, pick_language, t
from dashboard.state.query import ViewState, to_query
from dashboard.state.viewmodel import ViewModel
from dashboard.upload.callbacks import ACCEPTED, UPLOAD_CITIES, UPLOAD_LIMIT_MB
from dashboard.upload.form import form_layout
from dashboard.views import MapView, SecondMap, first_view, second_map
from geo.settings import tiles_url

OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
_ns = Namespace("qala")


def label(key: str, lang: str, html_for: str | None = None, cls: str = "ctl") -> html.Label:
    return html.Label(t(key, lang), id={"type": "i18n", "key": key}, htmlFor=html_for, className=cls)


def _control(key: str, control: dcc.Dropdown | dcc.Input, lang: str) -> html.Div:
    props: Any = control  # a component's props are attributes set at run time; its class declares none
    if props.id in PLACEHOLDERS:  # every dropdown says what to choose in the page's language
        props.placeholder = t(PLACEHOLDERS[props.id], lang)
    return html.Div([label(key, lang, props.id), control])


# long: the page's controls as one declarative list, in the order a reader meets them
def controls(state: ViewState, options: dict[str, list[dict]]) -> html.Div:
    lang = state.lang
    hidden = hidden_groups(state, options)

    def group(gid: str, *children: Component) -> html.Div:
        return html.Div(list(children), id=gid, hidden=hidden[gid])

    return html.Div(className="controls drawer", id="controls-drawer", role="form",
                    **wildcard({"aria-labelledby": "controls-title"}), children=[
        html.H2(html.Span(t("controls_region", lang), id={"type": "i18n", "key": "controls_region"}),
                id="controls-title", className="visually-hidden"),
        html.Div(className="radio", children=[
            label("city", lang, "ctl-city"),
            dcc.RadioItems(id="ctl-city", options=options["ctl-city"], value=state.city)]),
        group("grp-city-note", html.P(t("astana_only_hint", lang),
                                      id={"type": "i18n", "key": "astana_only_hint"},
                                      className="small")),
        html.Div(className="radio", children=[
            label("layer", lang, "ctl-layer"),
            dcc.RadioItems(id="ctl-layer", options=options["ctl-layer"], value=state.layer)]),
        group("grp-dataset", _control("pub_dataset", dcc.Dropdown(
            id="ctl-dataset", clearable=True, searchable=False, value=state.dataset or None,
            options=options["ctl-dataset"]), lang)),
        group("grp-item", _control("pub_item", dcc.Dropdown(
            id="ctl-item", clearable=False, searchable=False, value=state.item or None,
            options=options["ctl-item"]), lang)),
        group("grp-indicator", _control("indicator", dcc.Dropdown(
            id="ctl-indicator", clearable=False, searchable=False, value=state.indicator or None,
            options=options["ctl-indicator"]), lang)),
        group("grp-period", _control("period", dcc.Dropdown(
            id="ctl-period", clearable=False, searchable=False, value=state.period,
            options=options["ctl-period"]),
            lang)),
        *time_layout(state, options, hidden),  # slider with Play, change map (dashboard.controls.timeline)
        group("grp-category", _control("category", dcc.Dropdown(
            id="ctl-category", clearable=False, searchable=False, value=state.category,
            options=options["ctl-category"]), lang)),
        group("grp-classes",
              html.Div(className="radio", children=[
                  label("scheme", lang, "ctl-scheme"),
                  dcc.RadioItems(id="ctl-scheme", value=state.scheme, options=options["ctl-scheme"])]),
              _control("k", dcc.Dropdown(id="ctl-k", clearable=False, searchable=False, value=state.k,
                                         options=[{"label": str(k), "value": k} for k in K_CHOICES]), lang),
              group("grp-breaks", _control("breaks", dcc.Input(
                  id="ctl-breaks", type="text", debounce=True, value=state.breaks,
                  placeholder="100000, 250000",
                  style={"width": "100%"}), lang)),
              _control("palette", dcc.Dropdown(id="ctl-palette", clearable=False, searchable=False,
                                               value=state.palette, options=options["ctl-palette"]), lang)),
        group("grp-fixed-note", html.P(t("fixed_colours", lang), id={"type": "i18n", "key": "fixed_colours"},
                                       className="small")),
        group("grp-district",
              _control("district", dcc.Dropdown(id="ctl-district", clearable=True, searchable=True,
                                                value=state.district, options=options["ctl-district"]), lang),
              html.P(t("district_keyboard", lang), id={"type": "i18n", "key": "district_keyboard"},
                     className="small")),
        group("grp-profile", html.Div(className="radio", children=[
            label("profile", lang, "ctl-profile"),
            dcc.RadioItems(id="ctl-profile", options=options["ctl-profile"], value=state.profile)])),
        *compare_layout(state, options, hidden),  # "Compare", two dates side by side (dashboard.controls.timeline)
        html.H3(t("download", lang), id={"type": "i18n", "key": "download"}),
        # Named by their text under the "download" heading (an aria-label would stay in the first language).
        html.Button("GeoJSON", id="dl-geojson", className="dl", n_clicks=0),
        html.Button("CSV", id="dl-csv", className="dl", n_clicks=0),
        html.A(html.Span(t("brief_pdf", lang), id={"type": "i18n", "key": "brief_pdf"}), id="brief-pdf",
               className="dl brief", href=f"/brief.pdf{to_query(state)}", download="", rel="nofollow"),
        html.A(html.Span(t("brief_png", lang), id={"type": "i18n", "key": "brief_png"}), id="brief-png",
               className="dl brief", href=f"/brief.png{to_query(state)}", download="", rel="nofollow"),
        dcc.Download(id="download"),
        html.H3(t("upload_title", lang), id={"type": "i18n", "key": "upload_title"}),
        _control("upload_city", dcc.Dropdown(id="upload-city", clearable=False, searchable=False,
                                             value="auto",
                                             options=[{"label": t("upload_city_auto" if c == "auto" else c,
                                                                  lang),
                                                       "value": c} for c in UPLOAD_CITIES]), lang),
        html.Div(id="upload-zone", **wildcard({"data-limit": str(UPLOAD_LIMIT_MB * 1024 * 1024)}),
                 children=dcc.Upload(
            id="upload", className="upload", max_size=UPLOAD_LIMIT_MB * 1024 * 1024, multiple=False,
            accept=",".join(ACCEPTED),
            children=html.Div(t("upload_hint", lang, mb=UPLOAD_LIMIT_MB), id="upload-hint"))),
        html.P(t("upload_too_big", lang, mb=UPLOAD_LIMIT_MB), id={"type": "i18n", "key": "upload_too_big"},
               className="upload-toobig notice", role="alert"),
        html.Div(id="upload-result", role="status", **wildcard({"aria-live": "polite"})),
        form_layout(lang),
        dcc.Store(id="upload-store"),
        dcc.Download(id="upload-download"),
    ])


def upload_panel(lang: str) -> html.Section:
    """The joined upload (hidden until there is one): measure picker, legend, tables, downloads."""
    return html.Section(id="upload-panel", className="upload-panel", hidden=True,
                        **wildcard({"aria-live": "polite"}), children=[
        html.H2(id="upload-title"),
        label("upload_measure", lang, "upload-measure"),
        dcc.RadioItems(id="upload-measure", value="count", options=[], className="radio"),
        html.Div(id="upload-body"),
        html.Button(html.Span(t("upload_dl_geojson", lang), id={"type": "i18n", "key": "upload_dl_geojson"}),
                    id="upload-dl-geojson",
                    className="dl", n_clicks=0),
        html.Button(html.Span(t("upload_dl_csv", lang), id={"type": "i18n", "key": "upload_dl_csv"}),
                    id="upload-dl-csv",
                    className="dl", n_clicks=0),
        html.Button(html.Span(t("upload_dl_zip", lang), id={"type": "i18n", "key": "upload_dl_zip"}),
                    id="upload-dl-zip", className="dl", n_clicks=0, title=t("upload_dl_zip_title", lang)),
        html.Button(html.Span(t("upload_clear", lang), id={"type": "i18n", "key": "upload_clear"}),
                    id="upload-clear",
                    className="dl", n_clicks=0),
    ])


def second_map_box(second: SecondMap, lang: str) -> list:
    """The second map of two dates side by side (only while that comparison is on: the draw callback adds and
    removes it; qala.js moves it with the first). Its layers' ids are patterns, so the draw callback can
    restyle it when it exists and send nothing when it does not."""
    return [html.Div(role="region", className="map2-box", **wildcard({"aria-label": t("twomaps_map", lang)}),
                     children=[
        html.P(second.caption, id={"type": "twomap-caption", "n": 0}, className="map-caption"),
        dl.Map(id={"type": "twomap", "n": 0}, bounds=second.bounds, trackViewport=False, className="map2",
               children=[
            dl.TileLayer(url=tiles_url(), attribution=OSM_ATTRIBUTION, maxZoom=18),
            dl.GeoJSON(id={"type": "twomap-layer", "n": 0}, style=_ns("style"), onEachFeature=_ns("onEach"),
                       hideout=second.choropleth.style.hideout(), url=second.choropleth.url),
            dl.ScaleControl(position="bottomleft", imperial=False)])])]


def map_area(view: MapView, lang: str, second: SecondMap | None = None) -> html.Div:
    """The map already framed on the view, with its layers' URLs and styles (the JS style reads `hideout`);
    with two dates side by side, the second map beside it (each under its "date · boundary set" caption)."""
    return html.Div(className="mapwrap two-maps" if second else "mapwrap", id="mapwrap", children=[
        html.Div(className="map-half", id="map1-box", children=[
        html.P(second.first_caption if second else "", id="map1-caption", className="map-caption",
               hidden=second is None),
        # Framed by `bounds` (no centre/zoom: dash-leaflet would prefer them); the callbacks move it via
        # `viewport` and read nothing back, so the viewport is not tracked (tracking needs a centre prop).
        dl.Map(id="map", bounds=view.bounds, trackViewport=False, preferCanvas=False, children=[
            dl.TileLayer(id="basemap", url=tiles_url(), attribution=OSM_ATTRIBUTION, maxZoom=18),
            dl.GeoJSON(id="context", style=_ns("style"), hideout=view.context.style.hideout(),
                       interactive=False,
                       url=view.context.url),
            dl.GeoJSON(id="choropleth", style=_ns("style"), onEachFeature=_ns("onEach"),
                       hideout=view.choropleth.style.hideout(), url=view.choropleth.url),
            dl.GeoJSON(id="userlayer", style=_ns("style"), onEachFeature=_ns("onEach"),
                       hideout={"classes": {}, "colors": []}),
            dl.LayerGroup(id="points", children=list(view.points)),
            dl.ScaleControl(position="bottomleft", imperial=False),
        ])]),
        html.Div(second_map_box(second, lang) if second else [], id="map2-slot", className="map-half map2-slot"),
        html.Div(view.notice_divs, id="notices", className="notices", role="status",
                 **wildcard({"aria-live": "polite"})),
        html.Div(t("basemap_unavailable", lang), id="basemap-note", className="basemap-note", role="note"),
    ])


def drawer_bar(lang: str) -> html.Nav:
    """On small screens the map comes first and these buttons open the controls and the figures over it (the
    toggling is in assets/qala.js; on a wide screen the bar is hidden and both are columns). A <nav>, so that it
    sits in a landmark like the rest of the page."""
    def toggle(key: str, target: str) -> html.Button:
        return html.Button(html.Span(t(key, lang), id={"type": "i18n", "key": key}), id=f"toggle-{target}",
                           className="drawer-toggle", type="button", n_clicks=0,
                           **wildcard({"aria-expanded": "false", "aria-controls": target}))
    return html.Nav([toggle("drawer_controls", "controls-drawer"), toggle("drawer_details", "panel-drawer")],
                    className="drawer-bar")


def page_search() -> str | None:
    """The query of the page a request comes from: the page's own on `/`, the Referer's on `/_dash-layout`
    (the renderer fetches the layout without the page's query). None when it cannot be known."""
    if not flask.request.path.endswith("/_dash-layout"):
        query = flask.request.query_string.decode("utf-8", "replace")
        return f"?{query}" if query else ""
    referer = flask.request.headers.get("Referer")
    if not referer:
        return None
    parts = urlsplit(referer)
    if parts.netloc != flask.request.host:
        return None
    return f"?{parts.query}" if parts.query else ""


def serve_layout(vm: ViewModel, search: str | None, accept_language: str | None = None) -> html.Div:
    """The whole page for the link with query `search` (None when unknown: then the defaults are drawn and the
    URL callback corrects the view once dcc.Location reports the address)."""
    state, notices, view = first_view(vm, search, accept_language)
    lang = state.lang
    location = dcc.Location(id="url", refresh=False, search=to_query(state)) if search is not None else \
        dcc.Location(id="url", refresh=False)
    return html.Div(lang=lang, id="root", children=[
        location,
        dcc.Store(id="default-lang", data=pick_language(accept_language)),
        dcc.Store(id="view", data=view_data(state, notices)),
        html.Header([
            html.H1(t("app_title", lang), id={"type": "i18n", "key": "app_title"}),
            html.Div(className="lang", role="radiogroup", **wildcard({"aria-labelledby": "lang-title"}), children=[
                html.Label(html.Span(t("language", lang), id={"type": "i18n", "key": "language"}),
                           id="lang-title", htmlFor="ctl-lang", className="visually-hidden"),
                dcc.RadioItems(id="ctl-lang", value=lang, inline=True,
                               options=[{"label": LANG_NAMES[code], "value": code} for code in LANGS])]),
        ]),
        drawer_bar(lang),
        html.Main(className="main", children=[
            controls(state, control_options(vm, state)),
            map_area(view, lang, second_map(vm, state)),
            html.Aside(className="panel drawer", id="panel-drawer", **wildcard({"aria-labelledby": "panel-title"}),
                       children=[
                html.H2(html.Span(t("details_region", lang), id={"type": "i18n", "key": "details_region"}),
                        id="panel-title", className="visually-hidden"),
                upload_panel(lang),
                html.Div(view.panel, id="panel", role="region",
                         **wildcard({"aria-labelledby": "panel-title", "aria-live": "polite"}))]),
        ]),
        html.Footer(t("attribution", lang), id={"type": "i18n", "key": "attribution"},
                    className="attribution"),
    ])
