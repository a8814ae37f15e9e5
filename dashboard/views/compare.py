"""Two districts side by side (of any city), or one district at two dates: values, units, periods, sources,
confidence flags and a small bar chart. Picks figures the build already holds; computes nothing."""

from __future__ import annotations

from collections.abc import Sequence

from dash import html
from dash.development.base_component import Component

from dashboard.charts import pair_bars
from dashboard.i18n import indicator_label, t, unit_label
from dashboard.state.query import ViewState
from dashboard.state.readable import short_label
from dashboard.state.records import Figure
from dashboard.state.viewmodel import ViewModel
from dashboard.views import panels


def figure_at(vm: ViewModel, city: str, indicator: str, district: str, period: str | None
              ) -> tuple[Figure | None, bool]:
    """A district's figure for the period, or (when it has none then) its latest figure of the indicator;
    the flag says whether the period asked for was found."""
    series = vm.find_series(city, indicator, period) if period else None
    if series is not None and series.figures.get(district) is not None:
        return series.figures[district], True
    dated = [f for _k, f in vm.district_history.get((city, indicator, district), []) if f.value is not None]
    if not dated:
        return None, False
    return max(dated, key=lambda f: (f.period_end or f.period_start or "", not f.derived)), False


def sides(vm: ViewModel, state: ViewState) -> list[tuple[str, str, Figure | None, bool]]:
    """(district, city, figure, exact) of the selected district and of the one beside it."""
    first = state.district or ""
    other = state.compare or first
    other_city = vm.city_of.get(other, state.city)
    a, exact_a = figure_at(vm, state.city, state.indicator, first, state.period)
    b, exact_b = figure_at(vm, other_city, state.indicator, other, state.compare_date or state.period)
    return [(first, state.city, a, exact_a), (other, other_city, b, exact_b)]


def compare_section(vm: ViewModel, state: ViewState) -> html.Section | None:
    """The comparison, when a district is chosen and something to put beside it."""
    if not state.district or not (state.compare or state.compare_date):
        return None
    lang = state.lang
    both = sides(vm, state)
    heads = [html.Th(t("compare_what", lang), scope="col")]
    for did, city, fig, _ in both:
        period = fig.period_text().text(lang) if fig else "–"
        heads.append(html.Th([vm.place_name(did, lang), html.Br(),
                              html.Span(f"{t(city, lang)} · {period}", className="small")], scope="col"))
    rows: list[tuple[str, Sequence[str | Component]]] = [
        (t("value", lang), [panels.fmt_value(f.value if f else None, f.unit if f else None, lang)
                            for _, _, f, _ in both]),
        (t("compare_unit", lang), [unit_label(f.unit, lang) or (f.unit or "–") if f else "–" for _, _, f, _ in both]),
        (t("period", lang), [panels.local_text(f.period_text(), lang) if f else "–" for _, _, f, _ in both]),
        (t("source", lang), [panels.source_view(f.source if f else None, lang) for _, _, f, _ in both]),
        (t("confidence", lang), [panels.flags_view(f.confidence if f else (), lang) for _, _, f, _ in both]),
    ]
    body = [html.Tr([html.Th(label, scope="row"), *[html.Td(cell) for cell in cells]]) for label, cells in rows]
    section: list = [html.H3(t("compare_title", lang)),
                     html.Div(html.Table([html.Thead(html.Tr(heads)), html.Tbody(body)], className="table compact",
                                         id="compare-table"), className="table-wrap")]
    for did, _city, fig, exact in both:
        if fig is not None and not exact:
            section.append(html.P(t("compare_latest", lang, name=vm.place_name(did, lang)),
                                  className="small caveat"))
    units = {f.unit for _, _, f, _ in both if f is not None}
    if len(units) == 1:
        unit = next(iter(units))
        bars = [(f"{vm.place_name(did, lang)} · {short_label(f.period_text(), lang)}" if f else
                 vm.place_name(did, lang), f.value if f else None) for did, _, f, _ in both]
        section.append(pair_bars(bars, lambda v: panels.fmt_value(v, unit, lang), t("no_data", lang),
                                 f"{indicator_label(state.indicator, lang)} · {unit_label(unit, lang) or unit}",
                                 chart_id="compare-chart"))
    elif len(units) > 1:
        section.append(html.P(t("compare_units_differ", lang), className="small caveat"))
    return html.Section(section, id="compare-section", className="details")
