"""The brief's routes on the dashboard server (``/brief.pdf?<view>``, ``/brief.png?<view>``) and the page's
brief links that follow the current view.

The query is checked exactly like a link (dashboard.views.first_view): bad values fall back, and the brief
says so. One brief at a time per server, whatever the number of workers (a Chromium run takes a core for a second
or two, and the map's requests need the other): a lock file that every worker of this user shares; a request
waits for it up to ``BRIEF_WAIT_S``, then is answered 503 "busy, try again", as is a server without Chromium;
never a traceback.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

import dash
import flask
from dash import Input, Output

from dashboard.brief.document import FORMATS, file_name, make_brief
from dashboard.brief.render import BriefError, NoBrowser
from dashboard.i18n import t
from dashboard.state.viewmodel import ViewModel
from dashboard.views import first_view
from geo.settings import memory_dir, public_url

RETRY_AFTER_S = 5
BRIEF_WAIT_S = 2.0  # a second brief waits this long for the first before it is answered "busy"


def lock_path() -> Path:
    """The server's one brief lock: in shared memory when there is one, named by the user (each server's
    workers run as one user)."""
    return memory_dir() / f"qala-brief-{os.getuid()}.lock"


@contextlib.contextmanager
def brief_turn(wait: float = BRIEF_WAIT_S) -> Iterator[bool]:
    """True while this request holds the server's brief lock (taken within ``wait`` seconds), else False."""
    fd = os.open(lock_path(), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.05)
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _unavailable(text: str) -> flask.Response:
    response = flask.Response(text + "\n", status=503, mimetype="text/plain")
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    response.headers["Cache-Control"] = "no-store"
    return response


def brief_response(vm: ViewModel, fmt: str) -> flask.Response:
    """The brief of the view in the request's query, as an attachment; 503 when busy or without Chromium."""
    request = flask.request
    query = request.query_string.decode("utf-8", "replace")
    state, _notices, view = first_view(vm, f"?{query}", request.headers.get("Accept-Language"))
    with brief_turn() as mine:
        if not mine:
            return _unavailable(t("brief_busy", state.lang))
        try:
            data = make_brief(vm, state, view, fmt, public_url())  # never the request's Host header
        except NoBrowser:
            return _unavailable(t("brief_no_browser", state.lang))
        except BriefError as exc:
            return _unavailable(t("brief_failed", state.lang, why=str(exc).splitlines()[0]))
    response = flask.Response(data, mimetype=FORMATS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name(state, fmt)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def register(app: dash.Dash, vm: ViewModel) -> None:
    """The two routes, and a clientside callback keeping the page's brief links on the current view."""
    for fmt in FORMATS:
        app.server.add_url_rule(f"/brief.{fmt}", f"brief_{fmt}", lambda fmt=fmt: brief_response(vm, fmt))
    app.clientside_callback(
        """function (search) {
            const query = search || window.location.search || "";
            return ["/brief.pdf" + query, "/brief.png" + query];
        }""",
        Output("brief-pdf", "href"), Output("brief-png", "href"), Input("url", "search"),
    )
