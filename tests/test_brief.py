"""The printable brief: its map (projection, one path per district, colours, hatching, labels that never
overlap), its HTML (title in the language, a source beside every value, the link that reopens the view,
escaping), the A4 PDF Chromium prints from it, the routes and the ``qala-brief`` command."""

from __future__ import annotations

import fcntl
import json
import math
import os
import re
import shutil
import subprocess
import threading
import time
from urllib.parse import urlsplit

import pytest

from dashboard.brief import document as brief
from dashboard.brief import mapsvg as brief_map
from dashboard.brief import routes as brief_routes
from dashboard.brief.mapsvg import Projection, place_labels, svg_map
from dashboard.i18n import indicator_label, t
from dashboard.state.query import ViewState

ALMATY_KK = "?city=Almaty&lang=kk"


def square(fid: str, lon: float, lat: float, size: float = 0.1, name: str = "") -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Feature", "properties": {"fid": fid, "name_en": name},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


# ------------------------------------------------------------------------------------------------ the map


def test_projection_scales_longitude_by_the_cosine_of_the_mean_latitude():
    proj = Projection.of(70.0, 40.0, 72.0, 42.0)
    kx = math.cos(math.radians(41.0))
    assert proj.kx == pytest.approx(kx)
    # the frame is 2*kx (1.509) wide and 2 high: height binds, so 2 degrees of latitude = 640 - 24 units
    assert proj.scale == pytest.approx((brief_map.MAX_HEIGHT - 24) / 2)
    assert proj.xy(70.0, 42.0) == pytest.approx((12.0, 12.0))
    assert proj.xy(71.0, 41.0) == pytest.approx((12 + kx * 308, 12 + 308))


def test_labels_are_nudged_then_dropped_rather_than_overlapping():
    anchors = [("Big", 100.0, 100.0, 9.0), ("Mid", 100.0, 100.0, 5.0), ("Low", 100.0, 100.0, 3.0),
               ("Out", 100.0, 100.0, 1.0), ("Far", 500.0, 100.0, 0.5)]
    placed = place_labels(anchors, size=10.0)
    assert [p[0] for p in placed] == ["Big", "Mid", "Low", "Far"]  # "Out" fits nowhere: left out
    assert [p[2] for p in placed] == [100.0, 86.0, 114.0, 100.0]  # at the anchor, then 1.4 sizes above, below


def map_labels(svg: str) -> list[str]:
    """The district labels of a map (not its scale bar, north arrow or the ranked chart)."""
    return [x for group in re.findall(r'<g class="labels"[^>]*>(.*?)</g>', svg)
            for x in re.findall(r"<text [^>]*>([^<]+)</text>", group)]


def test_the_scale_bar_is_true_and_north_is_up():
    """Three squares over 0.5 degrees of longitude at 51 N (about 35 km): the bar is a round 5 km (the largest
    of 1, 2, 5, 10 km under a fifth of the width), its length in the drawing is 5 km at the projection's scale,
    and the north arrow points up."""
    raw = json.dumps({"type": "FeatureCollection", "features": [
        square("a", 71.0, 51.0), square("b", 71.2, 51.0), square("c", 71.4, 51.0)]}).encode()
    svg = svg_map(raw, {"classes": {}, "colors": []}, lambda fid, props: fid,
                  setting=brief_map.Setting(km="км", north="С"))
    bar = re.search(r'<g class="scalebar"><line x1="([\d.]+)" y1="[\d.]+" x2="([\d.]+)"[^>]*/>.*?<text[^>]*>'
                    r"([\d.]+) км</text>", svg)
    assert bar and bar.group(3) == "5"
    proj = Projection.of(71.0, 51.0, 71.5, 51.1)  # the squares' extent: 0.1 degree each
    assert float(bar.group(2)) - float(bar.group(1)) == pytest.approx(5 / (111.32 / proj.scale), abs=0.1)
    arrow = re.search(r'<g class="north"><path d="M([\d.]+) ([\d.]+)L[\d.]+ ([\d.]+)', svg)
    assert arrow and float(arrow.group(2)) < float(arrow.group(3))  # the tip above its base
    assert re.search(r'<g class="north">.*?>С</text>', svg)


def test_svg_has_one_coloured_path_per_district_hatching_and_escaped_labels():
    raw = json.dumps({"type": "FeatureCollection", "features": [
        square("a", 71.0, 51.0), square("b", 71.2, 51.0), square("c", 71.4, 51.0)]}).encode()
    hideout = {"classes": {"a": 0, "b": 1}, "colors": ["#111111", "#222222"], "nodata": "#d9d9d9",
               "hatched": {"b": True}}
    names = {"a": "Esil", "b": "<script>alert(1)</script>", "c": "Nura"}
    svg = svg_map(raw, hideout, lambda fid, props: names[fid])
    paths = re.findall(r'<path class="district"[^>]*data-fid="(\w)"[^>]*fill="([^"]+)"', svg)
    assert paths == [("a", "#111111"), ("b", "#222222"), ("c", "#d9d9d9")]  # c has no class: no-data colour
    assert re.findall(r'<path class="hatch" data-fid="(\w)" d="M[^"]+" fill="url\(#hatch\)"', svg) == ["b"]
    assert "<script>" not in svg and "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert sorted(map_labels(svg)) == sorted(["Esil", "Nura", "&lt;script&gt;alert(1)&lt;/script&gt;"])
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing fetched


def test_districts_beyond_the_frame_are_left_off_the_map():
    """A layer of three cities' districts drawn in one city's frame: the far districts are not drawn, and
    their labels do not widen the drawing into a thumbnail (the survey brief's map was 7,024 units wide)."""
    raw = json.dumps({"type": "FeatureCollection", "features": [
        square("a", 71.0, 51.0), square("b", 71.2, 51.0), square("far", 76.9, 43.2)]}).encode()
    names = {"a": "Esil", "b": "Nura", "far": "Medeu"}
    framed = svg_map(raw, {}, lambda fid, props: names[fid], (70.95, 50.95, 71.45, 51.15))
    assert re.findall(r'data-fid="(\w+)"', framed) == ["a", "b"] and "Medeu" not in framed
    assert re.search(r'viewBox="([^"]+)"', framed)[1] == "0 0 992 640"  # the frame's own drawing, no wider
    whole = svg_map(raw, {}, lambda fid, props: names[fid])  # no frame: the features' extent, all drawn
    assert "Medeu" in whole


def test_hatched_ids_accept_a_mapping_or_a_list():
    assert brief_map.hatched_ids({"hatched": {"a": True, "b": False}}) == {"a"}
    assert brief_map.hatched_ids({"hatched": ["x", 7]}) == {"x", "7"}
    assert brief_map.hatched_ids({}) == set()


# ------------------------------------------------------------------------------------------------ the table


def test_every_value_row_has_a_source_cell_and_a_value_without_source_is_withheld():
    rows = [brief.ValueRow("1", "<b>Esil</b>", "1 000", "persons", "2024", "stat.gov.kz/x", ("secondary",)),
            brief.ValueRow("2", "Nura", None, "persons", "2024", None, ()),
            brief.ValueRow("3", "Almaty", "5", "persons", "2024", "stat.gov.kz/x", ())]
    table, sources = brief.values_table(rows, ViewState(lang="en"))
    body = table.split("<tbody>")[1]
    assert body.count("<tr") == 3
    cells = re.findall(r"<tr[^>]*>(.*?)</tr>", body)
    assert all(re.search(r'<td class="(source|missing)">', c) for c in cells)
    assert '<td class="source">[1] stat.gov.kz</td>' in cells[0] and '[1] stat.gov.kz' in cells[2]
    assert '<td class="missing">No data</td>' in cells[1]
    assert "&lt;b&gt;Esil&lt;/b&gt;" in table and "<b>" not in table
    assert sources == '<ol class="sources"><li value="1"><a href="https://stat.gov.kz/x">stat.gov.kz/x</a></li></ol>'


def test_query_of_joins_query_texts_and_key_value_words():
    assert brief.query_of(["?city=Almaty&lang=kk"]) == "?city=Almaty&lang=kk"
    assert brief.query_of(["city=Almaty", "lang=kk", "?k=4"]) == "?city=Almaty&lang=kk&k=4"
    assert brief.file_name(ViewState(city="Almaty", lang="kk", district="75 <x>"), "pdf") == \
        "qala_brief_Almaty_75-x_population_kk.pdf"


def test_cli_refuses_a_word_that_is_not_key_value_with_one_line_and_exit_2(capsys):
    assert brief.main(["Almaty"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("qala-brief: error: view argument 'Almaty' is not a query") and "\n" not in err


# ------------------------------------------------------------------------------------------------ real build


@pytest.fixture(scope="module")
def vm(built):
    from dashboard.state.viewmodel import ViewModel

    return ViewModel.load()


def almaty(vm, query=ALMATY_KK):
    from dashboard.views import first_view

    return first_view(vm, query, None)


def test_almaty_in_kazakh_has_its_title_map_labels_sources_and_link(vm):
    from dashboard.controls.sync import sync_state

    state, _notices, view = almaty(vm)
    page = brief.brief_html(vm, state, view, "https://atlas.example/")
    assert f"<h1>{indicator_label('population', 'kk')} · Алматы</h1>" in page
    assert t("brief_title", "kk") in page and '<html lang="kk">' in page
    features = json.loads(vm.geo[view.choropleth.name].raw)["features"]
    assert page.count('<path class="district"') == len(features) == 8
    labels = map_labels(page)
    assert set(labels) <= {vm.name(f["properties"]["fid"], "kk") for f in features} and len(labels) >= 6
    assert "Әуезов" in labels  # a Kazakh name, in Kazakh letters
    values = page.split(t("brief_values", "kk"))[1]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", values.split("<tbody>")[1])
    assert len(rows) == 8 and f'{t("source", "kk")}: [1] github.com' in values  # one source: said once
    link = re.search(r'<a class="link" href="([^"]+)"', page).group(1)
    assert link.startswith("https://atlas.example/?")
    again, notices = sync_state(vm, "url", "?" + urlsplit(link.replace("&amp;", "&")).query, {}, None, "en")
    assert again == state and notices == []
    assert not re.search(r"<script|src=|@import|url\(http", page)  # self-contained: nothing fetched


def test_a_name_from_the_data_is_escaped(vm):
    state, _notices, view = almaty(vm, ALMATY_KK + "&district=751310000")
    saved = dict(vm.district_names["751310000"])
    vm.district_names["751310000"]["kk"] = "<script>alert(1)</script>"
    try:
        page = brief.brief_html(vm, state, view, "http://127.0.0.1:8050/")
    finally:
        vm.district_names["751310000"] = saved
    assert "<script>alert" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3  # title, map label, table row


def test_a_bad_parameter_falls_back_and_the_brief_says_so(vm):
    state, notices, view = almaty(vm, "?city=Almaty&lang=ru&pal=<b>")
    assert state.palette == "viridis" and len(notices) == 1
    page = brief.brief_html(vm, state, view, "http://127.0.0.1:8050/")
    assert '<p class="notice">' in page and "&lt;b&gt;" in page and "<b>" not in page


def test_the_pdf_is_one_a4_page_with_the_district_names(vm, tmp_path, capsys):
    out = tmp_path / "almaty_kk.pdf"
    assert brief.main([ALMATY_KK, "-o", str(out), "--png", str(tmp_path / "almaty.png")]) == 0
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 20_000
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert len(boxes) == 1 and abs(float(boxes[0][0]) - 595) < 1.5 and abs(float(boxes[0][1]) - 842) < 1.5
    assert (tmp_path / "almaty.png").read_bytes().startswith(b"\x89PNG")
    assert b"DejaVuSans" in data  # the font with every Kazakh letter was embedded
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, check=True).stdout.decode()
        for fid in vm.districts_of_city["Almaty"]:
            assert vm.name(fid, "kk") in text
        assert t("brief_values", "kk") in text and "github.com" in text


@pytest.fixture(scope="module")
def client(vm):
    from dashboard.app import create_app

    return create_app(vm).server.test_client()


def test_the_routes_answer_a_pdf_attachment_busy_and_no_browser(client, monkeypatch):
    reply = client.get("/brief.pdf" + ALMATY_KK)
    assert reply.status_code == 200 and reply.mimetype == "application/pdf"
    assert reply.data.startswith(b"%PDF-")
    assert reply.headers["Content-Disposition"] == \
        'attachment; filename="qala_brief_Almaty_population_kk.pdf"'
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    held = os.open(brief_routes.lock_path(), os.O_RDWR | os.O_CREAT, 0o600)  # another worker's brief
    fcntl.flock(held, fcntl.LOCK_EX)
    try:
        start = time.monotonic()
        busy = client.get("/brief.png" + ALMATY_KK)
        waited = time.monotonic() - start
        threading.Timer(0.5, fcntl.flock, (held, fcntl.LOCK_UN)).start()  # the other brief ends in 0.5 s
        after = client.get("/brief.png" + ALMATY_KK)
    finally:
        os.close(held)
    assert busy.status_code == 503 and busy.get_data(as_text=True).strip() == t("brief_busy", "kk")
    assert busy.headers["Retry-After"] == "5" and waited >= brief_routes.BRIEF_WAIT_S
    assert after.status_code == 200 and after.data.startswith(b"\x89PNG")  # it waited its turn
    monkeypatch.setenv("QALA_CHROMIUM", "/nonexistent/chromium")
    missing = client.get("/brief.pdf?city=Astana&lang=ru")
    assert missing.status_code == 503 and missing.get_data(as_text=True).strip() == t("brief_no_browser", "ru")
    with brief_routes.brief_turn(wait=0) as mine:  # and the lock was given back each time
        assert mine


def test_the_page_has_brief_links_for_its_view(client):
    page = client.get("/_dash-layout", headers={"Referer": "http://localhost/?city=Almaty&lang=kk"}).get_json()
    text = json.dumps(page)
    assert '"href": "/brief.pdf?city=Almaty&layer=concentration' in text
    assert '"href": "/brief.png?city=Almaty&layer=concentration' in text


def test_the_link_back_comes_from_the_public_address_never_from_the_request(vm, monkeypatch):
    import flask

    state, _notices, view = almaty(vm, "?city=Almaty&lang=ru")
    linked = brief.brief_html(vm, state, view, "https://qala.example.kz/atlas/")
    assert '<a class="link" href="https://qala.example.kz/atlas/?' in linked
    bare = brief.brief_html(vm, state, view, None)  # no public address: the query, no link
    assert '<a class="link"' not in bare and "Этот вид (после адреса панели): <span class=\"link\">?" in bare
    # the route: whatever Host the request names, the address is QALA_PUBLIC_URL's (or none)
    seen = []
    monkeypatch.setattr(brief_routes, "make_brief", lambda vm, state, view, fmt, base: seen.append(base) or b"%PDF")
    app = flask.Flask("probe")
    for public, expected in ((None, None), ("https://qala.example.kz/", "https://qala.example.kz/")):
        if public:
            monkeypatch.setenv("QALA_PUBLIC_URL", public)
        else:
            monkeypatch.delenv("QALA_PUBLIC_URL", raising=False)
        with app.test_request_context("/brief.pdf?city=Almaty&lang=ru", headers={"Host": "evil.example"}):
            assert brief_routes.brief_response(vm, "pdf").status_code == 200
        assert seen[-1] == expected


@pytest.mark.parametrize("value, expected", [
    ("https://qala.example.kz/", "https://qala.example.kz/"), ("http://10.0.0.5:8050", "http://10.0.0.5:8050"),
    ("", None), ("javascript:alert(1)", None), ("https://", None), ("https://a b/", None), ("qala.kz", None)])
def test_the_public_address_setting_takes_only_http_addresses(monkeypatch, value, expected):
    from geo.settings import public_url

    monkeypatch.setenv("QALA_PUBLIC_URL", value)
    assert public_url() == expected


def test_chromium_runs_niced_without_network_or_other_local_files(tmp_path):
    from pathlib import Path

    from dashboard.brief import render as brief_render

    page = tmp_path / "brief.html"
    args = brief_render.command("/usr/bin/chromium", tmp_path, "pdf", tmp_path / "brief.pdf", page)
    assert Path(args[0]).name == "chrt" and args[1:3] == ["--idle", "0"]  # idle CPU time only (util-linux)
    assert Path(args[3]).name == "nice" and args[4:6] == ["-n", "19"] and args[6] == "/usr/bin/chromium"
    assert "--allow-file-access-from-files" not in args and "--host-resolver-rules=MAP * ~NOTFOUND" in args
    assert args[-1] == page.as_uri() and f"--print-to-pdf={tmp_path / 'brief.pdf'}" in args
    png = brief_render.command("/usr/bin/chromium", tmp_path, "png", tmp_path / "brief.png", page)
    assert f"--screenshot={tmp_path / 'brief.png'}" in png and "--window-size=794,1123" in png
