"""Time and change: the URL's change mode and dates checked against the comparable pairs; the slider's and
Play's moves over the period list; the change map's diverging classes and legend."""

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
