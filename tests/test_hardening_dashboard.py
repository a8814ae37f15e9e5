"""Hardening of the dashboard against forged browser state and hostile requests (loopback, Flask test client)."""

from __future__ import annotations

import base64
import gzip
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from dashboard import views
from dashboard.app import create_app
from dashboard.controls.sync import options_for
from dashboard.state.query import ViewState, parse_query
from dashboard.state.viewmodel import ViewModel
from dashboard.upload import keep as uploadkeep
from dashboard.upload.callbacks import handle_upload
from dashboard.upload.job import join_in_child
from dashboard.upload.keep import RESULTS, SLOTS, ResultStore, sweep_stale_uploads
from geo.settings import PROJECT_ROOT, build_dir

POINTS = "name,lat,lon\n" + "Akorda,51.125828,71.446297\n" * 12 + "Station,51.194700,71.410800\n" * 12  # past the gate


def data_url(raw: bytes) -> str:
    return "data:text/csv;base64," + base64.b64encode(raw).decode()


@pytest.fixture(scope="module")
def vm(built):
    return ViewModel.load()


@pytest.fixture(scope="module")
def app(vm):
    return create_app(vm)


@pytest.fixture()
def client(app):
    return app.server.test_client()


def body(app, prefix: str, values: dict) -> dict:
    """A ``_dash-update-component`` request for the callback whose output key starts with ``prefix``."""
    key = next(k for k in app.callback_map if k.startswith(prefix))
    spec = app.callback_map[key]

    def items(specs):
        return [[] if s["id"].startswith("{") else
                {"id": s["id"], "property": s["property"], "value": values.get(f"{s['id']}.{s['property']}")}
                for s in specs]

    outputs = []
    for part in key.split("..."):
        part = part.strip(".").split("@")[0]
        if part:
            outputs.append([] if part.startswith("{") else dict(zip(("id", "property"), part.rsplit(".", 1),
                                                                    strict=True)))
    first = spec["inputs"][0]
    return {"output": key, "outputs": outputs if key.startswith("..") else outputs[0],
            "inputs": items(spec["inputs"]), "state": items(spec["state"]),
            "changedPropIds": [f"{first['id']}.{first['property']}"]}


def post(client, payload, raw: bytes | None = None, **headers):
    data = raw if raw is not None else json.dumps(payload)
    return client.post("/_dash-update-component", data=data, content_type="application/json", headers=headers)


def good_view(vm) -> dict:
    state, _ = parse_query("?city=Astana", "en", options_for(vm))
    from dataclasses import asdict
    return {"state": asdict(state), "notices": []}


# ------------------------------------------------------------------------------------------ forged upload rows


def test_forged_upload_rows_and_class_count_are_never_classified(app, client, vm):
    rows = [{"district_id": f"d{i}", "count": i} for i in range(3000)]
    forged = {"filename": "a.csv", "city": "Astana", "vintage": "astana-6", "synthetic": False,
              "columns": ["district_id", "count"], "rows": rows, "measures": ["count"], "input_rows": 1,
              "joined_rows": 1, "set_aside_rows": 0, "set_aside": [], "notes": []}
    view = good_view(vm)
    view["state"]["k"] = 400
    start = time.perf_counter()
    reply = post(client, body(app, "..userlayer.url", {"upload-store.data": forged, "upload-measure.value": "count",
                                                       "view.data": view}))
    assert time.perf_counter() - start < 1.0 and reply.status_code == 200
    text = reply.get_data(as_text=True)
    assert "The upload expired; drop the file again." in text and "d2999" not in text


def test_a_kept_upload_is_drawn_by_id_with_k_among_the_choices(app, client, vm, built):
    _, store = handle_upload(data_url(POINTS.encode()), "survey.csv", "en")
    key = RESULTS.put(store)
    view = good_view(vm)
    view["state"].update(k=10**6, palette="<b>", lang=["en"])
    reply = post(client, body(app, "..userlayer.url", {"upload-store.data": {"id": key},
                                                       "upload-measure.value": "count", "view.data": view}))
    assert reply.status_code == 200
    hideout = reply.get_json()["response"]["userlayer"]["hideout"]
    assert 1 <= len(hideout["colors"]) <= 7 and max(c for c in hideout["classes"].values() if c is not None) < 7
    for forged in ({"id": "../../etc/passwd"}, {"id": ["x"]}, "id", {"id": "0" * 32}):
        reply = post(client, body(app, "..userlayer.url", {"upload-store.data": forged, "view.data": view}))
        assert reply.status_code == 200 and "drop the file again" in reply.get_data(as_text=True)


def test_upload_callbacks_keep_only_ids_in_the_browser_and_group_them_by_session(app, client, vm, built):
    """Drop: the column form, no rows kept; Join: the browser gets a random id, the page's store and its bundle
    are kept under the browser session's cookie (HttpOnly), which the next upload reuses."""
    drop = next(k for k in app.callback_map if k.startswith("..upload-result.children...upload-form.hidden"))
    reply = post(client, body(app, drop, {"upload.contents": data_url(POINTS.encode()),
                                          "upload.filename": "survey.csv", "view.data": good_view(vm)}))
    form = reply.get_json()["response"]
    assert form["upload-form"]["hidden"] is False and form["upload-role-lat"]["value"] == "lat"
    assert "upload-store" not in form
    join = next(k for k in app.callback_map if k.startswith("..upload-result.children@") and "upload-store.data" in k)
    values = {"upload.contents": data_url(POINTS.encode()), "upload.filename": "survey.csv",
              "upload-join.n_clicks": 1, "upload-role-lat.value": "lat", "upload-role-lon.value": "lon",
              "upload-scores.value": [], "upload-city.value": "auto", "view.data": good_view(vm)}
    reply = post(client, body(app, join, values))
    kept = reply.get_json()["response"]["upload-store"]["data"]
    assert set(kept) == {"id"} and RESULTS.get(kept["id"])["joined_rows"] == 24
    cookie = reply.headers.get("Set-Cookie", "")
    assert cookie.startswith("qala_session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    bundle = RESULTS.get(RESULTS.get(kept["id"])["bundle"])
    assert bundle is not None and base64.b64decode(bundle["zip"])[:2] == b"PK"
    again = post(client, body(app, join, values))  # the test client sends the cookie back
    assert "Set-Cookie" not in again.headers


# ------------------------------------------------------------------------------------------ forged view state


@pytest.mark.parametrize("state", [None, "x", {"city": "Atlantis"}, {"palette": "x"}, {"lang": "de"},
                                   {"city": ["Astana"]}, {"k": [5], "scheme": {"a": 1}}, {"district": "nope"}])
def test_forged_view_state_is_drawn_as_a_valid_one(app, client, vm, state):
    view = good_view(vm)
    view["state"] = state if not isinstance(state, dict) else {**view["state"], **state}
    for prefix in ("..choropleth.url", "download.data"):
        values = {"view.data": view, "dl-geojson.n_clicks": 1}
        reply = post(client, body(app, prefix, values))
        assert reply.status_code in (200, 204), reply.get_data(as_text=True)[:300]


def test_forged_notices_and_label_ids_are_bounded_or_ignored(app, client, vm):
    view = good_view(vm)
    view["notices"] = [{"what": "city", "value": "x" * 10_000, "default": "Astana"}] * 500 + [None, {"what": 1}]
    payload = body(app, "..choropleth.url", {"view.data": view})
    reply = post(client, payload)
    assert reply.status_code == 200 and len(reply.data) < 50_000


@pytest.mark.parametrize("raw", [b"{not json", b"[]", b"null", b'"x"', b'{"output": "nope", "inputs": []}',
                                 b'{"output": "download.data", "inputs": 5}', b"\xff\xfe"])
def test_malformed_callback_requests_are_400(client, raw):
    reply = post(client, None, raw=raw)
    assert reply.status_code == 400


def test_many_user_breaks_are_refused_not_classified(app, client, vm):
    breaks = ",".join(str(i) for i in range(100_000))
    state, notices = parse_query(f"?scheme=user_defined&breaks={breaks}", "en", options_for(vm))
    assert state.breaks == "" and len(notices) == 1 and "own breaks" in notices[0].what
    view = good_view(vm)
    view["state"].update(scheme="user_defined", breaks=breaks)
    start = time.perf_counter()
    reply = post(client, body(app, "..choropleth.url", {"view.data": view}))
    assert reply.status_code == 200 and time.perf_counter() - start < 1.0 and len(reply.data) < 100_000


def test_over_long_breaks_are_refused_with_a_notice_never_cut(vm):
    text = ",".join(["123456789"] * 21)  # 209 characters: a cut at 200 would fall inside a number
    state, notices = parse_query(f"?scheme=user_defined&breaks={text}", "en", options_for(vm))
    assert state.breaks == "" and notices and notices[0].value.startswith("123456789,")
    ok, none = parse_query("?scheme=user_defined&breaks=10,20,30", "en", options_for(vm))
    assert ok.breaks == "10,20,30" and none == []


def test_render_cache_is_keyed_by_the_checked_state_and_bounded(vm):
    views.clear_render_cache()
    state = ViewState(city="Astana")
    from dashboard.state.query import Notice

    views.render(vm, state, [Notice("city", "a", "b")])
    views.render(vm, state, [Notice("city", "c", "d")])
    assert len(views._RENDERED) == 1  # notices are not part of the key
    def drawn(i):
        st, _ = parse_query(f"?city=Astana&scheme=user_defined&breaks={i}", "en", options_for(vm))
        return views.render(vm, st)

    small = views._ViewCache(entries=3, max_bytes=10**9)
    for i in range(10):
        small.put(i, drawn(i))
    assert len(small) == 3
    tiny = views._ViewCache(entries=100, max_bytes=1)
    tiny.put(0, drawn(0))
    one = len(__import__("pickle").dumps(drawn(0), protocol=5))
    tiny = views._ViewCache(entries=100, max_bytes=3 * one + one // 2)
    for i in range(10):
        tiny.put(i, drawn(i))
    assert tiny.bytes <= 3 * one + one // 2 and len(tiny) == 3


# ------------------------------------------------------------------------------------------ uploads


def test_uploads_never_touch_the_disk_and_stale_folders_are_swept(built, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    seen = []
    import geo.api as api

    real = api.join_user_data

    def spy(path, *args, **kwargs):
        seen.append((str(path), sorted(p.name for p in tmp_path.iterdir())))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(api, "join_user_data", spy)
    # the join the child process runs (its bundle too), run here so the spy sees where it reads from
    outcome, store = join_in_child(POINTS.encode(), "survey.csv", {"auto_scores": True})
    assert outcome == "ok" and seen and seen[0][0].startswith("/proc/self/fd/") and seen[0][1] == []
    message, store = handle_upload(data_url(POINTS.encode()), "survey.csv", "en")  # and through the child
    assert store is not None and store["joined_rows"] == 24  # 12 at Akorda and 12 at the station
    assert list(tmp_path.iterdir()) == []
    old, young = tmp_path / "qala-upload-old", tmp_path / "qala-upload-young"
    old.mkdir()
    (old / "upload.csv").write_text("secret")
    young.mkdir()
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    assert sweep_stale_uploads(max_age=600) == 1 and not old.exists() and young.exists()


def test_result_store_is_bounded_by_count_and_bytes_and_expires(tmp_path):
    store = ResultStore(tmp_path / "r", ttl=60, keep=3, max_bytes=2000)
    keys = [store.put({"rows": [i]}) for i in range(5)]
    assert sum(store.get(k) is not None for k in keys) == 3 and store.get(keys[-1]) == {"rows": [4]}
    assert store.put({"rows": "x" * 5000}) is None  # bigger than the whole store
    assert (tmp_path / "r").stat().st_mode & 0o777 == 0o700
    old = tmp_path / "r" / f"{keys[-1]}.json"
    os.utime(old, (time.time() - 120, time.time() - 120))
    assert store.get(keys[-1]) is None and not old.exists()
    assert store.get("../x") is None and store.get(None) is None


def test_a_busy_server_says_so_instead_of_queueing(app, client, vm, monkeypatch):
    monkeypatch.setattr(SLOTS, "used", SLOTS.n)  # every slot of this worker taken
    payload = body(app, "..upload-result.children", {"upload.contents": data_url(POINTS.encode()),
                                                     "upload.filename": "survey.csv", "view.data": good_view(vm)})
    reply = post(client, payload)
    assert "busy" in reply.get_json()["response"]["upload-result"]["children"]
    payload["inputs"][0]["value"] = data_url(b"x" * 400_000)  # big: answered before the body is parsed
    reply = post(client, payload, **{"Accept-Language": "ru"})
    assert "Сервер занят" in reply.get_json()["response"]["upload-result"]["children"]


# ------------------------------------------------------------------------------------------ logs, HTTP


def test_log_lines_are_capped(client):
    captured: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            captured.append(self.format(record))

    handler = Keep()
    logging.getLogger().addHandler(handler)
    try:
        reply = post(client, {"output": "x" * 5_000_000, "outputs": {"id": "x", "property": "y"}, "inputs": [],
                              "state": [], "changedPropIds": []})
        logging.getLogger("qala.test").error("forged %s", "y" * 100_000)
    finally:
        logging.getLogger().removeHandler(handler)
    assert reply.status_code == 400
    assert sum(len(line) for line in captured) < 20_000 and any("bytes cut)" in line for line in captured)


def test_geojson_route_honours_gzip_q_values(client, vm):
    name = next(iter(vm.geo))
    refused = client.get(f"/qala/geo/{name}.geojson", headers={"Accept-Encoding": "gzip;q=0"})
    assert refused.headers.get("Content-Encoding") is None
    json.loads(refused.data)
    accepted = client.get(f"/qala/geo/{name}.geojson", headers={"Accept-Encoding": "gzip;q=0.5, br;q=0"})
    assert accepted.headers.get("Content-Encoding") == "gzip"
    json.loads(gzip.decompress(accepted.data))


def test_security_headers_are_sent(app, client, vm):
    for reply in (client.get("/"), post(client, body(app, "..choropleth.url", {"view.data": good_view(vm)}))):
        csp = reply.headers["Content-Security-Policy"]
        assert "script-src 'self' 'sha256-" in csp and "unsafe-eval" not in csp and "frame-ancestors 'none'" in csp
        assert reply.headers["X-Frame-Options"] == "DENY"
        assert reply.headers["X-Content-Type-Options"] == "nosniff"


# ------------------------------------------------------------------------------------------ start


def test_start_on_a_truncated_build_is_one_line_exit_2(built, tmp_path):
    import shutil

    copy = tmp_path / "build"
    shutil.copytree(build_dir(), copy)
    figures = copy / "figures.parquet"
    figures.write_bytes(figures.read_bytes()[: figures.stat().st_size // 2])
    done = subprocess.run([sys.executable, "-c", "from dashboard.app import create_app; create_app()"],
                          cwd=PROJECT_ROOT, env={**os.environ, "QALA_BUILD": str(copy)}, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr[-2000:]
    assert done.stderr.startswith("qala dashboard: error: ") and "fix:" in done.stderr


def test_upload_module_keeps_its_folder_private():
    folder = uploadkeep.RESULTS._private_folder()
    info = Path(folder).lstat()
    assert info.st_mode & 0o077 == 0 and info.st_uid == os.getuid()
