"""Arrivals by region of origin drawn as lines into the cities (national overview): one line per flow of the
build, widths proportional to the share (or the number where no share is known), tooltips with source and period, and
the table beside the map equal to the build's flows, read back with geo.store (an independent reader)."""

from __future__ import annotations

import math
from urllib.parse import urlparse

import pytest

from dashboard.state.records import Localized
from dashboard.state.timeindex import Flow
from dashboard.views.flows import MAX_WIDTH, MIN_WIDTH, width_basis, widths
from tests.components import text_of, walk


def _flow(share: float | None, value: float) -> Flow:
    return Flow("1", {"en": "R"}, "arrivals_from", "2020", Localized("2020"), value, "persons", share, "s", (),
                ((0.0, 0.0), (1.0, 1.0)))


def test_widths_by_share_hand_computed():
    flows = [_flow(0.2, 10), _flow(0.1, 500), _flow(0.05, 1), _flow(0.01, 1)]
    assert width_basis(flows) == "share"
    # proportional (issue 19 item 6): MAX * share / largest share: 14 * 1, 14 * 0.5, 14 * 0.25, 14 * 0.05 = 0.7
    # held at MIN (1.5)
    assert (MIN_WIDTH, MAX_WIDTH) == (1.5, 14.0)
    assert widths(flows, "share") == [14.0, 7.0, 3.5, 1.5]


def test_widths_by_number_when_a_share_is_missing():
    flows = [_flow(None, 400), _flow(0.5, 100), _flow(None, 0)]
    assert width_basis(flows) == "value"
    assert widths(flows, "value") == [MAX_WIDTH, 3.5, MIN_WIDTH]  # 14 * 100 / 400 = 3.5


def _lines(view):
    return [p for p in view.points if type(p).__name__ == "Polyline" and p.className == "qala-flow"]


def _oracle():
    from geo import store

    frame = store.load_layer("flows").to_crs(4326)
    frame["period_end"] = frame["period_end"].astype(str)
    return frame


@pytest.fixture(scope="module")
def vm(built):
    from dashboard import views
    from dashboard.state.viewmodel import ViewModel

    views.clear_render_cache()
    return ViewModel.load()


def _state(vm, indicator: str, period: str, lang: str):
    from dashboard.controls.sync import sync_state

    state, notices = sync_state(vm, "url", f"?city=Kazakhstan&layer=concentration&ind={indicator}"
                                f"&period={period}&lang={lang}", {}, None, "en")
    assert notices == [] and state.indicator == indicator and state.period == period
    return state


def test_overview_offers_every_period_with_flows(vm):
    from dashboard.state.viewmodel import NATIONAL

    oracle = _oracle()
    for indicator in ("share_of_arrivals_from", "arrivals_from"):
        rows = oracle[oracle.indicator == indicator].sort_values(["period_end", "period_label"])
        assert indicator in vm.indicators(NATIONAL, "concentration")
        assert vm.periods(NATIONAL, "concentration", indicator) == list(dict.fromkeys(rows.period_label))
    assert "arrivals_from" not in vm.indicators("Astana", "concentration")  # no origin breakdown by district


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_one_line_per_flow_widths_ordered_tooltips_sourced(vm, lang):
    from dashboard import views

    oracle = _oracle()
    checked = 0
    for (indicator, period), rows in oracle.groupby(["indicator", "period_label"]):
        view = views.render(vm, _state(vm, str(indicator), str(period), lang))
        lines = _lines(view)
        assert len(lines) == len(rows) > 0
        by_share = rows.share.notna().all()
        measure = rows.share if by_share else rows.value
        # each line runs along the build's geometry (cut short at the ends: tests/test_dashboard_layers_lead.py),
        # named by its tooltip; its width is proportional to the measure
        drawn = {text_of(line.children[0]).split(" → ")[0]: line for line in lines}
        top = measure.max()
        for (_, row), m in zip(rows.iterrows(), measure, strict=True):
            line = drawn[row[f"name_{lang}"]]
            (lon0, lat0), (lon1, lat1) = row.geometry.coords[0], row.geometry.coords[-1]
            for lat, lon in line.positions:  # on the build's segment (straight in lat/lon)
                assert (lat - lat0) * (lon1 - lon0) - (lon - lon0) * (lat1 - lat0) == pytest.approx(0, abs=1e-3)
            assert line.weight == pytest.approx(max(MIN_WIDTH, MAX_WIDTH * m / top), abs=0.01)
            tip = text_of(line.children[0])
            assert row[f"name_{lang}"] in tip
            period_text = row["period_label" if lang == "en" else f"period_label_{lang}"] or row.period_label
            assert str(period_text) in tip
            host = urlparse(row.source.split()[0]).netloc.removeprefix("www.")
            assert host and host in tip
        ordered = sorted(zip(measure, (drawn[name].weight for name in rows[f"name_{lang}"]), strict=True),
                         key=lambda p: -p[0])
        assert [w for _, w in ordered] == sorted((w for _, w in ordered), reverse=True)
        legend = text_of(view.legend)
        from dashboard.i18n import t

        assert t("flows_width_share" if by_share else "flows_width_value", lang) in legend
        checked += 1
    assert checked >= 6  # the mirror has flows in at least six (indicator, period) pairs


def _table_rows(view, city: str):
    table = next(n for n in walk(list(view.details)) if getattr(n, "id", None) == f"flow-table-{city.lower()}")
    body = table.children[1]
    return [[text_of(cell) for cell in tr.children] for tr in body.children]


def test_table_rows_equal_the_builds_flows(vm):
    from dashboard import views
    from dashboard.views.panels import fmt_value

    oracle = _oracle()
    for (indicator, period), rows in oracle.groupby(["indicator", "period_label"]):
        view = views.render(vm, _state(vm, str(indicator), str(period), "ru"))
        for city, part in rows.groupby("city"):
            shown = _table_rows(view, str(city))
            expected = [[row.name_ru, fmt_value(row.value, row.unit, "ru"),
                         "Нет данных" if math.isnan(row.share) else fmt_value(row.share * 100, "percent", "ru"),
                         row.period_label_ru or row.period_label]
                        for _, row in part.iterrows()]
            assert sorted(r[:4] for r in shown) == sorted(expected)
        exported = views.export_table(vm, _state(vm, str(indicator), str(period), "en")).rows
        assert sorted((r["flow_id"], r["value"], r["source"]) for r in exported) == \
            sorted(zip(rows.flow_id, rows.value, rows.source, strict=True))


def test_origins_not_on_the_map_are_listed(vm):
    """Astana 2013: 'other regions', the former South Kazakhstan region and the ambiguous Almaty are not one
    current region; they are listed under the table with their published shares."""
    from dashboard import views

    view = views.render(vm, _state(vm, "share_of_arrivals_from", "2013", "en"))
    note = next(n for n in walk(list(view.details)) if getattr(n, "id", None) == "flows-unmapped-astana")
    text = text_of(note)
    assert "other regions 37.7 %" in text and "South Kazakhstan region 13.5 %" in text
