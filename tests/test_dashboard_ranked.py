"""The ranked chart beside the map (dashboard.views.ranked) and in the brief: districts sorted by value, 95%
intervals where the values have them, each district's rank range from geo.api.rank_ranges, the districts whose
interval excludes the city value marked; checked against hand-worked values on hand-made series and surveys, and
on the real build's Astana population."""

from __future__ import annotations

import re

import pytest
from dash.development.base_component import Component
from shapely.geometry import box

from dashboard.brief.parts import Ranked, chart_svg
from dashboard.brief.parts import ranked as brief_ranked
from dashboard.i18n import t
from dashboard.state.published import PublishedIndex
from dashboard.state.query import ViewState
from dashboard.state.records import Figure, Series, geolayer
from dashboard.state.viewmodel import ViewModel
from dashboard.views import clear_render_cache, render
from dashboard.views.ranked import (
    Entry,
    rank_rows,
    rank_span,
    ranked_chart,
    series_city_value,
    series_entries,
)
from tests.test_dashboard_published import META, hand_differences, hand_frame, hand_scores, parse

A, B, C = "711110000", "711210000", "711310000"


def walk(node: object) -> list[Component]:
    if isinstance(node, (list, tuple)):
        return [c for n in node for c in walk(n)]
    if isinstance(node, Component):
        return [node, *walk(getattr(node, "children", None))]
    return []


def texts(node: object, kind: str = "Text") -> list[str]:
    """The words of every component of type ``kind`` (svg Text by default), in drawing order."""
    return [str(c.children) for c in walk(node) if type(c).__name__ == kind and isinstance(c.children, str)]


def of(node: object, kind: str) -> list[Component]:
    return [c for c in walk(node) if type(c).__name__ == kind]


def two(value: float) -> str:
    return f"{value:.2f}"


# Three survey means: Alpha far above, Beta and Gamma overlapping (3.1-3.7; 1.2-2.8; 1.3-2.9).
# The standard errors the intervals imply are 0.6 / 3.92 = 0.153, 1.6 / 3.92 = 0.408 and 0.408: Beta above Alpha
# has a chance of Phi(-1.4 / 0.436) = 0.07 % (and Gamma, Phi(-1.3 / 0.436) = 0.14 %), far under 2.5 %, so Alpha
# ranks 1 and no other district can; Beta above Gamma, Phi(-0.1 / 0.577) = 43 %: both "ranks 2-3".
SURVEY = [Entry("b", "Beta", 2.0, 1.2, 2.8), Entry("a", "Alpha", 3.4, 3.1, 3.7), Entry("c", "Gamma", 2.1, 1.3, 2.9)]


def test_rows_are_sorted_highest_first_with_the_rank_ranges_the_intervals_allow():
    rows = rank_rows(SURVEY)
    assert [(r.entry.name, r.rank, r.rank_low, r.rank_high) for r in rows] == [
        ("Alpha", 1, 1, 1), ("Gamma", 2, 2, 3), ("Beta", 3, 2, 3)]
    assert [rank_span(r) for r in rows] == ["1", "2\u20133", "2\u20133"]
    assert not any(r.differs for r in rows)  # no city value: nothing marked


def test_the_chart_draws_order_intervals_values_and_rank_ranges():
    chart = ranked_chart(SURVEY, two, "en")
    words = texts(chart)
    assert [w for w in words if w in ("Alpha", "Beta", "Gamma")] == ["Alpha", "Gamma", "Beta"]
    assert [w for w in words if re.fullmatch(r"\d(\u2013\d)?", w)] == ["1", "2\u20133", "2\u20133"]
    assert {"3.40", "2.10", "2.00", "Ranks"} <= set(words)
    # the axis spans the intervals' ends, 1.2 .. 3.7, over x 98 .. 206 (108 units): x(v) = 98 + 108 (v - 1.2) / 2.5
    lines = [(c.x1, c.x2) for c in of(chart, "Line")]
    assert ("180.1", "206.0") in lines  # Alpha 3.1 .. 3.7
    assert ("98.0", "167.1") in lines and ("102.3", "171.4") in lines  # Beta 1.2 .. 2.8, Gamma 1.3 .. 2.9
    assert [c.cx for c in of(chart, "Circle")] == ["193.0", "136.9", "132.6"]  # dots at 3.4, 2.1, 2.0
    hidden = texts(chart, "Li")
    assert hidden == ["Alpha: 3.40, rank 1", "Gamma: 2.10, ranks 2\u20133", "Beta: 2.00, ranks 2\u20133"]
    assert t("ranked_explain", "en") in texts(chart, "P")
    assert texts(chart, "Figcaption") == [t("ranked_caption", "en")]


def test_a_value_without_an_interval_keeps_its_exact_rank():
    # Epsilon (5.0, an official figure) lies 4 standard errors above Alpha's interval: always first; the others
    # move one place down, Beta and Gamma still sharing 3-4.
    rows = rank_rows([*SURVEY, Entry("e", "Epsilon", 5.0)])
    assert [(r.entry.name, r.rank_low, r.rank_high) for r in rows] == [
        ("Epsilon", 1, 1), ("Alpha", 2, 2), ("Gamma", 3, 4), ("Beta", 3, 4)]
    # official counts: no intervals, exact ranks; a tie spans both places it shares
    counts = [Entry("x", "X", 100.0), Entry("y", "Y", 300.0), Entry("z", "Z", 200.0), Entry("w", "W", 200.0)]
    assert [(r.entry.name, r.rank, rank_span(r)) for r in rank_rows(counts)] == [
        ("Y", 1, "1"), ("W", 2, "2\u20133"), ("Z", 2, "2\u20133"), ("X", 4, "4")]
    chart = ranked_chart(counts, two, "ru")
    assert "Места" in texts(chart) and len(of(chart, "Rect")) == 4 and not of(chart, "Circle")  # bars from zero
    assert texts(chart, "Li")[0] == "Y: 300.00, место 1"
    assert texts(chart, "Figcaption") == [t("ranked_caption_exact", "ru")]  # no "lines are intervals" here


def test_missing_and_suppressed_districts_are_listed_not_ranked():
    entries = [*SURVEY, Entry("d", "Delta", None), Entry("s", "Sigma", None, hidden=True)]
    rows = rank_rows(entries)
    assert [r.entry.name for r in rows] == ["Alpha", "Gamma", "Beta"]
    assert [rank_span(r) for r in rows] == ["1", "2\u20133", "2\u20133"]  # the missing ones change no range
    chart = ranked_chart(entries, two, "en")
    assert "Delta" not in texts(chart) and "Sigma" not in texts(chart)
    said = texts(chart, "P")
    assert t("ranked_missing", "en", names="Delta") in said and t("ranked_suppressed", "en", names="Sigma") in said
    assert ranked_chart([Entry("a", "Alpha", 1.0), Entry("b", "Beta", None)], two, "en") is None  # one value


def test_districts_whose_interval_excludes_the_city_value_are_marked():
    # city 2.85: Alpha's 3.1 > 2.85 and Beta's 2.8 < 2.85 exclude it; Gamma's 1.3 .. 2.9 holds it; Epsilon has
    # no interval and is never marked
    entries = [*SURVEY, Entry("e", "Epsilon", 5.0)]
    rows = rank_rows(entries, 2.85)
    assert {r.entry.name: r.differs for r in rows} == {"Epsilon": False, "Alpha": True, "Gamma": False,
                                                       "Beta": True}
    chart = ranked_chart(entries, two, "en", city_value=2.85)
    assert texts(chart).count("\u2260") == 2 and "city 2.85" in texts(chart)
    marked = [w for w in texts(chart, "Li") if "differs" in w]
    assert [w.split(":")[0] for w in marked] == ["Alpha", "Beta"]
    assert any(getattr(c, "strokeDasharray", None) for c in of(chart, "Line"))  # the city value's dashed line
    plain = ranked_chart(entries, two, "en")
    assert "\u2260" not in texts(plain) and not any(getattr(c, "strokeDasharray", None) for c in of(plain, "Line"))


def test_the_brief_draws_the_same_rank_ranges_as_the_page():
    entries = [*SURVEY, Entry("e", "Epsilon", 5.0), Entry("d", "Delta", None)]
    page = [rank_span(r) for r in rank_rows(entries)]
    rows = sorted([Ranked(e.name, e.value, e.low, e.high, fid=e.fid) for e in entries],
                  key=lambda r: (r.value is None, -(r.value or 0.0), r.name))
    svg = chart_svg(rows, "en")
    assert re.findall(r'<text class="rank"[^>]*>([^<]*)</text>', svg) == page == ["1", "2", "3\u20134", "3\u20134"]
    assert ">Ranks<" in svg and "Delta" not in svg


@pytest.fixture()
def survey_vm() -> ViewModel:
    """The hand-made published survey of tests/test_dashboard_published.py: Alpha 3.40 (3.10-3.70), Beta 2.00
    (1.20-2.80), Gamma and Delta suppressed, Epsilon without respondents; Astana as a whole 3.05 (2.80-3.30)."""
    clear_render_cache()
    model = ViewModel()
    outline = {"type": "Feature", "properties": {"city": "Astana"},
               "geometry": box(71.3, 51.0, 71.6, 51.3).__geo_interface__}
    model.geo["cities"] = geolayer("cities", {"type": "FeatureCollection", "features": [outline]}, "city")
    index = PublishedIndex()
    index.add(META, hand_frame(), hand_scores(), differences=hand_differences())
    model.attach_published(index)
    yield model
    clear_render_cache()


def test_the_survey_panel_ranks_its_estimates_and_marks_those_apart_from_the_city(survey_vm):
    # Beta above Alpha: Phi(-1.4 / 0.436) = 0.07 %: ranks exact. City 3.05: Alpha's 3.10 > 3.05, Beta's 2.80 < 3.05
    state, _ = parse(survey_vm, "?layer=perception&ds=demo&item=Q1&city=Astana&lang=en")
    view = render(survey_vm, state)
    chart = next(c for c in walk(view.details) if getattr(c, "id", None) == "ranked-chart")
    assert texts(chart, "Li") == [
        f"Alpha: 3.40, rank 1, {t('ranked_differs', 'en', value='3.05')}",
        f"Beta: 2.00, rank 2, {t('ranked_differs', 'en', value='3.05')}"]
    said = texts(chart, "P")
    assert t("ranked_missing", "en", names="Epsilon") in said
    assert t("ranked_suppressed", "en", names="Delta, Gamma") in said
    svg = chart_svg(brief_ranked(survey_vm, state), "en")
    assert re.findall(r'<text class="rank"[^>]*>([^<]*)</text>', svg) == ["1", "2"]


def series_of(values: dict[str, float | None]) -> Series:
    figures = {fid: Figure(figure_id=fid, value=v, unit="persons", period_label="2025", period_start="2025-01-01",
                           period_end="2025-01-01", source="SYNTHETIC test", note=None, confidence=(),
                           derived=False, method=None, vintage="astana-6") for fid, v in values.items()}
    return Series(sid="s", city="Astana", indicator="density", key="2025", label="2025", start="2025-01-01",
                  end="2025-01-01", vintage="astana-6", unit="persons", figures=figures)


def test_a_series_city_value_is_the_city_s_own_figure_of_the_same_period_else_none():
    vm = ViewModel()
    shown = series_of({A: 300.0, B: None})
    assert [(e.fid, e.value) for e in series_entries(vm, shown, [A, B, C], "en")] == [(A, 300.0), (B, None),
                                                                                       (C, None)]
    assert series_city_value(vm, shown) is None  # the build has no city figure: none invented
    cities = series_of({"Astana": 250.0, "Almaty": 400.0})
    cities.city, cities.sid = "Kazakhstan", "Kazakhstan|density|2025"
    vm.series[cities.sid] = cities
    vm.city_index[("Kazakhstan", "density")].append(cities.sid)
    assert series_city_value(vm, shown) == 250.0
    other = series_of({A: 1.0})
    other.label, other.start, other.end = "2024", "2024-01-01", "2024-01-01"
    assert series_city_value(vm, other) is None  # another period's city value is no reference


def test_the_real_astana_population_chart_ranks_every_district_of_its_series(built):
    vm = ViewModel.load()
    period = vm.preferred_period("Astana", "concentration", "population")
    state = ViewState(city="Astana", indicator="population", period=period, lang="en")
    series = vm.find_series("Astana", "population", period)
    assert series is not None and series.n_values >= 5
    view = render(vm, state)
    chart = next(c for c in walk(view.details) if getattr(c, "id", None) == "ranked-chart")
    shown = {fid: f.value for fid, f in series.figures.items() if f.value is not None and f.source}
    by_value = sorted(shown, key=lambda fid: -(shown[fid] or 0))
    said = texts(chart, "Li")
    assert [s.split(":")[0] for s in said] == [vm.place_name(fid, "en") for fid in by_value]
    assert [s.rsplit(", ", 1)[1] for s in said] == [f"rank {series.ranks[fid][0]}" for fid in by_value]
    assert len(said) == len(series.figures)  # every district of the series, each at its exact (official) rank
    assert "\u2260" not in texts(chart)  # official figures have no interval: none can differ from the city
    clear_render_cache()
