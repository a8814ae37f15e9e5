"""The view model on the real build: values as published, ranks, missing kept missing, escaping, rendering."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import plotly
import pytest

from dashboard.controls.sync import sync_state
from dashboard.state.query import ViewState
from dashboard.state.readable import note_parts
from dashboard.state.records import Figure
from dashboard.state.viewmodel import ViewModel
from dashboard.views import clear_render_cache, export_frame, export_table, render
from dashboard.views.panels import source_view
from geo import store


@pytest.fixture(scope="module")
def vm(built):
    return ViewModel.load()


@pytest.fixture(scope="module")
def figures(built):
    return pd.read_parquet(built / "figures.parquet")


def _tree(component) -> str:
    return json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder)


def test_missing_build_says_run_make_data(tmp_path, monkeypatch):
    from geo.errors import SourceUnavailable

    monkeypatch.setenv("QALA_BUILD", str(tmp_path))
    with pytest.raises(SourceUnavailable, match="make data"):
        ViewModel.load()


def test_web_layers_are_small_and_cover_every_district_of_their_vintage(vm, built):
    districts = gpd.read_parquet(built / "districts.parquet")
    for name, layer in vm.geo.items():
        assert len(layer.raw) < 250_000, name
        if name.startswith("v-"):
            expected = set(districts.loc[districts["vintage"] == name[2:], "district_id"].astype(str))
            assert set(layer.fids) == expected, name


def test_series_values_are_the_published_figures(vm, figures):
    for sid in vm.city_index[("Astana", "population")]:
        series = vm.series[sid]
        rows = figures[(figures["city"] == "Astana") & (figures["indicator"] == "population")
                       & (figures["period_label"] == series.label) & (figures["vintage"] == series.vintage)
                       & figures["district_id"].notna()]
        assert {str(d): float(v) for d, v in zip(rows["district_id"], rows["value"], strict=False)} == series.values


def test_ranks_follow_values_and_skip_missing(vm):
    for series in vm.series.values():
        present = {i: v for i, v in series.values.items() if v is not None}
        assert set(series.ranks) == set(present)
        if present:
            top = max(present, key=present.get)
            assert series.ranks[top] == (1, len(present))


def test_districts_without_a_figure_stay_unclassified(vm):
    state = ViewState(city="Shymkent", indicator="population", period=vm.periods("Shymkent", "concentration",
                                                                                  "population")[0])
    series = vm.find_series(state.city, state.indicator, state.period)
    hideout = render(vm, state, []).choropleth.style.hideout()
    classes = hideout.get("classes", {})
    for fid in vm.geo.get(f"v-{series.vintage}", vm.geo["empty"]).fids:
        if series.values.get(fid) is None:
            assert classes.get(fid) is None
            assert "No data" in hideout["labels"].get(fid, "No data")


def test_stance_is_the_mean_of_coded_participant_statements(vm, built):
    """The build's scores agree with the coded statements; the dashboard's 'all' reads the build's 'any' row."""
    coding = pd.read_parquet(built / "perception.parquet")
    part = coding[(coding["source_kind"] == "participant_statement") & (coding["city"] == "Almaty")]
    mean, n = vm.stance("Almaty", "all")
    assert n == len(part) and mean == pytest.approx(part["stance"].astype(float).mean())
    southern = part[part["migrant_category"] == "southerners"]
    assert vm.stance("Almaty", "southerners") == (pytest.approx(southern["stance"].astype(float).mean()), len(southern))
    assert vm.stance("Shymkent", "civil_servants") == (None, 0)
    assert vm.categories[0] == "all" and "any" not in vm.categories and "southerners" in vm.categories


def test_origin_regions_are_matched_by_name_and_ambiguous_ones_listed(vm, built):
    regions = gpd.read_parquet(built / "regions.parquet")
    turkestan = str(regions.loc[regions["name_en"].str.startswith("Turkestan"), "region_id"].iloc[0])
    items = [i for (city, _), entry in vm.origins.items() if city == "Shymkent" for i in entry.items]
    assert any(i.origin.startswith("Turkestan") and i.region_id == turkestan for i in items)
    astana = [i for (city, _), entry in vm.origins.items() if city == "Astana" for i in entry.items]
    assert all(i.region_id is None for i in astana if "ambiguous" in i.origin or "other" in i.origin)


def test_left_bank_share_is_left_over_all_districts(vm, built):
    districts = gpd.read_parquet(built / "districts.parquet")
    assert vm.left_share, "at least one date has every Astana district's population"
    for row in vm.left_share:
        series = next(vm.series[sid] for sid in vm.city_index[("Astana", "population")]
                      if vm.series[sid].label == row.label and vm.series[sid].vintage == row.vintage
                      and not vm.series[sid].n_derived)
        part = districts[(districts["vintage"] == row.vintage)]
        left = sum(series.values[str(d)] * (1.0 if b == "left" else s if b == "both" else 0.0)
                   for d, b, s in zip(part["district_id"], part["bank"], part["bank_left_share"], strict=True))
        assert row.share == pytest.approx(left / sum(series.values[str(d)] for d in part["district_id"]))
        assert row.n_districts == len(part)


def test_data_text_is_escaped_and_only_http_links_are_made(vm):
    hostile = '<img src=x onerror="alert(1)">'
    state = ViewState(city="Astana", indicator="population", period=vm.preferred_period("Astana", "concentration",
                                                                                        "population"))
    series = vm.find_series(state.city, state.indicator, state.period)
    did = next(iter(series.figures))
    original = series.figures[did]
    series.figures[did] = Figure(**{**original.__dict__, "note": hostile, "source": "javascript:alert(1) " + hostile})
    clear_render_cache()  # the figure changed under the cached views
    try:
        tree = _tree(render(vm, ViewState(**{**state.__dict__, "district": did}), []).panel)
    finally:
        series.figures[did] = original
        clear_render_cache()
    assert "dangerouslySetInnerHTML" not in tree
    assert hostile.replace('"', '\\"') in tree  # present as plain text children, which React escapes
    assert "javascript:" not in json.dumps([c for c in json.loads(tree) if isinstance(c, dict) and "href" in str(c)])
    link = source_view("see https://example.org/a?b=1 (press release)", "en")
    assert link.children[0].href == "https://example.org/a?b=1"
    assert source_view("javascript:alert(1)", "en").children == "javascript:alert(1)"


def test_every_layer_city_and_language_renders(vm):
    for layer in ("concentration", "leftbank", "perception"):
        for city in ("Astana", "Almaty", "Shymkent", "Kazakhstan"):
            for lang in ("kk", "ru", "en"):
                state, notices = sync_state(vm, "url", f"?layer={layer}&city={city}&lang={lang}", {}, None, "en")
                view = render(vm, state, notices)
                assert view.choropleth.name in vm.geo and view.panel
                assert view.context.name in vm.geo
                _tree(view.panel)
                _tree(list(view.points))


def test_click_selects_and_unselects_a_district(vm):
    controls = {"city": "Astana", "layer": "concentration", "indicator": "population", "lang": "en"}
    did = vm.districts_of_city["Astana"][0]
    state, _ = sync_state(vm, "choropleth", "", controls, {"properties": {"fid": did}}, "en")
    assert state.district == did
    state, _ = sync_state(vm, "choropleth", "", {**controls, "district": did}, {"properties": {"fid": did}}, "en")
    assert state.district is None


def test_downloads_use_the_export_helpers(vm):
    state = ViewState(city="Astana", indicator="population",
                      period=vm.preferred_period("Astana", "concentration", "population"))
    table = export_table(vm, state)
    rows = table.rows
    frame = export_frame(vm, table)
    collection = json.loads(store.as_bytes(frame, "geojson"))
    assert "crs" not in collection and len(collection["features"]) == len(rows)
    for feature in collection["features"]:
        lon, lat = feature["geometry"]["coordinates"][0][0][0] if feature["geometry"]["type"] == "MultiPolygon" \
            else feature["geometry"]["coordinates"][0][0]
        assert 40 < lon < 90 and 40 < lat < 56
    assert collection["features"][0]["properties"]["value"] == rows[0]["value"]
    frame.loc[0, "note"] = '=HYPERLINK("x")'
    csv_text = store.as_bytes(frame, "csv").decode()
    assert "'=HYPERLINK" in csv_text and "geometry_wkt" in csv_text


def _utf8(component) -> str:
    return json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder, ensure_ascii=False)


def test_content_follows_the_interface_language_with_a_marked_english_fallback(vm, built):
    clear_render_cache()
    coding = pd.read_parquet(built / "perception.parquet").set_index("id")
    ru = _utf8(render(vm, ViewState(layer="perception", city="Almaty", lang="ru"), []).panel)
    assert coding.loc["FG-ALM-01", "paraphrase_ru"] in ru and coding.loc["FG-ALM-01", "paraphrase"] not in ru
    assert ru.count("Перевод текстов проекта: Qala Atlas") == 1  # once per panel, not per row
    en = _utf8(render(vm, ViewState(layer="perception", city="Almaty", lang="en"), []).panel)
    assert coding.loc["FG-ALM-01", "paraphrase"] in en and "Qala Atlas. " not in en
    state = ViewState(city="Astana", indicator="population", lang="kk",
                      period=vm.preferred_period("Astana", "concentration", "population"))
    series = vm.find_series("Astana", "population", state.period)
    district = next(d for d, f in series.figures.items() if f.note)  # curators' notes: the project's translation
    kk = _utf8(render(vm, ViewState(**{**state.__dict__, "district": district}), []).panel)
    note = series.figures[district].note_text()
    assert note is not None and note.kk  # (the "(en)" fallback: tests/test_translations.py)
    assert note_parts(note.kk)[1] in kk and "[secondary]" not in kk  # its markers are flag chips
    assert "Көрсетілгені — халық" in kk  # layer 1 says it shows all residents, not migrants


def test_period_labels_in_three_languages(vm):
    key = next(k for k in vm.periods("Astana", "concentration", "population") if "(start)" in k)
    assert "(начало года)" in vm.period_label("Astana", "population", key, "ru")
    assert "(жыл басы)" in vm.period_label("Astana", "population", key, "kk")
    assert "(start)" in vm.period_label("Astana", "population", key)
    origin = next(k for k in vm.origin_periods("Almaty") if "arrivals_from" in k)
    assert "arrivals_from" not in vm.period_label("Almaty", "share_of_arrivals_from", origin, "ru")
