"""The view state and its URL: a shared link reopens the same view; unknown values fall back with a notice.

The URL query is the single source of truth of what is shown (city, layer, indicator, period, classes,
palette, language, district, migrant category). :func:`parse_query` never raises on user input: every value
it cannot use becomes the default plus a :class:`Notice` the page shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlencode

from dashboard.classify import DEFAULT_K, K_CHOICES, PALETTES, SCHEMES
from dashboard.i18n import LANGS, t
from geo.settings import CITIES, MAX_USER_BREAKS

CITY_VIEWS = (*CITIES, "Kazakhstan")
LAYERS = ("concentration", "leftbank", "perception")
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


@dataclass(frozen=True)
class Notice:
    """An unusable value from the link: which parameter, what was given, what is shown instead."""

    what: str
    value: str
    default: str


_PARAM = {"city": "city", "layer": "layer", "indicator": "ind", "period": "period", "scheme": "scheme",
          "k": "k", "breaks": "breaks", "palette": "pal", "lang": "lang", "district": "district",
          "category": "cat"}


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
                 categories: Iterable[str] = (EVERY_CATEGORY,)) -> None:
        self.indicators = indicators
        self.periods = periods
        self.districts = districts
        self.preferred_period = preferred_period
        self.categories = tuple(categories)


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
    default_period = periods[-1] if periods else None
    if periods and options.preferred_period is not None:
        default_period = options.preferred_period(city, layer, indicator) or default_period
    period = pick("period", periods, default_period, "period") if periods else None

    district = _first(query, "district")
    if district is not None and district not in set(options.districts(city)):
        notices.append(Notice("district", district, "-"))
        district = None
    state = ViewState(city=city, layer=layer, indicator=indicator, period=period, scheme=scheme, k=k,
                      breaks=breaks, palette=palette, lang=lang, district=district, category=category)
    return state, notices


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


def with_changes(state: ViewState, **changes: object) -> ViewState:
    return replace(state, **changes)
