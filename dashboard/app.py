"""The Qala Atlas dashboard: ``gunicorn dashboard.app:server`` (what ``make run`` starts).

The view model is built once per worker at import; a missing build stops the start with one line telling
to run ``make data``. GeoJSON layers are served by URL (gzip, cached by their etag) so the page itself
stays small and colour changes never resend geometry.

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

from dashboard.callbacks import geo_url, register
from dashboard.layout import first_view, page_search, serve_layout
from dashboard.upload import UPLOAD_LIMIT_BYTES
from dashboard.viewmodel import ViewModel
from geo.errors import QalaError


def _load() -> ViewModel:
    try:
        return ViewModel.load()
    except QalaError as exc:
        print(f"qala dashboard: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc


# Component chunks Dash loads only once the layout is rendered (dropdowns, upload, GeoJSON): fetched early.
LAZY_CHUNKS = ("dash/dcc/async-dropdown.js", "dash/dcc/async-upload.js", "dash_leaflet/async-GeoJSON.js")


class QalaDash(dash.Dash):
    """Dash whose page preloads the GeoJSON of the view the link opens."""

    vm: ViewModel | None = None

    def interpolate_index(self, **kwargs) -> str:
        prefix = self.config.requests_pathname_prefix
        links = [f'<link rel="preload" as="script" href="{prefix}_dash-component-suites/{chunk}">'
                 for chunk in LAZY_CHUNKS]
        if self.vm is not None and flask.has_request_context():
            _, _, out = first_view(self.vm, page_search(), flask.request.headers.get("Accept-Language"))
            for name in (out["choropleth"], out["context"]):
                url = geo_url(self.vm, name)
                if url:
                    links.append(f'<link rel="preload" as="fetch" crossorigin="anonymous" href="{html.escape(url)}">')
        kwargs["metas"] = kwargs.get("metas", "") + "\n      " + "\n      ".join(links)
        return super().interpolate_index(**kwargs)


def create_app(vm: ViewModel) -> dash.Dash:
    app = QalaDash(__name__, title="Qala Atlas", compress=True, update_title=None,
                    serve_locally=True, assets_folder=os.path.join(os.path.dirname(__file__), "assets"))
    # An upload arrives base64-encoded (4/3 of its size) inside a JSON request: refuse bigger bodies unread.
    app.server.config["MAX_CONTENT_LENGTH"] = UPLOAD_LIMIT_BYTES * 4 // 3 + 1024 * 1024
    app.vm = vm
    app.layout = lambda: serve_layout(vm, page_search(), flask.request.headers.get("Accept-Language")) \
        if flask.has_request_context() else serve_layout(vm, None)

    @app.server.route("/qala/geo/<name>.geojson")
    def geo_layer(name: str):
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

    register(app, vm)
    # Dash registers its script paths on the first request; two threads of a fresh worker racing there can
    # answer a bundle with 500 ("not a registered library"). One request now, before serving (and before the
    # fork under --preload), sets it up once.
    app.server.test_client().get("/")
    return app


vm = _load()
app = create_app(vm)
server = app.server

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("QALA_PORT", "8050")), debug=False)
