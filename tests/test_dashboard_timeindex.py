"""The dashboard serves the change units and flow lines as the build drew them (web/changes_<city>.geojson,
web/flows.geojson), never a geometry simplified again another way: checked feature by feature on the mini build."""

import json

import pytest

from dashboard.state import timeindex
from geo import store


@pytest.fixture()
def index(mini_build, monkeypatch):
    monkeypatch.setenv("QALA_BUILD", str(mini_build))
    store.clear_cache()
    served: dict = {}
    yield timeindex.load(served), served, mini_build
    store.clear_cache()


def _web(build, name):
    return {f["properties"]["fid"]: f for f in json.loads((build / "web" / f"{name}.geojson").read_text())["features"]}


def test_change_layers_hold_the_builds_web_features_of_their_pair(index):
    time, served, build = index
    assert _web(build, "changes_astana") and time.layers and set(time.layers) <= set(served)
    for key, changes in time.changes.items():
        (layer,) = {c.layer for c in changes.values()}  # one layer per pair
        features = json.loads(served[layer].raw)["features"]
        assert sorted(f["properties"]["fid"] for f in features) == sorted(changes)  # the pair's units, no other
        for feature in features:
            built = _web(build, f"changes_{key[0].lower()}")[feature["properties"]["fid"]]
            assert feature["geometry"] == built["geometry"]  # the build's shape, coordinate for coordinate


def test_flow_lines_are_the_builds_web_lines(index):
    time, _, build = index
    web = _web(build, "flows")
    flows = [f for periods in time.flows.values() for items in periods.values() for f in items]
    assert flows and len(flows) == len(web)
    for flow in flows:
        lon_lat = web[flow.fid]["geometry"]["coordinates"]
        assert flow.line == tuple((lat, lon) for lon, lat in lon_lat)


def test_a_build_without_web_change_units_serves_no_shapes(index, tmp_path, monkeypatch):
    _, _, build = index
    copy = tmp_path / "build"
    copy.mkdir()
    for path in build.iterdir():
        if path.name != "web":
            (copy / path.name).symlink_to(path)
    (copy / "web").mkdir()
    monkeypatch.setenv("QALA_BUILD", str(copy))
    store.clear_cache()
    time = timeindex.load({})
    assert time.changes  # the changes are still known ...
    assert all(json.loads(layer.raw)["features"] == [] for layer in time.layers.values())  # ... but not drawn
    flows = [f for periods in time.flows.values() for items in periods.values() for f in items]
    assert flows and all(f.line == () for f in flows)
