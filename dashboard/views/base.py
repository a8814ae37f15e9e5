"""What every map view renders into (:class:`MapView`), and the pieces the views share: served-layer URLs,
map extents, markers and the link's notices.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import dash_leaflet as dl
from dash import html
from dash.development.base_component import Component

from dashboard.classify import NO_DATA_COLOR
from dashboard.i18n import LANG_NAMES, flag_label, has, indicator_label, t
from dashboard.state.query import Notice, ViewState
from dashboard.state.records import Box, localized
from dashboard.state.viewmodel import ViewModel
from dashboard.views import panels
from geo.settings import CITIES

Bounds = list[list[float]]  # [[south, west], [north, east]], as Leaflet takes it
LINK_COLORS = {"yes": "#5d3790", "unclear": "#e08214", "no": "#8c8c8c"}
NOTICE_FIELDS = ("city", "layer", "indicator", "period", "scheme", "k", "palette", "lang", "district",
                 "category", "change", "change_from", "change_to", "compare", "compare_date")


@dataclass(frozen=True)
class Style:
    """How qala.js draws a GeoJSON layer (its ``hideout``): a class and a label per feature id and the colours
    of the classes; or only the outlines."""

    lang: str | None = None
    classes: Mapping[str, int | None] = field(default_factory=dict)
    colors: tuple[str, ...] = ()
    labels: Mapping[str, str] | None = None
    selected: str | None = None
    nodata: str | None = None
    opacity: float | None = None
    outline: bool = False
    # Features drawn hatched (id -> True: a value flagged unreliable) and the flags' words for the tooltip.
    hatched: Mapping[str, bool] = field(default_factory=dict)
    why: Mapping[str, str] = field(default_factory=dict)
    names: Mapping[str, str] | None = None  # map labels for features that carry no name_<lang> property
    label_names: bool = True  # False: no permanent name labels on the map

    def hideout(self) -> dict:
        out: dict = {"outline": True} if self.outline else {"classes": dict(self.classes),
                                                            "colors": list(self.colors)}
        extra = {"labels": None if self.labels is None else dict(self.labels), "lang": self.lang,
                 "selected": self.selected, "nodata": self.nodata, "opacity": self.opacity,
                 "hatched": dict(self.hatched) or None, "why": dict(self.why) or None,
                 "names": None if self.names is None else dict(self.names),
                 "nolabels": None if self.label_names else True}
        out.update({k: v for k, v in extra.items() if v is not None})
        return out


OUTLINE = Style(outline=True)

# Confidence flags that make a value unreliable enough to hatch on the map: from a secondary source,
# marked uncertain or approximate, a lower bound, inferred by its source, or filled in by interpolation.
# Flags about dates (circa, undated), two agreeing sources, our own exact arithmetic and asking prices
# describe a value that is as reliable as the rest, so they do not hatch.
HATCH_FLAGS = ("secondary", "uncertain", "approx", "lower_bound", "derived_inference", "interpolated")


def hatch_flags(flags: Iterable[str]) -> list[str]:
    """The flags of a value that hatch it, in the order of HATCH_FLAGS."""
    own = set(flags)
    return [f for f in HATCH_FLAGS if f in own]


def shared_flags(flags_by_id: Mapping[str, Iterable[str]]) -> list[str]:
    """The hatching flags every feature shown carries (in the order of HATCH_FLAGS): hatching them would single
    nothing out, so the map says them once in a line instead (:func:`shared_notice`)."""
    owns = [set(hatch_flags(flags)) for flags in flags_by_id.values()]
    common = set.intersection(*owns) if owns else set()
    return [f for f in HATCH_FLAGS if f in common]


def hatching(flags_by_id: Mapping[str, Iterable[str]], lang: str) -> tuple[dict[str, bool], dict[str, str]]:
    """(hatched, why) of a Style from each feature's confidence flags: a feature is hatched when it carries a
    hatching flag that not every feature shown carries; ``why`` names all its flags, for the tooltip."""
    shared = set(shared_flags(flags_by_id))
    hatched, why = {}, {}
    for fid, flags in flags_by_id.items():
        own = hatch_flags(flags)
        if set(own) - shared:
            hatched[fid] = True
        if own:
            why[fid] = ", ".join(flag_label(f, lang) for f in own)
    return hatched, why


def hatched_flags(flags_by_id: Mapping[str, Iterable[str]]) -> list[str]:
    """The flags that make some feature hatched (those not every feature carries), for the hatch legend."""
    shared = set(shared_flags(flags_by_id))
    own = {f for flags in flags_by_id.values() for f in hatch_flags(flags)} - shared
    return [f for f in HATCH_FLAGS if f in own]


def hatch_legend(lang: str, flags: Iterable[str] = ()) -> html.P:
    """The legend line that says what the hatching means: the flags that hatch on this map when given."""
    named = [flag_label(f, lang) for f in flags]
    text = t("hatch_legend_these", lang, flags=", ".join(named)) if named else t("hatch_legend", lang)
    return html.P([html.Span(className="swatch hatched"), text], className="hatch-legend", id="hatch-legend")


def shared_notice(flags_by_id: Mapping[str, Iterable[str]], lang: str) -> str:
    """The line over the map (``MapView.flags_line``) when every value shown shares a flag ("Every value on this
    map: secondary source"); "" otherwise."""
    shared = shared_flags(flags_by_id)
    if not shared or not flags_by_id:
        return ""
    return t("flags_shared", lang, flags=", ".join(flag_label(f, lang) for f in shared))


@dataclass(frozen=True)
class MapLayer:
    """A served GeoJSON layer drawn with a style: ``name`` ("empty" for none) and its URL (None for none)."""

    name: str
    url: str | None
    style: Style


@dataclass(frozen=True)
class MapView:
    """Everything the page shows for one view state: the two map layers (choropleth above its context),
    the markers, where the map is framed, and the side panel (heading, legend, details) with the notices."""

    choropleth: MapLayer
    context: MapLayer
    bounds: Bounds
    heading: tuple[Component, ...] = ()
    legend: Component | None = None
    details: tuple[Component, ...] = ()
    points: tuple[Component, ...] = ()
    notices: tuple[str, ...] = ()
    # a flag every value on the map shares, said once over the map (a phone shows it too); the brief says it in
    # its own values table instead
    flags_line: str = ""

    @property
    def panel(self) -> list[Component]:
        return [*self.heading, *([self.legend] if self.legend is not None else []), *self.details]

    @property
    def notice_divs(self) -> list[html.Div]:
        line = [html.Div(self.flags_line, className="notice flags-line", id="flags-shared")] if self.flags_line \
            else []
        return [*(html.Div(text, className="notice") for text in self.notices), *line]


def geo_url(vm: ViewModel, name: str) -> str | None:
    """The URL of a served GeoJSON layer (etag in the query: cached until it changes); None for no layer,
    which dash-leaflet draws as empty without a request."""
    if name == "empty":
        return None
    return f"/qala/geo/{name}.geojson?v={vm.geo[name].etag}"


def layer(vm: ViewModel, name: str, style: Style) -> MapLayer:
    return MapLayer(name, geo_url(vm, name), style)


NO_LAYER = MapLayer("empty", None, OUTLINE)


def frame(box: Box) -> Bounds:
    """A (west, south, east, north) box as Leaflet bounds."""
    return [[box[1], box[0]], [box[3], box[2]]]


def required_box(vm: ViewModel, name: str) -> Box:
    """The extent of a layer the model does not load without (the regions, the banks)."""
    box = vm.geo[name].bounds
    if box is None:
        raise ValueError(f"the {name} layer has no extent")
    return box


def country_bounds(vm: ViewModel) -> Bounds:
    return frame(required_box(vm, "regions"))


def city_bounds(vm: ViewModel, city: str, layer_name: str) -> Bounds:
    """A city's outline, else the extent of the layer drawn for it, else the country."""
    return frame(vm.geo["cities"].feature_bounds.get(city) or vm.geo[layer_name].bounds or required_box(vm, "regions"))


def notice_text(notice: Notice, lang: str, words: Callable[[str, str], str] | None = None) -> str:
    """A link's unusable value said in ``lang``: what it was, what was given, and what is shown instead, named
    by ``words`` (the layer's, indicator's ... name; never its code)."""
    if notice.what == "astana_only":
        return t("notice_astana_only", lang)
    what = t(f"what_{notice.what}", lang) if notice.what in NOTICE_FIELDS else notice.what
    default = words(notice.what, notice.default) if words else notice.default
    return t("notice_unknown", lang, what=what, value=notice.value, default=default)


_KEYED = {"city": "{}", "layer": "layer_{}", "scheme": "scheme_{}", "palette": "palette_{}", "category": "cat_{}",
          "change": "change_{}"}


def value_words(vm: ViewModel, state: ViewState, what: str, value: str) -> str:
    """A link parameter's value as the page names it (for notices): "1 · Where migrants live" for
    ``concentration``, "Population" for ``population``, a period by its label; unknown ones as given."""
    lang = state.lang
    if value in ("", "-"):
        return "—"
    if what == "indicator":
        return indicator_label(value, lang)
    if what == "lang":
        return LANG_NAMES.get(value, value)
    if what in ("period", "change_from", "change_to", "compare_date"):
        return vm.period_label(state.city, state.indicator, value, lang)
    if what in ("district", "compare"):
        return vm.name(value, lang)
    key = _KEYED.get(what, "").format(value)
    return t(key, lang) if key and has(key) else value


def _marker(lat: float, lon: float, color: str, title: object, popup: list, radius: int = 7) -> dl.CircleMarker:
    return dl.CircleMarker(center=[lat, lon], radius=radius, color="#222", weight=1, fillColor=color,
                           fillOpacity=0.9,
                           children=[dl.Tooltip(title), dl.Popup(html.Div(popup, className="popup"))])


def kind_label(kind: object, lang: str) -> str:
    """A gazetteer kind code in words (an unknown code stays as it is, never hidden)."""
    key = f"kind_{kind}"
    return t(key, lang) if kind and has(key) else str(kind or "")


def place_markers(rows: list[dict], lang: str, color_of: Callable[[dict], str]) -> tuple[Component, ...]:
    """A circle per place with coordinates, its evidence and source in the popup."""
    out = []
    for p in rows:
        if p.get("lat") is None:
            continue
        link = p.get("migrant_link")
        popup = [html.Strong(panels.place_label(p, lang)), html.Br(), html.Span(kind_label(p.get("kind"), lang)),
                 html.P(f"{t('migrant_link', lang)}: {t('link_' + link, lang)}"
                        if link in LINK_COLORS or link == "n/a" else ""),
                 html.P(panels.local_text(localized(p, "evidence"), lang)),
                 html.P(panels.source_view(p.get("source"), lang)),
                 html.P(p.get("coord_source") or "", className="small source")]
        note = panels.translation_note(lang) if localized(p, "evidence").translated else None  # None in English
        if note is not None:
            popup.append(note)
        out.append(_marker(p["lat"], p["lon"], color_of(p), panels.place_label(p, lang), popup))
    return tuple(out)


def city_markers(vm: ViewModel, classes: Mapping[str, int | None], colors: tuple[str, ...],
                 labels: Mapping[str, str], lang: str) -> tuple[Component, ...]:
    """Circles at each city's centre so the three cities stay visible at national zoom."""
    out = []
    for city in CITIES:
        bounds = vm.geo["cities"].feature_bounds.get(city)
        if not bounds:
            continue
        cls = classes.get(city)
        color = colors[cls] if cls is not None else NO_DATA_COLOR
        text = f"{t(city, lang)}: {labels.get(city, t('no_data', lang))}"
        out.append(dl.CircleMarker(center=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2],
                                   radius=12,
                                   color="#222", weight=1.5, fillColor=color, fillOpacity=0.9,
                                   children=[dl.Tooltip(text)]))
    return tuple(out)


@dataclass(frozen=True)
class ExportTable:
    """The current layer for download: rows keyed by ``fid`` and the served layer whose geometry they take."""

    layer: str | None
    rows: list[dict]
