"""Dash callbacks: URL <-> controls (one circular callback), view -> map and panel, downloads, upload.

Only look-ups in the precomputed :class:`ViewModel`: no join or classification from scratch in a request
(user-defined breaks are the one exception: a mapclassify call on at most a few dozen values).
"""

from __future__ import annotations

import base64
import functools
import json
from dataclasses import asdict

import dash_leaflet as dl
import geopandas as gpd
import pandas as pd
import shapely
from dash import ALL, Input, Output, State, ctx, html, no_update

from dashboard import panels, upload
from dashboard.classify import (
    NO_DATA_COLOR,
    PALETTES,
    SCHEMES,
    STANCE_COLORS,
    classify,
    palette,
    parse_breaks,
)
from dashboard.i18n import indicator_label, t
from dashboard.state import CATEGORIES, CITY_VIEWS, LAYERS, Notice, Options, ViewState, parse_query, to_query
from dashboard.upload import UPLOAD_LIMIT_MB
from dashboard.viewmodel import CITIES, Series, ViewModel
from geo.io import writers as export

CONTROL_FIELDS = ("city", "layer", "indicator", "period", "scheme", "k", "breaks", "palette", "lang", "district",
                  "category")
LINK_COLORS = {"yes": "#5d3790", "unclear": "#e08214", "no": "#8c8c8c"}


def options_for(vm: ViewModel) -> Options:
    return Options(vm.indicators, vm.periods, vm.district_ids, vm.preferred_period)


def geo_url(vm: ViewModel, name: str) -> str | None:
    """The URL of a served GeoJSON layer (etag in the query: cached until it changes); None for no layer, which
    dash-leaflet draws as empty without a request."""
    if name == "empty":
        return None
    return f"/qala/geo/{name}.geojson?v={vm.geo[name].etag}"


def fit_bounds(vm: ViewModel, state: ViewState, out: dict) -> list[list[float]]:
    """The map extent ([[south, west], [north, east]]) of a drawn view: its city, the banks or the country."""
    if state.layer == "leftbank":
        box = vm.geo["banks"].bounds
    elif out["fit"] is None:
        box = vm.geo["regions"].bounds
    else:
        box = vm.geo["cities"].feature_bounds.get(out["fit"]) or vm.geo[out["choropleth"]].bounds or \
            vm.geo["regions"].bounds
    return [[box[1], box[0]], [box[3], box[2]]]


OPTION_CONTROLS = ("ctl-indicator", "ctl-period", "ctl-district", "ctl-city", "ctl-layer", "ctl-scheme",
                   "ctl-palette", "ctl-category")


def control_options(vm: ViewModel, state: ViewState) -> dict[str, list[dict]]:
    """The choices each control offers for a state, labelled in its language (keys: OPTION_CONTROLS)."""
    lang = state.lang
    return {
        "ctl-indicator": [{"label": indicator_label(i, lang), "value": i}
                          for i in vm.indicators(state.city, state.layer)],
        "ctl-period": [{"label": vm.period_label(state.city, state.indicator, p), "value": p}
                       for p in vm.periods(state.city, state.layer, state.indicator)],
        "ctl-district": [{"label": panels.place_name(vm, d, lang), "value": d} for d in vm.district_ids(state.city)],
        "ctl-city": [{"label": t(c, lang), "value": c, **({"disabled": True} if state.layer == "leftbank" and
                                                            c != "Astana" else {})} for c in CITY_VIEWS],
        "ctl-layer": [{"label": t(f"layer_{x}", lang), "value": x} for x in LAYERS],
        "ctl-scheme": [{"label": t(f"scheme_{s}", lang), "value": s} for s in SCHEMES],
        "ctl-palette": [{"label": t(f"palette_{p}", lang), "value": p} for p in PALETTES],
        "ctl-category": [{"label": t(f"cat_{c}", lang), "value": c} for c in CATEGORIES],
    }


CONTROL_GROUPS = ("grp-indicator", "grp-period", "grp-category", "grp-classes", "grp-breaks", "grp-district",
                  "grp-fixed-note", "grp-city-note")


def hidden_groups(state: ViewState, options: dict[str, list[dict]]) -> dict[str, bool]:
    """Which control groups are hidden in a state (keys: CONTROL_GROUPS): a control that changes nothing in the
    current view is not shown (it stays in the DOM, so its value still travels in the URL).

    Indicator and period show when the view offers any (layer 1, and layer 3's origins of newcomers); the migrant
    category only on layer 3; classes, palette and district only on layer 1 (layers 2 and 3 have fixed colours,
    said by a note); own breaks only with the 'my own breaks' scheme; on layer 2 a note says why only Astana."""
    concentration = state.layer == "concentration"
    shown = {
        "grp-indicator": state.layer != "leftbank" and bool(options["ctl-indicator"]),
        "grp-period": state.layer != "leftbank" and bool(options["ctl-period"]),
        "grp-category": state.layer == "perception",
        "grp-classes": concentration,
        "grp-breaks": concentration and state.scheme == "user_defined",
        "grp-district": concentration,
        "grp-fixed-note": not concentration,
        "grp-city-note": state.layer == "leftbank",
    }
    return {group: not shown[group] for group in CONTROL_GROUPS}


def view_data(state: ViewState, notices: list[Notice]) -> dict:
    """What the `view` store holds: the state and the link's notices, as JSON."""
    return {"state": asdict(state), "notices": [asdict(n) for n in notices]}


def sync_state(vm: ViewModel, trigger: str | None, search: str | None, controls: dict, click: dict | None,
               default_lang: str) -> tuple[ViewState, list[Notice]]:
    """The state after an event: from the URL on load/back/forward, else from the controls (no notices)."""
    options = options_for(vm)
    if trigger in (None, "url"):
        return parse_query(search, default_lang, options)
    if trigger == "choropleth" and click:
        fid = (click.get("properties") or {}).get("fid")
        if fid is not None:
            controls = {**controls, "district": None if controls.get("district") == fid else str(fid)}
    fields = {k: v for k, v in controls.items() if v is not None and v != ""}
    state, _ = parse_query(to_query(ViewState(**{**asdict(ViewState()), **fields})), default_lang, options)
    return state, []


def notice_text(notice: Notice, lang: str) -> str:
    if notice.what == "astana_only":
        return t("notice_astana_only", lang)
    what = t(f"what_{notice.what}", lang) if notice.what in (
        "city", "layer", "indicator", "period", "scheme", "k", "palette", "lang", "district", "category") else notice.what
    return t("notice_unknown", lang, what=what, value=notice.value, default=notice.default)


def current_series(vm: ViewModel, state: ViewState) -> Series | None:
    if state.layer != "concentration":
        return None
    return vm.find_series(state.city, state.indicator, state.period)


def classification_for(vm: ViewModel, state: ViewState, series: Series):
    """Precomputed breaks, or the user's own breaks (with a notice key when they cannot be used)."""
    notes: list[str] = []
    if state.scheme == "user_defined":
        cls = classify(series.values, "user_defined", state.k, parse_breaks(state.breaks))
        if cls.breaks_rejected:
            notes.append(t("notice_breaks", state.lang))
    else:
        cls = vm.classes[(series.sid, state.scheme, state.k)]
        if cls.reduced:
            notes.append(t("notice_k", state.lang, n=cls.k_used, k=state.k))
    return cls, notes


def _marker(lat: float, lon: float, color: str, title: str, popup: list, radius: int = 7) -> dl.CircleMarker:
    return dl.CircleMarker(center=[lat, lon], radius=radius, color="#222", weight=1, fillColor=color, fillOpacity=0.9,
                           children=[dl.Tooltip(title), dl.Popup(html.Div(popup, className="popup"))])


def place_markers(vm: ViewModel, rows: list[dict], lang: str, color_of) -> list:
    out = []
    for p in rows:
        if p.get("lat") is None:
            continue
        name = panels.place_name_of(p, lang)
        link = p.get("migrant_link")
        popup = [html.Strong(name), html.Br(), html.Span(p.get("kind") or ""),
                 html.P(f"{t('migrant_link', lang)}: {t('link_' + link, lang)}" if link in LINK_COLORS or link == "n/a"
                        else ""),
                 html.P(p.get("evidence") or ""), html.P(panels.source_view(p.get("source"), lang)),
                 html.P(p.get("coord_source") or "", className="small")]
        out.append(_marker(p["lat"], p["lon"], color_of(p), name, popup))
    return out


def city_markers(vm: ViewModel, classes: dict, colors: list[str], labels: dict, lang: str) -> list:
    """Circles at each city's centre so the three cities stay visible at national zoom."""
    out = []
    for city in CITIES:
        bounds = vm.geo["cities"].feature_bounds.get(city)
        if not bounds:
            continue
        cls = classes.get(city)
        color = colors[cls] if cls is not None else NO_DATA_COLOR
        text = f"{t(city, lang)}: {labels.get(city, t('no_data', lang))}"
        out.append(dl.CircleMarker(center=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2], radius=12,
                                   color="#222", weight=1.5, fillColor=color, fillOpacity=0.9,
                                   children=[dl.Tooltip(text)]))
    return out


def render(vm: ViewModel, state: ViewState, notices: list[Notice]) -> dict:
    """Everything the page shows for a state (cached: the view model never changes while serving)."""
    return _render_cached(vm, state, tuple(notices))


@functools.lru_cache(maxsize=512)
def _render_cached(vm: ViewModel, state: ViewState, notices: tuple[Notice, ...]) -> dict:
    """Layer urls, hideouts, markers, panel, notices and map fit for one state."""
    lang = state.lang
    notes = [notice_text(n, lang) for n in notices]
    out = {"choropleth": "empty", "context": "empty", "hideout": {"classes": {}, "colors": [], "lang": lang},
           "context_hideout": {"outline": True}, "points": [], "panel": [], "bounds": None}
    if state.layer == "concentration":
        series = current_series(vm, state)
        title = [html.H2(f"{indicator_label(state.indicator, lang)} · {t(state.city, lang)}")]
        if series is None:
            out["panel"] = title + [html.P(t("no_figures", lang), className="missing")]
            out["choropleth"] = "cities"
            out["hideout"] = {"outline": True, "lang": lang}
        else:
            cls, extra = classification_for(vm, state, series)
            notes += extra
            colors = palette(state.palette, max(1, cls.k_used))
            labels = {fid: panels.fmt_value(v, series.unit, lang) for fid, v in series.values.items()}
            layer_name = "cities" if state.city == "Kazakhstan" else f"v-{series.vintage}"
            ids = list(series.figures)
            if layer_name in vm.geo:
                out["choropleth"] = layer_name
                ids = sorted(set(ids) | set(vm.geo[layer_name].fids)) if state.city != "Kazakhstan" else ids
                out["hideout"] = {"classes": cls.class_of, "colors": colors, "labels": labels, "lang": lang,
                                  "selected": state.district, "nodata": NO_DATA_COLOR}
                missing = any(series.values.get(i) is None for i in ids)
            else:
                out["choropleth"] = "cities"
                out["hideout"] = {"outline": True, "lang": lang}
                missing = any(v is None for v in series.values.values())
            if state.city == "Kazakhstan":
                out["context"] = "regions"
                out["points"] = city_markers(vm, cls.class_of, colors, labels, lang)
            else:
                out["points"] = place_markers(vm, [p for p in vm.places if p.get("city") == state.city], lang,
                                              lambda p: LINK_COLORS.get(p.get("migrant_link"), NO_DATA_COLOR))
            vintage_note = f"{t('period', lang)}: {series.label} · {t('vintage', lang)}: {series.vintage or '—'}"
            body = title + [html.P(vintage_note, id="period-line")]
            if layer_name not in vm.geo:
                body.append(html.P(t("boundaries_missing", lang), className="caveat", id="boundaries-missing"))
            body.append(panels.legend_view(cls, colors, series, lang, missing))
            if state.district and state.district in ids:
                body.append(panels.district_details(vm, series, state))
            body += [html.H3(t("districts_table", lang)), panels.district_table(vm, series, state, ids),
                     html.P(t("hover_hint", lang), className="small")]
            if state.city in CITIES:
                body.append(html.H3(t("places_overlay", lang)))
                body.append(html.Ul([html.Li([html.Span(className="swatch", style={"background": c}),
                                              t(f"link_{k}", lang)]) for k, c in LINK_COLORS.items()],
                                    className="legend-list"))
                body.append(panels.places_view(vm, state.city, lang))
            if state.city == "Kazakhstan":
                body.append(html.P(t("regions_context", lang), className="small"))
            out["panel"] = body
        fit = state.city if state.city in CITIES else None
    elif state.layer == "leftbank":
        bank_ids = vm.geo["banks"].fids
        colors = [panels.BANK_COLORS.get(b, NO_DATA_COLOR) for b in bank_ids]
        out["choropleth"] = "banks"
        out["hideout"] = {"classes": {b: i for i, b in enumerate(bank_ids)}, "colors": colors, "lang": lang,
                          "labels": {b: t(f"bank_{b}", lang) if b in panels.BANK_COLORS else b for b in bank_ids},
                          "opacity": 0.45}
        latest = vm.latest_vintage.get("Astana")
        if latest and f"v-{latest}" in vm.geo:
            out["context"] = f"v-{latest}"
        out["points"] = place_markers(vm, vm.institutions, lang,
                                      lambda p: panels.BANK_COLORS.get(p.get("bank"), NO_DATA_COLOR))
        legend = html.Ul([html.Li([html.Span(className="swatch", style={"background": c}), t(f"bank_{b}", lang)])
                          for b, c in panels.BANK_COLORS.items() if b in bank_ids], className="legend-list")
        out["panel"] = [html.H2(t("layer_leftbank", lang)), legend] + panels.leftbank_view(vm, state)
        fit = "Astana"
    else:
        classes, labels = {}, {}
        for city in CITIES:
            mean, n = vm.stance(city, state.category)
            if mean is not None:
                classes[city] = min(len(STANCE_COLORS) - 1, int((mean + 1) / 2 * len(STANCE_COLORS)))
            labels[city] = (f"{t('mean_stance', lang)} {mean:+.2f}, " if mean is not None else
                            f"{t('no_data', lang)}, ") + t("n_statements", lang, n=n)
        out["choropleth"] = "cities"
        out["hideout"] = {"classes": classes, "colors": list(STANCE_COLORS), "labels": labels, "lang": lang,
                          "selected": state.city if state.city in CITIES else None}
        out["points"] = city_markers(vm, classes, list(STANCE_COLORS), labels, lang)
        origin_colors: dict[str, str] = {}
        entry = vm.origins.get((state.city, state.period or ""))
        if entry:
            values = {i["region_id"]: i["value"] for i in entry["items"] if i["region_id"]}
            if values:
                cls = classify(values, "quantiles", 4)
                ocolors = palette("YlOrRd", max(1, cls.k_used))
                origin_colors = {rid: ocolors[c] for rid, c in cls.class_of.items() if c is not None}
                out["context_hideout"] = {"classes": cls.class_of, "colors": ocolors, "lang": lang, "opacity": 0.6}
        out["context"] = "regions"
        out["panel"] = [html.H2(t("layer_perception", lang))] + panels.perception_view(vm, state) + \
            panels.origins_view(vm, state, origin_colors)
        fit = None
    out["notices"] = [html.Div(n, className="notice") for n in notes]
    out["fit"] = fit
    return out


def export_table(vm: ViewModel, state: ViewState) -> tuple[str | None, list[dict]]:
    """The current layer as (geometry layer name, rows keyed by 'fid') for download."""
    lang = state.lang
    if state.layer == "concentration":
        series = current_series(vm, state)
        if series is None:
            return None, []
        layer = "cities" if state.city == "Kazakhstan" else f"v-{series.vintage}"
        rows = []
        for fid, fig in series.figures.items():
            rows.append({"fid": fid, "name": panels.place_name(vm, fid, lang), "city": series.city,
                         "indicator": series.indicator, "value": fig.value, "unit": fig.unit,
                         "period_label": fig.period_label, "period_start": fig.period_start,
                         "period_end": fig.period_end, "vintage": fig.vintage, "source": fig.source,
                         "confidence": ";".join(fig.confidence), "note": fig.note, "derived": fig.derived})
        return (layer if layer in vm.geo else None), rows
    if state.layer == "leftbank":
        return "banks", [{"fid": m.get("bank"), **{k: v for k, v in m.items()}} for m in vm.banks_meta]
    rows = []
    for city in CITIES:
        mean, n = vm.stance(city, state.category)
        rows.append({"fid": city, "city": city, "category": state.category, "mean_stance": mean, "n_statements": n,
                     "source": "Serikzhanova 2024, coded focus-group statements"})
    return "cities", rows


def layer_frame(vm: ViewModel, layer: str | None, rows: list[dict]) -> gpd.GeoDataFrame:
    """Rows of the current layer with the geometry served for it (None where there is none), EPSG:4326."""
    geometry = {}
    if layer:
        for feature in json.loads(vm.geo[layer].raw)["features"]:
            if feature.get("geometry"):
                geometry[feature["properties"]["fid"]] = shapely.geometry.shape(feature["geometry"])
    frame = pd.DataFrame(rows)
    return gpd.GeoDataFrame(frame, geometry=[geometry.get(r["fid"]) for r in rows], crs="EPSG:4326")


def register(app, vm: ViewModel) -> None:
    control_ids = [f"ctl-{f}" for f in CONTROL_FIELDS]

    # The first view is drawn by the layout itself (dashboard.layout.serve_layout): these callbacks run only
    # on user interaction and on back/forward, hence prevent_initial_call.
    @app.callback(
        Output("url", "search"),
        *[Output(cid, "value") for cid in control_ids],
        *[Output(cid, "options") for cid in OPTION_CONTROLS],
        *[Output(gid, "hidden") for gid in CONTROL_GROUPS],
        Output("view", "data"),
        Input("url", "search"), *[Input(cid, "value") for cid in control_ids], Input("choropleth", "clickData"),
        State("default-lang", "data"),
        prevent_initial_call=True,
    )
    def sync(search, *args):
        values, click, default_lang = args[:len(control_ids)], args[len(control_ids)], args[-1]
        controls = dict(zip(CONTROL_FIELDS, values))
        trigger = ctx.triggered_id if ctx.triggered_id in ("url", "choropleth") else (
            None if ctx.triggered_id is None else "control")
        state, notices = sync_state(vm, trigger, search, controls, click, default_lang)
        query = to_query(state)
        search_out = no_update if (search or "") == query else query
        options = control_options(vm, state)
        return (search_out, *[getattr(state, f) for f in CONTROL_FIELDS], *options.values(),
                *hidden_groups(state, options).values(), view_data(state, notices))

    # The layout already holds the canonical query of the link it was drawn for: put it in the address bar
    # (replace, not push, so back leaves the page as usual). Runs in the browser, no request.
    app.clientside_callback(
        """function (search) {
            if (search && window.location.search !== search) {
                window.history.replaceState(window.history.state, "",
                                            window.location.pathname + search + window.location.hash);
            }
        }""",
        Input("url", "search"),
    )

    @app.callback(
        Output("choropleth", "url"), Output("choropleth", "hideout"), Output("context", "url"),
        Output("context", "hideout"), Output("points", "children"), Output("panel", "children"),
        Output("notices", "children"), Output("map", "viewport"), Output({"type": "i18n", "key": ALL}, "children"),
        Output("basemap-note", "children"), Output("upload-hint", "children"), Output("root", "lang"),
        Output("ctl-district", "placeholder"),
        Input("view", "data"), State("choropleth", "url"), State("context", "url"),
        State({"type": "i18n", "key": ALL}, "id"),
        prevent_initial_call=True,
    )
    def draw(view, choropleth_url, context_url, label_ids):
        if not view:
            return (no_update,) * 13
        state = ViewState(**view["state"])
        out = render(vm, state, [Notice(**n) for n in view["notices"]])
        new_url = geo_url(vm, out["choropleth"])
        bounds = no_update
        if new_url != choropleth_url:
            bounds = {"bounds": fit_bounds(vm, state, out), "transition": "fitBounds"}
        lang = state.lang
        labels = [t(i["key"], lang, mb=UPLOAD_LIMIT_MB) for i in label_ids]
        ctx_url = geo_url(vm, out["context"])
        return (no_update if new_url == choropleth_url else new_url, out["hideout"],
                no_update if ctx_url == context_url else ctx_url, out["context_hideout"], out["points"],
                out["panel"], out["notices"], bounds, labels, t("basemap_unavailable", lang),
                t("upload_hint", lang, mb=UPLOAD_LIMIT_MB), lang, t("choose_district", lang))

    @app.callback(Output("download", "data"), Input("dl-geojson", "n_clicks"), Input("dl-csv", "n_clicks"),
                  State("view", "data"), prevent_initial_call=True)
    def download(_g, _c, view):
        if not view:
            return no_update
        state = ViewState(**view["state"])
        layer, rows = export_table(vm, state)
        stem = f"qala_{state.layer}_{state.city}_{state.indicator or state.category}".replace(" ", "_")
        frame = layer_frame(vm, layer, rows)
        if ctx.triggered_id == "dl-csv":
            return {"content": base64.b64encode(export.to_csv_bytes(frame)).decode(), "filename": f"{stem}.csv",
                    "base64": True, "type": "text/csv"}
        return {"content": base64.b64encode(export.to_geojson_bytes(frame)).decode(),
                "filename": f"{stem}.geojson", "base64": True, "type": "application/geo+json"}

    upload.register(app, vm, geo_url)
