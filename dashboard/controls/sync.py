"""The controls of a view state: the choices each offers, which are shown, and the state after an event.

Used by the layout (the first view of a link) and by the callbacks (every later one), so both agree.
"""

from __future__ import annotations

from dataclasses import asdict

from dashboard.classify import PALETTES, SCHEMES
from dashboard.controls.timeline import TIME_GROUPS, TIME_OPTION_CONTROLS, time_groups, time_options
from dashboard.i18n import indicator_label, t
from dashboard.state.query import (
    CITY_VIEWS,
    LAYERS,
    Notice,
    Options,
    ViewState,
    parse_query,
    state_from_data,
    to_query,
)
from dashboard.state.surveytables import wave_partners
from dashboard.state.viewmodel import ViewModel
from geo.settings import CITIES

CONTROL_FIELDS = ("city", "layer", "indicator", "period", "scheme", "k", "breaks", "palette", "lang",
                  "district", "category", "dataset", "item", "change", "change_from", "change_to", "compare",
                  "compare_date", "profile")
OPTION_CONTROLS = ("ctl-indicator", "ctl-period", "ctl-district", "ctl-city", "ctl-layer", "ctl-scheme",
                   "ctl-palette", "ctl-category", "ctl-dataset", "ctl-item", "ctl-profile", *TIME_OPTION_CONTROLS)
MAX_NOTICES = 12  # notices a view may carry back from the browser (a link gives at most one per parameter)
NOTICE_CHARS = 120
CONTROL_GROUPS = ("grp-indicator", "grp-period", "grp-category", "grp-classes", "grp-breaks", "grp-district",
                  "grp-fixed-note", "grp-city-note", "grp-dataset", "grp-item", "grp-profile", *TIME_GROUPS)


def options_for(vm: ViewModel) -> Options:
    return Options(vm.indicators, vm.periods,
                   lambda city: [*vm.district_ids(city), *vm.published.district_ids(city)],
                   vm.preferred_period, vm.categories, datasets=vm.published.names,
                   dataset_items=vm.published.keys, change_pairs=vm.time.comparable,
                   preferred_pair=vm.time.preferred_pair,
                   every_district=lambda: vm.city_of,
                   waves=lambda name, item: wave_partners(vm.published.datasets, name, item))


def control_options(vm: ViewModel, state: ViewState) -> dict[str, list[dict]]:
    """The choices each control offers for a state, labelled in its language (keys: OPTION_CONTROLS)."""
    lang = state.lang
    return {
        "ctl-indicator": [{"label": indicator_label(i, lang), "value": i}
                          for i in vm.indicators(state.city, state.layer)],
        "ctl-period": [{"label": vm.period_label(state.city, state.indicator, p, lang), "value": p}
                       for p in vm.periods(state.city, state.layer, state.indicator)],
        "ctl-district": [{"label": vm.place_name(d, lang), "value": d}
                         for d in vm.district_ids(state.city)],
        "ctl-city": [{"label": t(c, lang), "value": c, **({"disabled": True} if state.layer == "leftbank" and
                                                            c != "Astana" else {})} for c in CITY_VIEWS],
        "ctl-layer": [{"label": t(f"layer_{x}", lang), "value": x} for x in LAYERS],
        "ctl-scheme": [{"label": t(f"scheme_{s}", lang), "value": s} for s in SCHEMES],
        "ctl-palette": [{"label": t(f"palette_{p}", lang), "value": p} for p in PALETTES],
        "ctl-category": [{"label": t(f"cat_{c}", lang), "value": c} for c in vm.categories],
        "ctl-dataset": vm.published.dataset_options(state.layer, lang),
        "ctl-item": vm.published.item_options(state.dataset, state.layer, lang),
        "ctl-profile": [{"label": t("profile_off", lang), "value": ""}, {"label": t("profile_on", lang), "value": "1"}],
        **time_options(vm, state),
    }


def hidden_groups(state: ViewState, options: dict[str, list[dict]]) -> dict[str, bool]:
    """Which control groups are hidden in a state (keys: CONTROL_GROUPS): a control that changes nothing in
    the current view is not shown (it stays in the DOM, so its value still travels in the URL).

    Indicator and period show when the view offers any (layer 1, and layer 3's origins of newcomers); the
    migrant category only on layer 3; classes, palette and district only on layer 1 (layers 2 and 3 have fixed
    colours, said by a note); own breaks only with the 'my own breaks' scheme; on layer 2 a note says why only
    Astana."""
    concentration = state.layer == "concentration"
    shown = {
        "grp-indicator": state.layer != "leftbank" and bool(options["ctl-indicator"]),
        "grp-period": state.layer != "leftbank" and bool(options["ctl-period"]),
        "grp-category": state.layer == "perception",
        "grp-classes": concentration,
        "grp-breaks": concentration and state.scheme == "user_defined",
        "grp-district": concentration,
        "grp-fixed-note": not concentration,
        "grp-city-note": state.layer == "leftbank",
        "grp-dataset": bool(options["ctl-dataset"]),
        "grp-item": bool(state.dataset),
        "grp-profile": concentration and bool(state.district) and state.city in CITIES and not state.dataset
        and not state.change,
        **time_groups(state, options),
    }
    if state.dataset:  # a published dataset replaces the layer's own figures: its controls only
        shown.update({"grp-indicator": False, "grp-period": False, "grp-category": False, "grp-classes": True,
                      "grp-breaks": state.scheme == "user_defined", "grp-district": True,
                      "grp-fixed-note": False})
    return {group: not shown[group] for group in CONTROL_GROUPS}


def view_data(state: ViewState, notices: list[Notice]) -> dict:
    """What the `view` store holds: the state and the link's notices, as JSON."""
    return {"state": asdict(state), "notices": [asdict(n) for n in notices]}


def sync_state(vm: ViewModel, trigger: str | None, search: object, controls: dict, click: object,
               default_lang: object) -> tuple[ViewState, list[Notice]]:
    """The state after an event: from the URL on load/back/forward, else from the controls (no notices).
    ``search``, ``click`` and ``default_lang`` are as the browser sent them: checked here."""
    options = options_for(vm)
    default_lang = default_lang if isinstance(default_lang, str) else "en"
    if trigger in (None, "url"):
        return parse_query(search if isinstance(search, str) else None, default_lang, options)
    if trigger == "choropleth" and isinstance(click, dict):
        props = click.get("properties")
        fid = props.get("fid") if isinstance(props, dict) else None
        if isinstance(fid, (str, int)) and not isinstance(fid, bool):
            controls = {**controls, "district": None if controls.get("district") == fid else str(fid)}
    # Only text and integer values, each then checked like a link (forged lists or objects are dropped).
    fields = {k: v for k, v in controls.items()
              if isinstance(v, (str, int)) and not isinstance(v, bool) and v != ""}
    state, _ = parse_query(to_query(ViewState(**{**asdict(ViewState()), **fields})), default_lang, options)
    return state, []


def checked_view(vm: ViewModel, view: object) -> tuple[ViewState, list[Notice]] | None:
    """The ``view`` store as the browser sent it back, checked: its state as valid as a link's (unknown
    city, palette, language ... fall back to defaults), at most a few short text notices; None when it is no
    view."""
    if not isinstance(view, dict):
        return None
    state, _ = state_from_data(view.get("state"), "en", options_for(vm))
    notices = []
    raw = view.get("notices")
    for item in raw[:MAX_NOTICES] if isinstance(raw, list) else []:
        if isinstance(item, dict) and all(isinstance(item.get(k), str) for k in ("what", "value", "default")):
            notices.append(Notice(*(item[k][:NOTICE_CHARS] for k in ("what", "value", "default"))))
    return state, notices
