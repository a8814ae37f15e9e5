"""The Qala Atlas dashboard: an app factory. ``make run`` starts
``gunicorn -c dashboard/gunicorn_conf.py 'dashboard.app:create_server()'``.

Importing this module does no work: :func:`create_app` loads the view model (once: under ``--preload`` in the
gunicorn master, before the workers fork), and a missing build stops the start with one line telling to run
``make data``. GeoJSON layers are served by URL (gzip, cached by their etag) so the page itself stays small
and colour changes never resend geometry.

Hardened (loopback security and fault test): every response carries a Content-Security-Policy (scripts only
from the app itself plus the hashes of Dash's two inline scripts; no 'unsafe-eval': the page was checked in
Chromium without it), X-Frame-Options and X-Content-Type-Options; a malformed callback request is a 400, not a
traceback; a big upload arriving while every upload slot of the worker is busy is answered "busy" without
being read into memory; every log message is capped (QALA_LOG_LINE); the gzip of the GeoJSON route honours
q-values.

First map fast: the layout is drawn for the link being opened (see dashboard.page.layout), and the page's HTML
asks the browser to preload that view's GeoJSON and the lazily loaded component chunks while the JS bundles
are still being evaluated.
"""

from __future__ import annotations

import html
import logging
import os
import sys
from typing import Any
from urllib.parse import urlsplit

import dash
import flask
from dash.exceptions import DashException

from dashboard.brief import routes as brief_routes
from dashboard.i18n import pick_language, t
from dashboard.page import disclosure
from dashboard.page.callbacks import register
from dashboard.page.layout import page_search, serve_layout
from dashboard.state.viewmodel import ViewModel
from dashboard.upload.callbacks import UPLOAD_LIMIT_BYTES
from dashboard.upload.keep import SLOTS, release_memory, sweep_stale_uploads
from dashboard.views import first_view
from geo.errors import QalaError
from geo.settings import dashboard_host, dashboard_port, log_line_limit, tiles_url

# Component chunks Dash loads only once the layout is rendered (dropdowns, upload, GeoJSON): fetched early.
LAZY_CHUNKS = ("dash/dcc/async-dropdown.js", "dash/dcc/async-upload.js", "dash_leaflet/async-GeoJSON.js")


def load_view_model() -> ViewModel:
    """The view model of the build; a missing or older build ends the process with one line (exit 2)."""
    try:
        return ViewModel.load()
    except (QalaError, OSError, ValueError) as exc:  # a truncated parquet: pyarrow's ValueError/OSError
        text = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
        if "fix:" not in text and "make data" not in text:
            text = f"the built layers could not be read ({text}); fix: run `make data` (it rebuilds them)"
        print(f"qala dashboard: error: {text}", file=sys.stderr)
        raise SystemExit(2) from None


class QalaDash(dash.Dash):
    """Dash whose page preloads the GeoJSON of the view the link opens."""

    vm: ViewModel | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Dash wraps its scripts in a <footer>: a second "contentinfo" landmark beside the page's own footer.
        self.index_string = self.index_string.replace("<footer>", "<div>", 1).replace("</footer>", "</div>", 1)

    def interpolate_index(self, metas: str = "", title: str = "", css: str = "", config: str = "",
                          scripts: str = "", app_entry: str = "", favicon: str = "", renderer: str = "") -> str:
        prefix = self.config.requests_pathname_prefix
        links = [f'<link rel="preload" as="script" href="{prefix}_dash-component-suites/{chunk}">'
                 for chunk in LAZY_CHUNKS]
        if self.vm is not None and flask.has_request_context():
            _, _, view = first_view(self.vm, page_search(), flask.request.headers.get("Accept-Language"))
            for url in (view.choropleth.url, view.context.url):
                if url:
                    links.append('<link rel="preload" as="fetch" crossorigin="anonymous" '
                                 f'href="{html.escape(url)}">')
        metas = f"{metas}\n      " + "\n      ".join(links)
        return super().interpolate_index(metas=metas, title=title, css=css, config=config, scripts=scripts,
                                         app_entry=app_entry, favicon=favicon, renderer=renderer)


def geo_response(vm: ViewModel, name: str) -> flask.Response:
    """A served GeoJSON layer: 304 when the browser holds its etag, gzip when accepted, cached for a day."""
    layer = vm.geo.get(name)
    if layer is None:
        flask.abort(404)
    if flask.request.if_none_match.contains(layer.etag):
        return flask.Response(status=304)
    gzip_ok = flask.request.accept_encodings["gzip"] > 0  # q-values honoured: "gzip;q=0" means no gzip
    response = flask.Response(layer.gz if gzip_ok else layer.raw, mimetype="application/geo+json")
    if gzip_ok:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.set_etag(layer.etag)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


BIG_BODY = 256 * 1024  # a callback request this big can only be an upload
CALLBACK_PATH = "/_dash-update-component"


def cap_log_messages(limit: int) -> None:
    """Cut every log message (and traceback) over ``limit`` characters, saying how much was cut: a forged
    request must not write megabytes into the log. Installed once per process as the log record factory."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "qala_cap", False):
        return

    def cut(text: str) -> str:
        kept = text[:limit]
        dropped = len(text.encode("utf-8", "replace")) - len(kept.encode("utf-8", "replace"))
        return f"{kept}… ({dropped} bytes cut)"

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 -- a record that cannot be formatted is left to logging's own report
            return record
        if len(message) > limit:
            record.msg, record.args = cut(message), None
        if record.exc_info and record.exc_info[0] is not None:
            trace = logging.Formatter().formatException(record.exc_info)
            if len(trace) > limit:
                record.exc_text = cut(trace)
        return record

    factory.qala_cap = True  # type: ignore[attr-defined]  # a marker on the function; mypy gives functions none
    logging.setLogRecordFactory(factory)


def content_security_policy(app: dash.Dash) -> str:
    """Scripts only from this server and Dash's own inline scripts (by hash); the basemap's tile host for
    images; nothing may frame the page."""
    tiles = urlsplit(tiles_url())
    web = tiles.scheme in ("http", "https") and tiles.netloc
    tile_origin = f" {tiles.scheme}://{tiles.netloc}" if web else ""
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' {' '.join(app.csp_hashes())}",
        "style-src 'self' 'unsafe-inline'",  # React sets style attributes; Leaflet and Plotly add <style>
        f"img-src 'self' data: blob:{tile_origin}",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def _bad_request(why: str) -> flask.Response:
    return flask.Response(f"bad callback request: {why}\n", status=400, mimetype="text/plain")


def check_callback_request(app: dash.Dash) -> flask.Response | None:
    """Before Dash sees a callback request: a big body (an upload) while every upload slot is busy is drained
    unread and answered "busy"; a body that is not a callback of this app is a 400 (never a 500 whose
    traceback would log the forged output name)."""
    request = flask.request
    if request.method != "POST" or not request.path.endswith(CALLBACK_PATH):
        return None
    if (request.content_length or 0) > BIG_BODY and SLOTS.free() <= 0:
        while request.stream.read(1 << 16):
            pass
        lang = pick_language(request.headers.get("Accept-Language"))
        return flask.jsonify({"multi": True, "response": {
            "upload-result": {"children": t("upload_busy", lang)}, "upload": {"contents": None}}})
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _bad_request("the body is not a JSON object")
    output = body.get("output")
    if not isinstance(output, str) or output not in app.callback_map:
        return _bad_request("unknown output")
    if not isinstance(body.get("inputs"), list) or not isinstance(body.get("state", []), list) \
            or not isinstance(body.get("outputs"), (list, dict)):
        return _bad_request("inputs, state and outputs must be lists")
    return None


def harden(app: dash.Dash) -> None:
    """Security headers, callback request checks, log caps, memory given back after big requests."""
    cap_log_messages(log_line_limit())
    server = app.server
    policy = content_security_policy(app)
    server.before_request(lambda: check_callback_request(app))

    @server.after_request
    def headers(response: flask.Response) -> flask.Response:
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    @server.teardown_request
    def give_back(_exc: BaseException | None) -> None:
        if (flask.request.content_length or 0) > BIG_BODY:
            release_memory(collect=False)  # the body's pages; the join's objects were collected after it

    @server.errorhandler(DashException)
    def dash_error(exc: DashException) -> flask.Response:
        # Dash's own checks of a forged request (wrong number of outputs, unknown ids ...): client's fault.
        return _bad_request(type(exc).__name__)


def create_app(vm: ViewModel | None = None) -> dash.Dash:
    """The dashboard app over a view model (loaded from the build when none is given)."""
    vm = vm if vm is not None else load_view_model()
    app = QalaDash(__name__, title="Qala Atlas", compress=True, update_title=None,
                   serve_locally=True, assets_folder=os.path.join(os.path.dirname(__file__), "assets"))
    # An upload arrives base64-encoded (4/3 of its size) inside a JSON request: refuse bigger bodies unread.
    app.server.config["MAX_CONTENT_LENGTH"] = UPLOAD_LIMIT_BYTES * 4 // 3 + 1024 * 1024
    app.vm = vm
    app.layout = lambda: serve_layout(vm, page_search(), flask.request.headers.get("Accept-Language")) \
        if flask.has_request_context() else serve_layout(vm, None)
    app.server.add_url_rule("/qala/geo/<name>.geojson", "geo_layer", lambda name: geo_response(vm, name))
    register(app, vm)
    brief_routes.register(app, vm)  # /brief.pdf, /brief.png and the page's links
    disclosure.register_routes(app.server)  # /disclosure/<name>/<lang>.html
    harden(app)
    sweep_stale_uploads()
    # Dash registers its script paths on the first request; two threads of a fresh worker racing there can
    # answer a bundle with 500 ("not a registered library"). One request now, before serving (and before the
    # fork under --preload), sets it up once.
    app.server.test_client().get("/")
    return app


def create_server(vm: ViewModel | None = None) -> flask.Flask:
    """The WSGI app for gunicorn: ``gunicorn 'dashboard.app:create_server()'``."""
    return create_app(vm).server


if __name__ == "__main__":
    create_app().run(host=dashboard_host(), port=dashboard_port(), debug=False)
