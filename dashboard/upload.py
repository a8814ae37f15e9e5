"""A researcher's own file dropped on the page: checked, joined with ``geo.join.pipeline.join_user_data``,
mapped.

The upload is size-checked before it is decoded and kept in memory only (an anonymous memory file, never
a temporary folder on disk: a worker killed during a join leaves nothing behind; old ``qala-upload-*``
folders of earlier versions are swept at start). At most ``QALA_UPLOAD_SLOTS`` joins run at once per worker; another
upload is answered "busy, try again in a moment" at once instead of queueing, so map requests stay fast, and
memory is given back after each join. The joined district table (no geometry, no input rows) stays on the
server (:class:`ResultStore`, bounded and expiring); the browser holds only its random id, so nothing the
browser sends back is ever classified or drawn unchecked. The map draws it on the boundary layer the server
already serves for that vintage, coloured through ``hideout`` like every other choropleth. City "auto" joins
every city of the file (a city column, or where each point lies); the map draws the shown city's districts
when the result has them. Columns named like score items (q1, вопрос2: ``geo.io.userfile.SCORE_NAME``) are
scored with inferred scales: the table and the map's labels show each district's mean with n and its 95%
interval, or say (in the page's language) that it is suppressed below the survey threshold. Downloads rebuild
the joined districts with their full-precision boundaries from the built layer. Every string from the file
(its name, set-aside values, reasons) reaches the page as text, never as markup.
"""

from __future__ import annotations

import base64
import binascii
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import dash
import geopandas as gpd
import pandas as pd
from dash import Input, Output, State, ctx, html, no_update

from dashboard.classify import DEFAULT_K, K_CHOICES, NO_DATA_COLOR, PALETTES, classify, palette
from dashboard.controls import checked_view
from dashboard.i18n import t
from dashboard.joinmessages import message_text, message_view
from dashboard.panels import flags_view, source_view
from dashboard.records import clean_cell
from dashboard.uploadcells import (
    BASE_MEASURES,
    fmt_measure,
    hidden_by_release,
    measure_cell,
    measure_label,
    row_name,
    score_cell,
)
from dashboard.uploadkeep import RESULTS, SLOTS, in_memory_file, join_elsewhere, release_memory
from dashboard.viewmodel import ViewModel
from dashboard.views import download_data
from dashboard.views.base import geo_url
from geo.errors import QalaError
from geo.settings import CITIES, survey_min_n, upload_limit_mb

if TYPE_CHECKING:
    from geo.join.pipeline import JoinResult

UPLOAD_LIMIT_MB = upload_limit_mb()
UPLOAD_LIMIT_BYTES = UPLOAD_LIMIT_MB * 1024 * 1024
ACCEPTED = (".csv", ".geojson", ".json")
UPLOAD_CITIES = ("auto", *CITIES)
SET_ASIDE_CHARS = 200  # a set-aside value is shown (and kept) up to this length, then cut with "…"
SET_ASIDE_SHOWN = 100  # rows of the set-aside report kept for the page; the count always says how many in all
# Natural breaks: an upload's counts are mostly small integers with many ties (zeros), which quantiles would
# fold into one class; Fisher-Jenks keeps distinct values apart up to k classes.
UPLOAD_SCHEME = "fisher_jenks"
_log = logging.getLogger(__name__)


class UploadRejected(Exception):
    """An upload the page refuses before joining: carries the i18n key and its fields."""

    def __init__(self, key: str, **fields: object) -> None:
        super().__init__(key)
        self.key, self.fields = key, fields


def decoded_size(b64: str) -> int:
    """Bytes a base64 text decodes to, computed without decoding it."""
    body = b64.strip()
    return len(body) * 3 // 4 - (2 if body.endswith("==") else 1 if body.endswith("=") else 0)


def decode_upload(contents: str, filename: str, limit: int = UPLOAD_LIMIT_BYTES) -> bytes:
    """The raw bytes of a ``dcc.Upload`` data URL, after the type and size checks (size first, undecoded)."""
    if Path(filename).suffix.lower() not in ACCEPTED:
        raise UploadRejected("upload_bad_type")
    head, sep, body = contents.partition(",")
    if not sep or ";base64" not in head:
        raise UploadRejected("upload_bad_type")
    if decoded_size(body) > limit:
        raise UploadRejected("upload_too_big", mb=f"{limit / 2**20:.3g}")
    try:
        raw = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise UploadRejected("upload_bad_type") from None
    if not raw:
        raise UploadRejected("upload_empty")
    return raw


def _plain(value):
    """A JSON-safe cell that keeps blank text (a data value, not a gap)."""
    return clean_cell(value, blank_is_missing=False)


def _shown(value):
    """A set-aside cell as kept for the page: long text cut (it is a hint of what the row held)."""
    value = _plain(value)
    if isinstance(value, str) and len(value) > SET_ASIDE_CHARS:
        return value[:SET_ASIDE_CHARS] + "…"
    return value


def result_store(result: JoinResult, filename: str) -> dict:
    """What the page keeps of a ``JoinResult``: district rows without geometry, the report, the labels."""
    table = pd.DataFrame(result.districts.drop(columns=result.districts.geometry.name))
    rows = [{k: _plain(v) for k, v in row.items()} for row in table.to_dict("records")]
    measures = [m for m in BASE_MEASURES if m in table.columns]
    measures += [c for c in table.columns if c.startswith("lq_")]
    items = [c[:-5] for c in table.columns if c.endswith("_mean") and {f"{c[:-5]}_n", f"{c[:-5]}_ci_low"}
             <= set(table.columns)]
    measures += [f"{item}_mean" for item in items]
    vintages = dict(zip(table["city"], table["vintage"], strict=True)) if "city" in table else {}
    joined = result.assigned["city"].value_counts() if "city" in result.assigned else pd.Series(dtype=int)
    city = str(joined.index[0]) if len(vintages) > 1 and len(joined) else result.city
    set_aside = [{k: _shown(v) for k, v in row.items()} for row in result.set_aside.head(SET_ASIDE_SHOWN)
                 .to_dict("records")]
    report = result.report or {}
    return {"filename": filename, "city": city, "vintage": vintages.get(city, result.vintage),
            "vintages": vintages, "scores": items, "synthetic": bool(result.synthetic), "min_n": survey_min_n(),
            "columns": list(table.columns), "rows": rows, "measures": measures,
            "input_rows": int(report.get("input_rows", len(result.assigned) + len(result.set_aside))),
            "joined_rows": len(result.assigned), "set_aside_rows": len(result.set_aside),
            "set_aside": set_aside, "notes": [str(n) for n in report.get("notes", [])]}


def handle_upload(contents: str | None, filename: str | None, lang: str, city: str | None = None,
                  limit: int = UPLOAD_LIMIT_BYTES) -> tuple[str, dict | None]:
    """One line for the page and the joined result's store (None when the upload could not be used)."""
    if not isinstance(contents, str) or not isinstance(filename, str) or not contents or not filename:
        return "", None
    name = Path(filename).name[:200]
    try:
        raw = decode_upload(contents, name, limit)
    except UploadRejected as exc:
        return t(exc.key, lang, **exc.fields), None
    outcome, payload = join_elsewhere(raw, name, city if city in UPLOAD_CITIES[1:] else None)
    del raw
    release_memory(collect=False)
    if outcome == "error":
        return message_text(str(payload), lang), None  # the join's English line, in the page's language
    if outcome != "ok":
        return t("upload_failed", lang), None
    store = payload
    return t("upload_done", lang, matched=store["joined_rows"], unmatched=store["set_aside_rows"]), store


def join_in_child(raw: bytes, name: str, city: str | None) -> tuple[str, object]:
    """The join of one upload, run in a child process (see :func:`dashboard.uploadkeep.join_elsewhere`):
    ("ok", the page's store), ("error", the one-line reason) or ("failed", None). Only the district totals and
    the set-aside reasons come back; the rows stay in the child, which ends after this one join."""
    from geo.join.pipeline import join_user_data

    try:
        with in_memory_file(raw) as path:
            del raw
            try:
                result = join_user_data(path, city=city, h3_res=(), name=name, auto_scores=True,
                                        min_n=survey_min_n())  # every upload passes the release gate
            except QalaError as exc:
                return "error", str(exc).replace(str(path), name).splitlines()[0]
        return "ok", result_store(result, name)
    except Exception:  # noqa: BLE001 -- an unreadable upload must not become a server error page
        _log.exception("upload %r could not be joined", name)
        return "failed", None


# ------------------------------------------------------------------------------------------- view


def upload_view(store: dict, measure: str, lang: str, k: int, palette_name: str) -> tuple[dict, list]:
    """The map hideout and the panel of a joined upload for one measure and classification."""
    if measure not in store["measures"]:
        measure = store["measures"][0]
    values = {str(r["district_id"]): r.get(measure) for r in store["rows"]}
    cls = classify(values, UPLOAD_SCHEME, k)
    colors = palette(palette_name, max(1, cls.k_used))
    synthetic = t("synthetic_label", lang) + " · " if store["synthetic"] else ""
    min_n, item = int(store.get("min_n") or survey_min_n()), measure[:-5]
    scored = item in store.get("scores", [])  # a score item's label carries its n and interval, or why none
    labels = {str(r["district_id"]): f"{synthetic}{measure_label(measure, lang)}: " + (
        score_cell(r, item, lang, min_n) if scored else measure_cell(r, measure, lang, min_n))
        for r in store["rows"]}
    hideout = {"classes": cls.class_of, "colors": colors, "labels": labels, "lang": lang,
               "nodata": NO_DATA_COLOR,
               "opacity": 0.85}
    body: list = []
    if store["synthetic"]:
        body.append(html.P(t("synthetic_note", lang), className="synthetic", id="upload-synthetic"))
    body.append(html.P(t("upload_counts", lang, input=store["input_rows"], joined=store["joined_rows"],
                         aside=store["set_aside_rows"], city=t(store["city"], lang),
                         vintage=store["vintage"]),
                       id="upload-counts"))
    legend = []  # each class as the range of the values it holds: few, tied values read better than bin edges
    for index, color in enumerate(colors):
        held = sorted(v for d, v in values.items() if cls.class_of.get(d) == index)
        if held:
            low, high = fmt_measure(held[0], measure, lang), fmt_measure(held[-1], measure, lang)
            legend.append(html.Li([html.Span(className="swatch", style={"background": color}),
                                   low if low == high else f"{low} – {high}",
                                   html.Span(f" ({len(held)})", className="small")]))
    hidden = {str(r["district_id"]) for r in store["rows"]
              if (r.get(f"{item}_suppressed") if scored else hidden_by_release(r, measure))}
    if hidden:
        legend.append(html.Li([html.Span(className="swatch nodata", style={"background": NO_DATA_COLOR}),
                               t("upload_suppressed", lang, n=min_n)], id="upload-legend-suppressed"))
    if any(v is None and d not in hidden for d, v in values.items()):
        legend.append(html.Li([html.Span(className="swatch nodata", style={"background": NO_DATA_COLOR}),
                               t("no_data", lang)]))
    body.append(html.P(f"{t('legend', lang)} · {t('scheme_' + UPLOAD_SCHEME, lang)}", className="small"))
    body.append(html.Ul(legend, className="legend-list", id="upload-legend"))
    head = html.Thead(html.Tr([html.Th(t("district", lang), scope="col"),
                               *[html.Th(t(f"col_{m}", lang), title=measure_label(m, lang), scope="col")
                                 for m in BASE_MEASURES],
                               *[html.Th(t("upload_score_head", lang, item=i), scope="col")
                                 for i in store.get("scores", [])]]))
    rows = []
    for r in sorted(store["rows"], key=lambda r: -(r.get("count") or 0)):
        rows.append(html.Tr([html.Th(row_name(r, lang), scope="row"),
                             *[html.Td(measure_cell(r, m, lang, min_n), className="num")
                               for m in BASE_MEASURES],
                             *[html.Td(score_cell(r, i, lang, min_n), className="num")
                               for i in store.get("scores", [])]]))
    body.append(html.Table([head, html.Tbody(rows)], className="table", id="upload-table"))
    population = next((r for r in store["rows"] if r.get("population_period")), None)
    if population:
        body.append(html.P([t("upload_population", lang, period=population["population_period"]), " ",
                            source_view(population.get("population_source"), lang), " ",
                            flags_view(str(population.get("population_confidence") or "").split(";")
                                       if population.get("population_confidence") else (), lang)],
                           className="small"))
    body.append(html.H3(t("set_aside_title", lang, n=store["set_aside_rows"])))
    if store["set_aside"]:
        aside = [html.Tr([html.Td(str(r.get("row")), className="num"),
                          html.Td(message_view(str(r["reason"]), lang) if r.get("reason") else ""),
                          html.Td("" if r.get("value") is None else str(r.get("value")))])
                 for r in store["set_aside"]]
        body.append(html.Table([html.Thead(html.Tr([html.Th(t("row", lang)), html.Th(t("reason", lang)),
                                                    html.Th(t("value", lang))])), html.Tbody(aside)],
                               className="table small", id="set-aside-table"))
        if store["set_aside_rows"] > len(store["set_aside"]):
            body.append(html.P(t("set_aside_more", lang, n=store["set_aside_rows"] - len(store["set_aside"])),
                               className="small"))
    else:
        body.append(html.P(t("set_aside_none", lang), className="small"))
    if store["notes"]:
        body.append(html.Details([html.Summary(t("note", lang)),
                                  html.Ul([html.Li(message_view(n, lang)) for n in store["notes"]])]))
    return hideout, body


def joined_frame(store: dict) -> gpd.GeoDataFrame:
    """The joined districts again, with their full-precision boundaries from the built layer (EPSG:4326)."""
    from geo.store import load_districts

    vintages = store.get("vintages") or {store["city"]: store["vintage"]}
    shapes = pd.concat([load_districts(vintage=v).set_index("district_id").geometry for v in vintages.values()])
    frame = pd.DataFrame(store["rows"], columns=store["columns"])
    geometry = [shapes.get(str(d)) for d in frame["district_id"]]
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")


# ------------------------------------------------------------------------------------------- callbacks


def register(app: dash.Dash, vm: ViewModel) -> None:
    """Upload -> store; store + measure + view -> map layer and panel; download and clear buttons."""

    @app.callback(Output("upload-result", "children"), Output("upload-store", "data"),
                  Output("upload", "contents"), Output("ctl-city", "value", allow_duplicate=True),
                  Input("upload", "contents"), State("upload", "filename"), State("upload-city", "value"),
                  State("view", "data"), State("ctl-city", "value"), prevent_initial_call=True)
    def upload(contents, filename, city, view, shown_city):
        checked = checked_view(vm, view)
        lang = checked[0].lang if checked else "en"
        if not isinstance(contents, str) or not contents:
            return "", no_update, None, no_update
        if not SLOTS.acquire():
            return t("upload_busy", lang), no_update, None, no_update
        try:
            message, store = handle_upload(contents, filename, lang, city if isinstance(city, str) else None)
        finally:
            SLOTS.release()
        key = RESULTS.put(store) if store else None
        if store and key is None:
            message = t("upload_failed", lang)
        # The joined districts are the upload's city: the City control follows, so the page never shows one
        # city's districts under another city's name.
        switch = store["city"] if key and store.get("city") and store["city"] != shown_city else no_update
        return message, ({"id": key} if key else no_update), None, switch

    @app.callback(Output("upload-store", "data", allow_duplicate=True), Output("upload-result", "children",
                                                                               allow_duplicate=True),
                  Input("upload-clear", "n_clicks"), prevent_initial_call=True)
    def clear(_n):
        return None, ""

    @app.callback(Output("userlayer", "url"), Output("userlayer", "hideout"), Output("upload-body",
                                                                                     "children"),
                  Output("upload-title", "children"), Output("upload-measure", "options"),
                  Output("upload-panel", "hidden"), Output("map", "viewport", allow_duplicate=True),
                  Output("upload-city", "options"),
                  Input("upload-store", "data"), Input("upload-measure", "value"), Input("view", "data"),
                  prevent_initial_call=True)
    def draw_upload(ref, measure, view):
        checked = checked_view(vm, view)
        state = checked[0] if checked else None
        lang = state.lang if state else "en"
        cities = [{"label": t("upload_city_auto" if c == "auto" else c, lang),
                   "value": c} for c in UPLOAD_CITIES]
        empty = geo_url(vm, "empty"), {"classes": {}, "colors": []}
        if not ref:
            return *empty, [], "", [], True, no_update, cities
        store = RESULTS.get(ref.get("id") if isinstance(ref, dict) else None)
        if store is None:  # expired, unknown or forged id: nothing to draw, and the page says why
            notice = html.P(t("upload_expired", lang), className="caveat", id="upload-expired", role="alert")
            return *empty, [notice], "", [], False, no_update, cities
        k = state.k if state and state.k in K_CHOICES else DEFAULT_K
        pal = state.palette if state and state.palette in PALETTES else "viridis"
        hideout, body = upload_view(store, measure if isinstance(measure, str) else "count", lang, k, pal)
        vintages = store.get("vintages") or {}
        shown = state.city if state and state.city in vintages else store["city"]
        layer = f"v-{vintages.get(shown, store['vintage'])}"
        url = geo_url(vm, layer) if layer in vm.geo else geo_url(vm, "empty")
        if layer not in vm.geo:
            body.insert(0, html.P(t("boundaries_missing", lang), className="caveat"))
        if state and state.city != store["city"] and state.city not in vintages:
            body.insert(0, html.P(t("upload_other_city", lang, city=t(store["city"], lang),
                                    shown=t(state.city, lang)), className="caveat",
                                  id="upload-other-city"))
        viewport = no_update
        if ctx.triggered_id == "upload-store":
            box = vm.geo["cities"].feature_bounds.get(shown) or (
                vm.geo[layer].bounds if layer in vm.geo else None)
            if box:
                viewport = {"bounds": [[box[1], box[0]], [box[3], box[2]]], "transition": "fitBounds"}
        title = f"{t('upload_title', lang)}: {store['filename']}"
        options = [{"label": measure_label(m, lang), "value": m} for m in store["measures"]]
        return url, hideout, body, title, options, False, viewport, cities

    @app.callback(Output("upload-download", "data"), Input("upload-dl-geojson", "n_clicks"),
                  Input("upload-dl-csv", "n_clicks"), State("upload-store", "data"),
                  prevent_initial_call=True)
    def download(_g, _c, ref):
        store = RESULTS.get(ref.get("id") if isinstance(ref, dict) else None)
        if store is None:
            return no_update
        frame = joined_frame(store)
        stem = f"{Path(store['filename']).stem}_joined_{store['vintage']}"
        return download_data(frame, stem, "csv" if ctx.triggered_id == "upload-dl-csv" else "geojson")
