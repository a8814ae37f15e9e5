"""A district's profile: everything the build knows of one district, indicator by indicator, against its city.

Opened from the district picker's "Profile" choice or a link (``profile=1``); the map stays as it is, the side
panel lists each indicator's latest sourced value with its period, rank among the city's districts, the city's
own value of the same period when the build has one, source and flags, and a small time series. The printed
brief of a district view carries the same rows (:func:`profile_rows` is their one place).
"""

from __future__ import annotations

from dataclasses import dataclass

from dash import html
from dash.development.base_component import Component

from dashboard.charts import line_chart, wildcard
from dashboard.i18n import indicator_label, t, unit_label
from dashboard.state.query import ViewState
from dashboard.state.readable import decimal_year
from dashboard.state.records import Figure, Series
from dashboard.state.viewmodel import NATIONAL, ViewModel
from dashboard.views import panels
from geo.settings import CITIES

MIN_POINTS = 2  # dated values a small time series needs


@dataclass(frozen=True)
class ProfileRow:
    """One indicator of the district: its figure (the shown one for the shown indicator, else the latest
    sourced one), the series it belongs to (for the rank), the city's figure of the same period, if any."""

    indicator: str
    figure: Figure
    series: Series
    city_figure: Figure | None


def profile_rows(vm: ViewModel, state: ViewState) -> list[ProfileRow]:
    """Every indicator of the chosen district with a sourced value, in the page's indicator order."""
    did = state.district
    if not did or state.city not in CITIES:
        return []
    rows = []
    for indicator in vm.indicators(state.city, "concentration"):
        every = list(reversed([vm.series[sid] for sid in vm.city_index.get((state.city, indicator), [])]))
        # latest first, each date as published before its sums onto older boundaries (another place)
        every = [s for s in every if s.key == s.label] + [s for s in every if s.key != s.label]
        shown = vm.find_series(state.city, indicator, state.period) if indicator == state.indicator else None
        for series in ([shown] if shown is not None else []) + every:
            fig = series.figures.get(did)
            if fig is not None and fig.value is not None and fig.source:
                rows.append(ProfileRow(indicator, fig, series, _city_figure(vm, state.city, indicator, fig)))
                break
    return rows


def _city_figure(vm: ViewModel, city: str, indicator: str, fig: Figure) -> Figure | None:
    """The city's own sourced figure of the indicator for the same period label (the national overview's)."""
    for sid in vm.city_index.get((NATIONAL, indicator), []):
        series = vm.series[sid]
        other = series.figures.get(city)
        if series.label == fig.period_label and other is not None and other.value is not None and other.source:
            return other
    return None


def _sparkline(vm: ViewModel, state: ViewState, row: ProfileRow) -> html.Figure | None:
    """The district's dated values of one indicator on its own boundaries (a short line, no axis labels)."""
    did = str(state.district)
    points = sorted((when, f.value) for _key, f in vm.district_history.get((state.city, row.indicator, did), [])
                    if f.vintage == row.figure.vintage and f.value is not None
                    and (when := decimal_year(f.period_end or f.period_start)) is not None)
    if len(points) < MIN_POINTS:
        return None
    lang = state.lang
    return line_chart([(str(int(when)), value) for when, value in points],
                      lambda v: panels.fmt_value(v, row.figure.unit, lang),
                      f"{t('over_time', lang)}: {indicator_label(row.indicator, lang)}",
                      xs=[when for when, _ in points])


def _entry(vm: ViewModel, state: ViewState, row: ProfileRow) -> html.Div:
    """One indicator as a short block (a phone-wide panel has no room for a wide table): its value, the
    city's of the same date when the build has one, then date, rank, source and flags in one line."""
    lang, fig = state.lang, row.figure
    rank = row.series.ranks.get(str(state.district))
    city = row.city_figure
    value: list[str | Component] = [html.Strong(panels.fmt_value(fig.value, None, lang)), " ",
                                    unit_label(fig.unit, lang)]
    if city is not None:
        value += [" · ", html.Span(t("profile_city_value", lang, value=panels.fmt_value(city.value, None, lang)),
                                   className="small")]
    about: list[str | Component] = [panels.local_text(fig.period_text(), lang)]
    if fig.vintage and fig.vintage != vm.latest_vintage.get(state.city):  # the district drawn otherwise then
        about += [" · ", html.Span(vm.vintage_name(fig.vintage, lang), className="caveat-inline")]
    if rank:
        about += [" · ", t("rank_of", lang, rank=rank[0], n=rank[1])]
    about += [" · ", panels.source_view(fig.source, lang), " ", panels.flags_view(fig.confidence, lang)]
    return html.Div([html.H4(indicator_label(row.indicator, lang)), html.P(value, className="value"),
                     html.P(about, className="small")], className="profile-row", **wildcard({"data-indicator": row.indicator}))


def profile_panel(vm: ViewModel, state: ViewState) -> tuple[Component, ...]:
    """The profile as the side panel's details: one block per indicator, then each one's time series."""
    lang = state.lang
    rows = profile_rows(vm, state)
    title = html.H3(t("profile_title", lang, district=vm.place_name(str(state.district), lang)), id="profile-title")
    if not rows:
        return title, html.P(t("profile_empty", lang), className="missing")
    entries = html.Div([_entry(vm, state, r) for r in rows], id="profile-table", className="profile")
    charts = [chart for r in rows if (chart := _sparkline(vm, state, r)) is not None]
    return (title, html.P(t("profile_note", lang), className="small"), entries, *charts)
