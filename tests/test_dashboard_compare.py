"""The comparison panel: two districts of any city, or one district at two dates, each value with its unit,
period, source and flags, read back against the build's figures table (an independent reader)."""

from dashboard import views
from dashboard.controls.sync import sync_state
from dashboard.views.compare import compare_section, sides


def _esil_saryarka(vm):
    names = {v["en"]: k for k, v in vm.district_names.items() if k in vm.districts_of_city["Astana"]}
    return names["Esil"], names["Saryarka"]


def test_esil_beside_saryarka_with_sources(built):
    from dashboard.state.viewmodel import ViewModel
    from geo import store

    views.clear_render_cache()
    vm = ViewModel.load()
    esil, saryarka = _esil_saryarka(vm)
    state, notices = sync_state(vm, "url", f"?city=Astana&ind=population&district={esil}&cmp={saryarka}", {},
                                None, "en")
    assert notices == [] and state.compare == saryarka
    figures = store.load_layer("figures")
    both = sides(vm, state)
    for did, _city, fig, _exact in both:
        row = figures[(figures.figure_id == fig.figure_id)].iloc[0]
        assert row.district_id == did and row.value == fig.value and row.source == fig.source
    section = compare_section(vm, state)
    text = str(section)
    assert "compare-table" in text and "compare-chart" in text
    assert "Esil" in text and "Saryarka" in text
    from dashboard.views.panels import fmt_value

    for _did, _city, fig, _exact in both:
        assert fmt_value(fig.value, fig.unit, "en").replace("\u202f", "\\u202f") in text  # repr escapes
    assert "compare-section" in str(views.render(vm, state).panel)


def test_one_district_at_two_dates(built):
    from dashboard.state.viewmodel import ViewModel

    vm = ViewModel.load()
    esil, _ = _esil_saryarka(vm)
    periods = vm.periods("Astana", "concentration", "population")
    state, notices = sync_state(vm, "url", f"?city=Astana&ind=population&period=2025+(start)&district={esil}"
                                f"&cmpdate={periods[-2]}", {}, None, "en")
    assert notices == [] and state.compare_date == periods[-2]
    (a_id, _, a, _), (b_id, _, b, _) = sides(vm, state)
    assert a_id == b_id == esil
    assert a.period_label == "2025 (start)"


def test_no_comparison_without_a_district():
    from dashboard.state.query import ViewState

    assert compare_section(None, ViewState(compare="711110000")) is None  # type: ignore[arg-type]


def test_esils_density_is_never_offered_across_a_boundary_change(built):
    """Esil of 2019 held Nura's land; Esil of 2025 does not: their densities describe two places, so neither
    date offers the other; population adds up over districts and is offered, naming the other boundaries."""
    from dashboard.controls.timeline import compare_dates
    from dashboard.state.query import ViewState
    from dashboard.state.viewmodel import ViewModel

    vm = ViewModel.load()
    esil, _ = _esil_saryarka(vm)
    latest = ViewState(city="Astana", indicator="density", period="2025 (start)", district=esil, lang="ru")
    assert vm.find_series("Astana", "density", "2025 (start)").vintage == "astana-6"  # today's, not a sum
    offered = [d["value"] for d in compare_dates(vm, latest)]
    assert "2019" not in offered and "2019-06-01" not in offered
    assert all(vm.find_series("Astana", "density", p).vintage == "astana-6" for p in offered)
    back = ViewState(city="Astana", indicator="density", period="2019", district=esil, lang="ru")
    earlier = {d["value"]: d["label"] for d in compare_dates(vm, back)}
    assert "2025 (start)" not in earlier  # today's Esil: another place
    # ... but 2025 carried onto the 2018-2022 boundaries (Esil + Nura) is the same place, and says so
    assert earlier["2025 (start) @astana-4"] == "2025 (начало года) · пересчитано на границы 2018–2022"
    assert all(vm.find_series("Astana", "density", p).vintage == "astana-4" for p in earlier)
    people = {d["value"]: d["label"] for d in compare_dates(vm, latest.__class__(
        city="Astana", indicator="population", period="2025 (start)", district=esil, lang="ru"))}
    assert people["2019"] == "2019 · границы 2018–2022"
