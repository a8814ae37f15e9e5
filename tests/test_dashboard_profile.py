"""A district's profile: opened by a link or the panel's choice, it lists every indicator of the district with a
sourced value once (the map's at the map's date), read back against the build's figures table."""

from types import SimpleNamespace

from dashboard.state.query import Options, parse_query
from dashboard.state.records import Figure, Series
from dashboard.views.profile import _city_figure

OPTIONS = Options(lambda city, layer: ["population"], lambda city, layer, ind: ["2019", "2025"],
                  lambda city: ["711210000"] if city == "Astana" else [],
                  change_pairs=lambda city, ind: [("2019", "2025")])


def test_a_profile_needs_a_district_of_a_city_on_layer_one():
    assert parse_query("?city=Astana&district=711210000&profile=1", "en", OPTIONS)[0].profile == "1"
    for query in ("?city=Astana&profile=1", "?city=Astana&district=711210000&profile=yes",
                  "?city=Astana&district=711210000&profile=1&chg=abs", "?city=Astana&layer=perception&profile=1"):
        assert parse_query(query, "en", OPTIONS)[0].profile == "", query
    state, _ = parse_query("?city=Astana&district=711210000&profile=1", "en", OPTIONS)
    from dashboard.state.query import to_query

    assert "profile=1" in to_query(state) and "profile" not in to_query(state.__class__())


def _figure(fid, value, label, source="SYNTHETIC test"):
    return Figure(figure_id=fid, value=value, unit="persons", period_label=label, period_start=None,
                  period_end=None, source=source, note=None, confidence=(), derived=False, method=None,
                  vintage=None)


def test_the_city_value_is_the_citys_own_figure_of_the_same_period_or_none():
    def series(label, figures):
        return Series(sid=label, city="Kazakhstan", indicator="population", key=label, label=label, start=None,
                      end=None, vintage=None, unit="persons", figures=figures)

    vm = SimpleNamespace(series={"a": series("2019", {"Astana": _figure("c1", 900.0, "2019")}),
                                 "b": series("2025", {"Almaty": _figure("c2", 5.0, "2025"),
                                                      "Astana": _figure("c3", 1200.0, "2025", source="")})},
                         city_index={("Kazakhstan", "population"): ["a", "b"]})
    district = _figure("d1", 300.0, "2019")
    assert _city_figure(vm, "Astana", "population", district).figure_id == "c1"
    assert _city_figure(vm, "Astana", "population", _figure("d2", 1.0, "2025")) is None  # unsourced: not shown
    assert _city_figure(vm, "Astana", "density", district) is None


def test_esils_profile_lists_each_sourced_indicator_once_as_the_build_has_it(built):
    from dashboard import views
    from dashboard.controls.sync import control_options, hidden_groups, sync_state
    from dashboard.i18n import indicator_label
    from dashboard.state.viewmodel import ViewModel
    from dashboard.views.profile import profile_rows
    from geo import store

    views.clear_render_cache()
    vm = ViewModel.load()
    esil = next(k for k, v in vm.district_names.items() if v["en"] == "Esil" and k in vm.districts_of_city["Astana"])
    state, notices = sync_state(vm, "url", f"?city=Astana&district={esil}&profile=1&lang=ru", {}, None, "en")
    assert notices == [] and state.profile == "1"
    assert not hidden_groups(state, control_options(vm, state))["grp-profile"]
    rows = profile_rows(vm, state)
    figures = store.load_layer("figures").set_index("figure_id")
    assert [r.indicator for r in rows] == [i for i in vm.indicators("Astana", "concentration")
                                           if any(r.indicator == i for r in rows)]  # page order, once each
    for row in rows:
        built_row = figures.loc[row.figure.figure_id]
        assert built_row.district_id == esil and built_row.value == row.figure.value and built_row.source
    shown = vm.find_series("Astana", "population", state.period)
    assert rows[0].indicator == "population" and rows[0].figure is shown.figures[esil]  # the map's date
    view = views.render(vm, state)
    entries = next(d for d in view.details if getattr(d, "id", "") == "profile-table").children
    assert [e.children[0].children for e in entries] == [indicator_label(r.indicator, "ru") for r in rows]
    assert view.details[0].children == f"Профиль: {vm.place_name(esil, 'ru')}"
