"""Published survey datasets in the dashboard, on a small hand-made dataset (no build needed): the link's
``ds``/``item``, the survey view's classes and hatching, its legend, district details and downloads; and, on the
real build, a dataset published from the synthetic demo survey, whose downloads hold no respondent's row."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace
from urllib.parse import parse_qs

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from dashboard.classify import NO_DATA_COLOR, palette, suppressing_palette
from dashboard.controls.sync import control_options, hidden_groups, options_for
from dashboard.state.published import PublishedIndex
from dashboard.state.query import parse_query, to_query
from dashboard.state.records import geolayer
from dashboard.state.viewmodel import ViewModel
from dashboard.views import clear_render_cache, export_frame, export_table, render, survey, view_module

A, B, C, D, E = "711110000", "711210000", "711310000", "711410000", "711510000"
NAN = np.nan
META = {"name": "demo", "version": "v2", "title": "SYNTHETIC: Demo survey", "source": "qala demo",
        "period": "2024", "method": "random walk, weighted", "licence": "CC-BY 4.0", "n": 81,
        "cities": ["Astana"], "vintages": ["astana-6"], "items": [{"item": "Q1", "low": 1.0, "high": 5.0}],
        "groups": ["migrant", "local"], "min_n": 10, "created": "2025-01-02T03:04:05+00:00",
        "checksum": "ab" * 32, "synthetic": True}


def hand_frame() -> gpd.GeoDataFrame:
    """Five Astana districts: A good, B poor, C too few respondents, D suppressed to protect C (complementary),
    E with no respondent at all."""
    rows = {
        "district_id": [A, B, C, D, E], "city": ["Astana"] * 5, "vintage": ["astana-6"] * 5,
        "name_en": ["Alpha", "Beta", "Gamma", "Delta", "Epsilon"],
        "name_ru": ["Альфа", "Бета", "Гамма", "Дельта", "Эпсилон"],
        "name_kk": ["Альфа", "Бета", "Гамма", "Дельта", "Эпсилон"],
        "count": [41.5, 12.25, NAN, NAN, 0], "n_rows": [40, 12, NAN, NAN, 0],
        "share_of_city": [0.4, 0.12, NAN, NAN, 0.0], "per_1000": [0.5, 0.25, NAN, NAN, 0.0],
        "suppressed": [False, False, True, True, False],
        "Q1_mean": [3.4, 2.0, NAN, NAN, NAN], "Q1_ci_low": [3.1, 1.2, NAN, NAN, NAN],
        "Q1_ci_high": [3.7, 2.8, NAN, NAN, NAN], "Q1_n": [40, 12, 4, 15, 0],
        "Q1_n_eff": [32.5, 9.0, NAN, NAN, NAN], "Q1_top_share": [0.25, 0.1, NAN, NAN, NAN],
        "Q1_top_ci_low": [0.15, 0.0, NAN, NAN, NAN], "Q1_top_ci_high": [0.35, 0.3, NAN, NAN, NAN],
        "Q1_reliability": ["good", "poor", "suppressed", "suppressed", None],
        "Q1_suppressed": [False, False, True, True, False], "Q1_shrunk_mean": [3.38, 2.45, NAN, NAN, NAN],
        "lq_migrant": [1.25, 0.5, 0.0, NAN, NAN], "lq_low_migrant": [1.05, 0.2, NAN, NAN, NAN],
        "lq_high_migrant": [1.45, 0.8, NAN, NAN, NAN], "count_migrant": [20.5, 3.0, 0.0, NAN, 0],
    }
    shapes = [box(71.40 + 0.02 * i, 51.10, 71.41 + 0.02 * i, 51.12) for i in range(5)]
    return gpd.GeoDataFrame(rows, geometry=shapes, crs="EPSG:4326")


DIST_A = {"1": 0.1, "2": 0.2, "3": 0.25, "4": 0.3, "5": 0.15}


def hand_scores() -> pd.DataFrame:
    """City estimates (all, and one group's), and the district rows with their answer distributions: C's is
    suppressed yet carries one here, which must never be shown."""
    dist = [None, None, json.dumps(DIST_A), json.dumps({"1": 0.5, "2": 0.5, "3": 0, "4": 0, "5": 0}),
            json.dumps({"1": 0.25, "2": 0.75, "3": 0, "4": 0, "5": 0})]
    return pd.DataFrame({"city": ["Astana"] * 5, "level": ["city", "city", "district", "district", "district"],
                         "district_id": [None, None, A, B, C], "item": ["Q1"] * 5,
                         "group": [None, "migrant", "all", "all", "all"], "n": [71, 30, 40, 12, NAN],
                         "mean": [3.05, 2.9, 3.4, 2.0, NAN], "ci_low": [2.8, 2.5, 3.1, 1.2, NAN],
                         "ci_high": [3.3, 3.3, 3.7, 2.8, NAN], "suppressed": [False, False, False, False, True],
                         "dist": dist})


def hand_differences() -> pd.DataFrame:
    """migrant minus local: A shown; B suppressed as published; D published with a side below min_n (the
    dashboard still hides it); Astana as a whole shown (a negative difference)."""
    return pd.DataFrame({"city": ["Astana"] * 4, "level": ["district", "district", "district", "city"],
                         "district_id": [A, B, D, None], "item": ["Q1"] * 4, "group_a": ["migrant"] * 4,
                         "group_b": ["local"] * 4, "diff": [0.4, NAN, 0.9, -0.3], "se": [0.15, NAN, 0.3, 0.12],
                         "ci_low": [0.1, NAN, 0.2, -0.55], "ci_high": [0.7, NAN, 1.6, -0.05],
                         "n_a": [20, NAN, 5, 30], "n_b": [20, NAN, 10, 41], "suppressed": [False, True, False, False]})


def outlined_model() -> ViewModel:
    """A view model with nothing but Astana's outline as the cities and regions layers."""
    model = ViewModel()
    outline = {"type": "Feature", "properties": {"city": "Astana", "name_en": "Astana"},
               "geometry": box(71.3, 51.0, 71.6, 51.3).__geo_interface__}
    model.geo["cities"] = geolayer("cities", {"type": "FeatureCollection", "features": [outline]}, "city")
    model.geo["regions"] = geolayer("regions", {"type": "FeatureCollection", "features": [
        {**outline, "properties": {"region_id": "r1"}}]}, "region_id")
    return model


@pytest.fixture()
def vm() -> ViewModel:
    clear_render_cache()
    model = outlined_model()
    index = PublishedIndex()
    index.add(META, hand_frame(), hand_scores(), differences=hand_differences())
    model.attach_published(index)
    yield model
    clear_render_cache()


def parse(vm: ViewModel, query: str):
    return parse_query(query, "en", options_for(vm))


# ----------------------------------------------------------------------------------------------- the link


def test_link_with_dataset_and_item_reopens_it(vm):
    state, notices = parse(vm, "?layer=perception&ds=demo&item=Q1&lang=ru")
    assert (state.layer, state.dataset, state.item, notices) == ("perception", "demo", "Q1", [])
    query = parse_qs(to_query(state).lstrip("?"))
    assert query["ds"] == ["demo"] and query["item"] == ["Q1"]
    assert parse(vm, to_query(state))[0] == state
    assert view_module(state) is survey


def test_bad_dataset_and_item_fall_back_with_notices(vm):
    state, notices = parse(vm, "?layer=perception&ds=nope&item=Q1")
    assert (state.dataset, state.item) == ("", "")
    assert [(n.value, n.default) for n in notices] == [("nope", "-")]
    assert notices[0].what == "published dataset"
    state, notices = parse(vm, "?layer=perception&ds=demo&item=Q9")
    assert (state.dataset, state.item) == ("demo", "Q1")
    assert [(n.what, n.value, n.default) for n in notices] == [("survey item", "Q9", "Q1")]
    state, notices = parse(vm, "?layer=leftbank&ds=demo")  # layer 2 has no published datasets
    assert state.dataset == "" and [n.value for n in notices] == ["demo"]
    state, notices = parse(vm, "?layer=perception&ds=demo")  # no item: the first one, no notice
    assert (state.item, notices) == ("Q1", [])


def test_layer_one_offers_the_counts_and_quotients(vm):
    assert vm.published.keys("demo", "concentration") == ["count", "share_of_city", "per_1000", "lq_migrant"]
    assert vm.published.keys("demo", "perception") == ["Q1"]
    state, notices = parse(vm, "?layer=concentration&ds=demo&item=Q1")  # a score item is not a layer-1 measure
    assert (state.item, [n.value for n in notices]) == ("count", ["Q1"])
    options = control_options(vm, state)
    assert [o["value"] for o in options["ctl-dataset"]] == ["demo"]
    assert options["ctl-dataset"][0]["label"] == "SYNTHETIC: Demo survey"
    labels = {o["value"]: o["label"] for o in options["ctl-item"]}
    assert labels["lq_migrant"] == "Location quotient: migrant"
    hidden = hidden_groups(state, options)
    assert not hidden["grp-dataset"] and not hidden["grp-item"] and hidden["grp-indicator"]
    ru = control_options(vm, replace(state, lang="ru"))["ctl-dataset"][0]["label"]
    assert ru.startswith("СИНТЕТИКА") and "SYNTHETIC" in ru


# ------------------------------------------------------------------------------------------- the survey view


def test_classes_suppression_and_hatching(vm):
    state = parse(vm, "?layer=perception&ds=demo&item=Q1&k=2")[0]
    view = render(vm, state)
    hideout = view.choropleth.style.hideout()
    assert view.choropleth.name == "pub-demo" and view.choropleth.url.startswith("/qala/geo/pub-demo.geojson")
    colors = palette("viridis", 2)
    washed = suppressing_palette(colors)
    # quantiles of the two values shown (3.4, 2.0) in two classes: B low, A high; C and D suppressed; E no data.
    # Value-suppressing colours: A (good) keeps its class colour (class 1); B (poor) takes the poor row's colour
    # of class 0 (0 + 2 classes x rank 2 = 4); suppressed ones the colour after all six.
    assert hideout["colors"] == [*washed["good"], *washed["fair"], *washed["poor"], survey.SUPPRESSED_COLOR]
    assert washed["good"] == colors and washed["poor"][0] == washed["poor"][1]  # poor: the two classes merged
    assert hideout["classes"] == {A: 1, B: 4, C: 6, D: 6, E: None}
    assert hideout["nodata"] == NO_DATA_COLOR != survey.SUPPRESSED_COLOR
    assert hideout["hatched"] == {C: True, D: True}  # a poor mean is said by its colour, not hatched
    assert "fewer than 10 respondents" in hideout["why"][C] and B not in hideout["why"]
    assert hideout["labels"][A] == "3.40 (95 % CI 3.10–3.70), n = 40 · good"
    assert hideout["labels"][D].startswith("suppressed")
    assert "15" not in hideout["labels"][D]  # a suppressed district's n is not shown either


def test_legend_says_suppressed_hatched_and_synthetic(vm):
    view = render(vm, parse(vm, "?layer=perception&ds=demo&item=Q1&k=2")[0])
    text = str(view.legend)
    assert "Legend · SYNTHETIC" in text
    assert "legend-suppressed" in text and "legend-uncertainty" in text and "legend-poor" not in text
    assert "fewer than 10 respondents (or effectively fewer, or one or two carry most of the weight), or hidden so that such a value cannot be worked back" in text
    assert "the less reliable an estimate, the greyer its colour" in text and "'poor'" in text
    assert "'No data'" in text  # E: no respondent at all, which is not a suppressed estimate
    heading = str(view.heading)
    assert "SYNTHETIC: Demo survey" in heading and "random walk, weighted" in heading and "2024" in heading
    assert "CC-BY 4.0" in heading and "Q1 · scale 1-5" in heading


def test_district_details_show_n_interval_reliability_and_shrunk_mean(vm):
    view = render(vm, parse(vm, f"?layer=perception&ds=demo&item=Q1&district={A}")[0])
    details = str(view.details[0])
    for expected in ("Alpha", "'3.40'", "'3.10–3.70'", "'40'", "'32.5'", "25 % (95 % CI 15 %–35 %)", "'good'",
                     "'3.38'"):
        assert expected in details, expected
    assert details.index("'3.40'") < details.index("'3.38'")  # the raw mean first, the shrunk one beside it
    view = render(vm, parse(vm, f"?layer=perception&ds=demo&item=Q1&district={C}&lang=ru")[0])
    assert "Меньше 10" not in str(view.details[0]) and "меньше 10 респондентов" in str(view.details[0])
    table = str(view.details[-2])
    assert "Астана в целом" in table and "3.05" in table and "2.80–3.30" in table  # the city's own estimate
    assert "2.90" not in table  # a group's city estimate is not the city's


def test_district_details_show_the_answer_distribution_never_for_a_suppressed_cell(vm):
    view = render(vm, parse(vm, f"?layer=perception&ds=demo&item=Q1&district={A}")[0])
    details = view.details[0]
    bars = next(c for c in details.children if getattr(c, "id", None) == "district-dist")
    rows = [(r.children[0].children, r.children[1].children.style["width"], r.children[2].children)
            for r in bars.children.children]
    # one bar per scale point, as wide as its share of the whole (not of the largest share)
    assert rows == [("point 1", "10%", "10 %"), ("point 2", "20%", "20 %"), ("point 3", "25%", "25 %"),
                    ("point 4", "30%", "30 %"), ("point 5", "15%", "15 %")]
    assert "Answers by scale point (weighted shares)" in str(details)
    assert "'балл 3'" in str(render(vm, parse(vm, f"?layer=perception&ds=demo&item=Q1&district={A}&lang=ru")[0])
                              .details[0])
    for fid in (C, D):  # suppressed (C's table row carries a distribution all the same), and its complement
        shown = str(render(vm, parse(vm, f"?layer=perception&ds=demo&item=Q1&district={fid}")[0]).details[0])
        assert "district-dist" not in shown and "point 1" not in shown and "75 %" not in shown
    assert (("Q1", C) not in vm.published.datasets["demo"].dists) and ("Q1", B) in vm.published.datasets["demo"].dists


def test_group_differences_in_district_details_and_the_city_rows(vm):
    details = str(render(vm, parse(vm, f"?layer=perception&ds=demo&item=Q1&district={A}")[0]).details[0])
    assert "Difference between groups" in details and "'migrant minus local'" in details
    assert "'+0.40'" in details and "'+0.10 … +0.70'" in details and "'20 / 20'" in details
    assert "mean answer of «migrant» minus the mean answer of «local»: above 0" in details
    beta = str(render(vm, parse(vm, f"?layer=perception&ds=demo&item=Q1&district={B}")[0]).details[0])
    assert "'migrant minus local'" in beta and "suppressed (fewer than 10 respondents" in beta
    assert "+0." not in beta and "\u2212" not in beta  # a suppressed difference shows no number
    ds = vm.published.datasets["demo"]
    hidden = ds.differences[("Q1", D)][0]  # published with n_a 5 < 10: hidden all the same
    assert hidden.suppressed and (hidden.diff, hidden.n_a, hidden.n_b) == (None, None, None)
    view = render(vm, parse(vm, "?layer=perception&ds=demo&item=Q1&lang=ru")[0])
    table = str(view.details[-2])
    assert "Астана в целом: migrant минус local" in table
    assert "'\u22120.30'" in table and "'\u22120.55 … \u22120.05'" in table and "'30 / 41'" in table
    assert "Разница: средний ответ группы «migrant» минус средний ответ группы «local»" in table
    kk = str(render(vm, parse(vm, f"?layer=perception&ds=demo&item=Q1&district={A}&lang=kk")[0]).details[0])
    assert "Топтар арасындағы айырмашылық" in kk and "migrant минус local" in kk
    count = str(render(vm, parse(vm, f"?layer=concentration&ds=demo&item=count&district={A}")[0]).details)
    assert "district-differences" not in count and "minus" not in count  # a count measure has no groups' means


def test_location_quotient_view_keeps_its_interval(vm):
    state = parse(vm, f"?layer=concentration&ds=demo&item=lq_migrant&district={A}")[0]
    view = render(vm, state)
    labels = view.choropleth.style.hideout()["labels"]
    assert labels[A] == "1.25 (95 % CI 1.05–1.45), n = 40"  # n: the district's respondents
    assert labels[C].startswith("suppressed")  # the district is suppressed: its group's 0.0 is not shown
    assert "'1.05–1.45'" in str(view.details[0])
    count = render(vm, replace(state, item="share_of_city")).choropleth.style.hideout()["labels"]
    assert count[A].startswith("40.0 %") and count[C].startswith("suppressed") and count[E].startswith("0.0 %")


def test_downloads_carry_the_interval_columns_and_no_respondent_row(vm):
    state = parse(vm, "?layer=perception&ds=demo&item=Q1")[0]
    table = export_table(vm, state)
    frame = export_frame(vm, table)
    assert table.layer == "pub-demo" and len(frame) == 5  # one row per district, nothing else
    assert {"value", "ci_low", "ci_high", "n", "n_eff", "top_share", "top_ci_low", "top_ci_high", "reliability",
            "suppressed", "shrunk_mean", "source", "period", "method", "licence", "synthetic"} <= set(frame.columns)
    row = frame.set_index("fid").loc[A]
    assert (row["value"], row["ci_low"], row["ci_high"], row["n"]) == (3.4, 3.1, 3.7, 40)
    suppressed = frame.set_index("fid").loc[C]
    assert bool(suppressed["suppressed"]) and pd.isna(suppressed["value"]) and pd.isna(suppressed["n"])
    assert frame.geometry.notna().all()


def test_a_damaged_dataset_is_left_out_and_the_rest_serves(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("QALA_DATASETS", str(tmp_path))
    (tmp_path / "broken" / "v1").mkdir(parents=True)
    (tmp_path / "broken" / "v1" / "metadata.json").write_text("{not json", encoding="utf-8")
    index = PublishedIndex.load()
    assert index.datasets == {} and index.skipped and index.skipped[0].startswith("broken:")
    assert "left out" in capsys.readouterr().err


# ------------------------------------------------------------------------------------- the demo, end to end


def qala(*args: str, env: dict) -> str:
    done = subprocess.run([sys.executable, "-m", "geo.cli", *args], capture_output=True, text=True, env=env,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def demo_datasets(built, tmp_path_factory):
    """The synthetic demo survey joined and published into a temporary datasets folder."""
    import os

    folder = tmp_path_factory.mktemp("published")
    env = {**os.environ, "QALA_DATASETS": str(folder / "datasets")}
    qala("demo", "survey", "-o", str(folder / "survey.csv"), env=env)
    qala("join", str(folder / "survey.csv"), "--city-col", "Город", "--district-col", "Район", "--group-col",
         "Группа", "--weight-col", "Вес", "--score", "Q1:1-5", "--score", "Q2:1-5", "--permutations", "0",
         "--h3-res", "-o", str(folder / "out"), env=env)
    qala("publish", str(folder / "out"), "--name", "demo", "--title", "Demo survey", "--source", "qala demo",
         "--period", "2024", env=env)
    return folder


def test_demo_dataset_serves_and_its_download_holds_no_respondent(demo_datasets, monkeypatch):
    monkeypatch.setenv("QALA_DATASETS", str(demo_datasets / "datasets"))
    clear_render_cache()
    vm = ViewModel.load()
    survey_rows = pd.read_csv(demo_datasets / "survey.csv", sep=";", dtype=str)
    state, notices = parse_query("?layer=perception&ds=demo&item=Q1&city=Almaty", "en", options_for(vm))
    assert notices == [] and state.dataset == "demo"
    view = render(vm, state)
    assert "SYNTHETIC" in str(view.heading) and "SYNTHETIC" in str(view.legend)
    ds = vm.published.datasets["demo"]
    assert set(ds.cities) == {"Almaty", "Astana", "Shymkent"}
    assert ds.meta["n"] == len(survey_rows)
    for fmt_state in (state, replace(state, layer="concentration", item="count")):
        frame = export_frame(vm, export_table(vm, fmt_state))
        assert len(frame) == len(ds.city_of) < len(survey_rows)  # one row per district
        answers = [c for c in survey_rows.columns if c != "source"]  # weights, answers, city, district, group
        assert not set(answers) & set(frame.columns)  # no column of a respondent's answers or weight
        assert frame["fid"].is_unique
    # the group differences reach the index through the store, and agree with the groups' own means
    from geo import store
    from geo.errors import UnknownName

    published = store.load_published_table("demo", "score_differences")
    assert published is not None and len(published) == ds.meta["files"]["score_differences.parquet"]["rows"]
    with pytest.raises(UnknownName, match="unknown published table"):
        store.load_published_table("demo", "districts")
    scores = store.load_published("demo")[1]
    means = {(r["item"], str(r["district_id"]), r["group"]): r["mean"] for r in
             scores[scores["level"] == "district"].to_dict("records")}
    shown = [(key, d) for key, pairs in ds.differences.items() for d in pairs if not key[1].startswith("city:")]
    assert any(d.suppressed for _, d in shown) and sum(not d.suppressed for _, d in shown) >= 5
    for (item, fid), d in shown:
        if not d.suppressed:
            assert d.diff == pytest.approx(means[(item, fid, d.group_a)] - means[(item, fid, d.group_b)])
            assert d.ci_low < d.diff < d.ci_high and min(d.n_a, d.n_b) >= ds.min_n
    for (item, fid), shares in ds.dists.items():
        assert not ds.cells[item][fid].suppressed and sum(v for _, v in shares) == pytest.approx(1, abs=1e-5)
    assert len(ds.dists) == sum(not c.suppressed and c.value is not None for k in ("Q1", "Q2")
                                for c in ds.cells[k].values())
    clear_render_cache()


def test_the_brief_ranks_and_reads_a_survey_view_from_its_released_estimates(vm):
    """Alpha 3.40 (3.10-3.70) over Beta 2.00 (1.20-2.80): ranked so, their intervals apart (2.80 < 3.10) so the
    difference is said to be sure; Gamma and Delta suppressed (counted, not drawn), Epsilon without a value."""
    from dashboard.brief.parts import Ranked, chart_svg, ranked, reading

    state, _ = parse(vm, "?layer=perception&ds=demo&item=Q1&city=Astana&lang=en")
    rows = ranked(vm, state)
    assert rows[:2] == [Ranked("Alpha", 3.4, 3.1, 3.7), Ranked("Beta", 2.0, 1.2, 2.8)]
    assert {(r.name, r.value, r.hidden) for r in rows[2:]} == {("Gamma", None, True), ("Delta", None, True),
                                                               ("Epsilon", None, False)}
    assert [r.name for r in rows[2:]] == ["Delta", "Epsilon", "Gamma"]  # no value: by name
    said = reading(rows, "en")
    assert said == ["Highest: Alpha (3.40); lowest: Beta (2.00).",
                    "The 95 % intervals of Alpha and Beta do not overlap: the difference is beyond chance.",
                    "2 district(s) suppressed (too few respondents, or to protect such a value).",
                    "1 district(s) without a sourced value."]
    chart = chart_svg(rows, "en")
    assert chart.count("<circle") == 2 and "Gamma" not in chart and ">3.40<" in chart and ">2.00<" in chart
    other_city, _ = parse(vm, "?layer=perception&ds=demo&item=Q1&city=Almaty&lang=en")
    assert ranked(vm, other_city) == []  # the dataset holds Astana only: nothing of it on Almaty's brief


def test_the_brief_of_a_survey_view_reads_as_estimates_with_the_dataset_s_period(vm):
    """A (3.40, 3.10-3.70, n 40, good), B (2.00, poor), C and D suppressed in words, E without respondents:
    the brief's values are the released estimates with interval, n and reliability, in the page's language,
    with the dataset's period and source (never another indicator's period or a raw dump of fields)."""
    from dashboard.brief import document as brief

    state, _ = parse(vm, "?layer=perception&ds=demo&item=Q1&city=Astana&lang=ru&period=2022")
    rows = {r.fid: r for r in brief.value_rows(vm, state)}
    assert rows[A].value == "3.40 (3.10–3.70), n 40 · хорошая"
    assert rows[A].estimate == ("3.40", "3.10–3.70", "40", "хорошая") and rows[C].estimate is None  # columns
    assert rows[B].value == "2.00 (1.20–2.80), n 12 · низкая"
    assert rows[C].value == rows[D].value == "скрыто" and rows[E].value is None
    assert {r.period for r in rows.values()} == {"2024"} and {r.source for r in rows.values()} == {"qala demo"}
    assert rows[A].unit == "шкала 1-5" and not any("=" in (r.value or "") for r in rows.values())
    view = render(vm, state)
    _title, period = brief.title_parts(vm, state, view)
    assert period == "Период: 2024 · Источник: qala demo · Лицензия: CC-BY 4.0"  # the dataset's own source, licence


def test_the_brief_draws_the_value_suppressing_legend_as_a_grid(vm):
    from dashboard.brief.legend import legend_html

    view = render(vm, parse(vm, "?layer=perception&ds=demo&item=Q1&k=2")[0])
    html = legend_html(view, True, "en")
    grid = re.search(r'<table class="legend-grid">(.*?)</table>', html).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", grid)
    assert [re.findall(r"<td>([a-z]+)</td>", r)[:1] for r in rows[1:]] == [["good"], ["fair"], ["poor"]]
    washed = suppressing_palette(palette("viridis", 2))
    assert re.findall(r"background:(#[0-9a-f]{6})", rows[3]) == washed["poor"][:2]
    assert "the greyer its colour" in html and "2.00" not in html.split("<table")[0]  # no flattened grid text
