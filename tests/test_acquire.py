"""Acquisition order (cache, mirror, download) and the real download code against a loopback HTTP server
that serves the mirror's own files (and per-relation / per-record answers made from them)."""

from __future__ import annotations

import dataclasses
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import geopandas as gpd
import pytest

import geo.io.acquire as acquire_mod
from geo.errors import SourceUnavailable
from geo.io.acquire import acquire
from geo.io.catalogue import format_catalogue, get_source, load_catalogue, wof_path


@pytest.fixture
def server(mirror):
    """Loopback server: /files/<mirror path>, /osm?id=<relation>, /wof/<path>.geojson, /overpass (POST)."""
    astana = json.loads((mirror / "boundaries/districts_astana_osm_2026-09.geojson").read_text())
    relations = {str(f["properties"]["osm_relation"]): f["geometry"] for f in astana["features"]}
    wof = json.loads((mirror / "boundaries/wof_localities_three_cities.geojson").read_text())
    records = {}
    for f in wof["features"]:
        p = f["properties"]
        records[wof_path(str(p["wof_id"]))] = {"type": "Feature", "geometry": f["geometry"], "properties": {
            "wof:id": p["wof_id"], "wof:name": p["name"], "name:rus_x_preferred": [p["name_ru"]] if p["name_ru"] else None,
            "wof:concordances": {"gn:id": p["geonames_id"]}, "src:geom": "geonames", "mz:is_current": -1}}
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, body: bytes, status: int = 200):
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            url = urlparse(self.path)
            hits.append(url.path)
            if url.path.startswith("/files/"):
                path = mirror / url.path[len("/files/"):]
                return self._send(path.read_bytes()) if path.is_file() else self._send(b"not found", 404)
            if url.path == "/water":
                lake = {"type": "Feature", "properties": {"name": "оз. Талдыколь"}, "geometry": {
                    "type": "Polygon", "coordinates": [[[71.35, 51.1], [71.36, 51.1], [71.36, 51.11], [71.35, 51.1]]]}}
                raw = json.loads((mirror / "boundaries/esil_river_astana_geoportal_raw.geojson").read_text())
                return self._send(json.dumps({**raw, "features": raw["features"] + [lake]}).encode())
            if url.path == "/osm":
                rel = parse_qs(url.query)["id"][0]
                return self._send(json.dumps({"type": "GeometryCollection", "geometries": [relations[rel]]}).encode())
            if url.path.startswith("/wof/"):
                key = url.path[len("/wof/"):].removesuffix(".geojson")
                return self._send(json.dumps(records[key]).encode()) if key in records else self._send(b"", 404)
            return self._send(b"not found", 404)

        def do_POST(self):
            hits.append(self.path)
            body = {"elements": [
                {"type": "node", "id": 1, "lat": 51.1258, "lon": 71.4463, "tags": {"office": "government", "name": "Ақорда"}},
                {"type": "way", "id": 2, "center": {"lat": 51.13, "lon": 71.43}, "tags": {"amenity": "townhall"}}]}
            self._send(json.dumps(body).encode())

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    httpd.shutdown()


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """Empty cache, no mirror, network allowed (only to loopback: the sources are pointed there)."""
    monkeypatch.setenv("QALA_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("QALA_MIRROR", str(tmp_path / "no-mirror"))
    monkeypatch.delenv("QALA_OFFLINE", raising=False)
    return tmp_path


def _point_at(monkeypatch, source_id: str, url: str):
    source = dataclasses.replace(get_source(source_id), url=url)
    monkeypatch.setattr(acquire_mod, "get_source", lambda sid: source if sid == source_id else get_source(sid))
    return source


def test_catalogue_lists_every_source_with_origin_and_licence():
    catalogue = load_catalogue()
    assert {"astana_districts_osm", "geokz_adm2_2024", "esil_river_geoportal", "wof_localities"} <= set(catalogue)
    for source in catalogue.values():
        assert source.licence and source.attribution and source.urls
    text = format_catalogue()
    assert "OSM relations 3479876" in text and "41c1a00454ec9e01bda031b5074920bd82de02ce" in text
    assert len(catalogue["wof_localities"].ids) == 92


@pytest.mark.mirror
def test_mirror_is_used_when_the_cache_is_empty(mirror, tmp_path, monkeypatch):
    monkeypatch.setenv("QALA_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("QALA_MIRROR", str(mirror))
    got = acquire("geokz_adm2_2024", allow_download=False)
    assert got.origin == "mirror" and [p.suffix for p in got.paths] == [".shp", ".shx", ".dbf", ".prj", ".cpg"]


@pytest.mark.mirror
def test_http_download_of_a_multi_file_source_then_cache(isolated, server, monkeypatch):
    base, hits = server
    files = " ".join(f"{base}/files/boundaries/geokz_2024_shapefiles/geokz_kaz_admbnda_adm1_2024.{ext}"
                     for ext in ("shp", "shx", "dbf", "prj", "cpg"))
    _point_at(monkeypatch, "geokz_adm1_2024", files)
    got = acquire("geokz_adm1_2024")
    assert got.origin == "download" and len(hits) == 5
    assert len(gpd.read_file(got.paths[0])) == 20
    again = acquire("geokz_adm1_2024")  # second time: from the cache, no request
    assert again.origin == "cache" and len(hits) == 5


@pytest.mark.mirror
def test_osm_relations_are_assembled_into_one_layer(isolated, server, monkeypatch):
    base, _ = server
    _point_at(monkeypatch, "astana_districts_osm", base + "/osm?id={id}")
    got = acquire("astana_districts_osm")
    gdf = gpd.read_file(got.path)
    assert sorted(gdf.osm_relation) == sorted(get_source("astana_districts_osm").ids)
    assert set(gdf.geom_type) <= {"Polygon", "MultiPolygon"}


@pytest.mark.mirror
def test_wof_records_are_fetched_one_by_one(isolated, server, monkeypatch):
    base, hits = server
    _point_at(monkeypatch, "wof_localities", base + "/wof/{path}.geojson")
    gdf = gpd.read_file(acquire("wof_localities").path)
    assert len(gdf) == 92 and len(hits) == 92
    assert {"wof_id", "name", "name_ru", "geonames_id"} <= set(gdf.columns)


@pytest.mark.mirror
def test_overpass_answer_becomes_points(isolated, server, monkeypatch):
    base, _ = server
    _point_at(monkeypatch, "osm_state_institutions", base + "/overpass")
    gdf = gpd.read_file(acquire("osm_state_institutions").path)
    assert list(gdf.kind) == ["government", "townhall"]
    assert gdf.geometry.iloc[0].x == pytest.approx(71.4463)


@pytest.mark.mirror
def test_whole_water_layer_is_filtered_to_the_esil(isolated, server, monkeypatch, mirror):
    base, _ = server  # /water answers like the portal: the Esil pieces plus another water body
    _point_at(monkeypatch, "esil_river_geoportal", f"{base}/water")
    gdf = gpd.read_file(acquire("esil_river_geoportal").path)
    raw = json.loads((mirror / "boundaries/esil_river_astana_geoportal_raw.geojson").read_text())
    assert len(gdf) == len(raw["features"]) and set(gdf["name"]) == {"р. Ишим"}


@pytest.mark.mirror
def test_nothing_available_gives_one_line_saying_where_it_looked(isolated, server, monkeypatch):
    base, _ = server
    _point_at(monkeypatch, "esil_river_geoportal", base + "/files/missing.geojson")
    with pytest.raises(SourceUnavailable) as err:
        acquire("esil_river_geoportal")
    message = str(err.value)
    assert "\n" not in message
    assert "esil_river_geoportal" in message and "cache" in message and "mirror" in message and "404" in message
    assert "fix: put esil_river_astana_geoportal_raw.geojson in" in message
    assert not (isolated / "cache" / "esil_river_geoportal").exists() or not any((isolated / "cache" / "esil_river_geoportal").iterdir())


@pytest.mark.mirror
def test_a_download_that_is_not_geojson_is_refused_and_not_cached(isolated, server, monkeypatch):
    base, _ = server
    _point_at(monkeypatch, "esil_river_geoportal", base + "/files/stats/FINDINGS.md")
    with pytest.raises(SourceUnavailable, match="JSONDecodeError|did not return"):
        acquire("esil_river_geoportal")
    assert not list((isolated / "cache").rglob("*.geojson"))


def test_offline_mode_skips_the_network(isolated, monkeypatch):
    monkeypatch.setenv("QALA_OFFLINE", "1")
    with pytest.raises(SourceUnavailable, match="download skipped"):
        acquire("astana_city_osm")
