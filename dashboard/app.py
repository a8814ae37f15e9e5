"""The Qala Atlas dashboard: ``gunicorn dashboard.app:server`` (what ``make run`` starts).

The view model is built once per worker at import; a missing build stops the start with one line telling
to run ``make data``. GeoJSON layers are served by URL (gzip, cached by their etag) so the page itself
stays small and colour changes never resend geometry.
"""

from __future__ import annotations

import os
import sys

import dash
import flask

from dashboard.callbacks import register
from dashboard.layout import serve_layout
from dashboard.upload import UPLOAD_LIMIT_BYTES
from dashboard.viewmodel import ViewModel
from geo.errors import QalaError


def _load() -> ViewModel:
    try:
        return ViewModel.load()
    except QalaError as exc:
        print(f"qala dashboard: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc


def create_app(vm: ViewModel) -> dash.Dash:
    app = dash.Dash(__name__, title="Qala Atlas", compress=True, update_title=None,
                    serve_locally=True, assets_folder=os.path.join(os.path.dirname(__file__), "assets"))
    # An upload arrives base64-encoded (4/3 of its size) inside a JSON request: refuse bigger bodies unread.
    app.server.config["MAX_CONTENT_LENGTH"] = UPLOAD_LIMIT_BYTES * 4 // 3 + 1024 * 1024
    app.layout = lambda: serve_layout(flask.request.headers.get("Accept-Language") if flask.has_request_context()
                                      else None)

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
    return app


vm = _load()
app = create_app(vm)
server = app.server

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("QALA_PORT", "8050")), debug=False)
