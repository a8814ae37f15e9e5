"""Two dates side by side: one classification of both dates' values (hand-computed breaks), each map on the
boundaries of its date with its caption, the second map only while asked for, and the button's on/off."""

from types import SimpleNamespace

from dashboard.views.twomaps import active, shared_classes


def _series(values):
    return SimpleNamespace(values=values)


def test_shared_classes_cover_both_dates_by_hand():
    first = _series({"x": 1.0, "y": 5.0, "z": 9.0})
    second = _series({"x": 5.0, "y": 13.0, "w": None})
    # equal intervals over 1, 5, 9, 5, 13 (both dates): width 6, so breaks at 7 and 13
    cls, a, b = shared_classes(first, second, "equal_interval", 2)
    assert cls.lower == 1.0 and cls.bins == (7.0, 13.0)  # 13 exists only at the second date
    assert a == {"x": 0, "y": 0, "z": 1} and b == {"x": 0, "y": 1, "w": None}  # missing stays unclassed
    assert a["y"] == b["x"]  # the same value (5) is the same class on both sides
    assert cls.counts == (3, 2)
    # own breaks: the upper bound of the values is added, as for one date
    cls, a, b = shared_classes(first, second, "user_defined", 5, "4, 10")
    assert cls.bins == (4.0, 10.0, 13.0)
    assert a == {"x": 0, "y": 1, "z": 1} and b == {"x": 1, "y": 2, "w": None}


def test_active_only_for_another_date_of_layer_one():
    from dashboard.state.query import ViewState

    on = ViewState(period="2025 (start)", compare_date="2019")
    assert active(on)
    assert not active(ViewState(period="2019", compare_date="2019"))
    assert not active(ViewState(period="2019"))
    assert not active(ViewState(period="2025 (start)", compare_date="2019", change="abs"))
    assert not active(ViewState(period="2025 (start)", compare_date="2019", layer="perception"))
    assert not active(ViewState(period="2025 (start)", compare_date="2019", city="Kazakhstan"))


def _state(vm, query):
    from dashboard.controls.sync import sync_state

    state, notices = sync_state(vm, "url", query, {}, None, "en")
    assert notices == []
    return state


def test_astana_2025_beside_2013_and_2025_on_astana_4(built):
    from dashboard import views
    from dashboard.state.viewmodel import ViewModel

    views.clear_render_cache()
    vm = ViewModel.load()
    # 2013-09-01 is on astana-3, whose boundaries the build does not serve: outlines, and the caption says so
    state = _state(vm, "?city=Astana&ind=population&period=2025+(start)&cmpdate=2013-09-01")
    second = views.second_map(vm, state)
    assert "v-astana-3" not in vm.geo and second.choropleth.name == "cities"
    assert second.choropleth.style.outline
    assert "2013-09-01 · boundaries 2008–2018" in second.caption and "not available" in second.caption
    assert "boundaries since 2024" in second.first_caption and "2025" in second.first_caption
    assert "astana-" not in second.caption + second.first_caption  # named by their dates, never by code
    old = vm.find_series("Astana", "population", "2013-09-01")
    new = vm.find_series("Astana", "population", "2025 (start)")
    values = [v for s in (old, new) for v in s.values.values() if v is not None]
    assert second.classification.lower == min(values) and second.classification.bins[-1] == max(values)
    assert sum(second.classification.counts) == len(values)  # both dates' values are in the breaks

    # the same date on astana-4 (4 districts) beside astana-6 (6): two served layers, one set of classes
    state = _state(vm, "?city=Astana&ind=population&period=2025+(start)&cmpdate=2025+(start)+@astana-4")
    second = views.second_map(vm, state)
    first = views.render(vm, state)
    assert first.choropleth.name == "v-astana-6" and second.choropleth.name == "v-astana-4"
    one, two = first.choropleth.style.hideout(), second.choropleth.style.hideout()
    assert one["colors"] == two["colors"]
    other = vm.find_series("Astana", "population", "2025 (start) @astana-4")
    same = [fid for fid, v in other.values.items() if v is not None and new.values.get(fid) == v]
    assert same  # Saryarka and Almaty hold the same figure at both
    for fid in same:
        assert one["classes"][fid] == two["classes"][fid]
    assert "twomaps-shared" in str(first.legend)
    assert "boundaries 2018–2022" in second.caption and "boundaries since 2024" in second.first_caption
    # without a compare date: one map, and the first page carries no second map
    plain = _state(vm, "?city=Astana&ind=population&period=2025+(start)")
    assert views.second_map(vm, plain) is None
    assert "twomaps-shared" not in str(views.render(vm, plain).legend)


def test_page_and_draw_outputs(built):
    import json

    import plotly
    from dash import no_update

    from dashboard.controls.timeline import timed_controls
    from dashboard.page.callbacks import second_outputs
    from dashboard.page.layout import serve_layout
    from dashboard.state.viewmodel import ViewModel
    from dashboard.views import second_map

    vm = ViewModel.load()
    query = "?city=Astana&ind=population&period=2025+(start)&cmpdate=2019-06-01&lang=ru"
    page = json.dumps(serve_layout(vm, query), cls=plotly.utils.PlotlyJSONEncoder)
    assert '"twomap-layer"' in page and "mapwrap two-maps" in page and "2019-06-01" in page
    plain = json.dumps(serve_layout(vm, "?city=Astana&ind=population"), cls=plotly.utils.PlotlyJSONEncoder)
    assert '"twomap-layer"' not in plain and "two-maps" not in plain
    second = second_map(vm, _state(vm, query))
    made = second_outputs(second, [], "ru")
    assert made[1] == "mapwrap two-maps" and made[3] is False and made[4:] == ([], [], [])
    kept = second_outputs(second, [second.choropleth.url], "ru")
    assert kept[0] is no_update and kept[4] == [no_update] and kept[6] == [second.caption]
    gone = second_outputs(None, [second.choropleth.url], "ru")
    assert gone[0] == [] and gone[1] == "mapwrap" and gone[3] is True
    # the button: on at the earliest other date whose boundaries are served, off again
    controls = {"city": "Astana", "layer": "concentration", "indicator": "population", "period": "2025 (start)",
                "compare_date": None}
    on = timed_controls(vm, "ctl-twomaps", controls, 0, 0, 0, 1, True)
    assert on["compare_date"] == "2019-06-01"  # 2008 .. 2015 are on astana-3, not served
    assert timed_controls(vm, "ctl-twomaps", on, 0, 0, 0, 2, True)["compare_date"] is None
