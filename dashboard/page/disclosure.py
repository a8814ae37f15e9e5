"""``/disclosure/<name>/<lang>.html``: a published dataset's disclosure report, as ``qala publish`` wrote it.

Why on the dashboard: a planner reading a survey map should be able to see what its release hid and why, in
their language, from the dataset's details; the page is read through the store from the current version.
"""

from __future__ import annotations

import flask

from geo import store
from geo.errors import QalaError


def disclosure_response(name: str, lang: str) -> flask.Response:
    """``/disclosure/<name>/<lang>.html``: the dataset's disclosure report page as ``qala publish`` wrote it (a
    standalone page with its own strict Content-Security-Policy); 404 for an unknown dataset or language."""
    try:
        page = store.disclosure_page(name, lang)
    except QalaError as exc:
        return flask.Response(str(exc).splitlines()[0] + "\n", status=404, mimetype="text/plain")
    response = flask.Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.headers["Cache-Control"] = "no-store"
    return response


def register_routes(server: flask.Flask) -> None:
    server.add_url_rule("/disclosure/<name>/<lang>.html", "disclosure", disclosure_response)
