"""The view state and its URL: a shared link reopens the same view; unknown values fall back with a notice.

The URL query is the single source of truth of what is shown (city, layer, indicator, period, classes,
palette, language, district, migrant category, the change map's mode and dates, the district compared).
:func:`parse_query` never raises on user input: every value it cannot use becomes the default plus a
:class:`Notice` the page shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qs, urlencode

from dashboard.classify import DEFAULT_K, K_CHOICES, PALETTES, SCHEMES
from dashboard.i18n import LANGS, t
from geo.settings import CITIES, MAX_USER_BREAKS

CITY_VIEWS = (*CITIES, "Kazakhstan")
LAYERS = ("concentration", "leftbank", "perception")
CHANGE_MODES = ("abs", "rel")  # the change map: absolute or relative change between two dates
EVERY_CATEGORY = "all"  # the migrant categories themselves come from the build (view model's `categories`)
MAX_PARAM_LENGTH = 200
_BREAK_SEPARATORS = re.compile(r"[,; ]+")


@dataclass(frozen=True)
class ViewState:
    city: str = "Astana"
    layer: str = "concentration"
    indicator: str = "population"
    period: str | None = None
    scheme: str = "quantiles"
    k: int = DEFAULT_K
    breaks: str = ""
    palette: str = "viridis"
    lang: str = "en"
    district: str | None = None
    category: str = EVERY_CATEGORY
    change: str = ""  # "" (the figures of one date), or a CHANGE_MODES mode
    change_from: str | None = None
    change_to: str | None = None
    compare: str | None = None  # a district (of any city) put beside the selected one
    compare_date: str | None = None  # another period of the selected district, or of the compared one
    dataset: str = ""  # a published survey dataset shown instead of the layer's own figures ("" for none)
    item: str = ""  # its score item (layer 3) or count measure (layer 1)
    profile: str = ""  # "1": the chosen district's profile in the side panel
    wave: str = ""  # another published dataset (wave) whose district means the shown item is compared with


@dataclass(frozen=True)
class Notice:
    """An unusable value from the link: which parameter, what was given, what is shown instead."""

    what: str
    value: str
    default: str


_PARAM = {"city": "city", "layer": "layer", "indicator": "ind", "period": "period", "scheme": "scheme",
          "k": "k", "breaks": "breaks", "palette": "pal", "lang": "lang", "district": "district",
          "category": "cat", "change": "chg", "change_from": "from", "change_to": "to", "compare": "cmp",
          "compare_date": "cmpdate", "dataset": "ds", "item": "item", "profile": "profile",
          "wave": "wave"}


def to_query(state: ViewState) -> str:
    """The URL query (with leading '?') for a state; empty fields are left out."""
    pairs = []
    for field, param in _PARAM.items():
        value = getattr(state, field)
        if value is None or value == "":
            continue
        pairs.append((param, str(value)))
    return "?" + urlencode(pairs)


def _first(query: dict[str, list[str]], param: str) -> str | None:
    values = query.get(param)
    if not values:
        return None
    return values[0][:MAX_PARAM_LENGTH]


class Options:
    """What the data offers, so the state can be checked without importing the view model here."""

    def __init__(self, indicators: Callable[[str, str], list[str]],
                 periods: Callable[[str, str, str], list[str]],
                 districts: Callable[[str], Iterable[str]],
                 preferred_period: Callable[[str, str, str], str | None] | None = None,
                 categories: Iterable[str] = (EVERY_CATEGORY,),
                 change_pairs: Callable[[str, str], list[tuple[str, str]]] | None = None,
                 every_district: Callable[[], Iterable[str]] | None = None,
                 datasets: Callable[[str], list[str]] | None = None,
                 dataset_items: Callable[[str, str], list[str]] | None = None,
                 preferred_pair: Callable[[str, str], tuple[str, str] | None] | None = None,
                 waves: Callable[[str, str], list[str]] | None = None) -> None:
        self.indicators = indicators
        self.periods = periods
        self.districts = districts
        self.preferred_period = preferred_period
        self.categories = tuple(categories)
        # (from, to) period pairs whose change can be mapped (comparable only), and every district id of any
        # city (the ones a comparison may name)
        self.change_pairs = change_pairs or (lambda city, indicator: [])
        self.every_district = every_district or (lambda: ())
        # published survey datasets offered on a layer, and a dataset's items on a layer
        self.datasets = datasets or (lambda layer: [])
        self.dataset_items = dataset_items or (lambda name, layer: [])
        # the change a link opens without dates (default: the widest comparable pair)
        self.preferred_pair = preferred_pair or (lambda city, indicator: None)
        self.waves = waves or (lambda name, item: [])  # other waves a dataset's item can be compared with


def parse_query(search: str | None, default_lang: str, options: Options) -> tuple[ViewState, list[Notice]]:
    """Read a URL query into a valid state; unknown values become defaults, each with a notice."""
    try:
        query = parse_qs((search or "").lstrip("?"), keep_blank_values=False, max_num_fields=50)
    except ValueError:
        query = {}
    notices: list[Notice] = []

    def pick(param: str, allowed: Iterable[str], default: str, what: str) -> str:
        value = _first(query, param)
        allowed = list(allowed)
        if value is None:
            return default
        if value in allowed:
            return value
        notices.append(Notice(what, value, default))
        return default

    lang = pick("lang", LANGS, default_lang if default_lang in LANGS else "en", "lang")
    layer = pick("layer", LAYERS, "concentration", "layer")
    city = pick("city", CITY_VIEWS, "Astana", "city")
    if layer == "leftbank" and city != "Astana":
        notices.append(Notice("astana_only", city, "Astana"))
        city = "Astana"
    category = pick("cat", options.categories, EVERY_CATEGORY, "category")
    scheme = pick("scheme", SCHEMES, "quantiles", "scheme")
    palette = pick("pal", PALETTES, "viridis", "palette")
    k_text = _first(query, "k")
    k = DEFAULT_K
    if k_text is not None:
        if k_text.isdigit() and int(k_text) in K_CHOICES:
            k = int(k_text)
        else:
            notices.append(Notice("k", k_text, str(DEFAULT_K)))
    breaks = _breaks(query, notices, lang)

    indicators = options.indicators(city, layer)
    default_indicator = "population" if "population" in indicators else (indicators[0] if indicators else "")
    indicator = pick("ind", indicators, default_indicator, "indicator") if indicators else ""
    periods = options.periods(city, layer, indicator) if indicator else []
    period = None
    if periods:
        default_period = periods[-1]
        if options.preferred_period is not None:
            default_period = options.preferred_period(city, layer, indicator) or default_period
        period = pick("period", periods, default_period, "period")

    district = _first(query, "district")
    if district is not None and district not in set(options.districts(city)):
        notices.append(Notice("district", district, "-"))
        district = None
    change, change_from, change_to = _change(query, notices, options, city, layer, indicator)
    dataset, item = _dataset(query, notices, options, layer, lang)
    wave = _first(query, "wave") or ""
    if wave and wave not in options.waves(dataset, item):
        notices.append(Notice(t("what_wave", lang), wave, "-"))
        wave = ""
    compare, compare_date = _compare(query, notices, options, periods) if layer == "concentration" else (None, None)
    profile = "1" if _first(query, "profile") == "1" and district and layer == "concentration" \
        and city != "Kazakhstan" and not dataset and not change else ""
    state = ViewState(city=city, layer=layer, indicator=indicator, period=period, scheme=scheme, k=k,
                      breaks=breaks, palette=palette, lang=lang, district=district, category=category,
                      change=change, change_from=change_from, change_to=change_to, compare=compare,
                      compare_date=compare_date, dataset=dataset, item=item, profile=profile, wave=wave)
    return state, notices


def _compare(query: dict[str, list[str]], notices: list[Notice], options: Options,
             periods: list[str]) -> tuple[str | None, str | None]:
    """The district put beside the chosen one (of any city) and the other date; unknown ones dropped."""
    compare = _first(query, "cmp")
    if compare is not None and compare not in set(options.every_district()):
        notices.append(Notice("compare", compare, "-"))
        compare = None
    compare_date = _first(query, "cmpdate")
    if compare_date is not None and compare_date not in periods:
        notices.append(Notice("compare_date", compare_date, "-"))
        compare_date = None
    return compare, compare_date


def _dataset(query: dict[str, list[str]], notices: list[Notice], options: Options, layer: str,
             lang: str) -> tuple[str, str]:
    """The published dataset and its item: only one the layer offers (else none, with a notice); the
    dataset's first item when none or an unknown one is given."""
    name, item = _first(query, "ds"), _first(query, "item")
    if name is None:
        return "", ""
    items = options.dataset_items(name, layer) if name in options.datasets(layer) else []
    if not items:
        notices.append(Notice(t("what_dataset", lang), name, "-"))
        return "", ""
    if item is not None and item not in items:
        notices.append(Notice(t("what_item", lang), item, items[0]))
    return name, item if item is not None and item in items else items[0]


def _change(query: dict[str, list[str]], notices: list[Notice], options: Options, city: str, layer: str,
            indicator: str) -> tuple[str, str | None, str | None]:
    """The change map's mode and dates: only on layer 1 and only a pair the build says is comparable; by
    default the preferred pair (the view model's: most districts, then latest), else the widest (earliest
    from, then latest to). The dates are kept only with a mode."""
    mode = _first(query, "chg")
    given_from, given_to = _first(query, "from"), _first(query, "to")
    if mode is None:
        return "", None, None
    pairs = options.change_pairs(city, indicator) if layer == "concentration" and indicator else []
    if mode not in CHANGE_MODES or not pairs:
        notices.append(Notice("change", mode, "-"))
        return "", None, None
    froms = list(dict.fromkeys(f for f, _ in pairs))
    preferred = options.preferred_pair(city, indicator)
    start = preferred[0] if preferred in pairs and given_from is None else froms[0]
    if given_from is not None and given_from not in froms:
        notices.append(Notice("change_from", given_from, start))
    elif given_from is not None:
        start = given_from
    tos = [b for a, b in pairs if a == start]
    end = preferred[1] if preferred in pairs and preferred[0] == start else tos[-1]
    if given_to is not None and given_to not in tos:
        notices.append(Notice("change_to", given_to, end))
    elif given_to is not None:
        end = given_to
    return mode, start, end


def _breaks(query: dict[str, list[str]], notices: list[Notice], lang: str) -> str:
    """Own breaks as given, or none with a notice when over-long or too many: refused whole, never cut (a cut
    could fall inside a number and silently draw other classes)."""
    text = (query.get("breaks") or [""])[0]
    count = len([p for p in _BREAK_SEPARATORS.split(text) if p])
    if len(text) <= MAX_PARAM_LENGTH and count <= MAX_USER_BREAKS:
        return text
    notices.append(Notice(t("what_breaks", lang, n=MAX_USER_BREAKS, chars=MAX_PARAM_LENGTH),
                          f"{text[:24]}… ({count})", "-"))
    return ""


def state_from_data(data: object, default_lang: str, options: Options) -> tuple[ViewState, list[Notice]]:
    """A state sent back by the browser (the ``view`` store), checked exactly like a link: only known fields,
    only text or integer values, each among the choices the server offers. Never trusts browser state."""
    pairs = []
    if isinstance(data, dict):
        for field, param in _PARAM.items():
            value = data.get(field)
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                pairs.append((param, str(value)))
    lang = default_lang if isinstance(default_lang, str) else "en"
    return parse_query("?" + urlencode(pairs), lang, options)


def with_changes(state: ViewState, **changes: Any) -> ViewState:  # any fields: replace() checks their names
    return replace(state, **changes)
