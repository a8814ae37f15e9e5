"""Dash callbacks: they only wire inputs to the views. URL <-> controls (one circular callback, see
dashboard.controls.sync), view -> map and panel (dashboard.views), downloads (geo.store.as_bytes), upload.

No join or classification from scratch in a request (user-defined breaks are the one exception: a mapclassify
call on at most a few dozen values). Browser state is never trusted: every view coming back from the page is
checked like a link (dashboard.controls.sync.checked_view) before anything is drawn or cached.
"""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, ctx, no_update

from dashboard import views
from dashboard.controls.sync import (
    CONTROL_FIELDS,
    CONTROL_GROUPS,
    OPTION_CONTROLS,
    checked_view,
    control_options,
    hidden_groups,
    sync_state,
    view_data,
)
from dashboard.controls.timeline import TIME_INPUTS, TIME_OUTPUTS, time_outputs, timed_controls
from dashboard.i18n import PLACEHOLDERS, has, t
from dashboard.page.layout import second_map_box
from dashboard.state.query import Notice, ViewState, to_query
from dashboard.state.viewmodel import ViewModel
from dashboard.upload import callbacks as upload
from dashboard.upload.callbacks import UPLOAD_LIMIT_MB


def _label(item: object, lang: str) -> object:
    """The text of an i18n label id; the ids come back from the browser, so an unknown one is left alone."""
    key = item.get("key") if isinstance(item, dict) else None
    if not isinstance(key, str) or not has(key):
        return no_update
    try:
        return t(key, lang, mb=UPLOAD_LIMIT_MB)
    except (KeyError, IndexError, ValueError):  # a counted text without its count: not a page label
        return no_update


def second_outputs(second: views.SecondMap | None, urls: object, lang: str) -> tuple:
    """The draw callback's outputs of the second map: made when two dates are asked for and it is absent,
    removed when they are not, else only its layer and caption changed (the map keeps where it was moved)."""
    shown = urls if isinstance(urls, list) else []
    present = len(shown)
    if second is None:
        return ([] if present else no_update, "mapwrap", "", True, [no_update] * present, [no_update] * present,
                [no_update] * present)
    if not present:
        return (second_map_box(second, lang), "mapwrap two-maps", second.first_caption, False, [], [], [])
    url = second.choropleth.url
    return (no_update, "mapwrap two-maps", second.first_caption, False,
            [no_update if u == url else url for u in shown], [second.choropleth.style.hideout()] * present,
            [second.caption] * present)


# What the one sync callback writes, in order: the address, each control's value and choices, which groups
# are hidden, the view store, the time controls. sync_values gives exactly one value for each.
SYNC_OUTPUTS = (("url", "search"), *[(f"ctl-{f}", "value") for f in CONTROL_FIELDS],
                *[(cid, "options") for cid in OPTION_CONTROLS], *[(gid, "hidden") for gid in CONTROL_GROUPS],
                ("view", "data"), *TIME_OUTPUTS)


def sync_values(vm: ViewModel, state: ViewState, notices: list[Notice], search: object, trigger: object,
                time_in: tuple) -> tuple[object, ...]:
    """The values of SYNC_OUTPUTS for a state (the address only when it changed)."""
    query = to_query(state)
    options = control_options(vm, state)
    hidden = hidden_groups(state, options)
    return (no_update if (search or "") == query else query, *[getattr(state, f) for f in CONTROL_FIELDS],
            *[options[c] for c in OPTION_CONTROLS], *[hidden[g] for g in CONTROL_GROUPS],
            view_data(state, notices), *time_outputs(state, options, trigger, time_in))


def register(app: dash.Dash, vm: ViewModel) -> None:
    control_ids = [f"ctl-{f}" for f in CONTROL_FIELDS]

    # The first view is drawn by the layout itself (dashboard.page.layout.serve_layout): these callbacks run only
    # on user interaction and on back/forward, hence prevent_initial_call.
    @app.callback(
        *[Output(c, p) for c, p in SYNC_OUTPUTS],
        Input("url", "search"), *[Input(cid, "value") for cid in control_ids],
        Input("choropleth", "clickData"),
        *[Input(c, p) for c, p in TIME_INPUTS[:-1]], State(*TIME_INPUTS[-1]),  # slider, Play, timer
        State("default-lang", "data"),
        prevent_initial_call=True,
    )
    def sync(search: object, *args: object) -> tuple[object, ...]:
        values, click, default_lang = args[:len(control_ids)], args[len(control_ids)], args[-1]
        controls = dict(zip(CONTROL_FIELDS, values, strict=True))
        time_in = args[len(control_ids) + 1:-1]
        controls = timed_controls(vm, ctx.triggered_id, controls, *time_in)
        trigger = ctx.triggered_id if ctx.triggered_id in ("url", "choropleth") else (
            None if ctx.triggered_id is None else "control")
        state, notices = sync_state(vm, trigger, search, controls, click, default_lang)
        return sync_values(vm, state, notices, search, ctx.triggered_id, time_in)

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
        Output("notices", "children"), Output("map", "viewport"),
        Output({"type": "i18n", "key": ALL}, "children"),
        Output("basemap-note", "children"), Output("upload-hint", "children"), Output("root", "lang"),
        *[Output(cid, "placeholder") for cid in PLACEHOLDERS],  # every dropdown's, in the new language
        # two dates side by side: the second map made or removed, else restyled (patterns: none when absent)
        Output("map2-slot", "children"), Output("mapwrap", "className"), Output("map1-caption", "children"),
        Output("map1-caption", "hidden"), Output({"type": "twomap-layer", "n": ALL}, "url"),
        Output({"type": "twomap-layer", "n": ALL}, "hideout"), Output({"type": "twomap-caption", "n": ALL}, "children"),
        Input("view", "data"), State("choropleth", "url"), State("context", "url"),
        State({"type": "i18n", "key": ALL}, "id"), State({"type": "twomap-layer", "n": ALL}, "url"),
        State("upload-store", "data"), prevent_initial_call=True,
    )
    def draw(view: object, choropleth_url: object, context_url: object, label_ids: object, second_urls: object,
             upload_ref: object) -> tuple[object, ...]:
        checked = checked_view(vm, view)
        if checked is None:
            return (no_update,) * (12 + len(PLACEHOLDERS) + 7)
        state, notices = checked
        shown = views.render(vm, state, notices)
        new_url, ctx_url = shown.choropleth.url, shown.context.url
        second = views.second_map(vm, state)
        # A new layer is framed; a restyle of the same layer leaves the map where the user moved it. The map
        # is framed again when the second map goes (its width doubles); a second map that comes is framed on
        # the city at its half width and the first takes its view (assets/qala.js).
        moved = new_url != choropleth_url or (second is None and bool(second_urls))
        bounds = {"bounds": shown.bounds, "transition": "fitBounds"} if moved else no_update
        lang = state.lang
        labels = [_label(i, lang) for i in (label_ids if isinstance(label_ids, list) else [])]
        hideout, points = shown.choropleth.style.hideout(), list(shown.points)
        if upload.shown_upload(upload_ref) is not None:  # the upload replaces the base layer while shown
            hideout, points = {**hideout, **upload.HIDDEN_BASE}, []
        return (no_update if new_url == choropleth_url else new_url, hideout,
                no_update if ctx_url == context_url else ctx_url, shown.context.style.hideout(),
                points,
                shown.panel, shown.notice_divs, bounds, labels, t("basemap_unavailable", lang),
                t("upload_hint", lang, mb=UPLOAD_LIMIT_MB), lang, *[t(key, lang) for key in PLACEHOLDERS.values()],
                *second_outputs(second, second_urls, lang))

    @app.callback(Output("download", "data"), Input("dl-geojson", "n_clicks"), Input("dl-csv", "n_clicks"),
                  State("view", "data"), prevent_initial_call=True)
    def download(_g: object, _c: object, view: object) -> object:
        checked = checked_view(vm, view)
        if checked is None:
            return no_update
        state = checked[0]
        frame = views.export_frame(vm, views.export_table(vm, state))
        what = f"{state.dataset}_{state.item}" if state.dataset else state.indicator or state.category
        stem = f"qala_{state.layer}_{state.city}_{what}".replace(" ", "_")
        return views.download_data(frame, stem, "csv" if ctx.triggered_id == "dl-csv" else "geojson")

    upload.register(app, vm)
