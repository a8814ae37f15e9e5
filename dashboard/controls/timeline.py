"""The controls of time, change and comparison: the period slider with Play, the change map's mode and dates,
the district put beside the selected one.

The slider and Play only move the period: the URL keeps holding the period (never a slider position), so the
shared link, the period dropdown and the slider always agree. Every value coming back from the browser is
bounded here before it picks anything; the state is then checked like a link (dashboard.state.query).
"""

from __future__ import annotations

import re

from dash import dcc, html

from dashboard.charts import labelled, wildcard
from dashboard.i18n import PLACEHOLDERS, t
from dashboard.state.query import CHANGE_MODES, ViewState
from dashboard.state.readable import short_period
from dashboard.state.records import vintage_layer
from dashboard.state.viewmodel import ViewModel
from geo.settings import CITIES

TIME_OPTION_CONTROLS = ("ctl-change", "ctl-change_from", "ctl-change_to", "ctl-compare", "ctl-compare_date")
TIME_GROUPS = ("grp-time", "grp-change", "grp-change-dates", "grp-compare", "grp-twomaps")
TIME_INPUTS = (("ctl-time", "value"), ("ctl-play", "n_clicks"), ("play-timer", "n_intervals"),
               ("ctl-twomaps", "n_clicks"),
               ("play-timer", "disabled"))  # the last is read as State (paused or playing)
TIME_OUTPUTS = (("ctl-time", "value"), ("ctl-time", "max"), ("ctl-time", "marks"), ("play-timer", "disabled"),
                ("ctl-play", "children"), ("ctl-play", "aria-pressed"), ("time-now", "children"),
                ("ctl-twomaps", "aria-pressed"))
PLAY_MS = 1500  # one date per 1.5 s: time to see the map redrawn before the next
MARK_GAP = 5.0  # slider positions between two labelled marks (every position keeps its tick)


def periods_of(vm: ViewModel, controls: dict) -> list[str]:
    """The periods the period dropdown offers for the controls as sent (text values only)."""
    city, layer, indicator = (controls.get(k) for k in ("city", "layer", "indicator"))
    if not all(isinstance(v, str) for v in (city, layer, indicator)):
        return []
    return vm.periods(str(city), str(layer), str(indicator)) if layer == "concentration" else []


def timed_controls(vm: ViewModel, trigger: object, controls: dict, slider: object, _clicks: object,
                   _ticks: object, _pairs: object, paused: object) -> dict:
    """The controls after a time event: the slider picks a period by position, a tick of the timer moves to
    the next date Play steps through (each period once), Play at the last of them starts over at the first;
    "Two dates side by side" turns the compare date on (the earliest other mapped date) or off. Other events
    leave the controls as sent."""
    periods = periods_of(vm, controls)
    if trigger == "ctl-twomaps":
        return {**controls, "compare_date": None if controls.get("compare_date") else
                first_other_date(vm, controls, periods)}
    if trigger not in ("ctl-time", "ctl-play", "play-timer") or not periods:
        return controls
    played = [p for p in vm.play_periods(*(str(controls.get(k)) for k in ("city", "layer", "indicator")))
              if p in periods] or periods
    current = controls.get("period")
    at = periods.index(current) if current in periods else len(periods) - 1
    following = next((p for p in periods[at + 1:] if p in played), None)
    if trigger == "ctl-time" and isinstance(slider, int) and not isinstance(slider, bool):
        at = min(max(slider, 0), len(periods) - 1)
    elif trigger == "play-timer" and paused is False and following is not None:
        at = periods.index(following)
    elif trigger == "ctl-play" and paused is not False and following is None:
        at = periods.index(played[0])
    return {**controls, "period": periods[at]}


def first_other_date(vm: ViewModel, controls: dict, periods: list[str]) -> str | None:
    """The date the second map opens on: the earliest one other than the period whose boundaries are served,
    else the earliest other one (None when the indicator has a single date)."""
    others = [p for p in periods if p != controls.get("period")]
    city, indicator = str(controls.get("city")), str(controls.get("indicator"))
    for period in others:
        series = vm.find_series(city, indicator, period)
        if series is not None and vintage_layer(series.vintage) in vm.geo:
            return period
    return others[0] if others else None


def playing_after(trigger: object, paused: object, periods: list[str], state: ViewState,
                  played: list[str] | None = None) -> bool:
    """Whether the timer runs after an event: Play toggles it; it stops after the last date Play steps through
    (``played``, default every period), when the change map is shown or when the view has fewer than two
    dates."""
    if len(periods) < 2 or state.change or state.layer != "concentration":
        return False
    if trigger == "ctl-play":
        return paused is not False  # a paused Play starts (at the first date when it stood at the last)
    played = [p for p in (played or periods) if p in periods] or periods
    at = periods.index(state.period) if state.period in periods else len(periods) - 1
    return paused is False and any(p in played for p in periods[at + 1:])


def marks(periods: list[str], labels: list[str] | None = None) -> dict[str, str]:
    """A tick per period; the year on the first, the last and spaced ones between (the full date is read out
    below the slider and in the period dropdown). A period without a year ("n.d.") is marked by the first
    words of its label in the page's language (``labels``), never by its key."""
    shown = set(labelled([float(i) for i in range(len(periods))], MARK_GAP))

    def tick(i: int, key: str) -> str:
        if key[:4].isdigit() or not labels:
            return short_period(key)[:4]
        year = re.search(r"\b(1[89]|20)\d\d\b", key)  # "c. 2023-03 (...)": its year, not "шамамен 2023-03"
        return year.group(0) if year else labels[i].split(" (")[0].split(" · ")[0]
    return {str(i): tick(i, p) if i in shown else "" for i, p in enumerate(periods)}


def time_outputs(state: ViewState, options: dict[str, list[dict]], trigger: object, time_in: tuple) -> tuple:
    """The slider (position, last position, marks), the timer, the Play button and the date read out, in the
    order of TIME_OUTPUTS; the periods are the ones the period dropdown offers."""
    paused = time_in[-1] if len(time_in) > 4 else True
    periods = [str(o["value"]) for o in options["ctl-period"]] if state.layer == "concentration" else []
    playing = playing_after(trigger, paused, periods, state, [str(o["value"]) for o in options.get("play", [])])
    at = periods.index(state.period) if state.period in periods else 0
    now = next((str(o["label"]) for o in options["ctl-period"] if o["value"] == state.period), "")
    labels = [str(o["label"]) for o in options["ctl-period"]] if periods else []
    return (at, max(len(periods) - 1, 0), marks(periods, labels), not playing,
            t("pause" if playing else "play", state.lang), "true" if playing else "false", now,
            "true" if state.compare_date else "false")


def _label(key: str, lang: str, html_for: str) -> html.Label:
    return html.Label(t(key, lang), id={"type": "i18n", "key": key}, htmlFor=html_for, className="ctl")


def time_layout(state: ViewState, options: dict[str, list[dict]], hidden: dict[str, bool]) -> list[html.Div]:
    """The slider with Play (a keyboard-operable slider; Play is a button) and the change map's choices."""
    lang = state.lang
    at, top, ticks, paused, play, pressed, now, _two = time_outputs(state, options, None, ())
    return [
        html.Div(id="grp-time", hidden=hidden["grp-time"], role="group",
                 **wildcard({"aria-labelledby": "time-label"}),
                 children=[
            html.Span(html.Span(t("time_label", lang), id={"type": "i18n", "key": "time_label"}),
                      id="time-label", className="ctl"),
            html.Div(className="time-row", children=[
                html.Button(play, id="ctl-play", n_clicks=0, className="play",
                            **wildcard({"aria-pressed": pressed, "aria-controls": "ctl-period"})),
                html.Div(dcc.Slider(id="ctl-time", min=0, max=top, step=1, value=at, marks=ticks,
                                    allow_direct_input=False, updatemode="mouseup"), className="time-slider"),
            ]),
            html.P(now, id="time-now", className="small", role="status", **wildcard({"aria-live": "polite"})),
            dcc.Interval(id="play-timer", interval=PLAY_MS, disabled=paused, n_intervals=0),
        ]),
        html.Div(id="grp-change", hidden=hidden["grp-change"], className="radio", children=[
            _label("change_map", lang, "ctl-change"),
            dcc.RadioItems(id="ctl-change", value=state.change, options=options["ctl-change"])]),
        html.Div(id="grp-change-dates", hidden=hidden["grp-change-dates"], children=[
            _label("change_from", lang, "ctl-change_from"),
            dcc.Dropdown(id="ctl-change_from", clearable=False, searchable=False, value=state.change_from,
                         options=options["ctl-change_from"], placeholder=t(PLACEHOLDERS["ctl-change_from"], lang)),
            _label("change_to", lang, "ctl-change_to"),
            dcc.Dropdown(id="ctl-change_to", clearable=False, searchable=False, value=state.change_to,
                         options=options["ctl-change_to"], placeholder=t(PLACEHOLDERS["ctl-change_to"], lang)),
            html.P(t("change_only_comparable", lang), id={"type": "i18n", "key": "change_only_comparable"},
                   className="small")]),
    ]


def compare_layout(state: ViewState, options: dict[str, list[dict]], hidden: dict[str, bool]) -> list[html.Div]:
    """The "Compare" control of the district section (another district), and "Two dates side by side" with the
    compare date (its table in the district section too, when a district is chosen)."""
    lang = state.lang
    on = bool(state.compare_date)
    return [html.Div(id="grp-compare", hidden=hidden["grp-compare"], children=[
        _label("compare_with", lang, "ctl-compare"),
        dcc.Dropdown(id="ctl-compare", clearable=True, searchable=True, value=state.compare,
                     options=options["ctl-compare"], placeholder=t(PLACEHOLDERS["ctl-compare"], lang))]),
        html.Div(id="grp-twomaps", hidden=hidden["grp-twomaps"], className="twomaps-group", children=[
            html.Button(html.Span(t("twomaps_toggle", lang), id={"type": "i18n", "key": "twomaps_toggle"}),
                        id="ctl-twomaps", n_clicks=0, type="button", className="twomaps-toggle",
                        **wildcard({"aria-pressed": "true" if on else "false",
                                    "aria-controls": "ctl-compare_date"})),
            _label("compare_date", lang, "ctl-compare_date"),
            dcc.Dropdown(id="ctl-compare_date", clearable=True, searchable=False, value=state.compare_date,
                         options=options["ctl-compare_date"], placeholder=t(PLACEHOLDERS["ctl-compare_date"], lang)),
            html.P(t("twomaps_hint", lang), id={"type": "i18n", "key": "twomaps_hint"}, className="small")])]


def change_options(vm: ViewModel, state: ViewState) -> dict[str, list[dict]]:
    """The change map's choices: the mode (none when the build has no pair of dates for the indicator), the
    first dates of comparable pairs and the second dates that pair with the chosen first."""
    lang = state.lang
    pairs = vm.time.pairs.get((state.city, state.indicator), []) if state.layer == "concentration" else []
    good = [p for p in pairs if p.comparable]
    modes = [{"label": t("change_none", lang), "value": ""}] + [
        {"label": t(f"change_{m}", lang), "value": m, **({} if good else {"disabled": True})}
        for m in CHANGE_MODES]
    starts = {p.start: p.start_text.text(lang) for p in good}
    ends = {p.end: p.end_text.text(lang) for p in good if p.start == state.change_from}
    return {"ctl-change": modes if pairs else [],
            "ctl-change_from": [{"label": text, "value": key} for key, text in starts.items()],
            "ctl-change_to": [{"label": text, "value": key} for key, text in ends.items()]}


def compare_options(vm: ViewModel, state: ViewState) -> dict[str, list[dict]]:
    """Districts of every city to put beside the selected one, and the other dates of the indicator."""
    lang = state.lang
    districts = []
    for city in CITIES:
        ids = vm.district_ids(city) if city == state.city else vm.districts_of_city.get(city, [])
        for did in ids:
            if did in vm.city_of and did != state.district:
                districts.append({"label": f"{vm.place_name(did, lang)} · {t(city, lang)}",
                                  "value": did})
    return {"ctl-compare": districts, "ctl-compare_date": compare_dates(vm, state)}


def compare_dates(vm: ViewModel, state: ViewState) -> list[dict]:
    """The other dates of the indicator to put beside the shown one. A date on other boundaries is offered
    only for an indicator that adds up over districts, and names its boundaries; a density or a share of
    districts whose borders moved would compare two different places."""
    lang = state.lang
    shown = vm.find_series(state.city, state.indicator, state.period) if state.period else None
    dates = []
    for period in vm.periods(state.city, state.layer, state.indicator):
        other = vm.find_series(state.city, state.indicator, period)
        label = vm.period_label(state.city, state.indicator, period, lang)
        if period == state.period:
            continue
        if shown is not None and other is not None and other.vintage != shown.vintage:
            if state.indicator not in vm.time.additive:
                continue
            boundaries = vm.vintage_name(other.vintage, lang)
            label = label if boundaries in label or not other.has_geometry else f"{label} · {boundaries}"
        dates.append({"label": label, "value": period})
    return dates


def time_options(vm: ViewModel, state: ViewState) -> dict[str, list[dict]]:
    """The change map's and the comparison's choices, and the dates Play steps through (``play``)."""
    played = vm.play_periods(state.city, state.layer, state.indicator) if state.layer == "concentration" else []
    return {**change_options(vm, state), **compare_options(vm, state),
            "play": [{"label": p, "value": p} for p in played]}


def time_groups(state: ViewState, options: dict[str, list[dict]]) -> dict[str, bool]:
    """Which of these groups are shown (keys: TIME_GROUPS): the slider with two dates or more and no change
    map; the change choice where the build has pairs of dates; the comparison once a district is chosen; two
    dates side by side in a city with two dates or more and no change map."""
    layer1 = state.layer == "concentration" and not getattr(state, "dataset", "")
    return {"grp-time": layer1 and len(options["ctl-period"]) > 1 and not state.change,
            "grp-change": layer1 and state.city in CITIES and bool(options["ctl-change"]),
            "grp-change-dates": layer1 and bool(state.change),
            "grp-compare": layer1 and bool(state.district) and not state.change,
            "grp-twomaps": layer1 and state.city in CITIES and len(options["ctl-period"]) > 1 and not state.change}
