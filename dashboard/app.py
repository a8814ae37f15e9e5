"""The Qala Atlas dashboard: an app factory. ``make run`` starts
``gunicorn -c dashboard/gunicorn_conf.py 'dashboard.app:create_server()'``.

Importing this module does no work: :func:`create_app` loads the view model (once: under ``--preload`` in the
gunicorn master, before the workers fork), and a missing build stops the start with one line telling to run
``make data``. GeoJSON layers are served by URL (gzip, cached by their etag) so the page itself stays small
and colour changes never resend geometry.

First map fast: the layout is drawn for the link being opened (see dashboard.layout), and the page's HTML
asks the browser to preload that view's GeoJSON and the lazily loaded component chunks while the JS bundles
are still being evaluated.
"""

from __future__ import annotations

import html
import os
import sys

import dash
import flask

from dashboard.callbacks import register
from dashboard.layout import first_view, page_search, serve_layout
from dashboard.upload import UPLOAD_LIMIT_BYTES
from dashboard.viewmodel import ViewModel
from geo.errors import QalaError
from geo.settings import dashboard_host, dashboard_port

# Component chunks Dash loads only once the layout is rendered (dropdowns, upload, GeoJSON): fetched early.
LAZY_CHUNKS = ("dash/dcc/async-dropdown.js", "dash/dcc/async-upload.js", "dash_leaflet/async-GeoJSON.js")


def load_view_model() -> ViewModel:
    """The view model of the build; a missing or older build ends the process with one line (exit 2)."""
    try:
        return ViewModel.load()
    except QalaError as exc:
        print(f"qala dashboard: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc


class QalaDash(dash.Dash):
    """Dash whose page preloads the GeoJSON of the view the link opens."""

    vm: ViewModel | None = None

    def interpolate_index(self, **kwargs: object) -> str:
        prefix = self.config.requests_pathname_prefix
        links = [f'<link rel="preload" as="script" href="{prefix}_dash-component-suites/{chunk}">'
                 for chunk in LAZY_CHUNKS]
        if self.vm is not None and flask.has_request_context():
            _, _, view = first_view(self.vm, page_search(), flask.request.headers.get("Accept-Language"))
            for url in (view.choropleth.url, view.context.url):
                if url:
                    links.append('<link rel="preload" as="fetch" crossorigin="anonymous" '
                                 f'href="{html.escape(url)}">')
        kwargs["metas"] = f'{kwargs.get("metas", "")}\n      ' + "\n      ".join(links)
        return super().interpolate_index(**kwargs)


def geo_response(vm: ViewModel, name: str) -> flask.Response:
    """A served GeoJSON layer: 304 when the browser holds its etag, gzip when accepted, cached for a day."""
    layer = vm.geo.get(name)
    if layer is None:
        flask.abort(404)
    if flask.request.if_none_match.contains(layer.etag):
        return flask.Response(status=304)
    gzip_ok = "gzip" in (flask.request.headers.get("Accept-Encoding") or "")
    response = flask.Response(layer.gz if gzip_ok else layer.raw, mimetype="application/geo+json")
    if gzip_ok:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.set_etag(layer.etag)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


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
