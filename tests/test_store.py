"""geo.store, the one reader of the build, on a hand-made build folder (QALA_BUILD in tmp_path): every layer read
with the contract's columns and kind, a layer missing a column or of the wrong kind refused, each city's latest
vintage or a named one, an unknown vintage refused in one line, and an older or damaged build refused with
`make data` as the fix."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo import store
from geo.contract import GEO_LAYERS, LAYERS, TABLE_LAYERS
from geo.errors import SourceUnavailable, UnknownName

# each city's vintages, the latest last; Astana has an older one with a district since split
VINTAGES = {"Astana": {"astana-5": ("A1", "A2"), "astana-6": ("A1", "A3")},
            "Almaty": {"almaty-8": ("L1",)},
            "Shymkent": {"shymkent-4": ("S1",)}}
LATEST = {"Astana": "astana-6", "Almaty": "almaty-8", "Shymkent": "shymkent-4"}


def _filler(name: str) -> pd.DataFrame:
    """One row holding every column the contract asks of a layer (text "x"; a point where it is GeoParquet)."""
    columns = [c for c in LAYERS[name].columns if not (LAYERS[name].kind == "geo" and c == "geometry")]
    frame = pd.DataFrame({c: ["x"] for c in columns})
    if LAYERS[name].kind == "geo":
        return gpd.GeoDataFrame(frame, geometry=[Point(71.4, 51.1)], crs="EPSG:4326")
    return frame


def _districts() -> gpd.GeoDataFrame:
    rows = [{"district_id": d, "city": city, "vintage": v, "name_en": f"{d} ({v})"}
            for city, vintages in VINTAGES.items() for v, ids in vintages.items() for d in ids]
    frame = pd.DataFrame(rows)
    for column in LAYERS["districts"].columns:
        if column not in frame:
            frame[column] = 0.5 if column in ("area_km2", "bank_left_share") else "x"
    return gpd.GeoDataFrame(frame, geometry=[box(i, 0, i + 1, 1) for i in range(len(frame))], crs="EPSG:4326")


def _vintages() -> pd.DataFrame:
    rows = [{"vintage": v, "city": city, "latest": v == LATEST[city]} for city, vs in VINTAGES.items() for v in vs]
    frame = pd.DataFrame(rows)
    for column in LAYERS["vintages"].columns:
        if column not in frame:
            frame[column] = ""
    return frame


def _figures() -> pd.DataFrame:
    # (district, vintage, indicator, period_end, value): the latest dated population of a vintage is wanted
    rows = [("A1", "astana-6", "population", "2023-01-01", 120.0), ("A1", "astana-6", "population", "2020-01-01", 100.0),
            ("A3", "astana-6", "population", "2023-01-01", 50.0), ("A1", "astana-5", "population", "2024-01-01", 999.0),
            ("A2", "astana-5", "population", "2019-01-01", 70.0), ("A3", "astana-6", "arrivals", "2024-01-01", 7.0),
            (None, "astana-6", "population", "2024-01-01", 1000.0)]
    frame = pd.DataFrame(rows, columns=["district_id", "vintage", "indicator", "period_end", "value"])
    frame["period_label"] = frame.period_end.str[:4]
    for column in LAYERS["figures"].columns:
        if column not in frame:
            frame[column] = "Astana" if column == "city" else "x"
    return frame


def _write(folder: Path, frames: dict[str, pd.DataFrame]) -> None:
    """Layers and web files as geo/build/run.py writes them, and the manifest last, in its format."""
    outputs = {}
    for name, frame in frames.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(".geojson"):
            frame.to_file(target, driver="GeoJSON")
        else:
            frame.to_parquet(target, index=False)
        outputs[name] = {"sha256": hashlib.sha256(target.read_bytes()).hexdigest(), "rows": len(frame),
                         "bytes": target.stat().st_size}
    manifest = {"fingerprint": {"sources": {}, "reference": {}, "code": "0", "catalogue": "0", "versions": {}},
                "inputs": {}, "outputs": outputs, "python": "3.11", "versions": {}, "report": {}, "datasets": []}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))


def _frames() -> dict[str, pd.DataFrame]:
    frames = {LAYERS[n].file: _filler(n) for n in GEO_LAYERS + TABLE_LAYERS}
    frames.update({"districts.parquet": _districts(), "vintages.parquet": _vintages(), "figures.parquet": _figures()})
    frames["web/banks.geojson"] = _filler("banks")[["bank", "area_km2", "geometry"]]
    frames["web/astana-6.geojson"] = _districts().query("vintage == 'astana-6'")[["district_id", "geometry"]]
    return frames


@pytest.fixture
def build(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "build"
    _write(folder, _frames())
    monkeypatch.setenv("QALA_BUILD", str(folder))
    store.clear_cache()
    yield folder
    store.clear_cache()


def _one_line(exc: pytest.ExceptionInfo) -> str:
    text = str(exc.value)
    assert "\n" not in text and len(text) < 400, text
    return text


# ------------------------------------------------------------------------------------------------ every layer


@pytest.mark.parametrize("name", GEO_LAYERS + TABLE_LAYERS)
def test_every_layer_is_read_with_the_contract_columns_and_kind(build, name):
    frame = store.load_layer(name)
    assert [c for c in LAYERS[name].columns if c not in frame.columns] == []
    assert len(frame) >= 1
    if LAYERS[name].kind == "geo":
        assert isinstance(frame, gpd.GeoDataFrame) and frame.crs == "EPSG:4326"
    else:
        assert not isinstance(frame, gpd.GeoDataFrame)


def test_the_loaders_return_the_contract_columns(build):
    assert set(LAYERS["districts"].columns) <= set(store.load_districts().columns)
    assert set(LAYERS["districts"].columns) <= set(store.load_districts("Astana", "astana-5").columns)
    assert set(LAYERS["figures"].columns) <= set(store.load_figures().columns)
    assert list(store.population_for("Astana").columns) == ["district_id", "value", "period_label", "source",
                                                             "confidence"]


def test_a_loaded_layer_is_a_copy_the_caller_may_change(build):
    first = store.load_layer("figures")
    first["value"] = -1.0
    first.loc[first.index[0], "indicator"] = "changed"
    again = store.load_layer("figures")
    assert (again.value >= 0).all() and "changed" not in set(again.indicator)


def test_the_layers_come_from_the_folder_qala_build_names(build, tmp_path, monkeypatch):
    """Reading one build, then pointing QALA_BUILD at another, reads the other (no stale cache)."""
    assert set(store.load_districts().vintage) == set(LATEST.values())
    other = tmp_path / "other"
    frames = _frames()
    frames["vintages.parquet"] = _vintages().assign(latest=lambda t: t.vintage.isin(["astana-5", "almaty-8",
                                                                                     "shymkent-4"]))
    _write(other, frames)
    monkeypatch.setenv("QALA_BUILD", str(other))
    assert store.latest_vintage("Astana") == "astana-5"
    assert set(store.load_districts("Astana").district_id) == {"A1", "A2"}


def test_web_files_by_context_layer_or_vintage(build):
    assert store.web_bytes("banks") == (build / "web" / "banks.geojson").read_bytes()
    assert store.web_bytes("astana-6") == (build / "web" / "astana-6.geojson").read_bytes()
    assert store.web_bytes("river") is None and store.web_bytes("astana-5") is None


def test_the_manifest_and_the_version(build):
    assert set(store.manifest()["outputs"]) == set(_frames())
    before = store.version()
    assert len(before) == 12 and int(before, 16) >= 0
    assert before == hashlib.sha1((build / "manifest.json").read_bytes()).hexdigest()[:12]
    (build / "manifest.json").write_text((build / "manifest.json").read_text() + "\n")
    assert store.version() != before


# ------------------------------------------------------------------------------------------------ vintages


def test_each_city_reads_its_latest_vintage(build):
    assert store.latest_vintages() == LATEST
    assert store.latest_vintage("Astana") == "astana-6"
    everyone = store.load_districts()
    assert sorted(zip(everyone.city, everyone.vintage, everyone.district_id, strict=True)) == sorted(
        (c, LATEST[c], d) for c in VINTAGES for d in VINTAGES[c][LATEST[c]])
    astana = store.load_districts("Astana")
    assert sorted(astana.district_id) == ["A1", "A3"] and set(astana.vintage) == {"astana-6"}
    assert list(astana.index) == [0, 1]


def test_a_named_vintage_is_read_as_named(build):
    old = store.load_districts("Astana", "astana-5")
    assert sorted(old.district_id) == ["A1", "A2"] and set(old.vintage) == {"astana-5"}
    assert sorted(store.load_districts(vintage="almaty-8").district_id) == ["L1"]
    assert store.load_districts("Almaty", "astana-5").empty  # a vintage of another city holds none of its districts


def test_an_unknown_vintage_or_city_is_refused_in_one_line(build):
    with pytest.raises(UnknownName) as refused:
        store.load_districts("Astana", "astana-99")
    assert _one_line(refused) == "unknown vintage 'astana-99'; vintages: almaty-8, astana-5, astana-6, shymkent-4"
    with pytest.raises(UnknownName) as refused:
        store.latest_vintage("Karaganda")
    assert _one_line(refused) == "unknown city 'Karaganda'; use one of Astana, Almaty, Shymkent"
    with pytest.raises(UnknownName):
        store.load_districts("Karaganda")


def test_population_is_each_districts_latest_dated_figure_of_the_vintage(build):
    rows = store.population_for("Astana")
    assert rows["district_id"].is_unique  # one figure per district, never two of its dates
    latest = rows.set_index("district_id")["value"].to_dict()
    assert latest == {"A1": 120.0, "A3": 50.0}
    everyone = store.load_districts()
    assert list(everyone.index) == list(range(len(everyone)))  # a fresh row index, not the layer's positions
    assert "index" not in everyone.columns  # ... and the old one not carried along as a column
    assert store.population_for("Astana", "astana-5").set_index("district_id")["value"].to_dict() == {
        "A1": 999.0, "A2": 70.0}


# ------------------------------------------------------------------------------------------------ refusals


@pytest.mark.parametrize("name", GEO_LAYERS + TABLE_LAYERS)
def test_a_layer_missing_a_required_column_is_refused(build, name):
    path = build / LAYERS[name].file
    frame = gpd.read_parquet(path) if LAYERS[name].kind == "geo" else pd.read_parquet(path)
    dropped = next(c for c in reversed(LAYERS[name].columns) if c != "geometry" or LAYERS[name].kind != "geo")
    frame.drop(columns=[dropped]).to_parquet(path, index=False)
    with pytest.raises(SourceUnavailable) as refused:
        store.load_layer(name)
    text = _one_line(refused)
    assert f"lacks {dropped} (an older build)" in text and "run `make data`" in text and str(path) in text


def test_a_geo_layer_written_as_a_plain_table_is_refused(build):
    path = build / "districts.parquet"
    pd.DataFrame(_districts().drop(columns="geometry")).to_parquet(path, index=False)
    with pytest.raises(SourceUnavailable) as refused:
        store.load_districts()
    text = _one_line(refused)
    assert str(path) in text and "GeoParquet" in text and "run `make data`" in text


def test_a_damaged_layer_file_is_refused(build):
    (build / "figures.parquet").write_bytes(b"PAR1 cut short")
    with pytest.raises(SourceUnavailable) as refused:
        store.load_figures()
    assert "run `make data`" in _one_line(refused)


def test_a_web_or_unknown_layer_is_refused_by_load_layer(build):
    with pytest.raises(UnknownName) as refused:
        store.load_layer("banks_web")
    assert _one_line(refused) == "layer 'banks_web' is a web layer; read it with web_bytes()"
    with pytest.raises(UnknownName) as refused:
        store.load_layer("districts.parquet")
    assert _one_line(refused).startswith("unknown layer 'districts.parquet'; layers: districts, ")


def test_a_build_older_than_a_layer_of_the_contract_is_refused(build):
    """A build made before a layer joined the contract lacks its file: refused, naming it and the fix."""
    (build / "flows.parquet").unlink()
    with pytest.raises(SourceUnavailable) as refused:
        store.load_layer("flows")
    assert _one_line(refused) == (f"built layer {build / 'flows.parquet'} is missing; fix: run `make data` "
                                  "(or `qala data build`)")
    assert len(store.load_layer("figures")) == len(_figures())  # the other layers still read


def test_no_build_and_a_damaged_manifest_are_refused(build, tmp_path, monkeypatch):
    (build / "manifest.json").write_text('{"outputs": ')
    with pytest.raises(SourceUnavailable) as refused:
        store.manifest()
    assert "is damaged" in _one_line(refused) and "run `make data`" in str(refused.value)
    monkeypatch.setenv("QALA_BUILD", str(tmp_path / "never-built"))
    for read in (store.manifest, store.version, lambda: store.load_layer("districts"), store.latest_vintages):
        with pytest.raises(SourceUnavailable) as refused:
            read()
        assert "is missing; fix: run `make data`" in _one_line(refused)


def test_a_download_format_is_csv_or_geojson(build):
    assert store.as_bytes(store.load_layer("vintages"), "csv").decode("utf-8-sig").startswith("vintage,city")
    assert json.loads(store.as_bytes(store.load_districts("Almaty"), "geojson"))["type"] == "FeatureCollection"
    with pytest.raises(UnknownName) as refused:
        store.as_bytes(store.load_layer("vintages"), "xlsx")
    assert _one_line(refused) == "unknown download format 'xlsx'; use csv or geojson"


def test_the_build_is_dated_by_its_manifest(tmp_path, monkeypatch):
    import datetime
    import os

    from geo import store as store_module

    monkeypatch.setenv("QALA_BUILD", str(tmp_path))
    (tmp_path / "manifest.json").write_text("{}")
    moment = datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC).timestamp()
    os.utime(tmp_path / "manifest.json", (moment, moment))
    assert store_module.built_on() == "2026-03-01"  # the UTC day, whatever the server's zone
