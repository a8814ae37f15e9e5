"""Two published waves of a survey on the page (dashboard.views.wavechange): which datasets count as waves of
one another, the link's ``wave`` checked like every other parameter, and the change map's classes and table
against hand-worked differences (MOVER: d -+ sqrt of the two half-widths squared for symmetric intervals)."""

from __future__ import annotations

import math

import pytest

from dashboard.controls.sync import options_for
from dashboard.state.published import PublishedIndex
from dashboard.state.query import parse_query, with_changes
from dashboard.state.surveytables import period_year, wave_partners
from dashboard.state.viewmodel import ViewModel
from dashboard.views import clear_render_cache, render, wavechange
from tests.components import text_of, walk
from tests.test_dashboard_published import META, A, B, C, hand_frame, hand_scores, outlined_model

NAN = math.nan


def earlier_scores():
    """hand_scores as publishing writes them: a scale, and the city's own row under the group "all"."""
    scores = hand_scores().assign(scale="1-5")
    scores.loc[scores["group"].isna(), "group"] = "all"
    return scores


def later_scores():
    """Wave 2 of hand_scores: A rises 3.4 [3.1, 3.7] -> 4.0 [3.6, 4.4]; B 2.0 [1.2, 2.8] -> 2.2 [1.6, 2.8]."""
    scores = earlier_scores()
    scores.loc[scores["level"] == "city", "mean"] += 0.1
    scores.loc[scores["district_id"] == A, ["mean", "ci_low", "ci_high", "n"]] = [4.0, 3.6, 4.4, 50]
    scores.loc[scores["district_id"] == B, ["mean", "ci_low", "ci_high", "n"]] = [2.2, 1.6, 2.8, 20]
    return scores


@pytest.fixture()
def vm() -> ViewModel:
    clear_render_cache()
    model = outlined_model()
    index = PublishedIndex()
    index.add(META, hand_frame(), earlier_scores())
    index.add({**META, "name": "wave2", "period": "spring 2026", "title": "SYNTHETIC: wave 2"}, hand_frame(),
              later_scores())
    index.add({**META, "name": "same-year", "period": "2024 (autumn)"}, hand_frame(), later_scores())
    index.add({**META, "name": "other-scale", "period": "2025",
               "items": [{"item": "Q1", "low": 0.0, "high": 10.0}]}, hand_frame(), later_scores())
    index.add({**META, "name": "undated", "period": "last year"}, hand_frame(), later_scores())
    model.attach_published(index)
    yield model
    clear_render_cache()


def test_a_wave_is_another_year_asking_the_same_item_on_the_same_scale(vm):
    assert period_year({"period": "spring 2026"}) == 2026 and period_year({"period": "last year"}) is None
    assert wave_partners(vm.published.datasets, "demo", "Q1") == ["wave2"]
    assert wave_partners(vm.published.datasets, "wave2", "Q1") == ["demo", "same-year"]  # 2024 both
    assert wave_partners(vm.published.datasets, "undated", "Q1") == []
    assert wave_partners(vm.published.datasets, "demo", "Q9") == []


@pytest.mark.parametrize("wave", ["same-year", "other-scale", "undated", "nope", "demo"])
def test_a_link_to_a_wave_that_is_not_one_falls_back_with_a_notice(vm, wave):
    state, notices = parse_query(f"?layer=perception&ds=demo&item=Q1&wave={wave}", "en", options_for(vm))
    assert state.wave == "" and any(n.value == wave for n in notices)
    state, notices = parse_query("?layer=perception&ds=demo&item=Q1&wave=wave2", "en", options_for(vm))
    assert state.wave == "wave2" and not notices


def test_the_change_map_classes_and_table_follow_the_hand_worked_differences(vm):
    state, _ = parse_query("?layer=perception&ds=wave2&item=Q1&wave=demo&lang=en", "en", options_for(vm))
    view = render(vm, state)
    hideout = view.choropleth.style.hideout()
    # A: +0.6, half-widths 0.3 and 0.4 -> +-0.5: [0.1, 1.1] excludes 0 -> sure rise (3)
    # B: +0.2, half-widths 0.8 and 0.6 -> +-1.0: [-0.8, 1.2] includes 0 -> unsure rise (2)
    # C: hidden in both waves -> grey (4)
    assert hideout["classes"][A] == 3 and hideout["classes"][B] == 2 and hideout["classes"][C] == 4
    table = text_of(view.details)
    assert "+0.60 (+0.10 … +1.10)" in table and "+0.20 (-0.80 … +1.20)" in table
    assert "hidden in a wave" in table and "40 → 50" in table
    assert "Change of Q1: spring 2026 minus 2024" in text_of(view.heading)
    assert view.notices and "SYNTHETIC" in view.notices[0]


def test_the_survey_panel_links_to_the_other_wave_and_back(vm):
    state, _ = parse_query("?layer=perception&ds=demo&item=Q1&lang=ru", "ru", options_for(vm))
    links = [c for c in wavechange.wave_links(vm, state)]
    assert "wave=wave2" in str(links) and "ds=demo" in str(links)
    state, _ = parse_query("?layer=perception&ds=demo&item=Q1&wave=wave2&lang=ru", "ru", options_for(vm))
    back = render(vm, state).heading[-1]
    assert "wave=" not in back.href and "ds=demo" in back.href


def test_a_wave_published_without_its_scale_shows_the_one_wave_instead_of_failing(vm):
    vm.published.datasets["demo"].scores = vm.published.datasets["demo"].scores.drop(columns="scale")
    state, _ = parse_query("?layer=perception&ds=demo&item=Q1&wave=wave2&lang=en", "en", options_for(vm))
    assert wavechange.render(vm, state) is None
    assert "Change of" not in text_of(render(vm, state).heading)


@pytest.mark.parametrize(("row", "expected"), [
    ({"status": "shown", "diff": -0.5, "excludes_zero": True}, 0),
    ({"status": "shown", "diff": -0.1, "excludes_zero": False}, 1),
    ({"status": "shown", "diff": 0.0, "excludes_zero": False}, 2),
    ({"status": "shown", "diff": 0.1, "excludes_zero": False}, 2),
    ({"status": "shown", "diff": 0.5, "excludes_zero": True}, 3),
    ({"status": "suppressed", "diff": 0.5, "excludes_zero": True}, 4),
    ({"status": "shown", "diff": NAN, "excludes_zero": False}, 4),
])
def test_each_change_takes_its_class(row, expected):
    assert wavechange.klass(row) == expected


def test_either_order_of_the_link_draws_later_minus_earlier_on_the_shown_datasets_districts(vm):
    views = {}
    for ds, wave in (("wave2", "demo"), ("demo", "wave2")):
        state, _ = parse_query(f"?layer=perception&ds={ds}&item=Q1&wave={wave}&lang=en", "en", options_for(vm))
        views[ds] = render(vm, state)
        assert "Change of Q1: spring 2026 minus 2024" in text_of(views[ds].heading)
        assert views[ds].choropleth.name == f"pub-{ds}"
    assert views["demo"].choropleth.style.hideout()["classes"] == views["wave2"].choropleth.style.hideout()["classes"]
    unknown, _ = parse_query("?layer=perception&ds=demo&item=Q1&lang=en", "en", options_for(vm))
    assert wavechange.ordered(vm, with_changes(unknown, wave="gone")) is None


def test_the_table_puts_the_city_first_then_the_largest_rise_and_only_the_shown_city(vm):
    state, _ = parse_query("?layer=perception&ds=wave2&item=Q1&wave=demo&lang=en&city=Astana", "en",
                           options_for(vm))
    rows = [[c for c in walk(r) if isinstance(c, str)] for r in walk(render(vm, state).details)
            if type(r).__name__ == "Tr"][1:]
    names = [r[0] for r in rows]
    assert names[:3] == ["City level figure", "Alpha", "Beta"]  # city, then +0.60, then +0.20
    assert rows[names.index("Gamma")][-1] == "–"  # hidden in a wave: no n either
    elsewhere = wavechange.render(vm, with_changes(state, city="Almaty"))
    assert not [r for r in walk(elsewhere.details) if type(r).__name__ == "Tr"][1:]


def test_no_synthetic_notice_when_neither_wave_is_synthetic(vm):
    for name in ("demo", "wave2"):
        vm.published.datasets[name].meta["synthetic"] = False
    state, _ = parse_query("?layer=perception&ds=wave2&item=Q1&wave=demo&lang=en", "en", options_for(vm))
    assert wavechange.render(vm, state).notices == ()


def test_the_download_and_the_brief_carry_the_change_not_one_wave(vm):
    from dashboard.brief.document import values_table
    from dashboard.brief.parts import value_rows
    from dashboard.views import export_table

    state, _ = parse_query("?layer=perception&ds=demo&item=Q1&wave=wave2&lang=en", "en", options_for(vm))
    table = export_table(vm, state)
    rows = {r["fid"]: r for r in table.rows}
    assert table.layer == "pub-demo"
    assert (rows[A]["value"], rows[A]["ci_low"], rows[A]["ci_high"]) == pytest.approx((0.6, 0.1, 1.1))
    assert (rows[A]["n_earlier"], rows[A]["n_later"], rows[A]["status"]) == (40, 50, "shown")
    assert rows[C]["value"] is None and rows[C]["suppressed"] and rows[C]["status"] == "suppressed"
    assert rows[A]["period"] == "spring 2026 − 2024" and (rows[A]["dataset"], rows[A]["wave"]) == ("wave2", "demo")
    printed = {r.fid: r for r in value_rows(vm, state)}
    assert printed[A].change and printed[A].estimate == ("+0.60", "+0.10–+1.10", "40 → 50", "–")
    html_table, _ = values_table(list(printed.values()), state)
    assert "<th scope=\"col\">Change</th>" in html_table and "Mean" not in html_table


def test_one_synthetic_wave_makes_the_change_synthetic(vm):
    vm.published.datasets["demo"].meta["synthetic"] = False  # wave2 stays synthetic
    state, _ = parse_query("?layer=perception&ds=demo&item=Q1&wave=wave2&lang=en", "en", options_for(vm))
    assert "SYNTHETIC" in wavechange.render(vm, state).notices[0]
    assert all(r["synthetic"] for r in wavechange.export(vm, state).rows)
