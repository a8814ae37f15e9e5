"""The change map: an indicator's change between two dates, only where the build found the units comparable
(the same boundaries, or sums through the lineage table). Diverging colours around zero; the method stated;
the pairs of dates that cannot be mapped listed with the build's reason.

Nothing is computed here: the build gives each change; the view picks the chosen pair and classifies it.
"""

from __future__ import annotations

from dash import html
from dash.development.base_component import Component

from dashboard.classify import NO_DATA_COLOR, STANCE_COLORS, classify, legend_entries
from dashboard.i18n import has, indicator_label, t, unit_label
from dashboard.state.query import ViewState
from dashboard.state.records import vintage_layer
from dashboard.state.timeindex import Change, Pair
from dashboard.state.viewmodel import ViewModel
from dashboard.views import panels
from dashboard.views.base import ExportTable, MapLayer, MapView, Style, city_bounds, layer
from dashboard.views.concentration import no_series_view
from dashboard.views.reasons import Words, refusal_text

SIDE_CLASSES = 3  # classes on each side of zero
ZERO_COLOR = STANCE_COLORS[3]
FALL_COLORS = STANCE_COLORS[:3]  # orange: decrease (darkest = largest fall)
RISE_COLORS = STANCE_COLORS[4:]  # purple: increase
MAX_UNMAPPED = 40  # pairs listed as not mappable (the rest counted)
REST_GREY = "#7a7a7a"  # districts with no comparable change: a mid grey (drawn at 55%), apart from any class colour


def value_of(change: Change, mode: str) -> float | None:
    return change.change_rel if mode == "rel" else change.change_abs


def fmt_change(value: float | None, change: Change, mode: str, lang: str) -> str:
    """A change with its sign: percent for a relative change (the build's fraction times 100 for reading)."""
    if value is None:
        return t("no_data", lang)
    if mode == "rel":
        return f"{value * 100:+.1f} %"
    text = panels.fmt_value(abs(value), change.unit, lang)
    return ("+" if value > 0 else "−" if value < 0 else "±") + text


def diverging(values: dict[str, float | None]) -> tuple[dict[str, int | None], list[str],
                                                        list[tuple[str, float, float, int]]]:
    """Classes around zero: falls and rises classified apart (quantiles, at most SIDE_CLASSES each), zero its
    own class. Returns (class per id, colours, legend rows (colour, low, high, count) from lowest)."""
    falls = classify({i: v for i, v in values.items() if v is not None and v < 0}, "quantiles", SIDE_CLASSES)
    rises = classify({i: v for i, v in values.items() if v is not None and v > 0}, "quantiles", SIDE_CLASSES)
    fall_colors = list(FALL_COLORS[SIDE_CLASSES - falls.k_used:]) if falls.k_used else []
    rise_colors = list(RISE_COLORS[:rises.k_used])
    colors = [*fall_colors, ZERO_COLOR, *rise_colors]
    classes: dict[str, int | None] = {i: None for i in values}
    zeros = [i for i, v in values.items() if v == 0]
    for i, c in falls.class_of.items():
        classes[i] = c
    for i in zeros:
        classes[i] = len(fall_colors)
    for i, c in rises.class_of.items():
        classes[i] = None if c is None else len(fall_colors) + 1 + c
    rows = legend_entries(falls, fall_colors) if falls.k_used else []
    if zeros:
        rows.append((ZERO_COLOR, 0.0, 0.0, len(zeros)))
    rows += legend_entries(rises, rise_colors) if rises.k_used else []
    return classes, colors, rows


def method_words(method: str | None, lang: str) -> str:
    key = f"change_method_{(method or '').replace(' ', '_')}"
    return t(key, lang) if has(key) else (method or "–")


def tooltip(change: Change, mode: str, lang: str) -> str:
    return (f"{panels.fmt_value(change.value_from, change.unit, lang)} → "
            f"{panels.fmt_value(change.value_to, change.unit, lang)} · "
            f"{fmt_change(value_of(change, mode), change, mode, lang)}")


def legend(rows: list[tuple[str, float, float, int]], sample: Change, mode: str, missing: bool,
           lang: str) -> html.Div:
    items = []
    for color, low, high, count in rows:
        text = fmt_change(high, sample, mode, lang) if low == high else \
            f"{fmt_change(low, sample, mode, lang)} … {fmt_change(high, sample, mode, lang)}"
        items.append(html.Li([html.Span(className="swatch", style={"background": color}), text,
                              html.Span(f" ({count})", className="small")]))
    if missing:
        items.append(html.Li([html.Span(className="swatch nodata", style={"background": NO_DATA_COLOR}),
                              t("no_data", lang)]))
    unit = "%" if mode == "rel" else unit_label(sample.unit, lang) or "–"
    return html.Div([html.H3(t("legend", lang)), html.P(t("change_legend_unit", lang, unit=unit),
                                                        className="small"),
                     html.Ul(items, className="legend-list")], className="legend", id="legend-box")


def changes_table(vm: ViewModel, changes: dict[str, Change], mode: str, lang: str) -> html.Div:
    head = html.Thead(html.Tr([html.Th(t("district", lang), scope="col"), html.Th(t("change_from", lang),
                                                                                  scope="col"),
                               html.Th(t("change_to", lang), scope="col"),
                               html.Th(t(f"change_{mode}", lang), scope="col"),
                               panels.column_head("col_flags", "confidence", lang)]))
    rows = []
    ordered = sorted(changes.values(), key=lambda c: -(value_of(c, mode) or float("-inf")))
    for c in ordered:
        flags = tuple(dict.fromkeys((*c.confidence_from, *c.confidence_to)))
        rows.append(html.Tr([
            html.Th(c.names.get(lang) or c.unit_id, scope="row"),
            html.Td([panels.fmt_value(c.value_from, c.unit, lang), html.Br(),
                     panels.source_view(c.source_from, lang)], className="num"),
            html.Td([panels.fmt_value(c.value_to, c.unit, lang), html.Br(),
                     panels.source_view(c.source_to, lang)], className="num"),
            html.Td(fmt_change(value_of(c, mode), c, mode, lang),
                    className="num" + ("" if value_of(c, mode) is not None else " missing")),
            html.Td(panels.flags_view(flags, lang))]))
    return html.Div(html.Table([head, html.Tbody(rows)], className="table compact", id="change-table"),
                    className="table-wrap")


def words(vm: ViewModel, city: str, pair: Pair, lang: str) -> Words:
    """How a refusal of ``pair`` names its periods, the city's districts and boundary sets in ``lang``."""
    english = {vm.district_names[d]["en"]: vm.name(d, lang) for d, c in vm.city_of.items()
               if c == city and d in vm.district_names}
    return Words(lang, {pair.start: pair.start_text, pair.end: pair.end_text}, lambda n: english.get(n, n),
                 lambda v: vm.vintage_name(v, lang))


def unmapped(vm: ViewModel, city: str, pairs: list[Pair], lang: str) -> html.Details:
    """The pairs of dates the build found not comparable, each with the build's reason said in ``lang``."""
    bad = [p for p in pairs if not p.comparable]
    items = [html.Li([html.Strong(f"{p.start_text.text(lang)} → {p.end_text.text(lang)}"), ": ",
                      panels.local_text(refusal_text(p.reason, words(vm, city, p, lang)), lang,
                                        className="small")])
             for p in bad[:MAX_UNMAPPED]]
    if len(bad) > MAX_UNMAPPED:
        items.append(html.Li(t("change_more_pairs", lang, n=len(bad) - MAX_UNMAPPED)))
    return html.Details([html.Summary(t("change_unmapped", lang, n=len(bad))), html.Ul(items)],
                        id="change-unmapped", open=False)


def rest_of_city(vm: ViewModel, changes: dict[str, Change], lang: str) -> tuple[MapLayer, html.P | None]:
    """The districts of the units' boundaries that no unit covers, drawn grey beneath the change map, and the
    line that says why they are grey (no comparable figure at both dates); the city's outline when none."""
    vintage = next(iter(changes)).split(":", 1)[0]
    served = vm.geo.get(vintage_layer(vintage))
    covered = {did for fid in changes for did in fid.split(":", 1)[-1].split("+")}
    rest = [fid for fid in (served.fids if served is not None else ()) if fid not in covered]
    if served is None or not rest:
        return layer(vm, "empty", Style(outline=True)), None
    grey = Style(lang=lang, classes={}, colors=(), nodata=REST_GREY, names={}, label_names=False)
    names = ", ".join(vm.place_name(fid, lang) for fid in rest)
    return layer(vm, vintage_layer(vintage), grey), html.P(t("change_rest_grey", lang, names=names),
                                                           className="caveat", id="change-rest")


def render(vm: ViewModel, state: ViewState) -> MapView:
    lang, mode = state.lang, state.change
    pair = vm.time.pair(state.city, state.indicator, state.change_from, state.change_to)
    changes = vm.time.changes.get((state.city, state.indicator, state.change_from or "", state.change_to or ""),
                                  {})
    if pair is None or not changes:
        return no_series_view(vm, state, city_bounds(vm, state.city, "cities"))
    classes, colors, rows = diverging({fid: value_of(c, mode) for fid, c in changes.items()})
    sample = next(iter(changes.values()))
    name = sample.layer
    style = Style(lang=lang, classes=classes, colors=tuple(colors), nodata=NO_DATA_COLOR,
                  labels={fid: tooltip(c, mode, lang) for fid, c in changes.items()},
                  names={fid: c.names.get(lang) or fid for fid, c in changes.items()})
    title = f"{t('change_title', lang)}: {indicator_label(state.indicator, lang)} · {t(state.city, lang)}"
    heading: list[Component] = [
        html.H2(title),
        html.P([html.Strong(f"{pair.start_text.text(lang)} → {pair.end_text.text(lang)}"), " · ",
                t(f"change_{mode}", lang)], id="change-line"),
        html.P([f"{t('change_method', lang)}: ", html.Strong(method_words(pair.method, lang))], id="change-method"),
    ]
    context, rest = rest_of_city(vm, changes, lang)
    heading += [rest] if rest is not None else []
    notices, bounds = not_drawn(vm, changes, name, lang), city_bounds(vm, state.city, name)
    if notices and not (name in vm.geo and vm.geo[name].fids):  # nothing drawn: the city's outline, framed
        context, bounds = layer(vm, "cities", Style(outline=True)), city_bounds(vm, state.city, "cities")
    missing = any(v is None for v in (value_of(c, mode) for c in changes.values()))
    details = (html.H3(t("districts_table", lang)), changes_table(vm, changes, mode, lang),
               html.P(t("change_sources_note", lang), className="small"),
               unmapped(vm, state.city, vm.time.pairs.get((state.city, state.indicator), []), lang))
    return MapView(choropleth=layer(vm, name, style), context=context, bounds=bounds, heading=tuple(heading),
                   legend=legend(rows, sample, mode, missing, lang), details=details, notices=notices)


def not_drawn(vm: ViewModel, changes: dict[str, Change], name: str, lang: str) -> tuple[str, ...]:
    """The line over the map for units the build has no shape of (their boundary set was never mapped)."""
    served = vm.geo.get(name)
    missing = [fid for fid, c in changes.items() if served is None or fid not in served.fids]
    if not missing:
        return ()
    vintage = missing[0].split(":", 1)[0]
    names = ", ".join(changes[fid].names.get(lang) or fid for fid in missing)
    return (t("change_not_drawn", lang, vintage=vm.vintage_name(vintage, lang), names=names),)


def export(vm: ViewModel, state: ViewState) -> ExportTable:
    """The shown changes, one row per unit, with both ends' sources and flags."""
    changes = vm.time.changes.get((state.city, state.indicator, state.change_from or "", state.change_to or ""),
                                  {})
    rows = [{"fid": c.unit_id, "name": c.names.get(state.lang), "indicator": state.indicator,
             "from_period": state.change_from, "to_period": state.change_to, "value_from": c.value_from,
             "value_to": c.value_to, "change_abs": c.change_abs, "change_rel": c.change_rel, "unit": c.unit,
             "source_from": c.source_from, "source_to": c.source_to,
             "confidence_from": ";".join(c.confidence_from), "confidence_to": ";".join(c.confidence_to),
             "method": c.method} for c in changes.values()]
    layer_name = next(iter(changes.values())).layer if changes else None
    return ExportTable(layer_name, rows)
