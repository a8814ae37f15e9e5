"""The page: labelled controls (left), the map (middle), figures with sources (right).

Labels are pattern-matched ``{"type": "i18n", "key": ...}`` components, so one callback output switches the
whole interface language. The initial language follows the browser's Accept-Language header.
"""

from __future__ import annotations

import os

import dash_leaflet as dl
from dash import dcc, html
from dash_extensions.javascript import Namespace

from dashboard.classify import K_CHOICES, PALETTES, SCHEMES
from dashboard.i18n import DEFAULT_LANG, LANG_NAMES, LANGS, t
from dashboard.state import CATEGORIES, CITY_VIEWS, LAYERS
from dashboard.upload import UPLOAD_CITIES, UPLOAD_LIMIT_MB

DEFAULT_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
_ns = Namespace("qala")


def tiles_url() -> str:
    return os.environ.get("QALA_TILES", DEFAULT_TILES)


def label(key: str, lang: str, html_for: str | None = None, cls: str = "ctl") -> html.Label:
    return html.Label(t(key, lang), id={"type": "i18n", "key": key}, htmlFor=html_for, className=cls)


def _control(key: str, control, lang: str) -> html.Div:
    return html.Div([label(key, lang, control.id), control])


def controls(lang: str) -> html.Div:
    return html.Div(className="controls", role="form", **{"aria-label": "map controls"}, children=[
        html.Div(className="radio", children=[
            label("city", lang, "ctl-city"),
            dcc.RadioItems(id="ctl-city", options=[{"label": t(c, lang), "value": c} for c in CITY_VIEWS],
                           value="Astana")]),
        html.Div(className="radio", children=[
            label("layer", lang, "ctl-layer"),
            dcc.RadioItems(id="ctl-layer", options=[{"label": t(f"layer_{x}", lang), "value": x} for x in LAYERS],
                           value="concentration")]),
        _control("indicator", dcc.Dropdown(id="ctl-indicator", clearable=False, searchable=False), lang),
        _control("period", dcc.Dropdown(id="ctl-period", clearable=False, searchable=False), lang),
        _control("category", dcc.Dropdown(id="ctl-category", clearable=False, searchable=False, value="all",
                                          options=[{"label": t(f"cat_{c}", lang), "value": c} for c in CATEGORIES]),
                 lang),
        html.Div(className="radio", children=[
            label("scheme", lang, "ctl-scheme"),
            dcc.RadioItems(id="ctl-scheme", value="quantiles",
                           options=[{"label": t(f"scheme_{s}", lang), "value": s} for s in SCHEMES])]),
        _control("k", dcc.Dropdown(id="ctl-k", clearable=False, searchable=False, value=5,
                                   options=[{"label": str(k), "value": k} for k in K_CHOICES]), lang),
        _control("breaks", dcc.Input(id="ctl-breaks", type="text", debounce=True, value="",
                                     placeholder="100000, 250000", style={"width": "100%"}), lang),
        _control("palette", dcc.Dropdown(id="ctl-palette", clearable=False, searchable=False, value="viridis",
                                         options=[{"label": t(f"palette_{p}", lang), "value": p} for p in PALETTES]),
                 lang),
        _control("district", dcc.Dropdown(id="ctl-district", clearable=True, searchable=True,
                                          placeholder=t("choose_district", lang)), lang),
        html.P(t("district_keyboard", lang), id={"type": "i18n", "key": "district_keyboard"}, className="small"),
        html.H3(t("download", lang), id={"type": "i18n", "key": "download"}),
        html.Button("GeoJSON", id="dl-geojson", className="dl", n_clicks=0, **{"aria-label": "Download GeoJSON"}),
        html.Button("CSV", id="dl-csv", className="dl", n_clicks=0, **{"aria-label": "Download CSV"}),
        dcc.Download(id="download"),
        html.H3(t("upload_title", lang), id={"type": "i18n", "key": "upload_title"}),
        _control("upload_city", dcc.Dropdown(id="upload-city", clearable=False, searchable=False, value="auto",
                                             options=[{"label": t("upload_city_auto" if c == "auto" else c, lang),
                                                       "value": c} for c in UPLOAD_CITIES]), lang),
        html.Div(id="upload-zone", **{"data-limit": str(UPLOAD_LIMIT_MB * 1024 * 1024)}, children=dcc.Upload(
            id="upload", className="upload", max_size=UPLOAD_LIMIT_MB * 1024 * 1024, multiple=False,
            accept=".csv,.geojson,.json",
            children=html.Div(t("upload_hint", lang, mb=UPLOAD_LIMIT_MB), id="upload-hint"))),
        html.P(t("upload_too_big", lang, mb=UPLOAD_LIMIT_MB), id={"type": "i18n", "key": "upload_too_big"},
               className="upload-toobig notice", role="alert"),
        html.Div(id="upload-result", role="status", **{"aria-live": "polite"}),
        dcc.Store(id="upload-store"),
        dcc.Download(id="upload-download"),
    ])


def upload_panel(lang: str) -> html.Section:
    """The joined upload (hidden until there is one): measure picker, legend, tables, downloads."""
    return html.Section(id="upload-panel", className="upload-panel", hidden=True, **{"aria-live": "polite"},
                        children=[
        html.H2(id="upload-title"),
        label("upload_measure", lang, "upload-measure"),
        dcc.RadioItems(id="upload-measure", value="count", options=[], className="radio"),
        html.Div(id="upload-body"),
        html.Button(html.Span(t("upload_dl_geojson", lang), id={"type": "i18n", "key": "upload_dl_geojson"}), id="upload-dl-geojson",
                    className="dl", n_clicks=0),
        html.Button(html.Span(t("upload_dl_csv", lang), id={"type": "i18n", "key": "upload_dl_csv"}), id="upload-dl-csv",
                    className="dl", n_clicks=0),
        html.Button(html.Span(t("upload_clear", lang), id={"type": "i18n", "key": "upload_clear"}), id="upload-clear",
                    className="dl", n_clicks=0),
    ])


def map_area(lang: str) -> html.Div:
    return html.Div(className="mapwrap", children=[
        dl.Map(id="map", center=[48.0, 68.0], zoom=5, preferCanvas=False, children=[
            dl.TileLayer(id="basemap", url=tiles_url(), attribution=OSM_ATTRIBUTION, maxZoom=18),
            dl.GeoJSON(id="context", style=_ns("style"), hideout={"outline": True}, interactive=False),
            dl.GeoJSON(id="choropleth", style=_ns("style"), onEachFeature=_ns("onEach"),
                       hideout={"classes": {}, "colors": []}),
            dl.GeoJSON(id="userlayer", style=_ns("style"), onEachFeature=_ns("onEach"),
                       hideout={"classes": {}, "colors": []}),
            dl.LayerGroup(id="points"),
            dl.ScaleControl(position="bottomleft", imperial=False),
        ]),
        html.Div(id="notices", className="notices", role="status", **{"aria-live": "polite"}),
        html.Div(t("basemap_unavailable", lang), id="basemap-note", className="basemap-note", role="note"),
    ])


def serve_layout(accept_language: str | None = None) -> html.Div:
    from dashboard.i18n import pick_language

    lang = pick_language(accept_language) if accept_language else DEFAULT_LANG
    return html.Div(lang=lang, id="root", children=[
        dcc.Location(id="url", refresh=False),
        dcc.Store(id="default-lang", data=lang),
        dcc.Store(id="view"),
        html.Header([
            html.H1(t("app_title", lang), id={"type": "i18n", "key": "app_title"}),
            html.Div(className="lang", children=[
                label("language", lang, "ctl-lang", cls="visually-hidden"),
                dcc.RadioItems(id="ctl-lang", value=lang, inline=True,
                               options=[{"label": LANG_NAMES[code], "value": code} for code in LANGS])]),
        ]),
        html.Div(className="main", children=[
            controls(lang),
            map_area(lang),
            html.Aside(className="panel", children=[upload_panel(lang),
                                                    html.Div(id="panel", role="region", **{"aria-live": "polite"})]),
        ]),
        html.Footer(t("attribution", lang), id={"type": "i18n", "key": "attribution"}, className="attribution"),
    ])
