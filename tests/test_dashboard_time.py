"""Time and change: the URL's change mode and dates checked against the comparable pairs; the slider's and
Play's moves over the period list; the change map's diverging classes and legend."""

import pytest

from dashboard.controls.sync import control_options, hidden_groups
from dashboard.controls.timeline import marks, playing_after, time_outputs
from dashboard.state.query import Options, ViewState, parse_query, to_query
from dashboard.views.change import diverging

PERIODS = {("Astana", "population"): ["2013-09-01", "2019", "2025 (start)"]}
PAIRS = {("Astana", "population"): [("2013-09-01", "2019"), ("2013-09-01", "2025 (start)"),
                                    ("2019", "2025 (start)")]}
OPTIONS = Options(lambda city, layer: [] if layer == "leftbank" else ["population"],
                  lambda city, layer, ind: PERIODS.get((city, ind), []),
                  lambda city: ["711110000", "711210000"] if city == "Astana" else [],
                  change_pairs=lambda city, ind: PAIRS.get((city, ind), []),
                  every_district=lambda: ["711110000", "711210000", "751110000"])


def test_change_link_round_trips():
    state = ViewState(period="2019", change="rel", change_from="2019", change_to="2025 (start)",
                      compare="751110000", compare_date="2013-09-01", district="711110000")
    parsed, notices = parse_query(to_query(state), "en", OPTIONS)
    assert parsed == state and notices == []
    assert "chg=rel" in to_query(state) and "cmp=751110000" in to_query(state)


def test_change_defaults_to_the_widest_comparable_pair():
    state, notices = parse_query("?chg=abs", "en", OPTIONS)
    assert (state.change, state.change_from, state.change_to) == ("abs", "2013-09-01", "2025 (start)")
    assert notices == []


def test_bad_change_values_fall_back_with_notices():
    state, notices = parse_query("?chg=abs&from=1999&to=2019", "en", OPTIONS)
    assert (state.change_from, state.change_to) == ("2013-09-01", "2019")
    assert [n.what for n in notices] == ["change_from"]
    state, notices = parse_query("?chg=abs&from=2019&to=2013-09-01", "en", OPTIONS)
    assert (state.change_from, state.change_to) == ("2019", "2025 (start)")  # to must pair with from
    assert [(n.what, n.value) for n in notices] == [("change_to", "2013-09-01")]
    state, notices = parse_query("?chg=sideways", "en", OPTIONS)
    assert (state.change, state.change_from, state.change_to) == ("", None, None)
    assert [n.what for n in notices] == ["change"]
    state, notices = parse_query("?city=Almaty&chg=abs", "en", OPTIONS)  # no pair there
    assert state.change == "" and [n.what for n in notices] == ["change"]


def test_bad_compare_values_fall_back_with_notices():
    state, notices = parse_query("?district=711110000&cmp=999&cmpdate=1900", "en", OPTIONS)
    assert state.compare is None and state.compare_date is None and state.district == "711110000"
    assert [(n.what, n.value) for n in notices] == [("compare", "999"), ("compare_date", "1900")]
    state, _ = parse_query("?cmp=" + "9" * 5000, "en", OPTIONS)
    assert state.compare is None


def test_play_advances_and_stops_at_the_last_date():
    periods = PERIODS[("Astana", "population")]
    playing = ViewState(period="2019")
    assert playing_after("play-timer", False, periods, playing) is True
    assert playing_after("play-timer", False, periods, ViewState(period="2025 (start)")) is False
    assert playing_after("ctl-play", True, periods, playing) is True  # paused -> plays
    assert playing_after("ctl-play", False, periods, playing) is False  # playing -> pauses
    assert playing_after("ctl-play", True, periods, ViewState(period="2019", change="abs")) is False


def test_marks_label_first_and_last():
    ticks = marks(["2008 (creation)", "2012-08-01", "2013-02-01", "2025 (start)"])
    assert ticks["0"] == "2008" and ticks["3"] == "2025" and set(ticks) == {"0", "1", "2", "3"}


def test_diverging_classes_split_at_zero():
    classes, colors, rows = diverging({"a": -50.0, "b": -10.0, "c": 0.0, "d": 20.0, "e": None})
    assert classes["e"] is None
    assert colors[classes["c"]] == "#f7f7f7"  # zero: the neutral colour
    assert classes["a"] < classes["b"] < classes["c"] < classes["d"]
    # mapclassify's quantiles of the two falls: the median -30 splits them
    assert [(low, high) for _, low, high, _ in rows] == [(-50.0, -30.0), (-30.0, -10.0), (0.0, 0.0),
                                                          (20.0, 20.0)]


def test_real_change_map_astana_2013_to_2025(built):
    from dashboard import views
    from dashboard.controls.sync import sync_state
    from dashboard.state.viewmodel import ViewModel

    views.clear_render_cache()
    vm = ViewModel.load()
    state, notices = sync_state(vm, "url", "?city=Astana&ind=population&chg=abs&from=2013-09-01&to=2025+(start)",
                                {}, None, "en")
    assert notices == [] and state.change == "abs"
    view = views.render(vm, state)
    hideout = view.choropleth.style.hideout()
    changes = vm.time.changes[("Astana", "population", "2013-09-01", "2025 (start)")]
    assert set(hideout["classes"]) == set(changes)
    for fid, change in changes.items():
        assert change.change_abs == change.value_to - change.value_from  # the build's, shown as is
        assert "→" in hideout["labels"][fid]
    text = str(view.panel)
    assert "lineage" in text and "change-unmapped" in text
    options = control_options(vm, state)
    offered = {o["value"] for o in options["ctl-change_from"]}
    from geo import store

    table = store.load_layer("change_pairs")
    table = table[(table.city == "Astana") & (table.indicator == "population")]
    assert offered == set(table.loc[table.comparable.astype(bool), "from_period"])  # only comparable ones
    assert "2025 (start)" not in offered
    assert not hidden_groups(state, options)["grp-change-dates"]
    out = time_outputs(state, options, None, ())
    assert out[1] == len(options["ctl-period"]) - 1


class _PlayVM:
    """The two methods Play reads: every period of the dropdown, and the dates Play steps through."""

    PERIODS = ["2019", "2023", "2023 @astana-4", "2025 (start)", "2025 (start) @astana-4", "2025 (start) @astana-5"]

    def periods(self, city, layer, indicator):
        return list(self.PERIODS)

    def play_periods(self, city, layer, indicator):
        return [p for p in self.PERIODS if "@" not in p]


def _played(trigger, period, paused):
    from dashboard.controls.timeline import timed_controls

    controls = {"city": "Astana", "layer": "concentration", "indicator": "population", "period": period}
    return timed_controls(_PlayVM(), trigger, controls, None, None, None, None, paused)["period"]


def test_play_steps_over_a_periods_versions_and_restarts_from_the_first_date():
    assert _played("play-timer", "2019", False) == "2023"
    assert _played("play-timer", "2023", False) == "2025 (start)"  # not "2023 @astana-4"
    assert _played("play-timer", "2025 (start)", False) == "2025 (start)"  # the last date: it stays
    assert _played("ctl-play", "2025 (start)", True) == "2019"  # Play at the latest date starts over
    assert _played("ctl-play", "2025 (start) @astana-5", True) == "2019"  # a version of the last one too
    assert _played("ctl-play", "2023", True) == "2023"  # mid-way, Play resumes where it stands
    assert _played("play-timer", "2023", True) == "2023"  # a paused timer's tick moves nothing


def test_the_timer_stops_after_the_last_date_play_steps_through():
    periods = _PlayVM.PERIODS
    played = [p for p in periods if "@" not in p]
    assert playing_after("play-timer", False, periods, ViewState(period="2023"), played) is True
    assert playing_after("play-timer", False, periods, ViewState(period="2023 @astana-4"), played) is True
    assert playing_after("play-timer", False, periods, ViewState(period="2025 (start)"), played) is False
    assert playing_after("play-timer", False, periods, ViewState(period="2025 (start)"), None) is True


def test_a_change_map_draws_the_rest_of_the_city_grey_and_says_why(built):
    from dashboard import views
    from dashboard.controls.sync import sync_state
    from dashboard.state.viewmodel import ViewModel
    from dashboard.views.change import REST_GREY

    views.clear_render_cache()
    vm = ViewModel.load()
    pair = next(k for k, ch in vm.time.changes.items() if k[0] == "Almaty" and len(ch) == 1)
    state, notices = sync_state(vm, "url", f"?city=Almaty&ind={pair[1]}&chg=abs&from={pair[2]}&to={pair[3]}",
                                {}, None, "ru")
    assert notices == [] and (state.change_from, state.change_to) == pair[2:]
    view = views.render(vm, state)
    (unit,) = vm.time.changes[pair]
    vintage, districts = unit.split(":", 1)
    assert view.context.name == f"v-{vintage}"
    grey = view.context.style.hideout()
    assert grey["classes"] == {} and grey["nodata"] == REST_GREY  # every other district drawn grey
    rest = [fid for fid in vm.geo[f"v-{vintage}"].fids if fid not in districts.split("+")]
    line = next(p for p in view.heading if getattr(p, "id", None) == "change-rest")
    assert line.children == ("Серым: " + ", ".join(vm.place_name(f, "ru") for f in rest)
                             + ", нет значений на сопоставимых границах на обе даты")


def _svg_parts(figure):
    import json

    import plotly.utils

    svg = json.loads(json.dumps(figure, cls=plotly.utils.PlotlyJSONEncoder))["props"]["children"][0]
    return [c for c in svg["props"]["children"]]


def test_a_line_is_broken_and_marked_where_borders_changed():
    from dashboard.charts import line_chart

    points = [("2013", 100.0), ("2019", 200.0), ("2023", 150.0), ("2025", 160.0)]
    chart = line_chart(points, str, "t", xs=[2013.0, 2019.0, 2023.0, 2025.0], breaks=frozenset({2}),
                       break_label="new borders")
    parts = _svg_parts(chart)
    segments = [p for p in parts if p["type"] == "Line" and p["props"].get("stroke") == "#2c728e"]
    assert len(segments) == 2  # 2013-2019 and 2023-2025; none from 2019 to 2023
    marks = [p for p in parts if p["props"].get("className") == "chart-break"]
    assert len(marks) == 1 and "new borders" in [p["props"].get("children") for p in parts]
    xs = [float(p["props"]["cx"]) for p in parts if p["type"] == "Circle"]
    # real time: 2013 -> 2019 is three times 2023 -> 2025 on the axis
    assert (xs[1] - xs[0]) == pytest.approx(3 * (xs[3] - xs[2]), abs=0.2)
    assert float(marks[0]["props"]["x1"]) == pytest.approx((xs[1] + xs[2]) / 2, abs=0.1)


def test_a_district_is_unchanged_only_through_same_borders_at_every_step():
    from dashboard.state.timeindex import TimeIndex

    index = TimeIndex(parents={"a-4": "a-3", "a-5": "a-4", "a-6": "a-5"},
                      same={("a-5", "x"), ("a-6", "x"), ("a-6", "y")})
    assert index.unchanged("x", "a-4", "a-6") and index.unchanged("x", "a-5", "a-5")
    assert not index.unchanged("x", "a-3", "a-6")  # a-4 changed x's borders
    assert not index.unchanged("y", "a-4", "a-6")  # y changed at a-5
    assert not index.unchanged("x", "a-6", "a-4")  # a later set is never before an earlier one
    assert not index.unchanged("x", None, "a-5")


def test_esils_history_breaks_where_its_borders_changed_saryarkas_where_baikonur_took_land(built):
    from dashboard.state.query import ViewState
    from dashboard.state.viewmodel import ViewModel
    from dashboard.views.panels import history_chart

    vm = ViewModel.load()
    series = vm.find_series("Astana", "population", "2025 (start)")
    names = {v["en"]: k for k, v in vm.district_names.items() if k in vm.districts_of_city["Astana"]}
    counts = {}
    for name in ("Esil", "Saryarka"):
        chart = history_chart(vm, series, ViewState(city="Astana", indicator="population", period="2025 (start)",
                                                    district=names[name], lang="ru"))
        counts[name] = sum(p["props"].get("className") == "chart-break" for p in _svg_parts(chart))
    # Esil: land gained in 2017 (astana-3 -> 4) and Nura split off in 2022 (4 -> 5); Saryarka: Baikonur in 2018
    assert counts == {"Esil": 2, "Saryarka": 1}


def test_the_default_change_covers_the_most_districts_then_the_latest_then_the_longest():
    from dashboard.state.records import Localized
    from dashboard.state.timeindex import Pair, TimeIndex

    def pair(a, b, n, comparable=True):
        return Pair(a, b, Localized(a), Localized(b), comparable, "same boundaries", None, n, a, b)

    index = TimeIndex(pairs={("Astana", "population"): [
        pair("2008", "2015", 1), pair("2013", "2015", 3), pair("2014", "2015", 3), pair("2013", "2014", 3),
        pair("2015", "2025", 6, comparable=False), pair("2019", "2025", 1)]})
    assert index.preferred_pair("Astana", "population") == ("2013", "2015")
    assert index.preferred_pair("Almaty", "population") is None
    options = Options(lambda city, layer: ["population"], lambda city, layer, ind: ["2008", "2013", "2015"],
                      lambda city: [], change_pairs=index.comparable, preferred_pair=index.preferred_pair)
    state, notices = parse_query("?city=Astana&chg=abs", "en", options)
    assert (state.change_from, state.change_to, notices) == ("2013", "2015", [])
    state, _ = parse_query("?city=Astana&chg=abs&from=2008", "en", options)  # a given start keeps its latest end
    assert (state.change_from, state.change_to) == ("2008", "2015")


def test_a_circa_date_is_ticked_by_its_year_an_undated_one_by_its_words():
    periods = [f"{2000 + i}" for i in range(5)] + ["c. 2023-03 (25th anniversary)"] + \
        [f"{2010 + i}" for i in range(4)] + ["n.d. (gov.kz page)"]
    labels = [*periods[:5], "шамамен 2023-03 (25 жыл)", *periods[6:10], "күні жоқ (gov.kz беті)"]
    ticks = marks(periods, labels)
    assert ticks["5"] == "2023" and ticks["10"] == "күні жоқ"  # never "шамамен 2023-03" under the slider


def test_a_change_on_boundaries_the_build_never_mapped_says_so_over_the_map_and_frames_the_city(built):
    """Astana's 2013 -> 2015 change (three districts of the 2008-2018 boundaries, which have no map in the
    build): the notice over the map names them, the city's outline is drawn; a drawn change says nothing."""
    from dashboard import views
    from dashboard.controls.sync import sync_state
    from dashboard.state.viewmodel import ViewModel

    views.clear_render_cache()
    vm = ViewModel.load()
    unmapped = next(k for k, ch in vm.time.changes.items() if k[0] == "Astana"
                    and not vm.geo[next(iter(ch.values())).layer].fids)
    state, _ = sync_state(vm, "url", f"?city=Astana&ind={unmapped[1]}&chg=abs&from={unmapped[2]}&to={unmapped[3]}"
                          "&lang=ru", {}, None, "ru")
    view = views.render(vm, state)
    names = [c.names["ru"] for c in vm.time.changes[unmapped].values()]
    assert len(view.notices) == 1 and view.notices[0].startswith("Не нарисовано")
    assert all(name in view.notices[0] for name in names)
    assert view.context.name == "cities"
    drawn = next(k for k, ch in vm.time.changes.items() if k[0] == "Almaty" and vm.geo[next(iter(ch.values())).layer].fids)
    state, _ = sync_state(vm, "url", f"?city=Almaty&ind={drawn[1]}&chg=abs&from={drawn[2]}&to={drawn[3]}", {}, None,
                          "ru")
    assert views.render(vm, state).notices == ()
