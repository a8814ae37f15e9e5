"""A researcher's own file dropped on the page: recognised, confirmed in a column form, joined through the same
join and release gate as ``qala join`` (``geo.api``), mapped, and handed back as a bundle to publish.

Two steps, each in its own child process (``dashboard.upload.child.run_in_child``: ended at its deadline, a dead
one never poisons the next): the drop reads the file and proposes its columns (``dashboard.upload.form``); "Join"
runs the join the form describes (``geo.join.spec.JoinSpec``). The file stays in the browser between the two
(the upload component keeps it), never on the server's disk: each child gets it as an anonymous memory file.
At most ``QALA_UPLOAD_SLOTS`` children run at once per worker; another upload is answered "busy" at once.

The joined districts (released figures only, no geometry, no input rows beyond the first set-aside ones shown
to their owner) stay on the server (``ResultStore``, bounded per browser session and in all, expiring); the
browser holds only random ids, so nothing it sends back is drawn unchecked. While shown, the upload replaces the
base layer on the map. Every string from the file reaches the page as text, never as markup.
"""

from __future__ import annotations

import base64
import binascii
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dash
from dash import Input, Output, State, ctx, dcc, html, no_update

from dashboard.classify import DEFAULT_K, K_CHOICES, PALETTES
from dashboard.controls.sync import checked_view
from dashboard.i18n import t
from dashboard.state.records import vintage_layer
from dashboard.state.viewmodel import ViewModel
from dashboard.upload.cells import measure_label
from dashboard.upload.child import run_in_child
from dashboard.upload.form import ROLES, form_outputs, role_id, spec_choices
from dashboard.upload.job import join_in_child, recognise_in_child
from dashboard.upload.keep import RESULTS, SLOTS, release_memory, upload_owner
from dashboard.upload.messages import message_text
from dashboard.upload.view import joined_frame, upload_view
from dashboard.views import download_data, geo_url
from geo.settings import CITIES, upload_limit_mb

if TYPE_CHECKING:
    pass

UPLOAD_LIMIT_MB = upload_limit_mb()
UPLOAD_LIMIT_BYTES = UPLOAD_LIMIT_MB * 1024 * 1024
ACCEPTED = (".csv", ".tsv", ".txt", ".geojson", ".json", ".xlsx", ".sav", ".dta")
UPLOAD_CITIES = ("auto", *CITIES)
HIDDEN_BASE = {"hidden": True, "nolabels": True}  # the base layer's hideout while an upload replaces it
_log = logging.getLogger(__name__)


class UploadRejected(Exception):
    """An upload the page refuses before reading it: carries the i18n key and its fields."""

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


def _in_child(fn: Any, *args: Any) -> tuple[str, object]:
    """``fn`` in a child within one of this worker's upload slots, or ("busy", None) when none is free."""
    if not SLOTS.acquire():
        return "busy", None
    try:
        return run_in_child(fn, *args)
    finally:
        SLOTS.release()
        release_memory(collect=False)


def outcome_text(outcome: str, payload: object, lang: str) -> str:
    """The page's line for a child's outcome that is not "ok"."""
    if outcome == "error":
        return message_text(str(payload), lang)  # the join's English line, in the page's language
    return t({"busy": "upload_busy", "timeout": "upload_timeout"}.get(outcome, "upload_failed"), lang)


def _child_step(contents: object, filename: object, lang: str, fn: Any, *args: Any,
                limit: int = UPLOAD_LIMIT_BYTES) -> tuple[str, dict | None]:
    """One step of an upload: the data URL checked and decoded, ``fn(raw, name, *args)`` run in a child; the
    page's line when it did not work, else ("", its payload)."""
    if not isinstance(contents, str) or not isinstance(filename, str) or not contents or not filename:
        return "", None
    name = Path(filename).name[:200]
    try:
        raw = decode_upload(contents, name, limit)
    except UploadRejected as exc:
        return t(exc.key, lang, **exc.fields), None
    outcome, payload = _in_child(fn, raw, name, *args)
    del raw
    if outcome != "ok" or not isinstance(payload, dict):
        return outcome_text(outcome, payload, lang), None
    return "", payload


def handle_upload(contents: object, filename: object, lang: str, choices: dict | None = None,
                  owner: str | None = None, limit: int = UPLOAD_LIMIT_BYTES) -> tuple[str, dict | None]:
    """Join a dropped file as ``choices`` say (without a form: the columns found by name, items named like
    q1): one line for the page and the store (None when the upload could not be used); its result bundle is
    kept for ``owner``'s session, under the id ``store["bundle"]``."""
    message, payload = _child_step(contents, filename, lang, join_in_child,
                                   choices if choices is not None else {"auto_scores": True}, limit=limit)
    if payload is None:
        return message, None
    store = payload["store"]
    store["bundle"] = RESULTS.put({"zip": base64.b64encode(payload["bundle"]).decode("ascii")},
                                  owner=owner or upload_owner())
    return t("upload_done", lang, matched=store["joined_rows"], unmatched=store["set_aside_rows"]), store


def recognise_upload(contents: object, filename: object, lang: str, sheet: object = None,
                     limit: int = UPLOAD_LIMIT_BYTES) -> tuple[str, dict | None]:
    """Read a dropped file's columns: one line for the page and the proposal (None when unusable)."""
    chosen = sheet if isinstance(sheet, str) else None
    message, found = _child_step(contents, filename, lang, recognise_in_child, chosen, limit=limit)
    if found is None:
        return message, None
    found.setdefault("sheet", chosen)
    return t("form_check", lang), found


# ------------------------------------------------------------------------------------------- callbacks


def _lang(vm: ViewModel, view: object) -> str:
    checked = checked_view(vm, view)
    return checked[0].lang if checked else "en"


FORM_OUTPUTS = (Output("upload-form", "hidden"), Output("upload-form-summary", "children"),
                *[Output(role_id(r), p) for r in ROLES for p in ("options", "value")],
                Output("upload-scores", "options"), Output("upload-scores", "value"),
                Output("upload-left-out", "children"), Output("upload-preview", "children"),
                Output("upload-sheet", "options"), Output("upload-sheet", "value"),
                Output("upload-sheet-box", "hidden"), Output("upload-recognised", "data"))


def _form(found: dict | None, filename: str, lang: str) -> tuple:
    if found is None:
        return (True, *[no_update] * (len(FORM_OUTPUTS) - 1))
    out = form_outputs(found, filename, lang)
    roles = [v for r in ROLES for v in out["roles"][r]]
    return (False, out["summary"], *roles, *out["scores"], out["left_out"], out["preview"], *out["sheets"],
            out["recognised"])


def register(app: dash.Dash, vm: ViewModel) -> None:
    """Drop -> column form; Join -> store; store + measure + view -> map layer and panel; downloads; clear."""

    @app.callback(Output("upload-result", "children"), *FORM_OUTPUTS,
                  Input("upload", "contents"), Input("upload-sheet", "value"), State("upload", "filename"),
                  State("view", "data"), prevent_initial_call=True)
    def recognise(contents: object, sheet: object, filename: object, view: object) -> tuple[object, ...]:
        lang = _lang(vm, view)
        if not isinstance(contents, str) or not contents:
            return "", *_form(None, "", lang)
        message, found = recognise_upload(contents, filename, lang,
                                          sheet if ctx.triggered_id == "upload-sheet" else None)
        return message, *_form(found, str(filename), lang)

    @app.callback(Output("upload-result", "children", allow_duplicate=True), Output("upload-store", "data"),
                  Output("upload", "contents"), Output("ctl-city", "value", allow_duplicate=True),
                  Output("upload-form", "hidden", allow_duplicate=True), Output("upload-measure", "value"),
                  Input("upload-join", "n_clicks"), State("upload", "contents"), State("upload", "filename"),
                  *[State(role_id(r), "value") for r in ROLES], State("upload-scores", "value"),
                  State("upload-recognised", "data"), State("upload-city", "value"), State("upload-sheet", "value"),
                  State("view", "data"), State("ctl-city", "value"), prevent_initial_call=True)
    def join(_n: object, contents: object, filename: object, *form: object) -> tuple[object, ...]:
        roles = dict(zip(ROLES, form[:len(ROLES)], strict=True))
        items, recognised, city, sheet, view, shown_city = form[len(ROLES):]
        lang = _lang(vm, view)
        if not isinstance(contents, str) or not contents:
            return t("upload_again", lang), no_update, no_update, no_update, no_update, no_update
        owner = upload_owner()
        message, store = handle_upload(contents, filename, lang, spec_choices(roles, items, recognised, city, sheet),
                                       owner)
        key = RESULTS.put(store, owner=owner) if store else None
        if store is None or key is None:
            return (message if store is None else t("upload_failed", lang), no_update, no_update, no_update, False,
                    no_update)
        # The map shows the upload's city with the most rows: the City control follows, so the page never shows
        # one city's districts under another city's name.
        switch = store["city"] if store["city"] != shown_city and shown_city not in store["vintages"] else no_update
        return message, {"id": key}, None, switch, True, store["measures"][0]

    @app.callback(Output("upload-store", "data", allow_duplicate=True),
                  Output("upload-result", "children", allow_duplicate=True),
                  Output("upload-form", "hidden", allow_duplicate=True),
                  Output("upload", "contents", allow_duplicate=True),
                  Input("upload-clear", "n_clicks"), prevent_initial_call=True)
    def clear(_n: object) -> tuple[object, ...]:
        return None, "", True, None

    @app.callback(Output("userlayer", "url"), Output("userlayer", "hideout"), Output("upload-body", "children"),
                  Output("upload-title", "children"), Output("upload-measure", "options"),
                  Output("upload-panel", "hidden"), Output("map", "viewport", allow_duplicate=True),
                  Output("upload-city", "options"), Output("choropleth", "hideout", allow_duplicate=True),
                  Output("points", "children", allow_duplicate=True),
                  Input("upload-store", "data"), Input("upload-measure", "value"), Input("view", "data"),
                  prevent_initial_call=True)
    def draw_upload(ref: object, measure: object, view: object) -> tuple[object, ...]:
        checked = checked_view(vm, view)
        state = checked[0] if checked else None
        lang = state.lang if state else "en"
        cities = [{"label": t("upload_city_auto" if c == "auto" else c, lang), "value": c} for c in UPLOAD_CITIES]
        empty: tuple[str | None, dict[str, object]] = geo_url(vm, "empty"), {"classes": {}, "colors": []}
        store = shown_upload(ref)
        base = base_layers(vm, checked, hidden=store is not None)
        if not ref:
            return *empty, [], "", [], True, no_update, cities, *base
        if store is None:  # expired, unknown or forged id: nothing to draw, and the page says why
            notice = html.P(t("upload_expired", lang), className="caveat", id="upload-expired", role="alert")
            return *empty, [notice], "", [], False, no_update, cities, *base
        vintages = store.get("vintages") or {}
        shown = state.city if state and state.city in vintages else store["city"]
        k = state.k if state and state.k in K_CHOICES else DEFAULT_K
        pal = state.palette if state and state.palette in PALETTES else "viridis"
        hideout, body = upload_view(store, measure if isinstance(measure, str) else "", lang, k, pal, shown,
                                    lambda period: vm.period_label(shown, "population", period, lang))
        layer = vintage_layer(vintages.get(shown, store['vintage']))
        url = geo_url(vm, layer) if layer in vm.geo else geo_url(vm, "empty")
        if layer not in vm.geo:
            body.insert(0, html.P(t("boundaries_missing", lang), className="caveat"))
        if state and state.city not in vintages:
            body.insert(0, html.P(t("upload_other_city", lang, city=t(store["city"], lang),
                                    shown=t(state.city, lang)), className="caveat", id="upload-other-city"))
        viewport: object = no_update
        if ctx.triggered_id == "upload-store":
            box = vm.geo["cities"].feature_bounds.get(shown) or (vm.geo[layer].bounds if layer in vm.geo else None)
            if box:
                viewport = {"bounds": [[box[1], box[0]], [box[3], box[2]]], "transition": "fitBounds"}
        title = f"{t('upload_title', lang)}: {store['filename']}"
        options = [{"label": measure_label(m, lang), "value": m} for m in store["measures"]]
        return url, hideout, body, title, options, False, viewport, cities, *base

    @app.callback(Output("upload-download", "data"), Input("upload-dl-geojson", "n_clicks"),
                  Input("upload-dl-csv", "n_clicks"), Input("upload-dl-zip", "n_clicks"),
                  State("upload-store", "data"), prevent_initial_call=True)
    def download(_g: object, _c: object, _z: object, ref: object) -> object:
        store = RESULTS.get(ref.get("id") if isinstance(ref, dict) else None)
        if store is None:
            return no_update
        stem = f"{Path(store['filename']).stem}_joined"
        if ctx.triggered_id == "upload-dl-zip":
            packed = RESULTS.get(store.get("bundle"))
            if packed is None or not isinstance(packed.get("zip"), str):
                return no_update
            return dcc.send_bytes(base64.b64decode(packed["zip"]), f"{stem}.zip")
        return download_data(joined_frame(store), stem, "csv" if ctx.triggered_id == "upload-dl-csv" else "geojson")


def shown_upload(ref: object) -> dict | None:
    """The joined upload a page's store refers to, if it is still kept (the one test of "an upload is
    shown", for the base layer's callbacks and the upload's alike)."""
    return RESULTS.get(ref.get("id") if isinstance(ref, dict) else None)


def base_layers(vm: ViewModel, checked: Any, hidden: bool) -> tuple[Any, Any]:
    """The base layer's style and points while an upload is shown (``hidden``: nothing drawn, no labels, no
    points, so the uploaded colours are the only ones on the map) or after it is removed (the view's own)."""
    if checked is None:
        return no_update, no_update
    from dashboard import views

    shown = views.render(vm, *checked)
    hideout = shown.choropleth.style.hideout()
    return ({**hideout, **HIDDEN_BASE}, []) if hidden else (hideout, list(shown.points))
